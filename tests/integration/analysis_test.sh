#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for cordon's analysis: typosquat names, install scripts
# that newly appear, manifest confusion (the tarball's package.json against
# the registry's manifest, a wheel's METADATA against its file name, a jar's
# META-INF/maven coordinates against the ones it is served under), broken
# archives, .pth files, sdist-only releases and POMs that declare their own
# repositories — through the real npm, pnpm, pip and mvn clients, in front of
# the fixture upstream (tests/fixtures/upstream.py with
# tests/fixtures/analysis_spec.json).  Everything runs on 127.0.0.1; no test
# needs the internet.
#
#   CORDON_BIN=build/cordon bash tests/integration/analysis_test.sh
#
# Every version that matters here is OLD (published 30+ days ago) and the
# quarantine window is 3d: only analysis can hold them.  Two cordons:
#   main     the defaults of the analysis: section (hold: new_install_script,
#            manifest_mismatch, typosquat, malformed_archive, pth_file;
#            warn: install_script, sdist_only, pom_repositories)
#   lenient  analysis: { typosquat: ignore }   (npm only)
# A reviewer token (cordon token add) reads the admin API and approves.
# CORDON_TOOLS (default build/tools) is where scripts/test-tools.sh put pnpm;
# without it the pnpm case fails, and without mvn or Debian's Maven plugins
# (scripts/deps.sh --test) the mvn cases do: a client nobody ran is no pass
# (CORDON_ALLOW_SKIP=1 makes them skips).
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"
command -v npm >/dev/null || setup_skip "npm not found"
command -v node >/dev/null || setup_skip "node not found"
"$PYTHON" -m pip --version >/dev/null 2>&1 || setup_skip "pip not found ($PYTHON -m pip)"

TOOLS=${CORDON_TOOLS:-$IT_ROOT/build/tools}
PNPM_BIN=$TOOLS/node_modules/.bin/pnpm
HAVE_PNPM=0
[[ -x $PNPM_BIN ]] && HAVE_PNPM=1
DEBIAN_REPO=/usr/share/maven-repo
HAVE_MVN=1
MVN_MISSING=""
command -v mvn >/dev/null || { HAVE_MVN=0; MVN_MISSING="mvn not found"; }
command -v java >/dev/null || { HAVE_MVN=0; MVN_MISSING="java not found"; }
for p in maven-resources-plugin maven-compiler-plugin; do
    [[ -d $DEBIAN_REPO/org/apache/maven/plugins/$p ]] || { HAVE_MVN=0; MVN_MISSING="$DEBIAN_REPO has no $p (scripts/deps.sh --test)"; }
done
unset CORDON_TOKEN CORDON_SERVER

it_setup
start_fixture "$IT_ROOT/tests/fixtures/analysis_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 3d }"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
MAIN_URL=$CORDON_URL
DATA=$IT_TMP/data
API=$CORDON_URL/-/api
G=org.cordon.anx
GP=org/cordon/anx

# the whole output first, then its first line: no reader closes the pipe
# on a writer (pipefail would report the writer's SIGPIPE)
T_REV=$(timeout 15 "$CORDON_BIN" token add rita --role reviewer --data-dir "$DATA" 2>"$IT_TMP/token.err")
T_REV=${T_REV%%$'\n'*}
T_REV=${T_REV%$'\r'}
[[ $T_REV == cordon_* ]] || setup_failed "cordon token add printed no token: '$T_REV' $(cat "$IT_TMP/token.err")"

start_extra_cordon lenient "$CORDON_QUARANTINE_YAML" "analysis: { typosquat: ignore }"

# ------------------------------------------------------------------ helpers

jb() { json_eval "$HTTP_BODY" "$1"; }

client_failed() { # RC OUT WHAT
    (( $1 != 0 )) || fail "$3 succeeded; output: $(printf '%s' "$2" | tail -n 20)"
    (( $1 != 124 && $1 != 137 )) || fail "$3 timed out"
}

# npm_at URL DIR ARGS...: lib.sh's npm_in against the cordon at URL, with a
# cache of its own per project directory (no packument from an earlier run).
npm_at() {
    local url=$1 dir=$2
    shift 2
    NPM_REGISTRY=$url/npm/ NPM_CACHE=$dir.npm-cache npm_in "$dir" "$@"
}

# api METHOD PATH [curl args...]: the admin API as the reviewer.
api() {
    local method=$1 path=$2
    shift 2
    http "$method" "$API/$path" -H "Authorization: Bearer $T_REV" "$@"
}

