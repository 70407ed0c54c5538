/* popular_builtin: the built-in lists of widely used packages that the
 * typosquat check compares names against (analysis/typosquat.h). Written
 * by hand, one canonical name per entry: npm names as published (lower
 * case, scoped ones with their scope), PyPI projects PEP 503 normalised,
 * Maven coordinates as "groupId:artifactId" in lower case. */
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
