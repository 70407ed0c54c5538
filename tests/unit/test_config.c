/* unit tests: core/config.h: the DESIGN.md example, defaults, and errors
 * that must name FILE:LINE. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "core/config.h"
#include "ecosystems/eco_ids.h"
#include "tests/unit/test.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

/* the configuration example of DESIGN.md, verbatim (line numbers matter) */
static const char DESIGN_EXAMPLE[] =
    "listen: 127.0.0.1:7878            # one address or a list\n"                            /* 1 */
    "public_url: http://127.0.0.1:7878 # base for rewritten tarball / file URLs\n"           /* 2 */
    "data_dir: var/cordon              # LMDB environment + blob store\n"                    /* 3 */
    "threads: 0                        # 0 = one event loop per core\n"                      /* 4 */
    "\n"                                                                                     /* 5 */
    "upstreams:                        # an ecosystem without an upstream is disabled\n"     /* 6 */
    "  npm:   https://npm-upstream.example/         # no registry host is hard-coded\n"    /* 7 */
    "  pypi:  https://pypi-upstream.example/        # serves /simple/ and the files\n"     /* 8 */
    "  maven: https://maven-upstream.example/maven2\n"                                       /* 9 */
    "\n"                                                                                     /* 10 */
    "fetch:\n"                                                                               /* 11 */
    "  metadata_ttl: 5m                # revalidate metadata after this (ETag)\n"            /* 12 */
    "  timeout: 30s\n"                                                                       /* 13 */
    "  stale_if_error: 24h             # serve last good metadata when upstream fails\n"     /* 14 */
    "\n"                                                                                     /* 15 */
    "limits:\n"                                                                              /* 16 */
    "  max_body: 64MB                  # larger request bodies get 413 before being buffered\n" /* 17 */
    "\n"                                                                                     /* 18 */
    "quarantine:\n"                                                                          /* 19 */
    "  min_age: 7d                     # default for every ecosystem\n"                      /* 20 */
    "  npm:   { min_age: 3d }          # per ecosystem\n"                                    /* 21 */
    "  missing_timestamp: first_seen   # first_seen (hold until first seen + window) | deny\n" /* 22 */
    "  rules:                          # most specific match wins:\n"                        /* 23 */
    "    - { match: \"npm:@acme/*\",      min_age: 0 }          # scope / glob\n"            /* 24 */
    "    - { match: \"pypi:requests\",    min_age: 14d }        # package\n"                 /* 25 */
    "    - { match: \"npm:lodash@4.17.21\", allow: true }       # exact version\n"           /* 26 */
    "    - { match: \"maven:org.example:*\", deny: true }       # block outright\n";         /* 27 */

static char err[1024];

static int load(config_t *c, const char *yaml)
{
    err[0] = '\0';
    return config_load_string(c, "cordon.yaml", yaml, strlen(yaml), err, sizeof(err));
}

/* loading fails and the message starts with want_prefix ("cordon.yaml:12: ") and contains want_sub */
static void expect_error(const char *yaml, const char *want_prefix, const char *want_sub, int line)
{
    config_t c;
    int rc = load(&c, yaml);
    int ok = rc == -1 && strncmp(err, want_prefix, strlen(want_prefix)) == 0 && strstr(err, want_sub) != NULL;
    if (!test_note(ok, __FILE__, line))
        fprintf(stderr, "rc=%d err=\"%s\"\n    want prefix \"%s\" containing \"%s\"\n", rc, err, want_prefix,
                want_sub);
    config_free(&c);
}
#define EXPECT_ERROR(yaml, prefix, sub) expect_error(yaml, prefix, sub, __LINE__)

TEST(design_example)
{
    config_t c;
    CHECK_INT_EQ(load(&c, DESIGN_EXAMPLE), 0);
    CHECK_STR_EQ(err, "");
    CHECK_STR_EQ(c.path, "cordon.yaml");
    CHECK_INT_EQ(c.nlisten, 1);
    if (c.nlisten == 1)
        CHECK_STR_EQ(c.listen[0], "127.0.0.1:7878");
    CHECK_STR_EQ(c.public_url, "http://127.0.0.1:7878");
    CHECK_STR_EQ(c.data_dir, "var/cordon");
    CHECK_INT_EQ(c.threads, 0);
    /* trailing slashes are dropped */
    CHECK_STR_EQ(c.upstream[ECO_NPM], "https://npm-upstream.example");
    CHECK_STR_EQ(c.upstream[ECO_PYPI], "https://pypi-upstream.example");
    CHECK_STR_EQ(c.upstream[ECO_MAVEN], "https://maven-upstream.example/maven2");
    CHECK_INT_EQ(c.metadata_ttl_ms, 5 * MIN);
    CHECK_INT_EQ(c.timeout_ms, 30 * SEC);
    CHECK_INT_EQ(c.stale_if_error_ms, 24 * HOUR);
    CHECK_INT_EQ(c.connect_timeout_ms, 10 * SEC); /* not in the example: default */
    CHECK_INT_EQ(c.max_body, 64LL << 20);
    CHECK_INT_EQ(c.min_age_default, 7 * DAY);
    CHECK_INT_EQ(c.min_age_eco[ECO_NPM], 3 * DAY);
    CHECK_INT_EQ(c.min_age_eco[ECO_PYPI], -1);
    CHECK_INT_EQ(c.min_age_eco[ECO_MAVEN], -1);
    CHECK_INT_EQ(c.missing_timestamp, MISSING_TS_FIRST_SEEN);
    CHECK_INT_EQ(c.nrules, 4);
    if (c.nrules == 4) {
        quarantine_rule_t *r = c.rules;
        CHECK_INT_EQ(r[0].eco, ECO_NPM);
        CHECK_STR_EQ(r[0].pattern, "@acme/*");
        CHECK_STR_EQ(r[0].version, NULL);
        CHECK_INT_EQ(r[0].min_age, 0);
        CHECK_INT_EQ(r[0].allow, 0);
        CHECK_INT_EQ(r[0].deny, 0);
        CHECK_INT_EQ(r[0].line, 24);
        CHECK_STR_EQ(r[0].text, "npm:@acme/*");

        CHECK_INT_EQ(r[1].eco, ECO_PYPI);
        CHECK_STR_EQ(r[1].pattern, "requests");
        CHECK_STR_EQ(r[1].version, NULL);
        CHECK_INT_EQ(r[1].min_age, 14 * DAY);
        CHECK_INT_EQ(r[1].allow + r[1].deny, 0);
        CHECK_INT_EQ(r[1].line, 25);

        CHECK_INT_EQ(r[2].eco, ECO_NPM);
        CHECK_STR_EQ(r[2].pattern, "lodash");
        CHECK_STR_EQ(r[2].version, "4.17.21");
        CHECK_INT_EQ(r[2].min_age, -1);
        CHECK_INT_EQ(r[2].allow, 1);
        CHECK_INT_EQ(r[2].deny, 0);
        CHECK_INT_EQ(r[2].line, 26);
        CHECK_STR_EQ(r[2].text, "npm:lodash@4.17.21");

        CHECK_INT_EQ(r[3].eco, ECO_MAVEN);
        CHECK_STR_EQ(r[3].pattern, "org.example:*");
        CHECK_STR_EQ(r[3].version, NULL);
        CHECK_INT_EQ(r[3].min_age, -1);
        CHECK_INT_EQ(r[3].allow, 0);
        CHECK_INT_EQ(r[3].deny, 1);
        CHECK_INT_EQ(r[3].line, 27);
    }
    config_free(&c);
    CHECK(c.rules == NULL && c.listen == NULL && c.path == NULL); /* config_free clears */
}