# expect_analysis_denial ECO PACKAGE VERSION REASON KIND DETAIL: the last
# answer is cordon's 403 denial object for an analysis hold, whose error
# line is "<pkg>@<ver> is held by cordon's analysis (<reason>): <detail>
# (policy analysis <kind>: hold)" (what to do next may follow) and whose
# detail contains DETAIL.
expect_analysis_denial() {
    echo "denial: $(head -c 3000 "$HTTP_BODY")"
    expect_status 403 "${7:-the artifact of $2@$3}"
    assert_contains "$(header content-type)" "application/json" "content-type of the denial"
    E=$1 P=$2 V=$3 R=$4 K=$5 DET=$6 check_json "$HTTP_BODY" '
e = env
want(d.get("reason") == e["R"], "reason %r, expected %r" % (d.get("reason"), e["R"]))
want(d.get("ecosystem") == e["E"], "ecosystem %r" % d.get("ecosystem"))
want(d.get("package") == e["P"], "package %r, expected %r" % (d.get("package"), e["P"]))
want(d.get("version") == e["V"], "version %r, expected %r" % (d.get("version"), e["V"]))
err = d.get("error") or ""
head = "%s@%s is held by cordon'"'"'s analysis (%s): " % (e["P"], e["V"], e["R"])
tail = "(policy analysis %s: hold)" % e["K"]
want(err.startswith(head), "error line does not start with %r: %r" % (head, err))
want(tail in err[len(head):], "error line does not name the policy %r after the detail: %r" % (tail, err))
want(e["DET"] in err, "error line does not contain %r: %r" % (e["DET"], err))
want(d.get("policy") == "analysis %s: hold" % e["K"], "policy %r, expected %r" % (d.get("policy"), "analysis %s: hold" % e["K"]))
want(isinstance(d.get("request_id"), str) and d["request_id"], "no request_id")
want(isinstance(d.get("review_url"), str) and "/-/admin/#" + e["E"] + "/" in d["review_url"], "review_url %r" % d.get("review_url"))
' "the denial of $2@$3"
}

# tarball URL NAME VERSION: GET an npm tarball from the cordon at URL.
tarball() {
    http GET "$1/npm/$2/-/${2#*/}-$3.tgz"
}

# versions_api ECO PKG VER: GET /-/api/versions/ECO/PKG/VER (PKG encoded).
versions_api() {
    local enc
    enc=$("$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$2")
    api GET "versions/$1/$enc/$3"
    expect_status 200 "GET /-/api/versions/$1/$2/$3"
    echo "versions $1/$2/$3: $(head -c 3000 "$HTTP_BODY")"
}

# expect_finding ALLOWED KIND ACTION REASON DETAIL: the last versions_api
# answer says allowed: ALLOWED and lists a finding of KIND with ACTION,
# REASON and a detail containing DETAIL (top-level "findings").
expect_finding() {
    AL=$1 K=$2 A=$3 R=$4 DET=$5 check_json "$HTTP_BODY" '
e = env
want(str(d.get("allowed")).lower() == e["AL"], "allowed %r, expected %s" % (d.get("allowed"), e["AL"]))
fs = d.get("findings")
want(isinstance(fs, list), "no top-level findings list in the version answer")
fs = fs if isinstance(fs, list) else []
hit = [f for f in fs if isinstance(f, dict) and f.get("kind") == e["K"]]
want(hit, "no finding of kind %r in %r" % (e["K"], fs))
for f in hit:
    want(f.get("action") == e["A"], "finding %s: action %r, expected %r" % (e["K"], f.get("action"), e["A"]))
    want(f.get("reason") == e["R"], "finding %s: reason %r, expected %r" % (e["K"], f.get("reason"), e["R"]))
    want(isinstance(f.get("detail"), str) and e["DET"] in f["detail"], "finding %s: detail %r does not contain %r" % (e["K"], f.get("detail"), e["DET"]))
' "the findings of the version"
}

# expect_clean: the last versions_api answer allows the version and lists
# no finding that holds (an empty list, or warn kinds only).
expect_clean() {
    check_json "$HTTP_BODY" '
want(d.get("allowed") is True, "allowed %r" % d.get("allowed"))
fs = d.get("findings")
want(isinstance(fs, list), "no top-level findings list in the version answer")
for f in fs if isinstance(fs, list) else []:
    want(f.get("action") != "hold", "a finding that holds: %r" % (f,))
    want(f.get("kind") in ("install_script", "sdist_only", "pom_repositories"), "an unexpected finding: %r" % (f,))
' "a clean version's answer"
}

# listed URL NAME VERSION: true/false, is VERSION in the packument's versions.
listed() {
    http GET "$1/npm/$2"
    expect_status 200 "packument of $2"
    V=$3 jb '__import__("os").environ["V"] in d["versions"]'
}

