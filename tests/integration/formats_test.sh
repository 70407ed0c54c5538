#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for the formats cordon reads: every archive format it
# serves is analysed or refused (PyPI .tar.bz2 / .tar.xz sdists and eggs;
# Maven wars, zips, ears, aars, tarballs, single compressed files, and a 7z it
# does not read), and maven-metadata.xml is read as XML, so a document
# written another well-formed way (<versions >, a comment or a CDATA section
# holding "</versioning>", a namespace prefix) is still filtered.  Through
# the real pip and mvn, and curl, in front of the fixture upstream
# (tests/fixtures/upstream.py with tests/fixtures/formats_spec.json).
# Everything runs on 127.0.0.1; no test needs the internet.
#
#   CORDON_BIN=build/cordon bash tests/integration/formats_test.sh
#
# One cordon, quarantine min_age 3d: the archives are old, so only analysis
# holds them; the metadata cases have a 1-day-old 2.0 that the window holds.
# pip never installs eggs (it has no installer for them), so eggs go through
# curl; without mvn or Debian's Maven plugins (scripts/deps.sh --test) the mvn
# cases are skipped.
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"
"$PYTHON" -m pip --version >/dev/null 2>&1 || setup_skip "pip not found ($PYTHON -m pip)"

DEBIAN_REPO=/usr/share/maven-repo
HAVE_MVN=1
MVN_MISSING=""
command -v mvn >/dev/null || { HAVE_MVN=0; MVN_MISSING="mvn not found"; }
command -v java >/dev/null || { HAVE_MVN=0; MVN_MISSING="java not found"; }
for p in maven-resources-plugin maven-compiler-plugin; do
    [[ -d $DEBIAN_REPO/org/apache/maven/plugins/$p ]] || { HAVE_MVN=0; MVN_MISSING="$DEBIAN_REPO has no $p (scripts/deps.sh --test)"; }
done

it_setup
start_fixture "$IT_ROOT/tests/fixtures/formats_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 3d }"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
UP_MAVEN=$FIXTURE_URL/maven2
G=org.cordon.fmt
GP=org/cordon/fmt

# ------------------------------------------------------------------ helpers

client_failed() { # RC OUT WHAT
    (( $1 != 0 )) || fail "$3 succeeded; output: $(printf '%s' "$2" | tail -n 20)"
    (( $1 != 124 && $1 != 137 )) || fail "$3 timed out"
}

# expect_malformed ECO PACKAGE VERSION DETAIL: the last answer is cordon's 403
# denial with reason malformed_archive whose error line holds DETAIL.
expect_malformed() {
    echo "denial: $(head -c 2000 "$HTTP_BODY")"
    expect_status 403 "the artifact of $2@$3"
    E=$1 P=$2 V=$3 DET=$4 check_json "$HTTP_BODY" '
e = env
want(d.get("reason") == "malformed_archive", "reason %r, expected malformed_archive" % d.get("reason"))
want(d.get("ecosystem") == e["E"], "ecosystem %r" % d.get("ecosystem"))
want(d.get("package") == e["P"], "package %r, expected %r" % (d.get("package"), e["P"]))
want(d.get("version") == e["V"], "version %r, expected %r" % (d.get("version"), e["V"]))
err = d.get("error") or ""
want(err.startswith("%s@%s is held by cordon" % (e["P"], e["V"])), "error line %r" % err)
want(e["DET"] in err, "error line does not contain %r: %r" % (e["DET"], err))
' "the denial of $2@$3"
}

# pypi_file_url PROJECT FILENAME: the file's URL on cordon's PEP 691 page.
pypi_file_url() {
    curl -s --max-time 30 -H 'Accept: application/vnd.pypi.simple.v1+json' "$CORDON_URL/pypi/simple/$1/" |
        "$PYTHON" -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    if f["filename"] == sys.argv[1]:
        print(f["url"].split("#")[0])
        sys.exit(0)
sys.exit("cordon lists no file %s" % sys.argv[1])' "$2"
}

# same_as_upstream FILE UPSTREAM_URL: the bytes cordon served are upstream's.
same_as_upstream() {
    curl -s --max-time 10 -o "$IT_TMP/upstream-copy" "$2" || fail "fixture: $2"
    cmp -s "$1" "$IT_TMP/upstream-copy" || fail "cordon's bytes differ from upstream's $2"
}

