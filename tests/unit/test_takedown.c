/* takedown: what upstream listed once and lists no more (intel/takedown.h)
 * is recorded once, with its time and the document that still listed it;
 * listed again, the record goes; a 404 (nothing listed) removes every
 * version; and policy_decide refuses a removed version over approvals and
 * allow rules, unless intel.takedowns is off. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "core/config.h"
#include "ecosystems/eco_ids.h"
#include "intel/takedown.h"
#include "policy/policy.h"
#include "store/record.h"
#include "store/store.h"
#include "tests/unit/test.h"

static char g_dir[256];
static char err[1024];

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[1024];
            snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
            rm_rf(p);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* a version record of (npm, pkg, version), as an ingest of a listing writes it */
static int put_version(MDB_txn *txn, void *arg)
{
    const char *const *kv = arg;
    char key[1024];
    size_t klen = version_key(key, sizeof(key), kv[0], kv[1], kv[2]);
    version_rec_t v = {.first_seen = 1, .published_at = 1, .integrity = "", .artifact_url = ""};
    buf_t b;
    buf_init(&b);
    version_rec_encode(&v, &b);
    MDB_val k = {klen, key}, val = {b.len, b.data};
    int rc = mdb_put(txn, store_dbi(DB_VERSIONS), &k, &val, 0);
    buf_free(&b);
    return rc;
}

static void record(const char *eco, const char *pkg, const char *version)
{
    const char *kv[3] = {eco, pkg, version};
    CHECK_INT_EQ(store_write(put_version, kv, err, sizeof(err)), STORE_OK);
}

static int removed(eco_id_t eco, const char *pkg, const char *name, takedown_t *t)
{
    takedown_t tmp;
    return takedown_lookup(eco, pkg, name, t ? t : &tmp);
}

static int count_walk(void *arg, eco_id_t eco, const char *package, const char *name, const takedown_t *t)
{
    (void)eco;
    (void)package;
    (void)name;
    (void)t;
    (*(int *)arg)++;
    return 0;
}

/* a PyPI-like "also": "x-1.0.whl" stands for release "1.0" too */
static int release_of(const char *name, char *out, size_t outlen, const void *arg)
{
    (void)arg;
    const char *dash = strchr(name, '-'), *dot = dash ? strstr(dash, ".whl") : NULL;
    if (dot == NULL)
        return -1;
    snprintf(out, outlen, "%.*s", (int)(dot - dash - 1), dash + 1);
    return 0;
}

