/* admin_api: routing, authentication and the calls (see admin_api.h).
 *
 * Writes (approvals, blocks, review requests) commit to LMDB with their
 * audit record before the answer is sent: a 201 means durable. They run on
 * the event loop; a write transaction is a few milliseconds and people make
 * these requests. Lockfile checks, which can take seconds, run on threads
 * of their own. */
#include "admin/admin_api.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "upstream/flight.h"
#include "store/store.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "common/units.h"
#include "core/ecosystem.h"
#include "policy/approvals.h"
#include "review/approvals_store.h"
#include "journal/audit.h"
#include "review/held.h"
#include "review/lockfiles.h"
#include "http/loop.h"
#include "http/http.h"
#include "http/metrics.h"
#include "core/runtime.h"
#include "journal/tokens.h"
#include "intel/osv_feed.h"
#include "store/record.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define SCAN_MAX 200000 /* records looked at per decisions/audit page */
#define TEXT_MAX 2000   /* comments and justifications */

typedef enum {
    NEED_READ,   /* reviewer, auditor */
    NEED_CI,     /* reviewer, auditor, ci */
    NEED_WRITE,  /* reviewer */
    NEED_SUBMIT, /* reviewer, ci: lockfile submissions */
} need_t;

typedef struct caller {
    role_t role;
    char name[TOKEN_NAME_MAX + 1];
} caller_t;

/* ---- small helpers ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* percent-decodes (and '+' as space when plus) into out; -1 on a bad
 * escape, a NUL byte or overflow */
static int pct_decode(const char *in, size_t n, char *out, size_t outlen, int plus)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int h = hexval((unsigned char)in[i + 1]), l = hexval((unsigned char)in[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = h * 16 + l;
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c == 0 || o + 1 >= outlen)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

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
            return pct_decode(v, (size_t)(stop - v), out, outlen, 1) == 0 ? 1 : -1;
        }
        q = stop + 1;
    }
    return 0;
}

static int method_is(h2o_req_t *req, const char *m)
{
    return h2o_memis(req->method.base, req->method.len, m, strlen(m));
}

static int path_is(const char *path, size_t plen, const char *want)
{
    return plen == strlen(want) && memcmp(path, want, plen) == 0;
}

