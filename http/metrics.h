/* metrics: counters for /-/metrics (Prometheus text format). Counting is a
 * relaxed atomic add on the request path; rendering reads them and asks the
 * held queue and the approvals for their sizes. No package names appear. */
#ifndef CORDON_METRICS_H
#define CORDON_METRICS_H

#include <stddef.h>

#include "common/buf.h"
#include "core/config.h"

void metrics_count_request(const char *path, size_t plen, int status);
void metrics_count_decision(const char *decision, const char *reason);
/* one finished upstream fetch */
void metrics_observe_fetch(double seconds, int failed);
void metrics_render(const config_t *cfg, buf_t *out);

#endif
