/* npm_manifest: the manifest-confusion comparison (see the header). Both
 * documents are small and capped, so each is parsed whole with yajl_tree,
 * after a pre-scan that turns away what yajl_tree would mishandle: nesting
 * deeper than MAX_NEST (yajl_tree_free recurses, and so does the
 * comparison), comments (yajl_tree accepts them, JSON.parse does not) and
 * "\u0000" (yajl_tree's C strings would end the value there, hiding
 * whatever follows).
 *
 * A compared field becomes a sorted map (duplicate keys: the last wins, as
 * in JSON.parse) after npm's publish-time normalisations; the first
 * differing key, in field order then byte order, is reported. Everything
 * allocated here is freed before returning. */
#include "ecosystems/npm/npm_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/buf.h"
#include "common/json.h"

#define DOC_MAX (4 * 1024 * 1024)
#define MAX_NEST 64
#define SHOW_MAX 80

/* ---- parsing ---- */

static const char *prescan(const char *s, size_t n)
{
    if (n > DOC_MAX)
        return "is larger than 4 MB";
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\0')
            return "is not valid JSON (NUL byte)";
        if (in_str) {
            if (c == '"') {
                in_str = 0;
            } else if (c == '\\' && i + 1 < n) {
                if (s[i + 1] == 'u' && i + 5 < n && memcmp(s + i + 2, "0000", 4) == 0)
                    return "has a \\u0000 escape";
                i++;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > MAX_NEST)
                return "nests deeper than 64 levels";
        } else if (c == ']' || c == '}') {
            depth--;
        } else if (c == '/') {
            return "is not valid JSON (comment)";
        }
    }
    return NULL;
}

/* NULL with *why set when the text is not acceptable JSON */
static yajl_val parse(const char *s, size_t n, const char **why)
{
    if (s == NULL)
        n = 0;
    if ((*why = prescan(s, n)) != NULL)
        return NULL;
    char *copy = malloc(n + 1);
    if (copy == NULL) {
        *why = "could not be parsed (out of memory)";
        return NULL;
    }
    if (n > 0)
        memcpy(copy, s, n);
    copy[n] = '\0';
    char err[128];
    yajl_val v = yajl_tree_parse(copy, err, sizeof(err));
    free(copy);
    if (v == NULL)
        *why = "is not valid JSON";
    return v;
}

/* the last member named key (JSON.parse keeps the last duplicate) */
static yajl_val member(yajl_val obj, const char *key)
{
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = obj->u.object.len; i-- > 0;)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

/* ---- maps ---- */

typedef struct kv {
    const char *k;
    yajl_val v;
    const char *s; /* the string value, normalised where the field says so; NULL: not a string */
    size_t idx;
} kv_t;

typedef struct map {
    kv_t *kv;
    size_t n;
    buf_t own; /* normalised keys and values live here, NUL-separated */
} map_t;

static void map_free(map_t *m)
{
    free(m->kv);
    buf_free(&m->own);
    memset(m, 0, sizeof(*m));
}

static int kv_cmp(const void *a, const void *b)
{
    const kv_t *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    if (c != 0)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* sorts by key and keeps the last of each duplicate */
static void map_finish(map_t *m)
{
    if (m->n < 2)
        return;
    qsort(m->kv, m->n, sizeof(kv_t), kv_cmp);
    size_t j = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (i + 1 < m->n && strcmp(m->kv[i].k, m->kv[i + 1].k) == 0)
            continue;
        m->kv[j++] = m->kv[i];
    }
    m->n = j;
}

static const kv_t *map_get(const map_t *m, const char *k)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->kv[mid].k, k);
        if (c == 0)
            return &m->kv[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* A plain map of an object's members; strings_only drops the rest (npm
 * drops non-string scripts and dependencies). -1 when out of memory. */
