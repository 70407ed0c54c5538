/* unit tests: ecosystems/npm/npm_packument.h: span-recording parse of a
 * realistic packument, full and abbreviated rendering (re-parsed with
 * yajl's tree API to prove the output is JSON and says the right things),
 * and malformed input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "ecosystems/npm/npm_packument.h"
#include "tests/unit/test.h"

#define SRI_A "sha512-B+VH2VhvanP3P7rAQ17XaVEhj7fQyNeIownXhUNru2Quk6JSqVTyORJUfR6KO17W4b/XCXghIz+gU489uFT+5g=="
#define SRI_B "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
#define SHA1_A "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"
#define UP "https://npm-upstream.example/@acme/widget/-/"
#define BASE "http://127.0.0.1:7878/npm/@acme/widget/-/"

/* pieces whose spans are checked byte for byte */
#define NAME_TOKEN "\"@acme/widget\""
#define DEPS_100 "{\"lodash\": \"^4.17.21\", \"left-pad\" :\"1.3.0\"}"
#define TARBALL_100 "\"" UP "widget-1.0.0.tgz\""
#define DIST_100                                                                                                       \
    "{\n"                                                                                                              \
    "        \"integrity\": \"" SRI_A "\",\n"                                                                          \
    "        \"shasum\": \"" SHA1_A "\",\n"                                                                            \
    "        \"tarball\": " TARBALL_100 "\n"                                                                           \
    "      }"
#define V100                                                                                                           \
    "{\n"                                                                                                              \
    "      \"name\": " NAME_TOKEN ",\n"                                                                                \
    "      \"version\": \"1.0.0\",\n"                                                                                  \
    "      \"description\": \"say \\\"hi\\\" \\\\ \\u00e9\\ud83d\\ude00\",\n"                                         \
    "      \"dependencies\": " DEPS_100 ",\n"                                                                          \
    "      \"scripts\": {\"test\": \"jest\", \"build\": \"tsc\"},\n"                                                   \
    "      \"dist\": " DIST_100 ",\n"                                                                                  \
    "      \"numbers\": [1, -2.5e10, 0, 3.14159, true, false, null, [[], [{}]], {\"a\": {\"b\": [null]}}],\n"          \
    "      \"gitHead\"\t:\t\"abc123\"\n"                                                                               \
    "    }"
#define BIN_110 "{\"widget\":\"bin/widget.js\"}"
#define V110                                                                                                           \
    "{\"name\":" NAME_TOKEN ",\"version\":\"1.1.0\","                                                              \
    "\"scripts\":{\"postinstall\":\"node install.js\",\"test\":\"jest\"},"                                           \
    "\"bin\":" BIN_110 ",\"engines\":{\"node\":\">=18\"},"                                                           \
    "\"weird\\\"key\\\\\":\"x\",\"\\u006e\\u0061\\u006d\\u0065x\":1,"                                               \
    "\"dist\":{\"tarball\":\"" UP "widget-1.1.0.tgz\",\"integrity\":\"" SRI_B "\"}}"
#define V200B                                                                                                          \
    "{ \"name\" : " NAME_TOKEN " , \"version\" : \"2.0.0-beta.1\" ,\r\n"                                               \
    "      \"hasInstallScript\" : true ,\r\n"                                                                          \
    "      \"deprecated\" : \"use 2.0.0\" ,\r\n"                                                                       \
    "      \"peerDependencies\" : { \"react\" : \"*\" } ,\r\n"                                                         \
    "      \"dist\" : { \"tarball\" : \"" UP "widget-2.0.0-beta.1.tgz?cache=1#frag\" , \"shasum\" : \"" SHA1_A        \
    "\" } }"
#define V090                                                                                                           \
    "{\"name\":\"@acme/widget\",\"version\":\"0.9.0\","                                                              \
    "\"dist\":{\"tarball\":\"https://npm-upstream.example/@acme%2fwidget/-/widget-0.9.0.tgz\"}}"
#define V080                                                                                                           \
    "{\"name\":\"@acme/widget\",\"version\":\"0.8.0\",\"hasInstallScript\":false,"                                   \
    "\"scripts\":{\"install\":\"node-gyp rebuild\"},\"_hasShrinkwrap\":false,"                                      \
    "\"dist\":{\"tarball\":\"https://odd.example/download?id=42\"}}"
#define TIME_OBJ                                                                                                       \
    "{\n"                                                                                                              \
    "    \"created\": \"2020-01-01T00:00:00.000Z\",\n"                                                                 \
    "    \"1.0.0\": \"2020-01-02T00:00:00.000Z\",\n"                                                                   \
    "    \"1.1.0\": \"2021-06-15T12:30:00Z\",\n"                                                                       \
    "    \"2.0.0-beta.1\": \"2026-11-23T10:00:00+02:00\",\n"                                                           \
    "    \"0.8.0\": \"2019-05-05T05:05:05.005Z\",\n"                                                                   \
    "    \"unpublished\": {\"time\": \"2026-01-01T00:00:00Z\", \"versions\": [\"0.1.0\"]},\n"                          \
    "    \"modified\": \"2026-11-23T08:00:00.500Z\"\n"                                                                 \
    "  }"
#define MAINTAINERS "[{\"name\": \"alice\", \"email\": \"alice@example.com\"}, {\"name\": \"bob\"}]"

static const char DOC[] = "{\n"
                          "  \"_id\": \"@acme/widget\",\n"
                          "  \"_rev\": \"12-abcdef\",\n"
                          "  \"name\": " NAME_TOKEN ",\n"
                          "  \"description\": \"a \\\"quoted\\\" \\\\ backslash \\u00e9 \\ud83d\\ude00 \\/ \\n\",\n"
                          "  \"dist-tags\": {\"latest\": \"1.1.0\", \"next\": \"2.0.0-beta.1\"},\n"
                          "  \"versions\": {\n"
                          "    \"1.0.0\": " V100 ",\n"
                          "    \"1.1.0\" : " V110 ",\n"
                          "    \"2.0.0-beta.1\":" V200B ",\n"
                          "    \"0.9.0\": " V090 ",\n"
                          "    \"0.8.0\": " V080 "\n"
                          "  },\n"
                          "  \"time\": " TIME_OBJ ",\n"
                          "  \"maintainers\": " MAINTAINERS ",\n"
                          "  \"readme\": \"# widget\\n\\n\\tindented \\u003cb\\u003e\",\n"
                          "  \"caf\\u00e9\": {\"k\\\"ey\": [1, 2]},\n"
                          "  \"users\": {\"bob\": true},\n"
                          "  \"license\": null,\n"
                          "  \"count\": 42,\n"
                          "  \"ratio\": -0.5e-3\n"
                          "}";

