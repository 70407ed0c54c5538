/* audit_verify: walks the whole audit chain in one read transaction and
 * reports, without stopping at the first, every edited, removed or
 * truncated record, a head that does not verify, the anomalies the server
 * recorded, and every approval, block and token in the store that no chain
 * record accounts for (see audit.h). One snapshot: a server appending at
 * the same time cannot make a record look unaccounted. */
#include "journal/audit.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "store/store.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "policy/approvals.h"
#include "journal/audit_key.h"
#include "journal/tokens.h"
#include "store/record.h"

/* what the chain says about one approval or block */
typedef struct chain_review {
    uint64_t id, seq, ended_seq;
    int kind; /* REVIEW_APPROVAL | REVIEW_BLOCK */
    char eco[16];
    char *package, *version;
    int64_t expires_s; /* seconds; TIME_NONE: never */
    int seen;          /* matched a stored record */
} chain_review_t;

/* what the chain last said about one token name */
typedef struct chain_token {
    char name[TOKEN_NAME_MAX + 1];
    char role[16];
    uint64_t seq;
    int live, seen;
} chain_token_t;

typedef struct walk {
    audit_report_t *r;
    chain_review_t *rv;
    size_t nrv, caprv;
    chain_token_t *tk;
    size_t ntk, captk;
    int key_mismatch;
    int anchor_seen; /* the anchored record was met (hash compared or pruned) */
} walk_t;

