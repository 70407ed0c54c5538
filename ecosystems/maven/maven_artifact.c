/* maven_artifact: the Maven file reader (see maven_artifact.h). Of a walk
 * it keeps the groupId:artifactId of the first JAR_DESCRIPTORS
 * pom.properties; the served POM (the job's expected document) says which
 * other coordinates are explained. */
#include "ecosystems/maven/maven_artifact.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/maven/pom.h"
#include "ecosystems/maven/pom_deps.h"

#define JAR_DESCRIPTORS 16 /* pom.properties of one jar that are compared */
#define POM_MAX (4u << 20)

enum { JAVA = 1 }; /* format flag: a Java archive, META-INF/maven/…/pom.properties is compared */

/* Maven serves any file under a version's directory */
static const artifact_format_t FORMATS[] = {
    {".pom", ARTIFACT_DOCUMENT, 0},
    /* zips that Java (or its build tools) load: jar, web, enterprise, Android,
     * resource-adapter, service, Hadoop, native, Jenkins, Karaf and NetBeans archives */
    {".jar", ARTIFACT_ARCHIVE, JAVA},     {".war", ARTIFACT_ARCHIVE, JAVA},     {".ear", ARTIFACT_ARCHIVE, JAVA},
    {".aar", ARTIFACT_ARCHIVE, JAVA},     {".rar", ARTIFACT_ARCHIVE, JAVA},     {".sar", ARTIFACT_ARCHIVE, JAVA},
    {".har", ARTIFACT_ARCHIVE, JAVA},     {".nar", ARTIFACT_ARCHIVE, JAVA},     {".hpi", ARTIFACT_ARCHIVE, JAVA},
    {".jpi", ARTIFACT_ARCHIVE, JAVA},     {".kar", ARTIFACT_ARCHIVE, JAVA},     {".nbm", ARTIFACT_ARCHIVE, JAVA},
    /* other zips and tarballs (distributions, sources, Kotlin libraries, apps) */
    {".zip", ARTIFACT_ARCHIVE, 0},     {".klib", ARTIFACT_ARCHIVE, 0},    {".apk", ARTIFACT_ARCHIVE, 0},
    {".tar.gz", ARTIFACT_ARCHIVE, 0},  {".tgz", ARTIFACT_ARCHIVE, 0},     {".tar.bz2", ARTIFACT_ARCHIVE, 0},
    {".tbz2", ARTIFACT_ARCHIVE, 0},    {".tbz", ARTIFACT_ARCHIVE, 0},     {".tar.xz", ARTIFACT_ARCHIVE, 0},
    {".txz", ARTIFACT_ARCHIVE, 0},     {".tar.lzma", ARTIFACT_ARCHIVE, 0}, {".tar.lz", ARTIFACT_ARCHIVE, 0},
    {".tar.zst", ARTIFACT_ARCHIVE, 0}, {".tzst", ARTIFACT_ARCHIVE, 0},    {".tar.lz4", ARTIFACT_ARCHIVE, 0},
    {".tar.Z", ARTIFACT_ARCHIVE, 0},   {".tar", ARTIFACT_ARCHIVE, 0},
    /* single compressed files */
    {".gz", ARTIFACT_STREAM, 0},       {".bz2", ARTIFACT_STREAM, 0},      {".xz", ARTIFACT_STREAM, 0},
    {".lzma", ARTIFACT_STREAM, 0},     {".lz", ARTIFACT_STREAM, 0},       {".zst", ARTIFACT_STREAM, 0},
    {".lz4", ARTIFACT_STREAM, 0},      {".Z", ARTIFACT_STREAM, 0},
    /* archives libarchive could read with readers cordon leaves off (the
     * least exercised parsers of hostile input), and ones it cannot read */
    {".7z", ARTIFACT_REFUSED, 0},      {".rpm", ARTIFACT_REFUSED, 0},     {".deb", ARTIFACT_REFUSED, 0},
    {".cpio", ARTIFACT_REFUSED, 0},    {".iso", ARTIFACT_REFUSED, 0},     {".cab", ARTIFACT_REFUSED, 0},
    {".lzh", ARTIFACT_REFUSED, 0},     {".lha", ARTIFACT_REFUSED, 0},     {".xar", ARTIFACT_REFUSED, 0},
    {".pkg", ARTIFACT_REFUSED, 0},     {".dmg", ARTIFACT_REFUSED, 0},     {".msi", ARTIFACT_REFUSED, 0},
    {".arj", ARTIFACT_REFUSED, 0},     {".ar", ARTIFACT_REFUSED, 0},      {".a", ARTIFACT_REFUSED, 0},
    {NULL, ARTIFACT_PLAIN, 0}};

typedef struct maven_walk {
    const artifact_job_t *job;
    findings_t *out;
    int jar;
    /* the groupId:artifactId of every pom.properties (the first
     * JAR_DESCRIPTORS), and whether one names the served coordinates */
    int coords_seen, coords_match;
    char coords[JAR_DESCRIPTORS][300];
    size_t ncoords;
    char main_class[300]; /* META-INF/MANIFEST.MF's Main-Class, "" when none */
} maven_walk_t;

