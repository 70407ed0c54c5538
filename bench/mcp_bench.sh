#!/usr/bin/env bash
# bench/mcp_bench.sh — agents asking before they install: the MCP tool
# check_package (POST /-/mcp, tools/call) on a package cordon has cached,
# over one keep-alive connection, against the target (>= 5,000 calls/s) and
# against GET /-/api/verdict (the same verdict without MCP's envelope, its
# session check and the decision record each tool call writes), measured
# in the same run with the same client (wrk, one connection, one thread).
# Run from the repository root after `make build` (bench/run.sh calls it).
#
#   CORDON=PATH              the binary (default build/cordon)
#   MCP_BENCH_SECONDS=N      each wrk run (default 10)
#
# The upstream is one npm packument (1.0.0 published long ago, 1.1.0 a day
# ago) served by Python's http.server on 127.0.0.1; the first verdict
# caches it. Both runs ask about 1.1.0 (held: the denial's whole object is
# worked out). Every process started here is stopped on exit. Files go to
# bench/out/mcp/.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
OUT=$REPO/bench/out/mcp
CORDON=${CORDON:-build/cordon}
SECS=${MCP_BENCH_SECONDS:-10}
TARGET=5000

die() { echo "mcp bench: $*" >&2; exit 1; }
[[ -x $CORDON ]] || die "$CORDON not found; run 'make build' first"
[[ $CORDON == /* ]] || CORDON=$REPO/$CORDON
for t in curl python3 wrk; do command -v "$t" >/dev/null || die "$t not found (apt-get install -y $t)"; done
PY=$(python3 -c 'import sys; print(sys.executable)')

# shellcheck source=lib.sh
. "$REPO/bench/lib.sh"

bench_setup

"$PY" - "$OUT/upstream/mb-pkg" "$UURL" <<'PY'
import datetime, json, sys
path, up = sys.argv[1], sys.argv[2]
now = datetime.datetime.now(datetime.timezone.utc)
iso = lambda days: (now - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
versions = {v: {"name": "mb-pkg", "version": v, "dist": {"tarball": "%s/mb-pkg/-/mb-pkg-%s.tgz" % (up, v),
                "integrity": "sha512-" + "A" * 86 + "=="}} for v in ("1.0.0", "1.1.0")}
json.dump({"_id": "mb-pkg", "name": "mb-pkg", "dist-tags": {"latest": "1.1.0"}, "versions": versions,
           "time": {"created": iso(400), "modified": iso(1), "1.0.0": iso(400), "1.1.0": iso(1)}}, open(path, "w"))
PY
start_upstream mb-pkg
start_bench_cordon

VERDICT_URL="$CURL_/-/api/verdict?ecosystem=npm&package=mb-pkg&version=1.1.0"
st=$(curl -sS -o "$OUT/verdict.json" -w '%{http_code}' --max-time 60 "$VERDICT_URL")
[[ $st == 200 ]] && grep -q '"status":"held"' "$OUT/verdict.json" || die "the first verdict: $st $(head -c 300 "$OUT/verdict.json")"
SID=$(curl -sS -D - -o /dev/null --max-time 10 -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  --data-binary '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' \
  "$CURL_/-/mcp" | tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
[[ -n $SID ]] || die "initialize answered no session id"
CALL='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"check_package","arguments":{"ecosystem":"npm","package":"mb-pkg","version":"1.1.0"}}}'
curl -sS -o "$OUT/call.json" --max-time 60 -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  -H "Mcp-Session-Id: $SID" --data-binary "$CALL" "$CURL_/-/mcp"
grep -q '"status":"held"' "$OUT/call.json" || die "the first tool call: $(head -c 300 "$OUT/call.json")"

cat >"$OUT/call.lua" <<EOF
wrk.method = "POST"
wrk.body = '$CALL'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = "$SID"
EOF
# REQUESTS/s of one wrk run: URL [wrk args]
rate() {
  local url=$1 log=$2
  shift 2
  wrk -t1 -c1 -d"${SECS}s" "$@" "$url" >"$log" 2>&1 || die "wrk failed: $(cat "$log")"
  grep -q "Non-2xx" "$log" && die "wrk saw answers other than 2xx: $(cat "$log")"
  awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$log"
}
# A B B A: each measured twice, the order alternated against drift
V1=$(rate "$VERDICT_URL" "$OUT/verdict.1.log")
M1=$(rate "$CURL_/-/mcp" "$OUT/mcp.1.log" -s "$OUT/call.lua")
M2=$(rate "$CURL_/-/mcp" "$OUT/mcp.2.log" -s "$OUT/call.lua")
V2=$(rate "$VERDICT_URL" "$OUT/verdict.2.log")
V=$(( (V1 + V2) / 2 ))
M=$(( (M1 + M2) / 2 ))
RECORDED=$(timeout 30 "$CORDON" log --config "$OUT/cordon/cordon.yaml" --json --limit 1000000 2>/dev/null |
  grep -c '"decision":"check"' || true)
CALLS=$(awk '/^Requests\/sec:/ { next } / requests in / { n += $1 } END { print n + 0 }' "$OUT"/mcp.*.log)
OK=$(( M >= TARGET ))
echo "agents' checks: check_package over MCP on a cached npm package, one keep-alive connection (wrk -t1 -c1, ${SECS} s x 2)"
printf "  %-56s %10s calls/s   target >= %d  %s\n" "POST /-/mcp tools/call check_package" "$M" "$TARGET" "$( ((OK)) && echo ok || echo MISS)"
printf "  %-56s %10s calls/s   mcp/verdict %s\n" "GET /-/api/verdict (same verdict, no envelope, no record)" "$V" "$(ratio "$M" "$V")"
echo "  decision records of the $CALLS calls so far: $RECORDED (one by one up to 600 a client and tool a minute, the rest one record a minute, written when the minute ends)"
echo "  wrk output: ${OUT#"$REPO"/}/{mcp,verdict}.*.log"
