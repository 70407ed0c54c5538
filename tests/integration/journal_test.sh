#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for the decision log's bounds under anonymous traffic
# (README "Security"): 1,000 refused publish attempts from one client make
# a handful of records that together count 1,000 (coalesced per client and
# path per minute), every request still counted in /-/metrics, drops under
# overload exposed there; and retention (`journal.keep`) drops old
# decision records while approvals and their chain records stay, and
# `cordon audit verify` stays intact and says what was pruned, from where.
#
#   CORDON_BIN=build/cordon bash tests/integration/journal_test.sh
#
# Everything is on 127.0.0.1; no client but curl.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || { echo "not ok - setup: curl not found"; echo "0 passed, 1 failed"; exit 1; }
unset CORDON_TOKEN CORDON_SERVER

it_setup
DATA=$IT_TMP/data
CONF=$IT_TMP/cordon.yaml
start_fixture "$IT_ROOT/tests/fixtures/admin_api_spec.json"
CORDON_QUARANTINE_YAML='{ min_age: 3d }'
CORDON_EXTRA_YAML='journal: { keep: 0 }'
start_cordon "$UPSTREAM_URL"

T_REV=$(timeout 15 "$CORDON_BIN" token add rita --role reviewer --data-dir "$DATA" 2>"$IT_TMP/token.err")
[[ $T_REV == cordon_* ]] || setup_failed "token add printed no token: $(cat "$IT_TMP/token.err")"

# log_records PYEXPR: how many `cordon log --json` records match, and the
# requests they stand for ("count" when coalesced, else 1): "RECORDS REQUESTS"
log_records() {
    CORDON_LOG_LIMIT=1000 cordon_log >"$IT_TMP/log.json" 2>"$IT_TMP/log.err" || { cat "$IT_TMP/log.err" >&2; return 1; }
    "$PYTHON" - "$IT_TMP/log.json" "$1" <<'PY'
import json, sys
n = req = 0
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    if eval(sys.argv[2], {"r": r}):
        n += 1
        req += r.get("count", 1)
print(n, req)
PY
}

metric() { # NAME{LABELS}: its value in /-/metrics (0 when absent)
    curl -s --max-time 10 "$CORDON_URL/-/metrics" | awk -v m="$1" '$1 == m { print $2; found = 1 } END { if (!found) print 0 }'
}

t_publish_flood_is_coalesced() {
    local urls=$IT_TMP/urls i codes before
    before=$(metric 'cordon_decisions_total{decision="deny",reason="publish_forbidden"}')
    : >"$urls"
    for ((i = 0; i < 1000; i++)); do
        printf 'url = "%s/npm/adm-lib"\noutput = "/dev/null"\n' "$CORDON_URL" >>"$urls"
    done
    # one client (one curl, one connection): 1,000 npm publishes
    codes=$(curl -s --max-time 120 -X PUT -H 'Content-Type: application/json' --data-binary '{"name":"adm-lib"}' \
        -w '%{http_code}\n' -K "$urls" | sort | uniq -c | tr -s ' ')
    echo "answers: $codes"
    assert_eq "1000 405" "$(echo $codes)" "answers to 1,000 publish attempts"
    assert_eq $((before + 1000)) "$(metric 'cordon_decisions_total{decision="deny",reason="publish_forbidden"}')" \
        "cordon_decisions_total for publish_forbidden (every request counted)"
    assert_eq 0 "$(metric 'cordon_decisions_dropped_total{cause="queue_full"}')" "decisions dropped"
}

