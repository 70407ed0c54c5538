/* npm_lock: package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2
 * and 3.
 *
 *   v1     "dependencies": a tree of {version, resolved, integrity, dev,
 *          requires, dependencies} keyed by package name; the top-level
 *          members are the direct dependencies (v1 has no root entry).
 *          "version": "npm:real@1.2.3" is an alias of real@1.2.3; local
 *          ("file:") and git/URL versions name no registry pin and are left
 *          out.
 *   v2, v3 "packages": {path: entry}, paths "node_modules/a/node_modules/@s/b";
 *          the package is the last node_modules/ segment unless the entry has
 *          a "name" (aliases). "" is the root: its dependencies,
 *          devDependencies and optionalDependencies are the direct ones, and
 *          so are those of workspace members (paths outside node_modules),
 *          found as node finds them: under the member, else hoisted to the
 *          top. Links ("link": true) and the workspace members themselves
 *          are not packages. dev = "dev" or "devOptional". v2 also carries
 *          the v1 tree for old clients; "packages" wins.
 *
 * Why the streaming yajl_parse API rather than yajl_tree: a 50 MB lockfile
 * as a yajl_tree costs several hundred MB (a node per value, every key
 * copied); here nothing but the few strings kept per entry is stored. The
 * whole text still goes to yajl_parse in one call, so
 * yajl_get_bytes_consumed() inside a callback is an absolute offset (just
 * past the current token); offsets only grow, so one forward scan turns
 * them into line numbers for entries and errors.
 *
 * Entries are collected first and handed to lock_add at the end: direct
 * needs the root entry (which need not come first), and v2's two copies
 * need lockfileVersion (which need not come first either). Any syntax error,
 * truncation included, fails the whole parse. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "core/lock_internal.h"
#include "ecosystems/lock_formats.h"
#include "ecosystems/eco_ids.h"

#define WHAT "package-lock.json"
#define MAX_FRAMES 4096 /* v1 trees nest per node_modules level; far beyond any real one */

enum { T_MAP, T_ARRAY, T_STRING, T_BOOL, T_NUMBER, T_NULL };
enum { F_TOP, F_PACKAGES, F_PKG, F_DEPNAMES, F_V1DEPS, F_V1PKG };
/* the member whose value comes next: top-level keys (K_), entry fields (E_) */
enum { K_OTHER, K_LOCKVER, K_PACKAGES, K_DEPS };
enum { E_VERSION = K_DEPS + 1, E_RESOLVED, E_INTEGRITY, E_NAME, E_DEV, E_DEVOPT, E_LINK, E_DEPNAMES, E_V1DEPS };
enum { SEC_PACKAGES, SEC_V1 };

typedef struct pend {
    char *key; /* v2/3: the path; v1: the dependency name */
    char *name, *version, *resolved, *integrity;
    int dev, devopt, link;
    int line;
    long parent; /* v1: the enclosing entry, -1 at the top */
} pend_t;

typedef struct pendv {
    pend_t *v;
    size_t n, cap;
} pendv_t;

typedef struct depname {
    size_t owner; /* index into the packages section */
    char *name;
} depname_t;

typedef struct frame {
    int kind;
    int field;  /* the member whose value comes next */
    long ent;   /* F_PKG/F_V1PKG/F_DEPNAMES: the entry; F_V1DEPS: the parent entry (-1 top) */
    long child; /* F_PACKAGES/F_V1DEPS: the entry whose key was read last */
} frame_t;

typedef struct parser {
    lock_builder_t *b;
    yajl_handle h;
    const char *text; /* the whole text (offsets are from here) */
    size_t base;      /* where yajl's input starts (after a BOM) */
    /* line mapping: the line (1-based) and line start of offset lc_off */
    size_t lc_off, lc_start;
    int lc_line;
    frame_t *st;
    size_t depth, stcap;
    size_t skip; /* > 0: inside a value being skipped, nesting depth */
    int root_seen, root_done;
    int lockver; /* -1 absent, 0 not an integer we know */
    char lockver_raw[40];
    int lockver_line;
    int seen_packages, seen_deps;
    pendv_t sec[2];
    depname_t *dn;
    size_t ndn, dncap;
} parser_t;

/* ---- positions ---- */

