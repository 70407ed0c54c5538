/* store_tamper: what someone with write access to cordon's LMDB files (but
 * not to the audit key) can do to the store, so that the integration tests
 * (tests/integration/admin_test.sh, audit_test.sh) can prove that `cordon
 * audit verify`, GET /-/api/audit/verify and the server notice.  Test-only;
 * it talks raw LMDB and shares no code with cordon (it writes the few value
 * layouts it needs itself, as an attacker reading the source would).
 *
 *   store_tamper DATA_DIR SEQ FROM TO
 *       record SEQ of the "decisions" database: the first FROM becomes TO
 *       (any length, may be empty); swapping FROM and TO restores the bytes
 *   store_tamper DATA_DIR remove FIRST [LAST]
 *       deletes records FIRST..LAST (default FIRST only)
 *   store_tamper DATA_DIR truncate SEQ
 *       deletes records SEQ.. to the end and points the head kept beside the
 *       chain at record SEQ-1, with the hash record SEQ carried as its prev:
 *       the best anyone without the key can write
 *   store_tamper DATA_DIR head [VALUE]
 *       prints the head kept beside the chain, or replaces it (a replay)
 *   store_tamper DATA_DIR rechain
 *       recomputes every record's prev as the plain SHA-256 of the record
 *       before, and the head likewise: history rewritten without the key
 *   store_tamper DATA_DIR forge-approval ECO PKG VERSION [SEQ]
 *       adds an approval (in force, no expiry) to the reviews database that
 *       names chain record SEQ (default 0: none); prints its id
 *   store_tamper DATA_DIR forge-token NAME ROLE TOKEN
 *       adds an admin token (role reviewer|auditor|ci) with no chain record
 *   store_tamper DATA_DIR legacy-chain N
 *       makes a store whose chain is N decision records linked by plain
 *       SHA-256, with the head in its old form "SEQ HASH": a store written
 *       before the chain was keyed (DATA_DIR/lmdb must not hold a chain yet)
 *
 * Opens the LMDB environment DATA_DIR/lmdb with MDB_NOTLS (safe while a
 * server has it open) and commits one write transaction.
 *
 * Exit: 0 done; 1 no such record, FROM not in it, or an LMDB error; 2 usage. */
#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#define HEAD_KEY "audit_head"

static int usage(void)
{
    fprintf(stderr, "usage: store_tamper DATA_DIR SEQ FROM TO\n"
                    "       store_tamper DATA_DIR remove FIRST [LAST]\n"
                    "       store_tamper DATA_DIR truncate SEQ\n"
                    "       store_tamper DATA_DIR head [VALUE]\n"
                    "       store_tamper DATA_DIR rechain\n"
                    "       store_tamper DATA_DIR forge-approval ECO PKG VERSION [SEQ]\n"
                    "       store_tamper DATA_DIR forge-token NAME ROLE TOKEN\n"
                    "       store_tamper DATA_DIR legacy-chain N\n");
    return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static void u64_key(uint64_t v, unsigned char out[8])
{
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)(v >> (56 - 8 * i));
}

