import { test, expect, signIn, openCustomExtensions, row, rowAction, next, hydrated } from "./fixtures";

test.describe("Catalog → Custom extensions, as the administrator", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, "admin@contoso.test");
    await openCustomExtensions(page, "Marketing");
  });

  test("adds a launch-and-wait request workflow through all five tabs", async ({ page }) => {
    await page.getByRole("link", { name: "Add a custom extension" }).click();
    await hydrated(page);
    await expect(page.getByRole("tab", { name: "Basics" })).toHaveAttribute("aria-selected", "true");

    await page.getByLabel("Name", { exact: true }).fill("Contoso.AccessReview");
    await page.getByLabel("Description").fill("Reviews every request before approval");
    await next(page, "Extension Type");

    await page.getByRole("radio", { name: /Request workflow/ }).check();
    await next(page, "Extension Configuration");

    await page.getByRole("radio", { name: /Launch and wait/ }).check();
    await page.getByLabel("Response timeout", { exact: true }).fill("2");
    await page.getByLabel("Response timeout unit").selectOption("hours");
    await next(page, "Details");

    await page.getByLabel("Subscription id").fill("3f2e1d0c-8b7a-4c5d-9e6f-1a2b3c4d5e6f");
    await page.getByLabel("Resource group").fill("contoso-governance");
    await page.getByLabel("Logic App workflow name").fill("Contoso.AccessReview");
    await page.getByLabel("Trigger URL").fill("https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=s3cret");
    await next(page, "Review + Create");

    const review = page.getByTestId("review");
    await expect(review).toContainText("Contoso.AccessReview");
    await expect(review).toContainText("Launch and wait, response timeout 2 hours");
    await expect(review).toContainText("Proof-of-possession (PoP)");
    await page.getByRole("button", { name: "Create" }).click();

    await expect(page.getByTestId("signing-secret")).toHaveText(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await page.getByRole("link", { name: "Done" }).click();

    const created = row(page, "Contoso.AccessReview");
    await expect(created.getByTestId("type")).toHaveText("Assignment request");
    await expect(created.getByTestId("token-security")).toHaveText("Proof-of-possession (PoP)");
    await expect(created).toContainText("Reviews every request before approval");
    // The trigger URL's signature is a secret: never in the table.
    await expect(page.getByTestId("extension-table")).not.toContainText("s3cret");
  });

  test("shows a wizard error beside its field before anything is sent", async ({ page }) => {
    await page.getByRole("link", { name: "Add a custom extension" }).click();
    await hydrated(page);
    await page.getByLabel("Name", { exact: true }).fill("Too long");
    await next(page, "Extension Type");
    await next(page, "Extension Configuration");

    await page.getByRole("radio", { name: /Launch and wait/ }).check();
    await page.getByLabel("Response timeout", { exact: true }).fill("20");
    await page.getByLabel("Response timeout unit").selectOption("days");
    await expect(page.getByTestId("error-timeoutAmount")).toHaveText(/14 days/);
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByRole("tab", { name: "Extension Configuration" })).toHaveAttribute("aria-selected", "true");
    await page.getByLabel("Response timeout", { exact: true }).fill("14");
    await expect(page.getByTestId("error-timeoutAmount")).toBeEmpty();
    await next(page, "Details");

    // 114 characters of path around the names: a 37-character workflow name makes 151.
    await page.getByLabel("Subscription id").fill("3f2e1d0c-8b7a-4c5d-9e6f-1a2b3c4d5e6f");
    await page.getByLabel("Resource group").fill("governance");
    await page.getByLabel("Logic App workflow name").fill("w".repeat(37));
    await expect(page.getByTestId("error-logicAppWorkflowName")).toHaveText(
      "Resource path is 151 characters; the limit is 150.",
    );
    await page.getByLabel("Logic App workflow name").fill("w".repeat(36));
    await expect(page.getByTestId("error-logicAppWorkflowName")).toBeEmpty();
  });

  test("edits an extension's description", async ({ page }) => {
    await rowAction(page, "Welcome mail", "Edit");
    await hydrated(page);
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Welcome mail");
    await page.getByLabel("Description").fill("Sends a welcome e-mail and a team invite");
    await page.getByRole("tab", { name: "Review + Create" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(row(page, "Welcome mail")).toContainText("Sends a welcome e-mail and a team invite");
  });

  test("refuses to delete an extension that a policy uses, naming the policy", async ({ page }) => {
    await rowAction(page, "Contoso.SodCheckProcess", "Delete");
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Delete" }).click();
    await expect(dialog.getByTestId("dialog-error")).toHaveText(
      "“Contoso.SodCheckProcess” can't be deleted while policies use it: “Employees, manager approval” (Request is created). Remove it from those policies first.",
    );
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(row(page, "Contoso.SodCheckProcess")).toBeVisible();
  });

  test("converts the legacy extension that no policy uses", async ({ page }) => {
    const legacy = row(page, "Legacy audit hook");
    await expect(legacy.getByTestId("type")).toHaveText("Custom access package");
    await expect(legacy.getByTestId("token-security")).toHaveText("Regular");
    await rowAction(page, "Legacy audit hook", "Update to new extension type");
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("radio", { name: /Request workflow/ }).check();
    await dialog.getByRole("button", { name: "Update" }).click();
    await expect(page.getByTestId("tab-status")).toHaveText("“Legacy audit hook” is now of type Assignment request.");
    await expect(legacy.getByTestId("type")).toHaveText("Assignment request");
    await expect(legacy.getByTestId("token-security")).toHaveText("Proof-of-possession (PoP)");
  });

  test("rotates a signing secret and shows the new one once", async ({ page }) => {
    await rowAction(page, "Expiry reminder", "Rotate signing secret");
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Rotate" }).click();
    await expect(dialog.getByTestId("signing-secret")).toHaveText(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const secret = (await dialog.getByTestId("signing-secret").textContent())!.trim();
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("tab-status")).toHaveText("Rotated the signing secret of “Expiry reminder”.");
    await expect(page.locator("body")).not.toContainText(secret);
  });

  test("explains why the legacy extension used by both kinds of stage can't be converted", async ({ page }) => {
    await rowAction(page, "Legacy provisioning", "Update to new extension type");
    const reason = page.getByRole("dialog").getByTestId("dialog-error");
    await expect(reason).toContainText("All employees");
    await expect(reason).toContainText("Assignment is granted");
    await expect(reason).toContainText("Employees, manager approval");
    await expect(reason).toContainText("1 day before assignment expiry");
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await expect(row(page, "Legacy provisioning").getByTestId("type")).toHaveText("Custom access package");
  });
});

test("a requestor is refused the Custom extensions tab", async ({ page, browser }) => {
  // The admin finds the tab's address; the requestor then opens it directly.
  const admin = await browser.newPage();
  await signIn(admin, "admin@contoso.test");
  await openCustomExtensions(admin, "Marketing");
  const address = new URL(admin.url()).pathname;
  await admin.close();

  await signIn(page, "adele@contoso.test");
  await page.goto(address);
  await hydrated(page);
  await expect(page.getByTestId("not-permitted").first()).toBeVisible();
  await expect(page.getByTestId("extension-table")).toHaveCount(0);
  await expect(page.getByText("Contoso.SodCheckProcess")).toHaveCount(0);
});

test("a package manager sees the extensions but no way to change them", async ({ page }) => {
  await signIn(page, "manager@contoso.test");
  await openCustomExtensions(page, "Marketing");
  await expect(row(page, "Contoso.SodCheckProcess")).toBeVisible();
  await expect(page.getByRole("link", { name: "Add a custom extension" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Actions for/ })).toHaveCount(0);
});
