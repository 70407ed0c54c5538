/* derived: storage and lookup of rendered documents (see the header). */
#include "store/derived.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/blob.h"
#include "store/store.h"
#include "common/buf.h"
#include "common/digest.h"
#include "common/gzip.h"
#include "common/timeutil.h"

int map_file(const char *path, mapped_t *m)
{
    m->p = NULL;
    m->len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return -1;
    }
    m->len = (size_t)st.st_size;
    m->heap = 0;
    if (m->len == 0) {
        close(fd);
        return 0;
    }
    if (m->len <= MAP_READ_MAX) {
        char *b = malloc(m->len + 1); /* NUL-ended, as a mapping's last page is zero-filled */
        size_t got = 0;
        while (b && got < m->len) {
            ssize_t r = pread(fd, b + got, m->len - got, (off_t)got);
            if (r <= 0) { /* an error, or the file shrank under us */
                if (r < 0 && errno == EINTR)
                    continue;
                free(b);
                b = NULL;
            } else {
                got += (size_t)r;
            }
        }
        close(fd);
        if (b)
            b[m->len] = '\0';
        m->p = b;
        m->heap = 1;
        return b ? 0 : -1;
    }
    m->p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m->p == MAP_FAILED) {
        m->p = NULL;
        return -1;
    }
    return 0;
}

void unmap_file(mapped_t *m)
{
    if (m->p && m->heap)
        free(m->p);
    else if (m->p)
        munmap(m->p, m->len);
    m->p = NULL;
    m->heap = 0;
}

void derived_key(char *out, size_t outlen, const char *ns, const char *blob, const char *repr, const char *public_url,
                 const char *policy, const char *renderer)
{
    char seed[1200], hash[65];
    snprintf(seed, sizeof(seed), "%s|%s|%s|%s|%s", blob, repr, public_url, policy, renderer);
    sha256_hex(seed, strlen(seed), hash);
    snprintf(out, outlen, "%sdoc:%.40s", ns, hash);
}

/* the record: "UNTIL\tFILE" then, when there is a note, "\tNOTE" */
int derived_lookup(const char *key, int64_t now, char *file, size_t filelen, char **note)
{
    void *v;
    size_t n;
    if (note)
        *note = NULL;
    if (store_get_copy(DB_STATE, key, strlen(key), &v, &n) != STORE_OK)
        return -1;
    long long until;
    char name[128];
    int used = 0;
    int ok = sscanf(v, "%lld\t%127[^\t]%n", &until, name, &used) == 2;
    if (ok && note && ((char *)v)[used] == '\t' && ((char *)v)[used + 1] != '\0')
        *note = strdup((char *)v + used + 1);
    free(v);
    if (!ok || (until != (long long)TIME_NONE && now >= until)) {
        if (note) {
            free(*note);
            *note = NULL;
        }
        return -1;
    }
    char path[4200];
    struct stat st;
    blob_derived_path(name, path, sizeof(path));
    if (stat(path, &st) != 0) {
        if (note) {
            free(*note);
            *note = NULL;
        }
        return -1;
    }
    snprintf(file, filelen, "%s", name);
    return 0;
}

typedef struct doc_put {
    const char *key;
    const char *value;
} doc_put_t;

static int put_doc(MDB_txn *txn, void *arg)
{
    doc_put_t *d = arg;
    MDB_val k = {strlen(d->key), (void *)d->key}, v = {strlen(d->value), (void *)d->value};
    return mdb_put(txn, store_dbi(DB_STATE), &k, &v, 0);
}

int derived_store(const char *key, const char *prefix, const char *ext, const void *bytes, size_t len,
                  int64_t valid_until, const char *note, char *file, size_t filelen)
{
    char hex[65], err[300];
    sha256_hex(bytes, len, hex);
    snprintf(file, filelen, "%s-%.40s.%s", prefix, hex, ext);
    if (blob_write_derived(file, bytes, len) != 0)
        return -1;
    /* the gzip form beside it, compressed once here and never per request:
     * the metadata routes send it to clients that accept gzip (a lost one
     * only costs bytes on the wire) */
    buf_t gz;
    buf_init(&gz);
    if (gzip_compress(bytes, len, GZIP_DOCUMENT_LEVEL, &gz) == 0 && !gz.oom) {
        char gzname[200];
        snprintf(gzname, sizeof(gzname), "%s.gz", file);
        blob_write_derived(gzname, gz.data, gz.len);
    }
    buf_free(&gz);
    char head[200];
    snprintf(head, sizeof(head), "%lld\t%s", (long long)valid_until, file);
    size_t hl = strlen(head), nl = note ? strlen(note) : 0;
    char *value = malloc(hl + nl + 2);
    if (value == NULL)
        return 0; /* the document is written; only the record is lost, which costs a re-render */
    memcpy(value, head, hl + 1);
    if (nl) {
        value[hl] = '\t';
        memcpy(value + hl + 1, note, nl + 1);
    }
    doc_put_t d = {key, value};
    store_write(put_doc, &d, err, sizeof(err)); /* a lost record only costs a re-render */
    free(value);
    return 0;
}

void derived_etag(const char *file, char *out, size_t outlen)
{
    const char *dash = strchr(file, '-');
    snprintf(out, outlen, "\"%.32s\"", dash ? dash + 1 : file);
}
