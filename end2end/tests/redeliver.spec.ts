// Redeliver: a launch-and-continue callout fails because its endpoint is wrong; the admin
// fixes the endpoint and sends the callout again from the request's troubleshooting view.
import { test, expect, signIn, openCustomExtensions, hydrated, next, row, rowAction, requestPackage, editPolicy } from "./fixtures";

const RECEIVER = "http://127.0.0.1:7171";

test("an admin fixes a failing endpoint and redelivers the callout from the request details", async ({
  page,
  browser,
  request,
}) => {
  // An extension whose endpoint nothing listens on, without retries, called at "Assignment is
  // granted" of "All employees".
  await signIn(page, "admin@contoso.test");
  await openCustomExtensions(page, "Marketing");
  await page.getByRole("link", { name: "Add a custom extension" }).click();
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Contoso.Flaky");
  await next(page, "Extension Type");
  await next(page, "Extension Configuration");
  await next(page, "Details");
  await page.getByRole("radio", { name: "HTTP endpoint" }).check();
  await page.getByLabel("Endpoint URL").fill("http://127.0.0.1:9/flaky");
  await page.getByText("Advanced").click();
  await page.getByLabel("Maximum retries (0 to 5)").fill("0");
  await next(page, "Review + Create");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("link", { name: "Done" }).click();
  await editPolicy(page, "All employees");
  await page.getByRole("tab", { name: "Custom extensions" }).click();
  const rule = page.getByRole("group", { name: "Rule 1" });
  await rule.getByLabel("Stage").selectOption({ label: "Assignment is granted" });
  await rule.getByLabel("Custom extension").selectOption({ label: "Contoso.Flaky" });
  await page.getByRole("button", { name: "Update" }).click();
  await expect(page.getByTestId("policy-status")).toHaveText("Policy updated.");

  // Adele gets Campaign analytics at once; the callout about it fails.
  const adele = await (await browser.newContext()).newPage();
  await signIn(adele, "adele@contoso.test", "/my-access");
  await requestPackage(adele, "Campaign analytics (All employees)", "Quarterly numbers");

  await page.goto("/requests");
  await hydrated(page);
  await page.locator('[data-testid=request-row][data-name="Campaign analytics"]', { hasText: "Adele Vance" }).getByRole("link").click();
  const instance = page.locator("[data-testid=instance-row]", { hasText: "Contoso.Flaky" });
  await expect(instance.getByTestId("instance-status")).toHaveText("calloutFailed");
  await expect(instance.getByTestId("attempts")).toContainText("no answer");
  const details = page.url();

  // The admin points the extension at the real workflow, then sends the callout again.
  await openCustomExtensions(page, "Marketing");
  await rowAction(page, "Contoso.Flaky", "Edit");
  await hydrated(page);
  await page.getByRole("tab", { name: "Details" }).click();
  await page.getByLabel("Endpoint URL").fill(`${RECEIVER}/flaky`);
  await page.getByRole("tab", { name: "Review + Create" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(row(page, "Contoso.Flaky")).toBeVisible();

  await page.goto(details);
  await hydrated(page);
  await instance.getByRole("button", { name: "Redeliver" }).click();
  await expect(page.getByTestId("redeliver-status")).toHaveText("Callout queued for redelivery.");
  await expect(instance.getByTestId("instance-status")).toHaveText("calloutSent", { timeout: 15_000 });
  await expect(instance.getByTestId("attempts")).toContainText("HTTP 202");
  await expect(instance.getByRole("button", { name: "Redeliver" })).toHaveCount(0);
  await expect(page.getByTestId("history")).toContainText("Custom extension at “Assignment is granted” sent again · Megan Bowen");

  // The workflow got the granted-stage callout once (the other call to it was the connection
  // test that saving the new endpoint ran).
  const received: { path: string; stage: string }[] = await (await request.get(`${RECEIVER}/_receiver/callouts`)).json();
  const granted = received.filter((c) => c.path === "/flaky" && c.stage === "assignmentRequestGranted");
  expect(granted).toHaveLength(1);
});
