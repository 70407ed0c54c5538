/* unit tests: analysis/typosquat.h (the popular set, normalisation, the
 * look-alike rules per ecosystem, the popular-names file) and the built-in
 * lists of ecosystems/popular_builtin.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ecosystems/popular_builtin.h"
#include "analysis/typosquat.h"
#include "ecosystems/eco_ids.h"
#include "tests/unit/test.h"

typedef struct flag_case {
    const char *name;
    const char *looks_like; /* NULL: must not be flagged */
    const char *why;        /* NULL: any reason */
} flag_case_t;

static popular_set_t *builtin;

static void run_cases(eco_id_t eco, const flag_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ll[256], why[128];
        int r = typosquat_check(builtin, eco, cases[i].name, ll, sizeof(ll), why, sizeof(why), NULL);
        if (cases[i].looks_like == NULL) {
            if (!test_note(r == 0, __FILE__, __LINE__))
                fprintf(stderr, "%s:%s flagged: looks like %s (%s)\n", eco_name(eco), cases[i].name, ll, why);
            continue;
        }
        int ok = r == 1 && strcmp(ll, cases[i].looks_like) == 0 && (cases[i].why == NULL || !strcmp(why, cases[i].why));
        if (!test_note(ok, __FILE__, __LINE__))
            fprintf(stderr, "%s:%s: got %d \"%s\" (%s), want \"%s\" (%s)\n", eco_name(eco), cases[i].name, r, ll, why,
                    cases[i].looks_like, cases[i].why ? cases[i].why : "any");
    }
}

#define LOOK "same name with different separators or look-alike characters"
#define SCOPE "a popular name under another scope"
#define PRE "a popular name with a prefix"
#define SUF "a popular name with a suffix"
#define ADD "one character added"
#define DEL "one character removed"
#define SUB "one character changed"
#define SWAP "two adjacent characters swapped"
#define GROUP "the same artifact under a look-alike groupId"
#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

TEST(normalise)
{
    char out[128];
    struct {
        const char *in, *want;
    } t[] = {
        {"lodash", "lodash"},
        {"l0dash", "lodash"},
        {"1odash", "lodash"},
        {"Iodash", "lodash"},
        {"LODASH", "lodash"},
        {"co1ors", "colors"},
        {"djang0", "django"},
        {"cross_env", "cross-env"},
        {"cross.env", "cross-env"},
        {"a--_.b", "a-b"},
        {"rnodern", "modem"},
        {"vvebpack", "webpack"},
        {"vvv", "wv"},
        {"clsx", "clsx"}, /* "cl"/'d' is only in the look-alike key */
        {"c1sx", "clsx"},
        {"rrn", "rm"},
        {"@types/node", "@types/node"},
        {"@Babel/Core", "@babel/core"},
        {"com.google.guava:guava", "com-google-guava:guava"},
        {"", ""},
    };
    for (size_t i = 0; i < NCASES(t); i++) {
        typosquat_normalise(ECO_NPM, t[i].in, out, sizeof(out));
        CHECK_STR_EQ(out, t[i].want);
    }
    /* out only needs strlen(name)+1 */
    char small[7];
    typosquat_normalise(ECO_PYPI, "Django", small, sizeof(small));
    CHECK_STR_EQ(small, "django");
    /* idempotent, over every built-in name and a few nasty ones */
    const char *nasty[] = {"rrnn", "vvvvv", "ccll", "c1l", "r-n", "II11", "0O0o", "cl-rn_vv.x", "@a/b:c", "-._-"};
    for (size_t i = 0; i < NCASES(nasty); i++) {
        char a[64], b[64];
        typosquat_normalise(ECO_NPM, nasty[i], a, sizeof(a));
        typosquat_normalise(ECO_NPM, a, b, sizeof(b));
        CHECK_STR_EQ(b, a);
    }
    const char *const *lists[] = {popular_builtin_npm, popular_builtin_pypi, popular_builtin_maven};
    const size_t counts[] = {popular_builtin_npm_count, popular_builtin_pypi_count, popular_builtin_maven_count};
    int bad = 0;
    for (int e = 0; e < ECO_COUNT; e++)
        for (size_t i = 0; i < counts[e]; i++) {
            char a[256], b[256];
            typosquat_normalise((eco_id_t)e, lists[e][i], a, sizeof(a));
            typosquat_normalise((eco_id_t)e, a, b, sizeof(b));
            bad += strcmp(a, b) != 0;
        }
    CHECK_INT_EQ(bad, 0);
}

