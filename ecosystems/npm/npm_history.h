/* npm_history: a packument's release history as intel/history.h reads it —
 * each version's line (its semver major), publisher (_npmUser.name),
 * provenance (dist.attestations) and, once read, the source repository
 * that provenance names — and what it says, kept with each version's
 * findings (digest "history") where the artifact route, filtering and the
 * held queue read them.
 *
 * The repository is in the attestation bundle, not the packument: after an
 * ingest, the bundles of the newest versions with provenance whose
 * repository cordon does not know yet are fetched from the same upstream
 * in the background (a few per ingest); when one lands, its repository is
 * recorded (intel/attested.h) and the package's findings are worked out
 * again. A version younger than the window waits for it anyway; a move of
 * repository found later holds the version from then on. */
#ifndef CORDON_NPM_HISTORY_H
#define CORDON_NPM_HISTORY_H

#include <lmdb.h>
#include <stddef.h>

#include "ecosystems/npm/npm_packument.h"
#include "intel/history.h"

typedef struct npm_history {
    history_version_t *hv;  /* per version, document order */
    unsigned char *flags;   /* history_flags; NULL when out of memory (no finding then) */
    char (*lines)[24];
    char **repos;           /* what DB_ATTESTED knows (NULL entries where nothing) */
    size_t n;
} npm_history_t;

/* 0, or -1 when out of memory (h then says nothing) */
int npm_history_build(npm_history_t *h, const npm_packument_t *p);
void npm_history_free(npm_history_t *h);
/* inside the ingest's write transaction: each version's history findings */
int npm_history_record(MDB_txn *txn, const npm_history_t *h, const npm_packument_t *p);
/* after the ingest committed: fetches the bundles still to read */
void npm_history_fetch_attestations(const npm_packument_t *p, const npm_history_t *h);

#endif
