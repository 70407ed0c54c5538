/* npm_filter: verdicts per version, dist-tag rewriting, validity horizon,
 * alternatives, and the rendered document (held versions out of versions
 * and time, listed under policyRestrictions). */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/timeutil.h"
#include "ecosystems/npm/npm_filter.h"
#include "ecosystems/npm/npm_packument.h"
#include "core/config.h"
#include "tests/unit/test.h"

static int64_t iso(const char *s) { return time_parse_iso8601(s, strlen(s)); }

#define V(ver, extra) "\"" ver "\":{\"name\":\"pkg\",\"version\":\"" ver "\"" extra ",\"dist\":{\"tarball\":\"http://up/pkg/-/pkg-" ver ".tgz\",\"integrity\":\"sha512-AAAA\"}}"

static const char *DOC =
    "{\"name\":\"pkg\",\"dist-tags\":{\"latest\":\"2.0.0\",\"next\":\"3.0.0-beta.2\",\"canary\":\"4.0.0-rc.1\","
    "\"old\":\"1.9.8\"},"
    "\"versions\":{" V("1.9.8", "") "," V("2.0.0", ",\"dependencies\":{\"a\":\"1\"}") "," V("1.9.9", "") "," V(
        "3.0.0-beta.1", "") "," V("3.0.0-beta.2", "") "," V("4.0.0-rc.1", "") "},"
    "\"time\":{\"created\":\"2025-01-01T00:00:00.000Z\",\"modified\":\"2026-11-22T00:00:00.000Z\","
    "\"1.9.8\":\"2026-01-01T00:00:00.000Z\",\"2.0.0\":\"2026-11-22T00:00:00.000Z\","
    "\"1.9.9\":\"2026-11-10T00:00:00.000Z\",\"3.0.0-beta.1\":\"2026-11-01T00:00:00.000Z\","
    "\"3.0.0-beta.2\":\"2026-11-21T00:00:00.000Z\",\"4.0.0-rc.1\":\"2026-11-22T00:00:00.000Z\"}}";

static void load(config_t *cfg, const char *yaml)
{
    char err[256];
    CHECK(config_load_string(cfg, "t.yaml", yaml, strlen(yaml), err, sizeof(err)) == 0);
}

static const char *tag(const npm_filter_t *f, const char *name)
{
    for (size_t i = 0; i < f->ntags; i++)
        if (strcmp(f->tags[i].tag, name) == 0)
            return f->tags[i].version;
    return NULL;
}

TEST(tags_move_to_mature_versions)
{
    config_t cfg;
    npm_packument_t p;
    npm_filter_t f;
    char err[200];
    load(&cfg, "quarantine: { min_age: 7d }\n");
    CHECK(npm_packument_parse(&p, DOC, strlen(DOC), err, sizeof(err)) == 0);
    int64_t now = iso("2026-11-23T00:00:00Z");
    CHECK(npm_filter_apply(&cfg, &p, NULL, NULL, now, &f) == 0);
    CHECK_INT_EQ(f.nheld, 3);
    /* latest: highest mature stable not above 2.0.0, by semver not by time */
    CHECK_STR_EQ(tag(&f, "latest"), "1.9.9");
    /* next: same prerelease line */
    CHECK_STR_EQ(tag(&f, "next"), "3.0.0-beta.1");
    /* canary: nothing mature on its line: dropped */
    CHECK(tag(&f, "canary") == NULL);
    CHECK_STR_EQ(tag(&f, "old"), "1.9.8");
    /* the answer holds until the first held version becomes eligible */
    CHECK_INT_EQ(f.valid_until, iso("2026-11-28T00:00:00Z"));
    CHECK_INT_EQ(f.modified, iso("2026-11-10T00:00:00Z"));
    /* one line for the package: the versions one reason holds together, said once */
    CHECK(f.message && strstr(f.message, "pkg: cordon holds ") == f.message);
    CHECK(f.message && strstr(f.message, "2.0.0 until 2026-11-29T00:00:00Z") != NULL);
    CHECK(f.message && strstr(f.message, "Newest allowed: 1.9.9.") != NULL);
    if (f.message) {
        size_t n = 0;
        for (const char *q = f.message; (q = strstr(q, "(quarantine, policy")) != NULL; q++)
            n++;
        CHECK_INT_EQ(n, 1);
    }
    CHECK_STR_EQ(npm_filter_alternative(&p, &f, "2.0.0"), "1.9.9");
    CHECK_STR_EQ(npm_filter_alternative(&p, &f, "1.0.0"), "1.9.9");
    npm_filter_free(&f);
    npm_packument_free(&p);
    config_free(&cfg);
}

TEST(backport_does_not_become_latest)
{
    static const char *doc =
        "{\"name\":\"pkg\",\"dist-tags\":{\"latest\":\"2.0.0\"},\"versions\":{" V("2.0.0", "") "," V("1.9.9", "") "},"
        "\"time\":{\"2.0.0\":\"2026-10-01T00:00:00.000Z\",\"1.9.9\":\"2026-11-10T00:00:00.000Z\"}}";
    config_t cfg;
    npm_packument_t p;
    npm_filter_t f;
    char err[200];
    load(&cfg, "quarantine: { min_age: 7d }\n");
    CHECK(npm_packument_parse(&p, doc, strlen(doc), err, sizeof(err)) == 0);
    CHECK(npm_filter_apply(&cfg, &p, NULL, NULL, iso("2026-11-23T00:00:00Z"), &f) == 0);
    CHECK_INT_EQ(f.nheld, 0);
    CHECK_STR_EQ(tag(&f, "latest"), "2.0.0");
    CHECK(f.valid_until == TIME_NONE && f.message == NULL);
    npm_filter_free(&f);
    npm_packument_free(&p);
    config_free(&cfg);
}