static uint64_t u64_of(const MDB_val *k)
{
    uint64_t v = 0;
    const unsigned char *b = k->mv_data;
    for (size_t i = 0; i < 8 && i < k->mv_size; i++)
        v = v << 8 | b[i];
    return v;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[32];
    SHA256(p, n, md);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* little-endian i64 and length-prefixed strings: cordon's value layout */
typedef struct val {
    unsigned char b[4096];
    size_t n;
} val_t;

static void put_i64(val_t *v, int64_t x)
{
    for (int i = 0; i < 8 && v->n < sizeof(v->b); i++)
        v->b[v->n++] = (unsigned char)((uint64_t)x >> (8 * i));
}

static void put_str(val_t *v, const char *s)
{
    size_t n = strlen(s);
    if (v->n + 4 + n > sizeof(v->b))
        return;
    for (int i = 0; i < 4; i++)
        v->b[v->n++] = (unsigned char)(n >> (8 * i));
    memcpy(v->b + v->n, s, n);
    v->n += n;
}

typedef struct tool {
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi decisions, state;
    char path[4096];
} tool_t;

static int fail_lmdb(tool_t *t, const char *what, int rc)
{
    fprintf(stderr, "store_tamper: %s: %s: %s\n", t->path, what, mdb_strerror(rc));
    return 1;
}

static int open_db(tool_t *t, const char *name, unsigned flags, MDB_dbi *dbi)
{
    int rc = mdb_dbi_open(t->txn, name, flags, dbi);
    if (rc != 0)
        fail_lmdb(t, name, rc);
    return rc;
}

static int open_store(tool_t *t, const char *data_dir, int create)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->path, sizeof(t->path), "%s/lmdb", data_dir);
    if (create) {
        mkdir(data_dir, 0700);
        mkdir(t->path, 0700);
    }
    int rc = mdb_env_create(&t->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(t->env, 32);
    if (rc == 0 && create)
        rc = mdb_env_set_mapsize(t->env, 64u << 20);
    if (rc == 0)
        rc = mdb_env_open(t->env, t->path, MDB_NOTLS, 0600);
    if (rc == 0)
        rc = mdb_env_set_mapsize(t->env, 0); /* adopt the size the server set */
    if (rc == 0)
        rc = mdb_txn_begin(t->env, NULL, 0, &t->txn);
    if (rc != 0) {
        fail_lmdb(t, "open", rc);
        if (t->env)
            mdb_env_close(t->env);
        t->env = NULL;
        return -1;
    }
    unsigned flags = create ? MDB_CREATE : 0;
    if (open_db(t, "decisions", flags, &t->decisions) != 0 || open_db(t, "state", flags, &t->state) != 0) {
        mdb_txn_abort(t->txn);
        mdb_env_close(t->env);
        t->env = NULL;
        return -1;
    }
    return 0;
}

/* commits (status 0) or aborts, and closes */
static int close_store(tool_t *t, int status)
{
    if (t->txn) {
        if (status == 0) {
            int rc = mdb_txn_commit(t->txn);
            t->txn = NULL;
            if (rc != 0)
                status = fail_lmdb(t, "commit", rc);
        } else {
            mdb_txn_abort(t->txn);
        }
    }
    if (t->env)
        mdb_env_close(t->env);
    return status;
}

static int put_head(tool_t *t, const char *value)
{
    MDB_val hk = {sizeof(HEAD_KEY) - 1, HEAD_KEY}, hv = {strlen(value), (void *)value};
    int rc = mdb_put(t->txn, t->state, &hk, &hv, 0);
    return rc ? fail_lmdb(t, "writing the head", rc) : 0;
}

static int cmd_edit(tool_t *t, uint64_t seq, const char *from, const char *to)
{
    size_t flen = strlen(from), tlen = strlen(to);
    unsigned char kb[8];
    u64_key(seq, kb);
    MDB_val key = {sizeof(kb), kb}, val;
    int rc = mdb_get(t->txn, t->decisions, &key, &val);
    if (rc != 0) {
        fprintf(stderr, "store_tamper: record %" PRIu64 ": %s\n", seq, mdb_strerror(rc));
        return 1;
    }
    const char *data = val.mv_data;
    const char *at = memmem(data, val.mv_size, from, flen);
    if (at == NULL) {
        fprintf(stderr, "store_tamper: record %" PRIu64 " does not contain %s\n", seq, from);
        return 1;
    }
    size_t off = (size_t)(at - data), nlen = val.mv_size - flen + tlen;
    char *nv = malloc(nlen + 1);
    if (nv == NULL)
        return 1;
    memcpy(nv, data, off);
    memcpy(nv + off, to, tlen);
    memcpy(nv + off + tlen, data + off + flen, val.mv_size - off - flen);
    MDB_val nval = {nlen, nv};
    size_t old = val.mv_size;
    rc = mdb_put(t->txn, t->decisions, &key, &nval, 0);
    free(nv);
    if (rc != 0)
        return fail_lmdb(t, "writing the record", rc);
    printf("record %" PRIu64 ": replaced %s with %s (%zu -> %zu bytes)\n", seq, from, to, old, nlen);
    return 0;
}

