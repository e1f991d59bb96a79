#!/usr/bin/env bash
# Benchmark of launch-and-wait lifecycles (not part of the tests): builds release `server`,
# `receiver` and the `bench_wait` driver, then drives N adminAdd requests (default 10000)
# through a launch-and-wait policy with the receiver resuming each one, and prints
# lifecycles/s, stage → callout and resume latencies (p50/p95/p99) and the server's peak memory.
# Usage: scripts/bench-wait.sh [N] [driver options, see target/release/bench_wait --help]
# The server needs no wasm site for this: only the REST API is used.
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-10000}"
shift || true
cargo build --release -p server --features ssr --bin server --bin receiver --bin bench_wait
exec target/release/bench_wait "$requests" "$@"
