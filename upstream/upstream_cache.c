/* upstream_cache: fetch → verify → commit → wake waiters. The commit step
 * runs on the fetcher thread right after the transfer ends, so a flight lands
 * only once its result is durable and every waiter can serve from the store. */
#include "upstream/upstream_cache.h"
#include "common/log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/eco.h"
#include "store/blob.h"
#include "upstream/fetcher.h"
#include "store/store.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

static upstream_cache_config_t g_cfg;
static atomic_uint_fast64_t g_hits[2], g_misses;

void upstream_cache_init(const upstream_cache_config_t *cfg) { g_cfg = *cfg; }
const upstream_cache_config_t *upstream_cache_config(void) { return &g_cfg; }
uint64_t upstream_cache_hits(int artifact) { return atomic_load(&g_hits[artifact ? 1 : 0]); }
uint64_t upstream_cache_misses(void) { return atomic_load(&g_misses); }
void upstream_cache_count_hit(int artifact) { atomic_fetch_add(&g_hits[artifact ? 1 : 0], 1); }

typedef struct job_ctx {
    int artifact;
    artifact_check_t *check; /* run before the artifact becomes findable */
    metadata_ingest_fn ingest;
    integrity_t want;
    meta_rec_t prev; /* the copy being revalidated, if any */
    int has_prev;
} job_ctx_t;

int metadata_lookup(const char *key, meta_rec_t *out)
{
    void *v;
    size_t n;
    if (store_get_copy(DB_META, key, strlen(key), &v, &n) != STORE_OK)
        return -1;
    int rc = meta_rec_decode(v, n, out);
    free(v);
    if (rc == 0 && !blob_exists(out->blob)) {
        meta_rec_free(out);
        return -1;
    }
    return rc;
}

void metadata_cached_blob(const char *key, char out[65])
{
    meta_rec_t m;
    out[0] = '\0';
    if (metadata_lookup(key, &m) == 0) {
        snprintf(out, 65, "%s", m.blob ? m.blob : "");
        meta_rec_free(&m);
    }
}

int metadata_is_fresh(const meta_rec_t *m, int64_t now_ms) { return now_ms - m->fetched_at < g_cfg.metadata_ttl_ms; }

int metadata_may_serve_stale(const meta_rec_t *m, int64_t now_ms)
{
    return now_ms - m->fetched_at <= g_cfg.metadata_ttl_ms + g_cfg.stale_if_error_ms;
}

int artifact_lookup(const char *key, blob_rec_t *out)
{
    void *v;
    size_t n;
    if (store_get_copy(DB_BLOBS, key, strlen(key), &v, &n) != STORE_OK)
        return -1;
    int rc = blob_rec_decode(v, n, out);
    free(v);
    if (rc == 0 && !blob_exists(out->blob)) {
        blob_rec_free(out);
        return -1;
    }
    return rc;
}

/* ---- outcome of a transfer ---- */

static void transfer_outcome(const fetch_job_t *j, flight_outcome_t *o)
{
    memset(o, 0, sizeof(*o));
    if (j->refused) {
        o->status = 502;
        snprintf(o->reason, sizeof(o->reason), "host_not_allowed");
        snprintf(o->error, sizeof(o->error), "%s", j->error);
    } else if (j->too_large) {
        o->status = 502;
        snprintf(o->error, sizeof(o->error), "upstream body for %s is larger than the configured limit", j->url);
    } else if (j->timed_out) {
        o->status = 504;
        snprintf(o->error, sizeof(o->error), "upstream timed out fetching %s: %s", j->url, j->error);
    } else if (j->failed) {
        if (j->blob.error == ENOSPC) {
            o->status = 503;
            snprintf(o->error, sizeof(o->error), "cordon's disk is full; cannot store %s", j->url);
        } else {
            o->status = 502;
            snprintf(o->error, sizeof(o->error), "upstream unreachable fetching %s: %s", j->url, j->error);
        }
    } else if (j->status == 404 || j->status == 410) {
        o->status = 404;
        snprintf(o->error, sizeof(o->error), "not found upstream (%ld from %s)", j->status, j->url);
    } else if (j->status != 200 && j->status != 304) {
        o->status = 502;
        snprintf(o->error, sizeof(o->error), "upstream answered %ld for %s", j->status, j->url);
    }
}

