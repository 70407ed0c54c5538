/* takedown: the removals upstream made (see takedown.h). A record is a
 * format byte, the removal time and the digest of the last document that
 * listed the name (store/record.h's layout). */
#include "intel/takedown.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "store/record.h"
#include "store/store.h"

enum { FMT_TAKEDOWN = 1 };

static atomic_uint_fast64_t g_noted;

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* a sorted copy of the names (the strings are not copied); NULL when out of memory */
static const char **sorted(const char *const *names, size_t n)
{
    const char **s = malloc((n ? n : 1) * sizeof(*s));
    if (s == NULL)
        return NULL;
    if (n)
        memcpy(s, names, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_str);
    return s;
}

static int in_sorted(const char **s, size_t n, const char *name)
{
    return bsearch(&name, s, n, sizeof(*s), cmp_str) != NULL;
}

static int decode(const MDB_val *v, takedown_t *out)
{
    rec_reader_t r;
    rec_reader_init(&r, v->mv_data, v->mv_size);
    if (r.end - r.p < 1 || r.p[0] != FMT_TAKEDOWN)
        return -1;
    r.p++;
    out->removed_at = rec_get_i64(&r);
    char *digest = rec_get_str(&r);
    if (r.err || digest == NULL) {
        free(digest);
        return -1;
    }
    snprintf(out->prev_digest, sizeof(out->prev_digest), "%s", digest);
    free(digest);
    out->file = r.p < r.end ? (int)rec_get_i64(&r) : 0;
    return r.err ? -1 : 0;
}

/* records name removed unless it already is */
static int put_removed(MDB_txn *txn, takedown_doc_t *d, const char *name, int file)
{
    char key[1024];
    size_t klen = version_key(key, sizeof(key), eco_name(d->eco), d->package, name);
    if (klen == 0)
        return 0;
    MDB_val k = {klen, key}, v;
    if (mdb_get(txn, store_dbi(DB_REMOVED), &k, &v) == 0)
        return 0; /* the first removal's time and document stand */
    buf_t b;
    buf_init(&b);
    buf_putc(&b, FMT_TAKEDOWN);
    rec_put_i64(&b, d->now);
    rec_put_str(&b, d->prev_digest ? d->prev_digest : "");
    rec_put_i64(&b, file);
    int rc = b.oom ? ENOMEM : 0;
    if (rc == 0) {
        MDB_val val = {b.len, b.data};
        rc = mdb_put(txn, store_dbi(DB_REMOVED), &k, &val, 0);
    }
    buf_free(&b);
    if (rc == 0)
        d->removed++;
    return rc;
}

/* the names under prefix (eco\0package\0) in db: fn(name) for each */
static int walk_prefix(MDB_txn *txn, store_db_t db, const char *prefix, size_t plen,
                       int (*fn)(MDB_txn *, takedown_doc_t *, const char *, void *), takedown_doc_t *d, void *arg)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, store_dbi(db), &c);
    if (rc != 0)
        return rc;
    MDB_val k = {plen, (void *)prefix}, v;
    char name[512];
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        size_t n = k.mv_size - plen;
        if (n == 0 || n >= sizeof(name))
            continue;
        memcpy(name, (const char *)k.mv_data + plen, n);
        name[n] = '\0';
        if ((rc = fn(txn, d, name, arg)) != 0)
            break;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

typedef struct listing {
    const char **listed;
    size_t nlisted;
    char (*relist)[512]; /* takedowns to lift, gathered during the walk (no writes under a cursor) */
    size_t nrelist, cap;
} listing_t;

static int note_earlier(MDB_txn *txn, takedown_doc_t *d, const char *name, void *arg)
{
    listing_t *l = arg;
    int rc = in_sorted(l->listed, l->nlisted, name) ? 0 : put_removed(txn, d, name, d->names_are_files);
    char other[512];
    if (rc == 0 && d->also && d->also(name, other, sizeof(other), d->also_arg) == 0 &&
        !in_sorted(l->listed, l->nlisted, other))
        rc = put_removed(txn, d, other, 0);
    return rc;
}

static int gather_relisted(MDB_txn *txn, takedown_doc_t *d, const char *name, void *arg)
{
    (void)txn;
    (void)d;
    listing_t *l = arg;
    if (!in_sorted(l->listed, l->nlisted, name))
        return 0;
    if (l->nrelist == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        void *p = realloc(l->relist, cap * sizeof(*l->relist));
        if (p == NULL)
            return ENOMEM;
        l->relist = p;
        l->cap = cap;
    }
    snprintf(l->relist[l->nrelist++], sizeof(*l->relist), "%s", name);
    return 0;
}

int takedown_note(MDB_txn *txn, takedown_doc_t *d)
{
    d->removed = d->relisted = 0;
    char prefix[1024];
    size_t plen = version_key(prefix, sizeof(prefix), eco_name(d->eco), d->package, "");
    if (plen == 0)
        return 0;
    listing_t l = {.listed = sorted(d->listed, d->nlisted), .nlisted = d->nlisted};
    if (l.listed == NULL)
        return ENOMEM;
    int rc = 0;
    if (d->earlier == NULL)
        rc = walk_prefix(txn, DB_VERSIONS, prefix, plen, note_earlier, d, &l);
    else
        for (size_t i = 0; i < d->nearlier && rc == 0; i++)
            rc = note_earlier(txn, d, d->earlier[i], &l);
    if (rc == 0)
        rc = walk_prefix(txn, DB_REMOVED, prefix, plen, gather_relisted, d, &l);
    for (size_t i = 0; i < l.nrelist && rc == 0; i++) {
        char key[1024];
        size_t klen = version_key(key, sizeof(key), eco_name(d->eco), d->package, l.relist[i]);
        MDB_val k = {klen, key};
        rc = mdb_del(txn, store_dbi(DB_REMOVED), &k, NULL);
        if (rc == 0)
            d->relisted++;
    }
    free(l.relist);
    free(l.listed);
    if (rc == 0 && d->removed)
        atomic_fetch_add(&g_noted, d->removed);
    return rc;
}

