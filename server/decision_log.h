/* decision_log: the append-only record of every install decision (artifact
 * served or refused, publish refused). Request handlers append without
 * waiting; a writer thread commits batches to LMDB (group commit) as records
 * of the audit chain (server/audit.h), so the log is tamper-evident.
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
} decision_t;

int decision_log_start(void);
/* copies d into the queue; never blocks on I/O */
void decision_log_append(const decision_t *d);
/* commits everything queued, then stops the writer */
void decision_log_stop(void);
/* commits what is queued now and waits for it (tests, shutdown) */
void decision_log_flush(void);

/* prints the newest `limit` records, oldest first (for `cordon log`);
 * the store must be open. Returns 0 or -1. */
int decision_log_print(size_t limit, int json);

/* sets a field with truncation */
void decision_set(char *field, size_t size, const char *value);
#define DECISION_SET(d, field, value) decision_set((d)->field, sizeof((d)->field), (value))

#endif