/* one encoded record under key in db (both meta and blob index records) */
typedef struct rec_put {
    store_db_t db;
    const char *key;
    buf_t *value;
} rec_put_t;

static int put_rec(MDB_txn *txn, void *arg)
{
    rec_put_t *p = arg;
    if (p->value->oom)
        return ENOMEM;
    MDB_val k = {strlen(p->key), (void *)p->key}, v = {p->value->len, p->value->data};
    return mdb_put(txn, store_dbi(p->db), &k, &v, 0);
}

static store_rc_t put_meta(const char *key, const meta_rec_t *m, char *err, size_t errlen)
{
    buf_t b;
    buf_init(&b);
    meta_rec_encode(m, &b);
    rec_put_t p = {DB_META, key, &b};
    store_rc_t rc = store_write(put_rec, &p, err, errlen);
    buf_free(&b);
    return rc;
}

static void store_failure(flight_outcome_t *o, store_rc_t rc, const char *err)
{
    o->status = 503;
    snprintf(o->reason, sizeof(o->reason), "%s", rc == STORE_FULL ? "store_full" : "store_error");
    snprintf(o->error, sizeof(o->error), "cordon cannot record this: %s", err);
    log_kv(LOG_ERROR, "store write failed", "error", err, NULL);
}

static void metadata_done(fetch_job_t *j)
{
    job_ctx_t *c = j->arg;
    flight_outcome_t o;
    transfer_outcome(j, &o);
    const char *key = j->key + 5; /* "meta:" */
    char err[400] = "";
    if (o.status == 0 && j->status == 304 && c->has_prev) {
        c->prev.fetched_at = time_now_ms();
        store_rc_t rc = put_meta(key, &c->prev, err, sizeof(err));
        if (rc != STORE_OK)
            store_failure(&o, rc, err);
    } else if (o.status == 404 && c->has_prev && c->ingest) {
        /* a document upstream had and has no more (a takedown, not an
         * outage: a 5xx never gets here); the 404 is still the answer */
        if (c->ingest(key, NULL, 0, err, sizeof(err)) != 0)
            log_kv(LOG_ERROR, "cannot record what upstream removed", "key", key, "error", err, NULL);
    } else if (o.status == 0 && j->status == 304) {
        o.status = 502;
        snprintf(o.error, sizeof(o.error), "upstream answered 304 to an unconditional request for %s", j->url);
    } else if (o.status == 0) {
        char hex[65];
        if (j->blob.fd < 0 && blob_writer_open(&j->blob, 0) != 0) { /* empty body */
            o.status = 503;
            snprintf(o.error, sizeof(o.error), "cannot write to the blob store");
        } else if (blob_writer_commit(&j->blob, hex) != 0) {
            o.status = 503;
            snprintf(o.error, sizeof(o.error), "cannot store %s: %s", j->url, strerror(j->blob.error));
        } else {
            char path[4200];
            blob_path(hex, path, sizeof(path));
            if (c->ingest && c->ingest(key, path, (int64_t)j->blob.size, err, sizeof(err)) != 0) {
                o.status = 502;
                snprintf(o.error, sizeof(o.error), "upstream sent a malformed document for %s: %s", j->url, err);
                /* the bad body never enters service; the last good copy stays */
                if (!c->has_prev || strcmp(c->prev.blob, hex) != 0)
                    unlink(path);
            } else {
                meta_rec_t m = {.fetched_at = time_now_ms(),
                                .size = (int64_t)j->blob.size,
                                .blob = hex,
                                .etag = j->etag,
                                .last_modified = j->last_modified,
                                .content_type = j->content_type};
                store_rc_t rc = put_meta(key, &m, err, sizeof(err));
                if (rc != STORE_OK)
                    store_failure(&o, rc, err);
            }
        }
    }
    flight_land(j->key, &o);
    if (c->has_prev)
        meta_rec_free(&c->prev);
    free(c);
    fetch_job_free(j);
}

