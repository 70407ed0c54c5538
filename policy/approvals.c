/* approvals: reviewers' approvals and blocks as records and as the set in
 * force (see approvals.h); review/approvals_store.c writes them with their
 * audit records.
 *
 * The in-memory set holds only records in force, sorted by (ecosystem,
 * package, version) so a verdict costs one binary search. It is rebuilt from
 * LMDB after every change (changes are rare: people make them) and swapped
 * under a rwlock; readers copy what they need out before unlocking. */
#include "policy/approvals.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/record.h"
#include "store/store.h"
#include "common/digest.h"
#include "common/timeutil.h"

enum { FMT_REVIEW = 'R' };

typedef struct entry {
    eco_id_t eco;
    char *package;
    char *version; /* "" = the whole package */
    review_kind_t kind;
    uint64_t id;
    int64_t expires_at;
    char *by;
    char *comment;
} entry_t;

typedef struct set {
    entry_t *v;
    size_t n;
} set_t;

static pthread_rwlock_t g_lock = PTHREAD_RWLOCK_INITIALIZER;
static set_t g_set;

void review_free(review_t *r)
{
    free(r->package);
    free(r->version);
    free(r->comment);
    free(r->by);
    free(r->ended_by);
    memset(r, 0, sizeof(*r));
}

void reviews_free(review_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        review_free(&v[i]);
    free(v);
}

int review_active(const review_t *r, int64_t now)
{
    return r->ended_at == TIME_NONE && (r->expires_at == TIME_NONE || now < r->expires_at);
}

void review_encode(const review_t *r, buf_t *b)
{
    buf_putc(b, (char)FMT_REVIEW);
    rec_put_i64(b, r->kind);
    rec_put_i64(b, r->eco);
    rec_put_str(b, r->package);
    rec_put_str(b, r->version);
    rec_put_str(b, r->comment);
    rec_put_str(b, r->by);
    rec_put_i64(b, r->created_at);
    rec_put_i64(b, r->expires_at);
    rec_put_i64(b, r->ended_at);
    rec_put_str(b, r->ended_by);
    rec_put_i64(b, (int64_t)r->audit_seq);
}

int review_decode(uint64_t id, const void *p, size_t n, review_t *r)
{
    memset(r, 0, sizeof(*r));
    rec_reader_t rd;
    rec_reader_init(&rd, p, n);
    if (n < 1 || rd.p[0] != FMT_REVIEW)
        return -1;
    rd.p++;
    r->id = id;
    r->kind = (review_kind_t)rec_get_i64(&rd);
    int64_t eco = rec_get_i64(&rd);
    r->package = rec_get_str(&rd);
    r->version = rec_get_str(&rd);
    r->comment = rec_get_str(&rd);
    r->by = rec_get_str(&rd);
    r->created_at = rec_get_i64(&rd);
    r->expires_at = rec_get_i64(&rd);
    r->ended_at = rec_get_i64(&rd);
    r->ended_by = rec_get_str(&rd);
    r->audit_seq = (uint64_t)rec_get_i64(&rd);
    if (rd.err || eco < 0 || eco >= ECO_COUNT || (r->kind != REVIEW_APPROVAL && r->kind != REVIEW_BLOCK)) {
        review_free(r);
        return -1;
    }
    r->eco = (eco_id_t)eco;
    return 0;
}

const char *review_kind_name(review_kind_t k) { return k == REVIEW_APPROVAL ? "approval" : "block"; }

/* ---- the in-memory set ---- */

static int entry_cmp(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    if (x->eco != y->eco)
        return x->eco < y->eco ? -1 : 1;
    int c = strcmp(x->package, y->package);
    return c ? c : strcmp(x->version, y->version);
}

static void set_free(set_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].package);
        free(s->v[i].version);
        free(s->v[i].by);
        free(s->v[i].comment);
    }
    free(s->v);
    memset(s, 0, sizeof(*s));
}

