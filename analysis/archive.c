/* archive: the streaming walk over an artifact (see the header). One
 * libarchive reader per walk; entry data is pulled block by block so that
 * every uncompressed byte is counted against the limits whatever the
 * headers claim, and only the part a caller asked for is copied.
 *
 * Owns: the reader, the bounded content buffer, and the set of symlink
 * paths seen so far (to spot entries written through a symlink). Nothing
 * outlives a walk. */
#include "analysis/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define MB (1024 * 1024)
#define WANT_MAX (4 * MB)   /* most content handed to a callback */
#define RATIO_FLOOR MB      /* the ratio is judged once this much came out */
#define MAX_SYMLINKS 4096   /* tracked for the write-through check */
#define FILE_BLOCK 65536

/* A bomb is an archive whose expansion is out of proportion (ratio, entry
 * count, depth), not one that is big: the size limits only cap what one
 * walk may cost, and let through the real giants (GPU wheels expand to
 * 2-4 GB, with single libraries of ~2 GB; a tarball of already-compressed
 * data has a ratio of ~1). The walk's memory does not grow with them. */

/* Symlink paths in normal form ("a/b": no empty or "." components), open
 * addressing on an FNV-1a hash that can be extended component by
 * component. */
typedef struct link_slot {
    uint64_t h;
    char *s; /* NULL: free */
    size_t n;
} link_slot_t;

typedef struct link_set {
    link_slot_t *slot;
    size_t cap, n;
} link_set_t;

typedef struct walker {
    struct archive *a;
    archive_format_t format;
    archive_limits_t lim;
    archive_visitor_t v;
    EVP_MD_CTX *sha;   /* v.entry set: each file's content is hashed */
    archive_report_t *out;
    int64_t insize;  /* compressed input, for the ratio */
    const char *magic; /* the decompressor the input's first bytes name ("gzip", "xz", …), or NULL */
    int zip;         /* the walk read zip entries: its end is checked after */
    char *cbuf;      /* content asked for */
    size_t ccap;
    char *norm;      /* scratch: a path in normal form */
    size_t normcap;
    link_set_t links;
    locale_t saved_locale; /* the thread's own, put back at the end */
} walker_t;

/* seeded at random: names chosen to collide would make every lookup crawl */
static uint64_t hash_seed;
#define FNV_INIT (1469598103934665603ULL ^ hash_seed)

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int links_has(const link_set_t *ls, uint64_t h, const char *s, size_t n)
{
    if (ls->n == 0)
        return 0;
    for (size_t i = h & (ls->cap - 1);; i = (i + 1) & (ls->cap - 1)) {
        const link_slot_t *sl = &ls->slot[i];
        if (sl->s == NULL)
            return 0;
        if (sl->h == h && sl->n == n && memcmp(sl->s, s, n) == 0)
            return 1;
    }
}

/* 0, or -1 when out of memory */
static int links_add(link_set_t *ls, uint64_t h, const char *s, size_t n)
{
    if (links_has(ls, h, s, n))
        return 0;
    if ((ls->n + 1) * 2 > ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 64;
        link_slot_t *ns = calloc(cap, sizeof(*ns));
        if (ns == NULL)
            return -1;
        for (size_t i = 0; i < ls->cap; i++) {
            if (ls->slot[i].s == NULL)
                continue;
            size_t j = ls->slot[i].h & (cap - 1);
            while (ns[j].s != NULL)
                j = (j + 1) & (cap - 1);
            ns[j] = ls->slot[i];
        }
        free(ls->slot);
        ls->slot = ns;
        ls->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, s, n);
    copy[n] = '\0';
    size_t i = h & (ls->cap - 1);
    while (ls->slot[i].s != NULL)
        i = (i + 1) & (ls->cap - 1);
    ls->slot[i] = (link_slot_t){h, copy, n};
    ls->n++;
    return 0;
}

static void links_free(link_set_t *ls)
{
    for (size_t i = 0; i < ls->cap; i++)
        free(ls->slot[i].s);
    free(ls->slot);
    memset(ls, 0, sizeof(*ls));
}

