/* attested: the source repository each version's provenance names, as the
 * ecosystem read it from the attestation bundle its upstream serves
 * (DB_ATTESTED). A repository, once read, does not change: an attestation
 * is signed once. intel/history.h compares them within a line. */
#ifndef CORDON_ATTESTED_H
#define CORDON_ATTESTED_H

#include <lmdb.h>
#include <stddef.h>

#include "core/eco.h"

#define ATTESTED_REPO_MAX 256

/* records (eco, package, version)'s repository in a write of its own: 0, or -1 (err) */
int attested_put(eco_id_t eco, const char *package, const char *version, const char *repository, char *err,
                 size_t errlen);
/* 1 and out filled when recorded, 0 when not */
int attested_get(MDB_txn *txn, eco_id_t eco, const char *package, const char *version, char *out, size_t outlen);

#endif
