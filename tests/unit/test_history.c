/* history: provenance regression per line and publisher change over a
 * package's release history (intel/history.h), and the npm packument
 * fields they read (_npmUser.name, dist.attestations). */
#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"
#include "ecosystems/npm/npm_attest.h"
#include "ecosystems/npm/npm_packument.h"
#include "ecosystems/pypi/pypi_history.h"
#include "intel/history.h"
#include "tests/unit/test.h"

#define DAY (86400LL * 1000)

TEST(provenance_regression_is_per_line)
{
    /* listed out of time order: the history is by publish time */
    history_version_t v[] = {
        {.version = "1.2.0", .published_at = 30 * DAY, .line = "1.x"},                     /* lost it */
        {.version = "1.0.0", .published_at = 10 * DAY, .line = "1.x", .has_provenance = 1},
        {.version = "1.1.0", .published_at = 20 * DAY, .line = "1.x", .has_provenance = 1},
        {.version = "2.0.0", .published_at = 40 * DAY, .line = "2.x"},                     /* a new line */
        {.version = "2.1.0", .published_at = 50 * DAY, .line = "2.x"},
        {.version = "0.9.0", .published_at = TIME_NONE, .line = "0.x"},                    /* no time: oldest */
        {.version = "junk", .published_at = 60 * DAY, .line = NULL},                       /* no line: not judged */
    };
    size_t n = sizeof(v) / sizeof(v[0]);
    unsigned char f[7];
    CHECK_INT_EQ(history_flags(v, n, f), 0);
    CHECK_INT_EQ(f[0], HISTORY_PROVENANCE_LOST);
    CHECK_INT_EQ(f[1], 0);
    CHECK_INT_EQ(f[2], 0);
    CHECK_INT_EQ(f[3], 0);
    CHECK_INT_EQ(f[4], 0);
    CHECK_INT_EQ(f[5], 0);
    CHECK_INT_EQ(f[6], 0);
    findings_t fs;
    findings_clear(&fs);
    history_findings("p", v, n, 0, f[0], &fs);
    CHECK(fs.mask == 1u << FINDING_PROVENANCE_REGRESSION);
    CHECK(strstr(fs.detail[FINDING_PROVENANCE_REGRESSION], "p@1.2.0 has no provenance, but p@1.1.0") != NULL);

    /* provenance again after a lapse: the lapse was the regression, not the return */
    history_version_t w[] = {
        {.version = "1.0.0", .published_at = 1, .line = "1.x", .has_provenance = 1},
        {.version = "1.1.0", .published_at = 2, .line = "1.x"},
        {.version = "1.2.0", .published_at = 3, .line = "1.x", .has_provenance = 1},
    };
    unsigned char g[3];
    CHECK_INT_EQ(history_flags(w, 3, g), 0);
    CHECK_INT_EQ(g[1], HISTORY_PROVENANCE_LOST);
    CHECK_INT_EQ(g[2], 0);
}

TEST(repository_continuity)
{
    history_version_t v[] = {
        {.version = "1.0.0", .published_at = 1, .line = "1.x", .has_provenance = 1, .repository = "github.com/a/x"},
        {.version = "1.1.0", .published_at = 2, .line = "1.x", .has_provenance = 1, .repository = "github.com/evil/x"},
        {.version = "1.2.0", .published_at = 3, .line = "1.x", .has_provenance = 1, .repository = "github.com/evil/x"},
        {.version = "1.3.0", .published_at = 4, .line = "1.x", .has_provenance = 1}, /* repository unknown */
    };
    unsigned char f[4];
    CHECK_INT_EQ(history_flags(v, 4, f), 0);
    CHECK_INT_EQ(f[0], 0);
    CHECK_INT_EQ(f[1], HISTORY_REPOSITORY_MOVED);
    CHECK_INT_EQ(f[2], 0); /* compared with the line's previous one */
    CHECK_INT_EQ(f[3], 0);
    findings_t fs;
    findings_clear(&fs);
    history_findings("x", v, 4, 1, f[1], &fs);
    CHECK(strstr(fs.detail[FINDING_PROVENANCE_REGRESSION], "built from github.com/evil/x") != NULL);
}

