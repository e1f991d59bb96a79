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

# The newest installed PostgreSQL's programs (Debian keeps them per version).
postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
  if [ -z "$(postgres_bin)" ]; then
    echo ">> installing Debian's postgresql"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y postgresql
  fi
}

# A throwaway PostgreSQL for the tests: a new cluster under target/pg (or $2) on a free
# loopback port (no Unix socket; no durability unless $1 is "durable", as the benchmark wants:
# a test cluster is thrown away), with one database, latch_test, that LATCH_TEST_POSTGRES
# names. stop_test_postgres stops it. An LATCH_TEST_POSTGRES already set (a server of your
# own) is used as it is.
start_test_postgres() {
  if [ -n "${LATCH_TEST_POSTGRES:-}" ]; then
    TEST_PG_DATA=""
    return
  fi
  ensure_postgres
  local bin port run_as=() durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${1:-}" = durable ] && durability=""
  bin=$(postgres_bin)
  TEST_PG_DATA="$PWD/${2:-target/pg}"
  rm -rf "$TEST_PG_DATA"
  mkdir -p "$TEST_PG_DATA"
  # PostgreSQL refuses to run as root: then the cluster belongs to the postgres user, which
  # must be able to reach it (a checkout under /root is closed to it: then /tmp it is).
  if [ "$(id -u)" -eq 0 ]; then
    run_as=(runuser -u postgres --)
    chown postgres "$TEST_PG_DATA"
    if ! "${run_as[@]}" test -w "$TEST_PG_DATA"; then
      rm -rf "$TEST_PG_DATA"
      TEST_PG_DATA=$(mktemp -d /tmp/latch-pg.XXXXXX)
      chown postgres "$TEST_PG_DATA"
    fi
  fi
  "${run_as[@]}" "$bin/initdb" -D "$TEST_PG_DATA/data" -U latch --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$TEST_PG_DATA/initdb.log" 2>&1 || { cat "$TEST_PG_DATA/initdb.log"; return 1; }
  for port in $(seq 55432 55632); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  done
  "${run_as[@]}" "$bin/pg_ctl" -D "$TEST_PG_DATA/data" -l "$TEST_PG_DATA/data/server.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' \
        -c max_connections=300 $durability" \
    start >/dev/null
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U latch latch_test
  export LATCH_TEST_POSTGRES="postgres://latch@127.0.0.1:$port/latch_test"
  echo ">> PostgreSQL ($("$bin/postgres" --version)) at 127.0.0.1:$port, data in $TEST_PG_DATA"
}

stop_test_postgres() {
  if [ -n "${TEST_PG_DATA:-}" ] && [ -f "$TEST_PG_DATA/data/postmaster.pid" ]; then
    local run_as=()
    [ "$(id -u)" -eq 0 ] && run_as=(runuser -u postgres --)
    "${run_as[@]}" "$(postgres_bin)/pg_ctl" -D "$TEST_PG_DATA/data" -m fast stop >/dev/null || true
    case "$TEST_PG_DATA" in /tmp/latch-pg.*) rm -rf "$TEST_PG_DATA" ;; esac
  fi
}
