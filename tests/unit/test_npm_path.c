/* unit tests: ecosystems/npm/npm_path.h (route parsing below /npm/, name
 * validation and encoding, tarball file name → version). */
#include <string.h>

#include "ecosystems/npm/npm_path.h"
#include "tests/unit/test.h"

static npm_route_t route(const char *path)
{
    npm_route_t r;
    npm_route_parse(path, strlen(path), &r);
    return r;
}

static void expect_route(const char *path, npm_route_kind_t kind, const char *name, const char *file, int line)
{
    npm_route_t r = route(path);
    /* for an invalid route only the kind matters */
    int ok = r.kind == kind && (kind == NPM_ROUTE_INVALID || (strcmp(r.name, name) == 0 && strcmp(r.file, file) == 0));
    if (!test_note(ok, __FILE__, line))
        fprintf(stderr, "route(\"%s\")\n    got:  kind=%d name=\"%s\" file=\"%s\"\n    want: kind=%d name=\"%s\" "
                        "file=\"%s\"\n",
                path, r.kind, r.name, r.file, kind, name, file);
}
#define EXPECT_ROUTE(path, kind, name, file) expect_route(path, kind, name, file, __LINE__)
#define EXPECT_INVALID(path) expect_route(path, NPM_ROUTE_INVALID, "", "", __LINE__)

TEST(packument_routes)
{
    EXPECT_ROUTE("lodash", NPM_ROUTE_PACKUMENT, "lodash", "");
    EXPECT_ROUTE("lodash/", NPM_ROUTE_PACKUMENT, "lodash", "");
    EXPECT_ROUTE("left-pad", NPM_ROUTE_PACKUMENT, "left-pad", "");
    EXPECT_ROUTE("lodash.merge", NPM_ROUTE_PACKUMENT, "lodash.merge", "");
    EXPECT_ROUTE("JSONStream", NPM_ROUTE_PACKUMENT, "JSONStream", ""); /* legacy upper case names exist */
    EXPECT_ROUTE("@babel/core", NPM_ROUTE_PACKUMENT, "@babel/core", "");
    EXPECT_ROUTE("@babel/core/", NPM_ROUTE_PACKUMENT, "@babel/core", "");
    EXPECT_ROUTE("@babel%2fcore", NPM_ROUTE_PACKUMENT, "@babel/core", "");
    EXPECT_ROUTE("@babel%2Fcore", NPM_ROUTE_PACKUMENT, "@babel/core", "");
    EXPECT_ROUTE("%40babel%2fcore", NPM_ROUTE_PACKUMENT, "@babel/core", "");
    EXPECT_ROUTE("@types/node", NPM_ROUTE_PACKUMENT, "@types/node", "");
    EXPECT_ROUTE("a", NPM_ROUTE_PACKUMENT, "a", "");
    EXPECT_ROUTE("x~y!z*(1)'", NPM_ROUTE_PACKUMENT, "x~y!z*(1)'", "");
}

TEST(tarball_routes)
{
    EXPECT_ROUTE("lodash/-/lodash-4.17.21.tgz", NPM_ROUTE_TARBALL, "lodash", "lodash-4.17.21.tgz");
    EXPECT_ROUTE("@babel/core/-/core-7.24.0.tgz", NPM_ROUTE_TARBALL, "@babel/core", "core-7.24.0.tgz");
    EXPECT_ROUTE("@babel%2fcore/-/core-7.24.0.tgz", NPM_ROUTE_TARBALL, "@babel/core", "core-7.24.0.tgz");
    EXPECT_ROUTE("@babel%2Fcore/-/core-7.24.0.tgz", NPM_ROUTE_TARBALL, "@babel/core", "core-7.24.0.tgz");
    EXPECT_ROUTE("pkg/-/pkg-1.0.0-beta.1+build.7.tgz", NPM_ROUTE_TARBALL, "pkg", "pkg-1.0.0-beta.1+build.7.tgz");
    /* the name need not match the file: npm_tarball_version decides */
    EXPECT_ROUTE("a/-/b-1.0.0.tgz", NPM_ROUTE_TARBALL, "a", "b-1.0.0.tgz");
}

