/* pypi: the PyPI simple repository API as cordon serves it.
 *   GET /pypi/simple/                       project list (upstream's, as JSON or HTML)
 *   GET /pypi/simple/<project>/             project page, filtered per file (PEP 503 / 691)
 *   GET /pypi/files/<project>/<file>        a distribution, verified against its sha256
 *   GET /pypi/files/<project>/<file>.metadata   its PEP 658 core metadata
 * Uploads (twine's POST to /pypi/ or /pypi/legacy/) are refused by the router. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/eco_ids.h"
#include "ecosystems/lock_formats.h"
#include "ecosystems/popular_builtin.h"
#include "ecosystems/pypi/pypi_artifact.h"
#include "ecosystems/pypi/pypi_cached.h"
#include "store/blob.h"
#include "store/derived.h"
#include "store/store.h"
#include "analysis/artifact.h"
#include "analysis/contents.h"
#include "ecosystems/artifact_route.h"
#include "upstream/upstream_cache.h"
#include "common/digest.h"
#include "common/timeutil.h"
#include "common/url.h"
#include "core/ecosystem.h"
#include "ecosystems/pypi/pypi_history.h"
#include "intel/takedown.h"
#include "ecosystems/pypi/pep440.h"
#include "ecosystems/pypi/pypi_index.h"
#include "ecosystems/pypi/pypi_path.h"
#include "http/denial.h"
#include "http/http.h"
#include "http/loop.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "core/runtime.h"

#define RENDER_VERSION "2" /* 2: a gzip copy and a note of held versions beside it */
#define JSON_ACCEPT "application/vnd.pypi.simple.v1+json"

typedef struct pypi_req {
    pypi_route_t route;
    pypi_format_t format;
    char version[128];
    char file[PYPI_FILE_MAX + 16]; /* the file asked for (its ".metadata" included) */
    artifact_req_t ar;             /* a file's way through the artifact route */
} pypi_req_t;

/* ---- URLs ---- */

static void resolve_ref(const char *page, const char *ref, char *out, size_t outlen);

/* resolves a file URL from a project page against the page's own URL, and
 * drops any userinfo: cordon sends its own credentials, to its upstream only */
static void resolve_url(const char *page, const char *ref, char *out, size_t outlen)
{
    char resolved[4096];
    resolve_ref(page, ref, resolved, sizeof(resolved));
    url_redact(resolved, out, outlen);
}

static void resolve_ref(const char *page, const char *ref, char *out, size_t outlen)
{
    if (strncmp(ref, "http://", 7) == 0 || strncmp(ref, "https://", 8) == 0) {
        snprintf(out, outlen, "%s", ref);
        return;
    }
    const char *scheme_end = strstr(page, "://");
    const char *host_end = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
    size_t origin = host_end ? (size_t)(host_end - page) : strlen(page);
    if (ref[0] == '/' && ref[1] == '/') { /* scheme-relative */
        snprintf(out, outlen, "%.*s%s", (int)(scheme_end ? scheme_end - page + 1 : 0), page, ref);
        return;
    }
    if (ref[0] == '/') {
        snprintf(out, outlen, "%.*s%s", (int)origin, page, ref);
        return;
    }
    /* relative: against the page's directory, with "../" and "./" resolved */
    char path[4096];
    const char *slash = strrchr(page + origin, '/');
    size_t dir = slash ? (size_t)(slash - page) + 1 : strlen(page);
    snprintf(path, sizeof(path), "%.*s", (int)(dir - origin), page + origin);
    while (*ref) {
        if (strncmp(ref, "../", 3) == 0) {
            size_t n = strlen(path);
            if (n > 1) {
                path[n - 1] = '\0';
                char *up = strrchr(path, '/');
                if (up)
                    up[1] = '\0';
                else
                    snprintf(path, sizeof(path), "/");
            }
            ref += 3;
        } else if (strncmp(ref, "./", 2) == 0) {
            ref += 2;
        } else {
            break;
        }
    }
    snprintf(out, outlen, "%.*s%s%s", (int)origin, page, path, ref);
}

static void page_url(const char *project, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/simple/%s/", runtime_config()->upstream[ECO_PYPI], project);
}

/* ---- release facts shared by ingest and filtering ---- */

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int is_wheel(const char *filename)
{
    size_t n = strlen(filename);
    return n > 4 && strcasecmp(filename + n - 4, ".whl") == 0;
}

static int is_egg(const char *filename)
{
    size_t n = strlen(filename);
    return n > 4 && strcmp(filename + n - 4, ".egg") == 0;
}

/* per file: 1 when it is an sdist of a release that ships no wheel (pip
 * builds it from the sdist, running its build backend at install time; an
 * egg is a built distribution, and pip does not install eggs) */
static unsigned char *sdist_only_files(const pypi_project_t *p)
{
    size_t n = p->nfiles ? p->nfiles : 1, nw = 0;
    unsigned char *out = calloc(n, 1);
    char **wheels = malloc(n * sizeof(char *));
    if (out == NULL || wheels == NULL) {
        free(wheels);
        return out;
    }
    for (size_t i = 0; i < p->nfiles; i++)
        if (p->files[i].version && is_wheel(p->files[i].filename))
            wheels[nw++] = p->files[i].version;
    qsort(wheels, nw, sizeof(char *), str_cmp);
    for (size_t i = 0; i < p->nfiles; i++) {
        char *v = p->files[i].version;
        out[i] = v && !is_egg(p->files[i].filename) && !bsearch(&v, wheels, nw, sizeof(char *), str_cmp);
    }
    free(wheels);
    return out;
}

