/* pom_deps: a POM's model read at the right paths only, ${} interpolation
 * over a parent chain, the effective dependencies a consumer gets, and the
 * version a Maven version spec picks. */
#include <stdlib.h>
#include <string.h>

#include "ecosystems/maven/pom_deps.h"
#include "tests/unit/test.h"

/* reads doc into m; 0 on success (a failure prints the error) */
static int read_pom(const char *doc, pom_model_t *m)
{
    char err[200] = "";
    int rc = pom_model_read(doc, strlen(doc), m, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "pom_model_read: %s\n", err);
    return rc;
}

/* the error of a refused document, "" when it was read */
static const char *refusal(const char *doc, size_t len, char *err, size_t errlen)
{
    pom_model_t m;
    if (pom_model_read(doc, len, &m, err, errlen) == 0) {
        pom_model_free(&m);
        return "";
    }
    return err;
}

static const char *prop(const pom_model_t *m, const char *key)
{
    for (size_t i = 0; i < m->nprops; i++)
        if (strcmp(m->prop_keys[i], key) == 0)
            return m->prop_vals[i];
    return NULL;
}

static const pom_dep_t *find_dep(const pom_dep_t *v, long n, const char *artifact)
{
    for (long i = 0; i < n; i++)
        if (strcmp(v[i].artifact, artifact) == 0)
            return &v[i];
    return NULL;
}

static void effective_free(pom_dep_t *v, long n)
{
    for (long i = 0; i < n; i++)
        pom_dep_free_fields(&v[i]);
    free(v);
}

static const char *const FULL =
    "<?xml version=\"1.0\"?>\n"
    "<project xmlns=\"urn:example:pom\">\n"
    "  <modelVersion>4.0.0</modelVersion>\n"
    "  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>7</version></parent>\n"
    "  <artifactId> lib </artifactId>\n"
    "  <packaging>jar</packaging>\n"
    "  <properties><b.version>2.1</b.version><a.version>1.0</a.version><empty/><a.version>1.1</a.version>"
    "</properties>\n"
    "  <dependencies>\n"
    "    <dependency><groupId>g</groupId><artifactId>a</artifactId><version>${a.version}</version>\n"
    "      <exclusions><exclusion><groupId>x</groupId><artifactId>y</artifactId></exclusion></exclusions>\n"
    "    </dependency>\n"
    "    <dependency><groupId>g</groupId><artifactId>b</artifactId><scope>test</scope><type>test-jar</type>"
    "<classifier>tests</classifier><optional> TRUE </optional></dependency>\n"
    "    <dependency><groupId>g</groupId><artifactId>c</artifactId><version><![CDATA[3.]]><!-- c -->0</version>"
    "<optional>false</optional></dependency>\n"
    "  </dependencies>\n"
    "  <dependencyManagement><dependencies>\n"
    "    <dependency><groupId>g</groupId><artifactId>m</artifactId><version>9</version><scope>runtime</scope>"
    "</dependency>\n"
    "  </dependencies></dependencyManagement>\n"
    "  <profiles><profile><id>p</id><dependencies><dependency><groupId>g</groupId><artifactId>profiled</artifactId>"
    "<version>1</version></dependency></dependencies>\n"
    "    <properties><a.version>from-profile</a.version></properties></profile></profiles>\n"
    "  <build><plugins><plugin><groupId>gp</groupId><artifactId>plug</artifactId><version>1</version>"
    "<dependencies><dependency><groupId>g</groupId><artifactId>plugdep</artifactId><version>1</version>"
    "</dependency></dependencies></plugin></plugins></build>\n"
    "  <reporting><plugins><plugin><artifactId>rep</artifactId><version>5</version></plugin></plugins></reporting>\n"
    "</project>\n";

