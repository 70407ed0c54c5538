#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# What cordon sends to its upstreams and where it lets them send it (issue 14,
# items 1, 3, 4 and the configuration part of 8):
#   - upstream credentials (in the URL, or as username + password_file) reach
#     the upstream's own origin and nothing else: no error body, header, server
#     or access log line, decision log record, metric or stored record holds
#     them, whatever the failure (5xx, timeout, truncated, malformed, dropped,
#     over-size, integrity mismatch, 404, refused host), and no other host gets
#     them, not even one cordon may fetch from or is redirected to;
#   - outbound fetches go only to the upstream's origin and fetch.allow_hosts:
#     a second loopback listener standing in for an internal host sees no
#     request, whether a packument redirects there, a tarball, a PyPI file or
#     a Maven POM lives or redirects there, or prefetch would go there;
#   - the npm audit relay forwards exactly npm's two endpoints, follows no
#     redirect, bounds the body and answers only JSON;
#   - a configuration readable by others that holds credentials draws a
#     warning at start; a bad one fails without echoing the secret.
#
#   CORDON_BIN=build/cordon bash tests/integration/upstream_trust_test.sh
#
# Three fixture upstreams on 127.0.0.1 serve the same generated spec: UP (the
# configured upstream, reached as http://USER:SECRET@127.0.0.1:UPORT/),
# INTERNAL (stands in for an internal host: it must see zero requests) and
# CDN (listed in fetch.allow_hosts: cordon may fetch from it, without
# credentials).  One cordon; the fetch timeout is 3 s for the hanging upstream.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || { echo "not ok - setup: curl not found"; echo "0 passed, 1 failed"; exit 1; }

it_setup

SECRET=Zq9-s3cr3t-fox
USERNAME=trust-user
# the Authorization header value that carries it, and its URL-encoded forms
SECRET_B64=$(printf '%s:%s' "$USERNAME" "$SECRET" | base64 -w0)

# ------------------------------------------------------------------ fixtures

"$PYTHON" - "$IT_TMP/spec.json" <<'PY'
import json, random, sys
rnd = random.Random(14)
big = "".join(rnd.choice("0123456789abcdef") for _ in range(24000))
v = lambda ver="1.0.0", age="30d", **kw: dict(version=ver, age=age, **kw)
npm = [{"name": n, "versions": [v()]} for n in (
    "tr-ok", "tr-gone", "tr-foreign", "tr-redir", "tr-tredir", "tr-cdn", "tr-moved", "tr-same", "tr-audit")]
npm += [
    {"name": "tr-hang", "hang": True, "versions": [v()]},
    {"name": "tr-malformed", "malformed": True, "versions": [v()]},
    {"name": "tr-big", "versions": [v(files={"index.js": "module.exports = 1;\n", "big.txt": big})]},
    {"name": "tr-corrupt", "corrupt_tarball": True, "versions": [v()]},
    {"name": "tr-young", "versions": [v("1.0.0", "30d"), v("1.1.0", "1h")]},
]
rel = lambda **kw: dict(version="1.0", age="30d", files=["wheel"], **kw)
pypi = [
    {"name": "tr-py-ok", "releases": [rel()]},
    {"name": "tr-rel", "relative_urls": True, "releases": [rel(corrupt=["wheel"])]},
    {"name": "tr-py-foreign", "releases": [rel()]},
]
art = lambda a: {"groupId": "it.trust", "artifactId": a, "versions": [{"version": "1.0", "age": "30d"}]}
maven = [art(a) for a in ("tr-jar", "tr-m500", "tr-mredir", "tr-mshort")]
json.dump({"npm": {"packages": npm}, "pypi": {"projects": pypi}, "maven": {"artifacts": maven}},
          open(sys.argv[1], "w"))
PY

start_fixture "$IT_TMP/spec.json"

