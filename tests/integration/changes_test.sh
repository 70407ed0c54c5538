#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: what a version changes (GET /-/api/changes), in front
# of the fixture upstream (tests/fixtures/upstream.py with
# tests/fixtures/changes_spec.json).
#
#   CORDON_BIN=build/cordon bash tests/integration/changes_test.sh
#
# chg-lib 1.1.0 (1 day old, held by the 7-day window) against 1.0.0, the
# newest older release cordon serves: a file changed, one removed, two
# added, a postinstall script, a changed and a new dependency, a new main.
# No client fetched either tarball: cordon fetches, verifies and analyses
# both for the diff, and still serves neither the held version nor
# anything a client did not ask for. chg-bad 2.0.0's tarball does not
# match its integrity: the diff says it could not be fetched (502). PyPI:
# chg-py 2.0's wheel against 1.0's wheel (not its sdist) adds a .pth file
# and dependencies.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/changes_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 7d }"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi"
T_AUD=$(timeout 15 "$CORDON_BIN" token add audrey --role auditor --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err" | head -n 1 | tr -d '\r\n')
[[ $T_AUD == cordon_* ]] || setup_failed "cordon token add failed"

changes() { # ECO PKG VER [EXTRA_QUERY]
    http GET "$CORDON_URL/-/api/changes?ecosystem=$1&package=$2&version=$3${4:-}" -H "Authorization: Bearer $T_AUD"
}

# ------------------------------------------------------------------ cases

t_npm_version_against_the_one_before() {
    changes npm chg-lib 1.1.0
    expect_status 200 "the changes of chg-lib 1.1.0"
    echo "changes: $(head -c 3000 "$HTTP_BODY")"
    check_json "$HTTP_BODY" '
want(d["previous"] == {"version": "1.0.0", "chosen": "the newest older release cordon serves"}, "previous %r" % d["previous"])
want(d["artifact"]["filename"] == "chg-lib-1.1.0.tgz" and d["previous_artifact"]["filename"] == "chg-lib-1.0.0.tgz",
     "artifacts %r %r" % (d["artifact"], d["previous_artifact"]))
want(d["compared"] is True, "compared")
f = d["files"]
added = sorted(x["path"] for x in f["added"])
want(added == ["package/lib/main.js", "package/steal.js"], "added %r" % added)
want([x["path"] for x in f["removed"]] == ["package/README.md"], "removed %r" % f["removed"])
ch = {x["path"]: x for x in f["changed"]}
want(set(ch) == {"package/index.js", "package/package.json"}, "changed %r" % sorted(ch))
want(ch["package/index.js"]["size"] == 32 and ch["package/index.js"]["previous_size"] == 20, "index.js %r" % ch["package/index.js"])
want(f["unchanged"] == 1 and f["added_count"] == 2 and f["partial"] is False, "counts %r" % f)
s = d["scripts"]
want(s["added"] == [{"name": "postinstall", "value": "node steal.js"}] and not s["removed"], "scripts %r" % s)
dep = d["dependencies"]
want(dep["added"] == [{"name": "chg-b", "value": "1.0.0"}], "deps added %r" % dep["added"])
want(dep["changed"] == [{"name": "chg-a", "value": "^2.0.0", "previous": "^1.0.0"}], "deps changed %r" % dep["changed"])
e = d["entry_points"]
want(e["changed"] == [{"name": "main", "value": "lib/main.js", "previous": "index.js"}], "entry points %r" % e)
want({"name": "bin chg", "value": "cli.js"} in e["now"], "bin now %r" % e["now"])
want(d["repository"] == "git+https://example.test/chg/lib.git", "repository %r" % d.get("repository"))
want(d["upstream"].endswith("/chg-lib"), "upstream page %r" % d.get("upstream"))' "the npm diff"
    # the diff fetched both tarballs; the held one is still refused to clients
    (( $(fixture_hits "/chg-lib/-/chg-lib-1.0.0.tgz") == 1 )) || fail "1.0.0's tarball was not fetched once"
    http GET "${NPM_REGISTRY%/}/chg-lib/-/chg-lib-1.1.0.tgz"
    expect_status 403 "the held tarball after the diff"
    # asked again: from the records, nothing fetched again
    changes npm chg-lib 1.1.0
    expect_status 200 "the changes again"
    (( $(fixture_hits "/chg-lib/-/chg-lib-1.0.0.tgz") == 1 )) || fail "1.0.0's tarball was fetched again"
    (( $(fixture_hits "/chg-lib/-/chg-lib-1.1.0.tgz") == 1 )) || fail "1.1.0's tarball was fetched again"
}

t_against_a_named_version_and_bad_input() {
    changes npm chg-lib 1.1.0 "&against=0.9.0"
    expect_status 200 "against 0.9.0"
    check_json "$HTTP_BODY" '
want(d["previous"] == {"version": "0.9.0", "chosen": "asked for"}, "previous %r" % d["previous"])
want(d["dependencies"]["added"] == [{"name": "chg-a", "value": "^2.0.0"}, {"name": "chg-b", "value": "1.0.0"}],
     "deps %r" % d["dependencies"])' "against 0.9.0"
    # the first release: everything is new
    changes npm chg-lib 0.9.0
    expect_status 200 "the first release"
    check_json "$HTTP_BODY" '
want(d["previous"] is None and "before 0.9.0" in d["previous_note"], "previous %r %r" % (d["previous"], d.get("previous_note")))
want([x["path"] for x in d["files"]["added"]] == ["package/index.js", "package/package.json"], "files %r" % d["files"])' "0.9.0"
    changes npm chg-lib 7.7.7
    expect_status 404 "a version upstream does not list"
    assert_contains "$(body)" "not_found"
    changes npm chg-lib 1.1.0 "&against="
    expect_status 400 "a blank against"
    changes npm "" 1.1.0
    expect_status 400 "no package"
    http GET "$CORDON_URL/-/api/changes?ecosystem=npm&package=chg-lib&version=1.1.0"
    expect_status 401 "without a token"
}

t_artifact_that_cannot_be_verified() {
    changes npm chg-bad 2.0.0
    expect_status 502 "a tarball that does not match its integrity"
    check_json "$HTTP_BODY" '
want(d["artifact"] is None and "could not be fetched" in d["artifact_note"], "note %r" % d.get("artifact_note"))
want("files" not in d, "no diff without a listing")' "the failed fetch"
    # nothing was kept: the next client gets the integrity refusal too
    http GET "${NPM_REGISTRY%/}/chg-bad/-/chg-bad-2.0.0.tgz"
    [[ $HTTP_STATUS != 200 ]] || fail "the corrupt tarball was served"
}

t_pypi_wheel_against_wheel() {
    changes pypi chg-py 2.0
    expect_status 200 "the changes of chg-py 2.0"
    echo "changes: $(head -c 3000 "$HTTP_BODY")"
    check_json "$HTTP_BODY" '
want(d["artifact"]["filename"].endswith(".whl") and d["previous_artifact"]["filename"].endswith(".whl"),
     "wheel against wheel %r %r" % (d["artifact"], d["previous_artifact"]))
want(d["previous"]["version"] == "1.0", "previous %r" % d["previous"])
want([x["name"] for x in d["scripts"]["added"]] == ["chg_py_boot.pth"], "scripts %r" % d["scripts"])
dep = d["dependencies"]
want([x["name"] for x in dep["added"]] == ["chg-new"], "deps added %r" % dep)
want(dep["changed"] == [{"name": "chg-dep", "value": ">=2", "previous": ">=1"}], "deps changed %r" % dep["changed"])
want("chg_py_boot.pth" in [x["path"] for x in d["files"]["added"]], "files %r" % d["files"]["added"])' "the PyPI diff"
}

run_test "npm: a held version against the newest older release served, both fetched once" t_npm_version_against_the_one_before
run_test "against a named version, a first release, and bad input" t_against_a_named_version_and_bad_input
run_test "an artifact that fails verification: 502, nothing kept" t_artifact_that_cannot_be_verified
run_test "PyPI: a wheel against the previous release's wheel" t_pypi_wheel_against_wheel
finish
