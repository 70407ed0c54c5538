# shellcheck shell=bash
# Shared helpers for cordon's integration tests.  Source it, do not run it.
#
#   . "$(dirname "$0")/lib.sh"
#   it_setup                                  # temp dir, npm isolation, trap
#   start_fixture "$IT_ROOT/tests/fixtures/npm_spec.json"   # sets UPORT, UPSTREAM_URL
#   start_cordon "$UPSTREAM_URL"              # sets CPORT, CORDON_URL, NPM_REGISTRY
#   start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi"   # ... with a pypi upstream too
#   start_cordon "$UPSTREAM_URL" "" "$FIXTURE_URL/maven2"   # ... with a maven one (MAVEN_REPO)
#   run_test "name" test_function             # prints ok - name / not ok - name
#   finish                                    # prints "N passed, N failed", exits
#
# Environment:
#   CORDON_BIN    cordon binary (default: build/cordon in the repository)
#   KEEP_TMP=1    keep the temporary directory (its path is printed)
#   IT_VERBOSE=1  print every test's own output, not only on failure
#
# Everything listens on 127.0.0.1 only.  Every wait is bounded: curl calls
# carry --max-time, npm runs under timeout(1), polls have a deadline.

set -uo pipefail

IT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ -z ${CORDON_BIN:-} ]]; then
    CORDON_BIN=$IT_ROOT/build/cordon
