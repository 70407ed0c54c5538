/* mcp: the streamable HTTP transport of MCP on cordon's listener (see
 * mcp.h). One POST carries one JSON-RPC message: a request is answered
 * with one JSON object (never an event stream: cordon has nothing to send
 * unasked), a notification or a client's response with 202 and no body.
 *
 * What is checked, in order, before a message is read: the Origin (a page
 * a browser loaded from elsewhere, e.g. through DNS rebinding, must not
 * reach the tools), the media types (Content-Type JSON; Accept naming
 * JSON), the protocol revision a later request names (MCP-Protocol-Version)
 * and its session (Mcp-Session-Id: 400 without one, 404 for one cordon does
 * not know, so the client initializes again). initialize, ping and
 * tools/list are answered on the event loop; tools/call runs on the
 * worker pool (a verdict may wait for upstream) and is answered through
 * loop_reply. */
#include "admin/mcp.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "admin/mcp_rpc.h"
#include "admin/mcp_session.h"
#include "admin/mcp_tools.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "common/workpool.h"
#include "common/xalloc.h"
#include "core/runtime.h"
#include "http/http.h"
#include "http/loop.h"
#include "journal/decision_log.h"

/* the revisions cordon speaks, newest first: an initialize asking for
 * another one is answered with the first (the client then decides) */
static const char *const PROTOCOLS[] = {"2025-11-25", "2025-06-18"};
#define NPROTOCOLS (sizeof(PROTOCOLS) / sizeof(PROTOCOLS[0]))

static const char *g_version = "0";
static atomic_int g_calls; /* tool calls running or queued */
static workpool_class_t g_mcp_work = {"mcp tool call", -1, 0};

void mcp_set_server_version(const char *version) { g_version = version; }

static const char *known_protocol(const char *v, size_t n)
{
    for (size_t i = 0; i < NPROTOCOLS; i++)
        if (strlen(PROTOCOLS[i]) == n && memcmp(PROTOCOLS[i], v, n) == 0)
            return PROTOCOLS[i];
    return NULL;
}

static h2o_iovec_t header(h2o_req_t *req, const char *name)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, strlen(name), -1);
    return i < 0 ? h2o_iovec_init(NULL, 0) : req->headers.entries[i].value;
}

static void send_rpc(h2o_req_t *req, int status, buf_t *b)
{
    if (b->oom) {
        buf_free(b);
        http_send_error(req, 500, NULL, "out of memory");
        return;
    }
    http_send_json(req, status, NULL, b); /* takes b */
}

static void send_rpc_error(h2o_req_t *req, int status, const char *id, int code, const char *msg)
{
    buf_t b;
    buf_init(&b);
    rpc_error(&b, id, code, msg);
    send_rpc(req, status, &b);
}

static void send_accepted(h2o_req_t *req)
{
    http_request_id(req);
    req->res.status = 202;
    req->res.reason = "Accepted";
    req->res.content_length = 0;
    h2o_send_inline(req, "", 0);
}

/* 1 when the request's Origin, if it has one, is public_url's */
static int origin_allowed(h2o_req_t *req)
{
    h2o_iovec_t o = header(req, "origin");
    if (o.base == NULL)
        return 1; /* not a browser: agents' HTTP clients send none */
    const char *pub = runtime_config()->public_url;
    const char *host = strstr(pub, "://");
    size_t n = strlen(pub);
    if (host != NULL) {
        const char *slash = strchr(host + 3, '/');
        if (slash)
            n = (size_t)(slash - pub);
    }
    return o.len == n && strncasecmp(o.base, pub, n) == 0;
}

/* 1 when Accept names application/json (or any type, or none at all) */
static int accepts_json(h2o_req_t *req)
{
    h2o_iovec_t a = http_header(req, H2O_TOKEN_ACCEPT);
    if (a.base == NULL)
        return 1;
    for (size_t i = 0; i < a.len;) {
        while (i < a.len && (a.base[i] == ' ' || a.base[i] == ','))
            i++;
        size_t s = i;
        while (i < a.len && a.base[i] != ',' && a.base[i] != ';')
            i++;
        size_t e = i;
        while (e > s && a.base[e - 1] == ' ')
            e--;
        if (h2o_memis(a.base + s, e - s, H2O_STRLIT("application/json")) ||
            h2o_memis(a.base + s, e - s, H2O_STRLIT("application/*")) || h2o_memis(a.base + s, e - s, H2O_STRLIT("*/*")))
            return 1;
        while (i < a.len && a.base[i] != ',')
            i++;
    }
    return 0;
}

