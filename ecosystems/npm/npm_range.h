/* npm_range: npm's semver range semantics, as node-semver applies them for
 * `npm install` (not loose, prereleases not included): a range string parsed
 * into ||-separated sets of ANDed comparators (partials, x-ranges, ~, ^ and
 * hyphen ranges desugared the way node-semver does), a version tested
 * against it, the highest satisfying version picked from a list; and what
 * kind of dependency spec a package.json value is. Versions are read with
 * npm_semver.h. */
#ifndef CORDON_NPM_RANGE_H
#define CORDON_NPM_RANGE_H

#include <stddef.h>

typedef struct npm_range npm_range_t; /* opaque */

/* 0 and *out (free with npm_range_free), or -1 with err ("…: what is wrong").
 * Specs over 1024 bytes or with more than 64 ||-alternatives are refused. */
int npm_range_parse(const char *spec, npm_range_t **out, char *err, size_t errlen);
void npm_range_free(npm_range_t *r);
/* 1 when version (a semver string) satisfies r, 0 when not or not a valid semver */
int npm_range_test(const npm_range_t *r, const char *version);
/* index of the highest of versions[0..n) satisfying r (invalid strings skipped), or -1 */
long npm_range_max_satisfying(const npm_range_t *r, const char *const *versions, size_t n);

/* what a dependency spec in package.json is: a range, a dist-tag name, an
 * alias "npm:name@range" (name and range written out), or something
 * that is not from the registry (git/http/file/link/workspace/github "user/repo" …) */
typedef enum { NPM_SPEC_RANGE, NPM_SPEC_TAG, NPM_SPEC_ALIAS, NPM_SPEC_OTHER } npm_spec_kind_t;
/* classifies spec; for ALIAS writes the aliased package name into name (>= 215 bytes) and its range into range;
 * for RANGE copies spec (trimmed) into range; for TAG copies the tag into range.
 * An alias's range is what follows the name's '@' ("*" when nothing does) and
 * may itself be a dist-tag ("npm:name@next"): classify it again to tell.
 * OTHER as well, with name and range empty, for a spec that is none of the
 * kinds (not a range, not a tag name by the rules here: "1.2.3.4", ">>1"),
 * for an alias of an invalid name or of a non-registry spec, and when what
 * is to be written does not fit (range >= 1025 bytes always does). */
npm_spec_kind_t npm_spec_classify(const char *spec, char *name, size_t namelen, char *range, size_t rangelen);

#endif
