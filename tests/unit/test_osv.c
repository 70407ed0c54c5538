/* osv: the OSV parser (good and malformed records), range evaluation under
 * each ecosystem's version order, the index over a flat folder and the
 * OSSF layout (withdrawn records lift), the live feed's reload, and what
 * policy_decide makes of the facts (malicious beats approvals and allow
 * rules; the fast lane admits the fix). Also loads a generated corpus of
 * 15,000 files and prints how long it took (bench/osv_load.sh compares). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "core/config.h"
#include "core/ecosystem.h"
#include "ecosystems/eco_ids.h"
#include "intel/osv.h"
#include "intel/osv_feed.h"
#include "intel/osv_index.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "tests/unit/test.h"

static int parse(const char *json, osv_record_t *r, char *err, size_t errlen)
{
    return osv_parse(json, strlen(json), r, err, errlen);
}

static const char *MAL = "{\"id\":\"MAL-2025-1\",\"summary\":\"Malicious code in evil-pkg (npm)\","
                         "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"evil-pkg\"},"
                         "\"versions\":[\"1.0.1\"],"
                         "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"2.0.0\"},{\"fixed\":\"2.1.0\"}]}]}]}";

TEST(parses_a_record)
{
    osv_record_t r;
    char err[300];
    CHECK_INT_EQ(parse(MAL, &r, err, sizeof(err)), 0);
    CHECK_STR_EQ(r.id, "MAL-2025-1");
    CHECK_STR_EQ(r.summary, "Malicious code in evil-pkg (npm)");
    CHECK_INT_EQ(r.withdrawn, 0);
    CHECK_INT_EQ((int)r.naffected, 1);
    CHECK_STR_EQ(r.affected[0].ecosystem, "npm");
    CHECK_STR_EQ(r.affected[0].name, "evil-pkg");
    CHECK_INT_EQ((int)r.affected[0].nversions, 1);
    CHECK_INT_EQ((int)r.affected[0].nranges, 1);
    CHECK_INT_EQ((int)r.affected[0].ranges[0].nevents, 2);
    CHECK(osv_is_malicious(&r));
    osv_record_free(&r);
    /* details' first line stands in for a missing summary; withdrawn is read */
    CHECK_INT_EQ(parse("{\"id\":\"GHSA-x\",\"details\":\"first line\\nsecond\",\"withdrawn\":\"2025-01-01T00:00:00Z\"}", &r,
                       err, sizeof(err)),
                 0);
    CHECK_STR_EQ(r.summary, "first line");
    CHECK_INT_EQ(r.withdrawn, 1);
    CHECK(!osv_is_malicious(&r));
    osv_record_free(&r);
}

TEST(malformed_records_are_refused_with_a_reason)
{
    static const struct {
        const char *json, *want;
    } CASES[] = {
        {"", "not JSON"},
        {"{\"id\":", "not JSON"},
        {"[1,2]", "not a JSON object"},
        {"{\"summary\":\"x\"}", "no id"},
        {"{\"id\":7}", "id is not a string"},
        {"{\"id\":\"\"}", "no id"},
        {"{\"id\":\"X\",\"affected\":{}}", "affected is not an array"},
        {"{\"id\":\"X\",\"affected\":[7]}", "affected[0] is not an object"},
        {"{\"id\":\"X\",\"affected\":[{}]}", "package is missing"},
        {"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\"}}]}", "no ecosystem or name"},
        {"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"a\"},\"versions\":[1]}]}",
         "versions[0] is not a string"},
        {"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"a\"},\"ranges\":[{\"type\":\"X\","
         "\"events\":[{\"introduced\":\"0\"}]}]}]}",
         "is not SEMVER, ECOSYSTEM or GIT"},
        {"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"a\"},\"ranges\":[{\"type\":"
         "\"SEMVER\",\"events\":[]}]}]}",
         "has no events"},
        {"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"a\"},\"ranges\":[{\"type\":"
         "\"SEMVER\",\"events\":[{\"introduced\":1}]}]}]}",
         "is not a version string"},
        {"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"a\"},\"ranges\":[{\"type\":"
         "\"SEMVER\",\"events\":[{\"broken\":\"1\"}]}]}]}",
         "unknown key"},
        {"{\"id\":\"X\",\"withdrawn\":5}", "withdrawn is not a timestamp"},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        osv_record_t r;
        char err[300] = "";
        int rc = parse(CASES[i].json, &r, err, sizeof(err));
        CHECK_INT_EQ(rc, -1);
        if (strstr(err, CASES[i].want) == NULL)
            fprintf(stderr, "case %zu: '%s' does not say '%s'\n", i, err, CASES[i].want);
        CHECK(strstr(err, CASES[i].want) != NULL);
        CHECK(r.id == NULL && r.affected == NULL);
    }
    /* a NUL inside the bytes, not only at the end */
    osv_record_t r;
    char err[300];
    CHECK_INT_EQ(osv_parse("{\"id\":\"A\"}\0x", 12, &r, err, sizeof(err)), -1);
}