static int note_txn(MDB_txn *txn, void *arg) { return takedown_note(txn, arg); }

int takedown_note_write(takedown_doc_t *d, char *err, size_t errlen)
{
    return store_write(note_txn, d, err, errlen) == STORE_OK ? 0 : -1;
}

void takedown_log(const takedown_doc_t *d)
{
    char n[24];
    if (d->removed) {
        snprintf(n, sizeof(n), "%u", d->removed);
        log_kv(LOG_WARN, "upstream no longer lists what it listed before: no longer served (removed_upstream)",
               "ecosystem", eco_name(d->eco), "package", d->package, "removed", n, NULL);
    }
    if (d->relisted) {
        snprintf(n, sizeof(n), "%u", d->relisted);
        log_kv(LOG_INFO, "upstream lists again what it had removed", "ecosystem", eco_name(d->eco), "package",
               d->package, "relisted", n, NULL);
    }
}

int takedown_get(MDB_txn *txn, eco_id_t eco, const char *package, const char *name, takedown_t *out)
{
    char key[1024];
    size_t klen = version_key(key, sizeof(key), eco_name(eco), package, name);
    MDB_val k = {klen, key}, v;
    if (klen == 0 || mdb_get(txn, store_dbi(DB_REMOVED), &k, &v) != 0)
        return 0;
    return decode(&v, out) == 0;
}

int takedown_lookup(eco_id_t eco, const char *package, const char *name, takedown_t *out)
{
    MDB_txn *txn;
    if (!store_is_open() || store_read_begin(&txn) != 0)
        return 0;
    int found = takedown_get(txn, eco, package, name, out);
    store_read_end(txn);
    return found;
}

int takedown_walk(int eco, const char *package, takedown_walk_fn fn, void *arg)
{
    MDB_txn *txn;
    MDB_cursor *c;
    if (!store_is_open() || store_cursor_begin(DB_REMOVED, &txn, &c) != 0)
        return -1;
    char prefix[1024] = "";
    size_t plen = 0;
    if (eco >= 0)
        plen = package ? version_key(prefix, sizeof(prefix), eco_name((eco_id_t)eco), package, "")
                       : strlen(eco_name((eco_id_t)eco)) + 1;
    if (eco >= 0 && !package)
        memcpy(prefix, eco_name((eco_id_t)eco), plen); /* with its '\0' */
    MDB_val k = {plen, prefix}, v;
    int rc = plen ? mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(c, &k, &v, MDB_FIRST);
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        /* eco \0 package \0 name */
        const char *p = k.mv_data, *end = p + k.mv_size;
        const char *z1 = memchr(p, '\0', (size_t)(end - p));
        const char *z2 = z1 ? memchr(z1 + 1, '\0', (size_t)(end - z1 - 1)) : NULL;
        takedown_t t;
        if (z2 == NULL || decode(&v, &t) != 0)
            continue;
        int id = eco_from_name(p, (size_t)(z1 - p));
        char pkg[512], name[512];
        size_t pn = (size_t)(z2 - z1 - 1), nn = (size_t)(end - z2 - 1);
        if (id < 0 || pn >= sizeof(pkg) || nn >= sizeof(name))
            continue;
        memcpy(pkg, z1 + 1, pn);
        pkg[pn] = '\0';
        memcpy(name, z2 + 1, nn);
        name[nn] = '\0';
        if (fn(arg, (eco_id_t)id, pkg, name, &t))
            break;
    }
    store_cursor_end(txn, c);
    return 0;
}

uint64_t takedown_noted(void) { return atomic_load(&g_noted); }

static int count_one(void *arg, eco_id_t eco, const char *package, const char *name, const takedown_t *t)
{
    (void)package;
    (void)name;
    (void)t;
    ((uint64_t *)arg)[eco]++;
    return 0;
}

void takedown_status_json(buf_t *out)
{
    uint64_t n[ECO_COUNT] = {0};
    takedown_walk(-1, NULL, count_one, n);
    buf_puts(out, ",\"takedowns\":{");
    for (eco_id_t e = 0; e < ECO_COUNT; e++)
        buf_printf(out, "%s\"%s\":%llu", e ? "," : "", eco_name(e), (unsigned long long)n[e]);
    buf_putc(out, '}');
}

void takedown_metrics(const config_t *cfg, buf_t *out)
{
    (void)cfg;
    uint64_t n[ECO_COUNT] = {0};
    takedown_walk(-1, NULL, count_one, n);
    buf_printf(out, "# HELP cordon_intel_takedowns Versions (and files of versions) upstream no longer lists\n"
                    "# TYPE cordon_intel_takedowns gauge\n");
    for (eco_id_t e = 0; e < ECO_COUNT; e++)
        buf_printf(out, "cordon_intel_takedowns{ecosystem=\"%s\"} %llu\n", eco_name(e), (unsigned long long)n[e]);
    buf_printf(out, "# HELP cordon_intel_takedowns_noted_total Removals recorded since start\n"
                    "# TYPE cordon_intel_takedowns_noted_total counter\n"
                    "cordon_intel_takedowns_noted_total %llu\n",
               (unsigned long long)takedown_noted());
}
