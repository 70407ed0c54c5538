#!/usr/bin/env bash
# bench/run.sh — cordon against nginx serving the same bytes as static files.
# Called by `make bench` from the repository root, after `make build`.
#
#   BENCH_SECONDS=N   seconds per wrk run (default 10)
#   CORDON=PATH       the binary to measure (default build/cordon)
#
# Everything runs on 127.0.0.1; every process this script starts is stopped
# on exit, also on failure or Ctrl-C. Output and logs go to bench/out/.
# See bench/README.md for how to read the result.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
BENCH=$REPO/bench
OUT=$BENCH/out
SECS=${BENCH_SECONDS:-10}
CORDON=${CORDON:-build/cordon}
THREADS=2            # wrk threads
CONNS=16             # wrk connections

die() { echo "bench: $*" >&2; exit 1; }

[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer (got '$SECS')"
[[ -x $CORDON ]] || die "$CORDON not found; run 'make build' first"

# ---- tools -----------------------------------------------------------------
NGINX=$(command -v nginx 2>/dev/null || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
missing=()
[[ -n $NGINX ]] || missing+=(nginx)
for pair in wrk:wrk curl:curl python3:python3; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if (( ${#missing[@]} )); then
  sudo=; (( EUID )) && sudo="sudo "
  echo "bench: missing: ${missing[*]}. Install with:" >&2
  echo "  ${sudo}apt-get install -y ${missing[*]}" >&2
  exit 1
fi

# ---- processes and cleanup ---------------------------------------------------
CORDON_PID= NGINX_PID= NGINX_WORKERS=

stop_pid() {   # stop_pid PID...: TERM, wait up to 5 s, then KILL
  local p i
  for p in "$@"; do [[ -n $p ]] && kill -TERM "$p" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    local alive=0
    for p in "$@"; do [[ -n $p ]] && kill -0 "$p" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for p in "$@"; do [[ -n $p ]] && kill -KILL "$p" 2>/dev/null || true; done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$CORDON_PID" "$NGINX_PID"
  # workers normally leave with their master; make sure when it was killed hard
  [[ -n $NGINX_WORKERS ]] && stop_pid $NGINX_WORKERS
  wait 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

children_of() {   # pids whose parent is $1
  local f rest
  for f in /proc/[0-9]*/stat; do
    rest=$(sed 's/.*) //' "$f" 2>/dev/null) || continue
    set -- "$1" $rest
    if [[ ${3:-} == "$1" ]]; then f=${f#/proc/}; echo "${f%/stat}"; fi
  done
  return 0
}

cpu_ticks() {   # utime+stime (all threads) summed over the given pids
  local t=0 p rest
  for p in "$@"; do
    rest=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    set -- $rest
    t=$((t + ${12} + ${13}))
  done
  echo "$t"
}

host_ticks() {   # "busy total" jiffies summed over all CPUs; busy = user+nice+system+steal
  # (irq/softirq left out: loopback traffic is mostly accounted there, not to a process)
  awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print $2 + $3 + $4 + $9, t; exit }' /proc/stat
}

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

wait_http() {   # wait_http URL PID WHAT LOG: up to 10 s for a 200
  local i
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { tail -n 30 "$4" >&2 || true; die "$3 exited during startup (log: $4)"; }
    sleep 0.1
  done
  tail -n 30 "$4" >&2 || true
  die "$3 did not answer $1 within 10 s (log: $4)"
}

fetch() {   # fetch URL OUTFILE [ACCEPT]: GET, require 200
  local code
  code=$(curl -sS --max-time 60 -o "$2" -w '%{http_code}' ${3:+-H "Accept: $3"} "$1") || die "GET $1 failed"
  [[ $code == 200 ]] || { head -c 600 "$2" >&2; echo >&2; die "GET $1${3:+ (Accept: $3)} answered $code"; }
}

# ---- 1. generate ---------------------------------------------------------------
rm -rf "$OUT"
mkdir -p "$OUT/www/upstream" "$OUT/www/static" "$OUT/nginx/tmp" "$OUT/cordon"
NPORT=$(free_port)
CPORT=$(free_port)
while [[ $CPORT == "$NPORT" ]]; do CPORT=$(free_port); done
NURL=http://127.0.0.1:$NPORT
CURL_=http://127.0.0.1:$CPORT

python3 "$BENCH/gen.py" "$OUT/www/upstream" "$NURL/upstream/tarballs"
chmod -R a+rX "$OUT/www"

# ---- 2. nginx -------------------------------------------------------------------
user_line="# (not root: nginx keeps the current user)"
(( EUID == 0 )) && user_line="user $(id -un) $(id -gn);   # bench/out may not be readable by nobody"
sed -e "s|@PORT@|$NPORT|g" -e "s|@ROOT@|$OUT/www|g" -e "s|@OUT@|$OUT|g" -e "s|@USER@|$user_line|" \
  "$BENCH/nginx.conf.tmpl" > "$OUT/nginx/nginx.conf"
nginx_args=(-p "$OUT/nginx/" -c "$OUT/nginx/nginx.conf")
"$NGINX" -h 2>&1 | grep -q -- '-e filename' && nginx_args+=(-e "$OUT/nginx/error.log")
"$NGINX" "${nginx_args[@]}" >"$OUT/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
wait_http "$NURL/upstream/small-pkg" "$NGINX_PID" nginx "$OUT/nginx/error.log"
NGINX_WORKERS=$(children_of "$NGINX_PID" | tr '\n' ' ')

# ---- 3. cordon --------------------------------------------------------------------
DATA=$OUT/cordon/data
cat > "$OUT/cordon/cordon.yaml" <<EOF
listen: 127.0.0.1:$CPORT
public_url: $CURL_
data_dir: $DATA
threads: 0
access_log: off
upstreams:
  npm: $NURL/upstream
fetch: { metadata_ttl: 1h, timeout: 30s, stale_if_error: 24h }
quarantine: { min_age: 0 }
EOF
"$CORDON" serve --config "$OUT/cordon/cordon.yaml" >"$OUT/cordon/cordon.log" 2>&1 &
CORDON_PID=$!
wait_http "$CURL_/-/health" "$CORDON_PID" cordon "$OUT/cordon/cordon.log"

ABBREV=application/vnd.npm.install-v1+json
#          label            cordon path                           static file             accept   target
WORKLOADS=(
  "small packument|/npm/small-pkg|small-pkg.json||0.5"
  "big packument|/npm/big-pkg|big-pkg.json||0.5"
  "big abbreviated|/npm/big-pkg|big-pkg.abbrev.json|$ABBREV|0.5"
  "5 MB tarball|/npm/big-pkg/-/big-pkg-1.0.0.tgz|big-pkg-1.0.0.tgz||0.8"
)

# warm: the first GETs fetch from the upstream, verify, cache and render
for w in "${WORKLOADS[@]}"; do
  IFS='|' read -r label path file accept target <<<"$w"
  fetch "$CURL_$path" "$OUT/cordon/warm-$file" "$accept"
  fetch "$CURL_$path" "$OUT/cordon/warm-abbrev-$file" "$ABBREV"
done

# ---- 4. cordon's exact bytes, served statically by nginx -----------------------------
for w in "${WORKLOADS[@]}"; do
  IFS='|' read -r label path file accept target <<<"$w"
  fetch "$CURL_$path" "$OUT/www/static/$file" "$accept"
  cmp -s "$OUT/www/static/$file" "$OUT/cordon/warm-$file" ||
    echo "bench: note: cordon's cached answer for $path differs from its first answer" >&2
done
chmod -R a+rX "$OUT/www"
cmp -s "$OUT/www/static/big-pkg-1.0.0.tgz" "$OUT/www/upstream/tarballs/big-pkg-1.0.0.tgz" ||
  die "cordon's tarball differs from the upstream tarball"
for w in "${WORKLOADS[@]}"; do
  IFS='|' read -r label path file accept target <<<"$w"
  fetch "$NURL/static/$file" "$OUT/nginx/check-$file"
  cmp -s "$OUT/nginx/check-$file" "$OUT/www/static/$file" || die "nginx does not serve /static/$file as saved"
done
rm -f "$OUT"/nginx/check-*

# ---- 5. load --------------------------------------------------------------------------
TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

children_cpu() {   # CPU seconds of this shell's reaped children so far (`times`, run in
  # this shell itself: in a pipe or $(...) it would describe a fresh subshell)
  times > "$OUT/.times"
  awk 'END { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } print t }' "$OUT/.times"
}

run_wrk() {   # run_wrk URL ACCEPT PIDS...: prints "rps p99_ms server% wrk% other% non2xx sockerr"
  local url=$1 accept=$2; shift 2
  local t0 t1 s0 s1 h0 h1 w0 w1 line
  h0=$(host_ticks); t0=$(cpu_ticks "$@"); children_cpu > "$OUT/.w0"; s0=$(date +%s%N)
  line=$(timeout $((SECS + 60)) wrk -t$THREADS -c$CONNS -d"${SECS}s" --timeout 10s \
           -s "$BENCH/report.lua" ${accept:+-H "Accept: $accept"} "$url" | tee -a "$OUT/wrk.log" |
         grep '^BENCH ') || die "wrk against $url failed (see $OUT/wrk.log)"
  s1=$(date +%s%N); children_cpu > "$OUT/.w1"; t1=$(cpu_ticks "$@"); h1=$(host_ticks)
  w0=$(<"$OUT/.w0") w1=$(<"$OUT/.w1")
  local rps p99 non2xx sockerr
  rps=$(sed -n 's/.* rps=\([^ ]*\).*/\1/p' <<<"$line")
  p99=$(sed -n 's/.* p99_ms=\([^ ]*\).*/\1/p' <<<"$line")
  non2xx=$(sed -n 's/.* non2xx=\([^ ]*\).*/\1/p' <<<"$line")
  sockerr=$(sed -n 's/.* sockerr=\([^ ]*\).*/\1/p' <<<"$line")
  # % of one core: the server's processes, wrk, and everything else on the host
  awk -v d=$((t1 - t0)) -v w0="$w0" -v w1="$w1" -v hb=$((${h1% *} - ${h0% *})) -v tck="$TCK" \
      -v secs="$(( (s1 - s0) / 1000000 ))" -v rps="$rps" -v p99="$p99" -v bad="$non2xx" -v err="$sockerr" '
    BEGIN { secs /= 1000; srv = 100 * d / tck / secs; wrk = 100 * (w1 - w0) / secs
            other = 100 * hb / tck / secs - srv - wrk; if (other < 0) other = 0
            printf "%s %s %.0f %.0f %.0f %d %d\n", rps, p99, srv, wrk, other, bad, err }'
}

echo
echo "cordon vs nginx (static copy of cordon's bytes), wrk -t$THREADS -c$CONNS -d${SECS}s, loopback"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
echo "cordon $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?') ($CORDON), $("$NGINX" -v 2>&1 | sed 's/.*: //'), wrk $(wrk -v 2>&1 | head -n1 | awk '{print $2}')"
: > "$OUT/wrk.log"
fmt="%-16s %8s %12s %12s %6s %6s %4s %11s %11s\n"
cfmt="%-16s %7s %7s %7s   %7s %7s %7s   %9s %9s\n"
rows=() cpurows=() notes=()
max_other=0
for w in "${WORKLOADS[@]}"; do
  IFS='|' read -r label path file accept target <<<"$w"
  size=$(stat -c %s "$OUT/www/static/$file")
  echo "== $label: cordon $path${accept:+ (Accept: $accept)}" >>"$OUT/wrk.log"
  read -r c_rps c_p99 c_cpu c_wrk c_oth c_bad c_err < <(run_wrk "$CURL_$path" "$accept" "$CORDON_PID")
  echo "== $label: nginx /static/$file" >>"$OUT/wrk.log"
  read -r n_rps n_p99 n_cpu n_wrk n_oth n_bad n_err < <(run_wrk "$NURL/static/$file" "" "$NGINX_PID" $NGINX_WORKERS)
  ratio=$(awk -v a="$c_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  ok=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r + 0 >= t + 0 ? "ok" : "MISS") }')
  if (( c_bad + c_err )); then notes+=("$label: cordon had $c_bad non-2xx answers and $c_err socket errors"); fi
  if (( n_bad + n_err )); then notes+=("$label: nginx had $n_bad non-2xx answers and $n_err socket errors"); fi
  for o in "$c_oth" "$n_oth"; do if (( o > max_other )); then max_other=$o; fi; done
  human=$(awk -v b="$size" 'BEGIN { if (b >= 1048576) printf "%.1f MB", b/1048576; else printf "%.1f KB", b/1024 }')
  rows+=("$(printf "$fmt" "$label" "$human" "$c_rps" "$n_rps" "$ratio" ">=$target" "$ok" "${c_p99} ms" "${n_p99} ms")")
  c_us=$(awk -v c="$c_cpu" -v r="$c_rps" 'BEGIN { printf "%.0f us", (r > 0 ? c * 10000 / r : 0) }')
  n_us=$(awk -v c="$n_cpu" -v r="$n_rps" 'BEGIN { printf "%.0f us", (r > 0 ? c * 10000 / r : 0) }')
  cpurows+=("$(printf "$cfmt" "$label" "$c_cpu%" "$c_wrk%" "$c_oth%" "$n_cpu%" "$n_wrk%" "$n_oth%" "$c_us" "$n_us")")
done
HWM_LOAD=$(hwm_kb "$CORDON_PID")

# cold render: the big packument right after its rendered copy is deleted
cold() {   # cold ACCEPT: best of 3, seconds
  local best= t i
  for i in 1 2 3; do
    rm -f "$DATA"/derived/*
    t=$(curl -sS -o /dev/null --max-time 60 -w '%{time_total}' ${1:+-H "Accept: $1"} "$CURL_/npm/big-pkg") ||
      die "cold render request failed"
    best=$(awk -v a="$t" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
  done
  awk -v s="$best" 'BEGIN { printf "%.1f ms", s * 1000 }'
}
COLD_FULL=$(cold "")
COLD_ABBR=$(cold "$ABBREV")
HWM_END=$(hwm_kb "$CORDON_PID")
N_HWM=0
for p in $NGINX_WORKERS; do h=$(hwm_kb "$p"); if (( h > N_HWM )); then N_HWM=$h; fi; done
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
rss_ok=MISS; if (( HWM_END < 64 * 1024 )); then rss_ok=ok; fi

echo
printf "$fmt" workload size "cordon req/s" "nginx req/s" "c/n" target "" "cordon p99" "nginx p99"
printf '%s\n' "${rows[@]}"
echo
printf "cordon peak RSS (VmHWM): %s after the load, %s at the end   target < 64 MB  %s\n" \
  "$(mb "$HWM_LOAD")" "$(mb "$HWM_END")" "$rss_ok"
printf "nginx peak RSS (VmHWM, largest worker): %s\n" "$(mb "$N_HWM")"
printf "cold render of big-pkg (derived cache deleted, best of 3): full %s, abbreviated %s\n" "$COLD_FULL" "$COLD_ABBR"
echo
echo "CPU during each run, % of one core ($(nproc) cores = $(( $(nproc) * 100 ))%):"
printf "$cfmt" "" "cordon" "wrk" "other" "nginx" "wrk" "other" "cordon" "nginx"
printf "$cfmt" "" "" "" "" "" "" "" "CPU/req" "CPU/req"
printf '%s\n' "${cpurows[@]}"
if (( max_other > 25 )); then
  notes+=("other processes used up to ${max_other}% of a core during a run: the machine was not quiet, expect noise")
fi
for n in ${notes[@]+"${notes[@]}"}; do echo "WARNING: $n"; done
echo "raw wrk output: $OUT/wrk.log; logs: $OUT/cordon/cordon.log, $OUT/nginx/error.log"
