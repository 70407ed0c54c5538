#!/usr/bin/env bash
# The Debian package (packaging/, `make deb`): built by dpkg-buildpackage,
# checked by lintian, installed with dpkg -i on this machine, its binary run
# as the cordon user with the packaged configuration pointed at the fixture
# upstream, its unit checked by systemd-analyze verify, then purged, leaving
# nothing behind.
#
# Installing needs root: without it the install cases are skipped (the file
# then exits 77, "Skipped" in ctest, never "Passed"); the build and lintian
# still run. A cordon package that was installed before the test is never
# touched (the install cases are skipped and say so). Whatever happens, the
# EXIT trap purges the package this test installed and removes the cordon
# user if this test created it, so a failed run leaves the machine as it was.
#
# The .deb is built in $CORDON_TEST_PROGRAMS/deb (the ctest build directory,
# or build/deb), kept between runs so that a second run only recompiles what
# changed; DEB_BUILD_OPTIONS=nocheck, as the unit tests are ctest's own.
. "$(dirname "$0")/lib.sh"

for tool in dpkg-buildpackage dh lintian curl systemd-analyze logrotate setpriv; do
    command -v "$tool" >/dev/null 2>&1 || setup_skip "$tool not found (scripts/deps.sh --test installs debhelper, dpkg-dev, lintian, logrotate)"
done

DEB_OUT=${CORDON_TEST_PROGRAMS:-$IT_ROOT/build}/deb
VERSION=$(sed -n 's/^#define CORDON_VERSION "\(.*\)"$/\1/p' "$IT_ROOT/admin/main.c")
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB=$DEB_OUT/cordon_${VERSION}_${ARCH}.deb
CHANGES=$DEB_OUT/cordon_${VERSION}_${ARCH}.changes
UNIT=/lib/systemd/system/cordon.service

it_setup

# Everything on this machine whose name says cordon, outside the temp dirs
# and the worktrees: the same before the install and after the purge. Not
# man-db's cache of formatted pages: systemd-analyze verify runs
# `man cordon(1)` (the unit's Documentation=), which leaves
# /var/cache/man/cat1/cordon.1.gz; mandb expires it, and pkg_cleanup removes
# it when this test made it.
cordon_paths() {
    find /etc /usr /lib /var /opt -xdev \( -path /var/tmp -o -path /var/cache/apt -o -path /var/cache/man \) -prune -o \
        -name '*cordon*' -print 2>/dev/null | sort
}

# the EXIT trap's part (lib.sh runs IT_BEFORE_REMOVE after stopping cordon)
MAN_CAT=/var/cache/man/cat1/cordon.1.gz
[[ -e $MAN_CAT ]] || MAN_CAT_MADE=1
pkg_cleanup() {
    [[ -n ${MAN_CAT_MADE:-} ]] && rm -f "$MAN_CAT"
    if [[ -e $IT_TMP/installed-by-test ]] && dpkg-query -W -f='${Status}' cordon 2>/dev/null | grep -q installed; then
        note "cleanup: purging the cordon package this test installed"
        dpkg --purge cordon >"$IT_TMP/cleanup-purge.log" 2>&1 || sed 's/^/#   /' "$IT_TMP/cleanup-purge.log"
    fi
    if [[ -e $IT_TMP/user-made-by-test ]] && getent passwd cordon >/dev/null; then
        deluser --system --quiet cordon >/dev/null 2>&1 || userdel cordon 2>/dev/null || true
        getent group cordon >/dev/null && { delgroup --system --quiet cordon >/dev/null 2>&1 || groupdel cordon 2>/dev/null || true; }
    fi
    return 0
}
IT_BEFORE_REMOVE+=(pkg_cleanup)

# ------------------------------------------------------------------ build

note "building the package in $DEB_OUT (packaging/build-deb.sh, DEB_BUILD_OPTIONS=nocheck)"
if ! DEB_BUILD_OPTIONS=nocheck "$IT_ROOT/packaging/build-deb.sh" "$DEB_OUT" >"$IT_TMP/build-deb.log" 2>&1; then
    tail -n 60 "$IT_TMP/build-deb.log" | sed 's/^/#   /'
    setup_failed "packaging/build-deb.sh failed (log above)"