/* a path for a message: control bytes become '?', long ones are cut */
static const char *shown(const char *s, char *out, size_t outlen)
{
    size_t n = strlen(s), max = outlen - 1, i;
    int cut = 0;
    if (n > max) {
        n = max - 3;
        cut = 1;
    }
    for (i = 0; i < n; i++)
        out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    if (cut)
        memcpy(out + i, "...", 3), i += 3;
    out[i] = '\0';
    return out;
}

static void malformed(walker_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void malformed(walker_t *w, const char *fmt, ...)
{
    if (w->out->malformed)
        return;
    w->out->malformed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->out->malformed_why, sizeof(w->out->malformed_why), fmt, ap);
    va_end(ap);
}

static void unsafe(walker_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void unsafe(walker_t *w, const char *fmt, ...)
{
    if (w->out->unsafe)
        return;
    w->out->unsafe = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->out->unsafe_why, sizeof(w->out->unsafe_why), fmt, ap);
    va_end(ap);
}

static const char *size_text(int64_t n, char *out, size_t len)
{
    if (n >= 1024LL * MB && n % (1024LL * MB) == 0)
        snprintf(out, len, "%lld GB", (long long)(n / (1024LL * MB)));
    else if (n >= MB && n % MB == 0)
        snprintf(out, len, "%lld MB", (long long)(n / MB));
    else
        snprintf(out, len, "%lld bytes", (long long)n);
    return out;
}

/* a compressed stream's magic bytes: the decompressor's name, or NULL */
static const char *sniff(const unsigned char *p, size_t n)
{
    static const struct {
        const char *name;
        unsigned char magic[6];
        size_t len;
    } M[] = {{"gzip", {0x1f, 0x8b}, 2},       {"bzip2", {'B', 'Z', 'h'}, 3},
             {"xz", {0xfd, '7', 'z', 'X', 'Z', 0}, 6}, {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4},
             {"lz4", {0x04, 0x22, 0x4d, 0x18}, 4}, {"lzip", {'L', 'Z', 'I', 'P'}, 4},
             {"compress (.Z)", {0x1f, 0x9d}, 2}};
    for (size_t i = 0; i < sizeof(M) / sizeof(M[0]); i++)
        if (n >= M[i].len && memcmp(p, M[i].magic, M[i].len) == 0)
            return M[i].name;
    return NULL;
}

/* the decompressor in use, "gzip", "bzip2", "xz", …; NULL when none */
static const char *filter_in_use(walker_t *w)
{
    if (w->magic != NULL)
        return w->magic;
    if (w->a == NULL || archive_filter_count(w->a) < 2)
        return NULL;
    return archive_filter_name(w->a, 0);
}

/* The reader failed: say why, naming the decompressor when the compressed
 * stream is what broke (the usual cause is a truncated download). */
static void read_failed(walker_t *w, const char *during)
{
    /* small inputs fail while libarchive reads ahead at open, often with no message */
    const char *msg = archive_error_string(w->a);
    const char *filter = filter_in_use(w);
    if (filter == NULL && msg != NULL && strstr(msg, "gzip") != NULL)
        filter = "gzip";
    static const char *const broken[] = {"truncat", "decompress", "zlib", "crc", "lzma", "library error",
                                         "damaged", "corrupt", "premature", "unexpected end", "bzip", "zstd",
                                         "lz4", "lzip", "compress"};
    int stream = 0;
    for (size_t i = 0; msg != NULL && filter != NULL && i < sizeof(broken) / sizeof(broken[0]); i++)
        stream |= strcasestr(msg, broken[i]) != NULL;
    if (msg != NULL && w->out->entries == 0 && strstr(msg, "Unrecognized archive format") != NULL)
        malformed(w, "not a tar or zip archive%s%s%s", filter ? " (" : "", filter ? filter : "", filter ? " data)" : "");
    else if (filter != NULL && msg == NULL)
        malformed(w, "truncated or corrupt %s data", filter);
    else if (stream)
        malformed(w, "truncated or corrupt %s data: %s", filter, msg);
    else
        malformed(w, "unreadable archive (%s): %s", during, msg != NULL ? msg : "unknown error");
}

