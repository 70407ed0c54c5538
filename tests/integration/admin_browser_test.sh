#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# The reviewers' web page (/-/admin/) in a real browser: Debian's chromium,
# driven headless by playwright-core (tests/browser/admin_page.mjs), against
# cordon in front of the fixture upstream (tests/fixtures/admin_spec.json).
# A package-lock.json is submitted with a ci token first; the browser approves
# its change set on the Lockfiles view.
# Everything runs on 127.0.0.1; no test needs the internet.
#
#   scripts/deps.sh --test     # once: chromium (and node)
#   scripts/test-tools.sh      # once: pinned playwright-core into build/tools
#   CORDON_BIN=build/cordon bash tests/integration/admin_browser_test.sh
#
# Without chromium or playwright-core the browser case fails: a client nobody
# ran is no pass (CORDON_ALLOW_SKIP=1 makes it a skip).
# CORDON_TOOLS (default build/tools) is where scripts/test-tools.sh put
# playwright-core; CHROMIUM overrides the browser (default: `command -v chromium`).
# The screenshots are copied to build/test-artifacts/admin-page*.png.
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v node >/dev/null || setup_skip "node not found"
command -v curl >/dev/null || setup_skip "curl not found"

# playwright-core: where scripts/test-tools.sh installs it (BUILD_DIR/tools)
PLAYWRIGHT_CORE=""
for d in "${CORDON_TOOLS:-}" "${CORDON_TOOLS:+$CORDON_TOOLS/tools}" "$IT_ROOT/build/tools"; do
    [[ -n $d && -f $d/node_modules/playwright-core/package.json ]] || continue
    PLAYWRIGHT_CORE=$d/node_modules/playwright-core
    break
done
CHROMIUM=${CHROMIUM:-$(command -v chromium 2>/dev/null || true)}
SKIP_WHY=""
[[ -n $CHROMIUM && -x $CHROMIUM ]] || SKIP_WHY="chromium not found (scripts/deps.sh --test installs Debian's)"
[[ -n $PLAYWRIGHT_CORE ]] || SKIP_WHY="${SKIP_WHY:+$SKIP_WHY; }playwright-core not in ${CORDON_TOOLS:-$IT_ROOT/build/tools} (run scripts/test-tools.sh)"

ARTIFACTS=$IT_ROOT/build/test-artifacts

it_setup
start_fixture "$IT_ROOT/tests/fixtures/admin_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 3d }"
start_cordon "$UPSTREAM_URL"

