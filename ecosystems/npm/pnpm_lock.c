/* pnpm_lock: pnpm-lock.yaml, lockfileVersion 6.x and 9.x, read with
 * libyaml's event API (a stream of events, no document tree: memory stays
 * at the few strings kept per package).
 *
 *   6.x  packages keyed "/name@version" or "/@scope/name@version", with a
 *        peer suffix "(react@18.0.0)" (or "(patch_hash=…)") when resolved
 *        against peers: one package, several keys. resolution: {integrity,
 *        tarball?}; dev: true/false (absent: both). Direct dependencies in
 *        importers (workspaces) or, for a single project, in top-level
 *        dependencies/devDependencies/optionalDependencies; each is
 *        {specifier, version}.
 *   9.x  packages keyed "name@version" (resolution, metadata), snapshots
 *        keyed "name@version(peers…)" (the dependency graph). No dev flag:
 *        dev = a direct dependency that importers list only under
 *        devDependencies; 0 otherwise.
 *
 * Direct = named by any importer ("." and every workspace: all are the
 * project's own package.json files). Aliases ("alias: /real@1.0.0" in 6,
 * "real@1.0.0" in 9) resolve to the real package. Local code (link:, file:,
 * a directory resolution) is left out; git and tarball packages carry
 * "name"/"version" fields and give their tarball or "<repo>#<commit>" as
 * resolved.
 * pnpm records no download URL for registry packages: resolved "".
 *
 * Completeness: every dependency reference (importers, packages in 6,
 * snapshots in 9) must have its entry, and in 9 every package a snapshot;
 * with the final newline pnpm always writes, this catches a file cut
 * anywhere (libyaml alone accepts a block document cut at a line end).
 * Several YAML documents (pnpm 10 puts its own and config dependencies in
 * a first one) are each read the same way. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/lock_internal.h"
#include "ecosystems/lock_formats.h"
#include "ecosystems/eco_ids.h"

#define WHAT "pnpm-lock.yaml"
#define MAX_FRAMES 64

enum {
    P_TOP,
    P_IMPORTERS,
    P_IMPORTER,
    P_DEPSECT,
    P_DEPSPEC,
    P_PACKAGES,
    P_PKG,
    P_RESOLUTION,
    P_PKGDEPS,
    P_SNAPSHOTS,
    P_SNAP
};
enum {
    F_OTHER,
    F_LOCKVER,
    F_IMPORTERS,
    F_DEPS,
    F_DEVDEPS,
    F_OPTDEPS,
    F_PACKAGES,
    F_SNAPSHOTS,
    F_VERSION,
    F_RESOLUTION,
    F_DEV,
    F_NAME,
    F_INTEGRITY,
    F_TARBALL,
    F_DIRECTORY,
    F_TYPE,
    F_REPO,
    F_COMMIT
};
enum { T_MAP, T_SEQ, T_SCALAR };

typedef struct pkg {
    char *key;
    char *name, *version, *integrity, *tarball, *repo, *commit;
    int has_resolution, directory;
    int dev; /* -1 not said */
    int line;
    int direct, ref_dev, ref_prod, has_snapshot;
} pkg_t;

typedef struct snap {
    char *key;
    int line;
} snap_t;

typedef struct pref {
    char *name, *ref;
    int line;
    int section; /* F_DEPS/F_DEVDEPS/F_OPTDEPS for an importer; 0 a package's (or snapshot's) own */
    char *owner; /* for messages: the importer path or the package key (shared, not owned) */
} pref_t;

typedef struct frame {
    int kind;
    int expect_key;
    int field;
    char *key;   /* keyed maps: the key just read (importer path, dependency name) */
    char *owner; /* P_DEPSECT/P_DEPSPEC/P_PKGDEPS: the importer path or entry key (not owned) */
    long ent;    /* P_PKG/P_RESOLUTION: the package */
    int section; /* P_DEPSECT/P_DEPSPEC: F_DEPS/F_DEVDEPS/F_OPTDEPS */
    char *spec_version;
    int line;
} frame_t;