/* the lists are canonical, free of duplicates, and about the promised size */
TEST(builtin_lists)
{
    const char *const *lists[] = {popular_builtin_npm, popular_builtin_pypi, popular_builtin_maven};
    const size_t counts[] = {popular_builtin_npm_count, popular_builtin_pypi_count, popular_builtin_maven_count};
    for (int e = 0; e < ECO_COUNT; e++) {
        CHECK_INT_EQ(popular_set_size(builtin, (eco_id_t)e), counts[e]); /* no duplicates */
        for (size_t i = 0; i < counts[e]; i++) {
            const char *n = lists[e][i];
            int ok = n[0] != '\0';
            for (const char *p = n; *p; p++)
                ok &= !(*p >= 'A' && *p <= 'Z') && *p != ' ';
            if (e == ECO_PYPI)
                ok &= strpbrk(n, "_.") == NULL && strstr(n, "--") == NULL;
            if (e == ECO_MAVEN) {
                const char *c = strchr(n, ':');
                ok &= c != NULL && c != n && c[1] != '\0' && strchr(c + 1, ':') == NULL;
            }
            if (!test_note(ok, __FILE__, __LINE__))
                fprintf(stderr, "%s: \"%s\" is not canonical\n", eco_name((eco_id_t)e), n);
        }
    }
    CHECK(popular_builtin_npm_count >= 380);
    CHECK(popular_builtin_pypi_count >= 240);
    CHECK(popular_builtin_maven_count >= 150);
    printf("built-in popular set: npm %zu, pypi %zu, maven %zu\n", popular_builtin_npm_count,
           popular_builtin_pypi_count, popular_builtin_maven_count);
}

TEST(popular_never_flagged)
{
    const char *const *lists[] = {popular_builtin_npm, popular_builtin_pypi, popular_builtin_maven};
    const size_t counts[] = {popular_builtin_npm_count, popular_builtin_pypi_count, popular_builtin_maven_count};
    for (int e = 0; e < ECO_COUNT; e++)
        for (size_t i = 0; i < counts[e]; i++) {
            char ll[256], why[128];
            int r = typosquat_check(builtin, (eco_id_t)e, lists[e][i], ll, sizeof(ll), why, sizeof(why), NULL);
            if (!test_note(r == 0 && ll[0] == '\0' && why[0] == '\0', __FILE__, __LINE__))
                fprintf(stderr, "popular %s:%s flagged (%s, %s)\n", eco_name((eco_id_t)e), lists[e][i], ll, why);
            CHECK(popular_set_contains(builtin, (eco_id_t)e, lists[e][i]));
        }
    /* other spellings of a popular name are the name (canonical form) */
    CHECK_INT_EQ(typosquat_check(builtin, ECO_PYPI, "Django", NULL, 0, NULL, 0, NULL), 0);
    CHECK_INT_EQ(typosquat_check(builtin, ECO_PYPI, "Scikit_Learn", NULL, 0, NULL, 0, NULL), 0);
    CHECK_INT_EQ(typosquat_check(builtin, ECO_PYPI, "typing.extensions", NULL, 0, NULL, 0, NULL), 0);
    CHECK_INT_EQ(typosquat_check(builtin, ECO_NPM, "JQuery", NULL, 0, NULL, 0, NULL), 0);
    CHECK_INT_EQ(typosquat_check(builtin, ECO_MAVEN, "com.google.guava:Guava", NULL, 0, NULL, 0, NULL), 0);
}

/* Informational: which built-in names would be flagged if the list lacked
 * them. These are pairs of real packages close to each other, the false
 * positives that listing both prevents. Printed, not asserted. */
