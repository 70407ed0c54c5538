/* pep508: requirement lines, environment markers, PEP 440 specifier sets
 * and the Requires-Dist values of a core metadata document. */
#include <stdlib.h>
#include <string.h>

#include "ecosystems/pypi/pep508.h"
#include "tests/unit/test.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- requirement lines ---- */

typedef struct {
    const char *line;
    const char *name, *normalized, *extras, *specifier, *url, *marker;
} good_req_t;

TEST(parse_forms)
{
    static const good_req_t cases[] = {
        {"requests", "requests", "requests", "", "", NULL, NULL},
        {"  requests \r\n", "requests", "requests", "", "", NULL, NULL},
        {"Django_REST.framework", "Django_REST.framework", "django-rest-framework", "", "", NULL, NULL},
        {"A.B-C__D", "A.B-C__D", "a-b-c-d", "", "", NULL, NULL},
        {"a", "a", "a", "", "", NULL, NULL},
        {"requests>=2.8.1", "requests", "requests", "", ">=2.8.1", NULL, NULL},
        {"requests >= 2.8.1 , < 3", "requests", "requests", "", ">=2.8.1,<3", NULL, NULL},
        {"requests (>=2.8.1,<3)", "requests", "requests", "", ">=2.8.1,<3", NULL, NULL},
        {"requests ( >= 2.8.1 , < 3 )", "requests", "requests", "", ">=2.8.1,<3", NULL, NULL},
        {"requests(==2.*)", "requests", "requests", "", "==2.*", NULL, NULL},
        {"name[extra1,extra2] (>=1.0) ; python_version < \"3.8\"", "name", "name", "extra1,extra2", ">=1.0", NULL,
         "python_version < \"3.8\""},
        {"name[ a , b ]", "name", "name", "a,b", "", NULL, NULL},
        {"name [Socks_X]", "name", "name", "Socks_X", "", NULL, NULL},
        {"name[]", "name", "name", "", "", NULL, NULL},
        {"name~=1.4.2", "name", "name", "", "~=1.4.2", NULL, NULL},
        {"name===foobar", "name", "name", "", "===foobar", NULL, NULL},
        {"name==1.0+local.7", "name", "name", "", "==1.0+local.7", NULL, NULL},
        {"name!=1.5.7,>=1.5.6 ; extra == 'socks'", "name", "name", "", "!=1.5.7,>=1.5.6", NULL, "extra == 'socks'"},
        {"name;os_name=='nt'", "name", "name", "", "", NULL, "os_name=='nt'"},
        {"name>=1.0;python_version<'3'", "name", "name", "", ">=1.0", NULL, "python_version<'3'"},
        {"name ;  sys_platform == 'win32'  ", "name", "name", "", "", NULL, "sys_platform == 'win32'"},
        {"pip @ https://example.org/pip-1.0.whl", "pip", "pip", "", "", "https://example.org/pip-1.0.whl", NULL},
        {"pip[x]@https://example.org/p.whl", "pip", "pip", "x", "", "https://example.org/p.whl", NULL},
        {"pip [x] @ git+https://example.org/pip.git@v1.0 ; os_name == 'posix'", "pip", "pip", "x", "",
         "git+https://example.org/pip.git@v1.0", "os_name == 'posix'"},
        /* a ';' that touches the URL is part of the URL */
        {"pip @ https://example.org/a.whl;python_version<'3'", "pip", "pip", "", "",
         "https://example.org/a.whl;python_version<'3'", NULL},
        {"pip @ file:///tmp/pip.whl", "pip", "pip", "", "", "file:///tmp/pip.whl", NULL},
    };
    for (size_t i = 0; i < N(cases); i++) {
        const good_req_t *c = &cases[i];
        pep508_req_t r;
        char err[200] = "";
        int rc = pep508_parse(c->line, &r, err, sizeof(err));
        if (rc != 0)
            fprintf(stderr, "refused '%s': %s\n", c->line, err);
        CHECK_INT_EQ(rc, 0);
        if (rc != 0)
            continue;
        CHECK_STR_EQ(r.name, c->name);
        CHECK_STR_EQ(r.normalized, c->normalized);
        CHECK_STR_EQ(r.extras, c->extras);
        CHECK_STR_EQ(r.specifier, c->specifier);
        CHECK_STR_EQ(r.url, c->url);
        CHECK_STR_EQ(r.marker, c->marker);
        pep508_req_free(&r);
        pep508_req_free(&r); /* safe twice */
        CHECK(r.specifier == NULL && r.url == NULL && r.marker == NULL);
    }
}

