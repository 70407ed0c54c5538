#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for the quarantine engine: the real npm, pnpm and yarn
# (berry) clients through cordon, in front of the fixture upstream
# (tests/fixtures/upstream.py with tests/fixtures/quarantine_spec.json).
# Everything runs on 127.0.0.1; no test needs the internet.
#
#   scripts/test-tools.sh      # once: pinned pnpm and yarn into build/tools
#   CORDON_BIN=build/cordon bash tests/integration/quarantine_test.sh
#
# Three cordons run against the same fixture:
#   main    min_age 7d, @trusted/* exempt, edge-pkg 20s   (most cases)
#   open    min_age 0        (writes the lockfiles that pin held versions)
#   strict  min_age 7d, missing_timestamp: deny
# CORDON_TOOLS (default build/tools) is where scripts/test-tools.sh put pnpm
# and yarn; without them their cases fail (CORDON_ALLOW_SKIP=1: skipped).
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v npm >/dev/null || setup_skip "npm not found"
command -v node >/dev/null || setup_skip "node not found"
command -v curl >/dev/null || setup_skip "curl not found"

TOOLS=${CORDON_TOOLS:-$IT_ROOT/build/tools}
PNPM_BIN=$TOOLS/node_modules/.bin/pnpm
YARN_JS=$TOOLS/node_modules/@yarnpkg/cli-dist/bin/yarn.js
HAVE_PNPM=0
HAVE_YARN=0
[[ -x $PNPM_BIN ]] && HAVE_PNPM=1
[[ -f $YARN_JS ]] && HAVE_YARN=1

it_setup
start_fixture "$IT_ROOT/tests/fixtures/quarantine_spec.json"

# edge-pkg@1.1.0 is published EDGE_AGE seconds before the first case checks
# it, under an EDGE_WINDOW-second rule: the held case must be done within
# EDGE_WINDOW - EDGE_AGE = 60 s, ample on busy cores; the wait for it to
# cross the window overlaps the other cases (they take longer than that).
EDGE_WINDOW=90
EDGE_AGE=30
CORDON_QUARANTINE_YAML="{ min_age: 7d, rules: [ { match: \"npm:@trusted/*\", min_age: 0 }, { match: \"npm:edge-pkg\", min_age: ${EDGE_WINDOW}s } ] }"
start_cordon "$UPSTREAM_URL"
MAIN_URL=$CORDON_URL
WEEK=$((7 * 86400))

start_extra_cordon open "{ min_age: 0 }"
start_extra_cordon strict "{ min_age: 7d, missing_timestamp: deny }"

ABBREV='application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*'

# ------------------------------------------------------------------ helpers

# packument URL REPR [extra curl args]: GET a packument (REPR full|abbrev),
# expect 200; HTTP_BODY holds it.
packument() {
    local url=$1 repr=$2
    shift 2
    if [[ $repr == abbrev ]]; then
        http GET "$url" -H "Accept: $ABBREV" "$@"
    else
        http GET "$url" "$@"
    fi
    expect_status 200 "GET $url ($repr)"
}

# jq-like one-liners over the last answer
jb() { json_eval "$HTTP_BODY" "$1"; }

# json_vars FILE PREFIX: shell assignments PREFIX_key=value for the top-level
# keys of the JSON object in FILE (strings raw, other values as JSON, so a
# null is "null"); use as  eval "$(json_vars FILE D)".  One interpreter
# start instead of one per field.
json_vars() {
    "$PYTHON" - "$1" "$2" <<'PY'
import json, re, shlex, sys
try:
    d = json.load(open(sys.argv[1], encoding="utf-8"))
except Exception as e:
    print("echo %s >&2; false" % shlex.quote("json_vars: %s is not JSON: %r" % (sys.argv[1], e)))
    sys.exit(0)
if not isinstance(d, dict):
    d = {}
for k, v in d.items():
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
        print("%s_%s=%s" % (sys.argv[2], k, shlex.quote(v if isinstance(v, str) else json.dumps(v))))
PY
}

# iso_epoch ISO8601: Unix seconds (fractions dropped).
iso_epoch() {
    "$PYTHON" -c '
import sys
from datetime import datetime
s = sys.argv[1].replace("Z", "+00:00")
print(int(datetime.fromisoformat(s).timestamp()))' "$1"
}

