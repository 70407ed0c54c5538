/* npm_range: range parsing and desugaring into comparator sets, the
 * satisfaction test with npm's prerelease rule, max-satisfying, and the
 * classification of package.json dependency specs. */
#include "ecosystems/npm/npm_range.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecosystems/npm/npm_path.h"
#include "ecosystems/npm/npm_semver.h"

#define SPEC_MAX 1024                 /* longest spec accepted, bytes */
#define SETS_MAX 64                   /* most ||-alternatives accepted */
#define VERSION_MAX 256               /* node-semver refuses longer full versions */
#define MAX_SAFE 9007199254740991ULL  /* JavaScript's Number.MAX_SAFE_INTEGER */

typedef enum { OP_ANY, OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE } cmp_op_t;

/* one desugared comparator; v.pre points into the range's text or at a
 * constant "0" (the "-0" of node-semver's exclusive upper bounds) */
typedef struct comparator {
    cmp_op_t op;
    semver_t v;
} comparator_t;

/* the comparators cmps[first .. first+count) of one ||-alternative */
typedef struct cmp_set {
    size_t first, count;
} cmp_set_t;

struct npm_range {
    char *text;         /* owned: the alternatives as read (whitespace collapsed,
                           build metadata stripped), NUL after each */
    comparator_t *cmps; /* owned: every set's comparators, set after set */
    size_t ncmps, cap;
    cmp_set_t sets[SETS_MAX];
    size_t nsets;
};

/* the operator written in front of one comparator */
typedef enum { T_NONE, T_EQ, T_LT, T_LE, T_GT, T_GE, T_TILDE, T_CARET } tok_op_t;

/* a version as written in a range: "1", "1.2", "1.x", "1.2.3-pre" */
typedef struct partial {
    int nparts;      /* numeric parts before the first x/X/asterisk or missing part: 0..3 */
    uint64_t n[3];   /* those parts; the rest 0 */
    const char *pre; /* prerelease (only when nparts == 3), NULL when none */
    size_t prelen;
    int x_then_number; /* "x.1", "1.x.3": node-semver refuses these as x-ranges */
} partial_t;

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

/* tok as printable text for an error message: at most 48 bytes, control and
 * non-ASCII bytes as '?', quotes as '\'' */
static void quote_token(char *out, size_t outlen, const char *tok, size_t len)
{
    size_t o = 0, max = len > 48 ? 48 : len;
    for (size_t i = 0; i < max && o + 1 < outlen; i++) {
        unsigned char c = (unsigned char)tok[i];
        out[o++] = c < 0x20 || c >= 0x7f ? '?' : c == '"' ? '\'' : (char)c;
    }
    if (len > max && o + 4 < outlen) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static int ident_char(char c) { return isalnum((unsigned char)c) || c == '-'; }

/* a prerelease: dot-separated non-empty identifiers of [0-9A-Za-z-], the
 * numeric ones without a leading zero */
static int prerelease_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            size_t len = i - start, digits = 0;
            while (digits < len && isdigit((unsigned char)s[start + digits]))
                digits++;
            if (len == 0 || (digits == len && len > 1 && s[start] == '0'))
                return 0;
            /* the lengths node-semver's expressions take: a number of up
             * to 257 digits, or up to 256 digits, a letter or '-' and up
             * to 250 more */
            if (digits == len ? len > 257 : digits > 256 || len - digits - 1 > 250)
                return 0;
            start = i + 1;
        } else if (!ident_char(s[i])) {
            return 0;
        }
    }
    return 1;
}

/* one part of a partial version: a number without leading zero, or x, X, '*' */
static const char *parse_xr(const char **p, const char *end, int *is_x, uint64_t *num)
{
    const char *s = *p;
    *is_x = 0;
    *num = 0;
    if (s < end && (*s == 'x' || *s == 'X' || *s == '*')) {
        *is_x = 1;
        *p = s + 1;
        return NULL;
    }
    if (s >= end || !isdigit((unsigned char)*s))
        return "expected a number, x or * in the version";
    if (*s == '0' && s + 1 < end && isdigit((unsigned char)s[1]))
        return "a version number with a leading zero";
    size_t digits = 0;
    while (s + digits < end && isdigit((unsigned char)s[digits]))
        digits++;
    if (digits > 257) /* as node-semver's expressions */
        return "a version number of more than 257 digits";
    /* saturated above 2^53-1: refused only where it ends up in a bound
     * (append), since node-semver ignores the numbers after an x */
    uint64_t v = 0;
    for (; s < end && isdigit((unsigned char)*s); s++)
        if (v <= MAX_SAFE)
            v = v * 10 + (uint64_t)(*s - '0');
    *num = v > MAX_SAFE ? MAX_SAFE + 1 : v;
    *p = s;
    return NULL;
}

