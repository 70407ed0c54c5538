/* config_check: `cordon config check` — the configuration as the server
 * would run it: every key with its default filled in, credentials masked
 * (the URL's userinfo is never in config_t; a password shows as "(set)"),
 * printed as YAML a person can read and the loader reads back to the same
 * configuration, credentials aside (keys not set are comments). */
#ifndef CORDON_CONFIG_CHECK_H
#define CORDON_CONFIG_CHECK_H

#include <stdio.h>

#include "core/config.h"

void config_print_effective(const config_t *cfg, FILE *out);

#endif