/* ---- initialize, ping, tools/list ---- */

static void initialize(h2o_req_t *req, const rpc_msg_t *m)
{
    int ok;
    const char *asked = rpc_param_str(m->params, "protocolVersion", &ok);
    if (!ok || asked == NULL) {
        send_rpc_error(req, 200, m->id, RPC_INVALID_PARAMS, "initialize needs params.protocolVersion (a string)");
        return;
    }
    const char *proto = known_protocol(asked, strlen(asked));
    if (proto == NULL)
        proto = PROTOCOLS[0];
    const char *path[] = {"clientInfo", "name", NULL};
    yajl_val cn = m->params ? yajl_tree_get(m->params, path, yajl_t_string) : NULL;
    char sid[MCP_SESSION_ID_LEN + 1];
    if (mcp_session_new(cn ? YAJL_GET_STRING(cn) : "", proto, time_now_ms(), sid) != 0) {
        send_rpc_error(req, 500, m->id, RPC_INTERNAL_ERROR, "no random bytes for a session id");
        return;
    }
    char *hv = h2o_mem_alloc_pool(&req->pool, sizeof(sid));
    memcpy(hv, sid, sizeof(sid));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("mcp-session-id"), 0, NULL, hv, strlen(hv));
    buf_t b;
    buf_init(&b);
    rpc_result_open(&b, m->id);
    int first = 1;
    buf_putc(&b, '{');
    json_kv_str(&b, &first, "protocolVersion", proto);
    json_kv_raw(&b, &first, "capabilities", H2O_STRLIT("{\"tools\":{\"listChanged\":false}}"));
    buf_puts(&b, ",\"serverInfo\":{\"name\":\"cordon\",\"title\":\"cordon package firewall\",\"version\":");
    json_cstr(&b, g_version);
    buf_putc(&b, '}');
    json_kv_str(&b, &first, "instructions",
                "cordon is the package registry this machine installs through; it holds back new, flagged and "
                "blocked versions. Before installing or pinning a version, call check_package; for a lockfile, "
                "check_lockfile. When an install is refused, explain_denial with the request_id of the refusal "
                "says why; install the alternative it names, or file request_review with a justification. No tool "
                "can approve anything: people do.");
    buf_putc(&b, '}');
    rpc_result_close(&b);
    send_rpc(req, 200, &b);
}

static void tools_list(h2o_req_t *req, const rpc_msg_t *m)
{
    buf_t b;
    buf_init(&b);
    rpc_result_open(&b, m->id);
    mcp_tools_list(&b);
    rpc_result_close(&b);
    send_rpc(req, 200, &b);
}

/* ---- tools/call, on the pool ---- */

typedef struct call_job {
    rpc_msg_t m; /* owns the parsed message: the arguments point into it */
    mcp_call_t call;
    char client[64], ua[200], request_id[40], session[MCP_SESSION_ID_LEN + 1];
    mcp_outcome_t out;
    loop_reply_t *reply;
} call_job_t;

static void call_run(void *arg)
{
    call_job_t *j = arg;
    runtime_use(j->call.cfg);
    mcp_tool_run(&j->call, &j->out);
    runtime_use(NULL);
    runtime_release(j->call.cfg);
    j->call.cfg = NULL;
    atomic_fetch_sub(&g_calls, 1);
    loop_reply_post(j->reply);
}

