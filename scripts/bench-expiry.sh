#!/usr/bin/env bash
# Benchmark of the expiry scan (issue 6, item 5; not part of the tests): builds the release
# `bench_expiry` driver, then seeds a fresh SQLite file with N assignments (default 1000000),
# 1000 of them due at each measuring moment, and prints the time of one scan (min/median/max,
# and when nothing is due), the due query's plan, due → callout received (p50/p95/p99/max)
# under the real worker, peak memory and the database size.
# Usage: scripts/bench-expiry.sh [N] [--due D] [--keep-dir]
# Needs about 2 GB free in $TMPDIR (default /tmp) for the million-row database.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p server --features ssr --bin bench_expiry
exec target/release/bench_expiry "$@"
