/* fuzz_osv: an OSV record as a feed might carry it, read by intel/osv.c.
 * Beyond "no crash, no leak": a refusal says why and leaves the record
 * empty; the same bytes read twice give the same answer; a record read has
 * an id and, per affected package, an ecosystem and a name; and its ranges
 * evaluate under every ecosystem's version order without harm. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ecosystem.h"
#include "intel/osv.h"

static const char *const VERSIONS[] = {"0", "1.0.0", "1.0", "1.2.4-rc.1", "2.0.post1", "1.0-SNAPSHOT", "", "x"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    osv_record_t a, b;
    char ea[300] = "", eb[300] = "";
    int ra = osv_parse((const char *)data, size, &a, ea, sizeof(ea));
    int rb = osv_parse((const char *)data, size, &b, eb, sizeof(eb));
    if (ra != rb || (ra != 0 && (ea[0] == '\0' || strcmp(ea, eb) != 0)))
        abort();
    if (ra != 0) {
        if (a.id != NULL || a.affected != NULL || a.naffected != 0)
            abort();
        return 0;
    }
    if (a.id == NULL || a.id[0] == '\0' || strcmp(a.id, b.id) != 0 || a.summary == NULL ||
        a.naffected != b.naffected)
        abort();
    for (size_t i = 0; i < a.naffected; i++) {
        const osv_affected_t *x = &a.affected[i];
        if (x->ecosystem == NULL || x->name == NULL || x->name[0] == '\0')
            abort();
        for (int e = 0; e < ECO_COUNT; e++) {
            if (ecosystems[e] == NULL || ecosystems[e]->version_compare == NULL)
                continue;
            for (size_t v = 0; v < sizeof(VERSIONS) / sizeof(VERSIONS[0]); v++) {
                int has = osv_affected_has(x, VERSIONS[v], ecosystems[e]->version_compare);
                int fixed = osv_affected_fixed_in(x, VERSIONS[v], ecosystems[e]->version_compare);
                if ((has != 0 && has != 1) || (fixed != 0 && fixed != 1) ||
                    has != osv_affected_has(&b.affected[i], VERSIONS[v], ecosystems[e]->version_compare))
                    abort();
            }
            for (size_t j = 0; j < x->nversions; j++) /* a listed version is affected */
                if (!osv_affected_has(x, x->versions[j], ecosystems[e]->version_compare))
                    abort();
        }
    }
    osv_record_free(&a);
    osv_record_free(&b);
    return 0;
}
