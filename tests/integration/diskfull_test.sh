#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# A full disk: cordon's data directory on a 3 MB tmpfs, a tarball bigger
# than the space left. The answer is a clear 503, nothing half-written
# enters the blob store, and cordon keeps serving. Needs root (mount);
# skipped otherwise.
#
#   CORDON_BIN=build/cordon bash tests/integration/diskfull_test.sh

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup
MNT=$IT_TMP/small
mkdir -p "$MNT"
if [[ $(id -u) != 0 ]] || ! mount -t tmpfs -o size=3m tmpfs "$MNT" 2>/dev/null; then
    skip_test "full disk answered 503" "needs root to mount a small tmpfs"
    finish
fi
IT_BEFORE_REMOVE+=("umount '$MNT' 2>/dev/null || umount -l '$MNT' 2>/dev/null")

# a 4 MB incompressible file inside the tarball
"$PYTHON" - "$IT_TMP/spec.json" <<'PY'
import base64, json, os, sys
big = base64.b64encode(os.urandom(3 * 1024 * 1024)).decode()
spec = {"npm": {"packages": [
    {"name": "small-one", "versions": [{"version": "1.0.0", "age": "30d"}]},
    {"name": "huge-one", "versions": [{"version": "1.0.0", "age": "30d", "files": {"blob.txt": big}}]},
]}}
json.dump(spec, open(sys.argv[1], "w"))
PY
start_fixture "$IT_TMP/spec.json"
# the data directory lives on the small tmpfs
start_cordon "$UPSTREAM_URL"
stop_pid "$CORDON_PID" cordon
sed -i "s#^data_dir: .*#data_dir: $MNT/data#" "$IT_TMP/cordon.yaml"
"$CORDON_BIN" serve --config "$IT_TMP/cordon.yaml" >>"$IT_TMP/cordon.stdout" 2>>"$IT_TMP/cordon.stderr" &
CORDON_PID=$!
wait_http "$CORDON_URL/-/health" || setup_failed "cordon on the small disk did not start"

t_disk_full() {
    http GET "$CORDON_URL/npm/huge-one/-/huge-one-1.0.0.tgz"
    expect_status 503 "a tarball larger than the free space"
    local err
    err=$(json_eval "$HTTP_BODY" 'd["error"]') || fail "503 body is not JSON with an error"
    assert_contains_i "$err" "disk is full"
    # nothing partial in service, no temp file left behind
    [[ -z $(find "$MNT/data/blobs" -type f -size +1M 2>/dev/null) ]] || fail "a partial blob is in the store"
    [[ -z $(ls -A "$MNT/data/tmp" 2>/dev/null) ]] || fail "temp files left in $MNT/data/tmp: $(ls "$MNT/data/tmp")"
}

t_still_serving() {
    http GET "$CORDON_URL/npm/small-one"
    expect_status 200 "a small packument after the failed write"
    http GET "$CORDON_URL/npm/small-one/-/small-one-1.0.0.tgz"
    expect_status 200 "a small tarball after the failed write"
    http GET "$CORDON_URL/-/health"
    expect_status 200 "health"
}

run_test "full disk: tarball answered 503, nothing partial stored" t_disk_full
run_test "full disk: cordon keeps serving what fits" t_still_serving
finish
