/* closure: the dependency closure of one version (see closure.h).
 *
 * Breadth first from the root: each version's direct dependencies come
 * from its ecosystem's closure_deps hook, already resolved to versions;
 * each new (package, version) is decided by the held queue's facts
 * (held_decide) and walked in turn. A version whose documents cordon's
 * copy lacks waits for the round's fetch and is asked again; rounds end
 * when nothing more is missing, nothing more could be fetched, or after
 * CLOSURE_MAX_ROUNDS. */
#include "review/closure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "review/held.h"
#include "upstream/metadata_batch.h"

#define CLOSURE_MAX_ROUNDS 12
#define FETCH_PARALLEL 16

void closure_target_default(closure_target_t *t)
{
    t->platform = "linux";
    t->python = "3.11";
}

static void node_free(closure_node_t *n)
{
    free(n->package);
    free(n->version);
    free(n->spec);
    free(n->error);
}

void closure_free(closure_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        node_free(&c->v[i]);
    free(c->v);
    memset(c, 0, sizeof(*c));
}

/* index of (package, version) among the resolved nodes, or -1; a linear
 * scan: closures are walked once, and CLOSURE_MAX_NODES bounds it */
static long find_node(const closure_t *c, const char *package, const char *version)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].version && !strcmp(c->v[i].version, version) && !strcmp(c->v[i].package, package))
            return (long)i;
    return -1;
}

static closure_node_t *add_node(closure_t *c, const char *package, const char *version, const char *spec,
                                size_t parent, int depth, const char *error)
{
    if (c->n == CLOSURE_MAX_NODES) {
        c->truncated = 1;
        return NULL;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        closure_node_t *nv = realloc(c->v, cap * sizeof(*nv));
        if (nv == NULL)
            return NULL;
        c->v = nv;
        c->cap = cap;
    }
    closure_node_t *n = &c->v[c->n];
    memset(n, 0, sizeof(*n));
    n->package = strdup(package);
    n->version = version ? strdup(version) : NULL;
    n->spec = strdup(spec ? spec : "");
    n->error = error ? strdup(error) : NULL;
    n->parent = parent;
    n->depth = depth;
    if (!n->package || !n->spec || (version && !n->version) || (error && !n->error)) {
        node_free(n);
        return NULL;
    }
    c->n++;
    return n;
}

/* what one hook call said: its dependencies and the documents it lacked */
typedef struct asked {
    closure_t *c;
    size_t node;
    int oom;
    closure_dep_t *deps; /* strings owned */
    size_t ndeps, capdeps;
    metadata_want_t *need; /* the round's, shared by every call; key and url owned */
    size_t *nneed, *capneed;
    char **tried; /* keys fetched in earlier rounds: asking for one again is not progress */
    size_t ntried;
    int lacked; /* this call named a document */
    int added;  /* ... that no earlier round fetched */
} asked_t;

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void on_dep(void *arg, const closure_dep_t *d)
{
    asked_t *a = arg;
    if (a->ndeps == a->capdeps) {
        size_t cap = a->capdeps ? a->capdeps * 2 : 16;
        closure_dep_t *nv = realloc(a->deps, cap * sizeof(*nv));
        if (nv == NULL) {
            a->oom = 1;
            return;
        }
        a->deps = nv;
        a->capdeps = cap;
    }
    closure_dep_t *c = &a->deps[a->ndeps];
    c->package = dup_or_null(d->package);
    c->spec = dup_or_null(d->spec);
    c->version = dup_or_null(d->version);
    c->error = dup_or_null(d->error);
    a->ndeps++;
}

static void deps_free(asked_t *a)
{
    for (size_t i = 0; i < a->ndeps; i++) {
        free((char *)a->deps[i].package);
        free((char *)a->deps[i].spec);
        free((char *)a->deps[i].version);
        free((char *)a->deps[i].error);
    }
    free(a->deps);
    a->deps = NULL;
    a->ndeps = a->capdeps = 0;
}

static void on_need(void *arg, const version_source_t *src)
{
    asked_t *a = arg;
    a->lacked = 1;
    for (size_t i = 0; i < a->ntried; i++)
        if (!strcmp(a->tried[i], src->key))
            return;
    a->added = 1;
    for (size_t i = 0; i < *a->nneed; i++)
        if (!strcmp(a->need[i].key, src->key))
            return;
    if (*a->nneed == *a->capneed) {
        size_t cap = *a->capneed ? *a->capneed * 2 : 16;
        metadata_want_t *nv = realloc(a->need, cap * sizeof(*nv));
        if (nv == NULL) {
            a->oom = 1;
            return;
        }
        a->need = nv;
        *a->capneed = cap;
    }
    if (metadata_want_copy(&a->need[*a->nneed], src->key, src->url, src->accept, src->ingest) != 0) {
        a->oom = 1;
        return;
    }
    (*a->nneed)++;
}

typedef struct landed {
    size_t ok, failed;
} landed_t;

static void on_landed(void *arg, size_t i, const flight_outcome_t *out)
{
    (void)i;
    landed_t *l = arg;
    if (out->status == 0)
        l->ok++;
    else
        l->failed++;
}

/* an index list that grows */
typedef struct ixlist {
    size_t *v, n, cap;
} ixlist_t;

static int ix_push(ixlist_t *l, size_t i)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        size_t *nv = realloc(l->v, cap * sizeof(*nv));
        if (nv == NULL)
            return -1;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = i;
    return 0;
}

static void wants_free(metadata_want_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        metadata_want_clear(&w[i]);
    free(w);
}