TEST(defaults)
{
    config_t c;
    /* empty document, a comment-only document, and a document with one key */
    static const char *const docs[] = {"", "# nothing here\n", "\n\n", "threads: 4\n"};
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        CHECK_INT_EQ(load(&c, docs[i]), 0);
        CHECK_INT_EQ(c.nlisten, 1);
        if (c.nlisten == 1)
            CHECK_STR_EQ(c.listen[0], "127.0.0.1:7878");
        CHECK_STR_EQ(c.public_url, "http://127.0.0.1:7878");
        CHECK_STR_EQ(c.data_dir, "var/cordon");
        CHECK_STR_EQ(c.access_log, "stderr");
        CHECK_INT_EQ(c.threads, i == 3 ? 4 : 0);
        for (int e = 0; e < ECO_COUNT; e++) {
            CHECK(c.upstream[e] == NULL); /* no upstream: ecosystem disabled */
            CHECK_INT_EQ(c.min_age_eco[e], -1);
        }
        CHECK_INT_EQ(c.metadata_ttl_ms, 5 * MIN);
        CHECK_INT_EQ(c.timeout_ms, 30 * SEC);
        CHECK_INT_EQ(c.connect_timeout_ms, 10 * SEC);
        CHECK_INT_EQ(c.metadata_timeout_ms, 60 * SEC);
        CHECK_INT_EQ(c.stale_if_error_ms, 24 * HOUR);
        CHECK_INT_EQ(c.max_body, 64LL << 20);
        /* big legitimate artifacts pass: GPU wheels are 0.8-2.5 GB, 2-4 GB unpacked */
        CHECK_INT_EQ(c.max_artifact, 8LL << 30);
        CHECK_INT_EQ(c.analysis.limits.max_total, 8LL << 30);
        CHECK_INT_EQ(c.analysis.limits.max_entry, 8LL << 30);
        CHECK_INT_EQ(c.analysis.limits.max_ratio, 200);
        CHECK_INT_EQ(c.analysis.limits.max_entries, 50000);
        CHECK_INT_EQ(c.max_connections, 1024);
        CHECK_INT_EQ(c.max_large_bodies, 8);
        CHECK_INT_EQ(c.min_age_default, 7 * DAY);
        CHECK_INT_EQ(c.missing_timestamp, MISSING_TS_FIRST_SEEN);
        CHECK_INT_EQ(c.nrules, 0);
        CHECK(c.tls_listen == NULL && c.tls_cert == NULL && c.tls_key == NULL);
        config_free(&c);
    }
}

TEST(other_keys)
{
    config_t c;
    const char *yaml = "listen: [127.0.0.1:7878, \"[::1]:7879\", 0.0.0.0:80]\n"
                       "threads: 256\n"
                       "access_log: off\n"
                       "store: { map_size: 64KB }\n"
                       "fetch: { connect_timeout: 1500ms, max_artifact: 2GB, metadata_timeout: 0 }\n"
                       "upstreams:\n"
                       "  npm: http://127.0.0.1:4873///\n"
                       "  pypi: ~\n"
                       "  maven:\n"
                       "tls:\n"
                       "  listen: 0.0.0.0:7443\n"
                       "  cert: /etc/cordon/cert.pem\n"
                       "  key: /etc/cordon/key.pem\n"
                       "quarantine:\n"
                       "  min_age: 0\n"
                       "  pypi: { min_age: 2w }\n"
                       "  maven:\n"
                       "    min_age: 36h\n"
                       "  missing_timestamp: deny\n"
                       "  rules: []\n";
    CHECK_INT_EQ(load(&c, yaml), 0);
    CHECK_STR_EQ(err, "");
    CHECK_INT_EQ(c.nlisten, 3);
    if (c.nlisten == 3) {
        CHECK_STR_EQ(c.listen[0], "127.0.0.1:7878");
        CHECK_STR_EQ(c.listen[1], "[::1]:7879");
        CHECK_STR_EQ(c.listen[2], "0.0.0.0:80");
    }
    CHECK_INT_EQ(c.threads, 256);
    CHECK_STR_EQ(c.access_log, "off");
    CHECK_INT_EQ(c.map_size, 64 * 1024);
    CHECK_INT_EQ(c.connect_timeout_ms, 1500);
    CHECK_INT_EQ(c.max_artifact, 2LL << 30);
    CHECK_INT_EQ(c.metadata_timeout_ms, 0);
    CHECK_STR_EQ(c.upstream[ECO_NPM], "http://127.0.0.1:4873");
    CHECK(c.upstream[ECO_PYPI] == NULL);
    CHECK(c.upstream[ECO_MAVEN] == NULL);
    CHECK_STR_EQ(c.tls_listen, "0.0.0.0:7443");
    CHECK_STR_EQ(c.tls_cert, "/etc/cordon/cert.pem");
    CHECK_STR_EQ(c.tls_key, "/etc/cordon/key.pem");
    CHECK_INT_EQ(c.min_age_default, 0);
    CHECK_INT_EQ(c.min_age_eco[ECO_NPM], -1);
    CHECK_INT_EQ(c.min_age_eco[ECO_PYPI], 14 * DAY);
    CHECK_INT_EQ(c.min_age_eco[ECO_MAVEN], 36 * HOUR);
    CHECK_INT_EQ(c.missing_timestamp, MISSING_TS_DENY);
    CHECK_INT_EQ(c.nrules, 0);
    config_free(&c);
}

