#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for the audit chain against someone who can write
# cordon's store but not read its key (README "Security"): the chain is
# keyed (HMAC-SHA-256 under audit.key_file, made at first start beside the
# config file, mode 0600), its head goes to the server log so that an
# outside collector anchors it, and `cordon audit verify [--head SEQ:HASH]`
# reports edited, removed and truncated records and every approval, block
# and token no chain record accounts for; an approval whose record was cut
# is not in force.  Also the store's and the access log's file modes
# whatever the umask, and a store from before audit keys (plain SHA-256
# chain) that keeps verifying once the server has keyed it.
#
#   CORDON_BIN=build/cordon CORDON_TEST_PROGRAMS=build bash tests/integration/audit_test.sh
#
# The attacker is tests/tools/store_tamper (CORDON_TEST_PROGRAMS, default
# build/): edit, remove, truncate, head replay, rechain with plain SHA-256,
# forged approval and token.  Destructive cases run on copies of the
# stopped store.  Everything is on 127.0.0.1; no client but curl.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || { echo "not ok - setup: curl not found"; echo "0 passed, 1 failed"; exit 1; }
TAMPER=${CORDON_TEST_PROGRAMS:-$IT_ROOT/build}/store_tamper
[[ -x $TAMPER ]] || { echo "not ok - setup: $TAMPER not built"; echo "0 passed, 1 failed"; exit 1; }
unset CORDON_TOKEN CORDON_SERVER

it_setup
DATA=$IT_TMP/data
CONF=$IT_TMP/cordon.yaml
KEY=$IT_TMP/audit.key
LEGACY=5
# a store from before audit keys: five decisions chained with plain SHA-256
"$TAMPER" "$DATA" legacy-chain "$LEGACY" >/dev/null || setup_failed "store_tamper legacy-chain failed"

start_fixture "$IT_ROOT/tests/fixtures/admin_api_spec.json"
CORDON_QUARANTINE_YAML='{ min_age: 3d }'
CORDON_EXTRA_YAML="access_log: $IT_TMP/access.log"
# a permissive umask: the modes below must not depend on it
umask 000
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
umask 022
API=$CORDON_URL/-/api

T_REV=$(timeout 15 "$CORDON_BIN" token add alice --role reviewer --data-dir "$DATA" 2>"$IT_TMP/token.err")
[[ $T_REV == cordon_* ]] || setup_failed "token add (--data-dir only) printed no token: $(cat "$IT_TMP/token.err")"
T_AUD=$(timeout 15 "$CORDON_BIN" token add audrey --role auditor --config "$CONF" 2>"$IT_TMP/token.err")
[[ $T_AUD == cordon_* ]] || setup_failed "token add (--config) printed no token: $(cat "$IT_TMP/token.err")"

# ------------------------------------------------------------------ helpers

api() { # TOKEN METHOD PATH [JSON]
    local args=(-H "Authorization: Bearer $1")
    [[ -n ${4:-} ]] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
    http "$2" "$API/$3" "${args[@]}"
}
jb() { json_eval "$HTTP_BODY" "$1"; }

# verify [ARGS...]: `cordon audit verify` on the configuration's store;
# sets VOUT (stdout and stderr) and VRC
verify() {
    VOUT=$(timeout 120 "$CORDON_BIN" audit verify --config "$CONF" "$@" 2>&1)
    VRC=$?
    printf 'audit verify %s: exit %s\n%s\n' "$*" "$VRC" "$VOUT"
}

# copy_store NAME: a copy of the (stopped) store, for a destructive case
copy_store() {
    rm -rf "${IT_TMP:?}/$1"
    cp -a "$DATA" "$IT_TMP/$1" || fail "cannot copy the store"
}

mode_of() { stat -c %a "$1"; }

tarball() { # PACKAGE VERSION: GET its npm tarball; sets HTTP_STATUS
    http GET "$CORDON_URL/npm/$1/-/$1-$2.tgz"
}

last_seq() { # the chain's last sequence number, from the API
    api "$T_AUD" GET "audit?limit=1"
    jb 'd["records"][0]["seq"]'
}

# the newest "audit head" line of the server log: SEQ:HASH
logged_head() {
    "$PYTHON" - "$IT_TMP/cordon.stderr" <<'PY'
import json, sys
head = ""
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if isinstance(r, dict) and r.get("msg") == "audit head":
        head = "%d:%s" % (r["seq"], r["hash"])
print(head)
PY
}

# ------------------------------------------------------------------ traffic

