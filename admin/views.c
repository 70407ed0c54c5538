/* views: the admin API's JSON documents (see views.h). */
#include "admin/views.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis/findings.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "core/ecosystem.h"
#include "http/denial.h"
#include "policy/reason.h"
#include "review/approvals_store.h"

void view_whoami(const char *name, const char *role, buf_t *out)
{
    int first = 1;
    buf_putc(out, '{');
    json_kv_str(out, &first, "name", name);
    json_kv_str(out, &first, "role", role);
    buf_putc(out, '}');
}

/* ---- approvals and blocks ---- */

static void review_object_members(const review_t *r, int64_t now, buf_t *out, int *first)
{
    review_members(r, out, first); /* what its audit record says */
    const char *ended = r->kind == REVIEW_APPROVAL ? "revoked" : "removed";
    char k1[24], k2[24];
    snprintf(k1, sizeof(k1), "%s_at", ended);
    snprintf(k2, sizeof(k2), "%s_by", ended);
    json_kv_time(out, first, k1, r->ended_at);
    review_kv_str_or_null(out, first, k2, r->ended_by);
    json_kv_bool(out, first, "active", review_active(r, now));
    json_kv_int(out, first, "audit_seq", (int64_t)r->audit_seq);
}

void view_review(const review_t *r, int64_t now, buf_t *out)
{
    int first = 1;
    buf_putc(out, '{');
    review_object_members(r, now, out, &first);
    buf_putc(out, '}');
}

void view_review_made(const review_t *r, int64_t now, int known, buf_t *out)
{
    int first = 1;
    buf_putc(out, '{');
    review_object_members(r, now, out, &first);
    if (r->kind == REVIEW_APPROVAL) {
        json_kv_bool(out, &first, "known_upstream", known);
        if (!known)
            json_kv_str(out, &first, "warning",
                        "the upstream could not be asked whether it publishes this version: the approval is stored "
                        "and will admit it if it is listed; check the package name and version");
    }
    buf_putc(out, '}');
}

static void reviews_array(const review_t *v, size_t n, int64_t now, buf_t *out)
{
    buf_putc(out, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        view_review(&v[i], now, out);
    }
    buf_putc(out, ']');
}

void view_review_list(const char *member, const review_t *v, size_t n, int64_t now, buf_t *out)
{
    buf_putc(out, '{');
    json_cstr(out, member);
    buf_putc(out, ':');
    reviews_array(v, n, now, out);
    buf_putc(out, '}');
}

/* ---- the held queue ---- */

/* The verdict as people read it. Without facts (nobody fetched the
 * package through cordon yet, or upstream does not list the version) the
 * window's dates would be invented, so the entry says what is unknown. */
static void verdict_members(const held_entry_t *e, buf_t *b, int *first)
{
    int unknown = e->facts != 1 && !e->vd.allow &&
                  (reason_flags(e->vd.reason) & REASON_F_LIFTS);
    buf_t line;
    buf_init(&line);
    if (!unknown) {
        json_kv_str(b, first, "reason", reason_name(e->vd.reason));
        json_kv_str(b, first, "policy", e->vd.rule);
        if (e->vd.advisory[0]) { /* the OSV record that decided: its id, and its summary when it refused */
            int f2 = 1;
            json_kv_raw(b, first, "advisory", "{", 1);
            json_kv_str(b, &f2, "id", e->vd.advisory);
            json_kv_str(b, &f2, "summary", e->vd.reason == REASON_MALICIOUS ? e->vd.detail : "");
            buf_putc(b, '}');
        }
        if (e->vd.allow)
            json_kv_raw(b, first, "error", "null", 4);
        else
            denial_error_line(e->package, e->version, &e->vd, e->alternative[0] ? e->alternative : NULL, &line);
        json_kv_time(b, first, "published_at", e->vd.published_at);
        json_kv_time(b, first, "eligible_at", e->vd.eligible_at);
    } else {
        json_kv_str(b, first, "reason", "unknown");
        json_kv_str(b, first, "policy", e->vd.rule);
        if (e->facts == 0)
            buf_printf(&line,
                       "%s@%s is not listed upstream (in cordon's copy of %s's metadata): nothing can install it; an "
                       "approval would admit it if it appears",
                       e->package, e->version, e->package);
        else
            buf_printf(&line,
                       "%s@%s: cordon has not fetched %s's metadata from upstream yet, so its publish time is "
                       "unknown; it is decided when a client asks for the package through cordon (or approve it now)",
                       e->package, e->version, e->package);
        json_kv_time(b, first, "published_at", TIME_NONE);
        json_kv_time(b, first, "eligible_at", TIME_NONE);
    }
    if (line.len)
        json_kv_str(b, first, "error", buf_cstr(&line));
    buf_free(&line);
}

