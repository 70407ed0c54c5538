/* maven_path: layout parsing and checksum files. */
#include "ecosystems/maven/maven_path.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ecosystems/maven/maven_version.h"

static int seg_ok(const char *s, size_t n)
{
    if (n == 0 || n > 200 || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_' || c == '+' || c == '~'))
            return 0;
    }
    return 1;
}

static const struct {
    const char *ext;
    maven_sum_t sum;
} SUMS[] = {{".sha1", SUM_SHA1}, {".md5", SUM_MD5}, {".sha256", SUM_SHA256}, {".sha512", SUM_SHA512}};

const char *maven_sum_ext(maven_sum_t s)
{
    for (size_t i = 0; i < sizeof(SUMS) / sizeof(SUMS[0]); i++)
        if (SUMS[i].sum == s)
            return SUMS[i].ext;
    return "";
}

digest_alg_t maven_sum_alg(maven_sum_t s)
{
    switch (s) {
    case SUM_MD5: return DIGEST_MD5;
    case SUM_SHA256: return DIGEST_SHA256;
    case SUM_SHA512: return DIGEST_SHA512;
    default: return DIGEST_SHA1;
    }
}

/* groupId from the first count directories ("org/example" → "org.example") */
static int join_group(maven_route_t *r, const char *const *seg, const size_t *seglen, int count)
{
    size_t g = 0;
    r->group[0] = '\0';
    for (int k = 0; k < count; k++) {
        g += (size_t)snprintf(r->group + g, sizeof(r->group) - g, "%s%.*s", k ? "." : "", (int)seglen[k], seg[k]);
        if (g >= sizeof(r->group))
            return -1;
    }
    return 0;
}

/* <group…>/<artifact>/<version>/<file>: the coordinates of a version's file */
static int version_coordinates(maven_route_t *r, const char *const *seg, const size_t *seglen, int n)
{
    snprintf(r->artifact, sizeof(r->artifact), "%.*s", (int)seglen[n - 3], seg[n - 3]);
    snprintf(r->version, sizeof(r->version), "%.*s", (int)seglen[n - 2], seg[n - 2]);
    return join_group(r, seg, seglen, n - 3);
}

void maven_route_parse(const char *path, size_t len, maven_route_t *r)
{
    memset(r, 0, sizeof(*r));
    if (len == 0 || len >= sizeof(r->dir) || memchr(path, '\0', len) || memchr(path, '%', len))
        return;
    const char *seg[64];
    size_t seglen[64];
    int n = 0;
    size_t i = 0;
    while (i < len) {
        size_t s = i;
        while (i < len && path[i] != '/')
            i++;
        if (n == 64 || !seg_ok(path + s, i - s))
            return;
        seg[n] = path + s;
        seglen[n] = i - s;
        n++;
        i++;
    }
    if (n < 2)
        return;
    /* the file, and a checksum suffix */
    char file[256];
    if (seglen[n - 1] >= sizeof(file))
        return;
    memcpy(file, seg[n - 1], seglen[n - 1]);
    file[seglen[n - 1]] = '\0';
    size_t flen = seglen[n - 1];
    for (size_t k = 0; k < sizeof(SUMS) / sizeof(SUMS[0]); k++) {
        size_t el = strlen(SUMS[k].ext);
        if (flen > el && strcmp(file + flen - el, SUMS[k].ext) == 0) {
            r->sum = SUMS[k].sum;
            file[flen - el] = '\0';
            break;
        }
    }
    snprintf(r->file, sizeof(r->file), "%s", file);
    size_t dirlen = (size_t)(seg[n - 1] - path);
    snprintf(r->dir, sizeof(r->dir), "%.*s", (int)(dirlen ? dirlen - 1 : 0), path);
    char dirname[512] = "";
    if (seglen[n - 2] < sizeof(dirname))
        snprintf(dirname, sizeof(dirname), "%.*s", (int)seglen[n - 2], seg[n - 2]);
    if (strcmp(file, "maven-metadata.xml") == 0 && n >= 4 && maven_snapshot_base_len(dirname) > 0) {
        /* <group>/<artifact>/<x-SNAPSHOT>/maven-metadata.xml: a snapshot
         * version's own metadata is a file of that version */
        if (version_coordinates(r, seg, seglen, n) != 0)
            return;
        r->kind = MAVEN_ROUTE_FILE;
        return;
    }
    if (strcmp(file, "maven-metadata.xml") == 0) {
        /* <group...>/<artifact>/maven-metadata.xml; a group's own metadata has no artifact */
        r->kind = MAVEN_ROUTE_METADATA;
        snprintf(r->artifact, sizeof(r->artifact), "%.*s", (int)seglen[n - 2], seg[n - 2]);
        if (join_group(r, seg, seglen, n - 2) != 0)
            r->kind = MAVEN_ROUTE_INVALID;
        return;
    }
    if (n < 4)
        return;
    if (version_coordinates(r, seg, seglen, n) != 0)
        return;
    /* "<artifact>-<version>": for snapshots the file carries a timestamp in
     * place of "SNAPSHOT", so only "<artifact>-<base version>" is checked */
    char prefix[400];
    long base = maven_snapshot_base_len(r->version);
    if (base > 0)
        snprintf(prefix, sizeof(prefix), "%s-%.*s", r->artifact, (int)base, r->version);
    else
        snprintf(prefix, sizeof(prefix), "%s-%s", r->artifact, r->version);
    if (strncmp(file, prefix, strlen(prefix)) != 0)
        return;
    r->kind = MAVEN_ROUTE_FILE;
}

int maven_checksum_parse(const char *text, size_t len, maven_sum_t s, integrity_t *out)
{
    /* "hex", "hex  filename", "hex *filename", or "filename: hex" (some old tools) */
    size_t want = maven_sum_alg(s) == DIGEST_MD5 ? 32 : maven_sum_alg(s) == DIGEST_SHA1 ? 40
                                                    : maven_sum_alg(s) == DIGEST_SHA256 ? 64 : 128;
    size_t i = 0;
    while (i < len) {
        while (i < len && !isxdigit((unsigned char)text[i]))
            i++;
        size_t start = i;
        while (i < len && isxdigit((unsigned char)text[i]))
            i++;
        if (i - start == want && (start == 0 || !isalnum((unsigned char)text[start - 1])) &&
            (i == len || !isalnum((unsigned char)text[i])))
            return integrity_parse_hex(maven_sum_alg(s), text + start, want, out);
    }
    return -1;
}
