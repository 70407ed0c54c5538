/* fuzz_maven_metadata: maven-metadata.xml as upstream might send it; an
 * accepted document, rewritten, must parse again with the kept versions. */
#include <stdint.h>
#include <stdlib.h>

#include "common/timeutil.h"
#include "ecosystems/maven/maven_metadata.h"
#include "ecosystems/maven/maven_version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    maven_metadata_t m;
    char err[256];
    if (maven_metadata_parse(&m, (const char *)data, size, err, sizeof(err)) != 0)
        return 0;
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
    maven_metadata_render(&m, keep, "1.0", NULL, 1795000000000LL, &out);
    if (!out.oom && m.has_versions) {
        maven_metadata_t again;
        if (maven_metadata_parse(&again, out.data, out.len, err, sizeof(err)) != 0 || again.nversions != kept)
            abort();
        maven_metadata_free(&again);
    }
    buf_free(&out);
    free(keep);
    maven_metadata_free(&m);
    return 0;
}
