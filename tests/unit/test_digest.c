/* unit tests: common/digest.h (SRI and hex integrity parsing, streaming
 * digests, integrity_check). Expected digests were computed once with
 * Python's hashlib and are hard-coded. */
#include <stdlib.h>
#include <string.h>

#include "common/digest.h"
#include "tests/unit/test.h"

static const char FOX[] = "The quick brown fox jumps over the lazy dog";

#define FOX_SHA1_HEX "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"
#define FOX_SHA1_B64 "L9ThxnotKPzthJ7hu3bnORuT6xI="
#define FOX_SHA256_HEX "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
#define FOX_SHA256_B64 "16j7swfXgJRpypq8sAguT41WUeRtPNt2LQLQvzfJ5ZI="
#define FOX_SHA512_HEX                                                                                                 \
    "07e547d9586f6a73f73fbac0435ed76951218fb7d0c8d788a309d785436bbb642e93a252a954f23912547d1e8a3b5ed6e1bfd7097821233f" \
    "a0538f3db854fee6"
#define FOX_SHA512_B64 "B+VH2VhvanP3P7rAQ17XaVEhj7fQyNeIownXhUNru2Quk6JSqVTyORJUfR6KO17W4b/XCXghIz+gU489uFT+5g=="
#define FOX_MD5_HEX "9e107d9d372bb6826bd81d3542a419d6"
#define FOX_MD5_B64 "nhB9nTcrtoJr2B01QqQZ1g=="

#define EMPTY_SHA256_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define EMPTY_SHA512_B64 "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="

/* bytes(range(256)) * 1000 */
#define BIG_SHA1_B64 "TblhIbKYIjaeidXhf/JYL8R+EKI="
#define BIG_SHA256_HEX "b57b64b198d5d59ce5a22a9b9f25e72a7d081476d432051aa923f3dbebb90934"
#define BIG_SHA512_B64 "IlrTUZTrRHP2qVSkLlDTrkN9I00YlaOW3oM+WUh6ksVtSF9nL1/4jU2tcyNmdRtWY+1mGMkJxfQXnpJnOmMpxA=="
#define BIG_MD5_HEX "1da708a75e25110b1341d16814feb52d"

static int sri(const char *s, integrity_t *out) { return integrity_parse_sri(s, strlen(s), out); }

static void hex_of(const integrity_t *it, char *out) { hex_encode(it->want, it->len, out); }

TEST(sri_single)
{
    integrity_t it;
    char hex[129];
    CHECK_INT_EQ(sri("sha512-" FOX_SHA512_B64, &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA512);
    CHECK_INT_EQ(it.len, 64);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA512_HEX);

    CHECK_INT_EQ(sri("sha256-" FOX_SHA256_B64, &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA256);
    CHECK_INT_EQ(it.len, 32);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA256_HEX);

    CHECK_INT_EQ(sri("sha1-" FOX_SHA1_B64, &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA1);
    CHECK_INT_EQ(it.len, 20);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA1_HEX);

    /* padding is optional; base64url alphabet is accepted */
    CHECK_INT_EQ(sri("sha256-16j7swfXgJRpypq8sAguT41WUeRtPNt2LQLQvzfJ5ZI", &it), 0);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA256_HEX);
    CHECK_INT_EQ(sri("sha512-B-VH2VhvanP3P7rAQ17XaVEhj7fQyNeIownXhUNru2Quk6JSqVTyORJUfR6KO17W4b_XCXghIz-gU489uFT-5g",
                     &it),
                 0);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA512_HEX);

    /* surrounding whitespace and options after '?' */
    CHECK_INT_EQ(sri("  \tsha1-" FOX_SHA1_B64 "\n", &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA1);
    CHECK_INT_EQ(sri("sha256-" FOX_SHA256_B64 "?foo=bar", &it), 0);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA256_HEX);

    /* n bounds the input */
    const char *twice = "sha1-" FOX_SHA1_B64 " sha512-" FOX_SHA512_B64;
    CHECK_INT_EQ(integrity_parse_sri(twice, strlen("sha1-" FOX_SHA1_B64), &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA1);
}

