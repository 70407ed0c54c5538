/* metrics: the counters and their exposition (see metrics.h). */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "store/store.h"
#include "upstream/fetcher.h"
#include "upstream/upstream_cache.h"
#include "common/timeutil.h"
#include "policy/approvals.h"
#include "journal/decision_log.h"
#include "http/conn_guard.h"
#include "core/runtime.h"
#include "core/ecosystem.h"

/* routes a request is counted under: each ecosystem's (its id, labelled
 * with its name), then cordon's own */
enum { R_API = ECO_COUNT, R_ADMIN, R_OTHER, R_COUNT };
static const char *const OWN_ROUTE_NAMES[R_COUNT - R_API] = {"api", "admin", "other"};

static const char *route_name(int r)
{
    return r >= R_API ? OWN_ROUTE_NAMES[r - R_API] : eco_name((eco_id_t)r);
}
static atomic_uint_fast64_t g_requests[R_COUNT][600];

/* sections that layers above render themselves (the held queue) */
#define MAX_SECTIONS 4
static metrics_section_fn g_sections[MAX_SECTIONS];
static size_t g_nsections;

void metrics_add_section(metrics_section_fn fn)
{
    for (size_t i = 0; i < g_nsections; i++)
        if (g_sections[i] == fn)
            return;
    if (g_nsections < MAX_SECTIONS)
        g_sections[g_nsections++] = fn;
}

static int starts(const char *p, size_t n, const char *prefix)
{
    size_t l = strlen(prefix);
    return n >= l && memcmp(p, prefix, l) == 0;
}

void metrics_count_request(const char *path, size_t plen, int status)
{
    int r = R_OTHER;
    for (int i = 0; i < ECO_COUNT && r == R_OTHER; i++) {
        /* the prefix without its '/': "/npm" counts as npm's */
        const ecosystem_t *e = ecosystems[i];
        size_t l = e ? strlen(e->prefix) : 0;
        if (l > 1 && plen >= l - 1 && memcmp(path, e->prefix, l - 1) == 0)
            r = i;
    }
    if (r == R_OTHER && starts(path, plen, "/-/api/"))
        r = R_API;
    else if (r == R_OTHER && starts(path, plen, "/-/admin"))
        r = R_ADMIN;
    if (status < 100 || status > 599)
        status = 599;
    atomic_fetch_add_explicit(&g_requests[r][status], 1, memory_order_relaxed);
}

static uint64_t load(atomic_uint_fast64_t *a) { return atomic_load_explicit(a, memory_order_relaxed); }

