/* audit: appending to the keyed hash chain, its head, and the pieces that
 * verification and retention share (see audit.h). */
#include "journal/audit.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "journal/audit_key.h"
#include "store/record.h"

#define HEAD_KEY "audit_head"
#define KEYED_FROM_KEY "audit_keyed_from"
#define KEY_FILE_KEY "audit_key_file"
#define HEAD_LABEL "cordon audit head\n"

static const char ZERO_HASH[] = AUDIT_ZERO_HASH;

/* ---- records ---- */

int audit_record_hash(int keyed, const void *p, size_t n, char out[65])
{
    if (!keyed) {
        sha256_hex(p, n, out);
        return 0;
    }
    return audit_hmac_hex(p, n, out);
}

const char *audit_record_prev(const char *rec, size_t n)
{
    static const char tail[] = ",\"prev\":\"";
    size_t tl = sizeof(tail) - 1;
    if (n < tl + 64 + 2 || rec[n - 1] != '}' || rec[n - 2] != '"')
        return NULL;
    const char *p = rec + n - 2 - 64 - tl;
    return memcmp(p, tail, tl) == 0 ? p + tl : NULL;
}

int audit_record_seq_matches(const char *rec, size_t n, uint64_t seq)
{
    char want[40];
    int w = snprintf(want, sizeof(want), "{\"seq\":%" PRIu64 ",", seq);
    return (size_t)w <= n && memcmp(rec, want, (size_t)w) == 0;
}

void audit_record_type(const char *rec, size_t n, char *out, size_t outlen)
{
    static const char pat[] = "\"type\":\"";
    out[0] = '\0';
    const char *p = memmem(rec, n < 80 ? n : 80, pat, sizeof(pat) - 1);
    if (p == NULL)
        return;
    p += sizeof(pat) - 1;
    size_t o = 0;
    while (p < rec + n && *p != '"' && o + 1 < outlen)
        out[o++] = *p++;
    out[o] = '\0';
}

static int state_get(MDB_txn *txn, const char *key, MDB_val *v)
{
    MDB_val k = {strlen(key), (void *)key};
    return mdb_get(txn, store_dbi(DB_STATE), &k, v);
}

static int state_put(MDB_txn *txn, const char *key, const char *value, size_t n)
{
    MDB_val k = {strlen(key), (void *)key}, v = {n, (void *)value};
    return mdb_put(txn, store_dbi(DB_STATE), &k, &v, 0);
}

uint64_t audit_keyed_from_noted(MDB_txn *txn)
{
    MDB_val v;
    if (state_get(txn, KEYED_FROM_KEY, &v) != 0 || v.mv_size == 0 || v.mv_size > 20)
        return 0;
    char s[24];
    memcpy(s, v.mv_data, v.mv_size);
    s[v.mv_size] = '\0';
    return strtoull(s, NULL, 10);
}

/* ---- the head ---- */

int audit_head_tag(uint64_t seq, const char *hash, char out[65])
{
    char in[120];
    int n = snprintf(in, sizeof(in), HEAD_LABEL "%" PRIu64 ":%.64s", seq, hash);
    return audit_hmac_hex(in, (size_t)n, out);
}

static int is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int audit_head_parse(const void *v, size_t n, uint64_t *seq, char hash[65], char tag[65])
{
    char s[200];
    if (n == 0 || n >= sizeof(s))
        return -1;
    memcpy(s, v, n);
    s[n] = '\0';
    char *end;
    errno = 0;
    *seq = strtoull(s, &end, 10);
    if (errno || end == s || *end != ' ' || strlen(end + 1) < 64 || !is_hex64(end + 1))
        return -1;
    memcpy(hash, end + 1, 64);
    hash[64] = '\0';
    const char *rest = end + 65;
    if (*rest == '\0')
        return 1;
    if (*rest != ' ' || strlen(rest + 1) != 64 || !is_hex64(rest + 1))
        return -1;
    memcpy(tag, rest + 1, 64);
    tag[64] = '\0';
    return 2;
}

