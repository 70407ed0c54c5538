/* upstream_cache: the pull-through cache shared by every ecosystem. It owns
 * the two kinds of cached upstream bytes:
 *   - metadata (packuments, index pages, maven-metadata.xml): kept with the
 *     upstream validators, revalidated after metadata_ttl, served stale for
 *     up to stale_if_error when upstream fails;
 *   - artifacts (tarballs, wheels, jars): fetched once, verified against the
 *     integrity the metadata advertised, then immutable.
 * Bytes live in the blob store; the index lives in LMDB (DB_META, DB_BLOBS).
 * Fetches go through the fetcher thread and single-flight (flight.h). */
#ifndef CORDON_UPSTREAM_CACHE_H
#define CORDON_UPSTREAM_CACHE_H

#include <lmdb.h>

#include "upstream/flight.h"
#include "store/record.h"
#include "common/digest.h"

/* Validates and indexes a freshly fetched metadata body (runs on the fetcher
 * thread, before the new copy replaces the cached one). Returns 0, or -1
 * with a message when the document is malformed: then the previous good
 * copy stays in service. path NULL: upstream now answers 404 (or 410) for
 * a document it had (a copy is cached): what it listed is gone. */
typedef int (*metadata_ingest_fn)(const char *key, const char *path, int64_t size, char *err, size_t errlen);

typedef struct upstream_cache_config {
    int64_t metadata_ttl_ms;
    int64_t stale_if_error_ms;
    int64_t max_metadata;
    int64_t max_artifact;
    int64_t metadata_timeout_ms; /* the whole transfer of metadata and relayed POSTs; 0 = unbounded */
} upstream_cache_config_t;

void upstream_cache_init(const upstream_cache_config_t *cfg);
const upstream_cache_config_t *upstream_cache_config(void);

/* 0 and *out filled when a copy exists (fresh or not); the caller frees it */
int metadata_lookup(const char *key, meta_rec_t *out);
/* the blob (sha256 hex) of key's cached copy, "" when none: inside an
 * ingest, the copy the new document replaces */
void metadata_cached_blob(const char *key, char out[65]);
int metadata_is_fresh(const meta_rec_t *m, int64_t now_ms);
/* a stale copy may stand in when upstream fails */
int metadata_may_serve_stale(const meta_rec_t *m, int64_t now_ms);
/* fetches (or revalidates) url for key, then resumes req. Every key starts
 * with its ecosystem's name ("npm:…", "pypi-root:…", "maven-pom:…"): that
 * upstream's origin, fetch.allow_hosts and credentials govern the fetch and
 * its redirects (upstream/outbound.h), here and in artifact_fetch. */
void metadata_fetch(const char *key, const char *url, const char *accept, metadata_ingest_fn ingest, h2o_req_t *req,
                    h2o_multithread_receiver_t *receiver, flight_resume_fn fn, void *arg);
/* the same for a waiter that is no request (see flight_join_notify): fn(arg,
 * outcome) runs on the thread that lands the fetch, once it is durable */
void metadata_fetch_notify(const char *key, const char *url, const char *accept, metadata_ingest_fn ingest,
                           flight_notify_fn fn, void *arg);

/* How an ecosystem answers with one metadata document: how to validate a
 * fresh upstream copy, how to answer with a copy (stale: upstream failed
 * and stale_if_error allows the last good one), how to answer a failure. */
typedef void (*metadata_serve_fn)(h2o_req_t *req, void *arg, const meta_rec_t *m, int stale);
typedef void (*metadata_fail_fn)(h2o_req_t *req, void *arg, const flight_outcome_t *out);
typedef struct metadata_source {
    const char *accept;
    metadata_ingest_fn ingest;
    metadata_serve_fn serve;
    metadata_fail_fn fail;
} metadata_source_t;

/* Serves key from the cache while fresh; otherwise fetches url (once for all
 * concurrent requests) and serves the new copy, the stale one, or calls fail.
 * src must be static; arg must live as long as req. */
void metadata_serve(h2o_req_t *req, h2o_multithread_receiver_t *receiver, const metadata_source_t *src,
                    const char *key, const char *url, void *arg);

