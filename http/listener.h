/* listener: sockets, event-loop threads, TLS, signals. listener_run blocks
 * until SIGTERM/SIGINT, then drains in-flight requests and returns. */
#ifndef CORDON_LISTENER_H
#define CORDON_LISTENER_H

#include <stddef.h>

#include "core/config.h"

/* binds every address first (so a taken port fails at start, exit 2) */
int listener_bind(const config_t *cfg, char *err, size_t errlen);
int listener_run(const config_t *cfg);
/* asks the server to stop (signal handlers, tests) */
void listener_request_stop(void);
/* closes the listening sockets and the TLS context */
void listener_close(void);
/* called on the first loop's thread after SIGHUP */
void listener_on_reload(void (*fn)(void));
/* called once every loop runs, instead of the plain "cordon serving" line */
void listener_on_ready(void (*fn)(int threads));

#endif
