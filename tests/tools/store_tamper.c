/* store_tamper: rewrite one record of cordon's audit chain in place, so that
 * an integration test (tests/integration/admin_test.sh) can prove that
 * `cordon audit verify` and GET /-/api/audit/verify notice.  Test-only; it
 * talks raw LMDB and shares no code with cordon.
 *
 *   store_tamper DATA_DIR SEQ FROM TO
 *
 * Opens the LMDB environment DATA_DIR/lmdb (MDB_NOTLS, 16 named databases:
 * safe while a server has it open), finds the record of the "decisions"
 * database whose key is SEQ as 8 big-endian bytes, replaces the first
 * occurrence of FROM in its value with TO (any length, may be empty) and
 * commits.  Running it again with FROM and TO swapped restores the bytes.
 *
 * Exit: 0 rewritten; 1 no such record, FROM not in it, or an LMDB error;
 * 2 usage. */
#include <errno.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: store_tamper DATA_DIR SEQ FROM TO\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 5)
        return usage();
    char *end;
    errno = 0;
    unsigned long long seq = strtoull(argv[2], &end, 10);
    if (errno != 0 || end == argv[2] || *end != '\0' || argv[3][0] == '\0')
        return usage();
    const char *from = argv[3], *to = argv[4];
    size_t flen = strlen(from), tlen = strlen(to);

    char path[4096];
    snprintf(path, sizeof(path), "%s/lmdb", argv[1]);
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    int rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(env, 16);
    if (rc == 0)
        rc = mdb_env_open(env, path, MDB_NOTLS, 0644);
    if (rc == 0)
        rc = mdb_env_set_mapsize(env, 0); /* adopt the size the server set */
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc == 0)
        rc = mdb_dbi_open(txn, "decisions", 0, &dbi);
    if (rc != 0) {
        fprintf(stderr, "store_tamper: %s: %s\n", path, mdb_strerror(rc));
        if (txn)
            mdb_txn_abort(txn);
        if (env)
            mdb_env_close(env);
        return 1;
    }

    unsigned char kb[8];
    for (int i = 0; i < 8; i++)
        kb[i] = (unsigned char)(seq >> (56 - 8 * i));
    MDB_val key = {sizeof(kb), kb}, val;
    int status = 1;
    char *nv = NULL;
    rc = mdb_get(txn, dbi, &key, &val);
    if (rc != 0) {
        fprintf(stderr, "store_tamper: record %llu: %s\n", seq, mdb_strerror(rc));
        goto out;
    }
    const char *data = val.mv_data;
    const char *at = memmem(data, val.mv_size, from, flen);
    if (at == NULL) {
        fprintf(stderr, "store_tamper: record %llu does not contain %s\n", seq, from);
        goto out;
    }
    size_t off = (size_t)(at - data), nlen = val.mv_size - flen + tlen;
    nv = malloc(nlen + 1);
    if (nv == NULL) {
        fprintf(stderr, "store_tamper: out of memory\n");
        goto out;
    }
    memcpy(nv, data, off);
    memcpy(nv + off, to, tlen);
    memcpy(nv + off + tlen, data + off + flen, val.mv_size - off - flen);
    MDB_val nval = {nlen, nv};
    rc = mdb_put(txn, dbi, &key, &nval, 0);
    if (rc == 0) {
        rc = mdb_txn_commit(txn); /* frees the transaction, committed or not */
        txn = NULL;
    }
    if (rc != 0) {
        fprintf(stderr, "store_tamper: writing record %llu: %s\n", seq, mdb_strerror(rc));
        goto out;
    }
    printf("record %llu: replaced %s with %s (%zu -> %zu bytes)\n", seq, from, to, val.mv_size, nlen);
    status = 0;
out:
    if (txn)
        mdb_txn_abort(txn);
    free(nv);
    mdb_env_close(env);
    return status;
}