/* NULL and *out when [s, s+len) is a partial version, else what is wrong */
static const char *parse_partial(const char *s, size_t len, partial_t *out)
{
    const char *p = s, *end = s + len;
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return "no version";
    int seen_x = 0, fields = 0;
    for (;;) {
        int x;
        uint64_t num;
        const char *why = parse_xr(&p, end, &x, &num);
        if (why)
            return why;
        if (seen_x && !x)
            out->x_then_number = 1;
        seen_x |= x;
        if (!seen_x) {
            out->n[fields] = num;
            out->nparts = fields + 1;
        }
        fields++;
        if (fields == 3 || p == end || *p != '.')
            break;
        p++;
    }
    if (fields == 3 && p < end && *p == '-') {
        const char *q = p + 1, *e = q;
        while (e < end && *e != '+')
            e++;
        if (!prerelease_ok(q, (size_t)(e - q)))
            return "a malformed prerelease";
        if (out->nparts == 3) { /* "1.2.x-beta": dropped, as node-semver does */
            out->pre = q;
            out->prelen = (size_t)(e - q);
        }
        p = e;
    }
    if (p == end)
        return NULL;
    if (*p == '+') /* build metadata was stripped already: this '+' has none */
        return "a '+' without build metadata after it";
    return fields == 3 ? "text after major.minor.patch" : "expected '.' or the end of the version";
}

/* node-semver reads a range with build metadata removed: every
 * "+ident(.ident)*" anywhere in an alternative, identifiers of [0-9A-Za-z-];
 * out (may be s) gets the rest, returns its length */
static size_t strip_build(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '+' || i + 1 >= n || !ident_char(s[i + 1])) {
            out[o++] = s[i++];
            continue;
        }
        size_t j = i;
        do {
            j++; /* past the '+' or the '.' */
            while (j < n && ident_char(s[j]))
                j++;
        } while (j + 1 < n && s[j] == '.' && ident_char(s[j + 1]));
        i = j;
    }
    return o;
}

/* the [v=]* node-semver tolerates in front of a version: its length, and
 * whether it is at most one 'v' (all a version kept as written may have) */
static size_t prefix_len(const char *s, size_t len, int *plain)
{
    size_t i = 0;
    while (i < len && (s[i] == 'v' || s[i] == '='))
        i++;
    *plain = i == 0 || (i == 1 && s[0] == 'v');
    return i;
}

static semver_t ver(uint64_t M, uint64_t m, uint64_t p)
{
    semver_t v = {M, m, p, NULL, 0};
    return v;
}

/* M.m.p-0, the lowest version of M.m.p: the exclusive upper bounds */
static semver_t ver_low(uint64_t M, uint64_t m, uint64_t p)
{
    semver_t v = {M, m, p, "0", 1};
    return v;
}

static semver_t ver_of(const partial_t *p)
{
    semver_t v = {p->n[0], p->n[1], p->n[2], p->pre, p->prelen};
    return v;
}

static int one(comparator_t out[2], cmp_op_t op, semver_t v)
{
    out[0].op = op;
    out[0].v = v;
    return 1;
}

static int two(comparator_t out[2], semver_t lo, semver_t hi)
{
    out[0].op = OP_GE;
    out[0].v = lo;
    out[1].op = OP_LT;
    out[1].v = hi;
    return 2;
}

