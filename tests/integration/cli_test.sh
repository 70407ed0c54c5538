#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: the command line as a tool (DESIGN.md "Command line"):
# `cordon config check` prints the effective configuration (defaults filled,
# credentials masked) that reads back the same, or FILE:LINE: message with a
# "did you mean" for a key one edit away, and says how to make a missing
# one; `-V`/`--version`. No server, no network.
#
#   CORDON_BIN=build/cordon bash tests/integration/cli_test.sh

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup
W=$IT_TMP/work
mkdir -p "$W"

t_version() {
    local out
    out=$("$CORDON_BIN" -V) || fail "cordon -V failed"
    [[ $out =~ ^cordon\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "cordon -V printed '$out'"
    assert_eq "$out" "$("$CORDON_BIN" --version)" "cordon --version"
    assert_eq "$out" "$("$CORDON_BIN" version)" "cordon version"
}

t_config_check_effective() {
    local out rc
    cat >"$W/c.yaml" <<'YAML'
listen: 127.0.0.1:7999
upstreams:
  npm: http://builder:s3cret-word@127.0.0.1:9/npm
quarantine:
  min_age: 30days
  rules:
    - { match: "npm:@acme/*", min_age: 0 }
review: { contact: "#appsec" }
YAML
    out=$("$CORDON_BIN" config check --config "$W/c.yaml" 2>&1)
    rc=$?
    echo "$out"
    assert_eq 0 "$rc" "config check: exit code"
    assert_contains "$out" "ok; the effective configuration" "config check"
    assert_contains "$out" "min_age: 30d" "the window as written (30days)"
    assert_contains "$out" "metadata_ttl: 5m" "a default filled in"
    assert_contains "$out" 'url: http://127.0.0.1:9/npm' "the upstream without its userinfo"
    assert_contains "$out" 'password: "(set)"' "the password masked"
    assert_not_contains "$out" "s3cret-word" "config check output"
    # what it prints is a configuration that loads to the same
    printf '%s\n' "$out" | grep -v 'password: "(set)"\|username:' >"$W/effective.yaml"
    "$CORDON_BIN" config check --config "$W/effective.yaml" >"$W/again.txt" 2>&1 || fail "the printed configuration does not load: $(cat "$W/again.txt")"
    diff <(printf '%s\n' "$out" | sed 1d | grep -v 'password\|username\|# /\|url:\|npm:') \
        <(sed 1d "$W/again.txt" | grep -v 'password\|username\|# /\|url:\|npm:') >"$W/diff.txt" ||
        fail "the configuration read back differs: $(cat "$W/diff.txt")"
}

t_config_check_errors() {
    local out rc
    printf 'fetch:\n  metadata_tll: 5m\n' >"$W/typo.yaml"
    out=$("$CORDON_BIN" config check --config "$W/typo.yaml" 2>&1)
    rc=$?
    echo "$out"
    assert_eq 2 "$rc" "config check of a bad key: exit code"
    assert_contains "$out" "$W/typo.yaml:2: unknown key 'metadata_tll' in fetch (did you mean 'metadata_ttl'?)" "the error"
    out=$(cd "$W" && "$CORDON_BIN" config check 2>&1)
    rc=$?
    echo "$out"
    assert_eq 2 "$rc" "config check without a configuration: exit code"
    assert_contains "$out" "make run" "how to make one"
    out=$(cd "$W" && timeout 10 "$CORDON_BIN" serve 2>&1)
    rc=$?
    echo "$out"
    assert_eq 2 "$rc" "serve without a configuration: exit code"
    assert_contains "$out" "make run" "serve's hint on how to make one"
    out=$("$CORDON_BIN" config 2>&1)
    assert_eq 2 "$?" "config without a subcommand: exit code"
    "$CORDON_BIN" config --help | grep -q "cordon config check" || fail "cordon config --help does not show its usage"
}

t_every_subcommand_help() {
    local c out
    for c in serve log token audit backup held approve revoke block unblock decisions reviews why review lockfile config; do
        out=$("$CORDON_BIN" "$c" --help 2>&1) || fail "cordon $c --help exited $?"
        [[ $out == usage:* ]] || fail "cordon $c --help does not start with its usage: $out"
        assert_contains "$out" "cordon $c" "cordon $c --help"
        assert_contains "$out" "example:" "cordon $c --help"
    done
}

run_test "-V, --version and version print the same" t_version
run_test "every subcommand answers --help with its usage and an example" t_every_subcommand_help
run_test "config check: defaults filled, credentials masked, reads back the same" t_config_check_effective
run_test "config check: FILE:LINE with did-you-mean; a missing file says how to make one" t_config_check_errors
finish
