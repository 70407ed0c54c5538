/* fuzz_npm_packument: parse arbitrary bytes as an upstream packument; when
 * that succeeds, render it full and abbreviated (with a tarball base, a keep
 * list and custom tags derived from the input) and require that every
 * rendering parses again as a packument and is strict JSON.
 *
 * Seeds: fuzz/corpus/npm_packument, dictionary: fuzz/json.dict. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "ecosystems/npm/npm_packument.h"

static void reparse(const buf_t *out, int abbreviated, size_t kept, const char *what)
{
    npm_packument_t q;
    char err[256];
    /* yajl takes \f and \v for whitespace, JSON.parse (npm) does not; inside
     * strings they would be escaped, so a raw one makes the output non-JSON */
    if (out->len && (memchr(out->data, '\f', out->len) || memchr(out->data, '\v', out->len))) {
        fprintf(stderr, "%s rendering holds a raw \\f or \\v (not JSON for JSON.parse)\n", what);
        abort();
    }
    if (npm_packument_parse(&q, out->data ? out->data : "", out->len, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s rendering does not parse again: %s\n%.*s\n", what, err, (int)out->len,
                out->data ? out->data : "");
        abort();
    }
    /* the abbreviated form has exactly one versions object holding the kept versions */
    if (abbreviated && q.nversions != kept) {
        fprintf(stderr, "%s rendering has %zu versions, %zu were kept\n", what, q.nversions, kept);
        abort();
    }
    npm_packument_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    npm_packument_t p;
    char err[256];
    err[0] = '\0';
    if (npm_packument_parse(&p, (const char *)data, size, err, sizeof(err)) != 0) {
        if (err[0] == '\0') {
            fprintf(stderr, "parse failed without a message\n");
            abort();
        }
        return 0;
    }
    /* a keep list and tags that depend on the input */
    unsigned char *keep = calloc(p.nversions ? p.nversions : 1, 1);
    size_t kept = 0;
    for (size_t i = 0; i < p.nversions; i++) {
        keep[i] = (unsigned char)(size == 0 || (data[(i * 7) % size] & 1));
        kept += keep[i];
    }
    npm_tag_t tags[2];
    size_t ntags = 0;
    for (size_t i = 0; i < p.nversions && ntags < 2; i++) {
        if (keep[i]) {
            tags[ntags].tag = ntags == 0 ? "latest" : "next";
            tags[ntags].version = p.versions[i].version;
            ntags++;
        }
    }
    char file[256];
    for (size_t i = 0; i < p.nversions; i++)
        npm_tarball_filename(&p, &p.versions[i], file, sizeof(file));

    npm_render_opts_t variants[4] = {
        {.abbreviated = 0, .tarball_base = "http://127.0.0.1:7878/npm/x/-/", .keep = keep, .tags = tags,
         .ntags = ntags, .modified = 1795428000123LL, .restricted_message = "held: \"x\" <until> later"},
        {.abbreviated = 1, .tarball_base = "http://127.0.0.1:7878/npm/x/-/", .keep = keep, .tags = tags,
         .ntags = ntags, .modified = 1795428000123LL, .restricted_message = "held"},
        {.abbreviated = 0, .modified = TIME_NONE},
        {.abbreviated = 1, .modified = TIME_NONE},
    };
    for (int v = 0; v < 4; v++) {
        buf_t out;
        buf_init(&out);
        npm_packument_render(&p, &variants[v], &out);
        reparse(&out, variants[v].abbreviated, variants[v].keep ? kept : p.nversions,
                variants[v].abbreviated ? "abbreviated" : "full");
        buf_free(&out);
    }
    free(keep);
    npm_packument_free(&p);
    return 0;
}
