/* journal_retention: pruning old decision records into "pruned" runs (see
 * journal_retention.h). */
#include "journal/journal_retention.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "journal/audit.h"
#include "core/runtime.h"
#include "store/record.h"

typedef struct run {
    uint64_t first, through, count;
    char prev[65], last[65];
    int64_t last_time;
    int records; /* records (not pruned runs) it takes in */
    int runs;    /* pruned runs it takes in */
} run_t;

typedef struct prune_op {
    int64_t cutoff;
    size_t budget;
    /* where this chunk starts: verified up to there by the chunk before */
    uint64_t from;
    char head[65];
    int keyed;
    /* out, set anew by every run of the transaction (store_write may run it
     * again after growing the map) */
    run_t *runs;
    size_t nruns, capruns;
    uint64_t next_from, pruned, through, stopped_at;
    char next_head[65];
    int next_keyed, more;
} prune_op_t;

static int64_t record_time(const char *rec, size_t n)
{
    static const char pat[] = "\"time\":\"";
    const char *p = memmem(rec, n < 120 ? n : 120, pat, sizeof(pat) - 1);
    if (p == NULL)
        return TIME_NONE;
    p += sizeof(pat) - 1;
    const char *q = memchr(p, '"', (size_t)(rec + n - p));
    return q ? time_parse_iso8601(p, (size_t)(q - p)) : TIME_NONE;
}

static int push_run(prune_op_t *op, const run_t *r)
{
    /* a lone pruned run with nothing new to take in stays as it is */
    if (r->records == 0 && r->runs <= 1)
        return 0;
    if (op->nruns == op->capruns) {
        size_t cap = op->capruns ? op->capruns * 2 : 8;
        run_t *nv = realloc(op->runs, cap * sizeof(*nv));
        if (nv == NULL)
            return ENOMEM;
        op->runs = nv;
        op->capruns = cap;
    }
    op->runs[op->nruns++] = *r;
    return 0;
}

/* one entry of the chain (a record or a pruned run) whose own link verified */
typedef struct entry {
    uint64_t seq, through, count;
    char prev[65], hash[65];
    int64_t time;
    int is_run, prunable, new_decision;
} entry_t;

/* Walks from op->from and collects the runs to prune. An entry joins a run
 * only once the entry after it has shown, by its prev, that its bytes are
 * the ones the chain vouches for: an edited record stops the walk before
 * it, never disappears into a pruned run. */
