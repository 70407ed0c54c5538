#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: the real Gradle (Debian's package, 4.4.1, Groovy DSL)
# resolving dependencies through cordon's /maven/, in front of the fixture
# upstream (tests/fixtures/upstream.py with tests/fixtures/gradle_spec.json:
# generated jars, POMs, checksums and maven-metadata.xml with publish times
# relative to now).  Everything runs on 127.0.0.1; no test needs the internet.
#
#   CORDON_BIN=build/cordon bash tests/integration/gradle_test.sh
#
# One cordon: quarantine min_age 7d, so fx-lib 1.2 (published a day ago) is
# held.  Every gradle run: --no-daemon, never --offline, a GRADLE_USER_HOME
# and HOME of its own in the temp directory, a build.gradle with no plugins
# and cordon's /maven/ as its only repository, a proxy of 127.0.0.1:9 (a
# closed port) for any host but loopback so nothing can reach the internet,
# under timeout(1).  Without gradle (scripts/deps.sh --test installs it) the
# file fails (CORDON_ALLOW_SKIP=1: skipped).
#
# Prints "ok - NAME" / "not ok - NAME" per case and "N passed, N failed" last;
# exits non-zero on any failure.  KEEP_TMP=1 keeps the temp directory,
# IT_VERBOSE=1 shows every case's own output.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"
command -v java >/dev/null || setup_skip "java not found"
command -v gradle >/dev/null || setup_skip "gradle not found (scripts/deps.sh --test installs Debian's gradle)"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/gradle_spec.json"
CORDON_QUARANTINE_YAML='{ min_age: 7d }'
start_cordon "$UPSTREAM_URL" "" "$FIXTURE_URL/maven2"
CI_TOKEN=$("$CORDON_BIN" token add gradle-ci --role ci --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err") ||
    setup_failed "cordon token add failed: $(cat "$IT_TMP/token.err")"

G=org.cordon.fx
GP=org/cordon/fx
UP_MAVEN=$FIXTURE_URL/maven2

# ------------------------------------------------------------------ helpers

# gradle_project DIR DEPENDENCY...: settings.gradle (so DIR is the root) and
# a build.gradle in the Groovy DSL Gradle 4.4 reads: cordon's /maven/ as the
# only repository, the dependencies in a configuration of their own, and a
# task `resolveDeps` that resolves it, prints "RESOLVED group:name:version"
# per artifact and copies the files into DIR/resolved.  No plugins: nothing
# to fetch from a plugin portal.
gradle_project() {
    local dir=$1 d deps=""
    shift
    for d in "$@"; do
        deps+="    deps \"$d\""$'\n'
    done
    mkdir -p "$dir"
    printf "rootProject.name = 'it-gradle'\n" >"$dir/settings.gradle"
    cat >"$dir/build.gradle" <<EOF
repositories {
    maven {
        url "$MAVEN_REPO"
        // Gradle 4.4 takes plain http as it is; 7 and later refuse it unless told
        if (delegate.hasProperty('allowInsecureProtocol')) { allowInsecureProtocol = true }
    }
}
configurations {
    deps
}
dependencies {
$deps}
task resolveDeps {
    doLast {
        configurations.deps.resolvedConfiguration.resolvedArtifacts.each { a ->
            println "RESOLVED \${a.moduleVersion.id}"
        }
        copy {
            from configurations.deps
            into "\$projectDir/resolved"
        }
    }
}
EOF
}

# gradle_in DIR ARGS...: gradle in DIR, isolated: its own HOME and
# GRADLE_USER_HOME (DIR.gradle-home: an empty dependency cache per project),
# no GRADLE_OPTS / JAVA_OPTS from this machine, every host but loopback
# behind a proxy on a closed port, no daemon, plain console.
gradle_in() {
    local dir=$1 home=$1.gradle-home
    shift
    mkdir -p "$home"
    cat >"$home/gradle.properties" <<'EOF'
org.gradle.daemon=false
org.gradle.console=plain
systemProp.http.proxyHost=127.0.0.1
systemProp.http.proxyPort=9
systemProp.https.proxyHost=127.0.0.1
systemProp.https.proxyPort=9
systemProp.http.nonProxyHosts=127.0.0.1|localhost
EOF
    (
        cd "$dir" || exit 2
        unset GRADLE_OPTS JAVA_OPTS JAVA_TOOL_OPTIONS _JAVA_OPTIONS JDK_JAVA_OPTIONS
        HOME=$home GRADLE_USER_HOME=$home \
            timeout -k 5 "${IT_GRADLE_TIMEOUT:-300}" gradle --no-daemon --console=plain \
            --gradle-user-home "$home" "$@" </dev/null
    )
}

# gradle_cached_none DIR PREFIX: no file named PREFIX* in the project's
# Gradle dependency cache.
gradle_cached_none() {
    local found
    found=$(find "$1.gradle-home/caches" -name "$2*" 2>/dev/null)
    [[ -z $found ]] || fail "Gradle's cache holds $found"
}

# ------------------------------------------------------------------ cases

# fx-app 1.0 depends on fx-lib [1.0,2.0): Gradle reads fx-lib's
# maven-metadata.xml through cordon, where the held 1.2 is left out, and
# takes 1.1.
t_install() {
    local p=$IT_TMP/g-install out
    gradle_project "$p" "$G:fx-app:1.0"
    out=$(gradle_in "$p" resolveDeps 2>&1) || fail "gradle resolveDeps failed: $out"
    echo "$out"
    assert_contains "$out" "BUILD SUCCESSFUL" "gradle output"
    assert_contains "$out" "RESOLVED $G:fx-app:1.0" "gradle output"
    assert_contains "$out" "RESOLVED $G:fx-lib:1.1" "gradle output (fx-lib 1.2 is held: the range takes 1.1)"
    assert_not_contains "$out" "fx-lib:1.2" "gradle output"
    local f
    for f in fx-app/1.0/fx-app-1.0.jar fx-lib/1.1/fx-lib-1.1.jar; do
        [[ -f $p/resolved/${f##*/} ]] || fail "${f##*/} not copied into $p/resolved: $(ls "$p/resolved" 2>&1)"
        curl -s --max-time 10 -o "$IT_TMP/up.jar" "$UP_MAVEN/$GP/$f" || fail "fixture $f"
        cmp -s "$IT_TMP/up.jar" "$p/resolved/${f##*/}" || fail "${f##*/}: gradle's copy differs from the upstream's"
    done
    [[ ! -e $p/resolved/fx-lib-1.2.jar ]] || fail "the held fx-lib 1.2 jar was resolved"
    gradle_cached_none "$p" fx-lib-1.2
}

t_install_logged() {
    local rec
    rec=$(wait_for_decision 'r.get("ecosystem") == "maven" and r.get("package") == "org.cordon.fx:fx-lib" and r.get("version") == "1.1" and r.get("decision") == "allow" and "gradle" in (r.get("user_agent") or "").lower()') ||
        fail "no allow decision for Gradle's request of fx-lib 1.1"
    echo "$rec"
}

HELD_OUT=$IT_TMP/g-held.out
# A dependency pinned to the held 1.2: the POM is refused with 403.  Gradle
# 4.4 prints the status code and the status line's reason phrase ("Received
# status code 403 from server: ..."), not the body: the reason phrase is
# cordon's own, naming the quarantine; the decision log holds the rest.
t_held() {
    local p=$IT_TMP/g-held rc line
    gradle_project "$p" "$G:fx-lib:1.2"
    gradle_in "$p" resolveDeps >"$HELD_OUT" 2>&1
    rc=$?
    cat "$HELD_OUT"
    client_failed "$rc" "$(cat "$HELD_OUT")" "gradle resolveDeps with fx-lib 1.2 (held) pinned"
    assert_contains "$(cat "$HELD_OUT")" "BUILD FAILED" "gradle output"
    assert_contains "$(cat "$HELD_OUT")" "Could not resolve $G:fx-lib:1.2" "gradle output"
    line=$(grep -m1 'status code 403' "$HELD_OUT") || fail "gradle output does not show the 403"
    echo "status line in gradle output: $line"
    # the reason phrase as cordon sends it, found verbatim in Gradle's line
    http GET "$MAVEN_REPO$GP/fx-lib/1.2/fx-lib-1.2.pom"
    expect_status 403 "the held POM"
    local phrase
    phrase=$(head -n 1 "$HTTP_HEADERS.raw" | tr -d '\r' | sed -E 's/^HTTP\/[0-9.]+ 403 ?//')
    [[ -n $phrase ]] || fail "cordon's 403 has no reason phrase: $(head -n 1 "$HTTP_HEADERS.raw")"
    [[ ${phrase,,} == *quarantin* ]] || fail "cordon's reason phrase does not name the quarantine: $phrase"
    assert_contains "$line" "$phrase" "the 403 line in gradle's output (cordon's reason phrase)"
    [[ ! -e $p/resolved/fx-lib-1.2.jar ]] || fail "the held jar was resolved"
    gradle_cached_none "$p" fx-lib-1.2
}

# Gradle shows no body: the reason, with its times, is in cordon's decision
# log and in the held queue, with Gradle as the client that asked.
t_held_logged() {
    local rec
    rec=$(wait_for_decision 'r.get("ecosystem") == "maven" and r.get("package") == "org.cordon.fx:fx-lib" and r.get("version") == "1.2" and r.get("decision") == "deny" and r.get("reason") == "quarantine" and "gradle" in (r.get("user_agent") or "").lower()') ||
        fail "no quarantine decision for Gradle's request of fx-lib 1.2"
    echo "$rec"
    held_queue_has "$CI_TOKEN" maven Gradle/ "$G:fx-lib" 1.2
}

# ------------------------------------------------------------------ run

note "$(timeout 120 gradle --version --no-daemon 2>/dev/null </dev/null | grep -m1 '^Gradle')"
run_test "gradle: a dependency range resolves through cordon, the held version left out" t_install
run_test "decision log: Gradle's allowed fx-lib 1.1" t_install_logged
run_test "gradle: a dependency pinned to a held version fails with cordon's 403 reason phrase" t_held
run_test "decision log and held queue: Gradle's request of the held version refused for quarantine" t_held_logged
finish