# metadata_eval FILE PYEXPR: a Python expression over maven-metadata.xml in
# FILE with every namespace prefix dropped (what a reader matching local
# names sees): m = {"latest", "release", "versions", "lastUpdated"}.
metadata_eval() {
    "$PYTHON" - "$1" "$2" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception as e:
    print("metadata_eval: not XML: %r" % (e,), file=sys.stderr)
    sys.exit(1)
for el in root.iter():
    el.tag = el.tag.split("}", 1)[-1]
def text(path):
    el = root.find(path)
    return el.text.strip() if el is not None and el.text else None
m = {"latest": text("versioning/latest"), "release": text("versioning/release"),
     "versions": [v.text.strip() for v in root.findall("versioning/versions/version") if v.text],
     "lastUpdated": text("versioning/lastUpdated")}
try:
    v = eval(sys.argv[2], {"m": m})
except Exception as e:
    print("metadata_eval: %s: %r" % (sys.argv[2], e), file=sys.stderr)
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))
PY
}

# ------------------------------------------------------------------ PyPI

t_pip_bz2_xz() {
    local proj out
    for proj in fmt-bz2 fmt-xz; do
        out=$(pip_in install --target "$IT_TMP/pip-$proj" "$proj==1.0" 2>&1) || fail "pip install $proj==1.0 failed: $out"
        echo "$out" | tail -n 5
        assert_pip_installed "$IT_TMP/pip-$proj" "$proj" 1.0
    done
    assert_contains "$(fixture_pypi_file fmt-bz2 fmt_bz2-1.0.tar.bz2)" ".tar.bz2" "the fixture's sdist"
}

t_pip_hostile_sdists() {
    local proj file detail out rc spec
    for spec in "fmt-bz2-evil fmt_bz2_evil-1.0.tar.bz2 climbs out of the archive" \
                "fmt-xz-evil fmt_xz_evil-1.0.tar.xz has an absolute path" \
                "fmt-xz-cut fmt_xz_cut-1.0.tar.xz xz data"; do
        read -r proj file detail <<<"$spec"
        out=$(pip_in install --target "$IT_TMP/pip-$proj" "$proj==1.0" 2>&1)
        rc=$?
        echo "$out" | tail -n 8
        client_failed "$rc" "$out" "pip install $proj==1.0"
        assert_contains "$out" "403" "pip output for $proj"
        [[ -z $(pip_installed_version "$IT_TMP/pip-$proj" "$proj") ]] || fail "$proj was installed"
        # analysis held it: the page lists it as yanked, the file route refuses it
        http GET "$CORDON_URL/pypi/files/$proj/$file"
        expect_malformed pypi "$proj" 1.0 "$detail"
        assert_contains "$(json_eval "$HTTP_BODY" 'd["error"]')" "$file" "the denial names the file"
    done
    [[ ! -e $IT_TMP/.bashrc && ! -e /etc/cron.d/fmt-xz-evil ]] || fail "a hostile entry landed on disk"
}

t_eggs() {
    local url
    url=$(pypi_file_url fmt-egg fmt_egg-1.0-py3.egg) || fail "cordon does not list the egg"
    http GET "$url"
    expect_status 200 "a clean egg"
    same_as_upstream "$HTTP_BODY" "$FIXTURE_URL$(fixture_pypi_file fmt-egg fmt_egg-1.0-py3.egg)"
    pypi_file_url fmt-egg fmt_egg-1.1-py3.egg >/dev/null || fail "cordon does not list the 1.1 egg (before analysis)"
    http GET "$CORDON_URL/pypi/files/fmt-egg/fmt_egg-1.1-py3.egg"
    expect_malformed pypi fmt-egg 1.1 "climbs out of the archive"
    http GET "$CORDON_URL/pypi/files/fmt-egg/fmt_egg-1.2-py3.egg"
    expect_malformed pypi fmt-egg 1.2 "fmt_egg-1.2-py3.egg"
    # once analysed, the held eggs stay in the page marked yanked with the
    # reason (PEP 592: pip skips them); the clean one stays as it was
    pypi_file_url fmt-egg fmt_egg-1.0-py3.egg >/dev/null || fail "the clean egg left the page"
    http GET "$CORDON_URL/pypi/simple/fmt-egg/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    check_json "$HTTP_BODY" '
y = {f["filename"]: f.get("yanked") for f in d["files"]}
want(y.get("fmt_egg-1.0-py3.egg") is False, "the clean egg: yanked %r" % y.get("fmt_egg-1.0-py3.egg"))
r = y.get("fmt_egg-1.1-py3.egg")
want(isinstance(r, str) and "malformed_archive" in r and "climbs out of the archive" in r, "the held 1.1 egg: yanked %r" % r)' "the page after analysis"
}

# ------------------------------------------------------------------ Maven

t_http_bundle_clean() {
    local f
    for f in fmt-bundle-1.0.zip fmt-bundle-1.0.ear fmt-bundle-1.0.aar fmt-bundle-1.0-bin.tar.gz \
             fmt-bundle-1.0-bin.tar.bz2 fmt-bundle-1.0-data.json.gz; do
        http GET "$MAVEN_REPO$GP/fmt-bundle/1.0/$f"
        expect_status 200 "$f (clean)"
        same_as_upstream "$HTTP_BODY" "$UP_MAVEN/$GP/fmt-bundle/1.0/$f"
    done
}