static int is_sep(char c) { return c == '/' || c == '\\'; }

static int is_absolute(const char *p)
{
    if (p[0] == '/' || p[0] == '\\')
        return 1;
    /* "C:\x", "C:/x", and the drive-relative "C:x" */
    return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':';
}

/* a ".." component, with '\\' taken as a separator too */
static int has_dotdot(const char *p)
{
    while (*p) {
        const char *s = p;
        while (*p && !is_sep(*p))
            p++;
        if (p - s == 2 && s[0] == '.' && s[1] == '.')
            return 1;
        if (*p)
            p++;
    }
    return 0;
}

static int depth_of(const char *p)
{
    int d = 0;
    while (*p) {
        if (*p != '/' && (p[1] == '/' || p[1] == '\0'))
            d++;
        p++;
    }
    return d;
}

static const char *strip_dot_slash(const char *p)
{
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    return p;
}

/* Is a symlink target safe, resolved lexically from the link's directory?
 * '..' may only lead the target: "a/../.." is how a chain of symlinks
 * escapes a check that does not follow them, and no honest target needs it. */
static int check_symlink(walker_t *w, const char *path, const char *target)
{
    char sp[96], st[96];
    if (is_absolute(target)) {
        unsafe(w, "symlink '%s' points to an absolute path ('%s')", shown(path, sp, sizeof(sp)),
               shown(target, st, sizeof(st)));
        return 1;
    }
    int d = 0; /* components of the link's directory, "." not counted */
    const char *last = NULL;
    for (const char *p = path; *p;) {
        const char *s = p;
        while (*p && *p != '/')
            p++;
        if (p > s && !(p - s == 1 && *s == '.')) {
            if (last != NULL)
                d++;
            last = s;
        }
        if (*p)
            p++;
    }
    int named = 0;
    for (const char *p = target; *p;) {
        const char *s = p;
        while (*p && !is_sep(*p))
            p++;
        size_t n = (size_t)(p - s);
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (named) {
                unsafe(w, "symlink '%s' has '..' after a directory name ('%s')", shown(path, sp, sizeof(sp)),
                       shown(target, st, sizeof(st)));
                return 1;
            }
            if (--d < 0) {
                unsafe(w, "symlink '%s' points outside the archive ('%s')", shown(path, sp, sizeof(sp)),
                       shown(target, st, sizeof(st)));
                return 1;
            }
        } else if (n > 0 && !(n == 1 && s[0] == '.')) {
            named = 1;
        }
        if (*p)
            p++;
    }
    return 0;
}

static int check_hardlink(walker_t *w, const char *path, const char *target)
{
    char sp[96], st[96];
    target = strip_dot_slash(target);
    if (!is_absolute(target) && !has_dotdot(target))
        return 0;
    unsafe(w, "hardlink '%s' points outside the archive ('%s')", shown(path, sp, sizeof(sp)),
           shown(target, st, sizeof(st)));
    return 1;
}

/* Puts path in normal form into w->norm; with links known, says whether a
 * leading part of it is a symlink (the entry would be written through it).
 * Returns the normal form's length, or -1 when out of memory. */
static long normalise(walker_t *w, const char *path, const char **through, uint64_t *hash)
{
    size_t need = strlen(path) + 1;
    if (need > w->normcap) {
        char *p = realloc(w->norm, need);
        if (p == NULL)
            return -1;
        w->norm = p;
        w->normcap = need;
    }
    size_t n = 0;
    uint64_t h = FNV_INIT;
    *through = NULL;
    for (const char *p = path; *p;) {
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t k = (size_t)(p - s);
        if (k > 0 && !(k == 1 && *s == '.')) {
            if (n > 0) {
                if (links_has(&w->links, h, w->norm, n)) {
                    *through = w->norm; /* the prefix, terminated below */
                    break;
                }
                w->norm[n++] = '/';
                h = fnv(h, "/", 1);
            }
            memcpy(w->norm + n, s, k);
            n += k;
            h = fnv(h, s, k);
        }
        if (*p)
            p++;
    }
    w->norm[n] = '\0';
    *hash = h;
    return (long)n;
}

