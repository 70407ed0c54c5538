/* store: the LMDB environment under data_dir and its named databases. Every
 * module that persists something goes through these helpers, which hide two
 * LMDB chores: growing the map when it fills, and adopting a map another
 * process (the `cordon log` CLI, a second server) has grown. */
#ifndef CORDON_STORE_H
#define CORDON_STORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    DB_VERSIONS = 0, /* eco\0package\0version → version record (first seen, upstream time, integrity) */
    DB_DECISIONS,    /* u64 sequence (big endian) → one JSON decision record, hash-chained */
    DB_BLOBS,        /* artifact key → blob sha256 + size (the blob index) */
    DB_META,         /* metadata cache key → upstream validators, fetch time, blob */
    DB_STATE,        /* small named values (audit chain head, id counters, derived documents) */
    DB_REVIEWS,      /* u64 id (big endian) → one approval or block (policy/approvals.c) */
    DB_HELD,         /* eco\0package\0version → how often and by whom a held version was asked for */
    DB_TOKENS,       /* token name → role, SHA-256 of the token, created */
    DB_REQUESTS,     /* u64 id (big endian) → one review request */
    DB_FINDINGS,     /* eco\0package\0version\0digest → archive findings of one artifact */
    DB_SERVED,       /* eco\0package → how many artifacts cordon served (the local popular set) */
    DB_LOCKFILES,    /* project\0 u64 id (big endian) → one lockfile submission: snapshot, diff, verdicts */
    DB_PACKAGES,     /* eco\0package → package record (history upstream gave: first publish, versions) */
    DB_REMOVED,      /* eco\0package\0name → a takedown: what upstream listed once and lists no more (intel/takedown.h) */
    DB_ATTESTED,     /* eco\0package\0version → the source repository its provenance names (intel/attested.h) */
    DB_CONTENTS,     /* eco\0package\0version\0digest → what one artifact holds (analysis/contents.h) */
    DB_COUNT
} store_db_t;

typedef enum { STORE_OK = 0, STORE_NOTFOUND = 1, STORE_FULL = 2, STORE_ERROR = 3 } store_rc_t;

int store_open(const char *data_dir, int64_t map_size, int readonly, char *err, size_t errlen);
void store_close(void);
/* a consistent copy of the open store (one read snapshot, compacted) into
 * dir, an existing empty directory; writers are not stopped. 0, -1 (err). */
int store_copy(const char *dir, char *err, size_t errlen);
/* whether data_dir holds a store (its LMDB file) */
int store_exists(const char *data_dir);
int store_is_open(void);
MDB_dbi store_dbi(store_db_t db);

/* the id after the last of db's 8-byte big-endian keys (1 when db is
 * empty), inside the write transaction that will use it; an LMDB code */
int store_next_id(MDB_txn *txn, store_db_t db, uint64_t *id);

/* Read transactions: begin/end around short lookups. */
int store_read_begin(MDB_txn **txn);
void store_read_end(MDB_txn *txn);

/* a read transaction with a cursor on db (walks); 0, or -1 with nothing to end */
int store_cursor_begin(store_db_t db, MDB_txn **txn, MDB_cursor **cursor);
void store_cursor_end(MDB_txn *txn, MDB_cursor *cursor);

/* Runs fn inside one write transaction and commits it (fsync'd, durable
 * before return). fn returns an LMDB code; MDB_MAP_FULL from fn or from the
 * commit grows the map and runs fn again. Returns STORE_OK, STORE_FULL
 * (the map cannot grow / disk full) or STORE_ERROR; the message says why. */
typedef int (*store_write_fn)(MDB_txn *txn, void *arg);
store_rc_t store_write(store_write_fn fn, void *arg, char *err, size_t errlen);

/* A number that grows with every committed write (LMDB's transaction id):
 * what was indexed under a larger one was written after a read that saw
 * this one. 0 when the store is not open. Inside a write transaction,
 * store_txn_generation gives the generation that transaction commits as. */
uint64_t store_generation(void);
uint64_t store_txn_generation(MDB_txn *txn);

/* How full the LMDB map is: its size and the bytes its pages use, the
 * times it grew since start (on MDB_MAP_FULL, or once a commit left it
 * STORE_GROW_AT percent used: cordon grows it before writes fail, and
 * logs a warning), and the artifacts in the blob index with their bytes.
 * 0, or -1 when the store is not open. Walks the blob index: for
 * /-/metrics, not for a request path. */
#define STORE_GROW_AT 90
typedef struct store_usage {
    int64_t map_bytes, used_bytes;
    uint64_t grown;
    uint64_t artifacts;
    int64_t artifact_bytes;
} store_usage_t;
int store_usage(store_usage_t *out);

/* convenience: copy of one value (caller frees); STORE_NOTFOUND when absent */
store_rc_t store_get_copy(store_db_t db, const void *key, size_t klen, void **val, size_t *vlen);

#endif
