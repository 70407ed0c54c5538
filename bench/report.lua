-- wrk -s bench/report.lua: one machine-readable line at the end of a run.
-- latency values are in microseconds; rps uses wrk's own measured duration.
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d bytes=%d non2xx=%d sockerr=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout))
end
