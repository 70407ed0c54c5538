/* lockfile: format detection and dispatch over the formats the ecosystems
 * define (ecosystem_t.lockfiles), and the shared builder — canonical names,
 * normalised integrity, sorted and de-duplicated entries (see lockfile.h
 * and lock_internal.h). */
#include "core/lockfile.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/digest.h"
#include "core/ecosystem.h"
#include "core/lock_internal.h"

#define AUTO_NAME "auto"

/* the k-th format of all ecosystems' tables, in table order; NULL past the last */
static const lock_format_def_t *format_at(size_t k)
{
    for (eco_id_t i = 0; i < ECO_COUNT; i++)
        for (const lock_format_def_t *const *d = ecosystems[i] ? ecosystems[i]->lockfiles : NULL; d && *d; d++)
            if (k-- == 0)
                return *d;
    return NULL;
}

static const lock_format_def_t *format_def(lock_format_t f)
{
    const lock_format_def_t *d;
    for (size_t k = 0; (d = format_at(k)) != NULL; k++)
        if (d->id == f)
            return d;
    return NULL;
}

const char *lock_format_name(lock_format_t f)
{
    const lock_format_def_t *d = f == LOCK_AUTO ? NULL : format_def(f);
    return f == LOCK_AUTO ? AUTO_NAME : d ? d->name : "?";
}

int lock_format_from_name(const char *s)
{
    if (strcmp(s, AUTO_NAME) == 0)
        return LOCK_AUTO;
    const lock_format_def_t *d;
    for (size_t k = 0; (d = format_at(k)) != NULL; k++)
        if (strcmp(d->name, s) == 0)
            return (int)d->id;
    return -1;
}

size_t lock_format_names(char *out, size_t outlen, const char *sep)
{
    size_t o = (size_t)snprintf(out, outlen, "%s", AUTO_NAME);
    const lock_format_def_t *d;
    for (size_t k = 0; (d = format_at(k)) != NULL && o < outlen; k++)
        o += (size_t)snprintf(out + o, outlen - o, "%s%s", sep, d->name);
    return o < outlen ? o : outlen - 1;
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

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

int lock_integrity_normalise(const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in);
    char tmp[300];
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    if (n == 40 && is_hex(in, n)) { /* yarn classic's #sha1 fragment */
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
    const ecosystem_t *e = eco < ECO_COUNT ? ecosystems[eco] : NULL;
    if (e == NULL)
        return -1;
    if (e->list_name)
        return e->list_name(in, out, outlen) == 0 ? 0 : -1;
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

const char *lock_skip_space(const char *p, const char *end)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    return p;
}

int lock_contains(const char *text, size_t len, const char *needle)
{
    return memmem(text, len, needle, strlen(needle)) != NULL;
}

/* the formats with strong signs in table order, then the weak ones */
lock_format_t lockfile_detect(const char *text, size_t len)
{
    for (int last = 0; last < 2; last++) {
        const lock_format_def_t *d;
        for (size_t k = 0; (d = format_at(k)) != NULL; k++) {
            if ((d->detect_last != 0) != last)
                continue;
            int r = d->detect(text, len);
            if (r != 0)
                return r > 0 ? d->id : LOCK_AUTO;
        }
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
    const lock_format_def_t *def = f == LOCK_AUTO ? NULL : format_def(f);
    if (def == NULL) {
        /* "expected A, B, or C (or say which with format=)" */
        size_t o = (size_t)snprintf(err, errlen, "unknown lockfile format: expected ");
        const lock_format_def_t *d;
        for (size_t k = 0; (d = format_at(k)) != NULL && o < errlen; k++)
            o += (size_t)snprintf(err + o, errlen - o, "%s%s", k == 0 ? "" : format_at(k + 1) ? ", " : ", or ",
                                  d->what);
        if (o < errlen)
            snprintf(err + o, errlen - o, " (or say which with format=)");
        return -1;
    }
    out->format = f;
    lock_builder_t b = {.lf = out, .err = err, .errlen = errlen};
    int rc = def->parse(&b, text, len);
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
