#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: upstream takedowns (reason removed_upstream, intel.takedowns),
# through the real npm, pip and mvn in front of the fixture upstream
# (tests/fixtures/upstream.py with tests/fixtures/takedown_spec.json).
#
#   CORDON_BIN=build/cordon bash tests/integration/takedown_test.sh
#
# A version cordon has cached stops being served once revalidated metadata no
# longer lists it (npm versions, a PyPI file and release, a Maven <version>),
# on the artifact route, in a lockfile check and in the held queue; an
# approval does not bring it back, upstream listing it again does; a whole
# package that upstream answers 404 for has every version removed, and a 5xx
# removes nothing. metadata_ttl is 0 here, so every metadata request
# revalidates: the takedown is seen on the next one.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v npm >/dev/null || setup_skip "npm not found"
command -v curl >/dev/null || setup_skip "curl not found"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/takedown_spec.json"
CORDON_FETCH_YAML="{ metadata_ttl: 0s, timeout: 10s, stale_if_error: 24h }"
CORDON_QUARANTINE_YAML="{ min_age: 7d }"
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

tarball_status() { # PKG VERSION
    curl -s -o "$IT_TMP/tb.body" -w '%{http_code}' --max-time 20 "$CORDON_URL/npm/$1/-/$1-$2.tgz"
}
# the packument as cordon serves it: revalidates (metadata_ttl 0), so cordon sees the takedown
packument() { curl -s -o "$IT_TMP/pk.json" -w '%{http_code}' --max-time 20 "$CORDON_URL/npm/$1"; }
lists() { json_eval "$IT_TMP/pk.json" "'$1' in d.get('versions', {})" | grep -qx true; }

held_entry() { # ECO PKG VERSION: the queue's entry as JSON on stdout ("" when absent)
    api "$T_AUD" GET held
    json_eval "$HTTP_BODY" "[x for x in (d if isinstance(d, list) else d.get('held', d.get('items', []))) if x.get('ecosystem') == '$1' and x.get('package') == '$2' and x.get('version') == '$3']"
}

# ------------------------------------------------------------------ cases

t_npm_takedown_of_a_cached_version() {
    local d=$IT_TMP/npm-gone out rc
    new_project "$d" '{"gone-pkg": "1.1.0"}'
    NPM_CACHE=$IT_TMP/cache-gone1 npm_in "$d" install >/dev/null 2>&1 || fail "the first install of gone-pkg@1.1.0 failed"
    assert_installed "$d" gone-pkg 1.1.0
    cp "$d/package-lock.json" "$IT_TMP/gone-lock.json"
    [[ $(tarball_status gone-pkg 1.1.0) == 200 ]] || fail "the cached tarball was not served before the takedown"
    http POST "$CORDON_URL/-/api/lockfiles/takedown-app" -H "Authorization: Bearer $T_CI" --data-binary @"$IT_TMP/gone-lock.json"
    expect_status 200 "lockfile check before the takedown"
    check_json "$HTTP_BODY" 'want(d["ok"] is True, "ok %r" % d.get("ok"))' "the lockfile check before"

    # upstream takes 1.1.0 down: the packument lists 1.0.0 only
    fixture_mutate '{"npm": {"name": "gone-pkg", "versions": [{"version": "1.0.0", "age": "100d"}]}}'
    [[ $(packument gone-pkg) == 200 ]] || fail "the packument after the takedown"
    lists 1.1.0 && fail "the packument still lists the removed 1.1.0"
    lists 1.0.0 || fail "the packument lost 1.0.0"
    [[ $(tarball_status gone-pkg 1.1.0) == 403 ]] || fail "the cached tarball of the removed 1.1.0 was served"
    check_json "$IT_TMP/tb.body" '
want(d["reason"] == "removed_upstream", "reason %r" % d["reason"])
want("no longer lists" in d["error"], "error: %r" % d["error"])
want(d["alternative"] == "1.0.0", "alternative %r" % d.get("alternative"))' "the tarball denial"
    grep -q 'upstream no longer lists what it listed before.*gone-pkg' "$IT_TMP/cordon.stderr" ||
        fail "no warning line names the takedown"

    # npm ci from the lockfile now fails with the reason in its output
    rm -rf "$d/node_modules"
    out=$(NPM_CACHE=$IT_TMP/cache-gone2 npm_in "$d" ci 2>&1)
    rc=$?
    echo "$out" | tail -n 15
    (( rc != 0 )) || fail "npm ci installed the removed gone-pkg@1.1.0"
    assert_contains "$out" "removed_upstream" "npm ci output"
    # the unchanged lockfile fails its check
    http POST "$CORDON_URL/-/api/lockfiles/takedown-app" -H "Authorization: Bearer $T_CI" --data-binary @"$IT_TMP/gone-lock.json"
    expect_status 200 "lockfile check after the takedown"
    check_json "$HTTP_BODY" '
want(d["ok"] is False, "ok %r" % d.get("ok"))
want("removed_upstream" in json.dumps(d), "no entry says removed_upstream")' "the unchanged lockfile after the takedown"

    # the queue lists it, though no client asked for it since
    local e
    e=$(held_entry npm gone-pkg 1.1.0)
    check_json <(printf '%s' "$e") '
want(len(d) == 1, "gone-pkg 1.1.0 in the queue: %r" % d)
if d:
    want(d[0]["reason"] == "removed_upstream", "reason %r" % d[0]["reason"])' "the held queue"

    # an approval does not bring it back
    api "$T_REV" POST approvals '{"ecosystem":"npm","package":"gone-pkg","version":"1.1.0","comment":"we know it"}'
    expect_status 201 "POST approvals gone-pkg 1.1.0"
    [[ $(tarball_status gone-pkg 1.1.0) == 403 ]] || fail "an approval admitted a version upstream took down"
    check_json "$IT_TMP/tb.body" 'want(d["reason"] == "removed_upstream", "reason %r" % d["reason"])' "the denial after approval"

    # upstream lists it again: served again
    fixture_mutate '{"npm": {"name": "gone-pkg", "versions": [{"version": "1.0.0", "age": "100d"}, {"version": "1.1.0", "age": "50d"}]}}'
    [[ $(packument gone-pkg) == 200 ]] && lists 1.1.0 || fail "the packument does not list 1.1.0 once upstream does"
    [[ $(tarball_status gone-pkg 1.1.0) == 200 ]] || fail "1.1.0 was not served once upstream listed it again"
    e=$(held_entry npm gone-pkg 1.1.0)
    check_json <(printf '%s' "$e") 'want(len(d) == 0, "still in the queue: %r" % d)' "the held queue after the relisting"
}

