/* pip_lock: requirements.txt as `pip freeze`, `pip-compile
 * --generate-hashes` and `uv pip compile` write it.
 *
 * Lines are joined and stripped the way pip reads them: a line ending in
 * '\' continues on the next one (a whole-line comment never continues), a
 * comment starts at a '#' at the start of the line or after white space,
 * and a line splits into the requirement and its options at the first word
 * starting with '-'. A requirement is `name[extras]==version` (`===` is
 * taken as `==`; spaces around the operator are fine; an environment
 * marker after ';' is checked for shape — not empty, quotes and brackets
 * balanced — and otherwise ignored: every pin is listed whatever platform
 * it is for), followed by `--hash=ALG:HEX` options (same line or
 * continuation lines).
 *
 * Each requirement becomes one entry:
 *   package    the PEP 503 name (extras dropped)
 *   version    as written
 *   integrity  its --hash values, normalised, joined by ' ' ("" when none)
 *   resolved   the package indexes pip would use for this file, as its
 *              options set them — pip applies them to the whole file
 *              wherever they appear: --index-url/-i replaces the list,
 *              --no-index empties it, --extra-index-url appends to it;
 *              --find-links/-f locations follow the index URLs. Several are
 *              joined by ' '; "" when the file names none (pip then uses
 *              its own configuration). The same string on every entry: the
 *              caller compares it with cordon's address to catch files that
 *              send pip elsewhere.
 *   direct     1 — a requirements file lists what pip installs — except
 *              when pip-compile's annotation (`# via …` at the end of the
 *              requirement, or the `# via` comment lines right below it)
 *              names only other packages or constraint files: what `-r
 *              file.in` or the project itself (`name (pyproject.toml)`,
 *              `(setup.py)`, `(setup.cfg)`) asks for stays direct.
 *   dev        0 (requirements files have no such notion)
 *   line       the requirement's first line
 *
 * Errors ("LINE:COL: message"): includes and constraints (-r, -c),
 * editable requirements (-e), anything not pinned with == (ranges,
 * wildcards, several specifiers, direct references `name @ URL`, bare URLs
 * and paths), malformed names, extras, versions, markers or hashes,
 * unknown options, --hash without a requirement, one package pinned to two
 * versions, and a '\' continuation on the last line (a truncated file). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "ecosystems/eco_ids.h"
#include "ecosystems/pypi/pypi_path.h"
#include "core/lock_internal.h"
#include "ecosystems/lock_formats.h"

typedef struct pip_req {
    char *name; /* PEP 503 */
    char *version;
    char *hashes; /* normalised, ' '-joined; "" when none */
    int line;
    int via_seen;    /* a `# via` annotation named something */
    int via_project; /* … and one of the names was -r FILE or the project */
} pip_req_t;

typedef struct pip {
    lock_builder_t *b;
    pip_req_t *reqs;
    size_t n, cap;
    buf_t index;      /* index URLs, each followed by ' ' */
    buf_t find_links; /* the same for --find-links */
    /* the current logical line, and where each of its bytes came from */
    char *buf;
    int *lines, *cols;
    size_t blen;
    int attach; /* the requirement whose trailing comment lines are being read, -1 none */
    int in_via; /* inside a multi-line `# via` list */
} pip_t;

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

