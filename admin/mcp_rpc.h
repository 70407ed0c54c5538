/* mcp_rpc: JSON-RPC 2.0 messages as MCP's streamable HTTP transport
 * carries them — one message per POST (revision 2025-06-18 took batches
 * out of the protocol; cordon refuses an array as an invalid request) — and
 * the answers written back. Pure: no I/O, no state. */
#ifndef CORDON_MCP_RPC_H
#define CORDON_MCP_RPC_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "common/buf.h"

/* JSON-RPC 2.0's error codes */
#define RPC_PARSE_ERROR (-32700)
#define RPC_INVALID_REQUEST (-32600)
#define RPC_METHOD_NOT_FOUND (-32601)
#define RPC_INVALID_PARAMS (-32602)
#define RPC_INTERNAL_ERROR (-32603)

/* nesting a message may have: deeper is an invalid request (and never
 * reaches the tree parser, whose free recurses) */
#define RPC_MAX_DEPTH 64

typedef enum {
    RPC_REQUEST,      /* method and id: answered */
    RPC_NOTIFICATION, /* method, no id: 202, no answer */
    RPC_RESPONSE,     /* result or error with an id (the client answering): 202 */
} rpc_kind_t;

typedef struct rpc_msg {
    rpc_kind_t kind;
    yajl_val root;      /* owned */
    char id[80];        /* a request's id as JSON text: 7, "abc" (quoted, escaped) */
    const char *method; /* into root */
    yajl_val params;    /* into root: an object, or NULL when absent */
} rpc_msg_t;

/* One message from body: 0 with out filled (free with rpc_msg_free), or
 * RPC_PARSE_ERROR / RPC_INVALID_REQUEST with err (and out->id filled when
 * the request's id could be read, else ""). */
int rpc_parse(const char *body, size_t len, rpc_msg_t *out, char *err, size_t errlen);
void rpc_msg_free(rpc_msg_t *m);

/* {"jsonrpc":"2.0","id":ID,"error":{"code":C,"message":M}}; id "" writes null */
void rpc_error(buf_t *out, const char *id, int code, const char *message);
/* {"jsonrpc":"2.0","id":ID,"result": — the caller writes the value, then rpc_result_close */
void rpc_result_open(buf_t *out, const char *id);
void rpc_result_close(buf_t *out);

/* a member of params: the string (NULL when absent or null); *type_ok 0
 * when present but not a string */
const char *rpc_param_str(yajl_val params, const char *key, int *type_ok);

#endif
