/* fetcher: the libcurl multi thread (see fetcher.h for why a thread).
 * Redirects are followed here, not by libcurl, so that each hop is checked
 * against the outbound policy (upstream/outbound.h) before it is requested and
 * carries credentials only when it is on the upstream's own origin. */
#include "upstream/fetcher.h"
#include "common/log.h"
#include "upstream/outbound.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "common/url.h"
#include "core/runtime.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static CURLM *g_multi;
static pthread_t g_thread;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static fetch_job_t *g_queue_head, *g_queue_tail;
static atomic_int g_stop;
static int g_running;
static fetcher_config_t g_cfg;
static atomic_uint_fast64_t g_started, g_failed, g_refused;

uint64_t fetcher_count_started(void) { return atomic_load(&g_started); }
uint64_t fetcher_count_failed(void) { return atomic_load(&g_failed); }
uint64_t fetcher_count_refused(void) { return atomic_load(&g_refused); }

/* latency of finished transfers (each redirect hop is one), for /-/metrics */
const double FETCH_BUCKET_BOUNDS[FETCH_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
static atomic_uint_fast64_t g_bucket[FETCH_BUCKETS + 1], g_observed, g_observed_failed, g_micros;

static void observe(double seconds, int failed)
{
    size_t b = 0;
    while (b < FETCH_BUCKETS && seconds > FETCH_BUCKET_BOUNDS[b])
        b++;
    atomic_fetch_add_explicit(&g_bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_observed, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_micros, (uint64_t)(seconds * 1e6), memory_order_relaxed);
    if (failed)
        atomic_fetch_add_explicit(&g_observed_failed, 1, memory_order_relaxed);
}

void fetcher_stats(fetcher_stats_t *out)
{
    out->count = atomic_load_explicit(&g_observed, memory_order_relaxed);
    out->failed = atomic_load_explicit(&g_observed_failed, memory_order_relaxed);
    out->micros = atomic_load_explicit(&g_micros, memory_order_relaxed);
    for (size_t b = 0; b <= FETCH_BUCKETS; b++)
        out->bucket[b] = atomic_load_explicit(&g_bucket[b], memory_order_relaxed);
}

#define MAX_REDIRECTS 5

fetch_job_t *fetch_job_new(const char *url)
{
    fetch_job_t *j = calloc(1, sizeof(*j));
    if (j == NULL)
        return NULL;
    j->url = url_without_userinfo(url);
    j->eco = -1;
    j->max_redirects = MAX_REDIRECTS;
    j->blob.fd = -1;
    j->max_bytes = INT64_MAX;
    buf_init(&j->mem);
    if (j->url == NULL) {
        free(j);
        return NULL;
    }
    return j;
}

void fetch_job_free(fetch_job_t *j)
{
    if (j == NULL)
        return;
    if (j->blob.fd >= 0)
        blob_writer_abort(&j->blob);
    buf_free(&j->mem);
    free(j->url);
    free(j->from_url);
    free(j->body);
    free(j->body_type);
    free(j->body_encoding);
    free(j->accept);
    free(j->if_none_match);
    free(j->if_modified_since);
    free(j->key);
    free(j);
}

static void copy_header_value(char *dst, size_t dstlen, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    if (n >= dstlen)
        n = dstlen - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    fetch_job_t *j = ud;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        /* a new response (after a redirect or a 100): forget earlier headers */
        j->etag[0] = j->last_modified[0] = j->content_type[0] = '\0';
        return n;
    }
    const char *colon = memchr(p, ':', n);
    if (colon == NULL)
        return n;
    size_t klen = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vlen = n - klen - 1;
    if (klen == 4 && strncasecmp(p, "etag", 4) == 0)
        copy_header_value(j->etag, sizeof(j->etag), v, vlen);
    else if (klen == 13 && strncasecmp(p, "last-modified", 13) == 0)
        copy_header_value(j->last_modified, sizeof(j->last_modified), v, vlen);
    else if (klen == 12 && strncasecmp(p, "content-type", 12) == 0)
        copy_header_value(j->content_type, sizeof(j->content_type), v, vlen);
    return n;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    fetch_job_t *j = ud;
    size_t n = size * nmemb;
    long status = 0;
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    uint64_t have = j->to_blob ? j->blob.size : j->mem.len;
    if ((int64_t)(have + n) > j->max_bytes) {
        j->too_large = 1;
        return 0; /* aborts the transfer */
    }
    /* only successful bodies are worth keeping; error bodies go to memory, capped */
    if (j->to_blob && status == 200) {
        if (j->blob.fd < 0 && blob_writer_open(&j->blob, j->digest_mask) != 0)
            return 0;
        if (blob_writer_write(&j->blob, p, n) != 0)
            return 0;
    } else {
        if (j->mem.len + n > (j->to_blob ? 64 * 1024 : (size_t)j->max_bytes))
            return n; /* error page: keep the start only */
        buf_append(&j->mem, p, n);
        if (j->mem.oom)
            return 0;
    }
    return n;
}

