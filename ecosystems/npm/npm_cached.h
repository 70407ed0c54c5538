/* npm_cached: cordon's copy of one packument, parsed and filtered by the
 * policy now — shared by the npm files that read cached packuments
 * (npm.c serves them, npm_closure.c walks dependencies). Private to
 * ecosystems/npm/. */
#ifndef CORDON_NPM_CACHED_H
#define CORDON_NPM_CACHED_H

#include <stdint.h>

#include "core/ecosystem.h"
#include "ecosystems/npm/npm_filter.h"
#include "ecosystems/npm/npm_packument.h"
#include "store/derived.h"

typedef struct npm_cached {
    mapped_t map;
    npm_packument_t p;
    npm_filter_t f;
} npm_cached_t;

/* 1 loaded (free with npm_cached_free), 0 cordon has no copy, -1 the copy
 * is unusable (err) */
int npm_cached_load(const char *name, int64_t now, npm_cached_t *out, char *err, size_t errlen);
void npm_cached_free(npm_cached_t *c);
/* where upstream lists the package: 0, or -1 (no upstream, not a name) */
int npm_cached_source(const char *name, version_source_t *src);
/* the closure_deps hook (npm_closure.c) */
int npm_closure_deps(const char *package, const char *version, const closure_target_t *t, closure_dep_fn dep,
                     closure_need_fn need, void *arg, char *err, size_t errlen);
/* the spec_versions hook (npm_closure.c) */
int npm_spec_versions(const char *package, const char *spec, spec_version_fn fn, closure_need_fn need, void *arg,
                      char *err, size_t errlen);

#endif
