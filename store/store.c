/* store: LMDB environment ownership. A process-wide rwlock is held shared by
 * every transaction and exclusively while the map is resized, because LMDB
 * only allows mdb_env_set_mapsize when this process has no transaction open.
 * The environment's directory is 0700 and its files 0600. */
#include "store/store.h"
#include "store/record.h"
#include "common/log.h"

#include "common/fsutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define MAX_MAP_SIZE (1LL << 40)

static MDB_env *g_env;
static MDB_dbi g_dbi[DB_COUNT];
static pthread_rwlock_t g_resize_lock = PTHREAD_RWLOCK_INITIALIZER;
static const char *const DB_NAMES[DB_COUNT] = {"versions", "decisions", "blobs", "meta", "state",
                                                    "reviews",  "held",      "tokens", "requests",
                                                    "findings", "served",    "lockfiles", "packages",
                                                    "removed",  "attested",  "contents"};

/* the store is for cordon's user alone: directories 0700, files 0600, also
 * for a store an older version made (or a loose umask); says what it could
 * not change */
static void restrict_mode(const char *p, mode_t want)
{
    struct stat st;
    if (stat(p, &st) != 0 || (st.st_mode & 07777) == want)
        return;
    if (chmod(p, want) != 0)
    {
        char msg[4200];
        snprintf(msg, sizeof(msg), "cannot make %s mode %o: %s", p, (unsigned)want, strerror(errno));
        log_event(LOG_WARN, msg, NULL);
    }
}

static void restrict_modes(const char *data_dir, const char *lmdb)
{
    char p[4200];
    restrict_mode(data_dir, 0700);
    restrict_mode(lmdb, 0700);
    snprintf(p, sizeof(p), "%s/data.mdb", lmdb);
    restrict_mode(p, 0600);
    snprintf(p, sizeof(p), "%s/lock.mdb", lmdb);
    restrict_mode(p, 0600);
}

int store_open(const char *data_dir, int64_t map_size, int readonly, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/lmdb", data_dir);
    if (!readonly && mkdir_p(path, 0700) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = mdb_env_create(&g_env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(g_env, 32);
    if (rc == 0)
        rc = mdb_env_set_maxreaders(g_env, 512);
    if (rc == 0)
        rc = mdb_env_set_mapsize(g_env, (size_t)map_size);
    if (rc == 0)
        rc = mdb_env_open(g_env, path, MDB_NOTLS | (readonly ? MDB_RDONLY : 0), 0600);
    if (rc != 0) {
        snprintf(err, errlen, "cannot open the store at %s: %s", path, mdb_strerror(rc));
        if (g_env)
            mdb_env_close(g_env);
        g_env = NULL;
        return -1;
    }
    /* adopt a larger map another process may have set */
    mdb_env_set_mapsize(g_env, 0);
    if (!readonly)
        restrict_modes(data_dir, path);
    MDB_txn *txn;
    rc = mdb_txn_begin(g_env, NULL, readonly ? MDB_RDONLY : 0, &txn);
    for (int i = 0; rc == 0 && i < DB_COUNT; i++)
        rc = mdb_dbi_open(txn, DB_NAMES[i], readonly ? 0 : MDB_CREATE, &g_dbi[i]);
    if (rc == 0)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    if (rc != 0) {
        snprintf(err, errlen, "cannot open the store's databases at %s: %s%s", path, mdb_strerror(rc),
                 readonly && rc == MDB_NOTFOUND ? " (has a server run on this data directory yet?)" : "");
        mdb_env_close(g_env);
        g_env = NULL;
        return -1;
    }
    return 0;
}

void store_close(void)
{
    if (g_env) {
        mdb_env_sync(g_env, 1);
        mdb_env_close(g_env);
        g_env = NULL;
    }
}

int store_is_open(void) { return g_env != NULL; }

int store_copy(const char *dir, char *err, size_t errlen)
{
    if (g_env == NULL) {
        snprintf(err, errlen, "the store is not open");
        return -1;
    }
    /* a read transaction's snapshot, free pages left out; writers go on */
    int rc = mdb_env_copy2(g_env, dir, MDB_CP_COMPACT);
    if (rc != 0) {
        snprintf(err, errlen, "cannot copy the store into %s: %s", dir, mdb_strerror(rc));
        return -1;
    }
    return 0;
}

int store_exists(const char *data_dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/lmdb/data.mdb", data_dir);
    return access(path, F_OK) == 0;
}

MDB_dbi store_dbi(store_db_t db) { return g_dbi[db]; }

int store_next_id(MDB_txn *txn, store_db_t db, uint64_t *id)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, g_dbi[db], &c);
    if (rc)
        return rc;
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    mdb_cursor_close(c);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    *id = rc == 0 ? u64_from_key(k.mv_data, k.mv_size) + 1 : 1;
    return 0;
}

