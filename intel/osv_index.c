/* osv_index: loading a directory of OSV records into an open-addressing
 * hash table by (ecosystem, canonical name), and the lookups (see
 * osv_index.h). */
#include "intel/osv_index.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ecosystem.h"
#include "intel/osv.h"

#define NAME_MAX_BYTES 512

typedef struct ref {
    const osv_record_t *rec;
    const osv_affected_t *aff;
    uint64_t digest; /* of the record's file */
} ref_t;

typedef struct entry {
    char *key; /* "<eco id>:<canonical name>"; NULL: free slot */
    eco_id_t eco;
    ref_t *refs;
    size_t nrefs, cap;
    char fp[17];
} entry_t;

typedef struct loaded {
    osv_record_t rec;
    uint64_t digest; /* of the file's bytes */
} loaded_t;

struct osv_index {
    loaded_t *recs;
    size_t nrecs, caprecs;
    entry_t *slots;
    size_t nslots, nused;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}
#define FNV_INIT 1469598103934665603ULL

/* ---- the directory walk ---- */

typedef void (*visit_fn)(void *ctx, const char *path, const struct stat *st, int withdrawn);

static int ends_with_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* dfd is an open folder (closed here); path names it for messages */
static void walk_at(int dfd, char *path, size_t plen, int withdrawn, int depth, visit_fn fn, void *ctx)
{
    DIR *d = depth > 16 ? NULL : fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* ".", "..", ".git" and other hidden folders */
        size_t n = strlen(de->d_name);
        if (plen + 1 + n + 1 > 4096)
            continue;
        path[plen] = '/';
        memcpy(path + plen + 1, de->d_name, n + 1);
        int is_dir = de->d_type == DT_DIR, is_reg = de->d_type == DT_REG;
        struct stat st;
        if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK || is_reg) {
            if (fstatat(dirfd(d), de->d_name, &st, 0) != 0)
                continue;
            is_dir = S_ISDIR(st.st_mode);
            is_reg = S_ISREG(st.st_mode);
        }
        if (is_dir) {
            int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (sub >= 0)
                walk_at(sub, path, plen + 1 + n, withdrawn || strcmp(de->d_name, "withdrawn") == 0, depth + 1, fn,
                        ctx);
        } else if (is_reg && ends_with_json(de->d_name)) {
            fn(ctx, path, &st, withdrawn);
        }
    }
    path[plen] = '\0';
    closedir(d);
}

static void walk(const char *dir, visit_fn fn, void *ctx)
{
    char path[4096];
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || (size_t)snprintf(path, sizeof(path), "%s", dir) >= sizeof(path)) {
        if (dfd >= 0)
            close(dfd);
        return;
    }
    walk_at(dfd, path, strlen(path), 0, 0, fn, ctx);
}

static void sign(void *ctx, const char *path, const struct stat *st, int withdrawn)
{
    uint64_t *h = ctx;
    int64_t parts[4] = {st->st_size, st->st_mtim.tv_sec, st->st_mtim.tv_nsec, withdrawn};
    *h = fnv(*h, path, strlen(path) + 1);
    *h = fnv(*h, parts, sizeof(parts));
}

uint64_t osv_dir_signature(const char *dir)
{
    uint64_t h = FNV_INIT;
    struct stat st;
    if (dir == NULL || stat(dir, &st) != 0)
        return 0;
    /* readdir order: the same for a folder nothing changed in */
    walk(dir, sign, &h);
    return h;
}

/* ---- loading ---- */

typedef struct load_ctx {
    osv_index_t *idx;
    osv_load_stats_t *st;
    osv_warn_fn warn;
    char **lifted; /* ids withdrawn records lift */
    size_t nlifted, caplifted;
    int oom;
} load_ctx_t;

static void skip(load_ctx_t *c, const char *path, const char *why)
{
    if (c->st->skipped < OSV_SKIPPED_KEPT) {
        snprintf(c->st->skipped_files[c->st->skipped], sizeof(c->st->skipped_files[0]), "%s", path);
        snprintf(c->st->skipped_why[c->st->skipped], sizeof(c->st->skipped_why[0]), "%s", why);
    }
    c->st->skipped++;
    if (c->warn)
        c->warn(path, why);
}

