/* lockfiles: diff, verdicts, storage (see lockfiles.h).
 *
 * DB_LOCKFILES value: 'L', time, ref, format, accepted, ok, the report
 * (JSON, as answered), then the snapshot: n, and per entry ecosystem,
 * package, version, integrity, resolved, flags (1 direct, 2 dev). The
 * accepted base of a project is DB_STATE "lockbase:<project>" → id. */
#include "review/lockfiles.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "upstream/metadata_batch.h"
#include "store/record.h"
#include "store/store.h"
#include "upstream/upstream_cache.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "core/ecosystem.h"
#include "policy/approvals.h"
#include "review/approvals_store.h"
#include "journal/audit.h"
#include "http/denial.h"
#include "policy/judge.h"
#include "policy/policy.h"

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
    u64_key(id, (unsigned char *)out + n + 1);
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
            e->eco = eco >= 0 && eco < ECO_COUNT ? (eco_id_t)eco : 0; /* a damaged id: the first ecosystem's */
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
    return u64_from_key(v.mv_data, 8);
}

/* ---- what upstream says: fetched for the check when cordon's copy does not know ---- */

#define FETCH_PARALLEL 16 /* documents fetched at once by one check */

typedef enum { UP_NONE, UP_OK, UP_GONE, UP_FAILED } up_state_t;

typedef struct fetches {
    metadata_want_t *want; /* key and url owned */
    size_t *entry;         /* the first lockfile entry each was fetched for */
    unsigned char *state;  /* up_state_t; UP_NONE after the batch: not landed by the deadline */
    char **error;          /* the upstream's failure (UP_FAILED) */
    size_t n, cap;
    int32_t *of; /* per lockfile entry: its fetch, -1 when none was needed */
    const lockfile_t *lf;
    metadata_batch_result_t res;
    size_t ok, gone, failed;
} fetches_t;

static void fetches_free(fetches_t *fx)
{
    for (size_t i = 0; i < fx->n; i++) {
        metadata_want_clear(&fx->want[i]);
        free(fx->error[i]);
    }
    free(fx->want);
    free(fx->entry);
    free(fx->state);
    free(fx->error);
    free(fx->of);
    memset(fx, 0, sizeof(*fx));
}

static int fetches_add(fetches_t *fx, const version_source_t *src, size_t entry)
{
    if (fx->n == fx->cap) {
        size_t cap = fx->cap ? fx->cap * 2 : 64;
        metadata_want_t *w = realloc(fx->want, cap * sizeof(*w));
        if (w)
            fx->want = w;
        size_t *en = realloc(fx->entry, cap * sizeof(*en));
        if (en)
            fx->entry = en;
        unsigned char *st = realloc(fx->state, cap);
        if (st)
            fx->state = st;
        char **er = realloc(fx->error, cap * sizeof(*er));
        if (er)
            fx->error = er;
        if (!w || !en || !st || !er)
            return -1;
        fx->cap = cap;
    }
    if (metadata_want_copy(&fx->want[fx->n], src->key, src->url, src->accept, src->ingest) != 0)
        return -1;
    fx->entry[fx->n] = entry;
    fx->state[fx->n] = UP_NONE;
    fx->error[fx->n] = NULL;
    fx->n++;
    return 0;
}

/* the verdict holds for a reason no metadata can change (a block, a deny
 * rule, a name check, a Maven SNAPSHOT): the window and missing times aside */
static int age_only(const verdict_t *vd)
{
    return !vd->allow && (reason_flags(vd->reason) & REASON_F_LIFTS);
}

/* the verdict on a version cordon knows no facts of: what needs none still
 * holds it (a block, a deny rule, the name check) */
static void decide_unlisted(const config_t *cfg, const lock_entry_t *e, int64_t now, verdict_t *vd)
{
    findings_t found;
    findings_clear(&found);
    version_facts_t none = {.published_at = TIME_NONE, .first_seen = TIME_NONE};
    policy_gather(e->eco, e->package, e->version, now, &none, &found);
    policy_decide(cfg, e->eco, e->package, e->version, &none, now, vd);
}

/* Which entries need upstream's metadata: those whose version cordon's copy
 * does not list (no copy, or a copy older than metadata_ttl that lacks the
 * version). One fetch per document (entries are sorted by package). */
static int plan_fetches(const config_t *cfg, const lockfile_t *lf, int64_t now, fetches_t *fx)
{
    memset(fx, 0, sizeof(*fx));
    fx->lf = lf;
    fx->of = malloc((lf->n ? lf->n : 1) * sizeof(*fx->of));
    if (fx->of == NULL)
        return -1;
    for (size_t i = 0; i < lf->n; i++) {
        const lock_entry_t *e = &lf->entries[i];
        const ecosystem_t *eco = ecosystems[e->eco];
        fx->of[i] = -1;
        if (!eco || !eco->version_facts || !eco->version_source || !cfg->upstream[e->eco] ||
            cfg->lockfile_deadline_ms <= 0)
            continue;
        version_facts_t f;
        findings_t found;
        int listed = eco->version_facts(e->package, e->version, NULL, &f, &found);
        if (listed == 1)
            continue;
        verdict_t vd;
        decide_unlisted(cfg, e, now, &vd);
        version_source_t src;
        if ((!vd.allow && !age_only(&vd)) || eco->version_source(e->package, e->version, &src) != 0)
            continue;
        if (fx->n && strcmp(fx->want[fx->n - 1].key, src.key) == 0) {
            fx->of[i] = (int32_t)(fx->n - 1);
            continue;
        }
        if (listed == 0) { /* a copy that does not list it: fresh enough to believe? */
            meta_rec_t m;
            if (metadata_lookup(src.key, &m) == 0) {
                int fresh = metadata_is_fresh(&m, now);
                meta_rec_free(&m);
                if (fresh)
                    continue;
            }
        }
        if (fx->n >= INT32_MAX || fetches_add(fx, &src, i) != 0)
            return -1;
        fx->of[i] = (int32_t)(fx->n - 1);
    }
    return 0;
}

