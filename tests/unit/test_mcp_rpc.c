/* unit tests: admin/mcp_rpc (one JSON-RPC 2.0 message read, its answer
 * written) and admin/mcp_session (the bounded session table). */
#include <stdlib.h>
#include <string.h>

#include "admin/mcp_rpc.h"
#include "admin/mcp_session.h"
#include "tests/unit/test.h"

static int parse(const char *s, rpc_msg_t *m)
{
    char err[300];
    int rc = rpc_parse(s, strlen(s), m, err, sizeof(err));
    if (rc != 0)
        CHECK(err[0] != '\0'); /* a refusal says why */
    return rc;
}

TEST(requests_notifications_responses)
{
    rpc_msg_t m;
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}", &m), 0);
    CHECK_INT_EQ(m.kind, RPC_REQUEST);
    CHECK_STR_EQ(m.id, "7");
    CHECK_STR_EQ(m.method, "tools/list");
    CHECK(m.params == NULL);
    rpc_msg_free(&m);
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\",\"method\":\"x\",\"params\":{\"k\":1}}", &m), 0);
    CHECK_STR_EQ(m.id, "\"a\\\"b\""); /* written back as JSON, escaped */
    CHECK(m.params != NULL);
    rpc_msg_free(&m);
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":1.5e3,\"method\":\"x\",\"params\":null}", &m), 0);
    CHECK_STR_EQ(m.id, "1.5e3");
    CHECK(m.params == NULL);
    rpc_msg_free(&m);
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &m), 0);
    CHECK_INT_EQ(m.kind, RPC_NOTIFICATION);
    rpc_msg_free(&m);
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}", &m), 0);
    CHECK_INT_EQ(m.kind, RPC_RESPONSE);
    rpc_msg_free(&m);
}

TEST(refusals)
{
    rpc_msg_t m;
    CHECK_INT_EQ(parse("", &m), RPC_INVALID_REQUEST);
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",", &m), RPC_PARSE_ERROR);
    CHECK_INT_EQ(parse("not json", &m), RPC_PARSE_ERROR);
    /* batches left MCP in 2025-06-18 */
    CHECK_INT_EQ(parse("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", &m), RPC_INVALID_REQUEST);
    CHECK_INT_EQ(parse("\"ping\"", &m), RPC_INVALID_REQUEST);
    CHECK_INT_EQ(parse("{\"id\":1,\"method\":\"ping\"}", &m), RPC_INVALID_REQUEST);
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", &m), RPC_INVALID_REQUEST);
    CHECK_INT_EQ(parse("{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}", &m), RPC_INVALID_REQUEST);
    /* MCP: an id is never null, and is a string or a number */
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", &m), RPC_INVALID_REQUEST);
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", &m), RPC_INVALID_REQUEST);
    CHECK_STR_EQ(m.id, "");
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", &m), RPC_INVALID_REQUEST);
    CHECK_STR_EQ(m.id, "1"); /* known: the error names it */
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", &m), RPC_INVALID_REQUEST);
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":1}", &m), RPC_INVALID_REQUEST);
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":[1]}", &m), RPC_INVALID_REQUEST);
    char longid[200];
    memset(longid, 'x', sizeof(longid));
    longid[sizeof(longid) - 1] = '\0';
    char body[400];
    snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"method\":\"x\"}", longid);
    CHECK_INT_EQ(parse(body, &m), RPC_INVALID_REQUEST);
    /* a NUL inside the body */
    char err[200];
    CHECK_INT_EQ(rpc_parse("{\"a\":1}\0x", 9, &m, err, sizeof(err)), RPC_PARSE_ERROR);
}

TEST(nesting_is_bounded)
{
    rpc_msg_t m;
    size_t depth = 100000;
    char *s = malloc(2 * depth + 100);
    size_t n = (size_t)sprintf(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"a\":");
    for (size_t i = 0; i < depth; i++)
        s[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        s[n++] = ']';
    strcpy(s + n, "}}");
    CHECK_INT_EQ(parse(s, &m), RPC_INVALID_REQUEST);
    /* within the bound, and brackets inside strings do not count */
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                       "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"\",\"b\":[[[[1]]]]}}",
                       &m),
                 0);
    rpc_msg_free(&m);
    free(s);
}

