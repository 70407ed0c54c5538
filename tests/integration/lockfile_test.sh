#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for lockfile checks (docs/admin-api.md, "Lockfiles" and
# the CLI): lockfiles written by the real clients — npm (package-lock.json
# v3), pnpm (pnpm-lock.yaml v9), yarn berry (yarn.lock), pip (a
# requirements file with --hash pins, checked by pip install
# --require-hashes) and mvn (dependency:list output) — through cordon in
# front of the fixture upstream (tests/fixtures/upstream.py with
# tests/fixtures/lockfile_spec.json), checked with `cordon lockfile check`;
# then the edits a pull request makes: a bump to a version the window holds
# (made by the real client against the fixture directly, as a laptop on the
# public registry would), a typosquat, a changed integrity, a resolved URL on
# another host; the change-set approval and the real install it unlocks; bad
# input (truncated, unknown, malformed integrity, CRLF, conflicting
# duplicates) that stores nothing; token roles; --json; a 50 MB lockfile.
# Everything runs on 127.0.0.1; no test needs the internet.
#
#   scripts/test-tools.sh      # once: pinned pnpm and yarn into build/tools
#   CORDON_BIN=build/cordon bash tests/integration/lockfile_test.sh
#
# One cordon: quarantine min_age 3d (the fixture's young versions are 10
# minutes old).  Tokens: rita (reviewer), cici (ci), made with `cordon token
# add` while the server runs.  CORDON_TOOLS (default build/tools) is where
# scripts/test-tools.sh put pnpm and yarn; without them their cases fail
# (CORDON_ALLOW_SKIP=1: skipped), as does the mvn case without mvn or Debian's
# maven-dependency-plugin (libmaven-dependency-plugin-java).
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"
command -v npm >/dev/null || setup_skip "npm not found"
command -v node >/dev/null || setup_skip "node not found"
"$PYTHON" -m pip --version >/dev/null 2>&1 || setup_skip "pip not found ($PYTHON -m pip)"

TOOLS=${CORDON_TOOLS:-$IT_ROOT/build/tools}
PNPM_BIN=$TOOLS/node_modules/.bin/pnpm
YARN_JS=$TOOLS/node_modules/@yarnpkg/cli-dist/bin/yarn.js
DEBIAN_REPO=/usr/share/maven-repo
HAVE_PNPM=0 HAVE_YARN=0 HAVE_MVN=0
[[ -x $PNPM_BIN ]] && HAVE_PNPM=1
[[ -f $YARN_JS ]] && HAVE_YARN=1
if command -v mvn >/dev/null && command -v java >/dev/null &&
    [[ -d $DEBIAN_REPO/org/apache/maven/plugins/maven-dependency-plugin ]]; then
    HAVE_MVN=1
fi

unset CORDON_TOKEN CORDON_SERVER

it_setup
start_fixture "$IT_ROOT/tests/fixtures/lockfile_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 3d }"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
DATA=$IT_TMP/data
API=$CORDON_URL/-/api
LK=$IT_TMP/lk          # lockfiles and what one case leaves for the next
mkdir -p "$LK"

make_token() { # NAME ROLE: the first line token add printed (all of it read
    # first: no reader that stops early, whose SIGPIPE pipefail would report)
    local out
    out=$(timeout 15 "$CORDON_BIN" token add "$1" --role "$2" --data-dir "$DATA" 2>"$IT_TMP/token-$1.err")
    out=${out%%$'\n'*}
    printf '%s' "${out%$'\r'}"
}
T_REV=$(make_token rita reviewer)
T_CI=$(make_token cici ci)
[[ $T_REV == cordon_* && $T_CI == cordon_* ]] ||
    setup_failed "cordon token add failed: $(cat "$IT_TMP"/token-*.err)"

