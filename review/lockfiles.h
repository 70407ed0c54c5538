/* lockfiles: what CI sends on every lockfile change (POST
 * /-/api/lockfiles/PROJECT). The lockfile is parsed (core/lockfile.h and each ecosystem's parsers), diffed
 * against the project's accepted snapshot — added, removed, upgraded,
 * downgraded, integrity changed for the same version, resolved from
 * somewhere that is neither cordon nor its upstream — and every entry,
 * changed or not, is judged by policy_judge (a block, rule or finding that
 * came after the base was accepted fails the same lockfile), its integrity
 * compared with the digests upstream publishes for that version
 * (integrity_mismatch), and a version upstream does not publish is
 * not_found. Metadata cordon's copy does not know is fetched first, through
 * the fetcher (fetch.lockfile_deadline); only an upstream that fails or does
 * not answer in time leaves an entry "unknown", and the entry says so. The
 * snapshot, the diff and the verdicts are stored (DB_LOCKFILES) and audited;
 * the snapshot becomes the accepted base when nothing in it is held, or when
 * a reviewer approves the change set (one approval per held entry). The
 * report is data (lockfile_report_t); the caller's view (admin/views.c)
 * writes the document stored with it.
 *
 * lockfiles_check blocks its thread while it fetches: call it from a
 * worker thread, never from an event loop. */
#ifndef CORDON_LOCKFILES_H
#define CORDON_LOCKFILES_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "core/lockfile.h"
#include "core/config.h"
#include "policy/approvals.h"
#include "policy/reason.h"

typedef struct lockfile_submit {
    const char *project; /* 1-200 of [A-Za-z0-9._~@/-] */
    const char *ref;     /* commit or branch, may be "" */
    lock_format_t format;
    const char *body;
    size_t len;
    const char *by;     /* token name */
    const char *client; /* address */
    /* a dry run (the MCP tool check_lockfile): judged and reported the same
     * way, nothing stored or audited, the report's submission 0; project may
     * then be NULL (no base: every entry is added) */
    int dry_run;
} lockfile_submit_t;

int lockfiles_project_valid(const char *project);

typedef enum {
    LOCKFILES_OK = 0,
    LOCKFILES_UNREADABLE,     /* the lockfile cannot be read: err names the line */
    LOCKFILES_NOT_FOUND,      /* no such project or submission */
    LOCKFILES_NOT_APPROVABLE, /* entries no approval can admit: err names them */
    LOCKFILES_STORE_ERROR,    /* the store cannot be read or written (err, where given, says why) */
} lockfiles_result_t;

/* ---- what a check found: the report, as data ---- */

typedef enum {
    LOCK_CH_ADDED,
    LOCK_CH_REMOVED, /* judged no further: only what the base's entry was */
    LOCK_CH_UPGRADED,
    LOCK_CH_DOWNGRADED,
    LOCK_CH_INTEGRITY, /* the same version pinned to other digests */
    LOCK_CH_RESOLVED,  /* the same pin downloaded from somewhere else */
    LOCK_CH_UNCHANGED, /* listed only when it is a problem now */
    LOCK_CH_COUNT
} lockfile_change_t;

/* the lockfile's digests against upstream's */
typedef enum { LOCK_IC_NONE, LOCK_IC_UNAVAILABLE, LOCK_IC_VERIFIED, LOCK_IC_MISMATCH, LOCK_IC_COUNT } lockfile_ic_t;

typedef enum { LOCK_ALLOWED, LOCK_HELD, LOCK_UNKNOWN } lockfile_status_t;

/* one entry of a check, judged (strings owned unless said otherwise) */
typedef struct lockfile_judged {
    lockfile_change_t change;
    const lock_entry_t *entry;     /* borrowed: the submission's entry (the base's when removed) */
    const char *from_version;      /* borrowed: upgraded/downgraded from; NULL otherwise */
    int integrity_changed;         /* flags */
    int resolved_elsewhere;
    lockfile_ic_t integrity_check;
    char *upstream_integrity;      /* what upstream publishes, when LOCK_IC_MISMATCH */
    lockfile_status_t status;
    reason_t reason;               /* when held: the policy's, REASON_INTEGRITY_MISMATCH or REASON_NOT_FOUND */
    char *rule;                    /* the policy's rule, or what else decided ("upstream integrity") */
    char *alternative;             /* the newest allowed version, or NULL */
    char *advisory;                /* the OSV record that decided (malicious, the fast lane), or NULL */
    char *error;                   /* the line people read; NULL when allowed */
    const char *upstream_error;    /* borrowed: the upstream's own error when unknown, or NULL */
    int64_t published_at, eligible_at; /* TIME_NONE when not known or not the policy's */
} lockfile_judged_t;

