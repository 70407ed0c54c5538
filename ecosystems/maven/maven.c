/* maven: the Maven 2 repository layout as cordon serves it.
 *   GET /maven/<g>/<a>/maven-metadata.xml[.sha1…]   versions filtered, latest/release rewritten
 *   GET /maven/<g>/<a>/<v>/<file>[.sha1…]           verified against upstream's checksum
 * A version's publish time is the Last-Modified of its POM upstream, learned
 * once and kept in LMDB. Deploys (PUT/POST/DELETE) are refused by the router. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/eco_ids.h"
#include "ecosystems/lock_formats.h"
#include "ecosystems/popular_builtin.h"
#include "ecosystems/maven/maven_artifact.h"
#include "store/blob.h"
#include "store/derived.h"
#include "store/store.h"
#include "analysis/artifact.h"
#include "ecosystems/artifact_route.h"
#include "upstream/upstream_cache.h"
#include "common/digest.h"
#include "common/timeutil.h"
#include "core/ecosystem.h"
#include "ecosystems/maven/maven_metadata.h"
#include "ecosystems/maven/maven_path.h"
#include "ecosystems/maven/maven_version.h"
#include "ecosystems/maven/maven_cached.h"
#include "http/denial.h"
#include "journal/served_held.h"
#include "http/http.h"
#include "http/loop.h"
#include "intel/takedown.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "core/runtime.h"

#define RENDER_VERSION "3" /* 2: written from libxml2's reading of upstream's document; 3: with its gzip copy and its note of held versions */
#define MAX_TIME_LOOKUPS 8 /* POM time look-ups one metadata request may start */

typedef struct maven_req {
    maven_route_t route;
    char package[800]; /* "g:a" */
    int sum_stage;     /* which upstream checksum is being tried */
    int lookups;       /* POM time look-ups made for this request */
    char lookup_version[128];
    artifact_req_t ar; /* a file's way through the artifact route */
} maven_req_t;

static const maven_sum_t SUM_ORDER[] = {SUM_SHA256, SUM_SHA1}; /* strongest first */

static void upstream_url(const char *path, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", runtime_config()->upstream[ECO_MAVEN], path);
}

static void gpath(const char *group, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", group);
    for (char *c = out; *c; c++)
        if (*c == '.')
            *c = '/';
}

/* ---- versions and their publish times ---- */

static int version_facts(const char *package, const char *version, version_facts_t *f)
{
    version_rec_t v;
    takedown_t td;
    f->published_at = f->first_seen = TIME_NONE;
    f->removed_at = takedown_lookup(ECO_MAVEN, package, version, &td) ? td.removed_at : 0;
    int found = version_rec_load("maven", package, version, &v) == 0;
    if (found) {
        f->published_at = v.published_at;
        f->first_seen = v.first_seen;
        version_rec_free(&v);
    }
    return found ? 0 : -1;
}

typedef struct time_put {
    const char *key;
    size_t klen;
    int64_t published;
} time_put_t;

static int put_time(MDB_txn *txn, void *arg)
{
    time_put_t *t = arg;
    version_rec_t old, rec = {.first_seen = time_now_ms(), .published_at = t->published, .integrity = "",
                              .artifact_url = ""};
    if (version_rec_get(txn, t->key, t->klen, &old) == 0) {
        version_rec_free(&old);
        return 0; /* first seen never moves */
    }
    buf_t b;
    buf_init(&b);
    version_rec_encode(&rec, &b);
    MDB_val k = {t->klen, (void *)t->key}, v = {b.len, b.data};
    int rc = b.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_VERSIONS), &k, &v, 0);
    buf_free(&b);
    return rc;
}

static void pom_key(const maven_req_t *mr, const char *version, char *out, size_t outlen)
{
    snprintf(out, outlen, "maven-pom:%s:%s", mr->package, version);
}

/* starts learning a version's publish time from its POM's Last-Modified */
static void fetch_pom_time(h2o_req_t *req, maven_req_t *mr, const char *version, flight_resume_fn fn, void *arg)
{
    char key[1024], gp[512], path[1400], url[2048];
    pom_key(mr, version, key, sizeof(key));
    gpath(mr->route.group, gp, sizeof(gp));
    snprintf(path, sizeof(path), "%s/%s/%s/%s-%s.pom", gp, mr->route.artifact, version, mr->route.artifact, version);
    upstream_url(path, url, sizeof(url));
    snprintf(mr->lookup_version, sizeof(mr->lookup_version), "%s", version);
    mr->lookups++;
    metadata_fetch(key, url, NULL, NULL, req, &loop_of(req)->flight_receiver, fn, arg);
}

/* the cached POM of a version (NUL-terminated, caller frees); NULL when none */
static char *pom_text(const maven_req_t *mr, const char *version, size_t *len)
{
    char key[1024], path[4200];
    meta_rec_t m;
    pom_key(mr, version, key, sizeof(key));
    if (metadata_lookup(key, &m) != 0)
        return NULL;
    blob_path(m.blob, path, sizeof(path));
    meta_rec_free(&m);
    mapped_t mm;
    if (map_file(path, &mm) != 0)
        return NULL;
    char *out = malloc(mm.len + 1);
    if (out) {
        memcpy(out, mm.len ? mm.p : "", mm.len);
        out[mm.len] = '\0';
        *len = mm.len;
    }
    unmap_file(&mm);
    return out;
}

