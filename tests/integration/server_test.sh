#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for the server itself (not a client): configuration
# errors, HTTP/2 (h2c and TLS with ALPN), request-body limits, metadata
# revalidation with validators, stale-if-error and the 502 without a copy,
# and a clean stop. Everything on 127.0.0.1.
#
#   CORDON_BIN=build/cordon bash tests/integration/server_test.sh

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/npm_spec.json"

# metadata_ttl 1s so revalidation and stale-if-error are observable; a small
# body limit; a TLS listener with a certificate made here.
reserve_port TLS_PORT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$IT_TMP/key.pem" -out "$IT_TMP/cert.pem" >/dev/null 2>&1 || setup_failed "openssl could not make a certificate"
CORDON_FETCH_YAML="{ metadata_ttl: 1s, timeout: 5s, stale_if_error: 1h }"
CORDON_EXTRA_YAML="limits: { max_body: 4KB }
tls: { listen: 127.0.0.1:$TLS_PORT, cert: $IT_TMP/cert.pem, key: $IT_TMP/key.pem }"
start_cordon "$UPSTREAM_URL"

upstream_statuses() { # PATH: the statuses the fixture answered for GET PATH
    awk -v p="$1" '$3 == "GET" && $4 == p {print $5}' "$IT_TMP/upstream/upstream.log" | tr '\n' ' '
}

t_config_errors() {
    local out rc
    printf 'listen: 127.0.0.1:1\nfetch:\n  timeout: 30x\n' >"$IT_TMP/bad.yaml"
    out=$("$CORDON_BIN" serve --config "$IT_TMP/bad.yaml" 2>&1); rc=$?
    assert_eq 2 "$rc" "exit code for a bad duration"
    assert_contains "$out" "$IT_TMP/bad.yaml:3:" "error names FILE:LINE"
    printf 'listen: 127.0.0.1:1\nupstream:\n  npm: x\n' >"$IT_TMP/bad2.yaml"
    out=$("$CORDON_BIN" serve --config "$IT_TMP/bad2.yaml" 2>&1); rc=$?
    assert_eq 2 "$rc" "exit code for an unknown key"
    assert_contains "$out" "bad2.yaml:2: unknown key 'upstream'"
    out=$("$CORDON_BIN" serve --config "$IT_TMP/missing.yaml" 2>&1); rc=$?
    assert_eq 2 "$rc" "exit code for a missing file"
    # the port cordon already holds: a clear error and exit 2, not a crash
    out=$("$CORDON_BIN" serve --config "$IT_TMP/cordon.yaml" --data-dir "$IT_TMP/data2" 2>&1); rc=$?
    assert_eq 2 "$rc" "exit code for a taken port"
    assert_contains "$out" "cannot listen"
}

t_http2_cleartext() {
    local v
    v=$(curl -s -o /dev/null -w '%{http_version}' --http2-prior-knowledge --max-time 5 "$CORDON_URL/-/health")
    assert_eq 2 "$v" "HTTP version with prior knowledge"
    v=$(curl -s -o /dev/null -w '%{http_version} %{http_code}' --http2-prior-knowledge --max-time 5 "$CORDON_URL/npm/left-pad")
    assert_eq "2 200" "$v" "a packument over h2c"
}

t_tls_alpn_h2() {
    local v
    v=$(curl -s -o "$IT_TMP/tls.body" -w '%{http_version} %{http_code}' --cacert "$IT_TMP/cert.pem" --max-time 5 \
        "https://127.0.0.1:$TLS_PORT/npm/left-pad")
    assert_eq "2 200" "$v" "HTTP/2 over TLS (ALPN)"
    assert_contains "$(cat "$IT_TMP/tls.body")" '"name":"left-pad"'
}

