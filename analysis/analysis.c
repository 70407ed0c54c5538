/* analysis: popular set, cached name checks, served counts (see
 * analysis.h).
 *
 * The current popular set is swapped under a rwlock; every swap bumps a
 * generation, and each thread keeps a small cache of name verdicts tagged
 * with the generation they were computed under (a filter asks about the
 * same name thousands of times in a row). */
#include "analysis/analysis.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/established.h"
#include "analysis/typosquat.h"
#include "store/store.h"
#include "common/timeutil.h"

static pthread_rwlock_t g_lock = PTHREAD_RWLOCK_INITIALIZER;
static popular_set_t *g_set;
static atomic_uint_fast64_t g_generation = 1;
static char *g_file;        /* the configured popular_file (owned) */
static int g_served_top;    /* popular_served */
static int64_t g_built_at;  /* when the served part was last read */
static pthread_mutex_t g_build_lock = PTHREAD_MUTEX_INITIALIZER;

#define SERVED_MIN 25

typedef struct served {
    eco_id_t eco;
    char *name;
    uint64_t count;
} served_t;

static int served_cmp(const void *a, const void *b)
{
    const served_t *x = a, *y = b;
    return x->count == y->count ? strcmp(x->name, y->name) : (x->count > y->count ? -1 : 1);
}

/* the top n of each ecosystem from DB_SERVED */
static void add_served(popular_set_t *s, int n)
{
    MDB_txn *txn;
    if (n <= 0 || !store_is_open() || store_read_begin(&txn) != 0)
        return;
    MDB_cursor *c;
    served_t *all = NULL;
    size_t nall = 0, cap = 0;
    if (mdb_cursor_open(txn, store_dbi(DB_SERVED), &c) == 0) {
        MDB_val k, v;
        for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            const char *key = k.mv_data;
            const char *nul = memchr(key, '\0', k.mv_size);
            int eco = nul ? eco_from_name(key, (size_t)(nul - key)) : -1;
            if (eco < 0 || v.mv_size != 8)
                continue;
            if (nall == cap) {
                cap = cap ? cap * 2 : 256;
                served_t *nv = realloc(all, cap * sizeof(*nv));
                if (nv == NULL)
                    break;
                all = nv;
            }
            uint64_t cnt;
            memcpy(&cnt, v.mv_data, 8);
            all[nall].eco = (eco_id_t)eco;
            all[nall].name = strndup(nul + 1, k.mv_size - (size_t)(nul + 1 - key));
            all[nall].count = cnt;
            if (all[nall].name)
                nall++;
        }
        mdb_cursor_close(c);
    }
    store_read_end(txn);
    if (nall > 1)
        qsort(all, nall, sizeof(*all), served_cmp);
    /* a package served a handful of times says nothing about popularity
     * (and would make its own neighbours look like squats of it) */
    int taken[ECO_COUNT] = {0};
    for (size_t i = 0; i < nall; i++) {
        if (taken[all[i].eco] < n && all[i].count >= SERVED_MIN) {
            popular_set_add(s, all[i].eco, all[i].name);
            taken[all[i].eco]++;
        }
        free(all[i].name);
    }
    free(all);
}

static int build(const char *file, int served_top, char *err, size_t errlen)
{
    popular_set_t *s = popular_set_new(1);
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (file && popular_set_load_file(s, file, err, errlen) != 0) {
        popular_set_free(s);
        return -1;
    }
    add_served(s, served_top);
    pthread_rwlock_wrlock(&g_lock);
    popular_set_t *old = g_set;
    g_set = s;
    atomic_fetch_add(&g_generation, 1);
    pthread_rwlock_unlock(&g_lock);
    popular_set_free(old);
    g_built_at = time_now_ms();
    return 0;
}

int analysis_configure(const config_t *cfg, char *err, size_t errlen)
{
    pthread_mutex_lock(&g_build_lock);
    int rc = build(cfg->analysis.popular_file, cfg->analysis.popular_served, err, errlen);
    if (rc == 0) {
        free(g_file);
        g_file = cfg->analysis.popular_file ? strdup(cfg->analysis.popular_file) : NULL;
        g_served_top = cfg->analysis.popular_served;
    }
    pthread_mutex_unlock(&g_build_lock);
    return rc;
}

