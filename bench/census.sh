#!/usr/bin/env bash
# bench/census.sh — the real-world precision measure (`make census`, not part
# of `make test`).
#
# npm: starts cordon with the configuration `make run` writes
# (scripts/first-config.sh: the npm upstream is whatever `npm config get
# registry` says on this machine), its windows set to 0 so age does not
# interfere, installs every set of popular projects in bench/census_sets.txt
# through it with the real npm (a fresh npm cache, --ignore-scripts: nothing
# downloaded runs here), and reads the verdict of every installed version from
# the admin API. Target: 0 holds. Warnings (install scripts of esbuild, sharp,
# swc, prisma, electron…) are listed; they are real and stay warnings.
#
# Maven and PyPI (no real registry is needed): the fixture upstream
# (tests/fixtures/upstream.py) serves every jar and POM of Debian's packaged
# Maven repository (/usr/share/maven-repo) and Debian's wheels
# (/usr/share/python-wheels, the python3-*-whl packages) beside the fixture's
# own generated projects; each file is fetched through cordon (mvn's layout
# path; pip download) and every version's verdict read the same way.
#
#   CENSUS_PARTS=npm,fixture   which parts to run (default both)
#   CENSUS_SETS=FILE           the npm project sets (default bench/census_sets.txt)
#   CENSUS_TIMEOUT=SECONDS     per npm install (default 1800)
#
# Output: bench/out/census/{npm,maven,pypi}.md (the tables printed at the
# end) and the logs beside them. Exit 0 when nothing was held, 1 when
# something was, 2 when the census could not run.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
CORDON=${CORDON:-$REPO/build/cordon}
PARTS=${CENSUS_PARTS:-npm,fixture}
SETS=${CENSUS_SETS:-$REPO/bench/census_sets.txt}
NPM_TIMEOUT=${CENSUS_TIMEOUT:-1800}
OUT=$REPO/bench/out/census
PY=$(command -v python3)

die() { echo "census: $*" >&2; exit 2; }
say() { echo "census: $*" >&2; }