typedef struct pparser {
    lock_builder_t *b;
    frame_t st[MAX_FRAMES];
    int depth;
    size_t skip;
    int root_seen;
    char *lockver;
    int lockver_line;
    int has_importers;
    pkg_t *pkgs;
    size_t npkgs, cappkgs;
    snap_t *snaps;
    size_t nsnaps, capsnaps;
    pref_t *refs;
    size_t nrefs, caprefs;
    char **owners; /* importer paths, kept for pref_t.owner */
    size_t nowners, capowners;
} pparser_t;

static int oom(pparser_t *pp) { return lock_fail(pp->b, 0, 0, WHAT ": out of memory"); }

static void *grow(void *v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return v;
    size_t nc = *cap ? *cap * 2 : 64;
    void *nv = realloc(v, nc * elem);
    if (nv)
        *cap = nc;
    return nv;
}

static void doc_reset(pparser_t *pp)
{
    for (int i = 0; i < pp->depth; i++) {
        free(pp->st[i].key);
        free(pp->st[i].spec_version);
    }
    pp->depth = 0;
    pp->skip = 0;
    pp->root_seen = 0;
    free(pp->lockver);
    pp->lockver = NULL;
    pp->has_importers = 0;
    for (size_t i = 0; i < pp->npkgs; i++) {
        pkg_t *k = &pp->pkgs[i];
        free(k->key);
        free(k->name);
        free(k->version);
        free(k->integrity);
        free(k->tarball);
        free(k->repo);
        free(k->commit);
    }
    pp->npkgs = 0;
    for (size_t i = 0; i < pp->nsnaps; i++)
        free(pp->snaps[i].key);
    pp->nsnaps = 0;
    for (size_t i = 0; i < pp->nrefs; i++) {
        free(pp->refs[i].name);
        free(pp->refs[i].ref);
    }
    pp->nrefs = 0;
    for (size_t i = 0; i < pp->nowners; i++)
        free(pp->owners[i]);
    pp->nowners = 0;
}

static int push(pparser_t *pp, int kind, int line)
{
    if (pp->depth == MAX_FRAMES)
        return lock_fail(pp->b, line, 0, WHAT ": nested too deeply");
    frame_t *f = &pp->st[pp->depth++];
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->expect_key = 1;
    f->ent = -1;
    f->line = line;
    return 0;
}

static int add_ref(pparser_t *pp, const char *name, const char *ref, int line, int section, char *owner)
{
    pref_t *nr = grow(pp->refs, &pp->caprefs, pp->nrefs, sizeof(*nr));
    if (nr == NULL)
        return oom(pp);
    pp->refs = nr;
    pref_t *r = &pp->refs[pp->nrefs];
    r->name = strdup(name);
    r->ref = strdup(ref);
    r->line = line;
    r->section = section;
    r->owner = owner;
    if (r->name == NULL || r->ref == NULL) {
        free(r->name);
        free(r->ref);
        return oom(pp);
    }
    pp->nrefs++;
    return 0;
}

static int field_of(int kind, const char *k)
{
    switch (kind) {
    case P_TOP:
        if (!strcmp(k, "lockfileVersion"))
            return F_LOCKVER;
        if (!strcmp(k, "importers"))
            return F_IMPORTERS;
        if (!strcmp(k, "packages"))
            return F_PACKAGES;
        if (!strcmp(k, "snapshots"))
            return F_SNAPSHOTS;
        /* a single project's (6.x) dependency sections, as an importer's */
        __attribute__((fallthrough));
    case P_IMPORTER:
        if (!strcmp(k, "dependencies"))
            return F_DEPS;
        if (!strcmp(k, "devDependencies"))
            return F_DEVDEPS;
        if (!strcmp(k, "optionalDependencies"))
            return F_OPTDEPS;
        return F_OTHER;
    case P_DEPSPEC: return !strcmp(k, "version") ? F_VERSION : F_OTHER;
    case P_PKG:
        if (!strcmp(k, "resolution"))
            return F_RESOLUTION;
        if (!strcmp(k, "dev"))
            return F_DEV;
        if (!strcmp(k, "name"))
            return F_NAME;
        if (!strcmp(k, "version"))
            return F_VERSION;
        __attribute__((fallthrough));
    case P_SNAP:
        if (!strcmp(k, "dependencies") || !strcmp(k, "optionalDependencies"))
            return F_DEPS;
        return F_OTHER;
    case P_RESOLUTION:
        if (!strcmp(k, "integrity"))
            return F_INTEGRITY;
        if (!strcmp(k, "tarball"))
            return F_TARBALL;
        if (!strcmp(k, "directory"))
            return F_DIRECTORY;
        if (!strcmp(k, "type"))
            return F_TYPE;
        if (!strcmp(k, "repo"))
            return F_REPO;
        if (!strcmp(k, "commit"))
            return F_COMMIT;
        return F_OTHER;
    default: return F_OTHER;
    }
}

