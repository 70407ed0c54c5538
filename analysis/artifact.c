/* artifact: the reading of one artifact that every ecosystem shares — its
 * format found in the ecosystem's table, the walk with limits, the
 * ecosystem's reader fed the entries it asks for — and its jobs on the
 * worker pool (see artifact.h). Everything is streamed through
 * archive_walk_*: only the few small files a reader keeps are ever held in
 * memory. */
#include "analysis/artifact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/archive.h"
#include "common/workpool.h"
#include "common/xalloc.h"
#include "core/ecosystem.h"
#include "core/runtime.h"

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

/* ---- which format a file is (the ecosystem's table) ---- */

static int has_ext(const char *f, const char *ext)
{
    size_t n = strlen(f), m = strlen(ext);
    if (n <= m)
        return 0;
    int exact = strchr(ext, 'Z') != NULL;
    return exact ? strcmp(f + n - m, ext) == 0 : strcasecmp(f + n - m, ext) == 0;
}

static const artifact_reader_t *reader_of(eco_id_t eco)
{
    return eco < ECO_COUNT && ecosystems[eco] != NULL ? ecosystems[eco]->artifacts : NULL;
}

static const artifact_format_t *format_of(eco_id_t eco, const char *f)
{
    const artifact_reader_t *rd = reader_of(eco);
    for (const artifact_format_t *t = rd ? rd->formats : NULL; t != NULL && t->ext != NULL; t++)
        if (has_ext(f, t->ext))
            return t;
    return NULL;
}

int artifact_is_analysed(eco_id_t eco, const char *f)
{
    const artifact_format_t *fm = format_of(eco, f);
    return fm != NULL && fm->kind != ARTIFACT_PLAIN;
}

/* ---- helpers for the readers ---- */

const char *artifact_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

void artifact_keep_file(char **dst, size_t *dlen, const archive_entry_info_t *e, const char *data, size_t len,
                        int truncated, findings_t *out)
{
    if (*dst != NULL) /* the first one counts */
        return;
    if (truncated) {
        findings_add(out, FINDING_MALFORMED_ARCHIVE, "%s is larger than %u bytes", e->path, ARTIFACT_SMALL_FILE_MAX);
        return;
    }
    *dst = malloc(len + 1);
    if (*dst) {
        memcpy(*dst, data, len);
        (*dst)[len] = '\0';
        *dlen = len;
    }
}

/* ---- the walk ---- */

typedef struct walk {
    const artifact_reader_t *rd;
    void *state; /* the reader's; NULL: nothing is read inside */
    contents_t *listing; /* NULL: not asked for */
} walk_t;

static size_t want(void *arg, const archive_entry_info_t *e)
{
    walk_t *w = arg;
    return w->state ? w->rd->manifest_want(w->state, e) : 0;
}

static void content(void *arg, const archive_entry_info_t *e, const char *data, size_t len, int truncated)
{
    walk_t *w = arg;
    if (w->state)
        w->rd->manifest_content(w->state, e, data, len, truncated);
}

static void entry(void *arg, const archive_entry_info_t *e, int64_t bytes, const unsigned char *sha256)
{
    walk_t *w = arg;
    contents_add_file(w->listing, e->path, (int)e->kind, bytes, sha256);
}

/* 0, or -1 after a finding when the reader could not start */
static int walk_init(walk_t *w, const artifact_job_t *job, const artifact_format_t *fm, const analysis_config_t *cfg,
                     findings_t *out, contents_t *listing)
{
    w->rd = reader_of(job->eco);
    w->state = NULL;
    w->listing = listing;
    if (listing != NULL)
        contents_set_filename(listing, job->filename);
    if (w->rd == NULL || w->rd->manifest_begin == NULL)
        return 0;
    w->state = w->rd->manifest_begin(job, fm, cfg, out);
    if (w->state == NULL) {
        findings_add(out, FINDING_MALFORMED_ARCHIVE, "cordon ran out of memory analysing it");
        return -1;
    }
    return 0;
}

static void report(walk_t *w, const artifact_job_t *job, const archive_report_t *r, findings_t *out)
{
    if (r->malformed)
        findings_add(out, FINDING_MALFORMED_ARCHIVE, "%s: %s", job->filename, r->malformed_why);
    else if (r->unsafe)
        findings_add(out, FINDING_MALFORMED_ARCHIVE, "%s: %s", job->filename, r->unsafe_why);
    if (!r->malformed && w->state)
        w->rd->manifest_check(w->state);
    if (!r->malformed && w->state && w->listing && w->rd->manifest_facts)
        w->rd->manifest_facts(w->state, w->listing);
}

static archive_visitor_t visitor(walk_t *w)
{
    return (archive_visitor_t){want, content, w->listing ? entry : NULL, w};
}

static void walk_free(walk_t *w)
{
    if (w->state)
        w->rd->manifest_end(w->state);
}

