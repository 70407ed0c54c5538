/* contents: one artifact's listing and manifest facts, and their
 * DB_CONTENTS records (see the header). A record is format byte 'C', the
 * file name, the entry count, the files (path, size, kind, two words of
 * SHA-256) and the facts (kind, name, value), in store/record.h's layout. */
#include "analysis/contents.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/findings.h" /* findings_key */
#include "common/vec.h"
#include "store/record.h"
#include "store/store.h"

enum { FMT_CONTENTS = 'C' };

void contents_init(contents_t *c) { memset(c, 0, sizeof(*c)); }

void contents_free(contents_t *c)
{
    for (size_t i = 0; i < c->nfiles; i++)
        free(c->files[i].path);
    for (size_t i = 0; i < c->nfacts; i++) {
        free(c->facts[i].name);
        free(c->facts[i].value);
    }
    free(c->files);
    free(c->facts);
    free(c->filename);
    memset(c, 0, sizeof(*c));
}

int contents_set_filename(contents_t *c, const char *filename)
{
    free(c->filename);
    c->filename = strdup(filename ? filename : "");
    if (c->filename == NULL)
        c->oom = 1;
    return c->filename ? 0 : -1;
}

void contents_add_file(contents_t *c, const char *path, int kind, int64_t size, const unsigned char *sha256)
{
    c->entries++;
    if (c->oom || c->nfiles >= CONTENTS_FILES_MAX)
        return;
    if (vec_reserve_(&c->files, &c->capfiles, c->nfiles + 1, sizeof(*c->files)) != 0) {
        c->oom = 1;
        return;
    }
    contents_file_t *f = &c->files[c->nfiles];
    memset(f, 0, sizeof(*f));
    if ((f->path = strdup(path)) == NULL) {
        c->oom = 1;
        return;
    }
    f->size = size;
    f->kind = kind;
    if (sha256 != NULL)
        memcpy(f->sha, sha256, sizeof(f->sha));
    c->nfiles++;
}

const contents_fact_t *contents_fact(const contents_t *c, contents_fact_kind_t kind, const char *name)
{
    for (size_t i = 0; i < c->nfacts; i++)
        if (c->facts[i].kind == kind && strcmp(c->facts[i].name, name) == 0)
            return &c->facts[i];
    return NULL;
}

void contents_add_fact(contents_t *c, contents_fact_kind_t kind, const char *name, const char *value)
{
    if (c->oom || c->nfacts >= CONTENTS_FACTS_MAX || name == NULL || (unsigned)kind >= CONTENTS_FACT_KINDS ||
        contents_fact(c, kind, name) != NULL)
        return;
    if (vec_reserve_(&c->facts, &c->capfacts, c->nfacts + 1, sizeof(*c->facts)) != 0) {
        c->oom = 1;
        return;
    }
    contents_fact_t *f = &c->facts[c->nfacts];
    f->kind = kind;
    f->name = strndup(name, CONTENTS_VALUE_MAX);
    f->value = strndup(value ? value : "", CONTENTS_VALUE_MAX);
    if (f->name == NULL || f->value == NULL) {
        free(f->name);
        free(f->value);
        c->oom = 1;
        return;
    }
    c->nfacts++;
}

const char *contents_fact_kind_name(contents_fact_kind_t k)
{
    static const char *const names[CONTENTS_FACT_KINDS] = {
        [CONTENTS_DEPENDENCY] = "dependency",
        [CONTENTS_SCRIPT] = "script",
        [CONTENTS_ENTRY_POINT] = "entry_point",
        [CONTENTS_LINK] = "link",
    };
    return (unsigned)k < CONTENTS_FACT_KINDS ? names[k] : "unknown";
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const contents_file_t *)a)->path, ((const contents_file_t *)b)->path);
}

static int by_kind_name(const void *a, const void *b)
{
    const contents_fact_t *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->name, y->name);
}

void contents_sort(contents_t *c)
{
    if (c->nfiles > 1)
        qsort(c->files, c->nfiles, sizeof(*c->files), by_path);
    if (c->nfacts > 1)
        qsort(c->facts, c->nfacts, sizeof(*c->facts), by_kind_name);
}

/* ---- records ---- */

static int64_t sha_word(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return (int64_t)v;
}

static void sha_unword(int64_t w, unsigned char *p)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)((uint64_t)w >> (8 * i));
}