static int collect(MDB_txn *txn, prune_op_t *op)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, store_dbi(DB_DECISIONS), &c);
    if (rc)
        return rc;
    MDB_val k, v;
    uint64_t last_key = 0;
    if (mdb_cursor_get(c, &k, &v, MDB_LAST) == 0)
        last_key = u64_from_key(k.mv_data, k.mv_size);
    unsigned char key[8];
    u64_key(op->from, key);
    op->next_from = op->from;
    memcpy(op->next_head, op->head, 65);
    k.mv_size = 8;
    k.mv_data = key;
    uint64_t expect = op->from;
    char head[65]; /* what the next entry must carry as prev */
    memcpy(head, op->head, 65);
    int keyed = op->keyed, have_pending = 0, open = 0, done = 0;
    entry_t pending; /* the entry before, not yet confirmed by its successor */
    run_t cur;
    size_t examined = 0;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && !done; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        uint64_t seq = u64_from_key(k.mv_data, k.mv_size);
        const char *rec = v.mv_data, *prev = audit_record_prev(rec, v.mv_size);
        if (seq != expect || prev == NULL || !audit_record_seq_matches(rec, v.mv_size, seq) ||
            memcmp(prev, head, 64) != 0) {
            op->stopped_at = seq != expect ? expect : seq;
            have_pending = 0; /* not confirmed: stays */
            break;
        }
        if (examined++ >= op->budget) {
            op->more = 1;
            break;
        }
        /* this entry's prev confirms the one before */
        if (have_pending) {
            entry_t *p = &pending;
            if (p->prunable) {
                if (!open) {
                    memset(&cur, 0, sizeof(cur));
                    cur.first = p->seq;
                    memcpy(cur.prev, p->prev, 65);
                    open = 1;
                }
                cur.through = p->through;
                cur.count += p->count;
                memcpy(cur.last, p->hash, 65);
                cur.last_time = p->time;
                if (p->is_run)
                    cur.runs++;
                else
                    cur.records++;
            } else {
                if (open && (rc = push_run(op, &cur)) != 0)
                    break;
                open = 0;
                if (p->new_decision)
                    done = 1; /* decisions are written in time order: the rest is newer */
            }
            have_pending = 0;
            if (done)
                break;
        }
        char type[32];
        audit_record_type(rec, v.mv_size, type, sizeof(type));
        entry_t *e = &pending;
        memset(e, 0, sizeof(*e));
        e->seq = e->through = seq;
        e->count = 1;
        memcpy(e->prev, prev, 64);
        e->prev[64] = '\0';
        e->time = record_time(rec, v.mv_size);
        e->is_run = !strcmp(type, "pruned");
        if (e->is_run) {
            int64_t before;
            if (audit_pruned_read(rec, v.mv_size, &e->through, &e->count, e->hash, &before) != 1 || e->through < seq) {
                op->stopped_at = seq;
                break;
            }
            e->prunable = 1;
        } else {
            if (!strcmp(type, "audit_keyed"))
                keyed = 1;
            if (audit_record_hash(keyed, rec, v.mv_size, e->hash) != 0) {
                rc = EACCES;
                break;
            }
            int old = e->time != TIME_NONE && e->time < op->cutoff;
            int decision = !strcmp(type, "decision");
            e->prunable = (decision || !strcmp(type, "journal_pruned")) && old && seq != last_key;
            e->new_decision = decision && !old;
        }
        have_pending = 1;
        memcpy(head, e->hash, 65);
        expect = e->through + 1;
    }
    if (rc == MDB_NOTFOUND)
        rc = 0;
    mdb_cursor_close(c);
    size_t before = op->nruns;
    if (rc == 0 && open)
        rc = push_run(op, &cur);
    if (op->more) {
        if (open && op->nruns > before) {
            /* the next chunk starts at this run, so that it extends it */
            op->next_from = cur.first;
            memcpy(op->next_head, cur.prev, 65);
        } else if (have_pending) {
            /* or at the entry not yet confirmed */
            op->next_from = pending.seq;
            memcpy(op->next_head, pending.prev, 65);
        } else {
            op->next_from = expect;
            memcpy(op->next_head, head, 65);
        }
    }
    op->next_keyed = keyed;
    return rc;
}

static int apply(MDB_txn *txn, prune_op_t *op)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, store_dbi(DB_DECISIONS), &c);
    if (rc)
        return rc;
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < op->nruns && rc == 0; i++) {
        run_t *r = &op->runs[i];
        unsigned char key[8];
        u64_key(r->first, key);
        MDB_val k = {8, key}, v;
        for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            if (u64_from_key(k.mv_data, k.mv_size) > r->through)
                break;
            if ((rc = mdb_cursor_del(c, 0)) != 0)
                break;
        }
        if (rc != 0 && rc != MDB_NOTFOUND)
            break;
        buf_reset(&b);
        rc = audit_pruned_build(&b, r->first, r->through, r->count, r->last_time, op->cutoff, r->last, r->prev);
        if (rc == 0) {
            MDB_val nk = {8, key}, nv = {b.len, b.data};
            rc = mdb_put(txn, store_dbi(DB_DECISIONS), &nk, &nv, 0);
        }
        if (rc == 0) {
            op->pruned += (uint64_t)r->records;
            if (r->through > op->through)
                op->through = r->through;
        }
    }
    buf_free(&b);
    mdb_cursor_close(c);
    return rc;
}

static int prune_txn(MDB_txn *txn, void *arg)
{
    prune_op_t *op = arg;
    op->nruns = 0;
    op->pruned = op->through = op->stopped_at = 0;
    op->more = 0;
    int rc = collect(txn, op);
    if (rc == 0)
        rc = apply(txn, op);
    return rc;
}

