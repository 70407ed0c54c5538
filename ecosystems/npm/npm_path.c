/* npm_path: route and name parsing for the npm registry API. */
#include "ecosystems/npm/npm_path.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/pct.h"

static int url_safe(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '!' || c == '*' || c == '\'' || c == '(' || c == ')';
}

static int part_valid(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[0] == '_')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!url_safe(s[i]))
            return 0;
    return 1;
}

int npm_name_valid(const char *name, size_t len)
{
    if (len == 0 || len > NPM_NAME_MAX)
        return 0;
    if (name[0] == '@') {
        const char *slash = memchr(name, '/', len);
        if (slash == NULL)
            return 0;
        size_t slen = (size_t)(slash - name - 1);
        return part_valid(name + 1, slen) && part_valid(slash + 1, len - slen - 2);
    }
    return part_valid(name, len);
}

void npm_name_encode(const char *name, char *out, size_t outlen)
{
    const char *slash = name[0] == '@' ? strchr(name, '/') : NULL;
    if (slash)
        snprintf(out, outlen, "%.*s%%2f%s", (int)(slash - name), name, slash + 1);
    else
        snprintf(out, outlen, "%s", name);
}

/* decodes the name part; only %2f/%2F and %40 are meaningful in npm names */
static int decode_name(const char *s, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        int escaped = s[i] == '%';
        int c = pct_byte(s, n, &i);
        if (c < 0 || (escaped && c != '/' && c != '@') || o + 1 >= outlen)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

const char *npm_audit_endpoint(const char *path, size_t len)
{
    static const char *const ENDPOINTS[] = {"-/npm/v1/security/advisories/bulk", "-/npm/v1/security/audits/quick"};
    for (size_t i = 0; i < sizeof(ENDPOINTS) / sizeof(ENDPOINTS[0]); i++)
        if (len == strlen(ENDPOINTS[i]) && memcmp(path, ENDPOINTS[i], len) == 0)
            return ENDPOINTS[i];
    return NULL;
}

void npm_route_parse(const char *path, size_t len, npm_route_t *r)
{
    memset(r, 0, sizeof(*r));
    if (memchr(path, '\0', len))
        return; /* INVALID: nothing after a NUL may be ignored */
    if (len >= 2 && path[0] == '-' && path[1] == '/') {
        if (len == 6 && memcmp(path, "-/ping", 6) == 0)
            r->kind = NPM_ROUTE_PING;
        else if (len > 20 && memcmp(path, "-/npm/v1/security/", 18) == 0)
            r->kind = NPM_ROUTE_AUDIT;
        else
            r->kind = NPM_ROUTE_SPECIAL;
        return;
    }
    /* split "<name>[/-/<file>]"; the name holds one '/' when scoped */
    const char *tar = NULL;
    for (size_t i = 0; i + 3 <= len; i++) {
        if (memcmp(path + i, "/-/", 3) == 0) {
            tar = path + i;
            break;
        }
    }
    size_t nlen = tar ? (size_t)(tar - path) : len;
    while (!tar && nlen > 0 && path[nlen - 1] == '/')
        nlen--; /* "/npm/pkg/" */
    if (decode_name(path, nlen, r->name, sizeof(r->name)) != 0 || !npm_name_valid(r->name, strlen(r->name)))
        return;
    if (tar == NULL) {
        r->kind = NPM_ROUTE_PACKUMENT;
        return;
    }
    const char *file = tar + 3;
    size_t flen = len - (size_t)(file - path);
    if (flen == 0 || flen >= sizeof(r->file) || memchr(file, '/', flen) || flen < 5 ||
        memcmp(file + flen - 4, ".tgz", 4) != 0)
        return;
    for (size_t i = 0; i < flen; i++)
        if (!url_safe(file[i]) && file[i] != '+')
            return;
    memcpy(r->file, file, flen);
    r->file[flen] = '\0';
    r->kind = NPM_ROUTE_TARBALL;
}

int npm_tarball_version(const char *name, const char *file, char *version, size_t vlen)
{
    const char *unscoped = name[0] == '@' && strchr(name, '/') ? strchr(name, '/') + 1 : name;
    size_t ulen = strlen(unscoped), flen = strlen(file);
    if (flen <= ulen + 1 + 4 || strncmp(file, unscoped, ulen) != 0 || file[ulen] != '-')
        return -1;
    size_t n = flen - ulen - 1 - 4;
    if (n == 0 || n >= vlen)
        return -1;
    memcpy(version, file + ulen + 1, n);
    version[n] = '\0';
    return 0;
}