fi
[[ -f $DEB && -f $CHANGES ]] || setup_failed "no $DEB or $CHANGES after the build"
# the build ran dpkg-buildpackage with debhelper, not something else
grep -q '^dpkg-buildpackage: info: ' "$IT_TMP/build-deb.log" && grep -q 'dh_builddeb' "$IT_TMP/build-deb.log" ||
    setup_failed "the build log shows no dpkg-buildpackage / dh_builddeb run"
note "built $DEB"

test_lintian() {
    local out rc
    out=$(lintian --fail-on error --display-info --tag-display-limit 0 "$CHANGES" 2>&1)
    rc=$?
    # every tag, printed so that the warnings are in the test's output
    printf '%s\n' "$out" | sed 's/^/lintian: /'
    printf '%s\n' "$out" | grep -E '^[EWIPX]: ' | sed 's/^/# lintian /' >"$IT_TMP/lintian.tags"
    ! grep -q '^E: ' <<<"$out" || fail "lintian reports errors"
    (( rc == 0 )) || fail "lintian exited $rc"
}

test_contents() {
    local list conff
    list=$(dpkg-deb -c "$DEB") || fail "dpkg-deb -c failed"
    local p
    for p in ./usr/bin/cordon ./etc/cordon/cordon.yaml ./lib/systemd/system/cordon.service \
             ./etc/logrotate.d/cordon ./var/lib/cordon/ ./var/log/cordon/ ./usr/share/man/man1/cordon.1.gz; do
        grep -qE " ${p//./\\.}( |$)" <<<"$list" || fail "the package has no $p; it lists: $list"
    done
    conff=$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles)
    assert_contains "$conff" "/etc/cordon/cordon.yaml" "conffiles"
    assert_contains "$conff" "/etc/logrotate.d/cordon" "conffiles"
    # the packaged configuration names no upstream: every URL in it is in a comment
    dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./etc/cordon/cordon.yaml >"$IT_TMP/packaged.yaml"
    ! grep -vE '^\s*#' "$IT_TMP/packaged.yaml" | grep -qE 'https?://[^1]' ||
        fail "the packaged configuration names an upstream outside a comment: $(grep -vE '^\s*#' "$IT_TMP/packaged.yaml" | grep -E 'https?://')"
    grep -qx 'upstreams: {}' "$IT_TMP/packaged.yaml" || fail "the packaged configuration has no empty upstreams mapping"
}

run_test "lintian: no errors (tags listed above)" test_lintian
run_test "the package holds the binary, the configuration (a conffile), the unit, logrotate, the directories" test_contents

# ------------------------------------------------------------------ install

can_install=1
if (( EUID != 0 )); then
    can_install=0
    for c in "dpkg -i" "the installed cordon serves the fixture" "systemd-analyze verify" "dpkg --purge leaves nothing"; do
        skip_test "$c" "installing a package needs root"
    done
elif dpkg-query -W -f='${Status}' cordon 2>/dev/null | grep -q installed; then
    can_install=0
    for c in "dpkg -i" "the installed cordon serves the fixture" "systemd-analyze verify" "dpkg --purge leaves nothing"; do
        skip_test "$c" "a cordon package is already installed on this machine; this test does not touch it"
    done
fi

test_install() {
    getent passwd cordon >/dev/null || : >"$IT_TMP/user-made-by-test"
    : >"$IT_TMP/installed-by-test"
    dpkg -i "$DEB" >"$IT_TMP/dpkg-i.log" 2>&1 || { cat "$IT_TMP/dpkg-i.log"; fail "dpkg -i failed"; }
    cat "$IT_TMP/dpkg-i.log"
    [[ -x /usr/bin/cordon ]] || fail "/usr/bin/cordon is not installed"
    assert_eq "cordon $VERSION" "$(/usr/bin/cordon version)" "cordon version"
    getent passwd cordon >/dev/null || fail "no cordon user"
    local shell home
    IFS=: read -r _ _ uid _ _ home shell < <(getent passwd cordon)
    (( uid < 1000 )) || fail "the cordon user is not a system user (uid $uid)"
    assert_eq /usr/sbin/nologin "$shell" "the cordon user's shell"
    assert_eq "cordon:cordon 700" "$(stat -c '%U:%G %a' /var/lib/cordon)" "/var/lib/cordon"
    assert_eq "cordon:adm 2750" "$(stat -c '%U:%G %a' /var/log/cordon)" "/var/log/cordon"
    assert_eq "root:cordon 640" "$(stat -c '%U:%G %a' /etc/cordon/cordon.yaml)" "/etc/cordon/cordon.yaml"
    assert_eq "cordon:cordon 600" "$(stat -c '%U:%G %a' /etc/cordon/audit.key)" "/etc/cordon/audit.key"
    grep -qxE '[0-9a-f]{64}' /etc/cordon/audit.key || fail "the audit key is not 64 hex digits"
    assert_contains "$(dpkg-query -W -f='${Conffiles}' cordon)" "/etc/cordon/cordon.yaml" "installed conffiles"
}

