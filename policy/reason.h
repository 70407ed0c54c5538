/* reason: why a version is refused, as DESIGN.md lists the reasons — one
 * enum and one table of names and flags that denials, the decision log,
 * metrics, the held queue and lockfile reports all use. */
#ifndef CORDON_REASON_H
#define CORDON_REASON_H

#include "core/finding_kind.h"

typedef enum {
    REASON_NONE = 0, /* allowed */
    REASON_QUARANTINE,
    REASON_BLOCKED,
    REASON_INSTALL_SCRIPT,
    REASON_NEW_INSTALL_SCRIPT,
    REASON_MANIFEST_MISMATCH,
    REASON_TYPOSQUAT,
    REASON_MALFORMED_ARCHIVE,
    REASON_INTEGRITY_MISMATCH,
    REASON_MISSING_TIMESTAMP,
    REASON_PUBLISH_FORBIDDEN,
    REASON_MALICIOUS,
    REASON_REMOVED_UPSTREAM,
    REASON_PROVENANCE_REGRESSION,
    REASON_PUBLISHER_CHANGE,
    REASON_NOT_FOUND,      /* a lockfile pins what upstream does not publish */
    REASON_UPSTREAM_ERROR, /* cordon could not learn the facts (not a refusal of the version) */
    REASON_COUNT
} reason_t;

#define REASON_F_LIFTS 0x1    /* time alone lifts it (Retry-After, eligible_at) */
#define REASON_F_ANALYSIS 0x2 /* a finding of cordon's analysis */
#define REASON_F_HELD 0x4     /* a held version waits in the reviewers' queue */

/* "quarantine", …; "" for REASON_NONE */
const char *reason_name(reason_t r);
/* REASON_COUNT when s is no reason's name ("" is REASON_NONE) */
reason_t reason_from_name(const char *s);
unsigned reason_flags(reason_t r);
/* the reason a held finding of kind k gives */
reason_t finding_reason(finding_kind_t k);

#endif
