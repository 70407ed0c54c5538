/* unit tests: the audit chain against someone who can write the store but
 * not read the key — history rewritten with plain SHA-256, the wrong key,
 * a replayed head (caught by an anchored head), records cut under a
 * running writer, a store from before the chain was keyed, approvals no
 * record accounts for (not in force) — and the decision log's bounds:
 * retention into pruned runs that verify, refused writes coalesced per
 * client and path per minute, drops under overload counted. Each test on a
 * fresh store in a temporary directory. */
#include <ftw.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecosystems/eco_ids.h"
#include "store/record.h"
#include "store/store.h"
#include "common/buf.h"
#include "common/digest.h"
#include "common/timeutil.h"
#include "policy/approvals.h"
#include "review/approvals_store.h"
#include "journal/audit.h"
#include "journal/audit_key.h"
#include "core/config.h"
#include "journal/decision_coalesce.h"
#include "journal/decision_log.h"
#include "journal/journal_retention.h"
#include "http/metrics.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "core/runtime.h"
#include "tests/unit/test.h"

#define DAY (86400LL * 1000)
static char g_dir[256];
static config_t g_cfg;
static const unsigned char KEY[AUDIT_KEY_BYTES] = "0123456789abcdef0123456789abcdef";
static const unsigned char OTHER_KEY[AUDIT_KEY_BYTES] = "fedcba9876543210fedcba9876543210";

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) { return remove(p); }

static void fresh_store(const char *sub)
{
    char dir[300], err[300];
    store_close();
    snprintf(dir, sizeof(dir), "%s/%s", g_dir, sub);
    CHECK_INT_EQ(store_open(dir, 1 << 22, 0, err, sizeof(err)), 0);
    audit_key_set(KEY);
}

/* ---- writing the chain, as cordon does and as an attacker does ---- */

typedef struct app {
    const char *type, *members;
    int64_t time;
} app_t;

static int append_txn(MDB_txn *txn, void *arg)
{
    app_t *a = arg;
    return audit_append(txn, a->type, a->time ? a->time : time_now_ms(), a->members, strlen(a->members), NULL);
}

static void append_at(const char *type, const char *members, int64_t time)
{
    char err[300];
    app_t a = {type, members, time};
    CHECK_INT_EQ(store_write(append_txn, &a, err, sizeof(err)), STORE_OK);
}

static void append(const char *type, const char *members) { append_at(type, members, 0); }

/* raw access: what someone with write access to the LMDB file does */
typedef struct raw {
    store_db_t db;
    const void *key;
    size_t klen;
    const void *val; /* NULL: delete */
    size_t vlen;
} raw_t;

static int raw_txn(MDB_txn *txn, void *arg)
{
    raw_t *r = arg;
    MDB_val k = {r->klen, (void *)r->key};
    if (r->val == NULL)
        return mdb_del(txn, store_dbi(r->db), &k, NULL);
    MDB_val v = {r->vlen, (void *)r->val};
    return mdb_put(txn, store_dbi(r->db), &k, &v, 0);
}

static void raw_put(store_db_t db, const void *key, size_t klen, const void *val, size_t vlen)
{
    char err[300];
    raw_t r = {db, key, klen, val, vlen};
    CHECK_INT_EQ(store_write(raw_txn, &r, err, sizeof(err)), STORE_OK);
}

static char *record(uint64_t seq, size_t *n)
{
    unsigned char key[8];
    u64_key(seq, key);
    void *v = NULL;
    if (store_get_copy(DB_DECISIONS, key, 8, &v, n) != STORE_OK)
        return NULL;
    return v;
}

static void put_record(uint64_t seq, const char *rec, size_t n)
{
    unsigned char key[8];
    u64_key(seq, key);
    raw_put(DB_DECISIONS, key, 8, rec, n);
}

static void del_record(uint64_t seq)
{
    unsigned char key[8];
    u64_key(seq, key);
    raw_put(DB_DECISIONS, key, 8, NULL, 0);
}

/* replaces the first `from` in record seq by `to` (same length) */
static void edit(uint64_t seq, const char *from, const char *to)
{
    size_t n;
    char *r = record(seq, &n);
    CHECK(r != NULL);
    if (r == NULL)
        return;
    char *at = memmem(r, n, from, strlen(from));
    CHECK(at != NULL && strlen(from) == strlen(to));
    if (at)
        memcpy(at, to, strlen(to));
    put_record(seq, r, n);
    free(r);
}