/* "prefix/<decimal id>" → id, else 0 */
static uint64_t path_id(const char *path, size_t plen, const char *prefix)
{
    size_t l = strlen(prefix);
    if (plen <= l || plen - l > 19 || memcmp(path, prefix, l) != 0)
        return 0;
    uint64_t v = 0;
    for (size_t i = l; i < plen; i++) {
        if (!isdigit((unsigned char)path[i]))
            return 0;
        v = v * 10 + (uint64_t)(path[i] - '0');
    }
    return v;
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

static int blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

typedef struct target {
    eco_id_t eco;
    char package[512];
    char version[130];
} target_t;

/* ecosystem, package (canonicalised) and version from a body; version_req:
 * 1 required, 0 optional. 0 ok, -1 after answering 400. */
static int read_target(h2o_req_t *req, yajl_val body, int version_req, target_t *t)
{
    const char *eco, *pkg, *ver;
    if (get_str(body, "ecosystem", &eco) != 1) {
        http_send_error(req, 400, "bad_request", "'ecosystem' is required: one of npm, pypi, maven");
        return -1;
    }
    int e = eco_from_name(eco, strlen(eco));
    if (e < 0 || ecosystems[e] == NULL) {
        http_send_error(req, 400, "bad_request", "'ecosystem' must be one of npm, pypi, maven (got '%.40s')", eco);
        return -1;
    }
    t->eco = (eco_id_t)e;
    if (get_str(body, "package", &pkg) != 1 || blank(pkg)) {
        http_send_error(req, 400, "bad_request", "'package' is required");
        return -1;
    }
    if (strlen(pkg) >= 400 || has_control(pkg) ||
        ecosystems[e]->canonical_name(pkg, t->package, sizeof(t->package)) != 0) {
        http_send_error(req, 400, "bad_request", "'package' is not a valid %s package name", eco_name(t->eco));
        return -1;
    }
    int vr = get_str(body, "version", &ver);
    if (vr < 0 || (version_req && (vr == 0 || blank(ver)))) {
        http_send_error(req, 400, "bad_request", "'version' is required (a string)");
        return -1;
    }
    t->version[0] = '\0';
    if (vr == 1 && !blank(ver)) {
        if (strlen(ver) >= 128 || has_control(ver) || strchr(ver, '/')) {
            http_send_error(req, 400, "bad_request", "'version' is not a valid version string");
            return -1;
        }
        snprintf(t->version, sizeof(t->version), "%s", ver);
    }
    return 0;
}

/* a mandatory free text (comment, justification); NULL after answering 400 */
static const char *read_text(h2o_req_t *req, yajl_val body, const char *key, const char *why)
{
    const char *s;
    if (get_str(body, key, &s) != 1 || blank(s)) {
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

static void whoami(h2o_req_t *req, const caller_t *c)
{
    buf_t b;
    buf_init(&b);
    int first = 1;
    buf_putc(&b, '{');
    json_kv_str(&b, &first, "name", c->name);
    json_kv_str(&b, &first, "role", role_name(c->role));
    buf_putc(&b, '}');
    send_buf(req, 200, &b);
}

static void held(h2o_req_t *req)
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
        http_send_error(req, 400, "bad_request", "'ecosystem' must be one of npm, pypi, maven");
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
    buf_t b;
    buf_init(&b);
    if (held_list_json(runtime_config(), time_now_ms(), e, hp == 1 ? pkg : NULL, s, &b) != 0) {
        buf_free(&b);
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    send_buf(req, 200, &b);
}

static void reviews_array(buf_t *b, review_kind_t kind, eco_id_t eco, const char *pkg, const char *ver, int64_t now)
{
    review_t *v;
    size_t n;
    buf_putc(b, '[');
    if (approvals_list(kind, 0, (int)eco, pkg, ver, now, &v, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_putc(b, ',');
            review_json(&v[i], now, b);
        }
        reviews_free(v, n);
    }
    buf_putc(b, ']');
}

/* versions/ECO/PKG/VER: the first segment, the last, and what lies between */
static void version_view(h2o_req_t *req, const char *rest, size_t rlen)
{
    const char *slash1 = memchr(rest, '/', rlen);
    const char *slash2 = rlen ? rest + rlen : NULL;
    while (slash2 && slash2 > rest && slash2[-1] != '/')
        slash2--;
    char eco[16], pkg[512], ver[130], canon[512];
    if (slash1 == NULL || slash2 == NULL || slash2 - 1 <= slash1 ||
        pct_decode(rest, (size_t)(slash1 - rest), eco, sizeof(eco), 0) != 0 ||
        pct_decode(slash1 + 1, (size_t)(slash2 - 1 - slash1 - 1), pkg, sizeof(pkg), 0) != 0 ||
        pct_decode(slash2, (size_t)(rest + rlen - slash2), ver, sizeof(ver), 0) != 0 || !pkg[0] || !ver[0]) {
        http_send_error(req, 400, "bad_request", "expected /-/api/versions/ECOSYSTEM/PACKAGE/VERSION");
        return;
    }
    int e = eco_from_name(eco, strlen(eco));
    if (e < 0 || ecosystems[e] == NULL) {
        http_send_error(req, 400, "bad_request", "'%s' is not an ecosystem: one of npm, pypi, maven", eco);
        return;
    }
    if (ecosystems[e]->canonical_name(pkg, canon, sizeof(canon)) != 0) {
        http_send_error(req, 400, "bad_request", "not a valid %s package name", eco);
        return;
    }
    int64_t now = time_now_ms();
    buf_t b;
    buf_init(&b);
    int known;
    held_version_json(runtime_config(), now, (eco_id_t)e, canon, ver, &b, &known);
    buf_puts(&b, ",\"approvals\":");
    reviews_array(&b, REVIEW_APPROVAL, (eco_id_t)e, canon, ver, now);
    buf_puts(&b, ",\"blocks\":");
    reviews_array(&b, REVIEW_BLOCK, (eco_id_t)e, canon, ver, now);
    buf_putc(&b, '}');
    send_buf(req, 200, &b);
}

static void add_review(h2o_req_t *req, const caller_t *c, review_kind_t kind)
{
    yajl_val body = read_object(req);
    if (body == NULL)
        return;
    target_t t;
    const char *comment, *exp = NULL;
    int64_t expires_ms = TIME_NONE;
    if (read_target(req, body, kind == REVIEW_APPROVAL, &t) != 0 ||
        (comment = read_text(req, body, "comment",
                             kind == REVIEW_APPROVAL ? "say why this version is safe to install"
                                                     : "say why this is blocked")) == NULL) {
        yajl_tree_free(body);
        return;
    }
    if (kind == REVIEW_APPROVAL) {
        int r = get_str(body, "expires_in", &exp);
        if (r < 0 || (r == 1 && ((expires_ms = units_parse_duration_ms(exp)) <= 0))) {
            http_send_error(req, 400, "bad_request",
                            "'expires_in' must be a positive duration such as \"12h\", \"7d\" or \"2w\"");
            yajl_tree_free(body);
            return;
        }
    } else if (yajl_tree_get(body, (const char *[]){"expires_in", NULL}, yajl_t_any) != NULL) {
        http_send_error(req, 400, "bad_request", "blocks do not expire: lift one with DELETE /-/api/blocks/ID");
        yajl_tree_free(body);
        return;
    }
    int known = t.version[0] ? held_version_known(t.eco, t.package, t.version) : 1;
    review_t r = {.kind = kind, .eco = t.eco};
    r.package = strdup(t.package);
    r.version = strdup(t.version);
    r.comment = strdup(comment);
    r.by = strdup(c->name);
    r.ended_by = strdup("");
    yajl_tree_free(body);
    int64_t now = time_now_ms();
    r.expires_at = expires_ms > 0 ? now + expires_ms : TIME_NONE;
    char err[300];
    if (!r.package || !r.version || !r.comment || !r.by || !r.ended_by || approvals_add(&r, err, sizeof(err)) != 0) {
        review_free(&r);
        http_send_error(req, 503, NULL, "not stored: %s", r.package ? err : "out of memory");
        return;
    }
    buf_t b;
    buf_init(&b);
    review_json(&r, time_now_ms(), &b);
    if (b.len && b.data[b.len - 1] == '}') {
        b.len--;
        int first = 0;
        if (kind == REVIEW_APPROVAL) {
            json_kv_bool(&b, &first, "known_upstream", known);
            if (!known)
                json_kv_str(&b, &first, "warning",
                            "cordon has not seen this version upstream (yet): the approval is stored and will admit "
                            "it if it appears; check the package name and version");
        }
        buf_putc(&b, '}');
    }
    review_free(&r);
    send_buf(req, 201, &b);
}

static void end_review(h2o_req_t *req, const caller_t *c, review_kind_t kind, uint64_t id)
{
    review_t r;
    char err[300];
    const char *what = kind == REVIEW_APPROVAL ? "approval" : "block";
    int rc = approvals_end(id, kind, c->name, &r, err, sizeof(err));
    if (rc == 404) {
        review_free(&r);
        http_send_error(req, 404, "not_found", "there is no %s %" PRIu64, what, id);
        return;
    }
    if (rc == 409) {
        review_free(&r);
        http_send_error(req, 409, "conflict", "%s %" PRIu64 " was already %s", what, id,
                        kind == REVIEW_APPROVAL ? "revoked" : "lifted");
        return;
    }
    if (rc != 0) {
        review_free(&r);
        http_send_error(req, 503, NULL, "not stored: %s", err);
        return;
    }
    buf_t b;
    buf_init(&b);
    review_json(&r, time_now_ms(), &b);
    review_free(&r);
    send_buf(req, 200, &b);
}

static void list_reviews(h2o_req_t *req, review_kind_t kind)
{
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
    buf_puts(&b, kind == REVIEW_APPROVAL ? "{\"approvals\":[" : "{\"blocks\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        review_json(&v[i], now, &b);
    }
    buf_puts(&b, "]}");
    reviews_free(v, n);
    send_buf(req, 200, &b);
}

/* ---- the chain: decisions and audit ---- */

typedef struct chain_query {
    int only_decisions;
    char type[32], eco[16], package[512], version[130], decision[16];
    int64_t since;
    uint64_t before;
    long limit;
} chain_query_t;

/* a string member of a record, or "" */
static const char *member(yajl_val rec, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(rec, path, yajl_t_string);
    const char *s = v ? YAJL_GET_STRING(v) : NULL;
    return s ? s : "";
}

static int field_is(yajl_val rec, const char *key, const char *want)
{
    return !want[0] || strcmp(member(rec, key), want) == 0;
}

static void chain_page(h2o_req_t *req, int only_decisions)
{
    chain_query_t q;
    memset(&q, 0, sizeof(q));
    q.only_decisions = only_decisions;
    q.since = TIME_NONE;
    q.limit = PAGE_DEFAULT;
    char since[64], before[32], limit[32];
    int bad = query_param(req, "ecosystem", q.eco, sizeof(q.eco)) < 0 ||
              query_param(req, "package", q.package, sizeof(q.package)) < 0 ||
              query_param(req, "version", q.version, sizeof(q.version)) < 0 ||
              query_param(req, "decision", q.decision, sizeof(q.decision)) < 0 ||
              query_param(req, "type", q.type, sizeof(q.type)) < 0;
    int hs = query_param(req, "since", since, sizeof(since)), hb = query_param(req, "before", before, sizeof(before)),
        hl = query_param(req, "limit", limit, sizeof(limit));
    if (bad || hs < 0 || hb < 0 || hl < 0) {
        http_send_error(req, 400, "bad_request", "malformed query string");
        return;
    }
    if (hs == 1 && (q.since = time_parse_iso8601(since, strlen(since))) == TIME_NONE) {
        http_send_error(req, 400, "bad_request", "'since' must be an ISO 8601 time such as 2026-11-23T10:00:00Z");
        return;
    }
    char *end;
    if (hb == 1) {
        q.before = strtoull(before, &end, 10);
        if (*end || !before[0]) {
            http_send_error(req, 400, "bad_request", "'before' must be a sequence number");
            return;
        }
    }
    if (hl == 1) {
        q.limit = strtol(limit, &end, 10);
        if (*end || q.limit < 1 || q.limit > PAGE_MAX) {
            http_send_error(req, 400, "bad_request", "'limit' must be a number from 1 to %d", PAGE_MAX);
            return;
        }
    }
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_read_begin(&txn) != 0) {
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    if (mdb_cursor_open(txn, store_dbi(DB_DECISIONS), &c) != 0) {
        store_read_end(txn);
        http_send_error(req, 503, NULL, "the store cannot be read");
        return;
    }
    buf_t b;
    buf_init(&b);
    buf_puts(&b, only_decisions ? "{\"decisions\":[" : "{\"records\":[");
    MDB_val k, v;
    int rc;
    if (q.before) {
        unsigned char key[8];
        u64_key(q.before, key);
        k.mv_size = 8;
        k.mv_data = key;
        rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
    } else {
        rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    }
    long n = 0, scanned = 0;
    uint64_t last_seq = 0;
    int more = 0;
    char *text = NULL;
    size_t textcap = 0;
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
        uint64_t seq = u64_from_key(k.mv_data, k.mv_size);
        if (n >= q.limit || scanned >= SCAN_MAX) {
            more = 1;
            break;
        }
        scanned++;
        last_seq = seq;
        if (v.mv_size + 1 > textcap) {
            textcap = v.mv_size + 1;
            char *nt = realloc(text, textcap);
            if (nt == NULL)
                break;
            text = nt;
        }
        memcpy(text, v.mv_data, v.mv_size);
        text[v.mv_size] = '\0';
        yajl_val rec = yajl_tree_parse(text, NULL, 0);
        if (rec == NULL)
            continue;
        const char *type = member(rec, "type"), *when = member(rec, "time");
        if (!type[0])
            type = "decision"; /* records from before the chain had other types */
        int64_t t = when[0] ? time_parse_iso8601(when, strlen(when)) : TIME_NONE;
        if (q.since != TIME_NONE && t != TIME_NONE && t < q.since) {
            yajl_tree_free(rec);
            break; /* the chain is in time order: nothing older matches */
        }
        int keep = (!only_decisions || strcmp(type, "decision") == 0) && (!q.type[0] || strcmp(type, q.type) == 0) &&
                   field_is(rec, "ecosystem", q.eco) && field_is(rec, "package", q.package) &&
                   field_is(rec, "version", q.version) && field_is(rec, "decision", q.decision);
        yajl_tree_free(rec);
        if (!keep)
            continue;
        if (n++)
            buf_putc(&b, ',');
        buf_append(&b, v.mv_data, v.mv_size);
    }
    free(text);
    mdb_cursor_close(c);
    store_read_end(txn);
    if (more)
        buf_printf(&b, "],\"next_before\":%" PRIu64 "}", last_seq);
    else
        buf_puts(&b, "],\"next_before\":null}");
    send_buf(req, 200, &b);
}

static void audit_verify_call(h2o_req_t *req)
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

static void add_review_request(h2o_req_t *req)
{
    /* no token guards this call: JSON only, which a web page cannot send
     * from a visitor's browser without a CORS preflight cordon never grants
     * (a form or a no-cors fetch can send text/plain, form and multipart) */
    h2o_iovec_t ct = http_header(req, H2O_TOKEN_CONTENT_TYPE);
    if (!http_media_type_is(ct.base, ct.len, "application/json")) {
        http_send_error(req, 415, "unsupported_media_type",
                        "a review request is a JSON object sent with 'Content-Type: application/json' (this one "
                        "came as '%.*s')",
                        (int)(ct.len > 100 ? 100 : ct.len), ct.base ? ct.base : "");
        return;
    }
    yajl_val body = read_object(req);
    if (body == NULL)
        return;
    target_t t;
    const char *why;
    if (read_target(req, body, 1, &t) != 0 ||
        (why = read_text(req, body, "justification", "say why you need this version")) == NULL) {
        yajl_tree_free(body);
        return;
    }
    char client[64], ua[200];
    http_client_addr(req, client, sizeof(client));
    http_user_agent(req, ua, sizeof(ua));
    int wait = review_rate_check(client, runtime_config()->review_requests_per_hour, time_now_ms());
    if (wait > 0) {
        yajl_tree_free(body);
        char ra[16];
        snprintf(ra, sizeof(ra), "%d", wait);
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, h2o_strdup(&req->pool, ra, SIZE_MAX).base,
                       strlen(ra), 1);
        http_send_error(req, 429, "rate_limited",
                        "too many review requests from %s: at most %d an hour; try again in %d s", client,
                        runtime_config()->review_requests_per_hour, wait);
        return;
    }
    review_request_t rq = {t.eco, t.package, t.version, why, client, ua};
    buf_t b;
    buf_init(&b);
    char err[300];
    int rc = review_request_add(&rq, runtime_config()->public_url, &b, err, sizeof(err));
    yajl_tree_free(body);
    if (rc != 0) {
        buf_free(&b);
        http_send_error(req, 503, NULL, "not stored: %s", err);
        return;
    }
    send_buf(req, 201, &b);
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
    return pct_decode(rest, end, project, plen, 0) == 0 && lockfiles_project_valid(project) ? 0 : -1;
}

/* A lockfile check runs on a thread of its own (a 50 MB lockfile takes
 * seconds to parse and judge; the event loop must not wait) and resumes
 * the request through the flight queue, which hands each loop its results. */
#define LOCKFILE_CHECKS_MAX 4

typedef struct lock_job {
    char key[48];
    char project[256], ref[200], by[TOKEN_NAME_MAX + 1], client[64];
    lock_format_t format;
    char *body; /* a copy: the request may go away while the check runs */
    size_t len;
} lock_job_t;

static atomic_int g_lock_checks;

static void *lock_job_main(void *arg)
{
    lock_job_t *j = arg;
    lockfile_submit_t sub = {.project = j->project,
                             .ref = j->ref,
                             .format = j->format,
                             .body = j->body,
                             .len = j->len,
                             .by = j->by,
                             .client = j->client};
    buf_t b;
    buf_init(&b);
    flight_outcome_t o;
    memset(&o, 0, sizeof(o));
    int rc = lockfiles_check(runtime_config(), &sub, &b, o.error, sizeof(o.error));
    if (rc == 0 && !b.oom) {
        o.upstream_status = 200;
        snprintf(o.content_type, sizeof(o.content_type), "application/json");
        o.body = b.data;
        o.body_len = b.len;
    } else {
        o.status = rc ? rc : 503;
        snprintf(o.reason, sizeof(o.reason), "%s", rc == 400 ? "bad_lockfile" : "");
        if (b.oom)
            snprintf(o.error, sizeof(o.error), "out of memory");
    }
    flight_land(j->key, &o); /* copies the body for the waiting request */
    buf_free(&b);
    free(j->body);
    free(j);
    atomic_fetch_sub(&g_lock_checks, 1);
    return NULL;
}

static void lock_job_resume(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    if (out->status != 0) {
        http_send_error(req, out->status, out->reason[0] ? out->reason : NULL, "%s", out->error);
        return;
    }
    buf_t b;
    buf_init(&b);
    buf_append(&b, out->body ? out->body : "{}", out->body ? out->body_len : 2);
    send_buf(req, 200, &b);
}

static void lockfile_submit(h2o_req_t *req, const caller_t *c, const char *project)
{
    char format[16] = "auto";
    lock_job_t *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        http_send_error(req, 503, NULL, "out of memory");
        return;
    }
    int hr = query_param(req, "ref", j->ref, sizeof(j->ref)), hf = query_param(req, "format", format, sizeof(format));
    int f = hf == 1 ? lock_format_from_name(format) : LOCK_AUTO;
    if (hr < 0 || hf < 0 || f < 0) {
        free(j);
        http_send_error(req, 400, "bad_request", "'format' is one of auto, npm, yarn, pnpm, pip, maven");
        return;
    }
    if (req->entity.base == NULL || req->entity.len == 0) {
        free(j);
        http_send_error(req, 400, "bad_request", "send the lockfile as the request body");
        return;
    }
    if (atomic_fetch_add(&g_lock_checks, 1) >= LOCKFILE_CHECKS_MAX) {
        atomic_fetch_sub(&g_lock_checks, 1);
        free(j);
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, H2O_STRLIT("5"), 1);
        http_send_error(req, 503, "busy", "%d lockfile checks are running; try again in a few seconds",
                        LOCKFILE_CHECKS_MAX);
        return;
    }
    static atomic_uint_fast64_t seq;
    snprintf(j->key, sizeof(j->key), "lockcheck:%llu", (unsigned long long)atomic_fetch_add(&seq, 1));
    snprintf(j->project, sizeof(j->project), "%s", project);
    snprintf(j->by, sizeof(j->by), "%s", c->name);
    http_client_addr(req, j->client, sizeof(j->client));
    j->format = (lock_format_t)f;
    j->len = req->entity.len;
    j->body = malloc(j->len);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (j->body == NULL) {
        http_send_error(req, 503, NULL, "out of memory");
    } else {
        memcpy(j->body, req->entity.base, j->len);
        flight_join(j->key, req, &loop_of(req)->flight_receiver, lock_job_resume, NULL);
        if (pthread_create(&t, &attr, lock_job_main, j) == 0) {
            pthread_attr_destroy(&attr);
            return;
        }
        flight_outcome_t o = {.status = 503, .error = "cannot start the lockfile check"};
        flight_land(j->key, &o);
    }
    pthread_attr_destroy(&attr);
    atomic_fetch_sub(&g_lock_checks, 1);
    free(j->body);
    free(j);
}

