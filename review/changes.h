/* changes: what a version changes against the version a client could
 * install before it — the version view's "what changed" and GET
 * /-/api/changes. Both sides are the artifacts' listings analysis recorded
 * (analysis/contents.h); an artifact cordon has not analysed yet is
 * fetched, verified and analysed first (never served by this), within
 * fetch.lockfile_deadline. The version before is the newest older release
 * cordon serves now (review/range.h), or the one the caller names. Blocks
 * its thread while it fetches: call it from a worker. */
#ifndef CORDON_CHANGES_H
#define CORDON_CHANGES_H

#include "analysis/contents.h"
#include "common/buf.h"
#include "core/config.h"

/* entries of one list of a diff shown at most (the counts are whole) */
#define CHANGES_LIST_MAX 500

/* The diff as JSON members (no braces) appended to out:
 *   "files": {"added": [{path, size}], "removed": [...], "changed": [{path, size, previous_size}],
 *             "unchanged": N, "added_count": N, "removed_count": N, "changed_count": N,
 *             "bytes": N, "previous_bytes": N, "partial": bool},
 *   "dependencies" / "scripts" / "entry_points" / "links":
 *             {"added": [{name, value}], "removed": [{name, value}], "changed": [{name, value, previous}],
 *              "now": [{name, value}]}
 * before NULL: everything is added (a first release). Pure. */
void changes_diff_json(const contents_t *before, const contents_t *now, buf_t *out);

/* The whole answer of GET /-/api/changes for package@version (against:
 * the version to compare with, NULL: the one before) into out, a JSON
 * object; *status is the HTTP status (200; 404 when upstream lists no such
 * version; 502 when its artifact could not be fetched). -1 out of memory. */
int changes_view(const config_t *cfg, eco_id_t eco, const char *package, const char *version, const char *against,
                 buf_t *out, int *status);

#endif
