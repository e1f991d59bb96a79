// Launch and wait against the real sample receiver, which resumes each waiting callout by
// itself (after 4 s, as the demo app): it approves, denies when the justification says
// "conflict", and stays silent on "hold". These run on the Latch with the controllable clock.
import type { Browser, Page } from "@playwright/test";
import { test, expect, signIn, hydrated, requestPackage, advanceClock, CLOCK_URL } from "./fixtures";

test.use({ baseURL: CLOCK_URL });
test.describe.configure({ mode: "serial" });

const PACKAGE = "Marketing tools (Employees, manager approval)";
const WAITING = "Waiting for information before proceeding";

async function as(browser: Browser, email: string, next: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: CLOCK_URL })).newPage();
  await signIn(page, email, next);
  return page;
}

/** The requestor's own history row for Marketing tools (each requestor here has one). */
function historyRow(page: Page) {
  return page.locator('[data-testid=request-row][data-name="Marketing tools"]').getByTestId("request-status");
}

/** Opens the request of `person` from the managers' request list. */
async function openAsAdmin(page: Page, person: string) {
  await page.goto("/requests");
  await hydrated(page);
  await page.locator("[data-testid=request-row]", { hasText: person }).getByRole("link", { name: "Marketing tools" }).click();
  await expect(page.getByTestId("request-facts")).toBeVisible();
}

test("the workflow lets the request continue: the requestor sees it move on, the approver sees its detail", async ({
  page,
  browser,
}) => {
  await signIn(page, "alex@contoso.test", "/my-access");
  await requestPackage(page, PACKAGE, "Spring campaign");
  await page.goto("/my-access/requests");
  await expect(historyRow(page)).toHaveText(WAITING);
  // No reload: the page follows the receiver's resume by itself.
  await expect(historyRow(page)).toHaveText("Process continues", { timeout: 15_000 });

  const approver = await as(browser, "approver@contoso.test", "/my-access/approvals");
  const card = approver.locator("[data-testid=approval]", { hasText: "Alex Wilber" });
  await expect(card.getByTestId("workflow-details")).toContainText("no conflicting roles");
  await expect(card.getByTestId("workflow-details")).toContainText("Latch sample receiver");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(approver.getByTestId("approvals-status")).toHaveText("Approved Marketing tools for Alex Wilber.");

  await expect(historyRow(page)).toHaveText("Delivered", { timeout: 15_000 });
});

test("the workflow denies: the request ends denied and approver and admin see why", async ({ page, browser }) => {
  await signIn(page, "adele@contoso.test", "/my-access");
  await requestPackage(page, PACKAGE, "Conflict with my finance role, I know");
  await page.goto("/my-access/requests");
  await expect(historyRow(page)).toHaveText("Request denied", { timeout: 15_000 });

  const approver = await as(browser, "approver@contoso.test", "/my-access/approvals/history");
  await approver.locator("[data-testid=request-row]", { hasText: "Adele Vance" }).getByRole("link").click();
  await expect(approver.getByTestId("workflow-details")).toContainText("conflict");

  // The admin's troubleshooting view: every step, and the instance with its attempt.
  const admin = await as(browser, "admin@contoso.test", "/requests");
  await openAsAdmin(admin, "Adele Vance");
  await expect(admin.getByTestId("request-status")).toHaveText("Request denied");
  const history = admin.getByTestId("history");
  await expect(history).toContainText("Request submitted");
  await expect(history).toContainText("Waiting for the custom extension at “Request is created” to resume the request");
  await expect(history).toContainText("Custom extension called at “Request is created”");
  await expect(history).toContainText("Resumed by Latch sample receiver at “Request is created”: request denied");
  const instance = admin.locator("[data-testid=instance-row]", { hasText: "Contoso.SodCheckProcess" });
  await expect(instance.getByTestId("instance-status")).toHaveText("callbackReceived");
  await expect(instance).toContainText("conflict");
  await expect(instance.getByTestId("attempts")).toContainText("HTTP 202");
});

test("the workflow stays silent: when the wait times out the requestor sees Process expired", async ({
  page,
  browser,
  request,
}) => {
  await signIn(page, "manager@contoso.test", "/my-access");
  await requestPackage(page, PACKAGE, "Please hold until the audit is done");
  await page.goto("/my-access/requests");
  await expect(historyRow(page)).toHaveText(WAITING);

  // The extension waits one hour; the clock moves past it and the open page catches up.
  await advanceClock(request, "PT61M");
  await expect(historyRow(page)).toHaveText("Process expired", { timeout: 15_000 });

  const admin = await as(browser, "admin@contoso.test", "/requests");
  await openAsAdmin(admin, "Miriam Graham");
  const instance = admin.locator("[data-testid=instance-row]", { hasText: "Contoso.SodCheckProcess" });
  await expect(instance.getByTestId("instance-status")).toHaveText("callbackTimedOut");
  await expect(admin.getByTestId("history")).toContainText("Process expired");
});
