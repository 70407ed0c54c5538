/* maven_metadata: maven-metadata.xml read with a small, strict scanner (the
 * format is tiny and regular; no XML library is needed to find <versions>,
 * <latest>, <release> and <lastUpdated>) and rewritten by splicing: every
 * byte not being changed is copied as upstream wrote it. */
#ifndef CORDON_MAVEN_METADATA_H
#define CORDON_MAVEN_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct maven_meta_version {
    char *version;
    size_t start, end; /* the whole <version>…</version> element, with the white space before it */
} maven_meta_version_t;

typedef struct maven_metadata {
    const char *doc;
    size_t len;
    int has_versions; /* artifact-level metadata; group-level (plugin prefixes) has none */
    maven_meta_version_t *versions;
    size_t nversions;
    size_t latest_start, latest_end;   /* inner text spans; end == 0 when absent */
    size_t release_start, release_end;
    size_t updated_start, updated_end;
    int64_t last_updated; /* ms, TIME_NONE when absent */
} maven_metadata_t;

int maven_metadata_parse(maven_metadata_t *m, const char *doc, size_t len, char *err, size_t errlen);
void maven_metadata_free(maven_metadata_t *m);
/* keep: per version; latest/release: new values (NULL removes the element);
 * last_updated: TIME_NONE keeps upstream's */
void maven_metadata_render(const maven_metadata_t *m, const unsigned char *keep, const char *latest,
                           const char *release, int64_t last_updated, buf_t *out);
/* "20261123100000" → ms; TIME_NONE if malformed */
int64_t maven_timestamp_parse(const char *s, size_t n);
void maven_timestamp_format(int64_t ms, char out[15]);

#endif
