/* admin_api: the route table, authentication and the calls (see
 * admin_api.h). Every call is one row of ROUTES (method, path pattern, the
 * role it needs, the body it takes, its handler); admin_api_handle matches
 * the path, answers 405 for a verb no row of that path takes, checks the
 * token and reads the JSON body in one place, and hands the handler what it
 * needs: the caller, the path's captures, the parsed body.
 *
 * Writes (approvals, blocks, review requests) commit to LMDB with their
 * audit record before the answer is sent: a 201 means durable. They run on
 * the event loop; a write transaction is a few milliseconds and people make
 * these requests. Lockfile checks, which can take seconds, run on threads
 * of their own. */
#include "admin/admin_api.h"

#include <ctype.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "store/store.h"
#include "common/json.h"
#include "common/pct.h"
#include "common/timeutil.h"
#include "common/workpool.h"
#include "common/xalloc.h"
#include "common/units.h"
#include "core/ecosystem.h"
#include "policy/approvals.h"
#include "review/approvals_store.h"
#include "journal/audit.h"
#include "review/changes.h"
#include "review/closure.h"
#include "review/held.h"
#include "review/lockfiles.h"
#include "admin/review_filing.h"
#include "admin/target.h"
#include "admin/views.h"
#include "http/loop.h"
#include "http/http.h"
#include "http/metrics.h"
#include "journal/chain_scan.h"
#include "core/runtime.h"
#include "journal/tokens.h"
#include "intel/osv_feed.h"
#include "intel/takedown.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define SCAN_MAX 200000 /* records looked at per decisions/audit page */
#define TEXT_MAX 2000   /* comments and justifications */

typedef enum {
    NEED_NONE,   /* no token (POST /-/api/reviews: what agents do after a denial) */
    NEED_READ,   /* reviewer, auditor */
    NEED_CI,     /* reviewer, auditor, ci */
    NEED_WRITE,  /* reviewer */
    NEED_SUBMIT, /* reviewer, ci: lockfile submissions */
} need_t;

typedef struct caller {
    role_t role;
    char name[TOKEN_NAME_MAX + 1];
} caller_t;

/* what a handler is given: who asks, what the path captured, the body */
typedef struct call {
    caller_t caller;   /* role ROLE_NONE on a route that needs no token */
    uint64_t id;       /* {id} */
    char project[256]; /* {project}, decoded */
    const char *rest;  /* {rest}, still percent-encoded */
    size_t rlen;
    yajl_val body; /* a route taking JSON: the object, freed after the handler */
    int arg;       /* the route's own argument */
} call_t;

/* ---- small helpers ---- */

/* the decoded value of ?name=…; 1 found, 0 absent, -1 malformed */
static int query_param(h2o_req_t *req, const char *name, char *out, size_t outlen)
{
    if (req->query_at == SIZE_MAX)
        return 0;
    const char *q = req->path.base + req->query_at + 1, *end = req->path.base + req->path.len;
    size_t nl = strlen(name);
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(stop - q));
        const char *kend = eq ? eq : stop;
        if ((size_t)(kend - q) == nl && memcmp(q, name, nl) == 0) {
            const char *v = eq ? eq + 1 : stop;
            return pct_decode(v, (size_t)(stop - v), out, outlen, PCT_PLUS) >= 0 ? 1 : -1;
        }
        q = stop + 1;
    }
    return 0;
}

static void send_buf(h2o_req_t *req, int status, buf_t *b)
{
    if (b->oom) {
        buf_free(b);
        http_send_error(req, 500, NULL, "out of memory");
        return;
    }
    http_send_json(req, status, NULL, b);
}

static void method_not_allowed(h2o_req_t *req, const char *allow)
{
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, allow, strlen(allow), 1);
    http_send_error(req, 405, "method_not_allowed", "%.*s is not allowed here; allowed: %s", (int)req->method.len,
                    req->method.base, allow);
}

/* ---- authentication ---- */

static int may(role_t role, need_t need)
{
    switch (need) {
    case NEED_NONE: return 1;
    case NEED_WRITE: return role == ROLE_REVIEWER;
    case NEED_READ: return role == ROLE_REVIEWER || role == ROLE_AUDITOR;
    case NEED_CI: return role != ROLE_NONE;
    case NEED_SUBMIT: return role == ROLE_REVIEWER || role == ROLE_CI;
    }
    return 0;
}

/* the token of an "Authorization: Bearer TOKEN" value, or NULL */
static const char *bearer_token(const char *auth, size_t len, size_t *tlen)
{
    if (auth == NULL || len <= 7 || strncasecmp(auth, "Bearer ", 7) != 0)
        return NULL;
    const char *tok = auth + 7;
    *tlen = len - 7;
    while (*tlen && *tok == ' ') {
        tok++;
        (*tlen)--;
    }
    while (*tlen && tok[*tlen - 1] == ' ')
        (*tlen)--;
    return *tlen ? tok : NULL;
}

int admin_api_may_submit_lockfiles(const char *auth, size_t len)
{
    size_t tlen = 0;
    const char *tok = bearer_token(auth, len, &tlen);
    char name[TOKEN_NAME_MAX + 1];
    return tok != NULL && may(tokens_authenticate(tok, tlen, name), NEED_SUBMIT);
}

/* 0 with the caller, or -1 after answering 401/403 */
static int authenticate(h2o_req_t *req, need_t need, const char *what, caller_t *c)
{
    h2o_iovec_t auth = http_header(req, H2O_TOKEN_AUTHORIZATION);
    size_t tlen = 0;
    const char *tok = bearer_token(auth.base, auth.len, &tlen);
    c->role = tok ? tokens_authenticate(tok, tlen, c->name) : ROLE_NONE;
    if (c->role == ROLE_NONE) {
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, H2O_STRLIT("Bearer realm=\"cordon\""),
                       1);
        http_send_error(req, 401, "unauthorized",
                        tok ? "the token is not valid (revoked, mistyped, or made for another cordon)"
                            : "this call needs an admin token: send 'Authorization: Bearer TOKEN' (make one with "
                              "'cordon token add NAME --role reviewer')");
        return -1;
    }
    if (!may(c->role, need)) {
        http_send_error(req, 403, "forbidden", "the %s token '%s' may not %s", role_name(c->role), c->name, what);
        return -1;
    }
    return 0;
}

/* ---- JSON bodies ---- */

/* the parsed object, or NULL after answering 400/413 */
static yajl_val read_object(h2o_req_t *req)
{
    if (req->entity.len > ADMIN_JSON_BODY_MAX) {
        http_send_error(req, 413, "too_large", "the request body is %zu bytes; this call takes at most %d",
                        req->entity.len, ADMIN_JSON_BODY_MAX);
        return NULL;
    }
    if (req->entity.base == NULL || req->entity.len == 0) {
        http_send_error(req, 400, "bad_request", "this call needs a JSON object as its body");
        return NULL;
    }
    char *text = h2o_mem_alloc_pool(&req->pool, req->entity.len + 1);
    memcpy(text, req->entity.base, req->entity.len);
    text[req->entity.len] = '\0';
    char err[256];
    yajl_val v = strlen(text) == req->entity.len ? yajl_tree_parse(text, err, sizeof(err)) : NULL;
    if (v == NULL || !YAJL_IS_OBJECT(v)) {
        if (v)
            yajl_tree_free(v);
        http_send_error(req, 400, "bad_request", "the body is not a JSON object");
        return NULL;
    }
    return v;
}

