/* body_limits: route classes of request bodies (see body_limits.h). The
 * classes follow the router's dispatch (http/router.c); the admin API's
 * are its route table's (admin/admin_api.c), asked through g_api_route. */
#include "http/body_limits.h"

#include <string.h>

#include "core/ecosystem.h"

static int is(const char *s, size_t n, const char *lit) { return n == strlen(lit) && memcmp(s, lit, n) == 0; }

static int starts(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s, lit, l) == 0;
}

static body_api_route_fn g_api_route;

void body_limits_set_api_route(body_api_route_fn fn) { g_api_route = fn; }

body_route_t body_route(const config_t *cfg, const char *method, size_t mlen, const char *path, size_t plen)
{
    const char *q = memchr(path, '?', plen);
    if (q)
        plen = (size_t)(q - path);
    int read = is(method, mlen, "GET") || is(method, mlen, "HEAD");
    if (starts(path, plen, "/-/api/")) {
        if (read)
            return BODY_ROUTE_NONE;
        return g_api_route ? g_api_route(method, mlen, path + 7, plen - 7) : BODY_ROUTE_SMALL;
    }
    if (is(path, plen, "/-/mcp"))
        return read ? BODY_ROUTE_NONE : BODY_ROUTE_MCP;
    for (int i = 0; i < ECO_COUNT; i++) {
        const ecosystem_t *eco = ecosystems[i];
        if (eco == NULL)
            continue;
        size_t pl = strlen(eco->prefix);
        int exact = plen == pl - 1 && memcmp(path, eco->prefix, pl - 1) == 0;
        if (!exact && !starts(path, plen, eco->prefix))
            continue;
        if (read)
            return BODY_ROUTE_NONE;
        if (eco->is_read_only_write && cfg->upstream[i] &&
            eco->is_read_only_write(method, mlen, exact ? "" : path + pl, exact ? 0 : plen - pl))
            return BODY_ROUTE_RELAY;
        return BODY_ROUTE_PUBLISH;
    }
    return BODY_ROUTE_NONE; /* health, metrics, the admin page, anything else */
}

int64_t body_limit(body_route_t route, int64_t max_body)
{
    int64_t small = max_body < BODY_SMALL_MAX ? max_body : BODY_SMALL_MAX;
    switch (route) {
    case BODY_ROUTE_SMALL: return small;
    case BODY_ROUTE_LOCKFILE:
    case BODY_ROUTE_RELAY: return max_body;
    case BODY_ROUTE_MCP: return max_body < BODY_MCP_MAX ? max_body : BODY_MCP_MAX;
    case BODY_ROUTE_NONE:
    case BODY_ROUTE_PUBLISH: return 0;
    }
    return 0;
}

body_verdict_t body_judge(body_route_t route, int64_t length, int64_t max_body)
{
    if (length == 0)
        return BODY_ADMIT;
    if (route == BODY_ROUTE_PUBLISH)
        return BODY_REFUSE_PUBLISH;
    if (route == BODY_ROUTE_NONE)
        return BODY_REFUSE_NONE;
    int64_t limit = body_limit(route, max_body), small = body_limit(BODY_ROUTE_SMALL, max_body);
    if (length == BODY_CHUNKED)
        return route == BODY_ROUTE_SMALL ? BODY_REFUSE_LENGTH : BODY_ADMIT_LARGE;
    if (length > limit)
        return BODY_REFUSE_SIZE;
    return length > small ? BODY_ADMIT_LARGE : BODY_ADMIT;
}

const char *body_verdict_name(body_verdict_t v)
{
    switch (v) {
    case BODY_ADMIT: return "admit";
    case BODY_ADMIT_LARGE: return "admit_large";
    case BODY_REFUSE_NONE: return "no_body";
    case BODY_REFUSE_PUBLISH: return "publish";
    case BODY_REFUSE_SIZE: return "too_large";
    case BODY_REFUSE_LENGTH: return "length_required";
    case BODY_REFUSE_AUTH: return "unauthenticated";
    case BODY_REFUSE_BUSY: return "busy";
    case BODY_VERDICT_COUNT: break;
    }
    return "other";
}