static int on_key(pparser_t *pp, frame_t *f, const char *k, int line)
{
    switch (f->kind) {
    case P_IMPORTERS:
    case P_DEPSECT:
    case P_PKGDEPS:
        free(f->key);
        f->key = strdup(k);
        f->line = line;
        return f->key ? 0 : oom(pp);
    case P_PACKAGES: {
        pkg_t *nv = grow(pp->pkgs, &pp->cappkgs, pp->npkgs, sizeof(*nv));
        if (nv == NULL)
            return oom(pp);
        pp->pkgs = nv;
        pkg_t *p = &pp->pkgs[pp->npkgs];
        memset(p, 0, sizeof(*p));
        p->dev = -1;
        p->line = line;
        if ((p->key = strdup(k)) == NULL)
            return oom(pp);
        f->ent = (long)pp->npkgs++;
        return 0;
    }
    case P_SNAPSHOTS: {
        snap_t *nv = grow(pp->snaps, &pp->capsnaps, pp->nsnaps, sizeof(*nv));
        if (nv == NULL)
            return oom(pp);
        pp->snaps = nv;
        pp->snaps[pp->nsnaps].line = line;
        if ((pp->snaps[pp->nsnaps].key = strdup(k)) == NULL)
            return oom(pp);
        f->ent = (long)pp->nsnaps++;
        return 0;
    }
    default: f->field = field_of(f->kind, k); return 0;
    }
}

static int set_str(pparser_t *pp, char **slot, const char *v)
{
    free(*slot);
    *slot = strdup(v);
    return *slot ? 0 : oom(pp);
}

static const char *type_name(int t) { return t == T_MAP ? "a mapping" : t == T_SEQ ? "a list" : "a single value"; }

/* A frame's handler returns 0 (took the value), -1 (failed: the builder
 * says why) or LEFT: a value nobody reads, skipped with what it holds. */
enum { LEFT = 1 };

/* a frame for a mapping that opens now, inheriting what its messages and
 * references name; 0 or -1 */
static int push_in(pparser_t *pp, int kind, int line, char *owner, int section, long ent)
{
    if (push(pp, kind, line) != 0)
        return -1;
    frame_t *g = &pp->st[pp->depth - 1];
    g->owner = owner;
    g->section = section;
    g->ent = ent;
    return 0;
}

static int is_dep_section(int field) { return field == F_DEPS || field == F_DEVDEPS || field == F_OPTDEPS; }

/* the document's top level: lockfileVersion and the sections */
static int top_value(pparser_t *pp, int field, int type, const char *v, int line, int col)
{
    if (field == F_LOCKVER) {
        if (type != T_SCALAR)
            return lock_fail(pp->b, line, col, WHAT ": lockfileVersion is %s", type_name(type));
        pp->lockver_line = line;
        return set_str(pp, &pp->lockver, v);
    }
    if (type == T_MAP && field == F_IMPORTERS) {
        pp->has_importers = 1;
        return push(pp, P_IMPORTERS, line);
    }
    if (type == T_MAP && is_dep_section(field))
        return push_in(pp, P_DEPSECT, line, ".", field, -1);
    if (type == T_MAP && field == F_PACKAGES)
        return push(pp, P_PACKAGES, line);
    if (type == T_MAP && field == F_SNAPSHOTS)
        return push(pp, P_SNAPSHOTS, line);
    /* pnpm writes a section only when it has something: an empty one is a cut */
    if (field >= F_IMPORTERS && field <= F_SNAPSHOTS)
        return lock_fail(pp->b, line, col, WHAT ": a top-level section is %s, not a mapping%s", type_name(type),
                         type == T_SCALAR ? " (truncated?)" : "");
    return LEFT;
}

