/* blob: the content-addressed blob store on disk (data_dir/blobs/ab/abcdef…,
 * named by SHA-256). Bytes are written to data_dir/tmp while being hashed,
 * verified by the caller, then fsync'd and renamed into place, so a blob in
 * service is always whole and verified, whatever crashes in between. */
#ifndef CORDON_BLOB_H
#define CORDON_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "common/digest.h"

typedef struct blob_writer {
    int fd;
    char tmp_path[4096];
    digest_set_t digests;
    uint64_t size;
    int error; /* errno of the first failed write (ENOSPC: disk full) */
} blob_writer_t;

int blob_init(const char *data_dir, char *err, size_t errlen);
/* mask: digests to compute besides sha256 (see digest.h) */
int blob_writer_open(blob_writer_t *w, unsigned digest_mask);
int blob_writer_write(blob_writer_t *w, const void *p, size_t n);
/* finishes the digests (call before checking integrity) */
void blob_writer_finish(blob_writer_t *w);
/* fsyncs and renames into place; out receives the sha256 hex */
int blob_writer_commit(blob_writer_t *w, char sha256hex[65]);
void blob_writer_abort(blob_writer_t *w);

/* path of a stored blob; 0 if it exists */
int blob_path(const char *sha256hex, char *out, size_t outlen);
int blob_exists(const char *sha256hex);
/* a file under data_dir/derived for documents cordon renders (filtered metadata) */
void blob_derived_path(const char *name, char *out, size_t outlen);
/* writes bytes to data_dir/derived/name atomically (tmp + rename) */
int blob_write_derived(const char *name, const void *p, size_t n);
const char *blob_tmp_dir(void);

#endif
