/* fuzz_archive: arbitrary bytes as an artifact (tgz, tar, zip, or junk),
 * walked in memory with the default limits, every file's first 64 kB asked
 * for; then the same bytes as one compressed file. Beyond "no crash, no leak": the report stays within the limits and
 * explains itself, and no hostile path ever reaches the callbacks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/archive.h"

#define WANT (64 * 1024)

static archive_limits_t lim;

static int hostile(const char *p)
{
    if (p[0] == '/' || p[0] == '\\' || (((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':'))
        return 1;
    for (const char *s = p; *s;) {
        const char *e = s;
        while (*e && *e != '/' && *e != '\\')
            e++;
        if (e - s == 2 && s[0] == '.' && s[1] == '.')
            return 1;
        s = *e ? e + 1 : e;
    }
    return 0;
}

static void check_entry(const archive_entry_info_t *e)
{
    if (e->path == NULL || strncmp(e->path, "./", 2) == 0 || hostile(e->path) || e->kind != ARCHIVE_ENTRY_FILE ||
        e->depth < 0 || e->depth > lim.max_depth || strlen(e->path) > (size_t)lim.max_path)
        abort();
}

static size_t on_want(void *arg, const archive_entry_info_t *e)
{
    check_entry(e);
    return WANT;
}

static void on_content(void *arg, const archive_entry_info_t *e, const char *data, size_t len, int truncated)
{
    check_entry(e);
    if (len > WANT || (truncated && len != WANT) || (len > 0 && data == NULL))
        abort();
    /* every byte handed over is readable */
    volatile unsigned char x = 0;
    for (size_t i = 0; i < len; i += 4096)
        x ^= (unsigned char)data[i];
    if (len > 0)
        x ^= (unsigned char)data[len - 1];
    (void)x;
}

/* the listing: every file reported has its hash, nothing else has one */
static void on_entry(void *arg, const archive_entry_info_t *e, int64_t bytes, const unsigned char *sha256)
{
    (void)arg;
    if (bytes < 0 || (e->kind == ARCHIVE_ENTRY_FILE) != (sha256 != NULL))
        abort();
}

static void walk_as(const uint8_t *data, size_t size, archive_format_t format)
{
    archive_report_t r;
    archive_visitor_t v = {on_want, on_content, on_entry, NULL};
    if (archive_walk_memory_as(data, size, format, NULL, &v, &r) != 0)
        abort();
    if (r.entries < 0 || r.entries > lim.max_entries || r.total < 0 || r.total > lim.max_total ||
        (r.malformed != 0) != (r.malformed_why[0] != '\0') || (r.unsafe != 0) != (r.unsafe_why[0] != '\0') ||
        memchr(r.malformed_why, '\0', sizeof(r.malformed_why)) == NULL ||
        memchr(r.unsafe_why, '\0', sizeof(r.unsafe_why)) == NULL) {
        fprintf(stderr, "bad report: malformed=%d '%s' unsafe=%d '%s' entries=%lld total=%lld\n", r.malformed,
                r.malformed_why, r.unsafe, r.unsafe_why, (long long)r.entries, (long long)r.total);
        abort();
    }
    /* the ratio holds once past 1 MB (with a block's slack) */
    if (size > 0 && r.total > 2 * 1024 * 1024 && r.total / (int64_t)size > lim.max_ratio + 1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    archive_limits_default(&lim);
    walk_as(data, size, ARCHIVE_TAR_OR_ZIP);
    walk_as(data, size, ARCHIVE_COMPRESSED); /* the same bytes as a single compressed file (.gz, .xz, …) */
    return 0;
}
