# bench/lib.sh — what the single-purpose benches (lockfile_bench.sh,
# closure_bench.sh) share: one upstream and one cordon, both stopped on
# every exit, loopback ports, waiting for a server, medians and ratios.
# Source it after defining die MESSAGE and PY (the python3 interpreter);
# set UP_PID and CORDON_PID when those processes start.
UP_PID='' CORDON_PID=''

stop_pid() { # PID: TERM, up to 5 s, then KILL
  local p=$1 i
  [[ -n $p ]] && kill -TERM "$p" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
}
bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$CORDON_PID"
  stop_pid "$UP_PID"
  exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # URL PID WHAT LOG: up to 10 s for a 200, while PID lives
  local i
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { tail -n 20 "$4" >&2 || true; die "$3 exited during startup (log: $4)"; }
    sleep 0.1
  done
  die "$3 did not answer $1 within 10 s (log: $4)"
}
# FILE of seconds, one a line: the median in ms
median_ms() { sort -g "$1" | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m * 1000 }'; }
# A B: A/B to 2 decimals, "-" when B is "-" or not positive
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "-" || b + 0 <= 0) print "-"; else printf "%.2f", a / b }'; }

# start_upstream PATH: python3 -m http.server serving $OUT/upstream on $UPORT,
# waited for at $UURL/PATH
start_upstream() {
  (cd "$OUT/upstream" && exec "$PY" -m http.server "$UPORT" --bind 127.0.0.1) >"$OUT/upstream.log" 2>&1 &
  UP_PID=$!
  wait_http "$UURL/$1" "$UP_PID" "the upstream (python3 -m http.server)" "$OUT/upstream.log"
}
# start_bench_cordon [FETCH_MEMBERS]: $CORDON on $CPORT ($CURL_) with $UURL as
# its npm upstream, a 3-day window and data under $OUT/cordon; FETCH_MEMBERS
# adds to its fetch: section ("lockfile_deadline: 60s")
start_bench_cordon() {
  cat >"$OUT/cordon/cordon.yaml" <<EOC
listen: 127.0.0.1:$CPORT
public_url: $CURL_
data_dir: $OUT/cordon/data
threads: 2
access_log: off
upstreams:
  npm: $UURL
fetch: { metadata_ttl: 1h, timeout: 30s, stale_if_error: 24h${1:+, $1} }
quarantine: { min_age: 3d }
EOC
  "$CORDON" serve --config "$OUT/cordon/cordon.yaml" >"$OUT/cordon/cordon.log" 2>&1 &
  CORDON_PID=$!
  wait_http "$CURL_/-/health" "$CORDON_PID" cordon "$OUT/cordon/cordon.log"
}

# bench_setup [DIR...]: a fresh $OUT with upstream/, cordon/ and DIRs under it,
# two loopback ports told apart: UPORT/UURL (the upstream), CPORT/CURL_ (cordon)
bench_setup() {
  local d
  rm -rf "$OUT"
  mkdir -p "$OUT/upstream" "$OUT/cordon"
  for d in "$@"; do mkdir -p "$OUT/$d"; done
  UPORT=$(free_port)
  CPORT=$(free_port)
  while [[ $CPORT == "$UPORT" ]]; do CPORT=$(free_port); done
  UURL=http://127.0.0.1:$UPORT
  CURL_=http://127.0.0.1:$CPORT
}
