/* unit tests: the reviewers' side on a real store in a temporary data
 * directory — the audit chain (append, verify, tampering caught), tokens
 * (hash only, constant-time check, revocation), approvals and blocks (in
 * force, expiry, revocation, precedence inside policy_decide), the held
 * queue fed by refusals, and the review requests' per-address rate limit
 * (exact per address, bounded, never reset by other addresses). */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecosystems/eco_ids.h"
#include "store/store.h"
#include "common/buf.h"
#include "common/timeutil.h"
#include "policy/approvals.h"
#include "review/approvals_store.h"
#include "admin/views.h"
#include "journal/audit.h"
#include "journal/audit_key.h"
#include "core/config.h"
#include "journal/decision_log.h"
#include "journal/served_held.h"
#include "review/held.h"
#include "policy/judge.h"
#include "policy/policy.h"
#include "journal/tokens.h"
#include "tests/unit/test.h"
#include "store/record.h"

#define DAY (86400LL * 1000)
static char g_dir[256];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(p);
}

static int append_txn(MDB_txn *txn, void *arg)
{
    const char *members = arg;
    return audit_append(txn, "test", time_now_ms(), members, strlen(members), NULL);
}

static void append(const char *members)
{
    char err[300];
    CHECK_INT_EQ(store_write(append_txn, (void *)members, err, sizeof(err)), STORE_OK);
}

typedef struct poke {
    uint64_t seq;
    const char *from, *to;
    int del;
} poke_t;

/* what an attacker with write access to the LMDB file does */
static int poke_txn(MDB_txn *txn, void *arg)
{
    poke_t *p = arg;
    unsigned char key[8];
    u64_key(p->seq, key);
    MDB_val k = {8, key}, v;
    int rc = mdb_get(txn, store_dbi(DB_DECISIONS), &k, &v);
    if (rc)
        return rc;
    if (p->del)
        return mdb_del(txn, store_dbi(DB_DECISIONS), &k, NULL);
    char *s = strndup(v.mv_data, v.mv_size);
    char *at = strstr(s, p->from);
    if (at == NULL) {
        free(s);
        return MDB_NOTFOUND;
    }
    buf_t b;
    buf_init(&b);
    buf_append(&b, s, (size_t)(at - s));
    buf_puts(&b, p->to);
    buf_puts(&b, at + strlen(p->from));
    MDB_val nv = {b.len, b.data};
    rc = mdb_put(txn, store_dbi(DB_DECISIONS), &k, &nv, 0);
    buf_free(&b);
    free(s);
    return rc;
}

static void poke(uint64_t seq, const char *from, const char *to, int del)
{
    char err[300];
    poke_t p = {seq, from, to, del};
    CHECK_INT_EQ(store_write(poke_txn, &p, err, sizeof(err)), STORE_OK);
}

TEST(audit_chain_intact_then_tampered)
{
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK_INT_EQ((long)r.records, 0);
    /* the first append keys the chain: record 1 is the marker */
    append("\"what\":\"one\"");
    append("\"what\":\"two\"");
    append("\"what\":\"three\"");
    append("\"what\":\"four\"");
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK_INT_EQ((long)r.records, 5);
    CHECK_INT_EQ((long)r.keyed_from, 1);
    CHECK_INT_EQ((long)r.legacy_records, 0);

    /* an edit in the middle: the next record's prev no longer matches */
    poke(3, "two", "TWO", 0);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK_INT_EQ((long)r.broken_at, 3);
    CHECK(strstr(r.error, "record 4 does not follow from record 3") != NULL);
    CHECK_STR_EQ(r.problems[0].kind, "edited");
    poke(3, "TWO", "two", 0);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);

    /* the last record has no successor: the head beside the chain catches it */
    poke(5, "four", "FOUR", 0);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK_INT_EQ((long)r.broken_at, 5);
    poke(5, "FOUR", "four", 0);

    /* a record removed from the middle */
    poke(4, NULL, NULL, 1);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK_INT_EQ((long)r.broken_at, 4);
    CHECK(strstr(r.error, "missing") != NULL);
    CHECK_STR_EQ(r.problems[0].kind, "removed");
}

