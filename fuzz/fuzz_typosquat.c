/* fuzz_typosquat: "<eco byte><name>" (eco = byte % 3: '0' npm, '1' pypi,
 * '2' maven) against the built-in popular set. A first byte with the high
 * bit set instead edits a built-in name: the next two bytes pick it, the
 * rest are (op, position, character) triples, so the fuzzer spends its time
 * next to popular names. Checks beyond "no crash": normalisation is
 * idempotent and never longer than its input; a popular name is never
 * flagged; a hit names a popular name (or the @types package of one) and
 * gives a reason. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/popular_builtin.h"
#include "analysis/typosquat.h"
#include "ecosystems/eco_ids.h"

static popular_set_t *popular;

static void fail(const char *what, eco_id_t eco, const char *name)
{
    fprintf(stderr, "%s: %s:\"%s\"\n", what, eco_name(eco), name);
    abort();
}

/* an edited built-in name into out (size >= 600) */
static void edited(const uint8_t *d, size_t n, eco_id_t *eco, char *out)
{
    static const char *const *lists[] = {popular_builtin_npm, popular_builtin_pypi, popular_builtin_maven};
    const size_t counts[] = {popular_builtin_npm_count, popular_builtin_pypi_count, popular_builtin_maven_count};
    *eco = (eco_id_t)(d[0] % 3);
    size_t pick = n >= 3 ? (size_t)(d[1] << 8 | d[2]) : 0;
    snprintf(out, 600, "%s", lists[*eco][pick % counts[*eco]]);
    for (size_t i = 3; i + 2 < n; i += 3) {
        size_t len = strlen(out), pos = len ? d[i + 1] % (len + 1) : 0;
        char c = (char)(d[i + 2] ? d[i + 2] : '-');
        switch (d[i] % 4) {
        case 0: /* insert */
            if (len + 1 < 600) {
                memmove(out + pos + 1, out + pos, len - pos + 1);
                out[pos] = c;
            }
            break;
        case 1: /* delete */
            if (pos < len)
                memmove(out + pos, out + pos + 1, len - pos);
            break;
        case 2: /* replace */
            if (pos < len)
                out[pos] = c;
            break;
        default: /* swap with the next */
            if (pos + 1 < len) {
                char t = out[pos];
                out[pos] = out[pos + 1];
                out[pos + 1] = t;
            }
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (popular == NULL)
        popular = popular_set_new(1);
    if (size == 0)
        return 0;
    eco_id_t eco;
    char *name = malloc(size > 600 ? size : 600);
    if (name == NULL)
        return 0;
    if (data[0] & 0x80) {
        edited(data, size, &eco, name);
    } else {
        eco = (eco_id_t)(data[0] % 3);
        memcpy(name, data + 1, size - 1);
        name[size - 1] = '\0'; /* the name ends at its first NUL, if any */
    }
    size_t len = strlen(name);

    char *a = malloc(len + 1), *b = malloc(len + 1);
    if (a != NULL && b != NULL) {
        typosquat_normalise(eco, name, a, len + 1);
        if (strlen(a) > len)
            fail("normalised form longer than the name", eco, name);
        typosquat_normalise(eco, a, b, len + 1);
        if (strcmp(a, b) != 0)
            fail("normalisation not idempotent", eco, name);
    }
    free(a);
    free(b);

    char ll[600], why[128];
    int r = typosquat_check(popular, eco, name, ll, sizeof(ll), why, sizeof(why), NULL);
    if (r != 0 && r != 1)
        fail("result neither 0 nor 1", eco, name);
    if (r == 1) {
        if (popular_set_contains(popular, eco, name))
            fail("a popular name flagged", eco, name);
        if (why[0] == '\0')
            fail("a hit without a reason", eco, name);
        int named = popular_set_contains(popular, eco, ll);
        if (!named && eco == ECO_NPM && strncmp(ll, "@types/", 7) == 0) {
            /* "@types/x" for popular x, "@types/a__b" for popular "@a/b" */
            char back[620];
            const char *x = ll + 7, *us = strstr(x, "__");
            if (us != NULL)
                snprintf(back, sizeof(back), "@%.*s/%s", (int)(us - x), x, us + 2);
            else
                snprintf(back, sizeof(back), "%s", x);
            named = popular_set_contains(popular, eco, back);
        }
        if (!named)
            fail("a hit that names no popular package", eco, name);
    } else if (ll[0] != '\0' || why[0] != '\0')
        fail("no hit but output written", eco, name);
    free(name);
    return 0;
}
