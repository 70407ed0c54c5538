/* admin_page: serving the embedded page (see admin_page.h). */
#include "admin/admin_page.h"

#include <string.h>

#include "http/http.h"

#define CSP                                                                                                          \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "           \
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && !strcmp(dot, ".html"))
        return "text/html; charset=utf-8";
    if (dot && !strcmp(dot, ".css"))
        return "text/css; charset=utf-8";
    if (dot && !strcmp(dot, ".js"))
        return "text/javascript; charset=utf-8";
    if (dot && !strcmp(dot, ".svg"))
        return "image/svg+xml";
    if (dot && !strcmp(dot, ".png"))
        return "image/png";
    return "application/octet-stream";
}

void admin_page_handle(h2o_req_t *req, const char *path, size_t plen)
{
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, H2O_STRLIT("GET, HEAD"), 1);
        http_send_error(req, 405, "method_not_allowed", "the admin page is read-only; the API is under /-/api/");
        return;
    }
    if (plen == 0) { /* "/-/admin": relative asset links need the slash */
        http_request_id(req);
        h2o_send_redirect(req, 301, "Moved Permanently", H2O_STRLIT("/-/admin/"));
        return;
    }
    const char *name = plen == 1 ? "index.html" : path + 1;
    size_t nlen = plen == 1 ? strlen("index.html") : plen - 1;
    const admin_asset_t *a = admin_assets;
    while (a->name && !(strlen(a->name) == nlen && memcmp(a->name, name, nlen) == 0))
        a++;
    if (a->name == NULL) {
        http_send_error(req, 404, "not_found", "no such file in the admin page");
        return;
    }
    http_request_id(req);
    req->res.status = 200;
    req->res.reason = "OK";
    const char *type = content_type(a->name);
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, type, strlen(type), 1);
    static const struct {
        const char *name, *value;
    } security[] = {{"content-security-policy", CSP},
                    {"x-content-type-options", "nosniff"},
                    {"x-frame-options", "DENY"},
                    {"referrer-policy", "no-referrer"}};
    for (size_t i = 0; i < sizeof(security) / sizeof(security[0]); i++)
        h2o_set_header_by_str(&req->pool, &req->res.headers, security[i].name, strlen(security[i].name), 0,
                              security[i].value, strlen(security[i].value), 1);
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-cache"), 1);
    h2o_send_inline(req, (const char *)a->data, a->len);
}