static void set_head_raw(const char *value) { raw_put(DB_STATE, "audit_head", 10, value, strlen(value)); }

static char *head_raw(void)
{
    void *v;
    size_t n;
    if (store_get_copy(DB_STATE, "audit_head", 10, &v, &n) != STORE_OK)
        return NULL;
    return v; /* NUL-terminated by store_get_copy */
}

/* every prev from record `from` on recomputed with plain SHA-256, and the
 * head likewise: history rewritten by someone without the key */
static void rechain_sha(uint64_t from, uint64_t last)
{
    char hash[65];
    size_t n;
    char *r = record(from - 1, &n);
    if (r) {
        sha256_hex(r, n, hash);
        free(r);
    } else {
        memcpy(hash, AUDIT_ZERO_HASH, 65);
    }
    for (uint64_t s = from; s <= last; s++) {
        r = record(s, &n);
        if (r == NULL)
            continue;
        memcpy(r + n - 66, hash, 64);
        put_record(s, r, n);
        sha256_hex(r, n, hash);
        free(r);
    }
    char head[200];
    snprintf(head, sizeof(head), "%" PRIu64 " %s", last, hash);
    set_head_raw(head);
}

static int has_problem(const audit_report_t *r, const char *kind, const char *text)
{
    for (size_t i = 0; i < r->nproblems; i++)
        if (!strcmp(r->problems[i].kind, kind) && (!text || strstr(r->problems[i].text, text)))
            return 1;
    return 0;
}

static void anchor_now(char *out, size_t n)
{
    uint64_t seq;
    char hash[65];
    CHECK_INT_EQ(audit_head_get(&seq, hash), 0);
    snprintf(out, n, "%" PRIu64 ":%s", seq, hash);
}

/* ---- the keyed chain ---- */

TEST(hmac_is_hmac_sha256)
{
    /* the hand-made HMAC against OpenSSL's */
    const char *msg = "{\"seq\":1,\"type\":\"audit_keyed\",\"prev\":\"0\"}";
    unsigned char md[32];
    unsigned len = 32;
    HMAC(EVP_sha256(), KEY, AUDIT_KEY_BYTES, (const unsigned char *)msg, strlen(msg), md, &len);
    char want[65], got[65];
    hex_encode(md, 32, want);
    audit_key_set(KEY);
    CHECK_INT_EQ(audit_hmac_hex(msg, strlen(msg), got), 0);
    CHECK_STR_EQ(got, want);
    CHECK_INT_EQ(audit_hmac_hex("", 0, got), 0);
    HMAC(EVP_sha256(), KEY, AUDIT_KEY_BYTES, (const unsigned char *)"", 0, md, &len);
    hex_encode(md, 32, want);
    CHECK_STR_EQ(got, want);
    CHECK_INT_EQ((int)strlen(audit_key_id()), 16);
}

TEST(rewrite_with_plain_sha256_is_caught)
{
    fresh_store("rewrite");
    for (int i = 0; i < 6; i++)
        append("decision", "\"package\":\"left-pad\"");
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK_INT_EQ((long)r.records, 7); /* the marker and six */
    /* record 3 edited, every later prev and the head recomputed: an
     * unkeyed chain would verify now */
    edit(3, "left-pad", "evil-pad");
    rechain_sha(4, 7);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK(has_problem(&r, "edited", "rewritten from record 3 on"));
    CHECK(has_problem(&r, "head", "does not verify under the key"));
}

TEST(wrong_key_is_named)
{
    fresh_store("wrongkey");
    append("decision", "\"package\":\"a\"");
    audit_key_set(OTHER_KEY);
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK(has_problem(&r, "wrong_key", "key id"));
    CHECK_INT_EQ((long)r.nproblems, 1); /* not one per record */
    /* and nothing can be appended that the chain would accept */
    audit_key_set(KEY);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
}

