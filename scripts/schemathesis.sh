#!/usr/bin/env bash
# Schemathesis against the API as it runs: a small demo county, screened, served on 127.0.0.1 at
# a free port, signed in as the demo's admin (SCHEMATHESIS_USER for another demo account); every
# operation of /api/openapi.json is called with generated input, and the run fails on any server
# error (5xx), and on any answer whose status, content type or body the document does not describe.
#
# Builds nothing: it runs the debug binary the tests built (SHOUWANG_BIN to use another).
# Schemathesis comes from PyPI into a virtualenv under the temp dir, kept for the next run.
# Bounded: SCHEMATHESIS_EXAMPLES cases per operation (30), a fixed seed (SCHEMATHESIS_SEED) so
# that a failure can be reproduced, and at most SCHEMATHESIS_TIMEOUT seconds (900) in all.
# SCHEMATHESIS_EXTRA adds options (--report har --report-dir /abs/path …; it runs in a temp dir).
# The server is stopped whatever happens.
# Left out: a department's push (POST /api/v1/dept/{kind}/records), signed with a department API
# token rather than the session this script holds, its body JSON lines or CSV; without a token
# every call is 401 dept.token_invalid. Its refusals are tested in crates/shouwang-web/tests/
# dept_push_web.rs, its throughput by `shouwang bench dept-push`.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${SHOUWANG_BIN:-${CARGO_TARGET_DIR:-target}/debug/shouwang}
examples=${SCHEMATHESIS_EXAMPLES:-30}
seed=${SCHEMATHESIS_SEED:-510821}
limit=${SCHEMATHESIS_TIMEOUT:-900}
user=${SCHEMATHESIS_USER:-admin}
venv=${SCHEMATHESIS_VENV:-${TMPDIR:-/tmp}/shouwang-schemathesis-venv}

if [ ! -x "$bin" ]; then
    echo "schemathesis: $bin not found; build it first (cargo build -p shouwang)" >&2
    exit 1
fi

work=$(mktemp -d)
server=
stop() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop EXIT

if [ ! -x "$venv/bin/st" ]; then
    echo "installing schemathesis into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis>=4,<5"
fi

"$bin" demo --no-serve --dir "$work/demo" --households 300 >"$work/demo.log"
# a screening run, so that warnings and leads have something to list
"$bin" screen --database-url "sqlite://$work/demo/shouwang.sqlite" >>"$work/demo.log" 2>&1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" serve --database-url "sqlite://$work/demo/shouwang.sqlite" --listen "127.0.0.1:$port" \
    >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done

# sign in: the session cookie from the answer's header, the CSRF token from its body
curl -fsS -D "$work/headers" -o "$work/login.json" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$user\", \"password\": \"shouwang2026\"}" "$base/api/v1/login"
session=$(sed -n 's/^[Ss]et-[Cc]ookie: *\(sw_session=[^;]*\).*/\1/p' "$work/headers" | head -1)
csrf=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["csrf"])' "$work/login.json")
if [ -z "$session" ] || [ -z "$csrf" ]; then
    echo "schemathesis: signing in failed" >&2
    exit 1
fi

status=0
# from inside the temp dir, so that schemathesis' cache stays out of the repository
cd "$work"
timeout "$limit" "$venv/bin/st" run "$base/api/openapi.json" \
    --url "$base" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$examples" \
    --seed "$seed" \
    --request-timeout 30 \
    --header "Cookie: $session" \
    --header "X-CSRF-Token: $csrf" \
    --exclude-path-regex '^/api/v1/dept/[^/]+/records$' \
    --warnings off ${SCHEMATHESIS_EXTRA:-} \
    || status=$?
if [ "$status" != 0 ]; then
    echo "== schemathesis failed ($status); the server's log:"
    tail -n 50 "$work/server.log"
fi
exit "$status"