static int begin(unsigned flags, MDB_txn **txn)
{
    pthread_rwlock_rdlock(&g_resize_lock);
    int rc = mdb_txn_begin(g_env, NULL, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        /* another process grew the map: adopt its size (needs the exclusive lock) */
        pthread_rwlock_unlock(&g_resize_lock);
        pthread_rwlock_wrlock(&g_resize_lock);
        mdb_env_set_mapsize(g_env, 0);
        pthread_rwlock_unlock(&g_resize_lock);
        pthread_rwlock_rdlock(&g_resize_lock);
        rc = mdb_txn_begin(g_env, NULL, flags, txn);
    }
    if (rc != 0)
        pthread_rwlock_unlock(&g_resize_lock);
    return rc;
}

int store_read_begin(MDB_txn **txn)
{
    if (g_env == NULL)
        return EINVAL;
    return begin(MDB_RDONLY, txn);
}

void store_read_end(MDB_txn *txn)
{
    if (txn == NULL)
        return;
    mdb_txn_abort(txn);
    pthread_rwlock_unlock(&g_resize_lock);
}

int store_cursor_begin(store_db_t db, MDB_txn **txn, MDB_cursor **cursor)
{
    if (store_read_begin(txn) != 0)
        return -1;
    if (mdb_cursor_open(*txn, g_dbi[db], cursor) != 0) {
        store_read_end(*txn);
        return -1;
    }
    return 0;
}

void store_cursor_end(MDB_txn *txn, MDB_cursor *cursor)
{
    mdb_cursor_close(cursor);
    store_read_end(txn);
}

static _Atomic uint64_t g_grown;

/* the map's size and the bytes its pages use now */
static void map_use(int64_t *map_bytes, int64_t *used_bytes)
{
    MDB_envinfo info;
    MDB_stat st;
    mdb_env_info(g_env, &info);
    mdb_env_stat(g_env, &st);
    *map_bytes = (int64_t)info.me_mapsize;
    *used_bytes = (int64_t)(info.me_last_pgno + 1) * (int64_t)st.ms_psize;
}

static int grow(void)
{
    pthread_rwlock_wrlock(&g_resize_lock);
    MDB_envinfo info;
    mdb_env_info(g_env, &info);
    int rc = EINVAL;
    if ((int64_t)info.me_mapsize < MAX_MAP_SIZE)
        rc = mdb_env_set_mapsize(g_env, info.me_mapsize * 2);
    pthread_rwlock_unlock(&g_resize_lock);
    if (rc == 0)
        g_grown++;
    return rc;
}

/* after a commit: a map STORE_GROW_AT percent used grows now, with a
 * warning, so that the writes after it do not meet MDB_MAP_FULL */