enum { I100, I110, I200B, I090, I080, NV };
static const char *const VNAMES[NV] = {"1.0.0", "1.1.0", "2.0.0-beta.1", "0.9.0", "0.8.0"};

static char err[512];

static int parse(npm_packument_t *p, const char *doc, size_t len)
{
    err[0] = '\0';
    return npm_packument_parse(p, doc, len, err, sizeof(err));
}

/* the document bytes a span covers equal want */
#define CHECK_SPAN(p, span, want) CHECK_MEM_EQ((p)->doc + (span).start, (span).end - (span).start, want)

static yajl_val tree(const buf_t *b)
{
    char *copy = malloc(b->len + 1);
    memcpy(copy, b->data ? b->data : "", b->len);
    copy[b->len] = '\0';
    char e[256];
    yajl_val v = yajl_tree_parse(copy, e, sizeof(e));
    if (v == NULL)
        fprintf(stderr, "  rendered output is not JSON (%s):\n%s\n", e, copy);
    free(copy);
    return v;
}

static yajl_val get(yajl_val v, const char *a, const char *b, const char *c, const char *d)
{
    const char *path[] = {a, b, c, d, NULL};
    return yajl_tree_get(v, path, yajl_t_any);
}

static const char *get_str(yajl_val v, const char *a, const char *b, const char *c, const char *d)
{
    yajl_val n = get(v, a, b, c, d);
    return YAJL_IS_STRING(n) ? YAJL_GET_STRING(n) : NULL;
}

static size_t obj_len(yajl_val v) { return YAJL_IS_OBJECT(v) ? v->u.object.len : (size_t)-1; }

/* ---- parsing ---- */

TEST(parse_realistic)
{
    npm_packument_t p;
    int rc = parse(&p, DOC, strlen(DOC));
    if (rc != 0)
        fprintf(stderr, "  parse: %s\n", err);
    CHECK_INT_EQ(rc, 0);
    if (rc != 0)
        return;
    CHECK_STR_EQ(p.name, "@acme/widget");
    CHECK(p.doc == DOC && p.len == strlen(DOC));
    CHECK_INT_EQ(p.nversions, NV);
    for (int i = 0; i < NV && i < (int)p.nversions; i++) {
        CHECK_STR_EQ(p.versions[i].version, VNAMES[i]);
        CHECK_INT_EQ(npm_packument_find(&p, VNAMES[i]), i);
    }
    CHECK_INT_EQ(npm_packument_find(&p, "3.0.0"), -1);
    CHECK_INT_EQ(npm_packument_find(&p, "1.0"), -1);
    if (p.nversions != NV)
        goto out;

    /* spans: exactly the JSON text in the document */
    npm_version_t *v = p.versions;
    CHECK_SPAN(&p, v[I100].value, V100);
    CHECK_SPAN(&p, v[I110].value, V110);
    CHECK_SPAN(&p, v[I200B].value, V200B);
    CHECK_SPAN(&p, v[I090].value, V090);
    CHECK_SPAN(&p, v[I080].value, V080);
    CHECK_SPAN(&p, v[I100].tarball, TARBALL_100);
    CHECK_SPAN(&p, v[I100].ab[NPM_AB_NAME], NAME_TOKEN);
    CHECK_SPAN(&p, v[I100].ab[NPM_AB_VERSION], "\"1.0.0\"");
    CHECK_SPAN(&p, v[I100].ab[NPM_AB_DEPENDENCIES], DEPS_100);
    CHECK_SPAN(&p, v[I100].ab[NPM_AB_DIST], DIST_100);
    CHECK_SPAN(&p, v[I110].ab[NPM_AB_BIN], BIN_110);
    CHECK_SPAN(&p, v[I110].ab[NPM_AB_ENGINES], "{\"node\":\">=18\"}");
    CHECK_SPAN(&p, v[I200B].ab[NPM_AB_HAS_INSTALL_SCRIPT], "true");
    CHECK_SPAN(&p, v[I200B].ab[NPM_AB_DEPRECATED], "\"use 2.0.0\"");
    CHECK_SPAN(&p, v[I200B].ab[NPM_AB_PEER_DEPENDENCIES], "{ \"react\" : \"*\" }");
    CHECK_SPAN(&p, v[I200B].ab[NPM_AB_VERSION], "\"2.0.0-beta.1\"");
    CHECK_SPAN(&p, v[I080].ab[NPM_AB_HAS_SHRINKWRAP], "false");
    /* absent fields */
    CHECK_INT_EQ(v[I100].ab[NPM_AB_BIN].end, 0);
    CHECK_INT_EQ(v[I100].ab[NPM_AB_DEPRECATED].end, 0);
    CHECK_INT_EQ(v[I090].ab[NPM_AB_DEPENDENCIES].end, 0);
    CHECK_INT_EQ(v[I110].ab[NPM_AB_HAS_INSTALL_SCRIPT].end, 0);

    /* top-level members, in document order, with their spans */
    static const char *const keys[] = {"_id",  "_rev",        "name",   "description", "dist-tags", "versions", "time",
                                       "maintainers", "readme", "caf\xc3\xa9", "users", "license", "count", "ratio"};
    CHECK_INT_EQ(p.nmembers, sizeof(keys) / sizeof(keys[0]));
    for (size_t i = 0; i < p.nmembers && i < sizeof(keys) / sizeof(keys[0]); i++)
        CHECK_STR_EQ(p.members[i].key, keys[i]);
    if (p.nmembers == sizeof(keys) / sizeof(keys[0])) {
        CHECK_SPAN(&p, p.members[2].value, NAME_TOKEN);
        CHECK_SPAN(&p, p.members[4].value, "{\"latest\": \"1.1.0\", \"next\": \"2.0.0-beta.1\"}");
        CHECK_SPAN(&p, p.members[6].value, TIME_OBJ);
        CHECK_SPAN(&p, p.members[7].value, MAINTAINERS);
        CHECK_SPAN(&p, p.members[9].value, "{\"k\\\"ey\": [1, 2]}");
        CHECK_SPAN(&p, p.members[11].value, "null");
        CHECK_SPAN(&p, p.members[12].value, "42");
        CHECK_SPAN(&p, p.members[13].value, "-0.5e-3");
        CHECK_SPAN(&p, p.members[3].value, "\"a \\\"quoted\\\" \\\\ backslash \\u00e9 \\ud83d\\ude00 \\/ \\n\"");
    }

    /* dist */
    CHECK_STR_EQ(v[I100].tarball_url, UP "widget-1.0.0.tgz");
    CHECK_STR_EQ(v[I100].integrity, SRI_A);
    CHECK_STR_EQ(v[I100].shasum, SHA1_A);
    CHECK_STR_EQ(v[I110].tarball_url, UP "widget-1.1.0.tgz");
    CHECK_STR_EQ(v[I110].integrity, SRI_B);
    CHECK_STR_EQ(v[I110].shasum, NULL);
    CHECK_STR_EQ(v[I200B].integrity, NULL);
    CHECK_STR_EQ(v[I200B].shasum, SHA1_A);
    CHECK_STR_EQ(v[I090].tarball_url, "https://npm-upstream.example/@acme%2fwidget/-/widget-0.9.0.tgz");

    /* install scripts: scripts.test/build are not; postinstall, hasInstallScript: true and scripts.install are */
    CHECK_INT_EQ(v[I100].has_install_script, 0);
    CHECK_INT_EQ(v[I110].has_install_script, 1);
    CHECK_INT_EQ(v[I200B].has_install_script, 1);
    CHECK_INT_EQ(v[I090].has_install_script, 0);
    CHECK_INT_EQ(v[I080].has_install_script, 1);

    /* time */
    CHECK_INT_EQ(v[I100].published_at, 1577923200000LL);
    CHECK_INT_EQ(v[I110].published_at, 1623760200000LL);
    CHECK_INT_EQ(v[I200B].published_at, 1795420800000LL); /* +02:00 offset */
    CHECK(v[I090].published_at == TIME_NONE);             /* no time entry */
    CHECK_INT_EQ(v[I080].published_at, 1557032705005LL);
    CHECK_INT_EQ(p.created, 1577836800000LL);
    CHECK_INT_EQ(p.modified, 1795420800500LL);

    /* dist-tags */
    CHECK_INT_EQ(p.ntags, 2);
    if (p.ntags == 2) {
        CHECK_STR_EQ(p.tags[0].tag, "latest");
        CHECK_STR_EQ(p.tags[0].version, "1.1.0");
        CHECK_STR_EQ(p.tags[1].tag, "next");
        CHECK_STR_EQ(p.tags[1].version, "2.0.0-beta.1");
    }

    /* tarball file names as cordon serves them */
    char f[256];
    npm_tarball_filename(&p, &v[I100], f, sizeof(f));
    CHECK_STR_EQ(f, "widget-1.0.0.tgz");
    npm_tarball_filename(&p, &v[I200B], f, sizeof(f));
    CHECK_STR_EQ(f, "widget-2.0.0-beta.1.tgz"); /* query and fragment dropped */
    npm_tarball_filename(&p, &v[I090], f, sizeof(f));
    CHECK_STR_EQ(f, "widget-0.9.0.tgz");
    npm_tarball_filename(&p, &v[I080], f, sizeof(f));
    CHECK_STR_EQ(f, "download"); /* basename before the query */
out:
    npm_packument_free(&p);
    CHECK(p.versions == NULL && p.members == NULL && p.name == NULL);
}