/* the comparators (0..2) that op applied to p stands for */
static int desugar(tok_op_t op, const partial_t *p, comparator_t out[2])
{
    uint64_t M = p->n[0], m = p->n[1], pt = p->n[2];
    int k = p->nparts;
    if (k == 0) /* "*", "x", "~*", "^x", ">=*" …: anything; ">*", "<*": nothing */
        return op == T_GT || op == T_LT ? one(out, OP_LT, ver_low(0, 0, 0)) : one(out, OP_ANY, ver(0, 0, 0));
    switch (op) {
    case T_TILDE: /* ~1 := >=1.0.0 <2.0.0-0; ~1.2(.3) := >=1.2.0(3) <1.3.0-0 */
        if (k == 1)
            return two(out, ver(M, 0, 0), ver_low(M + 1, 0, 0));
        return two(out, k == 3 ? ver_of(p) : ver(M, m, 0), ver_low(M, m + 1, 0));
    case T_CARET: /* the leftmost non-zero part stays; with k parts given, the k-th if all are 0 */
        if (k == 1)
            return two(out, ver(M, 0, 0), ver_low(M + 1, 0, 0));
        if (k == 2)
            return two(out, ver(M, m, 0), M ? ver_low(M + 1, 0, 0) : ver_low(0, m + 1, 0));
        return two(out, ver_of(p), M ? ver_low(M + 1, 0, 0) : m ? ver_low(0, m + 1, 0) : ver_low(0, 0, pt + 1));
    case T_NONE:
    case T_EQ:
        if (k == 3)
            return one(out, OP_EQ, ver_of(p));
        if (k == 1)
            return two(out, ver(M, 0, 0), ver_low(M + 1, 0, 0));
        return two(out, ver(M, m, 0), ver_low(M, m + 1, 0));
    case T_GT:
        if (k == 3)
            return one(out, OP_GT, ver_of(p));
        return one(out, OP_GE, k == 1 ? ver(M + 1, 0, 0) : ver(M, m + 1, 0)); /* >1.2 := >=1.3.0 */
    case T_GE:
        if (k == 3)
            return one(out, OP_GE, ver_of(p));
        return one(out, OP_GE, ver(M, k == 1 ? 0 : m, 0));
    case T_LT:
        if (k == 3)
            return one(out, OP_LT, ver_of(p));
        return one(out, OP_LT, ver_low(M, k == 1 ? 0 : m, 0)); /* <1.2 := <1.2.0-0 */
    case T_LE:
        if (k == 3)
            return one(out, OP_LE, ver_of(p));
        return one(out, OP_LT, k == 1 ? ver_low(M + 1, 0, 0) : ver_low(M, m + 1, 0)); /* <=1.2 := <1.3.0-0 */
    }
    return 0;
}

/* "A - B": >= the lowest version A covers, <= (or <) the highest B covers */
static int desugar_hyphen(const partial_t *a, const partial_t *b, comparator_t out[2])
{
    int n = 0;
    if (a->nparts > 0) {
        out[n].op = OP_GE;
        out[n++].v = a->nparts == 3 ? ver_of(a) : ver(a->n[0], a->nparts == 1 ? 0 : a->n[1], 0);
    }
    if (b->nparts == 3) {
        out[n].op = OP_LE;
        out[n++].v = ver_of(b);
    } else if (b->nparts > 0) {
        out[n].op = OP_LT;
        out[n++].v = b->nparts == 1 ? ver_low(b->n[0] + 1, 0, 0) : ver_low(b->n[0], b->n[1] + 1, 0);
    }
    if (n == 0)
        return one(out, OP_ANY, ver(0, 0, 0));
    return n;
}

/* appends c to the current set; -1 when a number in it passes 2^53-1
 * (node-semver refuses such a version), or when full (cannot happen: cap
 * is an upper bound) */
static int append(npm_range_t *r, comparator_t c)
{
    if (c.v.major > MAX_SAFE || c.v.minor > MAX_SAFE || c.v.patch > MAX_SAFE || r->ncmps >= r->cap)
        return -1;
    /* >=0.0.0 is "*" to node-semver, which matters to the prerelease rule */
    if (c.op == OP_GE && c.v.major == 0 && c.v.minor == 0 && c.v.patch == 0 && !c.v.pre)
        c.op = OP_ANY;
    r->cmps[r->ncmps++] = c;
    r->sets[r->nsets - 1].count++;
    return 0;
}

static size_t read_op(const char *s, size_t len, tok_op_t *op)
{
    if (len >= 2 && s[0] == '~' && s[1] == '>') { /* "~>1.2", Ruby style, as node-semver reads it */
        *op = T_TILDE;
        return 2;
    }
    if (len >= 2 && s[1] == '=' && (s[0] == '>' || s[0] == '<')) {
        *op = s[0] == '>' ? T_GE : T_LE;
        return 2;
    }
    if (len >= 1 && (s[0] == '~' || s[0] == '^' || s[0] == '>' || s[0] == '<' || s[0] == '=')) {
        *op = s[0] == '~' ? T_TILDE : s[0] == '^' ? T_CARET : s[0] == '>' ? T_GT : s[0] == '<' ? T_LT : T_EQ;
        return 1;
    }
    *op = T_NONE;
    return 0;
}