static void where(parser_t *ps, size_t off, int *line, int *col)
{
    if (off < ps->lc_off) { /* never expected: restart from the top */
        ps->lc_off = ps->lc_start = 0;
        ps->lc_line = 1;
    }
    const char *t = ps->text;
    while (ps->lc_off < off) {
        const char *nl = memchr(t + ps->lc_off, '\n', off - ps->lc_off);
        if (nl == NULL) {
            ps->lc_off = off;
            break;
        }
        ps->lc_line++;
        ps->lc_off = ps->lc_start = (size_t)(nl - t) + 1;
    }
    *line = ps->lc_line;
    if (col)
        *col = (int)(off - ps->lc_start) + 1;
}

static int cur_line(parser_t *ps)
{
    int line;
    where(ps, ps->base + yajl_get_bytes_consumed(ps->h), &line, NULL);
    return line;
}

/* ---- storage ---- */

static int oom(parser_t *ps) { return lock_fail(ps->b, 0, 0, WHAT ": out of memory"), 0; }

static long pend_new(parser_t *ps, int sec, const unsigned char *key, size_t n, long parent)
{
    pendv_t *v = &ps->sec[sec];
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 256;
        pend_t *nv = realloc(v->v, nc * sizeof(*nv));
        if (nv == NULL)
            return -1;
        v->v = nv;
        v->cap = nc;
    }
    pend_t *p = &v->v[v->n];
    memset(p, 0, sizeof(*p));
    p->key = strndup((const char *)key, n);
    if (p->key == NULL)
        return -1;
    p->parent = parent;
    p->line = cur_line(ps);
    return (long)v->n++;
}

static void pend_free(pendv_t *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].key);
        free(v->v[i].name);
        free(v->v[i].version);
        free(v->v[i].resolved);
        free(v->v[i].integrity);
    }
    free(v->v);
    memset(v, 0, sizeof(*v));
}

static frame_t *top(parser_t *ps) { return &ps->st[ps->depth - 1]; }

static int push(parser_t *ps, int kind, long ent)
{
    if (ps->depth == MAX_FRAMES) {
        lock_fail(ps->b, cur_line(ps), 0, WHAT ": dependencies nested more than %d deep", MAX_FRAMES);
        return 0;
    }
    if (ps->depth == ps->stcap) {
        size_t nc = ps->stcap ? ps->stcap * 2 : 16;
        frame_t *ns = realloc(ps->st, nc * sizeof(*ns));
        if (ns == NULL)
            return oom(ps);
        ps->st = ns;
        ps->stcap = nc;
    }
    frame_t *f = &ps->st[ps->depth++];
    f->kind = kind;
    f->field = K_OTHER;
    f->ent = ent;
    f->child = -1;
    return 1;
}

static const char *type_name(int t)
{
    static const char *const N[] = {"an object", "an array", "a string", "a boolean", "a number", "null"};
    return N[t];
}

/* "'packages' entry node_modules/x" or "'dependencies' entry a > b" */
static void entry_label(parser_t *ps, int sec, long i, char *out, size_t outlen)
{
    if (sec == SEC_PACKAGES) {
        const char *k = ps->sec[sec].v[i].key;
        snprintf(out, outlen, "'packages' entry %.200s", k[0] ? k : "\"\" (the root)");
        return;
    }
    /* the chain from the top, at most 8 names */
    long chain[8];
    int n = 0;
    for (long j = i; j >= 0 && n < 8; j = ps->sec[sec].v[j].parent)
        chain[n++] = j;
    size_t o = (size_t)snprintf(out, outlen, "'dependencies' entry ");
    for (int k = n - 1; k >= 0 && o < outlen; k--)
        o += (size_t)snprintf(out + o, outlen - o, "%s%.100s", k == n - 1 ? "" : " > ", ps->sec[sec].v[chain[k]].key);
}

/* ---- the callbacks ---- */

static int field_of(int kind, const unsigned char *k, size_t n)
{
#define IS(s) (n == sizeof(s) - 1 && memcmp(k, s, n) == 0)
    if (kind == F_TOP)
        return IS("lockfileVersion") ? K_LOCKVER : IS("packages") ? K_PACKAGES : IS("dependencies") ? K_DEPS : K_OTHER;
    if (IS("version"))
        return E_VERSION;
    if (IS("resolved"))
        return E_RESOLVED;
    if (IS("integrity"))
        return E_INTEGRITY;
    if (IS("dev"))
        return E_DEV;
    if (kind == F_V1PKG)
        return IS("dependencies") ? E_V1DEPS : K_OTHER;
    if (IS("name"))
        return E_NAME;
    if (IS("devOptional"))
        return E_DEVOPT;
    if (IS("link"))
        return E_LINK;
    if (IS("dependencies") || IS("devDependencies") || IS("optionalDependencies"))
        return E_DEPNAMES;
    return K_OTHER;
#undef IS
}