static void lockfile_approve(h2o_req_t *req, const caller_t *c, const char *project, uint64_t id)
{
    yajl_val body = read_object(req);
    if (body == NULL)
        return;
    const char *comment = read_text(req, body, "comment", "say why this change set is safe"), *exp = NULL;
    int64_t expires_ms = TIME_NONE;
    int r = comment ? get_str(body, "expires_in", &exp) : 0;
    if (comment && (r < 0 || (r == 1 && (expires_ms = units_parse_duration_ms(exp)) <= 0))) {
        http_send_error(req, 400, "bad_request", "'expires_in' must be a positive duration such as \"7d\"");
        comment = NULL;
    }
    if (comment == NULL) {
        yajl_tree_free(body);
        return;
    }
    buf_t b;
    buf_init(&b);
    char err[800];
    int rc = lockfiles_approve(runtime_config(), project, id, comment, expires_ms, c->name, &b, err, sizeof(err));
    yajl_tree_free(body);
    if (rc == 404) {
        buf_free(&b);
        http_send_error(req, 404, "not_found", "project %s has no submission %" PRIu64, project, id);
    } else if (rc == 409) {
        buf_free(&b);
        http_send_error(req, 409, "not_approvable", "%s", err);
    } else if (rc != 0) {
        buf_free(&b);
        http_send_error(req, 503, NULL, "not stored: %s", err);
    } else {
        send_buf(req, 200, &b);
    }
}