TEST(rules_parsing)
{
    config_t c;
    const char *yaml = "quarantine:\n"
                       "  rules:\n"
                       "    - match: \"pypi:Django_REST.framework\"\n" /* 3 */
                       "      min_age: 1d\n"
                       "    - { match: \"pypi:Foo__Bar@1.0.0\", allow: yes }\n" /* 5 */
                       "    - { match: \"npm:@acme/widget@2.0.0-rc.1\", allow: true }\n"
                       "    - { match: \"npm:@acme/widget\", deny: true }\n"
                       "    - { match: \"maven:org.example:lib@1.2\", allow: true }\n"
                       "    - { match: \"npm:left-pad\", min_age: 2w, allow: false }\n"
                       "    - { match: \"npm:Legacy_Name\", min_age: 1h }\n"
                       "    - { match: \"pypi:-._weird-._\", deny: on }\n";
    CHECK_INT_EQ(load(&c, yaml), 0);
    CHECK_STR_EQ(err, "");
    CHECK_INT_EQ(c.nrules, 8);
    if (c.nrules == 8) {
        quarantine_rule_t *r = c.rules;
        CHECK_INT_EQ(r[0].eco, ECO_PYPI);
        CHECK_STR_EQ(r[0].pattern, "django-rest-framework"); /* PEP 503 */
        CHECK_STR_EQ(r[0].text, "pypi:Django_REST.framework");
        CHECK_INT_EQ(r[0].min_age, DAY);
        CHECK_INT_EQ(r[0].line, 3);
        CHECK_STR_EQ(r[1].pattern, "foo-bar");
        CHECK_STR_EQ(r[1].version, "1.0.0");
        CHECK_INT_EQ(r[1].allow, 1);
        CHECK_INT_EQ(r[1].line, 5);
        CHECK_STR_EQ(r[2].pattern, "@acme/widget");
        CHECK_STR_EQ(r[2].version, "2.0.0-rc.1");
        CHECK_INT_EQ(r[2].allow, 1);
        CHECK_STR_EQ(r[3].pattern, "@acme/widget");
        CHECK_STR_EQ(r[3].version, NULL);
        CHECK_INT_EQ(r[3].deny, 1);
        CHECK_INT_EQ(r[4].eco, ECO_MAVEN);
        CHECK_STR_EQ(r[4].pattern, "org.example:lib");
        CHECK_STR_EQ(r[4].version, "1.2");
        CHECK_STR_EQ(r[5].pattern, "left-pad");
        CHECK_INT_EQ(r[5].min_age, 14 * DAY);
        CHECK_INT_EQ(r[5].allow, 0);
        CHECK_STR_EQ(r[6].pattern, "Legacy_Name"); /* npm names are kept as written */
        CHECK_STR_EQ(r[7].pattern, "-weird-");      /* runs of -._ collapse to one '-' */
        CHECK_INT_EQ(r[7].deny, 1);
    }
    config_free(&c);
}

TEST(errors_name_file_and_line)
{
    EXPECT_ERROR("listen: 127.0.0.1:7878\nlistn: 1.2.3.4:5\n", "cordon.yaml:2: ", "unknown key 'listn'");
    EXPECT_ERROR("fetch:\n  metadata_ttl: 5m\n  timeout: 7x\n", "cordon.yaml:3: ", "'7x' is not a duration");
    EXPECT_ERROR("fetch:\n  timeout: \"\"\n", "cordon.yaml:2: ", "not a duration");
    EXPECT_ERROR("fetch:\n  timeout: -1s\n", "cordon.yaml:2: ", "not a duration");
    EXPECT_ERROR("fetch:\n  timeot: 1s\n", "cordon.yaml:2: ", "unknown key 'timeot' in fetch");
    EXPECT_ERROR("fetch:\n  timeout: [1s]\n", "cordon.yaml:2: ", "must be a single value");
    EXPECT_ERROR("fetch: 30s\n", "cordon.yaml:1: ", "'fetch' must be a mapping");
    EXPECT_ERROR("\n\npublic_url: ftp://example.com/\n", "cordon.yaml:3: ", "not an http:// or https:// URL");
    EXPECT_ERROR("public_url: \"http://exa mple.com\"\n", "cordon.yaml:1: ", "not a valid URL");
    EXPECT_ERROR("upstreams:\n  npm: registry.example\n", "cordon.yaml:2: ", "not an http");
    EXPECT_ERROR("upstreams:\n  npm: https://a.example\n  rubygems: https://b.example\n", "cordon.yaml:3: ",
                 "unknown ecosystem 'rubygems'");
    EXPECT_ERROR("limits:\n  max_body: 64XB\n", "cordon.yaml:2: ", "not a size");
    EXPECT_ERROR("limits:\n  max_body: 0\n", "cordon.yaml:2: ", "not a size");
    EXPECT_ERROR("limits:\n  max_connections: 0\n", "cordon.yaml:2: ", "'max_connections' must be a number from 1");
    EXPECT_ERROR("limits:\n  max_connections: lots\n", "cordon.yaml:2: ", "'max_connections' must be a number");
    EXPECT_ERROR("limits:\n  max_large_bodies: 10001\n", "cordon.yaml:2: ", "'max_large_bodies' must be a number");
    EXPECT_ERROR("store:\n  map_size: lots\n", "cordon.yaml:2: ", "not a size");
    EXPECT_ERROR("data_dir: \"\"\n", "cordon.yaml:1: ", "'data_dir' is empty");
}