TOKEN=$("$CORDON_BIN" token add web --role reviewer --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err") ||
    setup_failed "cordon token add failed: $(cat "$IT_TMP/token.err")"
[[ $TOKEN =~ ^cordon_[A-Za-z0-9_-]{43}$ ]] || setup_failed "cordon token add printed no token: '$TOKEN'"
AUTH=(-H "Authorization: Bearer $TOKEN")
CI_TOKEN=$("$CORDON_BIN" token add ci-bot --role ci --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err") ||
    setup_failed "cordon token add (ci) failed: $(cat "$IT_TMP/token.err")"
CI_AUTH=(-H "Authorization: Bearer $CI_TOKEN")

# the held version the browser approves (scoped: exercises %40…%2F…) and another one
ECO=npm
PKG=@adm/kit
VER=2.0.0
# a review request for an unseen version whose version string and
# justification are HTML.  (Not the package name: cordon answers 400 to a name
# that is not valid for the ecosystem; any version string without '/' or
# control characters is taken.  The browser script also opens a hand-made
# link whose package name is HTML.)
XSS_PKG=adm-lib
XSS_VER='<img src=x onerror=alert(1)>'
XSS_JUSTIFICATION='needed for <b>the release</b> <img src=x onerror=alert(2)> <script>alert(3)</script>'
# the lockfile the browser approves as a change set: a package-lock.json v3
# with the held adm-lib 1.1.0 and the allowed @adm/kit 1.0.0, submitted by
# the ci token for a project whose name has a '/' (sent as %2F); its ref is
# HTML (any string is taken) and must be shown as text
LOCK_PROJECT=web/app
LOCK_REF='<img src=x onerror=alert(5)>'
CSP="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

jb() { json_eval "$HTTP_BODY" "$1"; }

# ------------------------------------------------------------------ cases

t_refused() {
    http GET "$CORDON_URL/npm/@adm/kit/-/kit-2.0.0.tgz"
    expect_status 403 "@adm/kit-2.0.0.tgz (published 1 h ago, min_age 3d)"
    assert_eq quarantine "$(jb 'd["reason"]')" "reason"
    http GET "$CORDON_URL/npm/adm-lib/-/adm-lib-1.1.0.tgz"
    expect_status 403 "adm-lib-1.1.0.tgz (published 1 h ago, min_age 3d)"
    http GET "$CORDON_URL/npm/adm-lib/-/adm-lib-1.0.0.tgz"
    expect_status 200 "adm-lib-1.0.0.tgz (30 days old)"
}

t_review_request() {
    local body
    body=$("$PYTHON" -c 'import json, sys; print(json.dumps({"ecosystem": "npm", "package": sys.argv[1], "version": sys.argv[2], "justification": sys.argv[3]}))' \
        "$XSS_PKG" "$XSS_VER" "$XSS_JUSTIFICATION")
    http POST "$CORDON_URL/-/api/reviews" -H 'Content-Type: application/json' --data-binary "$body"
    expect_status 201 "POST /-/api/reviews (no token)"
    assert_eq "$XSS_PKG" "$(jb 'd["package"]')" "package of the review request"
    assert_eq "$XSS_VER" "$(jb 'd["version"]')" "version of the review request"
    jb 'd["review_url"]' >"$IT_TMP/review_url" || fail "no review_url in $(body)"
    assert_contains "$(cat "$IT_TMP/review_url")" "$CORDON_URL/-/admin/#npm/" "review_url"
}

t_api() {
    http GET "$CORDON_URL/-/api/whoami"
    expect_status 401 "whoami without a token"
    http GET "$CORDON_URL/-/api/whoami" "${AUTH[@]}"
    expect_status 200 "whoami"
    assert_eq web "$(jb 'd["name"]')" "whoami name"
    assert_eq reviewer "$(jb 'd["role"]')" "whoami role"
    http GET "$CORDON_URL/-/api/held" "${AUTH[@]}"
    expect_status 200 "GET /-/api/held"
    local keys
    keys=$(jb '"\n".join("%s/%s/%s" % (h["ecosystem"], h["package"], h["version"]) for h in d["held"])')
    echo "held: $keys"
    assert_contains "$keys" "npm/@adm/kit/2.0.0" "held queue"
    assert_contains "$keys" "npm/adm-lib/1.1.0" "held queue"
    assert_contains "$keys" "npm/$XSS_PKG/$XSS_VER" "held queue (review request for an unseen version)"
}

urlenc() { "$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

t_lockfile_submit() {
    local kit_int lib_int
    # the fixture's own SRI of the tarballs, straight from the upstream (cordon
    # hides held versions from the packument it serves)
    http GET "${UPSTREAM_URL}adm-lib"
    expect_status 200 "upstream packument of adm-lib"
    lib_int=$(jb 'd["versions"]["1.1.0"]["dist"]["integrity"]') || fail "no integrity for adm-lib 1.1.0 upstream"
    http GET "${UPSTREAM_URL}@adm%2fkit"
    expect_status 200 "upstream packument of @adm/kit"
    kit_int=$(jb 'd["versions"]["1.0.0"]["dist"]["integrity"]') || fail "no integrity for @adm/kit 1.0.0 upstream"
    "$PYTHON" - "$CORDON_URL" "$lib_int" "$kit_int" >"$IT_TMP/package-lock.json" <<'PY' || fail "cannot write the lockfile"
import json, sys
url, lib_int, kit_int = sys.argv[1:4]
print(json.dumps({
    "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "app", "version": "1.0.0",
             "dependencies": {"adm-lib": "1.1.0", "@adm/kit": "1.0.0"}},
        "node_modules/@adm/kit": {"version": "1.0.0",
                                  "resolved": url + "/npm/@adm/kit/-/kit-1.0.0.tgz",
                                  "integrity": kit_int},
        "node_modules/adm-lib": {"version": "1.1.0",
                                 "resolved": url + "/npm/adm-lib/-/adm-lib-1.1.0.tgz",
                                 "integrity": lib_int},
    },
}, indent=2))
PY
    http POST "$CORDON_URL/-/api/lockfiles/$(urlenc "$LOCK_PROJECT")?format=npm&ref=$(urlenc "$LOCK_REF")" "${CI_AUTH[@]}" \
        -H 'Content-Type: application/json' --data-binary "@$IT_TMP/package-lock.json"
    expect_status 200 "POST /-/api/lockfiles/$(urlenc "$LOCK_PROJECT") (ci token)"
    body
    echo
    assert_eq "$LOCK_PROJECT" "$(jb 'd["project"]')" "project of the report"
    assert_eq "$LOCK_REF" "$(jb 'd["ref"]')" "ref of the report"
    assert_eq false "$(jb 'd["ok"]')" "ok (adm-lib 1.1.0 is held)"
    assert_eq 1 "$(jb 'd["summary"]["held"]')" "summary.held"
    assert_eq 1 "$(jb 'd["summary"]["allowed"]')" "summary.allowed"
    assert_eq held "$(jb '[c["verdict"]["status"] for c in d["changes"] if c["package"] == "adm-lib"][0]')" "adm-lib's status"
    jb 'd["submission"]' >"$IT_TMP/lock_id" || fail "no submission id in $(body)"
    [[ $(cat "$IT_TMP/lock_id") =~ ^[1-9][0-9]*$ ]] || fail "submission id '$(cat "$IT_TMP/lock_id")'"
    http GET "$CORDON_URL/-/api/lockfiles" "${CI_AUTH[@]}"
    expect_status 200 "GET /-/api/lockfiles (ci token)"
    assert_eq "$(cat "$IT_TMP/lock_id")" "$(jb '[p["latest"] for p in d["projects"] if p["project"] == "web/app"][0]')" "latest of $LOCK_PROJECT"
}

t_static() {
    http GET "$CORDON_URL/-/admin/"
    expect_status 200 "GET /-/admin/"
    assert_contains "$(header content-type)" "text/html" "content-type of /-/admin/"
    assert_eq "$CSP" "$(header content-security-policy)" "Content-Security-Policy of /-/admin/"
    assert_contains "$(body)" 'src="admin.js"' "index.html"
    http GET "$CORDON_URL/-/admin/admin.css"
    expect_status 200 "GET /-/admin/admin.css"
    assert_contains "$(header content-type)" "text/css" "content-type of admin.css"
    http GET "$CORDON_URL/-/admin/admin.js"
    expect_status 200 "GET /-/admin/admin.js"
    assert_contains "$(header content-type)" "javascript" "content-type of admin.js"
}

t_browser() {
    local rc
    CORDON_URL=$CORDON_URL CORDON_TOKEN=$TOKEN CORDON_USER=web ECO=$ECO PKG=$PKG VER=$VER \
        XSS_PKG=$XSS_PKG XSS_VER=$XSS_VER XSS_JUSTIFICATION=$XSS_JUSTIFICATION \
        REVIEW_URL=$(cat "$IT_TMP/review_url" 2>/dev/null) \
        LOCK_PROJECT=$LOCK_PROJECT LOCK_REF=$LOCK_REF LOCK_ID=$(cat "$IT_TMP/lock_id" 2>/dev/null) \
        LOCK_ECO=npm LOCK_PKG=adm-lib LOCK_VER=1.1.0 \
        SCREENSHOT=$IT_TMP/admin-page.png PLAYWRIGHT_CORE=$PLAYWRIGHT_CORE CHROMIUM=$CHROMIUM \
        HOME=$IT_TMP XDG_CONFIG_HOME=$IT_TMP/xdg-config XDG_CACHE_HOME=$IT_TMP/xdg-cache \
        timeout -k 10 360 node "$IT_ROOT/tests/browser/admin_page.mjs"
    rc=$?
    # keep the screenshots whatever happened: the temp dir goes at the end
    if compgen -G "$IT_TMP/admin-page*.png" >/dev/null; then
        mkdir -p "$ARTIFACTS" && cp "$IT_TMP"/admin-page*.png "$ARTIFACTS/" &&
            echo "screenshots: $ARTIFACTS/admin-page*.png"
    fi
    (( rc == 0 )) || fail "the browser test failed (exit $rc)"
}

# ------------------------------------------------------------------ run

run_test "held versions refused on the tarball route (403 quarantine)" t_refused
run_test "a review request whose version and justification are HTML (201, no token)" t_review_request
run_test "API: whoami with the reviewer token, held queue lists the three versions" t_api
run_test "/-/admin/ and its assets served with the strict CSP" t_static
run_test "a package-lock.json with the held adm-lib 1.1.0 submitted by the ci token (200, not ok)" t_lockfile_submit
if [[ -z $SKIP_WHY ]]; then
    run_test "browser: sign in, held queue, approve with a comment, review_url hash, HTML shown as text, lockfile change set approved, no CSP violation" t_browser
else
    client_missing "browser: the reviewers' page in headless chromium" "$SKIP_WHY"
fi
finish
