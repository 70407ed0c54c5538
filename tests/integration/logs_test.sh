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

# serve_once NAME YAML: run a second cordon (its own port, data and audit key
# under $IT_TMP/NAME) with YAML after the listen/data_dir lines, wait for its
# /-/health, stop it; its stderr is left in $IT_TMP/NAME/stderr
serve_once() {
    local dir=$IT_TMP/$1 port pid deadline
    mkdir -p "$dir"
    reserve_port port
    printf 'listen: 127.0.0.1:%s\ndata_dir: %s/data\nthreads: 1\n%s\n' "$port" "$dir" "$2" >"$dir/cordon.yaml"
    "$CORDON_BIN" serve --config "$dir/cordon.yaml" >"$dir/stdout" 2>"$dir/stderr" &
    pid=$!
    deadline=$(( $(date +%s) + IT_START_SECS ))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/-/health" 2>/dev/null) == 200 ]]; do
        if ! pid_running "$pid" || (( $(date +%s) >= deadline )); then
            stop_pid "$pid" "cordon $1"
            fail "cordon $1 did not start: $(tail -n 5 "$dir/stderr")"
        fi
        sleep 0.1
    done
    stop_pid "$pid" "cordon $1"
}

# every line of FILE is a JSON object with an ISO-8601 UTC time and a level
assert_json_lines() {
    "$PYTHON" - "$1" <<'PY' || fail "$1 has a line that is not a JSON log line with time and level"
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "the log is empty"
for line in lines:
    d = json.loads(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", d.get("time", "")), line
    assert d.get("level") in ("info", "warn", "error"), line
    assert isinstance(d.get("msg"), str) and d["msg"], line
PY
}

t_json_lines_have_time_and_level() {
    assert_json_lines "$IT_TMP/server.log.1"
    assert_json_lines "$IT_TMP/server.log"
    grep -qF '"level":"info","msg":"audit chain keyed"' "$IT_TMP/server.log.1" || fail "no audit chain line at start"
}

t_text_format() {
    serve_once text "upstreams: { npm: $UPSTREAM_URL }
access_log: off
log: { format: text }"
    local f=$IT_TMP/text/stderr
    grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z INFO  cordon serving ' "$f" ||
        fail "no text start line: $(head -n 5 "$f")"
    grep -qE '^[0-9T:.Z-]+ INFO  cordon stopped$' "$f" || fail "no text stop line: $(tail -n 3 "$f")"
    ! grep -q '^{' "$f" || fail "a JSON line in the text log: $(grep '^{' "$f" | head -n 3)"
}

t_bad_format_is_refused() {
    local out rc
    printf 'listen: 127.0.0.1:1\nlog:\n  format: xml\n' >"$IT_TMP/badlog.yaml"
    out=$("$CORDON_BIN" serve --config "$IT_TMP/badlog.yaml" 2>&1); rc=$?
    assert_eq 2 "$rc" "exit code for a bad log.format"
    assert_contains "$out" "badlog.yaml:3: 'log.format' must be json or text, not 'xml'"
}

run_test "SIGHUP reopens the access log and the server log (rotation)" t_sighup_reopens_logs
run_test "every server log line is JSON with an ISO-8601 time and a level" t_json_lines_have_time_and_level
run_test "log.format: text writes TIME LEVEL message lines" t_text_format
run_test "a bad log.format is refused with FILE:LINE" t_bad_format_is_refused
finish