/* an entry's link targets: the UTF-8 form when libarchive can give it, the
 * stored bytes otherwise (names that do not convert in this locale) */
static const char *symlink_of(struct archive_entry *e)
{
    const char *t = archive_entry_symlink_utf8(e);
    return t != NULL ? t : archive_entry_symlink(e);
}

static const char *hardlink_of(struct archive_entry *e)
{
    const char *t = archive_entry_hardlink_utf8(e);
    return t != NULL ? t : archive_entry_hardlink(e);
}

static archive_entry_kind_t kind_of(struct archive_entry *e, const char **what)
{
    *what = NULL;
    if (hardlink_of(e) != NULL)
        return ARCHIVE_ENTRY_HARDLINK;
    switch (archive_entry_filetype(e)) {
    case 0:
    case AE_IFREG:
        return ARCHIVE_ENTRY_FILE;
    case AE_IFDIR:
        return ARCHIVE_ENTRY_DIR;
    case AE_IFLNK:
        return ARCHIVE_ENTRY_SYMLINK;
    case AE_IFCHR:
        *what = "a character device";
        return ARCHIVE_ENTRY_OTHER;
    case AE_IFBLK:
        *what = "a block device";
        return ARCHIVE_ENTRY_OTHER;
    case AE_IFIFO:
        *what = "a fifo";
        return ARCHIVE_ENTRY_OTHER;
    case AE_IFSOCK:
        *what = "a socket";
        return ARCHIVE_ENTRY_OTHER;
    default:
        *what = "of an unknown file type";
        return ARCHIVE_ENTRY_OTHER;
    }
}

/* Checks one entry; returns 1 when it is unsafe (reported if first). */
static int check_entry(walker_t *w, struct archive_entry *e, const archive_entry_info_t *info, const char *what)
{
    char sp[96], sl[96];
    const char *path = info->path;
    int bad = 0;

    if (is_absolute(path)) {
        unsafe(w, "entry '%s' has an absolute path", shown(path, sp, sizeof(sp)));
        bad = 1;
    } else if (has_dotdot(path)) {
        unsafe(w, "entry '%s' climbs out of the archive", shown(path, sp, sizeof(sp)));
        bad = 1;
    }
    if (info->kind == ARCHIVE_ENTRY_OTHER) {
        unsafe(w, "entry '%s' is %s", shown(path, sp, sizeof(sp)), what);
        bad = 1;
    }
    if (info->kind == ARCHIVE_ENTRY_FILE && path[0] == '\0') {
        unsafe(w, "a file entry has an empty path");
        bad = 1;
    }
    /* links are checked whatever the type says: a pax header can attach one */
    const char *target = symlink_of(e), *hl = hardlink_of(e);
    if (target != NULL)
        bad |= check_symlink(w, path, target);
    if (hl != NULL)
        bad |= check_hardlink(w, path, hl);

    const char *through = NULL;
    uint64_t h = 0;
    long n = normalise(w, path, &through, &h);
    if (n < 0) {
        malformed(w, "out of memory");
        return 1;
    }
    if (through != NULL) {
        unsafe(w, "entry '%s' is written through symlink '%s'", shown(path, sp, sizeof(sp)),
               shown(through, sl, sizeof(sl)));
        bad = 1;
    } else if (info->kind == ARCHIVE_ENTRY_SYMLINK && n > 0) {
        if (w->links.n >= MAX_SYMLINKS) {
            unsafe(w, "more than %d symlinks", MAX_SYMLINKS);
            bad = 1;
        } else if (links_add(&w->links, h, w->norm, (size_t)n) != 0) {
            malformed(w, "out of memory");
            return 1;
        }
    }
    return bad;
}

