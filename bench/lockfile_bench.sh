#!/usr/bin/env bash
# bench/lockfile_bench.sh — the lockfile check's hot path: cordon answering
# POST /-/api/lockfiles/bench with a 5,000-entry package-lock.json v3 that
# differs from the accepted one in 100 entries (parse, diff against the
# stored 5,000, decide each changed entry from cached metadata, store the
# submission), median of 10, against the target (<= 200 ms) and against a
# peer doing the least comparable work: parsing the same file with jq, and
# with Python's json.load.  Run from the repository root after `make build`
# (bench/run.sh calls it at the end).
#
#   CORDON=PATH            the binary (default build/cordon)
#   LOCK_BENCH_PACKAGES=N  packages in the lockfile (default 5000)
#   LOCK_BENCH_RUNS=N      timed submissions (default 10)
#
# The upstream is static: one generated packument per package (versions
# 1.0.0 and 1.1.0 published long ago, 2.0.0 a day ago) served by Python's
# http.server on 127.0.0.1; cordon (quarantine 3d) fetches each once before
# the timing, as installs through it would.  The accepted lockfile pins
# every package at 1.0.0; the submitted one upgrades 50 packages to 1.1.0
# (allowed) and 50 to 2.0.0 (held), so it is never accepted and every timed
# submission does the same work.  Everything listens on 127.0.0.1; every
# process started here is stopped on exit.  Files go to bench/out/lockfile/.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
OUT=$REPO/bench/out/lockfile
CORDON=${CORDON:-build/cordon}
N=${LOCK_BENCH_PACKAGES:-5000}
RUNS=${LOCK_BENCH_RUNS:-10}
CHANGED=100
TARGET_MS=200