/* on the check's thread, as each document lands */
static void fetch_landed(void *arg, size_t i, const flight_outcome_t *out)
{
    fetches_t *fx = arg;
    if (out->status == 0) {
        fx->state[i] = UP_OK;
        fx->ok++;
        const lock_entry_t *e = &fx->lf->entries[fx->entry[i]];
        const ecosystem_t *eco = ecosystems[e->eco];
        version_source_t src;
        if (eco->version_learned && eco->version_source(e->package, e->version, &src) == 0)
            eco->version_learned(e->package, e->version, &src);
    } else if (out->status == 404) {
        fx->state[i] = UP_GONE;
        fx->gone++;
    } else {
        fx->state[i] = UP_FAILED;
        fx->failed++;
        fx->error[i] = strdup(out->error[0] ? out->error : "the upstream failed");
    }
}

/* the fetch summary in the report: what was fetched, and what failed
 * (borrowing fx's strings) */
static void fetch_summary(const config_t *cfg, const fetches_t *fx, lockfile_fetch_summary_t *out)
{
    memset(out, 0, sizeof(*out));
    out->documents = fx->n;
    out->fetched = fx->ok;
    out->not_found = fx->gone;
    out->failed = fx->failed;
    out->unfinished = fx->res.unfinished;
    out->unstarted = fx->res.unstarted;
    out->deadline_seconds = cfg->lockfile_deadline_ms / 1000;
    for (size_t i = 0; i < fx->n && out->nerrors < LOCKFILES_FETCH_ERRORS_LISTED; i++) {
        if (fx->state[i] != UP_FAILED)
            continue;
        const lock_entry_t *e = &fx->lf->entries[fx->entry[i]];
        out->errors[out->nerrors].eco = e->eco;
        out->errors[out->nerrors].package = e->package;
        out->errors[out->nerrors].error = fx->error[i] ? fx->error[i] : "";
        out->nerrors++;
    }
}

/* ---- integrity: the lockfile's pins against what upstream publishes ---- */


/* the next space-separated token of *p parsed; 0, 1 malformed, -1 at the end */
static int next_digest(const char **p, integrity_t *out)
{
    while (**p == ' ')
        (*p)++;
    size_t n = strcspn(*p, " ");
    if (n == 0)
        return -1;
    char tok[300];
    int bad = n >= sizeof(tok);
    if (!bad) {
        memcpy(tok, *p, n);
        tok[n] = '\0';
        bad = integrity_parse_any(tok, out) != 0;
    }
    *p += n;
    return bad ? 1 : 0;
}

static unsigned digest_algs(const char *list)
{
    unsigned m = 0;
    integrity_t d;
    int rc;
    while ((rc = next_digest(&list, &d)) >= 0)
        if (rc == 0)
            m |= 1u << d.alg;
    return m;
}

/* Each digest the lockfile gives must equal one upstream publishes with the
 * same algorithm (pip: one per file of the release); a digest in an
 * algorithm upstream does not publish cannot be checked. */
static lockfile_ic_t compare_digests(const char *lock, const char *upstream)
{
    size_t verified = 0, mismatched = 0;
    integrity_t t, u;
    int rc;
    while ((rc = next_digest(&lock, &t)) >= 0) {
        if (rc != 0)
            continue;
        int same_alg = 0, match = 0;
        const char *up = upstream;
        int urc;
        while ((urc = next_digest(&up, &u)) >= 0) {
            if (urc != 0 || u.alg != t.alg)
                continue;
            same_alg = 1;
            if (u.len == t.len && memcmp(u.want, t.want, t.len) == 0)
                match = 1;
        }
        if (same_alg)
            match ? verified++ : mismatched++;
    }
    return mismatched ? LOCK_IC_MISMATCH : verified ? LOCK_IC_VERIFIED : LOCK_IC_UNAVAILABLE;
}

static lockfile_ic_t check_integrity(const lock_entry_t *e, buf_t *upstream)
{
    const ecosystem_t *eco = ecosystems[e->eco];
    if (e->integrity[0] == '\0')
        return LOCK_IC_NONE;
    if (!eco || !eco->version_digests || eco->version_digests(e->package, e->version, digest_algs(e->integrity),
                                                              upstream) != 1)
        return LOCK_IC_UNAVAILABLE;
    return compare_digests(e->integrity, buf_cstr(upstream));
}

/* ---- judging ---- */


/* what judging reads besides the entry */
typedef struct judging {
    const config_t *cfg;
    int64_t now;
    const lockfile_t *cur;
    const fetches_t *fx;
} judging_t;

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

