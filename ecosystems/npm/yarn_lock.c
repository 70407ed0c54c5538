/* yarn_lock: yarn.lock, classic (v1) and berry (2+: "__metadata", v4+).
 * Read line by line by hand: classic's format is not YAML, and berry's,
 * though YAML, only ever uses the small subset written here.
 *
 *   classic  "a@^1.0.0", a@~1.1.0:          (header: the specifiers)
 *              version "1.2.3"
 *              resolved "http://host/a/-/a-1.2.3.tgz#<sha1 hex>"
 *              integrity sha512-…
 *              dependencies:
 *                b "^2.0.0"
 *            integrity: the "integrity" line (SRI), else the #sha1 fragment
 *            of an http(s) "resolved", which is then given without it (a
 *            git URL's fragment is the commit: not a hash, and kept). "npm:"
 *            specifiers are aliases: the package is the real name. file: and
 *            link: entries are local code and left out.
 *   berry    "a@npm:^1.0.0, a@npm:^1.1.0":
 *              version: 1.2.3
 *              resolution: "a@npm:1.2.3"
 *              dependencies:
 *                b: "npm:^2.0.0"
 *              checksum: 10c0/<hex>
 *              languageName: node
 *              linkType: hard
 *            the package and version come from "resolution" (aliases are
 *            resolved there). workspace:, link:, portal:, file: and exec:
 *            resolutions are not registry packages and are left out (the
 *            root workspace among them); a patch: of an npm package still
 *            pins that npm version: "a@patch:a@npm%3A1.2.3#…" is a@1.2.3.
 *            Other protocols (git, http tarballs) keep the "version" field and
 *            the URL as resolved. Berry stores no download URL (resolved "")
 *            unless the tarball is elsewhere than the registry's usual place:
 *            then "a@npm:1.2.3::__archiveUrl=<encoded URL>" gives it.
 *            Berry's "checksum" is a hash of yarn's own zip cache file, not
 *            of the registry tarball, so it cannot be compared with anything
 *            the registry publishes: integrity is left "".
 *
 * direct: yarn.lock does not record which dependencies the project names
 * itself (that is package.json), so direct = 0 for every entry; dev is
 * unknown too (0).
 *
 * Truncation: a line-based file cut short mostly still parses, so some
 * checks stand in for a closing bracket: the file must end with a newline
 * (yarn always writes one); a classic entry needs its resolved URL, a berry
 * one every field down to its last (linkType); berry always records the
 * root workspace ("name@workspace:."); and a dependency with no entry
 * whose specifier sorts after every header (yarn writes entries sorted, so
 * the missing ones are the tail) is reported as a cut; a classic file with
 * no entries needs its "# yarn lockfile v1" line. What remains undetected:
 * a cut exactly between two entries when nothing before the cut depends on
 * what came after (in berry only after the root workspace's entry), and in
 * classic a cut just before an entry's integrity line (the #sha1 fragment
 * then stands in). CRLF line ends are accepted. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lock_internal.h"
#include "ecosystems/lock_formats.h"
#include "ecosystems/eco_ids.h"

#define WHAT "yarn.lock"

typedef struct ref {
    char *spec; /* "name@range" */
    int line;
} ref_t;

typedef struct yparser {
    lock_builder_t *b;
    int berry;
    /* the entry being read */
    int in_entry;
    int e_line;
    char *e_spec; /* first specifier */
    char *e_version, *e_resolved, *e_integrity, *e_resolution;
    int e_linktype;
    int block; /* 0 none, 1 dependencies/optionalDependencies, 2 another block */
    int meta;  /* inside __metadata */
    int meta_version;
    int meta_line;
    int root_workspace; /* berry: the "<name>@workspace:." entry was seen */
    int marker;         /* classic: the "# yarn lockfile v1" line was seen */
    size_t nentries;
    /* every header specifier, every dependency reference */
    char **specs;
    size_t nspecs, capspecs;
    ref_t *refs;
    size_t nrefs, caprefs;
} yparser_t;

/* ---- strings ---- */

