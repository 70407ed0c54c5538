#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Big legitimate artifacts pass on cordon's defaults (issue 13, item 3): a
# 1 GiB+ npm tarball (a gzip stream of stored deflate blocks: ratio ~1) and a
# 1 GiB+ wheel (a zip of stored entries), each one big file, served by a
# deliberately slow upstream (tests/fixtures/big_upstream.py) whose transfer
# takes several times fetch.timeout in total but never pauses for it, install
# through the real npm and pip; a transfer that stalls for longer than
# fetch.timeout still fails with 504 and leaves nothing cached.  Everything
# runs on 127.0.0.1; no test needs the internet.
#
#   CORDON_BIN=build/cordon bash tests/integration/big_artifact_test.sh
#
# cordon runs with `fetch: { timeout: 2s, metadata_timeout: 10s }` and every
# other setting at its default (analysis.limits, fetch.max_artifact): that is
# what is tested.  Metadata keeps a bounded whole transfer: a packument that
# trickles in for longer than metadata_timeout is a 504.
# The artifacts (~2.2 GB) are generated in the temp directory at the start;
# every file over 32 MB in it is deleted at the end, whichever way the
# script ends (KEEP_TMP=1 keeps the rest).  BIG_TEST_BYTES=N makes the big
# files N bytes instead of 1 GiB + 8 MiB (quicker, while changing the test).

. "$(dirname "$0")/lib.sh"

command -v npm >/dev/null || { echo "not ok - setup: npm not found"; echo "0 passed, 1 failed"; exit 1; }
"$PYTHON" -m pip --version >/dev/null 2>&1 || { echo "not ok - setup: pip not found"; echo "0 passed, 1 failed"; exit 1; }

it_setup
IT_BEFORE_REMOVE+=('find "$IT_TMP" -xdev -type f -size +32M ! -name "*.mdb" -delete 2>/dev/null')

TIMEOUT_S=2
BIG=${BIG_TEST_BYTES:-$(( (1 << 30) + (8 << 20) ))}   # bytes of the big file in each artifact
PACE_S=$(( 4 * TIMEOUT_S ))        # each big body takes at least this long
META_TIMEOUT_S=10  # generous: every other packument must arrive well within it, under load
CORDON_FETCH_YAML="{ metadata_ttl: 5m, timeout: ${TIMEOUT_S}s, metadata_timeout: ${META_TIMEOUT_S}s, stale_if_error: 24h }"

cat >"$IT_TMP/big_spec.json" <<EOF
{"npm": [{"name": "big-blob", "version": "1.0.0", "size": $BIG, "serve": {"min_seconds": $PACE_S}},
         {"name": "stall-blob", "version": "1.0.0", "size": $((8 << 20)),
          "serve": {"stall_after": $((1 << 20)), "stall_requests": 1}},
         {"name": "slow-meta", "version": "1.0.0", "size": 1024,
          "packument_serve": {"min_seconds": $(( 3 * META_TIMEOUT_S ))}}],
 "pypi": [{"name": "big-wheel", "version": "1.0", "size": $BIG, "serve": {"min_seconds": $PACE_S}}]}
EOF
FIXTURE_PY=$IT_ROOT/tests/fixtures/big_upstream.py
timeout -k 5 300 "$PYTHON" "$FIXTURE_PY" --spec "$IT_TMP/big_spec.json" --state-dir "$IT_TMP/upstream" \
    --generate >"$IT_TMP/artifacts.out" 2>&1 || setup_failed "generating the artifacts: $(tail -n 5 "$IT_TMP/artifacts.out")"
ARTIFACTS=$IT_TMP/upstream/artifacts.json
start_fixture "$IT_TMP/big_spec.json"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi"

# art NAME KEY: a field of the fixture's record of artifact NAME
art() {
    "$PYTHON" -c '
import json, sys
a = [x for x in json.load(open(sys.argv[1])) if x["name"] == sys.argv[2]][0]
print(a[sys.argv[3]])' "$ARTIFACTS" "$1" "$2"
}

# check_transfers NAME: the fixture sent NAME's body exactly once, whole,
# and it took longer than fetch.timeout (by construction of the pacing:
# this checks the test does what it says)
check_transfers() {
    curl -s --max-time 5 "$FIXTURE_URL/_fixture/transfers" >"$IT_TMP/transfers.json"
    check_json "$IT_TMP/transfers.json" '
path = env["ART_PATH"]
ts = [t for t in d if t["path"] == path]
want(len(ts) == 1, "bodies of %s sent: %r (expected one: a single upstream fetch)" % (path, ts))
for t in ts:
    want(t["outcome"] == "complete" and t["sent"] == t["size"], "transfer %r" % t)
    want(t["seconds"] > float(env["TIMEOUT_S"]), "transfer took %ss, not more than fetch.timeout" % t["seconds"])
print("upstream transfer of %s: %r" % (path, ts))
' "the fixture's transfers of $1"
}

