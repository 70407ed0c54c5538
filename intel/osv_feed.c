/* osv_feed: the live OSV index, its reload thread and its status (see
 * osv_feed.h). */
#include "intel/osv_feed.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "core/runtime.h"

typedef struct live {
    osv_index_t *idx;
    atomic_int refs; /* the feed's own, plus one per reader */
    osv_load_stats_t st;
    char *dir;
    uint64_t signature;
    int64_t loaded_at, load_ms;
    uint64_t generation;
} live_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* g_live's pointer */
static live_t *g_live;
static pthread_mutex_t g_reload_lock = PTHREAD_MUTEX_INITIALIZER; /* one reload at a time */
static uint64_t g_generation;
static _Atomic int64_t g_last_scan_ms; /* what the last change scan took */

static pthread_mutex_t g_thread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static pthread_t g_thread;
static int g_running, g_stop;
static int64_t g_interval_ms, g_base_interval_ms;

static live_t *acquire(void)
{
    pthread_mutex_lock(&g_lock);
    live_t *l = g_live;
    if (l)
        atomic_fetch_add(&l->refs, 1);
    pthread_mutex_unlock(&g_lock);
    return l;
}

static void release(live_t *l)
{
    if (l == NULL || atomic_fetch_sub(&l->refs, 1) != 1)
        return;
    osv_index_free(l->idx);
    free(l->dir);
    free(l);
}

static void warn_file(const char *path, const char *why)
{
    log_kv(LOG_WARN, "OSV file skipped: it is not a record cordon can read; the others are loaded", "file", path,
           "error", why, NULL);
}

static int same_dir(const char *a, const char *b) { return (a == NULL && b == NULL) || (a && b && !strcmp(a, b)); }

void osv_feed_refresh(const char *dir)
{
    pthread_mutex_lock(&g_reload_lock);
    int64_t t_scan = time_now_ms();
    uint64_t sig = osv_dir_signature(dir);
    g_last_scan_ms = time_now_ms() - t_scan;
    live_t *cur = acquire();
    int unchanged = cur && same_dir(cur->dir, dir) && cur->signature == sig;
    release(cur);
    if (unchanged) {
        pthread_mutex_unlock(&g_reload_lock);
        return;
    }
    live_t *l = calloc(1, sizeof(*l));
    int64_t t0 = time_now_ms();
    if (l == NULL || (dir && (l->dir = strdup(dir)) == NULL) || (l->idx = osv_index_load(dir, &l->st, warn_file)) == NULL) {
        log_kv(LOG_ERROR, "OSV feed: out of memory loading intel.osv_dir; the previous index stays in force", NULL);
        if (l)
            free(l->dir);
        free(l);
        pthread_mutex_unlock(&g_reload_lock);
        return;
    }
    l->signature = sig;
    l->loaded_at = time_now_ms();
    l->load_ms = l->loaded_at - t0;
    l->generation = ++g_generation;
    atomic_init(&l->refs, 1);
    pthread_mutex_lock(&g_lock);
    live_t *old = g_live;
    g_live = l;
    pthread_mutex_unlock(&g_lock);
    release(old);
    if (dir) {
        log_field_t f[] = {LOG_STR("osv_dir", dir),           LOG_INT("records", l->st.records),
                           LOG_INT("malicious", l->st.malicious), LOG_INT("withdrawn", l->st.withdrawn),
                           LOG_INT("files", l->st.files),       LOG_INT("skipped", l->st.skipped),
                           LOG_INT("load_ms", l->load_ms),      LOG_END};
        log_event(LOG_INFO, "OSV feed loaded", f);
    }
    pthread_mutex_unlock(&g_reload_lock);
}

static void *feed_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_thread_lock);
    while (!g_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += g_interval_ms / 1000;
        ts.tv_nsec += (g_interval_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!g_stop && pthread_cond_timedwait(&g_wake, &g_thread_lock, &ts) == 0)
            ;
        if (g_stop)
            break;
        pthread_mutex_unlock(&g_thread_lock);
        /* held, not borrowed: this thread is no reader of the runtime, and a
         * reload may free the configuration it read at any moment */
        const config_t *cfg = runtime_acquire();
        char *dir = cfg && cfg->intel.osv_dir ? strdup(cfg->intel.osv_dir) : NULL;
        runtime_release(cfg);
        osv_feed_refresh(dir);
        int64_t spent = g_last_scan_ms;
        free(dir);
        pthread_mutex_lock(&g_thread_lock);
        /* a scan costs a few percent of one core at most: wait ten times
         * what the last pass took, at least the configured interval */
        g_interval_ms = spent * 10 > g_base_interval_ms ? (spent * 10 < 60000 ? spent * 10 : 60000)
                                                        : g_base_interval_ms;
    }
    pthread_mutex_unlock(&g_thread_lock);
    return NULL;
}

