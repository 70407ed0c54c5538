/* npm: the npm registry API as cordon serves it.
 *   GET  /npm/<name>                packument (full, or abbreviated by Accept)
 *   GET  /npm/<name>/-/<file>.tgz   tarball, verified against dist.integrity
 *   GET  /npm/-/ping                answered locally
 *   POST /npm/-/npm/v1/security/…   npm audit, relayed upstream (read-only)
 * Everything else with a write verb is refused by the router. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <yajl/yajl_parse.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecosystems/eco_ids.h"
#include "ecosystems/lock_formats.h"
#include "ecosystems/popular_builtin.h"
#include "ecosystems/npm/npm_artifact.h"
#include "ecosystems/npm/npm_cached.h"
#include "store/blob.h"
#include "store/derived.h"
#include "store/store.h"
#include "analysis/artifact.h"
#include "ecosystems/artifact_route.h"
#include "upstream/upstream_cache.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "common/url.h"
#include "core/ecosystem.h"
#include "ecosystems/npm/npm_filter.h"
#include "ecosystems/npm/npm_packument.h"
#include "ecosystems/npm/npm_path.h"
#include "ecosystems/npm/npm_semver.h"
#include "http/http.h"
#include "http/loop.h"
#include "http/denial.h"
#include "ecosystems/npm/npm_history.h"
#include "intel/takedown.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "core/runtime.h"

#define ABBREV_ACCEPT "application/vnd.npm.install-v1+json"
#define RENDER_VERSION "3" /* bump when rendering changes: old derived files are ignored (3: a gzip copy and a note of held versions) */

typedef struct npm_req {
    npm_route_t route;
    char version[256]; /* the version a tarball request names */
    int abbreviated;
    artifact_req_t ar; /* a tarball's way through the artifact route */
} npm_req_t;

/* ---- ingest: runs on the fetcher thread for every new upstream packument ---- */

typedef struct ingest_ctx {
    npm_packument_t *p;
    unsigned char *scripts; /* npm_install_script_history */
    int64_t now;
    takedown_doc_t td; /* what the packument lists now: earlier versions it lacks were taken down */
    npm_history_t history; /* what the release history says (npm_history.h) */
} ingest_ctx_t;

static int record_versions(MDB_txn *txn, void *arg)
{
    ingest_ctx_t *c = arg;
    npm_packument_t *p = c->p;
    buf_t b;
    buf_init(&b);
    int rc = 0;
    for (size_t i = 0; i < p->nversions && rc == 0; i++) {
        npm_version_t *v = &p->versions[i];
        char key[1024];
        size_t klen = version_key(key, sizeof(key), "npm", p->name, v->version);
        if (klen == 0)
            continue;
        char integrity[200] = "";
        /* the tarball URL as fetched: without userinfo (cordon sends its own credentials, to its upstream only) */
        char *tarball_url = url_without_userinfo(v->tarball_url ? v->tarball_url : "");
        if (tarball_url == NULL) {
            rc = ENOMEM;
            break;
        }
        if (v->integrity)
            snprintf(integrity, sizeof(integrity), "%s", v->integrity);
        else if (v->shasum)
            snprintf(integrity, sizeof(integrity), "sha1:%s", v->shasum);
        version_rec_t old, rec = {.first_seen = c->now,
                                  .published_at = v->published_at,
                                  .flags = ((c->scripts[i] & NPM_SCRIPTS_HAS) ? VERSION_HAS_INSTALL_SCRIPT : 0) |
                                           ((c->scripts[i] & NPM_SCRIPTS_NEW) ? VERSION_NEW_INSTALL_SCRIPT : 0),
                                  .integrity = integrity,
                                  .artifact_url = tarball_url};
        int have = version_rec_get(txn, key, klen, &old) == 0;
        if (have) {
            int same = old.published_at == rec.published_at && old.flags == rec.flags &&
                       strcmp(old.integrity, rec.integrity) == 0 && strcmp(old.artifact_url, rec.artifact_url) == 0;
            rec.first_seen = old.first_seen; /* first seen never moves */
            version_rec_free(&old);
            if (same) {
                free(tarball_url);
                continue;
            }
        }
        buf_reset(&b);
        version_rec_encode(&rec, &b);
        free(tarball_url);
        if (b.oom) {
            rc = ENOMEM;
            break;
        }
        MDB_val k = {klen, key}, val = {b.len, b.data};
        rc = mdb_put(txn, store_dbi(DB_VERSIONS), &k, &val, 0);
    }
    buf_free(&b);
    if (rc == 0) {
        package_rec_t pr;
        npm_package_history(p, c->now, &pr);
        rc = package_rec_put(txn, "npm", p->name, &pr);
    }
    if (rc == 0)
        rc = npm_history_record(txn, &c->history, p);
    if (rc == 0)
        rc = takedown_note(txn, &c->td);
    return rc;
}

#define PREFETCH_PER_PACKUMENT 3

static void tarball_of(const npm_packument_t *p, const npm_version_t *v, version_artifact_t *out);

/* Versions the window holds now are fetched and analysed in the background
 * (newest first, a few per packument), so that when they become eligible
 * their verdict is ready and the first install does not wait for analysis. */
