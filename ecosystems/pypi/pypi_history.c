/* pypi_history: see pypi_history.h. */
#include "ecosystems/pypi/pypi_history.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "analysis/findings.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "ecosystems/eco_ids.h"
#include "ecosystems/pypi/pypi_path.h"
#include "intel/attested.h"
#include "store/blob.h"
#include "store/derived.h"
#include "store/store.h"
#include "upstream/upstream_cache.h"

#define PROVENANCE_FETCHES_PER_INGEST 8
#define PROVENANCE_MAX (1 << 20)

int pypi_history_build(pypi_history_t *h, const pypi_project_t *p, const char *project)
{
    size_t cap = p->nfiles ? p->nfiles : 1;
    memset(h, 0, sizeof(*h));
    h->hv = calloc(cap, sizeof(*h->hv));
    h->url = calloc(cap, sizeof(*h->url));
    h->lines = calloc(cap, sizeof(*h->lines));
    h->repos = calloc(cap, sizeof(*h->repos));
    h->flags = malloc(cap);
    if (!h->hv || !h->url || !h->lines || !h->repos || !h->flags) {
        pypi_history_free(h);
        return -1;
    }
    for (size_t i = 0; i < p->nfiles; i++) {
        const pypi_file_t *f = &p->files[i];
        if (f->version == NULL)
            continue;
        /* a page lists a release's files together: the last release first */
        size_t j = h->n && strcmp(h->hv[h->n - 1].version, f->version) == 0 ? h->n - 1 : 0;
        while (j < h->n && strcmp(h->hv[j].version, f->version) != 0)
            j++;
        if (j == h->n) {
            /* the line: the release's first component (an epoch stays with it) */
            snprintf(h->lines[j], sizeof(h->lines[j]), "%.*s.x", (int)strcspn(f->version, "."), f->version);
            h->hv[h->n++] = (history_version_t){.version = f->version, .published_at = f->upload_time_ms,
                                                .line = h->lines[j]};
        }
        history_version_t *r = &h->hv[j];
        if (f->upload_time_ms != TIME_NONE && (r->published_at == TIME_NONE || f->upload_time_ms < r->published_at))
            r->published_at = f->upload_time_ms;
        if (f->provenance) {
            r->has_provenance = 1;
            if (h->url[j] == NULL)
                h->url[j] = f->provenance;
        }
    }
    MDB_txn *txn = NULL;
    if (store_is_open() && store_read_begin(&txn) != 0)
        txn = NULL;
    char repo[ATTESTED_REPO_MAX];
    for (size_t j = 0; txn && j < h->n; j++)
        if (h->hv[j].has_provenance && attested_get(txn, ECO_PYPI, project, h->hv[j].version, repo, sizeof(repo)))
            h->hv[j].repository = h->repos[j] = xstrdup(repo);
    store_read_end(txn);
    if (history_flags(h->hv, h->n, h->flags) != 0) {
        free(h->flags);
        h->flags = NULL;
    }
    return 0;
}

void pypi_history_free(pypi_history_t *h)
{
    for (size_t i = 0; h->repos && i < h->n; i++)
        free(h->repos[i]);
    free(h->repos);
    free(h->hv);
    free(h->url);
    free(h->lines);
    free(h->flags);
    memset(h, 0, sizeof(*h));
}