static int is_name_char(char c) { return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.'; }

/* fails with LINE:COL of byte off of the logical line */
static int fail_at(pip_t *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_at(pip_t *p, size_t off, const char *fmt, ...)
{
    int line = 0, col = 0;
    if (off < p->blen) {
        line = p->lines[off];
        col = p->cols[off];
    } else if (p->blen > 0) { /* just past the end of the line */
        line = p->lines[p->blen - 1];
        col = p->cols[p->blen - 1] + 1;
    }
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return lock_fail(p->b, line, col, "%s", msg);
}

/* a quoted excerpt of the logical line, for messages */
static const char *excerpt(pip_t *p, size_t off, size_t n, char *out, size_t outlen)
{
    size_t max = outlen - 4, o = 0;
    for (size_t i = 0; i < n && o < max; i++) {
        char c = p->buf[off + i];
        out[o++] = (unsigned char)c < ' ' || c == 0x7f ? '?' : c;
    }
    if (n > max)
        memcpy(out + o, "...", 3), o += 3;
    out[o] = '\0';
    return out;
}

static int not_pinned(pip_t *p, size_t off, size_t n, const char *why)
{
    char ex[120];
    return fail_at(p, off, "'%s' is not pinned with ==%s", excerpt(p, off, n, ex, sizeof(ex)), why);
}

/* ---- pip-compile's `# via` annotations ---- */

static void via_item(pip_t *p, const char *s, size_t n)
{
    while (n > 0 && is_ws(*s))
        s++, n--;
    while (n > 0 && is_ws(s[n - 1]))
        n--;
    if (n == 0 || p->attach < 0)
        return;
    pip_req_t *r = &p->reqs[p->attach];
    r->via_seen = 1;
    if ((n >= 2 && s[0] == '-' && s[1] == 'r' && (n == 2 || is_ws(s[2]))) || /* -r requirements.in */
        (s[n - 1] == ')' && memchr(s, '(', n) != NULL))                      /* name (pyproject.toml) */
        r->via_project = 1;
}

/* one comment (from its '#' to the end of the logical line); own_line: the
 * comment is all the line holds */
static void comment(pip_t *p, const char *c, size_t n, int own_line)
{
    if (p->attach < 0)
        return;
    size_t i = 1;
    while (i < n && is_ws(c[i]))
        i++;
    if (own_line && p->in_via && i >= 3 && i < n) { /* "#   requests": one more name of the list */
        via_item(p, c + i, n - i);
        return;
    }
    p->in_via = 0;
    if (n - i >= 3 && memcmp(c + i, "via", 3) == 0 && (n - i == 3 || is_ws(c[i + 3]))) {
        const char *s = c + i + 3, *end = c + n;
        while (s < end && is_ws(*s))
            s++;
        if (s == end) {
            p->in_via = own_line; /* the names follow, one a line */
            return;
        }
        while (s < end) { /* older pip-compile: "# via a, b" */
            const char *comma = memchr(s, ',', (size_t)(end - s));
            const char *e = comma ? comma : end;
            via_item(p, s, (size_t)(e - s));
            s = comma ? comma + 1 : end;
        }
    } else if (!own_line) {
        /* any other trailing comment ends nothing */
    } else {
        p->attach = -1; /* a comment of its own: the requirement's annotation is over */
    }
}

/* ---- requirements ---- */

/* the marker after ';' (off, n): not empty, quotes and parentheses balanced */
static int check_marker(pip_t *p, size_t semi, size_t off, size_t n)
{
    const char *s = p->buf + off;
    int depth = 0, seen = 0;
    char quote = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '"' || c == '\'')
            quote = c;
        else if (c == '(')
            depth++;
        else if (c == ')' && --depth < 0)
            break;
        if (!is_ws(c))
            seen = 1;
    }
    if (!seen || quote || depth != 0)
        return fail_at(p, semi, "malformed environment marker after ';'");
    return 0;
}

static int add_req(pip_t *p, const char *name, const char *version, size_t vn, const char *hashes, int line)
{
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 32;
        pip_req_t *nv = realloc(p->reqs, ncap * sizeof(*nv));
        if (nv == NULL)
            return lock_fail(p->b, line, 0, "out of memory");
        p->reqs = nv;
        p->cap = ncap;
    }
    pip_req_t *r = &p->reqs[p->n];
    memset(r, 0, sizeof(*r));
    r->name = strdup(name);
    r->version = strndup(version, vn);
    r->hashes = strdup(hashes);
    r->line = line;
    p->n++; /* freed by the caller even when a copy failed */
    if (!r->name || !r->version || !r->hashes)
        return lock_fail(p->b, line, 0, "out of memory");
    return 0;
}

