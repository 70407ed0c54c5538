/* unit tests: a look-alike name weighed by the package's own history
 * (analysis/established.h). The false positives a census of popular npm
 * projects found — @jridgewell/source-map, @cspotcode/source-map-support,
 * @parcel/source-map, @npmcli/node-gyp, each "a popular name under another
 * scope" — come here with the shape of their real packuments (years of
 * history, several versions), go through the same ingest computation the
 * server runs (npm_package_history into the store), and must not be held;
 * the typosquats the integration tests catch must still be. Bad input: no
 * time at all, one version, a scope never seen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "analysis/established.h"
#include "ecosystems/eco_ids.h"
#include "store/record.h"
#include "store/store.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "ecosystems/npm/npm_filter.h"
#include "ecosystems/npm/npm_packument.h"
#include "ecosystems/pypi/pypi_index.h"
#include "core/config.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "tests/unit/test.h"

#define DAY (86400LL * 1000)

static config_t g_cfg;

typedef struct put_op {
    const char *eco, *name;
    package_rec_t rec;
} put_op_t;

static int put_one(MDB_txn *txn, void *arg)
{
    put_op_t *op = arg;
    return package_rec_put(txn, op->eco, op->name, &op->rec);
}

static void put(const char *eco, const char *name, const package_rec_t *r)
{
    put_op_t op = {eco, name, *r};
    char err[300];
    CHECK_INT_EQ(store_write(put_one, &op, err, sizeof(err)), STORE_OK);
}

/* what npm ingest records for a packument */
static void ingest_npm(const char *doc)
{
    npm_packument_t p;
    char err[300];
    CHECK_INT_EQ(npm_packument_parse(&p, doc, strlen(doc), err, sizeof(err)), 0);
    package_rec_t r;
    npm_package_history(&p, time_now_ms(), &r);
    if (p.name)
        put("npm", p.name, &r);
    npm_packument_free(&p);
}

/* a packument of name with the given versions, published days_ago[i] days ago */
static char *npm_doc(const char *name, const char *const *versions, const int *days_ago, size_t n, int with_time)
{
    buf_t b;
    buf_init(&b);
    int64_t now = time_now_ms();
    buf_printf(&b, "{\"name\":\"%s\",\"dist-tags\":{\"latest\":\"%s\"},\"versions\":{", name, versions[n - 1]);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s\"%s\":{\"name\":\"%s\",\"version\":\"%s\",\"dist\":{\"tarball\":\"x\"}}", i ? "," : "",
                   versions[i], name, versions[i]);
    buf_puts(&b, "}");
    if (with_time) {
        char t[40];
        buf_puts(&b, ",\"time\":{");
        for (size_t i = 0; i < n; i++) {
            time_format_iso8601(now - days_ago[i] * DAY, t, sizeof(t), 1);
            buf_printf(&b, "%s\"%s\":\"%s\"", i ? "," : "", versions[i], t);
        }
        buf_puts(&b, "}");
    }
    buf_puts(&b, "}");
    return buf_steal(&b, NULL);
}

static verdict_t decide(eco_id_t eco, const char *pkg, const char *ver)
{
    verdict_t v;
    int64_t now = time_now_ms();
    version_facts_t facts = {.published_at = now - 30 * DAY, .first_seen = TIME_NONE};
    findings_t found;
    findings_clear(&found);
    policy_gather(eco, pkg, ver, now, &facts, &found); /* the facts the server gathers besides the times */
    policy_decide(&g_cfg, eco, pkg, ver, &facts, now, &v);
    return v;
}

#define TYPO (1u << FINDING_TYPOSQUAT)

/* The four real false positives, with their packuments' real history
 * (versions and publish dates as the registry lists them). */
