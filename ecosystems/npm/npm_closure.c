/* npm_closure: the closure_deps hook for npm — what `npm install
 * name@version` pulls in one level down, resolved as npm resolves it.
 *
 * A version's dependencies, optionalDependencies and peerDependencies (npm
 * 7 and later install peers; those marked optional in peerDependenciesMeta
 * are left out, as are bundled ones: they come inside the tarball). Each
 * spec is resolved against the dependency's packument in cordon's copy: a
 * range to the highest version that satisfies it among those the policy
 * serves now, else among all upstream lists (what a reviewer would have to
 * admit); a dist-tag to where cordon's filtered document points it, else
 * to upstream's; an alias ("npm:other@^1") as the aliased package. Specs
 * that are not from the registry (git, file, URLs) are reported
 * unresolved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/timeutil.h"
#include "ecosystems/npm/npm_cached.h"
#include "ecosystems/npm/npm_path.h"
#include "ecosystems/npm/npm_range.h"

/* the dependency objects a version's manifest lists, in the order npm reads them */
static const int DEP_FIELDS[] = {NPM_AB_DEPENDENCIES, NPM_AB_OPTIONAL_DEPENDENCIES, NPM_AB_PEER_DEPENDENCIES};

/* the JSON value at span in the document, parsed (NULL when absent or not JSON) */
static yajl_val span_value(const npm_packument_t *p, npm_span_t s)
{
    if (s.end == 0 || s.end <= s.start || s.end > p->len)
        return NULL;
    char *text = strndup(p->doc + s.start, s.end - s.start);
    yajl_val v = text ? yajl_tree_parse(text, NULL, 0) : NULL;
    free(text);
    return v;
}

static const npm_version_t *find_version(const npm_packument_t *p, const char *version, size_t *index)
{
    for (size_t i = 0; i < p->nversions; i++)
        if (strcmp(p->versions[i].version, version) == 0) {
            *index = i;
            return &p->versions[i];
        }
    return NULL;
}

/* 1 when name is in a bundleDependencies array, or a peer marked optional */
static int left_out(yajl_val bundled, yajl_val peer_meta, const char *name, int is_peer)
{
    for (size_t i = 0; bundled && YAJL_IS_ARRAY(bundled) && i < YAJL_GET_ARRAY(bundled)->len; i++) {
        yajl_val b = YAJL_GET_ARRAY(bundled)->values[i];
        const char *bs = YAJL_IS_STRING(b) ? YAJL_GET_STRING(b) : NULL;
        if (bs && strcmp(bs, name) == 0)
            return 1;
    }
    if (is_peer && peer_meta && YAJL_IS_OBJECT(peer_meta)) {
        const char *path[] = {name, "optional", NULL};
        yajl_val o = yajl_tree_get(peer_meta, path, yajl_t_any);
        return o && YAJL_IS_TRUE(o);
    }
    return 0;
}

/* the version spec names in the dependency's packument (see the top) */
static const char *pick(const npm_cached_t *d, npm_spec_kind_t kind, const char *range, char *why, size_t whylen)
{
    const npm_packument_t *p = &d->p;
    if (kind == NPM_SPEC_TAG) {
        for (size_t i = 0; i < d->f.ntags; i++)
            if (strcmp(d->f.tags[i].tag, range) == 0)
                return d->f.tags[i].version;
        for (size_t i = 0; i < p->ntags; i++)
            if (strcmp(p->tags[i].tag, range) == 0)
                return p->tags[i].version;
        snprintf(why, whylen, "%s has no dist-tag %s", p->name, range);
        return NULL;
    }
    npm_range_t *r;
    char err[200];
    if (npm_range_parse(range, &r, err, sizeof(err)) != 0) {
        snprintf(why, whylen, "%s: %s", range, err);
        return NULL;
    }
    const char **kept = malloc((p->nversions ? p->nversions : 1) * sizeof(*kept));
    const char **all = malloc((p->nversions ? p->nversions : 1) * sizeof(*all));
    const char *got = NULL;
    if (kept && all) {
        size_t nk = 0;
        for (size_t i = 0; i < p->nversions; i++) {
            all[i] = p->versions[i].version;
            if (d->f.keep[i])
                kept[nk++] = p->versions[i].version;
        }
        long k = npm_range_max_satisfying(r, kept, nk);
        long a = k < 0 ? npm_range_max_satisfying(r, all, p->nversions) : -1;
        got = k >= 0 ? kept[k] : a >= 0 ? all[a] : NULL;
        if (got == NULL)
            snprintf(why, whylen, "no version of %s satisfies %s", p->name, range);
    } else {
        snprintf(why, whylen, "out of memory");
    }
    free(kept);
    free(all);
    npm_range_free(r);
    return got;
}

/* cordon's copy of name's packument: 1 loaded, 0 not cached (its source
 * named through need), -1 (err) */
static int load_or_need(const char *name, int64_t now, npm_cached_t *out, closure_need_fn need, void *arg, char *err,
                        size_t errlen)
{
    int got = npm_cached_load(name, now, out, err, errlen);
    if (got != 0)
        return got;
    version_source_t src;
    if (npm_cached_source(name, &src) == 0) {
        need(arg, &src);
        return 0;
    }
    snprintf(err, errlen, "%s is not a package name npm's upstream can list", name);
    return -1;
}

