/* pep508: see the header. It owns three small readers over bounded text,
 * each working on a trimmed, NUL-terminated copy of its input:
 *  - the specifier set, checked and matched clause by clause (nothing is
 *    stored, so a long set costs no memory);
 *  - the marker expression, a recursive descent ("or" over "and" over
 *    comparisons and parenthesised markers) evaluated as it is read, or
 *    only checked when a requirement line is parsed (so "~=" between two
 *    strings passes pep508_parse and fails pep508_marker_eval); every
 *    operand is evaluated, without short cuts, so a marker that is
 *    malformed anywhere is refused whatever the environment;
 *  - the requirement line, which hands its version clauses and marker to
 *    the two above.
 * The Requires-Dist reader walks a document's header block once.
 *
 * Choices where the specifications leave room:
 *  - comparisons of an operand with a marker variable follow PEP 508: the
 *    right side with the operator as a PEP 440 clause ("==3.*" counts)
 *    and the left side as a version, else Python's string comparison;
 *    "~=" without versions is an error, "===" is case-insensitive string
 *    equality; "extra" compares PEP 685-normalised strings, and no
 *    requested extra is the empty string;
 *  - the legacy variable spellings pip still accepts (os.name,
 *    sys.platform, platform.version, platform.machine,
 *    platform.python_implementation, python_implementation) are read;
 *  - "<V" refuses pre-releases of V's release and ">V" post-releases and
 *    local versions of it (unless V is itself one), as pip does;
 *  - an empty specifier set matches every version; an empty clause
 *    (">=1,,<2", a trailing comma) is malformed, so are "name ()" and a
 *    URL without a scheme;
 *  - a NULL environment is pep508_env_default's; a NULL variable in it
 *    is the empty string;
 *  - control bytes (other than tab) are refused everywhere; a NUL inside a
 *    Requires-Dist value, which would end the C string early, is handed on
 *    as 0x1A so that the value still fails to parse;
 *  - the Requires-Dist reader ends the header block at a blank line or at
 *    the first line that is neither a header ("Name:") nor a continuation,
 *    as Python's email parser does; it also answers -1 when memory runs
 *    out. */
#include "ecosystems/pypi/pep508.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecosystems/pypi/pep440.h"

#define INPUT_MAX 4096
#define DEPTH_MAX 32
#define CLAUSE_MAX 256 /* the longest version text of one clause, plus one */

enum { OP_NONE, OP_EQ, OP_NE, OP_LE, OP_GE, OP_LT, OP_GT, OP_COMPAT, OP_ARB, OP_IN, OP_NOT_IN };

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int is_wsp(int c) { return c == ' ' || c == '\t'; }
static int is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int is_alnum(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
static int is_punct(int c) { return c == '-' || c == '_' || c == '.'; }
static int is_control(int c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static const char *skip_wsp(const char *s)
{
    while (is_wsp(*s))
        s++;
    return s;
}

/* copies s without its surrounding white space into buf (INPUT_MAX + 1
 * bytes); -1 when s is longer than INPUT_MAX or holds a control byte */
static int trimmed_copy(const char *s, char *buf, const char *what, char *err, size_t errlen)
{
    size_t n = strnlen(s, INPUT_MAX + 1);
    if (n > INPUT_MAX) {
        set_err(err, errlen, "%s longer than %d bytes", what, INPUT_MAX);
        return -1;
    }
    while (n && is_space((unsigned char)*s))
        s++, n--;
    while (n && is_space((unsigned char)s[n - 1]))
        n--;
    for (size_t i = 0; i < n; i++)
        if (is_control((unsigned char)s[i])) {
            set_err(err, errlen, "%s has a control character at offset %zu", what, i);
            return -1;
        }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return 0;
}

/* PEP 503 / PEP 685: lower case, runs of '-', '_', '.' as one '-'; out
 * holds at least n + 1 bytes */
static void normalize(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_punct(s[i])) {
            if (o == 0 || out[o - 1] != '-')
                out[o++] = '-';
        } else {
            out[o++] = lower(s[i]);
        }
    }
    out[o] = '\0';
}