t_publish_flood_records() {
    # the repeats of the minute are written when it ends, or at a clean stop (which came before)
    local got
    got=$(log_records 'r.get("reason") == "publish_forbidden" and r.get("detail") == "PUT /npm/adm-lib"') || fail "cordon log failed"
    echo "publish_forbidden records and the requests they count: $got"
    local records=${got% *} requests=${got#* }
    assert_eq 1000 "$requests" "requests the records count"
    (( records >= 2 && records <= 4 )) || fail "$records records for 1,000 attempts (one and its repeats per minute: 2, or 4 across a minute's end)"
}

t_retention_keeps_the_chain_verifiable() {
    # a reviewer's approval, then decisions; journal.keep 2s drops the decisions
    http POST "$CORDON_URL/-/api/approvals" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        --data-binary '{"ecosystem": "npm", "package": "adm-held", "version": "2.0.0", "comment": "reviewed"}'
    expect_status 201 "approval"
    local aseq
    aseq=$(json_eval "$HTTP_BODY" 'd["audit_seq"]')
    http GET "$CORDON_URL/npm/adm-held/-/adm-held-2.0.0.tgz"
    expect_status 200 "the approved version"
    local deadline out rc got
    # every pass (each second here) drops what is older than 2 s but the last record
    deadline=$(( $(date +%s) + 60 ))
    while :; do
        # the log first, then verify: a pass that runs between the two can
        # then only add to what verify reports, never leave it short
        got=$(log_records 'r.get("reason") == "publish_forbidden"') || fail "cordon log failed"
        out=$(timeout 60 "$CORDON_BIN" audit verify --config "$CONF" 2>&1)
        rc=$?
        [[ $out == *"were pruned under journal.keep"* && $got == "0 0" ]] && break
        (( $(date +%s) >= deadline )) && fail "the flood's records not pruned within 60 s with journal.keep 2s ($got left): $out"
        sleep 0.5
    done
    echo "$out"
    assert_eq 0 "$rc" "exit code of audit verify after retention"
    assert_contains "$out" "audit chain intact"
    [[ $out =~ ([0-9]+)\ decision\ records\ older\ than\ ([0-9T:Z-]+)\ were\ pruned.*through\ record\ ([0-9]+) ]] ||
        fail "verify does not say how many records were pruned, before when and through which"
    echo "pruned ${BASH_REMATCH[1]} through record ${BASH_REMATCH[3]}, older than ${BASH_REMATCH[2]}"
    (( BASH_REMATCH[1] >= 2 )) || fail "only ${BASH_REMATCH[1]} pruned"
    # the flood's records are gone; the approval's and the token's stay
    got=$(log_records "r.get(\"type\") == \"approval\" and r[\"seq\"] == $aseq") || fail "cordon log failed"
    assert_eq "1 1" "$got" "the approval's chain record after retention"
    got=$(log_records 'r.get("type") == "token_added"') || fail "cordon log failed"
    assert_eq "1 1" "$got" "the token's chain record after retention"
    got=$(log_records 'r.get("type") == "pruned"') || fail "cordon log failed"
    (( ${got% *} >= 1 )) || fail "no pruned run in the chain"
    grep -q '"msg":"journal retention: decision records older than journal.keep pruned"' "$IT_TMP/cordon.stderr" ||
        fail "the server did not log what retention pruned"
    # the head the server logged at its stop, before anything was pruned, still checks
    [[ -n $FLOOD_HEAD ]] || fail "no audit head in the server log"
    out=$(timeout 60 "$CORDON_BIN" audit verify --config "$CONF" --head "$FLOOD_HEAD" 2>&1)
    rc=$?
    echo "verify --head $FLOOD_HEAD: exit $rc: $out"
    assert_eq 0 "$rc" "exit code of verify --head with a head logged before pruning"
}

t_approval_survives_restart_after_retention() {
    http GET "$CORDON_URL/npm/adm-held/-/adm-held-2.0.0.tgz"
    expect_status 200 "the approved version after retention and a restart"
}

run_test "1,000 publish attempts from one client: 405 each, every one counted in metrics, nothing dropped" t_publish_flood_is_coalesced
stop_pid "$CORDON_PID" cordon
CORDON_PID=""
FLOOD_HEAD=$("$PYTHON" - "$IT_TMP/cordon.stderr" <<'PY'
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
)
note "head logged at the stop: $FLOOD_HEAD"
run_test "... and a bounded number of records (one, and its repeats per minute) that count 1,000" t_publish_flood_records

CORDON_EXTRA_YAML='journal: { keep: 2s }'
start_cordon "$UPSTREAM_URL"
run_test "retention (journal.keep 2s): decisions dropped, approvals and tokens kept, verify intact and says what was pruned" t_retention_keeps_the_chain_verifiable
stop_pid "$CORDON_PID" cordon
CORDON_PID=""
start_cordon "$UPSTREAM_URL"
run_test "an approval made before retention ran is in force after a restart" t_approval_survives_restart_after_retention
finish