/* adds n bytes (+ hole) to the entry and the total; 0, or -1 past a limit */
static int count_bytes(walker_t *w, const archive_entry_info_t *info, int64_t *entry_bytes, int64_t add)
{
    char sp[96], sz[32];
    const archive_limits_t *l = &w->lim;
    if (add > l->max_entry - *entry_bytes) {
        malformed(w, "entry '%s' is larger than %s", shown(info->path, sp, sizeof(sp)),
                  size_text(l->max_entry, sz, sizeof(sz)));
        return -1;
    }
    *entry_bytes += add;
    if (add > l->max_total - w->out->total) {
        w->out->total = l->max_total;
        malformed(w, "uncompressed size exceeds %s", size_text(l->max_total, sz, sizeof(sz)));
        return -1;
    }
    w->out->total += add;
    return 0;
}

/* The ratio counts whatever came out of the decompressor, headers too, so
 * a stream of empty entries cannot inflate unseen. */
static int check_ratio(walker_t *w)
{
    int64_t big = w->out->total;
    int64_t stream = archive_filter_bytes(w->a, 0);
    if (stream > big)
        big = stream;
    int64_t q = big / w->insize;
    if (big > RATIO_FLOOR && (q > w->lim.max_ratio || (q == w->lim.max_ratio && big % w->insize != 0))) {
        malformed(w, "uncompressed size exceeds %lld\xc3\x97 the archive (zip bomb?)", (long long)w->lim.max_ratio);
        return -1;
    }
    return 0;
}

/* a sparse hole hashes as the zeros an extractor writes (bounded: holes
 * count against the limits before they are hashed) */
static void hash_block(EVP_MD_CTX *sha, int64_t hole, const void *blk, size_t n)
{
    static const unsigned char zeros[4096];
    while (hole > 0) {
        size_t k = hole < (int64_t)sizeof(zeros) ? (size_t)hole : sizeof(zeros);
        EVP_DigestUpdate(sha, zeros, k);
        hole -= (int64_t)k;
    }
    if (n > 0)
        EVP_DigestUpdate(sha, blk, n);
}

/* Reads one entry's data to its end, counting every byte (a sparse hole
 * counts too: an extractor writes it). The first `want` bytes go to the
 * content buffer. 0, or -1 when the walk must stop. */
static int read_entry(walker_t *w, const archive_entry_info_t *info, size_t want)
{
    int64_t entry_bytes = 0, pos = 0; /* pos: logical end so far */
    size_t filled = 0;                /* bytes of cbuf that are set */
    char sp[96];

    if (w->sha != NULL && EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL) != 1) {
        malformed(w, "out of memory");
        return -1;
    }
    if (want > 0 && want > w->ccap) {
        char *p = realloc(w->cbuf, want);
        if (p == NULL) {
            malformed(w, "out of memory");
            return -1;
        }
        w->cbuf = p;
        w->ccap = want;
    }
    for (;;) {
        const void *blk;
        size_t n;
        la_int64_t off;
        int r = archive_read_data_block(w->a, &blk, &n, &off);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK) {
            if (r == ARCHIVE_WARN) {
                const char *msg = archive_error_string(w->a);
                malformed(w, "corrupt data in '%s': %s", shown(info->path, sp, sizeof(sp)),
                          msg ? msg : "unknown error");
            } else {
                read_failed(w, "reading data");
            }
            return -1;
        }
        if (off < 0 || (int64_t)n < 0) {
            malformed(w, "corrupt data in '%s'", shown(info->path, sp, sizeof(sp)));
            return -1;
        }
        int64_t hole = off > pos ? off - pos : 0;
        if (hole > INT64_MAX - (int64_t)n)
            hole = INT64_MAX - (int64_t)n; /* past any limit anyway */
        if (count_bytes(w, info, &entry_bytes, hole + (int64_t)n) != 0)
            return -1;
        if (w->sha != NULL)
            hash_block(w->sha, hole, blk, n);
        if (want > 0 && n > 0 && (uint64_t)off < want) {
            size_t at = (size_t)off, k = n < want - at ? n : want - at;
            if (at > filled)
                memset(w->cbuf + filled, 0, at - filled);
            memcpy(w->cbuf + at, blk, k);
            if (at + k > filled)
                filled = at + k;
        }
        if (off + (int64_t)n > pos)
            pos = off + (int64_t)n;
        if (check_ratio(w) != 0)
            return -1;
    }
    if (want > 0 && w->v.content != NULL) {
        size_t len = (uint64_t)pos < want ? (size_t)pos : want;
        if (len > filled)
            memset(w->cbuf + filled, 0, len - filled); /* a trailing hole */
        w->v.content(w->v.arg, info, w->cbuf, len, (uint64_t)pos > want);
    }
    if (w->v.entry != NULL) {
        unsigned char md[32];
        unsigned mdlen = 0;
        int hashed = w->sha != NULL && info->kind == ARCHIVE_ENTRY_FILE && EVP_DigestFinal_ex(w->sha, md, &mdlen) == 1;
        w->v.entry(w->v.arg, info, entry_bytes, hashed ? md : NULL);
    }
    return 0;
}