/* a digest list shortened for a line people read: its first token, cut */
static void short_digest(const char *list, char *out, size_t outlen)
{
    size_t n = strcspn(list, " ");
    snprintf(out, outlen, "%.*s%s", (int)(n > 24 ? 24 : n), list, n > 24 || list[n] ? "…" : "");
}

/* Why an entry is unknown rather than not_found (the upstream failed or did
 * not answer in time, or none is configured): writes the error line and
 * returns the upstream's own error (or NULL). */
static const char *unknown_line(const judging_t *x, const lock_entry_t *e, buf_t *line)
{
    const char *eco = eco_name(e->eco);
    int32_t fi = x->fx && x->fx->of ? x->fx->of[e - x->cur->entries] : -1;
    int state = fi >= 0 ? x->fx->state[fi] : -1;
    if (state == UP_FAILED) {
        const char *err = x->fx->error[fi] ? x->fx->error[fi] : "the upstream failed";
        buf_printf(line,
                   "cordon cannot judge %s@%s: the %s upstream failed (%s); nothing was decided for it, check again "
                   "once the upstream answers",
                   e->package, e->version, eco, err);
        return err;
    }
    if (state == UP_NONE) {
        buf_printf(line,
                   "cordon cannot judge %s@%s: what the %s upstream says about it did not arrive within the check's "
                   "deadline (fetch.lockfile_deadline %llds); check again (what arrives meanwhile is kept)",
                   e->package, e->version, eco, (long long)(x->cfg->lockfile_deadline_ms / 1000));
        return "no answer within the check's deadline";
    }
    if (state == UP_OK)
        buf_printf(line, "cordon fetched what the %s upstream says about %s but could not record it; check again", eco,
                   e->package);
    else if (!x->cfg->upstream[e->eco])
        buf_printf(line, "cordon cannot judge %s@%s: no %s upstream is configured (upstreams.%s)", e->package,
                   e->version, eco, eco);
    else if (x->cfg->lockfile_deadline_ms <= 0)
        buf_printf(line,
                   "cordon has no metadata for %s@%s and fetches none for lockfile checks (fetch.lockfile_deadline: "
                   "0); install it through cordon once, or set a deadline",
                   e->package, e->version);
    else
        buf_printf(line, "cordon has no %s metadata for %s@%s and cannot look it up upstream", eco, e->package,
                   e->version);
    return NULL;
}

/* a version upstream does not publish is not unknown: upstream answered */
static int upstream_lacks(const judging_t *x, const lock_entry_t *e, int listed)
{
    int32_t fi = x->fx && x->fx->of ? x->fx->of[e - x->cur->entries] : -1;
    int state = fi >= 0 ? x->fx->state[fi] : -1;
    if (state == UP_GONE)
        return 1;
    return listed == 0 && (state == -1 || state == UP_OK);
}

/* the newest allowed version when the ecosystem can say, else NULL */
static char *alternative_of(const lock_entry_t *e)
{
    const ecosystem_t *eco = ecosystems[e->eco];
    char alt[130];
    if (!eco || !eco->alternative || eco->alternative(e->package, e->version, alt, sizeof(alt)) != 0)
        return NULL;
    return strdup(alt);
}

/* the line people read for a version upstream does not publish */
static void not_found_line(const lock_entry_t *e, int listed, const char *alt, buf_t *line)
{
    if (listed == 0)
        buf_printf(line, "%s@%s is not published upstream: the %s registry lists no such version of %s", e->package,
                   e->version, eco_name(e->eco), e->package);
    else if (e->eco < ECO_COUNT && ecosystems[e->eco] && ecosystems[e->eco]->upstream_lacks)
        buf_printf(line, "%s@%s is not published upstream: %s", e->package, e->version,
                   ecosystems[e->eco]->upstream_lacks);
    else
        buf_printf(line, "%s@%s is not published upstream: the %s registry has no package %s", e->package,
                   e->version, eco_name(e->eco), e->package);
    buf_printf(line, "; the lockfile cannot be installed as it is%s%s", alt ? " — newest allowed: " : "",
               alt ? alt : "");
}

/* what a judged entry owns */
static void judged_free(lockfile_judged_t *j)
{
    free(j->upstream_integrity);
    free(j->rule);
    free(j->alternative);
    free(j->advisory);
    free(j->error);
    memset(j, 0, sizeof(*j));
}

/* The status of an entry upstream's metadata was asked about: the policy's
 * verdict (policy_judge), unless the lockfile pins other bytes than
 * upstream publishes (integrity_mismatch) or a version upstream does not
 * publish (not_found), or upstream could not be asked (unknown). */