t_http_bundle_refused() {
    local spec v f detail
    for spec in "2.0 fmt-bundle-2.0.zip climbs out of the archive" \
                "3.0 fmt-bundle-3.0.war fmt-bundle-3.0.war" \
                "4.0 fmt-bundle-4.0.aar has an absolute path" \
                "5.0 fmt-bundle-5.0.7z cordon does not read .7z archives" \
                "6.0 fmt-bundle-6.0-bin.tar.xz climbs out of the archive" \
                "7.0 fmt-bundle-7.0.ear fmt-bundle-7.0.ear"; do
        read -r v f detail <<<"$spec"
        http GET "$MAVEN_REPO$GP/fmt-bundle/$v/$f"
        expect_malformed maven "$G:fmt-bundle" "$v" "$detail"
        # held: every file of the version, its checksums too
        http GET "$MAVEN_REPO$GP/fmt-bundle/$v/$f.sha1"
        expect_status 403 "$f.sha1 of a held version"
    done
}

mvn_war_project() { # DIR ARTIFACT
    new_maven_project "$1" "    <dependency><groupId>$G</groupId><artifactId>$2</artifactId><version>1.0</version><type>war</type></dependency>"
    printf 'package it;\npublic class App { public static void main(String[] a) { System.out.println("app"); } }\n' >"$1/src/main/java/it/App.java"
}

