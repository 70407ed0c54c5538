#!/usr/bin/env bash
# bench/osv_load.sh [BUILD_DIR] [FILES]: (CORDON=PATH names the binary
# instead of BUILD_DIR/cordon) how long cordon takes to load an OSV
# folder of the OSSF malicious-packages repository's size (default 15,000
# files, generated in the OSSF layout), at start and on a reload after one
# file changes, as the server's own "OSV feed loaded" log line reports it,
# beside the time `find` takes to list the same folder (the peer in the same
# run: the ratio says what the load costs above walking the tree). Loopback
# only; nothing is asserted.
set -euo pipefail
build=${1:-build}
n=${2:-15000}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CORDON:-$root/$build/cordon}
[[ -x $bin ]] || { echo "no $bin: build first" >&2; exit 2; }
tmp=$(mktemp -d /tmp/cordon-osv-bench.XXXXXX)
pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
python3 "$root/bench/gen_osv.py" "$tmp/osv" "$n"
t0=$(date +%s.%N)
find "$tmp/osv" -name '*.json' >/dev/null
t1=$(date +%s.%N)
find_ms=$(python3 -c "print(round(($t1 - $t0) * 1000))")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/cordon.yaml" <<YAML
listen: 127.0.0.1:$port
public_url: http://127.0.0.1:$port
data_dir: $tmp/data
threads: 1
intel: { osv_dir: $tmp/osv }
YAML
"$bin" serve --config "$tmp/cordon.yaml" >"$tmp/out" 2>"$tmp/err" &
pid=$!
loads() { grep -c '"OSV feed loaded"' "$tmp/err" || true; }
for _ in $(seq 600); do (( $(loads) >= 1 )) && break; sleep 0.1; done
start_ms=$(grep '"OSV feed loaded"' "$tmp/err" | head -n 1 | sed -E 's/.*"load_ms":([0-9]+).*/\1/')
f=$(find "$tmp/osv" -name '*.json' -print -quit)
sed -i 's/Malicious code/Malicious code (changed)/' "$f"
for _ in $(seq 600); do (( $(loads) >= 2 )) && break; sleep 0.1; done
reload_ms=$(grep '"OSV feed loaded"' "$tmp/err" | sed -n 2p | sed -E 's/.*"load_ms":([0-9]+).*/\1/')
echo "osv feed: $n files; load at start ${start_ms} ms, reload after one change ${reload_ms:-?} ms; find lists them in ${find_ms} ms (load/find $(python3 -c "print(round(${start_ms}/max(${find_ms},1), 1))"))"