static void sdist_only_finding(const char *project, const char *version, findings_t *f)
{
    findings_add(f, FINDING_SDIST_ONLY,
                 "%s %s has no wheel: pip builds it from the sdist, running its build backend (setup.py) at install",
                 project, version);
}

/* ---- ingest: every new upstream project page (fetcher thread) ---- */

typedef struct ingest_ctx {
    pypi_project_t *p;
    const char *project;
    const char *page;
    int64_t now;
    takedown_doc_t td; /* what the page lists now: files and releases it lacks were taken down */
    pypi_history_t history; /* what the release history says (pypi_history.h) */
} ingest_ctx_t;

static int put_file_record(MDB_txn *txn, const char *project, const char *file, const char *integrity,
                           const char *url, int64_t published, int64_t flags, int64_t now, buf_t *b)
{
    char key[1024];
    size_t klen = version_key(key, sizeof(key), "pypi", project, file);
    if (klen == 0)
        return 0;
    version_rec_t old, rec = {.first_seen = now, .published_at = published, .flags = flags,
                              .integrity = (char *)integrity, .artifact_url = (char *)url};
    if (version_rec_get(txn, key, klen, &old) == 0) {
        int same = old.published_at == published && old.flags == flags && strcmp(old.integrity, integrity) == 0 &&
                   strcmp(old.artifact_url, url) == 0;
        rec.first_seen = old.first_seen;
        version_rec_free(&old);
        if (same)
            return 0;
    }
    buf_reset(b);
    version_rec_encode(&rec, b);
    if (b->oom)
        return ENOMEM;
    MDB_val k = {klen, key}, v = {b->len, b->data};
    return mdb_put(txn, store_dbi(DB_VERSIONS), &k, &v, 0);
}

static int record_files(MDB_txn *txn, void *arg)
{
    ingest_ctx_t *c = arg;
    buf_t b;
    buf_init(&b);
    int rc = 0;
    unsigned char *sdist_only = sdist_only_files(c->p);
    for (size_t i = 0; i < c->p->nfiles && rc == 0; i++) {
        pypi_file_t *f = &c->p->files[i];
        if (f->version == NULL)
            continue;
        int64_t flags = sdist_only && sdist_only[i] ? VERSION_SDIST_ONLY : 0;
        char url[4096], integrity[200] = "", mdfile[PYPI_FILE_MAX + 16], mdurl[4200], mdint[100] = "";
        resolve_url(c->page, f->url, url, sizeof(url));
        url[strcspn(url, "#")] = '\0';
        const pypi_hash_t *h = pypi_file_hash(f);
        if (h)
            snprintf(integrity, sizeof(integrity), "%s:%s", h->alg, h->hex);
        rc = put_file_record(txn, c->project, f->filename, integrity, url, f->upload_time_ms, flags, c->now, &b);
        if (rc == 0 && f->core_metadata) {
            snprintf(mdfile, sizeof(mdfile), "%s.metadata", f->filename);
            snprintf(mdurl, sizeof(mdurl), "%s.metadata", url);
            if (f->core_metadata_sha256)
                snprintf(mdint, sizeof(mdint), "sha256:%s", f->core_metadata_sha256);
            rc = put_file_record(txn, c->project, mdfile, mdint, mdurl, f->upload_time_ms, flags, c->now, &b);
        }
    }
    free(sdist_only);
    buf_free(&b);
    if (rc == 0) {
        package_rec_t pr;
        pypi_package_history(c->p, c->now, &pr);
        rc = package_rec_put(txn, "pypi", c->project, &pr);
    }
    if (rc == 0)
        rc = pypi_history_record(txn, &c->history, c->project);
    if (rc == 0)
        rc = takedown_note(txn, &c->td);
    return rc;
}

/* ---- takedowns: a file, or a whole release, the page no longer lists ---- */

/* a recorded file's release (its ".metadata" record's too) */
static int release_of_file(const char *name, char *out, size_t outlen, const void *project)
{
    char file[PYPI_FILE_MAX + 16];
    size_t n = strlen(name);
    snprintf(file, sizeof(file), "%.*s", (int)(n > 9 && !strcmp(name + n - 9, ".metadata") ? n - 9 : n), name);
    return pypi_file_version(project, file, out, outlen);
}

/* what the page lists, as the version records name it: each file, its
 * core metadata, and each release that still has a file. NULL when out of
 * memory; *n the count; the strings are the page's or in *store (free both). */
static const char **listed_names(const pypi_project_t *p, size_t *n, char **store)
{
    const char **names = malloc((3 * p->nfiles + 1) * sizeof(*names));
    char *md = malloc(p->nfiles * (PYPI_FILE_MAX + 16) + 1);
    *n = 0;
    *store = md;
    if (names == NULL || md == NULL) {
        free(names);
        return NULL;
    }
    for (size_t i = 0; i < p->nfiles; i++) {
        const pypi_file_t *f = &p->files[i];
        if (f->version == NULL)
            continue;
        names[(*n)++] = f->filename;
        names[(*n)++] = f->version;
        if (f->core_metadata) {
            char *slot = md + i * (PYPI_FILE_MAX + 16);
            snprintf(slot, PYPI_FILE_MAX + 16, "%s.metadata", f->filename);
            names[(*n)++] = slot;
        }
    }
    return names;
}