TEST(takedowns_recorded_once_and_lifted_by_relisting)
{
    char sub[300];
    snprintf(sub, sizeof(sub), "%s/data", g_dir);
    CHECK_INT_EQ(store_open(sub, 1 << 20, 0, err, sizeof(err)), 0);
    record("npm", "left", "1.0.0");
    record("npm", "left", "1.1.0");
    record("npm", "left", "2.0.0");
    record("npm", "leftover", "1.1.0"); /* another package sharing the prefix: untouched */

    /* the new packument lists 1.0.0 and 2.0.0: 1.1.0 went */
    const char *now1[] = {"2.0.0", "1.0.0"};
    takedown_doc_t d = {.eco = ECO_NPM, .package = "left", .listed = now1, .nlisted = 2,
                        .prev_digest = "aaaa", .now = 1000};
    CHECK_INT_EQ(takedown_note_write(&d, err, sizeof(err)), 0);
    CHECK_INT_EQ(d.removed, 1);
    CHECK_INT_EQ(d.relisted, 0);
    takedown_t t;
    CHECK_INT_EQ(removed(ECO_NPM, "left", "1.1.0", &t), 1);
    CHECK_INT_EQ(t.removed_at, 1000);
    CHECK_STR_EQ(t.prev_digest, "aaaa");
    CHECK_INT_EQ(t.file, 0);
    CHECK_INT_EQ(removed(ECO_NPM, "left", "1.0.0", NULL), 0);
    CHECK_INT_EQ(removed(ECO_NPM, "leftover", "1.1.0", NULL), 0);
    CHECK_INT_EQ(removed(ECO_PYPI, "left", "1.1.0", NULL), 0);

    /* the same document again: the first removal's time and document stand */
    d.now = 2000;
    d.prev_digest = "bbbb";
    CHECK_INT_EQ(takedown_note_write(&d, err, sizeof(err)), 0);
    CHECK_INT_EQ(d.removed, 0);
    CHECK_INT_EQ(removed(ECO_NPM, "left", "1.1.0", &t), 1);
    CHECK_INT_EQ(t.removed_at, 1000);
    CHECK_STR_EQ(t.prev_digest, "aaaa");

    /* upstream lists 1.1.0 again: the takedown is lifted */
    const char *now2[] = {"1.0.0", "1.1.0", "2.0.0"};
    takedown_doc_t d2 = {.eco = ECO_NPM, .package = "left", .listed = now2, .nlisted = 3, .now = 3000};
    CHECK_INT_EQ(takedown_note_write(&d2, err, sizeof(err)), 0);
    CHECK_INT_EQ(d2.removed, 0);
    CHECK_INT_EQ(d2.relisted, 1);
    CHECK_INT_EQ(removed(ECO_NPM, "left", "1.1.0", NULL), 0);

    /* a 404: nothing listed, every version removed */
    takedown_doc_t gone = {.eco = ECO_NPM, .package = "left", .prev_digest = "cccc", .now = 4000};
    CHECK_INT_EQ(takedown_note_write(&gone, err, sizeof(err)), 0);
    CHECK_INT_EQ(gone.removed, 3);
    CHECK_INT_EQ(removed(ECO_NPM, "left", "2.0.0", NULL), 1);
    CHECK_INT_EQ(removed(ECO_NPM, "leftover", "1.1.0", NULL), 0);
    int n = 0;
    CHECK_INT_EQ(takedown_walk(ECO_NPM, "left", count_walk, &n), 0);
    CHECK_INT_EQ(n, 3);
    n = 0;
    CHECK_INT_EQ(takedown_walk(-1, NULL, count_walk, &n), 0);
    CHECK_INT_EQ(n, 3);
    CHECK(takedown_noted() >= 4);

    /* an explicit earlier listing (Maven: the earlier document), not the records */
    const char *before[] = {"1.0", "1.1"}, *after[] = {"1.0"};
    takedown_doc_t m = {.eco = ECO_MAVEN, .package = "g:a", .listed = after, .nlisted = 1, .earlier = before,
                        .nearlier = 2, .now = 5000};
    CHECK_INT_EQ(takedown_note_write(&m, err, sizeof(err)), 0);
    CHECK_INT_EQ(m.removed, 1);
    CHECK_INT_EQ(removed(ECO_MAVEN, "g:a", "1.1", NULL), 1);
    CHECK_INT_EQ(removed(ECO_MAVEN, "g:a", "1.0", NULL), 0);

    /* files and the release they stand for (PyPI): the release goes only with its last file */
    record("pypi", "p", "p-1.0.whl");
    record("pypi", "p", "p-1.1.whl");
    const char *pnow[] = {"p-1.0.whl", "1.0"};
    takedown_doc_t p = {.eco = ECO_PYPI, .package = "p", .listed = pnow, .nlisted = 2, .also = release_of,
                        .names_are_files = 1, .now = 6000};
    CHECK_INT_EQ(takedown_note_write(&p, err, sizeof(err)), 0);
    CHECK_INT_EQ(p.removed, 2); /* p-1.1.whl and release 1.1 */
    CHECK_INT_EQ(removed(ECO_PYPI, "p", "p-1.1.whl", &t), 1);
    CHECK_INT_EQ(t.file, 1);
    CHECK_INT_EQ(removed(ECO_PYPI, "p", "1.1", &t), 1);
    CHECK_INT_EQ(t.file, 0);
    CHECK_INT_EQ(removed(ECO_PYPI, "p", "1.0", NULL), 0);
    store_close();
}

static void load(config_t *cfg, const char *yaml)
{
    char e[512];
    int rc = config_load_string(cfg, "t.yaml", yaml, strlen(yaml), e, sizeof(e));
    if (rc != 0)
        fprintf(stderr, "config: %s\n", e);
    CHECK(rc == 0);
}

