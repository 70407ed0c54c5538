/* held: the reviewers' queue and review requests (see held.h).
 *
 * DB_HELD: eco\0package\0version → 'I', first/last refusal, count, reason,
 * rule, the verdict's facts (published_at, since), metadata served without
 * it (count, first, last), the alternative offered, then up to 16 distinct
 * (address, user agent, refusals, served). Records of the first layout
 * ('H': no served counts, no alternative) are still read. DB_REQUESTS: u64 id → 'Q', ecosystem,
 * package, version, justification, client, user agent, time, audit seq. */
#include "review/held.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/metrics.h"
#include "store/record.h"
#include "intel/takedown.h"
#include "store/store.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "core/ecosystem.h"
#include "analysis/analysis.h"
#include "journal/audit.h"
#include "journal/served_held.h"
#include "common/log.h"
#include "policy/approvals.h"
#include "policy/judge.h"
#include "policy/policy.h"

enum { FMT_HELD_V1 = 'H', FMT_HELD = 'I', FMT_REQUEST = 'Q' };
static void held_rec_free(held_rec_t *h)
{
    free(h->reason);
    free(h->rule);
    free(h->alternative);
    for (size_t i = 0; i < h->nclients; i++) {
        free(h->c[i].addr);
        free(h->c[i].ua);
    }
    memset(h, 0, sizeof(*h));
}

static void held_rec_encode(const held_rec_t *h, buf_t *b)
{
    buf_putc(b, (char)FMT_HELD);
    rec_put_i64(b, h->first);
    rec_put_i64(b, h->last);
    rec_put_i64(b, h->count);
    rec_put_str(b, h->reason);
    rec_put_str(b, h->rule);
    rec_put_i64(b, h->published_at);
    rec_put_i64(b, h->since);
    rec_put_i64(b, h->served);
    rec_put_i64(b, h->served_first);
    rec_put_i64(b, h->served_last);
    rec_put_str(b, h->alternative ? h->alternative : "");
    rec_put_i64(b, (int64_t)h->nclients);
    for (size_t i = 0; i < h->nclients; i++) {
        rec_put_str(b, h->c[i].addr);
        rec_put_str(b, h->c[i].ua);
        rec_put_i64(b, h->c[i].count);
        rec_put_i64(b, h->c[i].served);
    }
}

static int held_rec_decode(const void *p, size_t n, held_rec_t *h)
{
    memset(h, 0, sizeof(*h));
    rec_reader_t r;
    rec_reader_init(&r, p, n);
    if (n < 1 || (r.p[0] != FMT_HELD && r.p[0] != FMT_HELD_V1))
        return -1;
    int v1 = r.p[0] == FMT_HELD_V1;
    r.p++;
    h->first = rec_get_i64(&r);
    h->last = rec_get_i64(&r);
    h->count = rec_get_i64(&r);
    h->reason = rec_get_str(&r);
    h->rule = rec_get_str(&r);
    h->published_at = rec_get_i64(&r);
    h->since = rec_get_i64(&r);
    if (v1) {
        h->served = 0;
        h->served_first = h->served_last = TIME_NONE;
        h->alternative = xstrdup("");
    } else {
        h->served = rec_get_i64(&r);
        h->served_first = rec_get_i64(&r);
        h->served_last = rec_get_i64(&r);
        h->alternative = rec_get_str(&r);
    }
    int64_t nc = rec_get_i64(&r);
    if (r.err || nc < 0 || nc > HELD_MAX_CLIENTS) {
        held_rec_free(h);
        return -1;
    }
    for (int64_t i = 0; i < nc; i++) {
        held_client_t *c = &h->c[h->nclients++];
        c->addr = rec_get_str(&r);
        c->ua = rec_get_str(&r);
        c->count = rec_get_i64(&r);
        c->served = v1 ? 0 : rec_get_i64(&r);
    }
    if (r.err) {
        held_rec_free(h);
        return -1;
    }
    return 0;
}

/* a version's record as stored, or a fresh one (never refused, never served) */
static int rec_load(MDB_txn *txn, MDB_val *k, held_rec_t *h)
{
    MDB_val v;
    int rc = mdb_get(txn, store_dbi(DB_HELD), k, &v);
    if (rc == 0 && held_rec_decode(v.mv_data, v.mv_size, h) == 0)
        return 0;
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    memset(h, 0, sizeof(*h)); /* unreadable: counted afresh */
    h->first = h->last = h->served_first = h->served_last = TIME_NONE;
    h->published_at = h->since = TIME_NONE;
    h->reason = xstrdup("");
    h->rule = xstrdup("");
    h->alternative = xstrdup("");
    return 0;
}