# start_other_fixture NAME: one more fixture upstream on the same spec, with
# its own state directory; sets ${NAME^^}_PORT and ${NAME^^}_URL.
start_other_fixture() {
    local name=$1 dir=$IT_TMP/$1 i port pid
    mkdir -p "$dir"
    "$PYTHON" "$FIXTURE_PY" --spec "$IT_TMP/spec.json" --state-dir "$dir" --port 0 >"$dir/out" 2>&1 &
    pid=$!
    IT_BG_PIDS+=("$pid")
    for ((i = 0; i < 100; i++)); do
        [[ -s $dir/port ]] && break
        kill -0 "$pid" 2>/dev/null || setup_failed "$name fixture exited: $(tail -n 5 "$dir/out")"
        sleep 0.1
    done
    port=$(cat "$dir/port" 2>/dev/null) || setup_failed "$name fixture wrote no port"
    wait_http "http://127.0.0.1:$port/_fixture/health" 10 || setup_failed "$name fixture not healthy"
    printf -v "${name^^}_PORT" '%s' "$port"
    printf -v "${name^^}_URL" '%s' "http://127.0.0.1:$port"
    note "$name fixture on 127.0.0.1:$port (pid $pid)"
}
start_other_fixture internal
start_other_fixture cdn

# hits_at URL [QUERY]: how many requests the fixture at URL counted
hits_at() {
    curl -s --max-time 5 "$1/_fixture/hits${2:+?$2}" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}

mutate_at() {
    local out
    out=$(curl -s --max-time 5 -X POST -H 'Content-Type: application/json' --data "$2" "$1/_fixture/mutate")
    [[ $out == *'"ok": true'* ]] || setup_failed "fixture mutation at $1 failed: $out"
}

M2=/maven2/it/trust
WHEEL_PATH=$(fixture_pypi_file tr-py-foreign tr_py_foreign-1.0-py3-none-any.whl) || setup_failed "no tr-py-foreign wheel"
OK_WHEEL_PATH=$(fixture_pypi_file tr-py-ok tr_py_ok-1.0-py3-none-any.whl) || setup_failed "no tr-py-ok wheel"
mutate_at "$FIXTURE_URL" "$(cat <<EOF
{"npm": [{"name": "tr-foreign", "tarball_base": "$INTERNAL_URL/"},
         {"name": "tr-young", "tarball_base": "$INTERNAL_URL/"},
         {"name": "tr-cdn", "tarball_base": "$CDN_URL/"}],
 "pypi": [{"name": "tr-py-foreign", "releases": [{"version": "1.0", "age": "30d", "files": ["wheel"],
           "file_overrides": {"wheel": {"url": "$INTERNAL_URL$WHEEL_PATH"}}}]}],
 "overrides": {
   "/tr-500": {"status": 503, "body": "{\"error\": \"upstream overloaded\"}"},
   "/tr-short": {"truncate": true, "body": "{\"name\": \"tr-short\", \"versions\": {}, \"padding\": \"$(printf 'x%.0s' {1..2000})\"}"},
   "/tr-drop": {"drop": true},
   "/tr-gone/-/tr-gone-1.0.0.tgz": {"status": 404, "body": "{\"error\": \"Not found\"}"},
   "/tr-redir": {"status": 302, "location": "$INTERNAL_URL/tr-redir"},
   "/tr-tredir/-/tr-tredir-1.0.0.tgz": {"status": 302, "location": "$INTERNAL_URL/tr-tredir/-/tr-tredir-1.0.0.tgz"},
   "/tr-moved/-/tr-moved-1.0.0.tgz": {"status": 302, "location": "$CDN_URL/tr-moved/-/tr-moved-1.0.0.tgz"},
   "/tr-same/-/tr-same-1.0.0.tgz": {"status": 302, "location": "/tr-same/-/tr-same-1.0.0.tgz?via=redirect"},
   "/pypi/simple/tr-py-500/": {"status": 500, "body": "oops"},
   "$M2/tr-m500/maven-metadata.xml": {"status": 500, "body": "oops"},
   "$M2/tr-mredir/1.0/tr-mredir-1.0.pom": {"status": 302, "location": "$INTERNAL_URL$M2/tr-mredir/1.0/tr-mredir-1.0.pom"},
   "$M2/tr-mshort/1.0/tr-mshort-1.0.jar": {"truncate": true, "content_type": "application/java-archive",
                                          "body": "$(printf 'j%.0s' {1..3000})"}
 }}