TEST(leave_one_out)
{
    const char *const *lists[] = {popular_builtin_npm, popular_builtin_pypi, popular_builtin_maven};
    const size_t counts[] = {popular_builtin_npm_count, popular_builtin_pypi_count, popular_builtin_maven_count};
    for (int e = 0; e < ECO_COUNT; e++) {
        popular_set_t *s = popular_set_new(0);
        size_t flagged = 0;
        for (size_t skip = 0; skip < counts[e]; skip++) {
            popular_set_free(s);
            s = popular_set_new(0);
            for (size_t i = 0; i < counts[e]; i++)
                if (i != skip)
                    popular_set_add(s, (eco_id_t)e, lists[e][i]);
            char ll[256], why[128];
            if (typosquat_check(s, (eco_id_t)e, lists[e][skip], ll, sizeof(ll), why, sizeof(why), NULL)) {
                flagged++;
                if (getenv("TYPOSQUAT_VERBOSE"))
                    printf("  leave-one-out %s:%s looks like %s (%s)\n", eco_name((eco_id_t)e), lists[e][skip], ll,
                           why);
            }
        }
        printf("leave-one-out %s: %zu of %zu built-in names have a listed look-alike "
               "(TYPOSQUAT_VERBOSE=1 lists them)\n",
               eco_name((eco_id_t)e), flagged, counts[e]);
        popular_set_free(s);
        CHECK(1);
    }
}

TEST(npm_rules)
{
    static const flag_case_t c[] = {
        /* one edit */
        {"expres", "express", DEL},
        {"expresss", "express", ADD},
        {"exprass", "express", SUB},
        {"lodahs", "lodash", SWAP},
        {"lodsh", "lodash", DEL},
        {"reactt", "react", ADD},
        {"raect", "react", SWAP},
        {"axois", "axios", SWAP},
        {"chalkk", "chalk", ADD},
        {"momnet", "moment", SWAP},
        {"webpak", "webpack", DEL},
        {"mongose", "mongoose", DEL},
        {"typescirpt", "typescript", SWAP},
        {"babel-cil", "babel-cli", SWAP},
        {"electorn", "electron", SWAP},
        {"discord.jss", NULL, NULL}, /* not in the set: nothing to look like */
        /* look-alike characters and separators */
        {"l0dash", "lodash", LOOK},
        {"1odash", "lodash", LOOK},
        {"co1ors", "colors", LOOK},
        {"crossenv", "cross-env", LOOK},
        {"cross_env", "cross-env", LOOK},
        {"cross.env", "cross-env", LOOK},
        {"body_parser", "body-parser", LOOK},
        {"reactdom", "react-dom", LOOK},
        {"jquerry", "jquery", ADD},
        {"rnongoose", "mongoose", LOOK},
        {"vvebpack", "webpack", LOOK},
        {"uglifyjs", "uglify-js", LOOK},
        /* affixes */
        {"lodash-js", "lodash", SUF},
        {"lodash.js", "lodash", SUF},
        {"lodash_js", "lodash", SUF},
        {"lodashjs", "lodash", SUF},
        {"js-lodash", "lodash", PRE},
        {"node-express", "express", PRE},
        {"express-node", "express", SUF},
        {"react-js", "react", SUF},
        {"node-axios", "axios", PRE},
        {"vuejs", "vue", SUF},
        /* scopes */
        {"@evil/react-dom", "react-dom", SCOPE},
        {"@x/cross_env", "cross-env", SCOPE},
        {"@x/crossenv", "cross-env", SCOPE},
        {"@x/body-parser", "body-parser", SCOPE},
        {"@acme/lodash", NULL, NULL}, /* single words: "@org/react" is everyday */
        {"@acme/react", NULL, NULL},
        {"@acme/config", NULL, NULL},
        {"preset-env", "@babel/preset-env", SCOPE},
        {"plugin-transform-runtime", "@babel/plugin-transform-runtime", SCOPE},
        {"compiler-sfc", "@vue/compiler-sfc", SCOPE},
        {"@bable/core", "@babel/core", SWAP},
        {"@babe1/core", "@babel/core", LOOK},
        {"@angulr/core", "@angular/core", DEL},
        {"@typess/node", "@types/node", ADD},
        {"@types/lodsh", "@types/lodash", DEL},
        {"@types/l0dash", "@types/lodash", LOOK},
        {"@types/expres", "@types/express", DEL},
        {"@types/babel__c0re", NULL, NULL}, /* @babel is Babel's scope */
        /* legitimate names */
        {"express-session", NULL, NULL},
        {"express-rate-limit", NULL, NULL},
        {"express-validator", NULL, NULL},
        {"lodash.debounce", NULL, NULL},
        {"lodash.pick", NULL, NULL},
        {"lodash.clonedeepwith", NULL, NULL},
        {"react-router-dom", NULL, NULL},
        {"react-router-native", NULL, NULL},
        {"react-markdown", NULL, NULL},
        {"chalk-template", NULL, NULL},
        {"vue-i18n", NULL, NULL},
        {"eslint-plugin-vue", NULL, NULL},
        {"eslint-plugin-unicorn", NULL, NULL},
        {"prettier-plugin-tailwindcss", NULL, NULL},
        {"webpack-bundle-analyzer", NULL, NULL},
        {"fork-ts-checker-webpack-plugin", NULL, NULL},
        {"ts-jest", NULL, NULL},
        {"vitest", NULL, NULL},
        {"axios-retry", NULL, NULL},
        {"dotenv-expand", NULL, NULL},
        {"nodemailer-smtp-transport", NULL, NULL},
        {"socket.io-adapter", NULL, NULL},
        {"mongoose-paginate-v2", NULL, NULL},
        {"moment-range", NULL, NULL},
        {"react-native-svg", NULL, NULL},
        {"node-releases", NULL, NULL},
        {"jsonpath", NULL, NULL},
        {"@types/express-session", NULL, NULL},
        {"@types/lodash.debounce", NULL, NULL},
        {"@types/babel__generator", NULL, NULL},
        {"@babel/preset-flow", NULL, NULL},
        {"@babel/plugin-proposal-class-properties", NULL, NULL},
        {"@angular/material", NULL, NULL},
        {"@emotion/css", NULL, NULL},
        {"@testing-library/vue", NULL, NULL},
        {"@sentry/nextjs", NULL, NULL},
        {"@acme/internal-tool", NULL, NULL},
        {"core", NULL, NULL},   /* @babel/core etc.: one word alone means nothing */
        {"client", NULL, NULL}, /* @prisma/client, @apollo/client */
        {"left-pad", NULL, NULL},
        {"is-odd", NULL, NULL},
        {"zx", NULL, NULL},
        {"esm", NULL, NULL},
    };
    run_cases(ECO_NPM, c, NCASES(c));
}