static void prefetch_young(const npm_packument_t *p, const unsigned char *scripts, int64_t now)
{
    const config_t *cfg = runtime_config();
    if (!cfg->analysis.prefetch)
        return;
    int started = 0;
    findings_t names;
    int64_t names_until;
    findings_clear(&names);
    policy_gather_package(ECO_NPM, p->name, now, &names, &names_until);
    for (size_t k = p->nversions; k-- > 0 && started < PREFETCH_PER_PACKUMENT;) {
        const npm_version_t *v = &p->versions[k];
        findings_t f = names;
        npm_script_findings(p->name, v->version, scripts[k], &f);
        version_facts_t facts = {.published_at = v->published_at, .first_seen = now, .findings = &f,
                                 .findings_until = names_until};
        policy_gather_review(ECO_NPM, p->name, v->version, now, &facts);
        verdict_t vd;
        policy_decide(cfg, ECO_NPM, p->name, v->version, &facts, now, &vd);
        if (vd.allow || vd.reason != REASON_QUARANTINE || !v->tarball_url)
            continue; /* only what age alone holds: the rest is refused or served anyway */
        version_artifact_t a;
        tarball_of(p, v, &a);
        started += artifact_prefetch(a.key, a.url, a.integrity, a.check);
    }
}

/* the tarball of v: its blob key, URL, integrity and the analysis it goes through */
static void tarball_of(const npm_packument_t *p, const npm_version_t *v, version_artifact_t *out)
{
    npm_tarball_filename(p, v, out->filename, sizeof(out->filename));
    snprintf(out->key, sizeof(out->key), "npm:%s/%s", p->name, out->filename);
    snprintf(out->url, sizeof(out->url), "%s", v->tarball_url ? v->tarball_url : "");
    snprintf(out->integrity, sizeof(out->integrity), "%s%s", v->integrity ? "" : "sha1:",
             v->integrity ? v->integrity : (v->shasum ? v->shasum : ""));
    artifact_job_t *job = artifact_job_new(ECO_NPM, p->name, v->version, out->filename, p->doc + v->value.start,
                                           v->value.end > v->value.start ? v->value.end - v->value.start : 0);
    out->check = artifact_check_new(job);
}

static int npm_version_artifact(const char *package, const char *version, const char *like_file,
                                const char *like_version, version_artifact_t *out)
{
    (void)like_file;
    (void)like_version; /* a version has one tarball */
    npm_cached_t c;
    char err[200];
    if (npm_cached_load(package, time_now_ms(), &c, err, sizeof(err)) != 1)
        return -1;
    int found = 0;
    for (size_t k = 0; k < c.p.nversions && !found; k++) {
        const npm_version_t *v = &c.p.versions[k];
        if (strcmp(v->version, version) != 0 || v->tarball_url == NULL || (!v->integrity && !v->shasum))
            continue;
        tarball_of(&c.p, v, out);
        found = 1;
    }
    npm_cached_free(&c);
    return found;
}

/* upstream answers 404 for a package it had: every version it listed went */
static int npm_gone(const char *key, char *err, size_t errlen)
{
    char prev[65];
    metadata_cached_blob(key, prev);
    takedown_doc_t td = {.eco = ECO_NPM, .package = key + 4, .prev_digest = prev, .now = time_now_ms()};
    if (takedown_note_write(&td, err, errlen) != 0)
        return -1;
    takedown_log(&td);
    return 0;
}

static int npm_ingest(const char *key, const char *path, int64_t size, char *err, size_t errlen)
{
    if (path == NULL)
        return npm_gone(key, err, errlen);
    mapped_t m;
    if (map_file(path, &m) != 0) {
        snprintf(err, errlen, "cannot read the fetched document: %s", strerror(errno));
        return -1;
    }
    npm_packument_t p;
    int rc = npm_packument_parse(&p, m.p ? m.p : "", m.len, err, errlen);
    if (rc == 0 && (p.name == NULL || strcmp(p.name, key + 4) != 0)) {
        /* "npm:<name>": a packument for another package is not this one */
        snprintf(err, errlen, "the document names package '%s', not '%s'", p.name ? p.name : "(none)", key + 4);
        rc = -1;
        npm_packument_free(&p);
    }
    if (rc == 0) {
        ingest_ctx_t c = {.p = &p, .scripts = malloc(p.nversions ? p.nversions : 1), .now = time_now_ms()};
        const char **names = malloc((p.nversions ? p.nversions : 1) * sizeof(*names));
        char serr[300], prev[65];
        metadata_cached_blob(key, prev);
        for (size_t i = 0; names && i < p.nversions; i++)
            names[i] = p.versions[i].version;
        c.td = (takedown_doc_t){.eco = ECO_NPM, .package = p.name, .listed = names, .nlisted = p.nversions,
                                .prev_digest = prev, .now = c.now};
        int have_history = npm_history_build(&c.history, &p) == 0;
        if (c.scripts == NULL || names == NULL || !have_history) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else {
            npm_install_script_history(&p, c.scripts);
            if (store_write(record_versions, &c, serr, sizeof(serr)) != STORE_OK) {
                snprintf(err, errlen, "cannot record versions: %s", serr);
                rc = -1;
            }
        }
        if (rc == 0) {
            takedown_log(&c.td);
            npm_history_fetch_attestations(&p, &c.history);
            prefetch_young(&p, c.scripts, c.now);
        }
        free(names);
        free(c.scripts);
        npm_history_free(&c.history);
        npm_packument_free(&p);
    }
    unmap_file(&m);
    return rc;
}

