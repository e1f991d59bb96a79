#!/usr/bin/env bash
# What a requestor downloads (a benchmark, not a test): builds the release site (`make release`),
# prints each bundle file's raw / gzip / brotli size, then serves it on 127.0.0.1:3290 (ports the
# tests do not use) with the demo data and, in Debian's Chromium through Playwright, loads
# /my-access signed in as a requestor, cold and warm cache, on a connection throttled to
# 10 Mbit/s and 40 ms latency: bytes transferred to the hydrated page (the app sets
# body[data-hydrated]) and the time to get there. See scripts/bench-bundle.mjs.
#
#   scripts/bench-bundle.sh              build, then measure
#   scripts/bench-bundle.sh --no-build   measure what target/release holds
#   BENCH_SERVER=... BENCH_SITE=...      measure another build (e.g. a copy of an older one)
#   BENCH_RUNS=5                         page loads per measurement (medians are reported)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tooling.sh

if [ "${1:-}" != --no-build ]; then
  scripts/release.sh
fi
ensure_browser_tools

server=${BENCH_SERVER:-target/release/server}
site=${BENCH_SITE:-target/release/site}
port=${BENCH_PORT:-3290}
runs=${BENCH_RUNS:-5}
work=target/bench/run-$port
rm -rf "$work" && mkdir -p "$work"

echo "bench-bundle: $server serving $site"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
node scripts/bench-bundle.mjs sizes "$site/pkg"

LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=$site LATCH_DATABASE_URL="sqlite://$work/latch.db" \
  LATCH_DEMO=1 LATCH_WORKER=0 RUST_LOG=warn "$server" >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/sign-in" && break
  kill -0 $server_pid 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done

node scripts/bench-bundle.mjs browser "http://127.0.0.1:$port" "$runs"