TEST(replayed_head_is_caught_by_the_anchor)
{
    fresh_store("replay");
    for (int i = 0; i < 3; i++)
        append("decision", "\"package\":\"a\"");
    char *saved = head_raw(); /* what someone reading the store now keeps */
    CHECK(saved != NULL);
    append("approval_like", "\"what\":\"an important record\"");
    append("decision", "\"package\":\"b\"");
    char anchor[100];
    anchor_now(anchor, sizeof(anchor)); /* what the server log says */
    audit_report_t r;
    CHECK_INT_EQ(audit_verify_anchored(anchor, &r), 0);
    CHECK(r.ok);
    CHECK(r.anchor.ok);
    CHECK(strstr(r.anchor.text, "matches") != NULL);
    /* the last two cut and the old head put back: the store alone cannot tell */
    del_record(6);
    del_record(5);
    set_head_raw(saved);
    free(saved);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    /* the anchored head can */
    CHECK_INT_EQ(audit_verify_anchored(anchor, &r), 0);
    CHECK(!r.ok);
    CHECK(has_problem(&r, "truncated", "chain ends at record 4"));
    /* a malformed anchor is refused */
    CHECK_INT_EQ(audit_verify_anchored("6:abc", &r), -1);
    CHECK_INT_EQ(audit_verify_anchored("x:", &r), -1);
}

TEST(records_cut_under_a_running_writer_stay_a_gap)
{
    fresh_store("cutlive");
    for (int i = 0; i < 5; i++)
        append("decision", "\"package\":\"a\"");
    /* the last two cut, the head left as it was (it verifies) */
    del_record(6);
    del_record(5);
    /* the next append finds the head beyond the chain's end: it records
     * that, and goes on after the head so that the cut stays visible */
    append("decision", "\"package\":\"after\"");
    size_t n;
    char *rec = record(7, &n);
    CHECK(rec != NULL && memmem(rec, n, "\"type\":\"audit_anomaly\"", 22) != NULL);
    free(rec);
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK(has_problem(&r, "removed", "records 5..6"));
    CHECK(has_problem(&r, "anomaly", "chain ends before the head"));
    /* the last record edited: the next append links to the head, not to the edit */
    fresh_store("editlast");
    append("decision", "\"package\":\"aaaa\"");
    edit(2, "aaaa", "bbbb");
    append("decision", "\"package\":\"next\"");
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK(has_problem(&r, "edited", "record 2 was edited"));
}

TEST(unkeyed_store_is_migrated_and_sealed)
{
    fresh_store("legacy");
    /* five records as cordon wrote them before the key: plain SHA-256 */
    char prev[65], rec[300], head[200];
    memcpy(prev, AUDIT_ZERO_HASH, 65);
    for (int s = 1; s <= 5; s++) {
        int n = snprintf(rec, sizeof(rec),
                         "{\"seq\":%d,\"type\":\"decision\",\"time\":\"2026-01-01T00:00:0%d.000Z\",\"package\":\"old%d\","
                         "\"prev\":\"%s\"}",
                         s, s, s, prev);
        put_record((uint64_t)s, rec, (size_t)n);
        sha256_hex(rec, (size_t)n, prev);
    }
    snprintf(head, sizeof(head), "5 %s", prev);
    set_head_raw(head);
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok); /* intact, but nothing is under the key yet */
    CHECK(has_problem(&r, "keyed_part", "no keyed part"));
    uint64_t keyed_from = 0, legacy = 0;
    char err[300];
    CHECK_INT_EQ(audit_ensure_keyed(&keyed_from, &legacy, err, sizeof(err)), 0);
    CHECK_INT_EQ((long)keyed_from, 6);
    CHECK_INT_EQ((long)legacy, 5);
    /* a second start changes nothing */
    CHECK_INT_EQ(audit_ensure_keyed(&keyed_from, &legacy, err, sizeof(err)), 0);
    CHECK_INT_EQ((long)keyed_from, 6);
    append("decision", "\"package\":\"new\"");
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK_INT_EQ((long)r.keyed_from, 6);
    CHECK_INT_EQ((long)r.legacy_records, 5);
    CHECK_INT_EQ((long)r.records, 7);
    buf_t t;
    buf_init(&t);
    audit_report_text(&r, &t);
    CHECK(strstr(buf_cstr(&t), "records 1..5 are unkeyed") != NULL);
    buf_free(&t);
    /* the old prefix rewritten consistently, with plain SHA-256 up to the
     * marker: the keyed marker's hash no longer matches */
    edit(2, "old2", "bad2");
    rechain_sha(3, 6);
    append("decision", "\"package\":\"newer\"");
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK(r.broken_at <= 6);
}

