/* audit: appending to and verifying the hash chain (see audit.h). */
#include "server/audit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/store.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/timeutil.h"

#define HEAD_KEY "audit_head"
static const char ZERO_HASH[] = "0000000000000000000000000000000000000000000000000000000000000000";

void audit_u64_key(uint64_t v, unsigned char out[8])
{
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)(v >> (56 - 8 * i));
}

uint64_t audit_u64_from_key(const void *p, size_t n)
{
    if (n != 8)
        return 0;
    const unsigned char *b = p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

/* the last record's sequence number and hash, from the chain itself */
static int chain_tail(MDB_txn *txn, uint64_t *seq, char hash[65])
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, store_dbi(DB_DECISIONS), &c);
    if (rc)
        return rc;
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    if (rc == 0) {
        *seq = audit_u64_from_key(k.mv_data, k.mv_size);
        sha256_hex(v.mv_data, v.mv_size, hash);
    } else if (rc == MDB_NOTFOUND) {
        *seq = 0;
        memcpy(hash, ZERO_HASH, 65);
        rc = 0;
    }
    mdb_cursor_close(c);
    return rc;
}

int audit_append(MDB_txn *txn, const char *type, int64_t time_ms, const char *members, size_t mlen,
                 uint64_t *seq_out)
{
    uint64_t seq;
    char prev[65];
    int rc = chain_tail(txn, &seq, prev);
    if (rc)
        return rc;
    seq++;
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
    buf_puts(&rec, prev);
    buf_puts(&rec, "\"}");
    if (rec.oom) {
        buf_free(&rec);
        return ENOMEM;
    }
    unsigned char key[8];
    audit_u64_key(seq, key);
    MDB_val k = {8, key}, v = {rec.len, rec.data};
    rc = mdb_put(txn, store_dbi(DB_DECISIONS), &k, &v, MDB_APPEND);
    if (rc == 0) {
        char head[100], hash[65];
        sha256_hex(rec.data, rec.len, hash);
        int n = snprintf(head, sizeof(head), "%" PRIu64 " %s", seq, hash);
        MDB_val hk = {sizeof(HEAD_KEY) - 1, HEAD_KEY}, hv = {(size_t)n, head};
        rc = mdb_put(txn, store_dbi(DB_STATE), &hk, &hv, 0);
    }
    buf_free(&rec);
    if (rc == 0 && seq_out)
        *seq_out = seq;
    return rc;
}

/* the value of "prev" when it is the record's last member, else NULL */
static const char *prev_of(const char *rec, size_t n)
{
    static const char tail[] = ",\"prev\":\"";
    size_t tl = sizeof(tail) - 1;
    if (n < tl + 64 + 2 || rec[n - 1] != '}' || rec[n - 2] != '"')
        return NULL;
    const char *p = rec + n - 2 - 64 - tl;
    return memcmp(p, tail, tl) == 0 ? p + tl : NULL;
}

static int seq_matches(const char *rec, size_t n, uint64_t seq)
{
    char want[40];
    int w = snprintf(want, sizeof(want), "{\"seq\":%" PRIu64 ",", seq);
    return (size_t)w <= n && memcmp(rec, want, (size_t)w) == 0;
}

int audit_verify(audit_report_t *out)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->head, ZERO_HASH, 65);
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_DECISIONS, &txn, &c) != 0)
        return -1;
    out->ok = 1;
    uint64_t expect = 1;
    MDB_val k, v;
    int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), expect++) {
        uint64_t seq = audit_u64_from_key(k.mv_data, k.mv_size);
        const char *rec = v.mv_data;
        const char *prev = prev_of(rec, v.mv_size);
        out->records++;
        if (seq != expect) {
            snprintf(out->error, sizeof(out->error), "record %" PRIu64 " is missing (the next one is %" PRIu64 ")",
                     expect, seq);
            out->broken_at = expect;
        } else if (!seq_matches(rec, v.mv_size, seq)) {
            snprintf(out->error, sizeof(out->error), "record %" PRIu64 " does not carry its own sequence number",
                     seq);
            out->broken_at = seq;
        } else if (prev == NULL) {
            snprintf(out->error, sizeof(out->error), "record %" PRIu64 " has no \"prev\" hash at its end", seq);
            out->broken_at = seq;
        } else if (memcmp(prev, out->head, 64) != 0) {
            snprintf(out->error, sizeof(out->error),
                     "record %" PRIu64 " does not follow from record %" PRIu64
                     ": its prev is %.16s…, the hash of record %" PRIu64 " is %.16s… (record %" PRIu64
                     " was changed, or this one was)",
                     seq, seq - 1, prev, seq - 1, out->head, seq - 1);
            out->broken_at = seq > 1 ? seq - 1 : seq;
        }
        if (out->broken_at) {
            out->ok = 0;
            break;
        }
        sha256_hex(v.mv_data, v.mv_size, out->head);
    }
    mdb_cursor_close(c);
    if (out->ok) {
        /* the last record has no successor: the head kept beside the chain vouches for it */
        MDB_val hk = {sizeof(HEAD_KEY) - 1, HEAD_KEY}, hv;
        uint64_t last = expect - 1;
        if (mdb_get(txn, store_dbi(DB_STATE), &hk, &hv) == 0) {
            char want[100];
            int n = snprintf(want, sizeof(want), "%" PRIu64 " %s", last, out->head);
            if ((size_t)n != hv.mv_size || memcmp(want, hv.mv_data, hv.mv_size) != 0) {
                out->ok = 0;
                out->broken_at = last ? last : 1;
                snprintf(out->error, sizeof(out->error),
                         "the chain head recorded beside the log (%.*s) does not match record %" PRIu64
                         " (the last record was changed, or records were removed from the end)",
                         (int)(hv.mv_size > 90 ? 90 : hv.mv_size), (const char *)hv.mv_data, last);
            }
        } else if (last > 0) {
            out->ok = 0;
            out->broken_at = last;
            snprintf(out->error, sizeof(out->error), "the chain head beside the log is missing");
        }
    }
    store_read_end(txn);
    return 0;
}
