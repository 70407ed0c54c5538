/* router: request dispatch (see router.h). */
#include "http/router.h"

#include <stdatomic.h>
#include <string.h>

#include "store/store.h"
#include "common/json.h"
#include "common/pct.h"
#include "core/ecosystem.h"
#include "http/body_limits.h"
#include "http/conn_guard.h"
#include "journal/decision_log.h"
#include "policy/reason.h"
#include "http/http.h"
#include "core/runtime.h"

#define MAX_PATH_LEN 2048

static atomic_long g_active;

long router_active_requests(void) { return atomic_load(&g_active); }

static void on_request_disposed(void *p) { atomic_fetch_sub(&g_active, 1); }

/* what layers above mount on cordon's own paths (the admin API, its page,
 * metrics): registered at start, before the listener runs */
#define MAX_MOUNTS 8
typedef struct mount {
    const char *path;
    int subpaths;
    router_handle_fn fn;
} mount_t;
static mount_t g_mounts[MAX_MOUNTS];
static size_t g_nmounts;

int router_mount(const char *path, int subpaths, router_handle_fn fn)
{
    if (g_nmounts == MAX_MOUNTS)
        return -1;
    g_mounts[g_nmounts++] = (mount_t){path, subpaths, fn};
    return 0;
}

/* the mount that takes path (its rest starts at path + strlen(mount)) */
static const mount_t *mount_of(const char *path, size_t plen)
{
    for (size_t i = 0; i < g_nmounts; i++) {
        const char *m = g_mounts[i].path;
        size_t ml = strlen(m);
        if (plen < ml || memcmp(path, m, ml) != 0)
            continue;
        if (plen == ml || (g_mounts[i].subpaths && (m[ml - 1] == '/' || path[ml] == '/')))
            return &g_mounts[i];
    }
    return NULL;
}

int router_path_is_safe(const char *path, size_t len)
{
    if (len == 0 || path[0] != '/' || len > MAX_PATH_LEN)
        return -1;
    /* decode each segment and reject ".", "..", NUL and control bytes */
    size_t i = 1;
    while (i <= len) {
        char seg[8];
        size_t segdec = 0;
        while (i < len && path[i] != '/') {
            int c = pct_byte(path, len, &i);
            if (c < 0x20 || c == 0x7f)
                return -1;
            if (segdec < sizeof(seg))
                seg[segdec] = (char)c;
            segdec++;
        }
        if ((segdec == 1 && seg[0] == '.') || (segdec == 2 && seg[0] == '.' && seg[1] == '.'))
            return -1;
        i++; /* the '/' */
    }
    return 0;
}

static int is_read_verb(h2o_iovec_t m)
{
    return h2o_memis(m.base, m.len, H2O_STRLIT("GET")) || h2o_memis(m.base, m.len, H2O_STRLIT("HEAD"));
}

static void refuse_publish(h2o_req_t *req, const ecosystem_t *eco, const char *path, size_t plen)
{
    decision_t d;
    http_decision_init(req, &d, eco->name);
    DECISION_SET(&d, decision, "deny");
    DECISION_SET(&d, reason, reason_name(REASON_PUBLISH_FORBIDDEN));
    DECISION_SET(&d, rule, "publishing is never allowed through cordon");
    if (eco->package_of && plen > strlen(eco->prefix))
        eco->package_of(path + strlen(eco->prefix), plen - strlen(eco->prefix), d.package, sizeof(d.package));
    snprintf(d.detail, sizeof(d.detail), "%.*s %.*s", (int)req->method.len, req->method.base, (int)plen, path);
    decision_log_append(&d);
    http_note_decision(req, "deny:publish_forbidden");

    char msg[600];
    snprintf(msg, sizeof(msg),
             "publishing through cordon is forbidden: %.*s %.*s was refused (reason publish_forbidden). cordon is a "
             "read-only %s proxy; publish from your release pipeline directly to the registry",
             (int)req->method.len, req->method.base, (int)(plen > 200 ? 200 : plen), path, eco->name);
    buf_t b;
    buf_init(&b);
    int first = 1;
    buf_putc(&b, '{');
    json_kv_str(&b, &first, "error", msg);
    json_kv_str(&b, &first, "reason", reason_name(REASON_PUBLISH_FORBIDDEN));
    json_kv_str(&b, &first, "ecosystem", eco->name);
    json_kv_str(&b, &first, "request_id", http_request_id(req));
    buf_putc(&b, '}');
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, H2O_STRLIT("GET, HEAD"), 1);
    http_send_json(req, 405, "Method Not Allowed - publishing through cordon is forbidden", &b);
}

static void health(h2o_req_t *req)
{
    buf_t b;
    buf_init(&b);
    if (store_is_open()) {
        buf_puts(&b, "{\"status\":\"ok\"}");
        http_send_json(req, 200, NULL, &b);
    } else {
        buf_puts(&b, "{\"status\":\"unavailable\",\"error\":\"the store is not open\"}");
        http_send_json(req, 503, NULL, &b);
    }
}

/* "64 kB", "8 MB", "1000 bytes" */
static void size_text(int64_t n, char *out, size_t outlen)
{
    if (n == BODY_CHUNKED)
        snprintf(out, outlen, "of unannounced size (chunked)");
    else if (n >= (1 << 20) && n % (1 << 20) == 0)
        snprintf(out, outlen, "%lld MB", (long long)(n >> 20));
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(out, outlen, "%lld kB", (long long)(n >> 10));
    else
        snprintf(out, outlen, "%lld bytes", (long long)n);
}