t_npm_package_404_and_5xx() {
    local d=$IT_TMP/npm-vanish
    new_project "$d" '{"vanish-pkg": "3.0.0", "flaky-pkg": "2.0.0"}'
    NPM_CACHE=$IT_TMP/cache-vanish npm_in "$d" install >/dev/null 2>&1 || fail "the first install failed"
    assert_installed "$d" vanish-pkg 3.0.0
    assert_installed "$d" flaky-pkg 2.0.0
    # a transient 5xx is no takedown: the stale copy serves, the tarball too
    fixture_mutate '{"overrides": {"/flaky-pkg": {"status": 503, "body": "down for maintenance"}}}'
    [[ $(packument flaky-pkg) == 200 ]] || fail "the stale packument was not served during a 503"
    lists 2.0.0 || fail "the stale packument lost 2.0.0"
    [[ $(tarball_status flaky-pkg 2.0.0) == 200 ]] || fail "a 503 upstream took flaky-pkg 2.0.0 down"
    fixture_mutate '{"overrides": {"/flaky-pkg": null}}'
    # the whole package goes: upstream answers 404
    fixture_mutate '{"npm": {"name": "vanish-pkg", "remove": true}}'
    [[ $(packument vanish-pkg) == 404 ]] || fail "the packument of a package upstream removed was not 404"
    [[ $(tarball_status vanish-pkg 3.0.0) == 403 ]] || fail "the cached tarball of a removed package was served"
    check_json "$IT_TMP/tb.body" 'want(d["reason"] == "removed_upstream", "reason %r" % d["reason"])' "the denial"
    api "$T_AUD" GET intel
    expect_status 200 "GET /-/api/intel"
    check_json "$HTTP_BODY" 'want(d["takedowns"]["npm"] == 1, "takedowns (vanish-pkg 3.0.0; gone-pkg was listed again) %r" % d.get("takedowns"))' "GET /-/api/intel"
}

