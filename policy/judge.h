/* judge: the facts of one version gathered from where cordon keeps them —
 * the ecosystem's records (its version_facts hook: times, metadata and
 * archive findings), the name check, the reviewers' records in force — and
 * decided by policy_decide. The artifact route, the held queue, the
 * lockfile check and the agents' tools ask here; metadata filtering, which
 * decides thousands of versions of one document at once, gathers the
 * per-package facts once (policy_gather_package) and the rest from the
 * document itself. */
#ifndef CORDON_JUDGE_H
#define CORDON_JUDGE_H

#include "policy/policy.h"

/* Decides (eco, package, version) under cfg — of one file of it when file is given
 * (PyPI: each file has its own upload time) — at now: 1 decided (out,
 * and facts/found when not NULL, filled), 0 upstream does not list it, -1
 * cordon has no metadata of the package yet (nothing decided). */
int policy_judge(const config_t *cfg, eco_id_t eco, const char *package, const char *version, const char *file,
                 int64_t now, verdict_t *out, version_facts_t *facts, findings_t *found);

/* The facts every version of a package shares — what the name check says
 * (capped for an established package) — into found and *until; then per
 * version policy_gather_review fills the reviewers' part. */
void policy_gather_package(eco_id_t eco, const char *package, int64_t now, findings_t *found, int64_t *until);
void policy_gather_review(eco_id_t eco, const char *package, const char *version, int64_t now,
                          version_facts_t *facts);
/* what the OSV feed says of the version (malicious, and the fast lane's
 * advisory); policy_gather_review includes it */
void policy_gather_intel(eco_id_t eco, const char *package, const char *version, version_facts_t *facts);
/* whether the version is a development build (the ecosystem's is_snapshot) */
void policy_gather_snapshot(eco_id_t eco, const char *version, version_facts_t *facts);
/* Everything but the ecosystem's own records: the name check (merged into
 * found, which facts->findings then points at), the reviewers' records,
 * the snapshot flag. For callers that bring the times themselves. */
void policy_gather(eco_id_t eco, const char *package, const char *version, int64_t now, version_facts_t *facts,
                   findings_t *found);

/* what a rendered document of one package is keyed by: the configuration's
 * fingerprint, the reviewers' records in force for that package, and what
 * analysis found in it (its name, its analysed artifacts) */
void policy_document_fp(const config_t *cfg, eco_id_t eco, const char *package, char out[52]);

#endif