static int cmd_remove(tool_t *t, uint64_t first, uint64_t last)
{
    uint64_t n = 0;
    for (uint64_t s = first; s <= last; s++) {
        unsigned char kb[8];
        u64_key(s, kb);
        MDB_val key = {8, kb};
        int rc = mdb_del(t->txn, t->decisions, &key, NULL);
        if (rc == 0)
            n++;
        else if (rc != MDB_NOTFOUND)
            return fail_lmdb(t, "deleting", rc);
    }
    if (n == 0) {
        fprintf(stderr, "store_tamper: no record in %" PRIu64 "..%" PRIu64 "\n", first, last);
        return 1;
    }
    printf("removed %" PRIu64 " records in %" PRIu64 "..%" PRIu64 "\n", n, first, last);
    return 0;
}

/* the 64 hex digits of a record's last member "prev" */
static int prev_of(const MDB_val *v, char out[65])
{
    static const char tail[] = ",\"prev\":\"";
    size_t tl = sizeof(tail) - 1, n = v->mv_size;
    const char *r = v->mv_data;
    if (n < tl + 66 || memcmp(r + n - 66 - tl, tail, tl) != 0)
        return -1;
    memcpy(out, r + n - 66, 64);
    out[64] = '\0';
    return 0;
}

static int cmd_truncate(tool_t *t, uint64_t seq)
{
    unsigned char kb[8];
    u64_key(seq, kb);
    MDB_val key = {8, kb}, val;
    int rc = mdb_get(t->txn, t->decisions, &key, &val);
    char prev[65];
    if (rc != 0 || prev_of(&val, prev) != 0) {
        fprintf(stderr, "store_tamper: record %" PRIu64 " is not there to truncate at\n", seq);
        return 1;
    }
    MDB_cursor *c;
    if ((rc = mdb_cursor_open(t->txn, t->decisions, &c)) != 0)
        return fail_lmdb(t, "cursor", rc);
    uint64_t n = 0;
    MDB_val k = key;
    for (rc = mdb_cursor_get(c, &k, &val, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &val, MDB_NEXT)) {
        if ((rc = mdb_cursor_del(c, 0)) != 0)
            break;
        n++;
    }
    mdb_cursor_close(c);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return fail_lmdb(t, "deleting", rc);
    char head[100];
    snprintf(head, sizeof(head), "%" PRIu64 " %s", seq - 1, prev);
    if (put_head(t, head) != 0)
        return 1;
    printf("removed %" PRIu64 " records from %" PRIu64 " on; head now %s\n", n, seq, head);
    return 0;
}

static int cmd_head(tool_t *t, const char *value)
{
    if (value)
        return put_head(t, value);
    MDB_val hk = {sizeof(HEAD_KEY) - 1, HEAD_KEY}, hv;
    int rc = mdb_get(t->txn, t->state, &hk, &hv);
    if (rc != 0) {
        fprintf(stderr, "store_tamper: no head: %s\n", mdb_strerror(rc));
        return 1;
    }
    printf("%.*s\n", (int)hv.mv_size, (const char *)hv.mv_data);
    return 0;
}

