/* pypi_path: PEP 503 names and the routes below /pypi/:
 *   simple/                      the project list
 *   simple/<project>/            a project page (non-normalised → redirect)
 *   files/<project>/<filename>   a distribution file (".metadata" suffix:
 *                                its PEP 658 core metadata)
 * and the version a distribution's file name carries. */
#ifndef CORDON_PYPI_PATH_H
#define CORDON_PYPI_PATH_H

#include <stddef.h>

#define PYPI_NAME_MAX 200
#define PYPI_FILE_MAX 255

typedef enum {
    PYPI_ROUTE_INVALID = 0,
    PYPI_ROUTE_ROOT,
    PYPI_ROUTE_PROJECT,
    PYPI_ROUTE_FILE,
} pypi_route_kind_t;

typedef struct pypi_route {
    pypi_route_kind_t kind;
    char project[PYPI_NAME_MAX + 1];   /* normalised */
    int needs_redirect;                /* the path did not use the normalised name */
    int trailing_slash;                /* "simple/<project>" without '/' also redirects */
    char file[PYPI_FILE_MAX + 1];      /* file name, without ".metadata" */
    int metadata;                      /* the ".metadata" of file */
} pypi_route_t;

/* PEP 503: lower case, runs of '-', '_', '.' become one '-'. -1 when the
 * name has characters PEP 508 does not allow or is too long. */
int pypi_normalize(const char *name, size_t len, char *out, size_t outlen);
void pypi_route_parse(const char *path, size_t len, pypi_route_t *out);
/* a file name safe to use in a URL path and on disk keys */
int pypi_filename_safe(const char *s, size_t n);
/* the version in a wheel, egg or sdist (.tar.gz, .zip, .tar.bz2, .tar.xz,
 * .tgz, .tar, .tar.Z) file name of project (normalised); 0 ok, -1 when the
 * file is not a distribution of that project */
int pypi_file_version(const char *project, const char *filename, char *version, size_t vlen);

typedef enum {
    PYPI_FORMAT_NONE = 0, /* nothing acceptable: 406 */
    PYPI_FORMAT_JSON,     /* application/vnd.pypi.simple.v1+json */
    PYPI_FORMAT_HTML_V1,  /* application/vnd.pypi.simple.v1+html */
    PYPI_FORMAT_HTML,     /* text/html */
} pypi_format_t;

/* PEP 691 content negotiation over an Accept header (q-values; on a tie the
 * JSON form wins; no header means HTML, as PEP 503 clients expect) */
pypi_format_t pypi_negotiate(const char *accept, size_t len);
const char *pypi_format_type(pypi_format_t f);

#endif
