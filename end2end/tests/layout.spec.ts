// Screens at 360 and 1280 pixels wide: no table cell is narrower than its longest word (a
// value broken one character per line), and no stray symbol shows where there is nothing to say.
import type { Page } from "@playwright/test";
import { test, expect, signIn, hydrated, openCustomExtensions, next } from "./fixtures";

/** The cells of every visible table whose content box is narrower than their longest word,
 * measured with the cell's own font (canvas `measureText`). A value truncated on purpose
 * (`text-overflow: ellipsis` on an element that carries the whole text in `title`) is allowed. */
async function narrowCells(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const context = document.createElement("canvas").getContext("2d")!;
    const found: string[] = [];
    for (const cell of Array.from(document.querySelectorAll<HTMLElement>("td, th"))) {
      if (!cell.checkVisibility()) continue;
      const box = getComputedStyle(cell);
      const room = cell.clientWidth - parseFloat(box.paddingLeft) - parseFloat(box.paddingRight);
      const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = texts.nextNode(); node; node = texts.nextNode()) {
        const parent = node.parentElement!;
        if (!parent.checkVisibility() || parent.closest(".sr-only")) continue;
        const truncated = parent.closest<HTMLElement>("[title]");
        if (truncated && getComputedStyle(truncated).textOverflow === "ellipsis") continue;
        const style = getComputedStyle(parent);
        context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        // Lines may break at spaces and after hyphens ("Proof-of-" / "possession").
        for (const word of (node.textContent ?? "").split(/\s+|(?<=-)/).filter(Boolean)) {
          const width = context.measureText(word).width;
          if (width > room + 1) {
            const table = cell.closest("table")?.dataset.testid ?? "table";
            found.push(`${table}: "${word}" needs ${Math.ceil(width)}px, its cell has ${Math.floor(room)}px`);
          }
        }
      }
    }
    return found;
  });
}

/** Status lines and field messages with nothing to say show nothing: no lone "✓" or "⚠". */
async function strayMarks(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>(".status, [role=status], .field-error"))
      .filter((el) => (el.textContent ?? "").trim() === "" && el.checkVisibility())
      .filter((el) => !["none", "normal", '""'].includes(getComputedStyle(el, "::before").content))
      .map((el) => `${el.dataset.testid ?? el.className}: shows ${getComputedStyle(el, "::before").content}`),
  );
}

async function check(page: Page, screen: string) {
  await hydrated(page);
  // A wide table scrolls inside its own box; the page itself never scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect.soft(overflow, `${screen}: the page is wider than the screen`).toBeLessThanOrEqual(0);
  expect.soft(await narrowCells(page), `${screen}: table cells narrower than their longest word`).toEqual([]);
  expect.soft(await strayMarks(page), `${screen}: stray symbols`).toEqual([]);
}

for (const width of [360, 1280]) {
  test.describe(`${width} pixels wide`, () => {
    test.use({ viewport: { width, height: 800 } });

    test("the screens with tables", async ({ page, browser }) => {
      test.setTimeout(60_000);
      await signIn(page, "admin@contoso.test");
      await page.goto("/catalogs");
      await check(page, "catalogs");
      await openCustomExtensions(page, "Marketing");
      await check(page, "custom extensions");
      const menu = page.getByRole("navigation", { name: "Catalog" });
      for (const tab of ["Access packages", "Roles"]) {
        await menu.getByRole("link", { name: tab }).click();
        await expect(menu.getByRole("link", { name: tab })).toHaveAttribute("aria-current", "page");
        await check(page, `catalog ${tab}`);
      }
      // The wizard, with a field message shown and then cleared.
      await menu.getByRole("link", { name: "Custom extensions" }).click();
      await page.getByRole("link", { name: "Add a custom extension" }).click();
      await check(page, "wizard");
      await page.getByLabel("Name", { exact: true }).fill("Contoso.Layout");
      await next(page, "Extension Type");
      await next(page, "Extension Configuration");
      await page.getByRole("radio", { name: /Launch and wait/ }).check();
      await page.getByLabel("Response timeout", { exact: true }).fill("20");
      await page.getByLabel("Response timeout unit").selectOption("days");
      await expect(page.getByTestId("error-timeoutAmount")).toHaveText(/14 days/);
      await page.getByLabel("Response timeout", { exact: true }).fill("2");
      await expect(page.getByTestId("error-timeoutAmount")).toHaveText("");
      await check(page, "wizard, a message cleared");

      await page.goto("/requests");
      await check(page, "requests");
      const first = page.getByTestId("request-row").first().getByRole("link");
      if ((await first.count()) > 0) {
        await first.click();
        await expect(page.getByTestId("request-facts")).toBeVisible();
        await check(page, "request details");
      }
      await page.goto("/assignments");
      await check(page, "assignments");
      await page.goto("/apps");
      await check(page, "apps");
      await page.goto("/users");
      await check(page, "users");

      const requestor = await (await browser.newContext({ viewport: { width, height: 800 } })).newPage();
      await signIn(requestor, "adele@contoso.test", "/my-access");
      await requestor.goto("/my-access");
      await check(requestor, "My Access");
      await requestor.goto("/my-access/requests");
      await check(requestor, "request history");
      await requestor.goto("/my-access/approvals");
      await check(requestor, "approvals");
      await requestor.goto("/my-access/approvals/history");
      await check(requestor, "approval history");
    });
  });
}
