/* established: a package's own history against a look-alike name (see
 * established.h). Pure but for scope_established's walk over DB_PACKAGES. */
#include "analysis/established.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "common/timeutil.h"

/* a scope walk stops after this many packages: enough to find the peers
 * of any real organisation, bounded for a scope with thousands */
#define SCOPE_WALK_MAX 2000

int package_established(const package_rec_t *r, int64_t now, char *why, size_t whylen, int64_t *until)
{
    if (why && whylen)
        why[0] = '\0';
    if (until)
        *until = TIME_NONE;
    if (r == NULL || r->first_published == TIME_NONE)
        return 0;
    char first[40];
    time_format_iso8601(r->first_published, first, sizeof(first), 0);
    first[10] = '\0'; /* the date is enough */
    if (now - r->first_published >= ESTABLISHED_AGE) {
        if (why && whylen)
            snprintf(why, whylen, "first published %s, %lld version%s", first, (long long)r->nversions,
                     r->nversions == 1 ? "" : "s");
        return 1;
    }
    if (r->nversions >= ESTABLISHED_VERSIONS && r->last_published != TIME_NONE &&
        r->last_published - r->first_published >= ESTABLISHED_SPAN) {
        if (why && whylen)
            snprintf(why, whylen, "%lld versions published since %s", (long long)r->nversions, first);
        return 1;
    }
    if (until)
        *until = r->first_published + ESTABLISHED_AGE;
    return 0;
}

int scope_established(MDB_txn *txn, eco_id_t eco, const char *name, int64_t now)
{
    const char *slash = name[0] == '@' ? strchr(name, '/') : NULL;
    if (txn == NULL || slash == NULL)
        return 0;
    char prefix[600];
    size_t plen = package_key(prefix, sizeof(prefix), eco_name(eco), "");
    size_t slen = (size_t)(slash - name) + 1; /* "@s/" */
    if (plen == 0 || plen + slen >= sizeof(prefix))
        return 0;
    memcpy(prefix + plen, name, slen);
    plen += slen;
    MDB_cursor *c;
    if (mdb_cursor_open(txn, store_dbi(DB_PACKAGES), &c) != 0)
        return 0;
    size_t self = strlen(eco_name(eco)) + 1 + strlen(name);
    int peers = 0, walked = 0;
    MDB_val k = {plen, prefix}, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
         rc == 0 && peers < ESTABLISHED_SCOPE_PEERS && walked < SCOPE_WALK_MAX;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), walked++) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        if (k.mv_size == self && memcmp((const char *)k.mv_data + 4, name, strlen(name)) == 0)
            continue; /* the candidate is not its own peer */
        package_rec_t r;
        if (package_rec_decode(v.mv_data, v.mv_size, &r) == 0 && package_established(&r, now, NULL, 0, NULL))
            peers++;
    }
    mdb_cursor_close(c);
    return peers >= ESTABLISHED_SCOPE_PEERS;
}