int audit_head_raw(MDB_txn *txn, char *out, size_t outlen)
{
    MDB_val v;
    int rc = state_get(txn, HEAD_KEY, &v);
    if (rc)
        return rc;
    snprintf(out, outlen, "%.*s", (int)(v.mv_size > 190 ? 190 : v.mv_size), (const char *)v.mv_data);
    return 0;
}

/* 1 when the stored head's tag verifies (seq and hash set) */
static int head_verified(MDB_txn *txn, uint64_t *seq, char hash[65])
{
    MDB_val v;
    char tag[65], want[65];
    if (state_get(txn, HEAD_KEY, &v) != 0 || audit_head_parse(v.mv_data, v.mv_size, seq, hash, tag) != 2)
        return 0;
    return audit_head_tag(*seq, hash, want) == 0 && CRYPTO_memcmp(want, tag, 64) == 0;
}

static int write_head(MDB_txn *txn, uint64_t seq, const char *hash)
{
    char tag[65], head[200];
    if (audit_head_tag(seq, hash, tag) != 0)
        return EACCES;
    int n = snprintf(head, sizeof(head), "%" PRIu64 " %s %s", seq, hash, tag);
    return state_put(txn, HEAD_KEY, head, (size_t)n);
}

int audit_head_get(uint64_t *seq, char hash[65])
{
    MDB_txn *txn;
    if (store_read_begin(&txn) != 0)
        return -1;
    int ok = head_verified(txn, seq, hash);
    store_read_end(txn);
    return ok ? 0 : 1;
}

/* ---- appending ---- */

typedef struct tail {
    uint64_t seq; /* 0 when the chain is empty */
    char hash[65];
} tail_t;

/* the last record and its hash (keyed from keyed_from on) */
static int read_tail(MDB_txn *txn, uint64_t keyed_from, tail_t *t)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, store_dbi(DB_DECISIONS), &c);
    if (rc)
        return rc;
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    if (rc == 0) {
        t->seq = u64_from_key(k.mv_data, k.mv_size);
        rc = audit_record_hash(keyed_from && t->seq >= keyed_from, v.mv_data, v.mv_size, t->hash) ? EACCES : 0;
    } else if (rc == MDB_NOTFOUND) {
        t->seq = 0;
        memcpy(t->hash, ZERO_HASH, 65);
        rc = 0;
    }
    mdb_cursor_close(c);
    return rc;
}

/* writes {"seq":seq,"type":type,"time":…,members,"prev":prev}; hash_out gets its HMAC */
static int put_record(MDB_txn *txn, uint64_t seq, const char *type, int64_t time_ms, const char *members,
                      size_t mlen, const char *prev, int keyed, char hash_out[65])
{
    char when[40];
    time_format_iso8601(time_ms, when, sizeof(when), 1);
    buf_t rec;
    buf_init(&rec);
    int first = 1;
    buf_putc(&rec, '{');
    json_kv_int(&rec, &first, "seq", (int64_t)seq);
    json_kv_str(&rec, &first, "type", type);
    json_kv_str(&rec, &first, "time", when);
    if (mlen) {
        buf_putc(&rec, ',');
        buf_append(&rec, members, mlen);
    }
    buf_puts(&rec, ",\"prev\":\"");
    buf_append(&rec, prev, 64);
    buf_puts(&rec, "\"}");
    if (rec.oom) {
        buf_free(&rec);
        return ENOMEM;
    }
    unsigned char key[8];
    u64_key(seq, key);
    MDB_val k = {8, key}, v = {rec.len, rec.data};
    int rc = mdb_put(txn, store_dbi(DB_DECISIONS), &k, &v, MDB_APPEND);
    if (rc == 0 && audit_record_hash(keyed, rec.data, rec.len, hash_out) != 0)
        rc = EACCES;
    buf_free(&rec);
    return rc;
}

