/* flight: a mutex-protected table of in-progress keys, each with its list of
 * waiting requests. The table is small (one entry per upstream fetch in
 * progress), so a linked list is enough. Flights and waiters are small
 * fixed-size allocations (xalloc); a relayed body is as large as upstream
 * made it, so each waiter's copy is checked and dropped when it fails. */
#include "upstream/flight.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

typedef struct waiter waiter_t;

/* lives in the request's pool; tells the waiter when the request is gone */
typedef struct req_guard {
    waiter_t *waiter;
} req_guard_t;

struct waiter {
    h2o_multithread_message_t super; /* first: the message is the waiter */
    h2o_multithread_receiver_t *receiver;
    h2o_req_t *req; /* NULL once the request was disposed */
    req_guard_t *guard;
    flight_resume_fn fn;
    flight_notify_fn notify; /* a waiter that is no request: called where the flight lands */
    void *arg;
    flight_outcome_t out;
    waiter_t *next;
};

typedef struct flight {
    char *key;
    waiter_t *waiters;
    struct flight *next;
} flight_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static flight_t *g_flights;

static void on_guard_dispose(void *p)
{
    req_guard_t *g = p;
    /* runs on the request's loop thread, as do deliveries: no race */
    if (g->waiter)
        g->waiter->req = NULL;
}

/* adds w (NULL: nobody waits) to the flight for key; 1 when it is new */
static int join(const char *key, waiter_t *w)
{
    int leader = 0;
    pthread_mutex_lock(&g_lock);
    flight_t *f;
    for (f = g_flights; f; f = f->next)
        if (strcmp(f->key, key) == 0)
            break;
    if (f == NULL) {
        f = xcalloc(1, sizeof(*f));
        f->key = xstrdup(key);
        f->next = g_flights;
        g_flights = f;
        leader = 1;
    }
    if (w) {
        w->next = f->waiters;
        f->waiters = w;
    }
    pthread_mutex_unlock(&g_lock);
    return leader;
}

int flight_join(const char *key, h2o_req_t *req, h2o_multithread_receiver_t *receiver, flight_resume_fn fn,
                void *arg)
{
    waiter_t *w = NULL;
    if (req != NULL) { /* NULL: work nobody waits for (a prefetch) */
        w = xcalloc(1, sizeof(*w));
        req_guard_t *g = h2o_mem_alloc_shared(&req->pool, sizeof(*g), on_guard_dispose);
        g->waiter = w;
        w->receiver = receiver;
        w->req = req;
        w->guard = g;
        w->fn = fn;
        w->arg = arg;
    }
    return join(key, w);
}

int flight_join_notify(const char *key, flight_notify_fn fn, void *arg)
{
    waiter_t *w = xcalloc(1, sizeof(*w));
    w->notify = fn;
    w->arg = arg;
    return join(key, w);
}

void flight_land(const char *key, const flight_outcome_t *out)
{
    pthread_mutex_lock(&g_lock);
    flight_t **pp = &g_flights, *f = NULL;
    for (; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->key, key) == 0) {
            f = *pp;
            *pp = f->next;
            break;
        }
    }
    pthread_mutex_unlock(&g_lock);
    if (f == NULL)
        return;
    for (waiter_t *w = f->waiters, *next; w; w = next) {
        next = w->next;
        if (w->notify) {
            w->notify(w->arg, out);
            free(w);
            continue;
        }
        w->out = *out;
        w->out.body = NULL;
        if (out->body && out->body_len) {
            w->out.body = malloc(out->body_len);
            if (w->out.body)
                memcpy(w->out.body, out->body, out->body_len);
            else
                w->out.body_len = 0;
        }
        h2o_multithread_send_message(w->receiver, &w->super);
    }
    free(f->key);
    free(f);
}

void flight_on_messages(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    while (!h2o_linklist_is_empty(messages)) {
        waiter_t *w = H2O_STRUCT_FROM_MEMBER(waiter_t, super.link, messages->next);
        h2o_linklist_unlink(&w->super.link);
        if (w->req != NULL) {
            w->guard->waiter = NULL;
            w->fn(w->req, w->arg, &w->out);
        }
        free(w->out.body);
        free(w);
    }
}

size_t flight_count(void)
{
    size_t n = 0;
    pthread_mutex_lock(&g_lock);
    for (flight_t *f = g_flights; f; f = f->next)
        n++;
    pthread_mutex_unlock(&g_lock);
    return n;
}