TEST(tarball_filename_fallback)
{
    static const char doc[] = "{\"name\":\"@s/pkg\",\"versions\":{"
                              "\"1.0.0\":{\"dist\":{\"tarball\":\"https://x.example/files/weird%20name.tgz\"}},"
                              "\"1.0.1\":{\"dist\":{}},"
                              "\"1.0.2\":{\"dist\":{\"tarball\":\"https://x.example/..\"}},"
                              "\"1.0.3\":{\"dist\":{\"tarball\":\"https://x.example/\"}}}}";
    npm_packument_t p;
    CHECK_INT_EQ(parse(&p, doc, strlen(doc)), 0);
    CHECK_INT_EQ(p.nversions, 4);
    if (p.nversions == 4) {
        char f[256];
        npm_tarball_filename(&p, &p.versions[0], f, sizeof(f));
        CHECK_STR_EQ(f, "pkg-1.0.0.tgz");
        npm_tarball_filename(&p, &p.versions[1], f, sizeof(f));
        CHECK_STR_EQ(f, "pkg-1.0.1.tgz");
        npm_tarball_filename(&p, &p.versions[2], f, sizeof(f));
        CHECK_STR_EQ(f, "pkg-1.0.2.tgz");
        npm_tarball_filename(&p, &p.versions[3], f, sizeof(f));
        CHECK_STR_EQ(f, "pkg-1.0.3.tgz");
    }
    npm_packument_free(&p);
}

/* ---- rendering ---- */

