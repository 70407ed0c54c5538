/* approvals_store: reviewers' approvals and blocks as they are written —
 * each with its audit chain record, in one durable transaction — and loaded
 * into the set policy consults (policy/approvals.h), keeping only those a
 * genuine chain record accounts for. */
#include "review/approvals_store.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/json.h"
#include "common/timeutil.h"
#include "journal/audit.h"
#include "store/record.h"
#include "store/store.h"

void review_kv_str_or_null(buf_t *b, int *first, const char *key, const char *s)
{
    if (s && *s)
        json_kv_str(b, first, key, s);
    else
        json_kv_raw(b, first, key, "null", 4);
}

void review_members(const review_t *r, buf_t *b, int *first)
{
    json_kv_int(b, first, "id", (int64_t)r->id);
    json_kv_str(b, first, "kind", review_kind_name(r->kind));
    json_kv_str(b, first, "ecosystem", eco_name(r->eco));
    json_kv_str(b, first, "package", r->package);
    review_kv_str_or_null(b, first, "version", r->version);
    json_kv_str(b, first, "comment", r->comment);
    json_kv_str(b, first, "by", r->by);
    json_kv_time(b, first, "created_at", r->created_at);
    if (r->kind == REVIEW_APPROVAL)
        json_kv_time(b, first, "expires_at", r->expires_at);
}

static const char *jstr(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val s = yajl_tree_get(v, path, yajl_t_any);
    return s && YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : s && YAJL_IS_NULL(s) ? "" : NULL;
}

/* 1 when the object v (a chain record, or one approval of a set) describes r */
static int names_review(yajl_val v, const review_t *r)
{
    const char *path[] = {"id", NULL};
    yajl_val id = yajl_tree_get(v, path, yajl_t_number);
    const char *eco = jstr(v, "ecosystem"), *pkg = jstr(v, "package"), *ver = jstr(v, "version"),
               *exp = jstr(v, "expires_at");
    int64_t es = exp && *exp ? time_parse_iso8601(exp, strlen(exp)) : TIME_NONE;
    int64_t want = r->expires_at == TIME_NONE ? TIME_NONE : r->expires_at / 1000 * 1000;
    return id && YAJL_IS_INTEGER(id) && (uint64_t)YAJL_GET_INTEGER(id) == r->id && eco &&
           !strcmp(eco, eco_name(r->eco)) && pkg && !strcmp(pkg, r->package) && ver && !strcmp(ver, r->version) &&
           (r->kind != REVIEW_APPROVAL || es == want);
}

/* 1 when the genuine chain record r names is the one that made r; 0 (why
 * says) when none accounts for it; -1 store error */
static int accounted(MDB_txn *txn, const review_t *r, char *why, size_t whylen)
{
    if (r->audit_seq == 0) {
        snprintf(why, whylen, "it names no chain record");
        return 0;
    }
    MDB_val rec;
    int g = audit_record_genuine(txn, r->audit_seq, &rec, why, whylen);
    if (g <= 0)
        return g < 0 ? -1 : 0;
    char *text = strndup(rec.mv_data, rec.mv_size);
    yajl_val v = text ? yajl_tree_parse(text, NULL, 0) : NULL;
    free(text);
    if (v == NULL)
        return -1;
    const char *type = jstr(v, "type");
    int ok = 0;
    if (type && !strcmp(type, "approval_set") && r->kind == REVIEW_APPROVAL) {
        /* a change set: the approval is one of its "approvals" */
        const char *ap[] = {"approvals", NULL};
        yajl_val a = yajl_tree_get(v, ap, yajl_t_array);
        for (size_t i = 0; a && !ok && i < YAJL_GET_ARRAY(a)->len; i++)
            ok = names_review(YAJL_GET_ARRAY(a)->values[i], r);
    } else {
        ok = type && !strcmp(type, review_kind_name(r->kind)) && names_review(v, r);
    }
    yajl_tree_free(v);
    if (!ok)
        snprintf(why, whylen, "chain record %" PRIu64 " is not the one that made it", r->audit_seq);
    return ok;
}

