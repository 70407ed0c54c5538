/* metadata_batch: the caller starts fetches and sleeps on a condition
 * variable; each fetch's flight lands on the fetcher thread, which queues
 * the outcome and signals. The batch is shared by the caller and every
 * fetch it started, and freed by whichever of them lets go of it last: at
 * the deadline the caller stops waiting and lets go, and a fetch that lands
 * later only drops its outcome. */
#include "upstream/metadata_batch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int metadata_want_copy(metadata_want_t *w, const char *key, const char *url, const char *accept,
                       metadata_ingest_fn ingest)
{
    w->key = strdup(key);
    w->url = strdup(url);
    w->accept = accept;
    w->ingest = ingest;
    w->artifact = NULL;
    w->check = NULL;
    if (w->key && w->url)
        return 0;
    metadata_want_clear(w);
    return -1;
}

void metadata_want_clear(metadata_want_t *w)
{
    free((char *)w->key);
    free((char *)w->url);
    w->key = w->url = NULL;
}

typedef struct batch batch_t;

/* one started fetch; queued on the batch once it landed */
typedef struct ticket {
    batch_t *b;
    size_t i;
    flight_outcome_t out;
    struct ticket *next;
} ticket_t;

struct batch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs;      /* the caller, while it waits, and each fetch that has not landed */
    int abandoned; /* the caller stopped waiting: outcomes are dropped */
    ticket_t *head, *tail;
};

static void batch_free(batch_t *b)
{
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

/* on the thread that lands the flight */
static void on_landed(void *arg, const flight_outcome_t *out)
{
    ticket_t *t = arg;
    batch_t *b = t->b;
    pthread_mutex_lock(&b->mu);
    int keep = !b->abandoned;
    if (keep) {
        t->out = *out;
        t->out.body = NULL; /* relayed bodies are not metadata: never kept */
        t->out.body_len = 0;
        t->next = NULL;
        if (b->tail)
            b->tail->next = t;
        else
            b->head = t;
        b->tail = t;
        pthread_cond_signal(&b->cv);
    }
    int last = --b->refs == 0;
    pthread_mutex_unlock(&b->mu);
    if (!keep)
        free(t);
    if (last)
        batch_free(b);
}

static struct timespec deadline_after(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static int passed(const struct timespec *d)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > d->tv_sec || (now.tv_sec == d->tv_sec && now.tv_nsec >= d->tv_nsec);
}

void metadata_fetch_batch(const metadata_want_t *want, size_t n, unsigned parallel, int64_t wait_ms,
                          metadata_landed_fn landed, void *arg, metadata_batch_result_t *res)
{
    memset(res, 0, sizeof(*res));
    if (n == 0)
        return;
    batch_t *b = calloc(1, sizeof(*b));
    pthread_condattr_t ca;
    if (b == NULL || pthread_condattr_init(&ca) != 0) {
        free(b);
        res->unstarted = n;
        return;
    }
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, &ca);
    pthread_condattr_destroy(&ca);
    b->refs = 1;
    if (parallel == 0)
        parallel = 1;
    struct timespec deadline = deadline_after(wait_ms > 0 ? wait_ms : 0);
    size_t next = 0;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        /* start fetches up to the limit; unlocked, since a flight may land at once (on this thread) */
        while (next < n && (unsigned)(b->refs - 1) < parallel && !passed(&deadline)) {
            ticket_t *t = calloc(1, sizeof(*t));
            if (t == NULL)
                break;
            t->b = b;
            t->i = next++;
            b->refs++;
            pthread_mutex_unlock(&b->mu);
            const metadata_want_t *w = &want[t->i];
            if (w->artifact)
                artifact_fetch_notify(w->key, w->url, w->artifact, w->check, on_landed, t);
            else
                metadata_fetch_notify(w->key, w->url, w->accept, w->ingest, on_landed, t);
            pthread_mutex_lock(&b->mu);
        }
        /* hand what landed to the caller's function, unlocked */
        while (b->head) {
            ticket_t *t = b->head;
            b->head = t->next;
            if (b->head == NULL)
                b->tail = NULL;
            pthread_mutex_unlock(&b->mu);
            landed(arg, t->i, &t->out);
            res->landed++;
            free(t);
            pthread_mutex_lock(&b->mu);
        }
        if ((next == n && b->refs == 1) || passed(&deadline))
            break;
        if (b->refs == 1 && next < n)
            continue; /* nothing running (a ticket could not be allocated): try to start again */
        pthread_cond_timedwait(&b->cv, &b->mu, &deadline);
    }
    /* outcomes queued by now still count; later ones are dropped by on_landed */
    b->abandoned = 1;
    ticket_t *late = b->head;
    b->head = b->tail = NULL;
    res->unfinished = (size_t)(b->refs - 1);
    res->unstarted = n - next;
    for (size_t i = next; i < n; i++) /* never started: their checks are still the batch's */
        if (want[i].check)
            want[i].check->free(want[i].check);
    int last = --b->refs == 0;
    pthread_mutex_unlock(&b->mu);
    if (last)
        batch_free(b);
    while (late) {
        ticket_t *t = late;
        late = t->next;
        landed(arg, t->i, &t->out);
        res->landed++;
        free(t);
    }
}
