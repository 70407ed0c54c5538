/* eco: ecosystem ids, the index of each ecosystem in the table
 * (core/ecosystem.h) and in every per-ecosystem array of the configuration,
 * and their names as configuration, store keys and URLs spell them. */
#ifndef CORDON_ECO_H
#define CORDON_ECO_H

#include <stddef.h>

typedef enum { ECO_NPM = 0, ECO_PYPI = 1, ECO_MAVEN = 2, ECO_COUNT = 3 } eco_id_t;

const char *eco_name(eco_id_t id);
/* -1 when unknown */
int eco_from_name(const char *s, size_t n);

#endif
