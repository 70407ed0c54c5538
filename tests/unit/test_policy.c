/* policy: rule precedence, windows, missing timestamps, fingerprints. */
#include <string.h>

#include "common/timeutil.h"
#include "core/config.h"
#include "ecosystems/eco_ids.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "tests/unit/test.h"

#define DAY (86400LL * 1000)
static const int64_t NOW = 1795000000000LL;

static void load(config_t *cfg, const char *yaml)
{
    char err[512];
    int rc = config_load_string(cfg, "t.yaml", yaml, strlen(yaml), err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "config: %s\n", err);
    CHECK(rc == 0);
}

static verdict_t decide(config_t *cfg, eco_id_t eco, const char *pkg, const char *ver, int64_t published,
                        int64_t first_seen)
{
    verdict_t v;
    version_facts_t f = {.published_at = published, .first_seen = first_seen};
    findings_t found;
    findings_clear(&found);
    policy_gather(eco, pkg, ver, NOW, &f, &found); /* the facts the server gathers besides the times */
    policy_decide(cfg, eco, pkg, ver, &f, NOW, &v);
    return v;
}

static const char *RULES = "quarantine:\n"
                           "  min_age: 7d\n"
                           "  npm: { min_age: 3d }\n"
                           "  rules:\n"
                           "    - { match: \"npm:@acme/*\", min_age: 0 }\n"
                           "    - { match: \"npm:@acme/risky\", min_age: 30d }\n"
                           "    - { match: \"npm:@acme/risky@1.0.0\", allow: true }\n"
                           "    - { match: \"npm:lodash@4.17.23\", deny: true }\n"
                           "    - { match: \"npm:left-*\", min_age: 1d }\n"
                           "    - { match: \"npm:left-pad*\", min_age: 2d }\n"
                           "    - { match: \"pypi:Django_REST.framework\", min_age: 14d }\n"
                           "    - { match: \"maven:org.example:*\", deny: true }\n";

TEST(default_and_ecosystem_windows)
{
    config_t cfg;
    load(&cfg, RULES);
    verdict_t v = decide(&cfg, ECO_NPM, "react", "19.0.0", NOW - 2 * DAY, TIME_NONE);
    CHECK(!v.allow && strcmp(reason_name(v.reason), "quarantine") == 0);
    CHECK_INT_EQ(v.eligible_at, NOW + 1 * DAY);
    CHECK_STR_EQ(v.rule, "npm min_age 3d");
    v = decide(&cfg, ECO_NPM, "react", "18.0.0", NOW - 3 * DAY, TIME_NONE);
    CHECK(v.allow); /* exactly at the boundary: eligible */
    v = decide(&cfg, ECO_PYPI, "requests", "2.0", NOW - 5 * DAY, TIME_NONE);
    CHECK(!v.allow);
    CHECK_STR_EQ(v.rule, "default min_age 7d");
    config_free(&cfg);
}

TEST(precedence_most_specific_wins)
{
    config_t cfg;
    load(&cfg, RULES);
    /* scope glob: min_age 0 */
    verdict_t v = decide(&cfg, ECO_NPM, "@acme/util", "1.0.0", NOW - 1000, TIME_NONE);
    CHECK(v.allow);
    CHECK(strstr(v.rule, "npm:@acme/*") != NULL && strstr(v.rule, "t.yaml:5") != NULL);
    /* package rule beats the scope glob */
    v = decide(&cfg, ECO_NPM, "@acme/risky", "2.0.0", NOW - 10 * DAY, TIME_NONE);
    CHECK(!v.allow && strstr(v.rule, "min_age 30d") != NULL);
    /* exact version beats the package rule */
    v = decide(&cfg, ECO_NPM, "@acme/risky", "1.0.0", NOW - 1000, TIME_NONE);
    CHECK(v.allow && strstr(v.rule, "allow") != NULL);
    /* deny beats age */
    v = decide(&cfg, ECO_NPM, "lodash", "4.17.23", NOW - 400 * DAY, TIME_NONE);
    CHECK(!v.allow && strcmp(reason_name(v.reason), "blocked") == 0 && v.eligible_at == TIME_NONE);
    v = decide(&cfg, ECO_NPM, "lodash", "4.17.21", NOW - 400 * DAY, TIME_NONE);
    CHECK(v.allow);
    /* among globs the longest pattern wins */
    v = decide(&cfg, ECO_NPM, "left-pad", "1.0.0", NOW - 36 * 3600 * 1000LL, TIME_NONE);
    CHECK(!v.allow && strstr(v.rule, "left-pad*") != NULL);
    v = decide(&cfg, ECO_NPM, "left-right", "1.0.0", NOW - 36 * 3600 * 1000LL, TIME_NONE);
    CHECK(v.allow && strstr(v.rule, "left-*") != NULL);
    /* rules are per ecosystem; pypi names are normalised in the rule */
    v = decide(&cfg, ECO_PYPI, "django-rest-framework", "3.0", NOW - 10 * DAY, TIME_NONE);
    CHECK(!v.allow && strstr(v.rule, "min_age 14d") != NULL);
    v = decide(&cfg, ECO_MAVEN, "org.example:lib", "1.0", NOW - 400 * DAY, TIME_NONE);
    CHECK(!v.allow && strcmp(reason_name(v.reason), "blocked") == 0);
    v = decide(&cfg, ECO_NPM, "org.example:lib", "1.0", NOW - 400 * DAY, TIME_NONE);
    CHECK(v.allow);
    config_free(&cfg);
}

