// The directory as a person meets it: an administrator adds a user on the Users page, the
// identity provider puts them in a group (SCIM, as Entra ID's provisioning would), the user sets
// a password on the one-time link in a browser of their own, signs in and gets a package open
// only to that group; then the administrator disables them and their access disappears.
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { expect, hydrated, requestPackage, signIn, test } from "./fixtures";

const EMAIL = "nestor@contoso.test";
const NAME = "Nestor Wilke";
const NEW_PASSWORD = "nestor's long passphrase";
// The demo's provisioning app (User Administrator); see the README's SCIM section.
const SCIM_APP = "5e1f5e1f-0000-4000-8000-000000000002";
const SCIM_SECRET = "latch-demo-secret";

/** Adds the user to a group as an identity provider does, over SCIM. */
async function addToGroupOverScim(request: APIRequestContext, email: string, group: string) {
  const token = await request.post("/oauth2/v2.0/token", {
    form: {
      grant_type: "client_credentials",
      client_id: SCIM_APP,
      client_secret: SCIM_SECRET,
      scope: "https://graph.microsoft.com/.default",
    },
  });
  expect(token.ok(), await token.text()).toBeTruthy();
  const headers = { authorization: `Bearer ${(await token.json()).access_token}` };
  const get = async (path: string) => {
    const r = await request.get(`/scim/v2/${path}`, { headers });
    expect(r.ok(), await r.text()).toBeTruthy();
    return (await r.json()).Resources[0].id as string;
  };
  const user = await get(`Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`);
  const groupId = await get(`Groups?filter=${encodeURIComponent(`displayName eq "${group}"`)}`);
  const patched = await request.patch(`/scim/v2/Groups/${groupId}`, {
    headers: { ...headers, "content-type": "application/scim+json" },
    data: {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Add", path: "members", value: [{ value: user }] }],
    },
  });
  expect(patched.ok(), await patched.text()).toBeTruthy();
}

/** The user's own browser: opens the link, chooses a password, signs in. */
async function setPasswordAndSignIn(browser: Browser, link: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: `Welcome, ${NAME}` })).toBeVisible();
  await expect(page.getByTestId("setup-email")).toHaveText(EMAIL);
  const form = page.getByTestId("setup-form");
  await form.getByLabel("New password").fill("too short");
  await form.getByLabel("Confirm password").fill("too short");
  await form.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByTestId("error-password")).toHaveText("Password must be at least 12 characters.");
  await form.getByLabel("New password").fill(NEW_PASSWORD);
  await form.getByLabel("Confirm password").fill(NEW_PASSWORD);
  await form.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByTestId("setup-done")).toContainText("Your password is set.");
  await page.getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByLabel("E-mail address")).toHaveValue(EMAIL);
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("user-menu")).toContainText(NAME);
  await hydrated(page);
  return page;
}

test("an administrator adds a user who sets a password, gets a group's package, and loses it when disabled", async ({
  page,
  browser,
  request,
}) => {
  await signIn(page, "admin@contoso.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();
  await hydrated(page);

  const add = page.getByTestId("add-user");
  await add.getByLabel("E-mail").fill("nestor");
  await add.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("error-email")).toHaveText("E-mail address must have the form name@domain.");
  await expect(page.getByTestId("error-displayName")).toHaveText("Display name is required.");
  await add.getByLabel("Display name").fill(NAME);
  await add.getByLabel("E-mail").fill(EMAIL);
  await add.getByLabel("Department").fill("Marketing");
  await add.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("setup-link-words")).toContainText(`Hand this link to ${NAME}; it works once`);
  const link = (await page.getByTestId("setup-link-url").textContent())!.trim();
  expect(link).toMatch(/\/setup\/[A-Za-z0-9_-]{43}$/);
  await expect(page.locator(`[data-testid=user-row][data-email="${EMAIL}"]`)).toContainText("Enabled");

  await addToGroupOverScim(request, EMAIL, "Campaign team");

  const nestor = await setPasswordAndSignIn(browser, link);
  await requestPackage(nestor, "Brand assets (Campaign team members)", "New campaign");
  await nestor.goto("/my-access");
  await expect(nestor.locator('[data-testid=assignment-row][data-name="Brand assets"]')).toContainText("delivered");

  // The link works once.
  const again = await browser.newPage();
  await again.goto(link);
  await expect(again.getByTestId("setup-form")).toHaveCount(0);
  await expect(again.getByText("This setup link has expired or was already used.")).toBeVisible();
  await again.close();

  // The administrator disables Nestor: the leaver path.
  await page.getByLabel("Search users").fill("nest");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.locator(`[data-testid=user-row][data-email="${EMAIL}"]`).getByRole("link", { name: NAME }).click();
  const details = page.getByTestId("user-details");
  await expect(details.getByTestId("user-access")).toContainText("Brand assets");
  await expect(details.getByTestId("user-groups")).toContainText("Campaign team");
  await details.getByRole("button", { name: "Disable", exact: true }).click();
  await page.getByTestId("disable-dialog").getByRole("button", { name: "Yes, disable" }).click();
  await expect(page.getByTestId("leaver-summary")).toContainText("1 session ended");
  await expect(page.getByTestId("leaver-summary")).toContainText("1 assignment removed");
  await expect(details.getByTestId("details-status")).toHaveText("Disabled");

  // Nestor's session is gone and signing in again is refused.
  await nestor.goto("/my-access");
  await expect(nestor).toHaveURL(/\/sign-in/);
  await nestor.getByLabel("E-mail address").fill(EMAIL);
  await nestor.getByLabel("Password").fill(NEW_PASSWORD);
  await nestor.getByRole("button", { name: "Sign in" }).click();
  await expect(nestor.getByTestId("sign-in-error")).toHaveText("The e-mail address or password is incorrect.");
  await nestor.context().close();

  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("user-details").getByTestId("user-access")).not.toContainText("Brand assets");
});

test("a user without a directory role is told so on the Users page", async ({ page }) => {
  await signIn(page, "owner@contoso.test");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users", exact: true })).toHaveCount(0);
  await page.goto("/users");
  await hydrated(page);
  await expect(page.getByTestId("not-permitted")).toContainText("User Administrator");
  await expect(page.getByTestId("add-user")).toHaveCount(0);
});