/* the head kept beside the chain, as someone with write access sets it */
static int set_head_txn(MDB_txn *txn, void *arg)
{
    const char *value = arg;
    MDB_val hk = {10, "audit_head"}, hv = {strlen(value), (void *)value};
    return mdb_put(txn, store_dbi(DB_STATE), &hk, &hv, 0);
}

static void set_head(const char *value)
{
    char err[300];
    CHECK_INT_EQ(store_write(set_head_txn, (void *)value, err, sizeof(err)), STORE_OK);
}

/* the "prev" a record carries (64 hex) */
static void prev_carried(uint64_t seq, char out[65])
{
    unsigned char key[8];
    u64_key(seq, key);
    void *v;
    size_t n;
    out[0] = '\0';
    if (store_get_copy(DB_DECISIONS, key, 8, &v, &n) != STORE_OK)
        return;
    if (n > 66) {
        memcpy(out, (char *)v + n - 66, 64);
        out[64] = '\0';
    }
    free(v);
}

TEST(audit_cut_from_the_end_is_caught)
{
    /* records 4 and 5 removed, the head pointed at record 3 with the hash
     * record 4 carried as its prev: all anyone can write without the key */
    for (int i = 0; i < 5; i++)
        append("\"what\":\"cut\"");
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    uint64_t last = r.records;
    char prev[65], head[100];
    prev_carried(last - 1, prev);
    CHECK_INT_EQ((int)strlen(prev), 64);
    poke(last - 1, NULL, NULL, 1);
    poke(last, NULL, NULL, 1);
    snprintf(head, sizeof(head), "%llu %s", (unsigned long long)(last - 2), prev);
    set_head(head);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK(strstr(r.error, "head") != NULL);
}

TEST(audit_appends_continue_a_chain_another_process_wrote)
{
    /* a fresh directory: the chain head is read inside each write, so two
     * writers (the server and the token CLI) never fork the chain */
    audit_report_t r;
    append("\"n\":1");
    append("\"n\":2");
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
}

TEST(tokens_hash_only_and_roles)
{
    char tok[TOKEN_LEN + 1], tok2[TOKEN_LEN + 1], err[300], name[TOKEN_NAME_MAX + 1];
    CHECK_INT_EQ(tokens_add("alice", ROLE_REVIEWER, tok, err, sizeof(err)), 0);
    CHECK_INT_EQ((long)strlen(tok), TOKEN_LEN);
    CHECK(strncmp(tok, "cordon_", 7) == 0);
    CHECK_INT_EQ(tokens_add("alice", ROLE_AUDITOR, tok2, err, sizeof(err)), 1);
    CHECK_INT_EQ(tokens_add("bad name", ROLE_AUDITOR, tok2, err, sizeof(err)), -1);
    CHECK_INT_EQ(tokens_add("carol", ROLE_NONE, tok2, err, sizeof(err)), -1);
    CHECK_INT_EQ(tokens_add("bob", ROLE_AUDITOR, tok2, err, sizeof(err)), 0);
    CHECK(strcmp(tok, tok2) != 0);

    CHECK_INT_EQ(tokens_authenticate(tok, strlen(tok), name), ROLE_REVIEWER);
    CHECK_STR_EQ(name, "alice");
    CHECK_INT_EQ(tokens_authenticate(tok2, strlen(tok2), name), ROLE_AUDITOR);
    CHECK_STR_EQ(name, "bob");
    CHECK_INT_EQ(tokens_authenticate(tok, strlen(tok) - 1, name), ROLE_NONE);
    CHECK_INT_EQ(tokens_authenticate("", 0, name), ROLE_NONE);

    /* the store never holds the token itself */
    void *val;
    size_t vlen;
    CHECK_INT_EQ(store_get_copy(DB_TOKENS, "alice", 5, &val, &vlen), STORE_OK);
    CHECK(memmem(val, vlen, tok, strlen(tok)) == NULL);
    CHECK(memmem(val, vlen, tok + 7, 20) == NULL);
    free(val);

    CHECK_INT_EQ(tokens_revoke("alice", err, sizeof(err)), 0);
    CHECK_INT_EQ(tokens_revoke("alice", err, sizeof(err)), 1);
    CHECK_INT_EQ(tokens_authenticate(tok, strlen(tok), name), ROLE_NONE);
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
}

static config_t g_cfg;