TEST(pypi_rules)
{
    static const flag_case_t c[] = {
        /* one edit */
        {"reqeusts", "requests", SWAP},
        {"requets", "requests", DEL},
        {"requestss", "requests", ADD},
        {"reqests", "requests", DEL},
        {"requesys", "requests", SUB},
        {"urlib3", "urllib3", DEL},
        {"nunpy", "numpy", SUB},
        {"numpyy", "numpy", ADD},
        {"pandsa", "pandas", SWAP},
        {"matplotib", "matplotlib", DEL},
        {"beautifulsoup", NULL, NULL}, /* digits: versions and forks (this one is BeautifulSoup 3) */
        {"beautifulsoup5", NULL, NULL},
        {"elasticsearch7", NULL, NULL},
        {"beautifulsoop4", "beautifulsoup4", SUB},
        {"tensorflwo", "tensorflow", SWAP},
        {"crytography", "cryptography", DEL},
        {"colourama", "colorama", ADD},
        {"setuptool", "setuptools", DEL},
        {"flaskk", "flask", ADD},
        {"djanga", "django", SUB},
        {"boto4", NULL, NULL},
        {"bot03", "boto3", LOOK},
        {"mock2", NULL, NULL}, /* mock: 4 letters, below the distance floor */
        {"pyyaml2", NULL, NULL},
        {"apyyaml", NULL, NULL},  /* a letter in front: the a-/c-/g- prefix convention */
        {"ppyyaml", "pyyaml", ADD}, /* a doubled first letter is a typo */
        {"yyaml", NULL, NULL},    /* ...but not the first letter dropped */
        /* look-alike characters and separators (PEP 503 first) */
        {"djang0", "django", LOOK},
        {"dj4ngo", "django", SUB},
        {"num.py", "numpy", LOOK},
        {"scikitlearn", "scikit-learn", LOOK},
        {"python_dateutil", NULL, NULL}, /* PEP 503 makes it python-dateutil itself */
        {"pythondateutil", "python-dateutil", LOOK},
        {"django-rest-framework", "djangorestframework", LOOK},
        {"rnatplotlib", "matplotlib", LOOK},
        {"requests0authlib", "requests-oauthlib", LOOK},
        {"Iibrosa", NULL, NULL},
        {"c1ick", "click", LOOK},
        /* affixes */
        {"python-requests", "requests", PRE},
        {"py-requests", "requests", PRE},
        {"requests-python", "requests", SUF},
        {"requests-py", "requests", SUF},
        {"python_numpy", "numpy", PRE},
        {"py.django", "django", PRE},
        {"flask-py", "flask", SUF},
        {"python-scikitlearn", "scikit-learn", PRE},
        /* legitimate names */
        {"requests-oauthlib", NULL, NULL},
        {"requests-mock", NULL, NULL},
        {"requests-cache", NULL, NULL},
        {"requests-futures", NULL, NULL},
        {"django-allauth", NULL, NULL},
        {"django-crispy-forms", NULL, NULL},
        {"django-import-export", NULL, NULL},
        {"flask-admin", NULL, NULL},
        {"pytest-django", NULL, NULL},
        {"pytest-timeout", NULL, NULL},
        {"types-requests", NULL, NULL},
        {"pandas-stubs", NULL, NULL},
        {"scikit-optimize", NULL, NULL},
        {"torchmetrics", NULL, NULL},
        {"pytorch-lightning", NULL, NULL},
        {"sqlmodel", NULL, NULL},
        {"uvloop", NULL, NULL},
        {"httptools", NULL, NULL},
        {"watchfiles", NULL, NULL},
        {"python-jose", NULL, NULL},
        {"python-json-logger", NULL, NULL},
        {"opencv-contrib-python", NULL, NULL},
        {"keras-preprocessing", NULL, NULL},
        {"jupyter-client", NULL, NULL},
        {"nbformat", NULL, NULL},
        {"ipywidgets", NULL, NULL},
        {"matplotlib-inline", NULL, NULL},
        {"aiofiles", NULL, NULL},
        {"asyncpg", NULL, NULL},
        {"pymupdf", NULL, NULL},
        {"reportlab", NULL, NULL},
        {"imageio", NULL, NULL},
        {"maturin", NULL, NULL},
        {"Flask_SQLAlchemy", NULL, NULL}, /* flask-sqlalchemy itself */
        {"huggingface_hub", NULL, NULL},
    };
    run_cases(ECO_PYPI, c, NCASES(c));
}