int osv_feed_start(const char *dir, int64_t interval_ms)
{
    osv_feed_refresh(dir);
    live_t *l = acquire();
    int ok = l != NULL;
    release(l);
    if (!ok)
        return -1;
    if (interval_ms <= 0 || g_running)
        return 0;
    g_interval_ms = g_base_interval_ms = interval_ms;
    g_stop = 0;
    if (pthread_create(&g_thread, NULL, feed_main, NULL) != 0)
        return -1;
    g_running = 1;
    return 0;
}

void osv_feed_stop(void)
{
    if (g_running) {
        pthread_mutex_lock(&g_thread_lock);
        g_stop = 1;
        pthread_cond_signal(&g_wake);
        pthread_mutex_unlock(&g_thread_lock);
        pthread_join(g_thread, NULL);
        g_running = 0;
    }
    pthread_mutex_lock(&g_lock);
    live_t *old = g_live;
    g_live = NULL;
    pthread_mutex_unlock(&g_lock);
    release(old);
}

int osv_feed_malicious(eco_id_t eco, const char *package, const char *version, osv_hit_t *hit)
{
    live_t *l = acquire();
    int r = l ? osv_index_malicious(l->idx, eco, package, version, hit) : 0;
    release(l);
    return r;
}

size_t osv_feed_fixed_by(eco_id_t eco, const char *package, const char *version, char ids[][OSV_ID_MAX],
                         size_t max)
{
    live_t *l = acquire();
    size_t n = l ? osv_index_fixed_by(l->idx, eco, package, version, ids, max) : 0;
    release(l);
    return n;
}

int osv_feed_affects(eco_id_t eco, const char *package, const char *id, const char *version)
{
    live_t *l = acquire();
    int r = l ? osv_index_affects(l->idx, eco, package, id, version) : 0;
    release(l);
    return r;
}

void osv_feed_package_fp(eco_id_t eco, const char *package, char out[17])
{
    live_t *l = acquire();
    osv_index_package_fp(l ? l->idx : NULL, eco, package, out);
    release(l);
}

void osv_feed_status_json(buf_t *out)
{
    live_t *l = acquire();
    int first = 1;
    buf_puts(out, "{");
    if (l && l->dir)
        json_kv_str(out, &first, "osv_dir", l->dir);
    else
        json_kv_raw(out, &first, "osv_dir", "null", 4);
    const osv_load_stats_t *st = l ? &l->st : NULL;
    json_kv_int(out, &first, "records", st ? (int64_t)st->records : 0);
    json_kv_int(out, &first, "malicious", st ? (int64_t)st->malicious : 0);
    json_kv_int(out, &first, "advisories", st ? (int64_t)(st->records - st->malicious) : 0);
    json_kv_int(out, &first, "withdrawn", st ? (int64_t)st->withdrawn : 0);
    json_kv_int(out, &first, "files", st ? (int64_t)st->files : 0);
    json_kv_int(out, &first, "skipped", st ? (int64_t)st->skipped : 0);
    buf_puts(out, ",\"skipped_files\":[");
    for (size_t i = 0; st && i < st->skipped && i < OSV_SKIPPED_KEPT; i++) {
        int f = 1;
        buf_puts(out, i ? ",{" : "{");
        json_kv_str(out, &f, "path", st->skipped_files[i]);
        json_kv_str(out, &f, "error", st->skipped_why[i]);
        buf_puts(out, "}");
    }
    buf_puts(out, "]");
    json_kv_time(out, &first, "loaded_at", l && l->dir ? l->loaded_at : TIME_NONE);
    json_kv_int(out, &first, "load_ms", l ? l->load_ms : 0);
    json_kv_int(out, &first, "generation", l ? (int64_t)l->generation : 0);
    buf_puts(out, "}");
    release(l);
}

void osv_feed_metrics(const config_t *cfg, buf_t *out)
{
    (void)cfg;
    live_t *l = acquire();
    const osv_load_stats_t *st = l ? &l->st : NULL;
    buf_printf(out,
               "# HELP cordon_intel_records OSV records in force (intel.osv_dir), by kind.\n"
               "# TYPE cordon_intel_records gauge\n"
               "cordon_intel_records{kind=\"malicious\"} %zu\n"
               "cordon_intel_records{kind=\"advisory\"} %zu\n"
               "cordon_intel_records{kind=\"withdrawn\"} %zu\n"
               "# HELP cordon_intel_skipped_files OSV files left out of the last load (malformed).\n"
               "# TYPE cordon_intel_skipped_files gauge\n"
               "cordon_intel_skipped_files %zu\n"
               "# HELP cordon_intel_loaded_seconds When the OSV index in force was loaded (Unix time).\n"
               "# TYPE cordon_intel_loaded_seconds gauge\n"
               "cordon_intel_loaded_seconds %" PRId64 "\n",
               st ? st->malicious : 0, st ? st->records - st->malicious : 0, st ? st->withdrawn : 0,
               st ? st->skipped : 0, l && l->dir ? l->loaded_at / 1000 : 0);
    release(l);
}