static void lockfiles(h2o_req_t *req, const char *rest, size_t rlen)
{
    char project[256];
    uint64_t id;
    int approve;
    caller_t c;
    if (lockfile_path(rest, rlen, project, sizeof(project), &id, &approve) != 0) {
        http_send_error(req, 400, "bad_request",
                        "expected /-/api/lockfiles/PROJECT[/ID[/approve]]; a project name is 1-200 of letters, "
                        "digits and . _ ~ @ / -");
        return;
    }
    int get = method_is(req, "GET") || method_is(req, "HEAD");
    if (approve) {
        if (!method_is(req, "POST"))
            method_not_allowed(req, "POST");
        else if (authenticate(req, NEED_WRITE, "approve lockfile change sets", &c) == 0)
            lockfile_approve(req, &c, project, id);
        return;
    }
    if (id) {
        if (!get) {
            method_not_allowed(req, "GET");
        } else if (authenticate(req, NEED_CI, "read lockfile checks", &c) == 0) {
            buf_t b;
            buf_init(&b);
            if (lockfiles_report_json(project, id, &b) != 0) {
                buf_free(&b);
                http_send_error(req, 404, "not_found", "project %s has no submission %" PRIu64, project, id);
            } else {
                send_buf(req, 200, &b);
            }
        }
        return;
    }
    if (method_is(req, "POST")) {
        if (authenticate(req, NEED_SUBMIT, "submit lockfiles", &c) == 0)
            lockfile_submit(req, &c, project);
    } else if (get) {
        if (authenticate(req, NEED_CI, "read lockfile checks", &c) == 0) {
            buf_t b;
            buf_init(&b);
            if (lockfiles_history_json(project, &b) != 0) {
                buf_free(&b);
                http_send_error(req, 404, "not_found", "no lockfile was submitted for project %s", project);
            } else {
                send_buf(req, 200, &b);
            }
        }
    } else {
        method_not_allowed(req, "GET, POST");
    }
}

