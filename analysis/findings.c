/* findings: sets of findings, and the DB_FINDINGS records
 * ('F', mask | capped << 32 (i64), then the detail of each kind present, in
 * kind order; records written before capped existed have 0 there). */
#include "analysis/findings.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "store/record.h"
#include "store/store.h"
#include <openssl/evp.h>

enum { FMT_FINDINGS = 'F' };

void findings_clear(findings_t *f)
{
    f->mask = 0;
    f->capped = 0;
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        f->detail[k][0] = '\0';
}

void findings_add(findings_t *f, finding_kind_t k, const char *fmt, ...)
{
    if (k >= FINDING_KIND_COUNT || (f->mask & (1u << k)))
        return;
    f->mask |= 1u << k;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->detail[k], FINDING_DETAIL_MAX, fmt, ap);
    va_end(ap);
}

void findings_merge(findings_t *into, const findings_t *from)
{
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        uint32_t bit = 1u << k;
        if (!(from->mask & bit))
            continue;
        /* a kind both hold is capped only when both cap it: the detail
         * that is acted on is the one reported */
        if (!(into->mask & bit) || ((into->capped & bit) && !(from->capped & bit))) {
            into->mask |= bit;
            into->capped = (into->capped & ~bit) | (from->capped & bit);
            memcpy(into->detail[k], from->detail[k], FINDING_DETAIL_MAX);
        }
    }
}

finding_action_t findings_action(const findings_t *f, finding_kind_t k, finding_action_t configured)
{
    if ((f->capped & (1u << k)) && configured == FINDING_HOLD)
        return FINDING_WARN;
    return configured;
}

size_t findings_key(char *out, size_t outlen, const char *eco, const char *package, const char *version,
                    const char *digest)
{
    size_t n = 0;
    const char *parts[4] = {eco, package, version, digest ? digest : ""};
    for (int i = 0; i < 4; i++) {
        size_t l = strlen(parts[i]);
        if (n + l + 1 >= outlen || n + l + 1 > 511)
            return 0;
        memcpy(out + n, parts[i], l);
        n += l;
        if (i < 3)
            out[n++] = '\0';
    }
    return n;
}

int artifact_record_put(MDB_txn *txn, store_db_t db, const char *eco, const char *package, const char *version,
                        const char *digest, const buf_t *rec)
{
    char key[600];
    size_t klen = findings_key(key, sizeof(key), eco, package, version, digest);
    if (klen == 0)
        return 0; /* names this long are refused elsewhere; nothing to keep */
    if (rec->oom)
        return ENOMEM;
    MDB_val k = {klen, key}, v = {rec->len, rec->data};
    return mdb_put(txn, store_dbi(db), &k, &v, 0);
}

int findings_put(MDB_txn *txn, const char *eco, const char *package, const char *version, const char *digest,
                 const findings_t *f)
{
    buf_t b;
    buf_init(&b);
    buf_putc(&b, (char)FMT_FINDINGS);
    rec_put_i64(&b, (int64_t)((uint64_t)f->mask | (uint64_t)(f->capped & f->mask) << 32));
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        if (f->mask & (1u << k))
            rec_put_str(&b, f->detail[k]);
    int rc = artifact_record_put(txn, DB_FINDINGS, eco, package, version, digest, &b);
    buf_free(&b);
    return rc;
}

static void decode_into(const MDB_val *v, findings_t *out);

int findings_replace(MDB_txn *txn, const char *eco, const char *package, const char *version, const char *digest,
                     const findings_t *f)
{
    char key[600];
    size_t klen = findings_key(key, sizeof(key), eco, package, version, digest);
    if (klen == 0)
        return 0;
    MDB_val k = {klen, key}, v;
    int have = mdb_get(txn, store_dbi(DB_FINDINGS), &k, &v) == 0;
    if (!f->mask)
        return have ? mdb_del(txn, store_dbi(DB_FINDINGS), &k, NULL) : 0;
    if (have) {
        findings_t old;
        findings_clear(&old);
        decode_into(&v, &old);
        int same = old.mask == f->mask && (old.capped & old.mask) == (f->capped & f->mask);
        for (int i = 0; same && i < FINDING_KIND_COUNT; i++)
            same = !(f->mask & (1u << i)) || strcmp(old.detail[i], f->detail[i]) == 0;
        if (same)
            return 0;
    }
    return findings_put(txn, eco, package, version, digest, f);
}

static void decode_into(const MDB_val *v, findings_t *out)
{
    rec_reader_t r;
    rec_reader_init(&r, v->mv_data, v->mv_size);
    if (v->mv_size < 1 || r.p[0] != FMT_FINDINGS)
        return;
    r.p++;
    findings_t f;
    findings_clear(&f);
    uint64_t word = (uint64_t)rec_get_i64(&r);
    uint32_t mask = (uint32_t)word;
    f.capped = (uint32_t)(word >> 32) & mask;
    for (int k = 0; k < FINDING_KIND_COUNT && !r.err; k++) {
        if (!(mask & (1u << k)))
            continue;
        char *s = rec_get_str(&r);
        if (s) {
            findings_add(&f, (finding_kind_t)k, "%s", s);
            free(s);
        }
    }
    if (!r.err)
        findings_merge(out, &f);
}

int findings_get_version(MDB_txn *txn, const char *eco, const char *package, const char *version, findings_t *out)
{
    char key[600];
    size_t plen = findings_key(key, sizeof(key), eco, package, version, NULL);
    if (plen == 0)
        return 0;
    MDB_cursor *c;
    if (mdb_cursor_open(txn, store_dbi(DB_FINDINGS), &c) != 0)
        return 0;
    MDB_val k = {plen, key}, v;
    int found = 0;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, key, plen) != 0)
            break;
        decode_into(&v, out);
        found = 1;
    }
    mdb_cursor_close(c);
    return found;
}

void findings_package_fp(MDB_txn *txn, const char *eco, const char *package, char out[17])
{
    char key[600];
    size_t a = strlen(eco), b = strlen(package);
    memcpy(out, "0000000000000000", 17);
    if (a + b + 2 > sizeof(key) || a + b + 2 > 511)
        return;
    memcpy(key, eco, a);
    key[a] = '\0';
    memcpy(key + a + 1, package, b);
    key[a + 1 + b] = '\0';
    size_t plen = a + b + 2;
    MDB_cursor *c;
    if (mdb_cursor_open(txn, store_dbi(DB_FINDINGS), &c) != 0)
        return;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int any = 0;
    if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
        MDB_val k = {plen, key}, v;
        for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            if (k.mv_size < plen || memcmp(k.mv_data, key, plen) != 0)
                break;
            EVP_DigestUpdate(md, k.mv_data, k.mv_size);
            EVP_DigestUpdate(md, v.mv_data, v.mv_size);
            any = 1;
        }
        unsigned char h[32];
        unsigned n = 0;
        if (any && EVP_DigestFinal_ex(md, h, &n) == 1)
            hex_encode(h, 8, out);
    }
    EVP_MD_CTX_free(md);
    mdb_cursor_close(c);
}
