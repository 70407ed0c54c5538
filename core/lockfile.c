/* lockfile: format detection, dispatch to the per-format parsers, and the
 * shared builder — canonical names, normalised integrity, sorted and
 * de-duplicated entries (see lockfile.h and lock_internal.h). */
#include "core/lockfile.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/digest.h"
#include "common/hex.h"
#include "ecosystems/pypi/pypi_path.h"
#include "core/lock_internal.h"

static const char *const FORMAT_NAMES[LOCK_FORMAT_COUNT] = {"auto", "npm", "yarn", "pnpm", "pip", "maven"};

const char *lock_format_name(lock_format_t f) { return f < LOCK_FORMAT_COUNT ? FORMAT_NAMES[f] : "?"; }

int lock_format_from_name(const char *s)
{
    for (int i = 0; i < LOCK_FORMAT_COUNT; i++)
        if (strcmp(FORMAT_NAMES[i], s) == 0)
            return i;
    return -1;
}

int lock_fail(lock_builder_t *b, int line, int col, const char *fmt, ...)
{
    if (b->failed)
        return -1;
    b->failed = 1;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line > 0 && col > 0)
        snprintf(b->err, b->errlen, "%d:%d: %s", line, col, msg);
    else if (line > 0)
        snprintf(b->err, b->errlen, "%d: %s", line, msg);
    else
        snprintf(b->err, b->errlen, "%s", msg);
    return -1;
}

int lock_integrity_normalise(const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in);
    char tmp[300];
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    if (n == 40 && hex_is(in, n)) { /* yarn classic's #sha1 fragment */
        snprintf(tmp, sizeof(tmp), "sha1:%s", in);
    } else {
        snprintf(tmp, sizeof(tmp), "%s", in);
    }
    for (char *p = tmp; *p && *p != '-' && *p != ':'; p++) /* "SHA256:" → "sha256:" */
        *p = (char)tolower((unsigned char)*p);
    char *colon = strchr(tmp, ':');
    if (colon && strchr(tmp, '-') == NULL) /* hex forms: lower case */
        for (char *p = colon + 1; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    integrity_t parsed;
    if (integrity_parse_any(tmp, &parsed) != 0)
        return -1;
    if (strlen(tmp) >= outlen)
        return -1;
    memcpy(out, tmp, strlen(tmp) + 1);
    return 0;
}

static int canonical(eco_id_t eco, const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in);
    if (n == 0 || n >= outlen)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] <= ' ' || in[i] == 0x7f)
            return -1;
    if (eco == ECO_PYPI)
        return pypi_normalize(in, n, out, outlen) == 0 ? 0 : -1;
    if (eco == ECO_MAVEN) {
        const char *colon = strchr(in, ':');
        if (colon == NULL || colon == in || colon[1] == '\0' || strchr(colon + 1, ':'))
            return -1;
    }
    memcpy(out, in, n + 1);
    return 0;
}

int lock_add(lock_builder_t *b, eco_id_t eco, const char *package, const char *version, const char *integrity,
             const char *resolved, int direct, int dev, int line)
{
    if (b->failed)
        return -1;
    char name[512];
    if (package == NULL || canonical(eco, package, name, sizeof(name)) != 0)
        return lock_fail(b, line, 0, "'%.100s' is not a valid %s package name", package ? package : "", eco_name(eco));
    if (version == NULL || version[0] == '\0' || strlen(version) > 128 || strpbrk(version, " \t\r\n/"))
        return lock_fail(b, line, 0, "%s has no usable version ('%.60s')", name, version ? version : "");
    /* several tokens (npm SRI lists, one --hash per wheel of a release) */
    buf_t integ;
    buf_init(&integ);
    if (integrity && integrity[0]) {
        char *copy = strdup(integrity);
        if (copy == NULL)
            return lock_fail(b, line, 0, "out of memory");
        for (char *save = NULL, *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
            char one[300];
            if (lock_integrity_normalise(tok, one, sizeof(one)) != 0) {
                lock_fail(b, line, 0, "%s@%s: malformed integrity '%.80s'", name, version, tok);
                free(copy);
                buf_free(&integ);
                return -1;
            }
            if (integ.len)
                buf_putc(&integ, ' ');
            buf_puts(&integ, one);
        }
        free(copy);
    }
    lockfile_t *lf = b->lf;
    if (lf->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64;
        lock_entry_t *nv = realloc(lf->entries, ncap * sizeof(*nv));
        if (nv == NULL) {
            buf_free(&integ);
            return lock_fail(b, line, 0, "out of memory");
        }
        lf->entries = nv;
        b->cap = ncap;
    }
    lock_entry_t *e = &lf->entries[lf->n];
    memset(e, 0, sizeof(*e));
    e->eco = eco;
    e->package = strdup(name);
    e->version = strdup(version);
    e->integrity = strdup(integ.len ? buf_cstr(&integ) : "");
    buf_free(&integ);
    e->resolved = strdup(resolved ? resolved : "");
    e->direct = direct != 0;
    e->dev = dev != 0;
    e->line = line;
    if (!e->package || !e->version || !e->integrity || !e->resolved) {
        free(e->package);
        free(e->version);
        free(e->integrity);
        free(e->resolved);
        return lock_fail(b, line, 0, "out of memory");
    }
    lf->n++;
    return 0;
}