/* the first keyed record: seals the unkeyed records before it */
static int append_marker(MDB_txn *txn, uint64_t *marker_seq, uint64_t *legacy)
{
    tail_t t;
    int rc = read_tail(txn, 0, &t);
    if (rc)
        return rc;
    buf_t m;
    buf_init(&m);
    int first = 1;
    json_kv_str(&m, &first, "alg", "hmac-sha256");
    json_kv_str(&m, &first, "key_id", audit_key_id());
    json_kv_int(&m, &first, "legacy_records", (int64_t)t.seq);
    json_kv_str(&m, &first, "legacy_head", t.hash);
    /* the old head, unkeyed, vouched for the last unkeyed record: say when it did not */
    char raw[200];
    uint64_t hs = 0;
    char hh[65], tag[65];
    int have = audit_head_raw(txn, raw, sizeof(raw)) == 0;
    if (t.seq > 0 && (!have || audit_head_parse(raw, strlen(raw), &hs, hh, tag) < 1 || hs != t.seq ||
                      memcmp(hh, t.hash, 64) != 0))
        json_kv_str(&m, &first, "legacy_head_stored", have ? raw : "(none)");
    char hash[65];
    uint64_t seq = t.seq + 1;
    rc = m.oom ? ENOMEM : put_record(txn, seq, "audit_keyed", time_now_ms(), m.data, m.len, t.hash, 1, hash);
    buf_free(&m);
    char s[24];
    int n = snprintf(s, sizeof(s), "%" PRIu64, seq);
    if (rc == 0)
        rc = state_put(txn, KEYED_FROM_KEY, s, (size_t)n);
    if (rc == 0)
        rc = write_head(txn, seq, hash);
    if (rc == 0) {
        *marker_seq = seq;
        *legacy = t.seq;
    }
    return rc;
}

/* one process appends many records per transaction (the decision log's
 * group commit): what the last append of this thread left behind saves
 * reading and hashing the tail again. It is used only while the store
 * still shows exactly that: the same last record and the same head bytes. */
static __thread struct {
    uint64_t seq, keyed_from;
    char hash[65];
    char head[200];
    size_t head_len;
} t_last;

static int cache_valid(MDB_txn *txn)
{
    if (t_last.seq == 0)
        return 0;
    MDB_val hv;
    if (state_get(txn, HEAD_KEY, &hv) != 0 || hv.mv_size != t_last.head_len ||
        memcmp(hv.mv_data, t_last.head, hv.mv_size) != 0)
        return 0;
    MDB_cursor *c;
    MDB_val k, v;
    int ok = 0;
    if (mdb_cursor_open(txn, store_dbi(DB_DECISIONS), &c) == 0) {
        ok = mdb_cursor_get(c, &k, &v, MDB_LAST) == 0 && u64_from_key(k.mv_data, k.mv_size) == t_last.seq;
        mdb_cursor_close(c);
    }
    return ok;
}

/* where the next record goes and what it carries as prev; an "audit_anomaly"
 * record first when the head and the chain disagree */
static int next_position(MDB_txn *txn, uint64_t keyed_from, uint64_t *next, char prev[65])
{
    tail_t t;
    int rc = read_tail(txn, keyed_from, &t);
    if (rc)
        return rc;
    uint64_t hs = 0;
    char hh[65];
    int valid = head_verified(txn, &hs, hh);
    if (valid && hs == t.seq && memcmp(hh, t.hash, 64) == 0) {
        *next = t.seq + 1;
        memcpy(prev, hh, 65);
        return 0;
    }
    /* Someone changed the store under the chain. Continuing from a head
     * that verifies keeps the evidence in the chain: removed records stay
     * a gap, a changed last record stays a broken link. */
    char raw[200] = "";
    int have = audit_head_raw(txn, raw, sizeof(raw)) == 0;
    const char *found = !have             ? "the head beside the chain is missing"
                        : !valid          ? "the head beside the chain does not verify under the key: it was rewritten, "
                                            "as when records are cut from the chain's end"
                        : hs > t.seq      ? "the chain ends before the head beside it (records were removed from its end)"
                        : hs < t.seq      ? "records follow the head beside the chain (appended without the key)"
                                          : "the last record is not the one the head beside the chain vouches for";
    buf_t m;
    buf_init(&m);
    int first = 1;
    json_kv_str(&m, &first, "found", found);
    json_kv_int(&m, &first, "tail_seq", (int64_t)t.seq);
    json_kv_str(&m, &first, "tail_hash", t.hash);
    json_kv_str(&m, &first, "head", have ? raw : "(none)");
    uint64_t at = valid && hs > t.seq ? hs + 1 : t.seq + 1;
    const char *from = valid ? hh : t.hash;
    char hash[65];
    rc = m.oom ? ENOMEM : put_record(txn, at, "audit_anomaly", time_now_ms(), m.data, m.len, from, 1, hash);
    buf_free(&m);
    if (rc)
        return rc;
    char msg[400];
    snprintf(msg, sizeof(msg), "audit chain: %s; recorded as record %" PRIu64 " (type audit_anomaly); run cordon audit verify",
             found, at);
    log_event(LOG_ERROR, msg, (const log_field_t[]){LOG_INT("tail_seq", t.seq), LOG_END});
    *next = at + 1;
    memcpy(prev, hash, 65);
    return 0;
}