TEST(parse_rejects)
{
    static const char *bad[] = {
        "",
        "   ",
        ">=1.0",
        "-name",
        "name-",
        "name_ >=1",
        "na me",
        "name extra",
        "name[",
        "name[a",
        "name[a,]",
        "name[,a]",
        "name[a b]",
        "name[a-]",
        "name>=",
        "name>=1.0,",
        "name>=1.0,,<2",
        "name=1.0",
        "name 1.0",
        "name(>=1.0",
        "name (>=1.0))",
        "name ()",
        "name>=abc",
        "name~=1",
        "name~=1.0.*",
        "name<1.0+local",
        "name>=1.0.*",
        "name==1.0a1.*",
        "name>=1.0 @ https://example.org/a.whl",
        "name @",
        "name @ not-a-url",
        "name @ :nothing",
        "name @ https://example.org/a.whl extra",
        "name @ https://example.org/a.whl ; ",
        "name ;",
        "name ; bogus == 'x'",
        "name ; os_name ==",
        "name ; (os_name == 'a'",
        "name ; os_name == 'a')",
        "name ; os_name == 'a' and",
        "name\x01",
        "name\n>=1",
        "name[\xc3\xa9]",
        "na\xc3\xafve",
        "name ; os_name == 'a\nb'",
    };
    for (size_t i = 0; i < N(bad); i++) {
        pep508_req_t r;
        char err[200] = "";
        int rc = pep508_parse(bad[i], &r, err, sizeof(err));
        if (rc != -1)
            fprintf(stderr, "accepted '%s'\n", bad[i]);
        CHECK(rc == -1 && err[0] != '\0' && r.specifier == NULL && r.url == NULL && r.marker == NULL &&
              r.name[0] == '\0');
        pep508_req_free(&r);
    }
    pep508_req_t r;
    CHECK(pep508_parse(NULL, &r, NULL, 0) == -1); /* no err buffer: still refused */
}

TEST(parse_bounds)
{
    char line[4200];
    pep508_req_t r;
    char err[200];
    /* a name of 127 characters fits, 128 does not */
    memset(line, 'n', 127);
    line[127] = '\0';
    CHECK(pep508_parse(line, &r, err, sizeof(err)) == 0 && strlen(r.name) == 127);
    pep508_req_free(&r);
    memset(line, 'n', 128);
    line[128] = '\0';
    CHECK(pep508_parse(line, &r, err, sizeof(err)) == -1);
    /* 4096 bytes are read, 4097 refused (white space counts) */
    memcpy(line, "name>=1.0", 9);
    memset(line + 9, ' ', 4096 - 9);
    line[4096] = '\0';
    CHECK(pep508_parse(line, &r, err, sizeof(err)) == 0 && strcmp(r.specifier, ">=1.0") == 0);
    pep508_req_free(&r);
    line[4096] = ' ';
    line[4097] = '\0';
    CHECK(pep508_parse(line, &r, err, sizeof(err)) == -1 && strstr(err, "4096") != NULL);
    /* extras: 255 bytes fit */
    strcpy(line, "n[");
    memset(line + 2, 'e', 255);
    strcpy(line + 257, "]");
    CHECK(pep508_parse(line, &r, err, sizeof(err)) == 0 && strlen(r.extras) == 255);
    pep508_req_free(&r);
    strcpy(line, "n[");
    memset(line + 2, 'e', 256);
    strcpy(line + 258, "]");
    CHECK(pep508_parse(line, &r, err, sizeof(err)) == -1);
}

/* ---- markers ---- */

