// Issue 16: the managers' Requests page among 2,000 requests. Half are for "Marketing tools",
// whose workflow is told to hold ("hold" in the justification) and so never resumes: once the
// clock has passed their wait, they show "Process expired". An administrator finds one
// person's request by part of their e-mail, filters to "Process expired", pages forward and
// back, opens a request and returns with Back to the same page and filter; then pages the
// assignments and finds one person's, and pages the Users list. Then the lists in name order:
// 55 more catalogs and 60 access packages in one of them, made through the REST API by an app
// the administrator registers on the Apps page.
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { hydrated, PASSWORD, test } from "./fixtures";

const LISTS = "http://127.0.0.1:3214";
const API = `${LISTS}/v1.0/identityGovernance/entitlementManagement`;
const PEOPLE = 1000;

/** Runs `work` for 0..n, `atOnce` at a time. */
async function inBatches(n: number, atOnce: number, work: (i: number) => Promise<void>) {
  for (let start = 0; start < n; start += atOnce) {
    const batch = [];
    for (let i = start; i < Math.min(n, start + atOnce); i++) batch.push(work(i));
    await Promise.all(batch);
  }
}

const number = (i: number) => String(i).padStart(4, "0");

/** A token of an app (by default the demo app, an assignment manager of Marketing), by
 * client credentials. */
async function token(
  request: APIRequestContext,
  clientId = "5e1f5e1f-0000-4000-8000-000000000001",
  secret = "latch-demo-secret",
): Promise<string> {
  const answer = await request.post(`${LISTS}/oauth2/v2.0/token`, {
    form: {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: secret,
      scope: "https://graph.microsoft.com/.default",
    },
  });
  expect(answer.ok(), await answer.text()).toBeTruthy();
  return (await answer.json()).access_token;
}

/** (policy id, package id) of a demo policy, by name. */
async function policy(request: APIRequestContext, bearer: string, name: string): Promise<[string, string]> {
  const answer = await request.get(`${API}/assignmentPolicies?$expand=accessPackage`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  expect(answer.ok(), await answer.text()).toBeTruthy();
  const found = (await answer.json()).value.find((p: { displayName: string }) => p.displayName === name);
  expect(found, name).toBeTruthy();
  return [found.id, found.accessPackage.id];
}

/** PEOPLE new people through SCIM, each with one request for each of the two packages. */
async function seed(request: APIRequestContext) {
  const scim = { authorization: "Bearer 5e1f5e1f-0000-4000-8000-000000000002:latch-demo-secret" };
  const bearer = await token(request);
  const held = await policy(request, bearer, "Employees, manager approval");
  const open = await policy(request, bearer, "All employees");
  // Provisioning a few at a time: a credential check counts as a failure until it has
  // passed, so more than the free failures at once would be held back (docs/decisions.md).
  const ids: string[] = [];
  await inBatches(PEOPLE, 4, async (i) => {
    const mail = `list-${number(i)}@contoso.test`;
    const made = await request.post(`${LISTS}/scim/v2/Users`, {
      headers: scim,
      data: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: mail,
        displayName: `List Person ${number(i)}`,
        active: true,
      },
    });
    expect(made.status(), await made.text()).toBe(201);
    ids[i] = (await made.json()).id;
  });
  await inBatches(PEOPLE, 16, async (i) => {
    for (const [policyId, packageId] of [held, open]) {
      const asked = await request.post(`${API}/assignmentRequests`, {
        headers: { authorization: `Bearer ${bearer}` },
        data: {
          requestType: "adminAdd",
          assignment: { targetId: ids[i], assignmentPolicyId: policyId, accessPackageId: packageId },
          justification: "hold",
        },
      });
      expect(asked.status(), await asked.text()).toBe(201);
    }
  });
  // Past every wait of the held workflow: those requests expire.
  const moved = await request.post(`${LISTS}/_test/clock/advance`, { data: { by: "P2D" } });
  expect(moved.ok(), await moved.text()).toBeTruthy();
}