static void walk(walker_t *w)
{
    archive_report_t *out = w->out;
    const archive_limits_t *l = &w->lim;
    char sp[96], sz[32];

    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(w->a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            read_failed(w, "reading a header");
            break;
        }
        if (check_ratio(w) != 0)
            break;
        if (w->format == ARCHIVE_COMPRESSED && archive_filter_count(w->a) < 2) { /* only "none" */
            malformed(w, "not compressed data (no gzip, bzip2, xz, lzma, lzip, zstd, lz4 or compress stream)");
            break;
        }
        if ((archive_format(w->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP)
            w->zip = 1;
        if (out->entries >= l->max_entries) {
            malformed(w, "more than %lld entries", (long long)l->max_entries);
            break;
        }
        out->entries++;

        const char *raw = archive_entry_pathname_utf8(e);
        if (raw == NULL)
            raw = archive_entry_pathname(e);
        if (raw == NULL) {
            malformed(w, "entry %lld has a name that cannot be read", (long long)out->entries);
            break;
        }
        archive_entry_info_t info;
        info.path = strip_dot_slash(raw);
        if (strlen(info.path) > (size_t)(l->max_path > 0 ? l->max_path : 0)) {
            malformed(w, "entry path longer than %d bytes ('%s')", l->max_path, shown(info.path, sp, sizeof(sp)));
            break;
        }
        info.depth = depth_of(info.path);
        if (info.depth > l->max_depth) {
            malformed(w, "entry path deeper than %d components ('%s')", l->max_depth,
                      shown(info.path, sp, sizeof(sp)));
            break;
        }
        const char *what;
        info.kind = kind_of(e, &what);
        info.size = archive_entry_size_is_set(e) && archive_entry_size(e) > 0 ? archive_entry_size(e) : 0;
        if (info.size > l->max_entry) {
            malformed(w, "entry '%s' is larger than %s", shown(info.path, sp, sizeof(sp)),
                      size_text(l->max_entry, sz, sizeof(sz)));
            break;
        }
        int bad = check_entry(w, e, &info, what);
        if (out->malformed)
            break;

        size_t want = 0;
        if (info.kind == ARCHIVE_ENTRY_FILE && !bad && w->v.want != NULL) {
            want = w->v.want(w->v.arg, &info);
            if (want > WANT_MAX)
                want = WANT_MAX;
        }
        if (read_entry(w, &info, want) != 0)
            break;
    }
}

static struct archive *reader_new(archive_format_t format)
{
    struct archive *a = archive_read_new();
    if (a == NULL)
        return NULL;
    /* only decompressors built into libarchive (or the libraries it links):
     * never an external program */
    if (archive_zlib_version() != NULL)
        archive_read_support_filter_gzip(a);
    if (archive_bzlib_version() != NULL)
        archive_read_support_filter_bzip2(a);
    if (archive_liblzma_version() != NULL) {
        archive_read_support_filter_xz(a);
        archive_read_support_filter_lzma(a);
        archive_read_support_filter_lzip(a);
    }
    if (archive_libzstd_version() != NULL)
        archive_read_support_filter_zstd(a);
    if (archive_liblz4_version() != NULL)
        archive_read_support_filter_lz4(a);
    archive_read_support_filter_compress(a); /* LZW is libarchive's own code */
    if (format == ARCHIVE_COMPRESSED) {
        archive_read_support_format_raw(a);
        return a;
    }
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    /* the streaming reader goes front to back for memory and files alike
     * and never seeks to a central directory that could disagree */
    archive_read_support_format_zip_streamable(a);
    /* read on past the end-of-archive blocks to the end of the stream: the
     * gzip CRC and length are checked there, and nothing hides after */
    archive_read_set_format_option(a, "tar", "read_concatenated_archives", "1");
    return a;
}

/* ---- the end of a zip ----
 * The streaming reader stops at the central directory; the JVM, pip and
 * unzip start from it. So a zip is also checked from its end: an
 * end-of-central-directory record that ends the file exactly (its comment
 * included), a central directory that ends where that record begins (or the
 * zip64 one), and as many entries listed there as the walk met. A zip cut
 * anywhere after its last local entry fails here, and so does one whose
 * central directory lists entries a streaming reader never sees. */

#define ZIP_TAIL_MAX (65535 + 22)

typedef struct tail_source {
    const unsigned char *mem;
    int fd;
    int64_t size;
} tail_source_t;

static int tail_read(const tail_source_t *src, void *buf, size_t n, int64_t off)
{
    if (off < 0 || (int64_t)n > src->size - off)
        return -1;
    if (src->mem != NULL) {
        memcpy(buf, src->mem + off, n);
        return 0;
    }
    return pread(src->fd, buf, n, off) == (ssize_t)n ? 0 : -1;
}

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void check_zip_end(walker_t *w, const tail_source_t *src)
{
    size_t n = src->size < ZIP_TAIL_MAX ? (size_t)src->size : ZIP_TAIL_MAX;
    unsigned char *t = malloc(n > 0 ? n : 1);
    if (t == NULL) {
        malformed(w, "out of memory");
        return;
    }
    int64_t base = src->size - (int64_t)n; /* file offset of t[0] */
    int64_t eocd = -1;
    if (n >= 22 && tail_read(src, t, n, base) == 0) {
        for (size_t i = n - 22 + 1; i-- > 0;) {
            if (memcmp(t + i, "PK\005\006", 4) == 0 && le(t + i + 20, 2) == n - i - 22) {
                eocd = base + (int64_t)i;
                break;
            }
        }
    }
    if (eocd < 0) {
        malformed(w, "the zip has no end-of-central-directory record at its end (truncated, or bytes after it)");
        free(t);
        return;
    }
    const unsigned char *e = t + (eocd - base);
    uint64_t disk = le(e + 4, 2), cd_disk = le(e + 6, 2), count = le(e + 10, 2);
    uint64_t cd_size = le(e + 12, 4), cd_off = le(e + 16, 4);
    int64_t cd_end = eocd;
    if (count == 0xffff || cd_size == 0xffffffff || cd_off == 0xffffffff) {
        unsigned char loc[20], z[56];
        if (eocd < 20 || tail_read(src, loc, 20, eocd - 20) != 0 || memcmp(loc, "PK\006\007", 4) != 0 ||
            le(loc + 8, 8) > (uint64_t)(eocd - 20) || tail_read(src, z, 56, (int64_t)le(loc + 8, 8)) != 0 ||
            memcmp(z, "PK\006\006", 4) != 0) {
            malformed(w, "the zip's zip64 end record is missing or broken");
            free(t);
            return;
        }
        cd_end = (int64_t)le(loc + 8, 8);
        disk = le(z + 16, 4);
        cd_disk = le(z + 20, 4);
        count = le(z + 32, 8);
        cd_size = le(z + 40, 8);
        cd_off = le(z + 48, 8);
    }
    free(t);
    if (disk != 0 || cd_disk != 0)
        malformed(w, "a zip split over several parts");
    else if (cd_off > (uint64_t)cd_end || cd_size != (uint64_t)cd_end - cd_off)
        malformed(w, "the zip's central directory does not end where its end record begins (truncated or altered)");
    else if (count != (uint64_t)w->out->entries)
        malformed(w, "the zip's central directory lists %llu entries, its local headers %lld",
                  (unsigned long long)count, (long long)w->out->entries);
}

/* libarchive converts a zip's UTF-8 names to the current locale and drops
 * the name when it cannot (the C locale cannot hold "é"): the walk, the
 * callbacks included, runs in C.UTF-8, for this thread only. */
static locale_t utf8_locale;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void once_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (getrandom(&hash_seed, sizeof(hash_seed), GRND_NONBLOCK) != (ssize_t)sizeof(hash_seed))
        hash_seed = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() << 32;
}