typedef struct {
    const char *marker;
    const char *extra; /* the requested extra, NULL none */
    int want;
} marker_case_t;

TEST(markers)
{
    static const marker_case_t cases[] = {
        /* versions compare as versions: "3.11" < "3.8" as strings */
        {"python_version < \"3.8\"", NULL, 0},
        {"python_version >= \"3.8\"", NULL, 1},
        {"python_version > '3.9'", NULL, 1},
        {"python_version == \"3.11\"", NULL, 1},
        {"python_version == \"3.11.0\"", NULL, 1},
        {"python_version == \"3.*\"", NULL, 1},
        {"python_version != \"3.11\"", NULL, 0},
        {"python_version <= \"3.10\"", NULL, 0},
        {"python_version ~= \"3.10\"", NULL, 1},
        {"python_version ~= \"3.12\"", NULL, 0},
        {"python_version < \"3.11.0a1\"", NULL, 0},
        {"python_full_version >= \"3.11.0rc1\"", NULL, 1},
        {"python_full_version < \"3.11.1\"", NULL, 1},
        {"implementation_version >= \"3.11\"", NULL, 1},
        /* the variable on the right */
        {"\"3.8\" > python_version", NULL, 0},
        {"\"3.12\" > python_version", NULL, 1},
        {"'3.11' == python_version", NULL, 1},
        /* strings */
        {"os_name == \"posix\"", NULL, 1},
        {"os_name == 'nt'", NULL, 0},
        {"sys_platform == \"win32\"", NULL, 0},
        {"sys_platform != \"win32\"", NULL, 1},
        {"sys_platform == 'linux'", NULL, 1},
        {"platform_machine == \"x86_64\"", NULL, 1},
        {"platform_machine == \"aarch64\"", NULL, 0},
        {"platform_machine >= \"x86\"", NULL, 1},
        {"platform_system == \"Linux\"", NULL, 1},
        {"platform_system == \"Windows\"", NULL, 0},
        {"platform_python_implementation == \"CPython\"", NULL, 1},
        {"implementation_name == \"pypy\"", NULL, 0},
        {"platform_release == ''", NULL, 1},
        {"platform_version >= '1'", NULL, 0},
        {"'a' == 'a'", NULL, 1},
        {"'x' < 'y'", NULL, 1},
        {"'it''s' == 'x'", NULL, -1},
        {"\"it's\" == \"it's\"", NULL, 1},
        {"os_name === \"POSIX\"", NULL, 1},
        {"python_version === \"3.11\"", NULL, 1},
        {"python_version === \"3.11.0\"", NULL, 0},
        /* in / not in: a substring of the right side */
        {"platform_machine in \"x86_64 amd64\"", NULL, 1},
        {"\"arm\" in platform_machine", NULL, 0},
        {"'86' in platform_machine", NULL, 1},
        {"\"win\" not in sys_platform", NULL, 1},
        {"'linux' not   in sys_platform", NULL, 0},
        /* and binds tighter than or; parentheses */
        {"os_name == \"nt\" and sys_platform == \"win32\" or python_version >= \"3\"", NULL, 1},
        {"os_name == \"nt\" and (sys_platform == \"win32\" or python_version >= \"3\")", NULL, 0},
        {"os_name == \"posix\" or os_name == \"nt\" and sys_platform == \"win32\"", NULL, 1},
        {"(os_name == \"posix\" or os_name == \"nt\") and sys_platform == \"win32\"", NULL, 0},
        {"python_version >= '3' and os_name == 'posix' and sys_platform == 'linux'", NULL, 1},
        {"python_version >= '3' and os_name == 'posix' and sys_platform == 'darwin'", NULL, 0},
        {"os_name == 'a' or os_name == 'b' or os_name == 'posix'", NULL, 1},
        {"((((python_version >= \"3\"))))", NULL, 1},
        {"python_version<\"3.8\"or os_name==\"posix\"", NULL, 1},
        {"os_name==\"posix\"and(python_version>\"3\")", NULL, 1},
        {"\tos_name == 'posix'\t", NULL, 1},
        /* extra */
        {"extra == \"test\"", NULL, 0},
        {"extra != \"test\"", NULL, 1},
        {"extra == \"test\"", "", 0},
        {"extra == \"test\"", "test", 1},
        {"extra == 'doc'", "test", 0},
        {"extra == \"Test_Extra\"", "test-extra", 1},
        {"extra == \"test.extra\"", "TEST__EXTRA", 1},
        {"\"socks\" == extra", "SOCKS", 1},
        {"python_version >= \"3.8\" and extra == \"socks\"", "socks", 1},
        {"python_version < \"3.8\" and extra == \"socks\"", "socks", 0},
        {"extra == 'a' or extra == 'b'", "b", 1},
        /* the older spellings */
        {"os.name == \"posix\"", NULL, 1},
        {"sys.platform == \"linux\"", NULL, 1},
        {"python_implementation == \"CPython\"", NULL, 1},
    };
    for (size_t i = 0; i < N(cases); i++) {
        const marker_case_t *c = &cases[i];
        pep508_env_t env;
        pep508_env_default(&env);
        env.extra = c->extra;
        char err[200] = "";
        int got = pep508_marker_eval(c->marker, &env, err, sizeof(err));
        if (got != c->want)
            fprintf(stderr, "marker '%s' (extra %s): %d, want %d (%s)\n", c->marker, c->extra ? c->extra : "none",
                    got, c->want, err);
        CHECK_INT_EQ(got, c->want);
        if (got == -1)
            CHECK(err[0] != '\0');
    }
}

