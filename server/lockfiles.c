/* lockfiles: diff, verdicts, storage (see lockfiles.h).
 *
 * DB_LOCKFILES value: 'L', time, ref, format, accepted, ok, the report
 * (JSON, as answered), then the snapshot: n, and per entry ecosystem,
 * package, version, integrity, resolved, flags (1 direct, 2 dev). The
 * accepted base of a project is DB_STATE "lockbase:<project>" → id. */
#include "server/lockfiles.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "cache/record.h"
#include "cache/store.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "ecosystems/ecosystem.h"
#include "server/approvals.h"
#include "server/audit.h"
#include "server/denial.h"
#include "server/policy.h"

enum { FMT_LOCK = 'L' };

int lockfiles_project_valid(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > 200 || p[0] == '/' || p[n - 1] == '/')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)p[i]) && !strchr("._~@/-", p[i]))
            return 0;
    return strstr(p, "..") == NULL;
}

static size_t sub_key(char *out, size_t outlen, const char *project, uint64_t id)
{
    size_t n = strlen(project);
    if (n + 9 > outlen)
        return 0;
    memcpy(out, project, n);
    out[n] = '\0';
    audit_u64_key(id, (unsigned char *)out + n + 1);
    return n + 9;
}

static size_t base_key(char *out, size_t outlen, const char *project)
{
    return (size_t)snprintf(out, outlen, "lockbase:%s", project);
}

/* ---- the stored snapshot ---- */

typedef struct stored {
    int64_t time;
    char *ref, *format, *report;
    int accepted, ok;
    lockfile_t snap;
} stored_t;

static void stored_free(stored_t *s)
{
    free(s->ref);
    free(s->format);
    free(s->report);
    lockfile_free(&s->snap);
    memset(s, 0, sizeof(*s));
}

static void encode(const stored_t *s, buf_t *b)
{
    buf_putc(b, (char)FMT_LOCK);
    rec_put_i64(b, s->time);
    rec_put_str(b, s->ref);
    rec_put_str(b, s->format);
    rec_put_i64(b, s->accepted);
    rec_put_i64(b, s->ok);
    rec_put_str(b, s->report);
    rec_put_i64(b, (int64_t)s->snap.n);
    for (size_t i = 0; i < s->snap.n; i++) {
        const lock_entry_t *e = &s->snap.entries[i];
        rec_put_i64(b, e->eco);
        rec_put_str(b, e->package);
        rec_put_str(b, e->version);
        rec_put_str(b, e->integrity);
        rec_put_str(b, e->resolved);
        rec_put_i64(b, (e->direct ? 1 : 0) | (e->dev ? 2 : 0));
    }
}

/* with_snapshot 0: the header and report only */
static int decode(const void *p, size_t n, int with_snapshot, stored_t *s)
{
    memset(s, 0, sizeof(*s));
    rec_reader_t r;
    rec_reader_init(&r, p, n);
    if (n < 1 || r.p[0] != FMT_LOCK)
        return -1;
    r.p++;
    s->time = rec_get_i64(&r);
    s->ref = rec_get_str(&r);
    s->format = rec_get_str(&r);
    s->accepted = (int)rec_get_i64(&r);
    s->ok = (int)rec_get_i64(&r);
    s->report = rec_get_str(&r);
    int64_t cnt = rec_get_i64(&r);
    if (r.err || cnt < 0 || cnt > 10000000) {
        stored_free(s);
        return -1;
    }
    if (with_snapshot && cnt > 0) {
        s->snap.entries = calloc((size_t)cnt, sizeof(lock_entry_t));
        if (s->snap.entries == NULL) {
            stored_free(s);
            return -1;
        }
        for (int64_t i = 0; i < cnt && !r.err; i++) {
            lock_entry_t *e = &s->snap.entries[s->snap.n++];
            int64_t eco = rec_get_i64(&r);
            e->eco = eco >= 0 && eco < ECO_COUNT ? (eco_id_t)eco : ECO_NPM;
            e->package = rec_get_str(&r);
            e->version = rec_get_str(&r);
            e->integrity = rec_get_str(&r);
            e->resolved = rec_get_str(&r);
            int64_t fl = rec_get_i64(&r);
            e->direct = (fl & 1) != 0;
            e->dev = (fl & 2) != 0;
        }
        if (r.err) {
            stored_free(s);
            return -1;
        }
    }
    return 0;
}

