/* npm_semver: strict SemVer 2.0.0 parsing and precedence. */
#include "ecosystems/npm/npm_semver.h"

#include <ctype.h>
#include <string.h>

static int parse_num(const char **p, uint64_t *out)
{
    const char *s = *p;
    if (!isdigit((unsigned char)*s))
        return -1;
    if (s[0] == '0' && isdigit((unsigned char)s[1]))
        return -1; /* no leading zeros */
    /* npm refuses numbers above JavaScript's Number.MAX_SAFE_INTEGER */
    const uint64_t max_safe = 9007199254740991ULL;
    uint64_t v = 0;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max_safe)
            return -1;
        s++;
    }
    *p = s;
    *out = v;
    return 0;
}

static int ident_char(char c) { return isalnum((unsigned char)c) || c == '-'; }

/* dot-separated non-empty identifiers; numeric ones without leading zeros */
static int check_idents(const char *s, size_t n, int numeric_rule)
{
    if (n == 0)
        return -1;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            size_t len = i - start;
            if (len == 0)
                return -1;
            int all_digits = 1;
            for (size_t j = start; j < i; j++)
                if (!isdigit((unsigned char)s[j]))
                    all_digits = 0;
            if (numeric_rule && all_digits && len > 1 && s[start] == '0')
                return -1;
            start = i + 1;
        } else if (!ident_char(s[i])) {
            return -1;
        }
    }
    return 0;
}

int semver_parse(const char *s, semver_t *v)
{
    memset(v, 0, sizeof(*v));
    while (*s == ' ')
        s++;
    if (*s == 'v' || *s == '=')
        s++;
    if (parse_num(&s, &v->major) || *s++ != '.' || parse_num(&s, &v->minor) || *s++ != '.' ||
        parse_num(&s, &v->patch))
        return -1;
    if (*s == '-') {
        s++;
        const char *end = s + strcspn(s, "+");
        if (check_idents(s, (size_t)(end - s), 1))
            return -1;
        v->pre = s;
        v->prelen = (size_t)(end - s);
        s = end;
    }
    if (*s == '+') {
        s++;
        size_t n = strlen(s);
        if (check_idents(s, n, 0))
            return -1;
        s += n;
    }
    return *s == '\0' ? 0 : -1;
}

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int is_numeric(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return n > 0;
}

static int cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
    int na = is_numeric(a, an), nb = is_numeric(b, bn);
    if (na && nb) {
        /* no leading zeros: longer is larger */
        if (an != bn)
            return an < bn ? -1 : 1;
        int c = memcmp(a, b, an);
        return c < 0 ? -1 : c > 0;
    }
    if (na != nb)
        return na ? -1 : 1; /* numeric identifiers have lower precedence */
    size_t n = an < bn ? an : bn;
    int c = memcmp(a, b, n);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

int semver_compare(const semver_t *a, const semver_t *b)
{
    int c;
    if ((c = cmp_u64(a->major, b->major)) || (c = cmp_u64(a->minor, b->minor)) || (c = cmp_u64(a->patch, b->patch)))
        return c;
    if (!a->pre && !b->pre)
        return 0;
    if (!a->pre)
        return 1; /* a release ranks above its prereleases */
    if (!b->pre)
        return -1;
    const char *pa = a->pre, *ea = a->pre + a->prelen;
    const char *pb = b->pre, *eb = b->pre + b->prelen;
    while (pa < ea && pb < eb) {
        const char *da = memchr(pa, '.', (size_t)(ea - pa));
        const char *db = memchr(pb, '.', (size_t)(eb - pb));
        if (!da)
            da = ea;
        if (!db)
            db = eb;
        c = cmp_ident(pa, (size_t)(da - pa), pb, (size_t)(db - pb));
        if (c)
            return c;
        pa = da < ea ? da + 1 : ea;
        pb = db < eb ? db + 1 : eb;
    }
    /* a larger set of identifiers has higher precedence when all before are equal */
    if (pa < ea)
        return 1;
    if (pb < eb)
        return -1;
    return 0;
}

int semver_compare_str(const char *a, const char *b)
{
    semver_t va, vb;
    int oka = semver_parse(a, &va) == 0, okb = semver_parse(b, &vb) == 0;
    if (oka && okb)
        return semver_compare(&va, &vb);
    if (oka != okb)
        return oka ? 1 : -1;
    int c = strcmp(a, b);
    return c < 0 ? -1 : c > 0;
}

int semver_is_prerelease(const semver_t *v) { return v->pre != NULL; }

int semver_same_line(const semver_t *a, const semver_t *b)
{
    if (!a->pre && !b->pre)
        return a->major == b->major;
    if (!a->pre || !b->pre)
        return 0;
    if (a->major != b->major || a->minor != b->minor || a->patch != b->patch)
        return 0;
    size_t la = strcspn(a->pre, "."), lb = strcspn(b->pre, ".");
    if (la > a->prelen)
        la = a->prelen;
    if (lb > b->prelen)
        lb = b->prelen;
    /* "beta.1" vs "beta.7": same first identifier; numeric-only lines ("0", "1") compare equal */
    if (is_numeric(a->pre, la) && is_numeric(b->pre, lb))
        return 1;
    return la == lb && memcmp(a->pre, b->pre, la) == 0;
}
