/* pypi_index: a PEP 691 project page (JSON), parsed in one streaming pass
 * into a compact list of files, and rendered back as PEP 691 JSON or PEP 503
 * HTML with the held files left out and file URLs pointing at cordon. */
#ifndef CORDON_PYPI_INDEX_H
#define CORDON_PYPI_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "store/record.h"
#include "common/buf.h"

#define PYPI_MAX_HASHES 6

typedef struct pypi_hash {
    char alg[16];
    char *hex;
} pypi_hash_t;

typedef struct pypi_file {
    char *filename;
    char *url;
    pypi_hash_t hashes[PYPI_MAX_HASHES];
    int nhashes;
    char *requires_python;    /* NULL when absent */
    int yanked;               /* PEP 592 */
    char *yanked_reason;      /* NULL when yanked is a bare true */
    int core_metadata;        /* PEP 658/714: 0 absent/false, 1 present */
    char *core_metadata_sha256; /* NULL when present without a hash */
    int64_t size;             /* -1 when unknown */
    char *upload_time;        /* PEP 700, as upstream wrote it; NULL when absent */
    int64_t upload_time_ms;   /* TIME_NONE when absent or unparsable */
    char *version;            /* from the file name; NULL when the file is not this project's */
    char *provenance;         /* PEP 740: the URL of its provenance (attestations); NULL when absent */
} pypi_file_t;

typedef struct pypi_project {
    char *name;
    pypi_file_t *files;
    size_t nfiles;
    char **versions; /* PEP 700 */
    size_t nversions;
    int has_versions;
} pypi_project_t;

/* project: the normalised name the page was asked for */
int pypi_index_parse(pypi_project_t *p, const char *project, const char *doc, size_t len, char *err, size_t errlen);
void pypi_index_free(pypi_project_t *p);
/* the hash cordon verifies a file against: sha256, else sha512; NULL if neither */
const pypi_hash_t *pypi_file_hash(const pypi_file_t *f);

typedef struct pypi_render_opts {
    int html;
    const char *files_base;    /* "http://host:port/pypi/files/<project>/" */
    const unsigned char *keep; /* per file; NULL keeps all */
    /* per file not kept: the reason it is held, rendered as PEP 592 yanked
     * (so pip and uv skip it and an exact pin prints why), or NULL to leave
     * it out; the array NULL leaves every file not kept out */
    const char *const *held;
} pypi_render_opts_t;

void pypi_index_render(const pypi_project_t *p, const pypi_render_opts_t *o, buf_t *out);
/* the project's history as the page tells it (every file's upload time,
 * how many releases: PEP 700 `versions`, else its files' distinct
 * versions), for the store's package record */
void pypi_package_history(const pypi_project_t *p, int64_t now, package_rec_t *out);

/* HTML text escaping (& < > " ') */
void html_escape(buf_t *out, const char *s);

#endif