static void entry_status(const judging_t *x, const lock_entry_t *e, lockfile_judged_t *j, lockfile_counts_t *c)
{
    const config_t *cfg = x->cfg;
    verdict_t vd;
    int listed = policy_judge(cfg, e->eco, e->package, e->version, NULL, x->now, &vd, NULL, NULL);
    if (listed != 1)
        decide_unlisted(cfg, e, x->now, &vd);

    buf_t upstream, line;
    buf_init(&upstream);
    buf_init(&line);
    j->integrity_check =
        listed == 1 ? check_integrity(e, &upstream) : (e->integrity[0] ? LOCK_IC_UNAVAILABLE : LOCK_IC_NONE);
    if (j->integrity_check == LOCK_IC_MISMATCH)
        j->upstream_integrity = strdup(buf_cstr(&upstream));

    j->reason = vd.reason;
    const char *rule = vd.rule;
    int with_times = 1;
    if (listed == 1 && j->integrity_check == LOCK_IC_MISMATCH) {
        char lk[64], up[64];
        short_digest(e->integrity, lk, sizeof(lk));
        short_digest(buf_cstr(&upstream), up, sizeof(up));
        j->status = LOCK_HELD;
        j->reason = REASON_INTEGRITY_MISMATCH;
        rule = "upstream integrity";
        buf_printf(&line,
                   "%s@%s: the lockfile's integrity %s is not what the %s upstream publishes for this version (%s): "
                   "the entry was edited or points at other bytes; regenerate it through cordon and check again",
                   e->package, e->version, lk, eco_name(e->eco), up);
        c->integrity_mismatch++;
        vd.eligible_at = TIME_NONE;
    } else if (listed == 1 || (!vd.allow && !age_only(&vd))) {
        /* what upstream lists is judged by the policy; blocks, deny rules and
         * name checks need no metadata */
        j->status = vd.allow ? LOCK_ALLOWED : LOCK_HELD;
        if (!vd.allow) {
            j->alternative = alternative_of(e);
            denial_error_line(e->package, e->version, &vd, j->alternative, &line);
        }
    } else if (upstream_lacks(x, e, listed)) {
        j->status = LOCK_HELD;
        j->reason = REASON_NOT_FOUND;
        rule = "upstream metadata";
        with_times = 0;
        j->alternative = alternative_of(e);
        not_found_line(e, listed, j->alternative, &line);
        c->not_found++;
    } else {
        j->status = LOCK_UNKNOWN;
        with_times = 0;
        j->upstream_error = unknown_line(x, e, &line);
    }
    j->rule = strdup(rule);
    if (vd.advisory[0] && (j->status == LOCK_ALLOWED || j->reason == vd.reason))
        j->advisory = strdup(vd.advisory);
    if (j->status != LOCK_ALLOWED)
        j->error = strdup(buf_cstr(&line));
    j->published_at = with_times ? vd.published_at : TIME_NONE;
    j->eligible_at = with_times ? vd.eligible_at : TIME_NONE;
    buf_free(&upstream);
    buf_free(&line);
}

/* One entry judged into j; counts updated; 1 when it is a problem (held,
 * unknown, flagged) */
static int judge(const judging_t *x, lockfile_change_t ch, const lock_entry_t *e, const char *from,
                 lockfile_judged_t *j, lockfile_counts_t *c)
{
    memset(j, 0, sizeof(*j));
    j->change = ch;
    j->entry = e;
    j->from_version = from;
    j->integrity_changed = ch == LOCK_CH_INTEGRITY;
    int problem = j->integrity_changed;
    if (ch != LOCK_CH_REMOVED && resolved_elsewhere(x->cfg, e)) {
        j->resolved_elsewhere = 1;
        c->elsewhere++;
        problem = 1;
    }
    if (ch == LOCK_CH_REMOVED)
        return 0;
    entry_status(x, e, j, c);
    if (j->status == LOCK_ALLOWED) {
        c->allowed++;
    } else {
        if (j->status == LOCK_HELD)
            c->held++;
        else
            c->unknown++;
        problem = 1;
    }
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
 * allowed entries helps nobody). Unchanged entries are listed only when
 * they are a problem now. */
#define LISTED_MAX 2000
#define PROBLEMS_MAX 20000 /* a lockfile of 150,000 unknown entries: the counts say the rest */

typedef struct listing {
    lockfile_judged_t *v; /* what the report lists */
    size_t n, cap, omitted;
    lockfile_judged_t one; /* the entry just judged */
    int oom;
} listing_t;

static void listing_free(listing_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        judged_free(&l->v[i]);
    free(l->v);
    judged_free(&l->one);
    memset(l, 0, sizeof(*l));
}

/* whether what the entry owns was all made (strdup failed otherwise) */
static int judged_complete(const lockfile_judged_t *j)
{
    if (j->change == LOCK_CH_REMOVED)
        return 1;
    return j->rule && (j->status == LOCK_ALLOWED || j->error) &&
           (j->integrity_check != LOCK_IC_MISMATCH || j->upstream_integrity);
}

static void list_change(listing_t *l, int problem)
{
    if (!judged_complete(&l->one)) {
        l->oom = 1;
        judged_free(&l->one);
        return;
    }
    if ((problem && l->n < PROBLEMS_MAX) || l->n < LISTED_MAX) {
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 64;
            lockfile_judged_t *v = realloc(l->v, cap * sizeof(*v));
            if (v == NULL) {
                l->oom = 1;
                judged_free(&l->one);
                return;
            }
            l->v = v;
            l->cap = cap;
        }
        l->v[l->n++] = l->one; /* the listing owns it now */
        memset(&l->one, 0, sizeof(l->one));
    } else {
        l->omitted++;
        judged_free(&l->one);
    }
}

static void list_unchanged(listing_t *l, int problem)
{
    if (problem)
        list_change(l, 1);
    else
        judged_free(&l->one);
}