TEST(markers_env)
{
    pep508_env_t env;
    pep508_env_default(&env);
    CHECK_STR_EQ(env.python_version, "3.11");
    CHECK_STR_EQ(env.sys_platform, "linux");
    CHECK_STR_EQ(env.platform_machine, "x86_64");
    CHECK(env.extra == NULL);
    /* NULL env: the default one */
    CHECK(pep508_marker_eval("sys_platform == 'linux'", NULL, NULL, 0) == 1);
    /* another machine */
    env.sys_platform = "win32";
    env.os_name = "nt";
    env.platform_system = "Windows";
    env.platform_machine = "AMD64";
    env.python_version = "3.7";
    CHECK(pep508_marker_eval("sys_platform == \"win32\"", &env, NULL, 0) == 1);
    CHECK(pep508_marker_eval("python_version < \"3.8\"", &env, NULL, 0) == 1);
    CHECK(pep508_marker_eval("platform_machine == 'x86_64'", &env, NULL, 0) == 0);
    /* a value that is no version compares as a string */
    env.platform_release = "5.10.0-23-amd64";
    CHECK(pep508_marker_eval("platform_release >= '5'", &env, NULL, 0) == 1);
    CHECK(pep508_marker_eval("platform_release == '5.10'", &env, NULL, 0) == 0);
    env.python_version = NULL; /* a missing value is the empty string */
    CHECK(pep508_marker_eval("python_version == ''", &env, NULL, 0) == 1);
}

TEST(markers_malformed)
{
    static const char *bad[] = {
        "",
        "   ",
        "python_version",
        "python_version <",
        "python_version < 3.8",
        "python_version < '3.8",
        "foo == 'x'",
        "Python_Version == '3'",
        "(python_version < '3.8'",
        "python_version < '3.8')",
        "()",
        "python_version < '3.8' and",
        "or python_version < '3.8'",
        "python_version < '3.8' or or os_name == 'nt'",
        "os_name = 'posix'",
        "os_name 'posix'",
        "os_name not 'posix'",
        "os_name notin 'posix'",
        "os_name ! = 'posix'",
        "os_name ~= 'posix'",
        "extra ~= 'x'",
        "os_name == 'posix' xor os_name == 'nt'",
        "os_name == 'posix' andos_name == 'nt'",
        "os_name == 'posix' os_name == 'nt'",
        "os_name == \"posix\x01\"",
        /* malformed after a true part: refused all the same */
        "os_name == 'posix' or bogus == 'x'",
    };
    for (size_t i = 0; i < N(bad); i++) {
        char err[200] = "";
        int got = pep508_marker_eval(bad[i], NULL, err, sizeof(err));
        if (got != -1)
            fprintf(stderr, "accepted marker '%s': %d\n", bad[i], got);
        CHECK(got == -1 && err[0] != '\0');
    }
    CHECK(pep508_marker_eval(NULL, NULL, NULL, 0) == -1);
}

