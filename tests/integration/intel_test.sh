#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: the OSV feed (intel.osv_dir) and the security fast lane,
# through the real npm, pip and mvn in front of the fixture upstream
# (tests/fixtures/upstream.py with tests/fixtures/intel_spec.json).
#
#   CORDON_BIN=build/cordon bash tests/integration/intel_test.sh
#
# A malicious version is refused on every route with reason "malicious"
# (approvals included), a record added while cordon runs acts on versions
# already cached (within seconds: polled with a deadline, never timed), a
# withdrawn record lifts, an advisory opens the fast lane for exactly its
# fixed version, and GET /-/api/intel counts what is loaded.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v npm >/dev/null || setup_skip "npm not found"
command -v curl >/dev/null || setup_skip "curl not found"

it_setup
export OSV=$IT_TMP/osv
mkdir -p "$OSV/osv/malicious" "$OSV/osv/withdrawn"

# put_osv REL JSON: a record, written whole (temp file, then rename)
put_osv() {
    mkdir -p "$(dirname "$OSV/$1")"
    printf '%s\n' "$2" >"$OSV/$1.tmp" && mv "$OSV/$1.tmp" "$OSV/$1"
}
# mal ID ECOSYSTEM NAME VERSIONS_JSON
mal() {
    printf '{"id":"%s","summary":"Malicious code in %s","modified":"2025-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"%s","name":"%s"},"versions":%s}]}' \
        "$1" "$3" "$2" "$3" "$4"
}

put_osv osv/malicious/npm/evil-pkg/MAL-2025-100.json "$(mal MAL-2025-100 npm evil-pkg '["1.0.1"]')"
put_osv osv/malicious/pypi/Evil_Py/MAL-2025-101.json "$(mal MAL-2025-101 PyPI Evil_Py '["1.1"]')"
put_osv osv/malicious/maven/org.cordon.intel:evil-jar/MAL-2025-102.json \
    "$(mal MAL-2025-102 Maven org.cordon.intel:evil-jar '["1.1"]')"
put_osv osv/malicious/npm/broken/MAL-2025-199.json '{"id": "MAL-2025-199", "affected": ['
# an advisory (not malicious): fix-pkg below 1.2.4 is vulnerable
put_osv advisories/GHSA-fix1-2345-6789.json \
    '{"id":"GHSA-fix1-2345-6789","summary":"prototype pollution in fix-pkg","affected":[{"package":{"ecosystem":"npm","name":"fix-pkg"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.4"}]}]}]}'

# the same for fix-py (PyPI order) and fix-jar (Maven order): fixed in 1.1
put_osv advisories/PYSEC-2025-7.json \
    '{"id":"PYSEC-2025-7","summary":"path traversal in fix-py","affected":[{"package":{"ecosystem":"PyPI","name":"fix-py"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.1"}]}]}]}'
put_osv advisories/GHSA-fixj-2345-6789.json \
    '{"id":"GHSA-fixj-2345-6789","summary":"deserialisation in fix-jar","affected":[{"package":{"ecosystem":"Maven","name":"org.cordon.intel:fix-jar"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.1"}]}]}]}'

start_fixture "$IT_ROOT/tests/fixtures/intel_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 7d }"
CORDON_EXTRA_YAML="intel: { osv_dir: $OSV, fast_lane: true }"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
DATA=$IT_TMP/data

make_token() { # NAME ROLE
    timeout 15 "$CORDON_BIN" token add "$1" --role "$2" --data-dir "$DATA" 2>"$IT_TMP/token-$1.err" | head -n 1 | tr -d '\r\n'
}
T_REV=$(make_token alice reviewer)
T_AUD=$(make_token audrey auditor)
T_CI=$(make_token cici ci)
[[ $T_REV == cordon_* && $T_AUD == cordon_* && $T_CI == cordon_* ]] || setup_failed "cordon token add failed"