/* drops from all[] what no genuine chain record accounts for, saying so */
static int keep_accounted(review_t *all, size_t *n)
{
    MDB_txn *txn;
    if (store_read_begin(&txn) != 0)
        return -1;
    size_t kept = 0;
    int rc = 0;
    for (size_t i = 0; i < *n; i++) {
        char why[300];
        int a = accounted(txn, &all[i], why, sizeof(why));
        if (a < 0) {
            rc = -1;
            a = 1;
        }
        if (a) {
            all[kept++] = all[i];
            continue;
        }
        char what[700];
        snprintf(what, sizeof(what), "%s %" PRIu64 " (%s %s%s%s) is not in force: no audit chain record accounts for it "
                 "(%s); run cordon audit verify",
                 review_kind_name(all[i].kind), all[i].id, eco_name(all[i].eco), all[i].package, all[i].version[0] ? "@" : "",
                 all[i].version, why);
        log_event(LOG_ERROR, what, (const log_field_t[]){LOG_INT("id", all[i].id), LOG_END});
        review_free(&all[i]);
    }
    store_read_end(txn);
    *n = kept;
    return rc;
}

int approvals_load(void)
{
    review_t *all;
    size_t n;
    int64_t now = time_now_ms();
    if (approvals_list(REVIEW_APPROVAL | REVIEW_BLOCK, 1, -1, NULL, NULL, now, &all, &n) != 0)
        return -1;
    /* an approval or block is in force only while the chain accounts for it:
     * one added to the store directly, or whose record was cut, is not */
    if (keep_accounted(all, &n) != 0) {
        reviews_free(all, n);
        return -1;
    }
    return approvals_publish(all, n);
}

/* ---- writing ---- */

typedef struct add_op {
    review_t *r;
} add_op_t;

/* r's record under its id in DB_REVIEWS (flags: MDB_APPEND for a new id, 0 to rewrite) */
static int put_review(MDB_txn *txn, const review_t *r, unsigned flags)
{
    buf_t b;
    buf_init(&b);
    review_encode(r, &b);
    unsigned char key[8];
    u64_key(r->id, key);
    MDB_val nk = {8, key}, nv = {b.len, b.data};
    int rc = b.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_REVIEWS), &nk, &nv, flags);
    buf_free(&b);
    return rc;
}

static int add_txn(MDB_txn *txn, void *arg)
{
    review_t *r = ((add_op_t *)arg)->r;
    int rc = store_next_id(txn, DB_REVIEWS, &r->id);
    if (rc)
        return rc;

    buf_t b;
    buf_init(&b);
    int first = 1;
    review_members(r, &b, &first);
    rc = b.oom ? ENOMEM : audit_append(txn, review_kind_name(r->kind), r->created_at, b.data, b.len, &r->audit_seq);
    buf_free(&b);
    return rc ? rc : put_review(txn, r, MDB_APPEND);
}

int approvals_add(review_t *r, char *err, size_t errlen)
{
    r->created_at = time_now_ms();
    r->ended_at = TIME_NONE;
    if (r->kind == REVIEW_BLOCK)
        r->expires_at = TIME_NONE;
    add_op_t op = {r};
    if (store_write(add_txn, &op, err, errlen) != STORE_OK)
        return -1;
    if (approvals_load() != 0) {
        snprintf(err, errlen, "stored, but the in-memory set could not be rebuilt");
        return -1;
    }
    return 0;
}

typedef struct set_op {
    review_t *v;
    size_t n;
    const char *note; /* what the set is, for the record: "next@16.5.0 with its dependencies" */
} set_op_t;

/* one chain record naming every approval of the set (ids taken in order
 * first), then each approval stored naming that record */
