/* pypi_artifact: the PyPI file reader (see pypi_artifact.h). Only wheels
 * are read inside; of a wheel it keeps the first .dist-info/METADATA. */
#include "ecosystems/pypi/pypi_artifact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
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
    char *metadata; /* owned: the wheel's METADATA, an sdist's PKG-INFO */
    size_t metadata_len;
    char *entry_points; /* owned: the wheel's .dist-info/entry_points.txt */
    size_t entry_points_len;
    int setup_py; /* an sdist with a setup.py: the build runs it at install */
    buf_t pth;    /* the .pth files it installs, NUL-separated (the listing's facts) */
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
        buf_init(&w->pth);
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
    const char *name = artifact_base_name(e->path);
    if (!w->wheel) {
        /* an sdist: <name>-<version>/PKG-INFO says what it declares */
        if (e->depth == 2 && strcmp(name, "setup.py") == 0)
            w->setup_py = 1;
        return e->depth == 2 && strcmp(name, "PKG-INFO") == 0 ? ARTIFACT_SMALL_FILE_MAX : 0;
    }
    /* top-level files land in site-packages; so do <name>.data/purelib|platlib/… */
    int in_site = e->depth == 1 ||
                  (e->depth == 3 && (strstr(e->path, ".data/purelib/") || strstr(e->path, ".data/platlib/")));
    if (in_site && ends_with(name, ".pth")) {
        buf_append(&w->pth, name, strlen(name) + 1);
        if (!pth_allowed(w->cfg, name))
            findings_add(w->out, FINDING_PTH_FILE,
                         "the wheel installs %s into site-packages: Python runs it at every interpreter start", name);
    }
    if (e->depth == 2 && (strcmp(name, "METADATA") == 0 || strcmp(name, "entry_points.txt") == 0) &&
        strstr(e->path, ".dist-info/"))
        return ARTIFACT_SMALL_FILE_MAX;
    return 0;
}

static void content(void *state, const archive_entry_info_t *e, const char *data, size_t len, int truncated)
{
    pypi_walk_t *w = state;
    if (!w->wheel) /* an sdist's PKG-INFO only informs the listing: its head is enough, never a finding */
        artifact_keep_file(&w->metadata, &w->metadata_len, e, data, len, 0, w->out);
    else if (strcmp(artifact_base_name(e->path), "entry_points.txt") == 0)
        artifact_keep_file(&w->entry_points, &w->entry_points_len, e, data, len, truncated, w->out);
    else
        artifact_keep_file(&w->metadata, &w->metadata_len, e, data, len, truncated, w->out);
}

static void metadata_field(const char *text, const char *key, char *out, size_t outlen);

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

/* ---- what the file declares, for the version view's diff ---- */

/* each header line of the METADATA / PKG-INFO head, continuation lines left out */
static void each_header(const char *text, void (*fn)(void *arg, const char *key, size_t kl, const char *v, size_t vl),
                        void *arg)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        while (n && p[n - 1] == '\r')
            n--;
        if (n == 0)
            return; /* the body starts */
        const char *colon = memchr(p, ':', n);
        if (colon && p[0] != ' ' && p[0] != '\t') {
            const char *v = colon + 1, *e = p + n;
            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            fn(arg, p, (size_t)(colon - p), v, (size_t)(e - v));
        }
        if (!nl)
            return;
        p = nl + 1;
    }
}

static int key_is(const char *k, size_t kl, const char *want)
{
    return kl == strlen(want) && strncasecmp(k, want, kl) == 0;
}

typedef struct field_want {
    const char *key;
    char *out;
    size_t outlen;
    int found;
} field_want_t;

static void field_of(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
    field_want_t *f = arg;
    /* a bare "Key:" line names nothing: a later one may */
    if (f->found || !key_is(k, kl, f->key) || v + vl == k + kl + 1)
        return;
    while (vl && v[vl - 1] == ' ')
        vl--;
    snprintf(f->out, f->outlen, "%.*s", (int)vl, v);
    f->found = 1;
}

/* "Name:" / "Version:" of a METADATA head ("" when absent); the first one counts */
static void metadata_field(const char *text, const char *key, char *out, size_t outlen)
{
    field_want_t f = {key, out, outlen, 0};
    out[0] = '\0';
    each_header(text, field_of, &f);
}

