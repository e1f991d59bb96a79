// Helpers in three kinds: find (locators), act (what a person does), check (assertions).
import { test as base, expect, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";

export const PASSWORD = "latch-demo";
/** The second Latch of playwright.config.ts, on the controllable clock. */
export const CLOCK_URL = "http://127.0.0.1:3211";

/** How many Content-Security-Policy violation reports the Latch at CLOCK_URL received
 * (`/_test/csp-reports`, served with LATCH_TEST_CLOCK only). */
export async function cspReportsReceived(request: APIRequestContext): Promise<number> {
  const answer = await request.get(`${CLOCK_URL}/_test/csp-reports`);
  expect(answer.ok(), await answer.text()).toBeTruthy();
  return (await answer.json()).received;
}

/** Records every Content-Security-Policy violation in any page of `context`: the DOM's
 * `securitypolicyviolation` event (hooked before any page script runs) and Chromium's console
 * message about it. */
async function watchCsp(context: BrowserContext, violations: string[]) {
  await context.exposeBinding("__latchCspViolation", ({ page }, what: string) => {
    violations.push(`${what} (${page.url()})`);
  });
  await context.addInitScript(() => {
    document.addEventListener(
      "securitypolicyviolation",
      (e) => {
        const sample = e.sample ? `: ${e.sample}` : "";
        const report = (window as unknown as { __latchCspViolation: (what: string) => void }).__latchCspViolation;
        report(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}${sample}`);
      },
      true,
    );
  });
  context.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) violations.push(`console: ${m.text()}`);
  });
}

const isCspMessage = (text: string) => text.includes("Content Security Policy");

/** Fails the test on any page error, console error or failed non-API request. Server
 * functions answer refusals with an error status by design; the tests assert those refusals
 * on the page instead. Content-Security-Policy violations fail it too, in every page the test
 * opens (also in contexts it makes with `browser.newContext` or `browser.newPage`), unless the
 * test sets `expectCspViolations` and checks `cspViolations` itself. */
export const test = base.extend<{
  problems: string[];
  cspViolations: string[];
  expectCspViolations: boolean;
}>({
  expectCspViolations: [false, { option: true }],
  cspViolations: [
    async ({ browser, context, request, expectCspViolations }, use) => {
      const violations: string[] = [];
      await watchCsp(context, violations);
      const newContext = browser.newContext;
      browser.newContext = async (options) => {
        const made = await newContext.call(browser, options);
        await watchCsp(made, violations);
        return made;
      };
      const reportsBefore = await cspReportsReceived(request);
      try {
        await use(violations);
      } finally {
        browser.newContext = newContext;
      }
      if (expectCspViolations) return;
      expect(violations, "Content-Security-Policy violations").toEqual([]);
      expect(await cspReportsReceived(request), "CSP violation reports received by Latch").toBe(reportsBefore);
    },
    { auto: true },
  ],
  problems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() !== "error") return;
        if (m.location().url.includes("/api/")) return;
        // The cspViolations fixture owns these.
        if (isCspMessage(m.text())) return;
        problems.push(`console: ${m.text()} (${m.location().url})`);
      });
      page.on("response", (r) => {
        if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith("/api/")) {
          problems.push(`HTTP ${r.status()} ${r.url()}`);
        }
      });
      await use(problems);
      expect(problems, "page errors, console errors or failed requests").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

// ---- act ----

/** Waits until the page has hydrated: before that, a click can be lost. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
}

export async function signIn(page: Page, email: string, next = "/") {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("user-menu")).toBeVisible();
  await hydrated(page);
}

/** Opens a catalog's Custom extensions tab from the catalog list, as a person would. */
export async function openCustomExtensions(page: Page, catalog: string) {
  await page.goto("/catalogs");
  await hydrated(page);
  await page.getByRole("link", { name: catalog, exact: true }).click();
  await expect(page.getByTestId("catalog-name")).toHaveText(catalog);
  await page.getByRole("navigation", { name: "Catalog" }).getByRole("link", { name: "Custom extensions" }).click();
  await expect(page.getByTestId("extension-table")).toBeVisible();
}

/** From one of a catalog's pages, opens one of its policies in the policy editor. */
export async function editPolicy(page: Page, policy: string) {
  await page.getByRole("navigation", { name: "Catalog" }).getByRole("link", { name: "Access packages" }).click();
  await page.getByRole("link", { name: `Edit policy “${policy}”` }).click();
  await hydrated(page);
}

export function row(page: Page, name: string) {
  return page.locator(`[data-testid=extension-row][data-name="${name}"]`);
}

export async function rowAction(page: Page, name: string, action: string) {
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: action }).click();
}

/** Moves to a wizard tab with Next, checking the tab strip shows where one is. */
export async function next(page: Page, tab: string) {
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");
}

/** Moves the clock of the Latch at CLOCK_URL forward by an ISO-8601 duration; every timer that
 * fell due has run when this returns. */
export async function advanceClock(request: import("@playwright/test").APIRequestContext, by: string) {
  const moved = await request.post(`${CLOCK_URL}/_test/clock/advance`, { data: { by } });
  expect(moved.ok(), await moved.text()).toBeTruthy();
}

/** Requests a package from My Access with a justification, as the signed-in requestor. */
export async function requestPackage(page: Page, label: string, justification: string) {
  await page.goto("/my-access");
  await hydrated(page);
  await page.getByRole("button", { name: `Request ${label}` }).click();
  await page.getByLabel("Justification").fill(justification);
  await page.getByRole("button", { name: "Submit request" }).click();
  await expect(page.getByTestId("my-access-status")).toContainText("Requested");
}
