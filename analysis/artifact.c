/* artifact: per-ecosystem reading of one artifact, and its jobs on the
 * worker pool (see artifact.h). Everything is streamed through
 * archive_walk_*: only the few small files looked at (package.json,
 * METADATA, pom.properties) are ever held in memory. */
#include "analysis/artifact.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/archive.h"
#include "analysis/npm_manifest.h"
#include "analysis/pom.h"
#include "common/workpool.h"
#include "common/xalloc.h"
#include "core/runtime.h"
#include "ecosystems/pypi/pep440.h"
#include "ecosystems/pypi/pypi_path.h"

#define SMALL_FILE_MAX (1u << 20) /* package.json, METADATA, pom.properties */
#define JAR_DESCRIPTORS 16         /* pom.properties of one jar that are compared */
#define POM_MAX (4u << 20)

artifact_job_t *artifact_job_new(eco_id_t eco, const char *package, const char *version, const char *filename,
                                 const char *expected, size_t expected_len)
{
    artifact_job_t *j = calloc(1, sizeof(*j));
    if (j == NULL)
        return NULL;
    j->eco = eco;
    j->package = strdup(package);
    j->version = strdup(version);
    j->filename = strdup(filename);
    if (expected) {
        j->expected = malloc(expected_len + 1);
        if (j->expected) {
            memcpy(j->expected, expected, expected_len);
            j->expected[expected_len] = '\0';
            j->expected_len = expected_len;
        }
    }
    if (!j->package || !j->version || !j->filename || (expected && !j->expected)) {
        artifact_job_free(j);
        return NULL;
    }
    return j;
}