static void problem(audit_report_t *r, uint64_t seq, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(audit_report_t *r, uint64_t seq, const char *kind, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (r->ok) {
        r->ok = 0;
        r->broken_at = seq ? seq : 1;
        snprintf(r->error, sizeof(r->error), "%s", text);
    }
    r->problems_total++;
    if (r->nproblems < AUDIT_PROBLEMS_MAX) {
        audit_problem_t *p = &r->problems[r->nproblems++];
        p->seq = seq;
        snprintf(p->kind, sizeof(p->kind), "%s", kind);
        snprintf(p->text, sizeof(p->text), "%s", text);
    }
}

static const char *jstr(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val s = yajl_tree_get(v, path, yajl_t_string);
    return s ? YAJL_GET_STRING(s) : NULL;
}

static int64_t jint(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val n = yajl_tree_get(v, path, yajl_t_number);
    return n && YAJL_IS_INTEGER(n) ? YAJL_GET_INTEGER(n) : -1;
}

static chain_review_t *find_review(walk_t *w, uint64_t id)
{
    for (size_t i = 0; i < w->nrv; i++)
        if (w->rv[i].id == id)
            return &w->rv[i];
    return NULL;
}

static chain_token_t *find_token(walk_t *w, const char *name)
{
    for (size_t i = 0; i < w->ntk; i++)
        if (strcmp(w->tk[i].name, name) == 0)
            return &w->tk[i];
    return NULL;
}

static int64_t secs_of(const char *iso)
{
    if (iso == NULL)
        return TIME_NONE;
    int64_t ms = time_parse_iso8601(iso, strlen(iso));
    return ms == TIME_NONE ? TIME_NONE : ms / 1000;
}

/* one approval or block a chain record adds (v: its object) */
static void collect_review(walk_t *w, uint64_t seq, const char *type, yajl_val v)
{
    int64_t id = jint(v, "id");
    const char *eco = jstr(v, "ecosystem"), *pkg = jstr(v, "package"), *ver = jstr(v, "version");
    if (id > 0 && eco && pkg && find_review(w, (uint64_t)id) == NULL) {
        if (w->nrv == w->caprv) {
            size_t cap = w->caprv ? 2 * w->caprv : 32;
            chain_review_t *nv = realloc(w->rv, cap * sizeof(*nv));
            if (nv == NULL)
                return;
            w->rv = nv;
            w->caprv = cap;
        }
        chain_review_t *c = &w->rv[w->nrv++];
        memset(c, 0, sizeof(*c));
        c->id = (uint64_t)id;
        c->seq = seq;
        c->kind = !strcmp(type, "approval") ? REVIEW_APPROVAL : REVIEW_BLOCK;
        snprintf(c->eco, sizeof(c->eco), "%s", eco);
        c->package = strdup(pkg);
        c->version = strdup(ver ? ver : "");
        c->expires_s = c->kind == REVIEW_APPROVAL ? secs_of(jstr(v, "expires_at")) : TIME_NONE;
    } else if (id > 0 && find_review(w, (uint64_t)id)) {
        problem(w->r, seq, "malformed", "record %" PRIu64 " adds %s %" PRId64 ", which an earlier record added", seq,
                type, id);
    }
}

/* approvals, blocks, their ends and token changes, as the chain has them;
 * an approval_set record adds every approval of its "approvals" array */
static void collect(walk_t *w, uint64_t seq, const char *type, const char *rec, size_t n)
{
    int review = !strcmp(type, "approval") || !strcmp(type, "block");
    int set = !strcmp(type, "approval_set");
    int ended = !strcmp(type, "approval_revoked") || !strcmp(type, "block_removed");
    int token = !strcmp(type, "token_added") || !strcmp(type, "token_revoked");
    if (!review && !set && !ended && !token)
        return;
    char *text = strndup(rec, n);
    yajl_val v = text ? yajl_tree_parse(text, NULL, 0) : NULL;
    free(text);
    if (v == NULL) {
        problem(w->r, seq, "malformed", "record %" PRIu64 " (%s) is not JSON", seq, type);
        return;
    }
    if (review) {
        collect_review(w, seq, type, v);
    } else if (set) {
        const char *path[] = {"approvals", NULL};
        yajl_val a = yajl_tree_get(v, path, yajl_t_array);
        if (a == NULL)
            problem(w->r, seq, "malformed", "record %" PRIu64 " (approval_set) names no approvals", seq);
        for (size_t i = 0; a && i < YAJL_GET_ARRAY(a)->len; i++)
            collect_review(w, seq, "approval", YAJL_GET_ARRAY(a)->values[i]);
    } else if (ended) {
        int64_t id = jint(v, "id");
        chain_review_t *c = id > 0 ? find_review(w, (uint64_t)id) : NULL;
        if (c)
            c->ended_seq = seq;
    } else {
        const char *name = jstr(v, "name"), *role = jstr(v, "role");
        if (name && strlen(name) <= TOKEN_NAME_MAX) {
            chain_token_t *t = find_token(w, name);
            if (t == NULL) {
                if (w->ntk == w->captk) {
                    size_t cap = w->captk ? 2 * w->captk : 16;
                    chain_token_t *nt = realloc(w->tk, cap * sizeof(*nt));
                    if (nt == NULL)
                        goto out;
                    w->tk = nt;
                    w->captk = cap;
                }
                t = &w->tk[w->ntk++];
                memset(t, 0, sizeof(*t));
                snprintf(t->name, sizeof(t->name), "%s", name);
            }
            t->seq = seq;
            t->live = !strcmp(type, "token_added");
            if (t->live)
                snprintf(t->role, sizeof(t->role), "%s", role ? role : "");
        }
    }
out:
    yajl_tree_free(v);
}

static void note_anchor(walk_t *w, uint64_t seq, const char *hash)
{
    audit_anchor_check_t *a = &w->r->anchor;
    if (!a->given || a->seq != seq)
        return;
    w->anchor_seen = 1;
    if (CRYPTO_memcmp(hash, a->hash, 64) == 0) {
        a->ok = 1;
        snprintf(a->text, sizeof(a->text), "anchored head %" PRIu64 " matches", seq);
    } else {
        snprintf(a->text, sizeof(a->text),
                 "record %" PRIu64 " is not the anchored one: its hash is %.16s…, the anchor says %.16s… (the chain "
                 "was rewritten at or before record %" PRIu64 ")",
                 seq, hash, a->hash, seq);
    }
}

/* the stored head against the chain's end */
static void check_head(walk_t *w, MDB_txn *txn)
{
    audit_report_t *r = w->r;
    char raw[200];
    uint64_t hs = 0;
    char hh[65], tag[65], want[65];
    int have = audit_head_raw(txn, raw, sizeof(raw)) == 0;
    int form = have ? audit_head_parse(raw, strlen(raw), &hs, hh, tag) : 0;
    if (r->last_seq == 0 && !have)
        return;
    if (!have) {
        problem(r, r->last_seq, "head",
                "the head beside the chain is missing (removed, perhaps with records cut from the chain's end)");
        return;
    }
    if (form < 0) {
        problem(r, r->last_seq, "head", "the head beside the chain is malformed: %.80s", raw);
        return;
    }
    if (r->keyed_from) {
        if (form != 2 || audit_head_tag(hs, hh, want) != 0 || CRYPTO_memcmp(want, tag, 64) != 0) {
            problem(r, r->last_seq, "head",
                    "the head beside the chain (record %" PRIu64 ") does not verify under the key: it was rewritten "
                    "by someone without the key, as when records are cut from the chain's end",
                    hs);
            return;
        }
    }
    if (hs > r->last_seq) {
        problem(r, r->last_seq + 1, "truncated",
                "the head beside the chain vouches for record %" PRIu64 " but the chain ends at record %" PRIu64
                ": it was truncated (records %" PRIu64 "..%" PRIu64 " removed)",
                hs, r->last_seq, r->last_seq + 1, hs);
    } else if (hs < r->last_seq) {
        problem(r, hs + 1, "head",
                "records %" PRIu64 "..%" PRIu64 " follow the record the head beside the chain vouches for (%" PRIu64
                "): appended without the key, or the head was replayed",
                hs + 1, r->last_seq, hs);
    } else if (memcmp(hh, r->head, 64) != 0) {
        problem(r, hs, "edited", "the last record %" PRIu64 " was edited: the head beside the chain vouches for other bytes",
                hs);
    }
}

static void describe_review(const review_t *s, char *out, size_t n)
{
    snprintf(out, n, "%s %" PRIu64 " (%s %s%s%s)", s->kind == REVIEW_APPROVAL ? "approval" : "block", s->id,
             eco_name(s->eco), s->package, s->version[0] ? "@" : "", s->version);
}

static void check_reviews(walk_t *w, MDB_txn *txn)
{
    audit_report_t *r = w->r;
    MDB_cursor *c;
    if (mdb_cursor_open(txn, store_dbi(DB_REVIEWS), &c) != 0)
        return;
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        uint64_t id = u64_from_key(k.mv_data, k.mv_size);
        review_t s;
        r->reviews++;
        if (review_decode(id, v.mv_data, v.mv_size, &s) != 0) {
            problem(r, 0, "malformed", "approval or block %" PRIu64 " in the store is damaged", id);
            continue;
        }
        const char *kind = s.kind == REVIEW_APPROVAL ? "approval" : "block";
        char what[600];
        describe_review(&s, what, sizeof(what));
        int active = s.ended_at == TIME_NONE;
        chain_review_t *ch = find_review(w, id);
        if (ch == NULL) {
            /* what is at the record it names now */
            char there[80] = ", which does not exist";
            unsigned char key[8];
            u64_key(s.audit_seq, key);
            MDB_val rk = {8, key}, rv;
            if (s.audit_seq > r->last_seq)
                snprintf(there, sizeof(there), ", beyond the chain's end");
            else if (mdb_get(txn, store_dbi(DB_DECISIONS), &rk, &rv) == 0) {
                char type[32];
                audit_record_type(rv.mv_data, rv.mv_size, type, sizeof(type));
                snprintf(there, sizeof(there), ", which is a%s %s record", strchr("aeiou", type[0]) ? "n" : "",
                         type[0] ? type : "malformed");
            }
            problem(r, s.audit_seq, kind,
                    "%s%s: no chain record accounts for it (it names record %" PRIu64
                    "%s): it was added to the store directly, or its record was cut",
                    what, active ? ", in force" : "", s.audit_seq, there);
        } else {
            ch->seen = 1;
            int64_t es = s.expires_at == TIME_NONE ? TIME_NONE : s.expires_at / 1000;
            if (ch->kind != (int)s.kind || strcmp(ch->eco, eco_name(s.eco)) != 0 || strcmp(ch->package, s.package) != 0 ||
                strcmp(ch->version, s.version) != 0 || ch->expires_s != es || ch->seq != s.audit_seq)
                problem(r, ch->seq, kind,
                        "%s differs from chain record %" PRIu64 " that made it (%s %s %s@%s%s): the store was edited",
                        what, ch->seq, ch->kind == REVIEW_APPROVAL ? "approval" : "block", ch->eco, ch->package,
                        ch->version, ch->expires_s != es ? ", another expiry" : "");
            if (active && ch->ended_seq)
                problem(r, ch->ended_seq, kind, "%s is in force in the store, but chain record %" PRIu64 " ended it",
                        what, ch->ended_seq);
            else if (!active && !ch->ended_seq)
                problem(r, ch->seq, kind, "%s is marked ended in the store, but no chain record ends it", what);
        }
        review_free(&s);
    }
    mdb_cursor_close(c);
    for (size_t i = 0; i < w->nrv; i++)
        if (!w->rv[i].seen)
            problem(r, w->rv[i].seq, w->rv[i].kind == REVIEW_APPROVAL ? "approval" : "block",
                    "%s %" PRIu64 " (%s %s%s%s) of chain record %" PRIu64 " is not in the store: it was deleted",
                    w->rv[i].kind == REVIEW_APPROVAL ? "approval" : "block", w->rv[i].id, w->rv[i].eco,
                    w->rv[i].package, w->rv[i].version[0] ? "@" : "", w->rv[i].version, w->rv[i].seq);
}

