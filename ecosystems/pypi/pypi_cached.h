/* pypi_cached: cordon's copy of one project page, parsed and decided by the
 * policy now (per file: kept, and its verdict) — shared by the PyPI files
 * that read cached pages (pypi.c serves them, pypi_closure.c walks
 * dependencies). Private to ecosystems/pypi/. */
#ifndef CORDON_PYPI_CACHED_H
#define CORDON_PYPI_CACHED_H

#include <stdint.h>

#include "core/ecosystem.h"
#include "ecosystems/pypi/pypi_index.h"
#include "policy/policy.h"
#include "store/derived.h"

typedef struct pypi_cached {
    mapped_t map;
    pypi_project_t p;
    unsigned char *keep;
    verdict_t *verdicts;
    int64_t valid_until;
} pypi_cached_t;

/* project: PEP 503 normalised. 1 loaded (free with pypi_cached_free), 0
 * cordon has no copy, -1 the copy is unusable (err) */
int pypi_cached_load(const char *project, int64_t now, pypi_cached_t *out, char *err, size_t errlen);
void pypi_cached_free(pypi_cached_t *c);
/* where upstream lists the project: 0, or -1 (no upstream) */
int pypi_cached_source(const char *project, version_source_t *src);
/* where upstream serves the PEP 658 core metadata of one of the page's
 * files (its URL resolved against the page, ".metadata" appended) */
void pypi_cached_metadata_url(const char *project, const pypi_file_t *f, char *out, size_t outlen);
/* the closure_deps hook (pypi_closure.c) */
int pypi_closure_deps(const char *package, const char *version, const closure_target_t *t, closure_dep_fn dep,
                      closure_need_fn need, void *arg, char *err, size_t errlen);
/* the spec_versions hook (pypi_closure.c) */
int pypi_spec_versions(const char *package, const char *spec, spec_version_fn fn, closure_need_fn need, void *arg,
                       char *err, size_t errlen);

#endif
