/* eco: ecosystem ids. An id is an ecosystem's index in the table
 * (core/ecosystem.h, ecosystems[]) and in every per-ecosystem array of the
 * configuration; it is also what lockfile snapshots store. Which ecosystem
 * has which id, and what each is called, is ecosystems/ business
 * (ecosystems/eco_ids.h names them for ecosystem code and tests); code
 * outside ecosystems/ loops over the ids or looks one up by name. */
#ifndef CORDON_ECO_H
#define CORDON_ECO_H

#include <stddef.h>

typedef unsigned int eco_id_t;

/* how many ecosystems the build has: ids are 0 .. ECO_COUNT-1
 * (ecosystems/ecosystems.c checks that its table fills them) */
#define ECO_COUNT 3

/* the name configuration, store keys and URLs spell ("?" for no id);
 * defined with the table (ecosystems/ecosystems.c) */
const char *eco_name(eco_id_t id);
/* the id of a name of n bytes; -1 when unknown */
int eco_from_name(const char *s, size_t n);
/* every ecosystem's name followed by `after`, joined by ", " and before the
 * last by last_sep, into out (for messages: "npm, pypi, maven" is
 * eco_names_join(out, n, "", ", ")); out */
const char *eco_names_join(char *out, size_t outlen, const char *after, const char *last_sep);
/* a name in place as an ECO_F_FOLD_NAMES ecosystem compares it (PEP 503):
 * lower case, every run of '-', '_' and '.' one '-' */
void eco_fold_name(char *s);

#endif
