/* loop: one event loop thread's state. Each thread owns an h2o context, its
 * evloop, and the queue on which other threads hand it work: fetch results
 * (the flight receiver) and anything posted with loop_post. */
#ifndef CORDON_LOOP_H
#define CORDON_LOOP_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>

typedef struct cordon_loop {
    h2o_context_t ctx; /* first: a request's conn->ctx leads back here */
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t flight_receiver;
    h2o_multithread_receiver_t post_receiver; /* loop_post */
    int index;
    uint64_t next_request; /* request-id counter */
    int64_t started_ms;
} cordon_loop_t;

static inline cordon_loop_t *loop_of(h2o_req_t *req) { return (cordon_loop_t *)req->conn->ctx; }

/* ---- handing results back to a loop ---- */

/* A message for one loop: fn(msg) runs on that loop's thread and owns msg
 * from then on. Embed it first in what is handed over. */
typedef struct loop_msg loop_msg_t;
struct loop_msg {
    h2o_multithread_message_t super;
    void (*fn)(loop_msg_t *msg);
};
/* from any thread; the loop runs msg->fn at its next round */
void loop_post(cordon_loop_t *loop, loop_msg_t *msg);
/* the receiver callback of post_receiver (listener.c registers it) */
void loop_on_posts(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);
/* sets up post_receiver on loop's queue (listener.c, tests) */
void loop_init_posts(cordon_loop_t *loop);

/* A reply to a request, made on its loop before the work is handed to
 * another thread, and posted from that thread exactly once when the work is
 * done: fn then runs on the request's loop with the request, or with NULL
 * when the request was disposed meanwhile (the client went away). fn owns
 * arg either way. */
typedef struct loop_reply loop_reply_t;
typedef void (*loop_reply_fn)(h2o_req_t *req, void *arg);
loop_reply_t *loop_reply_new(h2o_req_t *req, loop_reply_fn fn, void *arg);
void loop_reply_post(loop_reply_t *r);

#endif