/* ---- version specifiers ---- */

/* the version operator at the start of s[0..n), its length (0: none) */
static size_t read_version_op(const char *s, size_t n, int *op)
{
    static const struct {
        const char *text;
        int op;
    } ops[] = {{"===", OP_ARB}, {"==", OP_EQ}, {"~=", OP_COMPAT}, {"!=", OP_NE}, {"<=", OP_LE},
               {">=", OP_GE},   {"<", OP_LT},  {">", OP_GT}};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t k = strlen(ops[i].text);
        if (n >= k && memcmp(s, ops[i].text, k) == 0) {
            *op = ops[i].op;
            return k;
        }
    }
    *op = OP_NONE;
    return 0;
}

typedef struct clause {
    int op;
    int wildcard;          /* "==X.*" or "!=X.*": v holds X */
    int v_ok;              /* v parsed (always, except for "===" on a non-version) */
    pep440_t v;
    char text[CLAUSE_MAX]; /* the version as written, for "===" */
} clause_t;

/* 0 when op with the version text s[0..n) (white space around allowed)
 * is a valid PEP 440 clause, described in c */
static int clause_parse(int op, const char *s, size_t n, clause_t *c)
{
    memset(c, 0, sizeof(*c));
    c->op = op;
    while (n && is_wsp(*s))
        s++, n--;
    while (n && is_wsp(s[n - 1]))
        n--;
    if (n == 0 || n >= CLAUSE_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return -1;
    memcpy(c->text, s, n);
    c->text[n] = '\0';
    if (op == OP_ARB) {
        c->v_ok = pep440_parse(c->text, &c->v) == 0;
        return 0;
    }
    if ((op == OP_EQ || op == OP_NE) && n >= 2 && s[n - 2] == '.' && s[n - 1] == '*') {
        char base[CLAUSE_MAX];
        memcpy(base, s, n - 2);
        base[n - 2] = '\0';
        c->wildcard = 1;
        /* only a release (and epoch) may carry the wildcard */
        if (pep440_parse(base, &c->v) != 0 || c->v.pre_kind || c->v.has_post || c->v.has_dev || c->v.local[0])
            return -1;
    } else {
        if (pep440_parse(c->text, &c->v) != 0)
            return -1;
        /* local versions only with == and != */
        if (c->v.local[0] && op != OP_EQ && op != OP_NE)
            return -1;
        if (op == OP_COMPAT && c->v.nrelease < 2)
            return -1;
    }
    c->v_ok = 1;
    return 0;
}

static int cmp_public(const pep440_t *v, const pep440_t *spec)
{
    pep440_t p = *v;
    p.local[0] = '\0';
    return pep440_compare(&p, spec);
}

/* epoch and release equal (trailing zeros aside) */
static int same_release(const pep440_t *a, const pep440_t *b)
{
    pep440_t x, y;
    memset(&x, 0, sizeof(x));
    memset(&y, 0, sizeof(y));
    x.epoch = a->epoch;
    y.epoch = b->epoch;
    x.nrelease = a->nrelease;
    y.nrelease = b->nrelease;
    memcpy(x.release, a->release, sizeof(x.release));
    memcpy(y.release, b->release, sizeof(y.release));
    return pep440_compare(&x, &y) == 0;
}

/* v's epoch is spec's and its release, padded with zeros, starts with
 * spec's first n release numbers */
static int prefix_match(const pep440_t *v, const pep440_t *spec, int n)
{
    if (v->epoch != spec->epoch)
        return 0;
    for (int i = 0; i < n; i++) {
        uint64_t x = i < v->nrelease ? v->release[i] : 0;
        if (x != spec->release[i])
            return 0;
    }
    return 1;
}

/* the clause alone admits v (vtext: v as written, for "===") */
static int clause_match(const clause_t *c, const pep440_t *v, const char *vtext)
{
    const pep440_t *s = &c->v;
    switch (c->op) {
    case OP_ARB:
        return strcasecmp(vtext, c->text) == 0;
    case OP_EQ:
    case OP_NE: {
        int eq;
        if (c->wildcard)
            eq = prefix_match(v, s, s->nrelease);
        else if (s->local[0])
            eq = pep440_compare(v, s) == 0;
        else /* no local label: any local of the public version matches */
            eq = cmp_public(v, s) == 0;
        return c->op == OP_EQ ? eq : !eq;
    }
    case OP_LE:
        return cmp_public(v, s) <= 0;
    case OP_GE:
        return cmp_public(v, s) >= 0;
    case OP_LT:
        if (pep440_compare(v, s) >= 0)
            return 0;
        /* "<3.1" admits no pre-release of 3.1 */
        return pep440_is_prerelease(s) || !pep440_is_prerelease(v) || !same_release(v, s);
    case OP_GT:
        if (pep440_compare(v, s) <= 0)
            return 0;
        /* ">3.1" admits neither a post-release nor a local version of 3.1 */
        if (!s->has_post && v->has_post && same_release(v, s))
            return 0;
        return !v->local[0] || !same_release(v, s);
    case OP_COMPAT:
        return cmp_public(v, s) >= 0 && prefix_match(v, s, s->nrelease - 1);
    }
    return 0;
}

int pep440_specifier_match(const char *spec, const char *version, int prereleases)
{
    if (spec == NULL || version == NULL)
        return -1;
    char vtext[INPUT_MAX + 1];
    if (trimmed_copy(version, vtext, "version", NULL, 0) != 0)
        return -1;
    pep440_t v;
    int v_ok = vtext[0] && pep440_parse(vtext, &v) == 0;
    if (!v_ok)
        memset(&v, 0, sizeof(v));
    size_t sn = strnlen(spec, INPUT_MAX + 1);
    if (sn > INPUT_MAX)
        return -1;
    const char *p = spec, *end = spec + sn;
    while (p < end && is_space((unsigned char)*p))
        p++;
    while (end > p && is_space((unsigned char)end[-1]))
        end--;
    int all = 1, needs_version = 0, names_pre = 0, nclauses = 0;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        while (p < stop && is_wsp(*p))
            p++;
        int op;
        size_t k = read_version_op(p, (size_t)(stop - p), &op);
        clause_t c;
        if (k == 0 || clause_parse(op, p + k, (size_t)(stop - p) - k, &c) != 0)
            return -1;
        nclauses++;
        if (op != OP_ARB)
            needs_version = 1;
        if (op != OP_NE && c.v_ok && pep440_is_prerelease(&c.v))
            names_pre = 1;
        if ((v_ok || op == OP_ARB) && !clause_match(&c, &v, vtext))
            all = 0;
        if (comma == NULL)
            break;
        p = comma + 1;
        if (p == end) /* a trailing comma */
            return -1;
    }
    /* only "===" clauses can judge a string that is no version */
    if (!v_ok && (needs_version || nclauses == 0))
        return -1;
    if (v_ok && pep440_is_prerelease(&v) && !prereleases && !names_pre)
        return 0;
    return all;
}

