/* chain_scan: a filtered page of the chain (see chain_scan.h). */
#include "journal/chain_scan.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/timeutil.h"
#include "store/record.h"
#include "store/store.h"

/* a string member of a record, or "" */
static const char *member(yajl_val rec, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(rec, path, yajl_t_string);
    const char *s = v ? YAJL_GET_STRING(v) : NULL;
    return s ? s : "";
}

static int field_is(yajl_val rec, const char *key, const char *want)
{
    return want == NULL || !want[0] || strcmp(member(rec, key), want) == 0;
}

/* 1 keep, 0 skip, -1 older than f->since: stop */
static int keeps(const chain_filter_t *f, yajl_val rec)
{
    const char *type = member(rec, "type"), *when = member(rec, "time");
    if (!type[0])
        type = "decision"; /* records from before the chain had other types */
    int64_t t = when[0] ? time_parse_iso8601(when, strlen(when)) : TIME_NONE;
    if (f->since != TIME_NONE && t != TIME_NONE && t < f->since)
        return -1;
    return (!f->only_decisions || strcmp(type, "decision") == 0) &&
           (!f->type || !f->type[0] || !strcmp(type, f->type)) &&
           field_is(rec, "ecosystem", f->ecosystem) && field_is(rec, "package", f->package) &&
           field_is(rec, "version", f->version) && field_is(rec, "decision", f->decision) &&
           field_is(rec, "request_id", f->request_id);
}

int chain_scan(const chain_filter_t *f, chain_visit_fn visit, void *arg, chain_page_t *out)
{
    memset(out, 0, sizeof(*out));
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_DECISIONS, &txn, &c) != 0)
        return -1;
    MDB_val k, v;
    int rc;
    if (f->before) {
        unsigned char key[8];
        u64_key(f->before, key);
        k.mv_size = 8;
        k.mv_data = key;
        rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
    } else {
        rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    }
    long scanned = 0;
    uint64_t last_seq = 0;
    char *text = NULL; /* the record NUL-terminated, for the parser */
    size_t textcap = 0;
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
        uint64_t seq = u64_from_key(k.mv_data, k.mv_size);
        if (out->n >= f->limit || scanned >= f->scan_max) {
            out->more = 1;
            break;
        }
        scanned++;
        last_seq = seq;
        /* one request id among many records: skip the parse of the rest */
        if (f->request_id && f->request_id[0] && !memmem(v.mv_data, v.mv_size, f->request_id, strlen(f->request_id)))
            continue;
        if (v.mv_size + 1 > textcap) {
            textcap = v.mv_size + 1;
            char *nt = realloc(text, textcap);
            if (nt == NULL)
                break;
            text = nt;
        }
        memcpy(text, v.mv_data, v.mv_size);
        text[v.mv_size] = '\0';
        yajl_val rec = yajl_tree_parse(text, NULL, 0);
        if (rec == NULL)
            continue;
        int keep = keeps(f, rec);
        yajl_tree_free(rec);
        if (keep < 0)
            break; /* the chain is in time order: nothing older matches */
        if (keep)
            visit(arg, out->n++, v.mv_data, v.mv_size);
    }
    free(text);
    store_cursor_end(txn, c);
    out->next_before = last_seq;
    return 0;
}
