#!/usr/bin/env bash
# scripts/under-load.sh COMMAND [ARGS...]
#
# Runs COMMAND while stress-ng keeps every core busy (`stress-ng --cpu N`,
# N = LOAD_CPUS, default nproc), the way a shared CI machine is: a test
# that is flaky under load fails here.  stress-ng is stopped on every path
# out (COMMAND's end, a failure, Ctrl-C, SIGTERM), and in any case after
# LOAD_MAX_SECONDS (default 3 h) by its own --timeout, so it cannot outlive
# a killed run for long.  Prints how long COMMAND took; exits with its status.
#   make test-under-load                  # the ctest suite (Makefile)
#   scripts/under-load.sh make test       # everything `make test` runs
set -euo pipefail

(( $# > 0 )) || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
command -v stress-ng >/dev/null 2>&1 || {
    echo "under-load: stress-ng not found (scripts/deps.sh --test installs Debian's)" >&2
    exit 2
}
cpus=${LOAD_CPUS:-$(nproc 2>/dev/null || echo 2)}
max=${LOAD_MAX_SECONDS:-10800}

# stress-ng runs under a small supervisor in a session of its own (setsid):
# stopping means the whole process group (supervisor, stress-ng, its
# workers), and the supervisor ends it by itself once this script is gone,
# even if this script was killed with SIGKILL and could trap nothing.
setsid bash -c '
    parent=$1
    shift
    "$@" &
    s=$!
    trap "kill -TERM $s 2>/dev/null; wait $s; exit 0" TERM INT HUP
    while kill -0 "$parent" 2>/dev/null && kill -0 "$s" 2>/dev/null; do
        sleep 1
    done
    kill -TERM "$s" 2>/dev/null
    wait "$s"
' under-load "$$" stress-ng --cpu "$cpus" --timeout "${max}s" --quiet </dev/null >/dev/null 2>&1 &
load_pid=$!

stop_load() {
    kill -TERM -- "-$load_pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
        kill -0 -- "-$load_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
}
# COMMAND runs in the background and is waited for, so that a signal to this
# script is handled at once (passed on to COMMAND) rather than after it ends
child=""
on_signal() {
    [[ -n $child ]] && kill "-$1" "$child" 2>/dev/null
    exit "$2"
}
trap stop_load EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

deadline=$(( $(date +%s) + 30 ))
until pgrep -g "$load_pid" -x stress-ng >/dev/null; do
    (( $(date +%s) < deadline )) || { echo "under-load: stress-ng did not start" >&2; exit 2; }
    sleep 0.1
done
echo "under-load: stress-ng --cpu $cpus running (process group $load_pid); $*" >&2
start=$(date +%s)
"$@" &
child=$!
rc=0
wait "$child" || rc=$?
child=""
echo "under-load: '$*' exited $rc after $(( $(date +%s) - start )) s under stress-ng --cpu $cpus" >&2
exit "$rc"
