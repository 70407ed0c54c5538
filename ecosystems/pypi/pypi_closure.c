/* pypi_closure: the closure_deps hook for PyPI — what `pip install
 * project==version` pulls in one level down, resolved as pip resolves it
 * for the stated target (platform, Python version; CPython on x86_64).
 *
 * The release's Requires-Dist comes from the PEP 658 core metadata of one
 * of its files (a pure wheel first, then any wheel, then an sdist that
 * has metadata), fetched into cordon's metadata cache when it lacks it.
 * Requirements whose markers do not hold for the target are left out, as
 * are those that only an extra asks for. Each requirement resolves to the
 * highest release that satisfies its specifier (pre-releases only when it
 * names one) among those whose files the policy serves now, else among
 * every release upstream lists that is not yanked (what a reviewer would
 * have to admit). A release without core metadata cannot be read without
 * downloading it: its dependencies are reported unknown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "ecosystems/pypi/pep440.h"
#include "ecosystems/pypi/pep508.h"
#include "ecosystems/pypi/pypi_cached.h"
#include "ecosystems/pypi/pypi_path.h"
#include "store/blob.h"
#include "upstream/upstream_cache.h"

/* the environment the target means */
static void target_env(const closure_target_t *t, pep508_env_t *env, char *full, size_t fulllen)
{
    pep508_env_default(env);
    const char *platform = t && t->platform ? t->platform : "linux";
    if (!strcmp(platform, "windows")) {
        env->os_name = "nt";
        env->sys_platform = "win32";
        env->platform_system = "Windows";
        env->platform_machine = "AMD64";
    } else if (!strcmp(platform, "macos")) {
        env->sys_platform = "darwin";
        env->platform_system = "Darwin";
        env->platform_machine = "arm64";
    }
    if (t && t->python) {
        env->python_version = t->python;
        snprintf(full, fulllen, "%s.0", t->python);
        env->python_full_version = full;
        env->implementation_version = full;
    }
}

/* the file whose core metadata is read: a pure wheel, any wheel, an sdist */
static const pypi_file_t *metadata_file(const pypi_project_t *p, const char *version)
{
    const pypi_file_t *best = NULL;
    int best_rank = 0;
    for (size_t i = 0; i < p->nfiles; i++) {
        const pypi_file_t *f = &p->files[i];
        if (!f->core_metadata || f->version == NULL || pep440_compare_str(f->version, version) != 0)
            continue;
        size_t n = strlen(f->filename);
        int wheel = n > 4 && !strcmp(f->filename + n - 4, ".whl");
        int rank = wheel ? (strstr(f->filename, "-none-any.whl") ? 3 : 2) : 1;
        if (rank > best_rank) {
            best = f;
            best_rank = rank;
        }
    }
    return best;
}

/* Requires-Dist lines gathered from a metadata document */
typedef struct lines {
    char **v;
    size_t n;
    int oom;
} lines_t;

static void on_requires(const char *value, void *arg)
{
    lines_t *l = arg;
    char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
    char *s = strdup(value);
    if (nv == NULL || s == NULL) {
        if (nv)
            l->v = nv;
        free(s);
        l->oom = 1;
        return;
    }
    l->v = nv;
    l->v[l->n++] = s;
}