EOF
)"

# from here on, every request the fixtures count is cordon's
curl -s --max-time 5 -X POST "$FIXTURE_URL/_fixture/reset" >/dev/null

# ------------------------------------------------------------------ cordon

printf '%s\n' "$SECRET" >"$IT_TMP/maven.pass"
chmod 600 "$IT_TMP/maven.pass"
AUTH_BASE="http://$USERNAME:$SECRET@127.0.0.1:$UPORT"
CORDON_FETCH_YAML="{ metadata_ttl: 5m, timeout: 3s, stale_if_error: 24h, max_artifact: 8KB, allow_hosts: [\"127.0.0.1:$CDN_PORT\"] }"
CORDON_QUARANTINE_YAML='{ min_age: 0, rules: [ { match: "npm:tr-young", min_age: 7d } ] }'
umask 022   # the configuration cordon.yaml is readable by others: cordon must warn
start_cordon "$AUTH_BASE/" "$AUTH_BASE/pypi" \
    "{ url: \"$FIXTURE_URL/maven2\", username: $USERNAME, password_file: \"$IT_TMP/maven.pass\" }"

# expect_error_names STATUS WHAT NEEDLE...: the last answer has STATUS, is a
# JSON error, and its "error" names each NEEDLE; neither it nor its headers
# hold the secret.
expect_error_names() {
    local status=$1 what=$2 msg
    shift 2
    expect_status "$status" "$what"
    if grep -qaF -- "$SECRET" "$HTTP_BODY" "$HTTP_HEADERS"; then
        fail "$what: the answer holds the upstream's password: $(head -c 600 "$HTTP_BODY")"
    fi
    msg=$(json_eval "$HTTP_BODY" 'd["error"]') || fail "$what: the answer is not a JSON error: $(head -c 500 "$HTTP_BODY")"
    for n in "$@"; do
        assert_contains "$msg" "$n" "the error of $what"
    done
}

# ------------------------------------------------------------------ credentials reach the upstream

t_credentials_sent_to_upstream_origin() {
    http GET "$CORDON_URL/npm/tr-ok"
    expect_status 200 "packument through an upstream with credentials in its URL"
    http GET "$CORDON_URL/npm/tr-ok/-/tr-ok-1.0.0.tgz"
    expect_status 200 "tarball"
    http GET "$CORDON_URL/pypi/simple/tr-py-ok/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    expect_status 200 "pypi page"
    http GET "$CORDON_URL/pypi/files/tr-py-ok/tr_py_ok-1.0-py3-none-any.whl"
    expect_status 200 "pypi file"
    http GET "$CORDON_URL/maven/it/trust/tr-jar/1.0/tr-jar-1.0.jar"
    expect_status 200 "maven jar (password_file credentials)"
    local p
    for p in /tr-ok /tr-ok/-/tr-ok-1.0.0.tgz /pypi/simple/tr-py-ok/ "$OK_WHEEL_PATH" \
        "$M2/tr-jar/1.0/tr-jar-1.0.pom" "$M2/tr-jar/1.0/tr-jar-1.0.jar"; do
        (( $(hits_at "$FIXTURE_URL" "path=$p&auth=1") >= 1 )) || fail "the upstream got no credentials with $p"
        assert_eq 0 "$(hits_at "$FIXTURE_URL" "path=$p&auth=0")" "requests for $p without credentials"
    done
}

