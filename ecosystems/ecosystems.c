/* ecosystems: the table of ecosystem implementations, and the lookups by
 * id and by name that layers above core use (core/eco.h). */
#include "core/ecosystem.h"

#include <stdio.h>
#include <string.h>

#include "core/lockfile.h"
#include "ecosystems/eco_ids.h"

const ecosystem_t *const ecosystems[ECO_COUNT] = {
    [ECO_NPM] = &npm_ecosystem,
    [ECO_PYPI] = &pypi_ecosystem,
    [ECO_MAVEN] = &maven_ecosystem,
};

_Static_assert(ECO_MAVEN + 1 == ECO_COUNT, "core/eco.h's ECO_COUNT is the number of ecosystems");
_Static_assert(LOCK_MAVEN + 1 == LOCK_FORMAT_COUNT, "core/lockfile.h's LOCK_FORMAT_COUNT is 1 + the formats");

const char *eco_name(eco_id_t id) { return id < ECO_COUNT && ecosystems[id] ? ecosystems[id]->name : "?"; }

const char *eco_names_join(char *out, size_t outlen, const char *after, const char *last_sep)
{
    size_t o = 0, n = 0;
    out[0] = '\0';
    for (eco_id_t i = 0; i < ECO_COUNT; i++)
        n += ecosystems[i] != NULL;
    for (eco_id_t i = 0, k = 0; i < ECO_COUNT && o < outlen; i++) {
        if (ecosystems[i] == NULL)
            continue;
        const char *sep = k == 0 ? "" : k + 1 == n ? last_sep : ", ";
        o += (size_t)snprintf(out + o, outlen - o, "%s%s%s", sep, ecosystems[i]->name, after);
        k++;
    }
    return out;
}

void eco_fold_name(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c == '_' || c == '.' || c == '-') {
            if (w == s || w[-1] != '-')
                *w++ = '-';
        } else {
            *w++ = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        }
    }
    *w = '\0';
}

int eco_from_name(const char *s, size_t n)
{
    for (eco_id_t i = 0; i < ECO_COUNT; i++)
        if (ecosystems[i] && strlen(ecosystems[i]->name) == n && memcmp(ecosystems[i]->name, s, n) == 0)
            return (int)i;
    return -1;
}
