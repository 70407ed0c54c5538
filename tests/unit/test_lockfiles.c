/* unit tests: review/lockfiles.c on a real store — the first submission
 * becomes the base, a bump to a young version is held, change-set approval
 * admits it and moves the base, integrity changes and foreign resolved URLs
 * are flagged, unreadable lockfiles store nothing, every submission is
 * audited. Every entry is judged on every submission (a block after the
 * base was accepted fails the same lockfile), every pin's integrity is
 * compared with upstream's (a forged sha512 fails a first submission),
 * metadata cordon never saw is fetched from a loopback upstream for the
 * check (real verdicts, not "unknown"), and an upstream that fails — refused
 * connections, or no answer before the check's deadline — gives "unknown"
 * entries that say so. Also times a 5,000-entry check (printed, not
 * asserted). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ecosystems/eco_ids.h"
#include "store/blob.h"
#include "upstream/fetcher.h"
#include "upstream/flight.h"
#include "store/record.h"
#include "store/store.h"
#include "upstream/upstream_cache.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "policy/approvals.h"
#include "review/approvals_store.h"
#include "journal/audit.h"
#include "journal/audit_key.h"
#include "core/config.h"
#include "review/lockfiles.h"
#include "admin/views.h"
#include "core/runtime.h"
#include "tests/unit/test.h"

#include <yajl/yajl_tree.h>

#define DAY (86400LL * 1000)
#define SHA_A "sha512-" \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
#define SHA_B "sha512-" \
    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=="
/* sha1 of twenty 0x11 bytes as SRI base64 and hex, and of twenty 0x22 bytes */
#define SHA1_B64 "ERERERERERERERERERERERERERE="
#define SHA1_HEX "1111111111111111111111111111111111111111"
#define SHA1_B64_OTHER "IiIiIiIiIiIiIiIiIiIiIiIiIiI="

static config_t g_cfg;       /* the npm upstream refuses connections (a dead one) */
static config_t g_cfg_live;  /* the npm upstream is the loopback one below */
static config_t g_cfg_slow;  /* the same, with a 1 s deadline for the check's fetches */
static config_t *g_use = &g_cfg;

typedef struct seed {
    const char *name, *version;
    int64_t published;
    const char *integrity; /* NULL: none recorded */
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
        version_rec_t v = {.first_seen = s->published, .published_at = s->published,
                           .integrity = (char *)(s->integrity ? s->integrity : ""), .artifact_url = ""};
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
    return lockfiles_check(g_use, &s, view_lockfile_report, report, err, 300);
}

static int check_in(const char *project, const buf_t *body, buf_t *report, char *err)
{
    lockfile_submit_t s = {.project = project, .ref = "main", .format = LOCK_AUTO, .body = body->data,
                           .len = body->len, .by = "ci", .client = "127.0.0.1"};
    buf_reset(report);
    return lockfiles_check(g_use, &s, view_lockfile_report, report, err, 300);
}

/* the API's documents: what review/lockfiles returns, as admin/views.c renders it */
static lockfiles_result_t history_json(const char *project, buf_t *out)
{
    lockfile_history_t h;
    lockfiles_result_t rc = lockfiles_history(project, &h);
    if (rc == LOCKFILES_OK) {
        view_lockfile_history(project, &h, out);
        lockfile_history_free(&h);
    }
    return rc;
}

static lockfiles_result_t report_json(const char *project, uint64_t id, buf_t *out)
{
    char *report;
    lockfiles_result_t rc = lockfiles_report(project, id, &report);
    if (rc == LOCKFILES_OK) {
        buf_puts(out, report);
        free(report);
    }
    return rc;
}

static lockfiles_result_t approve_json(const char *project, uint64_t id, const char *comment, const char *by,
                                       buf_t *out, char *err, size_t errlen)
{
    review_t *made;
    size_t n;
    lockfiles_result_t rc = lockfiles_approve(g_use, project, id, comment, TIME_NONE, by, &made, &n, err, errlen);
    if (rc == LOCKFILES_OK) {
        view_lockfile_approved(made, n, id, time_now_ms(), out);
        reviews_free(made, n);
    }
    return rc;
}

static int has(buf_t *b, const char *needle) { return strstr(buf_cstr(b), needle) != NULL; }