/* an affected entry of one range, evaluated under eco's order */
static int in_range(eco_id_t eco, const char *events, const char *version)
{
    char json[1024];
    snprintf(json, sizeof(json),
             "{\"id\":\"T\",\"affected\":[{\"package\":{\"ecosystem\":\"x\",\"name\":\"p\"},\"ranges\":[{\"type\":"
             "\"ECOSYSTEM\",\"events\":[%s]}]}]}",
             events);
    osv_record_t r;
    char err[300];
    if (parse(json, &r, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    int has = osv_affected_has(&r.affected[0], version, ecosystems[eco]->version_compare);
    osv_record_free(&r);
    return has;
}

TEST(ranges_follow_each_ecosystems_order)
{
    /* npm: semver, not strings ("1.10.0" > "1.9.0"); a prerelease sorts before its release */
    const char *npm = "{\"introduced\":\"1.9.0\"},{\"fixed\":\"1.10.0\"}";
    CHECK_INT_EQ(in_range(ECO_NPM, npm, "1.9.5"), 1);
    CHECK_INT_EQ(in_range(ECO_NPM, npm, "1.10.0-rc.1"), 1);
    CHECK_INT_EQ(in_range(ECO_NPM, npm, "1.10.0"), 0);
    CHECK_INT_EQ(in_range(ECO_NPM, npm, "1.8.9"), 0);
    CHECK_INT_EQ(in_range(ECO_NPM, npm, "1.100.0"), 0);
    /* "0" is every version; last_affected is inclusive */
    CHECK_INT_EQ(in_range(ECO_NPM, "{\"introduced\":\"0\"}", "0.0.1"), 1);
    CHECK_INT_EQ(in_range(ECO_NPM, "{\"introduced\":\"0\"},{\"last_affected\":\"2.0.0\"}", "2.0.0"), 1);
    CHECK_INT_EQ(in_range(ECO_NPM, "{\"introduced\":\"0\"},{\"last_affected\":\"2.0.0\"}", "2.0.1"), 0);
    /* events in any order, and two introduced/fixed pairs */
    const char *two = "{\"fixed\":\"3.0.2\"},{\"introduced\":\"3.0.0\"},{\"fixed\":\"1.2.0\"},{\"introduced\":\"0\"}";
    CHECK_INT_EQ(in_range(ECO_NPM, two, "1.1.9"), 1);
    CHECK_INT_EQ(in_range(ECO_NPM, two, "2.5.0"), 0);
    CHECK_INT_EQ(in_range(ECO_NPM, two, "3.0.1"), 1);
    CHECK_INT_EQ(in_range(ECO_NPM, two, "3.0.2"), 0);
    /* PyPI: PEP 440 (1.0rc1 < 1.0 < 1.0.post1; 1.0 == 1.0.0) */
    const char *py = "{\"introduced\":\"1.0rc1\"},{\"fixed\":\"1.0.post1\"}";
    CHECK_INT_EQ(in_range(ECO_PYPI, py, "1.0"), 1);
    CHECK_INT_EQ(in_range(ECO_PYPI, py, "1.0.0"), 1);
    CHECK_INT_EQ(in_range(ECO_PYPI, py, "1.0b2"), 0);
    CHECK_INT_EQ(in_range(ECO_PYPI, py, "1.0.post1"), 0);
    CHECK_INT_EQ(in_range(ECO_PYPI, "{\"introduced\":\"2.9\"},{\"fixed\":\"2.10\"}", "2.9.5"), 1);
    /* Maven: ComparableVersion (1.0-alpha < 1.0 < 1.0.1; 1.10 > 1.9) */
    const char *mvn = "{\"introduced\":\"1.0-alpha-1\"},{\"fixed\":\"1.10\"}";
    CHECK_INT_EQ(in_range(ECO_MAVEN, mvn, "1.0"), 1);
    CHECK_INT_EQ(in_range(ECO_MAVEN, mvn, "1.9.9"), 1);
    CHECK_INT_EQ(in_range(ECO_MAVEN, mvn, "1.10"), 0);
    CHECK_INT_EQ(in_range(ECO_MAVEN, mvn, "1.10.0"), 0);
    CHECK_INT_EQ(in_range(ECO_MAVEN, mvn, "0.9"), 0);
}

static char g_tmp[] = "/tmp/cordon-osv-XXXXXX";

static void put(const char *rel, const char *text)
{
    char path[1024], dir[1024];
    snprintf(path, sizeof(path), "%s/%s", g_tmp, rel);
    snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", path);
    if (system(dir) != 0)
        return;
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static const char *mal(const char *id, const char *eco, const char *name, const char *versions, char *buf, size_t n)
{
    snprintf(buf, n,
             "{\"id\":\"%s\",\"summary\":\"Malicious code in %s\",\"affected\":[{\"package\":{\"ecosystem\":\"%s\","
             "\"name\":\"%s\"},\"versions\":[%s]}]}",
             id, name, eco, name, versions);
    return buf;
}

static int g_warned;
static void count_warn(const char *path, const char *why)
{
    (void)why;
    if (strstr(path, "broken.json"))
        g_warned++;
}

TEST(index_reads_the_ossf_layout_and_a_flat_folder)
{
    char b[1024];
    char dir[1100];
    snprintf(dir, sizeof(dir), "%s/ossf", g_tmp);
    put("ossf/osv/malicious/npm/evil-pkg/MAL-2025-1.json", MAL);
    /* PyPI names are canonicalised (PEP 503) on both sides */
    put("ossf/osv/malicious/pypi/Evil_Py/MAL-2025-2.json", mal("MAL-2025-2", "PyPI", "Evil_Py", "\"0.3\"", b, sizeof(b)));
    put("ossf/osv/malicious/maven/org.evil:lib/MAL-2025-3.json",
        mal("MAL-2025-3", "Maven", "org.evil:lib", "\"1.0\"", b, sizeof(b)));
    /* withdrawn: the folder lifts the id, wherever another copy lies */
    put("ossf/osv/malicious/npm/oops/MAL-2025-4.json", mal("MAL-2025-4", "npm", "oops", "\"1.0.0\"", b, sizeof(b)));
    put("ossf/osv/withdrawn/npm/oops/MAL-2025-4.json", mal("MAL-2025-4", "npm", "oops", "\"1.0.0\"", b, sizeof(b)));
    /* an ecosystem cordon does not serve, a malformed file, and .git */
    put("ossf/osv/malicious/crates.io/x/MAL-2025-5.json", mal("MAL-2025-5", "crates.io", "x", "\"1.0.0\"", b, sizeof(b)));
    put("ossf/osv/malicious/npm/bad/broken.json", "{\"id\": \"MAL-9\", \"affected\": [");
    put("ossf/.git/objects/MAL-2025-6.json", mal("MAL-2025-6", "npm", "hidden", "\"1.0.0\"", b, sizeof(b)));
    osv_load_stats_t st;
    g_warned = 0;
    osv_index_t *idx = osv_index_load(dir, &st, count_warn);
    CHECK(idx != NULL);
    CHECK_INT_EQ((int)st.files, 7);
    CHECK_INT_EQ((int)st.skipped, 1);
    CHECK_INT_EQ(g_warned, 1);
    CHECK(strstr(st.skipped_files[0], "broken.json") != NULL);
    CHECK_INT_EQ((int)st.withdrawn, 1);
    CHECK_INT_EQ((int)st.records, 3);
    osv_hit_t hit;
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "evil-pkg", "1.0.1", &hit), 1);
    CHECK_STR_EQ(hit.id, "MAL-2025-1");
    CHECK_STR_EQ(hit.summary, "Malicious code in evil-pkg (npm)");
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "evil-pkg", "2.0.5", &hit), 1);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "evil-pkg", "1.0.0", &hit), 0);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "evil-pkg", "2.1.0", &hit), 0);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_PYPI, "evil-py", "0.3", &hit), 1);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_PYPI, "evil-py", "0.4", &hit), 0);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "evil-py", "0.3", &hit), 0); /* per ecosystem */
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_MAVEN, "org.evil:lib", "1.0", &hit), 1);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "oops", "1.0.0", &hit), 0);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "hidden", "1.0.0", &hit), 0);
    char fp1[17], fp2[17];
    osv_index_package_fp(idx, ECO_NPM, "evil-pkg", fp1);
    osv_index_package_fp(idx, ECO_NPM, "left-pad", fp2);
    CHECK(strcmp(fp1, fp2) != 0);
    osv_index_free(idx);

    /* a flat folder of *.json, with an advisory that is not malicious */
    snprintf(dir, sizeof(dir), "%s/flat", g_tmp);
    put("flat/a.json", mal("MAL-2025-7", "npm", "@scope/bad", "\"1.0.0\"", b, sizeof(b)));
    put("flat/GHSA-1.json", "{\"id\":\"GHSA-1\",\"summary\":\"prototype pollution\",\"affected\":[{\"package\":{"
                            "\"ecosystem\":\"npm\",\"name\":\"lib\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{"
                            "\"introduced\":\"0\"},{\"fixed\":\"1.2.4\"}]}]}]}");
    put("flat/notes.txt", "not a record");
    idx = osv_index_load(dir, &st, NULL);
    CHECK_INT_EQ((int)st.files, 2);
    CHECK_INT_EQ((int)st.records, 2);
    CHECK_INT_EQ((int)st.malicious, 1);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "@scope/bad", "1.0.0", &hit), 1);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "lib", "1.0.0", &hit), 0); /* an advisory refuses nothing */
    char ids[4][OSV_ID_MAX];
    CHECK_INT_EQ((int)osv_index_fixed_by(idx, ECO_NPM, "lib", "1.2.4", ids, 4), 1);
    CHECK_STR_EQ(ids[0], "GHSA-1");
    CHECK_INT_EQ((int)osv_index_fixed_by(idx, ECO_NPM, "lib", "1.2.5", ids, 4), 0);
    CHECK_INT_EQ(osv_index_affects(idx, ECO_NPM, "lib", "GHSA-1", "1.2.3"), 1);
    CHECK_INT_EQ(osv_index_affects(idx, ECO_NPM, "lib", "GHSA-1", "1.2.4"), 0);
    osv_index_free(idx);

    /* a missing folder: an empty index */
    idx = osv_index_load("/nonexistent/osv", &st, NULL);
    CHECK(idx != NULL);
    CHECK_INT_EQ((int)st.files, 0);
    osv_index_free(idx);
}