static int cmd_rechain(tool_t *t)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->decisions, &c);
    if (rc)
        return fail_lmdb(t, "cursor", rc);
    char hash[65];
    memset(hash, '0', 64);
    hash[64] = '\0';
    uint64_t last = 0, n = 0;
    MDB_val k, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        char prev[65];
        if (prev_of(&v, prev) != 0)
            continue;
        char *copy = malloc(v.mv_size);
        if (copy == NULL)
            break;
        memcpy(copy, v.mv_data, v.mv_size);
        memcpy(copy + v.mv_size - 66, hash, 64);
        MDB_val nv = {v.mv_size, copy};
        rc = mdb_cursor_put(c, &k, &nv, MDB_CURRENT);
        sha256_hex(copy, v.mv_size, hash);
        free(copy);
        if (rc)
            break;
        last = u64_of(&k);
        n++;
    }
    mdb_cursor_close(c);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return fail_lmdb(t, "rewriting", rc);
    char head[100];
    snprintf(head, sizeof(head), "%" PRIu64 " %s", last, hash);
    if (put_head(t, head) != 0)
        return 1;
    printf("rechained %" PRIu64 " records with SHA-256; head now %s\n", n, head);
    return 0;
}

static uint64_t next_id(tool_t *t, MDB_dbi dbi)
{
    MDB_cursor *c;
    MDB_val k, v;
    uint64_t id = 1;
    if (mdb_cursor_open(t->txn, dbi, &c) == 0) {
        if (mdb_cursor_get(c, &k, &v, MDB_LAST) == 0)
            id = u64_of(&k) + 1;
        mdb_cursor_close(c);
    }
    return id;
}

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int cmd_forge_approval(tool_t *t, const char *eco, const char *pkg, const char *ver, uint64_t seq)
{
    int64_t eco_id = !strcmp(eco, "npm") ? 0 : !strcmp(eco, "pypi") ? 1 : !strcmp(eco, "maven") ? 2 : -1;
    if (eco_id < 0) {
        fprintf(stderr, "store_tamper: ecosystem is npm, pypi or maven\n");
        return 2;
    }
    MDB_dbi reviews;
    if (open_db(t, "reviews", 0, &reviews) != 0)
        return 1;
    uint64_t id = next_id(t, reviews);
    val_t v = {.n = 0};
    v.b[v.n++] = 'R';
    put_i64(&v, 1); /* approval */
    put_i64(&v, eco_id);
    put_str(&v, pkg);
    put_str(&v, ver);
    put_str(&v, "looks fine to me");
    put_str(&v, "alice");
    put_i64(&v, now_ms());
    put_i64(&v, INT64_MIN); /* never expires */
    put_i64(&v, INT64_MIN); /* in force */
    put_str(&v, "");
    put_i64(&v, (int64_t)seq);
    unsigned char kb[8];
    u64_key(id, kb);
    MDB_val k = {8, kb}, val = {v.n, v.b};
    int rc = mdb_put(t->txn, reviews, &k, &val, MDB_NOOVERWRITE);
    if (rc)
        return fail_lmdb(t, "writing the approval", rc);
    printf("%" PRIu64 "\n", id);
    return 0;
}

static int cmd_forge_token(tool_t *t, const char *name, const char *role, const char *token)
{
    int64_t r = !strcmp(role, "reviewer") ? 1 : !strcmp(role, "auditor") ? 2 : !strcmp(role, "ci") ? 3 : 0;
    if (r == 0) {
        fprintf(stderr, "store_tamper: role is reviewer, auditor or ci\n");
        return 2;
    }
    MDB_dbi tokens;
    if (open_db(t, "tokens", 0, &tokens) != 0)
        return 1;
    val_t v = {.n = 0};
    v.b[v.n++] = 'T';
    put_i64(&v, r);
    put_i64(&v, now_ms());
    SHA256((const unsigned char *)token, strlen(token), v.b + v.n);
    v.n += 32;
    MDB_val k = {strlen(name), (void *)name}, val = {v.n, v.b};
    int rc = mdb_put(t->txn, tokens, &k, &val, MDB_NOOVERWRITE);
    if (rc)
        return fail_lmdb(t, "writing the token", rc);
    printf("token %s (%s) added with no chain record\n", name, role);
    return 0;
}