/* the ecosystem a store key is for: its name leads it ("npm:…",
 * "pypi-root:…", "maven-pom:…"); -1 when it names none (then the fetcher
 * refuses the job) */
static int eco_of_key(const char *key)
{
    size_t n = strcspn(key, ":-");
    return eco_from_name(key, n);
}

static fetch_job_t *leader_job(const char *fkey, const char *url, job_ctx_t **ctx);

/* joins the flight prefix+key; the leader gets a new job (its key the
 * flight key, its ecosystem the key's) and context, everyone else NULL */
static fetch_job_t *lead(const char *prefix, const char *key, const char *url, h2o_req_t *req,
                         h2o_multithread_receiver_t *receiver, flight_resume_fn fn, void *arg, job_ctx_t **ctx)
{
    char fkey[1200];
    snprintf(fkey, sizeof(fkey), "%s%s", prefix, key);
    if (!flight_join(fkey, req, receiver, fn, arg))
        return NULL;
    fetch_job_t *j = leader_job(fkey, url, ctx);
    h2o_iovec_t *rid = j && req ? h2o_req_getenv(req, H2O_STRLIT("cordon.rid"), 0) : NULL;
    if (rid)
        snprintf(j->request_id, sizeof(j->request_id), "%.*s", (int)rid->len, rid->base);
    return j;
}

/* the job (and context) of the flight fkey's leader; NULL when out of
 * memory (the flight then lands with the error) */
static fetch_job_t *leader_job(const char *fkey, const char *url, job_ctx_t **ctx)
{
    atomic_fetch_add(&g_misses, 1);
    fetch_job_t *j = fetch_job_new(url);
    job_ctx_t *c = calloc(1, sizeof(*c));
    if (j == NULL || c == NULL || (j->key = strdup(fkey)) == NULL) {
        flight_outcome_t o = {.status = 503, .error = "out of memory"};
        free(c);
        fetch_job_free(j);
        flight_land(fkey, &o);
        return NULL;
    }
    const char *colon = strchr(fkey, ':'); /* past the flight prefix ("meta:", "art:") */
    j->eco = eco_of_key(colon ? colon + 1 : fkey);
    *ctx = c;
    return j;
}

static void submit_metadata(fetch_job_t *j, job_ctx_t *c, const char *key, const char *accept,
                            metadata_ingest_fn ingest);

void metadata_fetch(const char *key, const char *url, const char *accept, metadata_ingest_fn ingest, h2o_req_t *req,
                    h2o_multithread_receiver_t *receiver, flight_resume_fn fn, void *arg)
{
    job_ctx_t *c;
    fetch_job_t *j = lead("meta:", key, url, req, receiver, fn, arg, &c);
    if (j != NULL)
        submit_metadata(j, c, key, accept, ingest);
}

void metadata_fetch_notify(const char *key, const char *url, const char *accept, metadata_ingest_fn ingest,
                           flight_notify_fn fn, void *arg)
{
    char fkey[1200];
    snprintf(fkey, sizeof(fkey), "meta:%s", key);
    if (!flight_join_notify(fkey, fn, arg))
        return;
    job_ctx_t *c;
    fetch_job_t *j = leader_job(fkey, url, &c);
    if (j != NULL)
        submit_metadata(j, c, key, accept, ingest);
}

/* the leader's metadata job: revalidates the cached copy when there is one */
static void submit_metadata(fetch_job_t *j, job_ctx_t *c, const char *key, const char *accept,
                            metadata_ingest_fn ingest)
{
    c->ingest = ingest;
    if (metadata_lookup(key, &c->prev) == 0) {
        c->has_prev = 1;
        if (c->prev.etag && *c->prev.etag)
            j->if_none_match = strdup(c->prev.etag);
        if (c->prev.last_modified && *c->prev.last_modified)
            j->if_modified_since = strdup(c->prev.last_modified);
    }
    /* j->key is the flight key: the store key with its "meta:" prefix */
    j->accept = accept ? strdup(accept) : NULL;
    j->to_blob = 1;
    j->max_bytes = g_cfg.max_metadata;
    /* bounded as a whole: a slow upstream must not hold every client of
     * this document past the point where the stale copy would serve them
     * (artifacts have no stale copy: they take as long as they progress) */
    j->total_timeout_ms = g_cfg.metadata_timeout_ms;
    j->done = metadata_done;
    j->arg = c;
    fetcher_submit(j);
}