int npm_closure_deps(const char *package, const char *version, const closure_target_t *t, closure_dep_fn dep,
                     closure_need_fn need, void *arg, char *err, size_t errlen)
{
    (void)t;
    int64_t now = time_now_ms();
    npm_cached_t own;
    int got = load_or_need(package, now, &own, need, arg, err, errlen);
    if (got <= 0)
        return got;
    size_t vi;
    const npm_version_t *v = find_version(&own.p, version, &vi);
    if (v == NULL) {
        snprintf(err, errlen, "upstream lists no version %s of %s", version, package);
        npm_cached_free(&own);
        return -1;
    }
    yajl_val bundled = span_value(&own.p, v->ab[NPM_AB_BUNDLE_DEPENDENCIES]);
    if (bundled == NULL)
        bundled = span_value(&own.p, v->ab[NPM_AB_BUNDLED_DEPENDENCIES]);
    yajl_val peer_meta = span_value(&own.p, v->ab[NPM_AB_PEER_DEPENDENCIES_META]);
    int lacked = 0;
    for (size_t f = 0; f < sizeof(DEP_FIELDS) / sizeof(DEP_FIELDS[0]); f++) {
        yajl_val deps = span_value(&own.p, v->ab[DEP_FIELDS[f]]);
        for (size_t i = 0; deps && YAJL_IS_OBJECT(deps) && i < YAJL_GET_OBJECT(deps)->len; i++) {
            const char *name = YAJL_GET_OBJECT(deps)->keys[i];
            yajl_val sv = YAJL_GET_OBJECT(deps)->values[i];
            if (!YAJL_IS_STRING(sv) || left_out(bundled, peer_meta, name, DEP_FIELDS[f] == NPM_AB_PEER_DEPENDENCIES))
                continue;
            const char *spec = YAJL_GET_STRING(sv);
            if (spec == NULL)
                continue;
            char aliased[NPM_NAME_MAX + 1], range[1100], why[300] = "";
            npm_spec_kind_t kind = npm_spec_classify(spec, aliased, sizeof(aliased), range, sizeof(range));
            const char *target = kind == NPM_SPEC_ALIAS ? aliased : name;
            closure_dep_t d = {.package = target, .spec = spec};
            if (kind == NPM_SPEC_OTHER || !npm_name_valid(target, strlen(target))) {
                d.error = "not from the registry (git, file or URL): cordon does not resolve it";
                dep(arg, &d);
                continue;
            }
            if (kind == NPM_SPEC_ALIAS) { /* "npm:name@range": its range (a tag, or any version) */
                char inner[1100], scratch[NPM_NAME_MAX + 1];
                snprintf(inner, sizeof(inner), "%s", range[0] ? range : "*");
                kind = npm_spec_classify(inner, scratch, sizeof(scratch), range, sizeof(range)) == NPM_SPEC_TAG
                           ? NPM_SPEC_TAG
                           : NPM_SPEC_RANGE;
            }
            npm_cached_t dc;
            char derr[200];
            int dg = npm_cached_load(target, now, &dc, derr, sizeof(derr));
            if (dg == 0) {
                version_source_t src;
                if (npm_cached_source(target, &src) == 0) {
                    need(arg, &src);
                    lacked = 1;
                    continue;
                }
            }
            if (dg <= 0) {
                d.error = dg == 0 ? "npm's upstream cannot list it" : derr;
                dep(arg, &d);
                continue;
            }
            d.version = pick(&dc, kind, range, why, sizeof(why));
            d.error = d.version ? NULL : why;
            dep(arg, &d);
            npm_cached_free(&dc);
        }
        if (deps)
            yajl_tree_free(deps);
    }
    if (bundled)
        yajl_tree_free(bundled);
    if (peer_meta)
        yajl_tree_free(peer_meta);
    npm_cached_free(&own);
    return lacked ? 0 : 1;
}

int npm_spec_versions(const char *package, const char *spec, spec_version_fn fn, closure_need_fn need, void *arg,
                      char *err, size_t errlen)
{
    npm_cached_t d;
    int got = load_or_need(package, time_now_ms(), &d, need, arg, err, errlen);
    if (got <= 0)
        return got;
    const npm_packument_t *p = &d.p;
    char aliased[NPM_NAME_MAX + 1], range[1100];
    npm_spec_kind_t kind = npm_spec_classify(spec[0] ? spec : "*", aliased, sizeof(aliased), range, sizeof(range));
    int rc = 1;
    if (kind == NPM_SPEC_TAG) {
        /* the tag as upstream points it, and as cordon's filtered copy does */
        int found = 0;
        for (size_t i = 0; i < p->ntags; i++)
            if (strcmp(p->tags[i].tag, range) == 0)
                fn(arg, p->tags[i].version), found = 1;
        for (size_t i = 0; i < d.f.ntags; i++)
            if (strcmp(d.f.tags[i].tag, range) == 0)
                fn(arg, d.f.tags[i].version), found = 1;
        if (!found) {
            snprintf(err, errlen, "%s has no dist-tag %s", p->name, range);
            rc = -1;
        }
    } else if (kind == NPM_SPEC_RANGE) {
        npm_range_t *r;
        char rerr[200];
        if (npm_range_parse(range, &r, rerr, sizeof(rerr)) != 0) {
            snprintf(err, errlen, "%s: %s", range, rerr);
            rc = -1;
        } else {
            for (size_t i = 0; i < p->nversions; i++)
                if (npm_range_test(r, p->versions[i].version) == 1)
                    fn(arg, p->versions[i].version);
            npm_range_free(r);
        }
    } else {
        snprintf(err, errlen, "'%s' is not a registry range (an alias, git, file or URL spec): ask for a range or a "
                 "version", spec);
        rc = -1;
    }
    npm_cached_free(&d);
    return rc;
}