int pypi_history_record(MDB_txn *txn, const pypi_history_t *h, const char *project)
{
    for (size_t i = 0; i < h->n; i++) {
        findings_t f;
        findings_clear(&f);
        if (h->flags && h->flags[i])
            history_findings(project, h->hv, h->n, i, h->flags[i], &f);
        int rc = findings_replace(txn, "pypi", project, h->hv[i].version, "history", &f);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- provenance objects ---- */

int pypi_provenance_repository(const char *doc, size_t len, char *out, size_t outlen, char *err, size_t errlen)
{
    if (len > PROVENANCE_MAX) {
        snprintf(err, errlen, "provenance object larger than %d bytes", PROVENANCE_MAX);
        return -1;
    }
    char *z = malloc(len + 1);
    if (z == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(z, doc, len);
    z[len] = '\0';
    char why[200] = "";
    yajl_val root = yajl_tree_parse(z, why, sizeof(why));
    free(z);
    if (root == NULL) {
        snprintf(err, errlen, "not JSON: %.150s", why[0] ? why : "parse error");
        return -1;
    }
    const char *bundles_path[] = {"attestation_bundles", NULL};
    yajl_val bundles = yajl_tree_get(root, bundles_path, yajl_t_array);
    int rc = -1;
    snprintf(err, errlen, "the provenance object names no publisher repository");
    for (size_t i = 0; bundles && i < YAJL_GET_ARRAY(bundles)->len && rc != 0; i++) {
        yajl_val b = YAJL_GET_ARRAY(bundles)->values[i];
        const char *kind_path[] = {"publisher", "kind", NULL}, *repo_path[] = {"publisher", "repository", NULL};
        yajl_val kind = yajl_tree_get(b, kind_path, yajl_t_string), repo = yajl_tree_get(b, repo_path, yajl_t_string);
        if (kind && repo && *YAJL_GET_STRING(repo)) {
            snprintf(out, outlen, "%s:%s", YAJL_GET_STRING(kind), YAJL_GET_STRING(repo));
            rc = 0;
        }
    }
    yajl_tree_free(root);
    return rc;
}

typedef struct record_op {
    const pypi_history_t *h;
    const char *project;
} record_op_t;

static int record_txn(MDB_txn *txn, void *arg)
{
    record_op_t *op = arg;
    return pypi_history_record(txn, op->h, op->project);
}

/* the project's findings worked out again from its cached page */
static void refresh(const char *project)
{
    char key[PYPI_NAME_MAX + 8], path[4200], err[300];
    meta_rec_t m;
    snprintf(key, sizeof(key), "pypi:%s", project);
    if (metadata_lookup(key, &m) != 0)
        return;
    blob_path(m.blob, path, sizeof(path));
    meta_rec_free(&m);
    mapped_t map;
    if (map_file(path, &map) != 0)
        return;
    pypi_project_t p;
    pypi_history_t h;
    if (pypi_index_parse(&p, project, map.p ? map.p : "", map.len, err, sizeof(err)) == 0) {
        if (pypi_history_build(&h, &p, project) == 0) {
            record_op_t op = {&h, project};
            if (store_write(record_txn, &op, err, sizeof(err)) != STORE_OK)
                log_kv(LOG_ERROR, "cannot record a project's history", "project", project, "error", err, NULL);
            pypi_history_free(&h);
        }
        pypi_index_free(&p);
    }
    unmap_file(&map);
}

/* "pypi-prov:<project>/<version>": a provenance object landed (fetcher thread) */
static int provenance_ingest(const char *key, const char *path, int64_t size, char *err, size_t errlen)
{
    (void)size;
    const char *pv = key + strlen("pypi-prov:");
    const char *slash = strchr(pv, '/');
    if (path == NULL || slash == NULL || slash == pv)
        return 0;
    char project[PYPI_NAME_MAX + 1], repo[ATTESTED_REPO_MAX];
    snprintf(project, sizeof(project), "%.*s", (int)(slash - pv), pv);
    mapped_t m;
    if (map_file(path, &m) != 0) {
        snprintf(err, errlen, "cannot read the fetched provenance: %s", strerror(errno));
        return -1;
    }
    int rc = pypi_provenance_repository(m.p ? m.p : "", m.len, repo, sizeof(repo), err, errlen);
    unmap_file(&m);
    if (rc == 0 && (rc = attested_put(ECO_PYPI, project, slash + 1, repo, err, errlen)) == 0)
        refresh(project);
    return rc;
}

static void provenance_landed(void *arg, const flight_outcome_t *out)
{
    (void)arg;
    if (out->status != 0)
        log_kv(LOG_WARN, "cannot read a provenance object", "error", out->error, NULL);
}

/* a release with a provenance URL cordon can fetch and whose repository is unknown */
static int provenance_unread(size_t i, const void *arg)
{
    const pypi_history_t *h = arg;
    const char *u = h->url[i];
    return u && h->repos[i] == NULL && (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0);
}

void pypi_history_fetch_provenance(const pypi_history_t *h, const char *project)
{
    if (h->repos == NULL || h->hv == NULL)
        return;
    size_t pick[PROVENANCE_FETCHES_PER_INGEST];
    size_t n = history_newest(h->hv, h->n, provenance_unread, h, pick, PROVENANCE_FETCHES_PER_INGEST);
    static char landed_arg; /* provenance_landed keeps nothing */
    for (size_t k = 0; k < n; k++) {
        char key[PYPI_NAME_MAX + 300];
        snprintf(key, sizeof(key), "pypi-prov:%s/%s", project, h->hv[pick[k]].version);
        metadata_fetch_notify(key, h->url[pick[k]], "application/json", provenance_ingest, provenance_landed,
                              &landed_arg);
    }
}
