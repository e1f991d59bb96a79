// The request flow by keyboard only: after opening the sign-in address, every step is a key
// press or typed text, and focus always lands somewhere visible.
import type { Locator, Page } from "@playwright/test";
import { test, expect, hydrated, signIn, openCustomExtensions, PASSWORD, editPolicy } from "./fixtures";

/** Presses Tab until `target` has the focus (at most `limit` times), checking that each element
 * focused on the way shows a focus ring. */
async function tabTo(page: Page, target: Locator, limit = 60) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
    const ring = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return "body";
      const style = getComputedStyle(el);
      return el.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
        ? "ok"
        : `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 40)}" has no visible focus`;
    });
    expect(["ok", "body"], ring).toContain(ring);
  }
  throw new Error(`Tab never reached ${target}`);
}

test("a requestor signs in, requests a package and sees it in the history, by keyboard only", async ({ page }) => {
  await page.goto("/sign-in");
  await hydrated(page);
  await tabTo(page, page.getByLabel("E-mail address"));
  await page.keyboard.type("approver@contoso.test");
  await tabTo(page, page.getByLabel("Password"));
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("user-menu")).toBeVisible();
  await hydrated(page);

  const nav = page.getByRole("navigation", { name: "Main" });
  await tabTo(page, nav.getByRole("link", { name: "Access packages" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Access packages" })).toBeVisible();
  await hydrated(page);

  await tabTo(page, page.getByRole("button", { name: "Request Campaign analytics (All employees)" }));
  await page.keyboard.press("Enter");
  // The dialog takes the focus to its first field.
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect(page.getByLabel("Justification")).toBeFocused();
  await page.keyboard.type("Quarterly numbers, asked for by keyboard");
  await tabTo(page, page.getByRole("button", { name: "Submit request" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("my-access-status")).toContainText("Requested “Campaign analytics”");

  await tabTo(page, nav.getByRole("link", { name: "Request history" }), 80);
  await page.keyboard.press("Enter");
  const row = page.locator('[data-testid=request-row][data-name="Campaign analytics"]');
  await expect(row).toBeVisible();
  await expect(row.getByTestId("request-status")).not.toBeEmpty();
});

test("Escape closes the request dialog", async ({ page }) => {
  await page.goto("/sign-in?next=/my-access");
  await hydrated(page);
  await tabTo(page, page.getByLabel("E-mail address"));
  await page.keyboard.type("adele@contoso.test");
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Access packages" })).toBeVisible();
  await hydrated(page);
  await tabTo(page, page.getByRole("button", { name: /^Request / }).first());
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("Justification")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  // The focus returns to the button that opened the dialog.
  await expect(page.getByRole("button", { name: /^Request / }).first()).toBeFocused();
});

test("a custom extension's row menu takes the arrow keys; its dialog keeps the focus and gives it back", async ({
  page,
}) => {
  await signIn(page, "admin@contoso.test");
  await openCustomExtensions(page, "Marketing");
  const actions = page.getByRole("button", { name: "Actions for Contoso.SodCheckProcess" });
  await tabTo(page, actions, 80);
  await page.keyboard.press("Enter");
  const item = (name: string) => page.getByRole("menuitem", { name });
  await expect(item("Edit")).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(item("Test connection")).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await expect(item("Delete")).toBeFocused();
  await page.keyboard.press("Home");
  await expect(item("Edit")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toHaveCount(0);
  await expect(actions).toBeFocused();

  // Delete asks first, with the focus on Cancel; Tab and Shift+Tab stay inside the dialog.
  await page.keyboard.press("Enter");
  await page.keyboard.press("End");
  await expect(item("Delete")).toBeFocused();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Delete “Contoso.SodCheckProcess”?" });
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  for (const key of ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
    await page.keyboard.press(key);
    expect(await dialog.evaluate((d) => d.contains(document.activeElement)), `after ${key}`).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(actions).toBeFocused();
  await expect(page.locator('[data-testid=extension-row][data-name="Contoso.SodCheckProcess"]')).toBeVisible();
});

test("the policy editor's tabs move with the arrow keys, Home and End, as one Tab stop", async ({ page }) => {
  await signIn(page, "admin@contoso.test");
  await openCustomExtensions(page, "Marketing");
  await editPolicy(page, "Employees, manager approval");
  const tab = (name: string) => page.getByRole("tab", { name });
  await tabTo(page, tab("Requests"), 80);
  await page.keyboard.press("ArrowRight");
  await expect(tab("Approval")).toBeFocused();
  await expect(tab("Approval")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tabpanel")).toHaveAttribute("aria-labelledby", "policy-tab-1");
  await page.keyboard.press("End");
  await expect(tab("Custom extensions")).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(tab("Requests")).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(tab("Custom extensions")).toHaveAttribute("aria-selected", "true");
  // The other tabs are not Tab stops: Tab leaves the strip for the panel.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).not.toBe("tab");
  expect(await page.getByRole("tabpanel").evaluate((p) => p.contains(document.activeElement))).toBe(true);
});