/* ---- environment markers ---- */

enum {
    VAR_PYTHON_VERSION,
    VAR_PYTHON_FULL_VERSION,
    VAR_OS_NAME,
    VAR_SYS_PLATFORM,
    VAR_PLATFORM_SYSTEM,
    VAR_PLATFORM_MACHINE,
    VAR_PLATFORM_RELEASE,
    VAR_PLATFORM_VERSION,
    VAR_PLATFORM_PYTHON_IMPLEMENTATION,
    VAR_IMPLEMENTATION_NAME,
    VAR_IMPLEMENTATION_VERSION,
    VAR_EXTRA,
};

/* the variable named s[0..n), -1 when none is */
static int var_lookup(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int var;
    } vars[] = {
        {"python_version", VAR_PYTHON_VERSION},
        {"python_full_version", VAR_PYTHON_FULL_VERSION},
        {"os_name", VAR_OS_NAME},
        {"sys_platform", VAR_SYS_PLATFORM},
        {"platform_system", VAR_PLATFORM_SYSTEM},
        {"platform_machine", VAR_PLATFORM_MACHINE},
        {"platform_release", VAR_PLATFORM_RELEASE},
        {"platform_version", VAR_PLATFORM_VERSION},
        {"platform_python_implementation", VAR_PLATFORM_PYTHON_IMPLEMENTATION},
        {"implementation_name", VAR_IMPLEMENTATION_NAME},
        {"implementation_version", VAR_IMPLEMENTATION_VERSION},
        {"extra", VAR_EXTRA},
        /* the older spellings */
        {"os.name", VAR_OS_NAME},
        {"sys.platform", VAR_SYS_PLATFORM},
        {"platform.version", VAR_PLATFORM_VERSION},
        {"platform.machine", VAR_PLATFORM_MACHINE},
        {"platform.python_implementation", VAR_PLATFORM_PYTHON_IMPLEMENTATION},
        {"python_implementation", VAR_PLATFORM_PYTHON_IMPLEMENTATION},
    };
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        if (strlen(vars[i].name) == n && memcmp(vars[i].name, s, n) == 0)
            return vars[i].var;
    return -1;
}