static int map_of(yajl_val obj, int strings_only, map_t *m)
{
    memset(m, 0, sizeof(*m));
    if (!YAJL_IS_OBJECT(obj) || obj->u.object.len == 0)
        return 0;
    m->kv = calloc(obj->u.object.len, sizeof(kv_t));
    if (m->kv == NULL)
        return -1;
    for (size_t i = 0; i < obj->u.object.len; i++) {
        yajl_val v = obj->u.object.values[i];
        if (strings_only && !YAJL_IS_STRING(v))
            continue;
        m->kv[m->n++] = (kv_t){obj->u.object.keys[i], v, YAJL_IS_STRING(v) ? v->u.string : NULL, i};
    }
    map_finish(m);
    return 0;
}

/* ---- equality ---- */

static int json_eq(yajl_val a, yajl_val b);

static int object_eq(yajl_val a, yajl_val b)
{
    map_t ma, mb;
    int eq = 0;
    if (map_of(a, 0, &ma) == 0 && map_of(b, 0, &mb) == 0) {
        eq = ma.n == mb.n;
        for (size_t i = 0; eq && i < ma.n; i++)
            eq = strcmp(ma.kv[i].k, mb.kv[i].k) == 0 && json_eq(ma.kv[i].v, mb.kv[i].v);
        map_free(&mb);
    }
    map_free(&ma);
    return eq;
}

static int json_eq(yajl_val a, yajl_val b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case yajl_t_string:
        return strcmp(a->u.string, b->u.string) == 0;
    case yajl_t_number:
        if (strcmp(a->u.number.r, b->u.number.r) == 0)
            return 1;
        return (a->u.number.flags & YAJL_NUMBER_DOUBLE_VALID) && (b->u.number.flags & YAJL_NUMBER_DOUBLE_VALID) &&
               a->u.number.d == b->u.number.d;
    case yajl_t_array:
        if (a->u.array.len != b->u.array.len)
            return 0;
        for (size_t i = 0; i < a->u.array.len; i++)
            if (!json_eq(a->u.array.values[i], b->u.array.values[i]))
                return 0;
        return 1;
    case yajl_t_object:
        return object_eq(a, b);
    default: /* true, false, null */
        return 1;
    }
}

/* ---- showing values ---- */

static void show_json(buf_t *b, yajl_val v)
{
    if (b->len > SHOW_MAX)
        return;
    switch (v->type) {
    case yajl_t_string:
        json_cstr(b, v->u.string);
        break;
    case yajl_t_number:
        buf_puts(b, v->u.number.r);
        break;
    case yajl_t_object:
        buf_putc(b, '{');
        for (size_t i = 0; i < v->u.object.len && b->len <= SHOW_MAX; i++) {
            if (i > 0)
                buf_putc(b, ',');
            json_cstr(b, v->u.object.keys[i]);
            buf_putc(b, ':');
            show_json(b, v->u.object.values[i]);
        }
        buf_putc(b, '}');
        break;
    case yajl_t_array:
        buf_putc(b, '[');
        for (size_t i = 0; i < v->u.array.len && b->len <= SHOW_MAX; i++) {
            if (i > 0)
                buf_putc(b, ',');
            show_json(b, v->u.array.values[i]);
        }
        buf_putc(b, ']');
        break;
    case yajl_t_true:
        buf_puts(b, "true");
        break;
    case yajl_t_false:
        buf_puts(b, "false");
        break;
    default:
        buf_puts(b, "null");
        break;
    }
}

/* a map value (its normalised string when it has one) or a whole value */
static void show(buf_t *b, const char *s, yajl_val v)
{
    buf_reset(b);
    if (s != NULL)
        json_cstr(b, s);
    else if (v != NULL)
        show_json(b, v);
    else
        buf_puts(b, "none");
    if (b->len > SHOW_MAX) {
        b->len = SHOW_MAX - 3;
        buf_puts(b, "...");
    }
    buf_cstr(b);
}