# ------------------------------------------------------------------ every failure mode keeps them

t_failures_name_the_upstream_not_the_secret() {
    local up=127.0.0.1:$UPORT
    http GET "$CORDON_URL/npm/tr-500"
    expect_error_names 502 "upstream 503" "503" "$up/tr-500"
    http GET "$CORDON_URL/npm/tr-hang"
    expect_error_names 504 "upstream timeout" "timed out" "$up/tr-hang"
    http GET "$CORDON_URL/npm/tr-short"
    expect_error_names 502 "truncated upstream body" "$up/tr-short"
    http GET "$CORDON_URL/npm/tr-malformed"
    expect_error_names 502 "malformed upstream body" "malformed" "$up/tr-malformed"
    http GET "$CORDON_URL/npm/tr-drop"
    expect_error_names 502 "connection dropped by upstream" "$up/tr-drop"
    http GET "$CORDON_URL/npm/tr-big/-/tr-big-1.0.0.tgz"
    expect_error_names 502 "over-size tarball" "limit" "$up/tr-big"
    http GET "$CORDON_URL/npm/tr-corrupt/-/tr-corrupt-1.0.0.tgz"
    expect_error_names 502 "integrity mismatch" "$up/tr-corrupt"
    http GET "$CORDON_URL/npm/tr-gone/-/tr-gone-1.0.0.tgz"
    expect_status 404 "tarball gone upstream"
    http GET "$CORDON_URL/pypi/simple/tr-py-500/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    expect_error_names 502 "pypi page 500" "500" "$up/pypi/simple/tr-py-500/"
    # a file URL relative to the page resolves against the page's URL
    http GET "$CORDON_URL/pypi/simple/tr-rel/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    expect_status 200 "pypi page with relative file URLs"
    http GET "$CORDON_URL/pypi/files/tr-rel/tr_rel-1.0-py3-none-any.whl"
    expect_error_names 502 "pypi file integrity mismatch (relative URL)" "$up/pypi/packages/"
    http GET "$CORDON_URL/maven/it/trust/tr-m500/maven-metadata.xml"
    expect_error_names 502 "maven metadata 500" "500" "$up$M2/tr-m500/maven-metadata.xml"
    http GET "$CORDON_URL/maven/it/trust/tr-mshort/1.0/tr-mshort-1.0.jar"
    expect_status 502 "truncated maven jar"
    http GET "$CORDON_URL/npm/-/npm/v1/security/advisories/bulk" -X POST -H 'Content-Type: application/json' --data '{}'
    expect_status 200 "audit relay (control)"
}

# ------------------------------------------------------------------ outbound: only where configuration says

t_foreign_hosts_are_refused() {
    local host=127.0.0.1:$INTERNAL_PORT
    http GET "$CORDON_URL/npm/tr-redir"
    expect_error_names 502 "packument redirected to another host" "$host" "fetch.allow_hosts"
    http GET "$CORDON_URL/npm/tr-foreign"
    expect_status 200 "packument whose tarballs live on another host"
    http GET "$CORDON_URL/npm/tr-foreign/-/tr-foreign-1.0.0.tgz"
    expect_error_names 502 "tarball on another host" "$host" "fetch.allow_hosts"
    http GET "$CORDON_URL/npm/tr-tredir/-/tr-tredir-1.0.0.tgz"
    expect_error_names 502 "tarball redirected to another host" "$host" "fetch.allow_hosts"
    http GET "$CORDON_URL/pypi/simple/tr-py-foreign/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    expect_status 200 "pypi page whose file lives on another host"
    http GET "$CORDON_URL/pypi/files/tr-py-foreign/tr_py_foreign-1.0-py3-none-any.whl"
    expect_error_names 502 "pypi file on another host" "$host" "fetch.allow_hosts"
    http GET "$CORDON_URL/maven/it/trust/tr-mredir/1.0/tr-mredir-1.0.jar"
    expect_error_names 502 "maven POM redirected to another host" "$host" "fetch.allow_hosts"
    assert_eq 0 "$(hits_at "$INTERNAL_URL")" "requests the internal host received"
}

