/* digest: OpenSSL EVP wrappers. Several hashes are fed from one pass over the
 * bytes so a body is read once whatever the upstream advertises. */
#include "common/digest.h"

#include <ctype.h>
#include <stdint.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

static const EVP_MD *md_for(digest_alg_t alg)
{
    switch (alg) {
    case DIGEST_SHA1: return EVP_sha1();
    case DIGEST_SHA256: return EVP_sha256();
    case DIGEST_SHA512: return EVP_sha512();
    case DIGEST_MD5: return EVP_md5();
    default: return NULL;
    }
}

const char *digest_alg_name(digest_alg_t alg)
{
    static const char *const N[] = {"sha1", "sha256", "sha512", "md5"};
    return alg < DIGEST_COUNT ? N[alg] : "?";
}

int digest_set_init(digest_set_t *d, unsigned mask)
{
    memset(d, 0, sizeof(*d));
    mask |= 1u << DIGEST_SHA256;
    for (int a = 0; a < DIGEST_COUNT; a++) {
        if (!(mask & (1u << a)))
            continue;
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        if (c == NULL || EVP_DigestInit_ex(c, md_for((digest_alg_t)a), NULL) != 1) {
            EVP_MD_CTX_free(c);
            digest_set_free(d);
            return -1;
        }
        d->ctx[a] = c;
    }
    return 0;
}

void digest_set_update(digest_set_t *d, const void *p, size_t n)
{
    for (int a = 0; a < DIGEST_COUNT; a++)
        if (d->ctx[a])
            EVP_DigestUpdate(d->ctx[a], p, n);
}

void digest_set_final(digest_set_t *d)
{
    if (d->finished)
        return;
    for (int a = 0; a < DIGEST_COUNT; a++)
        if (d->ctx[a])
            EVP_DigestFinal_ex(d->ctx[a], d->out[a], &d->outlen[a]);
    d->finished = 1;
}

void digest_set_free(digest_set_t *d)
{
    for (int a = 0; a < DIGEST_COUNT; a++) {
        EVP_MD_CTX_free(d->ctx[a]);
        d->ctx[a] = NULL;
    }
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

static int b64_decode(const char *s, size_t n, unsigned char *out, unsigned cap, unsigned *outlen)
{
    unsigned acc = 0, bits = 0, len = 0;
    size_t i = 0;
    for (; i < n && s[i] != '='; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (len >= cap)
                return -1;
            out[len++] = (unsigned char)(acc >> bits);
        }
    }
    for (; i < n; i++)
        if (s[i] != '=')
            return -1;
    *outlen = len;
    return 0;
}

int base64_decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *outlen)
{
    unsigned len = 0;
    if (cap > UINT32_MAX || b64_decode(s, n, out, (unsigned)cap, &len) != 0)
        return -1;
    *outlen = len;
    return 0;
}

static unsigned alg_len(digest_alg_t alg)
{
    static const unsigned L[] = {20, 32, 64, 16};
    return L[alg];
}

int integrity_parse_sri(const char *s, size_t n, integrity_t *out)
{
    int found = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        size_t start = i;
        while (i < n && !isspace((unsigned char)s[i]))
            i++;
        size_t tlen = i - start;
        const char *t = s + start;
        digest_alg_t alg;
        size_t plen;
        if (tlen > 7 && memcmp(t, "sha512-", 7) == 0)
            alg = DIGEST_SHA512, plen = 7;
        else if (tlen > 7 && memcmp(t, "sha256-", 7) == 0)
            alg = DIGEST_SHA256, plen = 7;
        else if (tlen > 5 && memcmp(t, "sha1-", 5) == 0)
            alg = DIGEST_SHA1, plen = 5;
        else
            continue; /* unknown algorithms are skipped, as SRI says */
        /* options after '?' are ignored */
        size_t vlen = tlen - plen;
        const char *q = memchr(t + plen, '?', vlen);
        if (q)
            vlen = (size_t)(q - (t + plen));
        integrity_t cand = {.alg = alg};
        if (b64_decode(t + plen, vlen, cand.want, sizeof(cand.want), &cand.len) != 0 || cand.len != alg_len(alg))
            return -1;
        /* keep the strongest: sha512 > sha256 > sha1 */
        static const int strength[] = {1, 2, 3, 0};
        if (!found || strength[alg] > strength[out->alg])
            *out = cand;
        found = 1;
    }
    return found ? 0 : -1;
}

int integrity_parse_hex(digest_alg_t alg, const char *s, size_t n, integrity_t *out)
{
    unsigned want = alg_len(alg);
    if (n != want * 2)
        return -1;
    out->alg = alg;
    out->len = want;
    return hex_decode(s, n, out->want, want);
}

int integrity_parse_any(const char *s, integrity_t *out)
{
    static const struct {
        const char *prefix;
        digest_alg_t alg;
    } HEX[] = {{"sha1:", DIGEST_SHA1}, {"sha256:", DIGEST_SHA256}, {"sha512:", DIGEST_SHA512}};
    for (size_t i = 0; i < sizeof(HEX) / sizeof(HEX[0]); i++) {
        size_t pl = strlen(HEX[i].prefix);
        if (strncmp(s, HEX[i].prefix, pl) == 0)
            return integrity_parse_hex(HEX[i].alg, s + pl, strlen(s + pl), out);
    }
    return integrity_parse_sri(s, strlen(s), out);
}

int integrity_check(const integrity_t *want, const digest_set_t *got)
{
    if (!got->finished || got->ctx[want->alg] == NULL || got->outlen[want->alg] != want->len)
        return 0;
    return CRYPTO_memcmp(want->want, got->out[want->alg], want->len) == 0;
}

void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned len = 0;
    EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
    hex_encode(md, 32, out);
}
