#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: `cordon backup DIR` (a hot copy of the store and its
# blobs while the server runs) and the restore the README describes (the
# copy as a data_dir, the audit key copied beside the configuration), and
# the store-opening commands refusing to make a store nobody serves. In
# front of the fixture upstream (tests/fixtures/verdict_spec.json).
#
#   CORDON_BIN=build/cordon bash tests/integration/backup_test.sh
#
# A server started on the copy has the approvals, blocks, tokens and audit
# chain of the original (`audit verify` intact) and serves a cached
# tarball without asking upstream; a --no-blobs copy fetches it again.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/verdict_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 7d }"
start_cordon "$UPSTREAM_URL"
DATA=$IT_TMP/data
T_REV=$(timeout 15 "$CORDON_BIN" token add alice --role reviewer --data-dir "$DATA" 2>"$IT_TMP/token.err" | head -n 1 | tr -d '\r\n')
[[ $T_REV == cordon_* ]] || setup_failed "cordon token add failed: $(cat "$IT_TMP/token.err")"

api() { # BASE METHOD PATH [BODY]
    local base=$1 method=$2 path=$3 data=${4:-} args=(-H "Authorization: Bearer $T_REV")
    [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
    http "$method" "$base/-/api/$path" "${args[@]}"
}
TGZ=/ask-pkg/-/ask-pkg-1.0.0.tgz

t_backup_while_serving() {
    # what the copy must keep: a cached tarball, a refusal, an approval, a block
    http GET "$CORDON_URL/npm$TGZ"
    expect_status 200 "the mature tarball"
    http GET "$CORDON_URL/npm/ask-pkg/-/ask-pkg-1.1.0.tgz"
    expect_status 403 "the young tarball, before the approval"
    api "$CORDON_URL" POST approvals '{"ecosystem":"npm","package":"ask-pkg","version":"1.1.0","comment":"reviewed for the backup test"}'
    expect_status 201 "approve ask-pkg 1.1.0"
    api "$CORDON_URL" POST blocks '{"ecosystem":"npm","package":"@scope/ask-scoped","comment":"blocked for the backup test"}'
    expect_status 201 "block @scope/ask-scoped"
    wait_for_decision 'r["package"] == "ask-pkg" and r["version"] == "1.1.0" and r["decision"] == "deny"' ||
        fail "the refusal was not recorded"
    local out rc
    out=$(timeout 60 "$CORDON_BIN" backup "$IT_TMP/bk/data" --data-dir "$DATA" 2>&1)
    rc=$?
    echo "$out"
    assert_eq 0 "$rc" "cordon backup: exit code"
    assert_contains "$out" "blobs" "cordon backup output"
    assert_contains "$out" "audit key is not in it" "cordon backup output"
    [[ -f $IT_TMP/bk/data/lmdb/data.mdb ]] || fail "no lmdb/data.mdb in the copy"
    [[ $(stat -c %a "$IT_TMP/bk/data") == 700 ]] || fail "the copy is mode $(stat -c %a "$IT_TMP/bk/data"), not 700"
    # the server went on serving throughout
    http GET "$CORDON_URL/-/health"
    expect_status 200 "health after the backup"
}

t_restored_server_serves_the_same() {
    cp "$IT_TMP/audit.key" "$IT_TMP/bk/audit.key" || fail "no audit key beside the configuration"
    local before after out rc
    before=$(fixture_hits "$TGZ")
    start_extra_cordon bk "{ min_age: 7d }"
    api "$BK_URL" GET "approvals?active=1"
    expect_status 200 "approvals on the restored server (the token came along)"
    check_json "$HTTP_BODY" '
a = [x for x in d["approvals"] if x["package"] == "ask-pkg" and x["version"] == "1.1.0"]
want(len(a) == 1 and a[0]["by"] == "alice", "the approval %r" % d["approvals"])' "restored approvals"
    api "$BK_URL" GET "blocks"
    check_json "$HTTP_BODY" 'want(any(x["package"] == "@scope/ask-scoped" for x in d["blocks"]), "blocks %r" % d["blocks"])' "restored blocks"
    http GET "$BK_URL/npm/ask-pkg/-/ask-pkg-1.1.0.tgz"
    expect_status 200 "the approved tarball on the restored server"
    http GET "$BK_URL/npm/@scope/ask-scoped/-/ask-scoped-2.0.0.tgz"
    expect_status 403 "the blocked package on the restored server"
    http GET "$BK_URL/npm$TGZ"
    expect_status 200 "the cached tarball on the restored server"
    after=$(fixture_hits "$TGZ")
    assert_eq "$before" "$after" "upstream requests for the cached tarball (served from the copied blob)"
    out=$(timeout 60 "$CORDON_BIN" audit verify --data-dir "$IT_TMP/bk/data" --key-file "$IT_TMP/bk/audit.key" 2>&1)
    rc=$?
    echo "$out"
    assert_eq 0 "$rc" "audit verify on the copy"
    timeout 15 "$CORDON_BIN" log --data-dir "$IT_TMP/bk/data" --json --limit 1000 >"$IT_TMP/bk-log.json" 2>&1 ||
        fail "cordon log on the copy failed"
    grep -q '"decision":"deny".*"ask-pkg".*"1.1.0"\|"package":"ask-pkg","version":"1.1.0","decision":"deny"' "$IT_TMP/bk-log.json" ||
        fail "the refusal recorded before the backup is not in the copy's log"
}

t_no_blobs_copy_refetches() {
    local out rc before after
    out=$(timeout 60 "$CORDON_BIN" backup "$IT_TMP/bk2/data" --data-dir "$DATA" --no-blobs 2>&1)
    rc=$?
    echo "$out"
    assert_eq 0 "$rc" "cordon backup --no-blobs: exit code"
    assert_contains "$out" "no blobs" "cordon backup --no-blobs output"
    [[ ! -d $IT_TMP/bk2/data/blobs ]] || [[ -z $(find "$IT_TMP/bk2/data/blobs" -type f) ]] || fail "--no-blobs copied blobs"
    cp "$IT_TMP/audit.key" "$IT_TMP/bk2/audit.key"
    before=$(fixture_hits "$TGZ")
    start_extra_cordon bk2 "{ min_age: 7d }"
    http GET "$BK2_URL/npm$TGZ"
    expect_status 200 "the tarball on a server restored without blobs"
    after=$(fixture_hits "$TGZ")
    (( after == before + 1 )) || fail "upstream saw $((after - before)) requests for the tarball, expected 1 (fetched again)"
}

t_refusals() {
    local out rc n
    mkdir -p "$IT_TMP/full" && echo keep >"$IT_TMP/full/file"
    out=$(timeout 60 "$CORDON_BIN" backup "$IT_TMP/full" --data-dir "$DATA" 2>&1)
    rc=$?
    echo "$out"
    (( rc != 0 )) || fail "a backup into a non-empty directory succeeded"
    assert_contains "$out" "not empty" "the error"
    n=$(find "$IT_TMP/full" | wc -l)
    assert_eq 2 "$n" "entries in the non-empty directory (nothing written)"
    # commands that open the store never make one
    out=$(timeout 30 "$CORDON_BIN" backup "$IT_TMP/bk3" --data-dir "$IT_TMP/no-such-store" 2>&1)
    rc=$?
    echo "$out"
    assert_eq 2 "$rc" "backup of a directory without a store: exit code"
    assert_contains "$out" "no cordon store" "the error"
    mkdir -p "$IT_TMP/empty-cwd"
    out=$(cd "$IT_TMP/empty-cwd" && timeout 30 "$CORDON_BIN" token add bob --role ci 2>&1)
    rc=$?
    echo "$out"
    assert_eq 2 "$rc" "token add without a configuration or --data-dir: exit code"
    assert_contains "$out" "no configuration" "the error"
    [[ -z $(ls -A "$IT_TMP/empty-cwd") ]] || fail "token add wrote into the current directory: $(ls -A "$IT_TMP/empty-cwd")"
    out=$(timeout 30 "$CORDON_BIN" token add bob --role ci --data-dir "$IT_TMP/typo-data" 2>&1)
    rc=$?
    assert_eq 2 "$rc" "token add with a --data-dir that holds no store: exit code"
    [[ ! -e $IT_TMP/typo-data ]] || fail "token add created $IT_TMP/typo-data"
    "$CORDON_BIN" backup --help | grep -q "cordon backup DIR" || fail "cordon backup --help does not show its usage"
}

run_test "cordon backup while the server runs" t_backup_while_serving
run_test "a server on the copy: approvals, blocks, tokens, cached blobs and an intact audit chain" t_restored_server_serves_the_same
run_test "a --no-blobs copy: artifacts are fetched again" t_no_blobs_copy_refetches
run_test "refusals: a non-empty target, a directory without a store; token add makes no store" t_refusals
finish
