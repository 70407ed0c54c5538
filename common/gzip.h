/* gzip: one buffer compressed into the gzip format (RFC 1952) with zlib,
 * for documents served with Content-Encoding: gzip. */
#ifndef CORDON_GZIP_H
#define CORDON_GZIP_H

#include <stddef.h>

#include "common/buf.h"

/* the level rendered documents are compressed with, once per render.
 * Measured on make bench's 10 MB packument (zlib 1.2.13, this machine):
 * level 1 24.6 % of the size in 96 ms, 4 21.5 % in 103 ms, 6 20.4 % in
 * 163 ms, 9 20.1 % in 280 ms: 9 saves 1.5 % more bytes for 70 % more time. */
#define GZIP_DOCUMENT_LEVEL 6

/* appends the gzip form of in[0..n) to out: 0, or -1 (out of memory, or zlib refused) */
int gzip_compress(const void *in, size_t n, int level, buf_t *out);

#endif