int audit_append(MDB_txn *txn, const char *type, int64_t time_ms, const char *members, size_t mlen,
                 uint64_t *seq_out)
{
    if (!audit_key_present()) {
        log_event(LOG_ERROR, "audit chain: no key is loaded, nothing can be appended (audit.key_file)", NULL);
        return EACCES;
    }
    uint64_t next;
    char prev[65];
    int rc;
    if (cache_valid(txn)) {
        next = t_last.seq + 1;
        memcpy(prev, t_last.hash, 65);
    } else {
        uint64_t keyed_from = audit_keyed_from_noted(txn), legacy;
        if (keyed_from == 0 && (rc = append_marker(txn, &keyed_from, &legacy)) != 0)
            return rc;
        if ((rc = next_position(txn, keyed_from, &next, prev)) != 0)
            return rc;
        t_last.keyed_from = keyed_from;
    }
    char hash[65];
    t_last.seq = 0;
    rc = put_record(txn, next, type, time_ms, members, mlen, prev, 1, hash);
    if (rc == 0)
        rc = write_head(txn, next, hash);
    if (rc != 0)
        return rc;
    MDB_val hv;
    if (state_get(txn, HEAD_KEY, &hv) == 0 && hv.mv_size < sizeof(t_last.head)) {
        t_last.seq = next;
        memcpy(t_last.hash, hash, 65);
        memcpy(t_last.head, hv.mv_data, hv.mv_size);
        t_last.head_len = hv.mv_size;
    }
    if (seq_out)
        *seq_out = next;
    return 0;
}

typedef struct ensure_op {
    uint64_t keyed_from, legacy;
} ensure_op_t;

static int ensure_txn(MDB_txn *txn, void *arg)
{
    ensure_op_t *op = arg;
    op->keyed_from = audit_keyed_from_noted(txn);
    if (op->keyed_from) {
        MDB_val v;
        unsigned char key[8];
        u64_key(op->keyed_from, key);
        MDB_val k = {8, key};
        op->legacy = op->keyed_from - 1;
        if (mdb_get(txn, store_dbi(DB_DECISIONS), &k, &v) == 0)
            return 0;
        /* the noted marker is gone (cut): verification reports it; appends go on keyed */
        return 0;
    }
    return append_marker(txn, &op->keyed_from, &op->legacy);
}

int audit_ensure_keyed(uint64_t *keyed_from, uint64_t *legacy, char *err, size_t errlen)
{
    if (!audit_key_present()) {
        snprintf(err, errlen, "no audit key is loaded");
        return -1;
    }
    ensure_op_t op = {0, 0};
    if (store_write(ensure_txn, &op, err, errlen) != STORE_OK)
        return -1;
    *keyed_from = op.keyed_from;
    *legacy = op.legacy;
    return 0;
}

typedef struct note_op {
    const char *path;
} note_op_t;

static int note_txn(MDB_txn *txn, void *arg)
{
    const char *p = ((note_op_t *)arg)->path;
    return state_put(txn, KEY_FILE_KEY, p, strlen(p));
}

int audit_note_key_file(const char *path, char *err, size_t errlen)
{
    note_op_t op = {path};
    return store_write(note_txn, &op, err, errlen) == STORE_OK ? 0 : -1;
}

int audit_noted_key_file(char *out, size_t outlen)
{
    void *v;
    size_t n;
    if (store_get_copy(DB_STATE, KEY_FILE_KEY, sizeof(KEY_FILE_KEY) - 1, &v, &n) != STORE_OK)
        return -1;
    snprintf(out, outlen, "%.*s", (int)n, (const char *)v);
    free(v);
    return 0;
}

