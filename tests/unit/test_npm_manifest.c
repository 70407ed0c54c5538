/* unit tests: ecosystems/npm/npm_manifest.h (manifest confusion: registry
 * manifest vs the tarball's package.json, and install-script detection). */
#include <stdlib.h>
#include <string.h>

#include "ecosystems/npm/npm_manifest.h"
#include "tests/unit/test.h"

static char g_diff[512];

static int cmp(const char *reg, const char *tar, int gyp)
{
    memset(g_diff, 'X', sizeof(g_diff));
    g_diff[sizeof(g_diff) - 1] = '\0';
    return npm_manifest_compare(reg, strlen(reg), tar, strlen(tar), gyp, g_diff, sizeof(g_diff));
}

#define SAME(reg, tar, gyp)                                                                                            \
    do {                                                                                                               \
        CHECK_INT_EQ(cmp(reg, tar, gyp), 0);                                                                           \
        CHECK_STR_EQ(g_diff, "");                                                                                      \
    } while (0)

#define DIFF(reg, tar, gyp, want)                                                                                      \
    do {                                                                                                               \
        CHECK_INT_EQ(cmp(reg, tar, gyp), 1);                                                                           \
        CHECK_STR_EQ(g_diff, want);                                                                                    \
    } while (0)

#define BASE "\"name\":\"@acme/tool\",\"version\":\"1.2.3\""

TEST(equal_manifests)
{
    /* member order, whitespace, fields not compared */
    SAME("{" BASE ",\"dependencies\":{\"a\":\"^1.0.0\",\"b\":\"~2\"},\"dist\":{\"shasum\":\"x\"},\"_id\":\"x\"}",
         "{\n  \"dependencies\": {\"b\": \"~2\", \"a\": \"^1.0.0\"},\n  \"version\": \"1.2.3\",\n"
         "  \"name\": \"@acme/tool\", \"description\": \"other\"\n}",
         0);
    /* bin as a string is {<name without scope>: path}; "./" is dropped */
    SAME("{" BASE ",\"bin\":{\"tool\":\"cli.js\"}}", "{" BASE ",\"bin\":\"./cli.js\"}", 0);
    SAME("{" BASE ",\"bin\":{\"tool\":\"bin/cli.js\",\"t\":\"bin/t.js\"}}",
         "{" BASE ",\"bin\":{\"t\":\"./bin/t.js\",\"tool\":\"./bin//cli.js\"}}", 0);
    SAME("{\"name\":\"plain\",\"bin\":{\"plain\":\"x.js\"}}", "{\"name\":\"plain\",\"bin\":\"x.js\"}", 0);
    /* absent and {} are the same; so is null */
    SAME("{" BASE ",\"scripts\":{},\"dependencies\":{},\"optionalDependencies\":{},\"bin\":{}}", "{" BASE "}", 0);
    SAME("{" BASE "}", "{" BASE ",\"scripts\":{},\"dependencies\":null,\"optionalDependencies\":{},\"bin\":{}}", 0);
    /* the install script npm adds for binding.gyp */
    SAME("{" BASE ",\"scripts\":{\"install\":\"node-gyp rebuild\",\"test\":\"t\"}}",
         "{" BASE ",\"scripts\":{\"test\":\"t\"}}", 1);
    SAME("{" BASE ",\"scripts\":{\"install\":\"node-gyp rebuild\"}}", "{" BASE ",\"scripts\":{\"install\":\"\"}}",
         1);
    /* scripts as npm cleans them at publish */
    SAME("{" BASE ",\"scripts\":{\"build\":\"tsc -p .\"}}",
         "{" BASE ",\"scripts\":{\"build\":\"./node_modules/.bin/tsc -p .\",\"bad\":42}}", 0);
    /* optional dependencies copied into dependencies by older npm */
    SAME("{" BASE ",\"dependencies\":{\"a\":\"1\",\"fsevents\":\"^2\"},\"optionalDependencies\":{\"fsevents\":\"^2\"}}",
         "{" BASE ",\"dependencies\":{\"a\":\"1\"},\"optionalDependencies\":{\"fsevents\":\"^2\"}}", 0);
    /* values compared as JSON: numbers by value, nested objects by members */
    SAME("{" BASE ",\"optionalDependencies\":{\"x\":{\"a\":1,\"b\":[1,2.0]}}}",
         "{" BASE ",\"optionalDependencies\":{\"x\":{\"b\":[1.0,2],\"a\":1e0}}}", 0);
    /* a duplicate key: the last wins, as with JSON.parse */
    SAME("{" BASE ",\"dependencies\":{\"a\":\"2\"}}", "{" BASE ",\"dependencies\":{\"a\":\"1\",\"a\":\"2\"}}", 0);
    /* no diff buffer */
    const char *m = "{" BASE "}";
    CHECK_INT_EQ(npm_manifest_compare(m, strlen(m), m, strlen(m), 0, NULL, 0), 0);
}