typedef struct token {
    const char *s;
    size_t len;
} token_t;

static int fail_tok(char *err, size_t errlen, const token_t *t, const char *why)
{
    char q[64];
    quote_token(q, sizeof(q), t->s, t->len);
    if (err && errlen)
        snprintf(err, errlen, "comparator \"%s\": %s", q, why);
    return -1;
}

static int append_all(npm_range_t *r, const comparator_t *c, int n, char *err, size_t errlen, const token_t *t)
{
    for (int j = 0; j < n; j++)
        if (append(r, c[j]))
            return fail_tok(err, errlen, t, "a version number above 2^53-1");
    return 0;
}

/* "A - B", with A and B plain ([v=]* and a partial version) */
static int parse_hyphen(npm_range_t *r, const token_t *ta, const token_t *tb, char *err, size_t errlen)
{
    partial_t a, b;
    int plain_a, plain_b;
    size_t pa = prefix_len(ta->s, ta->len, &plain_a), pb = prefix_len(tb->s, tb->len, &plain_b);
    const char *why;
    char msg[96];
    if ((why = parse_partial(ta->s + pa, ta->len - pa, &a)) != NULL) {
        snprintf(msg, sizeof(msg), "%s (a hyphen range takes plain versions)", why);
        return fail_tok(err, errlen, ta, msg);
    }
    if ((why = parse_partial(tb->s + pb, tb->len - pb, &b)) != NULL) {
        snprintf(msg, sizeof(msg), "%s (a hyphen range takes plain versions)", why);
        return fail_tok(err, errlen, tb, msg);
    }
    /* node-semver keeps a full lower end, and a full upper end without
     * prerelease, as written: there only a 'v' may stand in front */
    if (a.nparts == 3 && !plain_a)
        return fail_tok(err, errlen, ta, "only a 'v' may precede a full version");
    if (b.nparts == 3 && !b.pre && !plain_b)
        return fail_tok(err, errlen, tb, "only a 'v' may precede a full version");
    if (a.nparts == 3 && ta->len > VERSION_MAX)
        return fail_tok(err, errlen, ta, "a version longer than 256 characters");
    if (b.nparts == 3 && (b.pre ? tb->len - pb : tb->len) > VERSION_MAX)
        return fail_tok(err, errlen, tb, "a version longer than 256 characters");
    comparator_t c[2];
    return append_all(r, c, desugar_hyphen(&a, &b, c), err, errlen, tb);
}

/* one comparator: an operator (or none) and a version */
static int parse_comparator(npm_range_t *r, const token_t *t, char *err, size_t errlen)
{
    tok_op_t op;
    size_t oplen = read_op(t->s, t->len, &op);
    const char *v = t->s + oplen;
    size_t vlen = t->len - oplen;
    if (vlen == 0)
        return fail_tok(err, errlen, t, "an operator with no version after it");
    int plain;
    size_t plen = prefix_len(v, vlen, &plain);
    partial_t p;
    const char *why = parse_partial(v + plen, vlen - plen, &p);
    if (why)
        return fail_tok(err, errlen, t, why);
    if (op != T_TILDE && op != T_CARET) {
        /* an x-range: node-semver desugars it, or keeps a full version as written */
        if (p.nparts == 3 && !plain)
            return fail_tok(err, errlen, t, "only a 'v' may precede a full version");
        if (p.nparts == 3 && vlen > VERSION_MAX)
            return fail_tok(err, errlen, t, "a version longer than 256 characters");
        if (p.x_then_number)
            return fail_tok(err, errlen, t, "a number after an x in an x-range");
    } else if (p.nparts == 3 && vlen - plen > VERSION_MAX) {
        return fail_tok(err, errlen, t, "a version longer than 256 characters");
    }
    comparator_t c[2];
    return append_all(r, c, desugar(op, &p, c), err, errlen, t);
}

static int op_char(char c) { return c == '<' || c == '>' || c == '=' || c == '~' || c == '^'; }

/* whitespace runs become one space, none at either end; returns the new length */
static size_t collapse_space(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_space(s[i]))
            s[o++] = s[i];
        else if (o > 0 && s[o - 1] != ' ')
            s[o++] = ' ';
    }
    if (o > 0 && s[o - 1] == ' ')
        o--;
    return o;
}