TEST(model_read)
{
    pom_model_t m;
    CHECK_INT_EQ(read_pom(FULL, &m), 0);
    CHECK_STR_EQ(m.group, NULL);
    CHECK_STR_EQ(m.artifact, "lib");
    CHECK_STR_EQ(m.version, NULL);
    CHECK_STR_EQ(m.packaging, "jar");
    CHECK_STR_EQ(m.parent_group, "org.example");
    CHECK_STR_EQ(m.parent_artifact, "parent");
    CHECK_STR_EQ(m.parent_version, "7");
    /* profile and plugin dependencies are not the project's */
    CHECK_INT_EQ(m.ndeps, 3);
    if (m.ndeps == 3) {
        CHECK_STR_EQ(m.deps[0].artifact, "a");
        CHECK_STR_EQ(m.deps[0].version, "${a.version}");
        CHECK_STR_EQ(m.deps[0].group, "g"); /* not the exclusion's groupId */
        CHECK_STR_EQ(m.deps[0].scope, NULL);
        CHECK_STR_EQ(m.deps[1].scope, "test");
        CHECK_STR_EQ(m.deps[1].type, "test-jar");
        CHECK_STR_EQ(m.deps[1].classifier, "tests");
        CHECK_INT_EQ(m.deps[1].optional, 1);
        CHECK_STR_EQ(m.deps[1].version, NULL);
        CHECK_STR_EQ(m.deps[2].version, "3.0"); /* CDATA and text around a comment, as one */
        CHECK_INT_EQ(m.deps[2].optional, 0);
    }
    CHECK_INT_EQ(m.nmanaged, 1);
    if (m.nmanaged == 1) {
        CHECK_STR_EQ(m.managed[0].artifact, "m");
        CHECK_STR_EQ(m.managed[0].scope, "runtime");
    }
    /* sorted, one per key, the later one kept, an empty property is "" (the profile's not read) */
    CHECK_INT_EQ(m.nprops, 3);
    if (m.nprops == 3) {
        CHECK_STR_EQ(m.prop_keys[0], "a.version");
        CHECK_STR_EQ(m.prop_keys[1], "b.version");
        CHECK_STR_EQ(m.prop_keys[2], "empty");
    }
    CHECK_STR_EQ(prop(&m, "a.version"), "1.1");
    CHECK_STR_EQ(prop(&m, "empty"), "");
    pom_model_free(&m);
    pom_model_free(&m); /* harmless twice */
    CHECK(m.deps == NULL && m.ndeps == 0);
}

TEST(model_prefixes)
{
    const char *doc = "<p:project xmlns:p=\"urn:example:pom\" xmlns:q=\"urn:other\">"
                      "<p:groupId>org.p</p:groupId><q:artifactId>pre</q:artifactId><p:version>1</p:version>"
                      "<p:dependencies><q:dependency><p:groupId>g</p:groupId><p:artifactId>x</p:artifactId>"
                      "</q:dependency></p:dependencies>"
                      "<p:profiles><p:profile><p:dependencies><p:dependency><p:groupId>g</p:groupId>"
                      "<p:artifactId>hidden</p:artifactId></p:dependency></p:dependencies></p:profile></p:profiles>"
                      "</p:project>";
    pom_model_t m;
    CHECK_INT_EQ(read_pom(doc, &m), 0);
    CHECK_STR_EQ(m.group, "org.p");
    CHECK_STR_EQ(m.artifact, "pre");
    CHECK_INT_EQ(m.ndeps, 1);
    if (m.ndeps == 1)
        CHECK_STR_EQ(m.deps[0].artifact, "x");
    pom_model_free(&m);

    /* the right path only: a <dependencies> under <build> or one level too deep is not read */
    doc = "<project><build><dependencies><dependency><groupId>g</groupId><artifactId>b</artifactId></dependency>"
          "</dependencies></build><x><dependencies><dependency><groupId>g</groupId><artifactId>c</artifactId>"
          "</dependency></dependencies></x><dependencies/></project>";
    CHECK_INT_EQ(read_pom(doc, &m), 0);
    CHECK_INT_EQ(m.ndeps, 0);
    CHECK(m.parent_artifact == NULL);
    pom_model_free(&m);
}