/* ---- dispatch ---- */

void admin_api_handle(h2o_req_t *req, const char *path, size_t plen)
{
    caller_t c;
    int get = method_is(req, "GET") || method_is(req, "HEAD");
    uint64_t id;
    if (path_is(path, plen, "reviews")) {
        if (method_is(req, "POST"))
            add_review_request(req);
        else if (!get)
            method_not_allowed(req, "GET, POST");
        else if (authenticate(req, NEED_READ, "read review requests", &c) == 0) {
            buf_t b;
            buf_init(&b);
            if (review_requests_json(&b) != 0) {
                buf_free(&b);
                http_send_error(req, 503, NULL, "the store cannot be read");
            } else {
                send_buf(req, 200, &b);
            }
        }
        return;
    }
    if (path_is(path, plen, "whoami")) {
        if (!get)
            method_not_allowed(req, "GET");
        else if (authenticate(req, NEED_CI, "ask who it is", &c) == 0)
            whoami(req, &c);
        return;
    }
    if (path_is(path, plen, "held")) {
        if (!get)
            method_not_allowed(req, "GET");
        else if (authenticate(req, NEED_CI, "read the held queue", &c) == 0)
            held(req);
        return;
    }
    if (plen > 9 && memcmp(path, "versions/", 9) == 0) {
        if (!get)
            method_not_allowed(req, "GET");
        else if (authenticate(req, NEED_CI, "read verdicts", &c) == 0)
            version_view(req, path + 9, plen - 9);
        return;
    }
    if (path_is(path, plen, "approvals") || path_is(path, plen, "blocks")) {
        review_kind_t kind = path[0] == 'a' ? REVIEW_APPROVAL : REVIEW_BLOCK;
        if (method_is(req, "POST")) {
            if (authenticate(req, NEED_WRITE, kind == REVIEW_APPROVAL ? "approve versions" : "block packages", &c) ==
                0)
                add_review(req, &c, kind);
        } else if (get) {
            if (authenticate(req, NEED_READ, kind == REVIEW_APPROVAL ? "list approvals" : "list blocks", &c) == 0)
                list_reviews(req, kind);
        } else {
            method_not_allowed(req, "GET, POST");
        }
        return;
    }
    if ((id = path_id(path, plen, "approvals/")) != 0 || (id = path_id(path, plen, "blocks/")) != 0) {
        review_kind_t kind = path[0] == 'a' ? REVIEW_APPROVAL : REVIEW_BLOCK;
        if (!method_is(req, "DELETE"))
            method_not_allowed(req, "DELETE");
        else if (authenticate(req, NEED_WRITE, kind == REVIEW_APPROVAL ? "revoke approvals" : "lift blocks", &c) == 0)
            end_review(req, &c, kind, id);
        return;
    }
    if (path_is(path, plen, "lockfiles")) {
        if (!get) {
            method_not_allowed(req, "GET");
        } else if (authenticate(req, NEED_CI, "read lockfile checks", &c) == 0) {
            buf_t b;
            buf_init(&b);
            if (lockfiles_projects_json(&b) != 0) {
                buf_free(&b);
                http_send_error(req, 503, NULL, "the store cannot be read");
            } else {
                send_buf(req, 200, &b);
            }
        }
        return;
    }
    if (plen > 10 && memcmp(path, "lockfiles/", 10) == 0) {
        lockfiles(req, path + 10, plen - 10);
        return;
    }
    if (path_is(path, plen, "decisions")) {
        if (!get)
            method_not_allowed(req, "GET");
        else if (authenticate(req, NEED_CI, "read decisions", &c) == 0)
            chain_page(req, 1);
        return;
    }
    if (path_is(path, plen, "intel")) {
        if (!get)
            method_not_allowed(req, "GET");
        else if (authenticate(req, NEED_READ, "read the threat intelligence status", &c) == 0) {
            buf_t b;
            buf_init(&b);
            osv_feed_status_json(&b);
            send_buf(req, 200, &b);
        }
        return;
    }
    if (path_is(path, plen, "audit")) {
        if (!get)
            method_not_allowed(req, "GET");
        else if (authenticate(req, NEED_READ, "read the audit chain", &c) == 0)
            chain_page(req, 0);
        return;
    }
    if (path_is(path, plen, "audit/verify")) {
        if (!get)
            method_not_allowed(req, "GET");
        else if (authenticate(req, NEED_READ, "verify the audit chain", &c) == 0)
            audit_verify_call(req);
        return;
    }
    http_send_error(req, 404, "not_found", "no such admin call: see docs/admin-api.md");
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