TEST(maven_rules)
{
    static const flag_case_t c[] = {
        {"com.fasterxml.jackson:jackson-databind", "com.fasterxml.jackson.core:jackson-databind", GROUP},
        {"com.fasterxml.jackson.core.extra:jackson-databind", "com.fasterxml.jackson.core:jackson-databind", GROUP},
        {"com.fasterxml.jackson.cor:jackson-databind", "com.fasterxml.jackson.core:jackson-databind", GROUP},
        {"com.fasterxmI.jackson.core:jackson-databind", "com.fasterxml.jackson.core:jackson-databind", LOOK},
        {"com.fasterxm1.jackson.core:jackson-databind", "com.fasterxml.jackson.core:jackson-databind", LOOK},
        {"com.fasterxml.jackson.core:jackson_databind", "com.fasterxml.jackson.core:jackson-databind", LOOK},
        {"com.goog1e.guava:guava", "com.google.guava:guava", LOOK},
        {"com.gogle.guava:guava", "com.google.guava:guava", GROUP},
        {"com.google:guava", "com.google.guava:guava", GROUP},
        {"org.springframework:spring-boot-starter-web", "org.springframework.boot:spring-boot-starter-web", GROUP},
        {"org.apache.logging:log4j-core", "org.apache.logging.log4j:log4j-core", GROUP},
        {"org.slf4j.api:slf4j-api", "org.slf4j:slf4j-api", GROUP},
        {"org.projectlombook:lombok", "org.projectlombok:lombok", GROUP},
        {"org.projectlombok.lombok:lombok", "org.projectlombok:lombok", GROUP},
        {"io.nety:netty-all", "io.netty:netty-all", GROUP},
        {"junit.junit:junit", "junit:junit", GROUP},
        {"org-mockito:mockito-core", "org.mockito:mockito-core", LOOK},
        {"org.apache.commons:commons-lang3x", NULL, NULL},
        /* legitimate coordinates */
        {"org.springframework:spring-context-support", NULL, NULL},
        {"com.fasterxml.jackson.datatype:jackson-datatype-hibernate5", NULL, NULL},
        {"com.fasterxml.jackson.jr:jackson-jr-objects", NULL, NULL},
        {"com.example:my-lib", NULL, NULL},
        {"io.netty:netty-tcnative", NULL, NULL},
        {"com.squareup.okhttp3:okhttp-sse", NULL, NULL},
        {"org.hibernate.orm:hibernate-envers", NULL, NULL},
        {"org.apache.maven.plugins:maven-checkstyle-plugin", NULL, NULL},
        {"com.google.code.findbugs:annotations", NULL, NULL},
        {"org.testcontainers:postgresql", NULL, NULL},
        {"postgresql:postgresql", NULL, NULL},
        {"asm:asm", NULL, NULL},
        {"org.junit:junit", NULL, NULL},
        {"io.grpc:grpc-core", NULL, NULL},
        {"org.jetbrains.kotlin:kotlin-stdlib-jdk9", NULL, NULL}, /* Kotlin's own groupId */
        {"not-a-coordinate", NULL, NULL},
    };
    run_cases(ECO_MAVEN, c, NCASES(c));
    /* okhttp4: looks like one of the two okhttp groups */
    char ll[256], why[128];
    CHECK_INT_EQ(typosquat_check(builtin, ECO_MAVEN, "com.squareup.okhttp4:okhttp", ll, sizeof(ll), why, sizeof(why), NULL),
                 1);
    CHECK(!strcmp(ll, "com.squareup.okhttp3:okhttp") || !strcmp(ll, "com.squareup.okhttp:okhttp"));
    CHECK_STR_EQ(why, GROUP);
}