static int set_txn(MDB_txn *txn, void *arg)
{
    set_op_t *op = arg;
    uint64_t first_id = 0;
    int rc = store_next_id(txn, DB_REVIEWS, &first_id);
    if (rc)
        return rc;
    buf_t b;
    buf_init(&b);
    int first = 1;
    json_kv_str(&b, &first, "change_set", op->note);
    json_kv_str(&b, &first, "comment", op->v[0].comment);
    json_kv_str(&b, &first, "by", op->v[0].by);
    json_kv_time(&b, &first, "expires_at", op->v[0].expires_at);
    json_kv_raw(&b, &first, "approvals", "[", 1);
    for (size_t i = 0; i < op->n; i++) {
        op->v[i].id = first_id + i;
        int f2 = 1;
        buf_puts(&b, i ? ",{" : "{");
        review_members(&op->v[i], &b, &f2);
        buf_putc(&b, '}');
    }
    buf_putc(&b, ']');
    uint64_t seq = 0;
    rc = b.oom ? ENOMEM : audit_append(txn, "approval_set", op->v[0].created_at, b.data, b.len, &seq);
    buf_free(&b);
    for (size_t i = 0; rc == 0 && i < op->n; i++) {
        op->v[i].audit_seq = seq;
        rc = put_review(txn, &op->v[i], MDB_APPEND);
    }
    return rc;
}

int approvals_add_set(review_t *v, size_t n, const char *note, char *err, size_t errlen)
{
    if (n == 0)
        return 0;
    int64_t now = time_now_ms();
    for (size_t i = 0; i < n; i++) {
        v[i].kind = REVIEW_APPROVAL;
        v[i].created_at = now;
        v[i].ended_at = TIME_NONE;
    }
    set_op_t op = {v, n, note};
    if (store_write(set_txn, &op, err, errlen) != STORE_OK)
        return -1;
    if (approvals_load() != 0) {
        snprintf(err, errlen, "stored, but the in-memory set could not be rebuilt");
        return -1;
    }
    return 0;
}

typedef struct end_op {
    uint64_t id;
    review_kind_t kind;
    const char *by;
    review_t *out;
    approvals_end_t status;
} end_op_t;

static int end_txn(MDB_txn *txn, void *arg)
{
    end_op_t *op = arg;
    unsigned char key[8];
    u64_key(op->id, key);
    MDB_val k = {8, key}, v;
    int rc = mdb_get(txn, store_dbi(DB_REVIEWS), &k, &v);
    review_free(op->out);
    if (rc == MDB_NOTFOUND || (rc == 0 && (review_decode(op->id, v.mv_data, v.mv_size, op->out) != 0 ||
                                           op->out->kind != op->kind))) {
        op->status = APPROVALS_NOT_FOUND;
        return 0;
    }
    if (rc)
        return rc;
    if (op->out->ended_at != TIME_NONE) {
        op->status = APPROVALS_ALREADY_ENDED;
        return 0;
    }
    op->out->ended_at = time_now_ms();
    free(op->out->ended_by);
    op->out->ended_by = strdup(op->by ? op->by : "");
    buf_t b;
    buf_init(&b);
    int first = 1;
    json_kv_int(&b, &first, "id", (int64_t)op->id);
    json_kv_str(&b, &first, "ecosystem", eco_name(op->out->eco));
    json_kv_str(&b, &first, "package", op->out->package);
    review_kv_str_or_null(&b, &first, "version", op->out->version);
    json_kv_str(&b, &first, "by", op->out->ended_by ? op->out->ended_by : "");
    rc = b.oom ? ENOMEM
               : audit_append(txn, op->kind == REVIEW_APPROVAL ? "approval_revoked" : "block_removed",
                              op->out->ended_at, b.data, b.len, NULL);
    buf_free(&b);
    if (rc == 0)
        rc = put_review(txn, op->out, 0);
    op->status = APPROVALS_ENDED;
    return rc;
}

approvals_end_t approvals_end(uint64_t id, review_kind_t kind, const char *by, review_t *out, char *err,
                              size_t errlen)
{
    memset(out, 0, sizeof(*out));
    end_op_t op = {id, kind, by, out, APPROVALS_ENDED};
    if (store_write(end_txn, &op, err, errlen) != STORE_OK)
        return APPROVALS_STORE_ERROR;
    if (op.status != APPROVALS_ENDED)
        return op.status;
    if (approvals_load() != 0) {
        snprintf(err, errlen, "stored, but the in-memory set could not be rebuilt");
        return APPROVALS_STORE_ERROR;
    }
    return APPROVALS_ENDED;
}

