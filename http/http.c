/* http: response helpers and per-request bookkeeping. Per-request values
 * (request id, noted decision) live in h2o's request env so that the access
 * logger, which only sees the h2o_req_t, can read them. */
#include "http/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/json.h"
#include "common/timeutil.h"
#include "http/loop.h"
#include "journal/served_held.h"

#define ENV_RID "cordon.rid"
#define ENV_DECISION "cordon.decision"

static h2o_iovec_t *env(h2o_req_t *req, const char *name, int create)
{
    return h2o_req_getenv(req, name, strlen(name), create);
}

const char *http_request_id(h2o_req_t *req)
{
    h2o_iovec_t *v = env(req, ENV_RID, 0);
    if (v != NULL)
        return v->base;
    cordon_loop_t *loop = loop_of(req);
    /* start-up time, thread index and a per-thread counter: unique without coordination */
    int64_t boot = loop->started_ms;
    char *id = h2o_mem_alloc_pool(&req->pool, 40);
    int n = snprintf(id, 40, "%08" PRIx64 "-%02x-%08" PRIx64, (uint64_t)(boot / 1000) & 0xffffffff, loop->index & 0xff,
                     ++loop->next_request);
    v = env(req, ENV_RID, 1);
    *v = h2o_iovec_init(id, (size_t)n);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, id, (size_t)n);
    return id;
}

void http_client_addr(h2o_req_t *req, char *out, size_t outlen)
{
    struct sockaddr_storage ss;
    socklen_t len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    out[0] = '\0';
    if (len == 0)
        return;
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)outlen);
    else if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)outlen);
}

h2o_iovec_t http_header(h2o_req_t *req, const h2o_token_t *token)
{
    ssize_t i = h2o_find_header(&req->headers, token, -1);
    if (i < 0)
        return h2o_iovec_init(NULL, 0);
    return req->headers.entries[i].value;
}

int http_media_type_is(const char *value, size_t len, const char *type)
{
    if (value == NULL)
        return 0;
    size_t i = 0, end;
    while (i < len && (value[i] == ' ' || value[i] == '\t'))
        i++;
    end = i;
    while (end < len && value[end] != ';' && value[end] != ' ' && value[end] != '\t')
        end++;
    size_t tlen = strlen(type);
    if (end - i != tlen || strncasecmp(value + i, type, tlen) != 0)
        return 0;
    while (end < len && (value[end] == ' ' || value[end] == '\t'))
        end++;
    return end == len || value[end] == ';';
}

void http_user_agent(h2o_req_t *req, char *out, size_t outlen)
{
    h2o_iovec_t v = http_header(req, H2O_TOKEN_USER_AGENT);
    size_t n = v.len < outlen - 1 ? v.len : outlen - 1;
    memcpy(out, v.base ? v.base : "", n);
    out[n] = '\0';
}

void http_note_decision(h2o_req_t *req, const char *decision)
{
    h2o_iovec_t *v = env(req, ENV_DECISION, 1);
    *v = h2o_iovec_init(decision, strlen(decision));
}

const char *http_noted_decision(h2o_req_t *req)
{
    h2o_iovec_t *v = env(req, ENV_DECISION, 0);
    return v ? v->base : NULL;
}

void http_decision_init(h2o_req_t *req, decision_t *d, const char *eco)
{
    memset(d, 0, sizeof(*d));
    d->time_ms = time_now_ms();
    http_client_addr(req, d->client, sizeof(d->client));
    http_user_agent(req, d->user_agent, sizeof(d->user_agent));
    DECISION_SET(d, ecosystem, eco);
    DECISION_SET(d, request_id, http_request_id(req));
    d->published_at = d->since = TIME_NONE;
}

const char *http_status_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
    }
}

void http_send_json(h2o_req_t *req, int status, const char *reason_phrase, buf_t *body)
{
    http_request_id(req);
    buf_putc(body, '\n');
    char *copy = h2o_mem_alloc_pool(&req->pool, body->len ? body->len : 1);
    memcpy(copy, body->data, body->len);
    size_t len = body->len;
    buf_free(body);
    req->res.status = status;
    req->res.reason = reason_phrase ? h2o_strdup(&req->pool, reason_phrase, SIZE_MAX).base : http_status_phrase(status);
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("application/json"), 1);
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-store"), 1);
    /* h2o 2.2 closes an HTTP/1.1 connection after an answer of unknown length */
    req->res.content_length = len;
    h2o_send_inline(req, copy, len);
}