static void check_common_render(yajl_val t, int abbreviated)
{
    /* 2.0.0-beta.1 dropped from versions AND time */
    yajl_val versions = get(t, "versions", NULL, NULL, NULL);
    CHECK_INT_EQ(obj_len(versions), NV - 1);
    CHECK(get(t, "versions", "2.0.0-beta.1", NULL, NULL) == NULL);
    CHECK(get(t, "time", "2.0.0-beta.1", NULL, NULL) == NULL);
    for (int i = 0; i < NV; i++) {
        if (i == I200B)
            continue;
        CHECK(YAJL_IS_OBJECT(get(t, "versions", VNAMES[i], NULL, NULL)));
        CHECK_STR_EQ(get_str(t, "versions", VNAMES[i], "version", NULL), VNAMES[i]);
    }
    /* tarballs rewritten */
    CHECK_STR_EQ(get_str(t, "versions", "1.0.0", "dist", "tarball"), BASE "widget-1.0.0.tgz");
    CHECK_STR_EQ(get_str(t, "versions", "1.1.0", "dist", "tarball"), BASE "widget-1.1.0.tgz");
    CHECK_STR_EQ(get_str(t, "versions", "0.9.0", "dist", "tarball"), BASE "widget-0.9.0.tgz");
    CHECK_STR_EQ(get_str(t, "versions", "0.8.0", "dist", "tarball"), BASE "download");
    /* integrity kept */
    CHECK_STR_EQ(get_str(t, "versions", "1.0.0", "dist", "integrity"), SRI_A);
    CHECK_STR_EQ(get_str(t, "versions", "1.0.0", "dist", "shasum"), SHA1_A);
    CHECK_STR_EQ(get_str(t, "versions", "1.1.0", "dist", "integrity"), SRI_B);
    /* custom tags only */
    CHECK_INT_EQ(obj_len(get(t, "dist-tags", NULL, NULL, NULL)), 1);
    CHECK_STR_EQ(get_str(t, "dist-tags", "latest", NULL, NULL), "1.1.0");
    CHECK(get(t, "dist-tags", "next", NULL, NULL) == NULL);
    /* time: per-version, created, modified (the override) */
    yajl_val time = get(t, "time", NULL, NULL, NULL);
    CHECK(YAJL_IS_OBJECT(time));
    CHECK_STR_EQ(get_str(t, "time", "1.0.0", NULL, NULL), "2020-01-02T00:00:00.000Z");
    CHECK_STR_EQ(get_str(t, "time", "1.1.0", NULL, NULL), "2021-06-15T12:30:00.000Z");
    CHECK_STR_EQ(get_str(t, "time", "0.8.0", NULL, NULL), "2019-05-05T05:05:05.005Z");
    CHECK(get(t, "time", "0.9.0", NULL, NULL) == NULL); /* had no time */
    CHECK_STR_EQ(get_str(t, "time", "modified", NULL, NULL), "2026-11-24T00:00:00.000Z");
    CHECK_STR_EQ(get_str(t, "time", "created", NULL, NULL), "2020-01-01T00:00:00.000Z");
    CHECK_STR_EQ(get_str(t, "name", NULL, NULL, NULL), "@acme/widget");
    (void)abbreviated;
}

static const npm_tag_t TAGS[] = {{.tag = "latest", .version = "1.1.0"}};
static const unsigned char KEEP[NV] = {1, 1, 0, 1, 1};

TEST(render_full)
{
    npm_packument_t p;
    CHECK_INT_EQ(parse(&p, DOC, strlen(DOC)), 0);
    if (p.nversions != NV) {
        npm_packument_free(&p);
        return;
    }
    npm_render_opts_t o = {.abbreviated = 0,
                           .tarball_base = BASE,
                           .keep = KEEP,
                           .tags = TAGS,
                           .ntags = 1,
                           .modified = 1795478400000LL /* 2026-11-24T00:00:00Z */};
    buf_t out;
    buf_init(&out);
    npm_packument_render(&p, &o, &out);
    yajl_val t = tree(&out);
    CHECK(t != NULL);
    if (t != NULL) {
        check_common_render(t, 0);
        /* every other member survives, in order, with its value */
        static const char *const keys[] = {"_id",    "_rev",        "name",  "description", "dist-tags",
                                           "versions", "time",      "maintainers", "readme", "caf\xc3\xa9",
                                           "users",  "license",     "count", "ratio"};
        CHECK_INT_EQ(obj_len(t), sizeof(keys) / sizeof(keys[0]));
        for (size_t i = 0; i < t->u.object.len && i < sizeof(keys) / sizeof(keys[0]); i++)
            CHECK_STR_EQ(t->u.object.keys[i], keys[i]);
        CHECK_STR_EQ(get_str(t, "description", NULL, NULL, NULL),
                     "a \"quoted\" \\ backslash \xc3\xa9 \xf0\x9f\x98\x80 / \n");
        CHECK_STR_EQ(get_str(t, "readme", NULL, NULL, NULL), "# widget\n\n\tindented <b>");
        CHECK(YAJL_IS_ARRAY(get(t, "caf\xc3\xa9", "k\"ey", NULL, NULL)));
        CHECK_STR_EQ(get_str(t, "maintainers", NULL, NULL, NULL), NULL); /* an array, not a string */
        yajl_val m = get(t, "maintainers", NULL, NULL, NULL);
        CHECK(YAJL_IS_ARRAY(m) && m->u.array.len == 2);
        CHECK(YAJL_IS_NULL(get(t, "license", NULL, NULL, NULL)));
        yajl_val count = get(t, "count", NULL, NULL, NULL);
        CHECK(YAJL_IS_INTEGER(count) && YAJL_GET_INTEGER(count) == 42);
        CHECK(YAJL_IS_TRUE(get(t, "users", "bob", NULL, NULL)));
        /* the manifests are complete in the full form */
        CHECK_STR_EQ(get_str(t, "versions", "1.0.0", "scripts", "build"), "tsc");
        CHECK_STR_EQ(get_str(t, "versions", "1.0.0", "gitHead", NULL), "abc123");
        yajl_val nums = get(t, "versions", "1.0.0", "numbers", NULL);
        CHECK(YAJL_IS_ARRAY(nums) && nums->u.array.len == 9);
        CHECK_STR_EQ(get_str(t, "versions", "1.0.0", "description", NULL), "say \"hi\" \\ \xc3\xa9\xf0\x9f\x98\x80");
        CHECK_STR_EQ(get_str(t, "versions", "1.1.0", "weird\"key\\", NULL), "x");
        CHECK(YAJL_IS_INTEGER(get(t, "versions", "1.1.0", "namex", NULL)));
        CHECK_STR_EQ(get_str(t, "versions", "1.1.0", "scripts", "postinstall"), "node install.js");
        /* no upstream tarball URL is left anywhere */
        CHECK(strstr(buf_cstr(&out), "npm-upstream.example") == NULL);
        CHECK(strstr(buf_cstr(&out), "odd.example") == NULL);
        yajl_tree_free(t);
    }
    /* the rendering parses as a packument again */
    npm_packument_t q;
    int rc = parse(&q, out.data, out.len);
    CHECK_INT_EQ(rc, 0);
    if (rc == 0) {
        CHECK_INT_EQ(q.nversions, NV - 1);
        CHECK_INT_EQ(npm_packument_find(&q, "2.0.0-beta.1"), -1);
        long i = npm_packument_find(&q, "1.1.0");
        CHECK(i >= 0 && q.versions[i].has_install_script && q.versions[i].published_at == 1623760200000LL);
        npm_packument_free(&q);
    }
    buf_free(&out);
    npm_packument_free(&p);
}

