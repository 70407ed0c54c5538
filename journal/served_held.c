/* served_held: pending counts of held versions left out of served metadata
 * (see the header). */
#include "journal/served_held.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* open addressing over indexes into g_rows; twice the rows, so probes stay short */
#define SLOTS (SERVED_HELD_MAX * 2)

static served_held_t g_rows[SERVED_HELD_MAX];
static size_t g_nrows;
static int32_t g_slot[SLOTS]; /* -1 empty, else a row index */
static int g_slots_ready;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_fast64_t g_dropped;

/* a version's line already in the note: versions repeat across a page's files */
static int note_has(const char *note, size_t len, const char *version)
{
    size_t vl = strlen(version);
    for (const char *p = note; p && p < note + len;) {
        const char *nl = memchr(p, '\n', (size_t)(note + len - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(note + len - p);
        if (ll >= vl && memcmp(p, version, vl) == 0 && (ll == vl || p[vl] == ' '))
            return 1;
        p += ll + 1;
    }
    return 0;
}

void served_held_note_add(char **note, size_t *len, const char *version, const char *alternative)
{
    if (version == NULL || *version == '\0' || strpbrk(version, " \n\t") || note_has(*note, *len, version))
        return;
    const char *alt = alternative && !strpbrk(alternative, " \n\t") ? alternative : "";
    size_t add = strlen(version) + (*alt ? 1 + strlen(alt) : 0) + 1;
    char *n = realloc(*note, *len + add + 1);
    if (n == NULL)
        return; /* a note is a count's input, never a document's: losing a line loses a count */
    snprintf(n + *len, add + 1, "%s%s%s\n", version, *alt ? " " : "", alt);
    *note = n;
    *len += add;
}

static uint32_t row_hash(const char *eco, const char *package, const char *version, const char *client,
                         const char *ua)
{
    uint32_t h = 2166136261u;
    const char *parts[] = {eco, package, version, client, ua};
    for (size_t i = 0; i < 5; i++) {
        for (const char *p = parts[i]; *p; p++)
            h = (h ^ (unsigned char)*p) * 16777619u;
        h = (h ^ 0xff) * 16777619u; /* a separator: ("ab","c") is not ("a","bc") */
    }
    return h;
}

static int row_is(const served_held_t *r, const char *eco, const char *package, const char *version,
                  const char *client, const char *ua)
{
    return !strcmp(r->eco, eco) && !strcmp(r->package, package) && !strcmp(r->version, version) &&
           !strcmp(r->client, client) && !strcmp(r->ua, ua);
}

/* under g_lock */
static void count_one(const char *eco, const char *package, const char *version, size_t vlen, const char *alt,
                      size_t alen, const char *client, const char *ua, int64_t now)
{
    char ver[256], alternative[256];
    if (vlen >= sizeof(ver) || alen >= sizeof(alternative))
        return;
    memcpy(ver, version, vlen);
    ver[vlen] = '\0';
    memcpy(alternative, alt, alen);
    alternative[alen] = '\0';
    if (!g_slots_ready) {
        memset(g_slot, 0xff, sizeof(g_slot));
        g_slots_ready = 1;
    }
    uint32_t h = row_hash(eco, package, ver, client, ua);
    for (size_t i = 0; i < SLOTS; i++) {
        int32_t *s = &g_slot[(h + i) % SLOTS];
        if (*s >= 0) {
            served_held_t *r = &g_rows[*s];
            if (!row_is(r, eco, package, ver, client, ua))
                continue;
            r->count++;
            r->last = now;
            if (strcmp(r->alternative, alternative) != 0) { /* the newest document's */
                char *a = strdup(alternative);
                if (a) {
                    free(r->alternative);
                    r->alternative = a;
                }
            }
            return;
        }
        if (g_nrows == SERVED_HELD_MAX) {
            atomic_fetch_add_explicit(&g_dropped, 1, memory_order_relaxed);
            return;
        }
        served_held_t *r = &g_rows[g_nrows];
        memset(r, 0, sizeof(*r));
        snprintf(r->eco, sizeof(r->eco), "%s", eco);
        snprintf(r->client, sizeof(r->client), "%s", client);
        snprintf(r->ua, sizeof(r->ua), "%s", ua);
        r->package = strdup(package);
        r->version = strdup(ver);
        r->alternative = strdup(alternative);
        if (r->package == NULL || r->version == NULL || r->alternative == NULL) {
            free(r->package);
            free(r->version);
            free(r->alternative);
            atomic_fetch_add_explicit(&g_dropped, 1, memory_order_relaxed);
            return;
        }
        r->count = 1;
        r->first = r->last = now;
        *s = (int32_t)g_nrows++;
        return;
    }
}

void served_held_count(const char *eco, const char *package, const char *note, const char *client, const char *ua,
                       int64_t now)
{
    if (note == NULL || *note == '\0')
        return;
    /* the stored field's bounds, so a row's key is what the store will keep */
    char cl[64], agent[200];
    snprintf(cl, sizeof(cl), "%s", client ? client : "");
    snprintf(agent, sizeof(agent), "%s", ua ? ua : "");
    pthread_mutex_lock(&g_lock);
    for (const char *p = note; *p;) {
        const char *nl = strchr(p, '\n');
        size_t ll = nl ? (size_t)(nl - p) : strlen(p);
        const char *sp = memchr(p, ' ', ll);
        size_t vl = sp ? (size_t)(sp - p) : ll;
        if (vl)
            count_one(eco, package, p, vl, sp ? sp + 1 : "", sp ? ll - vl - 1 : 0, cl, agent, now);
        p += ll + (nl != NULL);
    }
    pthread_mutex_unlock(&g_lock);
}

int served_held_pending(void)
{
    pthread_mutex_lock(&g_lock);
    int any = g_nrows > 0;
    pthread_mutex_unlock(&g_lock);
    return any;
}

size_t served_held_take(served_held_t **out)
{
    *out = NULL;
    pthread_mutex_lock(&g_lock);
    size_t n = g_nrows;
    served_held_t *v = n ? malloc(n * sizeof(*v)) : NULL;
    if (v == NULL) {
        pthread_mutex_unlock(&g_lock);
        return 0; /* kept for the next take */
    }
    memcpy(v, g_rows, n * sizeof(*v));
    g_nrows = 0;
    memset(g_slot, 0xff, sizeof(g_slot));
    pthread_mutex_unlock(&g_lock);
    *out = v;
    return n;
}

void served_held_free(served_held_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].package);
        free(v[i].version);
        free(v[i].alternative);
    }
    free(v);
}

uint64_t served_held_dropped(void) { return atomic_load_explicit(&g_dropped, memory_order_relaxed); }
