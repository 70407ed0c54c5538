/* backup: `cordon backup DIR`, a hot copy of a data directory that a
 * server started on it serves from as it would from the original: the
 * LMDB store (every decision, approval, block, token, lockfile, the audit
 * chain and the blob index) as one compacted read snapshot, then the blobs
 * that snapshot can name (content-addressed and never rewritten: hard
 * links where DIR is on the same file system, copies elsewhere). Rendered
 * documents (derived/) and partial downloads (tmp/) are left out: cordon
 * makes them again. The audit key is never in it (it lives beside the
 * configuration, not in data_dir). */
#ifndef CORDON_BACKUP_H
#define CORDON_BACKUP_H

#include <stddef.h>
#include <stdint.h>

typedef struct backup_report {
    uint64_t store_bytes;          /* the copied LMDB file */
    uint64_t blobs, blob_bytes;    /* blob files in the copy */
    uint64_t linked, copied;       /* of those: hard links, copies */
} backup_report_t;

/* Copies the open store and, with_blobs, data_dir's blobs into dest (a
 * directory that does not exist or is empty; made 0700). 0, or -1 with err
 * (what was written stays, for a look; dest is then not a usable backup). */
int backup_data_dir(const char *data_dir, const char *dest, int with_blobs, backup_report_t *out, char *err,
                    size_t errlen);

#endif