TEST(render_abbreviated)
{
    npm_packument_t p;
    CHECK_INT_EQ(parse(&p, DOC, strlen(DOC)), 0);
    if (p.nversions != NV) {
        npm_packument_free(&p);
        return;
    }
    npm_render_opts_t o = {.abbreviated = 1,
                           .tarball_base = BASE,
                           .keep = KEEP,
                           .tags = TAGS,
                           .ntags = 1,
                           .modified = 1795478400000LL};
    buf_t out;
    buf_init(&out);
    npm_packument_render(&p, &o, &out);
    yajl_val t = tree(&out);
    CHECK(t != NULL);
    if (t != NULL) {
        check_common_render(t, 1);
        /* exactly the corgi top level, plus time */
        static const char *const top[] = {"name", "modified", "dist-tags", "versions", "time"};
        CHECK_INT_EQ(obj_len(t), 5);
        for (size_t i = 0; i < t->u.object.len && i < 5; i++)
            CHECK_STR_EQ(t->u.object.keys[i], top[i]);
        CHECK_STR_EQ(get_str(t, "modified", NULL, NULL, NULL), "2026-11-24T00:00:00.000Z");
        /* only allowed fields in each manifest */
        static const char *const allowed[] = {
            "name",          "version",          "deprecated",          "dependencies",     "optionalDependencies",
            "devDependencies", "bundleDependencies", "bundledDependencies", "peerDependencies", "peerDependenciesMeta",
            "acceptDependencies", "bin",          "directories",         "dist",             "engines",
            "os",            "cpu",              "libc",                "funding",          "_hasShrinkwrap",
            "hasInstallScript"};
        yajl_val versions = get(t, "versions", NULL, NULL, NULL);
        for (size_t i = 0; YAJL_IS_OBJECT(versions) && i < versions->u.object.len; i++) {
            yajl_val m = versions->u.object.values[i];
            CHECK(YAJL_IS_OBJECT(m));
            for (size_t k = 0; YAJL_IS_OBJECT(m) && k < m->u.object.len; k++) {
                int ok = 0;
                for (size_t a = 0; a < sizeof(allowed) / sizeof(allowed[0]); a++)
                    ok |= strcmp(m->u.object.keys[k], allowed[a]) == 0;
                if (!ok)
                    fprintf(stderr, "  %s has field \"%s\"\n", versions->u.object.keys[i], m->u.object.keys[k]);
                CHECK(ok);
            }
        }
        /* what was dropped */
        CHECK(get(t, "versions", "1.0.0", "scripts", NULL) == NULL);
        CHECK(get(t, "versions", "1.0.0", "numbers", NULL) == NULL);
        CHECK(get(t, "versions", "1.0.0", "description", NULL) == NULL);
        CHECK(get(t, "versions", "1.1.0", "scripts", NULL) == NULL);
        CHECK(get(t, "readme", NULL, NULL, NULL) == NULL);
        CHECK(get(t, "maintainers", NULL, NULL, NULL) == NULL);
        /* what was kept */
        CHECK_STR_EQ(get_str(t, "versions", "1.0.0", "dependencies", "lodash"), "^4.17.21");
        CHECK_STR_EQ(get_str(t, "versions", "1.0.0", "dependencies", "left-pad"), "1.3.0");
        CHECK_STR_EQ(get_str(t, "versions", "1.1.0", "bin", "widget"), "bin/widget.js");
        CHECK_STR_EQ(get_str(t, "versions", "1.1.0", "engines", "node"), ">=18");
        CHECK(YAJL_IS_FALSE(get(t, "versions", "0.8.0", "_hasShrinkwrap", NULL)));
        /* hasInstallScript: true exactly where an install script exists */
        CHECK(YAJL_IS_TRUE(get(t, "versions", "1.1.0", "hasInstallScript", NULL)));
        CHECK(YAJL_IS_TRUE(get(t, "versions", "0.8.0", "hasInstallScript", NULL)));
        CHECK(get(t, "versions", "1.0.0", "hasInstallScript", NULL) == NULL);
        CHECK(get(t, "versions", "0.9.0", "hasInstallScript", NULL) == NULL);
        /* no upstream URL left */
        CHECK(strstr(buf_cstr(&out), "npm-upstream.example") == NULL);
        yajl_tree_free(t);
    }
    /* smaller than the full document */
    CHECK(out.len < p.len);
    buf_free(&out);

    /* abbreviated without a keep list keeps every version, and upstream's tags */
    npm_render_opts_t all = {.abbreviated = 1, .tarball_base = BASE, .modified = TIME_NONE};
    buf_init(&out);
    npm_packument_render(&p, &all, &out);
    t = tree(&out);
    CHECK(t != NULL);
    if (t != NULL) {
        CHECK_INT_EQ(obj_len(get(t, "versions", NULL, NULL, NULL)), NV);
        CHECK_STR_EQ(get_str(t, "dist-tags", "next", NULL, NULL), "2.0.0-beta.1");
        CHECK_STR_EQ(get_str(t, "modified", NULL, NULL, NULL), "2026-11-23T08:00:00.500Z");
        CHECK(YAJL_IS_TRUE(get(t, "versions", "2.0.0-beta.1", "hasInstallScript", NULL)));
        CHECK_STR_EQ(get_str(t, "versions", "2.0.0-beta.1", "deprecated", NULL), "use 2.0.0");
        CHECK_STR_EQ(get_str(t, "versions", "2.0.0-beta.1", "dist", "tarball"), BASE "widget-2.0.0-beta.1.tgz");
        CHECK_STR_EQ(get_str(t, "time", "2.0.0-beta.1", NULL, NULL), "2026-11-23T08:00:00.000Z");
        yajl_tree_free(t);
    }
    buf_free(&out);
    npm_packument_free(&p);
}

/* held versions listed under policyRestrictions (npm answers an exact pin
 * with E403 and the message) */