/* the policy said no: the job ends without a request, and the server log says why */
static void refuse_job(fetch_job_t *j, const char *why)
{
    char shown[600], from[600];
    j->failed = j->refused = 1;
    if (j->from_url) {
        url_redact(j->from_url, from, sizeof(from));
        snprintf(j->error, sizeof(j->error), "upstream redirected %s elsewhere: %s", from, why);
    } else {
        snprintf(j->error, sizeof(j->error), "%s", why);
    }
    atomic_fetch_add(&g_refused, 1);
    atomic_fetch_add(&g_failed, 1);
    url_redact(j->url, shown, sizeof(shown));
    log_kv(LOG_WARN, "outbound fetch refused", "ecosystem",
           j->eco >= 0 && j->eco < ECO_COUNT ? eco_name((eco_id_t)j->eco) : "none", "url", shown, "error", j->error, NULL);
    j->done(j);
}

static void start_job(fetch_job_t *j)
{
    const config_t *cfg = runtime_config();
    char why[sizeof(j->error)];
    if (j->url == NULL) {
        j->failed = 1;
        snprintf(j->error, sizeof(j->error), "out of memory");
        j->done(j);
        return;
    }
    if (outbound_check(cfg, j->eco, j->url, j->from_url, why, sizeof(why)) != 0) {
        refuse_job(j, why);
        return;
    }
    CURL *e = curl_easy_init();
    if (e == NULL) {
        j->failed = 1;
        snprintf(j->error, sizeof(j->error), "cannot create a transfer");
        j->done(j);
        return;
    }
    j->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, j->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* finish_job follows, checking each hop */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
    const char *user, *pass;
    if (outbound_credentials(cfg, j->eco, j->url, &user, &pass)) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERNAME, user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, pass);
    }
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    /* Waiting to multiplex only pays over TLS, where ALPN settles HTTP/2 during
     * the handshake. Over plain http it would queue every transfer to a host
     * behind one whose response has not started, so a hung upstream request
     * would stall all others. */
    if (strncmp(j->url, "https:", 6) == 0)
        curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* gzip/deflate/br, decoded before hashing */
    /* fetch.timeout is "no progress for this long", not a limit on the whole
     * transfer: a 2 GB wheel over a slow link takes as long as it takes.
     * libcurl judges the speed over its last 5 s, in whole seconds, so a
     * stall fails after timeout (rounded up to seconds) plus up to ~6 s. */
    if (g_cfg.timeout_ms > 0) {
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)((g_cfg.timeout_ms + 999) / 1000));
    }
    if (j->total_timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)j->total_timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)g_cfg.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "cordon/0.1");
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->error);
    if (j->max_bytes != INT64_MAX)
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)j->max_bytes);
    struct curl_slist *h = NULL;
    char line[600];
    if (j->accept) {
        snprintf(line, sizeof(line), "Accept: %s", j->accept);
        h = curl_slist_append(h, line);
    }
    if (j->if_none_match && *j->if_none_match) {
        snprintf(line, sizeof(line), "If-None-Match: %s", j->if_none_match);
        h = curl_slist_append(h, line);
    }
    if (j->if_modified_since && *j->if_modified_since) {
        snprintf(line, sizeof(line), "If-Modified-Since: %s", j->if_modified_since);
        h = curl_slist_append(h, line);
    }
    if (j->method && strcmp(j->method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body ? j->body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->body_len);
        snprintf(line, sizeof(line), "Content-Type: %s", j->body_type ? j->body_type : "application/json");
        h = curl_slist_append(h, line);
        if (j->body_encoding) {
            snprintf(line, sizeof(line), "Content-Encoding: %s", j->body_encoding);
            h = curl_slist_append(h, line);
        }
        h = curl_slist_append(h, "Expect:");
    }
    j->headers = h;
    if (h)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    atomic_fetch_add(&g_started, 1);
    curl_multi_add_handle(g_multi, e);
}