/* field of obj: 1 a string (in *out), 0 absent or null, -1 another type */
static int get_str(yajl_val obj, const char *key, const char **out)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_any);
    *out = NULL;
    if (v == NULL || YAJL_IS_NULL(v))
        return 0;
    if (!YAJL_IS_STRING(v))
        return -1;
    *out = YAJL_GET_STRING(v);
    return 1;
}

/* the target, or -1 after answering 400 (admin/target.h) */
static int check_target(h2o_req_t *req, const char *eco, const char *pkg, int vr, const char *ver, int version_req,
                        target_t *t)
{
    char err[300];
    if (target_check(eco, pkg, vr, ver, version_req, t, err, sizeof(err)) == 0)
        return 0;
    http_send_error(req, 400, "bad_request", "%s", err);
    return -1;
}

/* the target from a JSON body */
static int read_target(h2o_req_t *req, yajl_val body, int version_req, target_t *t)
{
    const char *eco = NULL, *pkg = NULL, *ver = NULL;
    if (get_str(body, "ecosystem", &eco) != 1)
        eco = NULL;
    if (get_str(body, "package", &pkg) != 1)
        pkg = NULL;
    int vr = get_str(body, "version", &ver);
    return check_target(req, eco, pkg, vr, ver, version_req, t);
}

/* the target from the query (?ecosystem=&package=&version=) */
static int query_target(h2o_req_t *req, int version_req, target_t *t)
{
    char eco[32], pkg[512], ver[256];
    int he = query_param(req, "ecosystem", eco, sizeof(eco)), hp = query_param(req, "package", pkg, sizeof(pkg)),
        hv = query_param(req, "version", ver, sizeof(ver));
    if (he < 0 || hp < 0 || hv < 0) {
        http_send_error(req, 400, "bad_request", "a query parameter is too long or badly percent-encoded");
        return -1;
    }
    return check_target(req, he ? eco : NULL, hp ? pkg : NULL, hv, hv ? ver : NULL, version_req, t);
}

/* a mandatory free text (comment, justification); NULL after answering 400 */
static const char *read_text(h2o_req_t *req, yajl_val body, const char *key, const char *why)
{
    const char *s;
    if (get_str(body, key, &s) != 1 || target_blank(s)) {
        http_send_error(req, 400, "bad_request", "'%s' is required: %s", key, why);
        return NULL;
    }
    if (strlen(s) > TEXT_MAX) {
        http_send_error(req, 400, "bad_request", "'%s' is longer than %d bytes", key, TEXT_MAX);
        return NULL;
    }
    return s;
}

/* ---- calls ---- */

static void whoami(h2o_req_t *req, call_t *k)
{
    buf_t b;
    buf_init(&b);
    view_whoami(k->caller.name, role_name(k->caller.role), &b);
    send_buf(req, 200, &b);
}

static void held(h2o_req_t *req, call_t *k)
{
    char eco[16], pkg[512], sort[16];
    int e = -1;
    int he = query_param(req, "ecosystem", eco, sizeof(eco)), hp = query_param(req, "package", pkg, sizeof(pkg)),
        hs = query_param(req, "sort", sort, sizeof(sort));
    if (he < 0 || hp < 0 || hs < 0) {
        http_send_error(req, 400, "bad_request", "malformed query string");
        return;
    }
    if (he == 1 && (e = eco_from_name(eco, strlen(eco))) < 0) {
        char names[100];
        http_send_error(req, 400, "bad_request", "'ecosystem' must be one of %s",
                        eco_names_join(names, sizeof(names), "", ", "));
        return;
    }
    held_sort_t s = HELD_SORT_AGE;
    if (hs == 1) {
        if (!strcmp(sort, "reason"))
            s = HELD_SORT_REASON;
        else if (!strcmp(sort, "requests"))
            s = HELD_SORT_REQUESTS;
        else if (strcmp(sort, "age") != 0) {
            http_send_error(req, 400, "bad_request", "'sort' is one of age, reason, requests");
            return;
        }
    }
    held_queue_t q;
    if (held_list(runtime_config(), time_now_ms(), e, hp == 1 ? pkg : NULL, s, &q) != 0) {
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    buf_t b;
    buf_init(&b);
    view_held_queue(runtime_config(), &q, &b);
    held_queue_free(&q);
    send_buf(req, 200, &b);
}

/* versions/ECO/PKG/VER: the first segment, the last, and what lies between */
static atomic_int g_verdicts; /* verdicts and approval checks worked out or queued */
static workpool_class_t g_verdict_work = {"verdict", -1, 0};

/* one of the ADMIN_VERDICTS_MAX slots (the job gives it back when it ends):
 * 0, or -1 after answering 503 busy */
static int verdict_slot_take(h2o_req_t *req)
{
    if (atomic_fetch_add(&g_verdicts, 1) < ADMIN_VERDICTS_MAX)
        return 0;
    atomic_fetch_sub(&g_verdicts, 1);
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, H2O_STRLIT("2"), 1);
    http_send_error(req, 503, "busy", "%d verdicts are being worked out; try again in a few seconds",
                    ADMIN_VERDICTS_MAX);
    return -1;
}

/* Work that may fetch upstream (verdicts, version views, closures, diffs)
 * runs on the pool, at most ADMIN_VERDICTS_MAX at once, and is answered on
 * the request's loop. A job's work runs on a worker with the job's
 * configuration in use and fills doc (status: 200 unless it says
 * otherwise); rc != 0 is out of memory. */
typedef struct pool_job pool_job_t;
struct pool_job {
    target_t t;
    char request_id[40];
    char arg[2][130]; /* the call's own parameters (closure: platform, python; changes: against) */
    const config_t *cfg;
    loop_reply_t *reply;
    int rc, status;
    buf_t doc;
    void (*work)(pool_job_t *j);
};

static void pool_job_run(void *arg)
{
    pool_job_t *j = arg;
    runtime_use(j->cfg);
    j->work(j);
    runtime_use(NULL);
    runtime_release(j->cfg);
    j->cfg = NULL;
    atomic_fetch_sub(&g_verdicts, 1);
    loop_reply_post(j->reply);
}

/* on the request's loop; req NULL when the client went away */
static void pool_job_answer(h2o_req_t *req, void *arg)
{
    pool_job_t *j = arg;
    if (req != NULL && j->rc == 0 && !j->doc.oom)
        send_buf(req, j->status, &j->doc); /* takes the document */
    else if (req != NULL)
        http_send_error(req, 503, NULL, "out of memory");
    buf_free(&j->doc);
    free(j);
}

/* a job for req (t filled by the caller), or NULL when the pool is busy (answered) */
static pool_job_t *pool_job_new(h2o_req_t *req, void (*work)(pool_job_t *j))
{
    if (verdict_slot_take(req) != 0)
        return NULL;
    pool_job_t *j = xcalloc(1, sizeof(*j));
    j->work = work;
    j->status = 200;
    snprintf(j->request_id, sizeof(j->request_id), "%s", http_request_id(req));
    buf_init(&j->doc);
    return j;
}

static void pool_job_submit(h2o_req_t *req, pool_job_t *j)
{
    j->cfg = runtime_acquire();
    j->reply = loop_reply_new(req, pool_job_answer, j);
    workpool_submit(&g_verdict_work, pool_job_run, j);
}

/* GET /-/api/versions/…: on the pool, like a verdict, so that the page says
 * what GET /-/api/verdict says: the metadata cordon lacks is fetched first
 * (lockfiles_judge_version), then the version is decided from the store */