TEST(render_policy_restrictions)
{
    /* upstream's own policyRestrictions must not be passed on */
    static const char doc[] =
        "{\"name\":\"p\",\"policyRestrictions\":{\"message\":\"upstream's\",\"versions\":{}},"
        "\"versions\":{\"1.0.0\":{\"version\":\"1.0.0\",\"dist\":{\"tarball\":\"https://u.example/p/-/p-1.0.0.tgz\"}},"
        "\"2.0.0\":{\"version\":\"2.0.0\",\"scripts\":{\"install\":\"x\"},"
        "\"dist\":{\"tarball\":\"https://u.example/p/-/p-2.0.0.tgz\"}}},"
        "\"time\":{\"1.0.0\":\"2020-01-01T00:00:00Z\",\"2.0.0\":\"2026-11-23T10:00:00Z\"}}";
    const char *msg = "p@2.0.0 is quarantined until 2026-11-30T10:00:00Z (\"min_age\" 7d)";
    npm_packument_t p;
    CHECK_INT_EQ(parse(&p, doc, strlen(doc)), 0);
    if (p.nversions != 2) {
        npm_packument_free(&p);
        return;
    }
    static const unsigned char keep[2] = {1, 0};
    for (int ab = 0; ab < 2; ab++) {
        npm_render_opts_t o = {.abbreviated = ab,
                               .tarball_base = "http://c.example/npm/p/-/",
                               .keep = keep,
                               .modified = TIME_NONE,
                               .restricted_message = msg};
        buf_t out;
        buf_init(&out);
        npm_packument_render(&p, &o, &out);
        yajl_val t = tree(&out);
        CHECK(t != NULL);
        if (t != NULL) {
            CHECK_STR_EQ(get_str(t, "policyRestrictions", "message", NULL, NULL), msg);
            CHECK_INT_EQ(obj_len(get(t, "policyRestrictions", "versions", NULL, NULL)), 1);
            CHECK_STR_EQ(get_str(t, "policyRestrictions", "versions", "2.0.0", "version"), "2.0.0");
            yajl_val held = get(t, "policyRestrictions", "versions", "2.0.0", NULL);
            CHECK_STR_EQ(get_str(held, "dist", "tarball", NULL, NULL), "http://c.example/npm/p/-/p-2.0.0.tgz");
            CHECK_INT_EQ(obj_len(get(t, "versions", NULL, NULL, NULL)), 1);
            CHECK(get(t, "versions", "2.0.0", NULL, NULL) == NULL);
            CHECK(get(t, "time", "2.0.0", NULL, NULL) == NULL);
            if (ab)
                CHECK(YAJL_IS_TRUE(get(t, "policyRestrictions", "versions", "2.0.0", "hasInstallScript")));
            /* exactly one policyRestrictions: upstream's is dropped */
            size_t n = 0;
            for (size_t i = 0; i < t->u.object.len; i++)
                n += strcmp(t->u.object.keys[i], "policyRestrictions") == 0;
            CHECK_INT_EQ(n, 1);
            yajl_tree_free(t);
        }
        CHECK(strstr(buf_cstr(&out), "upstream's") == NULL);
        /* still a packument; the held version is not one of its versions */
        npm_packument_t q;
        CHECK_INT_EQ(parse(&q, out.data, out.len), 0);
        if (q.nversions == 1)
            CHECK_STR_EQ(q.versions[0].version, "1.0.0");
        else
            CHECK_INT_EQ(q.nversions, 1);
        npm_packument_free(&q);
        buf_free(&out);

        /* nothing held, or no keep list: no policyRestrictions at all */
        static const unsigned char all[2] = {1, 1};
        o.keep = all;
        buf_init(&out);
        npm_packument_render(&p, &o, &out);
        t = tree(&out);
        CHECK(t != NULL && get(t, "policyRestrictions", NULL, NULL, NULL) == NULL);
        yajl_tree_free(t);
        buf_free(&out);
        o.keep = NULL;
        buf_init(&out);
        npm_packument_render(&p, &o, &out);
        t = tree(&out);
        CHECK(t != NULL && get(t, "policyRestrictions", NULL, NULL, NULL) == NULL);
        yajl_tree_free(t);
        buf_free(&out);
    }
    npm_packument_free(&p);
}

/* a top-level "modified" follows the override, like time.modified */
TEST(render_top_level_modified)
{
    static const char doc[] = "{\"name\":\"p\",\"modified\":\"2020-01-01T00:00:00.000Z\",\"versions\":{},"
                              "\"time\":{\"modified\":\"2020-01-01T00:00:00.000Z\"}}";
    npm_packument_t p;
    CHECK_INT_EQ(parse(&p, doc, strlen(doc)), 0);
    npm_render_opts_t o = {.modified = 1795478400000LL};
    buf_t out;
    buf_init(&out);
    npm_packument_render(&p, &o, &out);
    yajl_val t = tree(&out);
    CHECK(t != NULL);
    CHECK_STR_EQ(get_str(t, "modified", NULL, NULL, NULL), "2026-11-24T00:00:00.000Z");
    CHECK_STR_EQ(get_str(t, "time", "modified", NULL, NULL), "2026-11-24T00:00:00.000Z");
    yajl_tree_free(t);
    buf_free(&out);
    o.modified = TIME_NONE;
    buf_init(&out);
    npm_packument_render(&p, &o, &out);
    t = tree(&out);
    CHECK_STR_EQ(get_str(t, "modified", NULL, NULL, NULL), "2020-01-01T00:00:00.000Z");
    CHECK_STR_EQ(get_str(t, "time", "modified", NULL, NULL), "2020-01-01T00:00:00.000Z");
    yajl_tree_free(t);
    buf_free(&out);
    npm_packument_free(&p);
}

TEST(render_untouched)
{
    /* no base, no keep list, no tags: tarballs stay upstream's */
    npm_packument_t p;
    CHECK_INT_EQ(parse(&p, DOC, strlen(DOC)), 0);
    npm_render_opts_t o = {.modified = TIME_NONE};
    buf_t out;
    buf_init(&out);
    npm_packument_render(&p, &o, &out);
    yajl_val t = tree(&out);
    CHECK(t != NULL);
    if (t != NULL) {
        CHECK_INT_EQ(obj_len(get(t, "versions", NULL, NULL, NULL)), NV);
        CHECK_STR_EQ(get_str(t, "versions", "1.0.0", "dist", "tarball"), UP "widget-1.0.0.tgz");
        CHECK_STR_EQ(get_str(t, "versions", "2.0.0-beta.1", "dist", "tarball"),
                     UP "widget-2.0.0-beta.1.tgz?cache=1#frag");
        CHECK_INT_EQ(obj_len(get(t, "dist-tags", NULL, NULL, NULL)), 2);
        CHECK_STR_EQ(get_str(t, "time", "modified", NULL, NULL), "2026-11-23T08:00:00.500Z");
        yajl_tree_free(t);
    }
    /* the manifests are copied byte for byte */
    CHECK(strstr(buf_cstr(&out), V100) != NULL);
    CHECK(strstr(buf_cstr(&out), V200B) != NULL);
    buf_free(&out);

    /* keep nothing */
    static const unsigned char none[NV] = {0};
    npm_render_opts_t o2 = {.keep = none, .tarball_base = BASE, .tags = TAGS, .ntags = 0, .modified = TIME_NONE};
    for (int ab = 0; ab < 2; ab++) {
        o2.abbreviated = ab;
        buf_init(&out);
        npm_packument_render(&p, &o2, &out);
        t = tree(&out);
        CHECK(t != NULL);
        if (t != NULL) {
            CHECK_INT_EQ(obj_len(get(t, "versions", NULL, NULL, NULL)), 0);
            CHECK_INT_EQ(obj_len(get(t, "dist-tags", NULL, NULL, NULL)), 0);
            CHECK_INT_EQ(obj_len(get(t, "time", NULL, NULL, NULL)), 2); /* created, modified */
            yajl_tree_free(t);
        }
        buf_free(&out);
    }
    npm_packument_free(&p);
}