static int load(MDB_txn *txn, const char *project, uint64_t id, int with_snapshot, stored_t *s)
{
    char key[300];
    size_t klen = sub_key(key, sizeof(key), project, id);
    MDB_val k = {klen, key}, v;
    if (klen == 0 || mdb_get(txn, store_dbi(DB_LOCKFILES), &k, &v) != 0)
        return -1;
    return decode(v.mv_data, v.mv_size, with_snapshot, s);
}

static uint64_t base_of(MDB_txn *txn, const char *project)
{
    char key[300];
    size_t klen = base_key(key, sizeof(key), project);
    MDB_val k = {klen, key}, v;
    if (mdb_get(txn, store_dbi(DB_STATE), &k, &v) != 0 || v.mv_size != 8)
        return 0;
    return audit_u64_from_key(v.mv_data, 8);
}

/* ---- judging ---- */

typedef enum { CH_ADDED, CH_REMOVED, CH_UPGRADED, CH_DOWNGRADED, CH_INTEGRITY, CH_RESOLVED } change_t;
static const char *const CHANGE_NAMES[] = {"added",      "removed",           "upgraded",
                                           "downgraded", "integrity_changed", "resolved_changed"};

typedef struct counts {
    size_t added, removed, upgraded, downgraded, integrity_changed, allowed, held, unknown, elsewhere;
} counts_t;

static int url_is_ours(const config_t *cfg, eco_id_t eco, const char *url, size_t n)
{
    size_t pl = strlen(cfg->public_url);
    if (n >= pl && strncmp(url, cfg->public_url, pl) == 0 && (n == pl || url[pl] == '/'))
        return 1;
    const char *up = cfg->upstream[eco];
    size_t ul = up ? strlen(up) : 0;
    return up && n >= ul && strncmp(url, up, ul) == 0 && (n == ul || url[ul] == '/');
}

/* resolved may list several URLs (pip: every index and find-links location) */
static int resolved_elsewhere(const config_t *cfg, const lock_entry_t *e)
{
    for (const char *p = e->resolved; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n && !url_is_ours(cfg, e->eco, p, n))
            return 1;
        p += n;
    }
    return 0;
}

/* one judged change as JSON; counts updated; 1 when it is a problem (held,
 * unknown, flagged) */