static const char *field_name(int field)
{
    switch (field) {
    case E_VERSION: return "version";
    case E_RESOLVED: return "resolved";
    case E_INTEGRITY: return "integrity";
    case E_NAME: return "name";
    case E_DEV: return "dev";
    case E_DEVOPT: return "devOptional";
    case E_LINK: return "link";
    default: return "dependencies";
    }
}

static int is_workspace_path(const char *path)
{
    return path[0] == '\0' || (strncmp(path, "node_modules/", 13) != 0 && strstr(path, "/node_modules/") == NULL);
}

/* What a section's handler did with a value: failed (the builder says
 * why), took it, or left it (then it is skipped, nested values and all). */
enum { V_FAIL = 0, V_TAKEN = 1, V_LEFT = 2 };

/* the top-level object's members: lockfileVersion and the two sections */
static int top_value(parser_t *ps, int field, int type, const unsigned char *s, size_t n)
{
    if (field == K_LOCKVER) {
        ps->lockver_line = cur_line(ps);
        if (type != T_NUMBER && type != T_STRING) {
            lock_fail(ps->b, ps->lockver_line, 0, WHAT ": lockfileVersion is %s, not a number", type_name(type));
            return V_FAIL;
        }
        snprintf(ps->lockver_raw, sizeof(ps->lockver_raw), "%s%.*s%s", type == T_STRING ? "\"" : "",
                 (int)(n < 30 ? n : 30), (const char *)s, type == T_STRING ? "\"" : "");
        ps->lockver = 0;
        if (type == T_NUMBER && n == 1 && s[0] >= '1' && s[0] <= '3')
            ps->lockver = s[0] - '0';
        return V_TAKEN;
    }
    if (field != K_PACKAGES && field != K_DEPS)
        return V_LEFT;
    if (type != T_MAP) {
        lock_fail(ps->b, cur_line(ps), 0, WHAT ": \"%s\" is %s, not an object",
                  field == K_PACKAGES ? "packages" : "dependencies", type_name(type));
        return V_FAIL;
    }
    if (field == K_PACKAGES) {
        ps->seen_packages = 1;
        if (ps->lockver == 1 || ps->sec[SEC_PACKAGES].n) /* not read by v1 clients; a repeated key */
            return V_LEFT;
        return push(ps, F_PACKAGES, -1);
    }
    ps->seen_deps = 1;
    /* v2's copy for old clients is not needed once "packages" came */
    if (ps->lockver == 3 || (ps->lockver == 2 && ps->seen_packages) || ps->sec[SEC_V1].n)
        return V_LEFT;
    return push(ps, F_V1DEPS, -1);
}

/* "packages" / v1 "dependencies": each member is one entry, an object */
static int section_value(parser_t *ps, frame_t *f, int type)
{
    if (type != T_MAP) {
        char label[300];
        entry_label(ps, f->kind == F_PACKAGES ? SEC_PACKAGES : SEC_V1, f->child, label, sizeof(label));
        lock_fail(ps->b, cur_line(ps), 0, WHAT ": %s is %s, not an object", label, type_name(type));
        return V_FAIL;
    }
    return push(ps, f->kind == F_PACKAGES ? F_PKG : F_V1PKG, f->child);
}

/* one entry's members: the strings and flags kept, and where names of
 * direct dependencies (a workspace's) or v1's nested tree begin */