t_mvn_war() {
    local p=$IT_TMP/p-war repo=$IT_TMP/m2-war out rc
    mvn_war_project "$p" fmt-web
    out=$(IT_MVN_REPO=$repo mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 30
    (( rc == 0 )) || fail "mvn compile with a war dependency (clean) failed ($rc)"
    [[ -f $repo/$GP/fmt-web/1.0/fmt-web-1.0.war ]] || fail "the war is not in the local repository"
    same_as_upstream "$repo/$GP/fmt-web/1.0/fmt-web-1.0.war" "$UP_MAVEN/$GP/fmt-web/1.0/fmt-web-1.0.war"
    cp -a "$repo" "$IT_TMP/m2-plugins"
}

# a fresh local repository with the plugins the first build fetched
mvn_repo() {
    local r=$IT_TMP/m2-$1
    rm -rf "$r"
    if [[ -d $IT_TMP/m2-plugins ]]; then cp -a "$IT_TMP/m2-plugins" "$r"; else mkdir -p "$r"; fi
    rm -rf "${r:?}/$GP"
    printf '%s\n' "$r"
}

t_mvn_war_hostile() {
    local p=$IT_TMP/p-warevil repo out rc
    repo=$(mvn_repo warevil)
    mvn_war_project "$p" fmt-webevil
    out=$(IT_MVN_REPO=$repo mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 30
    mvn_fail_expected "$rc" "mvn compile with a war holding ../../../../tmp/cordon-fmt-evil.jsp"
    grep -qE 'status: 403|403 ' <<<"$out" || fail "mvn output does not show the 403"
    [[ ! -e $repo/$GP/fmt-webevil/1.0/fmt-webevil-1.0.war ]] || fail "the hostile war landed in the local repository"
    http GET "$MAVEN_REPO$GP/fmt-webevil/1.0/fmt-webevil-1.0.war"
    expect_malformed maven "$G:fmt-webevil" 1.0 "climbs out of the archive"
}

# ------------------------------------------------------------------ maven-metadata.xml

t_metadata_variants() {
    local a
    for a in fmt-meta-spaced fmt-meta-comment fmt-meta-cdata fmt-meta-ns; do
        # upstream's document, read as XML, lists the held 2.0
        curl -s --max-time 10 -o "$IT_TMP/up-$a.xml" "$UP_MAVEN/$GP/$a/maven-metadata.xml" || fail "fixture metadata of $a"
        assert_eq '["1.0", "1.1", "2.0"]' "$(metadata_eval "$IT_TMP/up-$a.xml" 'm["versions"]')" "upstream versions of $a (fixture)"
        http GET "$MAVEN_REPO$GP/$a/maven-metadata.xml"
        expect_status 200 "maven-metadata.xml of $a"
        cat "$HTTP_BODY"
        assert_eq '["1.0", "1.1"]' "$(metadata_eval "$HTTP_BODY" 'm["versions"]')" "versions of $a (2.0 held)"
        assert_eq 1.1 "$(metadata_eval "$HTTP_BODY" 'm["latest"]')" "latest of $a"
        assert_eq 1.1 "$(metadata_eval "$HTTP_BODY" 'm["release"]')" "release of $a"
        assert_not_contains "$(body)" "2.0" "$a as served (the held version, anywhere)"
        [[ $(metadata_eval "$HTTP_BODY" 'm["lastUpdated"]') != "$(metadata_eval "$IT_TMP/up-$a.xml" 'm["lastUpdated"]')" ]] ||
            fail "$a: lastUpdated is still upstream's (the held 2.0's time)"
        http GET "$MAVEN_REPO$GP/$a/2.0/$a-2.0.jar"
        expect_status 403 "the held 2.0 jar of $a"
    done
}

t_gzip_documents() {
    gzip_document "the PyPI page (HTML)" "$CORDON_URL/pypi/simple/fmt-bz2/"
    gzip_document "the PyPI page (JSON)" "$CORDON_URL/pypi/simple/fmt-bz2/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    gzip_document "maven-metadata.xml" "$MAVEN_REPO$GP/fmt-meta-spaced/maven-metadata.xml"
    # its checksum is of the identity bytes whatever the client accepts
    http GET "$MAVEN_REPO$GP/fmt-meta-spaced/maven-metadata.xml"
    local sum
    sum=$(sha1sum "$HTTP_BODY" | cut -c1-40)
    http GET "$MAVEN_REPO$GP/fmt-meta-spaced/maven-metadata.xml.sha1" -H 'Accept-Encoding: gzip'
    expect_status 200 "maven-metadata.xml.sha1"
    [[ -z $(header content-encoding) ]] || fail "the checksum sent with Content-Encoding"
    assert_eq "$sum" "$(head -c 40 "$HTTP_BODY")" "the checksum of the identity document"
}

t_metadata_variants_mvn() {
    local p=$IT_TMP/p-meta repo out rc deps="" a cls body=""
    repo=$(mvn_repo meta)
    for a in fmt-meta-spaced fmt-meta-comment fmt-meta-cdata; do
        deps+=$(mvn_dep "$G" "$a" '[1.0,3.0)')
        cls=$("$PYTHON" -c 'import re, sys; print("".join(p[:1].upper() + p[1:] for p in re.split("[^A-Za-z0-9]+", sys.argv[1]) if p))' "$a")
        body+="System.out.println(\"$a=\" + org.cordon.fmt.$cls.VERSION); "
    done
    new_maven_project "$p" "$deps"
    printf 'package it;\npublic class App { public static void main(String[] a) { %s} }\n' "$body" >"$p/src/main/java/it/App.java"
    out=$(IT_MVN_REPO=$repo mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 40
    (( rc == 0 )) || fail "mvn compile with [1.0,3.0) ranges over the rewritten documents failed ($rc): mvn saw the held 2.0?"
    for a in fmt-meta-spaced fmt-meta-comment fmt-meta-cdata; do
        assert_eq 1.1 "$(mvn_local_versions "$repo" "$G" "$a")" "$a jars in the local repository"
    done
    assert_contains "$(cd "$p" && timeout 30 java -cp "target/classes:$repo/$GP/fmt-meta-spaced/1.1/fmt-meta-spaced-1.1.jar:$repo/$GP/fmt-meta-comment/1.1/fmt-meta-comment-1.1.jar:$repo/$GP/fmt-meta-cdata/1.1/fmt-meta-cdata-1.1.jar" it.App)" \
        "fmt-meta-cdata=1.1" "the compiled App"
}

# ------------------------------------------------------------------ run

need_mvn() {
    if (( HAVE_MVN )); then run_test "$1" "$2"; else client_missing "$1" "$MVN_MISSING"; fi
}

run_test "pip installs .tar.bz2 and .tar.xz sdists (analysed, clean)" t_pip_bz2_xz
run_test "pip: .tar.bz2/.tar.xz sdists with hostile or cut content are refused (malformed_archive)" t_pip_hostile_sdists
run_test "eggs: a clean one is served as upstream's bytes, a hostile or cut one refused" t_eggs
run_test "Maven zip, ear, aar, tar.gz, tar.bz2, json.gz: analysed and served verbatim" t_http_bundle_clean
run_test "Maven zip/war/aar/tar.xz/ear with hostile or cut content, and a 7z: refused, every file" t_http_bundle_refused
need_mvn "mvn: a war dependency (clean) resolves through cordon" t_mvn_war
need_mvn "mvn: a war with a ../ entry is refused, mvn fails with the 403" t_mvn_war_hostile
run_test "PyPI pages (HTML, JSON) and maven-metadata.xml in gzip to clients that accept it; checksums of the identity bytes" t_gzip_documents
run_test "maven-metadata.xml with <versions >, a comment, CDATA, a namespace prefix: 2.0 held, latest/release 1.1" t_metadata_variants
need_mvn "mvn: [1.0,3.0) over those documents resolves 1.1, never the held 2.0" t_metadata_variants_mvn
finish
