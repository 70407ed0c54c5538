/* mcp: the Model Context Protocol endpoint at /-/mcp, for coding agents
 * (docs/agents.md): the streamable HTTP transport (revision 2025-06-18,
 * 2025-11-25 spoken too), JSON answers only — cordon offers no
 * server-initiated stream, so GET is 405 — with sessions (admin/mcp_session.h),
 * the Origin checked against public_url, and the tools of admin/mcp_tools.h
 * run on the worker pool. Every tools/call is recorded in the decision log
 * (decision "check", the session in its detail). */
#ifndef CORDON_MCP_H
#define CORDON_MCP_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

/* the version serverInfo names; set once before the listener starts */
void mcp_set_server_version(const char *version);
/* router_mount's handler for "/-/mcp" (no subpaths) */
void mcp_handle(h2o_req_t *req, const char *rest, size_t rlen);

/* tool calls running or queued at once; more get a tool error saying so */
#define MCP_CALLS_MAX 16

#endif
