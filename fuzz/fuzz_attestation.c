/* fuzz_attestation: arbitrary bytes as an npm attestation bundle and as a
 * PEP 740 provenance object; a repository read out is a NUL-terminated
 * string within its buffer, and the first input byte also splits the input
 * into a bundle whose payload is the rest in base64 (reaching the in-toto
 * statement reader). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/npm/npm_attest.h"
#include "ecosystems/pypi/pypi_history.h"

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void check(const char *repo, size_t cap)
{
    if (memchr(repo, '\0', cap) == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char repo[256], err[300];
    if (npm_attestation_repository((const char *)data, size, repo, sizeof(repo), err, sizeof(err)) == 0)
        check(repo, sizeof(repo));
    if (pypi_provenance_repository((const char *)data, size, repo, sizeof(repo), err, sizeof(err)) == 0)
        check(repo, sizeof(repo));
    /* the rest as the base64 payload of a SLSA provenance attestation */
    if (size > 1 && size < 4096) {
        char *doc = malloc(size * 2 + 300);
        if (doc == NULL)
            return 0;
        size_t n = (size_t)sprintf(doc, "{\"attestations\":[{\"predicateType\":\"https://slsa.dev/provenance/v1\","
                                        "\"bundle\":{\"dsseEnvelope\":{\"payload\":\"");
        const uint8_t *p = data + 1;
        size_t rest = size - 1;
        for (size_t i = 0; i < rest; i += 3) {
            uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < rest ? (uint32_t)p[i + 1] << 8 : 0) |
                         (i + 2 < rest ? p[i + 2] : 0);
            doc[n++] = B64[v >> 18 & 63];
            doc[n++] = B64[v >> 12 & 63];
            doc[n++] = i + 1 < rest ? B64[v >> 6 & 63] : '=';
            doc[n++] = i + 2 < rest ? B64[v & 63] : '=';
        }
        n += (size_t)sprintf(doc + n, "\"}}}]}");
        if (npm_attestation_repository(doc, n, repo, sizeof(repo), err, sizeof(err)) == 0)
            check(repo, sizeof(repo));
        free(doc);
    }
    return 0;
}