/* after a POM fetch: record the version's time; 0 when it exists upstream */
typedef struct findings_op {
    const char *package, *version, *digest;
    const findings_t *f;
} findings_op_t;

static int put_findings(MDB_txn *txn, void *arg)
{
    findings_op_t *op = arg;
    return findings_put(txn, "maven", op->package, op->version, op->digest, op->f);
}

/* the POM learned for a version's time is read once for what it declares */
static void analyse_pom(const char *package, const char *version, const char *blob)
{
    char path[4200], digest[80], err[300];
    snprintf(digest, sizeof(digest), "pom-%.64s", blob);
    blob_path(blob, path, sizeof(path));
    artifact_job_t job = {.eco = ECO_MAVEN, .package = (char *)package, .version = (char *)version,
                          .filename = "project.pom"};
    findings_t f;
    findings_clear(&f);
    artifact_analyse(&job, path, &runtime_config()->analysis, &f, NULL);
    findings_op_t op = {package, version, digest, &f};
    store_write(put_findings, &op, err, sizeof(err));
}

/* records a version's time from its cached POM (key); 0, or -1 when there is none */
static int record_pom_time_of(const char *package, const char *version, const char *key)
{
    meta_rec_t m;
    if (metadata_lookup(key, &m) != 0)
        return -1;
    int64_t published = m.last_modified && *m.last_modified ? time_parse_http(m.last_modified) : TIME_NONE;
    char vkey[1024], err[300];
    size_t klen = version_key(vkey, sizeof(vkey), "maven", package, version);
    if (klen == 0) {
        meta_rec_free(&m);
        return -1;
    }
    time_put_t t = {vkey, klen, published};
    store_write(put_time, &t, err, sizeof(err));
    analyse_pom(package, version, m.blob);
    meta_rec_free(&m);
    return 0;
}

static int record_pom_time(maven_req_t *mr, const char *version, const flight_outcome_t *out)
{
    (void)out;
    char key[1024];
    pom_key(mr, version, key, sizeof(key));
    return record_pom_time_of(mr->package, version, key);
}

/* decides a version from its times in f: what analysis found in its POM
 * and artifacts, the name check, the reviewers' records and whether it is
 * a SNAPSHOT join the facts (metadata filtering passes times of its own:
 * a version ordered below a mature one is taken as old) */
static void decide_package(const char *package, const char *version, const version_facts_t *f, int64_t now,
                           verdict_t *vd)
{
    findings_t found;
    findings_clear(&found);
    MDB_txn *txn;
    if (store_read_begin(&txn) == 0) {
        findings_get_version(txn, "maven", package, version, &found);
        store_read_end(txn);
    }
    version_facts_t facts = *f;
    policy_gather_package(ECO_MAVEN, package, now, &found, &facts.findings_until);
    policy_gather_review(ECO_MAVEN, package, version, now, &facts);
    facts.findings = &found;
    policy_gather_snapshot(ECO_MAVEN, version, &facts);
    policy_decide(runtime_config(), ECO_MAVEN, package, version, &facts, now, vd);
}

static void decide(const maven_req_t *mr, const char *version, const version_facts_t *f, int64_t now, verdict_t *vd)
{
    decide_package(mr->package, version, f, now, vd);
}

/* ---- metadata ---- */

static void resume_metadata_time(h2o_req_t *req, void *arg, const flight_outcome_t *out);
static void serve_metadata(h2o_req_t *req, maven_req_t *mr, const meta_rec_t *m, int stale);

typedef struct package_put {
    char package[600];
    size_t nversions;
} package_put_t;

/* the package's history: how many versions its metadata lists, and the
 * earliest and latest POM times cordon has learned */
static int put_package(MDB_txn *txn, void *arg)
{
    package_put_t *pp = arg;
    package_rec_t pr = {.first_published = TIME_NONE, .last_published = TIME_NONE,
                        .nversions = (int64_t)pp->nversions, .first_seen = time_now_ms()};
    char prefix[700];
    size_t plen = version_key(prefix, sizeof(prefix), "maven", pp->package, "");
    MDB_cursor *c;
    if (plen == 0 || mdb_cursor_open(txn, store_dbi(DB_VERSIONS), &c) != 0)
        return 0;
    MDB_val k = {plen, prefix}, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        version_rec_t vr;
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        if (version_rec_decode(v.mv_data, v.mv_size, &vr) != 0)
            continue;
        if (vr.published_at != TIME_NONE && (pr.first_published == TIME_NONE || vr.published_at < pr.first_published))
            pr.first_published = vr.published_at;
        if (vr.published_at != TIME_NONE && (pr.last_published == TIME_NONE || vr.published_at > pr.last_published))
            pr.last_published = vr.published_at;
        version_rec_free(&vr);
    }
    mdb_cursor_close(c);
    return package_rec_put(txn, "maven", pp->package, &pr);
}

