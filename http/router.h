/* router: the single h2o handler. It checks the path, assigns the request
 * id, answers /-/health, refuses write verbs on ecosystem routes, hands
 * ecosystem routes to the ecosystem that owns the prefix and cordon's own
 * paths to what was mounted there. */
#ifndef CORDON_ROUTER_H
#define CORDON_ROUTER_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

void router_register(h2o_pathconf_t *pathconf);
/* Mounts fn on one of cordon's own paths (the admin API, its page, metrics,
 * the MCP endpoint), before the listener starts. It takes that path, and
 * with subpaths every path below it ("/-/admin" takes "/-/admin/x"; "/-/api/"
 * takes "/-/api/held"). fn gets what follows the mounted path. 0, or -1 when
 * the table is full. */
typedef void (*router_handle_fn)(h2o_req_t *req, const char *rest, size_t rlen);
int router_mount(const char *path, int subpaths, router_handle_fn fn);
/* 0 when the raw path (no query) is acceptable; else 400 material */
int router_path_is_safe(const char *path, size_t len);
/* requests still being handled on all loops (for a graceful stop) */
long router_active_requests(void);

#endif