# same_content FILE NAME: FILE is the big file of artifact NAME, byte for byte
same_content() {
    [[ -f $1 ]] || fail "$1 was not installed"
    assert_eq "$(art "$2" content_size)" "$(stat -c %s "$1")" "size of $1"
    assert_eq "$(art "$2" content_sha256)" "$(sha256sum "$1" | cut -d' ' -f1)" "sha256 of $1"
}

# ------------------------------------------------------------------ cases

t_npm_big() {
    local dir=$IT_TMP/npm-big
    new_project "$dir" '{"big-blob": "1.0.0"}'
    NPM_TIMEOUT=300 npm_in "$dir" install --fetch-timeout=300000 || fail "npm install big-blob failed"
    assert_installed "$dir" big-blob 1.0.0
    same_content "$dir/node_modules/big-blob/blob.bin" big-blob
    ART_PATH=$(art big-blob path) TIMEOUT_S=$TIMEOUT_S check_transfers big-blob
    rm -rf "$dir" "$IT_TMP/npm-cache"
}

t_pip_big() {
    local t=$IT_TMP/pip-big
    IT_PIP_TIMEOUT=300 pip_in install --timeout 120 --target "$t" big-wheel==1.0 || fail "pip install big-wheel failed"
    assert_pip_installed "$t" big-wheel 1.0
    same_content "$t/big_wheel/blob.bin" big-wheel
    ART_PATH=$(art big-wheel path) TIMEOUT_S=$TIMEOUT_S check_transfers big-wheel
    rm -rf "$t"
}

# Analysis streamed: cordon's peak RSS stays far below one artifact's size.
t_memory_bounded() {
    local hwm
    hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$CORDON_PID/status")
    [[ -n $hwm ]] || fail "cannot read cordon's VmHWM"
    echo "cordon's peak RSS: $((hwm / 1024)) MB after two $((BIG >> 20)) MiB artifacts"
    (( hwm * 1024 < BIG / 2 )) || fail "cordon's peak RSS ($((hwm / 1024)) MB) is over half an artifact's size"
}

# A stall (no byte for longer than fetch.timeout) fails the transfer with
# 504; nothing is kept, so the next request fetches again and gets it whole.
t_stall() {
    local url=$CORDON_URL/npm/stall-blob/-/stall-blob-1.0.0.tgz path hex i
    path=$(art stall-blob path)
    HTTP_MAX_TIME=90 http GET "$url"
    expect_status 504 "the stalled tarball"
    assert_contains_i "$(body)" "timed out" "the 504's error"
    assert_eq 1 "$(fixture_hits "$path")" "upstream requests for the stalled tarball"
    hex=$(sha256sum "$IT_TMP/upstream/artifacts/$(art stall-blob file)" | cut -d' ' -f1)
    [[ ! -e $IT_TMP/data/blobs/${hex:0:2}/${hex:2} ]] || fail "the stalled tarball is in the blob store"
    for ((i = 0; i < 50; i++)); do
        [[ -z $(ls -A "$IT_TMP/data/tmp") ]] && break
        sleep 0.1
    done
    [[ -z $(ls -A "$IT_TMP/data/tmp") ]] || fail "partial download left in data/tmp: $(ls -l "$IT_TMP/data/tmp")"
    HTTP_MAX_TIME=90 http GET "$url"
    expect_status 200 "the tarball once upstream sends it whole"
    assert_eq 2 "$(fixture_hits "$path")" "upstream requests for the tarball (the stalled one was not cached)"
    assert_eq "$(art stall-blob integrity)" \
        "sha512-$(openssl dgst -sha512 -binary "$HTTP_BODY" | base64 -w0)" "integrity of the bytes served"
    [[ -e $IT_TMP/data/blobs/${hex:0:2}/${hex:2} ]] || fail "the whole tarball is not in the blob store"
}

# Metadata is bounded as a whole (its clients would rather get the stale
# copy): a packument that progresses but takes 3 x metadata_timeout fails.
t_slow_metadata() {
    HTTP_MAX_TIME=60 http GET "$CORDON_URL/npm/slow-meta"
    expect_status 504 "a packument slower than fetch.metadata_timeout"
    assert_contains_i "$(body)" "timed out" "the 504's error"
}

run_test "npm: a $((BIG >> 20)) MiB stored tarball over a slow upstream installs on defaults" t_npm_big
run_test "pip: a $((BIG >> 20)) MiB stored wheel over a slow upstream installs on defaults" t_pip_big
run_test "cordon's memory stays bounded while fetching and analysing them" t_memory_bounded
run_test "a stall longer than fetch.timeout: 504, nothing cached, the retry is whole" t_stall
run_test "metadata slower than fetch.metadata_timeout (never stalled): 504" t_slow_metadata
finish
