/* npm_history: see npm_history.h. */
#include "ecosystems/npm/npm_history.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/findings.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "ecosystems/eco_ids.h"
#include "ecosystems/npm/npm_attest.h"
#include "ecosystems/npm/npm_path.h"
#include "ecosystems/npm/npm_semver.h"
#include "intel/attested.h"
#include "store/blob.h"
#include "store/derived.h"
#include "store/store.h"
#include "upstream/upstream_cache.h"

#define ATTEST_FETCHES_PER_INGEST 8

int npm_history_build(npm_history_t *h, const npm_packument_t *p)
{
    size_t n = p->nversions ? p->nversions : 1;
    memset(h, 0, sizeof(*h));
    h->n = p->nversions;
    h->hv = calloc(n, sizeof(*h->hv));
    h->lines = calloc(n, sizeof(*h->lines));
    h->repos = calloc(n, sizeof(*h->repos));
    h->flags = malloc(n);
    if (!h->hv || !h->lines || !h->repos || !h->flags) {
        npm_history_free(h);
        return -1;
    }
    MDB_txn *txn = NULL;
    if (store_is_open() && store_read_begin(&txn) != 0)
        txn = NULL;
    for (size_t i = 0; i < p->nversions; i++) {
        const npm_version_t *v = &p->versions[i];
        semver_t sv;
        int ok = semver_parse(v->version, &sv) == 0;
        if (ok)
            snprintf(h->lines[i], sizeof(h->lines[i]), "%llu.x", (unsigned long long)sv.major);
        char repo[ATTESTED_REPO_MAX];
        if (txn && v->has_provenance && attested_get(txn, ECO_NPM, p->name, v->version, repo, sizeof(repo)))
            h->repos[i] = xstrdup(repo);
        h->hv[i] = (history_version_t){.version = v->version, .published_at = v->published_at,
                                       .line = ok ? h->lines[i] : NULL, .publisher = v->publisher,
                                       .has_provenance = v->has_provenance, .repository = h->repos[i]};
    }
    store_read_end(txn);
    if (history_flags(h->hv, h->n, h->flags) != 0) {
        free(h->flags); /* out of memory: no history finding is then the answer */
        h->flags = NULL;
    }
    return 0;
}

void npm_history_free(npm_history_t *h)
{
    for (size_t i = 0; h->repos && i < h->n; i++)
        free(h->repos[i]);
    free(h->repos);
    free(h->hv);
    free(h->lines);
    free(h->flags);
    memset(h, 0, sizeof(*h));
}

int npm_history_record(MDB_txn *txn, const npm_history_t *h, const npm_packument_t *p)
{
    for (size_t i = 0; i < p->nversions; i++) {
        findings_t f;
        findings_clear(&f);
        if (h->hv && h->flags && h->flags[i])
            history_findings(p->name, h->hv, h->n, i, h->flags[i], &f);
        int rc = findings_replace(txn, "npm", p->name, p->versions[i].version, "history", &f);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- attestation bundles ---- */

typedef struct record_op {
    const npm_history_t *h;
    const npm_packument_t *p;
} record_op_t;

static int record_txn(MDB_txn *txn, void *arg)
{
    record_op_t *op = arg;
    return npm_history_record(txn, op->h, op->p);
}

/* the package's findings worked out again from its cached packument (a repository was learned) */
static void refresh(const char *name)
{
    char key[NPM_NAME_MAX + 8], path[4200], err[300];
    meta_rec_t m;
    snprintf(key, sizeof(key), "npm:%s", name);
    if (metadata_lookup(key, &m) != 0)
        return;
    blob_path(m.blob, path, sizeof(path));
    meta_rec_free(&m);
    mapped_t map;
    if (map_file(path, &map) != 0)
        return;
    npm_packument_t p;
    npm_history_t h;
    if (npm_packument_parse(&p, map.p ? map.p : "", map.len, err, sizeof(err)) == 0) {
        if (npm_history_build(&h, &p) == 0) {
            record_op_t op = {&h, &p};
            if (store_write(record_txn, &op, err, sizeof(err)) != STORE_OK)
                log_kv(LOG_ERROR, "cannot record a package's history", "package", name, "error", err, NULL);
            npm_history_free(&h);
        }
        npm_packument_free(&p);
    }
    unmap_file(&map);
}

/* "npm-attest:<name>@<version>": a bundle landed (fetcher thread) */
static int attest_ingest(const char *key, const char *path, int64_t size, char *err, size_t errlen)
{
    (void)size;
    const char *nv = key + strlen("npm-attest:");
    const char *at = strrchr(nv, '@'); /* "@scope/x@1.0.0": the version follows the last '@' */
    if (path == NULL || at == NULL || at == nv)
        return 0; /* upstream no longer has the bundle: nothing learned */
    char name[NPM_NAME_MAX + 1], repo[ATTESTED_REPO_MAX];
    snprintf(name, sizeof(name), "%.*s", (int)(at - nv), nv);
    mapped_t m;
    if (map_file(path, &m) != 0) {
        snprintf(err, errlen, "cannot read the fetched bundle: %s", strerror(errno));
        return -1;
    }
    int rc = npm_attestation_repository(m.p ? m.p : "", m.len, repo, sizeof(repo), err, errlen);
    unmap_file(&m);
    if (rc == 0 && (rc = attested_put(ECO_NPM, name, at + 1, repo, err, errlen)) == 0)
        refresh(name);
    return rc;
}

static void attest_landed(void *arg, const flight_outcome_t *out)
{
    (void)arg;
    if (out->status != 0)
        log_kv(LOG_WARN, "cannot read an attestation bundle", "error", out->error, NULL);
}

typedef struct want_arg {
    const npm_packument_t *p;
    const npm_history_t *h;
} want_arg_t;

/* a version with provenance whose repository is unknown and whose bundle URL cordon can fetch */
static int bundle_unread(size_t i, const void *arg)
{
    const want_arg_t *w = arg;
    const npm_version_t *v = &w->p->versions[i];
    return v->has_provenance && w->h->repos[i] == NULL && v->attestations_url &&
           (strncmp(v->attestations_url, "https://", 8) == 0 || strncmp(v->attestations_url, "http://", 7) == 0);
}

void npm_history_fetch_attestations(const npm_packument_t *p, const npm_history_t *h)
{
    if (h->repos == NULL || h->hv == NULL || p->nversions == 0)
        return;
    size_t pick[ATTEST_FETCHES_PER_INGEST];
    want_arg_t w = {p, h};
    size_t n = history_newest(h->hv, h->n, bundle_unread, &w, pick, ATTEST_FETCHES_PER_INGEST);
    static char landed_arg; /* attest_landed keeps nothing */
    for (size_t k = 0; k < n; k++) {
        const npm_version_t *v = &p->versions[pick[k]];
        char key[NPM_NAME_MAX + 300];
        snprintf(key, sizeof(key), "npm-attest:%s@%s", p->name, v->version);
        /* the key's "npm" makes the npm upstream's origin and credentials govern the fetch */
        metadata_fetch_notify(key, v->attestations_url, "application/json", attest_ingest, attest_landed, &landed_arg);
    }
}