static int rec_store(MDB_txn *txn, MDB_val *k, const held_rec_t *h)
{
    buf_t b;
    buf_init(&b);
    held_rec_encode(h, &b);
    MDB_val nv = {b.len, b.data};
    int rc = b.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_HELD), k, &nv, 0);
    buf_free(&b);
    return rc;
}

/* the (address, user agent) row of a record, added while there is room; NULL when full */
static held_client_t *rec_client(held_rec_t *h, const char *addr, const char *ua)
{
    for (size_t i = 0; i < h->nclients; i++)
        if (strcmp(h->c[i].addr, addr) == 0 && strcmp(h->c[i].ua, ua) == 0)
            return &h->c[i];
    if (h->nclients == HELD_MAX_CLIENTS)
        return NULL;
    held_client_t *c = &h->c[h->nclients++];
    c->addr = xstrdup(addr);
    c->ua = xstrdup(ua);
    c->count = c->served = 0;
    return c;
}

static void set_alternative(held_rec_t *h, const char *alt)
{
    free(h->alternative);
    h->alternative = xstrdup(alt ? alt : "");
}

static uint64_t g_served_lost; /* rows taken but not stored (the write failed) */

/* inside a write transaction: the metadata routes' pending counts into the records */
static int fold_served(MDB_txn *txn)
{
    if (!served_held_pending())
        return 0;
    served_held_t *rows;
    size_t n = served_held_take(&rows);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const served_held_t *s = &rows[i];
        char key[1024];
        size_t klen = version_key(key, sizeof(key), s->eco, s->package, s->version);
        if (klen == 0)
            continue;
        MDB_val k = {klen, key};
        held_rec_t h;
        if ((rc = rec_load(txn, &k, &h)) != 0)
            break;
        h.served += s->count;
        if (h.served_first == TIME_NONE || s->first < h.served_first)
            h.served_first = s->first;
        if (h.served_last == TIME_NONE || s->last > h.served_last) {
            h.served_last = s->last;
            set_alternative(&h, s->alternative);
        }
        held_client_t *c = rec_client(&h, s->client, s->ua);
        if (c)
            c->served += s->count;
        rc = rec_store(txn, &k, &h);
        held_rec_free(&h);
    }
    if (rc != 0)
        __atomic_fetch_add(&g_served_lost, (uint64_t)n, __ATOMIC_RELAXED);
    served_held_free(rows, n);
    return rc;
}

static int fold_served_txn(MDB_txn *txn, void *arg)
{
    (void)arg;
    return fold_served(txn);
}

/* before the queue is read: what the metadata routes counted since the last decision */
static void fold_pending(void)
{
    char err[300];
    if (served_held_pending() && store_write(fold_served_txn, NULL, err, sizeof(err)) != STORE_OK)
        log_kv(LOG_WARN, "the held queue could not store metadata counts", "error", err, NULL);
}

static int note_decision(MDB_txn *txn, const decision_t *d)
{
    int rc = fold_served(txn);
    if (rc == 0 && strcmp(d->decision, "deny") == 0)
        rc = held_note_denial(txn, d);
    return rc;
}

static void metrics_section(const config_t *cfg, buf_t *out)
{
    buf_printf(out,
               "# HELP cordon_held_versions Versions in the reviewers' queue (refused, served without, or asked for; still held).\n"
               "# TYPE cordon_held_versions gauge\n"
               "cordon_held_versions %zu\n"
               "# HELP cordon_held_served_lost_total Metadata counts of held versions not kept (table full, or the store refused them).\n"
               "# TYPE cordon_held_served_lost_total counter\n"
               "cordon_held_served_lost_total %llu\n",
               held_count(cfg, time_now_ms()),
               (unsigned long long)(served_held_dropped() + __atomic_load_n(&g_served_lost, __ATOMIC_RELAXED)));
}

void held_start(void)
{
    decision_log_add_hook(note_decision);
    metrics_add_section(metrics_section);
}

void held_stop(void) { fold_pending(); }