/* dir "org/example/foo" → package "org.example:foo"; -1 when it names none */
static int package_of_dir(const char *dir, char *out, size_t outlen)
{
    const char *slash = strrchr(dir, '/');
    if (slash == NULL || (size_t)(slash - dir) + strlen(slash) >= outlen)
        return -1;
    memcpy(out, dir, (size_t)(slash - dir));
    for (size_t i = 0; i < (size_t)(slash - dir); i++)
        if (out[i] == '/')
            out[i] = '.';
    snprintf(out + (slash - dir), outlen - (size_t)(slash - dir), ":%s", slash + 1);
    return 0;
}

static void record_package(const char *dir, size_t nversions)
{
    package_put_t pp = {.nversions = nversions};
    if (package_of_dir(dir, pp.package, sizeof(pp.package)) != 0)
        return;
    char err[300];
    store_write(put_package, &pp, err, sizeof(err)); /* a lost record only leaves the package unestablished */
}

/* ---- takedowns: a <version> the metadata listed and lists no more ---- */

/* the versions a parsed document lists, as an array of its strings */
static const char **version_names(const maven_metadata_t *md)
{
    const char **names = malloc((md->nversions ? md->nversions : 1) * sizeof(*names));
    for (size_t i = 0; names && i < md->nversions; i++)
        names[i] = md->versions[i].version;
    return names;
}

/* Compares what the copy being replaced listed with what now (NULL: a 404,
 * nothing) lists, and records what went. Version records come from POMs,
 * not from the listing, so the earlier copy itself says what was listed.
 * 0, or -1 with err (the store). */
static int note_takedowns(const char *key, const maven_metadata_t *now, char *err, size_t errlen)
{
    char package[600], path[4200];
    meta_rec_t m;
    if (package_of_dir(key + strlen("maven-meta:"), package, sizeof(package)) != 0 || metadata_lookup(key, &m) != 0)
        return 0; /* no earlier copy: nothing was listed */
    blob_path(m.blob, path, sizeof(path));
    mapped_t mm;
    maven_metadata_t before;
    char perr[300];
    int rc = 0;
    if (map_file(path, &mm) == 0) {
        if (maven_metadata_parse(&before, mm.p ? mm.p : "", mm.len, perr, sizeof(perr)) == 0) {
            const char **earlier = version_names(&before), **listed = now ? version_names(now) : NULL;
            takedown_doc_t td = {.eco = ECO_MAVEN, .package = package, .listed = listed,
                                 .nlisted = now ? now->nversions : 0, .earlier = earlier,
                                 .nearlier = before.has_versions ? before.nversions : 0, .prev_digest = m.blob,
                                 .now = time_now_ms()};
            if (earlier == NULL || (now && listed == NULL)) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
            } else if ((rc = takedown_note_write(&td, err, errlen)) == 0) {
                takedown_log(&td);
            }
            free(earlier);
            free(listed);
            maven_metadata_free(&before);
        }
        unmap_file(&mm);
    }
    meta_rec_free(&m);
    return rc;
}

static int metadata_ingest(const char *key, const char *path, int64_t size, char *err, size_t errlen)
{
    if (path == NULL)
        return note_takedowns(key, NULL, err, errlen);
    mapped_t mm;
    if (map_file(path, &mm) != 0) {
        snprintf(err, errlen, "cannot read the fetched document: %s", strerror(errno));
        return -1;
    }
    maven_metadata_t md;
    int rc = maven_metadata_parse(&md, mm.p ? mm.p : "", mm.len, err, errlen);
    if (rc == 0) {
        if (md.has_versions) {
            record_package(key + strlen("maven-meta:"), md.nversions);
            rc = note_takedowns(key, &md, err, errlen);
        }
        maven_metadata_free(&md);
    }
    unmap_file(&mm);
    return rc;
}

static void meta_key(const maven_req_t *mr, char *out, size_t outlen)
{
    snprintf(out, outlen, "maven-meta:%s", mr->route.dir);
}

static void send_text_sum(h2o_req_t *req, const void *bytes, size_t len, maven_sum_t sum)
{
    digest_set_t d;
    char hex[129];
    digest_set_init(&d, 1u << maven_sum_alg(sum));
    digest_set_update(&d, bytes, len);
    digest_set_final(&d);
    hex_encode(d.out[maven_sum_alg(sum)], d.outlen[maven_sum_alg(sum)], hex);
    digest_set_free(&d);
    http_request_id(req);
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("text/plain"), 1);
    size_t n = strlen(hex);
    char *body = h2o_mem_alloc_pool(&req->pool, n);
    memcpy(body, hex, n);
    h2o_send_inline(req, body, n);
}

/* a version's file that is an artifact (a jar, war, zip, ...), not a
 * document (POM, XML, Gradle module metadata, signature) */
static int is_artifact(const maven_req_t *mr)
{
    if (mr->route.kind != MAVEN_ROUTE_FILE)
        return 0;
    const char *dot = strrchr(mr->route.file, '.');
    static const char *const documents[] = {".pom", ".xml", ".module", ".asc"};
    for (size_t i = 0; dot && i < sizeof(documents) / sizeof(documents[0]); i++)
        if (!strcmp(dot, documents[i]))
            return 0;
    return 1;
}