/* upstream answers 404 for a project it had: every file and release went */
static int pypi_gone(const char *key, char *err, size_t errlen)
{
    char prev[65];
    const char *project = key + strlen("pypi:");
    metadata_cached_blob(key, prev);
    takedown_doc_t td = {.eco = ECO_PYPI, .package = project, .also = release_of_file, .also_arg = project, .names_are_files = 1,
                         .prev_digest = prev, .now = time_now_ms()};
    if (takedown_note_write(&td, err, errlen) != 0)
        return -1;
    takedown_log(&td);
    return 0;
}

#define PREFETCH_PER_PAGE 2

static int file_artifact(const char *project, const char *page, const pypi_file_t *f, version_artifact_t *out);
static int pypi_version_source(const char *project, const char *version, version_source_t *src);

/* Files the window holds now are fetched and analysed in the background
 * (newest first, wheels before sdists, a couple per page), so their verdict
 * is ready when they become eligible. Runs on the fetcher thread. */
static void prefetch_young(const pypi_project_t *p, const char *project, const char *page, int64_t now)
{
    const config_t *cfg = runtime_config();
    if (!cfg->analysis.prefetch)
        return;
    int started = 0;
    findings_t names;
    int64_t names_until;
    findings_clear(&names);
    policy_gather_package(ECO_PYPI, project, now, &names, &names_until);
    for (int pass = 0; pass < 2; pass++) /* wheels first */
        for (size_t k = p->nfiles; k-- > 0 && started < PREFETCH_PER_PAGE;) {
            const pypi_file_t *f = &p->files[k];
            if (f->version == NULL || is_wheel(f->filename) != (pass == 0) ||
                !artifact_is_analysed(ECO_PYPI, f->filename))
                continue;
            version_facts_t facts = {.published_at = f->upload_time_ms, .first_seen = now, .findings = &names,
                                     .findings_until = names_until};
            policy_gather_review(ECO_PYPI, project, f->version, now, &facts);
            verdict_t vd;
            policy_decide(cfg, ECO_PYPI, project, f->version, &facts, now, &vd);
            if (vd.allow || vd.reason != REASON_QUARANTINE)
                continue;
            version_artifact_t a;
            if (file_artifact(project, page, f, &a) == 0)
                started += artifact_prefetch(a.key, a.url, a.integrity, a.check);
        }
}

/* one file of a page (at URL page): its blob key, URL, integrity and the
 * analysis it goes through; -1 when upstream gives no hash cordon verifies */
static int file_artifact(const char *project, const char *page, const pypi_file_t *f, version_artifact_t *out)
{
    const pypi_hash_t *h = pypi_file_hash(f);
    if (h == NULL || f->version == NULL)
        return -1;
    snprintf(out->filename, sizeof(out->filename), "%s", f->filename);
    snprintf(out->key, sizeof(out->key), "pypi:%s/%s", project, f->filename);
    snprintf(out->integrity, sizeof(out->integrity), "%s:%s", h->alg, h->hex);
    resolve_url(page, f->url, out->url, sizeof(out->url));
    out->url[strcspn(out->url, "#")] = '\0';
    out->check = artifact_check_new(artifact_job_new(ECO_PYPI, project, f->version, f->filename, NULL, 0));
    return 0;
}

/* how much a file of the version is the one the view compares: the name
 * of like_file (written for like_version), else a universal wheel, else
 * any wheel, else an sdist */
static int file_rank(const pypi_file_t *f, const char *version, const char *like_file, const char *like_version)
{
    if (like_file != NULL && contents_same_name(f->filename, version, like_file, like_version))
        return 4;
    if (!is_wheel(f->filename))
        return artifact_is_analysed(ECO_PYPI, f->filename) ? 1 : 0;
    size_t n = strlen(f->filename);
    return n > 14 && strcmp(f->filename + n - 14, "-none-any.whl") == 0 ? 3 : 2;
}

static int pypi_version_artifact(const char *project, const char *version, const char *like_file,
                                 const char *like_version, version_artifact_t *out)
{
    pypi_cached_t c;
    version_source_t src;
    char err[200];
    if (pypi_version_source(project, NULL, &src) != 0 || pypi_cached_load(project, time_now_ms(), &c, err, sizeof(err)) != 1)
        return -1;
    const pypi_file_t *best = NULL;
    int best_rank = 0;
    for (size_t k = 0; k < c.p.nfiles; k++) {
        const pypi_file_t *f = &c.p.files[k];
        if (f->version == NULL || pep440_compare_str(f->version, version) != 0 || pypi_file_hash(f) == NULL)
            continue;
        int r = file_rank(f, version, like_file, like_version);
        if (r > best_rank) {
            best = f;
            best_rank = r;
        }
    }
    int found = best != NULL && file_artifact(project, src.url, best, out) == 0;
    pypi_cached_free(&c);
    return found;
}

