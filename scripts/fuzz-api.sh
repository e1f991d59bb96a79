#!/usr/bin/env bash
# Property-based run of every REST operation in /openapi.json (not part of CI): starts the
# `server` binary on a new SQLite file with the demo data on a free loopback port, registers
# an Identity Governance Administrator app and takes its client-credentials token, then runs
# Schemathesis (installed into target/fuzz-api-venv on first use) with well-typed and
# schema-breaking bodies, path parameters and headers. It fails on any 5xx
# (`not_a_server_error`); 4xx answers are what malformed input should get.
#
#   scripts/fuzz-api.sh [EXAMPLES] [st run options…]
#
# EXAMPLES is the number of generated cases per operation and phase (default 50). Other
# options go to `st run` as they are, e.g. `--seed 1` to repeat a run, `--include-path-regex
# assignmentPolicies` to fuzz a few operations, `-c not_a_server_error,response_headers_conformance`
# for more checks. FUZZ_API_PROFILE=release builds and runs the release binary. A failure is
# reported with a curl command that reproduces it; the server's log is in the work directory
# printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${1:-50}"
if ! [[ "$examples" =~ ^[0-9]+$ ]] || [ "$examples" -eq 0 ]; then
    echo "usage: $0 [EXAMPLES] [st run options...]  (examples per operation, default 50)" >&2
    exit 2
fi
shift $(($# > 0 ? 1 : 0))

venv=target/fuzz-api-venv
if [ ! -x "$venv/bin/st" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet schemathesis
fi

profile="${FUZZ_API_PROFILE:-debug}"
case "$profile" in
    release) cargo build --release -p server --features ssr --bin server ;;
    debug) cargo build -p server --features ssr --bin server ;;
    *) echo "FUZZ_API_PROFILE must be debug or release" >&2; exit 2 ;;
esac
server="$PWD/target/$profile/server"

work="$(mktemp -d "${TMPDIR:-/tmp}/latch-fuzz-api.XXXXXX")"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
# Only Latch's own variables: none of the caller's LATCH_* settings leak into the run.
# `exec`, so that the background job's pid is the server's own and the trap stops it.
run_latch() {
    exec env $(env | grep -o '^LATCH_[A-Z_]*' | sed 's/^/-u /') \
        LATCH_DATABASE_URL="sqlite://$work/latch.db" \
        LATCH_DEMO=1 \
        LATCH_WORKER=0 \
        LEPTOS_SITE_ADDR="127.0.0.1:$port" \
        LATCH_PUBLIC_URL="$base" \
        RUST_LOG="${RUST_LOG:-warn}" \
        "$server" "$@"
}

(run_latch) >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$base/openapi.json" 2>/dev/null; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "the server did not start; its log:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.5
done

registered="$( (run_latch app add --display-name "API fuzz" --role identityGovernanceAdministrator) )"
client_id="$(sed -n 's/^client_id: *//p' <<<"$registered")"
client_secret="$(sed -n 's/^client_secret: *//p' <<<"$registered")"
token="$(curl -fsS "$base/oauth2/v2.0/token" \
    --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_id=$client_id" \
    --data-urlencode "client_secret=$client_secret" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

# Path parameters are real ids of the demo data most of the time (random UUIDs otherwise),
# so bodies reach the handlers behind a 404 on an unknown id.
python3 - "$base" "$token" >"$work/schemathesis.toml" <<'PY'
import json, sys, urllib.error, urllib.request
base, token = sys.argv[1], sys.argv[2]
root = base + "/v1.0/identityGovernance/entitlementManagement"
def ids(url):
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as answer:
        return [item["id"] for item in json.load(answer)["value"]]
found = {
    "catalog": ids(root + "/catalogs"),
    "package": ids(root + "/accessPackages"),
    "policy": ids(root + "/assignmentPolicies"),
    "request": ids(root + "/assignmentRequests"),
    "assignment": ids(root + "/assignments"),
    "user": ids(base + "/v1.0/users"),
}
found["extension"] = [e for c in found["catalog"] for e in ids(f"{root}/catalogs/{c}/customWorkflowExtensions")]
# The demo data has no requests: one adminAdd per policy gives resume and cancel real ids.
def call(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)
for policy in found["policy"]:
    package = (call(f"{root}/assignmentPolicies/{policy}?$expand=accessPackage").get("accessPackage") or {}).get("id")
    try:
        made = call(root + "/assignmentRequests", {"requestType": "adminAdd", "assignment": {
            "targetId": found["user"][0], "assignmentPolicyId": policy, "accessPackageId": package}})
        found["request"].append(made["id"])
    except urllib.error.HTTPError:
        pass
for name, values in found.items():
    if values:
        print(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
print("[parameters]")
for name, values in found.items():
    if values:
        print(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.9 }}')
PY

operations="$(curl -fsS "$base/openapi.json" |
    python3 -c 'import json, sys; print(sum(len(v) for v in json.load(sys.stdin)["paths"].values()))')"
echo "fuzzing $operations operations of $base/openapi.json, $examples examples each (work directory $work)"

status=0
"$venv/bin/st" --config-file "$work/schemathesis.toml" run "$base/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error \
    --mode all \
    --max-examples "$examples" \
    --workers 1 \
    --request-timeout 30 \
    --suppress-health-check all \
    --report junit,ndjson --report-dir "$work/report" \
    "$@" || status=$?

if grep -q 'panicked' "$work/server.log"; then
    echo "the server panicked: see $work/server.log" >&2
    status=1
fi
echo "server log and reports: $work"
exit "$status"