/* ---- the report, read as JSON ---- */

static yajl_val g_doc; /* the last report parsed by change_of */

/* the change object of package@version in report (parsed once per call) */
static yajl_val change_of(buf_t *report, const char *package, const char *version)
{
    if (g_doc)
        yajl_tree_free(g_doc);
    char e[200];
    g_doc = yajl_tree_parse(buf_cstr(report), e, sizeof(e));
    const char *cp[] = {"changes", NULL};
    yajl_val ch = g_doc ? yajl_tree_get(g_doc, cp, yajl_t_array) : NULL;
    for (size_t i = 0; ch && i < YAJL_GET_ARRAY(ch)->len; i++) {
        yajl_val c = YAJL_GET_ARRAY(ch)->values[i];
        const char *pp[] = {"package", NULL}, *vp[] = {"version", NULL};
        yajl_val pk = yajl_tree_get(c, pp, yajl_t_string), vr = yajl_tree_get(c, vp, yajl_t_string);
        if (pk && vr && !strcmp(pk->u.string, package) && !strcmp(vr->u.string, version))
            return c;
    }
    return NULL;
}

/* a string member of c ("verdict" members as "verdict.reason"); "" when absent */
static const char *str_of(yajl_val c, const char *path)
{
    char a[64], *dot;
    snprintf(a, sizeof(a), "%s", path);
    const char *p2[] = {a, NULL, NULL};
    if ((dot = strchr(a, '.')) != NULL) {
        *dot = '\0';
        p2[1] = dot + 1;
    }
    yajl_val v = c ? yajl_tree_get(c, p2, yajl_t_string) : NULL;
    return v ? v->u.string : "";
}

/* summary.<key> of the report change_of parsed last; -1 when absent */
static long long summary_of(const char *key)
{
    const char *sp[] = {"summary", key, NULL};
    yajl_val v = g_doc ? yajl_tree_get(g_doc, sp, yajl_t_number) : NULL;
    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : -1;
}

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
    CHECK_INT_EQ(history_json("acme/web", &hist), 0);
    CHECK(has(&hist, "\"base\":1"));

    /* the change set is approved: one approval, and submission 2 is the base */
    buf_t out;
    buf_init(&out);
    CHECK_INT_EQ(approve_json("acme/web", 2, "reviewed", "alice", &out, err, sizeof(err)), 0);
    CHECK(has(&out, "\"package\":\"alpha\",\"version\":\"1.1.0\",\"comment\":\"reviewed (lockfile acme/web#2)\""));
    CHECK(has(&out, "\"base\":2"));
    buf_reset(&out);
    CHECK_INT_EQ(approve_json("acme/web", 99, "x", "alice", &out, err, sizeof(err)), LOCKFILES_NOT_FOUND);
    buf_reset(&rep);
    CHECK_INT_EQ(report_json("acme/web", 2, &rep), 0);
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
    CHECK_INT_EQ(history_json("acme/web", &hist), 0);
    size_t before = hist.len;
    buf_reset(&body);
    buf_puts(&body, "{\"lockfileVersion\":3,\"packages\":{\"node_modules/a\":{\"version\":");
    CHECK_INT_EQ(check(&body, &rep, err), LOCKFILES_UNREADABLE);
    CHECK(strstr(err, "cannot be read") != NULL);
    buf_reset(&hist);
    CHECK_INT_EQ(history_json("acme/web", &hist), 0);
    CHECK_INT_EQ((long)hist.len, (long)before);
    CHECK_INT_EQ(history_json("nobody", &hist), LOCKFILES_NOT_FOUND);
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