static int judge(const config_t *cfg, change_t ch, const lock_entry_t *e, const char *from, int64_t now, buf_t *b,
                 counts_t *c)
{
    int problem = ch == CH_INTEGRITY;
    int first = 1;
    buf_putc(b, '{');
    json_kv_str(b, &first, "change", CHANGE_NAMES[ch]);
    json_kv_str(b, &first, "ecosystem", eco_name(e->eco));
    json_kv_str(b, &first, "package", e->package);
    json_kv_str(b, &first, "version", e->version);
    if (from)
        json_kv_str(b, &first, "from_version", from);
    json_kv_int(b, &first, "line", e->line);
    json_kv_bool(b, &first, "direct", e->direct);
    json_kv_bool(b, &first, "dev", e->dev);
    json_kv_str(b, &first, "integrity", e->integrity);
    json_kv_str(b, &first, "resolved", e->resolved);
    json_kv_raw(b, &first, "flags", "[", 1);
    int nflags = 0;
    if (ch == CH_INTEGRITY) {
        buf_puts(b, "\"integrity_changed\"");
        nflags++;
    }
    if (ch != CH_REMOVED && resolved_elsewhere(cfg, e)) {
        buf_puts(b, nflags++ ? ",\"resolved_elsewhere\"" : "\"resolved_elsewhere\"");
        c->elsewhere++;
        problem = 1;
    }
    buf_putc(b, ']');
    if (ch == CH_REMOVED) {
        buf_putc(b, '}');
        return 0;
    }
    const ecosystem_t *eco = ecosystems[e->eco];
    version_facts_t f = {.published_at = TIME_NONE, .first_seen = TIME_NONE};
    findings_t found;
    findings_clear(&found);
    int listed = eco && eco->version_facts ? eco->version_facts(e->package, e->version, &f, &found) : -1;
    if (listed != 1)
        f.published_at = f.first_seen = TIME_NONE;
    f.findings = &found;
    verdict_t vd;
    policy_decide(cfg, e->eco, e->package, e->version, &f, now, &vd);
    /* an unknown version's age would be invented: only reasons that do not
     * depend on it (blocks, name checks, approvals) count */
    int age_only = !vd.allow && (!strcmp(vd.reason, "quarantine") || !strcmp(vd.reason, "missing_timestamp"));
    const char *status = vd.allow ? "allowed" : (listed != 1 && age_only ? "unknown" : "held");
    json_kv_raw(b, &first, "verdict", "{", 1);
    int f2 = 1;
    json_kv_str(b, &f2, "status", status);
    json_kv_bool(b, &f2, "allowed", vd.allow);
    json_kv_str(b, &f2, "reason", !strcmp(status, "unknown") ? "unknown" : vd.reason);
    json_kv_str(b, &f2, "policy", vd.rule);
    buf_t line;
    buf_init(&line);
    if (!strcmp(status, "unknown")) {
        if (listed == 0)
            buf_printf(&line, "%s@%s is not listed upstream (in cordon's copy of %s's metadata)", e->package,
                       e->version, e->package);
        else
            buf_printf(&line,
                       "cordon has not seen %s yet: install the lockfile through cordon once (so it can fetch and "
                       "judge %s@%s), then check again",
                       e->package, e->package, e->version);
        json_kv_str(b, &f2, "error", buf_cstr(&line));
        json_kv_time(b, &f2, "published_at", TIME_NONE);
        json_kv_time(b, &f2, "eligible_at", TIME_NONE);
        c->unknown++;
        problem = 1;
    } else {
        if (!vd.allow) {
            char alt[130];
            int has_alt = eco && eco->alternative && eco->alternative(e->package, e->version, alt, sizeof(alt)) == 0;
            denial_error_line(e->package, e->version, &vd, has_alt ? alt : NULL, &line);
            if (has_alt)
                json_kv_str(b, &f2, "alternative", alt);
            json_kv_str(b, &f2, "error", buf_cstr(&line));
            c->held++;
            problem = 1;
        } else {
            json_kv_raw(b, &f2, "error", "null", 4);
            c->allowed++;
        }
        json_kv_time(b, &f2, "published_at", vd.published_at);
        json_kv_time(b, &f2, "eligible_at", vd.eligible_at);
    }
    buf_free(&line);
    buf_puts(b, "}}");
    return problem;
}

static int same_pkg(const lock_entry_t *a, const lock_entry_t *b)
{
    return a->eco == b->eco && strcmp(a->package, b->package) == 0;
}

static int pkg_cmp(const lock_entry_t *a, const lock_entry_t *b)
{
    if (a->eco != b->eco)
        return a->eco < b->eco ? -1 : 1;
    return strcmp(a->package, b->package);
}

/* Changes listed in a report: every problem, and the others up to a cap
 * (the first submission of a big lockfile is all "added"; listing 100,000
 * allowed entries helps nobody). */
#define LISTED_MAX 2000
#define PROBLEMS_MAX 20000 /* a lockfile of 150,000 unknown entries: the counts say the rest */

typedef struct listing {
    buf_t *out;
    buf_t one;
    size_t listed, omitted;
} listing_t;

static void list_change(listing_t *l, int problem)
{
    if ((problem && l->listed < PROBLEMS_MAX) || l->listed < LISTED_MAX) {
        if (l->listed++)
            buf_putc(l->out, ',');
        buf_append(l->out, l->one.data, l->one.len);
    } else {
        l->omitted++;
    }
    buf_reset(&l->one);
}

