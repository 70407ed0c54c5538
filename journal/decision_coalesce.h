/* decision_coalesce: repeated refusals from anonymous clients do not each
 * become a record. A refused write (reason publish_forbidden) is recorded
 * once per client address and path per minute: the first at once, the
 * repeats of that minute as one record with a count (and the times of the
 * first and last repeat) when the minute is over, or at a clean stop.
 * Bounded whatever the traffic: at most 16 paths per client and 4096
 * (client, path) pairs per minute are told apart; beyond that repeats fold
 * into one (client, "(several paths)") or ("*", "(several clients and
 * paths)") record. Metrics still count every request.
 *
 * An agent's check through /-/mcp (decision "check") is counted per client
 * and tool (its rule, "mcp check_package"): the first
 * COALESCE_CHECKS_PER_MINUTE of a minute are recorded one by one, the rest
 * as one record with their count, so tool calls, which need no token,
 * cannot grow the log without bound either. */
#define COALESCE_CHECKS_PER_MINUTE 600
#ifndef CORDON_DECISION_COALESCE_H
#define CORDON_DECISION_COALESCE_H

#include <stddef.h>
#include <stdint.h>

#include "journal/decision_log.h"

/* whether d is of a kind that is coalesced */
int coalesce_wanted(const decision_t *d);
/* 1: record d now (the first of its client and path this minute); 0: it
 * was counted into the minute's pending record */
int coalesce_admit(const decision_t *d);
/* when the earliest pending record is due (ms), or 0 when none is */
int64_t coalesce_due(void);
/* hands every pending record due at now (every one, with all) to emit */
void coalesce_take(int64_t now, int all, void (*emit)(const decision_t *d, void *arg), void *arg);
/* forgets everything pending (tests) */
void coalesce_reset(void);

#endif