TEST(limits_connections_and_large_bodies)
{
    config_t c;
    CHECK_INT_EQ(load(&c, "limits:\n  max_body: 8MB\n  max_connections: 50\n  max_large_bodies: 2\n"), 0);
    CHECK_STR_EQ(err, "");
    CHECK_INT_EQ(c.max_body, 8LL << 20);
    CHECK_INT_EQ(c.max_connections, 50);
    CHECK_INT_EQ(c.max_large_bodies, 2);
    config_free(&c);
}

TEST(workers)
{
    config_t c;
    CHECK_INT_EQ(load(&c, "threads: 2\n"), 0);
    CHECK_INT_EQ(c.workers, 2);
    config_free(&c);
    CHECK_INT_EQ(load(&c, "workers: 6\n"), 0);
    CHECK_STR_EQ(err, "");
    CHECK_INT_EQ(c.workers, 6);
    config_free(&c);
    EXPECT_ERROR("workers: 1\n", "cordon.yaml:1: ", "'workers' must be a number from 2 to 64");
    EXPECT_ERROR("workers: 65\n", "cordon.yaml:1: ", "'workers' must be a number from 2 to 64");
    EXPECT_ERROR("workers: two\n", "cordon.yaml:1: ", "'workers' must be a number");
}

TEST(errors_threads_and_listen)
{
    EXPECT_ERROR("threads: -1\n", "cordon.yaml:1: ", "'threads' must be a number");
    EXPECT_ERROR("threads: 257\n", "cordon.yaml:1: ", "'threads' must be a number");
    EXPECT_ERROR("# c\nthreads: four\n", "cordon.yaml:2: ", "'threads' must be a number");
    EXPECT_ERROR("threads: 4x\n", "cordon.yaml:1: ", "'threads' must be a number");
    EXPECT_ERROR("threads: \"\"\n", "cordon.yaml:1: ", "'threads' must be a number");
    EXPECT_ERROR("listen: 127.0.0.1\n", "cordon.yaml:1: ", "must be ADDR:PORT");
    EXPECT_ERROR("listen: \"127.0.0.1:\"\n", "cordon.yaml:1: ", "must be ADDR:PORT");
    EXPECT_ERROR("listen: \":7878\"\n", "cordon.yaml:1: ", "must be ADDR:PORT");
    EXPECT_ERROR("listen: 127.0.0.1:99999\n", "cordon.yaml:1: ", "bad port");
    EXPECT_ERROR("listen: 127.0.0.1:80a\n", "cordon.yaml:1: ", "bad port");
    EXPECT_ERROR("listen:\n  - 127.0.0.1:1\n  - nonsense\n", "cordon.yaml:3: ", "must be ADDR:PORT");
    EXPECT_ERROR("listen:\n  - 127.0.0.1:1\n  - [a, b]\n", "cordon.yaml:3: ", "single value");
    EXPECT_ERROR("listen: { a: b }\n", "cordon.yaml:1: ", "'listen' must be ADDR:PORT or a list");
    EXPECT_ERROR("tls:\n  listen: 0.0.0.0:7443\n", "cordon.yaml:1: ", "tls needs listen, cert and key");
    EXPECT_ERROR("tls:\n  listen: 0.0.0.0\n  cert: a\n  key: b\n", "cordon.yaml:2: ", "must be ADDR:PORT");
    EXPECT_ERROR("tls:\n  cert: a\n  key: b\n  ca: c\n", "cordon.yaml:4: ", "unknown key 'ca' in tls");
}

/* an empty listen list is an error; the failed load must still be safe to
 * config_free (kept separate: a double free here aborts the process) */
TEST(errors_listen_empty_list)
{
    EXPECT_ERROR("threads: 1\nlisten: []\n", "cordon.yaml:2: ", "'listen' is empty");
}

/* YAML does not forbid a key given twice: either the loader rejects it
 * naming the line, or it ends up with a consistent rule list. Run in a child:
 * a second "rules" list is written past the end of a fresh allocation. */
TEST(duplicate_keys)
{
    config_t c;
    const char *yaml = "quarantine:\n"
                       "  rules:\n"
                       "    - { match: \"npm:a\", deny: true }\n"
                       "  rules:\n"
                       "    - { match: \"npm:b\", deny: true }\n";
    int rc = load(&c, yaml);
    if (rc == 0) {
        CHECK(c.nrules == 1 || c.nrules == 2);
        for (size_t i = 0; i < c.nrules && i < 2; i++) {
            if (c.rules[i].pattern == NULL)
                fprintf(stderr, "  rule %zu of %zu has no pattern\n", i, c.nrules);
            CHECK(c.rules[i].pattern != NULL);
        }
    } else {
        CHECK(strncmp(err, "cordon.yaml:4: ", 15) == 0);
    }
    config_free(&c);

    /* match given twice in one rule: last wins or an error, and nothing leaks (LeakSanitizer) */
    rc = load(&c, "quarantine:\n  rules:\n    - { match: \"npm:a@1\", match: \"npm:b@2\", allow: true }\n");
    if (rc == 0)
        CHECK(c.nrules == 1 && strcmp(c.rules[0].pattern, "b") == 0 && strcmp(c.rules[0].version, "2") == 0);
    else
        CHECK(strncmp(err, "cordon.yaml:3: ", 15) == 0);
    config_free(&c);
}

