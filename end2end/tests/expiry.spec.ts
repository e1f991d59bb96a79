// Time-bound access on the Latch with the controllable clock: the admin maps both
// pre-expiration stages, a requestor gets 30 days of access, and the clock moves 16 days, 13
// more and 1 more. The sample receiver gets the 14-day and 1-day callouts and then the removal.
// This file runs last (its own project in playwright.config.ts): after a month on Latch's
// clock, callouts look stale to the receiver's wall clock.
import type { APIRequestContext } from "@playwright/test";
import { test, expect, signIn, hydrated, requestPackage, advanceClock, CLOCK_URL, editPolicy } from "./fixtures";

test.use({ baseURL: CLOCK_URL });

const RECEIVER = "http://127.0.0.1:7071";
const PACKAGE = "Campaign analytics";

type Received = { stage: string; body: { AccessPackage?: { DisplayName?: string } } };

/** The stages of the callouts about Campaign analytics, oldest first. */
async function stagesFor(request: APIRequestContext): Promise<string[]> {
  const all: Received[] = await (await request.get(`${RECEIVER}/_receiver/callouts`)).json();
  return all.filter((c) => c.body?.AccessPackage?.DisplayName === PACKAGE).map((c) => c.stage);
}

test("pre-expiration callouts fire 14 days and 1 day before a 30-day assignment ends, then it is removed", async ({
  page,
  browser,
  request,
}) => {
  // The admin gives "All employees" 30 days and maps the two pre-expiration stages and removal.
  await signIn(page, "admin@contoso.test", "/catalogs");
  await page.getByRole("link", { name: "Marketing", exact: true }).click();
  await editPolicy(page, "All employees");
  await page.getByRole("tab", { name: "Lifecycle" }).click();
  await page.getByLabel("After a number of days").check();
  await page.getByLabel("Number of days (1 to 3650)").fill("7");
  await page.getByRole("tab", { name: "Custom extensions" }).click();
  const rules: [string, string][] = [
    ["14 days before assignment expiry", "Expiry reminder"],
    ["1 day before assignment expiry", "Expiry reminder"],
    ["Assignment is removed", "Welcome mail"],
  ];
  for (const [stage, extension] of rules) {
    await page.getByRole("button", { name: "Add rule" }).click();
    const rule = page.getByRole("group", { name: /^Rule \d+$/ }).last();
    await rule.getByLabel("Stage").selectOption({ label: stage });
    await rule.getByLabel("Custom extension").selectOption({ label: extension });
  }
  // Seven days is too short for the 14-day callout, and the editor says so before saving.
  await expect(page.getByTestId("fourteen-day-warning")).toContainText("the 14-day callout never fires");
  await page.getByRole("tab", { name: "Lifecycle" }).click();
  await page.getByLabel("Number of days (1 to 3650)").fill("30");
  await expect(page.getByTestId("fourteen-day-warning")).toHaveCount(0);
  await page.getByRole("button", { name: "Update" }).click();
  await expect(page.getByTestId("policy-status")).toHaveText("Policy updated.");

  // A requestor gets 30 days of access at once (no approval).
  const alex = await (await browser.newContext({ baseURL: CLOCK_URL })).newPage();
  await signIn(alex, "alex@contoso.test", "/my-access");
  await requestPackage(alex, `${PACKAGE} (All employees)`, "Quarterly report");
  await alex.goto("/my-access");
  const access = alex.locator(`[data-testid=assignment-row][data-name="${PACKAGE}"]`);
  await expect(access.getByTestId("assignment-state")).toHaveText("delivered");
  await expect(access.getByTestId("assignment-expires")).toContainText(/(29|30) days left/);

  await advanceClock(request, "P16D");
  await expect.poll(() => stagesFor(request)).toContain("assignmentFourteenDaysBeforeExpiration");
  // Sixteen days on, the 8-hour session has long ended: Alex signs in again.
  await signIn(alex, "alex@contoso.test", "/my-access");
  await expect(access.getByTestId("assignment-expires")).toContainText(/1[34] days left/);

  await advanceClock(request, "P13D");
  await expect.poll(() => stagesFor(request)).toContain("assignmentOneDayBeforeExpiration");
  expect(await stagesFor(request)).not.toContain("assignmentRequestRemoved");

  await advanceClock(request, "P1D");
  await expect.poll(() => stagesFor(request)).toContain("assignmentRequestRemoved");
  const stages = await stagesFor(request);
  expect(stages.filter((s) => s === "assignmentFourteenDaysBeforeExpiration")).toHaveLength(1);
  expect(stages.filter((s) => s === "assignmentOneDayBeforeExpiration")).toHaveLength(1);
  await signIn(alex, "alex@contoso.test", "/my-access");
  await expect(access.getByTestId("assignment-state")).toHaveText("expired");
});