static void version_work(pool_job_t *j)
{
    lockfile_judged_t v;
    if (lockfiles_judge_version(j->cfg, j->t.eco, j->t.package, j->t.version, &v) == 0)
        lockfile_judged_free(&v); /* only for what it fetched */
    int64_t now = time_now_ms();
    held_version_t hv;
    j->rc = held_version(j->cfg, now, j->t.eco, j->t.package, j->t.version, &hv);
    if (j->rc == 0) {
        review_t *ap = NULL, *bl = NULL;
        size_t nap = 0, nbl = 0;
        if (approvals_list(REVIEW_APPROVAL, 0, (int)j->t.eco, j->t.package, j->t.version, now, &ap, &nap) != 0)
            nap = 0, ap = NULL;
        if (approvals_list(REVIEW_BLOCK, 0, (int)j->t.eco, j->t.package, j->t.version, now, &bl, &nbl) != 0)
            nbl = 0, bl = NULL;
        view_held_version(j->cfg, &hv, ap, nap, bl, nbl, now, &j->doc);
        reviews_free(ap, nap);
        reviews_free(bl, nbl);
        held_queue_free(&hv.q);
    }
}

static void version_view(h2o_req_t *req, call_t *k)
{
    const char *rest = k->rest;
    size_t rlen = k->rlen;
    const char *slash1 = memchr(rest, '/', rlen);
    const char *slash2 = rlen ? rest + rlen : NULL;
    while (slash2 && slash2 > rest && slash2[-1] != '/')
        slash2--;
    char eco[16], pkg[512], ver[130], canon[512];
    if (slash1 == NULL || slash2 == NULL || slash2 - 1 <= slash1 ||
        pct_decode(rest, (size_t)(slash1 - rest), eco, sizeof(eco), 0) < 0 ||
        pct_decode(slash1 + 1, (size_t)(slash2 - 1 - slash1 - 1), pkg, sizeof(pkg), 0) < 0 ||
        pct_decode(slash2, (size_t)(rest + rlen - slash2), ver, sizeof(ver), 0) < 0 || !pkg[0] || !ver[0]) {
        http_send_error(req, 400, "bad_request", "expected /-/api/versions/ECOSYSTEM/PACKAGE/VERSION");
        return;
    }
    int e = eco_from_name(eco, strlen(eco));
    if (e < 0 || ecosystems[e] == NULL) {
        char names[100];
        http_send_error(req, 400, "bad_request", "'%s' is not an ecosystem: one of %s", eco,
                        eco_names_join(names, sizeof(names), "", ", "));
        return;
    }
    if (ecosystems[e]->canonical_name(pkg, canon, sizeof(canon)) != 0) {
        http_send_error(req, 400, "bad_request", "not a valid %s package name", eco);
        return;
    }
    pool_job_t *j = pool_job_new(req, version_work);
    if (j == NULL)
        return;
    j->t.eco = (eco_id_t)e;
    snprintf(j->t.package, sizeof(j->t.package), "%s", canon);
    snprintf(j->t.version, sizeof(j->t.version), "%s", ver);
    pool_job_submit(req, j);
}

/* stores r and writes the 201's document into b: 0, or -1 with err */
static int store_review(review_t *r, int known, buf_t *b, char *err, size_t errlen)
{
    if (approvals_add(r, err, errlen) != 0)
        return -1;
    view_review_made(r, time_now_ms(), known, b);
    return 0;
}

/* An approval whose version cordon's copy does not list is checked with
 * upstream on the pool (lockfiles_judge_version fetches the metadata):
 * refused with 400 not_listed, and the nearest listed versions, when
 * upstream does not publish it; stored with a warning when upstream cannot
 * be asked; stored when it is listed. */
typedef struct approve_job {
    review_t r;
    int with_dependencies; /* approve the held versions its install needs too (closure_resolve) */
    const config_t *cfg;
    loop_reply_t *reply;
    int status; /* the answer's */
    buf_t doc;
} approve_job_t;

static void error_doc(buf_t *doc, const char *msg)
{
    int first = 1;
    buf_reset(doc);
    buf_putc(doc, '{');
    json_kv_str(doc, &first, "error", msg);
    buf_putc(doc, '}');
}

/* on a worker: the version and every held version of its closure an
 * approval admits, approved as one change set (one chain record) */
static void approve_with_dependencies(approve_job_t *j)
{
    closure_t c;
    if (closure_resolve(j->cfg, j->r.eco, j->r.package, j->r.version, NULL, &c) != 0) {
        j->status = 503;
        error_doc(&j->doc, "not stored: the dependency closure could not be worked out (out of memory)");
        return;
    }
    review_t *set = calloc(c.n, sizeof(*set));
    size_t n = 0;
    int64_t now = time_now_ms();
    for (size_t i = 0; set && i < c.n; i++) {
        review_match_t m;
        /* the root always (its approval is what was asked); the rest when an approval would admit them */
        if (i > 0 && !closure_approvable(&c, i))
            continue;
        approvals_match(j->r.eco, c.v[i].package, c.v[i].version, now, &m);
        if (i > 0 && m.kind == REVIEW_APPROVAL)
            continue;
        review_t *r = &set[n++];
        r->kind = REVIEW_APPROVAL;
        r->eco = j->r.eco;
        r->package = strdup(c.v[i].package);
        r->version = strdup(c.v[i].version);
        r->comment = strdup(j->r.comment);
        r->by = strdup(j->r.by);
        r->ended_by = strdup("");
        r->expires_at = j->r.expires_at;
    }
    char note[700], err[300] = "out of memory";
    snprintf(note, sizeof(note), "%s@%s with %zu held dependenc%s", j->r.package, j->r.version, n ? n - 1 : 0,
             n == 2 ? "y" : "ies");
    int ok = set != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = set[i].package && set[i].version && set[i].comment && set[i].by && set[i].ended_by;
    if (!ok || approvals_add_set(set, n, note, err, sizeof(err)) != 0) {
        char msg[340];
        snprintf(msg, sizeof(msg), "not stored: %s", err);
        j->status = 503;
        error_doc(&j->doc, msg);
    } else {
        j->status = 201;
        view_approval_set(note, set, n, &c, now, &j->doc);
    }
    reviews_free(set, n);
    closure_free(&c);
}