static int pypi_ingest(const char *key, const char *path, int64_t size, char *err, size_t errlen)
{
    const char *project = key + strlen("pypi:");
    if (path == NULL)
        return pypi_gone(key, err, errlen);
    mapped_t m;
    if (map_file(path, &m) != 0) {
        snprintf(err, errlen, "cannot read the fetched page: %s", strerror(errno));
        return -1;
    }
    pypi_project_t p;
    int rc = pypi_index_parse(&p, project, m.p ? m.p : "", m.len, err, errlen);
    if (rc == 0) {
        char page[2048];
        page_url(project, page, sizeof(page));
        ingest_ctx_t c = {.p = &p, .project = project, .page = page, .now = time_now_ms()};
        char serr[300], prev[65], *md;
        size_t nnames;
        const char **names = listed_names(&p, &nnames, &md);
        metadata_cached_blob(key, prev);
        c.td = (takedown_doc_t){.eco = ECO_PYPI, .package = project, .listed = names, .nlisted = nnames,
                                .also = release_of_file, .also_arg = project, .names_are_files = 1, .prev_digest = prev, .now = c.now};
        int have_history = pypi_history_build(&c.history, &p, project) == 0;
        if (names == NULL || !have_history) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else if (store_write(record_files, &c, serr, sizeof(serr)) != STORE_OK) {
            snprintf(err, errlen, "cannot record files: %s", serr);
            rc = -1;
        } else {
            takedown_log(&c.td);
            pypi_history_fetch_provenance(&c.history, project);
            prefetch_young(&p, project, page, c.now);
        }
        pypi_history_free(&c.history);
        free(names);
        free(md);
        pypi_index_free(&p);
    }
    unmap_file(&m);
    return rc;
}

/* ---- the policy over a page ---- */

typedef pypi_cached_t filtered_t; /* pypi_cached.h: the same, for the closure */

static int64_t first_seen_of(MDB_txn *txn, const char *project, const char *file)
{
    char key[1024];
    size_t klen = version_key(key, sizeof(key), "pypi", project, file);
    version_rec_t v;
    int64_t t = TIME_NONE;
    if (txn && klen && version_rec_get(txn, key, klen, &v) == 0) {
        t = v.first_seen;
        version_rec_free(&v);
    }
    return t;
}

static int filtered_load(const char *project, const meta_rec_t *m, int64_t now, filtered_t *fd, char *err,
                         size_t errlen)
{
    char src[4200];
    memset(fd, 0, sizeof(*fd));
    fd->valid_until = TIME_NONE;
    blob_path(m->blob, src, sizeof(src));
    if (map_file(src, &fd->map) != 0) {
        snprintf(err, errlen, "cannot read the cached copy: %s", strerror(errno));
        return -1;
    }
    if (pypi_index_parse(&fd->p, project, fd->map.p ? fd->map.p : "", fd->map.len, err, errlen) != 0) {
        unmap_file(&fd->map);
        return -1;
    }
    size_t n = fd->p.nfiles ? fd->p.nfiles : 1;
    fd->keep = calloc(n, 1);
    fd->verdicts = calloc(n, sizeof(verdict_t));
    if (!fd->keep || !fd->verdicts) {
        snprintf(err, errlen, "out of memory");
        free(fd->keep);
        free(fd->verdicts);
        pypi_index_free(&fd->p);
        unmap_file(&fd->map);
        return -1;
    }
    MDB_txn *txn = NULL;
    if (store_read_begin(&txn) != 0)
        txn = NULL;
    const config_t *cfg = runtime_config();
    unsigned char *sdist_only = sdist_only_files(&fd->p);
    /* what every file shares (the name check) is gathered once */
    findings_t names;
    int64_t names_until;
    findings_clear(&names);
    policy_gather_package(ECO_PYPI, project, now, &names, &names_until);
    for (size_t i = 0; i < fd->p.nfiles; i++) {
        pypi_file_t *f = &fd->p.files[i];
        if (f->version == NULL)
            continue;
        findings_t found = names;
        if (sdist_only && sdist_only[i])
            sdist_only_finding(project, f->version, &found);
        if (txn)
            findings_get_version(txn, "pypi", project, f->version, &found);
        version_facts_t facts = {.published_at = f->upload_time_ms, .first_seen = TIME_NONE, .findings = &found,
                                 .findings_until = names_until};
        policy_gather_review(ECO_PYPI, project, f->version, now, &facts);
        if (facts.published_at == TIME_NONE)
            facts.first_seen = first_seen_of(txn, project, f->filename);
        verdict_t *vd = &fd->verdicts[i];
        policy_decide(cfg, ECO_PYPI, project, f->version, &facts, now, vd);
        fd->keep[i] = (unsigned char)vd->allow;
        if (vd->valid_until != TIME_NONE && (fd->valid_until == TIME_NONE || vd->valid_until < fd->valid_until))
            fd->valid_until = vd->valid_until;
    }
    free(sdist_only);
    store_read_end(txn);
    return 0;
}

static void filtered_free(filtered_t *fd)
{
    free(fd->keep);
    free(fd->verdicts);
    pypi_index_free(&fd->p);
    unmap_file(&fd->map);
}

/* the newest release with an allowed file (final releases first) */
static const char *alternative(const filtered_t *fd)
{
    const char *best = NULL, *best_pre = NULL;
    for (size_t i = 0; i < fd->p.nfiles; i++) {
        const char *v = fd->p.files[i].version;
        pep440_t pv;
        if (!fd->keep[i] || v == NULL || pep440_parse(v, &pv) != 0)
            continue;
        const char **slot = pep440_is_prerelease(&pv) ? &best_pre : &best;
        if (*slot == NULL || pep440_compare_str(v, *slot) > 0)
            *slot = v;
    }
    return best ? best : best_pre;
}

/* ---- project pages ---- */

static void fetch_page(h2o_req_t *req, pypi_req_t *pr, flight_resume_fn fn, void *arg)
{
    char key[PYPI_NAME_MAX + 8], url[2048];
    snprintf(key, sizeof(key), "pypi:%s", pr->route.project);
    page_url(pr->route.project, url, sizeof(url));
    metadata_fetch(key, url, JSON_ACCEPT, pypi_ingest, req, &loop_of(req)->flight_receiver, fn, arg);
}

