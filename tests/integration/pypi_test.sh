#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for cordon's PyPI module: the real pip through cordon, in
# front of the fixture upstream's PEP 503 / 691 index (tests/fixtures/upstream.py
# with tests/fixtures/pypi_spec.json: generated, installable wheels and sdists
# with upload times relative to now).  Everything runs on 127.0.0.1; no test
# needs the internet.
#
#   CORDON_BIN=build/cordon bash tests/integration/pypi_test.sh
#
# One cordon: quarantine min_age 7d, pypi:trusted-proj exempt (min_age 0).
# pip is "$PYTHON -m pip" (lib.sh pip_in: no configuration, no cache, no
# retries), installing with --target into the temp directory.
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"
"$PYTHON" -m pip --version >/dev/null 2>&1 || setup_skip "pip not found ($PYTHON -m pip)"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/pypi_spec.json"
CORDON_QUARANTINE_YAML='{ min_age: 7d, rules: [ { match: "pypi:trusted-proj", min_age: 0 } ] }'
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi"
note "pip: $("$PYTHON" -m pip --version 2>&1)"

JSON_T='application/vnd.pypi.simple.v1+json'
HTML_T='application/vnd.pypi.simple.v1+html'
# What pip 23 sends.
PIP_ACCEPT="$JSON_T, $HTML_T; q=0.1, text/html; q=0.01"

# ------------------------------------------------------------------ helpers

# page PROJECT ACCEPT: GET cordon's project page; expect 200.
page() {
    if [[ -n $2 ]]; then
        http GET "$CORDON_URL/pypi/simple/$1/" -H "Accept: $2"
    else
        http GET "$CORDON_URL/pypi/simple/$1/"
    fi
    expect_status 200 "GET /pypi/simple/$1/ (Accept: ${2:-none})"
}

# upstream_page PROJECT: the fixture's own JSON page, saved to a file; prints its path.
upstream_page() {
    local f=$IT_TMP/upstream-$1.json
    curl -s --max-time 5 -H "Accept: $JSON_T" -o "$f" "$FIXTURE_URL/pypi/simple/$1/" || fail "fixture page for $1"
    printf '%s\n' "$f"
}