void artifact_job_free(artifact_job_t *j)
{
    if (j == NULL)
        return;
    free(j->package);
    free(j->version);
    free(j->filename);
    free(j->expected);
    free(j);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* ---- how each served file is read (docs/analysis.md, "Formats") ----
 * Every archive format an ecosystem serves is in this table, first match
 * wins (so ".tar.gz" before ".gz"); files of no listed extension are not
 * archives (POM aside) and are served as they are. */

typedef enum {
    READ_NOTHING = 0, /* not an archive: served as it is */
    READ_ARCHIVE,     /* tar (any compression) or zip, walked */
    READ_STREAM,      /* one compressed file, decompressed and counted */
    READ_POM,         /* a Maven POM: XML */
    READ_REFUSED,     /* an archive format cordon does not read: malformed_archive */
} read_kind_t;

typedef struct format {
    const char *ext;
    read_kind_t how;
    int java; /* a Java archive: META-INF/maven/…/pom.properties is compared */
} format_t;

static const format_t NPM_FORMATS[] = {{".tgz", READ_ARCHIVE, 0}, {NULL, READ_NOTHING, 0}};

/* what pypi_path.c serves: wheels, eggs and sdists */
static const format_t PYPI_FORMATS[] = {
    {".whl", READ_ARCHIVE, 0},     {".egg", READ_ARCHIVE, 0},     {".zip", READ_ARCHIVE, 0},
    {".tar.gz", READ_ARCHIVE, 0},  {".tgz", READ_ARCHIVE, 0},     {".tar.bz2", READ_ARCHIVE, 0},
    {".tar.xz", READ_ARCHIVE, 0},  {".tar.Z", READ_ARCHIVE, 0},   {".tar", READ_ARCHIVE, 0},
    {NULL, READ_NOTHING, 0}};

/* Maven serves any file under a version's directory */
static const format_t MAVEN_FORMATS[] = {
    {".pom", READ_POM, 0},
    /* zips that Java (or its build tools) load: jar, web, enterprise, Android,
     * resource-adapter, service, Hadoop, native, Jenkins, Karaf and NetBeans archives */
    {".jar", READ_ARCHIVE, 1},     {".war", READ_ARCHIVE, 1},     {".ear", READ_ARCHIVE, 1},
    {".aar", READ_ARCHIVE, 1},     {".rar", READ_ARCHIVE, 1},     {".sar", READ_ARCHIVE, 1},
    {".har", READ_ARCHIVE, 1},     {".nar", READ_ARCHIVE, 1},     {".hpi", READ_ARCHIVE, 1},
    {".jpi", READ_ARCHIVE, 1},     {".kar", READ_ARCHIVE, 1},     {".nbm", READ_ARCHIVE, 1},
    /* other zips and tarballs (distributions, sources, Kotlin libraries, apps) */
    {".zip", READ_ARCHIVE, 0},     {".klib", READ_ARCHIVE, 0},    {".apk", READ_ARCHIVE, 0},
    {".tar.gz", READ_ARCHIVE, 0},  {".tgz", READ_ARCHIVE, 0},     {".tar.bz2", READ_ARCHIVE, 0},
    {".tbz2", READ_ARCHIVE, 0},    {".tbz", READ_ARCHIVE, 0},     {".tar.xz", READ_ARCHIVE, 0},
    {".txz", READ_ARCHIVE, 0},     {".tar.lzma", READ_ARCHIVE, 0}, {".tar.lz", READ_ARCHIVE, 0},
    {".tar.zst", READ_ARCHIVE, 0}, {".tzst", READ_ARCHIVE, 0},    {".tar.lz4", READ_ARCHIVE, 0},
    {".tar.Z", READ_ARCHIVE, 0},   {".tar", READ_ARCHIVE, 0},
    /* single compressed files */
    {".gz", READ_STREAM, 0},       {".bz2", READ_STREAM, 0},      {".xz", READ_STREAM, 0},
    {".lzma", READ_STREAM, 0},     {".lz", READ_STREAM, 0},       {".zst", READ_STREAM, 0},
    {".lz4", READ_STREAM, 0},      {".Z", READ_STREAM, 0},
    /* archives libarchive could read with readers cordon leaves off (the
     * least exercised parsers of hostile input), and ones it cannot read */
    {".7z", READ_REFUSED, 0},      {".rpm", READ_REFUSED, 0},     {".deb", READ_REFUSED, 0},
    {".cpio", READ_REFUSED, 0},    {".iso", READ_REFUSED, 0},     {".cab", READ_REFUSED, 0},
    {".lzh", READ_REFUSED, 0},     {".lha", READ_REFUSED, 0},     {".xar", READ_REFUSED, 0},
    {".pkg", READ_REFUSED, 0},     {".dmg", READ_REFUSED, 0},     {".msi", READ_REFUSED, 0},
    {".arj", READ_REFUSED, 0},     {".ar", READ_REFUSED, 0},      {".a", READ_REFUSED, 0},
    {NULL, READ_NOTHING, 0}};

/* ".Z" and ".tar.Z" keep their case (".z" is gzip's old pack format, not compress) */
static int has_ext(const char *f, const char *ext)
{
    size_t n = strlen(f), m = strlen(ext);
    if (n <= m)
        return 0;
    int exact = strchr(ext, 'Z') != NULL;
    return exact ? strcmp(f + n - m, ext) == 0 : strcasecmp(f + n - m, ext) == 0;
}

static const format_t *format_of(eco_id_t eco, const char *f)
{
    const format_t *t = eco == ECO_NPM ? NPM_FORMATS : eco == ECO_PYPI ? PYPI_FORMATS
                                                   : eco == ECO_MAVEN ? MAVEN_FORMATS : NULL;
    for (; t != NULL && t->ext != NULL; t++)
        if (has_ext(f, t->ext))
            return t;
    return NULL;
}

int artifact_is_analysed(eco_id_t eco, const char *f)
{
    const format_t *fm = format_of(eco, f);
    return fm != NULL && fm->how != READ_NOTHING;
}

/* ---- what the walk collects ---- */

typedef struct walk {
    const artifact_job_t *job;
    const analysis_config_t *cfg;
    findings_t *out;
    int wheel, jar;
    /* npm */
    char *manifest;
    size_t manifest_len;
    int has_gyp;
    /* pypi */
    char *metadata;
    size_t metadata_len;
    /* maven: the groupId:artifactId of every pom.properties (the first
     * JAR_DESCRIPTORS), and whether one names the served coordinates */
    int coords_seen, coords_match;
    char coords[JAR_DESCRIPTORS][300];
    size_t ncoords;
} walk_t;

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* the first component of path ("package" in "package/package.json") */
static int first_is(const char *path, const char *suffix_after)
{
    const char *slash = strchr(path, '/');
    return slash && strcmp(slash + 1, suffix_after) == 0;
}

static int pth_allowed(const analysis_config_t *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->npth_allow; i++)
        if (strcmp(cfg->pth_allow[i], name) == 0)
            return 1;
    return 0;
}

