/* npm_packument: one pass over an upstream packument (yajl) that records,
 * instead of building a tree, the byte spans of what cordon may rewrite:
 * each version's manifest and its dist.tarball, the fields that make up the
 * abbreviated ("corgi") form, dist-tags and time. Rendering then copies the
 * kept spans verbatim and writes only what changes, which keeps filtering a
 * 10 MB document close to parse speed (notes-libraries.md: regenerating
 * every token through yajl_gen costs ~3x the parse). */
#ifndef CORDON_NPM_PACKUMENT_H
#define CORDON_NPM_PACKUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct npm_span {
    size_t start, end; /* [start, end) into the document; end == 0: absent */
} npm_span_t;

/* fields kept in the abbreviated form, in the order they are written */
enum {
    NPM_AB_NAME,
    NPM_AB_VERSION,
    NPM_AB_DEPRECATED,
    NPM_AB_DEPENDENCIES,
    NPM_AB_OPTIONAL_DEPENDENCIES,
    NPM_AB_DEV_DEPENDENCIES,
    NPM_AB_BUNDLE_DEPENDENCIES,
    NPM_AB_BUNDLED_DEPENDENCIES,
    NPM_AB_PEER_DEPENDENCIES,
    NPM_AB_PEER_DEPENDENCIES_META,
    NPM_AB_ACCEPT_DEPENDENCIES,
    NPM_AB_BIN,
    NPM_AB_DIRECTORIES,
    NPM_AB_DIST,
    NPM_AB_ENGINES,
    NPM_AB_OS,
    NPM_AB_CPU,
    NPM_AB_LIBC,
    NPM_AB_FUNDING,
    NPM_AB_HAS_SHRINKWRAP,
    NPM_AB_HAS_INSTALL_SCRIPT,
    NPM_AB_COUNT
};

typedef struct npm_version {
    char *version;
    npm_span_t value;   /* the manifest object */
    npm_span_t tarball; /* dist.tarball's string token, quotes included */
    npm_span_t ab[NPM_AB_COUNT];
    char *tarball_url;
    char *integrity; /* dist.integrity (SRI) */
    char *shasum;    /* dist.shasum (hex sha1) */
    int has_install_script; /* preinstall/install/postinstall, or hasInstallScript: true */
    int64_t published_at;   /* time[version], TIME_NONE when absent */
    char *publisher;        /* _npmUser.name, NULL when absent */
    /* dist.attestations.provenance.predicateType names SLSA provenance
     * (https://slsa.dev/provenance/…): the version was built and published
     * by a CI workflow that signed where it came from */
    int has_provenance;
    char *attestations_url; /* dist.attestations.url, NULL when absent */
} npm_version_t;

typedef struct npm_tag {
    char *tag;
    char *version;
} npm_tag_t;

typedef struct npm_member {
    char *key;
    npm_span_t value;
} npm_member_t;

typedef struct npm_packument {
    const char *doc;
    size_t len;
    char *name;
    npm_member_t *members; /* top-level members in document order */
    size_t nmembers;
    npm_version_t *versions; /* in document order */
    size_t nversions;
    npm_tag_t *tags;
    size_t ntags;
    int64_t created, modified; /* time.created / time.modified */
} npm_packument_t;

/* Parses doc (which must outlive p). 0 ok; -1 with a message when the
 * document is not JSON or not a packument. */
int npm_packument_parse(npm_packument_t *p, const char *doc, size_t len, char *err, size_t errlen);
void npm_packument_free(npm_packument_t *p);
/* index of a version, or -1 */
long npm_packument_find(const npm_packument_t *p, const char *version);

typedef struct npm_render_opts {
    int abbreviated;
    const char *tarball_base; /* "http://host:port/npm/<name>/-/" */
    const unsigned char *keep; /* per version (document order); NULL keeps all */
    const npm_tag_t *tags;     /* dist-tags to write; NULL writes upstream's */
    size_t ntags;
    int64_t modified; /* written as time.modified/modified; TIME_NONE keeps upstream's */
    /* when set, versions not kept are listed under policyRestrictions with
     * this message, so npm's manifest picker answers an exact pin with E403
     * and the message instead of a bare ETARGET */
    const char *restricted_message;
} npm_render_opts_t;

/* appends the rendered document to out */
void npm_packument_render(const npm_packument_t *p, const npm_render_opts_t *o, buf_t *out);
/* the file name of a version's tarball as cordon serves it */
void npm_tarball_filename(const npm_packument_t *p, const npm_version_t *v, char *out, size_t outlen);

#endif