# resolved_version DIR FROM NAME: the version of NAME that the package FROM
# (a direct dependency of the project in DIR) sees through Node's module
# resolution: works for npm's hoisted tree, pnpm's isolated one and yarn's
# node-modules linker alike.
resolved_version() {
    (cd "$1" && timeout 10 node -e '
const fs = require("fs"), path = require("path");
const from = path.dirname(fs.realpathSync(require.resolve(process.argv[1] + "/package.json")));
const pj = require.resolve(process.argv[2] + "/package.json", { paths: [from] });
process.stdout.write(require(pj).version);' "$2" "$3") 2>/dev/null
}

assert_resolved() {
    local got
    got=$(resolved_version "$1" "$2" "$3")
    [[ -n $got ]] || fail "$3 (a dependency of $2) cannot be resolved from $1"
    assert_eq "$4" "$got" "version of $3 that $2 gets"
}

# The project every client installs: caret ranges (q-app pulls q-lib in
# transitively), a version without upstream time (q-notime@1.0.1), the
# latest tag (q-backport), a prerelease tag (q-tags@next) and an exempted
# scope (@trusted/kit).
DEPS='{"q-app": "^1.0.0", "q-notime": "^1.0.0", "q-backport": "latest", "q-tags": "next", "@trusted/kit": "^1.0.0"}'

check_tree() {
    local dir=$1
    assert_installed "$dir" q-app 1.0.0
    assert_resolved "$dir" q-app q-lib 1.1.0
    assert_installed "$dir" q-notime 1.0.0
}
check_tags() {
    assert_installed "$1" q-backport 1.9.9
    assert_installed "$1" q-tags 3.0.0-beta.1
}
check_scope() {
    assert_installed "$1" @trusted/kit 1.1.0
}

# client_failed RC OUT WHAT: the client must have failed.
client_failed() {
    (( $1 != 0 )) || fail "$3 succeeded; output: $(printf '%s' "$2" | tail -n 20)"
    [[ $1 != 124 && $1 != 137 ]] || fail "$3 timed out"
}

# lockfile_pins FILE STRING: the lockfile contains STRING (how that format
# names a pinned version: q-lib-1.2.0.tgz, q-lib@1.2.0, q-lib@npm:1.2.0).
lockfile_pins() {
    grep -qF -- "$2" "$1" || fail "$(basename "$1") does not pin $2: $(head -c 3000 "$1")"
}

# --- npm: lib.sh's npm_in, against a registry chosen per call

npm_at() { # URL DIR ARGS...
    local url=$1
    shift
    NPM_REGISTRY=$url/npm/ npm_in "$@"
}

# --- pnpm

# --- yarn berry

# yarn_project DIR URL CACHE [DEPS]: package.json, an empty yarn.lock (so
# the project root is DIR) and a .yarnrc.yml that points at URL.
yarn_project() {
    local dir=$1
    new_project "$dir" "${4:-}"
    [[ -f $dir/yarn.lock ]] || : >"$dir/yarn.lock"
    yarn_registry "$dir" "$2" "$3"
}

# yarn_registry DIR URL CACHE: (re)write DIR/.yarnrc.yml.
yarn_registry() {
    cat >"$1/.yarnrc.yml" <<EOF
npmRegistryServer: "$2/npm"
unsafeHttpWhitelist: ["127.0.0.1"]
enableGlobalCache: false
enableMirror: false
cacheFolder: "$IT_TMP/yarn/$3/cache"
globalFolder: "$IT_TMP/yarn/$3/global"
enableTelemetry: false
enableProgressBars: false
enableColors: false
enableHyperlinks: false
nodeLinker: node-modules
EOF
}

# yarn_in DIR ARGS...: yarn berry in DIR; YARN_IMMUTABLE=true for --immutable.
yarn_in() {
    local dir=$1
    shift
    mkdir -p "$IT_TMP/home-yarn"
    (
        cd "$dir" || exit 2
        for v in $(env | sed -n 's/^\([Yy][Aa][Rr][Nn]_[^=]*\)=.*/\1/p'); do unset "$v"; done
        HOME=$IT_TMP/home-yarn XDG_CONFIG_HOME=$IT_TMP/home-yarn/.config \
            YARN_ENABLE_IMMUTABLE_INSTALLS=${YARN_IMMUTABLE:-false} \
            timeout -k 5 240 node "$YARN_JS" "$@"
    )
}

# ------------------------------------------------------------------ edge-pkg

# A version published EDGE_AGE seconds ago under an EDGE_WINDOW-second rule:
# held now, eligible a few seconds later.  Checked first here and again near
# the end (t_edge_appears), so the wait overlaps the other cases.
EDGE_ELIGIBLE=$IT_TMP/edge.eligible

t_edge_held() {
    local pub
    pub=$("$PYTHON" -c 'import sys, time; print("%.3f" % (time.time() - float(sys.argv[1])))' "$EDGE_AGE")
    fixture_mutate "{\"npm\": {\"name\": \"edge-pkg\", \"versions\": [{\"version\": \"1.0.0\", \"age\": \"30d\"}, {\"version\": \"1.1.0\", \"published_at\": $pub}]}}"
    # the document whole, then matched (curl | grep -q fails under pipefail
    # when grep's early exit makes curl's write fail)
    local up
    up=$(curl -s --max-time 10 "$FIXTURE_URL/edge-pkg") || fail "the fixture's edge-pkg packument"
    [[ $up == *'"1.1.0"'* ]] || fail "the fixture did not take the edge-pkg mutation"
    local repr
    for repr in full abbrev; do
        packument "$MAIN_URL/npm/edge-pkg" "$repr"
        assert_eq '["1.0.0"]' "$(jb 'sorted(d["versions"])')" "edge-pkg versions ($repr) while 1.1.0 is held"
        assert_eq 1.0.0 "$(jb 'd["dist-tags"]["latest"]')" "edge-pkg latest ($repr)"
        assert_eq false "$(jb '"1.1.0" in d.get("time", {})')" "edge-pkg time has 1.1.0 ($repr)"
    done
    http GET "$MAIN_URL/npm/edge-pkg/-/edge-pkg-1.1.0.tgz"
    expect_status 403 "edge-pkg-1.1.0.tgz while held"
    body
    echo
    assert_eq quarantine "$(jb 'd["reason"]')" "reason"
    assert_contains "$(jb 'd["policy"]')" "edge-pkg" "policy (the package rule decides)"
    local elig
    elig=$(iso_epoch "$(jb 'd["eligible_at"]')") || fail "eligible_at is not a time: $(body)"
    local want=$(("${pub%.*}" + EDGE_WINDOW))
    (( elig >= want - 1 && elig <= want + 1 )) || fail "eligible_at $elig, expected publish time + ${EDGE_WINDOW}s = $want"
    echo "$elig" >"$EDGE_ELIGIBLE"
}

t_edge_appears() {
    [[ -s $EDGE_ELIGIBLE ]] || fail "needs the edge-pkg held case"
    local elig now wait
    elig=$(cat "$EDGE_ELIGIBLE")
    now=$(date +%s)
    wait=$((elig + 1 - now))
    (( wait <= EDGE_WINDOW + 5 )) || fail "edge-pkg is eligible in ${wait}s: longer than the window"
    if (( wait > 0 )); then
        echo "waiting ${wait}s for edge-pkg@1.1.0 to cross the window"
        sleep "$wait"
    fi
    local pid_before=$CORDON_PID repr
    for repr in full abbrev; do
        packument "$MAIN_URL/npm/edge-pkg" "$repr"
        assert_eq '["1.0.0", "1.1.0"]' "$(jb 'sorted(d["versions"])')" "edge-pkg versions ($repr) after the window"
        assert_eq 1.1.0 "$(jb 'd["dist-tags"]["latest"]')" "edge-pkg latest ($repr) after the window"
        assert_eq true "$(jb '"1.1.0" in d["time"]')" "edge-pkg time has 1.1.0 ($repr)"
        assert_eq false "$(jb '"policyRestrictions" in d')" "policyRestrictions present ($repr) with nothing held"
    done
    http GET "$MAIN_URL/npm/edge-pkg/-/edge-pkg-1.1.0.tgz"
    expect_status 200 "edge-pkg-1.1.0.tgz after the window"
    assert_tar_lists "$HTTP_BODY" package/package.json "edge-pkg-1.1.0.tgz"
    kill -0 "$pid_before" 2>/dev/null || fail "cordon is not running"
}

# ------------------------------------------------------------------ metadata

t_latest_backport_held() {
    local repr
    for repr in full abbrev; do
        packument "$MAIN_URL/npm/q-backport" "$repr"
        assert_eq '["1.9.8", "1.9.9"]' "$(jb 'sorted(d["versions"])')" "q-backport versions ($repr)"
        assert_eq 1.9.9 "$(jb 'd["dist-tags"]["latest"]')" "q-backport latest ($repr) with 2.0.0 held"
    done
}

t_latest_backport_newest() {
    # 2.0.0 is mature; 1.9.9 is a backport published after it: latest stays 2.0.0
    local repr
    for repr in full abbrev; do
        packument "$MAIN_URL/npm/q-backport-late" "$repr"
        assert_eq '["1.9.8", "1.9.9", "2.0.0"]' "$(jb 'sorted(d["versions"])')" "q-backport-late versions ($repr)"
        assert_eq 2.0.0 "$(jb 'd["dist-tags"]["latest"]')" "q-backport-late latest ($repr)"
    done
}

t_latest_not_above_upstream() {
    # upstream latest 1.1.0 is held; 2.0.0 is mature but above it: latest = 1.0.0
    local repr
    for repr in full abbrev; do
        packument "$MAIN_URL/npm/q-latest-low" "$repr"
        assert_eq 1.0.0 "$(jb 'd["dist-tags"]["latest"]')" "q-latest-low latest ($repr)"
    done
}

t_prerelease_tags() {
    local repr
    for repr in full abbrev; do
        packument "$MAIN_URL/npm/q-tags" "$repr"
        jb 'd["dist-tags"]'
        assert_eq 2.0.0 "$(jb 'd["dist-tags"]["latest"]')" "q-tags latest ($repr)"
        assert_eq 3.0.0-beta.1 "$(jb 'd["dist-tags"].get("next")')" "q-tags next ($repr): beta.2 held, beta.1 mature"
        assert_eq 1.4.0 "$(jb 'd["dist-tags"].get("legacy")')" "q-tags legacy ($repr): 1.5.0 held"
        assert_eq false "$(jb '"rc" in d["dist-tags"]')" "q-tags rc tag kept ($repr) though no rc is mature"
        assert_eq '["1.4.0", "2.0.0", "3.0.0-beta.1"]' "$(jb 'sorted(d["versions"])')" "q-tags versions ($repr)"
    done
}

t_held_absent() {
    local repr msg
    for repr in full abbrev; do
        packument "$MAIN_URL/npm/q-lib" "$repr"
        assert_eq '["1.0.0", "1.1.0"]' "$(jb 'sorted(d["versions"])')" "q-lib versions ($repr)"
        assert_eq '["1.0.0", "1.1.0"]' "$(jb 'sorted(k for k in d["time"] if k[0].isdigit())')" "q-lib time ($repr)"
        assert_eq 1.1.0 "$(jb 'd["dist-tags"]["latest"]')" "q-lib latest ($repr)"
        assert_eq '["1.2.0"]' "$(jb 'sorted(d["policyRestrictions"]["versions"])')" "policyRestrictions.versions ($repr)"
        assert_eq 1.2.0 "$(jb 'd["policyRestrictions"]["versions"]["1.2.0"]["version"]')" "the held manifest ($repr)"
        msg=$(jb 'd["policyRestrictions"]["message"]')
        echo "message ($repr): $msg"
        assert_contains "$msg" "q-lib: cordon holds 1.2.0 until " "policyRestrictions.message"
        assert_contains "$msg" "(quarantine, policy " "policyRestrictions.message"
        assert_contains "$msg" "Newest allowed: 1.1.0." "policyRestrictions.message"
        assert_contains "$msg" "/-/admin/#npm/q-lib" "policyRestrictions.message (where to ask)"
        assert_not_contains "$(body)" '"1.2.0":"20' "document (a time entry for 1.2.0)"
    done
    # every held version is named, with its reason
    packument "$MAIN_URL/npm/q-tags" full
    msg=$(jb 'd["policyRestrictions"]["message"]')
    local v
    for v in 1.5.0 3.0.0-beta.2 3.0.0-rc.1; do
        assert_contains "$msg" "$v until " "q-tags policyRestrictions.message"
    done
    # one line for the package: its name once, the reason once for the versions it holds
    [[ $(grep -o "q-tags" <<<"$msg" | wc -l) == 2 ]] || fail "q-tags named other than once (and in the review URL): $msg"
    assert_eq '["1.5.0", "3.0.0-beta.2", "3.0.0-rc.1"]' "$(jb 'sorted(d["policyRestrictions"]["versions"])')" "q-tags policyRestrictions.versions"
}

t_modified_recomputed() {
    # `modified` (top level and time.modified) must not reveal a held version's
    # publish time: it is the newest kept version's time.
    local repr newest
    packument "$MAIN_URL/npm/q-lib" full
    newest=$(iso_epoch "$(jb 'd["time"]["1.1.0"]')")
    for repr in full abbrev; do
        packument "$MAIN_URL/npm/q-lib" "$repr"
        local top tm
        top=$(jb 'd.get("modified") or ""')
        tm=$(jb 'd.get("time", {}).get("modified") or ""')
        echo "$repr: modified=$top time.modified=$tm (newest kept version: $newest)"
        if [[ -n $top ]]; then
            (( $(iso_epoch "$top") <= newest )) || fail "top-level modified $top ($repr) is later than the newest kept version (q-lib@1.1.0): it is the held 1.2.0's time"
        fi
        if [[ -n $tm ]]; then
            (( $(iso_epoch "$tm") <= newest )) || fail "time.modified $tm ($repr) is later than the newest kept version"
        fi
    done
}

# ------------------------------------------------------------------ denials

# check_denial URL PACKAGE VERSION ALTERNATIVE POLICY_SUBSTRING: the
# tarball answers 403 with the whole denial object.  Leaves D_* set.
# shellcheck disable=SC2154  # D_* come from json_vars
check_denial() {
    local url=$1 pkg=$2 ver=$3 alt=$4 policy=$5
    http GET "$url"
    body
    echo
    expect_status 403 "GET $url"
    assert_contains "$(header content-type)" "application/json" "content-type"
    local k missing=""
    for k in error reason ecosystem package version published_at eligible_at policy alternative request_id review_url; do
        unset "D_$k"
    done
    eval "$(json_vars "$HTTP_BODY" D)"
    for k in error reason ecosystem package version published_at eligible_at policy alternative request_id review_url; do
        [[ -v D_$k ]] || missing="$missing $k"
    done
    [[ -z $missing ]] || fail "denial lacks the field(s)$missing: $(body)"
    assert_eq quarantine "$D_reason" "reason"
    assert_eq npm "$D_ecosystem" "ecosystem"
    assert_eq "$pkg" "$D_package" "package"
    assert_eq "$ver" "$D_version" "version"
    assert_eq "$alt" "$D_alternative" "alternative"
    assert_contains "$D_policy" "$policy" "policy"
    [[ -n $D_request_id && $D_request_id != null ]] || fail "empty request_id"
    local rid_hdr
    rid_hdr=$(header x-request-id)
    [[ -z $rid_hdr || $rid_hdr == "$D_request_id" ]] || fail "request_id $D_request_id differs from the x-request-id header $rid_hdr"
    assert_eq "$MAIN_URL/-/admin/#npm/$pkg/$ver" "$D_review_url" "review_url"
    # published_at is upstream's time; eligible_at = published_at + 7d
    local times up pub elig
    times=$("$PYTHON" -c '
import json, sys, urllib.request
from datetime import datetime
def ep(s):
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    up = json.load(r)["time"][sys.argv[2]]
print(up, ep(up), ep(sys.argv[3]), ep(sys.argv[4]))' "$FIXTURE_URL/$pkg" "$ver" "$D_published_at" "$D_eligible_at") ||
        fail "cannot compare times (published_at '$D_published_at', eligible_at '$D_eligible_at')"
    read -r up k pub elig <<<"$times"
    assert_eq "$k" "$pub" "published_at $D_published_at (upstream time[$ver] = $up)"
    assert_eq $((pub + WEEK)) "$elig" "eligible_at $D_eligible_at (published_at + 7d)"
    assert_contains "$D_error" "$pkg@$ver" "error line"
    assert_contains "$D_error" "is quarantined until" "error line"
    assert_contains "$D_error" "newest allowed: $alt" "error line"
}

t_tarball_denial() {
    check_denial "$MAIN_URL/npm/q-lib/-/q-lib-1.2.0.tgz" q-lib 1.2.0 1.1.0 "min_age"
    assert_contains "$D_error" "$D_eligible_at" "error line (names eligible_at)"
}

t_tarball_denial_alternative() {
    # the highest allowed version with the same major, not the highest overall
    check_denial "$MAIN_URL/npm/q-latest-low/-/q-latest-low-1.1.0.tgz" q-latest-low 1.1.0 1.0.0 "min_age"
    # nothing allowed in major 2: the package's current latest
    check_denial "$MAIN_URL/npm/q-backport/-/q-backport-2.0.0.tgz" q-backport 2.0.0 1.9.9 "min_age"
}

t_tarball_denial_unseen() {
    # a tarball requested before cordon has seen the packument is still refused
    check_denial "$MAIN_URL/npm/q-app/-/q-app-1.1.0.tgz" q-app 1.1.0 1.0.0 "min_age"
    http GET "$MAIN_URL/npm/q-app/-/q-app-1.0.0.tgz"
    expect_status 200 "a mature tarball"
}

t_notime_first_seen() {
    local before after
    before=$(date +%s)
    packument "$MAIN_URL/npm/q-notime" full
    after=$(date +%s)
    assert_eq '["1.0.0"]' "$(jb 'sorted(d["versions"])')" "q-notime versions"
    assert_eq '["1.0.1"]' "$(jb 'sorted(d["policyRestrictions"]["versions"])')" "q-notime policyRestrictions.versions"
    http GET "$MAIN_URL/npm/q-notime/-/q-notime-1.0.1.tgz"
    body
    echo
    expect_status 403 "q-notime-1.0.1.tgz (no upstream time)"
    assert_eq quarantine "$(jb 'd["reason"]')" "reason"
    assert_eq null "$(jb 'd["published_at"]')" "published_at"
    local elig
    elig=$(iso_epoch "$(jb 'd["eligible_at"]')") || fail "eligible_at is not a time: $(body)"
    (( elig >= before + WEEK - 1 && elig <= after + WEEK + 1 )) ||
        fail "eligible_at $elig is not first seen + 7d (first seen in [$before, $after])"
    assert_contains "$(jb 'd["error"]')" "is quarantined until" "error line"
    assert_eq 1.0.0 "$(jb 'd["alternative"]')" "alternative"
    # first seen does not move: asked again later, the same eligible time
    sleep 1.2
    http GET "$MAIN_URL/npm/q-notime/-/q-notime-1.0.1.tgz"
    expect_status 403 "q-notime-1.0.1.tgz again"
    assert_eq "$elig" "$(iso_epoch "$(jb 'd["eligible_at"]')")" "eligible_at on a later request"
}

t_notime_deny() {
    http GET "$STRICT_URL/npm/q-notime/-/q-notime-1.0.1.tgz"
    body
    echo
    expect_status 403 "q-notime-1.0.1.tgz with missing_timestamp: deny"
    assert_eq missing_timestamp "$(jb 'd["reason"]')" "reason"
    assert_eq 1.0.0 "$(jb 'd["alternative"]')" "alternative"
    assert_contains "$(jb 'd["error"]')" "q-notime@1.0.1" "error line"
    packument "$STRICT_URL/npm/q-notime" abbrev
    assert_eq '["1.0.0"]' "$(jb 'sorted(d["versions"])')" "q-notime versions (strict)"
    http GET "$STRICT_URL/npm/q-notime/-/q-notime-1.0.0.tgz"
    expect_status 200 "q-notime-1.0.0.tgz (mature) with missing_timestamp: deny"
}

t_decision_log() {
    local rec
    rec=$(wait_for_decision 'r.get("package") == "q-lib" and r.get("version") == "1.2.0" and r.get("decision") == "deny" and r.get("reason") == "quarantine"') ||
        fail "no deny/quarantine decision for q-lib@1.2.0"
    echo "$rec"
    printf '%s\n' "$rec" >"$IT_TMP/decision.json"
    assert_contains "$(json_eval "$IT_TMP/decision.json" 'd.get("rule") or ""')" "min_age" "rule of the q-lib@1.2.0 decision"
    rec=$(wait_for_decision 'r.get("package") == "edge-pkg" and r.get("version") == "1.1.0" and r.get("decision") == "deny"') ||
        fail "no deny decision for edge-pkg@1.1.0"
    echo "$rec"
    printf '%s\n' "$rec" >"$IT_TMP/decision.json"
    assert_contains "$(json_eval "$IT_TMP/decision.json" 'd.get("rule") or ""')" "npm:edge-pkg" "rule of the edge-pkg@1.1.0 decision"
    assert_eq quarantine "$(json_eval "$IT_TMP/decision.json" 'd.get("reason")')" "reason of the edge-pkg decision"
}

t_decision_log_allow() {
    # an allow is a decision too: the exemption rule that let @trusted/kit@1.1.0
    # (one hour old) through must be on record
    local rec
    rec=$(wait_for_decision 'r.get("package") == "@trusted/kit" and r.get("version") == "1.1.0" and r.get("decision") == "allow"') ||
        fail "no allow decision for @trusted/kit@1.1.0"
    echo "$rec"
    printf '%s\n' "$rec" >"$IT_TMP/decision.json"
    assert_contains "$(json_eval "$IT_TMP/decision.json" 'd.get("rule") or ""')" "npm:@trusted/*" "rule of the @trusted/kit@1.1.0 allow decision"
}

# ------------------------------------------------------------------ npm

t_npm_install() {
    local dir=$IT_TMP/npm-tree out
    new_project "$dir" "$DEPS"
    out=$(npm_at "$MAIN_URL" "$dir" install 2>&1) || fail "npm install failed: $out"
    echo "$out"
    check_tree "$dir"
}
t_npm_tags() { check_tags "$IT_TMP/npm-tree"; }
t_npm_scope() { check_scope "$IT_TMP/npm-tree"; }

NPM_PIN_OUT=$IT_TMP/npm-pin.out
t_npm_pin_fails() {
    local dir=$IT_TMP/npm-pin rc
    new_project "$dir" '{"q-lib": "1.2.0"}'
    NPM_CACHE=$IT_TMP/npm-cache-pin npm_at "$MAIN_URL" "$dir" install >"$NPM_PIN_OUT" 2>&1
    rc=$?
    cat "$NPM_PIN_OUT"
    client_failed "$rc" "$(cat "$NPM_PIN_OUT")" "npm install of q-lib@1.2.0"
    [[ -z $(installed_version "$dir" q-lib) ]] || fail "q-lib was installed"
}
t_npm_pin_reason() {
    local out
    out=$(cat "$NPM_PIN_OUT" 2>/dev/null)
    [[ -n $out ]] || fail "needs the exact-pin case"
    assert_contains "$out" "E403" "npm output"
    assert_contains "$out" "q-lib@1.2.0" "npm output"
    assert_contains_i "$out" "quarantine" "npm output"
}

t_npm_ci_held() {
    local src=$IT_TMP/npm-lock-src dir=$IT_TMP/npm-ci out rc
    new_project "$src" '{"q-app": "^1.0.0"}'
    out=$(NPM_CACHE=$IT_TMP/npm-cache-open npm_at "$OPEN_URL" "$src" install 2>&1) ||
        fail "npm install through the min_age 0 cordon failed: $out"
    lockfile_pins "$src/package-lock.json" /q-app-1.1.0.tgz
    lockfile_pins "$src/package-lock.json" /q-lib-1.2.0.tgz
    # the project now uses the quarantining cordon (the URL in the lockfile too)
    mkdir -p "$dir"
    cp "$src/package.json" "$dir/"
    sed "s#127.0.0.1:$OPEN_PORT/#127.0.0.1:$CPORT/#g" "$src/package-lock.json" >"$dir/package-lock.json"
    grep -q "127.0.0.1:$OPEN_PORT" "$dir/package-lock.json" && fail "lockfile still points at the open cordon"
    out=$(NPM_CACHE=$IT_TMP/npm-cache-ci npm_at "$MAIN_URL" "$dir" ci 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "npm ci with a lockfile pinning held versions"
    assert_contains "$out" "403" "npm ci output"
    assert_contains_i "$out" "quarantined" "npm ci output"
    assert_contains "$out" "newest allowed" "npm ci output (cordon's error line)"
}

# ------------------------------------------------------------------ pnpm

t_pnpm_install() {
    local dir=$IT_TMP/pnpm-tree out
    new_project "$dir" "$DEPS"
    out=$(pnpm_at "$MAIN_URL" "$dir" main install --no-frozen-lockfile 2>&1) || fail "pnpm install failed: $out"
    echo "$out"
    check_tree "$dir"
}
t_pnpm_tags() { check_tags "$IT_TMP/pnpm-tree"; }
t_pnpm_scope() { check_scope "$IT_TMP/pnpm-tree"; }

PNPM_PIN_OUT=$IT_TMP/pnpm-pin.out
t_pnpm_pin_fails() {
    local dir=$IT_TMP/pnpm-pin rc
    new_project "$dir" '{"q-lib": "1.2.0"}'
    pnpm_at "$MAIN_URL" "$dir" pin install --no-frozen-lockfile >"$PNPM_PIN_OUT" 2>&1
    rc=$?
    cat "$PNPM_PIN_OUT"
    client_failed "$rc" "$(cat "$PNPM_PIN_OUT")" "pnpm install of q-lib@1.2.0"
    [[ -z $(installed_version "$dir" q-lib) ]] || fail "q-lib was installed"
}
# pnpm does not read policyRestrictions (npm does): for an exact pin it can
# only say the version is missing and name the latest, which is cordon's
# rewritten (newest allowed) one. The reason reaches pnpm users on the
# tarball route (see the --frozen-lockfile case).
t_pnpm_pin_reason() {
    local out
    out=$(cat "$PNPM_PIN_OUT" 2>/dev/null)
    [[ -n $out ]] || fail "needs the exact-pin case"
    assert_contains "$out" "No matching version found for q-lib@1.2.0" "pnpm output for an exact pin to a held version"
    assert_contains "$out" '"1.1.0"' "pnpm names cordon's newest allowed version as the latest"
}

t_pnpm_frozen_held() {
    local dir=$IT_TMP/pnpm-frozen out rc
    new_project "$dir" '{"q-app": "^1.0.0"}'
    out=$(pnpm_at "$OPEN_URL" "$dir" open install --no-frozen-lockfile 2>&1) ||
        fail "pnpm install through the min_age 0 cordon failed: $out"
    lockfile_pins "$dir/pnpm-lock.yaml" "q-app@1.1.0:"
    lockfile_pins "$dir/pnpm-lock.yaml" "q-lib@1.2.0:"
    rm -rf "$dir/node_modules"
    # a clean machine (fresh store and cache) against the quarantining cordon
    out=$(pnpm_at "$MAIN_URL" "$dir" frozen install --frozen-lockfile 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "pnpm install --frozen-lockfile with a lockfile pinning held versions"
    assert_contains "$out" "403" "pnpm output"
    assert_contains_i "$out" "quarantined" "pnpm output"
}

# ------------------------------------------------------------------ yarn

t_yarn_install() {
    local dir=$IT_TMP/yarn-tree out
    yarn_project "$dir" "$MAIN_URL" main "$DEPS"
    out=$(yarn_in "$dir" install 2>&1) || fail "yarn install failed: $out"
    echo "$out"
    check_tree "$dir"
}
t_yarn_tags() { check_tags "$IT_TMP/yarn-tree"; }
t_yarn_scope() { check_scope "$IT_TMP/yarn-tree"; }

YARN_PIN_OUT=$IT_TMP/yarn-pin.out
t_yarn_pin_fails() {
    local dir=$IT_TMP/yarn-pin rc
    yarn_project "$dir" "$MAIN_URL" pin '{"q-lib": "1.2.0"}'
    yarn_in "$dir" install >"$YARN_PIN_OUT" 2>&1
    rc=$?
    cat "$YARN_PIN_OUT"
    client_failed "$rc" "$(cat "$YARN_PIN_OUT")" "yarn install of q-lib@1.2.0"
    [[ -z $(installed_version "$dir" q-lib) ]] || fail "q-lib was installed"
}
# yarn berry does not read policyRestrictions either: it reports no
# candidates for the pin. The reason reaches yarn users on the tarball route
# (see the --immutable case).
t_yarn_pin_reason() {
    local out
    out=$(cat "$YARN_PIN_OUT" 2>/dev/null)
    [[ -n $out ]] || fail "needs the exact-pin case"
    assert_contains "$out" "q-lib@npm:1.2.0" "yarn output for an exact pin to a held version"
    assert_contains "$out" "No candidates found" "yarn output for an exact pin to a held version"
}

t_yarn_immutable_held() {
    local dir=$IT_TMP/yarn-immutable out rc
    yarn_project "$dir" "$OPEN_URL" open '{"q-app": "^1.0.0"}'
    out=$(yarn_in "$dir" install 2>&1) || fail "yarn install through the min_age 0 cordon failed: $out"
    lockfile_pins "$dir/yarn.lock" '"q-app@npm:1.1.0"'
    lockfile_pins "$dir/yarn.lock" '"q-lib@npm:1.2.0"'
    rm -rf "$dir/node_modules"
    # a clean machine (fresh cache) against the quarantining cordon
    yarn_registry "$dir" "$MAIN_URL" immutable
    out=$(YARN_IMMUTABLE=true yarn_in "$dir" install --immutable 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "yarn install --immutable with a lockfile pinning held versions"
    assert_contains "$out" "403" "yarn output"
    assert_contains_i "$out" "quarantined" "yarn output"
}

# ------------------------------------------------------------------ SIGHUP

CONFIG=$IT_TMP/cordon.yaml

# wait_listed URL VERSION yes|no [SECONDS]: poll (full document) until
# VERSION is (or is not) in the packument's versions.
wait_listed() {
    local url=$1 ver=$2 want=$3 secs=${4:-10} deadline got=""
    deadline=$(( $(date +%s) + secs ))
    while :; do
        http GET "$url"
        if [[ $HTTP_STATUS == 200 ]]; then
            got=$(jb "\"$ver\" in d[\"versions\"]") || got=""
            [[ $want == yes && $got == true ]] && return 0
            [[ $want == no && $got == false ]] && return 0
        fi
        (( $(date +%s) >= deadline )) && break
        sleep 0.2
    done
    echo "last answer: HTTP $HTTP_STATUS $(head -c 600 "$HTTP_BODY")" >&2
    return 1
}

t_sighup() {
    local url=$MAIN_URL/npm/q-reload tgz=$MAIN_URL/npm/q-reload/-/q-reload-1.1.0.tgz
    grep -q '^quarantine: { min_age: 7d,' "$CONFIG" || fail "unexpected config: $(cat "$CONFIG")"
    packument "$url" full
    assert_eq false "$(jb '"1.1.0" in d["versions"]')" "q-reload@1.1.0 (3 days old) listed under min_age 7d"
    http GET "$tgz"
    expect_status 403 "q-reload-1.1.0.tgz under min_age 7d"

    # 1. a shorter window: the held version appears without a restart
    cp "$CONFIG" "$IT_TMP/cordon.yaml.7d"
    sed 's/^quarantine: { min_age: 7d,/quarantine: { min_age: 2d,/' "$IT_TMP/cordon.yaml.7d" >"$CONFIG.tmp" && mv "$CONFIG.tmp" "$CONFIG"
    kill -HUP "$CORDON_PID" || fail "cannot signal cordon"
    wait_listed "$url" 1.1.0 yes 60 || fail "q-reload@1.1.0 not listed within 60 s of SIGHUP with min_age 2d"
    packument "$url" abbrev
    assert_eq true "$(jb '"1.1.0" in d["versions"]')" "q-reload@1.1.0 in the abbreviated document after SIGHUP"
    assert_eq 1.1.0 "$(jb 'd["dist-tags"]["latest"]')" "q-reload latest after SIGHUP"
    http GET "$tgz"
    expect_status 200 "q-reload-1.1.0.tgz after SIGHUP (min_age 2d)"
    kill -0 "$CORDON_PID" || fail "cordon exited"

    # 2. an invalid file: an error line, and the running configuration stays
    local lines_before
    lines_before=$(wc -l <"$IT_TMP/cordon.stderr")
    sed 's/^quarantine: { min_age: 2d,/quarantine: { min_age: forever,/' "$CONFIG" >"$CONFIG.tmp" && mv "$CONFIG.tmp" "$CONFIG"
    kill -HUP "$CORDON_PID" || fail "cannot signal cordon"
    local deadline found="" new
    deadline=$(( $(date +%s) + 60 ))
    while :; do
        # the new lines whole, then filtered: no reader that stops early
        new=$(tail -n +"$((lines_before + 1))" "$IT_TMP/cordon.stderr")
        found=$(grep -iE 'error|invalid' <<<"$new" | grep -v '"path"') || found=""
        [[ -n $found ]] && break
        (( $(date +%s) < deadline )) || break
        sleep 0.1
    done
    echo "error line: $found"
    [[ -n $found ]] || fail "no error line on stderr within 60 s of SIGHUP with an invalid file; new stderr: $(tail -n 5 <<<"$new")"
    kill -0 "$CORDON_PID" || fail "cordon exited on an invalid configuration"
    # the error line is written once the reload was refused: nothing to wait for
    packument "$url" full
    assert_eq true "$(jb '"1.1.0" in d["versions"]')" "q-reload@1.1.0 listed after a failed reload (min_age 2d stays)"
    packument "$MAIN_URL/npm/q-lib" full
    assert_eq false "$(jb '"1.2.0" in d["versions"]')" "q-lib@1.2.0 (1 day old) listed after a failed reload"

    # 3. back to 7d: held again, and its tarball is refused though cordon has it cached
    cp "$IT_TMP/cordon.yaml.7d" "$CONFIG.tmp" && mv "$CONFIG.tmp" "$CONFIG"
    kill -HUP "$CORDON_PID" || fail "cannot signal cordon"
    wait_listed "$url" 1.1.0 no 60 || fail "q-reload@1.1.0 still listed 60 s after SIGHUP back to min_age 7d"
    http GET "$tgz"
    expect_status 403 "q-reload-1.1.0.tgz (cached) after SIGHUP back to min_age 7d"
    assert_eq quarantine "$(jb 'd["reason"]')" "reason"
}

# ------------------------------------------------------------------ run

need_pnpm() {
    if (( HAVE_PNPM )); then run_test "$1" "$2"; else client_missing "$1" "pnpm not in $TOOLS (run scripts/test-tools.sh)"; fi
}
need_yarn() {
    if (( HAVE_YARN )); then run_test "$1" "$2"; else client_missing "$1" "yarn not in $TOOLS (run scripts/test-tools.sh)"; fi
}

run_test "boundary: a version ${EDGE_AGE}s old under a ${EDGE_WINDOW}s rule is held (packument and tarball)" t_edge_held
run_test "no upstream time: held until first seen + window (403 quarantine, eligible_at = first seen + 7d)" t_notime_first_seen
run_test "no upstream time with missing_timestamp: deny: 403 missing_timestamp" t_notime_deny
run_test "latest: held 2.0.0 -> highest mature stable not above it (1.9.9)" t_latest_backport_held
run_test "latest: mature 2.0.0 stays latest though a 1.9.9 backport is newer by time" t_latest_backport_newest
run_test "latest: never above upstream latest (held 1.1.0 -> 1.0.0, not mature 2.0.0)" t_latest_not_above_upstream
run_test "prerelease tags: next -> mature beta of its line, held stable tag moved, rc dropped" t_prerelease_tags
run_test "held versions absent from versions and time, listed in policyRestrictions (full and abbreviated)" t_held_absent
run_test "modified recomputed from the kept versions" t_modified_recomputed
run_test "tarball of a held version: 403 with the full denial object" t_tarball_denial
run_test "denial alternative: same major first, else the current latest" t_tarball_denial_alternative
run_test "tarball of a held version requested before its packument: 403" t_tarball_denial_unseen

run_test "npm: caret ranges resolve to the newest mature versions, transitively" t_npm_install
run_test "npm: latest and a prerelease tag resolve to the rewritten tags" t_npm_tags
run_test "npm: a scope exempted by a rule installs its newest version" t_npm_scope
run_test "npm: an exact pin to a held version fails" t_npm_pin_fails
run_test "npm: ... and the output gives cordon's reason (E403, quarantine)" t_npm_pin_reason
run_test "npm: npm ci with a lockfile pinning held versions fails with cordon's reason" t_npm_ci_held

need_pnpm "pnpm: caret ranges resolve to the newest mature versions, transitively" t_pnpm_install
need_pnpm "pnpm: latest and a prerelease tag resolve to the rewritten tags" t_pnpm_tags
need_pnpm "pnpm: a scope exempted by a rule installs its newest version" t_pnpm_scope
need_pnpm "pnpm: an exact pin to a held version fails" t_pnpm_pin_fails
need_pnpm "pnpm: ... and the output names the version and cordon's newest allowed as latest" t_pnpm_pin_reason
need_pnpm "pnpm: install --frozen-lockfile pinning held versions fails with cordon's reason" t_pnpm_frozen_held

need_yarn "yarn: caret ranges resolve to the newest mature versions, transitively" t_yarn_install
need_yarn "yarn: latest and a prerelease tag resolve to the rewritten tags" t_yarn_tags
need_yarn "yarn: a scope exempted by a rule installs its newest version" t_yarn_scope
need_yarn "yarn: an exact pin to a held version fails" t_yarn_pin_fails
need_yarn "yarn: ... and the output names the pinned version (yarn reads no policyRestrictions)" t_yarn_pin_reason
need_yarn "yarn: install --immutable pinning held versions fails with cordon's reason" t_yarn_immutable_held

run_test "decision log: denials recorded with the rule that decided" t_decision_log
run_test "decision log: allows recorded with the rule that decided (scope exemption)" t_decision_log_allow
run_test "boundary: the version appears once old enough, without a restart" t_edge_appears
run_test "SIGHUP: a changed window applies at once; an invalid file keeps the running config" t_sighup
finish
