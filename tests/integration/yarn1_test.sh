#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: the real yarn 1 (classic, pinned by scripts/test-tools.sh
# from the npm registry) through cordon, in front of the fixture upstream
# (tests/fixtures/upstream.py with tests/fixtures/quarantine_spec.json).
# Everything runs on 127.0.0.1; no test needs the internet.
#
#   scripts/test-tools.sh      # once: the pinned yarn 1 into build/tools/yarn-classic
#   CORDON_BIN=build/cordon bash tests/integration/yarn1_test.sh
#
# Two cordons on the same fixture:
#   main  min_age 7d, @trusted/* exempt   (q-lib 1.2.0 and q-app 1.1.0 are held)
#   open  min_age 0                       (writes the yarn.lock that pins them)
# Every yarn run: --no-default-rc (no .yarnrc or .npmrc of this machine), a
# .yarnrc of the test's own (registry, no self-update check), its own HOME
# and cache folder, no YARN_* / npm_config_* variables, under timeout(1).
# CORDON_TOOLS (default build/tools) is where scripts/test-tools.sh put it;
# without it the file fails (CORDON_ALLOW_SKIP=1: skipped).
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

YARN1_VERSION=1.22.22   # scripts/test-tools.sh's YARN_CLASSIC_VERSION
TOOLS=${CORDON_TOOLS:-$IT_ROOT/build/tools}
YARN1_JS=$TOOLS/yarn-classic/node_modules/yarn/bin/yarn.js