TEST(differences)
{
    DIFF("{" BASE "}", "{\"name\":\"@acme/tool2\",\"version\":\"1.2.3\"}", 0,
         "name: registry has \"@acme/tool\", the tarball has \"@acme/tool2\"");
    DIFF("{" BASE "}", "{\"name\":\"@acme/tool\"}", 0, "version: registry has \"1.2.3\", the tarball has none");
    DIFF("{" BASE "}", "{\"name\":\"@acme/tool\",\"version\":\"1.2.4\"}", 0,
         "version: registry has \"1.2.3\", the tarball has \"1.2.4\"");
    DIFF("{" BASE "}", "{\"name\":\"@acme/tool\",\"version\":123}", 0,
         "version: registry has \"1.2.3\", the tarball has 123");
    /* scripts added, changed, removed */
    DIFF("{" BASE "}", "{" BASE ",\"scripts\":{\"postinstall\":\"node x.js\"}}", 0,
         "scripts.postinstall: registry has none, the tarball has \"node x.js\"");
    DIFF("{" BASE ",\"scripts\":{\"test\":\"t\"}}", "{" BASE ",\"scripts\":{\"test\":\"t\",\"preinstall\":\"sh\"}}", 0,
         "scripts.preinstall: registry has none, the tarball has \"sh\"");
    DIFF("{" BASE ",\"scripts\":{\"install\":\"a\"}}", "{" BASE ",\"scripts\":{\"install\":\"b\"}}", 0,
         "scripts.install: registry has \"a\", the tarball has \"b\"");
    DIFF("{" BASE ",\"scripts\":{\"test\":\"t\"}}", "{" BASE "}", 0,
         "scripts.test: registry has \"t\", the tarball has none");
    /* the gyp exemption holds only with binding.gyp and no install of its own */
    DIFF("{" BASE ",\"scripts\":{\"install\":\"node-gyp rebuild\"}}", "{" BASE "}", 0,
         "scripts.install: registry has \"node-gyp rebuild\", the tarball has none");
    DIFF("{" BASE ",\"scripts\":{\"install\":\"node-gyp rebuild\"}}",
         "{" BASE ",\"scripts\":{\"preinstall\":\"curl x | sh\"}}", 1,
         "scripts.install: registry has \"node-gyp rebuild\", the tarball has none");
    DIFF("{" BASE ",\"scripts\":{\"install\":\"node-gyp rebuild\"}}",
         "{" BASE ",\"scripts\":{\"install\":\"node evil.js\"}}", 1,
         "scripts.install: registry has \"node-gyp rebuild\", the tarball has \"node evil.js\"");
    DIFF("{" BASE ",\"scripts\":{\"install\":\"node-gyp rebuild\"}}", "{" BASE ",\"gypfile\":false}", 1,
         "scripts.install: registry has \"node-gyp rebuild\", the tarball has none");
    DIFF("{" BASE ",\"scripts\":{\"install\":\"make\"}}", "{" BASE "}", 1,
         "scripts.install: registry has \"make\", the tarball has none");
    /* dependencies */
    DIFF("{" BASE ",\"dependencies\":{\"lodash\":\"^4.17.0\"}}", "{" BASE ",\"dependencies\":{\"lodash\":\"*\"}}", 0,
         "dependencies.lodash: registry has \"^4.17.0\", the tarball has \"*\"");
    DIFF("{" BASE ",\"dependencies\":{\"a\":\"1\"}}", "{" BASE ",\"dependencies\":{\"a\":\"1\",\"evil\":\"1\"}}", 0,
         "dependencies.evil: registry has none, the tarball has \"1\"");
    DIFF("{" BASE ",\"dependencies\":{\"a\":\"1\",\"b\":\"1\"}}", "{" BASE ",\"dependencies\":{\"a\":\"1\"}}", 0,
         "dependencies.b: registry has \"1\", the tarball has none");
    DIFF("{" BASE ",\"dependencies\":{\"a\":\"1\"}}", "{" BASE ",\"dependencies\":\"a\"}", 0,
         "dependencies: registry has {\"a\":\"1\"}, the tarball has \"a\"");
    /* an optional dependency only excuses the same value */
    DIFF("{" BASE ",\"dependencies\":{\"fsevents\":\"^2\"}}", "{" BASE ",\"optionalDependencies\":{\"fsevents\":\"^3\"}}",
         0, "dependencies.fsevents: registry has \"^2\", the tarball has none");
    DIFF("{" BASE ",\"optionalDependencies\":{\"x\":\"1\"}}", "{" BASE ",\"optionalDependencies\":{\"x\":\"2\"}}", 0,
         "optionalDependencies.x: registry has \"1\", the tarball has \"2\"");
    DIFF("{" BASE "}", "{" BASE ",\"optionalDependencies\":{\"x\":{\"a\":true}}}", 0,
         "optionalDependencies.x: registry has none, the tarball has {\"a\":true}");
    /* bin */
    DIFF("{" BASE ",\"bin\":{\"tool\":\"cli.js\"}}", "{" BASE ",\"bin\":\"./evil.js\"}", 0,
         "bin.tool: registry has \"cli.js\", the tarball has \"evil.js\"");
    DIFF("{" BASE ",\"bin\":{\"tool\":\"cli.js\"}}", "{" BASE ",\"bin\":{\"tool\":\"cli.js\",\"ls\":\"x.js\"}}", 0,
         "bin.ls: registry has none, the tarball has \"x.js\"");
    /* the first difference in field order is the one named */
    DIFF("{" BASE ",\"bin\":{\"a\":\"1\"},\"scripts\":{}}", "{" BASE ",\"scripts\":{\"z\":\"1\"}}", 0,
         "scripts.z: registry has none, the tarball has \"1\"");
    /* long values are cut */
    char big[600];
    strcpy(big, "{" BASE ",\"scripts\":{\"postinstall\":\"");
    size_t n = strlen(big);
    memset(big + n, 'a', 300);
    strcpy(big + n + 300, "\"}}");
    CHECK_INT_EQ(cmp("{" BASE "}", big, 0), 1);
    CHECK(strlen(g_diff) < 140);
    CHECK(strstr(g_diff, "aaa...") != NULL);
    /* a control byte in a key does not reach the line as such */
    DIFF("{" BASE "}", "{" BASE ",\"scripts\":{\"a\\nb\":\"c\\u0001\"}}", 0,
         "scripts.a?b: registry has none, the tarball has \"c\\u0001\"");
    /* a small diff buffer is cut, not overrun */
    char small[16];
    const char *r = "{" BASE "}", *t = "{\"name\":\"x\",\"version\":\"1.2.3\"}";
    CHECK_INT_EQ(npm_manifest_compare(r, strlen(r), t, strlen(t), 0, small, sizeof(small)), 1);
    CHECK_STR_EQ(small, "name: registry ");
}

