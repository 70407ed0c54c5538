/* journal_retention: the decision log's retention (`journal.keep`, default
 * 90d). Decision records older than keep leave the audit chain; every
 * other record (the keyed marker, approvals, blocks, their ends, token
 * changes, review requests, lockfile submissions, anomalies) stays for
 * ever, and so does the chain's last record.
 *
 * How retention and the chain coexist: a run of consecutive old decisions
 * is replaced, at the run's first sequence number, by one "pruned" record
 * {"through":M,"count":N,"before":CUTOFF,"last":HASH,"tag":…,"prev":…}
 * whose prev is what the run's first record carried and whose "last" is
 * the hash of record M, which the record after the run carries as its
 * prev; its tag is an HMAC under the audit key over its own bytes. So the
 * chain goes on through it, nobody without the key can write one (a
 * pruned run cannot hide a record that was not old, or not a decision),
 * and a later pass extends an existing run rather than adding one.
 * Retention verifies every link it walks and stops at the first that does
 * not verify: it never launders an edit into a pruned run. Each pass that
 * dropped something appends a "journal_pruned" record saying how many,
 * through which record and before when. */
#ifndef CORDON_JOURNAL_RETENTION_H
#define CORDON_JOURNAL_RETENTION_H

#include <stddef.h>
#include <stdint.h>

typedef struct prune_result {
    uint64_t pruned;     /* records dropped */
    uint64_t through;    /* the newest record dropped */
    uint64_t stopped_at; /* the record where the chain did not verify (0: none) */
} prune_result_t;

/* One pass: drops decision records written before cutoff_ms, in write
 * transactions of at most `budget` records each. The store must be open
 * and the key loaded. 0, or -1 with err. */
int journal_prune(int64_t cutoff_ms, size_t budget, prune_result_t *res, char *err, size_t errlen);

/* a thread running a pass at start and then every keep/10 (1 s to 1 h),
 * with keep read from the live configuration (0 = keep everything) */
int journal_retention_start(void);
void journal_retention_stop(void);

#endif