int held_note_denial(MDB_txn *txn, const decision_t *d)
{
    /* what a reviewer can act on: a held version, not a refused publish or bytes that did not verify */
    if (d->version[0] == '\0' || !(reason_flags(reason_from_name(d->reason)) & REASON_F_HELD))
        return 0;
    char key[1024];
    size_t klen = version_key(key, sizeof(key), d->ecosystem, d->package, d->version);
    if (klen == 0)
        return 0;
    MDB_val k = {klen, key};
    held_rec_t h;
    int rc = rec_load(txn, &k, &h);
    if (rc != 0)
        return rc;
    free(h.reason);
    free(h.rule);
    h.reason = xstrdup(d->reason);
    h.rule = xstrdup(d->rule);
    if (h.count == 0)
        h.first = d->time_ms;
    h.last = d->time_ms;
    h.count++;
    h.published_at = d->published_at;
    h.since = d->since;
    set_alternative(&h, d->alternative);
    held_client_t *c = rec_client(&h, d->client, d->user_agent);
    if (c)
        c->count++;
    rc = rec_store(txn, &k, &h);
    held_rec_free(&h);
    return rc;
}

/* ---- review requests ---- */

void held_request_free(held_request_t *q)
{
    free(q->package);
    free(q->version);
    free(q->justification);
    free(q->client);
    free(q->ua);
}

static int request_decode(uint64_t id, const void *p, size_t n, held_request_t *q)
{
    memset(q, 0, sizeof(*q));
    rec_reader_t r;
    rec_reader_init(&r, p, n);
    if (n < 1 || r.p[0] != FMT_REQUEST)
        return -1;
    r.p++;
    q->id = id;
    int64_t eco = rec_get_i64(&r);
    q->package = rec_get_str(&r);
    q->version = rec_get_str(&r);
    q->justification = rec_get_str(&r);
    q->client = rec_get_str(&r);
    q->ua = rec_get_str(&r);
    q->time = rec_get_i64(&r);
    if (r.err || eco < 0 || eco >= ECO_COUNT) {
        held_request_free(q);
        return -1;
    }
    q->eco = (eco_id_t)eco;
    return 0;
}

/* every stored request, oldest first */
static int requests_load(held_request_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_REQUESTS, &txn, &c) != 0)
        return -1;
    size_t cap = 0;
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        held_request_t q;
        if (request_decode(u64_from_key(k.mv_data, k.mv_size), v.mv_data, v.mv_size, &q) != 0)
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            held_request_t *nv = realloc(*out, ncap * sizeof(*nv));
            if (nv == NULL) {
                held_request_free(&q);
                break;
            }
            *out = nv;
            cap = ncap;
        }
        (*out)[(*n)++] = q;
    }
    store_cursor_end(txn, c);
    return 0;
}

void held_requests_free(held_request_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        held_request_free(&v[i]);
    free(v);
}

void held_request_members(const held_request_t *q, buf_t *b, int *first)
{
    json_kv_int(b, first, "id", (int64_t)q->id);
    json_kv_str(b, first, "ecosystem", eco_name(q->eco));
    json_kv_str(b, first, "package", q->package);
    json_kv_str(b, first, "version", q->version);
    json_kv_str(b, first, "justification", q->justification);
    json_kv_str(b, first, "client", q->client);
    json_kv_str(b, first, "user_agent", q->ua);
}

typedef struct add_req_op {
    const review_request_t *rq;
    int64_t time;
    uint64_t id;
} add_req_op_t;

static int add_request_txn(MDB_txn *txn, void *arg)
{
    add_req_op_t *op = arg;
    const review_request_t *rq = op->rq;
    int rc = store_next_id(txn, DB_REQUESTS, &op->id);
    if (rc)
        return rc;
    buf_t b;
    buf_init(&b);
    int first = 1;
    held_request_t q = {op->id,
                        rq->eco,
                        (char *)rq->package,
                        (char *)rq->version,
                        (char *)rq->justification,
                        (char *)rq->client,
                        (char *)rq->user_agent,
                        op->time};
    held_request_members(&q, &b, &first);
    uint64_t seq = 0;
    rc = b.oom ? ENOMEM : audit_append(txn, "review_request", op->time, b.data, b.len, &seq);
    if (rc == 0) {
        buf_reset(&b);
        buf_putc(&b, (char)FMT_REQUEST);
        rec_put_i64(&b, rq->eco);
        rec_put_str(&b, rq->package);
        rec_put_str(&b, rq->version);
        rec_put_str(&b, rq->justification);
        rec_put_str(&b, rq->client);
        rec_put_str(&b, rq->user_agent);
        rec_put_i64(&b, op->time);
        rec_put_i64(&b, (int64_t)seq);
        unsigned char key[8];
        u64_key(op->id, key);
        MDB_val nk = {8, key}, nv = {b.len, b.data};
        rc = b.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_REQUESTS), &nk, &nv, MDB_APPEND);
    }
    buf_free(&b);
    return rc;
}

