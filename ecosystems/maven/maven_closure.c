/* maven_closure: the closure_deps hook for Maven — what a build that
 * depends on group:artifact:version puts on its compile and runtime
 * classpath one level down, as Maven resolves it.
 *
 * The version's POM and its parents' (up to MAX_PARENTS) come from
 * cordon's metadata cache, fetched when it lacks them; pom_deps.c gives
 * the effective dependencies (dependencyManagement applied, properties
 * interpolated, test/provided/system/optional ones dropped). A soft version
 * ("1.2") is the version Maven takes; a range ("[1.0,2.0)") resolves
 * against the dependency's maven-metadata.xml to the highest version inside
 * it that cordon has timed and serves, else the highest inside it (what a
 * reviewer would have to admit). Each POM read also records its version's
 * time, so the verdicts are decided from upstream's dates. Imported BOMs
 * and profiles are not read (pom_deps.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "ecosystems/maven/maven_cached.h"
#include "ecosystems/maven/maven_metadata.h"
#include "ecosystems/maven/pom_deps.h"
#include "store/blob.h"
#include "store/derived.h"
#include "upstream/upstream_cache.h"

#define MAX_PARENTS 10

/* a cached document's bytes: 1 mapped, 0 not cached (need called), -1 no upstream */
static int cached_doc(const version_source_t *src, mapped_t *mm, closure_need_fn need, void *arg)
{
    meta_rec_t m;
    if (metadata_lookup(src->key, &m) != 0) {
        need(arg, src);
        return 0;
    }
    char path[4200];
    blob_path(m.blob, path, sizeof(path));
    meta_rec_free(&m);
    return map_file(path, mm) == 0 ? 1 : -1;
}

/* the POM of package@version read into out: 1, 0 not cached (need called), -1 (err) */
static int read_pom(const char *package, const char *version, pom_model_t *out, closure_need_fn need, void *arg,
                    char *err, size_t errlen)
{
    version_source_t src;
    if (maven_cached_pom_source(package, version, &src) != 0) {
        snprintf(err, errlen, "%s is not groupId:artifactId, or no Maven upstream is configured", package);
        return -1;
    }
    mapped_t mm;
    int got = cached_doc(&src, &mm, need, arg);
    if (got <= 0) {
        if (got < 0)
            snprintf(err, errlen, "cordon cannot read its copy of the POM of %s:%s", package, version);
        return got;
    }
    maven_cached_learn(package, version);
    char perr[200];
    int rc = pom_model_read(mm.p ? mm.p : "", mm.len, out, perr, sizeof(perr));
    unmap_file(&mm);
    if (rc != 0) {
        snprintf(err, errlen, "the POM of %s:%s is not one cordon can read: %s", package, version, perr);
        return -1;
    }
    return 1;
}

static void chain_free(pom_model_t *chain, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pom_model_free(&chain[i]);
}

/* the version a range resolves to (see the top); NULL with why */
static char *pick_range(const char *package, const char *spec, closure_need_fn need, void *arg, int *lacked,
                        char *why, size_t whylen)
{
    version_source_t src;
    mapped_t mm;
    if (maven_cached_metadata_source(package, &src) != 0) {
        snprintf(why, whylen, "no Maven upstream is configured");
        return NULL;
    }
    int got = cached_doc(&src, &mm, need, arg);
    if (got <= 0) {
        *lacked = got == 0;
        snprintf(why, whylen, "cordon cannot read its copy of %s's maven-metadata.xml", package);
        return NULL;
    }
    maven_metadata_t md;
    char perr[200];
    char *pick = NULL;
    if (maven_metadata_parse(&md, mm.p ? mm.p : "", mm.len, perr, sizeof(perr)) != 0) {
        snprintf(why, whylen, "%s's maven-metadata.xml is malformed: %s", package, perr);
        unmap_file(&mm);
        return NULL;
    }
    /* the versions inside the spec, highest first: the first the policy
     * serves wins; one never timed has its POM fetched first (a round) */
    const char **left = malloc((md.nversions ? md.nversions : 1) * sizeof(*left));
    if (left) {
        size_t nleft = md.nversions;
        for (size_t i = 0; i < md.nversions; i++)
            left[i] = md.versions[i].version;
        int64_t now = time_now_ms();
        const char *highest = NULL, *served = NULL;
        long k;
        while (served == NULL && (k = maven_spec_pick(spec, left, nleft)) >= 0) {
            const char *v = left[k];
            if (highest == NULL)
                highest = v;
            int a = maven_cached_allowed(package, v, now);
            if (a < 0) { /* its POM fetched in an earlier round: its time is in it */
                maven_cached_learn(package, v);
                a = maven_cached_allowed(package, v, now);
            }
            if (a < 0) {
                version_source_t pom;
                if (maven_cached_pom_source(package, v, &pom) == 0) {
                    need(arg, &pom);
                    *lacked = 1;
                    break;
                }
            } else if (a == 1) {
                served = v;
            }
            left[k] = left[--nleft];
        }
        const char *v = served ? served : highest;
        pick = v && !*lacked ? strdup(v) : NULL;
        if (v == NULL)
            snprintf(why, whylen, "no version of %s is inside %s", package, spec);
    }
    free(left);
    maven_metadata_free(&md);
    unmap_file(&mm);
    return pick;
}

