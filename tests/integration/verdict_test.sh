#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: GET /-/api/verdict and `cordon why` / `cordon review
# request`, the questions anyone may ask without a token (DESIGN.md "Command
# line", the admin API's verdict row), in front of the fixture upstream
# (tests/fixtures/upstream.py with tests/fixtures/verdict_spec.json).
#
#   CORDON_BIN=build/cordon bash tests/integration/verdict_test.sh
#
# The verdict is the one a lockfile check gives an entry: metadata cordon has
# never seen is fetched first (no client asked for these packages before),
# a version upstream does not publish is not_found, and each answer says
# what to do next. The CLI exits 0 for an allowed version, 1 for a held one,
# 2 for a usage error, and finds the server through CORDON_URL on a machine
# without a configuration.

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
start_fixture "$IT_ROOT/tests/fixtures/verdict_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 7d }"
CORDON_EXTRA_YAML='review: { contact: "#appsec-chat or appsec@example.test" }'
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
T_AUD=$(timeout 15 "$CORDON_BIN" token add audrey --role auditor --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err" | head -n 1 | tr -d '\r\n')
T_REV=$(timeout 15 "$CORDON_BIN" token add alice --role reviewer --data-dir "$IT_TMP/data" 2>>"$IT_TMP/token.err" | head -n 1 | tr -d '\r\n')
[[ $T_AUD == cordon_* && $T_REV == cordon_* ]] || setup_failed "cordon token add failed"

verdict() { # ECO PKG VERSION: GET /-/api/verdict without a token
    http GET "$CORDON_URL/-/api/verdict" -G --data-urlencode "ecosystem=$1" --data-urlencode "package=$2" \
        --data-urlencode "version=$3"
}

# cordon run from a directory without conf/, the server named by CORDON_URL
NOCFG=$IT_TMP/nocfg
mkdir -p "$NOCFG"
cordon_cli() { (cd "$NOCFG" && CORDON_URL=$CORDON_URL timeout 60 "$CORDON_BIN" "$@"); }

# ------------------------------------------------------------------ cases

held_entry() { # ECO PKG VER: the version's /-/api/held entry (as the auditor) into $IT_TMP/entry.json; 1 if none
    api_get "held?ecosystem=$1"
    "$PYTHON" - "$HTTP_BODY" "$1" "$2" "$3" >"$IT_TMP/entry.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = [e for e in d["held"] if [e["ecosystem"], e["package"], e["version"]] == sys.argv[2:5]]
print(json.dumps(m[0]) if m else "")
PY
    [[ -s $IT_TMP/entry.json && $(head -c 1 "$IT_TMP/entry.json") == "{" ]]
}

api_get() { http GET "$CORDON_URL/-/api/$1" -H "Authorization: Bearer $T_AUD"; expect_status 200 "GET /-/api/$1"; }

t_queue_sees_metadata_readers() {
    # Resolvers read metadata without the held version and install the one
    # before it: none of them asks for the held artifact, yet each is counted.
    new_project "$IT_TMP/seen-npm" '{"seen-pkg": "^1.0.0"}'
    npm_in "$IT_TMP/seen-npm" install >"$IT_TMP/seen-npm.log" 2>&1 || fail "npm install: $(tail -n 20 "$IT_TMP/seen-npm.log")"
    assert_installed "$IT_TMP/seen-npm" seen-pkg 1.0.0
    new_project "$IT_TMP/seen-pnpm" '{"seen-pkg": "^1.0.0"}'
    pnpm_at "$CORDON_URL" "$IT_TMP/seen-pnpm" seen install >"$IT_TMP/seen-pnpm.log" 2>&1 ||
        fail "pnpm install: $(tail -n 20 "$IT_TMP/seen-pnpm.log")"
    assert_installed "$IT_TMP/seen-pnpm" seen-pkg 1.0.0
    pip_in download --no-deps -d "$IT_TMP/seen-pip" seen-py >"$IT_TMP/seen-pip.log" 2>&1 ||
        fail "pip download: $(tail -n 20 "$IT_TMP/seen-pip.log")"
    compgen -G "$IT_TMP/seen-pip/seen_py-1.0-*.whl" >/dev/null || fail "pip did not pick 1.0: $(ls "$IT_TMP/seen-pip")"
    new_maven_project "$IT_TMP/seen-mvn" "$(mvn_dep org.cordon.ask seen-jar '[1.0,2.0)')"
    IT_MVN_REPO=$IT_TMP/m2-seen mvn_in "$IT_TMP/seen-mvn" compile >/dev/null || fail "mvn compile: $(tail -n 30 "$IT_TMP/seen-mvn/mvn.log")"
    assert_eq 1.0 "$(mvn_local_versions "$IT_TMP/m2-seen" org.cordon.ask seen-jar)" "the version mvn resolved"

    held_entry npm seen-pkg 1.1.0 ||
        fail "seen-pkg 1.1.0 is not in the held queue after npm and pnpm read its packument: $(head -c 2000 "$HTTP_BODY")"
    check_json "$IT_TMP/entry.json" '
want(d["reason"] == "quarantine" and d["requests"] == 0 and d["first_denied_at"] is None, "refusals %r" % d)
want(d["metadata_requests"] >= 2 and d["metadata_clients"] >= 2, "metadata counts %r" % d)
want(iso(d["first_served_at"]) and iso(d["last_served_at"]), "served times %r" % d)
want(d["alternative"] == "1.0.0", "alternative %r" % d["alternative"])
want("newest allowed: 1.0.0" in d["error"] and "no allowed version" not in d["error"], "error %r" % d["error"])
uas = [c["user_agent"] for c in d["clients"] if c["metadata_requests"] > 0]
want(any(u.startswith("npm/") for u in uas) and any(u.startswith("pnpm/") for u in uas), "clients %r" % d["clients"])' \
        "the npm entry"
    held_entry pypi seen-py 1.1 || fail "seen-py 1.1 is not in the held queue after pip read its page"
    check_json "$IT_TMP/entry.json" '
want(d["metadata_requests"] >= 1 and d["alternative"] == "1.0" and d["requests"] == 0, "pypi entry %r" % d)
want(any(c["user_agent"].startswith("pip/") for c in d["clients"]), "clients %r" % d["clients"])' "the PyPI entry"
    held_entry maven org.cordon.ask:seen-jar 1.1 || fail "seen-jar 1.1 is not in the held queue after mvn read maven-metadata.xml"
    check_json "$IT_TMP/entry.json" '
want(d["metadata_requests"] >= 1 and d["alternative"] == "1.0", "maven entry %r" % d)
want(any("Maven" in c["user_agent"] or "maven" in c["user_agent"] for c in d["clients"]), "clients %r" % d["clients"])' \
        "the Maven entry"

    # the queue, /-/metrics and the page's summary count the same versions
    api_get held
    local n m
    n=$(json_eval "$HTTP_BODY" 'd["count"]')
    http GET "$CORDON_URL/-/metrics"
    m=$(sed -n 's/^cordon_held_versions \([0-9]*\)$/\1/p' "$HTTP_BODY")
    assert_eq "$n" "$m" "cordon_held_versions against the queue's count"

    # approved: the version keeps what it was held for and who asked, and says who admitted it
    http POST "$CORDON_URL/-/api/approvals" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        -d '{"ecosystem":"npm","package":"seen-pkg","version":"1.1.0","comment":"read the diff"}'
    expect_status 201 "the approval of seen-pkg 1.1.0"
    api_get "versions/npm/seen-pkg/1.1.0"
    check_json "$HTTP_BODY" '
want(d["allowed"] is True and d["held"] is None, "allowed %r held %r" % (d["allowed"], d["held"]))
h = d["history"]
want(h and h["reason"] == "quarantine" and iso(h["eligible_at"]), "history %r" % h)
want(h["metadata_requests"] >= 2 and h["clients"], "history counts %r" % h)
want(d["approved_by"] and d["approved_by"]["by"] == "alice" and d["approved_by"]["comment"] == "read the diff",
     "approved_by %r" % d["approved_by"])' "the version after approval"
    api_get "held?ecosystem=npm"
    check_json "$HTTP_BODY" 'want(not [e for e in d["held"] if e["package"] == "seen-pkg"], "an approved version is still queued")' \
        "the queue after approval"
}

t_allowed_fetched_first() {
    # no client asked for ask-pkg: cordon fetches its packument for the answer
    verdict npm ask-pkg 1.0.0
    expect_status 200 "the verdict on ask-pkg 1.0.0"
    check_json "$HTTP_BODY" '
want(d["allow"] is True and d["status"] == "allowed", "allow %r status %r" % (d["allow"], d["status"]))
want(d["reason"] is None and d["error"] is None, "reason %r error %r" % (d["reason"], d["error"]))
want(d["ecosystem"] == "npm" and d["package"] == "ask-pkg" and d["version"] == "1.0.0", "names")
want(iso(d["published_at"]), "published_at %r" % d["published_at"])
want("min_age" in d["policy"], "policy %r" % d["policy"])
want(d["next"].startswith("install it"), "next %r" % d["next"])
want(d["request_id"], "request_id")' "the allowed verdict"
}

t_held_says_what_to_do() {
    verdict npm ask-pkg 1.1.0
    expect_status 200 "the verdict on ask-pkg 1.1.0"
    check_json "$HTTP_BODY" '
want(d["allow"] is False and d["status"] == "held" and d["reason"] == "quarantine", "verdict %r" % d)
want("ask-pkg@1.1.0" in d["error"] and "quarantined" in d["error"], "error %r" % d["error"])
want(iso(d["eligible_at"]) and iso(d["published_at"]), "times")
want(d["alternative"] == "1.0.0", "alternative %r" % d["alternative"])
want("install ask-pkg@1.0.0 instead" in d["next"], "next %r" % d["next"])
want("wait until" in d["next"], "next %r" % d["next"])
want("cordon review request npm ask-pkg 1.1.0" in d["next"], "next %r" % d["next"])
want("/-/admin/#npm/ask-pkg/1.1.0" in d["review_url"], "review_url %r" % d["review_url"])' "the held verdict"
    # the same shape a denial has: the tarball route agrees, names
    # review.contact, and says when the hold lifts (Retry-After)
    http GET "$CORDON_URL/npm/ask-pkg/-/ask-pkg-1.1.0.tgz"
    expect_status 403 "the held tarball"
    check_json "$HTTP_BODY" '
want(d["reason"] == "quarantine" and d["alternative"] == "1.0.0", "denial %r" % d)
want(d["error"].endswith("(or ask a reviewer to approve it: #appsec-chat or appsec@example.test)"), "error %r" % d["error"])' "the denial"
    local ra
    ra=$(header retry-after)
    [[ $ra =~ ^[0-9]+$ ]] || fail "no Retry-After on a hold that lifts by itself (got '$ra')"
    # 1.1.0 is 1 day old in a 7-day window: about 6 days to go
    (( ra > 5 * 86400 && ra <= 6 * 86400 + 60 )) || fail "Retry-After $ra s, expected about 6 days"
    # a refusal that never lifts by itself carries none
    http GET "$CORDON_URL/npm/ask-pkg/-/ask-pkg-9.9.9.tgz"
    [[ -z $(header retry-after) ]] || fail "Retry-After on the answer for a version upstream does not publish"
}

t_not_published_and_scoped() {
    verdict npm ask-pkg 9.9.9
    expect_status 200 "the verdict on ask-pkg 9.9.9"
    check_json "$HTTP_BODY" '
want(d["allow"] is False and d["reason"] == "not_found", "verdict %r" % d)
want("not published upstream" in d["error"], "error %r" % d["error"])
want("upstream does not publish" in d["next"], "next %r" % d["next"])' "the unpublished version"
    verdict npm @scope/ask-scoped 2.0.0
    expect_status 200 "the verdict on @scope/ask-scoped 2.0.0"
    check_json "$HTTP_BODY" 'want(d["allow"] is True and d["package"] == "@scope/ask-scoped", "verdict %r" % d)' "the scoped package"
}

t_pypi_and_maven() {
    verdict pypi Ask_Py 1.1
    expect_status 200 "the verdict on Ask_Py 1.1"
    check_json "$HTTP_BODY" '
want(d["package"] == "ask-py", "the name canonicalised: %r" % d["package"])
want(d["allow"] is False and d["reason"] == "quarantine", "verdict %r" % d)
want(d["alternative"] == "1.0", "alternative %r" % d["alternative"])' "the PyPI verdict"
    # the page lists the held file as yanked with the same line, contact included
    http GET "$CORDON_URL/pypi/simple/ask-py/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    check_json "$HTTP_BODY" '
y = [f.get("yanked") for f in d["files"] if "-1.1-" in f["filename"]]
want(len(y) == 1 and isinstance(y[0], str) and y[0].startswith("ask-py@1.1 is quarantined until")
     and y[0].endswith("approve it: #appsec-chat or appsec@example.test)"), "yanked %r" % y)' "the PyPI page"
    verdict pypi ask-py 1.0
    expect_status 200 "the verdict on ask-py 1.0"
    check_json "$HTTP_BODY" 'want(d["allow"] is True, "verdict %r" % d)' "the PyPI allowed verdict"
    # Maven: the version's time comes from its POM, fetched for the answer
    verdict maven org.cordon.ask:ask-jar 1.1
    expect_status 200 "the verdict on ask-jar 1.1"
    check_json "$HTTP_BODY" '
want(d["allow"] is False and d["reason"] == "quarantine" and iso(d["published_at"]), "verdict %r" % d)' "the Maven held verdict"
    verdict maven org.cordon.ask:ask-jar 1.0
    expect_status 200 "the verdict on ask-jar 1.0"
    check_json "$HTTP_BODY" 'want(d["allow"] is True, "verdict %r" % d)' "the Maven allowed verdict"
}

t_bad_questions() {
    http GET "$CORDON_URL/-/api/verdict?package=ask-pkg&version=1.0.0"
    expect_status 400 "no ecosystem"
    assert_contains "$(body)" "ecosystem" "the 400"
    http GET "$CORDON_URL/-/api/verdict?ecosystem=cargo&package=x&version=1"
    expect_status 400 "an unknown ecosystem"
    http GET "$CORDON_URL/-/api/verdict?ecosystem=npm&package=ask-pkg"
    expect_status 400 "no version"
    assert_contains "$(body)" "version" "the 400"
    http GET "$CORDON_URL/-/api/verdict?ecosystem=npm&package=Bad%20Name&version=1.0.0"
    expect_status 400 "an invalid npm name"
    http GET "$CORDON_URL/-/api/verdict?ecosystem=npm&package=%zz&version=1.0.0"
    expect_status 400 "bad percent-encoding"
    http POST "$CORDON_URL/-/api/verdict?ecosystem=npm&package=ask-pkg&version=1.0.0"
    expect_status 405 "POST"
}

t_cli_why() {
    local out rc
    out=$(cordon_cli why npm ask-pkg 1.0.0 2>&1)
    rc=$?
    echo "$out"
    assert_eq 0 "$rc" "cordon why on an allowed version: exit code"
    assert_contains "$out" "npm ask-pkg@1.0.0: allowed" "cordon why output"
    out=$(cordon_cli why npm ask-pkg 1.1.0 2>&1)
    rc=$?
    echo "$out"
    assert_eq 1 "$rc" "cordon why on a held version: exit code"
    assert_contains "$out" "HELD (quarantine)" "cordon why output"
    assert_contains "$out" "newest allowed: 1.0.0" "cordon why output"
    assert_contains "$out" "cordon review request npm ask-pkg 1.1.0" "cordon why output"
    out=$(cordon_cli why npm ask-pkg 1.1.0 --json 2>&1)
    rc=$?
    assert_eq 1 "$rc" "cordon why --json on a held version: exit code"
    printf '%s\n' "$out" >"$IT_TMP/why.json"
    check_json "$IT_TMP/why.json" 'want(d["reason"] == "quarantine", "reason %r" % d["reason"])' "cordon why --json"
    out=$(cordon_cli why npm ask-pkg 2>&1)
    rc=$?
    assert_eq 2 "$rc" "cordon why without a version: exit code"
    out=$(cordon_cli why cargo x 1 2>&1)
    rc=$?
    assert_eq 2 "$rc" "cordon why with an unknown ecosystem: exit code"
    assert_contains "$out" "ecosystem" "cordon why's error"
    cordon_cli why --help | grep -q "cordon why ECO PKG VERSION" || fail "cordon why --help does not show its usage"
}

t_cli_review_request() {
    local out rc
    out=$(cordon_cli review request npm ask-pkg 1.1.0 2>&1)
    rc=$?
    assert_eq 2 "$rc" "cordon review request without --justification: exit code"
    assert_contains "$out" "justification" "the usage error"
    out=$(cordon_cli review request npm ask-pkg 1.1.0 --justification "needed for the fix of bug 12" 2>&1)
    rc=$?
    echo "$out"
    assert_eq 0 "$rc" "cordon review request: exit code"
    assert_contains "$out" "review request" "cordon review request output"
    assert_contains "$out" "ask-pkg@1.1.0" "cordon review request output"
    http GET "$CORDON_URL/-/api/reviews" -H "Authorization: Bearer $T_AUD"
    expect_status 200 "GET /-/api/reviews"
    check_json "$HTTP_BODY" '
r = [x for x in d["reviews"] if x["package"] == "ask-pkg" and x["version"] == "1.1.0"]
want(len(r) == 1 and r[0]["justification"] == "needed for the fix of bug 12", "the request %r" % d["reviews"])
want(len(r) == 1 and r[0]["status"] == "open" and r[0]["client"], "status and client %r" % r)' "the stored request"
}

# status_of ID: the request's status as anyone sees it (no token)
status_of() {
    http GET "$CORDON_URL/-/api/reviews/$1"
    [[ $HTTP_STATUS == 200 ]] || { echo "GET /-/api/reviews/$1 answered $HTTP_STATUS"; return 1; }
    json_eval "$HTTP_BODY" 'd["status"]'
}

t_review_status_follows_reviewers() {
    local id out rc aid
    http POST "$CORDON_URL/-/api/reviews" -H 'Content-Type: application/json' \
        --data-binary '{"ecosystem":"pypi","package":"ask-py","version":"1.1","justification":"the wheel fixes a crash"}'
    expect_status 201 "POST /-/api/reviews"
    id=$(json_eval "$HTTP_BODY" 'd["id"]')
    assert_eq open "$(status_of "$id")" "status before any review"
    http GET "$CORDON_URL/-/api/reviews/$id"
    check_json "$HTTP_BODY" '
want("client" not in d and "user_agent" not in d, "the public view shows the client: %r" % d)
want(d["decided_at"] is None and d["justification"] == "the wheel fixes a crash", "view %r" % d)' "the public view"
    out=$(cordon_cli review status "$id" 2>&1)
    rc=$?
    echo "$out"
    assert_eq 0 "$rc" "cordon review status: exit code"
    assert_contains "$out" "ask-py@1.1: open" "cordon review status output"
    # approved: the status says by whom
    http POST "$CORDON_URL/-/api/approvals" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        --data-binary '{"ecosystem":"pypi","package":"ask-py","version":"1.1","comment":"reviewed the diff"}'
    expect_status 201 "approve ask-py 1.1"
    aid=$(json_eval "$HTTP_BODY" 'd["id"]')
    assert_eq approved "$(status_of "$id")" "status after the approval"
    http GET "$CORDON_URL/-/api/reviews/$id"
    check_json "$HTTP_BODY" 'want(d["decided_by"] == "alice" and d["decided_by_review"] == '"$aid"' and iso(d["decided_at"]), "view %r" % d)' "the approved view"
    out=$(cordon_cli review status "$id" 2>&1)
    assert_contains "$out" "approved by alice" "cordon review status output"
    # revoked: the approval that answered it ended
    http DELETE "$CORDON_URL/-/api/approvals/$aid" -H "Authorization: Bearer $T_REV"
    expect_status 200 "revoke the approval"
    assert_eq expired "$(status_of "$id")" "status after the revocation"
    # blocked after the request
    http POST "$CORDON_URL/-/api/blocks" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        --data-binary '{"ecosystem":"pypi","package":"ask-py","version":"1.1","comment":"not this one"}'
    expect_status 201 "block ask-py 1.1"
    assert_eq blocked "$(status_of "$id")" "status after the block"
    # the reviewers' list agrees
    http GET "$CORDON_URL/-/api/reviews" -H "Authorization: Bearer $T_AUD"
    check_json "$HTTP_BODY" '
r = [x for x in d["reviews"] if x["id"] == '"$id"']
want(len(r) == 1 and r[0]["status"] == "blocked" and r[0]["decided_by"] == "alice", "the listed request %r" % r)' "GET /-/api/reviews"
    http GET "$CORDON_URL/-/api/reviews/999999"
    expect_status 404 "an unknown request"
    out=$(cordon_cli review status 999999 2>&1)
    rc=$?
    assert_eq 1 "$rc" "cordon review status of an unknown id: exit code"
    out=$(cordon_cli review status abc 2>&1)
    rc=$?
    assert_eq 2 "$rc" "cordon review status abc: exit code"
}

# agree VERSION WHAT: the reviewers' view (GET /-/api/versions), the verdict
# anyone may ask for (GET /-/api/verdict) and `cordon why --json` say the
# same about same-pkg@VERSION: allowed or not, reason, policy, times, the line
agree() {
    local v=$1 what=$2
    http GET "$CORDON_URL/-/api/versions/npm/same-pkg/$v" -H "Authorization: Bearer $T_AUD"
    expect_status 200 "the reviewers' view of $v"
    cp "$HTTP_BODY" "$IT_TMP/agree-view.json"
    verdict npm same-pkg "$v"
    expect_status 200 "the verdict on $v"
    cp "$HTTP_BODY" "$IT_TMP/agree-verdict.json"
    cordon_cli why npm same-pkg "$v" --json >"$IT_TMP/agree-why.json" 2>"$IT_TMP/agree-why.err"
    local rc=$?
    (( rc == 0 || rc == 1 )) || fail "cordon why $v exited $rc: $(cat "$IT_TMP/agree-why.err")"
    VIEW=$IT_TMP/agree-view.json WHY=$IT_TMP/agree-why.json check_json "$IT_TMP/agree-verdict.json" "
view = json.load(open(env['VIEW']))
why = json.load(open(env['WHY']))
want(why == d or {k: v for k, v in why.items() if k != 'request_id'} == {k: v for k, v in d.items() if k != 'request_id'}, 'cordon why prints the verdict: %r' % why)
want(view['allowed'] == d['allow'], 'allowed: view %r, verdict %r' % (view['allowed'], d['allow']))
for k in ('reason', 'policy', 'published_at', 'eligible_at', 'error'):
    a, b = view.get(k), d.get(k)
    if d['allow'] and k in ('reason', 'error'):
        want(not a and not b, '%s of an allowed version: view %r, verdict %r' % (k, a, b))
    else:
        want(a == b, '%s: view %r, verdict %r' % (k, a, b))
want(env['WHAT'] in (d['status'], 'approved' if view.get('approved_by') else '', 'blocked' if d.get('reason') == 'blocked' else ''), 'state %r: %r' % (env['WHAT'], d['status']))
" "what the page, the CLI and the API say of same-pkg@$v ($what)"
}

t_page_cli_api_agree() {
    # the page reads /-/api/versions (its browser test looks at what it shows):
    # it, the verdict and cordon why agree in every state a version can be in
    WHAT=allowed agree 1.0.0 allowed
    WHAT=held agree 1.1.0 held
    http POST "$CORDON_URL/-/api/approvals" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        --data-binary '{"ecosystem":"npm","package":"same-pkg","version":"1.1.0","comment":"reviewed"}'
    expect_status 201 "approve 1.1.0"
    WHAT=approved agree 1.1.0 approved
    http POST "$CORDON_URL/-/api/blocks" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        --data-binary '{"ecosystem":"npm","package":"same-pkg","version":"1.2.0","comment":"bad release"}'
    expect_status 201 "block 1.2.0"
    WHAT=blocked agree 1.2.0 blocked
}

run_test "the held queue counts clients served metadata without a held version (npm, pnpm, pip, mvn); metrics agree; the state after approval" t_queue_sees_metadata_readers
run_test "an allowed version, its metadata fetched for the answer, no token" t_allowed_fetched_first
run_test "a held version: reason, times, alternative and what to do" t_held_says_what_to_do
run_test "a version upstream does not publish is not_found; a scoped name" t_not_published_and_scoped
run_test "PyPI (canonical names) and Maven (times from the POM)" t_pypi_and_maven
run_test "bad questions get a 400 that names the problem" t_bad_questions
run_test "cordon why: exit 0 allowed, 1 held, 2 usage; CORDON_URL without a config" t_cli_why
run_test "cordon review request files a request without a token" t_cli_review_request
run_test "a request's status follows what reviewers do: open, approved, expired, blocked" t_review_status_follows_reviewers
run_test "the page's view, the verdict and cordon why agree: allowed, held, approved, blocked" t_page_cli_api_agree
finish
