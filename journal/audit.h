/* audit: the tamper-evident chain every decision, approval, revocation,
 * block, token change and review request is appended to (LMDB database
 * "decisions"). Each record is one flat JSON object keyed by its 8-byte
 * big-endian sequence number; its last member "prev" is the hash of the
 * previous record's bytes (64 zeros for the first).
 *
 * The hash is an HMAC-SHA-256 under the audit key (journal/audit_key.h). A
 * store written before the chain was keyed keeps its records as they were
 * (each "prev" a plain SHA-256); the first keyed record is the marker
 * {"type":"audit_keyed","key_id":…,"legacy_records":N,"legacy_head":…}
 * whose own prev is the plain SHA-256 of record N, so the old prefix stays
 * verifiable as before and is sealed by a keyed record from then on.
 *
 * The head (last sequence number, its hash and an HMAC tag over both) is
 * kept in the state database in the same transaction; without the key
 * nobody can write a head that verifies, so cutting records from the end is
 * seen too (a replayed older head is what the anchored head in the server
 * log catches: journal/audit_anchor.h). When an append finds the head and
 * the chain disagree it records that as an "audit_anomaly" record first and
 * continues from the head when the head verifies, so the evidence stays.
 *
 * Retention (journal/journal_retention.h) replaces runs of old decision
 * records by one "pruned" record each: {"through":M,"count":…,"last":HASH
 * of record M,"tag":HMAC,"prev":…}; the chain goes on through it. */
#ifndef CORDON_AUDIT_H
#define CORDON_AUDIT_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Appends {"seq":N,"type":TYPE,"time":…,MEMBERS,"prev":…} inside txn.
 * members is a comma-separated list of JSON members (may be empty). Any
 * process may append: the head is read inside the write transaction, which
 * LMDB serialises. Needs the key (EACCES without it, said on stderr).
 * Returns an LMDB code; *seq_out (optional) gets N. */
int audit_append(MDB_txn *txn, const char *type, int64_t time_ms, const char *members, size_t mlen,
                 uint64_t *seq_out);

/* At a server's start: writes the marker where the keyed part starts when
 * the chain has none yet (a durable write of its own); *keyed_from gets the
 * marker's sequence number and *legacy how many unkeyed records precede
 * it. 0, or -1 with err. */
int audit_ensure_keyed(uint64_t *keyed_from, uint64_t *legacy, char *err, size_t errlen);

/* The head kept beside the chain: 0 when its tag verifies (seq and hash
 * set), 1 when it is missing or does not verify, -1 store error. */
int audit_head_get(uint64_t *seq, char hash[65]);

/* The server notes where its key file is, so that `cordon token add
 * --data-dir DIR` (no configuration) finds it. Verification never trusts
 * this note: it takes the key from the configuration. */
int audit_note_key_file(const char *path, char *err, size_t errlen);
int audit_noted_key_file(char *out, size_t outlen);

/* Whether chain record seq is genuine: its hash is what the next record
 * carries as prev (for the last record: the verified head), under the hash
 * its position in the chain takes (keyed from a genuine marker on). 1 yes,
 * 0 no (why says), <0 an LMDB error. rec (optional) gets its bytes. */
int audit_record_genuine(MDB_txn *txn, uint64_t seq, MDB_val *rec, char *why, size_t whylen);

/* ---- the pieces verification and retention share ---- */

#define AUDIT_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* the hash a record's successor carries: HMAC under the key when keyed, else SHA-256 */
int audit_record_hash(int keyed, const void *p, size_t n, char out[65]);
/* the 64 hex digits of "prev" when it is the record's last member, else NULL */
const char *audit_record_prev(const char *rec, size_t n);
/* 1 when the record starts with {"seq":SEQ, */
int audit_record_seq_matches(const char *rec, size_t n, uint64_t seq);
/* its "type" (out "" when none) */
void audit_record_type(const char *rec, size_t n, char *out, size_t outlen);
/* the state database's "audit_keyed_from" (0 when absent); not proof of anything */
uint64_t audit_keyed_from_noted(MDB_txn *txn);

/* the stored head: 2 with a tag, 1 an old untagged head, -1 malformed */
int audit_head_parse(const void *v, size_t n, uint64_t *seq, char hash[65], char tag[65]);
int audit_head_tag(uint64_t seq, const char *hash, char out[65]);
/* reads the stored head in txn into out (NUL-terminated); MDB_NOTFOUND when absent */
int audit_head_raw(MDB_txn *txn, char *out, size_t outlen);

/* a "pruned" record standing for records first..through (count of them,
 * the newest written at time_ms, pruned for being older than before_ms),
 * whose last had hash last_hash; prev is what record first carried */
int audit_pruned_build(buf_t *out, uint64_t first, uint64_t through, uint64_t count, int64_t time_ms,
                       int64_t before_ms, const char *last_hash, const char *prev);
/* reads one: 1 its tag verifies, 0 it does not, -1 not a pruned record */
int audit_pruned_read(const char *rec, size_t n, uint64_t *through, uint64_t *count, char last[65],
                      int64_t *before_ms);

/* ---- verification (journal/audit_verify.c) ---- */

#define AUDIT_PROBLEMS_MAX 40

typedef struct audit_problem {
    uint64_t seq;   /* the record it concerns (0: none in particular) */
    char kind[24];  /* edited, removed, truncated, head, anomaly, keyed_part, wrong_key, malformed,
                       approval, block, token, anchor */
    char text[400];
} audit_problem_t;

typedef struct audit_anchor_check {
    int given;
    int ok;
    uint64_t seq;
    char hash[65];
    char text[300];
} audit_anchor_check_t;

typedef struct audit_report {
    int ok;
    uint64_t records;   /* records present (a pruned run counts as none) */
    uint64_t last_seq;  /* the last record's sequence number */
    char head[65];      /* hash of the last record */
    uint64_t keyed_from;     /* the marker's sequence number; 0 when the chain has no keyed part */
    uint64_t legacy_records; /* unkeyed records before it */
    char key_id[17];         /* the key the marker names */
    uint64_t pruned_records, pruned_runs, pruned_through;
    char pruned_before[40];  /* the newest cutoff a pruned run names ("" when none) */
    uint64_t reviews, tokens; /* checked against the chain */
    audit_anchor_check_t anchor;
    uint64_t broken_at; /* the record of the first problem (0 when ok) */
    char error[400];    /* the first problem */
    size_t nproblems, problems_total;
    audit_problem_t problems[AUDIT_PROBLEMS_MAX];
} audit_report_t;

/* walks the whole chain and checks the approvals, blocks and tokens in the
 * store against it; the store must be open and the key loaded. anchor
 * (optional, "SEQ:HASH" as the server log gives it) is a head an outside
 * log kept. Returns 0 when it could read the store (the verdict is in
 * out->ok), -1 otherwise. */
int audit_verify(audit_report_t *out);
int audit_verify_anchored(const char *anchor, audit_report_t *out);
/* "SEQ:HASH" → 0, or -1 when malformed */
int audit_anchor_parse(const char *s, uint64_t *seq, char hash[65]);
/* the report as the API's JSON object, and as `cordon audit verify` prints it */
void audit_report_json(const audit_report_t *r, buf_t *out);
void audit_report_text(const audit_report_t *r, buf_t *out);

#endif
