/* artifact_route: the one route every ecosystem's artifacts take — npm
 * tarballs, PyPI wheels, sdists and core metadata, Maven jars, POMs and
 * their checksums. In order:
 *
 *   1. decide (the ecosystem's judge: policy_judge over its records);
 *   2. a version cordon has not seen: learn it from upstream metadata once
 *      (packument, project page, POM), then decide again; still unknown: 404;
 *   3. held: the denial, with the newest allowed version as alternative;
 *   4. cached: serve the verified bytes — deciding again first when they were
 *      indexed (fetched, analysed) after the decision, which the store's
 *      generation tells (the blob record carries the one that indexed it);
 *   5. not cached: where upstream has it and what it must hash to (from the
 *      metadata; Maven fetches its checksum file first), then fetch, verify,
 *      run the ecosystem's check (analysis), index, and serve it as in 4.
 * Every step that answers records the decision. An ecosystem fills an
 * artifact_ops_t and one artifact_req_t per request. */
#ifndef CORDON_ARTIFACT_ROUTE_H
#define CORDON_ARTIFACT_ROUTE_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdint.h>

#include "common/digest.h"
#include "core/eco.h"
#include "policy/policy.h"
#include "upstream/upstream_cache.h"

typedef struct artifact_req artifact_req_t;

/* The ecosystem's part. Required: judge, learn, source, send. */
typedef struct artifact_ops {
    /* the verdict on what the request names: 1 decided, 0 upstream does not
     * list it, -1 cordon knows nothing of it yet */
    int (*judge)(artifact_req_t *ar, verdict_t *out);
    /* learns the version from upstream metadata: starts a fetch that resumes
     * with (resume, ar) */
    void (*learn)(h2o_req_t *req, artifact_req_t *ar, flight_resume_fn resume);
    /* after learn's fetch: 0 decide again, or -1 with *status and err (the
     * fetch failed and nothing is cached, or upstream has no such version).
     * NULL: a failed fetch is answered with its own status and error. */
    int (*learned)(artifact_req_t *ar, const flight_outcome_t *out, int *status, char *err, size_t errlen);
    /* the 404 text for a version upstream does not list */
    void (*not_listed)(artifact_req_t *ar, char *out, size_t outlen);
    /* the newest version clients may install instead (for denials); NULL: none */
    const char *(*alternative)(h2o_req_t *req, artifact_req_t *ar);
    /* where upstream has the artifact and what it must hash to: fills ar->url
     * and ar->want and returns 0; 1 when that needs a fetch first (it then
     * calls artifact_route_fetch, or answers); -1 when it answered (no
     * integrity cordon can verify: artifact_route_refuse_integrity) */
    int (*source)(h2o_req_t *req, artifact_req_t *ar);
    /* the check the verified bytes go through before they are findable
     * (analysis); NULL or returning NULL: none */
    artifact_check_t *(*check)(artifact_req_t *ar);
    /* sends the verified bytes at path (its type, a checksum instead for a
     * checksum request, 304 for a matching If-None-Match) */
    void (*send)(h2o_req_t *req, artifact_req_t *ar, const char *path, const char *etag);
} artifact_ops_t;

struct artifact_req {
    const artifact_ops_t *ops;
    void *er;                   /* the ecosystem's own request */
    eco_id_t eco;
    const char *package;        /* canonical name; points into er */
    const char *version;        /* points into er */
    char key[1400];             /* the artifact in the blob index ("npm:lodash/lodash-4.17.21.tgz") */
    char detail[320];           /* what was asked, for the decision log ("GET lodash-4.17.21.tgz") */
    char what[400];             /* how messages name it ("lodash@4.17.21", a file name) */
    const char *integrity_from; /* where the integrity comes from, for the log ("dist.integrity") */
    char url[4096];             /* filled by source */
    integrity_t want;
    char rule[200];             /* the rule that admitted it */
    uint64_t decided_gen;       /* the store generation the decision read */
    int learned;                /* learn ran for this request */
};

/* fills the route's part of ar for one request (the caller then writes
 * ar->key, ar->detail and ar->what) */
void artifact_req_init(artifact_req_t *ar, const artifact_ops_t *ops, void *er, eco_id_t eco, const char *package,
                       const char *version, const char *integrity_from);
/* a learned hook's common case: the metadata under cache key was fetched;
 * -1 (status, err) only when it failed and no older copy exists */
int artifact_learned_metadata(const char *key, const flight_outcome_t *out, int *status, char *err, size_t errlen);

/* the route, from step 1 */
void artifact_route(h2o_req_t *req, artifact_req_t *ar);
/* step 5 after a source that needed a fetch first */
void artifact_route_fetch(h2o_req_t *req, artifact_req_t *ar);
/* refuses an artifact whose upstream integrity cordon cannot use (recorded) */
void artifact_route_refuse_integrity(h2o_req_t *req, artifact_req_t *ar, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prefetch: fetches and checks an artifact nobody asked for yet (a version
 * the window holds), unless it is cached already or its integrity is not
 * one cordon can verify. 1 when it started, 0 when not. Takes check. */
int artifact_prefetch(const char *key, const char *url, const char *integrity, artifact_check_t *check);

#endif