/* ---- one record, checked without walking the chain ---- */

/* the marker the state names, when it is one and genuine: its sequence number, else 0 */
static uint64_t genuine_marker(MDB_txn *txn)
{
    uint64_t m = audit_keyed_from_noted(txn);
    if (m == 0)
        return 0;
    unsigned char key[8];
    u64_key(m, key);
    MDB_val k = {8, key}, v;
    char type[32];
    if (mdb_get(txn, store_dbi(DB_DECISIONS), &k, &v) != 0)
        return 0;
    audit_record_type(v.mv_data, v.mv_size, type, sizeof(type));
    if (strcmp(type, "audit_keyed") != 0 || !audit_record_seq_matches(v.mv_data, v.mv_size, m))
        return 0;
    /* its hash must be what follows it vouches for */
    MDB_cursor *c;
    if (mdb_cursor_open(txn, store_dbi(DB_DECISIONS), &c) != 0)
        return 0;
    char hash[65];
    uint64_t ok = 0;
    MDB_val nk = k, nv;
    if (audit_record_hash(1, v.mv_data, v.mv_size, hash) == 0 && mdb_cursor_get(c, &nk, &nv, MDB_SET_KEY) == 0) {
        if (mdb_cursor_get(c, &nk, &nv, MDB_NEXT) == 0) {
            const char *p = audit_record_prev(nv.mv_data, nv.mv_size);
            ok = p && CRYPTO_memcmp(p, hash, 64) == 0 ? m : 0;
        } else {
            uint64_t hs;
            char hh[65];
            ok = head_verified(txn, &hs, hh) && hs == m && CRYPTO_memcmp(hh, hash, 64) == 0 ? m : 0;
        }
    }
    mdb_cursor_close(c);
    return ok;
}

int audit_record_genuine(MDB_txn *txn, uint64_t seq, MDB_val *rec, char *why, size_t whylen)
{
    unsigned char key[8];
    u64_key(seq, key);
    MDB_val k = {8, key}, v;
    int rc = mdb_get(txn, store_dbi(DB_DECISIONS), &k, &v);
    if (rc == MDB_NOTFOUND) {
        snprintf(why, whylen, "chain record %" PRIu64 " does not exist", seq);
        return 0;
    }
    if (rc)
        return -rc;
    if (!audit_record_seq_matches(v.mv_data, v.mv_size, seq) || audit_record_prev(v.mv_data, v.mv_size) == NULL) {
        snprintf(why, whylen, "chain record %" PRIu64 " is malformed", seq);
        return 0;
    }
    uint64_t marker = genuine_marker(txn);
    if (marker == 0) {
        snprintf(why, whylen, "the chain has no genuine keyed part, so record %" PRIu64 " cannot be checked", seq);
        return 0;
    }
    char hash[65];
    if (audit_record_hash(seq >= marker, v.mv_data, v.mv_size, hash) != 0) {
        snprintf(why, whylen, "no audit key is loaded");
        return 0;
    }
    MDB_cursor *c;
    if ((rc = mdb_cursor_open(txn, store_dbi(DB_DECISIONS), &c)) != 0)
        return -rc;
    MDB_val nk = k, nv;
    int ok = 0;
    rc = mdb_cursor_get(c, &nk, &nv, MDB_SET_KEY);
    if (rc == 0 && (rc = mdb_cursor_get(c, &nk, &nv, MDB_NEXT)) == 0) {
        const char *p = audit_record_prev(nv.mv_data, nv.mv_size);
        ok = p && CRYPTO_memcmp(p, hash, 64) == 0;
        if (!ok)
            snprintf(why, whylen, "chain record %" PRIu64 " is not the one record %" PRIu64 " follows (changed)", seq,
                     u64_from_key(nk.mv_data, nk.mv_size));
    } else if (rc == MDB_NOTFOUND) {
        uint64_t hs;
        char hh[65];
        ok = head_verified(txn, &hs, hh) && hs == seq && CRYPTO_memcmp(hh, hash, 64) == 0;
        if (!ok)
            snprintf(why, whylen, "chain record %" PRIu64 " is last but the head beside the chain does not vouch for it",
                     seq);
    }
    mdb_cursor_close(c);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return -rc;
    if (ok && rec)
        *rec = v;
    return ok;
}

