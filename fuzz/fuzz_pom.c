/* fuzz_pom: a POM as upstream might send it, read by analysis/pom.c.
 * Beyond "no crash, no leak": a refusal says why; the facts are consistent
 * (a first tag exactly when a repositories element was counted, a URL only
 * with a tag, every string terminated and free of control bytes); and the
 * same bytes read twice give the same answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/maven/pom.h"

static int terminated(const char *s, size_t n) { return memchr(s, '\0', n) != NULL; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pom_facts_t a, b;
    char ea[200] = "", eb[200] = "";
    int ra = pom_read((const char *)data, size, &a, ea, sizeof(ea));
    int rb = pom_read((const char *)data, size, &b, eb, sizeof(eb));
    if (ra != rb || (ra == 0 ? 0 : (ea[0] == '\0' || strcmp(ea, eb) != 0)))
        abort();
    if (!terminated(a.first_tag, sizeof(a.first_tag)) || !terminated(a.first_url, sizeof(a.first_url)) ||
        !terminated(ea, sizeof(ea)))
        abort();
    if (ra == 0) {
        int any = a.repositories + a.plugin_repositories > 0;
        if (any != (a.first_tag[0] != '\0') || (a.first_url[0] && !a.first_tag[0]) ||
            memcmp(&a, &b, sizeof(a)) != 0)
            abort();
        if (a.first_tag[0] && strcmp(a.first_tag, "repositories") != 0 && strcmp(a.first_tag, "pluginRepositories") != 0)
            abort();
        for (const char *c = a.first_url; *c; c++)
            if ((unsigned char)*c < 0x20)
                abort();
    }
    return 0;
}
