/* metrics: counters for /-/metrics (Prometheus text format). Counting is a
 * relaxed atomic add on the request path; rendering reads them, pulls the
 * counters lower layers keep (fetcher, decision log, cache, connections)
 * and renders the sections layers above registered. No package names. */
#ifndef CORDON_METRICS_H
#define CORDON_METRICS_H

#include <stddef.h>

#include "common/buf.h"
#include "core/config.h"

void metrics_count_request(const char *path, size_t plen, int status);
void metrics_render(const config_t *cfg, buf_t *out);
/* a section a layer above renders itself (the held queue's gauge) */
typedef void (*metrics_section_fn)(const config_t *cfg, buf_t *out);
void metrics_add_section(metrics_section_fn fn);

#endif
