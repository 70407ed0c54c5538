/* derived: documents cordon renders from upstream metadata (filtered
 * packuments, project pages). A rendered document is stored under
 * data_dir/derived, named by the SHA-256 of its bytes (so its ETag follows
 * its content), and remembered in DB_STATE under a key that names everything
 * it was rendered from, together with the time until which it holds (the
 * next moment a held version becomes eligible). */
#ifndef CORDON_DERIVED_H
#define CORDON_DERIVED_H

#include <stddef.h>
#include <stdint.h>

/* a file mapped read-only (upstream bytes are parsed in place) */
typedef struct mapped {
    void *p;
    size_t len;
    int heap; /* p was read into memory (small files), not mapped */
} mapped_t;

/* A file's bytes, read-only: 0 (p NULL for an empty file), -1. Files up to
 * MAP_READ_MAX are read into memory rather than mapped: unmapping in a
 * process of many threads makes the kernel interrupt every core to flush
 * its TLB, which costs more than reading a small file (a verdict reads a
 * packument or two). Free with unmap_file. */
#define MAP_READ_MAX (256 * 1024)
int map_file(const char *path, mapped_t *m);
void unmap_file(mapped_t *m);

/* key for (namespace, source blob, representation, public URL, policy
 * fingerprint, renderer version); out >= 80 bytes */
void derived_key(char *out, size_t outlen, const char *ns, const char *blob, const char *repr, const char *public_url,
                 const char *policy, const char *renderer);
/* 0 and the file name when a rendering for key exists and holds at now;
 * with note non-NULL, the note stored with it too (malloc'd, NULL if none) */
int derived_lookup(const char *key, int64_t now, char *file, size_t filelen, char **note);
/* stores bytes as "<prefix>-<sha256>.<ext>" (and their gzip form as
 * "<…>.<ext>.gz" beside it) and remembers it for key until
 * valid_until (TIME_NONE: until the source changes), with a note about it
 * (NULL: none; journal/served_held.h says what the renderers put there).
 * 0 or -1 (errno set). */
int derived_store(const char *key, const char *prefix, const char *ext, const void *bytes, size_t len,
                  int64_t valid_until, const char *note, char *file, size_t filelen);
/* "\"<first 32 hex of the content hash>\"" from a derived file name */
void derived_etag(const char *file, char *out, size_t outlen);

#endif
