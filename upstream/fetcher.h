/* fetcher: every upstream HTTP request cordon makes. One thread drives a
 * libcurl multi handle; event loops submit jobs and are called back, on the
 * fetcher thread, when a job ends.
 *
 * Why a thread and not the event loop: h2o's evloop reads from a socket's fd
 * itself before calling back, so libcurl cannot share it (notes-libraries.md);
 * a dedicated thread with curl_multi_poll keeps every loop non-blocking, gives
 * one shared connection cache (reuse, HTTP/2 multiplexing per upstream), and
 * hands results back through h2o's multithread queues (see flight.h). */
#ifndef CORDON_FETCHER_H
#define CORDON_FETCHER_H

#include <stddef.h>
#include <stdint.h>

#include "store/blob.h"
#include "common/buf.h"

typedef struct fetch_job fetch_job_t;
typedef void (*fetch_done_fn)(fetch_job_t *job);

struct fetch_job {
    /* request: set by the submitter; owned strings are freed by fetch_job_free */
    char *url;          /* never holds userinfo: fetch_job_new drops it */
    int eco;            /* the ecosystem whose upstream, fetch.allow_hosts and credentials
                           govern the request and its redirects (upstream/outbound.h); -1
                           (the default) is refused */
    int max_redirects;  /* redirects followed, each one checked (default 5); 0: a 3xx is the answer */
    const char *method; /* NULL = GET */
    char *body;         /* POST body (owned) */
    size_t body_len;
    char *body_type;     /* its Content-Type (owned) */
    char *body_encoding; /* its Content-Encoding, or NULL (owned) */
    char *accept;        /* Accept header (owned) */
    char *if_none_match; /* validators for revalidation (owned) */
    char *if_modified_since;
    int to_blob;          /* 1: body streams into a blob writer; 0: into mem */
    unsigned digest_mask; /* digests computed while streaming (to_blob) */
    int64_t max_bytes;    /* larger bodies are abandoned (too_large) */
    int64_t total_timeout_ms; /* 0: none; else the whole transfer's limit (timed_out) */
    fetch_done_fn done;   /* called on the fetcher thread; it owns the job from then on */
    void *arg;
    char *key; /* free-form, owned: what the job is for (single-flight key) */

    /* result */
    long status;    /* HTTP status, 0 when the transfer failed */
    int failed;     /* transport error (see error) */
    int timed_out;  /* no progress for fetch.timeout, or past total_timeout_ms */
    int too_large;
    int refused;    /* the outbound policy refused the URL or a redirect (see error) */
    int redirects;  /* redirects followed */
    char error[512];
    char request_id[64]; /* the request that started the job, "" when none (the failure line names it) */
    char etag[256];
    char last_modified[64];
    char content_type[128];
    blob_writer_t blob;
    buf_t mem;
    double seconds;

    /* fetcher-internal */
    char *from_url; /* the URL that redirected to url */
    void *easy;
    void *headers;
    int in_body;
    fetch_job_t *next;
};

typedef struct fetcher_config {
    int64_t timeout_ms; /* no progress (under 1 byte/s) for this long fails a transfer; 0 = never */
    int64_t connect_timeout_ms;
} fetcher_config_t;

int fetcher_start(const fetcher_config_t *cfg);
void fetcher_stop(void);
fetch_job_t *fetch_job_new(const char *url);
void fetcher_submit(fetch_job_t *job);
void fetch_job_free(fetch_job_t *job);

/* counters for metrics and tests */
/* finished transfers (each redirect hop is one), their failures, their
 * time: FETCH_BUCKET_BOUNDS seconds, bucket[FETCH_BUCKETS] beyond the last */
#define FETCH_BUCKETS 12
extern const double FETCH_BUCKET_BOUNDS[FETCH_BUCKETS];
typedef struct fetcher_stats {
    uint64_t count, failed, micros;
    uint64_t bucket[FETCH_BUCKETS + 1];
} fetcher_stats_t;
void fetcher_stats(fetcher_stats_t *out);
uint64_t fetcher_count_started(void);
uint64_t fetcher_count_failed(void);
uint64_t fetcher_count_refused(void); /* requests and redirects the outbound policy refused */

#endif
