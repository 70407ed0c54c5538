#!/usr/bin/env bash
# Runs every fuzz_* binary in BUILD_DIR for SECONDS each, from a corpus kept
# under the build directory (seeded from fuzz/corpus/<name> when present).
# A crash fails the run and leaves the reproducer in BUILD_DIR/fuzz-artifacts.
set -euo pipefail
build=${1:?usage: run-fuzzers.sh BUILD_DIR SECONDS}
secs=${2:-15}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$build/fuzz-artifacts"
found=0 failed=0
for bin in "$build"/fuzz_*; do
    [[ -x $bin && -f $bin ]] || continue
    found=1
    name=$(basename "$bin")
    corpus=$build/fuzz-corpus/$name
    mkdir -p "$corpus"
    seeds=$root/fuzz/corpus/${name#fuzz_}
    [[ -d $seeds ]] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
    dict=()
    case $name in
        fuzz_npm_packument | fuzz_pypi_index | fuzz_npm_manifest | fuzz_osv | fuzz_attestation | fuzz_mcp_rpc) dict=(-dict="$root/fuzz/json.dict") ;;
        fuzz_config) dict=(-dict="$root/fuzz/config.dict") ;;
        fuzz_lockfile) dict=(-dict="$root/fuzz/lockfile.dict") ;;
        fuzz_maven_metadata | fuzz_pom | fuzz_pom_deps) dict=(-dict="$root/fuzz/xml.dict") ;;
    esac
    if "$bin" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
        -artifact_prefix="$build/fuzz-artifacts/$name-" "$corpus" >"$build/fuzz-artifacts/$name.log" 2>&1; then
        echo "ok - fuzz $name (${secs}s)"
    else
        echo "not ok - fuzz $name: see $build/fuzz-artifacts/$name.log"
        tail -n 30 "$build/fuzz-artifacts/$name.log"
        failed=1
    fi
done
(( found )) || echo "fuzz: no fuzz targets built"
exit $failed
