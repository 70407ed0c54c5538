/* maven_cached: what the Maven files that read cordon's cached documents
 * share (maven.c serves them, maven_closure.c walks dependencies): where a
 * POM and a maven-metadata.xml live in the metadata cache and upstream,
 * and recording a version's time from its cached POM. Private to
 * ecosystems/maven/. */
#ifndef CORDON_MAVEN_CACHED_H
#define CORDON_MAVEN_CACHED_H

#include <stdint.h>

#include "core/ecosystem.h"

/* package "group:artifact": 0 and src (key, URL) of the POM of version /
 * of maven-metadata.xml; -1 when there is no upstream or no such name */
int maven_cached_pom_source(const char *package, const char *version, version_source_t *src);
int maven_cached_metadata_source(const char *package, version_source_t *src);
/* records the version's publish time from its cached POM (Last-Modified)
 * unless cordon has timed it already */
void maven_cached_learn(const char *package, const char *version);
/* 1 the policy serves the version now, 0 it does not, -1 cordon has not
 * timed it (its POM was never read) */
int maven_cached_allowed(const char *package, const char *version, int64_t now);
/* the closure_deps hook (maven_closure.c) */
int maven_closure_deps(const char *package, const char *version, const closure_target_t *t, closure_dep_fn dep,
                       closure_need_fn need, void *arg, char *err, size_t errlen);
/* the spec_versions hook (maven_closure.c) */
int maven_spec_versions(const char *package, const char *spec, spec_version_fn fn, closure_need_fn need, void *arg,
                        char *err, size_t errlen);

#endif