TEST(set_basics)
{
    popular_set_t *s = popular_set_new(0);
    CHECK(s != NULL);
    CHECK_INT_EQ(popular_set_size(s, ECO_NPM), 0);
    char ll[64], why[64];
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "lodahs", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    CHECK_STR_EQ(ll, "");
    popular_set_add(s, ECO_NPM, "lodash");
    popular_set_add(s, ECO_NPM, "Lodash"); /* the same, canonically */
    popular_set_add(s, ECO_NPM, "");
    popular_set_add(s, ECO_PYPI, "Typing_Extensions");
    CHECK_INT_EQ(popular_set_size(s, ECO_NPM), 1);
    CHECK_INT_EQ(popular_set_size(s, ECO_PYPI), 1);
    CHECK(popular_set_contains(s, ECO_PYPI, "typing-extensions"));
    CHECK(popular_set_contains(s, ECO_PYPI, "typing.extensions"));
    CHECK(!popular_set_contains(s, ECO_NPM, "typing-extensions"));
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "lodahs", ll, sizeof(ll), why, sizeof(why), NULL), 1);
    CHECK_STR_EQ(ll, "lodash");
    CHECK_STR_EQ(why, SWAP);
    /* the ecosystems are apart */
    CHECK_INT_EQ(typosquat_check(s, ECO_PYPI, "lodahs", NULL, 0, NULL, 0, NULL), 0);
    /* small output buffers truncate, NULL ones are fine */
    char tiny[4];
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "lodahs", tiny, sizeof(tiny), NULL, 0, NULL), 1);
    CHECK_STR_EQ(tiny, "lod");
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    CHECK_INT_EQ(typosquat_check(NULL, ECO_NPM, "lodahs", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    CHECK_INT_EQ(typosquat_check(s, ECO_COUNT, "lodahs", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    /* a long name is never a look-alike, and does not overflow anything */
    char longname[2000];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    popular_set_add(s, ECO_NPM, longname);
    CHECK_INT_EQ(popular_set_size(s, ECO_NPM), 1);
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, longname, ll, sizeof(ll), why, sizeof(why), NULL), 0);
    /* "@types" is DefinitelyTyped's even when no popular name uses it */
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "@types/lodash", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "@types/lodahs", ll, sizeof(ll), why, sizeof(why), NULL), 1);
    CHECK_STR_EQ(ll, "@types/lodash");
    /* types of a scoped package: "@types/a__b" */
    popular_set_add(s, ECO_NPM, "@vue/compiler-sfc");
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "@types/vue__compiler-sfc", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    /* "@evil/compiler-sfc": a scoped popular name's tail under another scope is
     * every organisation's "@org/eslint-config" pattern, not a signal */
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "@types/evil__compiler-sfc", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "@types/evil__lodash", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    popular_set_add(s, ECO_NPM, "cross-env");
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "@types/evil__cross-env", ll, sizeof(ll), why, sizeof(why), NULL), 1);
    CHECK_STR_EQ(ll, "@types/cross-env");
    CHECK_STR_EQ(why, SCOPE);
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "@types/vue__compiler-sfx", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    popular_set_free(s);
    popular_set_free(NULL);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return;
    fputs(text, f);
    fclose(f);
}