/* importers: path → the importer's mapping; its path is kept for messages */
static int importers_value(pparser_t *pp, frame_t *f, int type, int line, int col)
{
    if (type != T_MAP)
        return lock_fail(pp->b, line, col, WHAT ": importer %.200s is %s, not a mapping", f->key, type_name(type));
    char **no = grow(pp->owners, &pp->capowners, pp->nowners, sizeof(*no));
    if (no == NULL)
        return oom(pp);
    pp->owners = no;
    pp->owners[pp->nowners++] = f->key;
    char *owner = f->key;
    f->key = NULL;
    return push_in(pp, P_IMPORTER, line, owner, 0, -1);
}

/* one importer: its dependency sections */
static int importer_value(pparser_t *pp, frame_t *f, int field, int type, int line, int col)
{
    if (!is_dep_section(field))
        return LEFT;
    if (type == T_MAP)
        return push_in(pp, P_DEPSECT, line, f->owner, field, -1);
    return lock_fail(pp->b, line, col, WHAT ": importer %.200s: a dependency section is %s, not a mapping%s",
                     f->owner, type_name(type), type == T_SCALAR ? " (truncated?)" : "");
}

/* a dependency section: name → {specifier, version} (or, before 6, the version) */
static int depsect_value(pparser_t *pp, frame_t *f, int type, const char *v, int line, int col)
{
    if (type == T_SCALAR) /* "name: version", the pre-6 shape */
        return add_ref(pp, f->key, v, f->line, f->section, f->owner);
    if (type != T_MAP)
        return lock_fail(pp->b, line, col, WHAT ": importer %.200s: dependency %.200s is a list", f->owner, f->key);
    char *name = f->key;
    f->key = NULL;
    if (push_in(pp, P_DEPSPEC, f->line, f->owner, f->section, -1) != 0) {
        free(name);
        return -1;
    }
    pp->st[pp->depth - 1].key = name; /* the reference is added when the mapping ends (on_end) */
    return 0;
}

/* {specifier, version}: the version is kept */
static int depspec_value(pparser_t *pp, frame_t *f, int field, int type, const char *v, int line, int col)
{
    if (field != F_VERSION)
        return LEFT;
    if (type != T_SCALAR)
        return lock_fail(pp->b, line, col, WHAT ": importer %.200s: dependency %.200s: version is %s", f->owner,
                         f->key, type_name(type));
    return set_str(pp, &f->spec_version, v);
}

/* packages / snapshots: key → the entry's mapping */
static int entries_value(pparser_t *pp, frame_t *f, int type, int line, int col)
{
    int pkgs = f->kind == P_PACKAGES;
    char *key = pkgs ? pp->pkgs[f->ent].key : pp->snaps[f->ent].key;
    if (type == T_MAP)
        return push_in(pp, pkgs ? P_PKG : P_SNAP, line, key, 0, f->ent);
    if (type == T_SEQ)
        return lock_fail(pp->b, line, col, WHAT ": %s entry %.200s is a list", pkgs ? "packages" : "snapshots", key);
    return LEFT; /* an empty entry: checked when the document ends */
}

