/* ecosystems: the table of ecosystem implementations, and the lookups by
 * id and by name that layers above core use (core/eco.h). */
#include "core/ecosystem.h"

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

int eco_from_name(const char *s, size_t n)
{
    for (eco_id_t i = 0; i < ECO_COUNT; i++)
        if (ecosystems[i] && strlen(ecosystems[i]->name) == n && memcmp(ecosystems[i]->name, s, n) == 0)
            return (int)i;
    return -1;
}
