#!/usr/bin/env bash
# Benchmark of custom-extension lifecycles (not part of the tests): builds release `server`,
# `receiver` and the `bench_wait` driver, then drives N adminAdd requests (default 10000)
# through a policy whose "Request is created" stage calls the receiver, and prints what it
# measured. Three modes:
#   scripts/bench-wait.sh [N]                   launch and wait, 32 in flight: lifecycles/s,
#                                               stage → callout and resume latencies
#   scripts/bench-wait.sh [N] --open-loop RATE  the same with RATE sends per second on a clock,
#                                               plus the achieved rate and the sends' lateness
#   scripts/bench-wait.sh [N] --continue        launch and continue: callouts delivered/s
# N may come anywhere among the options, or not at all: the driver reads it wherever it is.
# Usage: scripts/bench-wait.sh [N] [driver options, see target/release/bench_wait --help]
# The server needs no wasm site for this: only the REST API is used.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p server --features ssr --bin server --bin receiver --bin bench_wait
exec target/release/bench_wait "$@"
