/* audit_anchor: the thread that logs the chain head (see audit_anchor.h).
 * It reads the head the store holds (committed, tag verified) once a
 * second or when poked; the head it logged last and when are its only
 * state. */
#include "journal/audit_anchor.h"
#include "common/log.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/timeutil.h"
#include "journal/audit.h"

#define EVERY_RECORDS 100
#define EVERY_MS 10000
#define TICK_MS 1000

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static pthread_t g_thread;
static int g_running, g_stop, g_poked;
static uint64_t g_logged_seq;
static int64_t g_logged_at;
static int g_warned_invalid;

/* logs the head when the rules say so (force: whenever it changed, or at all when never logged) */
static void check(int force)
{
    uint64_t seq;
    char hash[65];
    int rc = audit_head_get(&seq, hash);
    if (rc < 0)
        return;
    if (rc == 1) {
        if (!g_warned_invalid)
            log_event(LOG_ERROR, "audit head: the head beside the chain is missing or does not verify under the key, so it "
                                 "is not anchored; run cordon audit verify", NULL);
        g_warned_invalid = 1;
        return;
    }
    g_warned_invalid = 0;
    int64_t now = time_now_ms();
    int changed = seq != g_logged_seq || g_logged_at == 0;
    if (!changed)
        return;
    if (!force && seq - g_logged_seq < EVERY_RECORDS && now - g_logged_at < EVERY_MS)
        return;
    char head[100];
    snprintf(head, sizeof(head), "%" PRIu64 ":%s", seq, hash);
    log_event(LOG_INFO, "audit head",
              (const log_field_t[]){LOG_INT("seq", seq), LOG_STR("hash", hash), LOG_STR("head", head), LOG_END});
    g_logged_seq = seq;
    g_logged_at = now;
}

static void *anchor_main(void *arg)
{
    pthread_mutex_lock(&g_lock);
    check(1);
    while (!g_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += TICK_MS / 1000;
        while (!g_stop && !g_poked && pthread_cond_timedwait(&g_wake, &g_lock, &ts) == 0)
            ;
        g_poked = 0;
        if (!g_stop)
            check(0);
    }
    check(1);
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

int audit_anchor_start(void)
{
    g_stop = 0;
    g_logged_seq = 0;
    g_logged_at = 0;
    if (pthread_create(&g_thread, NULL, anchor_main, NULL) != 0)
        return -1;
    g_running = 1;
    return 0;
}

void audit_anchor_poke(void)
{
    if (pthread_mutex_trylock(&g_lock) != 0)
        return; /* the thread is checking right now */
    g_poked = 1;
    pthread_cond_signal(&g_wake);
    pthread_mutex_unlock(&g_lock);
}

void audit_anchor_stop(void)
{
    if (!g_running)
        return;
    pthread_mutex_lock(&g_lock);
    g_stop = 1;
    pthread_cond_signal(&g_wake);
    pthread_mutex_unlock(&g_lock);
    pthread_join(g_thread, NULL);
    g_running = 0;
}
