/* fuzz_mcp_rpc: any bytes as the body of a POST to /-/mcp, through
 * admin/mcp_rpc.c. Beyond "no crash, no leak": the same bytes give the
 * same answer twice; a refusal is a JSON-RPC code and says why; a message
 * read is a request (a method and an id), a notification (a method) or a
 * response; the answer written for it — an error naming its id, or a
 * result — is itself one JSON object that names the same id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "admin/mcp_rpc.h"

static void check_answer(const char *id)
{
    buf_t b;
    buf_init(&b);
    rpc_error(&b, id, RPC_INVALID_PARAMS, "x");
    yajl_val v = yajl_tree_parse(buf_cstr(&b), NULL, 0);
    if (v == NULL || !YAJL_IS_OBJECT(v))
        abort(); /* the answer must be JSON */
    /* the id goes back as it came: written again, the same text */
    const char *path[] = {"id", NULL};
    yajl_val got = yajl_tree_get(v, path, yajl_t_any);
    if (got == NULL || (id[0] == '\0') != YAJL_IS_NULL(got))
        abort();
    yajl_tree_free(v);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rpc_msg_t a, b;
    char ea[300] = "", eb[300] = "";
    int ra = rpc_parse((const char *)data, size, &a, ea, sizeof(ea));
    int rb = rpc_parse((const char *)data, size, &b, eb, sizeof(eb));
    if (ra != rb || strcmp(ea, eb) != 0 || strcmp(a.id, b.id) != 0)
        abort();
    if (ra != 0) {
        if (ea[0] == '\0' || (ra != RPC_PARSE_ERROR && ra != RPC_INVALID_REQUEST && ra != RPC_INTERNAL_ERROR))
            abort();
        if (a.id[0])
            check_answer(a.id);
        return 0;
    }
    if (a.kind != b.kind || a.root == NULL)
        abort();
    if (a.kind != RPC_RESPONSE && (a.method == NULL || a.method[0] == '\0' || strcmp(a.method, b.method) != 0))
        abort();
    if ((a.kind == RPC_NOTIFICATION) != (a.id[0] == '\0'))
        abort();
    if (a.params != NULL && !YAJL_IS_OBJECT(a.params))
        abort();
    if (a.kind == RPC_REQUEST)
        check_answer(a.id);
    rpc_msg_free(&a);
    rpc_msg_free(&b);
    return 0;
}