static int entry_value(parser_t *ps, frame_t *f, int field, int type, const unsigned char *s, size_t n, int bval)
{
    int sec = f->kind == F_PKG ? SEC_PACKAGES : SEC_V1;
    pend_t *p = &ps->sec[sec].v[f->ent];
    int want = -1;
    switch (field) {
    case E_VERSION:
    case E_RESOLVED:
    case E_INTEGRITY:
    case E_NAME: want = T_STRING; break;
    case E_DEV:
    case E_DEVOPT:
    case E_LINK: want = T_BOOL; break;
    case E_DEPNAMES:
        if (type == T_MAP && is_workspace_path(p->key))
            return push(ps, F_DEPNAMES, f->ent);
        return V_LEFT;
    case E_V1DEPS: want = T_MAP; break;
    default: return V_LEFT;
    }
    if (type != want) {
        char label[300];
        entry_label(ps, sec, f->ent, label, sizeof(label));
        lock_fail(ps->b, cur_line(ps), 0, WHAT ": %s: \"%s\" is %s, not %s", label, field_name(field),
                  type_name(type), type_name(want));
        return V_FAIL;
    }
    if (want == T_MAP) /* E_V1DEPS */
        return push(ps, F_V1DEPS, f->ent);
    if (want == T_BOOL) {
        *(field == E_DEV ? &p->dev : field == E_DEVOPT ? &p->devopt : &p->link) = bval;
        return V_TAKEN;
    }
    if (memchr(s, '\0', n)) {
        char label[300];
        entry_label(ps, sec, f->ent, label, sizeof(label));
        lock_fail(ps->b, cur_line(ps), 0, WHAT ": %s: \"%s\" contains a NUL character", label, field_name(field));
        return V_FAIL;
    }
    char *v = strndup((const char *)s, n);
    if (v == NULL)
        return oom(ps);
    char **slot = field == E_VERSION     ? &p->version
                  : field == E_RESOLVED  ? &p->resolved
                  : field == E_INTEGRITY ? &p->integrity
                                         : &p->name;
    free(*slot);
    *slot = v;
    return V_TAKEN;
}

/* a value starts (scalar, or the opening of a map or array): the handler
 * of the frame it is in takes it */
static int on_value(parser_t *ps, int type, const unsigned char *s, size_t n, int bval)
{
    if (ps->skip) {
        if (type == T_MAP || type == T_ARRAY)
            ps->skip++;
        return 1;
    }
    if (ps->depth == 0) {
        if (ps->root_seen) /* yajl refuses a second top-level value anyway */
            return 0;
        ps->root_seen = 1;
        if (type != T_MAP) {
            lock_fail(ps->b, cur_line(ps), 0, WHAT ": the file is %s, not a JSON object", type_name(type));
            return 0;
        }
        return push(ps, F_TOP, -1);
    }
    frame_t *f = top(ps);
    int field = f->field, r;
    f->field = K_OTHER;
    switch (f->kind) {
    case F_TOP: r = top_value(ps, field, type, s, n); break;
    case F_PACKAGES:
    case F_V1DEPS: r = section_value(ps, f, type); break;
    case F_PKG:
    case F_V1PKG: r = entry_value(ps, f, field, type, s, n, bval); break;
    default: r = V_LEFT; /* F_DEPNAMES: the values (ranges) do not matter */
    }
    if (r != V_LEFT)
        return r;
    if (type == T_MAP || type == T_ARRAY)
        ps->skip = 1;
    return 1;
}

static int cb_null(void *ctx) { return on_value(ctx, T_NULL, NULL, 0, 0); }
static int cb_bool(void *ctx, int v) { return on_value(ctx, T_BOOL, NULL, 0, v); }
static int cb_number(void *ctx, const char *s, size_t n)
{
    return on_value(ctx, T_NUMBER, (const unsigned char *)s, n, 0);
}
static int cb_string(void *ctx, const unsigned char *s, size_t n) { return on_value(ctx, T_STRING, s, n, 0); }
static int cb_start_map(void *ctx) { return on_value(ctx, T_MAP, NULL, 0, 0); }
static int cb_start_array(void *ctx) { return on_value(ctx, T_ARRAY, NULL, 0, 0); }

static int cb_end(void *ctx)
{
    parser_t *ps = ctx;
    if (ps->skip) {
        ps->skip--;
        return 1;
    }
    if (ps->depth == 0) /* cannot happen: yajl balances brackets */
        return 0;
    if (--ps->depth == 0)
        ps->root_done = 1;
    return 1;
}

static int cb_map_key(void *ctx, const unsigned char *k, size_t n)
{
    parser_t *ps = ctx;
    if (ps->skip)
        return 1;
    frame_t *f = top(ps);
    switch (f->kind) {
    case F_PACKAGES:
    case F_V1DEPS:
        if (memchr(k, '\0', n)) {
            lock_fail(ps->b, cur_line(ps), 0, WHAT ": a package key contains a NUL character");
            return 0;
        }
        f->child = pend_new(ps, f->kind == F_PACKAGES ? SEC_PACKAGES : SEC_V1, k, n, f->ent);
        return f->child < 0 ? oom(ps) : 1;
    case F_DEPNAMES:
        if (ps->ndn == ps->dncap) {
            size_t nc = ps->dncap ? ps->dncap * 2 : 64;
            depname_t *nd = realloc(ps->dn, nc * sizeof(*nd));
            if (nd == NULL)
                return oom(ps);
            ps->dn = nd;
            ps->dncap = nc;
        }
        ps->dn[ps->ndn].owner = (size_t)f->ent;
        ps->dn[ps->ndn].name = strndup((const char *)k, n);
        if (ps->dn[ps->ndn].name == NULL)
            return oom(ps);
        ps->ndn++;
        return 1;
    default: f->field = field_of(f->kind, k, n); return 1;
    }
}