TEST(model_refused)
{
    char err[200];
    const char *doc = "<project>\n<dependencies>\n<dependency><groupId>g</groupId>\n</dependencies>\n</project>";
    const char *e = refusal(doc, strlen(doc), err, sizeof(err));
    CHECK(strncmp(e, "line ", 5) == 0);
    CHECK(strncmp(e, "line 4", 6) == 0); /* the mismatched end tag */
    e = refusal("<project><groupId>a</groupId>", 29, err, sizeof(err));
    CHECK(strncmp(e, "line 1", 6) == 0);
    e = refusal("<metadata/>", 11, err, sizeof(err));
    CHECK(strstr(e, "not a POM") != NULL);
    e = refusal("<project><version>1</version><version>2</version></project>", 59, err, sizeof(err));
    CHECK(strstr(e, "given twice") != NULL);
    doc = "<project>\n<dependencies><dependency><groupId>g</groupId><groupId>h</groupId>"
          "<artifactId>a</artifactId></dependency></dependencies></project>";
    CHECK(strstr(refusal(doc, strlen(doc), err, sizeof(err)), "line 2: <groupId> given twice") != NULL);
    doc = "<project><dependencies><dependency><groupId>g</groupId></dependency></dependencies></project>";
    CHECK(strstr(refusal(doc, strlen(doc), err, sizeof(err)), "without artifactId") != NULL);
    doc = "<project><parent><artifactId>p</artifactId></parent></project>";
    CHECK(strstr(refusal(doc, strlen(doc), err, sizeof(err)), "without groupId") != NULL);
    doc = "<project><dependencies/><dependencies/></project>";
    CHECK(strstr(refusal(doc, strlen(doc), err, sizeof(err)), "given twice") != NULL);
    doc = "<!DOCTYPE project [<!ENTITY v \"1\">]><project><version>&v;</version></project>";
    CHECK(strncmp(refusal(doc, strlen(doc), err, sizeof(err)), "line 1", 6) == 0);
    CHECK(refusal("", 0, err, sizeof(err))[0] != '\0');

    /* bounds: 8 MB, 4096 dependencies, 1024 properties */
    size_t big = (8u << 20) + 1;
    char *huge = malloc(big);
    if (huge != NULL) {
        memset(huge, ' ', big);
        memcpy(huge, "<project>", 9);
        memcpy(huge + big - 10, "</project>", 10);
        CHECK(strstr(refusal(huge, big, err, sizeof(err)), "too large") != NULL);
        free(huge);
    }
    const char *one = "<dependency><groupId>g</groupId><artifactId>a</artifactId></dependency>";
    size_t cap = 64 + 4097 * strlen(one);
    char *many = malloc(cap);
    if (many != NULL) {
        strcpy(many, "<project><dependencies>");
        char *p = many + strlen(many);
        for (int i = 0; i < 4096; i++)
            p += sprintf(p, "%s", one);
        strcpy(p, "</dependencies></project>");
        pom_model_t m;
        CHECK_INT_EQ(read_pom(many, &m), 0);
        CHECK_INT_EQ(m.ndeps, 4096);
        pom_model_free(&m);
        p += sprintf(p, "%s", one);
        strcpy(p, "</dependencies></project>");
        CHECK(strstr(refusal(many, strlen(many), err, sizeof(err)), "more than 4096 dependencies") != NULL);
        free(many);
    }
    char *props = malloc(64 + 1025 * 16);
    if (props != NULL) {
        char *p = props + sprintf(props, "<project><properties>");
        for (int i = 0; i < 1025; i++)
            p += sprintf(p, "<p%d>v</p%d>", i, i);
        strcpy(p, "</properties></project>");
        CHECK(strstr(refusal(props, strlen(props), err, sizeof(err)), "more than 1024 properties") != NULL);
        free(props);
    }
}

