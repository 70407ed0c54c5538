/* policy: THE decision. Every place that asks "may this version be served?"
 * — metadata filtering, the artifact route, lockfile checks, the reviewers'
 * queue, the agents' tools — ends in policy_decide and nothing else.
 *
 * policy_decide is pure: its verdict is a function of (configuration,
 * ecosystem, package, version, facts, now) and it reads no global state.
 * The facts are gathered by whoever asks: policy_judge (policy/judge.h)
 * gathers them for one version through the ecosystem's hooks; metadata
 * filtering gathers them for every version of a document in one pass.
 * Verdicts are evaluated at request time and never cached as verdicts.
 *
 * Precedence: a malicious-package advisory (nothing admits it: only
 * withdrawing or removing the record lifts it), then an upstream takedown
 * (only upstream listing the version again lifts it), then a configured deny rule,
 * then a reviewer's block, then a reviewer's approval or a configured allow
 * of the exact version, then analysis findings the configuration holds,
 * then the configured rules and windows (which the security fast lane may
 * open early for the version that fixes an advisory). */
#ifndef CORDON_POLICY_H
#define CORDON_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/findings.h"
#include "core/config.h"
#include "intel/osv_index.h"
#include "policy/approvals.h"
#include "policy/reason.h"

/* everything policy_decide knows about one version */
typedef struct version_facts {
    int64_t published_at; /* upstream's publish time; TIME_NONE when it gave none */
    int64_t first_seen;   /* when cordon first saw the version; TIME_NONE if never */
    /* what analysis found in the version's name, metadata and artifacts
     * (NULL: nothing); the name check's part is capped at warn for an
     * established package (analysis/established.h) */
    const findings_t *findings;
    int64_t findings_until; /* when the name check's weighing changes by age alone (TIME_NONE: never) */
    review_match_t review;  /* what reviewers decided about it (kind 0: nothing) */
    int snapshot;           /* a development build (Maven -SNAPSHOT): not served unless a rule names it */
    osv_hit_t malicious;    /* a malicious-package record naming the version (id "": none) */
    int64_t removed_at;     /* when upstream stopped listing it (intel/takedown.h); 0: it still does */
    /* an advisory that affects the newest version the window allows and
     * names this one as its fix (id "": none): the fast lane admits it */
    char fast_lane[OSV_ID_MAX];
} version_facts_t;

typedef struct verdict {
    int allow;
    reason_t reason;      /* REASON_NONE when allowed */
    char rule[200];       /* the rule that decided, for people: "npm min_age 3d" */
    int64_t published_at; /* the time the window counts from (TIME_NONE if none) */
    int64_t eligible_at;  /* when age alone admits it; TIME_NONE = never (blocked) */
    int64_t since;        /* what the window counts from: published_at, or first seen */
    int64_t valid_until;  /* when time alone may change this verdict (the window ends, an
                             approval expires); TIME_NONE = not by time */
    uint64_t review_id;   /* the approval or block that decided, 0 if none */
    char detail[FINDING_DETAIL_MAX]; /* a finding that holds it: "looks like lodash (…)" */
    uint32_t warnings;    /* findings whose action is warn (served, but noted) */
    char advisory[OSV_ID_MAX]; /* the OSV record that decided (malicious, or the fast lane), "" if none */
} verdict_t;

void policy_decide(const config_t *cfg, eco_id_t eco, const char *package, const char *version,
                   const version_facts_t *facts, int64_t now, verdict_t *out);

/* The verdicts decided outside the window and the findings — a refused
 * publish, an artifact whose bytes do not match upstream's integrity, an
 * upstream cordon cannot learn the facts from — in the same shape, so
 * every refusal is reported one way. rule: what decided, for people. */
void policy_refuse(verdict_t *out, reason_t reason, const char *rule);
/* 1 when the verdict holds the version for reviewers (a reason with
 * REASON_F_HELD): what the held queue lists */
int verdict_held(const verdict_t *v);

/* A short fingerprint of everything policy_decide reads from cfg: documents
 * rendered under one policy are never served under another. */
void policy_fingerprint(const config_t *cfg, char out[17]);

#endif
