/* tokens: admin API credentials. A token is "cordon_" + 43 base64url
 * characters (256 random bits), shown once when made; the store keeps only
 * its SHA-256 with the name and role. Authentication hashes what a request
 * presents and compares it in constant time with every stored hash. Adding
 * and revoking are audited. */
#ifndef CORDON_TOKENS_H
#define CORDON_TOKENS_H

#include <lmdb.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { ROLE_NONE = 0, ROLE_REVIEWER = 1, ROLE_AUDITOR = 2, ROLE_CI = 3 } role_t;

const char *role_name(role_t r);
role_t role_from_name(const char *s); /* ROLE_NONE when unknown */

#define TOKEN_NAME_MAX 64
#define TOKEN_LEN 50 /* "cordon_" + 43 */

/* 0 and the new token in out (>= TOKEN_LEN + 1 bytes); 1 when the name is
 * taken; -1 with err on a store error or a bad name */
int tokens_add(const char *name, role_t role, char *out, char *err, size_t errlen);
/* 0 revoked, 1 no such token, -1 store error */
int tokens_revoke(const char *name, char *err, size_t errlen);
/* prints name, role, created (table, or JSON lines) */
int tokens_print(FILE *f, int json);
/* one stored token (DB_TOKENS value): 0, or -1 when damaged; hash points into v */
int tokens_decode(const MDB_val *v, role_t *role, int64_t *created, const unsigned char **hash);
/* the role of a presented token (ROLE_NONE when it matches none); name
 * (>= TOKEN_NAME_MAX + 1 bytes) gets its name */
role_t tokens_authenticate(const char *token, size_t len, char *name);

#endif
