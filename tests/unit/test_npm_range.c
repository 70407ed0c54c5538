/* npm_range: node-semver's range semantics (desugaring, ||, the prerelease
 * rule, hyphen ranges), max-satisfying, refusals, and dependency spec
 * classification. */
#include <stdlib.h>
#include <string.h>

#include "ecosystems/npm/npm_range.h"
#include "tests/unit/test.h"

typedef struct range_case {
    const char *spec;
    const char *version;
    int want;
} range_case_t;

/* one check per case; a spec that does not parse fails the case */
static void check_cases(const range_case_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        npm_range_t *r = NULL;
        char err[160] = "";
        int rc = npm_range_parse(c[i].spec, &r, err, sizeof(err));
        int got = rc == 0 ? npm_range_test(r, c[i].version) : -1;
        if (got != c[i].want)
            fprintf(stderr, "range \"%s\" version \"%s\": got %d, want %d %s\n", c[i].spec, c[i].version, got,
                    c[i].want, err);
        CHECK_INT_EQ(got, c[i].want);
        npm_range_free(r);
    }
}

#define CASES(table) check_cases(table, sizeof(table) / sizeof(table[0]))

TEST(any)
{
    static const range_case_t t[] = {
        {"", "1.2.3", 1},          {"*", "0.0.0", 1},         {"x", "1.2.3", 1},
        {"X", "99.0.0", 1},        {"  ", "1.0.0", 1},        {"x.x.x", "3.2.1", 1},
        {"*", "1.2.3-beta", 0},    {"", "1.0.0-rc.1", 0},     {"*", "not-a-version", 0},
        {"*", "1.2", 0},           {">=0.0.0", "0.0.1", 1},   {"^*", "5.0.0", 1},
        {"~x", "5.0.0", 1},        {"<=*", "1.0.0", 1},       {">*", "1.0.0", 0},
        {"<x", "0.0.0", 0},
    };
    CASES(t);
}

TEST(comparators)
{
    static const range_case_t t[] = {
        {"1.2.3", "1.2.3", 1},       {"1.2.3", "1.2.4", 0},      {"=1.2.3", "1.2.3", 1},
        {"v1.2.3", "1.2.3", 1},      {"=v1.2.3", "1.2.3", 1},    {"1.2.3", "v1.2.3", 1},
        {">1.2.3", "1.2.4", 1},      {">1.2.3", "1.2.3", 0},     {">=1.2.3", "1.2.3", 1},
        {">=1.2.3", "1.2.2", 0},     {"<1.2.3", "1.2.2", 1},     {"<1.2.3", "1.2.3", 0},
        {"<=1.2.3", "1.2.3", 1},     {"<=1.2.3", "1.2.4", 0},    {">= 1.2.3", "1.2.3", 1},
        {"> 1.2.3 < 1.2.5", "1.2.4", 1}, {"> 1.2.3 < 1.2.5", "1.2.5", 0}, {">=v1.2.3", "1.2.3", 1},
        {"< =1.2", "1.2.9", 1},      /* joined as node-semver does: "<=1.2" */
        {">=1.2.7 <1.3.0", "1.2.8", 1}, {">=1.2.7 <1.3.0", "1.3.0", 0}, {">=1.2.7 <1.3.0", "1.2.6", 0},
        {"\t>=1.2.7\n<1.3.0 ", "1.2.7", 1},
    };
    CASES(t);
}