int review_request_add(const review_request_t *rq, uint64_t *id, int64_t *time, char *err, size_t errlen)
{
    add_req_op_t op = {rq, time_now_ms(), 0};
    if (store_write(add_request_txn, &op, err, errlen) != STORE_OK)
        return -1;
    *id = op.id;
    *time = op.time;
    return 0;
}

int review_requests_list(held_request_t **out, size_t *n) { return requests_load(out, n); }

int review_request_get(uint64_t id, held_request_t *out)
{
    held_request_t *v;
    size_t n;
    int found = -1;
    if (requests_load(&v, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (v[i].id == id && found < 0) {
            *out = v[i];
            memset(&v[i], 0, sizeof(v[i])); /* moved out */
            found = 0;
        }
    held_requests_free(v, n);
    return found;
}

static const char *const STATE_NAMES[] = {
    [REQ_OPEN] = "open", [REQ_APPROVED] = "approved", [REQ_BLOCKED] = "blocked", [REQ_EXPIRED] = "expired"};

const char *review_request_state_name(review_request_state_t s) { return STATE_NAMES[s]; }

static void decided_by(const review_t *r, review_request_state_t state, int64_t at, review_request_status_t *out)
{
    out->state = state;
    out->review_id = r->id;
    snprintf(out->by, sizeof(out->by), "%s", r->by ? r->by : "");
    out->at = at;
}

/* What reviewers did about it, derived from the records each time (so it
 * follows a revocation or an expiry at once): a block in force that came
 * after the request, else an approval in force (whenever it was made),
 * else an approval made for it that has since ended, else the request's age. */
void review_request_status(const held_request_t *q, int64_t now, review_request_status_t *out)
{
    memset(out, 0, sizeof(*out));
    out->state = REQ_OPEN;
    out->at = TIME_NONE;
    review_t *bl = NULL, *ap = NULL;
    size_t nbl = 0, nap = 0;
    if (approvals_list(REVIEW_BLOCK, 1, q->eco, q->package, q->version, now, &bl, &nbl) != 0)
        bl = NULL, nbl = 0;
    if (approvals_list(REVIEW_APPROVAL, 0, q->eco, q->package, q->version, now, &ap, &nap) != 0)
        ap = NULL, nap = 0;
    const review_t *ended = NULL;
    for (size_t i = 0; i < nbl && out->state == REQ_OPEN; i++) /* newest first */
        if (bl[i].created_at >= q->time)
            decided_by(&bl[i], REQ_BLOCKED, bl[i].created_at, out);
    for (size_t i = 0; i < nap && out->state == REQ_OPEN; i++) {
        if (review_active(&ap[i], now))
            decided_by(&ap[i], REQ_APPROVED, ap[i].created_at, out);
        else if (ended == NULL && ap[i].created_at >= q->time)
            ended = &ap[i];
    }
    if (out->state == REQ_OPEN && ended)
        decided_by(ended, REQ_EXPIRED,
                   ended->ended_at != TIME_NONE ? ended->ended_at : ended->expires_at, out);
    else if (out->state == REQ_OPEN && now - q->time > REVIEW_REQUEST_TTL_MS)
        out->state = REQ_EXPIRED, out->at = q->time + REVIEW_REQUEST_TTL_MS;
    reviews_free(bl, nbl);
    reviews_free(ap, nap);
}

/* Review requests per client address, counted exactly: an open-addressing
 * table keyed by the whole address, so no two addresses ever share a count,
 * and bounded (RATE_SLOTS entries). An entry whose hour is over is reused
 * by the next new address; when every entry holds an address still inside
 * its hour, a new address waits for the oldest hour to end: nobody's count
 * is reset early, whatever the number of addresses an attacker has. */
#define RATE_SLOTS 4096
#define RATE_WINDOW_MS 3600000
static struct rate_slot {
    char addr[64]; /* "" = never used; entries are reused, never emptied */
    int64_t window_start;
    int count;
} g_rate[RATE_SLOTS];
static pthread_mutex_t g_rate_lock = PTHREAD_MUTEX_INITIALIZER;

static int rate_wait_s(int64_t window_start, int64_t now)
{
    int64_t ms = window_start + RATE_WINDOW_MS - now;
    return ms > 0 ? (int)((ms + 999) / 1000) : 1;
}

int review_rate_check(const char *client, int per_hour, int64_t now)
{
    char key[sizeof(g_rate[0].addr)];
    snprintf(key, sizeof(key), "%s", client && *client ? client : "unknown");
    uint32_t h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    pthread_mutex_lock(&g_rate_lock);
    struct rate_slot *found = NULL, *reuse = NULL;
    int64_t oldest = INT64_MAX;
    /* linear probing: the address's entry, if any, is before the first unused one */
    for (size_t i = 0; i < RATE_SLOTS; i++) {
        struct rate_slot *s = &g_rate[(h + i) % RATE_SLOTS];
        if (s->addr[0] == '\0') {
            if (reuse == NULL)
                reuse = s;
            break;
        }
        if (strcmp(s->addr, key) == 0) {
            found = s;
            break;
        }
        if (now - s->window_start >= RATE_WINDOW_MS) {
            if (reuse == NULL)
                reuse = s;
        } else if (s->window_start < oldest) {
            oldest = s->window_start;
        }
    }
    int wait = 0;
    struct rate_slot *s = found ? found : reuse;
    if (s == NULL) {
        wait = rate_wait_s(oldest, now); /* every entry is in its hour */
    } else {
        if (s != found || now - s->window_start >= RATE_WINDOW_MS) {
            memcpy(s->addr, key, sizeof(key));
            s->window_start = now;
            s->count = 0;
        }
        if (s->count >= per_hour)
            wait = rate_wait_s(s->window_start, now);
        else
            s->count++;
    }
    pthread_mutex_unlock(&g_rate_lock);
    return wait;
}

/* ---- the queue ---- */

static int split_key(const char *k, size_t n, eco_id_t *eco, char **pkg, char **ver)
{
    const char *a = memchr(k, '\0', n);
    if (a == NULL)
        return -1;
    const char *b = memchr(a + 1, '\0', n - (size_t)(a + 1 - k));
    if (b == NULL)
        return -1;
    int e = eco_from_name(k, (size_t)(a - k));
    if (e < 0)
        return -1;
    *eco = (eco_id_t)e;
    *pkg = strndup(a + 1, (size_t)(b - a - 1));
    *ver = strndup(b + 1, n - (size_t)(b + 1 - k));
    return *pkg && *ver ? 0 : -1;
}

/* a record whose times are a refusal's: one only served without has none */
static int rec_has_refusal(const held_rec_t *rec) { return rec && rec->count > 0; }

/* the facts a verdict about a version is made from: the times of its last
 * refusal (else what the cached metadata says), what analysis found (the
 * name check included), what reviewers decided */
static int facts_for(eco_id_t eco, const char *package, const char *version, const held_rec_t *rec, int64_t now,
                     version_facts_t *f, findings_t *found)
{
    const ecosystem_t *e = ecosystems[eco];
    memset(f, 0, sizeof(*f));
    findings_clear(found);
    int listed = e && e->version_facts ? e->version_facts(package, version, NULL, f, found) : -1;
    if (listed != 1)
        f->published_at = f->first_seen = TIME_NONE;
    takedown_t td;
    if (listed >= 0 && takedown_lookup(eco, package, version, &td)) {
        f->removed_at = td.removed_at; /* a release whose every file went is in no page */
        listed = 1;
    }
    policy_gather(eco, package, version, now, f, found);
    if (rec_has_refusal(rec)) { /* a refusal's facts; a version only served without has the metadata's */
        f->published_at = rec->published_at;
        f->first_seen = rec->since;
        return 1;
    }
    return listed;
}

int held_decide(const config_t *cfg, eco_id_t eco, const char *package, const char *version, int64_t now,
                verdict_t *out)
{
    version_facts_t f;
    findings_t found;
    int listed = facts_for(eco, package, version, NULL, now, &f, &found);
    policy_decide(cfg, eco, package, version, &f, now, out);
    return listed;
}

int held_version_known(eco_id_t eco, const char *package, const char *version)
{
    version_facts_t f;
    findings_t found;
    return facts_for(eco, package, version, NULL, time_now_ms(), &f, &found) == 1;
}

/* the recorded versions of a package (DB_VERSIONS keys "eco\0package\0version")
 * nearest to version in the ecosystem's order: up to max/2 below, the rest above */
size_t held_nearest_versions(eco_id_t eco, const char *package, const char *version, char (*out)[HELD_VERSION_MAX],
                             size_t max)
{
    const ecosystem_t *e = eco < ECO_COUNT ? ecosystems[eco] : NULL;
    char prefix[1024];
    size_t pl = version_key(prefix, sizeof(prefix), eco_name(eco), package, "");
    MDB_txn *txn;
    MDB_cursor *c;
    if (e == NULL || e->version_compare == NULL || max == 0 || pl == 0 ||
        store_cursor_begin(DB_VERSIONS, &txn, &c) != 0)
        return 0;
    /* the closest below (highest lower) and above (lowest higher), kept sorted */
    size_t want_lo = max / 2, want_hi = max - want_lo, nlo = 0, nhi = 0;
    char lo[8][HELD_VERSION_MAX], hi[8][HELD_VERSION_MAX];
    if (want_lo > 8)
        want_lo = 8;
    if (want_hi > 8)
        want_hi = 8;
    MDB_val k = {pl, prefix}, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < pl || memcmp(k.mv_data, prefix, pl) != 0)
            break;
        char ver[HELD_VERSION_MAX];
        size_t vl = k.mv_size - pl;
        if (vl == 0 || vl >= sizeof(ver))
            continue;
        memcpy(ver, (const char *)k.mv_data + pl, vl);
        ver[vl] = '\0';
        int cmp = e->version_compare(ver, version);
        if (cmp == 0)
            continue;
        char (*set)[HELD_VERSION_MAX] = cmp < 0 ? lo : hi;
        size_t *n = cmp < 0 ? &nlo : &nhi, cap = cmp < 0 ? want_lo : want_hi;
        /* lo keeps the highest (descending), hi the lowest (ascending) */
        size_t at = *n;
        while (at > 0 && (cmp < 0 ? e->version_compare(ver, set[at - 1]) > 0 : e->version_compare(ver, set[at - 1]) < 0))
            at--;
        if (at >= cap)
            continue;
        size_t last = *n < cap ? *n : cap - 1;
        memmove(set[at + 1], set[at], (last - at) * sizeof(set[0]));
        memcpy(set[at], ver, vl + 1);
        if (*n < cap)
            (*n)++;
    }
    store_cursor_end(txn, c);
    size_t n = 0;
    for (size_t i = nlo; i-- > 0;)
        memcpy(out[n++], lo[i], sizeof(lo[i]));
    for (size_t i = 0; i < nhi; i++)
        memcpy(out[n++], hi[i], sizeof(hi[i]));
    return n;
}