# check_page FORMAT PROJECT "file1 file2 ..." ["held1 ..."]: the last answer
# (cordon's page for PROJECT, in FORMAT json|html) lists exactly these files
# and the held ones, each with its URL rewritten to cordon's
# /pypi/files/<project>/<file>, and the upstream's sha256, requires-python,
# yanked and core-metadata (plus upload-time and size in JSON); a held file
# is marked yanked (PEP 592) with cordon's one-line reason, which names its
# project@version.  Prints what is wrong.
check_page() {
    local fmt=$1 project=$2 want=$3 held=${4:-} up
    up=$(upstream_page "$project")
    "$PYTHON" - "$fmt" "$project" "$want" "$HTTP_BODY" "$up" "$CORDON_URL" "127.0.0.1:$UPORT" "$held" <<'PY' || fail "$fmt page of $project is not as expected"
import html.parser, json, sys, urllib.parse
fmt, project, want, body_file, up_file, cordon, upstream_host, held = sys.argv[1:]
want, held = want.split(), set(held.split())

def held_reason_ok(name, reason):
    """a held file's yanked reason: cordon's denial line for its version"""
    version = name[len(project.replace("-", "_")) + 1:].split("-")[0]
    for ext in (".tar.gz", ".zip"):
        version = version[:-len(ext)] if version.endswith(ext) else version
    return isinstance(reason, str) and reason.startswith("%s@%s " % (project, version))
raw = open(body_file, encoding="utf-8").read()
up = {f["filename"]: f for f in json.load(open(up_file))["files"]}
errors = []
if upstream_host in raw:
    errors.append("the page names the upstream (%s)" % upstream_host)

def meta_of(v):
    if isinstance(v, dict):
        return v.get("sha256")
    return None

if fmt == "json":
    d = json.loads(raw)
    api = (d.get("meta") or {}).get("api-version", "")
    if not str(api).startswith("1."):
        errors.append("meta.api-version is %r" % (api,))
    if d.get("name") != project:
        errors.append("name is %r, not %r" % (d.get("name"), project))
    files = {}
    for f in d.get("files", []):
        files[f.get("filename")] = f
    got = sorted(files)
    for name, f in files.items():
        u = up.get(name)
        if u is None:
            errors.append("%s is not an upstream file" % name)
            continue
        exp_url = "%s/pypi/files/%s/%s" % (cordon, project, name)
        if f.get("url") != exp_url:
            errors.append("%s: url %r, expected %r" % (name, f.get("url"), exp_url))
        if (f.get("hashes") or {}).get("sha256") != u["hashes"]["sha256"]:
            errors.append("%s: hashes %r, upstream sha256 %s" % (name, f.get("hashes"), u["hashes"]["sha256"]))
        if f.get("requires-python") != u.get("requires-python"):
            errors.append("%s: requires-python %r, upstream %r" % (name, f.get("requires-python"), u.get("requires-python")))
        if name in held:
            if not held_reason_ok(name, f.get("yanked")):
                errors.append("%s: held, but yanked is %r, not cordon's reason" % (name, f.get("yanked")))
        elif (f.get("yanked") or False) != (u.get("yanked") or False):
            errors.append("%s: yanked %r, upstream %r" % (name, f.get("yanked"), u.get("yanked")))
        cm = meta_of(f.get("core-metadata", f.get("data-dist-info-metadata", f.get("dist-info-metadata"))))
        if cm != meta_of(u.get("core-metadata")):
            errors.append("%s: core-metadata %r, upstream %r" % (name, f.get("core-metadata"), u.get("core-metadata")))
        if "upload-time" in u and f.get("upload-time") is None:
            errors.append("%s: upload-time missing (upstream %s)" % (name, u["upload-time"]))
        if f.get("size") != u["size"]:
            errors.append("%s: size %r, upstream %r" % (name, f.get("size"), u["size"]))
else:
    class P(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.links = []
            self.cur = None
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.cur = [dict(attrs), ""]
        def handle_data(self, data):
            if self.cur is not None:
                self.cur[1] += data
        def handle_endtag(self, tag):
            if tag == "a" and self.cur is not None:
                self.links.append(self.cur)
                self.cur = None
    p = P()
    p.feed(raw)
    files = {}
    for attrs, text in p.links:
        href = attrs.get("href") or ""
        name = urllib.parse.unquote(urllib.parse.urlsplit(href).path.rsplit("/", 1)[-1])
        files[name] = (attrs, text.strip())
    got = sorted(files)
    for name, (a, text) in files.items():
        u = up.get(name)
        if u is None:
            errors.append("%s is not an upstream file" % name)
            continue
        exp = "%s/pypi/files/%s/%s#sha256=%s" % (cordon, project, name, u["hashes"]["sha256"])
        href = urllib.parse.urljoin("%s/pypi/simple/%s/" % (cordon, project), a.get("href"))
        if href != exp:
            errors.append("%s: href %r, expected %r" % (name, a.get("href"), exp))
        if a.get("data-requires-python") != u.get("requires-python"):
            errors.append("%s: data-requires-python %r, upstream %r" % (name, a.get("data-requires-python"), u.get("requires-python")))
        if u.get("requires-python"):
            esc = html.escape(u["requires-python"], quote=True)
            if 'data-requires-python="%s"' % esc not in raw and "data-requires-python='%s'" % esc not in raw:
                errors.append("%s: requires-python not HTML-escaped as %r" % (name, esc))
        if name in held:
            if not held_reason_ok(name, a.get("data-yanked")):
                errors.append("%s: held, but data-yanked is %r, not cordon's reason" % (name, a.get("data-yanked")))
        elif u.get("yanked"):
            if a.get("data-yanked") is None:
                errors.append("%s: no data-yanked (upstream %r)" % (name, u["yanked"]))
            elif isinstance(u["yanked"], str) and a.get("data-yanked") != u["yanked"]:
                errors.append("%s: data-yanked %r, upstream %r" % (name, a.get("data-yanked"), u["yanked"]))
        elif "data-yanked" in a:
            errors.append("%s: data-yanked on a file that is not yanked" % name)
        cm = meta_of(u.get("core-metadata"))
        dm = a.get("data-core-metadata", a.get("data-dist-info-metadata"))
        if cm and dm != "sha256=" + cm:
            errors.append("%s: data-core-metadata %r, expected sha256=%s" % (name, dm, cm))
        if not cm and dm not in (None, "false"):
            errors.append("%s: data-core-metadata %r on a file without metadata" % (name, dm))
if got != sorted(want + list(held)):
    errors.append("files listed: %s; expected exactly: %s" % (got, sorted(want + list(held))))
for e in errors:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

# expect_denial STATUS REASON PACKAGE VERSION: the last answer is cordon's
# denial object for this version.
expect_denial() {
    expect_status "$1" "denial"
    local D_error="" D_reason="" D_ecosystem="" D_package="" D_version=""
    eval "$(json_eval "$HTTP_BODY" '"\n".join("D_%s=%s" % (k, __import__("shlex").quote(str(d.get(k) or ""))) for k in ("error", "reason", "ecosystem", "package", "version"))')" ||
        fail "denial body is not JSON: $(body)"
    echo "denial: $(body)"
    assert_eq "$2" "$D_reason" "reason"
    assert_eq pypi "$D_ecosystem" "ecosystem"
    assert_eq "$3" "$D_package" "package"
    [[ -z $4 ]] || assert_eq "$4" "$D_version" "version"
    # the one line a person reads names the project (or its file, whose name
    # carries the project's underscore form)
    [[ $D_error == *"$3"* || $D_error == *"${3//-/_}"* ]] || fail "error line does not name $3: $D_error"
}

pip_fail_expected() {
    local rc=$1 what=$2
    (( rc != 0 )) || fail "$what succeeded"
    (( rc != 124 && rc != 137 )) || fail "$what timed out"
}

sha256_of() { "$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"; }

# ------------------------------------------------------------------ cases

# The fixture itself, without cordon: pip takes the newest of everything.
t_fixture_direct() {
    local t=$IT_TMP/t-direct out rc
    out=$(IT_PIP_INDEX=$FIXTURE_URL/pypi/simple/ pip_in install --target "$t" fx-app 2>&1)
    rc=$?
    echo "$out"
    (( rc == 0 )) || fail "pip install fx-app straight from the fixture failed ($rc): a fixture problem, not cordon's"
    assert_pip_installed "$t" fx-app 1.1
    assert_pip_installed "$t" fx-lib 1.2
}

t_index_json() {
    page fx-lib "$JSON_T"
    assert_contains "$(header content-type)" "$JSON_T" "Content-Type"
    assert_contains_i "$(header vary)" "accept" "Vary"
    check_page json fx-lib "fx_lib-1.0-py3-none-any.whl fx_lib-1.0.tar.gz fx_lib-1.1-py3-none-any.whl fx_lib-1.1.tar.gz" "fx_lib-1.2-py3-none-any.whl fx_lib-1.2.tar.gz"
    assert_eq '["1.0", "1.1", "1.2"]' "$(json_eval "$HTTP_BODY" 'd.get("versions")')" "versions (1.2 is held, its files yanked)"
    # PEP 700 upload-time is upstream's, not cordon's clock
    local up
    up=$(fixture_pypi_file fx-lib fx_lib-1.1.tar.gz upload-time) || fail "fixture file"
    assert_eq "$(iso_z "$up")" "$(iso_z "$(json_eval "$HTTP_BODY" '[f for f in d["files"] if f["filename"] == "fx_lib-1.1.tar.gz"][0]["upload-time"]')")" "upload-time of fx_lib-1.1.tar.gz"
}

# iso_z ISO8601: the instant to the second, as YYYY-MM-DDTHH:MM:SSZ
iso_z() {
    "$PYTHON" -c '
import sys
from datetime import datetime, timezone
s = sys.argv[1].replace("Z", "+00:00")
print(datetime.fromisoformat(s).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$1"
}

t_index_html() {
    page fx-lib "text/html"
    assert_contains "$(header content-type)" "html" "Content-Type"
    assert_contains_i "$(header vary)" "accept" "Vary"
    check_page html fx-lib "fx_lib-1.0-py3-none-any.whl fx_lib-1.0.tar.gz fx_lib-1.1-py3-none-any.whl fx_lib-1.1.tar.gz" "fx_lib-1.2-py3-none-any.whl fx_lib-1.2.tar.gz"
    page fx-lib "$HTML_T"
    assert_contains "$(header content-type)" "$HTML_T" "Content-Type for Accept: $HTML_T"
    check_page html fx-lib "fx_lib-1.0-py3-none-any.whl fx_lib-1.0.tar.gz fx_lib-1.1-py3-none-any.whl fx_lib-1.1.tar.gz" "fx_lib-1.2-py3-none-any.whl fx_lib-1.2.tar.gz"
}

t_negotiation() {
    page fx-lib ""
    assert_contains "$(header content-type)" "html" "Content-Type without Accept (default HTML)"
    page fx-lib "$HTML_T; q=0.2, $JSON_T; q=0.9"
    assert_contains "$(header content-type)" "$JSON_T" "Content-Type, JSON preferred by q"
    page fx-lib "$JSON_T; q=0.1, text/html"
    assert_contains "$(header content-type)" "html" "Content-Type, HTML preferred by q"
    page fx-lib "$PIP_ACCEPT"
    assert_contains "$(header content-type)" "$JSON_T" "Content-Type for pip's Accept"
    json_eval "$HTTP_BODY" 'd["files"]' >/dev/null || fail "pip's Accept: not a JSON page"
}

t_redirect() {
    local from
    for from in Fx_Lib FX.lib fx_lib; do
        http GET "$CORDON_URL/pypi/simple/$from/" -H "Accept: $JSON_T"
        expect_status 301 "GET /pypi/simple/$from/"
        assert_contains "$(header location)" "/pypi/simple/fx-lib/" "Location for $from"
    done
}

t_root_index() {
    http GET "$CORDON_URL/pypi/simple/" -H "Accept: $JSON_T"
    expect_status 200 "GET /pypi/simple/ (JSON)"
    assert_contains "$(body)" "Fx_Lib" "JSON project list"
    http GET "$CORDON_URL/pypi/simple/" -H 'Accept: text/html'
    expect_status 200 "GET /pypi/simple/ (HTML)"
    assert_contains "$(body)" "fx-lib/" "HTML project list"
}

t_yanked_requires_python_index() {
    page yanked-proj "$JSON_T"
    check_page json yanked-proj "yanked_proj-1.0-py3-none-any.whl yanked_proj-1.1-py3-none-any.whl"
    page yanked-proj text/html
    check_page html yanked-proj "yanked_proj-1.0-py3-none-any.whl yanked_proj-1.1-py3-none-any.whl"
    page pyreq-proj text/html
    check_page html pyreq-proj "pyreq_proj-1.0-py3-none-any.whl pyreq_proj-2.0-py3-none-any.whl"
    assert_contains "$(body)" "&lt;4,&gt;=3.7" "HTML-escaped requires-python"
}

t_pip_install() {
    local t=$IT_TMP/t-install out rc
    out=$(pip_in install -v --target "$t" fx-lib 2>&1)
    rc=$?
    echo "$out"
    (( rc == 0 )) || fail "pip install fx-lib failed ($rc)"
    assert_pip_installed "$t" fx-lib 1.1
    assert_eq 1.1 "$(cd "$t" && "$PYTHON" -c 'import fx_lib; print(fx_lib.__version__)')" "fx_lib.__version__"
    assert_contains "$out" "$CORDON_URL/pypi/files/fx-lib/fx_lib-1.1-py3-none-any.whl" "pip output (file fetched from cordon)"
    assert_not_contains "$out" "127.0.0.1:$UPORT" "pip output (never the upstream)"
    # PEP 658: pip read the dependencies from cordon's .metadata
    assert_contains "$out" "fx_lib-1.1-py3-none-any.whl.metadata" "pip output (PEP 658 metadata)"
}

t_pip_dependency() {
    local t=$IT_TMP/t-dep out rc
    out=$(pip_in install --target "$t" fx-app 2>&1)
    rc=$?
    echo "$out"
    (( rc == 0 )) || fail "pip install fx-app failed ($rc)"
    assert_pip_installed "$t" fx-app 1.0
    assert_pip_installed "$t" fx-lib 1.1
}

t_pip_requires_python_yanked() {
    local t=$IT_TMP/t-rp out rc
    out=$(pip_in install --target "$t" pyreq-proj yanked-proj 2>&1)
    rc=$?
    echo "$out"
    (( rc == 0 )) || fail "pip install pyreq-proj yanked-proj failed ($rc)"
    assert_pip_installed "$t" pyreq-proj 1.0   # 2.0 requires Python >= 4
    assert_pip_installed "$t" yanked-proj 1.0  # 1.1 is yanked
}

t_pip_pinned_held() {
    local t=$IT_TMP/t-held out rc
    out=$(pip_in install --target "$t" 'fx-lib==1.2' 2>&1)
    rc=$?
    echo "$out"
    pip_fail_expected "$rc" "pip install fx-lib==1.2 (held)"
    # pip takes the yanked file for an exact pin, prints cordon's reason as
    # the yank's, and the file route refuses it
    assert_contains "$out" "Reason for being yanked: fx-lib@1.2 is quarantined until" "pip output"
    assert_contains "$out" "newest allowed: 1.1" "pip output"
    assert_contains "$out" "403 Client Error: Forbidden - quarantined by cordon" "pip output"
    [[ -z $(pip_installed_version "$t" fx-lib) ]] || fail "fx-lib got installed"
    # Fetching the held file itself (a pinned URL, a stale lock) shows the 403.
    out=$(pip_in install --target "$t" "$CORDON_URL/pypi/files/fx-lib/fx_lib-1.2-py3-none-any.whl" 2>&1)
    rc=$?
    echo "$out"
    pip_fail_expected "$rc" "pip install of the held wheel's URL"
    assert_contains "$out" "403" "pip output for the held wheel's URL"
    [[ -z $(pip_installed_version "$t" fx-lib) ]] || fail "fx-lib got installed"
}

t_held_file_denied() {
    local f
    for f in fx_lib-1.2-py3-none-any.whl fx_lib-1.2.tar.gz; do
        http GET "$CORDON_URL/pypi/files/fx-lib/$f"
        expect_denial 403 quarantine fx-lib 1.2
        local published eligible
        published=$(json_eval "$HTTP_BODY" 'd["published_at"]') || fail "no published_at"
        eligible=$(json_eval "$HTTP_BODY" 'd["eligible_at"]') || fail "no eligible_at"
        "$PYTHON" -c '
import sys
from datetime import datetime
p, e = (datetime.fromisoformat(s.replace("Z", "+00:00")) for s in sys.argv[1:3])
d = (e - p).total_seconds()
sys.exit(0 if abs(d - 7 * 86400) < 2 else "eligible_at - published_at = %s s, not 7 d" % d)' "$published" "$eligible" ||
            fail "denial times"
    done
    # its PEP 658 metadata is served (pip reads it before it reports the yank)
    http GET "$CORDON_URL/pypi/files/fx-lib/fx_lib-1.2-py3-none-any.whl.metadata"
    expect_status 200 "the held wheel's .metadata"
    assert_contains "$(body)" "Version: 1.2" "the .metadata"
}

t_pip_download_held() {
    local d=$IT_TMP/dl-held out rc
    out=$(pip_in download --no-deps -d "$d" "$CORDON_URL/pypi/files/fx-lib/fx_lib-1.2.tar.gz" 2>&1)
    rc=$?
    echo "$out"
    pip_fail_expected "$rc" "pip download of the held sdist"
    assert_contains "$out" "403" "pip download output"
    [[ ! -e $d/fx_lib-1.2.tar.gz ]] || fail "the held sdist was saved"
    # a mature file downloads, byte for byte upstream's
    d=$IT_TMP/dl-ok
    out=$(pip_in download --no-deps -d "$d" 'fx-lib==1.1' 2>&1)
    rc=$?
    echo "$out"
    (( rc == 0 )) || fail "pip download fx-lib==1.1 failed ($rc)"
    [[ -f $d/fx_lib-1.1-py3-none-any.whl ]] || fail "no fx_lib-1.1-py3-none-any.whl in $d: $(ls "$d")"
    assert_eq "$(fixture_pypi_file fx-lib fx_lib-1.1-py3-none-any.whl sha256)" "$(sha256_of "$d/fx_lib-1.1-py3-none-any.whl")" "sha256 of the downloaded wheel"
}

t_pip_non_normalized() {
    local t=$IT_TMP/t-name out rc
    out=$(pip_in install --target "$t" 'FX.Lib' 2>&1)
    rc=$?
    echo "$out"
    (( rc == 0 )) || fail "pip install FX.Lib failed ($rc)"
    assert_pip_installed "$t" fx-lib 1.1
}

t_late_wheel() {
    page late-proj "$JSON_T"
    check_page json late-proj "late_proj-0.9-py3-none-any.whl late_proj-1.0.tar.gz" "late_proj-1.0-py3-none-any.whl"
    assert_eq '["0.9", "1.0"]' "$(json_eval "$HTTP_BODY" 'd.get("versions")')" "versions (1.0 still has its sdist)"
    page late-proj text/html
    check_page html late-proj "late_proj-0.9-py3-none-any.whl late_proj-1.0.tar.gz" "late_proj-1.0-py3-none-any.whl"
    http GET "$CORDON_URL/pypi/files/late-proj/late_proj-1.0-py3-none-any.whl"
    expect_denial 403 quarantine late-proj 1.0
    http GET "$CORDON_URL/pypi/files/late-proj/late_proj-1.0.tar.gz"
    expect_status 200 "the old sdist"
    assert_eq "$(fixture_pypi_file late-proj late_proj-1.0.tar.gz sha256)" "$(sha256_of "$HTTP_BODY")" "sha256 of the sdist"
    # pip takes 1.0 from the sdist (the fixture's sdists build offline)
    local t=$IT_TMP/t-late out rc
    out=$(pip_in install --target "$t" late-proj 2>&1)
    rc=$?
    echo "$out"
    (( rc == 0 )) || fail "pip install late-proj failed ($rc)"
    assert_pip_installed "$t" late-proj 1.0
    assert_eq True "$(cd "$t" && "$PYTHON" -c 'import late_proj; print(getattr(late_proj, "FROM_SDIST", False))')" "late_proj built from the sdist"
}

t_whole_release_held() {
    page held-only "$JSON_T"
    check_page json held-only "" "held_only-1.0-py3-none-any.whl"
    assert_eq '["1.0"]' "$(json_eval "$HTTP_BODY" 'd.get("versions")')" "versions of held-only (its file yanked)"
    page held-only text/html
    check_page html held-only "" "held_only-1.0-py3-none-any.whl"
    local t=$IT_TMP/t-heldonly out rc
    out=$(pip_in install --target "$t" held-only 2>&1)
    rc=$?
    echo "$out"
    pip_fail_expected "$rc" "pip install held-only"
    assert_contains "$out" "No matching distribution found for held-only" "pip output"
}

t_missing_upload_time() {
    # notime-proj 1.1 has no upload-time: first seen now, so held for 7 d
    page notime-proj "$JSON_T"
    check_page json notime-proj "notime_proj-1.0-py3-none-any.whl" "notime_proj-1.1-py3-none-any.whl"
    assert_eq '["1.0", "1.1"]' "$(json_eval "$HTTP_BODY" 'd.get("versions")')" "versions of notime-proj"
    http GET "$CORDON_URL/pypi/files/notime-proj/notime_proj-1.1-py3-none-any.whl"
    expect_status 403 "notime-proj 1.1 (no upload-time)"
}

t_rule_exempt() {
    page trusted-proj "$JSON_T"
    check_page json trusted-proj "trusted_proj-1.0-py3-none-any.whl trusted_proj-1.1-py3-none-any.whl"
    local t=$IT_TMP/t-trusted out rc
    out=$(pip_in install --target "$t" trusted-proj 2>&1)
    rc=$?
    echo "$out"
    (( rc == 0 )) || fail "pip install trusted-proj failed ($rc)"
    assert_pip_installed "$t" trusted-proj 1.1
}

t_upload_refused() {
    local wheel=$IT_TMP/upload/fx_lib-9.9-py3-none-any.whl before after path
    mkdir -p "$IT_TMP/upload"
    curl -s --max-time 5 -o "$wheel" "$FIXTURE_URL$(fixture_pypi_file fx-lib fx_lib-1.1-py3-none-any.whl)" || fail "fixture wheel"
    before=$(fixture_method_hits POST)
    for path in /pypi/legacy/ /pypi/; do
        # what `twine upload` sends
        http POST "$CORDON_URL$path" -u '__token__:pypi-not-a-real-token' \
            -F ':action=file_upload' -F 'protocol_version=1' -F 'metadata_version=2.1' \
            -F 'name=fx-lib' -F 'version=9.9' -F 'filetype=bdist_wheel' -F 'pyversion=py3' \
            -F "sha256_digest=$(sha256_of "$wheel")" -F "content=@$wheel;type=application/octet-stream"
        expect_status 405 "twine-style POST $path"
        assert_eq publish_forbidden "$(json_eval "$HTTP_BODY" 'd["reason"]')" "reason for POST $path"
        assert_contains "$(header allow)" "GET" "Allow header for POST $path"
    done
    for path in /pypi/simple/fx-lib/ /pypi/files/fx-lib/fx_lib-1.1-py3-none-any.whl; do
        http PUT "$CORDON_URL$path" --data-binary "@$wheel"
        expect_status 405 "PUT $path"
        http DELETE "$CORDON_URL$path"
        expect_status 405 "DELETE $path"
    done
    after=$(fixture_method_hits POST)
    assert_eq "$before" "$after" "POSTs seen by the upstream"
    assert_eq 0 "$(fixture_method_hits PUT)" "PUTs seen by the upstream"
    assert_eq 0 "$(fixture_method_hits DELETE)" "DELETEs seen by the upstream"
    wait_for_decision 'r.get("reason") == "publish_forbidden" and r.get("ecosystem") == "pypi"' >/dev/null ||
        fail "no pypi publish_forbidden decision in cordon log"
}

t_hash_mismatch_pip() {
    local t=$IT_TMP/t-badhash out rc
    out=$(pip_in install --target "$t" bad-hash 2>&1)
    rc=$?
    echo "$out"
    pip_fail_expected "$rc" "pip install bad-hash (corrupt upstream wheel)"
    [[ -z $(pip_installed_version "$t" bad-hash) ]] || fail "bad-hash got installed"
    assert_contains "$out" "502" "pip output (cordon refused the file)"
}

t_hash_mismatch_http() {
    local up before after i
    up=$(fixture_pypi_file bad-hash bad_hash-1.0-py3-none-any.whl) || fail "fixture file"
    for i in 1 2; do
        before=$(fixture_hits "$up" GET)
        http GET "$CORDON_URL/pypi/files/bad-hash/bad_hash-1.0-py3-none-any.whl"
        expect_denial 502 integrity_mismatch bad-hash 1.0
        after=$(fixture_hits "$up" GET)
        (( after > before )) || fail "request $i was not fetched from the upstream (hits $before -> $after): a bad file was cached"
    done
    wait_for_decision 'r.get("reason") == "integrity_mismatch" and r.get("ecosystem") == "pypi" and r.get("package") == "bad-hash"' >/dev/null ||
        fail "no integrity_mismatch decision for bad-hash"
    # a corrupt PEP 658 .metadata is refused the same way
    http GET "$CORDON_URL/pypi/files/bad-meta/bad_meta-1.0-py3-none-any.whl.metadata"
    expect_denial 502 integrity_mismatch bad-meta 1.0
}

t_metadata() {
    local want
    page fx-lib "$JSON_T"
    want=$(json_eval "$HTTP_BODY" '[f for f in d["files"] if f["filename"] == "fx_lib-1.1-py3-none-any.whl"][0]["core-metadata"]["sha256"]') ||
        fail "no core-metadata for fx_lib-1.1-py3-none-any.whl in cordon's JSON page"
    http GET "$CORDON_URL/pypi/files/fx-lib/fx_lib-1.1-py3-none-any.whl.metadata"
    expect_status 200 ".metadata of a mature wheel"
    assert_eq "$want" "$(sha256_of "$HTTP_BODY")" "sha256 of the .metadata"
    assert_contains "$(body)" "Version: 1.1" ".metadata"
    assert_contains "$(body)" "Name: Fx_Lib" ".metadata"
}

t_decision_log() {
    wait_for_decision 'r.get("ecosystem") == "pypi" and r.get("package") == "fx-lib" and r.get("version") == "1.1" and r.get("decision") == "allow"' >/dev/null ||
        fail "no allow decision for fx-lib 1.1"
    wait_for_decision 'r.get("ecosystem") == "pypi" and r.get("package") == "fx-lib" and r.get("version") == "1.2" and r.get("decision") == "deny" and r.get("reason") == "quarantine"' >/dev/null ||
        fail "no quarantine decision for fx-lib 1.2"
    wait_for_decision 'r.get("ecosystem") == "pypi" and r.get("package") == "late-proj" and r.get("version") == "1.0" and r.get("decision") == "deny"' >/dev/null ||
        fail "no deny decision for the late wheel of late-proj 1.0"
}

t_malformed_page() {
    http GET "$CORDON_URL/pypi/simple/broken-page/" -H "Accept: $JSON_T"
    expect_status 502 "malformed upstream page"
    local err
    err=$(json_eval "$HTTP_BODY" 'd["error"]') || fail "502 body is not JSON with an error field: $(body)"
    [[ -n $err ]] || fail "empty error"
    local t=$IT_TMP/t-broken out rc
    out=$(pip_in install --target "$t" broken-page 2>&1)
    rc=$?
    echo "$out"
    pip_fail_expected "$rc" "pip install broken-page"
    assert_not_contains "$out" "Traceback" "pip output"
    http GET "$CORDON_URL/-/health"
    expect_status 200 "health after a malformed page"
}

t_relative_urls() {
    page rel-proj "$JSON_T"
    check_page json rel-proj "rel_proj-1.0-py3-none-any.whl"
    http GET "$CORDON_URL/pypi/files/rel-proj/rel_proj-1.0-py3-none-any.whl"
    expect_status 200 "a file listed with a relative URL upstream"
    assert_eq "$(fixture_pypi_file rel-proj rel_proj-1.0-py3-none-any.whl sha256)" "$(sha256_of "$HTTP_BODY")" "sha256"
}

t_unknown_hash_algorithm() {
    # upstream lists the file with only a blake3 hash: cordon cannot verify
    # it, so it must never serve it (whether or not the page lists it)
    http GET "$CORDON_URL/pypi/simple/odd-hash/" -H "Accept: $JSON_T"
    [[ $HTTP_STATUS == 200 || $HTTP_STATUS == 502 ]] || fail "odd-hash page: HTTP $HTTP_STATUS"
    http GET "$CORDON_URL/pypi/files/odd-hash/odd_hash-1.0-py3-none-any.whl"
    [[ $HTTP_STATUS != 200 ]] || fail "a file cordon could not verify was served"
    json_eval "$HTTP_BODY" 'd["reason"]' >/dev/null || fail "HTTP $HTTP_STATUS without a JSON reason: $(body)"
}

t_many_files() {
    page many-files "$JSON_T"
    assert_eq 500 "$(json_eval "$HTTP_BODY" 'len(d["files"])')" "files on the page"
    assert_eq 250 "$(json_eval "$HTTP_BODY" 'len(d["versions"])')" "versions on the page"
    json_eval "$HTTP_BODY" 'all(f["url"].startswith("'"$CORDON_URL"'/pypi/files/many-files/") for f in d["files"]) or 1/0' >/dev/null ||
        fail "not every URL rewritten"
    page many-files text/html
    assert_eq 500 "$(grep -o '<a ' "$HTTP_BODY" | wc -l | tr -d ' ')" "links on the HTML page"
}

t_unknown_project() {
    http GET "$CORDON_URL/pypi/simple/no-such-project/" -H "Accept: $JSON_T"
    expect_status 404 "unknown project"
}

# ------------------------------------------------------------------ run

run_test "fixture: pip installs straight from it (no cordon): newest versions" t_fixture_direct
run_test "index: JSON (PEP 691) lists held files as yanked with the reason; URLs, hashes, metadata, times kept" t_index_json
run_test "index: HTML (PEP 503) lists held files as data-yanked with the reason; #sha256, data-* attributes kept" t_index_html
run_test "index: Accept negotiation with q-values, HTML by default" t_negotiation
run_test "index: non-normalised project names redirect (301)" t_redirect
run_test "index: root project list" t_root_index
run_test "index: yanked and requires-python (HTML-escaped) kept" t_yanked_requires_python_index
run_test "index: unknown project 404" t_unknown_project
run_test "pip install: newest mature release, from cordon, PEP 658 metadata used" t_pip_install
run_test "pip install: mature release as a dependency" t_pip_dependency
run_test "pip install: requires-python and yanked honoured through cordon" t_pip_requires_python_yanked
run_test "pip install pkg==<held>: pip prints cordon's reason as the yank's, the file fails with 403" t_pip_pinned_held
run_test "held files: 403 denial with times; their .metadata is served" t_held_file_denied
run_test "pip download: held file fails (403), mature file verbatim" t_pip_download_held
run_test "pip install: non-normalised name" t_pip_non_normalized
run_test "late wheel for an old release held; the old sdist stays and installs" t_late_wheel
run_test "release whose every file is held: yanked, pip finds no installable version" t_whole_release_held
run_test "file without upload-time held from first seen" t_missing_upload_time
run_test "rule pypi:trusted-proj min_age 0 admits a new release" t_rule_exempt
run_test "uploads (twine-style POST, PUT, DELETE): 405 publish_forbidden, nothing forwarded" t_upload_refused
run_test "hash mismatch: pip install fails" t_hash_mismatch_pip
run_test "hash mismatch: 502 integrity_mismatch, nothing cached; bad .metadata too" t_hash_mismatch_http
run_test ".metadata (PEP 658) served for a mature wheel and verified" t_metadata
run_test "decision log: pypi allow and deny decisions" t_decision_log
run_test "malformed upstream page: 502 JSON error, pip fails cleanly" t_malformed_page
run_test "relative file URLs upstream are resolved" t_relative_urls
run_test "file with only an unknown hash algorithm is never served" t_unknown_hash_algorithm
run_test "big page: 500 files rewritten" t_many_files
finish
