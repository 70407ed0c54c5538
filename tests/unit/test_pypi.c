/* PyPI: PEP 440 ordering, PEP 503 names, routes, file-name versions,
 * Accept negotiation, and the index parse/render round trip. */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/timeutil.h"
#include "ecosystems/pypi/pep440.h"
#include "ecosystems/pypi/pypi_index.h"
#include "ecosystems/pypi/pypi_path.h"
#include "tests/unit/test.h"

TEST(pep440_parse)
{
    pep440_t v;
    CHECK(pep440_parse("1.0", &v) == 0 && v.nrelease == 2);
    CHECK(pep440_parse("v1.0", &v) == 0);
    CHECK(pep440_parse("2!1.0", &v) == 0 && v.epoch == 2);
    CHECK(pep440_parse("1.0a1", &v) == 0 && v.pre_kind == 1 && v.pre == 1);
    CHECK(pep440_parse("1.0-alpha.1", &v) == 0 && v.pre_kind == 1 && v.pre == 1);
    CHECK(pep440_parse("1.0.RC2", &v) == 0 && v.pre_kind == 3 && v.pre == 2);
    CHECK(pep440_parse("1.0c2", &v) == 0 && v.pre_kind == 3);
    CHECK(pep440_parse("1.0.post1", &v) == 0 && v.has_post && v.post == 1);
    CHECK(pep440_parse("1.0-1", &v) == 0 && v.has_post && v.post == 1);
    CHECK(pep440_parse("1.0.rev", &v) == 0 && v.has_post && v.post == 0);
    CHECK(pep440_parse("1.0.dev3", &v) == 0 && v.has_dev && v.dev == 3);
    CHECK(pep440_parse("1.0+ubuntu-1.2", &v) == 0 && strcmp(v.local, "ubuntu.1.2") == 0);
    CHECK(pep440_parse("1.0a1.post2.dev3+local", &v) == 0);
    const char *bad[] = {"", "a", "1.", "1..0", "1.0+", "1.0+a..b", "1.0 junk", "1.0-", "!1.0", "1.0+_x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (pep440_parse(bad[i], &v) == 0)
            fprintf(stderr, "accepted '%s'\n", bad[i]);
        CHECK(pep440_parse(bad[i], &v) != 0);
    }
}

TEST(pep440_order)
{
    /* the ordering example of PEP 440, ascending */
    const char *asc[] = {"1.0.dev456", "1.0a1",  "1.0a2.dev456", "1.0a12.dev456", "1.0a12",      "1.0b1.dev456",
                         "1.0b2",      "1.0b2.post345.dev456",   "1.0b2.post345", "1.0rc1.dev456", "1.0rc1",
                         "1.0",        "1.0+abc.5", "1.0+abc.7", "1.0+5",         "1.0.post456.dev34", "1.0.post456",
                         "1.0.15",     "1.1.dev1",  "2!0.1"};
    size_t n = sizeof(asc) / sizeof(asc[0]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = pep440_compare_str(asc[i], asc[j]);
            int want = i < j ? -1 : i > j;
            if (((c > 0) - (c < 0)) != want)
                fprintf(stderr, "compare(%s, %s) = %d\n", asc[i], asc[j], c);
            CHECK(((c > 0) - (c < 0)) == want);
        }
    CHECK(pep440_compare_str("1.0", "1.0.0") == 0);
    CHECK(pep440_compare_str("1.0a1", "1.0.0a1") == 0);
    pep440_t v;
    pep440_parse("1.0rc1", &v);
    CHECK(pep440_is_prerelease(&v));
    pep440_parse("1.0.post1", &v);
    CHECK(!pep440_is_prerelease(&v));
}

TEST(names)
{
    char out[256];
    CHECK(pypi_normalize("Django_REST.framework", 21, out, sizeof(out)) == 0 && strcmp(out, "django-rest-framework") == 0);
    CHECK(pypi_normalize("a--_.b", 6, out, sizeof(out)) == 0 && strcmp(out, "a-b") == 0);
    CHECK(pypi_normalize("-a", 2, out, sizeof(out)) != 0);
    CHECK(pypi_normalize("a b", 3, out, sizeof(out)) != 0);
    CHECK(pypi_normalize("a/b", 3, out, sizeof(out)) != 0);
    CHECK(pypi_normalize("", 0, out, sizeof(out)) != 0);
}