static uint64_t last_seq(void);

/* ---- approvals and blocks in force only when the chain accounts for them ---- */

static verdict_t decide(const char *pkg, const char *ver, int64_t now)
{
    verdict_t v;
    version_facts_t f = {.published_at = now - DAY, .first_seen = TIME_NONE};
    findings_t found;
    findings_clear(&found);
    policy_gather(ECO_NPM, pkg, ver, now, &f, &found); /* the facts the server gathers besides the times */
    policy_decide(&g_cfg, ECO_NPM, pkg, ver, &f, now, &v);
    return v;
}

static uint64_t approve(const char *pkg, const char *ver, uint64_t *seq)
{
    review_t r = {.kind = REVIEW_APPROVAL, .eco = ECO_NPM, .expires_at = TIME_NONE};
    r.package = strdup(pkg);
    r.version = strdup(ver);
    r.comment = strdup("checked");
    r.by = strdup("alice");
    r.ended_by = strdup("");
    char err[300];
    CHECK_INT_EQ(approvals_add(&r, err, sizeof(err)), 0);
    uint64_t id = r.id;
    if (seq)
        *seq = r.audit_seq;
    review_free(&r);
    return id;
}

/* an approval written into the store directly, naming record seq */
static void forge_approval(uint64_t id, const char *pkg, const char *ver, uint64_t seq)
{
    buf_t b;
    buf_init(&b);
    buf_putc(&b, 'R');
    rec_put_i64(&b, REVIEW_APPROVAL);
    rec_put_i64(&b, ECO_NPM);
    rec_put_str(&b, pkg);
    rec_put_str(&b, ver);
    rec_put_str(&b, "trust me");
    rec_put_str(&b, "alice");
    rec_put_i64(&b, time_now_ms());
    rec_put_i64(&b, TIME_NONE);
    rec_put_i64(&b, TIME_NONE);
    rec_put_str(&b, "");
    rec_put_i64(&b, (int64_t)seq);
    unsigned char key[8];
    u64_key(id, key);
    raw_put(DB_REVIEWS, key, 8, b.data, b.len);
    buf_free(&b);
}

TEST(approvals_no_record_accounts_for_are_not_in_force)
{
    fresh_store("approvals");
    CHECK_INT_EQ(approvals_load(), 0);
    int64_t now = time_now_ms();
    uint64_t seq_a;
    uint64_t a = approve("fresh-a", "1.0.0", &seq_a);
    approve("fresh-b", "1.0.0", NULL);
    append("decision", "\"package\":\"x\"");
    CHECK(decide("fresh-a", "1.0.0", now).allow);
    CHECK(decide("fresh-b", "1.0.0", now).allow);
    /* forged: no record, and one naming another approval's record */
    forge_approval(a + 10, "evil", "6.6.6", 0);
    forge_approval(a + 11, "evil2", "6.6.6", seq_a);
    CHECK_INT_EQ(approvals_load(), 0);
    CHECK(!decide("evil", "6.6.6", now).allow);
    CHECK(!decide("evil2", "6.6.6", now).allow);
    CHECK(decide("fresh-a", "1.0.0", now).allow);
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    char want[100];
    snprintf(want, sizeof(want), "approval %" PRIu64 " (npm evil@6.6.6), in force: no chain record", a + 10);
    CHECK(has_problem(&r, "approval", want));
    snprintf(want, sizeof(want), "approval %" PRIu64 " (npm evil2@6.6.6)", a + 11);
    CHECK(has_problem(&r, "approval", want));
    /* fresh-a's record edited (its version): not in force any more */
    edit(seq_a, "\"1.0.0\"", "\"1.0.1\"");
    CHECK_INT_EQ(approvals_load(), 0);
    CHECK(!decide("fresh-a", "1.0.0", now).allow);
    CHECK(decide("fresh-b", "1.0.0", now).allow);
    edit(seq_a, "\"1.0.1\"", "\"1.0.0\"");
    CHECK_INT_EQ(approvals_load(), 0);
    CHECK(decide("fresh-a", "1.0.0", now).allow);
    /* everything from fresh-a's record on cut, the head rewritten: neither is in force */
    size_t n;
    char *rec = record(seq_a, &n);
    char head[200];
    snprintf(head, sizeof(head), "%" PRIu64 " %.64s", seq_a - 1, rec + n - 66);
    free(rec);
    uint64_t end = last_seq();
    for (uint64_t s = seq_a; s <= end; s++)
        del_record(s);
    set_head_raw(head);
    CHECK_INT_EQ(approvals_load(), 0);
    CHECK(!decide("fresh-a", "1.0.0", now).allow);
    CHECK(!decide("fresh-b", "1.0.0", now).allow);
    approvals_unload();
}

