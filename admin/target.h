/* target: what a call names — an ecosystem, a package and a version —
 * checked the same way wherever people or agents name one (the admin
 * API's bodies and query strings, the MCP tools): the ecosystem known, the
 * name canonical, the version a plain string. */
#ifndef CORDON_TARGET_H
#define CORDON_TARGET_H

#include <stddef.h>

#include "core/eco.h"

typedef struct target {
    eco_id_t eco;
    char package[512]; /* canonical */
    char version[130]; /* "" when not given and not required */
} target_t;

/* eco, pkg and ver as given (NULL: not given); vr: 1 ver is a string, 0
 * absent, -1 another type; version_req: 1 required, 0 optional. 0 with t
 * filled, or -1 with err (the sentence a 400 or a tool error says). */
int target_check(const char *eco, const char *pkg, int vr, const char *ver, int version_req, target_t *t, char *err,
                 size_t errlen);

/* 1 when s is NULL or only white space */
int target_blank(const char *s);

#endif
