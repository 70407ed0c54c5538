/* lockfiles: what CI sends on every lockfile change (POST
 * /-/api/lockfiles/PROJECT). The lockfile is parsed (core/lockfile.h and each ecosystem's parsers), diffed
 * against the project's accepted snapshot — added, removed, upgraded,
 * downgraded, integrity changed for the same version, resolved from
 * somewhere that is neither cordon nor its upstream — and every entry,
 * changed or not, is judged by policy_decide (a block, rule or finding that
 * came after the base was accepted fails the same lockfile), its integrity
 * compared with the digests upstream publishes for that version
 * (integrity_mismatch), and a version upstream does not publish is
 * not_found. Metadata cordon's copy does not know is fetched first, through
 * the fetcher (fetch.lockfile_deadline); only an upstream that fails or does
 * not answer in time leaves an entry "unknown", and the entry says so. The
 * snapshot, the diff and the verdicts are stored (DB_LOCKFILES) and audited;
 * the snapshot becomes the accepted base when nothing in it is held, or when
 * a reviewer approves the change set (one approval per held entry).
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

typedef struct lockfile_submit {
    const char *project; /* 1-200 of [A-Za-z0-9._~@/-] */
    const char *ref;     /* commit or branch, may be "" */
    lock_format_t format;
    const char *body;
    size_t len;
    const char *by;     /* token name */
    const char *client; /* address */
} lockfile_submit_t;

int lockfiles_project_valid(const char *project);

/* Checks, stores and audits one submission; out gets the report. Returns
 * 0, or an HTTP status (400 unreadable lockfile, 503 store) with err. */
int lockfiles_check(const config_t *cfg, const lockfile_submit_t *s, buf_t *out, char *err, size_t errlen);
/* {"project", "base", "submissions": [summaries, newest first]}; 0 or 404 */
int lockfiles_history_json(const char *project, buf_t *out);
/* {"projects": [{project, latest, time, ref, ok, accepted, base}]} */
int lockfiles_projects_json(buf_t *out);
/* the stored report of one submission; 0 or 404 */
int lockfiles_report_json(const char *project, uint64_t id, buf_t *out);
/* A reviewer approves submission id as a change set: one approval per
 * entry it held (comment + " (lockfile PROJECT#ID)"), then it becomes the
 * accepted base. 0 (out: {"approvals": [...], "base": id}), 404, 409 (err:
 * entries no approval can admit — integrity_mismatch, not_found — so
 * nothing is approved), or -1 (err). */
int lockfiles_approve(const config_t *cfg, const char *project, uint64_t id, const char *comment, int64_t expires_ms,
                      const char *by, buf_t *out, char *err, size_t errlen);

#endif
