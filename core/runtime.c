/* runtime: the process-wide pointer to the active configuration. */
#include "core/runtime.h"

#include <stdatomic.h>

static _Atomic(const config_t *) g_cfg;

const config_t *runtime_config(void) { return atomic_load(&g_cfg); }
void runtime_set_config(config_t *cfg) { atomic_store(&g_cfg, cfg); }
