/* record: the byte layout of the values cordon keeps in LMDB, and the typed
 * records built on it. A value is a format byte followed by fixed-width
 * little-endian integers and length-prefixed strings; readers check every
 * bound, so a damaged value decodes as an error, never as garbage. */
#ifndef CORDON_RECORD_H
#define CORDON_RECORD_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct rec_reader {
    const unsigned char *p, *end;
    int err;
} rec_reader_t;

void rec_put_i64(buf_t *b, int64_t v);
void rec_put_str(buf_t *b, const char *s); /* NULL is stored as empty */
void rec_reader_init(rec_reader_t *r, const void *p, size_t n);
int64_t rec_get_i64(rec_reader_t *r);
/* returns a malloc'd NUL-terminated copy ("" for empty), NULL on error */
char *rec_get_str(rec_reader_t *r);

/* u64 keys in big-endian order, so LMDB sorts them numerically (sequences, ids) */
void u64_key(uint64_t v, unsigned char out[8]);
uint64_t u64_from_key(const void *p, size_t n); /* 0 when not 8 bytes */

/* ---- version record: what cordon knows about one version (or one file of
 * a version, for PyPI) of a package ---- */
#define VERSION_HAS_INSTALL_SCRIPT 0x1
#define VERSION_NEW_INSTALL_SCRIPT 0x2 /* earlier versions (by publish time) had none */
#define VERSION_SDIST_ONLY 0x4         /* PyPI: the release has no wheel */

typedef struct version_rec {
    int64_t first_seen;   /* ms; when cordon first saw it upstream */
    int64_t published_at; /* ms; upstream's time, TIME_NONE when it gave none */
    int64_t flags;
    char *integrity;    /* "sha512-…" SRI, or "sha1:<hex>", "sha256:<hex>" */
    char *artifact_url; /* absolute upstream URL of the artifact */
} version_rec_t;

/* key = eco \0 package \0 version; returns key length (out >= 1024 bytes) or 0 if too long */
size_t version_key(char *out, size_t outlen, const char *eco, const char *package, const char *version);
void version_rec_encode(const version_rec_t *v, buf_t *out);
int version_rec_decode(const void *p, size_t n, version_rec_t *v);
void version_rec_free(version_rec_t *v);
/* MDB_NOTFOUND when absent */
int version_rec_get(MDB_txn *txn, const char *key, size_t klen, version_rec_t *v);
/* the same in a read transaction of its own: 0 found (*v filled), -1 not */
int version_rec_load(const char *eco, const char *package, const char *version, version_rec_t *v);

/* ---- package record: what upstream metadata said about a whole package
 * the last time cordon read it (DB_PACKAGES). Analysis weighs a name that
 * looks like a popular one by it: an old package with a long history is
 * not a fresh typosquat. ---- */
typedef struct package_rec {
    int64_t first_published; /* ms; the earliest publish time upstream gives, TIME_NONE if none */
    int64_t last_published;  /* ms; the latest one, TIME_NONE if none */
    int64_t nversions;       /* versions upstream lists */
    int64_t first_seen;      /* ms; when cordon first read the package's metadata */
} package_rec_t;

/* key = eco \0 package; returns key length or 0 if too long */
size_t package_key(char *out, size_t outlen, const char *eco, const char *package);
void package_rec_encode(const package_rec_t *p, buf_t *out);
int package_rec_decode(const void *p, size_t n, package_rec_t *out);
/* MDB_NOTFOUND when absent */
int package_rec_get(MDB_txn *txn, const char *eco, const char *package, package_rec_t *out);
/* Writes what one read of upstream metadata said (first_seen kept from an
 * earlier record); an unchanged record is not rewritten. */
int package_rec_put(MDB_txn *txn, const char *eco, const char *package, const package_rec_t *p);

/* ---- metadata cache record ---- */
typedef struct meta_rec {
    int64_t fetched_at;  /* ms; last time upstream confirmed this copy (200 or 304) */
    int64_t size;
    char *blob;          /* sha256 hex of the body in the blob store */
    char *etag;          /* upstream validators, for revalidation */
    char *last_modified;
    char *content_type;
} meta_rec_t;

void meta_rec_encode(const meta_rec_t *m, buf_t *out);
int meta_rec_decode(const void *p, size_t n, meta_rec_t *m);
void meta_rec_free(meta_rec_t *m);

/* ---- blob index record: an artifact's verified bytes ---- */
typedef struct blob_rec {
    int64_t size;
    int64_t stored_at;
    char *blob;          /* sha256 hex */
    uint64_t generation; /* the store generation that indexed it (store_generation()); 0 in old records */
} blob_rec_t;

void blob_rec_encode(const blob_rec_t *b, buf_t *out);
int blob_rec_decode(const void *p, size_t n, blob_rec_t *b);
void blob_rec_free(blob_rec_t *b);

#endif
