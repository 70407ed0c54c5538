#!/usr/bin/env bash
# bench/closure_bench.sh — the dependency closure's hot path: cordon
# answering GET /-/api/closure for the root of a 500-package npm tree whose
# packuments it has cached (resolve every range, decide every version),
# median of 10, against the target (<= 100 ms) and against a peer doing
# the same resolution: npm itself resolving the same tree through cordon
# (`npm install --package-lock-only`, its cache warm, no tarball fetched).
# Run from the repository root after `make build` (bench/run.sh calls it).
#
#   CORDON=PATH               the binary (default build/cordon)
#   CLOSURE_BENCH_PACKAGES=N  packages in the tree (default 500)
#   CLOSURE_BENCH_RUNS=N      timed closures (default 10; npm: 3)
#
# The upstream is static: package i depends on 2i+1 and 2i+2 with "^1.0.0"
# (a binary tree), each with 1.0.0 and 1.1.0 published long ago and 2.0.0 a
# day ago, served by Python's http.server on 127.0.0.1. The first closure
# fetches every packument (in rounds, one per level); the timed ones read
# cordon's copy only. Everything listens on 127.0.0.1; every process
# started here is stopped on exit. Files go to bench/out/closure/.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
OUT=$REPO/bench/out/closure
CORDON=${CORDON:-build/cordon}
N=${CLOSURE_BENCH_PACKAGES:-500}
RUNS=${CLOSURE_BENCH_RUNS:-10}
NPM_RUNS=3
TARGET_MS=100

