/* decision_log: group-committed, hash-chained decision records.
 *
 * Each decision becomes one record of the audit chain (journal/audit.c); a
 * refusal of a version also updates that version's entry in the reviewers'
 * held queue (review/held.c), in the same transaction. */
#include "journal/decision_log.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "common/buf.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "analysis/analysis.h"
#include "journal/audit.h"
#include "journal/audit_anchor.h"
#include "journal/decision_coalesce.h"
#include "policy/reason.h"

#define BATCH_MAX 1024
#define QUEUE_MAX 200000
#define COMMIT_INTERVAL_MS 20

typedef struct qitem {
    decision_t d;
    struct qitem *next;
} qitem_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t g_flushed = PTHREAD_COND_INITIALIZER;
static qitem_t *g_head, *g_tail;
static size_t g_queued, g_queue_max = QUEUE_MAX;
static uint64_t g_enqueued_total, g_committed_total;
static decision_drops_t g_drops;
static uint64_t g_drops_warned; /* drops the last warning covered */
static int64_t g_drop_warned_at;
static int g_stop, g_running;
static pthread_t g_thread;
/* what else a decision changes, in its write transaction (decision_log_add_hook) */
#define MAX_HOOKS 4
static decision_hook_fn g_hooks[MAX_HOOKS];
static size_t g_nhooks;

void decision_set(char *field, size_t size, const char *value)
{
    snprintf(field, size, "%s", value ? value : "");
}

/* the members of a decision record (audit adds seq, type, time and prev) */
static void encode_members(const decision_t *d, buf_t *b)
{
    int first = 1;
    json_kv_str(b, &first, "client", d->client);
    json_kv_str(b, &first, "user_agent", d->user_agent);
    json_kv_str(b, &first, "ecosystem", d->ecosystem);
    json_kv_str(b, &first, "package", d->package);
    json_kv_str(b, &first, "version", d->version);
    json_kv_str(b, &first, "decision", d->decision);
    json_kv_str(b, &first, "reason", d->reason);
    json_kv_str(b, &first, "rule", d->rule);
    json_kv_str(b, &first, "request_id", d->request_id);
    json_kv_str(b, &first, "detail", d->detail);
    if (d->count) {
        json_kv_int(b, &first, "count", d->count);
        json_kv_time(b, &first, "first", d->first_ms);
        json_kv_time(b, &first, "last", d->last_ms);
    }
}

typedef struct batch {
    qitem_t *items;
} batch_t;

static int write_batch(MDB_txn *txn, void *arg)
{
    batch_t *b = arg;
    buf_t members;
    buf_init(&members);
    int rc = 0;
    for (qitem_t *q = b->items; q && rc == 0; q = q->next) {
        buf_reset(&members);
        encode_members(&q->d, &members);
        if (members.oom) {
            rc = ENOMEM;
            break;
        }
        rc = audit_append(txn, "decision", q->d.time_ms, members.data, members.len, NULL);
        for (size_t h = 0; rc == 0 && h < g_nhooks; h++)
            rc = g_hooks[h](txn, &q->d);
        if (rc == 0 && strcmp(q->d.decision, "allow") == 0 && q->d.version[0])
            rc = analysis_count_served(txn, q->d.ecosystem, q->d.package);
    }
    buf_free(&members);
    return rc;
}

static void add_aggregate(const decision_t *d, void *arg)
{
    qitem_t ***tail = arg;
    qitem_t *q = malloc(sizeof(*q));
    if (q == NULL)
        return;
    q->d = *d;
    q->next = NULL;
    **tail = q;
    *tail = &q->next;
}

static uint64_t drops_total(void) { return g_drops.queue_full + g_drops.store_error + g_drops.not_running; }

/* under g_lock: a warning for drops no warning has covered yet; the caller prints it unlocked */
static int drop_warning(char *out, size_t outlen)
{
    uint64_t total = drops_total();
    if (total == g_drops_warned)
        return 0;
    snprintf(out, outlen,
             "decision log: %" PRIu64
             " decisions dropped since the last warning (%" PRIu64 " in all: queue full %" PRIu64
             ", store error %" PRIu64 ", not running %" PRIu64 "; cordon_decisions_dropped_total)",
             total - g_drops_warned, total, g_drops.queue_full, g_drops.store_error, g_drops.not_running);
    g_drops_warned = total;
    g_drop_warned_at = time_now_ms();
    return 1;
}