/* sends the file at path, or its checksum when the route asks for one */
static void send_file_or_sum(h2o_req_t *req, maven_req_t *mr, const char *path, const char *type, const char *etag)
{
    if (mr->route.sum == SUM_NONE) {
        if (is_artifact(mr)) {
            if (!http_not_modified(req, etag))
                http_send_artifact(req, path, type, etag); /* artifacts are compressed already */
        } else {
            http_send_document(req, path, type, etag);
        }
        return;
    }
    mapped_t mm;
    if (map_file(path, &mm) != 0) {
        http_send_error(req, 503, NULL, "cordon cannot read its copy of %s", mr->route.file);
        return;
    }
    send_text_sum(req, mm.p ? mm.p : "", mm.len, mr->route.sum);
    unmap_file(&mm);
}

typedef struct order_item {
    size_t index;
    const char *version;
} order_item_t;

static int cmp_desc(const void *a, const void *b)
{
    return maven_version_compare(((const order_item_t *)b)->version, ((const order_item_t *)a)->version);
}

/* Decides every listed version. Times come from LMDB; a version cordon has
 * not timed yet is timed from its POM, newest first, at most
 * MAX_TIME_LOOKUPS per request. Walking newest first stops at the first
 * mature version: versions ordered below it are taken as mature (their own
 * artifact requests are still decided exactly). Returns 1 when a look-up
 * was started (the request resumes later), 0 when decided, -1 on error. */
/* keep[i]: whether version i stays; held[i]: whether it is left out for reviewers (verdict_held) */
static int decide_versions(h2o_req_t *req, maven_req_t *mr, const maven_metadata_t *md, int64_t now,
                           unsigned char *keep, unsigned char *held, int64_t *valid_until, int64_t *newest_kept)
{
    const config_t *cfg = runtime_config();
    *valid_until = TIME_NONE;
    *newest_kept = TIME_NONE;
    order_item_t *order = malloc((md->nversions ? md->nversions : 1) * sizeof(*order));
    if (order == NULL)
        return -1;
    for (size_t i = 0; i < md->nversions; i++)
        order[i] = (order_item_t){i, md->versions[i].version};
    qsort(order, md->nversions, sizeof(*order), cmp_desc);
    /* lastUpdated says when the newest version arrived at the latest: if a
     * version published then would be admitted, nothing needs timing */
    int all_mature = 0;
    if (md->last_updated != TIME_NONE && md->nversions) {
        verdict_t probe;
        version_facts_t f = {.published_at = md->last_updated, .first_seen = TIME_NONE};
        decide(mr, order[0].version, &f, now, &probe);
        all_mature = probe.allow && cfg->nrules == 0;
    }
    int mature_seen = all_mature;
    for (size_t k = 0; k < md->nversions; k++) {
        const char *v = order[k].version;
        version_facts_t f;
        int known = version_facts(mr->package, v, &f) == 0;
        if (!known && !mature_seen && !maven_version_is_snapshot(v)) {
            if (mr->lookups < MAX_TIME_LOOKUPS) {
                free(order);
                fetch_pom_time(req, mr, v, resume_metadata_time, mr);
                return 1;
            }
            /* out of look-ups: unknown and possibly new, so held (first seen now) */
        }
        verdict_t vd;
        int assumed = !known && mature_seen;
        if (assumed)
            f.published_at = 0; /* ordered below a mature version: taken as old */
        decide(mr, v, &f, now, &vd);
        keep[order[k].index] = (unsigned char)vd.allow;
        held[order[k].index] = (unsigned char)verdict_held(&vd);
        if (vd.valid_until != TIME_NONE && (*valid_until == TIME_NONE || vd.valid_until < *valid_until))
            *valid_until = vd.valid_until;
        if (vd.allow) {
            /* an approval or the security fast lane admits one version; it
             * says nothing about the age of those below it */
            if (!maven_version_is_snapshot(v) && vd.review_id == 0 && vd.advisory[0] == '\0')
                mature_seen = 1;
            if (!assumed && f.published_at != TIME_NONE && (*newest_kept == TIME_NONE || f.published_at > *newest_kept))
                *newest_kept = f.published_at;
        }
    }
    free(order);
    return 0;
}

static const char *highest_kept(const maven_metadata_t *md, const unsigned char *keep, int release_only)
{
    const char *best = NULL;
    for (size_t i = 0; i < md->nversions; i++) {
        const char *v = md->versions[i].version;
        if (!keep[i] || (release_only && maven_version_is_snapshot(v)))
            continue;
        if (best == NULL || maven_version_compare(v, best) > 0)
            best = v;
    }
    return best;
}