static void check_tokens(walk_t *w, MDB_txn *txn)
{
    audit_report_t *r = w->r;
    MDB_cursor *c;
    if (mdb_cursor_open(txn, store_dbi(DB_TOKENS), &c) != 0)
        return;
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        char name[TOKEN_NAME_MAX + 1];
        snprintf(name, sizeof(name), "%.*s", (int)(k.mv_size > TOKEN_NAME_MAX ? TOKEN_NAME_MAX : k.mv_size),
                 (const char *)k.mv_data);
        role_t role;
        int64_t created;
        const unsigned char *hash;
        r->tokens++;
        if (tokens_decode(&v, &role, &created, &hash) != 0) {
            problem(r, 0, "malformed", "token %s in the store is damaged", name);
            continue;
        }
        chain_token_t *t = find_token(w, name);
        if (t == NULL) {
            problem(r, 0, "token",
                    "token %s (%s): no chain record accounts for it: it was added to the store directly, or its "
                    "record was cut",
                    name, role_name(role));
            continue;
        }
        t->seen = 1;
        if (!t->live)
            problem(r, t->seq, "token", "token %s (%s) is in the store, but chain record %" PRIu64 " revoked it", name,
                    role_name(role), t->seq);
        else if (strcmp(t->role, role_name(role)) != 0)
            problem(r, t->seq, "token", "token %s is %s in the store, but %s in chain record %" PRIu64, name,
                    role_name(role), t->role, t->seq);
    }
    mdb_cursor_close(c);
    for (size_t i = 0; i < w->ntk; i++)
        if (w->tk[i].live && !w->tk[i].seen)
            problem(r, w->tk[i].seq, "token",
                    "token %s of chain record %" PRIu64 " is gone from the store, and no chain record revoked it",
                    w->tk[i].name, w->tk[i].seq);
}