/* renders the page, stores it, fills file (derived name) and *note (what
 * it held back, the caller's to free) */
static int render_page(h2o_req_t *req, pypi_req_t *pr, const meta_rec_t *m, const char *key, int64_t now, char *file,
                       size_t filelen, char **note)
{
    const config_t *cfg = runtime_config();
    char err[300], base[2048];
    filtered_t fd;
    if (filtered_load(pr->route.project, m, now, &fd, err, sizeof(err)) != 0) {
        http_send_error(req, 502, NULL, "the cached upstream page for %s is unusable: %s", pr->route.project, err);
        return -1;
    }
    snprintf(base, sizeof(base), "%s/pypi/files/%s/", cfg->public_url, pr->route.project);
    int html = pr->format != PYPI_FORMAT_JSON;
    /* a held file stays, marked yanked with the denial's line (DESIGN.md
     * "Denials"): resolution skips it, an exact pin shows why */
    char **held = calloc(fd.p.nfiles ? fd.p.nfiles : 1, sizeof(*held));
    const char *alt = alternative(&fd);
    size_t notelen = 0;
    *note = NULL;
    for (size_t i = 0; held && i < fd.p.nfiles; i++) {
        if (fd.keep[i] || fd.p.files[i].version == NULL)
            continue;
        denial_note_held(note, &notelen, fd.p.files[i].version, &fd.verdicts[i], alt);
        buf_t line;
        buf_init(&line);
        denial_error_line(pr->route.project, fd.p.files[i].version, &fd.verdicts[i], alt, &line);
        held[i] = line.oom ? NULL : strdup(buf_cstr(&line));
        buf_free(&line);
    }
    pypi_render_opts_t o = {.html = html, .files_base = base, .keep = fd.keep, .held = (const char *const *)held};
    buf_t out;
    buf_init(&out);
    pypi_index_render(&fd.p, &o, &out);
    int64_t until = fd.valid_until;
    for (size_t i = 0; held && i < fd.p.nfiles; i++)
        free(held[i]);
    free(held);
    filtered_free(&fd);
    int rc = out.oom ? -1
                     : derived_store(key, "pypi", html ? "html" : "json", out.data, out.len, until, *note, file, filelen);
    int e = out.oom ? ENOMEM : errno;
    buf_free(&out);
    if (rc != 0) {
        free(*note);
        *note = NULL;
        http_send_error(req, 503, NULL, "cordon cannot write the page for %s: %s", pr->route.project, strerror(e));
        return -1;
    }
    return 0;
}

static void serve_page(h2o_req_t *req, pypi_req_t *pr, const meta_rec_t *m, int stale)
{
    const config_t *cfg = runtime_config();
    char key[80], file[128], etag[48], path[4200];
    int64_t now = time_now_ms();
    int html = pr->format != PYPI_FORMAT_JSON;
    char policy_fp[52];
    policy_document_fp(cfg, ECO_PYPI, pr->route.project, policy_fp);
    derived_key(key, sizeof(key), "pypi", m->blob, html ? "html" : "json", cfg->public_url, policy_fp, RENDER_VERSION);
    http_metadata_headers(req, stale);
    char *note = NULL;
    if (derived_lookup(key, now, file, sizeof(file), &note) != 0 &&
        render_page(req, pr, m, key, now, file, sizeof(file), &note) != 0)
        return;
    http_note_held_served(req, "pypi", pr->route.project, note);
    free(note);
    derived_etag(file, etag, sizeof(etag));
    blob_derived_path(file, path, sizeof(path));
    http_send_document(req, path, pypi_format_type(pr->format), etag);
}

static void page_error(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    pypi_req_t *pr = arg;
    if (out->status == 404)
        http_send_error(req, 404, NULL, "project %s not found upstream", pr->route.project);
    else
        http_send_error(req, out->status, out->reason, "%s", out->error);
}

static void serve_page_cb(h2o_req_t *req, void *arg, const meta_rec_t *m, int stale) { serve_page(req, arg, m, stale); }

static const metadata_source_t PAGE = {JSON_ACCEPT, pypi_ingest, serve_page_cb, page_error};

static void handle_page(h2o_req_t *req, pypi_req_t *pr)
{
    char key[PYPI_NAME_MAX + 8], url[2048];
    snprintf(key, sizeof(key), "pypi:%s", pr->route.project);
    page_url(pr->route.project, url, sizeof(url));
    metadata_serve(req, &loop_of(req)->flight_receiver, &PAGE, key, url, pr);
}

/* ---- the project list: upstream's, passed through as it is ---- */

static void serve_root(h2o_req_t *req, void *arg, const meta_rec_t *m, int stale)
{
    pypi_req_t *pr = arg;
    char path[4200], etag[48];
    http_metadata_headers(req, stale);
    snprintf(etag, sizeof(etag), "\"%.32s\"", m->blob);
    if (http_not_modified(req, etag))
        return;
    blob_path(m->blob, path, sizeof(path));
    const char *type = m->content_type && *m->content_type ? m->content_type : pypi_format_type(pr->format);
    http_send_file(req, path, type, etag);
}

static void root_error(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    http_send_error(req, out->status, out->reason, "the project list: %s", out->error);
}

static const metadata_source_t ROOT_JSON = {JSON_ACCEPT, NULL, serve_root, root_error};
static const metadata_source_t ROOT_HTML = {"text/html", NULL, serve_root, root_error};