/* {"error", "reason"?, "ecosystem"?, "package"?, "version"?, "request_id"} */
static void send_error_object(h2o_req_t *req, int status, const char *msg, const char *reason, const char *eco,
                              const char *package, const char *version)
{
    buf_t b;
    buf_init(&b);
    int first = 1;
    buf_putc(&b, '{');
    json_kv_str(&b, &first, "error", msg);
    if (reason && *reason)
        json_kv_str(&b, &first, "reason", reason);
    if (eco) {
        json_kv_str(&b, &first, "ecosystem", eco);
        json_kv_str(&b, &first, "package", package);
        json_kv_str(&b, &first, "version", version);
    }
    json_kv_str(&b, &first, "request_id", http_request_id(req));
    buf_putc(&b, '}');
    http_send_json(req, status, NULL, &b);
}

void http_send_error(h2o_req_t *req, int status, const char *reason, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    send_error_object(req, status, msg, reason, NULL, NULL, NULL);
}

void http_send_refusal(h2o_req_t *req, int status, const char *eco, const char *package, const char *version,
                       const char *reason, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    send_error_object(req, status, msg, reason, eco, package, version);
}

int http_not_modified(h2o_req_t *req, const char *etag)
{
    h2o_iovec_t inm = http_header(req, H2O_TOKEN_IF_NONE_MATCH);
    if (inm.base == NULL || etag == NULL)
        return 0;
    size_t elen = strlen(etag);
    /* a list of tags, possibly weak: match any */
    for (size_t i = 0; i + elen <= inm.len; i++) {
        if (memcmp(inm.base + i, etag, elen) == 0) {
            req->res.status = 304;
            req->res.reason = "Not Modified";
            h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, etag, elen, 1);
            h2o_send_inline(req, "", 0);
            return 1;
        }
    }
    return 0;
}

void http_send_file(h2o_req_t *req, const char *path, const char *content_type, const char *etag)
{
    http_request_id(req);
    if (etag)
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, h2o_strdup(&req->pool, etag, SIZE_MAX).base,
                       strlen(etag), 1);
    if (h2o_file_send(req, 200, "OK", path, h2o_iovec_init(content_type, strlen(content_type)), H2O_FILE_FLAG_NO_ETAG) !=
        0)
        http_send_error(req, 503, NULL, "cordon cannot read its cached copy (%s)", path);
}

void http_send_document(h2o_req_t *req, const char *path, const char *content_type, const char *etag)
{
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_VARY, NULL, H2O_STRLIT("Accept-Encoding"));
    char gzpath[4300], gzetag[64];
    struct stat st;
    size_t el = etag ? strlen(etag) : 0;
    if ((h2o_get_compressible_types(&req->headers) & H2O_COMPRESSIBLE_GZIP) && el >= 2 && el < sizeof(gzetag) - 3 &&
        etag[el - 1] == '"' && (size_t)snprintf(gzpath, sizeof(gzpath), "%s.gz", path) < sizeof(gzpath) &&
        stat(gzpath, &st) == 0) {
        /* another representation, another tag: "<hash>-gz" */
        snprintf(gzetag, sizeof(gzetag), "%.*s-gz\"", (int)(el - 1), etag);
        if (http_not_modified(req, gzetag))
            return;
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_ENCODING, NULL, H2O_STRLIT("gzip"));
        http_send_file(req, gzpath, content_type, gzetag);
        return;
    }
    if (http_not_modified(req, etag))
        return;
    http_send_file(req, path, content_type, etag);
}

/* the last segment of the request path when it is a plain file name */
static int artifact_file_name(h2o_req_t *req, h2o_iovec_t *out)
{
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *p = req->path.base, *end = p + plen, *start = end;
    while (start > p && start[-1] != '/')
        start--;
    if (start == end || end - start > 255)
        return -1;
    for (const char *c = start; c < end; c++)
        if (!isalnum((unsigned char)*c) && !strchr("._+~-", *c))
            return -1;
    *out = h2o_iovec_init(start, (size_t)(end - start));
    return 0;
}

