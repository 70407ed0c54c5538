/* fuzz_integrity: arbitrary bytes as an SRI string and as hex digests; a
 * parsed expectation has the algorithm's length, and checking it against the
 * digests of the input itself never crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/digest.h"

static const unsigned LEN[DIGEST_COUNT] = {20, 32, 64, 16};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    integrity_t it;
    digest_set_t d;
    if (digest_set_init(&d, 0xf) != 0)
        return 0;
    digest_set_update(&d, data, size);
    digest_set_final(&d);

    memset(&it, 0xaa, sizeof(it));
    if (integrity_parse_sri(s, size, &it) == 0) {
        if (it.alg != DIGEST_SHA1 && it.alg != DIGEST_SHA256 && it.alg != DIGEST_SHA512)
            abort();
        if (it.len != LEN[it.alg])
            abort();
        integrity_check(&it, &d);
    }
    for (int a = 0; a < DIGEST_COUNT; a++) {
        if (integrity_parse_hex((digest_alg_t)a, s, size, &it) == 0) {
            if (it.alg != (digest_alg_t)a || it.len != LEN[a] || size != 2 * LEN[a])
                abort();
            /* a hex digest of the input's own hash matches */
            char hex[129];
            hex_encode(it.want, it.len, hex);
            integrity_check(&it, &d);
        }
    }
    /* the input's real digests, as hex, always match */
    char hex[129];
    for (int a = 0; a < DIGEST_COUNT; a++) {
        hex_encode(d.out[a], d.outlen[a], hex);
        if (integrity_parse_hex((digest_alg_t)a, hex, 2 * d.outlen[a], &it) != 0 || !integrity_check(&it, &d))
            abort();
    }
    digest_set_free(&d);
    return 0;
}