static const char *env_value(const pep508_env_t *e, int var)
{
    const char *v = NULL;
    switch (var) {
    case VAR_PYTHON_VERSION: v = e->python_version; break;
    case VAR_PYTHON_FULL_VERSION: v = e->python_full_version; break;
    case VAR_OS_NAME: v = e->os_name; break;
    case VAR_SYS_PLATFORM: v = e->sys_platform; break;
    case VAR_PLATFORM_SYSTEM: v = e->platform_system; break;
    case VAR_PLATFORM_MACHINE: v = e->platform_machine; break;
    case VAR_PLATFORM_RELEASE: v = e->platform_release; break;
    case VAR_PLATFORM_VERSION: v = e->platform_version; break;
    case VAR_PLATFORM_PYTHON_IMPLEMENTATION: v = e->platform_python_implementation; break;
    case VAR_IMPLEMENTATION_NAME: v = e->implementation_name; break;
    case VAR_IMPLEMENTATION_VERSION: v = e->implementation_version; break;
    case VAR_EXTRA: v = e->extra; break;
    }
    return v ? v : "";
}

void pep508_env_default(pep508_env_t *env)
{
    memset(env, 0, sizeof(*env));
    env->python_version = "3.11";
    env->python_full_version = "3.11.0";
    env->os_name = "posix";
    env->sys_platform = "linux";
    env->platform_system = "Linux";
    env->platform_machine = "x86_64";
    env->platform_release = "";
    env->platform_version = "";
    env->platform_python_implementation = "CPython";
    env->implementation_name = "cpython";
    env->implementation_version = "3.11.0";
    env->extra = NULL;
}

/* one side of a comparison: a quoted string of the marker or an
 * environment value (not terminated) */
typedef struct mval {
    const char *s;
    size_t n;
    int is_extra;
} mval_t;

typedef struct mparser {
    const char *base;         /* the marker text, for offsets in errors */
    const char *p;            /* the cursor */
    const pep508_env_t *env;  /* NULL: the syntax is only checked */
    int depth;
    char *err;
    size_t errlen;
} mparser_t;

__attribute__((format(printf, 2, 3))) static int m_fail(mparser_t *m, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    set_err(m->err, m->errlen, "marker: %s at offset %zu", what, (size_t)(m->p - m->base));
    return -1;
}

static int is_var_char(int c) { return is_alnum(c) || c == '_' || c == '.'; }