TEST(tokens_no_record_accounts_for_are_named)
{
    fresh_store("tokens");
    unsigned char v[1 + 8 + 8 + 32];
    memset(v, 0, sizeof(v));
    v[0] = 'T';
    v[1] = 1; /* reviewer */
    raw_put(DB_TOKENS, "mallory", 7, v, sizeof(v));
    append("decision", "\"package\":\"x\"");
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK(has_problem(&r, "token", "token mallory (reviewer): no chain record"));
}

/* ---- retention ---- */

static uint64_t last_seq(void)
{
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    return r.last_seq;
}

TEST(retention_prunes_decisions_and_the_chain_still_verifies)
{
    fresh_store("retention");
    CHECK_INT_EQ(approvals_load(), 0);
    int64_t now = time_now_ms();
    for (int i = 0; i < 5; i++) /* 2..6 */
        append("decision", "\"package\":\"early\"");
    uint64_t seq_a;
    approve("kept", "1.0.0", &seq_a); /* 7 */
    CHECK_INT_EQ((long)seq_a, 7);
    for (int i = 0; i < 6; i++) /* 8..13 */
        append("decision", "\"package\":\"late\"");
    size_t n;
    char *r7 = record(7, &n);
    char hash6[65];
    memcpy(hash6, r7 + n - 66, 64);
    hash6[64] = '\0';
    free(r7);
    char anchor_last[100], anchor_6[100], anchor_4[100];
    anchor_now(anchor_last, sizeof(anchor_last));
    snprintf(anchor_6, sizeof(anchor_6), "6:%s", hash6);
    snprintf(anchor_4, sizeof(anchor_4), "4:%s", AUDIT_ZERO_HASH);

    prune_result_t res;
    char err[300];
    CHECK_INT_EQ(journal_prune(now + 1000, 20000, &res, err, sizeof(err)), 0);
    CHECK_INT_EQ((long)res.pruned, 10); /* 2..6 and 8..12; 13 is last */
    CHECK_INT_EQ((long)res.through, 12);
    CHECK_INT_EQ((long)res.stopped_at, 0);
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK_INT_EQ((long)r.pruned_records, 10);
    CHECK_INT_EQ((long)r.pruned_runs, 2);
    CHECK_INT_EQ((long)r.pruned_through, 12);
    CHECK_INT_EQ((long)r.records, 4); /* marker, approval, 13, journal_pruned 14 */
    CHECK_INT_EQ((long)r.last_seq, 14);
    buf_t t;
    buf_init(&t);
    audit_report_text(&r, &t);
    CHECK(strstr(buf_cstr(&t), "10 decision records older than") != NULL);
    buf_free(&t);
    /* the approval's record stays, and it stays in force */
    char *rec = record(7, &n);
    CHECK(rec != NULL && memmem(rec, n, "\"type\":\"approval\"", 17) != NULL);
    free(rec);
    CHECK_INT_EQ(approvals_load(), 0);
    CHECK(decide("kept", "1.0.0", now).allow);
    /* heads anchored before pruning still check */
    CHECK_INT_EQ(audit_verify_anchored(anchor_last, &r), 0);
    CHECK(r.ok && r.anchor.ok);
    CHECK_INT_EQ(audit_verify_anchored(anchor_6, &r), 0); /* the last of a run: its hash is kept */
    CHECK(r.ok && r.anchor.ok);
    CHECK_INT_EQ(audit_verify_anchored(anchor_4, &r), 0); /* inside a run: only its place */
    CHECK(r.ok && r.anchor.ok);
    CHECK(strstr(r.anchor.text, "pruned") != NULL);

    /* a second pass extends the run rather than adding one */
    for (int i = 0; i < 3; i++) /* 15..17 */
        append("decision", "\"package\":\"later\"");
    CHECK_INT_EQ(journal_prune(time_now_ms() + 1000, 20000, &res, err, sizeof(err)), 0);
    CHECK_INT_EQ((long)res.pruned, 4); /* 13, 14 (journal_pruned), 15, 16 */
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK_INT_EQ((long)r.pruned_runs, 2);
    CHECK_INT_EQ((long)r.pruned_records, 14);

    /* retention never launders an edit: it stops before the edited record */
    uint64_t last = last_seq(); /* 18: journal_pruned */
    append("decision", "\"package\":\"tail\""); /* 19 */
    edit(17, "later", "LATER");
    CHECK_INT_EQ(journal_prune(time_now_ms() + 1000, 20000, &res, err, sizeof(err)), 0);
    CHECK_INT_EQ((long)res.stopped_at, 18);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK(has_problem(&r, "edited", "record 17 was edited"));
    edit(17, "LATER", "later");
    (void)last;

    /* a pruned run cannot be edited or forged without the key */
    rec = record(8, &n);
    CHECK(rec != NULL && memmem(rec, n, "\"type\":\"pruned\"", 15) != NULL);
    char *c = memmem(rec, n, "\"count\":", 8);
    if (c)
        c[8] = c[8] == '9' ? '8' : '9';
    put_record(8, rec, n);
    free(rec);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK(has_problem(&r, "edited", "pruned run at record 8"));
    approvals_unload();
}

