#!/usr/bin/env bash
# One command to run Latch: installs what is missing, builds, and serves it at
# http://127.0.0.1:3000 on ./latch.db with the demo data (loaded into a new, empty database).
#
#   scripts/run.sh         (`make run`) the optimized release build of scripts/release.sh:
#                          what users get (small, precompressed, cached wasm)
#   scripts/run.sh --dev   (`make dev`) the debug build under `cargo leptos watch`: rebuilds
#                          and restarts on every saved change, and reloads the page
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tooling.sh

mode=release
case "${1:-}" in
  "") ;;
  --dev) mode=dev ;;
  *) echo "usage: scripts/run.sh [--dev]" >&2; exit 2 ;;
esac

if [ "$mode" = release ]; then
  scripts/release.sh
  receiver=target/release/receiver
else
  ensure_rust_tools
  cargo build -p server --features ssr --bin receiver
  receiver=target/debug/receiver
fi

export LATCH_DEMO="${LATCH_DEMO:-1}"
export LATCH_DATABASE_URL="${LATCH_DATABASE_URL:-sqlite://latch.db}"
# Demo extensions call the sample receiver on loopback.
export LATCH_CALLOUT_ALLOW_HOSTS="${LATCH_CALLOUT_ALLOW_HOSTS:-127.0.0.1,localhost}"
# The sample workflow receiver, where the demo extensions point: http://127.0.0.1:7071/
# It plays Contoso.SodCheckProcess: 2 s after each launch-and-wait callout it resumes the request
# as the demo app (assignment manager of Marketing), denying a justification that mentions
# "conflict" and never answering one that mentions "hold".
"$receiver" --listen 127.0.0.1:7071 --latch "http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}" \
  --resume-after 2000 --client-id 5e1f5e1f-0000-4000-8000-000000000001 \
  --client-secret latch-demo-secret --deny-word conflict --hold-word hold &
receiver_pid=$!
trap 'kill $receiver_pid 2>/dev/null' EXIT

if [ "$mode" = release ]; then
  # The site release.sh built; the server finds target/release/hash.txt beside itself.
  LEPTOS_SITE_ROOT=target/release/site target/release/server
else
  cargo leptos watch --split
fi
