/* attested: DB_ATTESTED's records (see attested.h): the key is the version
 * key, the value the repository's bytes. */
#include "intel/attested.h"

#include <stdio.h>
#include <string.h>

#include "store/record.h"
#include "store/store.h"

typedef struct put {
    const char *key;
    size_t klen;
    const char *repository;
} put_t;

static int put_txn(MDB_txn *txn, void *arg)
{
    put_t *p = arg;
    MDB_val k = {p->klen, (void *)p->key}, v = {strlen(p->repository), (void *)p->repository};
    return mdb_put(txn, store_dbi(DB_ATTESTED), &k, &v, 0);
}

int attested_put(eco_id_t eco, const char *package, const char *version, const char *repository, char *err,
                 size_t errlen)
{
    char key[1024];
    size_t klen = version_key(key, sizeof(key), eco_name(eco), package, version);
    size_t rlen = strlen(repository);
    if (klen == 0 || rlen == 0 || rlen >= ATTESTED_REPO_MAX) {
        snprintf(err, errlen, "no repository to record, or one longer than %d bytes", ATTESTED_REPO_MAX - 1);
        return -1;
    }
    put_t p = {key, klen, repository};
    return store_write(put_txn, &p, err, errlen) == STORE_OK ? 0 : -1;
}

int attested_get(MDB_txn *txn, eco_id_t eco, const char *package, const char *version, char *out, size_t outlen)
{
    char key[1024];
    size_t klen = version_key(key, sizeof(key), eco_name(eco), package, version);
    MDB_val k = {klen, key}, v;
    if (klen == 0 || mdb_get(txn, store_dbi(DB_ATTESTED), &k, &v) != 0 || v.mv_size >= outlen)
        return 0;
    memcpy(out, v.mv_data, v.mv_size);
    out[v.mv_size] = '\0';
    return 1;
}