TEST(policy_refuses_a_removed_version_over_approvals_and_rules)
{
    const int64_t now = 1795000000000LL;
    config_t cfg;
    load(&cfg, "quarantine:\n  min_age: 1d\n  rules:\n    - { match: \"npm:left@1.1.0\", allow: true }\n");
    version_facts_t f = {.published_at = now - 100LL * 86400 * 1000, .first_seen = now - 100LL * 86400 * 1000,
                         .removed_at = now - 1000};
    verdict_t v;
    policy_decide(&cfg, ECO_NPM, "left", "1.1.0", &f, now, &v);
    CHECK_INT_EQ(v.allow, 0);
    CHECK_INT_EQ(v.reason, REASON_REMOVED_UPSTREAM);
    CHECK(strstr(v.rule, "no longer lists") != NULL);
    CHECK(v.eligible_at == TIME_NONE);
    /* an approval does not admit it either */
    f.review.kind = REVIEW_APPROVAL;
    f.review.id = 7;
    policy_decide(&cfg, ECO_NPM, "left", "1.1.0", &f, now, &v);
    CHECK_INT_EQ(v.reason, REASON_REMOVED_UPSTREAM);
    /* a malicious record still comes first */
    snprintf(f.malicious.id, sizeof(f.malicious.id), "MAL-1");
    policy_decide(&cfg, ECO_NPM, "left", "1.1.0", &f, now, &v);
    CHECK_INT_EQ(v.reason, REASON_MALICIOUS);
    f.malicious.id[0] = '\0';
    /* listed again: the approval decides */
    f.removed_at = 0;
    policy_decide(&cfg, ECO_NPM, "left", "1.1.0", &f, now, &v);
    CHECK_INT_EQ(v.allow, 1);
    char fp_on[17], fp_off[17];
    policy_fingerprint(&cfg, fp_on);
    config_free(&cfg);

    /* intel.takedowns: false serves what upstream removed (and renders apart) */
    load(&cfg, "intel: { takedowns: false }\nquarantine: { min_age: 1d }\n");
    f.review.kind = 0;
    f.removed_at = now - 1000;
    policy_decide(&cfg, ECO_NPM, "left", "1.1.0", &f, now, &v);
    CHECK_INT_EQ(v.allow, 1);
    policy_fingerprint(&cfg, fp_off);
    CHECK(strcmp(fp_on, fp_off) != 0);
    config_free(&cfg);
    /* a bad value is an error naming the key, not a silent default */
    char e[512] = "";
    const char *bad = "intel: { takedowns: maybe }\n";
    CHECK_INT_EQ(config_load_string(&cfg, "t.yaml", bad, strlen(bad), e, sizeof(e)), -1);
    CHECK(strstr(e, "takedowns") != NULL);
    config_free(&cfg);
    /* the history's findings are set under intel:, with their own keys */
    load(&cfg, "intel: { provenance: warn, publisher_change: hold }\n");
    CHECK_INT_EQ(cfg.analysis.action[FINDING_PROVENANCE_REGRESSION], FINDING_WARN);
    CHECK_INT_EQ(cfg.analysis.action[FINDING_PUBLISHER_CHANGE], FINDING_HOLD);
    config_free(&cfg);
    load(&cfg, "quarantine: { min_age: 1d }\n");
    CHECK_INT_EQ(cfg.analysis.action[FINDING_PROVENANCE_REGRESSION], FINDING_HOLD); /* DESIGN.md's defaults */
    CHECK_INT_EQ(cfg.analysis.action[FINDING_PUBLISHER_CHANGE], FINDING_WARN);
    config_free(&cfg);
    const char *wrong[] = {"analysis: { publisher_change: hold }\n", "intel: { provenance: sometimes }\n"};
    const char *says[] = {"set under intel:", "hold, warn or ignore"};
    for (int i = 0; i < 2; i++) {
        e[0] = '\0';
        CHECK_INT_EQ(config_load_string(&cfg, "t.yaml", wrong[i], strlen(wrong[i]), e, sizeof(e)), -1);
        CHECK(strstr(e, says[i]) != NULL);
        config_free(&cfg);
    }
}

int main(void)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/cordon-test-takedown-XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(takedowns_recorded_once_and_lifted_by_relisting);
    RUN(policy_refuses_a_removed_version_over_approvals_and_rules);
    rm_rf(g_dir);
    return test_report();
}
