/* npm_semver: Semantic Versioning 2.0.0 as npm uses it: parsing (a leading
 * "v" or "=" is tolerated, as npm does), precedence (numeric vs alphanumeric
 * prerelease identifiers, build metadata ignored), and the notion of a
 * prerelease "line" used when moving dist-tags off held versions. */
#ifndef CORDON_NPM_SEMVER_H
#define CORDON_NPM_SEMVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct semver {
    uint64_t major, minor, patch;
    const char *pre; /* points into the parsed string; NULL when none */
    size_t prelen;
} semver_t;

/* 0 when s is a valid semver; v points into s (s must outlive v) */
int semver_parse(const char *s, semver_t *v);
/* <0, 0, >0 by precedence (build metadata ignored) */
int semver_compare(const semver_t *a, const semver_t *b);
/* string convenience: invalid versions sort before valid ones */
int semver_compare_str(const char *a, const char *b);
int semver_is_prerelease(const semver_t *v);
/* same release line: same major.minor.patch and same first prerelease
 * identifier ("3.0.0-beta.1" and "3.0.0-beta.7"); stable versions share a
 * line with stable versions of the same major */
int semver_same_line(const semver_t *a, const semver_t *b);

#endif
