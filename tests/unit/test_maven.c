/* Maven: version ordering (ComparableVersion), paths, metadata rewriting,
 * checksum files. */
#include <string.h>

#include "common/timeutil.h"
#include "ecosystems/maven/maven_metadata.h"
#include "ecosystems/maven/maven_path.h"
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

TEST(paths)
{
    maven_route_t r;
    const char *p = "org/example/lib/1.2/lib-1.2.jar";
    maven_route_parse(p, strlen(p), &r);
    CHECK(r.kind == MAVEN_ROUTE_FILE && strcmp(r.group, "org.example") == 0 && strcmp(r.artifact, "lib") == 0 &&
          strcmp(r.version, "1.2") == 0 && strcmp(r.file, "lib-1.2.jar") == 0 && r.sum == SUM_NONE &&
          strcmp(r.dir, "org/example/lib/1.2") == 0);
    p = "org/example/lib/1.2/lib-1.2-sources.jar.sha1";
    maven_route_parse(p, strlen(p), &r);
    CHECK(r.kind == MAVEN_ROUTE_FILE && r.sum == SUM_SHA1 && strcmp(r.file, "lib-1.2-sources.jar") == 0);
    p = "org/example/lib/maven-metadata.xml.sha256";
    maven_route_parse(p, strlen(p), &r);
    CHECK(r.kind == MAVEN_ROUTE_METADATA && r.sum == SUM_SHA256 && strcmp(r.group, "org.example") == 0 &&
          strcmp(r.artifact, "lib") == 0 && strcmp(r.dir, "org/example/lib") == 0);
    p = "org/example/lib/1.0-SNAPSHOT/lib-1.0-20260101.120000-3.jar";
    maven_route_parse(p, strlen(p), &r);
    CHECK(r.kind == MAVEN_ROUTE_FILE && strcmp(r.version, "1.0-SNAPSHOT") == 0);
    p = "org/example/lib/1.0-SNAPSHOT/maven-metadata.xml";
    maven_route_parse(p, strlen(p), &r);
    CHECK(r.kind == MAVEN_ROUTE_FILE && strcmp(r.version, "1.0-SNAPSHOT") == 0 && strcmp(r.artifact, "lib") == 0);
    const char *bad[] = {"org/example/lib/1.2/other-1.2.jar", "org/../lib/1.2/lib-1.2.jar", "lib-1.2.jar",
                         "org/example/lib/1.2/", "org//lib/1.2/lib-1.2.jar", "org/ex%2fample/lib/1/lib-1.jar",
                         "a/b/c"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        maven_route_parse(bad[i], strlen(bad[i]), &r);
        if (r.kind != MAVEN_ROUTE_INVALID)
            fprintf(stderr, "accepted %s\n", bad[i]);
        CHECK(r.kind == MAVEN_ROUTE_INVALID);
    }
}

TEST(checksum_files)
{
    integrity_t i;
    const char *sha1 = "367ced68dc3388ef6fe0d8b227d2668f4c41c0d3";
    CHECK(maven_checksum_parse(sha1, 40, SUM_SHA1, &i) == 0 && i.alg == DIGEST_SHA1);
    char withname[128];
    snprintf(withname, sizeof(withname), "%s  lib-1.2.jar\n", sha1);
    CHECK(maven_checksum_parse(withname, strlen(withname), SUM_SHA1, &i) == 0);
    snprintf(withname, sizeof(withname), "367CED68DC3388EF6FE0D8B227D2668F4C41C0D3 *lib-1.2.jar");
    CHECK(maven_checksum_parse(withname, strlen(withname), SUM_SHA1, &i) == 0);
    CHECK(maven_checksum_parse("xyz", 3, SUM_SHA1, &i) != 0);
    CHECK(maven_checksum_parse(sha1, 39, SUM_SHA1, &i) != 0);
    CHECK(maven_checksum_parse("d41d8cd98f00b204e9800998ecf8427e", 32, SUM_MD5, &i) == 0);
}

static const char *META = "<?xml version=\"1.0\"?>\n<metadata>\n  <groupId>g</groupId>\n  <artifactId>a</artifactId>\n"
                          "  <versioning>\n    <latest>2.0</latest>\n    <release>2.0</release>\n    <versions>\n"
                          "      <version>1.0</version>\n      <version>1.1</version>\n      <version>2.0</version>\n"
                          "    </versions>\n    <lastUpdated>20261122050355</lastUpdated>\n  </versioning>\n</metadata>\n";

TEST(metadata_rewrite)
{
    maven_metadata_t m;
    char err[200];
    CHECK(maven_metadata_parse(&m, META, strlen(META), err, sizeof(err)) == 0);
    CHECK(m.has_versions && m.nversions == 3 && strcmp(m.versions[2].version, "2.0") == 0);
    CHECK(m.last_updated == maven_timestamp_parse("20261122050355", 14));
    unsigned char keep[3] = {1, 1, 0};
    buf_t out;
    buf_init(&out);
    maven_metadata_render(&m, keep, "1.1", "1.1", time_parse_iso8601("2026-10-01T00:00:00Z", 20), &out);
    const char *x = buf_cstr(&out);
    CHECK(strstr(x, "<version>2.0</version>") == NULL);
    CHECK(strstr(x, "<version>1.1</version>") != NULL);
    CHECK(strstr(x, "<latest>1.1</latest>") != NULL && strstr(x, "<release>1.1</release>") != NULL);
    CHECK(strstr(x, "<lastUpdated>20261001000000</lastUpdated>") != NULL);
    CHECK(strstr(x, "</versions>\n") != NULL && strstr(x, "</metadata>") != NULL);
    /* nothing mature: latest and release go away */
    buf_reset(&out);
    unsigned char none[3] = {0, 0, 0};
    maven_metadata_render(&m, none, NULL, NULL, TIME_NONE, &out);
    x = buf_cstr(&out);
    CHECK(strstr(x, "<latest>") == NULL && strstr(x, "<release>") == NULL && strstr(x, "<version>") == NULL);
    CHECK(strstr(x, "<lastUpdated>20261122050355</lastUpdated>") != NULL);
    buf_free(&out);
    maven_metadata_free(&m);
}

TEST(metadata_malformed)
{
    maven_metadata_t m;
    char err[200];
    const char *bad[] = {"", "<html>nope</html>", "<metadata><versioning><versions><version>1",
                         "<metadata><versioning><versions><version>1</version></versioning></metadata>",
                         "<metadata><versioning><latest>1<x/></latest></versioning></metadata>",
                         "<metadata><versioning><versions><version></version></versions></versioning></metadata>"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = maven_metadata_parse(&m, bad[i], strlen(bad[i]), err, sizeof(err));
        if (rc == 0) {
            fprintf(stderr, "accepted: %s\n", bad[i]);
            maven_metadata_free(&m);
        }
        CHECK(rc != 0);
    }
    /* group metadata (plugin prefixes) parses, with no versions */
    const char *group = "<metadata><plugins><plugin><prefix>x</prefix></plugin></plugins></metadata>";
    CHECK(maven_metadata_parse(&m, group, strlen(group), err, sizeof(err)) == 0 && !m.has_versions);
    maven_metadata_free(&m);
}

int main(void)
{
    RUN(paths);
    RUN(checksum_files);
    RUN(metadata_rewrite);
    RUN(metadata_malformed);
    RUN(version_order);
    RUN(version_equalities);
    return test_report();
}
