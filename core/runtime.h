/* runtime: the configuration the running server uses. Set once at start (and
 * swapped on reload); handlers read it through runtime_config(). */
#ifndef CORDON_RUNTIME_H
#define CORDON_RUNTIME_H

#include "core/config.h"

const config_t *runtime_config(void);
/* publishes cfg */
void runtime_set_config(config_t *cfg);

#endif
