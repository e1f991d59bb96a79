// The browser half of scripts/bench-bundle.sh (a benchmark, not a test).
//
//   node scripts/bench-bundle.mjs sizes SITE_PKG_DIR
//     each bundle file's raw / gzip (level 9) / brotli (quality 11) size, computed here so a
//     build without precompressed files measures the same way
//   node scripts/bench-bundle.mjs browser BASE_URL [RUNS]
//     signs in as a requestor, then RUNS times in a fresh browser context (empty cache) on a
//     throttled connection (10 Mbit/s both ways, 40 ms latency, Chromium's network emulation
//     through CDP): loads /my-access until the page is hydrated (the app sets
//     `body[data-hydrated]`), counting the bytes transferred (CDP `encodedDataLength`: headers
//     and body as sent), then reloads it once with the cache warm; then the same for an
//     administrator's /catalogs, a lazy screen with files of its own.
//
// Playwright comes from end2end/node_modules (scripts/tooling.sh installs it); Chromium is
// Debian's.
import { createRequire } from "node:module";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import zlib from "node:zlib";

const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const kb = (n) => (n / 1000).toFixed(1).padStart(8);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function sizes(pkg) {
  const rows = files(pkg)
    .filter((f) => !/\.(br|gz)$/.test(f) && /\.(wasm|js|css)$/.test(f) && !/\.d\.ts$/.test(f))
    .map((f) => {
      const raw = readFileSync(f);
      const gzip = zlib.gzipSync(raw, { level: 9 }).length;
      const brotli = zlib.brotliCompressSync(raw, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        },
      }).length;
      return { name: relative(pkg, f), raw: raw.length, gzip, brotli };
    })
    .sort((a, b) => b.raw - a.raw);
  console.log(`bundle files in ${pkg} (kB = 1000 bytes)`);
  console.log(`${"raw kB".padStart(8)} ${"gzip kB".padStart(8)} ${"br kB".padStart(8)}  file`);
  const total = { raw: 0, gzip: 0, brotli: 0 };
  const code = { raw: 0, gzip: 0, brotli: 0 };
  for (const r of rows) {
    console.log(`${kb(r.raw)} ${kb(r.gzip)} ${kb(r.brotli)}  ${r.name}`);
    for (const k of Object.keys(total)) {
      total[k] += r[k];
      if (/\.(wasm|js)$/.test(r.name)) code[k] += r[k];
    }
  }
  // The main module, each admin screen's own file, the code screens share, the split loader.
  const groups = [
    ["main module (latch.*.wasm + latch.*.js)", /^latch\./],
    ["lazy admin screens (split___*.wasm)", /^split___/],
    ["code shared by lazy screens (chunk_*.wasm)", /^chunk_/],
    ["split loader (__wasm_split.*.js)", /^__wasm_split\./],
  ];
  for (const [label, re] of groups) {
    const g = { raw: 0, gzip: 0, brotli: 0, n: 0 };
    for (const r of rows.filter((r) => re.test(r.name) && /\.(wasm|js)$/.test(r.name))) {
      for (const k of ["raw", "gzip", "brotli"]) g[k] += r[k];
      g.n += 1;
    }
    if (g.n) console.log(`${kb(g.raw)} ${kb(g.gzip)} ${kb(g.brotli)}  = ${label}, ${g.n} file(s)`);
  }
  console.log(`${kb(code.raw)} ${kb(code.gzip)} ${kb(code.brotli)}  = all wasm + JS (the whole app)`);
  console.log(`${kb(total.raw)} ${kb(total.gzip)} ${kb(total.brotli)}  = everything above`);
}

const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

// 10 Mbit/s = 1,250,000 bytes/s.
const THROTTLE = { offline: false, latency: 40, downloadThroughput: 1_250_000, uploadThroughput: 1_250_000 };

function kind(url, mime) {
  if (/\.wasm(\?|$)/.test(url) || mime === "application/wasm") return "wasm";
  if (/\.m?js(\?|$)/.test(url) || /javascript/.test(mime)) return "js";
  if (/\.css(\?|$)/.test(url) || mime === "text/css") return "css";
  if (mime === "text/html") return "html";
  return "other";
}