/* "Requires-Dist: Foo.Bar (>=2) ; extra == 'x'" → "foo-bar" → ">=2" (the
 * marker, when there is one, is part of the name: "foo-bar; extra == 'x'") */
static void header_fact(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
    contents_t *out = arg;
    char line[CONTENTS_VALUE_MAX], name[300], norm[300], key[CONTENTS_VALUE_MAX];
    snprintf(line, sizeof(line), "%.*s", (int)vl, v);
    if (key_is(k, kl, "Home-page")) {
        contents_add_fact(out, CONTENTS_LINK, "homepage", line);
    } else if (key_is(k, kl, "Project-URL")) {
        char *comma = strchr(line, ',');
        if (comma == NULL)
            return;
        *comma = '\0';
        const char *url = comma + 1;
        while (*url == ' ')
            url++;
        contents_add_fact(out, CONTENTS_LINK, line, url);
    } else if (key_is(k, kl, "Requires-Dist")) {
        size_t n = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
        if (n == 0 || n >= sizeof(name))
            return;
        snprintf(name, sizeof(name), "%.*s", (int)n, line);
        if (pypi_normalize(name, n, norm, sizeof(norm)) != 0)
            return;
        char *semi = strchr(line + n, ';');
        const char *marker = semi ? semi + 1 : NULL;
        if (semi)
            *semi = '\0';
        const char *spec = line + n;
        while (*spec == ' ')
            spec++;
        while (marker && *marker == ' ')
            marker++;
        snprintf(key, sizeof(key), "%s%s%s", norm, marker ? "; " : "", marker ? marker : "");
        size_t sl = strlen(spec);
        while (sl && spec[sl - 1] == ' ')
            sl--;
        char val[CONTENTS_VALUE_MAX];
        snprintf(val, sizeof(val), "%.*s", sl ? (int)sl : 3, sl ? spec : "any");
        contents_add_fact(out, CONTENTS_DEPENDENCY, key, val);
    }
}

/* [console_scripts] and [gui_scripts] of an entry_points.txt */
static void entry_point_facts(const char *text, contents_t *out)
{
    char section[64] = "";
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[CONTENTS_VALUE_MAX];
        snprintf(line, sizeof(line), "%.*s", (int)n, p);
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t l = strlen(s);
        while (l && (s[l - 1] == '\r' || s[l - 1] == ' '))
            s[--l] = '\0';
        if (s[0] == '[' && l > 1 && s[l - 1] == ']') {
            snprintf(section, sizeof(section), "%.*s", (int)(l - 2), s + 1);
        } else if ((strcmp(section, "console_scripts") == 0 || strcmp(section, "gui_scripts") == 0) &&
                   strchr(s, '=') != NULL) {
            char *eq = strchr(s, '=');
            const char *target = eq + 1;
            while (*target == ' ')
                target++;
            while (eq > s && eq[-1] == ' ')
                eq--;
            *eq = '\0';
            char key[CONTENTS_VALUE_MAX];
            snprintf(key, sizeof(key), "%s %s", section, s);
            contents_add_fact(out, CONTENTS_ENTRY_POINT, key, target);
        }
        if (!nl)
            return;
        p = nl + 1;
    }
}

static void facts(void *state, contents_t *out)
{
    pypi_walk_t *w = state;
    if (w->metadata != NULL)
        each_header(w->metadata, header_fact, out);
    if (w->entry_points != NULL)
        entry_point_facts(w->entry_points, out);
    for (size_t at = 0; at < w->pth.len; at += strlen(w->pth.data + at) + 1)
        contents_add_fact(out, CONTENTS_SCRIPT, w->pth.data + at, "a .pth file: Python runs it at every start");
    if (w->setup_py)
        contents_add_fact(out, CONTENTS_SCRIPT, "setup.py", "runs when pip builds the sdist at install");
}

static void end(void *state)
{
    pypi_walk_t *w = state;
    free(w->metadata);
    free(w->entry_points);
    buf_free(&w->pth);
    free(w);
}

const artifact_reader_t pypi_artifacts = {
    .formats = FORMATS,
    .manifest_begin = begin,
    .manifest_want = want,
    .manifest_content = content,
    .manifest_check = check,
    .manifest_facts = facts,
    .manifest_end = end,
};
