/* fuzz_pep508: the same bytes as a requirement line, a marker, a specifier
 * set with a version (split at the first NUL) and a core metadata
 * document, read by ecosystems/pypi/pep508.c. Beyond "no crash, no leak":
 * every answer is the same when asked twice and a refusal says why; an
 * accepted requirement is consistent (a normalised name of the written
 * one, a specifier the matcher accepts, a marker that evaluates without a
 * syntax error) and, written out again in its plain form, parses to the
 * same fields; a valid marker M gives the same answer as "M or M" and
 * "M and M"; a valid set S the same as "S,S", and admitting pre-releases
 * only ever adds matches; the Requires-Dist values are as many as
 * reported, on one line each and trimmed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/pypi/pep508.h"

#define MAX 4096

/* text without the white space around it: its start, *n its length */
static const char *trim(const char *s, size_t *n)
{
    size_t k = strlen(s);
    while (k && strchr(" \t\n\v\f\r", *s))
        s++, k--;
    while (k && strchr(" \t\n\v\f\r", s[k - 1]))
        k--;
    *n = k;
    return s;
}

static int same_str(const char *a, const char *b) { return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0); }

static int same_req(const pep508_req_t *a, const pep508_req_t *b)
{
    return strcmp(a->name, b->name) == 0 && strcmp(a->normalized, b->normalized) == 0 &&
           strcmp(a->extras, b->extras) == 0 && same_str(a->specifier, b->specifier) && same_str(a->url, b->url) &&
           same_str(a->marker, b->marker);
}

/* the normalised form of name: lower case, no '_' or '.', no "--" */
static int normalized_of(const char *norm, const char *name)
{
    size_t i = 0, j = 0;
    while (name[i]) {
        char c = name[i];
        if (c == '-' || c == '_' || c == '.') {
            while (name[i] == '-' || name[i] == '_' || name[i] == '.')
                i++;
            if (norm[j++] != '-')
                return 0;
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (norm[j++] != c)
            return 0;
        i++;
    }
    return norm[j] == '\0';
}

static void check_requirement(const char *line)
{
    pep508_req_t a, b;
    char ea[200] = "", eb[200] = "";
    int ra = pep508_parse(line, &a, ea, sizeof(ea));
    int rb = pep508_parse(line, &b, eb, sizeof(eb));
    if (ra != rb || (ra != 0 && ra != -1))
        abort();
    if (ra == -1) {
        if (ea[0] == '\0' || strcmp(ea, eb) != 0 || a.specifier || a.url || a.marker || a.name[0])
            abort();
        return;
    }
    if (!same_req(&a, &b) || a.name[0] == '\0' || !normalized_of(a.normalized, a.name) || a.specifier == NULL)
        abort();
    if (a.url && a.specifier[0])
        abort();
    if (strchr(a.specifier, ' ') || strchr(a.extras, ' '))
        abort();
    if (a.specifier[0] && pep440_specifier_match(a.specifier, "1.0", 1) == -1)
        abort();
    if (a.marker) {
        char e[200] = "";
        int m = pep508_marker_eval(a.marker, NULL, e, sizeof(e));
        /* only "~=" between non-versions fails once the syntax is known good */
        if (m < -1 || m > 1 || (m == -1 && strstr(e, "~=") == NULL))
            abort();
    }
    /* the plain form parses to the same fields */
    char again[2 * MAX];
    int n = snprintf(again, sizeof(again), "%s%s%s%s%s%s%s%s", a.name, a.extras[0] ? "[" : "", a.extras,
                     a.extras[0] ? "]" : "", a.url ? " @ " : "", a.url ? a.url : a.specifier, a.marker ? " ; " : "",
                     a.marker ? a.marker : "");
    if (n > 0 && n <= MAX) {
        pep508_req_t c;
        char ec[200] = "";
        if (pep508_parse(again, &c, ec, sizeof(ec)) != 0 || !same_req(&a, &c))
            abort();
        pep508_req_free(&c);
    }
    pep508_req_free(&a);
    pep508_req_free(&b);
    pep508_req_free(&a); /* safe twice */
}

static void check_marker(const char *text)
{
    size_t n;
    const char *t = trim(text, &n);
    pep508_env_t env;
    pep508_env_default(&env);
    for (int round = 0; round < 2; round++) {
        if (round == 1)
            env.extra = "Test_Extra";
        char ea[200] = "", eb[200] = "";
        int ra = pep508_marker_eval(text, &env, ea, sizeof(ea));
        int rb = pep508_marker_eval(text, &env, eb, sizeof(eb));
        if (ra != rb || ra < -1 || ra > 1 || (ra == -1 && (ea[0] == '\0' || strcmp(ea, eb) != 0)))
            abort();
        if (ra == -1 || 2 * n + 8 > MAX)
            continue;
        char twice[2 * MAX + 16];
        snprintf(twice, sizeof(twice), "%.*s or %.*s", (int)n, t, (int)n, t);
        if (pep508_marker_eval(twice, &env, NULL, 0) != ra)
            abort();
        snprintf(twice, sizeof(twice), "%.*s and %.*s", (int)n, t, (int)n, t);
        if (pep508_marker_eval(twice, &env, NULL, 0) != ra)
            abort();
    }
}

static void check_specifier(const char *spec, const char *version)
{
    size_t n;
    const char *t = trim(spec, &n);
    int r0 = pep440_specifier_match(spec, version, 0);
    int r1 = pep440_specifier_match(spec, version, 1);
    if (r0 != pep440_specifier_match(spec, version, 0) || r0 < -1 || r0 > 1 || r1 < -1 || r1 > 1)
        abort();
    /* malformed either way or neither; admitting pre-releases only adds */
    if ((r0 == -1) != (r1 == -1) || (r0 == 1 && r1 != 1))
        abort();
    if (r0 == -1 || n == 0 || 2 * n + 1 > MAX)
        return;
    char twice[2 * MAX + 2];
    snprintf(twice, sizeof(twice), "%.*s,%.*s", (int)n, t, (int)n, t);
    if (pep440_specifier_match(twice, version, 0) != r0 || pep440_specifier_match(twice, version, 1) != r1)
        abort();
}

typedef struct {
    int calls;
} dist_count_t;

static void on_value(const char *value, void *arg)
{
    dist_count_t *c = arg;
    c->calls++;
    size_t n = strlen(value);
    if (strchr(value, '\n') || strchr(value, '\r'))
        abort();
    if (n && (value[0] == ' ' || value[0] == '\t' || value[n - 1] == ' ' || value[n - 1] == '\t'))
        abort();
    pep508_req_t r;
    if (pep508_parse(value, &r, NULL, 0) == 0)
        pep508_req_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy with a NUL after it: text up to the first NUL, then the rest */
    char *buf = malloc(size + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    size_t n = strlen(buf);
    const char *rest = n < size ? buf + n + 1 : "1.0";

    check_requirement(buf);
    check_marker(buf);
    check_specifier(buf, rest);

    dist_count_t a = {0}, b = {0};
    int ra = pep508_requires_dist(buf, size, on_value, &a);
    int rb = pep508_requires_dist(buf, size, on_value, &b);
    if (ra != rb || ra < -1 || (ra >= 0 && a.calls != ra) || (ra == -1 && a.calls != 0) || a.calls != b.calls)
        abort();
    free(buf);
    return 0;
}
