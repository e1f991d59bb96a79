#!/usr/bin/env bash
# Fuzzes the SCIM parsers: runs every target in fuzz/fuzz_targets/ for SECONDS each
# (default 60), so a target added there (with `cargo fuzz add NAME`) runs too.
# Not part of CI: it needs the nightly toolchain and builds the app with sanitizers.
#
#   scripts/fuzz.sh [SECONDS]
#
# A crash stops that target, leaves the input in fuzz/artifacts/TARGET/, and makes this
# script exit non-zero after the other targets have run. Turn such an input into a unit test
# beside the parser before fixing it. New interesting inputs collect in fuzz/corpus/
# (ignored by git); fuzz/seeds/ holds the real IdP bodies every run starts from.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
    echo "usage: $0 [SECONDS]  (a whole number of seconds per target, default 60)" >&2
    exit 2
fi

cd "$(dirname "$0")/../fuzz"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "the nightly toolchain is missing: rustup toolchain install nightly" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

shopt -s nullglob
files=(fuzz_targets/*.rs)
if [ ${#files[@]} -eq 0 ]; then
    echo "no fuzz targets in fuzz/fuzz_targets/" >&2
    exit 1
fi

registered="$(cargo +nightly fuzz list)"
crashed=()
for file in "${files[@]}"; do
    target="$(basename "$file" .rs)"
    if ! grep -qx "$target" <<<"$registered"; then
        echo "$file is not a [[bin]] in fuzz/Cargo.toml; add it with: cargo fuzz add $target" >&2
        crashed+=("$target (not registered)")
        continue
    fi
    corpus=("corpus/$target")
    mkdir -p "corpus/$target"
    [ -d "seeds/$target" ] && corpus+=("seeds/$target")
    echo "== $target: ${seconds}s"
    if ! cargo +nightly fuzz run "$target" "${corpus[@]}" -- \
        -max_total_time="$seconds" -dict=scim.dict -print_final_stats=1; then
        crashed+=("$target")
    fi
done

if [ ${#crashed[@]} -gt 0 ]; then
    echo "failed: ${crashed[*]} (crashing inputs are in fuzz/artifacts/)" >&2
    exit 1
fi
echo "all ${#files[@]} targets ran ${seconds}s each without a crash"
