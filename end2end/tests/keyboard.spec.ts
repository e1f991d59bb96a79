// The request flow by keyboard only: after opening the sign-in address, every step is a key
// press or typed text, and focus always lands somewhere visible.
import type { Locator, Page } from "@playwright/test";
import { test, expect, hydrated, signIn, openCustomExtensions, PASSWORD } from "./fixtures";

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
});

test("a custom extension's row menu opens with Enter, its items take Tab, and Escape closes it", async ({ page }) => {
  await signIn(page, "admin@contoso.test");
  await openCustomExtensions(page, "Marketing");
  await tabTo(page, page.getByRole("button", { name: "Actions for Contoso.SodCheckProcess" }), 80);
  await page.keyboard.press("Enter");
  await tabTo(page, page.getByRole("menuitem", { name: "Edit" }), 2);
  await tabTo(page, page.getByRole("menuitem", { name: "Test connection" }), 2);
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toHaveCount(0);
});