TEST(sri_strongest_wins)
{
    integrity_t it;
    char hex[129];
    CHECK_INT_EQ(sri("sha1-" FOX_SHA1_B64 " sha512-" FOX_SHA512_B64, &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA512);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA512_HEX);

    CHECK_INT_EQ(sri("sha512-" FOX_SHA512_B64 " sha1-" FOX_SHA1_B64, &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA512);

    CHECK_INT_EQ(sri("sha256-" FOX_SHA256_B64 " sha1-" FOX_SHA1_B64, &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA256);

    CHECK_INT_EQ(sri("sha1-" FOX_SHA1_B64 "\nsha256-" FOX_SHA256_B64 "\tsha512-" FOX_SHA512_B64, &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA512);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA512_HEX);
}

TEST(sri_unknown_algorithms_skipped)
{
    integrity_t it;
    char hex[129];
    CHECK_INT_EQ(sri("md5-" FOX_MD5_B64 " sha256-" FOX_SHA256_B64, &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA256);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA256_HEX);
    CHECK_INT_EQ(sri("sha384-abc sha1-" FOX_SHA1_B64 " blake3-xyz", &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA1);
    /* nothing known at all */
    CHECK_INT_EQ(sri("md5-" FOX_MD5_B64, &it), -1);
    CHECK_INT_EQ(sri("SHA512-" FOX_SHA512_B64, &it), -1);
    CHECK_INT_EQ(sri("sha384-abc", &it), -1);
    CHECK_INT_EQ(sri("", &it), -1);
    CHECK_INT_EQ(sri("   ", &it), -1);
    CHECK_INT_EQ(sri("sha512-", &it), -1);
    CHECK_INT_EQ(sri(FOX_SHA512_B64, &it), -1);
}

TEST(sri_malformed)
{
    integrity_t it;
    /* not base64 */
    CHECK_INT_EQ(sri("sha512-!!!!" FOX_SHA512_B64, &it), -1);
    CHECK_INT_EQ(sri("sha256-16j7swfXgJRpypq8s@guT41WUeRtPNt2LQLQvzfJ5ZI=", &it), -1);
    /* '=' in the middle */
    CHECK_INT_EQ(sri("sha256-16j7swfXgJRpypq8=sAguT41WUeRtPNt2LQLQvzfJ5ZI", &it), -1);
    /* wrong length for the algorithm: a sha256 digest labelled sha512 and vice versa */
    CHECK_INT_EQ(sri("sha512-" FOX_SHA256_B64, &it), -1);
    CHECK_INT_EQ(sri("sha1-" FOX_SHA256_B64, &it), -1);
    CHECK_INT_EQ(sri("sha256-" FOX_SHA512_B64, &it), -1);
    /* truncated */
    CHECK_INT_EQ(sri("sha512-B+VH2VhvanP3P7rAQ17XaVEhj7fQyNeIownXhUNru2Quk6JSqVTyORJUfR6KO17W4b/XCXghIz+gU489uFT", &it),
                 -1);
    /* one extra byte */
    CHECK_INT_EQ(sri("sha1-" "L9ThxnotKPzthJ7hu3bnORuT6xIA", &it), -1);
    /* a malformed known entry makes the whole value malformed (fail closed) */
    CHECK_INT_EQ(sri("sha512-" FOX_SHA512_B64 " sha1-***", &it), -1);
}

TEST(hex_parse)
{
    integrity_t it;
    char hex[129];
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA1, FOX_SHA1_HEX, strlen(FOX_SHA1_HEX), &it), 0);
    CHECK_INT_EQ(it.alg, DIGEST_SHA1);
    CHECK_INT_EQ(it.len, 20);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA1_HEX);

    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA256, FOX_SHA256_HEX, 64, &it), 0);
    CHECK_INT_EQ(it.len, 32);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA256_HEX);

    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA512, FOX_SHA512_HEX, 128, &it), 0);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA512_HEX);

    CHECK_INT_EQ(integrity_parse_hex(DIGEST_MD5, FOX_MD5_HEX, 32, &it), 0);
    CHECK_INT_EQ(it.len, 16);

    /* upper case hex is the same digest */
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA1, "2FD4E1C67A2D28FCED849EE1BB76E7391B93EB12", 40, &it), 0);
    hex_of(&it, hex);
    CHECK_STR_EQ(hex, FOX_SHA1_HEX);

    /* malformed */
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA1, FOX_SHA1_HEX, 39, &it), -1);
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA1, FOX_SHA1_HEX "00", 42, &it), -1);
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA1, "", 0, &it), -1);
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA1, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb1g", 40, &it), -1);
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA1, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb1 ", 40, &it), -1);
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA256, FOX_SHA1_HEX, 40, &it), -1);
    char hi[41];
    memset(hi, '\xe9', 40); /* bytes above 0x7f (signed char) */
    hi[40] = '\0';
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA1, hi, 40, &it), -1);
}

