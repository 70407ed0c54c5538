/* lockfile: the lockfiles CI sends cordon (`cordon lockfile check`), parsed
 * into one normalised list of pinned packages. Formats:
 *
 *   npm     package-lock.json / npm-shrinkwrap.json, lockfileVersion 1, 2, 3
 *   yarn    yarn.lock, classic (v1) and berry (__metadata, v4+)
 *   pnpm    pnpm-lock.yaml, lockfileVersion 6.x and 9.x
 *   pip     requirements.txt with == pins and --hash options (pip freeze,
 *           pip-compile --generate-hashes)
 *   maven   `mvn dependency:list` output (group:artifact:type[:classifier]:version:scope)
 *
 * Every parser checks what it reads: a malformed or truncated file, an
 * entry without a version, a malformed integrity string or duplicate
 * conflicting entries are errors naming the line (and column when known);
 * Windows line endings are accepted. Nothing is partially returned: on
 * error the list is empty. */
#ifndef CORDON_LOCKFILE_H
#define CORDON_LOCKFILE_H

#include <stddef.h>

#include "core/config.h"

/* A lockfile format: 0 (LOCK_AUTO) or the id of one of the formats the
 * ecosystems define (ecosystem_t.lockfiles; ecosystems/eco_ids.h names them). */
typedef unsigned int lock_format_t;
#define LOCK_AUTO 0 /* detect from the content */
#define LOCK_FORMAT_COUNT 6 /* LOCK_AUTO and the formats: ids are below it (ecosystems/ecosystems.c checks it) */

/* the format's name as format= and reports spell it ("auto" for LOCK_AUTO, "?" for no format) */
const char *lock_format_name(lock_format_t f);
int lock_format_from_name(const char *s); /* -1 when unknown */
/* every format= name ("auto" first) joined by sep into out; its length */
size_t lock_format_names(char *out, size_t outlen, const char *sep);

typedef struct lock_entry {
    eco_id_t eco;
    char *package;   /* canonical: npm as-is ("@scope/name"), PyPI PEP 503, Maven "groupId:artifactId" */
    char *version;
    char *integrity; /* as the lockfile gives it, normalised to "sha512-<b64>" (SRI), "sha1:<hex>",
                        "sha256:<hex>"; several hashes joined by ' '; "" when none */
    char *resolved;  /* the URL the client downloads from; "" when the format has none */
    int direct;      /* a dependency the project names itself (not transitive) */
    int dev;         /* only for development (devDependencies, test scope, …) */
    int line;        /* where the entry starts in the file (1-based; 0 unknown) */
} lock_entry_t;

typedef struct lockfile {
    lock_format_t format;
    lock_entry_t *entries; /* sorted by (ecosystem, package, version); one per (package, version) */
    size_t n;
} lockfile_t;

/* Detects the format (or uses `format`) and parses text (len bytes, not
 * NUL-terminated). 0 ok; -1 with err "LINE:COL: message" or "message". */
int lockfile_parse(const char *text, size_t len, lock_format_t format, lockfile_t *out, char *err, size_t errlen);
void lockfile_free(lockfile_t *lf);
/* the format a text looks like, LOCK_AUTO when none */
lock_format_t lockfile_detect(const char *text, size_t len);

#endif
