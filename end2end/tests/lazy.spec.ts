// Every screen but sign-in, home and My Access is a lazy route (app/src/pages/lazy.rs), split
// by `cargo leptos --split` into one of two wasm files (the requestor's other screens, the
// admin screens): a requestor never downloads the admin file, and each file comes the first
// time one of its screens opens, by a link in the page or by the server's preload.
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

// The file of one `#[lazy]` loader: `requestor_screen` or `admin_screen`.
const split = (loader: string) => new RegExp(`^/pkg/split_+${loader}_\\d+(\\.[\\w-]{22})?\\.wasm$`);

test("a requestor's My Access downloads the main module only; history fetches the requestor's file", async ({ page }) => {
  const wasm = wasmRequests(page);
  await signIn(page, "adele@contoso.test", "/my-access");
  await expect(page.getByRole("heading", { name: "Access packages" })).toBeVisible();
  // The sign-in page and My Access each load the main module (one per full page load).
  expect(wasm.length).toBeGreaterThan(0);
  expect(wasm.filter((path) => !/^\/pkg\/latch(\.[\w-]{22})?\.wasm$/.test(path))).toEqual([]);

  await page.getByRole("link", { name: "Request history" }).click();
  await expect(page.getByRole("heading", { name: "Request history" })).toBeVisible();
  expect(wasm.some((path) => split("requestor_screen").test(path)), wasm.join("\n")).toBe(true);
  expect(wasm.filter((path) => split("admin_screen").test(path))).toEqual([]);
});

test("an administrator's first admin screen fetches the admin file, and a screen opened directly works", async ({ page }) => {
  await signIn(page, "admin@contoso.test", "/my-access");
  const wasm = wasmRequests(page);

  // By a link: the router loads the admin screens' file, then shows Catalogs.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Catalogs" }).click();
  await expect(page.getByRole("heading", { name: "Catalogs" })).toBeVisible();
  expect(wasm.some((path) => split("admin_screen").test(path)), wasm.join("\n")).toBe(true);
  expect(wasm.some((path) => split("requestor_screen").test(path))).toBe(false);

  // Opened directly: the page names the file for the browser to preload, and it
  // hydrates (an empty name is refused in the page only once the wasm runs).
  const html = await (await page.request.get("/apps")).text();
  const preloads = html.match(/<link [^>]*rel="preload"[^>]*>/g) ?? [];
  expect(preloads.some((link) => /href="\/pkg\/split_+admin_screen_\d+[^"]*\.wasm"/.test(link)), html).toBe(true);
  await page.goto("/apps");
  await hydrated(page);
  await page.getByRole("button", { name: "Register", exact: true }).click();
  await expect(page.getByTestId("error-displayName")).not.toBeEmpty();
});
