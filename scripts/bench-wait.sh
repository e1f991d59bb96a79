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
# and where Latch keeps its data:
#   --database postgres [--instances K]         on PostgreSQL, with K Latch processes on it
#   --backends                                  one run each on SQLite, PostgreSQL × 1 and
#                                               PostgreSQL × 3, one after the other
# N may come anywhere among the options, or not at all: the driver reads it wherever it is.
# Without --postgres URL (or LATCH_BENCH_POSTGRES), PostgreSQL runs are given a new cluster of
# Debian's PostgreSQL under target/pg-bench on a free loopback port, durable (fsync and
# synchronous commit on, as SQLite's synchronous=FULL), stopped at the end.
# Usage: scripts/bench-wait.sh [N] [--backends] [driver options, see target/release/bench_wait --help]
# The server needs no wasm site for this: only the REST API is used.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tooling.sh
cargo build --release -p server --features ssr --bin server --bin receiver --bin bench_wait

backends=false
needs_postgres=false
args=()
for arg in "$@"; do
  case "$arg" in
    --backends) backends=true; needs_postgres=true ;;
    --database=postgres* | postgres | postgresql) needs_postgres=true; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done
if $needs_postgres && [ -z "${LATCH_BENCH_POSTGRES:-}" ] && ! printf '%s\n' "$@" | grep -q -- '^--postgres'; then
  trap stop_test_postgres EXIT
  start_test_postgres durable target/pg-bench
  export LATCH_BENCH_POSTGRES="$LATCH_TEST_POSTGRES"
  unset LATCH_TEST_POSTGRES
fi

if ! $backends; then
  target/release/bench_wait "${args[@]}"
  exit
fi
for run in "" "--database postgres" "--database postgres --instances 3"; do
  echo ">> bench_wait ${args[*]} $run"
  # shellcheck disable=SC2086
  target/release/bench_wait "${args[@]}" $run
  echo
done