static void entry_free(held_entry_t *e)
{
    free(e->package);
    free(e->version);
    if (e->have_rec)
        held_rec_free(&e->rec);
}

typedef struct takedown_add {
    held_entry_t **out;
    size_t *n, *cap;
    int eco;
    const char *package;
} takedown_add_t;

static int add_takedown(void *arg, eco_id_t eco, const char *package, const char *name, const takedown_t *t)
{
    takedown_add_t *a = arg;
    if (t->file)
        return 0;
    for (size_t j = 0; j < *a->n; j++)
        if ((*a->out)[j].eco == eco && !strcmp((*a->out)[j].package, package) && !strcmp((*a->out)[j].version, name))
            return 0;
    if (*a->n == *a->cap) {
        size_t ncap = *a->cap ? *a->cap * 2 : 32;
        held_entry_t *nv = realloc(*a->out, ncap * sizeof(*nv));
        if (nv == NULL)
            return 1;
        *a->out = nv;
        *a->cap = ncap;
    }
    held_entry_t *e = &(*a->out)[(*a->n)++];
    memset(e, 0, sizeof(*e));
    e->eco = eco;
    e->package = xstrdup(package);
    e->version = xstrdup(name);
    return 0;
}

/* every refused, review-requested or taken-down version that is still held */
static int collect(const config_t *cfg, int64_t now, int eco, const char *package, const held_request_t *reqs,
                   size_t nreqs, held_entry_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_HELD, &txn, &c) != 0)
        return -1;
    /* first the refused ones (facts from the store), then requests (facts from metadata, outside the txn) */
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        held_entry_t e;
        memset(&e, 0, sizeof(e));
        if (split_key(k.mv_data, k.mv_size, &e.eco, &e.package, &e.version) != 0 ||
            (eco >= 0 && (int)e.eco != eco) || (package && strcmp(package, e.package) != 0) ||
            held_rec_decode(v.mv_data, v.mv_size, &e.rec) != 0) {
            entry_free(&e);
            continue;
        }
        e.have_rec = 1;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            held_entry_t *nv = realloc(*out, ncap * sizeof(*nv));
            if (nv == NULL) {
                entry_free(&e);
                break;
            }
            *out = nv;
            cap = ncap;
        }
        (*out)[(*n)++] = e;
    }
    store_cursor_end(txn, c);
    for (size_t i = 0; i < nreqs; i++) {
        const held_request_t *q = &reqs[i];
        if ((eco >= 0 && (int)q->eco != eco) || (package && strcmp(package, q->package) != 0))
            continue;
        size_t j;
        for (j = 0; j < *n; j++)
            if ((*out)[j].eco == q->eco && !strcmp((*out)[j].package, q->package) &&
                !strcmp((*out)[j].version, q->version))
                break;
        if (j < *n)
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            held_entry_t *nv = realloc(*out, ncap * sizeof(*nv));
            if (nv == NULL)
                break;
            *out = nv;
            cap = ncap;
        }
        held_entry_t *e = &(*out)[(*n)++];
        memset(e, 0, sizeof(*e));
        e->eco = q->eco;
        e->package = xstrdup(q->package);
        e->version = xstrdup(q->version);
    }
    /* then what upstream took down (a version, not a file of one), asked for or not */
    takedown_add_t ta = {out, n, &cap, eco, package};
    takedown_walk(eco, package, add_takedown, &ta);
    /* decide each again now; keep what is still held */
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        held_entry_t *e = &(*out)[i];
        version_facts_t f;
        e->facts = facts_for(e->eco, e->package, e->version, e->have_rec ? &e->rec : NULL, now, &f, &e->findings);
        policy_decide(cfg, e->eco, e->package, e->version, &f, now, &e->vd);
        if (e->vd.allow) {
            entry_free(e);
            continue;
        }
        e->sort_time = e->vd.since != TIME_NONE ? e->vd.since : now;
        (*out)[kept++] = *e;
    }
    *n = kept;
    return 0;
}