/* the blob index entry for key, and what the artifact's check recorded,
 * in one transaction: whoever finds the artifact finds that too */
typedef struct index_op {
    const char *key;
    blob_rec_t rec;
    artifact_check_t *check;
} index_op_t;

static int index_txn(MDB_txn *txn, void *arg)
{
    index_op_t *op = arg;
    if (op->check) {
        int rc = op->check->record(op->check, txn, op->rec.blob);
        if (rc)
            return rc;
    }
    /* the generation says who decided before this blob (and what its check
     * found) became findable: the artifact route decides again for them */
    op->rec.generation = store_txn_generation(txn);
    buf_t enc;
    buf_init(&enc);
    blob_rec_encode(&op->rec, &enc);
    MDB_val k = {strlen(op->key), (void *)op->key}, v = {enc.len, enc.data};
    int rc = enc.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_BLOBS), &k, &v, 0);
    buf_free(&enc);
    return rc;
}

static store_rc_t index_blob(const char *key, const char *hex, int64_t size, artifact_check_t *check, char *err,
                             size_t errlen)
{
    index_op_t op = {key, {.size = size, .stored_at = time_now_ms(), .blob = (char *)hex}, check};
    return store_write(index_txn, &op, err, errlen);
}

typedef struct checked {
    char *flight_key; /* "art:" + the artifact key */
    char hex[65];
    int64_t size;
    artifact_check_t *check;
} checked_t;

/* the check is through (on whatever thread it ran): index, then land */
static void checked(void *token)
{
    checked_t *a = token;
    flight_outcome_t o;
    memset(&o, 0, sizeof(o));
    char err[400];
    store_rc_t rc = index_blob(a->flight_key + 4, a->hex, a->size, a->check, err, sizeof(err));
    if (rc != STORE_OK)
        store_failure(&o, rc, err);
    flight_land(a->flight_key, &o);
    a->check->free(a->check);
    free(a->flight_key);
    free(a);
}

static void artifact_done(fetch_job_t *j)
{
    job_ctx_t *c = j->arg;
    flight_outcome_t o;
    transfer_outcome(j, &o);
    const char *key = j->key + 4; /* "art:" */
    if (o.status == 0 && j->status != 200) {
        o.status = 502;
        snprintf(o.error, sizeof(o.error), "upstream answered %ld for %s", j->status, j->url);
    }
    if (o.status == 0) {
        if (j->blob.fd < 0 && blob_writer_open(&j->blob, 1u << c->want.alg) != 0) {
            o.status = 503;
            snprintf(o.error, sizeof(o.error), "cannot write to the blob store");
        }
    }
    if (o.status == 0) {
        blob_writer_finish(&j->blob);
        if (!integrity_check(&c->want, &j->blob.digests)) {
            o.status = 502;
            snprintf(o.reason, sizeof(o.reason), "integrity_mismatch");
            snprintf(o.error, sizeof(o.error),
                     "the bytes upstream served for %s do not match the %s the registry advertised; not served, "
                     "not cached",
                     j->url, digest_alg_name(c->want.alg));
            blob_writer_abort(&j->blob);
        } else {
            char hex[65], err[400];
            if (blob_writer_commit(&j->blob, hex) != 0) {
                o.status = 503;
                snprintf(o.error, sizeof(o.error), "cannot store %s: %s", j->url, strerror(j->blob.error));
            } else if (c->check) {
                /* the check indexes the blob and lands the flight when it is through */
                checked_t *a = calloc(1, sizeof(*a));
                char path[4200];
                blob_path(hex, path, sizeof(path));
                if (a && (a->flight_key = strdup(j->key)) != NULL) {
                    snprintf(a->hex, sizeof(a->hex), "%s", hex);
                    a->size = (int64_t)j->blob.size;
                    a->check = c->check;
                    c->check = NULL;
                    free(c);
                    fetch_job_free(j);
                    a->check->start(a->check, path, checked, a);
                    return;
                }
                free(a);
                o.status = 503;
                snprintf(o.error, sizeof(o.error), "out of memory");
            } else {
                store_rc_t rc = index_blob(key, hex, (int64_t)j->blob.size, NULL, err, sizeof(err));
                if (rc != STORE_OK)
                    store_failure(&o, rc, err);
            }
        }
    }
    flight_land(j->key, &o);
    if (c->check)
        c->check->free(c->check);
    free(c);
    fetch_job_free(j);
}