tarball adm-lib 1.0.0
[[ $HTTP_STATUS == 200 ]] || setup_failed "adm-lib 1.0.0 (old) answered $HTTP_STATUS"
tarball adm-held 2.0.0
[[ $HTTP_STATUS == 403 ]] || setup_failed "adm-held 2.0.0 (10 minutes old, min_age 3d) answered $HTTP_STATUS"
api "$T_REV" POST approvals '{"ecosystem": "npm", "package": "adm-held", "version": "2.0.0", "comment": "diff reviewed"}'
[[ $HTTP_STATUS == 201 ]] || setup_failed "approval answered $HTTP_STATUS: $(body)"
APPROVAL_ID=$(jb 'd["id"]')
APPROVAL_SEQ=$(jb 'd["audit_seq"]')
api "$T_REV" POST blocks '{"ecosystem": "npm", "package": "adm-block", "comment": "typosquat"}'
[[ $HTTP_STATUS == 201 ]] || setup_failed "block answered $HTTP_STATUS: $(body)"
for i in 1 2 3; do
    http PUT "$CORDON_URL/npm/adm-lib" --data-binary '{}' -H 'Content-Type: application/json'
done
note "approval $APPROVAL_ID is chain record $APPROVAL_SEQ"

# ------------------------------------------------------------------ cases

t_key_file() {
    [[ -f $KEY ]] || fail "no key file beside the configuration ($KEY)"
    assert_eq 600 "$(mode_of "$KEY")" "mode of $KEY"
    [[ $(tr -d '\n' <"$KEY") =~ ^[0-9a-f]{64}$ ]] || fail "$KEY does not hold 64 hex digits"
    [[ $(find "$DATA" -name audit.key | wc -l) == 0 ]] || fail "a key file inside data_dir"
    grep -q '"msg":"audit chain keyed"' "$IT_TMP/cordon.stderr" || fail "the server did not log where its keyed chain starts"
    # the key is never in the store or the logs
    local k
    k=$(tr -d '\n' <"$KEY")
    ! grep -rqF "$k" "$DATA" "$IT_TMP/cordon.stderr" "$IT_TMP/access.log" || fail "the key leaked into the store or a log"
}

# serve_refused YAML_EXTRA: cordon with this configuration must stop at start
# (exit 2); sets SOUT to what it said
serve_refused() {
    local dir=$IT_TMP/refused port
    mkdir -p "$dir"
    port=$(free_port)
    printf 'listen: 127.0.0.1:%s\ndata_dir: %s/data\n%s\n' "$port" "$dir" "$1" >"$dir/cordon.yaml"
    SOUT=$(timeout 20 "$CORDON_BIN" serve --config "$dir/cordon.yaml" 2>&1)
    local rc=$?
    echo "serve with '$1': exit $rc: $SOUT"
    assert_eq 2 "$rc" "exit code of a start with '$1'"
}

t_bad_keys_refused() {
    serve_refused "audit: { key_file: $IT_TMP/refused/data/audit.key }"
    assert_contains "$SOUT" "is inside data_dir"
    printf 'not a key\n' >"$IT_TMP/bad.key"
    serve_refused "audit: { key_file: $IT_TMP/bad.key }"
    assert_contains "$SOUT" "is not a cordon audit key"
    serve_refused "audit: { key_file: $IT_TMP/no/such/dir/audit.key }"
    assert_contains "$SOUT" "audit.key_file"
    # a command that appends needs the key, and says where it looked
    local out rc
    out=$(timeout 15 "$CORDON_BIN" token add bob --role reviewer --config "$CONF" --key-file "$IT_TMP/missing.key" 2>&1)
    rc=$?
    assert_eq 2 "$rc" "exit code of token add without its key"
    assert_contains "$out" "missing.key"
    out=$(cd "$IT_TMP" && timeout 15 "$CORDON_BIN" audit verify --data-dir "$DATA" 2>&1)
    rc=$?
    assert_eq 2 "$rc" "exit code of audit verify with no configuration"
    assert_contains "$out" "verification does not take a path from the store"
}

t_modes() {
    assert_eq 700 "$(mode_of "$DATA")" "mode of data_dir (umask was 000)"
    assert_eq 700 "$(mode_of "$DATA/lmdb")" "mode of data_dir/lmdb"
    assert_eq 600 "$(mode_of "$DATA/lmdb/data.mdb")" "mode of data.mdb"
    assert_eq 600 "$(mode_of "$DATA/lmdb/lock.mdb")" "mode of lock.mdb"
    local d f
    for d in blobs tmp derived; do
        assert_eq 700 "$(mode_of "$DATA/$d")" "mode of data_dir/$d"
    done
    while IFS= read -r f; do
        assert_eq 600 "$(mode_of "$f")" "mode of $f"
    done < <(find "$DATA/blobs" -type f)
    while IFS= read -r d; do
        assert_eq 700 "$(mode_of "$d")" "mode of $d"
    done < <(find "$DATA/blobs" -mindepth 1 -type d)
    [[ -n $(find "$DATA/blobs" -type f) ]] || fail "no blob was stored (the adm-lib tarball)"
    assert_eq 640 "$(mode_of "$IT_TMP/access.log")" "mode of the access log (umask was 000)"
}

