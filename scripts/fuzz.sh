#!/usr/bin/env bash
# Fuzzes every parser of outside input (SCIM bodies and filters, the sign-on flow cookie,
# people's details, Graph REST bodies and query options, ISO-8601 durations, the receiver's
# token and signature checks): runs every target in fuzz/fuzz_targets/ for SECONDS each
# (default 60), so a target added there (with `cargo fuzz add NAME`) runs too.
# Not part of CI: it needs the nightly toolchain and builds the app with sanitizers.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# With TARGET names, only those run. A crash stops that target, leaves the input in
# fuzz/artifacts/TARGET/, and makes this script exit non-zero after the other targets have
# run. Turn such an input into a unit test beside the parser before fixing it. New
# interesting inputs collect in fuzz/corpus/ (ignored by git); fuzz/seeds/TARGET/ holds the
# real bodies every run starts from. A target's dictionary is fuzz/dicts/TARGET.dict, else
# the one of its family (the name up to its first `_`: scim_user uses dicts/scim.dict), else
# none.
#
# FUZZ_PREBUILT=1 runs the binaries the last `cargo +nightly fuzz build` left instead of
# letting `cargo fuzz run` build each target first: on a tree others are editing, every
# change to app/ or server/ would otherwise rebuild the crates with sanitizers (many minutes)
# before the next target runs.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
    echo "usage: $0 [SECONDS] [TARGET...]  (a whole number of seconds per target, default 60)" >&2
    exit 2
fi
shift $(($# > 0 ? 1 : 0))

cd "$(dirname "$0")/../fuzz"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "the nightly toolchain is missing: rustup toolchain install nightly" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

shopt -s nullglob
if [ $# -gt 0 ]; then
    files=()
    for target in "$@"; do
        if [ ! -f "fuzz_targets/$target.rs" ]; then
            echo "no fuzz target $target in fuzz/fuzz_targets/" >&2
            exit 2
        fi
        files+=("fuzz_targets/$target.rs")
    done
else
    files=(fuzz_targets/*.rs)
fi
if [ ${#files[@]} -eq 0 ]; then
    echo "no fuzz targets in fuzz/fuzz_targets/" >&2
    exit 1
fi

registered="$(cargo +nightly fuzz list)"
host="$(rustc +nightly -vV | sed -n 's/^host: //p')"
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
    dict=()
    for candidate in "dicts/$target.dict" "dicts/${target%%_*}.dict"; do
        if [ -f "$candidate" ]; then
            dict=(-dict="$candidate")
            break
        fi
    done
    options=(-max_total_time="$seconds" "${dict[@]}" -print_final_stats=1)
    echo "== $target: ${seconds}s${dict:+ with ${dict[0]#-dict=}}"
    if [ -n "${FUZZ_PREBUILT:-}" ]; then
        binary="target/$host/release/$target"
        if [ ! -x "$binary" ]; then
            echo "$binary is not built: cargo +nightly fuzz build" >&2
            crashed+=("$target (not built)")
            continue
        fi
        mkdir -p "artifacts/$target"
        run=(env ASAN_OPTIONS=detect_odr_violation=0 "$binary" "${corpus[@]}"
            -artifact_prefix="artifacts/$target/" "${options[@]}")
    else
        run=(cargo +nightly fuzz run "$target" "${corpus[@]}" -- "${options[@]}")
    fi
    if ! "${run[@]}"; then
        crashed+=("$target")
    fi
done

if [ ${#crashed[@]} -gt 0 ]; then
    echo "failed: ${crashed[*]} (crashing inputs are in fuzz/artifacts/)" >&2
    exit 1
fi
echo "all ${#files[@]} targets ran ${seconds}s each without a crash"
