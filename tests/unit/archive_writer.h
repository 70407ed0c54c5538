/* archive_writer: making archives in unit tests with libarchive's writer,
 * in memory or into a file — tarballs, zips (wheels, jars), hostile
 * entries. Header-only: test programs include it once. */
#ifndef CORDON_TEST_ARCHIVE_WRITER_H
#define CORDON_TEST_ARCHIVE_WRITER_H

#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"

enum { TGZ, TAR, ZIP, USTAR_GZ, TAR_BZ2, TAR_XZ, TAR_Z, TAR_ZST, TAR_LZ, TAR_LZMA, TAR_LZ4, RAW_GZ, RAW_XZ };

/* the compression filter a kind adds (ARCHIVE_FILTER_NONE: none) */
static inline int w_filter_of(int kind)
{
    switch (kind) {
    case TGZ: case USTAR_GZ: case RAW_GZ: return ARCHIVE_FILTER_GZIP;
    case TAR_BZ2: return ARCHIVE_FILTER_BZIP2;
    case TAR_XZ: case RAW_XZ: return ARCHIVE_FILTER_XZ;
    case TAR_Z: return ARCHIVE_FILTER_COMPRESS;
    case TAR_ZST: return ARCHIVE_FILTER_ZSTD;
    case TAR_LZ: return ARCHIVE_FILTER_LZIP;
    case TAR_LZMA: return ARCHIVE_FILTER_LZMA;
    case TAR_LZ4: return ARCHIVE_FILTER_LZ4;
    default: return ARCHIVE_FILTER_NONE;
    }
}

static inline la_ssize_t to_buf(struct archive *a, void *arg, const void *p, size_t n)
{
    buf_append(arg, p, n);
    return ((buf_t *)arg)->oom ? -1 : (la_ssize_t)n;
}

/* a writer into out (or into the file path when out is NULL) */
static inline struct archive *w_new(int kind, buf_t *out, const char *path)
{
    struct archive *a = archive_write_new();
    if (kind == ZIP) {
        archive_write_set_format_zip(a);
    } else if (kind == RAW_GZ || kind == RAW_XZ) {
        archive_write_set_format_raw(a); /* one entry: a compressed file, no archive */
    } else if (kind == USTAR_GZ) {
        archive_write_set_format_ustar(a);
    } else {
        archive_write_set_format_pax_restricted(a);
    }
    if (kind == TGZ || kind == USTAR_GZ) {
        archive_write_add_filter_gzip(a);
        archive_write_set_filter_option(a, "gzip", "compression-level", "1");
    } else if (w_filter_of(kind) != ARCHIVE_FILTER_NONE) {
        archive_write_add_filter(a, w_filter_of(kind));
    }
    archive_write_set_bytes_in_last_block(a, 1);
    int rc = out != NULL ? archive_write_open(a, out, NULL, to_buf, NULL) : archive_write_open_filename(a, path);
    if (rc != ARCHIVE_OK)
        fprintf(stderr, "archive_write_open: %s\n", archive_error_string(a));
    return a;
}

static inline void w_entry(struct archive *a, const char *path, unsigned type, const char *link, int hard, const void *data,
                    int64_t len)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    if (link != NULL && hard)
        archive_entry_set_hardlink(e, link);
    else if (link != NULL)
        archive_entry_set_symlink(e, link);
    if (type == AE_IFCHR)
        archive_entry_set_rdevmajor(e, 1), archive_entry_set_rdevminor(e, 3);
    archive_entry_set_size(e, type == AE_IFREG && !hard ? len : 0);
    if (archive_write_header(a, e) != ARCHIVE_OK)
        fprintf(stderr, "archive_write_header(%s): %s\n", path, archive_error_string(a));
    if (data != NULL && len > 0)
        archive_write_data(a, data, (size_t)len);
    archive_entry_free(e);
}

static inline void w_file(struct archive *a, const char *path, const char *text)
{
    w_entry(a, path, AE_IFREG, NULL, 0, text, (int64_t)strlen(text));
}

static inline void w_close(struct archive *a)
{
    archive_write_close(a);
    archive_write_free(a);
}

#endif
