/* npm_semver: parsing, SemVer 2.0.0 precedence, release lines. */
#include <stdlib.h>

#include "ecosystems/npm/npm_semver.h"
#include "tests/unit/test.h"

TEST(parse_valid)
{
    semver_t v;
    CHECK(semver_parse("1.2.3", &v) == 0 && v.major == 1 && v.minor == 2 && v.patch == 3 && v.pre == NULL);
    CHECK(semver_parse("v1.2.3", &v) == 0 && v.major == 1);
    CHECK(semver_parse("=1.2.3", &v) == 0);
    CHECK(semver_parse("1.0.0-alpha.1", &v) == 0 && v.prelen == 7);
    CHECK(semver_parse("1.0.0-x-y-z.--", &v) == 0);
    CHECK(semver_parse("1.0.0+20130313144700", &v) == 0 && v.pre == NULL);
    CHECK(semver_parse("1.0.0-beta+exp.sha.5114f85", &v) == 0 && v.prelen == 4);
    CHECK(semver_parse("9007199254740991.0.0", &v) == 0); /* Number.MAX_SAFE_INTEGER */
}

TEST(parse_invalid)
{
    semver_t v;
    const char *bad[] = {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3-01",
                         "1.2.3-a..b", "1.2.3+", "1.2.3-a+b+c", "a.b.c", "1.2.3 x", "9007199254740992.0.0", "18446744073709551616.0.0",
                         "1.2.3-é"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (semver_parse(bad[i], &v) == 0)
            fprintf(stderr, "accepted invalid '%s'\n", bad[i]);
        CHECK(semver_parse(bad[i], &v) != 0);
    }
}

TEST(precedence_spec_order)
{
    /* the ordering example of semver.org section 11, ascending */
    const char *asc[] = {"1.0.0-alpha",      "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                         "1.0.0-beta.2",     "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0",
                         "1.0.1",            "1.1.0",         "2.0.0",            "10.0.0"};
    size_t n = sizeof(asc) / sizeof(asc[0]);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            int c = semver_compare_str(asc[i], asc[j]);
            int want = i < j ? -1 : i > j ? 1 : 0;
            if ((c > 0) - (c < 0) != want)
                fprintf(stderr, "compare(%s, %s) = %d\n", asc[i], asc[j], c);
            CHECK((c > 0) - (c < 0) == want);
        }
    }
}

TEST(build_metadata_ignored)
{
    CHECK(semver_compare_str("1.0.0+a", "1.0.0+b") == 0);
    CHECK(semver_compare_str("1.0.0-rc.1+build.1", "1.0.0-rc.1") == 0);
    CHECK(semver_compare_str("1.0.0+zzz", "1.0.1") < 0);
}

TEST(invalid_sorts_first)
{
    CHECK(semver_compare_str("not-a-version", "0.0.1") < 0);
    CHECK(semver_compare_str("0.0.1", "junk") > 0);
}

TEST(release_lines)
{
    semver_t a, b;
    semver_parse("3.0.0-beta.1", &a);
    semver_parse("3.0.0-beta.7", &b);
    CHECK(semver_same_line(&a, &b));
    semver_parse("3.0.0-rc.1", &b);
    CHECK(!semver_same_line(&a, &b));
    semver_parse("3.1.0-beta.1", &b);
    CHECK(!semver_same_line(&a, &b));
    semver_parse("3.0.0", &b);
    CHECK(!semver_same_line(&a, &b));
    semver_parse("1.2.0", &a);
    semver_parse("1.9.9", &b);
    CHECK(semver_same_line(&a, &b));
    semver_parse("2.0.0", &b);
    CHECK(!semver_same_line(&a, &b));
    CHECK(semver_is_prerelease(&(semver_t){.pre = "x", .prelen = 1}));
}

int main(void)
{
    RUN(parse_valid);
    RUN(parse_invalid);
    RUN(precedence_spec_order);
    RUN(build_metadata_ignored);
    RUN(invalid_sorts_first);
    RUN(release_lines);
    return test_report();
}
