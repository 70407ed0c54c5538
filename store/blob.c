/* blob: temp-file-then-rename writer and path helpers for the blob store. */
#include "store/blob.h"

#include "common/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_root[2048];
static char g_tmp[2048];
static char g_derived[2048];

/* every directory of the store is for cordon's user alone (0700) */
static int ensure_dir(const char *p)
{
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(p, &st) == 0 && (st.st_mode & 07777) != 0700)
        chmod(p, 0700);
    return 0;
}

int blob_init(const char *data_dir, char *err, size_t errlen)
{
    snprintf(g_root, sizeof(g_root), "%s/blobs", data_dir);
    snprintf(g_tmp, sizeof(g_tmp), "%s/tmp", data_dir);
    snprintf(g_derived, sizeof(g_derived), "%s/derived", data_dir);
    if (mkdir_p(data_dir, 0700) || ensure_dir(data_dir) || ensure_dir(g_root) || ensure_dir(g_tmp) ||
        ensure_dir(g_derived)) {
        snprintf(err, errlen, "cannot create the blob store under %s: %s", data_dir, strerror(errno));
        return -1;
    }
    /* fan-out directories an older version made 0755 */
    DIR *fan = opendir(g_root);
    if (fan != NULL) {
        struct dirent *e;
        while ((e = readdir(fan)) != NULL) {
            if (e->d_name[0] == '.' || strlen(e->d_name) != 2)
                continue;
            char p[2100];
            snprintf(p, sizeof(p), "%s/%s", g_root, e->d_name);
            ensure_dir(p);
        }
        closedir(fan);
    }
    /* temp files left by a crash were never in service: remove them */
    DIR *d = opendir(g_tmp);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char p[4400];
            snprintf(p, sizeof(p), "%s/%s", g_tmp, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    return 0;
}

const char *blob_tmp_dir(void) { return g_tmp; }

int blob_writer_open(blob_writer_t *w, unsigned digest_mask)
{
    memset(w, 0, sizeof(*w));
    snprintf(w->tmp_path, sizeof(w->tmp_path), "%s/blob.XXXXXX", g_tmp);
    w->fd = mkstemp(w->tmp_path);
    if (w->fd < 0) {
        w->error = errno;
        return -1;
    }
    if (digest_set_init(&w->digests, digest_mask) != 0) {
        close(w->fd);
        unlink(w->tmp_path);
        w->fd = -1;
        w->error = ENOMEM;
        return -1;
    }
    return 0;
}

int blob_writer_write(blob_writer_t *w, const void *p, size_t n)
{
    if (w->error)
        return -1;
    digest_set_update(&w->digests, p, n);
    const char *c = p;
    while (n > 0) {
        ssize_t r = write(w->fd, c, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            w->error = errno;
            return -1;
        }
        c += r;
        n -= (size_t)r;
        w->size += (uint64_t)r;
    }
    return 0;
}

void blob_writer_finish(blob_writer_t *w) { digest_set_final(&w->digests); }

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int blob_writer_commit(blob_writer_t *w, char sha256hex[65])
{
    blob_writer_finish(w);
    hex_encode(w->digests.out[DIGEST_SHA256], 32, sha256hex);
    if (w->error || fsync(w->fd) != 0) {
        if (!w->error)
            w->error = errno;
        blob_writer_abort(w);
        return -1;
    }
    close(w->fd);
    w->fd = -1;
    char dir[4200], path[4300];
    snprintf(dir, sizeof(dir), "%s/%.2s", g_root, sha256hex);
    if (ensure_dir(dir) != 0 || (snprintf(path, sizeof(path), "%s/%s", dir, sha256hex + 2),
                                 rename(w->tmp_path, path) != 0)) {
        w->error = errno;
        unlink(w->tmp_path);
        digest_set_free(&w->digests);
        return -1;
    }
    fsync_dir(dir);
    digest_set_free(&w->digests);
    return 0;
}

void blob_writer_abort(blob_writer_t *w)
{
    if (w->fd >= 0) {
        close(w->fd);
        unlink(w->tmp_path);
        w->fd = -1;
    }
    digest_set_free(&w->digests);
}

int blob_path(const char *sha256hex, char *out, size_t outlen)
{
    if (strlen(sha256hex) != 64)
        return -1;
    snprintf(out, outlen, "%s/%.2s/%s", g_root, sha256hex, sha256hex + 2);
    return 0;
}

int blob_exists(const char *sha256hex)
{
    char p[4200];
    struct stat st;
    return blob_path(sha256hex, p, sizeof(p)) == 0 && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

void blob_derived_path(const char *name, char *out, size_t outlen) { snprintf(out, outlen, "%s/%s", g_derived, name); }

int blob_write_derived(const char *name, const void *p, size_t n)
{
    char tmp[4200], final[4200];
    snprintf(tmp, sizeof(tmp), "%s/derived.XXXXXX", g_tmp);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    const char *c = p;
    while (n > 0) {
        ssize_t r = write(fd, c, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            errno = e;
            return -1;
        }
        c += r;
        n -= (size_t)r;
    }
    /* derived documents can be re-rendered from their source, so no fsync */
    close(fd);
    blob_derived_path(name, final, sizeof(final));
    if (rename(tmp, final) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}