# A second fixture upstream (same spec) that a case stops and starts again
# on the same port (a dead upstream), and a fresh cordon (npm only) in front
# of it that no client ever used.
F2_PORT="" F2_URL=""
start_f2() { # [PORT]: starts it (its pid in $IT_TMP/f2.pid); 0, or 1 with a message
    local i pid
    rm -f "$IT_TMP/f2/port"
    mkdir -p "$IT_TMP/f2"
    "$PYTHON" "$FIXTURE_PY" --spec "$IT_ROOT/tests/fixtures/lockfile_spec.json" --state-dir "$IT_TMP/f2" \
        --port "${1:-0}" >>"$IT_TMP/f2.out" 2>&1 &
    pid=$!
    echo "$pid" >"$IT_TMP/f2.pid"
    for ((i = 0; i < 100; i++)); do
        [[ -s $IT_TMP/f2/port ]] && break
        kill -0 "$pid" 2>/dev/null || { echo "the second fixture exited: $(tail -n 5 "$IT_TMP/f2.out")"; return 1; }
        sleep 0.1
    done
    F2_PORT=$(cat "$IT_TMP/f2/port" 2>/dev/null) || { echo "the second fixture wrote no port"; return 1; }
    F2_URL=http://127.0.0.1:$F2_PORT
    wait_http "$F2_URL/_fixture/health" 10 || { echo "the second fixture is not healthy"; return 1; }
}
stop_f2() {
    local pid
    pid=$(cat "$IT_TMP/f2.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$IT_TMP/f2.pid"
}
IT_BEFORE_REMOVE+=(stop_f2)
start_f2 || setup_failed "could not start the second fixture upstream"
UPSTREAM_URL=$F2_URL/ start_extra_cordon gate "{ min_age: 3d }"
T_GATE=$(timeout 15 "$CORDON_BIN" token add gci --role ci --data-dir "$IT_TMP/gate/data" 2>/dev/null)
T_GATE=${T_GATE%%$'\n'*}
[[ $T_GATE == cordon_* ]] || setup_failed "cordon token add for the fresh cordon failed"

# ------------------------------------------------------------------ helpers

jb() { json_eval "$HTTP_BODY" "$1"; }

# api TOKEN METHOD PATH [curl args...]: one admin API call ("" = no token).
api() {
    local tok=$1 method=$2 path=$3
    shift 3
    local args=()
    [[ -n $tok ]] && args+=(-H "Authorization: Bearer $tok")
    http "$method" "$API/$path" "${args[@]}" "$@"
}

# cli ARGS...: the cordon CLI against this server, token from CORDON_TOKEN as
# the caller sets it.  Output (both streams) in CLI_OUT, exit in CLI_RC; the
# JSON part of stdout (for --json) in $CLI_JSON.
CLI_N=0
cli() {
    CLI_N=$((CLI_N + 1))
    CLI_JSON=$IT_TMP/cli.$BASHPID.$CLI_N.out
    timeout 120 "$CORDON_BIN" "$@" --server "$CORDON_URL" >"$CLI_JSON" 2>"$CLI_JSON.err"
    CLI_RC=$?
    CLI_OUT=$(cat "$CLI_JSON" "$CLI_JSON.err")
    printf '$ cordon %s\n%s\n(exit %d)\n' "$*" "$(printf '%s' "$CLI_OUT" | head -c 6000)" "$CLI_RC"
}

# lcheck FILE PROJECT [ARGS...]: cordon lockfile check with the ci token.
lcheck() {
    local file=$1 project=$2
    shift 2
    CORDON_TOKEN=${LTOKEN-$T_CI} cli lockfile check "$file" --project "$project" "$@"
}

expect_rc() { # N WHAT
    (( CLI_RC == $1 )) || fail "${2:-cordon} exited $CLI_RC, expected $1"
}

# history PROJECT: GET /-/api/lockfiles/PROJECT (HTTP_STATUS, HTTP_BODY).
history() { api "$T_CI" GET "lockfiles/$1"; }

# submissions PROJECT: how many submissions the project has (0 when 404).
submissions() {
    history "$1"
    if [[ $HTTP_STATUS == 404 ]]; then echo 0; return; fi
    [[ $HTTP_STATUS == 200 ]] || fail "GET lockfiles/$1 answered $HTTP_STATUS: $(body)"
    jb 'len(d["submissions"])'
}

# first_clean FILE PROJECT FORMAT MIN_ENTRIES "PKG@VER ...": the first
# submission of a clean lockfile: exit 0, ok, every entry added and allowed,
# the listed pins among them, and it became the project's base.
first_clean() {
    local file=$1 project=$2 format=$3 min=$4 pins=$5
    lcheck "$file" "$project" --json --ref "first-$project"
    expect_rc 0 "lockfile check of the clean $format lockfile"
    FORMAT=$format MIN=$min PINS=$pins check_json "$CLI_JSON" '
want(d.get("ok") is True, "ok is %r" % d.get("ok"))
want(d.get("format") == env["FORMAT"], "format %r, expected %r" % (d.get("format"), env["FORMAT"]))
s = d.get("summary") or {}
want(s.get("entries", 0) >= int(env["MIN"]), "summary.entries %r < %s" % (s.get("entries"), env["MIN"]))
want(s.get("added") == s.get("entries") and s.get("allowed") == s.get("entries"), "not every entry added and allowed: %r" % s)
want(s.get("held") == 0 and s.get("unknown") == 0, "held/unknown in a clean lockfile: %r" % s)
want(d.get("base") is None, "base %r on a first submission" % d.get("base"))
got = {"%s@%s" % (c["package"], c["version"]) for c in d.get("changes", [])}
for p in env["PINS"].split():
    want(p in got, "%s not among the changes %s" % (p, sorted(got)))
for c in d.get("changes", []):
    want(c.get("change") == "added" and (c.get("verdict") or {}).get("status") == "allowed", "change %r" % c)
' "the first $format report"
    local sub
    sub=$(json_eval "$CLI_JSON" 'd["submission"]') || fail "no submission id"
    history "$project"
    expect_status 200 "GET lockfiles/$project"
    assert_eq "$sub" "$(jb 'd["base"]')" "base of $project after its first clean submission"
    echo "$sub" >"$LK/$project.base"
}

# held_check FILE PROJECT PACKAGE: exit 1, the output names PACKAGE and
# "quarantined until", the base did not move.
held_check() {
    local file=$1 project=$2 pkg=$3 base
    base=$(cat "$LK/$project.base" 2>/dev/null) || fail "needs the clean $project case"
    lcheck "$file" "$project" --ref "bump-$project"
    expect_rc 1 "lockfile check with $pkg bumped to a held version"
    assert_contains "$CLI_OUT" "$pkg" "check output"
    assert_contains "$CLI_OUT" "quarantined until" "check output"
    assert_contains "$CLI_OUT" "HELD" "check output"
    history "$project"
    assert_eq "$base" "$(jb 'd["base"]')" "base of $project after a failed check"
    assert_eq false "$(jb 'd["submissions"][0]["accepted"]')" "accepted of the failed submission"
    jb 'd["submissions"][0]["submission"]' >"$LK/$project.held"
}

client_failed() { # RC OUT WHAT
    (( $1 != 0 )) || fail "$3 succeeded; output: $(printf '%s' "$2" | tail -n 20)"
    (( $1 != 124 && $1 != 137 )) || fail "$3 timed out"
}

# npm_sri FILE: the sha512 SRI of a file
sri_of() {
    "$PYTHON" -c 'import base64, hashlib, sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$1"
}

# --- pnpm (isolated: empty npmrc, home, store and cache in the temp dir)
pnpm_in() { # REGISTRY DIR ARGS...
    local reg=$1 dir=$2
    shift 2
    mkdir -p "$IT_TMP/home-pnpm"
    (
        cd "$dir" || exit 2
        for v in $(env | sed -n 's/^\([Pp][Nn][Pp][Mm]_[^=]*\)=.*/\1/p'); do unset "$v"; done
        HOME=$IT_TMP/home-pnpm XDG_CONFIG_HOME=$IT_TMP/home-pnpm/.config \
            XDG_CACHE_HOME=$IT_TMP/home-pnpm/.cache XDG_DATA_HOME=$IT_TMP/home-pnpm/.local/share \
            NPM_CONFIG_USERCONFIG=$IT_TMP/npmrc-user \
            timeout -k 5 240 "$PNPM_BIN" \
            --registry="$reg" \
            --store-dir="$IT_TMP/pnpm/store" --cache-dir="$IT_TMP/pnpm/cache" \
            --config.update-notifier=false --config.confirmModulesPurge=false \
            --reporter=append-only "$@"
    )
}

# --- yarn berry
yarn_registry() { # DIR REGISTRY (no trailing slash)
    cat >"$1/.yarnrc.yml" <<EOF
npmRegistryServer: "$2"
unsafeHttpWhitelist: ["127.0.0.1"]
enableGlobalCache: false
enableMirror: false
cacheFolder: "$IT_TMP/yarn/cache"
globalFolder: "$IT_TMP/yarn/global"
enableTelemetry: false
enableProgressBars: false
enableColors: false
enableHyperlinks: false
nodeLinker: node-modules
EOF
}
yarn_in() { # DIR ARGS...
    local dir=$1
    shift
    mkdir -p "$IT_TMP/home-yarn"
    (
        cd "$dir" || exit 2
        for v in $(env | sed -n 's/^\([Yy][Aa][Rr][Nn]_[^=]*\)=.*/\1/p'); do unset "$v"; done
        HOME=$IT_TMP/home-yarn XDG_CONFIG_HOME=$IT_TMP/home-yarn/.config YARN_ENABLE_IMMUTABLE_INSTALLS=false \
            timeout -k 5 240 node "$YARN_JS" "$@"
    )
}

DEPS='{"lk-app": "^1.0.0", "lk-util": "^2.0.0"}'

# edit_json FILE PYTHON: rewrite a JSON file with d = its document (indent 2,
# as npm writes it).  env is os.environ.
edit_json() {
    "$PYTHON" - "$1" "$2" <<'PY' || fail "could not edit $1"
import json, os, sys
path = sys.argv[1]
d = json.load(open(path, encoding="utf-8"))
exec(sys.argv[2], {"d": d, "env": os.environ})
open(path, "w", encoding="utf-8").write(json.dumps(d, indent=2) + "\n")
PY
}

# fixture_integrity NAME VERSION: dist.integrity of the fixture's packument
fixture_integrity() {
    curl -s --max-time 10 "$FIXTURE_URL/$1" | V=$2 "$PYTHON" -c '
import json, os, sys
print(json.load(sys.stdin)["versions"][os.environ["V"]]["dist"]["integrity"])'
}

# ------------------------------------------------------------------ clean lockfiles from the real clients

t_npm_clean() {
    local dir=$LK/npm out
    new_project "$dir" "$DEPS"
    out=$(npm_in "$dir" install 2>&1) || fail "npm install through cordon failed: $out"
    assert_eq 3 "$(json_eval "$dir/package-lock.json" 'd["lockfileVersion"]')" "lockfileVersion npm wrote"
    cp "$dir/package-lock.json" "$LK/npm-base.json"
    first_clean "$dir/package-lock.json" web-npm npm 3 "lk-app@1.0.0 lk-lib@1.1.0 lk-util@2.0.0"
}

t_pnpm_clean() {
    local dir=$LK/pnpm out
    new_project "$dir" "$DEPS"
    out=$(pnpm_in "$NPM_REGISTRY" "$dir" install 2>&1) || fail "pnpm install through cordon failed: $out"
    grep -q "^lockfileVersion: '9" "$dir/pnpm-lock.yaml" || fail "not a v9 pnpm-lock.yaml: $(head -n 3 "$dir/pnpm-lock.yaml")"
    first_clean "$dir/pnpm-lock.yaml" web-pnpm pnpm 3 "lk-app@1.0.0 lk-lib@1.1.0 lk-util@2.0.0"
}

t_yarn_clean() {
    local dir=$LK/yarn out
    new_project "$dir" "$DEPS"
    : >"$dir/yarn.lock"
    yarn_registry "$dir" "${CORDON_URL}/npm"
    out=$(yarn_in "$dir" install 2>&1) || fail "yarn install through cordon failed: $out"
    grep -q '^__metadata:' "$dir/yarn.lock" || fail "not a berry yarn.lock: $(head -n 8 "$dir/yarn.lock")"
    cp "$dir/yarn.lock" "$LK/yarn-base.lock"
    first_clean "$dir/yarn.lock" web-yarn yarn 3 "lk-app@1.0.0 lk-lib@1.1.0 lk-util@2.0.0"
}

# pip: pip download through cordon, pip hash of each file, written the way
# pip-compile --generate-hashes writes it; pip install --require-hashes
# proves it is a real hash-pinned requirements file.
t_pip_clean() {
    local dl=$LK/pipdl req=$LK/requirements.txt out f name ver
    out=$(pip_in download -d "$dl" lk-py==1.0 2>&1) || fail "pip download through cordon failed: $out"
    {
        echo "#"
        echo "# This file is autogenerated by pip-compile with Python 3"
        echo "#"
        for f in "$dl"/*.whl; do
            name=$(basename "$f" | cut -d- -f1 | tr _ -)
            ver=$(basename "$f" | cut -d- -f2)
            printf '%s==%s \\\n' "$name" "$ver"
            printf '    --%s\n' "$(PIP_CONFIG_FILE=/dev/null "$PYTHON" -m pip hash --algorithm sha256 "$f" 2>/dev/null | sed -n 's/^--//p')"
            [[ $name == lk-py ]] && echo "    # via -r requirements.in" || echo "    # via lk-py"
        done
    } >"$req"
    cat "$req"
    grep -q -- '--hash=sha256:[0-9a-f]\{64\}' "$req" || fail "pip hash printed no sha256"
    out=$(pip_in install --require-hashes --target "$LK/pip-target" -r "$req" 2>&1) ||
        fail "pip install --require-hashes -r requirements.txt through cordon failed: $out"
    assert_pip_installed "$LK/pip-target" lk-py 1.0
    first_clean "$req" web-pip pip 2 "lk-py@1.0 lk-py-dep@2.0"
}

# mvn: dependency:list of a small project through cordon, its whole output
# as CI captures it (mvn dependency:list > deps.txt), and the -DoutputFile form
t_mvn_clean() {
    local dir=$LK/mvn
    new_maven_project "$dir" "$(mvn_dep org.cordon.lk lk-jar 1.0)"
    IT_MVN_REPO=$LK/m2 mvn_in "$dir" dependency:list >"$LK/mvn-deps.txt"
    local rc=$?
    (( rc == 0 )) || fail "mvn dependency:list through cordon failed ($rc): $(tail -n 30 "$LK/mvn-deps.txt")"
    grep -v 'Download' "$LK/mvn-deps.txt" | tail -n 15
    grep -q 'org.cordon.lk:lk-jar-dep:jar:1.0:compile' "$LK/mvn-deps.txt" || fail "dependency:list does not list lk-jar-dep"
    first_clean "$LK/mvn-deps.txt" web-mvn maven 2 "org.cordon.lk:lk-jar@1.0 org.cordon.lk:lk-jar-dep@1.0"
    # the plugin's own file form (offline: everything is in the local repository now)
    IT_MVN_REPO=$LK/m2 mvn_in "$dir" -o dependency:list -DoutputFile="$LK/mvn-deps-file.txt" >/dev/null ||
        fail "mvn dependency:list -DoutputFile failed: $(tail -n 20 "$dir/mvn.log")"
    cat "$LK/mvn-deps-file.txt"
    first_clean "$LK/mvn-deps-file.txt" web-mvn-file maven 2 "org.cordon.lk:lk-jar@1.0 org.cordon.lk:lk-jar-dep@1.0"
}

# ------------------------------------------------------------------ pull-request edits

# (a) a bump to a version the window holds: the real client against the
# fixture directly (a laptop on the public registry), then the check.
t_npm_bump_held() {
    [[ -f $LK/npm-base.json ]] || fail "needs the clean npm case"
    local dir=$LK/npm-bump out
    mkdir -p "$dir"
    cp "$LK/npm/package.json" "$dir/package.json"
    cp "$LK/npm-base.json" "$dir/package-lock.json"
    out=$(NPM_REGISTRY=$UPSTREAM_URL npm_in "$dir" install --package-lock-only lk-lib@1.2.0 2>&1) ||
        fail "npm install lk-lib@1.2.0 against the fixture failed: $out"
    assert_eq 1.2.0 "$(json_eval "$dir/package-lock.json" 'd["packages"]["node_modules/lk-lib"]["version"]')" "lk-lib in the bumped lockfile"
    cp "$dir/package-lock.json" "$LK/npm-bumped.json"
    held_check "$dir/package-lock.json" web-npm lk-lib
    assert_contains "$CLI_OUT" "lk-lib 1.1.0 -> 1.2.0" "check output"
    printf '%s\n' "$CLI_OUT" >"$LK/npm-bump.out"
    # the same version through cordon, before any approval: refused
    local p=$LK/npm-before
    new_project "$p"
    out=$(npm_in "$p" install lk-lib@1.2.0 2>&1)
    client_failed $? "$out" "npm install lk-lib@1.2.0 through cordon before the approval"
}

t_pnpm_bump_held() {
    [[ -f $LK/web-pnpm.base ]] || fail "needs the clean pnpm case"
    local dir=$LK/pnpm out
    out=$(pnpm_in "$UPSTREAM_URL" "$dir" add --lockfile-only lk-lib@1.2.0 2>&1) ||
        fail "pnpm add lk-lib@1.2.0 against the fixture failed: $out"
    grep -q 'lk-lib@1.2.0' "$dir/pnpm-lock.yaml" || fail "pnpm-lock.yaml does not pin lk-lib@1.2.0: $(cat "$dir/pnpm-lock.yaml")"
    held_check "$dir/pnpm-lock.yaml" web-pnpm lk-lib
}

t_yarn_bump_held() {
    [[ -f $LK/web-yarn.base ]] || fail "needs the clean yarn case"
    local dir=$LK/yarn out
    yarn_registry "$dir" "${FIXTURE_URL}"
    out=$(yarn_in "$dir" add lk-lib@1.2.0 --mode=update-lockfile 2>&1) ||
        fail "yarn add lk-lib@1.2.0 against the fixture failed: $out"
    grep -q '"lk-lib@npm:1.2.0"' "$dir/yarn.lock" || fail "yarn.lock does not pin lk-lib 1.2.0: $(cat "$dir/yarn.lock")"
    held_check "$dir/yarn.lock" web-yarn lk-lib
}

t_pip_bump_held() {
    [[ -f $LK/web-pip.base ]] || fail "needs the clean pip case"
    local sha
    sha=$(fixture_pypi_file lk-py lk_py-1.1-py3-none-any.whl sha256) || fail "the fixture lists no lk-py 1.1 wheel"
    SHA=$sha "$PYTHON" - "$LK/requirements.txt" "$LK/requirements-bumped.txt" <<'PY' || fail "could not edit requirements.txt"
import os, re, sys
lines = open(sys.argv[1]).read().split("\n")
out, skip = [], False
for i, l in enumerate(lines):
    if l.startswith("lk-py=="):
        out.append("lk-py==1.1 \\")
        skip = True
        continue
    if skip and l.strip().startswith("--hash="):
        out.append("    --hash=sha256:" + os.environ["SHA"])
        skip = False
        continue
    out.append(l)
open(sys.argv[2], "w").write("\n".join(out))
PY
    cat "$LK/requirements-bumped.txt"
    held_check "$LK/requirements-bumped.txt" web-pip lk-py
}

t_mvn_bump_held() {
    [[ -f $LK/web-mvn.base ]] || fail "needs the clean mvn case"
    # what cordon knows of lk-jar's versions comes from its metadata
    http GET "${MAVEN_REPO}org/cordon/lk/lk-jar/maven-metadata.xml"
    expect_status 200 "lk-jar's maven-metadata.xml through cordon"
    sed 's/org\.cordon\.lk:lk-jar:jar:1\.0:compile/org.cordon.lk:lk-jar:jar:1.1:compile/' \
        "$LK/mvn-deps.txt" >"$LK/mvn-deps-bumped.txt"
    grep -q 'lk-jar:jar:1.1:compile' "$LK/mvn-deps-bumped.txt" || fail "the edit did not take"
    held_check "$LK/mvn-deps-bumped.txt" web-mvn org.cordon.lk:lk-jar
}

# The held line says what to do next (DESIGN.md, Denials): 1.1.0 is allowed,
# and the CLI itself says "pin an allowed version (the error lines name one)".
t_npm_held_names_alternative() {
    [[ -f $LK/npm-bump.out ]] || fail "needs the npm bump case"
    local out
    out=$(cat "$LK/npm-bump.out")
    assert_contains "$out" "pin an allowed version (the error lines name one)" "check output"
    assert_contains "$out" "newest allowed: 1.1.0" "the held line of lk-lib@1.2.0 (lk-lib@1.1.0 is allowed)"
}

# (b) a typosquat cordon has seen (its packument fetched once through cordon)
t_npm_typosquat() {
    [[ -f $LK/npm-base.json ]] || fail "needs the clean npm case"
    http GET "${NPM_REGISTRY}lodahs"
    expect_status 200 "lodahs' packument through cordon"
    local f=$LK/npm-typo.json integ
    integ=$(fixture_integrity lodahs 1.0.0) || fail "no integrity for lodahs"
    cp "$LK/npm-base.json" "$f"
    INTEG=$integ URL="${NPM_REGISTRY}lodahs/-/lodahs-1.0.0.tgz" edit_json "$f" '
d["packages"][""]["dependencies"]["lodahs"] = "^1.0.0"
d["packages"]["node_modules/lodahs"] = {"version": "1.0.0", "resolved": env["URL"], "integrity": env["INTEG"], "license": "MIT"}'
    lcheck "$f" web-npm --ref typo
    expect_rc 1 "lockfile check with lodahs added"
    assert_contains "$CLI_OUT" "lodahs" "check output"
    assert_contains "$CLI_OUT" "looks like lodash" "check output"
}

# (c) the same version with another (well-formed) integrity
t_npm_integrity_changed() {
    [[ -f $LK/npm-base.json ]] || fail "needs the clean npm case"
    local f=$LK/npm-integ.json other
    other=$(printf 'not the bytes of lk-util' >"$LK/other.bin" && sri_of "$LK/other.bin")
    cp "$LK/npm-base.json" "$f"
    OTHER=$other edit_json "$f" 'd["packages"]["node_modules/lk-util"]["integrity"] = env["OTHER"]'
    lcheck "$f" web-npm --ref integ --json
    expect_rc 1 "lockfile check with lk-util's integrity changed"
    OTHER=$other check_json "$CLI_JSON" '
want(d.get("ok") is False, "ok %r" % d.get("ok"))
want(d["summary"].get("integrity_changed") == 1, "summary %r" % d["summary"])
ch = [c for c in d["changes"] if c["package"] == "lk-util"]
want(len(ch) == 1, "lk-util changes: %r" % ch)
if ch:
    want(ch[0]["change"] == "integrity_changed", "change %r" % ch[0]["change"])
    want(ch[0]["version"] == "2.0.0", "version %r" % ch[0]["version"])
    want("integrity_changed" in ch[0]["flags"], "flags %r" % ch[0]["flags"])
    want(ch[0]["integrity"] == env["OTHER"], "integrity %r" % ch[0]["integrity"])
' "the integrity_changed report"
}

# (d) resolved on another host: a new entry, and an existing entry whose
# resolved alone moved (lockfile injection: same version and integrity)
t_npm_resolved_added() {
    [[ -f $LK/npm-base.json ]] || fail "needs the clean npm case"
    http GET "${NPM_REGISTRY}lk-extra"
    expect_status 200 "lk-extra's packument through cordon"
    local f=$LK/npm-away.json integ
    integ=$(fixture_integrity lk-extra 1.0.0) || fail "no integrity for lk-extra"
    cp "$LK/npm-base.json" "$f"
    INTEG=$integ edit_json "$f" '
d["packages"][""]["dependencies"]["lk-extra"] = "^1.0.0"
d["packages"]["node_modules/lk-extra"] = {"version": "1.0.0", "resolved": "http://127.0.0.2:9/lk-extra/-/lk-extra-1.0.0.tgz", "integrity": env["INTEG"], "license": "MIT"}'
    lcheck "$f" web-npm --ref away --json
    expect_rc 1 "lockfile check with lk-extra resolved from 127.0.0.2"
    check_json "$CLI_JSON" '
want(d.get("ok") is False, "ok %r" % d.get("ok"))
want(d["summary"].get("resolved_elsewhere") == 1, "summary %r" % d["summary"])
ch = [c for c in d["changes"] if c["package"] == "lk-extra"]
want(len(ch) == 1 and "resolved_elsewhere" in ch[0]["flags"], "lk-extra change %r" % ch)
want(len(ch) == 1 and ch[0]["change"] == "added" and ch[0]["verdict"]["status"] == "allowed", "lk-extra change %r" % ch)
' "the resolved_elsewhere report (added entry)"
    lcheck "$f" web-npm --ref away
    assert_contains "$CLI_OUT" "127.0.0.2:9" "check output"
}

t_npm_resolved_moved() {
    [[ -f $LK/npm-base.json ]] || fail "needs the clean npm case"
    local f=$LK/npm-moved.json
    cp "$LK/npm-base.json" "$f"
    edit_json "$f" 'd["packages"]["node_modules/lk-util"]["resolved"] = "http://127.0.0.2:9/lk-util/-/lk-util-2.0.0.tgz"'
    lcheck "$f" web-npm --ref moved --json
    check_json "$CLI_JSON" '
want(d.get("ok") is False, "ok %r: a resolved URL moved to another host passes" % d.get("ok"))
want(d["summary"].get("resolved_elsewhere") == 1, "summary %r" % d["summary"])
ch = [c for c in d["changes"] if c["package"] == "lk-util"]
want(len(ch) == 1 and "resolved_elsewhere" in ch[0].get("flags", []), "lk-util changes %r" % ch)
want(len(ch) == 1 and ch[0].get("change") == "resolved_changed", "lk-util change %r, expected resolved_changed" % [c.get("change") for c in ch])
' "the report of lk-util resolved from 127.0.0.2 (same version and integrity)"
    expect_rc 1 "lockfile check with lk-util's resolved moved to 127.0.0.2"
}

# ------------------------------------------------------------------ every entry, every time; integrity against upstream

# accept -> block -> the same lockfile fails (API and CLI), lift -> passes
t_block_after_accept() {
    local dir=$LK/gate out f id
    new_project "$dir" '{"lk-gate": "^1.0.0"}'
    out=$(npm_in "$dir" install 2>&1) || fail "npm install lk-gate through cordon failed: $out"
    f=$dir/package-lock.json
    lcheck "$f" web-gate --ref accepted
    expect_rc 0 "the first check of the lk-gate lockfile"
    api "$T_REV" POST blocks -H 'Content-Type: application/json' \
        --data-binary '{"ecosystem": "npm", "package": "lk-gate", "version": "1.0.0", "comment": "compromised release"}'
    expect_status 201 "POST /-/api/blocks lk-gate@1.0.0"
    id=$(jb 'd["id"]') || fail "no block id: $(body)"
    # the API: the unchanged entry is judged again and fails
    api "$T_CI" POST "lockfiles/web-gate?ref=after-block" --data-binary "@$f"
    expect_status 200 "POST of the same lockfile after the block"
    check_json "$HTTP_BODY" '
want(d.get("ok") is False, "ok %r: a blocked version passed because its entry did not change" % d.get("ok"))
ch = [c for c in d["changes"] if c["package"] == "lk-gate"]
want(len(ch) == 1, "lk-gate changes %r" % ch)
if ch:
    want(ch[0]["change"] == "unchanged", "change %r" % ch[0]["change"])
    want(ch[0]["verdict"]["status"] == "held" and ch[0]["verdict"]["reason"] == "blocked", "verdict %r" % ch[0]["verdict"])
want(d["summary"].get("unchanged") == d["summary"]["entries"], "summary %r" % d["summary"])
' "the report after the block"
    # the CLI: exit 1, naming it
    lcheck "$f" web-gate --ref after-block-cli
    expect_rc 1 "cordon lockfile check of the same lockfile after the block"
    assert_contains "$CLI_OUT" "lk-gate" "check output"
    assert_contains "$CLI_OUT" "blocked" "check output"
    history web-gate
    assert_eq 1 "$(jb 'd["base"]')" "base of web-gate after the block"
    # lifted: passes again
    api "$T_REV" DELETE "blocks/$id"
    expect_status 200 "DELETE /-/api/blocks/$id"
    lcheck "$f" web-gate --ref lifted
    expect_rc 0 "cordon lockfile check after the block was lifted"
}

# a forged digest on one entry of a project's first submission
t_forged_first_npm() {
    [[ -f $LK/npm-base.json ]] || fail "needs the clean npm case"
    local f=$LK/npm-forged.json forged real
    forged=$(printf 'bytes that are not lk-util' >"$LK/forged.bin" && sri_of "$LK/forged.bin")
    real=$(fixture_integrity lk-util 2.0.0) || fail "no integrity for lk-util"
    cp "$LK/npm-base.json" "$f"
    FORGED=$forged edit_json "$f" 'd["packages"]["node_modules/lk-util"]["integrity"] = env["FORGED"]'
    lcheck "$f" forged-npm --ref first --json
    expect_rc 1 "the first check of a lockfile with a forged lk-util integrity"
    FORGED=$forged REAL=$real check_json "$CLI_JSON" '
want(d.get("ok") is False and d.get("base") is None, "ok %r base %r" % (d.get("ok"), d.get("base")))
want(d["summary"].get("integrity_mismatch") == 1, "summary %r" % d["summary"])
for c in d["changes"]:
    if c["package"] == "lk-util":
        want(c["change"] == "added", "change %r" % c["change"])
        want(c.get("integrity_check") == "mismatch", "integrity_check %r" % c.get("integrity_check"))
        want(env["REAL"] in c.get("upstream_integrity", ""), "upstream_integrity %r, expected %r" % (c.get("upstream_integrity"), env["REAL"]))
        want(c["verdict"]["status"] == "held" and c["verdict"]["reason"] == "integrity_mismatch", "verdict %r" % c["verdict"])
    else:
        want(c.get("integrity_check") == "verified" and c["verdict"]["status"] == "allowed", "%s: %r" % (c["package"], c))
want(any(c["package"] == "lk-util" for c in d["changes"]), "lk-util not listed")
' "the report of the forged first submission"
    local id
    id=$(json_eval "$CLI_JSON" 'd["submission"]')
    lcheck "$f" forged-npm --ref first-again
    expect_rc 1 "the forged lockfile, checked again"
    assert_contains "$CLI_OUT" "not what the npm upstream publishes" "check output"
    assert_contains "$CLI_OUT" "$real" "check output (upstream's digest)"
    # no approval passes it
    api "$T_REV" POST "lockfiles/forged-npm/$id/approve" -H 'Content-Type: application/json' \
        --data-binary '{"comment": "looks fine"}'
    expect_status 409 "approving the forged submission"
    assert_eq not_approvable "$(jb 'd["reason"]')" "reason"
    assert_contains "$(jb 'd["error"]')" "lk-util@2.0.0" "the 409's error"
    history forged-npm
    assert_eq null "$(jb 'd["base"]')" "base of forged-npm"
}

t_forged_first_pnpm() {
    [[ -f $LK/pnpm/pnpm-lock.yaml ]] || fail "needs the pnpm cases"
    local f=$LK/pnpm-forged.yaml forged real
    forged=$(printf 'bytes that are not lk-util either' >"$LK/forged2.bin" && sri_of "$LK/forged2.bin")
    real=$(fixture_integrity lk-util 2.0.0) || fail "no integrity for lk-util"
    grep -qF "$real" "$LK/pnpm/pnpm-lock.yaml" || fail "pnpm-lock.yaml does not pin lk-util's integrity"
    REAL=$real FORGED=$forged "$PYTHON" - "$LK/pnpm/pnpm-lock.yaml" "$f" <<'PY' || fail "could not edit pnpm-lock.yaml"
import os, sys
open(sys.argv[2], "w").write(open(sys.argv[1]).read().replace(os.environ["REAL"], os.environ["FORGED"]))
PY
    lcheck "$f" forged-pnpm --json
    expect_rc 1 "the first check of a pnpm-lock.yaml with a forged lk-util integrity"
    check_json "$CLI_JSON" '
ch = [c for c in d["changes"] if c["package"] == "lk-util"]
want(len(ch) == 1 and ch[0].get("integrity_check") == "mismatch" and ch[0]["verdict"]["reason"] == "integrity_mismatch", "lk-util %r" % ch)
want(d["summary"].get("integrity_mismatch") == 1, "summary %r" % d["summary"])
' "the pnpm report"
}

t_forged_first_pip() {
    [[ -f $LK/requirements.txt ]] || fail "needs the clean pip case"
    local f=$LK/requirements-forged.txt
    "$PYTHON" - "$LK/requirements.txt" "$f" <<'PY' || fail "could not edit requirements.txt"
import hashlib, re, sys
lines, out, dep = open(sys.argv[1]).read().split("\n"), [], False
for l in lines:
    if l.startswith("lk-py-dep=="):
        dep = True
    elif dep and "--hash=sha256:" in l:
        l = re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + hashlib.sha256(b"not the wheel").hexdigest(), l)
        dep = False
    out.append(l)
open(sys.argv[2], "w").write("\n".join(out))
PY
    cat "$f"
    lcheck "$f" forged-pip --json
    expect_rc 1 "the first check of a requirements file with a forged --hash for lk-py-dep"
    check_json "$CLI_JSON" '
ch = {c["package"]: c for c in d["changes"]}
want("lk-py-dep" in ch and ch["lk-py-dep"].get("integrity_check") == "mismatch", "lk-py-dep %r" % ch.get("lk-py-dep"))
want("lk-py-dep" in ch and ch["lk-py-dep"]["verdict"]["reason"] == "integrity_mismatch", "lk-py-dep verdict %r" % ch.get("lk-py-dep"))
want("lk-py" in ch and ch["lk-py"].get("integrity_check") == "verified" and ch["lk-py"]["verdict"]["status"] == "allowed", "lk-py %r" % ch.get("lk-py"))
' "the pip report"
}

# a lockfile of PyPI packages cordon never fetched: real verdicts, not "unknown"
t_pip_unseen() {
    local sha f=$LK/requirements-fresh.txt
    sha=$(fixture_pypi_file lk-fresh-py lk_fresh_py-1.1-py3-none-any.whl sha256) || fail "the fixture lists no lk-fresh-py 1.1 wheel"
    printf 'lk-fresh-py==1.1 \\\n    --hash=sha256:%s\n' "$sha" >"$f"
    lcheck "$f" fresh-pip --json
    expect_rc 1 "the check of lk-fresh-py==1.1 (10 minutes old)"
    check_json "$CLI_JSON" '
c = d["changes"][0] if d["changes"] else {}
want(c.get("package") == "lk-fresh-py" and c["verdict"]["status"] == "held" and c["verdict"]["reason"] == "quarantine", "verdict %r" % c.get("verdict"))
want(c.get("integrity_check") == "verified", "integrity_check %r" % c.get("integrity_check"))
want(d["summary"]["unknown"] == 0 and d["fetch"]["fetched"] == 1, "summary %r fetch %r" % (d["summary"], d["fetch"]))
' "the report of a project cordon never saw"
}

# Maven: versions cordon never timed are timed from their POM for the check;
# a version with no POM upstream is not_found
t_mvn_unseen() {
    local f=$LK/mvn-unseen.txt
    assert_eq 0 "$(fixture_hits /maven2/org/cordon/lk/lk-jar-fresh/1.1/lk-jar-fresh-1.1.pom)" "POM requests before the check"
    printf '%s\n' "[INFO] The following files have been resolved:" \
        "[INFO]    org.cordon.lk:lk-jar-fresh:jar:1.0:compile" \
        "[INFO]    org.cordon.lk:lk-jar-dep:jar:9.9:compile" >"$f"
    lcheck "$f" mvn-unseen --json
    expect_rc 1 "the check of Maven versions cordon never timed"
    check_json "$CLI_JSON" '
ch = {c["package"]: c for c in d["changes"]}
c = ch.get("org.cordon.lk:lk-jar-fresh") or {}
want(c.get("verdict", {}).get("status") == "allowed", "lk-jar-fresh 1.0 (30 days old) %r" % c)
c = ch.get("org.cordon.lk:lk-jar-dep") or {}
want(c.get("verdict", {}).get("reason") == "not_found", "lk-jar-dep 9.9 (no POM) %r" % c)
want(d["summary"]["unknown"] == 0 and d["fetch"]["fetched"] == 1 and d["fetch"]["not_found"] == 1, "summary %r fetch %r" % (d["summary"], d["fetch"]))
' "the Maven report"
    printf '%s\n' "[INFO] The following files have been resolved:" "[INFO]    org.cordon.lk:lk-jar-fresh:jar:1.1:compile" >"$f"
    lcheck "$f" mvn-unseen-young
    expect_rc 1 "the check of lk-jar-fresh 1.1 (10 minutes old)"
    assert_contains "$CLI_OUT" "quarantined until" "check output"
    assert_eq 1 "$(fixture_hits /maven2/org/cordon/lk/lk-jar-fresh/1.1/lk-jar-fresh-1.1.pom)" "POM requests for 1.1"
}

# ------------------------------------------------------------------ a fresh cordon; a dead upstream

# gcheck FILE PROJECT [ARGS...]: lockfile check against the fresh cordon
gcheck() {
    local file=$1 project=$2
    shift 2
    CORDON_URL=$GATE_URL CORDON_TOKEN=$T_GATE cli lockfile check "$file" --project "$project" "$@"
}

t_fresh_cordon() {
    # made against the registry directly, on Linux: lk-fresh-darwin (os darwin) is
    # in the lockfile as an optional entry, never installed
    local dir=$LK/fresh out
    new_project "$dir" '{"lk-fresh": "^1.0.0"}'
    out=$(NPM_REGISTRY=$F2_URL/ npm_in "$dir" install 2>&1) || fail "npm install lk-fresh against the fixture failed: $out"
    json_eval "$dir/package-lock.json" 'd["packages"]["node_modules/lk-fresh-darwin"]["os"]' >/dev/null ||
        fail "the lockfile has no darwin entry: $(cat "$dir/package-lock.json")"
    [[ ! -d $dir/node_modules/lk-fresh-darwin ]] || fail "npm installed the darwin package on this platform"
    F2=$F2_URL edit_json "$dir/package-lock.json" '
d["packages"]["node_modules/lk-ghost"] = {"version": "1.0.0", "resolved": env["F2"] + "/lk-ghost/-/lk-ghost-1.0.0.tgz",
  "integrity": d["packages"]["node_modules/lk-fresh"]["integrity"]}'
    gcheck "$dir/package-lock.json" fresh-web --json
    expect_rc 1 "the fresh cordon's check (a young darwin binary, a package upstream does not have)"
    check_json "$CLI_JSON" '
ch = {c["package"]: c for c in d["changes"]}
for p in ("lk-fresh", "lk-fresh-dep"):
    c = ch.get(p) or {}
    want(c.get("verdict", {}).get("status") == "allowed" and c.get("integrity_check") == "verified", "%s %r" % (p, c))
c = ch.get("lk-fresh-darwin") or {}
want(c.get("verdict", {}).get("status") == "held" and c["verdict"].get("reason") == "quarantine", "lk-fresh-darwin %r" % c)
want("quarantined until" in (c.get("verdict", {}).get("error") or ""), "lk-fresh-darwin error %r" % c.get("verdict"))
c = ch.get("lk-ghost") or {}
want(c.get("verdict", {}).get("reason") == "not_found", "lk-ghost %r" % c)
want(d["summary"]["unknown"] == 0, "unknown entries from a fresh cordon: %r" % d["summary"])
want(d["fetch"]["fetched"] == 3 and d["fetch"]["not_found"] == 1 and d["fetch"]["failed"] == 0, "fetch %r" % d["fetch"])
' "the fresh cordon's report"
    local n
    n=$(curl -s --max-time 5 "$F2_URL/_fixture/hits?path=/lk-fresh-darwin" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["count"])')
    [[ $n -ge 2 ]] || fail "expected npm's and cordon's requests for lk-fresh-darwin's packument, got $n"
}

t_dead_upstream() {
    local dir=$LK/gate-app out l1=$LK/gate-l1.json l2=$LK/gate-l2.json integ
    new_project "$dir" '{"lk-gate": "^1.0.0", "lodash": "^4.17.20"}'
    out=$(NPM_REGISTRY=$F2_URL/ npm_in "$dir" install 2>&1) || fail "npm install against the fixture failed: $out"
    cp "$dir/package-lock.json" "$l1"
    gcheck "$l1" gate-web --ref first
    expect_rc 0 "the first check on the fresh cordon"
    integ=$(curl -s --max-time 10 "$F2_URL/lk-extra" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["versions"]["1.0.0"]["dist"]["integrity"])')
    cp "$l1" "$l2"
    F2=$F2_URL INTEG=$integ edit_json "$l2" '
d["packages"][""]["dependencies"]["lk-extra"] = "^1.0.0"
d["packages"]["node_modules/lk-extra"] = {"version": "1.0.0", "resolved": env["F2"] + "/lk-extra/-/lk-extra-1.0.0.tgz", "integrity": env["INTEG"]}'
    # the upstream dies; lk-extra is new to cordon
    stop_f2
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$F2_URL/_fixture/health") == 000 ]] ||
        fail "the second fixture still answers"
    gcheck "$l2" gate-web --ref dead --json
    expect_rc 1 "the check while the upstream is down"
    check_json "$CLI_JSON" '
ch = {c["package"]: c for c in d["changes"]}
c = ch.get("lk-extra") or {}
v = c.get("verdict") or {}
want(v.get("status") == "unknown", "lk-extra %r" % c)
want("upstream failed" in (v.get("error") or ""), "the error does not say the upstream failed: %r" % v.get("error"))
want("unreachable" in (v.get("upstream_error") or ""), "upstream_error %r" % v.get("upstream_error"))
want(d["summary"]["unknown"] == 1 and d["summary"]["allowed"] == d["summary"]["entries"] - 1, "summary %r" % d["summary"])
want(d["fetch"]["failed"] == 1 and d["fetch"]["errors"] and d["fetch"]["errors"][0]["package"] == "lk-extra", "fetch %r" % d["fetch"])
' "the report while the upstream is down"
    gcheck "$l2" gate-web --ref dead-text
    expect_rc 1 "the check while the upstream is down (text)"
    assert_contains "$CLI_OUT" "the upstream failed" "check output"
    assert_contains "$CLI_OUT" "UNKNOWN" "check output"
    # nothing lost: both stored, the base unchanged
    CORDON_URL=$GATE_URL CORDON_TOKEN=$T_GATE cli lockfile history gate-web
    check_json "$CLI_JSON" '
want(d["base"] == 1 and len(d["submissions"]) == 3, "base %r, %d submissions" % (d["base"], len(d["submissions"])))
want([s["accepted"] for s in d["submissions"]] == [False, False, True], "accepted %r" % [s["accepted"] for s in d["submissions"]])
' "the history after the failed checks"
    # the upstream is back: real verdicts
    start_f2 "$F2_PORT" || fail "could not start the second fixture again on port $F2_PORT"
    gcheck "$l2" gate-web --ref back --json
    expect_rc 0 "the check once the upstream answers again"
    check_json "$CLI_JSON" '
want(d["ok"] is True and d["summary"]["unknown"] == 0, "summary %r" % d["summary"])
ch = [c for c in d["changes"] if c["package"] == "lk-extra"]
want(ch and ch[0]["integrity_check"] == "verified", "lk-extra %r" % ch)
' "the report once the upstream is back"
}

# ------------------------------------------------------------------ change-set approval

t_approve_change_set() {
    local id
    id=$(cat "$LK/web-npm.held" 2>/dev/null) || fail "needs the npm bump case"
    # a ci token may submit, not approve; no token at all: 401
    api "$T_CI" POST "lockfiles/web-npm/$id/approve" -H 'Content-Type: application/json' --data-binary '{"comment": "ci tries"}'
    expect_status 403 "approve with the ci token"
    assert_eq forbidden "$(jb 'd["reason"]')" "reason"
    CORDON_TOKEN=$T_CI cli lockfile approve web-npm "$id" --comment "ci tries"
    expect_rc 1 "cordon lockfile approve with the ci token"
    api "" POST "lockfiles/web-npm/$id/approve" -H 'Content-Type: application/json' --data-binary '{"comment": "anyone"}'
    expect_status 401 "approve without a token"
    (unset CORDON_TOKEN; cli lockfile approve web-npm "$id" --comment "anyone"; exit "$CLI_RC")
    (( $? == 1 )) || fail "cordon lockfile approve without a token: expected exit 1"
    # the reviewer
    CORDON_TOKEN=$T_REV cli lockfile approve web-npm "$id" --comment "lk-lib 1.2.0 diff reviewed"
    expect_rc 0 "cordon lockfile approve as reviewer"
    ID=$id check_json "$CLI_JSON" '
a = d.get("approvals") or []
want(any(x["package"] == "lk-lib" and x["version"] == "1.2.0" and x["ecosystem"] == "npm" for x in a), "approvals %r" % a)
want(all("(lockfile web-npm#%s)" % env["ID"] in x["comment"] for x in a), "comments %r" % [x.get("comment") for x in a])
want(d.get("base") == int(env["ID"]), "base %r" % d.get("base"))
' "the approve answer"
    history web-npm
    assert_eq "$id" "$(jb 'd["base"]')" "base of web-npm after the approval"
    # the same lockfile again: passes
    lcheck "$LK/npm-bumped.json" web-npm --ref after-approval
    expect_rc 0 "lockfile check of the approved lockfile"
    # another project with it: lk-lib@1.2.0 is added and allowed now
    lcheck "$LK/npm-bumped.json" web-npm-other --json
    expect_rc 0 "lockfile check of the approved lockfile in a new project"
    check_json "$CLI_JSON" '
ch = [c for c in d["changes"] if c["package"] == "lk-lib"]
want(len(ch) == 1 and ch[0]["version"] == "1.2.0" and ch[0]["verdict"]["status"] == "allowed", "lk-lib %r" % ch)
' "the report in a new project"
    # the held version now installs through cordon with the real client
    local p=$LK/npm-after out
    new_project "$p"
    out=$(npm_in "$p" install lk-lib@1.2.0 2>&1) || fail "npm install lk-lib@1.2.0 through cordon after the approval failed: $out"
    assert_installed "$p" lk-lib 1.2.0
}

# ------------------------------------------------------------------ bad input

# bad_input FILE PROJECT WHAT [NEEDLE...]: exit 2, the output names the file
# and each NEEDLE, and the project's history did not change.
bad_input() {
    local file=$1 project=$2 what=$3 before after
    shift 3
    before=$(submissions "$project")
    lcheck "$file" "$project" --ref bad
    expect_rc 2 "lockfile check of $what"
    assert_contains "$CLI_OUT" "$file" "check output (names the file)"
    local n
    for n in "$@"; do assert_contains_i "$CLI_OUT" "$n" "check output"; done
    # the API: 400 bad_lockfile
    api "$T_CI" POST "lockfiles/$project" --data-binary "@$file"
    expect_status 400 "POST of $what"
    assert_eq bad_lockfile "$(jb 'd["reason"]')" "reason"
    after=$(submissions "$project")
    assert_eq "$before" "$after" "submissions of $project after $what"
}

# a line number in an error: "12: …", "12:5: …" or "line 12"
has_line() {
    [[ $1 =~ (^|[^0-9.])[1-9][0-9]*(:[0-9]+)?:\  || $1 =~ [Ll]ine\ [1-9] ]] || fail "no line number in: $1"
}

t_bad_truncated() {
    local f=$LK/truncated-package-lock.json
    [[ -f $LK/npm-base.json ]] || fail "needs the clean npm case"
    head -c $(($(stat -c %s "$LK/npm-base.json") * 2 / 3)) "$LK/npm-base.json" >"$f"
    bad_input "$f" web-npm "a truncated package-lock.json"
    has_line "$CLI_OUT"
}

t_bad_unknown() {
    local f=$LK/random.txt
    head -c 3000 /dev/urandom | base64 -w 76 >"$f"
    bad_input "$f" web-npm "random text" "format"
}

t_bad_integrity() {
    local f=$LK/bad-integrity.json
    cp "$LK/npm-base.json" "$f" || fail "needs the clean npm case"
    edit_json "$f" 'd["packages"]["node_modules/lk-lib"]["integrity"] = "sha512-!!!"'
    bad_input "$f" web-npm "a malformed integrity" "integrity"
    has_line "$CLI_OUT"
}

t_bad_duplicates() {
    local f=$LK/dup.json
    cp "$LK/npm-base.json" "$f" || fail "needs the clean npm case"
    local other
    other=$(printf 'other bytes' >"$LK/other2.bin" && sri_of "$LK/other2.bin")
    # lk-lib@1.1.0 twice (hoisted and nested) with two different integrity values
    OTHER=$other edit_json "$f" '
e = dict(d["packages"]["node_modules/lk-lib"]); e["integrity"] = env["OTHER"]
d["packages"]["node_modules/lk-app/node_modules/lk-lib"] = e'
    bad_input "$f" web-npm "conflicting duplicate entries" "lk-lib"
}

t_crlf() {
    [[ -f $LK/requirements.txt ]] || fail "needs the clean pip case"
    sed 's/$/\r/' "$LK/requirements.txt" >"$LK/requirements-crlf.txt"
    grep -q $'\r$' "$LK/requirements-crlf.txt" || fail "no CRLF written"
    lcheck "$LK/requirements-crlf.txt" crlf-pip
    expect_rc 0 "lockfile check of a CRLF requirements file"
    if (( HAVE_YARN )) && [[ -f $LK/yarn-base.lock ]]; then
        sed 's/$/\r/' "$LK/yarn-base.lock" >"$LK/yarn-crlf.lock"
        lcheck "$LK/yarn-crlf.lock" crlf-yarn
        expect_rc 0 "lockfile check of a CRLF yarn.lock"
    fi
    # the same file, CRLF or not, is the same pins: no changes against the LF base
    lcheck "$LK/requirements-crlf.txt" web-pip --json
    check_json "$CLI_JSON" '
want(d["summary"]["added"] == 0 and d["summary"]["removed"] == 0, "CRLF copy differs from the LF base: %r" % d["summary"])' "CRLF against LF"
}

t_tokens() {
    local f=$LK/npm-base.json
    # ci submits: 200
    api "$T_CI" POST "lockfiles/tok-proj?ref=ci" --data-binary "@$f"
    expect_status 200 "POST with the ci token"
    # no token: 401 with WWW-Authenticate, nothing stored
    api "" POST "lockfiles/tok-proj2" --data-binary "@$f"
    expect_status 401 "POST without a token"
    [[ -n $(header www-authenticate) ]] || fail "401 without WWW-Authenticate"
    assert_eq 0 "$(submissions tok-proj2)" "submissions of tok-proj2"
    # the CLI without a token: the server refused (4xx) -> exit 1
    LTOKEN="" lcheck "$f" tok-proj2
    assert_contains "$CLI_OUT" "401" "check output without a token"
    expect_rc 1 "cordon lockfile check without a token (server refused: 401)"
}

t_json_output() {
    [[ -f $LK/npm-base.json ]] || fail "needs the clean npm case"
    lcheck "$LK/npm-bumped.json" json-proj --json
    (( CLI_RC == 0 || CLI_RC == 1 )) || fail "exit $CLI_RC"
    RC=$CLI_RC check_json "$CLI_JSON" '
for k in ("project", "ref", "format", "time", "sha256", "ok", "accepted", "summary", "changes", "submission", "base"):
    want(k in d, "no %r" % k)
want(isinstance(d.get("ok"), bool), "ok %r" % d.get("ok"))
want((env["RC"] == "0") == d.get("ok"), "exit %s with ok %r" % (env["RC"], d.get("ok")))
s = d.get("summary") or {}
for k in ("entries", "added", "removed", "upgraded", "downgraded", "integrity_changed", "resolved_elsewhere", "allowed", "held", "unknown"):
    want(isinstance(s.get(k), int), "summary.%s %r" % (k, s.get(k)))
want(isinstance(d.get("changes"), list) and d["changes"], "changes %r" % d.get("changes"))
for c in d.get("changes") or []:
    for k in ("change", "ecosystem", "package", "version", "line", "direct", "dev", "integrity", "resolved", "flags", "verdict"):
        want(k in c, "change without %r: %r" % (k, c))
    want(isinstance(c.get("line"), int) and c["line"] > 0, "line %r" % c.get("line"))
    want(c.get("change") in ("added", "removed", "upgraded", "downgraded", "integrity_changed", "resolved_changed"), "change %r" % c.get("change"))
    v = c.get("verdict") or {}
    want(v.get("status") in ("allowed", "held", "unknown"), "verdict %r" % v)
want(re.fullmatch(r"[0-9a-f]{64}", d.get("sha256") or "") is not None, "sha256 %r" % d.get("sha256"))
' "the --json report"
    local sha
    sha=$(sha256sum "$LK/npm-bumped.json" | cut -d" " -f1)
    assert_eq "$sha" "$(json_eval "$CLI_JSON" 'd["sha256"]')" "sha256 of the body"
}

# ------------------------------------------------------------------ 50 MB

t_big_lockfile() {
    local f=$LK/big-package-lock.json
    # ~150,000 entries with long fields: about 50 MB. 1,500 packages nested
    # under 100 parents, 100 versions each: cordon looks every package up
    # upstream (the fixture has none of them), one request per package
    "$PYTHON" - "$f" "$CORDON_URL" <<'PY'
import base64, hashlib, json, sys
path, base = sys.argv[1], sys.argv[2]
n, npkg = 150000, 1500
with open(path, "w") as out:
    out.write('{\n  "name": "big-app",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n')
    out.write('    "": {\n      "name": "big-app",\n      "version": "1.0.0",\n      "dependencies": {\n')
    out.write(",\n".join('        "bigpkg-%06d": "^1.0.0"' % i for i in range(0, npkg, 50)))
    out.write('\n      }\n    }')
    for i in range(n):
        name, host = "bigpkg-%06d" % (i % npkg), i // npkg
        where = "node_modules/%s" % name if host == 0 else "node_modules/bighost-%03d/node_modules/%s" % (host, name)
        sri = "sha512-" + base64.b64encode(hashlib.sha512(("%d" % i).encode()).digest()).decode()
        out.write(',\n    "%s": {\n      "version": "1.%d.%d",\n      "resolved": "%s/npm/%s/-/%s-1.%d.%d.tgz",\n'
                  '      "integrity": "%s",\n      "license": "MIT",\n      "engines": {\n        "node": ">=14.17.0"\n      }\n    }'
                  % (where, host, i % npkg, base, name, name, host, i % npkg, sri))
    out.write('\n  }\n}\n')
PY
    local size
    size=$(stat -c %s "$f")
    echo "generated $(( size / 1048576 )) MB ($size bytes)"
    (( size > 45 * 1048576 && size < 64 * 1048576 )) || fail "generated $size bytes, wanted ~50 MB (below the 64 MB limit)"
    local t0 t1
    t0=$(date +%s.%N)
    HTTP_MAX_TIME=120 api "$T_CI" POST "lockfiles/big-proj?ref=50mb" --data-binary "@$f" -H 'Content-Type: application/json'
    t1=$(date +%s.%N)
    echo "POST of $size bytes: HTTP $HTTP_STATUS in $("$PYTHON" -c "print('%.1f s' % ($t1 - $t0))"), answer $(stat -c %s "$HTTP_BODY") bytes"
    case $HTTP_STATUS in
    200)
        check_json "$HTTP_BODY" '
s = d["summary"]
want(s["entries"] == 150000, "entries %r" % s["entries"])
want(s["added"] == 150000, "added %r" % s["added"])
want(d["ok"] is False and s["not_found"] == 150000 and s["unknown"] == 0,
     "upstream has none of these packages: every one not_found, none unknown; %r" % s)
want(d["fetch"]["documents"] == 1500 and d["fetch"]["not_found"] == 1500, "fetch %r" % d["fetch"])
' "the 50 MB report"
        ;;
    400)
        jb 'd["error"]'
        assert_eq bad_lockfile "$(jb 'd["reason"]')" "reason of the 400"
        ;;
    *) fail "POST of a 50 MB lockfile answered $HTTP_STATUS: $(head -c 500 "$HTTP_BODY")" ;;
    esac
    http GET "$CORDON_URL/-/health"
    expect_status 200 "/-/health after the 50 MB lockfile"
    kill -0 "$CORDON_PID" 2>/dev/null || fail "cordon is not running"
}

# ------------------------------------------------------------------ run

run_test "npm install through cordon: package-lock.json v3 passes, becomes the base" t_npm_clean
if (( HAVE_PNPM )); then
    run_test "pnpm install through cordon: pnpm-lock.yaml v9 passes, becomes the base" t_pnpm_clean
else
    client_missing "pnpm-lock.yaml v9 from pnpm install" "no pnpm in $TOOLS (scripts/test-tools.sh)"
fi
if (( HAVE_YARN )); then
    run_test "yarn (berry) install through cordon: yarn.lock passes, becomes the base" t_yarn_clean
else
    client_missing "yarn.lock from yarn berry" "no yarn in $TOOLS (scripts/test-tools.sh)"
fi
run_test "pip download + pip hash: a --require-hashes requirements file passes, becomes the base" t_pip_clean
if (( HAVE_MVN )); then
    run_test "mvn dependency:list through cordon (stdout and -DoutputFile) passes, becomes the base" t_mvn_clean
else
    client_missing "mvn dependency:list" "needs mvn, java and $DEBIAN_REPO's maven-dependency-plugin (apt-get install libmaven-dependency-plugin-java)"
fi

run_test "(a) npm: lk-lib bumped to a held version (npm against the registry): exit 1, quarantined until" t_npm_bump_held
if (( HAVE_PNPM )); then
    run_test "(a) pnpm: lk-lib bumped to a held version: exit 1, quarantined until" t_pnpm_bump_held
fi
if (( HAVE_YARN )); then
    run_test "(a) yarn: lk-lib bumped to a held version: exit 1, quarantined until" t_yarn_bump_held
fi
run_test "(a) pip: lk-py bumped to a held version: exit 1, quarantined until" t_pip_bump_held
if (( HAVE_MVN )); then
    run_test "(a) mvn: lk-jar bumped to a held version: exit 1, quarantined until" t_mvn_bump_held
fi
run_test "(a) npm: the held line names the newest allowed version (1.1.0)" t_npm_held_names_alternative
run_test "(b) npm: typosquat lodahs added: exit 1, looks like lodash" t_npm_typosquat
run_test "(c) npm: lk-util's integrity changed: exit 1, integrity_changed" t_npm_integrity_changed
run_test "(d) npm: an added entry resolved from another host: exit 1, resolved_elsewhere" t_npm_resolved_added
run_test "(d) npm: an existing entry's resolved moved to another host (same version, integrity): resolved_changed, flagged" t_npm_resolved_moved
run_test "every entry, every time: accept, block, the same lockfile fails (API and CLI exit 1); lifted, passes" t_block_after_accept
run_test "integrity: a forged sha512 on one entry of a first npm submission fails (integrity_mismatch); approval refused (409)" t_forged_first_npm
if (( HAVE_PNPM )); then
    run_test "integrity: a forged integrity in a first pnpm-lock.yaml submission fails" t_forged_first_pnpm
fi
run_test "integrity: a forged --hash in a first requirements submission fails; the right ones verify" t_forged_first_pip
run_test "pip: a project cordon never fetched gets a real verdict (held, not unknown)" t_pip_unseen
run_test "maven: versions cordon never timed are timed from their POM for the check; no POM: not_found" t_mvn_unseen
run_test "a fresh cordon: a lockfile nobody installed through it gets real verdicts, the darwin-only optional entry included" t_fresh_cordon
run_test "a dead upstream: unknown that says the upstream failed, stored, base kept; upstream back: passes" t_dead_upstream
run_test "change-set approval: ci 403, none 401, reviewer 200; check passes; npm installs the version" t_approve_change_set
run_test "bad input: truncated package-lock.json: exit 2 naming the file and a line, nothing stored" t_bad_truncated
run_test "bad input: random text: exit 2 (unknown format), nothing stored" t_bad_unknown
run_test "bad input: malformed integrity sha512-!!!: exit 2, nothing stored" t_bad_integrity
run_test "bad input: conflicting duplicate entries: exit 2, nothing stored" t_bad_duplicates
run_test "Windows line endings: a CRLF requirements file (and yarn.lock) still parses" t_crlf
run_test "tokens: ci submits; no token 401 (CLI exit 1)" t_tokens
run_test "--json: the report parses and has ok, summary, changes" t_json_output
run_test "a 50 MB package-lock.json: answered, cordon still healthy" t_big_lockfile

finish