/* waits (g_lock held) for queued decisions, a stop, or coalesced records falling due */
static void wait_for_work(void)
{
    while (g_head == NULL && !g_stop) {
        int64_t due = coalesce_due(), now = time_now_ms();
        if (due && now >= due)
            return;
        if (due == 0) {
            pthread_cond_wait(&g_wake, &g_lock);
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t wait = due - now;
        ts.tv_sec += wait / 1000;
        ts.tv_nsec += (wait % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g_wake, &g_lock, &ts);
    }
}

static void *writer_main(void *arg)
{
    pthread_mutex_lock(&g_lock);
    for (;;) {
        wait_for_work();
        int stopping = g_stop;
        /* let a batch accumulate: one fsync for many decisions */
        if (!stopping && g_head && g_queued < BATCH_MAX) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += COMMIT_INTERVAL_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&g_wake, &g_lock, &ts);
        }
        qitem_t *items = g_head;
        size_t n = g_queued;
        qitem_t **tail = g_tail ? &g_tail->next : &items;
        g_head = g_tail = NULL;
        g_queued = 0;
        pthread_mutex_unlock(&g_lock);

        /* the repeats of a minute that ended (all of them when stopping) */
        coalesce_take(time_now_ms(), stopping, add_aggregate, &tail);
        size_t total = 0;
        for (qitem_t *q = items; q; q = q->next)
            total++;
        store_rc_t rc = STORE_OK;
        char err[300];
        if (items) {
            batch_t b = {.items = items};
            rc = store_write(write_batch, &b, err, sizeof(err));
            if (rc != STORE_OK)
            {
                char msg[100];
                snprintf(msg, sizeof(msg), "decision log write failed, %zu records lost", total);
                log_kv(LOG_ERROR, msg, "error", err, NULL);
            }
            else
                audit_anchor_poke();
        }
        while (items) {
            qitem_t *next = items->next;
            free(items);
            items = next;
        }
        char warn[400];
        pthread_mutex_lock(&g_lock);
        if (rc != STORE_OK)
            g_drops.store_error += total;
        int w = drop_warning(warn, sizeof(warn));
        g_committed_total += n;
        pthread_cond_broadcast(&g_flushed);
        if (w) {
            pthread_mutex_unlock(&g_lock);
            log_event(LOG_WARN, warn, NULL);
            pthread_mutex_lock(&g_lock);
        }
        if (stopping && g_head == NULL)
            break;
    }
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

int decision_log_start(void)
{
    if (!store_is_open())
        return -1;
    g_stop = 0;
    if (pthread_create(&g_thread, NULL, writer_main, NULL) != 0)
        return -1;
    g_running = 1;
    return 0;
}

/* ---- counts by decision and reason, for /-/metrics ---- */

/* "check": an agent asked through /-/mcp (admin/mcp.c), nothing was installed */
static const char *const COUNTED_DECISIONS[] = {"allow", "deny", "error", "check"};
#define NDECISIONS (sizeof(COUNTED_DECISIONS) / sizeof(COUNTED_DECISIONS[0]))
/* every reason of policy/reason.h, and one row for anything else */
#define NREASONS (REASON_COUNT + 1)
static atomic_uint_fast64_t g_counts[NDECISIONS][NREASONS];

static void count_decision(const char *decision, const char *reason)
{
    size_t d = 0;
    while (d < NDECISIONS && strcmp(COUNTED_DECISIONS[d], decision) != 0)
        d++;
    if (d == NDECISIONS)
        return;
    size_t i = (size_t)reason_from_name(reason ? reason : ""); /* REASON_COUNT: the "other" row */
    atomic_fetch_add_explicit(&g_counts[d][i], 1, memory_order_relaxed);
}

size_t decision_log_counts(decision_count_t *out, size_t max)
{
    size_t n = 0;
    for (size_t d = 0; d < NDECISIONS; d++)
        for (size_t i = 0; i < NREASONS && n < max; i++) {
            uint64_t v = atomic_load_explicit(&g_counts[d][i], memory_order_relaxed);
            if (v || (d == 0 && i == 0))
                out[n++] = (decision_count_t){COUNTED_DECISIONS[d], i < REASON_COUNT ? reason_name((reason_t)i) : "other",
                                              v};
        }
    return n;
}

/* ---- hooks: what else a decision changes, in its write transaction ---- */


int decision_log_add_hook(decision_hook_fn fn)
{
    if (g_running || g_nhooks == MAX_HOOKS)
        return -1;
    for (size_t i = 0; i < g_nhooks; i++)
        if (g_hooks[i] == fn)
            return 0;
    g_hooks[g_nhooks++] = fn;
    return 0;
}