TEST(version_without_time_uses_first_seen)
{
    static const char *doc = "{\"name\":\"pkg\",\"dist-tags\":{\"latest\":\"1.0.0\"},\"versions\":{" V("1.0.0", "") "}}";
    config_t cfg;
    npm_packument_t p;
    npm_filter_t f;
    char err[200];
    load(&cfg, "quarantine: { min_age: 7d }\n");
    CHECK(npm_packument_parse(&p, doc, strlen(doc), err, sizeof(err)) == 0);
    int64_t now = iso("2026-11-23T00:00:00Z");
    int64_t seen[1] = {iso("2026-11-20T00:00:00Z")};
    CHECK(npm_filter_apply(&cfg, &p, seen, NULL, now, &f) == 0);
    CHECK(f.keep[0] == 0 && f.valid_until == iso("2026-11-27T00:00:00Z"));
    CHECK(tag(&f, "latest") == NULL);
    npm_filter_free(&f);
    seen[0] = iso("2026-11-01T00:00:00Z");
    CHECK(npm_filter_apply(&cfg, &p, seen, NULL, now, &f) == 0);
    CHECK(f.keep[0] == 1);
    npm_filter_free(&f);
    npm_packument_free(&p);
    config_free(&cfg);
}

static const char *str_of(yajl_val v) { return YAJL_IS_STRING(v) ? v->u.string : ""; }

static yajl_val get(yajl_val root, const char *a, const char *b)
{
    const char *path[] = {a, b, NULL};
    return yajl_tree_get(root, path, yajl_t_any);
}

TEST(rendered_documents)
{
    config_t cfg;
    npm_packument_t p;
    npm_filter_t f;
    char err[200];
    load(&cfg, "quarantine: { min_age: 7d }\n");
    CHECK(npm_packument_parse(&p, DOC, strlen(DOC), err, sizeof(err)) == 0);
    CHECK(npm_filter_apply(&cfg, &p, NULL, NULL, iso("2026-11-23T00:00:00Z"), &f) == 0);
    for (int abbreviated = 0; abbreviated < 2; abbreviated++) {
        npm_render_opts_t o = {.abbreviated = abbreviated,
                               .tarball_base = "http://cordon/npm/pkg/-/",
                               .keep = f.keep,
                               .tags = f.tags,
                               .ntags = f.ntags,
                               .modified = f.modified,
                               .restricted_message = f.message};
        buf_t out;
        buf_init(&out);
        npm_packument_render(&p, &o, &out);
        char *text = buf_cstr(&out);
        yajl_val root = yajl_tree_parse(text, err, sizeof(err));
        if (root == NULL)
            fprintf(stderr, "render (abbreviated=%d) is not JSON: %s\n%s\n", abbreviated, err, text);
        CHECK(root != NULL);
        if (root) {
            CHECK(get(root, "versions", "1.9.9") != NULL);
            CHECK(get(root, "versions", "2.0.0") == NULL);
            CHECK(get(root, "time", "2.0.0") == NULL);
            CHECK(get(root, "time", "1.9.9") != NULL);
            const char *pr[] = {"policyRestrictions", "versions", "2.0.0", "dependencies", "a", NULL};
            CHECK(yajl_tree_get(root, pr, yajl_t_string) != NULL);
            const char *msg[] = {"policyRestrictions", "message", NULL};
            yajl_val m = yajl_tree_get(root, msg, yajl_t_string);
            CHECK(m && strstr(str_of(m), "quarantine") != NULL);
            const char *tb[] = {"versions", "1.9.9", "dist", "tarball", NULL};
            yajl_val t = yajl_tree_get(root, tb, yajl_t_string);
            CHECK(t && strcmp(str_of(t), "http://cordon/npm/pkg/-/pkg-1.9.9.tgz") == 0);
            yajl_val latest = get(root, "dist-tags", "latest");
            CHECK(latest && strcmp(str_of(latest), "1.9.9") == 0);
            CHECK(get(root, "dist-tags", "canary") == NULL);
            const char *mod[] = {abbreviated ? "modified" : "time", abbreviated ? NULL : "modified", NULL};
            yajl_val mv = yajl_tree_get(root, mod, yajl_t_string);
            CHECK(mv && strcmp(str_of(mv), "2026-11-10T00:00:00.000Z") == 0);
            yajl_tree_free(root);
        }
        buf_free(&out);
    }
    npm_filter_free(&f);
    npm_packument_free(&p);
    config_free(&cfg);
}

int main(void)
{
    RUN(tags_move_to_mature_versions);
    RUN(backport_does_not_become_latest);
    RUN(version_without_time_uses_first_seen);
    RUN(rendered_documents);
    return test_report();
}