async function load(page, cdp, url, reload) {
  const seen = new Map();
  const onResponse = (e) =>
    seen.set(e.requestId, {
      url: e.response.url,
      kind: kind(e.response.url, e.response.mimeType),
      encoding: e.response.headers["content-encoding"] ?? e.response.headers["Content-Encoding"] ?? "",
      cache: e.response.fromDiskCache || e.response.fromMemoryCache,
      bytes: 0,
    });
  const onFinished = (e) => {
    const r = seen.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  };
  cdp.on("Network.responseReceived", onResponse);
  cdp.on("Network.loadingFinished", onFinished);
  if (reload) await page.reload({ waitUntil: "commit" });
  else await page.goto(url, { waitUntil: "commit" });
  await page.waitForSelector("body[data-hydrated=true]", { state: "attached", timeout: 60_000 });
  const hydratedAt = await page.evaluate(() => window.__latchHydratedAt ?? performance.now());
  // Let the last responses report their sizes.
  await page.waitForTimeout(300);
  cdp.off("Network.responseReceived", onResponse);
  cdp.off("Network.loadingFinished", onFinished);
  const by = { html: 0, js: 0, wasm: 0, css: 0, other: 0 };
  for (const r of seen.values()) by[r.kind] += r.bytes;
  const total = Object.values(by).reduce((a, b) => a + b, 0);
  return { hydratedAt, by, total, requests: [...seen.values()] };
}

async function signedIn(b, base, email, path) {
  const login = await b.newContext({ baseURL: base });
  const p = await login.newPage();
  await p.goto(`/sign-in?next=${encodeURIComponent(path)}`);
  await p.getByLabel("E-mail address").fill(email);
  await p.getByLabel("Password").fill("latch-demo");
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL((url) => url.pathname === path);
  const storageState = await login.storageState();
  await login.close();
  return storageState;
}

/** RUNS fresh browser contexts: `path` cold, then reloaded warm; prints medians. */
async function journey(b, base, runs, email, path) {
  const storageState = await signedIn(b, base, email, path);
  const cold = [];
  const warm = [];
  for (let i = 0; i < runs; i++) {
    const context = await b.newContext({ baseURL: base, storageState });
    await context.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.body?.dataset.hydrated === "true") {
          window.__latchHydratedAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
    });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", THROTTLE);
    cold.push(await load(page, cdp, `${base}${path}`, false));
    warm.push(await load(page, cdp, `${base}${path}`, true));
    await context.close();
  }

  const first = cold[0];
  console.log(`\n${path} as ${email}, cold cache, first run: what was transferred`);
  for (const r of first.requests) {
    const name = new URL(r.url).pathname;
    console.log(`${kb(r.bytes)} kB  ${r.kind.padEnd(5)} ${(r.encoding || "identity").padEnd(8)} ${name}`);
  }
  const line = (label, xs) => {
    const m = (f) => median(xs.map(f));
    console.log(
      `${label.padEnd(10)} transferred ${kb(m((x) => x.total))} kB  (wasm ${kb(m((x) => x.by.wasm))}, JS ${kb(
        m((x) => x.by.js),
      )}, CSS ${kb(m((x) => x.by.css))}, HTML ${kb(m((x) => x.by.html))}, other ${kb(m((x) => x.by.other))})` +
        `  hydrated after ${m((x) => x.hydratedAt).toFixed(0)} ms` +
        `  (min ${Math.min(...xs.map((x) => x.hydratedAt)).toFixed(0)}, max ${Math.max(...xs.map((x) => x.hydratedAt)).toFixed(0)})`,
    );
  };
  console.log(`\n${path}: medians of ${runs} runs, throttled to 10 Mbit/s and 40 ms latency:`);
  line("cold cache", cold);
  line("warm cache", warm);
  const code = cold.map((x) => x.by.wasm + x.by.js);
  console.log(`wasm + JS transferred to the hydrated ${path}: ${kb(median(code))} kB`);
}

async function browser(base, runs) {
  const { chromium } = require("@playwright/test");
  const b = await chromium.launch(CHROMIUM);
  // What a requestor meets; then an administrator's screen, which fetches its lazy files too.
  await journey(b, base, runs, "adele@contoso.test", "/my-access");
  await journey(b, base, runs, "admin@contoso.test", "/catalogs");
  await b.close();
}

const [mode, arg, runs] = process.argv.slice(2);
if (mode === "sizes") sizes(arg);
else if (mode === "browser") await browser(arg, Number(runs ?? 5));
else {
  console.error("usage: bench-bundle.mjs sizes PKG_DIR | browser BASE_URL [RUNS]");
  process.exit(2);
}
