#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: the dependency closure (GET /-/api/closure, cordon
# closure) and one approval that covers what an install needs (POST
# /-/api/approvals with with_dependencies, cordon approve
# --with-dependencies), through real npm, pnpm and pip, in front of the
# fixture upstream (tests/fixtures/upstream.py with
# tests/fixtures/closure_spec.json).
#
#   CORDON_BIN=build/cordon bash tests/integration/closure_test.sh
#
# clo-app 2.0.0 (1 day old, 7-day window) needs @clo/core 2.0.0 (exact),
# which needs clo-deep ~3.1.0 (only 3.1.0, young, satisfies it), and the
# optional @clo/native-linux 2.0.0; clo-util ^1.0.0 and the peer clo-peer
# are satisfied by mature versions, and the optional peer clo-skip is not
# installed. The closure names the four held versions; one approval admits
# them as one change set, after which a clean install succeeds. PyPI: clo-py
# 2.0 needs clo-py-dep>=2.0 (young); its win32-only, extra-only and
# old-Python requirements are not part of a linux / CPython 3.11 install.
# Maven: clo-jar 2.0 needs clo-jar-lib 2.0 (young) and clo-jar-range
# [1.0,2.0), where the mature 1.0 is taken over the young 1.5; its
# test-scoped dependency is not part of a consumer's classpath.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"
command -v npm >/dev/null || setup_skip "npm not found"
command -v mvn >/dev/null || setup_skip "mvn not found"
"$PYTHON" -m pip --version >/dev/null 2>&1 || setup_skip "pip not found"
TOOLS=${CORDON_TOOLS:-$IT_ROOT/build/tools}
PNPM_BIN=$TOOLS/node_modules/.bin/pnpm
[[ -x $PNPM_BIN ]] || setup_skip "pnpm not in $TOOLS (run scripts/test-tools.sh)"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/closure_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 7d }"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
T_REV=$(timeout 15 "$CORDON_BIN" token add rita --role reviewer --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err" | head -n 1 | tr -d '\r\n')
T_AUD=$(timeout 15 "$CORDON_BIN" token add audrey --role auditor --data-dir "$IT_TMP/data" 2>>"$IT_TMP/token.err" | head -n 1 | tr -d '\r\n')
[[ $T_REV == cordon_* && $T_AUD == cordon_* ]] || setup_failed "cordon token add failed"
printf '%s\n' "$T_REV" >"$IT_TMP/rev.token"

cli() { timeout 120 "$CORDON_BIN" "$@" --url "$CORDON_URL" --token-file "$IT_TMP/rev.token"; }
closure() { # ECO PKG VER [EXTRA_QUERY]
    http GET "$CORDON_URL/-/api/closure?ecosystem=$1&package=$2&version=$3${4:-}" -H "Authorization: Bearer $T_AUD"
}

# ------------------------------------------------------------------ cases

t_npm_closure_lists_what_is_held() {
    # nothing was asked for before: cordon fetches every packument it needs
    closure npm clo-app 2.0.0
    expect_status 200 "the closure of clo-app 2.0.0"
    echo "closure: $(head -c 4000 "$HTTP_BODY")"
    check_json "$HTTP_BODY" '
n = {(x["package"], x["version"]): x for x in d["closure"]}
held = sorted((x["package"], x["version"]) for x in d["needs_approval"])
want(held == [("@clo/core", "2.0.0"), ("@clo/native-linux", "2.0.0"), ("clo-app", "2.0.0"), ("clo-deep", "3.1.0")],
     "held %r" % held)
want(n[("clo-util", "1.0.0")]["status"] == "allowed", "clo-util ^1.0.0 takes the mature 1.0.0: %r" % n.get(("clo-util", "1.0.0")))
want(("clo-util", "1.1.0") not in n, "clo-util 1.1.0 is not needed")
want(n[("clo-peer", "1.2.0")]["status"] == "allowed", "the peer is part of the install")
want(not [x for x in d["closure"] if x["package"] == "clo-skip"], "an optional peer is not installed")
deep = n[("clo-deep", "3.1.0")]
want(deep["depth"] == 2 and deep["required_by"] == "@clo/core@2.0.0" and deep["spec"] == "~3.1.0", "clo-deep %r" % deep)
want(deep["reason"] == "quarantine" and deep["approvable"] is True and iso(deep["eligible_at"]), "clo-deep verdict %r" % deep)
want(d["held"] == 4 and d["approvable"] == 4 and d["versions"] == len(d["closure"]) and d["truncated"] is False, "counts %r" % d)
want(d["fetched"] >= 6 and d["fetch_failed"] == 0, "fetches %r/%r" % (d["fetched"], d["fetch_failed"]))' "the npm closure"
    # the CLI says the same
    local out
    out=$(cli closure npm clo-app 2.0.0) || fail "cordon closure failed: $out"
    assert_contains "$out" "4 held, 4 of them approvable"
    assert_contains "$out" "clo-deep@3.1.0"
    assert_contains "$out" "(needed by @clo/core@2.0.0)"
    assert_contains "$out" "cordon approve npm clo-app 2.0.0 --with-dependencies"
}

t_npm_one_approval_then_clean_install() {
    new_project "$IT_TMP/app-before" '{"clo-app": "2.0.0"}'
    local out rc=0
    out=$(npm_in "$IT_TMP/app-before" install 2>&1) || rc=$?
    client_failed "$rc" "$out" "npm install clo-app@2.0.0 before the approval"

    out=$(cli approve npm clo-app 2.0.0 --with-dependencies --comment "reviewed the app and its libraries" --expires 7d) ||
        fail "cordon approve --with-dependencies failed: $out"
    assert_contains "$out" "approved as one change set: clo-app@2.0.0 with 3 held dependencies"
    for v in clo-app@2.0.0 @clo/core@2.0.0 @clo/native-linux@2.0.0 clo-deep@3.1.0; do
        assert_contains "$out" "approved npm $v"
    done
    # one audit record names the four
    http GET "$CORDON_URL/-/api/audit?limit=20" -H "Authorization: Bearer $T_AUD"
    expect_status 200 "GET /-/api/audit"
    check_json "$HTTP_BODY" '
recs = [r for r in d["records"] if r.get("type") == "approval_set"]
want(len(recs) == 1, "approval_set records %r" % [r.get("type") for r in d["records"]])
a = recs[0]["approvals"] if recs else []
want(sorted(x["package"] for x in a) == ["@clo/core", "@clo/native-linux", "clo-app", "clo-deep"], "its approvals %r" % a)
want(all(x["comment"] == "reviewed the app and its libraries" and x["expires_at"] for x in a), "one comment, one expiry")' \
        "the change set's audit record"
    http GET "$CORDON_URL/-/api/audit/verify" -H "Authorization: Bearer $T_AUD"
    check_json "$HTTP_BODY" 'want(d["ok"] is True, "audit verify %r" % d)' "audit verify"

    new_project "$IT_TMP/app-npm" '{"clo-app": "2.0.0"}'
    npm_in "$IT_TMP/app-npm" install >"$IT_TMP/app-npm.log" 2>&1 || fail "npm install after the approval: $(tail -n 30 "$IT_TMP/app-npm.log")"
    assert_installed "$IT_TMP/app-npm" clo-app 2.0.0
    assert_installed "$IT_TMP/app-npm" @clo/core 2.0.0
    assert_installed "$IT_TMP/app-npm" clo-deep 3.1.0
    assert_installed "$IT_TMP/app-npm" clo-util 1.0.0
    assert_installed "$IT_TMP/app-npm" @clo/native-linux 2.0.0
    new_project "$IT_TMP/app-pnpm" '{"clo-app": "2.0.0"}'
    pnpm_at "$CORDON_URL" "$IT_TMP/app-pnpm" clo install >"$IT_TMP/app-pnpm.log" 2>&1 ||
        fail "pnpm install after the approval: $(tail -n 30 "$IT_TMP/app-pnpm.log")"
    assert_installed "$IT_TMP/app-pnpm" clo-app 2.0.0
    # the closure now needs nothing
    closure npm clo-app 2.0.0
    check_json "$HTTP_BODY" 'want(d["needs_approval"] == [] and d["allowed"] is True, "still held %r" % d["needs_approval"])' \
        "the closure after the approval"
}

t_pypi_closure_and_approval() {
    closure pypi clo-py 2.0
    expect_status 200 "the closure of clo-py 2.0"
    check_json "$HTTP_BODY" '
names = sorted((x["package"], x["version"], x["status"]) for x in d["closure"])
want(names == [("clo-py", "2.0", "held"), ("clo-py-dep", "2.0", "held")], "closure %r" % names)
want(d["target"] == {"platform": "linux", "python": "3.11"}, "target %r" % d["target"])' "the PyPI closure (linux, 3.11)"
    closure pypi clo-py 2.0 "&platform=windows"
    expect_status 200 "the closure of clo-py 2.0 on windows"
    check_json "$HTTP_BODY" '
names = sorted(x["package"] for x in d["closure"])
want(names == ["clo-py", "clo-py-dep", "clo-py-win"], "windows closure %r" % names)' "the PyPI closure on windows"
    local out rc=0
    out=$(pip_in install --target "$IT_TMP/py-before" clo-py==2.0 2>&1) || rc=$?
    client_failed "$rc" "$out" "pip install clo-py==2.0 before the approval"
    http POST "$CORDON_URL/-/api/approvals" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        -d '{"ecosystem":"pypi","package":"clo-py","version":"2.0","comment":"checked","with_dependencies":true}'
    expect_status 201 "the approval of clo-py 2.0 with its dependencies"
    check_json "$HTTP_BODY" '
want(sorted(a["package"] for a in d["approvals"]) == ["clo-py", "clo-py-dep"], "approvals %r" % d["approvals"])
want(d["not_approvable"] == [] and d["unresolved"] == [], "leftovers %r %r" % (d["not_approvable"], d["unresolved"]))' \
        "the PyPI change set"
    pip_in install --target "$IT_TMP/py" clo-py==2.0 >"$IT_TMP/py.log" 2>&1 || fail "pip install after the approval: $(tail -n 30 "$IT_TMP/py.log")"
    assert_pip_installed "$IT_TMP/py" clo-py 2.0
    assert_pip_installed "$IT_TMP/py" clo-py-dep 2.0
}

t_maven_closure_and_approval() {
    local G=org.cordon.clo
    closure maven "$G%3Aclo-jar" 2.0
    expect_status 200 "the closure of clo-jar 2.0"
    check_json "$HTTP_BODY" '
names = sorted((x["package"], x["version"], x["status"]) for x in d["closure"])
want(names == [("org.cordon.clo:clo-jar", "2.0", "held"), ("org.cordon.clo:clo-jar-lib", "2.0", "held"),
               ("org.cordon.clo:clo-jar-range", "1.0", "allowed")], "closure %r" % names)
r = [x for x in d["closure"] if x["package"].endswith("clo-jar-range")]
want(r and r[0]["spec"] == "[1.0,2.0)", "the range %r" % r)' "the Maven closure"
    new_maven_project "$IT_TMP/mvn-before" "$(mvn_dep $G clo-jar 2.0)"
    local rc=0
    IT_MVN_REPO=$IT_TMP/m2-before mvn_in "$IT_TMP/mvn-before" compile >/dev/null || rc=$?
    mvn_fail_expected "$rc" "mvn compile with clo-jar 2.0 before the approval"
    local out
    out=$(cli approve maven "$G:clo-jar" 2.0 --with-dependencies --comment "reviewed the jar and its library") ||
        fail "cordon approve --with-dependencies (maven) failed: $out"
    assert_contains "$out" "approved maven $G:clo-jar@2.0"
    assert_contains "$out" "approved maven $G:clo-jar-lib@2.0"
    assert_not_contains "$out" "clo-jar-range"
    new_maven_project "$IT_TMP/mvn-after" "$(mvn_dep $G clo-jar 2.0)"
    IT_MVN_REPO=$IT_TMP/m2-after mvn_in "$IT_TMP/mvn-after" compile >/dev/null ||
        fail "mvn compile after the approval: $(tail -n 30 "$IT_TMP/mvn-after/mvn.log")"
    assert_eq 2.0 "$(mvn_local_versions "$IT_TMP/m2-after" $G clo-jar-lib)" "clo-jar-lib resolved by mvn"
    assert_eq 1.0 "$(mvn_local_versions "$IT_TMP/m2-after" $G clo-jar-range)" "clo-jar-range resolved by mvn"
}

t_bad_questions() {
    closure npm clo-app ""
    expect_status 400 "a closure without a version"
    closure npm clo-app 2.0.0 "&platform=beos"
    expect_status 400 "an unknown platform"
    closure pypi clo-py 2.0 "&python=three"
    expect_status 400 "a python that is not a version"
    http GET "$CORDON_URL/-/api/closure?ecosystem=npm&package=clo-app&version=2.0.0"
    expect_status 401 "a closure without a token"
    closure npm clo-app 9.9.9
    expect_status 200 "the closure of a version upstream does not list"
    check_json "$HTTP_BODY" 'want("no version 9.9.9" in (d["error"] or ""), "error %r" % d["error"])' "an unlisted root"
    http POST "$CORDON_URL/-/api/blocks" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        -d '{"ecosystem":"npm","package":"clo-app","comment":"x","with_dependencies":true}'
    expect_status 400 "a block with dependencies"
    http POST "$CORDON_URL/-/api/approvals" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        -d '{"ecosystem":"npm","package":"clo-app","version":"2.0.0","comment":"x","with_dependencies":"yes"}'
    expect_status 400 "with_dependencies that is not a boolean"
}

run_test "the npm closure: held versions at every depth, mature ones preferred, optional peers left out; cordon closure" t_npm_closure_lists_what_is_held
run_test "one approval with dependencies (one audit record), then a clean npm and pnpm install" t_npm_one_approval_then_clean_install
run_test "the PyPI closure follows markers for the target; approval with dependencies, then pip installs" t_pypi_closure_and_approval
run_test "the Maven closure: compile and runtime scope, a range takes the mature version; approval, then mvn builds" t_maven_closure_and_approval
run_test "bad closure questions get a 400; no token a 401" t_bad_questions
finish
