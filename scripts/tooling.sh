# Sourced by run.sh and test.sh: installs what building and testing Latch needs, skipping
# every install that is already done. Versions are the ones verified on these machines.
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.10
# wasm-opt for release builds: the npm package `binaryen` (Debian's binaryen is too old), pinned
# in scripts/tools/package.json. cargo-leptos runs the wasm-opt it finds on PATH; without one it
# tries to download it from GitHub, which these machines cannot reach.
BINARYEN_VERSION=132
export PATH="$PWD/scripts/tools/node_modules/.bin:$PATH"

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    echo ">> installing cargo-leptos $CARGO_LEPTOS_VERSION (about 17 minutes on 2 cores, once per machine)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  local wb
  wb=$(wasm_bindgen_version)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb" ]; then
    echo ">> installing wasm-bindgen-cli $wb (about 3 minutes, once)"
    # Without --locked: with it, resolution fails for this version.
    cargo install wasm-bindgen-cli --version "$wb"
  fi
}

ensure_browser_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    echo ">> installing Debian's chromium"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/oidc-provider ] \
    || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
    echo ">> installing the end-to-end test packages"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}

# What a release build needs beyond ensure_rust_tools: wasm-opt (the build tools' npm packages).
ensure_release_tools() {
  if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "$BINARYEN_VERSION" ]; then
    echo ">> installing wasm-opt (npm binaryen $BINARYEN_VERSION, seconds, once)"
    (cd scripts/tools && npm ci --no-audit --no-fund)
  fi
}