/* the changes between base and cur (both sorted by package, version), and
 * the verdict on every entry of cur */
static void diff(const judging_t *x, const lockfile_t *base, listing_t *l, lockfile_counts_t *c)
{
    const config_t *cfg = x->cfg;
    const lockfile_t *cur = x->cur;
    size_t i = 0, j = 0;
    lockfile_judged_t *b = &l->one;
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
        for (size_t x2 = i; x2 < i2; x2++) {
            size_t y;
            for (y = j; y < j2 && strcmp(cur->entries[y].version, base->entries[x2].version) != 0; y++)
                ;
            if (y == j2) {
                nrem++;
                rem = &base->entries[x2];
            } else if (base->entries[x2].integrity[0] && cur->entries[y].integrity[0] &&
                       strcmp(base->entries[x2].integrity, cur->entries[y].integrity) != 0) {
                list_change(l, judge(x, LOCK_CH_INTEGRITY, &cur->entries[y], NULL, b, c));
                c->integrity_changed++;
            } else if (strcmp(base->entries[x2].resolved, cur->entries[y].resolved) != 0 &&
                       resolved_elsewhere(cfg, &cur->entries[y])) {
                /* the same pin now downloaded from somewhere else */
                list_change(l, judge(x, LOCK_CH_RESOLVED, &cur->entries[y], NULL, b, c));
            } else {
                /* the same pin as accepted: judged again, since a block, a rule or a finding may hold it now */
                list_unchanged(l, judge(x, LOCK_CH_UNCHANGED, &cur->entries[y], NULL, b, c));
                c->unchanged++;
            }
        }
        for (size_t y = j; y < j2; y++) {
            size_t x2;
            for (x2 = i; x2 < i2 && strcmp(base->entries[x2].version, cur->entries[y].version) != 0; x2++)
                ;
            if (x2 == i2) {
                nadd++;
                add = &cur->entries[y];
            }
        }
        if (nrem == 1 && nadd == 1) {
            const ecosystem_t *eco = ecosystems[add->eco];
            int cmp = eco && eco->version_compare ? eco->version_compare(add->version, rem->version)
                                                  : strcmp(add->version, rem->version);
            int problem = judge(x, cmp >= 0 ? LOCK_CH_UPGRADED : LOCK_CH_DOWNGRADED, add, rem->version, b, c);
            list_change(l, problem);
            if (cmp >= 0)
                c->upgraded++;
            else
                c->downgraded++;
        } else {
            for (size_t y = j; y < j2 && nadd; y++) {
                size_t x2;
                for (x2 = i; x2 < i2 && strcmp(base->entries[x2].version, cur->entries[y].version) != 0; x2++)
                    ;
                if (x2 == i2) {
                    list_change(l, judge(x, LOCK_CH_ADDED, &cur->entries[y], NULL, b, c));
                    c->added++;
                }
            }
            for (size_t x2 = i; x2 < i2 && nrem; x2++) {
                size_t y;
                for (y = j; y < j2 && strcmp(cur->entries[y].version, base->entries[x2].version) != 0; y++)
                    ;
                if (y == j2) {
                    list_change(l, judge(x, LOCK_CH_REMOVED, &base->entries[x2], NULL, b, c));
                    c->removed++;
                }
            }
        }
        i = i2;
        j = j2;
    }
}

/* ---- storing ---- */

void lockfile_summary_members(const lockfile_counts_t *c, buf_t *b, int *first)
{
    json_kv_raw(b, first, "summary", "{", 1);
    buf_printf(b,
               "\"entries\":%zu,\"added\":%zu,\"removed\":%zu,\"upgraded\":%zu,\"downgraded\":%zu,"
               "\"integrity_changed\":%zu,\"resolved_elsewhere\":%zu,\"allowed\":%zu,\"held\":%zu,\"unknown\":%zu,"
               "\"unchanged\":%zu,\"integrity_mismatch\":%zu,\"not_found\":%zu}",
               c->entries, c->added, c->removed, c->upgraded, c->downgraded, c->integrity_changed, c->elsewhere,
               c->allowed, c->held, c->unknown, c->unchanged, c->integrity_mismatch, c->not_found);
}

typedef struct put_op {
    stored_t *s;
    lockfile_report_t *report; /* its submission and base are set here, once known */
    lockfile_report_view_fn view;
    const char *by, *client;
} put_op_t;