static void *begin(const artifact_job_t *job, const artifact_format_t *fmt, const analysis_config_t *cfg,
                   findings_t *out)
{
    maven_walk_t *w = calloc(1, sizeof(*w));
    if (w) {
        w->job = job;
        w->out = out;
        w->jar = (fmt->flags & JAVA) != 0;
    }
    return w;
}

static size_t want(void *state, const archive_entry_info_t *e)
{
    if (e->depth == 2 && strcmp(e->path, "META-INF/MANIFEST.MF") == 0)
        return 64 * 1024;
    if (e->depth == 5 && strncmp(e->path, "META-INF/maven/", 15) == 0 &&
        strcmp(artifact_base_name(e->path), "pom.properties") == 0)
        return 64 * 1024;
    return 0;
}

/* value of "key=" in a .properties text */
static void prop(const char *text, size_t len, const char *key, char *out, size_t outlen)
{
    size_t kl = strlen(key);
    out[0] = '\0';
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        while (p < le && (*p == ' ' || *p == '\t'))
            p++;
        if ((size_t)(le - p) > kl && memcmp(p, key, kl) == 0 && (p[kl] == '=' || p[kl] == ':')) {
            const char *v = p + kl + 1;
            while (v < le && (*v == ' ' || *v == '\t')) /* as java.util.Properties and the manifest reader */
                v++;
            size_t n = (size_t)(le - v);
            while (n && (v[n - 1] == '\r' || v[n - 1] == ' '))
                n--;
            snprintf(out, outlen, "%.*s", (int)n, v);
            return;
        }
        p = le + 1;
    }
}

static void content(void *state, const archive_entry_info_t *e, const char *data, size_t len, int truncated)
{
    maven_walk_t *w = state;
    if (strcmp(e->path, "META-INF/MANIFEST.MF") == 0) {
        prop(data, len, "Main-Class", w->main_class, sizeof(w->main_class));
        return;
    }
    char g[200], a[200], v[130], want_ga[420];
    prop(data, len, "groupId", g, sizeof(g));
    prop(data, len, "artifactId", a, sizeof(a));
    prop(data, len, "version", v, sizeof(v));
    if (!g[0] || !a[0])
        return;
    snprintf(want_ga, sizeof(want_ga), "%s:%s", g, a);
    if (w->ncoords < JAR_DESCRIPTORS)
        snprintf(w->coords[w->ncoords++], sizeof(w->coords[0]), "%s", want_ga);
    w->coords_seen = 1;
    if (strcmp(want_ga, w->job->package) == 0)
        w->coords_match = 1;
}

/* the text of <tag>…</tag> inside [p, end), trimmed; "" when absent */
static void xml_child(const char *p, const char *end, const char *tag, char *out, size_t outlen)
{
    char open[64], close[64];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    out[0] = '\0';
    const char *a = memmem(p, (size_t)(end - p), open, strlen(open));
    if (a == NULL)
        return;
    a += strlen(open);
    const char *b = memmem(a, (size_t)(end - a), close, strlen(close));
    if (b == NULL)
        return;
    while (a < b && isspace((unsigned char)*a))
        a++;
    while (b > a && isspace((unsigned char)b[-1]))
        b--;
    snprintf(out, outlen, "%.*s", (int)(b - a), a);
}

/* 1 when the served POM explains a descriptor ga inside its jar: the
 * coordinates the POM relocates to (Debian's org.sonatype.plexus →
 * org.codehaus.plexus), or a dependency it declares (a bundled library:
 * junit-jupiter-params carries univocity-parsers). */
static int pom_explains(const artifact_job_t *j, const char *ga)
{
    if (j->expected == NULL)
        return 0;
    const char *p = j->expected, *end = j->expected + j->expected_len;
    const char *colon = strchr(j->package, ':');
    static const char *const blocks[] = {"relocation", "dependency"};
    for (int i = 0; i < 2; i++) {
        char open[32], close[32];
        snprintf(open, sizeof(open), "<%s>", blocks[i]);
        snprintf(close, sizeof(close), "</%s>", blocks[i]);
        for (const char *q = p; (q = memmem(q, (size_t)(end - q), open, strlen(open))) != NULL;) {
            const char *e = memmem(q, (size_t)(end - q), close, strlen(close));
            if (e == NULL)
                break;
            char g[200], a[200], both[420];
            xml_child(q, e, "groupId", g, sizeof(g));
            xml_child(q, e, "artifactId", a, sizeof(a));
            /* a relocation names only what changes */
            if (i == 0 && !g[0] && colon)
                snprintf(g, sizeof(g), "%.*s", (int)(colon - j->package), j->package);
            if (i == 0 && !a[0] && colon)
                snprintf(a, sizeof(a), "%s", colon + 1);
            snprintf(both, sizeof(both), "%s:%s", g, a);
            if (strcmp(both, ga) == 0)
                return 1;
            q = e;
        }
    }
    return 0;
}

