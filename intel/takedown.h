/* takedown: what upstream listed once and lists no more (reason
 * removed_upstream, DESIGN.md Threat intelligence). Registries take malware
 * down by removing it from their metadata; a cache that keeps serving its
 * copy undoes the takedown. So an ecosystem's ingest, inside the write
 * transaction that records a new upstream document of a package, tells
 * takedown_note what the document lists and what earlier copies listed;
 * every earlier name missing now is recorded removed (when, and the digest
 * of the document that still listed it), and a name listed again loses its
 * record — only upstream lifts a takedown. A package upstream now answers
 * 404 for lists nothing. Names are what the ecosystem keys its versions by
 * (npm and Maven versions; PyPI file names and release versions). */
#ifndef CORDON_TAKEDOWN_H
#define CORDON_TAKEDOWN_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "core/config.h"
#include "core/eco.h"

typedef struct takedown_doc {
    eco_id_t eco;
    const char *package;
    /* what the new document lists, any order; 0 names: upstream lists nothing */
    const char *const *listed;
    size_t nlisted;
    /* what earlier copies listed; NULL: every name cordon keeps a version
     * record of under (eco, package) (DB_VERSIONS), which only listings write */
    const char *const *earlier;
    size_t nearlier;
    /* optional: another name an earlier name stands for as well (PyPI: a
     * file's release, which is gone once none of its files is listed);
     * 0 and out filled, -1 none */
    int (*also)(const char *name, char *out, size_t outlen, const void *arg);
    const void *also_arg;
    const char *prev_digest; /* sha256 hex of the copy being replaced ("" unknown) */
    int names_are_files;     /* the names are files of versions (PyPI), the `also` names versions */
    int64_t now;
    /* out: names newly recorded removed, and names listed again */
    unsigned removed, relisted;
} takedown_doc_t;

/* Inside the ingest's write transaction. An LMDB code (ENOMEM). */
int takedown_note(MDB_txn *txn, takedown_doc_t *d);
/* takedown_note in a write transaction of its own (a package upstream now
 * answers 404 for: d lists nothing). 0, or -1 with a message. */
int takedown_note_write(takedown_doc_t *d, char *err, size_t errlen);
/* once the note is committed: a warning line naming what went (and an
 * info line for what came back); nothing when nothing changed */
void takedown_log(const takedown_doc_t *d);

typedef struct takedown {
    int64_t removed_at; /* ms */
    char prev_digest[65];
    int file; /* the name is a file of a version, not a version (the queue lists versions) */
} takedown_t;

/* 1 removed (out filled), 0 not (or unreadable) */
int takedown_get(MDB_txn *txn, eco_id_t eco, const char *package, const char *name, takedown_t *out);
/* the same in a read transaction of its own */
int takedown_lookup(eco_id_t eco, const char *package, const char *name, takedown_t *out);

/* Walks the takedowns of (eco, package), or of everything when package is
 * NULL (eco < 0: every ecosystem): fn(arg, eco, package, name, t) for each,
 * a non-zero return stops the walk. 0, or -1 when the store is unreadable. */
typedef int (*takedown_walk_fn)(void *arg, eco_id_t eco, const char *package, const char *name,
                                const takedown_t *t);
int takedown_walk(int eco, const char *package, takedown_walk_fn fn, void *arg);

/* removals recorded by this process since start (for /-/metrics) */
uint64_t takedown_noted(void);
/* /-/metrics: removals recorded, takedowns in force */
void takedown_metrics(const config_t *cfg, buf_t *out);
/* GET /-/api/intel's part: "takedowns": {"npm": n, ...} (a member, comma first) */
void takedown_status_json(buf_t *out);

#endif