static void handle_root(h2o_req_t *req, pypi_req_t *pr)
{
    char url[2048];
    int json = pr->format == PYPI_FORMAT_JSON;
    snprintf(url, sizeof(url), "%s/simple/", runtime_config()->upstream[ECO_PYPI]);
    metadata_serve(req, &loop_of(req)->flight_receiver, json ? &ROOT_JSON : &ROOT_HTML,
                   json ? "pypi-root:json" : "pypi-root:html", url, pr);
}

/* ---- files ---- */

/* ---- files: the artifact route's PyPI part ---- */

static int pypi_alternative(const char *project, const char *version, char *out, size_t outlen);

static int file_judge(artifact_req_t *ar, verdict_t *out)
{
    pypi_req_t *pr = ar->er;
    int listed = policy_judge(runtime_config(), ECO_PYPI, pr->route.project, pr->version, pr->file, time_now_ms(),
                              out, NULL, NULL);
    /* A held file is listed as yanked with cordon's reason; pip and uv read
     * its PEP 658 metadata before they report what they picked, so that
     * text (nothing in it runs) is served and an exact pin gets as far as
     * printing the reason; the file itself stays refused. A malicious
     * version's is refused like the file. */
    if (listed == 1 && pr->route.metadata && !out->allow && out->reason != REASON_MALICIOUS &&
        (reason_flags(out->reason) & REASON_F_HELD)) {
        size_t n = strlen(out->rule);
        snprintf(out->rule + n, sizeof(out->rule) - n, "; core metadata of a held %s (the file stays refused)",
                 reason_name(out->reason));
        out->allow = 1;
        out->reason = REASON_NONE;
        out->valid_until = TIME_NONE;
    }
    return listed;
}

static void file_learn(h2o_req_t *req, artifact_req_t *ar, flight_resume_fn resume)
{
    fetch_page(req, ar->er, resume, ar);
}

static int file_learned(artifact_req_t *ar, const flight_outcome_t *out, int *status, char *err, size_t errlen)
{
    pypi_req_t *pr = ar->er;
    char key[PYPI_NAME_MAX + 8];
    snprintf(key, sizeof(key), "pypi:%s", pr->route.project);
    return artifact_learned_metadata(key, out, status, err, errlen);
}

static void file_not_listed(artifact_req_t *ar, char *out, size_t outlen)
{
    pypi_req_t *pr = ar->er;
    snprintf(out, outlen, "%s is not listed for %s upstream", pr->file, pr->route.project);
}

static const char *file_alternative(h2o_req_t *req, artifact_req_t *ar)
{
    pypi_req_t *pr = ar->er;
    char alt[256];
    if (pypi_alternative(pr->route.project, pr->version, alt, sizeof(alt)) != 0)
        return NULL;
    return h2o_strdup(&req->pool, alt, SIZE_MAX).base;
}

static int file_source(h2o_req_t *req, artifact_req_t *ar)
{
    pypi_req_t *pr = ar->er;
    version_rec_t v;
    if (version_rec_load("pypi", pr->route.project, pr->file, &v) != 0) {
        http_send_error(req, 502, NULL, "%s: cordon lost its record of the file", pr->file);
        return -1;
    }
    int rc = 0;
    if (v.integrity[0] == '\0' || integrity_parse_any(v.integrity, &ar->want) != 0) {
        artifact_route_refuse_integrity(req, ar, "no sha256 or sha512 upstream",
                                        "the index gives no sha256 (or sha512) hash cordon can verify (%s), so it "
                                        "is not served",
                                        v.integrity[0] ? v.integrity : "none");
        rc = -1;
    } else {
        snprintf(ar->url, sizeof(ar->url), "%s", v.artifact_url);
    }
    version_rec_free(&v);
    return rc;
}

static artifact_check_t *file_check(artifact_req_t *ar)
{
    pypi_req_t *pr = ar->er;
    if (pr->route.metadata || !artifact_is_analysed(ECO_PYPI, pr->route.file))
        return NULL;
    return artifact_check_new(artifact_job_new(ECO_PYPI, pr->route.project, pr->version, pr->route.file, NULL, 0));
}

static void file_send(h2o_req_t *req, artifact_req_t *ar, const char *path, const char *etag)
{
    pypi_req_t *pr = ar->er;
    if (http_not_modified(req, etag))
        return;
    if (pr->route.metadata)
        http_send_file(req, path, "text/plain; charset=utf-8", etag);
    else
        http_send_artifact(req, path, "application/octet-stream", etag);
}

static const artifact_ops_t FILE_OPS = {
    .judge = file_judge,
    .learn = file_learn,
    .learned = file_learned,
    .not_listed = file_not_listed,
    .alternative = file_alternative,
    .source = file_source,
    .check = file_check,
    .send = file_send,
};

static void handle_file(h2o_req_t *req, pypi_req_t *pr)
{
    if (pypi_file_version(pr->route.project, pr->route.file, pr->version, sizeof(pr->version)) != 0) {
        http_send_error(req, 404, NULL, "%s is not a distribution of %s", pr->route.file, pr->route.project);
        return;
    }
    snprintf(pr->file, sizeof(pr->file), "%s%s", pr->route.file, pr->route.metadata ? ".metadata" : "");
    artifact_req_t *ar = &pr->ar;
    artifact_req_init(ar, &FILE_OPS, pr, ECO_PYPI, pr->route.project, pr->version, "index sha256");
    snprintf(ar->key, sizeof(ar->key), "pypi:%s/%s", pr->route.project, pr->file);
    snprintf(ar->detail, sizeof(ar->detail), "GET %s", pr->file);
    snprintf(ar->what, sizeof(ar->what), "%s", pr->file);
    artifact_route(req, ar);
}