/* the chain of the interpolation and effective dependency tests */
static const char *const PARENT =
    "<project><groupId>org.example</groupId><artifactId>parent</artifactId><version>7.0</version>"
    "<packaging>pom</packaging>"
    "<properties><lib.version>1.2</lib.version><shared>parent</shared><base>${lib.version}-base</base>"
    "<child.only>parent-sees-${child.prop}</child.only></properties>"
    "<dependencies>"
    "<dependency><groupId>org.example</groupId><artifactId>inherited</artifactId><version>${lib.version}</version>"
    "</dependency>"
    "<dependency><groupId>org.example</groupId><artifactId>overridden</artifactId><version>1</version></dependency>"
    "<dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4</version><scope>test</scope>"
    "</dependency>"
    "</dependencies>"
    "<dependencyManagement><dependencies>"
    "<dependency><groupId>org.example</groupId><artifactId>managed</artifactId><version>1.0-parent</version>"
    "</dependency>"
    "<dependency><groupId>org.example</groupId><artifactId>only-parent</artifactId><version>${shared}</version>"
    "<scope>runtime</scope></dependency>"
    "<dependency><groupId>org.example</groupId><artifactId>scoped</artifactId><scope>provided</scope></dependency>"
    "</dependencies></dependencyManagement></project>";

static const char *const CHILD =
    "<project><parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>7.0</version></parent>"
    "<artifactId>child</artifactId>"
    "<properties><shared>child</shared><child.prop>from-child</child.prop><loop>${loop}</loop>"
    "<ping>${pong}</ping><pong>${ping}</pong><n1>${n2}</n1><n2>${n3}</n2><n3>end</n3>"
    "<project.version>not-this</project.version><x2>${x1}${x1}</x2><x1>${x0}${x0}</x1><x0>ab</x0></properties>"
    "<dependencies>"
    "<dependency><groupId>org.example</groupId><artifactId>managed</artifactId></dependency>"
    "<dependency><groupId>org.example</groupId><artifactId>only-parent</artifactId></dependency>"
    "<dependency><groupId>org.example</groupId><artifactId>scoped</artifactId><version>1</version></dependency>"
    "<dependency><groupId>org.example</groupId><artifactId>overridden</artifactId><version>2</version></dependency>"
    "<dependency><groupId>org.example</groupId><artifactId>self</artifactId><version>${project.version}</version>"
    "</dependency>"
    "<dependency><groupId>t</groupId><artifactId>tested</artifactId><version>1</version><scope>test</scope>"
    "</dependency>"
    "<dependency><groupId>t</groupId><artifactId>provided</artifactId><version>1</version><scope>provided</scope>"
    "</dependency>"
    "<dependency><groupId>t</groupId><artifactId>system</artifactId><version>1</version><scope>system</scope>"
    "</dependency>"
    "<dependency><groupId>t</groupId><artifactId>opt</artifactId><version>1</version><optional>true</optional>"
    "</dependency>"
    "<dependency><groupId>t</groupId><artifactId>run</artifactId><version>1</version><scope>runtime</scope>"
    "</dependency>"
    "<dependency><groupId>t</groupId><artifactId>comp</artifactId><version>[1.0,2.0)</version>"
    "<scope>compile</scope></dependency>"
    "<dependency><groupId>t</groupId><artifactId>unmanaged</artifactId></dependency>"
    "</dependencies>"
    "<dependencyManagement><dependencies>"
    "<dependency><groupId>org.example</groupId><artifactId>managed</artifactId><version>${shared}-1</version>"
    "</dependency>"
    "<dependency><groupId>org.example</groupId><artifactId>bom</artifactId><version>3</version><type>pom</type>"
    "<scope>import</scope></dependency>"
    "</dependencies></dependencyManagement></project>";

static char *interp(const pom_model_t *const *chain, size_t n, const char *s, char *keep, size_t cap)
{
    char *r = pom_interpolate(chain, n, s);
    snprintf(keep, cap, "%s", r ? r : "(null)");
    free(r);
    return keep;
}