static void entry_alternative(held_entry_t *e)
{
    e->alternative[0] = '\0';
    if (e->have_rec && e->rec.alternative && e->rec.alternative[0]) {
        snprintf(e->alternative, sizeof(e->alternative), "%s", e->rec.alternative);
        return;
    }
    /* never refused nor served (asked about, taken down): the cached metadata
     * says, once; a counted version's record already holds what clients were told */
    const ecosystem_t *eco = ecosystems[e->eco];
    if (!e->have_rec && eco && eco->alternative &&
        eco->alternative(e->package, e->version, e->alternative, sizeof(e->alternative)) != 0)
        e->alternative[0] = '\0';
}

static int entry_cmp(const void *a, const void *b, void *arg)
{
    const held_entry_t *x = a, *y = b;
    held_sort_t sort = *(const held_sort_t *)arg;
    if (sort == HELD_SORT_REASON) {
        int c = strcmp(reason_name(x->vd.reason), reason_name(y->vd.reason));
        if (c)
            return c;
    } else if (sort == HELD_SORT_REQUESTS) {
        int64_t rx = x->have_rec ? x->rec.count : 0, ry = y->have_rec ? y->rec.count : 0;
        if (rx != ry)
            return rx > ry ? -1 : 1;
    }
    if (x->sort_time != y->sort_time)
        return x->sort_time > y->sort_time ? -1 : 1;
    int c = strcmp(x->package, y->package);
    return c ? c : strcmp(x->version, y->version);
}