static int is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* the job's next hop when its answer is a redirect it may follow: the
 * target (malloc'd, without userinfo), else NULL */
static char *redirect_target(CURL *e, const fetch_job_t *j, CURLcode code)
{
    char *loc = NULL;
    if (code != CURLE_OK || !is_redirect(j->status) || j->redirects >= j->max_redirects || j->method != NULL)
        return NULL;
    if (curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || loc == NULL)
        return NULL;
    return url_without_userinfo(loc);
}

static void release_easy(fetch_job_t *j, CURL *e)
{
    curl_multi_remove_handle(g_multi, e);
    curl_easy_cleanup(e);
    curl_slist_free_all(j->headers);
    j->headers = NULL;
    j->easy = NULL;
}

/* one warn line per upstream failure (a transfer error, or a 5xx or 429
 * answer): its origin (never userinfo), status or error, the request that
 * asked. At most 5 lines a second; the next line counts those left out. */
static void log_failure(const fetch_job_t *j)
{
    static atomic_int_fast64_t window_start;
    static atomic_int window_lines, suppressed;
    int64_t now = time_now_ms(), start = atomic_load(&window_start);
    if (now - start >= 1000 && atomic_compare_exchange_strong(&window_start, &start, now))
        atomic_store(&window_lines, 0);
    if (atomic_fetch_add(&window_lines, 1) >= 5) {
        atomic_fetch_add(&suppressed, 1);
        return;
    }
    url_origin_t o;
    char origin[300] = "", hostport[280];
    if (url_origin(j->url, &o) == 0) {
        url_origin_hostport(&o, hostport, sizeof(hostport));
        snprintf(origin, sizeof(origin), "%s://%s", o.https ? "https" : "http", hostport);
    }
    log_field_t f[8];
    size_t n = 0;
    f[n++] = (log_field_t)LOG_STR("ecosystem", j->eco >= 0 && j->eco < ECO_COUNT ? eco_name((eco_id_t)j->eco) : "none");
    f[n++] = (log_field_t)LOG_STR("origin", origin);
    if (j->failed)
        f[n++] = (log_field_t)LOG_STR("error", j->error);
    else
        f[n++] = (log_field_t)LOG_INT("status", j->status);
    f[n++] = (log_field_t)LOG_STR("request_id", j->request_id);
    int left_out = atomic_exchange(&suppressed, 0);
    if (left_out)
        f[n++] = (log_field_t)LOG_INT("suppressed_before", left_out);
    f[n] = (log_field_t)LOG_END;
    log_event(j->failed ? LOG_ERROR : LOG_WARN, j->failed ? "upstream fetch failed" : "upstream answered an error", f);
}

static void finish_job(CURL *e, CURLcode code)
{
    fetch_job_t *j = NULL;
    double seconds = 0;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&j);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &j->status);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &seconds);
    j->seconds += seconds;
    char *next = redirect_target(e, j, code);
    if (next) {
        /* the hop's answer is dropped; the next one starts from scratch */
        observe(seconds, 0);
        release_easy(j, e);
        free(j->from_url);
        j->from_url = j->url;
        j->url = next;
        j->redirects++;
        j->status = 0;
        j->etag[0] = j->last_modified[0] = j->content_type[0] = j->error[0] = '\0';
        buf_reset(&j->mem);
        start_job(j);
        return;
    }
    if (code != CURLE_OK) {
        j->failed = 1;
        j->timed_out = code == CURLE_OPERATION_TIMEDOUT;
        if (code == CURLE_FILESIZE_EXCEEDED)
            j->too_large = 1;
        if (j->error[0] == '\0')
            snprintf(j->error, sizeof(j->error), "%s", curl_easy_strerror(code));
        if (j->too_large)
            snprintf(j->error, sizeof(j->error), "upstream body exceeds the %lld-byte limit", (long long)j->max_bytes);
        atomic_fetch_add(&g_failed, 1);
    }
    observe(seconds, j->failed);
    if ((j->failed && !j->too_large) || j->status >= 500 || j->status == 429)
        log_failure(j);
    if (j->to_blob && j->blob.fd >= 0)
        blob_writer_finish(&j->blob);
    release_easy(j, e);
    j->done(j);
}

static void *fetcher_main(void *arg)
{
    while (!atomic_load(&g_stop)) {
        pthread_mutex_lock(&g_lock);
        fetch_job_t *q = g_queue_head;
        g_queue_head = g_queue_tail = NULL;
        pthread_mutex_unlock(&g_lock);
        while (q) {
            fetch_job_t *next = q->next;
            q->next = NULL;
            start_job(q);
            q = next;
        }
        int running = 0;
        curl_multi_perform(g_multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(g_multi, &left)) != NULL)
            if (m->msg == CURLMSG_DONE)
                finish_job(m->easy_handle, m->data.result);
        curl_multi_poll(g_multi, NULL, 0, 1000, NULL);
    }
    return NULL;
}

int fetcher_start(const fetcher_config_t *cfg)
{
    g_cfg = *cfg;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return -1;
    g_multi = curl_multi_init();
    if (g_multi == NULL)
        return -1;
    curl_multi_setopt(g_multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(g_multi, CURLMOPT_MAX_HOST_CONNECTIONS, 32L);
    atomic_store(&g_stop, 0);
    if (pthread_create(&g_thread, NULL, fetcher_main, NULL) != 0)
        return -1;
    g_running = 1;
    return 0;
}

void fetcher_stop(void)
{
    if (!g_running)
        return;
    atomic_store(&g_stop, 1);
    curl_multi_wakeup(g_multi);
    pthread_join(g_thread, NULL);
    g_running = 0;
    /* jobs still queued or running are dropped: the process is exiting */
    curl_multi_cleanup(g_multi);
    g_multi = NULL;
}

void fetcher_submit(fetch_job_t *job)
{
    pthread_mutex_lock(&g_lock);
    if (g_queue_tail)
        g_queue_tail->next = job;
    else
        g_queue_head = job;
    g_queue_tail = job;
    pthread_mutex_unlock(&g_lock);
    curl_multi_wakeup(g_multi);
}