TEST(not_objects)
{
    CHECK_INT_EQ(cmp("{" BASE "}", "{\"name\":", 0), -1);
    CHECK_STR_EQ(g_diff, "the tarball's package.json is not valid JSON");
    CHECK_INT_EQ(cmp("[1,2]", "{" BASE "}", 0), -1);
    CHECK_STR_EQ(g_diff, "the registry manifest is not a JSON object");
    CHECK_INT_EQ(cmp("{" BASE "}", "\"text\"", 0), -1);
    CHECK_STR_EQ(g_diff, "the tarball's package.json is not a JSON object");
    CHECK_INT_EQ(cmp("", "{}", 0), -1);
    CHECK_STR_EQ(g_diff, "the registry manifest is not valid JSON");
    CHECK_INT_EQ(cmp("{} {}", "{}", 0), -1);
    CHECK_INT_EQ(cmp("{}", "{/* c */}", 0), -1);
    CHECK_STR_EQ(g_diff, "the tarball's package.json is not valid JSON (comment)");
    CHECK_INT_EQ(cmp("{}", "{\"name\":\"a\\u0000b\"}", 0), -1);
    CHECK_STR_EQ(g_diff, "the tarball's package.json has a \\u0000 escape");
    CHECK_INT_EQ(npm_manifest_compare("{}\0{\"a\":1}", 9, "{}", 2, 0, g_diff, sizeof(g_diff)), -1);
    CHECK_INT_EQ(npm_manifest_compare(NULL, 0, "{}", 2, 0, g_diff, sizeof(g_diff)), -1);
    /* deep nesting is refused before yajl_tree recurses on it */
    size_t n = 100000;
    char *deep = malloc(2 * n + 8);
    CHECK(deep != NULL);
    if (deep == NULL)
        return;
    memcpy(deep, "{\"a\":", 5);
    memset(deep + 5, '[', n);
    memset(deep + 5 + n, ']', n);
    strcpy(deep + 5 + 2 * n, "}");
    CHECK_INT_EQ(npm_manifest_compare("{}", 2, deep, strlen(deep), 0, g_diff, sizeof(g_diff)), -1);
    CHECK_STR_EQ(g_diff, "the tarball's package.json nests deeper than 64 levels");
    CHECK_INT_EQ(npm_manifest_has_install_script(deep, strlen(deep)), -1);
    free(deep);
    /* over 4 MB */
    size_t big = 4 * 1024 * 1024 + 10;
    char *huge = malloc(big);
    CHECK(huge != NULL);
    if (huge == NULL)
        return;
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    CHECK_INT_EQ(npm_manifest_compare("{}", 2, huge, big, 0, g_diff, sizeof(g_diff)), -1);
    CHECK_STR_EQ(g_diff, "the tarball's package.json is larger than 4 MB");
    CHECK_INT_EQ(npm_manifest_compare(huge, big - 20, "{}", 2, 0, g_diff, sizeof(g_diff)), -1);
    free(huge);
}

