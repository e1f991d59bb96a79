// Single sign-on as a person meets it, against a real OpenID provider (oidc-provider on
// loopback): Megan signs in with her organization's account and lands with her roles; Sam,
// unknown to Latch, is refused with the reason, or created where Latch is set to create people;
// signing out ends the provider's session too; with local sign-in off the password form is gone
// and /api/sign_in refuses.
import type { Page } from "@playwright/test";
import { expect, hydrated, test } from "./fixtures";

const SSO = "http://127.0.0.1:3212";
const SSO_CREATE = "http://127.0.0.1:3213";

/** From Latch's sign-in page through the provider's login form, back to Latch. */
async function signInAtProvider(page: Page, latch: string, username: string) {
  await page.goto(`${latch}/sign-in`);
  await hydrated(page);
  await page.getByRole("link", { name: "Sign in with Contoso ID" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to the test provider" })).toBeVisible();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("any password");
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("Megan signs in with her organization's account, with her roles, and signs out there too", async ({ page }) => {
  await signInAtProvider(page, SSO, "megan");
  await expect(page.getByTestId("user-menu")).toContainText("Megan Bowen");
  await hydrated(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Catalogs" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Users", exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign out of the test provider?" })).toBeVisible();
  await page.getByRole("button", { name: "Yes, sign me out" }).click();
  await expect(page).toHaveURL(`${SSO}/sign-in`);
  // The provider's session is gone too: signing in asks for the username again.
  await page.getByRole("link", { name: "Sign in with Contoso ID" }).click();
  await expect(page.getByLabel("Username")).toBeVisible();
});

test("someone unknown to Latch is refused with the reason", async ({ page }) => {
  await signInAtProvider(page, SSO, "sam");
  await expect(page).toHaveURL(/\/sign-in\?error=/);
  await expect(page.getByTestId("sign-in-error")).toHaveText(
    "No Latch account matches sam@fabrikam.test. Ask your administrator to add you.",
  );
  await expect(page.getByTestId("password-form")).toBeVisible();
});

test("where Latch creates people, Sam is created and lands in My Access; passwords are refused there", async ({ page, request }) => {
  await page.goto(`${SSO_CREATE}/sign-in`);
  await hydrated(page);
  await expect(page.getByTestId("password-form")).toHaveCount(0);
  await expect(page.getByLabel("Password")).toHaveCount(0);
  const refused = await request.post(`${SSO_CREATE}/api/sign_in`, {
    form: { email: "admin@contoso.test", password: "latch-demo", next: "/" },
    headers: { origin: SSO_CREATE, accept: "text/html" },
    maxRedirects: 0,
  });
  expect(refused.status()).toBe(302);
  const to = new URL(refused.headers()["location"], SSO_CREATE);
  expect(to.pathname).toBe("/sign-in");
  expect(to.searchParams.get("error")).toContain("password sign-in is turned off");
  expect(refused.headers()["set-cookie"] ?? "").not.toContain("latch_session=");

  await signInAtProvider(page, SSO_CREATE, "sam");
  await expect(page.getByTestId("user-menu")).toContainText("Sam Stranger");
  await page.goto(`${SSO_CREATE}/my-access`);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Access packages" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Catalogs" })).toHaveCount(0);
});
