#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for cordon's Maven module: the real mvn through cordon, in
# front of the fixture upstream's Maven 2 layout repository
# (tests/fixtures/upstream.py with tests/fixtures/maven_spec.json: generated
# jars, POMs, checksums and maven-metadata.xml with publish times relative to
# now, plus Debian's packaged Maven repository /usr/share/maven-repo for the
# plugins a build needs).  Everything runs on 127.0.0.1; no test needs the
# internet.
#
#   CORDON_BIN=build/cordon bash tests/integration/maven_test.sh
#
# One cordon: quarantine min_age 7d, maven:org.cordon.fx:fx-trusted exempt
# (min_age 0).  Every mvn run is batch mode with a settings.xml whose only
# content is a <mirror> of * at cordon's /maven/, an empty global settings
# file and its own empty local repository (lib.sh mvn_in), under timeout(1).
# The Debian packages providing the plugins are in scripts/deps.sh --test.
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEBIAN_REPO=/usr/share/maven-repo
# the plugins of a jar project's default lifecycle, as Debian packages them
DEBIAN_PLUGINS="maven-resources-plugin maven-compiler-plugin maven-surefire-plugin maven-jar-plugin maven-install-plugin maven-deploy-plugin"

command -v curl >/dev/null || setup_skip "curl not found"
command -v mvn >/dev/null || setup_skip "mvn not found (scripts/deps.sh --test installs maven)"
command -v java >/dev/null || setup_skip "java not found"
for p in $DEBIAN_PLUGINS; do
    [[ -d $DEBIAN_REPO/org/apache/maven/plugins/$p ]] ||
        setup_skip "$DEBIAN_REPO has no $p (run scripts/deps.sh --test: Debian's libmaven-*-java plugin packages)"
done

it_setup
start_fixture "$IT_ROOT/tests/fixtures/maven_spec.json"
CORDON_QUARANTINE_YAML='{ min_age: 7d, rules: [ { match: "maven:org.cordon.fx:fx-trusted", min_age: 0 } ] }'
start_cordon "$UPSTREAM_URL" "" "$FIXTURE_URL/maven2"
MVN_VERSION=$(MAVEN_SKIP_RC=1 timeout 30 mvn -v 2>&1)
note "mvn: ${MVN_VERSION%%$'\n'*}"

G=org.cordon.fx
GP=org/cordon/fx
UP_MAVEN=$FIXTURE_URL/maven2

# ------------------------------------------------------------------ helpers

# app_source DIR CLASS...: src/main/java/it/App.java printing CLASS.VERSION of
# each fixture class (org.cordon.fx.FxLib, ...): compiles only when the jar
# is really on the class path.
app_source() {
    local dir=$1 c body=""
    shift
    for c in "$@"; do
        body+="        System.out.println(\"$c=\" + $c.VERSION);"$'\n'
    done
    mkdir -p "$dir/src/main/java/it"
    cat >"$dir/src/main/java/it/App.java" <<EOF
package it;

public class App {
    public static void main(String[] args) {
$body    }
}
EOF
}

# snapshot_repos: a <repositories> block that lets mvn resolve snapshots (the
# mirror of * inherits the policy); the URL is never used.
snapshot_repos() {
    cat <<'EOF'
  <repositories>
    <repository>
      <id>fx-snapshots</id>
      <url>http://127.0.0.1:9/unused</url>
      <releases><enabled>true</enabled></releases>
      <snapshots><enabled>true</enabled><updatePolicy>always</updatePolicy></snapshots>
    </repository>
  </repositories>
EOF
}

# metadata_eval FILE PYEXPR: a Python expression over the parsed
# maven-metadata.xml in FILE: m = {"groupId", "artifactId", "latest",
# "release", "versions" (list), "lastUpdated", "plugins" (prefixes)}.
metadata_eval() {
    "$PYTHON" - "$1" "$2" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception as e:
    print("metadata_eval: not XML: %r" % (e,), file=sys.stderr)
    sys.exit(1)
def strip(t):
    return t.split("}", 1)[-1]
for el in root.iter():
    el.tag = strip(el.tag)
def text(path):
    el = root.find(path)
    return el.text.strip() if el is not None and el.text else None
m = {"groupId": text("groupId"), "artifactId": text("artifactId"),
     "latest": text("versioning/latest"), "release": text("versioning/release"),
     "versions": [v.text.strip() for v in root.findall("versioning/versions/version") if v.text],
     "lastUpdated": text("versioning/lastUpdated"),
     "plugins": [p.text.strip() for p in root.findall("plugins/plugin/prefix") if p.text]}
try:
    v = eval(sys.argv[2], {"m": m})
except Exception as e:
    print("metadata_eval: %s: %r" % (sys.argv[2], e), file=sys.stderr)
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))
PY
}

