/* history: provenance regression and publisher change over a package's
 * release history (see history.h). One pass in publish-time order for the
 * flags; the explanation of a flagged version walks the history again,
 * which is rare. */
#include "intel/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

typedef struct dated {
    size_t index;
    int64_t t;
} dated_t;

static int dated_cmp(const void *a, const void *b)
{
    const dated_t *x = a, *y = b;
    if (x->t != y->t) /* TIME_NONE (INT64_MIN) sorts first: a version without a time counts as old */
        return x->t < y->t ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

/* v's indexes in publish-time order; NULL when out of memory */
static dated_t *by_time(const history_version_t *v, size_t n)
{
    dated_t *o = malloc((n ? n : 1) * sizeof(*o));
    if (o == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        o[i] = (dated_t){i, v[i].published_at};
    qsort(o, n, sizeof(*o), dated_cmp);
    return o;
}

static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* the latest earlier version (before position k of o) of v[i]'s line that
 * had provenance; -1 when none */
static long line_provenance_before(const history_version_t *v, const dated_t *o, size_t k, size_t i)
{
    for (size_t j = k; j-- > 0;) {
        const history_version_t *e = &v[o[j].index];
        if (e->has_provenance && same(e->line, v[i].line))
            return (long)o[j].index;
    }
    return -1;
}

/* a small set of strings (publishers, lines) seen so far; a package has few */
typedef struct seen {
    const char **s;
    long *at; /* per line: the latest version with provenance (-1 none) */
    size_t n, cap;
} seen_t;

static long seen_find(const seen_t *z, const char *s)
{
    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->s[i], s) == 0)
            return (long)i;
    return -1;
}

static long seen_add(seen_t *z, const char *s)
{
    if (z->n == z->cap) {
        size_t cap = z->cap ? z->cap * 2 : 16;
        const char **ns = realloc(z->s, cap * sizeof(*ns));
        if (ns)
            z->s = ns;
        long *na = ns ? realloc(z->at, cap * sizeof(*na)) : NULL;
        if (na == NULL)
            return -1;
        z->at = na;
        z->cap = cap;
    }
    z->s[z->n] = s;
    z->at[z->n] = -1;
    return (long)z->n++;
}

int history_flags(const history_version_t *v, size_t n, unsigned char *out)
{
    memset(out, 0, n);
    dated_t *o = by_time(v, n);
    seen_t who = {0}, lines = {0};
    int rc = o ? 0 : -1;
    for (size_t k = 0; k < n && rc == 0; k++) {
        size_t i = o[k].index;
        const history_version_t *x = &v[i];
        if (x->line) {
            long l = seen_find(&lines, x->line);
            if (l < 0 && (l = seen_add(&lines, x->line)) < 0)
                rc = -1;
            long prev = l >= 0 ? lines.at[l] : -1;
            if (prev >= 0 && !x->has_provenance)
                out[i] |= HISTORY_PROVENANCE_LOST;
            else if (prev >= 0 && x->repository && v[prev].repository && strcmp(x->repository, v[prev].repository))
                out[i] |= HISTORY_REPOSITORY_MOVED;
            if (l >= 0 && x->has_provenance)
                lines.at[l] = (long)i;
        }
        if (x->publisher && seen_find(&who, x->publisher) < 0) {
            if (k >= HISTORY_PUBLISHER_MIN && who.n > 0)
                out[i] |= HISTORY_PUBLISHER_NEW;
            if (seen_add(&who, x->publisher) < 0)
                rc = -1;
        }
    }
    free(who.s);
    free(who.at);
    free(lines.s);
    free(lines.at);
    free(o);
    if (rc != 0)
        memset(out, 0, n);
    return rc;
}

/* the distinct publishers before position k, "a, b, c" (the first few) */
static void earlier_publishers(const history_version_t *v, const dated_t *o, size_t k, buf_t *out)
{
    size_t listed = 0;
    for (size_t j = 0; j < k; j++) {
        const char *p = v[o[j].index].publisher;
        int dup = 0;
        for (size_t m = 0; p && m < j && !dup; m++)
            dup = same(v[o[m].index].publisher, p);
        if (p == NULL || dup)
            continue;
        if (listed == 5) {
            buf_puts(out, ", …");
            return;
        }
        buf_printf(out, "%s%s", listed++ ? ", " : "", p);
    }
}

void history_findings(const char *package, const history_version_t *v, size_t n, size_t i, unsigned flags,
                      findings_t *f)
{
    if (flags == 0 || i >= n)
        return;
    dated_t *o = by_time(v, n);
    if (o == NULL)
        return;
    size_t k = 0;
    while (k < n && o[k].index != i)
        k++;
    const history_version_t *x = &v[i];
    long prev = (flags & (HISTORY_PROVENANCE_LOST | HISTORY_REPOSITORY_MOVED)) ? line_provenance_before(v, o, k, i) : -1;
    if ((flags & HISTORY_PROVENANCE_LOST) && prev >= 0)
        findings_add(f, FINDING_PROVENANCE_REGRESSION,
                     "%s@%s has no provenance, but %s@%s of the same line (%s) had: it was not built and signed the "
                     "way its line was",
                     package, x->version, package, v[prev].version, x->line);
    else if ((flags & HISTORY_REPOSITORY_MOVED) && prev >= 0)
        findings_add(f, FINDING_PROVENANCE_REGRESSION, "%s@%s was built from %s, but %s@%s of the same line from %s",
                     package, x->version, x->repository, package, v[prev].version, v[prev].repository);
    if (flags & HISTORY_PUBLISHER_NEW) {
        buf_t who;
        buf_init(&who);
        earlier_publishers(v, o, k, &who);
        findings_add(f, FINDING_PUBLISHER_CHANGE,
                     "%s@%s was published by %s, who published none of its %zu earlier versions (earlier publishers: "
                     "%s)",
                     package, x->version, x->publisher, k, buf_cstr(&who));
        buf_free(&who);
    }
    free(o);
}

size_t history_newest(const history_version_t *v, size_t n, int (*want)(size_t i, const void *arg), const void *arg,
                      size_t *out, size_t max)
{
    dated_t *o = by_time(v, n);
    size_t got = 0;
    for (size_t k = n; o && k-- > 0 && got < max;)
        if (want(o[k].index, arg))
            out[got++] = o[k].index;
    free(o);
    return got;
}