static void serve_metadata(h2o_req_t *req, maven_req_t *mr, const meta_rec_t *m, int stale)
{
    const config_t *cfg = runtime_config();
    char src[4200], key[80], file[128], path[4200], etag[48], err[300];
    int64_t now = time_now_ms();
    blob_path(m->blob, src, sizeof(src));
    char policy_fp[52];
    policy_document_fp(cfg, ECO_MAVEN, mr->package, policy_fp);
    derived_key(key, sizeof(key), "maven", m->blob, "xml", cfg->public_url, policy_fp, RENDER_VERSION);
    char *served_note = NULL;
    if (derived_lookup(key, now, file, sizeof(file), &served_note) == 0) {
        if (mr->route.sum == SUM_NONE) /* one resolution reads the document and its checksum: counted once */
            http_note_held_served(req, "maven", mr->package, served_note);
        free(served_note);
        http_metadata_headers(req, stale);
        derived_etag(file, etag, sizeof(etag));
        blob_derived_path(file, path, sizeof(path));
        send_file_or_sum(req, mr, path, "text/xml", etag);
        return;
    }
    mapped_t mm;
    if (map_file(src, &mm) != 0) {
        http_send_error(req, 503, NULL, "cordon cannot read its cached copy of %s/maven-metadata.xml", mr->route.dir);
        return;
    }
    maven_metadata_t md;
    if (maven_metadata_parse(&md, mm.p ? mm.p : "", mm.len, err, sizeof(err)) != 0) {
        unmap_file(&mm);
        http_send_error(req, 502, NULL, "the cached maven-metadata.xml of %s is malformed: %s", mr->route.dir, err);
        return;
    }
    /* group metadata (plugin prefixes) lists no versions: nothing to decide */
    unsigned char *keep = calloc(md.nversions ? md.nversions : 1, 2); /* keep, then held */
    unsigned char *held_mark = keep ? keep + (md.nversions ? md.nversions : 1) : NULL;
    int64_t until = TIME_NONE, newest = TIME_NONE;
    int rc = keep == NULL        ? -1
             : md.has_versions ? decide_versions(req, mr, &md, now, keep, held_mark, &until, &newest)
                               : 0;
    if (rc != 0) {
        free(keep);
        maven_metadata_free(&md);
        unmap_file(&mm);
        if (rc < 0)
            http_send_error(req, 503, NULL, "out of memory");
        return; /* rc 1: resumes after a POM time look-up */
    }
    size_t held = 0;
    for (size_t i = 0; i < md.nversions; i++)
        held += !keep[i];
    /* Always the document as cordon read it, never upstream's bytes: what
     * clients get is exactly what was decided on. Nothing held: upstream's
     * latest, release and lastUpdated as they are. */
    buf_t out;
    buf_init(&out);
    if (held)
        maven_metadata_render(&md, keep, highest_kept(&md, keep, 0), highest_kept(&md, keep, 1),
                              newest != TIME_NONE ? newest : TIME_NONE, &out);
    else
        maven_metadata_render(&md, NULL, md.latest, md.release, TIME_NONE, &out);
    char *note = NULL;
    size_t notelen = 0;
    const char *alt = held ? highest_kept(&md, keep, 1) : NULL;
    for (size_t i = 0; i < md.nversions; i++)
        if (held_mark[i])
            served_held_note_add(&note, &notelen, md.versions[i].version, alt);
    free(keep);
    maven_metadata_free(&md);
    unmap_file(&mm);
    int wrc = out.oom ? -1 : derived_store(key, "maven", "xml", out.data, out.len, until, note, file, sizeof(file));
    int e = out.oom ? ENOMEM : errno;
    buf_free(&out);
    if (wrc != 0) {
        free(note);
        http_send_error(req, 503, NULL, "cordon cannot store the filtered metadata: %s", strerror(e));
        return;
    }
    if (mr->route.sum == SUM_NONE)
        http_note_held_served(req, "maven", mr->package, note);
    free(note);
    http_metadata_headers(req, stale);
    derived_etag(file, etag, sizeof(etag));
    blob_derived_path(file, path, sizeof(path));
    send_file_or_sum(req, mr, path, "text/xml", etag);
}

static void metadata_error(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    maven_req_t *mr = arg;
    if (out->status == 404)
        http_send_error(req, 404, NULL, "%s/maven-metadata.xml not found upstream", mr->route.dir);
    else
        http_send_error(req, out->status, out->reason, "%s", out->error);
}

static void serve_metadata_cb(h2o_req_t *req, void *arg, const meta_rec_t *m, int stale)
{
    serve_metadata(req, arg, m, stale);
}

static const metadata_source_t METADATA = {NULL, metadata_ingest, serve_metadata_cb, metadata_error};

static void handle_metadata(h2o_req_t *req, maven_req_t *mr)
{
    char key[1200], path[1200], url[2048];
    meta_key(mr, key, sizeof(key));
    snprintf(path, sizeof(path), "%s/maven-metadata.xml", mr->route.dir);
    upstream_url(path, url, sizeof(url));
    metadata_serve(req, &loop_of(req)->flight_receiver, &METADATA, key, url, mr);
}