static void say_diff(char *diff, size_t difflen, const char *field, const char *key, const char *rs, yajl_val rv,
                     const char *ts, yajl_val tv)
{
    if (diff == NULL || difflen == 0)
        return;
    char k[SHOW_MAX + 4] = "";
    if (key != NULL) {
        size_t n = strlen(key), i;
        if (n > SHOW_MAX)
            n = SHOW_MAX;
        for (i = 0; i < n; i++)
            k[i] = ((unsigned char)key[i] < 0x20 || key[i] == 0x7f) ? '?' : key[i];
        k[i] = '\0';
        if (strlen(key) > SHOW_MAX)
            strcat(k, "...");
    }
    buf_t r, t;
    buf_init(&r);
    buf_init(&t);
    show(&r, rs, rv);
    show(&t, ts, tv);
    snprintf(diff, difflen, "%s%s%s: registry has %s, the tarball has %s", field, key ? "." : "", k,
             r.oom ? "?" : r.data, t.oom ? "?" : t.data);
    buf_free(&r);
    buf_free(&t);
}

/* ---- normalisations ---- */

/* scripts: npm strips a leading "node_modules/.bin/" at publish (its
 * pattern's '.' matches any byte, so ours does too) */
static const char *strip_bin_prefix(const char *s)
{
    const char *p = s;
    if (p[0] == '.' && (p[1] == '/' || p[1] == '\\'))
        p += 2;
    if (strncmp(p, "node_modules", 12) != 0 || (p[12] != '/' && p[12] != '\\') || p[13] == '\0' ||
        strncmp(p + 14, "bin", 3) != 0 || (p[17] != '/' && p[17] != '\\'))
        return s;
    return p + 18;
}

static int script_eq(const char *r, const char *t) { return strcmp(r, t) == 0 || strcmp(r, strip_bin_prefix(t)) == 0; }

/* bin name: the base name, '\\' and ':' being separators too; "" when
 * nothing usable is left (npm drops the entry) */
static void bin_key(const char *k, buf_t *out)
{
    size_t n = strlen(k);
    while (n > 0 && (k[n - 1] == '/' || k[n - 1] == '\\' || k[n - 1] == ':'))
        n--;
    size_t s = n;
    while (s > 0 && k[s - 1] != '/' && k[s - 1] != '\\' && k[s - 1] != ':')
        s--;
    if ((n - s == 1 && k[s] == '.') || (n - s == 2 && k[s] == '.' && k[s + 1] == '.'))
        s = n;
    buf_append(out, k + s, n - s);
}

/* bin path: joined onto "/" and normalised ("./x" -> "x", "a//b" ->
 * "a/b", "../x" -> "x"), then '\\' -> '/', without the leading "/" */
static void bin_path(const char *v, buf_t *out)
{
    size_t start = out->len;
    size_t n = strlen(v);
    for (size_t i = 0; i < n;) {
        size_t s = i;
        while (i < n && v[i] != '/')
            i++;
        size_t k = i - s;
        if (k == 2 && v[s] == '.' && v[s + 1] == '.') {
            while (out->len > start && out->data[out->len - 1] != '/')
                out->len--;
            if (out->len > start)
                out->len--;
        } else if (k > 0 && !(k == 1 && v[s] == '.')) {
            if (out->len > start)
                buf_putc(out, '/');
            buf_append(out, v + s, k);
        }
        if (i < n)
            i++;
    }
    if (out->len > start && n > 0 && v[n - 1] == '/')
        buf_putc(out, '/');
    for (size_t i = start; i < out->len; i++)
        if (out->data[i] == '\\')
            out->data[i] = '/';
}

static int bin_eq(const char *r, const char *t)
{
    if (strcmp(r, t) == 0)
        return 1;
    buf_t a, b;
    buf_init(&a);
    buf_init(&b);
    bin_path(r, &a);
    bin_path(t, &b);
    int eq = !a.oom && !b.oom && a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
    buf_free(&a);
    buf_free(&b);
    return eq;
}

/* The bin map: a string is {<name without scope>: path}; names are base
 * names; values are paths normalised once (the registry's were normalised
 * at publish, so bin_eq also tries again on both). */