TEST(retention_in_small_chunks_gives_the_same_chain)
{
    fresh_store("chunks");
    int64_t now = time_now_ms();
    for (int i = 0; i < 40; i++)
        append("decision", i % 13 == 5 ? "\"kind\":\"x\"" : "\"package\":\"p\"");
    append("review_request", "\"id\":1"); /* kept */
    for (int i = 0; i < 10; i++)
        append("decision", "\"package\":\"q\"");
    prune_result_t res;
    char err[300];
    CHECK_INT_EQ(journal_prune(now + 1000, 3, &res, err, sizeof(err)), 0);
    CHECK_INT_EQ((long)res.pruned, 49); /* all but the last decision */
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK_INT_EQ((long)r.pruned_records, 49);
    /* small chunks may leave neighbouring runs; a pass with room merges
     * them (and takes in the decision that was last before the first
     * pass's journal_pruned record) */
    CHECK_INT_EQ(journal_prune(now + 1000, 20000, &res, err, sizeof(err)), 0);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK_INT_EQ((long)r.pruned_runs, 2); /* before and after the review request */
    CHECK_INT_EQ((long)r.pruned_records, 50);
}

/* ---- coalescing and overload ---- */

static decision_t publish_attempt(const char *client, const char *path)
{
    decision_t d;
    memset(&d, 0, sizeof(d));
    DECISION_SET(&d, client, client);
    DECISION_SET(&d, user_agent, "npm/10");
    DECISION_SET(&d, ecosystem, "npm");
    DECISION_SET(&d, package, "left-pad");
    DECISION_SET(&d, decision, "deny");
    DECISION_SET(&d, reason, "publish_forbidden");
    DECISION_SET(&d, rule, "publishing is never allowed through cordon");
    snprintf(d.detail, sizeof(d.detail), "PUT %s", path);
    return d;
}

/* the publish_forbidden records and the requests they stand for */
static void count_refusals(size_t *records, uint64_t *requests)
{
    *records = 0;
    *requests = 0;
    MDB_txn *txn;
    MDB_cursor *c;
    CHECK_INT_EQ(store_cursor_begin(DB_DECISIONS, &txn, &c), 0);
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (memmem(v.mv_data, v.mv_size, "publish_forbidden", 17) == NULL)
            continue;
        (*records)++;
        const char *cnt = memmem(v.mv_data, v.mv_size, "\"count\":", 8);
        *requests += cnt ? strtoull(cnt + 8, NULL, 10) : 1;
    }
    store_cursor_end(txn, c);
}