static void resume_metadata_time(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    maven_req_t *mr = arg;
    if (record_pom_time(mr, mr->lookup_version, out) != 0) {
        /* no POM upstream for a listed version: record it as seen now */
        char vkey[1024], err[300];
        size_t klen = version_key(vkey, sizeof(vkey), "maven", mr->package, mr->lookup_version);
        time_put_t t = {vkey, klen, TIME_NONE};
        if (klen)
            store_write(put_time, &t, err, sizeof(err));
    }
    char key[1200];
    meta_rec_t m;
    meta_key(mr, key, sizeof(key));
    if (metadata_lookup(key, &m) != 0) {
        http_send_error(req, 502, NULL, "the metadata of %s went away", mr->route.dir);
        return;
    }
    serve_metadata(req, mr, &m, 0);
    meta_rec_free(&m);
}

/* ---- files: the artifact route's Maven part ---- */

static void resume_file_sum(h2o_req_t *req, void *arg, const flight_outcome_t *out);

static const char *content_type(const char *file)
{
    const char *dot = strrchr(file, '.');
    if (dot && (!strcmp(dot, ".pom") || !strcmp(dot, ".xml")))
        return "text/xml";
    if (dot && !strcmp(dot, ".jar"))
        return "application/java-archive";
    if (dot && !strcmp(dot, ".module"))
        return "application/json";
    if (dot && !strcmp(dot, ".asc"))
        return "text/plain";
    return "application/octet-stream";
}

static int file_judge(artifact_req_t *ar, verdict_t *out)
{
    maven_req_t *mr = ar->er;
    version_facts_t f;
    int64_t now = time_now_ms();
    if (version_facts(mr->package, mr->route.version, &f) != 0) {
        if (!maven_version_is_snapshot(mr->route.version))
            return -1;
        f.published_at = f.first_seen = TIME_NONE; /* refused without asking upstream */
    }
    decide(mr, mr->route.version, &f, now, out);
    return 1;
}

static void file_learn(h2o_req_t *req, artifact_req_t *ar, flight_resume_fn resume)
{
    maven_req_t *mr = ar->er;
    fetch_pom_time(req, mr, mr->route.version, resume, ar);
}

/* the version's time comes from its POM's Last-Modified */
static int file_learned(artifact_req_t *ar, const flight_outcome_t *out, int *status, char *err, size_t errlen)
{
    maven_req_t *mr = ar->er;
    if (record_pom_time(mr, mr->route.version, out) == 0)
        return 0;
    *status = out->status == 404 ? 404 : out->status ? out->status : 502;
    if (out->status == 404)
        snprintf(err, errlen, "%s:%s does not exist upstream (no POM)", mr->package, mr->route.version);
    else
        snprintf(err, errlen, "%s", out->status ? out->error : "no POM after fetch");
    return -1;
}

static void file_not_listed(artifact_req_t *ar, char *out, size_t outlen)
{
    maven_req_t *mr = ar->er;
    snprintf(out, outlen, "%s:%s has no POM upstream", mr->package, mr->route.version);
}

/* the highest release of package ("group:artifact") that cordon has timed
 * and admits, from the cached maven-metadata.xml: 0 and out filled, -1 when
 * there is none. Versions never timed are left out: a version's time is
 * learned from its POM on the metadata route, never here (this answers
 * without waiting). */
static int maven_alternative(const char *package, const char *version, char *out, size_t outlen)
{
    (void)version; /* a denied version is never the answer: it is not admitted */
    const char *colon = strchr(package, ':');
    if (colon == NULL || colon == package)
        return -1;
    char group[512], gp[512], key[1200], src[4200], err[300];
    snprintf(group, sizeof(group), "%.*s", (int)(colon - package), package);
    gpath(group, gp, sizeof(gp));
    snprintf(key, sizeof(key), "maven-meta:%s/%s", gp, colon + 1);
    meta_rec_t m;
    if (metadata_lookup(key, &m) != 0)
        return -1;
    blob_path(m.blob, src, sizeof(src));
    meta_rec_free(&m);
    mapped_t mm;
    maven_metadata_t md;
    if (map_file(src, &mm) != 0)
        return -1;
    int rc = -1;
    if (maven_metadata_parse(&md, mm.p ? mm.p : "", mm.len, err, sizeof(err)) == 0) {
        int64_t now = time_now_ms();
        const char *best = NULL;
        for (size_t i = 0; i < md.nversions; i++) {
            const char *v = md.versions[i].version;
            version_facts_t f;
            verdict_t vd;
            if (maven_version_is_snapshot(v) || (best && maven_version_compare(v, best) <= 0) ||
                version_facts(package, v, &f) != 0)
                continue;
            decide_package(package, v, &f, now, &vd);
            if (vd.allow)
                best = v;
        }
        if (best) {
            snprintf(out, outlen, "%s", best);
            rc = 0;
        }
        maven_metadata_free(&md);
    }
    unmap_file(&mm);
    return rc;
}

static const char *file_alternative(h2o_req_t *req, artifact_req_t *ar)
{
    maven_req_t *mr = ar->er;
    char alt[256];
    if (maven_alternative(mr->package, mr->route.version, alt, sizeof(alt)) != 0)
        return NULL;
    return h2o_strdup(&req->pool, alt, SIZE_MAX).base;
}

