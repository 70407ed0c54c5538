/* digest: streaming SHA-1/256/512 over a body as it arrives, and the
 * integrity expectations upstreams publish (npm SRI "sha512-<base64>", hex
 * sha1/sha256, Maven checksum files) checked against it. */
#ifndef CORDON_DIGEST_H
#define CORDON_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/hex.h" /* hex_encode, for the digests' callers */

typedef enum { DIGEST_SHA1 = 0, DIGEST_SHA256 = 1, DIGEST_SHA512 = 2, DIGEST_MD5 = 3, DIGEST_COUNT = 4 } digest_alg_t;

typedef struct digest_set {
    void *ctx[DIGEST_COUNT]; /* EVP_MD_CTX*, NULL when that algorithm is not wanted */
    unsigned char out[DIGEST_COUNT][64];
    unsigned outlen[DIGEST_COUNT];
    int finished;
} digest_set_t;

/* mask: bit (1 << alg) for each algorithm wanted; sha256 is always computed
 * because blobs are addressed by it */
int digest_set_init(digest_set_t *d, unsigned mask);
void digest_set_update(digest_set_t *d, const void *p, size_t n);
void digest_set_final(digest_set_t *d);
void digest_set_free(digest_set_t *d);

typedef struct integrity {
    digest_alg_t alg;
    unsigned char want[64];
    unsigned len;
} integrity_t;

/* npm SRI ("sha512-…", possibly several space-separated: the strongest known
 * one is kept). 0 ok, -1 malformed or no known algorithm. */
int integrity_parse_sri(const char *s, size_t n, integrity_t *out);
/* a hex digest of a given algorithm (npm shasum, PyPI sha256, Maven .sha1) */
int integrity_parse_hex(digest_alg_t alg, const char *s, size_t n, integrity_t *out);
/* what cordon stores: "sha1:<hex>", "sha256:<hex>", "sha512:<hex>" or an SRI string */
int integrity_parse_any(const char *s, integrity_t *out);
/* 1 when the finished digests match */
int integrity_check(const integrity_t *want, const digest_set_t *got);
const char *digest_alg_name(digest_alg_t alg);

/* one-shot SHA-256 as lowercase hex (65 bytes out) */
void sha256_hex(const void *p, size_t n, char out[65]);
/* base64 (standard or URL alphabet, padding optional) of n bytes into out
 * (at most cap bytes): 0 and *outlen, or -1 when not base64 or too long */
int base64_decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *outlen);

#endif