TEST(markers_bounds)
{
    char m[5000];
    char err[200];
    /* 32 levels of parentheses are read, 33 refused */
    for (int depth = 32; depth <= 33; depth++) {
        size_t o = 0;
        for (int i = 0; i < depth; i++)
            m[o++] = '(';
        o += (size_t)sprintf(m + o, "os_name == 'posix'");
        for (int i = 0; i < depth; i++)
            m[o++] = ')';
        m[o] = '\0';
        int got = pep508_marker_eval(m, NULL, err, sizeof(err));
        CHECK_INT_EQ(got, depth == 32 ? 1 : -1);
        pep508_req_t r;
        char line[5100];
        snprintf(line, sizeof(line), "name ; %s", m);
        CHECK_INT_EQ(pep508_parse(line, &r, err, sizeof(err)), depth == 32 ? 0 : -1);
        pep508_req_free(&r);
    }
    /* depth counts nesting, not how many groups there are */
    size_t o = 0;
    for (int i = 0; i < 100; i++)
        o += (size_t)sprintf(m + o, "%s(os_name == 'x')", i ? " or " : "");
    CHECK(pep508_marker_eval(m, NULL, err, sizeof(err)) == 0);
    /* 4096 bytes, then refused */
    memset(m, ' ', 4096);
    memcpy(m, "os_name == 'posix'", 18);
    m[4096] = '\0';
    CHECK(pep508_marker_eval(m, NULL, err, sizeof(err)) == 1);
    m[4096] = ' ';
    m[4097] = '\0';
    CHECK(pep508_marker_eval(m, NULL, err, sizeof(err)) == -1);
}

/* ---- specifiers ---- */

typedef struct {
    const char *spec, *version;
    int prereleases, want;
} spec_case_t;