[[ -x $CORDON ]] || die "$CORDON not found; run 'make build' first"
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/*.md "$OUT"/*.json
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cordon-census.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    [[ ${KEEP_TMP:-0} == 1 ]] && say "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_health() { # URL SECONDS
    local deadline=$(( $(date +%s) + $2 ))
    while (( $(date +%s) < deadline )); do
        curl -sf --max-time 2 -o /dev/null "$1" && return 0
        sleep 0.2
    done
    return 1
}

# start_cordon CONFIG NAME: serves CONFIG, sets URL and TOKEN_FILE
start_cordon() {
    local cfg=$1 name=$2
    "$CORDON" token add census --role auditor --config "$cfg" >"$WORK/$name.token" 2>"$OUT/$name-token.log" ||
        die "cordon token add failed: $(tail -n 3 "$OUT/$name-token.log")"
    "$CORDON" serve --config "$cfg" >"$OUT/$name-cordon.log" 2>&1 &
    PIDS+=($!)
    wait_health "$URL/-/health" 30 || die "cordon did not come up: $(tail -n 5 "$OUT/$name-cordon.log")"
    TOKEN_FILE=$WORK/$name.token
}

status=0

# ---- npm: the real registry, make run's configuration ----------------------
if [[ ,$PARTS, == *,npm,* ]]; then
    command -v npm >/dev/null || die "npm not found"
    cfg=$WORK/npm/cordon.yaml
    mkdir -p "$WORK/npm"
    scripts/first-config.sh "$cfg" >"$OUT/npm-first-config.log" 2>&1 || die "first-config failed"
    grep -q '^  npm: ' "$cfg" || die "no npm upstream discovered (npm config get registry): $(cat "$OUT/npm-first-config.log")"
    port=$(free_port)
    URL=http://127.0.0.1:$port
    # make run's file with a loopback port of our own, our own data_dir, no window
    sed -i -e "s#^listen: .*#listen: 127.0.0.1:$port#" -e "s#^public_url: .*#public_url: $URL#" \
        -e "s#^data_dir: .*#data_dir: $WORK/npm/data#" \
        -e 's#^  min_age: 7d #  min_age: 0 #' -e 's#^  npm:   { min_age: 3d }#  npm:   { min_age: 0 }#' "$cfg"
    grep -q '^  min_age: 0 ' "$cfg" && grep -q '{ min_age: 0 }' "$cfg" || die "could not set the windows to 0 in $cfg"
    start_cordon "$cfg" npm
    say "npm: cordon on $URL in front of $(sed -n 's/^  npm: *"\([^"]*\)".*/\1/p' "$cfg" | sed -E 's#//[^/@]*@#//***@#')"
    locks=()
    while IFS= read -r line; do
        [[ -z $line || $line == \#* ]] && continue
        set_name=${line%%:*}
        read -r -a pkgs <<<"${line#*:}"
        dir=$WORK/npm/sets/$set_name
        mkdir -p "$dir"
        printf '{"name": "census-%s", "version": "1.0.0", "private": true}\n' "$set_name" >"$dir/package.json"
        say "npm: installing $set_name: ${pkgs[*]}"
        t0=$(date +%s)
        if (cd "$dir" && timeout "$NPM_TIMEOUT" npm install --registry="$URL/npm/" --cache="$WORK/npm/cache" \
                --no-audit --no-fund --ignore-scripts --legacy-peer-deps --loglevel=warn "${pkgs[@]}") \
                >"$OUT/npm-$set_name.log" 2>&1; then
            say "npm: $set_name installed in $(( $(date +%s) - t0 )) s"
        else
            say "npm: $set_name FAILED after $(( $(date +%s) - t0 )) s: $(grep -m 3 -E 'E403|ERR!' "$OUT/npm-$set_name.log" | tr '\n' ' ')"
            status=1
        fi
        [[ -f $dir/package-lock.json ]] && locks+=(--lockfile "$dir/package-lock.json")
    done <"$SETS"
    rc=0
    "$PY" bench/census_report.py --url "$URL" --token-file "$TOKEN_FILE" --held \
        --title "npm: $(grep -cv '^#\|^$' "$SETS") project sets through the real registry" \
        --markdown "$OUT/npm.md" --json "$OUT/npm.json" "${locks[@]}" || rc=$?
    (( rc > status )) && status=$rc
    kill "${PIDS[-1]}" 2>/dev/null || true
fi

# ---- Maven and PyPI: Debian's packaged artifacts through the fixture ---------
if [[ ,$PARTS, == *,fixture,* ]]; then
    [[ -d /usr/share/maven-repo ]] || die "/usr/share/maven-repo is missing (Debian package maven-repo-helper / maven)"
    mkdir -p "$WORK/fx"
    # the fixture: Debian's Maven repository, Debian's wheels, generated projects
    "$PY" - "$WORK/fx/spec.json" <<'PYEOF'
import glob, json, os, sys
wheels = sorted(glob.glob("/usr/share/python-wheels/*.whl"))
projects = []
for w in wheels:
    name, version = os.path.basename(w).split("-")[:2]
    projects.append({"name": name, "releases": [{"version": version, "age": "400d", "files": ["wheel"],
                                                 "wheel_path": w}]})
# generated, benign projects with realistic names and histories
for name, versions in [("requests", ["2.31.0", "2.32.3"]), ("urllib3", ["2.2.2"]), ("certifi", ["2024.7.4"]),
                       ("idna", ["3.7"]), ("charset-normalizer", ["3.3.2"]), ("packaging", ["24.1"]),
                       ("six", ["1.16.0"]), ("python-dateutil", ["2.9.0"]), ("typing-extensions", ["4.12.2"]),
                       ("attrs", ["23.2.0"])]:
    projects.append({"name": name, "releases": [{"version": v, "age": "%dd" % (400 + i)} for i, v in enumerate(versions)]})
json.dump({"maven": {"debian_repo": "/usr/share/maven-repo", "debian_age": "400d", "artifacts": []},
           "pypi": {"projects": projects}}, open(sys.argv[1], "w"), indent=1)
PYEOF
    "$PY" tests/fixtures/upstream.py --spec "$WORK/fx/spec.json" --state-dir "$WORK/fx/up" --port 0 \
        >"$OUT/fixture.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [[ -s $WORK/fx/up/port ]] && break; sleep 0.1; done
    [[ -s $WORK/fx/up/port ]] || die "the fixture did not start: $(tail -n 5 "$OUT/fixture.log")"
    UP=http://127.0.0.1:$(cat "$WORK/fx/up/port")
    port=$(free_port)
    URL=http://127.0.0.1:$port
    cat >"$WORK/fx/cordon.yaml" <<YAML
listen: 127.0.0.1:$port
public_url: $URL
data_dir: $WORK/fx/data
threads: 2
upstreams:
  pypi: $UP/pypi
  maven: $UP/maven2
quarantine:
  min_age: 0
YAML
    start_cordon "$WORK/fx/cordon.yaml" fx
    say "maven: fetching every jar and POM of /usr/share/maven-repo through cordon"
    list=$WORK/fx/maven.tsv
    : >"$list"
    failed=0 n=0 nopom=0
    while IFS= read -r path; do
        rel=${path#/usr/share/maven-repo/}
        # group/path/artifact/version/file
        ver_dir=${rel%/*}; version=${ver_dir##*/}; art_dir=${ver_dir%/*}; artifact=${art_dir##*/}
        group=${art_dir%/*}; group=${group//\//.}
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "$URL/maven/$rel") || code=000
        n=$((n + 1))
        if [[ $code == 404 ]]; then
            # Debian ships a few files without a POM (classifier jars, aliases):
            # cordon learns a version's time from its POM, so it has none to serve
            nopom=$((nopom + 1))
            echo "$code $rel" >>"$OUT/maven-no-pom.log"
        elif [[ $code != 200 ]]; then
            failed=$((failed + 1))
            echo "$code $rel" >>"$OUT/maven-refused.log"
        fi
        printf 'maven\t%s:%s\t%s\n' "$group" "$artifact" "$version" >>"$list"
    done < <(find -L /usr/share/maven-repo -type f \( -name '*.jar' -o -name '*.pom' \) | sort)
    say "maven: $n files fetched; $nopom have no POM upstream (404, maven-no-pom.log); $failed refused (maven-refused.log)"
    rc=0
    "$PY" bench/census_report.py --url "$URL" --token-file "$TOKEN_FILE" \
        --title "Maven: every jar and POM of Debian's packaged repository ($n files)" \
        --markdown "$OUT/maven.md" --json "$OUT/maven.json" --list "$list" || rc=$?
    (( rc > status )) && status=$rc

    say "pypi: downloading every project through cordon with pip"
    list=$WORK/fx/pypi.tsv
    : >"$list"
    "$PY" -c 'import json,sys; [print(p["name"], r["version"]) for p in json.load(open(sys.argv[1]))["pypi"]["projects"] for r in p["releases"]]' \
        "$WORK/fx/spec.json" | while read -r name version; do
        if ! "$PY" -m pip download --no-deps --disable-pip-version-check --no-cache-dir -q -d "$WORK/fx/dl" \
                --index-url "$URL/pypi/simple/" "$name==$version" >>"$OUT/pypi-pip.log" 2>&1; then
            echo "pip download $name==$version failed" >>"$OUT/pypi-refused.log"
        fi
        norm=$(echo "$name" | tr 'A-Z_.' 'a-z--')
        printf 'pypi\t%s\t%s\n' "$norm" "$version" >>"$list"
    done
    rc=0
    "$PY" bench/census_report.py --url "$URL" --token-file "$TOKEN_FILE" \
        --title "PyPI: Debian's wheels and the fixture's projects" \
        --markdown "$OUT/pypi.md" --json "$OUT/pypi.json" --list "$list" || rc=$?
    [[ -s $OUT/pypi-refused.log ]] && { say "pypi: $(wc -l <"$OUT/pypi-refused.log") downloads failed"; (( rc == 0 )) && rc=1; }
    (( rc > status )) && status=$rc
fi

say "tables: $OUT/*.md; exit $status"
exit "$status"
