/* fuzz_config: arbitrary bytes as the YAML configuration. Loading either
 * succeeds or fails with a "NAME:LINE: message" error; config_free is always
 * safe afterwards. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    config_t c;
    char err[1024];
    err[0] = '\0';
    int rc = config_load_string(&c, "fuzz.yaml", (const char *)data, size, err, sizeof(err));
    if (rc != 0 && strncmp(err, "fuzz.yaml:", 10) != 0) {
        fprintf(stderr, "error without FILE:LINE: \"%s\"\n", err);
        abort();
    }
    if (rc == 0) {
        /* what was accepted is usable */
        if (c.nlisten == 0 || c.listen == NULL || c.public_url == NULL || c.data_dir == NULL || c.threads < 0 ||
            c.threads > 256)
            abort();
        for (size_t i = 0; i < c.nrules; i++) {
            const quarantine_rule_t *r = &c.rules[i];
            if (r->pattern == NULL || r->text == NULL || (r->min_age >= 0) + r->allow + r->deny != 1 ||
                (r->allow && r->version == NULL))
                abort();
        }
    }
    config_free(&c);
    return 0;
}
