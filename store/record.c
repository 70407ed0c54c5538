/* record: encoders/decoders for the LMDB value layouts (see record.h). */
#include "store/record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "common/timeutil.h"

/* FMT_BLOB: a blob record before generations; FMT_BLOB_GEN: with its generation */
enum { FMT_VERSION = 1, FMT_META = 2, FMT_BLOB = 3, FMT_PACKAGE = 4, FMT_BLOB_GEN = 5 };

void rec_put_i64(buf_t *b, int64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)((uint64_t)v >> (8 * i));
    buf_append(b, x, 8);
}

void rec_put_str(buf_t *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    unsigned char x[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 24)};
    buf_append(b, x, 4);
    buf_append(b, s, n);
}

void rec_reader_init(rec_reader_t *r, const void *p, size_t n)
{
    r->p = p;
    r->end = r->p + n;
    r->err = 0;
}

int64_t rec_get_i64(rec_reader_t *r)
{
    if (r->err || r->end - r->p < 8) {
        r->err = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    return (int64_t)v;
}

char *rec_get_str(rec_reader_t *r)
{
    if (r->err || r->end - r->p < 4) {
        r->err = 1;
        return NULL;
    }
    size_t n = r->p[0] | (size_t)r->p[1] << 8 | (size_t)r->p[2] << 16 | (size_t)r->p[3] << 24;
    r->p += 4;
    if ((size_t)(r->end - r->p) < n) {
        r->err = 1;
        return NULL;
    }
    char *s = strndup((const char *)r->p, n);
    r->p += n;
    if (s == NULL)
        r->err = 1;
    return s;
}

static int check_format(rec_reader_t *r, int fmt)
{
    if (r->end - r->p < 1 || r->p[0] != fmt)
        return -1;
    r->p++;
    return 0;
}

size_t version_key(char *out, size_t outlen, const char *eco, const char *package, const char *version)
{
    size_t a = strlen(eco), b = strlen(package), c = strlen(version);
    size_t n = a + 1 + b + 1 + c;
    /* LMDB's default maximum key size is 511 bytes */
    if (n > 511 || n >= outlen)
        return 0;
    memcpy(out, eco, a);
    out[a] = '\0';
    memcpy(out + a + 1, package, b);
    out[a + 1 + b] = '\0';
    memcpy(out + a + 2 + b, version, c);
    return n;
}

void version_rec_encode(const version_rec_t *v, buf_t *out)
{
    buf_putc(out, FMT_VERSION);
    rec_put_i64(out, v->first_seen);
    rec_put_i64(out, v->published_at);
    rec_put_i64(out, v->flags);
    rec_put_str(out, v->integrity);
    rec_put_str(out, v->artifact_url);
}

int version_rec_decode(const void *p, size_t n, version_rec_t *v)
{
    rec_reader_t r;
    memset(v, 0, sizeof(*v));
    rec_reader_init(&r, p, n);
    if (check_format(&r, FMT_VERSION))
        return -1;
    v->first_seen = rec_get_i64(&r);
    v->published_at = rec_get_i64(&r);
    v->flags = rec_get_i64(&r);
    v->integrity = rec_get_str(&r);
    v->artifact_url = rec_get_str(&r);
    if (r.err) {
        version_rec_free(v);
        return -1;
    }
    return 0;
}

void version_rec_free(version_rec_t *v)
{
    free(v->integrity);
    free(v->artifact_url);
    v->integrity = v->artifact_url = NULL;
}

int version_rec_get(MDB_txn *txn, const char *key, size_t klen, version_rec_t *v)
{
    MDB_val k = {klen, (void *)key}, val;
    int rc = mdb_get(txn, store_dbi(DB_VERSIONS), &k, &val);
    if (rc != 0)
        return rc;
    return version_rec_decode(val.mv_data, val.mv_size, v) == 0 ? 0 : MDB_CORRUPTED;
}

int version_rec_load(const char *eco, const char *package, const char *version, version_rec_t *v)
{
    char key[1024];
    size_t klen = version_key(key, sizeof(key), eco, package, version);
    MDB_txn *txn;
    int found = 0;
    if (klen && store_read_begin(&txn) == 0) {
        found = version_rec_get(txn, key, klen, v) == 0;
        store_read_end(txn);
    }
    return found ? 0 : -1;
}

void meta_rec_encode(const meta_rec_t *m, buf_t *out)
{
    buf_putc(out, FMT_META);
    rec_put_i64(out, m->fetched_at);
    rec_put_i64(out, m->size);
    rec_put_str(out, m->blob);
    rec_put_str(out, m->etag);
    rec_put_str(out, m->last_modified);
    rec_put_str(out, m->content_type);
}

int meta_rec_decode(const void *p, size_t n, meta_rec_t *m)
{
    rec_reader_t r;
    memset(m, 0, sizeof(*m));
    rec_reader_init(&r, p, n);
    if (check_format(&r, FMT_META))
        return -1;
    m->fetched_at = rec_get_i64(&r);
    m->size = rec_get_i64(&r);
    m->blob = rec_get_str(&r);
    m->etag = rec_get_str(&r);
    m->last_modified = rec_get_str(&r);
    m->content_type = rec_get_str(&r);
    if (r.err) {
        meta_rec_free(m);
        return -1;
    }
    return 0;
}

void meta_rec_free(meta_rec_t *m)
{
    free(m->blob);
    free(m->etag);
    free(m->last_modified);
    free(m->content_type);
    m->blob = m->etag = m->last_modified = m->content_type = NULL;
}

void blob_rec_encode(const blob_rec_t *b, buf_t *out)
{
    buf_putc(out, FMT_BLOB_GEN);
    rec_put_i64(out, b->size);
    rec_put_i64(out, b->stored_at);
    rec_put_str(out, b->blob);
    rec_put_i64(out, (int64_t)b->generation);
}

int blob_rec_decode(const void *p, size_t n, blob_rec_t *b)
{
    rec_reader_t r;
    memset(b, 0, sizeof(*b));
    rec_reader_init(&r, p, n);
    int with_gen = n >= 1 && ((const unsigned char *)p)[0] == FMT_BLOB_GEN;
    if (check_format(&r, with_gen ? FMT_BLOB_GEN : FMT_BLOB))
        return -1;
    b->size = rec_get_i64(&r);
    b->stored_at = rec_get_i64(&r);
    b->blob = rec_get_str(&r);
    b->generation = with_gen ? (uint64_t)rec_get_i64(&r) : 0; /* older records: indexed before any decision now */
    if (r.err) {
        blob_rec_free(b);
        return -1;
    }
    return 0;
}

void blob_rec_free(blob_rec_t *b)
{
    free(b->blob);
    b->blob = NULL;
}

size_t package_key(char *out, size_t outlen, const char *eco, const char *package)
{
    size_t a = strlen(eco), b = strlen(package);
    if (a + 1 + b > 511 || a + 1 + b >= outlen)
        return 0;
    memcpy(out, eco, a);
    out[a] = '\0';
    memcpy(out + a + 1, package, b);
    return a + 1 + b;
}

void package_rec_encode(const package_rec_t *p, buf_t *out)
{
    buf_putc(out, FMT_PACKAGE);
    rec_put_i64(out, p->first_published);
    rec_put_i64(out, p->last_published);
    rec_put_i64(out, p->nversions);
    rec_put_i64(out, p->first_seen);
}

int package_rec_decode(const void *p, size_t n, package_rec_t *out)
{
    rec_reader_t r;
    rec_reader_init(&r, p, n);
    if (check_format(&r, FMT_PACKAGE))
        return -1;
    out->first_published = rec_get_i64(&r);
    out->last_published = rec_get_i64(&r);
    out->nversions = rec_get_i64(&r);
    out->first_seen = rec_get_i64(&r);
    return r.err ? -1 : 0;
}

int package_rec_get(MDB_txn *txn, const char *eco, const char *package, package_rec_t *out)
{
    char key[600];
    size_t klen = package_key(key, sizeof(key), eco, package);
    if (klen == 0)
        return MDB_NOTFOUND;
    MDB_val k = {klen, key}, v;
    int rc = mdb_get(txn, store_dbi(DB_PACKAGES), &k, &v);
    if (rc != 0)
        return rc;
    return package_rec_decode(v.mv_data, v.mv_size, out) == 0 ? 0 : MDB_CORRUPTED;
}

int package_rec_put(MDB_txn *txn, const char *eco, const char *package, const package_rec_t *p)
{
    char key[600];
    size_t klen = package_key(key, sizeof(key), eco, package);
    if (klen == 0)
        return 0; /* too long to key: nothing is recorded, nothing is established */
    package_rec_t rec = *p, old;
    int rc = package_rec_get(txn, eco, package, &old);
    if (rc == 0) {
        rec.first_seen = old.first_seen;
        if (memcmp(&rec, &old, sizeof(rec)) == 0)
            return 0;
    } else if (rc != MDB_NOTFOUND && rc != MDB_CORRUPTED) {
        return rc;
    }
    buf_t b;
    buf_init(&b);
    package_rec_encode(&rec, &b);
    MDB_val k = {klen, key}, v = {b.len, b.data};
    rc = b.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_PACKAGES), &k, &v, 0);
    buf_free(&b);
    return rc;
}

void u64_key(uint64_t v, unsigned char out[8])
{
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)(v >> (56 - 8 * i));
}

uint64_t u64_from_key(const void *p, size_t n)
{
    if (n != 8)
        return 0;
    const unsigned char *b = p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