/* a packages entry: resolution, dev, name, version, its dependencies */
static int pkg_value(pparser_t *pp, frame_t *f, int field, int type, const char *v, int line, int col)
{
    lock_builder_t *b = pp->b;
    pkg_t *p = &pp->pkgs[f->ent];
    if (field == F_RESOLUTION) {
        if (type != T_MAP)
            return lock_fail(b, line, col, WHAT ": packages entry %.200s: resolution is %s, not a mapping", p->key,
                             type_name(type));
        p->has_resolution = 1;
        return push_in(pp, P_RESOLUTION, line, NULL, 0, f->ent);
    }
    if (field == F_DEV || field == F_NAME || field == F_VERSION) {
        if (type != T_SCALAR)
            return lock_fail(b, line, col, WHAT ": packages entry %.200s: %s is %s", p->key,
                             field == F_DEV    ? "dev"
                             : field == F_NAME ? "name"
                                               : "version",
                             type_name(type));
        if (field == F_DEV) {
            if (strcmp(v, "true") && strcmp(v, "false"))
                return lock_fail(b, line, col, WHAT ": packages entry %.200s: dev is '%.40s', not true or false",
                                 p->key, v);
            p->dev = v[0] == 't';
            return 0;
        }
        return set_str(pp, field == F_NAME ? &p->name : &p->version, v);
    }
    if (field == F_DEPS && type == T_MAP)
        return push_in(pp, P_PKGDEPS, line, f->owner, 0, -1);
    return LEFT;
}

/* a snapshots entry: only its dependencies */
static int snap_value(pparser_t *pp, frame_t *f, int field, int type, int line)
{
    if (field == F_DEPS && type == T_MAP)
        return push_in(pp, P_PKGDEPS, line, f->owner, 0, -1);
    return LEFT;
}

/* resolution: integrity, tarball, a git repo and commit, or a directory */
static int resolution_value(pparser_t *pp, frame_t *f, int field, int type, const char *v)
{
    pkg_t *p = &pp->pkgs[f->ent];
    if (type != T_SCALAR)
        return LEFT;
    if (field == F_INTEGRITY)
        return set_str(pp, &p->integrity, v);
    if (field == F_TARBALL)
        return set_str(pp, &p->tarball, v);
    if (field == F_REPO)
        return set_str(pp, &p->repo, v);
    if (field == F_COMMIT)
        return set_str(pp, &p->commit, v);
    if (field == F_DIRECTORY || (field == F_TYPE && !strcmp(v, "directory")))
        p->directory = 1;
    return 0;
}

/* a package's or snapshot's dependencies: name → version */
static int pkgdeps_value(pparser_t *pp, frame_t *f, int type, const char *v, int line, int col)
{
    if (type != T_SCALAR)
        return lock_fail(pp->b, line, col, WHAT ": %.200s: dependency %.200s is %s, not a version", f->owner, f->key,
                         type_name(type));
    return add_ref(pp, f->key, v, line, 0, f->owner);
}

/* a value starts: a scalar, or the opening of a mapping or list; the
 * handler of the frame it is in takes it */
static int on_value(pparser_t *pp, int type, const char *v, int line, int col)
{
    if (pp->depth == 0) {
        if (pp->root_seen)
            return lock_fail(pp->b, line, col, WHAT ": a second top-level value");
        pp->root_seen = 1;
        if (type != T_MAP)
            return lock_fail(pp->b, line, col, WHAT ": the document is %s, not a mapping", type_name(type));
        return push(pp, P_TOP, line);
    }
    frame_t *f = &pp->st[pp->depth - 1];
    int field = f->field, rc;
    f->field = F_OTHER;
    switch (f->kind) {
    case P_TOP: rc = top_value(pp, field, type, v, line, col); break;
    case P_IMPORTERS: rc = importers_value(pp, f, type, line, col); break;
    case P_IMPORTER: rc = importer_value(pp, f, field, type, line, col); break;
    case P_DEPSECT: rc = depsect_value(pp, f, type, v, line, col); break;
    case P_DEPSPEC: rc = depspec_value(pp, f, field, type, v, line, col); break;
    case P_PACKAGES:
    case P_SNAPSHOTS: rc = entries_value(pp, f, type, line, col); break;
    case P_PKG: rc = pkg_value(pp, f, field, type, v, line, col); break;
    case P_SNAP: rc = snap_value(pp, f, field, type, line); break;
    case P_RESOLUTION: rc = resolution_value(pp, f, field, type, v); break;
    case P_PKGDEPS: rc = pkgdeps_value(pp, f, type, v, line, col); break;
    default: rc = LEFT;
    }
    if (rc != LEFT)
        return rc;
    if (type != T_SCALAR)
        pp->skip = 1;
    return 0;
}

