/* unit tests: common/url.h (origins, userinfo) and upstream/outbound.h (where a
 * fetch may go, and which requests carry the upstream's credentials). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/eco_ids.h"
#include "upstream/outbound.h"
#include "common/url.h"
#include "tests/unit/test.h"

static char err[1024];

static int load(config_t *c, const char *yaml)
{
    err[0] = '\0';
    int rc = config_load_string(c, "cordon.yaml", yaml, strlen(yaml), err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "load: %s\n", err);
    return rc;
}

TEST(origin_parse)
{
    url_origin_t o;
    CHECK_INT_EQ(url_origin("https://Registry.Example/a/b", &o), 0);
    CHECK_INT_EQ(o.https, 1);
    CHECK_STR_EQ(o.host, "registry.example");
    CHECK_INT_EQ(o.port, 443);
    CHECK_INT_EQ(url_origin("http://127.0.0.1:8080", &o), 0);
    CHECK_INT_EQ(o.https, 0);
    CHECK_STR_EQ(o.host, "127.0.0.1");
    CHECK_INT_EQ(o.port, 8080);
    CHECK_INT_EQ(url_origin("http://u:p@10.0.0.1/x", &o), 0);
    CHECK_STR_EQ(o.host, "10.0.0.1");
    CHECK_INT_EQ(o.port, 80);
    CHECK_INT_EQ(url_origin("http://[::1]:7878/x", &o), 0);
    CHECK_STR_EQ(o.host, "[::1]");
    CHECK_INT_EQ(o.port, 7878);
    /* not fetchable */
    CHECK_INT_EQ(url_origin("ftp://host/x", &o), -1);
    CHECK_INT_EQ(url_origin("file:///etc/passwd", &o), -1);
    CHECK_INT_EQ(url_origin("/relative/path", &o), -1);
    CHECK_INT_EQ(url_origin("http://", &o), -1);
    CHECK_INT_EQ(url_origin("http://host:99999/", &o), -1);
    CHECK_INT_EQ(url_origin("", &o), -1);
    char hp[300];
    url_origin("https://h.example:8443/", &o);
    url_origin_hostport(&o, hp, sizeof(hp));
    CHECK_STR_EQ(hp, "h.example:8443");
    url_origin("https://h.example:443/", &o);
    url_origin_hostport(&o, hp, sizeof(hp));
    CHECK_STR_EQ(hp, "h.example");
}

TEST(origin_same)
{
    url_origin_t a, b;
    url_origin("http://127.0.0.1:4000/npm", &a);
    url_origin("http://127.0.0.1:4000/other/path?q", &b);
    CHECK(url_origin_same(&a, &b));
    url_origin("http://127.0.0.1:4001/npm", &b); /* another port is another origin */
    CHECK(!url_origin_same(&a, &b));
    url_origin("https://127.0.0.1:4000/npm", &b); /* another scheme too */
    CHECK(!url_origin_same(&a, &b));
    url_origin("http://localhost:4000/npm", &b); /* names are compared, not addresses */
    CHECK(!url_origin_same(&a, &b));
    url_origin("https://r.example/", &a);
    url_origin("https://r.example:443/x", &b);
    CHECK(url_origin_same(&a, &b));
}