/* A request body the guard refused from the head, unread (conn_guard), or
 * one over its route's limit that h2o read (HTTP/2, whose heads the guard
 * does not see). 1 when answered here; 0 when the route answers itself,
 * without the body (a publish: 405 and recorded; a lockfile without a
 * token that may submit: the API's 401/403). */
static int refuse_body(h2o_req_t *req, body_verdict_t v, int64_t length, const char *path, size_t plen)
{
    const config_t *cfg = runtime_config();
    body_route_t route = body_route(cfg, req->method.base, req->method.len, path, plen);
    int64_t limit = body_limit(route, cfg->max_body);
    if (v == BODY_ADMIT) {
        if (route == BODY_ROUTE_PUBLISH || (int64_t)req->entity.len <= limit)
            return 0;
        v = route == BODY_ROUTE_NONE ? BODY_REFUSE_NONE : BODY_REFUSE_SIZE;
        length = (int64_t)req->entity.len;
        conn_guard_count(v);
    }
    /* the unread body follows on the wire: it must not be taken for a request */
    req->http1_is_persistent = 0;
    char got[48], max[32], small[32];
    size_text(length, got, sizeof(got));
    size_text(limit, max, sizeof(max));
    size_text(body_limit(BODY_ROUTE_SMALL, cfg->max_body), small, sizeof(small));
    int ml = (int)req->method.len, pl = (int)(plen > 200 ? 200 : plen);
    switch (v) {
    case BODY_REFUSE_NONE:
        http_send_error(req, 413, "body_not_allowed",
                        "%.*s %.*s takes no request body; cordon answered without reading the body (%s)", ml,
                        req->method.base, pl, path, got);
        return 1;
    case BODY_REFUSE_SIZE:
        http_send_error(req, 413, "too_large", "the request body is %s; %.*s %.*s takes at most %s (%s)", got, ml,
                        req->method.base, pl, path, max,
                        route == BODY_ROUTE_SMALL ? "the admin API's JSON limit" : "limits.max_body");
        return 1;
    case BODY_REFUSE_LENGTH:
        http_send_error(req, 411, "length_required",
                        "%.*s %.*s takes a body of at most %s with a Content-Length, not a chunked one", ml,
                        req->method.base, pl, path, max);
        return 1;
    case BODY_REFUSE_BUSY:
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, H2O_STRLIT("5"), 1);
        http_send_error(req, 503, "busy",
                        "%d request bodies above %s are being received (limits.max_large_bodies); try again in a "
                        "few seconds",
                        cfg->max_large_bodies, small);
        return 1;
    default:
        return 0; /* BODY_REFUSE_PUBLISH, BODY_REFUSE_AUTH */
    }
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    atomic_fetch_add(&g_active, 1);
    h2o_mem_alloc_shared(&req->pool, 1, on_request_disposed);
    http_request_id(req);

    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *path = req->path.base;
    int64_t announced;
    body_verdict_t bv = conn_guard_take(req, &announced);
    if (router_path_is_safe(path, plen) != 0) {
        if (bv != BODY_ADMIT)
            req->http1_is_persistent = 0;
        http_send_error(req, 400, NULL, "malformed or unsafe request path");
        return 0;
    }
    if ((bv != BODY_ADMIT || req->entity.len > 0) && refuse_body(req, bv, announced, path, plen))
        return 0;
    if (h2o_memis(path, plen, H2O_STRLIT("/-/health"))) {
        health(req);
        return 0;
    }
    const mount_t *m = mount_of(path, plen);
    if (m != NULL) {
        size_t ml = strlen(m->path);
        m->fn(req, path + ml, plen - ml);
        return 0;
    }
    const config_t *cfg = runtime_config();
    for (int i = 0; i < ECO_COUNT; i++) {
        const ecosystem_t *eco = ecosystems[i];
        size_t pl = strlen(eco->prefix);
        int exact = plen == pl - 1 && memcmp(path, eco->prefix, pl - 1) == 0;
        if (!exact && (plen < pl || memcmp(path, eco->prefix, pl) != 0))
            continue;
        const char *rest = exact ? "" : path + pl;
        size_t rlen = exact ? 0 : plen - pl;
        if (!is_read_verb(req->method)) {
            if (eco->is_read_only_write && eco->is_read_only_write(req->method.base, req->method.len, rest, rlen) &&
                cfg->upstream[i]) {
                eco->handle(req, rest, rlen);
                return 0;
            }
            refuse_publish(req, eco, path, plen);
            return 0;
        }
        if (cfg->upstream[i] == NULL) {
            http_send_error(req, 404, NULL, "%s is not enabled on this cordon: configure upstreams.%s", eco->name,
                            eco->name);
            return 0;
        }
        eco->handle(req, rest, rlen);
        return 0;
    }
    char routes[300] = "";
    size_t n = 0;
    for (int i = 0; i < ECO_COUNT; i++)
        n += (size_t)snprintf(routes + n, n < sizeof(routes) ? sizeof(routes) - n : 0, "%s, ", ecosystems[i]->prefix);
    for (size_t i = 0; i < g_nmounts; i++)
        n += (size_t)snprintf(routes + n, n < sizeof(routes) ? sizeof(routes) - n : 0, "%s, ", g_mounts[i].path);
    http_send_error(req, 404, NULL, "no such route: cordon serves %s/-/health", routes);
    return 0;
}

void router_register(h2o_pathconf_t *pathconf)
{
    h2o_handler_t *h = h2o_create_handler(pathconf, sizeof(*h));
    h->on_req = on_req;
}