TEST(interpolation)
{
    pom_model_t parent, child;
    CHECK_INT_EQ(read_pom(PARENT, &parent), 0);
    CHECK_INT_EQ(read_pom(CHILD, &child), 0);
    const pom_model_t *chain[] = {&child, &parent};
    char b[256];
    CHECK_STR_EQ(interp(chain, 2, "v${lib.version}", b, sizeof(b)), "v1.2");    /* the parent's */
    CHECK_STR_EQ(interp(chain, 2, "${shared}", b, sizeof(b)), "child");          /* nearest first */
    CHECK_STR_EQ(interp(chain + 1, 1, "${shared}", b, sizeof(b)), "parent");
    CHECK_STR_EQ(interp(chain, 2, "${project.version}", b, sizeof(b)), "7.0");  /* inherited, before the property */
    CHECK_STR_EQ(interp(chain, 1, "${project.version}", b, sizeof(b)), "7.0");  /* from <parent> alone */
    CHECK_STR_EQ(interp(chain, 2, "${pom.groupId}:${project.artifactId}", b, sizeof(b)), "org.example:child");
    CHECK_STR_EQ(interp(chain, 2, "${project.parent.version}", b, sizeof(b)), "7.0");
    CHECK_STR_EQ(interp(chain, 2, "${base}", b, sizeof(b)), "1.2-base");         /* nested */
    CHECK_STR_EQ(interp(chain, 2, "${child.only}", b, sizeof(b)), "parent-sees-from-child");
    CHECK_STR_EQ(interp(chain, 2, "${n1}", b, sizeof(b)), "end");
    CHECK_STR_EQ(interp(chain, 2, "${x2}", b, sizeof(b)), "abababab");
    CHECK_STR_EQ(interp(chain, 2, "${nope} ${} ${unterminated", b, sizeof(b)), "${nope} ${} ${unterminated");
    CHECK_STR_EQ(interp(chain, 2, "${env.HOME}", b, sizeof(b)), "${env.HOME}");
    /* a cycle stops after 16 expansions, leaving a reference as written */
    CHECK_STR_EQ(interp(chain, 2, "${loop}", b, sizeof(b)), "${loop}");
    CHECK_STR_EQ(interp(chain, 2, "<${ping}>", b, sizeof(b)), "<${ping}>");
    CHECK_STR_EQ(interp(chain, 0, "${shared}", b, sizeof(b)), "${shared}");
    pom_model_free(&parent);
    pom_model_free(&child);

    /* 16 nested expansions are taken, the 17th is not */
    char doc[2048];
    char *p = doc + sprintf(doc, "<project><properties>");
    for (int i = 0; i < 17; i++)
        p += sprintf(p, "<l%d>${l%d}</l%d>", i, i + 1, i);
    sprintf(p, "<l17>done</l17></properties></project>");
    pom_model_t deep;
    CHECK_INT_EQ(read_pom(doc, &deep), 0);
    const pom_model_t *one[] = {&deep};
    CHECK_STR_EQ(interp(one, 1, "${l2}", b, sizeof(b)), "done");   /* l2 … l17: 16 */
    CHECK_STR_EQ(interp(one, 1, "${l1}", b, sizeof(b)), "${l17}"); /* l1 … l16, then l17 as written */
    pom_model_free(&deep);

    /* doubling at every level: bounded work, an answer still */
    p = doc + sprintf(doc, "<project><properties>");
    for (int i = 0; i < 40; i++)
        p += sprintf(p, "<d%d>${d%d}${d%d}${d%d}</d%d>", i, i + 1, i + 1, i + 1, i);
    sprintf(p, "<d40></d40></properties></project>");
    CHECK_INT_EQ(read_pom(doc, &deep), 0);
    char *r = pom_interpolate(one, 1, "${d0}");
    CHECK(r != NULL && strlen(r) > 0 && strlen(r) < ((size_t)16 << 20) + 64);
    free(r);
    pom_model_free(&deep);
}

