/* npm_path: what an npm client asked for, from the raw path below /npm/.
 * Scoped names come as "@scope/name" or "@scope%2fname"; tarballs as
 * "<name>/-/<file>.tgz". Names are checked against npm's rules, so nothing
 * odd ever reaches an upstream URL, a store key or a file name. */
#ifndef CORDON_NPM_PATH_H
#define CORDON_NPM_PATH_H

#include <stddef.h>

typedef enum {
    NPM_ROUTE_INVALID = 0,
    NPM_ROUTE_PACKUMENT,
    NPM_ROUTE_TARBALL,
    NPM_ROUTE_PING,
    NPM_ROUTE_AUDIT,    /* read-only POSTs under -/npm/v1/security/ (only two are relayed) */
    NPM_ROUTE_SPECIAL,  /* any other "-/…" endpoint (whoami, search, tokens) */
} npm_route_kind_t;

#define NPM_NAME_MAX 214

typedef struct npm_route {
    npm_route_kind_t kind;
    char name[NPM_NAME_MAX + 1]; /* decoded: "@scope/name" or "name" */
    char file[256];              /* tarball file name */
} npm_route_t;

/* the endpoint an audit route names when it is exactly one of npm's two
 * ("-/npm/v1/security/advisories/bulk", "-/npm/v1/security/audits/quick"),
 * the constant string to relay upstream; NULL for anything else */
const char *npm_audit_endpoint(const char *path, size_t len);

/* parses path (raw, below /npm/, no query); kind INVALID when malformed */
void npm_route_parse(const char *path, size_t len, npm_route_t *out);
/* 1 when name is a valid npm package name (scoped or not) */
int npm_name_valid(const char *name, size_t len);
/* "@scope%2fname" for upstream URLs; out >= 2*NPM_NAME_MAX */
void npm_name_encode(const char *name, char *out, size_t outlen);
/* the version a tarball file name denotes: "<unscoped>-<version>.tgz" */
int npm_tarball_version(const char *name, const char *file, char *version, size_t vlen);

#endif