/* ---- packuments ---- */

static void packument_source(const npm_req_t *nr, char *key, size_t keylen, char *url, size_t urllen);

/* fetches the packument for a tarball request (a version not seen yet); resumes fn with arg */
static void start_metadata_fetch(h2o_req_t *req, npm_req_t *nr, flight_resume_fn fn, void *arg)
{
    char key[NPM_NAME_MAX + 8], url[2048];
    packument_source(nr, key, sizeof(key), url, sizeof(url));
    metadata_fetch(key, url, "application/json", npm_ingest, req, &loop_of(req)->flight_receiver, fn, arg);
}

/* first-seen times of the versions upstream gives no time for */
static int64_t *first_seen_times(const npm_packument_t *p)
{
    int64_t *fs = malloc((p->nversions ? p->nversions : 1) * sizeof(int64_t));
    if (fs == NULL)
        return NULL;
    MDB_txn *txn = NULL;
    for (size_t i = 0; i < p->nversions; i++) {
        fs[i] = TIME_NONE;
        if (p->versions[i].published_at != TIME_NONE)
            continue;
        if (txn == NULL && store_read_begin(&txn) != 0)
            break;
        char key[1024];
        size_t klen = version_key(key, sizeof(key), "npm", p->name, p->versions[i].version);
        version_rec_t v;
        if (klen && version_rec_get(txn, key, klen, &v) == 0) {
            fs[i] = v.first_seen;
            version_rec_free(&v);
        }
    }
    store_read_end(txn);
    return fs;
}

/* per version: its install-script history and what analysis of its
 * tarball found. Sparse (NULL where there is nothing: most versions), since
 * a findings_t is ~2 kB and big packuments have thousands of versions.
 * NULL when out of memory: no findings is then the answer. */
static findings_t **version_findings(const npm_packument_t *p)
{
    size_t n = p->nversions ? p->nversions : 1;
    findings_t **f = calloc(n, sizeof(*f));
    unsigned char *bits = malloc(n);
    if (f == NULL || bits == NULL) {
        free(f);
        free(bits);
        return NULL;
    }
    npm_install_script_history(p, bits);
    MDB_txn *txn = NULL;
    if (store_read_begin(&txn) != 0)
        txn = NULL;
    findings_t one;
    for (size_t i = 0; i < p->nversions; i++) {
        findings_clear(&one);
        npm_script_findings(p->name, p->versions[i].version, bits[i], &one);
        if (txn)
            findings_get_version(txn, "npm", p->name, p->versions[i].version, &one);
        if (one.mask && (f[i] = malloc(sizeof(one))) != NULL)
            *f[i] = one;
    }
    store_read_end(txn);
    free(bits);
    return f;
}

static void version_findings_free(findings_t **f, size_t n)
{
    for (size_t i = 0; f && i < n; i++)
        free(f[i]);
    free(f);
}

/* Parses a cached upstream packument and applies the policy to it. */
typedef struct filtered {
    mapped_t map;
    npm_packument_t p;
    npm_filter_t f;
} filtered_t;

static int filtered_load(const meta_rec_t *m, int64_t now, filtered_t *fd, char *err, size_t errlen)
{
    char src[4200];
    memset(fd, 0, sizeof(*fd));
    blob_path(m->blob, src, sizeof(src));
    if (map_file(src, &fd->map) != 0) {
        snprintf(err, errlen, "cannot read the cached copy: %s", strerror(errno));
        return -1;
    }
    if (npm_packument_parse(&fd->p, fd->map.p ? fd->map.p : "", fd->map.len, err, errlen) != 0) {
        unmap_file(&fd->map);
        return -1;
    }
    int64_t *fs = first_seen_times(&fd->p);
    findings_t **found = version_findings(&fd->p);
    int rc = npm_filter_apply(runtime_config(), &fd->p, fs, (const findings_t *const *)found, now, &fd->f);
    free(fs);
    version_findings_free(found, fd->p.nversions);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        npm_packument_free(&fd->p);
        unmap_file(&fd->map);
        return -1;
    }
    return 0;
}

static void filtered_free(filtered_t *fd)
{
    npm_filter_free(&fd->f);
    npm_packument_free(&fd->p);
    unmap_file(&fd->map);
}

/* renders the filtered document, stores it, fills file (derived name) and
 * *note (what it withheld, the caller's to free) */