TEST(publish_attempts_are_coalesced_per_client_and_path)
{
    fresh_store("coalesce");
    coalesce_reset();
    CHECK_INT_EQ(decision_log_start(), 0);
    decision_t d = publish_attempt("10.0.0.9", "/npm/left-pad");
    for (int i = 0; i < 1000; i++)
        decision_log_append(&d);
    decision_log_stop(); /* a clean stop writes the pending counts */
    size_t records;
    uint64_t requests;
    count_refusals(&records, &requests);
    CHECK_INT_EQ((long)requests, 1000);
    CHECK(records >= 2 && records <= 4); /* first + repeats, per minute (the test may span two) */

    /* one client spraying 40 paths, each twice: 16 told apart, the rest folded */
    fresh_store("coalesce-paths");
    coalesce_reset();
    CHECK_INT_EQ(decision_log_start(), 0);
    for (int p = 0; p < 40; p++)
        for (int i = 0; i < 2; i++) {
            char path[64];
            snprintf(path, sizeof(path), "/npm/pkg-%d", p);
            d = publish_attempt("10.0.0.10", path);
            decision_log_append(&d);
        }
    decision_log_stop();
    count_refusals(&records, &requests);
    CHECK_INT_EQ((long)requests, 80);
    CHECK(records >= 34); /* 16 + their 16 repeats, the fold's first and its repeats */
    CHECK(records <= 2 * 34); /* twice that when the test spans two minutes */

    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
}

typedef struct tally {
    size_t records;
    uint64_t requests;
} tally_t;

static void tally(const decision_t *d, void *arg)
{
    tally_t *t = arg;
    t->records++;
    t->requests += d->count;
}

TEST(coalescing_is_bounded_whatever_the_clients)
{
    /* 5000 clients in one minute, twice each: the table tells 4096 pairs
     * apart and folds the rest into one record; every request is counted */
    coalesce_reset();
    int64_t minute = 1700000000000LL - 1700000000000LL % 60000;
    size_t now_records = 0;
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 5000; i++) {
            char client[64];
            snprintf(client, sizeof(client), "10.1.%d.%d", i / 250, i % 250);
            decision_t d = publish_attempt(client, "/npm/x");
            d.time_ms = minute + round * 1000 + i;
            now_records += (size_t)coalesce_admit(&d);
        }
    CHECK_INT_EQ((long)now_records, 4096 + 1);
    CHECK(coalesce_due() == minute + 60000);
    tally_t t = {0, 0};
    coalesce_take(minute + 59000, 0, tally, &t); /* not due yet */
    CHECK_INT_EQ((long)t.records, 0);
    coalesce_take(minute + 60000, 0, tally, &t);
    CHECK_INT_EQ((long)(now_records + t.requests), 10000);
    CHECK_INT_EQ((long)t.records, 4096 + 1);
    CHECK_INT_EQ((long)coalesce_due(), 0);
    /* other reasons are not coalesced */
    decision_t q = publish_attempt("10.0.0.1", "/npm/x");
    DECISION_SET(&q, reason, "quarantine");
    CHECK(!coalesce_wanted(&q));
}

/* an agent's tool call through /-/mcp, as admin/mcp.c records it */
static decision_t agent_check(const char *client, const char *tool, const char *package)
{
    decision_t d;
    memset(&d, 0, sizeof(d));
    DECISION_SET(&d, client, client);
    DECISION_SET(&d, user_agent, "node");
    DECISION_SET(&d, ecosystem, "npm");
    DECISION_SET(&d, package, package);
    DECISION_SET(&d, decision, "check");
    snprintf(d.rule, sizeof(d.rule), "mcp %s", tool);
    snprintf(d.detail, sizeof(d.detail), "mcp session 0123: %s", tool);
    return d;
}

TEST(agents_checks_are_recorded_up_to_an_allowance_a_minute)
{
    /* one client's check_package calls, every one about another package:
     * the first COALESCE_CHECKS_PER_MINUTE are recorded as they come, the
     * rest of the minute as one record with their count; another tool and
     * another client have allowances of their own */
    coalesce_reset();
    int64_t minute = 1700000000000LL - 1700000000000LL % 60000;
    size_t now_records = 0;
    int n = COALESCE_CHECKS_PER_MINUTE + 150;
    for (int i = 0; i < n; i++) {
        char pkg[32];
        snprintf(pkg, sizeof(pkg), "pkg-%d", i);
        decision_t d = agent_check("10.2.0.1", "check_package", pkg);
        CHECK(coalesce_wanted(&d));
        d.time_ms = minute + i;
        now_records += (size_t)coalesce_admit(&d);
    }
    CHECK_INT_EQ((long)now_records, COALESCE_CHECKS_PER_MINUTE);
    decision_t other = agent_check("10.2.0.1", "explain_denial", "x");
    other.time_ms = minute + n;
    CHECK_INT_EQ(coalesce_admit(&other), 1);
    decision_t elsewhere = agent_check("10.2.0.2", "check_package", "y");
    elsewhere.time_ms = minute + n;
    CHECK_INT_EQ(coalesce_admit(&elsewhere), 1);
    tally_t t = {0, 0};
    coalesce_take(minute + 60000, 0, tally, &t);
    CHECK_INT_EQ((long)t.records, 1);
    CHECK_INT_EQ((long)t.requests, 150);
    /* the next minute starts a new allowance */
    decision_t later = agent_check("10.2.0.1", "check_package", "z");
    later.time_ms = minute + 60000 + 5;
    CHECK_INT_EQ(coalesce_admit(&later), 1);
    coalesce_reset();
}