/* ---- the table entry ---- */

static void redirect(h2o_req_t *req, const char *location)
{
    http_request_id(req);
    h2o_send_redirect(req, 301, "Moved Permanently", location, strlen(location));
}

static void pypi_package_of(const char *path, size_t plen, char *out, size_t outlen)
{
    /* twine posts to the repository root; the project is in the form body */
    pypi_route_t r;
    pypi_route_parse(path, plen, &r);
    if (r.kind == PYPI_ROUTE_PROJECT || r.kind == PYPI_ROUTE_FILE)
        snprintf(out, outlen, "%s", r.project);
}

static void pypi_handle(h2o_req_t *req, const char *path, size_t plen)
{
    pypi_req_t *pr = h2o_mem_alloc_pool(&req->pool, sizeof(*pr));
    memset(pr, 0, sizeof(*pr));
    pypi_route_parse(path, plen, &pr->route);
    if (pr->route.kind == PYPI_ROUTE_ROOT || pr->route.kind == PYPI_ROUTE_PROJECT) {
        h2o_iovec_t accept = http_header(req, H2O_TOKEN_ACCEPT);
        pr->format = pypi_negotiate(accept.base, accept.len);
        if (pr->format == PYPI_FORMAT_NONE) {
            http_send_error(req, 406, NULL,
                            "cordon serves the simple index as application/vnd.pypi.simple.v1+json, "
                            "application/vnd.pypi.simple.v1+html or text/html");
            return;
        }
    }
    switch (pr->route.kind) {
    case PYPI_ROUTE_ROOT:
        if (pr->route.needs_redirect) {
            redirect(req, "/pypi/simple/");
            return;
        }
        handle_root(req, pr);
        return;
    case PYPI_ROUTE_PROJECT:
        if (pr->route.needs_redirect) {
            char loc[PYPI_NAME_MAX + 32];
            snprintf(loc, sizeof(loc), "/pypi/simple/%s/", pr->route.project);
            redirect(req, h2o_strdup(&req->pool, loc, SIZE_MAX).base);
            return;
        }
        handle_page(req, pr);
        return;
    case PYPI_ROUTE_FILE:
        handle_file(req, pr);
        return;
    default:
        http_send_error(req, 404, NULL, "not a PyPI simple-index route: /pypi/%.*s (see /pypi/simple/)",
                        (int)(plen > 200 ? 200 : plen), path);
    }
}

static int pypi_canonical_name(const char *in, char *out, size_t outlen)
{
    return pypi_normalize(in, strlen(in), out, outlen) == 0 ? 0 : -1;
}

/* one file's facts from its record; the release's from every file of it in
 * the cached page (its newest file's time: the one a window holds longest) */
static int pypi_version_facts(const char *project, const char *version, const char *file, version_facts_t *f,
                              findings_t *found)
{
    f->published_at = f->first_seen = TIME_NONE;
    f->snapshot = 0;
    f->removed_at = 0; /* policy_judge asks intel/takedown.h */
    findings_clear(found);
    if (file != NULL) {
        char key[1024];
        size_t klen = version_key(key, sizeof(key), "pypi", project, file);
        MDB_txn *txn;
        version_rec_t v;
        int listed = 0;
        if (klen && store_read_begin(&txn) == 0) {
            listed = version_rec_get(txn, key, klen, &v) == 0;
            if (listed) {
                f->published_at = v.published_at;
                f->first_seen = v.first_seen;
                if (v.flags & VERSION_SDIST_ONLY)
                    sdist_only_finding(project, version, found);
                version_rec_free(&v);
                findings_get_version(txn, "pypi", project, version, found);
            }
            store_read_end(txn);
        }
        return listed;
    }
    char key[PYPI_NAME_MAX + 8], err[300], src[4200];
    meta_rec_t m;
    snprintf(key, sizeof(key), "pypi:%s", project);
    if (metadata_lookup(key, &m) != 0)
        return -1;
    blob_path(m.blob, src, sizeof(src));
    meta_rec_free(&m);
    mapped_t map;
    pypi_project_t p;
    if (map_file(src, &map) != 0)
        return -1;
    if (pypi_index_parse(&p, project, map.p ? map.p : "", map.len, err, sizeof(err)) != 0) {
        unmap_file(&map);
        return -1;
    }
    MDB_txn *txn = NULL;
    if (store_read_begin(&txn) != 0)
        txn = NULL;
    int listed = 0;
    unsigned char *sdist_only = sdist_only_files(&p);
    for (size_t i = 0; i < p.nfiles; i++) {
        const pypi_file_t *pf = &p.files[i];
        if (pf->version == NULL || strcmp(pf->version, version) != 0)
            continue;
        listed = 1;
        if (sdist_only && sdist_only[i])
            sdist_only_finding(project, version, found);
        if (pf->upload_time_ms != TIME_NONE) {
            if (f->published_at == TIME_NONE || pf->upload_time_ms > f->published_at)
                f->published_at = pf->upload_time_ms;
        } else {
            int64_t seen = first_seen_of(txn, project, pf->filename);
            if (seen != TIME_NONE && (f->first_seen == TIME_NONE || seen > f->first_seen))
                f->first_seen = seen;
        }
    }
    free(sdist_only);
    if (listed && txn)
        findings_get_version(txn, "pypi", project, version, found);
    store_read_end(txn);
    pypi_index_free(&p);
    unmap_file(&map);
    return listed;
}