static int render_doc(h2o_req_t *req, npm_req_t *nr, const meta_rec_t *m, const char *key, int64_t now, char *file,
                      size_t filelen, char **note)
{
    const config_t *cfg = runtime_config();
    char err[300];
    filtered_t fd;
    if (filtered_load(m, now, &fd, err, sizeof(err)) != 0) {
        http_send_error(req, 502, NULL, "the cached upstream packument for %s is unusable: %s", nr->route.name, err);
        return -1;
    }
    char base[2048];
    snprintf(base, sizeof(base), "%s/npm/%s/-/", cfg->public_url, nr->route.name);
    npm_render_opts_t o = {.abbreviated = nr->abbreviated,
                           .tarball_base = base,
                           .keep = fd.f.keep,
                           .tags = fd.f.tags,
                           .ntags = fd.f.ntags,
                           .modified = fd.f.nheld ? fd.f.modified : TIME_NONE,
                           .restricted_message = fd.f.message};
    buf_t out;
    buf_init(&out);
    npm_packument_render(&fd.p, &o, &out);
    int64_t until = fd.f.valid_until;
    size_t notelen = 0;
    *note = NULL;
    for (size_t i = 0; i < fd.p.nversions; i++)
        if (!fd.f.keep[i])
            denial_note_held(note, &notelen, fd.p.versions[i].version, &fd.f.verdicts[i],
                             npm_filter_alternative(&fd.p, &fd.f, fd.p.versions[i].version));
    filtered_free(&fd);
    if (out.oom) {
        buf_free(&out);
        free(*note);
        *note = NULL;
        http_send_error(req, 503, NULL, "out of memory rendering %s", nr->route.name);
        return -1;
    }
    int wrc = derived_store(key, "npm", nr->abbreviated ? "a.json" : "f.json", out.data, out.len, until, *note, file,
                            filelen);
    int werr = errno;
    buf_free(&out);
    if (wrc != 0) {
        free(*note);
        *note = NULL;
        http_send_error(req, 503, NULL, "cordon cannot write the rendered packument for %s: %s", nr->route.name,
                        strerror(werr));
        return -1;
    }
    return 0;
}

/* serves the filtered packument, rendering it when needed */
static void serve_packument(h2o_req_t *req, npm_req_t *nr, const meta_rec_t *m, int stale)
{
    const config_t *cfg = runtime_config();
    int64_t now = time_now_ms();
    char key[80], file[128], path[4200], etag[48];
    char policy_fp[52];
    policy_document_fp(cfg, ECO_NPM, nr->route.name, policy_fp);
    derived_key(key, sizeof(key), "npm", m->blob, nr->abbreviated ? "abbrev" : "full", cfg->public_url, policy_fp,
                RENDER_VERSION);

    http_metadata_headers(req, stale);
    char *note = NULL;
    if (derived_lookup(key, now, file, sizeof(file), &note) != 0 &&
        render_doc(req, nr, m, key, now, file, sizeof(file), &note) != 0)
        return;
    http_note_held_served(req, "npm", nr->route.name, note);
    free(note);
    derived_etag(file, etag, sizeof(etag));
    blob_derived_path(file, path, sizeof(path));
    http_send_document(req, path, nr->abbreviated ? ABBREV_ACCEPT : "application/json", etag);
}

static void packument_error(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    npm_req_t *nr = arg;
    if (out->status == 404)
        http_send_error(req, 404, NULL, "package %s not found upstream", nr->route.name);
    else
        http_send_error(req, out->status, out->reason, "%s", out->error);
}

static void serve_packument_cb(h2o_req_t *req, void *arg, const meta_rec_t *m, int stale)
{
    serve_packument(req, arg, m, stale);
}

static const metadata_source_t PACKUMENT = {"application/json", npm_ingest, serve_packument_cb, packument_error};

static void packument_source_of(const char *name, char *key, size_t keylen, char *url, size_t urllen)
{
    char enc[2 * NPM_NAME_MAX + 8];
    npm_name_encode(name, enc, sizeof(enc));
    snprintf(url, urllen, "%s/%s", runtime_config()->upstream[ECO_NPM], enc);
    snprintf(key, keylen, "npm:%s", name);
}

static void packument_source(const npm_req_t *nr, char *key, size_t keylen, char *url, size_t urllen)
{
    packument_source_of(nr->route.name, key, keylen, url, urllen);
}

static void handle_packument(h2o_req_t *req, npm_req_t *nr)
{
    char key[NPM_NAME_MAX + 8], url[2048];
    packument_source(nr, key, sizeof(key), url, sizeof(url));
    metadata_serve(req, &loop_of(req)->flight_receiver, &PACKUMENT, key, url, nr);
}

/* ---- tarballs: the artifact route's npm part ---- */

static int npm_alternative(const char *package, const char *version, char *out, size_t outlen);

/* The facts of a version's verdict, the same metadata filtering uses: its
 * record (times, install-script history) and what analysis found in its
 * tarball. 0, or -1 when cordon has no record of the version. */
static int npm_facts(const char *name, const char *version, version_rec_t *v, findings_t *f)
{
    char key[1024];
    size_t klen = version_key(key, sizeof(key), "npm", name, version);
    MDB_txn *txn;
    findings_clear(f);
    int found = 0;
    if (klen && store_read_begin(&txn) == 0) {
        found = version_rec_get(txn, key, klen, v) == 0;
        if (found)
            findings_get_version(txn, "npm", name, version, f);
        store_read_end(txn);
    }
    if (!found)
        return -1;
    npm_script_findings(name, version,
                        ((v->flags & VERSION_HAS_INSTALL_SCRIPT) ? NPM_SCRIPTS_HAS : 0) |
                            ((v->flags & VERSION_NEW_INSTALL_SCRIPT) ? NPM_SCRIPTS_NEW : 0),
                        f);
    return 0;
}