static void submit_artifact(fetch_job_t *j, job_ctx_t *c, const integrity_t *want, artifact_check_t *check);

void artifact_fetch(const char *key, const char *url, const integrity_t *want, artifact_check_t *check, h2o_req_t *req,
                    h2o_multithread_receiver_t *receiver, flight_resume_fn fn, void *arg)
{
    job_ctx_t *c;
    fetch_job_t *j = lead("art:", key, url, req, receiver, fn, arg, &c);
    if (j == NULL) {
        if (check)
            check->free(check);
        return;
    }
    submit_artifact(j, c, want, check);
}

void artifact_fetch_notify(const char *key, const char *url, const integrity_t *want, artifact_check_t *check,
                           flight_notify_fn fn, void *arg)
{
    char fkey[1200];
    snprintf(fkey, sizeof(fkey), "art:%s", key);
    job_ctx_t *c;
    fetch_job_t *j = flight_join_notify(fkey, fn, arg) ? leader_job(fkey, url, &c) : NULL;
    if (j == NULL) {
        if (check)
            check->free(check);
        return;
    }
    submit_artifact(j, c, want, check);
}

/* the leader's artifact job: verified against want, then check */
static void submit_artifact(fetch_job_t *j, job_ctx_t *c, const integrity_t *want, artifact_check_t *check)
{
    c->artifact = 1;
    c->check = check;
    c->want = *want;
    j->to_blob = 1;
    j->digest_mask = 1u << want->alg;
    j->max_bytes = g_cfg.max_artifact;
    j->done = artifact_done;
    j->arg = c;
    fetcher_submit(j);
}

static void relay_done(fetch_job_t *j)
{
    flight_outcome_t o;
    transfer_outcome(j, &o);
    if (!j->failed && j->status >= 200 && j->status < 500 && !(j->status >= 300 && j->status < 400)) {
        /* upstream's own answer (a 4xx too: npm shows it); the caller checks it is JSON */
        memset(&o, 0, sizeof(o));
        o.upstream_status = (int)j->status;
        snprintf(o.content_type, sizeof(o.content_type), "%s", j->content_type);
        o.body = j->mem.data;
        o.body_len = j->mem.len;
    } else if (!j->failed && j->status >= 300 && j->status < 400) {
        o.status = 502;
        snprintf(o.error, sizeof(o.error), "upstream answered %ld (a redirect) for %s; cordon follows none here",
                 j->status, j->url);
    }
    flight_land(j->key, &o);
    fetch_job_free(j);
}

void upstream_relay_post(int eco, const char *url, const char *body, size_t len, const char *content_type,
                         const char *content_encoding, h2o_req_t *req, h2o_multithread_receiver_t *receiver,
                         flight_resume_fn fn, void *arg)
{
    static atomic_uint_fast64_t seq;
    char fkey[64];
    snprintf(fkey, sizeof(fkey), "relay:%llu", (unsigned long long)atomic_fetch_add(&seq, 1));
    flight_join(fkey, req, receiver, fn, arg);
    fetch_job_t *j = fetch_job_new(url);
    if (j == NULL || (len && (j->body = malloc(len)) == NULL)) {
        flight_outcome_t o = {.status = 503, .error = "out of memory"};
        fetch_job_free(j);
        flight_land(fkey, &o);
        return;
    }
    if (len)
        memcpy(j->body, body, len);
    j->body_len = len;
    j->method = "POST";
    j->body_type = xstrdup(content_type && *content_type ? content_type : "application/json");
    j->body_encoding = content_encoding ? xstrdup(content_encoding) : NULL;
    j->key = xstrdup(fkey);
    j->eco = eco;
    j->max_redirects = 0;
    j->max_bytes = RELAY_MAX_ANSWER;
    j->total_timeout_ms = g_cfg.metadata_timeout_ms;
    j->done = relay_done;
    fetcher_submit(j);
}