static int client_cmp(const void *a, const void *b)
{
    const held_client_t *x = a, *y = b;
    int64_t nx = x->count + x->served, ny = y->count + y->served;
    return nx == ny ? 0 : (nx > ny ? -1 : 1);
}

/* what a listed entry shows besides its verdict: clients most frequent
 * first (the name check's findings are in e->findings: policy_gather) */
static void entry_complete(held_entry_t *e)
{
    if (e->have_rec)
        qsort(e->rec.c, e->rec.nclients, sizeof(held_client_t), client_cmp);
    if (!e->vd.allow)
        entry_alternative(e);
}

void held_queue_free(held_queue_t *q)
{
    for (size_t i = 0; i < q->n; i++)
        entry_free(&q->v[i]);
    free(q->v);
    held_requests_free(q->reqs, q->nreqs);
    memset(q, 0, sizeof(*q));
}

int held_list(const config_t *cfg, int64_t now, int eco, const char *package, held_sort_t sort, held_queue_t *out)
{
    memset(out, 0, sizeof(*out));
    fold_pending();
    if (requests_load(&out->reqs, &out->nreqs) != 0)
        return -1;
    if (collect(cfg, now, eco, package, out->reqs, out->nreqs, &out->v, &out->n) != 0) {
        held_queue_free(out);
        return -1;
    }
    if (out->n > 1)
        qsort_r(out->v, out->n, sizeof(held_entry_t), entry_cmp, &sort);
    for (size_t i = 0; i < out->n; i++)
        entry_complete(&out->v[i]);
    return 0;
}