TEST(load_file)
{
    char path[] = "/tmp/cordon_test_popular_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    char err[512];
    popular_set_t *s = popular_set_new(0);

    write_file(path, "# our own popular names\n"
                     "\n"
                     "npm:left-pad\n"
                     "  npm:@acme/widgets   # trailing comment\n"
                     "pypi:Our_Tool\r\n"
                     "maven:org.example:lib\n"
                     "maven : com.acme:core\n");
    CHECK_INT_EQ(popular_set_load_file(s, path, err, sizeof(err)), 0);
    CHECK_STR_EQ(err, "");
    CHECK_INT_EQ(popular_set_size(s, ECO_NPM), 2);
    CHECK_INT_EQ(popular_set_size(s, ECO_PYPI), 1);
    CHECK_INT_EQ(popular_set_size(s, ECO_MAVEN), 2);
    CHECK(popular_set_contains(s, ECO_NPM, "left-pad"));
    CHECK(popular_set_contains(s, ECO_NPM, "@acme/widgets"));
    CHECK(popular_set_contains(s, ECO_PYPI, "our-tool"));
    CHECK(popular_set_contains(s, ECO_MAVEN, "org.example:lib"));
    CHECK(popular_set_contains(s, ECO_MAVEN, "com.acme:core"));
    char ll[64], why[128];
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "left-pda", ll, sizeof(ll), why, sizeof(why), NULL), 1);
    CHECK_STR_EQ(ll, "left-pad");
    CHECK_INT_EQ(typosquat_check(s, ECO_MAVEN, "org.example.x:lib", ll, sizeof(ll), why, sizeof(why), NULL), 1);
    CHECK_STR_EQ(ll, "org.example:lib");
    /* names under @acme are Acme's; the built-in entries did not come along */
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "@acme/widget", ll, sizeof(ll), why, sizeof(why), NULL), 0);
    CHECK_INT_EQ(typosquat_check(s, ECO_NPM, "lodahs", ll, sizeof(ll), why, sizeof(why), NULL), 0);

    struct {
        const char *text, *want;
    } bad[] = {
        {"npm:ok\ncargo:serde\n", ":2: unknown ecosystem 'cargo' (npm, pypi, maven)"},
        {"npm:\n", ":1: empty name"},
        {"\n\npypi:   \n", ":3: empty name"},
        {"lodash\n", ":1: expected eco:name (npm:, pypi: or maven:)"},
        {"maven:guava\n", ":1: maven name 'guava' is not groupId:artifactId"},
        {"maven:a:b:c\n", ":1: maven name 'a:b:c' is not groupId:artifactId"},
        {"npm:two words\n", ":1: name 'two words' has a blank in it"},
        {":lodash\n", ":1: unknown ecosystem '' (npm, pypi, maven)"},
    };
    for (size_t i = 0; i < NCASES(bad); i++) {
        write_file(path, bad[i].text);
        popular_set_t *t = popular_set_new(0);
        CHECK_INT_EQ(popular_set_load_file(t, path, err, sizeof(err)), -1);
        char want[600];
        snprintf(want, sizeof(want), "%s%s", path, bad[i].want);
        CHECK_STR_EQ(err, want);
        /* a bad file adds nothing, not even its good lines */
        CHECK_INT_EQ(popular_set_size(t, ECO_NPM) + popular_set_size(t, ECO_PYPI) + popular_set_size(t, ECO_MAVEN),
                     0);
        popular_set_free(t);
    }
    unlink(path);
    CHECK_INT_EQ(popular_set_load_file(s, path, err, sizeof(err)), -1);
    CHECK(strncmp(err, path, strlen(path)) == 0 && strstr(err, ": No such file") != NULL);
    popular_set_free(s);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* time per check: every built-in name as is (exact hits) and changed in its
 * middle (the full path through every rule). Printed, not asserted. */