/* the changes between base and cur (both sorted by package, version) */
static void diff(const config_t *cfg, const lockfile_t *base, const lockfile_t *cur, int64_t now, listing_t *l,
                 counts_t *c)
{
    size_t i = 0, j = 0;
    buf_t *b = &l->one;
    while (i < base->n || j < cur->n) {
        /* one package at a time: [i, i2) in base, [j, j2) in cur */
        const lock_entry_t *pk = i < base->n && (j >= cur->n || pkg_cmp(&base->entries[i], &cur->entries[j]) <= 0)
                                     ? &base->entries[i]
                                     : &cur->entries[j];
        size_t i2 = i, j2 = j;
        while (i2 < base->n && same_pkg(&base->entries[i2], pk))
            i2++;
        while (j2 < cur->n && same_pkg(&cur->entries[j2], pk))
            j2++;
        /* versions only in base, only in cur, and in both */
        size_t nrem = 0, nadd = 0;
        const lock_entry_t *rem = NULL, *add = NULL;
        for (size_t x = i; x < i2; x++) {
            size_t y;
            for (y = j; y < j2 && strcmp(cur->entries[y].version, base->entries[x].version) != 0; y++)
                ;
            if (y == j2) {
                nrem++;
                rem = &base->entries[x];
            } else if (base->entries[x].integrity[0] && cur->entries[y].integrity[0] &&
                       strcmp(base->entries[x].integrity, cur->entries[y].integrity) != 0) {
                list_change(l, judge(cfg, CH_INTEGRITY, &cur->entries[y], NULL, now, b, c));
                c->integrity_changed++;
            } else if (strcmp(base->entries[x].resolved, cur->entries[y].resolved) != 0 &&
                       resolved_elsewhere(cfg, &cur->entries[y])) {
                /* the same pin now downloaded from somewhere else */
                list_change(l, judge(cfg, CH_RESOLVED, &cur->entries[y], NULL, now, b, c));
            }
        }
        for (size_t y = j; y < j2; y++) {
            size_t x;
            for (x = i; x < i2 && strcmp(base->entries[x].version, cur->entries[y].version) != 0; x++)
                ;
            if (x == i2) {
                nadd++;
                add = &cur->entries[y];
            }
        }
        if (nrem == 1 && nadd == 1) {
            const ecosystem_t *eco = ecosystems[add->eco];
            int cmp = eco && eco->version_compare ? eco->version_compare(add->version, rem->version)
                                                  : strcmp(add->version, rem->version);
            int problem = judge(cfg, cmp >= 0 ? CH_UPGRADED : CH_DOWNGRADED, add, rem->version, now, b, c);
            list_change(l, problem);
            if (cmp >= 0)
                c->upgraded++;
            else
                c->downgraded++;
        } else {
            for (size_t y = j; y < j2 && nadd; y++) {
                size_t x;
                for (x = i; x < i2 && strcmp(base->entries[x].version, cur->entries[y].version) != 0; x++)
                    ;
                if (x == i2) {
                    list_change(l, judge(cfg, CH_ADDED, &cur->entries[y], NULL, now, b, c));
                    c->added++;
                }
            }
            for (size_t x = i; x < i2 && nrem; x++) {
                size_t y;
                for (y = j; y < j2 && strcmp(cur->entries[y].version, base->entries[x].version) != 0; y++)
                    ;
                if (y == j2) {
                    list_change(l, judge(cfg, CH_REMOVED, &base->entries[x], NULL, now, b, c));
                    c->removed++;
                }
            }
        }
        i = i2;
        j = j2;
    }
}

/* ---- storing ---- */

typedef struct put_op {
    const char *project;
    stored_t *s;
    buf_t *report; /* the report without its closing members; finished here once the id is known */
    const char *summary_members;
    const char *body_sha;
    const char *by, *client;
    uint64_t id, base;
} put_op_t;