/* the word w as a whole token after optional white space: consumed */
static int m_keyword(mparser_t *m, const char *w)
{
    const char *q = skip_wsp(m->p);
    size_t n = strlen(w);
    if (strncmp(q, w, n) != 0 || is_var_char((unsigned char)q[n]))
        return 0;
    m->p = q + n;
    return 1;
}

static int m_value(mparser_t *m, mval_t *v)
{
    memset(v, 0, sizeof(*v));
    m->p = skip_wsp(m->p);
    const char *p = m->p;
    if (*p == '\'' || *p == '"') {
        const char *close = strchr(p + 1, *p);
        if (close == NULL)
            return m_fail(m, "unterminated string");
        v->s = p + 1;
        v->n = (size_t)(close - p - 1);
        m->p = close + 1;
        return 0;
    }
    size_t n = 0;
    while (is_var_char((unsigned char)p[n]))
        n++;
    if (n == 0)
        return m_fail(m, "expected a marker variable or a quoted string");
    int var = var_lookup(p, n);
    if (var < 0)
        return m_fail(m, "unknown marker variable '%.*s'", n > 40 ? 40 : (int)n, p);
    v->is_extra = var == VAR_EXTRA;
    if (m->env) {
        v->s = env_value(m->env, var);
        v->n = strnlen(v->s, INPUT_MAX + 1);
        if (v->n > INPUT_MAX)
            return m_fail(m, "the value of %.*s is longer than %d bytes", (int)n, p, INPUT_MAX);
    }
    m->p = p + n;
    return 0;
}

static int m_op(mparser_t *m, int *op)
{
    m->p = skip_wsp(m->p);
    size_t k = read_version_op(m->p, strnlen(m->p, 3), op);
    if (k) {
        m->p += k;
        return 0;
    }
    if (m_keyword(m, "in")) {
        *op = OP_IN;
        return 0;
    }
    if (m_keyword(m, "not")) {
        if (!is_wsp(*m->p) || !m_keyword(m, "in"))
            return m_fail(m, "expected 'in' after 'not'");
        *op = OP_NOT_IN;
        return 0;
    }
    return m_fail(m, "expected a marker operator");
}

static int m_compare(mparser_t *m, int op, const mval_t *l, const mval_t *r)
{
    char a[INPUT_MAX + 1], b[INPUT_MAX + 1];
    int extra = l->is_extra || r->is_extra;
    if (extra) {
        normalize(l->s, l->n, a);
        normalize(r->s, r->n, b);
    } else {
        memcpy(a, l->s, l->n);
        a[l->n] = '\0';
        memcpy(b, r->s, r->n);
        b[r->n] = '\0';
    }
    switch (op) {
    case OP_IN:
        return strstr(b, a) != NULL;
    case OP_NOT_IN:
        return strstr(b, a) == NULL;
    case OP_ARB:
        return strcasecmp(a, b) == 0;
    }
    if (!extra) {
        /* the right side as a clause, the left as the candidate version */
        clause_t c;
        pep440_t v;
        if (clause_parse(op, b, strlen(b), &c) == 0 && a[0] && pep440_parse(a, &v) == 0)
            return clause_match(&c, &v, a);
    }
    int d = strcmp(a, b);
    switch (op) {
    case OP_EQ: return d == 0;
    case OP_NE: return d != 0;
    case OP_LT: return d < 0;
    case OP_LE: return d <= 0;
    case OP_GT: return d > 0;
    case OP_GE: return d >= 0;
    }
    return m_fail(m, "'~=' needs a version on both sides");
}

static int m_or(mparser_t *m);

/* a comparison or a parenthesised marker */
static int m_expr(mparser_t *m)
{
    m->p = skip_wsp(m->p);
    if (*m->p == '(') {
        if (m->depth == DEPTH_MAX)
            return m_fail(m, "parentheses nested deeper than %d", DEPTH_MAX);
        m->depth++;
        m->p++;
        int v = m_or(m);
        if (v < 0)
            return -1;
        m->p = skip_wsp(m->p);
        if (*m->p != ')')
            return m_fail(m, "expected ')'");
        m->p++;
        m->depth--;
        return v;
    }
    mval_t l, r;
    int op;
    if (m_value(m, &l) != 0 || m_op(m, &op) != 0 || m_value(m, &r) != 0)
        return -1;
    return m->env ? m_compare(m, op, &l, &r) : 0;
}