TEST(feed_follows_the_folder)
{
    char b[1024], dir[1100];
    snprintf(dir, sizeof(dir), "%s/live", g_tmp);
    put("live/keep.json", mal("MAL-2025-10", "npm", "left", "\"1.0.0\"", b, sizeof(b)));
    CHECK_INT_EQ(osv_feed_start(dir, 0), 0);
    osv_hit_t hit;
    char fp0[17], fp1[17];
    CHECK_INT_EQ(osv_feed_malicious(ECO_NPM, "left", "1.0.0", &hit), 1);
    CHECK_INT_EQ(osv_feed_malicious(ECO_NPM, "right", "2.0.0", &hit), 0);
    osv_feed_package_fp(ECO_NPM, "right", fp0);
    uint64_t sig = osv_dir_signature(dir);
    put("live/new.json", mal("MAL-2025-11", "npm", "right", "\"2.0.0\"", b, sizeof(b)));
    CHECK(osv_dir_signature(dir) != sig);
    osv_feed_refresh(dir);
    CHECK_INT_EQ(osv_feed_malicious(ECO_NPM, "right", "2.0.0", &hit), 1);
    osv_feed_package_fp(ECO_NPM, "right", fp1);
    CHECK(strcmp(fp0, fp1) != 0);
    char path[1200];
    snprintf(path, sizeof(path), "%s/keep.json", dir);
    CHECK_INT_EQ(unlink(path), 0);
    osv_feed_refresh(dir);
    CHECK_INT_EQ(osv_feed_malicious(ECO_NPM, "left", "1.0.0", &hit), 0);
    buf_t s;
    buf_init(&s);
    osv_feed_status_json(&s);
    CHECK(strstr(buf_cstr(&s), "\"records\":1") != NULL);
    CHECK(strstr(buf_cstr(&s), "\"loaded_at\":\"") != NULL);
    buf_free(&s);
    osv_feed_stop();
}

