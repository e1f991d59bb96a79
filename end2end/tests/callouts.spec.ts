import { test, expect, signIn, openCustomExtensions, hydrated, next, editPolicy } from "./fixtures";

const RECEIVER = "http://127.0.0.1:7171";

type Received = { stage: string; verified: boolean; signature: string; token: string; requestId: string };

/** What the sample receiver got for the request stages (not the connection tests). */
async function stageCallouts(request: import("@playwright/test").APIRequestContext): Promise<Received[]> {
  const response = await request.get(`${RECEIVER}/_receiver/callouts`);
  const all: Received[] = await response.json();
  return all.filter((c) => c.stage.startsWith("assignmentRequest"));
}

test("a policy's custom extensions fire signed callouts as a request is approved and delivered", async ({
  page,
  browser,
  request,
}) => {
  // The admin adds an extension that calls the sample receiver and gives the receiver its secret.
  await signIn(page, "admin@contoso.test");
  await openCustomExtensions(page, "Engineering");
  await page.getByRole("link", { name: "Add a custom extension" }).click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Contoso.Onboarding");
  await next(page, "Extension Type");
  await next(page, "Extension Configuration");
  await next(page, "Details");
  await page.getByRole("radio", { name: "HTTP endpoint" }).check();
  await page.getByLabel("Endpoint URL").fill(`${RECEIVER}/onboarding`);
  await next(page, "Review + Create");
  await page.getByRole("button", { name: "Create" }).click();
  const secret = (await page.getByTestId("signing-secret").textContent())!.trim();
  const registered = await request.post(`${RECEIVER}/_receiver/secrets`, { data: { secret } });
  expect(registered.ok()).toBeTruthy();
  await page.getByRole("link", { name: "Done" }).click();

  // It maps "Request is created" and "Assignment is granted" on a policy that needs approval.
  await editPolicy(page, "Engineers, 7 days");
  await page.getByRole("tab", { name: "Approval" }).click();
  await page.getByRole("group", { name: "Require approval" }).getByLabel("Yes").check();
  await page.getByRole("group", { name: "Approvers" }).getByLabel("Alan Steiner").check();
  await page.getByRole("tab", { name: "Custom extensions" }).click();
  const first = page.getByRole("group", { name: "Rule 1" });
  await first.getByLabel("Stage").selectOption({ label: "Assignment is granted" });
  await first.getByLabel("Custom extension").selectOption({ label: "Contoso.Onboarding" });
  await page.getByRole("button", { name: "Add rule" }).click();
  const second = page.getByRole("group", { name: "Rule 2" });
  await second.getByLabel("Stage").selectOption({ label: "Request is created" });
  await second.getByLabel("Custom extension").selectOption({ label: "Contoso.Onboarding" });
  await page.getByRole("button", { name: "Update" }).click();
  await expect(page.getByTestId("policy-status")).toHaveText("Policy updated.");

  // A requestor asks for it.
  const adele = await (await browser.newContext()).newPage();
  await signIn(adele, "adele@contoso.test", "/my-access");
  await adele.getByRole("button", { name: "Request Build servers (Engineers, 7 days)" }).click();
  await adele.getByLabel("Justification").fill("On call next week");
  await adele.getByRole("button", { name: "Submit request" }).click();
  await expect(adele.getByTestId("my-access-status")).toContainText("Requested “Build servers”");

  // The approver approves.
  const approver = await (await browser.newContext()).newPage();
  await signIn(approver, "approver@contoso.test", "/my-access/approvals");
  const card = approver.locator('[data-testid=approval][data-package="Build servers"]');
  await expect(card).toContainText("On call next week");
  await card.getByLabel("Reason").fill("Rota confirmed");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(approver.getByTestId("approvals-status")).toHaveText("Approved Build servers for Adele Vance.");

  // The requestor's history says Delivered.
  await adele.goto("/my-access/requests");
  const row = adele.locator('[data-testid=request-row][data-name="Build servers"]');
  await expect(row.getByTestId("request-status")).toHaveText("Delivered");

  // The receiver got two verified callouts: request created, then assignment granted.
  await expect
    .poll(async () => (await stageCallouts(request)).map((c) => `${c.stage}:${c.verified}`).sort(), { timeout: 15_000 })
    .toEqual(["assignmentRequestCreated:true", "assignmentRequestGranted:true"]);

  // The admin sees both instances with their status and attempts.
  await page.goto("/requests");
  await hydrated(page);
  await page.locator('[data-testid=request-row][data-name="Build servers"]').getByRole("link").click();
  const instances = page.getByTestId("instance-row");
  await expect(instances).toHaveCount(2);
  for (const stage of ["Request is created", "Assignment is granted"]) {
    const instance = page.locator(`[data-testid=instance-row][data-stage="${stage}"]`);
    await expect(instance.getByTestId("instance-status")).toHaveText("calloutSent");
    await expect(instance.getByTestId("attempts")).toContainText("HTTP 202");
    await expect(instance).toContainText("Contoso.Onboarding");
  }
});