static verdict_t decide(eco_id_t eco, const char *pkg, const char *ver, int64_t published, int64_t now)
{
    verdict_t v;
    version_facts_t f = {.published_at = published, .first_seen = TIME_NONE};
    findings_t found;
    findings_clear(&found);
    policy_gather(eco, pkg, ver, now, &f, &found); /* the facts the server gathers besides the times */
    policy_decide(&g_cfg, eco, pkg, ver, &f, now, &v);
    return v;
}

static uint64_t add(review_kind_t kind, eco_id_t eco, const char *pkg, const char *ver, int64_t expires_at)
{
    review_t r = {.kind = kind, .eco = eco, .expires_at = expires_at};
    r.package = strdup(pkg);
    r.version = strdup(ver);
    r.comment = strdup("checked");
    r.by = strdup("alice");
    r.ended_by = strdup("");
    char err[300];
    CHECK_INT_EQ(approvals_add(&r, err, sizeof(err)), 0);
    uint64_t id = r.id;
    review_free(&r);
    return id;
}

TEST(approvals_and_blocks_in_policy)
{
    const char *yaml = "quarantine:\n"
                       "  min_age: 7d\n"
                       "  rules:\n"
                       "    - { match: \"npm:evil\", deny: true }\n";
    char err[300];
    CHECK_INT_EQ(config_load_string(&g_cfg, "t.yaml", yaml, strlen(yaml), err, sizeof(err)), 0);
    int64_t now = time_now_ms(), young = now - DAY;
    char fp0[52], fp1[52];
    policy_document_fp(&g_cfg, ECO_NPM, "left-pad", fp0);

    CHECK(!decide(ECO_NPM, "left-pad", "1.4.0", young, now).allow);
    uint64_t a = add(REVIEW_APPROVAL, ECO_NPM, "left-pad", "1.4.0", now + 3600000);
    verdict_t v = decide(ECO_NPM, "left-pad", "1.4.0", young, now);
    CHECK(v.allow);
    CHECK_INT_EQ((long)v.review_id, (long)a);
    CHECK(v.valid_until == now + 3600000); /* documents rendered now expire with it */
    CHECK(strstr(v.rule, "approved by reviewer alice") != NULL);
    policy_document_fp(&g_cfg, ECO_NPM, "left-pad", fp1);
    CHECK(strcmp(fp0, fp1) != 0);
    /* an exact version: its neighbours stay held */
    CHECK(!decide(ECO_NPM, "left-pad", "1.4.1", young, now).allow);
    /* after expiry the window decides again */
    CHECK(!decide(ECO_NPM, "left-pad", "1.4.0", young, now + 3600000).allow);

    /* a block of the whole package beats the approval, and old versions too */
    uint64_t b = add(REVIEW_BLOCK, ECO_NPM, "left-pad", "", TIME_NONE);
    v = decide(ECO_NPM, "left-pad", "1.4.0", young, now);
    CHECK(!v.allow);
    CHECK_STR_EQ(reason_name(v.reason), "blocked");
    CHECK(strstr(v.rule, "blocked by reviewer alice") != NULL);
    CHECK(!decide(ECO_NPM, "left-pad", "1.0.0", now - 400 * DAY, now).allow);
    review_t ended;
    CHECK_INT_EQ(approvals_end(b, REVIEW_BLOCK, "bob", &ended, err, sizeof(err)), 0);
    CHECK_STR_EQ(ended.ended_by, "bob");
    review_free(&ended);
    CHECK_INT_EQ(approvals_end(b, REVIEW_BLOCK, "bob", &ended, err, sizeof(err)), APPROVALS_ALREADY_ENDED);
    review_free(&ended);
    CHECK_INT_EQ(approvals_end(b, REVIEW_APPROVAL, "bob", &ended, err, sizeof(err)), APPROVALS_NOT_FOUND);
    review_free(&ended);
    CHECK_INT_EQ(approvals_end(9999, REVIEW_APPROVAL, "bob", &ended, err, sizeof(err)), APPROVALS_NOT_FOUND);
    review_free(&ended);
    CHECK(decide(ECO_NPM, "left-pad", "1.0.0", now - 400 * DAY, now).allow);
    CHECK(decide(ECO_NPM, "left-pad", "1.4.0", young, now).allow);

    /* revoking the approval: held again at once */
    CHECK_INT_EQ(approvals_end(a, REVIEW_APPROVAL, "bob", &ended, err, sizeof(err)), 0);
    review_free(&ended);
    CHECK(!decide(ECO_NPM, "left-pad", "1.4.0", young, now).allow);

    /* a configured deny rule is not overridden by an approval */
    add(REVIEW_APPROVAL, ECO_NPM, "evil", "1.0.0", TIME_NONE);
    v = decide(ECO_NPM, "evil", "1.0.0", now - 400 * DAY, now);
    CHECK(!v.allow);
    CHECK(strstr(v.rule, "rule npm:evil deny") != NULL);

    /* an approval admits a Maven SNAPSHOT and a version with no time */
    CHECK(!decide(ECO_MAVEN, "org.example:lib", "1.0-SNAPSHOT", TIME_NONE, now).allow);
    add(REVIEW_APPROVAL, ECO_MAVEN, "org.example:lib", "1.0-SNAPSHOT", TIME_NONE);
    CHECK(decide(ECO_MAVEN, "org.example:lib", "1.0-SNAPSHOT", TIME_NONE, now).allow);

    /* ecosystems are separate */
    CHECK(!decide(ECO_PYPI, "org.example:lib", "1.0-SNAPSHOT", young, now).allow);

    /* the lists: newest first, filters, active only */
    review_t *v2;
    size_t n;
    CHECK_INT_EQ(approvals_list(REVIEW_APPROVAL, 0, -1, NULL, NULL, now, &v2, &n), 0);
    CHECK_INT_EQ((long)n, 3);
    CHECK(n == 3 && v2[0].id > v2[2].id);
    reviews_free(v2, n);
    CHECK_INT_EQ(approvals_list(REVIEW_APPROVAL, 1, ECO_NPM, NULL, NULL, now, &v2, &n), 0);
    CHECK_INT_EQ((long)n, 1); /* left-pad's was revoked; evil's stands */
    reviews_free(v2, n);

    /* everything above is in the chain, which is intact */
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    /* a restart reads the same set back */
    approvals_unload();
    CHECK(!decide(ECO_MAVEN, "org.example:lib", "1.0-SNAPSHOT", TIME_NONE, now).allow);
    CHECK_INT_EQ(approvals_load(), 0);
    CHECK(decide(ECO_MAVEN, "org.example:lib", "1.0-SNAPSHOT", TIME_NONE, now).allow);
}

