/* pep440: see the header. The comparison follows packaging's key: a dev
 * release with no pre/post sorts before every pre-release of its release,
 * a missing pre sorts after all pre-releases, a missing post before all
 * post-releases, a missing dev after all dev releases. */
#include "ecosystems/pypi/pep440.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int num(const char **p, uint64_t *out)
{
    const char *s = *p;
    if (!isdigit((unsigned char)*s))
        return -1;
    uint64_t v = 0;
    while (isdigit((unsigned char)*s)) {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        s++;
    }
    *p = s;
    *out = v;
    return 0;
}

static int sep(char c) { return c == '.' || c == '-' || c == '_'; }

/* matches a word case-insensitively and advances */
static int word(const char **p, const char *w)
{
    size_t n = strlen(w);
    if (strncasecmp(*p, w, n) != 0)
        return 0;
    *p += n;
    return 1;
}

int pep440_parse(const char *s, pep440_t *v)
{
    memset(v, 0, sizeof(*v));
    while (isspace((unsigned char)*s))
        s++;
    if (*s == 'v' || *s == 'V')
        s++;
    /* epoch */
    const char *bang = strchr(s, '!');
    if (bang) {
        if (num(&s, &v->epoch) || s != bang)
            return -1;
        s++;
    }
    /* release */
    do {
        if (v->nrelease == PEP440_MAX_RELEASE || num(&s, &v->release[v->nrelease]))
            return -1;
        v->nrelease++;
    } while (*s == '.' && isdigit((unsigned char)s[1]) && s++);
    /* pre-release */
    const char *q = s;
    if (sep(*q))
        q++;
    int kind = 0;
    if (word(&q, "alpha") || word(&q, "a"))
        kind = 1;
    else if (word(&q, "beta") || word(&q, "b"))
        kind = 2;
    else if (word(&q, "rc") || word(&q, "c") || word(&q, "preview") || word(&q, "pre"))
        kind = 3;
    if (kind) {
        v->pre_kind = kind;
        if (sep(*q) && isdigit((unsigned char)q[1]))
            q++;
        if (isdigit((unsigned char)*q) && num(&q, &v->pre))
            return -1;
        s = q;
    }
    /* post-release: "-1", ".post1", "post", "rev", "r" */
    q = s;
    if (*q == '-' && isdigit((unsigned char)q[1])) {
        q++;
        v->has_post = 1;
        if (num(&q, &v->post))
            return -1;
        s = q;
    } else {
        if (sep(*q))
            q++;
        if (word(&q, "post") || word(&q, "rev") || word(&q, "r")) {
            v->has_post = 1;
            if (sep(*q) && isdigit((unsigned char)q[1]))
                q++;
            if (isdigit((unsigned char)*q) && num(&q, &v->post))
                return -1;
            s = q;
        }
    }
    /* dev release */
    q = s;
    if (sep(*q))
        q++;
    if (word(&q, "dev")) {
        v->has_dev = 1;
        if (sep(*q) && isdigit((unsigned char)q[1]))
            q++;
        if (isdigit((unsigned char)*q) && num(&q, &v->dev))
            return -1;
        s = q;
    }
    /* local version */
    if (*s == '+') {
        s++;
        size_t o = 0;
        if (!isalnum((unsigned char)*s))
            return -1;
        while (*s && !isspace((unsigned char)*s)) {
            char c = *s++;
            if (sep(c)) {
                if (!isalnum((unsigned char)*s))
                    return -1;
                c = '.';
            } else if (!isalnum((unsigned char)c)) {
                return -1;
            }
            if (o + 1 >= sizeof(v->local))
                return -1;
            v->local[o++] = (char)tolower((unsigned char)c);
        }
        v->local[o] = '\0';
    }
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0' ? 0 : -1;
}

static int cmp_u(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

/* local segments: numeric ones compare as numbers and sort after alphanumeric */
static int cmp_local(const char *a, const char *b)
{
    while (*a || *b) {
        if (!*a)
            return -1;
        if (!*b)
            return 1;
        size_t la = strcspn(a, "."), lb = strcspn(b, ".");
        int na = 1, nb = 1;
        for (size_t i = 0; i < la; i++)
            na &= isdigit((unsigned char)a[i]) != 0;
        for (size_t i = 0; i < lb; i++)
            nb &= isdigit((unsigned char)b[i]) != 0;
        int c;
        if (na && nb) {
            while (la > 1 && *a == '0')
                a++, la--;
            while (lb > 1 && *b == '0')
                b++, lb--;
            c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
        } else if (na != nb) {
            c = na ? 1 : -1;
        } else {
            c = strncmp(a, b, la < lb ? la : lb);
            if (c == 0)
                c = la < lb ? -1 : la > lb;
        }
        if (c)
            return c < 0 ? -1 : 1;
        a += la + (a[la] == '.');
        b += lb + (b[lb] == '.');
    }
    return 0;
}

int pep440_compare(const pep440_t *a, const pep440_t *b)
{
    int c;
    if ((c = cmp_u(a->epoch, b->epoch)))
        return c;
    int n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;
    for (int i = 0; i < n; i++) { /* trailing zeros do not count: 1.0 == 1.0.0 */
        uint64_t x = i < a->nrelease ? a->release[i] : 0, y = i < b->nrelease ? b->release[i] : 0;
        if ((c = cmp_u(x, y)))
            return c;
    }
    /* pre: dev-only releases lowest, then a < b < rc, then none */
    int pa = a->pre_kind ? a->pre_kind : (!a->has_post && a->has_dev ? -1 : 4);
    int pb = b->pre_kind ? b->pre_kind : (!b->has_post && b->has_dev ? -1 : 4);
    if ((c = cmp_u((uint64_t)(pa + 1), (uint64_t)(pb + 1))))
        return c;
    if (a->pre_kind && (c = cmp_u(a->pre, b->pre)))
        return c;
    /* post: none lowest */
    if (a->has_post != b->has_post)
        return a->has_post ? 1 : -1;
    if (a->has_post && (c = cmp_u(a->post, b->post)))
        return c;
    /* dev: none highest */
    if (a->has_dev != b->has_dev)
        return a->has_dev ? -1 : 1;
    if (a->has_dev && (c = cmp_u(a->dev, b->dev)))
        return c;
    return cmp_local(a->local, b->local);
}

int pep440_compare_str(const char *a, const char *b)
{
    pep440_t va, vb;
    int oka = pep440_parse(a, &va) == 0, okb = pep440_parse(b, &vb) == 0;
    if (oka && okb)
        return pep440_compare(&va, &vb);
    if (oka != okb)
        return oka ? 1 : -1;
    int c = strcmp(a, b);
    return c < 0 ? -1 : c > 0;
}

int pep440_is_prerelease(const pep440_t *v) { return v->pre_kind != 0 || v->has_dev; }
