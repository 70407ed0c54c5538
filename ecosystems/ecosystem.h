/* ecosystem: the one interface each package ecosystem fills in, like curl's
 * Curl_handler table per protocol. The router owns everything shared (path
 * checks, request ids, refusal of write verbs, access log); an ecosystem
 * owns its URL layout, its metadata format and its artifact route. */
#ifndef CORDON_ECOSYSTEM_H
#define CORDON_ECOSYSTEM_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include "server/config.h"
#include "server/policy.h"

typedef struct ecosystem {
    eco_id_t id;
    const char *name;   /* "npm" */
    const char *prefix; /* "/npm/" : every route of the ecosystem is below it */

    /* Requests with a write verb that only read (npm audit POSTs): these are
     * handled; every other write verb is refused as a publish. */
    int (*is_read_only_write)(const char *method, size_t mlen, const char *path, size_t plen);

    /* The package a (refused) write names, for the decision log; "" if none. */
    void (*package_of)(const char *path, size_t plen, char *out, size_t outlen);

    /* Handles a request below prefix; path is the raw path after the prefix
     * (still percent-encoded, query removed). */
    void (*handle)(h2o_req_t *req, const char *path, size_t plen);

    /* The canonical form of a package name as people type it (PyPI PEP 503
     * normalised, Maven "groupId:artifactId"); -1 when it cannot be a name. */
    int (*canonical_name)(const char *in, char *out, size_t outlen);

    /* What cordon knows about one version from its cached metadata and
     * analysis (for the reviewers' queue and approvals): 1 listed (facts and
     * findings filled; facts->findings is left to the caller), 0 not
     * listed, -1 no cached metadata. Reads the store. */
    int (*version_facts)(const char *package, const char *version, version_facts_t *facts, findings_t *findings);

    /* The newest version clients may install instead of `version` (what a
     * denial names as "alternative"), from the cached metadata: 0 and out
     * filled, -1 when there is none (or no metadata). NULL: not offered. */
    int (*alternative)(const char *package, const char *version, char *out, size_t outlen);

    /* <0, 0, >0 by the ecosystem's own version ordering (lockfile diffs) */
    int (*version_compare)(const char *a, const char *b);
} ecosystem_t;

extern const ecosystem_t npm_ecosystem;
extern const ecosystem_t pypi_ecosystem;
extern const ecosystem_t maven_ecosystem;

/* the table, indexed by eco_id_t; NULL where an ecosystem is not built yet */
extern const ecosystem_t *const ecosystems[ECO_COUNT];

#endif