t_body_limit() {
    head -c 100000 /dev/zero | tr '\0' 'a' >"$IT_TMP/big.body"
    # the routes that take the largest bodies (npm audit, lockfiles) stop at limits.max_body
    http POST "$CORDON_URL/npm/-/npm/v1/security/audits/quick" --data-binary "@$IT_TMP/big.body" -H 'Content-Type: application/json'
    expect_status 413 "a 100 kB npm audit body over the 4 KB limit"
    # a publish takes no body: refused as a publish, whatever its size (the
    # body unread: tests/integration/http_hardening_test.sh)
    http PUT "$CORDON_URL/npm/left-pad" --data-binary "@$IT_TMP/big.body" -H 'Content-Type: application/json'
    expect_status 405 "a 100 kB publish"
    # bodies are judged from the head on the TLS listener too
    http GET "https://127.0.0.1:$TLS_PORT/-/health" --cacert "$IT_TMP/cert.pem" --http1.1 --data-binary "@$IT_TMP/big.body"
    expect_status 413 "a body on GET /-/health over TLS"
    assert_eq body_not_allowed "$(json_eval "$HTTP_BODY" 'd["reason"]')" "its reason"
}

t_revalidation() {
    http GET "$CORDON_URL/npm/view-me"
    expect_status 200 "first GET"
    sleep 1.3 # past metadata_ttl
    http GET "$CORDON_URL/npm/view-me"
    expect_status 200 "GET after the ttl"
    local s
    s=$(upstream_statuses /view-me)
    assert_eq "200 304 " "$s" "upstream answers: a fetch then a conditional revalidation"
}

t_stale_if_error() {
    http GET "$CORDON_URL/npm/is-thing"
    expect_status 200 "cached is-thing"
    # the upstream goes away: cached metadata is served stale, uncached is a 502
    stop_pid "$FIXTURE_PID" fixture
    FIXTURE_PID=""
    sleep 1.3
    http GET "$CORDON_URL/npm/is-thing"
    expect_status 200 "stale copy while upstream is down"
    assert_eq 1 "$(header x-cordon-stale)" "X-Cordon-Stale"
    [[ -n $(header warning) ]] || fail "no Warning header on a stale answer"
    http GET "$CORDON_URL/npm/tree-top"
    expect_status 502 "no copy and no upstream"
    local err
    err=$(json_eval "$HTTP_BODY" 'd["error"]') || fail "502 body is not JSON with an error"
    assert_contains "$err" "upstream unreachable"
    # the cached tarball-less package still answers its packument; cordon keeps serving
    http GET "$CORDON_URL/-/health"
    expect_status 200 "health while upstream is down"
}

t_sigterm_exit_code() {
    # a second server of our own, so that this shell can collect its status
    local port pid deadline rc
    reserve_port port
    sed -e "s/^listen: .*/listen: 127.0.0.1:$port/" -e "/^tls:/d" -e "s#^data_dir: .*#data_dir: $IT_TMP/data-term#" \
        "$IT_TMP/cordon.yaml" >"$IT_TMP/term.yaml"
    "$CORDON_BIN" serve --config "$IT_TMP/term.yaml" 2>"$IT_TMP/term.stderr" &
    pid=$!
    wait_http "http://127.0.0.1:$port/-/health" || fail "second cordon did not start"
    curl -s -o /dev/null --max-time 30 -X PUT "http://127.0.0.1:$port/npm/left-pad" -d '{}'
    kill -TERM "$pid"
    # it drains for up to 5 s; 30 s is the bound on a hang, not a timing check
    deadline=$(( $(date +%s) + 30 ))
    while pid_running "$pid" && (( $(date +%s) < deadline )); do
        sleep 0.1
    done
    pid_running "$pid" && fail "cordon still running 30 s after SIGTERM"
    wait "$pid"; rc=$?
    assert_eq 0 "$rc" "exit status after SIGTERM"
    assert_contains "$(cat "$IT_TMP/term.stderr")" "cordon stopped"
    # the refusal acknowledged just before the signal is in the log
    assert_contains "$("$CORDON_BIN" log --data-dir "$IT_TMP/data-term" --json)" '"reason":"publish_forbidden"'
}