TEST(publisher_change_needs_a_history)
{
    history_version_t v[] = {
        {.version = "1.0.0", .published_at = 1, .publisher = "alice"},
        {.version = "1.1.0", .published_at = 2, .publisher = "bob"},   /* second version: no habit yet */
        {.version = "1.2.0", .published_at = 3, .publisher = "alice"},
        {.version = "1.3.0", .published_at = 4, .publisher = "mallory"},
        {.version = "1.4.0", .published_at = 5, .publisher = "mallory"}, /* mallory's second: no change */
        {.version = "1.5.0", .published_at = 6},                         /* unknown publisher: not judged */
    };
    unsigned char f[6];
    CHECK_INT_EQ(history_flags(v, 6, f), 0);
    CHECK_INT_EQ(f[1], 0);
    CHECK_INT_EQ(f[3], HISTORY_PUBLISHER_NEW);
    CHECK_INT_EQ(f[4], 0);
    CHECK_INT_EQ(f[5], 0);
    findings_t fs;
    findings_clear(&fs);
    history_findings("p", v, 6, 3, f[3], &fs);
    CHECK(fs.mask == 1u << FINDING_PUBLISHER_CHANGE);
    CHECK(strstr(fs.detail[FINDING_PUBLISHER_CHANGE], "published by mallory, who published none of its 3 earlier "
                                                      "versions (earlier publishers: alice, bob)") != NULL);
    /* nobody known before: nothing to compare with */
    history_version_t u[] = {{.version = "1", .published_at = 1},
                             {.version = "2", .published_at = 2},
                             {.version = "3", .published_at = 3},
                             {.version = "4", .published_at = 4, .publisher = "x"}};
    unsigned char g[4];
    CHECK_INT_EQ(history_flags(u, 4, g), 0);
    CHECK_INT_EQ(g[3], 0);
}

TEST(packument_publisher_and_attestations)
{
    static const char DOC[] =
        "{\"name\":\"p\",\"versions\":{"
        "\"1.0.0\":{\"name\":\"p\",\"version\":\"1.0.0\",\"_npmUser\":{\"name\":\"alice\",\"email\":\"a@x\"},"
        "\"dist\":{\"tarball\":\"t\",\"attestations\":{\"url\":\"https://r/-/npm/v1/attestations/p@1.0.0\","
        "\"provenance\":{\"predicateType\":\"https://slsa.dev/provenance/v1\"}}}},"
        "\"1.1.0\":{\"name\":\"p\",\"version\":\"1.1.0\",\"dist\":{\"tarball\":\"t\",\"attestations\":"
        "{\"provenance\":{\"predicateType\":\"https://example.com/not-slsa\"}}}},"
        "\"1.2.0\":{\"name\":\"p\",\"version\":\"1.2.0\",\"_npmUser\":\"bob\",\"dist\":{\"tarball\":\"t\"}}}}";
    npm_packument_t p;
    char err[200];
    CHECK_INT_EQ(npm_packument_parse(&p, DOC, strlen(DOC), err, sizeof(err)), 0);
    CHECK_INT_EQ(p.nversions, 3);
    CHECK_STR_EQ(p.versions[0].publisher, "alice");
    CHECK_INT_EQ(p.versions[0].has_provenance, 1);
    CHECK_STR_EQ(p.versions[0].attestations_url, "https://r/-/npm/v1/attestations/p@1.0.0");
    CHECK(p.versions[1].publisher == NULL);
    CHECK_INT_EQ(p.versions[1].has_provenance, 0); /* another predicate is not SLSA provenance */
    CHECK(p.versions[2].publisher == NULL);       /* _npmUser not an object: no publisher */
    CHECK_INT_EQ(p.versions[2].has_provenance, 0);
    npm_packument_free(&p);
}

/* a bundle whose SLSA attestation's payload is base64 of statement */
static void bundle(char *out, size_t outlen, const char *predicate_type, const char *b64)
{
    snprintf(out, outlen,
             "{\"attestations\":[{\"predicateType\":\"https://github.com/npm/attestation/tree/main/specs/"
             "publish/v0.1\",\"bundle\":{\"dsseEnvelope\":{\"payload\":\"e30=\"}}},"
             "{\"predicateType\":\"%s\",\"bundle\":{\"dsseEnvelope\":{\"payload\":\"%s\"}}}]}",
             predicate_type, b64);
}

