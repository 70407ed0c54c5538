/* npm_artifact: the npm tarball reader (see npm_artifact.h). Keeps the
 * root package.json (the first one, at most ARTIFACT_SMALL_FILE_MAX) and
 * whether a root binding.gyp exists. */
#include "ecosystems/npm/npm_artifact.h"

#include <stdlib.h>
#include <string.h>

#include "ecosystems/npm/npm_manifest.h"

static const artifact_format_t FORMATS[] = {{".tgz", ARTIFACT_ARCHIVE, 0}, {NULL, ARTIFACT_PLAIN, 0}};

typedef struct npm_walk {
    const artifact_job_t *job;
    findings_t *out;
    char *manifest; /* owned: the tarball's package.json */
    size_t manifest_len;
    int has_gyp;
} npm_walk_t;

static void *begin(const artifact_job_t *job, const artifact_format_t *fmt, const analysis_config_t *cfg,
                   findings_t *out)
{
    npm_walk_t *w = calloc(1, sizeof(*w));
    if (w) {
        w->job = job;
        w->out = out;
    }
    return w;
}

/* the path's part after its first component ("package.json" in "package/package.json") is name */
static int first_is(const char *path, const char *name)
{
    const char *slash = strchr(path, '/');
    return slash && strcmp(slash + 1, name) == 0;
}

static size_t want(void *state, const archive_entry_info_t *e)
{
    npm_walk_t *w = state;
    if (e->depth == 2 && first_is(e->path, "package.json"))
        return ARTIFACT_SMALL_FILE_MAX;
    if (e->depth == 2 && first_is(e->path, "binding.gyp"))
        w->has_gyp = 1;
    return 0;
}

static void content(void *state, const archive_entry_info_t *e, const char *data, size_t len, int truncated)
{
    npm_walk_t *w = state;
    artifact_keep_file(&w->manifest, &w->manifest_len, e, data, len, truncated, w->out);
}

static void check(void *state)
{
    npm_walk_t *w = state;
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

static void facts(void *state, contents_t *out)
{
    npm_walk_t *w = state;
    if (w->manifest != NULL)
        npm_manifest_facts(w->manifest, w->manifest_len, w->has_gyp, out);
}

static void end(void *state)
{
    npm_walk_t *w = state;
    free(w->manifest);
    free(w);
}

const artifact_reader_t npm_artifacts = {
    .formats = FORMATS,
    .manifest_begin = begin,
    .manifest_want = want,
    .manifest_content = content,
    .manifest_check = check,
    .manifest_facts = facts,
    .manifest_end = end,
};