TEST(userinfo)
{
    char *s = url_without_userinfo("https://alice:s3cret@r.example/npm/");
    CHECK_STR_EQ(s, "https://r.example/npm/");
    free(s);
    s = url_without_userinfo("https://r.example/npm/@scope%2fname"); /* an @ in the path is no userinfo */
    CHECK_STR_EQ(s, "https://r.example/npm/@scope%2fname");
    free(s);
    s = url_without_userinfo("http://a@b@c.example:81/x?y@z");
    CHECK_STR_EQ(s, "http://c.example:81/x?y@z");
    free(s);
    s = url_without_userinfo("not a url, user:pw@x");
    CHECK_STR_EQ(s, "not a url, user:pw@x");
    free(s);

    char out[64];
    url_redact("https://u:pw@h.example/x", out, sizeof(out));
    CHECK_STR_EQ(out, "https://h.example/x");
    url_redact("https://u:pw@h.example/a-very-long-path-that-does-not-fit-in-the-buffer", out, 16);
    CHECK_STR_EQ(out, "https://h.examp");

    char *user, *pass;
    CHECK_INT_EQ(url_userinfo("https://alice:p%40ss%3Aword@h.example/", &user, &pass), 1);
    CHECK_STR_EQ(user, "alice");
    CHECK_STR_EQ(pass, "p@ss:word");
    free(user);
    free(pass);
    CHECK_INT_EQ(url_userinfo("https://token@h.example/", &user, &pass), 1);
    CHECK_STR_EQ(user, "token");
    CHECK_STR_EQ(pass, "");
    free(user);
    free(pass);
    CHECK_INT_EQ(url_userinfo("https://h.example/a@b", &user, &pass), 0);
    CHECK(user == NULL && pass == NULL);
    CHECK_INT_EQ(url_userinfo("https://u:%zz@h.example/", &user, &pass), -1);
    CHECK_INT_EQ(url_userinfo("https://u:%00@h.example/", &user, &pass), -1);
    CHECK_INT_EQ(url_userinfo("https://u:%4@h.example/", &user, &pass), -1);
    CHECK(user == NULL && pass == NULL);
}

static const char POLICY[] = "upstreams:\n"
                             "  npm: http://alice:pw@127.0.0.1:4000/\n"
                             "  pypi: https://pypi-upstream.example/\n"
                             "  maven: { url: \"https://maven-upstream.example/m2\", username: bob, "
                             "password_file: /nonexistent }\n"
                             "fetch:\n"
                             "  allow_hosts: [files.example, \"cdn.example:8443\", \"127.0.0.1:4002\", \"[::1]:9\"]\n";

/* outbound_check says yes (0) or no (-1), and a no names want */
static void expect(const config_t *c, int eco, const char *url, const char *from, int want_rc, const char *want,
                   int line)
{
    char why[600] = "";
    int rc = outbound_check(c, eco, url, from, why, sizeof(why));
    int ok = rc == want_rc && (want == NULL || strstr(why, want) != NULL);
    if (!test_note(ok, __FILE__, line))
        fprintf(stderr, "outbound_check(%s, %s) = %d \"%s\"; want %d naming \"%s\"\n", eco_name((eco_id_t)eco), url,
                rc, why, want_rc, want ? want : "");
}
#define EXPECT(c, eco, url, from, rc, want) expect(c, eco, url, from, rc, want, __LINE__)

