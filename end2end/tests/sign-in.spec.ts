import { test, expect, signIn, hydrated, PASSWORD } from "./fixtures";

test("a signed-out visitor is sent to sign in and back to the page they asked for", async ({ page }) => {
  await page.goto("/catalogs");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fcatalogs$/);
  await page.getByLabel("E-mail address").fill("admin@contoso.test");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/catalogs$/);
  await expect(page.getByRole("link", { name: "Marketing", exact: true })).toBeVisible();
  await expect(page.getByTestId("user-menu")).toContainText("Megan Bowen");
});

test("a wrong password is refused with a reason and the e-mail kept", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail address").fill("admin@contoso.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("sign-in-error")).toHaveText("The e-mail address or password is incorrect.");
  await expect(page.getByLabel("E-mail address")).toHaveValue("admin@contoso.test");
  await expect(page.getByTestId("user-menu")).toHaveCount(0);
});

test("sign out ends the session", async ({ page }) => {
  await signIn(page, "owner@contoso.test");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/catalogs");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
});

test("navigation shows only what the roles allow", async ({ page }) => {
  await signIn(page, "adele@contoso.test");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Catalogs" })).toHaveCount(0);
  await expect(page.getByTestId("no-governance")).toBeVisible();
  await page.goto("/catalogs");
  await hydrated(page);
  await expect(page.getByTestId("not-permitted")).toBeVisible();
});

test("on a 360 px phone the top bar wraps instead of running off the screen", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, "admin@contoso.test");
  const header = page.locator("header.topbar");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Approvals" })).toBeVisible();
  const overflow = await header.evaluate((h) => h.scrollWidth - h.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const pageOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(pageOverflow).toBeLessThanOrEqual(0);
});