static int m_and(mparser_t *m)
{
    int v = m_expr(m);
    while (v >= 0 && m_keyword(m, "and")) {
        int r = m_expr(m);
        v = r < 0 ? -1 : (v && r);
    }
    return v;
}

static int m_or(mparser_t *m)
{
    int v = m_and(m);
    while (v >= 0 && m_keyword(m, "or")) {
        int r = m_and(m);
        v = r < 0 ? -1 : (v || r);
    }
    return v;
}

/* evaluates marker (env NULL: checks it only, answering 0) */
static int marker_run(const char *marker, const pep508_env_t *env, char *err, size_t errlen)
{
    char buf[INPUT_MAX + 1];
    if (marker == NULL) {
        set_err(err, errlen, "marker: none given");
        return -1;
    }
    if (trimmed_copy(marker, buf, "marker", err, errlen) != 0)
        return -1;
    mparser_t m = {.base = buf, .p = buf, .env = env, .depth = 0, .err = err, .errlen = errlen};
    if (buf[0] == '\0')
        return m_fail(&m, "empty");
    int v = m_or(&m);
    if (v < 0)
        return -1;
    m.p = skip_wsp(m.p);
    if (*m.p)
        return (unsigned char)*m.p < 0x80 ? m_fail(&m, "unexpected '%c'", *m.p)
                                          : m_fail(&m, "unexpected byte 0x%02x", (unsigned char)*m.p);
    return v;
}

int pep508_marker_eval(const char *marker, const pep508_env_t *env, char *err, size_t errlen)
{
    pep508_env_t def;
    if (env == NULL) {
        pep508_env_default(&def);
        env = &def;
    }
    return marker_run(marker, env, err, errlen);
}

/* ---- requirement lines ---- */

/* the length of the identifier at s (PEP 508: letters and digits, with
 * '-', '_', '.' only between them); 0 when there is none, and *bad_end
 * set when the run ends in punctuation */
static size_t ident_len(const char *s, int *bad_end)
{
    *bad_end = 0;
    if (!is_alnum((unsigned char)*s))
        return 0;
    size_t n = 1;
    while (is_alnum((unsigned char)s[n]) || is_punct(s[n]))
        n++;
    if (is_punct(s[n - 1]))
        *bad_end = 1;
    return n;
}

/* "[a, b]" at p into r->extras as "a,b"; the position after ']', NULL on error */
static const char *parse_extras(const char *p, const char *base, pep508_req_t *r, char *err, size_t errlen)
{
    size_t o = 0;
    p = skip_wsp(p + 1);
    if (*p == ']')
        return p + 1;
    for (;;) {
        int bad_end;
        size_t k = ident_len(p, &bad_end);
        if (k == 0 || bad_end) {
            set_err(err, errlen, "expected an extra name at offset %zu", (size_t)(p - base));
            return NULL;
        }
        if (o + (o > 0) + k >= sizeof(r->extras)) {
            set_err(err, errlen, "extras longer than %zu bytes", sizeof(r->extras) - 1);
            return NULL;
        }
        if (o > 0)
            r->extras[o++] = ',';
        memcpy(r->extras + o, p, k);
        o += k;
        r->extras[o] = '\0';
        p = skip_wsp(p + k);
        if (*p == ']')
            return p + 1;
        if (*p != ',') {
            set_err(err, errlen, "expected ',' or ']' in the extras at offset %zu", (size_t)(p - base));
            return NULL;
        }
        p = skip_wsp(p + 1);
    }
}