static void approve_job_run(void *arg)
{
    approve_job_t *j = arg;
    lockfile_judged_t v;
    runtime_use(j->cfg);
    if (lockfiles_judge_version(j->cfg, j->r.eco, j->r.package, j->r.version, &v) != 0) {
        j->status = 503;
    } else if (v.status == LOCK_HELD && v.reason == REASON_NOT_FOUND) {
        char near[6][HELD_VERSION_MAX];
        size_t n = held_nearest_versions(j->r.eco, j->r.package, j->r.version, near, 6);
        buf_t msg;
        buf_init(&msg);
        buf_printf(&msg, "%s %s has no version %s upstream: nothing to approve", eco_name(j->r.eco), j->r.package,
                   j->r.version);
        for (size_t i = 0; i < n; i++)
            buf_printf(&msg, "%s%s", i ? ", " : "; the nearest listed: ", near[i]);
        if (n == 0)
            buf_puts(&msg, "; check the package name");
        int first = 1;
        buf_putc(&j->doc, '{');
        json_kv_str(&j->doc, &first, "error", buf_cstr(&msg));
        json_kv_str(&j->doc, &first, "reason", "not_listed");
        json_kv_raw(&j->doc, &first, "nearest", "[", 1);
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_putc(&j->doc, ',');
            json_str(&j->doc, near[i], strlen(near[i]));
        }
        buf_puts(&j->doc, "]}");
        buf_free(&msg);
        j->status = 400;
    } else if (j->with_dependencies) {
        approve_with_dependencies(j);
    } else {
        char err[300] = "out of memory";
        j->status = 201;
        if (store_review(&j->r, v.status != LOCK_UNKNOWN, &j->doc, err, sizeof(err)) != 0) {
            char msg[340];
            int first = 1;
            snprintf(msg, sizeof(msg), "not stored: %s", err);
            buf_free(&j->doc);
            buf_putc(&j->doc, '{');
            json_kv_str(&j->doc, &first, "error", msg);
            buf_putc(&j->doc, '}');
            j->status = 503;
        }
    }
    lockfile_judged_free(&v); /* zeroed when the judgement failed */
    runtime_use(NULL);
    runtime_release(j->cfg);
    j->cfg = NULL;
    atomic_fetch_sub(&g_verdicts, 1);
    loop_reply_post(j->reply);
}

static void approve_job_answer(h2o_req_t *req, void *arg)
{
    approve_job_t *j = arg;
    if (req != NULL && j->doc.len == 0)
        http_send_error(req, 503, NULL, "out of memory");
    else if (req != NULL)
        send_buf(req, j->status, &j->doc); /* takes the document */
    buf_free(&j->doc);
    review_free(&j->r);
    free(j);
}

static void approve_check(h2o_req_t *req, review_t *r, int with_dependencies)
{
    if (verdict_slot_take(req) != 0) {
        review_free(r);
        return;
    }
    approve_job_t *j = xcalloc(1, sizeof(*j));
    j->r = *r; /* taken */
    j->with_dependencies = with_dependencies;
    buf_init(&j->doc);
    j->cfg = runtime_acquire();
    j->reply = loop_reply_new(req, approve_job_answer, j);
    workpool_submit(&g_verdict_work, approve_job_run, j);
}

static void add_review(h2o_req_t *req, call_t *k)
{
    review_kind_t kind = (review_kind_t)k->arg;
    yajl_val body = k->body;
    target_t t;
    const char *comment, *exp = NULL;
    int64_t expires_ms = TIME_NONE;
    if (read_target(req, body, kind == REVIEW_APPROVAL, &t) != 0 ||
        (comment = read_text(req, body, "comment",
                             kind == REVIEW_APPROVAL ? "say why this version is safe to install"
                                                     : "say why this is blocked")) == NULL)
        return;
    int with_deps = 0;
    yajl_val wd = yajl_tree_get(body, (const char *[]){"with_dependencies", NULL}, yajl_t_any);
    if (wd && !YAJL_IS_TRUE(wd) && !YAJL_IS_FALSE(wd)) {
        http_send_error(req, 400, "bad_request", "'with_dependencies' must be true or false");
        return;
    }
    if (wd && YAJL_IS_TRUE(wd)) {
        if (kind != REVIEW_APPROVAL) {
            http_send_error(req, 400, "bad_request", "only approvals take 'with_dependencies'");
            return;
        }
        if (ecosystems[t.eco]->closure_deps == NULL) {
            http_send_error(req, 400, "bad_request", "cordon cannot work out %s dependency closures",
                            eco_name(t.eco));
            return;
        }
        with_deps = 1;
    }
    if (kind == REVIEW_APPROVAL) {
        int r = get_str(body, "expires_in", &exp);
        if (r < 0 || (r == 1 && ((expires_ms = units_parse_duration_ms(exp)) <= 0))) {
            http_send_error(req, 400, "bad_request",
                            "'expires_in' must be a positive duration such as \"12h\", \"7d\" or \"2w\"");
            return;
        }
    } else if (yajl_tree_get(body, (const char *[]){"expires_in", NULL}, yajl_t_any) != NULL) {
        http_send_error(req, 400, "bad_request", "blocks do not expire: lift one with DELETE /-/api/blocks/ID");
        return;
    }
    review_t r = {.kind = kind, .eco = t.eco};
    r.package = strdup(t.package);
    r.version = strdup(t.version);
    r.comment = strdup(comment);
    r.by = strdup(k->caller.name);
    r.ended_by = strdup("");
    int64_t now = time_now_ms();
    r.expires_at = expires_ms > 0 ? now + expires_ms : TIME_NONE;
    if (!r.package || !r.version || !r.comment || !r.by || !r.ended_by) {
        review_free(&r);
        http_send_error(req, 503, NULL, "not stored: out of memory");
        return;
    }
    /* an approval of a version cordon's copy does not list: ask upstream
     * first (on the pool, like a verdict), and refuse one it does not publish */
    if (kind == REVIEW_APPROVAL && (with_deps || !held_version_known(t.eco, t.package, t.version))) {
        approve_check(req, &r, with_deps);
        return;
    }
    buf_t b;
    buf_init(&b);
    char err[300] = "out of memory";
    int rc = store_review(&r, 1, &b, err, sizeof(err));
    review_free(&r);
    if (rc != 0) {
        buf_free(&b);
        http_send_error(req, 503, NULL, "not stored: %s", err);
        return;
    }
    send_buf(req, 201, &b);
}

static void end_review(h2o_req_t *req, call_t *k)
{
    review_kind_t kind = (review_kind_t)k->arg;
    uint64_t id = k->id;
    review_t r;
    char err[300];
    const char *what = kind == REVIEW_APPROVAL ? "approval" : "block";
    approvals_end_t rc = approvals_end(id, kind, k->caller.name, &r, err, sizeof(err));
    if (rc == APPROVALS_NOT_FOUND) {
        review_free(&r);
        http_send_error(req, 404, "not_found", "there is no %s %" PRIu64, what, id);
        return;
    }
    if (rc == APPROVALS_ALREADY_ENDED) {
        review_free(&r);
        http_send_error(req, 409, "conflict", "%s %" PRIu64 " was already %s", what, id,
                        kind == REVIEW_APPROVAL ? "revoked" : "lifted");
        return;
    }
    if (rc != APPROVALS_ENDED) {
        review_free(&r);
        http_send_error(req, 503, NULL, "not stored: %s", err);
        return;
    }
    buf_t b;
    buf_init(&b);
    view_review(&r, time_now_ms(), &b);
    review_free(&r);
    send_buf(req, 200, &b);
}