async function signInHere(page: Page) {
  await page.goto(`${LISTS}/sign-in?next=${encodeURIComponent("/requests")}`);
  await page.getByLabel("E-mail address").fill("admin@contoso.test");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("request-filter")).toBeVisible();
  await hydrated(page);
}

const rows = (page: Page) => page.getByTestId("request-row");

test("among 2,000 requests an administrator finds, filters and pages, and Back returns there", async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  await seed(request);
  await signInHere(page);
  await expect(rows(page)).toHaveCount(50);

  // One person, by part of their e-mail address: their two requests.
  await page.getByLabel("Person (name or e-mail)").fill("list-0777@");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/person=list-0777%40/);
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).first()).toContainText("List Person 0777");

  // Every expired request: 1,000, fifty a page.
  await page.goto(`${LISTS}/requests`);
  await page.getByLabel("Show").selectOption({ label: "Process expired" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/show=expired/);
  await expect(rows(page)).toHaveCount(50);
  await expect(page.getByTestId("request-status").first()).toContainText("Process expired");
  const first = await rows(page).allTextContents();

  await page.getByRole("link", { name: "Older" }).click();
  await expect(page).toHaveURL(/show=expired&after=/);
  await expect(rows(page)).toHaveCount(50);
  const second = await rows(page).allTextContents();
  expect(second).not.toEqual(first);
  await page.getByRole("link", { name: "Older" }).click();
  await expect(rows(page)).toHaveCount(50);
  const third = await rows(page).allTextContents();
  await page.getByRole("link", { name: "Newer" }).click();
  await expect(page).toHaveURL(/show=expired&before=/);
  expect(await rows(page).allTextContents()).toEqual(second);
  const here = page.url();

  // A request's details, then Back: the same page of the same filter.
  await rows(page).nth(3).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await page.goBack();
  await expect(page).toHaveURL(here);
  await expect(page.getByLabel("Show")).toHaveValue("expired");
  expect(await rows(page).allTextContents()).toEqual(second);
  expect(third).not.toEqual(second);

  // The assignments of those people, fifty a page, and one person's.
  const held = (page: Page) => page.getByTestId("assignment-row");
  await page.goto(`${LISTS}/assignments`);
  await expect(held(page)).toHaveCount(50);
  const newest = await held(page).allTextContents();
  await page.getByRole("link", { name: "Older" }).click();
  await expect(page).toHaveURL(/\/assignments\?after=/);
  await expect(held(page)).toHaveCount(50);
  expect(await held(page).allTextContents()).not.toEqual(newest);
  await page.getByLabel("Person (name or e-mail)").fill("List Person 0123");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/person=List\+Person\+0123/);
  await expect(held(page)).toHaveCount(1);
  await expect(held(page)).toContainText("List Person 0123");

  // The directory: the thousand people by name, fifty a page, by key.
  await page.goto(`${LISTS}/users?q=List%20Person`);
  const people = page.getByTestId("user-row");
  await expect(people).toHaveCount(50);
  await expect(page.getByTestId("users-range")).toHaveText("1000 people");
  await expect(people.first()).toHaveAttribute("data-email", "list-0000@contoso.test");
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(people.first()).toHaveAttribute("data-email", "list-0050@contoso.test");
  await page.getByRole("link", { name: "Previous" }).click();
  await expect(page).toHaveURL(/before=/);
  await expect(people.first()).toHaveAttribute("data-email", "list-0000@contoso.test");
  await expect(people).toHaveCount(50);
});

/** Registers an app on the Apps page, makes it an Identity Governance Administrator and
 * returns a token of it. */