static int put_txn(MDB_txn *txn, void *arg)
{
    put_op_t *op = arg;
    lockfile_report_t *r = op->report;
    /* the next id of this project */
    char key[300];
    size_t plen = strlen(r->project) + 1;
    size_t klen = sub_key(key, sizeof(key), r->project, UINT64_MAX);
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, store_dbi(DB_LOCKFILES), &c);
    if (rc)
        return rc;
    MDB_val k = {klen, key}, v;
    r->submission = 1;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
    if (rc == 0 && k.mv_size == plen + 8 && memcmp(k.mv_data, key, plen) == 0)
        r->submission = u64_from_key((const char *)k.mv_data + plen, 8) + 1;
    mdb_cursor_close(c);
    r->base = base_of(txn, r->project);

    buf_t members;
    buf_init(&members);
    int first = 1;
    json_kv_str(&members, &first, "project", r->project);
    json_kv_int(&members, &first, "submission", (int64_t)r->submission);
    json_kv_str(&members, &first, "ref", op->s->ref);
    json_kv_str(&members, &first, "format", op->s->format);
    json_kv_str(&members, &first, "sha256", r->sha256);
    json_kv_str(&members, &first, "by", op->by);
    json_kv_str(&members, &first, "client", op->client);
    json_kv_bool(&members, &first, "accepted", op->s->accepted);
    lockfile_summary_members(&r->counts, &members, &first);
    rc = members.oom ? ENOMEM : audit_append(txn, "lockfile", op->s->time, members.data, members.len, NULL);
    buf_free(&members);
    if (rc)
        return rc;

    /* the report, now that its id and base are known (a retry after growing the map writes it again) */
    buf_t doc;
    buf_init(&doc);
    op->view(r, &doc);
    free(op->s->report);
    op->s->report = doc.oom ? NULL : strndup(doc.data ? doc.data : "", doc.len);
    buf_free(&doc);
    if (op->s->report == NULL)
        return ENOMEM;
    buf_t rec;
    buf_init(&rec);
    encode(op->s, &rec);
    sub_key(key, sizeof(key), r->project, r->submission);
    MDB_val nk = {klen, key}, nv = {rec.len, rec.data};
    rc = rec.oom ? ENOMEM : mdb_put(txn, store_dbi(DB_LOCKFILES), &nk, &nv, 0);
    buf_free(&rec);
    if (rc == 0 && op->s->accepted) {
        char bk[300];
        unsigned char idk[8];
        u64_key(r->submission, idk);
        MDB_val bkv = {base_key(bk, sizeof(bk), r->project), bk}, bv = {8, idk};
        rc = mdb_put(txn, store_dbi(DB_STATE), &bkv, &bv, 0);
    }
    return rc;
}

lockfiles_result_t lockfiles_check(const config_t *cfg, const lockfile_submit_t *s, lockfile_report_view_fn view,
                                   buf_t *out, char *err, size_t errlen)
{
    int64_t now = time_now_ms();
    stored_t cur;
    memset(&cur, 0, sizeof(cur));
    char perr[512];
    if (lockfile_parse(s->body, s->len, s->format, &cur.snap, perr, sizeof(perr)) != 0) {
        snprintf(err, errlen, "the lockfile cannot be read: %s", perr);
        return LOCKFILES_UNREADABLE;
    }
    /* the base: read now, outside the write (judging reads metadata) */
    stored_t base;
    memset(&base, 0, sizeof(base));
    MDB_txn *txn;
    uint64_t bid = 0;
    if (s->project && store_read_begin(&txn) == 0) {
        bid = base_of(txn, s->project);
        if (bid)
            load(txn, s->project, bid, 1, &base);
        store_read_end(txn);
    }
    /* what cordon's copy does not know is fetched first (this thread waits;
     * the fetches run on the fetcher thread) */
    fetches_t fx;
    if (plan_fetches(cfg, &cur.snap, now, &fx) != 0) {
        fetches_free(&fx);
        stored_free(&base);
        stored_free(&cur);
        snprintf(err, errlen, "out of memory");
        return LOCKFILES_STORE_ERROR;
    }
    metadata_fetch_batch(fx.want, fx.n, FETCH_PARALLEL, cfg->lockfile_deadline_ms, fetch_landed, &fx, &fx.res);
    now = time_now_ms(); /* the verdicts are as of now, after the wait */
    lockfile_report_t r;
    memset(&r, 0, sizeof(r));
    listing_t listing;
    memset(&listing, 0, sizeof(listing));
    judging_t jx = {.cfg = cfg, .now = now, .cur = &cur.snap, .fx = &fx};
    diff(&jx, &base.snap, &listing, &r.counts); /* removed entries point into base: freed after the write */
    const lockfile_counts_t *c = &r.counts;
    int ok = c->held == 0 && c->unknown == 0 && c->integrity_changed == 0 && c->elsewhere == 0;

    char sha[65];
    sha256_hex(s->len ? s->body : "", s->len, sha);
    cur.time = now;
    cur.ref = strdup(s->ref ? s->ref : "");
    cur.format = strdup(lock_format_name(cur.snap.format));
    cur.accepted = ok;
    cur.ok = ok;
    r.project = s->project;
    r.ref = cur.ref ? cur.ref : "";
    r.format = cur.format ? cur.format : "";
    r.sha256 = sha;
    r.time = now;
    r.ok = ok;
    r.accepted = ok && !s->dry_run; /* a dry run makes no base */
    r.counts.entries = cur.snap.n;
    r.changes = listing.v;
    r.nchanges = listing.n;
    r.omitted = listing.omitted;
    fetch_summary(cfg, &fx, &r.fetch);

    put_op_t op = {.s = &cur, .report = &r, .view = view, .by = s->by ? s->by : "",
                   .client = s->client ? s->client : ""};
    lockfiles_result_t rc = LOCKFILES_OK;
    if (listing.oom || !cur.ref || !cur.format) {
        snprintf(err, errlen, "out of memory");
        rc = LOCKFILES_STORE_ERROR;
    } else if (s->dry_run) {
        r.base = bid;
        view(&r, out);
        if (out->oom) {
            snprintf(err, errlen, "out of memory");
            rc = LOCKFILES_STORE_ERROR;
        }
    } else if (store_write(put_txn, &op, err, errlen) != STORE_OK) {
        rc = LOCKFILES_STORE_ERROR;
    } else {
        buf_puts(out, cur.report);
    }
    listing_free(&listing);
    fetches_free(&fx);
    stored_free(&base);
    stored_free(&cur);
    return rc;
}

