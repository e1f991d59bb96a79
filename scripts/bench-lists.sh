#!/usr/bin/env bash
# Benchmark of the list pages at organization scale (issue 16; not part of the tests): builds
# the release Latch (`make release`, what `make run` serves) and the `bench_lists` driver, seeds
# a fresh SQLite file with REQUESTS requests (default 1000000), as many assignments, 100000
# people, 10000 catalogs, 10000 access packages in one of them and 1000 apps, starts the server
# on it and prints, for each list page with and without each filter,
# the render time (p50/p99/max over 200 fetches) and the page's size.
# Usage: scripts/bench-lists.sh [REQUESTS] [--users U] [--assignments A] [--samples S] [--keep-dir]
# Needs about 1.5 GB free in $TMPDIR (default /tmp) for the million-row database.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/release.sh
cargo build --release -p server --no-default-features --features ssr --bin bench_lists
LEPTOS_SITE_ROOT="$PWD/target/release/site" exec target/release/bench_lists "$@"