TEST(attestation_bundles)
{
    char doc[4096], repo[256], err[300];
    /* {"predicate":{"buildDefinition":{"externalParameters":{"workflow":{"repository":"https://github.com/a/b"}}}}} */
    bundle(doc, sizeof(doc), "https://slsa.dev/provenance/v1",
           "eyJwcmVkaWNhdGUiOnsiYnVpbGREZWZpbml0aW9uIjp7ImV4dGVybmFsUGFyYW1ldGVycyI6eyJ3b3JrZmxvdyI6eyJyZXBvc2l0b3J5"
           "IjoiaHR0cHM6Ly9naXRodWIuY29tL2EvYiJ9fX19fQ==");
    CHECK_INT_EQ(npm_attestation_repository(doc, strlen(doc), repo, sizeof(repo), err, sizeof(err)), 0);
    CHECK_STR_EQ(repo, "https://github.com/a/b");
    /* SLSA v0.2: {"predicate":{"invocation":{"configSource":{"uri":"git+https://github.com/a/c@refs/heads/main"}}}} */
    bundle(doc, sizeof(doc), "https://slsa.dev/provenance/v0.2",
           "eyJwcmVkaWNhdGUiOnsiaW52b2NhdGlvbiI6eyJjb25maWdTb3VyY2UiOnsidXJpIjoiZ2l0K2h0dHBzOi8vZ2l0aHViLmNvbS9hL2NA"
           "cmVmcy9oZWFkcy9tYWluIn19fX0=");
    CHECK_INT_EQ(npm_attestation_repository(doc, strlen(doc), repo, sizeof(repo), err, sizeof(err)), 0);
    CHECK_STR_EQ(repo, "https://github.com/a/c");
    /* hostile or empty: a reason, never a repository */
    const char *bad[] = {"", "{", "[]", "{\"attestations\":{}}", "{\"attestations\":[{\"predicateType\":1}]}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        CHECK_INT_EQ(npm_attestation_repository(bad[i], strlen(bad[i]), repo, sizeof(repo), err, sizeof(err)), -1);
        CHECK(err[0] != '\0');
    }
    bundle(doc, sizeof(doc), "https://slsa.dev/provenance/v1", "not base64!");
    CHECK_INT_EQ(npm_attestation_repository(doc, strlen(doc), repo, sizeof(repo), err, sizeof(err)), -1);
    CHECK(strstr(err, "base64") != NULL);
    bundle(doc, sizeof(doc), "https://slsa.dev/provenance/v1", "e30="); /* {} names no repository */
    CHECK_INT_EQ(npm_attestation_repository(doc, strlen(doc), repo, sizeof(repo), err, sizeof(err)), -1);
    CHECK(strstr(err, "no source repository") != NULL);
    bundle(doc, sizeof(doc), "https://example.com/other", "e30="); /* not provenance */
    CHECK_INT_EQ(npm_attestation_repository(doc, strlen(doc), repo, sizeof(repo), err, sizeof(err)), -1);

    const char *pep740 = "{\"version\":1,\"attestation_bundles\":[{\"publisher\":{\"kind\":\"GitHub\","
                         "\"repository\":\"acme/x\",\"workflow\":\"release.yml\"},\"attestations\":[]}]}";
    CHECK_INT_EQ(pypi_provenance_repository(pep740, strlen(pep740), repo, sizeof(repo), err, sizeof(err)), 0);
    CHECK_STR_EQ(repo, "GitHub:acme/x");
    const char *none = "{\"version\":1,\"attestation_bundles\":[{\"publisher\":{\"kind\":\"GitHub\"}}]}";
    CHECK_INT_EQ(pypi_provenance_repository(none, strlen(none), repo, sizeof(repo), err, sizeof(err)), -1);
    CHECK_INT_EQ(pypi_provenance_repository("x", 1, repo, sizeof(repo), err, sizeof(err)), -1);
}

int main(void)
{
    RUN(provenance_regression_is_per_line);
    RUN(repository_continuity);
    RUN(publisher_change_needs_a_history);
    RUN(packument_publisher_and_attestations);
    RUN(attestation_bundles);
    return test_report();
}