# Regression: the blob store made only the last directory, so `make run`
# (data_dir var/cordon in a fresh clone) stopped at start.
t_nested_data_dir() {
    local port pid
    reserve_port port
    printf 'listen: 127.0.0.1:%s\ndata_dir: %s/fresh/var/cordon\n' "$port" "$IT_TMP" >"$IT_TMP/nested.yaml"
    "$CORDON_BIN" serve --config "$IT_TMP/nested.yaml" 2>"$IT_TMP/nested.stderr" &
    pid=$!
    wait_http "http://127.0.0.1:$port/-/health" || { kill "$pid" 2>/dev/null; fail "no health: $(cat "$IT_TMP/nested.stderr")"; }
    kill -TERM "$pid"
    wait "$pid"
    [[ -d $IT_TMP/fresh/var/cordon/blobs && -d $IT_TMP/fresh/var/cordon/lmdb ]] || fail "data directories not made"
}

# `make run` writes its first configuration with scripts/first-config.sh from
# the clients' own settings: npm's registry, pip's index-url, the first
# Maven mirror. The result must be a configuration cordon accepts.
t_first_config() {
    local home=$IT_TMP/fc-home out port pid
    mkdir -p "$home/.m2"
    printf '<settings><mirrors><mirror><id>m</id><mirrorOf>*</mirrorOf><url>http://127.0.0.1:9/maven2</url></mirror></mirrors></settings>\n' \
        >"$home/.m2/settings.xml"
    out=$(HOME=$home NPM_CONFIG_USERCONFIG=$IT_TMP/npmrc-user NPM_CONFIG_REGISTRY=http://127.0.0.1:9/npm-up/ \
        PIP_INDEX_URL=http://127.0.0.1:9/pypi-up/simple/ PIP_CONFIG_FILE=/dev/null \
        bash "$IT_ROOT/scripts/first-config.sh" "$IT_TMP/first.yaml" 2>&1) || fail "first-config.sh failed: $out"
    assert_contains "$(cat "$IT_TMP/first.yaml")" "http://127.0.0.1:9/npm-up/"
    assert_contains "$(cat "$IT_TMP/first.yaml")" "http://127.0.0.1:9/pypi-up"
    assert_contains "$(cat "$IT_TMP/first.yaml")" "http://127.0.0.1:9/maven2"
    # an existing file is left alone
    echo "# mine" >>"$IT_TMP/first.yaml"
    HOME=$home bash "$IT_ROOT/scripts/first-config.sh" "$IT_TMP/first.yaml" >/dev/null 2>&1
    assert_contains "$(tail -n 1 "$IT_TMP/first.yaml")" "# mine"
    reserve_port port
    "$CORDON_BIN" serve --config "$IT_TMP/first.yaml" --listen "127.0.0.1:$port" --data-dir "$IT_TMP/fc-data" \
        2>"$IT_TMP/fc.stderr" &
    pid=$!
    wait_http "http://127.0.0.1:$port/-/health" || { kill "$pid" 2>/dev/null; fail "cordon rejected the first config: $(cat "$IT_TMP/fc.stderr")"; }
    kill -TERM "$pid"
    wait "$pid"
}

run_test "configuration errors: FILE:LINE and exit 2" t_config_errors
run_test "make run's first configuration (from the clients' settings) is accepted" t_first_config
run_test "a data_dir whose parents do not exist yet is made" t_nested_data_dir
run_test "HTTP/2 cleartext (prior knowledge)" t_http2_cleartext
run_test "TLS listener negotiates HTTP/2 by ALPN" t_tls_alpn_h2
run_test "request bodies over limits.max_body get 413" t_body_limit
run_test "metadata revalidated after metadata_ttl with validators" t_revalidation
run_test "stale-if-error: last good copy served, 502 without one" t_stale_if_error
run_test "SIGTERM: clean stop with exit status 0" t_sigterm_exit_code
finish