/* The requirement (off, n) of the current line, n > 0, with its hashes. */
static int requirement(pip_t *p, size_t off, size_t n, const char *hashes)
{
    const char *s = p->buf + off;
    size_t i = 0;
    while (i < n && is_name_char(s[i]))
        i++;
    size_t name_len = i;
    while (i < n && is_ws(s[i]))
        i++;
    if (name_len > 0 && i < n && s[i] == '[') {
        size_t open = i;
        const char *close = memchr(s + i, ']', n - i);
        if (close == NULL)
            return fail_at(p, off + open, "unclosed '[' (extras)");
        for (size_t j = i + 1; s + j < close; j++)
            if (!is_name_char(s[j]) && !is_ws(s[j]) && s[j] != ',')
                return fail_at(p, off + j, "malformed extras");
        i = (size_t)(close - s) + 1;
        while (i < n && is_ws(s[i]))
            i++;
    }
    size_t op = 0;
    if (i + 3 <= n && memcmp(s + i, "===", 3) == 0)
        op = 3;
    else if (i + 2 <= n && memcmp(s + i, "==", 2) == 0)
        op = 2;
    if (op == 0) {
        /* a range, a direct reference, a URL or path, or no version at all */
        if (i == n || strchr("<>!~=@;", s[i]) != NULL || memmem(s, n, "://", 3) != NULL || memchr(s, '/', n) ||
            name_len == 0)
            return not_pinned(p, off, n, "");
        char ex[120];
        return fail_at(p, off + i, "malformed requirement '%s'", excerpt(p, off, n, ex, sizeof(ex)));
    }
    char name[300];
    if (name_len == 0 || name_len >= sizeof(name) || pypi_normalize(s, name_len, name, sizeof(name)) != 0) {
        char ex[120];
        return fail_at(p, off, "'%s' is not a valid package name", excerpt(p, off, name_len, ex, sizeof(ex)));
    }
    i += op;
    while (i < n && is_ws(s[i]))
        i++;
    size_t v = i;
    while (i < n && !is_ws(s[i]) && s[i] != ',' && s[i] != ';')
        i++;
    size_t vn = i - v;
    if (vn == 0)
        return fail_at(p, off + v, "no version after '%s'", op == 3 ? "===" : "==");
    if (op == 2 && memchr(s + v, '*', vn) != NULL)
        return not_pinned(p, off, n, " (a wildcard matches several versions)");
    for (size_t j = v; j < i; j++) {
        char c = s[j];
        int ok = op == 3 ? (c > ' ' && c < 0x7f && c != '/' && c != '\\')
                         : (isalnum((unsigned char)c) || strchr("._+!-", c) != NULL);
        if (!ok || vn > 128) {
            char ex[140];
            return fail_at(p, off + j, "malformed version '%s'", excerpt(p, off + v, vn, ex, sizeof(ex)));
        }
    }
    while (i < n && is_ws(s[i]))
        i++;
    if (i < n && s[i] == ',')
        return not_pinned(p, off, n, " (several version specifiers)");
    if (i < n && s[i] == ';') {
        if (check_marker(p, off + i, off + i + 1, n - i - 1) != 0)
            return -1;
    } else if (i < n) {
        char ex[120];
        return fail_at(p, off + i, "unexpected '%s' after the version", excerpt(p, off + i, n - i, ex, 40));
    }
    return add_req(p, name, s + v, vn, hashes, p->lines[off]);
}

/* ---- options ---- */

enum { O_INDEX, O_EXTRA_INDEX, O_NO_INDEX, O_FIND_LINKS, O_HASH, O_REQ, O_CONSTRAINT, O_EDITABLE, O_VALUE, O_FLAG };