static void grow_if_nearly_full(void)
{
    int64_t map, used;
    pthread_rwlock_rdlock(&g_resize_lock);
    map_use(&map, &used);
    pthread_rwlock_unlock(&g_resize_lock);
    if (map <= 0 || used * 100 < map * STORE_GROW_AT)
        return;
    char m[32], u[32];
    snprintf(m, sizeof(m), "%lld", (long long)map);
    snprintf(u, sizeof(u), "%lld", (long long)used);
    if (grow() == 0) {
        char g[32];
        pthread_rwlock_rdlock(&g_resize_lock);
        map_use(&map, &used);
        pthread_rwlock_unlock(&g_resize_lock);
        snprintf(g, sizeof(g), "%lld", (long long)map);
        log_kv(LOG_WARN, "the store's map was 90% used: grown", "used_bytes", u, "map_bytes", m, "grown_to", g, NULL);
    } else {
        log_kv(LOG_WARN, "the store's map is 90% used and cannot grow further", "used_bytes", u, "map_bytes", m, NULL);
    }
}

int store_usage(store_usage_t *out)
{
    memset(out, 0, sizeof(*out));
    if (g_env == NULL)
        return -1;
    pthread_rwlock_rdlock(&g_resize_lock);
    map_use(&out->map_bytes, &out->used_bytes);
    pthread_rwlock_unlock(&g_resize_lock);
    out->grown = g_grown;
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_BLOBS, &txn, &c) != 0)
        return 0;
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        blob_rec_t b;
        if (blob_rec_decode(v.mv_data, v.mv_size, &b) != 0)
            continue;
        out->artifacts++;
        out->artifact_bytes += b.size;
        blob_rec_free(&b);
    }
    store_cursor_end(txn, c);
    return 0;
}

store_rc_t store_write(store_write_fn fn, void *arg, char *err, size_t errlen)
{
    if (g_env == NULL) {
        snprintf(err, errlen, "the store is not open");
        return STORE_ERROR;
    }
    for (int attempt = 0; attempt < 8; attempt++) {
        MDB_txn *txn;
        int rc = begin(0, &txn);
        if (rc != 0) {
            snprintf(err, errlen, "store: cannot begin a write: %s", mdb_strerror(rc));
            return STORE_ERROR;
        }
        rc = fn(txn, arg);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
        pthread_rwlock_unlock(&g_resize_lock);
        if (rc == 0) {
            grow_if_nearly_full();
            return STORE_OK;
        }
        if (rc == MDB_MAP_FULL && grow() == 0)
            continue;
        snprintf(err, errlen, "store write failed: %s", mdb_strerror(rc));
        return (rc == MDB_MAP_FULL || rc == ENOSPC) ? STORE_FULL : STORE_ERROR;
    }
    snprintf(err, errlen, "store write failed: the map is full");
    return STORE_FULL;
}

store_rc_t store_get_copy(store_db_t db, const void *key, size_t klen, void **val, size_t *vlen)
{
    MDB_txn *txn;
    if (store_read_begin(&txn) != 0)
        return STORE_ERROR;
    MDB_val k = {klen, (void *)key}, v;
    int rc = mdb_get(txn, g_dbi[db], &k, &v);
    store_rc_t out = STORE_NOTFOUND;
    if (rc == 0) {
        *val = malloc(v.mv_size + 1);
        if (*val) {
            memcpy(*val, v.mv_data, v.mv_size);
            ((char *)*val)[v.mv_size] = '\0';
            *vlen = v.mv_size;
            out = STORE_OK;
        } else {
            out = STORE_ERROR;
        }
    } else if (rc != MDB_NOTFOUND) {
        out = STORE_ERROR;
    }
    store_read_end(txn);
    return out;
}

uint64_t store_generation(void)
{
    MDB_txn *txn;
    if (!store_is_open() || store_read_begin(&txn) != 0)
        return 0;
    uint64_t g = (uint64_t)mdb_txn_id(txn);
    store_read_end(txn);
    return g;
}

uint64_t store_txn_generation(MDB_txn *txn) { return (uint64_t)mdb_txn_id(txn); }