typedef struct note_op {
    uint64_t pruned, through;
    int64_t cutoff;
} note_op_t;

static int note_txn(MDB_txn *txn, void *arg)
{
    note_op_t *n = arg;
    buf_t b;
    buf_init(&b);
    int first = 1;
    json_kv_int(&b, &first, "count", (int64_t)n->pruned);
    json_kv_int(&b, &first, "through", (int64_t)n->through);
    json_kv_time(&b, &first, "before", n->cutoff);
    int rc = b.oom ? ENOMEM : audit_append(txn, "journal_pruned", time_now_ms(), b.data, b.len, NULL);
    buf_free(&b);
    return rc;
}

int journal_prune(int64_t cutoff_ms, size_t budget, prune_result_t *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof(*res));
    /* each chunk takes in at least one record the one before did not see */
    prune_op_t op = {.cutoff = cutoff_ms, .budget = budget < 2 ? 2 : budget, .from = 1};
    memcpy(op.head, AUDIT_ZERO_HASH, 65);
    int rc = 0;
    do {
        if (store_write(prune_txn, &op, err, errlen) != STORE_OK) {
            rc = -1;
            break;
        }
        res->pruned += op.pruned;
        if (op.through > res->through)
            res->through = op.through;
        res->stopped_at = op.stopped_at;
        op.from = op.next_from;
        memcpy(op.head, op.next_head, 65);
        op.keyed = op.next_keyed;
    } while (op.more && op.stopped_at == 0);
    free(op.runs);
    if (rc == 0 && res->pruned > 0) {
        note_op_t n = {res->pruned, res->through, cutoff_ms};
        if (store_write(note_txn, &n, err, errlen) != STORE_OK)
            rc = -1;
    }
    return rc;
}

/* ---- the thread ---- */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static pthread_t g_thread;
static int g_running, g_stop;

static int64_t period_ms(int64_t keep)
{
    int64_t p = keep / 10;
    return p < 1000 ? 1000 : p > 3600000 ? 3600000 : p;
}

static void pass(int64_t keep)
{
    prune_result_t res;
    char err[300];
    int64_t cutoff = time_now_ms() - keep;
    if (journal_prune(cutoff, 20000, &res, err, sizeof(err)) != 0) {
        log_kv(LOG_ERROR, "journal retention failed", "error", err, NULL);
        return;
    }
    char before[40];
    time_format_iso8601(cutoff, before, sizeof(before), 0);
    if (res.pruned)
        log_event(LOG_INFO, "journal retention: decision records older than journal.keep pruned",
                  (const log_field_t[]){LOG_INT("pruned", res.pruned), LOG_INT("through", res.through),
                                        LOG_STR("before", before), LOG_END});
    if (res.stopped_at) {
        char msg[200];
        snprintf(msg, sizeof(msg), "journal retention stopped at record %" PRIu64
                 ": the chain does not verify there, so nothing after it is pruned; run cordon audit verify", res.stopped_at);
        log_event(LOG_WARN, msg, NULL);
    }
}

static void *retention_main(void *arg)
{
    pthread_mutex_lock(&g_lock);
    while (!g_stop) {
        int64_t keep = runtime_config()->journal_keep_ms;
        pthread_mutex_unlock(&g_lock);
        if (keep > 0)
            pass(keep);
        pthread_mutex_lock(&g_lock);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t p = period_ms(keep > 0 ? keep : 36000000);
        ts.tv_sec += p / 1000;
        ts.tv_nsec += (p % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!g_stop && pthread_cond_timedwait(&g_wake, &g_lock, &ts) == 0)
            ;
    }
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

int journal_retention_start(void)
{
    g_stop = 0;
    if (pthread_create(&g_thread, NULL, retention_main, NULL) != 0)
        return -1;
    g_running = 1;
    return 0;
}

void journal_retention_stop(void)
{
    if (!g_running)
        return;
    pthread_mutex_lock(&g_lock);
    g_stop = 1;
    pthread_cond_signal(&g_wake);
    pthread_mutex_unlock(&g_lock);
    pthread_join(g_thread, NULL);
    g_running = 0;
}