static int bin_map(yajl_val doc, map_t *m)
{
    memset(m, 0, sizeof(*m));
    yajl_val bin = member(doc, "bin");
    yajl_val name = member(doc, "name");
    size_t cap = 0;
    if (YAJL_IS_STRING(bin))
        cap = YAJL_IS_STRING(name) ? 1 : 0;
    else if (YAJL_IS_OBJECT(bin))
        cap = bin->u.object.len;
    if (cap == 0)
        return 0;
    m->kv = calloc(cap, sizeof(kv_t));
    if (m->kv == NULL)
        return -1;
    /* offsets first: own's storage moves while it grows */
    size_t *off = calloc(cap * 2, sizeof(size_t));
    if (off == NULL)
        return -1;
    for (size_t i = 0; i < cap; i++) {
        const char *k = YAJL_IS_STRING(bin) ? name->u.string : bin->u.object.keys[i];
        yajl_val v = YAJL_IS_STRING(bin) ? bin : bin->u.object.values[i];
        if (!YAJL_IS_STRING(v))
            continue;
        size_t ko = m->own.len;
        bin_key(k, &m->own);
        if (m->own.len == ko)
            continue;
        buf_putc(&m->own, '\0');
        size_t vo = m->own.len;
        bin_path(v->u.string, &m->own);
        if (m->own.len == vo) {
            m->own.len = ko;
            continue;
        }
        buf_putc(&m->own, '\0');
        off[2 * m->n] = ko;
        off[2 * m->n + 1] = vo;
        m->kv[m->n++] = (kv_t){NULL, v, NULL, i};
    }
    int oom = m->own.oom;
    for (size_t i = 0; !oom && i < m->n; i++) {
        m->kv[i].k = m->own.data + off[2 * i];
        m->kv[i].s = m->own.data + off[2 * i + 1];
    }
    free(off);
    if (oom)
        return -1;
    map_finish(m);
    return 0;
}

/* ---- fields ---- */

typedef enum { F_SCRIPTS, F_DEPS, F_OPTDEPS, F_BIN } field_t;

static const char *const FIELD_NAME[] = {"scripts", "dependencies", "optionalDependencies", "bin"};

static int absent(yajl_val v) { return v == NULL || YAJL_IS_NULL(v); }

static int value_eq(field_t f, const kv_t *r, const kv_t *t)
{
    if (r->s != NULL && t->s != NULL) {
        if (f == F_SCRIPTS)
            return script_eq(r->s, t->s);
        if (f == F_BIN)
            return bin_eq(r->s, t->s);
        return strcmp(r->s, t->s) == 0;
    }
    return json_eq(r->v, t->v);
}

/* 0 equal, 1 differ (diff written), -1 out of memory */
static int compare_field(field_t f, yajl_val R, yajl_val T, int has_binding_gyp, char *diff, size_t difflen)
{
    const char *name = FIELD_NAME[f];
    yajl_val rv = member(R, name), tv = member(T, name);
    int rmap = absent(rv) || YAJL_IS_OBJECT(rv) || (f == F_BIN && YAJL_IS_STRING(rv));
    int tmap = absent(tv) || YAJL_IS_OBJECT(tv) || (f == F_BIN && YAJL_IS_STRING(tv));
    if (!rmap || !tmap) {
        /* not something npm would read as a map: compare whole */
        if (!absent(rv) && !absent(tv) && json_eq(rv, tv))
            return 0;
        say_diff(diff, difflen, name, NULL, NULL, absent(rv) ? NULL : rv, NULL, absent(tv) ? NULL : tv);
        return 1;
    }

    map_t rm, tm, topt;
    int rc = -1;
    memset(&topt, 0, sizeof(topt));
    if (f == F_BIN) {
        if (bin_map(R, &rm) != 0) {
            map_free(&rm);
            return -1;
        }
        if (bin_map(T, &tm) != 0)
            goto out;
    } else {
        int strings_only = f == F_SCRIPTS || f == F_DEPS;
        if (map_of(rv, strings_only, &rm) != 0) {
            map_free(&rm);
            return -1;
        }
        if (map_of(tv, strings_only, &tm) != 0)
            goto out;
    }
    /* older npm copied optionalDependencies into dependencies at publish */
    if (f == F_DEPS && map_of(member(T, "optionalDependencies"), 0, &topt) != 0)
        goto out;
    /* the "install" npm adds for a binding.gyp when the package has none */
    const kv_t *gyp = NULL;
    if (f == F_SCRIPTS && has_binding_gyp) {
        const kv_t *ti = map_get(&tm, "install"), *tp = map_get(&tm, "preinstall");
        yajl_val gf = member(T, "gypfile");
        const kv_t *ri = map_get(&rm, "install");
        if ((ti == NULL || ti->s[0] == '\0') && (tp == NULL || tp->s[0] == '\0') && !YAJL_IS_FALSE(gf) &&
            ri != NULL && strcmp(ri->s, "node-gyp rebuild") == 0)
            gyp = ri;
    }

    rc = 0;
    size_t i = 0, j = 0;
    while (i < rm.n || j < tm.n) {
        int c = i == rm.n ? 1 : j == tm.n ? -1 : strcmp(rm.kv[i].k, tm.kv[j].k);
        if (c < 0) {
            const kv_t *r = &rm.kv[i++], *o;
            if (r == gyp)
                continue;
            if (f == F_DEPS && (o = map_get(&topt, r->k)) != NULL && value_eq(F_OPTDEPS, r, o))
                continue;
            say_diff(diff, difflen, name, r->k, r->s, r->v, NULL, NULL);
            rc = 1;
            break;
        }
        if (c > 0) {
            const kv_t *t = &tm.kv[j++];
            say_diff(diff, difflen, name, t->k, NULL, NULL, t->s, t->v);
            rc = 1;
            break;
        }
        const kv_t *r = &rm.kv[i++], *t = &tm.kv[j++];
        if (r != gyp && !value_eq(f, r, t)) { /* gyp: the tarball's install is "" */
            say_diff(diff, difflen, name, r->k, r->s, r->v, t->s, t->v);
            rc = 1;
            break;
        }
    }
out:
    map_free(&rm);
    map_free(&tm);
    map_free(&topt);
    return rc;
}

