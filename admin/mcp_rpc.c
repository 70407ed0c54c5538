/* mcp_rpc: one JSON-RPC 2.0 message in, its answer out (see mcp_rpc.h). */
#include "admin/mcp_rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

/* the deepest nesting of arrays and objects, strings skipped; stops
 * counting past max */
static int depth_within(const char *s, size_t len, int max)
{
    int depth = 0, in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return 0;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 1;
}

static yajl_val member(yajl_val obj, const char *key)
{
    const char *path[] = {key, NULL};
    return yajl_tree_get(obj, path, yajl_t_any);
}

/* the id as JSON text into out: 0, or -1 when it is neither a string nor
 * a number (MCP: never null) or too long */
static int id_text(yajl_val id, char *out, size_t outlen)
{
    if (YAJL_IS_NUMBER(id)) {
        const char *r = YAJL_GET_NUMBER(id);
        if (r == NULL || strlen(r) >= outlen)
            return -1;
        snprintf(out, outlen, "%s", r);
        return 0;
    }
    if (YAJL_IS_STRING(id)) {
        buf_t b;
        buf_init(&b);
        json_cstr(&b, YAJL_GET_STRING(id));
        int ok = !b.oom && b.len < outlen;
        if (ok)
            snprintf(out, outlen, "%.*s", (int)b.len, b.data);
        buf_free(&b);
        return ok ? 0 : -1;
    }
    return -1;
}

int rpc_parse(const char *body, size_t len, rpc_msg_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (body == NULL || len == 0) {
        snprintf(err, errlen, "the body is empty: send one JSON-RPC 2.0 message");
        return RPC_INVALID_REQUEST;
    }
    if (memchr(body, '\0', len) != NULL) {
        snprintf(err, errlen, "the body holds a NUL byte");
        return RPC_PARSE_ERROR;
    }
    if (!depth_within(body, len, RPC_MAX_DEPTH)) {
        snprintf(err, errlen, "the message nests deeper than %d levels", RPC_MAX_DEPTH);
        return RPC_INVALID_REQUEST;
    }
    char *text = malloc(len + 1);
    if (text == NULL) {
        snprintf(err, errlen, "out of memory");
        return RPC_INTERNAL_ERROR;
    }
    memcpy(text, body, len);
    text[len] = '\0';
    char perr[200];
    yajl_val root = yajl_tree_parse(text, perr, sizeof(perr));
    free(text);
    if (root == NULL) {
        char *nl = strchr(perr, '\n');
        if (nl)
            *nl = '\0';
        snprintf(err, errlen, "the body is not JSON: %s", perr);
        return RPC_PARSE_ERROR;
    }
    if (YAJL_IS_ARRAY(root)) {
        yajl_tree_free(root);
        snprintf(err, errlen, "batches are not part of MCP since revision 2025-06-18: send one message per request");
        return RPC_INVALID_REQUEST;
    }
    if (!YAJL_IS_OBJECT(root)) {
        yajl_tree_free(root);
        snprintf(err, errlen, "a JSON-RPC message is an object");
        return RPC_INVALID_REQUEST;
    }
    yajl_val v = member(root, "jsonrpc"), id = member(root, "id"), m = member(root, "method");
    int has_id = id != NULL;
    if (has_id && id_text(id, out->id, sizeof(out->id)) != 0) {
        out->id[0] = '\0';
        yajl_tree_free(root);
        snprintf(err, errlen, "'id' must be a string or a number (at most %zu bytes)", sizeof(out->id) - 1);
        return RPC_INVALID_REQUEST;
    }
    const char *version = v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
    if (version == NULL || strcmp(version, "2.0") != 0) {
        yajl_tree_free(root);
        snprintf(err, errlen, "'jsonrpc' must be \"2.0\"");
        return RPC_INVALID_REQUEST;
    }
    if (m == NULL) {
        if (has_id && (member(root, "result") != NULL || member(root, "error") != NULL)) {
            out->kind = RPC_RESPONSE;
            out->root = root;
            return 0;
        }
        yajl_tree_free(root);
        snprintf(err, errlen, "a request needs a 'method'");
        return RPC_INVALID_REQUEST;
    }
    const char *method = YAJL_IS_STRING(m) ? YAJL_GET_STRING(m) : NULL;
    if (method == NULL || method[0] == '\0') {
        yajl_tree_free(root);
        snprintf(err, errlen, "'method' must be a non-empty string");
        return RPC_INVALID_REQUEST;
    }
    yajl_val params = member(root, "params");
    if (params != NULL && !YAJL_IS_OBJECT(params) && !YAJL_IS_NULL(params)) {
        yajl_tree_free(root);
        snprintf(err, errlen, "'params' must be an object (MCP names its parameters)");
        return RPC_INVALID_REQUEST;
    }
    out->kind = has_id ? RPC_REQUEST : RPC_NOTIFICATION;
    out->root = root;
    out->method = method;
    out->params = params && YAJL_IS_OBJECT(params) ? params : NULL;
    return 0;
}

void rpc_msg_free(rpc_msg_t *m)
{
    if (m->root)
        yajl_tree_free(m->root);
    memset(m, 0, sizeof(*m));
}

static void head(buf_t *out, const char *id)
{
    buf_puts(out, "{\"jsonrpc\":\"2.0\",\"id\":");
    buf_puts(out, id && id[0] ? id : "null");
}

void rpc_error(buf_t *out, const char *id, int code, const char *message)
{
    head(out, id);
    buf_printf(out, ",\"error\":{\"code\":%d,\"message\":", code);
    json_cstr(out, message);
    buf_puts(out, "}}");
}

void rpc_result_open(buf_t *out, const char *id)
{
    head(out, id);
    buf_puts(out, ",\"result\":");
}

void rpc_result_close(buf_t *out) { buf_putc(out, '}'); }

const char *rpc_param_str(yajl_val params, const char *key, int *type_ok)
{
    *type_ok = 1;
    yajl_val v = params ? member(params, key) : NULL;
    if (v == NULL || YAJL_IS_NULL(v))
        return NULL;
    if (!YAJL_IS_STRING(v)) {
        *type_ok = 0;
        return NULL;
    }
    return YAJL_GET_STRING(v);
}
