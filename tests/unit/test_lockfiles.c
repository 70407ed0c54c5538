/* unit tests: server/lockfiles.c on a real store — the first submission
 * becomes the base, a bump to a young version is held, change-set approval
 * admits it and moves the base, integrity changes and foreign resolved URLs
 * are flagged, versions cordon never saw are "unknown", unreadable
 * lockfiles store nothing, every submission is audited. Also times a
 * 5,000-entry check (printed, not asserted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/record.h"
#include "cache/store.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "server/approvals.h"
#include "server/audit.h"
#include "server/audit_key.h"
#include "server/config.h"
#include "server/lockfiles.h"
#include "server/runtime.h"
#include "tests/unit/test.h"

#define DAY (86400LL * 1000)
#define SHA_A "sha512-" \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
#define SHA_B "sha512-" \
    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=="

static config_t g_cfg;

typedef struct seed {
    const char *name, *version;
    int64_t published;
} seed_t;

static int put_versions(MDB_txn *txn, void *arg)
{
    const seed_t *s = arg;
    buf_t b;
    buf_init(&b);
    int rc = 0;
    for (; s->name && rc == 0; s++) {
        char key[1024];
        size_t klen = version_key(key, sizeof(key), "npm", s->name, s->version);
        version_rec_t v = {.first_seen = s->published, .published_at = s->published, .integrity = "",
                           .artifact_url = ""};
        buf_reset(&b);
        version_rec_encode(&v, &b);
        MDB_val k = {klen, key}, val = {b.len, b.data};
        rc = mdb_put(txn, store_dbi(DB_VERSIONS), &k, &val, 0);
    }
    buf_free(&b);
    return rc;
}

/* a package-lock.json v3 of (name, version, integrity, resolved) rows */
static void lock(buf_t *b, const char *const rows[][4], size_t n)
{
    buf_reset(b);
    buf_puts(b, "{\"name\":\"app\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"requires\":true,\"packages\":{"
                "\"\":{\"name\":\"app\",\"version\":\"1.0.0\",\"dependencies\":{");
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s\"%s\":\"%s\"", i ? "," : "", rows[i][0], rows[i][1]);
    buf_puts(b, "}}");
    for (size_t i = 0; i < n; i++)
        buf_printf(b, ",\"node_modules/%s\":{\"version\":\"%s\",\"resolved\":\"%s\",\"integrity\":\"%s\"}", rows[i][0],
                   rows[i][1], rows[i][3], rows[i][2]);
    buf_puts(b, "}}");
}

static int check(const buf_t *body, buf_t *report, char *err)
{
    lockfile_submit_t s = {.project = "acme/web", .ref = "main", .format = LOCK_AUTO, .body = body->data,
                           .len = body->len, .by = "ci", .client = "127.0.0.1"};
    buf_reset(report);
    return lockfiles_check(&g_cfg, &s, report, err, 300);
}

static int has(buf_t *b, const char *needle) { return strstr(buf_cstr(b), needle) != NULL; }

