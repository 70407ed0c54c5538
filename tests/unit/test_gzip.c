/* gzip: what gzip_compress writes is a gzip stream zlib reads back to the
 * same bytes (empty, small, large and incompressible inputs), appended
 * after what the buffer held. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/gzip.h"
#include "tests/unit/test.h"

/* inflates a gzip stream: 0 and the bytes in out, or -1 */
static int gunzip(const unsigned char *in, size_t n, unsigned char *out, size_t cap, size_t *len)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return -1;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = inflate(&z, Z_FINISH);
    *len = cap - z.avail_out;
    int rest = z.avail_in;
    inflateEnd(&z);
    return rc == Z_STREAM_END && rest == 0 ? 0 : -1;
}

static void round_trip(const unsigned char *in, size_t n, int must_shrink)
{
    buf_t b;
    buf_init(&b);
    buf_append(&b, "prefix", 6);
    CHECK_INT_EQ(gzip_compress(in, n, GZIP_DOCUMENT_LEVEL, &b), 0);
    CHECK(!b.oom && b.len > 6 + 18); /* the prefix kept, then header and trailer at least */
    CHECK(memcmp(b.data, "prefix", 6) == 0);
    CHECK((unsigned char)b.data[6] == 0x1f && (unsigned char)b.data[7] == 0x8b); /* the gzip magic */
    unsigned char *back = malloc(n + 1);
    size_t len = 0;
    CHECK_INT_EQ(gunzip((unsigned char *)b.data + 6, b.len - 6, back, n + 1, &len), 0);
    CHECK_INT_EQ((long)len, (long)n);
    CHECK(n == 0 || memcmp(back, in, n) == 0);
    if (must_shrink)
        CHECK(b.len - 6 < n / 4);
    free(back);
    buf_free(&b);
}

TEST(gzip_round_trips)
{
    round_trip((const unsigned char *)"", 0, 0);
    const char *doc = "{\"name\":\"left-pad\",\"versions\":{}}";
    round_trip((const unsigned char *)doc, strlen(doc), 0);
    /* a packument-like document: repetitive JSON shrinks a lot */
    size_t n = 2u << 20;
    unsigned char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (unsigned char)"{\"version\":\"1.0.0\",\"dist\":{}},"[i % 30];
    round_trip(big, n, 1);
    /* incompressible bytes still round-trip (a little larger) */
    unsigned x = 12345;
    for (size_t i = 0; i < n; i++)
        big[i] = (unsigned char)((x = x * 1103515245u + 12345u) >> 24);
    round_trip(big, n, 0);
    free(big);
}

int main(void)
{
    RUN(gzip_round_trips);
    return test_report();
}
