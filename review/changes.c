/* changes: a version against the one before it (see changes.h). The diff
 * walks both listings in sorted order (files by path, facts by kind and
 * name) once; what is missing is fetched through the upstream cache with
 * the analysis every artifact gets, in one batch. */
#include "review/changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "core/ecosystem.h"
#include "review/lockfiles.h"
#include "review/range.h"
#include "store/store.h"
#include "upstream/metadata_batch.h"

/* ---- the diff ---- */

typedef struct list {
    buf_t b;
    size_t n;
} list_t;

static void list_open(list_t *l)
{
    buf_init(&l->b);
    l->n = 0;
}

/* a new element of l, or NULL when the list shows enough (it is still counted) */
static buf_t *list_item(list_t *l)
{
    if (l->n++ >= CHANGES_LIST_MAX)
        return NULL;
    if (l->n > 1)
        buf_putc(&l->b, ',');
    return &l->b;
}

/* ,"key":[…] and frees the list */
static void list_close(buf_t *out, int *first, const char *key, list_t *l)
{
    json_kv_raw(out, first, key, "[", 1);
    buf_append(out, l->b.data, l->b.len);
    buf_putc(out, ']');
    buf_free(&l->b);
}

static void file_item(list_t *l, const contents_file_t *f, const contents_file_t *was)
{
    buf_t *b = list_item(l);
    if (b == NULL)
        return;
    int first = 1;
    buf_putc(b, '{');
    json_kv_str(b, &first, "path", f->path);
    json_kv_int(b, &first, "size", f->size);
    if (was)
        json_kv_int(b, &first, "previous_size", was->size);
    buf_putc(b, '}');
}

static int same_file(const contents_file_t *a, const contents_file_t *b)
{
    return a->kind == b->kind && a->size == b->size && memcmp(a->sha, b->sha, sizeof(a->sha)) == 0;
}

static void files_diff(const contents_t *before, const contents_t *now, buf_t *out, int *first)
{
    static const contents_t none;
    if (before == NULL)
        before = &none;
    list_t added, removed, changed;
    list_open(&added);
    list_open(&removed);
    list_open(&changed);
    size_t i = 0, k = 0, unchanged = 0;
    int64_t bytes = 0, previous_bytes = 0;
    while (i < before->nfiles || k < now->nfiles) {
        const contents_file_t *a = i < before->nfiles ? &before->files[i] : NULL;
        const contents_file_t *b = k < now->nfiles ? &now->files[k] : NULL;
        int c = a == NULL ? 1 : b == NULL ? -1 : strcmp(a->path, b->path);
        if (c < 0) {
            file_item(&removed, a, NULL);
            previous_bytes += a->size;
            i++;
        } else if (c > 0) {
            file_item(&added, b, NULL);
            bytes += b->size;
            k++;
        } else {
            if (same_file(a, b))
                unchanged++;
            else
                file_item(&changed, b, a);
            previous_bytes += a->size;
            bytes += b->size;
            i++;
            k++;
        }
    }
    json_kv_raw(out, first, "files", "{", 1);
    int f = 1;
    size_t na = added.n, nr = removed.n, nc = changed.n;
    list_close(out, &f, "added", &added);
    list_close(out, &f, "removed", &removed);
    list_close(out, &f, "changed", &changed);
    json_kv_int(out, &f, "added_count", (int64_t)na);
    json_kv_int(out, &f, "removed_count", (int64_t)nr);
    json_kv_int(out, &f, "changed_count", (int64_t)nc);
    json_kv_int(out, &f, "unchanged", (int64_t)unchanged);
    json_kv_int(out, &f, "bytes", bytes);
    json_kv_int(out, &f, "previous_bytes", previous_bytes);
    /* an archive with more entries than a listing keeps: only its first ones were compared */
    json_kv_bool(out, &f, "partial",
                 (int64_t)now->nfiles < now->entries || (int64_t)before->nfiles < before->entries);
    buf_putc(out, '}');
}