/* groupId:artifactId only: repositories that relabel versions (Debian's
 * "debian") keep the project's own version inside. A jar whose descriptors
 * all name other coordinates is one of two things: a jar that claims to be
 * another build of this artifact (the same artifactId under a groupId the
 * POM does not relocate to) — held; or one that bundles other libraries
 * and lost or never had its own descriptor (Debian's guice carries only
 * cglib's, xalan only bcel's) — a warning (capped), because the bytes alone
 * cannot tell a shaded dependency from a substituted artifact. */
static void check_jar(maven_walk_t *w)
{
    const artifact_job_t *j = w->job;
    if (!w->coords_seen || w->coords_match)
        return; /* many jars carry no Maven metadata: nothing to compare */
    const char *colon = strchr(j->package, ':');
    const char *impostor = NULL;
    for (size_t i = 0; i < w->ncoords; i++) {
        if (pom_explains(j, w->coords[i]))
            return;
        const char *c2 = strchr(w->coords[i], ':');
        if (impostor == NULL && colon && c2 && strcmp(c2, colon) == 0)
            impostor = w->coords[i];
    }
    if (impostor) {
        findings_add(w->out, FINDING_MANIFEST_MISMATCH,
                     "the jar's META-INF/maven says it is %s, but it is served as %s:%s (and its POM relocates "
                     "nowhere)",
                     impostor, j->package, j->version);
        return;
    }
    if (w->out->mask & (1u << FINDING_MANIFEST_MISMATCH))
        return; /* a mismatch found already stands as it is */
    findings_add(w->out, FINDING_MANIFEST_MISMATCH,
                 "the jar's META-INF/maven names %s%s and not %s (a bundled library, or another artifact); a "
                 "warning, since the bytes alone cannot tell which",
                 w->coords[0], w->ncoords > 1 ? " and others" : "", j->package);
    w->out->capped |= 1u << FINDING_MANIFEST_MISMATCH;
}

static void check(void *state)
{
    maven_walk_t *w = state;
    if (w->jar)
        check_jar(w);
}

/* what the jar and its POM declare, for the version view's diff: the
 * POM's own dependencies (versions a parent manages are not resolved
 * here) and the jar's Main-Class */
static void facts(void *state, contents_t *out)
{
    maven_walk_t *w = state;
    if (w->main_class[0])
        contents_add_fact(out, CONTENTS_ENTRY_POINT, "Main-Class", w->main_class);
    pom_model_t m;
    char err[200];
    if (w->job->expected == NULL || pom_model_read(w->job->expected, w->job->expected_len, &m, err, sizeof(err)) != 0)
        return;
    const pom_model_t *chain[1] = {&m};
    pom_dep_t *deps = NULL;
    long n = pom_effective_deps(chain, 1, &deps);
    for (long i = 0; i < n; i++) {
        char name[420], val[CONTENTS_VALUE_MAX];
        snprintf(name, sizeof(name), "%s:%s", deps[i].group, deps[i].artifact);
        snprintf(val, sizeof(val), "%s (%s)", deps[i].version ? deps[i].version : "managed by a parent",
                 deps[i].scope ? deps[i].scope : "compile");
        contents_add_fact(out, CONTENTS_DEPENDENCY, name, val);
        pom_dep_free_fields(&deps[i]);
    }
    free(deps);
    pom_model_free(&m);
}

static void end(void *state) { free(state); }

/* a POM is XML, not an archive: the repositories it declares (ecosystems/maven/pom.c) */
static void read_pom(const artifact_job_t *j, const char *text, size_t len, const char *why, findings_t *out)
{
    pom_facts_t pf;
    char err[200];
    if (text == NULL)
        snprintf(err, sizeof(err), "%s", why ? why : "unreadable");
    if (text == NULL || pom_read(text, len, &pf, err, sizeof(err)) != 0) {
        findings_add(out, FINDING_POM_REPOSITORIES,
                     "the POM of %s:%s cannot be read as XML (%s): cordon cannot tell which repositories it declares",
                     j->package, j->version, err);
        return;
    }
    if (pf.first_tag[0] != '\0')
        findings_add(out, FINDING_POM_REPOSITORIES,
                     "the POM of %s:%s declares <%s>%s%s%s: its dependencies may resolve from a repository other "
                     "than cordon",
                     j->package, j->version, pf.first_tag, pf.first_url[0] ? " (" : "", pf.first_url,
                     pf.first_url[0] ? ")" : "");
}

const artifact_reader_t maven_artifacts = {
    .formats = FORMATS,
    .manifest_begin = begin,
    .manifest_want = want,
    .manifest_content = content,
    .manifest_check = check,
    .manifest_facts = facts,
    .manifest_end = end,
    .read_document = read_pom,
    .document_max = POM_MAX,
};