TEST(held_queue_counts_refusals)
{
    int64_t now = time_now_ms();
    decision_t d;
    memset(&d, 0, sizeof(d));
    d.time_ms = now;
    DECISION_SET(&d, client, "10.0.0.1");
    DECISION_SET(&d, user_agent, "npm/10");
    DECISION_SET(&d, ecosystem, "npm");
    DECISION_SET(&d, package, "fresh");
    DECISION_SET(&d, version, "2.0.0");
    DECISION_SET(&d, decision, "deny");
    DECISION_SET(&d, reason, "quarantine");
    DECISION_SET(&d, rule, "default min_age 7d");
    d.published_at = d.since = now - DAY;
    held_start();
    CHECK_INT_EQ(decision_log_start(), 0);
    decision_log_append(&d);
    decision_log_append(&d);
    DECISION_SET(&d, client, "10.0.0.2");
    decision_log_append(&d);
    decision_log_flush();
    buf_t b;
    buf_init(&b);
    held_queue_t q;
    CHECK_INT_EQ(held_list(&g_cfg, now, -1, NULL, HELD_SORT_REQUESTS, &q), 0);
    view_held_queue(&g_cfg, &q, &b); /* the API's document (admin/views.c) */
    held_queue_free(&q);
    const char *s = buf_cstr(&b);
    CHECK(strstr(s, "\"package\":\"fresh\",\"version\":\"2.0.0\",\"reason\":\"quarantine\"") != NULL);
    CHECK(strstr(s, "\"requests\":3") != NULL);
    CHECK(strstr(s, "{\"address\":\"10.0.0.1\",\"user_agent\":\"npm/10\",\"requests\":2,\"metadata_requests\":0}") !=
          NULL);
    CHECK_INT_EQ((long)held_count(&g_cfg, now), 1);
    /* when the window has passed it leaves the queue */
    CHECK_INT_EQ((long)held_count(&g_cfg, now + 7 * DAY), 0);
    buf_free(&b);
    decision_log_stop();
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
}