TEST(digest_set_and_check)
{
    digest_set_t d;
    integrity_t it;
    CHECK_INT_EQ(digest_set_init(&d, (1u << DIGEST_SHA1) | (1u << DIGEST_SHA512)), 0);
    CHECK(d.ctx[DIGEST_SHA256] != NULL); /* always computed */
    CHECK(d.ctx[DIGEST_MD5] == NULL);
    /* fed in uneven pieces */
    digest_set_update(&d, FOX, 4);
    digest_set_update(&d, FOX + 4, 0);
    digest_set_update(&d, FOX + 4, strlen(FOX) - 4);
    /* not finished yet: nothing matches */
    CHECK_INT_EQ(sri("sha512-" FOX_SHA512_B64, &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &d), 0);
    digest_set_final(&d);
    digest_set_final(&d); /* idempotent */
    CHECK_INT_EQ(integrity_check(&it, &d), 1);
    CHECK_INT_EQ(sri("sha1-" FOX_SHA1_B64, &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &d), 1);
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_SHA256, FOX_SHA256_HEX, 64, &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &d), 1);
    char hex[129];
    hex_encode(d.out[DIGEST_SHA256], d.outlen[DIGEST_SHA256], hex);
    CHECK_STR_EQ(hex, FOX_SHA256_HEX);
    /* md5 was not computed: cannot match even when the value is right */
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_MD5, FOX_MD5_HEX, 32, &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &d), 0);
    /* one bit off */
    CHECK_INT_EQ(sri("sha512-" FOX_SHA512_B64, &it), 0);
    it.want[63] ^= 1;
    CHECK_INT_EQ(integrity_check(&it, &d), 0);
    /* the digest of other data */
    CHECK_INT_EQ(sri("sha512-" EMPTY_SHA512_B64, &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &d), 0);
    digest_set_free(&d);
    digest_set_free(&d); /* safe twice */
}

TEST(digest_large_chunked)
{
    const size_t n = 256000;
    unsigned char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i & 255);
    digest_set_t d;
    CHECK_INT_EQ(digest_set_init(&d, 0xf), 0);
    size_t off = 0, step = 1;
    while (off < n) {
        size_t k = step < n - off ? step : n - off;
        digest_set_update(&d, data + off, k);
        off += k;
        step = step * 3 + 1; /* irregular chunk sizes */
    }
    digest_set_final(&d);
    integrity_t it;
    CHECK_INT_EQ(sri("sha512-" BIG_SHA512_B64, &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &d), 1);
    CHECK_INT_EQ(sri("sha1-" BIG_SHA1_B64, &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &d), 1);
    CHECK_INT_EQ(integrity_parse_hex(DIGEST_MD5, BIG_MD5_HEX, 32, &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &d), 1);
    CHECK_INT_EQ(sri("sha512-" FOX_SHA512_B64, &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &d), 0);
    char hex[65];
    sha256_hex(data, n, hex);
    CHECK_STR_EQ(hex, BIG_SHA256_HEX);
    digest_set_free(&d);
    free(data);
}

TEST(helpers)
{
    char hex[65];
    sha256_hex("", 0, hex);
    CHECK_STR_EQ(hex, EMPTY_SHA256_HEX);
    sha256_hex(FOX, strlen(FOX), hex);
    CHECK_STR_EQ(hex, FOX_SHA256_HEX);
    const unsigned char raw[] = {0x00, 0x01, 0xab, 0xff};
    hex_encode(raw, sizeof(raw), hex);
    CHECK_STR_EQ(hex, "0001abff");
    hex_encode(raw, 0, hex);
    CHECK_STR_EQ(hex, "");
    CHECK_STR_EQ(digest_alg_name(DIGEST_SHA1), "sha1");
    CHECK_STR_EQ(digest_alg_name(DIGEST_SHA256), "sha256");
    CHECK_STR_EQ(digest_alg_name(DIGEST_SHA512), "sha512");
    CHECK_STR_EQ(digest_alg_name(DIGEST_MD5), "md5");
    CHECK_STR_EQ(digest_alg_name(DIGEST_COUNT), "?");
}

int main(void)
{
    RUN(sri_single);
    RUN(sri_strongest_wins);
    RUN(sri_unknown_algorithms_skipped);
    RUN(sri_malformed);
    RUN(hex_parse);
    RUN(digest_set_and_check);
    RUN(digest_large_chunked);
    RUN(helpers);
    return test_report();
}