die() { echo "closure bench: $*" >&2; exit 1; }
[[ -x $CORDON ]] || die "$CORDON not found; run 'make build' first"
[[ $CORDON == /* ]] || CORDON=$REPO/$CORDON
[[ $N =~ ^[1-9][0-9]*$ ]] || die "CLOSURE_BENCH_PACKAGES must be a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "CLOSURE_BENCH_RUNS must be a positive integer"
for t in curl python3; do command -v "$t" >/dev/null || die "$t not found (apt-get install -y $t)"; done
PY=$(python3 -c 'import sys; print(sys.executable)')

# shellcheck source=lib.sh
. "$REPO/bench/lib.sh"

bench_setup npm-project

# ---- generate: the tree's packuments ----------------------------------------------
"$PY" - "$OUT" "$N" "$UURL" <<'PY'
import base64, datetime, hashlib, json, os, sys
out, n, up = sys.argv[1], int(sys.argv[2]), sys.argv[3]
now = datetime.datetime.now(datetime.timezone.utc)
iso = lambda days: (now - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
name = lambda i: "cb-%05d" % i
for i in range(n):
    deps = {name(c): "^1.0.0" for c in (2 * i + 1, 2 * i + 2) if c < n}
    versions, time = {}, {"created": iso(400), "modified": iso(1)}
    for v, age in (("1.0.0", 400), ("1.1.0", 200), ("2.0.0", 1)):
        versions[v] = {"name": name(i), "version": v, "dependencies": deps,
                       "dist": {"tarball": "%s/%s/-/%s-%s.tgz" % (up, name(i), name(i), v),
                                "integrity": "sha512-" + base64.b64encode(hashlib.sha512(("%s@%s" % (name(i), v)).encode()).digest()).decode()}}
        time[v] = iso(age)
    with open(os.path.join(out, "upstream", name(i)), "w") as f:
        json.dump({"_id": name(i), "name": name(i), "dist-tags": {"latest": "2.0.0"}, "versions": versions, "time": time}, f)
with open(os.path.join(out, "npm-project", "package.json"), "w") as f:
    json.dump({"name": "cb-app", "version": "1.0.0", "private": True, "dependencies": {name(0): "^1.0.0"}}, f)
PY

start_upstream cb-00000
start_bench_cordon "lockfile_deadline: 60s"
"$CORDON" token add bench --role auditor --config "$OUT/cordon/cordon.yaml" >"$OUT/token.out" 2>"$OUT/token.err" ||
  die "cordon token add failed: $(cat "$OUT/token.err")"
TOKEN=$(sed -n 1p "$OUT/token.out")

closure() { # OUTFILE: prints "status seconds"
  curl -sS --max-time 300 -o "$1" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" \
    "$CURL_/-/api/closure?ecosystem=npm&package=cb-00000&version=1.0.0"
}
check() { # REPORT: every package once, at 1.1.0 (the root at 1.0.0), none held
  "$PY" - "$1" "$N" <<'PY'
import json, sys
d, n = json.load(open(sys.argv[1])), int(sys.argv[2])
vs = {x["package"]: x["version"] for x in d["closure"]}
if not (d["versions"] == n and len(vs) == n and d["held"] == 0 and set(vs.values()) <= {"1.0.0", "1.1.0"}
        and list(vs.values()).count("1.1.0") == n - 1 and not d["truncated"]):
    sys.exit("closure: versions %r held %r truncated %r" % (d["versions"], d["held"], d["truncated"]))
PY
}
t0=$(date +%s%N)
read -r st _ < <(closure "$OUT/cold.json")
COLD_S=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
[[ $st == 200 ]] || die "the first closure answered $st: $(head -c 400 "$OUT/cold.json")"
check "$OUT/cold.json" || die "the first closure is not the tree"
FETCHED=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["fetched"])' "$OUT/cold.json")

: >"$OUT/cordon.times"
for ((i = 1; i <= RUNS; i++)); do
  read -r st t < <(closure "$OUT/warm.$i.json")
  [[ $st == 200 ]] || die "timed closure $i answered $st"
  echo "$t" >>"$OUT/cordon.times"
done
check "$OUT/warm.$RUNS.json" || die "the last timed closure is not the tree"
C_MS=$(median_ms "$OUT/cordon.times")

# ---- the peer: npm resolving the same tree through cordon (lockfile only) -------------
NPM_MS=-
if command -v npm >/dev/null; then
  npm_lock() {
    (cd "$OUT/npm-project" && rm -f package-lock.json &&
      npm install --package-lock-only --ignore-scripts --no-audit --no-fund --no-update-notifier \
        --registry="$CURL_/npm/" --cache="$OUT/npm-cache" --userconfig=/dev/null --prefer-offline \
        --loglevel=error >>"$OUT/npm.log" 2>&1)
  }
  npm_lock || die "npm could not resolve the tree through cordon (log: $OUT/npm.log)"
  : >"$OUT/npm.times"
  for ((i = 1; i <= NPM_RUNS; i++)); do
    s=$(date +%s%N)
    npm_lock || die "npm run $i failed (log: $OUT/npm.log)"
    awk -v a="$s" -v b="$(date +%s%N)" 'BEGIN { print (b - a) / 1e9 }' >>"$OUT/npm.times"
  done
  NPM_MS=$(median_ms "$OUT/npm.times")
  NLOCK=$("$PY" -c 'import json,sys; print(len([k for k in json.load(open(sys.argv[1]))["packages"] if k]))' "$OUT/npm-project/package-lock.json")
  [[ $NLOCK == "$N" ]] || die "npm's lockfile has $NLOCK packages, not $N"
fi
VERDICT=$(awk -v m="$C_MS" -v t="$TARGET_MS" 'BEGIN { print (m + 0 <= t + 0) ? "ok" : "MISS" }')
echo "dependency closure: GET /-/api/closure of a $N-package npm tree (binary, \"^1.0.0\" ranges; 1.1.0 taken, 2.0.0 held)"
echo "  cold (fetches $FETCHED packuments from upstream, one round per level): ${COLD_S} s"
printf "  %-56s %10s   %s\n" "cordon, cached metadata, median of $RUNS (curl time_total)" "$C_MS ms" "target <= $TARGET_MS ms  $VERDICT"
printf "  %-56s %10s   cordon/peer %s\n" "npm install --package-lock-only via cordon, median of $NPM_RUNS" "$([[ $NPM_MS == - ]] && echo "SKIP (no npm)" || echo "$NPM_MS ms")" "$(ratio "$C_MS" "$NPM_MS")"
echo "  raw times: $OUT/{cordon,npm}.times; answers: $OUT/warm.*.json"
