/* mcp_session: a fixed table of sessions (see mcp_session.h). Lookups are
 * a linear scan: at most MCP_SESSIONS_MAX rows of 80 bytes, and a tool
 * call costs far more than the scan. */
#include "admin/mcp_session.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct session {
    char id[MCP_SESSION_ID_LEN + 1]; /* "" free */
    char protocol[16];
    char client[48];
    int64_t last_used;
} session_t;

static session_t g_sessions[MCP_SESSIONS_MAX];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static int live(const session_t *s, int64_t now) { return s->id[0] && now - s->last_used < MCP_SESSION_IDLE_MS; }

static session_t *find(const char *id, size_t idlen)
{
    if (idlen != MCP_SESSION_ID_LEN)
        return NULL;
    for (size_t i = 0; i < MCP_SESSIONS_MAX; i++)
        if (g_sessions[i].id[0] && memcmp(g_sessions[i].id, id, idlen) == 0)
            return &g_sessions[i];
    return NULL;
}

int mcp_session_new(const char *client_name, const char *protocol, int64_t now, char *id)
{
    unsigned char raw[MCP_SESSION_ID_LEN / 2];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return -1;
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(id + 2 * i, 3, "%02x", raw[i]);
    pthread_mutex_lock(&g_lock);
    session_t *slot = &g_sessions[0];
    for (size_t i = 0; i < MCP_SESSIONS_MAX; i++) {
        session_t *s = &g_sessions[i];
        if (!live(s, now)) { /* free or expired: taken */
            slot = s;
            break;
        }
        if (s->last_used < slot->last_used)
            slot = s; /* the idlest so far, in case none is free */
    }
    snprintf(slot->id, sizeof(slot->id), "%s", id);
    snprintf(slot->protocol, sizeof(slot->protocol), "%s", protocol ? protocol : "");
    snprintf(slot->client, sizeof(slot->client), "%s", client_name ? client_name : "");
    slot->last_used = now;
    pthread_mutex_unlock(&g_lock);
    return 0;
}

int mcp_session_touch(const char *id, size_t idlen, int64_t now, char *protocol)
{
    pthread_mutex_lock(&g_lock);
    session_t *s = find(id, idlen);
    int ok = s && live(s, now);
    if (ok) {
        s->last_used = now;
        if (protocol)
            snprintf(protocol, 16, "%s", s->protocol);
    } else if (s) {
        s->id[0] = '\0'; /* expired */
    }
    pthread_mutex_unlock(&g_lock);
    return ok;
}

int mcp_session_end(const char *id, size_t idlen)
{
    pthread_mutex_lock(&g_lock);
    session_t *s = find(id, idlen);
    if (s)
        s->id[0] = '\0';
    pthread_mutex_unlock(&g_lock);
    return s != NULL;
}

size_t mcp_session_count(int64_t now)
{
    size_t n = 0;
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < MCP_SESSIONS_MAX; i++)
        n += live(&g_sessions[i], now);
    pthread_mutex_unlock(&g_lock);
    return n;
}

void mcp_session_reset(void)
{
    pthread_mutex_lock(&g_lock);
    memset(g_sessions, 0, sizeof(g_sessions));
    pthread_mutex_unlock(&g_lock);
}