int maven_closure_deps(const char *package, const char *version, const closure_target_t *t, closure_dep_fn dep,
                       closure_need_fn need, void *arg, char *err, size_t errlen)
{
    (void)t;
    pom_model_t chain[MAX_PARENTS + 1];
    size_t n = 0;
    int got = read_pom(package, version, &chain[0], need, arg, err, errlen);
    if (got <= 0)
        return got;
    n = 1;
    /* the parents, nearest first: each may fill versions and scopes */
    while (n <= MAX_PARENTS && chain[n - 1].parent_group && chain[n - 1].parent_artifact &&
           chain[n - 1].parent_version) {
        char parent[1100];
        snprintf(parent, sizeof(parent), "%s:%s", chain[n - 1].parent_group, chain[n - 1].parent_artifact);
        got = read_pom(parent, chain[n - 1].parent_version, &chain[n], need, arg, err, errlen);
        if (got <= 0) {
            chain_free(chain, n);
            return got;
        }
        n++;
    }
    const pom_model_t *views[MAX_PARENTS + 1];
    for (size_t i = 0; i < n; i++)
        views[i] = &chain[i];
    pom_dep_t *deps = NULL;
    long nd = pom_effective_deps(views, n, &deps);
    chain_free(chain, n);
    if (nd < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int lacked = 0;
    for (long i = 0; i < nd; i++) {
        const pom_dep_t *d = &deps[i];
        char name[1100], why[300] = "";
        snprintf(name, sizeof(name), "%s:%s", d->group, d->artifact);
        closure_dep_t cd = {.package = name, .spec = d->version ? d->version : ""};
        char *picked = NULL;
        if (d->version == NULL || strstr(d->version, "${")) {
            cd.error = d->version ? "its version names a property no POM of the chain defines"
                                  : "no version: it is managed by an imported BOM, which cordon does not read";
        } else if (d->version[0] == '[' || d->version[0] == '(') {
            int missing = 0;
            picked = pick_range(name, d->version, need, arg, &missing, why, sizeof(why));
            if (missing) {
                lacked = 1;
                continue;
            }
            cd.version = picked;
            cd.error = picked ? NULL : why;
        } else {
            cd.version = d->version; /* a soft requirement: Maven takes it */
        }
        dep(arg, &cd);
        free(picked);
    }
    for (long i = 0; i < nd; i++)
        pom_dep_free_fields(&deps[i]);
    free(deps);
    return lacked ? 0 : 1;
}

int maven_spec_versions(const char *package, const char *spec, spec_version_fn fn, closure_need_fn need, void *arg,
                        char *err, size_t errlen)
{
    version_source_t src;
    mapped_t mm;
    if (maven_cached_metadata_source(package, &src) != 0) {
        snprintf(err, errlen, "no Maven upstream is configured");
        return -1;
    }
    int got = cached_doc(&src, &mm, need, arg);
    if (got <= 0) {
        if (got < 0)
            snprintf(err, errlen, "cordon cannot read its copy of %s's maven-metadata.xml", package);
        return got;
    }
    maven_metadata_t md;
    char perr[200];
    if (maven_metadata_parse(&md, mm.p ? mm.p : "", mm.len, perr, sizeof(perr)) != 0) {
        snprintf(err, errlen, "%s's maven-metadata.xml is malformed: %s", package, perr);
        unmap_file(&mm);
        return -1;
    }
    /* one version at a time through the range reader: in the spec or not
     * ("" any release: the widest range); a malformed spec admits none */
    const char *range = spec[0] ? spec : "[0,)";
    for (size_t i = 0; i < md.nversions; i++) {
        const char *v = md.versions[i].version;
        if (maven_spec_pick(range, &v, 1) == 0)
            fn(arg, v);
    }
    maven_metadata_free(&md);
    unmap_file(&mm);
    return 1;
}
