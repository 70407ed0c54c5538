/* decision_coalesce: per-minute counting of repeated refusals and agents' checks (see
 * decision_coalesce.h). Two open-addressing tables, (client, path) →
 * count and client → paths seen, both emptied when a minute ends; every
 * key is compared in full, so a hash collision never merges two clients. */
#include "journal/decision_coalesce.h"

#include "policy/reason.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_MS 60000
#define MAX_PAIRS 4096
#define PATHS_PER_CLIENT 16
#define SLOTS 8192 /* a power of two, twice MAX_PAIRS */

typedef struct pair {
    char client[64];
    char detail[200]; /* the key besides the client: a refused write's path, a check's rule */
    uint32_t admitted; /* recorded one by one this minute (at most the kind's allowance) */
    uint32_t repeats;
    int64_t first, last;
    decision_t sample; /* the first repeat: what the record says besides the count */
} pair_t;

typedef struct client {
    char addr[64];
    int paths;
} client_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pair_t *g_pairs[SLOTS];
static client_t *g_clients[SLOTS];
static size_t g_npairs;
static int64_t g_window = -1; /* start of the minute the tables are for */
/* records of minutes that ended, waiting for the writer */
static decision_t *g_due;
static size_t g_ndue, g_capdue;

static int is_check(const decision_t *d) { return strcmp(d->decision, "check") == 0; }

int coalesce_wanted(const decision_t *d)
{
    return reason_from_name(d->reason) == REASON_PUBLISH_FORBIDDEN || is_check(d);
}

/* what a kind is counted by besides the client, and how many of a minute
 * are recorded one by one before the rest become one record */
static const char *key_of(const decision_t *d) { return is_check(d) ? d->rule : d->detail; }
static uint32_t allowance(const decision_t *d) { return is_check(d) ? COALESCE_CHECKS_PER_MINUTE : 1; }