TEST(specifiers)
{
    static const spec_case_t cases[] = {
        /* each operator */
        {">=1.0", "1.0", 0, 1},
        {">=1.0", "0.9", 0, 0},
        {">= 1.0", "1.0.1", 0, 1},
        {">1.0", "1.0", 0, 0},
        {">1.0", "1.0.1", 0, 1},
        {">1.7", "1.7.post1", 0, 0},
        {">1.7.post1", "1.7.post2", 0, 1},
        {">1.7", "1.7+local", 0, 0},
        {">1.7", "1.8+local", 0, 1},
        {"<1.0", "0.9", 0, 1},
        {"<1.0", "1.0", 0, 0},
        {"<3.1", "3.1.dev0", 1, 0},
        {"<3.1", "3.1rc1", 1, 0},
        {"<3.1", "3.0.dev0", 1, 1},
        {"<3.1rc1", "3.1a1", 0, 1},
        {"<=1.0", "1.0", 0, 1},
        {"<=1.0", "1.0+local", 0, 1},
        {"<=1.0", "1.0.post1", 0, 0},
        {"==1.0", "1.0", 0, 1},
        {"==1.0", "1.0.0", 0, 1},
        {"==1.0", "1.1", 0, 0},
        {"==1.0", "v1.0", 0, 1},
        {"==1!1.0", "1.0", 0, 0},
        {"!=1.0", "1.1", 0, 1},
        {"!=1.0", "1.0", 0, 0},
        /* local versions */
        {"==1.0", "1.0+local", 0, 1},
        {"==1.0", "1.0+ubuntu.1", 0, 1},
        {"==1.0+local", "1.0", 0, 0},
        {"==1.0+local", "1.0+local", 0, 1},
        {"==1.0+LOCAL", "1.0+local", 0, 1},
        {"==1.0+local", "1.0+other", 0, 0},
        {"!=1.0", "1.0+local", 0, 0},
        {"!=1.0+local", "1.0", 0, 1},
        {">=1.0", "1.0+local", 0, 1},
        /* wildcards */
        {"==1.0.*", "1.0.5", 0, 1},
        {"==1.0.*", "1.0", 0, 1},
        {"==1.0.*", "1", 0, 1},
        {"==1.0.*", "1.1", 0, 0},
        {"==1.0.*", "1.0.post1", 0, 1},
        {"==1.0.*", "1.0.5+local", 0, 1},
        {"==1.*", "1.9.9", 0, 1},
        {"==1.*", "2.0", 0, 0},
        {"==1.*", "2!1.0", 0, 0},
        {"==2!1.*", "2!1.3", 0, 1},
        {"==1.0.*", "1.0a1", 1, 1},
        {"==1.0.*", "1.0a1", 0, 0},
        {"!=1.0.*", "1.0.1", 0, 0},
        {"!=1.0.*", "1.1", 0, 1},
        /* compatible release */
        {"~=1.4.5", "1.4.5", 0, 1},
        {"~=1.4.5", "1.4.9", 0, 1},
        {"~=1.4.5", "1.5.0", 0, 0},
        {"~=1.4.5", "1.4.4", 0, 0},
        {"~=2.2", "2.9", 0, 1},
        {"~=2.2", "3.0", 0, 0},
        {"~=2.2", "2.1", 0, 0},
        {"~=2.2.post3", "2.2.post3", 0, 1},
        {"~=2.2.post3", "2.2", 0, 0},
        {"~=2.2.post3", "2.3", 0, 1},
        {"~=1.4.5a4", "1.4.5", 0, 1},
        {"~=1.4.5a4", "1.4.5a4", 0, 1},
        {"~=1.4.5a4", "1.5", 0, 0},
        {"~=1.0", "1.0+local", 0, 1},
        /* arbitrary equality */
        {"===1.0", "1.0", 0, 1},
        {"===1.0", "1.0.0", 0, 0},
        {"===foobar", "FooBar", 0, 1},
        {"===foobar", "foobar", 0, 1},
        {"===foobar", "other", 0, 0},
        /* pre-releases: excluded unless admitted or named */
        {">=1.0", "2.0a1", 0, 0},
        {">=1.0", "2.0a1", 1, 1},
        {">=1.0a1", "2.0a1", 0, 1},
        {">=1.0", "2.0.dev1", 0, 0},
        {">=1.0.dev0", "2.0.dev1", 0, 1},
        {">=1.0,<3.0b1", "2.0b1", 0, 1},
        {"!=1.0a1", "2.0b1", 0, 0},
        {">=1.0", "1.0.post1", 0, 1},
        {"", "1.0a1", 0, 0},
        {"", "1.0a1", 1, 1},
        {"", "1.0", 0, 1},
        {"  ", "1.0", 0, 1},
        /* sets */
        {">=1.0,<2.0", "1.5", 0, 1},
        {">=1.0,<2.0", "2.0", 0, 0},
        {" >= 1.0 , < 2.0 ", "1.5", 0, 1},
        {">=1.0,!=1.5", "1.5", 0, 0},
        {">=1.0,!=1.5", "1.6", 0, 1},
        {">=1.0,<2.0,!=1.3.*", "1.3.4", 0, 0},
        /* malformed */
        {"=1.0", "1.0", 0, -1},
        {"1.0", "1.0", 0, -1},
        {">=", "1.0", 0, -1},
        {">=1.0,", "1.0", 0, -1},
        {",>=1.0", "1.0", 0, -1},
        {">=1.0,,<2", "1.0", 0, -1},
        {"~=1", "1.0", 0, -1},
        {"~=1.0.*", "1.0", 0, -1},
        {">=1.0.*", "1.0", 0, -1},
        {"<1.0+local", "1.0", 0, -1},
        {"~=1.0+local", "1.0", 0, -1},
        {"==1.0a1.*", "1.0", 0, -1},
        {"==1.0+x.*", "1.0", 0, -1},
        {"==1.*.*", "1.0", 0, -1},
        {"==1.0 .*", "1.0", 0, -1},
        {"> =1.0", "1.0", 0, -1},
        {">=abc", "1.0", 0, -1},
        {">=1.0 2.0", "1.0", 0, -1},
        {">=1.0", "not a version", 0, -1},
        {">=1.0", "", 0, -1},
        {"", "junk", 0, -1},
        {">=1.0,===x", "x", 0, -1},
        {"===", "1.0", 0, -1},
    };
    for (size_t i = 0; i < N(cases); i++) {
        const spec_case_t *c = &cases[i];
        int got = pep440_specifier_match(c->spec, c->version, c->prereleases);
        if (got != c->want)
            fprintf(stderr, "'%s' ~ '%s' (prereleases %d): %d, want %d\n", c->spec, c->version, c->prereleases, got,
                    c->want);
        CHECK_INT_EQ(got, c->want);
    }
    CHECK(pep440_specifier_match(NULL, "1.0", 0) == -1);
    CHECK(pep440_specifier_match(">=1", NULL, 0) == -1);
}