TEST(errors_rules)
{
    EXPECT_ERROR("quarantine:\n  rules:\n    - { min_age: 1d }\n", "cordon.yaml:3: ", "a rule needs 'match'");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:a@1.0.0\", allow: true, deny: true }\n",
                 "cordon.yaml:3: ", "exactly one of");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:a\", min_age: 1d, deny: true }\n", "cordon.yaml:3: ",
                 "exactly one of");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:a\" }\n", "cordon.yaml:3: ", "exactly one of");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:lodash\", allow: true }\n", "cordon.yaml:3: ",
                 "allow admits one exact version");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:@acme/*@1.0.0\", allow: true }\n", "cordon.yaml:3: ",
                 "allow admits one exact version");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"lodash\", deny: true }\n", "cordon.yaml:3: ",
                 "must start with npm:, pypi: or maven:");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"cargo:serde\", deny: true }\n", "cordon.yaml:3: ",
                 "must start with");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:\", deny: true }\n", "cordon.yaml:3: ",
                 "names no package");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:lodash@\", allow: true }\n", "cordon.yaml:3: ",
                 "empty version");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:a\", deny: maybe }\n", "cordon.yaml:3: ",
                 "must be true or false");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:a\", min_age: 3dias }\n", "cordon.yaml:3: ",
                 "not a duration");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:a\", mni_age: 3d }\n", "cordon.yaml:3: ",
                 "unknown key 'mni_age' in a rule");
    EXPECT_ERROR("quarantine:\n  rules:\n    - { match: \"npm:a\", deny: true }\n"
                 "    - { match: \"npm:b\", deny: true }\n"
                 "    - { match: \"npm:c\" }\n",
                 "cordon.yaml:5: ", "exactly one of");
    EXPECT_ERROR("quarantine:\n  rules:\n    - \"npm:a\"\n", "cordon.yaml:3: ", "must be a mapping");
    EXPECT_ERROR("quarantine:\n  rules: { match: \"npm:a\" }\n", "cordon.yaml:2: ", "'rules' must be a list");
    EXPECT_ERROR("quarantine:\n  npm: 3d\n", "cordon.yaml:2: ", "must be a mapping");
    EXPECT_ERROR("quarantine:\n  npm: { min_age: 3d, max_age: 1d }\n", "cordon.yaml:2: ", "unknown key 'max_age'");
    EXPECT_ERROR("quarantine:\n  missing_timestamp: now\n", "cordon.yaml:2: ", "first_seen or deny");
    EXPECT_ERROR("quarantine:\n  min_age: forever\n", "cordon.yaml:2: ", "not a duration");
}

TEST(errors_malformed_yaml)
{
    config_t c;
    /* unclosed flow sequence */
    CHECK_INT_EQ(load(&c, "threads: 1\nlisten: [127.0.0.1:1, \n"), -1);
    CHECK(strncmp(err, "cordon.yaml:", 12) == 0);
    CHECK(atoi(err + 12) >= 2);
    config_free(&c);
    /* tab indentation */
    CHECK_INT_EQ(load(&c, "fetch:\n\ttimeout: 1s\n"), -1);
    CHECK_STR_EQ(strncmp(err, "cordon.yaml:2: ", 15) == 0 ? "ok" : err, "ok");
    config_free(&c);
    /* bad indentation in a mapping */
    CHECK_INT_EQ(load(&c, "fetch:\n  timeout: 1s\n   metadata_ttl: 5m\n"), -1);
    CHECK_STR_EQ(strncmp(err, "cordon.yaml:3: ", 15) == 0 ? "ok" : err, "ok");
    config_free(&c);
    /* unterminated quoted string */
    CHECK_INT_EQ(load(&c, "data_dir: \"var/cordon\n"), -1);
    CHECK(strncmp(err, "cordon.yaml:", 12) == 0 && atoi(err + 12) >= 1);
    config_free(&c);
    /* the root is not a mapping */
    CHECK_INT_EQ(load(&c, "- a\n- b\n"), -1);
    CHECK_STR_EQ(strncmp(err, "cordon.yaml:1: ", 15) == 0 ? "ok" : err, "ok");
    config_free(&c);
    CHECK_INT_EQ(load(&c, "just a scalar\n"), -1);
    CHECK(strncmp(err, "cordon.yaml:1: ", 15) == 0);
    config_free(&c);
    /* a non-scalar key */
    CHECK_INT_EQ(load(&c, "? [a, b]\n: c\n"), -1);
    CHECK(strncmp(err, "cordon.yaml:1: ", 15) == 0 && strstr(err, "plain names") != NULL);
    config_free(&c);
    /* NUL byte inside the document */
    static const char nul[] = "threads: 1\n\0listen: x\n";
    CHECK_INT_EQ(config_load_string(&c, "cordon.yaml", nul, sizeof(nul) - 1, err, sizeof(err)), -1);
    CHECK(strncmp(err, "cordon.yaml:", 12) == 0);
    config_free(&c);
    /* two documents: only one configuration is allowed, the second is ignored or an error, never a crash */
    int rc = load(&c, "threads: 1\n---\nthreads: 2\n");
    CHECK(rc == -1 || c.threads == 1);
    config_free(&c);
}

