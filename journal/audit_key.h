/* audit_key: the secret that keys the audit chain (DESIGN.md "Store and
 * durability"). 32 random bytes, kept as 64 hex digits in audit.key_file:
 * outside data_dir (default: beside the configuration file), mode 0600,
 * made by a server at its first start and shared by every node. Whoever
 * can write the store but not read this file cannot write a record, a head
 * or a pruning record the chain accepts. Every process that appends to the
 * chain or verifies it loads the key once; it never leaves this module
 * except as an HMAC. */
#ifndef CORDON_AUDIT_KEY_H
#define CORDON_AUDIT_KEY_H

#include <stddef.h>
#include <sys/types.h>

#define AUDIT_KEY_BYTES 32

typedef struct audit_key_info {
    int created;    /* this call made the file */
    mode_t mode;    /* its permission bits */
    char id[17];    /* the key's public id (16 hex digits) */
} audit_key_info_t;

/* Loads the key from path; with create, makes the file (0600, written to a
 * temporary file and linked into place, so two nodes starting at once agree
 * on one key) when it does not exist. 0, or -1 with err. */
int audit_key_load(const char *path, int create, audit_key_info_t *info, char *err, size_t errlen);
/* tests: use these bytes as the key */
void audit_key_set(const unsigned char key[AUDIT_KEY_BYTES]);
void audit_key_clear(void);
int audit_key_present(void);
/* the loaded key's id: the first 16 hex digits of a SHA-256 over it ("" when none) */
const char *audit_key_id(void);

/* HMAC-SHA-256 of p under the key as 64 hex digits; -1 when no key is loaded */
int audit_hmac_hex(const void *p, size_t n, char out[65]);

/* where the key lives when audit.key_file is not set: beside the
 * configuration file (dir/audit.key). -1 when there is no file. */
int audit_key_default_path(const char *config_path, char *out, size_t outlen);
/* -1 with err when path is inside data_dir (both resolved; data_dir must exist) */
int audit_key_check_outside(const char *path, const char *data_dir, char *err, size_t errlen);

#endif