hash_of() { "$PYTHON" -c 'import hashlib, sys; print(hashlib.new(sys.argv[1], open(sys.argv[2], "rb").read()).hexdigest())' "$1" "$2"; }

# first_token FILE: the first whitespace-separated word of a checksum file, lower-cased.
first_token() { awk 'NF { print tolower($1); exit }' "$1"; }

# status_line: the status line of the last http() answer (without CR).
status_line() { head -n 1 "$HTTP_HEADERS.raw" | tr -d '\r'; }

# expect_denial STATUS REASON PACKAGE VERSION: the last answer is cordon's
# denial object for this Maven version.
expect_denial() {
    expect_status "$1" "denial"
    local D_error="" D_reason="" D_ecosystem="" D_package="" D_version=""
    eval "$(json_eval "$HTTP_BODY" '"\n".join("D_%s=%s" % (k, __import__("shlex").quote(str(d.get(k) or ""))) for k in ("error", "reason", "ecosystem", "package", "version"))')" ||
        fail "denial body is not JSON: $(body)"
    echo "denial: $(body)"
    assert_eq "$2" "$D_reason" "reason"
    assert_eq maven "$D_ecosystem" "ecosystem"
    assert_eq "$3" "$D_package" "package"
    [[ -z $4 ]] || assert_eq "$4" "$D_version" "version"
    [[ $D_error == *"${3#*:}"* ]] || fail "error line does not name ${3#*:}: $D_error"
}

# the line of mvn's output that carries the HTTP status STATUS
status_in_output() { grep -m 1 -E "status: $1|$1 " <<<"$2" || true; }

# ------------------------------------------------------------------ cases

# The fixture itself, without cordon: mvn takes the newest of everything in
# range (fx-lib 1.2), a timestamped SNAPSHOT, and Maven's default plugins
# (Debian's relocations) -- with strict checksums, so the fixture's checksum
# files (also 'hex  filename' ones) are right.
t_fixture_direct() {
    local p=$IT_TMP/p-direct repo=$IT_TMP/m2-direct out rc
    new_maven_project "$p" "$(mvn_dep "$G" fx-lib '[1.0,2.0)')$(mvn_dep "$G" fx-app 1.0)$(mvn_dep "$G" fx-snap 1.1-SNAPSHOT)" "$(snapshot_repos)"
    app_source "$p" org.cordon.fx.FxLib org.cordon.fx.FxSnap
    mvn_settings "$IT_TMP/maven/settings-direct.xml" "$UP_MAVEN/"
    out=$(IT_MVN_SETTINGS=$IT_TMP/maven/settings-direct.xml IT_MVN_REPO=$repo mvn_in "$p" -C package)
    rc=$?
    echo "$out" | tail -n 60
    (( rc == 0 )) || fail "mvn package straight from the fixture failed ($rc): a fixture problem, not cordon's"
    assert_eq 1.2 "$(mvn_local_versions "$repo" "$G" fx-lib)" "fx-lib jars in the local repository"
    assert_eq 1.1-SNAPSHOT "$(mvn_local_versions "$repo" "$G" fx-snap)" "fx-snap jars in the local repository"
    [[ -f $p/target/it-app-1.0.jar ]] || fail "no target/it-app-1.0.jar"
    assert_contains "$(cd "$p" && timeout 30 java -cp target/classes it.App)" "org.cordon.fx.FxLib=1.2" "the compiled App"
}