static void walker_init(walker_t *w, archive_format_t format, const archive_limits_t *lim,
                        const archive_visitor_t *v, archive_report_t *out)
{
    memset(out, 0, sizeof(*out));
    memset(w, 0, sizeof(*w));
    w->format = format;
    pthread_once(&once, once_init);
    if (utf8_locale != (locale_t)0)
        w->saved_locale = uselocale(utf8_locale);
    if (lim != NULL)
        w->lim = *lim;
    else
        archive_limits_default(&w->lim);
    if (v != NULL)
        w->v = *v;
    if (w->v.entry != NULL && (w->sha = EVP_MD_CTX_new()) == NULL)
        w->v.entry = NULL; /* out of memory: the listing is left out, the walk still checks */
    w->out = out;
}

static void walker_free(walker_t *w)
{
    if (w->a != NULL)
        archive_read_free(w->a);
    EVP_MD_CTX_free(w->sha);
    free(w->cbuf);
    free(w->norm);
    links_free(&w->links);
    if (w->saved_locale != (locale_t)0)
        uselocale(w->saved_locale);
}

int archive_walk_memory_as(const void *data, size_t len, archive_format_t format, const archive_limits_t *lim,
                           const archive_visitor_t *v, archive_report_t *out)
{
    walker_t w;
    walker_init(&w, format, lim, v, out);
    w.insize = (int64_t)len;
    w.magic = data != NULL ? sniff(data, len) : NULL;
    if (data == NULL || len == 0)
        malformed(&w, "empty file");
    else if ((w.a = reader_new(format)) == NULL)
        malformed(&w, "out of memory");
    else if (archive_read_open_memory(w.a, data, len) != ARCHIVE_OK)
        read_failed(&w, "opening");
    else
        walk(&w);
    if (w.zip && !out->malformed) {
        tail_source_t src = {data, -1, (int64_t)len};
        check_zip_end(&w, &src);
    }
    walker_free(&w);
    return 0;
}