size_t held_count(const config_t *cfg, int64_t now)
{
    held_request_t *reqs;
    size_t nreqs, n = 0;
    held_entry_t *v;
    fold_pending();
    if (requests_load(&reqs, &nreqs) != 0)
        return 0;
    if (collect(cfg, now, -1, NULL, reqs, nreqs, &v, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            entry_free(&v[i]);
        free(v);
    }
    held_requests_free(reqs, nreqs);
    return n;
}

int held_version(const config_t *cfg, int64_t now, eco_id_t eco, const char *package, const char *version,
                 held_version_t *out)
{
    memset(out, 0, sizeof(*out));
    held_queue_t *q = &out->q;
    q->v = calloc(1, sizeof(held_entry_t));
    if (q->v == NULL)
        return -1;
    q->n = 1;
    held_entry_t *e = &q->v[0];
    fold_pending();
    char key[1024];
    size_t klen = version_key(key, sizeof(key), eco_name(eco), package, version);
    void *val;
    size_t vlen;
    if (klen && store_get_copy(DB_HELD, key, klen, &val, &vlen) == STORE_OK) {
        e->have_rec = held_rec_decode(val, vlen, &e->rec) == 0;
        free(val);
    }
    version_facts_t f;
    int listed = facts_for(eco, package, version, NULL, now, &f, &e->findings);
    out->known = listed == 1;
    if (e->have_rec && rec_has_refusal(&e->rec)) {
        f.published_at = e->rec.published_at;
        f.first_seen = e->rec.since;
    }
    e->eco = eco;
    e->package = strdup(package);
    e->version = strdup(version);
    e->facts = e->have_rec && rec_has_refusal(&e->rec) ? 1 : listed;
    policy_decide(cfg, eco, package, version, &f, now, &e->vd);
    if (e->vd.allow && e->vd.review_id != 0) {
        version_facts_t unreviewed = f;
        memset(&unreviewed.review, 0, sizeof(unreviewed.review));
        policy_decide(cfg, eco, package, version, &unreviewed, now, &out->before);
        out->approved = !out->before.allow;
    }
    requests_load(&q->reqs, &q->nreqs);
    size_t asked = 0;
    for (size_t i = 0; i < q->nreqs; i++)
        asked += q->reqs[i].eco == eco && !strcmp(q->reqs[i].package, package) && !strcmp(q->reqs[i].version, version);
    out->asked = asked > 0;
    /* the queue's entry: only for a version in the queue (refused or asked about, still held) */
    out->in_queue = !e->vd.allow && (e->have_rec || asked > 0);
    entry_complete(e);
    if (out->approved) { /* the alternative offered while it was held */
        verdict_t now_vd = e->vd;
        e->vd = out->before;
        entry_alternative(e);
        e->vd = now_vd;
    }
    if (e->package == NULL || e->version == NULL) {
        held_queue_free(q);
        return -1;
    }
    return 0;
}
