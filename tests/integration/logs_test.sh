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

t_start_line() {
    serve_once start "upstreams:
  npm: http://ci:s3cret-pw@127.0.0.1:$UPORT/
  pypi: $FIXTURE_URL/pypi
quarantine: { min_age: 3d, rules: [ { match: \"npm:left-pad\", min_age: 0 } ] }"
    local f=$IT_TMP/start/stderr
    ! grep -qF 's3cret-pw' "$f" || fail "the upstream password is in the server log"
    "$PYTHON" - "$f" "$UPORT" "$IT_TMP/start/data" <<'PY' || fail "the start line is not what it should be: $(grep 'cordon serving' "$f")"
import json, os, sys
path, uport, data = sys.argv[1], sys.argv[2], sys.argv[3]
lines = [json.loads(l) for l in open(path) if l.startswith("{")]
start = [d for d in lines if d.get("msg") == "cordon serving"]
assert len(start) == 1, start
s = start[0]
assert s["level"] == "info" and s["version"], s
assert s["listeners"] and all(set(l) == {"addr", "tls"} and l["tls"] is False for l in s["listeners"]), s
assert s["ecosystems"]["npm"]["upstream"] == "http://127.0.0.1:%s" % uport, s
assert s["ecosystems"]["npm"]["credentials"] is True, s
assert s["ecosystems"]["pypi"]["upstream"] == "http://127.0.0.1:%s/pypi" % uport, s
assert "maven" not in s["ecosystems"], s
assert s["data_dir"] == os.path.realpath(data), s
assert s["store"] == "lmdb", s
p = s["policy"]
assert p["min_age_ms"] == 3 * 86400000 and p["rules"] == 1 and p["missing_timestamp"] == "first_seen", p
assert p["min_age_ms_by_ecosystem"] == {"npm": 3 * 86400000, "pypi": 3 * 86400000}, p
PY
}

t_start_line_tls() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
        -keyout "$IT_TMP/key.pem" -out "$IT_TMP/cert.pem" >/dev/null 2>&1 || fail "openssl could not make a certificate"
    local tport
    reserve_port tport
    serve_once tls "upstreams: { npm: $UPSTREAM_URL }
tls: { listen: 127.0.0.1:$tport, cert: $IT_TMP/cert.pem, key: $IT_TMP/key.pem }"
    grep 'cordon serving' "$IT_TMP/tls/stderr" | "$PYTHON" -c '
import json, sys
s = json.loads(sys.stdin.readline())
tls = [l for l in s["listeners"] if l["tls"]]
assert len(tls) == 1 and tls[0]["addr"] == "127.0.0.1:" + sys.argv[1], s["listeners"]
assert len([l for l in s["listeners"] if not l["tls"]]) == 1, s["listeners"]
' "$tport" || fail "the start line does not list the TLS listener: $(grep 'cordon serving' "$IT_TMP/tls/stderr")"
}

t_warn_no_upstream() {
    serve_once none "quarantine: { min_age: 0 }"
    grep -F '"level":"warn","msg":"no upstream configured' "$IT_TMP/none/stderr" >/dev/null ||
        fail "no warning for a configuration without upstreams: $(head -n 8 "$IT_TMP/none/stderr")"
    ! grep -qF 'an upstream is cordon itself' "$IT_TMP/none/stderr" || fail "a loop warning without upstreams"
}

t_warn_upstream_is_cordon() {
    # serve_once reserves the port; the upstream names the same port through public_url
    local dir=$IT_TMP/self port
    mkdir -p "$dir"
    reserve_port port
    printf 'listen: 127.0.0.1:%s\ndata_dir: %s/data\nthreads: 1\nupstreams: { npm: "http://127.0.0.1:%s/npm", pypi: %s/pypi }\n' \
        "$port" "$dir" "$port" "$FIXTURE_URL" >"$dir/cordon.yaml"
    "$CORDON_BIN" serve --config "$dir/cordon.yaml" >"$dir/stdout" 2>"$dir/stderr" &
    local pid=$! deadline=$(( $(date +%s) + IT_START_SECS ))
    until grep -qF 'cordon serving' "$dir/stderr"; do
        if ! pid_running "$pid" || (( $(date +%s) >= deadline )); then
            stop_pid "$pid" "cordon self"; fail "cordon self did not start: $(tail -n 5 "$dir/stderr")"
        fi
        sleep 0.1
    done
    stop_pid "$pid" "cordon self"
    local warns
    warns=$(grep -F 'an upstream is cordon itself' "$dir/stderr")
    assert_contains "$warns" '"key":"upstreams.npm"'
    assert_contains "$warns" "\"upstream\":\"http://127.0.0.1:$port/npm\""
    assert_not_contains "$warns" 'upstreams.pypi'
    ! grep -qF 'no upstream configured' "$dir/stderr" || fail "the no-upstream warning with upstreams configured"
    ! grep -qF 'an upstream is cordon itself' "$IT_TMP/start/stderr" || fail "a loop warning for the fixture upstream"
}

t_upstream_failure_line() {
    fixture_mutate '{"overrides": {"/is-thing": {"status": 503, "body": "down"}}}'
    http GET "$CORDON_URL/npm/is-thing"
    [[ $HTTP_STATUS == 5* ]] || fail "a failing upstream without a copy answered $HTTP_STATUS"
    local rid
    rid=$(header x-request-id)
    [[ -n $rid ]] || fail "no X-Request-Id"
    wait_for_line "$IT_TMP/server.log" "\"request_id\":\"$rid\""
    grep -F "\"request_id\":\"$rid\"" "$IT_TMP/server.log" | "$PYTHON" -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin]
assert len(lines) == 1, lines
d = lines[0]
assert d["level"] == "warn" and d["msg"] == "upstream answered an error", d
assert d["origin"] == "http://127.0.0.1:" + sys.argv[1] and d["status"] == 503 and d["ecosystem"] == "npm", d
' "$UPORT" || fail "the upstream failure line is wrong: $(grep -F "$rid" "$IT_TMP/server.log")"
    fixture_mutate '{"overrides": {"/is-thing": null}}'
}

run_test "SIGHUP reopens the access log and the server log (rotation)" t_sighup_reopens_logs
run_test "every server log line is JSON with an ISO-8601 time and a level" t_json_lines_have_time_and_level
run_test "log.format: text writes TIME LEVEL message lines" t_text_format
run_test "a bad log.format is refused with FILE:LINE" t_bad_format_is_refused
run_test "the start line: version, listeners, ecosystems and upstreams (no credentials), data_dir, store, policy" t_start_line
run_test "the start line marks the TLS listener" t_start_line_tls
run_test "a start without upstreams warns" t_warn_no_upstream
run_test "an upstream that is cordon's own listener warns at start" t_warn_upstream_is_cordon
run_test "an upstream failure leaves one warn line with origin, status and request id" t_upstream_failure_line
finish