# the installed binary as the cordon user, on the packaged configuration with
# its upstream, port, data dir, access log and audit key changed (main shell:
# stop_all stops it)
start_packaged_cordon() {
    local dir=$IT_TMP/svc deadline
    chmod 0711 "$IT_TMP"
    install -d -o cordon -g cordon -m 0700 "$dir"
    reserve_port CPORT
    CORDON_URL=http://127.0.0.1:$CPORT
    # the packaged file, five lines replaced; each must have been there
    "$PYTHON" - /etc/cordon/cordon.yaml "$dir/cordon.yaml" "$CPORT" "$dir" "$UPSTREAM_URL" <<'PY' || setup_failed "the packaged configuration is not as this test expects"
import sys
src, dst, port, d, up = sys.argv[1:]
text = open(src).read()
subs = [("listen: 127.0.0.1:7878", "listen: 127.0.0.1:%s" % port),
        ("public_url: http://127.0.0.1:7878", "public_url: http://127.0.0.1:%s" % port),
        ("data_dir: /var/lib/cordon", "data_dir: %s/data" % d),
        ("access_log: /var/log/cordon/access.log", "access_log: %s/access.log" % d),
        ("key_file: /etc/cordon/audit.key", "key_file: %s/audit.key" % d),
        ("upstreams: {}", "upstreams:\n  npm: %s" % up)]
for old, new in subs:
    if text.count(old) != 1:
        sys.exit("%s: expected one line %r" % (src, old))
    text = text.replace(old, new)
open(dst, "w").write(text)
PY
    chown cordon:cordon "$dir/cordon.yaml"
    setpriv --reuid cordon --regid cordon --init-groups /usr/bin/cordon serve --config "$dir/cordon.yaml" \
        >>"$IT_TMP/cordon.stdout" 2>>"$IT_TMP/cordon.stderr" &
    CORDON_PID=$!
    deadline=$(( $(date +%s) + IT_START_SECS ))
    while (( $(date +%s) < deadline )); do
        kill -0 "$CORDON_PID" 2>/dev/null || setup_failed "the installed cordon exited: $(tail -n 5 "$IT_TMP/cordon.stderr")"
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$CORDON_URL/-/health" 2>/dev/null) == 200 ]] && break
        sleep 0.1
    done
    note "installed cordon on $CORDON_URL (pid $CORDON_PID, user cordon)"
}

test_serves() {
    http GET "$CORDON_URL/-/health"
    expect_status 200 "/-/health"
    http GET "$CORDON_URL/npm/left-pad"
    expect_status 200 "the packument of left-pad"
    local tarball shasum got
    tarball=$(json_eval "$HTTP_BODY" 'd["versions"]["1.3.0"]["dist"]["tarball"]') || fail "no left-pad 1.3.0 in the packument"
    shasum=$(json_eval "$HTTP_BODY" 'd["versions"]["1.3.0"]["dist"]["shasum"]')
    assert_contains "$tarball" "$CORDON_URL/npm/" "the tarball URL (rewritten to cordon)"
    http GET "$tarball"
    expect_status 200 "the left-pad 1.3.0 tarball"
    got=$(sha1sum <"$HTTP_BODY" | cut -d' ' -f1)
    assert_eq "$shasum" "$got" "the tarball's sha1"
    # the packaged 7d window holds a version younger than that
    http GET "$CORDON_URL/npm/@fx/util/-/util-3.0.0-beta.1.tgz"
    expect_status 403 "a 2-day-old version under the packaged 7d window"
    # written as the cordon user, where the configuration says
    [[ -s $IT_TMP/svc/access.log ]] || fail "no access log in $IT_TMP/svc"
    assert_eq cordon "$(stat -c %U "$IT_TMP/svc/data/lmdb")" "owner of the store"
    assert_eq 700 "$(stat -c %a "$IT_TMP/svc/data")" "mode of the data dir"
}

