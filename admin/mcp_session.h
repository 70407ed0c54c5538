/* mcp_session: the MCP sessions cordon has handed out (Mcp-Session-Id),
 * in memory: an initialize makes one, every later request names it, a
 * DELETE ends it. A bounded table under one mutex: when it is full the
 * session idle longest is dropped (its client gets 404 and initializes
 * again, as the transport says); a session idle MCP_SESSION_IDLE_MS is
 * gone. A restart forgets them all, which clients handle the same way. */
#ifndef CORDON_MCP_SESSION_H
#define CORDON_MCP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#define MCP_SESSIONS_MAX 4096
#define MCP_SESSION_IDLE_MS (24LL * 3600 * 1000)
#define MCP_SESSION_ID_LEN 32 /* hex of 16 random bytes */

/* a new session for a client that says it is `client_name` (may be "")
 * using protocol revision `protocol`: 0 with id (MCP_SESSION_ID_LEN + 1
 * bytes) filled, -1 when no random bytes could be had */
int mcp_session_new(const char *client_name, const char *protocol, int64_t now, char *id);
/* 1 when id names a live session (touched: its idle time starts again),
 * with its protocol revision copied into protocol (16 bytes) when not NULL;
 * 0 otherwise */
int mcp_session_touch(const char *id, size_t idlen, int64_t now, char *protocol);
/* 1 ended, 0 no such session */
int mcp_session_end(const char *id, size_t idlen);
/* live sessions (metrics, tests) */
size_t mcp_session_count(int64_t now);
/* tests: forget every session */
void mcp_session_reset(void);

#endif