static void walk_free(walk_t *w)
{
    for (size_t i = 0; i < w->nrv; i++) {
        free(w->rv[i].package);
        free(w->rv[i].version);
    }
    free(w->rv);
    free(w->tk);
}

/* records from..to each do not follow the one before: one edit shows as
 * one broken link; a run of them is history rewritten without the key */
static void report_links(audit_report_t *r, uint64_t from, uint64_t to, int after_run)
{
    if (from == to && after_run)
        problem(r, from, "edited",
                "record %" PRIu64 " does not follow from the pruned run before it: it was edited, or the run was", from);
    else if (from == to)
        problem(r, from - 1, "edited",
                "record %" PRIu64 " does not follow from record %" PRIu64 ": record %" PRIu64
                " was edited (or this one's prev was)",
                from, from - 1, from - 1);
    else
        problem(r, from - 1, "edited",
                "records %" PRIu64 "..%" PRIu64 " each do not follow from the record before: the chain was rewritten "
                "from record %" PRIu64 " on by someone without the key",
                from, to, from - 1);
}

/* one record of the keyed marker */
static int on_marker(walk_t *w, uint64_t seq, const char *rec, size_t n)
{
    audit_report_t *r = w->r;
    if (r->keyed_from) {
        problem(r, seq, "keyed_part", "record %" PRIu64 " is a second keyed marker (the first is record %" PRIu64 ")",
                seq, r->keyed_from);
        return 0;
    }
    r->keyed_from = seq;
    r->legacy_records = seq - 1;
    char *text = strndup(rec, n);
    yajl_val v = text ? yajl_tree_parse(text, NULL, 0) : NULL;
    free(text);
    const char *kid = v ? jstr(v, "key_id") : NULL;
    snprintf(r->key_id, sizeof(r->key_id), "%s", kid ? kid : "");
    int64_t legacy = v ? jint(v, "legacy_records") : -1;
    const char *stored = v ? jstr(v, "legacy_head_stored") : NULL;
    if (legacy != (int64_t)(seq - 1))
        problem(r, seq, "keyed_part", "the keyed marker (record %" PRIu64 ") says %" PRId64 " unkeyed records precede it",
                seq, legacy);
    if (stored)
        problem(r, seq - 1, "head",
                "when the chain was keyed (record %" PRIu64 "), the old head beside it (%.80s) did not vouch for the last "
                "unkeyed record %" PRIu64,
                seq, stored, seq - 1);
    if (v)
        yajl_tree_free(v);
    if (strcmp(r->key_id, audit_key_id()) != 0) {
        problem(r, seq, "wrong_key",
                "the chain was keyed (record %" PRIu64 ") with key id %s; the key loaded has id %s: verify with the key "
                "the server uses (audit.key_file)",
                seq, r->key_id[0] ? r->key_id : "(none)", audit_key_id());
        w->key_mismatch = 1;
    }
    return 0;
}

