/* fuzz_npm_manifest: arbitrary bytes split at the first NUL into a
 * registry manifest and a tarball package.json, compared both ways, with
 * and without binding.gyp. Beyond "no crash, no leak": results are -1, 0
 * or 1 with a diff line that says something, every document equals itself,
 * and has_install_script answers -1, 0 or 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/npm/npm_manifest.h"

static void compare(const char *a, size_t alen, const char *b, size_t blen, int gyp)
{
    char diff[256];
    int rc = npm_manifest_compare(a, alen, b, blen, gyp, diff, sizeof(diff));
    if (rc < -1 || rc > 1 || memchr(diff, '\0', sizeof(diff)) == NULL)
        abort();
    if (rc == 0 && diff[0] != '\0')
        abort();
    if (rc == 1 && (diff[0] == '\0' || strstr(diff, ": registry has ") == NULL || strstr(diff, ", the tarball has ") == NULL))
        abort();
    if (rc == -1 && strncmp(diff, "the registry manifest ", 22) != 0 && strncmp(diff, "the tarball's package.json ", 27) != 0 &&
        strcmp(diff, "out of memory while comparing") != 0)
        abort();
}

static void self_equal(const char *a, size_t alen)
{
    for (int gyp = 0; gyp <= 1; gyp++) {
        char diff[256];
        int rc = npm_manifest_compare(a, alen, a, alen, gyp, diff, sizeof(diff));
        if (rc == 1) {
            fprintf(stderr, "a document differs from itself: %s\n", diff);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *a = (const char *)data, *b = "";
    size_t alen = size, blen = 0;
    const char *nul = memchr(data, '\0', size);
    if (nul != NULL) {
        alen = (size_t)(nul - a);
        b = nul + 1;
        blen = size - alen - 1;
    }
    for (int gyp = 0; gyp <= 1; gyp++) {
        compare(a, alen, b, blen, gyp);
        compare(b, blen, a, alen, gyp);
    }
    self_equal(a, alen);
    self_equal(b, blen);
    int h1 = npm_manifest_has_install_script(a, alen), h2 = npm_manifest_has_install_script(b, blen);
    if (h1 < -1 || h1 > 1 || h2 < -1 || h2 > 1)
        abort();
    return 0;
}
