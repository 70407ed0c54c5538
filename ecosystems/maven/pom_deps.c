/* pom_deps: the model read of one POM, ${} interpolation over a chain of
 * POMs, the effective dependencies of that chain and the version a spec
 * picks (see the header). A pom_model_t owns every string and array in it
 * (pom_model_free); a pom_dep_t its strings (pom_dep_free_fields). The
 * document, the chain and the version lists stay the caller's. Sizes here
 * are decided by the input, so every allocation is plain malloc/realloc,
 * checked where it happens. */
#include "ecosystems/maven/pom_deps.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/xml.h"
#include "ecosystems/maven/maven_version.h"

#define MAX_DOC_BYTES ((size_t)8 << 20)
#define MAX_DEPS 4096
#define MAX_PROPS 1024
#define MAX_NESTING 16
#define MAX_EXPANSIONS 262144L
#define MAX_SUBST_BYTES ((size_t)16 << 20)
#define MAX_RANGES 256
#define TRACKED_DEPTH 8 /* the deepest path read is 5 elements; below that nothing is */

/* ---- small helpers ---- */

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* a malloc'd copy of s[0, n), NULL when out of memory */
static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void pom_dep_free_fields(pom_dep_t *d)
{
    if (d == NULL)
        return;
    free(d->group);
    free(d->artifact);
    free(d->version);
    free(d->scope);
    free(d->type);
    free(d->classifier);
    memset(d, 0, sizeof(*d));
}

static void deps_free(pom_dep_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pom_dep_free_fields(&v[i]);
    free(v);
}

void pom_model_free(pom_model_t *m)
{
    if (m == NULL)
        return;
    free(m->group);
    free(m->artifact);
    free(m->version);
    free(m->packaging);
    free(m->parent_group);
    free(m->parent_artifact);
    free(m->parent_version);
    deps_free(m->deps, m->ndeps);
    deps_free(m->managed, m->nmanaged);
    for (size_t i = 0; i < m->nprops; i++) {
        free(m->prop_keys[i]);
        free(m->prop_vals[i]);
    }
    free(m->prop_keys);
    free(m->prop_vals);
    memset(m, 0, sizeof(*m));
}

/* ---- the model read ---- */

/* what an element is, from its place in the document */
enum kind {
    K_NONE,     /* nothing read here or below */
    K_PROJECT,  /* the root */
    K_FIELD,    /* a text field */
    K_PARENT,   /* project/parent */
    K_PROPS,    /* project/properties */
    K_PROP,     /* one property */
    K_DEPS,     /* project/dependencies */
    K_DEP,      /* project/dependencies/dependency */
    K_DM,       /* project/dependencyManagement */
    K_DM_DEPS,  /* project/dependencyManagement/dependencies */
    K_DM_DEP,   /* project/dependencyManagement/dependencies/dependency */
};

/* the fields of each container, in the bit order of its seen mask */
static const char *const PROJECT_FIELDS[] = {"groupId", "artifactId", "version", "packaging"};
static const char *const PARENT_FIELDS[] = {"groupId", "artifactId", "version"};
static const char *const DEP_FIELDS[] = {"groupId", "artifactId", "version", "scope", "type", "classifier", "optional"};
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))
/* project-level containers, after the fields in the project's seen mask */
enum { SEEN_PARENT = 1u << 8, SEEN_PROPS = 1u << 9, SEEN_DEPS = 1u << 10, SEEN_DM = 1u << 11 };

typedef struct reader {
    xml_reader_t x;
    pom_model_t *m;
    int kind[TRACKED_DEPTH]; /* what the open element at each depth is */
    unsigned seen_project, seen_parent, seen_dep, seen_dm; /* fields and containers met, for duplicates */
    int saw_root;
    pom_dep_t cur;        /* the dependency being read */
    char *cur_optional;   /* its <optional> text */
    size_t cap_deps, cap_managed, cap_props;
    size_t prop_elements; /* property elements met, duplicates included */
    buf_t text;           /* the text of the field or property being read */
    int text_depth;       /* its element's depth, -1 when none */
    int text_is_prop;     /* a property: "" is a value, prop_key names it */
    char **text_target;
    char *prop_key;       /* the property's name while its text is read */
} reader_t;