static uint32_t fnv(const char *a, const char *b)
{
    uint32_t h = 2166136261u;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ 0xff) * 16777619u;
    for (const char *p = b; b && *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

static void queue_due(const pair_t *p)
{
    if (p->repeats == 0)
        return;
    if (g_ndue == g_capdue) {
        size_t cap = g_capdue ? g_capdue * 2 : 64;
        decision_t *nv = realloc(g_due, cap * sizeof(*nv));
        if (nv == NULL)
            return; /* counted in metrics already; the record of repeats is lost */
        g_due = nv;
        g_capdue = cap;
    }
    decision_t *d = &g_due[g_ndue++];
    *d = p->sample;
    DECISION_SET(d, client, p->client);
    if (is_check(d)) { /* the rest of a minute's checks: which was first is in the sample */
        char detail[200];
        snprintf(detail, sizeof(detail), "%u more calls of %s this minute beyond %d (the first: %s)", p->repeats,
                 p->detail, COALESCE_CHECKS_PER_MINUTE, p->sample.detail);
        DECISION_SET(d, detail, detail);
    } else {
        DECISION_SET(d, detail, p->detail);
    }
    d->count = p->repeats;
    d->first_ms = p->first;
    d->last_ms = p->last;
}

/* the minute is over: its pending records become due, the tables empty */
static void end_window(void)
{
    for (size_t i = 0; i < SLOTS; i++) {
        if (g_pairs[i]) {
            queue_due(g_pairs[i]);
            free(g_pairs[i]);
            g_pairs[i] = NULL;
        }
        free(g_clients[i]);
        g_clients[i] = NULL;
    }
    g_npairs = 0;
}

static client_t *client_slot(const char *addr)
{
    uint32_t h = fnv(addr, NULL);
    for (size_t i = 0; i < SLOTS; i++) {
        size_t s = (h + i) & (SLOTS - 1);
        if (g_clients[s] == NULL) {
            g_clients[s] = calloc(1, sizeof(client_t));
            if (g_clients[s])
                snprintf(g_clients[s]->addr, sizeof(g_clients[s]->addr), "%s", addr);
            return g_clients[s];
        }
        if (strcmp(g_clients[s]->addr, addr) == 0)
            return g_clients[s];
    }
    return NULL;
}

/* the slot of (client, detail): found (*found set) or the empty one to use; NULL when full */
static pair_t **pair_slot(const char *client, const char *detail, int *found)
{
    uint32_t h = fnv(client, detail);
    for (size_t i = 0; i < SLOTS; i++) {
        size_t s = (h + i) & (SLOTS - 1);
        if (g_pairs[s] == NULL) {
            *found = 0;
            return &g_pairs[s];
        }
        if (strcmp(g_pairs[s]->client, client) == 0 && strcmp(g_pairs[s]->detail, detail) == 0) {
            *found = 1;
            return &g_pairs[s];
        }
    }
    return NULL;
}

int coalesce_admit(const decision_t *d)
{
    int record_now = 1;
    pthread_mutex_lock(&g_lock);
    int64_t w = d->time_ms - d->time_ms % WINDOW_MS;
    if (w != g_window) {
        end_window();
        g_window = w;
    }
    const char *client = d->client, *detail = key_of(d);
    int found;
    pair_t **slot = pair_slot(client, detail, &found);
    if (slot && !found) {
        client_t *c = g_npairs < MAX_PAIRS ? client_slot(client) : NULL;
        if (g_npairs >= MAX_PAIRS) {
            client = "*";
            detail = "(several clients and paths)";
        } else if (c == NULL || c->paths >= PATHS_PER_CLIENT) {
            detail = "(several paths)";
        } else {
            c->paths++;
        }
        if (detail != key_of(d))
            slot = pair_slot(client, detail, &found);
    }
    /* pairs stay below MAX_PAIRS + MAX_PAIRS / PATHS_PER_CLIENT + 1 < SLOTS, so
     * there is always a slot; were there none, d is recorded, never lost */
    if (slot != NULL && found && (*slot)->admitted < allowance(d)) {
        (*slot)->admitted++; /* within the kind's allowance: recorded now */
    } else if (slot != NULL && found) {
        pair_t *p = *slot;
        if (p->repeats++ == 0) {
            p->sample = *d;
            p->first = d->time_ms;
        }
        p->last = d->time_ms;
        record_now = 0;
    } else if (slot != NULL) {
        pair_t *p = calloc(1, sizeof(*p));
        if (p != NULL) {
            snprintf(p->client, sizeof(p->client), "%s", client);
            snprintf(p->detail, sizeof(p->detail), "%s", detail);
            p->admitted = 1;
            *slot = p;
            g_npairs++;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return record_now;
}

int64_t coalesce_due(void)
{
    pthread_mutex_lock(&g_lock);
    int64_t due = 0;
    if (g_ndue)
        due = 1; /* now */
    else if (g_npairs && g_window >= 0)
        due = g_window + WINDOW_MS;
    pthread_mutex_unlock(&g_lock);
    return due;
}

void coalesce_take(int64_t now, int all, void (*emit)(const decision_t *d, void *arg), void *arg)
{
    pthread_mutex_lock(&g_lock);
    if (all || (g_window >= 0 && now >= g_window + WINDOW_MS)) {
        end_window();
        g_window = -1;
    }
    decision_t *due = g_due;
    size_t n = g_ndue;
    g_due = NULL;
    g_ndue = g_capdue = 0;
    pthread_mutex_unlock(&g_lock);
    for (size_t i = 0; i < n; i++) {
        due[i].time_ms = now;
        emit(&due[i], arg);
    }
    free(due);
}

void coalesce_reset(void)
{
    pthread_mutex_lock(&g_lock);
    end_window();
    g_window = -1;
    free(g_due);
    g_due = NULL;
    g_ndue = g_capdue = 0;
    pthread_mutex_unlock(&g_lock);
}
