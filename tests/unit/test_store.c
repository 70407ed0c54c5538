/* unit tests: store/store.h, store/record.h and store/blob.h in a fresh
 * temporary data directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/blob.h"
#include "store/derived.h"
#include "store/record.h"
#include "store/store.h"
#include "common/buf.h"
#include "common/digest.h"
#include "common/timeutil.h"
#include "tests/unit/test.h"

static char g_dir[256];
static char err[1024];

#define FOX "The quick brown fox jumps over the lazy dog"
#define FOX_SHA256_HEX "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
#define FOX_SHA512_SRI                                                                                                 \
    "sha512-B+VH2VhvanP3P7rAQ17XaVEhj7fQyNeIownXhUNru2Quk6JSqVTyORJUfR6KO17W4b/XCXghIz+gU489uFT+5g=="
#define EMPTY_SHA256_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ---- helpers ---- */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    buf_t b;
    buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        buf_append(&b, tmp, n);
    fclose(f);
    return buf_steal(&b, len);
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                    continue;
                char p[4096];
                snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
                rm_rf(p);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

typedef struct put_arg {
    store_db_t db;
    const void *key;
    size_t klen;
    const void *val;
    size_t vlen;
    int count; /* > 1: put count keys derived from key */
} put_arg_t;

static int put_fn(MDB_txn *txn, void *p)
{
    put_arg_t *a = p;
    if (a->count <= 1) {
        MDB_val k = {a->klen, (void *)a->key}, v = {a->vlen, (void *)a->val};
        return mdb_put(txn, store_dbi(a->db), &k, &v, 0);
    }
    for (int i = 0; i < a->count; i++) {
        char key[64];
        int kl = snprintf(key, sizeof(key), "%s-%06d", (const char *)a->key, i);
        MDB_val k = {(size_t)kl, key}, v = {a->vlen, (void *)a->val};
        int rc = mdb_put(txn, store_dbi(a->db), &k, &v, 0);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int fail_fn(MDB_txn *txn, void *p) { return MDB_BAD_VALSIZE; }

/* ---- records ---- */

TEST(records_round_trip)
{
    buf_t b;
    buf_init(&b);
    version_rec_t v = {.first_seen = 1795428000123LL,
                       .published_at = TIME_NONE,
                       .flags = VERSION_HAS_INSTALL_SCRIPT,
                       .integrity = FOX_SHA512_SRI,
                       .artifact_url = "https://npm-upstream.example/lodash/-/lodash-4.17.21.tgz"};
    version_rec_encode(&v, &b);
    version_rec_t d;
    CHECK_INT_EQ(version_rec_decode(b.data, b.len, &d), 0);
    CHECK_INT_EQ(d.first_seen, 1795428000123LL);
    CHECK(d.published_at == TIME_NONE);
    CHECK_INT_EQ(d.flags, VERSION_HAS_INSTALL_SCRIPT);
    CHECK_STR_EQ(d.integrity, FOX_SHA512_SRI);
    CHECK_STR_EQ(d.artifact_url, "https://npm-upstream.example/lodash/-/lodash-4.17.21.tgz");
    version_rec_free(&d);
    CHECK(d.integrity == NULL && d.artifact_url == NULL);

    /* NULL strings come back empty; negative numbers survive */
    buf_reset(&b);
    version_rec_t v2 = {.first_seen = -1, .published_at = INT64_MAX, .flags = 0};
    version_rec_encode(&v2, &b);
    CHECK_INT_EQ(version_rec_decode(b.data, b.len, &d), 0);
    CHECK_INT_EQ(d.first_seen, -1);
    CHECK_INT_EQ(d.published_at, INT64_MAX);
    CHECK_STR_EQ(d.integrity, "");
    CHECK_STR_EQ(d.artifact_url, "");
    version_rec_free(&d);

    buf_reset(&b);
    meta_rec_t m = {.fetched_at = 1700000000000LL,
                    .size = 10 << 20,
                    .blob = FOX_SHA256_HEX,
                    .etag = "W/\"abc\"",
                    .last_modified = "Sun, 06 Nov 1994 08:49:37 GMT",
                    .content_type = "application/json"};
    meta_rec_encode(&m, &b);
    meta_rec_t md;
    CHECK_INT_EQ(meta_rec_decode(b.data, b.len, &md), 0);
    CHECK_INT_EQ(md.fetched_at, 1700000000000LL);
    CHECK_INT_EQ(md.size, 10 << 20);
    CHECK_STR_EQ(md.blob, FOX_SHA256_HEX);
    CHECK_STR_EQ(md.etag, "W/\"abc\"");
    CHECK_STR_EQ(md.last_modified, "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK_STR_EQ(md.content_type, "application/json");
    meta_rec_free(&md);

    buf_reset(&b);
    meta_rec_t m2 = {.fetched_at = 1};
    meta_rec_encode(&m2, &b);
    CHECK_INT_EQ(meta_rec_decode(b.data, b.len, &md), 0);
    CHECK_STR_EQ(md.etag, "");
    CHECK_STR_EQ(md.content_type, "");
    meta_rec_free(&md);

    buf_reset(&b);
    blob_rec_t br = {.size = 5 << 20, .stored_at = 1795428000000LL, .blob = FOX_SHA256_HEX};
    blob_rec_encode(&br, &b);
    blob_rec_t bd;
    CHECK_INT_EQ(blob_rec_decode(b.data, b.len, &bd), 0);
    CHECK_INT_EQ(bd.size, 5 << 20);
    CHECK_INT_EQ(bd.stored_at, 1795428000000LL);
    CHECK_STR_EQ(bd.blob, FOX_SHA256_HEX);
    blob_rec_free(&bd);
    buf_free(&b);
}

TEST(records_truncated_and_corrupt)
{
    buf_t b;
    buf_init(&b);
    version_rec_t v = {.first_seen = 1, .published_at = 2, .flags = 3, .integrity = "sha1-abc", .artifact_url = "u"};
    version_rec_encode(&v, &b);
    version_rec_t d;
    /* every strict prefix fails */
    int prefix_fail = 0;
    for (size_t n = 0; n < b.len; n++)
        prefix_fail += version_rec_decode(b.data, n, &d) == -1;
    CHECK_INT_EQ(prefix_fail, (long long)b.len);
    CHECK(d.integrity == NULL && d.artifact_url == NULL); /* nothing left allocated on failure */
    /* a string length that runs past the end */
    char *bad = malloc(b.len);
    memcpy(bad, b.data, b.len);
    bad[1 + 24 + 3] = 0x7f; /* high byte of integrity's length */
    CHECK_INT_EQ(version_rec_decode(bad, b.len, &d), -1);
    memcpy(bad, b.data, b.len);
    bad[1 + 24] = (char)0xff; /* low byte: 255 > what is left */
    CHECK_INT_EQ(version_rec_decode(bad, b.len, &d), -1);
    /* wrong format byte */
    memcpy(bad, b.data, b.len);
    bad[0] = 9;
    CHECK_INT_EQ(version_rec_decode(bad, b.len, &d), -1);
    free(bad);
    /* one kind of record is not another */
    meta_rec_t md;
    blob_rec_t bd;
    CHECK_INT_EQ(meta_rec_decode(b.data, b.len, &md), -1);
    CHECK_INT_EQ(blob_rec_decode(b.data, b.len, &bd), -1);
    CHECK_INT_EQ(version_rec_decode("", 0, &d), -1);

    buf_reset(&b);
    meta_rec_t m = {.fetched_at = 1, .size = 2, .blob = "b", .etag = "e", .last_modified = "l", .content_type = "c"};
    meta_rec_encode(&m, &b);
    prefix_fail = 0;
    for (size_t n = 0; n < b.len; n++)
        prefix_fail += meta_rec_decode(b.data, n, &md) == -1;
    CHECK_INT_EQ(prefix_fail, (long long)b.len);
    CHECK(md.blob == NULL && md.etag == NULL);

    /* a blob record keeps its generation; one written before generations reads as 0 */
    buf_reset(&b);
    blob_rec_t bg = {.size = 3, .stored_at = 4, .blob = FOX_SHA256_HEX, .generation = 77};
    blob_rec_encode(&bg, &b);
    CHECK_INT_EQ(blob_rec_decode(b.data, b.len, &bd), 0);
    CHECK_INT_EQ((long long)bd.generation, 77);
    blob_rec_free(&bd);
    buf_reset(&b);
    buf_putc(&b, 3); /* the old layout: size, stored_at, blob */
    rec_put_i64(&b, 3);
    rec_put_i64(&b, 4);
    rec_put_str(&b, FOX_SHA256_HEX);
    CHECK_INT_EQ(blob_rec_decode(b.data, b.len, &bd), 0);
    CHECK_INT_EQ((long long)bd.generation, 0);
    CHECK_STR_EQ(bd.blob, FOX_SHA256_HEX);
    blob_rec_free(&bd);

    buf_reset(&b);
    blob_rec_t br = {.size = 1, .stored_at = 2, .blob = FOX_SHA256_HEX};
    blob_rec_encode(&br, &b);
    prefix_fail = 0;
    for (size_t n = 0; n < b.len; n++)
        prefix_fail += blob_rec_decode(b.data, n, &bd) == -1;
    CHECK_INT_EQ(prefix_fail, (long long)b.len);
    CHECK_INT_EQ(version_rec_decode(b.data, b.len, &d), -1);

    /* random garbage never decodes into something that crashes */
    srand(42);
    unsigned char junk[64];
    for (int i = 0; i < 2000; i++) {
        size_t n = (size_t)(rand() % (int)sizeof(junk));
        for (size_t j = 0; j < n; j++)
            junk[j] = (unsigned char)rand();
        if (n > 0)
            junk[0] = (unsigned char)(1 + i % 3);
        if (version_rec_decode(junk, n, &d) == 0)
            version_rec_free(&d);
        if (meta_rec_decode(junk, n, &md) == 0)
            meta_rec_free(&md);
        if (blob_rec_decode(junk, n, &bd) == 0)
            blob_rec_free(&bd);
    }
    CHECK(1); /* reached without a crash */
    buf_free(&b);
}

TEST(version_keys)
{
    char key[1024];
    size_t n = version_key(key, sizeof(key), "npm", "@babel/core", "7.24.0");
    CHECK_INT_EQ(n, 3 + 1 + 11 + 1 + 6);
    CHECK(memcmp(key, "npm\0@babel/core\0" "7.24.0", n) == 0);
    /* different splits of the same characters are different keys */
    char k2[1024];
    size_t n2 = version_key(k2, sizeof(k2), "npm", "@babel/core7", ".24.0");
    CHECK(n2 == n && memcmp(key, k2, n) != 0);
    /* too long for LMDB's 511-byte keys */
    char longname[600];
    memset(longname, 'a', 510);
    longname[510] = '\0';
    CHECK_INT_EQ(version_key(key, sizeof(key), "npm", longname, "1.0.0"), 0);
    longname[511 - 3 - 2 - 5] = '\0'; /* exactly 511 */
    CHECK_INT_EQ(version_key(key, sizeof(key), "npm", longname, "1.0.0"), 511);
    CHECK_INT_EQ(version_key(key, 16, "npm", "lodash", "4.17.21"), 0); /* does not fit out */
}

/* ---- the LMDB store ---- */

static int put_version_fn(MDB_txn *txn, void *p)
{
    void **a = p;
    const char *key = a[0];
    size_t klen = *(size_t *)a[1];
    buf_t *val = a[2];
    MDB_val k = {klen, (void *)key}, v = {val->len, val->data};
    return mdb_put(txn, store_dbi(DB_VERSIONS), &k, &v, 0);
}

/* inside a write: the generation it commits as is past every one read before */
static int gen_fn(MDB_txn *txn, void *arg)
{
    uint64_t *before = arg;
    *before = store_txn_generation(txn) > *before ? 0 : 1; /* 0: as it should be */
    return *before ? MDB_BAD_TXN : 0;
}

TEST(store_version_records)
{
    char sub[300];
    snprintf(sub, sizeof(sub), "%s/data", g_dir);
    CHECK_INT_EQ(store_is_open(), 0);
    CHECK_INT_EQ(store_write(put_fn, NULL, err, sizeof(err)), STORE_ERROR); /* not open */
    int rc = store_open(sub, 1 << 20, 0, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "  store_open: %s\n", err);
    CHECK_INT_EQ(rc, 0);
    if (rc != 0)
        return;
    CHECK_INT_EQ(store_is_open(), 1);

    char key[1024];
    size_t klen = version_key(key, sizeof(key), "npm", "lodash", "4.17.21");
    version_rec_t v = {.first_seen = 1795428000000LL,
                       .published_at = 1609459200000LL,
                       .flags = 0,
                       .integrity = FOX_SHA512_SRI,
                       .artifact_url = "https://npm-upstream.example/lodash/-/lodash-4.17.21.tgz"};
    buf_t b;
    buf_init(&b);
    version_rec_encode(&v, &b);
    void *args[3] = {key, &klen, &b};
    CHECK_INT_EQ(store_write(put_version_fn, args, err, sizeof(err)), STORE_OK);

    MDB_txn *txn;
    CHECK_INT_EQ(store_read_begin(&txn), 0);
    version_rec_t got;
    CHECK_INT_EQ(version_rec_get(txn, key, klen, &got), 0);
    CHECK_INT_EQ(got.first_seen, 1795428000000LL);
    CHECK_INT_EQ(got.published_at, 1609459200000LL);
    CHECK_STR_EQ(got.integrity, FOX_SHA512_SRI);
    CHECK_STR_EQ(got.artifact_url, "https://npm-upstream.example/lodash/-/lodash-4.17.21.tgz");
    version_rec_free(&got);
    char other[1024];
    size_t olen = version_key(other, sizeof(other), "npm", "lodash", "4.17.20");
    CHECK_INT_EQ(version_rec_get(txn, other, olen, &got), MDB_NOTFOUND);
    store_read_end(txn);

    /* a damaged value reads as MDB_CORRUPTED, not garbage */
    buf_t junk;
    buf_init(&junk);
    buf_append(&junk, "\x01\x02\x03", 3);
    void *args2[3] = {other, &olen, &junk};
    CHECK_INT_EQ(store_write(put_version_fn, args2, err, sizeof(err)), STORE_OK);
    CHECK_INT_EQ(store_read_begin(&txn), 0);
    CHECK_INT_EQ(version_rec_get(txn, other, olen, &got), MDB_CORRUPTED);
    store_read_end(txn);
    buf_free(&junk);

    /* store_get_copy */
    void *val = NULL;
    size_t vlen = 0;
    CHECK_INT_EQ(store_get_copy(DB_VERSIONS, key, klen, &val, &vlen), STORE_OK);
    CHECK(vlen == b.len && val != NULL && memcmp(val, b.data, b.len) == 0);
    free(val);
    CHECK_INT_EQ(store_get_copy(DB_VERSIONS, "nope", 4, &val, &vlen), STORE_NOTFOUND);
    CHECK_INT_EQ(store_get_copy(DB_STATE, key, klen, &val, &vlen), STORE_NOTFOUND); /* other database */

    /* generations grow with every commit: what a write indexes carries a
     * larger one than any read before it saw (the artifact route's recheck) */
    uint64_t g0 = store_generation();
    CHECK(g0 > 0);
    CHECK_INT_EQ(store_write(put_version_fn, args, err, sizeof(err)), STORE_OK);
    uint64_t g1 = store_generation();
    CHECK(g1 > g0);
    CHECK_INT_EQ(store_write(gen_fn, &g1, err, sizeof(err)), STORE_OK);
    CHECK(store_generation() > g1);

    /* a failing write function: nothing committed, STORE_ERROR with a message */
    err[0] = '\0';
    CHECK_INT_EQ(store_write(fail_fn, NULL, err, sizeof(err)), STORE_ERROR);
    CHECK(err[0] != '\0');

    /* durable across close and a read-only reopen */
    store_close();
    CHECK_INT_EQ(store_is_open(), 0);
    CHECK_INT_EQ(store_open(sub, 1 << 20, 1, err, sizeof(err)), 0);
    CHECK_INT_EQ(store_read_begin(&txn), 0);
    CHECK_INT_EQ(version_rec_get(txn, key, klen, &got), 0);
    CHECK_STR_EQ(got.integrity, FOX_SHA512_SRI);
    version_rec_free(&got);
    store_read_end(txn);
    store_close();
    buf_free(&b);

    /* a read-only open of a directory with no store fails with a message */
    char none[300];
    snprintf(none, sizeof(none), "%s/none", g_dir);
    err[0] = '\0';
    CHECK_INT_EQ(store_open(none, 1 << 20, 1, err, sizeof(err)), -1);
    CHECK(err[0] != '\0');
    CHECK_INT_EQ(store_is_open(), 0);
}

TEST(store_tiny_map_grows)
{
    char sub[300];
    snprintf(sub, sizeof(sub), "%s/tiny", g_dir);
    int rc = store_open(sub, 64 * 1024, 0, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "  store_open(64KB): %s\n", err);
    CHECK_INT_EQ(rc, 0);
    if (rc != 0)
        return;
    char val[1000];
    memset(val, 'v', sizeof(val));
    /* many small writes (1KB each), well past 64KB in total */
    int ok = 0;
    for (int i = 0; i < 400; i++) {
        char key[32];
        int kl = snprintf(key, sizeof(key), "key-%05d", i);
        put_arg_t a = {.db = DB_STATE, .key = key, .klen = (size_t)kl, .val = val, .vlen = sizeof(val)};
        store_rc_t r = store_write(put_fn, &a, err, sizeof(err));
        if (r != STORE_OK && ok == i)
            fprintf(stderr, "  write %d failed with %d: %s\n", i, r, err);
        ok += r == STORE_OK;
    }
    CHECK_INT_EQ(ok, 400);
    /* one transaction larger than the current map */
    put_arg_t big = {.db = DB_META, .key = "bulk", .val = val, .vlen = sizeof(val), .count = 3000};
    store_rc_t r = store_write(put_fn, &big, err, sizeof(err));
    if (r != STORE_OK)
        fprintf(stderr, "  bulk write failed with %d: %s\n", r, err);
    CHECK_INT_EQ(r, STORE_OK);
    /* everything is there */
    void *v = NULL;
    size_t vlen = 0;
    CHECK_INT_EQ(store_get_copy(DB_STATE, "key-00399", 9, &v, &vlen), STORE_OK);
    CHECK_INT_EQ(vlen, sizeof(val));
    free(v);
    CHECK_INT_EQ(store_get_copy(DB_META, "bulk-002999", 11, &v, &vlen), STORE_OK);
    free(v);
    MDB_txn *txn;
    CHECK_INT_EQ(store_read_begin(&txn), 0);
    MDB_stat st;
    mdb_stat(txn, store_dbi(DB_STATE), &st);
    CHECK_INT_EQ(st.ms_entries, 400);
    mdb_stat(txn, store_dbi(DB_META), &st);
    CHECK_INT_EQ(st.ms_entries, 3000);
    store_read_end(txn);
    store_close();
}

/* a map is grown before it is full: after every commit it is less than
 * STORE_GROW_AT percent used; store_usage counts the blob index */
TEST(store_grows_before_full_and_reports_usage)
{
    char sub[300];
    snprintf(sub, sizeof(sub), "%s/nearly-full", g_dir);
    CHECK_INT_EQ(store_open(sub, 256 * 1024, 0, err, sizeof(err)), 0);
    char val[2000];
    memset(val, 'u', sizeof(val));
    store_usage_t u;
    int within = 1;
    for (int i = 0; i < 600; i++) {
        char key[32];
        int kl = snprintf(key, sizeof(key), "k-%05d", i);
        put_arg_t a = {.db = DB_STATE, .key = key, .klen = (size_t)kl, .val = val, .vlen = sizeof(val)};
        CHECK_INT_EQ(store_write(put_fn, &a, err, sizeof(err)), STORE_OK);
        CHECK_INT_EQ(store_usage(&u), 0);
        within &= u.used_bytes * 100 < u.map_bytes * STORE_GROW_AT;
    }
    CHECK(within);
    CHECK(u.grown >= 1);
    CHECK(u.map_bytes > 256 * 1024);
    CHECK_INT_EQ((long)u.artifacts, 0);
    /* two artifacts in the blob index */
    for (int i = 0; i < 2; i++) {
        blob_rec_t b = {.size = 1000 + i, .stored_at = 1, .blob = "ab", .generation = 1};
        buf_t enc;
        buf_init(&enc);
        blob_rec_encode(&b, &enc);
        char key[32];
        int kl = snprintf(key, sizeof(key), "npm/a-%d.tgz", i);
        put_arg_t a = {.db = DB_BLOBS, .key = key, .klen = (size_t)kl, .val = enc.data, .vlen = enc.len};
        CHECK_INT_EQ(store_write(put_fn, &a, err, sizeof(err)), STORE_OK);
        buf_free(&enc);
    }
    CHECK_INT_EQ(store_usage(&u), 0);
    CHECK_INT_EQ((long)u.artifacts, 2);
    CHECK_INT_EQ((long)u.artifact_bytes, 2001);
    store_close();
}

/* ---- blobs ---- */

TEST(blob_writer_commit)
{
    char data_dir[300], tmp_dir[320];
    snprintf(data_dir, sizeof(data_dir), "%s/blobdata", g_dir);
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/tmp", data_dir);
    CHECK_INT_EQ(blob_init(data_dir, err, sizeof(err)), 0);
    CHECK_STR_EQ(blob_tmp_dir(), tmp_dir);

    blob_writer_t w;
    CHECK_INT_EQ(blob_writer_open(&w, 1u << DIGEST_SHA512), 0);
    CHECK_INT_EQ(count_entries(tmp_dir), 1); /* written to tmp first */
    CHECK_INT_EQ(blob_writer_write(&w, FOX, 10), 0);
    CHECK_INT_EQ(blob_writer_write(&w, &FOX[10], strlen(FOX) - 10), 0);
    CHECK_INT_EQ(w.size, strlen(FOX));
    blob_writer_finish(&w);
    integrity_t it;
    CHECK_INT_EQ(integrity_parse_sri(FOX_SHA512_SRI, strlen(FOX_SHA512_SRI), &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &w.digests), 1); /* verify before commit, as the caller does */
    char hex[65];
    CHECK_INT_EQ(blob_writer_commit(&w, hex), 0);
    CHECK_STR_EQ(hex, FOX_SHA256_HEX);
    CHECK_INT_EQ(count_entries(tmp_dir), 0);

    char path[4300], want[4300];
    CHECK_INT_EQ(blob_path(hex, path, sizeof(path)), 0);
    snprintf(want, sizeof(want), "%s/blobs/d7/%s", data_dir, &FOX_SHA256_HEX[2]);
    CHECK_STR_EQ(path, want);
    CHECK_INT_EQ(blob_exists(hex), 1);
    size_t len = 0;
    char *content = read_file(path, &len);
    CHECK(content != NULL && len == strlen(FOX) && memcmp(content, FOX, len) == 0);
    char check[65];
    if (content)
        sha256_hex(content, len, check);
    CHECK_STR_EQ(content ? check : "", FOX_SHA256_HEX);
    free(content);

    /* the same content again lands on the same path */
    CHECK_INT_EQ(blob_writer_open(&w, 0), 0);
    CHECK_INT_EQ(blob_writer_write(&w, FOX, strlen(FOX)), 0);
    CHECK_INT_EQ(blob_writer_commit(&w, hex), 0);
    CHECK_STR_EQ(hex, FOX_SHA256_HEX);
    CHECK_INT_EQ(count_entries(tmp_dir), 0);

    /* an empty blob */
    CHECK_INT_EQ(blob_writer_open(&w, 0), 0);
    CHECK_INT_EQ(blob_writer_commit(&w, hex), 0);
    CHECK_STR_EQ(hex, EMPTY_SHA256_HEX);
    CHECK_INT_EQ(blob_exists(EMPTY_SHA256_HEX), 1);

    /* a large blob in many pieces */
    const size_t big = 3 * 1024 * 1024 + 17;
    unsigned char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (unsigned char)(i * 2654435761u >> 13);
    char big_hex[65];
    sha256_hex(data, big, big_hex);
    CHECK_INT_EQ(blob_writer_open(&w, 1u << DIGEST_SHA1), 0);
    for (size_t off = 0; off < big; off += 65536)
        blob_writer_write(&w, data + off, big - off < 65536 ? big - off : 65536);
    CHECK_INT_EQ(blob_writer_commit(&w, hex), 0);
    CHECK_STR_EQ(hex, big_hex);
    CHECK_INT_EQ(blob_path(hex, path, sizeof(path)), 0);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (size_t)st.st_size == big);
    free(data);

    /* blob_path refuses what is not a sha256 */
    CHECK_INT_EQ(blob_path("abc", path, sizeof(path)), -1);
    CHECK_INT_EQ(blob_path("", path, sizeof(path)), -1);
    CHECK_INT_EQ(blob_exists("abc"), 0);
    CHECK_INT_EQ(blob_exists("0000000000000000000000000000000000000000000000000000000000000000"), 0);
}

TEST(blob_writer_abort_and_cleanup)
{
    char data_dir[300], tmp_dir[320];
    snprintf(data_dir, sizeof(data_dir), "%s/blobdata2", g_dir);
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/tmp", data_dir);
    CHECK_INT_EQ(blob_init(data_dir, err, sizeof(err)), 0);

    blob_writer_t w;
    CHECK_INT_EQ(blob_writer_open(&w, 1u << DIGEST_SHA512), 0);
    CHECK_INT_EQ(blob_writer_write(&w, "not what upstream promised", 26), 0);
    blob_writer_finish(&w);
    integrity_t it;
    CHECK_INT_EQ(integrity_parse_sri(FOX_SHA512_SRI, strlen(FOX_SHA512_SRI), &it), 0);
    CHECK_INT_EQ(integrity_check(&it, &w.digests), 0); /* mismatch: the caller aborts */
    blob_writer_abort(&w);
    CHECK_INT_EQ(count_entries(tmp_dir), 0);
    char blobs[320];
    snprintf(blobs, sizeof(blobs), "%s/blobs", data_dir);
    CHECK_INT_EQ(count_entries(blobs), 0);
    blob_writer_abort(&w); /* twice is harmless */

    /* temp files left behind (a crash) are removed by the next blob_init */
    CHECK_INT_EQ(blob_writer_open(&w, 0), 0);
    CHECK_INT_EQ(blob_writer_write(&w, "partial", 7), 0);
    CHECK_INT_EQ(count_entries(tmp_dir), 1);
    close(w.fd); /* simulate the process dying: no abort, no commit */
    digest_set_free(&w.digests);
    CHECK_INT_EQ(blob_init(data_dir, err, sizeof(err)), 0);
    CHECK_INT_EQ(count_entries(tmp_dir), 0);

    /* derived documents */
    CHECK_INT_EQ(blob_write_derived("npm-lodash.json", "{\"a\":1}", 7), 0);
    char p[4300];
    blob_derived_path("npm-lodash.json", p, sizeof(p));
    size_t len = 0;
    char *content = read_file(p, &len);
    CHECK(content != NULL && len == 7 && memcmp(content, "{\"a\":1}", 7) == 0);
    free(content);
    CHECK_INT_EQ(blob_write_derived("npm-lodash.json", "{}", 2), 0); /* replaced atomically */
    content = read_file(p, &len);
    CHECK(content != NULL && len == 2);
    free(content);
    CHECK_INT_EQ(count_entries(tmp_dir), 0);
    CHECK(blob_write_derived("no/such/dir/x.json", "x", 1) != 0);
    CHECK_INT_EQ(count_entries(tmp_dir), 0);

    /* a data directory that cannot be created */
    err[0] = '\0';
    CHECK_INT_EQ(blob_init("/proc/cordon-cannot-exist/x", err, sizeof(err)), -1);
    CHECK(err[0] != '\0');
}

static void write_bytes(const char *path, size_t n, char fill)
{
    FILE *f = fopen(path, "wb");
    for (size_t i = 0; f && i < n; i++)
        fputc(fill, f);
    if (f)
        fclose(f);
}

/* map_file: small files read into memory (NUL-ended), big ones mapped, the
 * same bytes either way; empty and missing files */
TEST(map_file_small_and_big)
{
    char path[600];
    mapped_t m;
    snprintf(path, sizeof(path), "%s/small", g_dir);
    write_bytes(path, 1000, 'a');
    CHECK_INT_EQ(map_file(path, &m), 0);
    CHECK_INT_EQ(m.len, 1000);
    CHECK(m.heap);
    CHECK(((char *)m.p)[999] == 'a' && ((char *)m.p)[1000] == '\0');
    unmap_file(&m);
    CHECK(m.p == NULL);
    snprintf(path, sizeof(path), "%s/edge", g_dir);
    write_bytes(path, MAP_READ_MAX, 'b');
    CHECK_INT_EQ(map_file(path, &m), 0);
    CHECK(m.heap && m.len == MAP_READ_MAX && ((char *)m.p)[MAP_READ_MAX - 1] == 'b');
    unmap_file(&m);
    snprintf(path, sizeof(path), "%s/big", g_dir);
    write_bytes(path, MAP_READ_MAX + 1, 'c');
    CHECK_INT_EQ(map_file(path, &m), 0);
    CHECK(!m.heap && m.len == MAP_READ_MAX + 1 && ((char *)m.p)[MAP_READ_MAX] == 'c');
    unmap_file(&m);
    snprintf(path, sizeof(path), "%s/empty", g_dir);
    write_bytes(path, 0, 'x');
    CHECK_INT_EQ(map_file(path, &m), 0);
    CHECK(m.p == NULL && m.len == 0);
    unmap_file(&m);
    snprintf(path, sizeof(path), "%s/missing", g_dir);
    CHECK_INT_EQ(map_file(path, &m), -1);
    CHECK(m.p == NULL);
}

int main(void)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/cordon-test-store-XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    RUN(records_round_trip);
    RUN(records_truncated_and_corrupt);
    RUN(version_keys);
    RUN(store_version_records);
    RUN(store_tiny_map_grows);
    RUN(store_grows_before_full_and_reports_usage);
    RUN(blob_writer_commit);
    RUN(blob_writer_abort_and_cleanup);
    RUN(map_file_small_and_big);
    rm_rf(g_dir);
    return test_report();
}