/* CPU time of the process (the check runs on this thread; the others idle) */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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
        seeds[2 * i] = (seed_t){names[i], "1.0.0", old, NULL};
        seeds[2 * i + 1] = (seed_t){names[i], "1.0.1", old, NULL};
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
    double t0 = now_ms(), c0 = cpu_ms();
    CHECK_INT_EQ(lockfiles_check(g_use, &s, view_lockfile_report, &rep, err, sizeof(err)), 0);
    double first = now_ms() - t0, first_cpu = cpu_ms() - c0;
    CHECK(strstr(buf_cstr(&rep), "\"ok\":true") != NULL);
    s.body = b.data;
    s.len = b.len;
    buf_reset(&rep);
    t0 = now_ms();
    c0 = cpu_ms();
    CHECK_INT_EQ(lockfiles_check(g_use, &s, view_lockfile_report, &rep, err, sizeof(err)), 0);
    double second = now_ms() - t0, second_cpu = cpu_ms() - c0;
    CHECK(strstr(buf_cstr(&rep), "\"upgraded\":100") != NULL);
    CHECK(strstr(buf_cstr(&rep), "\"unchanged\":4900") != NULL); /* and every one judged */
    printf("# 5,000-entry package-lock.json: first check %.1f ms (%.1f ms CPU; all added), next check %.1f ms "
           "(%.1f ms CPU; 100 upgraded, 4,900 unchanged judged again; target <= 200 ms)\n",
           first, first_cpu, second, second_cpu);
    buf_free(&a);
    buf_free(&b);
    buf_free(&rep);
    free(seeds);
    free(names);
}

/* ---- a loopback upstream: canned documents by path, 404 otherwise; a
 * "stall" document is never answered until upstream_release() ---- */

typedef struct up_doc {
    const char *path;
    int stall;
    char *body;
    atomic_int hits;
} up_doc_t;

#define UP_DOCS 8
#define UP_STALLED 64

static struct {
    int fd, port;
    pthread_t thread;
    atomic_int stop, release;
    up_doc_t docs[UP_DOCS];
    size_t ndocs;
    int stalled[UP_STALLED];
    size_t nstalled;
} g_up;

static void up_answer(int c)
{
    char req[4096];
    size_t n = 0;
    while (n < sizeof(req) - 1) {
        struct pollfd p = {c, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0)
            break;
        ssize_t r = read(c, req + n, sizeof(req) - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    req[n] = '\0';
    char path[1024] = "";
    sscanf(req, "GET %1023s", path);
    for (size_t i = 0; i < g_up.ndocs; i++) {
        up_doc_t *d = &g_up.docs[i];
        if (strcmp(d->path, path) != 0)
            continue;
        atomic_fetch_add(&d->hits, 1);
        if (d->stall && g_up.nstalled < UP_STALLED) {
            g_up.stalled[g_up.nstalled++] = c; /* answered never: closed by upstream_release */
            return;
        }
        char head[256];
        int hl = snprintf(head, sizeof(head),
                          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                          "Connection: close\r\n\r\n",
                          strlen(d->body));
        if (write(c, head, (size_t)hl) < 0 || write(c, d->body, strlen(d->body)) < 0)
            perror("upstream write");
        close(c);
        return;
    }
    const char *nf = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                     "Connection: close\r\n\r\n{}";
    if (write(c, nf, strlen(nf)) < 0)
        perror("upstream write");
    close(c);
}

static void *up_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_up.stop)) {
        if (atomic_exchange(&g_up.release, 0)) {
            for (size_t i = 0; i < g_up.nstalled; i++)
                close(g_up.stalled[i]);
            g_up.nstalled = 0;
        }
        struct pollfd p = {g_up.fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(g_up.fd, NULL, NULL);
        if (c >= 0)
            up_answer(c);
    }
    for (size_t i = 0; i < g_up.nstalled; i++)
        close(g_up.stalled[i]);
    return NULL;
}

static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* a port nothing listens on (bound, then closed): connections are refused */
static int dead_port(void)
{
    int port = 0, fd = listen_loopback(&port);
    if (fd >= 0)
        close(fd);
    return port;
}

static void up_add(const char *path, int stall, char *body)
{
    up_doc_t *d = &g_up.docs[g_up.ndocs++];
    d->path = path;
    d->stall = stall;
    d->body = body;
    atomic_store(&d->hits, 0);
}

static int up_hits(const char *path)
{
    for (size_t i = 0; i < g_up.ndocs; i++)
        if (!strcmp(g_up.docs[i].path, path))
            return atomic_load(&g_up.docs[i].hits);
    return -1;
}