elif [[ $CORDON_BIN != /* ]]; then
    CORDON_BIN=$PWD/$CORDON_BIN   # tests cd around: make it absolute now
fi
FIXTURE_PY=$IT_ROOT/tests/fixtures/upstream.py
# Resolve the interpreter once: version-manager shims cost ~0.3 s per call.
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PYTHON=python3

IT_TMP=""
FIXTURE_PID=""
CORDON_PID=""
IT_BG_PIDS=()     # other background jobs a test file starts; killed at the end
UPORT=""
CPORT=""
IT_PASSED=0
IT_FAILED=0
IT_SKIPPED=0
IT_FINISHED=0
IT_LOGS_SHOWN=0
# How long a fixture or a cordon may take to answer after its start: a
# deadline (a start that works returns at once), generous for two busy cores
# under ASan.
IT_START_SECS=${IT_START_SECS:-60}

# Defaults for the generated cordon configuration; a test file may change
# them before start_cordon.
CORDON_THREADS=${CORDON_THREADS:-2}
CORDON_FETCH_YAML=${CORDON_FETCH_YAML:-"{ metadata_ttl: 5m, timeout: 10s, stale_if_error: 24h }"}
CORDON_QUARANTINE_YAML=${CORDON_QUARANTINE_YAML:-"{ min_age: 0 }"}
CORDON_EXTRA_YAML=${CORDON_EXTRA_YAML:-}

# ------------------------------------------------------------------ basics

note() { printf '# %s\n' "$*"; }

# fail MESSAGE: end the current test (tests run in a subshell) as failed.
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

# assert_contains HAYSTACK NEEDLE [WHAT]  (fixed string, case-sensitive)
assert_contains() {
    local haystack=$1 needle=$2 what=${3:-output}
    if [[ $haystack != *"$needle"* ]]; then
        printf '%s does not contain %q; it was:\n%s\n' "$what" "$needle" "$(printf '%s' "$haystack" | tail -n 40)" >&2
        fail "expected $what to contain '$needle'"
    fi
}

# assert_contains_i HAYSTACK NEEDLE [WHAT]  (case-insensitive)
assert_contains_i() {
    local haystack=${1,,} needle=${2,,} what=${3:-output}
    if [[ $haystack != *"$needle"* ]]; then
        printf '%s does not contain %q (any case); it was:\n%s\n' "$what" "$2" "$(printf '%s' "$1" | tail -n 40)" >&2
        fail "expected $what to contain '$2'"
    fi
}

assert_not_contains() {
    local haystack=$1 needle=$2 what=${3:-output}
    if [[ $haystack == *"$needle"* ]]; then
        printf '%s contains %q; it was:\n%s\n' "$what" "$needle" "$(printf '%s' "$haystack" | tail -n 40)" >&2
        fail "expected $what not to contain '$needle'"
    fi
}

# assert_tar_lists ARCHIVE PATH [WHAT]: the archive (tar -t, any compression
# tar reads) has an entry named exactly PATH.  The listing is taken whole
# before it is matched: `tar -t | grep -q` fails under pipefail whenever
# grep's early exit kills tar with SIGPIPE.
assert_tar_lists() {
    local listing
    listing=$(tar -tf "$1" 2>&1) || fail "${3:-$1} is not an archive tar reads: $(head -n 5 <<<"$listing")"
    grep -qxF -- "$2" <<<"$listing" || fail "${3:-$1} has no entry $2; it lists: $(head -n 20 <<<"$listing")"
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
    [[ $1 == "$2" ]] || fail "${3:-value}: expected '$1', got '$2'"
}

# free_port: print a port that was free a moment ago.  Anything may take it
# before it is bound: for a server of the test's own, use reserve_port.
free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# reserve_port VAR: set VAR to a loopback port held for a server this test
# starts.  A small process keeps a socket bound to it (SO_REUSEADDR, never
# listening) until the shell that called reserve_port ends or stop_all runs,
# so nothing else on the machine (an outgoing connection's ephemeral port,
# another test's port) can take it between now and the server's bind; cordon
# binds with SO_REUSEADDR too and listens beside it, also when restarted on
# the same port.  Call it directly, not in $(...): the holder lives as long
# as its parent shell.
IT_PORT_N=0
reserve_port() {
    local rp_var=$1 rp_file rp_pid rp_deadline
    IT_PORT_N=$((IT_PORT_N + 1))
    rp_file=$IT_TMP/ports/$BASHPID.$IT_PORT_N
    mkdir -p "$IT_TMP/ports"
    "$PYTHON" -c '
import os, socket, sys, time
parent = os.getppid()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
while os.getppid() == parent:
    time.sleep(0.5)
' "$rp_file" </dev/null >/dev/null 2>"$rp_file.err" &
    rp_pid=$!
    IT_BG_PIDS+=("$rp_pid")
    rp_deadline=$(( $(date +%s) + 30 ))
    until [[ -s $rp_file ]]; do
        kill -0 "$rp_pid" 2>/dev/null || setup_failed "reserve_port: the holder exited: $(cat "$rp_file.err")"
        (( $(date +%s) < rp_deadline )) || setup_failed "reserve_port: no port within 30 s"
        sleep 0.05
    done
    printf -v "$rp_var" '%s' "$(cat "$rp_file")"
}

# wait_http URL SECONDS: succeed once URL answers 200 (polls every 0.1 s;
# default 30 s: a deadline, so only a failure waits that long).
wait_http() {
    local url=$1 secs=${2:-30} deadline code
    deadline=$(( $(date +%s) + secs ))
    while (( $(date +%s) < deadline )); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) || true
        [[ $code == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

# http METHOD URL [curl args...]: one request.  Sets HTTP_STATUS, HTTP_BODY
# (file), HTTP_HEADERS (file, lower-cased names).  Never takes more than 30 s.
HTTP_N=0
http() {
    local method=$1 url=$2
    shift 2
    HTTP_N=$((HTTP_N + 1))
    HTTP_BODY=$IT_TMP/http/$BASHPID.$HTTP_N.body
    HTTP_HEADERS=$IT_TMP/http/$BASHPID.$HTTP_N.headers
    mkdir -p "$IT_TMP/http"
    HTTP_STATUS=$(curl -s -X "$method" -o "$HTTP_BODY" -D "$HTTP_HEADERS.raw" \
        -w '%{http_code}' --max-time "${HTTP_MAX_TIME:-30}" "$@" "$url" 2>/dev/null) || true
    tr -d '\r' <"$HTTP_HEADERS.raw" 2>/dev/null | sed -E 's/^([^:]+):/\L\1:/' >"$HTTP_HEADERS" || : >"$HTTP_HEADERS"
    [[ -n $HTTP_STATUS ]] || HTTP_STATUS=000
}

# gzip_document WHAT URL [curl args...]: a metadata document cordon renders
# is sent gzip-compressed to a client that accepts gzip (Content-Encoding:
# gzip, Vary: Accept-Encoding, the tag "<identity tag>-gz", bytes that
# decompress to exactly the identity document), as it is to one that does
# not, and each tag revalidates its own representation only.
gzip_document() {
    local what=$1 url=$2 plain plain_etag gz_etag
    shift 2
    http GET "$url" "$@"
    expect_status 200 "$what without Accept-Encoding"
    [[ -z $(header content-encoding) ]] || fail "$what: Content-Encoding '$(header content-encoding)' to a client that did not ask"
    assert_contains_i "$(header vary)" "accept-encoding" "$what: Vary"
    plain=$HTTP_BODY
    plain_etag=$(header etag)
    http GET "$url" "$@" -H 'Accept-Encoding: gzip'
    expect_status 200 "$what with Accept-Encoding: gzip"
    assert_eq gzip "$(header content-encoding)" "$what: Content-Encoding"
    assert_contains_i "$(header vary)" "accept-encoding" "$what: Vary (gzip)"
    gz_etag=$(header etag)
    assert_eq "${plain_etag%\"}-gz\"" "$gz_etag" "$what: the gzip form's ETag"
    "$PYTHON" -c 'import gzip, sys; a = gzip.decompress(open(sys.argv[1], "rb").read()); b = open(sys.argv[2], "rb").read(); sys.exit(a != b)' \
        "$HTTP_BODY" "$plain" || fail "$what: the gzip form does not decompress to the identity document"
    (( $(stat -c %s "$HTTP_BODY") < $(stat -c %s "$plain") )) || fail "$what: the gzip form is not smaller"
    http GET "$url" "$@" -H 'Accept-Encoding: gzip' -H "If-None-Match: $gz_etag"
    expect_status 304 "$what revalidated with its gzip tag"
    http GET "$url" "$@" -H 'Accept-Encoding: gzip' -H "If-None-Match: $plain_etag"
    expect_status 200 "$what: the identity tag does not revalidate the gzip form"
    http GET "$url" "$@" -H "If-None-Match: $plain_etag"
    expect_status 304 "$what revalidated with its identity tag"
}

# header NAME: value of a header of the last http() answer (empty if absent).
header() {
    local name=${1,,}
    grep -i "^$name:" "$HTTP_HEADERS" | tail -n 1 | cut -d: -f2- | sed -E 's/^ +//'
}

body() { cat "$HTTP_BODY"; }

# expect_status CODE [WHAT]: the last http() answer had this status.
expect_status() {
    if [[ $HTTP_STATUS != "$1" ]]; then
        printf 'body: %s\n' "$(head -c 2000 "$HTTP_BODY" 2>/dev/null)" >&2
        fail "${2:-request}: expected HTTP $1, got $HTTP_STATUS"
    fi
}

# json_eval FILE PYEXPR: print the value of a Python expression over the
# JSON document d in FILE (strings raw, other values as JSON).  Non-zero exit
# when the file is not JSON or the expression fails.
json_eval() {
    "$PYTHON" - "$1" "$2" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        d = json.load(f)
    v = eval(sys.argv[2], {"d": d})
except Exception as e:
    print("json_eval: %s: %r" % (sys.argv[2], e), file=sys.stderr)
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))
PY
}

# ------------------------------------------------------------------ setup

it_setup() {
    IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cordon-it.XXXXXX") || { echo "mktemp failed" >&2; exit 2; }
    mkdir -p "$IT_TMP/http"
    # npm must see none of this machine's configuration.
    : >"$IT_TMP/npmrc-user"
    : >"$IT_TMP/npmrc-global"
    local v
    for v in $(env | sed -n 's/^\([Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p'); do
        unset "$v"
    done
    unset NODE_OPTIONS
    tsan_setup
    trap it_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# ThreadSanitizer (the build-tsan run, `make test-tsan`): every instrumented
# process a test starts (servers in the background, CLI calls, test tools)
# writes its reports to $IT_TMP/tsan/report.PID rather than to a stderr that
# nobody may read, with tests/tsan.supp unless TSAN_OPTIONS names
# suppressions already.  finish and it_cleanup fail the file when a report
# was written (tsan_reports).  Builds without TSan ignore TSAN_OPTIONS.
tsan_setup() {
    mkdir -p "$IT_TMP/tsan"
    [[ ${TSAN_OPTIONS:-} == *suppressions=* ]] ||
        TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}suppressions=$IT_ROOT/tests/tsan.supp"
    export TSAN_OPTIONS="$TSAN_OPTIONS:log_path=$IT_TMP/tsan/report"
}

# tsan_reports: after everything stopped, one failed case when any process
# wrote a ThreadSanitizer report; each report file is printed.
tsan_reports() {
    local f n=0
    for f in "$IT_TMP"/tsan/report.*; do
        [[ -s $f ]] || continue
        n=$((n + 1))
        note "---- ThreadSanitizer, $(basename "$f") (first 300 lines)"
        head -n 300 "$f" | sed 's/^/#   /'
    done
    (( n == 0 )) && return 0
    IT_FAILED=$((IT_FAILED + 1))
    printf 'not ok - ThreadSanitizer: %d process(es) wrote a report\n' "$n"
}

# pid_running PID: the process exists and is not a zombie (one that exited
# but was not reaped yet, e.g. a child of the main shell seen from a case's
# subshell).
pid_running() {
    local st
    kill -0 "$1" 2>/dev/null || return 1
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $st != Z* ]]
}

# stop_pid PID NAME: SIGTERM, wait up to 30 s (cordon drains for 5 s; ASan's
# leak check at exit is slow on busy cores), then SIGKILL.
stop_pid() {
    local pid=$1 deadline
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    deadline=$(( $(date +%s) + 30 ))
    while (( $(date +%s) < deadline )); do
        pid_running "$pid" || return 0
        sleep 0.1
    done
    note "$2 (pid $pid) ignored SIGTERM for 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null
}

show_logs() {
    (( IT_LOGS_SHOWN )) && return 0
    IT_LOGS_SHOWN=1
    local f
    for f in "$IT_TMP/cordon.stderr" "$IT_TMP/cordon.stdout" "$IT_TMP/upstream/upstream.log" "$IT_TMP/fixture.out"; do
        [[ -s $f ]] || continue
        note "---- last 150 lines of $f"
        tail -n 150 "$f" | sed 's/^/#   /'
    done
    if [[ -x $CORDON_BIN && -d $IT_TMP/data ]]; then
        note "---- cordon log --json (last 50)"
        timeout 10 "$CORDON_BIN" log --data-dir "$IT_TMP/data" --json --limit 50 2>&1 | sed 's/^/#   /'
    fi
}

# stop_all: stop cordon, the fixture and the background jobs, each waited
# for (before any closing line is printed, and before the temp dir goes).
stop_all() {
    local p
    if [[ -f ${IT_TMP:-}/extra-cordon.pids ]]; then
        while read -r p; do IT_BG_PIDS+=("$p"); done <"$IT_TMP/extra-cordon.pids"
        rm -f "$IT_TMP/extra-cordon.pids"
    fi
    for p in "${IT_BG_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${IT_BG_PIDS[@]}"; do
        stop_pid "$p" "background job"
    done
    IT_BG_PIDS=()
    stop_pid "$CORDON_PID" cordon
    CORDON_PID=""
    stop_pid "$FIXTURE_PID" fixture
    FIXTURE_PID=""
}

IT_TMP_DONE=0
remove_tmp() {
    (( IT_TMP_DONE )) && return 0
    IT_TMP_DONE=1
    [[ -n $IT_TMP && -d $IT_TMP ]] || return 0
    if [[ ${KEEP_TMP:-0} == 1 ]]; then
        note "kept $IT_TMP"
    else
        rm -rf "$IT_TMP"
    fi
}

it_cleanup() {
    local rc=$?
    trap - EXIT
    if (( IT_FINISHED )); then
        stop_all
        remove_tmp
        exit "$rc"
    fi
    # Ended early: setup failure, a signal, or a bug in a test file.
    show_logs
    stop_all
    tsan_reports
    local c
    for c in "${IT_BEFORE_REMOVE[@]}"; do eval "$c"; done
    remove_tmp
    (( rc == 0 )) && rc=1
    IT_FAILED=$((IT_FAILED + 1))
    printf '%d passed, %d failed\n' "$IT_PASSED" "$IT_FAILED"
    exit "$rc"
}

# setup_failed MESSAGE: report and stop the whole script.
setup_failed() {
    printf 'not ok - setup: %s\n' "$*"
    exit 1
}

# start_fixture SPEC.json: start the fixture upstream.  Sets UPORT,
# UPSTREAM_URL (with the trailing slash) and FIXTURE_URL.
start_fixture() {
    local spec=$1 deadline
    mkdir -p "$IT_TMP/upstream"
    "$PYTHON" "$FIXTURE_PY" --spec "$spec" --state-dir "$IT_TMP/upstream" --port 0 \
        >"$IT_TMP/fixture.out" 2>&1 &
    FIXTURE_PID=$!
    deadline=$(( $(date +%s) + IT_START_SECS ))
    while [[ ! -s $IT_TMP/upstream/port ]] && (( $(date +%s) < deadline )); do
        kill -0 "$FIXTURE_PID" 2>/dev/null || setup_failed "fixture upstream exited: $(tail -n 5 "$IT_TMP/fixture.out")"
        sleep 0.1
    done
    UPORT=$(cat "$IT_TMP/upstream/port" 2>/dev/null) || setup_failed "fixture wrote no port within $IT_START_SECS s"
    UPSTREAM_URL=http://127.0.0.1:$UPORT/
    FIXTURE_URL=http://127.0.0.1:$UPORT
    wait_http "$FIXTURE_URL/_fixture/health" "$IT_START_SECS" || setup_failed "fixture not healthy on port $UPORT"
    note "fixture upstream on $UPSTREAM_URL (pid $FIXTURE_PID)"
}

# fixture_hits PATH [METHOD]: how many requests the fixture saw for PATH
# (percent-decoded comparison, so /@s%2fn and /@s/n are the same).
fixture_hits() {
    local q
    q="path=$("$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1")"
    [[ -n ${2:-} ]] && q="$q&method=$2"
    curl -s --max-time 5 "$FIXTURE_URL/_fixture/hits?$q" |
        "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}

# fixture_method_hits METHOD: requests of that method on any path.
fixture_method_hits() {
    curl -s --max-time 5 "$FIXTURE_URL/_fixture/hits?method=$1" |
        "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}

fixture_mutate() {
    curl -s --max-time 5 -X POST -H 'Content-Type: application/json' --data "$1" "$FIXTURE_URL/_fixture/mutate" >/dev/null
}

# write_cordon_config NPM_UPSTREAM_URL [PYPI_UPSTREAM_URL] [MAVEN_UPSTREAM_URL]:
# $IT_TMP/cordon.yaml for port $CPORT (the pypi and maven upstreams only when
# given; pass "" for pypi to give only maven).
write_cordon_config() {
    local pypi_line="" maven_line=""
    [[ -n ${2:-} ]] && pypi_line="  pypi: $2"
    [[ -n ${3:-} ]] && maven_line="  maven: $3"
    cat >"$IT_TMP/cordon.yaml" <<EOF
listen: 127.0.0.1:$CPORT
public_url: http://127.0.0.1:$CPORT
data_dir: $IT_TMP/data
threads: $CORDON_THREADS
upstreams:
  npm: $1
$pypi_line
$maven_line
fetch: $CORDON_FETCH_YAML
quarantine: $CORDON_QUARANTINE_YAML
$CORDON_EXTRA_YAML
EOF
}

# start_cordon NPM_UPSTREAM_URL [PYPI_UPSTREAM_URL] [MAVEN_UPSTREAM_URL]: start
# cordon and wait (<= IT_START_SECS) for /-/health.  Sets CPORT, CORDON_URL,
# NPM_REGISTRY, PYPI_INDEX (cordon's /pypi/simple/) and MAVEN_REPO (cordon's
# /maven/).  Retries with another port if the first one was taken in the
# meantime.  The pypi upstream is the fixture's "$FIXTURE_URL/pypi" (no
# trailing slash needed), the maven one "$FIXTURE_URL/maven2".
start_cordon() {
    local upstream=$1 pypi_upstream=${2:-} maven_upstream=${3:-} attempt deadline
    [[ -f $CORDON_BIN && -x $CORDON_BIN ]] || setup_failed "cordon binary not found or not executable: $CORDON_BIN (build it, or set CORDON_BIN)"
    for attempt in 1 2 3; do
        reserve_port CPORT
        write_cordon_config "$upstream" "$pypi_upstream" "$maven_upstream"
        "$CORDON_BIN" serve --config "$IT_TMP/cordon.yaml" >>"$IT_TMP/cordon.stdout" 2>>"$IT_TMP/cordon.stderr" &
        CORDON_PID=$!
        CORDON_URL=http://127.0.0.1:$CPORT
        NPM_REGISTRY=$CORDON_URL/npm/
        PYPI_INDEX=$CORDON_URL/pypi/simple/
        MAVEN_REPO=$CORDON_URL/maven/
        deadline=$(( $(date +%s) + IT_START_SECS ))
        while (( $(date +%s) < deadline )); do
            if ! kill -0 "$CORDON_PID" 2>/dev/null; then
                break
            fi
            if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$CORDON_URL/-/health" 2>/dev/null) == 200 ]]; then
                note "cordon on $CORDON_URL (pid $CORDON_PID), data in $IT_TMP/data"
                return 0
            fi
            sleep 0.1
        done
        if kill -0 "$CORDON_PID" 2>/dev/null; then
            setup_failed "cordon did not answer 200 on /-/health within $IT_START_SECS s"
        fi
        wait "$CORDON_PID" 2>/dev/null
        note "cordon exited at start (attempt $attempt, exit $?): $(tail -n 3 "$IT_TMP/cordon.stderr" 2>/dev/null)"
        CORDON_PID=""
        grep -qiE 'address (already )?in use|EADDRINUSE' "$IT_TMP/cordon.stderr" 2>/dev/null || break
    done
    setup_failed "cordon could not be started"
}

# cordon_log: the decision log as JSON lines.
cordon_log() {
    timeout 15 "$CORDON_BIN" log --data-dir "$IT_TMP/data" --json --limit "${CORDON_LOG_LIMIT:-1000}"
}

# wait_for_decision PYEXPR [SECONDS]: succeed once `cordon log --json` has
# a record r (a dict) for which PYEXPR is true, e.g.
#   wait_for_decision 'r["package"] == "left-pad" and r["version"] == "1.3.0"'
# The log may be written in batches, so this polls (a deadline, default
# 30 s: only a miss waits that long).  On success the matching record is
# printed.
wait_for_decision() {
    local expr=$1 secs=${2:-30} deadline out
    deadline=$(( $(date +%s) + secs ))
    while :; do
        # the log goes to a file first: a reader that stops at the first match
        # would otherwise SIGPIPE a still-writing `cordon log` (and pipefail
        # turns that into a miss)
        cordon_log >"$IT_TMP/cordon-log.out" 2>"$IT_TMP/cordon-log.err"
        out=$("$PYTHON" -c '
import json, sys
expr = sys.argv[1]
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        r = json.loads(line)
    except ValueError:
        continue
    try:
        if isinstance(r, dict) and eval(expr, {"r": r}):
            print(line)
            sys.exit(0)
    except Exception:
        pass
sys.exit(1)
' "$expr" <"$IT_TMP/cordon-log.out") && { printf '%s\n' "$out"; return 0; }
        (( $(date +%s) >= deadline )) && break
        sleep 0.3
    done
    printf 'no decision matching: %s\ncordon log --json printed (last 20):\n' "$expr" >&2
    cordon_log 2>&1 | tail -n 20 >&2
    return 1
}

# ------------------------------------------------------------------ npm

# npm_in DIR ARGS...: run npm in DIR against cordon, isolated from this
# machine's npm configuration.  NPM_CACHE (default $IT_TMP/npm-cache) and
# NPM_USERCONFIG (default an empty file) may be set per call.
npm_in() {
    local dir=$1
    shift
    mkdir -p "$dir"
    (
        cd "$dir" || exit 2
        timeout -k 5 "${NPM_TIMEOUT:-240}" npm \
            --registry="$NPM_REGISTRY" \
            --cache="${NPM_CACHE:-$IT_TMP/npm-cache}" \
            --userconfig="${NPM_USERCONFIG:-$IT_TMP/npmrc-user}" \
            --globalconfig="$IT_TMP/npmrc-global" \
            --no-audit --no-fund --no-update-notifier \
            --fetch-retries=0 --fetch-timeout=30000 \
            --loglevel="${NPM_LOGLEVEL:-notice}" \
            "$@"
    )
}

# new_project DIR [DEPENDENCIES_JSON]: a fresh private package.json.
new_project() {
    local deps=${2:-}
    [[ -n $deps ]] || deps='{}'
    mkdir -p "$1"
    printf '{"name": "it-project", "version": "1.0.0", "private": true, "dependencies": %s}\n' \
        "$deps" >"$1/package.json"
}

# installed_version DIR NAME: version of node_modules/NAME in DIR (empty if absent).
installed_version() {
    local pj=$1/node_modules/$2/package.json
    [[ -f $pj ]] || return 0
    "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$pj"
}

# assert_installed DIR NAME VERSION
assert_installed() {
    local got
    got=$(installed_version "$1" "$2")
    [[ -n $got ]] || fail "$2 is not installed in $1/node_modules"
    assert_eq "$3" "$got" "installed version of $2"
}

# ------------------------------------------------------------------ pip

# pip_in SUBCOMMAND ARGS...: the real pip ($PYTHON -m pip) against an index
# (IT_PIP_INDEX, default cordon's $PYPI_INDEX), isolated from this machine's
# pip configuration: no config files, no PIP_* variables, no cache, no
# keyring, no retries (a 5xx fails at once), under timeout(1) (IT_PIP_TIMEOUT,
# default 240 s).  Keep installs in the temp dir: --target DIR or download -d DIR.
#   pip_in install --target "$IT_TMP/t" fx-lib
pip_in() {
    local sub=$1
    shift
    (
        local v
        for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do
            unset "$v"
        done
        export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
            PIP_ROOT_USER_ACTION=ignore PIP_KEYRING_PROVIDER=disabled PIP_NO_COLOR=1 \
            PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1
        cd "$IT_TMP" || exit 2
        timeout -k 5 "${IT_PIP_TIMEOUT:-240}" "$PYTHON" -m pip "$sub" \
            --index-url "${IT_PIP_INDEX:-$PYPI_INDEX}" --no-cache-dir --retries 0 --timeout 30 \
            --progress-bar off "$@"
    )
}

# pip_installed_version DIR PROJECT: version of PROJECT installed into the
# --target DIR (from its .dist-info/METADATA; names compared PEP 503
# normalised); empty when absent.
pip_installed_version() {
    "$PYTHON" - "$1" "$2" <<'PY'
import os, re, sys
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
d, want = sys.argv[1], norm(sys.argv[2])
for e in sorted(os.listdir(d)) if os.path.isdir(d) else []:
    meta = os.path.join(d, e, "METADATA")
    if not e.endswith(".dist-info") or not os.path.isfile(meta):
        continue
    fields = {}
    for line in open(meta, encoding="utf-8"):
        if not line.strip():
            break
        k, _, v = line.partition(":")
        fields.setdefault(k.strip().lower(), v.strip())
    if norm(fields.get("name", "")) == want:
        print(fields.get("version", ""))
        break
PY
}

# assert_pip_installed DIR PROJECT VERSION
assert_pip_installed() {
    local got
    got=$(pip_installed_version "$1" "$2")
    [[ -n $got ]] || fail "$2 is not installed in $1 (contents: $(cd "$1" 2>/dev/null && printf '%s ' *))"
    assert_eq "$3" "$got" "installed version of $2"
}

# fixture_pypi_file PROJECT FILENAME [KEY]: from the fixture's own PEP 691
# page, the file's upstream URL path (KEY=path, default), or another key of
# its JSON entry (e.g. "url", "size", "upload-time"); KEY=sha256 gives
# hashes.sha256.  Fails when the fixture does not list the file.
fixture_pypi_file() {
    curl -s --max-time 5 -H 'Accept: application/vnd.pypi.simple.v1+json' "$FIXTURE_URL/pypi/simple/$1/" |
        "$PYTHON" -c '
import json, sys, urllib.parse
fname, key = sys.argv[1], sys.argv[2]
for f in json.load(sys.stdin)["files"]:
    if f["filename"] == fname:
        if key == "path":
            v = urllib.parse.urlsplit(f["url"]).path
        elif key == "sha256":
            v = f["hashes"]["sha256"]
        else:
            v = f[key]
        print(v if isinstance(v, str) else json.dumps(v))
        sys.exit(0)
sys.exit("fixture lists no file %s" % fname)' "$2" "${3:-path}"
}

# ------------------------------------------------------------------ mvn

# mvn_settings FILE MIRROR_URL: a settings.xml whose only content is one
# <mirror> of every repository (mirrorOf *) at MIRROR_URL.
mvn_settings() {
    mkdir -p "$(dirname "$1")"
    cat >"$1" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<settings>
  <mirrors>
    <mirror>
      <id>${IT_MVN_MIRROR_ID:-cordon}</id>
      <mirrorOf>*</mirrorOf>
      <url>$2</url>
    </mirror>
  </mirrors>
</settings>
EOF
}

# mvn_in DIR ARGS...: the real mvn in DIR, isolated from this machine's Maven
# configuration: batch mode, user settings IT_MVN_SETTINGS (default
# $IT_TMP/maven/settings.xml: a mirror of everything at $MAVEN_REPO, written
# on first use), an empty global settings file (no http blocker, no machine
# mirrors), local repository IT_MVN_REPO (default $IT_TMP/m2repo; give every
# build its own empty one), no ~/.mavenrc, MAVEN_OPTS or JAVA_TOOL_OPTIONS,
# no transport retries, bounded transport timeouts, the whole run under
# timeout(1) (IT_MVN_TIMEOUT, default 300 s).  Prints Maven's output (also
# kept in DIR/mvn.log); exits with Maven's status (124 on timeout).
#   IT_MVN_REPO=$IT_TMP/m2-a mvn_in "$IT_TMP/proj-a" package
mvn_in() {
    local dir=$1 settings=${IT_MVN_SETTINGS:-$IT_TMP/maven/settings.xml}
    shift
    mkdir -p "$dir" "$IT_TMP/maven"
    [[ -f $settings ]] || mvn_settings "$settings" "$MAVEN_REPO"
    [[ -f $IT_TMP/maven/global-settings.xml ]] ||
        printf '<?xml version="1.0" encoding="UTF-8"?>\n<settings/>\n' >"$IT_TMP/maven/global-settings.xml"
    (
        cd "$dir" || exit 2
        unset MAVEN_OPTS MAVEN_ARGS MAVEN_CONFIG JAVA_TOOL_OPTIONS _JAVA_OPTIONS JDK_JAVA_OPTIONS
        export MAVEN_SKIP_RC=1
        timeout -k 5 "${IT_MVN_TIMEOUT:-300}" mvn -B \
            -s "$settings" -gs "$IT_TMP/maven/global-settings.xml" \
            -Dmaven.repo.local="${IT_MVN_REPO:-$IT_TMP/m2repo}" \
            -Dmaven.wagon.http.retryHandler.count=0 \
            -Daether.connector.connectTimeout=10000 -Daether.connector.requestTimeout=60000 \
            -Dstyle.color=never \
            "$@" >"$dir/mvn.log" 2>&1
        rc=$?
        cat "$dir/mvn.log"
        exit "$rc"
    )
}

# new_maven_project DIR DEPENDENCIES_XML [EXTRA_XML]: a jar project
# it.cordon:it-app:1.0 (Java 8 source/target) with these <dependency>
# elements, and EXTRA_XML inside <project> (repositories,
# distributionManagement, build).  Sources are the caller's.
new_maven_project() {
    mkdir -p "$1/src/main/java/it"
    cat >"$1/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>it.cordon</groupId>
  <artifactId>it-app</artifactId>
  <version>1.0</version>
  <packaging>jar</packaging>
  <properties>
    <maven.compiler.source>8</maven.compiler.source>
    <maven.compiler.target>8</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
$2
  </dependencies>
${3:-}
</project>
EOF
}

# mvn_dep GROUP ARTIFACT VERSION: one <dependency> element.
mvn_dep() {
    printf '    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>\n' "$1" "$2" "$3"
}

# mvn_local_versions REPO GROUP ARTIFACT: the versions of GROUP:ARTIFACT
# whose jar is in the local repository REPO, one a line, sorted.
mvn_local_versions() {
    local d=$1/${2//.//}/$3 v
    [[ -d $d ]] || return 0
    for v in "$d"/*/; do
        [[ -d $v ]] || continue
        v=$(basename "$v")
        compgen -G "$d/$v/$3-*.jar" >/dev/null && printf '%s\n' "$v"
    done | sort
}

# mvn_fail_expected RC WHAT: a Maven run that had to fail did, and not by timing out.
mvn_fail_expected() {
    (( $1 != 0 )) || fail "$2 succeeded"
    (( $1 != 124 && $1 != 137 )) || fail "$2 timed out"
}

# ------------------------------------------------------------------ runner

# run_test NAME FUNCTION: run FUNCTION in a subshell; `fail` or any non-zero
# exit marks it failed.  Its output is shown (as # comments) on failure.
run_test() {
    local name=$1 fn=$2 out rc started
    out=$IT_TMP/test.$((IT_PASSED + IT_FAILED + IT_SKIPPED + 1)).log
    started=$(date +%s.%N)
    ( "$fn" ) >"$out" 2>&1
    rc=$?
    local took
    took=$("$PYTHON" -c 'import sys, time; print("%.1f" % (time.time() - float(sys.argv[1])))' "$started")
    if (( rc == 0 )); then
        IT_PASSED=$((IT_PASSED + 1))
        printf 'ok - %s (%ss)\n' "$name" "$took"
        [[ ${IT_VERBOSE:-0} == 1 ]] && sed 's/^/#   /' "$out"
    else
        IT_FAILED=$((IT_FAILED + 1))
        printf 'not ok - %s (%ss)\n' "$name" "$took"
        sed 's/^/#   /' "$out"
    fi
    return 0
}

# skip_test NAME REASON: a case this run leaves out by design (opt-in,
# needs root), not because the machine lacks a client.  finish then exits 77,
# which ctest shows as "Skipped" (SKIP_RETURN_CODE in CMakeLists.txt).
skip_test() {
    IT_SKIPPED=$((IT_SKIPPED + 1))
    printf 'ok - %s # SKIP %s\n' "$1" "$2"
}

# client_missing NAME REASON: a case cannot run because a real client or
# tool it drives (pnpm, yarn, mvn, chromium, playwright-core, ...) is missing.
# That fails the file: CI must not pass on a client nobody ran.  With
# CORDON_ALLOW_SKIP=1 (a developer's machine without it) it is a skip instead.
IT_MISSING=0
client_missing() {
    if [[ ${CORDON_ALLOW_SKIP:-0} == 1 ]]; then
        skip_test "$1" "$2 (CORDON_ALLOW_SKIP=1)"
        return 0
    fi
    IT_FAILED=$((IT_FAILED + 1))
    IT_MISSING=$((IT_MISSING + 1))
    printf 'not ok - %s: not run, a real client is missing: %s\n' "$1" "$2"
    printf '#   install it (scripts/deps.sh --test, scripts/test-tools.sh), or set CORDON_ALLOW_SKIP=1 to let it skip\n'
}

# setup_skip REASON: the same for the whole file, before it_setup (a client
# or tool every case needs is missing): exit 1, or with CORDON_ALLOW_SKIP=1
# a skip (exit 77).
setup_skip() {
    if [[ ${CORDON_ALLOW_SKIP:-0} == 1 ]]; then
        printf 'ok - setup # SKIP %s (CORDON_ALLOW_SKIP=1)\n0 passed, 0 failed, 1 skipped\n' "$*"
        IT_FINISHED=1   # a skip, not an early end: it_cleanup passes 77 on
        exit 77
    fi
    printf 'not ok - setup: a real client or tool is missing: %s\n' "$*"
    printf '#   install it (scripts/deps.sh --test, scripts/test-tools.sh), or set CORDON_ALLOW_SKIP=1 to let it skip\n'
    printf '0 passed, 1 failed\n'
    exit 1
}

# finish: logs on failure, stop everything, then the closing line; exit
# status 1 on any failure, else 77 when a case was skipped (ctest's
# SKIP_RETURN_CODE: "Skipped", not "Passed"), else 0.
IT_BEFORE_REMOVE=()   # commands run after stopping everything, before the temp dir goes
finish() {
    (( IT_FAILED > IT_MISSING )) && show_logs
    stop_all
    tsan_reports
    local c
    for c in "${IT_BEFORE_REMOVE[@]}"; do eval "$c"; done
    remove_tmp
    IT_FINISHED=1
    if (( IT_SKIPPED > 0 )); then
        printf '%d passed, %d failed, %d skipped\n' "$IT_PASSED" "$IT_FAILED" "$IT_SKIPPED"
    else
        printf '%d passed, %d failed\n' "$IT_PASSED" "$IT_FAILED"
    fi
    (( IT_FAILED == 0 )) || exit 1
    (( IT_SKIPPED == 0 )) || exit 77
    exit 0
}

# ------------------------------------------------------------------ shared by several test files

# check_json FILE PYTHON [WHAT]: run the Python statements with d = the JSON
# document in FILE, env = os.environ and helpers want(cond, msg) (records msg
# when cond is false), iso(s) (an ISO 8601 UTC time), ep(s) (its Unix time).
# Fails listing every failed want.
check_json() {
    "$PYTHON" - "$1" "$2" <<'PY' || fail "${3:-the answer} is not as documented"
import json, os, re, sys
from datetime import datetime
errors = []
def want(cond, msg):
    if not cond:
        errors.append(msg)
def iso(s):
    return isinstance(s, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", s) is not None
def ep(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
raw = open(sys.argv[1], encoding="utf-8", errors="replace").read()
try:
    d = json.loads(raw)
except ValueError as e:
    print("not JSON (%s): %s" % (e, raw[:2000]), file=sys.stderr)
    sys.exit(1)
try:
    exec(sys.argv[2], {"d": d, "want": want, "iso": iso, "ep": ep, "env": os.environ, "json": json, "re": re})
except Exception as e:
    errors.append("check raised %r" % (e,))
for e in errors:
    print("  " + e, file=sys.stderr)
if errors:
    print("answer: " + raw[:3000], file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

# client_failed RC OUT WHAT: a real client's run (exit RC, output OUT) failed,
# and not by timeout(1).
client_failed() {
    (( $1 != 0 )) || fail "$3 succeeded; output: $(printf '%s' "$2" | tail -n 20)"
    (( $1 != 124 && $1 != 137 )) || fail "$3 timed out"
}

# held_queue_has TOKEN ECO UA PKG VER [PKG VER]...: cordon's /-/api/held (as
# TOKEN) lists at least one of these versions, and each it lists is held for
# quarantine with the error line, eligible_at and a client whose user agent
# contains UA (for clients that show no denial body: where the reason is).
held_queue_has() {
    local token=$1 eco=$2 ua=$3
    shift 3
    http GET "$CORDON_URL/-/api/held?ecosystem=$eco" -H "Authorization: Bearer $token"
    expect_status 200 "GET /-/api/held"
    echo "held: $(head -c 3000 "$HTTP_BODY")"
    UA=$ua WANTED="$*" check_json "$HTTP_BODY" '
w = env["WANTED"].split()
wanted = set(zip(w[0::2], w[1::2]))
m = [e for e in d.get("held") or [] if (e.get("package"), e.get("version")) in wanted]
want(m, "none of %s is in the held queue" % sorted(wanted))
for e in m:
    n = "%s %s" % (e.get("package"), e.get("version"))
    want(e.get("reason") == "quarantine", "%s: reason %r" % (n, e.get("reason")))
    want("quarantined until" in (e.get("error") or ""), "%s: error line %r" % (n, e.get("error")))
    want(e.get("eligible_at"), "%s: no eligible_at" % n)
    want(any(env["UA"] in (c.get("user_agent") or "") for c in e.get("clients") or []),
         "%s: no client with %r among %r" % (n, env["UA"], e.get("clients")))
' "the held queue"
}

# start_extra_cordon NAME QUARANTINE_YAML [EXTRA_YAML]: another cordon (npm
# only) on the same fixture, with its own port and data directory.  Sets
# ${NAME^^}_URL and ${NAME^^}_PORT.
start_extra_cordon() {
    local name=$1 quarantine=$2 extra=${3:-} dir=$IT_TMP/$1 attempt deadline port pid url
    mkdir -p "$dir"
    for attempt in 1 2 3; do
        reserve_port port
        cat >"$dir/cordon.yaml" <<EOF
listen: 127.0.0.1:$port
public_url: http://127.0.0.1:$port
data_dir: $dir/data
threads: 1
upstreams:
  npm: $UPSTREAM_URL
fetch: $CORDON_FETCH_YAML
quarantine: $quarantine
$extra
EOF
        "$CORDON_BIN" serve --config "$dir/cordon.yaml" >>"$dir/stdout" 2>>"$dir/stderr" &
        pid=$!
        url=http://127.0.0.1:$port
        deadline=$(( $(date +%s) + IT_START_SECS ))
        while (( $(date +%s) < deadline )); do
            kill -0 "$pid" 2>/dev/null || break
            if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url/-/health" 2>/dev/null) == 200 ]]; then
                IT_BG_PIDS+=("$pid")
                # a case runs in a subshell (run_test): its IT_BG_PIDS dies
                # with it, so stop_all also reads the pid from this file
                echo "$pid" >>"$IT_TMP/extra-cordon.pids"
                printf -v "${name^^}_URL" '%s' "$url"
                printf -v "${name^^}_PORT" '%s' "$port"
                note "$name cordon on $url (pid $pid), quarantine $quarantine"
                return 0
            fi
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            setup_failed "$name cordon did not answer on /-/health within $IT_START_SECS s"
        fi
        wait "$pid" 2>/dev/null
        grep -qiE 'address (already )?in use|EADDRINUSE' "$dir/stderr" 2>/dev/null || break
    done
    setup_failed "$name cordon could not be started: $(tail -n 3 "$dir/stderr" 2>/dev/null)"
}

# pnpm_at URL DIR STORE ARGS...: ($PNPM_BIN, set by the test file) pnpm in DIR against URL, isolated: an empty
# npmrc, home, store and cache under the temp directory.
pnpm_at() {
    local url=$1 dir=$2 store=$3
    shift 3
    mkdir -p "$IT_TMP/home-pnpm" "$IT_TMP/pnpm/$store"
    (
        cd "$dir" || exit 2
        for v in $(env | sed -n 's/^\([Pp][Nn][Pp][Mm]_[^=]*\)=.*/\1/p'); do unset "$v"; done
        HOME=$IT_TMP/home-pnpm XDG_CONFIG_HOME=$IT_TMP/home-pnpm/.config \
            XDG_CACHE_HOME=$IT_TMP/home-pnpm/.cache XDG_DATA_HOME=$IT_TMP/home-pnpm/.local/share \
            NPM_CONFIG_USERCONFIG=$IT_TMP/npmrc-user \
            timeout -k 5 240 "$PNPM_BIN" \
            --registry="$url/npm/" \
            --store-dir="$IT_TMP/pnpm/$store/store" \
            --cache-dir="$IT_TMP/pnpm/$store/cache" \
            --config.update-notifier=false \
            --config.confirmModulesPurge=false \
            --reporter=append-only \
            "$@"
    )
}