async function adminApp(page: Page): Promise<string> {
  await page.goto(`${LISTS}/apps`);
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Lists seeder");
  await page.getByRole("button", { name: "Register", exact: true }).click();
  await expect(page.getByTestId("new-secret")).toContainText("Lists seeder");
  const secret = (await page.getByTestId("client-secret").textContent())!.trim();
  const clientId = (await page.getByTestId("new-client-id").textContent())!.trim();
  const card = page.locator(`[data-testid=app][data-name="Lists seeder"]`);
  await card.getByRole("button", { name: "Assign a role to Lists seeder" }).click();
  const dialog = page.getByTestId("assign-dialog");
  await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Identity Governance Administrator" });
  await dialog.getByRole("button", { name: "Assign role" }).click();
  await expect(card.getByTestId("role-row")).toContainText("Identity Governance Administrator");
  return token(page.request, clientId, secret);
}

test("catalogs and a catalog's access packages page by name, and a name start finds them", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await signInHere(page);
  const bearer = await adminApp(page);
  const headers = { authorization: `Bearer ${bearer}` };
  const catalogIds: string[] = [];
  await inBatches(55, 8, async (i) => {
    const made = await request.post(`${API}/catalogs`, {
      headers,
      data: { displayName: `Paged catalog ${String(i).padStart(2, "0")}` },
    });
    expect(made.status(), await made.text()).toBe(201);
    catalogIds[i] = (await made.json()).id;
  });
  await inBatches(60, 8, async (i) => {
    const made = await request.post(`${API}/accessPackages`, {
      headers,
      data: { displayName: `Package ${String(i).padStart(2, "0")}`, catalogId: catalogIds[0] },
    });
    expect(made.status(), await made.text()).toBe(201);
  });

  // Every catalog, fifty a page, with how many there are.
  const catalogs = page.getByTestId("catalog-table").locator("tbody tr");
  await page.goto(`${LISTS}/catalogs`);
  await expect(catalogs).toHaveCount(50);
  const count = await page.getByTestId("catalogs-count").textContent();
  const total = Number(/^(\d+) catalogs$/.exec(count!.trim())![1]);
  expect(total).toBeGreaterThanOrEqual(57);
  const names = () => catalogs.getByRole("link").allTextContents();
  const firstPage = await names();
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/\/catalogs\?after=/);
  await expect(catalogs).toHaveCount(Math.min(50, total - 50));
  await page.getByRole("link", { name: "Previous" }).click();
  await expect(page).toHaveURL(/\/catalogs\?before=/);
  await expect(catalogs).toHaveCount(50);
  expect(await names()).toEqual(firstPage);

  // By the start of a name, in any case: ten of them, one page.
  await page.getByLabel("Name starts with").fill("paged CATALOG 1");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/name=paged\+CATALOG\+1/);
  await expect(catalogs).toHaveCount(10);
  await expect(catalogs.first()).toContainText("Paged catalog 10");
  await expect(page.getByTestId("catalogs-pager")).toHaveCount(0);

  // One catalog's sixty packages: fifty, then ten, and Back returns to the first fifty.
  await page.goto(`${LISTS}/catalogs?name=Paged%20catalog%2000`);
  await page.getByRole("link", { name: "Paged catalog 00" }).click();
  await page.getByRole("navigation", { name: "Catalog" }).getByRole("link", { name: "Access packages" }).click();
  const packages = page.getByTestId("package-row");
  await expect(packages).toHaveCount(50);
  await expect(page.getByTestId("access-packages-count")).toHaveText("60 access packages");
  await expect(packages.first()).toHaveAttribute("data-name", "Package 00");
  const first = page.url();
  await page.getByRole("link", { name: "Next" }).click();
  await expect(packages).toHaveCount(10);
  await expect(packages.first()).toHaveAttribute("data-name", "Package 50");
  await page.goBack();
  await expect(page).toHaveURL(first);
  await expect(packages).toHaveCount(50);
  await expect(packages.first()).toHaveAttribute("data-name", "Package 00");
  await page.getByLabel("Name starts with").fill("package 5");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(packages).toHaveCount(10);
  await expect(packages.last()).toHaveAttribute("data-name", "Package 59");
});