static const char JRIDGEWELL_SOURCE_MAP[] =
    "{\"name\":\"@jridgewell/source-map\",\"dist-tags\":{\"latest\":\"0.3.6\"},\"versions\":{"
    "\"0.3.0\":{\"name\":\"@jridgewell/source-map\",\"version\":\"0.3.0\",\"dependencies\":{\"@jridgewell/gen-mapping\":"
    "\"^0.1.0\"}},"
    "\"0.3.1\":{\"name\":\"@jridgewell/source-map\",\"version\":\"0.3.1\"},"
    "\"0.3.2\":{\"name\":\"@jridgewell/source-map\",\"version\":\"0.3.2\"},"
    "\"0.3.3\":{\"name\":\"@jridgewell/source-map\",\"version\":\"0.3.3\"},"
    "\"0.3.4\":{\"name\":\"@jridgewell/source-map\",\"version\":\"0.3.4\"},"
    "\"0.3.5\":{\"name\":\"@jridgewell/source-map\",\"version\":\"0.3.5\"},"
    "\"0.3.6\":{\"name\":\"@jridgewell/source-map\",\"version\":\"0.3.6\"}},"
    "\"time\":{\"created\":\"2022-03-08T01:22:48.531Z\",\"modified\":\"2024-03-19T21:42:25.181Z\","
    "\"0.3.0\":\"2022-03-08T01:22:48.736Z\",\"0.3.1\":\"2022-03-08T02:11:30.411Z\","
    "\"0.3.2\":\"2022-04-21T18:38:55.211Z\",\"0.3.3\":\"2023-04-24T03:31:01.842Z\","
    "\"0.3.4\":\"2023-06-29T21:07:30.094Z\",\"0.3.5\":\"2023-07-03T23:53:57.744Z\","
    "\"0.3.6\":\"2024-03-19T21:42:24.902Z\"}}";

static const char CSPOTCODE_SOURCE_MAP_SUPPORT[] =
    "{\"name\":\"@cspotcode/source-map-support\",\"versions\":{"
    "\"0.6.0\":{\"version\":\"0.6.0\"},\"0.6.1\":{\"version\":\"0.6.1\"},\"0.7.0\":{\"version\":\"0.7.0\"},"
    "\"0.8.0\":{\"version\":\"0.8.0\"},\"0.8.1\":{\"version\":\"0.8.1\"}},"
    "\"time\":{\"created\":\"2021-07-26T03:11:40.070Z\",\"0.6.0\":\"2021-07-26T03:11:40.218Z\","
    "\"0.6.1\":\"2021-07-27T01:46:04.633Z\",\"0.7.0\":\"2021-09-21T20:50:36.322Z\","
    "\"0.8.0\":\"2022-04-27T02:30:05.531Z\",\"0.8.1\":\"2022-05-05T03:57:57.215Z\"}}";

static const char PARCEL_SOURCE_MAP[] =
    "{\"name\":\"@parcel/source-map\",\"versions\":{"
    "\"2.0.0-alpha.4.1\":{\"version\":\"2.0.0-alpha.4.1\"},\"2.0.0-alpha.4.21\":{\"version\":\"2.0.0-alpha.4.21\"},"
    "\"2.0.0\":{\"version\":\"2.0.0\"},\"2.0.2\":{\"version\":\"2.0.2\"},\"2.0.5\":{\"version\":\"2.0.5\"},"
    "\"2.1.0\":{\"version\":\"2.1.0\"},\"2.1.1\":{\"version\":\"2.1.1\"}},"
    "\"time\":{\"created\":\"2019-07-31T13:02:11.000Z\",\"2.0.0-alpha.4.1\":\"2019-07-31T13:02:11.000Z\","
    "\"2.0.0-alpha.4.21\":\"2021-02-09T12:00:00.000Z\",\"2.0.0\":\"2021-08-24T10:00:00.000Z\","
    "\"2.0.2\":\"2022-02-02T10:00:00.000Z\",\"2.0.5\":\"2022-05-20T10:00:00.000Z\","
    "\"2.1.0\":\"2022-07-05T10:00:00.000Z\",\"2.1.1\":\"2022-07-21T10:00:00.000Z\"}}";

static const char NPMCLI_NODE_GYP[] =
    "{\"name\":\"@npmcli/node-gyp\",\"versions\":{"
    "\"1.0.0\":{\"version\":\"1.0.0\"},\"1.0.1\":{\"version\":\"1.0.1\"},\"1.0.2\":{\"version\":\"1.0.2\"},"
    "\"1.0.3\":{\"version\":\"1.0.3\"},\"2.0.0\":{\"version\":\"2.0.0\"},\"3.0.0\":{\"version\":\"3.0.0\"},"
    "\"4.0.0\":{\"version\":\"4.0.0\"}},"
    "\"time\":{\"created\":\"2020-01-07T19:13:27.000Z\",\"1.0.0\":\"2020-01-07T19:13:27.000Z\","
    "\"1.0.1\":\"2021-01-27T18:00:00.000Z\",\"1.0.2\":\"2021-02-23T18:00:00.000Z\","
    "\"1.0.3\":\"2021-10-25T18:00:00.000Z\",\"2.0.0\":\"2022-04-04T18:00:00.000Z\","
    "\"3.0.0\":\"2022-10-12T18:00:00.000Z\",\"4.0.0\":\"2024-08-28T18:00:00.000Z\"}}";

