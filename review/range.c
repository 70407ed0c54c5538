/* range: a range resolved as its client would resolve it through cordon
 * (see range.h). The ecosystem names the versions inside the range
 * (spec_versions); they are judged newest first, one verdict each
 * (lockfiles_judge_version, which fetches what a verdict needs, such as a
 * Maven POM's time), until one is served: the client's highest satisfying
 * served version is that one. */
#include "review/range.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ecosystem.h"
#include "upstream/metadata_batch.h"

#define NEED_MAX 4 /* documents one listing needs (one, in practice) */

typedef struct collected {
    char **v;
    size_t n, cap;
    int oom;
    metadata_want_t need[NEED_MAX];
    size_t nneed;
} collected_t;

static void on_version(void *arg, const char *version)
{
    collected_t *c = arg;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i], version) == 0)
            return; /* PyPI names a release once per file */
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        char **nv = realloc(c->v, cap * sizeof(*nv));
        if (nv == NULL) {
            c->oom = 1;
            return;
        }
        c->v = nv;
        c->cap = cap;
    }
    if ((c->v[c->n] = strdup(version)) == NULL)
        c->oom = 1;
    else
        c->n++;
}

static void on_need(void *arg, const version_source_t *src)
{
    collected_t *c = arg;
    if (c->nneed < NEED_MAX &&
        metadata_want_copy(&c->need[c->nneed], src->key, src->url, src->accept, src->ingest) == 0)
        c->nneed++;
}

/* the listing lands in the store by the fetch itself: nothing else to keep */
static void on_landed(void *arg, size_t i, const flight_outcome_t *out)
{
    (void)arg;
    (void)i;
    (void)out;
}

static void versions_free(collected_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i]);
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

static void needs_free(collected_t *c)
{
    for (size_t i = 0; i < c->nneed; i++)
        metadata_want_clear(&c->need[i]);
    c->nneed = 0;
}

/* insertion sort with the ecosystem's order: the comparator needs the
 * ecosystem, and a range rarely holds more than a few hundred versions */
static void sort_newest_first(const ecosystem_t *e, char **v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        char *x = v[i];
        size_t j = i;
        while (j > 0 && e->version_compare(v[j - 1], x) < 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static int set_error(range_result_t *out, const char *msg)
{
    out->error = strdup(msg);
    return out->error ? 0 : -1;
}

/* drops the versions not below `below` */
static void keep_below(const ecosystem_t *e, collected_t *c, const char *below)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (e->version_compare(c->v[i], below) < 0)
            c->v[k++] = c->v[i];
        else
            free(c->v[i]);
    }
    c->n = k;
}

static int resolve(const config_t *cfg, eco_id_t eco, const char *package, const char *spec, const char *below,
                   range_result_t *out)
{
    memset(out, 0, sizeof(*out));
    const ecosystem_t *e = ecosystems[eco];
    char err[400] = "";
    if (e == NULL || e->spec_versions == NULL || e->version_compare == NULL)
        return set_error(out, "cordon does not read ranges for this ecosystem: ask for a version");
    collected_t c;
    memset(&c, 0, sizeof(c));
    int got = e->spec_versions(package, spec, on_version, on_need, &c, err, sizeof(err));
    if (got == 0 && c.nneed > 0) { /* cordon has no copy of the listing: fetched, then asked again */
        metadata_batch_result_t res;
        metadata_fetch_batch(c.need, c.nneed, NEED_MAX, cfg->lockfile_deadline_ms, on_landed, NULL, &res);
        needs_free(&c);
        versions_free(&c);
        got = e->spec_versions(package, spec, on_version, on_need, &c, err, sizeof(err));
    }
    needs_free(&c);
    if (got <= 0 || c.oom) {
        versions_free(&c);
        if (c.oom)
            return -1;
        if (got == 0)
            snprintf(err, sizeof(err), "cordon could not fetch %s's listing from upstream: ask again later", package);
        return set_error(out, err);
    }
    if (below != NULL)
        keep_below(e, &c, below);
    out->satisfying = c.n;
    if (c.n == 0) {
        versions_free(&c);
        if (below != NULL)
            snprintf(err, sizeof(err), "upstream lists no release of %s before %s", package, below);
        else
            snprintf(err, sizeof(err), "upstream lists no version of %s inside '%s'", package, spec);
        return set_error(out, err);
    }
    sort_newest_first(e, c.v, c.n);
    out->held = calloc(c.n < RANGE_JUDGED_MAX ? c.n : RANGE_JUDGED_MAX, sizeof(*out->held));
    if (out->held == NULL) {
        versions_free(&c);
        return -1;
    }
    size_t i;
    for (i = 0; i < c.n && i < RANGE_JUDGED_MAX; i++) {
        lockfile_judged_t v;
        if (lockfiles_judge_version(cfg, eco, package, c.v[i], &v) != 0) {
            versions_free(&c);
            return -1;
        }
        range_version_t *slot = v.status == LOCK_ALLOWED ? &out->pick : &out->held[out->nheld++];
        slot->version = c.v[i];
        slot->v = v;
        c.v[i] = NULL; /* moved */
        if (v.status == LOCK_ALLOWED)
            break;
    }
    out->truncated = out->pick.version == NULL && c.n > RANGE_JUDGED_MAX;
    versions_free(&c);
    return 0;
}

int range_resolve(const config_t *cfg, eco_id_t eco, const char *package, const char *spec, range_result_t *out)
{
    return resolve(cfg, eco, package, spec, NULL, out);
}

int range_resolve_below(const config_t *cfg, eco_id_t eco, const char *package, const char *version,
                        range_result_t *out)
{
    return resolve(cfg, eco, package, "", version, out);
}

void range_result_free(range_result_t *r)
{
    for (size_t i = 0; i < r->nheld; i++) {
        free(r->held[i].version);
        lockfile_judged_free(&r->held[i].v);
    }
    free(r->held);
    if (r->pick.version) {
        free(r->pick.version);
        lockfile_judged_free(&r->pick.v);
    }
    free(r->error);
    memset(r, 0, sizeof(*r));
}
