/* fuzz_maven_metadata: maven-metadata.xml as upstream might send it. An
 * accepted document, rewritten with every third version dropped, must parse
 * again with exactly the kept versions, in order, and the latest and
 * release given; rewritten unchanged, it must parse again to the same
 * versions, latest and release (what clients get is what was decided on). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "ecosystems/maven/maven_metadata.h"
#include "ecosystems/maven/maven_version.h"

static int same(const char *a, const char *b) { return (a == NULL) == (b == NULL) && (a == NULL || !strcmp(a, b)); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    maven_metadata_t m;
    char err[256];
    if (maven_metadata_parse(&m, (const char *)data, size, err, sizeof(err)) != 0) {
        if (err[0] == '\0')
            abort(); /* a refusal always says why */
        return 0;
    }
    unsigned char *keep = malloc(m.nversions + 1);
    size_t kept = 0;
    for (size_t i = 0; i < m.nversions; i++) {
        keep[i] = (unsigned char)(i % 3 != 0);
        kept += keep[i];
        if (i > 0)
            maven_version_compare(m.versions[i - 1].version, m.versions[i].version);
    }
    buf_t out;
    buf_init(&out);
    if (maven_metadata_render(&m, keep, "1.0", NULL, 1795000000000LL, &out) != 0)
        abort(); /* a document parse() accepted always renders */
    {
        maven_metadata_t again;
        if (maven_metadata_parse(&again, out.data, out.len, err, sizeof(err)) != 0 || again.nversions != kept ||
            again.has_versions != m.has_versions || !same(again.latest, m.latest ? "1.0" : NULL) ||
            again.release != NULL)
            abort();
        for (size_t i = 0, k = 0; i < m.nversions; i++)
            if (keep[i] && strcmp(again.versions[k++].version, m.versions[i].version) != 0)
                abort();
        maven_metadata_free(&again);
    }
    buf_reset(&out);
    if (maven_metadata_render(&m, NULL, m.latest, m.release, TIME_NONE, &out) != 0)
        abort();
    {
        maven_metadata_t again;
        if (maven_metadata_parse(&again, out.data, out.len, err, sizeof(err)) != 0 ||
            again.nversions != m.nversions || !same(again.latest, m.latest) || !same(again.release, m.release) ||
            again.last_updated != m.last_updated)
            abort();
        for (size_t i = 0; i < m.nversions; i++)
            if (strcmp(again.versions[i].version, m.versions[i].version) != 0)
                abort();
        maven_metadata_free(&again);
    }
    buf_free(&out);
    free(keep);
    maven_metadata_free(&m);
    return 0;
}