die() { echo "lockfile bench: $*" >&2; exit 1; }
[[ -x $CORDON ]] || die "$CORDON not found; run 'make build' first"
[[ $CORDON == /* ]] || CORDON=$REPO/$CORDON
[[ $N =~ ^[1-9][0-9]*$ && $N -ge $((CHANGED * 2)) ]] || die "LOCK_BENCH_PACKAGES must be a number >= $((CHANGED * 2))"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "LOCK_BENCH_RUNS must be a positive integer"
for t in curl python3; do command -v "$t" >/dev/null || die "$t not found (apt-get install -y $t)"; done
# the interpreter itself: a version manager's shim would add ~0.3 s to every start
PY=$(python3 -c 'import sys; print(sys.executable)')

# shellcheck source=lib.sh
. "$REPO/bench/lib.sh"

bench_setup

# ---- generate: packuments, the accepted lockfile, the changed one --------------
"$PY" - "$OUT" "$N" "$CHANGED" "$UURL" "$CURL_" <<'PY'
import base64, datetime, hashlib, json, os, sys
out, n, changed, up, pub = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
now = datetime.datetime.now(datetime.timezone.utc)
def iso(days):
    return (now - datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
def sri(name, version):
    return "sha512-" + base64.b64encode(hashlib.sha512(("%s@%s" % (name, version)).encode()).digest()).decode()
names = ["lb-%s-%05d" % (("core", "util", "plugin", "types", "cli")[i % 5], i) for i in range(n)]
ages = {"1.0.0": 400, "1.1.0": 200, "2.0.0": 1}
for name in names:
    versions, time = {}, {"created": iso(400), "modified": iso(1)}
    for v, age in ages.items():
        versions[v] = {"name": name, "version": v, "description": "bench package %s" % name,
                       "license": "MIT", "main": "index.js",
                       "dependencies": {},
                       "dist": {"tarball": "%s/%s/-/%s-%s.tgz" % (up, name, name, v),
                                "integrity": sri(name, v),
                                "shasum": hashlib.sha1(("%s@%s" % (name, v)).encode()).hexdigest()}}
        time[v] = iso(age)
    doc = {"_id": name, "name": name, "description": "bench package %s" % name,
           "dist-tags": {"latest": "2.0.0"}, "versions": versions, "time": time}
    with open(os.path.join(out, "upstream", name), "w") as f:
        json.dump(doc, f)
with open(os.path.join(out, "names.txt"), "w") as f:
    f.write("\n".join(names) + "\n")

def lockfile(pins):
    pk = {"": {"name": "bench-app", "version": "1.0.0",
               "dependencies": {nm: "^%s" % pins[nm].split(".")[0] + ".0.0" for nm in names[::10]}}}
    for i, nm in enumerate(names):
        v = pins[nm]
        e = {"version": v, "resolved": "%s/npm/%s/-/%s-%s.tgz" % (pub, nm, nm, v),
             "integrity": sri(nm, v), "license": "MIT"}
        if i % 7 == 0:
            e["dev"] = True
        if i % 3 == 0 and i + 1 < n:
            e["dependencies"] = {names[i + 1]: "^1.0.0"}
        if i % 4 == 0:
            e["engines"] = {"node": ">=14"}
        pk["node_modules/" + nm] = e
    return {"name": "bench-app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": pk}

base = {nm: "1.0.0" for nm in names}
step = n // changed
bumped = dict(base)
for k in range(changed):
    bumped[names[k * step + 1]] = "1.1.0" if k % 2 == 0 else "2.0.0"
for fname, pins in (("base.json", base), ("changed.json", bumped)):
    with open(os.path.join(out, fname), "w") as f:
        json.dump(lockfile(pins), f, indent=2)
        f.write("\n")
PY

# ---- upstream and cordon ------------------------------------------------------------
start_upstream lb-core-00000
start_bench_cordon
# after the first start: the server makes the audit key a token's record is keyed with
"$CORDON" token add bench --role ci --config "$OUT/cordon/cordon.yaml" >"$OUT/token.out" 2>"$OUT/token.err" ||
  die "cordon token add failed: $(cat "$OUT/token.err")"
TOKEN=$(sed -n 1p "$OUT/token.out")

# ---- warm: every packument fetched through cordon once (what installs do) -------------
t0=$(date +%s%N)
"$PY" - "$CURL_/npm/" "$OUT/names.txt" <<'PY' || die "warming the packuments through cordon failed"
import concurrent.futures, sys, urllib.request
base, names = sys.argv[1], open(sys.argv[2]).read().split()
def get(name):
    with urllib.request.urlopen(base + name, timeout=60) as r:
        r.read()
        return r.status
with concurrent.futures.ThreadPoolExecutor(16) as ex:
    bad = [s for s in ex.map(get, names) if s != 200]
if bad:
    sys.exit("%d packuments did not answer 200" % len(bad))
PY
WARM_S=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

submit() { # FILE OUTFILE: prints "status seconds"
  curl -sS --max-time 120 -o "$2" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "@$1" "$CURL_/-/api/lockfiles/bench?ref=bench"
}

# the accepted lockfile: all 5,000 known and allowed, so it becomes the base
read -r st _ < <(submit "$OUT/base.json" "$OUT/base.report.json")
[[ $st == 200 ]] || die "submitting the base lockfile answered $st: $(head -c 400 "$OUT/base.report.json")"
"$PY" - "$OUT/base.report.json" "$N" <<'PY' || die "the base lockfile was not accepted"
import json, sys
d, n = json.load(open(sys.argv[1])), int(sys.argv[2])
s = d["summary"]
if not (d["ok"] and s["entries"] == n and s["allowed"] == n):
    sys.exit("base report: ok %r, summary %r" % (d["ok"], s))
PY

# the changed lockfile: once untimed, then RUNS timed submissions
check_changed() { # REPORT
  "$PY" - "$1" "$CHANGED" <<'PY'
import json, sys
d, c = json.load(open(sys.argv[1])), int(sys.argv[2])
s = d["summary"]
# every entry is judged (unchanged ones too): all but the held upgrades are allowed
ok = (not d["ok"] and s["upgraded"] == c and s["held"] == c // 2 and s["allowed"] == s["entries"] - c // 2
      and s["unchanged"] == s["entries"] - c and s["added"] == 0 and s["removed"] == 0 and d["base"] == 1)
if not ok:
    sys.exit("changed report: ok %r, base %r, summary %r" % (d["ok"], d["base"], s))
PY
}
read -r st _ < <(submit "$OUT/changed.json" "$OUT/changed.report.json")
[[ $st == 200 ]] || die "submitting the changed lockfile answered $st"
check_changed "$OUT/changed.report.json" || die "cordon did not judge the changed lockfile as expected"

: >"$OUT/cordon.times"
for ((i = 1; i <= RUNS; i++)); do
  read -r st t < <(submit "$OUT/changed.json" "$OUT/changed.$i.json")
  [[ $st == 200 ]] || die "timed submission $i answered $st"
  echo "$t" >>"$OUT/cordon.times"
done
check_changed "$OUT/changed.$RUNS.json" || die "the last timed submission was not judged as expected"

C_MS=$(median_ms "$OUT/cordon.times")

# ---- peers: parse the same file --------------------------------------------------------
: >"$OUT/jq.times"
JQ_MS=-
if command -v jq >/dev/null; then
  for ((i = 1; i <= RUNS; i++)); do
    s=$(date +%s%N)
    jq -e '.packages | length' "$OUT/changed.json" >/dev/null
    e=$(date +%s%N)
    awk -v a="$s" -v b="$e" 'BEGIN { print (b - a) / 1e9 }' >>"$OUT/jq.times"
  done
  JQ_MS=$(median_ms "$OUT/jq.times")
fi
# python3 -c json.load: the whole process, and the parse alone (timed inside)
: >"$OUT/py.times"
: >"$OUT/pyparse.times"
for ((i = 1; i <= RUNS; i++)); do
  s=$(date +%s%N)
  "$PY" -c 'import json, sys, time
t = time.perf_counter(); json.load(open(sys.argv[1])); print(time.perf_counter() - t)' "$OUT/changed.json" >>"$OUT/pyparse.times"
  e=$(date +%s%N)
  awk -v a="$s" -v b="$e" 'BEGIN { print (b - a) / 1e9 }' >>"$OUT/py.times"
done
PY_MS=$(median_ms "$OUT/py.times")
PYP_MS=$(median_ms "$OUT/pyparse.times")

SIZE_KB=$(awk -v b="$(stat -c %s "$OUT/changed.json")" 'BEGIN { printf "%.0f", b / 1024 }')
VERDICT=$(awk -v m="$C_MS" -v t="$TARGET_MS" 'BEGIN { print (m + 0 <= t + 0) ? "ok" : "MISS" }')

echo "lockfile check: POST /-/api/lockfiles/bench, package-lock.json v3 of $N entries (${SIZE_KB} KB), $CHANGED changed"
echo "  against the accepted $N ($((CHANGED / 2)) upgrades allowed, $((CHANGED - CHANGED / 2)) held), metadata cached (warming $N packuments through cordon took ${WARM_S} s)"
printf "  %-44s %10s   %s\n" "cordon, median of $RUNS (curl time_total)" "$C_MS ms" "target <= $TARGET_MS ms  $VERDICT"
printf "  %-44s %10s   cordon/peer %s\n" "jq '.packages | length' (process), median" "$([[ $JQ_MS == - ]] && echo "SKIP (no jq)" || echo "$JQ_MS ms")" "$(ratio "$C_MS" "$JQ_MS")"
printf "  %-44s %10s   cordon/peer %s\n" "python3 -c json.load (process), median" "$PY_MS ms" "$(ratio "$C_MS" "$PY_MS")"
printf "  %-44s %10s   cordon/peer %s\n" "python3 json.load (the parse alone), median" "$PYP_MS ms" "$(ratio "$C_MS" "$PYP_MS")"
echo "  raw times: $OUT/{cordon,jq,py,pyparse}.times; reports: $OUT/changed.*.json"
