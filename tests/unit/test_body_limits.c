/* unit tests: http/body_limits (the class of body each route takes, and
 * the verdict on a body from its head alone) and http_media_type_is (the
 * review route's Content-Type check). */
#include <string.h>

#include "admin/admin_api.h"
#include "ecosystems/eco_ids.h"
#include "http/body_limits.h"
#include "core/config.h"
#include "http/http.h"
#include "tests/unit/test.h"

#define MB (1LL << 20)

static config_t g_cfg;

static body_route_t route(const char *method, const char *path)
{
    return body_route(&g_cfg, method, strlen(method), path, strlen(path));
}

TEST(routes)
{
    /* no body: every read, cordon's own pages, anything unknown */
    CHECK_INT_EQ(route("GET", "/npm/left-pad"), BODY_ROUTE_NONE);
    CHECK_INT_EQ(route("HEAD", "/maven/a/b/1/b-1.jar"), BODY_ROUTE_NONE);
    CHECK_INT_EQ(route("GET", "/-/api/held"), BODY_ROUTE_NONE);
    CHECK_INT_EQ(route("POST", "/-/health"), BODY_ROUTE_NONE);
    CHECK_INT_EQ(route("POST", "/-/metrics"), BODY_ROUTE_NONE);
    CHECK_INT_EQ(route("POST", "/-/admin/"), BODY_ROUTE_NONE);
    CHECK_INT_EQ(route("PUT", "/elsewhere"), BODY_ROUTE_NONE);
    /* publishes */
    CHECK_INT_EQ(route("PUT", "/npm/left-pad"), BODY_ROUTE_PUBLISH);
    CHECK_INT_EQ(route("POST", "/pypi/"), BODY_ROUTE_PUBLISH);
    CHECK_INT_EQ(route("PUT", "/maven/a/b/1/b-1.jar"), BODY_ROUTE_PUBLISH);
    CHECK_INT_EQ(route("DELETE", "/npm/-/package/x/dist-tags/latest"), BODY_ROUTE_PUBLISH);
    CHECK_INT_EQ(route("PUT", "/npm"), BODY_ROUTE_PUBLISH);
    /* npm audit: relayed while npm has an upstream, a publish otherwise */
    CHECK_INT_EQ(route("POST", "/npm/-/npm/v1/security/advisories/bulk"), BODY_ROUTE_RELAY);
    CHECK_INT_EQ(route("POST", "/npm/-/npm/v1/security/audits/quick?x=1"), BODY_ROUTE_RELAY);
    CHECK_INT_EQ(route("PUT", "/npm/-/npm/v1/security/audits/quick"), BODY_ROUTE_PUBLISH);
    char *npm = g_cfg.upstream[ECO_NPM];
    g_cfg.upstream[ECO_NPM] = NULL;
    CHECK_INT_EQ(route("POST", "/npm/-/npm/v1/security/advisories/bulk"), BODY_ROUTE_PUBLISH);
    g_cfg.upstream[ECO_NPM] = npm;
    /* the admin API: small, but lockfile submissions */
    CHECK_INT_EQ(route("POST", "/-/api/reviews"), BODY_ROUTE_SMALL);
    CHECK_INT_EQ(route("POST", "/-/api/approvals"), BODY_ROUTE_SMALL);
    CHECK_INT_EQ(route("DELETE", "/-/api/blocks/3"), BODY_ROUTE_SMALL);
    CHECK_INT_EQ(route("POST", "/-/api/lockfiles/web"), BODY_ROUTE_LOCKFILE);
    CHECK_INT_EQ(route("POST", "/-/api/lockfiles/org/web?ref=abc"), BODY_ROUTE_LOCKFILE);
    CHECK_INT_EQ(route("POST", "/-/api/lockfiles/web/12/approve"), BODY_ROUTE_SMALL);
    CHECK_INT_EQ(route("POST", "/-/api/lockfiles/web/12"), BODY_ROUTE_SMALL);
    CHECK_INT_EQ(route("POST", "/-/api/lockfiles/"), BODY_ROUTE_SMALL);
    CHECK_INT_EQ(route("POST", "/-/api/lockfiles"), BODY_ROUTE_SMALL);
    /* the MCP endpoint: its own class; GET takes none */
    CHECK_INT_EQ(route("POST", "/-/mcp"), BODY_ROUTE_MCP);
    CHECK_INT_EQ(route("POST", "/-/mcp?x=1"), BODY_ROUTE_MCP);
    CHECK_INT_EQ(route("GET", "/-/mcp"), BODY_ROUTE_NONE);
    CHECK_INT_EQ(route("POST", "/-/mcpx"), BODY_ROUTE_NONE);
}