static int read_file(const char *path, const struct stat *st, char **out, size_t *len, char *err, size_t errlen)
{
    if (st->st_size > (off_t)OSV_MAX_BYTES) {
        snprintf(err, errlen, "the file is larger than %u bytes", OSV_MAX_BYTES);
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    size_t cap = (size_t)st->st_size + 1, n = 0;
    char *b = malloc(cap);
    if (b == NULL) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (;;) {
        if (n == cap) { /* grew since stat: read no further than the limit */
            if (cap > OSV_MAX_BYTES) {
                free(b);
                close(fd);
                snprintf(err, errlen, "the file is larger than %u bytes", OSV_MAX_BYTES);
                return -1;
            }
            char *nb = realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                close(fd);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "cannot read: %s", strerror(errno));
            free(b);
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *out = b;
    *len = n;
    return 0;
}

static void lift(load_ctx_t *c, const char *id)
{
    if (c->nlifted == c->caplifted) {
        size_t ncap = c->caplifted ? c->caplifted * 2 : 64;
        char **n = realloc(c->lifted, ncap * sizeof(char *));
        if (n == NULL) {
            c->oom = 1;
            return;
        }
        c->lifted = n;
        c->caplifted = ncap;
    }
    if ((c->lifted[c->nlifted] = strdup(id)) == NULL)
        c->oom = 1;
    else
        c->nlifted++;
}

static void load_file(void *ctx, const char *path, const struct stat *st, int withdrawn)
{
    load_ctx_t *c = ctx;
    char err[300], *text;
    size_t len;
    c->st->files++;
    if (read_file(path, st, &text, &len, err, sizeof(err)) != 0) {
        skip(c, path, err);
        return;
    }
    osv_record_t rec;
    int rc = osv_parse(text, len, &rec, err, sizeof(err));
    uint64_t digest = fnv(FNV_INIT, text, len);
    free(text);
    if (rc != 0) {
        skip(c, path, err);
        return;
    }
    if (withdrawn || rec.withdrawn) {
        c->st->withdrawn++;
        lift(c, rec.id);
        osv_record_free(&rec);
        return;
    }
    osv_index_t *idx = c->idx;
    if (idx->nrecs == idx->caprecs) {
        size_t ncap = idx->caprecs ? idx->caprecs * 2 : 256;
        loaded_t *n = realloc(idx->recs, ncap * sizeof(loaded_t));
        if (n == NULL) {
            osv_record_free(&rec);
            c->oom = 1;
            return;
        }
        idx->recs = n;
        idx->caprecs = ncap;
    }
    idx->recs[idx->nrecs].rec = rec;
    idx->recs[idx->nrecs].digest = digest;
    idx->nrecs++;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int is_lifted(const load_ctx_t *c, const char *id)
{
    return c->nlifted && bsearch(&id, c->lifted, c->nlifted, sizeof(char *), cmp_str) != NULL;
}

/* the ecosystem an OSV name means ("Maven:https://…" is Maven from
 * another repository: the same names), or -1 */
static int eco_of_osv(const char *name)
{
    size_t n = strcspn(name, ":");
    for (int i = 0; i < ECO_COUNT; i++) {
        const ecosystem_t *e = ecosystems[i];
        if (e && e->osv_name && strlen(e->osv_name) == n && memcmp(e->osv_name, name, n) == 0)
            return i;
    }
    return -1;
}

static int make_key(eco_id_t eco, const char *package, char *key, size_t keylen)
{
    return (size_t)snprintf(key, keylen, "%d:%s", (int)eco, package) < keylen ? 0 : -1;
}

static entry_t *probe(const osv_index_t *idx, const char *key)
{
    if (idx == NULL || idx->nslots == 0)
        return NULL;
    size_t mask = idx->nslots - 1;
    for (size_t i = (size_t)fnv(FNV_INIT, key, strlen(key)) & mask;; i = (i + 1) & mask) {
        entry_t *e = &idx->slots[i];
        if (e->key == NULL || strcmp(e->key, key) == 0)
            return e;
    }
}

static int add_ref(osv_index_t *idx, eco_id_t eco, const char *key, const loaded_t *l, const osv_affected_t *aff)
{
    entry_t *e = probe(idx, key);
    if (e->key == NULL) {
        if ((e->key = strdup(key)) == NULL)
            return -1;
        e->eco = eco;
        idx->nused++;
    }
    for (size_t i = 0; i < e->nrefs; i++)
        if (e->refs[i].aff == aff)
            return 0;
    if (e->nrefs == e->cap) {
        size_t ncap = e->cap ? e->cap * 2 : 2;
        ref_t *n = realloc(e->refs, ncap * sizeof(ref_t));
        if (n == NULL)
            return -1;
        e->refs = n;
        e->cap = ncap;
    }
    e->refs[e->nrefs++] = (ref_t){&l->rec, aff, l->digest};
    return 0;
}

static int build_table(osv_index_t *idx, load_ctx_t *c)
{
    size_t want = 16;
    size_t naff = 0;
    for (size_t i = 0; i < idx->nrecs; i++)
        naff += idx->recs[i].rec.naffected;
    while (want < naff * 2 + 16)
        want *= 2;
    if ((idx->slots = calloc(want, sizeof(entry_t))) == NULL)
        return -1;
    idx->nslots = want;
    for (size_t i = 0; i < idx->nrecs; i++) {
        const osv_record_t *r = &idx->recs[i].rec;
        if (is_lifted(c, r->id))
            continue;
        int counted = 0;
        for (size_t j = 0; j < r->naffected; j++) {
            const osv_affected_t *a = &r->affected[j];
            int eco = eco_of_osv(a->ecosystem);
            const ecosystem_t *e = eco >= 0 ? ecosystems[eco] : NULL;
            char canon[NAME_MAX_BYTES], key[NAME_MAX_BYTES + 8];
            if (e == NULL || (e->canonical_name ? e->canonical_name(a->name, canon, sizeof(canon))
                                                : snprintf(canon, sizeof(canon), "%s", a->name) < 0) != 0)
                continue;
            if (make_key((eco_id_t)eco, canon, key, sizeof(key)) != 0)
                continue;
            if (add_ref(idx, (eco_id_t)eco, key, &idx->recs[i], a) != 0)
                return -1;
            counted = 1;
        }
        if (counted) {
            c->st->records++;
            c->st->malicious += osv_is_malicious(r) != 0;
        }
    }
    /* each package's fingerprint: its records' bytes, in any order */
    for (size_t s = 0; s < idx->nslots; s++) {
        entry_t *e = &idx->slots[s];
        if (e->key == NULL)
            continue;
        uint64_t sum = 0;
        for (size_t k = 0; k < e->nrefs; k++)
            sum += fnv(FNV_INIT, &e->refs[k].digest, sizeof(e->refs[k].digest));
        snprintf(e->fp, sizeof(e->fp), "%016llx", (unsigned long long)sum);
    }
    return 0;
}

osv_index_t *osv_index_load(const char *dir, osv_load_stats_t *st, osv_warn_fn warn)
{
    memset(st, 0, sizeof(*st));
    osv_index_t *idx = calloc(1, sizeof(*idx));
    if (idx == NULL)
        return NULL;
    load_ctx_t c = {.idx = idx, .st = st, .warn = warn};
    if (dir != NULL)
        walk(dir, load_file, &c);
    if (c.nlifted)
        qsort(c.lifted, c.nlifted, sizeof(char *), cmp_str);
    int rc = c.oom ? -1 : build_table(idx, &c);
    for (size_t i = 0; i < c.nlifted; i++)
        free(c.lifted[i]);
    free(c.lifted);
    if (rc != 0) {
        osv_index_free(idx);
        return NULL;
    }
    return idx;
}

void osv_index_free(osv_index_t *idx)
{
    if (idx == NULL)
        return;
    for (size_t s = 0; s < idx->nslots; s++) {
        free(idx->slots[s].key);
        free(idx->slots[s].refs);
    }
    free(idx->slots);
    for (size_t i = 0; i < idx->nrecs; i++)
        osv_record_free(&idx->recs[i].rec);
    free(idx->recs);
    free(idx);
}

/* ---- lookups ---- */

static const entry_t *find(const osv_index_t *idx, eco_id_t eco, const char *package)
{
    char key[NAME_MAX_BYTES + 8];
    if (idx == NULL || idx->nused == 0 || package == NULL || make_key(eco, package, key, sizeof(key)) != 0)
        return NULL;
    const entry_t *e = probe(idx, key);
    return e && e->key ? e : NULL;
}

static osv_cmp_fn order_of(eco_id_t eco)
{
    const ecosystem_t *e = eco < ECO_COUNT ? ecosystems[eco] : NULL;
    return e && e->version_compare ? e->version_compare : (osv_cmp_fn)strcmp;
}

int osv_index_malicious(const osv_index_t *idx, eco_id_t eco, const char *package, const char *version,
                        osv_hit_t *hit)
{
    const entry_t *e = find(idx, eco, package);
    if (e == NULL || version == NULL)
        return 0;
    osv_cmp_fn cmp = order_of(eco);
    for (size_t i = 0; i < e->nrefs; i++) {
        const ref_t *r = &e->refs[i];
        if (!osv_is_malicious(r->rec) || !osv_affected_has(r->aff, version, cmp))
            continue;
        if (hit) {
            snprintf(hit->id, sizeof(hit->id), "%s", r->rec->id);
            snprintf(hit->summary, sizeof(hit->summary), "%s", r->rec->summary ? r->rec->summary : "");
        }
        return 1;
    }
    return 0;
}

size_t osv_index_fixed_by(const osv_index_t *idx, eco_id_t eco, const char *package, const char *version,
                          char ids[][OSV_ID_MAX], size_t max)
{
    const entry_t *e = find(idx, eco, package);
    size_t n = 0;
    if (e == NULL || version == NULL)
        return 0;
    osv_cmp_fn cmp = order_of(eco);
    for (size_t i = 0; i < e->nrefs && n < max; i++) {
        const ref_t *r = &e->refs[i];
        if (!osv_is_malicious(r->rec) && osv_affected_fixed_in(r->aff, version, cmp))
            snprintf(ids[n++], OSV_ID_MAX, "%s", r->rec->id);
    }
    return n;
}

int osv_index_affects(const osv_index_t *idx, eco_id_t eco, const char *package, const char *id,
                      const char *version)
{
    const entry_t *e = find(idx, eco, package);
    if (e == NULL || version == NULL)
        return 0;
    osv_cmp_fn cmp = order_of(eco);
    for (size_t i = 0; i < e->nrefs; i++)
        if (strcmp(e->refs[i].rec->id, id) == 0 && osv_affected_has(e->refs[i].aff, version, cmp))
            return 1;
    return 0;
}

void osv_index_package_fp(const osv_index_t *idx, eco_id_t eco, const char *package, char out[17])
{
    const entry_t *e = find(idx, eco, package);
    snprintf(out, 17, "%s", e ? e->fp : "----------------");
}
