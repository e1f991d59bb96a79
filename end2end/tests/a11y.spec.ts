// Accessibility: axe-core scans every screen (WCAG 2.x A and AA rules plus axe's best
// practices) and fails on any serious or critical violation. Lesser findings are printed, so
// a run shows them without failing.
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "@playwright/test";
import { test, expect, signIn, hydrated, openCustomExtensions, next, editPolicy } from "./fixtures";

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const API = "/v1.0/identityGovernance/entitlementManagement";

/** Scans the page as it is now; a serious or critical violation fails the test (softly, so one
 * run lists every screen's). */
async function scan(page: Page, screen: string) {
  await hydrated(page);
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const lines = violations.map(
    (v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  console.log(`axe ${screen}: ${lines.length === 0 ? "no violations" : "\n  " + lines.join("\n  ")}`);
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect
    .soft(
      serious.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
      `${screen}: serious or critical accessibility violations`,
    )
    .toEqual([]);
}

async function as(browser: Browser, email: string, next = "/"): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email, next);
  return page;
}

test("sign-in", async ({ page }) => {
  await page.goto("/sign-in");
  await scan(page, "sign-in");
});

test("catalogs, each catalog tab and the five wizard tabs", async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page, "admin@contoso.test");
  await page.goto("/catalogs");
  await scan(page, "catalogs");
  await openCustomExtensions(page, "Marketing");
  const menu = page.getByRole("navigation", { name: "Catalog" });
  for (const tab of ["Overview", "Access packages", "Custom extensions", "Roles"]) {
    await menu.getByRole("link", { name: tab }).click();
    await expect(menu.getByRole("link", { name: tab })).toHaveAttribute("aria-current", "page");
    await scan(page, `catalog tab ${tab}`);
  }
  // A row menu open.
  await menu.getByRole("link", { name: "Custom extensions" }).click();
  await page.getByRole("button", { name: "Actions for Contoso.SodCheckProcess" }).click();
  await scan(page, "custom extensions, row menu open");

  await page.getByRole("link", { name: "Add a custom extension" }).click();
  await hydrated(page);
  await scan(page, "wizard Basics");
  await page.getByLabel("Name", { exact: true }).fill("Contoso.A11yCheck");
  await next(page, "Extension Type");
  await scan(page, "wizard Extension Type");
  await next(page, "Extension Configuration");
  await page.getByRole("radio", { name: /Launch and wait/ }).check();
  await scan(page, "wizard Extension Configuration");
  await next(page, "Details");
  await scan(page, "wizard Details (Logic App)");
  await page.getByRole("radio", { name: "HTTP endpoint" }).check();
  await page.getByText("Advanced").click();
  await scan(page, "wizard Details (HTTP endpoint, advanced)");
  await page.getByLabel("Endpoint URL").fill("not a url");
  await scan(page, "wizard Details with an error");
  await page.getByLabel("Endpoint URL").fill("https://workflows.contoso.test/a11y");
  await next(page, "Review + Create");
  await scan(page, "wizard Review + Create");
});

