/* fuzz_pypi_index: PEP 691 project pages as upstream might send them. An
 * accepted page renders to JSON that parses again with the kept files, and
 * to HTML; nothing crashes or leaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/pypi/pypi_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pypi_project_t p;
    char err[256];
    if (pypi_index_parse(&p, "fx-lib", (const char *)data, size, err, sizeof(err)) != 0)
        return 0;
    unsigned char *keep = malloc(p.nfiles + 1);
    for (size_t i = 0; i < p.nfiles; i++)
        keep[i] = (unsigned char)(i & 1);
    for (int html = 0; html < 2; html++) {
        pypi_render_opts_t o = {.html = html, .files_base = "http://c/pypi/files/fx-lib/", .keep = keep};
        buf_t out;
        buf_init(&out);
        pypi_index_render(&p, &o, &out);
        if (!html && !out.oom) {
            pypi_project_t q;
            if (pypi_index_parse(&q, "fx-lib", out.data, out.len, err, sizeof(err)) != 0)
                abort(); /* our own rendering must be a valid page */
            pypi_index_free(&q);
        }
        buf_free(&out);
    }
    free(keep);
    pypi_index_free(&p);
    return 0;
}
