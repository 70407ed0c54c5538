#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: what a package's release history says (intel/history.h) —
# provenance regression (intel.provenance) and publisher change
# (intel.publisher_change) — through the real npm and pip in front of the
# fixture upstream (tests/fixtures/upstream.py with tests/fixtures/history_spec.json).
#
#   CORDON_BIN=build/cordon bash tests/integration/history_test.sh
#
# prov-pkg 1.0.0 and 1.1.0 carry SLSA provenance (dist.attestations), 1.2.0
# does not: held; 2.0.0 has none either, but it starts a new major line: served.
# pub-pkg 1.3.0 is the first version mallory published after three by alice
# and bob: held (publisher_change: hold here); 1.4.0, mallory's second, is not
# a change. prov-py 1.0 carries PEP 740 provenance, 1.1 does not: held; 2.0 is
# a new line. repo-pkg 1.2.0 and repo-py 1.1 carry provenance, but from
# another source repository than their line's earlier versions: held once
# cordon has read the attestation bundles (fetched in the background after
# the first metadata request: polled with a deadline). Then the
# configuration turns both kinds to warn (SIGHUP): served, the finding kept.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v npm >/dev/null || setup_skip "npm not found"
command -v curl >/dev/null || setup_skip "curl not found"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/history_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 7d }"
CORDON_EXTRA_YAML="intel: { provenance: hold, publisher_change: hold }"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi"
T_AUD=$(timeout 15 "$CORDON_BIN" token add audrey --role auditor --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err" | head -n 1 | tr -d '\r\n')
T_CI=$(timeout 15 "$CORDON_BIN" token add cici --role ci --data-dir "$IT_TMP/data" 2>>"$IT_TMP/token.err" | head -n 1 | tr -d '\r\n')
[[ $T_AUD == cordon_* && $T_CI == cordon_* ]] || setup_failed "cordon token add failed"

tarball_status() { # PKG VERSION
    curl -s -o "$IT_TMP/tb.body" -w '%{http_code}' --max-time 20 "$CORDON_URL/npm/$1/-/$1-$2.tgz"
}
packument_lists() { # PKG VERSION
    curl -s --max-time 20 "$CORDON_URL/npm/$1" >"$IT_TMP/pk.json" &&
        json_eval "$IT_TMP/pk.json" "'$2' in d.get('versions', {})" | grep -qx true
}

# ------------------------------------------------------------------ cases

t_npm_provenance_regression() {
    local d=$IT_TMP/npm-prov out rc
    packument_lists prov-pkg 1.2.0 && fail "the packument lists prov-pkg 1.2.0, which lost its line's provenance"
    packument_lists prov-pkg 1.1.0 || fail "the packument lost prov-pkg 1.1.0"
    packument_lists prov-pkg 2.0.0 || fail "the packument lost prov-pkg 2.0.0 (a new major line, not a regression)"
    new_project "$d" '{"prov-pkg": "1.2.0"}'
    out=$(npm_in "$d" install 2>&1)
    rc=$?
    echo "$out" | tail -n 10
    (( rc != 0 )) || fail "npm installed prov-pkg@1.2.0"
    assert_contains "$out" "provenance_regression" "npm output"
    [[ $(tarball_status prov-pkg 1.2.0) == 403 ]] || fail "the 1.2.0 tarball was served"
    check_json "$IT_TMP/tb.body" '
want(d["reason"] == "provenance_regression", "reason %r" % d["reason"])
want("prov-pkg@1.1.0" in d["error"] and "provenance" in d["error"], "error: %r" % d["error"])
want(d["alternative"] == "1.1.0", "alternative %r" % d.get("alternative"))' "the tarball denial"
    new_project "$d/range" '{"prov-pkg": "^1.0.0"}'
    npm_in "$d/range" install >/dev/null 2>&1 || fail "npm install prov-pkg@^1.0.0 failed"
    assert_installed "$d/range" prov-pkg 1.1.0
    new_project "$d/major" '{"prov-pkg": "2.0.0"}'
    npm_in "$d/major" install >/dev/null 2>&1 || fail "npm install prov-pkg@2.0.0 (a new line) failed"
    assert_installed "$d/major" prov-pkg 2.0.0
}

t_npm_publisher_change() {
    local d=$IT_TMP/npm-pub out rc
    packument_lists pub-pkg 1.3.0 && fail "the packument lists pub-pkg 1.3.0, mallory's first"
    packument_lists pub-pkg 1.4.0 || fail "the packument lost pub-pkg 1.4.0 (mallory's second is no change)"
    new_project "$d" '{"pub-pkg": "1.3.0"}'
    out=$(npm_in "$d" install 2>&1)
    rc=$?
    echo "$out" | tail -n 10
    (( rc != 0 )) || fail "npm installed pub-pkg@1.3.0"
    assert_contains "$out" "publisher_change" "npm output"
    [[ $(tarball_status pub-pkg 1.3.0) == 403 ]] || fail "the 1.3.0 tarball was served"
    check_json "$IT_TMP/tb.body" '
want(d["reason"] == "publisher_change", "reason %r" % d["reason"])
want("mallory" in d["error"] and "alice" in d["error"] and "bob" in d["error"], "error: %r" % d["error"])' "the tarball denial"
    # two versions are no history to break
    packument_lists pub-young 1.1.0 || fail "pub-young 1.1.0 (bob after one version) was held"
}

t_pip_provenance_regression() {
    local out rc
    out=$(pip_in install --target "$IT_TMP/py-prov1" prov-py==1.1 2>&1)
    rc=$?
    echo "$out" | tail -n 5
    (( rc != 0 )) || fail "pip installed prov-py 1.1"
    assert_contains "$out" "Reason for being yanked: prov-py@1.1" "pip output (cordon's reason, as the yank's)"
    assert_contains "$out" "provenance" "pip output"
    http GET "$CORDON_URL/pypi/files/prov-py/prov_py-1.1-py3-none-any.whl"
    expect_status 403 "the 1.1 wheel"
    check_json "$HTTP_BODY" 'want(d["reason"] == "provenance_regression", "reason %r" % d["reason"])' "the wheel denial"
    pip_in install --target "$IT_TMP/py-prov2" "prov-py<2" >/dev/null 2>&1 || fail "pip install prov-py<2 failed"
    assert_pip_installed "$IT_TMP/py-prov2" prov-py 1.0
    pip_in install --target "$IT_TMP/py-prov3" prov-py >/dev/null 2>&1 || fail "pip install prov-py failed"
    assert_pip_installed "$IT_TMP/py-prov3" prov-py 2.0
}

not() { ! "$@"; }

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

t_npm_repository_moved() {
    local d=$IT_TMP/npm-repo out rc
    curl -s -o /dev/null --max-time 20 "$CORDON_URL/npm/repo-pkg" # cordon reads the packument, then the bundles
    wait_until 30 not packument_lists repo-pkg 1.2.0 ||
        fail "repo-pkg 1.2.0 (built from another repository) still listed 30 s after the first request"
    packument_lists repo-pkg 1.1.0 || fail "the packument lost repo-pkg 1.1.0"
    new_project "$d" '{"repo-pkg": "1.2.0"}'
    out=$(npm_in "$d" install 2>&1)
    rc=$?
    echo "$out" | tail -n 10
    (( rc != 0 )) || fail "npm installed repo-pkg@1.2.0"
    assert_contains "$out" "provenance_regression" "npm output"
    [[ $(tarball_status repo-pkg 1.2.0) == 403 ]] || fail "the 1.2.0 tarball was served"
    check_json "$IT_TMP/tb.body" '
want(d["reason"] == "provenance_regression", "reason %r" % d["reason"])
want("built from https://github.com/evil/repo-pkg" in d["error"] and "https://github.com/acme/repo-pkg" in d["error"],
     "error: %r" % d["error"])' "the tarball denial"
}

t_pip_repository_moved() {
    local out rc
    curl -s -o /dev/null --max-time 20 -H 'Accept: application/vnd.pypi.simple.v1+json' "$CORDON_URL/pypi/simple/repo-py/"
    wait_until 30 bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 '$CORDON_URL/pypi/files/repo-py/repo_py-1.1-py3-none-any.whl') == 403 ]]" ||
        fail "repo-py 1.1 (another publisher repository) still served 30 s after the first request"
    http GET "$CORDON_URL/pypi/files/repo-py/repo_py-1.1-py3-none-any.whl"
    check_json "$HTTP_BODY" '
