#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for the reviewers' side of cordon (docs/admin-api.md):
# admin tokens and roles, every call of the admin API with its answer's
# shape, bad input, review requests and their rate limit, metrics, the CLI,
# the audit chain (and tampering with it), and the whole approve / block
# loop through the real npm, pip and mvn clients.  cordon runs in front of
# the fixture upstream (tests/fixtures/upstream.py with
# tests/fixtures/admin_api_spec.json: npm, PyPI and Maven packages that each
# have an old version and one published minutes ago).  Everything runs on
# 127.0.0.1 (review requests also come from 127.0.0.2 and 127.0.0.3, other
# loopback addresses, to count the per-address rate limit exactly); no test
# needs the internet.
#
#   CORDON_BIN=build/cordon CORDON_TEST_PROGRAMS=build bash tests/integration/admin_test.sh
#
# One cordon: quarantine min_age 3d, limits.review_requests_per_hour 3.
# Tokens: alice (reviewer), audrey (auditor), cici (ci), made with
# `cordon token add` while the server runs.  CORDON_TEST_PROGRAMS (default build/)
# holds tests/tools/store_tamper, which rewrites one audit record in LMDB.
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEBIAN_REPO=/usr/share/maven-repo
command -v curl >/dev/null || setup_skip "curl not found"
command -v npm >/dev/null || setup_skip "npm not found"
command -v mvn >/dev/null || setup_skip "mvn not found (scripts/deps.sh --test installs maven)"
command -v java >/dev/null || setup_skip "java not found"
"$PYTHON" -m pip --version >/dev/null 2>&1 || setup_skip "pip not found ($PYTHON -m pip)"
for p in maven-resources-plugin maven-compiler-plugin; do
    [[ -d $DEBIAN_REPO/org/apache/maven/plugins/$p ]] ||
        setup_skip "$DEBIAN_REPO has no $p (run scripts/deps.sh --test)"
done

TAMPER=${CORDON_TEST_PROGRAMS:-$IT_ROOT/build}/store_tamper
unset CORDON_TOKEN CORDON_SERVER

it_setup
start_fixture "$IT_ROOT/tests/fixtures/admin_api_spec.json"
CORDON_QUARANTINE_YAML='{ min_age: 3d }'
CORDON_EXTRA_YAML='limits: { review_requests_per_hour: 3 }'
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
DATA=$IT_TMP/data
API=$CORDON_URL/-/api
UA="it-agent/1.0 (cordon admin test)"
G=org.cordon.adm
GP=org/cordon/adm

# The tokens, made while the server runs (what a reviewer does on the host).
# t_tokens checks what `token add` printed; the other cases use them.
make_token() { # NAME ROLE: $IT_TMP/token-NAME.{out,err,rc}
    timeout 15 "$CORDON_BIN" token add "$1" --role "$2" --data-dir "$DATA" \
        >"$IT_TMP/token-$1.out" 2>"$IT_TMP/token-$1.err"
    echo $? >"$IT_TMP/token-$1.rc"
    head -n 1 "$IT_TMP/token-$1.out" | tr -d '\r\n'
}
T_REV=$(make_token alice reviewer)
T_AUD=$(make_token audrey auditor)
T_CI=$(make_token cici ci)
note "tokens: alice $(cat "$IT_TMP/token-alice.rc"), audrey $(cat "$IT_TMP/token-audrey.rc"), cici $(cat "$IT_TMP/token-cici.rc") (exit codes of token add)"
# every token string any case makes, one a line (the leak checks read it)
ALL_TOKENS=$IT_TMP/all-tokens
printf '%s\n' "$T_REV" "$T_AUD" "$T_CI" >"$ALL_TOKENS"

# ------------------------------------------------------------------ helpers

jb() { json_eval "$HTTP_BODY" "$1"; }