TEST(minimal_documents)
{
    /* an object with no versions and no name renders as JSON too */
    static const char *const docs[] = {
        "{}",
        "{\"name\":\"x\"}",
        " \n{ \"name\" : \"x\" , \"versions\" : { } }\n ",
        "{\"versions\":{\"1.0.0\":{}}}",
        ("{\"time\":{\"1.0.0\":\"garbage\"},\"versions\":{\"1.0.0\":{\"dist\":null}}}"),
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        npm_packument_t p;
        int rc = parse(&p, docs[i], strlen(docs[i]));
        if (rc != 0)
            fprintf(stderr, "  \"%s\": %s\n", docs[i], err);
        CHECK_INT_EQ(rc, 0);
        if (rc != 0)
            continue;
        CHECK(p.nversions <= 1);
        if (p.nversions == 1)
            CHECK(p.versions[0].published_at == TIME_NONE); /* "garbage" is no time */
        for (int ab = 0; ab < 2; ab++) {
            npm_render_opts_t o = {.abbreviated = ab, .tarball_base = BASE, .modified = TIME_NONE};
            buf_t out;
            buf_init(&out);
            npm_packument_render(&p, &o, &out);
            yajl_val t = tree(&out);
            CHECK(t != NULL);
            yajl_tree_free(t);
            buf_free(&out);
        }
        npm_packument_free(&p);
    }
}

/* a top-level member whose key is 256 bytes or longer must keep its key */
TEST(render_keeps_long_top_level_keys)
{
    char key[400];
    memset(key, 'k', 300);
    key[300] = '\0';
    char doc[800];
    snprintf(doc, sizeof(doc), "{\"name\":\"x\",\"%s\":1,\"versions\":{}}", key);
    npm_packument_t p;
    CHECK_INT_EQ(parse(&p, doc, strlen(doc)), 0);
    buf_t out;
    buf_init(&out);
    npm_render_opts_t o = {.modified = TIME_NONE};
    npm_packument_render(&p, &o, &out);
    yajl_val t = tree(&out);
    CHECK(t != NULL);
    if (t != NULL) {
        if (get(t, key, NULL, NULL, NULL) == NULL)
            fprintf(stderr, "  rendered: %s\n", buf_cstr(&out));
        CHECK(YAJL_IS_INTEGER(get(t, key, NULL, NULL, NULL)));
        CHECK(get(t, "", NULL, NULL, NULL) == NULL);
        yajl_tree_free(t);
    }
    buf_free(&out);
    npm_packument_free(&p);
}

/* yajl treats \f and \v as whitespace, JSON does not. A document that uses
 * them around a member's ':' must either be refused or rendered as strict
 * JSON: npm parses cordon's output with JSON.parse. */
static int has_raw_ff_vt(const buf_t *b)
{
    return b->len && (memchr(b->data, '\f', b->len) != NULL || memchr(b->data, '\v', b->len) != NULL);
}

TEST(render_lenient_whitespace)
{
    static const char *const docs[] = {
        "{\"name\":\"x\",\"a\"\f:1,\"versions\":{}}",             /* \f between key and ':' */
        "{\"name\":\"x\",\"a\":\v\"s\",\"versions\":{}}",         /* \v between ':' and value */
        "{\"name\":\"x\",\"versions\":{\"1.0.0\":{\"dist\"\f:\v{}}}}", /* inside a manifest */
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        npm_packument_t p;
        if (parse(&p, docs[i], strlen(docs[i])) != 0) {
            CHECK(err[0] != '\0'); /* refusing it is fine */
            continue;
        }
        for (int ab = 0; ab < 2; ab++) {
            npm_render_opts_t o = {.abbreviated = ab, .tarball_base = BASE, .modified = TIME_NONE};
            buf_t out;
            buf_init(&out);
            npm_packument_render(&p, &o, &out);
            yajl_val t = tree(&out);
            CHECK(t != NULL);
            yajl_tree_free(t);
            if (has_raw_ff_vt(&out))
                fprintf(stderr, "  doc %zu (%s): output holds raw \\f or \\v, which JSON.parse rejects\n", i,
                        ab ? "abbreviated" : "full");
            CHECK(!has_raw_ff_vt(&out));
            buf_free(&out);
        }
        npm_packument_free(&p);
    }
}

/* ---- malformed input ---- */

static void expect_fail(const char *doc, size_t len, int line)
{
    npm_packument_t p;
    err[0] = '\0';
    int rc = npm_packument_parse(&p, doc, len, err, sizeof(err));
    if (!test_note(rc == -1 && err[0] != '\0', __FILE__, line))
        fprintf(stderr, "parse(\"%.*s\") = %d, err \"%s\"; want -1 with a message\n", (int)(len > 200 ? 200 : len),
                doc, rc, err);
    if (rc == 0)
        npm_packument_free(&p);
    else
        CHECK(p.versions == NULL && p.members == NULL && p.name == NULL); /* nothing half-built left behind */
}
#define EXPECT_FAIL(doc) expect_fail(doc, strlen(doc), __LINE__)