/* a packument of one version: published `published`, integrity of `bytes` */
static char *packument(const char *name, const char *version, int64_t published, const char *sri, const char *sha1)
{
    char t[40];
    time_format_iso8601(published, t, sizeof(t), 0);
    buf_t b;
    buf_init(&b);
    buf_printf(&b,
               "{\"_id\":\"%s\",\"name\":\"%s\",\"dist-tags\":{\"latest\":\"%s\"},\"versions\":{\"%s\":{\"name\":"
               "\"%s\",\"version\":\"%s\",\"dist\":{\"tarball\":\"http://127.0.0.1:%d/%s/-/%s-%s.tgz\","
               "\"shasum\":\"%s\",\"integrity\":\"%s\"}}},\"time\":{\"created\":\"%s\",\"modified\":\"%s\","
               "\"%s\":\"%s\"}}",
               name, name, version, version, name, version, g_up.port, name, name, version, sha1, sri, t, t,
               version, t);
    return b.data;
}

static void upstream_release(void)
{
    atomic_store(&g_up.release, 1);
    /* the check stopped waiting at its deadline; its fetch lands once the
     * connection closes (bounded: curl gets an empty reply) */
    for (int i = 0; i < 1000 && flight_count() > 0; i++)
        usleep(10 * 1000);
}

/* ---- every entry is judged on every submission ---- */

TEST(block_after_accept)
{
    char err[300];
    buf_t body, rep;
    buf_init(&body);
    buf_init(&rep);
    const char *R = "http://127.0.0.1:7878/npm/x.tgz";
    const char *const v1[][4] = {{"alpha", "1.0.0", SHA_A, R}, {"beta", "2.0.0", SHA_B, R}};
    lock(&body, v1, 2);
    CHECK_INT_EQ(check_in("acme/blocked", &body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":true"));
    CHECK(has(&rep, "\"accepted\":true"));

    /* a reviewer blocks beta@2.0.0 after the lockfile was accepted */
    review_t r = {.kind = REVIEW_BLOCK, .eco = ECO_NPM, .expires_at = TIME_NONE};
    r.package = strdup("beta");
    r.version = strdup("2.0.0");
    r.comment = strdup("compromised release");
    r.by = strdup("alice");
    r.ended_by = strdup("");
    CHECK_INT_EQ(approvals_add(&r, err, sizeof(err)), 0);
    uint64_t block = r.id;
    review_free(&r);

    /* the very same lockfile fails now: beta is unchanged, and blocked */
    CHECK_INT_EQ(check_in("acme/blocked", &body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":false"));
    yajl_val c = change_of(&rep, "beta", "2.0.0");
    CHECK(c != NULL);
    CHECK_STR_EQ(str_of(c, "change"), "unchanged");
    CHECK_STR_EQ(str_of(c, "verdict.status"), "held");
    CHECK_STR_EQ(str_of(c, "verdict.reason"), "blocked");
    CHECK(strstr(str_of(c, "verdict.error"), "beta") != NULL);
    CHECK(change_of(&rep, "alpha", "1.0.0") == NULL); /* unchanged and allowed: counted, not listed */
    CHECK_INT_EQ(summary_of("unchanged"), 2);
    CHECK_INT_EQ(summary_of("allowed"), 1);
    CHECK_INT_EQ(summary_of("held"), 1);
    CHECK_INT_EQ(summary_of("added"), 0);
    buf_t hist;
    buf_init(&hist);
    CHECK_INT_EQ(history_json("acme/blocked", &hist), 0);
    CHECK(has(&hist, "\"base\":1"));

    /* lifted: the same lockfile passes again */
    review_t ended;
    CHECK_INT_EQ(approvals_end(block, REVIEW_BLOCK, "bob", &ended, err, sizeof(err)), 0);
    review_free(&ended);
    CHECK_INT_EQ(check_in("acme/blocked", &body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":true"));

    /* a deny rule configured after the acceptance holds it too */
    config_t deny;
    const char *yaml = "public_url: http://127.0.0.1:7878\nupstreams: { npm: http://127.0.0.1:9 }\n"
                       "quarantine:\n  min_age: 3d\n  rules:\n    - { match: \"npm:alpha\", deny: true }\n";
    CHECK_INT_EQ(config_load_string(&deny, "deny.yaml", yaml, strlen(yaml), err, sizeof(err)), 0);
    g_use = &deny;
    CHECK_INT_EQ(check_in("acme/blocked", &body, &rep, err), 0);
    c = change_of(&rep, "alpha", "1.0.0");
    CHECK_STR_EQ(str_of(c, "change"), "unchanged");
    CHECK_STR_EQ(str_of(c, "verdict.status"), "held");
    CHECK(strstr(str_of(c, "verdict.policy"), "deny") != NULL);
    g_use = &g_cfg;
    config_free(&deny);
    buf_free(&body);
    buf_free(&rep);
    buf_free(&hist);
}

