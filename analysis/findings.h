/* findings: what analysis says about a version, and where it is kept.
 *
 * A finding has a kind (below), a one-line detail ("postinstall: node
 * steal.js", "looks like lodash (one character changed)") and maps to one
 * of DESIGN.md's denial reasons. The configuration (`analysis:`) maps each
 * kind to hold, warn or ignore; policy_decide reads the findings of a
 * version as facts and holds it when a kind says hold.
 *
 * Archive findings are stored per (ecosystem, package, version, artifact
 * digest) in LMDB, so each artifact is analysed once; name and metadata
 * findings are recomputed when needed (they are cheap). */
#ifndef CORDON_FINDINGS_H
#define CORDON_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/finding_kind.h"

#define FINDING_DETAIL_MAX 240

typedef struct findings {
    uint32_t mask;   /* 1u << kind */
    uint32_t capped; /* kinds that warn at most whatever the configuration says
                        (a look-alike name of an established package) */
    char detail[FINDING_KIND_COUNT][FINDING_DETAIL_MAX];
} findings_t;

void findings_clear(findings_t *f);
/* adds (keeps the first detail of a kind) */
void findings_add(findings_t *f, finding_kind_t k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void findings_merge(findings_t *into, const findings_t *from);
/* the action a finding of kind k gets: the configured one, at most warn when capped */
finding_action_t findings_action(const findings_t *f, finding_kind_t k, finding_action_t configured);

/* ---- the store (DB_FINDINGS): archive findings of one artifact ---- */
#include <lmdb.h>
/* the key of one artifact's record, eco\0package\0version\0digest (digest
 * NULL: the prefix of every artifact of the version, ending in \0), also
 * DB_CONTENTS's; its length, 0 when it would exceed LMDB's 511 bytes */
size_t findings_key(char *out, size_t outlen, const char *eco, const char *package, const char *version,
                    const char *digest);
/* puts rec under that key in db (DB_FINDINGS, DB_CONTENTS): an LMDB code,
 * 0 for a key too long to keep, ENOMEM for a record that ran out of memory */
#include "common/buf.h"
#include "store/store.h"
int artifact_record_put(MDB_txn *txn, store_db_t db, const char *eco, const char *package, const char *version,
                        const char *digest, const buf_t *rec);
int findings_put(MDB_txn *txn, const char *eco, const char *package, const char *version, const char *digest,
                 const findings_t *f);
/* the same, writing only a change: f with no finding removes the record
 * (what a package's history says is recomputed at every ingest) */
int findings_replace(MDB_txn *txn, const char *eco, const char *package, const char *version, const char *digest,
                     const findings_t *f);
/* a short fingerprint of every stored finding of the package's artifacts:
 * documents rendered before an artifact of it was analysed are not served
 * after (out: 17 bytes) */
void findings_package_fp(MDB_txn *txn, const char *eco, const char *package, char out[17]);
/* merges every stored artifact's findings of the version; 1 when at least
 * one artifact of it was analysed, 0 when none was */
int findings_get_version(MDB_txn *txn, const char *eco, const char *package, const char *version, findings_t *out);

#endif
