// The Content-Security-Policy every page is served with, and the check every other test runs
// under (fixtures.ts): a page hydrates with its nonce, and a script slipped in without the nonce
// is blocked, seen by the check, and reported to Latch.
import { test, expect, hydrated, cspReportsReceived, CLOCK_URL } from "./fixtures";

test.describe("the violation check", () => {
  // This test makes a violation on purpose and checks it was caught, instead of the fixture
  // failing it.
  test.use({ expectCspViolations: true });

  test("catches an inline script without the page's nonce, which Latch blocks and hears about", async ({
    page,
    request,
    cspViolations,
  }) => {
    const before = await cspReportsReceived(request);
    const answer = await page.goto(`${CLOCK_URL}/sign-in`);
    const policy = answer?.headers()["content-security-policy"] ?? "";
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/);
    await hydrated(page);
    expect(cspViolations, "the page itself breaks no rule").toEqual([]);

    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.injected = true;";
      document.body.append(script);
    });

    await expect.poll(() => cspViolations.length).toBeGreaterThan(0);
    expect(cspViolations.join("\n")).toContain("script-src-elem blocked inline");
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    await expect.poll(() => cspReportsReceived(request)).toBe(before + 1);
  });
});