/* a format cordon does not read, or a file that is no archive: one finding, no walk */
static int not_walked(const artifact_job_t *job, const artifact_format_t *fm, findings_t *out)
{
    if (fm == NULL || fm->kind == ARTIFACT_PLAIN)
        return 1;
    if (fm->kind == ARTIFACT_REFUSED) {
        findings_add(out, FINDING_MALFORMED_ARCHIVE,
                     "%s: cordon does not read %s archives, so it cannot check what this one holds", job->filename,
                     fm->ext);
        return 1;
    }
    return 0;
}

static archive_format_t walk_format(const artifact_format_t *fm)
{
    return fm->kind == ARTIFACT_STREAM ? ARCHIVE_COMPRESSED : ARCHIVE_TAR_OR_ZIP;
}

void artifact_analyse_memory(const artifact_job_t *job, const void *data, size_t len, const analysis_config_t *cfg,
                             findings_t *out, contents_t *listing)
{
    const artifact_format_t *fm = format_of(job->eco, job->filename);
    if (fm != NULL && fm->kind == ARTIFACT_DOCUMENT) {
        reader_of(job->eco)->read_document(job, data, len, NULL, out);
        return;
    }
    walk_t w;
    if (not_walked(job, fm, out) || walk_init(&w, job, fm, cfg, out, listing) != 0)
        return;
    archive_report_t r;
    archive_visitor_t v = visitor(&w);
    archive_walk_memory_as(data, len, walk_format(fm), &cfg->limits, &v, &r);
    report(&w, job, &r, out);
    walk_free(&w);
}

/* a document read whole, at most max bytes; NULL with why filled when it cannot be */
static char *read_whole(const char *path, size_t max, size_t *got, char *why, size_t whylen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *text = NULL;
    *got = 0;
    why[0] = '\0';
    if (fd < 0 || fstat(fd, &st) != 0)
        snprintf(why, whylen, "%s", strerror(errno));
    else if (st.st_size > (off_t)max)
        snprintf(why, whylen, "larger than %zu MB", max >> 20);
    else if ((text = malloc((size_t)st.st_size + 1)) == NULL)
        snprintf(why, whylen, "out of memory");
    while (why[0] == '\0' && *got < (size_t)st.st_size) {
        ssize_t n = read(fd, text + *got, (size_t)st.st_size - *got);
        if (n <= 0) {
            snprintf(why, whylen, "%s", n < 0 ? strerror(errno) : "shorter than its size");
            break;
        }
        *got += (size_t)n;
    }
    if (fd >= 0)
        close(fd);
    if (why[0] != '\0') {
        free(text);
        return NULL;
    }
    return text;
}

void artifact_analyse(const artifact_job_t *job, const char *path, const analysis_config_t *cfg, findings_t *out,
                      contents_t *listing)
{
    const artifact_format_t *fm = format_of(job->eco, job->filename);
    if (fm != NULL && fm->kind == ARTIFACT_DOCUMENT) {
        const artifact_reader_t *rd = reader_of(job->eco);
        size_t got;
        char why[128];
        char *text = read_whole(path, rd->document_max, &got, why, sizeof(why));
        rd->read_document(job, text, got, text ? NULL : why, out);
        free(text);
        return;
    }
    walk_t w;
    if (not_walked(job, fm, out) || walk_init(&w, job, fm, cfg, out, listing) != 0)
        return;
    archive_report_t r;
    archive_visitor_t v = visitor(&w);
    if (archive_walk_file_as(path, walk_format(fm), &cfg->limits, &v, &r) != 0)
        findings_add(out, FINDING_MALFORMED_ARCHIVE, "%s: cannot be read (%s)", job->filename, strerror(errno));
    else
        report(&w, job, &r, out);
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
    contents_t listing;
    contents_init(&listing);
    artifact_analyse(w->job, w->path, &cfg->analysis, &f, &listing);
    w->done(w->arg, w->job, &f, &listing);
    contents_free(&listing);
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
    buf_t listing; /* the DB_CONTENTS record of what the analysis listed; empty: none */
    artifact_check_done_fn done;
    void *token;
} analysis_check_t;

static void check_analysed(void *arg, const artifact_job_t *job, const findings_t *f, const contents_t *listing)
{
    analysis_check_t *c = arg;
    c->found = *f;
    if (contents_encode(listing, &c->listing) != 0)
        buf_reset(&c->listing); /* nothing to keep: the diff says the listing is missing */
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
    int rc = findings_put(txn, eco_name(c->eco), c->package, c->version, blob_hex, &c->found);
    if (rc == 0 && c->listing.len > 0)
        rc = contents_put_encoded(txn, eco_name(c->eco), c->package, c->version, blob_hex, &c->listing);
    return rc;
}

static void check_free(artifact_check_t *self)
{
    analysis_check_t *c = (analysis_check_t *)self;
    artifact_job_free(c->job);
    buf_free(&c->listing);
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
    buf_init(&c->listing);
    findings_clear(&c->found);
    return &c->base;
}
