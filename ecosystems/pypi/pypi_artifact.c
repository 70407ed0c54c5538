/* pypi_artifact: the PyPI file reader (see pypi_artifact.h). Only wheels
 * are read inside; of a wheel it keeps the first .dist-info/METADATA. */
#include "ecosystems/pypi/pypi_artifact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecosystems/pypi/pep440.h"
#include "ecosystems/pypi/pypi_path.h"

enum { WHEEL = 1 }; /* format flag: a wheel, installed by unpacking */

/* what pypi_path.c serves: wheels, eggs and sdists */
static const artifact_format_t FORMATS[] = {
    {".whl", ARTIFACT_ARCHIVE, WHEEL},     {".egg", ARTIFACT_ARCHIVE, 0},     {".zip", ARTIFACT_ARCHIVE, 0},
    {".tar.gz", ARTIFACT_ARCHIVE, 0},  {".tgz", ARTIFACT_ARCHIVE, 0},     {".tar.bz2", ARTIFACT_ARCHIVE, 0},
    {".tar.xz", ARTIFACT_ARCHIVE, 0},  {".tar.Z", ARTIFACT_ARCHIVE, 0},   {".tar", ARTIFACT_ARCHIVE, 0},
    {NULL, ARTIFACT_PLAIN, 0}};

typedef struct pypi_walk {
    const artifact_job_t *job;
    const analysis_config_t *cfg;
    findings_t *out;
    int wheel;
    char *metadata; /* owned: the wheel's METADATA */
    size_t metadata_len;
} pypi_walk_t;

static void *begin(const artifact_job_t *job, const artifact_format_t *fmt, const analysis_config_t *cfg,
                   findings_t *out)
{
    pypi_walk_t *w = calloc(1, sizeof(*w));
    if (w) {
        w->job = job;
        w->cfg = cfg;
        w->out = out;
        w->wheel = (fmt->flags & WHEEL) != 0;
    }
    return w;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int pth_allowed(const analysis_config_t *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->npth_allow; i++)
        if (strcmp(cfg->pth_allow[i], name) == 0)
            return 1;
    return 0;
}

static size_t want(void *state, const archive_entry_info_t *e)
{
    pypi_walk_t *w = state;
    if (!w->wheel)
        return 0;
    const char *name = artifact_base_name(e->path);
    /* top-level files land in site-packages; so do <name>.data/purelib|platlib/… */
    int in_site = e->depth == 1 ||
                  (e->depth == 3 && (strstr(e->path, ".data/purelib/") || strstr(e->path, ".data/platlib/")));
    if (in_site && ends_with(name, ".pth") && !pth_allowed(w->cfg, name))
        findings_add(w->out, FINDING_PTH_FILE,
                     "the wheel installs %s into site-packages: Python runs it at every interpreter start", name);
    if (e->depth == 2 && strcmp(name, "METADATA") == 0 && strstr(e->path, ".dist-info/METADATA"))
        return ARTIFACT_SMALL_FILE_MAX;
    return 0;
}

static void content(void *state, const archive_entry_info_t *e, const char *data, size_t len, int truncated)
{
    pypi_walk_t *w = state;
    artifact_keep_file(&w->metadata, &w->metadata_len, e, data, len, truncated, w->out);
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

static void check(void *state)
{
    pypi_walk_t *w = state;
    const artifact_job_t *j = w->job;
    if (!w->wheel)
        return;
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

static void end(void *state)
{
    pypi_walk_t *w = state;
    free(w->metadata);
    free(w);
}

const artifact_reader_t pypi_artifacts = {
    .formats = FORMATS,
    .manifest_begin = begin,
    .manifest_want = want,
    .manifest_content = content,
    .manifest_check = check,
    .manifest_end = end,
};
