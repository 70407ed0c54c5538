/* osv: one OSV record (the Open Source Vulnerability format, as the OSSF
 * malicious-packages repository and advisory databases publish it) parsed
 * into the fields cordon judges by — id, summary, withdrawn, and per
 * affected package its ecosystem, name, listed versions and ranges — and
 * the evaluation of those ranges under an ecosystem's version order. It
 * knows no ecosystem: the caller maps OSV's ecosystem names and brings the
 * order. Every string is owned by the record. */
#ifndef CORDON_OSV_H
#define CORDON_OSV_H

#include <stddef.h>

#define OSV_MAX_BYTES (4u << 20) /* a larger file is refused as malformed */

typedef enum { OSV_INTRODUCED = 0, OSV_FIXED = 1, OSV_LAST_AFFECTED = 2 } osv_event_kind_t;
typedef enum { OSV_RANGE_ECOSYSTEM = 0, OSV_RANGE_SEMVER = 1, OSV_RANGE_GIT = 2 } osv_range_type_t;

typedef struct osv_event {
    osv_event_kind_t kind;
    char *version; /* introduced "0": from the first version */
} osv_event_t;

typedef struct osv_range {
    osv_range_type_t type; /* GIT ranges name commits: never evaluated */
    osv_event_t *events;
    size_t nevents;
} osv_range_t;

typedef struct osv_affected {
    char *ecosystem; /* as OSV spells it: "npm", "PyPI", "Maven" (a ":suffix" is kept) */
    char *name;      /* as OSV spells it; the caller canonicalises */
    char **versions;
    size_t nversions;
    osv_range_t *ranges;
    size_t nranges;
} osv_affected_t;

typedef struct osv_record {
    char *id;      /* "MAL-2024-1234", "GHSA-…", "PYSEC-…" */
    char *summary; /* "" when the record has none (then the details' first line) */
    int withdrawn; /* the record says it was withdrawn */
    osv_affected_t *affected;
    size_t naffected;
} osv_record_t;

/* Parses len bytes of OSV JSON: 0 and *out filled, or -1 with a one-line
 * reason in err (not JSON, no id, a field of the wrong type, …) and *out
 * empty. Never reads past len. */
int osv_parse(const char *text, size_t len, osv_record_t *out, char *err, size_t errlen);
void osv_record_free(osv_record_t *r);

/* a malicious-package record (OSSF's "MAL-" ids), as opposed to an advisory */
int osv_is_malicious(const osv_record_t *r);

typedef int (*osv_cmp_fn)(const char *a, const char *b);

/* 1 when version is one a names (listed, or inside one of its ranges under
 * cmp, the ecosystem's version order), else 0 */
int osv_affected_has(const osv_affected_t *a, const char *version, osv_cmp_fn cmp);
/* 1 when a names version as a fixed event of one of its ranges */
int osv_affected_fixed_in(const osv_affected_t *a, const char *version, osv_cmp_fn cmp);

#endif
