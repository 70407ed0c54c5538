/* policy: THE decision. Every place that asks "may this version be served?"
 * (metadata filtering, the artifact route, later lockfile checks and the
 * reviewers' queue) calls policy_decide and nothing else. Verdicts are pure
 * functions of (configuration, ecosystem, package, version, facts, now), so
 * they are evaluated at request time and never cached as verdicts.
 *
 * Precedence: a configured deny rule, then a reviewer's block, then a
 * reviewer's approval (policy/approvals.h) or a configured allow of the
 * exact version, then analysis findings the configuration holds, then the
 * configured rules and windows. */
#ifndef CORDON_POLICY_H
#define CORDON_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/findings.h"
#include "core/config.h"

typedef struct version_facts {
    int64_t published_at; /* upstream's publish time; TIME_NONE when it gave none */
    int64_t first_seen;   /* when cordon first saw the version; TIME_NONE if never */
    /* what analysis found in the version's metadata and artifacts (NULL:
     * nothing known); the name check (typosquat) is policy_decide's own */
    const findings_t *findings;
} version_facts_t;

typedef struct verdict {
    int allow;
    const char *reason;   /* "" when allowed; else quarantine | blocked | missing_timestamp */
    char rule[200];       /* the rule that decided, for people: "npm min_age 3d" */
    int64_t published_at; /* the time the window counts from (TIME_NONE if none) */
    int64_t eligible_at;  /* when age alone admits it; TIME_NONE = never (blocked) */
    int64_t since;        /* what the window counts from: published_at, or first seen */
    int64_t valid_until;  /* when time alone may change this verdict (the window ends, an
                             approval expires); TIME_NONE = not by time */
    uint64_t review_id;   /* the approval or block that decided, 0 if none */
    char detail[FINDING_DETAIL_MAX]; /* a finding that holds it: "looks like lodash (…)" */
    uint32_t warnings;    /* findings whose action is warn (served, but noted) */
} verdict_t;

void policy_decide(const config_t *cfg, eco_id_t eco, const char *package, const char *version,
                   const version_facts_t *facts, int64_t now, verdict_t *out);

/* A short fingerprint of everything policy_decide reads from cfg: documents
 * rendered under one policy are never served under another. */
void policy_fingerprint(const config_t *cfg, char out[17]);
/* what a rendered document of one package is keyed by: the configuration's
 * fingerprint, the reviewers' records in force for that package, and what
 * analysis found in it (its name, its analysed artifacts) */
void policy_document_fp(const config_t *cfg, eco_id_t eco, const char *package, char out[52]);

#endif