static void walk_chain(walk_t *w, MDB_txn *txn, MDB_cursor *c)
{
    audit_report_t *r = w->r;
    uint64_t expect = 1;
    char head[65];
    memcpy(head, AUDIT_ZERO_HASH, 65);
    int link_unknown = 0, keyed = 0, prev_pruned = 0, broken_after_run = 0;
    uint64_t broken_from = 0, broken_to = 0; /* consecutive records that do not follow the one before */
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !w->key_mismatch;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const char *rec = v.mv_data;
        size_t n = v.mv_size;
        if (k.mv_size != 8) {
            problem(r, 0, "malformed", "the chain holds a key that is not a sequence number");
            continue;
        }
        uint64_t seq = u64_from_key(k.mv_data, k.mv_size);
        if (seq > expect) {
            problem(r, expect, "removed", "records %" PRIu64 "..%" PRIu64 " are missing: removed from the chain", expect,
                    seq - 1);
            if (r->anchor.given && r->anchor.seq >= expect && r->anchor.seq < seq) {
                w->anchor_seen = 1;
                snprintf(r->anchor.text, sizeof(r->anchor.text), "the anchored record %" PRIu64 " is among the removed",
                         r->anchor.seq);
            }
            link_unknown = 1;
        }
        char type[32];
        audit_record_type(rec, n, type, sizeof(type));
        const char *prev = audit_record_prev(rec, n);
        if (!audit_record_seq_matches(rec, n, seq) || prev == NULL) {
            problem(r, seq, "malformed", "record %" PRIu64 " is malformed (%s)", seq,
                    prev ? "it does not carry its own sequence number" : "it has no \"prev\" at its end");
        } else if (!link_unknown && memcmp(prev, head, 64) != 0) {
            if (broken_from == 0)
                broken_from = seq;
            broken_to = seq;
            broken_after_run = prev_pruned;
        } else if (broken_from) {
            report_links(r, broken_from, broken_to, broken_after_run);
            broken_from = 0;
        }
        if (!strcmp(type, "pruned")) {
            uint64_t through, count;
            int64_t before;
            char last[65];
            int tag = audit_pruned_read(rec, n, &through, &count, last, &before);
            if (tag >= 0 && through >= seq) {
                if (tag == 0)
                    problem(r, seq, "edited",
                            "the pruned run at record %" PRIu64 " (through %" PRIu64 ") was changed: its tag does not "
                            "verify under the key",
                            seq, through);
                r->pruned_records += count;
                r->pruned_runs++;
                if (through > r->pruned_through)
                    r->pruned_through = through;
                char b[40];
                time_format_iso8601(before, b, sizeof(b), 0);
                if (before != TIME_NONE && strcmp(b, r->pruned_before) > 0)
                    snprintf(r->pruned_before, sizeof(r->pruned_before), "%s", b);
                if (r->anchor.given && r->anchor.seq >= seq && r->anchor.seq <= through) {
                    if (r->anchor.seq == through) {
                        note_anchor(w, through, last);
                    } else {
                        w->anchor_seen = 1;
                        r->anchor.ok = 1;
                        snprintf(r->anchor.text, sizeof(r->anchor.text),
                                 "the anchored record %" PRIu64 " was pruned under journal.keep; the chain runs past it "
                                 "and the run standing for it verifies",
                                 r->anchor.seq);
                    }
                }
                memcpy(head, last, 65);
                expect = through + 1;
                r->last_seq = through;
                link_unknown = 0;
                prev_pruned = 1;
                continue;
            }
            problem(r, seq, "malformed", "record %" PRIu64 " calls itself a pruned run but is malformed", seq);
        }
        prev_pruned = 0;
        if (!strcmp(type, "audit_keyed")) {
            on_marker(w, seq, rec, n);
            keyed = 1;
        } else if (!strcmp(type, "audit_anomaly")) {
            char *text = strndup(rec, n);
            yajl_val jv = text ? yajl_tree_parse(text, NULL, 0) : NULL;
            free(text);
            const char *found = jv ? jstr(jv, "found") : NULL;
            problem(r, seq, "anomaly", "at record %" PRIu64 " the server found the chain changed under it: %s", seq,
                    found ? found : "(unreadable)");
            if (jv)
                yajl_tree_free(jv);
        } else {
            collect(w, seq, type, rec, n);
        }
        if (audit_record_hash(keyed, rec, n, head) != 0) {
            problem(r, seq, "wrong_key", "no audit key is loaded: the keyed part cannot be checked");
            w->key_mismatch = 1;
        }
        note_anchor(w, seq, head);
        r->records++;
        r->last_seq = seq;
        link_unknown = 0;
        expect = seq + 1;
    }
    if (broken_from)
        report_links(r, broken_from, broken_to, broken_after_run);
    memcpy(r->head, head, 65);
}