TEST(lockfile_lifecycle)
{
    char err[300];
    buf_t body, rep;
    buf_init(&body);
    buf_init(&rep);
    const char *R = "http://127.0.0.1:7878/npm/x.tgz";
    const char *const v1[][4] = {{"alpha", "1.0.0", SHA_A, R}, {"beta", "2.0.0", SHA_B, R}};
    lock(&body, v1, 2);
    CHECK_INT_EQ(check(&body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":true"));
    CHECK(has(&rep, "\"submission\":1,\"base\":null"));
    CHECK(has(&rep, "\"added\":2"));

    /* a pull request bumps alpha to a version published an hour ago */
    const char *const v2[][4] = {{"alpha", "1.1.0", SHA_A, R}, {"beta", "2.0.0", SHA_B, R}};
    lock(&body, v2, 2);
    CHECK_INT_EQ(check(&body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":false"));
    CHECK(has(&rep, "\"change\":\"upgraded\",\"ecosystem\":\"npm\",\"package\":\"alpha\",\"version\":\"1.1.0\","
                    "\"from_version\":\"1.0.0\""));
    CHECK(has(&rep, "\"status\":\"held\""));
    CHECK(has(&rep, "quarantined until"));
    CHECK(has(&rep, "\"submission\":2,\"base\":1"));
    buf_t hist;
    buf_init(&hist);
    CHECK_INT_EQ(lockfiles_history_json("acme/web", &hist), 0);
    CHECK(has(&hist, "\"base\":1"));

    /* the change set is approved: one approval, and submission 2 is the base */
    buf_t out;
    buf_init(&out);
    CHECK_INT_EQ(lockfiles_approve(&g_cfg, "acme/web", 2, "reviewed", TIME_NONE, "alice", &out, err, sizeof(err)), 0);
    CHECK(has(&out, "\"package\":\"alpha\",\"version\":\"1.1.0\",\"comment\":\"reviewed (lockfile acme/web#2)\""));
    CHECK(has(&out, "\"base\":2"));
    buf_reset(&out);
    CHECK_INT_EQ(lockfiles_approve(&g_cfg, "acme/web", 99, "x", TIME_NONE, "alice", &out, err, sizeof(err)), 404);
    buf_reset(&rep);
    CHECK_INT_EQ(lockfiles_report_json("acme/web", 2, &rep), 0);
    CHECK(has(&rep, "\"ok\":false,\"accepted\":true"));
    CHECK_INT_EQ(check(&body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":true"));
    CHECK(has(&rep, "\"base\":2"));
    CHECK(has(&rep, "\"changes\":[]"));

    /* the same version with another integrity; a download from elsewhere; a package never seen */
    const char *const v3[][4] = {{"alpha", "1.1.0", SHA_B, R},
                                 {"beta", "2.0.0", SHA_B, "http://127.0.0.2:9/beta-2.0.0.tgz"},
                                 {"gamma", "3.0.0", SHA_A, R}};
    lock(&body, v3, 3);
    CHECK_INT_EQ(check(&body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":false"));
    CHECK(has(&rep, "\"change\":\"integrity_changed\",\"ecosystem\":\"npm\",\"package\":\"alpha\""));
    CHECK(has(&rep, "\"flags\":[\"resolved_elsewhere\"]") || has(&rep, "\"resolved_elsewhere\"]"));
    CHECK(has(&rep, "\"package\":\"gamma\"") && has(&rep, "\"status\":\"unknown\""));
    CHECK(has(&rep, "\"integrity_changed\":1,\"resolved_elsewhere\":0") || has(&rep, "\"integrity_changed\":1"));

    /* removed and downgraded */
    const char *const v4[][4] = {{"alpha", "1.0.0", SHA_A, R}};
    lock(&body, v4, 1);
    CHECK_INT_EQ(check(&body, &rep, err), 0);
    CHECK(has(&rep, "\"change\":\"downgraded\""));
    CHECK(has(&rep, "\"change\":\"removed\",\"ecosystem\":\"npm\",\"package\":\"beta\""));
    CHECK(has(&rep, "\"ok\":true"));

    /* an unreadable lockfile: 400, nothing stored */
    buf_reset(&hist);
    CHECK_INT_EQ(lockfiles_history_json("acme/web", &hist), 0);
    size_t before = hist.len;
    buf_reset(&body);
    buf_puts(&body, "{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"version\":");
    CHECK_INT_EQ(check(&body, &rep, err), 400);
    CHECK(strstr(err, "cannot be read") != NULL);
    buf_reset(&hist);
    CHECK_INT_EQ(lockfiles_history_json("acme/web", &hist), 0);
    CHECK_INT_EQ((long)hist.len, (long)before);
    CHECK_INT_EQ(lockfiles_history_json("nobody", &hist), 404);
    CHECK(!lockfiles_project_valid("../x"));
    CHECK(!lockfiles_project_valid(""));
    CHECK(lockfiles_project_valid("acme/web-2"));

    /* all of it audited, chain intact */
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK(r.records >= 6);
    buf_free(&body);
    buf_free(&rep);
    buf_free(&hist);
    buf_free(&out);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

TEST(five_thousand_entries)
{
    /* 5,000 known versions; the second lockfile changes 100 of them */
    seed_t *seeds = calloc(10002, sizeof(seed_t));
    char (*names)[32] = calloc(5000, 32);
    int64_t old = time_now_ms() - 100 * DAY;
    for (int i = 0; i < 5000; i++) {
        snprintf(names[i], 32, "pkg-%04d", i);
        seeds[2 * i] = (seed_t){names[i], "1.0.0", old};
        seeds[2 * i + 1] = (seed_t){names[i], "1.0.1", old};
    }
    char err[300];
    CHECK_INT_EQ(store_write(put_versions, seeds, err, sizeof(err)), STORE_OK);
    buf_t a, b, rep;
    buf_init(&a);
    buf_init(&b);
    buf_init(&rep);
    for (int pass = 0; pass < 2; pass++) {
        buf_t *x = pass ? &b : &a;
        buf_puts(x, "{\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"big\"}");
        for (int i = 0; i < 5000; i++)
            buf_printf(x, ",\"node_modules/%s\":{\"version\":\"%s\",\"resolved\":\"http://127.0.0.1:7878/npm/x\","
                          "\"integrity\":\"%s\"}",
                       names[i], pass && i % 50 == 0 ? "1.0.1" : "1.0.0", SHA_A);
        buf_puts(x, "}}");
    }
    lockfile_submit_t s = {.project = "big", .ref = "", .format = LOCK_NPM, .body = a.data, .len = a.len,
                           .by = "ci", .client = ""};
    double t0 = now_ms();
    CHECK_INT_EQ(lockfiles_check(&g_cfg, &s, &rep, err, sizeof(err)), 0);
    double first = now_ms() - t0;
    CHECK(strstr(buf_cstr(&rep), "\"ok\":true") != NULL);
    s.body = b.data;
    s.len = b.len;
    buf_reset(&rep);
    t0 = now_ms();
    CHECK_INT_EQ(lockfiles_check(&g_cfg, &s, &rep, err, sizeof(err)), 0);
    double second = now_ms() - t0;
    CHECK(strstr(buf_cstr(&rep), "\"upgraded\":100") != NULL);
    printf("# 5,000-entry package-lock.json: first check %.1f ms (all added), next check %.1f ms (100 upgraded; "
           "target <= 200 ms)\n",
           first, second);
    buf_free(&a);
    buf_free(&b);
    buf_free(&rep);
    free(seeds);
    free(names);
}

int main(void)
{
    char dir[] = "/tmp/cordon-test-lockfiles-XXXXXX", err[300];
    if (mkdtemp(dir) == NULL)
        return 1;
    const char *yaml = "public_url: http://127.0.0.1:7878\nupstreams: { npm: http://127.0.0.1:4873 }\n"
                       "quarantine: { min_age: 3d }\n";
    CHECK_INT_EQ(config_load_string(&g_cfg, "t.yaml", yaml, strlen(yaml), err, sizeof(err)), 0);
    runtime_set_config(&g_cfg);
    static const unsigned char key[AUDIT_KEY_BYTES] = "0123456789abcdef0123456789abcdef";
    audit_key_set(key); /* the chain is keyed: every writer holds the key */
    CHECK_INT_EQ(store_open(dir, 1 << 22, 0, err, sizeof(err)), 0);
    CHECK_INT_EQ(approvals_load(), 0);
    int64_t now = time_now_ms();
    seed_t seeds[] = {{"alpha", "1.0.0", now - 100 * DAY},
                      {"alpha", "1.1.0", now - 3600 * 1000},
                      {"beta", "2.0.0", now - 100 * DAY},
                      {NULL, NULL, 0}};
    CHECK_INT_EQ(store_write(put_versions, seeds, err, sizeof(err)), STORE_OK);
    RUN(lockfile_lifecycle);
    RUN(five_thousand_entries);
    approvals_unload();
    store_close();
    config_free(&g_cfg);
    char cmd[100];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_report();
}