static int put_review(MDB_txn *txn, void *arg)
{
    const review_t *r = arg;
    buf_t b;
    buf_init(&b);
    review_encode(r, &b);
    unsigned char key[8];
    u64_key(r->id, key);
    MDB_val k = {8, key}, v = {b.len, b.data};
    int rc = mdb_put(txn, store_dbi(DB_REVIEWS), &k, &v, 0);
    buf_free(&b);
    return rc;
}

/* an approval with its dependencies: one change set, one chain record naming
 * every approval; each is in force, verified against that record, and one
 * edited in the store afterwards is caught and not in force */
TEST(approval_set_one_record)
{
    int64_t now = time_now_ms(), young = now - DAY;
    const char *pkgs[] = {"app", "@app/lib-a", "@app/lib-b"};
    review_t set[3];
    memset(set, 0, sizeof(set));
    for (int i = 0; i < 3; i++) {
        set[i].eco = ECO_NPM;
        set[i].package = strdup(pkgs[i]);
        set[i].version = strdup("2.0.0");
        set[i].comment = strdup("read the diff of the app and its libraries");
        set[i].by = strdup("alice");
        set[i].ended_by = strdup("");
        set[i].expires_at = now + 7 * DAY;
        CHECK(!decide(ECO_NPM, pkgs[i], "2.0.0", young, now).allow);
    }
    audit_report_t r;
    CHECK_INT_EQ(audit_verify(&r), 0);
    uint64_t before = r.records;
    char err[300];
    CHECK_INT_EQ(approvals_add_set(set, 3, "app@2.0.0 with its 2 held dependencies", err, sizeof(err)), 0);
    CHECK(set[0].id > 0 && set[1].id == set[0].id + 1 && set[2].id == set[0].id + 2);
    CHECK(set[0].audit_seq > 0 && set[1].audit_seq == set[0].audit_seq && set[2].audit_seq == set[0].audit_seq);
    for (int i = 0; i < 3; i++)
        CHECK(decide(ECO_NPM, pkgs[i], "2.0.0", young, now).allow);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(r.ok);
    CHECK_INT_EQ((long)r.last_seq, (long)set[0].audit_seq); /* one record, the newest, for the three */
    CHECK(r.records > before);
    approvals_unload();
    CHECK_INT_EQ(approvals_load(), 0);
    CHECK(decide(ECO_NPM, "@app/lib-b", "2.0.0", young, now).allow);

    /* someone widens one approval in the store: caught, and not in force */
    free(set[1].version);
    set[1].version = strdup("2.1.0");
    CHECK_INT_EQ(store_write(put_review, &set[1], err, sizeof(err)), STORE_OK);
    CHECK_INT_EQ(audit_verify(&r), 0);
    CHECK(!r.ok);
    CHECK_INT_EQ(approvals_load(), 0);
    CHECK(!decide(ECO_NPM, "@app/lib-a", "2.1.0", young, now).allow);
    CHECK(decide(ECO_NPM, "@app/lib-b", "2.0.0", young, now).allow);
    for (int i = 0; i < 3; i++)
        review_free(&set[i]);
}

typedef struct held_put {
    const char *key;
    size_t klen;
    const buf_t *val;
} held_put_t;

static int held_put(MDB_txn *txn, void *arg)
{
    const held_put_t *p = arg;
    MDB_val k = {p->klen, (void *)p->key}, v = {p->val->len, p->val->data};
    return mdb_put(txn, store_dbi(DB_HELD), &k, &v, 0);
}

/* a resolver that read a document without the version never asks for its
 * artifact: the metadata routes' counts (journal/served_held.h) reach the
 * queue, beside the refusals, and records of the first layout still read */
