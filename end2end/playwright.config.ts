import { defineConfig } from "@playwright/test";

// The server under test: the debug binary that `cargo leptos build` made, on its own port
// and on a fresh SQLite file with the demo data, so the tests never touch ./latch.db.
const port = 3210;
// The sample workflow receiver: the "outside world" custom extensions call in these tests.
export const receiverPort = 7171;

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
    {
      name: "chromium",
      use: {
        browserName: "chromium",
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
      },
    },
  ],
  webServer: [
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
