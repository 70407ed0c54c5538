/* approvals: what reviewers decided about versions: approvals (admit one
 * exact version, optionally until a time) and blocks (refuse one version or
 * a whole package). Each is one record in LMDB, written together with its
 * audit record in one durable transaction before the API answers, and
 * mirrored in an in-memory set that policy_decide consults on every verdict.
 * Ending one (revoking an approval, lifting a block) marks the record and is
 * audited too; records are never deleted. */
#ifndef CORDON_APPROVALS_H
#define CORDON_APPROVALS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "core/config.h"

typedef enum { REVIEW_APPROVAL = 1, REVIEW_BLOCK = 2 } review_kind_t;

typedef struct review {
    uint64_t id;
    review_kind_t kind;
    eco_id_t eco;
    char *package;  /* canonical name */
    char *version;  /* "" for a whole-package block */
    char *comment;
    char *by;       /* token name */
    int64_t created_at;
    int64_t expires_at; /* TIME_NONE: never */
    int64_t ended_at;   /* revoked / lifted; TIME_NONE while in force */
    char *ended_by;
    uint64_t audit_seq; /* the chain record that created it */
} review_t;

void review_free(review_t *r);
/* one stored record (DB_REVIEWS value of id): 0, or -1 when damaged */
int review_decode(uint64_t id, const void *p, size_t n, review_t *r);
/* in force at `now`: not ended and not expired */
int review_active(const review_t *r, int64_t now);
/* the stored value of one record (DB_REVIEWS) */
void review_encode(const review_t *r, buf_t *b);
/* "approval" | "block" */
const char *review_kind_name(review_kind_t k);

/* Makes all[0..n) (records in force) the set policy consults, taking their
 * strings; all is freed. 0, or -1 out of memory (the old set stays). */
int approvals_publish(review_t *all, size_t n);
void approvals_unload(void);

/* Every record of `kind` (newest first) that names eco/package/version when
 * those are given (NULL = any; a whole-package block names every version);
 * active_only keeps those in force. Caller frees with reviews_free. */
int approvals_list(review_kind_t kind, int active_only, int eco, const char *package, const char *version,
                   int64_t now, review_t **out, size_t *n);
void reviews_free(review_t *v, size_t n);
/* counts of records in force, for /-/metrics */
void approvals_counts(int64_t now, size_t *approvals, size_t *blocks);

/* ---- for policy_decide ---- */
typedef struct review_match {
    review_kind_t kind; /* 0 when reviewers said nothing about this version */
    uint64_t id;
    int64_t expires_at;
    char by[64];
    char comment[96];
} review_match_t;

/* A block naming the version or its package wins over an approval. */
void approvals_match(eco_id_t eco, const char *package, const char *version, int64_t now, review_match_t *out);
/* a short fingerprint of every record in force for one package: documents
 * rendered before a reviewer acted on the package are not served after */
void approvals_package_fp(eco_id_t eco, const char *package, char out[17]);

#endif
