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

/* the parsers: each fills b from text; 0 or -1 (b->err set) */
int lock_parse_npm(lock_builder_t *b, const char *text, size_t len);
int lock_parse_yarn(lock_builder_t *b, const char *text, size_t len);
int lock_parse_pnpm(lock_builder_t *b, const char *text, size_t len);
int lock_parse_pip(lock_builder_t *b, const char *text, size_t len);
int lock_parse_maven(lock_builder_t *b, const char *text, size_t len);

#endif