/* a resolved version's dependencies become nodes, and those not seen
 * before are walked in turn */
static int take_deps(closure_t *c, size_t i, const asked_t *a, ixlist_t *queue)
{
    for (size_t d = 0; d < a->ndeps; d++) {
        const closure_dep_t *dep = &a->deps[d];
        if (dep->package == NULL || (dep->version && find_node(c, dep->package, dep->version) >= 0))
            continue;
        closure_node_t *n = add_node(c, dep->package, dep->version, dep->spec, i, c->v[i].depth + 1,
                                     dep->version ? NULL : (dep->error ? dep->error : "no version satisfies it"));
        if (n == NULL)
            return c->truncated ? 0 : -1;
        if (n->version == NULL)
            continue;
        if (ix_push(queue, c->n - 1) != 0)
            return -1;
    }
    return 0;
}

static void set_error(closure_node_t *n, const char *msg)
{
    free(n->error);
    n->error = strdup(msg);
}

int closure_resolve(const config_t *cfg, eco_id_t eco, const char *package, const char *version,
                    const closure_target_t *t, closure_t *out)
{
    memset(out, 0, sizeof(*out));
    const ecosystem_t *e = eco < ECO_COUNT ? ecosystems[eco] : NULL;
    if (e == NULL || e->closure_deps == NULL)
        return -1;
    out->eco = eco;
    closure_target_t def;
    closure_target_default(&def);
    snprintf(out->platform, sizeof(out->platform), "%s", t && t->platform ? t->platform : def.platform);
    snprintf(out->python, sizeof(out->python), "%s", t && t->python ? t->python : def.python);
    closure_target_t target = {out->platform, out->python};
    int64_t now = time_now_ms();
    if (add_node(out, package, version, "", 0, 0, NULL) == NULL)
        return -1;

    ixlist_t queue = {0}, again = {0};
    char **tried = NULL;
    size_t ntried = 0;
    int rc = ix_push(&queue, 0);
    while (rc == 0) {
        metadata_want_t *need = NULL;
        size_t nneed = 0, capneed = 0;
        again.n = 0;
        for (size_t q = 0; q < queue.n && rc == 0; q++) {
            size_t i = queue.v[q];
            char err[300] = "";
            asked_t a = {.c = out, .node = i, .need = need, .nneed = &nneed, .capneed = &capneed,
                         .tried = tried, .ntried = ntried};
            int got = e->closure_deps(out->v[i].package, out->v[i].version, &target, on_dep, on_need, &a, err,
                                      sizeof(err));
            need = a.need;
            if (a.oom)
                rc = -1;
            else if ((got == 0 || a.lacked) && a.added)
                rc = ix_push(&again, i);
            else if (got == 0 || a.lacked)
                set_error(&out->v[i], "upstream has no metadata for it (or cordon could not fetch it)");
            else if (got < 0)
                set_error(&out->v[i], err[0] ? err : "its dependencies could not be read");
            else
                rc = take_deps(out, i, &a, &queue);
            deps_free(&a);
        }
        if (rc != 0 || again.n == 0) {
            wants_free(need, nneed);
            break;
        }
        /* fetch what was missing, then ask those versions again */
        landed_t l = {0, 0};
        metadata_batch_result_t res;
        if (nneed && out->rounds < CLOSURE_MAX_ROUNDS && cfg->lockfile_deadline_ms > 0) {
            metadata_fetch_batch(need, nneed, FETCH_PARALLEL, cfg->lockfile_deadline_ms, on_landed, &l, &res);
            out->rounds++;
        }
        out->fetched += l.ok;
        out->fetch_failed += l.failed + (nneed - l.ok - l.failed);
        char **nt = realloc(tried, (ntried + nneed) * sizeof(*nt));
        if (nt == NULL) {
            wants_free(need, nneed);
            rc = -1;
            break;
        }
        tried = nt;
        for (size_t k = 0; k < nneed; k++) { /* the keys move to tried */
            tried[ntried++] = (char *)need[k].key;
            need[k].key = NULL;
        }
        wants_free(need, nneed);
        if (l.ok == 0) {
            for (size_t k = 0; k < again.n; k++)
                set_error(&out->v[again.v[k]], "cordon could not fetch the metadata its dependencies need from upstream");
            break;
        }
        ixlist_t swap = queue;
        queue = again;
        again = swap;
    }
    /* every version decided once the metadata it needed is in: the facts
     * are upstream's, not "first seen now" */
    for (size_t i = 0; rc == 0 && i < out->n; i++) {
        closure_node_t *n = &out->v[i];
        if (n->version == NULL)
            continue;
        held_decide(cfg, eco, n->package, n->version, now, &n->vd);
        if (!n->vd.allow && e->alternative &&
            e->alternative(n->package, n->version, n->alternative, sizeof(n->alternative)) != 0)
            n->alternative[0] = '\0';
    }
    free(queue.v);
    free(again.v);
    for (size_t k = 0; k < ntried; k++)
        free(tried[k]);
    free(tried);
    if (rc != 0) {
        closure_free(out);
        return -1;
    }
    return 0;
}

int closure_approvable(const closure_t *c, size_t i)
{
    const closure_node_t *n = &c->v[i];
    return n->version && verdict_held(&n->vd) && n->vd.reason != REASON_MALICIOUS &&
           n->vd.reason != REASON_REMOVED_UPSTREAM;
}

size_t closure_held_count(const closure_t *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += c->v[i].version && !c->v[i].vd.allow;
    return k;
}

size_t closure_approvable_count(const closure_t *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += (size_t)closure_approvable(c, i);
    return k;
}