/* the call in the decision log: what was asked, by which client and session */
static void record_call(const call_job_t *j)
{
    decision_t d;
    memset(&d, 0, sizeof(d));
    d.time_ms = time_now_ms();
    d.published_at = d.since = TIME_NONE;
    DECISION_SET(&d, client, j->client);
    DECISION_SET(&d, user_agent, j->ua);
    DECISION_SET(&d, request_id, j->request_id);
    DECISION_SET(&d, ecosystem, j->out.ecosystem);
    DECISION_SET(&d, package, j->out.package);
    DECISION_SET(&d, version, j->out.version);
    DECISION_SET(&d, decision, "check");
    DECISION_SET(&d, reason, j->out.reason);
    char rule[160], detail[200];
    snprintf(rule, sizeof(rule), "mcp %s", j->call.tool);
    snprintf(detail, sizeof(detail), "mcp session %s: %s%s", j->session, j->call.tool,
             j->out.is_error ? " (tool error)" : "");
    DECISION_SET(&d, rule, rule);
    DECISION_SET(&d, detail, detail);
    decision_log_append(&d);
}

/* the tools/call result: text content, structuredContent, isError */
static void write_result(buf_t *b, const call_job_t *j)
{
    rpc_result_open(b, j->m.id);
    buf_puts(b, "{\"content\":[{\"type\":\"text\",\"text\":");
    json_cstr(b, buf_cstr((buf_t *)&j->out.text));
    buf_puts(b, "}]");
    if (!j->out.is_error) {
        buf_puts(b, ",\"structuredContent\":");
        buf_append(b, j->out.structured.data, j->out.structured.len);
    }
    buf_printf(b, ",\"isError\":%s}", j->out.is_error ? "true" : "false");
    rpc_result_close(b);
}

static void call_answer(h2o_req_t *req, void *arg)
{
    call_job_t *j = arg;
    record_call(j);
    if (req != NULL) {
        buf_t b;
        buf_init(&b);
        write_result(&b, j);
        send_rpc(req, 200, &b);
    }
    mcp_outcome_free(&j->out);
    rpc_msg_free(&j->m);
    free(j);
}

/* takes m */
static void tools_call(h2o_req_t *req, rpc_msg_t *m, const char *session)
{
    int ok;
    const char *name = rpc_param_str(m->params, "name", &ok);
    if (!ok || name == NULL || !mcp_tool_exists(name)) {
        char msg[200];
        snprintf(msg, sizeof(msg), "unknown tool '%.60s': tools/list names them", name ? name : "");
        send_rpc_error(req, 200, m->id, RPC_INVALID_PARAMS, msg);
        rpc_msg_free(m);
        return;
    }
    const char *path[] = {"arguments", NULL};
    yajl_val args = yajl_tree_get(m->params, path, yajl_t_any);
    if (args != NULL && !YAJL_IS_OBJECT(args) && !YAJL_IS_NULL(args)) {
        send_rpc_error(req, 200, m->id, RPC_INVALID_PARAMS, "params.arguments must be an object");
        rpc_msg_free(m);
        return;
    }
    call_job_t *j = xcalloc(1, sizeof(*j));
    j->m = *m; /* the message moves into the job */
    memset(m, 0, sizeof(*m));
    snprintf(j->session, sizeof(j->session), "%s", session);
    http_client_addr(req, j->client, sizeof(j->client));
    http_user_agent(req, j->ua, sizeof(j->ua));
    snprintf(j->request_id, sizeof(j->request_id), "%s", http_request_id(req));
    j->call = (mcp_call_t){.tool = name,
                           .args = args && YAJL_IS_OBJECT(args) ? args : NULL,
                           .client = j->client,
                           .user_agent = j->ua,
                           .request_id = j->request_id};
    mcp_outcome_init(&j->out);
    if (atomic_fetch_add(&g_calls, 1) >= MCP_CALLS_MAX) {
        atomic_fetch_sub(&g_calls, 1);
        j->out.is_error = 1;
        buf_printf(&j->out.text, "cordon is busy: %d tool calls are being worked out; call again in a few seconds",
                   MCP_CALLS_MAX);
        call_answer(req, j);
        return;
    }
    j->call.cfg = runtime_acquire();
    j->reply = loop_reply_new(req, call_answer, j);
    workpool_submit(&g_mcp_work, call_run, j);
}

/* ---- the endpoint ---- */

/* the session a request after initialize names: 1 with sid filled, 0
 * after answering 400/404 */
