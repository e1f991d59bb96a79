import { test, expect, signIn, hydrated } from "./fixtures";
import type { Locator, Page } from "@playwright/test";

// ---- find ----

function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

function appCard(page: Page, name: string): Locator {
  return page.locator(`[data-testid=app][data-name="${name}"]`);
}

// ---- act ----

async function openApps(page: Page) {
  await mainNav(page).getByRole("link", { name: "Apps", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Apps", level: 1 })).toBeVisible();
  await expect(page.getByTestId("register-app")).toBeVisible();
}

/** Registers an app and returns its client id and the secret shown once. */
async function register(page: Page, name: string) {
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Register", exact: true }).click();
  await expect(page.getByTestId("new-secret")).toContainText(name);
  const secret = (await page.getByTestId("client-secret").textContent())!.trim();
  const clientId = (await page.getByTestId("new-client-id").textContent())!.trim();
  return { secret, clientId };
}

function assignDialog(page: Page): Locator {
  return page.getByTestId("assign-dialog");
}

/** Opens the card's "Assign a role" dialog (unless it is open) and assigns in it. */
async function assignRole(card: Locator, role: string, catalog?: string) {
  const dialog = assignDialog(card.page());
  if (!(await dialog.isVisible())) {
    await card.getByRole("button", { name: /^Assign a role to / }).click();
  }
  await dialog.getByLabel("Role", { exact: true }).selectOption({ label: role });
  if (catalog) await dialog.getByLabel("Catalog", { exact: true }).selectOption({ label: catalog });
  await dialog.getByRole("button", { name: "Assign role" }).click();
}

// ---- check ----

async function expectSecretNowhere(page: Page, secret: string) {
  await expect(page.getByTestId("new-secret")).toHaveCount(0);
  expect(await page.content(), "the page must not hold the secret").not.toContain(secret);
}

test.describe("Apps, as the administrator", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, "admin@contoso.test");
    await openApps(page);
  });

  test("registers an app, copies its secret once and makes it an assignment manager of Marketing", async ({
    page,
    context,
  }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);

    // A missing name is said beside the field, before anything is sent.
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await expect(page.getByTestId("error-displayName")).toHaveText("Name is required.");
    await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");

    const { secret, clientId } = await register(page, "Contoso resume worker");
    expect(secret).toMatch(/^latch_[A-Za-z0-9_-]{43}$/);
    expect(clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await expect(page.getByTestId("error-displayName")).toBeEmpty();
    await page.getByRole("button", { name: "Copy client secret" }).click();
    await expect(page.getByTestId("new-secret").getByRole("status")).toHaveText(/copied to the clipboard/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const card = appCard(page, "Contoso resume worker");
    await expect(card.getByTestId("client-id")).toHaveText(clientId);
    await expect(card.getByTestId("secret-row")).toHaveCount(1);
    await expect(card.getByTestId("secret-row")).toContainText(`${secret.slice(0, 12)}…`);
    await expect(card.getByTestId("secret-status")).toHaveText("Active");
    await expect(card.getByTestId("secrets")).not.toContainText(secret);
    await expect(card.getByTestId("no-roles")).toBeVisible();

    // A catalog role needs a catalog: said beside the catalog, nothing sent.
    await assignRole(card, "Access package assignment manager");
    await expect(assignDialog(page).getByTestId("error-catalog")).toHaveText(
      "Choose the catalog where the app is Access package assignment manager.",
    );
    // The catalogs on offer narrow to those whose name starts as typed.
    await assignDialog(page).getByLabel("Find a catalog").fill("mark");
    await expect(assignDialog(page).getByLabel("Catalog", { exact: true }).locator("option")).toHaveText([
      "Choose a catalog",
      "Marketing",
    ]);
    await assignRole(card, "Access package assignment manager", "Marketing");
    await expect(page.getByTestId("apps-status")).toHaveText(
      "Assigned Access package assignment manager to “Contoso resume worker”.",
    );
    await expect(assignDialog(page)).toHaveCount(0);
    const role = appCard(page, "Contoso resume worker").getByTestId("role-row");
    await expect(role).toHaveCount(1);
    await expect(role).toContainText("Access package assignment manager");
    await expect(role).toContainText("Marketing");

    // Away and back: the assignment stays, the secret is gone.
    await mainNav(page).getByRole("link", { name: "Catalogs", exact: true }).click();
    await expect(page.getByTestId("catalog-table")).toBeVisible();
    await openApps(page);
    await expect(appCard(page, "Contoso resume worker").getByTestId("role-row")).toContainText("Marketing");
    await expectSecretNowhere(page, secret);
    await page.reload();
    await hydrated(page);
    await expect(appCard(page, "Contoso resume worker")).toBeVisible();
    await expectSecretNowhere(page, secret);
  });

  test("adds a second secret, revokes the first and removes a role", async ({ page }) => {
    const first = await register(page, "Rotating worker");
    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("new-secret")).toHaveCount(0);

    const card = appCard(page, "Rotating worker");
    await card.getByRole("button", { name: "Add secret" }).click();
    await expect(page.getByTestId("new-secret")).toContainText("Rotating worker");
    const second = (await page.getByTestId("client-secret").textContent())!.trim();
    expect(second).not.toBe(first.secret);
    await expect(card.getByTestId("secret-row")).toHaveCount(2);

    const hint = `${first.secret.slice(0, 12)}…`;
    await card.getByRole("button", { name: `Revoke secret ${hint}` }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(`Revoke the secret ${hint}?`);
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByTestId("apps-status")).toHaveText(`Revoked the secret ${hint} of “Rotating worker”.`);
    const revoked = card.locator(`[data-testid=secret-row][data-hint="${first.secret.slice(0, 12)}"]`);
    await expect(revoked.getByTestId("secret-status")).toHaveText(/^Revoked \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    await expect(revoked.getByRole("button", { name: /Revoke/ })).toHaveCount(0);

    await assignRole(card, "Identity Governance Administrator");
    const role = appCard(page, "Rotating worker").getByTestId("role-row");
    await expect(role).toContainText("Tenant");
    await appCard(page, "Rotating worker")
      .getByRole("button", { name: "Remove Identity Governance Administrator on Tenant" })
      .click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
    await expect(page.getByTestId("apps-status")).toHaveText(
      "Removed Identity Governance Administrator on Tenant from “Rotating worker”.",
    );
    await expect(appCard(page, "Rotating worker").getByTestId("no-roles")).toBeVisible();
  });

  test("lists the demo app with its role and no secret", async ({ page }) => {
    const demo = appCard(page, "Contoso SoD check");
    await expect(demo.getByTestId("client-id")).toHaveText("5e1f5e1f-0000-4000-8000-000000000001");
    await expect(demo.getByTestId("role-row")).toContainText("Access package assignment manager");
    await expect(demo.getByTestId("role-row")).toContainText("Marketing");
    expect(await page.content()).not.toContain("latch-demo-secret");
  });
});

test("a catalog owner sees no Apps link and is not permitted on /apps", async ({ page }) => {
  await signIn(page, "owner@contoso.test");
  await expect(mainNav(page).getByRole("link", { name: "Catalogs", exact: true })).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "Apps", exact: true })).toHaveCount(0);
  await page.goto("/apps");
  await hydrated(page);
  await expect(page.getByTestId("not-permitted")).toContainText(
    "to manage apps you need the Identity Governance Administrator role.",
  );
  await expect(page.getByTestId("register-app")).toHaveCount(0);
});
