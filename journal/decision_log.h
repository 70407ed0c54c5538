/* decision_log: the append-only record of every install decision (artifact
 * served or refused, publish refused). Request handlers append without
 * waiting; a writer thread commits batches to LMDB (group commit) as records
 * of the audit chain (journal/audit.h), so the log is tamper-evident.
 * Repeated refused writes are coalesced (journal/decision_coalesce.h); old
 * decisions leave the chain under journal.keep (journal/journal_retention.h).
 * A clean shutdown flushes everything appended. */
#ifndef CORDON_DECISION_LOG_H
#define CORDON_DECISION_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef struct decision {
    int64_t time_ms;
    char client[64];
    char user_agent[200];
    char ecosystem[16];
    char package[256];
    char version[128];
    char decision[8]; /* "allow" | "deny" */
    char reason[32];  /* "" when allowed; else a DESIGN.md reason */
    char rule[160];   /* the rule that decided */
    char request_id[40];
    char detail[200]; /* what was asked (method and path for refused writes) */
    /* for a refused version: the facts its verdict came from, so the held
     * queue can decide it again later (TIME_NONE when unknown) */
    int64_t published_at, since;
    /* a coalesced record (journal/decision_coalesce.h): how many repeats it
     * stands for (0: it is one request), the first's and last's times */
    uint32_t count;
    int64_t first_ms, last_ms;
    /* for a refused version: what the denial offered instead ("" none);
     * the decision hooks see it (the held queue keeps it), the log does not */
    char alternative[128];
} decision_t;

int decision_log_start(void);
/* copies d into the queue; never blocks on I/O */
void decision_log_append(const decision_t *d);
/* commits everything queued, then stops the writer */
void decision_log_stop(void);
/* commits what is queued now and waits for it (tests, shutdown) */
void decision_log_flush(void);

/* decisions that were not recorded, by cause: the group-commit queue was
 * full (overload), the store refused the write, the log was not running.
 * Each is counted in /-/metrics and logged at warn. */
typedef struct decision_drops {
    uint64_t queue_full, store_error, not_running;
} decision_drops_t;
void decision_log_drops(decision_drops_t *out);
/* tests: the queue's bound (0 = the default), and how many wait in it */
void decision_log_set_queue_max(size_t n);
size_t decision_log_queued(void);

/* Decisions appended so far, by decision and reason (every row with a
 * count, and allow/"" always): fills out, returns the rows. */
typedef struct decision_count {
    const char *decision, *reason;
    uint64_t n;
} decision_count_t;
size_t decision_log_counts(decision_count_t *out, size_t max);

/* What else a decision changes, inside the write transaction that records
 * it (the held queue counts denials): a hook returns an LMDB code; added
 * before decision_log_start, at most four. */
#include <lmdb.h>
typedef int (*decision_hook_fn)(MDB_txn *txn, const decision_t *d);
int decision_log_add_hook(decision_hook_fn fn);

/* prints the newest `limit` records, oldest first (for `cordon log`);
 * the store must be open. Returns 0 or -1. */
int decision_log_print(size_t limit, int json);

/* sets a field with truncation */
void decision_set(char *field, size_t size, const char *value);
#define DECISION_SET(d, field, value) decision_set((d)->field, sizeof((d)->field), (value))

#endif
