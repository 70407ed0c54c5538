/* held: the reviewers' queue. A version enters it when a client was refused
 * it (the decision log notes every refusal here, with who asked) or when
 * someone files a review request for it; it is listed for as long as
 * policy_decide still holds it. Review requests (POST /-/api/reviews, no
 * token) are stored here too, audited and rate-limited per client address. */
#ifndef CORDON_HELD_H
#define CORDON_HELD_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "core/config.h"
#include "journal/decision_log.h"

/* joins the decision log (every refusal is counted in the transaction that
 * records it) and /-/metrics (the queue's size); before decision_log_start */
void held_start(void);
/* inside the decision log's write transaction: counts one refusal */
int held_note_denial(MDB_txn *txn, const decision_t *d);

typedef enum { HELD_SORT_AGE = 0, HELD_SORT_REASON, HELD_SORT_REQUESTS } held_sort_t;

/* {"held":[…],"count":N} as docs/admin-api.md shows; eco < 0 and package
 * NULL list everything. 0 or -1 (store unreadable). */
int held_list_json(const config_t *cfg, int64_t now, int eco, const char *package, held_sort_t sort, buf_t *out);
/* the queue's size right now (for /-/metrics) */
size_t held_count(const config_t *cfg, int64_t now);

/* {"ecosystem", …, "allowed", "reason", …, "held": {…}|null} for one
 * version (GET /-/api/versions/…); approvals and blocks are added by the
 * caller. *known gets whether cordon has seen the version upstream. */
int held_version_json(const config_t *cfg, int64_t now, eco_id_t eco, const char *package, const char *version,
                      buf_t *out, int *known);
/* whether cordon's cached metadata lists the version upstream */
int held_version_known(eco_id_t eco, const char *package, const char *version);

typedef struct review_request {
    eco_id_t eco;
    const char *package, *version, *justification, *client, *user_agent;
} review_request_t;

/* stores and audits one review request; out gets its JSON. 0, -1 (err). */
int review_request_add(const review_request_t *rq, const char *public_url, buf_t *out, char *err, size_t errlen);
/* {"reviews":[newest first]} */
int review_requests_json(buf_t *out);
/* per client address, counted exactly (no address shares another's count)
 * in a bounded table: 0 allowed now, else seconds until the next one is
 * (a new address waits too while the table is full of addresses still in
 * their hour) */
int review_rate_check(const char *client, int per_hour, int64_t now);

#endif