int lockfiles_judge_version(const config_t *cfg, eco_id_t eco, const char *package, const char *version,
                            lockfile_judged_t *out)
{
    memset(out, 0, sizeof(*out));
    /* a lockfile of one entry, pinned to no digest and downloaded from nowhere */
    lock_entry_t e = {.eco = eco, .package = (char *)package, .version = (char *)version, .integrity = "",
                      .resolved = ""};
    lockfile_t lf = {.format = LOCK_AUTO, .entries = &e, .n = 1};
    fetches_t fx;
    if (plan_fetches(cfg, &lf, time_now_ms(), &fx) != 0) {
        fetches_free(&fx);
        return -1;
    }
    metadata_fetch_batch(fx.want, fx.n, FETCH_PARALLEL, cfg->lockfile_deadline_ms, fetch_landed, &fx, &fx.res);
    judging_t jx = {.cfg = cfg, .now = time_now_ms(), .cur = &lf, .fx = &fx};
    lockfile_counts_t c;
    memset(&c, 0, sizeof(c));
    out->change = LOCK_CH_UNCHANGED;
    entry_status(&jx, &e, out, &c);
    out->entry = NULL; /* it was this frame's */
    /* the upstream's error points into fx: kept as the line says it */
    out->upstream_error = NULL;
    fetches_free(&fx);
    return out->rule == NULL ? (judged_free(out), -1) : 0;
}

void lockfile_judged_free(lockfile_judged_t *j) { judged_free(j); }

/* ---- reading ---- */

/* the summary counts of a stored report, in its order */
static void summary_of(const char *report, lockfile_submission_t *sub)
{
    yajl_val r = yajl_tree_parse(report ? report : "", NULL, 0);
    const char *sp[] = {"summary", NULL};
    yajl_val sum = r ? yajl_tree_get(r, sp, yajl_t_object) : NULL;
    sub->has_summary = sum != NULL;
    for (size_t i = 0; sum && i < YAJL_GET_OBJECT(sum)->len && sub->nsummary < LOCKFILES_SUMMARY_MAX; i++) {
        yajl_val x = YAJL_GET_OBJECT(sum)->values[i];
        snprintf(sub->summary[sub->nsummary].key, sizeof(sub->summary[0].key), "%s", YAJL_GET_OBJECT(sum)->keys[i]);
        sub->summary[sub->nsummary++].value = YAJL_IS_INTEGER(x) ? YAJL_GET_INTEGER(x) : 0LL;
    }
    if (r)
        yajl_tree_free(r);
}

void lockfile_history_free(lockfile_history_t *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].ref);
        free(h->v[i].format);
    }
    free(h->v);
    memset(h, 0, sizeof(*h));
}

lockfiles_result_t lockfiles_history(const char *project, lockfile_history_t *out)
{
    memset(out, 0, sizeof(*out));
    MDB_txn *txn;
    if (store_read_begin(&txn) != 0)
        return LOCKFILES_STORE_ERROR;
    char key[300];
    size_t plen = strlen(project) + 1;
    size_t klen = sub_key(key, sizeof(key), project, UINT64_MAX);
    MDB_cursor *c;
    if (klen == 0 || mdb_cursor_open(txn, store_dbi(DB_LOCKFILES), &c) != 0) {
        store_read_end(txn);
        return LOCKFILES_NOT_FOUND;
    }
    out->base = base_of(txn, project);
    MDB_val k = {klen, key}, v;
    int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
    size_t cap = 0;
    lockfiles_result_t res = LOCKFILES_OK;
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_PREV)) {
        if (k.mv_size != plen + 8 || memcmp(k.mv_data, key, plen) != 0)
            break;
        stored_t s;
        if (decode(v.mv_data, v.mv_size, 0, &s) != 0)
            continue;
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            lockfile_submission_t *nv = realloc(out->v, ncap * sizeof(*nv));
            if (nv == NULL) {
                stored_free(&s);
                res = LOCKFILES_STORE_ERROR;
                break;
            }
            out->v = nv;
            cap = ncap;
        }
        lockfile_submission_t *sub = &out->v[out->n++];
        memset(sub, 0, sizeof(*sub));
        sub->id = u64_from_key((const char *)k.mv_data + plen, 8);
        sub->time = s.time;
        sub->ok = s.ok;
        sub->accepted = s.accepted;
        /* the summary, not the changes: the stored report holds both */
        summary_of(s.report, sub);
        sub->ref = s.ref;
        sub->format = s.format;
        s.ref = s.format = NULL;
        stored_free(&s);
    }
    store_cursor_end(txn, c);
    if (res == LOCKFILES_OK && out->n == 0)
        res = LOCKFILES_NOT_FOUND;
    if (res != LOCKFILES_OK)
        lockfile_history_free(out);
    return res;
}

