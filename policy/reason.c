/* reason: the reasons' names and flags (see reason.h), one
 * designated-initialiser table. */
#include "policy/reason.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned flags;
} REASONS[REASON_COUNT] = {
    [REASON_NONE] = {"", 0},
    [REASON_QUARANTINE] = {"quarantine", REASON_F_LIFTS | REASON_F_HELD},
    [REASON_BLOCKED] = {"blocked", REASON_F_HELD},
    [REASON_INSTALL_SCRIPT] = {"install_script", REASON_F_ANALYSIS | REASON_F_HELD},
    [REASON_NEW_INSTALL_SCRIPT] = {"new_install_script", REASON_F_ANALYSIS | REASON_F_HELD},
    [REASON_MANIFEST_MISMATCH] = {"manifest_mismatch", REASON_F_ANALYSIS | REASON_F_HELD},
    [REASON_TYPOSQUAT] = {"typosquat", REASON_F_ANALYSIS | REASON_F_HELD},
    [REASON_MALFORMED_ARCHIVE] = {"malformed_archive", REASON_F_ANALYSIS | REASON_F_HELD},
    [REASON_INTEGRITY_MISMATCH] = {"integrity_mismatch", 0},
    [REASON_MISSING_TIMESTAMP] = {"missing_timestamp", REASON_F_LIFTS | REASON_F_HELD},
    [REASON_PUBLISH_FORBIDDEN] = {"publish_forbidden", 0},
    [REASON_MALICIOUS] = {"malicious", REASON_F_HELD},
    [REASON_REMOVED_UPSTREAM] = {"removed_upstream", REASON_F_HELD},
    [REASON_PROVENANCE_REGRESSION] = {"provenance_regression", REASON_F_HELD},
    [REASON_PUBLISHER_CHANGE] = {"publisher_change", REASON_F_HELD},
    [REASON_NOT_FOUND] = {"not_found", 0},
    [REASON_UPSTREAM_ERROR] = {"upstream_error", 0},
};

/* the reason a held finding of each kind gives (DESIGN.md, Denials) */
static const reason_t FINDING_REASONS[FINDING_KIND_COUNT] = {
    [FINDING_INSTALL_SCRIPT] = REASON_INSTALL_SCRIPT,
    [FINDING_NEW_INSTALL_SCRIPT] = REASON_NEW_INSTALL_SCRIPT,
    [FINDING_MANIFEST_MISMATCH] = REASON_MANIFEST_MISMATCH,
    [FINDING_TYPOSQUAT] = REASON_TYPOSQUAT,
    [FINDING_MALFORMED_ARCHIVE] = REASON_MALFORMED_ARCHIVE,
    [FINDING_PTH_FILE] = REASON_INSTALL_SCRIPT,
    [FINDING_SDIST_ONLY] = REASON_INSTALL_SCRIPT,
    [FINDING_POM_REPOSITORIES] = REASON_MANIFEST_MISMATCH,
    [FINDING_PROVENANCE_REGRESSION] = REASON_PROVENANCE_REGRESSION,
    [FINDING_PUBLISHER_CHANGE] = REASON_PUBLISHER_CHANGE,
};

const char *reason_name(reason_t r) { return r < REASON_COUNT ? REASONS[r].name : "?"; }
unsigned reason_flags(reason_t r) { return r < REASON_COUNT ? REASONS[r].flags : 0; }
reason_t finding_reason(finding_kind_t k) { return k < FINDING_KIND_COUNT ? FINDING_REASONS[k] : REASON_BLOCKED; }

reason_t reason_from_name(const char *s)
{
    for (int r = 0; r < REASON_COUNT; r++)
        if (strcmp(REASONS[r].name, s) == 0)
            return (reason_t)r;
    return REASON_COUNT;
}