static int pypi_alternative(const char *project, const char *version, char *out, size_t outlen)
{
    char key[PYPI_NAME_MAX + 8], err[300];
    meta_rec_t m;
    filtered_t fd;
    snprintf(key, sizeof(key), "pypi:%s", project);
    if (metadata_lookup(key, &m) != 0)
        return -1;
    int have = filtered_load(project, &m, time_now_ms(), &fd, err, sizeof(err)) == 0;
    meta_rec_free(&m);
    if (!have)
        return -1;
    const char *alt = alternative(&fd);
    if (alt)
        snprintf(out, outlen, "%s", alt);
    filtered_free(&fd);
    return alt ? 0 : -1;
}

/* a lockfile check learns a release from the project page, like a file request */
static int pypi_version_source(const char *project, const char *version, version_source_t *src)
{
    (void)version;
    if (runtime_config()->upstream[ECO_PYPI] == NULL || project[0] == '\0')
        return -1;
    snprintf(src->key, sizeof(src->key), "pypi:%s", project);
    page_url(project, src->url, sizeof(src->url));
    src->accept = JSON_ACCEPT;
    src->ingest = pypi_ingest;
    return 0;
}

int pypi_cached_source(const char *project, version_source_t *src) { return pypi_version_source(project, NULL, src); }

int pypi_cached_load(const char *project, int64_t now, pypi_cached_t *out, char *err, size_t errlen)
{
    char key[PYPI_NAME_MAX + 8];
    meta_rec_t m;
    snprintf(key, sizeof(key), "pypi:%s", project);
    if (metadata_lookup(key, &m) != 0)
        return 0;
    int rc = filtered_load(project, &m, now, out, err, errlen);
    meta_rec_free(&m);
    return rc == 0 ? 1 : -1;
}

void pypi_cached_free(pypi_cached_t *c) { filtered_free(c); }

void pypi_cached_metadata_url(const char *project, const pypi_file_t *f, char *out, size_t outlen)
{
    char page[2048], url[4096];
    page_url(project, page, sizeof(page));
    resolve_url(page, f->url, url, sizeof(url));
    url[strcspn(url, "#")] = '\0';
    snprintf(out, outlen, "%s.metadata", url);
}

/* every hash the cached page gives for the files of one release (pip's
 * --hash names files: each must be one of them) */
static int pypi_version_digests(const char *project, const char *version, unsigned algs, buf_t *out)
{
    (void)algs;
    char key[PYPI_NAME_MAX + 8], src[4200], err[300];
    meta_rec_t m;
    snprintf(key, sizeof(key), "pypi:%s", project);
    if (metadata_lookup(key, &m) != 0)
        return -1;
    blob_path(m.blob, src, sizeof(src));
    meta_rec_free(&m);
    mapped_t map;
    if (map_file(src, &map) != 0)
        return -1;
    pypi_project_t p;
    int listed = -1;
    if (pypi_index_parse(&p, project, map.p ? map.p : "", map.len, err, sizeof(err)) == 0) {
        listed = 0;
        for (size_t i = 0; i < p.nfiles; i++) {
            const pypi_file_t *f = &p.files[i];
            if (f->version == NULL || strcmp(f->version, version) != 0)
                continue;
            listed = 1;
            for (int h = 0; h < f->nhashes; h++) {
                const char *alg = f->hashes[h].alg;
                if (f->hashes[h].hex == NULL || (strcmp(alg, "sha256") && strcmp(alg, "sha512") && strcmp(alg, "sha1")))
                    continue;
                buf_printf(out, "%s%s:", out->len ? " " : "", alg);
                for (const char *c = f->hashes[h].hex; *c; c++)
                    buf_putc(out, (char)(*c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c));
            }
        }
        pypi_index_free(&p);
    }
    unmap_file(&map);
    return listed;
}

static const char *const pypi_prefixes[] = {"py-", "python-", NULL};
static const char *const pypi_suffixes[] = {"-python", "-py", NULL};
static const typosquat_rules_t pypi_typosquat = {.prefixes = pypi_prefixes,
                                                 .suffixes = pypi_suffixes,
                                                 .one_edit = 1,
                                                 .popular = popular_builtin_pypi,
                                                 .npopular = &popular_builtin_pypi_count};

static const lock_format_def_t *const pypi_lockfiles[] = {&pip_lock_format, NULL};

const ecosystem_t pypi_ecosystem = {
    .id = ECO_PYPI,
    .name = "pypi",
    .prefix = "/pypi/",
    .osv_name = "PyPI",
    .is_read_only_write = NULL,
    .package_of = pypi_package_of,
    .handle = pypi_handle,
    .canonical_name = pypi_canonical_name,
    .version_compare = pep440_compare_str,
    .alternative = pypi_alternative,
    .version_facts = pypi_version_facts,
    .version_source = pypi_version_source,
    .version_artifact = pypi_version_artifact,
    .version_digests = pypi_version_digests,
    .artifacts = &pypi_artifacts,
    .flags = ECO_F_FOLD_NAMES,
    .lockfiles = pypi_lockfiles,
    .typosquat = &pypi_typosquat,
    .closure_deps = pypi_closure_deps,
    .spec_versions = pypi_spec_versions,
    .list_name = pypi_canonical_name,
};