/* ---- integrity against upstream ---- */

TEST(forged_integrity)
{
    char err[300];
    buf_t body, rep;
    buf_init(&body);
    buf_init(&rep);
    const char *R = "http://127.0.0.1:7878/npm/x.tgz";
    /* a first submission: no base to compare with, only upstream */
    const char *const v1[][4] = {{"sig-good", "1.0.0", SHA_A, R},
                                 {"sig-forged", "1.0.0", SHA_B, R},
                                 {"sig-sha1", "1.0.0", "sha1-" SHA1_B64_OTHER, R}};
    lock(&body, v1, 3);
    CHECK_INT_EQ(check_in("acme/forged", &body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":false"));
    CHECK(has(&rep, "\"accepted\":false"));
    yajl_val c = change_of(&rep, "sig-forged", "1.0.0");
    CHECK(c != NULL);
    CHECK_STR_EQ(str_of(c, "change"), "added");
    CHECK_STR_EQ(str_of(c, "integrity_check"), "mismatch");
    CHECK_STR_EQ(str_of(c, "upstream_integrity"), SHA_A);
    CHECK_STR_EQ(str_of(c, "verdict.status"), "held");
    CHECK_STR_EQ(str_of(c, "verdict.reason"), "integrity_mismatch");
    CHECK(strstr(str_of(c, "verdict.error"), "sig-forged@1.0.0") != NULL);
    c = change_of(&rep, "sig-good", "1.0.0");
    CHECK_STR_EQ(str_of(c, "integrity_check"), "verified");
    CHECK_STR_EQ(str_of(c, "verdict.status"), "allowed");
    /* a sha1 against upstream's sha1 (the form npm records when a version has no SRI) */
    c = change_of(&rep, "sig-sha1", "1.0.0");
    CHECK_STR_EQ(str_of(c, "integrity_check"), "mismatch");
    CHECK_STR_EQ(str_of(c, "verdict.reason"), "integrity_mismatch");
    CHECK_INT_EQ(summary_of("integrity_mismatch"), 2);
    CHECK_INT_EQ(summary_of("held"), 2);
    buf_t hist;
    buf_init(&hist);
    CHECK_INT_EQ(history_json("acme/forged", &hist), 0);
    CHECK(has(&hist, "\"base\":null"));
    /* approval cannot make forged bytes right: refused, nothing approved, no base */
    buf_t out;
    buf_init(&out);
    CHECK_INT_EQ(approve_json("acme/forged", 1, "looks fine", "alice", &out, err, sizeof(err)),
                 LOCKFILES_NOT_APPROVABLE);
    CHECK(strstr(err, "sig-forged@1.0.0") != NULL && strstr(err, "integrity") != NULL);
    buf_reset(&hist);
    CHECK_INT_EQ(history_json("acme/forged", &hist), 0);
    CHECK(has(&hist, "\"base\":null"));

    /* the right integrity passes */
    const char *const v2[][4] = {{"sig-good", "1.0.0", SHA_A, R},
                                 {"sig-forged", "1.0.0", SHA_A, R},
                                 {"sig-sha1", "1.0.0", "sha1-" SHA1_B64, R}};
    lock(&body, v2, 3);
    CHECK_INT_EQ(check_in("acme/forged", &body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":true"));
    c = change_of(&rep, "sig-sha1", "1.0.0");
    CHECK_STR_EQ(str_of(c, "integrity_check"), "verified");
    buf_free(&body);
    buf_free(&rep);
    buf_free(&hist);
    buf_free(&out);
}

/* ---- metadata cordon never saw is fetched for the check ---- */