api() { # TOKEN METHOD PATH [BODY]
    local tok=$1 method=$2 path=$3 data=${4:-} args=()
    [[ -n $tok ]] && args+=(-H "Authorization: Bearer $tok")
    [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
    http "$method" "$CORDON_URL/-/api/$path" "${args[@]}"
}

# wait_until SECONDS CMD...: CMD succeeds before the deadline (polled)
wait_until() {
    local secs=$1 deadline
    shift
    deadline=$(( $(date +%s) + secs ))
    until "$@"; do
        (( $(date +%s) < deadline )) || return 1
        sleep 0.3
    done
}

tarball_status() { # PKG VERSION
    curl -s -o "$IT_TMP/tb.body" -w '%{http_code}' --max-time 20 "$CORDON_URL/npm/$1/-/$1-$2.tgz"
}
packument_lists() { # PKG VERSION: the filtered packument lists it
    curl -s --max-time 20 "$CORDON_URL/npm/$1" >"$IT_TMP/pk.json" &&
        json_eval "$IT_TMP/pk.json" "'$2' in d.get('versions', {})" | grep -qx true
}

# ------------------------------------------------------------------ cases

t_api_intel() {
    api "" GET intel
    expect_status 401 "GET /-/api/intel without a token"
    api "$T_CI" GET intel
    expect_status 403 "GET /-/api/intel with a ci token"
    api "$T_AUD" GET intel
    expect_status 200 "GET /-/api/intel as auditor"
    check_json "$HTTP_BODY" '
want(d["records"] == 6, "records: %r" % d["records"])
want(d["malicious"] == 3, "malicious: %r" % d["malicious"])
want(d["advisories"] == 3, "advisories: %r" % d["advisories"])
want(d["skipped"] == 1, "skipped: %r" % d["skipped"])
want(any("MAL-2025-199" in f["path"] for f in d["skipped_files"]), "the malformed file is named")
want(iso(d["loaded_at"]), "loaded_at: %r" % d["loaded_at"])
want(d["osv_dir"] == env["OSV"], "osv_dir")' "GET /-/api/intel"
    grep -q 'OSV file skipped.*MAL-2025-199' "$IT_TMP/cordon.stderr" || fail "no warning naming the malformed file in the log"
    api "$T_REV" GET intel
    expect_status 200 "GET /-/api/intel as reviewer"
}

t_npm_malicious_refused() {
    local d=$IT_TMP/npm-mal out rc
    new_project "$d" '{"evil-pkg": "1.0.1"}'
    out=$(npm_in "$d" install 2>&1)
    rc=$?
    echo "$out" | tail -n 20
    (( rc != 0 )) || fail "npm installed evil-pkg@1.0.1"
    assert_contains_i "$out" "malicious" "npm output"
    assert_contains "$out" "MAL-2025-100" "npm output"
    # the tarball route says why, in the denial object
    [[ $(tarball_status evil-pkg 1.0.1) == 403 ]] || fail "the tarball was not refused"
    check_json "$IT_TMP/tb.body" '
want(d["reason"] == "malicious", "reason %r" % d["reason"])
want(d["advisory"] == "MAL-2025-100", "advisory %r" % d.get("advisory"))
want("Malicious code in evil-pkg" in d["error"], "error: %r" % d["error"])
want("ask a reviewer" not in d["error"], "a malicious version sends people to a reviewer: %r" % d["error"])
want(d["alternative"] == "1.0.0", "alternative %r" % d["alternative"])' "the tarball denial"
    # metadata does not list it; a range resolves to the version before
    packument_lists evil-pkg 1.0.1 && fail "the packument still lists evil-pkg 1.0.1"
    new_project "$d/range" '{"evil-pkg": "^1.0.0"}'
    npm_in "$d/range" install >/dev/null 2>&1 || fail "npm install evil-pkg@^1.0.0 failed"
    assert_installed "$d/range" evil-pkg 1.0.0
}

t_approval_does_not_lift() {
    api "$T_REV" POST approvals '{"ecosystem":"npm","package":"evil-pkg","version":"1.0.1","comment":"we trust it"}'
    expect_status 201 "POST approvals evil-pkg 1.0.1"
    [[ $(tarball_status evil-pkg 1.0.1) == 403 ]] || fail "an approval admitted a malicious version"
    check_json "$IT_TMP/tb.body" 'want(d["reason"] == "malicious", "reason %r" % d["reason"])' "the denial after approval"
    # the held queue shows the advisory's id and summary
    api "$T_AUD" GET held
    expect_status 200 "GET held"
    check_json "$HTTP_BODY" '
items = d if isinstance(d, list) else d.get("held", d.get("items", []))
e = [x for x in items if x.get("package") == "evil-pkg" and x.get("version") == "1.0.1"]
want(len(e) == 1, "evil-pkg 1.0.1 in the queue: %r" % items)
if e:
    want(e[0]["reason"] == "malicious", "reason %r" % e[0]["reason"])
    want(e[0].get("advisory", {}).get("id") == "MAL-2025-100", "advisory %r" % e[0].get("advisory"))
    want("Malicious code in evil-pkg" in e[0].get("advisory", {}).get("summary", ""), "summary")' "the held queue"
}

t_cached_then_flagged_and_withdrawn() {
    local d=$IT_TMP/npm-later out rc
    new_project "$d" '{"later-pkg": "2.0.0"}'
    NPM_CACHE=$IT_TMP/cache-later1 npm_in "$d" install >/dev/null 2>&1 || fail "the first install of later-pkg failed"
    assert_installed "$d" later-pkg 2.0.0
    cp "$d/package-lock.json" "$IT_TMP/later-lock.json"
    packument_lists later-pkg 2.0.0 || fail "the packument does not list later-pkg 2.0.0 before the record"
    # the lockfile check passes now
    http POST "$CORDON_URL/-/api/lockfiles/intel-app" -H "Authorization: Bearer $T_CI" --data-binary @"$IT_TMP/later-lock.json"
    expect_status 200 "lockfile check before the record"
    check_json "$HTTP_BODY" 'want(d["ok"] is True, "ok %r" % d.get("ok"))' "the lockfile check before"
    # the record appears while cordon runs
    put_osv osv/malicious/npm/later-pkg/MAL-2025-103.json "$(mal MAL-2025-103 npm later-pkg '["2.0.0"]')"
    wait_until 60 bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 '$CORDON_URL/npm/later-pkg/-/later-pkg-2.0.0.tgz') == 403 ]]" ||
        fail "the cached tarball was still served 60 s after the record appeared"
    packument_lists later-pkg 2.0.0 && fail "the (cached, rendered) packument still lists later-pkg 2.0.0"
    rm -rf "$d/node_modules"
    out=$(NPM_CACHE=$IT_TMP/cache-later2 npm_in "$d" ci 2>&1)
    rc=$?
    echo "$out" | tail -n 15
    (( rc != 0 )) || fail "npm ci from the lockfile installed the flagged later-pkg"
    assert_contains "$out" "403" "npm ci output"
    http POST "$CORDON_URL/-/api/lockfiles/intel-app" -H "Authorization: Bearer $T_CI" --data-binary @"$IT_TMP/later-lock.json"
    expect_status 200 "lockfile check after the record"
    check_json "$HTTP_BODY" '
