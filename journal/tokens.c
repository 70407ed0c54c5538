/* tokens: storage and constant-time check of admin tokens (see tokens.h).
 * DB_TOKENS: name → 'T', role, created (ms), SHA-256 of the token (32 bytes). */
#include "journal/tokens.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "store/record.h"
#include "store/store.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "journal/audit.h"

enum { FMT_TOKEN = 'T' };

const char *role_name(role_t r)
{
    switch (r) {
    case ROLE_REVIEWER: return "reviewer";
    case ROLE_AUDITOR: return "auditor";
    case ROLE_CI: return "ci";
    default: return "none";
    }
}

role_t role_from_name(const char *s)
{
    if (!strcmp(s, "reviewer"))
        return ROLE_REVIEWER;
    if (!strcmp(s, "auditor"))
        return ROLE_AUDITOR;
    if (!strcmp(s, "ci"))
        return ROLE_CI;
    return ROLE_NONE;
}

static int name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > TOKEN_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("-_.@", name[i]))
            return 0;
    return 1;
}

static void base64url(const unsigned char *in, size_t n, char *out)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        if (i + 1 < n)
            out[o++] = tab[v >> 6 & 63];
        if (i + 2 < n)
            out[o++] = tab[v & 63];
    }
    out[o] = '\0';
}

typedef struct add_op {
    const char *name;
    role_t role;
    unsigned char hash[32];
    int exists;
} add_op_t;

static int add_txn(MDB_txn *txn, void *arg)
{
    add_op_t *op = arg;
    MDB_val k = {strlen(op->name), (void *)op->name}, v;
    int rc = mdb_get(txn, store_dbi(DB_TOKENS), &k, &v);
    if (rc == 0) {
        op->exists = 1;
        return 0;
    }
    if (rc != MDB_NOTFOUND)
        return rc;
    int64_t now = time_now_ms();
    buf_t b;
    buf_init(&b);
    int first = 1;
    json_kv_str(&b, &first, "name", op->name);
    json_kv_str(&b, &first, "role", role_name(op->role));
    rc = b.oom ? ENOMEM : audit_append(txn, "token_added", now, b.data, b.len, NULL);
    if (rc == 0) {
        buf_reset(&b);
        buf_putc(&b, (char)FMT_TOKEN);
        rec_put_i64(&b, op->role);
        rec_put_i64(&b, now);
        buf_append(&b, op->hash, 32);
        MDB_val nv = {b.len, b.data};
        rc = b.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_TOKENS), &k, &nv, MDB_NOOVERWRITE);
    }
    buf_free(&b);
    return rc;
}

int tokens_add(const char *name, role_t role, char *out, char *err, size_t errlen)
{
    if (!name_ok(name)) {
        snprintf(err, errlen, "a token name is 1-%d letters, digits, '-', '_', '.' or '@'", TOKEN_NAME_MAX);
        return -1;
    }
    if (role == ROLE_NONE) {
        snprintf(err, errlen, "the role is one of reviewer, auditor, ci");
        return -1;
    }
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        snprintf(err, errlen, "no randomness available for a token");
        return -1;
    }
    memcpy(out, "cordon_", 7);
    base64url(raw, sizeof(raw), out + 7);
    OPENSSL_cleanse(raw, sizeof(raw));
    add_op_t op = {.name = name, .role = role};
    SHA256((const unsigned char *)out, strlen(out), op.hash);
    if (store_write(add_txn, &op, err, errlen) != STORE_OK)
        return -1;
    if (op.exists) {
        OPENSSL_cleanse(out, TOKEN_LEN);
        out[0] = '\0';
        return 1;
    }
    return 0;
}

typedef struct revoke_op {
    const char *name;
    int missing;
} revoke_op_t;

static int revoke_txn(MDB_txn *txn, void *arg)
{
    revoke_op_t *op = arg;
    MDB_val k = {strlen(op->name), (void *)op->name};
    int rc = mdb_del(txn, store_dbi(DB_TOKENS), &k, NULL);
    if (rc == MDB_NOTFOUND) {
        op->missing = 1;
        return 0;
    }
    if (rc)
        return rc;
    buf_t b;
    buf_init(&b);
    int first = 1;
    json_kv_str(&b, &first, "name", op->name);
    rc = b.oom ? ENOMEM : audit_append(txn, "token_revoked", time_now_ms(), b.data, b.len, NULL);
    buf_free(&b);
    return rc;
}

int tokens_revoke(const char *name, char *err, size_t errlen)
{
    revoke_op_t op = {name, 0};
    if (store_write(revoke_txn, &op, err, errlen) != STORE_OK)
        return -1;
    return op.missing ? 1 : 0;
}

int tokens_decode(const MDB_val *v, role_t *role, int64_t *created, const unsigned char **hash)
{
    rec_reader_t r;
    rec_reader_init(&r, v->mv_data, v->mv_size);
    if (v->mv_size != 1 + 8 + 8 + 32 || r.p[0] != FMT_TOKEN)
        return -1;
    r.p++;
    *role = (role_t)rec_get_i64(&r);
    *created = rec_get_i64(&r);
    *hash = r.p;
    return r.err ? -1 : 0;
}

int tokens_print(FILE *f, int json)
{
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_TOKENS, &txn, &c) != 0)
        return -1;
    if (!json)
        fprintf(f, "%-32s %-9s %s\n", "NAME", "ROLE", "CREATED");
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        role_t role;
        int64_t created;
        const unsigned char *hash;
        if (tokens_decode(&v, &role, &created, &hash) != 0)
            continue;
        char name[TOKEN_NAME_MAX + 1], when[40];
        snprintf(name, sizeof(name), "%.*s", (int)k.mv_size, (const char *)k.mv_data);
        time_format_iso8601(created, when, sizeof(when), 0);
        if (json) {
            buf_t b;
            buf_init(&b);
            int first = 1;
            buf_putc(&b, '{');
            json_kv_str(&b, &first, "name", name);
            json_kv_str(&b, &first, "role", role_name(role));
            json_kv_str(&b, &first, "created_at", when);
            buf_putc(&b, '}');
            fprintf(f, "%s\n", buf_cstr(&b));
            buf_free(&b);
        } else {
            fprintf(f, "%-32s %-9s %s\n", name, role_name(role), when);
        }
    }
    store_cursor_end(txn, c);
    return 0;
}

role_t tokens_authenticate(const char *token, size_t len, char *name)
{
    unsigned char want[32];
    SHA256((const unsigned char *)token, len, want);
    role_t found = ROLE_NONE;
    name[0] = '\0';
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_TOKENS, &txn, &c) != 0)
        return ROLE_NONE;
    MDB_val k, v;
    /* every stored hash is compared, whatever matched before: the time
     * taken says nothing about which token (or how much of one) was right */
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        role_t role;
        int64_t created;
        const unsigned char *hash;
        if (tokens_decode(&v, &role, &created, &hash) != 0)
            continue;
        if (CRYPTO_memcmp(hash, want, 32) == 0 && found == ROLE_NONE) {
            found = role;
            snprintf(name, TOKEN_NAME_MAX + 1, "%.*s", (int)k.mv_size, (const char *)k.mv_data);
        }
    }
    store_cursor_end(txn, c);
    return found;
}