void analysis_refresh(int64_t max_age_ms)
{
    if (g_set == NULL || time_now_ms() - g_built_at < max_age_ms)
        return;
    if (pthread_mutex_trylock(&g_build_lock) != 0)
        return; /* someone else is rebuilding */
    char err[300];
    if (time_now_ms() - g_built_at >= max_age_ms && build(g_file, g_served_top, err, sizeof(err)) != 0)
        g_built_at = time_now_ms(); /* the file went bad since start: keep the set, retry later */
    pthread_mutex_unlock(&g_build_lock);
}

void analysis_shutdown(void)
{
    pthread_rwlock_wrlock(&g_lock);
    popular_set_free(g_set);
    g_set = NULL;
    pthread_rwlock_unlock(&g_lock);
    free(g_file);
    g_file = NULL;
}

#define NAME_CACHE 64
typedef struct cached {
    uint64_t generation;
    eco_id_t eco;
    char name[216];
    typosquat_rule_t rule; /* TS_RULE_NONE: not a look-alike */
    char detail[FINDING_DETAIL_MAX];
} cached_t;
static _Thread_local cached_t t_cache[NAME_CACHE];

static unsigned hash_name(eco_id_t eco, const char *s)
{
    unsigned h = 2166136261u ^ (unsigned)eco;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % NAME_CACHE;
}

/* Weighs a look-alike name by the package's own history (established.h):
 * nothing for a package of an established npm scope caught only by the
 * scope rule, a capped finding (warn at most) for an established package,
 * a finding the configuration acts on for a young, small one. */
static void weigh(eco_id_t eco, const char *package, const cached_t *c, int64_t now, findings_t *out,
                  int64_t *until)
{
    package_rec_t rec;
    int have = 0, scope_ok = 0;
    MDB_txn *txn;
    if (store_is_open() && store_read_begin(&txn) == 0) {
        have = package_rec_get(txn, eco_name(eco), package, &rec) == 0;
        if (c->rule == TS_RULE_SCOPE)
            scope_ok = scope_established(txn, eco, package, now);
        store_read_end(txn);
    }
    if (scope_ok)
        return;
    char why[120];
    if (package_established(have ? &rec : NULL, now, why, sizeof(why), until)) {
        findings_add(out, FINDING_TYPOSQUAT, "%s; %s is established (%s), so this is a warning, not a hold", c->detail,
                     package, why);
        out->capped |= 1u << FINDING_TYPOSQUAT;
        return;
    }
    findings_add(out, FINDING_TYPOSQUAT, "%s", c->detail);
}

void analysis_name_findings(eco_id_t eco, const char *package, int64_t now, findings_t *out, int64_t *until)
{
    if (until)
        *until = TIME_NONE;
    if (g_set == NULL || package == NULL || strlen(package) >= sizeof(t_cache[0].name))
        return;
    uint64_t gen = atomic_load(&g_generation);
    cached_t *c = &t_cache[hash_name(eco, package)];
    if (c->generation != gen || c->eco != eco || strcmp(c->name, package) != 0) {
        char like[216], why[120];
        typosquat_rule_t rule = TS_RULE_NONE;
        pthread_rwlock_rdlock(&g_lock);
        if (g_set)
            typosquat_check(g_set, eco, package, like, sizeof(like), why, sizeof(why), &rule);
        pthread_rwlock_unlock(&g_lock);
        c->generation = gen;
        c->eco = eco;
        snprintf(c->name, sizeof(c->name), "%s", package);
        c->rule = rule;
        if (rule != TS_RULE_NONE)
            snprintf(c->detail, sizeof(c->detail), "the name looks like %s (%s)", like, why);
    }
    if (c->rule != TS_RULE_NONE)
        weigh(eco, package, c, now, out, until);
}

int analysis_count_served(MDB_txn *txn, const char *eco, const char *package)
{
    char key[600];
    size_t a = strlen(eco), b = strlen(package);
    if (a + 1 + b > 511 || b == 0)
        return 0;
    memcpy(key, eco, a);
    key[a] = '\0';
    memcpy(key + a + 1, package, b);
    MDB_val k = {a + 1 + b, key}, v;
    uint64_t n = 0;
    int rc = mdb_get(txn, store_dbi(DB_SERVED), &k, &v);
    if (rc == 0 && v.mv_size == 8)
        memcpy(&n, v.mv_data, 8);
    else if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    n++;
    MDB_val nv = {8, &n};
    return mdb_put(txn, store_dbi(DB_SERVED), &k, &nv, 0);
}
