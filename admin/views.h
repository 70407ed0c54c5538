/* views: the admin API's JSON documents (docs/admin-api.md), rendered from
 * what the review modules return — the held queue, one version's verdict,
 * approvals and blocks, review requests, lockfile reports, histories and
 * projects. The domain modules hand back data; only this file writes the
 * shapes (review/lockfiles.c reads back the summary and the verdicts of the
 * report it stored, as docs/admin-api.md fixes them). */
#ifndef CORDON_ADMIN_VIEWS_H
#define CORDON_ADMIN_VIEWS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "core/config.h"
#include "journal/chain_scan.h"
#include "policy/approvals.h"
#include "review/held.h"
#include "review/closure.h"
#include "review/lockfiles.h"

/* {"name", "role"} */
void view_whoami(const char *name, const char *role, buf_t *out);

/* one approval or block: {"id", "kind", …, "active", "audit_seq"} */
void view_review(const review_t *r, int64_t now, buf_t *out);
/* a record just made (201): an approval also says whether cordon has seen
 * its version upstream (known), with a warning when not */
void view_review_made(const review_t *r, int64_t now, int known, buf_t *out);
/* {"<member>": [records]} */
void view_review_list(const char *member, const review_t *v, size_t n, int64_t now, buf_t *out);

/* {"held": [entries], "count": N} */
void view_held_queue(const config_t *cfg, const held_queue_t *q, buf_t *out);
/* {"ecosystem", …, "allowed", "reason", …, "approvals": […], "blocks": […], "held": {…}|null} */
void view_held_version(const config_t *cfg, const held_version_t *hv, const review_t *approvals, size_t napprovals,
                       const review_t *blocks, size_t nblocks, int64_t now, buf_t *out);

/* GET /-/api/closure: {"ecosystem", "package", "version", "target",
 * "allowed", "versions", "held", "approvable", "truncated", "fetched",
 * "fetch_failed", "closure": [nodes, walk order], "needs_approval": [the
 * held ones]} (docs/admin-api.md) */
void view_closure(const config_t *cfg, const closure_t *c, buf_t *out);
/* POST /-/api/approvals with with_dependencies (201): {"change_set",
 * "approvals": [records], "not_approvable": [nodes], "unresolved":
 * [nodes], "closure": {"versions", "held"}} */
void view_approval_set(const char *note, const review_t *v, size_t n, const closure_t *c, int64_t now, buf_t *out);

/* GET /-/api/verdict: one version's verdict (lockfiles_judge_version) as
 * a denial object, "allow", "status" and "next" (what to do) added */
void view_verdict(const char *public_url, eco_id_t eco, const char *package, const char *version,
                  const lockfile_judged_t *j, const char *request_id, buf_t *out);
/* the same verdict as one sentence for people and agents: "allowed: …"
 * or "held: <the denial's line> Next: <what to do>" */
void view_verdict_text(eco_id_t eco, const char *package, const char *version, const lockfile_judged_t *j,
                       buf_t *out);

/* one review request: its status when st is given, the client's address
 * and user agent only with_client, review_url only when public_url is given */
void view_review_request(const held_request_t *q, const review_request_status_t *st, int with_client,
                         const char *public_url, buf_t *out);
/* {"reviews": [newest first]} from the stored list (oldest first) */
void view_review_requests(const held_request_t *v, size_t n, int64_t now, buf_t *out);

/* a lockfile check's report, as stored and answered: {"project", …,
 * "summary", "changes": […], "changes_omitted", "fetch", "submission",
 * "base"} (lockfiles_check's view) */
void view_lockfile_report(const lockfile_report_t *r, buf_t *out);
/* {"project", "base", "submissions": [summaries, newest first]} */
void view_lockfile_history(const char *project, const lockfile_history_t *h, buf_t *out);
/* {"projects": [{project, latest, time, ref, ok, accepted, base}]} */
void view_lockfile_projects(const lockfile_project_t *v, size_t n, buf_t *out);
/* {"approvals": [records], "base": id}: what approving a change set made */
void view_lockfile_approved(const review_t *v, size_t n, uint64_t base, int64_t now, buf_t *out);

/* a page of the chain: {"<member>": [records as stored], "next_before": SEQ|null},
 * written as chain_scan hands out the records */
void view_chain_open(const char *member, buf_t *out);
void view_chain_record(buf_t *out, long i, const char *rec, size_t len);
void view_chain_close(const chain_page_t *page, buf_t *out);

#endif