TEST(special_routes)
{
    EXPECT_ROUTE("-/ping", NPM_ROUTE_PING, "", "");
    EXPECT_ROUTE("-/npm/v1/security/advisories/bulk", NPM_ROUTE_AUDIT, "", "");
    EXPECT_ROUTE("-/npm/v1/security/audits/quick", NPM_ROUTE_AUDIT, "", "");
    EXPECT_ROUTE("-/npm/v1/security/audits", NPM_ROUTE_AUDIT, "", "");
    EXPECT_ROUTE("-/whoami", NPM_ROUTE_SPECIAL, "", "");
    EXPECT_ROUTE("-/v1/search", NPM_ROUTE_SPECIAL, "", "");
    EXPECT_ROUTE("-/user/org.couchdb.user:bob", NPM_ROUTE_SPECIAL, "", "");
    EXPECT_ROUTE("-/npm/v1/tokens", NPM_ROUTE_SPECIAL, "", "");
    EXPECT_ROUTE("-/pingx", NPM_ROUTE_SPECIAL, "", "");
    EXPECT_ROUTE("-/", NPM_ROUTE_SPECIAL, "", "");
    EXPECT_ROUTE("-/npm/v1/security/", NPM_ROUTE_SPECIAL, "", "");
    /* "-" alone is not a special path */
    CHECK(route("-").kind != NPM_ROUTE_PING && route("-").kind != NPM_ROUTE_AUDIT);
}

TEST(invalid_names)
{
    EXPECT_INVALID("");
    EXPECT_INVALID("/");
    EXPECT_INVALID(".hidden");
    EXPECT_INVALID("_private");
    EXPECT_INVALID("..");
    EXPECT_INVALID("../etc/passwd");
    EXPECT_INVALID("a b");
    EXPECT_INVALID("a%20b");
    EXPECT_INVALID("a\tb");
    EXPECT_INVALID("caf\xc3\xa9");
    EXPECT_INVALID("a\"b");
    EXPECT_INVALID("a<b>");
    EXPECT_INVALID("lodash/extra");
    EXPECT_INVALID("@babel/core/extra");
    EXPECT_INVALID("@babel%2fcore%2fextra");
    EXPECT_INVALID("@babel");
    EXPECT_INVALID("@babel/");
    EXPECT_INVALID("@/core");
    EXPECT_INVALID("@");
    EXPECT_INVALID("@.babel/core");
    EXPECT_INVALID("@babel/.core");
    EXPECT_INVALID("@babel/_core");
    EXPECT_INVALID("@_babel/core");
    EXPECT_INVALID("@@babel/core");
    /* percent-encoding: only %2f and %40 mean anything in a name */
    EXPECT_INVALID("a%2");
    EXPECT_INVALID("a%");
    EXPECT_INVALID("a%zz");
    EXPECT_INVALID("a%00");
    EXPECT_INVALID("%2e%2e");
    EXPECT_INVALID("lodash%2e");
    EXPECT_INVALID("@babel%252fcore");
    EXPECT_INVALID("%2fetc");
    EXPECT_INVALID("a%41");
    /* a raw NUL inside the path is malformed, not the end of the name */
    npm_route_t r;
    npm_route_parse("lodash\0x", 8, &r);
    if (r.kind != NPM_ROUTE_INVALID)
        fprintf(stderr, "  \"lodash\\0x\" (8 bytes) parsed as kind %d name \"%s\"\n", r.kind, r.name);
    CHECK_INT_EQ(r.kind, NPM_ROUTE_INVALID);
    npm_route_parse("@s/n\0/-/n-1.0.0.tgz", 19, &r);
    CHECK_INT_EQ(r.kind, NPM_ROUTE_INVALID);
}