#define DAY (86400LL * 1000)
static const int64_t NOW = 1795000000000LL;

TEST(policy_refuses_malicious_whatever_admits_it)
{
    config_t cfg;
    char err[300];
    const char *y = "quarantine:\n  min_age: 7d\n  rules:\n    - { match: \"npm:evil@1.0.0\", allow: true }\n";
    CHECK_INT_EQ(config_load_string(&cfg, "t.yaml", y, strlen(y), err, sizeof(err)), 0);
    version_facts_t f = {.published_at = NOW - 30 * DAY, .first_seen = NOW - 30 * DAY};
    snprintf(f.malicious.id, sizeof(f.malicious.id), "MAL-2025-1");
    snprintf(f.malicious.summary, sizeof(f.malicious.summary), "steals tokens");
    verdict_t v;
    policy_decide(&cfg, ECO_NPM, "evil", "1.0.0", &f, NOW, &v); /* an allow rule */
    CHECK_INT_EQ(v.allow, 0);
    CHECK_INT_EQ(v.reason, REASON_MALICIOUS);
    CHECK_STR_EQ(v.advisory, "MAL-2025-1");
    CHECK_STR_EQ(v.detail, "steals tokens");
    CHECK(strstr(v.rule, "MAL-2025-1") != NULL);
    f.review.kind = REVIEW_APPROVAL; /* a reviewer's approval */
    f.review.id = 3;
    policy_decide(&cfg, ECO_NPM, "evil", "1.0.0", &f, NOW, &v);
    CHECK_INT_EQ(v.allow, 0);
    CHECK_INT_EQ(v.reason, REASON_MALICIOUS);
    f.malicious.id[0] = '\0'; /* withdrawn: the approval stands again */
    policy_decide(&cfg, ECO_NPM, "evil", "1.0.0", &f, NOW, &v);
    CHECK_INT_EQ(v.allow, 1);
    config_free(&cfg);
}