TEST(fetches_unseen)
{
    g_use = &g_cfg_live;
    runtime_set_config(&g_cfg_live);
    char err[300];
    buf_t body, rep;
    buf_init(&body);
    buf_init(&rep);
    const char *R = "http://127.0.0.1:7878/npm/x.tgz";
    /* fresh-old twice (two versions: one packument fetch), fresh-young, and nope (404 upstream) */
    buf_puts(&body, "{\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"app\",\"dependencies\":{"
                    "\"fresh-old\":\"^1.0.0\",\"fresh-young\":\"^1.0.0\",\"nope\":\"^1.0.0\"}}");
    buf_printf(&body, ",\"node_modules/fresh-old\":{\"version\":\"1.0.0\",\"resolved\":\"%s\",\"integrity\":\"%s\"}",
               R, SHA_A);
    buf_printf(&body,
               ",\"node_modules/fresh-young/node_modules/fresh-old\":{\"version\":\"9.9.9\",\"resolved\":\"%s\","
               "\"integrity\":\"%s\"}",
               R, SHA_A);
    buf_printf(&body, ",\"node_modules/fresh-young\":{\"version\":\"1.0.0\",\"resolved\":\"%s\",\"integrity\":\"%s\","
               "\"optional\":true,\"os\":[\"darwin\"]}", R, SHA_B);
    buf_printf(&body, ",\"node_modules/nope\":{\"version\":\"1.0.0\",\"resolved\":\"%s\",\"integrity\":\"%s\"}}}", R,
               SHA_A);
    CHECK_INT_EQ(check_in("acme/fresh", &body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":false"));
    yajl_val c = change_of(&rep, "fresh-old", "1.0.0");
    CHECK_STR_EQ(str_of(c, "verdict.status"), "allowed");
    CHECK_STR_EQ(str_of(c, "integrity_check"), "verified");
    c = change_of(&rep, "fresh-young", "1.0.0"); /* a darwin-only optional entry: judged all the same */
    CHECK_STR_EQ(str_of(c, "verdict.status"), "held");
    CHECK_STR_EQ(str_of(c, "verdict.reason"), "quarantine");
    CHECK(strstr(str_of(c, "verdict.error"), "quarantined until") != NULL);
    CHECK_STR_EQ(str_of(c, "integrity_check"), "verified");
    c = change_of(&rep, "fresh-old", "9.9.9");
    CHECK_STR_EQ(str_of(c, "verdict.status"), "held");
    CHECK_STR_EQ(str_of(c, "verdict.reason"), "not_found");
    CHECK(strstr(str_of(c, "verdict.error"), "not published upstream") != NULL);
    c = change_of(&rep, "nope", "1.0.0");
    CHECK_STR_EQ(str_of(c, "verdict.status"), "held");
    CHECK_STR_EQ(str_of(c, "verdict.reason"), "not_found");
    CHECK_INT_EQ(summary_of("unknown"), 0);
    CHECK_INT_EQ(summary_of("not_found"), 2);
    CHECK_INT_EQ(summary_of("allowed"), 1);
    CHECK_INT_EQ(up_hits("/fresh-old"), 1);
    CHECK_INT_EQ(up_hits("/fresh-young"), 1);
    /* known now: a second check fetches nothing again for what it found */
    CHECK_INT_EQ(check_in("acme/fresh", &body, &rep, err), 0);
    CHECK_INT_EQ(up_hits("/fresh-old"), 1);
    CHECK_INT_EQ(up_hits("/fresh-young"), 1);
    /* a sha1 pin (yarn classic's #sha1) against dist.shasum, which the
     * version record does not keep: read from the cached packument */
    const char *const s1[][4] = {{"fresh-old", "1.0.0", "sha1-" SHA1_B64, R}};
    lock(&body, s1, 1);
    CHECK_INT_EQ(check_in("acme/fresh-sha1", &body, &rep, err), 0);
    c = change_of(&rep, "fresh-old", "1.0.0");
    CHECK_STR_EQ(str_of(c, "integrity_check"), "verified");
    CHECK(has(&rep, "\"ok\":true"));
    const char *const s2[][4] = {{"fresh-old", "1.0.0", "sha1-" SHA1_B64_OTHER, R}};
    lock(&body, s2, 1);
    CHECK_INT_EQ(check_in("acme/fresh-sha1-forged", &body, &rep, err), 0);
    c = change_of(&rep, "fresh-old", "1.0.0");
    CHECK_STR_EQ(str_of(c, "integrity_check"), "mismatch");
    CHECK(strstr(str_of(c, "upstream_integrity"), "sha1:" SHA1_HEX) != NULL);
    CHECK_STR_EQ(str_of(c, "verdict.reason"), "integrity_mismatch");
    buf_free(&body);
    buf_free(&rep);
    g_use = &g_cfg;
    runtime_set_config(&g_cfg);
}