t_prefetch_stays_home() {
    # tr-young 1.1.0 is held by its 7d rule: prefetch would fetch its tarball,
    # which lives on the internal host
    http GET "$CORDON_URL/npm/tr-young"
    expect_status 200 "packument of tr-young"
    local deadline=$(( $(date +%s) + 15 ))
    until grep -q "tr-young-1.1.0.tgz" <(grep '"outbound fetch refused"' "$IT_TMP/cordon.stderr"); do
        (( $(hits_at "$INTERNAL_URL" "path=/tr-young/-/tr-young-1.1.0.tgz") == 0 )) ||
            fail "prefetch fetched tr-young 1.1.0 from the internal host"
        (( $(date +%s) < deadline )) || fail "no 'outbound fetch refused' line for the prefetch of tr-young 1.1.0 in the server log"
        sleep 0.2
    done
    local refused
    refused=$(grep '"outbound fetch refused"' "$IT_TMP/cordon.stderr")
    refused=$(grep "tr-young-1.1.0" <<<"$refused")
    assert_contains "$refused" "127.0.0.1:$INTERNAL_PORT" "the refusal line (it names the host)"
    assert_eq 0 "$(hits_at "$INTERNAL_URL")" "requests the internal host received"
}

t_allowed_host_gets_no_credentials() {
    http GET "$CORDON_URL/npm/tr-cdn/-/tr-cdn-1.0.0.tgz"
    expect_status 200 "tarball on a host in fetch.allow_hosts"
    assert_eq 1 "$(hits_at "$CDN_URL" "path=/tr-cdn/-/tr-cdn-1.0.0.tgz")" "tarball requests at the allowed host"
    http GET "$CORDON_URL/npm/tr-moved/-/tr-moved-1.0.0.tgz"
    expect_status 200 "tarball redirected to a host in fetch.allow_hosts"
    assert_eq 1 "$(hits_at "$CDN_URL" "path=/tr-moved/-/tr-moved-1.0.0.tgz")" "redirected requests at the allowed host"
    assert_eq 0 "$(hits_at "$CDN_URL" "auth=1")" "requests with credentials at the allowed host"
    # a redirect within the upstream's origin is followed, credentials and all
    http GET "$CORDON_URL/npm/tr-same/-/tr-same-1.0.0.tgz"
    expect_status 200 "tarball redirected within the upstream's origin"
    assert_eq 2 "$(hits_at "$FIXTURE_URL" "path=/tr-same/-/tr-same-1.0.0.tgz&auth=1")" \
        "requests with credentials for tr-same's tarball (the redirect and its target)"
}

# ------------------------------------------------------------------ the npm audit relay

