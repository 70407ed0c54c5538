/* Maven: version ordering (ComparableVersion), paths, metadata rewriting,
 * checksum files. */
#include <string.h>

#include "ecosystems/maven/maven_version.h"
#include "tests/unit/test.h"

TEST(version_order)
{
    /* ascending, each strictly greater than the one before */
    const char *asc[] = {"1-alpha1", "1-alpha2", "1-beta1", "1-milestone1", "1-rc1", "1-SNAPSHOT", "1", "1-sp1",
                         "1-abc", "1.0.1", "1.1", "1.1.1-rc1", "1.1.1", "1.2", "1.10", "2.0-alpha", "2.0", "10"};
    size_t n = sizeof(asc) / sizeof(asc[0]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = maven_version_compare(asc[i], asc[j]);
            int want = i < j ? -1 : i > j;
            if (((c > 0) - (c < 0)) != want)
                fprintf(stderr, "compare(%s, %s) = %d, want %d\n", asc[i], asc[j], c, want);
            CHECK(((c > 0) - (c < 0)) == want);
        }
}

TEST(version_equalities)
{
    const char *eq[][2] = {{"1", "1.0"}, {"1", "1.0.0"}, {"1.0", "1-0"}, {"1-ga", "1"}, {"1-final", "1"},
                           {"1-release", "1"}, {"1a1", "1-alpha-1"}, {"1b2", "1-beta-2"}, {"1m3", "1-milestone-3"},
                           {"1cr1", "1rc1"}, {"1.0-RC1", "1.0-rc1"}, {"1X", "1x"}};
    for (size_t i = 0; i < sizeof(eq) / sizeof(eq[0]); i++) {
        if (maven_version_compare(eq[i][0], eq[i][1]) != 0)
            fprintf(stderr, "%s != %s\n", eq[i][0], eq[i][1]);
        CHECK(maven_version_compare(eq[i][0], eq[i][1]) == 0);
    }
    CHECK(maven_version_compare("1.0.0.99999999999999999999999", "1.0.0.99999999999999999999998") > 0);
    CHECK(maven_version_is_snapshot("1.0-SNAPSHOT"));
    CHECK(!maven_version_is_snapshot("1.0"));
}

int main(void)
{
    RUN(version_order);
    RUN(version_equalities);
    return test_report();
}
