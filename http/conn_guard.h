/* conn_guard: bounded memory under hostile load, below h2o. It owns the
 * connection cap (limits.max_connections, enforced at accept: a connection
 * over it is answered 503 and closed) and the request-body guard: every
 * HTTP/1 request head is judged (body_limits) before h2o reads the body it
 * announces, so a route that takes no body, a body over its route's limit,
 * a lockfile without a token that may submit it, or a large body past
 * limits.max_large_bodies is refused from the head, unread. The router
 * gives the answer (conn_guard_take). */
#ifndef CORDON_CONN_GUARD_H
#define CORDON_CONN_GUARD_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>

#include "http/body_limits.h"

/* Learns h2o's HTTP/1 request reader on ctx (a loop whose thread has not
 * started: it runs that loop briefly) and sets ctx's own copy of the global
 * configuration to the small body limit. 0, or -1 when the guard cannot
 * work (then bodies are judged only once read; logged). */
int conn_guard_init(h2o_context_t *ctx);
/* the check a lockfile submission's Authorization header must pass before
 * its body is read (the admin API's token check); set before serving */
typedef int (*conn_guard_auth_fn)(const char *authorization, size_t len);
void conn_guard_set_lockfile_auth(conn_guard_auth_fn fn);
/* hands an accepted socket to h2o, or refuses it (over the cap) */
void conn_guard_accept(h2o_accept_ctx_t *actx, h2o_socket_t *sock);
/* What the guard decided about this request's body: BODY_ADMIT, or the
 * refusal the router answers (length: the size the head announced, or
 * BODY_CHUNKED). Once per request: it also ends the request's hold on a
 * large-body slot (the body is complete when a handler sees it). */
body_verdict_t conn_guard_take(h2o_req_t *req, int64_t *length);
/* counts a refusal the router made itself (a body over its route's limit
 * that h2o had read: HTTP/2) */
void conn_guard_count(body_verdict_t v);

typedef struct conn_guard_stats {
    uint64_t open, refused, large_receiving;
    uint64_t bodies_refused[BODY_VERDICT_COUNT];
} conn_guard_stats_t;
void conn_guard_stats(conn_guard_stats_t *out);

#endif
