#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for cordon's logs as a service runs them (issue 19 item 4):
# SIGHUP reopens the access log and the server log file (rotation), every
# server log line has its time and level (JSON, or text with log.format),
# the start line says what runs, upstream failures leave one warn line each,
# and the start warns about a configuration that cannot work. 127.0.0.1 only.
#
#   CORDON_BIN=build/cordon bash tests/integration/logs_test.sh

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/npm_spec.json"
CORDON_EXTRA_YAML="access_log: $IT_TMP/access.log
log: { file: $IT_TMP/server.log }"
start_cordon "$UPSTREAM_URL"

# wait_for_file FILE: until it exists (a reopen made it), at most 30 s
wait_for_file() {
    local deadline=$(( $(date +%s) + 30 ))
    until [[ -e $1 ]]; do
        (( $(date +%s) < deadline )) || fail "$1 was not made within 30 s"
        sleep 0.1
    done
}

# wait_for_line FILE FIXED-STRING: until FILE has a line with it, at most 30 s
wait_for_line() {
    local deadline=$(( $(date +%s) + 30 ))
    until grep -qF -- "$2" "$1" 2>/dev/null; do
        (( $(date +%s) < deadline )) || fail "no line with '$2' in $1 within 30 s: $(tail -n 5 "$1" 2>/dev/null)"
        sleep 0.1
    done
}

t_sighup_reopens_logs() {
    http GET "$CORDON_URL/-/health?before-rotation"
    expect_status 200
    wait_for_line "$IT_TMP/access.log" '"path":"/-/health"'
    mv "$IT_TMP/access.log" "$IT_TMP/access.log.1"
    mv "$IT_TMP/server.log" "$IT_TMP/server.log.1"
    kill -HUP "$CORDON_PID"
    wait_for_file "$IT_TMP/access.log"
    wait_for_file "$IT_TMP/server.log"
    http GET "$CORDON_URL/npm/left-pad"
    expect_status 200
    wait_for_line "$IT_TMP/access.log" '"path":"/npm/left-pad"'
    ! grep -qF '"path":"/npm/left-pad"' "$IT_TMP/access.log.1" || fail "a request after SIGHUP went to the moved access log"
    # the reload's own line comes after the reopen: it is in the new server log
    wait_for_line "$IT_TMP/server.log" 'configuration reloaded'
    ! grep -qF 'configuration reloaded' "$IT_TMP/server.log.1" || fail "the reload's line went to the moved server log"
    grep -qF 'cordon serving' "$IT_TMP/server.log.1" || fail "the moved server log lost its start line"
    [[ $(stat -c %a "$IT_TMP/access.log") == 640 && $(stat -c %a "$IT_TMP/server.log") == 640 ]] ||
        fail "reopened logs are not mode 0640: $(stat -c '%n %a' "$IT_TMP/access.log" "$IT_TMP/server.log")"
}

run_test "SIGHUP reopens the access log and the server log (rotation)" t_sighup_reopens_logs
finish