void metrics_render(const config_t *cfg, buf_t *out)
{
    buf_puts(out, "# HELP cordon_requests_total HTTP requests answered, by route and status.\n"
                  "# TYPE cordon_requests_total counter\n");
    for (int r = 0; r < R_COUNT; r++)
        for (int s = 100; s < 600; s++) {
            uint64_t v = load(&g_requests[r][s]);
            if (v)
                buf_printf(out, "cordon_requests_total{ecosystem=\"%s\",status=\"%d\"} %llu\n", route_name(r), s,
                           (unsigned long long)v);
        }
    buf_puts(out, "# HELP cordon_decisions_total Install decisions recorded, by decision and reason.\n"
                  "# TYPE cordon_decisions_total counter\n");
    decision_count_t rows[64];
    size_t nrows = decision_log_counts(rows, 64);
    for (size_t i = 0; i < nrows; i++)
        buf_printf(out, "cordon_decisions_total{decision=\"%s\",reason=\"%s\"} %llu\n", rows[i].decision,
                   rows[i].reason, (unsigned long long)rows[i].n);
    decision_drops_t drops;
    decision_log_drops(&drops);
    buf_printf(out,
               "# HELP cordon_decisions_dropped_total Decisions not recorded, by cause: the group-commit queue was full "
               "(overload), the store refused the write, the log was not running (each also logged at warn).\n"
               "# TYPE cordon_decisions_dropped_total counter\n"
               "cordon_decisions_dropped_total{cause=\"queue_full\"} %llu\n"
               "cordon_decisions_dropped_total{cause=\"store_error\"} %llu\n"
               "cordon_decisions_dropped_total{cause=\"not_running\"} %llu\n",
               (unsigned long long)drops.queue_full, (unsigned long long)drops.store_error,
               (unsigned long long)drops.not_running);
    store_usage_t su;
    if (store_usage(&su) == 0)
        buf_printf(out,
                   "# HELP cordon_store_map_bytes The LMDB map's size (it grows by itself at %d%% used).\n"
                   "# TYPE cordon_store_map_bytes gauge\ncordon_store_map_bytes %lld\n"
                   "# HELP cordon_store_used_bytes Bytes of the LMDB map its pages use.\n"
                   "# TYPE cordon_store_used_bytes gauge\ncordon_store_used_bytes %lld\n"
                   "# HELP cordon_store_map_grown_total Times the LMDB map grew since start.\n"
                   "# TYPE cordon_store_map_grown_total counter\ncordon_store_map_grown_total %llu\n"
                   "# HELP cordon_store_artifacts Artifacts in the blob index.\n"
                   "# TYPE cordon_store_artifacts gauge\ncordon_store_artifacts %llu\n"
                   "# HELP cordon_store_artifact_bytes Bytes of the artifacts in the blob index.\n"
                   "# TYPE cordon_store_artifact_bytes gauge\ncordon_store_artifact_bytes %lld\n",
                   STORE_GROW_AT, (long long)su.map_bytes, (long long)su.used_bytes, (unsigned long long)su.grown,
                   (unsigned long long)su.artifacts, (long long)su.artifact_bytes);
    fetcher_stats_t fs;
    fetcher_stats(&fs);
    buf_printf(out,
               "# HELP cordon_upstream_fetches_total Upstream requests finished.\n"
               "# TYPE cordon_upstream_fetches_total counter\n"
               "cordon_upstream_fetches_total %llu\n"
               "# HELP cordon_upstream_failures_total Upstream requests that failed (transport errors, timeouts).\n"
               "# TYPE cordon_upstream_failures_total counter\n"
               "cordon_upstream_failures_total %llu\n",
               (unsigned long long)fs.count, (unsigned long long)fs.failed);
    buf_puts(out, "# HELP cordon_upstream_fetch_seconds Time of upstream requests.\n"
                  "# TYPE cordon_upstream_fetch_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b < FETCH_BUCKETS; b++) {
        cum += fs.bucket[b];
        buf_printf(out, "cordon_upstream_fetch_seconds_bucket{le=\"%g\"} %llu\n", FETCH_BUCKET_BOUNDS[b],
                   (unsigned long long)cum);
    }
    cum += fs.bucket[FETCH_BUCKETS];
    buf_printf(out,
               "cordon_upstream_fetch_seconds_bucket{le=\"+Inf\"} %llu\n"
               "cordon_upstream_fetch_seconds_sum %.6f\n"
               "cordon_upstream_fetch_seconds_count %llu\n",
               (unsigned long long)cum, fs.micros / 1e6, (unsigned long long)cum);
    buf_printf(out,
               "# HELP cordon_cache_hits_total Requests answered from cordon's cache without asking upstream.\n"
               "# TYPE cordon_cache_hits_total counter\n"
               "cordon_cache_hits_total{kind=\"metadata\"} %llu\n"
               "cordon_cache_hits_total{kind=\"artifact\"} %llu\n",
               (unsigned long long)upstream_cache_hits(0), (unsigned long long)upstream_cache_hits(1));
    buf_printf(out,
               "# HELP cordon_upstream_refused_total Upstream requests and redirects refused: not the upstream's "
               "origin nor in fetch.allow_hosts, or https to http.\n"
               "# TYPE cordon_upstream_refused_total counter\n"
               "cordon_upstream_refused_total %llu\n",
               (unsigned long long)fetcher_count_refused());
    conn_guard_stats_t cg;
    conn_guard_stats(&cg);
    buf_printf(out,
               "# HELP cordon_connections_open Client connections open.\n"
               "# TYPE cordon_connections_open gauge\n"
               "cordon_connections_open %llu\n"
               "# HELP cordon_connections_refused_total Connections refused at accept (limits.max_connections).\n"
               "# TYPE cordon_connections_refused_total counter\n"
               "cordon_connections_refused_total %llu\n"
               "# HELP cordon_large_bodies_receiving Request bodies above the small limit being received.\n"
               "# TYPE cordon_large_bodies_receiving gauge\n"
               "cordon_large_bodies_receiving %llu\n"
               "# HELP cordon_request_bodies_refused_total Request bodies refused, most from the head, unread.\n"
               "# TYPE cordon_request_bodies_refused_total counter\n",
               (unsigned long long)cg.open, (unsigned long long)cg.refused, (unsigned long long)cg.large_receiving);
    for (int v = BODY_REFUSE_NONE; v < BODY_VERDICT_COUNT; v++)
        buf_printf(out, "cordon_request_bodies_refused_total{why=\"%s\"} %llu\n", body_verdict_name((body_verdict_t)v),
                   (unsigned long long)cg.bodies_refused[v]);
    int64_t now = time_now_ms();
    size_t approvals, blocks;
    approvals_counts(now, &approvals, &blocks);
    buf_printf(out,
               "# HELP cordon_approvals_active Reviewers' approvals in force.\n"
               "# TYPE cordon_approvals_active gauge\n"
               "cordon_approvals_active %zu\n"
               "# HELP cordon_blocks_active Reviewers' blocks in force.\n"
               "# TYPE cordon_blocks_active gauge\n"
               "cordon_blocks_active %zu\n",
               approvals, blocks);
    buf_printf(out,
               "# HELP cordon_configurations_live Configurations in memory: the current one and replaced ones a "
               "request or job still reads.\n"
               "# TYPE cordon_configurations_live gauge\n"
               "cordon_configurations_live %zu\n",
               runtime_configs_live());
    for (size_t i = 0; i < g_nsections; i++)
        g_sections[i](cfg, out);
}