/* "findings": [{"kind", "reason", "action", "detail"}], the name check included */
static void findings_members(const config_t *cfg, const findings_t *all, buf_t *b, int *first)
{
    json_kv_raw(b, first, "findings", "[", 1);
    int any = 0;
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        if (!(all->mask & (1u << k)))
            continue;
        int f2 = 1;
        buf_puts(b, any++ ? ",{" : "{");
        json_kv_str(b, &f2, "kind", finding_kind_name((finding_kind_t)k));
        json_kv_str(b, &f2, "reason", reason_name(finding_reason((finding_kind_t)k)));
        json_kv_str(b, &f2, "action",
                    finding_action_name(findings_action(all, (finding_kind_t)k, cfg->analysis.action[k])));
        json_kv_str(b, &f2, "detail", all->detail[k]);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

static void status_members(const review_request_status_t *st, buf_t *out, int *first)
{
    json_kv_str(out, first, "status", review_request_state_name(st->state));
    if (st->review_id) {
        json_kv_int(out, first, "decided_by_review", (int64_t)st->review_id);
        json_kv_str(out, first, "decided_by", st->by);
    }
    json_kv_time(out, first, "decided_at", st->at);
}

/* what clients did about one version: artifact requests refused, and
 * metadata requests answered without it (a resolver that read a document
 * without it never asks for its artifact), with who asked */
static void history_members(const held_entry_t *e, buf_t *b, int *first)
{
    const held_rec_t *r = e->have_rec ? &e->rec : NULL;
    json_kv_str(b, first, "alternative", e->alternative[0] ? e->alternative : NULL);
    json_kv_time(b, first, "first_denied_at", r && r->count ? r->first : TIME_NONE);
    json_kv_time(b, first, "last_denied_at", r && r->count ? r->last : TIME_NONE);
    json_kv_int(b, first, "requests", r ? r->count : 0);
    size_t served_clients = 0;
    for (size_t i = 0; r && i < r->nclients; i++)
        served_clients += r->c[i].served > 0;
    json_kv_int(b, first, "metadata_requests", r ? r->served : 0);
    json_kv_int(b, first, "metadata_clients", (int64_t)served_clients);
    json_kv_time(b, first, "first_served_at", r ? r->served_first : TIME_NONE);
    json_kv_time(b, first, "last_served_at", r ? r->served_last : TIME_NONE);
    json_kv_raw(b, first, "clients", "[", 1);
    for (size_t i = 0; r && i < r->nclients; i++) {
        int f2 = 1;
        buf_puts(b, i ? ",{" : "{");
        json_kv_str(b, &f2, "address", r->c[i].addr);
        json_kv_str(b, &f2, "user_agent", r->c[i].ua);
        json_kv_int(b, &f2, "requests", r->c[i].count);
        json_kv_int(b, &f2, "metadata_requests", r->c[i].served);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

static void entry_view(const config_t *cfg, const held_entry_t *e, const held_request_t *reqs, size_t nreqs,
                       buf_t *b)
{
    int first = 1;
    buf_putc(b, '{');
    json_kv_str(b, &first, "ecosystem", eco_name(e->eco));
    json_kv_str(b, &first, "package", e->package);
    json_kv_str(b, &first, "version", e->version);
    verdict_members(e, b, &first);
    history_members(e, b, &first);
    findings_members(cfg, &e->findings, b, &first);
    json_kv_raw(b, &first, "review_requests", "[", 1);
    int any = 0;
    for (size_t i = nreqs; i-- > 0;) {
        const held_request_t *q = &reqs[i];
        if (q->eco != e->eco || strcmp(q->package, e->package) || strcmp(q->version, e->version))
            continue;
        if (any++)
            buf_putc(b, ',');
        int f2 = 1;
        buf_putc(b, '{');
        json_kv_int(b, &f2, "id", (int64_t)q->id);
        json_kv_time(b, &f2, "time", q->time);
        json_kv_str(b, &f2, "justification", q->justification);
        json_kv_str(b, &f2, "client", q->client);
        review_request_status_t st;
        review_request_status(q, time_now_ms(), &st);
        status_members(&st, b, &f2);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
    denial_review_url_member(cfg->public_url, eco_name(e->eco), e->package, e->version, b, &first);
    buf_putc(b, '}');
}

void view_held_queue(const config_t *cfg, const held_queue_t *q, buf_t *out)
{
    buf_puts(out, "{\"held\":[");
    for (size_t i = 0; i < q->n; i++) {
        if (i)
            buf_putc(out, ',');
        entry_view(cfg, &q->v[i], q->reqs, q->nreqs, out);
    }
    buf_printf(out, "],\"count\":%zu}", q->n);
}

void view_held_version(const config_t *cfg, const held_version_t *hv, const review_t *approvals, size_t napprovals,
                       const review_t *blocks, size_t nblocks, int64_t now, buf_t *out)
{
    const held_entry_t *e = &hv->q.v[0];
    int first = 1;
    buf_putc(out, '{');
    json_kv_str(out, &first, "ecosystem", eco_name(e->eco));
    json_kv_str(out, &first, "package", e->package);
    json_kv_str(out, &first, "version", e->version);
    json_kv_bool(out, &first, "allowed", e->vd.allow);
    verdict_members(e, out, &first);
    json_kv_bool(out, &first, "known_upstream", hv->known);
    findings_members(cfg, &e->findings, out, &first); /* warnings too: an allowed version may carry some */
    json_kv_raw(out, &first, "held", "", 0);
    if (hv->in_queue)
        entry_view(cfg, e, hv->q.reqs, hv->q.nreqs, out);
    else
        buf_puts(out, "null");
    /* no longer held: what it was held for, who asked, and who admitted it */
    json_kv_raw(out, &first, "history", "", 0);
    if (!hv->in_queue && (e->have_rec || hv->asked)) {
        held_entry_t was = *e;
        if (hv->approved)
            was.vd = hv->before;
        entry_view(cfg, &was, hv->q.reqs, hv->q.nreqs, out);
    } else {
        buf_puts(out, "null");
    }
    json_kv_raw(out, &first, "approved_by", "", 0);
    const review_t *by = NULL;
    for (size_t i = 0; e->vd.allow && e->vd.review_id && i < napprovals; i++)
        if (approvals[i].id == e->vd.review_id)
            by = &approvals[i];
    if (by) {
        int f2 = 1;
        buf_putc(out, '{');
        json_kv_int(out, &f2, "id", (int64_t)by->id);
        json_kv_str(out, &f2, "by", by->by);
        json_kv_time(out, &f2, "at", by->created_at);
        json_kv_time(out, &f2, "expires_at", by->expires_at);
        json_kv_str(out, &f2, "comment", by->comment);
        buf_putc(out, '}');
    } else {
        buf_puts(out, "null");
    }
    buf_puts(out, ",\"approvals\":");
    reviews_array(approvals, napprovals, now, out);
    buf_puts(out, ",\"blocks\":");
    reviews_array(blocks, nblocks, now, out);
    buf_putc(out, '}');
}

/* ---- the verdict anyone may ask for ---- */

/* what the asker can do next, in one sentence */
static void next_step(const char *eco, const char *package, const char *version, const lockfile_judged_t *j,
                      buf_t *out)
{
    if (j->status == LOCK_ALLOWED) {
        buf_printf(out, "install it: cordon serves %s@%s", package, version);
        return;
    }
    if (j->status == LOCK_UNKNOWN) {
        buf_puts(out, "nothing was decided: ask again once the upstream answers");
        return;
    }
    unsigned flags = reason_flags(j->reason);
    if (j->alternative)
        buf_printf(out, "install %s@%s instead", package, j->alternative);
    else
        buf_puts(out, "no version of it is allowed now");
    if ((flags & REASON_F_LIFTS) && j->eligible_at != TIME_NONE) {
        char t[40];
        time_format_iso8601(j->eligible_at, t, sizeof(t), 0);
        buf_printf(out, ", wait until %s (then it is served by itself)", t);
    }
    if (j->reason == REASON_MALICIOUS || j->reason == REASON_REMOVED_UPSTREAM)
        buf_puts(out, ": no approval admits it");
    else if (flags & REASON_F_HELD)
        buf_printf(out, ", or ask a reviewer: cordon review request %s %s %s --justification '…'", eco, package,
                   version);
    else if (j->reason == REASON_NOT_FOUND)
        buf_puts(out, ": upstream does not publish this version");
    else
        buf_puts(out, ": no approval admits it");
}

void view_verdict(const char *public_url, eco_id_t eco, const char *package, const char *version,
                  const lockfile_judged_t *j, const char *request_id, buf_t *out)
{
    static const char *const STATUS[] = {[LOCK_ALLOWED] = "allowed", [LOCK_HELD] = "held", [LOCK_UNKNOWN] = "unknown"};
    const char *en = eco_name(eco);
    int first = 1;
    buf_putc(out, '{');
    if (j->status == LOCK_ALLOWED)
        json_kv_raw(out, &first, "error", "null", 4);
    else
        json_kv_str(out, &first, "error", j->error ? j->error : "");
    json_kv_bool(out, &first, "allow", j->status == LOCK_ALLOWED);
    json_kv_str(out, &first, "status", STATUS[j->status]);
    if (j->status == LOCK_ALLOWED)
        json_kv_raw(out, &first, "reason", "null", 4);
    else
        json_kv_str(out, &first, "reason", j->status == LOCK_UNKNOWN ? "unknown" : reason_name(j->reason));
    json_kv_str(out, &first, "ecosystem", en);
    json_kv_str(out, &first, "package", package);
    json_kv_str(out, &first, "version", version);
    json_kv_time(out, &first, "published_at", j->published_at);
    json_kv_time(out, &first, "eligible_at", j->eligible_at);
    json_kv_str(out, &first, "policy", j->rule ? j->rule : "");
    if (j->advisory)
        json_kv_str(out, &first, "advisory", j->advisory);
    if (j->alternative)
        json_kv_str(out, &first, "alternative", j->alternative);
    else
        json_kv_raw(out, &first, "alternative", "null", 4);
    if (j->upstream_error)
        json_kv_str(out, &first, "upstream_error", j->upstream_error);
    buf_t line;
    buf_init(&line);
    next_step(en, package, version, j, &line);
    json_kv_str(out, &first, "next", buf_cstr(&line));
    buf_free(&line);
    json_kv_str(out, &first, "request_id", request_id ? request_id : "");
    denial_review_url_member(public_url, en, package, version, out, &first);
    buf_putc(out, '}');
}

/* ---- review requests ---- */

void view_verdict_text(eco_id_t eco, const char *package, const char *version, const lockfile_judged_t *j,
                       buf_t *out)
{
    if (j->status == LOCK_ALLOWED) {
        buf_printf(out, "allowed: %s %s@%s passes cordon's policy; ", eco_name(eco), package, version);
    } else {
        buf_printf(out, "%s: %s ", j->status == LOCK_HELD ? "held" : "unknown", j->error ? j->error : "");
        buf_puts(out, "Next: ");
    }
    next_step(eco_name(eco), package, version, j, out);
}

void view_review_request(const held_request_t *q, const review_request_status_t *st, int with_client,
                         const char *public_url, buf_t *out)
{
    int first = 1;
    buf_putc(out, '{');
    if (with_client) {
        held_request_members(q, out, &first); /* what its audit record says */
    } else {
        json_kv_int(out, &first, "id", (int64_t)q->id);
        json_kv_str(out, &first, "ecosystem", eco_name(q->eco));
        json_kv_str(out, &first, "package", q->package);
        json_kv_str(out, &first, "version", q->version);
        json_kv_str(out, &first, "justification", q->justification);
    }
    json_kv_time(out, &first, "time", q->time);
    if (st)
        status_members(st, out, &first);
    if (public_url) {
        denial_review_url_member(public_url, eco_name(q->eco), q->package, q->version, out, &first);
    }
    buf_putc(out, '}');
}

void view_review_requests(const held_request_t *v, size_t n, int64_t now, buf_t *out)
{
    buf_puts(out, "{\"reviews\":[");
    for (size_t i = n; i-- > 0;) {
        review_request_status_t st;
        review_request_status(&v[i], now, &st);
        view_review_request(&v[i], &st, 1, NULL, out);
        if (i)
            buf_putc(out, ',');
    }
    buf_puts(out, "]}");
}

/* ---- lockfiles ---- */

static void base_member(buf_t *out, int *first, uint64_t base)
{
    if (base)
        json_kv_int(out, first, "base", (int64_t)base);
    else
        json_kv_raw(out, first, "base", "null", 4);
}

static const char *const CHANGE_NAMES[LOCK_CH_COUNT] = {
    [LOCK_CH_ADDED] = "added",
    [LOCK_CH_REMOVED] = "removed",
    [LOCK_CH_UPGRADED] = "upgraded",
    [LOCK_CH_DOWNGRADED] = "downgraded",
    [LOCK_CH_INTEGRITY] = "integrity_changed",
    [LOCK_CH_RESOLVED] = "resolved_changed",
    [LOCK_CH_UNCHANGED] = "unchanged",
};
static const char *const IC_NAMES[LOCK_IC_COUNT] = {
    [LOCK_IC_NONE] = "none",
    [LOCK_IC_UNAVAILABLE] = "unavailable",
    [LOCK_IC_VERIFIED] = "verified",
    [LOCK_IC_MISMATCH] = "mismatch",
};

/* "verdict": {"status", "allowed", "reason", "policy", ["alternative"], "error", ["upstream_error"], times} */
static void lockfile_verdict_member(const lockfile_judged_t *j, buf_t *b, int *first)
{
    static const char *const STATUS[] = {[LOCK_ALLOWED] = "allowed", [LOCK_HELD] = "held", [LOCK_UNKNOWN] = "unknown"};
    json_kv_raw(b, first, "verdict", "{", 1);
    int f2 = 1;
    json_kv_str(b, &f2, "status", STATUS[j->status]);
    json_kv_bool(b, &f2, "allowed", j->status == LOCK_ALLOWED);
    json_kv_str(b, &f2, "reason",
                j->status == LOCK_ALLOWED ? "" : j->status == LOCK_UNKNOWN ? "unknown" : reason_name(j->reason));
    json_kv_str(b, &f2, "policy", j->rule);
    if (j->alternative)
        json_kv_str(b, &f2, "alternative", j->alternative);
    if (j->advisory)
        json_kv_str(b, &f2, "advisory", j->advisory);
    if (j->status == LOCK_ALLOWED)
        json_kv_raw(b, &f2, "error", "null", 4);
    else
        json_kv_str(b, &f2, "error", j->error);
    if (j->upstream_error)
        json_kv_str(b, &f2, "upstream_error", j->upstream_error);
    json_kv_time(b, &f2, "published_at", j->published_at);
    json_kv_time(b, &f2, "eligible_at", j->eligible_at);
    buf_putc(b, '}');
}

/* one change of a report: the entry, its flags, and (unless removed) its verdict */
static void lockfile_change(const lockfile_judged_t *j, buf_t *b)
{
    const lock_entry_t *e = j->entry;
    int first = 1;
    buf_putc(b, '{');
    json_kv_str(b, &first, "change", CHANGE_NAMES[j->change]);
    json_kv_str(b, &first, "ecosystem", eco_name(e->eco));
    json_kv_str(b, &first, "package", e->package);
    json_kv_str(b, &first, "version", e->version);
    if (j->from_version)
        json_kv_str(b, &first, "from_version", j->from_version);
    json_kv_int(b, &first, "line", e->line);
    json_kv_bool(b, &first, "direct", e->direct);
    json_kv_bool(b, &first, "dev", e->dev);
    json_kv_str(b, &first, "integrity", e->integrity);
    json_kv_str(b, &first, "resolved", e->resolved);
    json_kv_raw(b, &first, "flags", "[", 1);
    int nflags = 0;
    if (j->integrity_changed)
        buf_puts(b, nflags++ ? ",\"integrity_changed\"" : "\"integrity_changed\"");
    if (j->resolved_elsewhere)
        buf_puts(b, nflags++ ? ",\"resolved_elsewhere\"" : "\"resolved_elsewhere\"");
    buf_putc(b, ']');
    if (j->change != LOCK_CH_REMOVED) {
        json_kv_str(b, &first, "integrity_check", IC_NAMES[j->integrity_check]);
        if (j->integrity_check == LOCK_IC_MISMATCH)
            json_kv_str(b, &first, "upstream_integrity", j->upstream_integrity);
        lockfile_verdict_member(j, b, &first);
    }
    buf_putc(b, '}');
}

/* "fetch": what the check asked upstream first, and what failed */
static void lockfile_fetch_member(const lockfile_fetch_summary_t *f, buf_t *b)
{
    buf_printf(b,
               ",\"fetch\":{\"documents\":%zu,\"fetched\":%zu,\"not_found\":%zu,\"failed\":%zu,\"unfinished\":%zu,"
               "\"unstarted\":%zu,\"deadline_seconds\":%lld,\"errors\":[",
               f->documents, f->fetched, f->not_found, f->failed, f->unfinished, f->unstarted,
               (long long)f->deadline_seconds);
    for (size_t i = 0; i < f->nerrors; i++) {
        int first = 1;
        buf_puts(b, i ? ",{" : "{");
        json_kv_str(b, &first, "ecosystem", eco_name(f->errors[i].eco));
        json_kv_str(b, &first, "package", f->errors[i].package);
        json_kv_str(b, &first, "error", f->errors[i].error);
        buf_putc(b, '}');
    }
    buf_puts(b, "]}");
}

void view_lockfile_report(const lockfile_report_t *r, buf_t *out)
{
    int first = 1;
    buf_putc(out, '{');
    json_kv_str(out, &first, "project", r->project);
    json_kv_str(out, &first, "ref", r->ref);
    json_kv_str(out, &first, "format", r->format);
    json_kv_time(out, &first, "time", r->time);
    json_kv_str(out, &first, "sha256", r->sha256);
    json_kv_bool(out, &first, "ok", r->ok);
    json_kv_bool(out, &first, "accepted", r->accepted);
    lockfile_summary_members(&r->counts, out, &first);
    buf_puts(out, ",\"changes\":[");
    for (size_t i = 0; i < r->nchanges; i++) {
        if (i)
            buf_putc(out, ',');
        lockfile_change(&r->changes[i], out);
    }
    buf_printf(out, "],\"changes_omitted\":%zu", r->omitted);
    lockfile_fetch_member(&r->fetch, out);
    if (r->submission)
        json_kv_int(out, &first, "submission", (int64_t)r->submission);
    else /* a dry run (the MCP tool check_lockfile): nothing stored */
        json_kv_raw(out, &first, "submission", "null", 4);
    base_member(out, &first, r->base);
    buf_putc(out, '}');
}

void view_lockfile_history(const char *project, const lockfile_history_t *h, buf_t *out)
{
    int first = 1;
    buf_putc(out, '{');
    json_kv_str(out, &first, "project", project);
    base_member(out, &first, h->base);
    buf_puts(out, ",\"submissions\":[");
    for (size_t i = 0; i < h->n; i++) {
        const lockfile_submission_t *s = &h->v[i];
        int f2 = 1;
        buf_puts(out, i ? ",{" : "{");
        json_kv_int(out, &f2, "submission", (int64_t)s->id);
        json_kv_time(out, &f2, "time", s->time);
        json_kv_str(out, &f2, "ref", s->ref);
        json_kv_str(out, &f2, "format", s->format);
        json_kv_bool(out, &f2, "ok", s->ok);
        json_kv_bool(out, &f2, "accepted", s->accepted);
        if (s->has_summary) {
            buf_puts(out, ",\"summary\":{");
            for (size_t k = 0; k < s->nsummary; k++) {
                if (k)
                    buf_putc(out, ',');
                json_cstr(out, s->summary[k].key);
                buf_printf(out, ":%lld", s->summary[k].value);
            }
            buf_putc(out, '}');
        }
        buf_putc(out, '}');
    }
    buf_puts(out, "]}");
}

void view_lockfile_projects(const lockfile_project_t *v, size_t n, buf_t *out)
{
    buf_puts(out, "{\"projects\":[");
    for (size_t i = 0; i < n; i++) {
        const lockfile_project_t *p = &v[i];
        int first = 1;
        buf_puts(out, i ? ",{" : "{");
        json_kv_str(out, &first, "project", p->project);
        json_kv_int(out, &first, "latest", (int64_t)p->latest);
        json_kv_time(out, &first, "time", p->time);
        json_kv_str(out, &first, "ref", p->ref);
        json_kv_bool(out, &first, "ok", p->ok);
        json_kv_bool(out, &first, "accepted", p->accepted);
        base_member(out, &first, p->base);
        buf_putc(out, '}');
    }
    buf_puts(out, "]}");
}

void view_lockfile_approved(const review_t *v, size_t n, uint64_t base, int64_t now, buf_t *out)
{
    buf_puts(out, "{\"approvals\":");
    reviews_array(v, n, now, out);
    buf_printf(out, ",\"base\":%" PRIu64 "}", base);
}

/* ---- the dependency closure ---- */

static const char *node_status(const closure_node_t *n)
{
    return n->version == NULL ? "unresolved" : n->vd.allow ? "allowed" : "held";
}

static void closure_node_view(const config_t *cfg, const closure_t *c, size_t i, buf_t *b)
{
    const closure_node_t *n = &c->v[i];
    int first = 1;
    buf_putc(b, '{');
    json_kv_str(b, &first, "package", n->package);
    json_kv_str(b, &first, "version", n->version);
    json_kv_str(b, &first, "spec", n->spec);
    json_kv_int(b, &first, "depth", n->depth);
    if (i == 0) {
        json_kv_raw(b, &first, "required_by", "null", 4);
    } else {
        const closure_node_t *p = &c->v[n->parent];
        buf_t by;
        buf_init(&by);
        buf_printf(&by, "%s@%s", p->package, p->version ? p->version : "?");
        json_kv_str(b, &first, "required_by", buf_cstr(&by));
        buf_free(&by);
    }
    json_kv_str(b, &first, "status", node_status(n));
    if (n->version && !n->vd.allow) {
        json_kv_str(b, &first, "reason", reason_name(n->vd.reason));
        json_kv_str(b, &first, "policy", n->vd.rule);
        json_kv_time(b, &first, "eligible_at", n->vd.eligible_at);
        json_kv_bool(b, &first, "approvable", closure_approvable(c, i));
        buf_t line;
        buf_init(&line);
        json_kv_str(b, &first, "alternative", n->alternative[0] ? n->alternative : NULL);
        denial_error_line(n->package, n->version, &n->vd, n->alternative[0] ? n->alternative : NULL, &line);
        json_kv_str(b, &first, "error", buf_cstr(&line));
        buf_free(&line);
        denial_review_url_member(cfg->public_url, eco_name(c->eco), n->package, n->version, b, &first);
    } else {
        json_kv_str(b, &first, "error", n->error);
    }
    buf_putc(b, '}');
}

void view_closure(const config_t *cfg, const closure_t *c, buf_t *out)
{
    const closure_node_t *root = &c->v[0];
    int first = 1;
    buf_putc(out, '{');
    json_kv_str(out, &first, "ecosystem", eco_name(c->eco));
    json_kv_str(out, &first, "package", root->package);
    json_kv_str(out, &first, "version", root->version);
    json_kv_raw(out, &first, "target", "", 0);
    int f2 = 1;
    buf_putc(out, '{');
    json_kv_str(out, &f2, "platform", c->platform);
    json_kv_str(out, &f2, "python", c->python);
    buf_putc(out, '}');
    json_kv_bool(out, &first, "allowed", root->vd.allow);
    json_kv_str(out, &first, "error", root->error);
    json_kv_int(out, &first, "versions", (int64_t)c->n);
    json_kv_int(out, &first, "held", (int64_t)closure_held_count(c));
    json_kv_int(out, &first, "approvable", (int64_t)closure_approvable_count(c));
    json_kv_bool(out, &first, "truncated", c->truncated);
    json_kv_int(out, &first, "fetched", (int64_t)c->fetched);
    json_kv_int(out, &first, "fetch_failed", (int64_t)c->fetch_failed);
    json_kv_raw(out, &first, "closure", "[", 1);
    for (size_t i = 0; i < c->n; i++) {
        if (i)
            buf_putc(out, ',');
        closure_node_view(cfg, c, i, out);
    }
    buf_putc(out, ']');
    json_kv_raw(out, &first, "needs_approval", "[", 1);
    int any = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i].version == NULL || c->v[i].vd.allow)
            continue;
        if (any++)
            buf_putc(out, ',');
        closure_node_view(cfg, c, i, out);
    }
    buf_puts(out, "]}");
}

void view_approval_set(const char *note, const review_t *v, size_t n, const closure_t *c, int64_t now, buf_t *out)
{
    int first = 1;
    buf_putc(out, '{');
    json_kv_str(out, &first, "change_set", note);
    json_kv_raw(out, &first, "approvals", "", 0);
    reviews_array(v, n, now, out);
    json_kv_raw(out, &first, "not_approvable", "[", 1);
    int any = 0;
    for (size_t i = 0; i < c->n; i++) {
        const closure_node_t *nd = &c->v[i];
        if (nd->version == NULL || nd->vd.allow || closure_approvable(c, i))
            continue;
        int f2 = 1;
        buf_puts(out, any++ ? ",{" : "{");
        json_kv_str(out, &f2, "package", nd->package);
        json_kv_str(out, &f2, "version", nd->version);
        json_kv_str(out, &f2, "reason", reason_name(nd->vd.reason));
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
    json_kv_raw(out, &first, "unresolved", "[", 1);
    any = 0;
    for (size_t i = 0; i < c->n; i++) {
        const closure_node_t *nd = &c->v[i];
        if (nd->version != NULL && nd->error == NULL)
            continue;
        int f2 = 1;
        buf_puts(out, any++ ? ",{" : "{");
        json_kv_str(out, &f2, "package", nd->package);
        json_kv_str(out, &f2, "version", nd->version);
        json_kv_str(out, &f2, "spec", nd->spec);
        json_kv_str(out, &f2, "error", nd->error);
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
    json_kv_raw(out, &first, "closure", "", 0);
    int f3 = 1;
    buf_putc(out, '{');
    json_kv_int(out, &f3, "versions", (int64_t)c->n);
    json_kv_int(out, &f3, "held", (int64_t)closure_held_count(c));
    json_kv_bool(out, &f3, "truncated", c->truncated);
    buf_puts(out, "}}");
}

/* ---- the chain ---- */

void view_chain_open(const char *member, buf_t *out)
{
    buf_putc(out, '{');
    json_cstr(out, member);
    buf_puts(out, ":[");
}

void view_chain_record(buf_t *out, long i, const char *rec, size_t len)
{
    if (i)
        buf_putc(out, ',');
    buf_append(out, rec, len);
}

void view_chain_close(const chain_page_t *page, buf_t *out)
{
    if (page->more)
        buf_printf(out, "],\"next_before\":%" PRIu64 "}", page->next_before);
    else
        buf_puts(out, "],\"next_before\":null}");
}
