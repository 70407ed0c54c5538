/* router: the single h2o handler. It checks the path, assigns the request
 * id, answers /-/health, refuses write verbs on ecosystem routes, and hands
 * everything else to the ecosystem that owns the prefix. */
#ifndef CORDON_ROUTER_H
#define CORDON_ROUTER_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

void router_register(h2o_pathconf_t *pathconf);
/* 0 when the raw path (no query) is acceptable; else 400 material */
int router_path_is_safe(const char *path, size_t len);
/* requests still being handled on all loops (for a graceful stop) */
long router_active_requests(void);

#endif