want(d["ok"] is False, "ok %r" % d.get("ok"))
want("malicious" in json.dumps(d), "no entry says malicious")' "the unchanged lockfile after the record"
    # withdrawn: the record moves to osv/withdrawn (as the OSSF repository does it)
    mkdir -p "$OSV/osv/withdrawn/npm/later-pkg"
    mv "$OSV/osv/malicious/npm/later-pkg/MAL-2025-103.json" "$OSV/osv/withdrawn/npm/later-pkg/MAL-2025-103.json"
    wait_until 60 bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 '$CORDON_URL/npm/later-pkg/-/later-pkg-2.0.0.tgz') == 200 ]]" ||
        fail "the withdrawn record still refused later-pkg 60 s later"
    packument_lists later-pkg 2.0.0 || fail "the packument does not list later-pkg 2.0.0 after the withdrawal"
    NPM_CACHE=$IT_TMP/cache-later3 npm_in "$d" ci >/dev/null 2>&1 || fail "npm ci after the withdrawal failed"
    assert_installed "$d" later-pkg 2.0.0
}

t_fast_lane() {
    local d=$IT_TMP/npm-fix out rc
    # 1.2.3 (30 d) is the newest the 7 d window allows and the advisory affects it:
    # 1.2.4, its fix (1 d old), is admitted now; 1.2.5 (1 d) still waits
    packument_lists fix-pkg 1.2.4 || fail "the packument does not list the fixed 1.2.4"
    packument_lists fix-pkg 1.2.5 && fail "the packument lists 1.2.5, which no advisory admits"
    new_project "$d" '{"fix-pkg": "^1.2.0"}'
    npm_in "$d" install >/dev/null 2>&1 || fail "npm install fix-pkg@^1.2.0 failed"
    assert_installed "$d" fix-pkg 1.2.4
    wait_for_decision 'r["package"] == "fix-pkg" and r["version"] == "1.2.4" and r["decision"] == "allow" and "GHSA-fix1-2345-6789" in r.get("rule", "")' ||
        fail "the decision log does not record the fast lane's advisory as the rule"
    [[ $(tarball_status fix-pkg 1.2.5) == 403 ]] || fail "fix-pkg 1.2.5 was served"
    check_json "$IT_TMP/tb.body" 'want(d["reason"] == "quarantine", "reason %r" % d["reason"])' "the 1.2.5 denial"
}