TEST(effective_deps)
{
    pom_model_t parent, child;
    CHECK_INT_EQ(read_pom(PARENT, &parent), 0);
    CHECK_INT_EQ(read_pom(CHILD, &child), 0);
    const pom_model_t *chain[] = {&child, &parent};
    pom_dep_t *d = NULL;
    long n = pom_effective_deps(chain, 2, &d);
    CHECK_INT_EQ(n, 8);
    const pom_dep_t *x;
    /* managed version filled, the child's management over the parent's, interpolated */
    CHECK((x = find_dep(d, n, "managed")) != NULL && x->version && strcmp(x->version, "child-1") == 0);
    /* managed only in the parent: version (interpolated against the child) and scope */
    CHECK((x = find_dep(d, n, "only-parent")) != NULL && x->version && strcmp(x->version, "child") == 0 &&
          x->scope && strcmp(x->scope, "runtime") == 0);
    /* a managed scope applies: provided, so it is gone */
    CHECK(find_dep(d, n, "scoped") == NULL);
    /* the child's declaration over the parent's */
    CHECK((x = find_dep(d, n, "overridden")) != NULL && x->version && strcmp(x->version, "2") == 0);
    /* inherited from the parent, interpolated; the parent's test dependency not */
    CHECK((x = find_dep(d, n, "inherited")) != NULL && x->version && strcmp(x->version, "1.2") == 0);
    CHECK(find_dep(d, n, "junit") == NULL);
    CHECK((x = find_dep(d, n, "self")) != NULL && x->version && strcmp(x->version, "7.0") == 0);
    CHECK(find_dep(d, n, "tested") == NULL);
    CHECK(find_dep(d, n, "provided") == NULL);
    CHECK(find_dep(d, n, "system") == NULL);
    CHECK(find_dep(d, n, "opt") == NULL);
    CHECK((x = find_dep(d, n, "run")) != NULL && strcmp(x->scope, "runtime") == 0);
    CHECK((x = find_dep(d, n, "comp")) != NULL && strcmp(x->version, "[1.0,2.0)") == 0);
    CHECK((x = find_dep(d, n, "unmanaged")) != NULL && x->version == NULL && x->scope == NULL);
    /* order: the child's as written, then the parent's */
    CHECK(n == 8 && strcmp(d[0].artifact, "managed") == 0 && strcmp(d[n - 1].artifact, "inherited") == 0);
    effective_free(d, n);

    /* the parent alone: its own deps and management */
    n = pom_effective_deps(chain + 1, 1, &d);
    CHECK_INT_EQ(n, 2);
    CHECK((x = find_dep(d, n, "overridden")) != NULL && strcmp(x->version, "1") == 0);
    effective_free(d, n);
    pom_model_free(&parent);
    pom_model_free(&child);

    /* a child's test-scoped redeclaration drops the parent's compile one; type and classifier tell deps apart */
    const char *p2 = "<project><groupId>g</groupId><artifactId>p</artifactId><version>1</version><dependencies>"
                     "<dependency><groupId>g</groupId><artifactId>a</artifactId><version>1</version></dependency>"
                     "<dependency><groupId>g</groupId><artifactId>b</artifactId><version>1</version></dependency>"
                     "</dependencies></project>";
    const char *c2 = "<project><parent><groupId>g</groupId><artifactId>p</artifactId><version>1</version></parent>"
                     "<artifactId>c</artifactId><dependencies>"
                     "<dependency><groupId>g</groupId><artifactId>a</artifactId><scope>test</scope></dependency>"
                     "<dependency><groupId>g</groupId><artifactId>b</artifactId><classifier>x</classifier>"
                     "<version>2</version></dependency>"
                     "<dependency><groupId>g</groupId><artifactId>b</artifactId><type>jar</type>"
                     "<version>3</version><scope>runtime</scope></dependency>"
                     "</dependencies></project>";
    CHECK_INT_EQ(read_pom(p2, &parent), 0);
    CHECK_INT_EQ(read_pom(c2, &child), 0);
    n = pom_effective_deps(chain, 2, &d);
    CHECK_INT_EQ(n, 2);
    CHECK(find_dep(d, n, "a") == NULL);
    if (n == 2) {
        CHECK(strcmp(d[0].classifier, "x") == 0 && strcmp(d[0].version, "2") == 0);
        CHECK(d[1].classifier == NULL && strcmp(d[1].version, "3") == 0);
    }
    effective_free(d, n);
    pom_model_free(&parent);
    pom_model_free(&child);

    /* nothing to give */
    CHECK_INT_EQ(read_pom("<project><dependencies><dependency><groupId>g</groupId><artifactId>t</artifactId>"
                          "<scope>test</scope></dependency></dependencies></project>",
                          &child),
                 0);
    d = (pom_dep_t *)&n;
    CHECK_INT_EQ(pom_effective_deps(chain, 1, &d), 0);
    CHECK(d == NULL);
    pom_model_free(&child);
}