/* the registry's manifest of one version (what its tarball is compared
 * with), from the cached packument; NULL when there is none */
static char *registry_manifest(const char *name, const char *version, size_t *len)
{
    char key[NPM_NAME_MAX + 8], err[300], src[4200];
    meta_rec_t m;
    snprintf(key, sizeof(key), "npm:%s", name);
    if (metadata_lookup(key, &m) != 0)
        return NULL;
    mapped_t map;
    blob_path(m.blob, src, sizeof(src));
    meta_rec_free(&m);
    if (map_file(src, &map) != 0)
        return NULL;
    npm_packument_t p;
    char *out = NULL;
    if (npm_packument_parse(&p, map.p ? map.p : "", map.len, err, sizeof(err)) == 0) {
        long i = npm_packument_find(&p, version);
        if (i >= 0 && p.versions[i].value.end > p.versions[i].value.start) {
            *len = p.versions[i].value.end - p.versions[i].value.start;
            out = malloc(*len + 1);
            if (out) {
                memcpy(out, (const char *)map.p + p.versions[i].value.start, *len);
                out[*len] = '\0';
            }
        }
        npm_packument_free(&p);
    }
    unmap_file(&map);
    return out;
}

static int tarball_judge(artifact_req_t *ar, verdict_t *out)
{
    npm_req_t *nr = ar->er;
    return policy_judge(runtime_config(), ECO_NPM, nr->route.name, nr->version, NULL, time_now_ms(), out, NULL,
                        NULL);
}

static void tarball_learn(h2o_req_t *req, artifact_req_t *ar, flight_resume_fn resume)
{
    start_metadata_fetch(req, ar->er, resume, ar);
}

static int tarball_learned(artifact_req_t *ar, const flight_outcome_t *out, int *status, char *err, size_t errlen)
{
    npm_req_t *nr = ar->er;
    char key[NPM_NAME_MAX + 8];
    snprintf(key, sizeof(key), "npm:%s", nr->route.name);
    return artifact_learned_metadata(key, out, status, err, errlen);
}

static void tarball_not_listed(artifact_req_t *ar, char *out, size_t outlen)
{
    npm_req_t *nr = ar->er;
    snprintf(out, outlen, "%s@%s does not exist upstream", nr->route.name, nr->version);
}

/* the alternative comes from the same filtered view of the packument clients get */
static const char *tarball_alternative(h2o_req_t *req, artifact_req_t *ar)
{
    npm_req_t *nr = ar->er;
    char alt[256];
    if (npm_alternative(nr->route.name, nr->version, alt, sizeof(alt)) != 0)
        return NULL;
    return h2o_strdup(&req->pool, alt, SIZE_MAX).base;
}

static int tarball_source(h2o_req_t *req, artifact_req_t *ar)
{
    npm_req_t *nr = ar->er;
    version_rec_t v;
    if (version_rec_load("npm", nr->route.name, nr->version, &v) != 0) {
        http_send_error(req, 502, NULL, "%s@%s: cordon lost its record of the version", nr->route.name, nr->version);
        return -1;
    }
    int rc = 0;
    if (integrity_parse_any(v.integrity, &ar->want) != 0) {
        artifact_route_refuse_integrity(req, ar, "no usable integrity upstream",
                                        "the registry advertises no usable integrity (%s), so cordon cannot verify "
                                        "it and will not serve it",
                                        v.integrity[0] ? v.integrity : "none");
        rc = -1;
    } else if (v.artifact_url[0] == '\0') {
        http_send_error(req, 502, NULL, "%s@%s has no tarball URL upstream", nr->route.name, nr->version);
        rc = -1;
    } else {
        snprintf(ar->url, sizeof(ar->url), "%s", v.artifact_url);
    }
    version_rec_free(&v);
    return rc;
}

/* the tarball's package.json is compared with the registry's manifest */
static artifact_check_t *tarball_check(artifact_req_t *ar)
{
    npm_req_t *nr = ar->er;
    size_t mlen = 0;
    char *manifest = registry_manifest(nr->route.name, nr->version, &mlen);
    artifact_job_t *job = artifact_job_new(ECO_NPM, nr->route.name, nr->version, nr->route.file, manifest, mlen);
    free(manifest);
    return artifact_check_new(job);
}

static void tarball_send(h2o_req_t *req, artifact_req_t *ar, const char *path, const char *etag)
{
    if (!http_not_modified(req, etag))
        http_send_artifact(req, path, "application/octet-stream", etag);
}

static const artifact_ops_t TARBALL_OPS = {
    .judge = tarball_judge,
    .learn = tarball_learn,
    .learned = tarball_learned,
    .not_listed = tarball_not_listed,
    .alternative = tarball_alternative,
    .source = tarball_source,
    .check = tarball_check,
    .send = tarball_send,
};