t_audit_relay_exact_paths() {
    local before bulk_auth
    before=$(hits_at "$FIXTURE_URL" "method=POST")
    bulk_auth=$(hits_at "$FIXTURE_URL" "path=/-/npm/v1/security/advisories/bulk&method=POST&auth=1")
    http POST "$CORDON_URL/npm/-/npm/v1/security/advisories/bulk" -H 'Content-Type: application/json' --data '{"tr-ok": ["1.0.0"]}'
    expect_status 200 "POST advisories/bulk"
    assert_eq "application/json" "$(header content-type)" "content type of the relayed answer"
    http POST "$CORDON_URL/npm/-/npm/v1/security/audits/quick" -H 'Content-Type: application/json' --data '{"name": "x"}'
    expect_status 200 "POST audits/quick"
    assert_eq $((before + 2)) "$(hits_at "$FIXTURE_URL" "method=POST")" "POSTs upstream after the two real audit calls"
    assert_eq $((bulk_auth + 1)) "$(hits_at "$FIXTURE_URL" "path=/-/npm/v1/security/advisories/bulk&method=POST&auth=1")" \
        "bulk POSTs with credentials"
    local p
    for p in '-/npm/v1/security/..%2f..%2ftr-ok' '-/npm/v1/security/advisories/bulk%2f..%2f..%2f..%2ftr-ok' \
        '-/npm/v1/security/advisories/bulk/x' '-/npm/v1/security/audits' '-/npm/v1/security/audits/quick%3fx'; do
        http POST "$CORDON_URL/npm/$p" -H 'Content-Type: application/json' --data '{}'
        [[ $HTTP_STATUS == 404 ]] || fail "POST /npm/$p: expected 404, got $HTTP_STATUS: $(body)"
    done
    assert_eq $((before + 2)) "$(hits_at "$FIXTURE_URL" "method=POST")" "POSTs upstream after the bogus audit paths"
    # a body above the relay's bound is refused before anything goes upstream
    head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$IT_TMP/big-audit.json"
    http POST "$CORDON_URL/npm/-/npm/v1/security/advisories/bulk" -H 'Content-Type: application/json' --data-binary "@$IT_TMP/big-audit.json"
    expect_status 413 "an audit body of 9 MB"
    assert_eq $((before + 2)) "$(hits_at "$FIXTURE_URL" "method=POST")" "POSTs upstream after the big body"
}

t_audit_relay_no_redirect_json_only() {
    mutate_at "$FIXTURE_URL" "{\"overrides\": {
        \"/-/npm/v1/security/audits/quick\": {\"status\": 307, \"location\": \"$INTERNAL_URL/-/npm/v1/security/audits/quick\"},
        \"/-/npm/v1/security/advisories/bulk\": {\"status\": 200, \"content_type\": \"text/html\", \"body\": \"<script>alert(1)</script>\"}}}"
    http POST "$CORDON_URL/npm/-/npm/v1/security/audits/quick" -H 'Content-Type: application/json' --data '{}'
    expect_error_names 502 "audit answered with a redirect" "redirect"
    http POST "$CORDON_URL/npm/-/npm/v1/security/advisories/bulk" -H 'Content-Type: application/json' --data '{}'
    expect_error_names 502 "audit answered with HTML" "text/html"
    assert_not_contains "$(body)" "<script>" "the answer to a non-JSON audit"
    assert_eq "application/json" "$(header content-type)" "content type of the refusal"
    mutate_at "$FIXTURE_URL" "{\"overrides\": {\"/-/npm/v1/security/advisories/bulk\": {\"status\": 500, \"body\": \"{}\"}}}"
    http POST "$CORDON_URL/npm/-/npm/v1/security/advisories/bulk" -H 'Content-Type: application/json' --data '{}'
    expect_error_names 502 "audit upstream 500" "500"
    mutate_at "$FIXTURE_URL" '{"overrides": {"/-/npm/v1/security/audits/quick": null, "/-/npm/v1/security/advisories/bulk": null}}'
    assert_eq 0 "$(hits_at "$INTERNAL_URL")" "requests the internal host received"
}

t_npm_audit_through_cordon() {
    mutate_at "$FIXTURE_URL" '{"overrides": {"/-/npm/v1/security/audits/quick": null, "/-/npm/v1/security/advisories/bulk": null}}'
    local dir=$IT_TMP/audit-project
    new_project "$dir" '{"tr-ok": "1.0.0"}'
    npm_in "$dir" install --package-lock-only >"$IT_TMP/npm-lock.out" 2>&1 || fail "npm install --package-lock-only: $(tail -n 20 "$IT_TMP/npm-lock.out")"
    local before
    before=$(hits_at "$FIXTURE_URL" "path=/-/npm/v1/security/advisories/bulk&method=POST&auth=1")
    npm_in "$dir" audit --json --audit-level=none >"$IT_TMP/npm-audit.json" 2>"$IT_TMP/npm-audit.err"
    local rc=$?
    (( rc == 0 )) || fail "npm audit exited $rc: $(cat "$IT_TMP/npm-audit.json" "$IT_TMP/npm-audit.err" | tail -n 20)"
    check_json "$IT_TMP/npm-audit.json" 'want(d["metadata"]["vulnerabilities"]["total"] == 0, "no vulnerabilities")' "npm audit --json"
    assert_eq $((before + 1)) "$(hits_at "$FIXTURE_URL" "path=/-/npm/v1/security/advisories/bulk&method=POST&auth=1")" \
        "bulk POSTs upstream (the fixture answers 400 to a body that is not JSON)"
}