test("the policy editor's tabs", async ({ page }) => {
  await signIn(page, "admin@contoso.test");
  await openCustomExtensions(page, "Marketing");
  await editPolicy(page, "Employees, manager approval");
  for (const tab of ["Requests", "Approval", "Lifecycle", "Custom extensions"]) {
    await page.getByRole("tab", { name: tab }).click();
    await expect(page.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");
    await scan(page, `policy editor ${tab}`);
  }
});

test("My Access, request history and details, approvals, requests, apps, users, setup", async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(90_000);
  // Alex asks for Marketing tools; it waits for Contoso.SodCheckProcess, which the test resumes
  // as the workflow would, so the request reaches its approver.
  await signIn(page, "alex@contoso.test", "/my-access");
  await page.goto("/my-access");
  await scan(page, "My Access");
  await page.getByRole("button", { name: "Request Marketing tools (Employees, manager approval)" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await scan(page, "My Access, request dialog");
  await page.getByLabel("Justification").fill("Accessibility review of the campaign planner");
  await page.getByRole("button", { name: "Submit request" }).click();
  await expect(page.getByTestId("my-access-status")).toContainText("Requested “Marketing tools”");
  await scan(page, "My Access after a request");

  await page.goto("/my-access/requests");
  await scan(page, "request history");
  await page.locator('[data-testid=request-row][data-name="Marketing tools"]').getByRole("link").click();
  await expect(page.getByTestId("request-facts")).toBeVisible();
  await scan(page, "request details (requestor)");

  const token = await request.post("/oauth2/v2.0/token", {
    form: {
      grant_type: "client_credentials",
      client_id: "5e1f5e1f-0000-4000-8000-000000000001",
      client_secret: "latch-demo-secret",
      scope: "https://graph.microsoft.com/.default",
    },
  });
  expect(token.ok()).toBeTruthy();
  const headers = { Authorization: `Bearer ${(await token.json()).access_token}` };
  const list = await (
    await request.get(`${API}/assignmentRequests?$expand=customExtensionCalloutInstances`, { headers })
  ).json();
  const waiting = list.value.find(
    (r: { justification: string }) => r.justification === "Accessibility review of the campaign planner",
  );
  const resumed = await request.post(`${API}/assignmentRequests/${waiting.id}/resume`, {
    headers,
    data: {
      source: "Contoso.SodCheckProcess",
      type: "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
      data: {
        "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
        stage: "assignmentRequestCreated",
        customExtensionStageInstanceId: waiting.customExtensionCalloutInstances[0].id,
        customExtensionStageInstanceDetail: "No conflicting roles",
      },
    },
  });
  expect(resumed.status()).toBe(204);

  const approver = await as(browser, "approver@contoso.test", "/my-access/approvals");
  await approver.goto("/my-access/approvals");
  await expect(approver.locator("[data-testid=approval]", { hasText: "Alex Wilber" })).toBeVisible();
  await scan(approver, "approvals");
  await approver.goto("/my-access/approvals/history");
  await expect(approver.getByTestId("history-filter")).toBeVisible();
  await scan(approver, "approval history");

  const admin = await as(browser, "admin@contoso.test", "/requests");
  await admin.goto("/requests");
  await scan(admin, "requests");
  await admin.goto("/assignments");
  await expect(admin.getByTestId("assignment-filter")).toBeVisible();
  await scan(admin, "assignments");
  await admin.goto("/requests");
  await admin.locator("[data-testid=request-row]", { hasText: "Alex Wilber" }).getByRole("link").first().click();
  await expect(admin.getByTestId("instance-table")).toBeVisible();
  await scan(admin, "request details (troubleshooting view)");
  await admin.goto("/apps");
  await scan(admin, "apps");
  await admin.goto("/users");
  await scan(admin, "users");
  const add = admin.getByTestId("add-user");
  await add.getByLabel("Display name").fill("Ally Check");
  await add.getByLabel("E-mail").fill("ally.check@contoso.test");
  await add.getByRole("button", { name: "Add user" }).click();
  const link = (await admin.getByTestId("setup-link-url").textContent())!.trim();
  await scan(admin, "users, setup link shown");

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(link);
  await expect(visitor.getByTestId("setup-form")).toBeVisible();
  await scan(visitor, "setup");
});

test("at 360 pixels: sign-in, My Access and its request dialog, history, custom extensions, a policy", async ({
  page,
}) => {
  test.setTimeout(60_000);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/sign-in");
  await scan(page, "360 px sign-in");
  await signIn(page, "adele@contoso.test", "/my-access");
  await scan(page, "360 px My Access");
  await page.getByRole("button", { name: /^Request / }).first().click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await scan(page, "360 px request dialog");
  await page.keyboard.press("Escape");
  await page.goto("/my-access/requests");
  await scan(page, "360 px request history");

  await page.context().clearCookies();
  await signIn(page, "admin@contoso.test");
  await openCustomExtensions(page, "Marketing");
  await page.getByRole("button", { name: "Actions for Contoso.SodCheckProcess" }).click();
  await scan(page, "360 px custom extensions, row menu open");
  await editPolicy(page, "Employees, manager approval");
  await scan(page, "360 px policy editor");
});