TEST(limits_and_verdicts)
{
    int64_t max = 64 * MB;
    CHECK_INT_EQ(body_limit(BODY_ROUTE_NONE, max), 0);
    CHECK_INT_EQ(body_limit(BODY_ROUTE_SMALL, max), BODY_SMALL_MAX);
    CHECK_INT_EQ(body_limit(BODY_ROUTE_SMALL, 4096), 4096); /* never above max_body */
    CHECK_INT_EQ(body_limit(BODY_ROUTE_LOCKFILE, max), max);
    CHECK_INT_EQ(body_limit(BODY_ROUTE_RELAY, max), max);
    CHECK_INT_EQ(body_limit(BODY_ROUTE_MCP, max), BODY_MCP_MAX);
    CHECK_INT_EQ(body_limit(BODY_ROUTE_MCP, MB), MB);

    /* no body is always fine */
    for (int r = BODY_ROUTE_NONE; r <= BODY_ROUTE_MCP; r++)
        CHECK_INT_EQ(body_judge((body_route_t)r, 0, max), BODY_ADMIT);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_NONE, 1, max), BODY_REFUSE_NONE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_NONE, BODY_CHUNKED, max), BODY_REFUSE_NONE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_PUBLISH, 5 * MB, max), BODY_REFUSE_PUBLISH);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_SMALL, BODY_SMALL_MAX, max), BODY_ADMIT);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_SMALL, BODY_SMALL_MAX + 1, max), BODY_REFUSE_SIZE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_SMALL, BODY_CHUNKED, max), BODY_REFUSE_LENGTH);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_LOCKFILE, 1000, max), BODY_ADMIT);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_LOCKFILE, BODY_SMALL_MAX + 1, max), BODY_ADMIT_LARGE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_LOCKFILE, max, max), BODY_ADMIT_LARGE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_LOCKFILE, max + 1, max), BODY_REFUSE_SIZE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_RELAY, BODY_CHUNKED, max), BODY_ADMIT_LARGE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_RELAY, 10 * MB, 8 * MB), BODY_REFUSE_SIZE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_MCP, BODY_MCP_MAX, max), BODY_ADMIT_LARGE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_MCP, BODY_MCP_MAX + 1, max), BODY_REFUSE_SIZE);
    CHECK_INT_EQ(body_judge(BODY_ROUTE_MCP, 1000, max), BODY_ADMIT);
    CHECK_STR_EQ(body_verdict_name(BODY_REFUSE_BUSY), "busy");
    CHECK_STR_EQ(body_verdict_name(BODY_REFUSE_NONE), "no_body");
}

static int json(const char *v) { return http_media_type_is(v, strlen(v), "application/json"); }

TEST(media_type)
{
    CHECK(json("application/json"));
    CHECK(json("Application/JSON"));
    CHECK(json("application/json; charset=utf-8"));
    CHECK(json("  application/json ;charset=utf-8"));
    CHECK(json("application/json;"));
    CHECK(!json(""));
    CHECK(!json("text/plain"));
    CHECK(!json("application/jsonp"));
    CHECK(!json("application/json-seq"));
    CHECK(!json("application/x-www-form-urlencoded"));
    CHECK(!json("multipart/form-data; boundary=application/json"));
    CHECK(!json("text/plain; a=application/json"));
    CHECK(!json("application/json x"));
    CHECK(!http_media_type_is(NULL, 0, "application/json"));
}

int main(void)
{
    config_defaults(&g_cfg);
    config_set_str(&g_cfg.upstream[ECO_NPM], "http://127.0.0.1:1");
    body_limits_set_api_route(admin_api_body_route); /* as cordon serve does */
    RUN(routes);
    RUN(limits_and_verdicts);
    RUN(media_type);
    config_free(&g_cfg);
    return test_report();
}