t_migrated_store_verifies() {
    verify
    assert_eq 0 "$VRC" "exit code of audit verify on a migrated store"
    assert_contains "$VOUT" "audit chain intact"
    assert_contains "$VOUT" "records 1..$LEGACY are unkeyed"
    assert_contains "$VOUT" "keyed (HMAC-SHA-256"
    assert_contains "$VOUT" "from record $((LEGACY + 1))"
    api "$T_AUD" GET "audit?type=audit_keyed&limit=5"
    check_json "$HTTP_BODY" 'r = d["records"]; want(len(r) == 1 and r[0]["seq"] == 6 and r[0]["legacy_records"] == 5, "marker %r" % r)'
}

t_anchor_in_server_log() {
    # every 100 records or 10 s: a head newer than our traffic shows up
    local want deadline head
    want=$(last_seq)
    deadline=$(( $(date +%s) + 30 ))
    while :; do
        head=$(logged_head)
        [[ -n $head && ${head%%:*} -ge $want ]] && break
        (( $(date +%s) >= deadline )) && fail "no audit head at or after record $want in the server log within 30 s (last: '$head')"
        sleep 0.5
    done
    echo "anchored head from the server log: $head"
    verify --head "$head"
    assert_eq 0 "$VRC" "exit code of verify --head with the logged head"
    assert_contains "$VOUT" "anchored head ${head%%:*} matches"
    verify --head "${head%%:*}:$(printf '%064d' 0)"
    assert_eq 1 "$VRC" "exit code of verify --head with a wrong hash"
    verify --head "not-a-head"
    assert_eq 2 "$VRC" "exit code of verify --head with a malformed value"
    assert_contains "$VOUT" "SEQ:HASH"
    # the API answers the same
    api "$T_AUD" GET "audit/verify?head=$head"
    check_json "$HTTP_BODY" 'want(d["ok"] is True and d["anchor"]["ok"] is True, "anchor %r" % d.get("anchor"))'
}

t_edit_caught_and_restored() {
    local seq
    api "$T_AUD" GET "decisions?package=adm-held&decision=deny&limit=1"
    seq=$(jb 'd["decisions"][0]["seq"]') || fail "no adm-held deny decision"
    "$TAMPER" "$DATA" "$seq" '"adm-held"' '"adm-other"' || fail "store_tamper edit failed"
    verify
    local out=$VOUT rc=$VRC
    # the original bytes back before anything is asserted: later cases need them
    "$TAMPER" "$DATA" "$seq" '"adm-other"' '"adm-held"' || fail "store_tamper could not restore record $seq"
    assert_eq 1 "$rc" "exit code of verify after an edit"
    grep -qw -- "$seq" <<<"$out" || fail "verify does not name record $seq"
    assert_contains "$out" "edited"
    verify
    assert_eq 0 "$VRC" "exit code once the record is restored"
}

t_rechain_without_key() {
    # an edit, then every later prev and the head recomputed with plain
    # SHA-256: what anyone can do without the key (and what an unkeyed
    # chain cannot notice)
    copy_store rechain
    "$TAMPER" "$IT_TMP/rechain" 3 '"legacy-pkg"' '"other-pkg"' || fail "edit failed"
    "$TAMPER" "$IT_TMP/rechain" rechain || fail "rechain failed"
    verify --data-dir "$IT_TMP/rechain"
    assert_eq 1 "$VRC" "exit code of verify on a chain rewritten without the key"
    assert_contains "$VOUT" "BROKEN"
}

t_remove_caught() {
    copy_store removed
    local s=$((LEGACY + 3))
    "$TAMPER" "$IT_TMP/removed" remove "$s" $((s + 1)) || fail "remove failed"
    verify --data-dir "$IT_TMP/removed"
    assert_eq 1 "$VRC" "exit code of verify after records were removed"
    assert_contains "$VOUT" "records $s..$((s + 1))"
    assert_contains "$VOUT" "removed"
}

t_truncate_caught() {
    copy_store truncated
    local last
    last=$("$PYTHON" -c 'import sys; print(sys.argv[1].split(":")[0])' "$FINAL_HEAD")
    "$TAMPER" "$IT_TMP/truncated" truncate $((last - 2)) || fail "truncate failed"
    verify --data-dir "$IT_TMP/truncated"
    assert_eq 1 "$VRC" "exit code of verify after the last records and the head were rewritten"
    assert_contains "$VOUT" "head"
    # the head replayed from an earlier copy of the store is valid; the
    # anchored head from the server log is what catches the cut
    copy_store replayed
    local old=${SAVED_HEAD_VALUE%% *}
    "$TAMPER" "$IT_TMP/replayed" truncate $((old + 1)) >/dev/null || fail "truncate failed"
    "$TAMPER" "$IT_TMP/replayed" head "$SAVED_HEAD_VALUE" || fail "head replay failed"
    verify --data-dir "$IT_TMP/replayed" --head "$FINAL_HEAD"
    assert_eq 1 "$VRC" "exit code of verify --head after a cut with a replayed head"
    assert_contains "$VOUT" "truncated"
    assert_contains "$VOUT" "record $last"
}