want(d["reason"] == "provenance_regression", "reason %r" % d["reason"])
want("GitHub:evil/repo-py" in d["error"] and "GitHub:acme/repo-py" in d["error"], "error: %r" % d["error"])' "the wheel denial"
    out=$(pip_in install --target "$IT_TMP/py-repo1" repo-py==1.1 2>&1)
    rc=$?
    echo "$out" | tail -n 5
    (( rc != 0 )) || fail "pip installed repo-py 1.1"
    pip_in install --target "$IT_TMP/py-repo2" repo-py >/dev/null 2>&1 || fail "pip install repo-py failed"
    assert_pip_installed "$IT_TMP/py-repo2" repo-py 1.0
}

# a package-lock.json (v3) pinning these npm PKG@VERSION entries, with the
# integrity the fixture upstream publishes for each
npm_lock_of() {
    "$PYTHON" - "$UPSTREAM_URL" "$CORDON_URL" "$@" <<'PY'
import json, sys, urllib.request
up, cordon, pins = sys.argv[1], sys.argv[2], sys.argv[3:]
lock = {"name": "hist-app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {"": {"name": "hist-app", "version": "1.0.0", "dependencies": {}}}}
for pin in pins:
    name, version = pin.rsplit("@", 1)
    with urllib.request.urlopen("%s/%s" % (up, name), timeout=10) as r:
        dist = json.load(r)["versions"][version]["dist"]
    lock["packages"][""]["dependencies"][name] = version
    lock["packages"]["node_modules/" + name] = {
        "version": version, "resolved": "%s/npm/%s/-/%s-%s.tgz" % (cordon, name, name, version),
        "integrity": dist["integrity"]}
print(json.dumps(lock, indent=2))
PY
}

t_queue_and_lockfile_check() {
    # both held versions were refused on the tarball route above: the queue
    # lists them with their reasons
    http GET "$CORDON_URL/-/api/held?ecosystem=npm" -H "Authorization: Bearer $T_AUD"
    expect_status 200 "GET /-/api/held"
    check_json "$HTTP_BODY" '
items = {(x["package"], x["version"]): x for x in d["held"]}
for key, reason in ((("prov-pkg", "1.2.0"), "provenance_regression"), (("pub-pkg", "1.3.0"), "publisher_change"),
                    (("repo-pkg", "1.2.0"), "provenance_regression")):
    e = items.get(key)
    want(e is not None, "%s@%s is not in the queue: %r" % (key + (sorted(items),)))
    if e:
        want(e["reason"] == reason, "%s@%s: reason %r" % (key + (e["reason"],)))
want(("prov-pkg", "2.0.0") not in items, "prov-pkg 2.0.0 (a new line) is in the queue")' "the held queue"
    # a lockfile pinning them fails the check, each entry with its reason;
    # the versions around them pass
    npm_lock_of prov-pkg@1.2.0 pub-pkg@1.3.0 >"$IT_TMP/hist-lock.json" || fail "could not write the lockfile"
    http POST "$CORDON_URL/-/api/lockfiles/hist-app" -H "Authorization: Bearer $T_CI" --data-binary @"$IT_TMP/hist-lock.json"
    expect_status 200 "the lockfile check"
    check_json "$HTTP_BODY" '
want(d["ok"] is False, "ok %r" % d.get("ok"))
by = {c["package"]: c for c in d["changes"]}
for name, reason in (("prov-pkg", "provenance_regression"), ("pub-pkg", "publisher_change")):
    v = by.get(name, {}).get("verdict", {})
    want(v.get("allowed") is False and v.get("reason") == reason, "%s: verdict %r" % (name, v))' "the lockfile check"
    npm_lock_of prov-pkg@1.1.0 pub-pkg@1.4.0 >"$IT_TMP/hist-lock-ok.json" || fail "could not write the lockfile"
    http POST "$CORDON_URL/-/api/lockfiles/hist-app-ok" -H "Authorization: Bearer $T_CI" --data-binary @"$IT_TMP/hist-lock-ok.json"
    expect_status 200 "the lockfile check of the versions around them"
    check_json "$HTTP_BODY" 'want(d["ok"] is True, "ok %r: %r" % (d.get("ok"), [c.get("verdict") for c in d["changes"]]))' \
        "the lockfile check of 1.1.0 and 1.4.0"
    # each signal's refusals are counted by reason
    http GET "$CORDON_URL/-/metrics"
    expect_status 200 "/-/metrics"
    assert_contains "$(body)" 'cordon_decisions_total{decision="deny",reason="provenance_regression"}' "metrics"
    assert_contains "$(body)" 'cordon_decisions_total{decision="deny",reason="publisher_change"}' "metrics"
}

t_warn_serves_and_logs() {
    local d=$IT_TMP/npm-warn
    sed -i 's/^intel: .*/intel: { provenance: warn, publisher_change: warn }/' "$IT_TMP/cordon.yaml"
    grep -q 'publisher_change: warn' "$IT_TMP/cordon.yaml" || fail "could not rewrite the configuration"
    kill -HUP "$CORDON_PID"
    local deadline=$(( $(date +%s) + 30 ))
    until packument_lists pub-pkg 1.3.0; do
        (( $(date +%s) < deadline )) || fail "pub-pkg 1.3.0 still held 30 s after the reload to warn"
        sleep 0.3
    done
    packument_lists prov-pkg 1.2.0 || fail "prov-pkg 1.2.0 still held under provenance: warn"
    new_project "$d" '{"pub-pkg": "1.3.0"}'
    npm_in "$d" install >/dev/null 2>&1 || fail "npm install pub-pkg@1.3.0 under warn failed"
    assert_installed "$d" pub-pkg 1.3.0
    # the version still carries the finding, as a warning
    http GET "$CORDON_URL/-/api/versions/npm/pub-pkg/1.3.0" -H "Authorization: Bearer $T_AUD"
    expect_status 200 "GET /-/api/versions/npm/pub-pkg/1.3.0"
    check_json "$HTTP_BODY" '
f = [x for x in d.get("findings", []) if x["kind"] == "publisher_change"]
want(len(f) == 1, "findings %r" % d.get("findings"))
if f:
    want(f[0]["action"] == "warn" and "mallory" in f[0]["detail"], "finding %r" % f[0])' "the version's findings"
}

run_test "npm: a version without its line's provenance is held; a new major line is not" t_npm_provenance_regression
run_test "npm: a version by an account new to the package is held (hold), not before three versions" t_npm_publisher_change
run_test "pip: a release without its line's PEP 740 provenance is held; a new line is not" t_pip_provenance_regression
run_test "npm: provenance from another source repository than the line's is held" t_npm_repository_moved
run_test "pip: provenance from another publisher repository than the line's is held" t_pip_repository_moved
run_test "the held queue, the lockfile check and the metrics give both reasons" t_queue_and_lockfile_check
run_test "warn: both are served after a reload to warn" t_warn_serves_and_logs
finish