int metadata_refresh_failed(const char *key, const flight_outcome_t *out)
{
    if (out->status == 0 || out->status == 404)
        return 0; /* fresh copy, or gone upstream: the caller looks again and answers */
    meta_rec_t m;
    if (metadata_lookup(key, &m) == 0) {
        meta_rec_free(&m); /* upstream down, but an older copy may know the version */
        return 0;
    }
    return 1;
}

/* ---- serving a metadata document ---- */

typedef struct serve_state {
    const metadata_source_t *src;
    const artifact_source_t *src_artifact;
    char *key;
    void *arg;
} serve_state_t;

static void resume_serve(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    serve_state_t *st = arg;
    meta_rec_t m;
    if (metadata_lookup(st->key, &m) != 0) {
        flight_outcome_t none = {.status = 502};
        snprintf(none.error, sizeof(none.error), "upstream gave no copy of %s", st->key);
        st->src->fail(req, st->arg, out->status ? out : &none);
        return;
    }
    if (out->status == 0)
        st->src->serve(req, st->arg, &m, 0);
    else if (out->status != 404 && metadata_may_serve_stale(&m, time_now_ms()))
        st->src->serve(req, st->arg, &m, 1);
    else
        st->src->fail(req, st->arg, out);
    meta_rec_free(&m);
}

void metadata_serve(h2o_req_t *req, h2o_multithread_receiver_t *receiver, const metadata_source_t *src,
                    const char *key, const char *url, void *arg)
{
    meta_rec_t m;
    if (metadata_lookup(key, &m) == 0) {
        if (metadata_is_fresh(&m, time_now_ms())) {
            upstream_cache_count_hit(0);
            src->serve(req, arg, &m, 0);
            meta_rec_free(&m);
            return;
        }
        meta_rec_free(&m);
    }
    serve_state_t *st = h2o_mem_alloc_pool(&req->pool, sizeof(*st));
    st->src = src;
    st->key = h2o_strdup(&req->pool, key, SIZE_MAX).base;
    st->arg = arg;
    metadata_fetch(key, url, src->accept, src->ingest, req, receiver, resume_serve, st);
}

/* ---- serving an artifact ---- */

int artifact_serve_cached(h2o_req_t *req, const artifact_source_t *src, const char *key, void *arg)
{
    blob_rec_t b;
    if (artifact_lookup(key, &b) != 0)
        return 0;
    upstream_cache_count_hit(1);
    src->serve(req, arg, &b);
    blob_rec_free(&b);
    return 1;
}

static void resume_artifact(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    serve_state_t *st = arg;
    const artifact_source_t *src = st->src_artifact;
    blob_rec_t b;
    if (out->status != 0) {
        src->fail(req, st->arg, out);
        return;
    }
    if (artifact_lookup(st->key, &b) != 0) {
        flight_outcome_t gone = {.status = 503};
        snprintf(gone.error, sizeof(gone.error), "fetched and verified, but cordon cannot read it back");
        src->fail(req, st->arg, &gone);
        return;
    }
    src->serve(req, st->arg, &b);
    blob_rec_free(&b);
}

void artifact_fetch_serve(h2o_req_t *req, h2o_multithread_receiver_t *receiver, const artifact_source_t *src,
                          const char *key, const char *url, const integrity_t *want, artifact_check_t *check, void *arg)
{
    serve_state_t *st = h2o_mem_alloc_pool(&req->pool, sizeof(*st));
    memset(st, 0, sizeof(*st));
    st->src_artifact = src;
    st->key = h2o_strdup(&req->pool, key, SIZE_MAX).base;
    st->arg = arg;
    artifact_fetch(key, url, want, check, req, receiver, resume_artifact, st);
}