static void handle_tarball(h2o_req_t *req, npm_req_t *nr)
{
    if (npm_tarball_version(nr->route.name, nr->route.file, nr->version, sizeof(nr->version)) != 0) {
        http_send_error(req, 404, NULL, "%s is not a tarball of %s", nr->route.file, nr->route.name);
        return;
    }
    artifact_req_t *ar = &nr->ar;
    artifact_req_init(ar, &TARBALL_OPS, nr, ECO_NPM, nr->route.name, nr->version, "dist.integrity");
    snprintf(ar->key, sizeof(ar->key), "npm:%s/%s", nr->route.name, nr->route.file);
    snprintf(ar->detail, sizeof(ar->detail), "GET %s", nr->route.file);
    snprintf(ar->what, sizeof(ar->what), "%s@%s", nr->route.name, nr->version);
    artifact_route(req, ar);
}

/* ---- audit relay ---- */

#define AUDIT_MAX_BODY (8 << 20) /* a bulk request for ~50,000 packages */

/* "application/json" or "application/…+json", parameters allowed */
static int is_json_type(const char *t, size_t n)
{
    size_t len = 0;
    while (len < n && t[len] != ';' && t[len] != ' ' && t[len] != '\t')
        len++;
    if (len == 16 && strncasecmp(t, "application/json", 16) == 0)
        return 1;
    return len > 17 && strncasecmp(t, "application/", 12) == 0 && strncasecmp(t + len - 5, "+json", 5) == 0;
}

static int json_well_formed(const char *body, size_t len)
{
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    if (h == NULL)
        return 0;
    int ok = len > 0 && yajl_parse(h, (const unsigned char *)body, len) == yajl_status_ok &&
             yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

static void resume_audit(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    if (out->status != 0) {
        http_send_error(req, out->status, out->reason, "npm audit: %s", out->error);
        return;
    }
    /* only JSON goes back: an upstream page (HTML, script) never runs on cordon's origin */
    if (!is_json_type(out->content_type, strlen(out->content_type))) {
        http_send_error(req, 502, NULL, "npm audit: upstream answered %d with %s, not JSON; cordon relays only JSON",
                        out->upstream_status, out->content_type[0] ? out->content_type : "no Content-Type");
        return;
    }
    if (!json_well_formed(out->body, out->body_len)) {
        http_send_error(req, 502, NULL, "npm audit: upstream answered %d with a body that is not JSON",
                        out->upstream_status);
        return;
    }
    req->res.status = out->upstream_status;
    req->res.reason = http_status_phrase(out->upstream_status);
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("application/json"), 1);
    http_note_decision(req, "relay");
    h2o_send_inline(req, out->body, out->body_len);
}

/* relays exactly npm's two audit endpoints, to the upstream's own origin,
 * with a bounded JSON body (gzip'd when npm says so) */
static void handle_audit(h2o_req_t *req, const char *path, size_t plen)
{
    const config_t *cfg = runtime_config();
    const char *endpoint = npm_audit_endpoint(path, plen);
    if (endpoint == NULL) {
        http_send_error(req, 404, NULL,
                        "cordon relays only npm's audit endpoints -/npm/v1/security/advisories/bulk and "
                        "-/npm/v1/security/audits/quick");
        return;
    }
    if (req->entity.len > AUDIT_MAX_BODY) {
        http_send_error(req, 413, NULL, "npm audit: the request body is %zu bytes; cordon relays at most %d",
                        req->entity.len, AUDIT_MAX_BODY);
        return;
    }
    h2o_iovec_t ct = http_header(req, H2O_TOKEN_CONTENT_TYPE);
    if (ct.base && !is_json_type(ct.base, ct.len)) {
        http_send_error(req, 415, NULL, "npm audit: the request body must be application/json, not %.*s",
                        (int)(ct.len > 100 ? 100 : ct.len), ct.base);
        return;
    }
    h2o_iovec_t ce = http_header(req, H2O_TOKEN_CONTENT_ENCODING);
    const char *encoding = NULL;
    if (ce.base && h2o_memis(ce.base, ce.len, H2O_STRLIT("gzip")))
        encoding = "gzip";
    else if (ce.base && !h2o_memis(ce.base, ce.len, H2O_STRLIT("identity"))) {
        http_send_error(req, 415, NULL, "npm audit: Content-Encoding %.*s is not relayed (gzip or none)",
                        (int)(ce.len > 100 ? 100 : ce.len), ce.base);
        return;
    }
    char url[2048];
    snprintf(url, sizeof(url), "%s/%s", cfg->upstream[ECO_NPM], endpoint);
    upstream_relay_post(ECO_NPM, url, req->entity.base ? req->entity.base : "", req->entity.len, "application/json",
                        encoding, req, &loop_of(req)->flight_receiver, resume_audit, NULL);
}

/* ---- the table entry ---- */

static int npm_is_read_only_write(const char *method, size_t mlen, const char *path, size_t plen)
{
    npm_route_t r;
    if (mlen != 4 || memcmp(method, "POST", 4) != 0)
        return 0;
    npm_route_parse(path, plen, &r);
    return r.kind == NPM_ROUTE_AUDIT;
}