int audit_anchor_parse(const char *s, uint64_t *seq, char hash[65])
{
    char *end;
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != ':' || strlen(end + 1) != 64 || v == 0)
        return -1;
    for (int i = 0; i < 64; i++) {
        char c = end[1 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return -1;
    }
    *seq = v;
    memcpy(hash, end + 1, 64);
    hash[64] = '\0';
    return 0;
}

int audit_verify_anchored(const char *anchor, audit_report_t *out)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->head, AUDIT_ZERO_HASH, 65);
    if (anchor) {
        out->anchor.given = 1;
        if (audit_anchor_parse(anchor, &out->anchor.seq, out->anchor.hash) != 0)
            return -1;
    }
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_DECISIONS, &txn, &c) != 0)
        return -1;
    out->ok = 1;
    walk_t w = {.r = out};
    walk_chain(&w, txn, c);
    mdb_cursor_close(c);
    if (!w.key_mismatch) {
        if (out->records > 0 && out->keyed_from == 0)
            problem(out, 1, "keyed_part",
                    "the chain has no keyed part: none of its %" PRIu64 " records is under the key (a store no server of "
                    "this version has started on yet, or one rewritten by someone without the key)",
                    out->records);
        check_head(&w, txn);
        check_reviews(&w, txn);
        check_tokens(&w, txn);
    }
    if (out->anchor.given) {
        if (out->anchor.seq > out->last_seq) {
            snprintf(out->anchor.text, sizeof(out->anchor.text),
                     "the anchored head is record %" PRIu64 " but the chain ends at record %" PRIu64
                     ": it was truncated (or rewritten)",
                     out->anchor.seq, out->last_seq);
            w.anchor_seen = 1;
        } else if (!w.anchor_seen) {
            snprintf(out->anchor.text, sizeof(out->anchor.text), "the anchored record %" PRIu64 " is not in the chain",
                     out->anchor.seq);
        }
        if (!out->anchor.ok)
            problem(out, out->anchor.seq, out->anchor.seq > out->last_seq ? "truncated" : "anchor", "%s",
                    out->anchor.text);
    }
    walk_free(&w);
    store_read_end(txn);
    return 0;
}

int audit_verify(audit_report_t *out) { return audit_verify_anchored(NULL, out); }

/* ---- reporting ---- */