static void fact_item(list_t *l, const contents_fact_t *f, const contents_fact_t *was)
{
    buf_t *b = list_item(l);
    if (b == NULL)
        return;
    int first = 1;
    buf_putc(b, '{');
    json_kv_str(b, &first, "name", f->name);
    json_kv_str(b, &first, "value", f->value);
    if (was)
        json_kv_str(b, &first, "previous", was->value);
    buf_putc(b, '}');
}

/* the facts of one kind: [from, to) of a sorted fact array */
static void kind_range(const contents_t *c, contents_fact_kind_t kind, size_t *from, size_t *to)
{
    size_t i = 0;
    while (i < c->nfacts && c->facts[i].kind < kind)
        i++;
    *from = i;
    while (i < c->nfacts && c->facts[i].kind == kind)
        i++;
    *to = i;
}

static void facts_diff(const contents_t *before, const contents_t *now, contents_fact_kind_t kind, const char *key,
                       buf_t *out, int *first)
{
    static const contents_t none;
    if (before == NULL)
        before = &none;
    size_t i, iend, k, kend;
    kind_range(before, kind, &i, &iend);
    kind_range(now, kind, &k, &kend);
    list_t added, removed, changed, all;
    list_open(&added);
    list_open(&removed);
    list_open(&changed);
    list_open(&all);
    for (size_t x = k; x < kend; x++)
        fact_item(&all, &now->facts[x], NULL);
    while (i < iend || k < kend) {
        const contents_fact_t *a = i < iend ? &before->facts[i] : NULL;
        const contents_fact_t *b = k < kend ? &now->facts[k] : NULL;
        int c = a == NULL ? 1 : b == NULL ? -1 : strcmp(a->name, b->name);
        if (c < 0) {
            fact_item(&removed, a, NULL);
            i++;
        } else if (c > 0) {
            fact_item(&added, b, NULL);
            k++;
        } else {
            if (strcmp(a->value, b->value) != 0)
                fact_item(&changed, b, a);
            i++;
            k++;
        }
    }
    json_kv_raw(out, first, key, "{", 1);
    int f = 1;
    list_close(out, &f, "added", &added);
    list_close(out, &f, "removed", &removed);
    list_close(out, &f, "changed", &changed);
    list_close(out, &f, "now", &all);
    buf_putc(out, '}');
}

void changes_diff_json(const contents_t *before, const contents_t *now, buf_t *out)
{
    int first = 1;
    files_diff(before, now, out, &first);
    static const struct {
        contents_fact_kind_t kind;
        const char *key;
    } groups[] = {
        {CONTENTS_SCRIPT, "scripts"},
        {CONTENTS_DEPENDENCY, "dependencies"},
        {CONTENTS_ENTRY_POINT, "entry_points"},
        {CONTENTS_LINK, "links"},
    };
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        facts_diff(before, now, groups[g].kind, groups[g].key, out, &first);
}

/* ---- the view ---- */

typedef struct side {
    const char *version;
    const char *like_file, *like_version; /* the other side's artifact, NULL: any */
    contents_t listing;
    int have;          /* listing holds the recorded contents */
    char note[600];    /* why there is no listing */
    version_artifact_t art;
    int has_art;       /* art names the artifact to fetch (its check is ours until the batch starts it) */
    integrity_t want;
    flight_outcome_t fetched;
    int landed;
} side_t;

/* the recorded listing of s's version, the artifact like the other side's */
static void load(eco_id_t eco, const char *package, side_t *s)
{
    MDB_txn *txn;
    if (store_read_begin(&txn) != 0) {
        snprintf(s->note, sizeof(s->note), "the store cannot be read");
        return;
    }
    int rc = contents_get_version(txn, eco_name(eco), package, s->version, s->like_file, s->like_version,
                                  &s->listing);
    store_read_end(txn);
    s->have = rc == 0;
    if (rc != 0 && rc != MDB_NOTFOUND)
        snprintf(s->note, sizeof(s->note), "the recorded listing of %s cannot be read", s->version);
}

