/* pypi_path: names, routes and distribution file names. */
#include "ecosystems/pypi/pypi_path.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int pypi_normalize(const char *name, size_t len, char *out, size_t outlen)
{
    size_t o = 0;
    if (len == 0 || len > PYPI_NAME_MAX)
        return -1;
    /* PEP 508 names start and end with a letter or digit */
    if (!isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[len - 1]))
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '-' || c == '_' || c == '.') {
            if (o > 0 && out[o - 1] == '-')
                continue;
            c = '-';
        } else if (isalnum((unsigned char)c)) {
            c = (char)tolower((unsigned char)c);
        } else {
            return -1;
        }
        if (o + 1 >= outlen)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

int pypi_filename_safe(const char *s, size_t n)
{
    if (n == 0 || n > PYPI_FILE_MAX || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_' || c == '+' || c == '!'))
            return 0;
    }
    return 1;
}

void pypi_route_parse(const char *path, size_t len, pypi_route_t *r)
{
    memset(r, 0, sizeof(*r));
    if (memchr(path, '\0', len) || memchr(path, '%', len))
        return; /* names and file names never need percent-encoding */
    if (len == 7 && memcmp(path, "simple/", 7) == 0) {
        r->kind = PYPI_ROUTE_ROOT;
        return;
    }
    if (len == 6 && memcmp(path, "simple", 6) == 0) {
        r->kind = PYPI_ROUTE_ROOT;
        r->needs_redirect = 1;
        return;
    }
    if (len > 7 && memcmp(path, "simple/", 7) == 0) {
        const char *name = path + 7;
        size_t nlen = len - 7;
        int slash = name[nlen - 1] == '/';
        if (slash)
            nlen--;
        if (memchr(name, '/', nlen) || pypi_normalize(name, nlen, r->project, sizeof(r->project)) != 0)
            return;
        r->kind = PYPI_ROUTE_PROJECT;
        r->needs_redirect = !slash || strlen(r->project) != nlen || memcmp(r->project, name, nlen) != 0;
        return;
    }
    if (len > 6 && memcmp(path, "files/", 6) == 0) {
        const char *rest = path + 6;
        size_t rlen = len - 6;
        const char *slash = memchr(rest, '/', rlen);
        if (slash == NULL)
            return;
        size_t plen = (size_t)(slash - rest);
        const char *file = slash + 1;
        size_t flen = rlen - plen - 1;
        if (pypi_normalize(rest, plen, r->project, sizeof(r->project)) != 0 || strlen(r->project) != plen ||
            memcmp(r->project, rest, plen) != 0)
            return;
        if (!pypi_filename_safe(file, flen))
            return;
        if (flen > 9 && memcmp(file + flen - 9, ".metadata", 9) == 0) {
            r->metadata = 1;
            flen -= 9;
        }
        memcpy(r->file, file, flen);
        r->file[flen] = '\0';
        r->kind = PYPI_ROUTE_FILE;
    }
}

static const char *const SDIST_EXT[] = {".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar", ".tar.Z"};

