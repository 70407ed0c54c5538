/* unit tests: http/router.h router_path_is_safe (the 400 gate every
 * request passes before any route sees its path). */
#include <string.h>

#include "http/router.h"
#include "tests/unit/test.h"

static int safe(const char *p) { return router_path_is_safe(p, strlen(p)) == 0; }

static void expect(const char *p, int want_safe, int line)
{
    int got = safe(p);
    if (!test_note(got == want_safe, __FILE__, line))
        fprintf(stderr, "router_path_is_safe(\"%s\") is %s, want %s\n", p, got ? "safe" : "unsafe",
                want_safe ? "safe" : "unsafe");
}
#define SAFE(p) expect(p, 1, __LINE__)
#define UNSAFE(p) expect(p, 0, __LINE__)

TEST(ok_paths)
{
    SAFE("/");
    SAFE("/-/health");
    SAFE("/npm/lodash");
    SAFE("/npm/lodash/");
    SAFE("/npm/@babel/core");
    SAFE("/npm/@babel%2fcore");
    SAFE("/npm/@babel%2Fcore/-/core-7.24.0.tgz");
    SAFE("/npm/lodash/-/lodash-4.17.21.tgz");
    SAFE("/npm/-/npm/v1/security/advisories/bulk");
    SAFE("/pypi/simple/requests/");
    SAFE("/maven/org/example/lib/1.0/lib-1.0.pom");
    SAFE("/npm/a.b");          /* dots inside a segment are fine */
    SAFE("/npm/...");          /* three dots are a name, not a traversal */
    SAFE("/npm/..a");
    SAFE("/npm/a..");
    SAFE("/npm/.hidden");      /* the route decides about leading dots */
    SAFE("/npm//lodash");      /* empty segments are not traversal */
    SAFE("/npm/%41%62");       /* harmless encodings */
    SAFE("/npm/caf\xc3\xa9");  /* UTF-8 bytes */
    SAFE("/npm/a%20b");        /* a space is not a control byte */
    SAFE("/npm/%7e");
}

TEST(traversal)
{
    UNSAFE("/..");
    UNSAFE("/../etc/passwd");
    UNSAFE("/npm/..");
    UNSAFE("/npm/../admin");
    UNSAFE("/npm/lodash/../../x");
    UNSAFE("/npm/.");
    UNSAFE("/npm/./lodash");
    UNSAFE("/./");
    UNSAFE("/npm/%2e%2e");
    UNSAFE("/npm/%2E%2E/x");
    UNSAFE("/npm/.%2E");
    UNSAFE("/npm/%2e.");
    UNSAFE("/npm/%2e");
    UNSAFE("/npm/%2e/x");
    UNSAFE("/npm/x/..");
}

TEST(control_and_nul)
{
    UNSAFE("/npm/%00");
    UNSAFE("/npm/lodash%00.tgz");
    UNSAFE("/npm/%0a");
    UNSAFE("/npm/%0D%0ASet-Cookie:x");
    UNSAFE("/npm/%1f");
    UNSAFE("/npm/%7f");
    UNSAFE("/npm/%7F");
    UNSAFE("/npm/a\tb");
    UNSAFE("/npm/a\nb");
    UNSAFE("/npm/a\rb");
    UNSAFE("/npm/a\x7f");
    UNSAFE("/npm/\x01");
    /* a raw NUL byte within len */
    CHECK(router_path_is_safe("/npm/a\0b", 8) != 0);
    CHECK(router_path_is_safe("/npm/a\0", 7) != 0);
}

TEST(bad_percent)
{
    UNSAFE("/npm/%zz");
    UNSAFE("/npm/%4");
    UNSAFE("/npm/%");
    UNSAFE("/npm/a%");
    UNSAFE("/npm/%g0");
    UNSAFE("/npm/%0g");
    UNSAFE("/npm/%%41");
    UNSAFE("/npm/%4/x");
    UNSAFE("/%");
    /* len bounds the input: "%41" cut after "%4" */
    CHECK(router_path_is_safe("/npm/%41", 7) != 0);
    CHECK(router_path_is_safe("/npm/%41", 8) == 0);
}

TEST(shape)
{
    UNSAFE("");
    UNSAFE("npm/lodash");
    UNSAFE("lodash");
    UNSAFE("*");
    UNSAFE("http://example.com/npm/lodash");
    UNSAFE(".");
    char p[4100];
    p[0] = '/';
    memset(p + 1, 'a', sizeof(p) - 2);
    p[sizeof(p) - 1] = '\0';
    CHECK(router_path_is_safe(p, 2048) == 0);
    CHECK(router_path_is_safe(p, 2049) != 0);
    CHECK(router_path_is_safe(p, strlen(p)) != 0);
    /* a long segment that decodes to something long is fine */
    memcpy(p + 1, "npm/", 4);
    for (int i = 5; i + 3 <= 2000; i += 3)
        memcpy(p + i, "%41", 3);
    CHECK(router_path_is_safe(p, 2000) == 0);
    /* the check uses len, not the terminator */
    CHECK(router_path_is_safe("/npm/../x", 5) == 0); /* "/npm/" */
    CHECK(router_path_is_safe("/npm/../x", 7) != 0); /* "/npm/.." */
}

int main(void)
{
    RUN(ok_paths);
    RUN(traversal);
    RUN(control_and_nul);
    RUN(bad_percent);
    RUN(shape);
    return test_report();
}