static const yajl_callbacks CALLBACKS = {cb_null,      cb_bool,    NULL,   NULL,           cb_number, cb_string,
                                         cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end};

/* ---- turning the collected entries into lock entries ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int emit_packages(parser_t *ps)
{
    lock_builder_t *b = ps->b;
    pendv_t *v = &ps->sec[SEC_PACKAGES];
    /* the install paths of direct dependencies, resolved as node does: the
     * root's at node_modules/<name>; a workspace's at
     * <ws>/node_modules/<name> when that exists, else hoisted to the top */
    char **paths = malloc((v->n + 1) * sizeof(char *));
    char **direct = calloc(ps->ndn + 1, sizeof(char *));
    size_t nd = 0;
    int rc = 0;
    if (paths == NULL || direct == NULL) {
        free(paths);
        free(direct);
        return lock_fail(b, 0, 0, WHAT ": out of memory");
    }
    for (size_t i = 0; i < v->n; i++)
        paths[i] = v->v[i].key;
    if (v->n > 1)
        qsort(paths, v->n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < ps->ndn; i++) {
        const char *owner = v->v[ps->dn[i].owner].key, *name = ps->dn[i].name;
        char *path = NULL;
        if (owner[0]) {
            if (asprintf(&path, "%s/node_modules/%s", owner, name) < 0) {
                path = NULL;
                rc = -1;
                break;
            }
            if (bsearch(&path, paths, v->n, sizeof(char *), cmp_str) == NULL) {
                free(path);
                path = NULL;
            }
        }
        if (path == NULL && asprintf(&path, "node_modules/%s", name) < 0) {
            rc = -1;
            break;
        }
        direct[nd++] = path;
    }
    free(paths);
    if (rc != 0) {
        lock_fail(b, 0, 0, WHAT ": out of memory");
    } else {
        if (nd > 1)
            qsort(direct, nd, sizeof(char *), cmp_str);
        for (size_t i = 0; i < v->n && rc == 0; i++) {
            pend_t *p = &v->v[i];
            if (is_workspace_path(p->key) || p->link)
                continue;
            if (p->version == NULL || p->version[0] == '\0') {
                rc = lock_fail(b, p->line, 0, WHAT ": 'packages' entry %.200s has no version", p->key);
                break;
            }
            const char *name = p->name && p->name[0] ? p->name : NULL;
            if (name == NULL) {
                const char *last = p->key, *s;
                while ((s = strstr(last, "node_modules/")) != NULL)
                    last = s + 13;
                name = last;
                if (name[0] == '\0') {
                    rc = lock_fail(b, p->line, 0, WHAT ": 'packages' entry %.200s names no package", p->key);
                    break;
                }
            }
            const char *key = p->key;
            int is_direct = nd > 0 && bsearch(&key, direct, nd, sizeof(char *), cmp_str) != NULL;
            rc = lock_add(b, ECO_NPM, name, p->version, p->integrity, p->resolved, is_direct, p->dev || p->devopt,
                          p->line);
        }
    }
    for (size_t i = 0; i < nd; i++)
        free(direct[i]);
    free(direct);
    return rc;
}

