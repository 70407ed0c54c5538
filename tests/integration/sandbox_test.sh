#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration test: an agent's sandbox whose only way to packages is cordon
# (docs/agents.md, "A sandbox where cordon is the only egress").
#
#   CORDON_BIN=build/cordon bash tests/integration/sandbox_test.sh
#
# The sandbox is a network namespace of its own (unshare -rn): its only
# interface is its own loopback. cordon's port reaches it through a Unix
# socket (tests/fixtures/unix_bridge.py: a filesystem socket crosses network
# namespaces, nothing else does), bound inside to the same address and port
# as cordon's public_url, so the URLs cordon writes into metadata work
# there. Real npm and pip install through it; the upstream registry, one
# loopback hop away outside, cannot be reached from inside. When this
# machine cannot make a network namespace, the case says so and is a skip.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"
command -v npm >/dev/null || setup_skip "npm not found"
command -v unshare >/dev/null || setup_skip "unshare (util-linux) not found"
"$PYTHON" -m pip --version >/dev/null 2>&1 || setup_skip "pip not found"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/mcp_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 7d }"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
BRIDGE=$IT_ROOT/tests/fixtures/unix_bridge.py
SOCK=$IT_TMP/cordon.sock

# the outer half: the Unix socket to cordon's TCP port
"$PYTHON" "$BRIDGE" to-tcp "$SOCK" 127.0.0.1 "$CPORT" >"$IT_TMP/bridge-out.log" 2>&1 &
IT_BG_PIDS+=("$!")
deadline=$(( $(date +%s) + 20 ))
until [[ -S $SOCK ]]; do
    (( $(date +%s) < deadline )) || setup_failed "the outer bridge did not listen: $(cat "$IT_TMP/bridge-out.log")"
    sleep 0.1
done

# sandbox SCRIPT: bash SCRIPT run inside a new network namespace with the
# inner half of the bridge up; lib.sh's client helpers are exported to it
export -f npm_in pip_in new_project installed_version
export IT_TMP NPM_REGISTRY PYPI_INDEX PYTHON CPORT SOCK BRIDGE UPSTREAM_URL FIXTURE_URL
sandbox() {
    timeout -k 5 300 unshare -rn bash -c '
        set -u
        ip link set lo up || exit 90
        "$PYTHON" "$BRIDGE" to-unix 127.0.0.1 "$CPORT" "$SOCK" >"$IT_TMP/bridge-in.log" 2>&1 &
        bridge=$!
        for _ in $(seq 200); do
            grep -q ready "$IT_TMP/bridge-in.log" 2>/dev/null && break
            sleep 0.05
        done
        bash -c "$1"
        rc=$?
        kill "$bridge" 2>/dev/null
        exit "$rc"
    ' sandbox "$1"
}

t_installs_only_through_cordon() {
    if ! unshare -rn true 2>/dev/null; then
        skip_test "npm and pip in a network namespace" "this machine cannot make a network namespace (unshare -rn failed)"
        return 0
    fi
    new_project "$IT_TMP/app" '{"agent-pkg": "^1.0.0"}'
    sandbox '
        set -e
        echo "== interfaces"; ip -brief link
        echo "== cordon"; curl -s -o /dev/null -w "%{http_code}\n" --max-time 10 "http://127.0.0.1:$CPORT/-/health"
        echo "== npm"; npm_in "$IT_TMP/app" install > "$IT_TMP/npm.log" 2>&1
        echo "installed $(installed_version "$IT_TMP/app" agent-pkg)"
        echo "== pip"; pip_in download --no-deps -d "$IT_TMP/wheels" agent-py > "$IT_TMP/pip.log" 2>&1
        ls "$IT_TMP/wheels"
        echo "== upstream direct"
        curl -s -o /dev/null -w "%{http_code}\n" --max-time 10 "$UPSTREAM_URL/agent-pkg" || true
        NPM_REGISTRY=$UPSTREAM_URL/ NPM_CACHE=$IT_TMP/npm-cache-direct npm_in "$IT_TMP/direct" view agent-pkg version \
            > "$IT_TMP/npm-direct.log" 2>&1 && echo "direct npm: reached" || echo "direct npm: failed"
        IT_PIP_INDEX=$FIXTURE_URL/pypi/simple/ pip_in download --no-deps -d "$IT_TMP/direct-wheels" agent-py \
            > "$IT_TMP/pip-direct.log" 2>&1 && echo "direct pip: reached" || echo "direct pip: failed"
    ' >"$IT_TMP/sandbox.out" 2>&1
    local rc=$? out
    out=$(cat "$IT_TMP/sandbox.out")
    (( rc != 90 )) || { skip_test "npm and pip in a network namespace" "the namespace's loopback could not be brought up"; return 0; }
    (( rc == 0 )) || fail "the sandbox failed (exit $rc): $out; npm: $(tail -n 20 "$IT_TMP/npm.log" 2>/dev/null); pip: $(tail -n 20 "$IT_TMP/pip.log" 2>/dev/null)"
    note "$out"
    assert_not_contains "$out" "eth0" "the sandbox has loopback only"
    assert_contains "$out" $'== cordon\n200' "cordon answers inside the sandbox"
    assert_contains "$out" "installed 1.0.0" "npm installed the version cordon serves"
    assert_contains "$out" "agent_py-1.0-py3-none-any.whl" "pip downloaded the version cordon serves"
    assert_contains "$out" $'== upstream direct\n000' "the upstream is unreachable inside"
    assert_contains "$out" "direct npm: failed" "npm straight at the upstream fails"
    assert_contains "$out" "direct pip: failed" "pip straight at the upstream fails"
    # and cordon saw the sandbox's installs
    wait_for_decision 'r["package"] == "agent-pkg" and r["version"] == "1.0.0" and r["decision"] == "allow"' ||
        fail "cordon recorded no install of agent-pkg 1.0.0"
}

run_test "npm and pip in a network namespace reach packages through cordon only" t_installs_only_through_cordon
finish
