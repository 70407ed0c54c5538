/* body_limits: which request bodies cordon reads, judged from the request
 * head alone (method, path, Content-Length or chunked) so that a body it
 * would refuse is refused before it is read. Each route takes one class of
 * body: none (every GET and HEAD, the admin page, health, metrics, the
 * ecosystem routes), small (the admin API's JSON calls and the review route:
 * BODY_SMALL_MAX), the MCP endpoint's (BODY_MCP_MAX), or large, up to
 * limits.max_body (lockfile submissions and npm's audit POSTs). A write verb on an ecosystem route is a publish:
 * refused as one (405, recorded), its body never read. The admin API's
 * classes come from its route table (admin/admin_api.c), through a hook set
 * once at start; otherwise no state: the guard below h2o (conn_guard) and
 * the router both ask it. */
#ifndef CORDON_BODY_LIMITS_H
#define CORDON_BODY_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

/* the admin API's and the review route's bodies (and HTTP/2's, see conn_guard) */
#define BODY_SMALL_MAX (64 * 1024)
/* a message to the MCP endpoint (/-/mcp): check_lockfile carries a whole
 * lockfile inside it; limits.max_body if smaller */
#define BODY_MCP_MAX (16 * 1024 * 1024)
/* a body whose length the head does not say (Transfer-Encoding: chunked) */
#define BODY_CHUNKED (-1)

typedef enum {
    BODY_ROUTE_NONE,     /* takes no body */
    BODY_ROUTE_PUBLISH,  /* an ecosystem write verb: 405 publish_forbidden, body unread */
    BODY_ROUTE_SMALL,    /* admin API JSON calls, POST /-/api/reviews */
    BODY_ROUTE_LOCKFILE, /* POST /-/api/lockfiles/P: large, with a token that may submit */
    BODY_ROUTE_RELAY,    /* npm audit POSTs, forwarded upstream: large */
    BODY_ROUTE_MCP,      /* POST /-/mcp: up to BODY_MCP_MAX, no token */
} body_route_t;

typedef enum {
    BODY_ADMIT = 0,        /* read it (within the small limit, or no body at all) */
    BODY_ADMIT_LARGE,      /* read it, above the small limit: one of limits.max_large_bodies */
    BODY_REFUSE_NONE,      /* 413 body_not_allowed: the route takes no body */
    BODY_REFUSE_PUBLISH,   /* 405 publish_forbidden, as every publish */
    BODY_REFUSE_SIZE,      /* 413 too_large: over the route's limit */
    BODY_REFUSE_LENGTH,    /* 411 length_required: chunked where a small body is taken */
    BODY_REFUSE_AUTH,      /* no token that may submit lockfiles: the API's 401/403 */
    BODY_REFUSE_BUSY,      /* 503 busy: limits.max_large_bodies are being received */
    BODY_VERDICT_COUNT
} body_verdict_t;

/* the route a request head names; path is the raw request target (a query
 * is ignored); cfg says which ecosystems relay (their upstream is set) */
body_route_t body_route(const config_t *cfg, const char *method, size_t mlen, const char *path, size_t plen);
/* which class of body a write to the admin API takes: method and the path
 * after "/-/api/" (query removed); BODY_ROUTE_SMALL or BODY_ROUTE_LOCKFILE.
 * Set once at start, before the loops run; none set: every admin API write
 * takes a small body. */
typedef body_route_t (*body_api_route_fn)(const char *method, size_t mlen, const char *path, size_t plen);
void body_limits_set_api_route(body_api_route_fn fn);
/* the most the route takes */
int64_t body_limit(body_route_t route, int64_t max_body);
/* the verdict on a body of length bytes (0 none, BODY_CHUNKED unknown) for
 * that route; BODY_REFUSE_AUTH and BODY_REFUSE_BUSY are the caller's to apply */
body_verdict_t body_judge(body_route_t route, int64_t length, int64_t max_body);
/* "no_body", "too_large", ...: the metrics label of a refusal */
const char *body_verdict_name(body_verdict_t v);

#endif