static int session_of(h2o_req_t *req, const rpc_msg_t *m, char *sid)
{
    h2o_iovec_t s = header(req, "mcp-session-id");
    if (s.base == NULL) {
        send_rpc_error(req, 400, m->id, RPC_INVALID_REQUEST,
                       "no Mcp-Session-Id header: send initialize first, then the session id it answers with");
        return 0;
    }
    char proto[16];
    if (!mcp_session_touch(s.base, s.len, time_now_ms(), proto)) {
        send_rpc_error(req, 404, m->id, RPC_INVALID_REQUEST,
                       "no such session (it ended, or cordon restarted): send initialize again");
        return 0;
    }
    memcpy(sid, s.base, s.len);
    sid[s.len] = '\0';
    return 1;
}

static void post(h2o_req_t *req)
{
    h2o_iovec_t ct = http_header(req, H2O_TOKEN_CONTENT_TYPE);
    if (!http_media_type_is(ct.base, ct.len, "application/json")) {
        http_send_error(req, 415, "unsupported_media_type",
                        "send one JSON-RPC message as 'Content-Type: application/json'");
        return;
    }
    if (!accepts_json(req)) {
        http_send_error(req, 406, "not_acceptable",
                        "cordon answers with application/json: accept it ('Accept: application/json, "
                        "text/event-stream')");
        return;
    }
    h2o_iovec_t pv = header(req, "mcp-protocol-version");
    if (pv.base != NULL && known_protocol(pv.base, pv.len) == NULL) {
        char msg[200];
        snprintf(msg, sizeof(msg), "MCP-Protocol-Version %.*s is not one cordon speaks (%s, %s)",
                 (int)(pv.len > 40 ? 40 : pv.len), pv.base, PROTOCOLS[0], PROTOCOLS[1]);
        send_rpc_error(req, 400, NULL, RPC_INVALID_REQUEST, msg);
        return;
    }
    rpc_msg_t m;
    char err[300];
    int rc = rpc_parse(req->entity.base, req->entity.len, &m, err, sizeof(err));
    if (rc != 0) {
        send_rpc_error(req, 400, m.id, rc, err);
        return;
    }
    if (m.kind != RPC_REQUEST) { /* a notification or the client's response: nothing to answer */
        rpc_msg_free(&m);
        send_accepted(req);
        return;
    }
    if (strcmp(m.method, "initialize") == 0) {
        initialize(req, &m);
        rpc_msg_free(&m);
        return;
    }
    char sid[MCP_SESSION_ID_LEN + 1];
    if (!session_of(req, &m, sid)) {
        rpc_msg_free(&m);
        return;
    }
    if (strcmp(m.method, "ping") == 0) {
        buf_t b;
        buf_init(&b);
        rpc_result_open(&b, m.id);
        buf_puts(&b, "{}");
        rpc_result_close(&b);
        send_rpc(req, 200, &b);
    } else if (strcmp(m.method, "tools/list") == 0) {
        tools_list(req, &m);
    } else if (strcmp(m.method, "tools/call") == 0) {
        tools_call(req, &m, sid); /* takes m */
        return;
    } else {
        char msg[200];
        snprintf(msg, sizeof(msg), "cordon has no method '%.60s' (it offers initialize, ping, tools/list, tools/call)",
                 m.method);
        send_rpc_error(req, 200, m.id, RPC_METHOD_NOT_FOUND, msg);
    }
    rpc_msg_free(&m);
}

void mcp_handle(h2o_req_t *req, const char *rest, size_t rlen)
{
    (void)rest;
    (void)rlen;
    if (!origin_allowed(req)) {
        http_send_error(req, 403, "forbidden",
                        "Origin is not cordon's public_url: /-/mcp answers agents, not pages of other sites");
        return;
    }
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST"))) {
        post(req);
        return;
    }
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("DELETE"))) {
        h2o_iovec_t s = header(req, "mcp-session-id");
        if (s.base == NULL || !mcp_session_end(s.base, s.len)) {
            http_send_error(req, 404, "not_found", "no such MCP session");
            return;
        }
        send_accepted(req);
        return;
    }
    /* GET would open a stream of server messages: cordon sends none */
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, H2O_STRLIT("POST, DELETE"), 1);
    http_send_error(req, 405, "method_not_allowed",
                    "/-/mcp takes POST (one JSON-RPC message) and DELETE (end a session); cordon offers no "
                    "server-initiated stream");
}