/* one or more comma-separated clauses at p, appended to spec (which has
 * room for the rest of the line) without white space; the position after
 * the last, NULL on error */
static const char *parse_clauses(const char *p, const char *base, char *spec, char *err, size_t errlen)
{
    size_t o = 0;
    for (;;) {
        p = skip_wsp(p);
        int op;
        size_t k = read_version_op(p, strnlen(p, 3), &op);
        if (k == 0) {
            set_err(err, errlen, "expected a version operator at offset %zu", (size_t)(p - base));
            return NULL;
        }
        const char *v = skip_wsp(p + k);
        const char *e = v;
        while (*e && !is_wsp(*e) && *e != ',' && *e != ';' && *e != '(' && *e != ')')
            e++;
        clause_t c;
        if (e == v || clause_parse(op, v, (size_t)(e - v), &c) != 0) {
            set_err(err, errlen, "invalid version '%.*s' after '%.*s' at offset %zu", e - v > 40 ? 40 : (int)(e - v), v,
                    (int)k, p, (size_t)(v - base));
            return NULL;
        }
        memcpy(spec + o, p, k);
        o += k;
        memcpy(spec + o, v, (size_t)(e - v));
        o += (size_t)(e - v);
        spec[o] = '\0';
        p = skip_wsp(e);
        if (*p != ',')
            return p;
        spec[o++] = ',';
        p++;
    }
}

/* a URL scheme (RFC 3986: a letter, then letters, digits, '+', '-', '.')
 * followed by ':' and something */