static int put_txn(MDB_txn *txn, void *arg)
{
    put_op_t *op = arg;
    /* the next id of this project */
    char key[300];
    size_t plen = strlen(op->project) + 1;
    size_t klen = sub_key(key, sizeof(key), op->project, UINT64_MAX);
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, store_dbi(DB_LOCKFILES), &c);
    if (rc)
        return rc;
    MDB_val k = {klen, key}, v;
    op->id = 1;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
    if (rc == 0 && k.mv_size == plen + 8 && memcmp(k.mv_data, key, plen) == 0)
        op->id = audit_u64_from_key((const char *)k.mv_data + plen, 8) + 1;
    mdb_cursor_close(c);
    op->base = base_of(txn, op->project);

    buf_t members;
    buf_init(&members);
    int first = 1;
    json_kv_str(&members, &first, "project", op->project);
    json_kv_int(&members, &first, "submission", (int64_t)op->id);
    json_kv_str(&members, &first, "ref", op->s->ref);
    json_kv_str(&members, &first, "format", op->s->format);
    json_kv_str(&members, &first, "sha256", op->body_sha);
    json_kv_str(&members, &first, "by", op->by);
    json_kv_str(&members, &first, "client", op->client);
    json_kv_bool(&members, &first, "accepted", op->s->accepted);
    buf_printf(&members, ",%s", op->summary_members);
    rc = members.oom ? ENOMEM : audit_append(txn, "lockfile", op->s->time, members.data, members.len, NULL);
    buf_free(&members);
    if (rc)
        return rc;

    /* finish the report: its id and base are known now */
    size_t mark = op->report->len;
    buf_printf(op->report, ",\"submission\":%" PRIu64 ",\"base\":", op->id);
    if (op->base)
        buf_printf(op->report, "%" PRIu64 "}", op->base);
    else
        buf_puts(op->report, "null}");
    free(op->s->report);
    op->s->report = strndup(op->report->data, op->report->len);
    op->report->len = mark; /* a retry after growing the map writes it again */
    if (op->s->report == NULL)
        return ENOMEM;
    buf_t rec;
    buf_init(&rec);
    encode(op->s, &rec);
    sub_key(key, sizeof(key), op->project, op->id);
    MDB_val nk = {klen, key}, nv = {rec.len, rec.data};
    rc = rec.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_LOCKFILES), &nk, &nv, 0);
    buf_free(&rec);
    if (rc == 0 && op->s->accepted) {
        char bk[300];
        unsigned char idk[8];
        audit_u64_key(op->id, idk);
        MDB_val bkv = {base_key(bk, sizeof(bk), op->project), bk}, bv = {8, idk};
        rc = mdb_put(txn, store_dbi(DB_STATE), &bkv, &bv, 0);
    }
    return rc;
}