static void npm_package_of(const char *path, size_t plen, char *out, size_t outlen)
{
    npm_route_t r;
    npm_route_parse(path, plen, &r);
    /* "npm publish" PUTs the packument URL; dist-tag and unpublish use
     * "-/package/<name>/…" and "<name>/-rev/…" */
    if (r.kind == NPM_ROUTE_PACKUMENT || r.kind == NPM_ROUTE_TARBALL) {
        snprintf(out, outlen, "%s", r.name);
        return;
    }
    const char *pkg = "-/package/";
    size_t pl = strlen(pkg);
    if (plen > pl && memcmp(path, pkg, pl) == 0) {
        const char *rest = path + pl;
        size_t rl = plen - pl;
        const char *end = rest;
        /* the name, possibly scoped ("@s/n" or "@s%2fn"), ends at "/dist-tags" or the end */
        const char *dt = memmem(rest, rl, "/dist-tags", 10);
        end = dt ? dt : rest + rl;
        npm_route_parse(rest, (size_t)(end - rest), &r);
        if (r.kind == NPM_ROUTE_PACKUMENT)
            snprintf(out, outlen, "%s", r.name);
        return;
    }
    const char *rev = memmem(path, plen, "/-rev/", 6);
    if (rev) {
        npm_route_parse(path, (size_t)(rev - path), &r);
        if (r.kind == NPM_ROUTE_PACKUMENT)
            snprintf(out, outlen, "%s", r.name);
    }
}

static int accepts_abbreviated(h2o_req_t *req)
{
    h2o_iovec_t a = http_header(req, H2O_TOKEN_ACCEPT);
    return a.base && h2o_strstr(a.base, a.len, H2O_STRLIT(ABBREV_ACCEPT)) != SIZE_MAX;
}

static void npm_handle(h2o_req_t *req, const char *path, size_t plen)
{
    npm_req_t *nr = h2o_mem_alloc_pool(&req->pool, sizeof(*nr));
    memset(nr, 0, sizeof(*nr));
    npm_route_parse(path, plen, &nr->route);
    switch (nr->route.kind) {
    case NPM_ROUTE_PING: {
        buf_t b;
        buf_init(&b);
        buf_puts(&b, "{}");
        http_send_json(req, 200, NULL, &b);
        return;
    }
    case NPM_ROUTE_AUDIT:
        if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST"))) {
            handle_audit(req, path, plen);
            return;
        }
        http_send_error(req, 404, NULL, "npm audit endpoints take POST");
        return;
    case NPM_ROUTE_SPECIAL:
        http_send_error(req, 404, NULL, "cordon does not serve /npm/%.*s (it is a read-only proxy)", (int)plen, path);
        return;
    case NPM_ROUTE_PACKUMENT:
        nr->abbreviated = accepts_abbreviated(req);
        handle_packument(req, nr);
        return;
    case NPM_ROUTE_TARBALL:
        handle_tarball(req, nr);
        return;
    case NPM_ROUTE_INVALID:
    default:
        http_send_error(req, 400, NULL, "not a valid npm package name or tarball path: /npm/%.*s",
                        (int)(plen > 200 ? 200 : plen), path);
        return;
    }
}

static int npm_canonical_name(const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in);
    if (!npm_name_valid(in, n) || n >= outlen)
        return -1;
    memcpy(out, in, n + 1);
    return 0;
}

static int npm_version_facts(const char *package, const char *version, const char *file, version_facts_t *f,
                             findings_t *found)
{
    version_rec_t v;
    f->published_at = f->first_seen = TIME_NONE;
    f->snapshot = 0;
    f->removed_at = 0; /* policy_judge asks intel/takedown.h */
    if (npm_facts(package, version, &v, found) != 0) {
        char key[NPM_NAME_MAX + 8];
        meta_rec_t m;
        snprintf(key, sizeof(key), "npm:%s", package);
        int cached = metadata_lookup(key, &m) == 0;
        if (cached)
            meta_rec_free(&m);
        return cached ? 0 : -1;
    }
    f->published_at = v.published_at;
    f->first_seen = v.first_seen;
    version_rec_free(&v);
    return 1;
}

static int npm_alternative(const char *package, const char *version, char *out, size_t outlen)
{
    char key[NPM_NAME_MAX + 8], err[300];
    meta_rec_t m;
    filtered_t fd;
    snprintf(key, sizeof(key), "npm:%s", package);
    if (metadata_lookup(key, &m) != 0)
        return -1;
    int have = filtered_load(&m, time_now_ms(), &fd, err, sizeof(err)) == 0;
    meta_rec_free(&m);
    if (!have)
        return -1;
    const char *alt = npm_filter_alternative(&fd.p, &fd.f, version);
    if (alt)
        snprintf(out, outlen, "%s", alt);
    filtered_free(&fd);
    return alt ? 0 : -1;
}

/* a lockfile check learns a version from its packument, like a tarball request */
static int npm_version_source(const char *package, const char *version, version_source_t *src)
{
    (void)version;
    if (runtime_config()->upstream[ECO_NPM] == NULL || !npm_name_valid(package, strlen(package)))
        return -1;
    packument_source_of(package, src->key, sizeof(src->key), src->url, sizeof(src->url));
    src->accept = "application/json";
    src->ingest = npm_ingest;
    return 0;
}