command -v node >/dev/null || setup_skip "node not found"
command -v curl >/dev/null || setup_skip "curl not found"
[[ -f $YARN1_JS ]] || setup_skip "yarn 1 not in $TOOLS/yarn-classic (run scripts/test-tools.sh)"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/quarantine_spec.json"
CORDON_QUARANTINE_YAML='{ min_age: 7d, rules: [ { match: "npm:@trusted/*", min_age: 0 } ] }'
start_cordon "$UPSTREAM_URL"
MAIN_URL=$CORDON_URL
CI_TOKEN=$("$CORDON_BIN" token add yarn1-ci --role ci --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err") ||
    setup_failed "cordon token add failed: $(cat "$IT_TMP/token.err")"
start_extra_cordon open "{ min_age: 0 }"

# ------------------------------------------------------------------ helpers

# yarn1_in URL DIR CACHE ARGS...: yarn 1 in DIR against the cordon at URL,
# with the cache folder $IT_TMP/yarn1/CACHE.
yarn1_in() {
    local url=$1 dir=$2 cache=$IT_TMP/yarn1/$3 rc=$IT_TMP/yarn1/$3.yarnrc
    shift 3
    mkdir -p "$cache" "$IT_TMP/home-yarn1"
    printf 'registry "%s/npm/"\ndisable-self-update-check true\n' "$url" >"$rc"
    (
        cd "$dir" || exit 2
        for v in $(env | sed -n 's/^\([Yy][Aa][Rr][Nn]_[^=]*\|[Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p'); do unset "$v"; done
        HOME=$IT_TMP/home-yarn1 XDG_CONFIG_HOME=$IT_TMP/home-yarn1/.config \
            timeout -k 5 240 node "$YARN1_JS" \
            --no-default-rc --use-yarnrc "$rc" \
            --registry "$url/npm/" \
            --cache-folder "$cache" \
            --non-interactive --no-progress --network-timeout 60000 \
            "$@"
    )
}

# resolved_in DIR NAME: the version of NAME yarn.lock in DIR resolved to, and
# its resolved URL, as "VERSION URL" per entry.
resolved_in() {
    "$PYTHON" - "$1/yarn.lock" "$2" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
name = sys.argv[2]
for block in text.split("\n\n"):
    lines = block.strip().splitlines()
    if not lines or lines[0].startswith("#"):
        lines = [l for l in lines if not l.startswith("#")]
    if not lines:
        continue
    keys = [k.strip().strip('"') for k in lines[0].rstrip(":").split(",")]
    if not any(k.rsplit("@", 1)[0] == name for k in keys):
        continue
    ver = re.search(r'^\s+version "([^"]+)"', block, re.M)
    url = re.search(r'^\s+resolved "([^"]+)"', block, re.M)
    print(ver.group(1) if ver else "?", url.group(1) if url else "?")
PY
}

# ------------------------------------------------------------------ cases

t_version() {
    local v
    v=$(HOME=$IT_TMP/home-yarn1 timeout 60 node "$YARN1_JS" --version 2>&1) || fail "yarn --version: $v"
    assert_eq "$YARN1_VERSION" "$v" "yarn 1's version"
}

# q-app ^1.0.0 takes 1.0.0 (1.1.0 is held), whose q-lib ^1.0.0 takes 1.1.0
# (1.2.0 is held); @trusted/kit ^1.0.0 takes the hour-old 1.1.0 (exempt).
t_install() {
    local dir=$IT_TMP/y-install out
    new_project "$dir" '{"q-app": "^1.0.0", "@trusted/kit": "^1.0.0"}'
    out=$(yarn1_in "$MAIN_URL" "$dir" main install 2>&1) || fail "yarn install failed: $out"
    echo "$out"
    assert_installed "$dir" q-app 1.0.0
    assert_installed "$dir" q-lib 1.1.0
    assert_installed "$dir" @trusted/kit 1.1.0
    local lock
    lock=$(resolved_in "$dir" q-lib; resolved_in "$dir" q-app; resolved_in "$dir" @trusted/kit)
    echo "yarn.lock: $lock"
    assert_contains "$lock" "1.1.0 $MAIN_URL/npm/q-lib/-/q-lib-1.1.0.tgz#" "yarn.lock's q-lib entry"
    assert_contains "$lock" "1.0.0 $MAIN_URL/npm/q-app/-/q-app-1.0.0.tgz#" "yarn.lock's q-app entry"
    assert_contains "$lock" "1.1.0 $MAIN_URL/npm/@trusted/kit/-/kit-1.1.0.tgz#" "yarn.lock's @trusted/kit entry"
    assert_not_contains "$(cat "$dir/yarn.lock")" "127.0.0.1:$UPORT" "yarn.lock"
    assert_not_contains "$(cat "$dir/yarn.lock")" "1.2.0" "yarn.lock (q-lib 1.2.0 is held)"
}

t_install_logged() {
    wait_for_decision 'r.get("package") == "q-lib" and r.get("version") == "1.1.0" and r.get("decision") == "allow" and "yarn/1." in (r.get("user_agent") or "")' ||
        fail "no allow decision for yarn 1's request of q-lib 1.1.0"
}

# An exact pin to a held version: it is not in the metadata cordon serves,
# and yarn 1 does not read policyRestrictions, so it says no version matches.
t_pin() {
    local dir=$IT_TMP/y-pin out rc
    new_project "$dir" '{"q-lib": "1.2.0"}'
    out=$(yarn1_in "$MAIN_URL" "$dir" pin install 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "yarn install of q-lib@1.2.0 (held)"
    assert_contains "$out" 'find any versions for "q-lib" that matches "1.2.0"' "yarn output for an exact pin to a held version"
    [[ -z $(installed_version "$dir" q-lib) ]] || fail "q-lib was installed"
}

# A yarn.lock that pins held versions (written through the min_age 0 cordon,
# then pointed at the quarantining one, as a lockfile from before cordon
# would be): yarn 1 fetches the tarball by its URL and gets cordon's 403.
# yarn 1 shows neither the body nor the server's reason phrase (it prints
# Node's own text for the code: "Request failed \"403 Forbidden\"") but the
# URL, which names the package and version; cordon's reason is in the
# decision log and the held queue (next case).
t_lockfile_held() {
    local dir=$IT_TMP/y-lock out rc
    new_project "$dir" '{"q-app": "^1.0.0"}'
    out=$(yarn1_in "$OPEN_URL" "$dir" open install 2>&1) || fail "yarn install through the min_age 0 cordon failed: $out"
    assert_installed "$dir" q-lib 1.2.0
    assert_contains "$(resolved_in "$dir" q-lib)" "1.2.0 $OPEN_URL/npm/q-lib/-/q-lib-1.2.0.tgz#" "yarn.lock from the open cordon"
    rm -rf "$dir/node_modules"
    sed -i "s#$OPEN_URL/npm/#$MAIN_URL/npm/#g" "$dir/yarn.lock"
    assert_not_contains "$(cat "$dir/yarn.lock")" "$OPEN_URL" "yarn.lock pointed at the quarantining cordon"
    cp "$dir/yarn.lock" "$dir/yarn.lock.before"
    out=$(yarn1_in "$MAIN_URL" "$dir" locked install --frozen-lockfile 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "yarn install --frozen-lockfile of a lockfile pinning held versions"
    grep -qE "$MAIN_URL/npm/q-(lib/-/q-lib-1\.2\.0|app/-/q-app-1\.1\.0)\.tgz: Request failed \"403 Forbidden\"" <<<"$out" ||
        fail "yarn output does not show the 403 for a held tarball"
    [[ ! -e $dir/node_modules/q-lib ]] || fail "q-lib was installed"
    cmp -s "$dir/yarn.lock" "$dir/yarn.lock.before" || fail "yarn changed the frozen lockfile"
}

# yarn 1 fetches a locked tarball from the URL in yarn.lock, whatever the
# registry setting says (the README warns of it): a lockfile whose URLs
# name another registry bypasses the cordon yarn is pointed at.
t_lockfile_elsewhere() {
    local src=$IT_TMP/y-lock dir=$IT_TMP/y-elsewhere out before after
    [[ -f $src/yarn.lock.before ]] || fail "needs the lockfile of the previous case"
    mkdir -p "$dir"
    cp "$src/package.json" "$dir/"
    sed "s#$MAIN_URL/npm/#$OPEN_URL/npm/#g" "$src/yarn.lock.before" >"$dir/yarn.lock"
    before=$(grep -c 'q-lib-1.2.0.tgz' "$IT_TMP/open/stderr")
    out=$(yarn1_in "$MAIN_URL" "$dir" elsewhere install --frozen-lockfile 2>&1) ||
        fail "yarn install of a lockfile naming the other cordon failed: $out"
    echo "$out"
    assert_installed "$dir" q-lib 1.2.0
    after=$(grep -c 'q-lib-1.2.0.tgz' "$IT_TMP/open/stderr")
    (( after > before )) || fail "the tarball did not come from the URL in yarn.lock (the other cordon's access log has no new request for it)"
}

# What yarn 1 does not show: the refusal, with cordon's reason and times, is
# in the decision log and the held queue, with yarn 1 as the client.
t_held_logged() {
    wait_for_decision 'r.get("package") in ("q-lib", "q-app") and r.get("version") in ("1.2.0", "1.1.0") and r.get("decision") == "deny" and r.get("reason") == "quarantine" and "yarn/1." in (r.get("user_agent") or "")' ||
        fail "no quarantine decision for yarn 1's request of a held tarball"
    held_queue_has "$CI_TOKEN" npm yarn/1. q-lib 1.2.0 q-app 1.1.0
}

# ------------------------------------------------------------------ run

run_test "yarn 1 is the pinned version" t_version
run_test "yarn install: caret ranges resolve to mature versions, exempt scope, lockfile at cordon" t_install
run_test "decision log: yarn 1's allowed q-lib 1.1.0" t_install_logged
run_test "yarn install of an exact pin to a held version: no matching version" t_pin
run_test "yarn install --frozen-lockfile pinning held versions: the tarball refused with 403" t_lockfile_held
run_test "yarn 1 fetches a locked tarball from the lockfile's URL, not the registry setting" t_lockfile_elsewhere
run_test "decision log and held queue: yarn 1's request of a held tarball, reason quarantine" t_held_logged
finish