t_pip_takedown() {
    local out rc file
    pip_in install --target "$IT_TMP/py-gone1" gone-py==1.1 >/dev/null 2>&1 || fail "pip install gone-py==1.1 failed"
    assert_pip_installed "$IT_TMP/py-gone1" gone-py 1.1
    file=$(curl -s --max-time 5 -H 'Accept: application/vnd.pypi.simple.v1+json' "$FIXTURE_URL/pypi/simple/gone-py/" |
        "$PYTHON" -c 'import json, sys; print([f["filename"] for f in json.load(sys.stdin)["files"] if "-1.1-" in f["filename"]][0])')
    [[ -n $file ]] || fail "the fixture lists no gone-py 1.1 file"
    # upstream removes the 1.1 release
    fixture_mutate '{"pypi": {"name": "gone-py", "releases": [{"version": "1.0", "age": "60d", "files": ["wheel"]}]}}'
    out=$(pip_in install --target "$IT_TMP/py-gone2" gone-py==1.1 2>&1)
    rc=$?
    echo "$out" | tail -n 5
    (( rc != 0 )) || fail "pip installed the removed gone-py 1.1"
    # the cached file, asked for directly: refused with the reason pip shows
    out=$(pip_in install --target "$IT_TMP/py-gone3" "$CORDON_URL/pypi/files/gone-py/$file" 2>&1)
    rc=$?
    echo "$out" | tail -n 5
    (( rc != 0 )) || fail "pip installed the cached file of the removed release"
    assert_contains "$out" "403" "pip output"
    http GET "$CORDON_URL/pypi/files/gone-py/$file"
    expect_status 403 "the removed file"
    check_json "$HTTP_BODY" 'want(d["reason"] == "removed_upstream", "reason %r" % d["reason"])' "the file denial"
    local e
    e=$(held_entry pypi gone-py 1.1)
    check_json <(printf '%s' "$e") '
want(len(d) == 1, "gone-py 1.1 in the queue: %r" % d)
if d:
    want(d[0]["reason"] == "removed_upstream", "reason %r" % d[0]["reason"])' "the held queue"
    pip_in install --target "$IT_TMP/py-gone4" gone-py >/dev/null 2>&1 || fail "pip install gone-py failed"
    assert_pip_installed "$IT_TMP/py-gone4" gone-py 1.0
}

t_mvn_takedown() {
    command -v mvn >/dev/null || { client_missing "mvn takedown" "mvn"; return 0; }
    local p=$IT_TMP/mvn-gone out rc
    new_maven_project "$p" "$(mvn_dep org.cordon.takedown gone-jar 1.1)"
    IT_MVN_REPO=$IT_TMP/m2-gone1 mvn_in "$p" compile >"$IT_TMP/mvn1.out" 2>&1 ||
        { tail -n 30 "$IT_TMP/mvn1.out"; fail "the first mvn compile with gone-jar 1.1 failed"; }
    # cordon reads the listing (maven-metadata.xml) while 1.1 is in it
    http GET "${MAVEN_REPO}org/cordon/takedown/gone-jar/maven-metadata.xml"
    expect_status 200 "maven-metadata.xml before the takedown"
    assert_contains "$(body)" "<version>1.1</version>" "maven-metadata.xml before"
    fixture_mutate '{"maven": {"groupId": "org.cordon.takedown", "artifactId": "gone-jar", "versions": [{"version": "1.0", "age": "60d"}]}}'
    http GET "${MAVEN_REPO}org/cordon/takedown/gone-jar/maven-metadata.xml"
    expect_status 200 "maven-metadata.xml after the takedown"
    [[ $(body) != *"<version>1.1</version>"* ]] || fail "maven-metadata.xml still lists 1.1"
    out=$(IT_MVN_REPO=$IT_TMP/m2-gone2 mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 30
    mvn_fail_expected "$rc" "mvn compile with gone-jar 1.1 (taken down) pinned"
    grep -q -i "removed_upstream\|taken down" <<<"$out" || fail "mvn output does not show the reason"
    http GET "${MAVEN_REPO}org/cordon/takedown/gone-jar/1.1/gone-jar-1.1.jar"
    expect_status 403 "the removed jar"
    check_json "$HTTP_BODY" 'want(d["reason"] == "removed_upstream", "reason %r" % d["reason"])' "the jar denial"
}

t_metrics() {
    http GET "$CORDON_URL/-/metrics"
    expect_status 200 "/-/metrics"
    assert_contains "$(body)" 'cordon_intel_takedowns{ecosystem="npm"}' "metrics"
    assert_contains "$(body)" 'reason="removed_upstream"' "metrics (removed_upstream refusals counted)"
}

run_test "npm: a cached version upstream took down: tarball, npm ci, lockfile, queue; approval no, relisting yes" t_npm_takedown_of_a_cached_version
run_test "npm: a package upstream answers 404 for is taken down, a 503 takes nothing down" t_npm_package_404_and_5xx
run_test "pip: a removed release and its cached file are refused with the reason" t_pip_takedown
run_test "mvn: a <version> the metadata no longer lists fails the build with the reason" t_mvn_takedown
run_test "metrics count takedowns and their refusals" t_metrics
finish