t_forged_approval_and_token() {
    copy_store forged
    local id
    id=$("$TAMPER" "$IT_TMP/forged" forge-approval npm adm-lib 1.1.0) || fail "forge-approval failed"
    "$TAMPER" "$IT_TMP/forged" forge-token mallory reviewer cordon_forgedforgedforgedforgedforgedforgedforg >/dev/null ||
        fail "forge-token failed"
    verify --data-dir "$IT_TMP/forged"
    assert_eq 1 "$VRC" "exit code of verify with a forged approval and token"
    assert_contains "$VOUT" "approval $id (npm adm-lib@1.1.0)"
    assert_contains "$VOUT" "token mallory"
    # an approval pointing at another approval's record is no better
    copy_store forged2
    id=$("$TAMPER" "$IT_TMP/forged2" forge-approval npm adm-lib 1.1.0 "$APPROVAL_SEQ") || fail "forge-approval failed"
    verify --data-dir "$IT_TMP/forged2"
    assert_eq 1 "$VRC" "exit code of verify with an approval naming another's record"
    assert_contains "$VOUT" "approval $id (npm adm-lib@1.1.0)"
}

t_cut_approval_not_in_force() {
    # the server restarted on a store whose approval record was cut
    tarball adm-held 2.0.0
    assert_eq 403 "$HTTP_STATUS" "adm-held 2.0.0 once its approval's chain record was cut"
    grep -q "approval $APPROVAL_ID (npm adm-held@2.0.0) is not in force" "$IT_TMP/cordon.stderr" ||
        fail "the server did not say why approval $APPROVAL_ID is not in force"
    verify
    assert_eq 1 "$VRC" "exit code of verify"
    assert_contains "$VOUT" "approval $APPROVAL_ID (npm adm-held@2.0.0), in force: no chain record accounts for it"
    # the restarted server found the head rewritten and said so in the chain
    assert_contains "$VOUT" "anomaly"
    # the head the server logged before the cut: the chain no longer reaches it as it was
    verify --head "$FINAL_HEAD"
    assert_eq 1 "$VRC" "exit code of verify --head with the head logged before the cut"
    assert_contains "$VOUT" "record ${FINAL_HEAD%%:*}"
}

t_log_modes_under_strict_umask() {
    assert_eq 640 "$(mode_of "$IT_TMP/access2.log")" "mode of the access log (umask was 077)"
}

# ------------------------------------------------------------------ run

run_test "key: made at first start beside the config, 0600, outside data_dir, never logged" t_key_file
run_test "a key inside data_dir, a malformed key, no key: refused with the reason (exit 2)" t_bad_keys_refused
run_test "modes: data_dir and its directories 0700, store and blob files 0600, access log 0640 (umask 000)" t_modes
run_test "a store from before audit keys verifies; the keyed part starts at a marked record" t_migrated_store_verifies
run_test "the head is in the server log; verify --head checks against it" t_anchor_in_server_log
run_test "an edited record is named; restored, the chain verifies" t_edit_caught_and_restored

# the head as someone reading the store now could keep it, for a replay
SAVED_HEAD_VALUE=$("$TAMPER" "$DATA" head)
for i in 1 2 3 4; do
    http PUT "$CORDON_URL/npm/adm-lib" --data-binary '{}' -H 'Content-Type: application/json'
    tarball adm-lib 1.0.0
done
stop_pid "$CORDON_PID" cordon
CORDON_PID=""
FINAL_HEAD=$(logged_head)
note "saved head '$SAVED_HEAD_VALUE'; head logged at the stop $FINAL_HEAD"

run_test "a chain rewritten with plain SHA-256 (no key) is caught" t_rechain_without_key
run_test "removed records are named" t_remove_caught
run_test "truncation is caught: by the head's tag, and with a replayed head by the anchored head" t_truncate_caught
run_test "an approval and a token no chain record accounts for are named" t_forged_approval_and_token

# cut the approval's record (and everything after it) and restart
"$TAMPER" "$DATA" truncate "$APPROVAL_SEQ" >/dev/null || setup_failed "truncate at $APPROVAL_SEQ failed"
CORDON_EXTRA_YAML="access_log: $IT_TMP/access2.log"
umask 077
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
umask 022

run_test "an approval whose chain record was cut is not in force after a restart" t_cut_approval_not_in_force
run_test "the access log is 0640 under umask 077 too" t_log_modes_under_strict_umask
finish
