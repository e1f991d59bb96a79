#!/usr/bin/env bash
# `make release`: the optimized build users should get, into target/release/:
#   target/release/server     the server (cargo's release profile)
#   target/release/site/      its site root: the wasm (the size-tuned `wasm-release` profile, then
#                             wasm-opt -Oz), JS and CSS under content-hashed names
#                             (latch.<hash>.wasm, listed in target/release/hash.txt, which the
#                             server reads), each with a brotli (.br) and a gzip (.gz) copy
#   target/release/receiver   the sample workflow receiver `make run` starts beside Latch
# Installs what is missing first. Debug builds (`make dev`, `make test`) keep target/site.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tooling.sh
ensure_rust_tools
ensure_release_tools

export LEPTOS_SITE_ROOT=target/release/site
# Only here, not in Cargo.toml: `cargo leptos watch` (make dev) hashes its first build only,
# and its rebuilds would leave hash.txt naming files that are gone (docs/decisions.md).
export LEPTOS_HASH_FILES=true
# cargo-leptos empties the site root itself; a failed build must not leave an old hash.txt.
rm -f target/release/hash.txt

# --split: the lazy admin screens (app/src/pages/lazy.rs) become files of their own; every
# wasm build needs it, since the lazy routes import the split loader it writes.
cargo leptos build --release --split
# The same features as cargo-leptos's server build, so the server library is reused.
cargo build --release -p server --no-default-features --features ssr --bin precompress --bin receiver
target/release/precompress "$LEPTOS_SITE_ROOT"