static int put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* A token at *pp: "double quoted" (JSON-style escapes), 'single quoted'
 * (YAML: '' is a quote) or bare up to a character of stop (or the end,
 * trailing blanks dropped). Returns a malloc'd string and moves *pp past
 * it; NULL with *why set when malformed (or out of memory). */
static char *token(const char **pp, const char *end, const char *stop, const char **why)
{
    const char *p = *pp;
    char *out = malloc((size_t)(end - p) + 1);
    size_t o = 0;
    if (out == NULL) {
        *why = "out of memory";
        return NULL;
    }
    if (p < end && (*p == '"' || *p == '\'')) {
        char q = *p++;
        for (;;) {
            if (p >= end) {
                *why = "a quoted string is not closed";
                free(out);
                return NULL;
            }
            char c = *p++;
            if (c == q) {
                if (q == '\'' && p < end && *p == '\'') {
                    out[o++] = *p++;
                    continue;
                }
                break;
            }
            if (c == '\\' && q == '"') {
                if (p >= end) {
                    *why = "a quoted string is not closed";
                    free(out);
                    return NULL;
                }
                char e = *p++;
                switch (e) {
                case 'n': out[o++] = '\n'; break;
                case 't': out[o++] = '\t'; break;
                case 'r': out[o++] = '\r'; break;
                case 'u': {
                    unsigned long cp = 0;
                    int k;
                    for (k = 0; k < 4 && p < end && isxdigit((unsigned char)*p); k++, p++)
                        cp = cp * 16 + (unsigned long)(isdigit((unsigned char)*p)
                                                           ? *p - '0'
                                                           : (tolower((unsigned char)*p) - 'a' + 10));
                    if (k < 4 || cp == 0) {
                        *why = "a \\u escape is malformed";
                        free(out);
                        return NULL;
                    }
                    o += (size_t)put_utf8(out + o, cp); /* "\uXXXX" is 6 bytes, at most 3 come out */
                    break;
                }
                default: out[o++] = e; break; /* \" \\ \/ */
                }
                continue;
            }
            out[o++] = c;
        }
    } else {
        while (p < end && strchr(stop, *p) == NULL)
            out[o++] = *p++;
        while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
            o--;
    }
    out[o] = '\0';
    *pp = p;
    return out;
}

static const char *skip_blank(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* "@s/n@range" → the '@' before the range (not the scope's); NULL if none */
static const char *range_at(const char *spec) { return spec[0] ? strchr(spec + 1, '@') : NULL; }

static int has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* ---- collected specifiers and references ---- */

static int add_spec(yparser_t *yp, char *spec)
{
    if (yp->nspecs == yp->capspecs) {
        size_t nc = yp->capspecs ? yp->capspecs * 2 : 256;
        char **ns = realloc(yp->specs, nc * sizeof(*ns));
        if (ns == NULL) {
            free(spec);
            return -1;
        }
        yp->specs = ns;
        yp->capspecs = nc;
    }
    yp->specs[yp->nspecs++] = spec;
    return 0;
}

static int add_ref(yparser_t *yp, const char *name, const char *range, int line)
{
    if (yp->nrefs == yp->caprefs) {
        size_t nc = yp->caprefs ? yp->caprefs * 2 : 256;
        ref_t *nr = realloc(yp->refs, nc * sizeof(*nr));
        if (nr == NULL)
            return -1;
        yp->refs = nr;
        yp->caprefs = nc;
    }
    if (asprintf(&yp->refs[yp->nrefs].spec, "%s@%s", name, range) < 0)
        return -1;
    yp->refs[yp->nrefs++].line = line;
    return 0;
}

static void entry_reset(yparser_t *yp)
{
    free(yp->e_spec);
    free(yp->e_version);
    free(yp->e_resolved);
    free(yp->e_integrity);
    free(yp->e_resolution);
    yp->e_spec = yp->e_version = yp->e_resolved = yp->e_integrity = yp->e_resolution = NULL;
    yp->e_linktype = 0;
    yp->in_entry = 0;
    yp->block = 0;
}

/* ---- finishing an entry ---- */

static int is_hex40(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isxdigit((unsigned char)s[n]))
            return 0;
    return n == 40;
}

static int finish_classic(yparser_t *yp)
{
    lock_builder_t *b = yp->b;
    const char *spec = yp->e_spec, *at = range_at(spec);
    const char *range = at ? at + 1 : "";
    if (has_prefix(range, "file:") || has_prefix(range, "link:"))
        return 0; /* local code */
    if (yp->e_version == NULL || yp->e_version[0] == '\0')
        return lock_fail(b, yp->e_line, 0, WHAT ": entry \"%.200s\" has no version", spec);
    if (yp->e_resolved == NULL || yp->e_resolved[0] == '\0')
        return lock_fail(b, yp->e_line, 0, WHAT ": entry \"%.200s\" has no resolved URL (truncated?)", spec);
    /* the package: the specifier's name, or the real one of an alias */
    char name[512];
    if (has_prefix(range, "npm:")) {
        const char *real = range + 4, *rat = range_at(real);
        size_t n = rat ? (size_t)(rat - real) : strlen(real);
        snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) - 1 ? n : sizeof(name) - 1), real);
    } else {
        size_t n = (size_t)(at - spec);
        snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) - 1 ? n : sizeof(name) - 1), spec);
    }
    /* an http(s) tarball's #fragment is its sha1; a git URL's is the commit
     * (part of the pin: kept) */
    char *resolved = yp->e_resolved, *frag = resolved ? strchr(resolved, '#') : NULL;
    const char *integrity = yp->e_integrity;
    if (frag && (has_prefix(resolved, "http://") || has_prefix(resolved, "https://")) &&
        !(frag - resolved >= 4 && memcmp(frag - 4, ".git", 4) == 0)) {
        *frag++ = '\0';
        if ((integrity == NULL || integrity[0] == '\0') && is_hex40(frag))
            integrity = frag; /* lock_integrity_normalise makes it "sha1:<hex>" */
    }
    return lock_add(b, ECO_NPM, name, yp->e_version, integrity, resolved, 0, 0, yp->e_line);
}