TEST(routes)
{
    pypi_route_t r;
    pypi_route_parse("simple/", 7, &r);
    CHECK(r.kind == PYPI_ROUTE_ROOT && !r.needs_redirect);
    pypi_route_parse("simple/requests/", 16, &r);
    CHECK(r.kind == PYPI_ROUTE_PROJECT && !r.needs_redirect && strcmp(r.project, "requests") == 0);
    pypi_route_parse("simple/Requests/", 16, &r);
    CHECK(r.kind == PYPI_ROUTE_PROJECT && r.needs_redirect && strcmp(r.project, "requests") == 0);
    pypi_route_parse("simple/requests", 15, &r);
    CHECK(r.kind == PYPI_ROUTE_PROJECT && r.needs_redirect);
    pypi_route_parse("simple/a/b/", 11, &r);
    CHECK(r.kind == PYPI_ROUTE_INVALID);
    const char *f = "files/fx-lib/fx_lib-1.0-py3-none-any.whl";
    pypi_route_parse(f, strlen(f), &r);
    CHECK(r.kind == PYPI_ROUTE_FILE && !r.metadata && strcmp(r.file, "fx_lib-1.0-py3-none-any.whl") == 0);
    f = "files/fx-lib/fx_lib-1.0-py3-none-any.whl.metadata";
    pypi_route_parse(f, strlen(f), &r);
    CHECK(r.kind == PYPI_ROUTE_FILE && r.metadata && strcmp(r.file, "fx_lib-1.0-py3-none-any.whl") == 0);
    const char *bad[] = {"files/Fx_Lib/x-1.0.tar.gz", "files/fx-lib/../x", "files/fx-lib/a%2fb", "files/fx-lib/",
                         "files/fx-lib/.hidden", "simple/%41/", "other"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pypi_route_parse(bad[i], strlen(bad[i]), &r);
        CHECK(r.kind == PYPI_ROUTE_INVALID);
    }
    pypi_route_parse("files/a/b\0c", 11, &r);
    CHECK(r.kind == PYPI_ROUTE_INVALID);
}

TEST(file_versions)
{
    char v[64];
    CHECK(pypi_file_version("fx-lib", "fx_lib-1.0-py3-none-any.whl", v, sizeof(v)) == 0 && strcmp(v, "1.0") == 0);
    CHECK(pypi_file_version("fx-lib", "Fx.Lib-2.0rc1-1-py3-none-any.whl", v, sizeof(v)) == 0 && strcmp(v, "2.0rc1") == 0);
    CHECK(pypi_file_version("my-proj", "my-proj-1.2.3.tar.gz", v, sizeof(v)) == 0 && strcmp(v, "1.2.3") == 0);
    CHECK(pypi_file_version("my-proj", "my_proj-1.2.3.zip", v, sizeof(v)) == 0 && strcmp(v, "1.2.3") == 0);
    CHECK(pypi_file_version("my-proj", "other-1.0.tar.gz", v, sizeof(v)) != 0);
    CHECK(pypi_file_version("my-proj", "other-1.0-py3-none-any.whl", v, sizeof(v)) != 0);
    CHECK(pypi_file_version("my-proj", "my-proj.tar.gz", v, sizeof(v)) != 0);
    CHECK(pypi_file_version("my-proj", "my-proj-1.0.exe", v, sizeof(v)) != 0);
    /* sdists compressed other ways, and eggs: {name}-{version}(-py{X.Y}(-{platform})?)?.egg */
    CHECK(pypi_file_version("my-proj", "my_proj-1.2.3.tar.bz2", v, sizeof(v)) == 0 && strcmp(v, "1.2.3") == 0);
    CHECK(pypi_file_version("my-proj", "my-proj-1.2.3.tar.xz", v, sizeof(v)) == 0 && strcmp(v, "1.2.3") == 0);
    CHECK(pypi_file_version("my-proj", "my_proj-1.2.3-py3.9.egg", v, sizeof(v)) == 0 && strcmp(v, "1.2.3") == 0);
    CHECK(pypi_file_version("my-proj", "my_proj-1.2.3-py2.7-linux-x86_64.egg", v, sizeof(v)) == 0 &&
          strcmp(v, "1.2.3") == 0);
    CHECK(pypi_file_version("my-proj", "my_proj-1.2.3.egg", v, sizeof(v)) == 0 && strcmp(v, "1.2.3") == 0);
    CHECK(pypi_file_version("my-proj", "other-1.2.3-py3.9.egg", v, sizeof(v)) != 0);
    CHECK(pypi_file_version("my-proj", "my_proj.egg", v, sizeof(v)) != 0);
    CHECK(pypi_file_version("my-proj", "my_proj--py3.9.egg", v, sizeof(v)) != 0);
}

TEST(negotiation)
{
#define NEG(s) pypi_negotiate(s, strlen(s))
    CHECK(pypi_negotiate(NULL, 0) == PYPI_FORMAT_HTML);
    CHECK(NEG("application/vnd.pypi.simple.v1+json") == PYPI_FORMAT_JSON);
    /* what pip sends */
    CHECK(NEG("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01") ==
          PYPI_FORMAT_JSON);
    CHECK(NEG("application/vnd.pypi.simple.v1+json;q=0.2, text/html") == PYPI_FORMAT_HTML);
    CHECK(NEG("application/vnd.pypi.simple.v1+html") == PYPI_FORMAT_HTML_V1);
    CHECK(NEG("text/html;q=0.5, application/vnd.pypi.simple.latest+json;q=0.5") == PYPI_FORMAT_JSON);
    CHECK(NEG("*/*") == PYPI_FORMAT_HTML);
    CHECK(NEG("application/json") == PYPI_FORMAT_NONE);
    CHECK(NEG("text/html;q=0") == PYPI_FORMAT_NONE);
#undef NEG
}