TEST(partials_and_x_ranges)
{
    static const range_case_t t[] = {
        /* >1.2 := >=1.3.0 */
        {">1.2", "1.2.9", 0},    {">1.2", "1.3.0", 1},   {">1", "1.9.9", 0},     {">1", "2.0.0", 1},
        /* <=1.2 := <1.3.0-0 */
        {"<=1.2", "1.2.99", 1},  {"<=1.2", "1.3.0", 0},  {"<=1.2", "1.3.0-0", 0}, {"<=1", "1.9.9", 1},
        {"<=1", "2.0.0", 0},
        /* <1.2 := <1.2.0-0; >=1.2 := >=1.2.0 */
        {"<1.2", "1.1.9", 1},    {"<1.2", "1.2.0", 0},   {">=1.2", "1.2.0", 1},  {">=1.2", "1.1.9", 0},
        {"<1", "0.9.9", 1},      {"<1", "1.0.0", 0},
        /* 1.2.x := >=1.2.0 <1.3.0-0 */
        {"1.2.x", "1.2.0", 1},   {"1.2.x", "1.2.9", 1},  {"1.2.x", "1.3.0", 0},  {"1.2.x", "1.1.9", 0},
        {"1.2.*", "1.2.5", 1},   {"1.2", "1.2.5", 1},    {"1.2", "1.3.0", 0},    {"1.X", "1.9.0", 1},
        {"1.x", "2.0.0", 0},     {"1", "1.0.0", 1},      {"1", "2.0.0", 0},      {"1", "0.9.9", 0},
        {"=1.x", "1.5.0", 1},    {"1.x.x", "1.5.5", 1},  {"1.2.x", "1.2.5-beta", 0},
        {"1.2+build", "1.2.7", 1}, {"1.2.x-beta", "1.2.1", 1}, /* prerelease of an x-range dropped */
        {"==1.2", "1.2.1", 1},   /* node-semver takes the second '=' as a prefix here */
    };
    CASES(t);
}

TEST(tilde)
{
    static const range_case_t t[] = {
        /* ~1.2.3 := >=1.2.3 <1.3.0-0 */
        {"~1.2.3", "1.2.3", 1},  {"~1.2.3", "1.2.9", 1}, {"~1.2.3", "1.3.0", 0},  {"~1.2.3", "1.2.2", 0},
        /* ~1.2 := >=1.2.0 <1.3.0-0; ~1 := >=1.0.0 <2.0.0-0 */
        {"~1.2", "1.2.0", 1},    {"~1.2", "1.3.0", 0},   {"~1", "1.9.0", 1},     {"~1", "2.0.0", 0},
        {"~0.2.3", "0.2.5", 1},  {"~0.2.3", "0.3.0", 0}, {"~0", "0.9.0", 1},     {"~1.x", "1.5.0", 1},
        /* ~1.2.3-beta.2 := >=1.2.3-beta.2 <1.3.0-0 */
        {"~1.2.3-beta.2", "1.2.3-beta.4", 1}, {"~1.2.3-beta.2", "1.2.3-beta.1", 0},
        {"~1.2.3-beta.2", "1.2.4-beta.2", 0}, {"~1.2.3-beta.2", "1.2.5", 1},
        {"~>1.2.3", "1.2.9", 1}, {"~>1.2.3", "1.3.0", 0}, {"~ 1.2.3", "1.2.4", 1}, {"~v1.2.3", "1.2.4", 1},
    };
    CASES(t);
}

TEST(caret)
{
    static const range_case_t t[] = {
        /* ^1.2.3 := >=1.2.3 <2.0.0-0 */
        {"^1.2.3", "1.2.3", 1},  {"^1.2.3", "1.9.9", 1},  {"^1.2.3", "2.0.0", 0},  {"^1.2.3", "1.2.2", 0},
        {"^1.2.3", "2.0.0-0", 0},
        /* ^0.2.3 := >=0.2.3 <0.3.0-0; ^0.0.3 := >=0.0.3 <0.0.4-0 */
        {"^0.2.3", "0.2.9", 1},  {"^0.2.3", "0.3.0", 0},  {"^0.0.3", "0.0.3", 1},  {"^0.0.3", "0.0.4", 0},
        /* ^1.2 := >=1.2.0 <2.0.0-0; ^0.0 := >=0.0.0 <0.1.0-0; ^0 := >=0.0.0 <1.0.0-0 */
        {"^1.2", "1.2.0", 1},    {"^1.2", "1.9.0", 1},    {"^1.2", "2.0.0", 0},    {"^1.2", "1.1.9", 0},
        {"^0.0", "0.0.9", 1},    {"^0.0", "0.1.0", 0},    {"^0", "0.9.9", 1},      {"^0", "1.0.0", 0},
        {"^0.1", "0.1.5", 1},    {"^0.1", "0.2.0", 0},    {"^1", "1.9.9", 1},      {"^1.x", "2.0.0", 0},
        /* ^1.2.3-beta.2 := >=1.2.3-beta.2 <2.0.0-0 */
        {"^1.2.3-beta.2", "1.2.3-beta.2", 1}, {"^1.2.3-beta.2", "1.2.3-beta.10", 1},
        {"^1.2.3-beta.2", "1.2.3-beta.1", 0}, {"^1.2.3-beta.2", "1.2.4-beta.2", 0},
        {"^1.2.3-beta.2", "1.2.4", 1},        {"^1.2.3-beta.2", "2.0.0", 0},
        {"^0.0.3-beta", "0.0.3-pr.2", 1},     {"^0.0.3-beta", "0.0.4", 0},
        {"^0.2.3-beta", "0.2.3-beta.1", 1},   {"^0.2.3-beta", "0.2.9", 1}, {"^0.2.3-beta", "0.3.0", 0},
        {"^ 1.2", "1.5.0", 1},   {"^=1.2.3", "1.5.0", 1},
    };
    CASES(t);
}

