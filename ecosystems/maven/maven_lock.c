/* maven_lock: what `mvn dependency:list` prints — on the console, with or
 * without the "[INFO] " prefixes (mvn -B, or a log) and with or without
 * ANSI colour sequences (stripped) — or writes with -DoutputFile=FILE:
 *
 *   [INFO] The following files have been resolved:
 *   [INFO]    org.slf4j:slf4j-api:jar:2.0.9:compile -- module org.slf4j [auto]
 *   [INFO]    io.netty:netty-transport-native-epoll:jar:linux-x86_64:4.1.100.Final:runtime
 *   [INFO]    junit:junit:jar:4.13.2:test (optional)
 *
 * A dependency is groupId:artifactId:type[:classifier]:version:scope
 * (artifact.toString()), optionally followed by " (optional)" and/or
 * " -- module NAME [auto]" (newer plugins), or by ":/path/to/file.jar" with
 * -DoutputAbsoluteArtifactFilename. The lines indented below "The
 * following files have been resolved:" are the list: each must parse (a
 * malformed one is an error naming it; "none" means an empty list), and
 * there the scope may be missing (-DoutputScope=false). Elsewhere a line
 * whose first word has that shape with a known scope is taken as a
 * dependency too (a pasted list without its header), and every other log
 * line is ignored. A reactor build lists each module in turn; the same
 * artifact from several modules is folded by lockfile_parse (dev only if
 * test-scoped everywhere).
 *
 * Entries: package "groupId:artifactId", version the version field
 * (classifier and type dropped: one pin however many files it has),
 * integrity and resolved "" (the output has neither), dev = scope "test"
 * ("provided" is still compiled against), direct = 1 for all — the list is
 * the whole resolved set and does not say which ones the POM names.
 *
 * Errors: a malformed dependency line (empty part, spaces, characters
 * Maven coordinates do not use), "BUILD FAILURE" in the output (the list
 * is incomplete), and no dependency line at all ("no dependency lines
 * found (is this mvn dependency:list output?)"). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lock_internal.h"
#include "ecosystems/lock_formats.h"
#include "ecosystems/eco_ids.h"

#define HEADER "The following files have been resolved:"

static const char *const SCOPES[] = {"compile", "provided", "runtime", "test", "system", "import"};

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

static int is_scope(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(SCOPES) / sizeof(SCOPES[0]); i++)
        if (strlen(SCOPES[i]) == n && memcmp(SCOPES[i], s, n) == 0)
            return 1;
    return 0;
}

/* groupId, artifactId, type, classifier */
static int id_char(char c) { return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-'; }
static int version_char(char c) { return isalnum((unsigned char)c) || strchr("._+~-", c) != NULL; }

typedef struct field {
    size_t off, n;
} field_t;

#define MAX_FIELDS 8

typedef struct mvn {
    lock_builder_t *b;
    char *line; /* the current line without colour sequences */
    int *col;   /* the column each of its bytes had */
    size_t n;
    int lineno;
    size_t added;
} mvn_t;

static int fail_at(mvn_t *m, size_t off, const char *what, size_t woff, size_t wn)
{
    char ex[100];
    size_t o = 0;
    for (size_t i = 0; i < wn && o < 80; i++) {
        char c = m->line[woff + i];
        ex[o++] = (unsigned char)c < ' ' || c == 0x7f ? '?' : c;
    }
    if (wn > 80)
        memcpy(ex + o, "...", 3), o += 3;
    ex[o] = '\0';
    return lock_fail(m->b, m->lineno, off < m->n ? m->col[off] : 0, "%s: '%s'", what, ex);
}

/* The dependency in the word [w, w + wn) of the current line and the text
 * after it [w + wn, m->n). strict: a malformed one is an error (0 when it
 * is not taken: not one in the first place). need_scope: the scope may not
 * be left out. Returns 1 taken, 0 not a dependency, -1 error. */
static int dependency(mvn_t *m, size_t w, size_t wn, int strict, int need_scope)
{
    const char *s = m->line;
    field_t f[MAX_FIELDS];
    size_t nf = 0, start = w;
    for (size_t i = w; i <= w + wn; i++)
        if (i == w + wn || s[i] == ':') {
            if (nf == MAX_FIELDS)
                return strict ? fail_at(m, w, "too many fields in a dependency", w, wn) : 0;
            f[nf].off = start;
            f[nf].n = i - start;
            nf++;
            start = i + 1;
        }
    /* where the scope is: g:a:t:v:SCOPE or g:a:t:c:v:SCOPE, maybe followed by the file (which may hold ':') */
    size_t scope = 0;
    if (nf >= 5 && is_scope(s + f[4].off, f[4].n))
        scope = 4;
    else if (nf >= 6 && is_scope(s + f[5].off, f[5].n))
        scope = 5;
    if (scope == 0 && need_scope) /* (only outside the list, where anything else is a log line) */
        return 0;
    size_t version, used;
    if (scope) {
        version = scope - 1;
        used = scope + 1;
        if (nf > used) { /* -DoutputAbsoluteArtifactFilename: the rest is a path */
            int path = 0;
            for (size_t i = f[used].off; i < w + wn; i++)
                path |= s[i] == '/' || s[i] == '\\';
            if (!path && strict)
                return fail_at(m, f[used].off, "unexpected fields after the scope", w, wn);
            if (!path)
                return 0;
        }
    } else if (nf == 4 || nf == 5) { /* -DoutputScope=false */
        version = nf - 1;
        used = nf;
    } else {
        return strict ? fail_at(m, w, "not a dependency (group:artifact:type[:classifier]:version:scope)", w, wn) : 0;
    }
    for (size_t k = 0; k < used; k++) {
        if (f[k].n == 0)
            return fail_at(m, f[k].off, "empty part in a dependency", w, wn);
        if (k == scope && scope)
            continue;
        for (size_t i = f[k].off; i < f[k].off + f[k].n; i++)
            if (!(k == version ? version_char(s[i]) : id_char(s[i])))
                return fail_at(m, i, "unexpected character in a dependency", w, wn);
    }
    if (f[version].n > 128)
        return fail_at(m, f[version].off, "version too long", w, wn);
    /* what may follow: " (optional)", " -- module NAME [auto]" */
    size_t i = w + wn;
    while (i < m->n && is_ws(s[i]))
        i++;
    if (m->n - i >= 10 && memcmp(s + i, "(optional)", 10) == 0) {
        i += 10;
        while (i < m->n && is_ws(s[i]))
            i++;
    }
    if (i < m->n && !(m->n - i >= 3 && memcmp(s + i, "-- ", 3) == 0))
        return fail_at(m, i, "unexpected text after a dependency", i, m->n - i);

    char package[520], ver[130];
    if (f[0].n + f[1].n + 2 > sizeof(package))
        return fail_at(m, w, "coordinates too long", w, wn);
    snprintf(package, sizeof(package), "%.*s:%.*s", (int)f[0].n, s + f[0].off, (int)f[1].n, s + f[1].off);
    snprintf(ver, sizeof(ver), "%.*s", (int)f[version].n, s + f[version].off);
    int dev = scope && f[scope].n == 4 && memcmp(s + f[scope].off, "test", 4) == 0;
    if (lock_add(m->b, ECO_MAVEN, package, ver, NULL, NULL, 1, dev, m->lineno) != 0)
        return -1;
    m->added++;
    return 1;
}

/* the line [p, e) into m->line without CSI sequences (ESC '[' … final byte) */
static void clean(mvn_t *m, const char *p, const char *e)
{
    m->n = 0;
    for (const char *q = p; q < e;) {
        if (q[0] == 0x1b && q + 1 < e && q[1] == '[') {
            const char *r = q + 2;
            while (r < e && (unsigned char)*r >= 0x20 && (unsigned char)*r <= 0x3f)
                r++;
            if (r < e && (unsigned char)*r >= 0x40 && (unsigned char)*r <= 0x7e) {
                q = r + 1;
                continue;
            }
        }
        m->line[m->n] = *q;
        m->col[m->n] = (int)(q - p) + 1;
        m->n++;
        q++;
    }
    while (m->n > 0 && m->line[m->n - 1] == '\r')
        m->n--;
    m->line[m->n] = '\0';
}

int lock_parse_maven(lock_builder_t *b, const char *text, size_t len)
{
    mvn_t m = {.b = b};
    m.line = malloc(len + 1);
    m.col = malloc((len + 1) * sizeof(int));
    if (m.line == NULL || m.col == NULL) {
        free(m.line);
        free(m.col);
        return lock_fail(b, 0, 0, "out of memory");
    }
    int rc = 0, in_block = 0, block_prefixed = 0, seen_none = 0;
    for (const char *p = text, *end = text + len; p < end && rc == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        m.lineno++;
        clean(&m, p, e);
        p = nl ? nl + 1 : end;

        /* "[LEVEL] " */
        const char *s = m.line;
        size_t i = 0;
        int prefixed = 0, info = 1;
        if (m.n > 2 && s[0] == '[' && isupper((unsigned char)s[1])) {
            size_t j = 1;
            while (j < m.n && isupper((unsigned char)s[j]))
                j++;
            if (j < m.n && s[j] == ']') {
                prefixed = 1;
                info = j == 5 && memcmp(s + 1, "INFO", 4) == 0;
                i = j + 1;
                if (i < m.n && s[i] == ' ')
                    i++;
            }
        }
        if (!info) { /* warnings, errors, debug output */
            in_block = 0;
            continue;
        }
        size_t t = i;
        while (t < m.n && is_ws(s[t]))
            t++;
        size_t te = m.n;
        while (te > t && is_ws(s[te - 1]))
            te--;
        if (t == te) {
            in_block = 0;
            continue;
        }
        if (te - t == strlen(HEADER) && memcmp(s + t, HEADER, te - t) == 0) {
            in_block = 1;
            block_prefixed = prefixed;
            continue;
        }
        if (te - t == 13 && memcmp(s + t, "BUILD FAILURE", 13) == 0) {
            rc = lock_fail(b, m.lineno, 0, "the Maven build failed: its dependency list is incomplete");
            break;
        }
        size_t w = t;
        while (w < m.n && !is_ws(s[w]))
            w++;
        if (in_block && prefixed == block_prefixed && t > i) {
            if (te - t == 4 && memcmp(s + t, "none", 4) == 0) {
                seen_none = 1;
                continue;
            }
            if (dependency(&m, t, w - t, 1, 0) < 0)
                rc = -1;
            continue;
        }
        in_block = 0;
        if (dependency(&m, t, w - t, 0, 1) < 0)
            rc = -1;
    }
    if (rc == 0 && !b->failed && m.added == 0 && !seen_none)
        rc = lock_fail(b, 0, 0, "no dependency lines found (is this mvn dependency:list output?)");
    free(m.line);
    free(m.col);
    return rc != 0 || b->failed ? -1 : 0;
}

static int detect(const char *text, size_t len)
{
    return lock_contains(text, len, "The following files have been resolved") ||
           (lock_contains(text, len, "[INFO]") && (lock_contains(text, len, ":jar:") || lock_contains(text, len, ":pom:")));
}

const lock_format_def_t maven_lock_format = {.id = LOCK_MAVEN,
                                             .name = "maven",
                                             .what = "mvn dependency:list output",
                                             .detect = detect,
                                             .parse = lock_parse_maven};