TEST(held_queue_counts_metadata_served_without_it)
{
    int64_t now = time_now_ms();
    /* a record as the first layout ('H') wrote it: one refusal from one client */
    buf_t old;
    buf_init(&old);
    buf_putc(&old, 'H');
    rec_put_i64(&old, now - 1000);
    rec_put_i64(&old, now - 1000);
    rec_put_i64(&old, 1);
    rec_put_str(&old, "quarantine");
    rec_put_str(&old, "default min_age 7d");
    rec_put_i64(&old, now - DAY);
    rec_put_i64(&old, now - DAY);
    rec_put_i64(&old, 1);
    rec_put_str(&old, "10.0.0.9");
    rec_put_str(&old, "pip/23");
    rec_put_i64(&old, 1);
    char key[256];
    size_t klen = version_key(key, sizeof(key), "npm", "served", "3.0.0");
    CHECK(klen > 0);
    held_put_t put = {key, klen, &old};
    char err[300];
    CHECK_INT_EQ(store_write(held_put, &put, err, sizeof(err)), STORE_OK);
    buf_free(&old);

    /* two documents served to one client and one to another, each without 3.0.0 and 3.1.0 */
    served_held_count("npm", "served", "3.0.0 2.9.1\n3.1.0 2.9.1\n", "10.0.0.3", "pnpm/9", now);
    served_held_count("npm", "served", "3.0.0 2.9.1\n3.1.0 2.9.1\n", "10.0.0.3", "pnpm/9", now + 1);
    served_held_count("npm", "served", "3.0.0 2.9.2\n3.1.0 2.9.2\n", "10.0.0.9", "pip/23", now + 2);
    CHECK(served_held_pending());
    held_queue_t q;
    CHECK_INT_EQ(held_list(&g_cfg, now + 3, -1, "served", HELD_SORT_AGE, &q), 0);
    CHECK(!served_held_pending()); /* taken into the records before the queue was read */
    CHECK_INT_EQ((long)q.n, 2);
    for (size_t i = 0; i < q.n; i++) {
        const held_entry_t *e = &q.v[i];
        CHECK(e->have_rec);
        CHECK_INT_EQ((long)e->rec.served, 3);
        CHECK_INT_EQ((long)e->rec.served_first, (long)now);
        CHECK_INT_EQ((long)e->rec.served_last, (long)(now + 2));
        CHECK_STR_EQ(e->alternative, "2.9.2"); /* the newest document's */
        int is_old = strcmp(e->version, "3.0.0") == 0;
        CHECK_INT_EQ((long)e->rec.count, is_old ? 1 : 0);
        CHECK_INT_EQ((long)e->rec.nclients, 2);
        for (size_t c = 0; c < e->rec.nclients; c++) {
            const held_client_t *cl = &e->rec.c[c];
            if (strcmp(cl->addr, "10.0.0.3") == 0) {
                CHECK_INT_EQ((long)cl->served, 2);
                CHECK_INT_EQ((long)cl->count, 0);
            } else {
                CHECK_STR_EQ(cl->addr, "10.0.0.9");
                CHECK_INT_EQ((long)cl->served, 1);
                CHECK_INT_EQ((long)cl->count, is_old ? 1 : 0);
            }
        }
    }
    buf_t b;
    buf_init(&b);
    view_held_queue(&g_cfg, &q, &b);
    const char *s = buf_cstr(&b);
    CHECK(strstr(s, "\"alternative\":\"2.9.2\"") != NULL);
    CHECK(strstr(s, "\"metadata_requests\":3,\"metadata_clients\":2") != NULL);
    CHECK(strstr(s, "\"first_denied_at\":null") != NULL); /* 3.1.0 was never refused */
    buf_free(&b);
    held_queue_free(&q);

    /* a note never names a version twice, nor one with a space in it */
    char *note = NULL;
    size_t len = 0;
    served_held_note_add(&note, &len, "1.0", "0.9");
    served_held_note_add(&note, &len, "1.0", "0.9");
    served_held_note_add(&note, &len, "1.0a", NULL);
    served_held_note_add(&note, &len, "bad version", "0.9");
    CHECK_STR_EQ(note, "1.0 0.9\n1.0a\n");
    free(note);
}

static void fresh_store(const char *sub)
{
    char dir[300], err[300];
    store_close();
    snprintf(dir, sizeof(dir), "%s/%s", g_dir, sub);
    CHECK_INT_EQ(store_open(dir, 1 << 20, 0, err, sizeof(err)), 0);
}

/* ---- review_rate_check: exact per address, bounded ---- */

#define HOUR (3600LL * 1000)

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