TEST(policy)
{
    config_t c;
    if (load(&c, POLICY) != 0) {
        CHECK(0);
        return;
    }
    /* the upstream's own origin, whatever the path */
    EXPECT(&c, ECO_NPM, "http://127.0.0.1:4000/left-pad", NULL, 0, NULL);
    EXPECT(&c, ECO_NPM, "http://127.0.0.1:4000/-/x/left-pad-1.0.0.tgz", NULL, 0, NULL);
    /* another port of the same address is another host */
    EXPECT(&c, ECO_NPM, "http://127.0.0.1:4001/left-pad", NULL, -1, "127.0.0.1:4001");
    EXPECT(&c, ECO_NPM, "http://127.0.0.1:4001/left-pad", NULL, -1, "fetch.allow_hosts");
    EXPECT(&c, ECO_NPM, "http://169.254.169.254/latest/meta-data/", NULL, -1, "169.254.169.254");
    /* listed hosts: "host" on the default port, "host:port" exactly */
    EXPECT(&c, ECO_NPM, "http://127.0.0.1:4002/x.tgz", NULL, 0, NULL);
    EXPECT(&c, ECO_PYPI, "https://files.example/p/x.whl", NULL, 0, NULL);
    EXPECT(&c, ECO_PYPI, "https://FILES.example:443/p/x.whl", NULL, 0, NULL);
    EXPECT(&c, ECO_PYPI, "https://files.example:8443/p/x.whl", NULL, -1, "files.example:8443");
    EXPECT(&c, ECO_PYPI, "https://cdn.example:8443/p/x.whl", NULL, 0, NULL);
    EXPECT(&c, ECO_PYPI, "https://cdn.example/p/x.whl", NULL, -1, "cdn.example");
    EXPECT(&c, ECO_PYPI, "https://sub.files.example/p/x.whl", NULL, -1, "sub.files.example");
    EXPECT(&c, ECO_NPM, "http://[::1]:9/x", NULL, 0, NULL);
    /* per ecosystem: another ecosystem's upstream is no upstream of this one */
    EXPECT(&c, ECO_NPM, "https://pypi-upstream.example/simple/x/", NULL, -1, "upstreams.npm");
    EXPECT(&c, ECO_MAVEN, "https://maven-upstream.example/m2/g/a/1/a-1.pom", NULL, 0, NULL);
    EXPECT(&c, ECO_MAVEN, "https://maven-upstream.example/elsewhere", NULL, 0, NULL); /* origin, not path */
    /* never plain http under an https upstream, nor after an https hop */
    EXPECT(&c, ECO_PYPI, "http://pypi-upstream.example/simple/x/", NULL, -1, "plain http");
    EXPECT(&c, ECO_PYPI, "http://files.example/p/x.whl", NULL, -1, "plain http");
    EXPECT(&c, ECO_NPM, "http://127.0.0.1:4002/x.tgz", "https://cdn.example:8443/x.tgz", -1, "https to plain http");
    EXPECT(&c, ECO_NPM, "http://127.0.0.1:4002/x.tgz", "http://127.0.0.1:4000/x.tgz", 0, NULL);
    /* what is no http(s) URL, and jobs of no ecosystem */
    EXPECT(&c, ECO_NPM, "file:///etc/passwd", NULL, -1, "not an http or https URL");
    EXPECT(&c, ECO_NPM, "gopher://127.0.0.1:4000/", NULL, -1, "not an http or https URL");
    EXPECT(&c, -1, "http://127.0.0.1:4000/left-pad", NULL, -1, "ecosystem");
    /* refusals never show credentials */
    char why[600];
    outbound_check(&c, ECO_NPM, "http://mallory:pw2@10.1.2.3/x", NULL, why, sizeof(why));
    CHECK(strstr(why, "pw2") == NULL && strstr(why, "10.1.2.3") != NULL);
    config_free(&c);
}

TEST(credentials_only_to_the_upstream_origin)
{
    config_t c;
    if (load(&c, POLICY) != 0) {
        CHECK(0);
        return;
    }
    const char *u, *p;
    CHECK_INT_EQ(outbound_credentials(&c, ECO_NPM, "http://127.0.0.1:4000/left-pad", &u, &p), 1);
    CHECK_STR_EQ(u, "alice");
    CHECK_STR_EQ(p, "pw");
    CHECK_INT_EQ(outbound_credentials(&c, ECO_NPM, "http://127.0.0.1:4002/x.tgz", &u, &p), 0); /* allowed host */
    CHECK(u == NULL && p == NULL);
    CHECK_INT_EQ(outbound_credentials(&c, ECO_NPM, "https://127.0.0.1:4000/x", &u, &p), 0); /* other scheme */
    CHECK_INT_EQ(outbound_credentials(&c, ECO_PYPI, "https://pypi-upstream.example/x", &u, &p), 0); /* none */
    /* maven's password comes from its file, read only by config_read_secrets: none yet */
    CHECK_INT_EQ(outbound_credentials(&c, ECO_MAVEN, "https://maven-upstream.example/m2/x", &u, &p), 0);
    CHECK_INT_EQ(outbound_credentials(&c, -1, "http://127.0.0.1:4000/x", &u, &p), 0);
    config_free(&c);
}

int main(void)
{
    RUN(origin_parse);
    RUN(origin_same);
    RUN(userinfo);
    RUN(policy);
    RUN(credentials_only_to_the_upstream_origin);
    return test_report();
}
