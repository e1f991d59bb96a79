import { test, expect, signIn, CLOCK_URL } from "./fixtures";

// The demo's Contoso.SodCheckProcess calls the resuming sample receiver of the clock Latch;
// the justification says "hold", so the receiver stays silent and this test resumes instead.
test.use({ baseURL: CLOCK_URL });

const API = "/v1.0/identityGovernance/entitlementManagement";

test("a requestor's history follows a launch-and-wait stage as the workflow resumes it, without a reload", async ({
  page,
  request,
}) => {
  // "Marketing tools" waits at "Request is created" for Contoso.SodCheckProcess (launch and wait).
  await signIn(page, "owner@contoso.test", "/my-access");
  await page.getByRole("button", { name: "Request Marketing tools (Employees, manager approval)" }).click();
  await page.getByLabel("Justification").fill("Spring campaign, hold for the manual check");
  await page.getByRole("button", { name: "Submit request" }).click();
  await expect(page.getByTestId("my-access-status")).toContainText("Requested “Marketing tools”");

  await page.goto("/my-access/requests");
  const row = page.locator('[data-testid=request-row][data-name="Marketing tools"]');
  await expect(row.getByTestId("request-status")).toHaveText("Waiting for information before proceeding");

  // The workflow (the demo app) finds the instance and resumes it, as Contoso.SodCheckProcess would.
  const tokenResponse = await request.post("/oauth2/v2.0/token", {
    form: {
      grant_type: "client_credentials",
      client_id: "5e1f5e1f-0000-4000-8000-000000000001",
      client_secret: "latch-demo-secret",
      scope: "https://graph.microsoft.com/.default",
    },
  });
  expect(tokenResponse.ok()).toBeTruthy();
  const token = (await tokenResponse.json()).access_token as string;
  const headers = { Authorization: `Bearer ${token}` };
  const list = await (
    await request.get(`${API}/assignmentRequests?$expand=customExtensionCalloutInstances`, { headers })
  ).json();
  const waiting = list.value.find(
    (r: { status: string; justification: string }) => r.status === "WaitingForCallback" && r.justification === "Spring campaign, hold for the manual check",
  );
  const instance = waiting.customExtensionCalloutInstances[0];
  const resumed = await request.post(`${API}/assignmentRequests/${waiting.id}/resume`, {
    headers,
    data: {
      source: "Contoso.SodCheckProcess",
      type: "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
      data: {
        "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
        stage: "assignmentRequestCreated",
        customExtensionStageInstanceId: instance.id,
        customExtensionStageInstanceDetail: "No conflicting roles",
      },
    },
  });
  expect(resumed.status()).toBe(204);

  // The open page catches up by itself: the workflow let the request go on to its approver.
  await expect(row.getByTestId("request-status")).toHaveText("Process continues", { timeout: 10_000 });

  // The timeline names those steps in the same words. (Oscar also manages Marketing, so the
  // sentences naming the custom extension and its stage show under them, for troubleshooting.)
  await row.getByRole("link", { name: "Marketing tools" }).click();
  const steps = page.getByTestId("history").locator("li > strong");
  await expect(steps.filter({ hasText: /^Waiting for information before proceeding$/ })).toHaveCount(1);
  await expect(steps.filter({ hasText: /^Process continues$/ })).toHaveCount(1);
  await expect(page.getByTestId("technical")).toContainText([
    "Waiting for the custom extension at “Request is created” to resume the request",
    "Resumed by Contoso.SodCheckProcess at “Request is created”: process continues",
  ]);
});