void decision_log_append(const decision_t *d)
{
    count_decision(d->decision, d->reason);
    decision_t copy = *d;
    if (copy.time_ms == 0)
        copy.time_ms = time_now_ms();
    /* a repeat of a refused write this minute: counted, recorded later */
    if (coalesce_wanted(&copy) && !coalesce_admit(&copy))
        return;
    qitem_t *q = malloc(sizeof(*q));
    char warn[400];
    pthread_mutex_lock(&g_lock);
    if (q == NULL || !g_running || g_queued >= g_queue_max) {
        if (q != NULL && !g_running)
            g_drops.not_running++;
        else
            g_drops.queue_full++;
        /* at once for the first drop, then at most once a second (the writer says the rest) */
        int w = time_now_ms() - g_drop_warned_at >= 1000 && drop_warning(warn, sizeof(warn));
        pthread_mutex_unlock(&g_lock);
        if (w)
            log_event(LOG_WARN, warn, NULL);
        free(q);
        return;
    }
    q->d = copy;
    q->next = NULL;
    if (g_tail)
        g_tail->next = q;
    else
        g_head = q;
    g_tail = q;
    g_queued++;
    g_enqueued_total++;
    if (g_queued == 1 || g_queued >= BATCH_MAX)
        pthread_cond_signal(&g_wake);
    pthread_mutex_unlock(&g_lock);
}

void decision_log_drops(decision_drops_t *out)
{
    pthread_mutex_lock(&g_lock);
    *out = g_drops;
    pthread_mutex_unlock(&g_lock);
}

void decision_log_set_queue_max(size_t n)
{
    pthread_mutex_lock(&g_lock);
    g_queue_max = n ? n : QUEUE_MAX;
    pthread_mutex_unlock(&g_lock);
}

size_t decision_log_queued(void)
{
    pthread_mutex_lock(&g_lock);
    size_t n = g_queued;
    pthread_mutex_unlock(&g_lock);
    return n;
}

void decision_log_flush(void)
{
    pthread_mutex_lock(&g_lock);
    uint64_t target = g_enqueued_total;
    pthread_cond_signal(&g_wake);
    while (g_running && g_committed_total < target)
        pthread_cond_wait(&g_flushed, &g_lock);
    pthread_mutex_unlock(&g_lock);
}

void decision_log_stop(void)
{
    pthread_mutex_lock(&g_lock);
    if (!g_running) {
        pthread_mutex_unlock(&g_lock);
        return;
    }
    g_stop = 1;
    pthread_cond_signal(&g_wake);
    pthread_mutex_unlock(&g_lock);
    pthread_join(g_thread, NULL);
    pthread_mutex_lock(&g_lock);
    g_running = 0;
    pthread_mutex_unlock(&g_lock);
}

/* ---- reading, for `cordon log` ---- */

/* pulls "key":"value" out of one of our own records (flat, escaped by json_str) */
static void field(const char *rec, size_t n, const char *key, char *out, size_t outlen)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    out[0] = '\0';
    const char *p = memmem(rec, n, pat, strlen(pat));
    if (p == NULL)
        return;
    p += strlen(pat);
    size_t o = 0;
    for (; p < rec + n && *p != '"' && o + 1 < outlen; p++) {
        if (*p == '\\' && p + 1 < rec + n) {
            p++;
            if (*p == 'u') {
                out[o++] = '?';
                p += 4;
                continue;
            }
        }
        out[o++] = *p;
    }
    out[o] = '\0';
}

int decision_log_print(size_t limit, int json)
{
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_DECISIONS, &txn, &c) != 0)
        return -1;
    MDB_val k, v;
    size_t n = 0;
    int rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    while (rc == 0 && n + 1 < limit) {
        rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
        if (rc == 0)
            n++;
    }
    if (rc == MDB_NOTFOUND)
        rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    if (!json && rc == 0)
        printf("%-24s %-6s %-40s %-5s %-18s %-15s %s\n", "TIME", "ECO", "PACKAGE@VERSION", "DEC", "REASON", "CLIENT",
               "REQUEST");
    for (size_t printed = 0; rc == 0 && printed < limit; printed++) {
        const char *rec = v.mv_data;
        if (json) {
            fwrite(rec, 1, v.mv_size, stdout);
            putchar('\n');
        } else {
            char t[40], eco[16], pkg[256], ver[128], dec[24], reason[32], client[64], rid[40], pv[400];
            field(rec, v.mv_size, "time", t, sizeof(t));
            field(rec, v.mv_size, "ecosystem", eco, sizeof(eco));
            field(rec, v.mv_size, "package", pkg, sizeof(pkg));
            field(rec, v.mv_size, "version", ver, sizeof(ver));
            field(rec, v.mv_size, "decision", dec, sizeof(dec));
            if (dec[0] == '\0') /* approvals, blocks, token changes: show what kind */
                field(rec, v.mv_size, "type", dec, sizeof(dec));
            field(rec, v.mv_size, "reason", reason, sizeof(reason));
            field(rec, v.mv_size, "client", client, sizeof(client));
            field(rec, v.mv_size, "request_id", rid, sizeof(rid));
            snprintf(pv, sizeof(pv), "%s%s%s", pkg, ver[0] ? "@" : "", ver);
            printf("%-24s %-6s %-40s %-5.14s %-18s %-15s %s\n", t, eco, pv, dec, reason[0] ? reason : "-", client, rid);
        }
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    store_cursor_end(txn, c);
    return 0;
}
