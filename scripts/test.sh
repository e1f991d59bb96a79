#!/usr/bin/env bash
# One command to run every test: formatting and lints, the Rust tests (unit and per-test
# SQLite databases), the store, service and integration tests again on a throwaway PostgreSQL,
# then Playwright in Debian's headless Chromium against the real server (on SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tooling.sh
ensure_rust_tools
ensure_browser_tools
ensure_postgres

log=$(mktemp -d)
trap 'stop_test_postgres; rm -rf "$log"' EXIT

echo ">> cargo fmt --check"
cargo fmt --all -- --check

echo ">> build (wasm + server, debug; the sample receiver for Playwright)"
cargo leptos build --split
cargo build -p server --features ssr --bin receiver

echo ">> clippy"
cargo clippy --workspace --all-targets --features ssr -- -D warnings
cargo clippy -p app --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

echo ">> Rust tests"
cargo test --workspace --features ssr 2>&1 | tee "$log/rust.txt"

echo ">> Rust tests on PostgreSQL (the app's unit tests and the integration tests)"
start_test_postgres
# Tests marked ignored are the PostgreSQL-only ones. The crash test kills a SQLite server
# process; PostgreSQL's own is the multi-instance test.
{
  cargo test -p app --features ssr --lib -- --include-ignored
  cargo test -p server --features ssr --test it -- --include-ignored --skip crash::
} 2>&1 | tee "$log/postgres.txt"
stop_test_postgres

echo ">> Playwright"
(cd end2end && npx playwright test --reporter=list) 2>&1 | tee "$log/e2e.txt"

rust_passed=$(grep -Eo '^test result: ok\. [0-9]+ passed' "$log/rust.txt" | awk '{s+=$4} END {print s+0}')
pg_passed=$(grep -Eo '^test result: ok\. [0-9]+ passed' "$log/postgres.txt" | awk '{s+=$4} END {print s+0}')
e2e_passed=$(grep -Eo '^ *[0-9]+ passed' "$log/e2e.txt" | awk '{s+=$1} END {print s+0}')
echo "rust: $rust_passed passed, 0 failed"
echo "rust on postgresql: $pg_passed passed, 0 failed"
echo "playwright: $e2e_passed passed, 0 failed"
echo "total: $((rust_passed + pg_passed + e2e_passed)) passed, 0 failed"