static size_t want(void *arg, const archive_entry_info_t *e)
{
    walk_t *w = arg;
    switch (w->job->eco) {
    case ECO_NPM:
        if (e->depth == 2 && first_is(e->path, "package.json"))
            return SMALL_FILE_MAX;
        if (e->depth == 2 && first_is(e->path, "binding.gyp"))
            w->has_gyp = 1;
        return 0;
    case ECO_PYPI: {
        if (!w->wheel)
            return 0;
        const char *name = base_name(e->path);
        /* top-level files land in site-packages; so do <name>.data/purelib|platlib/… */
        int in_site = e->depth == 1 ||
                      (e->depth == 3 && (strstr(e->path, ".data/purelib/") || strstr(e->path, ".data/platlib/")));
        if (in_site && ends_with(name, ".pth") && !pth_allowed(w->cfg, name))
            findings_add(w->out, FINDING_PTH_FILE,
                         "the wheel installs %s into site-packages: Python runs it at every interpreter start", name);
        if (e->depth == 2 && strcmp(name, "METADATA") == 0 && strstr(e->path, ".dist-info/METADATA"))
            return SMALL_FILE_MAX;
        return 0;
    }
    case ECO_MAVEN:
        if (e->depth == 5 && strncmp(e->path, "META-INF/maven/", 15) == 0 &&
            strcmp(base_name(e->path), "pom.properties") == 0)
            return 64 * 1024;
        return 0;
    default: return 0;
    }
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
            size_t n = (size_t)(le - v);
            while (n && (v[n - 1] == '\r' || v[n - 1] == ' '))
                n--;
            snprintf(out, outlen, "%.*s", (int)n, v);
            return;
        }
        p = le + 1;
    }
}

static void content(void *arg, const archive_entry_info_t *e, const char *data, size_t len, int truncated)
{
    walk_t *w = arg;
    char **dst = NULL;
    size_t *dlen = NULL;
    if (w->job->eco == ECO_NPM) {
        dst = &w->manifest;
        dlen = &w->manifest_len;
    } else if (w->job->eco == ECO_PYPI) {
        dst = &w->metadata;
        dlen = &w->metadata_len;
    } else if (w->job->eco == ECO_MAVEN) {
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
        return;
    }
    if (dst == NULL || *dst != NULL) /* the first one counts */
        return;
    if (truncated) {
        findings_add(w->out, FINDING_MALFORMED_ARCHIVE, "%s is larger than %u bytes", e->path, SMALL_FILE_MAX);
        return;
    }
    *dst = malloc(len + 1);
    if (*dst) {
        memcpy(*dst, data, len);
        (*dst)[len] = '\0';
        *dlen = len;
    }
}

/* "Name:" / "Version:" of a wheel's METADATA (RFC 822 headers, up to the first blank line) */
static void metadata_field(const char *text, const char *key, char *out, size_t outlen)
{
    size_t kl = strlen(key);
    out[0] = '\0';
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '\r'))
            return; /* the body starts */
        if (n > kl + 1 && strncasecmp(p, key, kl) == 0 && p[kl] == ':') {
            const char *v = p + kl + 1;
            size_t vl = n - kl - 1;
            while (vl && (*v == ' ' || *v == '\t')) {
                v++;
                vl--;
            }
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
                vl--;
            snprintf(out, outlen, "%.*s", (int)vl, v);
            return;
        }
        if (!nl)
            return;
        p = nl + 1;
    }
}

static void check_npm(walk_t *w)
{
    const artifact_job_t *j = w->job;
    if (w->manifest == NULL) {
        findings_add(w->out, FINDING_MALFORMED_ARCHIVE, "the tarball has no package.json at its root");
        return;
    }
    char diff[FINDING_DETAIL_MAX - 80];
    int rc = j->expected ? npm_manifest_compare(j->expected, j->expected_len, w->manifest, w->manifest_len,
                                                w->has_gyp, diff, sizeof(diff))
                         : 0;
    if (rc == 1)
        findings_add(w->out, FINDING_MANIFEST_MISMATCH,
                     "the tarball's package.json differs from the registry's manifest: %s", diff);
    else if (rc < 0)
        findings_add(w->out, FINDING_MALFORMED_ARCHIVE, "package.json: %s", diff);
    /* npm runs "node-gyp rebuild" for a root binding.gyp unless an install
     * or preinstall script is declared: an install script the registry's
     * manifest may not show */
    if (w->has_gyp && j->expected && npm_manifest_has_install_script(j->expected, j->expected_len) == 0 &&
        npm_manifest_has_install_script(w->manifest, w->manifest_len) == 0)
        findings_add(w->out, FINDING_MANIFEST_MISMATCH,
                     "binding.gyp at the package root makes npm run node-gyp at install, but the registry's "
                     "manifest declares no install script");
}