static int cmd_legacy_chain(tool_t *t, uint64_t n)
{
    MDB_cursor *c;
    MDB_val k, v;
    int rc = mdb_cursor_open(t->txn, t->decisions, &c);
    if (rc)
        return fail_lmdb(t, "cursor", rc);
    rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    mdb_cursor_close(c);
    if (rc == 0) {
        fprintf(stderr, "store_tamper: %s holds a chain already\n", t->path);
        return 1;
    }
    char prev[65], rec[1024], when[40];
    memset(prev, '0', 64);
    prev[64] = '\0';
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    for (uint64_t s = 1; s <= n; s++) {
        int len = snprintf(rec, sizeof(rec),
                           "{\"seq\":%" PRIu64 ",\"type\":\"decision\",\"time\":\"%s\",\"client\":\"10.9.9.9\","
                           "\"user_agent\":\"npm/9 legacy\",\"ecosystem\":\"npm\",\"package\":\"legacy-pkg\","
                           "\"version\":\"1.0.%" PRIu64 "\",\"decision\":\"allow\",\"reason\":\"\","
                           "\"rule\":\"default min_age 7d\",\"request_id\":\"legacy-%" PRIu64 "\","
                           "\"detail\":\"\",\"prev\":\"%s\"}",
                           s, when, s, s, prev);
        unsigned char kb[8];
        u64_key(s, kb);
        MDB_val key = {8, kb}, val = {(size_t)len, rec};
        if ((rc = mdb_put(t->txn, t->decisions, &key, &val, MDB_APPEND)) != 0)
            return fail_lmdb(t, "writing", rc);
        sha256_hex(rec, (size_t)len, prev);
    }
    char head[100];
    snprintf(head, sizeof(head), "%" PRIu64 " %s", n, prev);
    if (put_head(t, head) != 0)
        return 1;
    printf("wrote %" PRIu64 " legacy records; head %s\n", n, head);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *dir = argv[1], *cmd = argv[2];
    uint64_t a = 0, b = 0;
    tool_t t;
    int status;
    if (!strcmp(cmd, "remove")) {
        if ((argc != 4 && argc != 5) || parse_u64(argv[3], &a) || (argc == 5 && parse_u64(argv[4], &b)))
            return usage();
        if (open_store(&t, dir, 0))
            return 1;
        status = cmd_remove(&t, a, argc == 5 ? b : a);
    } else if (!strcmp(cmd, "truncate")) {
        if (argc != 4 || parse_u64(argv[3], &a) || a < 1)
            return usage();
        if (open_store(&t, dir, 0))
            return 1;
        status = cmd_truncate(&t, a);
    } else if (!strcmp(cmd, "head")) {
        if (argc != 3 && argc != 4)
            return usage();
        if (open_store(&t, dir, 0))
            return 1;
        status = cmd_head(&t, argc == 4 ? argv[3] : NULL);
    } else if (!strcmp(cmd, "rechain")) {
        if (argc != 3)
            return usage();
        if (open_store(&t, dir, 0))
            return 1;
        status = cmd_rechain(&t);
    } else if (!strcmp(cmd, "forge-approval")) {
        if ((argc != 6 && argc != 7) || (argc == 7 && parse_u64(argv[6], &a)))
            return usage();
        if (open_store(&t, dir, 0))
            return 1;
        status = cmd_forge_approval(&t, argv[3], argv[4], argv[5], a);
    } else if (!strcmp(cmd, "forge-token")) {
        if (argc != 6)
            return usage();
        if (open_store(&t, dir, 0))
            return 1;
        status = cmd_forge_token(&t, argv[3], argv[4], argv[5]);
    } else if (!strcmp(cmd, "legacy-chain")) {
        if (argc != 4 || parse_u64(argv[3], &a) || a < 1)
            return usage();
        if (open_store(&t, dir, 1))
            return 1;
        status = cmd_legacy_chain(&t, a);
    } else {
        if (argc != 5 || parse_u64(cmd, &a) || argv[3][0] == '\0')
            return usage();
        if (open_store(&t, dir, 0))
            return 1;
        status = cmd_edit(&t, a, argv[3], argv[4]);
    }
    return close_store(&t, status);
}