static int his(const char *s) { return npm_manifest_has_install_script(s, strlen(s)); }

TEST(install_scripts)
{
    CHECK_INT_EQ(his("{\"scripts\":{\"postinstall\":\"node x.js\"}}"), 1);
    CHECK_INT_EQ(his("{\"scripts\":{\"preinstall\":\"x\"}}"), 1);
    CHECK_INT_EQ(his("{\"name\":\"a\",\"scripts\":{\"test\":\"t\",\"install\":\"node-gyp rebuild\"}}"), 1);
    CHECK_INT_EQ(his("{\"scripts\":{\"test\":\"t\",\"prepare\":\"x\",\"postinstal\":\"x\"}}"), 0);
    CHECK_INT_EQ(his("{\"scripts\":{\"install\":\"\"}}"), 0);
    CHECK_INT_EQ(his("{\"scripts\":{\"install\":42}}"), 0);
    CHECK_INT_EQ(his("{\"scripts\":\"postinstall\"}"), 0);
    CHECK_INT_EQ(his("{\"postinstall\":\"x\"}"), 0);
    CHECK_INT_EQ(his("{}"), 0);
    CHECK_INT_EQ(his("[]"), 0);
    /* any duplicate counts: another reader may keep another one */
    CHECK_INT_EQ(his("{\"scripts\":{\"install\":\"x\"},\"scripts\":{}}"), 1);
    CHECK_INT_EQ(his("{\"scripts\":{\"install\":\"x\",\"install\":\"\"}}"), 1);
    CHECK_INT_EQ(his("{\"scripts\":"), -1);
    CHECK_INT_EQ(his(""), -1);
    CHECK_INT_EQ(npm_manifest_has_install_script(NULL, 0), -1);
}

int main(void)
{
    RUN(equal_manifests);
    RUN(differences);
    RUN(not_objects);
    RUN(install_scripts);
    return test_report();
}