int lockfiles_check(const config_t *cfg, const lockfile_submit_t *s, buf_t *out, char *err, size_t errlen)
{
    int64_t now = time_now_ms();
    stored_t cur;
    memset(&cur, 0, sizeof(cur));
    char perr[512];
    if (lockfile_parse(s->body, s->len, s->format, &cur.snap, perr, sizeof(perr)) != 0) {
        snprintf(err, errlen, "the lockfile cannot be read: %s", perr);
        return 400;
    }
    /* the base: read now, outside the write (judging reads metadata) */
    stored_t base;
    memset(&base, 0, sizeof(base));
    MDB_txn *txn;
    if (store_read_begin(&txn) == 0) {
        uint64_t bid = base_of(txn, s->project);
        if (bid)
            load(txn, s->project, bid, 1, &base);
        store_read_end(txn);
    }
    counts_t c;
    memset(&c, 0, sizeof(c));
    buf_t changes;
    buf_init(&changes);
    listing_t listing = {.out = &changes};
    buf_init(&listing.one);
    diff(cfg, &base.snap, &cur.snap, now, &listing, &c);
    buf_free(&listing.one);
    stored_free(&base);
    int ok = c.held == 0 && c.unknown == 0 && c.integrity_changed == 0 && c.elsewhere == 0;

    char sha[65];
    sha256_hex(s->len ? s->body : "", s->len, sha);
    buf_t summary;
    buf_init(&summary);
    buf_printf(&summary,
               "\"summary\":{\"entries\":%zu,\"added\":%zu,\"removed\":%zu,\"upgraded\":%zu,\"downgraded\":%zu,"
               "\"integrity_changed\":%zu,\"resolved_elsewhere\":%zu,\"allowed\":%zu,\"held\":%zu,\"unknown\":%zu}",
               cur.snap.n, c.added, c.removed, c.upgraded, c.downgraded, c.integrity_changed, c.elsewhere, c.allowed,
               c.held, c.unknown);

    cur.time = now;
    cur.ref = strdup(s->ref ? s->ref : "");
    cur.format = strdup(lock_format_name(cur.snap.format));
    cur.accepted = ok;
    cur.ok = ok;
    buf_t report;
    buf_init(&report);
    int first = 1;
    buf_putc(&report, '{');
    json_kv_str(&report, &first, "project", s->project);
    json_kv_str(&report, &first, "ref", cur.ref ? cur.ref : "");
    json_kv_str(&report, &first, "format", cur.format ? cur.format : "");
    json_kv_time(&report, &first, "time", now);
    json_kv_str(&report, &first, "sha256", sha);
    json_kv_bool(&report, &first, "ok", ok);
    json_kv_bool(&report, &first, "accepted", ok);
    buf_printf(&report, ",%s,\"changes\":[", buf_cstr(&summary));
    buf_append(&report, changes.data ? changes.data : "", changes.len);
    buf_printf(&report, "],\"changes_omitted\":%zu", listing.omitted);
    buf_free(&changes);

    put_op_t op = {.project = s->project, .s = &cur, .report = &report, .summary_members = buf_cstr(&summary),
                   .body_sha = sha, .by = s->by ? s->by : "", .client = s->client ? s->client : ""};
    int rc = 0;
    if (report.oom || summary.oom || !cur.ref || !cur.format) {
        snprintf(err, errlen, "out of memory");
        rc = 503;
    } else if (store_write(put_txn, &op, err, errlen) != STORE_OK) {
        rc = 503;
    } else {
        buf_puts(out, cur.report);
    }
    buf_free(&summary);
    buf_free(&report);
    stored_free(&cur);
    return rc;
}

/* ---- reading ---- */

int lockfiles_history_json(const char *project, buf_t *out)
{
    MDB_txn *txn;
    if (store_read_begin(&txn) != 0)
        return 503;
    char key[300];
    size_t plen = strlen(project) + 1;
    size_t klen = sub_key(key, sizeof(key), project, UINT64_MAX);
    MDB_cursor *c;
    if (klen == 0 || mdb_cursor_open(txn, store_dbi(DB_LOCKFILES), &c) != 0) {
        store_read_end(txn);
        return 404;
    }
    uint64_t base = base_of(txn, project);
    buf_puts(out, "{\"project\":");
    json_cstr(out, project);
    if (base)
        buf_printf(out, ",\"base\":%" PRIu64 ",\"submissions\":[", base);
    else
        buf_puts(out, ",\"base\":null,\"submissions\":[");
    MDB_val k = {klen, key}, v;
    int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
    int n = 0;
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
        if (k.mv_size != plen + 8 || memcmp(k.mv_data, key, plen) != 0)
            break;
        stored_t s;
        if (decode(v.mv_data, v.mv_size, 0, &s) != 0)
            continue;
        /* the summary, not the changes: the stored report holds both */
        yajl_val r = yajl_tree_parse(s.report ? s.report : "", NULL, 0);
        const char *sp[] = {"summary", NULL};
        yajl_val sum = r ? yajl_tree_get(r, sp, yajl_t_object) : NULL;
        int first = 1;
        buf_puts(out, n++ ? ",{" : "{");
        json_kv_int(out, &first, "submission", (int64_t)audit_u64_from_key((const char *)k.mv_data + plen, 8));
        json_kv_time(out, &first, "time", s.time);
        json_kv_str(out, &first, "ref", s.ref);
        json_kv_str(out, &first, "format", s.format);
        json_kv_bool(out, &first, "ok", s.ok);
        json_kv_bool(out, &first, "accepted", s.accepted);
        if (sum) {
            buf_puts(out, ",\"summary\":{");
            for (size_t i = 0; i < YAJL_GET_OBJECT(sum)->len; i++) {
                yajl_val x = YAJL_GET_OBJECT(sum)->values[i];
                buf_printf(out, "%s\"%s\":%lld", i ? "," : "", YAJL_GET_OBJECT(sum)->keys[i],
                           YAJL_IS_INTEGER(x) ? YAJL_GET_INTEGER(x) : 0LL);
            }
            buf_putc(out, '}');
        }
        buf_putc(out, '}');
        if (r)
            yajl_tree_free(r);
        stored_free(&s);
    }
    store_cursor_end(txn, c);
    buf_puts(out, "]}");
    return n ? 0 : 404;
}

