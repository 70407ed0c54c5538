/* backup: a hot copy of a data directory (see backup.h). */
#include "admin/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "store/store.h"

/* dest must be new or an empty directory: a backup never mixes with files
 * already there */
static int prepare_dest(const char *dest, char *err, size_t errlen)
{
    struct stat st;
    if (stat(dest, &st) != 0) {
        if (errno != ENOENT || mkdir_p(dest, 0700) != 0) {
            snprintf(err, errlen, "cannot create %s: %s", dest, strerror(errno));
            return -1;
        }
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a directory", dest);
        return -1;
    }
    DIR *d = opendir(dest);
    if (d == NULL) {
        snprintf(err, errlen, "cannot read %s: %s", dest, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(d);
    if (!empty) {
        snprintf(err, errlen, "%s is not empty: give a new or empty directory", dest);
        return -1;
    }
    return chmod(dest, 0700) == 0 ? 0 : (snprintf(err, errlen, "cannot chmod %s: %s", dest, strerror(errno)), -1);
}

/* a copy of src at dst, written whole and fsync'd before it is named */
static int copy_file(const char *src, const char *dst, uint64_t *bytes)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.part", dst);
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                rc = -1;
                break;
            }
            off += w;
        }
        if (rc)
            break;
        *bytes += (uint64_t)n;
    }
    if (n < 0 || fsync(out) != 0)
        rc = -1;
    int saved = errno;
    close(in);
    if (close(out) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, dst) != 0)
        rc = -1;
    if (rc != 0) {
        saved = errno ? errno : saved;
        unlink(tmp);
        errno = saved;
    }
    return rc;
}

/* data_dir/blobs/ab/abcdef… → dest/blobs/ab/abcdef…; a name that is not a
 * finished blob (a dot file, a partial write elsewhere) is not copied */
static int copy_blobs(const char *data_dir, const char *dest, backup_report_t *r, char *err, size_t errlen)
{
    char root[4096], droot[4096];
    snprintf(root, sizeof(root), "%s/blobs", data_dir);
    snprintf(droot, sizeof(droot), "%s/blobs", dest);
    if (mkdir_p(droot, 0700) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", droot, strerror(errno));
        return -1;
    }
    DIR *top = opendir(root);
    if (top == NULL)
        return errno == ENOENT ? 0 : (snprintf(err, errlen, "cannot read %s: %s", root, strerror(errno)), -1);
    struct dirent *sub;
    int rc = 0;
    while (rc == 0 && (sub = readdir(top)) != NULL) {
        if (sub->d_name[0] == '.')
            continue;
        char sdir[4400], ddir[4400];
        snprintf(sdir, sizeof(sdir), "%s/%s", root, sub->d_name);
        snprintf(ddir, sizeof(ddir), "%s/%s", droot, sub->d_name);
        DIR *d = opendir(sdir);
        if (d == NULL)
            continue; /* not a fan-out directory */
        if (mkdir(ddir, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", ddir, strerror(errno));
            rc = -1;
        }
        struct dirent *e;
        while (rc == 0 && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char src[4700], dst[4700];
            snprintf(src, sizeof(src), "%s/%s", sdir, e->d_name);
            snprintf(dst, sizeof(dst), "%s/%s", ddir, e->d_name);
            struct stat st;
            if (lstat(src, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            if (link(src, dst) == 0) {
                r->linked++;
                r->blob_bytes += (uint64_t)st.st_size;
            } else if (errno == EXDEV || errno == EPERM || errno == EMLINK) {
                uint64_t b = 0;
                if (copy_file(src, dst, &b) != 0) {
                    snprintf(err, errlen, "cannot copy %s: %s", src, strerror(errno));
                    rc = -1;
                    break;
                }
                r->copied++;
                r->blob_bytes += b;
            } else {
                snprintf(err, errlen, "cannot link %s into %s: %s", src, ddir, strerror(errno));
                rc = -1;
                break;
            }
            r->blobs++;
        }
        closedir(d);
    }
    closedir(top);
    return rc;
}

int backup_data_dir(const char *data_dir, const char *dest, int with_blobs, backup_report_t *out, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (prepare_dest(dest, err, errlen) != 0)
        return -1;
    char lmdb[4096];
    snprintf(lmdb, sizeof(lmdb), "%s/lmdb", dest);
    if (mkdir(lmdb, 0700) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", lmdb, strerror(errno));
        return -1;
    }
    /* the store first: every blob its snapshot names was in place before
     * the index named it, and blobs are never removed while it runs */
    if (store_copy(lmdb, err, errlen) != 0)
        return -1;
    char file[4200];
    struct stat st;
    snprintf(file, sizeof(file), "%s/data.mdb", lmdb);
    if (stat(file, &st) == 0)
        out->store_bytes = (uint64_t)st.st_size;
    return with_blobs ? copy_blobs(data_dir, dest, out, err, errlen) : 0;
}