TEST(hyphen)
{
    static const range_case_t t[] = {
        /* 1.2.3 - 2.3.4 := >=1.2.3 <=2.3.4 */
        {"1.2.3 - 2.3.4", "1.2.3", 1}, {"1.2.3 - 2.3.4", "2.3.4", 1}, {"1.2.3 - 2.3.4", "2.3.5", 0},
        {"1.2.3 - 2.3.4", "1.2.2", 0},
        /* 1.2 - 2.3 := >=1.2.0 <2.4.0-0 */
        {"1.2 - 2.3", "1.2.0", 1},     {"1.2 - 2.3", "2.3.9", 1},     {"1.2 - 2.3", "2.4.0", 0},
        {"1.2 - 2.3", "1.1.9", 0},
        /* 1 - 2 := >=1.0.0 <3.0.0-0; 1.2 - 2.3.4 := >=1.2.0 <=2.3.4 */
        {"1 - 2", "2.9.9", 1},         {"1 - 2", "3.0.0", 0},         {"1.2 - 2.3.4", "2.3.4", 1},
        {"1.2 - 2.3.4", "2.3.5", 0},   {"1.2.3 - 2", "2.5.0", 1},     {"* - 2", "0.0.1", 1},
        {"1.2.3 - *", "99.0.0", 1},    {"1.2.3 - *", "1.2.2", 0},     {"v1.2.3 - v2.0.0", "2.0.0", 1},
        /* prereleases on either end */
        {"1.2.3-beta - 2", "1.2.3-beta.1", 1}, {"1.2.3 - 2.3.4-rc.1", "2.3.4-rc.0", 1},
        {"1.2.3 - 2.3.4-rc.1", "2.3.4", 0},    {"1.2.3 - 2.3.4", "2.3.4-rc.1", 0},
        {"1.2.3+b - 2.3.4+c", "2.3.4", 1},
    };
    CASES(t);
}

TEST(or_sets)
{
    static const range_case_t t[] = {
        {"1.2.7 || >=1.2.9 <2.0.0", "1.2.7", 1}, {"1.2.7 || >=1.2.9 <2.0.0", "1.2.8", 0},
        {"1.2.7 || >=1.2.9 <2.0.0", "1.2.9", 1}, {"1.2.7 || >=1.2.9 <2.0.0", "2.0.0", 0},
        {"<1 || >=3", "0.5.0", 1}, {"<1 || >=3", "2.0.0", 0}, {"<1 || >=3", "3.1.0", 1},
        {"1.x||2.x", "2.5.0", 1},  {"1.x||2.x", "3.0.0", 0},
        {"^1.0.0 || ", "7.0.0", 1}, /* an empty alternative is "*" */
        {"1.2.3 - 1.2.5 || 2.x", "1.2.4", 1}, {"1.2.3 - 1.2.5 || 2.x", "1.3.0", 0},
    };
    CASES(t);
}

TEST(prerelease_rule)
{
    static const range_case_t t[] = {
        {">1.2.3-alpha.3", "1.2.3-alpha.7", 1},  /* same tuple as the comparator's prerelease */
        {">1.2.3-alpha.3", "3.4.5-alpha.9", 0},  /* a prerelease of another tuple */
        {">1.2.3-alpha.3", "3.4.5", 1},
        {">1.2.3-alpha.3", "1.2.3-alpha.2", 0},
        {">=1.2.3-beta <1.3.0", "1.2.4-beta", 0},
        {"<1.2.3", "1.2.3-beta", 0},             /* below, but no prerelease in the set */
        {"1.2.3-beta", "1.2.3-beta", 1},
        {">=1.0.0", "1.5.0-beta", 0},
        {"<=1.2.3-beta.5 >=1.0.0", "1.2.3-beta.2", 1},
        {"1.2.3-beta || 2", "1.2.3-beta", 1},
        {"^1.2.3-beta.2 || ^2", "1.2.3-beta.3", 1},
        {"^1.2.3-beta.2 || ^2", "2.0.1-beta.3", 0},
        /* as node-semver: an alternative that is "*" alone makes the range "*" */
        {"* || 1.2.3-beta", "1.2.3-beta", 0},
        {"1.2.3-beta || x", "1.2.3-beta", 0},
        /* >=0.0.0 is "*" to node-semver, so only the other comparator counts */
        {">=0.0.0 >=0.0.0-alpha", "0.0.0-beta", 1},
    };
    CASES(t);
}