TEST(performance)
{
    const char *const *lists[] = {popular_builtin_npm, popular_builtin_pypi, popular_builtin_maven};
    const size_t counts[] = {popular_builtin_npm_count, popular_builtin_pypi_count, popular_builtin_maven_count};
    double worst = 0;
    for (int e = 0; e < ECO_COUNT; e++) {
        int rounds = 20;
        size_t checks = 0, hits = 0;
        double t0 = now_us();
        for (int r = 0; r < rounds; r++)
            for (size_t i = 0; i < counts[e]; i++, checks++)
                hits += (size_t)typosquat_check(builtin, (eco_id_t)e, lists[e][i], NULL, 0, NULL, 0, NULL);
        double exact = (now_us() - t0) / (double)checks;
        checks = 0;
        t0 = now_us();
        for (int r = 0; r < rounds; r++)
            for (size_t i = 0; i < counts[e]; i++, checks++) {
                char name[300], ll[256], why[128];
                snprintf(name, sizeof(name), "%s", lists[e][i]);
                size_t n = strlen(name);
                name[n / 2] = name[n / 2] == 'q' ? 'z' : 'q';
                hits += (size_t)typosquat_check(builtin, (eco_id_t)e, name, ll, sizeof(ll), why, sizeof(why), NULL);
            }
        double miss = (now_us() - t0) / (double)checks;
        printf("performance %s (%zu popular): %.2f us per popular name, %.2f us per changed name\n",
               eco_name((eco_id_t)e), counts[e], exact, miss);
        if (miss > worst)
            worst = miss;
        (void)hits;
    }
    /* and with about 1,000 popular names per ecosystem */
    popular_set_t *big = popular_set_new(1);
    char name[64];
    for (int i = 0; i < 700; i++) {
        snprintf(name, sizeof(name), "pkg-%c%c%c-tool%d", 'a' + i % 26, 'a' + (i / 26) % 26, 'k' + i % 7, i);
        popular_set_add(big, ECO_NPM, name);
    }
    size_t n = popular_set_size(big, ECO_NPM), checks = 0;
    double t0 = now_us();
    for (int r = 0; r < 20; r++)
        for (size_t i = 0; i < popular_builtin_npm_count; i++, checks++) {
            char cand[300];
            snprintf(cand, sizeof(cand), "%sx", popular_builtin_npm[i]);
            (void)typosquat_check(big, ECO_NPM, cand, NULL, 0, NULL, 0, NULL);
        }
    printf("performance npm (%zu popular): %.2f us per changed name\n", n, (now_us() - t0) / (double)checks);
    popular_set_free(big);
    CHECK(worst > 0);
}

int main(void)
{
    builtin = popular_set_new(1);
    RUN(normalise);
    RUN(builtin_lists);
    RUN(popular_never_flagged);
    RUN(leave_one_out);
    RUN(npm_rules);
    RUN(pypi_rules);
    RUN(maven_rules);
    RUN(set_basics);
    RUN(load_file);
    RUN(performance);
    popular_set_free(builtin);
    return test_report();
}