# Through cordon: [1.0,2.0) resolves to the newest mature version by Maven's
# order (1.1: 1.2 is held; 1.0.5 is newer but lower), plugins come through
# cordon too, strict checksums hold for every file cordon served.
t_build_range() {
    local p=$IT_TMP/p-range repo=$IT_TMP/m2-range out rc jar held_before
    held_before=$(fixture_hits "/maven2/$GP/fx-lib/1.2/fx-lib-1.2.jar" GET)
    new_maven_project "$p" "$(mvn_dep "$G" fx-lib '[1.0,2.0)')$(mvn_dep "$G" fx-app 1.0)"
    app_source "$p" org.cordon.fx.FxLib org.cordon.fx.FxApp
    out=$(IT_MVN_REPO=$repo mvn_in "$p" -C package)
    rc=$?
    echo "$out" | tail -n 80
    (( rc == 0 )) || fail "mvn package through cordon failed ($rc)"
    assert_eq 1.1 "$(mvn_local_versions "$repo" "$G" fx-lib)" "fx-lib jars in the local repository"
    assert_eq 1.0 "$(mvn_local_versions "$repo" "$G" fx-app)" "fx-app jars in the local repository"
    [[ ! -e $repo/$GP/fx-lib/1.2 ]] || fail "mvn saw fx-lib 1.2 at all: $(ls "$repo/$GP/fx-lib/1.2")"
    assert_contains "$(cd "$p" && timeout 30 java -cp target/classes it.App)" "org.cordon.fx.FxLib=1.1" "the compiled App"
    jar=$repo/$GP/fx-lib/1.1/fx-lib-1.1.jar
    curl -s --max-time 10 -o "$IT_TMP/up-fx-lib-1.1.jar" "$UP_MAVEN/$GP/fx-lib/1.1/fx-lib-1.1.jar" || fail "fixture jar"
    assert_eq "$(hash_of sha256 "$IT_TMP/up-fx-lib-1.1.jar")" "$(hash_of sha256 "$jar")" "sha256 of fx-lib-1.1.jar (upstream's bytes)"
    assert_contains "$out" "Downloaded from cordon: $MAVEN_REPO$GP/fx-lib/1.1/fx-lib-1.1.jar" "mvn output (jar from cordon)"
    assert_not_contains "$out" "127.0.0.1:$UPORT" "mvn output (never the upstream)"
    # the default lifecycle's plugins (Debian's) were resolved through cordon
    assert_contains "$out" "Downloaded from cordon: ${MAVEN_REPO}org/apache/maven/plugins/maven-compiler-plugin/" "mvn output (compiler plugin from cordon)"
    (( $(fixture_hits /maven2/org/apache/maven/plugins/maven-compiler-plugin/3.10.1/maven-compiler-plugin-3.10.1.jar GET) >= 1 )) ||
        fail "cordon never fetched the compiler plugin from the upstream"
    assert_eq "$held_before" "$(fixture_hits "/maven2/$GP/fx-lib/1.2/fx-lib-1.2.jar" GET)" "upstream GETs of the held jar (the direct build made $held_before)"
}

