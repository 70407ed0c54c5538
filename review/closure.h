/* closure: what installing one version pulls in, resolved as the client
 * would (each ecosystem's closure_deps hook), and which of those versions
 * cordon holds. Metadata cordon's copy lacks is fetched first, in rounds,
 * within fetch.lockfile_deadline each; nothing is stored but that metadata.
 * It blocks its thread while it fetches: call it from a worker. */
#ifndef CORDON_CLOSURE_H
#define CORDON_CLOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/ecosystem.h"
#include "policy/policy.h"

/* versions a closure walks at most: beyond, it is truncated (and says so) */
#define CLOSURE_MAX_NODES 2000

typedef struct closure_node {
    char *package;
    char *version;   /* NULL: the spec could not be resolved (error says why) */
    char *spec;      /* what the dependant asked for ("" for the root) */
    size_t parent;   /* index of the dependant; the root's is its own (0) */
    int depth;       /* 0 for the root */
    verdict_t vd;    /* when resolved: the verdict now */
    char alternative[130]; /* held: what the ecosystem offers instead ("" none) */
    char *error;     /* unresolved, or its dependencies could not be read */
} closure_node_t;

typedef struct closure {
    eco_id_t eco;
    char platform[16], python[16]; /* the target it was resolved for */
    closure_node_t *v; /* v[0] is the root */
    size_t n, cap;
    int truncated;
    size_t fetched, fetch_failed, rounds;
} closure_t;

/* the PyPI target when none is stated: linux, CPython 3.11 */
void closure_target_default(closure_target_t *t);
/* 0 and out (free with closure_free; out->v[0].error set when the root's
 * dependencies could not be read), -1 when the ecosystem has no closure or
 * memory ran out */
int closure_resolve(const config_t *cfg, eco_id_t eco, const char *package, const char *version,
                    const closure_target_t *t, closure_t *out);
void closure_free(closure_t *c);
/* 1 when a reviewer's approval would admit node i (held, and for a reason
 * an approval lifts: not malicious, not taken down upstream) */
int closure_approvable(const closure_t *c, size_t i);
/* how many nodes are held (resolved and refused now) and approvable */
size_t closure_held_count(const closure_t *c);
size_t closure_approvable_count(const closure_t *c);

#endif