int contents_encode(const contents_t *c, buf_t *out)
{
    if (c->oom || c->filename == NULL)
        return -1;
    buf_putc(out, (char)FMT_CONTENTS);
    rec_put_str(out, c->filename);
    rec_put_i64(out, c->entries);
    rec_put_i64(out, (int64_t)c->nfiles);
    for (size_t i = 0; i < c->nfiles; i++) {
        const contents_file_t *f = &c->files[i];
        rec_put_str(out, f->path);
        rec_put_i64(out, f->size);
        rec_put_i64(out, f->kind);
        rec_put_i64(out, sha_word(f->sha));
        rec_put_i64(out, sha_word(f->sha + 8));
    }
    rec_put_i64(out, (int64_t)c->nfacts);
    for (size_t i = 0; i < c->nfacts; i++) {
        rec_put_i64(out, c->facts[i].kind);
        rec_put_str(out, c->facts[i].name);
        rec_put_str(out, c->facts[i].value);
    }
    return out->oom ? -1 : 0;
}

int contents_put_encoded(MDB_txn *txn, const char *eco, const char *package, const char *version, const char *digest,
                         const buf_t *rec)
{
    return artifact_record_put(txn, DB_CONTENTS, eco, package, version, digest, rec);
}

int contents_put(MDB_txn *txn, const char *eco, const char *package, const char *version, const char *digest,
                 const contents_t *c)
{
    buf_t b;
    buf_init(&b);
    int rc = contents_encode(c, &b) == 0 ? contents_put_encoded(txn, eco, package, version, digest, &b) : 0;
    buf_free(&b);
    return rc; /* a listing that could not be kept: the diff says it is missing */
}

/* decodes one record into out (initialised): 0, EINVAL when damaged, ENOMEM */
static int decode(const MDB_val *v, contents_t *out)
{
    rec_reader_t r;
    rec_reader_init(&r, v->mv_data, v->mv_size);
    if (v->mv_size < 1 || r.p[0] != FMT_CONTENTS)
        return EINVAL;
    r.p++;
    out->filename = rec_get_str(&r);
    int64_t entries = rec_get_i64(&r);
    int64_t n = rec_get_i64(&r);
    if (r.err || n < 0 || n > CONTENTS_FILES_MAX)
        return EINVAL;
    for (int64_t i = 0; i < n && !r.err && !out->oom; i++) {
        char *path = rec_get_str(&r);
        int64_t size = rec_get_i64(&r), kind = rec_get_i64(&r);
        unsigned char sha[16];
        sha_unword(rec_get_i64(&r), sha);
        sha_unword(rec_get_i64(&r), sha + 8);
        if (!r.err)
            contents_add_file(out, path, (int)kind, size, sha);
        free(path);
    }
    int64_t nf = rec_get_i64(&r);
    if (r.err || nf < 0 || nf > CONTENTS_FACTS_MAX)
        return EINVAL;
    for (int64_t i = 0; i < nf && !r.err && !out->oom; i++) {
        int64_t kind = rec_get_i64(&r);
        char *name = rec_get_str(&r), *value = rec_get_str(&r);
        if (!r.err)
            contents_add_fact(out, (contents_fact_kind_t)kind, name, value);
        free(name);
        free(value);
    }
    if (r.err)
        return EINVAL;
    if (out->oom)
        return ENOMEM;
    out->entries = entries;
    contents_sort(out);
    return 0;
}

/* name with the first occurrence of version replaced by "\1", into out */
static void generic_name(const char *name, const char *version, char *out, size_t outlen)
{
    const char *at = version && *version ? strstr(name, version) : NULL;
    if (at == NULL)
        snprintf(out, outlen, "%s", name);
    else
        snprintf(out, outlen, "%.*s\1%s", (int)(at - name), name, at + strlen(version));
}

int contents_same_name(const char *a, const char *version_a, const char *b, const char *version_b)
{
    char ga[600], gb[600];
    generic_name(a, version_a, ga, sizeof(ga));
    generic_name(b, version_b, gb, sizeof(gb));
    return strcmp(ga, gb) == 0;
}

int contents_get_version(MDB_txn *txn, const char *eco, const char *package, const char *version,
                         const char *like_file, const char *like_version, contents_t *out)
{
    contents_init(out);
    char key[600];
    size_t plen = findings_key(key, sizeof(key), eco, package, version, NULL);
    if (plen == 0)
        return MDB_NOTFOUND;
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, store_dbi(DB_CONTENTS), &c);
    if (rc != 0)
        return rc;
    MDB_val k = {plen, key}, v, first = {0, NULL};
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, key, plen) != 0)
            break;
        if (first.mv_data == NULL)
            first = v;
        if (like_file == NULL)
            break;
        /* the file name is the record's first string: read it alone */
        rec_reader_t r;
        rec_reader_init(&r, v.mv_data, v.mv_size);
        r.p++;
        char *name = v.mv_size > 0 ? rec_get_str(&r) : NULL;
        int same = name != NULL && contents_same_name(name, version, like_file, like_version);
        free(name);
        if (same) {
            first = v;
            break;
        }
    }
    mdb_cursor_close(c);
    if (first.mv_data == NULL)
        return MDB_NOTFOUND;
    rc = decode(&first, out);
    if (rc != 0)
        contents_free(out);
    return rc;
}