typedef struct hold {
    int appended;
} hold_t;

/* inside the store's write lock: the writer thread cannot commit meanwhile */
static int hold_txn(MDB_txn *txn, void *arg)
{
    decision_t d = publish_attempt("10.0.0.1", "/npm/a");
    DECISION_SET(&d, reason, "quarantine");
    DECISION_SET(&d, version, "1.0.0");
    decision_log_append(&d);
    /* the writer takes it and waits for the lock */
    for (int i = 0; i < 1000 && decision_log_queued() > 0; i++)
        usleep(10000);
    CHECK_INT_EQ((long)decision_log_queued(), 0);
    for (int i = 0; i < 15; i++)
        decision_log_append(&d);
    return 0;
}

TEST(drops_under_overload_are_counted_and_logged)
{
    fresh_store("overload");
    decision_log_set_queue_max(10);
    decision_drops_t before, after;
    decision_log_drops(&before);
    CHECK_INT_EQ(decision_log_start(), 0);
    char logpath[300];
    snprintf(logpath, sizeof(logpath), "%s/stderr.log", g_dir);
    fflush(stderr);
    int saved = dup(2);
    FILE *log = fopen(logpath, "w");
    CHECK(log != NULL);
    dup2(fileno(log), 2);
    char err[300];
    CHECK_INT_EQ(store_write(hold_txn, NULL, err, sizeof(err)), STORE_OK);
    decision_log_flush();
    decision_log_stop();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(log);
    decision_log_set_queue_max(0);
    decision_log_drops(&after);
    CHECK_INT_EQ((long)(after.queue_full - before.queue_full), 5);
    FILE *f = fopen(logpath, "r");
    char text[4096] = "";
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    text[n] = '\0';
    if (f)
        fclose(f);
    CHECK(strstr(text, "\"level\":\"warn\"") != NULL);
    CHECK(strstr(text, "decisions dropped") != NULL);
    buf_t m;
    buf_init(&m);
    metrics_render(&g_cfg, &m);
    char want[100];
    snprintf(want, sizeof(want), "cordon_decisions_dropped_total{cause=\"queue_full\"} %" PRIu64 "\n", after.queue_full);
    CHECK(strstr(buf_cstr(&m), want) != NULL);
    buf_free(&m);
}

int main(void)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/cordon-test-audit-XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    const char *yaml = "quarantine: { min_age: 7d }\n";
    char err[300];
    CHECK_INT_EQ(config_load_string(&g_cfg, "t.yaml", yaml, strlen(yaml), err, sizeof(err)), 0);
    runtime_set_config(&g_cfg);
    RUN(hmac_is_hmac_sha256);
    RUN(rewrite_with_plain_sha256_is_caught);
    RUN(wrong_key_is_named);
    RUN(replayed_head_is_caught_by_the_anchor);
    RUN(records_cut_under_a_running_writer_stay_a_gap);
    RUN(unkeyed_store_is_migrated_and_sealed);
    RUN(approvals_no_record_accounts_for_are_not_in_force);
    RUN(tokens_no_record_accounts_for_are_named);
    RUN(retention_prunes_decisions_and_the_chain_still_verifies);
    RUN(retention_in_small_chunks_gives_the_same_chain);
    RUN(publish_attempts_are_coalesced_per_client_and_path);
    RUN(coalescing_is_bounded_whatever_the_clients);
    RUN(agents_checks_are_recorded_up_to_an_allowance_a_minute);
    RUN(drops_under_overload_are_counted_and_logged);
    store_close();
    config_free(&g_cfg);
    nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return test_report();
}