static void entry_free(lock_entry_t *e)
{
    free(e->package);
    free(e->version);
    free(e->integrity);
    free(e->resolved);
}

void lockfile_free(lockfile_t *lf)
{
    for (size_t i = 0; i < lf->n; i++)
        entry_free(&lf->entries[i]);
    free(lf->entries);
    lf->entries = NULL;
    lf->n = 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const lock_entry_t *x = a, *y = b;
    if (x->eco != y->eco)
        return x->eco < y->eco ? -1 : 1;
    int c = strcmp(x->package, y->package);
    if (c)
        return c;
    c = strcmp(x->version, y->version);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* one entry per (ecosystem, package, version): the same pin seen twice is
 * folded (direct wins, dev only if every copy is dev); two different
 * integrity values for the same pin are an error */
static int fold(lock_builder_t *b)
{
    lockfile_t *lf = b->lf;
    if (lf->n > 1)
        qsort(lf->entries, lf->n, sizeof(lock_entry_t), entry_cmp);
    size_t o = 0;
    for (size_t i = 0; i < lf->n; i++) {
        lock_entry_t *e = &lf->entries[i];
        if (o > 0) {
            lock_entry_t *prev = &lf->entries[o - 1];
            if (prev->eco == e->eco && !strcmp(prev->package, e->package) && !strcmp(prev->version, e->version)) {
                if (prev->integrity[0] && e->integrity[0] && strcmp(prev->integrity, e->integrity) != 0) {
                    int line = e->line;
                    char what[300];
                    snprintf(what, sizeof(what), "%s@%s", e->package, e->version);
                    /* free the rest before failing */
                    for (size_t k = i; k < lf->n; k++)
                        entry_free(&lf->entries[k]);
                    lf->n = o;
                    return lock_fail(b, line, 0, "%s appears twice with different integrity (line %d and %d)", what,
                                     prev->line, line);
                }
                if (!prev->integrity[0] && e->integrity[0]) {
                    free(prev->integrity);
                    prev->integrity = e->integrity;
                    e->integrity = NULL;
                }
                prev->direct |= e->direct;
                prev->dev &= e->dev;
                entry_free(e);
                continue;
            }
        }
        lf->entries[o++] = *e;
    }
    lf->n = o;
    return 0;
}

/* ---- detection ---- */

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    return p;
}

static int contains(const char *text, size_t len, const char *needle)
{
    return memmem(text, len, needle, strlen(needle)) != NULL;
}

lock_format_t lockfile_detect(const char *text, size_t len)
{
    size_t head = len < 4096 ? len : 4096;
    const char *p = skip_space(text, text + len);
    if (p < text + len && *p == '{')
        return contains(text, head, "\"lockfileVersion\"") || contains(text, len < (1u << 20) ? len : (1u << 20),
                                                                          "\"lockfileVersion\"")
                   ? LOCK_NPM
                   : LOCK_AUTO;
    if (contains(text, head, "# yarn lockfile v1") || contains(text, head, "__metadata:"))
        return LOCK_YARN;
    if (contains(text, head, "lockfileVersion:") && (contains(text, len, "importers:") || contains(text, len, "packages:") ||
                                                      contains(text, head, "dependencies:")))
        return LOCK_PNPM;
    if (contains(text, len, "The following files have been resolved") ||
        (contains(text, len, "[INFO]") && (contains(text, len, ":jar:") || contains(text, len, ":pom:"))))
        return LOCK_MAVEN;
    /* pip: some line of the form name==version (or a --hash option) */
    const char *end = text + len;
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        const char *s = skip_space(line, le);
        if (s < le && *s != '#' && *s != '-') {
            const char *eq = memmem(s, (size_t)(le - s), "==", 2);
            if (eq && eq > s)
                return LOCK_PIP;
        }
        line = nl ? nl + 1 : end;
    }
    return LOCK_AUTO;
}

int lockfile_parse(const char *text, size_t len, lock_format_t format, lockfile_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    err[0] = '\0';
    if (memchr(text, '\0', len) != NULL) {
        snprintf(err, errlen, "the file contains NUL bytes: not a text lockfile");
        return -1;
    }
    lock_format_t f = format == LOCK_AUTO ? lockfile_detect(text, len) : format;
    if (f == LOCK_AUTO) {
        snprintf(err, errlen,
                 "unknown lockfile format: expected package-lock.json, yarn.lock, pnpm-lock.yaml, a requirements.txt "
                 "with == pins, or mvn dependency:list output (or say which with format=)");
        return -1;
    }
    out->format = f;
    lock_builder_t b = {.lf = out, .err = err, .errlen = errlen};
    int rc;
    switch (f) {
    case LOCK_NPM: rc = lock_parse_npm(&b, text, len); break;
    case LOCK_YARN: rc = lock_parse_yarn(&b, text, len); break;
    case LOCK_PNPM: rc = lock_parse_pnpm(&b, text, len); break;
    case LOCK_PIP: rc = lock_parse_pip(&b, text, len); break;
    case LOCK_MAVEN: rc = lock_parse_maven(&b, text, len); break;
    default: rc = -1; break;
    }
    if (rc == 0 && !b.failed)
        rc = fold(&b);
    if (rc != 0 || b.failed) {
        if (!err[0])
            snprintf(err, errlen, "the %s lockfile could not be read", lock_format_name(f));
        lockfile_free(out);
        return -1;
    }
    return 0;
}