int lockfiles_report_json(const char *project, uint64_t id, buf_t *out)
{
    MDB_txn *txn;
    if (store_read_begin(&txn) != 0)
        return 503;
    stored_t s;
    int rc = load(txn, project, id, 0, &s);
    store_read_end(txn);
    if (rc != 0)
        return 404;
    buf_puts(out, s.report ? s.report : "{}");
    stored_free(&s);
    return 0;
}

/* ---- change-set approval ---- */

typedef struct accept_op {
    const char *project;
    uint64_t id;
    const char *comment, *by;
    size_t napprovals;
    int missing;
} accept_op_t;

static int accept_txn(MDB_txn *txn, void *arg)
{
    accept_op_t *op = arg;
    char key[300];
    size_t klen = sub_key(key, sizeof(key), op->project, op->id);
    MDB_val k = {klen, key}, v;
    int rc = mdb_get(txn, store_dbi(DB_LOCKFILES), &k, &v);
    if (rc == MDB_NOTFOUND) {
        op->missing = 1;
        return 0;
    }
    if (rc)
        return rc;
    stored_t s;
    if (decode(v.mv_data, v.mv_size, 1, &s) != 0)
        return MDB_CORRUPTED;
    s.accepted = 1;
    /* the stored report says so too (its first "accepted" member is the report's own) */
    char *flag = s.report ? strstr(s.report, "\"accepted\":false") : NULL;
    if (flag) { /* "false" → "true": one byte shorter */
        memmove(flag + 15, flag + 16, strlen(flag + 16) + 1);
        memcpy(flag + 11, "true", 4);
    }
    buf_t rec;
    buf_init(&rec);
    encode(&s, &rec);
    stored_free(&s);
    MDB_val nv = {rec.len, rec.data};
    rc = rec.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_LOCKFILES), &k, &nv, 0);
    buf_free(&rec);
    if (rc)
        return rc;
    char bk[300];
    unsigned char idk[8];
    audit_u64_key(op->id, idk);
    MDB_val bkv = {base_key(bk, sizeof(bk), op->project), bk}, bv = {8, idk};
    rc = mdb_put(txn, store_dbi(DB_STATE), &bkv, &bv, 0);
    if (rc)
        return rc;
    buf_t m;
    buf_init(&m);
    int first = 1;
    json_kv_str(&m, &first, "project", op->project);
    json_kv_int(&m, &first, "submission", (int64_t)op->id);
    json_kv_str(&m, &first, "comment", op->comment);
    json_kv_str(&m, &first, "by", op->by);
    json_kv_int(&m, &first, "approvals", (int64_t)op->napprovals);
    rc = m.oom ? ENOMEM : audit_append(txn, "lockfile_approved", time_now_ms(), m.data, m.len, NULL);
    buf_free(&m);
    return rc;
}

/* a string inside v at path, or NULL */
static const char *str_at(yajl_val v, const char **path)
{
    yajl_val s = yajl_tree_get(v, path, yajl_t_string);
    return s ? YAJL_GET_STRING(s) : NULL;
}