static int on_end(pparser_t *pp)
{
    if (pp->skip) {
        pp->skip--;
        return 0;
    }
    if (pp->depth == 0)
        return 0;
    frame_t *f = &pp->st[pp->depth - 1];
    int rc = 0;
    if (f->kind == P_DEPSPEC) {
        if (f->spec_version == NULL || f->spec_version[0] == '\0')
            rc = lock_fail(pp->b, f->line, 0, WHAT ": importer %.200s: dependency %.200s has no version", f->owner,
                           f->key);
        else
            rc = add_ref(pp, f->key, f->spec_version, f->line, f->section, f->owner);
    }
    free(f->key);
    free(f->spec_version);
    pp->depth--;
    return rc;
}

/* ---- the end of a document: check the graph, emit the packages ---- */

static int cmp_pkg(const void *a, const void *b) { return strcmp(((const pkg_t *)a)->key, ((const pkg_t *)b)->key); }
static int cmp_snap(const void *a, const void *b) { return strcmp(((const snap_t *)a)->key, ((const snap_t *)b)->key); }

static pkg_t *find_pkg(pparser_t *pp, const char *key)
{
    pkg_t k = {.key = (char *)key};
    return pp->npkgs ? bsearch(&k, pp->pkgs, pp->npkgs, sizeof(pkg_t), cmp_pkg) : NULL;
}

static snap_t *find_snap(pparser_t *pp, const char *key)
{
    snap_t k = {.key = (char *)key};
    return pp->nsnaps ? bsearch(&k, pp->snaps, pp->nsnaps, sizeof(snap_t), cmp_snap) : NULL;
}

/* "name@1.0.0(react@18.0.0)" → "name@1.0.0" (into out) */
static void strip_peers(const char *key, char *out, size_t outlen)
{
    const char *at = key[0] ? strchr(key + 1, '@') : NULL;
    const char *paren = strchr(at ? at : key, '(');
    size_t n = paren ? (size_t)(paren - key) : strlen(key);
    snprintf(out, outlen, "%.*s", (int)n, key);
}

/* the package a reference (name: ref) points at; NULL when missing */
static pkg_t *resolve(pparser_t *pp, int v9, const pref_t *r, char *buf, size_t buflen)
{
    const char *cands[2];
    char a[2048];
    snprintf(a, sizeof(a), v9 ? "%s@%s" : "/%s@%s", r->name, r->ref);
    cands[0] = a;
    cands[1] = r->ref;
    for (int i = 0; i < 2; i++) {
        if (!v9) {
            pkg_t *p = find_pkg(pp, cands[i]);
            if (p)
                return p;
            continue;
        }
        snap_t *s = find_snap(pp, cands[i]);
        if (s == NULL)
            continue;
        strip_peers(s->key, buf, buflen);
        return find_pkg(pp, buf);
    }
    return NULL;
}

static int is_local(const char *ref) { return !strncmp(ref, "link:", 5); }

