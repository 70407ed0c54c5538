/* fuzz_npm_path: arbitrary bytes as a request path: the router's safety
 * check and the npm route parser. Whatever the parser accepts must be a
 * valid npm name and a plain tarball file name. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/npm/npm_path.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = (const char *)data;
    router_path_is_safe(path, size);

    npm_route_t r;
    npm_route_parse(path, size, &r);
    if (r.kind == NPM_ROUTE_PACKUMENT || r.kind == NPM_ROUTE_TARBALL) {
        size_t n = strlen(r.name);
        if (n == 0 || n > NPM_NAME_MAX || !npm_name_valid(r.name, n) || strstr(r.name, "..") == r.name ||
            r.name[0] == '.')
            abort();
        char enc[2 * NPM_NAME_MAX + 8];
        npm_name_encode(r.name, enc, sizeof(enc));
        /* the encoded name routes back to the same name */
        npm_route_t back;
        npm_route_parse(enc, strlen(enc), &back);
        if (back.kind != NPM_ROUTE_PACKUMENT || strcmp(back.name, r.name) != 0)
            abort();
    }
    if (r.kind == NPM_ROUTE_TARBALL) {
        size_t f = strlen(r.file);
        if (f < 5 || strchr(r.file, '/') || strcmp(r.file + f - 4, ".tgz") != 0)
            abort();
        char version[256];
        npm_tarball_version(r.name, r.file, version, sizeof(version));
    }
    /* a "/npm/" path that the router lets through and that names a package */
    if (size < 4000) {
        char *full = malloc(size + 6);
        memcpy(full, "/npm/", 5);
        memcpy(full + 5, data, size);
        router_path_is_safe(full, size + 5);
        free(full);
    }
    return 0;
}
