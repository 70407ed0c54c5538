/* maven_metadata: maven-metadata.xml read as XML with libxml2's streaming
 * reader (xmlTextReader: no network, no DTD, no entities) and written again
 * from what was read, so that cordon filters exactly the document an XML
 * reader such as Maven's sees: however upstream spells a tag (white space,
 * namespace prefixes), hides text (comments, CDATA, character references)
 * or encodes the document. Elements are matched by local name: a held
 * version is removed from <m:versions> as from <versions>.
 *
 * Accepted structure: root <metadata>; at most one <versioning>, its child;
 * in it at most one <versions> (only <version> elements, white space and
 * comments), <latest>, <release>, <lastUpdated> (text only). A DTD, an
 * entity reference, or <versioning>/<versions> anywhere else is refused:
 * cordon cannot be sure what another reader would make of it. */
#ifndef CORDON_MAVEN_METADATA_H
#define CORDON_MAVEN_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct maven_meta_version {
    char *version; /* trimmed text */
} maven_meta_version_t;

typedef struct maven_metadata {
    const char *doc; /* the document parsed (not owned): render reads it again */
    size_t len;
    int has_versions; /* a <versions> list; group-level metadata (plugin prefixes) has none */
    maven_meta_version_t *versions; /* in document order */
    size_t nversions;
    char *latest, *release; /* trimmed text, NULL when the element is absent */
    int64_t last_updated;   /* ms, TIME_NONE when absent or malformed */
} maven_metadata_t;

/* 0, or -1 with a one-line reason in err ("line 3: …") */
int maven_metadata_parse(maven_metadata_t *m, const char *doc, size_t len, char *err, size_t errlen);
void maven_metadata_free(maven_metadata_t *m);
/* Writes the document again (UTF-8, comments dropped) without the versions
 * whose keep[] is 0 (and the white space before them); latest/release: new
 * text for those elements (NULL removes the element; upstream's value keeps
 * it); last_updated: TIME_NONE keeps upstream's. Elements absent upstream
 * are not added. -1 (and out->oom) when it cannot. */
int maven_metadata_render(const maven_metadata_t *m, const unsigned char *keep, const char *latest,
                          const char *release, int64_t last_updated, buf_t *out);
/* "20261123100000" → ms; TIME_NONE if malformed */
int64_t maven_timestamp_parse(const char *s, size_t n);
void maven_timestamp_format(int64_t ms, char out[15]);

#endif
