/* pom_deps: what a Maven POM says its dependencies are, as a consumer of
 * it would get them. Owns the model of one POM (pom_model_read, read as XML
 * with common/xml.h: libxml2's streaming reader, no network, no DTD, no
 * entities, never string search), the ${...} interpolation over a chain of
 * POMs (the POM, its parent, its parent's parent, ...), the effective
 * dependency list of that chain, and the choice of a version for a Maven
 * version spec (soft requirement or ranges).
 *
 * Elements are matched by local name (any prefix, any namespace) and only
 * at their place in the model: project/groupId, project/parent/version,
 * project/properties/NAME, project/dependencies/dependency,
 * project/dependencyManagement/dependencies/dependency. Dependencies in
 * profiles, build, plugins or reporting are not read. Element text is
 * trimmed; an empty field is NULL (an empty property is ""). A field given
 * twice, a dependency without groupId or artifactId, a <parent> without
 * groupId or artifactId, a document over 8 MB, more than 4096 dependencies
 * (or managed dependencies), or more than 1024 properties make the document
 * one this reader refuses. Properties are kept sorted by key (strcmp), each
 * key once (a later element of the same name replaces the earlier). */
#ifndef CORDON_POM_DEPS_H
#define CORDON_POM_DEPS_H

#include <stddef.h>

typedef struct pom_dep {
    char *group, *artifact, *version; /* version may be NULL (managed elsewhere) or a range "[1.0,2.0)" */
    char *scope;      /* NULL = compile */
    char *type, *classifier; /* NULL = jar / none */
    int optional;     /* 1 when <optional> says "true" (any case) */
} pom_dep_t;

typedef struct pom_model {
    char *group, *artifact, *version, *packaging;   /* group/version may be inherited: NULL when absent */
    char *parent_group, *parent_artifact, *parent_version; /* NULL when no <parent> */
    pom_dep_t *deps; size_t ndeps;          /* project/dependencies/dependency only (not profiles, not build/plugins) */
    pom_dep_t *managed; size_t nmanaged;    /* project/dependencyManagement/dependencies/dependency */
    char **prop_keys, **prop_vals; size_t nprops; /* project/properties children */
} pom_model_t;

/* 0 and out (free with pom_model_free), -1 with err ("line N: …") for a document that is not a POM it can read
 * (out is then empty: nothing to free, pom_model_free harmless) */
int pom_model_read(const char *doc, size_t len, pom_model_t *out, char *err, size_t errlen);
void pom_model_free(pom_model_t *m);

/* ${…} in s resolved against chain[0] (the POM itself), chain[1] (its parent), … : properties nearest first,
 * project.version / project.groupId / project.artifactId (pom.* too) with inheritance from the parent,
 * project.parent.version. Unresolvable references are left as written. Returns malloc'd string (NULL on OOM).
 * At most 16 nested expansions; a cycle stops there.
 * (Model values come before properties of the same name, as in Maven; project.artifactId is the POM's own,
 * never inherited; project.parent.groupId / project.parent.artifactId resolve too. Work is bounded: at most
 * 262144 expansions and 16 MB of substituted text per call, references beyond that left as written.) */
char *pom_interpolate(const pom_model_t *const *chain, size_t n, const char *s);

/* The dependencies a consumer of chain[0] gets (what Maven puts on the compile/runtime classpath):
 * deps of chain[0] and inherited deps of its parents, versions and scopes filled from dependencyManagement
 * (nearest POM wins), ${} interpolated; keeps scope compile and runtime (and missing = compile), drops
 * test, provided, system, import and optional ones. Writes a malloc'd array (free each with pom_dep_free_fields then free) ; returns count or -1 (OOM).
 * (Dependencies are told apart by groupId:artifactId:type:classifier after interpolation: a nearer POM's
 * declaration replaces a parent's, a later one in the same POM an earlier one; managed entries of scope
 * import, BOMs this function cannot read, manage nothing; a scope other than the ones named is kept; *out
 * is NULL when the count is 0 or on -1. Order: chain[0]'s dependencies as written, then its parent's, ….
 * The interpolation bounds of pom_interpolate apply to the whole call.) */
long pom_effective_deps(const pom_model_t *const *chain, size_t n, pom_dep_t **out);
void pom_dep_free_fields(pom_dep_t *d);

/* A Maven version spec: a soft requirement "1.0" (returns the index of exactly "1.0" if listed, else -1)
 * or ranges "[1.0,2.0)", "(,1.0]", "[1.5]", "[1.0,)", unions "[1.0,1.2),[1.5,)" : index of the highest
 * listed version inside (SNAPSHOTs only when the spec names one), -1 none/malformed.
 * (Bounds compare with maven_version_compare and may have white space around them; "[1.5]" takes any
 * version equal to 1.5 by that order; a range whose lower bound is above its upper one is malformed;
 * more than 256 ranges are refused; NULL entries in versions are skipped; on a tie the first listed wins.) */
long maven_spec_pick(const char *spec, const char *const *versions, size_t n);

#endif