t_pinned_held() {
    local p=$IT_TMP/p-held repo=$IT_TMP/m2-held out rc line
    new_maven_project "$p" "$(mvn_dep "$G" fx-lib 1.2)"
    app_source "$p" org.cordon.fx.FxLib
    out=$(IT_MVN_REPO=$repo mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 40
    mvn_fail_expected "$rc" "mvn compile with fx-lib 1.2 (held) pinned"
    assert_contains "$out" "BUILD FAILURE" "mvn output"
    line=$(status_in_output 403 "$out")
    [[ -n $line ]] || fail "mvn output does not show the 403"
    echo "status line in mvn output: $line"
    assert_contains "$line" "fx-lib" "the line with the 403"
    [[ ${line,,} == *quarantin* || ${line,,} == *cordon* ]] ||
        fail "the status line mvn shows does not mention cordon or the quarantine: $line"
    [[ -z $(mvn_local_versions "$repo" "$G" fx-lib) ]] || fail "a fx-lib jar landed in the local repository"
}

t_held_http() {
    local f sl
    for f in fx-lib-1.2.pom fx-lib-1.2.jar fx-lib-1.2.jar.sha1 fx-lib-1.2.pom.sha1 fx-lib-1.2.jar.md5 fx-lib-1.2-sources.jar; do
        http GET "$MAVEN_REPO$GP/fx-lib/1.2/$f"
        expect_denial 403 quarantine "$G:fx-lib" 1.2
        echo "status line: $(status_line)"
        sl=$(status_line); sl=${sl,,}
        [[ $sl == *quarantin* || $sl == *cordon* ]] ||
            fail "$f: the status line does not mention cordon or the quarantine: $(status_line)"
    done
    json_eval "$HTTP_BODY" 'd["published_at"] and d["eligible_at"] and d["alternative"] == "1.1" or 1/0' >/dev/null ||
        fail "denial without published_at / eligible_at / alternative 1.1: $(body)"
    http HEAD "$MAVEN_REPO$GP/fx-lib/1.2/fx-lib-1.2.jar" -I
    expect_status 403 "HEAD of the held jar"
    http GET "$MAVEN_REPO$GP/fx-lib/2.0/fx-lib-2.0.pom"
    expect_denial 403 quarantine "$G:fx-lib" 2.0
}

t_metadata() {
    local up=$IT_TMP/up-fx-lib-meta.xml up_updated now
    curl -s --max-time 10 -o "$up" "$UP_MAVEN/$GP/fx-lib/maven-metadata.xml" || fail "fixture metadata"
    assert_eq 2.0 "$(metadata_eval "$up" 'm["release"]')" "upstream release (fixture)"
    http GET "$MAVEN_REPO$GP/fx-lib/maven-metadata.xml"
    expect_status 200 "maven-metadata.xml of fx-lib"
    cat "$HTTP_BODY"
    assert_not_contains "$(body)" "127.0.0.1:$UPORT" "metadata"
    assert_eq "$G" "$(metadata_eval "$HTTP_BODY" 'm["groupId"]')" "groupId"
    assert_eq fx-lib "$(metadata_eval "$HTTP_BODY" 'm["artifactId"]')" "artifactId"
    assert_eq '["1.0", "1.0.5", "1.1-rc1", "1.1"]' "$(metadata_eval "$HTTP_BODY" 'm["versions"]')" "versions (1.2 and 2.0 held)"
    assert_eq 1.1 "$(metadata_eval "$HTTP_BODY" 'm["latest"]')" "latest"
    assert_eq 1.1 "$(metadata_eval "$HTTP_BODY" 'm["release"]')" "release"
    up_updated=$(metadata_eval "$up" 'm["lastUpdated"]')
    now=$(date -u +%Y%m%d%H%M%S)
    metadata_eval "$HTTP_BODY" 'len(m["lastUpdated"]) == 14 and m["lastUpdated"].isdigit() or 1/0' >/dev/null ||
        fail "lastUpdated is not yyyyMMddHHmmss: $(metadata_eval "$HTTP_BODY" 'm["lastUpdated"]')"
    [[ $(metadata_eval "$HTTP_BODY" 'm["lastUpdated"]') != "$up_updated" ]] || fail "lastUpdated not recomputed (still upstream's $up_updated, the held 1.2's time)"
    [[ $(metadata_eval "$HTTP_BODY" 'm["lastUpdated"]') -le $((now + 100)) ]] || fail "lastUpdated in the future"
}

t_metadata_checksums() {
    local doc1 doc2 algo
    http GET "$MAVEN_REPO$GP/fx-lib/maven-metadata.xml"
    expect_status 200 "maven-metadata.xml"
    doc1=$HTTP_BODY
    for algo in sha1 md5 sha256 sha512; do
        http GET "$MAVEN_REPO$GP/fx-lib/maven-metadata.xml.$algo"
        expect_status 200 "maven-metadata.xml.$algo"
        assert_eq "$(hash_of "$algo" "$doc1")" "$(first_token "$HTTP_BODY")" "maven-metadata.xml.$algo against the served document"
    done
    http GET "$MAVEN_REPO$GP/fx-lib/maven-metadata.xml"
    doc2=$HTTP_BODY
    cmp -s "$doc1" "$doc2" || fail "two requests for the same maven-metadata.xml gave different documents"
    # a document whose every version is mature passes with its checksums intact
    http GET "$MAVEN_REPO${GP}/fx-app/maven-metadata.xml"
    expect_status 200 "maven-metadata.xml of fx-app"
    assert_eq '["1.0"]' "$(metadata_eval "$HTTP_BODY" 'm["versions"]')" "fx-app versions"
    doc1=$HTTP_BODY
    http GET "$MAVEN_REPO${GP}/fx-app/maven-metadata.xml.sha1"
    expect_status 200 "fx-app maven-metadata.xml.sha1"
    assert_eq "$(hash_of sha1 "$doc1")" "$(first_token "$HTTP_BODY")" "fx-app maven-metadata.xml.sha1"
}

t_metadata_others() {
    # Debian's plugin versions are old: all listed
    http GET "${MAVEN_REPO}org/apache/maven/plugins/maven-compiler-plugin/maven-metadata.xml"
    expect_status 200 "metadata of a Debian plugin"
    assert_eq '["3.1", "3.2", "3.6.2", "3.10.1"]' "$(metadata_eval "$HTTP_BODY" 'm["versions"]')" "maven-compiler-plugin versions"
    # group-level metadata (plugin prefixes) is passed through
    http GET "${MAVEN_REPO}org/apache/maven/plugins/maven-metadata.xml"
    expect_status 200 "group-level metadata"
    metadata_eval "$HTTP_BODY" '"compiler" in m["plugins"] or 1/0' >/dev/null || fail "no compiler prefix in group metadata: $(body)"
    # rule min_age 0 for fx-trusted: the 1 h old 1.1 is listed and served
    http GET "$MAVEN_REPO$GP/fx-trusted/maven-metadata.xml"
    expect_status 200 "fx-trusted metadata"
    assert_eq '["1.0", "1.1"]' "$(metadata_eval "$HTTP_BODY" 'm["versions"]')" "fx-trusted versions (rule min_age 0)"
    http GET "$MAVEN_REPO$GP/fx-trusted/1.1/fx-trusted-1.1.jar"
    expect_status 200 "fx-trusted 1.1 jar (rule min_age 0)"
    # no Last-Modified on the POM: first seen now, so held
    http GET "$MAVEN_REPO$GP/fx-notime/maven-metadata.xml"
    expect_status 200 "fx-notime metadata"
    assert_eq '["1.0"]' "$(metadata_eval "$HTTP_BODY" 'm["versions"]')" "fx-notime versions (1.1 has no Last-Modified)"
    http GET "$MAVEN_REPO$GP/fx-notime/1.1/fx-notime-1.1.pom"
    expect_status 403 "fx-notime 1.1 (no Last-Modified upstream)"
}

t_artifact_checksums() {
    local jar algo f
    http GET "$MAVEN_REPO$GP/fx-lib/1.1/fx-lib-1.1.jar"
    expect_status 200 "fx-lib 1.1 jar"
    jar=$HTTP_BODY
    curl -s --max-time 10 -o "$IT_TMP/up-1.1.jar" "$UP_MAVEN/$GP/fx-lib/1.1/fx-lib-1.1.jar" || fail "fixture jar"
    cmp -s "$jar" "$IT_TMP/up-1.1.jar" || fail "cordon's fx-lib-1.1.jar differs from upstream's"
    for algo in sha1 md5 sha256 sha512; do
        http GET "$MAVEN_REPO$GP/fx-lib/1.1/fx-lib-1.1.jar.$algo"
        expect_status 200 "fx-lib-1.1.jar.$algo"
        echo "$algo: $(body)"
        assert_eq "$(hash_of "$algo" "$jar")" "$(first_token "$HTTP_BODY")" "fx-lib-1.1.jar.$algo"
    done
    http GET "$MAVEN_REPO$GP/fx-lib/1.1/fx-lib-1.1.pom.sha1"
    expect_status 200 "fx-lib-1.1.pom.sha1"
    curl -s --max-time 10 -o "$IT_TMP/up-1.1.pom" "$UP_MAVEN/$GP/fx-lib/1.1/fx-lib-1.1.pom" || fail "fixture pom"
    assert_eq "$(hash_of sha1 "$IT_TMP/up-1.1.pom")" "$(first_token "$HTTP_BODY")" "fx-lib-1.1.pom.sha1"
    http HEAD "$MAVEN_REPO$GP/fx-lib/1.1/fx-lib-1.1.jar" -I
    expect_status 200 "HEAD of a mature jar"
    # upper-case hex upstream is accepted
    http GET "$MAVEN_REPO$GP/fx-upper/1.0/fx-upper-1.0.jar"
    expect_status 200 "fx-upper 1.0 jar (upstream .sha1 in upper case)"
    # a Debian file (reached through a symlink upstream)
    f=org/apache/maven/plugins/maven-surefire-plugin/2.22.3/maven-surefire-plugin-2.22.3.jar
    http GET "$MAVEN_REPO$f"
    expect_status 200 "$f"
    assert_eq "$(hash_of sha1 "$DEBIAN_REPO/$f")" "$(hash_of sha1 "$HTTP_BODY")" "sha1 of $f"
}

t_checksum_mismatch_build() {
    local p=$IT_TMP/p-bad repo=$IT_TMP/m2-bad out rc
    new_maven_project "$p" "$(mvn_dep "$G" fx-bad 1.0)"
    app_source "$p" org.cordon.fx.FxBad
    # Maven's default checksum policy only warns: cordon is what must stop it
    out=$(IT_MVN_REPO=$repo mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 40
    mvn_fail_expected "$rc" "mvn compile with fx-bad 1.0 (corrupt upstream jar)"
    [[ -n $(status_in_output 502 "$out") ]] || fail "mvn output does not show the 502"
    [[ -z $(mvn_local_versions "$repo" "$G" fx-bad) ]] || fail "the corrupt jar landed in the local repository"
}

t_checksum_mismatch_http() {
    local up=/maven2/$GP/fx-bad/1.0/fx-bad-1.0.jar before after i
    for i in 1 2; do
        before=$(fixture_hits "$up" GET)
        http GET "$MAVEN_REPO$GP/fx-bad/1.0/fx-bad-1.0.jar"
        expect_denial 502 integrity_mismatch "$G:fx-bad" 1.0
        after=$(fixture_hits "$up" GET)
        (( after > before )) || fail "request $i was not fetched from the upstream (hits $before -> $after): a bad jar was cached"
    done
    http GET "$MAVEN_REPO$GP/fx-bad/1.0/fx-bad-1.0.jar.sha1"
    [[ $HTTP_STATUS != 200 ]] || fail "a checksum of unverified bytes was served: $(body)"
    # the POM is fine and served
    http GET "$MAVEN_REPO$GP/fx-bad/1.0/fx-bad-1.0.pom"
    expect_status 200 "fx-bad POM (not corrupt)"
    wait_for_decision 'r.get("reason") == "integrity_mismatch" and r.get("ecosystem") == "maven" and r.get("package") == "org.cordon.fx:fx-bad"' >/dev/null ||
        fail "no integrity_mismatch decision for fx-bad"
}

t_weak_checksum_only() {
    # upstream offers only an .md5: cordon cannot verify to its standard
    http GET "$MAVEN_REPO$GP/fx-md5only/1.0/fx-md5only-1.0.jar"
    [[ $HTTP_STATUS != 200 ]] || fail "a jar with only an .md5 upstream was served"
    json_eval "$HTTP_BODY" 'd["reason"]' >/dev/null || fail "HTTP $HTTP_STATUS without a JSON reason: $(body)"
}

t_deploy_mvn() {
    local p=$IT_TMP/p-deploy repo=$IT_TMP/m2-deploy out rc puts
    new_maven_project "$p" "$(mvn_dep "$G" fx-lib 1.1)" "  <distributionManagement>
    <repository><id>cordon-deploy</id><url>$MAVEN_REPO</url></repository>
    <snapshotRepository><id>cordon-deploy</id><url>$MAVEN_REPO</url></snapshotRepository>
  </distributionManagement>"
    app_source "$p" org.cordon.fx.FxLib
    out=$(IT_MVN_REPO=$repo mvn_in "$p" deploy)
    rc=$?
    echo "$out" | tail -n 40
    mvn_fail_expected "$rc" "mvn deploy to cordon"
    assert_contains "$out" "Uploading to cordon-deploy: $MAVEN_REPO" "mvn output (the deploy was attempted)"
    [[ -n $(status_in_output 405 "$out") ]] || fail "mvn output does not show the 405"
    puts=$(fixture_method_hits PUT)
    assert_eq 0 "$puts" "PUTs seen by the upstream"
    wait_for_decision 'r.get("reason") == "publish_forbidden" and r.get("ecosystem") == "maven"' >/dev/null ||
        fail "no maven publish_forbidden decision in cordon log"
}

t_deploy_http() {
    local path m
    printf 'not a jar\n' >"$IT_TMP/upload.jar"
    for path in "$GP/fx-lib/9.9/fx-lib-9.9.jar" "$GP/fx-lib/1.1/fx-lib-1.1.jar" "$GP/fx-lib/maven-metadata.xml" "x"; do
        for m in PUT POST DELETE; do
            if [[ $m == DELETE ]]; then
                http "$m" "$MAVEN_REPO$path"
            else
                http "$m" "$MAVEN_REPO$path" --data-binary "@$IT_TMP/upload.jar"
            fi
            expect_status 405 "$m /maven/$path"
            assert_eq publish_forbidden "$(json_eval "$HTTP_BODY" 'd["reason"]')" "reason for $m /maven/$path"
            assert_contains "$(header allow)" "GET" "Allow header for $m /maven/$path"
        done
    done
    for m in PUT POST DELETE; do
        assert_eq 0 "$(fixture_method_hits "$m")" "${m}s seen by the upstream"
    done
    # the mature jar is still served
    http GET "$MAVEN_REPO$GP/fx-lib/1.1/fx-lib-1.1.jar"
    expect_status 200 "fx-lib 1.1 after the refused writes"
}

t_snapshot_http() {
    local f up
    http GET "$MAVEN_REPO$GP/fx-snap/maven-metadata.xml"
    expect_status 200 "fx-snap metadata"
    assert_eq '["1.0"]' "$(metadata_eval "$HTTP_BODY" 'm["versions"]')" "fx-snap versions (no SNAPSHOT)"
    assert_eq 1.0 "$(metadata_eval "$HTTP_BODY" 'm["latest"]')" "fx-snap latest"
    # the document whole, then its first <value>: no reader that stops early
    up=$(curl -s --max-time 10 "$UP_MAVEN/$GP/fx-snap/1.1-SNAPSHOT/maven-metadata.xml") || fail "fixture snapshot metadata"
    up=$(sed -n '/<value>/{s:.*<value>\(.*\)</value>.*:\1:p;q}' <<<"$up")
    [[ -n $up ]] || fail "fixture: no timestamped snapshot version"
    # the fixture-only build at the start fetched it directly: count from here
    local before
    before=$(fixture_hits "/maven2/$GP/fx-snap/1.1-SNAPSHOT/fx-snap-$up.jar" GET)
    for f in fx-snap-1.1-SNAPSHOT.pom fx-snap-1.1-SNAPSHOT.jar "fx-snap-$up.jar" "fx-snap-$up.pom.sha1"; do
        http GET "$MAVEN_REPO$GP/fx-snap/1.1-SNAPSHOT/$f"
        expect_status 403 "SNAPSHOT file $f"
        echo "$f: $(body)"
        assert_eq blocked "$(json_eval "$HTTP_BODY" 'd["reason"]')" "reason for $f"
        assert_eq maven "$(json_eval "$HTTP_BODY" 'd["ecosystem"]')" "ecosystem for $f"
        assert_eq "$G:fx-snap" "$(json_eval "$HTTP_BODY" 'd["package"]')" "package for $f"
        assert_contains "$(json_eval "$HTTP_BODY" 'd["version"]')" "1.1-" "version for $f"
    done
    http GET "$MAVEN_REPO$GP/fx-snap/1.1-SNAPSHOT/maven-metadata.xml"
    [[ $HTTP_STATUS != 200 ]] || fail "version-level metadata of a SNAPSHOT served: $(body)"
    assert_eq "$before" "$(fixture_hits "/maven2/$GP/fx-snap/1.1-SNAPSHOT/fx-snap-$up.jar" GET)" "upstream GETs of the SNAPSHOT jar through cordon"
}

t_snapshot_mvn() {
    local p=$IT_TMP/p-snap repo=$IT_TMP/m2-snap out rc
    new_maven_project "$p" "$(mvn_dep "$G" fx-snap 1.1-SNAPSHOT)" "$(snapshot_repos)"
    app_source "$p" org.cordon.fx.FxSnap
    out=$(IT_MVN_REPO=$repo mvn_in "$p" compile)
    rc=$?
    echo "$out" | tail -n 40
    mvn_fail_expected "$rc" "mvn compile with fx-snap 1.1-SNAPSHOT"
    [[ -n $(status_in_output 403 "$out") ]] || fail "mvn output does not show the 403"
    [[ -z $(mvn_local_versions "$repo" "$G" fx-snap) ]] || fail "a SNAPSHOT jar landed in the local repository"
}

t_malformed_metadata() {
    local err
    http GET "$MAVEN_REPO$GP/fx-broken/maven-metadata.xml"
    expect_status 502 "malformed upstream maven-metadata.xml"
    err=$(json_eval "$HTTP_BODY" 'd["error"]') || fail "502 body is not JSON with an error field: $(body)"
    [[ -n $err ]] || fail "empty error"
    http GET "$CORDON_URL/-/health"
    expect_status 200 "health after a malformed document"
}

t_not_layout() {
    local path
    for path in "" "org" "org/cordon/fx/fx-lib/1.1/../../../../etc/passwd" "org/cordon/fx/fx-lib/1.1/"; do
        http GET "$MAVEN_REPO$path" --path-as-is
        [[ $HTTP_STATUS == 4* ]] || fail "GET /maven/$path: HTTP $HTTP_STATUS, expected a 4xx"
    done
    http GET "$MAVEN_REPO$GP/no-such-artifact/1.0/no-such-artifact-1.0.pom"
    expect_status 404 "an artifact upstream does not have"
}

t_decision_log() {
    wait_for_decision 'r.get("ecosystem") == "maven" and r.get("package") == "org.cordon.fx:fx-lib" and r.get("version") == "1.1" and r.get("decision") == "allow"' >/dev/null ||
        fail "no allow decision for fx-lib 1.1"
    wait_for_decision 'r.get("ecosystem") == "maven" and r.get("package") == "org.cordon.fx:fx-lib" and r.get("version") == "1.2" and r.get("decision") == "deny" and r.get("reason") == "quarantine"' >/dev/null ||
        fail "no quarantine decision for fx-lib 1.2"
    wait_for_decision 'r.get("ecosystem") == "maven" and r.get("package") == "org.cordon.fx:fx-snap" and r.get("decision") == "deny" and r.get("reason") == "blocked"' >/dev/null ||
        fail "no blocked decision for the fx-snap SNAPSHOT"
}

# ------------------------------------------------------------------ run

run_test "fixture: mvn package straight from it (no cordon): newest in range, SNAPSHOT, Debian plugins" t_fixture_direct
run_test "mvn package through cordon: [1.0,2.0) -> newest mature 1.1, plugins through cordon, strict checksums" t_build_range
run_test "mvn: a dependency pinned to a held version fails, output names the 403" t_pinned_held
run_test "held version: every file 403 with the denial (reason phrase names it), HEAD too" t_held_http
run_test "maven-metadata.xml omits held versions, latest/release rewritten, lastUpdated recomputed" t_metadata
run_test "maven-metadata.xml checksums match the served document" t_metadata_checksums
run_test "metadata: Debian plugins, group level, rule min_age 0, no Last-Modified" t_metadata_others
run_test "artifacts verbatim; .sha1/.md5/.sha256/.sha512 from the verified bytes; HEAD; upper-case hex" t_artifact_checksums
run_test "checksum mismatch: mvn build fails (default checksum policy), nothing installed" t_checksum_mismatch_build
run_test "checksum mismatch: 502 integrity_mismatch, nothing cached" t_checksum_mismatch_http
run_test "jar with only an .md5 upstream is never served" t_weak_checksum_only
run_test "mvn deploy to cordon: 405, nothing forwarded, recorded" t_deploy_mvn
run_test "PUT/POST/DELETE under /maven/: 405 publish_forbidden, Allow: GET" t_deploy_http
run_test "SNAPSHOT: 403 blocked for every file, left out of maven-metadata.xml" t_snapshot_http
run_test "mvn: a SNAPSHOT dependency fails with the 403" t_snapshot_mvn
run_test "malformed upstream maven-metadata.xml: 502 JSON error" t_malformed_metadata
run_test "paths outside the Maven layout: 4xx" t_not_layout
run_test "decision log: maven allow, quarantine and blocked decisions" t_decision_log
finish