# pypi_file_url PROJECT FILENAME: the file's URL on cordon's PEP 691 page.
pypi_file_url() {
    curl -s --max-time 30 -H 'Accept: application/vnd.pypi.simple.v1+json' "$MAIN_URL/pypi/simple/$1/" |
        "$PYTHON" -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    if f["filename"] == sys.argv[1]:
        print(f["url"].split("#")[0])
        sys.exit(0)
sys.exit("cordon lists no file %s" % sys.argv[1])' "$2"
}

# ------------------------------------------------------------------ npm: typosquat

TYPO_OUT=$IT_TMP/typo.out
t_typosquat_install() {
    local dir=$IT_TMP/npm-typo rc out
    new_project "$dir"
    npm_at "$MAIN_URL" "$dir" install lodahs >"$TYPO_OUT" 2>&1
    rc=$?
    out=$(cat "$TYPO_OUT")
    echo "$out"
    client_failed "$rc" "$out" "npm install lodahs"
    assert_contains "$out" "looks like lodash" "npm output"
    [[ -z $(installed_version "$dir" lodahs) ]] || fail "lodahs was installed"
}

t_typosquat_metadata() {
    local v
    http GET "$MAIN_URL/npm/lodahs"
    expect_status 200 "packument of lodahs (every version held)"
    echo "packument: $(head -c 3000 "$HTTP_BODY")"
    for v in 1.0.0 1.1.0; do
        assert_eq false "$(V=$v jb '__import__("os").environ["V"] in d["versions"]')" "lodahs@$v listed in versions"
    done
    check_json "$HTTP_BODY" '
pr = d.get("policyRestrictions") or {}
want(sorted(pr.get("versions") or {}) == ["1.0.0", "1.1.0"], "policyRestrictions.versions %r" % sorted(pr.get("versions") or {}))
want("looks like lodash" in (pr.get("message") or ""), "policyRestrictions.message %r" % pr.get("message"))
' "lodahs packument"
    # the abbreviated document too
    http GET "$MAIN_URL/npm/lodahs" -H 'Accept: application/vnd.npm.install-v1+json'
    expect_status 200 "abbreviated packument of lodahs"
    assert_eq '[]' "$(jb 'sorted(d["versions"])')" "lodahs versions (abbreviated)"
}

t_typosquat_tarball() {
    tarball "$MAIN_URL" lodahs 1.0.0
    expect_analysis_denial npm lodahs 1.0.0 typosquat typosquat "the name looks like lodash ("
    tarball "$MAIN_URL" l0dash 4.17.21
    expect_analysis_denial npm l0dash 4.17.21 typosquat typosquat "the name looks like lodash ("
    tarball "$MAIN_URL" expresss 4.18.2
    expect_analysis_denial npm expresss 4.18.2 typosquat typosquat "the name looks like express ("
    versions_api npm lodahs 1.0.0
    expect_finding false typosquat hold typosquat "looks like lodash"
}

t_popular_installs() {
    local dir=$IT_TMP/npm-popular out
    new_project "$dir" '{"lodash": "^4.17.0", "express": "^4.18.0"}'
    out=$(npm_at "$MAIN_URL" "$dir" install 2>&1) || fail "npm install lodash express failed: $out"
    echo "$out"
    assert_installed "$dir" lodash 4.17.21
    assert_installed "$dir" express 4.18.2
    versions_api npm lodash 4.17.21
    expect_clean
}

# ------------------------------------------------------------------ npm: install scripts

t_new_script_range() {
    local dir=$IT_TMP/npm-grows out
    new_project "$dir" '{"zq-grows-script": "^1.0.0"}'
    out=$(npm_at "$MAIN_URL" "$dir" install 2>&1) || fail "npm install zq-grows-script@^1.0.0 failed: $out"
    echo "$out"
    assert_installed "$dir" zq-grows-script 1.1.0
    [[ -e $dir/node_modules/zq-grows-script/collect.js ]] && fail "the 1.2.0 files were installed"
    http GET "$MAIN_URL/npm/zq-grows-script"
    expect_status 200 "packument of zq-grows-script"
    assert_eq '["1.0.0", "1.1.0"]' "$(jb 'sorted(d["versions"])')" "zq-grows-script versions"
    assert_eq 1.1.0 "$(jb 'd["dist-tags"]["latest"]')" "zq-grows-script latest"
    assert_contains "$(jb '(d.get("policyRestrictions") or {}).get("message") or ""')" "new_install_script" "policyRestrictions.message"
}

