/* access_log: one JSON object per finished request (time, client, method,
 * path, status, bytes, duration, decision, request id) to stderr or a file. */
#ifndef CORDON_ACCESS_LOG_H
#define CORDON_ACCESS_LOG_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

/* target: "stderr", "off", or a file path (appended). 0 ok, -1 on error. */
int access_log_open(const char *target);
/* opens the file again (after a rotation moved it) in place of the old one;
 * 0 when the log is not a file; -1 with errno, the old file still in use */
int access_log_reopen(void);
void access_log_register(h2o_pathconf_t *pathconf);
void access_log_close(void);

#endif