/* joins an operator standing apart to what follows, as node-semver's trims
 * do: after a token of operator characters only, the space goes when the
 * token ends in '~', "~>" or '^', or when it ends in '<', '>' or '=' (not
 * "==") and a version follows ("> 1.2.3" is ">1.2.3", "< =1.2" is "<=1.2",
 * "~ 1" is "~1", "== 1" stays two tokens); returns the new length */
static size_t join_operators(char *s, size_t len)
{
    size_t start = 0; /* of the current token */
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ')
            continue;
        int ops = i > start;
        for (size_t j = start; j < i && ops; j++)
            ops = op_char(s[j]);
        int join = 0;
        if (ops && i + 1 < len && s[i + 1] != ' ') {
            char last = s[i - 1];
            size_t k = i + 1;
            while (k < len && (s[k] == 'v' || s[k] == '='))
                k++;
            int version_next = k < len && (isdigit((unsigned char)s[k]) || s[k] == 'x' || s[k] == 'X' || s[k] == '*');
            int double_eq = last == '=' && i - start >= 2 && s[i - 2] == '=';
            join = last == '~' || last == '^' || (last == '>' && i - start >= 2 && s[i - 2] == '~') ||
                   ((last == '<' || last == '>' || last == '=') && !double_eq && version_next);
        }
        if (join) {
            memmove(s + i, s + i + 1, len - i - 1);
            len--;
            i--; /* look at the same position again: the token goes on */
        } else {
            start = i + 1;
        }
    }
    return len;
}

/* splits [s, s+len) on spaces into tok (room for len/2+1) */
static size_t split_tokens(const char *s, size_t len, token_t *tok)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t start = i;
        while (i < len && s[i] != ' ')
            i++;
        if (i > start) {
            tok[n].s = s + start;
            tok[n++].len = i - start;
        }
        i++;
    }
    return n;
}

/* parses the alternative [s, s+len) (in r->text, build metadata stripped)
 * into a new set of r; s is rewritten in place */
static int parse_set(npm_range_t *r, char *s, size_t len, char *err, size_t errlen)
{
    r->sets[r->nsets].first = r->ncmps;
    r->sets[r->nsets].count = 0;
    r->nsets++;

    token_t *tok = malloc((len / 2 + 1) * sizeof(*tok));
    if (!tok) {
        set_err(err, errlen, "range: out of memory");
        return -1;
    }
    size_t ntok = split_tokens(s, len, tok);
    int rc = 0;
    /* node-semver's hyphen range: "A - B"; where stripped build metadata
     * left two spaces, its expression still takes them at the start and
     * after the '-', not before it nor at the end */
    if (ntok == 3 && tok[1].len == 1 && tok[1].s[0] == '-' && tok[0].s + tok[0].len + 1 == tok[1].s &&
        (size_t)(s + len - (tok[2].s + tok[2].len)) <= 1) {
        rc = parse_hyphen(r, &tok[0], &tok[2], err, errlen);
    } else {
        len = join_operators(s, len);
        ntok = split_tokens(s, len, tok);
        for (size_t i = 0; i < ntok && rc == 0; i++) {
            if (tok[i].len == 1 && tok[i].s[0] == '-')
                rc = fail_tok(err, errlen, &tok[i],
                              "a hyphen range is \"A - B\", one plain version on each side and nothing else");
            else
                rc = parse_comparator(r, &tok[i], err, errlen);
        }
    }
    free(tok);
    if (rc == 0 && r->sets[r->nsets - 1].count == 0) { /* an empty alternative: "*" */
        comparator_t any = {OP_ANY, ver(0, 0, 0)};
        rc = append(r, any);
    }
    return rc;
}

static int set_is_any(const npm_range_t *r, const cmp_set_t *set)
{
    for (size_t i = 0; i < set->count; i++)
        if (r->cmps[set->first + i].op != OP_ANY)
            return 0;
    return 1;
}

void npm_range_free(npm_range_t *r)
{
    if (!r)
        return;
    free(r->text);
    free(r->cmps);
    free(r);
}

