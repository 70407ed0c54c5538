/* held: the reviewers' queue. A version enters it when a client was refused
 * it (the decision log notes every refusal here, with who asked) or when
 * someone files a review request for it; it is listed for as long as
 * policy_decide still holds it. Review requests (POST /-/api/reviews, no
 * token) are stored here too, audited and rate-limited per client address.
 * What it lists is data; admin/views.c renders it for the API. */
#ifndef CORDON_HELD_H
#define CORDON_HELD_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "core/config.h"
#include "analysis/findings.h"
#include "journal/decision_log.h"
#include "policy/policy.h"

/* joins the decision log (every refusal is counted in the transaction that
 * records it) and /-/metrics (the queue's size); before decision_log_start.
 * The metadata routes' counts (journal/served_held.h) are taken into the
 * records by every decision's transaction, before the queue is read, and
 * by held_stop (after the listener stopped). */
void held_start(void);
void held_stop(void);
/* inside the decision log's write transaction: counts one refusal */
int held_note_denial(MDB_txn *txn, const decision_t *d);

typedef enum { HELD_SORT_AGE = 0, HELD_SORT_REASON, HELD_SORT_REQUESTS } held_sort_t;

#define HELD_MAX_CLIENTS 16

typedef struct held_client {
    char *addr, *ua;
    int64_t count;  /* its artifact requests refused */
    int64_t served; /* its metadata requests answered without the version */
} held_client_t;

/* what the queue counted of one version (DB_HELD): its refusals (count,
 * first, last: TIME_NONE while never refused; reason, rule and the facts
 * of the last), the metadata documents served without it, and the
 * alternative the newest denial or document offered ("" none) */
typedef struct held_rec {
    int64_t first, last, count;
    char *reason, *rule;
    int64_t published_at, since;
    int64_t served, served_first, served_last;
    char *alternative;
    size_t nclients;
    held_client_t c[HELD_MAX_CLIENTS]; /* in a listed entry: most frequent first */
} held_rec_t;

/* one review request as stored (DB_REQUESTS) */
typedef struct held_request {
    uint64_t id;
    eco_id_t eco;
    char *package, *version, *justification, *client, *ua;
    int64_t time;
} held_request_t;

/* one version in the queue, decided again now */
typedef struct held_entry {
    eco_id_t eco;
    char *package, *version;
    int facts; /* 1 known (a refusal's or the cached metadata's), 0 not listed upstream, -1 no metadata */
    findings_t findings; /* what analysis found in it; in a listed entry the name check's too */
    int have_rec;        /* refused or served without at least once: rec holds the counts */
    held_rec_t rec;
    verdict_t vd;
    int64_t sort_time;
    /* what a client may install instead ("" none known): the newest denial's
     * or served document's, else the ecosystem's answer from cached metadata */
    char alternative[130];
} held_entry_t;

/* the queue: its entries, and every review request (oldest first; each
 * entry's own are those naming its version) */
typedef struct held_queue {
    held_entry_t *v;
    size_t n;
    held_request_t *reqs;
    size_t nreqs;
} held_queue_t;

/* the queue as docs/admin-api.md lists it, sorted; eco < 0 and package
 * NULL list everything. 0 or -1 (store unreadable). Free with held_queue_free. */
int held_list(const config_t *cfg, int64_t now, int eco, const char *package, held_sort_t sort, held_queue_t *out);
void held_queue_free(held_queue_t *q);
/* the queue's size right now (for /-/metrics) */
size_t held_count(const config_t *cfg, int64_t now);

/* one version, whether held or not (GET /-/api/versions/…): the verdict
 * and findings (the name check's included) in q.v[0]; in_queue says
 * whether it is an entry of the queue (refused or asked about, and still
 * held); known whether cordon has seen it upstream. Free with held_queue_free. */
typedef struct held_version {
    held_queue_t q;
    int in_queue, known;
    /* an approval admits it (q.v[0].vd.review_id) where the policy alone would
     * hold it: approved is 1 and before is that verdict, so the version keeps
     * the state it was approved from */
    int approved;
    verdict_t before;
    int asked; /* review requests name it */
} held_version_t;
int held_version(const config_t *cfg, int64_t now, eco_id_t eco, const char *package, const char *version,
                 held_version_t *out);
/* the verdict on one version now, from cordon's records (the facts the
 * held queue decides from): 1 listed upstream, 0 not listed, -1 no metadata */
int held_decide(const config_t *cfg, eco_id_t eco, const char *package, const char *version, int64_t now,
                verdict_t *out);
/* whether cordon's cached metadata lists the version upstream */
int held_version_known(eco_id_t eco, const char *package, const char *version);
/* the versions of package cordon has recorded from upstream's listings
 * (npm, PyPI; Maven: those it has timed) nearest to version, in the
 * ecosystem's order, ascending: up to max/2 below it and the rest above
 * (8 each at most); how many were written */
#define HELD_VERSION_MAX 130
size_t held_nearest_versions(eco_id_t eco, const char *package, const char *version, char (*out)[HELD_VERSION_MAX],
                             size_t max);

typedef struct review_request {
    eco_id_t eco;
    const char *package, *version, *justification, *client, *user_agent;
} review_request_t;

/* stores and audits one review request: *id and *time are the stored
 * record's. 0, -1 (err). */
int review_request_add(const review_request_t *rq, uint64_t *id, int64_t *time, char *err, size_t errlen);
/* every stored review request, oldest first; 0 or -1. Free with held_requests_free. */
int review_requests_list(held_request_t **out, size_t *n);
void held_request_free(held_request_t *q);
/* one stored request by id: 0 (free with held_request_free), -1 none or unreadable */
int review_request_get(uint64_t id, held_request_t *out);

/* where a request stands: what reviewers did about its version since */
typedef enum { REQ_OPEN, REQ_APPROVED, REQ_BLOCKED, REQ_EXPIRED } review_request_state_t;
/* an unanswered request lapses after this long */
#define REVIEW_REQUEST_TTL_MS (30LL * 24 * 3600 * 1000)
typedef struct review_request_status {
    review_request_state_t state;
    uint64_t review_id; /* the approval or block that decided it, 0 none */
    char by[64];        /* that record's reviewer */
    int64_t at;         /* when it was decided or lapsed; TIME_NONE while open */
} review_request_status_t;
void review_request_status(const held_request_t *q, int64_t now, review_request_status_t *out);
const char *review_request_state_name(review_request_state_t s);
/* the members of a request's audit record (the API's object starts with them) */
void held_request_members(const held_request_t *q, buf_t *b, int *first);
void held_requests_free(held_request_t *v, size_t n);
/* per client address, counted exactly (no address shares another's count)
 * in a bounded table: 0 allowed now, else seconds until the next one is
 * (a new address waits too while the table is full of addresses still in
 * their hour) */
int review_rate_check(const char *client, int per_hour, int64_t now);

#endif