TEST(policy_fast_lane_admits_the_fix)
{
    config_t cfg;
    char err[300];
    const char *y = "quarantine:\n  min_age: 7d\n";
    CHECK_INT_EQ(config_load_string(&cfg, "t.yaml", y, strlen(y), err, sizeof(err)), 0);
    CHECK_INT_EQ(cfg.intel.fast_lane, 1);
    version_facts_t f = {.published_at = NOW - DAY, .first_seen = NOW - DAY};
    verdict_t v;
    policy_decide(&cfg, ECO_NPM, "lib", "1.2.4", &f, NOW, &v);
    CHECK_INT_EQ(v.reason, REASON_QUARANTINE);
    snprintf(f.fast_lane, sizeof(f.fast_lane), "GHSA-abcd");
    policy_decide(&cfg, ECO_NPM, "lib", "1.2.4", &f, NOW, &v);
    CHECK_INT_EQ(v.allow, 1);
    CHECK_STR_EQ(v.advisory, "GHSA-abcd");
    CHECK(strncmp(v.rule, "GHSA-abcd", 9) == 0);
    char fp_on[17], fp_off[17];
    policy_fingerprint(&cfg, fp_on);
    cfg.intel.fast_lane = 0; /* off: the window decides */
    policy_decide(&cfg, ECO_NPM, "lib", "1.2.4", &f, NOW, &v);
    CHECK_INT_EQ(v.reason, REASON_QUARANTINE);
    policy_fingerprint(&cfg, fp_off);
    CHECK(strcmp(fp_on, fp_off) != 0);
    /* a block still wins over the fast lane */
    cfg.intel.fast_lane = 1;
    f.review.kind = REVIEW_BLOCK;
    policy_decide(&cfg, ECO_NPM, "lib", "1.2.4", &f, NOW, &v);
    CHECK_INT_EQ(v.reason, REASON_BLOCKED);
    config_free(&cfg);
}

/* Regression: the Maven route fills its facts field by field; the fast
 * lane's advisory left as stack garbage admitted a 10-minute-old version.
 * Gathering writes the feed's fields whatever the feed says. */
TEST(gathering_writes_the_feed_fields)
{
    version_facts_t f;
    memset(&f, 'x', sizeof(f));
    f.published_at = NOW - DAY / 100;
    f.first_seen = NOW;
    policy_gather_review(ECO_MAVEN, "org.x:y", "1.1", NOW, &f);
    CHECK_INT_EQ(f.fast_lane[0], 0);
    CHECK_INT_EQ(f.malicious.id[0], 0);
    config_t cfg;
    char err[300];
    const char *y = "quarantine:\n  min_age: 3d\n";
    CHECK_INT_EQ(config_load_string(&cfg, "t.yaml", y, strlen(y), err, sizeof(err)), 0);
    f.findings = NULL;
    f.snapshot = 0;
    f.removed_at = 0; /* the ecosystem's records say it (version_facts), not the feed */
    verdict_t v;
    policy_decide(&cfg, ECO_MAVEN, "org.x:y", "1.1", &f, NOW, &v);
    CHECK_INT_EQ(v.reason, REASON_QUARANTINE);
    config_free(&cfg);
}