int npm_range_parse(const char *spec, npm_range_t **out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (out)
        *out = NULL;
    if (!spec || !out) {
        set_err(err, errlen, "range: none given");
        return -1;
    }
    size_t len = strnlen(spec, SPEC_MAX + 1);
    if (len > SPEC_MAX) {
        set_err(err, errlen, "range: longer than 1024 bytes");
        return -1;
    }
    size_t alternatives = 1;
    for (size_t i = 0; i + 1 < len; i++)
        if (spec[i] == '|' && spec[i + 1] == '|')
            alternatives++, i++;
    if (alternatives > SETS_MAX) {
        set_err(err, errlen, "range: more than 64 alternatives (||)");
        return -1;
    }

    npm_range_t *r = calloc(1, sizeof(*r));
    if (!r || !(r->text = malloc(len + 1))) {
        free(r);
        set_err(err, errlen, "range: out of memory");
        return -1;
    }
    /* tokens are whitespace-separated, so an alternative of n bytes has at
     * most n/2+1 of them, each giving at most two comparators */
    r->cap = len + 2 * alternatives + 2;
    r->cmps = malloc(r->cap * sizeof(*r->cmps));
    if (!r->cmps) {
        npm_range_free(r);
        set_err(err, errlen, "range: out of memory");
        return -1;
    }

    /* each alternative, build metadata stripped, goes into r->text (the
     * prereleases of its comparators point there), NUL after each */
    const char *s = spec, *end = spec + len;
    size_t at = 0;
    for (;;) {
        const char *bar = s;
        while (bar + 1 < end && !(bar[0] == '|' && bar[1] == '|'))
            bar++;
        if (bar + 1 >= end)
            bar = end;
        /* as node-semver: whitespace collapsed, then build metadata stripped
         * (which may leave two spaces side by side) */
        char *set = r->text + at;
        memcpy(set, s, (size_t)(bar - s));
        size_t n = strip_build(set, collapse_space(set, (size_t)(bar - s)), set);
        r->text[at + n] = '\0';
        if (parse_set(r, set, n, err, errlen)) {
            if (err && errlen && !err[0])
                set_err(err, errlen, "range: out of memory");
            npm_range_free(r);
            return -1;
        }
        at += n + 1;
        if (bar == end)
            break;
        s = bar + 2;
    }

    /* as node-semver does: among several alternatives, one that is "*"
     * alone makes the whole range "*" (so "* || 1.2.3-rc.1" refuses 1.2.3-rc.1) */
    if (r->nsets > 1) {
        for (size_t i = 0; i < r->nsets; i++) {
            if (set_is_any(r, &r->sets[i])) {
                r->sets[0] = r->sets[i];
                r->nsets = 1;
                break;
            }
        }
    }
    *out = r;
    return 0;
}

static int cmp_test(const comparator_t *c, const semver_t *v)
{
    if (c->op == OP_ANY)
        return 1;
    int d = semver_compare(v, &c->v);
    switch (c->op) {
    case OP_EQ:
        return d == 0;
    case OP_LT:
        return d < 0;
    case OP_LE:
        return d <= 0;
    case OP_GT:
        return d > 0;
    case OP_GE:
        return d >= 0;
    case OP_ANY:
        break;
    }
    return 1;
}

/* every comparator holds; a prerelease only where some comparator names a
 * prerelease of the same major.minor.patch */
static int set_test(const npm_range_t *r, const cmp_set_t *set, const semver_t *v)
{
    const comparator_t *c = r->cmps + set->first;
    for (size_t i = 0; i < set->count; i++)
        if (!cmp_test(&c[i], v))
            return 0;
    if (!semver_is_prerelease(v))
        return 1;
    for (size_t i = 0; i < set->count; i++)
        if (c[i].op != OP_ANY && semver_is_prerelease(&c[i].v) && c[i].v.major == v->major &&
            c[i].v.minor == v->minor && c[i].v.patch == v->patch)
            return 1;
    return 0;
}

static int satisfies(const npm_range_t *r, const semver_t *v)
{
    for (size_t i = 0; i < r->nsets; i++)
        if (set_test(r, &r->sets[i], v))
            return 1;
    return 0;
}

int npm_range_test(const npm_range_t *r, const char *version)
{
    semver_t v;
    if (!r || !version || semver_parse(version, &v) != 0)
        return 0;
    return satisfies(r, &v);
}

long npm_range_max_satisfying(const npm_range_t *r, const char *const *versions, size_t n)
{
    long best = -1;
    semver_t bv;
    if (!r || !versions)
        return -1;
    for (size_t i = 0; i < n; i++) {
        semver_t v;
        if (!versions[i] || semver_parse(versions[i], &v) != 0 || !satisfies(r, &v))
            continue;
        if (best < 0 || semver_compare(&v, &bv) > 0) { /* the first of equals stays */
            best = (long)i;
            bv = v;
        }
    }
    return best;
}