TEST(malformed)
{
    EXPECT_FAIL("");
    EXPECT_FAIL("   \n");
    EXPECT_FAIL("[]");
    EXPECT_FAIL("[{\"name\":\"x\"}]");
    EXPECT_FAIL("\"a string\"");
    EXPECT_FAIL("42");
    EXPECT_FAIL("null");
    EXPECT_FAIL("true");
    EXPECT_FAIL("{");
    EXPECT_FAIL("{\"name\":");
    EXPECT_FAIL("{\"name\":\"x\"");
    EXPECT_FAIL("{\"name\":\"x\",}");
    EXPECT_FAIL("{\"name\" \"x\"}");
    EXPECT_FAIL("{name:\"x\"}");
    EXPECT_FAIL("{\"name\":'x'}");
    EXPECT_FAIL("{\"a\":1}{\"b\":2}");
    EXPECT_FAIL("{\"a\":1} trailing");
    EXPECT_FAIL("{\"a\":1}]");
    EXPECT_FAIL("{\"name\":\"\xff\xfe\"}");        /* not UTF-8 */
    EXPECT_FAIL("{\"name\":\"a\\qb\"}");           /* bad escape */
    EXPECT_FAIL("{\"name\":\"a\\u12\"}");          /* short unicode escape */
    EXPECT_FAIL("{\"name\":\"line\nbreak\"}");     /* raw control character in a string */
    EXPECT_FAIL("{\"n\":01}");
    EXPECT_FAIL("{\"n\":1.}");
    EXPECT_FAIL("{\"n\":-}");
    EXPECT_FAIL("{\"n\":tru}");
    EXPECT_FAIL("{\"versions\":{\"1.0.0\":{\"dist\":{\"tarball\":\"x\"}}");
    EXPECT_FAIL("{\"a\":1 /* comment */}");
    /* NUL inside the document */
    static const char withnul[] = "{\"name\":\"x\"\0}";
    expect_fail(withnul, sizeof(withnul) - 1, __LINE__);
}

/* "versions" must be an object of manifests */
TEST(malformed_versions_not_object)
{
    EXPECT_FAIL("{\"name\":\"x\",\"versions\":[]}");
    EXPECT_FAIL("{\"name\":\"x\",\"versions\":[{\"version\":\"1.0.0\"}]}");
    EXPECT_FAIL("{\"name\":\"x\",\"versions\":\"1.0.0\"}");
}

TEST(malformed_truncated_everywhere)
{
    /* every strict prefix of a valid packument is rejected, without a crash */
    size_t n = strlen(DOC), failures = 0;
    for (size_t i = 0; i < n; i++) {
        npm_packument_t p;
        err[0] = '\0';
        int rc = npm_packument_parse(&p, DOC, i, err, sizeof(err));
        if (rc == 0) {
            if (failures++ < 3)
                fprintf(stderr, "  prefix of %zu bytes parsed\n", i);
            npm_packument_free(&p);
        } else if (err[0] == '\0') {
            if (failures++ < 3)
                fprintf(stderr, "  prefix of %zu bytes failed without a message\n", i);
        }
    }
    CHECK_INT_EQ(failures, 0);
}

TEST(malformed_deep_nesting)
{
    /* 100 nested objects / arrays inside a packument */
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "{\"name\":\"x\",\"deep\":");
    for (int i = 0; i < 100; i++)
        buf_puts(&b, "{\"a\":");
    buf_puts(&b, "1");
    for (int i = 0; i < 100; i++)
        buf_putc(&b, '}');
    buf_putc(&b, '}');
    expect_fail(buf_cstr(&b), b.len, __LINE__);

    buf_reset(&b);
    buf_puts(&b, "{\"versions\":{\"1.0.0\":{\"x\":");
    for (int i = 0; i < 100; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 100; i++)
        buf_putc(&b, ']');
    buf_puts(&b, "}}}");
    expect_fail(buf_cstr(&b), b.len, __LINE__);

    /* very deep: must stop early, not recurse or allocate without bound */
    buf_reset(&b);
    buf_putc(&b, '{');
    buf_puts(&b, "\"a\":");
    for (int i = 0; i < 200000; i++)
        buf_putc(&b, '[');
    expect_fail(buf_cstr(&b), b.len, __LINE__);

    /* 60 levels is still fine */
    buf_reset(&b);
    buf_puts(&b, "{\"name\":\"x\",\"deep\":");
    for (int i = 0; i < 60; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 60; i++)
        buf_putc(&b, ']');
    buf_putc(&b, '}');
    npm_packument_t p;
    CHECK_INT_EQ(parse(&p, b.data, b.len), 0);
    npm_packument_free(&p);
    buf_free(&b);
}

TEST(odd_but_valid)
{
    /* duplicate keys, non-string dist fields (a manifest that is not an
     * object is refused: see malformed_versions_not_object) */
    static const char doc[] = "{\"name\":\"x\",\"name\":\"y\",\"dist-tags\":{\"latest\":1,\"beta\":\"2.0.0\"},"
                              "\"versions\":{\"1.0.0\":{\"dist\":{\"tarball\":42,\"integrity\":[\"sha1-x\"]}}},"
                              "\"time\":{\"1.0.0\":12345,\"created\":null}}";
    npm_packument_t p;
    int rc = parse(&p, doc, strlen(doc));
    CHECK_INT_EQ(rc, 0);
    if (rc != 0)
        return;
    CHECK_STR_EQ(p.name, "y");
    CHECK_INT_EQ(p.ntags, 1); /* a non-string tag value is ignored */
    CHECK_INT_EQ(p.nversions, 1);
    if (p.nversions == 1) {
        CHECK_STR_EQ(p.versions[0].tarball_url, NULL);
        CHECK_STR_EQ(p.versions[0].integrity, NULL);
        CHECK(p.versions[0].published_at == TIME_NONE);
    }
    CHECK(p.created == TIME_NONE);
    for (int ab = 0; ab < 2; ab++) {
        npm_render_opts_t o = {.abbreviated = ab, .tarball_base = BASE, .modified = TIME_NONE};
        buf_t out;
        buf_init(&out);
        npm_packument_render(&p, &o, &out);
        yajl_val t = tree(&out);
        CHECK(t != NULL);
        yajl_tree_free(t);
        buf_free(&out);
    }
    npm_packument_free(&p);
}

int main(void)
{
    RUN(parse_realistic);
    RUN(tarball_filename_fallback);
    RUN(render_full);
    RUN(render_abbreviated);
    RUN(render_policy_restrictions);
    RUN(render_top_level_modified);
    RUN(render_untouched);
    RUN(minimal_documents);
    RUN(render_keeps_long_top_level_keys);
    RUN(render_lenient_whitespace);
    RUN(malformed);
    RUN(malformed_versions_not_object);
    RUN(malformed_truncated_everywhere);
    RUN(malformed_deep_nesting);
    RUN(odd_but_valid);
    return test_report();
}