TEST(config_intel_block)
{
    config_t cfg;
    char err[300];
    const char *ok = "intel:\n  osv_dir: /tmp\n  fast_lane: false\n";
    CHECK_INT_EQ(config_load_string(&cfg, "t.yaml", ok, strlen(ok), err, sizeof(err)), 0);
    CHECK_STR_EQ(cfg.intel.osv_dir, "/tmp");
    CHECK_INT_EQ(cfg.intel.fast_lane, 0);
    config_free(&cfg);
    const char *bad = "intel:\n  fast_lane: maybe\n";
    CHECK_INT_EQ(config_load_string(&cfg, "t.yaml", bad, strlen(bad), err, sizeof(err)), -1);
    CHECK(strstr(err, "t.yaml:2") != NULL && strstr(err, "fast_lane") != NULL);
    config_free(&cfg);
    const char *file = "intel:\n  osv_dir: /etc/hostname\n";
    CHECK_INT_EQ(config_load_string(&cfg, "t.yaml", file, strlen(file), err, sizeof(err)), -1);
    CHECK(strstr(err, "not a directory") != NULL);
    config_free(&cfg);
    const char *empty = "intel:\n  osv_dir: \"\"\n";
    CHECK_INT_EQ(config_load_string(&cfg, "t.yaml", empty, strlen(empty), err, sizeof(err)), -1);
    config_free(&cfg);
}

/* the OSSF repository's size: ~15,000 files; prints the load time (no
 * assertion on time: bench/osv_load.sh is where speed is compared) */
TEST(loads_a_corpus_of_ossf_size)
{
    char dir[1100], b[1024];
    snprintf(dir, sizeof(dir), "%s/big", g_tmp);
    for (int i = 0; i < 15000; i++) {
        char rel[300], name[64], id[32];
        snprintf(name, sizeof(name), "pkg-%05d", i);
        snprintf(id, sizeof(id), "MAL-2024-%05d", i);
        snprintf(rel, sizeof(rel), "big/osv/malicious/npm/%s/%s.json", name, id);
        char path[1400];
        snprintf(path, sizeof(path), "%s/%s", g_tmp, rel);
        char d[1400];
        snprintf(d, sizeof(d), "%s/big/osv/malicious/npm/%s", g_tmp, name);
        char parent[1400];
        snprintf(parent, sizeof(parent), "%s/big/osv/malicious/npm", g_tmp);
        if (i == 0) {
            char cmd[1500];
            snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", parent);
            CHECK_INT_EQ(system(cmd), 0);
        }
        mkdir(d, 0755);
        FILE *f = fopen(path, "w");
        if (f == NULL)
            break;
        fputs(mal(id, "npm", name, "\"1.0.0\",\"1.0.1\"", b, sizeof(b)), f);
        fclose(f);
    }
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    osv_load_stats_t st;
    osv_index_t *idx = osv_index_load(dir, &st, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    double cpu = (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6;
    printf("osv: loaded %zu files (%zu records) in %.0f ms wall, %.0f ms CPU\n", st.files, st.records, ms, cpu);
    CHECK_INT_EQ((int)st.records, 15000);
    osv_hit_t hit;
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "pkg-07777", "1.0.1", &hit), 1);
    CHECK_INT_EQ(osv_index_malicious(idx, ECO_NPM, "pkg-07777", "1.0.2", &hit), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t sig = osv_dir_signature(dir);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("osv: change scan of %zu files in %.0f ms (signature %016llx)\n", st.files, ms, (unsigned long long)sig);
    osv_index_free(idx);
}

int main(void)
{
    if (mkdtemp(g_tmp) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(parses_a_record);
    RUN(malformed_records_are_refused_with_a_reason);
    RUN(ranges_follow_each_ecosystems_order);
    RUN(index_reads_the_ossf_layout_and_a_flat_folder);
    RUN(feed_follows_the_folder);
    RUN(policy_refuses_malicious_whatever_admits_it);
    RUN(policy_fast_lane_admits_the_fix);
    RUN(gathering_writes_the_feed_fields);
    RUN(config_intel_block);
    RUN(loads_a_corpus_of_ossf_size);
    rm_rf(g_tmp);
    return test_report();
}