int approvals_publish(review_t *all, size_t n)
{
    set_t s = {calloc(n ? n : 1, sizeof(entry_t)), 0};
    if (s.v == NULL) {
        reviews_free(all, n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        entry_t *e = &s.v[s.n++];
        e->eco = all[i].eco;
        e->kind = all[i].kind;
        e->id = all[i].id;
        e->expires_at = all[i].expires_at;
        /* steal the strings */
        e->package = all[i].package;
        e->version = all[i].version;
        e->by = all[i].by;
        e->comment = all[i].comment;
        all[i].package = all[i].version = all[i].by = all[i].comment = NULL;
    }
    reviews_free(all, n);
    qsort(s.v, s.n, sizeof(entry_t), entry_cmp);
    pthread_rwlock_wrlock(&g_lock);
    set_t old = g_set;
    g_set = s;
    pthread_rwlock_unlock(&g_lock);
    set_free(&old);
    return 0;
}


void approvals_unload(void)
{
    pthread_rwlock_wrlock(&g_lock);
    set_free(&g_set);
    pthread_rwlock_unlock(&g_lock);
}

/* index of the first entry of (eco, package), or g_set.n; under the lock */
static size_t first_of(eco_id_t eco, const char *package)
{
    size_t lo = 0, hi = g_set.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const entry_t *e = &g_set.v[mid];
        int c = e->eco != eco ? (e->eco < eco ? -1 : 1) : strcmp(e->package, package);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void approvals_match(eco_id_t eco, const char *package, const char *version, int64_t now, review_match_t *out)
{
    memset(out, 0, sizeof(*out));
    pthread_rwlock_rdlock(&g_lock);
    const entry_t *best = NULL;
    for (size_t i = g_set.n ? first_of(eco, package) : 0; i < g_set.n; i++) {
        const entry_t *e = &g_set.v[i];
        if (e->eco != eco || strcmp(e->package, package) != 0)
            break;
        if (e->version[0] && strcmp(e->version, version) != 0)
            continue;
        if (e->kind == REVIEW_APPROVAL && e->expires_at != TIME_NONE && now >= e->expires_at)
            continue;
        /* a block wins; among approvals the one lasting longest */
        if (best == NULL || (e->kind == REVIEW_BLOCK && best->kind != REVIEW_BLOCK) ||
            (e->kind == best->kind && e->kind == REVIEW_APPROVAL &&
             (e->expires_at == TIME_NONE || (best->expires_at != TIME_NONE && e->expires_at > best->expires_at))))
            best = e;
    }
    if (best) {
        out->kind = best->kind;
        out->id = best->id;
        out->expires_at = best->expires_at;
        snprintf(out->by, sizeof(out->by), "%s", best->by);
        snprintf(out->comment, sizeof(out->comment), "%s", best->comment);
    }
    pthread_rwlock_unlock(&g_lock);
}

void approvals_package_fp(eco_id_t eco, const char *package, char out[17])
{
    buf_t b;
    buf_init(&b);
    pthread_rwlock_rdlock(&g_lock);
    for (size_t i = g_set.n ? first_of(eco, package) : 0; i < g_set.n; i++) {
        const entry_t *e = &g_set.v[i];
        if (e->eco != eco || strcmp(e->package, package) != 0)
            break;
        buf_printf(&b, "%" PRIu64 ":%lld|", e->id, (long long)e->expires_at);
    }
    pthread_rwlock_unlock(&g_lock);
    if (b.len == 0) {
        memcpy(out, "0000000000000000", 17);
    } else {
        char hex[65];
        sha256_hex(b.data, b.len, hex);
        memcpy(out, hex, 16);
        out[16] = '\0';
    }
    buf_free(&b);
}

void approvals_counts(int64_t now, size_t *approvals, size_t *blocks)
{
    *approvals = *blocks = 0;
    pthread_rwlock_rdlock(&g_lock);
    for (size_t i = 0; i < g_set.n; i++) {
        const entry_t *e = &g_set.v[i];
        if (e->kind == REVIEW_BLOCK)
            (*blocks)++;
        else if (e->expires_at == TIME_NONE || now < e->expires_at)
            (*approvals)++;
    }
    pthread_rwlock_unlock(&g_lock);
}

int approvals_list(review_kind_t kind, int active_only, int eco, const char *package, const char *version,
                   int64_t now, review_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_REVIEWS, &txn, &c) != 0)
        return -1;
    size_t cap = 0;
    int ret = 0;
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_LAST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
        review_t r;
        if (review_decode(u64_from_key(k.mv_data, k.mv_size), v.mv_data, v.mv_size, &r) != 0)
            continue; /* a damaged record is skipped, not fatal: audit verify reports it */
        int keep = (r.kind & kind) && (!active_only || review_active(&r, now)) && (eco < 0 || (int)r.eco == eco) &&
                   (!package || strcmp(package, r.package) == 0) &&
                   (!version || r.version[0] == '\0' || strcmp(version, r.version) == 0);
        if (!keep) {
            review_free(&r);
            continue;
        }
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            review_t *nv = realloc(*out, ncap * sizeof(review_t));
            if (nv == NULL) {
                review_free(&r);
                ret = -1;
                break;
            }
            *out = nv;
            cap = ncap;
        }
        (*out)[(*n)++] = r;
    }
    store_cursor_end(txn, c);
    if (ret != 0) {
        reviews_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return ret;
}