/* name and version: the tarball must say the same; both absent is no
 * difference (there is nothing to confuse) */
static int compare_plain(const char *name, yajl_val R, yajl_val T, char *diff, size_t difflen)
{
    yajl_val rv = member(R, name), tv = member(T, name);
    if (rv == NULL && tv == NULL)
        return 0;
    if (rv != NULL && tv != NULL && json_eq(rv, tv))
        return 0;
    say_diff(diff, difflen, name, NULL, NULL, rv, NULL, tv);
    return 1;
}

int npm_manifest_compare(const char *registry, size_t rlen, const char *tarball, size_t tlen, int has_binding_gyp,
                         char *diff, size_t difflen)
{
    if (diff != NULL && difflen > 0)
        diff[0] = '\0';
    const char *why;
    yajl_val R = parse(registry, rlen, &why);
    if (R == NULL || !YAJL_IS_OBJECT(R)) {
        if (diff != NULL && difflen > 0)
            snprintf(diff, difflen, "the registry manifest %s", R == NULL ? why : "is not a JSON object");
        yajl_tree_free(R);
        return -1;
    }
    yajl_val T = parse(tarball, tlen, &why);
    if (T == NULL || !YAJL_IS_OBJECT(T)) {
        if (diff != NULL && difflen > 0)
            snprintf(diff, difflen, "the tarball's package.json %s", T == NULL ? why : "is not a JSON object");
        yajl_tree_free(T);
        yajl_tree_free(R);
        return -1;
    }
    int rc = compare_plain("name", R, T, diff, difflen);
    if (rc == 0)
        rc = compare_plain("version", R, T, diff, difflen);
    for (field_t f = F_SCRIPTS; rc == 0 && f <= F_BIN; f++)
        rc = compare_field(f, R, T, has_binding_gyp, diff, difflen);
    if (rc < 0 && diff != NULL && difflen > 0)
        snprintf(diff, difflen, "out of memory while comparing");
    yajl_tree_free(T);
    yajl_tree_free(R);
    return rc;
}

