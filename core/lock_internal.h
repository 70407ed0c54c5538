/* lock_internal: what the per-format parsers share (not part of the public
 * surface). A parser appends entries to a builder; lockfile_parse then
 * sorts them, folds exact duplicates and refuses conflicting ones. */
#ifndef CORDON_LOCK_INTERNAL_H
#define CORDON_LOCK_INTERNAL_H

#include <stddef.h>

#include "core/lockfile.h"

typedef struct lock_builder {
    lockfile_t *lf;
    size_t cap;
    char *err;
    size_t errlen;
    int failed;
} lock_builder_t;

/* Appends one entry (strings copied; integrity/resolved may be NULL). The
 * package name is canonicalised for its ecosystem and the integrity
 * normalised (lock_integrity_normalise); a bad one fails the builder with
 * "LINE: message". Returns 0, or -1 once the builder failed. */
int lock_add(lock_builder_t *b, eco_id_t eco, const char *package, const char *version, const char *integrity,
             const char *resolved, int direct, int dev, int line);
/* Fails the builder: err gets "LINE:COL: message" (col 0: "LINE: message"). Returns -1. */
int lock_fail(lock_builder_t *b, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* One integrity token as lockfiles write it — SRI "sha512-<base64>" (npm,
 * yarn berry "10c0/<hex>" is not SRI: see yarn), "sha256:<hex>" (pip
 * --hash), "<hex>" sha1 (yarn classic #fragment) — into cordon's form (see
 * lock_entry_t.integrity). 0, or -1 when malformed. */
int lock_integrity_normalise(const char *in, char *out, size_t outlen);

/* One lockfile format, defined by the ecosystem that reads it
 * (ecosystem_t.lockfiles). Every field is required but detect_last. */
typedef struct lock_format_def {
    lock_format_t id; /* its stored id (ecosystems/eco_ids.h), above LOCK_AUTO */
    const char *name; /* as format= and reports spell it */
    const char *what; /* what such a file is, for "unknown lockfile format" ("package-lock.json") */
    /* a weak sign (pip: some name==version line): asked only after every
     * other format said no */
    int detect_last;
    /* 1 when text (len bytes) is in this format, 0 when not, -1 when it
     * certainly is no lockfile at all (detection stops: LOCK_AUTO) */
    int (*detect)(const char *text, size_t len);
    /* fills b from text; 0 or -1 (b->err set) */
    int (*parse)(lock_builder_t *b, const char *text, size_t len);
} lock_format_def_t;

/* for detect hooks: the first bytes worth looking at for a header line */
#define LOCK_DETECT_HEAD 4096
/* 1 when needle occurs in the first len bytes of text */
int lock_contains(const char *text, size_t len, const char *needle);
/* p past white space, up to end */
const char *lock_skip_space(const char *p, const char *end);

#endif