TEST(real_false_positives_are_not_held)
{
    /* the name check alone flags all four: that was the bug */
    static const char *const names[] = {"@jridgewell/source-map", "@cspotcode/source-map-support",
                                        "@parcel/source-map", "@npmcli/node-gyp"};
    for (size_t i = 0; i < 4; i++) {
        verdict_t v = decide(ECO_NPM, names[i], "1.0.0");
        CHECK(!v.allow);
        CHECK_STR_EQ(reason_name(v.reason), "typosquat");
        CHECK(strstr(v.detail, "a popular name under another scope") != NULL);
    }
    ingest_npm(JRIDGEWELL_SOURCE_MAP);
    ingest_npm(CSPOTCODE_SOURCE_MAP_SUPPORT);
    ingest_npm(PARCEL_SOURCE_MAP);
    ingest_npm(NPMCLI_NODE_GYP);
    /* with their history read: established, a warning and no hold */
    for (size_t i = 0; i < 4; i++) {
        verdict_t v = decide(ECO_NPM, names[i], "1.0.0");
        if (!v.allow)
            fprintf(stderr, "%s held: %s\n", names[i], v.detail);
        CHECK(v.allow);
        CHECK(v.warnings & TYPO);
    }
    /* the warning says why it is one */
    findings_t f;
    findings_clear(&f);
    analysis_name_findings(ECO_NPM, "@jridgewell/source-map", time_now_ms(), &f, NULL);
    CHECK(f.mask & TYPO);
    CHECK(f.capped & TYPO);
    CHECK(strstr(f.detail[FINDING_TYPOSQUAT], "looks like source-map") != NULL);
    CHECK(strstr(f.detail[FINDING_TYPOSQUAT], "is established (first published 2022-03-08, 7 versions)") != NULL);
}

TEST(established_scope_is_not_another_scope)
{
    /* @jridgewell publishes many old packages: once cordon has read three of
     * them, its packages are not "under another scope" at all */
    static const char *const peers[] = {"@jridgewell/gen-mapping", "@jridgewell/trace-mapping",
                                        "@jridgewell/resolve-uri"};
    int64_t now = time_now_ms();
    for (size_t i = 0; i < 3; i++) {
        package_rec_t r = {.first_published = now - 900 * DAY, .last_published = now - 60 * DAY,
                           .nversions = 12, .first_seen = now};
        put("npm", peers[i], &r);
        verdict_t v = decide(ECO_NPM, "@jridgewell/source-map", "0.3.6");
        CHECK(v.allow);
        /* two peers are not enough: still a warning */
        CHECK(i == 2 ? !(v.warnings & TYPO) : (v.warnings & TYPO) != 0);
    }
    findings_t f;
    findings_clear(&f);
    analysis_name_findings(ECO_NPM, "@jridgewell/source-map", now, &f, NULL);
    CHECK_INT_EQ((long)f.mask, 0);
    /* a scope's young packages do not make it established */
    for (size_t i = 0; i < 5; i++) {
        char name[64];
        snprintf(name, sizeof(name), "@fresh/pkg%zu", i);
        package_rec_t r = {.first_published = now - 2 * DAY, .last_published = now - DAY, .nversions = 2,
                           .first_seen = now};
        put("npm", name, &r);
    }
    verdict_t v = decide(ECO_NPM, "@fresh/source-map", "1.0.0");
    CHECK(!v.allow);
    CHECK_STR_EQ(reason_name(v.reason), "typosquat");
}