int archive_walk_memory(const void *data, size_t len, const archive_limits_t *lim, archive_want_fn want,
                        archive_content_fn content, void *arg, archive_report_t *out)
{
    archive_visitor_t v = {want, content, NULL, arg};
    return archive_walk_memory_as(data, len, ARCHIVE_TAR_OR_ZIP, lim, &v, out);
}

int archive_walk_file_as(const char *path, archive_format_t format, const archive_limits_t *lim,
                         const archive_visitor_t *v, archive_report_t *out)
{
    /* O_NONBLOCK: a fifo put in the way must not hang the open */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    walker_t w;
    walker_init(&w, format, lim, v, out);
    w.insize = (int64_t)st.st_size;
    unsigned char magic[8];
    ssize_t got = pread(fd, magic, sizeof(magic), 0);
    w.magic = got > 0 ? sniff(magic, (size_t)got) : NULL;
    if (st.st_size == 0)
        malformed(&w, "empty file");
    else if ((w.a = reader_new(format)) == NULL)
        malformed(&w, "out of memory");
    else if (archive_read_open_fd(w.a, fd, FILE_BLOCK) != ARCHIVE_OK)
        read_failed(&w, "opening");
    else
        walk(&w);
    if (w.zip && !out->malformed) {
        tail_source_t src = {NULL, fd, (int64_t)st.st_size};
        check_zip_end(&w, &src);
    }
    walker_free(&w);
    close(fd);
    return 0;
}

int archive_walk_file(const char *path, const archive_limits_t *lim, archive_want_fn want,
                      archive_content_fn content, void *arg, archive_report_t *out)
{
    archive_visitor_t v = {want, content, NULL, arg};
    return archive_walk_file_as(path, ARCHIVE_TAR_OR_ZIP, lim, &v, out);
}