/* what to fetch for s when it has no listing yet */
static void plan(const ecosystem_t *e, const char *package, side_t *s)
{
    if (s->have || s->note[0])
        return;
    int got = e->version_artifact ? e->version_artifact(package, s->version, s->like_file, s->like_version, &s->art)
                                  : -1;
    if (got == 1 && integrity_parse_any(s->art.integrity, &s->want) == 0) {
        s->has_art = 1;
        return;
    }
    if (got == 1 && s->art.check)
        s->art.check->free(s->art.check);
    s->art.check = NULL;
    if (e->version_artifact == NULL)
        snprintf(s->note, sizeof(s->note),
                 "no artifact of %s has been analysed yet: cordon lists %s artifacts once a client fetched them",
                 s->version, e->name);
    else
        snprintf(s->note, sizeof(s->note),
                 "upstream's listing names no artifact of %s whose integrity cordon can verify", s->version);
}

static void on_fetched(void *arg, size_t i, const flight_outcome_t *out)
{
    side_t **sides = arg;
    sides[i]->fetched = *out;
    sides[i]->landed = 1;
}

static void fetch_missing(const config_t *cfg, eco_id_t eco, const char *package, side_t *now, side_t *before)
{
    side_t *todo[2];
    metadata_want_t want[2];
    size_t n = 0;
    side_t *both[2] = {now, before};
    for (int i = 0; i < 2; i++) {
        side_t *s = both[i];
        if (s == NULL || !s->has_art)
            continue;
        want[n] = (metadata_want_t){.key = s->art.key, .url = s->art.url, .artifact = &s->want, .check = s->art.check};
        s->art.check = NULL; /* the batch's now */
        todo[n++] = s;
    }
    if (n == 0)
        return;
    metadata_batch_result_t res;
    metadata_fetch_batch(want, n, 2, cfg->lockfile_deadline_ms, on_fetched, todo, &res);
    for (size_t i = 0; i < n; i++) {
        side_t *s = todo[i];
        if (s->landed && s->fetched.status == 0)
            load(eco, package, s);
        if (s->have)
            continue;
        if (!s->landed)
            snprintf(s->note, sizeof(s->note),
                     "%s was still being fetched at the deadline (fetch.lockfile_deadline %llds): ask again",
                     s->art.filename, (long long)(cfg->lockfile_deadline_ms / 1000));
        else if (s->fetched.status != 0)
            snprintf(s->note, sizeof(s->note), "%s could not be fetched: %s", s->art.filename,
                     s->fetched.error[0] ? s->fetched.error : "upstream failed");
        else
            snprintf(s->note, sizeof(s->note), "%s was fetched but its listing was not recorded (not an archive)",
                     s->art.filename);
    }
}

static void side_json(buf_t *out, int *first, const char *key, const side_t *s)
{
    if (!s->have) {
        json_kv_raw(out, first, key, "null", 4);
        return;
    }
    json_kv_raw(out, first, key, "{", 1);
    int f = 1;
    json_kv_str(out, &f, "version", s->version);
    json_kv_str(out, &f, "filename", s->listing.filename);
    json_kv_int(out, &f, "entries", s->listing.entries);
    json_kv_int(out, &f, "listed", (int64_t)s->listing.nfiles);
    buf_putc(out, '}');
}

static void side_free(side_t *s)
{
    contents_free(&s->listing);
    if (s->art.check)
        s->art.check->free(s->art.check);
    s->art.check = NULL;
}

/* the repository or source URL the manifest names, "" when none */
static const char *repository_of(const contents_t *c)
{
    static const char *const names[] = {"repository", "Source", "Source Code", "Repository", "source", "homepage",
                                        "Homepage", "Home"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const contents_fact_t *f = contents_fact(c, CONTENTS_LINK, names[i]);
        if (f && f->value[0])
            return f->value;
    }
    return "";
}