test_unit() {
    local out
    out=$(systemd-analyze verify "$UNIT" 2>&1) || { printf '%s\n' "$out"; fail "systemd-analyze verify $UNIT failed"; }
    [[ -z $out ]] || { printf '%s\n' "$out"; fail "systemd-analyze verify printed warnings"; }
    local want
    for want in User=cordon "ExecStart=/usr/bin/cordon serve --config /etc/cordon/cordon.yaml" \
                'ExecReload=/bin/kill -HUP $MAINPID' ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
                NoNewPrivileges=yes CapabilityBoundingSet= "ReadWritePaths=/var/lib/cordon /var/log/cordon" \
                "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" SystemCallFilter=@system-service; do
        grep -qxF -- "$want" "$UNIT" || fail "$UNIT has no line $want"
    done
    if [[ -d /run/systemd/system ]]; then
        # systemd runs here: the package's postinst started the service
        assert_eq active "$(systemctl is-active cordon.service)" "cordon.service"
    else
        echo "systemd is not running on this machine (no /run/systemd/system): the unit was verified, not started"
    fi
    logrotate -d /etc/logrotate.d/cordon >"$IT_TMP/logrotate.out" 2>&1 || { cat "$IT_TMP/logrotate.out"; fail "logrotate -d rejects /etc/logrotate.d/cordon"; }
    ! grep -qi 'error' "$IT_TMP/logrotate.out" || { cat "$IT_TMP/logrotate.out"; fail "logrotate -d reports an error"; }
}

test_purge() {
    stop_pid "$CORDON_PID" cordon
    dpkg --purge cordon >"$IT_TMP/purge.log" 2>&1 || { cat "$IT_TMP/purge.log"; fail "dpkg --purge failed"; }
    cat "$IT_TMP/purge.log"
    ! dpkg-query -W -f='${Status}' cordon 2>/dev/null | grep -q installed || fail "cordon is still installed"
    local p
    for p in /usr/bin/cordon /etc/cordon /var/lib/cordon /var/log/cordon "$UNIT" /etc/logrotate.d/cordon \
             /etc/systemd/system/multi-user.target.wants/cordon.service; do
        [[ ! -e $p ]] || fail "$p is left after dpkg --purge"
    done
    cordon_paths >"$IT_TMP/paths.after"
    diff "$IT_TMP/paths.before" "$IT_TMP/paths.after" >"$IT_TMP/paths.diff" ||
        fail "dpkg --purge left these behind: $(cat "$IT_TMP/paths.diff")"
    # Debian keeps a package's system user after purge (files elsewhere may
    # still belong to it); the trap removes it when this test made it
    getent passwd cordon >/dev/null && echo "the cordon system user stays after purge, by design"
    return 0
}

if (( can_install )); then
    cordon_paths >"$IT_TMP/paths.before"
    start_fixture "$IT_ROOT/tests/fixtures/npm_spec.json"
    run_test "dpkg -i: binary, system user, directories and modes, conffile, audit key" test_install
    if [[ -x /usr/bin/cordon ]] && getent passwd cordon >/dev/null; then
        start_packaged_cordon
        run_test "the installed cordon, as the cordon user, answers /-/health and serves a package from the fixture" test_serves
        run_test "systemd-analyze verify on the installed unit; its hardening; logrotate -d" test_unit
        run_test "dpkg --purge leaves nothing behind" test_purge
    else
        for c in "the installed cordon serves the fixture" "systemd-analyze verify" "dpkg --purge leaves nothing"; do
            IT_FAILED=$((IT_FAILED + 1)); printf 'not ok - %s: not run, the install failed\n' "$c"
        done
    fi
fi

[[ -s $IT_TMP/lintian.tags ]] && { note "lintian tags:"; cat "$IT_TMP/lintian.tags"; }
finish