/* "%3A" → ':' (berry's patch: locators are URL-encoded) */
static void url_decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char hex[3] = {p[1], p[2], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

static int finish_berry(yparser_t *yp)
{
    lock_builder_t *b = yp->b;
    const char *spec = yp->e_spec;
    if (yp->e_resolution == NULL)
        return lock_fail(b, yp->e_line, 0, WHAT ": entry \"%.200s\" has no resolution (truncated?)", spec);
    if (!yp->e_linktype)
        return lock_fail(b, yp->e_line, 0, WHAT ": entry \"%.200s\" has no linkType (truncated?)", spec);
    char *res = strdup(yp->e_resolution);
    if (res == NULL)
        return lock_fail(b, 0, 0, WHAT ": out of memory");
    char *loc = res;
    int rc = 0;
    for (int hops = 0;; hops++) {
        char *at = (char *)range_at(loc);
        if (at == NULL || at == loc || hops > 1) {
            rc = lock_fail(b, yp->e_line, 0, WHAT ": entry \"%.200s\": resolution \"%.200s\" is not NAME@PROTOCOL:…",
                           spec, yp->e_resolution);
            break;
        }
        *at = '\0';
        const char *name = loc, *ref = at + 1;
        if (has_prefix(ref, "npm:")) {
            /* "npm:1.2.3", or "npm:1.2.3::__archiveUrl=<url-encoded>" when the
             * tarball is not at the registry's usual place */
            char *version = (char *)ref + 4, *params = strstr(version, "::"), *url = NULL;
            if (params) {
                *params = '\0';
                url = strstr(params + 2, "__archiveUrl=");
                if (url) {
                    url += 13;
                    char *amp = strchr(url, '&');
                    if (amp)
                        *amp = '\0';
                    url_decode(url);
                }
            }
            rc = lock_add(b, ECO_NPM, name, version, NULL, url, 0, 0, yp->e_line);
            break;
        }
        if (has_prefix(ref, "patch:")) { /* "a@patch:a@npm%3A1.2.3#<patch>::<params>" */
            loc = (char *)ref + 6;
            char *hash = strchr(loc, '#');
            if (hash)
                *hash = '\0';
            url_decode(loc);
            const char *inner = range_at(loc);
            if (inner == NULL || !has_prefix(inner + 1, "npm:"))
                break; /* a patch of a workspace, of a git checkout, …: no registry pin */
            continue;
        }
        if (!strcmp(ref, "workspace:."))
            yp->root_workspace = 1;
        if (has_prefix(ref, "workspace:") || has_prefix(ref, "link:") || has_prefix(ref, "portal:") ||
            has_prefix(ref, "file:") || has_prefix(ref, "exec:"))
            break;
        /* git, http(s) tarballs, …: the manifest's version, the URL as resolved */
        if (yp->e_version == NULL || yp->e_version[0] == '\0') {
            rc = lock_fail(b, yp->e_line, 0, WHAT ": entry \"%.200s\" has no version", spec);
            break;
        }
        rc = lock_add(b, ECO_NPM, name, yp->e_version, NULL, ref, 0, 0, yp->e_line);
        break;
    }
    free(res);
    return rc;
}

static int finish_entry(yparser_t *yp)
{
    int rc = 0;
    if (yp->in_entry)
        rc = yp->berry ? finish_berry(yp) : finish_classic(yp);
    entry_reset(yp);
    return rc;
}

/* ---- lines ---- */

static int header(yparser_t *yp, const char *p, const char *end, int line)
{
    lock_builder_t *b = yp->b;
    const char *why = NULL;
    if (end == p || end[-1] != ':')
        return lock_fail(b, line, 1, WHAT ": expected an entry header ending in ':'");
    end--; /* the ':' */
    if (yp->berry) {
        /* one scalar: "a@npm:^1, a@npm:^2" */
        if (end - p == 10 && memcmp(p, "__metadata", 10) == 0) {
            yp->meta = 1;
            yp->meta_line = line;
            return 0;
        }
        const char *q = p;
        char *key = token(&q, end, "", &why);
        if (key == NULL)
            return lock_fail(b, line, (int)(q - p) + 1, WHAT ": %s", why);
        q = skip_blank(q, end);
        if (q != end) {
            free(key);
            return lock_fail(b, line, (int)(q - p) + 1, WHAT ": unexpected text after the entry's key");
        }
        yp->in_entry = 1;
        yp->e_line = line;
        for (char *s = key, *next; s; s = next) {
            next = strstr(s, ", ");
            if (next) {
                *next = '\0';
                next += 2;
            }
            char *one = strdup(s);
            if (one == NULL || add_spec(yp, one) != 0) {
                free(key);
                return lock_fail(b, 0, 0, WHAT ": out of memory");
            }
            if (yp->e_spec == NULL && (yp->e_spec = strdup(s)) == NULL) {
                free(key);
                return lock_fail(b, 0, 0, WHAT ": out of memory");
            }
        }
        free(key);
    } else {
        const char *q = p;
        yp->in_entry = 1;
        yp->e_line = line;
        for (;;) {
            q = skip_blank(q, end);
            const char *start = q;
            char *spec = token(&q, end, ",", &why);
            if (spec == NULL)
                return lock_fail(b, line, (int)(q - p) + 1, WHAT ": %s", why);
            if (spec[0] == '\0') {
                free(spec);
                return lock_fail(b, line, (int)(start - p) + 1, WHAT ": an empty specifier in an entry header");
            }
            if (yp->e_spec == NULL && (yp->e_spec = strdup(spec)) == NULL) {
                free(spec);
                return lock_fail(b, 0, 0, WHAT ": out of memory");
            }
            if (add_spec(yp, spec) != 0)
                return lock_fail(b, 0, 0, WHAT ": out of memory");
            q = skip_blank(q, end);
            if (q == end)
                break;
            if (*q != ',')
                return lock_fail(b, line, (int)(q - p) + 1, WHAT ": expected ',' or ':' after a specifier");
            q++;
        }
    }
    if (range_at(yp->e_spec) == NULL)
        return lock_fail(b, line, 1, WHAT ": entry header \"%.200s\" is not NAME@RANGE", yp->e_spec);
    return 0;
}

/* "  key value" (classic) or "  key: value" (berry); key: alone opens a block */
static int field(yparser_t *yp, const char *p, const char *end, int indent, int line)
{
    lock_builder_t *b = yp->b;
    const char *why = NULL, *q = p;
    char *key;
    if (yp->berry && *p != '"' && *p != '\'') {
        /* a plain YAML key ends at ": " or at a ':' ending the line */
        const char *c = p;
        while (c < end && !(*c == ':' && (c + 1 == end || c[1] == ' ')))
            c++;
        if (c == end)
            return lock_fail(b, line, indent + 1, WHAT ": expected 'key: value'");
        key = strndup(p, (size_t)(c - p));
        if (key == NULL)
            return lock_fail(b, 0, 0, WHAT ": out of memory");
        q = c;
    } else {
        key = token(&q, end, yp->berry ? ":" : " :", &why);
    }
    if (key == NULL)
        return lock_fail(b, line, indent + (int)(q - p) + 1, WHAT ": %s", why);
    int block = 0;
    if (q < end && *q == ':') {
        q++;
        if (skip_blank(q, end) == end)
            block = 1;
    } else if (yp->berry) {
        free(key);
        return lock_fail(b, line, indent + (int)(q - p) + 1, WHAT ": expected 'key: value'");
    }
    char *value = NULL;
    if (!block) {
        q = skip_blank(q, end);
        const char *vstart = q;
        value = token(&q, end, "", &why);
        if (value == NULL) {
            free(key);
            return lock_fail(b, line, indent + (int)(vstart - p) + 1, WHAT ": %s", why);
        }
        q = skip_blank(q, end);
        if (q != end) {
            free(key);
            free(value);
            return lock_fail(b, line, indent + (int)(q - p) + 1, WHAT ": unexpected text after a quoted value");
        }
    }
    int rc = 0;
    if (indent == 2 && yp->meta) {
        if (!block && strcmp(key, "version") == 0) {
            char *e;
            long v = strtol(value, &e, 10);
            yp->meta_version = (*e || e == value || v > 1000000) ? -1 : (int)v;
            yp->meta_line = line;
            if (yp->meta_version < 4 || yp->meta_version > 8)
                rc = lock_fail(b, line, 0, WHAT ": unknown lockfile version %.40s in __metadata (cordon reads 4 to 8)",
                               value);
        }
    } else if (indent == 2) {
        yp->block = 0;
        if (block) {
            yp->block = strcmp(key, "dependencies") == 0 || strcmp(key, "optionalDependencies") == 0 ? 1 : 2;
        } else {
            char **slot = NULL;
            if (strcmp(key, "version") == 0)
                slot = &yp->e_version;
            else if (!yp->berry && strcmp(key, "resolved") == 0)
                slot = &yp->e_resolved;
            else if (!yp->berry && strcmp(key, "integrity") == 0)
                slot = &yp->e_integrity;
            else if (yp->berry && strcmp(key, "resolution") == 0)
                slot = &yp->e_resolution;
            else if (yp->berry && strcmp(key, "linkType") == 0)
                yp->e_linktype = 1;
            if (slot) {
                free(*slot);
                *slot = value;
                value = NULL;
            }
        }
    } else if (indent == 4 && yp->block == 1) {
        if (block || value[0] == '\0')
            rc = lock_fail(b, line, indent + 1, WHAT ": a dependency without a range");
        else if (add_ref(yp, key, value, line) != 0)
            rc = lock_fail(b, 0, 0, WHAT ": out of memory");
    }
    free(key);
    free(value);
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* a dependency with no entry, sorting after every header: the tail is missing */
static int check_tail(yparser_t *yp)
{
    if (yp->nspecs == 0 || yp->nrefs == 0)
        return 0;
    qsort(yp->specs, yp->nspecs, sizeof(char *), cmp_str);
    const char *last = yp->specs[yp->nspecs - 1];
    for (size_t i = 0; i < yp->nrefs; i++) {
        const char *r = yp->refs[i].spec, *at = range_at(r);
        if (at && has_prefix(at + 1, "link:"))
            continue;
        if (strcmp(r, last) > 0 && bsearch(&r, yp->specs, yp->nspecs, sizeof(char *), cmp_str) == NULL)
            return lock_fail(yp->b, yp->refs[i].line, 0,
                             WHAT ": the dependency %.200s has no entry, and the entries stop before it (truncated?)",
                             r);
    }
    return 0;
}

int lock_parse_yarn(lock_builder_t *b, const char *text, size_t len)
{
    yparser_t yp;
    memset(&yp, 0, sizeof(yp));
    yp.b = b;
    const char *end = text + len;
    const char *p = text;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    /* berry: a "__metadata:" key at the top level */
    for (const char *s = p; s < end;) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        if (le - s >= 11 && memcmp(s, "__metadata:", 11) == 0) {
            yp.berry = 1;
            break;
        }
        s = nl ? nl + 1 : end;
    }
    int rc = 0, line = 0;
    if (len > 0 && text[len - 1] != '\n') {
        int n = 1;
        for (const char *s = p; (s = memchr(s, '\n', (size_t)(end - s))) != NULL; s++)
            n++;
        rc = lock_fail(b, n, 0, WHAT ": the last line has no line end: the file looks truncated");
    }
    while (rc == 0 && p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        if (le > p && le[-1] == '\r')
            le--;
        const char *s = p;
        while (s < le && *s == ' ')
            s++;
        int indent = (int)(s - p);
        if (s < le && *s == '\t') {
            rc = lock_fail(b, line, indent + 1, WHAT ": a tab in the indentation");
            break;
        }
        /* trailing blanks */
        const char *e = le;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (s < e && *s == '#' && (size_t)(e - s) == 18 && memcmp(s, "# yarn lockfile v1", 18) == 0)
            yp.marker = 1;
        if (s == e || *s == '#') {
            p = next;
            continue;
        }
        if (indent == 0) {
            rc = finish_entry(&yp);
            yp.meta = 0;
            if (rc == 0)
                rc = header(&yp, s, e, line);
            if (yp.in_entry)
                yp.nentries++;
        } else if (!yp.in_entry && !yp.meta) {
            rc = lock_fail(b, line, indent + 1, WHAT ": an indented line outside any entry");
        } else if (indent % 2 != 0) {
            rc = lock_fail(b, line, indent + 1, WHAT ": unexpected indentation (%d spaces)", indent);
        } else if (indent == 2 || (indent == 4 && yp.block == 1 && !yp.meta)) {
            rc = field(&yp, s, e, indent, line);
        } else if (indent == 4 && yp.block == 0 && !yp.meta) {
            rc = lock_fail(b, line, indent + 1, WHAT ": an indented line outside any block");
        }
        /* deeper lines (dependenciesMeta, bin, …) are not needed */
        p = next;
    }
    if (rc == 0)
        rc = finish_entry(&yp);
    if (rc == 0 && !yp.berry && yp.nentries == 0 && !yp.marker)
        rc = lock_fail(b, 0, 0, WHAT ": no entries and no \"# yarn lockfile v1\" line: not a yarn.lock (or cut short)");
    if (rc == 0 && yp.berry && yp.meta_version == 0)
        rc = lock_fail(b, yp.meta_line, 0, WHAT ": __metadata has no version");
    if (rc == 0 && yp.berry && !yp.root_workspace)
        rc = lock_fail(b, 0, 0, WHAT ": no entry for the root workspace (NAME@workspace:.): the file looks truncated");
    if (rc == 0)
        rc = check_tail(&yp);
    entry_reset(&yp);
    for (size_t i = 0; i < yp.nspecs; i++)
        free(yp.specs[i]);
    free(yp.specs);
    for (size_t i = 0; i < yp.nrefs; i++)
        free(yp.refs[i].spec);
    free(yp.refs);
    return rc;
}

static int detect(const char *text, size_t len)
{
    size_t head = len < LOCK_DETECT_HEAD ? len : LOCK_DETECT_HEAD;
    return lock_contains(text, head, "# yarn lockfile v1") || lock_contains(text, head, "__metadata:");
}

const lock_format_def_t yarn_lock_format = {
    .id = LOCK_YARN, .name = "yarn", .what = "yarn.lock", .detect = detect, .parse = lock_parse_yarn};