int changes_view(const config_t *cfg, eco_id_t eco, const char *package, const char *version, const char *against,
                 buf_t *out, int *status)
{
    const ecosystem_t *e = ecosystems[eco];
    *status = 200;
    lockfile_judged_t v;
    if (lockfiles_judge_version(cfg, eco, package, version, &v) != 0)
        return -1;
    int listed = !(v.status == LOCK_HELD && v.reason == REASON_NOT_FOUND);
    char why[400];
    snprintf(why, sizeof(why), "%s", v.error ? v.error : "upstream lists no such version");
    lockfile_judged_free(&v);
    if (!listed) {
        *status = 404;
        int f = 1;
        buf_putc(out, '{');
        json_kv_str(out, &f, "error", "not_found");
        json_kv_str(out, &f, "message", why);
        buf_putc(out, '}');
        return out->oom ? -1 : 0;
    }

    /* the version before: named, or the newest older release served now */
    char previous[130] = "", prev_note[500] = "";
    const char *chosen = "asked for";
    if (against != NULL) {
        snprintf(previous, sizeof(previous), "%s", against);
    } else {
        range_result_t r;
        if (range_resolve_below(cfg, eco, package, version, &r) != 0)
            return -1;
        chosen = "the newest older release cordon serves";
        if (r.pick.version)
            snprintf(previous, sizeof(previous), "%s", r.pick.version);
        else if (r.error)
            snprintf(prev_note, sizeof(prev_note), "%s: everything is new", r.error);
        else
            snprintf(prev_note, sizeof(prev_note),
                     "cordon serves none of the %zu releases before %s it judged: everything is new", r.satisfying,
                     version);
        range_result_free(&r);
    }

    side_t now = {.version = version}, before = {.version = previous, .like_version = version};
    load(eco, package, &now);
    plan(e, package, &now);
    before.like_file = now.have ? now.listing.filename : (now.has_art ? now.art.filename : NULL);
    if (previous[0]) {
        load(eco, package, &before);
        plan(e, package, &before);
    }
    fetch_missing(cfg, eco, package, &now, previous[0] ? &before : NULL);

    int f = 1;
    buf_putc(out, '{');
    json_kv_str(out, &f, "ecosystem", e->name);
    json_kv_str(out, &f, "package", package);
    json_kv_str(out, &f, "version", version);
    side_json(out, &f, "artifact", &now);
    if (!now.have)
        json_kv_str(out, &f, "artifact_note", now.note);
    if (previous[0]) {
        json_kv_raw(out, &f, "previous", "{", 1);
        int pf = 1;
        json_kv_str(out, &pf, "version", previous);
        json_kv_str(out, &pf, "chosen", chosen);
        buf_putc(out, '}');
        side_json(out, &f, "previous_artifact", &before);
        if (!before.have)
            json_kv_str(out, &f, "previous_note", before.note);
    } else {
        json_kv_raw(out, &f, "previous", "null", 4);
        json_kv_str(out, &f, "previous_note", prev_note);
    }
    version_source_t src;
    if (e->version_source && e->version_source(package, version, &src) == 0)
        json_kv_str(out, &f, "upstream", src.url);
    if (now.have) {
        /* compared: false when the version before has no listing (only "now" means anything then) */
        int compared = !previous[0] || before.have;
        json_kv_bool(out, &f, "compared", compared);
        json_kv_str(out, &f, "repository", repository_of(&now.listing));
        buf_putc(out, ',');
        changes_diff_json(previous[0] && before.have ? &before.listing : NULL, &now.listing, out);
    } else if (now.has_art && now.landed && now.fetched.status != 0) {
        *status = 502;
    }
    buf_putc(out, '}');
    side_free(&now);
    side_free(&before);
    return out->oom ? -1 : 0;
}