/* ---- pruned runs ---- */

#define TAG_MEMBER ",\"tag\":\""
#define PREV_MEMBER "\",\"prev\":\""

int audit_pruned_build(buf_t *out, uint64_t first, uint64_t through, uint64_t count, int64_t time_ms,
                       int64_t before_ms, const char *last_hash, const char *prev)
{
    char when[40], before[40], now[40];
    time_format_iso8601(time_ms, when, sizeof(when), 1);
    time_format_iso8601(before_ms, before, sizeof(before), 1);
    time_format_iso8601(time_now_ms(), now, sizeof(now), 1);
    int f = 1;
    buf_putc(out, '{');
    json_kv_int(out, &f, "seq", (int64_t)first);
    json_kv_str(out, &f, "type", "pruned");
    json_kv_str(out, &f, "time", when);
    json_kv_int(out, &f, "through", (int64_t)through);
    json_kv_int(out, &f, "count", (int64_t)count);
    json_kv_str(out, &f, "before", before);
    json_kv_str(out, &f, "pruned_at", now);
    json_kv_str(out, &f, "last", last_hash);
    size_t tag_at = out->len + sizeof(TAG_MEMBER) - 1;
    buf_puts(out, TAG_MEMBER AUDIT_ZERO_HASH PREV_MEMBER);
    buf_append(out, prev, 64);
    buf_puts(out, "\"}");
    if (out->oom)
        return ENOMEM;
    char tag[65];
    if (audit_hmac_hex(out->data, out->len, tag) != 0)
        return EACCES;
    memcpy(out->data + tag_at, tag, 64);
    return 0;
}

static int64_t num_member(const char *rec, size_t n, const char *key)
{
    char pat[40];
    int pl = snprintf(pat, sizeof(pat), "\"%s\":", key);
    const char *p = memmem(rec, n, pat, (size_t)pl);
    return p ? strtoll(p + pl, NULL, 10) : -1;
}

static int str_member(const char *rec, size_t n, const char *key, char *out, size_t outlen)
{
    char pat[40];
    int pl = snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    const char *p = memmem(rec, n, pat, (size_t)pl);
    if (p == NULL)
        return -1;
    p += pl;
    const char *q = memchr(p, '"', (size_t)(rec + n - p));
    if (q == NULL || (size_t)(q - p) >= outlen)
        return -1;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
    return 0;
}

int audit_pruned_read(const char *rec, size_t n, uint64_t *through, uint64_t *count, char last[65],
                      int64_t *before_ms)
{
    static const char suffix_tag[] = TAG_MEMBER;
    size_t tl = sizeof(suffix_tag) - 1, pl = sizeof(PREV_MEMBER) - 1;
    /* …,"tag":"T(64)","prev":"A(64)"} */
    if (n < tl + 64 + pl + 64 + 2 + 20)
        return -1;
    const char *tag = rec + n - 2 - 64 - pl - 64;
    if (memcmp(tag - tl, suffix_tag, tl) != 0 || memcmp(tag + 64, PREV_MEMBER, pl) != 0)
        return -1;
    char type[16], before[40];
    audit_record_type(rec, n, type, sizeof(type));
    int64_t th = num_member(rec, n, "through"), cn = num_member(rec, n, "count");
    if (strcmp(type, "pruned") != 0 || th <= 0 || cn <= 0 || str_member(rec, n, "last", last, 65) != 0 ||
        strlen(last) != 64 || str_member(rec, n, "before", before, sizeof(before)) != 0)
        return -1;
    *through = (uint64_t)th;
    *count = (uint64_t)cn;
    *before_ms = time_parse_iso8601(before, strlen(before));
    char *copy = malloc(n);
    if (copy == NULL)
        return -1;
    memcpy(copy, rec, n);
    memcpy(copy + (tag - rec), ZERO_HASH, 64);
    char want[65];
    int ok = audit_hmac_hex(copy, n, want) == 0 && CRYPTO_memcmp(want, tag, 64) == 0;
    free(copy);
    return ok;
}