TEST(spec_pick)
{
    const char *v[] = {"0.9", "1.0", "1.1", "1.2-SNAPSHOT", "1.5", "1.9.9", "2.0", "2.1-SNAPSHOT", "3.0-beta", NULL};
    size_t n = sizeof(v) / sizeof(v[0]);
    CHECK_INT_EQ(maven_spec_pick("1.0", v, n), 1);               /* soft: exactly that one */
    CHECK_INT_EQ(maven_spec_pick("1.3", v, n), -1);
    CHECK_INT_EQ(maven_spec_pick("1", v, n), -1);                 /* soft is exact, not "equal by order" */
    CHECK_INT_EQ(maven_spec_pick("[1.0,2.0)", v, n), 5);
    CHECK_INT_EQ(maven_spec_pick("[1.0,2.0]", v, n), 6);
    CHECK_INT_EQ(maven_spec_pick("(,1.0]", v, n), 1);
    CHECK_INT_EQ(maven_spec_pick("(,1.0)", v, n), 0);
    CHECK_INT_EQ(maven_spec_pick("[1.5]", v, n), 4);
    CHECK_INT_EQ(maven_spec_pick("[1.5.0]", v, n), 4);            /* equal by Maven's order */
    CHECK_INT_EQ(maven_spec_pick("[1.0,)", v, n), 8);
    CHECK_INT_EQ(maven_spec_pick("[1.0,1.2),[1.5,1.9]", v, n), 4);
    CHECK_INT_EQ(maven_spec_pick("[1.0,1.2), [1.4,2)", v, n), 5);
    CHECK_INT_EQ(maven_spec_pick("[ 1.0 , 1.2 )", v, n), 2);
    /* SNAPSHOTs only when the spec names one */
    CHECK_INT_EQ(maven_spec_pick("[1.1,1.3)", v, n), 2);
    CHECK_INT_EQ(maven_spec_pick("[1.1,1.2-SNAPSHOT]", v, n), 3);
    CHECK_INT_EQ(maven_spec_pick("1.2-SNAPSHOT", v, n), 3);
    CHECK_INT_EQ(maven_spec_pick("[2.0.1,2.2)", v, n), -1);       /* only 2.1-SNAPSHOT inside */
    CHECK_INT_EQ(maven_spec_pick("[2.1,3)", v, n), 8);            /* 3.0-beta is below 3 */
    CHECK_INT_EQ(maven_spec_pick("[4.0,)", v, n), -1);
    /* malformed */
    const char *bad[] = {"", "  ", "[1.0", "[1.0,2.0", "(1.5)", "[1.5)", "[2.0,1.0]", "[1,2,3]", "[1.0,2.0),junk",
                         "[1.0,2.0) x", "[1.0,[2.0]", "[]", "[1.0,2.0),"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long r = maven_spec_pick(bad[i], v, n);
        if (r != -1)
            fprintf(stderr, "picked %ld for \"%s\"\n", r, bad[i]);
        CHECK_INT_EQ(r, -1);
    }
    CHECK_INT_EQ(maven_spec_pick("[1.0,2.0)", v, 0), -1);
    char many[257 * 6 + 8] = "";
    for (int i = 0; i < 257; i++)
        strcat(many, i ? ",[1.5]" : "[1.5]");
    CHECK_INT_EQ(maven_spec_pick(many, v, n), -1);
    many[strlen(many) - 6] = '\0'; /* 256 */
    CHECK_INT_EQ(maven_spec_pick(many, v, n), 4);
    /* a tie: the first listed */
    const char *tie[] = {"1", "1.0", "1.0.0"};
    CHECK_INT_EQ(maven_spec_pick("[1,2)", tie, 3), 0);
}

int main(void)
{
    RUN(model_read);
    RUN(model_prefixes);
    RUN(model_refused);
    RUN(interpolation);
    RUN(effective_deps);
    RUN(spec_pick);
    return test_report();
}