static const struct {
    char shrt;
    const char *lng;
    int kind;
} OPTIONS[] = {
    {'i', "--index-url", O_INDEX},
    {0, "--extra-index-url", O_EXTRA_INDEX},
    {0, "--no-index", O_NO_INDEX},
    {'f', "--find-links", O_FIND_LINKS},
    {0, "--hash", O_HASH},
    {'r', "--requirement", O_REQ},
    {'c', "--constraint", O_CONSTRAINT},
    {'e', "--editable", O_EDITABLE},
    {0, "--trusted-host", O_VALUE},
    {0, "--only-binary", O_VALUE},
    {0, "--no-binary", O_VALUE},
    {0, "--use-feature", O_VALUE},
    {0, "--global-option", O_VALUE},
    {0, "--install-option", O_VALUE},
    {'C', "--config-settings", O_VALUE},
    {0, "--pre", O_FLAG},
    {0, "--prefer-binary", O_FLAG},
    {0, "--require-hashes", O_FLAG},
};

/* the word starting at *i of [off, end): its offset and length; *i moves past it */
static int next_word(pip_t *p, size_t *i, size_t end, size_t *w, size_t *wn)
{
    while (*i < end && is_ws(p->buf[*i]))
        (*i)++;
    if (*i >= end)
        return 0;
    *w = *i;
    while (*i < end && !is_ws(p->buf[*i]))
        (*i)++;
    *wn = *i - *w;
    return 1;
}

static void add_location(buf_t *list, const char *v, size_t n, int replace)
{
    if (replace)
        buf_reset(list);
    buf_append(list, v, n);
    buf_putc(list, ' ');
}

/* the options [off, end) of the current line; hashes collects --hash values */
static int options(pip_t *p, size_t off, size_t end, int has_req, buf_t *hashes)
{
    size_t i = off, w, wn;
    while (next_word(p, &i, end, &w, &wn)) {
        const char *t = p->buf + w;
        char ex[120];
        if (wn < 2 || t[0] != '-')
            return fail_at(p, w, "unexpected '%s' among the options", excerpt(p, w, wn, ex, 60));
        int k = -1;
        size_t vo = 0, vn = 0; /* an attached value: --opt=VALUE, -iVALUE */
        int attached = 0;
        if (t[1] == '-') {
            const char *eq = memchr(t, '=', wn);
            size_t nn = eq ? (size_t)(eq - t) : wn;
            for (size_t j = 0; j < sizeof(OPTIONS) / sizeof(OPTIONS[0]); j++)
                if (strlen(OPTIONS[j].lng) == nn && memcmp(OPTIONS[j].lng, t, nn) == 0)
                    k = (int)j;
            if (eq) {
                attached = 1;
                vo = w + nn + 1;
                vn = wn - nn - 1;
            }
        } else {
            for (size_t j = 0; j < sizeof(OPTIONS) / sizeof(OPTIONS[0]); j++)
                if (OPTIONS[j].shrt && OPTIONS[j].shrt == t[1])
                    k = (int)j;
            if (wn > 2) {
                attached = 1;
                vo = w + 2;
                vn = wn - 2;
            }
        }
        if (k < 0)
            return fail_at(p, w, "unknown option '%s'", excerpt(p, w, wn, ex, 60));
        int kind = OPTIONS[k].kind;
        if (kind == O_REQ)
            return fail_at(p, w, "includes (-r) are not supported: send the resolved file");
        if (kind == O_CONSTRAINT)
            return fail_at(p, w, "includes (-c) are not supported: send the resolved file");
        if (kind == O_EDITABLE)
            return fail_at(p, w, "editable requirements (-e) are not pinned: send the resolved file");
        if (kind == O_FLAG || kind == O_NO_INDEX) {
            if (attached)
                return fail_at(p, w, "option %s takes no value", OPTIONS[k].lng);
            if (kind == O_NO_INDEX)
                buf_reset(&p->index);
            continue;
        }
        if (!attached && !next_word(p, &i, end, &vo, &vn))
            return fail_at(p, w, "option %s needs a value", OPTIONS[k].lng);
        if (vn >= 2 && (p->buf[vo] == '"' || p->buf[vo] == '\'') && p->buf[vo + vn - 1] == p->buf[vo])
            vo++, vn -= 2; /* pip reads options with shlex */
        if (vn == 0)
            return fail_at(p, w, "option %s needs a value", OPTIONS[k].lng);
        const char *v = p->buf + vo;
        switch (kind) {
        case O_INDEX: add_location(&p->index, v, vn, 1); break;
        case O_EXTRA_INDEX: add_location(&p->index, v, vn, 0); break;
        case O_FIND_LINKS: add_location(&p->find_links, v, vn, 0); break;
        case O_HASH: {
            if (!has_req)
                return fail_at(p, w, "--hash without a requirement on its line");
            char in[300], norm[300];
            if (vn >= sizeof(in) || memchr(v, ':', vn) == NULL)
                return fail_at(p, vo, "malformed --hash '%s' (expected sha256:<hex>)", excerpt(p, vo, vn, ex, 80));
            memcpy(in, v, vn);
            in[vn] = '\0';
            if (lock_integrity_normalise(in, norm, sizeof(norm)) != 0)
                return fail_at(p, vo, "malformed --hash '%s' (expected sha256:<hex>)", excerpt(p, vo, vn, ex, 80));
            if (hashes->len)
                buf_putc(hashes, ' ');
            buf_puts(hashes, norm);
            break;
        }
        default: break; /* O_VALUE: --trusted-host and the like change nothing pinned */
        }
    }
    return 0;
}