TEST(config_load_files)
{
    config_t c;
    err[0] = '\0';
    CHECK_INT_EQ(config_load(&c, "/nonexistent/dir/cordon.yaml", err, sizeof(err)), -1);
    CHECK(strncmp(err, "/nonexistent/dir/cordon.yaml:", 29) == 0);
    CHECK(strstr(err, "No such file") != NULL);
    config_free(&c);

    char path[] = "/tmp/cordon-test-config-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_INT_EQ(write(fd, DESIGN_EXAMPLE, strlen(DESIGN_EXAMPLE)), (long long)strlen(DESIGN_EXAMPLE));
        close(fd);
        CHECK_INT_EQ(config_load(&c, path, err, sizeof(err)), 0);
        CHECK_STR_EQ(c.path, path);
        CHECK_INT_EQ(c.nrules, 4);
        CHECK_INT_EQ(c.min_age_eco[ECO_NPM], 3 * DAY);
        config_free(&c);
        /* an error in a file names that file */
        FILE *f = fopen(path, "w");
        fputs("threads: 1\n\nfetch:\n  timeout: soon\n", f);
        fclose(f);
        CHECK_INT_EQ(config_load(&c, path, err, sizeof(err)), -1);
        char want[128];
        snprintf(want, sizeof(want), "%s:4: ", path);
        CHECK_STR_EQ(strncmp(err, want, strlen(want)) == 0 ? "ok" : err, "ok");
        config_free(&c);
        /* an empty file is the defaults */
        f = fopen(path, "w");
        fclose(f);
        CHECK_INT_EQ(config_load(&c, path, err, sizeof(err)), 0);
        CHECK_STR_EQ(c.data_dir, "var/cordon");
        config_free(&c);
        unlink(path);
    }

    /* the example configuration shipped in conf/ loads */
    const char *src = getenv("CORDON_SRC");
    if (src != NULL) {
        char p[4096];
        snprintf(p, sizeof(p), "%s/conf/cordon.example.yaml", src);
        if (access(p, R_OK) == 0) {
            int rc = config_load(&c, p, err, sizeof(err));
            if (rc != 0)
                fprintf(stderr, "  %s\n", err);
            CHECK_INT_EQ(rc, 0);
            config_free(&c);
        }
    }
}