# ------------------------------------------------------------------ configuration

# run_cordon_once CONFIG PORT STDERR: cordon on CONFIG (listening on PORT)
# until it answers /-/health (at most 30 s), its stderr in STDERR; then stopped.
run_cordon_once() {
    local cfg=$1 port=$2 err=$3 pid i
    "$CORDON_BIN" serve --config "$cfg" >/dev/null 2>"$err" &
    pid=$!
    for ((i = 0; i < 300; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/-/health") == 200 ]] && break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null || { wait "$pid"; fail "cordon on $cfg exited at start: $(tail -n 5 "$err")"; }
    kill "$pid"
    wait "$pid"
}

t_readable_configuration_with_credentials_warns() {
    local warns
    warns=$(grep '"level":"warn"' "$IT_TMP/cordon.stderr")
    [[ $(grep "$IT_TMP/cordon.yaml" <<<"$warns") == *upstreams.npm* ]] ||
        fail "no warning at start that $IT_TMP/cordon.yaml (mode $(stat -c %a "$IT_TMP/cordon.yaml")) is readable by others and holds credentials: $(head -n 20 "$IT_TMP/cordon.stderr")"
    local dir=$IT_TMP/perm port
    mkdir -p "$dir"
    port=$(free_port)
    printf '%s\n' "$SECRET" >"$dir/npm.pass"
    chmod 600 "$dir/npm.pass"
    cat >"$dir/private.yaml" <<EOF
listen: 127.0.0.1:$port
data_dir: $dir/data
upstreams:
  npm: $AUTH_BASE/
EOF
    chmod 600 "$dir/private.yaml"
    run_cordon_once "$dir/private.yaml" "$port" "$dir/private.err"
    if grep -q '"level":"warn"' "$dir/private.err"; then fail "a warning for a configuration only its owner reads: $(cat "$dir/private.err")"; fi
    # credentials in a password file: the configuration may be public, the file may not
    cat >"$dir/public.yaml" <<EOF
listen: 127.0.0.1:$port
data_dir: $dir/data
upstreams:
  npm: { url: "$FIXTURE_URL/", username: $USERNAME, password_file: "$dir/npm.pass" }
EOF
    chmod 644 "$dir/public.yaml"
    run_cordon_once "$dir/public.yaml" "$port" "$dir/public.err"
    if grep -q '"level":"warn"' "$dir/public.err"; then fail "a warning for a public configuration whose password file is private: $(cat "$dir/public.err")"; fi
    chmod 644 "$dir/npm.pass"
    run_cordon_once "$dir/public.yaml" "$port" "$dir/public2.err"
    [[ $(grep '"level":"warn"' "$dir/public2.err") == *"$dir/npm.pass"* ]] ||
        fail "no warning for a password file readable by others: $(cat "$dir/public2.err")"
    if grep -q "$SECRET" "$dir"/*.err; then fail "the secret is in a start-up message"; fi
}

t_bad_configuration_does_not_echo_the_secret() {
    local dir=$IT_TMP/badcfg out rc
    mkdir -p "$dir"
    check_bad() {   # NAME YAML WANT: cordon serve fails with exit 2, names WANT, not the secret
        printf '%s\n' "$2" >"$dir/$1.yaml"
        out=$(timeout 10 "$CORDON_BIN" serve --config "$dir/$1.yaml" 2>&1)
        rc=$?
        assert_eq 2 "$rc" "exit code of cordon serve on $1"
        assert_contains "$out" "$dir/$1.yaml:" "the error for $1"
        assert_contains "$out" "$3" "the error for $1"
        assert_not_contains "$out" "$SECRET" "the error for $1"
    }
    check_bad space "upstreams: { npm: \"http://$USERNAME:$SECRET@127.0.0.1:1/a b\" }" "not a valid URL"
    check_bad twice "upstreams: { npm: { url: \"http://$USERNAME:$SECRET@127.0.0.1:1/\", username: x, password_file: $dir/none } }" "username"
    check_bad nofile "upstreams: { npm: { url: \"http://127.0.0.1:1/\", username: x, password_file: $dir/none } }" "password_file"
    check_bad nouser "upstreams: { npm: { url: \"http://127.0.0.1:1/\", password_file: $IT_TMP/maven.pass } }" "username"
    check_bad host "fetch: { allow_hosts: [\"http://cdn.example/\"] }" "allow_hosts"
}

# ------------------------------------------------------------------ the secret is nowhere

t_secret_appears_nowhere() {
    local metrics=$IT_TMP/metrics.txt
    curl -s --max-time 10 "$CORDON_URL/-/metrics" >"$metrics"
    [[ -s $metrics ]] || fail "no /-/metrics answer"
    cordon_log >"$IT_TMP/cordon-log.json" 2>&1 || fail "cordon log failed: $(tail -n 5 "$IT_TMP/cordon-log.json")"
    local n_bodies
    n_bodies=$(find "$IT_TMP/http" -type f | wc -l)
    (( n_bodies >= 40 )) || fail "only $n_bodies answers saved: the grep would prove little"
    local where=("$IT_TMP/http" "$IT_TMP/cordon.stderr" "$IT_TMP/cordon.stdout" "$IT_TMP/cordon-log.json" "$metrics" "$IT_TMP/data")
    local needle hits
    for needle in "$SECRET" "$SECRET_B64" "$USERNAME:"; do
        hits=$(grep -rlaF -- "$needle" "${where[@]}" 2>/dev/null)
        [[ -z $hits ]] || fail "'$needle' found in: $hits; e.g. $(grep -rhaoF -m1 -- "$needle" "${where[@]}" | head -n 3)"
    done
    # the upstream is named, so the grep looked where it would have been
    grep -rqaF "127.0.0.1:$UPORT" "$IT_TMP/http" || fail "no answer names the upstream at all"
}

run_test "credentials reach the upstream's own origin (URL userinfo and password_file)" t_credentials_sent_to_upstream_origin
run_test "every failure mode names the upstream, never its credentials" t_failures_name_the_upstream_not_the_secret
run_test "a packument, tarball, PyPI file or POM on (or redirected to) another host is refused" t_foreign_hosts_are_refused
run_test "prefetch does not contact a host outside the configuration" t_prefetch_stays_home
run_test "an allowed host is fetched from without credentials; same-origin redirects keep them" t_allowed_host_gets_no_credentials
run_test "the audit relay forwards exactly npm's two endpoints, bounded" t_audit_relay_exact_paths
run_test "the audit relay follows no redirect and answers JSON only" t_audit_relay_no_redirect_json_only
if command -v npm >/dev/null; then
    run_test "npm audit works through cordon" t_npm_audit_through_cordon
else
    client_missing "npm audit works through cordon" "npm not found"
fi
run_test "a configuration readable by others that holds credentials draws a warning" t_readable_configuration_with_credentials_warns
run_test "a bad configuration fails without echoing the secret" t_bad_configuration_does_not_echo_the_secret
run_test "the secret is in no answer, header, log, decision record, metric or stored file" t_secret_appears_nowhere
finish