/* After fetching metadata to learn about an artifact: 1 when the fetch
 * failed and no older copy exists (answer with out's error); 0 when the
 * artifact should be looked up again. */
int metadata_refresh_failed(const char *key, const flight_outcome_t *out);

/* What must happen to an artifact's verified bytes before anyone can find
 * them: analysis (analysis/artifact.h makes such a check). Once the bytes
 * are verified and committed to the blob store, upstream_cache calls start;
 * the check calls done(token) when it is through, on any thread; record
 * then runs inside the transaction that indexes the blob (so whoever finds
 * the artifact finds what the check recorded), and free last. A check
 * passed to artifact_fetch or artifact_fetch_serve is theirs to free. */
typedef struct artifact_check artifact_check_t;
typedef void (*artifact_check_done_fn)(void *token);
struct artifact_check {
    void (*start)(artifact_check_t *self, const char *path, artifact_check_done_fn done, void *token);
    int (*record)(artifact_check_t *self, MDB_txn *txn, const char *blob_hex);
    void (*free)(artifact_check_t *self);
};

/* 0 and *out filled when the artifact's verified bytes are stored */
int artifact_lookup(const char *key, blob_rec_t *out);
/* fetches url, verifies it against want (never stored or served otherwise),
 * runs check when one is given (ownership passes), and only then makes it
 * findable by artifact_lookup, with what the check recorded; then resumes
 * req. req NULL: a prefetch nobody waits for. */
void artifact_fetch(const char *key, const char *url, const integrity_t *want, artifact_check_t *check, h2o_req_t *req,
                    h2o_multithread_receiver_t *receiver, flight_resume_fn fn, void *arg);

/* the same for a waiter that is no request (see flight_join_notify): fn(arg,
 * outcome) runs on the thread that lands the fetch, once the artifact is
 * findable (or failed) */
void artifact_fetch_notify(const char *key, const char *url, const integrity_t *want, artifact_check_t *check,
                           flight_notify_fn fn, void *arg);

/* forwards a read-only POST (npm audit) for ecosystem eco upstream, without
 * following redirects, and resumes req with upstream's 2xx or 4xx answer in
 * out->body (at most RELAY_MAX_ANSWER bytes; out->content_type as upstream
 * said); a 3xx, 5xx or failure is out->status 502/504. content_encoding
 * (e.g. "gzip") goes with the body when not NULL. Never cached, never
 * single-flighted. */
#define RELAY_MAX_ANSWER (16 << 20)
void upstream_relay_post(int eco, const char *url, const char *body, size_t len, const char *content_type,
                         const char *content_encoding, h2o_req_t *req, h2o_multithread_receiver_t *receiver,
                         flight_resume_fn fn, void *arg);

/* How an ecosystem answers with one artifact's verified bytes, or with the
 * failure to get them (integrity_mismatch, upstream errors). */
typedef void (*artifact_serve_fn)(h2o_req_t *req, void *arg, const blob_rec_t *b);
typedef void (*artifact_fail_fn)(h2o_req_t *req, void *arg, const flight_outcome_t *out);
typedef struct artifact_source {
    artifact_serve_fn serve;
    artifact_fail_fn fail;
} artifact_source_t;

/* serves key when its verified bytes are stored: 1 served, 0 not stored */
int artifact_serve_cached(h2o_req_t *req, const artifact_source_t *src, const char *key, void *arg);
/* fetches url (once for all concurrent requests), verifies it against want,
 * then serves it, or calls fail. src must be static; arg lives as long as req. */
void artifact_fetch_serve(h2o_req_t *req, h2o_multithread_receiver_t *receiver, const artifact_source_t *src,
                          const char *key, const char *url, const integrity_t *want, artifact_check_t *check, void *arg);

/* counters for metrics */
uint64_t upstream_cache_hits(int artifact); /* 0: metadata served fresh from cache, 1: artifacts */
uint64_t upstream_cache_misses(void);
void upstream_cache_count_hit(int artifact);

#endif