/* the checksum file upstream publishes beside the artifact, strongest first */
static void fetch_sum(h2o_req_t *req, maven_req_t *mr)
{
    char key[1400], path[1400], url[2048];
    maven_sum_t s = SUM_ORDER[mr->sum_stage];
    snprintf(key, sizeof(key), "maven-sum:%s/%s%s", mr->route.dir, mr->route.file, maven_sum_ext(s));
    snprintf(path, sizeof(path), "%s/%s%s", mr->route.dir, mr->route.file, maven_sum_ext(s));
    upstream_url(path, url, sizeof(url));
    metadata_fetch(key, url, NULL, NULL, req, &loop_of(req)->flight_receiver, resume_file_sum, mr);
}

static int file_source(h2o_req_t *req, artifact_req_t *ar)
{
    maven_req_t *mr = ar->er;
    char fpath[1400];
    snprintf(fpath, sizeof(fpath), "%s/%s", mr->route.dir, mr->route.file);
    upstream_url(fpath, ar->url, sizeof(ar->url));
    mr->sum_stage = 0;
    fetch_sum(req, mr);
    return 1;
}

static void resume_file_sum(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    maven_req_t *mr = arg;
    artifact_req_t *ar = &mr->ar;
    maven_sum_t s = SUM_ORDER[mr->sum_stage];
    char key[1400], path[4200];
    meta_rec_t m;
    snprintf(key, sizeof(key), "maven-sum:%s/%s%s", mr->route.dir, mr->route.file, maven_sum_ext(s));
    if (out->status != 0 || metadata_lookup(key, &m) != 0) {
        if (out->status == 404 && mr->sum_stage + 1 < (int)(sizeof(SUM_ORDER) / sizeof(SUM_ORDER[0]))) {
            mr->sum_stage++;
            fetch_sum(req, mr);
            return;
        }
        if (out->status == 404) {
            artifact_route_refuse_integrity(req, ar, "no checksum upstream",
                                            "upstream publishes no .sha1 or .sha256 for it, so cordon cannot verify "
                                            "it and will not serve it");
            return;
        }
        http_send_error(req, out->status ? out->status : 502, out->reason, "%s",
                        out->status ? out->error : "checksum fetch failed");
        return;
    }
    blob_path(m.blob, path, sizeof(path));
    meta_rec_free(&m);
    mapped_t mm;
    int ok = map_file(path, &mm) == 0 && maven_checksum_parse(mm.p ? mm.p : "", mm.len, s, &ar->want) == 0;
    unmap_file(&mm);
    if (!ok) {
        artifact_route_refuse_integrity(req, ar, "unreadable checksum upstream", "the upstream %s file holds no %s digest",
                                        maven_sum_ext(s), digest_alg_name(maven_sum_alg(s)));
        return;
    }
    artifact_route_fetch(req, ar);
}

/* a jar is compared with the version's POM (its relocation and dependencies) */
static artifact_check_t *file_check(artifact_req_t *ar)
{
    maven_req_t *mr = ar->er;
    if (!artifact_is_analysed(ECO_MAVEN, mr->route.file))
        return NULL;
    size_t plen = 0;
    char *pom = pom_text(mr, mr->route.version, &plen);
    artifact_job_t *job = artifact_job_new(ECO_MAVEN, mr->package, mr->route.version, mr->route.file, pom, plen);
    free(pom);
    return artifact_check_new(job);
}

