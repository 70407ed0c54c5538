/* flight: single-flight for upstream work. The first request for a key
 * becomes the leader and starts the work; concurrent requests for the same
 * key (from any event loop) wait on the same flight. When the work lands,
 * every waiter is resumed on its own loop's thread through h2o's multithread
 * queue; a waiter whose client went away is dropped silently. */
#ifndef CORDON_FLIGHT_H
#define CORDON_FLIGHT_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

typedef struct flight_outcome {
    int status;       /* 0 = the work succeeded; otherwise the HTTP status to answer */
    char reason[32];  /* machine-readable reason (e.g. integrity_mismatch), or "" */
    char error[480];  /* one line for people */
    /* an upstream answer relayed as is (read-only POSTs); each waiter gets
     * its own copy, freed after its resume returns */
    int upstream_status;
    char content_type[64];
    char *body;
    size_t body_len;
} flight_outcome_t;

typedef void (*flight_resume_fn)(h2o_req_t *req, void *arg, const flight_outcome_t *out);

/* Joins (or starts) the flight for key. Returns 1 when the caller is the
 * leader and must start the work, which ends with flight_land(key, …).
 * arg must live as long as req (allocate it from req->pool). req NULL
 * joins without waiting (a prefetch): 1 when the caller must start the work. */
int flight_join(const char *key, h2o_req_t *req, h2o_multithread_receiver_t *receiver, flight_resume_fn fn,
                void *arg);
/* A waiter that is no request (a lockfile check's worker thread): called
 * with the outcome on the thread that lands the flight, so it must only
 * hand the outcome over (copy it, signal), never block or do the work. */
typedef void (*flight_notify_fn)(void *arg, const flight_outcome_t *out);
/* Joins (or starts) the flight for key with such a waiter; arg must live
 * until fn was called. Returns 1 when the caller is the leader and must
 * start the work. */
int flight_join_notify(const char *key, flight_notify_fn fn, void *arg);
/* Ends the flight for key (any thread): wakes every waiter with out. */
void flight_land(const char *key, const flight_outcome_t *out);
/* Each event loop registers this as its receiver callback. */
void flight_on_messages(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);
/* number of flights in progress (metrics, tests) */
size_t flight_count(void);

#endif