lockfiles_result_t lockfiles_report(const char *project, uint64_t id, char **report)
{
    *report = NULL;
    MDB_txn *txn;
    if (store_read_begin(&txn) != 0)
        return LOCKFILES_STORE_ERROR;
    stored_t s;
    int rc = load(txn, project, id, 0, &s);
    store_read_end(txn);
    if (rc != 0)
        return LOCKFILES_NOT_FOUND;
    *report = s.report ? s.report : strdup("{}");
    s.report = NULL;
    stored_free(&s);
    return *report ? LOCKFILES_OK : LOCKFILES_STORE_ERROR;
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
    u64_key(op->id, idk);
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

lockfiles_result_t lockfiles_approve(const config_t *cfg, const char *project, uint64_t id, const char *comment,
                                     int64_t expires_ms, const char *by, review_t **approvals, size_t *napprovals,
                                     char *err, size_t errlen)
{
    *approvals = NULL;
    *napprovals = 0;
    char *report;
    lockfiles_result_t got = lockfiles_report(project, id, &report);
    if (got != LOCKFILES_OK)
        return got == LOCKFILES_NOT_FOUND ? LOCKFILES_NOT_FOUND : LOCKFILES_STORE_ERROR;
    yajl_val r = yajl_tree_parse(report, NULL, 0);
    free(report);
    const char *cp[] = {"changes", NULL};
    yajl_val changes = r ? yajl_tree_get(r, cp, yajl_t_array) : NULL;
    /* no approval makes other bytes than upstream's right, or a version
     * upstream does not publish installable: the lockfile must change */
    size_t nfix = 0, used = 0;
    for (size_t i = 0; changes && i < YAJL_GET_ARRAY(changes)->len; i++) {
        yajl_val ch = YAJL_GET_ARRAY(changes)->values[i];
        const char *pp[] = {"package", NULL}, *vp[] = {"version", NULL}, *rp[] = {"verdict", "reason", NULL};
        const char *pkg = str_at(ch, pp), *ver = str_at(ch, vp), *rs = str_at(ch, rp);
        reason_t reason = rs ? reason_from_name(rs) : REASON_COUNT;
        if (!pkg || !ver || (reason != REASON_INTEGRITY_MISMATCH && reason != REASON_NOT_FOUND))
            continue;
        if (nfix++ == 0)
            used = (size_t)snprintf(err, errlen, "submission %" PRIu64 " cannot be approved: ", id);
        if (nfix <= 3 && used < errlen)
            used += (size_t)snprintf(err + used, errlen - used, "%s%s@%s (%s)", nfix > 1 ? ", " : "", pkg, ver,
                                     reason == REASON_NOT_FOUND ? "not published upstream" : reason_name(reason));
    }
    if (nfix) {
        if (used < errlen)
            snprintf(err + used, errlen - used,
                     "%s; fix these entries in the lockfile (regenerate it through cordon) and submit it again",
                     nfix > 3 ? " and more" : "");
        if (r)
            yajl_tree_free(r);
        return LOCKFILES_NOT_APPROVABLE;
    }
    int64_t now = time_now_ms();
    size_t n = 0, cap = 0;
    review_t *made = NULL;
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
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            review_t *nv = realloc(made, ncap * sizeof(*nv));
            if (nv) {
                made = nv;
                cap = ncap;
            }
        }
        if (!a.package || !a.version || !a.comment || !a.by || !a.ended_by || n == cap) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else if (approvals_add(&a, err, errlen) != 0) {
            rc = -1;
        } else {
            made[n++] = a; /* the caller's now */
            continue;
        }
        review_free(&a);
    }
    if (r)
        yajl_tree_free(r);
    accept_op_t op = {project, id, comment, by, n, 0};
    if (rc != 0 || store_write(accept_txn, &op, err, errlen) != STORE_OK) {
        reviews_free(made, n);
        return LOCKFILES_STORE_ERROR;
    }
    if (op.missing) {
        reviews_free(made, n);
        return LOCKFILES_NOT_FOUND;
    }
    *approvals = made;
    *napprovals = n;
    return LOCKFILES_OK;
}

void lockfile_projects_free(lockfile_project_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].project);
        free(v[i].ref);
    }
    free(v);
}

lockfiles_result_t lockfiles_projects(lockfile_project_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    MDB_cursor *c;
    if (store_cursor_begin(DB_LOCKFILES, &txn, &c) != 0)
        return LOCKFILES_STORE_ERROR;
    size_t cap = 0;
    lockfiles_result_t res = LOCKFILES_OK;
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
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            lockfile_project_t *nv = realloc(*out, ncap * sizeof(*nv));
            if (nv == NULL) {
                stored_free(&s);
                res = LOCKFILES_STORE_ERROR;
                break;
            }
            *out = nv;
            cap = ncap;
        }
        lockfile_project_t *p = &(*out)[(*n)++];
        p->project = strdup(project);
        p->latest = u64_from_key((const char *)lastk.mv_data + plen, 8);
        p->base = base_of(txn, project);
        p->time = s.time;
        p->ref = s.ref;
        s.ref = NULL;
        p->ok = s.ok;
        p->accepted = s.accepted;
        stored_free(&s);
        if (p->project == NULL) {
            res = LOCKFILES_STORE_ERROR;
            break;
        }
    }
    store_cursor_end(txn, c);
    if (res != LOCKFILES_OK) {
        lockfile_projects_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return res;
}