static void file_send(h2o_req_t *req, artifact_req_t *ar, const char *path, const char *etag)
{
    maven_req_t *mr = ar->er;
    send_file_or_sum(req, mr, path, content_type(mr->route.file), etag);
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

static void handle_file(h2o_req_t *req, maven_req_t *mr)
{
    artifact_req_t *ar = &mr->ar;
    artifact_req_init(ar, &FILE_OPS, mr, ECO_MAVEN, mr->package, mr->route.version, "upstream checksum");
    snprintf(ar->key, sizeof(ar->key), "maven:%s/%s", mr->route.dir, mr->route.file);
    snprintf(ar->detail, sizeof(ar->detail), "GET %s%s", mr->route.file, maven_sum_ext(mr->route.sum));
    snprintf(ar->what, sizeof(ar->what), "%s", mr->route.file);
    artifact_route(req, ar);
}

/* ---- the table entry ---- */

static void maven_package_of(const char *path, size_t plen, char *out, size_t outlen)
{
    maven_route_t r;
    maven_route_parse(path, plen, &r);
    if (r.kind != MAVEN_ROUTE_INVALID)
        snprintf(out, outlen, "%s:%s", r.group, r.artifact);
}

static void maven_handle(h2o_req_t *req, const char *path, size_t plen)
{
    maven_req_t *mr = h2o_mem_alloc_pool(&req->pool, sizeof(*mr));
    memset(mr, 0, sizeof(*mr));
    maven_route_parse(path, plen, &mr->route);
    snprintf(mr->package, sizeof(mr->package), "%s:%s", mr->route.group, mr->route.artifact);
    switch (mr->route.kind) {
    case MAVEN_ROUTE_METADATA:
        handle_metadata(req, mr);
        return;
    case MAVEN_ROUTE_FILE:
        handle_file(req, mr);
        return;
    default:
        http_send_error(req, 404, NULL,
                        "not a Maven 2 repository path: /maven/%.*s (expected group/path/artifact/version/file or "
                        "group/path/artifact/maven-metadata.xml)",
                        (int)(plen > 200 ? 200 : plen), path);
    }
}


/* "groupId:artifactId" as lockfiles and lists write it: the form only */
static int maven_list_name(const char *in, char *out, size_t outlen)
{
    const char *colon = strchr(in, ':');
    size_t n = strlen(in);
    if (colon == NULL || colon == in || colon[1] == '\0' || strchr(colon + 1, ':') || n >= outlen)
        return -1;
    memcpy(out, in, n + 1);
    return 0;
}

/* "groupId:artifactId", each part Maven's usual characters */
static int maven_canonical_name(const char *in, char *out, size_t outlen)
{
    if (maven_list_name(in, out, outlen) != 0)
        return -1;
    for (const char *p = in; *p; p++)
        if (*p != ':' && !(isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_'))
            return -1;
    return 0;
}

/* Maven has no listing with times: what cordon learned from the version's POM */
static int maven_version_facts(const char *package, const char *version, const char *file, version_facts_t *f,
                               findings_t *found)
{
    findings_clear(found);
    if (version_facts(package, version, f) != 0)
        return -1;
    MDB_txn *txn;
    if (store_read_begin(&txn) == 0) {
        findings_get_version(txn, "maven", package, version, found);
        store_read_end(txn);
    }
    return 1;
}

/* a lockfile check learns a version's time from its POM, like a file request */
static int maven_version_source(const char *package, const char *version, version_source_t *src)
{
    const char *colon = strchr(package, ':');
    if (runtime_config()->upstream[ECO_MAVEN] == NULL || colon == NULL || colon == package || !version[0])
        return -1;
    char group[512], gp[512], path[1400];
    snprintf(group, sizeof(group), "%.*s", (int)(colon - package), package);
    gpath(group, gp, sizeof(gp));
    snprintf(path, sizeof(path), "%s/%s/%s/%s-%s.pom", gp, colon + 1, version, colon + 1, version);
    upstream_url(path, src->url, sizeof(src->url));
    snprintf(src->key, sizeof(src->key), "maven-pom:%s:%s", package, version);
    src->accept = NULL;
    src->ingest = NULL;
    return 0;
}

int maven_cached_pom_source(const char *package, const char *version, version_source_t *src)
{
    return maven_version_source(package, version, src);
}

int maven_cached_metadata_source(const char *package, version_source_t *src)
{
    const char *colon = strchr(package, ':');
    if (runtime_config()->upstream[ECO_MAVEN] == NULL || colon == NULL || colon == package || !colon[1])
        return -1;
    char group[512], gp[512], path[1400];
    snprintf(group, sizeof(group), "%.*s", (int)(colon - package), package);
    gpath(group, gp, sizeof(gp));
    snprintf(path, sizeof(path), "%s/%s/maven-metadata.xml", gp, colon + 1);
    upstream_url(path, src->url, sizeof(src->url));
    snprintf(src->key, sizeof(src->key), "maven-meta:%s/%s", gp, colon + 1);
    src->accept = NULL;
    src->ingest = metadata_ingest;
    return 0;
}

int maven_cached_allowed(const char *package, const char *version, int64_t now)
{
    version_facts_t f;
    if (version_facts(package, version, &f) != 0)
        return -1;
    verdict_t vd;
    decide_package(package, version, &f, now, &vd);
    return vd.allow;
}

void maven_cached_learn(const char *package, const char *version)
{
    version_facts_t f;
    if (version_facts(package, version, &f) == 0)
        return; /* timed already */
    char key[1200];
    snprintf(key, sizeof(key), "maven-pom:%s:%s", package, version);
    record_pom_time_of(package, version, key);
}

static void maven_version_learned(const char *package, const char *version, const version_source_t *src)
{
    record_pom_time_of(package, version, src->key);
}

static const typosquat_rules_t maven_typosquat = {.split = ':',
                                                  .owner_lookalike = 1,
                                                  .popular = popular_builtin_maven,
                                                  .npopular = &popular_builtin_maven_count};

static const lock_format_def_t *const maven_lockfiles[] = {&maven_lock_format, NULL};

const ecosystem_t maven_ecosystem = {
    .id = ECO_MAVEN,
    .name = "maven",
    .prefix = "/maven/",
    .osv_name = "Maven",
    .is_read_only_write = NULL,
    .package_of = maven_package_of,
    .handle = maven_handle,
    .canonical_name = maven_canonical_name,
    .version_compare = maven_version_compare,
    .version_facts = maven_version_facts,
    .alternative = maven_alternative,
    .is_snapshot = maven_version_is_snapshot,
    .version_source = maven_version_source,
    .version_learned = maven_version_learned,
    .artifacts = &maven_artifacts,
    .lockfiles = maven_lockfiles,
    .typosquat = &maven_typosquat,
    .closure_deps = maven_closure_deps,
    .spec_versions = maven_spec_versions,
    .list_name = maven_list_name,
    .name_form = "groupId:artifactId",
    .upstream_lacks = "the maven repository has no POM for this version",
};