/* ---- an upstream that fails ---- */

TEST(dead_upstream)
{
    char err[300];
    buf_t body, rep, hist;
    buf_init(&body);
    buf_init(&rep);
    buf_init(&hist);
    const char *R = "http://127.0.0.1:7878/npm/x.tgz";
    const char *const v1[][4] = {{"alpha", "1.0.0", SHA_A, R}};
    lock(&body, v1, 1);
    CHECK_INT_EQ(check_in("acme/dead", &body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":true"));
    const char *const v2[][4] = {{"alpha", "1.0.0", SHA_A, R}, {"ghost", "1.0.0", SHA_A, R}};
    lock(&body, v2, 2);
    CHECK_INT_EQ(check_in("acme/dead", &body, &rep, err), 0);
    CHECK(has(&rep, "\"ok\":false"));
    yajl_val c = change_of(&rep, "ghost", "1.0.0");
    CHECK_STR_EQ(str_of(c, "verdict.status"), "unknown");
    CHECK_STR_EQ(str_of(c, "verdict.reason"), "unknown");
    /* it says the upstream failed, and how */
    CHECK(strstr(str_of(c, "verdict.error"), "upstream failed") != NULL);
    CHECK(strstr(str_of(c, "verdict.upstream_error"), "unreachable") != NULL);
    CHECK_INT_EQ(summary_of("unknown"), 1);
    CHECK_INT_EQ(summary_of("allowed"), 1); /* what cordon knew is still judged */
    const char *fp[] = {"fetch", "failed", NULL};
    yajl_val failed = yajl_tree_get(g_doc, fp, yajl_t_number);
    CHECK(failed && YAJL_GET_INTEGER(failed) == 1);
    /* nothing lost: stored, audited, the base unchanged */
    CHECK_INT_EQ(history_json("acme/dead", &hist), 0);
    CHECK(has(&hist, "\"base\":1"));
    CHECK(has(&hist, "\"submission\":2"));
    buf_free(&body);
    buf_free(&rep);
    buf_free(&hist);
}

TEST(deadline)
{
    g_use = &g_cfg_slow;
    runtime_set_config(&g_cfg_slow);
    char err[300];
    buf_t body, rep;
    buf_init(&body);
    buf_init(&rep);
    const char *R = "http://127.0.0.1:7878/npm/x.tgz";
    const char *const v1[][4] = {{"slow-pkg", "1.0.0", SHA_A, R}};
    lock(&body, v1, 1);
    /* the upstream accepts the connection and never answers: the check ends at its deadline */
    CHECK_INT_EQ(check_in("acme/slow", &body, &rep, err), 0);
    yajl_val c = change_of(&rep, "slow-pkg", "1.0.0");
    CHECK_STR_EQ(str_of(c, "verdict.status"), "unknown");
    CHECK(strstr(str_of(c, "verdict.error"), "deadline") != NULL);
    CHECK_INT_EQ(up_hits("/slow-pkg"), 1);
    const char *fp[] = {"fetch", "unfinished", NULL};
    yajl_val late = yajl_tree_get(g_doc, fp, yajl_t_number);
    CHECK(late && YAJL_GET_INTEGER(late) == 1);
    upstream_release();
    CHECK_INT_EQ((long)flight_count(), 0);
    buf_free(&body);
    buf_free(&rep);
    g_use = &g_cfg;
    runtime_set_config(&g_cfg);
}