typedef struct lockfile_counts {
    size_t entries, added, removed, upgraded, downgraded, integrity_changed, elsewhere, allowed, held, unknown;
    size_t unchanged, integrity_mismatch, not_found;
} lockfile_counts_t;

#define LOCKFILES_FETCH_ERRORS_LISTED 10
/* the metadata the check fetched from upstream first */
typedef struct lockfile_fetch_summary {
    size_t documents, fetched, not_found, failed, unfinished, unstarted;
    int64_t deadline_seconds;
    size_t nerrors; /* the first failures, borrowed */
    struct {
        eco_id_t eco;
        const char *package, *error;
    } errors[LOCKFILES_FETCH_ERRORS_LISTED];
} lockfile_fetch_summary_t;

/* the report of one submission, as lockfiles_check hands it to the view
 * that writes the stored document */
typedef struct lockfile_report {
    const char *project, *ref, *format, *sha256;
    int64_t time;
    int ok, accepted;
    lockfile_counts_t counts;
    const lockfile_judged_t *changes; /* every problem and the first others */
    size_t nchanges, omitted;
    lockfile_fetch_summary_t fetch;
    uint64_t submission, base; /* base 0: none accepted */
} lockfile_report_t;

/* the report's "summary" member, which its audit record carries too */
void lockfile_summary_members(const lockfile_counts_t *c, buf_t *b, int *first);

/* writes the document stored with a submission and answered for it
 * (docs/admin-api.md): admin/views.c's view_lockfile_report */
typedef void (*lockfile_report_view_fn)(const lockfile_report_t *r, buf_t *out);

/* Checks, stores and audits one submission (a dry run: checks it only);
 * view writes its report (the document stored with it), which out gets:
 * LOCKFILES_OK, UNREADABLE or STORE_ERROR, with err. */
lockfiles_result_t lockfiles_check(const config_t *cfg, const lockfile_submit_t *s, lockfile_report_view_fn view,
                                   buf_t *out, char *err, size_t errlen);

/* The verdict on one version as a lockfile check would give it for an entry
 * pinning it without a digest (GET /-/api/verdict, cordon why): the policy's
 * judgement, not_found when upstream does not publish it, unknown when
 * upstream cannot be asked; metadata cordon's copy does not know is fetched
 * first, within fetch.lockfile_deadline. Nothing is stored. out->entry is
 * NULL, its strings owned (lockfile_judged_free). Blocks its thread while it
 * fetches: call from a worker. 0, -1 out of memory. */
int lockfiles_judge_version(const config_t *cfg, eco_id_t eco, const char *package, const char *version,
                            lockfile_judged_t *out);
void lockfile_judged_free(lockfile_judged_t *j);

#define LOCKFILES_SUMMARY_MAX 24
/* one submission as a project's history lists it */
typedef struct lockfile_submission {
    uint64_t id;
    int64_t time;
    char *ref, *format;
    int ok, accepted;
    int has_summary;
    size_t nsummary; /* the report's summary counts, in its order */
    struct {
        char key[32];
        long long value;
    } summary[LOCKFILES_SUMMARY_MAX];
} lockfile_submission_t;

typedef struct lockfile_history {
    uint64_t base; /* the accepted submission, 0 none */
    lockfile_submission_t *v; /* newest first */
    size_t n;
} lockfile_history_t;

/* a project's submissions: LOCKFILES_OK, NOT_FOUND (none) or STORE_ERROR */
lockfiles_result_t lockfiles_history(const char *project, lockfile_history_t *out);
void lockfile_history_free(lockfile_history_t *h);

/* the latest submission of each project */
typedef struct lockfile_project {
    char *project, *ref;
    uint64_t latest, base; /* base 0: none accepted */
    int64_t time;
    int ok, accepted;
} lockfile_project_t;

/* every project, in name order: LOCKFILES_OK or STORE_ERROR */
lockfiles_result_t lockfiles_projects(lockfile_project_t **out, size_t *n);
void lockfile_projects_free(lockfile_project_t *v, size_t n);

/* the stored report of one submission (NUL-terminated, the caller frees):
 * LOCKFILES_OK, NOT_FOUND or STORE_ERROR */
lockfiles_result_t lockfiles_report(const char *project, uint64_t id, char **report);

/* A reviewer approves submission id as a change set: one approval per
 * entry it held (comment + " (lockfile PROJECT#ID)"), then it becomes the
 * accepted base. LOCKFILES_OK (*approvals gets the records made, free with
 * reviews_free), NOT_FOUND, NOT_APPROVABLE (err: entries no approval can
 * admit — integrity_mismatch, not_found — so nothing is approved), or
 * STORE_ERROR (err). */
lockfiles_result_t lockfiles_approve(const config_t *cfg, const char *project, uint64_t id, const char *comment,
                                     int64_t expires_ms, const char *by, review_t **approvals, size_t *napprovals,
                                     char *err, size_t errlen);

#endif