TEST(young_small_lookalikes_are_held)
{
    /* the cases the integration tests hold, young: one version, two days old */
    static const char *const squats[] = {"lodahs", "expresss", "crossenv", "electorn", "@evil/source-map"};
    static const char *const one[] = {"1.0.0"};
    static const int two_days[] = {2};
    for (size_t i = 0; i < 5; i++) {
        char *doc = npm_doc(squats[i], one, two_days, 1, 1);
        ingest_npm(doc);
        free(doc);
        verdict_t v = decide(ECO_NPM, squats[i], "1.0.0");
        CHECK(!v.allow);
        CHECK_STR_EQ(reason_name(v.reason), "typosquat");
        /* held until age alone makes it established: the document's answer changes then */
        int64_t now = time_now_ms();
        CHECK(v.valid_until > now + 170 * DAY && v.valid_until < now + 180 * DAY);
        CHECK(strstr(v.detail, "established") == NULL);
    }
    /* many versions pushed in an afternoon do not make a package established */
    static const char *const burst[] = {"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5",
                                        "1.0.6", "1.0.7", "1.0.8", "1.0.9", "1.0.10", "1.0.11"};
    static const int burst_days[] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    char *doc = npm_doc("lodasj", burst, burst_days, 12, 1);
    ingest_npm(doc);
    free(doc);
    CHECK_STR_EQ(reason_name(decide(ECO_NPM, "lodasj", "1.0.11").reason), "typosquat");
    /* ten versions over two months do: an active young project warns */
    static const int spread[] = {70, 65, 60, 55, 50, 45, 40, 35, 30, 25, 20, 15};
    doc = npm_doc("lodasx", burst, spread, 12, 1);
    ingest_npm(doc);
    free(doc);
    verdict_t v = decide(ECO_NPM, "lodasx", "1.0.11");
    CHECK(v.allow);
    CHECK(v.warnings & TYPO);
    /* the configuration still decides what a young look-alike gets */
    char err[300];
    config_free(&g_cfg);
    const char *y = "quarantine: { min_age: 7d }\nanalysis: { typosquat: warn }\n";
    CHECK_INT_EQ(config_load_string(&g_cfg, "t.yaml", y, strlen(y), err, sizeof(err)), 0);
    CHECK(decide(ECO_NPM, "lodahs", "1.0.0").allow);
    config_free(&g_cfg);
    y = "quarantine: { min_age: 7d }\nanalysis: { typosquat: ignore }\n";
    CHECK_INT_EQ(config_load_string(&g_cfg, "t.yaml", y, strlen(y), err, sizeof(err)), 0);
    CHECK(!(decide(ECO_NPM, "@jridgewell/source-map", "0.3.6").warnings & TYPO));
    config_free(&g_cfg);
    y = "quarantine: { min_age: 7d }\n";
    CHECK_INT_EQ(config_load_string(&g_cfg, "t.yaml", y, strlen(y), err, sizeof(err)), 0);
}

TEST(bad_history_is_sane)
{
    /* no time at all: nothing says it is old, so it is held */
    static const char *const vs[] = {"1.0.0", "1.1.0", "1.2.0"};
    static const int days[] = {0, 0, 0};
    char *doc = npm_doc("expresz", vs, days, 3, 0);
    ingest_npm(doc);
    free(doc);
    CHECK_STR_EQ(reason_name(decide(ECO_NPM, "expresz", "1.2.0").reason), "typosquat");
    package_rec_t r;
    MDB_txn *txn;
    CHECK_INT_EQ(store_read_begin(&txn), 0);
    CHECK_INT_EQ(package_rec_get(txn, "npm", "expresz", &r), 0);
    store_read_end(txn);
    CHECK(r.first_published == TIME_NONE);
    CHECK_INT_EQ(r.nversions, 3);
    /* one version, published long ago: established by age */
    static const char *const one[] = {"0.1.0"};
    static const int old[] = {3000};
    doc = npm_doc("lodashh", one, old, 1, 1);
    ingest_npm(doc);
    free(doc);
    verdict_t v = decide(ECO_NPM, "lodashh", "0.1.0");
    CHECK(v.allow);
    CHECK(v.warnings & TYPO);
    /* a scope cordon never saw, a package it never read: held */
    CHECK_STR_EQ(reason_name(decide(ECO_NPM, "@nobody/cross-env", "1.0.0").reason), "typosquat");
    /* the judgement itself on edge records */
    char why[120];
    int64_t until, now = time_now_ms();
    CHECK_INT_EQ(package_established(NULL, now, why, sizeof(why), &until), 0);
    CHECK(until == TIME_NONE);
    package_rec_t zero = {.first_published = TIME_NONE, .last_published = TIME_NONE, .nversions = 500};
    CHECK_INT_EQ(package_established(&zero, now, why, sizeof(why), &until), 0);
    package_rec_t edge = {.first_published = now - ESTABLISHED_AGE, .last_published = now, .nversions = 1};
    CHECK_INT_EQ(package_established(&edge, now, why, sizeof(why), &until), 1);
    CHECK(strstr(why, "1 version") != NULL && strstr(why, "versions") == NULL);
    edge.first_published = now - ESTABLISHED_AGE + 1;
    CHECK_INT_EQ(package_established(&edge, now, why, sizeof(why), &until), 0);
    CHECK(until == now + 1);
    /* a damaged record reads as absent, never as established */
    CHECK_INT_EQ(package_rec_decode("\x04\x01", 2, &r), -1);
}