void audit_report_json(const audit_report_t *r, buf_t *b)
{
    int first = 1;
    buf_putc(b, '{');
    json_kv_bool(b, &first, "ok", r->ok);
    json_kv_int(b, &first, "records", (int64_t)r->records);
    json_kv_int(b, &first, "last_seq", (int64_t)r->last_seq);
    json_kv_str(b, &first, "head", r->head);
    char anchor[100];
    snprintf(anchor, sizeof(anchor), "%" PRIu64 ":%s", r->last_seq, r->head);
    json_kv_str(b, &first, "head_anchor", anchor);
    if (r->keyed_from) {
        json_kv_int(b, &first, "keyed_from", (int64_t)r->keyed_from);
        json_kv_str(b, &first, "key_id", r->key_id);
    } else {
        json_kv_raw(b, &first, "keyed_from", "null", 4);
    }
    json_kv_int(b, &first, "legacy_records", (int64_t)r->legacy_records);
    if (r->pruned_runs) {
        buf_puts(b, ",\"pruned\":{");
        int f = 1;
        json_kv_int(b, &f, "records", (int64_t)r->pruned_records);
        json_kv_int(b, &f, "runs", (int64_t)r->pruned_runs);
        json_kv_int(b, &f, "through", (int64_t)r->pruned_through);
        json_kv_str(b, &f, "before", r->pruned_before);
        buf_putc(b, '}');
    } else {
        json_kv_raw(b, &first, "pruned", "null", 4);
    }
    json_kv_int(b, &first, "reviews_checked", (int64_t)r->reviews);
    json_kv_int(b, &first, "tokens_checked", (int64_t)r->tokens);
    if (r->anchor.given) {
        buf_puts(b, ",\"anchor\":{");
        int f = 1;
        json_kv_int(b, &f, "seq", (int64_t)r->anchor.seq);
        json_kv_bool(b, &f, "ok", r->anchor.ok);
        json_kv_str(b, &f, "text", r->anchor.text);
        buf_putc(b, '}');
    }
    if (!r->ok) {
        json_kv_int(b, &first, "broken_at", (int64_t)r->broken_at);
        json_kv_str(b, &first, "error", r->error);
    }
    buf_puts(b, ",\"problems\":[");
    for (size_t i = 0; i < r->nproblems; i++) {
        int f = 1;
        buf_puts(b, i ? ",{" : "{");
        if (r->problems[i].seq)
            json_kv_int(b, &f, "seq", (int64_t)r->problems[i].seq);
        else
            json_kv_raw(b, &f, "seq", "null", 4);
        json_kv_str(b, &f, "kind", r->problems[i].kind);
        json_kv_str(b, &f, "error", r->problems[i].text);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
    json_kv_int(b, &first, "problems_total", (int64_t)r->problems_total);
    buf_putc(b, '}');
}

void audit_report_text(const audit_report_t *r, buf_t *b)
{
    if (r->ok)
        buf_printf(b, "audit chain intact: %" PRIu64 " records, head %" PRIu64 ":%s\n", r->records, r->last_seq,
                   r->head);
    else
        buf_printf(b, "audit chain BROKEN at record %" PRIu64 ": %s\n", r->broken_at, r->error);
    if (r->keyed_from)
        buf_printf(b, "  keyed (HMAC-SHA-256, key id %s) from record %" PRIu64 "\n", r->key_id, r->keyed_from);
    if (r->legacy_records)
        buf_printf(b,
                   "  records 1..%" PRIu64 " are unkeyed (plain SHA-256, written before the chain was keyed); the keyed "
                   "marker at record %" PRIu64 " seals them\n",
                   r->legacy_records, r->keyed_from);
    if (r->pruned_runs)
        buf_printf(b,
                   "  %" PRIu64 " decision records older than %s were pruned under journal.keep (in %" PRIu64
                   " run%s, up to and through record %" PRIu64 "); each run stands in the chain for what it "
                   "dropped and verifies\n",
                   r->pruned_records, r->pruned_before, r->pruned_runs, r->pruned_runs == 1 ? "" : "s",
                   r->pruned_through);
    buf_printf(b, "  checked %" PRIu64 " approvals and blocks and %" PRIu64 " tokens against the chain\n", r->reviews,
               r->tokens);
    if (r->anchor.given)
        buf_printf(b, "  %s\n", r->anchor.text);
    if (!r->ok) {
        buf_printf(b, "  %zu problem%s:\n", r->problems_total, r->problems_total == 1 ? "" : "s");
        for (size_t i = 0; i < r->nproblems; i++)
            buf_printf(b, "  - %s: %s\n", r->problems[i].kind, r->problems[i].text);
        if (r->problems_total > r->nproblems)
            buf_printf(b, "  - … and %zu more\n", r->problems_total - r->nproblems);
    }
}