int npm_cached_source(const char *name, version_source_t *src) { return npm_version_source(name, NULL, src); }

int npm_cached_load(const char *name, int64_t now, npm_cached_t *out, char *err, size_t errlen)
{
    char key[NPM_NAME_MAX + 8];
    meta_rec_t m;
    snprintf(key, sizeof(key), "npm:%s", name);
    if (metadata_lookup(key, &m) != 0)
        return 0;
    filtered_t fd;
    int rc = filtered_load(&m, now, &fd, err, errlen);
    meta_rec_free(&m);
    if (rc != 0)
        return -1;
    out->map = fd.map;
    out->p = fd.p;
    out->f = fd.f;
    return 1;
}

void npm_cached_free(npm_cached_t *c)
{
    filtered_t fd = {c->map, c->p, c->f};
    filtered_free(&fd);
}

/* dist.integrity and dist.shasum of one version in the cached packument;
 * -1 when there is no usable copy or it does not list the version */
static int packument_digests(const char *package, const char *version, buf_t *out)
{
    char key[NPM_NAME_MAX + 8], src[4200], err[300];
    meta_rec_t m;
    snprintf(key, sizeof(key), "npm:%s", package);
    if (metadata_lookup(key, &m) != 0)
        return -1;
    blob_path(m.blob, src, sizeof(src));
    meta_rec_free(&m);
    mapped_t map;
    if (map_file(src, &map) != 0)
        return -1;
    npm_packument_t p;
    int rc = -1;
    if (npm_packument_parse(&p, map.p ? map.p : "", map.len, err, sizeof(err)) == 0) {
        long i = npm_packument_find(&p, version);
        if (i >= 0) {
            const npm_version_t *v = &p.versions[i];
            if (v->integrity && *v->integrity)
                buf_printf(out, "%s%s", out->len ? " " : "", v->integrity);
            if (v->shasum && *v->shasum) {
                buf_printf(out, "%ssha1:", out->len ? " " : "");
                for (const char *c = v->shasum; *c; c++)
                    buf_putc(out, (char)(*c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c));
            }
            rc = 0;
        }
        npm_packument_free(&p);
    }
    unmap_file(&map);
    return rc;
}

static int npm_version_digests(const char *package, const char *version, unsigned algs, buf_t *out)
{
    version_rec_t v;
    char vkey[1024];
    size_t klen = version_key(vkey, sizeof(vkey), "npm", package, version);
    MDB_txn *txn;
    int found = 0;
    if (klen && store_read_begin(&txn) == 0) {
        found = version_rec_get(txn, vkey, klen, &v) == 0;
        store_read_end(txn);
    }
    if (!found) {
        char key[NPM_NAME_MAX + 8];
        meta_rec_t m;
        snprintf(key, sizeof(key), "npm:%s", package);
        int cached = metadata_lookup(key, &m) == 0;
        if (cached)
            meta_rec_free(&m);
        return cached ? 0 : -1;
    }
    /* the version record keeps the strongest digest: enough when that is all
     * the caller compares; otherwise the packument has them all */
    integrity_t rec;
    int rec_ok = v.integrity[0] && integrity_parse_any(v.integrity, &rec) == 0;
    if (!(rec_ok && algs == (1u << rec.alg)) && packument_digests(package, version, out) == 0) {
        version_rec_free(&v);
        return 1;
    }
    if (v.integrity[0])
        buf_printf(out, "%s%s", out->len ? " " : "", v.integrity);
    version_rec_free(&v);
    return 1;
}

static const char *const npm_prefixes[] = {"js-", "node-", NULL};
static const char *const npm_suffixes[] = {"-js", "-node", NULL};
static const typosquat_rules_t npm_typosquat = {.split = '/',
                                                .split_lead = '@',
                                                .prefixes = npm_prefixes,
                                                .suffixes = npm_suffixes,
                                                .bare_suffix = "js",
                                                .types_scope = "@types/",
                                                .owner_games = 1,
                                                .one_edit = 1,
                                                .popular = popular_builtin_npm,
                                                .npopular = &popular_builtin_npm_count};

static const lock_format_def_t *const npm_lockfiles[] = {&npm_lock_format, &yarn_lock_format, &pnpm_lock_format, NULL};

const ecosystem_t npm_ecosystem = {
    .id = ECO_NPM,
    .name = "npm",
    .prefix = "/npm/",
    .osv_name = "npm",
    .is_read_only_write = npm_is_read_only_write,
    .package_of = npm_package_of,
    .handle = npm_handle,
    .canonical_name = npm_canonical_name,
    .version_compare = semver_compare_str,
    .alternative = npm_alternative,
    .version_facts = npm_version_facts,
    .version_source = npm_version_source,
    .version_digests = npm_version_digests,
    .artifacts = &npm_artifacts,
    .lockfiles = npm_lockfiles,
    .typosquat = &npm_typosquat,
    .closure_deps = npm_closure_deps,
    .spec_versions = npm_spec_versions,
    .version_artifact = npm_version_artifact,
};