/* ---- lines ---- */

static void put(pip_t *p, char c, int line, int col)
{
    p->buf[p->blen] = c;
    p->lines[p->blen] = line;
    p->cols[p->blen] = col;
    p->blen++;
}

/* one logical line, as pip's join_lines + ignore_comments see it */
static int logical_line(pip_t *p)
{
    size_t n = p->blen;
    p->buf[n] = '\0';
    /* the comment: a '#' at the start or after white space */
    size_t c = n;
    for (size_t i = 0; i < n; i++)
        if (p->buf[i] == '#' && (i == 0 || is_ws(p->buf[i - 1]))) {
            c = i;
            break;
        }
    size_t s = 0, e = c;
    while (s < e && is_ws(p->buf[s]))
        s++;
    while (e > s && is_ws(p->buf[e - 1]))
        e--;
    if (s == e) { /* blank, or a comment of its own */
        if (c < n)
            comment(p, p->buf + c, n - c, 1);
        else
            p->attach = -1, p->in_via = 0;
        return 0;
    }
    /* requirement words until the first one starting with '-' */
    size_t r = s, re = s;
    while (r < e) {
        while (r < e && is_ws(p->buf[r]))
            r++;
        if (r < e && p->buf[r] == '-')
            break;
        while (r < e && !is_ws(p->buf[r]))
            r++;
        re = r;
    }
    buf_t hashes;
    buf_init(&hashes);
    int rc = options(p, r, e, re > s, &hashes);
    const char *h = buf_cstr(&hashes);
    if (rc == 0 && (h == NULL || hashes.oom))
        rc = lock_fail(p->b, p->lines[s], 0, "out of memory");
    p->attach = -1;
    p->in_via = 0;
    if (rc == 0 && re > s) {
        rc = requirement(p, s, re - s, h);
        if (rc == 0) {
            p->attach = (int)p->n - 1;
            if (c < n)
                comment(p, p->buf + c, n - c, 0);
        }
    }
    buf_free(&hashes);
    return rc;
}

static int parse_lines(pip_t *p, const char *text, size_t len)
{
    int lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len, next = nl ? end + 1 : len;
        lineno++;
        if (end > pos && text[end - 1] == '\r')
            end--;
        size_t first = pos;
        while (first < end && is_ws(text[first]))
            first++;
        int own_comment = first < end && text[first] == '#';
        int cont = !own_comment && end > pos && text[end - 1] == '\\';
        if (own_comment)
            put(p, ' ', lineno, 1);
        size_t stop = end;
        if (cont)
            while (stop > pos && text[stop - 1] == '\\')
                stop--;
        for (size_t i = pos; i < stop; i++)
            put(p, text[i], lineno, (int)(i - pos) + 1);
        if (cont) {
            if (next >= len)
                return lock_fail(p->b, lineno, (int)(end - pos),
                                 "the file ends in a line continuation ('\\'): is it truncated?");
        } else {
            if (logical_line(p) != 0)
                return -1;
            p->blen = 0;
        }
        pos = next;
    }
    return 0;
}