static const char *PAGE =
    "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"Fx_Lib\",\"files\":["
    "{\"filename\":\"fx_lib-1.0.tar.gz\",\"url\":\"../../packages/fx_lib-1.0.tar.gz\",\"hashes\":{\"sha256\":\"aa\","
    "\"md5\":\"bb\"},\"requires-python\":\">=3.7<4\",\"yanked\":\"broken <b>\",\"size\":10,"
    "\"upload-time\":\"2026-01-01T00:00:00.123456Z\"},"
    "{\"filename\":\"fx_lib-2.0-py3-none-any.whl\",\"url\":\"http://x/f.whl\",\"hashes\":{\"sha256\":\"cc\"},"
    "\"core-metadata\":{\"sha256\":\"dd\"},\"yanked\":false,\"upload-time\":\"2026-11-22T00:00:00Z\"},"
    "{\"filename\":\"evil-9.0.tar.gz\",\"url\":\"http://x/evil.tar.gz\",\"hashes\":{\"sha256\":\"ee\"}}],"
    "\"versions\":[\"1.0\",\"2.0\",\"3.0\"]}";

TEST(index_parse_and_render)
{
    pypi_project_t p;
    char err[200];
    int rc = pypi_index_parse(&p, "fx-lib", PAGE, strlen(PAGE), err, sizeof(err));
    if (rc)
        fprintf(stderr, "parse: %s\n", err);
    CHECK(rc == 0);
    if (rc)
        return;
    CHECK(p.nfiles == 3 && p.nversions == 3);
    CHECK(strcmp(p.files[0].version, "1.0") == 0 && p.files[0].yanked && strcmp(p.files[0].yanked_reason, "broken <b>") == 0);
    CHECK(p.files[0].upload_time_ms == time_parse_iso8601("2026-01-01T00:00:00.123Z", 24));
    CHECK(strcmp(pypi_file_hash(&p.files[0])->alg, "sha256") == 0);
    CHECK(p.files[1].core_metadata && strcmp(p.files[1].core_metadata_sha256, "dd") == 0);
    CHECK(p.files[2].version == NULL); /* another project's file: never listed */
    unsigned char keep[3] = {1, 0, 1};
    pypi_render_opts_t o = {.html = 0, .files_base = "http://c/pypi/files/fx-lib/", .keep = keep};
    buf_t out;
    buf_init(&out);
    pypi_index_render(&p, &o, &out);
    yajl_val root = yajl_tree_parse(buf_cstr(&out), err, sizeof(err));
    CHECK(root != NULL);
    if (root) {
        const char *files[] = {"files", NULL}, *versions[] = {"versions", NULL};
        yajl_val fv = yajl_tree_get(root, files, yajl_t_array);
        CHECK(fv && fv->u.array.len == 1);
        yajl_val vv = yajl_tree_get(root, versions, yajl_t_array);
        /* 2.0 lost its only file; 3.0 never had one and stays (PEP 700) */
        CHECK(vv && vv->u.array.len == 2);
        CHECK(strstr(out.data, "\"url\":\"http://c/pypi/files/fx-lib/fx_lib-1.0.tar.gz\"") != NULL);
        CHECK(strstr(out.data, "\"yanked\":\"broken \\u003cb\\u003e\"") != NULL);
        yajl_tree_free(root);
    }
    buf_reset(&out);
    o.html = 1;
    pypi_index_render(&p, &o, &out);
    const char *html = buf_cstr(&out);
    CHECK(strstr(html, "href=\"http://c/pypi/files/fx-lib/fx_lib-1.0.tar.gz#sha256=aa\"") != NULL);
    CHECK(strstr(html, "data-requires-python=\"&gt;=3.7&lt;4\"") != NULL);
    CHECK(strstr(html, "data-yanked=\"broken &lt;b&gt;\"") != NULL);
    CHECK(strstr(html, "fx_lib-2.0") == NULL);
    CHECK(strstr(html, "evil") == NULL);
    buf_free(&out);
    pypi_index_free(&p);
}

TEST(index_malformed)
{
    pypi_project_t p;
    char err[200];
    const char *bad[] = {"", "[]", "{\"name\":\"fx-lib\",\"files\":{}}", "{\"name\":\"fx-lib\",\"files\":[1]}",
                         "{\"name\":\"other\",\"files\":[]}", "{\"files\":[]}", "{\"name\":\"fx-lib\",\"files\":["};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = pypi_index_parse(&p, "fx-lib", bad[i], strlen(bad[i]), err, sizeof(err));
        if (rc == 0) {
            fprintf(stderr, "accepted '%s'\n", bad[i]);
            pypi_index_free(&p);
        }
        CHECK(rc != 0 && err[0] != '\0');
    }
}

int main(void)
{
    RUN(pep440_parse);
    RUN(pep440_order);
    RUN(names);
    RUN(routes);
    RUN(file_versions);
    RUN(negotiation);
    RUN(index_parse_and_render);
    RUN(index_malformed);
    return test_report();
}
