/* mcp_tools: the tools cordon's MCP endpoint (admin/mcp.c) offers coding
 * agents, one row each of a table: name, what it is for, the JSON Schemas
 * of its arguments and of its structured result, and the function that
 * runs it. They ask what the registry routes would answer and need no
 * token: none approves, blocks or changes anything, but request_review
 * files a review request (rate-limited like POST /-/api/reviews).
 *
 * mcp_tool_run blocks its thread (a verdict may wait for upstream
 * metadata): call it from a worker, never from an event loop. */
#ifndef CORDON_MCP_TOOLS_H
#define CORDON_MCP_TOOLS_H

#include <yajl/yajl_tree.h>

#include "common/buf.h"
#include "core/config.h"

/* one tools/call, as the worker gets it */
typedef struct mcp_call {
    const char *tool;
    yajl_val args; /* the arguments object, or NULL */
    const config_t *cfg;
    const char *client, *user_agent, *request_id;
} mcp_call_t;

/* what it came to */
typedef struct mcp_outcome {
    int is_error;     /* a tool error: text says what the agent can do about it */
    buf_t structured; /* the structuredContent object (not when is_error) */
    buf_t text;       /* the text content: one summary an agent or a person reads */
    /* what the decision log records of the call ("" where not named) */
    char ecosystem[16], package[256], version[128], reason[32];
} mcp_outcome_t;

void mcp_outcome_init(mcp_outcome_t *o);
void mcp_outcome_free(mcp_outcome_t *o);

/* 1 when there is a tool of that name */
int mcp_tool_exists(const char *name);
/* the result of tools/list: {"tools": [{name, title, description,
 * inputSchema, outputSchema, annotations}]} */
void mcp_tools_list(buf_t *out);
/* runs c->tool, which exists */
void mcp_tool_run(const mcp_call_t *c, mcp_outcome_t *o);

#endif