static void lines_free(lines_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* 1 read into lines, 0 not cached (need called), -1 unreadable (err) */
static int read_requires(const char *project, const pypi_file_t *f, lines_t *lines, closure_need_fn need, void *arg,
                         char *err, size_t errlen)
{
    version_source_t src;
    memset(&src, 0, sizeof(src));
    snprintf(src.key, sizeof(src.key), "pypi-meta:%s", f->filename);
    pypi_cached_metadata_url(project, f, src.url, sizeof(src.url));
    meta_rec_t m;
    if (metadata_lookup(src.key, &m) != 0) {
        need(arg, &src);
        return 0;
    }
    char path[4200];
    blob_path(m.blob, path, sizeof(path));
    meta_rec_free(&m);
    mapped_t mm;
    if (map_file(path, &mm) != 0) {
        snprintf(err, errlen, "cordon cannot read its copy of %s.metadata", f->filename);
        return -1;
    }
    int n = pep508_requires_dist(mm.p ? mm.p : "", mm.len, on_requires, lines);
    unmap_file(&mm);
    if (n < 0 || lines->oom) {
        snprintf(err, errlen, "%s.metadata is not core metadata", f->filename);
        return -1;
    }
    return 1;
}

/* the release spec resolves to in the project's page (see the top) */
static const char *pick(const pypi_cached_t *d, const char *spec, char *why, size_t whylen)
{
    const char *kept = NULL, *any = NULL;
    for (size_t i = 0; i < d->p.nfiles; i++) {
        const pypi_file_t *f = &d->p.files[i];
        if (f->version == NULL || f->yanked)
            continue;
        pep440_t v;
        if (pep440_parse(f->version, &v) != 0)
            continue;
        /* PEP 440's default: pre-releases only when a clause names one */
        if (spec[0] ? pep440_specifier_match(spec, f->version, 0) != 1 : pep440_is_prerelease(&v))
            continue;
        if (any == NULL || pep440_compare_str(f->version, any) > 0)
            any = f->version;
        if (d->keep[i] && (kept == NULL || pep440_compare_str(f->version, kept) > 0))
            kept = f->version;
    }
    if (kept == NULL && any == NULL)
        snprintf(why, whylen, "no release of %s satisfies %s", d->p.name ? d->p.name : "it", spec[0] ? spec : "any");
    return kept ? kept : any;
}

/* cordon's copy of project's page: 1 loaded, 0 not cached (its source
 * named through need), -1 (err) */
static int load_or_need(const char *project, int64_t now, pypi_cached_t *out, closure_need_fn need, void *arg,
                        char *err, size_t errlen)
{
    int got = pypi_cached_load(project, now, out, err, errlen);
    if (got != 0)
        return got;
    version_source_t src;
    if (pypi_cached_source(project, &src) == 0) {
        need(arg, &src);
        return 0;
    }
    snprintf(err, errlen, "no PyPI upstream is configured");
    return -1;
}

int pypi_closure_deps(const char *package, const char *version, const closure_target_t *t, closure_dep_fn dep,
                      closure_need_fn need, void *arg, char *err, size_t errlen)
{
    int64_t now = time_now_ms();
    pypi_cached_t own;
    int got = load_or_need(package, now, &own, need, arg, err, errlen);
    if (got <= 0)
        return got;
    const pypi_file_t *mf = metadata_file(&own.p, version);
    if (mf == NULL) {
        int listed = 0;
        for (size_t i = 0; i < own.p.nfiles && !listed; i++)
            listed = own.p.files[i].version && pep440_compare_str(own.p.files[i].version, version) == 0;
        snprintf(err, errlen,
                 listed ? "%s %s has no file with core metadata (PEP 658): its dependencies are not known without "
                          "downloading it"
                        : "upstream lists no release %2$s of %1$s",
                 package, version);
        pypi_cached_free(&own);
        return -1;
    }
    lines_t lines = {0};
    int rr = read_requires(package, mf, &lines, need, arg, err, errlen);
    pypi_cached_free(&own);
    if (rr <= 0) {
        lines_free(&lines);
        return rr;
    }
    pep508_env_t env;
    char full[24];
    target_env(t, &env, full, sizeof(full));
    int lacked = 0;
    for (size_t i = 0; i < lines.n; i++) {
        pep508_req_t r;
        char perr[200];
        if (pep508_parse(lines.v[i], &r, perr, sizeof(perr)) != 0) {
            closure_dep_t d = {.package = lines.v[i], .spec = lines.v[i], .error = "not a requirement pip reads"};
            dep(arg, &d);
            continue;
        }
        if (r.marker && pep508_marker_eval(r.marker, &env, perr, sizeof(perr)) != 1) {
            pep508_req_free(&r);
            continue; /* false for the target, or only an extra asks for it */
        }
        closure_dep_t d = {.package = r.normalized, .spec = r.specifier ? r.specifier : ""};
        if (r.url) {
            d.error = "a direct URL requirement: cordon does not resolve it";
            dep(arg, &d);
            pep508_req_free(&r);
            continue;
        }
        pypi_cached_t dc;
        char derr[200], why[300] = "";
        int dg = pypi_cached_load(r.normalized, now, &dc, derr, sizeof(derr));
        if (dg == 0) {
            version_source_t src;
            if (pypi_cached_source(r.normalized, &src) == 0) {
                need(arg, &src);
                lacked = 1;
                pep508_req_free(&r);
                continue;
            }
        }
        if (dg <= 0) {
            d.error = dg == 0 ? "no PyPI upstream is configured" : derr;
        } else {
            d.version = pick(&dc, d.spec, why, sizeof(why));
            d.error = d.version ? NULL : why;
        }
        dep(arg, &d);
        if (dg > 0)
            pypi_cached_free(&dc);
        pep508_req_free(&r);
    }
    lines_free(&lines);
    return lacked ? 0 : 1;
}

int pypi_spec_versions(const char *package, const char *spec, spec_version_fn fn, closure_need_fn need, void *arg,
                       char *err, size_t errlen)
{
    pypi_cached_t d;
    int got = load_or_need(package, time_now_ms(), &d, need, arg, err, errlen);
    if (got <= 0)
        return got;
    /* a malformed set matches nothing: say so rather than "none satisfies" */
    if (spec[0] && pep440_specifier_match(spec, "0", 1) < 0) {
        snprintf(err, errlen, "'%s' is not a PEP 440 specifier set (such as '>=2,<3' or '~=1.4')", spec);
        pypi_cached_free(&d);
        return -1;
    }
    for (size_t i = 0; i < d.p.nfiles; i++) {
        const pypi_file_t *f = &d.p.files[i];
        pep440_t v;
        if (f->version == NULL || f->yanked || pep440_parse(f->version, &v) != 0)
            continue;
        /* PEP 440's default: pre-releases only when a clause names one */
        if (spec[0] ? pep440_specifier_match(spec, f->version, 0) == 1 : !pep440_is_prerelease(&v))
            fn(arg, f->version); /* once per file: the caller keeps each version once */
    }
    pypi_cached_free(&d);
    return 1;
}
