/* range: what a client that asks for a range of a package gets through
 * cordon now (the MCP tool check_package with a range) — the version it
 * resolves to, the highest inside the range that cordon serves, and every
 * newer one inside it that cordon holds, each with its verdict as GET
 * /-/api/verdict gives it. The listing cordon lacks is fetched first
 * (fetch.lockfile_deadline); nothing is stored but that metadata. Blocks
 * its thread while it fetches: call it from a worker. */
#ifndef CORDON_RANGE_H
#define CORDON_RANGE_H

#include <stddef.h>

#include "core/config.h"
#include "review/lockfiles.h"

/* versions judged at most, newest first: a range whose newest
 * RANGE_JUDGED_MAX are all held says so (truncated) */
#define RANGE_JUDGED_MAX 25

typedef struct range_version {
    char *version;
    lockfile_judged_t v;
} range_version_t;

typedef struct range_result {
    size_t satisfying;      /* versions upstream lists inside the range */
    range_version_t *held;  /* inside, newer than pick, not served now (newest first) */
    size_t nheld;
    range_version_t pick;   /* pick.version NULL: none of those judged is served */
    int truncated;          /* RANGE_JUDGED_MAX were judged and none served */
    char *error;            /* not NULL: nothing was judged (the spec, the listing, upstream) */
} range_result_t;

/* 0 and out (free with range_result_free), -1 out of memory */
int range_resolve(const config_t *cfg, eco_id_t eco, const char *package, const char *spec, range_result_t *out);
/* the same for every release upstream lists before version (by the
 * ecosystem's order): pick is the version a client had before it, the
 * newest older release cordon serves now (the version view's diff) */
int range_resolve_below(const config_t *cfg, eco_id_t eco, const char *package, const char *version,
                        range_result_t *out);
void range_result_free(range_result_t *r);

#endif