TEST(answers)
{
    buf_t b;
    buf_init(&b);
    rpc_error(&b, "", RPC_PARSE_ERROR, "bad \"json\"");
    CHECK_STR_EQ(buf_cstr(&b), "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"bad \\\"json\\\"\"}}");
    buf_reset(&b);
    rpc_result_open(&b, "\"x\"");
    buf_puts(&b, "{}");
    rpc_result_close(&b);
    CHECK_STR_EQ(buf_cstr(&b), "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}}");
    buf_free(&b);
    rpc_msg_t m;
    CHECK_INT_EQ(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"s\":\"v\",\"n\":2,\"z\":null}}", &m), 0);
    int ok;
    CHECK_STR_EQ(rpc_param_str(m.params, "s", &ok), "v");
    CHECK(ok);
    CHECK(rpc_param_str(m.params, "n", &ok) == NULL);
    CHECK(!ok);
    CHECK(rpc_param_str(m.params, "z", &ok) == NULL);
    CHECK(ok);
    CHECK(rpc_param_str(m.params, "absent", &ok) == NULL);
    CHECK(ok);
    CHECK(rpc_param_str(NULL, "s", &ok) == NULL);
    rpc_msg_free(&m);
}

TEST(sessions)
{
    mcp_session_reset();
    char a[MCP_SESSION_ID_LEN + 1], b[MCP_SESSION_ID_LEN + 1], proto[16];
    int64_t t = 1000000;
    CHECK_INT_EQ(mcp_session_new("agent", "2025-06-18", t, a), 0);
    CHECK_INT_EQ(strlen(a), MCP_SESSION_ID_LEN);
    CHECK_INT_EQ(mcp_session_new("agent", "2025-11-25", t, b), 0);
    CHECK(strcmp(a, b) != 0);
    CHECK(mcp_session_touch(a, strlen(a), t + 1, proto));
    CHECK_STR_EQ(proto, "2025-06-18");
    CHECK(!mcp_session_touch(a, strlen(a) - 1, t + 1, NULL)); /* a prefix is not the id */
    CHECK(!mcp_session_touch("0123456789abcdef0123456789abcdef", 32, t + 1, NULL));
    CHECK_INT_EQ(mcp_session_count(t + 1), 2);
    CHECK(mcp_session_end(a, strlen(a)));
    CHECK(!mcp_session_end(a, strlen(a)));
    CHECK(!mcp_session_touch(a, strlen(a), t + 2, NULL));
    /* idle too long: gone; touched: kept */
    CHECK(mcp_session_touch(b, strlen(b), t + MCP_SESSION_IDLE_MS - 1, NULL));
    CHECK(mcp_session_touch(b, strlen(b), t + 2 * MCP_SESSION_IDLE_MS - 2, NULL));
    CHECK(!mcp_session_touch(b, strlen(b), t + 3 * MCP_SESSION_IDLE_MS, NULL));
    /* a full table drops the idlest session, never the newest */
    mcp_session_reset();
    char first[MCP_SESSION_ID_LEN + 1], id[MCP_SESSION_ID_LEN + 1];
    CHECK_INT_EQ(mcp_session_new("", "2025-06-18", t, first), 0);
    for (int i = 1; i < MCP_SESSIONS_MAX; i++)
        CHECK_INT_EQ(mcp_session_new("", "2025-06-18", t + i, id), 0);
    CHECK_INT_EQ(mcp_session_count(t + MCP_SESSIONS_MAX), MCP_SESSIONS_MAX);
    CHECK(mcp_session_touch(first, strlen(first), t + MCP_SESSIONS_MAX, NULL));
    CHECK_INT_EQ(mcp_session_new("", "2025-06-18", t + MCP_SESSIONS_MAX + 1, id), 0);
    CHECK(mcp_session_touch(id, strlen(id), t + MCP_SESSIONS_MAX + 1, NULL));
    CHECK(mcp_session_touch(first, strlen(first), t + MCP_SESSIONS_MAX + 1, NULL)); /* it was used lately */
    CHECK_INT_EQ(mcp_session_count(t + MCP_SESSIONS_MAX + 1), MCP_SESSIONS_MAX);
    mcp_session_reset();
}

int main(void)
{
    RUN(requests_notifications_responses);
    RUN(refusals);
    RUN(nesting_is_bounded);
    RUN(answers);
    RUN(sessions);
    return test_report();
}