TEST(specifiers_bounds)
{
    /* a long set is matched without storing it: 4096 bytes of clauses */
    char s[4200];
    size_t o = 0;
    while (o + 6 <= 4096)
        o += (size_t)sprintf(s + o, "%s>=1.0", o ? "," : "");
    CHECK(pep440_specifier_match(s, "1.0", 0) == 1);
    memset(s + o, ' ', 4097 - o);
    s[4097] = '\0';
    CHECK(pep440_specifier_match(s, "1.0", 0) == -1);
    /* a clause's version is bounded too */
    char v[400] = "==1";
    for (int i = 0; i < 150; i++)
        strcat(v, ".0");
    CHECK(pep440_specifier_match(v, "1.0", 0) == -1);
}

/* ---- Requires-Dist ---- */

typedef struct {
    char values[16][200];
    int n;
} collected_t;

static void collect(const char *value, void *arg)
{
    collected_t *c = arg;
    if (c->n < 16)
        snprintf(c->values[c->n], sizeof(c->values[0]), "%s", value);
    c->n++;
}

static const char SAMPLE[] = "Metadata-Version: 2.1\n"
                             "Name: sample\n"
                             "Version: 1.0\n"
                             "Summary: a sample\n"
                             "Requires-Dist: requests (>=2.8.1)\n"
                             "Requires-Dist: idna<4,\n"
                             "  >=2.5\n"
                             "Requires-Dist: PySocks!=1.5.7,>=1.5.6 ; extra == 'socks'\n"
                             "requires-dist: chardet<6,>=3.0.2; python_version < \"3\"\n"
                             "Description: long text\n"
                             "\tfolded with a tab\n"
                             "Requires-Dist:\n"
                             "  win-inet-pton ; sys_platform == \"win32\"\n"
                             "Requires-Dist-X: not this one\n"
                             "Provides-Extra: socks\n"
                             "\n"
                             "Requires-Dist: in-the-body\n";

static const char *const SAMPLE_WANT[] = {
    "requests (>=2.8.1)",
    "idna<4,  >=2.5",
    "PySocks!=1.5.7,>=1.5.6 ; extra == 'socks'",
    "chardet<6,>=3.0.2; python_version < \"3\"",
    "win-inet-pton ; sys_platform == \"win32\"",
};