static void check_wheel(walk_t *w)
{
    const artifact_job_t *j = w->job;
    if (w->metadata == NULL) {
        findings_add(w->out, FINDING_MALFORMED_ARCHIVE, "the wheel has no .dist-info/METADATA");
        return;
    }
    char name[256], version[130], norm[256];
    metadata_field(w->metadata, "Name", name, sizeof(name));
    metadata_field(w->metadata, "Version", version, sizeof(version));
    if (!name[0] || pypi_normalize(name, strlen(name), norm, sizeof(norm)) != 0 || strcmp(norm, j->package) != 0)
        findings_add(w->out, FINDING_MANIFEST_MISMATCH,
                     "the wheel's METADATA names project '%s', but it is served as %s (%s)", name, j->package,
                     j->filename);
    else if (!version[0] || pep440_compare_str(version, j->version) != 0)
        findings_add(w->out, FINDING_MANIFEST_MISMATCH,
                     "the wheel's METADATA says version '%s', its file name says %s (%s)", version, j->version,
                     j->filename);
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
static void check_jar(walk_t *w)
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

/* a POM is XML, not an archive: the repositories it declares (analysis/pom.c) */
static void check_pom(const artifact_job_t *j, const char *text, size_t len, findings_t *out)
{
    pom_facts_t pf;
    char err[200];
    if (pom_read(text, len, &pf, err, sizeof(err)) != 0) {
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

static void report(walk_t *w, const archive_report_t *r)
{
    if (r->malformed)
        findings_add(w->out, FINDING_MALFORMED_ARCHIVE, "%s: %s", w->job->filename, r->malformed_why);
    else if (r->unsafe)
        findings_add(w->out, FINDING_MALFORMED_ARCHIVE, "%s: %s", w->job->filename, r->unsafe_why);
    if (r->malformed)
        return;
    if (w->job->eco == ECO_NPM)
        check_npm(w);
    else if (w->wheel)
        check_wheel(w);
    else if (w->jar)
        check_jar(w);
}

static void walk_init(walk_t *w, const artifact_job_t *job, const analysis_config_t *cfg, findings_t *out)
{
    memset(w, 0, sizeof(*w));
    w->job = job;
    w->cfg = cfg;
    w->out = out;
    const format_t *fm = format_of(job->eco, job->filename);
    w->wheel = job->eco == ECO_PYPI && ends_with(job->filename, ".whl");
    w->jar = job->eco == ECO_MAVEN && fm != NULL && fm->java;
}

static void walk_free(walk_t *w)
{
    free(w->manifest);
    free(w->metadata);
}

/* a format cordon does not read, or a file that is no archive: one finding, no walk */
static int not_walked(const artifact_job_t *job, const format_t *fm, findings_t *out)
{
    if (fm == NULL || fm->how == READ_NOTHING)
        return 1;
    if (fm->how == READ_REFUSED) {
        findings_add(out, FINDING_MALFORMED_ARCHIVE,
                     "%s: cordon does not read %s archives, so it cannot check what this one holds", job->filename,
                     fm->ext);
        return 1;
    }
    return 0;
}

void artifact_analyse_memory(const artifact_job_t *job, const void *data, size_t len, const analysis_config_t *cfg,
                             findings_t *out)
{
    const format_t *fm = format_of(job->eco, job->filename);
    if (fm != NULL && fm->how == READ_POM) {
        check_pom(job, data, len, out);
        return;
    }
    if (not_walked(job, fm, out))
        return;
    walk_t w;
    archive_report_t r;
    walk_init(&w, job, cfg, out);
    archive_walk_memory_as(data, len, fm->how == READ_STREAM ? ARCHIVE_COMPRESSED : ARCHIVE_TAR_OR_ZIP, &cfg->limits,
                           want, content, &w, &r);
    report(&w, &r);
    walk_free(&w);
}

void artifact_analyse(const artifact_job_t *job, const char *path, const analysis_config_t *cfg, findings_t *out)
{
    const format_t *fm = format_of(job->eco, job->filename);
    if (fm != NULL && fm->how == READ_POM) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        char *text = NULL;
        size_t got = 0;
        const char *why = NULL;
        if (fd < 0 || fstat(fd, &st) != 0)
            why = strerror(errno);
        else if (st.st_size > (off_t)POM_MAX)
            why = "larger than 4 MB";
        else if ((text = malloc((size_t)st.st_size + 1)) == NULL)
            why = "out of memory";
        while (why == NULL && got < (size_t)st.st_size) {
            ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
            if (n <= 0) {
                why = n < 0 ? strerror(errno) : "shorter than its size";
                break;
            }
            got += (size_t)n;
        }
        if (fd >= 0)
            close(fd);
        if (why != NULL)
            findings_add(out, FINDING_POM_REPOSITORIES,
                         "the POM of %s:%s cannot be read as XML (%s): cordon cannot tell which repositories it "
                         "declares",
                         job->package, job->version, why);
        else
            check_pom(job, text, got, out);
        free(text);
        return;
    }
    if (not_walked(job, fm, out))
        return;
    walk_t w;
    archive_report_t r;
    walk_init(&w, job, cfg, out);
    if (archive_walk_file_as(path, fm->how == READ_STREAM ? ARCHIVE_COMPRESSED : ARCHIVE_TAR_OR_ZIP, &cfg->limits,
                             want, content, &w, &r) != 0)
        findings_add(out, FINDING_MALFORMED_ARCHIVE, "%s: cannot be read (%s)", job->filename, strerror(errno));
    else
        report(&w, &r);
    walk_free(&w);
}

/* ---- on the worker pool ---- */

/* all workers but one: a thread stays for lockfile checks */
static workpool_class_t g_analyses = {"analysis", -1, 0};

typedef struct work {
    artifact_job_t *job;
    char *path;
    artifact_done_fn done;
    void *arg;
} work_t;

/* a worker is no reader of the configuration: it holds the one current
 * when the job starts, for the analysis and the done callback */
static void run(void *arg)
{
    work_t *w = arg;
    const config_t *cfg = runtime_acquire();
    runtime_use(cfg);
    findings_t f;
    findings_clear(&f);
    artifact_analyse(w->job, w->path, &cfg->analysis, &f);
    w->done(w->arg, w->job, &f);
    runtime_use(NULL);
    runtime_release(cfg);
    artifact_job_free(w->job);
    free(w->path);
    free(w);
}

void artifact_submit(artifact_job_t *job, const char *path, artifact_done_fn done, void *arg)
{
    work_t *w = xcalloc(1, sizeof(*w));
    w->job = job;
    w->path = xstrdup(path);
    w->done = done;
    w->arg = arg;
    workpool_submit(&g_analyses, run, w);
}

/* ---- the check upstream_cache runs (see artifact.h) ---- */

typedef struct analysis_check {
    artifact_check_t base; /* first: the check is this struct */
    artifact_job_t *job;   /* until start hands it to a worker */
    eco_id_t eco;
    char *package, *version;
    findings_t found;
    artifact_check_done_fn done;
    void *token;
} analysis_check_t;

static void check_analysed(void *arg, const artifact_job_t *job, const findings_t *f)
{
    analysis_check_t *c = arg;
    c->found = *f;
    c->done(c->token);
}

static void check_start(artifact_check_t *self, const char *path, artifact_check_done_fn done, void *token)
{
    analysis_check_t *c = (analysis_check_t *)self;
    c->done = done;
    c->token = token;
    artifact_job_t *job = c->job;
    c->job = NULL;
    artifact_submit(job, path, check_analysed, c);
}

static int check_record(artifact_check_t *self, MDB_txn *txn, const char *blob_hex)
{
    analysis_check_t *c = (analysis_check_t *)self;
    return findings_put(txn, eco_name(c->eco), c->package, c->version, blob_hex, &c->found);
}

static void check_free(artifact_check_t *self)
{
    analysis_check_t *c = (analysis_check_t *)self;
    artifact_job_free(c->job);
    free(c->package);
    free(c->version);
    free(c);
}

artifact_check_t *artifact_check_new(artifact_job_t *job)
{
    if (job == NULL)
        return NULL;
    analysis_check_t *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->package = strdup(job->package)) == NULL || (c->version = strdup(job->version)) == NULL) {
        if (c)
            free(c->package);
        free(c);
        artifact_job_free(job);
        return NULL;
    }
    c->base = (artifact_check_t){check_start, check_record, check_free};
    c->job = job;
    c->eco = job->eco;
    findings_clear(&c->found);
    return &c->base;
}
