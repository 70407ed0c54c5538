/* popular_builtin: the built-in lists of widely used packages that the
 * typosquat check compares names against (analysis/typosquat.h), one per
 * ecosystem (ecosystems/npm/npm_popular.c, pypi/pypi_popular.c,
 * maven/maven_popular.c); each ecosystem's typosquat rules point at its own
 * (ecosystem_t.typosquat), and popular_set_new(1) adds them all.
 *
 * Owns nothing at run time: constant arrays of string literals.
 * What goes in: packages that are widely depended upon (directly or as
 * everyone's transitive dependency), plus the legitimate near neighbours of
 * those names that would otherwise trip a typosquat rule (mysql/mysql2,
 * through/through2, object-assign/object.assign, the legacy babel-* names
 * of the packages under @babel, the two groupIds of hibernate-core, …): a name
 * in the list is never flagged, so listing a real sibling is how a known
 * false positive is silenced. Names only, no versions; written from
 * knowledge, not generated. One canonical name per entry (tests check it):
 * npm names as published (lower case, scoped ones with their scope), PyPI
 * projects PEP 503 normalised, Maven coordinates as "groupId:artifactId" in
 * lower case. */
#ifndef CORDON_POPULAR_BUILTIN_H
#define CORDON_POPULAR_BUILTIN_H

#include <stddef.h>

extern const char *const popular_builtin_npm[];
extern const size_t popular_builtin_npm_count;
extern const char *const popular_builtin_pypi[];
extern const size_t popular_builtin_pypi_count;
extern const char *const popular_builtin_maven[];
extern const size_t popular_builtin_maven_count;

#endif