/* ---- dependency specs ---- */

static int prefix_ci(const char *s, size_t n, const char *pre)
{
    size_t k = strlen(pre);
    return n >= k && strncasecmp(s, pre, k) == 0;
}

static int suffix_ci(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

static int contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

/* git, hosted git, URLs, local paths and tarballs, workspaces, links … */
static int not_registry(const char *s, size_t n)
{
    const char *const prefixes[] = {"git+", "git:", "github:", "gitlab:", "bitbucket:", "gist:",
                                    "file:", "link:", "workspace:", "portal:", "patch:", "http:",
                                    "https:", "/", "./", "../", "~/"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (prefix_ci(s, n, prefixes[i]))
            return 1;
    if (n == 1 && s[0] == '.')
        return 1;
    if (n == 2 && s[0] == '.' && s[1] == '.')
        return 1;
    /* "user/repo" (a github shorthand) or a path: no range has a '/' */
    if (memchr(s, '/', n) || contains(s, n, "://"))
        return 1;
    /* a tarball file, as npm reads "x.tgz" (even "1.2.3-a.tgz") */
    return suffix_ci(s, n, ".tgz") || suffix_ci(s, n, ".tar.gz") || suffix_ci(s, n, ".tar");
}

/* a dist-tag name: characters a URI component keeps as they are, not
 * starting like a version (a digit, or 'v' and a digit) */
static int tag_ok(const char *s, size_t n)
{
    if (n == 0 || isdigit((unsigned char)s[0]) || (n > 1 && s[0] == 'v' && isdigit((unsigned char)s[1])))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-_.!~*'()", s[i]))
            return 0;
    return 1;
}

static int put(char *dst, size_t dstlen, const char *s, size_t n)
{
    if (!dst || n >= dstlen)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* RANGE, TAG or OTHER for a spec that is not an alias; range written for the first two */
static npm_spec_kind_t classify_plain(const char *s, size_t n, char *range, size_t rangelen)
{
    if (not_registry(s, n) || n > SPEC_MAX)
        return NPM_SPEC_OTHER;
    char buf[SPEC_MAX + 1];
    memcpy(buf, s, n);
    buf[n] = '\0';
    npm_range_t *r = NULL;
    npm_spec_kind_t kind = NPM_SPEC_OTHER;
    if (npm_range_parse(buf, &r, NULL, 0) == 0)
        kind = NPM_SPEC_RANGE;
    else if (tag_ok(s, n))
        kind = NPM_SPEC_TAG;
    npm_range_free(r);
    if (kind != NPM_SPEC_OTHER && put(range, rangelen, s, n) != 0)
        return NPM_SPEC_OTHER;
    return kind;
}

npm_spec_kind_t npm_spec_classify(const char *spec, char *name, size_t namelen, char *range, size_t rangelen)
{
    if (name && namelen)
        name[0] = '\0';
    if (range && rangelen)
        range[0] = '\0';
    if (!spec)
        return NPM_SPEC_OTHER;
    const char *s = spec;
    size_t n = strlen(s);
    while (n && is_space(s[0]))
        s++, n--;
    while (n && is_space(s[n - 1]))
        n--;

    if (!prefix_ci(s, n, "npm:"))
        return classify_plain(s, n, range, rangelen);

    /* "npm:name@range", "npm:@scope/name@range", "npm:name" */
    const char *a = s + 4;
    size_t alen = n - 4;
    const char *at = alen > 1 ? memchr(a + 1, '@', alen - 1) : NULL;
    size_t nlen = at ? (size_t)(at - a) : alen;
    const char *sub = at ? at + 1 : "*";
    size_t sublen = at ? alen - nlen - 1 : 1;
    while (sublen && is_space(sub[0]))
        sub++, sublen--;
    if (sublen == 0)
        sub = "*", sublen = 1;
    if (!npm_name_valid(a, nlen))
        return NPM_SPEC_OTHER;
    npm_spec_kind_t kind = classify_plain(sub, sublen, range, rangelen);
    if (kind == NPM_SPEC_OTHER || put(name, namelen, a, nlen) != 0) {
        if (range && rangelen)
            range[0] = '\0';
        return NPM_SPEC_OTHER;
    }
    return NPM_SPEC_ALIAS;
}