t_pip_fast_lane() {
    local out rc
    # 1.0 (30 d) is the newest the window allows, PYSEC-2025-7 affects it and
    # names 1.1 (1 d) as its fix: pip gets 1.1, and 1.2 (1 d) still waits
    pip_in install --target "$IT_TMP/py-fix" fix-py >/dev/null 2>&1 || fail "pip install fix-py failed"
    assert_pip_installed "$IT_TMP/py-fix" fix-py 1.1
    out=$(pip_in install --target "$IT_TMP/py-fix2" fix-py==1.2 2>&1)
    rc=$?
    echo "$out" | tail -n 5
    (( rc != 0 )) || fail "pip installed fix-py 1.2, which no advisory admits"
    wait_for_decision 'r["package"] == "fix-py" and r["version"] == "1.1" and r["decision"] == "allow" and "PYSEC-2025-7" in r.get("rule", "")' ||
        fail "the decision log does not record PYSEC-2025-7 as the rule for fix-py 1.1"
}

t_mvn_fast_lane() {
    command -v mvn >/dev/null || { client_missing "mvn fast lane" "mvn"; return 0; }
    local p=$IT_TMP/mvn-fix out rc
    # a range: mvn reads maven-metadata.xml, where 1.1 is listed and 1.2 is not
    new_maven_project "$p" "$(mvn_dep org.cordon.intel fix-jar '[1.0,2.0)')"
    out=$(IT_MVN_REPO=$IT_TMP/m2-fix mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 15
    (( rc == 0 )) || fail "mvn compile with fix-jar [1.0,2.0) failed"
    assert_eq "1.1" "$(mvn_local_versions "$IT_TMP/m2-fix" org.cordon.intel fix-jar | tr '\n' ' ' | xargs)" \
        "fix-jar versions mvn downloaded"
    http GET "${MAVEN_REPO}org/cordon/intel/fix-jar/maven-metadata.xml"
    expect_status 200 "fix-jar's maven-metadata.xml"
    assert_contains "$(body)" "<version>1.1</version>" "fix-jar's metadata"
    [[ $(body) != *"<version>1.2</version>"* ]] || fail "fix-jar's metadata lists 1.2, which no advisory admits"
    http GET "${MAVEN_REPO}org/cordon/intel/fix-jar/1.2/fix-jar-1.2.jar"
    expect_status 403 "fix-jar 1.2's jar"
    check_json "$HTTP_BODY" 'want(d["reason"] == "quarantine", "reason %r" % d["reason"])' "the 1.2 denial"
    wait_for_decision 'r["package"] == "org.cordon.intel:fix-jar" and r["version"] == "1.1" and r["decision"] == "allow" and "GHSA-fixj-2345-6789" in r.get("rule", "")' ||
        fail "the decision log does not record GHSA-fixj-2345-6789 as the rule for fix-jar 1.1"
}

t_pip_malicious() {
    local out rc file
    # the page lists 1.1 as yanked: an exact pin takes it and is refused
    # (its metadata too, unlike a quarantined file's) with the reason
    out=$(pip_in install --target "$IT_TMP/py-mal" evil-py==1.1 2>&1)
    rc=$?
    echo "$out" | tail -n 10
    (( rc != 0 )) || fail "pip installed evil-py 1.1"
    assert_contains "$out" "Forbidden - malicious by cordon" "pip output"
    # the file itself, asked for directly: the 403 pip shows says malicious
    file=$(curl -s --max-time 5 -H 'Accept: application/vnd.pypi.simple.v1+json' "$FIXTURE_URL/pypi/simple/evil-py/" |
        "$PYTHON" -c 'import json, sys; print([f["filename"] for f in json.load(sys.stdin)["files"] if "-1.1-" in f["filename"]][0])')
    [[ -n $file ]] || fail "the fixture lists no evil-py 1.1 file"
    out=$(pip_in install --target "$IT_TMP/py-mal2" "$CORDON_URL/pypi/files/evil-py/$file" 2>&1)
    rc=$?
    echo "$out" | tail -n 10
    (( rc != 0 )) || fail "pip installed the evil-py 1.1 file"
    assert_contains "$out" "403" "pip output"
    assert_contains_i "$out" "malicious" "pip output"
    http GET "$CORDON_URL/pypi/files/evil-py/$file"
    expect_status 403 "the malicious file"
    check_json "$HTTP_BODY" 'want(d["reason"] == "malicious" and d["advisory"] == "MAL-2025-101", "denial %r" % d)' "the file denial"
    pip_in install --target "$IT_TMP/py-ok" evil-py >/dev/null 2>&1 || fail "pip install evil-py failed"
    assert_pip_installed "$IT_TMP/py-ok" evil-py 1.0
}

t_mvn_malicious() {
    command -v mvn >/dev/null || { client_missing "mvn malicious" "mvn"; return 0; }
    local p=$IT_TMP/mvn-mal out rc line
    new_maven_project "$p" "$(mvn_dep org.cordon.intel evil-jar 1.1)"
    out=$(IT_MVN_REPO=$IT_TMP/m2-mal mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 30
    mvn_fail_expected "$rc" "mvn compile with evil-jar 1.1 (malicious) pinned"
    line=$(grep -m 1 -E "403" <<<"$out" || true)
    [[ -n $line ]] || fail "mvn output does not show the 403"
    assert_contains_i "$line" "malicious" "the status line mvn shows"
    http GET "${MAVEN_REPO}org/cordon/intel/evil-jar/1.1/evil-jar-1.1.jar"
    expect_status 403 "the malicious jar"
    check_json "$HTTP_BODY" 'want(d["reason"] == "malicious", "reason %r" % d["reason"])' "the jar denial"
}

t_metrics() {
    http GET "$CORDON_URL/-/metrics"
    expect_status 200 "/-/metrics"
    assert_contains "$(body)" 'cordon_intel_records{kind="malicious"}' "metrics"
    assert_contains "$(body)" 'reason="malicious"' "metrics (malicious refusals counted)"
}

run_test "GET /-/api/intel: counts, roles, the malformed file named" t_api_intel
run_test "npm: a malicious version is refused, hidden, and the range resolves around it" t_npm_malicious_refused
run_test "an approval does not lift a malicious version; the queue shows the advisory" t_approval_does_not_lift
run_test "cached, then flagged: tarball, packument and lockfile check; withdrawn lifts" t_cached_then_flagged_and_withdrawn
run_test "fast lane: the advisory's fixed version only, the advisory as the rule" t_fast_lane
run_test "pip: a malicious release is refused with the reason" t_pip_malicious
run_test "mvn: a malicious version fails the build with the reason" t_mvn_malicious
run_test "pip: the fast lane admits exactly the fixed release" t_pip_fast_lane
run_test "mvn: the fast lane admits exactly the fixed version" t_mvn_fast_lane
run_test "metrics count the feed and the malicious refusals" t_metrics
finish
