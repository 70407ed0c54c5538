/* admin_api: the reviewers' JSON API under /-/api/ (docs/admin-api.md):
 * bearer-token authentication with roles, the held queue, approvals,
 * blocks, the decision log and audit chain, review requests; and the
 * Prometheus metrics at /-/metrics. */
#ifndef CORDON_ADMIN_API_H
#define CORDON_ADMIN_API_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include "http/body_limits.h"

/* path is what follows "/-/api/" (query removed, still percent-encoded) */
void admin_api_handle(h2o_req_t *req, const char *path, size_t plen);
void admin_metrics_handle(h2o_req_t *req, const char *rest, size_t rlen);
/* 1 when an Authorization header value carries a token that may submit
 * lockfiles (reviewer, ci): the guard reads a lockfile's body only then */
int admin_api_may_submit_lockfiles(const char *auth, size_t len);
/* the body a write takes (body_limits' hook): BODY_ROUTE_LOCKFILE for the
 * route table's lockfile submission, BODY_ROUTE_SMALL for everything else;
 * path is what follows "/-/api/" (query removed) */
body_route_t admin_api_body_route(const char *method, size_t mlen, const char *path, size_t plen);

#define ADMIN_JSON_BODY_MAX (64 * 1024)
/* lockfile checks running or queued at once (more: 503 busy); each takes a
 * worker of the pool (common/workpool.h) while it runs */
#define ADMIN_LOCKFILE_CHECKS_MAX 4
/* GET /-/api/verdict calls (no token) worked out or queued at once */
#define ADMIN_VERDICTS_MAX 16

#endif