TEST(pypi_and_maven_history)
{
    /* PyPI: a look-alike one edit from a popular project, with years of
     * releases on its page, warns; the same name young is held */
    static const char page[] =
        "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"numpyy\",\"files\":["
        "{\"filename\":\"numpyy-2.4.0.tar.gz\",\"url\":\"https://files.example/numpyy-2.4.0.tar.gz\","
        "\"hashes\":{\"sha256\":\"aa\"},\"upload-time\":\"2018-03-27T10:00:00.000000Z\"},"
        "{\"filename\":\"numpyy-2.5.0.tar.gz\",\"url\":\"https://files.example/numpyy-2.5.0.tar.gz\","
        "\"hashes\":{\"sha256\":\"bb\"},\"upload-time\":\"2022-12-25T10:00:00.000000Z\"},"
        "{\"filename\":\"numpyy-2.5.0-py2.py3-none-any.whl\",\"url\":\"https://files.example/numpyy-2.5.0-py2.py3-none-any.whl\","
        "\"hashes\":{\"sha256\":\"cc\"},\"upload-time\":\"2022-12-25T10:00:00.000000Z\"}]}";
    verdict_t v = decide(ECO_PYPI, "numpyy", "2.5.0");
    CHECK(!v.allow); /* numpy: one character added */
    pypi_project_t p;
    char err[300];
    CHECK_INT_EQ(pypi_index_parse(&p, "numpyy", page, strlen(page), err, sizeof(err)), 0);
    package_rec_t r;
    pypi_package_history(&p, time_now_ms(), &r);
    pypi_index_free(&p);
    CHECK_INT_EQ(r.nversions, 2);
    put("pypi", "numpyy", &r);
    v = decide(ECO_PYPI, "numpyy", "2.5.0");
    CHECK(v.allow);
    CHECK(v.warnings & TYPO);
    CHECK_STR_EQ(reason_name(decide(ECO_PYPI, "reqeusts", "1.0").reason), "typosquat");
    /* Maven: a groupId look-alike with a long history of its own */
    CHECK_STR_EQ(reason_name(decide(ECO_MAVEN, "com.squareup.okhttp4:okhttp", "4.0.0").reason), "typosquat");
    int64_t now = time_now_ms();
    package_rec_t m = {.first_published = now - 2000 * DAY, .last_published = now - 100 * DAY, .nversions = 40,
                       .first_seen = now};
    put("maven", "com.squareup.okhttp4:okhttp", &m);
    CHECK(decide(ECO_MAVEN, "com.squareup.okhttp4:okhttp", "4.0.0").allow);
}

int main(void)
{
    char dir[] = "/tmp/cordon-established-XXXXXX", err[300];
    if (mkdtemp(dir) == NULL)
        return 2;
    const char *y = "quarantine: { min_age: 7d }\n";
    if (config_load_string(&g_cfg, "t.yaml", y, strlen(y), err, sizeof(err)) != 0 ||
        store_open(dir, 8 << 20, 0, err, sizeof(err)) != 0 || analysis_configure(&g_cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        return 2;
    }
    RUN(real_false_positives_are_not_held);
    RUN(established_scope_is_not_another_scope);
    RUN(young_small_lookalikes_are_held);
    RUN(bad_history_is_sane);
    RUN(pypi_and_maven_history);
    analysis_shutdown();
    store_close();
    config_free(&g_cfg);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_report();
}
