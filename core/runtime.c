/* runtime: the current configuration, the replaced ones still read, and
 * the reader threads' epochs (see runtime.h).
 *
 * g_epoch counts replacements. A reader's slot holds the epoch it saw at
 * its last quiescent point (OFFLINE while it waits without reading). A
 * configuration replaced at epoch E is freed once its count is zero and
 * every slot holds E or more: each reader has since gone through a point
 * where it held nothing borrowed, and anything it reads after that point
 * loads the newer pointer (all atomics are sequentially consistent: the
 * swap, then the epoch, then the slots are read; a reader stores its slot,
 * then loads the pointer). Counts, the list of replaced configurations and
 * the slots are changed under g_lock; freeing happens where a count drops,
 * at a publication, and at quiescent points while something waits. */
#include "core/runtime.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/xalloc.h"

#define OFFLINE UINT64_MAX

typedef struct reader {
    _Atomic uint64_t seen; /* epoch at the last quiescent point, or OFFLINE */
    struct reader *next;
} reader_t;

typedef struct live {
    config_t *cfg;
    int owned;            /* freed with the record (runtime_publish) */
    int refs;             /* runtime_acquire counts, under g_lock */
    uint64_t replaced_at; /* the epoch its replacement started; 0 while current */
    struct live *next;    /* in g_replaced */
} live_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(live_t *) g_current;
static live_t *g_replaced; /* newest first, under g_lock */
static atomic_size_t g_nreplaced;
static _Atomic uint64_t g_epoch = 1;
static reader_t *g_readers; /* under g_lock */
static atomic_int g_nreaders;
static atomic_int g_owned; /* the current configuration is the server's (runtime_publish) */
static _Thread_local reader_t *t_reader;
static _Thread_local const config_t *t_used;

#ifndef NDEBUG
static void misuse(void)
{
    fprintf(stderr, "cordon: runtime_config() on a thread that neither reads (runtime_reader_register) nor holds "
                    "(runtime_use) while the configuration may be replaced (core/runtime.h)\n");
    abort();
}
#endif

const config_t *runtime_config(void)
{
    if (t_used)
        return t_used;
#ifndef NDEBUG
    if (t_reader == NULL && atomic_load(&g_owned) && atomic_load(&g_nreaders) > 0)
        misuse();
#endif
    live_t *l = atomic_load(&g_current);
    return l ? l->cfg : NULL;
}

static void live_free(live_t *l)
{
    if (l->owned) {
        config_free(l->cfg);
        free(l->cfg);
    }
    free(l);
}

/* frees each replaced configuration nobody can read any more */
static void reclaim_locked(void)
{
    uint64_t oldest = OFFLINE;
    for (reader_t *r = g_readers; r; r = r->next) {
        uint64_t s = atomic_load(&r->seen);
        if (s < oldest)
            oldest = s;
    }
    for (live_t **pp = &g_replaced; *pp;) {
        live_t *l = *pp;
        if (l->refs == 0 && l->replaced_at <= oldest) {
            *pp = l->next;
            atomic_fetch_sub(&g_nreplaced, 1);
            live_free(l);
        } else {
            pp = &l->next;
        }
    }
}

static void publish(config_t *cfg, int owned)
{
    live_t *l = xcalloc(1, sizeof(*l));
    l->cfg = cfg;
    l->owned = owned;
    pthread_mutex_lock(&g_lock);
    live_t *old = atomic_exchange(&g_current, l);
    atomic_store(&g_owned, owned);
    if (old) {
        old->replaced_at = atomic_fetch_add(&g_epoch, 1) + 1;
        old->next = g_replaced;
        g_replaced = old;
        atomic_fetch_add(&g_nreplaced, 1);
    }
    reclaim_locked();
    pthread_mutex_unlock(&g_lock);
}

void runtime_publish(config_t *cfg) { publish(cfg, 1); }
void runtime_set_config(config_t *cfg) { publish(cfg, 0); }

static live_t *find_locked(const config_t *cfg)
{
    live_t *cur = atomic_load(&g_current);
    if (cur && cur->cfg == cfg)
        return cur;
    for (live_t *l = g_replaced; l; l = l->next)
        if (l->cfg == cfg)
            return l;
    return NULL;
}

const config_t *runtime_acquire(void)
{
    pthread_mutex_lock(&g_lock);
    live_t *cur = atomic_load(&g_current);
    const config_t *cfg = t_used ? t_used : cur ? cur->cfg : NULL;
    live_t *l = cfg ? find_locked(cfg) : NULL;
    if (l)
        l->refs++;
    pthread_mutex_unlock(&g_lock);
    return cfg;
}

void runtime_release(const config_t *cfg)
{
    if (cfg == NULL)
        return;
    pthread_mutex_lock(&g_lock);
    live_t *l = find_locked(cfg);
    if (l && l->refs > 0 && --l->refs == 0 && l->replaced_at)
        reclaim_locked();
    pthread_mutex_unlock(&g_lock);
}

void runtime_use(const config_t *cfg) { t_used = cfg; }

void runtime_reader_register(void)
{
    if (t_reader)
        return;
    reader_t *r = xcalloc(1, sizeof(*r));
    pthread_mutex_lock(&g_lock);
    atomic_store(&r->seen, atomic_load(&g_epoch));
    r->next = g_readers;
    g_readers = r;
    atomic_fetch_add(&g_nreaders, 1);
    pthread_mutex_unlock(&g_lock);
    t_reader = r;
}

void runtime_reader_unregister(void)
{
    reader_t *r = t_reader;
    if (r == NULL)
        return;
    pthread_mutex_lock(&g_lock);
    for (reader_t **pp = &g_readers; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    atomic_fetch_sub(&g_nreaders, 1);
    reclaim_locked(); /* it may have been the one everything waited for */
    pthread_mutex_unlock(&g_lock);
    free(r);
    t_reader = NULL;
}

void runtime_quiescent(void)
{
    reader_t *r = t_reader;
    if (r == NULL)
        return;
    atomic_store(&r->seen, atomic_load(&g_epoch));
    if (atomic_load(&g_nreplaced) > 0 && pthread_mutex_trylock(&g_lock) == 0) {
        reclaim_locked();
        pthread_mutex_unlock(&g_lock);
    }
}

void runtime_reader_offline(void)
{
    if (t_reader)
        atomic_store(&t_reader->seen, OFFLINE);
}

void runtime_reader_online(void)
{
    if (t_reader)
        atomic_store(&t_reader->seen, atomic_load(&g_epoch));
}

size_t runtime_configs_live(void)
{
    pthread_mutex_lock(&g_lock);
    size_t n = (atomic_load(&g_current) ? 1 : 0) + atomic_load(&g_nreplaced);
    pthread_mutex_unlock(&g_lock);
    return n;
}

void runtime_shutdown(void)
{
    pthread_mutex_lock(&g_lock);
    while (g_replaced) {
        live_t *l = g_replaced;
        g_replaced = l->next;
        live_free(l);
    }
    atomic_store(&g_nreplaced, 0);
    live_t *cur = atomic_exchange(&g_current, NULL);
    if (cur)
        live_free(cur);
    atomic_store(&g_owned, 0);
    pthread_mutex_unlock(&g_lock);
}