int pypi_file_version(const char *project, const char *filename, char *version, size_t vlen)
{
    size_t flen = strlen(filename);
    char norm[PYPI_NAME_MAX + 1];
    if (flen > 4 && strcmp(filename + flen - 4, ".whl") == 0) {
        /* {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl */
        const char *dash = strchr(filename, '-');
        if (dash == NULL)
            return -1;
        if (pypi_normalize(filename, (size_t)(dash - filename), norm, sizeof(norm)) != 0 || strcmp(norm, project) != 0)
            return -1;
        const char *v = dash + 1;
        const char *end = strchr(v, '-');
        if (end == NULL || end == v || (size_t)(end - v) >= vlen)
            return -1;
        memcpy(version, v, (size_t)(end - v));
        version[end - v] = '\0';
        return 0;
    }
    if (flen > 4 && strcmp(filename + flen - 4, ".egg") == 0) {
        /* {name}-{version}(-py{X.Y}(-{platform})?)?.egg: setuptools writes
         * '-' in both as '_', so the first two '-' split it */
        const char *dash = memchr(filename, '-', flen - 4);
        if (dash == NULL || dash == filename)
            return -1;
        if (pypi_normalize(filename, (size_t)(dash - filename), norm, sizeof(norm)) != 0 || strcmp(norm, project) != 0)
            return -1;
        const char *v = dash + 1, *stop = filename + flen - 4;
        const char *end = memchr(v, '-', (size_t)(stop - v));
        if (end == NULL)
            end = stop;
        else if (strncmp(end + 1, "py", 2) != 0)
            return -1;
        if (end == v || (size_t)(end - v) >= vlen)
            return -1;
        memcpy(version, v, (size_t)(end - v));
        version[end - v] = '\0';
        return 0;
    }
    for (size_t e = 0; e < sizeof(SDIST_EXT) / sizeof(SDIST_EXT[0]); e++) {
        size_t elen = strlen(SDIST_EXT[e]);
        if (flen <= elen || strcmp(filename + flen - elen, SDIST_EXT[e]) != 0)
            continue;
        size_t stem = flen - elen;
        /* the name may contain '-': find the split whose prefix normalises to project */
        for (size_t i = 1; i < stem; i++) {
            if (filename[i] != '-')
                continue;
            if (pypi_normalize(filename, i, norm, sizeof(norm)) != 0 || strcmp(norm, project) != 0)
                continue;
            size_t n = stem - i - 1;
            if (n == 0 || n >= vlen)
                return -1;
            memcpy(version, filename + i + 1, n);
            version[n] = '\0';
            return 0;
        }
        return -1;
    }
    return -1;
}

const char *pypi_format_type(pypi_format_t f)
{
    switch (f) {
    case PYPI_FORMAT_JSON: return "application/vnd.pypi.simple.v1+json";
    case PYPI_FORMAT_HTML_V1: return "application/vnd.pypi.simple.v1+html";
    case PYPI_FORMAT_HTML: return "text/html; charset=utf-8";
    default: return "";
    }
}

static double parse_q(const char *params, size_t n)
{
    /* ";q=0.5" among the parameters */
    for (size_t i = 0; i + 2 < n; i++) {
        if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' && (i == 0 || params[i - 1] == ';' ||
                                                                                params[i - 1] == ' ')) {
            char tmp[16];
            size_t m = 0;
            for (size_t j = i + 2; j < n && m + 1 < sizeof(tmp) && params[j] != ';' && params[j] != ' '; j++)
                tmp[m++] = params[j];
            tmp[m] = '\0';
            char *end;
            double q = strtod(tmp, &end);
            return (end == tmp || q < 0) ? 0 : (q > 1 ? 1 : q);
        }
    }
    return 1.0;
}

pypi_format_t pypi_negotiate(const char *accept, size_t len)
{
    if (accept == NULL || len == 0)
        return PYPI_FORMAT_HTML;
    double best_q = 0;
    pypi_format_t best = PYPI_FORMAT_NONE;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && accept[i] != ',')
            i++;
        const char *item = accept + start;
        size_t ilen = i - start;
        i++; /* the comma */
        while (ilen && (*item == ' ' || *item == '\t'))
            item++, ilen--;
        const char *semi = memchr(item, ';', ilen);
        size_t tlen = semi ? (size_t)(semi - item) : ilen;
        while (tlen && item[tlen - 1] == ' ')
            tlen--;
        double q = semi ? parse_q(semi + 1, ilen - (size_t)(semi + 1 - item)) : 1.0;
        pypi_format_t f = PYPI_FORMAT_NONE;
#define IS(lit) (tlen == sizeof(lit) - 1 && strncasecmp(item, lit, tlen) == 0)
        if (IS("application/vnd.pypi.simple.v1+json") || IS("application/vnd.pypi.simple.latest+json"))
            f = PYPI_FORMAT_JSON;
        else if (IS("application/vnd.pypi.simple.v1+html") || IS("application/vnd.pypi.simple.latest+html"))
            f = PYPI_FORMAT_HTML_V1;
        else if (IS("text/html") || IS("text/*") || IS("*/*"))
            f = PYPI_FORMAT_HTML;
#undef IS
        if (f == PYPI_FORMAT_NONE || q <= 0)
            continue;
        if (q > best_q || (q == best_q && f == PYPI_FORMAT_JSON)) {
            best_q = q;
            best = f;
        }
    }
    return best;
}
