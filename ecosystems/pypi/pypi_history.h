/* pypi_history: a project page's release history as intel/history.h reads
 * it — each release's line (its first component: "2" of 2.31.0), first
 * upload, whether a file of it carries PEP 740 provenance and, once read,
 * the publisher repository that provenance names — and what it says, kept
 * with each release's findings (digest "history").
 *
 * The repository is in the provenance object the file's "provenance" URL
 * serves ({"attestation_bundles": [{"publisher": {"kind", "repository"}}]}):
 * after an ingest, the objects of the newest releases whose repository
 * cordon does not know are fetched in the background (a few per ingest,
 * absolute URLs only, under the PyPI upstream's outbound policy), recorded
 * (intel/attested.h) as "<kind>:<repository>", and the project's findings
 * worked out again. */
#ifndef CORDON_PYPI_HISTORY_H
#define CORDON_PYPI_HISTORY_H

#include <lmdb.h>
#include <stddef.h>

#include "ecosystems/pypi/pypi_index.h"
#include "intel/history.h"

typedef struct pypi_history {
    history_version_t *hv; /* per release */
    const char **url;      /* per release: a provenance URL of one of its files (NULL: none) */
    char (*lines)[32];
    char **repos;
    unsigned char *flags;  /* NULL when out of memory (no finding then) */
    size_t n;
} pypi_history_t;

/* 0, or -1 when out of memory */
int pypi_history_build(pypi_history_t *h, const pypi_project_t *p, const char *project);
void pypi_history_free(pypi_history_t *h);
/* inside the ingest's write transaction: each release's history findings */
int pypi_history_record(MDB_txn *txn, const pypi_history_t *h, const char *project);
/* after the ingest committed: fetches the provenance objects still to read */
void pypi_history_fetch_provenance(const pypi_history_t *h, const char *project);
/* the repository a PEP 740 provenance object names ("GitHub:owner/repo"): 0, or -1 with a reason */
int pypi_provenance_repository(const char *doc, size_t len, char *out, size_t outlen, char *err, size_t errlen);

#endif