TEST(build_metadata)
{
    static const range_case_t t[] = {
        {"1.2.3+build", "1.2.3", 1}, {"1.2.3", "1.2.3+b.7", 1}, {">1.2.3+b", "1.2.3+z", 0},
        {"^1.2+build.5", "1.3.0", 1}, {"1.2.3-rc.1+x", "1.2.3-rc.1+y", 1},
    };
    CASES(t);
}

TEST(invalid_versions)
{
    npm_range_t *r;
    char err[160];
    CHECK(npm_range_parse("*", &r, err, sizeof(err)) == 0);
    CHECK_INT_EQ(npm_range_test(r, NULL), 0);
    CHECK_INT_EQ(npm_range_test(r, ""), 0);
    CHECK_INT_EQ(npm_range_test(r, "1.2"), 0);
    CHECK_INT_EQ(npm_range_test(r, "01.2.3"), 0);
    CHECK_INT_EQ(npm_range_test(r, "1.2.3 x"), 0);
    CHECK_INT_EQ(npm_range_test(NULL, "1.2.3"), 0);
    npm_range_free(r);
    npm_range_free(NULL);
}

TEST(invalid_specs)
{
    /* each refused with a message naming what is wrong */
    static const struct {
        const char *spec, *in_err;
    } bad[] = {
        {"1.2.3.4", "1.2.3.4"},
        {">>1", ">>1"},
        {"^", "^"},
        {"~", "~"},
        {"~>", "~>"},
        {"1.2.3 -", "hyphen range"},
        {"- 1.2.3", "hyphen range"},
        {"1 - 2 - 3", "hyphen range"},
        {">1 - 2", "hyphen range"},
        {"01.2.3", "leading zero"},
        {"1.2.3-", "prerelease"},
        {"1.2.3-01", "prerelease"},
        {"x.1", "after an x"},
        {"1.x.2", "after an x"},
        {"*.1.2", "after an x"},
        {"==1.2.3", "only a 'v'"},
        {"vv1.2.3", "only a 'v'"},
        {"=1.2.3 - 2", "only a 'v'"},
        {"1.2.3 >", "no version"},
        {"abc", "\"abc\""},
        {"latest", "\"latest\""},
        {"1.2.3 | 2", "\"|\""},
        {"1.2.3 ||| 2", "\"|\""},
        {"<>1", "\"<>1\""},
        {"^1.2.3.4", "\"^1.2.3.4\""},
        {"1.2.3+", "'+'"},
        {"1.2-beta", "\"1.2-beta\""},
        {"1.2.", "\"1.2.\""},
        {"9007199254740992.0.0", "2^53"},
        {"^9007199254740991.0.0", "2^53"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        npm_range_t *r = NULL;
        char err[160] = "";
        int rc = npm_range_parse(bad[i].spec, &r, err, sizeof(err));
        if (rc == 0 || !strstr(err, bad[i].in_err))
            fprintf(stderr, "spec \"%s\": rc %d, err \"%s\"\n", bad[i].spec, rc, err);
        CHECK(rc == -1 && r == NULL && strstr(err, bad[i].in_err) != NULL);
        if (rc == 0)
            npm_range_free(r);
    }
    npm_range_t *r;
    char err[160];
    CHECK(npm_range_parse(NULL, &r, err, sizeof(err)) == -1 && err[0]);
    CHECK(npm_range_parse(">>1", &r, NULL, 0) == -1 && r == NULL); /* no room for a message: fine */
}

TEST(limits)
{
    npm_range_t *r = NULL;
    char err[160] = "";
    char spec[1100];

    /* 1024 bytes pass, 1025 are refused */
    memset(spec, ' ', 1024);
    memcpy(spec, "^1.2.3", 6);
    spec[1024] = '\0';
    CHECK(npm_range_parse(spec, &r, err, sizeof(err)) == 0 && npm_range_test(r, "1.5.0") == 1);
    npm_range_free(r);
    spec[1024] = ' ';
    spec[1025] = '\0';
    CHECK(npm_range_parse(spec, &r, err, sizeof(err)) == -1 && strstr(err, "1024"));

    /* 64 alternatives pass, 65 are refused */
    size_t n = 0;
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%s%d", i ? "||" : "", i);
    CHECK(npm_range_parse(spec, &r, err, sizeof(err)) == 0 && npm_range_test(r, "63.1.0") == 1 &&
          npm_range_test(r, "64.0.0") == 0);
    npm_range_free(r);
    snprintf(spec + n, sizeof(spec) - n, "||64");
    CHECK(npm_range_parse(spec, &r, err, sizeof(err)) == -1 && strstr(err, "64"));

    /* a full version of 256 characters passes, 257 are refused */
    char v[300] = "1.2.3-";
    memset(v + 6, 'a', 250);
    v[256] = '\0';
    CHECK(npm_range_parse(v, &r, err, sizeof(err)) == 0 && npm_range_test(r, v) == 1);
    npm_range_free(r);
    v[256] = 'b';
    v[257] = '\0';
    CHECK(npm_range_parse(v, &r, err, sizeof(err)) == -1 && strstr(err, "256"));

    /* a long error subject is cut, and the message stays printable */
    memset(spec, 'z', 500);
    spec[500] = '\0';
    CHECK(npm_range_parse(spec, &r, err, sizeof(err)) == -1 && strstr(err, "...") && strlen(err) < 160);
    CHECK(npm_range_parse("1.2.3 \x01\x7f", &r, err, sizeof(err)) == -1 && strchr(err, '\x01') == NULL);
}

TEST(max_satisfying)
{
    const char *vs[] = {"1.2.3", "2.0.0", "1.9.9", "1.10.0", "junk", NULL, "1.10.0-beta", "0.9.0", "1.10.0+build"};
    size_t n = sizeof(vs) / sizeof(vs[0]);
    struct {
        const char *spec;
        long want;
    } t[] = {
        {"^1.2.3", 3},        /* 1.10.0 above 1.9.9 (numeric, not string order); the first of equals */
        {"~1.2", 0},          {"*", 1},           {"<1", 7},           {">=3", -1},
        {"^1.10.0-beta", 3},  {"1.10.0-beta", 6}, {"<1.10.0 >1.2.3", 2}, {"1.2.3 || 0.9.0", 0},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        npm_range_t *r;
        char err[160];
        CHECK(npm_range_parse(t[i].spec, &r, err, sizeof(err)) == 0);
        long got = npm_range_max_satisfying(r, vs, n);
        if (got != t[i].want)
            fprintf(stderr, "max_satisfying \"%s\": %ld, want %ld\n", t[i].spec, got, t[i].want);
        CHECK_INT_EQ(got, t[i].want);
        npm_range_free(r);
    }
    npm_range_t *r;
    char err[160];
    CHECK(npm_range_parse("*", &r, err, sizeof(err)) == 0);
    CHECK_INT_EQ(npm_range_max_satisfying(r, vs, 0), -1);
    const char *bad[] = {"x", "1.2", "", NULL};
    CHECK_INT_EQ(npm_range_max_satisfying(r, bad, 4), -1);
    CHECK_INT_EQ(npm_range_max_satisfying(r, NULL, 3), -1);
    npm_range_free(r);
}

TEST(classify)
{
    static const struct {
        const char *spec;
        npm_spec_kind_t kind;
        const char *name, *range;
    } t[] = {
        {"^1.2.3", NPM_SPEC_RANGE, "", "^1.2.3"},
        {"  ~1.2 ", NPM_SPEC_RANGE, "", "~1.2"},
        {"1.x || >=2.5.0", NPM_SPEC_RANGE, "", "1.x || >=2.5.0"},
        {"*", NPM_SPEC_RANGE, "", "*"},
        {"", NPM_SPEC_RANGE, "", ""},
        {"1.2.3", NPM_SPEC_RANGE, "", "1.2.3"},
        {"latest", NPM_SPEC_TAG, "", "latest"},
        {" next ", NPM_SPEC_TAG, "", "next"},
        {"beta", NPM_SPEC_TAG, "", "beta"},
        {"canary-2024.1", NPM_SPEC_TAG, "", "canary-2024.1"},
        {"x", NPM_SPEC_RANGE, "", "x"}, /* a range before a tag */
        {"npm:foo@^1.0.0", NPM_SPEC_ALIAS, "foo", "^1.0.0"},
        {"npm:@scope/foo@~2", NPM_SPEC_ALIAS, "@scope/foo", "~2"},
        {"npm:foo", NPM_SPEC_ALIAS, "foo", "*"},
        {"npm:@scope/foo", NPM_SPEC_ALIAS, "@scope/foo", "*"},
        {"npm:foo@latest", NPM_SPEC_ALIAS, "foo", "latest"},
        {"NPM:foo@1", NPM_SPEC_ALIAS, "foo", "1"},
        {"npm:foo@npm:bar@1", NPM_SPEC_OTHER, "", ""},           /* nested alias */
        {"npm:foo@git+https://h/r.git", NPM_SPEC_OTHER, "", ""}, /* not a registry spec */
        {"npm:bad name@1", NPM_SPEC_OTHER, "", ""},
        {"git+https://h.example/a/b.git", NPM_SPEC_OTHER, "", ""},
        {"git://h.example/a.git", NPM_SPEC_OTHER, "", ""},
        {"github:user/repo", NPM_SPEC_OTHER, "", ""},
        {"user/repo", NPM_SPEC_OTHER, "", ""},
        {"user/repo#v1.0.0", NPM_SPEC_OTHER, "", ""},
        {"file:../foo", NPM_SPEC_OTHER, "", ""},
        {"link:../foo", NPM_SPEC_OTHER, "", ""},
        {"workspace:*", NPM_SPEC_OTHER, "", ""},
        {"workspace:^1.2.3", NPM_SPEC_OTHER, "", ""},
        {"portal:../x", NPM_SPEC_OTHER, "", ""},
        {"patch:foo@1#p.patch", NPM_SPEC_OTHER, "", ""},
        {"http://h.example/x.tgz", NPM_SPEC_OTHER, "", ""},
        {"HTTPS://h.example/x", NPM_SPEC_OTHER, "", ""},
        {"ssh://git@h.example/x", NPM_SPEC_OTHER, "", ""},
        {"./foo", NPM_SPEC_OTHER, "", ""},
        {"~/foo", NPM_SPEC_OTHER, "", ""},
        {"foo.tgz", NPM_SPEC_OTHER, "", ""},
        {"1.2.3.4", NPM_SPEC_OTHER, "", ""}, /* neither a range nor a tag name */
        {"v1beta", NPM_SPEC_OTHER, "", ""},
        {"la@test", NPM_SPEC_OTHER, "", ""},
        {"lat est", NPM_SPEC_OTHER, "", ""},
        {">>1", NPM_SPEC_OTHER, "", ""},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char name[215] = "junk", range[1025] = "junk";
        npm_spec_kind_t k = npm_spec_classify(t[i].spec, name, sizeof(name), range, sizeof(range));
        if (k != t[i].kind || strcmp(name, t[i].name) || strcmp(range, t[i].range))
            fprintf(stderr, "classify \"%s\": %d [%s] [%s]\n", t[i].spec, (int)k, name, range);
        CHECK(k == t[i].kind && strcmp(name, t[i].name) == 0 && strcmp(range, t[i].range) == 0);
    }
    /* what does not fit is not written */
    char small[4] = "x";
    CHECK(npm_spec_classify("^1.2.3", NULL, 0, small, sizeof(small)) == NPM_SPEC_OTHER && small[0] == '\0');
    CHECK(npm_spec_classify("^1", NULL, 0, small, sizeof(small)) == NPM_SPEC_RANGE && strcmp(small, "^1") == 0);
    CHECK(npm_spec_classify(NULL, NULL, 0, NULL, 0) == NPM_SPEC_OTHER);
}

int main(void)
{
    RUN(any);
    RUN(comparators);
    RUN(partials_and_x_ranges);
    RUN(tilde);
    RUN(caret);
    RUN(hyphen);
    RUN(or_sets);
    RUN(prerelease_rule);
    RUN(build_metadata);
    RUN(invalid_versions);
    RUN(invalid_specs);
    RUN(limits);
    RUN(max_satisfying);
    RUN(classify);
    return test_report();
}