TEST(name_length)
{
    char name[300];
    memset(name, 'a', 214);
    name[214] = '\0';
    EXPECT_ROUTE(name, NPM_ROUTE_PACKUMENT, name, "");
    CHECK_INT_EQ(npm_name_valid(name, 214), 1);
    memset(name, 'a', 215);
    name[215] = '\0';
    EXPECT_INVALID(name);
    CHECK_INT_EQ(npm_name_valid(name, 215), 0);
    /* scoped: the whole "@s/n" counts */
    name[0] = '@';
    name[1] = 's';
    name[2] = '/';
    memset(name + 3, 'n', 211);
    name[214] = '\0';
    EXPECT_ROUTE(name, NPM_ROUTE_PACKUMENT, name, "");
    name[214] = 'n';
    name[215] = '\0';
    EXPECT_INVALID(name);
    /* 214 decoded characters may be written with more bytes ("%2f" is one) */
    char enc[300];
    snprintf(enc, sizeof(enc), "@s%%2f%.211s", name + 3);
    npm_route_t r = route(enc);
    CHECK_INT_EQ(r.kind, NPM_ROUTE_PACKUMENT);
    CHECK_INT_EQ(strlen(r.name), 214);
    /* a huge path */
    char huge[5000];
    memset(huge, 'a', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    EXPECT_INVALID(huge);
}

TEST(invalid_tarballs)
{
    EXPECT_INVALID("lodash/-/");
    EXPECT_INVALID("lodash/-/lodash-1.0.0.tar");
    EXPECT_INVALID("lodash/-/lodash-1.0.0.tgz/");
    EXPECT_INVALID("lodash/-/../lodash-1.0.0.tgz");
    EXPECT_INVALID("lodash/-/sub/lodash-1.0.0.tgz");
    EXPECT_INVALID("lodash/-/.tgz");
    EXPECT_INVALID("lodash/-/a b.tgz");
    EXPECT_INVALID("lodash/-/a%2fb.tgz");
    EXPECT_INVALID("lodash/-/a\"b.tgz");
    EXPECT_INVALID(".bad/-/x-1.0.0.tgz");
    EXPECT_INVALID("@babel/-/core-1.0.0.tgz");
    char file[400];
    memset(file, 'f', sizeof(file));
    memcpy(file, "x/-/", 4);
    memcpy(file + 300, ".tgz", 5); /* a 296 character file name */
    EXPECT_INVALID(file);
}

TEST(name_valid)
{
    CHECK_INT_EQ(npm_name_valid("lodash", 6), 1);
    CHECK_INT_EQ(npm_name_valid("@babel/core", 11), 1);
    CHECK_INT_EQ(npm_name_valid("@babel/core", 6), 0); /* "@babel": no slash within len */
    CHECK_INT_EQ(npm_name_valid("lodash/x", 6), 1);    /* only len bytes count */
    CHECK_INT_EQ(npm_name_valid("", 0), 0);
    CHECK_INT_EQ(npm_name_valid("@a/b", 4), 1);
    CHECK_INT_EQ(npm_name_valid("@a/b/c", 6), 0);
    CHECK_INT_EQ(npm_name_valid("a:b", 3), 0);
    CHECK_INT_EQ(npm_name_valid("a\\b", 3), 0);
}

TEST(tarball_version)
{
    char v[64];
    CHECK_INT_EQ(npm_tarball_version("lodash", "lodash-4.17.21.tgz", v, sizeof(v)), 0);
    CHECK_STR_EQ(v, "4.17.21");
    CHECK_INT_EQ(npm_tarball_version("@babel/core", "core-7.24.0.tgz", v, sizeof(v)), 0);
    CHECK_STR_EQ(v, "7.24.0");
    CHECK_INT_EQ(npm_tarball_version("@scope/a-b", "a-b-1.0.0-rc.1.tgz", v, sizeof(v)), 0);
    CHECK_STR_EQ(v, "1.0.0-rc.1");
    CHECK_INT_EQ(npm_tarball_version("pkg", "pkg-1.0.0-beta.1+build.7.tgz", v, sizeof(v)), 0);
    CHECK_STR_EQ(v, "1.0.0-beta.1+build.7");
    CHECK_INT_EQ(npm_tarball_version("left-pad", "left-pad-0.0.0-next.2024.tgz", v, sizeof(v)), 0);
    CHECK_STR_EQ(v, "0.0.0-next.2024");
    /* mismatched names */
    CHECK_INT_EQ(npm_tarball_version("lodash", "underscore-1.0.0.tgz", v, sizeof(v)), -1);
    CHECK_INT_EQ(npm_tarball_version("@babel/core", "babel-core-7.0.0.tgz", v, sizeof(v)), -1);
    CHECK_INT_EQ(npm_tarball_version("lodash", "lodashx-1.0.0.tgz", v, sizeof(v)), -1);
    CHECK_INT_EQ(npm_tarball_version("lodash", "lodas-1.0.0.tgz", v, sizeof(v)), -1);
    CHECK_INT_EQ(npm_tarball_version("lodash", "Lodash-1.0.0.tgz", v, sizeof(v)), -1);
    /* no version */
    CHECK_INT_EQ(npm_tarball_version("lodash", "lodash-.tgz", v, sizeof(v)), -1);
    CHECK_INT_EQ(npm_tarball_version("lodash", "lodash.tgz", v, sizeof(v)), -1);
    CHECK_INT_EQ(npm_tarball_version("lodash", "lodash", v, sizeof(v)), -1);
    CHECK_INT_EQ(npm_tarball_version("lodash", "", v, sizeof(v)), -1);
    /* the version does not fit */
    CHECK_INT_EQ(npm_tarball_version("lodash", "lodash-4.17.21.tgz", v, 7), -1);
    CHECK_INT_EQ(npm_tarball_version("lodash", "lodash-4.17.21.tgz", v, 8), 0);
    CHECK_STR_EQ(v, "4.17.21");
}

TEST(name_encode)
{
    char out[2 * NPM_NAME_MAX + 8];
    npm_name_encode("@babel/core", out, sizeof(out));
    CHECK_STR_EQ(out, "@babel%2fcore");
    npm_name_encode("lodash", out, sizeof(out));
    CHECK_STR_EQ(out, "lodash");
    npm_name_encode("@types/node", out, sizeof(out));
    CHECK_STR_EQ(out, "@types%2fnode");
    /* the encoded form parses back to the same name */
    npm_route_t r = route("@types%2fnode");
    CHECK_STR_EQ(r.name, "@types/node");
    /* truncation is bounded and terminated */
    npm_name_encode("@babel/core", out, 5);
    CHECK_STR_EQ(out, "@bab");
}

/* only npm's two audit endpoints are relayed, byte for byte */
TEST(audit_endpoints)
{
    static const char *const yes[] = {"-/npm/v1/security/advisories/bulk", "-/npm/v1/security/audits/quick"};
    for (size_t i = 0; i < 2; i++) {
        npm_route_t r;
        npm_route_parse(yes[i], strlen(yes[i]), &r);
        CHECK_INT_EQ(r.kind, NPM_ROUTE_AUDIT);
        CHECK_STR_EQ(npm_audit_endpoint(yes[i], strlen(yes[i])), yes[i]);
    }
    static const char *const no[] = {"-/npm/v1/security/..%2f..%2fleft-pad", "-/npm/v1/security/advisories/bulk/x",
                                     "-/npm/v1/security/advisories/bulk%2f..", "-/npm/v1/security/audits",
                                     "-/npm/v1/security/audits/quick/", "-/npm/v1/security/audits/quicker",
                                     "-/npm/v1/security/Advisories/bulk", "-/npm/v1/security/audits/quick%00"};
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        CHECK(npm_audit_endpoint(no[i], strlen(no[i])) == NULL);
    /* a prefix of the right length is not the endpoint */
    CHECK(npm_audit_endpoint("-/npm/v1/security/advisories/bulk", 20) == NULL);
}

int main(void)
{
    RUN(packument_routes);
    RUN(tarball_routes);
    RUN(special_routes);
    RUN(invalid_names);
    RUN(name_length);
    RUN(invalid_tarballs);
    RUN(name_valid);
    RUN(tarball_version);
    RUN(name_encode);
    RUN(audit_endpoints);
    return test_report();
}
