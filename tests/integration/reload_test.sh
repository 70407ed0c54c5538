#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for reloading the configuration (SIGHUP) while requests
# are in flight: 200 reloads under load (packuments, tarballs, metrics, and
# lockfile checks that wait for upstream across many reloads) are all
# applied, nothing fails or crashes, and memory stays flat (core/runtime.h
# frees a replaced configuration once nothing reads it; cordon kept every one
# until exit, and refused the 65th reload). Everything on 127.0.0.1.
#
#   CORDON_BIN=build/cordon bash tests/integration/reload_test.sh

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/npm_spec.json"
# a lockfile check waits at most 2 s for metadata upstream does not answer
# (hang-pkg): each one holds its configuration across several reloads
CORDON_FETCH_YAML="{ metadata_ttl: 5m, timeout: 10s, stale_if_error: 24h, lockfile_deadline: 2s }"
# under ASan, freed memory waits in a quarantine of up to 256 MB before it is
# reused: without one, RSS shows what cordon keeps (builds without ASan ignore it)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
start_cordon "$UPSTREAM_URL"
CI_TOKEN=$(timeout 15 "$CORDON_BIN" token add reload-ci --role ci --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err")
CI_TOKEN=${CI_TOKEN%%$'\n'*}
[[ $CI_TOKEN == cordon_* ]] || setup_failed "cordon token add failed: $(cat "$IT_TMP/token.err")"

RELOADS=200
BASE_YAML=$IT_TMP/cordon.base.yaml
cp "$IT_TMP/cordon.yaml" "$BASE_YAML"
# the variant with a rule: view-me@1.4.2 is blocked while it is loaded
DENY_RULE='quarantine: { min_age: 0, rules: [ { match: "npm:view-me@1.4.2", deny: true } ] }'

# use_config base|deny: what the next reload reads (renamed into place, so a
# reload never reads half a file)
use_config() {
    if [[ $1 == deny ]]; then
        sed "s/^quarantine: .*/$DENY_RULE/" "$BASE_YAML" >"$IT_TMP/cordon.next.yaml"
    else
        cp "$BASE_YAML" "$IT_TMP/cordon.next.yaml"
    fi
    mv "$IT_TMP/cordon.next.yaml" "$IT_TMP/cordon.yaml"
}

reloads_logged() { # how many reloads cordon reported done (the file is read whole first)
    local log
    log=$(cat "$IT_TMP/cordon.stderr")
    grep -c '"msg":"configuration reloaded"' <<<"$log" || true
}

# reload: SIGHUP, then wait (a deadline) until cordon says it reloaded; a
# signal that arrives before the previous one was handled would be merged
reload() {
    local want deadline
    want=$(( $(reloads_logged) + 1 ))
    kill -HUP "$CORDON_PID" || fail "cannot signal cordon"
    deadline=$(( $(date +%s) + 60 ))
    while (( $(reloads_logged) < want )); do
        pid_running "$CORDON_PID" || fail "cordon died during a reload"
        (( $(date +%s) < deadline )) || fail "reload $want not done within 60 s: $(tail -n 3 "$IT_TMP/cordon.stderr")"
        sleep 0.02
    done
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$CORDON_PID/status"; }

metric() { # NAME: its value in /-/metrics
    curl -s --max-time 10 "$CORDON_URL/-/metrics" | awk -v m="$1" '$1 == m {print $2}'
}

# clients until $IT_TMP/load.stop exists; each request's status on a line of
# $IT_TMP/load.N (bounded: at most 20000 requests each)
getter() {
    local n=$1 i=0 code url
    local -a urls=("$CORDON_URL/npm/left-pad" "$CORDON_URL/npm/is-thing" "$CORDON_URL/npm/@fx/util"
        "$CORDON_URL/npm/left-pad/-/left-pad-1.3.0.tgz" "$CORDON_URL/npm/mid-lib/-/mid-lib-2.0.0.tgz"
        "$CORDON_URL/-/metrics" "$CORDON_URL/-/health")
    while [[ ! -e $IT_TMP/load.stop ]] && (( i < 20000 )); do
        url=${urls[i % ${#urls[@]}]}
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$url") || true
        printf '%s %s\n' "${code:-000}" "$url" >>"$IT_TMP/load.$n"
        i=$((i + 1))
    done
}

lockfile_checker() {
    local i=0 code
    while [[ ! -e $IT_TMP/load.stop ]] && (( i < 2000 )); do
        code=$(curl -s -o "$IT_TMP/lock.body" -w '%{http_code}' --max-time 60 -X POST \
            -H "Authorization: Bearer $CI_TOKEN" --data-binary "@$IT_TMP/package-lock.json" \
            "$CORDON_URL/-/api/lockfiles/reload-proj?ref=r$i") || true
        printf '%s lockfile\n' "${code:-000}" >>"$IT_TMP/load.lock"
        i=$((i + 1))
    done
}

cat >"$IT_TMP/package-lock.json" <<'EOF'
{
  "name": "reload-app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": { "name": "reload-app", "version": "1.0.0",
          "dependencies": { "left-pad": "1.3.0", "is-thing": "1.1.0", "hang-pkg": "1.0.0" } },
    "node_modules/left-pad": { "version": "1.3.0" },
    "node_modules/is-thing": { "version": "1.1.0" },
    "node_modules/hang-pkg": { "version": "1.0.0" }
  }
}
EOF

t_reloads_under_load() {
    local i pids=() rss0 rss1 total bad checks
    for u in npm/left-pad npm/is-thing npm/@fx/util npm/left-pad/-/left-pad-1.3.0.tgz npm/mid-lib/-/mid-lib-2.0.0.tgz; do
        http GET "$CORDON_URL/$u"
        expect_status 200 "warm-up GET /$u"
    done
    rm -f "$IT_TMP"/load.*
    getter 1 & pids+=($!)
    getter 2 & pids+=($!)
    lockfile_checker & pids+=($!)
    # the allocator's steady state first: a few reloads under the same load
    for ((i = 0; i < 20; i++)); do
        reload
    done
    rss0=$(rss_kb)
    for ((i = 0; i < RELOADS; i++)); do
        if (( i % 2 )); then use_config base; else use_config deny; fi
        reload
    done
    rss1=$(rss_kb)
    : >"$IT_TMP/load.stop"
    for p in "${pids[@]}"; do
        wait "$p"
    done
    use_config base
    pid_running "$CORDON_PID" || fail "cordon is gone after $RELOADS reloads"
    http GET "$CORDON_URL/-/health"
    expect_status 200 "health after $RELOADS reloads"
    assert_eq $((RELOADS + 20)) "$(reloads_logged)" "reloads cordon reported done"
    local refused
    refused=$(grep -c 'reload failed\|too many reloads' "$IT_TMP/cordon.stderr" || true)
    assert_eq 0 "$refused" "reloads refused"
    total=$(cat "$IT_TMP"/load.1 "$IT_TMP"/load.2 | wc -l)
    bad=$(cat "$IT_TMP"/load.1 "$IT_TMP"/load.2 | awk '$1 != 200' | sort | uniq -c)
    (( total > 0 )) || fail "the clients made no request"
    [[ -z $bad ]] || fail "requests that did not answer 200 during the reloads: $bad"
    checks=$(wc -l <"$IT_TMP/load.lock")
    (( checks > 0 )) || fail "no lockfile check ran during the reloads"
    bad=$(awk '$1 != 200' "$IT_TMP/load.lock" | sort | uniq -c)
    [[ -z $bad ]] || fail "lockfile checks that did not answer 200 during the reloads: $bad"
    note "$total requests and $checks lockfile checks (each waiting 2 s for upstream) during $RELOADS reloads"
    note "RSS after 20 reloads: ${rss0} kB; after $RELOADS more: ${rss1} kB ($(( rss1 - rss0 )) kB)"
    printf '%s %s\n' "$rss0" "$rss1" >"$IT_TMP/rss"
    # flat: a leaked configuration and popular set per reload would be tens
    # of MB here; what the allocator keeps of its own stays far below that
    (( rss1 - rss0 < 16384 )) || fail "RSS grew by $(( rss1 - rss0 )) kB over $RELOADS reloads"
}

t_replaced_configurations_freed() {
    # nothing reads the replaced ones once the load stopped: only the
    # current one stays (the loops pass a quiescent point every round)
    local deadline live
    deadline=$(( $(date +%s) + 30 ))
    while :; do
        live=$(metric cordon_configurations_live)
        [[ $live == 1 ]] && break
        (( $(date +%s) < deadline )) || fail "cordon_configurations_live is '$live' 30 s after the load stopped, not 1"
        sleep 0.2
    done
}

t_last_reload_in_effect() {
    local tgz=$CORDON_URL/npm/view-me/-/view-me-1.4.2.tgz
    use_config deny
    reload
    http GET "$tgz"
    expect_status 403 "view-me-1.4.2.tgz with the deny rule loaded"
    assert_eq blocked "$(json_eval "$HTTP_BODY" 'd["reason"]')" "its reason"
    use_config base
    reload
    http GET "$tgz"
    expect_status 200 "view-me-1.4.2.tgz once the rule is gone"
}

run_test "$RELOADS reloads with requests and lockfile checks in flight: all applied, nothing fails, RSS flat" t_reloads_under_load
run_test "replaced configurations are freed once nothing reads them" t_replaced_configurations_freed
run_test "the last reload is the one in effect" t_last_reload_in_effect
finish