static int has_scheme(const char *u, size_t n)
{
    if (n == 0 || !((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
        return 0;
    size_t i = 1;
    while (i < n && (is_alnum((unsigned char)u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.'))
        i++;
    return i + 1 < n && u[i] == ':';
}

void pep508_req_free(pep508_req_t *r)
{
    if (r == NULL)
        return;
    free(r->specifier);
    free(r->url);
    free(r->marker);
    r->specifier = r->url = r->marker = NULL;
}

int pep508_parse(const char *line, pep508_req_t *out, char *err, size_t errlen)
{
    char buf[INPUT_MAX + 1];
    memset(out, 0, sizeof(*out));
    if (line == NULL) {
        set_err(err, errlen, "no requirement given");
        return -1;
    }
    if (trimmed_copy(line, buf, "requirement", err, errlen) != 0)
        return -1;
    const char *p = buf;
    int bad_end, op;
    size_t k = ident_len(p, &bad_end);
    if (k == 0) {
        set_err(err, errlen, buf[0] ? "expected a project name at offset 0" : "empty requirement");
        return -1;
    }
    if (bad_end) {
        set_err(err, errlen, "a project name must end with a letter or digit (offset %zu)", k - 1);
        return -1;
    }
    if (k >= sizeof(out->name)) {
        set_err(err, errlen, "project name longer than %zu bytes", sizeof(out->name) - 1);
        return -1;
    }
    memcpy(out->name, p, k);
    out->name[k] = '\0';
    normalize(p, k, out->normalized);
    p = skip_wsp(p + k);
    if (*p == '[') {
        p = parse_extras(p, buf, out, err, errlen);
        if (p == NULL)
            goto fail;
        p = skip_wsp(p);
    }
    if (*p == '@') {
        const char *u = skip_wsp(p + 1), *e = u;
        while (*e && !is_wsp(*e))
            e++;
        if (!has_scheme(u, (size_t)(e - u))) {
            set_err(err, errlen, "expected a URL with a scheme after '@' at offset %zu", (size_t)(u - buf));
            goto fail;
        }
        out->url = strndup(u, (size_t)(e - u));
        out->specifier = strdup("");
        if (out->url == NULL || out->specifier == NULL) {
            set_err(err, errlen, "out of memory");
            goto fail;
        }
        /* a ';' that touches the URL is part of it: the marker needs space before it */
        p = skip_wsp(e);
        if (*p && *p != ';') {
            set_err(err, errlen, "expected ';' or the end after the URL at offset %zu", (size_t)(p - buf));
            goto fail;
        }
    } else {
        out->specifier = malloc(strlen(p) + 1);
        if (out->specifier == NULL) {
            set_err(err, errlen, "out of memory");
            goto fail;
        }
        out->specifier[0] = '\0';
        if (*p == '(') {
            p = parse_clauses(p + 1, buf, out->specifier, err, errlen);
            if (p == NULL)
                goto fail;
            if (*p != ')') {
                set_err(err, errlen, "expected ')' at offset %zu", (size_t)(p - buf));
                goto fail;
            }
            p = skip_wsp(p + 1);
        } else if (read_version_op(p, strnlen(p, 3), &op)) {
            p = parse_clauses(p, buf, out->specifier, err, errlen);
            if (p == NULL)
                goto fail;
        }
    }
    if (*p == ';') {
        const char *m = skip_wsp(p + 1);
        if (marker_run(m, NULL, err, errlen) != 0)
            goto fail;
        out->marker = strdup(m);
        if (out->marker == NULL) {
            set_err(err, errlen, "out of memory");
            goto fail;
        }
    } else if (*p) {
        if ((unsigned char)*p < 0x80)
            set_err(err, errlen, "unexpected '%c' at offset %zu", *p, (size_t)(p - buf));
        else
            set_err(err, errlen, "unexpected byte 0x%02x at offset %zu", (unsigned char)*p, (size_t)(p - buf));
        goto fail;
    }
    return 0;
fail:
    pep508_req_free(out);
    memset(out, 0, sizeof(*out));
    return -1;
}

/* ---- Requires-Dist ---- */

/* the line starting at i: its end (before the line break) and the start of the next */
static void line_at(const char *d, size_t len, size_t i, size_t *end, size_t *next)
{
    size_t e = i;
    while (e < len && d[e] != '\n' && d[e] != '\r')
        e++;
    *end = e;
    if (e < len && d[e] == '\r' && e + 1 < len && d[e + 1] == '\n')
        *next = e + 2;
    else
        *next = e < len ? e + 1 : len;
}

/* the length of the field name of the header line s[0..n) ("Name:"), 0
 * when the line is no header */
static size_t field_name(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f && s[i] != ':')
        i++;
    return i > 0 && i < n && s[i] == ':' ? i : 0;
}

int pep508_requires_dist(const char *metadata, size_t len, void (*fn)(const char *value, void *arg), void *arg)
{
    if (metadata == NULL)
        return -1;
    int count = 0, headers = 0;
    size_t i = 0;
    while (i < len) {
        size_t e, next;
        line_at(metadata, len, i, &e, &next);
        size_t n = field_name(metadata + i, e - i);
        if (n == 0) /* the blank line, or the body began without one */
            break;
        headers++;
        /* the continuation lines */
        size_t last = e;
        while (next < len && is_wsp(metadata[next])) {
            size_t ce, cn;
            line_at(metadata, len, next, &ce, &cn);
            last = ce;
            next = cn;
        }
        if (n == 13 && strncasecmp(metadata + i, "Requires-Dist", 13) == 0 && count < INT_MAX) {
            const char *s = metadata + i + n + 1;
            size_t vn = (size_t)(metadata + last - s);
            char *v = malloc(vn + 1);
            if (v == NULL)
                return -1;
            size_t o = 0;
            for (size_t j = 0; j < vn; j++) {
                char c = s[j];
                if (c == '\r' || c == '\n') /* unfolding: the line break goes, the white space stays */
                    continue;
                v[o++] = c == '\0' ? '\x1a' : c;
            }
            while (o > 0 && is_wsp(v[o - 1]))
                o--;
            v[o] = '\0';
            size_t lead = 0;
            while (is_wsp(v[lead]))
                lead++;
            if (fn)
                fn(v + lead, arg);
            free(v);
            count++;
        }
        i = next;
    }
    return headers ? count : -1;
}