static int emit_v1(parser_t *ps)
{
    lock_builder_t *b = ps->b;
    pendv_t *v = &ps->sec[SEC_V1];
    for (size_t i = 0; i < v->n; i++) {
        pend_t *p = &v->v[i];
        if (p->version == NULL || p->version[0] == '\0') {
            char label[300];
            entry_label(ps, SEC_V1, (long)i, label, sizeof(label));
            return lock_fail(b, p->line, 0, WHAT ": %s has no version", label);
        }
        const char *name = p->key, *version = p->version;
        char *real = NULL;
        if (strncmp(version, "npm:", 4) == 0) { /* alias: "npm:real@1.2.3" */
            const char *spec = version + 4, *at = strrchr(spec, '@');
            if (at == NULL || at == spec || at[1] == '\0') {
                char label[300];
                entry_label(ps, SEC_V1, (long)i, label, sizeof(label));
                return lock_fail(b, p->line, 0, WHAT ": %s: alias version '%.100s' is not npm:NAME@VERSION", label,
                                 version);
            }
            real = strndup(spec, (size_t)(at - spec));
            if (real == NULL)
                return lock_fail(b, 0, 0, WHAT ": out of memory");
            name = real;
            version = at + 1;
        } else if (strchr(version, ':') || strchr(version, '/')) {
            /* file:, git+ssh://…, github:u/r#sha, https://….tgz: no registry pin */
            continue;
        }
        int rc = lock_add(b, ECO_NPM, name, version, p->integrity, p->resolved, p->parent < 0, p->dev, p->line);
        free(real);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int lock_parse_npm(lock_builder_t *b, const char *text, size_t len)
{
    parser_t ps;
    memset(&ps, 0, sizeof(ps));
    ps.b = b;
    ps.text = text;
    ps.lc_line = 1;
    ps.lockver = -1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        ps.base = 3;
    size_t i = ps.base;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i == len)
        return lock_fail(b, 0, 0, WHAT ": the file is empty");
    ps.h = yajl_alloc(&CALLBACKS, NULL, &ps);
    if (ps.h == NULL)
        return lock_fail(b, 0, 0, WHAT ": out of memory");
    int rc = 0;
    yajl_status st = yajl_parse(ps.h, (const unsigned char *)text + ps.base, len - ps.base);
    size_t err_off = ps.base + yajl_get_bytes_consumed(ps.h);
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(ps.h);
        err_off = len; /* yajl counts from the (empty) last chunk */
    }
    if (b->failed) {
        rc = -1;
    } else if (st != yajl_status_ok) {
        int line, col;
        where(&ps, err_off, &line, &col);
        unsigned char *msg = yajl_get_error(ps.h, 0, (const unsigned char *)text + ps.base, len - ps.base);
        char clean[200];
        snprintf(clean, sizeof(clean), "%s", msg ? (const char *)msg : "parse error");
        if (msg)
            yajl_free_error(ps.h, msg);
        for (char *c = clean; *c; c++)
            if (*c == '\n' || *c == '\r')
                *c = ' ';
        for (size_t n = strlen(clean); n > 0 && clean[n - 1] == ' ';)
            clean[--n] = '\0';
        if (ps.root_seen && !ps.root_done && err_off >= len)
            rc = lock_fail(b, line, col, WHAT ": the file ends in the middle of the JSON (truncated?)");
        else
            rc = lock_fail(b, line, col, WHAT ": invalid JSON: %s", clean);
    } else if (!ps.root_seen) {
        rc = lock_fail(b, 0, 0, WHAT ": the file is empty");
    } else if (ps.lockver < 0) {
        rc = lock_fail(b, 0, 0, WHAT ": no lockfileVersion (is this a package-lock.json?)");
    } else if (ps.lockver == 0) {
        rc = lock_fail(b, ps.lockver_line, 0, WHAT ": unknown lockfileVersion %s (cordon reads 1, 2 and 3)",
                       ps.lockver_raw);
    } else if (ps.lockver >= 2 && ps.seen_packages) {
        rc = emit_packages(&ps);
    } else if (ps.lockver == 1 || (ps.lockver == 2 && ps.seen_deps)) {
        rc = emit_v1(&ps);
    } else {
        rc = lock_fail(b, 0, 0, WHAT ": lockfileVersion %d but no \"packages\" object (truncated?)", ps.lockver);
    }
    yajl_free(ps.h);
    pend_free(&ps.sec[0]);
    pend_free(&ps.sec[1]);
    for (size_t i = 0; i < ps.ndn; i++)
        free(ps.dn[i].name);
    free(ps.dn);
    free(ps.st);
    return rc;
}

/* a JSON object: package-lock.json when it has a lockfileVersion, else no lockfile */
static int detect(const char *text, size_t len)
{
    const char *p = lock_skip_space(text, text + len);
    if (p == text + len || *p != '{')
        return 0;
    size_t head = len < LOCK_DETECT_HEAD ? len : LOCK_DETECT_HEAD, far = len < (1u << 20) ? len : (1u << 20);
    return lock_contains(text, head, "\"lockfileVersion\"") || lock_contains(text, far, "\"lockfileVersion\"") ? 1
                                                                                                              : -1;
}

const lock_format_def_t npm_lock_format = {
    .id = LOCK_NPM, .name = "npm", .what = "package-lock.json", .detect = detect, .parse = lock_parse_npm};