static int req_cmp(const void *a, const void *b)
{
    const pip_req_t *x = *(pip_req_t *const *)a, *y = *(pip_req_t *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* pip refuses two different pins of one package ("Double requirement given") */
static int check_doubles(pip_t *p)
{
    if (p->n < 2)
        return 0;
    pip_req_t **v = malloc(p->n * sizeof(*v));
    if (v == NULL)
        return lock_fail(p->b, 0, 0, "out of memory");
    for (size_t i = 0; i < p->n; i++)
        v[i] = &p->reqs[i];
    qsort(v, p->n, sizeof(*v), req_cmp);
    int rc = 0;
    for (size_t i = 1; i < p->n && rc == 0; i++)
        if (strcmp(v[i - 1]->name, v[i]->name) == 0 && strcmp(v[i - 1]->version, v[i]->version) != 0)
            rc = lock_fail(p->b, v[i]->line, 0, "%s is pinned twice: ==%.60s (line %d) and ==%.60s", v[i]->name,
                           v[i - 1]->version, v[i - 1]->line, v[i]->version);
    free(v);
    return rc;
}

int lock_parse_pip(lock_builder_t *b, const char *text, size_t len)
{
    pip_t p;
    memset(&p, 0, sizeof(p));
    p.b = b;
    p.attach = -1;
    buf_init(&p.index);
    buf_init(&p.find_links);
    int rc = 0;
    /* a logical line is at most the whole text plus one ' ' per physical line */
    size_t cap = 2 * len + 2;
    p.buf = malloc(cap);
    p.lines = malloc(cap * sizeof(int));
    p.cols = malloc(cap * sizeof(int));
    if (!p.buf || !p.lines || !p.cols)
        rc = lock_fail(b, 0, 0, "out of memory");
    if (rc == 0)
        rc = parse_lines(&p, text, len);
    if (rc == 0)
        rc = check_doubles(&p);
    if (rc == 0) {
        buf_t resolved;
        buf_init(&resolved);
        if (p.index.len)
            buf_append(&resolved, p.index.data, p.index.len);
        if (p.find_links.len)
            buf_append(&resolved, p.find_links.data, p.find_links.len);
        if (resolved.len)
            resolved.len--; /* the last ' ' */
        const char *res = buf_cstr(&resolved);
        if (res == NULL || resolved.oom || p.index.oom || p.find_links.oom)
            rc = lock_fail(b, 0, 0, "out of memory");
        for (size_t i = 0; i < p.n && rc == 0; i++) {
            const pip_req_t *r = &p.reqs[i];
            int direct = !r->via_seen || r->via_project;
            rc = lock_add(b, ECO_PYPI, r->name, r->version, r->hashes, res, direct, 0, r->line);
        }
        buf_free(&resolved);
    }
    for (size_t i = 0; i < p.n; i++) {
        free(p.reqs[i].name);
        free(p.reqs[i].version);
        free(p.reqs[i].hashes);
    }
    free(p.reqs);
    buf_free(&p.index);
    buf_free(&p.find_links);
    free(p.buf);
    free(p.lines);
    free(p.cols);
    return rc != 0 || b->failed ? -1 : 0;
}

/* some line of the form name==version (comments and options aside) */
static int detect(const char *text, size_t len)
{
    const char *end = text + len;
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        const char *s = lock_skip_space(line, le);
        if (s < le && *s != '#' && *s != '-') {
            const char *eq = memmem(s, (size_t)(le - s), "==", 2);
            if (eq && eq > s)
                return 1;
        }
        line = nl ? nl + 1 : end;
    }
    return 0;
}

const lock_format_def_t pip_lock_format = {.id = LOCK_PIP,
                                           .name = "pip",
                                           .what = "a requirements.txt with == pins",
                                           .detect_last = 1,
                                           .detect = detect,
                                           .parse = lock_parse_pip};
