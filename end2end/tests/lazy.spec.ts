// Every screen but sign-in, home and My Access is a lazy route (app/src/pages/lazy.rs), split
// by `cargo leptos --split` into a wasm file of its own: a requestor never downloads the admin
// screens, and each screen's file comes the first time it opens, by a link in the page or by
// the server's preload.
import type { Page } from "@playwright/test";
import { test, expect, hydrated, signIn } from "./fixtures";

/** Every wasm file the page asks for from now on. */
function wasmRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith(".wasm")) urls.push(path);
  });
  return urls;
}

const split = (screen: string) => new RegExp(`^/pkg/split___${screen}_view_\\d+(\\.[\\w-]{22})?\\.wasm$`);

test("a requestor's My Access downloads the main module only; history fetches its own file", async ({ page }) => {
  const wasm = wasmRequests(page);
  await signIn(page, "adele@contoso.test", "/my-access");
  await expect(page.getByRole("heading", { name: "Access packages" })).toBeVisible();
  // The sign-in page and My Access each load the main module (one per full page load).
  expect(wasm.length).toBeGreaterThan(0);
  expect(wasm.filter((path) => !/^\/pkg\/latch(\.[\w-]{22})?\.wasm$/.test(path))).toEqual([]);

  await page.getByRole("link", { name: "Request history" }).click();
  await expect(page.getByRole("heading", { name: "Request history" })).toBeVisible();
  expect(wasm.some((path) => split("history_screen").test(path)), wasm.join("\n")).toBe(true);
  const admin = ["catalogs_screen", "catalog_screen", "policy_screen", "apps_screen", "users_screen"];
  expect(wasm.filter((path) => admin.some((screen) => split(screen).test(path)))).toEqual([]);
});

test("an administrator's first visit to a screen fetches its file, and the screen works", async ({ page }) => {
  await signIn(page, "admin@contoso.test", "/my-access");
  const wasm = wasmRequests(page);

  // By a link: the router loads the Catalogs screen's file, then shows it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Catalogs" }).click();
  await expect(page.getByRole("heading", { name: "Catalogs" })).toBeVisible();
  expect(wasm.some((path) => split("catalogs_screen").test(path)), wasm.join("\n")).toBe(true);
  expect(wasm.some((path) => split("apps_screen").test(path))).toBe(false);

  // Opened directly: the page names the screen's files for the browser to preload, and it
  // hydrates (an empty name is refused in the page only once the wasm runs).
  const html = await (await page.request.get("/apps")).text();
  const preloads = html.match(/<link [^>]*rel="preload"[^>]*>/g) ?? [];
  expect(preloads.some((link) => /href="\/pkg\/split___apps_screen_view_\d+[^"]*\.wasm"/.test(link)), html).toBe(true);
  await page.goto("/apps");
  await hydrated(page);
  expect(wasm.some((path) => split("apps_screen").test(path)), wasm.join("\n")).toBe(true);
  await page.getByRole("button", { name: "Register", exact: true }).click();
  await expect(page.getByTestId("error-displayName")).not.toBeEmpty();
});