# api TOKEN METHOD PATH [BODY] [curl args...]: one admin API call under
# /-/api/ (TOKEN "" = none; BODY "" = none, "@FILE" = a file).  Sets what
# lib.sh's http() sets.
api() {
    local tok=$1 method=$2 path=$3 data=${4:-}
    shift 3
    (( $# )) && shift
    local args=(-A "$UA")
    [[ -n $tok ]] && args+=(-H "Authorization: Bearer $tok")
    [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
    http "$method" "$API/$path" "${args[@]}" "$@"
}

# expect_error STATUS REASON [FIELD]: the last answer is an error object of
# the documented shape; FIELD (if given) is named in its "error".
expect_error() {
    expect_status "$1" "${4:-request}"
    RID=$(header x-request-id) F=${3:-} R=$2 check_json "$HTTP_BODY" '
want(d.get("reason") == env["R"], "reason %r, expected %r" % (d.get("reason"), env["R"]))
want(isinstance(d.get("error"), str) and d["error"].strip(), "no error line")
want(isinstance(d.get("request_id"), str) and d["request_id"], "no request_id")
want(not env["RID"] or d.get("request_id") == env["RID"], "request_id %r differs from X-Request-Id %r" % (d.get("request_id"), env["RID"]))
want(not env["F"] or env["F"] in (d.get("error") or ""), "error does not name the field %r" % env["F"])' "error answer ($1 $2)"
}

# wait_api TOKEN PATH PYEXPR [SECONDS]: poll GET PATH until PYEXPR (over d)
# is true (a deadline, default 30 s: only a miss waits that long).  Leaves
# the last answer in HTTP_BODY.
wait_api() {
    local tok=$1 path=$2 expr=$3 secs=${4:-30} deadline
    deadline=$(( $(date +%s) + secs ))
    while :; do
        api "$tok" GET "$path"
        [[ $HTTP_STATUS == 200 && $(jb "bool($expr)" 2>/dev/null) == true ]] && return 0
        (( $(date +%s) >= deadline )) && break
        sleep 0.2
    done
    echo "GET $path: no answer with $expr within ${secs}s; last: HTTP $HTTP_STATUS $(head -c 2000 "$HTTP_BODY")" >&2
    return 1
}

# held_entry PACKAGE VERSION: the held entry as JSON on stdout (null if absent)
# from the last answer.
held_entry() {
    P=$1 V=$2 jb '([e for e in d["held"] if e["package"] == __import__("os").environ["P"] and e["version"] == __import__("os").environ["V"]] or [None])[0]'
}

client_failed() { # RC OUT WHAT
    (( $1 != 0 )) || fail "$3 succeeded; output: $(printf '%s' "$2" | tail -n 20)"
    (( $1 != 124 && $1 != 137 )) || fail "$3 timed out"
}

# cli ARGS...: the cordon CLI against this server (--server) with whatever
# CORDON_TOKEN the caller exports.  Output (both streams) in CLI_OUT, exit in CLI_RC.
cli() {
    CLI_OUT=$(timeout 30 "$CORDON_BIN" "$@" 2>&1)
    CLI_RC=$?
    printf '$ cordon %s\n%s\n(exit %d)\n' "$*" "$CLI_OUT" "$CLI_RC"
}
cli_ok() {
    cli "$@"
    (( CLI_RC == 0 )) || fail "cordon $* exited $CLI_RC: $CLI_OUT"
}

# tarball PACKAGE VERSION: GET the npm tarball through cordon.
tarball() {
    local base=${1#*/}
    http GET "$CORDON_URL/npm/$1/-/$base-$2.tgz" -A "$UA"
}

# listed PACKAGE VERSION: true/false, is VERSION in cordon's packument.
listed() {
    http GET "$CORDON_URL/npm/$1"
    expect_status 200 "packument of $1"
    V=$2 jb '__import__("os").environ["V"] in d["versions"]'
}

# post_approval ECO PKG VER COMMENT [EXPIRES]: POST /-/api/approvals as alice,
# expect 201; APPROVAL_ID is its id.
post_approval() {
    local body
    body=$(E=$1 P=$2 V=$3 C=$4 X=${5:-} "$PYTHON" -c '
import json, os
b = {"ecosystem": os.environ["E"], "package": os.environ["P"], "version": os.environ["V"], "comment": os.environ["C"]}
if os.environ["X"]:
    b["expires_in"] = os.environ["X"]
print(json.dumps(b))')
    api "$T_REV" POST approvals "$body"
    expect_status 201 "POST approvals $2@$3"
    APPROVAL_ID=$(jb 'd["id"]') || fail "no id in $(body)"
}

post_block() { # ECO PKG VER|"" COMMENT: BLOCK_ID
    local body
    body=$(E=$1 P=$2 V=$3 C=$4 "$PYTHON" -c '
import json, os
b = {"ecosystem": os.environ["E"], "package": os.environ["P"], "comment": os.environ["C"]}
if os.environ["V"]:
    b["version"] = os.environ["V"]
print(json.dumps(b))')
    api "$T_REV" POST blocks "$body"
    expect_status 201 "POST blocks $2@${3:-*}"
    BLOCK_ID=$(jb 'd["id"]') || fail "no id in $(body)"
}

# review_from ADDR BODY: POST /-/api/reviews (no token) from loopback address ADDR.
review_from() {
    http POST "$API/reviews" --interface "$1" -A "$UA" -H 'Content-Type: application/json' --data-binary "$2"
}

# json_records FILE KEY: the records of a CLI --json output (a document with
# a list under KEY, a bare list, or JSON lines) as one JSON list on stdout.
json_records() {
    "$PYTHON" - "$1" "$2" <<'PY'
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
try:
    d = json.loads(raw)
    recs = d.get(sys.argv[2]) if isinstance(d, dict) else d
except ValueError:
    try:
        recs = [json.loads(l) for l in raw.splitlines() if l.strip()]
    except ValueError as e:
        sys.exit("not JSON nor JSON lines (%s): %s" % (e, raw[:1000]))
if not isinstance(recs, list):
    sys.exit("no list of records (%r) in: %s" % (sys.argv[2], raw[:1000]))
print(json.dumps(recs))
PY
}

# no_token_in WHAT FILE...: no token string ever made here occurs in the files.
no_token_in() {
    local what=$1 t f
    shift
    while read -r t; do
        [[ -n $t ]] || continue
        for f in "$@"; do
            [[ -e $f ]] || continue
            if grep -rqaF -- "$t" "$f"; then
                fail "a token (${t:0:12}…) appears in $what ($f): $(grep -raF -m 3 -- "$t" "$f" | head -c 600)"
            fi
        done
    done <"$ALL_TOKENS"
}

# ------------------------------------------------------------------ tokens

t_tokens() {
    local n out err
    for n in alice audrey cici; do
        out=$(cat "$IT_TMP/token-$n.out"); err=$(cat "$IT_TMP/token-$n.err")
        echo "token add $n: exit $(cat "$IT_TMP/token-$n.rc"), stdout ${#out} chars, stderr: $err"
        assert_eq 0 "$(cat "$IT_TMP/token-$n.rc")" "exit code of token add $n"
        assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "lines token add $n printed on stdout"
        [[ $out =~ ^cordon_[A-Za-z0-9_-]{43}$ ]] || fail "token add $n printed '${out:0:20}…' (${#out} chars), not cordon_ + 43 base64url characters"
        assert_not_contains "$err" "$out" "token add's stderr"
    done
    [[ $T_REV != "$T_AUD" && $T_AUD != "$T_CI" ]] || fail "two token add calls printed the same token"
    # only hashes are stored: the token bytes are nowhere in the data directory
    no_token_in "the data directory" "$DATA"

    cli token list --data-dir "$DATA"
    (( CLI_RC == 0 )) || fail "token list exited $CLI_RC"
    local line
    for n in alice:reviewer audrey:auditor cici:ci; do
        line=$(grep -w -- "${n%%:*}" <<<"$CLI_OUT") || fail "token list does not name ${n%%:*}"
        assert_contains "$line" "${n#*:}" "token list line of ${n%%:*}"
    done
    [[ ! $CLI_OUT =~ cordon_[A-Za-z0-9_-]{43} ]] || fail "token list prints a token"
    printf '%s' "$CLI_OUT" >"$IT_TMP/token-list.out"
    no_token_in "token list" "$IT_TMP/token-list.out"

    # whoami for each role
    for n in "$T_REV:alice:reviewer" "$T_AUD:audrey:auditor" "$T_CI:cici:ci"; do
        IFS=: read -r tok name role <<<"$n"
        api "$tok" GET whoami
        expect_status 200 "whoami as $name"
        assert_eq "$name" "$(jb 'd["name"]')" "whoami name"
        assert_eq "$role" "$(jb 'd["role"]')" "whoami role"
    done

    # a token used, then revoked: 401 from then on
    local tmp
    tmp=$(timeout 15 "$CORDON_BIN" token add temp-tok --role reviewer --data-dir "$DATA") || fail "token add temp-tok failed"
    printf '%s\n' "$tmp" >>"$ALL_TOKENS"
    api "$tmp" GET whoami
    expect_status 200 "whoami with temp-tok"
    api "$tmp" GET approvals
    expect_status 200 "GET approvals with temp-tok"
    cli token revoke temp-tok --data-dir "$DATA"
    (( CLI_RC == 0 )) || fail "token revoke exited $CLI_RC"
    api "$tmp" GET whoami
    expect_error 401 unauthorized "" "whoami with a revoked token"
    assert_eq 'Bearer realm="cordon"' "$(header www-authenticate)" "WWW-Authenticate"
    api "$T_REV" GET whoami
    expect_status 200 "alice's token after temp-tok was revoked"

    # no token, garbage, a well-formed unknown one, and other ways of sending one
    api "" GET whoami
    expect_error 401 unauthorized "" "whoami without a token"
    assert_eq 'Bearer realm="cordon"' "$(header www-authenticate)" "WWW-Authenticate without a token"
    api garbage GET held
    expect_error 401 unauthorized "" "held with a garbage token"
    assert_eq 'Bearer realm="cordon"' "$(header www-authenticate)" "WWW-Authenticate for a garbage token"
    api "cordon_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" GET held
    expect_error 401 unauthorized "" "held with an unknown well-formed token"
    http GET "$API/held?token=$T_REV"
    expect_status 401 "a token in the query string"
    http GET "$API/held" -H "Cookie: token=$T_REV"
    expect_status 401 "a token in a cookie"
    http GET "$API/held" -u "alice:$T_REV"
    expect_status 401 "a token as a Basic password"
    api "" POST approvals '{"ecosystem": "npm", "package": "adm-lib", "version": "1.1.0", "comment": "x"}'
    expect_status 401 "POST approvals without a token"

    # used tokens never reach the logs
    no_token_in "cordon's logs" "$IT_TMP/cordon.stderr" "$IT_TMP/cordon.stdout" "$IT_TMP/upstream/upstream.log"
}

# ------------------------------------------------------------------ roles

t_roles() {
    local p
    # a reviewer approval and block the others try to remove
    post_approval npm adm-roles 1.1.0 "roles case: reviewer approval"
    local aid=$APPROVAL_ID
    post_block npm adm-roles 1.0.0 "roles case: reviewer block"
    local bid=$BLOCK_ID

    for p in whoami held approvals "approvals?active=1" blocks decisions reviews audit audit/verify versions/npm/adm-roles/1.1.0; do
        api "$T_AUD" GET "$p"
        expect_status 200 "auditor GET $p"
    done
    api "$T_AUD" POST approvals '{"ecosystem": "npm", "package": "adm-roles", "version": "1.0.0", "comment": "auditor tries"}'
    expect_error 403 forbidden "" "auditor POST approvals"
    api "$T_AUD" POST blocks '{"ecosystem": "npm", "package": "adm-roles", "comment": "auditor tries"}'
    expect_error 403 forbidden "" "auditor POST blocks"
    api "$T_AUD" DELETE "approvals/$aid"
    expect_error 403 forbidden "" "auditor DELETE approvals/$aid"
    api "$T_AUD" DELETE "blocks/$bid"
    expect_error 403 forbidden "" "auditor DELETE blocks/$bid"

    for p in whoami held decisions versions/npm/adm-roles/1.1.0; do
        api "$T_CI" GET "$p"
        expect_status 200 "ci GET $p"
    done
    for p in approvals blocks audit audit/verify reviews; do
        api "$T_CI" GET "$p"
        expect_error 403 forbidden "" "ci GET $p"
    done
    api "$T_CI" POST approvals '{"ecosystem": "npm", "package": "adm-roles", "version": "1.1.0", "comment": "ci tries"}'
    expect_error 403 forbidden "" "ci POST approvals"
    api "$T_CI" POST blocks '{"ecosystem": "npm", "package": "adm-roles", "comment": "ci tries"}'
    expect_error 403 forbidden "" "ci POST blocks"
    api "$T_CI" DELETE "approvals/$aid"
    expect_error 403 forbidden "" "ci DELETE approvals/$aid"

    # none of that changed anything; the reviewer does all of it
    api "$T_REV" GET "versions/npm/adm-roles/1.1.0"
    expect_status 200 "versions of adm-roles 1.1.0"
    assert_eq true "$(jb 'd["allowed"]')" "adm-roles 1.1.0 allowed (the reviewer's approval stands)"
    for p in whoami held approvals blocks decisions reviews audit audit/verify; do
        api "$T_REV" GET "$p"
        expect_status 200 "reviewer GET $p"
    done
    api "$T_REV" DELETE "approvals/$aid"
    expect_status 200 "reviewer DELETE approvals/$aid"
    api "$T_REV" DELETE "blocks/$bid"
    expect_status 200 "reviewer DELETE blocks/$bid"
}

# ------------------------------------------------------------------ calls

t_whoami_basics() {
    api "$T_REV" GET whoami
    expect_status 200 "whoami"
    assert_contains "$(header content-type)" "application/json" "Content-Type"
    [[ -n $(header x-request-id) ]] || fail "no X-Request-Id on a 200"
    check_json "$HTTP_BODY" 'want(d == {"name": "alice", "role": "reviewer"}, "whoami is exactly {name, role}")'
    api "$T_REV" GET no-such-call
    expect_error 404 not_found "" "an unknown API path"
    [[ -n $(header x-request-id) ]] || fail "no X-Request-Id on a 404"
    api "$T_REV" PUT approvals '{"ecosystem": "npm"}'
    expect_status 405 "PUT /-/api/approvals"
    api "$T_REV" POST whoami '{}'
    expect_status 405 "POST /-/api/whoami"
}

# The route table's edges: every path answers a verb it does not take with
# 405 and the verbs it does take in Allow (before any token is looked at);
# ids are whole segments of digits, not 0; a lockfile path that is none of
# PROJECT, PROJECT/ID, PROJECT/ID/approve is a 400; HEAD is a GET.
t_routes() {
    local method path allow
    while IFS='|' read -r method path allow; do
        api "" "$method" "$path"
        expect_error 405 method_not_allowed "" "$method $path"
        assert_eq "$allow" "$(header allow)" "Allow of $method /-/api/$path"
    done <<'ROUTES'
PUT|reviews|GET, POST
DELETE|approvals|GET, POST
PATCH|blocks|GET, POST
GET|approvals/7|DELETE
POST|blocks/7|DELETE
POST|whoami|GET
DELETE|held|GET
POST|versions/npm/x/1.0.0|GET
POST|lockfiles|GET
DELETE|lockfiles/web|GET, POST
POST|lockfiles/acme%2Fweb/3|GET
GET|lockfiles/web/3/approve|POST
PUT|decisions|GET
POST|audit|GET
POST|audit/verify|GET
ROUTES
    for path in approvals/0 blocks/0 approvals/12345678901234567890 approvals/7x versions/ lockfiles/ audit/verify/x \
        whoami/ held/x; do
        api "$T_REV" GET "$path"
        expect_error 404 not_found "" "GET $path"
    done
    api "$T_REV" DELETE approvals/0
    expect_error 404 not_found "" "DELETE approvals/0"
    for path in lockfiles/web/approve lockfiles/a%20b lockfiles/a%2F lockfiles/a..b; do
        api "$T_CI" GET "$path"
        expect_error 400 bad_request "" "GET $path"
    done
    api "$T_CI" HEAD held "" -I
    expect_status 200 "HEAD held"
    api "" HEAD held "" -I
    expect_status 401 "HEAD held without a token"
}

t_held() {
    local i
    for i in 1 2 3; do
        tarball adm-held 2.0.0
        expect_status 403 "adm-held-2.0.0.tgz (request $i)"
    done
    assert_eq quarantine "$(jb 'd["reason"]')" "denial reason"
    tarball adm-hold2 1.1.0
    expect_status 403 "adm-hold2-1.1.0.tgz"
    # the count may be written a moment later: poll
    wait_api "$T_REV" "held" 'any(e["package"] == "adm-held" and e["version"] == "2.0.0" and e["requests"] == 3 for e in d["held"]) and any(e["package"] == "adm-hold2" for e in d["held"])' ||
        fail "adm-held 2.0.0 with 3 requests (and adm-hold2 1.1.0) not in /-/api/held within 5 s"
    held_entry adm-held 2.0.0 >"$IT_TMP/held-entry.json"
    cat "$IT_TMP/held-entry.json"
    UA_WANT=$UA BASE=$CORDON_URL check_json "$HTTP_BODY" '
want(isinstance(d.get("count"), int) and d["count"] == len(d["held"]), "count %r is not len(held) %d" % (d.get("count"), len(d["held"])))
e = [e for e in d["held"] if e["package"] == "adm-held" and e["version"] == "2.0.0"][0]
want(e.get("ecosystem") == "npm", "ecosystem")
want(e.get("reason") == "quarantine", "reason %r" % e.get("reason"))
want("min_age 3d" in (e.get("policy") or ""), "policy %r" % e.get("policy"))
want("adm-held@2.0.0" in (e.get("error") or ""), "error %r does not name adm-held@2.0.0" % e.get("error"))
want(iso(e.get("published_at")) and iso(e.get("eligible_at")), "published_at / eligible_at")
want(iso(e.get("published_at")) and iso(e.get("eligible_at")) and abs(ep(e["eligible_at"]) - ep(e["published_at"]) - 3 * 86400) < 2, "eligible_at is not published_at + 3d")
want(iso(e.get("first_denied_at")) and iso(e.get("last_denied_at")), "first/last_denied_at")
want(iso(e.get("first_denied_at")) and iso(e.get("last_denied_at")) and ep(e["first_denied_at"]) <= ep(e["last_denied_at"]), "first_denied_at after last_denied_at")
want(e.get("requests") == 3, "requests %r" % e.get("requests"))
c = e.get("clients") or []
want(len(c) >= 1 and c[0].get("address") == "127.0.0.1" and c[0].get("user_agent") == env["UA_WANT"] and c[0].get("requests") == 3, "clients %r: expected 127.0.0.1 with our user agent, 3 requests" % (c,))
want(e.get("findings") == [], "findings %r" % e.get("findings"))
want(e.get("review_requests") == [], "review_requests %r" % e.get("review_requests"))
want(e.get("review_url") == env["BASE"] + "/-/admin/#npm/adm-held/2.0.0", "review_url %r" % e.get("review_url"))
' "the held entry of adm-held 2.0.0"

    # filters and sorts
    api "$T_REV" GET "held?ecosystem=npm&package=adm-held"
    expect_status 200 "held?package=adm-held"
    check_json "$HTTP_BODY" 'want([(e["package"], e["version"]) for e in d["held"]] == [("adm-held", "2.0.0")], "package filter: %r" % [(e["package"], e["version"]) for e in d["held"]]); want(d.get("count") == 1, "count")'
    api "$T_REV" GET "held?ecosystem=pypi"
    expect_status 200 "held?ecosystem=pypi"
    check_json "$HTTP_BODY" 'want(all(e["ecosystem"] == "pypi" for e in d["held"]), "ecosystem filter lets npm through")'
    api "$T_REV" GET "held?sort=requests"
    expect_status 200 "held?sort=requests"
    check_json "$HTTP_BODY" '
r = [e["requests"] for e in d["held"]]
want(r == sorted(r, reverse=True), "sort=requests is not most requested first: %r" % r)
names = [e["package"] for e in d["held"]]
want("adm-held" in names and "adm-hold2" in names and names.index("adm-held") < names.index("adm-hold2"), "adm-held (3 requests) not before adm-hold2 (1): %r" % names)'
    for i in age reason; do
        api "$T_CI" GET "held?sort=$i"
        expect_status 200 "held?sort=$i (as ci)"
    done

    # approved: gone from the queue; revoked: back
    post_approval npm adm-held 2.0.0 "held case: reviewed"
    api "$T_REV" GET "held?package=adm-held"
    expect_status 200 "held after the approval"
    assert_eq null "$(held_entry adm-held 2.0.0)" "held entry of adm-held 2.0.0 after its approval"
    tarball adm-held 2.0.0
    expect_status 200 "adm-held-2.0.0.tgz once approved"
    api "$T_REV" DELETE "approvals/$APPROVAL_ID"
    expect_status 200 "revoke the adm-held approval"
    api "$T_REV" GET "held?package=adm-held"
    expect_status 200 "held after the revocation"
    [[ $(held_entry adm-held 2.0.0) != null ]] || fail "adm-held 2.0.0 is not held again after its approval was revoked: $(body)"
}

t_versions() {
    # held, mature, scoped (percent-encoded), PyPI and Maven (groupId%3AartifactId)
    api "$T_CI" GET "versions/npm/adm-held/2.0.0"
    expect_status 200 "versions/npm/adm-held/2.0.0"
    check_json "$HTTP_BODY" '
for k in ("ecosystem", "package", "version", "allowed", "reason", "policy", "published_at", "eligible_at", "error", "known_upstream", "approvals", "blocks", "held"):
    want(k in d, "no %r" % k)
want((d.get("ecosystem"), d.get("package"), d.get("version")) == ("npm", "adm-held", "2.0.0"), "names")
want(d.get("allowed") is False and d.get("reason") == "quarantine", "not held for quarantine")
want(d.get("known_upstream") is True, "known_upstream")
want(iso(d.get("published_at")) and iso(d.get("eligible_at")), "times")
want("adm-held@2.0.0" in (d.get("error") or ""), "error %r" % d.get("error"))
a = d.get("approvals") or []
want(len(a) == 1 and a[0].get("active") is False and a[0].get("revoked_at"), "approvals: the revoked one from the held case, got %r" % a)
want(d.get("blocks") == [], "blocks %r" % d.get("blocks"))
h = d.get("held") or {}
want(h.get("package") == "adm-held" and h.get("version") == "2.0.0" and (h.get("requests") or 0) >= 3, "held entry %r" % h)'
    api "$T_CI" GET "versions/npm/adm-held/1.0.0"
    expect_status 200 "versions/npm/adm-held/1.0.0"
    check_json "$HTTP_BODY" 'want(d.get("allowed") is True, "1.0.0 (60 days) not allowed"); want(d.get("held") is None, "held %r" % d.get("held")); want(d.get("known_upstream") is True, "known_upstream")'

    http GET "$CORDON_URL/npm/@adm%2fscoped" >/dev/null
    expect_status 200 "packument of @adm/scoped"
    api "$T_CI" GET "versions/npm/%40adm%2Fscoped/1.1.0"
    expect_status 200 "versions/npm/%40adm%2Fscoped/1.1.0"
    check_json "$HTTP_BODY" 'want(d.get("package") == "@adm/scoped" and d.get("version") == "1.1.0", "names %r" % ((d.get("package"), d.get("version")),)); want(d.get("allowed") is False and d.get("reason") == "quarantine", "verdict")'

    http GET "$CORDON_URL/pypi/simple/adm-py/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    expect_status 200 "PyPI page of adm-py"
    api "$T_CI" GET "versions/pypi/adm-py/1.1"
    expect_status 200 "versions/pypi/adm-py/1.1"
    check_json "$HTTP_BODY" 'want((d.get("ecosystem"), d.get("package"), d.get("version")) == ("pypi", "adm-py", "1.1"), "names"); want(d.get("allowed") is False and d.get("reason") == "quarantine", "verdict"); want(d.get("known_upstream") is True, "known_upstream")'
    api "$T_CI" GET "versions/pypi/adm-py/1.0"
    expect_status 200 "versions/pypi/adm-py/1.0"
    assert_eq true "$(jb 'd["allowed"]')" "adm-py 1.0 allowed"

    http GET "$MAVEN_REPO$GP/adm-jar/maven-metadata.xml"
    expect_status 200 "maven-metadata.xml of adm-jar"
    http GET "$MAVEN_REPO$GP/adm-jar/1.1/adm-jar-1.1.pom"
    expect_status 403 "adm-jar 1.1 POM"
    api "$T_CI" GET "versions/maven/$G%3Aadm-jar/1.1"
    expect_status 200 "versions/maven/$G%3Aadm-jar/1.1"
    check_json "$HTTP_BODY" 'want((d.get("ecosystem"), d.get("package"), d.get("version")) == ("maven", "org.cordon.adm:adm-jar", "1.1"), "names %r" % ((d.get("ecosystem"), d.get("package"), d.get("version")),)); want(d.get("allowed") is False and d.get("reason") == "quarantine", "verdict")'

    # never refused on the artifact route and never asked about, but its
    # packument was served without it: a held entry counting that request
    local only_served='want([(e["version"], e["requests"], e["metadata_requests"], e["alternative"]) for e in d["held"]] == [("1.1.0", 0, 1, "1.0.0")], "the held entry of a version only served without: %r" % d["held"])'
    api "$T_CI" GET "held?package=%40adm%2Fscoped"
    expect_status 200 "held?package=@adm/scoped"
    check_json "$HTTP_BODY" "$only_served"
    api "$T_CI" GET "held?package=@adm/scoped"
    expect_status 200 "held?package=@adm/scoped (not encoded)"
    check_json "$HTTP_BODY" "$only_served"
    api "$T_CI" GET "versions/npm/%40adm%2Fscoped/1.1.0"
    expect_status 200 "versions/npm/%40adm%2Fscoped/1.1.0"
    check_json "$HTTP_BODY" 'want(d["held"] and d["held"]["metadata_requests"] == 1 and d["history"] is None and d["approved_by"] is None, "held %r history %r approved_by %r for a version served without (doc: its held entry)" % (d.get("held"), d.get("history"), d.get("approved_by")))'
    # a version nobody was served metadata without, nor refused, nor asked about: no entry
    api "$T_CI" GET "versions/npm/%40adm%2Fscoped/1.0.0"
    expect_status 200 "versions/npm/%40adm%2Fscoped/1.0.0"
    check_json "$HTTP_BODY" 'want(d.get("held") is None and d.get("history") is None, "held %r history %r for an allowed version nobody asked about" % (d.get("held"), d.get("history")))'
}

t_approvals() {
    local id1 id2
    http GET "$CORDON_URL/npm/@adm%2fscoped" >/dev/null
    tarball @adm/scoped 1.1.0
    expect_status 403 "@adm/scoped 1.1.0 before any approval"

    post_approval npm @adm/scoped 1.1.0 "approvals case: diff reviewed"
    id1=$APPROVAL_ID
    [[ -n $(header x-request-id) ]] || fail "no X-Request-Id on the 201"
    ID=$id1 check_json "$HTTP_BODY" '
want(isinstance(d.get("id"), int) and d["id"] == int(env["ID"]), "id")
want((d.get("ecosystem"), d.get("package"), d.get("version")) == ("npm", "@adm/scoped", "1.1.0"), "names")
want(d.get("comment") == "approvals case: diff reviewed", "comment %r" % d.get("comment"))
want(d.get("by") == "alice", "by %r" % d.get("by"))
want(iso(d.get("created_at")), "created_at %r" % d.get("created_at"))
want("expires_at" in d and d["expires_at"] is None, "expires_at %r" % d.get("expires_at", "<missing>"))
want("revoked_at" in d and d["revoked_at"] is None and "revoked_by" in d and d["revoked_by"] is None, "revoked_at / revoked_by")
want(d.get("active") is True, "active")
want(d.get("known_upstream") is True, "known_upstream %r" % d.get("known_upstream"))' "the 201 of POST approvals"
    # effective at once, on the artifact route and in metadata
    tarball @adm/scoped 1.1.0
    expect_status 200 "@adm/scoped 1.1.0 right after the approval"
    assert_eq true "$(listed @adm/scoped 1.1.0)" "1.1.0 in @adm/scoped's packument after the approval"
    api "$T_AUD" GET "versions/npm/%40adm%2Fscoped/1.1.0"
    expect_status 200 "versions of @adm/scoped 1.1.0"
    ID=$id1 check_json "$HTTP_BODY" 'want(d.get("allowed") is True, "not allowed"); want([a["id"] for a in d.get("approvals", [])] == [int(env["ID"])], "approvals %r" % d.get("approvals"))'

    # with an expiry: expires_at = created_at + 7d
    post_approval npm @adm/scoped 1.0.0 "approvals case: with an expiry" 7d
    id2=$APPROVAL_ID
    check_json "$HTTP_BODY" 'want(iso(d.get("expires_at")) and abs(ep(d["expires_at"]) - ep(d["created_at"]) - 7 * 86400) < 2, "expires_at %r is not created_at %r + 7d" % (d.get("expires_at"), d.get("created_at")))'

    # PyPI names are canonicalised (PEP 503)
    http GET "$CORDON_URL/pypi/simple/adm-canon/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    expect_status 200 "PyPI page of adm-canon"
    post_approval pypi ADM.Canon 1.1 "approvals case: PEP 503"
    check_json "$HTTP_BODY" 'want(d.get("package") == "adm-canon", "package %r, expected the PEP 503 name adm-canon" % d.get("package")); want(d.get("known_upstream") is True, "known_upstream")'
    http GET "$CORDON_URL/pypi/simple/adm-canon/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    expect_status 200 "PyPI page of adm-canon"
    assert_eq true "$(jb '"1.1" in d["versions"]')" "adm-canon 1.1 listed after the approval of ADM.Canon 1.1"

    # lists: newest first, ?active=1
    api "$T_AUD" GET approvals
    expect_status 200 "GET approvals"
    I1=$id1 I2=$id2 check_json "$HTTP_BODY" '
ids = [a["id"] for a in d["approvals"]]
want(int(env["I1"]) in ids and int(env["I2"]) in ids, "both approvals listed: %r" % ids)
want(ids == sorted(ids, reverse=True), "not newest first: %r" % ids)'

    # revoke: 200 with the record, then 409; 404 for an unknown id
    api "$T_REV" DELETE "approvals/$id1"
    expect_status 200 "DELETE approvals/$id1"
    ID=$id1 check_json "$HTTP_BODY" '
want(d.get("id") == int(env["ID"]), "id")
want(iso(d.get("revoked_at")), "revoked_at %r" % d.get("revoked_at"))
want(d.get("revoked_by") == "alice", "revoked_by %r" % d.get("revoked_by"))
want(d.get("active") is False, "active %r" % d.get("active"))
want(d.get("comment") == "approvals case: diff reviewed", "the record comes back whole")' "the 200 of DELETE approvals"
    tarball @adm/scoped 1.1.0
    expect_status 403 "@adm/scoped 1.1.0 right after the revocation"
    assert_eq quarantine "$(jb 'd["reason"]')" "reason after the revocation"
    assert_eq false "$(listed @adm/scoped 1.1.0)" "1.1.0 in @adm/scoped's packument after the revocation"
    api "$T_REV" DELETE "approvals/$id1"
    expect_error 409 conflict "" "a second DELETE approvals/$id1"
    api "$T_REV" DELETE "approvals/987654"
    expect_error 404 not_found "" "DELETE approvals/987654"
    api "$T_AUD" GET "approvals?active=1"
    expect_status 200 "GET approvals?active=1"
    I1=$id1 I2=$id2 check_json "$HTTP_BODY" '
ids = [a["id"] for a in d["approvals"]]
want(int(env["I1"]) not in ids, "the revoked approval is listed as active: %r" % ids)
want(int(env["I2"]) in ids, "the active one is missing: %r" % ids)
want(all(a["active"] for a in d["approvals"]), "an inactive record in ?active=1")'
    api "$T_REV" DELETE "approvals/$id2"
    expect_status 200 "DELETE approvals/$id2"
}

t_blocks() {
    local id whole
    tarball adm-block 1.0.0
    expect_status 200 "adm-block 1.0.0 (60 days old), now cached"
    post_block npm adm-block 1.0.0 "blocks case: compromised"
    id=$BLOCK_ID
    ID=$id check_json "$HTTP_BODY" '
want(d.get("id") == int(env["ID"]), "id")
want((d.get("ecosystem"), d.get("package"), d.get("version")) == ("npm", "adm-block", "1.0.0"), "names")
want(d.get("comment") == "blocks case: compromised" and d.get("by") == "alice", "comment / by")
want(iso(d.get("created_at")), "created_at")
want("removed_at" in d and d["removed_at"] is None and "removed_by" in d and d["removed_by"] is None, "removed_at / removed_by")
want(d.get("active") is True, "active")' "the 201 of POST blocks"
    tarball adm-block 1.0.0
    expect_status 403 "the cached adm-block 1.0.0 right after the block"
    assert_eq blocked "$(jb 'd["reason"]')" "reason"
    assert_eq false "$(listed adm-block 1.0.0)" "blocked 1.0.0 in the packument"
    api "$T_AUD" GET "versions/npm/adm-block/1.0.0"
    expect_status 200 "versions of adm-block 1.0.0"
    ID=$id check_json "$HTTP_BODY" 'want(d.get("allowed") is False and d.get("reason") == "blocked", "verdict %r %r" % (d.get("allowed"), d.get("reason"))); want([b["id"] for b in d.get("blocks", [])] == [int(env["ID"])], "blocks %r" % d.get("blocks"))'

    post_block npm adm-block "" "blocks case: the whole package"
    whole=$BLOCK_ID
    check_json "$HTTP_BODY" 'want("version" in d and d["version"] is None, "version %r (whole package: null)" % d.get("version", "<missing>")); want(d.get("active") is True, "active")'
    api "$T_AUD" GET blocks
    expect_status 200 "GET blocks"
    I1=$id I2=$whole check_json "$HTTP_BODY" '
ids = [b["id"] for b in d["blocks"]]
want(int(env["I1"]) in ids and int(env["I2"]) in ids, "both blocks listed: %r" % ids)
want(ids == sorted(ids, reverse=True), "not newest first: %r" % ids)'

    api "$T_REV" DELETE "blocks/$whole"
    expect_status 200 "DELETE blocks/$whole"
    api "$T_REV" DELETE "blocks/$id"
    expect_status 200 "DELETE blocks/$id"
    ID=$id check_json "$HTTP_BODY" 'want(d.get("id") == int(env["ID"]), "id"); want(iso(d.get("removed_at")) and d.get("removed_by") == "alice", "removed_at / removed_by: %r %r" % (d.get("removed_at"), d.get("removed_by"))); want(d.get("active") is False, "active")' "the 200 of DELETE blocks"
    tarball adm-block 1.0.0
    expect_status 200 "adm-block 1.0.0 once the blocks are lifted"
    api "$T_REV" DELETE "blocks/$id"
    expect_error 409 conflict "" "a second DELETE blocks/$id"
    api "$T_REV" DELETE "blocks/987654"
    expect_error 404 not_found "" "DELETE blocks/987654"
    api "$T_AUD" GET "blocks?active=1"
    expect_status 200 "GET blocks?active=1"
    I1=$id check_json "$HTTP_BODY" 'want(int(env["I1"]) not in [b["id"] for b in d["blocks"]], "a lifted block is listed as active")'
}

t_decisions() {
    local i
    for i in 1 2 3; do
        tarball adm-held 1.0.0
        expect_status 200 "adm-held 1.0.0"
    done
    # the log may be written in batches: wait for 6 adm-held decisions
    wait_api "$T_CI" "decisions?ecosystem=npm&package=adm-held&limit=1000" 'sum(1 for r in d["decisions"] if r.get("version") == "1.0.0" and r.get("decision") == "allow") >= 3 and len(d["decisions"]) >= 6' ||
        fail "the decisions of adm-held did not show up"
    cp "$HTTP_BODY" "$IT_TMP/decisions-all.json"
    UA_WANT=$UA check_json "$HTTP_BODY" '
recs = d["decisions"]
want(all(r.get("ecosystem") == "npm" and r.get("package") == "adm-held" for r in recs), "filter lets others through")
want(all(r.get("type") == "decision" for r in recs), "a record of another type: %r" % [r.get("type") for r in recs])
seqs = [r["seq"] for r in recs]
want(seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs), "not newest first: %r" % seqs)
r = [r for r in recs if r.get("version") == "2.0.0" and r.get("decision") == "deny"][0]
for k in ("seq", "type", "time", "client", "user_agent", "ecosystem", "package", "version", "decision", "reason", "rule", "request_id", "detail", "prev"):
    want(k in r, "a deny record has no %r: %r" % (k, r))
want(r.get("reason") == "quarantine" and iso(r.get("time")), "reason / time")
want(r.get("client") == "127.0.0.1" and r.get("user_agent") == env["UA_WANT"], "client / user_agent: %r %r" % (r.get("client"), r.get("user_agent")))
want(isinstance(r.get("prev"), str) and re.fullmatch("[0-9a-f]{64}", r["prev"]), "prev %r" % r.get("prev"))
want("next_before" in d, "no next_before")' "GET decisions"
    # paging: two pages of 2 are the first 4 of the full list
    api "$T_CI" GET "decisions?ecosystem=npm&package=adm-held&limit=2"
    expect_status 200 "decisions limit=2"
    cp "$HTTP_BODY" "$IT_TMP/decisions-p1.json"
    local nb
    nb=$(jb 'd["next_before"]')
    [[ $nb =~ ^[0-9]+$ ]] || fail "next_before is $nb after a full page"
    api "$T_CI" GET "decisions?ecosystem=npm&package=adm-held&limit=2&before=$nb"
    expect_status 200 "decisions limit=2 before=$nb"
    P1=$IT_TMP/decisions-p1.json ALL=$IT_TMP/decisions-all.json check_json "$HTTP_BODY" '
p1 = json.load(open(env["P1"]))["decisions"]
full = json.load(open(env["ALL"]))["decisions"]
got = [r["seq"] for r in p1 + d["decisions"]]
want(len(p1) == 2 and len(d["decisions"]) == 2, "page sizes %d, %d" % (len(p1), len(d["decisions"])))
want(got == [r["seq"] for r in full[:4]], "pages %r are not the first 4 of %r" % (got, [r["seq"] for r in full[:6]]))'
    # the other filters
    api "$T_CI" GET "decisions?package=adm-held&decision=allow&limit=1000"
    expect_status 200 "decisions decision=allow"
    check_json "$HTTP_BODY" 'want(d["decisions"] and all(r["decision"] == "allow" for r in d["decisions"]), "decision=allow: %r" % [r["decision"] for r in d["decisions"]])'
    api "$T_CI" GET "decisions?package=adm-held&version=2.0.0&limit=1000"
    expect_status 200 "decisions version=2.0.0"
    check_json "$HTTP_BODY" 'want(d["decisions"] and all(r["version"] == "2.0.0" for r in d["decisions"]), "version=2.0.0: %r" % [r["version"] for r in d["decisions"]])'
    api "$T_CI" GET "decisions?package=adm-held&since=2099-01-01T00:00:00Z"
    expect_status 200 "decisions since the future"
    check_json "$HTTP_BODY" 'want(d["decisions"] == [] and d.get("next_before") is None, "since=2099: %r" % d)'
    api "$T_CI" GET "decisions?package=adm-held&since=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)&limit=1000"
    expect_status 200 "decisions since an hour ago"
    check_json "$HTTP_BODY" 'want(len(d["decisions"]) >= 6, "since an hour ago: %d records" % len(d["decisions"]))'
    api "$T_CI" GET "decisions?limit=1001"
    [[ $HTTP_STATUS == 200 || $HTTP_STATUS == 400 ]] || fail "limit=1001: HTTP $HTTP_STATUS"
    if [[ $HTTP_STATUS == 200 ]]; then
        check_json "$HTTP_BODY" 'want(len(d["decisions"]) <= 1000, "more than 1000 records")'
    fi
}

REVIEW_BODY='{"ecosystem": "npm", "package": "adm-review", "version": "1.1.0", "justification": "needs the fix for the parser bug"}'

t_reviews() {
    local id
    review_from 127.0.0.1 "$REVIEW_BODY"
    expect_status 201 "POST reviews (no token)"
    id=$(jb 'd["id"]') || fail "no id"
    UA_WANT=$UA BASE=$CORDON_URL check_json "$HTTP_BODY" '
want(isinstance(d.get("id"), int), "id")
want((d.get("ecosystem"), d.get("package"), d.get("version")) == ("npm", "adm-review", "1.1.0"), "names")
want(d.get("justification") == "needs the fix for the parser bug", "justification")
want(d.get("client") == "127.0.0.1" and d.get("user_agent") == env["UA_WANT"], "client / user_agent %r %r" % (d.get("client"), d.get("user_agent")))
want(iso(d.get("time")), "time")
want(d.get("review_url") == env["BASE"] + "/-/admin/#npm/adm-review/1.1.0", "review_url %r" % d.get("review_url"))' "the 201 of POST reviews"
    api "$T_AUD" GET reviews
    expect_status 200 "GET reviews"
    ID=$id check_json "$HTTP_BODY" '
ids = [r["id"] for r in d["reviews"]]
want(ids and ids[0] == int(env["ID"]), "newest first, ours first: %r" % ids)
want(ids == sorted(ids, reverse=True), "not newest first")'
    api "" GET reviews
    expect_error 401 unauthorized "" "GET reviews without a token"
    # a version someone asked a review for is in the queue, with the request
    wait_api "$T_REV" "held?package=adm-review" 'any(e["version"] == "1.1.0" for e in d["held"])' ||
        fail "adm-review 1.1.0 (review requested, never fetched) not in held"
    ID=$id check_json "$HTTP_BODY" '
e = [e for e in d["held"] if e["version"] == "1.1.0"][0]
rr = e.get("review_requests") or []
want(len(rr) == 1 and rr[0].get("id") == int(env["ID"]) and rr[0].get("justification") == "needs the fix for the parser bug" and rr[0].get("client") == "127.0.0.1" and iso(rr[0].get("time")), "review_requests %r" % rr)
want(e.get("reason") == "unknown", "reason %r (nobody fetched the package yet: its age is unknown)" % e.get("reason"))
want(e.get("published_at") is None and e.get("eligible_at") is None, "dates must not be invented: %r %r" % (e.get("published_at"), e.get("eligible_at")))
want("has not fetched" in (e.get("error") or ""), "error %r" % e.get("error"))'
    # once a client asks for the package through cordon, the version's age is
    # upstream's (never "first seen now")
    http GET "${NPM_REGISTRY}adm-review"
    expect_status 200 "the adm-review packument through cordon"
    api "$T_REV" GET "held?package=adm-review"
    expect_status 200 "GET held after the packument was fetched"
    local up_time
    up_time=$(curl -s --max-time 5 "$FIXTURE_URL/adm-review" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["time"]["1.1.0"])') || fail "fixture packument"
    UP=$up_time check_json "$HTTP_BODY" '
e = [e for e in d["held"] if e["version"] == "1.1.0"][0]
want(e.get("reason") == "quarantine", "reason %r" % e.get("reason"))
want(iso(e.get("published_at")) and abs(ep(e["published_at"]) - ep(env["UP"])) < 1.5, "published_at %r, upstream says %s" % (e.get("published_at"), env["UP"]))
want(iso(e.get("eligible_at")) and abs(ep(e["eligible_at"]) - ep(env["UP"]) - 3 * 86400) < 1.5, "eligible_at %r is not upstream time %s + 3d" % (e.get("eligible_at"), env["UP"]))' "the held entry of a version asked about before cordon fetched its metadata"
}

t_reviews_rate_limit() {
    # limits.review_requests_per_hour: 3, counted per client address: from
    # 127.0.0.2 the fourth is refused, 127.0.0.3 is counted on its own
    local i ra
    for i in 1 2 3; do
        review_from 127.0.0.2 "$REVIEW_BODY"
        expect_status 201 "review request $i from 127.0.0.2"
        assert_eq 127.0.0.2 "$(jb 'd["client"]')" "client of review request $i"
    done
    review_from 127.0.0.2 "$REVIEW_BODY"
    expect_error 429 rate_limited "" "review request 4 from 127.0.0.2"
    ra=$(header retry-after)
    if ! [[ $ra =~ ^[0-9]+$ ]] || (( ra < 1 || ra > 3600 )); then
        fail "Retry-After '$ra' is not a number of seconds within the hour"
    fi
    review_from 127.0.0.3 "$REVIEW_BODY"
    expect_status 201 "review request from 127.0.0.3"
}

t_metrics() {
    http GET "$CORDON_URL/-/metrics"
    expect_status 200 "GET /-/metrics (no token)"
    assert_contains "$(header content-type)" "text/plain" "Content-Type"
    local m
    grep -qE '^cordon_requests_total\{[^}]*ecosystem="npm"[^}]*\} [0-9.e+]+$' "$HTTP_BODY" || fail "no cordon_requests_total{ecosystem=\"npm\",…} sample: $(grep cordon_requests_total "$HTTP_BODY" | head -n 5)"
    grep -qE '^cordon_requests_total\{[^}]*status="403"[^}]*\} [0-9.e+]+$' "$HTTP_BODY" || fail "no cordon_requests_total sample with status=\"403\""
    grep -qE '^cordon_decisions_total\{[^}]*decision="deny"[^}]*reason="quarantine"[^}]*\} [0-9.e+]+$|^cordon_decisions_total\{[^}]*reason="quarantine"[^}]*decision="deny"[^}]*\} [0-9.e+]+$' "$HTTP_BODY" ||
        fail "no cordon_decisions_total{decision=\"deny\",reason=\"quarantine\"} sample: $(grep cordon_decisions_total "$HTTP_BODY" | head -n 5)"
    for m in cordon_upstream_fetches_total cordon_upstream_failures_total cordon_upstream_fetch_seconds_bucket \
        cordon_cache_hits_total cordon_held_versions cordon_approvals_active cordon_blocks_active; do
        grep -qE "^# TYPE ${m%_bucket} |^${m}[{ ]" "$HTTP_BODY" || fail "no $m in the metrics"
    done
    grep -qE '^cordon_held_versions [1-9][0-9]*$' "$HTTP_BODY" || fail "cordon_held_versions is not positive: $(grep cordon_held_versions "$HTTP_BODY")"
    # the store's gauges: the map, what it uses, the artifacts cached (the refused tarballs were fetched to be analysed)
    "$PYTHON" - "$HTTP_BODY" <<'PY' || fail "the store's gauges: $(grep cordon_store "$HTTP_BODY")"
import re, sys
m = dict(re.findall(r"^(cordon_store_[a-z_]+) (\d+)$", open(sys.argv[1]).read(), re.M))
assert int(m["cordon_store_map_bytes"]) > 0 and 0 < int(m["cordon_store_used_bytes"]) <= int(m["cordon_store_map_bytes"]), m
assert int(m["cordon_store_artifacts"]) >= 1 and int(m["cordon_store_artifact_bytes"]) > 0, m
assert "cordon_store_map_grown_total" in m, m
PY
    assert_not_contains "$(body)" "adm-" "metrics (a package name)"
}

t_bad_input() {
    api "$T_REV" POST approvals '{"ecosystem": "npm", "package": "adm-lib",'
    expect_error 400 bad_request "" "malformed JSON"
    api "$T_REV" POST approvals '["npm", "adm-lib", "1.1.0"]'
    expect_error 400 bad_request "" "a JSON array"
    api "$T_REV" POST approvals '{"ecosystem": "npm", "package": "adm-lib", "version": "1.1.0"}'
    expect_error 400 bad_request comment "approval without a comment"
    api "$T_REV" POST approvals '{"ecosystem": "npm", "package": "adm-lib", "version": "1.1.0", "comment": "  \t "}'
    expect_error 400 bad_request comment "approval with a blank comment"
    api "$T_REV" POST blocks '{"ecosystem": "npm", "package": "adm-lib", "version": "1.1.0", "comment": ""}'
    expect_error 400 bad_request comment "block with an empty comment"
    api "$T_REV" POST approvals '{"ecosystem": "cargo", "package": "adm-lib", "version": "1.1.0", "comment": "x"}'
    expect_error 400 bad_request ecosystem "unknown ecosystem"
    api "$T_REV" POST blocks '{"ecosystem": "rubygems", "package": "adm-lib", "comment": "x"}'
    expect_error 400 bad_request ecosystem "unknown ecosystem (blocks)"
    api "$T_REV" POST approvals '{"ecosystem": "npm", "package": "adm-lib", "comment": "x"}'
    expect_error 400 bad_request version "approval without a version"
    local x
    for x in '"soon"' '"-3d"' '"7y"' '""'; do
        api "$T_REV" POST approvals "{\"ecosystem\": \"npm\", \"package\": \"adm-lib\", \"version\": \"1.1.0\", \"comment\": \"x\", \"expires_in\": $x}"
        expect_error 400 bad_request expires_in "expires_in $x"
    done
    # 64 kB cap on JSON bodies
    "$PYTHON" -c 'import json; print(json.dumps({"ecosystem": "npm", "package": "adm-lib", "version": "1.1.0", "comment": "x" * 70000}))' >"$IT_TMP/big.json"
    api "$T_REV" POST approvals "@$IT_TMP/big.json"
    expect_error 413 too_large "" "a 70 kB approval body"
    # (review requests from addresses of their own: whether a refused request
    # counts against the rate limit is not the point here)
    review_from 127.0.0.4 "@$IT_TMP/big.json"
    expect_status 413 "a 70 kB review request"
    # none of that stored anything
    api "$T_REV" GET "versions/npm/adm-lib/1.1.0"
    expect_status 200 "versions of adm-lib 1.1.0"
    check_json "$HTTP_BODY" 'want(d.get("approvals") == [] and d.get("blocks") == [], "a refused request left a record: %r %r" % (d.get("approvals"), d.get("blocks")))'

    # a version upstream does not publish: refused, with the nearest listed ones
    # (the packument is revalidated for the answer, so a brand-new release is found)
    http GET "$CORDON_URL/npm/adm-held"
    api "$T_REV" POST approvals '{"ecosystem":"npm","package":"adm-held","version":"1.5.0","comment":"bad input case: a version that does not exist"}'
    expect_status 400 "approving adm-held 1.5.0, which upstream does not list"
    check_json "$HTTP_BODY" '
want(d.get("reason") == "not_listed", "reason %r" % d.get("reason"))
want(d.get("nearest") == ["1.0.0", "2.0.0"], "nearest %r" % d.get("nearest"))
want("no version 1.5.0" in d.get("error", "") and "1.0.0, 2.0.0" in d["error"], "error %r" % d.get("error"))' "the 400"
    # above every release: the nearest are all below it
    api "$T_REV" POST approvals '{"ecosystem":"npm","package":"adm-lib","version":"7.0.0","comment":"bad input case: above every release"}'
    expect_status 400 "approving adm-lib 7.0.0"
    check_json "$HTTP_BODY" 'want(d.get("nearest") == ["1.0.0", "1.1.0"], "nearest %r" % d.get("nearest"))' "the 400"
    api "$T_REV" GET "versions/npm/adm-held/1.5.0"
    check_json "$HTTP_BODY" 'want(d.get("approvals") == [], "a refused approval was stored: %r" % d.get("approvals"))'
    api "$T_REV" POST approvals '{"ecosystem":"npm","package":"adm-nothing-like-it","version":"1.0.0","comment":"bad input case: no such package"}'
    expect_status 400 "approving a package upstream does not have"
    assert_contains "$(body)" "check the package name" "the 400"

    # review requests
    review_from 127.0.0.5 '{"ecosystem": "npm", "package": "adm-review", "version": "1.1.0"}'
    expect_error 400 bad_request justification "review request without a justification"
    review_from 127.0.0.6 '{"ecosystem": "npm", "package": "adm-review", "version": "1.1.0", "justification": "   "}'
    expect_error 400 bad_request justification "review request with a blank justification"
}

# ------------------------------------------------------------------ the loop, per client

t_loop_npm() {
    local d1=$IT_TMP/npm-loop d2=$IT_TMP/npm-loop-fresh out rc
    new_project "$d1"
    out=$(NPM_CACHE=$IT_TMP/npm-cache-loop npm_in "$d1" install adm-lib@1.1.0 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "npm install adm-lib@1.1.0 (10 minutes old)"
    assert_contains "$out" "E403" "npm output"
    [[ -z $(installed_version "$d1" adm-lib) ]] || fail "adm-lib got installed"

    CORDON_TOKEN=$T_REV cli_ok approve npm adm-lib 1.1.0 --comment "npm loop: diff reviewed" --server "$CORDON_URL"
    out=$(NPM_CACHE=$IT_TMP/npm-cache-loop npm_in "$d1" install adm-lib@1.1.0 2>&1) || fail "npm install adm-lib@1.1.0 after the approval failed: $out"
    echo "$out"
    assert_installed "$d1" adm-lib 1.1.0

    CORDON_TOKEN=$T_REV cli_ok block npm adm-lib 1.1.0 --comment "npm loop: bad after all" --server "$CORDON_URL"
    new_project "$d2"
    out=$(NPM_CACHE=$IT_TMP/npm-cache-loop-fresh npm_in "$d2" install adm-lib@1.1.0 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "a fresh npm install adm-lib@1.1.0 after the block"
    assert_contains "$out" "E403" "npm output after the block"
    assert_contains_i "$out" "blocked" "npm output after the block"
    [[ -z $(installed_version "$d2" adm-lib) ]] || fail "adm-lib got installed after the block"
    tarball adm-lib 1.1.0
    expect_status 403 "the cached adm-lib-1.1.0.tgz after the block"
    assert_eq blocked "$(jb 'd["reason"]')" "reason"
}

t_loop_pip() {
    local out rc
    out=$(pip_in install --target "$IT_TMP/pip-loop-1" 'adm-py==1.1' 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "pip install adm-py==1.1 (10 minutes old)"
    assert_contains "$out" "Reason for being yanked: adm-py@1.1 is quarantined" "pip output"
    assert_contains "$out" "403" "pip output"

    CORDON_TOKEN=$T_REV cli_ok approve pypi adm-py 1.1 --comment "pip loop: reviewed" --server "$CORDON_URL"
    out=$(pip_in install --target "$IT_TMP/pip-loop-2" 'adm-py==1.1' 2>&1) || fail "pip install adm-py==1.1 after the approval failed: $out"
    echo "$out"
    assert_pip_installed "$IT_TMP/pip-loop-2" adm-py 1.1

    CORDON_TOKEN=$T_REV cli_ok block pypi adm-py 1.1 --comment "pip loop: bad after all" --server "$CORDON_URL"
    out=$(pip_in install --target "$IT_TMP/pip-loop-3" 'adm-py==1.1' 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "pip install adm-py==1.1 after the block"
    [[ -z $(pip_installed_version "$IT_TMP/pip-loop-3" adm-py) ]] || fail "adm-py got installed after the block"
    http GET "$CORDON_URL/pypi/files/adm-py/adm_py-1.1-py3-none-any.whl"
    expect_status 403 "the cached adm_py-1.1 wheel after the block"
    assert_eq blocked "$(jb 'd["reason"]')" "reason"
}

# mvn_fresh_repo NAME FROM: a local repository seeded with FROM's plugins but
# nothing of org.cordon.adm (fresh for the artifact under test).
mvn_fresh_repo() {
    local r=$IT_TMP/m2-$1
    rm -rf "$r"
    if [[ -d $2 ]]; then cp -a "$2" "$r"; else mkdir -p "$r"; fi
    rm -rf "${r:?}/$GP"
    printf '%s\n' "$r"
}

t_loop_mvn() {
    local p=$IT_TMP/p-loop out rc r1 r2 r3
    new_maven_project "$p" "$(mvn_dep "$G" adm-jar 1.1)"
    mkdir -p "$p/src/main/java/it"
    printf 'package it;\npublic class App { public static void main(String[] a) { System.out.println(org.cordon.adm.AdmJar.VERSION); } }\n' >"$p/src/main/java/it/App.java"
    r1=$(mvn_fresh_repo loop-1 "")
    out=$(IT_MVN_REPO=$r1 mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 30
    mvn_fail_expected "$rc" "mvn compile with adm-jar 1.1 (10 minutes old)"
    grep -qE 'status: 403|403 ' <<<"$out" || fail "mvn output does not show the 403"
    [[ -z $(mvn_local_versions "$r1" "$G" adm-jar) ]] || fail "the adm-jar jar landed in the local repository"

    CORDON_TOKEN=$T_REV cli_ok approve maven "$G:adm-jar" 1.1 --comment "mvn loop: reviewed" --server "$CORDON_URL"
    r2=$(mvn_fresh_repo loop-2 "$r1")
    out=$(IT_MVN_REPO=$r2 mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 30
    (( rc == 0 )) || fail "mvn compile after the approval failed ($rc)"
    assert_eq 1.1 "$(mvn_local_versions "$r2" "$G" adm-jar)" "adm-jar jars in the local repository"
    assert_eq 1.1 "$(cd "$p" && timeout 30 java -cp "target/classes:$r2/$GP/adm-jar/1.1/adm-jar-1.1.jar" it.App)" "the compiled App"

    CORDON_TOKEN=$T_REV cli_ok block maven "$G:adm-jar" 1.1 --comment "mvn loop: bad after all" --server "$CORDON_URL"
    r3=$(mvn_fresh_repo loop-3 "$r2")
    rm -rf "$p/target"
    out=$(IT_MVN_REPO=$r3 mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 30
    mvn_fail_expected "$rc" "mvn compile after the block"
    grep -qE 'status: 403|403 ' <<<"$out" || fail "mvn output does not show the 403 after the block"
    [[ -z $(mvn_local_versions "$r3" "$G" adm-jar) ]] || fail "the adm-jar jar landed in the local repository after the block"
    http GET "$MAVEN_REPO$GP/adm-jar/1.1/adm-jar-1.1.jar"
    expect_status 403 "the cached adm-jar-1.1.jar after the block"
    assert_eq blocked "$(jb 'd["reason"]')" "reason"
}

# ------------------------------------------------------------------ expiry, whole package

t_expiry() {
    # 10 s: the two checks while it runs must be done by then, on busy cores too
    local id deadline gone="" secs=10
    http GET "$CORDON_URL/npm/adm-exp" >/dev/null
    post_approval npm adm-exp 1.1.0 "expiry case: $secs seconds" "${secs}s"
    id=$APPROVAL_ID
    S=$secs check_json "$HTTP_BODY" 'want(iso(d.get("expires_at")) and abs(ep(d["expires_at"]) - ep(d["created_at"]) - int(env["S"])) < 1.5, "expires_at %r is not created_at %r + %ss" % (d.get("expires_at"), d.get("created_at"), env["S"]))'
    tarball adm-exp 1.1.0
    expect_status 200 "adm-exp 1.1.0 while the approval runs"
    assert_eq true "$(listed adm-exp 1.1.0)" "1.1.0 in the packument while the approval runs"
    # held again once it expires (the filtered packument rendered meanwhile must go)
    deadline=$(( $(date +%s) + secs + 60 ))
    while (( $(date +%s) < deadline )); do
        if [[ $(listed adm-exp 1.1.0) == false ]]; then gone=1; break; fi
        sleep 0.3
    done
    [[ -n $gone ]] || fail "adm-exp 1.1.0 still in the packument 60 s after a $secs s approval expired"
    tarball adm-exp 1.1.0
    expect_status 403 "adm-exp 1.1.0 after its approval expired"
    assert_eq quarantine "$(jb 'd["reason"]')" "reason"
    api "$T_AUD" GET "approvals?active=1"
    expect_status 200 "approvals?active=1"
    ID=$id check_json "$HTTP_BODY" 'want(int(env["ID"]) not in [a["id"] for a in d["approvals"]], "the expired approval is listed as active")'
    api "$T_AUD" GET approvals
    ID=$id check_json "$HTTP_BODY" 'a = [a for a in d["approvals"] if a["id"] == int(env["ID"])]; want(a and a[0]["active"] is False, "the expired approval: %r" % a)'
}

t_whole_package_block() {
    local id v
    tarball adm-whole 1.0.0
    expect_status 200 "adm-whole 1.0.0 (60 days) before the block"
    post_block npm adm-whole "" "whole package case: maintainer account taken over"
    id=$BLOCK_ID
    for v in 1.0.0 1.1.0; do
        tarball adm-whole "$v"
        expect_status 403 "adm-whole $v under the package block"
        assert_eq blocked "$(jb 'd["reason"]')" "reason for $v"
        assert_eq adm-whole "$(jb 'd["package"]')" "package"
    done
    http GET "$CORDON_URL/npm/adm-whole"
    if [[ $HTTP_STATUS == 200 ]]; then
        assert_eq '[]' "$(jb 'sorted(d["versions"])')" "versions in adm-whole's packument under the block"
    else
        [[ $HTTP_STATUS == 403 || $HTTP_STATUS == 404 ]] || fail "packument of a blocked package: HTTP $HTTP_STATUS"
    fi
    local dir=$IT_TMP/npm-whole out rc
    new_project "$dir"
    out=$(NPM_CACHE=$IT_TMP/npm-cache-whole npm_in "$dir" install adm-whole@1.0.0 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "npm install adm-whole@1.0.0 under the package block"
    api "$T_AUD" GET "versions/npm/adm-whole/1.0.0"
    expect_status 200 "versions of adm-whole 1.0.0"
    ID=$id check_json "$HTTP_BODY" 'want(d.get("allowed") is False and d.get("reason") == "blocked", "verdict"); want([b["id"] for b in d.get("blocks", [])] == [int(env["ID"])], "blocks %r" % d.get("blocks"))'

    api "$T_REV" DELETE "blocks/$id"
    expect_status 200 "lift the package block"
    tarball adm-whole 1.0.0
    expect_status 200 "adm-whole 1.0.0 once the block is lifted"
    assert_eq true "$(listed adm-whole 1.0.0)" "1.0.0 in the packument once the block is lifted"
    tarball adm-whole 1.1.0
    expect_status 403 "adm-whole 1.1.0 once the block is lifted (quarantine again)"
    assert_eq quarantine "$(jb 'd["reason"]')" "reason"
}

# ------------------------------------------------------------------ CLI

t_cli() {
    export CORDON_TOKEN=$T_REV
    cli_ok held --server "$CORDON_URL"
    local line
    line=$(grep -E 'adm-hold2' <<<"$CLI_OUT") || fail "cordon held does not list adm-hold2"
    assert_contains "$line" "1.1.0" "the adm-hold2 line of cordon held"
    assert_contains "$line" "quarantine" "the adm-hold2 line of cordon held"
    [[ ${CLI_OUT:0:1} != "{" && ${CLI_OUT:0:1} != "[" ]] || fail "cordon held without --json printed JSON"
    cli_ok held --json --server "$CORDON_URL"
    printf '%s' "$CLI_OUT" >"$IT_TMP/cli-held.json"
    json_records "$IT_TMP/cli-held.json" held >"$IT_TMP/cli-held-recs.json" || fail "cordon held --json"
    check_json "$IT_TMP/cli-held-recs.json" 'want(any(e["package"] == "adm-hold2" and e["version"] == "1.1.0" for e in d), "adm-hold2 not in cordon held --json")'
    cli_ok held --ecosystem pypi --json --server "$CORDON_URL"
    printf '%s' "$CLI_OUT" >"$IT_TMP/cli-held-pypi.json"
    json_records "$IT_TMP/cli-held-pypi.json" held >"$IT_TMP/cli-held-pypi-recs.json" || fail "cordon held --ecosystem pypi --json"
    check_json "$IT_TMP/cli-held-pypi-recs.json" 'want(all(e["ecosystem"] == "pypi" for e in d), "--ecosystem pypi lists others")'

    # approve / revoke / block / unblock with --json; the server from $CORDON_SERVER
    export CORDON_SERVER=$CORDON_URL
    cli_ok approve npm adm-cli 1.1.0 --comment "cli case" --expires 7d --json
    printf '%s' "$CLI_OUT" >"$IT_TMP/cli-approve.json"
    check_json "$IT_TMP/cli-approve.json" 'want(d.get("package") == "adm-cli" and d.get("version") == "1.1.0" and d.get("by") == "alice" and d.get("active") is True, "record"); want(iso(d.get("expires_at")) and abs(ep(d["expires_at"]) - ep(d["created_at"]) - 7 * 86400) < 2, "--expires 7d")'
    local aid
    aid=$(json_eval "$IT_TMP/cli-approve.json" 'd["id"]')
    tarball adm-cli 1.1.0
    expect_status 200 "adm-cli 1.1.0 approved with the CLI"
    cli_ok revoke "$aid" --json
    printf '%s' "$CLI_OUT" >"$IT_TMP/cli-revoke.json"
    check_json "$IT_TMP/cli-revoke.json" 'want(d.get("active") is False and d.get("revoked_by") == "alice", "revoked record")'
    cli revoke "$aid"
    assert_eq 1 "$CLI_RC" "exit code of a second revoke (409)"
    cli_ok block npm adm-cli --comment "cli case: whole package" --json
    printf '%s' "$CLI_OUT" >"$IT_TMP/cli-block.json"
    check_json "$IT_TMP/cli-block.json" 'want(d.get("package") == "adm-cli" and d.get("version") is None and d.get("active") is True, "whole-package block record")'
    tarball adm-cli 1.0.0
    expect_status 403 "adm-cli 1.0.0 under a CLI block"
    cli_ok unblock "$(json_eval "$IT_TMP/cli-block.json" 'd["id"]')" --json
    printf '%s' "$CLI_OUT" >"$IT_TMP/cli-unblock.json"
    check_json "$IT_TMP/cli-unblock.json" 'want(d.get("active") is False and d.get("removed_by") == "alice", "lifted block record")'
    tarball adm-cli 1.0.0
    expect_status 200 "adm-cli 1.0.0 after cordon unblock"
    cli_ok approve npm adm-cli 1.1.0 --comment "cli case: plain output"
    assert_contains "$CLI_OUT" "adm-cli" "cordon approve's output"
    unset CORDON_SERVER

    cli_ok decisions --package adm-held --json --server "$CORDON_URL"
    printf '%s' "$CLI_OUT" >"$IT_TMP/cli-decisions.json"
    json_records "$IT_TMP/cli-decisions.json" decisions >"$IT_TMP/cli-decisions-recs.json" || fail "cordon decisions --json"
    check_json "$IT_TMP/cli-decisions-recs.json" 'want(len(d) >= 6 and all(r["package"] == "adm-held" for r in d), "%d records, packages %r" % (len(d), sorted({r.get("package") for r in d})))'
    cli_ok decisions --ecosystem npm --limit 2 --json --server "$CORDON_URL"
    printf '%s' "$CLI_OUT" >"$IT_TMP/cli-decisions2.json"
    json_records "$IT_TMP/cli-decisions2.json" decisions >"$IT_TMP/cli-decisions2-recs.json" || fail "cordon decisions --limit 2 --json"
    check_json "$IT_TMP/cli-decisions2-recs.json" 'want(len(d) == 2 and all(r["ecosystem"] == "npm" for r in d), "--limit 2 --ecosystem npm: %r" % d)'
    cli_ok decisions --package adm-held --server "$CORDON_URL"
    assert_contains "$CLI_OUT" "adm-held" "cordon decisions (table)"
    cli_ok reviews --json --server "$CORDON_URL"
    printf '%s' "$CLI_OUT" >"$IT_TMP/cli-reviews.json"
    json_records "$IT_TMP/cli-reviews.json" reviews >"$IT_TMP/cli-reviews-recs.json" || fail "cordon reviews --json"
    check_json "$IT_TMP/cli-reviews-recs.json" 'want(any(r["package"] == "adm-review" for r in d), "adm-review not in cordon reviews --json")'

    # --token-file instead of $CORDON_TOKEN
    unset CORDON_TOKEN
    printf '%s\n' "$T_REV" >"$IT_TMP/token-file"
    chmod 600 "$IT_TMP/token-file"
    cli_ok held --token-file "$IT_TMP/token-file" --server "$CORDON_URL"
    cli held --server "$CORDON_URL"
    # no token at all: refused by the server (1) or by the CLI itself (2)
    [[ $CLI_RC == 1 || $CLI_RC == 2 ]] || fail "cordon held without a token exited $CLI_RC"

    # refused by the server: 1
    CORDON_TOKEN=$T_AUD cli approve npm adm-cli 1.0.0 --comment "auditor tries" --server "$CORDON_URL"
    assert_eq 1 "$CLI_RC" "exit code of an auditor's approve (403)"
    CORDON_TOKEN=$T_AUD cli_ok held --server "$CORDON_URL"
    CORDON_TOKEN=garbage cli held --server "$CORDON_URL"
    assert_eq 1 "$CLI_RC" "exit code with a garbage token (401)"
    CORDON_TOKEN=$T_REV cli approve npm adm-cli 1.1.0 --comment "x" --expires soon --server "$CORDON_URL"
    [[ $CLI_RC == 1 || $CLI_RC == 2 ]] || fail "cordon approve --expires soon exited $CLI_RC"
    CORDON_TOKEN=$T_REV cli revoke 987654 --server "$CORDON_URL"
    assert_eq 1 "$CLI_RC" "exit code of revoking an unknown id (404)"

    # usage and connection errors: 2
    export CORDON_TOKEN=$T_REV
    cli approve npm adm-cli 1.1.0 --server "$CORDON_URL"
    assert_eq 2 "$CLI_RC" "exit code of approve without --comment"
    cli approve npm adm-cli --comment x --server "$CORDON_URL"
    assert_eq 2 "$CLI_RC" "exit code of approve without a version"
    cli held --no-such-option --server "$CORDON_URL"
    assert_eq 2 "$CLI_RC" "exit code of an unknown option"
    cli revoke --server "$CORDON_URL"
    assert_eq 2 "$CLI_RC" "exit code of revoke without an id"
    cli block --comment x --server "$CORDON_URL"
    assert_eq 2 "$CLI_RC" "exit code of block without a package"
    cli held --server "http://127.0.0.1:9"
    assert_eq 2 "$CLI_RC" "exit code when the server cannot be reached"
    unset CORDON_TOKEN
    no_token_in "the CLI's output" "$IT_TMP/cli-approve.json" "$IT_TMP/cli-decisions.json"
}

# ------------------------------------------------------------------ audit

t_audit() {
    api "$T_AUD" GET "audit?limit=1000"
    expect_status 200 "GET audit"
    cp "$HTTP_BODY" "$IT_TMP/audit.json"
    check_json "$HTTP_BODY" '
recs = next((v for k, v in d.items() if isinstance(v, list)), None)
want(recs is not None, "no list of records")
recs = recs or []
seqs = [r["seq"] for r in recs]
want(seqs == sorted(seqs, reverse=True), "not newest first")
types = {r.get("type") for r in recs}
want("decision" in types and len(types) >= 4, "record types %r: expected decisions, approvals, blocks, token changes, review requests" % sorted(map(str, types)))
others = [json.dumps(r) for r in recs if r.get("type") != "decision"]
want(any("temp-tok" in s for s in others), "no record of the temp-tok token changes")
want(any("adm-held" in s and "2.0.0" in s for s in others), "no record of the adm-held 2.0.0 approval")
want(any("adm-review" in s and "needs the fix" in s for s in others), "no record of the adm-review review request")
want(any("adm-whole" in s for s in others), "no record of the adm-whole block")
want(all(isinstance(r.get("prev"), str) and re.fullmatch("[0-9a-f]{64}", r["prev"]) for r in recs), "a record without a 64-hex prev")
want("next_before" in d, "no next_before")' "GET audit"
    no_token_in "the audit chain" "$IT_TMP/audit.json"
    api "$T_AUD" GET "audit?type=decision&limit=50"
    expect_status 200 "GET audit?type=decision"
    check_json "$HTTP_BODY" 'recs = next((v for v in d.values() if isinstance(v, list)), []); want(recs and all(r["type"] == "decision" for r in recs), "type=decision lets others through")'
    # paging down to the first record, whose prev is 64 zeros
    api "$T_AUD" GET "audit?before=2&limit=5"
    expect_status 200 "GET audit?before=2"
    check_json "$HTTP_BODY" 'recs = next((v for v in d.values() if isinstance(v, list)), []); want([r["seq"] for r in recs] == [1] and recs[0]["prev"] == "0" * 64, "before=2: %r" % recs)'

    api "$T_AUD" GET audit/verify
    expect_status 200 "GET audit/verify"
    check_json "$HTTP_BODY" 'want(d.get("ok") is True, "ok %r (%r)" % (d.get("ok"), d.get("error"))); want(isinstance(d.get("records"), int) and d["records"] > 20, "records %r" % d.get("records")); want(isinstance(d.get("head"), str) and re.fullmatch("[0-9a-f]{64}", d["head"]), "head %r" % d.get("head"))'
}

t_audit_verify_tamper() {
    [[ -x $TAMPER ]] || fail "$TAMPER not built (cmake builds tests/tools/*.c into the build directory; set CORDON_TEST_PROGRAMS)"
    local out rc seq
    out=$(timeout 60 "$CORDON_BIN" audit verify --config "$IT_TMP/cordon.yaml" 2>&1)
    rc=$?
    echo "audit verify (intact, server running): exit $rc: $out"
    assert_eq 0 "$rc" "exit code of audit verify on the intact chain"

    # rewrite history: the deny of adm-hold2 1.1.0 becomes another package's
    api "$T_AUD" GET "decisions?package=adm-hold2&decision=deny&limit=1"
    expect_status 200 "the adm-hold2 deny"
    seq=$(jb 'd["decisions"][0]["seq"]') || fail "no adm-hold2 deny decision"
    echo "tampering with record $seq"
    "$TAMPER" "$DATA" "$seq" '"adm-hold2"' '"adm-hidden-package"' || fail "store_tamper failed"
    out=$(timeout 60 "$CORDON_BIN" audit verify --config "$IT_TMP/cordon.yaml" 2>&1)
    rc=$?
    echo "audit verify (record $seq altered): exit $rc: $out"
    assert_eq 1 "$rc" "exit code of audit verify on a tampered chain"
    grep -qw -- "$seq" <<<"$out" || fail "audit verify does not name record $seq: $out"
    api "$T_AUD" GET audit/verify
    expect_status 200 "GET audit/verify on a tampered chain"
    SEQ=$seq check_json "$HTTP_BODY" 'want(d.get("ok") is False, "ok %r" % d.get("ok")); want(d.get("broken_at") == int(env["SEQ"]), "broken_at %r, the altered record is %s" % (d.get("broken_at"), env["SEQ"])); want(isinstance(d.get("error"), str) and d["error"], "error")'

    # the original bytes back: intact again
    "$TAMPER" "$DATA" "$seq" '"adm-hidden-package"' '"adm-hold2"' || fail "store_tamper could not restore record $seq"
    out=$(timeout 60 "$CORDON_BIN" audit verify --config "$IT_TMP/cordon.yaml" 2>&1)
    rc=$?
    echo "audit verify (restored): exit $rc: $out"
    assert_eq 0 "$rc" "exit code of audit verify once the record is restored"
    api "$T_AUD" GET audit/verify
    assert_eq true "$(jb 'd["ok"]')" "audit/verify once the record is restored"
}

# DESIGN.md: every subcommand answers --help with its own usage (exit 0,
# on stdout, nothing else done); the overall usage still lists them all.
t_cli_help() {
    local cmd
    for cmd in token audit held approve revoke block unblock decisions reviews lockfile; do
        cli_ok "$cmd" --help
        assert_contains "$CLI_OUT" "cordon $cmd" "cordon $cmd --help"
        [[ $(grep -c '^  cordon ' <<<"$CLI_OUT") -le 2 ]] || fail "cordon $cmd --help prints more than its own usage"
        cli "$cmd" -h
        assert_eq 0 "$CLI_RC" "exit code of cordon $cmd -h"
    done
    cli help
    assert_eq 0 "$CLI_RC" "exit code of cordon help"
    for cmd in serve log version token audit held approve revoke block unblock decisions reviews lockfile; do
        assert_contains "$CLI_OUT" "cordon $cmd" "cordon help"
    done
}

t_no_token_leak() {
    no_token_in "cordon's logs" "$IT_TMP/cordon.stderr" "$IT_TMP/cordon.stdout" "$IT_TMP/upstream/upstream.log"
    no_token_in "the data directory" "$DATA"
    cordon_log >"$IT_TMP/log-dump.json" 2>&1
    no_token_in "cordon log --json" "$IT_TMP/log-dump.json"
}

# ------------------------------------------------------------------ run

run_test "tokens: token add prints one cordon_ token; list shows no token; revoke -> 401; 401 with WWW-Authenticate" t_tokens
run_test "roles: auditor reads but may not write; ci reads decisions/held only; reviewer does all" t_roles
run_test "whoami; X-Request-Id; 404 unknown call; 405 wrong verb" t_whoami_basics
run_test "routes: 405 with each path's Allow before the token; ids, lockfile paths; HEAD is GET" t_routes
run_test "held: refused version listed with reason, requests, clients; filters, sort=requests; approval removes it" t_held
run_test "versions/ECO/PKG/VER: verdict, approvals, blocks, held entry (npm, scoped, PyPI, Maven)" t_versions
run_test "approvals: 201 record, effective at once, expires_in, PEP 503 names, list, revoke 200/409/404, ?active=1" t_approvals
run_test "blocks: version (also when cached) and whole package; list; lift 200/409/404" t_blocks
run_test "decisions: filters, record shape, newest first, before/limit paging, since" t_decisions
run_test "reviews: POST without a token 201; GET newest first; the version joins the held queue" t_reviews
run_test "reviews: over limits.review_requests_per_hour -> 429 with Retry-After, per address" t_reviews_rate_limit
run_test "metrics: Prometheus text with requests and decisions counters, no package names" t_metrics
run_test "bad input: malformed JSON, missing/blank fields, ecosystem, expires_in -> 400; >64 kB -> 413; unlisted version -> 400 with the nearest" t_bad_input
run_test "npm: exact pin refused; cordon approve -> installs; cordon block -> fresh install and cached tarball refused" t_loop_npm
run_test "pip: ==NEW refused; cordon approve -> installs; cordon block -> refused again, cached wheel 403 blocked" t_loop_pip
run_test "mvn: NEW dependency refused; cordon approve -> builds; cordon block -> refused again, cached jar 403 blocked" t_loop_mvn
run_test "expiry: a 10 s approval admits, then the version is held again in metadata and on the artifact route" t_expiry
run_test "whole-package block refuses every version, the old one too; lifting it restores them" t_whole_package_block
run_test "CLI: held table and --json, approve/revoke/block/unblock, decisions, reviews, token file; exit 1 refused, 2 usage" t_cli
run_test "CLI: each command answers --help (and -h) with its own usage, exit 0" t_cli_help
run_test "audit: every kind of record in the chain, type filter, first record, verify ok" t_audit
run_test "audit verify: intact 0 (server running); one record altered -> 1 naming it; restored -> 0" t_audit_verify_tamper
run_test "tokens never in logs, decision log or store" t_no_token_leak
finish