void http_send_artifact(h2o_req_t *req, const char *path, const char *content_type, const char *etag)
{
    h2o_iovec_t name;
    if (artifact_file_name(req, &name) == 0) {
        h2o_iovec_t v = h2o_concat(&req->pool, h2o_iovec_init(H2O_STRLIT("attachment; filename=\"")), name,
                                   h2o_iovec_init(H2O_STRLIT("\"")));
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_DISPOSITION, v.base, v.len, 1);
    } else {
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_DISPOSITION, H2O_STRLIT("attachment"), 1);
    }
    http_send_file(req, path, content_type, etag);
}

static void on_setup_security_headers(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    static const h2o_iovec_t nosniff = {H2O_STRLIT("x-content-type-options")};
    static const h2o_iovec_t csp = {H2O_STRLIT("content-security-policy")};
    if (h2o_find_header_by_str(&req->res.headers, nosniff.base, nosniff.len, -1) < 0)
        h2o_add_header_by_str(&req->pool, &req->res.headers, nosniff.base, nosniff.len, 0, NULL,
                              H2O_STRLIT("nosniff"));
    if (h2o_find_header_by_str(&req->res.headers, csp.base, csp.len, -1) < 0)
        h2o_add_header_by_str(&req->pool, &req->res.headers, csp.base, csp.len, 0, NULL,
                              H2O_STRLIT(HTTP_SANDBOX_CSP));
    h2o_setup_next_ostream(req, slot);
}

void http_register_security_headers(h2o_pathconf_t *pathconf)
{
    h2o_filter_t *f = h2o_create_filter(pathconf, sizeof(*f));
    f->on_setup_ostream = on_setup_security_headers;
}

static void record(h2o_req_t *req, decision_t *d, const char *package, const char *version, const char *decision,
                   const char *reason, const char *rule, const char *detail)
{
    DECISION_SET(d, package, package);
    DECISION_SET(d, version, version);
    DECISION_SET(d, decision, decision);
    DECISION_SET(d, reason, reason);
    DECISION_SET(d, rule, rule);
    DECISION_SET(d, detail, detail);
    decision_log_append(d);
    char note[64];
    snprintf(note, sizeof(note), "%s%s%s", decision, reason && *reason ? ":" : "", reason ? reason : "");
    http_note_decision(req, h2o_strdup(&req->pool, note, SIZE_MAX).base);
}

void http_record_decision(h2o_req_t *req, const char *eco, const char *package, const char *version,
                          const char *decision, const char *reason, const char *rule, const char *detail)
{
    decision_t d;
    http_decision_init(req, &d, eco);
    record(req, &d, package, version, decision, reason, rule, detail);
}

void http_record_denial(h2o_req_t *req, const char *eco, const char *package, const char *version,
                        const verdict_t *vd, const char *alternative, const char *detail)
{
    decision_t d;
    http_decision_init(req, &d, eco);
    d.published_at = vd->published_at;
    d.since = vd->since;
    DECISION_SET(&d, alternative, alternative ? alternative : "");
    record(req, &d, package, version, "deny", reason_name(vd->reason), vd->rule, detail);
}

void http_note_held_served(h2o_req_t *req, const char *eco, const char *package, const char *note)
{
    if (note == NULL || *note == '\0')
        return;
    char client[64], ua[200];
    http_client_addr(req, client, sizeof(client));
    http_user_agent(req, ua, sizeof(ua));
    served_held_count(eco, package, note, client, ua, time_now_ms());
}

void http_metadata_headers(h2o_req_t *req, int stale)
{
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_VARY, NULL, H2O_STRLIT("Accept"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("max-age=0, must-revalidate"));
    if (stale) {
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-cordon-stale"), 0, NULL, H2O_STRLIT("1"));
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("warning"), 0, NULL,
                              H2O_STRLIT("110 cordon \"Response is Stale: upstream unavailable\""));
    }
    http_note_decision(req, "metadata");
}
