/* unit tests: common/utf8.h (strict UTF-8, RFC 3629's well-formed table) */
#include <string.h>

#include "common/utf8.h"
#include "tests/unit/test.h"

static int valid(const char *s) { return utf8_valid(s, strlen(s)); }

TEST(utf8_well_formed)
{
    CHECK(valid(""));
    CHECK(valid("ascii 1.0"));
    CHECK(valid("caf\xc3\xa9"));             /* U+00E9 */
    CHECK(valid("\xe0\xa0\x80"));            /* U+0800, the first 3-byte */
    CHECK(valid("\xed\x9f\xbf"));            /* U+D7FF, below the surrogates */
    CHECK(valid("\xee\x80\x80"));            /* U+E000, above them */
    CHECK(valid("\xf0\x90\x80\x80"));        /* U+10000 */
    CHECK(valid("\xf4\x8f\xbf\xbf"));        /* U+10FFFF, the last */
    CHECK(utf8_valid("a\0b", 3));            /* NUL is UTF-8; callers refuse it */
}

TEST(utf8_ill_formed)
{
    CHECK(!valid("\x80"));                   /* a continuation first */
    CHECK(!valid("\xc1\xa4"));               /* overlong 'd' (the fuzzer's input) */
    CHECK(!valid("\xc0\x80"));               /* overlong NUL */
    CHECK(!valid("\xe0\x80\x80"));           /* overlong 3-byte */
    CHECK(!valid("\xf0\x80\x80\x80"));       /* overlong 4-byte */
    CHECK(!valid("\xed\xa0\x80"));           /* U+D800, a surrogate */
    CHECK(!valid("\xf4\x90\x80\x80"));       /* above U+10FFFF */
    CHECK(!valid("\xf5\x80\x80\x80"));
    CHECK(!valid("\xff"));
    CHECK(!valid("\xc3"));                   /* cut short */
    CHECK(!valid("\xe2\x82"));
    CHECK(!valid("\xe2\x28\xa1"));           /* a bad continuation */
    CHECK(!utf8_valid("\xc3\xa9", 1));       /* the length is obeyed */
}

int main(void)
{
    RUN(utf8_well_formed);
    RUN(utf8_ill_formed);
    return test_report();
}