static void list_reviews(h2o_req_t *req, call_t *k)
{
    review_kind_t kind = (review_kind_t)k->arg;
    char active[8];
    int ha = query_param(req, "active", active, sizeof(active));
    int only = ha == 1 && (strcmp(active, "1") == 0 || strcmp(active, "true") == 0);
    int64_t now = time_now_ms();
    review_t *v;
    size_t n;
    if (approvals_list(kind, only, -1, NULL, NULL, now, &v, &n) != 0) {
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    buf_t b;
    buf_init(&b);
    view_review_list(kind == REVIEW_APPROVAL ? "approvals" : "blocks", v, n, now, &b);
    reviews_free(v, n);
    send_buf(req, 200, &b);
}

/* ---- the chain: decisions and audit ---- */

typedef struct chain_query {
    chain_filter_t f;
    char type[32], eco[16], package[512], version[130], decision[16], request_id[64];
} chain_query_t;

/* the page a query string asks for; 0, or -1 after answering 400 */
static int chain_query(h2o_req_t *req, int only_decisions, chain_query_t *q)
{
    memset(q, 0, sizeof(*q));
    q->f = (chain_filter_t){.only_decisions = only_decisions,
                            .type = q->type,
                            .ecosystem = q->eco,
                            .package = q->package,
                            .version = q->version,
                            .decision = q->decision,
                            .request_id = q->request_id,
                            .since = TIME_NONE,
                            .limit = PAGE_DEFAULT,
                            .scan_max = SCAN_MAX};
    char since[64], before[32], limit[32];
    int bad = query_param(req, "ecosystem", q->eco, sizeof(q->eco)) < 0 ||
              query_param(req, "package", q->package, sizeof(q->package)) < 0 ||
              query_param(req, "version", q->version, sizeof(q->version)) < 0 ||
              query_param(req, "decision", q->decision, sizeof(q->decision)) < 0 ||
              query_param(req, "type", q->type, sizeof(q->type)) < 0 ||
              query_param(req, "request_id", q->request_id, sizeof(q->request_id)) < 0;
    int hs = query_param(req, "since", since, sizeof(since)), hb = query_param(req, "before", before, sizeof(before)),
        hl = query_param(req, "limit", limit, sizeof(limit));
    if (bad || hs < 0 || hb < 0 || hl < 0) {
        http_send_error(req, 400, "bad_request", "malformed query string");
        return -1;
    }
    if (hs == 1 && (q->f.since = time_parse_iso8601(since, strlen(since))) == TIME_NONE) {
        http_send_error(req, 400, "bad_request", "'since' must be an ISO 8601 time such as 2026-11-23T10:00:00Z");
        return -1;
    }
    char *end;
    if (hb == 1) {
        q->f.before = strtoull(before, &end, 10);
        if (*end || !before[0]) {
            http_send_error(req, 400, "bad_request", "'before' must be a sequence number");
            return -1;
        }
    }
    if (hl == 1) {
        q->f.limit = strtol(limit, &end, 10);
        if (*end || q->f.limit < 1 || q->f.limit > PAGE_MAX) {
            http_send_error(req, 400, "bad_request", "'limit' must be a number from 1 to %d", PAGE_MAX);
            return -1;
        }
    }
    return 0;
}

static void chain_record(void *arg, long i, const char *rec, size_t len) { view_chain_record(arg, i, rec, len); }

/* GET decisions (arg 1) and audit (arg 0): a page of the chain, newest first */
static void chain_page(h2o_req_t *req, call_t *k)
{
    chain_query_t q;
    if (chain_query(req, k->arg, &q) != 0)
        return;
    buf_t b;
    buf_init(&b);
    view_chain_open(k->arg ? "decisions" : "records", &b);
    chain_page_t page;
    if (chain_scan(&q.f, chain_record, &b, &page) != 0) {
        buf_free(&b);
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    view_chain_close(&page, &b);
    send_buf(req, 200, &b);
}

/* GET /-/api/intel: the OSV feed in force (intel/osv_feed.h) */
static void intel_status(h2o_req_t *req, call_t *k)
{
    (void)k;
    buf_t b;
    buf_init(&b);
    osv_feed_status_json(&b);
    if (b.len && b.data[b.len - 1] == '}') { /* and what upstream took down */
        b.len--;
        takedown_status_json(&b);
        buf_putc(&b, '}');
    }
    send_buf(req, 200, &b);
}

static void audit_verify_call(h2o_req_t *req, call_t *k)
{
    char head[120];
    int hh = query_param(req, "head", head, sizeof(head));
    uint64_t aseq;
    char ahash[65];
    if (hh < 0 || (hh == 1 && audit_anchor_parse(head, &aseq, ahash) != 0)) {
        http_send_error(req, 400, "bad_request",
                        "'head' must be SEQ:HASH as the server log's \"audit head\" line gives it");
        return;
    }
    audit_report_t *r = malloc(sizeof(*r));
    if (r == NULL || audit_verify_anchored(hh == 1 ? head : NULL, r) != 0) {
        free(r);
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    buf_t b;
    buf_init(&b);
    audit_report_json(r, &b);
    free(r);
    send_buf(req, 200, &b);
}

/* ---- review requests: no token ---- */

static void add_review_request(h2o_req_t *req, call_t *k)
{
    yajl_val body = k->body;
    target_t t;
    const char *why;
    if (read_target(req, body, 1, &t) != 0 ||
        (why = read_text(req, body, "justification", "say why you need this version")) == NULL)
        return;
    char client[64], ua[200], err[400];
    http_client_addr(req, client, sizeof(client));
    http_user_agent(req, ua, sizeof(ua));
    int wait;
    buf_t b;
    buf_init(&b);
    switch (review_filing_add(&t, why, client, ua, &b, &wait, err, sizeof(err))) {
    case FILING_STORED:
        send_buf(req, 201, &b);
        return;
    case FILING_RATE_LIMITED: {
        char ra[16];
        snprintf(ra, sizeof(ra), "%d", wait);
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, h2o_strdup(&req->pool, ra, SIZE_MAX).base,
                       strlen(ra), 1);
        http_send_error(req, 429, "rate_limited", "%s", err);
        break;
    }
    case FILING_NOT_STORED:
        http_send_error(req, 503, NULL, "%s", err);
        break;
    }
    buf_free(&b);
}

/* GET /-/api/reviews/ID (no token): where one request stands, for the one
 * who filed it (ids are sequential: the client's address and user agent
 * are left out) */
static void review_request_view(h2o_req_t *req, call_t *k)
{
    held_request_t q;
    if (review_request_get(k->id, &q) != 0) {
        http_send_error(req, 404, "not_found", "no review request %llu", (unsigned long long)k->id);
        return;
    }
    review_request_status_t st;
    review_request_status(&q, time_now_ms(), &st);
    buf_t b;
    buf_init(&b);
    view_review_request(&q, &st, 0, runtime_config()->public_url, &b);
    held_request_free(&q);
    send_buf(req, 200, &b);
}

static void list_review_requests(h2o_req_t *req, call_t *k)
{
    held_request_t *v;
    size_t n;
    if (review_requests_list(&v, &n) != 0) {
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    buf_t b;
    buf_init(&b);
    view_review_requests(v, n, time_now_ms(), &b);
    held_requests_free(v, n);
    send_buf(req, 200, &b);
}

/* ---- lockfiles ---- */

/* "P", "P/ID" or "P/ID/approve" (P may contain '/', percent-encoded or not) */
static int lockfile_path(const char *rest, size_t rlen, char *project, size_t plen, uint64_t *id, int *approve)
{
    *id = 0;
    *approve = 0;
    size_t end = rlen;
    if (end > 8 && memcmp(rest + end - 8, "/approve", 8) == 0) {
        *approve = 1;
        end -= 8;
    }
    size_t d = end;
    while (d > 0 && isdigit((unsigned char)rest[d - 1]))
        d--;
    if (d < end && d > 0 && rest[d - 1] == '/' && end - d <= 19) {
        for (size_t i = d; i < end; i++)
            *id = *id * 10 + (uint64_t)(rest[i] - '0');
        end = d - 1;
    } else if (*approve) {
        return -1;
    }
    return pct_decode(rest, end, project, plen, 0) >= 0 && lockfiles_project_valid(project) ? 0 : -1;
}

/* A lockfile check runs on the worker pool (a 50 MB lockfile takes seconds
 * to parse and judge, and the check waits for upstream metadata: the event
 * loop must not wait) and hands its report back to the request's loop with
 * loop_reply_post. At most ADMIN_LOCKFILE_CHECKS_MAX run or wait at once;
 * more get 503 busy. */
typedef struct lock_job {
    char project[256], ref[200], by[TOKEN_NAME_MAX + 1], client[64];
    lock_format_t format;
    char *body; /* a copy: the request may go away while the check runs */
    size_t len;
    const config_t *cfg; /* held for the check (core/runtime.h) */
    loop_reply_t *reply;
    lockfiles_result_t rc; /* what the check came to: LOCKFILES_OK with report, else err */
    buf_t report;
    char err[480];
} lock_job_t;

static atomic_int g_lock_checks;
/* all workers but one, at most the admitted: a thread stays for analyses */
static workpool_class_t g_lock_work = {"lockfile check", -1, 0};

/* on a worker */
static void lock_job_run(void *arg)
{
    lock_job_t *j = arg;
    lockfile_submit_t sub = {.project = j->project,
                             .ref = j->ref,
                             .format = j->format,
                             .body = j->body,
                             .len = j->len,
                             .by = j->by,
                             .client = j->client};
    runtime_use(j->cfg);
    j->rc = lockfiles_check(j->cfg, &sub, view_lockfile_report, &j->report, j->err, sizeof(j->err));
    runtime_use(NULL);
    runtime_release(j->cfg);
    j->cfg = NULL;
    free(j->body);
    j->body = NULL;
    if (j->rc == LOCKFILES_OK && j->report.oom) {
        j->rc = LOCKFILES_STORE_ERROR; /* not stored whole: 503 like a store error */
        snprintf(j->err, sizeof(j->err), "out of memory");
    }
    atomic_fetch_sub(&g_lock_checks, 1);
    loop_reply_post(j->reply);
}

/* on the request's loop; req NULL when the client went away */
static void lock_job_answer(h2o_req_t *req, void *arg)
{
    lock_job_t *j = arg;
    if (req != NULL && j->rc == LOCKFILES_OK) {
        send_buf(req, 200, &j->report); /* takes the report */
    } else {
        if (req != NULL && j->rc == LOCKFILES_UNREADABLE)
            http_send_error(req, 400, "bad_lockfile", "%s", j->err);
        else if (req != NULL)
            http_send_error(req, 503, NULL, "%s", j->err[0] ? j->err : "the lockfile check failed");
        buf_free(&j->report);
    }
    free(j);
}

static void lockfile_submit(h2o_req_t *req, call_t *k)
{
    char format[16] = "auto";
    lock_job_t *j = xcalloc(1, sizeof(*j));
    int hr = query_param(req, "ref", j->ref, sizeof(j->ref)), hf = query_param(req, "format", format, sizeof(format));
    int f = hf == 1 ? lock_format_from_name(format) : LOCK_AUTO;
    if (hr < 0 || hf < 0 || f < 0) {
        free(j);
        char names[200];
        lock_format_names(names, sizeof(names), ", ");
        http_send_error(req, 400, "bad_request", "'format' is one of %s", names);
        return;
    }
    if (req->entity.base == NULL || req->entity.len == 0) {
        free(j);
        http_send_error(req, 400, "bad_request", "send the lockfile as the request body");
        return;
    }
    if (atomic_fetch_add(&g_lock_checks, 1) >= ADMIN_LOCKFILE_CHECKS_MAX) {
        atomic_fetch_sub(&g_lock_checks, 1);
        free(j);
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, H2O_STRLIT("5"), 1);
        http_send_error(req, 503, "busy", "%d lockfile checks are running; try again in a few seconds",
                        ADMIN_LOCKFILE_CHECKS_MAX);
        return;
    }
    /* the body is as large as the client made it (limits.max_body): checked */
    j->body = malloc(req->entity.len);
    if (j->body == NULL) {
        atomic_fetch_sub(&g_lock_checks, 1);
        free(j);
        http_send_error(req, 503, NULL, "out of memory");
        return;
    }
    snprintf(j->project, sizeof(j->project), "%s", k->project);
    snprintf(j->by, sizeof(j->by), "%s", k->caller.name);
    http_client_addr(req, j->client, sizeof(j->client));
    j->format = (lock_format_t)f;
    j->len = req->entity.len;
    memcpy(j->body, req->entity.base, j->len);
    buf_init(&j->report);
    j->cfg = runtime_acquire();
    j->reply = loop_reply_new(req, lock_job_answer, j);
    workpool_submit(&g_lock_work, lock_job_run, j);
}

/* GET /-/api/verdict: anyone may ask (no token), so the judgement runs
 * like a lockfile check of one entry, on the pool: it may fetch upstream
 * metadata. At most ADMIN_VERDICTS_MAX at once; more get 503 busy. */
static void verdict_work(pool_job_t *j)
{
    lockfile_judged_t v;
    j->rc = lockfiles_judge_version(j->cfg, j->t.eco, j->t.package, j->t.version, &v);
    if (j->rc == 0) {
        view_verdict(j->cfg->public_url, j->t.eco, j->t.package, j->t.version, &v, j->request_id, &j->doc);
        lockfile_judged_free(&v);
    }
}

static void verdict_call(h2o_req_t *req, call_t *k)
{
    (void)k;
    target_t t;
    if (query_target(req, 1, &t) != 0)
        return;
    pool_job_t *j = pool_job_new(req, verdict_work);
    if (j == NULL)
        return;
    j->t = t;
    pool_job_submit(req, j);
}

/* GET /-/api/closure: on the pool like a verdict (it may fetch upstream
 * metadata); ?platform= and ?python= state the PyPI target (arg[0], arg[1]) */
static void closure_work(pool_job_t *j)
{
    closure_t c;
    closure_target_t target = {j->arg[0], j->arg[1]};
    j->rc = closure_resolve(j->cfg, j->t.eco, j->t.package, j->t.version, &target, &c);
    if (j->rc == 0) {
        view_closure(j->cfg, &c, &j->doc);
        closure_free(&c);
    }
}

static int python_version_valid(const char *s)
{
    size_t i = 0, dots = 0;
    for (; s[i]; i++) {
        if (s[i] == '.')
            dots++;
        else if (!isdigit((unsigned char)s[i]))
            return 0;
    }
    return i > 0 && i < 8 && dots == 1 && s[0] != '.' && s[i - 1] != '.';
}

static void closure_call(h2o_req_t *req, call_t *k)
{
    (void)k;
    target_t t;
    char platform[16], python[16];
    if (query_target(req, 1, &t) != 0)
        return;
    int hp = query_param(req, "platform", platform, sizeof(platform)),
        hy = query_param(req, "python", python, sizeof(python));
    if (hp <= 0)
        snprintf(platform, sizeof(platform), "linux");
    if (hy <= 0)
        snprintf(python, sizeof(python), "3.11");
    if (strcmp(platform, "linux") && strcmp(platform, "macos") && strcmp(platform, "windows")) {
        http_send_error(req, 400, "bad_request", "'platform' is one of linux, macos, windows");
        return;
    }
    if (!python_version_valid(python)) {
        http_send_error(req, 400, "bad_request", "'python' is a version such as 3.11");
        return;
    }
    if (ecosystems[t.eco]->closure_deps == NULL) {
        http_send_error(req, 400, "bad_request", "cordon cannot work out %s dependency closures", eco_name(t.eco));
        return;
    }
    pool_job_t *j = pool_job_new(req, closure_work);
    if (j == NULL)
        return;
    j->t = t;
    snprintf(j->arg[0], sizeof(j->arg[0]), "%s", platform);
    snprintf(j->arg[1], sizeof(j->arg[1]), "%s", python);
    pool_job_submit(req, j);
}

/* GET /-/api/changes: what the version changes against the one before it
 * (review/changes.h); ?against= names the version to compare with (arg[0]).
 * On the pool: it may fetch both artifacts. */
static void changes_work(pool_job_t *j)
{
    j->rc = changes_view(j->cfg, j->t.eco, j->t.package, j->t.version, j->arg[0][0] ? j->arg[0] : NULL, &j->doc,
                         &j->status);
}

static void changes_call(h2o_req_t *req, call_t *k)
{
    (void)k;
    target_t t;
    char against[130];
    if (query_target(req, 1, &t) != 0)
        return;
    int ha = query_param(req, "against", against, sizeof(against));
    if (ha < 0 || (ha > 0 && target_blank(against))) {
        http_send_error(req, 400, "bad_request", "'against' is a version of the same package");
        return;
    }
    pool_job_t *j = pool_job_new(req, changes_work);
    if (j == NULL)
        return;
    j->t = t;
    if (ha > 0)
        snprintf(j->arg[0], sizeof(j->arg[0]), "%s", against);
    pool_job_submit(req, j);
}

static void lockfile_approve(h2o_req_t *req, call_t *k)
{
    const char *project = k->project;
    uint64_t id = k->id;
    yajl_val body = k->body;
    const char *comment = read_text(req, body, "comment", "say why this change set is safe"), *exp = NULL;
    int64_t expires_ms = TIME_NONE;
    int r = comment ? get_str(body, "expires_in", &exp) : 0;
    if (comment && (r < 0 || (r == 1 && (expires_ms = units_parse_duration_ms(exp)) <= 0))) {
        http_send_error(req, 400, "bad_request", "'expires_in' must be a positive duration such as \"7d\"");
        comment = NULL;
    }
    if (comment == NULL)
        return;
    char err[800];
    review_t *made;
    size_t n;
    lockfiles_result_t rc = lockfiles_approve(runtime_config(), project, id, comment, expires_ms, k->caller.name,
                                              &made, &n, err, sizeof(err));
    if (rc == LOCKFILES_NOT_FOUND) {
        http_send_error(req, 404, "not_found", "project %s has no submission %" PRIu64, project, id);
    } else if (rc == LOCKFILES_NOT_APPROVABLE) {
        http_send_error(req, 409, "not_approvable", "%s", err);
    } else if (rc != LOCKFILES_OK) {
        http_send_error(req, 503, NULL, "not stored: %s", err);
    } else {
        buf_t b;
        buf_init(&b);
        view_lockfile_approved(made, n, id, time_now_ms(), &b);
        reviews_free(made, n);
        send_buf(req, 200, &b);
    }
}

static void lockfile_report(h2o_req_t *req, call_t *k)
{
    char *report;
    lockfiles_result_t rc = lockfiles_report(k->project, k->id, &report);
    if (rc == LOCKFILES_NOT_FOUND) {
        http_send_error(req, 404, "not_found", "project %s has no submission %" PRIu64, k->project, k->id);
        return;
    }
    if (rc != LOCKFILES_OK) {
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    buf_t b;
    buf_init(&b);
    buf_puts(&b, report);
    free(report);
    send_buf(req, 200, &b);
}

static void lockfile_history(h2o_req_t *req, call_t *k)
{
    lockfile_history_t h;
    lockfiles_result_t rc = lockfiles_history(k->project, &h);
    if (rc == LOCKFILES_NOT_FOUND) {
        http_send_error(req, 404, "not_found", "no lockfile was submitted for project %s", k->project);
        return;
    }
    if (rc != LOCKFILES_OK) {
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    buf_t b;
    buf_init(&b);
    view_lockfile_history(k->project, &h, &b);
    lockfile_history_free(&h);
    send_buf(req, 200, &b);
}

static void lockfile_projects(h2o_req_t *req, call_t *k)
{
    lockfile_project_t *v;
    size_t n;
    if (lockfiles_projects(&v, &n) != LOCKFILES_OK) {
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    buf_t b;
    buf_init(&b);
    view_lockfile_projects(v, n, &b);
    lockfile_projects_free(v, n);
    send_buf(req, 200, &b);
}

/* ---- the route table ---- */

typedef enum {
    TAKES_NOTHING,   /* a body, if any, is not read */
    TAKES_JSON,      /* a JSON object of at most ADMIN_JSON_BODY_MAX: 400/413 before the handler */
    TAKES_JSON_ONLY, /* the same, and only as Content-Type: application/json (415): for a call no
                        token guards, since a web page cannot send that type from a visitor's
                        browser without a CORS preflight cordon never grants (a form or a no-cors
                        fetch can send text/plain, form and multipart) */
    TAKES_LOCKFILE,  /* the raw body, up to limits.max_body (the connection guard let it in) */
} takes_t;

typedef struct route {
    const char *method; /* "GET" answers HEAD too */
    /* after /-/api/: literal bytes and captures —
     *   {id}      a record id: 1 to 19 digits, not 0, a whole segment;
     *   {rest}    the rest of the path, one byte at least, still percent-encoded;
     *   {project} the rest of the path, read from its end as lockfile_path
     *             does (PROJECT, PROJECT/ID or PROJECT/ID/approve): the row's
     *             pattern after {project} must be that shape's. A rest that is
     *             none of them is a 400, whatever the verb. */
    const char *path;
    need_t need;
    const char *what; /* the 403: "the ci token 'x' may not <what>" */
    takes_t takes;
    void (*handle)(h2o_req_t *req, call_t *k);
    int arg;
} route_t;

/* The order of the rows of one path is the order of its Allow header. */
static const route_t ROUTES[] = {
    {"GET", "whoami", NEED_CI, "ask who it is", TAKES_NOTHING, whoami, 0},
    {"GET", "held", NEED_CI, "read the held queue", TAKES_NOTHING, held, 0},
    {"GET", "versions/{rest}", NEED_CI, "read verdicts", TAKES_NOTHING, version_view, 0},
    {"GET", "verdict", NEED_NONE, NULL, TAKES_NOTHING, verdict_call, 0},
    {"GET", "closure", NEED_CI, "read dependency closures", TAKES_NOTHING, closure_call, 0},
    {"GET", "changes", NEED_CI, "read what versions change", TAKES_NOTHING, changes_call, 0},
    {"GET", "reviews", NEED_READ, "read review requests", TAKES_NOTHING, list_review_requests, 0},
    {"POST", "reviews", NEED_NONE, NULL, TAKES_JSON_ONLY, add_review_request, 0},
    {"GET", "reviews/{id}", NEED_NONE, NULL, TAKES_NOTHING, review_request_view, 0},
    {"GET", "approvals", NEED_READ, "list approvals", TAKES_NOTHING, list_reviews, REVIEW_APPROVAL},
    {"POST", "approvals", NEED_WRITE, "approve versions", TAKES_JSON, add_review, REVIEW_APPROVAL},
    {"DELETE", "approvals/{id}", NEED_WRITE, "revoke approvals", TAKES_NOTHING, end_review, REVIEW_APPROVAL},
    {"GET", "blocks", NEED_READ, "list blocks", TAKES_NOTHING, list_reviews, REVIEW_BLOCK},
    {"POST", "blocks", NEED_WRITE, "block packages", TAKES_JSON, add_review, REVIEW_BLOCK},
    {"DELETE", "blocks/{id}", NEED_WRITE, "lift blocks", TAKES_NOTHING, end_review, REVIEW_BLOCK},
    {"GET", "lockfiles", NEED_CI, "read lockfile checks", TAKES_NOTHING, lockfile_projects, 0},
    {"GET", "lockfiles/{project}", NEED_CI, "read lockfile checks", TAKES_NOTHING, lockfile_history, 0},
    {"POST", "lockfiles/{project}", NEED_SUBMIT, "submit lockfiles", TAKES_LOCKFILE, lockfile_submit, 0},
    {"GET", "lockfiles/{project}/{id}", NEED_CI, "read lockfile checks", TAKES_NOTHING, lockfile_report, 0},
    {"POST", "lockfiles/{project}/{id}/approve", NEED_WRITE, "approve lockfile change sets", TAKES_JSON,
     lockfile_approve, 0},
    {"GET", "decisions", NEED_CI, "read decisions", TAKES_NOTHING, chain_page, 1},
    {"GET", "audit", NEED_READ, "read the audit chain", TAKES_NOTHING, chain_page, 0},
    {"GET", "audit/verify", NEED_READ, "verify the audit chain", TAKES_NOTHING, audit_verify_call, 0},
    {"GET", "intel", NEED_READ, "read the threat intelligence status", TAKES_NOTHING, intel_status, 0},
};

typedef enum { NO_MATCH, MATCH, BAD_PROJECT } match_t;

/* {id} at path[*i]: a whole segment of 1-19 digits, not 0 */
static int match_id(const char *path, size_t plen, size_t *i, uint64_t *id)
{
    size_t j = *i;
    uint64_t v = 0;
    while (j < plen && isdigit((unsigned char)path[j]) && j - *i < 20)
        v = v * 10 + (uint64_t)(path[j++] - '0');
    if (j == *i || j - *i > 19 || v == 0 || (j < plen && path[j] != '/'))
        return 0;
    *i = j;
    *id = v;
    return 1;
}

/* {project} and what follows it in the pattern, against the rest of the path */
static match_t match_project(const char *pat, const char *rest, size_t rlen, call_t *k)
{
    int approve;
    if (rlen == 0)
        return NO_MATCH;
    if (lockfile_path(rest, rlen, k->project, sizeof(k->project), &k->id, &approve) != 0)
        return BAD_PROJECT;
    const char *shape = approve ? "/{id}/approve" : k->id ? "/{id}" : "";
    return strcmp(pat, shape) == 0 ? MATCH : NO_MATCH;
}

static match_t match(const char *pat, const char *path, size_t plen, call_t *k)
{
    size_t i = 0;
    while (*pat) {
        if (*pat != '{') {
            if (i >= plen || path[i] != *pat)
                return NO_MATCH;
            pat++;
            i++;
        } else if (strncmp(pat, "{id}", 4) == 0) {
            if (!match_id(path, plen, &i, &k->id))
                return NO_MATCH;
            pat += 4;
        } else if (strncmp(pat, "{rest}", 6) == 0) {
            if (i >= plen)
                return NO_MATCH;
            k->rest = path + i;
            k->rlen = plen - i;
            i = plen;
            pat += 6;
        } else { /* {project} */
            return match_project(pat + 9, path + i, plen - i, k);
        }
    }
    return i == plen ? MATCH : NO_MATCH;
}

/* whether a request's method (m, mlen) is one a row of that method takes */
static int method_takes(const char *m, size_t mlen, const char *method)
{
    return h2o_memis(m, mlen, method, strlen(method)) ||
           (strcmp(method, "GET") == 0 && h2o_memis(m, mlen, H2O_STRLIT("HEAD")));
}

body_route_t admin_api_body_route(const char *method, size_t mlen, const char *path, size_t plen)
{
    for (size_t i = 0; i < sizeof(ROUTES) / sizeof(ROUTES[0]); i++) {
        call_t k;
        memset(&k, 0, sizeof(k));
        if (method_takes(method, mlen, ROUTES[i].method) && match(ROUTES[i].path, path, plen, &k) == MATCH)
            return ROUTES[i].takes == TAKES_LOCKFILE ? BODY_ROUTE_LOCKFILE : BODY_ROUTE_SMALL;
    }
    return BODY_ROUTE_SMALL; /* answered 404, 405 or 400 without reading much */
}

/* 0 with k->body set when the route takes JSON, or -1 after answering 415/413/400 */
static int read_body(h2o_req_t *req, takes_t takes, call_t *k)
{
    if (takes == TAKES_JSON_ONLY) {
        h2o_iovec_t ct = http_header(req, H2O_TOKEN_CONTENT_TYPE);
        if (!http_media_type_is(ct.base, ct.len, "application/json")) {
            http_send_error(req, 415, "unsupported_media_type",
                            "this call takes a JSON object sent with 'Content-Type: application/json' (this one "
                            "came as '%.*s')",
                            (int)(ct.len > 100 ? 100 : ct.len), ct.base ? ct.base : "");
            return -1;
        }
    }
    if (takes == TAKES_JSON || takes == TAKES_JSON_ONLY)
        return (k->body = read_object(req)) != NULL ? 0 : -1;
    return 0;
}

void admin_api_handle(h2o_req_t *req, const char *path, size_t plen)
{
    const route_t *route = NULL;
    call_t k;
    char allow[64] = "";
    for (size_t i = 0; i < sizeof(ROUTES) / sizeof(ROUTES[0]) && route == NULL; i++) {
        memset(&k, 0, sizeof(k));
        match_t m = match(ROUTES[i].path, path, plen, &k);
        if (m == BAD_PROJECT) {
            http_send_error(req, 400, "bad_request",
                            "expected /-/api/lockfiles/PROJECT[/ID[/approve]]; a project name is 1-200 of letters, "
                            "digits and . _ ~ @ / -");
            return;
        }
        if (m != MATCH)
            continue;
        if (method_takes(req->method.base, req->method.len, ROUTES[i].method))
            route = &ROUTES[i];
        else if (strstr(allow, ROUTES[i].method) == NULL)
            snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s", allow[0] ? ", " : "",
                     ROUTES[i].method);
    }
    if (route == NULL) {
        if (allow[0])
            method_not_allowed(req, allow);
        else
            http_send_error(req, 404, "not_found", "no such admin call: see docs/admin-api.md");
        return;
    }
    k.arg = route->arg;
    if (route->need != NEED_NONE && authenticate(req, route->need, route->what, &k.caller) != 0)
        return;
    if (read_body(req, route->takes, &k) != 0)
        return;
    route->handle(req, &k);
    if (k.body)
        yajl_tree_free(k.body);
}

void admin_metrics_handle(h2o_req_t *req, const char *rest, size_t rlen)
{
    buf_t b;
    buf_init(&b);
    metrics_render(runtime_config(), &b);
    if (b.oom) {
        buf_free(&b);
        http_send_error(req, 500, NULL, "out of memory");
        return;
    }
    size_t len = b.len;
    char *copy = h2o_mem_alloc_pool(&req->pool, len ? len : 1);
    memcpy(copy, b.data, len);
    buf_free(&b);
    http_request_id(req);
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("text/plain; version=0.0.4"), 1);
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-store"), 1);
    h2o_send_inline(req, copy, len);
}