TEST(audit_and_journal)
{
    config_t c;
    char err[512];
    CHECK_INT_EQ(config_load_string(&c, "t.yaml", "", 0, err, sizeof(err)), 0);
    CHECK(c.audit_key_file == NULL); /* beside the configuration file */
    CHECK(c.journal_keep_ms == 90 * 86400 * 1000LL);
    config_free(&c);
    const char *ok = "audit: { key_file: /etc/cordon/audit.key }\njournal: { keep: 30d }\n";
    CHECK_INT_EQ(config_load_string(&c, "t.yaml", ok, strlen(ok), err, sizeof(err)), 0);
    CHECK_STR_EQ(c.audit_key_file, "/etc/cordon/audit.key");
    CHECK(c.journal_keep_ms == 30 * 86400 * 1000LL);
    config_free(&c);
    const char *off = "journal: { keep: 0 }\n";
    CHECK_INT_EQ(config_load_string(&c, "t.yaml", off, strlen(off), err, sizeof(err)), 0);
    CHECK(c.journal_keep_ms == 0);
    config_free(&c);
    const char *bad[][2] = {{"journal: { keep: forever }\n", "t.yaml:1: 'keep': 'forever' is not a duration"},
                            {"audit: { key_file: \"\" }\n", "t.yaml:1: 'key_file' is empty"},
                            {"audit: { key: x }\n", "t.yaml:1: unknown key 'key' in audit"},
                            {"journal:\n  keep: 1d\n  retain: 2d\n", "t.yaml:3: unknown key 'retain' in journal"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT_EQ(config_load_string(&c, "t.yaml", bad[i][0], strlen(bad[i][0]), err, sizeof(err)), -1);
        if (strstr(err, bad[i][1]) == NULL)
            fprintf(stderr, "  got: %s\n  want: %s\n", err, bad[i][1]);
        CHECK(strstr(err, bad[i][1]) != NULL);
        config_free(&c);
    }
}

TEST(helpers)
{
    CHECK_STR_EQ(eco_name(ECO_NPM), "npm");
    CHECK_STR_EQ(eco_name(ECO_PYPI), "pypi");
    CHECK_STR_EQ(eco_name(ECO_MAVEN), "maven");
    CHECK_STR_EQ(eco_name(ECO_COUNT), "?");
    CHECK_INT_EQ(eco_from_name("npm", 3), ECO_NPM);
    CHECK_INT_EQ(eco_from_name("maven", 5), ECO_MAVEN);
    CHECK_INT_EQ(eco_from_name("npmx", 3), ECO_NPM);
    CHECK_INT_EQ(eco_from_name("np", 2), -1);
    CHECK_INT_EQ(eco_from_name("NPM", 3), -1);
    CHECK_INT_EQ(eco_from_name("", 0), -1);

    config_t c;
    config_defaults(&c);
    CHECK_INT_EQ(config_set_listen(&c, "0.0.0.0:1"), 0);
    CHECK_INT_EQ(c.nlisten, 1);
    CHECK_STR_EQ(c.listen[0], "0.0.0.0:1");
    config_set_str(&c.data_dir, "/srv/cordon");
    CHECK_STR_EQ(c.data_dir, "/srv/cordon");
    config_set_str(&c.tls_cert, NULL);
    CHECK(c.tls_cert == NULL);
    config_free(&c);
}


/* upstream credentials: in the URL, or username + password_file (read
 * later, by config_read_secrets); the URL cordon keeps holds none */
TEST(upstream_credentials)
{
    config_t c;
    CHECK_INT_EQ(load(&c, "upstreams:\n"
                          "  npm: https://alice:p%40ss@npm-upstream.example/reg/\n"
                          "  pypi: { url: \"https://pypi-upstream.example/\" }\n"
                          "  maven: { url: \"https://maven-upstream.example/m2\", username: bob, password_file: "
                          "/etc/cordon/maven.pass }\n"),
                 0);
    CHECK_STR_EQ(c.upstream[ECO_NPM], "https://npm-upstream.example/reg");
    CHECK_STR_EQ(c.upstream_username[ECO_NPM], "alice");
    CHECK_STR_EQ(c.upstream_password[ECO_NPM], "p@ss");
    CHECK(c.upstream_password_file[ECO_NPM] == NULL);
    CHECK_STR_EQ(c.upstream[ECO_PYPI], "https://pypi-upstream.example");
    CHECK(c.upstream_username[ECO_PYPI] == NULL && c.upstream_password[ECO_PYPI] == NULL);
    CHECK_STR_EQ(c.upstream[ECO_MAVEN], "https://maven-upstream.example/m2");
    CHECK_STR_EQ(c.upstream_username[ECO_MAVEN], "bob");
    CHECK(c.upstream_password[ECO_MAVEN] == NULL); /* not read yet */
    CHECK_STR_EQ(c.upstream_password_file[ECO_MAVEN], "/etc/cordon/maven.pass");
    CHECK_INT_EQ(c.upstream_password_line[ECO_MAVEN], 4);
    config_free(&c);
}

TEST(upstream_credentials_errors)
{
    /* no message echoes the password */
    EXPECT_ERROR("upstreams:\n  npm: \"https://u:hunter2@h.example/a b\"\n", "cordon.yaml:2: ", "not a valid URL");
    config_t c;
    CHECK_INT_EQ(load(&c, "upstreams:\n  npm: \"https://u:hunter2@h.example/a b\"\n"), -1);
    CHECK(strstr(err, "hunter2") == NULL);
    CHECK(strstr(err, "https://h.example/a b") != NULL);
    config_free(&c);
    CHECK_INT_EQ(load(&c, "upstreams:\n  npm: \"ftp://u:hunter2@h.example/\"\n"), -1);
    CHECK(strstr(err, "hunter2") == NULL && strstr(err, "not an http") != NULL);
    config_free(&c);
    EXPECT_ERROR("upstreams:\n  npm: https://u:%zz@h.example/\n", "cordon.yaml:2: ", "malformed");
    EXPECT_ERROR("upstreams:\n  npm: { username: u, password_file: /x }\n", "cordon.yaml:2: ", "needs url");
    EXPECT_ERROR("upstreams:\n  npm: { url: \"https://h.example/\", username: u }\n", "cordon.yaml:2: ",
                 "username and password_file go together");
    EXPECT_ERROR("upstreams:\n  npm: { url: \"https://h.example/\", password_file: /x }\n", "cordon.yaml:2: ",
                 "username and password_file go together");
    EXPECT_ERROR("upstreams:\n  npm: { url: \"https://a:b@h.example/\", username: u, password_file: /x }\n",
                 "cordon.yaml:2: ", "give the credentials once");
    EXPECT_ERROR("upstreams:\n  npm: { url: \"https://h.example/\", password: hunter2 }\n", "cordon.yaml:2: ",
                 "unknown key 'password'");
    EXPECT_ERROR("upstreams:\n  npm: { url: \"https://h.example/\", username: \"\" , password_file: /x}\n",
                 "cordon.yaml:2: ", "'username' is empty");
    /* clients see public_url: it may hold no credentials */
    EXPECT_ERROR("public_url: https://u:hunter2@cordon.example\n", "cordon.yaml:1: ", "must not hold credentials");
    CHECK_INT_EQ(load(&c, "public_url: https://u:hunter2@cordon.example\n"), -1);
    CHECK(strstr(err, "hunter2") == NULL);
    config_free(&c);
}

TEST(read_secrets)
{
    char path[] = "/tmp/cordon-test-pass-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK_INT_EQ(write(fd, "s3cr3t\n", 7), 7);
    close(fd);
    char yaml[512];
    snprintf(yaml, sizeof(yaml), "threads: 1\nupstreams:\n  npm: { url: \"http://127.0.0.1:1/\", username: u, password_file: %s }\n",
             path);
    config_t c;
    CHECK_INT_EQ(load(&c, yaml), 0);
    CHECK_INT_EQ(config_read_secrets(&c, err, sizeof(err)), 0);
    CHECK_STR_EQ(c.upstream_password[ECO_NPM], "s3cr3t"); /* the newline is not part of it */
    config_free(&c);

    /* each unusable file is an error at the line that names it, without the content */
    static const char *const bad[][2] = {{"", "is empty"},
                                         {"\n\n", "is empty"},
                                         {"one\ntwo\n", "more than one line"},
                                         {"nul\0byte", "more than one line"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FILE *f = fopen(path, "wb");
        fwrite(bad[i][0], 1, i == 3 ? 8 : strlen(bad[i][0]), f);
        fclose(f);
        CHECK_INT_EQ(load(&c, yaml), 0);
        CHECK_INT_EQ(config_read_secrets(&c, err, sizeof(err)), -1);
        CHECK(strncmp(err, "cordon.yaml:3: upstreams.npm.password_file", 42) == 0);
        CHECK(strstr(err, bad[i][1]) != NULL);
        CHECK(strstr(err, "two") == NULL);
        config_free(&c);
    }
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 5000; i++)
        fputc('x', f);
    fclose(f);
    CHECK_INT_EQ(load(&c, yaml), 0);
    CHECK_INT_EQ(config_read_secrets(&c, err, sizeof(err)), -1);
    CHECK(strstr(err, "longer than") != NULL);
    config_free(&c);
    unlink(path);
    CHECK_INT_EQ(load(&c, yaml), 0);
    CHECK_INT_EQ(config_read_secrets(&c, err, sizeof(err)), -1);
    CHECK(strstr(err, "No such file") != NULL && strstr(err, path) != NULL);
    config_free(&c);
}

TEST(allow_hosts)
{
    config_t c;
    CHECK_INT_EQ(load(&c, "fetch:\n  allow_hosts: [Files.Example, \"cdn.example:8443\", \"10.0.0.5:80\", "
                          "\"[::1]:7000\", \"[fe80::1]\", internal_host]\n"),
                 0);
    CHECK_INT_EQ(c.nallow_hosts, 6);
    if (c.nallow_hosts == 6) {
        CHECK_STR_EQ(c.allow_hosts[0], "files.example");
        CHECK_STR_EQ(c.allow_hosts[1], "cdn.example:8443");
        CHECK_STR_EQ(c.allow_hosts[3], "[::1]:7000");
    }
    config_free(&c);
    CHECK_INT_EQ(load(&c, ""), 0);
    CHECK_INT_EQ(c.nallow_hosts, 0);
    config_free(&c);
    static const char *const bad[] = {"\"https://cdn.example\"", "cdn.example/path", "\"cdn.example:\"",
                                      "\"cdn.example:0\"",      "\"cdn.example:65536\"", "\"cdn.example:12a\"",
                                      "\"[::1\"",               "\"[]\"",               "\"\"",
                                      "\"a b\"",                "\"u@cdn.example\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char yaml[200];
        snprintf(yaml, sizeof(yaml), "fetch:\n  allow_hosts:\n    - %s\n", bad[i]);
        EXPECT_ERROR(yaml, "cordon.yaml:3: ", "'allow_hosts'");
    }
    EXPECT_ERROR("fetch:\n  allow_hosts: cdn.example\n", "cordon.yaml:2: ", "must be a list");
}

/* The loader keeps no state of its own between calls: threads loading
 * different files at once (a reload beside `cordon config check`, tests)
 * each get their own rules, windows and upstream credentials. Each thread
 * counts its own mismatches; the checks run on the main thread. */
#define LOADERS 4
#define LOADS 150
#define LOAD_RULES 40

typedef struct loader_run {
    int id;
    int mismatches, failures;
} loader_run_t;

static void *load_many(void *arg)
{
    loader_run_t *lr = arg;
    buf_t y;
    buf_init(&y);
    buf_printf(&y, "upstreams:\n  maven: { url: \"http://127.0.0.1:1/m%d\", username: user%d, password_file: /p%d }\n"
                   "quarantine:\n  pypi: { min_age: %dd }\n  rules:\n",
               lr->id, lr->id, lr->id, lr->id + 1);
    for (int j = 0; j < LOAD_RULES; j++)
        buf_printf(&y, "    - { match: \"npm:t%d-r%d\", min_age: %dh }\n", lr->id, j, lr->id * 100 + j + 1);
    for (int n = 0; n < LOADS; n++) {
        config_t c;
        char e[512];
        if (config_load_string(&c, "threaded.yaml", y.data, y.len, e, sizeof(e)) != 0) {
            lr->failures++;
            config_free(&c);
            continue;
        }
        char want[64];
        int bad = c.nrules != LOAD_RULES || c.min_age_eco[ECO_PYPI] != (lr->id + 1) * DAY;
        for (size_t j = 0; !bad && j < c.nrules; j++) {
            snprintf(want, sizeof(want), "t%d-r%zu", lr->id, j);
            bad = strcmp(c.rules[j].pattern, want) != 0 || c.rules[j].min_age != (lr->id * 100 + (int64_t)j + 1) * HOUR;
        }
        snprintf(want, sizeof(want), "user%d", lr->id);
        bad = bad || c.upstream_username[ECO_MAVEN] == NULL || strcmp(c.upstream_username[ECO_MAVEN], want) != 0;
        snprintf(want, sizeof(want), "/p%d", lr->id);
        bad = bad || c.upstream_password_file[ECO_MAVEN] == NULL || strcmp(c.upstream_password_file[ECO_MAVEN], want) != 0;
        lr->mismatches += bad;
        config_free(&c);
    }
    buf_free(&y);
    return NULL;
}

TEST(unknown_key_did_you_mean)
{
    /* one edit away from a key the section takes: named */
    EXPECT_ERROR("listn: 1.2.3.4:5\n", "cordon.yaml:1: ", "unknown key 'listn' in the configuration (did you mean 'listen'?)");
    EXPECT_ERROR("fetch:\n  timeot: 1s\n", "cordon.yaml:2: ", "(did you mean 'timeout'?)");
    EXPECT_ERROR("fetch:\n  metadata_tll: 1s\n", "cordon.yaml:2: ", "(did you mean 'metadata_ttl'?)");
    EXPECT_ERROR("quarantine:\n  npn: { min_age: 1d }\n", "cordon.yaml:2: ", "(did you mean 'npm'?)");
    EXPECT_ERROR("quarantine:\n  npm: { min_aeg: 1d }\n", "cordon.yaml:2: ", "(did you mean 'min_age'?)");
    EXPECT_ERROR("analysis:\n  typosqat: warn\n", "cordon.yaml:2: ", "(did you mean 'typosquat'?)");
    EXPECT_ERROR("intel:\n  provenanse: warn\n", "cordon.yaml:2: ", "(did you mean 'provenance'?)");
    EXPECT_ERROR("review:\n  contcat: x\n", "cordon.yaml:2: ", "(did you mean 'contact'?)");
    /* nothing near: no guess */
    config_t c;
    CHECK_INT_EQ(load(&c, "fetch:\n  retries: 3\n"), -1);
    CHECK(strstr(err, "unknown key 'retries' in fetch") != NULL && strstr(err, "did you mean") == NULL);
    config_free(&c);
    /* a key of another section is not offered */
    CHECK_INT_EQ(load(&c, "fetch:\n  keep: 1d\n"), -1);
    CHECK(strstr(err, "did you mean") == NULL);
    config_free(&c);
}

TEST(loader_is_reentrant)
{
    pthread_t t[LOADERS];
    loader_run_t runs[LOADERS];
    for (int i = 0; i < LOADERS; i++) {
        runs[i] = (loader_run_t){.id = i};
        CHECK_INT_EQ(pthread_create(&t[i], NULL, load_many, &runs[i]), 0);
    }
    for (int i = 0; i < LOADERS; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT_EQ(runs[i].failures, 0);
        CHECK_INT_EQ(runs[i].mismatches, 0);
    }
}

int main(void)
{
    RUN(design_example);
    RUN(defaults);
    RUN(other_keys);
    RUN(rules_parsing);
    RUN(errors_name_file_and_line);
    RUN(limits_connections_and_large_bodies);
    RUN(workers);
    RUN(errors_threads_and_listen);
    RUN(errors_rules);
    RUN(errors_malformed_yaml);
    RUN(config_load_files);
    RUN(audit_and_journal);
    RUN(helpers);
    RUN(upstream_credentials);
    RUN(upstream_credentials_errors);
    RUN(read_secrets);
    RUN(allow_hosts);
    RUN(unknown_key_did_you_mean);
    RUN_ISOLATED(loader_is_reentrant);
    /* in a child process: memory errors here abort */
    RUN_ISOLATED(errors_listen_empty_list);
    RUN_ISOLATED(duplicate_keys);
    return test_report();
}
