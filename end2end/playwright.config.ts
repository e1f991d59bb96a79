import { defineConfig } from "@playwright/test";

// The server under test: the debug binary that `cargo leptos build` made, on its own port
// and on a fresh SQLite file with the demo data, so the tests never touch ./latch.db.
const port = 3210;
// The sample workflow receiver: the "outside world" custom extensions call in these tests.
export const receiverPort = 7171;
// A second Latch on the controllable clock (LATCH_TEST_CLOCK) with its own database, so tests
// that move time (timeouts, expiry) never skew the first one. The demo's launch-and-wait
// extension calls 127.0.0.1:7071, where a receiver resumes for this Latch by itself.
const clockPort = 3211;
export const clockURL = `http://127.0.0.1:${clockPort}`;
const resumingReceiverPort = 7071;
// Single sign-on: a real OpenID provider (oidc-provider, OpenID Certified) and two Latches that
// sign people in there, one as configured by default and one that creates unknown people and
// has local sign-in off.
export const idpURL = "http://127.0.0.1:7272";
// A Latch for the long-list test (lists.spec.ts): its own database, which the test fills with
// 2,000 requests, and its own clock, which it moves so that half of them expire.
export const listsURL = "http://127.0.0.1:3214";
export const ssoURL = "http://127.0.0.1:3212";
export const ssoCreateURL = "http://127.0.0.1:3213";
const sso = (url: string, db: string, extra: Record<string, string>) => ({
  command: `rm -rf target/${db} && mkdir -p target/${db} && exec target/debug/server`,
  cwd: "..",
  url: `${url}/sign-in`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: "pipe" as const,
  stderr: "pipe" as const,
  env: {
    LEPTOS_SITE_ADDR: url.replace("http://", ""),
    LEPTOS_SITE_ROOT: "target/site",
    LATCH_DATABASE_URL: `sqlite://target/${db}/latch.db`,
    LATCH_DEMO: "1",
    LATCH_OIDC_ISSUER: idpURL,
    LATCH_OIDC_CLIENT_ID: "latch-e2e",
    LATCH_OIDC_CLIENT_SECRET: "latch-e2e-secret",
    LATCH_OIDC_NAME: "Contoso ID",
    RUST_LOG: "info",
    ...extra,
  },
});

// Debian's Chromium, as installed by scripts/tooling.sh.
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: "list",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
  },
  projects: [
    { name: "chromium", testIgnore: /expiry\.spec\.ts/, use: chromium },
    // expiry.spec.ts moves the second Latch's clock by a month, after which its callouts look
    // stale to the receivers' wall clock: it runs after everything else.
    { name: "after the clock moved", testMatch: /expiry\.spec\.ts/, dependencies: ["chromium"], use: chromium },
  ],
  webServer: [
    {
      command: "exec node idp/provider.mjs",
      url: `${idpURL}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
    },
    sso(ssoURL, "e2e-sso", {}),
    sso(ssoCreateURL, "e2e-sso-create", { LATCH_OIDC_CREATE_USERS: "on", LATCH_LOCAL_SIGN_IN: "off" }),
    {
      command: "rm -rf target/e2e && mkdir -p target/e2e && exec target/debug/server",
      cwd: "..",
      url: `http://127.0.0.1:${port}/sign-in`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: "target/site",
        LATCH_DATABASE_URL: "sqlite://target/e2e/latch.db",
        LATCH_DEMO: "1",
        LATCH_CALLOUT_ALLOW_HOSTS: "127.0.0.1,localhost",
        RUST_LOG: "info",
      },
    },
    {
      command: "rm -rf target/e2e-clock && mkdir -p target/e2e-clock && exec target/debug/server",
      cwd: "..",
      url: `${clockURL}/sign-in`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        LEPTOS_SITE_ADDR: `127.0.0.1:${clockPort}`,
        LEPTOS_SITE_ROOT: "target/site",
        LATCH_DATABASE_URL: "sqlite://target/e2e-clock/latch.db",
        LATCH_DEMO: "1",
        LATCH_CALLOUT_ALLOW_HOSTS: "127.0.0.1,localhost",
        LATCH_TEST_CLOCK: "1",
        RUST_LOG: "info",
      },
    },
    {
      command: "rm -rf target/e2e-lists && mkdir -p target/e2e-lists && exec target/debug/server",
      cwd: "..",
      url: `${listsURL}/sign-in`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        LEPTOS_SITE_ADDR: listsURL.replace("http://", ""),
        LEPTOS_SITE_ROOT: "target/site",
        LATCH_DATABASE_URL: "sqlite://target/e2e-lists/latch.db",
        LATCH_DEMO: "1",
        LATCH_CALLOUT_ALLOW_HOSTS: "127.0.0.1,localhost",
        LATCH_TEST_CLOCK: "1",
        RUST_LOG: "warn",
      },
    },
    {
      // Resumes each launch-and-wait callout after 4 s (long enough to see the wait), as the
      // demo app; denies when the justification says "conflict", stays silent on "hold".
      command:
        `exec target/debug/receiver --listen 127.0.0.1:${resumingReceiverPort} --latch ${clockURL} ` +
        "--resume-after 4000 --client-id 5e1f5e1f-0000-4000-8000-000000000001 " +
        "--client-secret latch-demo-secret --deny-word conflict --hold-word hold",
      cwd: "..",
      url: `http://127.0.0.1:${resumingReceiverPort}/_receiver/callouts`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
    },
    {
      command: `exec target/debug/receiver --listen 127.0.0.1:${receiverPort} --latch http://127.0.0.1:${port}`,
      cwd: "..",
      url: `http://127.0.0.1:${receiverPort}/_receiver/callouts`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
    },
  ],
});