int main(void)
{
    char dir[] = "/tmp/cordon-test-lockfiles-XXXXXX", err[300];
    if (mkdtemp(dir) == NULL)
        return 1;
    g_up.fd = listen_loopback(&g_up.port);
    CHECK(g_up.fd >= 0);
    char yaml[600];
    snprintf(yaml, sizeof(yaml),
             "public_url: http://127.0.0.1:7878\nupstreams: { npm: http://127.0.0.1:%d }\n"
             "quarantine: { min_age: 3d }\nanalysis: { prefetch: false }\n",
             dead_port());
    CHECK_INT_EQ(config_load_string(&g_cfg, "t.yaml", yaml, strlen(yaml), err, sizeof(err)), 0);
    snprintf(yaml, sizeof(yaml),
             "public_url: http://127.0.0.1:7878\nupstreams: { npm: http://127.0.0.1:%d }\n"
             "quarantine: { min_age: 3d }\nanalysis: { prefetch: false }\n",
             g_up.port);
    CHECK_INT_EQ(config_load_string(&g_cfg_live, "live.yaml", yaml, strlen(yaml), err, sizeof(err)), 0);
    snprintf(yaml, sizeof(yaml),
             "public_url: http://127.0.0.1:7878\nupstreams: { npm: http://127.0.0.1:%d }\n"
             "quarantine: { min_age: 3d }\nanalysis: { prefetch: false }\nfetch: { lockfile_deadline: 1s }\n",
             g_up.port);
    CHECK_INT_EQ(config_load_string(&g_cfg_slow, "slow.yaml", yaml, strlen(yaml), err, sizeof(err)), 0);
    runtime_set_config(&g_cfg);
    static const unsigned char key[AUDIT_KEY_BYTES] = "0123456789abcdef0123456789abcdef";
    audit_key_set(key); /* the chain is keyed: every writer holds the key */
    CHECK_INT_EQ(blob_init(dir, err, sizeof(err)), 0);
    CHECK_INT_EQ(store_open(dir, 1 << 22, 0, err, sizeof(err)), 0);
    CHECK_INT_EQ(approvals_load(), 0);
    upstream_cache_config_t ucfg = {.metadata_ttl_ms = 300000, .stale_if_error_ms = 0, .max_metadata = 1 << 20,
                                    .max_artifact = 1 << 20};
    upstream_cache_init(&ucfg);
    fetcher_config_t fcfg = {.timeout_ms = 60000, .connect_timeout_ms = 10000};
    CHECK_INT_EQ(fetcher_start(&fcfg), 0);
    int64_t now = time_now_ms();
    up_add("/fresh-old", 0, packument("fresh-old", "1.0.0", now - 100 * DAY, SHA_A, SHA1_HEX));
    up_add("/fresh-young", 0, packument("fresh-young", "1.0.0", now - 600 * 1000, SHA_B, SHA1_HEX));
    up_add("/slow-pkg", 1, strdup("{}"));
    CHECK_INT_EQ(pthread_create(&g_up.thread, NULL, up_main, NULL), 0);
    seed_t seeds[] = {{"alpha", "1.0.0", now - 100 * DAY, NULL},
                      {"alpha", "1.1.0", now - 3600 * 1000, NULL},
                      {"beta", "2.0.0", now - 100 * DAY, NULL},
                      {"sig-good", "1.0.0", now - 100 * DAY, SHA_A},
                      {"sig-forged", "1.0.0", now - 100 * DAY, SHA_A},
                      {"sig-sha1", "1.0.0", now - 100 * DAY, "sha1:" SHA1_HEX},
                      {NULL, NULL, 0, NULL}};
    CHECK_INT_EQ(store_write(put_versions, seeds, err, sizeof(err)), STORE_OK);
    RUN(lockfile_lifecycle);
    RUN(block_after_accept);
    RUN(forged_integrity);
    RUN(fetches_unseen);
    RUN(dead_upstream);
    RUN(deadline);
    RUN(five_thousand_entries);
    atomic_store(&g_up.stop, 1);
    pthread_join(g_up.thread, NULL);
    close(g_up.fd);
    for (size_t i = 0; i < g_up.ndocs; i++)
        free(g_up.docs[i].body);
    if (g_doc)
        yajl_tree_free(g_doc);
    fetcher_stop();
    approvals_unload();
    store_close();
    config_free(&g_cfg);
    config_free(&g_cfg_live);
    config_free(&g_cfg_slow);
    char cmd[100];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_report();
}
