/* fuzz_npm_range: "<range spec>\0<version>\n<version>…" through
 * ecosystems/npm/npm_range.c. Beyond "no crash, no leak": a spec read twice
 * gives the same answer, a refusal says why in printable text; a version
 * tests the same against both readings, an invalid one never satisfies;
 * max_satisfying picks a satisfying version that no other satisfying one
 * exceeds (the first of equals), or -1 when none satisfies; every valid
 * version, read as a range, satisfies itself; and the classification of the
 * spec agrees with the parser (a RANGE parses, a TAG does not, an ALIAS
 * names a valid package and a registry spec). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecosystems/npm/npm_path.h"
#include "ecosystems/npm/npm_range.h"
#include "ecosystems/npm/npm_semver.h"

#define MAX_VERSIONS 64

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

static int tarball_name(const char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
        n--;
    return (n >= 4 && strncasecmp(s + n - 4, ".tgz", 4) == 0) || (n >= 4 && strncasecmp(s + n - 4, ".tar", 4) == 0) ||
           (n >= 7 && strncasecmp(s + n - 7, ".tar.gz", 7) == 0);
}

static void check_classify(const char *spec, int parses)
{
    char name[215], range[1025];
    memset(name, 'x', sizeof(name));
    memset(range, 'x', sizeof(range));
    npm_spec_kind_t k = npm_spec_classify(spec, name, sizeof(name), range, sizeof(range));
    if (!memchr(name, '\0', sizeof(name)) || !memchr(range, '\0', sizeof(range)))
        abort();
    npm_range_t *r = NULL;
    int range_ok = npm_range_parse(range, &r, NULL, 0) == 0;
    npm_range_free(r);
    switch (k) {
    case NPM_SPEC_RANGE:
        if (!range_ok || name[0])
            abort();
        break;
    case NPM_SPEC_TAG:
        if (range_ok || name[0] || !range[0] || strpbrk(range, " /:@"))
            abort();
        break;
    case NPM_SPEC_ALIAS: {
        if (!npm_name_valid(name, strlen(name)))
            abort();
        char n2[215], r2[1025];
        npm_spec_kind_t sub = npm_spec_classify(range, n2, sizeof(n2), r2, sizeof(r2));
        if (sub != NPM_SPEC_RANGE && sub != NPM_SPEC_TAG)
            abort();
        break;
    }
    case NPM_SPEC_OTHER:
        if (name[0] || range[0])
            abort();
        break;
    default:
        abort();
    }
    /* a spec the parser takes is a range, unless npm would read it as a tarball file */
    if (parses && k != NPM_SPEC_RANGE && !tarball_name(spec))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *spec = buf;
    size_t speclen = strlen(buf);

    /* the versions after the first NUL, one a line */
    const char *versions[MAX_VERSIONS];
    size_t nv = 0;
    if (speclen < size) {
        char *p = buf + speclen + 1;
        while (nv < MAX_VERSIONS && p <= buf + size) {
            char *nl = strchr(p, '\n');
            versions[nv++] = p;
            if (!nl)
                break;
            *nl = '\0';
            p = nl + 1;
        }
    }

    npm_range_t *a = NULL, *b = NULL;
    char ea[160] = "", eb[160] = "";
    int ra = npm_range_parse(spec, &a, ea, sizeof(ea));
    int rb = npm_range_parse(spec, &b, eb, sizeof(eb));
    if (ra != rb || (ra != 0 && ra != -1) || strcmp(ea, eb) != 0)
        abort();
    if (ra == -1 && (a || b || !ea[0] || !printable(ea)))
        abort();
    if (ra == 0 && (!a || !b || ea[0]))
        abort();

    if (ra == 0) {
        int sat[MAX_VERSIONS];
        for (size_t i = 0; i < nv; i++) {
            semver_t v;
            sat[i] = npm_range_test(a, versions[i]);
            if ((sat[i] != 0 && sat[i] != 1) || sat[i] != npm_range_test(b, versions[i]))
                abort();
            if (sat[i] && semver_parse(versions[i], &v) != 0)
                abort();
        }
        long best = npm_range_max_satisfying(a, versions, nv);
        if (best < -1 || best >= (long)nv)
            abort();
        for (size_t i = 0; i < nv; i++) {
            if (!sat[i])
                continue;
            if (best < 0)
                abort();
            int c = semver_compare_str(versions[i], versions[best]);
            if (c > 0 || (c == 0 && (long)i < best))
                abort();
        }
        if (best >= 0 && !sat[best])
            abort();
    }
    npm_range_free(a);
    npm_range_free(b);

    /* a valid version is a range that it satisfies */
    for (size_t i = 0; i < nv; i++) {
        semver_t v;
        if (strlen(versions[i]) > 256 || semver_parse(versions[i], &v) != 0)
            continue;
        npm_range_t *self = NULL;
        if (npm_range_parse(versions[i], &self, NULL, 0) != 0 || npm_range_test(self, versions[i]) != 1)
            abort();
        npm_range_free(self);
    }

    check_classify(spec, ra == 0);
    free(buf);
    return 0;
}