TEST(missing_timestamp_first_seen)
{
    config_t cfg;
    load(&cfg, "quarantine: { min_age: 7d }\n");
    /* never "old": counted from first seen */
    verdict_t v = decide(&cfg, ECO_NPM, "x", "1.0.0", TIME_NONE, NOW - 2 * DAY);
    CHECK(!v.allow && strcmp(reason_name(v.reason), "quarantine") == 0);
    CHECK_INT_EQ(v.eligible_at, NOW + 5 * DAY);
    CHECK(v.published_at == TIME_NONE && v.since == NOW - 2 * DAY);
    v = decide(&cfg, ECO_NPM, "x", "1.0.0", TIME_NONE, NOW - 8 * DAY);
    CHECK(v.allow);
    /* not recorded yet: seen now, so held for the whole window */
    v = decide(&cfg, ECO_NPM, "x", "1.0.0", TIME_NONE, TIME_NONE);
    CHECK(!v.allow && v.eligible_at == NOW + 7 * DAY);
    /* and a time for one version never moves the others ("now for everything" bug) */
    v = decide(&cfg, ECO_NPM, "x", "0.9.0", NOW - 30 * DAY, TIME_NONE);
    CHECK(v.allow);
    config_free(&cfg);
}

TEST(missing_timestamp_deny)
{
    config_t cfg;
    load(&cfg, "quarantine: { min_age: 7d, missing_timestamp: deny }\n");
    verdict_t v = decide(&cfg, ECO_NPM, "x", "1.0.0", TIME_NONE, NOW - 30 * DAY);
    CHECK(!v.allow && strcmp(reason_name(v.reason), "missing_timestamp") == 0);
    v = decide(&cfg, ECO_NPM, "x", "1.0.1", NOW - 30 * DAY, TIME_NONE);
    CHECK(v.allow);
    config_free(&cfg);
}

TEST(zero_window_disables)
{
    config_t cfg;
    load(&cfg, "quarantine: { min_age: 0, missing_timestamp: deny }\n");
    CHECK(decide(&cfg, ECO_NPM, "x", "1.0.0", NOW, TIME_NONE).allow);
    CHECK(decide(&cfg, ECO_NPM, "x", "1.0.0", TIME_NONE, TIME_NONE).allow);
    config_free(&cfg);
}

TEST(future_publish_time_is_held)
{
    config_t cfg;
    load(&cfg, "quarantine: { min_age: 1d }\n");
    verdict_t v = decide(&cfg, ECO_NPM, "x", "1.0.0", NOW + 5 * DAY, TIME_NONE);
    CHECK(!v.allow && v.eligible_at == NOW + 6 * DAY);
    config_free(&cfg);
}

TEST(fingerprint_changes_with_policy)
{
    config_t a, b, c;
    char fa[17], fb[17], fc[17];
    load(&a, "quarantine: { min_age: 7d }\n");
    load(&b, "quarantine: { min_age: 7d }\nlisten: 127.0.0.1:9\n");
    load(&c, "quarantine: { min_age: 6d }\n");
    policy_fingerprint(&a, fa);
    policy_fingerprint(&b, fb);
    policy_fingerprint(&c, fc);
    CHECK_STR_EQ(fa, fb);
    CHECK(strcmp(fa, fc) != 0);
    config_free(&a);
    config_free(&b);
    config_free(&c);
}

TEST(maven_snapshots_blocked_unless_a_rule_admits)
{
    config_t cfg;
    load(&cfg, "quarantine:\n  min_age: 7d\n  rules:\n"
               "    - { match: \"maven:org.example:dev-*\", min_age: 0 }\n");
    verdict_t v = decide(&cfg, ECO_MAVEN, "org.example:lib", "1.0-SNAPSHOT", NOW - 400 * DAY, TIME_NONE);
    CHECK(!v.allow && strcmp(reason_name(v.reason), "blocked") == 0 && v.eligible_at == TIME_NONE);
    CHECK(strstr(v.rule, "SNAPSHOT") != NULL);
    v = decide(&cfg, ECO_MAVEN, "org.example:lib", "1.0-snapshot", NOW - 400 * DAY, TIME_NONE);
    CHECK(!v.allow);
    /* a rule that matches admits it, by its own terms */
    v = decide(&cfg, ECO_MAVEN, "org.example:dev-tools", "1.0-SNAPSHOT", NOW - 1000, TIME_NONE);
    CHECK(v.allow);
    /* only Maven has SNAPSHOTs */
    v = decide(&cfg, ECO_NPM, "x", "1.0.0-SNAPSHOT", NOW - 400 * DAY, TIME_NONE);
    CHECK(v.allow);
    config_free(&cfg);
}

int main(void)
{
    RUN(maven_snapshots_blocked_unless_a_rule_admits);
    RUN(default_and_ecosystem_windows);
    RUN(precedence_most_specific_wins);
    RUN(missing_timestamp_first_seen);
    RUN(missing_timestamp_deny);
    RUN(zero_window_disables);
    RUN(future_publish_time_is_held);
    RUN(fingerprint_changes_with_policy);
    return test_report();
}
