/* history: what a package's own release history says about one of its
 * versions, decided from its metadata alone (DESIGN.md Threat intelligence):
 *
 *   - provenance regression: every version belongs to a line (npm: its
 *     semver major; PyPI: its release's first component); a version without
 *     provenance where an earlier version of its line had it, or whose
 *     provenance names another source repository than the line's previous
 *     one, is a regression. A new line starts clean: a new major without
 *     provenance is not a regression of the old one (a rewrite may move to
 *     another build), so the line, not the package, is what is compared;
 *   - publisher change: a version published by an account that published
 *     none of the package's earlier versions, once the package has at least
 *     HISTORY_PUBLISHER_MIN earlier versions (before that there is no habit
 *     to break).
 *
 * "Earlier" is by publish time (a version without one counts as oldest).
 * The ecosystem says what each version's line, publisher and provenance
 * are; the results are findings (provenance_regression, publisher_change)
 * whose actions the `intel:` configuration sets. */
#ifndef CORDON_HISTORY_H
#define CORDON_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/findings.h"

#define HISTORY_PUBLISHER_MIN 3

typedef struct history_version {
    const char *version;
    int64_t published_at;   /* TIME_NONE when unknown */
    const char *line;       /* NULL: the version belongs to no line (no provenance check) */
    const char *publisher;  /* NULL: unknown (no publisher check) */
    int has_provenance;
    const char *repository; /* the source repository its provenance names; NULL: unknown */
} history_version_t;

#define HISTORY_PROVENANCE_LOST 0x1 /* no provenance where its line had it */
#define HISTORY_REPOSITORY_MOVED 0x2 /* provenance from another repository than the line's previous one */
#define HISTORY_PUBLISHER_NEW 0x4

/* The flags of every version (out[i] for v[i]). 0, or -1 when out of memory
 * (out all 0: no finding is then the answer). */
int history_flags(const history_version_t *v, size_t n, unsigned char *out);

/* The findings flags[i] means for v[i], with the history that explains it
 * (the earlier version that had provenance, the earlier publishers), into f. */
void history_findings(const char *package, const history_version_t *v, size_t n, size_t i, unsigned flags,
                      findings_t *f);

/* The indexes of the newest versions (by publish time) for which want(i,
 * arg) holds, newest first, at most max, into out; how many. What the
 * ecosystems fetch attestation bundles for. */
size_t history_newest(const history_version_t *v, size_t n, int (*want)(size_t i, const void *arg), const void *arg,
                      size_t *out, size_t max);

#endif