TEST(requires_dist)
{
    collected_t c = {.n = 0};
    int n = pep508_requires_dist(SAMPLE, strlen(SAMPLE), collect, &c);
    CHECK_INT_EQ(n, 5);
    CHECK_INT_EQ(c.n, 5);
    for (int i = 0; i < 5 && i < c.n; i++)
        CHECK_STR_EQ(c.values[i], SAMPLE_WANT[i]);
    /* every value parses; the default environment, no extra, wants two */
    int active = 0;
    for (int i = 0; i < c.n && i < 16; i++) {
        pep508_req_t r;
        char err[200];
        CHECK(pep508_parse(c.values[i], &r, err, sizeof(err)) == 0);
        if (r.marker == NULL || pep508_marker_eval(r.marker, NULL, err, sizeof(err)) == 1)
            active++;
        if (i == 1)
            CHECK_STR_EQ(r.specifier, "<4,>=2.5");
        pep508_req_free(&r);
    }
    CHECK_INT_EQ(active, 2);

    /* the same with CRLF line ends, and with lone CRs */
    char crlf[sizeof(SAMPLE) * 2], cr[sizeof(SAMPLE)];
    size_t o = 0;
    for (const char *p = SAMPLE; *p; p++) {
        if (*p == '\n')
            crlf[o++] = '\r';
        crlf[o++] = *p;
    }
    crlf[o] = '\0';
    collected_t d = {.n = 0};
    CHECK_INT_EQ(pep508_requires_dist(crlf, o, collect, &d), 5);
    for (int i = 0; i < 5 && i < d.n; i++)
        CHECK_STR_EQ(d.values[i], SAMPLE_WANT[i]);
    for (size_t i = 0; i < sizeof(SAMPLE); i++)
        cr[i] = SAMPLE[i] == '\n' ? '\r' : SAMPLE[i];
    collected_t e = {.n = 0};
    CHECK_INT_EQ(pep508_requires_dist(cr, strlen(cr), collect, &e), 5);
    CHECK(e.n == 5 && strcmp(e.values[1], SAMPLE_WANT[1]) == 0);
    /* no callback: counted only */
    CHECK_INT_EQ(pep508_requires_dist(SAMPLE, strlen(SAMPLE), NULL, NULL), 5);
    /* len bounds the document */
    CHECK_INT_EQ(pep508_requires_dist(SAMPLE, 22, NULL, NULL), 0);
}

TEST(requires_dist_edges)
{
    collected_t c = {.n = 0};
    /* no blank line: the whole document is headers */
    const char *a = "Name: x\nRequires-Dist: a";
    CHECK_INT_EQ(pep508_requires_dist(a, strlen(a), collect, &c), 1);
    CHECK(c.n == 1 && strcmp(c.values[0], "a") == 0);
    /* an empty value is still a value */
    c.n = 0;
    const char *b = "Requires-Dist:\nName: x\n";
    CHECK_INT_EQ(pep508_requires_dist(b, strlen(b), collect, &c), 1);
    CHECK(c.n == 1 && c.values[0][0] == '\0');
    /* a line that is no header ends the block, as a blank line would */
    const char *d = "Name: x\nnot a header\nRequires-Dist: hidden\n";
    CHECK_INT_EQ(pep508_requires_dist(d, strlen(d), NULL, NULL), 0);
    const char *sp = "Name: x\nRequires-Dist : spaced\n";
    CHECK_INT_EQ(pep508_requires_dist(sp, strlen(sp), NULL, NULL), 0);
    /* a NUL inside a value does not cut it short: it arrives as 0x1A */
    const char nul[] = "Requires-Dist: a\0b\n";
    c.n = 0;
    CHECK_INT_EQ(pep508_requires_dist(nul, sizeof(nul) - 1, collect, &c), 1);
    CHECK(c.n == 1 && strcmp(c.values[0], "a\x1a" "b") == 0);
    pep508_req_t r;
    CHECK(pep508_parse(c.values[0], &r, NULL, 0) == -1);
    /* no header block */
    static const char *none[] = {"", "\nRequires-Dist: x\n", "  continued\nRequires-Dist: x\n", "<html>\n",
                                 ": no name\n", "\xef\xbb\xbfName: bom\n"};
    for (size_t i = 0; i < N(none); i++)
        CHECK_INT_EQ(pep508_requires_dist(none[i], strlen(none[i]), collect, &c), -1);
    CHECK_INT_EQ(pep508_requires_dist(NULL, 10, collect, &c), -1);
}

int main(void)
{
    RUN(parse_forms);
    RUN(parse_rejects);
    RUN(parse_bounds);
    RUN(markers);
    RUN(markers_env);
    RUN(markers_malformed);
    RUN(markers_bounds);
    RUN(specifiers);
    RUN(specifiers_bounds);
    RUN(requires_dist);
    RUN(requires_dist_edges);
    return test_report();
}
