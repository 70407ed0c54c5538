/* contents: what one artifact holds, as the version view compares it with
 * the version before it (review/changes.h): every entry of the archive
 * (path, kind, the bytes it held, a SHA-256 prefix of a file's content) and
 * what its manifest declares — dependencies, install scripts, entry points,
 * links — in the ecosystem's own words (artifact_reader_t.manifest_facts).
 * Recorded by the analysis of the artifact, in the transaction that stores
 * its findings (DB_CONTENTS, keyed like DB_FINDINGS). */
#ifndef CORDON_CONTENTS_H
#define CORDON_CONTENTS_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* entries kept per artifact; a bigger one keeps its first ones and says so
 * (a diff then covers only those) */
#define CONTENTS_FILES_MAX 20000
/* facts kept per artifact, and the bytes of one fact's value */
#define CONTENTS_FACTS_MAX 2000
#define CONTENTS_VALUE_MAX 1024

typedef enum {
    CONTENTS_DEPENDENCY = 0, /* name → what is asked for ("^1.2.0", ">=2; extra == 'x'", "1.0 (compile)") */
    CONTENTS_SCRIPT,         /* what runs at install: name → command ("postinstall" → "node x.js") */
    CONTENTS_ENTRY_POINT,    /* what a user runs or imports: name → target ("bin demo" → "cli.js") */
    CONTENTS_LINK,           /* where the source is said to live: name → URL ("repository" → "…") */
    CONTENTS_FACT_KINDS
} contents_fact_kind_t;

typedef struct contents_file {
    char *path;
    int64_t size;          /* bytes the walk read (a link or directory: 0) */
    int kind;              /* archive_entry_kind_t */
    unsigned char sha[16]; /* the first half of its content's SHA-256 (files; zero otherwise) */
} contents_file_t;

typedef struct contents_fact {
    contents_fact_kind_t kind;
    char *name, *value;
} contents_fact_t;

typedef struct contents {
    char *filename; /* the artifact's file name */
    contents_file_t *files;
    size_t nfiles, capfiles;
    int64_t entries; /* entries the archive holds (more than nfiles when capped) */
    contents_fact_t *facts;
    size_t nfacts, capfacts;
    int oom; /* sticky: something could not be kept; nothing is recorded then */
} contents_t;

void contents_init(contents_t *c);
void contents_free(contents_t *c);
int contents_set_filename(contents_t *c, const char *filename);
/* sha256 NULL: not a file (or not hashed) */
void contents_add_file(contents_t *c, const char *path, int kind, int64_t size, const unsigned char *sha256);
/* value is cut at CONTENTS_VALUE_MAX bytes; a repeated (kind, name) keeps the first */
void contents_add_fact(contents_t *c, contents_fact_kind_t kind, const char *name, const char *value);
/* "dependency", "script", "entry_point", "link" */
const char *contents_fact_kind_name(contents_fact_kind_t k);
/* the fact (kind, name), NULL when absent */
const contents_fact_t *contents_fact(const contents_t *c, contents_fact_kind_t kind, const char *name);
/* 1 when file name a of version_a is b of version_b: the same artifact of
 * two versions (the wheel of one tag), the version written in either name */
int contents_same_name(const char *a, const char *version_a, const char *b, const char *version_b);
/* sorts files by path and facts by (kind, name): what a diff walks */
void contents_sort(contents_t *c);

/* ---- the store (DB_CONTENTS) ---- */
/* the record of c appended to out: 0, or -1 when there is nothing to keep
 * (c->oom, no file name) or no memory; built before the write transaction
 * that stores it, so the store's one writer never waits on the encoding */
int contents_encode(const contents_t *c, buf_t *out);
int contents_put_encoded(MDB_txn *txn, const char *eco, const char *package, const char *version, const char *digest,
                         const buf_t *rec);
/* both at once (tests, tools); a listing that cannot be kept is left out */
int contents_put(MDB_txn *txn, const char *eco, const char *package, const char *version, const char *digest,
                 const contents_t *c);
/* The contents of one artifact of the version: the one whose file name,
 * with its version written as like_version, is like_file (a wheel of the
 * same tag as the other version's); else the first recorded. like_file
 * NULL: the first. 0 and out filled (sorted; free with contents_free),
 * MDB_NOTFOUND when no artifact of the version was recorded, else an
 * LMDB code (a damaged record is EINVAL). */
int contents_get_version(MDB_txn *txn, const char *eco, const char *package, const char *version,
                         const char *like_file, const char *like_version, contents_t *out);

#endif