int npm_manifest_has_install_script(const char *json, size_t len)
{
    const char *why;
    yajl_val doc = parse(json, len, &why);
    if (doc == NULL)
        return -1;
    int found = 0;
    /* every "scripts" member and every duplicate key counts: another JSON
     * reader may keep a different one than JSON.parse does */
    for (size_t i = 0; YAJL_IS_OBJECT(doc) && i < doc->u.object.len && !found; i++) {
        yajl_val s = doc->u.object.values[i];
        if (strcmp(doc->u.object.keys[i], "scripts") != 0 || !YAJL_IS_OBJECT(s))
            continue;
        for (size_t j = 0; j < s->u.object.len && !found; j++) {
            const char *k = s->u.object.keys[j];
            yajl_val v = s->u.object.values[j];
            if ((strcmp(k, "preinstall") == 0 || strcmp(k, "install") == 0 || strcmp(k, "postinstall") == 0) &&
                YAJL_IS_STRING(v) && v->u.string[0] != '\0')
                found = 1;
        }
    }
    yajl_tree_free(doc);
    return found;
}

/* ---- what a package.json declares, for the version view's diff ---- */

static void deps_facts(yajl_val doc, const char *field, const char *note, contents_t *out)
{
    yajl_val d = member(doc, field);
    for (size_t i = 0; YAJL_IS_OBJECT(d) && i < d->u.object.len; i++) {
        yajl_val v = d->u.object.values[i];
        if (!YAJL_IS_STRING(v))
            continue; /* npm drops what is no string */
        char val[CONTENTS_VALUE_MAX];
        snprintf(val, sizeof(val), "%s%s", v->u.string, note);
        contents_add_fact(out, CONTENTS_DEPENDENCY, d->u.object.keys[i], val);
    }
}

void npm_manifest_facts(const char *json, size_t len, int has_binding_gyp, contents_t *out)
{
    const char *why;
    yajl_val doc = parse(json, len, &why);
    if (!YAJL_IS_OBJECT(doc)) {
        yajl_tree_free(doc);
        return;
    }
    /* optional first: npm installs a name listed in both as optional */
    deps_facts(doc, "optionalDependencies", " (optional)", out);
    deps_facts(doc, "dependencies", "", out);
    deps_facts(doc, "peerDependencies", " (peer)", out);
    static const char *const install[] = {"preinstall", "install", "postinstall"};
    yajl_val s = member(doc, "scripts");
    int declared = 0;
    for (size_t i = 0; i < 3; i++) {
        yajl_val v = member(s, install[i]);
        if (YAJL_IS_STRING(v) && v->u.string[0]) {
            contents_add_fact(out, CONTENTS_SCRIPT, install[i], v->u.string);
            declared |= i < 2;
        }
    }
    if (has_binding_gyp && !declared)
        contents_add_fact(out, CONTENTS_SCRIPT, "install", "node-gyp rebuild (binding.gyp at the package root)");
    yajl_val main_ = member(doc, "main"), bin = member(doc, "bin"), name = member(doc, "name");
    if (YAJL_IS_STRING(main_))
        contents_add_fact(out, CONTENTS_ENTRY_POINT, "main", main_->u.string);
    if (YAJL_IS_STRING(bin) && YAJL_IS_STRING(name)) {
        const char *slash = strchr(name->u.string, '/');
        char k[300];
        snprintf(k, sizeof(k), "bin %s", slash ? slash + 1 : name->u.string);
        contents_add_fact(out, CONTENTS_ENTRY_POINT, k, bin->u.string);
    }
    for (size_t i = 0; YAJL_IS_OBJECT(bin) && i < bin->u.object.len; i++) {
        yajl_val v = bin->u.object.values[i];
        char k[300];
        snprintf(k, sizeof(k), "bin %s", bin->u.object.keys[i]);
        if (YAJL_IS_STRING(v))
            contents_add_fact(out, CONTENTS_ENTRY_POINT, k, v->u.string);
    }
    yajl_val repo = member(doc, "repository"), home = member(doc, "homepage");
    if (YAJL_IS_OBJECT(repo))
        repo = member(repo, "url");
    if (YAJL_IS_STRING(repo))
        contents_add_fact(out, CONTENTS_LINK, "repository", repo->u.string);
    if (YAJL_IS_STRING(home))
        contents_add_fact(out, CONTENTS_LINK, "homepage", home->u.string);
    yajl_tree_free(doc);
}
