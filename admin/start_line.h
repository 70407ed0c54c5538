/* start_line: what the server log says once cordon serves: the start line
 * (version, listeners, ecosystems and their upstreams, data_dir, store,
 * policy) and the warnings about a configuration that cannot work (no
 * upstream at all, an upstream that is cordon itself). */
#ifndef CORDON_START_LINE_H
#define CORDON_START_LINE_H

#include "core/config.h"

void start_line_log(const config_t *cfg, const char *version, int threads);
void start_line_warn(const config_t *cfg);

#endif
