/* typosquat: does a package name look like a popular one without being it?
 * Decided from the name alone, before anything is downloaded. A popular
 * name itself is never flagged.
 *
 * Signals, each against the popular set of the same ecosystem:
 *   - edit distance 1 (insert, delete, substitute) and adjacent
 *     transposition, for names of at least 5 characters (shorter names are
 *     too dense to tell apart);
 *   - separator and affix games: '-' '_' '.' and none are the same, npm
 *     "@scope/x" vs "x", "x-js"/"x.js"/"js-x"/"node-x"/"x-node", PyPI
 *     "py-x"/"python-x"/"x-python"/"x-py";
 *   - homoglyphs: l/1/I, 0/o, rn/m, vv/w, cl/d;
 *   - Maven groupId impersonation: the same artifactId under a groupId that
 *     is a prefix, extension or one-edit variant of a popular one's
 *     ("com.fasterxml.jackson:jackson-databind" vs
 *     "com.fasterxml.jackson.core:jackson-databind").
 * Names are compared in canonical form (lower case; PyPI PEP 503). */
#ifndef CORDON_TYPOSQUAT_H
#define CORDON_TYPOSQUAT_H

#include <stddef.h>

#include "core/config.h"

typedef struct popular_set popular_set_t;

/* an empty set; with_builtin adds the built-in list of widely used packages */
popular_set_t *popular_set_new(int with_builtin);
void popular_set_free(popular_set_t *s);
void popular_set_add(popular_set_t *s, eco_id_t eco, const char *name);
int popular_set_contains(const popular_set_t *s, eco_id_t eco, const char *name);
size_t popular_set_size(const popular_set_t *s, eco_id_t eco);
/* Loads "eco:name" lines ('#' comments, blank lines ok). 0, or -1 with
 * "FILE:LINE: message" in err. */
int popular_set_load_file(popular_set_t *s, const char *path, char *err, size_t errlen);

/* which signal made a name look like a popular one (the numbered rules of
 * typosquat.c) */
typedef enum {
    TS_RULE_NONE = 0,
    TS_RULE_LOOKALIKE, /* separators or look-alike characters */
    TS_RULE_SCOPE,     /* npm: a popular name under another scope */
    TS_RULE_AFFIX,     /* a prefix or suffix around a popular name */
    TS_RULE_EDIT,      /* one Damerau edit */
    TS_RULE_GROUP,     /* Maven: the same artifact under a look-alike groupId */
} typosquat_rule_t;

/* 1 when name looks like a popular name (looks_like gets that name, why
 * gets the signal, e.g. "one letter swapped", rule which rule), 0 when not.
 * Any out parameter may be NULL. */
int typosquat_check(const popular_set_t *s, eco_id_t eco, const char *name, char *looks_like, size_t lllen,
                    char *why, size_t whylen, typosquat_rule_t *rule);

/* the comparison form of a name: lower case, separators folded to '-',
 * homoglyphs folded (l/1/I → l, 0 → o, rn → m, vv → w); out >= strlen(name)+1 */
void typosquat_normalise(eco_id_t eco, const char *name, char *out, size_t outlen);

#endif
