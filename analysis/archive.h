/* archive: a streaming walk over an artifact with libarchive — npm .tgz,
 * PyPI wheels, eggs and sdists (zip, tar compressed any common way), Maven
 * jars, wars, zips and tarballs, single compressed files — that
 * never holds the whole archive in memory and never writes to disk. Hard
 * limits stop bombs; hostile entries (absolute paths, "..", device files,
 * links pointing outside the archive) are reported, never followed. A
 * nested archive is an ordinary file: it is not unpacked. */
#ifndef CORDON_ARCHIVE_H
#define CORDON_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h" /* archive_limits_t */


typedef enum {
    ARCHIVE_ENTRY_FILE = 0,
    ARCHIVE_ENTRY_DIR,
    ARCHIVE_ENTRY_SYMLINK,
    ARCHIVE_ENTRY_HARDLINK,
    ARCHIVE_ENTRY_OTHER /* devices, fifos, sockets */
} archive_entry_kind_t;

typedef struct archive_entry_info {
    const char *path; /* as stored, with a leading "./" removed */
    archive_entry_kind_t kind;
    int64_t size;     /* as declared by the header (may lie; the walk counts real bytes) */
    int depth;        /* path components */
} archive_entry_info_t;

/* Asked for every file entry: how many bytes of its content the caller
 * wants (0: none; the rest of the entry is skipped, still counted against
 * the limits). At most 4 MB. */
typedef size_t (*archive_want_fn)(void *arg, const archive_entry_info_t *e);
/* The content asked for (len <= wanted; truncated = the entry is longer). */
typedef void (*archive_content_fn)(void *arg, const archive_entry_info_t *e, const char *data, size_t len,
                                   int truncated);

/* After every entry the walk read to its end: its kind, the bytes it held
 * (counted, not declared) and, for a file, the SHA-256 of its content
 * (NULL for the other kinds). Entries the walk stopped in are not reported. */
typedef void (*archive_entry_fn)(void *arg, const archive_entry_info_t *e, int64_t bytes,
                                 const unsigned char *sha256);

/* What a walk calls; any member may be NULL (a walk that only checks) */
typedef struct archive_visitor {
    archive_want_fn want;
    archive_content_fn content;
    archive_entry_fn entry; /* set: every file's content is hashed */
    void *arg;
} archive_visitor_t;

typedef struct archive_report {
    int malformed;         /* unreadable, truncated, or a limit exceeded: the walk stopped */
    char malformed_why[256];
    int unsafe;            /* at least one hostile entry (the walk went on) */
    char unsafe_why[256];  /* the first one, e.g. "entry '../../etc/passwd' climbs out of the archive" */
    int64_t entries;
    int64_t total;         /* uncompressed bytes read */
} archive_report_t;

/* What the bytes must be. */
typedef enum {
    ARCHIVE_TAR_OR_ZIP = 0, /* a tar (plain, or compressed with gzip, bzip2, xz, lzma, lzip, zstd, lz4 or
                             * compress) or a zip, told apart by the content */
    ARCHIVE_COMPRESSED,     /* one compressed file (a Maven .gz, .xz, …): decompressed to its end and
                             * counted as one entry named "data"; uncompressed bytes are malformed */
} archive_format_t;

/* Walks the archive in a file, or in memory, as ARCHIVE_TAR_OR_ZIP.
 * Returns 0 when the walk ran (verdict in out), -1 when the file cannot be
 * opened (errno set). Only decompressors built into libarchive are used,
 * never an external program. */
int archive_walk_file(const char *path, const archive_limits_t *lim, archive_want_fn want,
                      archive_content_fn content, void *arg, archive_report_t *out);
int archive_walk_memory(const void *data, size_t len, const archive_limits_t *lim, archive_want_fn want,
                        archive_content_fn content, void *arg, archive_report_t *out);
/* the same, for the given format, with a visitor (NULL: none) */
int archive_walk_file_as(const char *path, archive_format_t format, const archive_limits_t *lim,
                         const archive_visitor_t *v, archive_report_t *out);
int archive_walk_memory_as(const void *data, size_t len, archive_format_t format, const archive_limits_t *lim,
                           const archive_visitor_t *v, archive_report_t *out);

#endif