TEST(review_rate_exact_per_address)
{
    int64_t t0 = 1000 * HOUR; /* far from the other rate tests' hours */
    for (int i = 0; i < 3; i++)
        CHECK_INT_EQ(review_rate_check("10.1.0.1", 3, t0 + i), 0);
    int wait = review_rate_check("10.1.0.1", 3, t0 + 10);
    CHECK(wait > 3500 && wait <= 3600);
    CHECK_INT_EQ(review_rate_check("10.1.0.2", 3, t0 + 11), 0); /* another address has its own count */
    CHECK(review_rate_check("10.1.0.1", 3, t0 + HOUR - 1) > 0);
    CHECK_INT_EQ(review_rate_check("10.1.0.1", 3, t0 + HOUR), 0); /* a new hour */

    /* two addresses that share a slot of a 4096-entry FNV-1a table (where
     * the old table kept one count per slot, the second reset the first) */
    char a[32] = "10.2.0.1", b[32] = "";
    for (int x = 0; x < 256 && !b[0]; x++)
        for (int y = 1; y < 256 && !b[0]; y++) {
            char c[32];
            snprintf(c, sizeof(c), "10.3.%d.%d", x, y);
            if (fnv1a(c) % 4096 == fnv1a(a) % 4096)
                snprintf(b, sizeof(b), "%s", c);
        }
    CHECK(b[0] != '\0');
    for (int i = 0; i < 3; i++)
        CHECK_INT_EQ(review_rate_check(a, 3, t0 + 100 + i), 0);
    CHECK(review_rate_check(a, 3, t0 + 200) > 0);
    CHECK_INT_EQ(review_rate_check(b, 3, t0 + 201), 0);
    CHECK(review_rate_check(a, 3, t0 + 202) > 0);
}

TEST(review_rate_bounded_and_never_reset)
{
    int64_t t0 = 2000 * HOUR;
    for (int i = 0; i < 2; i++)
        CHECK_INT_EQ(review_rate_check("192.0.2.1", 2, t0), 0);
    CHECK(review_rate_check("192.0.2.1", 2, t0) > 0);
    /* 5000 other addresses within the hour: more than the table holds.
     * Those that find no free entry wait; none resets 192.0.2.1 */
    int admitted = 0, waited = 0;
    for (int i = 0; i < 5000; i++) {
        char c[32];
        snprintf(c, sizeof(c), "2001:db8::%x", i);
        int w = review_rate_check(c, 2, t0 + 1000 + i);
        if (w == 0)
            admitted++;
        else
            waited++;
        CHECK(w >= 0 && w <= 3600);
    }
    CHECK(admitted >= 4000 && admitted <= 4095);
    CHECK_INT_EQ(admitted + waited, 5000);
    CHECK(review_rate_check("192.0.2.1", 2, t0 + 10000) > 0);
    /* a full table of live addresses: a newcomer waits until the oldest hour ends */
    int w = review_rate_check("198.51.100.7", 2, t0 + 20000);
    CHECK(w > 0 && w <= 3600);
    /* an hour on, the entries are reused */
    CHECK_INT_EQ(review_rate_check("198.51.100.7", 2, t0 + HOUR + 20000), 0);
    CHECK_INT_EQ(review_rate_check("192.0.2.1", 2, t0 + HOUR + 20001), 0);
}

int main(void)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/cordon-test-reviews-XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    static const unsigned char key[AUDIT_KEY_BYTES] = "0123456789abcdef0123456789abcdef";
    audit_key_set(key); /* the chain is keyed: every writer holds the key */
    fresh_store("a");
    RUN(audit_chain_intact_then_tampered);
    fresh_store("cut");
    RUN(audit_cut_from_the_end_is_caught);
    fresh_store("b");
    RUN(audit_appends_continue_a_chain_another_process_wrote);
    RUN(tokens_hash_only_and_roles);
    fresh_store("c");
    CHECK_INT_EQ(approvals_load(), 0);
    RUN(approvals_and_blocks_in_policy);
    RUN(held_queue_counts_refusals);
    RUN(held_queue_counts_metadata_served_without_it);
    RUN(review_rate_exact_per_address);
    RUN(review_rate_bounded_and_never_reset);
    fresh_store("set"); /* its tampering leaves the chain not ok */
    CHECK_INT_EQ(approvals_load(), 0);
    RUN(approval_set_one_record);
    approvals_unload();
    config_free(&g_cfg);
    store_close();
    nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return test_report();
}
