/* npm_packument: span-recording parse and verbatim-copy rendering (see the
 * header for why). Offsets come from yajl_get_bytes_consumed() inside the
 * callbacks: the whole document is handed to yajl_parse in one call, so
 * they are absolute. */
#include "ecosystems/npm/npm_packument.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "common/json.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

#define MAX_DEPTH 64
#define KEY_MAX 256

static const char *const AB_NAMES[NPM_AB_COUNT] = {
    "name",         "version",          "deprecated",       "dependencies",    "optionalDependencies",
    "devDependencies", "bundleDependencies", "bundledDependencies", "peerDependencies", "peerDependenciesMeta",
    "acceptDependencies", "bin",        "directories",      "dist",            "engines",
    "os",           "cpu",              "libc",             "funding",         "_hasShrinkwrap",
    "hasInstallScript"};

typedef struct frame {
    int is_map;
    size_t start;
    char key[KEY_MAX];
    size_t keylen;
    int key_too_long;
    char *long_key; /* the whole key when it does not fit (kept for top-level members) */
    size_t value_start; /* where the current key's value begins */
} frame_t;

typedef struct time_entry {
    char *key;
    int64_t t;
} time_entry_t;

typedef struct parser {
    npm_packument_t *p;
    yajl_handle h;
    frame_t stack[MAX_DEPTH];
    int depth; /* frames in use */
    npm_version_t *cur; /* version whose manifest is open */
    size_t cap_versions, cap_members, cap_tags, cap_times;
    time_entry_t *times;
    size_t ntimes;
    int oom;
    int root_seen;
    int bad_versions;
} parser_t;

static size_t consumed(parser_t *ps) { return yajl_get_bytes_consumed(ps->h); }