static int finish_doc(pparser_t *pp)
{
    lock_builder_t *b = pp->b;
    if (!pp->root_seen)
        return 0; /* an empty document */
    if (pp->lockver == NULL)
        return lock_fail(b, 0, 0, WHAT ": no lockfileVersion (is this a pnpm-lock.yaml?)");
    const char *lv = pp->lockver;
    int v9 = lv[0] == '9';
    int known = (lv[0] == '6' || lv[0] == '9') &&
                (lv[1] == '\0' || (lv[1] == '.' && lv[2] && strspn(lv + 2, "0123456789") == strlen(lv + 2)));
    if (!known)
        return lock_fail(b, pp->lockver_line, 0, WHAT ": unknown lockfileVersion '%.40s' (cordon reads 6.x and 9.x)",
                         lv);
    /* 9.x always has importers (an empty project: ".: {}"); 6.x has none for a single project */
    if (v9 && !pp->has_importers)
        return lock_fail(b, 0, 0, WHAT ": lockfileVersion %s but no importers (truncated?)", lv);
    if (pp->npkgs > 1)
        qsort(pp->pkgs, pp->npkgs, sizeof(pkg_t), cmp_pkg);
    if (pp->nsnaps > 1)
        qsort(pp->snaps, pp->nsnaps, sizeof(snap_t), cmp_snap);
    char buf[2048];
    if (v9) {
        for (size_t i = 0; i < pp->nsnaps; i++) {
            strip_peers(pp->snaps[i].key, buf, sizeof(buf));
            pkg_t *p = find_pkg(pp, buf);
            if (p == NULL)
                return lock_fail(b, pp->snaps[i].line, 0, WHAT ": snapshot %.200s has no entry in packages",
                                 pp->snaps[i].key);
            p->has_snapshot = 1;
        }
    }
    for (size_t i = 0; i < pp->nrefs; i++) {
        const pref_t *r = &pp->refs[i];
        if (is_local(r->ref))
            continue;
        pkg_t *p = resolve(pp, v9, r, buf, sizeof(buf));
        if (p == NULL) {
            if (r->section)
                return lock_fail(b, r->line, 0,
                                 WHAT ": importer %.200s: dependency %.200s (%.200s) has no entry in %s (truncated?)",
                                 r->owner, r->name, r->ref, v9 ? "snapshots" : "packages");
            return lock_fail(b, r->line, 0, WHAT ": %.200s: dependency %.200s (%.200s) has no entry in %s (truncated?)",
                             r->owner, r->name, r->ref, v9 ? "snapshots" : "packages");
        }
        if (r->section) {
            p->direct = 1;
            if (r->section == F_DEVDEPS)
                p->ref_dev = 1;
            else
                p->ref_prod = 1;
        }
    }
    for (size_t i = 0; i < pp->npkgs; i++) {
        pkg_t *p = &pp->pkgs[i];
        if (v9 && !p->has_snapshot)
            return lock_fail(b, p->line, 0, WHAT ": packages entry %.200s has no snapshot (truncated?)", p->key);
        if (!p->has_resolution)
            return lock_fail(b, p->line, 0, WHAT ": packages entry %.200s has no resolution", p->key);
        if (strlen(p->key) >= 1024)
            return lock_fail(b, p->line, 0, WHAT ": packages entry %.100s... is too long", p->key);
        const char *key = p->key;
        if (!v9 && key[0] == '/')
            key++;
        const char *at = key[0] ? strchr(key + 1, '@') : NULL;
        if (p->directory || !strncmp(key, "file:", 5) || !strncmp(key, "link:", 5) ||
            (at && (!strncmp(at + 1, "file:", 5) || !strncmp(at + 1, "link:", 5))))
            continue; /* local code */
        char namebuf[1024], version[256];
        const char *name = namebuf;
        if (p->name && p->version) {
            name = p->name;
            snprintf(version, sizeof(version), "%s", p->version);
        } else {
            if (at == NULL || (!v9 && p->key[0] != '/'))
                return lock_fail(b, p->line, 0,
                                 WHAT ": packages entry %.200s is not %sNAME@VERSION and has no name and version",
                                 p->key, v9 ? "" : "/");
            snprintf(namebuf, sizeof(namebuf), "%.*s", (int)(at - key), key);
            strip_peers(key, buf, sizeof(buf));
            snprintf(version, sizeof(version), "%s", buf + (at - key) + 1);
            if (p->version) /* a git or tarball package: the key's "version" is a URL */
                snprintf(version, sizeof(version), "%s", p->version);
            else if (version[0] == '\0' || strpbrk(version, ":/"))
                return lock_fail(b, p->line, 0, WHAT ": packages entry %.200s has no version", p->key);
        }
        /* a git package: "<repo>#<commit>" */
        char *resolved = NULL;
        if (p->tarball)
            resolved = strdup(p->tarball);
        else if (p->repo &&
                 asprintf(&resolved, "%s%s%s", p->repo, p->commit ? "#" : "", p->commit ? p->commit : "") < 0)
            resolved = NULL;
        if ((p->tarball || p->repo) && resolved == NULL)
            return oom(pp);
        int dev = v9 ? (p->direct && p->ref_dev && !p->ref_prod) : p->dev == 1;
        int rc = lock_add(b, ECO_NPM, name, version, p->integrity, resolved, p->direct, dev, p->line);
        free(resolved);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int lock_parse_pnpm(lock_builder_t *b, const char *text, size_t len)
{
    if (len == 0)
        return lock_fail(b, 0, 0, WHAT ": the file is empty");
    if (text[len - 1] != '\n') {
        int n = 1;
        for (const char *s = text; (s = memchr(s, '\n', (size_t)(text + len - s))) != NULL; s++)
            n++;
        return lock_fail(b, n, 0, WHAT ": the last line has no line end: the file looks truncated");
    }
    pparser_t pp;
    memset(&pp, 0, sizeof(pp));
    pp.b = b;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return lock_fail(b, 0, 0, WHAT ": out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = 0, docs = 0, done = 0;
    while (rc == 0 && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = lock_fail(b, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1,
                           WHAT ": not valid YAML: %s%s%s", parser.problem ? parser.problem : "parse error",
                           parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
        frame_t *f = pp.depth ? &pp.st[pp.depth - 1] : NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT: doc_reset(&pp); break;
        case YAML_DOCUMENT_END_EVENT:
            docs++;
            rc = finish_doc(&pp);
            doc_reset(&pp);
            break;
        case YAML_ALIAS_EVENT:
            if (!pp.skip)
                rc = lock_fail(b, line, col, WHAT ": YAML aliases (*name) are not used in pnpm-lock.yaml");
            break;
        case YAML_SCALAR_EVENT: {
            if (pp.skip)
                break;
            const char *v = (const char *)ev.data.scalar.value;
            if (strlen(v) != ev.data.scalar.length) {
                rc = lock_fail(b, line, col, WHAT ": a value contains a NUL character");
                break;
            }
            if (f && f->expect_key) {
                f->expect_key = 0;
                rc = on_key(&pp, f, v, line);
            } else {
                if (f)
                    f->expect_key = 1;
                rc = on_value(&pp, T_SCALAR, v, line, col);
            }
            break;
        }
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT: {
            int type = ev.type == YAML_MAPPING_START_EVENT ? T_MAP : T_SEQ;
            if (pp.skip) {
                pp.skip++;
                break;
            }
            if (f && f->expect_key) {
                rc = lock_fail(b, line, col, WHAT ": a %s used as a mapping key", type == T_MAP ? "mapping" : "list");
                break;
            }
            if (f)
                f->expect_key = 1;
            rc = on_value(&pp, type, NULL, line, col);
            break;
        }
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT: rc = on_end(&pp); break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    if (rc == 0 && docs == 0)
        rc = lock_fail(b, 0, 0, WHAT ": the file is empty");
    doc_reset(&pp);
    free(pp.pkgs);
    free(pp.snaps);
    free(pp.refs);
    free(pp.owners);
    yaml_parser_delete(&parser);
    return rc;
}

static int detect(const char *text, size_t len)
{
    size_t head = len < LOCK_DETECT_HEAD ? len : LOCK_DETECT_HEAD;
    return lock_contains(text, head, "lockfileVersion:") &&
           (lock_contains(text, len, "importers:") || lock_contains(text, len, "packages:") ||
            lock_contains(text, head, "dependencies:"));
}

const lock_format_def_t pnpm_lock_format = {
    .id = LOCK_PNPM, .name = "pnpm", .what = "pnpm-lock.yaml", .detect = detect, .parse = lock_parse_pnpm};