int lockfiles_approve(const config_t *cfg, const char *project, uint64_t id, const char *comment, int64_t expires_ms,
                      const char *by, buf_t *out, char *err, size_t errlen)
{
    buf_t report;
    buf_init(&report);
    if (lockfiles_report_json(project, id, &report) != 0) {
        buf_free(&report);
        return 404;
    }
    yajl_val r = yajl_tree_parse(buf_cstr(&report), NULL, 0);
    buf_free(&report);
    const char *cp[] = {"changes", NULL};
    yajl_val changes = r ? yajl_tree_get(r, cp, yajl_t_array) : NULL;
    int64_t now = time_now_ms();
    buf_puts(out, "{\"approvals\":[");
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; changes && i < YAJL_GET_ARRAY(changes)->len && rc == 0; i++) {
        yajl_val ch = YAJL_GET_ARRAY(changes)->values[i];
        const char *ep[] = {"ecosystem", NULL}, *pp[] = {"package", NULL}, *vp[] = {"version", NULL},
                   *sp[] = {"verdict", "status", NULL};
        const char *eco_s = str_at(ch, ep), *pkg = str_at(ch, pp), *ver = str_at(ch, vp), *status = str_at(ch, sp);
        if (!eco_s || !pkg || !ver || !status || !strcmp(status, "allowed"))
            continue;
        int eco = eco_from_name(eco_s, strlen(eco_s));
        if (eco < 0)
            continue;
        /* already admitted since the check (an earlier approval)? then nothing to add */
        review_match_t m;
        approvals_match((eco_id_t)eco, pkg, ver, now, &m);
        if (m.kind == REVIEW_APPROVAL)
            continue;
        char text[2300];
        snprintf(text, sizeof(text), "%s (lockfile %s#%" PRIu64 ")", comment, project, id);
        review_t a = {.kind = REVIEW_APPROVAL, .eco = (eco_id_t)eco};
        a.package = strdup(pkg);
        a.version = strdup(ver);
        a.comment = strdup(text);
        a.by = strdup(by);
        a.ended_by = strdup("");
        a.expires_at = expires_ms > 0 ? now + expires_ms : TIME_NONE;
        if (!a.package || !a.version || !a.comment || !a.by || !a.ended_by) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else if (approvals_add(&a, err, errlen) != 0) {
            rc = -1;
        } else {
            if (n++)
                buf_putc(out, ',');
            review_json(&a, now, out);
        }
        review_free(&a);
    }
    if (r)
        yajl_tree_free(r);
    if (rc != 0)
        return -1;
    accept_op_t op = {project, id, comment, by, n, 0};
    if (store_write(accept_txn, &op, err, errlen) != STORE_OK)
        return -1;
    if (op.missing)
        return 404;
    buf_printf(out, "],\"base\":%" PRIu64 "}", id);
    return 0;
}

int lockfiles_projects_json(buf_t *out)
{
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_LOCKFILES, &txn, &c) != 0)
        return 503;
    buf_puts(out, "{\"projects\":[");
    int n = 0;
    MDB_val k, v;
    /* keys are project\0id: the last key of each project is its newest submission */
    int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
    while (rc == 0) {
        const char *key = k.mv_data;
        const char *nul = memchr(key, '\0', k.mv_size);
        if (nul == NULL || (size_t)(nul - key) + 9 != k.mv_size) {
            rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
            continue;
        }
        char project[256];
        snprintf(project, sizeof(project), "%.*s", (int)(nul - key), key);
        size_t plen = strlen(project) + 1;
        MDB_val lastk = k, lastv = v;
        while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0 && k.mv_size == plen + 8 &&
               memcmp(k.mv_data, project, plen) == 0) {
            lastk = k;
            lastv = v;
        }
        stored_t s;
        if (decode(lastv.mv_data, lastv.mv_size, 0, &s) != 0)
            continue;
        uint64_t base = base_of(txn, project);
        int first = 1;
        buf_puts(out, n++ ? ",{" : "{");
        json_kv_str(out, &first, "project", project);
        json_kv_int(out, &first, "latest", (int64_t)audit_u64_from_key((const char *)lastk.mv_data + plen, 8));
        json_kv_time(out, &first, "time", s.time);
        json_kv_str(out, &first, "ref", s.ref);
        json_kv_bool(out, &first, "ok", s.ok);
        json_kv_bool(out, &first, "accepted", s.accepted);
        if (base)
            json_kv_int(out, &first, "base", (int64_t)base);
        else
            json_kv_raw(out, &first, "base", "null", 4);
        buf_putc(out, '}');
        stored_free(&s);
    }
    store_cursor_end(txn, c);
    buf_puts(out, "]}");
    return 0;
}
