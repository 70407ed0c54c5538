/* loop: one event loop thread's state. Each thread owns an h2o context, its
 * evloop, and the queue on which fetch results come back to it. */
#ifndef CORDON_LOOP_H
#define CORDON_LOOP_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>

typedef struct cordon_loop {
    h2o_context_t ctx; /* first: a request's conn->ctx leads back here */
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t flight_receiver;
    int index;
    uint64_t next_request; /* request-id counter */
    int64_t started_ms;
} cordon_loop_t;

static inline cordon_loop_t *loop_of(h2o_req_t *req) { return (cordon_loop_t *)req->conn->ctx; }

#endif
