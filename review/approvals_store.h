/* approvals_store: writing reviewers' approvals and blocks (each with its
 * audit chain record, durable before the answer) and loading those in force
 * into the set policy consults (policy/approvals.h). */
#ifndef CORDON_APPROVALS_STORE_H
#define CORDON_APPROVALS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "policy/approvals.h"

/* Loads every record in force into the in-memory set (at start, and after
 * each change); only those a genuine audit record accounts for. The store must be open. 0 or -1. */
int approvals_load(void);
/* Stores a new approval or block (r->id, created_at, audit_seq are set
 * here), audited, durable on return; then the in-memory set is rebuilt.
 * Returns 0, or -1 with err. */
int approvals_add(review_t *r, char *err, size_t errlen);
/* Stores n approvals as one change set (one comment, one expiry: each
 * v[i]'s own, normally the same) with ONE chain record, "approval_set",
 * naming them all and what the set is (note); ids, created_at and
 * audit_seq are set here. 0, or -1 with err (nothing stored). */
int approvals_add_set(review_t *v, size_t n, const char *note, char *err, size_t errlen);
/* Ends record `id` of `kind` (revokes an approval, lifts a block), audited. */
typedef enum {
    APPROVALS_ENDED = 0,   /* done: out gets the record */
    APPROVALS_NOT_FOUND,   /* no record of that kind has that id */
    APPROVALS_ALREADY_ENDED,
    APPROVALS_STORE_ERROR, /* err says why */
} approvals_end_t;
approvals_end_t approvals_end(uint64_t id, review_kind_t kind, const char *by, review_t *out, char *err,
                              size_t errlen);

/* the members of a record's audit entry (the API's object starts with them too) */
void review_members(const review_t *r, buf_t *b, int *first);
/* a string member, or null when empty */
void review_kv_str_or_null(buf_t *b, int *first, const char *key, const char *s);

#endif