static size_t skip_to_value(const char *doc, size_t len, size_t i)
{
    while (i < len && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r' || doc[i] == ':'))
        i++;
    return i;
}

static int key_is(const frame_t *f, const char *s)
{
    return !f->key_too_long && f->keylen == strlen(s) && memcmp(f->key, s, f->keylen) == 0;
}

static void *grow(void *ptr, size_t *cap, size_t need, size_t elem, int *oom)
{
    if (need <= *cap)
        return ptr;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(ptr, n * elem);
    if (q == NULL) {
        *oom = 1;
        return NULL;
    }
    memset((char *)q + *cap * elem, 0, (n - *cap) * elem);
    *cap = n;
    return q;
}

/* a value that belongs to stack[parent].key has ended at span */
static int value_done(parser_t *ps, int parent, npm_span_t span, const char *str, size_t slen, int is_str)
{
    npm_packument_t *p = ps->p;
    frame_t *f0 = &ps->stack[0];
    if (parent == 0) {
        void *m = grow(p->members, &ps->cap_members, p->nmembers + 1, sizeof(npm_member_t), &ps->oom);
        if (m == NULL)
            return 0;
        p->members = m;
        p->members[p->nmembers].key = f0->long_key ? xstrdup(f0->long_key) : xstrndup(f0->key, f0->keylen);
        p->members[p->nmembers].value = span;
        p->nmembers++;
        if (key_is(f0, "name") && is_str) {
            free(p->name);
            p->name = xstrndup(str, slen);
        }
        return 1;
    }
    frame_t *f1 = &ps->stack[1];
    if (parent == 1 && key_is(f0, "dist-tags") && is_str && !f1->key_too_long) {
        void *t = grow(p->tags, &ps->cap_tags, p->ntags + 1, sizeof(npm_tag_t), &ps->oom);
        if (t == NULL)
            return 0;
        p->tags = t;
        p->tags[p->ntags].tag = xstrndup(f1->key, f1->keylen);
        p->tags[p->ntags].version = xstrndup(str, slen);
        p->ntags++;
        return 1;
    }
    if (parent == 1 && key_is(f0, "time") && is_str && !f1->key_too_long) {
        int64_t t = time_parse_iso8601(str, slen);
        if (key_is(f1, "created")) {
            p->created = t;
        } else if (key_is(f1, "modified")) {
            p->modified = t;
        } else {
            void *te = grow(ps->times, &ps->cap_times, ps->ntimes + 1, sizeof(time_entry_t), &ps->oom);
            if (te == NULL)
                return 0;
            ps->times = te;
            ps->times[ps->ntimes].key = xstrndup(f1->key, f1->keylen);
            ps->times[ps->ntimes].t = t;
            ps->ntimes++;
        }
        return 1;
    }
    if (!key_is(f0, "versions") || ps->cur == NULL)
        return 1;
    if (parent == 1) {
        ps->cur->value = span;
        ps->cur = NULL;
        return 1;
    }
    frame_t *f2 = &ps->stack[2];
    if (parent == 2) {
        for (int i = 0; i < NPM_AB_COUNT; i++) {
            if (key_is(f2, AB_NAMES[i])) {
                ps->cur->ab[i] = span;
                break;
            }
        }
        if (key_is(f2, "hasInstallScript") && !is_str && slen == 4 && memcmp(str, "true", 4) == 0)
            ps->cur->has_install_script = 1;
        return 1;
    }
    frame_t *f3 = &ps->stack[3];
    if (parent == 3 && key_is(f2, "dist") && is_str) {
        if (key_is(f3, "tarball")) {
            free(ps->cur->tarball_url);
            ps->cur->tarball_url = xstrndup(str, slen);
            ps->cur->tarball = span;
        } else if (key_is(f3, "integrity")) {
            free(ps->cur->integrity);
            ps->cur->integrity = xstrndup(str, slen);
        } else if (key_is(f3, "shasum")) {
            free(ps->cur->shasum);
            ps->cur->shasum = xstrndup(str, slen);
        }
        return 1;
    }
    if (parent == 3 && key_is(f2, "_npmUser") && key_is(f3, "name") && is_str) {
        free(ps->cur->publisher);
        ps->cur->publisher = xstrndup(str, slen);
        return 1;
    }
    if (parent >= 4 && key_is(f2, "dist") && key_is(f3, "attestations") && is_str) {
        frame_t *f4 = &ps->stack[4];
        if (parent == 4 && key_is(f4, "url")) {
            free(ps->cur->attestations_url);
            ps->cur->attestations_url = xstrndup(str, slen);
        } else if (parent == 5 && key_is(f4, "provenance") && key_is(&ps->stack[5], "predicateType")) {
            static const char SLSA[] = "https://slsa.dev/provenance/";
            ps->cur->has_provenance = slen >= sizeof(SLSA) - 1 && memcmp(str, SLSA, sizeof(SLSA) - 1) == 0;
        }
        return 1;
    }
    if (parent == 3 && key_is(f2, "scripts") &&
        (key_is(f3, "preinstall") || key_is(f3, "install") || key_is(f3, "postinstall")))
        ps->cur->has_install_script = 1;
    return 1;
}

/* a scalar ended: its span runs from the key's value start to here */
static int scalar(parser_t *ps, const char *s, size_t n, int is_str)
{
    if (ps->depth == 0)
        return 0; /* a packument is an object, not a bare value */
    frame_t *parent = &ps->stack[ps->depth - 1];
    if (!parent->is_map)
        return 1;
    if ((ps->depth == 1 || ps->depth == 2) && key_is(&ps->stack[0], "versions")) {
        ps->bad_versions = 1; /* "versions": "1.0.0", or a manifest that is not an object */
        return 0;
    }
    npm_span_t span = {parent->value_start, consumed(ps)};
    return value_done(ps, ps->depth - 1, span, s, n, is_str);
}

static int cb_null(void *ctx) { return scalar(ctx, "null", 4, 0); }
static int cb_bool(void *ctx, int b) { return scalar(ctx, b ? "true" : "false", b ? 4 : 5, 0); }
static int cb_number(void *ctx, const char *s, size_t n) { return scalar(ctx, s, n, 0); }
static int cb_string(void *ctx, const unsigned char *s, size_t n) { return scalar(ctx, (const char *)s, n, 1); }

static int open_container(parser_t *ps, int is_map)
{
    if (ps->depth == 0) {
        if (!is_map || ps->root_seen)
            return 0;
        ps->root_seen = 1;
    }
    if (ps->depth == 1 && key_is(&ps->stack[0], "versions") && !is_map) {
        ps->bad_versions = 1;
        return 0;
    }
    if (ps->depth == 2 && key_is(&ps->stack[0], "versions") && !is_map) {
        ps->bad_versions = 1; /* a manifest must be an object */
        return 0;
    }
    if (ps->depth >= MAX_DEPTH)
        return 0;
    /* a new version manifest starts: versions.<key> = { */
    if (ps->depth == 2 && is_map && key_is(&ps->stack[0], "versions") && ps->stack[1].is_map) {
        npm_packument_t *p = ps->p;
        void *v = grow(p->versions, &ps->cap_versions, p->nversions + 1, sizeof(npm_version_t), &ps->oom);
        if (v == NULL)
            return 0;
        p->versions = v;
        if (ps->stack[1].key_too_long)
            return 0;
        ps->cur = &p->versions[p->nversions++];
        ps->cur->version = xstrndup(ps->stack[1].key, ps->stack[1].keylen);
        ps->cur->published_at = TIME_NONE;
    }
    frame_t *f = &ps->stack[ps->depth++];
    f->is_map = is_map;
    f->start = consumed(ps) - 1;
    f->keylen = 0;
    f->key_too_long = 0;
    f->long_key = NULL;
    return 1;
}

static int close_container(parser_t *ps)
{
    frame_t *f = &ps->stack[--ps->depth];
    free(f->long_key);
    f->long_key = NULL;
    if (ps->depth == 0)
        return 1;
    frame_t *parent = &ps->stack[ps->depth - 1];
    if (!parent->is_map)
        return 1;
    npm_span_t span = {f->start, consumed(ps)};
    return value_done(ps, ps->depth - 1, span, NULL, 0, 0);
}

static int cb_start_map(void *ctx) { return open_container(ctx, 1); }
static int cb_end_map(void *ctx) { return close_container(ctx); }
static int cb_start_array(void *ctx) { return open_container(ctx, 0); }
static int cb_end_array(void *ctx) { return close_container(ctx); }

static int cb_map_key(void *ctx, const unsigned char *k, size_t n)
{
    parser_t *ps = ctx;
    frame_t *f = &ps->stack[ps->depth - 1];
    free(f->long_key);
    f->long_key = NULL;
    if (n >= KEY_MAX && ps->depth == 1)
        f->long_key = xstrndup((const char *)k, n);
    f->key_too_long = n >= KEY_MAX;
    f->keylen = n < KEY_MAX ? n : 0;
    memcpy(f->key, k, f->keylen);
    f->value_start = skip_to_value(ps->p->doc, ps->p->len, consumed(ps));
    return 1;
}

static const yajl_callbacks CALLBACKS = {cb_null, cb_bool, NULL, NULL, cb_number, cb_string, cb_start_map,
                                         cb_map_key, cb_end_map, cb_start_array, cb_end_array};

static int cmp_time(const void *a, const void *b)
{
    return strcmp(((const time_entry_t *)a)->key, ((const time_entry_t *)b)->key);
}

int npm_packument_parse(npm_packument_t *p, const char *doc, size_t len, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    p->doc = doc;
    p->len = len;
    p->created = p->modified = TIME_NONE;
    parser_t ps;
    memset(&ps, 0, sizeof(ps));
    ps.p = p;
    ps.h = yajl_alloc(&CALLBACKS, NULL, &ps);
    if (ps.h == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* yajl takes form feed and vertical tab as white space; JSON (and
     * JSON.parse in every npm client) does not, and spans are copied
     * verbatim, so such a document is refused rather than passed on */
    if (memchr(doc, '\f', len) || memchr(doc, '\v', len)) {
        yajl_free(ps.h);
        snprintf(err, errlen, "invalid JSON: form feed or vertical tab outside a string");
        npm_packument_free(p);
        return -1;
    }
    yajl_status st = yajl_parse(ps.h, (const unsigned char *)doc, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(ps.h);
    int rc = 0;
    if (ps.oom) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else if (ps.bad_versions) {
        snprintf(err, errlen, "\"versions\" must be an object of version manifests");
        rc = -1;
    } else if (st != yajl_status_ok) {
        if (!ps.root_seen || (ps.depth == 0 && ps.root_seen && st == yajl_status_client_canceled)) {
            snprintf(err, errlen, "not a JSON object");
        } else {
            unsigned char *msg = yajl_get_error(ps.h, 0, (const unsigned char *)doc, len);
            snprintf(err, errlen, "invalid JSON at byte %zu: %s", yajl_get_bytes_consumed(ps.h),
                     msg ? (char *)msg : "parse error");
            /* yajl's message ends with a newline: keep errors on one line */
            for (char *c = err; *c; c++)
                if (*c == '\n' || *c == '\r')
                    *c = ' ';
            size_t el = strlen(err);
            while (el > 0 && err[el - 1] == ' ')
                err[--el] = '\0';
            if (msg)
                yajl_free_error(ps.h, msg);
        }
        rc = -1;
    } else if (!ps.root_seen) {
        snprintf(err, errlen, "empty document");
        rc = -1;
    }
    yajl_free(ps.h);
    for (int d = 0; d < MAX_DEPTH; d++)
        free(ps.stack[d].long_key);
    if (rc == 0) {
        /* attach time[version] to each version */
        if (ps.ntimes)
            qsort(ps.times, ps.ntimes, sizeof(time_entry_t), cmp_time);
        for (size_t i = 0; i < p->nversions; i++) {
            time_entry_t k = {.key = p->versions[i].version};
            time_entry_t *hit =
                ps.ntimes ? bsearch(&k, ps.times, ps.ntimes, sizeof(time_entry_t), cmp_time) : NULL;
            if (hit)
                p->versions[i].published_at = hit->t;
            if (p->versions[i].value.end == 0) {
                snprintf(err, errlen, "version %s has no manifest", p->versions[i].version);
                rc = -1;
            }
        }
    }
    for (size_t i = 0; i < ps.ntimes; i++)
        free(ps.times[i].key);
    free(ps.times);
    if (rc != 0)
        npm_packument_free(p);
    return rc;
}

void npm_packument_free(npm_packument_t *p)
{
    for (size_t i = 0; i < p->nversions; i++) {
        free(p->versions[i].version);
        free(p->versions[i].tarball_url);
        free(p->versions[i].integrity);
        free(p->versions[i].shasum);
        free(p->versions[i].publisher);
        free(p->versions[i].attestations_url);
    }
    free(p->versions);
    for (size_t i = 0; i < p->ntags; i++) {
        free(p->tags[i].tag);
        free(p->tags[i].version);
    }
    free(p->tags);
    for (size_t i = 0; i < p->nmembers; i++)
        free(p->members[i].key);
    free(p->members);
    free(p->name);
    memset(p, 0, sizeof(*p));
}

long npm_packument_find(const npm_packument_t *p, const char *version)
{
    for (size_t i = 0; i < p->nversions; i++)
        if (strcmp(p->versions[i].version, version) == 0)
            return (long)i;
    return -1;
}

/* ---- rendering ---- */

static int safe_filename(const char *s, size_t n)
{
    if (n == 0 || n > 200 || (n <= 2 && s[0] == '.'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_' || c == '+'))
            return 0;
    }
    return 1;
}

void npm_tarball_filename(const npm_packument_t *p, const npm_version_t *v, char *out, size_t outlen)
{
    const char *url = v->tarball_url ? v->tarball_url : "";
    size_t n = strcspn(url, "?#");
    const char *slash = memrchr(url, '/', n);
    const char *base = slash ? slash + 1 : url;
    size_t blen = n - (size_t)(base - url);
    if (safe_filename(base, blen)) {
        snprintf(out, outlen, "%.*s", (int)blen, base);
        return;
    }
    /* upstream used an odd name: fall back to npm's own convention */
    const char *name = p->name ? p->name : "package";
    const char *unscoped = strchr(name, '/') ? strchr(name, '/') + 1 : name;
    snprintf(out, outlen, "%s-%s.tgz", unscoped, v->version);
}

static void emit(buf_t *out, const npm_packument_t *p, npm_span_t s) { buf_append(out, p->doc + s.start, s.end - s.start); }

/* copies span s, replacing the version's dist.tarball token when inside it */
static void emit_with_tarball(buf_t *out, const npm_packument_t *p, const npm_version_t *v, npm_span_t s,
                              const npm_render_opts_t *o)
{
    if (v->tarball.end == 0 || v->tarball.start < s.start || v->tarball.end > s.end || o->tarball_base == NULL) {
        emit(out, p, s);
        return;
    }
    buf_append(out, p->doc + s.start, v->tarball.start - s.start);
    char file[256];
    npm_tarball_filename(p, v, file, sizeof(file));
    buf_t url;
    buf_init(&url);
    buf_puts(&url, o->tarball_base);
    buf_puts(&url, file);
    json_str(out, url.data ? url.data : "", url.len);
    buf_free(&url);
    buf_append(out, p->doc + v->tarball.end, s.end - v->tarball.end);
}

static int kept(const npm_render_opts_t *o, size_t i) { return o->keep == NULL || o->keep[i]; }

static void render_tags(const npm_packument_t *p, const npm_render_opts_t *o, buf_t *out)
{
    const npm_tag_t *tags = o->tags ? o->tags : p->tags;
    size_t n = o->tags ? o->ntags : p->ntags;
    buf_putc(out, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        json_cstr(out, tags[i].tag);
        buf_putc(out, ':');
        json_cstr(out, tags[i].version);
    }
    buf_putc(out, '}');
}

static void put_time(buf_t *out, int64_t t)
{
    char iso[40];
    time_format_iso8601(t, iso, sizeof(iso), 1);
    json_cstr(out, iso);
}

static void render_time(const npm_packument_t *p, const npm_render_opts_t *o, buf_t *out)
{
    int first = 1;
    buf_putc(out, '{');
    int64_t modified = o->modified != TIME_NONE ? o->modified : p->modified;
    if (modified != TIME_NONE) {
        buf_puts(out, "\"modified\":");
        put_time(out, modified);
        first = 0;
    }
    if (p->created != TIME_NONE) {
        buf_puts(out, first ? "\"created\":" : ",\"created\":");
        put_time(out, p->created);
        first = 0;
    }
    for (size_t i = 0; i < p->nversions; i++) {
        const npm_version_t *v = &p->versions[i];
        if (!kept(o, i) || v->published_at == TIME_NONE)
            continue;
        if (!first)
            buf_putc(out, ',');
        first = 0;
        json_cstr(out, v->version);
        buf_putc(out, ':');
        put_time(out, v->published_at);
    }
    buf_putc(out, '}');
}

/* the kept versions (want_kept) or the held ones, as a versions object */
static void render_versions(const npm_packument_t *p, const npm_render_opts_t *o, buf_t *out, int want_kept)
{
    int first = 1;
    buf_putc(out, '{');
    for (size_t i = 0; i < p->nversions; i++) {
        const npm_version_t *v = &p->versions[i];
        if (kept(o, i) != want_kept)
            continue;
        if (!first)
            buf_putc(out, ',');
        first = 0;
        json_cstr(out, v->version);
        buf_putc(out, ':');
        if (!o->abbreviated) {
            emit_with_tarball(out, p, v, v->value, o);
            continue;
        }
        int ffirst = 1;
        buf_putc(out, '{');
        for (int f = 0; f < NPM_AB_COUNT; f++) {
            if (v->ab[f].end == 0 || f == NPM_AB_HAS_INSTALL_SCRIPT)
                continue;
            if (!ffirst)
                buf_putc(out, ',');
            ffirst = 0;
            json_cstr(out, AB_NAMES[f]);
            buf_putc(out, ':');
            emit_with_tarball(out, p, v, v->ab[f], o);
        }
        if (v->has_install_script)
            buf_puts(out, ffirst ? "\"hasInstallScript\":true" : ",\"hasInstallScript\":true");
        buf_putc(out, '}');
    }
    buf_putc(out, '}');
}

static void render_restrictions(const npm_packument_t *p, const npm_render_opts_t *o, buf_t *out)
{
    if (o->restricted_message == NULL || o->keep == NULL)
        return;
    size_t held = 0;
    for (size_t i = 0; i < p->nversions; i++)
        held += !o->keep[i];
    if (held == 0)
        return;
    buf_puts(out, ",\"policyRestrictions\":{\"message\":");
    json_cstr(out, o->restricted_message);
    buf_puts(out, ",\"versions\":");
    render_versions(p, o, out, 0);
    buf_putc(out, '}');
}

void npm_packument_render(const npm_packument_t *p, const npm_render_opts_t *o, buf_t *out)
{
    buf_reserve(out, o->abbreviated ? p->len / 3 : p->len + p->len / 16);
    if (o->abbreviated) {
        /* name, modified, dist-tags, versions, plus time so clients (pnpm)
         * can apply their own age gate */
        buf_puts(out, "{\"name\":");
        json_cstr(out, p->name ? p->name : "");
        int64_t modified = o->modified != TIME_NONE ? o->modified : p->modified;
        if (modified != TIME_NONE) {
            buf_puts(out, ",\"modified\":");
            put_time(out, modified);
        }
        buf_puts(out, ",\"dist-tags\":");
        render_tags(p, o, out);
        buf_puts(out, ",\"versions\":");
        render_versions(p, o, out, 1);
        render_restrictions(p, o, out);
        buf_puts(out, ",\"time\":");
        render_time(p, o, out);
        buf_putc(out, '}');
        return;
    }
    buf_putc(out, '{');
    int first = 1;
    for (size_t i = 0; i < p->nmembers; i++) {
        const npm_member_t *m = &p->members[i];
        /* upstream's own restrictions are not ours to pass on */
        if (strcmp(m->key, "policyRestrictions") == 0)
            continue;
        if (!first)
            buf_putc(out, ',');
        first = 0;
        json_cstr(out, m->key);
        buf_putc(out, ':');
        if (strcmp(m->key, "versions") == 0)
            render_versions(p, o, out, 1);
        else if (strcmp(m->key, "dist-tags") == 0)
            render_tags(p, o, out);
        else if (strcmp(m->key, "time") == 0)
            render_time(p, o, out);
        else if (strcmp(m->key, "modified") == 0 && o->modified != TIME_NONE)
            put_time(out, o->modified);
        else
            emit(out, p, m->value);
    }
    render_restrictions(p, o, out);
    buf_putc(out, '}');
}