t_new_script_pin() {
    local dir=$IT_TMP/npm-grows-pin out rc
    new_project "$dir"
    out=$(npm_at "$MAIN_URL" "$dir" install zq-grows-script@1.2.0 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "npm install zq-grows-script@1.2.0"
    assert_contains "$out" "new_install_script" "npm output"
    assert_contains "$out" "zq-grows-script@1.2.0" "npm output"
    [[ -z $(installed_version "$dir" zq-grows-script) ]] || fail "zq-grows-script was installed"
    tarball "$MAIN_URL" zq-grows-script 1.2.0
    expect_analysis_denial npm zq-grows-script 1.2.0 new_install_script new_install_script "no earlier version"
    versions_api npm zq-grows-script 1.2.0
    expect_finding false new_install_script hold new_install_script "postinstall"
}

t_long_standing_script() {
    local dir=$IT_TMP/npm-always out
    new_project "$dir" '{"zq-always-script": "^1.0.0"}'
    out=$(npm_at "$MAIN_URL" "$dir" install 2>&1) || fail "npm install zq-always-script failed: $out"
    echo "$out"
    assert_installed "$dir" zq-always-script 1.1.0
    versions_api npm zq-always-script 1.1.0
    expect_finding true install_script warn install_script "install scripts"
}

# ------------------------------------------------------------------ npm: manifest confusion

t_mismatch_install() {
    local dir=$IT_TMP/npm-mm out rc
    new_project "$dir"
    # the first request for this tarball: analysed before a byte is served
    out=$(npm_at "$MAIN_URL" "$dir" install zq-mm-scripts@1.0.0 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "npm install zq-mm-scripts@1.0.0"
    assert_contains "$out" "403" "npm output"
    assert_contains "$out" "manifest_mismatch" "npm output"
    [[ -z $(installed_version "$dir" zq-mm-scripts) ]] || fail "zq-mm-scripts was installed"
    [[ -e $dir/node_modules/zq-mm-scripts/steal.js ]] && fail "the tarball's files reached node_modules"
    tarball "$MAIN_URL" zq-mm-scripts 1.0.0
    expect_analysis_denial npm zq-mm-scripts 1.0.0 manifest_mismatch manifest_mismatch "scripts"
}

t_mismatch_metadata() {
    # once analysed, the version is gone from the packument
    http GET "$MAIN_URL/npm/zq-mm-scripts"
    expect_status 200 "packument of zq-mm-scripts"
    assert_eq false "$(jb '"1.0.0" in d["versions"]')" "zq-mm-scripts@1.0.0 listed after its tarball was refused"
    check_json "$HTTP_BODY" '
pr = d.get("policyRestrictions") or {}
want("1.0.0" in (pr.get("versions") or {}), "policyRestrictions.versions %r" % sorted(pr.get("versions") or {}))
want("manifest_mismatch" in (pr.get("message") or ""), "policyRestrictions.message %r" % pr.get("message"))
' "zq-mm-scripts packument"
    # an npm install now fails at resolution, with the reason
    local dir=$IT_TMP/npm-mm-2 out rc
    new_project "$dir"
    out=$(npm_at "$MAIN_URL" "$dir" install zq-mm-scripts@1.0.0 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "npm install zq-mm-scripts@1.0.0 (second time)"
    assert_contains "$out" "manifest_mismatch" "npm output"
}

t_mismatch_dependency() {
    http GET "$MAIN_URL/npm/zq-mm-deps"
    expect_status 200 "packument of zq-mm-deps"
    assert_eq true "$(jb '"2.0.0" in d["versions"]')" "zq-mm-deps@2.0.0 listed before its tarball was analysed"
    tarball "$MAIN_URL" zq-mm-deps 2.0.0
    expect_analysis_denial npm zq-mm-deps 2.0.0 manifest_mismatch manifest_mismatch "dependencies"
    assert_eq false "$(listed "$MAIN_URL" zq-mm-deps 2.0.0)" "zq-mm-deps@2.0.0 listed after its tarball was refused"
}

t_prefetch() {
    # the packument alone: cordon fetches and analyses the young 1.1.0 in the
    # background, so its finding is known while nobody has asked for it
    http GET "$MAIN_URL/npm/zq-prefetch"
    expect_status 200 "packument of zq-prefetch"
    local deadline found=0
    deadline=$(( $(date +%s) + 60 ))
    while :; do
        api GET "versions/npm/zq-prefetch/1.1.0"
        if [[ $(jb 'any(f["kind"] == "manifest_mismatch" for f in d.get("findings", []))') == true ]]; then
            found=1
            break
        fi
        (( $(date +%s) < deadline )) || break
        sleep 0.2
    done
    (( found )) || fail "no manifest_mismatch finding for zq-prefetch@1.1.0 within 60 s: $(head -c 1500 "$HTTP_BODY")"
    # and no client asked for the tarball: the decision log has no record of it
    api GET "decisions?package=zq-prefetch"
    expect_status 200 "decisions of zq-prefetch"
    assert_eq 0 "$(jb 'len(d["decisions"])')" "decisions about zq-prefetch"
}

t_binding_gyp() {
    http GET "$MAIN_URL/npm/zq-native-gyp"
    expect_status 200 "packument of zq-native-gyp"
    tarball "$MAIN_URL" zq-native-gyp 1.0.0
    expect_analysis_denial npm zq-native-gyp 1.0.0 manifest_mismatch manifest_mismatch "binding.gyp"
}

# ------------------------------------------------------------------ npm: broken archive

t_malformed() {
    http GET "$MAIN_URL/npm/zq-truncated"
    expect_status 200 "packument of zq-truncated"
    local i
    for i in 1 2; do
        tarball "$MAIN_URL" zq-truncated 1.0.0
        expect_analysis_denial npm zq-truncated 1.0.0 malformed_archive malformed_archive "zq-truncated-1.0.0.tgz" \
            "GET zq-truncated-1.0.0.tgz (request $i)"
        [[ $(head -c 2 "$HTTP_BODY" | od -An -tx1 | tr -d ' \n') != 1f8b ]] || fail "gzip bytes were served"
    done
    assert_eq false "$(listed "$MAIN_URL" zq-truncated 1.0.0)" "zq-truncated@1.0.0 listed after its tarball was refused"
}

t_malformed_recorded() {
    local rec
    rec=$(wait_for_decision 'r.get("package") == "zq-truncated" and r.get("version") == "1.0.0" and r.get("decision") == "deny" and r.get("reason") == "malformed_archive"') ||
        fail "no deny/malformed_archive decision for zq-truncated@1.0.0"
    echo "$rec"
    printf '%s\n' "$rec" >"$IT_TMP/decision.json"
    assert_contains "$(json_eval "$IT_TMP/decision.json" 'd.get("rule") or ""')" "analysis malformed_archive" "rule of the decision"
    api GET "decisions?package=zq-truncated&decision=deny"
    expect_status 200 "GET /-/api/decisions?package=zq-truncated"
    check_json "$HTTP_BODY" 'want(any(r.get("reason") == "malformed_archive" for r in d.get("decisions", [])), "no malformed_archive decision")' "decisions of zq-truncated"
    http GET "$MAIN_URL/-/metrics"
    expect_status 200 "GET /-/metrics"
    grep -E '^cordon_decisions_total\{' "$HTTP_BODY"
    grep -qE '^cordon_decisions_total\{[^}]*decision="deny"[^}]*reason="malformed_archive"[^}]*\} [1-9]|^cordon_decisions_total\{[^}]*reason="malformed_archive"[^}]*decision="deny"[^}]*\} [1-9]' "$HTTP_BODY" ||
        fail "no positive cordon_decisions_total{decision=\"deny\",reason=\"malformed_archive\"} sample"
}

# ------------------------------------------------------------------ npm: clean packages

CLEAN_DEPS='{"zq-cli-runner": "^0.4.0", "zq-files-pack": "^3.0.0"}'

check_clean_tree() {
    local dir=$1
    assert_eq 0.4.0 "$(cd "$dir" && timeout 10 node -p 'require("zq-cli-runner/package.json").version')" "zq-cli-runner"
    assert_eq zq-files-pack "$(cd "$dir" && timeout 10 node -p 'require("zq-files-pack")')" "require('zq-files-pack')"
    [[ -x $dir/node_modules/.bin/zq-run ]] || fail "the zq-run bin is not linked"
    assert_eq "zq-cli-runner@0.4.0" "$(cd "$dir" && timeout 10 node_modules/.bin/zq-run)" "zq-run's output"
}

t_clean_npm() {
    local dir=$IT_TMP/npm-clean out
    new_project "$dir" "$CLEAN_DEPS"
    out=$(npm_at "$MAIN_URL" "$dir" install 2>&1) || fail "npm install of the clean packages failed: $out"
    echo "$out"
    check_clean_tree "$dir"
    assert_installed "$dir" zq-core-lib 2.1.0
    assert_installed "$dir" zq-util-kit 1.3.0
    local pv
    for pv in zq-cli-runner/0.4.0 zq-files-pack/3.0.1 zq-core-lib/2.1.0 zq-util-kit/1.3.0; do
        versions_api npm "${pv%/*}" "${pv#*/}"
        expect_clean
    done
}

t_clean_pnpm() {
    local dir=$IT_TMP/pnpm-clean out
    new_project "$dir" "$CLEAN_DEPS"
    out=$(pnpm_at "$MAIN_URL" "$dir" clean install --no-frozen-lockfile 2>&1) || fail "pnpm install of the clean packages failed: $out"
    echo "$out"
    check_clean_tree "$dir"
}

# ------------------------------------------------------------------ PyPI

t_pip_pth() {
    local out rc url
    out=$(pip_in install --target "$IT_TMP/pip-pth" 'evilpth==1.0' 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "pip install evilpth==1.0"
    assert_contains "$out" "403" "pip output"
    [[ -z $(pip_installed_version "$IT_TMP/pip-pth" evilpth) ]] || fail "evilpth was installed"
    [[ -e $IT_TMP/pip-pth/evil.pth ]] && fail "evil.pth was installed"
    url=$(pypi_file_url evilpth evilpth-1.0-py3-none-any.whl) || url=$MAIN_URL/pypi/files/evilpth/evilpth-1.0-py3-none-any.whl
    http GET "$url"
    expect_analysis_denial pypi evilpth 1.0 install_script pth_file "evil.pth"
    versions_api pypi evilpth 1.0
    expect_finding false pth_file hold install_script "evil.pth"
}

t_pip_wrong_metadata() {
    local out rc url
    out=$(pip_in install --target "$IT_TMP/pip-wrongname" 'anx-wrongname==1.0' 2>&1)
    rc=$?
    echo "$out"
    client_failed "$rc" "$out" "pip install anx-wrongname==1.0"
    assert_contains "$out" "403" "pip output"
    url=$MAIN_URL/pypi/files/anx-wrongname/anx_wrongname-1.0-py3-none-any.whl
    http GET "$url"
    expect_analysis_denial pypi anx-wrongname 1.0 manifest_mismatch manifest_mismatch "anx-someone-else"
    # the version form of it: first request through curl
    url=$(pypi_file_url anx-wrongver anx_wrongver-1.0-py3-none-any.whl) || fail "cordon does not list the anx-wrongver wheel"
    http GET "$url"
    expect_analysis_denial pypi anx-wrongver 1.0 manifest_mismatch manifest_mismatch "7.0"
}

t_pip_clean() {
    local out
    out=$(pip_in install --target "$IT_TMP/pip-clean" 'anx-wheel-ok' 2>&1) || fail "pip install anx-wheel-ok failed: $out"
    echo "$out"
    assert_pip_installed "$IT_TMP/pip-clean" anx-wheel-ok 1.1
    versions_api pypi anx-wheel-ok 1.1
    expect_clean
}

t_pip_sdist_only() {
    local url
    url=$(pypi_file_url anx-sdist-only anx_sdist_only-2.0.tar.gz) || fail "cordon does not list the anx-sdist-only sdist"
    http GET "$url"
    expect_status 200 "GET $url (sdist-only: warn)"
    assert_tar_lists "$HTTP_BODY" anx_sdist_only-2.0/PKG-INFO "the sdist"
    versions_api pypi anx-sdist-only 2.0
    expect_finding true sdist_only warn install_script "no wheel"
}

# ------------------------------------------------------------------ Maven

M2_SHARED=$IT_TMP/m2-plugins

# mvn_repo NAME: a fresh local repository seeded with the plugins an earlier
# build downloaded, but nothing of org.cordon.anx.
mvn_repo() {
    local r=$IT_TMP/m2-$1
    rm -rf "$r"
    if [[ -d $M2_SHARED ]]; then cp -a "$M2_SHARED" "$r"; else mkdir -p "$r"; fi
    rm -rf "${r:?}/$GP"
    printf '%s\n' "$r"
}

t_mvn_repos_warn() {
    local p=$IT_TMP/p-clean out rc r
    new_maven_project "$p" "$(mvn_dep "$G" anx-repos 1.0)$(mvn_dep "$G" anx-clean 1.0)"
    printf 'package it;\npublic class App { public static void main(String[] a) { System.out.println(org.cordon.anx.AnxRepos.VERSION + " " + org.cordon.anx.AnxClean.VERSION); } }\n' >"$p/src/main/java/it/App.java"
    r=$(mvn_repo clean)
    out=$(IT_MVN_REPO=$r mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 30
    (( rc == 0 )) || fail "mvn compile with anx-repos (POM with <repositories>: warn) and anx-clean failed ($rc)"
    assert_eq 1.0 "$(mvn_local_versions "$r" "$G" anx-repos)" "anx-repos jars in the local repository"
    rm -rf "$M2_SHARED" && cp -a "$r" "$M2_SHARED"
    http GET "$MAVEN_REPO$GP/anx-repos/1.0/anx-repos-1.0.pom"
    expect_status 200 "the POM with <repositories>"
    assert_contains "$(body)" "<repositories>" "the POM served"
    versions_api maven "$G:anx-repos" 1.0
    expect_finding true pom_repositories warn manifest_mismatch "repositories"
    versions_api maven "$G:anx-clean" 1.0
    expect_clean
}

t_mvn_badjar() {
    local p=$IT_TMP/p-bad out rc r
    new_maven_project "$p" "$(mvn_dep "$G" anx-badjar 1.0)"
    printf 'package it;\npublic class App { public static void main(String[] a) { System.out.println(org.cordon.anx.AnxBadjar.VERSION); } }\n' >"$p/src/main/java/it/App.java"
    r=$(mvn_repo bad)
    out=$(IT_MVN_REPO=$r mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 30
    mvn_fail_expected "$rc" "mvn compile with anx-badjar 1.0 (its jar says it is another groupId's anx-badjar)"
    grep -qE 'status: 403|403 ' <<<"$out" || fail "mvn output does not show the 403"
    [[ -z $(mvn_local_versions "$r" "$G" anx-badjar) ]] || fail "the anx-badjar jar landed in the local repository"
    http GET "$MAVEN_REPO$GP/anx-badjar/1.0/anx-badjar-1.0.jar"
    expect_analysis_denial maven "$G:anx-badjar" 1.0 manifest_mismatch manifest_mismatch "com.example.other:anx-badjar"
}

# ------------------------------------------------------------------ review

t_held_queue() {
    api GET held
    expect_status 200 "GET /-/api/held"
    echo "held: $(head -c 6000 "$HTTP_BODY")"
    HAVE_MAVEN=$HAVE_MVN check_json "$HTTP_BODY" '
held = d.get("held") or []
def entry(eco, pkg, ver):
    m = [e for e in held if e.get("ecosystem") == eco and e.get("package") == pkg and e.get("version") == ver]
    return m[0] if m else None
cases = [("npm", "lodahs", "1.0.0", "typosquat", "typosquat", "looks like lodash"),
         ("npm", "zq-grows-script", "1.2.0", "new_install_script", "new_install_script", "postinstall"),
         ("npm", "zq-mm-scripts", "1.0.0", "manifest_mismatch", "manifest_mismatch", "scripts"),
         ("npm", "zq-native-gyp", "1.0.0", "manifest_mismatch", "manifest_mismatch", "binding.gyp"),
         ("npm", "zq-truncated", "1.0.0", "malformed_archive", "malformed_archive", "zq-truncated"),
         ("pypi", "evilpth", "1.0", "install_script", "pth_file", "evil.pth"),
         ("pypi", "anx-wrongname", "1.0", "manifest_mismatch", "manifest_mismatch", "anx-someone-else")]
if env["HAVE_MAVEN"] == "1":
    cases.append(("maven", "org.cordon.anx:anx-badjar", "1.0", "manifest_mismatch", "manifest_mismatch", "com.example.other:anx-badjar"))
for eco, pkg, ver, reason, kind, det in cases:
    e = entry(eco, pkg, ver)
    want(e is not None, "%s %s@%s is not in the held queue" % (eco, pkg, ver))
    if e is None:
        continue
    want(e.get("reason") == reason, "%s@%s: reason %r, expected %r" % (pkg, ver, e.get("reason"), reason))
    want((e.get("requests") or 0) >= 1, "%s@%s: requests %r" % (pkg, ver, e.get("requests")))
    fs = [f for f in e.get("findings") or [] if f.get("kind") == kind]
    want(fs, "%s@%s: no %s finding in %r" % (pkg, ver, kind, e.get("findings")))
    for f in fs:
        want(f.get("action") == "hold", "%s@%s: %s action %r" % (pkg, ver, kind, f.get("action")))
        want(f.get("reason") == reason, "%s@%s: %s reason %r" % (pkg, ver, kind, f.get("reason")))
        want(isinstance(f.get("detail"), str) and det in f["detail"], "%s@%s: %s detail %r lacks %r" % (pkg, ver, kind, f.get("detail"), det))
    err = e.get("error") or ""
    want("held by cordon" in err and "(policy analysis %s: hold)" % kind in err, "%s@%s: error %r" % (pkg, ver, err))
for e in held:
    want(e.get("package") not in ("zq-cli-runner", "zq-files-pack", "zq-core-lib", "zq-util-kit", "lodash", "express", "anx-wheel-ok", "anx-sdist-only", "org.cordon.anx:anx-repos", "org.cordon.anx:anx-clean"),
         "a clean version is held: %s@%s (%s)" % (e.get("package"), e.get("version"), e.get("reason")))
' "the held queue"
}

t_approve_typosquat() {
    local out rc dir=$IT_TMP/npm-typo-approved
    out=$(CORDON_TOKEN=$T_REV timeout 30 "$CORDON_BIN" approve npm lodahs 1.1.0 --comment "analysis test: a known fork, reviewed" --server "$MAIN_URL" 2>&1)
    rc=$?
    echo "$out"
    (( rc == 0 )) || fail "cordon approve npm lodahs 1.1.0 exited $rc: $out"
    new_project "$dir"
    out=$(npm_at "$MAIN_URL" "$dir" install lodahs 2>&1) || fail "npm install lodahs after the approval failed: $out"
    echo "$out"
    assert_installed "$dir" lodahs 1.1.0
    tarball "$MAIN_URL" lodahs 1.0.0
    expect_status 403 "lodahs 1.0.0 (not approved)"
    assert_eq typosquat "$(jb 'd["reason"]')" "reason of the unapproved version"
}

t_config_ignore() {
    local dir=$IT_TMP/npm-lenient out
    new_project "$dir"
    out=$(npm_at "$LENIENT_URL" "$dir" install expresss 2>&1) || fail "npm install expresss with analysis: { typosquat: ignore } failed: $out"
    echo "$out"
    assert_installed "$dir" expresss 4.18.2
    tarball "$LENIENT_URL" l0dash 4.17.21
    expect_status 200 "l0dash tarball with typosquat: ignore"
    # the other kinds still hold there
    http GET "$LENIENT_URL/npm/zq-mm-deps"
    expect_status 200 "zq-mm-deps packument (lenient)"
    tarball "$LENIENT_URL" zq-mm-deps 2.0.0
    expect_status 403 "zq-mm-deps tarball (lenient: manifest_mismatch still holds)"
    assert_eq manifest_mismatch "$(jb 'd["reason"]')" "reason"
}

# ------------------------------------------------------------------ run

need_pnpm() {
    if (( HAVE_PNPM )); then run_test "$1" "$2"; else client_missing "$1" "pnpm not in $TOOLS (run scripts/test-tools.sh)"; fi
}
need_mvn() {
    if (( HAVE_MVN )); then run_test "$1" "$2"; else client_missing "$1" "$MVN_MISSING"; fi
}

run_test "typosquat: npm install lodahs fails and says it looks like lodash" t_typosquat_install
run_test "typosquat: the packument answers with no installable version (policyRestrictions)" t_typosquat_metadata
run_test "typosquat: tarballs of lodahs, l0dash, expresss get 403 typosquat" t_typosquat_tarball
run_test "typosquat: the popular names themselves install (lodash, express)" t_popular_installs
run_test "new_install_script: ^1.0.0 installs 1.1.0, skipping the held 1.2.0" t_new_script_range
run_test "new_install_script: npm install pkg@1.2.0 fails with the reason; tarball 403" t_new_script_pin
run_test "install_script (long-standing, warn): installs, the finding shows" t_long_standing_script
run_test "manifest_mismatch: the first tarball request is refused (npm install fails)" t_mismatch_install
run_test "manifest_mismatch: afterwards the packument no longer lists the version" t_mismatch_metadata
run_test "manifest_mismatch: a dependency only in the tarball is named" t_mismatch_dependency
run_test "manifest_mismatch: binding.gyp at the root without an install script" t_binding_gyp
run_test "prefetch: a version the window holds is analysed before anyone asks for its tarball" t_prefetch
run_test "malformed_archive: a truncated tarball is refused, nothing served" t_malformed
run_test "malformed_archive: in the decision log, the decisions API and the metrics" t_malformed_recorded
run_test "clean packages (deps, bin, files) install through npm with no holding finding" t_clean_npm
need_pnpm "clean packages install through pnpm" t_clean_pnpm
run_test "pip: a wheel with a top-level .pth is refused (install_script / pth_file)" t_pip_pth
run_test "pip: a wheel whose METADATA names another project or version is refused" t_pip_wrong_metadata
run_test "pip: a clean wheel installs" t_pip_clean
run_test "pip: an sdist-only release is served with a sdist_only warning" t_pip_sdist_only
need_mvn "mvn: a POM with <repositories> is served (warn) and the finding shows" t_mvn_repos_warn
need_mvn "mvn: a jar whose pom.properties claims the artifact under another groupId is refused; mvn fails" t_mvn_badjar
run_test "review: /-/api/held lists the refused versions with their findings" t_held_queue
run_test "review: approving the typosquat version with the CLI lets npm install it" t_approve_typosquat
run_test "config: analysis: { typosquat: ignore } lets the typosquat install" t_config_ignore
finish