static int line_of(const reader_t *r) { return xmlTextReaderGetParserLineNumber(r->x.r); }

static int fail_oom(reader_t *r)
{
    xml_reader_fail(&r->x, "line %d: out of memory", line_of(r));
    return -1;
}

/* the index of key in the sorted property keys, or where it would go (*found 0) */
static size_t prop_find(const pom_model_t *m, const char *key, size_t keylen, int *found)
{
    size_t lo = 0, hi = m->nprops;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = m->prop_keys[mid];
        int c = strncmp(k, key, keylen);
        if (c == 0)
            c = k[keylen] != '\0';
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* takes key and val (both malloc'd): a later property of the same name replaces the earlier */
static int prop_put(reader_t *r, char *key, char *val)
{
    pom_model_t *m = r->m;
    int found;
    size_t at = prop_find(m, key, strlen(key), &found);
    if (found) {
        free(key);
        free(m->prop_vals[at]);
        m->prop_vals[at] = val;
        return 0;
    }
    if (m->nprops == r->cap_props) {
        size_t cap = r->cap_props ? r->cap_props * 2 : 16;
        char **k = realloc(m->prop_keys, cap * sizeof(*k));
        if (k == NULL)
            goto oom;
        m->prop_keys = k;
        char **v = realloc(m->prop_vals, cap * sizeof(*v));
        if (v == NULL)
            goto oom;
        m->prop_vals = v;
        r->cap_props = cap;
    }
    memmove(&m->prop_keys[at + 1], &m->prop_keys[at], (m->nprops - at) * sizeof(char *));
    memmove(&m->prop_vals[at + 1], &m->prop_vals[at], (m->nprops - at) * sizeof(char *));
    m->prop_keys[at] = key;
    m->prop_vals[at] = val;
    m->nprops++;
    return 0;
oom:
    free(key);
    free(val);
    return fail_oom(r);
}

/* the end of a field or property element: its text trimmed, stored */
static int text_end(reader_t *r)
{
    char *s = r->text.data ? r->text.data : "";
    size_t n = r->text.len, i = 0;
    int oom = r->text.oom;
    while (n && is_space(s[n - 1]))
        n--;
    while (i < n && is_space(s[i]))
        i++;
    char *v = NULL;
    if (!oom && (n > i || r->text_is_prop))
        oom = (v = dup_n(s + i, n - i)) == NULL;
    buf_reset(&r->text);
    r->text_depth = -1;
    if (oom) {
        free(v);
        return fail_oom(r);
    }
    if (r->text_is_prop) {
        char *key = r->prop_key;
        r->prop_key = NULL;
        return prop_put(r, key, v);
    }
    *r->text_target = v;
    return 0;
}

static int text_begin(reader_t *r, int depth, char **target, const char *prop, int empty)
{
    buf_reset(&r->text);
    r->text_depth = depth;
    r->text_target = target;
    r->text_is_prop = prop != NULL;
    if (prop != NULL && (r->prop_key = dup_n(prop, strlen(prop))) == NULL)
        return fail_oom(r);
    return empty ? text_end(r) : 0;
}

/* a field of a container: its bit in *seen (a second one is refused), its text to target */
static int field_begin(reader_t *r, int depth, const char *ln, const char *const *names, size_t nnames,
                       unsigned *seen, char **const *targets, int empty)
{
    for (size_t i = 0; i < nnames; i++) {
        if (strcmp(ln, names[i]) != 0)
            continue;
        if (*seen & (1u << i)) {
            xml_reader_fail(&r->x, "line %d: <%s> given twice", line_of(r), names[i]);
            return -1;
        }
        *seen |= 1u << i;
        r->kind[depth] = K_FIELD;
        return text_begin(r, depth, targets[i], NULL, empty);
    }
    return 0; /* another element: not read */
}

/* a container that may appear once in its parent */
static int once(reader_t *r, unsigned *seen, unsigned bit, const char *ln)
{
    if (*seen & bit) {
        xml_reader_fail(&r->x, "line %d: <%s> given twice", line_of(r), ln);
        return -1;
    }
    *seen |= bit;
    return 0;
}

static int dep_end(reader_t *r, int managed)
{
    pom_dep_t *d = &r->cur;
    d->optional = r->cur_optional != NULL && strcasecmp(r->cur_optional, "true") == 0;
    free(r->cur_optional);
    r->cur_optional = NULL;
    if (d->group == NULL || d->artifact == NULL) {
        xml_reader_fail(&r->x, "line %d: a <dependency> without %s", line_of(r),
                        d->group == NULL ? "groupId" : "artifactId");
        return -1;
    }
    pom_model_t *m = r->m;
    pom_dep_t **list = managed ? &m->managed : &m->deps;
    size_t *count = managed ? &m->nmanaged : &m->ndeps;
    size_t *cap = managed ? &r->cap_managed : &r->cap_deps;
    if (*count == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        pom_dep_t *p = realloc(*list, c * sizeof(*p));
        if (p == NULL)
            return fail_oom(r);
        *list = p;
        *cap = c;
    }
    (*list)[(*count)++] = *d;
    memset(d, 0, sizeof(*d));
    return 0;
}

static int dep_begin(reader_t *r, int depth, int managed, int empty)
{
    size_t count = managed ? r->m->nmanaged : r->m->ndeps;
    if (count >= MAX_DEPS) {
        xml_reader_fail(&r->x, "line %d: more than %d %s", line_of(r), MAX_DEPS,
                        managed ? "managed dependencies" : "dependencies");
        return -1;
    }
    pom_dep_free_fields(&r->cur);
    free(r->cur_optional);
    r->cur_optional = NULL;
    r->seen_dep = 0;
    r->kind[depth] = managed ? K_DM_DEP : K_DEP;
    return empty ? dep_end(r, managed) : 0;
}

static int parent_end(reader_t *r)
{
    if (r->m->parent_group == NULL || r->m->parent_artifact == NULL) {
        xml_reader_fail(&r->x, "line %d: a <parent> without %s", line_of(r),
                        r->m->parent_group == NULL ? "groupId" : "artifactId");
        return -1;
    }
    return 0;
}

static int element_begin(reader_t *r, int depth, const char *ln, int empty)
{
    if (depth == 0) {
        if (strcmp(ln, "project") != 0) {
            xml_reader_fail(&r->x, "line %d: not a POM (the root element is <%.40s>)", line_of(r), ln);
            return -1;
        }
        r->saw_root = 1;
        r->kind[0] = K_PROJECT;
        return 0;
    }
    if (depth >= TRACKED_DEPTH)
        return 0;
    r->kind[depth] = K_NONE;
    pom_model_t *m = r->m;
    pom_dep_t *d = &r->cur;
    switch (r->kind[depth - 1]) {
    case K_PROJECT: {
        if (strcmp(ln, "parent") == 0) {
            r->kind[depth] = K_PARENT;
            if (once(r, &r->seen_project, SEEN_PARENT, ln) != 0)
                return -1;
            return empty ? parent_end(r) : 0;
        }
        if (strcmp(ln, "properties") == 0) {
            r->kind[depth] = K_PROPS;
            return once(r, &r->seen_project, SEEN_PROPS, ln);
        }
        if (strcmp(ln, "dependencies") == 0) {
            r->kind[depth] = K_DEPS;
            return once(r, &r->seen_project, SEEN_DEPS, ln);
        }
        if (strcmp(ln, "dependencyManagement") == 0) {
            r->kind[depth] = K_DM;
            return once(r, &r->seen_project, SEEN_DM, ln);
        }
        char **const targets[] = {&m->group, &m->artifact, &m->version, &m->packaging};
        return field_begin(r, depth, ln, PROJECT_FIELDS, NFIELDS(PROJECT_FIELDS), &r->seen_project, targets, empty);
    }
    case K_PARENT: {
        char **const targets[] = {&m->parent_group, &m->parent_artifact, &m->parent_version};
        return field_begin(r, depth, ln, PARENT_FIELDS, NFIELDS(PARENT_FIELDS), &r->seen_parent, targets, empty);
    }
    case K_PROPS:
        if (r->prop_elements >= MAX_PROPS) {
            xml_reader_fail(&r->x, "line %d: more than %d properties", line_of(r), MAX_PROPS);
            return -1;
        }
        r->prop_elements++;
        r->kind[depth] = K_PROP;
        return text_begin(r, depth, NULL, ln, empty);
    case K_DEPS:
        return strcmp(ln, "dependency") == 0 ? dep_begin(r, depth, 0, empty) : 0;
    case K_DM:
        if (strcmp(ln, "dependencies") != 0)
            return 0;
        r->kind[depth] = K_DM_DEPS;
        return once(r, &r->seen_dm, 1u, ln);
    case K_DM_DEPS:
        return strcmp(ln, "dependency") == 0 ? dep_begin(r, depth, 1, empty) : 0;
    case K_DEP:
    case K_DM_DEP: {
        char **const targets[] = {&d->group, &d->artifact, &d->version, &d->scope,
                                  &d->type,  &d->classifier, &r->cur_optional};
        return field_begin(r, depth, ln, DEP_FIELDS, NFIELDS(DEP_FIELDS), &r->seen_dep, targets, empty);
    }
    default:
        return 0;
    }
}

static int element_end(reader_t *r, int depth)
{
    if (depth >= TRACKED_DEPTH)
        return 0;
    switch (r->kind[depth]) {
    case K_FIELD:
    case K_PROP: return r->text_depth == depth ? text_end(r) : 0;
    case K_DEP: return dep_end(r, 0);
    case K_DM_DEP: return dep_end(r, 1);
    case K_PARENT: return parent_end(r);
    default: return 0;
    }
}

int pom_model_read(const char *doc, size_t len, pom_model_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (errlen)
        err[0] = '\0';
    if (len > MAX_DOC_BYTES) {
        snprintf(err, errlen, "document too large (%zu bytes, at most %zu)", len, MAX_DOC_BYTES);
        return -1;
    }
    reader_t r;
    memset(&r, 0, sizeof(r));
    r.m = out;
    r.text_depth = -1;
    buf_init(&r.text);
    int rc = xml_reader_open(&r.x, doc, len);
    while (rc == 0 && (rc = xml_reader_next(&r.x, 0)) == 1) {
        rc = 0;
        int type = xmlTextReaderNodeType(r.x.r), depth = xmlTextReaderDepth(r.x.r);
        if (depth < 0) {
            xml_reader_fail(&r.x, "line %d: not well-formed XML", line_of(&r));
            rc = -1;
            break;
        }
        switch (type) {
        case XML_READER_TYPE_ELEMENT:
            rc = element_begin(&r, depth, xml_local_name(&r.x), xmlTextReaderIsEmptyElement(r.x.r) == 1);
            break;
        case XML_READER_TYPE_END_ELEMENT:
            rc = element_end(&r, depth);
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (r.text_depth >= 0 && depth == r.text_depth + 1)
                buf_puts(&r.text, xml_value(&r.x));
            break;
        default:
            break;
        }
        if (rc != 0)
            break;
    }
    if (rc == 0 && !r.x.failed && !r.saw_root) {
        xml_reader_fail(&r.x, "line %d: no <project> element", r.x.r ? line_of(&r) : 0);
        rc = -1;
    }
    rc = xml_reader_finish(&r.x, rc, err, errlen);
    pom_dep_free_fields(&r.cur);
    free(r.cur_optional);
    free(r.prop_key);
    buf_free(&r.text);
    if (rc != 0) {
        if (errlen && err[0] == '\0')
            snprintf(err, errlen, "not a POM");
        pom_model_free(out);
        return -1;
    }
    return 0;
}

/* ---- interpolation ---- */

typedef struct interp {
    const pom_model_t *const *chain;
    size_t n;
    unsigned char *sorted; /* per model: its properties are sorted, so searched by halves */
    long expansions_left;
    size_t bytes_left;
} interp_t;

static int props_sorted(const pom_model_t *m)
{
    for (size_t i = 1; i < m->nprops; i++)
        if (m->prop_keys[i - 1] == NULL || m->prop_keys[i] == NULL || strcmp(m->prop_keys[i - 1], m->prop_keys[i]) >= 0)
            return 0;
    return 1;
}

static int interp_init(interp_t *c, const pom_model_t *const *chain, size_t n)
{
    memset(c, 0, sizeof(*c));
    c->chain = chain;
    c->n = n;
    c->expansions_left = MAX_EXPANSIONS;
    c->bytes_left = MAX_SUBST_BYTES;
    if (n == 0)
        return 0;
    if ((c->sorted = malloc(n)) == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        c->sorted[i] = chain[i] != NULL && props_sorted(chain[i]);
    return 0;
}

static void interp_done(interp_t *c)
{
    free(c->sorted);
    c->sorted = NULL;
}

static int name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(name, want, len) == 0;
}

/* an inherited model value: the nearest POM's, else the last POM's <parent> one */
static const char *inherited(const interp_t *c, int version)
{
    for (size_t i = 0; i < c->n; i++) {
        const pom_model_t *m = c->chain[i];
        if (m == NULL)
            break;
        const char *own = version ? m->version : m->group;
        if (own != NULL)
            return own;
        if (i + 1 == c->n || c->chain[i + 1] == NULL)
            return version ? m->parent_version : m->parent_group;
    }
    return NULL;
}

static const char *model_value(const interp_t *c, const char *name, size_t len)
{
    const pom_model_t *m = c->chain[0];
    if (name_is(name, len, "version"))
        return inherited(c, 1);
    if (name_is(name, len, "groupId"))
        return inherited(c, 0);
    if (name_is(name, len, "artifactId"))
        return m->artifact;
    if (name_is(name, len, "parent.version"))
        return m->parent_version;
    if (name_is(name, len, "parent.groupId"))
        return m->parent_group;
    if (name_is(name, len, "parent.artifactId"))
        return m->parent_artifact;
    return NULL;
}

/* the raw value an expression names, NULL when nothing does */
static const char *resolve(const interp_t *c, const char *name, size_t len)
{
    if (c->n == 0 || c->chain[0] == NULL)
        return NULL;
    const char *v = NULL;
    if (len > 8 && memcmp(name, "project.", 8) == 0)
        v = model_value(c, name + 8, len - 8);
    else if (len > 4 && memcmp(name, "pom.", 4) == 0)
        v = model_value(c, name + 4, len - 4);
    if (v != NULL)
        return v;
    for (size_t i = 0; i < c->n && c->chain[i] != NULL; i++) {
        const pom_model_t *m = c->chain[i];
        if (c->sorted[i]) {
            int found;
            size_t at = prop_find(m, name, len, &found);
            if (found)
                return m->prop_vals[at] ? m->prop_vals[at] : "";
        } else {
            /* a model put together by hand: the last entry of a name, as a read would keep it */
            for (size_t j = m->nprops; j-- > 0;)
                if (m->prop_keys[j] != NULL && name_is(name, len, m->prop_keys[j]))
                    return m->prop_vals[j] ? m->prop_vals[j] : "";
        }
    }
    return NULL;
}

static void expand(interp_t *c, buf_t *out, const char *s, int depth)
{
    while (*s) {
        const char *open = strstr(s, "${");
        if (open == NULL) {
            buf_puts(out, s);
            return;
        }
        buf_append(out, s, (size_t)(open - s));
        const char *name = open + 2, *close = strchr(name, '}');
        if (close == NULL) {
            buf_puts(out, open);
            return;
        }
        size_t len = (size_t)(close - name);
        const char *v = NULL;
        if (depth < MAX_NESTING && c->expansions_left > 0 && len > 0)
            v = resolve(c, name, len);
        size_t vlen = v ? strlen(v) : 0;
        if (v != NULL && vlen <= c->bytes_left) {
            c->expansions_left--;
            c->bytes_left -= vlen;
            expand(c, out, v, depth + 1);
        } else {
            buf_append(out, open, (size_t)(close + 1 - open));
        }
        s = close + 1;
    }
}

/* s interpolated within c's budget; NULL for a NULL s or out of memory (*oom set) */
static char *interp_string(interp_t *c, const char *s, int *oom)
{
    if (s == NULL)
        return NULL;
    buf_t b;
    buf_init(&b);
    expand(c, &b, s, 0);
    if (buf_cstr(&b) == NULL || b.oom) {
        buf_free(&b);
        *oom = 1;
        return NULL;
    }
    return buf_steal(&b, NULL);
}

char *pom_interpolate(const pom_model_t *const *chain, size_t n, const char *s)
{
    if (s == NULL)
        return NULL;
    interp_t c;
    if (interp_init(&c, chain, n) != 0)
        return NULL;
    int oom = 0;
    char *r = interp_string(&c, s, &oom);
    interp_done(&c);
    return r;
}

/* ---- effective dependencies ---- */

typedef struct entry {
    pom_dep_t d;      /* interpolated */
    size_t model;     /* its POM's place in the chain */
    size_t pos;       /* its place in that POM's list */
} entry_t;

static int cmp_or(const char *a, const char *b, const char *dflt)
{
    return strcmp(a ? a : dflt, b ? b : dflt);
}

/* groupId:artifactId:type:classifier, type jar and classifier none by default */
static int key_cmp(const pom_dep_t *a, const pom_dep_t *b)
{
    int c = cmp_or(a->group, b->group, "");
    if (c == 0)
        c = cmp_or(a->artifact, b->artifact, "");
    if (c == 0)
        c = cmp_or(a->type, b->type, "jar");
    if (c == 0)
        c = cmp_or(a->classifier, b->classifier, "");
    return c;
}

/* by key, then the winner first: the nearest POM, in it the last declaration */
static int entry_rank_cmp(const void *pa, const void *pb)
{
    const entry_t *a = pa, *b = pb;
    int c = key_cmp(&a->d, &b->d);
    if (c != 0)
        return c;
    if (a->model != b->model)
        return a->model < b->model ? -1 : 1;
    return a->pos > b->pos ? -1 : a->pos < b->pos;
}

static int entry_order_cmp(const void *pa, const void *pb)
{
    const entry_t *a = pa, *b = pb;
    if (a->model != b->model)
        return a->model < b->model ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static void entries_free(entry_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pom_dep_free_fields(&v[i].d);
    free(v);
}

/* an interpolated field: one that comes out empty counts as absent */
static char *field(interp_t *c, const char *s, int *oom)
{
    char *v = interp_string(c, s, oom);
    if (v != NULL && v[0] == '\0') {
        free(v);
        v = NULL;
    }
    return v;
}

static int interp_dep(interp_t *c, const pom_dep_t *src, pom_dep_t *dst)
{
    int oom = 0;
    memset(dst, 0, sizeof(*dst));
    dst->group = field(c, src->group, &oom);
    dst->artifact = field(c, src->artifact, &oom);
    dst->version = field(c, src->version, &oom);
    dst->scope = field(c, src->scope, &oom);
    dst->type = field(c, src->type, &oom);
    dst->classifier = field(c, src->classifier, &oom);
    dst->optional = src->optional;
    if (oom) {
        pom_dep_free_fields(dst);
        return -1;
    }
    return 0;
}

/* every list (dependencies or managed ones) of the chain, interpolated, sorted by key with one entry per key
 * (the winner); *count set; NULL with *count 0 when empty, NULL with *count (size_t)-1 when out of memory */
static entry_t *collect(interp_t *c, int managed, size_t *count)
{
    size_t total = 0;
    *count = 0;
    for (size_t i = 0; i < c->n && c->chain[i] != NULL; i++) {
        size_t k = managed ? c->chain[i]->nmanaged : c->chain[i]->ndeps;
        if (k > SIZE_MAX / sizeof(entry_t) - total)
            goto oom_only;
        total += k;
    }
    if (total == 0)
        return NULL;
    entry_t *v = malloc(total * sizeof(*v));
    if (v == NULL)
        goto oom_only;
    size_t got = 0;
    for (size_t i = 0; i < c->n && c->chain[i] != NULL; i++) {
        const pom_model_t *m = c->chain[i];
        const pom_dep_t *list = managed ? m->managed : m->deps;
        size_t k = managed ? m->nmanaged : m->ndeps;
        for (size_t j = 0; j < k; j++) {
            entry_t *e = &v[got];
            if (interp_dep(c, &list[j], &e->d) != 0) {
                entries_free(v, got);
                goto oom_only;
            }
            /* a BOM import manages nothing by itself here */
            if (managed && e->d.scope != NULL && strcmp(e->d.scope, "import") == 0) {
                pom_dep_free_fields(&e->d);
                continue;
            }
            e->model = i;
            e->pos = j;
            got++;
        }
    }
    qsort(v, got, sizeof(*v), entry_rank_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < got; i++) {
        if (kept > 0 && key_cmp(&v[kept - 1].d, &v[i].d) == 0) {
            pom_dep_free_fields(&v[i].d);
            continue;
        }
        v[kept++] = v[i];
    }
    if (kept == 0) {
        free(v);
        return NULL;
    }
    *count = kept;
    return v;
oom_only:
    *count = (size_t)-1;
    return NULL;
}

static const entry_t *managed_find(const entry_t *mg, size_t n, const pom_dep_t *d)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(&mg[mid].d, d);
        if (c == 0)
            return &mg[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int dropped_scope(const char *scope)
{
    static const char *const DROPPED[] = {"test", "provided", "system", "import"};
    if (scope == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(DROPPED) / sizeof(DROPPED[0]); i++)
        if (strcmp(scope, DROPPED[i]) == 0)
            return 1;
    return 0;
}

/* a copy of a managed value for a field left empty; 0, or -1 out of memory */
static int fill(char **dst, const char *managed)
{
    if (*dst != NULL || managed == NULL)
        return 0;
    *dst = dup_n(managed, strlen(managed));
    return *dst == NULL ? -1 : 0;
}

long pom_effective_deps(const pom_model_t *const *chain, size_t n, pom_dep_t **out)
{
    *out = NULL;
    if (n == 0 || chain == NULL || chain[0] == NULL)
        return 0;
    interp_t c;
    if (interp_init(&c, chain, n) != 0)
        return -1;
    size_t nmg, nd;
    entry_t *mg = collect(&c, 1, &nmg);
    if (nmg == (size_t)-1) {
        interp_done(&c);
        return -1;
    }
    entry_t *d = collect(&c, 0, &nd);
    interp_done(&c);
    if (nd == (size_t)-1) {
        entries_free(mg, nmg);
        return -1;
    }
    size_t kept = 0;
    int oom = 0;
    for (size_t i = 0; i < nd; i++) {
        entry_t *e = &d[i];
        const entry_t *m = managed_find(mg, nmg, &e->d);
        if (m != NULL && (fill(&e->d.version, m->d.version) != 0 || fill(&e->d.scope, m->d.scope) != 0))
            oom = 1;
        if (oom || e->d.optional || dropped_scope(e->d.scope)) {
            pom_dep_free_fields(&e->d);
            continue;
        }
        d[kept++] = *e;
    }
    entries_free(mg, nmg);
    if (oom) {
        entries_free(d, kept);
        return -1;
    }
    if (kept == 0) {
        free(d);
        return 0;
    }
    qsort(d, kept, sizeof(*d), entry_order_cmp);
    pom_dep_t *res = malloc(kept * sizeof(*res));
    if (res == NULL) {
        entries_free(d, kept);
        return -1;
    }
    for (size_t i = 0; i < kept; i++)
        res[i] = d[i].d;
    free(d);
    *out = res;
    return (long)kept;
}

/* ---- version specs ---- */

typedef struct restriction {
    const char *lo, *hi; /* NULL: unbounded */
    int lo_inc, hi_inc;
} restriction_t;

static char *trim_in_place(char *s)
{
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n && is_space(s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int bound_ok(const char *b) { return strpbrk(b, "[](),") == NULL; }

/* cuts the spec copy p into restrictions; their count, -1 when malformed */
static long parse_ranges(char *p, restriction_t *rs, size_t cap, int *snapshots)
{
    size_t n = 0;
    for (;;) {
        while (is_space(*p))
            p++;
        if ((*p != '[' && *p != '(') || n == cap)
            return -1;
        restriction_t *r = &rs[n];
        r->lo_inc = *p == '[';
        char *inner = p + 1, *end = strpbrk(inner, "])");
        if (end == NULL)
            return -1;
        r->hi_inc = *end == ']';
        p = end + 1;
        *end = '\0';
        char *comma = strchr(inner, ',');
        if (comma == NULL) {
            /* "[1.5]": exactly that version */
            char *v = trim_in_place(inner);
            if (!r->lo_inc || !r->hi_inc || v[0] == '\0' || !bound_ok(v))
                return -1;
            r->lo = r->hi = v;
        } else {
            *comma = '\0';
            char *lo = trim_in_place(inner), *hi = trim_in_place(comma + 1);
            if (!bound_ok(lo) || !bound_ok(hi))
                return -1;
            r->lo = lo[0] ? lo : NULL;
            r->hi = hi[0] ? hi : NULL;
            if (r->lo && r->hi && maven_version_compare(r->lo, r->hi) > 0)
                return -1;
        }
        if ((r->lo && maven_version_is_snapshot(r->lo)) || (r->hi && maven_version_is_snapshot(r->hi)))
            *snapshots = 1;
        n++;
        while (is_space(*p))
            p++;
        if (*p == '\0')
            return (long)n;
        if (*p != ',')
            return -1;
        p++;
    }
}

static int inside(const restriction_t *r, const char *v)
{
    if (r->lo != NULL) {
        int c = maven_version_compare(v, r->lo);
        if (c < 0 || (c == 0 && !r->lo_inc))
            return 0;
    }
    if (r->hi != NULL) {
        int c = maven_version_compare(v, r->hi);
        if (c > 0 || (c == 0 && !r->hi_inc))
            return 0;
    }
    return 1;
}

long maven_spec_pick(const char *spec, const char *const *versions, size_t n)
{
    if (spec == NULL || (versions == NULL && n > 0))
        return -1;
    const char *s = spec;
    while (is_space(*s))
        s++;
    if (*s == '\0')
        return -1;
    if (*s != '[' && *s != '(') {
        for (size_t i = 0; i < n; i++)
            if (versions[i] != NULL && strcmp(versions[i], spec) == 0)
                return (long)i;
        return -1;
    }
    size_t cap = 0;
    for (const char *c = s; *c; c++)
        cap += *c == '[' || *c == '(';
    if (cap > MAX_RANGES)
        return -1;
    char *copy = dup_n(s, strlen(s));
    restriction_t *rs = malloc(cap * sizeof(*rs));
    long best = -1;
    int snapshots = 0;
    long nr = copy && rs ? parse_ranges(copy, rs, cap, &snapshots) : -1;
    for (size_t i = 0; nr > 0 && i < n; i++) {
        const char *v = versions[i];
        if (v == NULL || v[0] == '\0' || (!snapshots && maven_version_is_snapshot(v)))
            continue;
        if (best >= 0 && maven_version_compare(v, versions[best]) <= 0)
            continue;
        for (long k = 0; k < nr; k++)
            if (inside(&rs[k], v)) {
                best = (long)i;
                break;
            }
    }
    free(copy);
    free(rs);
    return best;
}
