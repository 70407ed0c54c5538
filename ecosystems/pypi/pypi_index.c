/* pypi_index: streaming parse of PEP 691 JSON and rendering of both forms. */
#include "ecosystems/pypi/pypi_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "common/json.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "ecosystems/pypi/pypi_path.h"

#define DEPTH 8
#define KEY 48

typedef struct pstate {
    pypi_project_t *p;
    int depth;
    char key[DEPTH][KEY]; /* the current key at each depth (1 = top level) */
    int is_array[DEPTH];
    size_t cap_files, cap_versions;
    pypi_file_t *cur;
    int oom, bad;
} pstate_t;

static int k_is(const pstate_t *s, int d, const char *k) { return d < DEPTH && strcmp(s->key[d], k) == 0; }

static char *dup(const char *s, size_t n, pstate_t *st)
{
    char *d = strndup(s, n);
    if (d == NULL)
        st->oom = 1;
    return d;
}

static int on_value(pstate_t *st, int type, const char *s, size_t n)
{
    /* type: 's' string, 'b' bool (s = "true"/"false"), 'n' number, 'z' null */
    int d = st->depth;
    pypi_project_t *p = st->p;
    if (d == 0 || (d == 1 && k_is(st, 1, "files")) || (d == 2 && k_is(st, 1, "files")))
        return st->bad = 1, 0; /* a bare value, "files": 1, or "files": [1] */
    if (d == 1 && k_is(st, 1, "name") && type == 's') {
        free(p->name);
        p->name = dup(s, n, st);
    } else if (d == 2 && k_is(st, 1, "versions") && st->is_array[2] && type == 's') {
        if (p->nversions == st->cap_versions) {
            size_t cap = st->cap_versions ? st->cap_versions * 2 : 16;
            char **v = realloc(p->versions, cap * sizeof(char *));
            if (v == NULL)
                return st->oom = 1, 0;
            p->versions = v;
            st->cap_versions = cap;
        }
        p->versions[p->nversions++] = dup(s, n, st);
    } else if (d == 3 && st->cur) {
        pypi_file_t *f = st->cur;
        if (k_is(st, 3, "filename") && type == 's')
            free(f->filename), f->filename = dup(s, n, st);
        else if (k_is(st, 3, "url") && type == 's')
            free(f->url), f->url = dup(s, n, st);
        else if (k_is(st, 3, "provenance") && type == 's')
            free(f->provenance), f->provenance = dup(s, n, st);
        else if (k_is(st, 3, "requires-python") && type == 's')
            free(f->requires_python), f->requires_python = dup(s, n, st);
        else if (k_is(st, 3, "yanked")) {
            f->yanked = type == 's' || (type == 'b' && s[0] == 't');
            if (type == 's' && n > 0)
                free(f->yanked_reason), f->yanked_reason = dup(s, n, st);
        } else if ((k_is(st, 3, "core-metadata") || k_is(st, 3, "dist-info-metadata")) && type == 'b') {
            if (s[0] == 't')
                f->core_metadata = 1;
        } else if (k_is(st, 3, "size") && type == 'n') {
            f->size = strtoll(s, NULL, 10);
        } else if (k_is(st, 3, "upload-time") && type == 's') {
            free(f->upload_time);
            f->upload_time = dup(s, n, st);
            f->upload_time_ms = time_parse_iso8601(s, n);
        }
    } else if (d == 4 && st->cur && type == 's') {
        pypi_file_t *f = st->cur;
        if (k_is(st, 3, "hashes") && f->nhashes < PYPI_MAX_HASHES && strlen(st->key[4]) < sizeof(f->hashes[0].alg)) {
            pypi_hash_t *h = &f->hashes[f->nhashes++];
            snprintf(h->alg, sizeof(h->alg), "%s", st->key[4]);
            h->hex = dup(s, n, st);
        } else if ((k_is(st, 3, "core-metadata") || k_is(st, 3, "dist-info-metadata")) && k_is(st, 4, "sha256")) {
            f->core_metadata = 1;
            free(f->core_metadata_sha256);
            f->core_metadata_sha256 = dup(s, n, st);
        }
    }
    return !st->oom;
}

static int cb_null(void *c) { return on_value(c, 'z', "", 0); }
static int cb_bool(void *c, int b) { return on_value(c, 'b', b ? "true" : "false", b ? 4 : 5); }
static int cb_number(void *c, const char *s, size_t n)
{
    char tmp[32];
    if (n >= sizeof(tmp))
        return on_value(c, 'z', "", 0);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return on_value(c, 'n', tmp, n);
}
static int cb_string(void *c, const unsigned char *s, size_t n) { return on_value(c, 's', (const char *)s, n); }

static int open_c(pstate_t *st, int array)
{
    if (st->depth == 0 && array)
        return st->bad = 1, 0; /* the page is an object */
    if (st->depth + 1 >= DEPTH) {
        st->depth++; /* deeper than anything we read: track depth only */
        return st->depth < 64 ? 1 : 0;
    }
    st->depth++;
    st->is_array[st->depth] = array;
    st->key[st->depth][0] = '\0';
    if (st->depth == 2 && k_is(st, 1, "files") && !array)
        return st->bad = 1, 0;
    if (st->depth == 3 && k_is(st, 1, "files") && st->is_array[2]) {
        if (array)
            return st->bad = 1, 0;
        pypi_project_t *p = st->p;
        if (p->nfiles == st->cap_files) {
            size_t cap = st->cap_files ? st->cap_files * 2 : 64;
            pypi_file_t *f = realloc(p->files, cap * sizeof(*f));
            if (f == NULL)
                return st->oom = 1, 0;
            p->files = f;
            st->cap_files = cap;
        }
        st->cur = &p->files[p->nfiles++];
        memset(st->cur, 0, sizeof(*st->cur));
        st->cur->size = -1;
        st->cur->upload_time_ms = TIME_NONE;
    }
    if (st->depth == 2 && k_is(st, 1, "versions"))
        st->p->has_versions = 1;
    return 1;
}

static int close_c(pstate_t *st)
{
    if (st->depth == 3 && st->cur)
        st->cur = NULL;
    st->depth--;
    return 1;
}

static int cb_start_map(void *c) { return open_c(c, 0); }
static int cb_start_array(void *c) { return open_c(c, 1); }
static int cb_end(void *c) { return close_c(c); }

static int cb_key(void *c, const unsigned char *k, size_t n)
{
    pstate_t *st = c;
    if (st->depth < DEPTH) {
        size_t m = n < KEY - 1 ? n : KEY - 1;
        memcpy(st->key[st->depth], k, m);
        st->key[st->depth][m] = '\0';
        if (n >= KEY - 1)
            st->key[st->depth][0] = '\0'; /* too long to be a key we read */
    }
    return 1;
}

static const yajl_callbacks CB = {cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
                                  cb_start_map, cb_key, cb_end, cb_start_array, cb_end};

static void file_free(pypi_file_t *f)
{
    free(f->filename);
    free(f->url);
    for (int i = 0; i < f->nhashes; i++)
        free(f->hashes[i].hex);
    free(f->requires_python);
    free(f->yanked_reason);
    free(f->provenance);
    free(f->core_metadata_sha256);
    free(f->upload_time);
    free(f->version);
}

void pypi_index_free(pypi_project_t *p)
{
    for (size_t i = 0; i < p->nfiles; i++)
        file_free(&p->files[i]);
    free(p->files);
    for (size_t i = 0; i < p->nversions; i++)
        free(p->versions[i]);
    free(p->versions);
    free(p->name);
    memset(p, 0, sizeof(*p));
}

int pypi_index_parse(pypi_project_t *p, const char *project, const char *doc, size_t len, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    pstate_t st;
    memset(&st, 0, sizeof(st));
    st.p = p;
    yajl_handle h = yajl_alloc(&CB, NULL, &st);
    if (h == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    yajl_status s = yajl_parse(h, (const unsigned char *)doc, len);
    if (s == yajl_status_ok)
        s = yajl_complete_parse(h);
    int rc = 0;
    if (st.oom) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else if (st.bad) {
        snprintf(err, errlen, "not a PEP 691 project page (files must be a list of objects)");
        rc = -1;
    } else if (s != yajl_status_ok) {
        unsigned char *m = yajl_get_error(h, 0, (const unsigned char *)doc, len);
        snprintf(err, errlen, "invalid JSON: %s", m ? (char *)m : "parse error");
        for (char *c = err; *c; c++)
            if (*c == '\n')
                *c = ' ';
        if (m)
            yajl_free_error(h, m);
        rc = -1;
    } else if (len == 0 || p->name == NULL) {
        snprintf(err, errlen, "not a PEP 691 project page (no name)");
        rc = -1;
    }
    yajl_free(h);
    if (rc == 0) {
        char norm[PYPI_NAME_MAX + 1];
        if (pypi_normalize(p->name, strlen(p->name), norm, sizeof(norm)) != 0 || strcmp(norm, project) != 0) {
            snprintf(err, errlen, "the page is for project '%s', not '%s'", p->name, project);
            rc = -1;
        }
    }
    for (size_t i = 0; rc == 0 && i < p->nfiles; i++) {
        pypi_file_t *f = &p->files[i];
        char v[128];
        /* files with no name or URL, an unsafe name, or one of another
         * project ("a file URL outside the project") are dropped later */
        if (f->filename && f->url && pypi_filename_safe(f->filename, strlen(f->filename)) &&
            pypi_file_version(project, f->filename, v, sizeof(v)) == 0)
            f->version = xstrdup(v);
    }
    if (rc != 0)
        pypi_index_free(p);
    return rc;
}

const pypi_hash_t *pypi_file_hash(const pypi_file_t *f)
{
    static const char *const PREF[] = {"sha256", "sha512"};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < f->nhashes; i++)
            if (strcmp(f->hashes[i].alg, PREF[k]) == 0 && f->hashes[i].hex)
                return &f->hashes[i];
    return NULL;
}

void html_escape(buf_t *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default: buf_putc(out, *s);
        }
    }
}

static int kept(const pypi_project_t *p, const pypi_render_opts_t *o, size_t i)
{
    return p->files[i].version != NULL && (o->keep == NULL || o->keep[i]);
}

/* cordon's reason when the file is held but listed as yanked, else NULL */
static const char *held_reason(const pypi_project_t *p, const pypi_render_opts_t *o, size_t i)
{
    return !kept(p, o, i) && p->files[i].version != NULL && o->held ? o->held[i] : NULL;
}

/* in the page: kept, or held and shown as yanked */
static int shown(const pypi_project_t *p, const pypi_render_opts_t *o, size_t i)
{
    return kept(p, o, i) || held_reason(p, o, i) != NULL;
}

/* PEP 592: yanked (or not) and why, cordon's hold first */
static int yanked_as(const pypi_project_t *p, const pypi_render_opts_t *o, size_t i, const char **reason)
{
    const char *held = held_reason(p, o, i);
    *reason = held ? held : p->files[i].yanked_reason;
    return held != NULL || p->files[i].yanked;
}

/* a listed version stays when it has no files upstream or a kept one */
static int version_listed(const pypi_project_t *p, const pypi_render_opts_t *o, const char *v)
{
    int any = 0;
    for (size_t i = 0; i < p->nfiles; i++) {
        if (p->files[i].version == NULL || strcmp(p->files[i].version, v) != 0)
            continue;
        any = 1;
        if (shown(p, o, i))
            return 1;
    }
    return !any;
}

static void render_json(const pypi_project_t *p, const pypi_render_opts_t *o, buf_t *out)
{
    buf_puts(out, "{\"meta\":{\"api-version\":\"1.1\"},\"name\":");
    json_cstr(out, p->name);
    buf_puts(out, ",\"files\":[");
    int first = 1;
    for (size_t i = 0; i < p->nfiles; i++) {
        if (!shown(p, o, i))
            continue;
        const pypi_file_t *f = &p->files[i];
        buf_puts(out, first ? "{" : ",{");
        first = 0;
        buf_puts(out, "\"filename\":");
        json_cstr(out, f->filename);
        buf_puts(out, ",\"url\":");
        buf_t url;
        buf_init(&url);
        buf_puts(&url, o->files_base);
        buf_puts(&url, f->filename);
        json_str(out, url.data ? url.data : "", url.len);
        buf_free(&url);
        buf_puts(out, ",\"hashes\":{");
        for (int h = 0; h < f->nhashes; h++) {
            if (h)
                buf_putc(out, ',');
            json_cstr(out, f->hashes[h].alg);
            buf_putc(out, ':');
            json_cstr(out, f->hashes[h].hex);
        }
        buf_putc(out, '}');
        if (f->requires_python) {
            buf_puts(out, ",\"requires-python\":");
            json_cstr(out, f->requires_python);
        }
        const char *why;
        int yanked = yanked_as(p, o, i, &why);
        if (yanked && why) {
            buf_puts(out, ",\"yanked\":");
            json_cstr(out, why);
        } else {
            buf_puts(out, yanked ? ",\"yanked\":true" : ",\"yanked\":false");
        }
        if (f->core_metadata) {
            for (int k = 0; k < 2; k++) {
                buf_puts(out, k ? ",\"dist-info-metadata\":" : ",\"core-metadata\":");
                if (f->core_metadata_sha256) {
                    buf_puts(out, "{\"sha256\":");
                    json_cstr(out, f->core_metadata_sha256);
                    buf_putc(out, '}');
                } else {
                    buf_puts(out, "true");
                }
            }
        }
        if (f->size >= 0)
            buf_printf(out, ",\"size\":%lld", (long long)f->size);
        if (f->upload_time) {
            buf_puts(out, ",\"upload-time\":");
            json_cstr(out, f->upload_time);
        }
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
    if (p->has_versions) {
        buf_puts(out, ",\"versions\":[");
        first = 1;
        for (size_t i = 0; i < p->nversions; i++) {
            if (!version_listed(p, o, p->versions[i]))
                continue;
            if (!first)
                buf_putc(out, ',');
            first = 0;
            json_cstr(out, p->versions[i]);
        }
        buf_putc(out, ']');
    }
    buf_putc(out, '}');
}

static void render_html(const pypi_project_t *p, const pypi_render_opts_t *o, buf_t *out)
{
    buf_puts(out, "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"1.1\">\n<title>Links for ");
    html_escape(out, p->name);
    buf_puts(out, "</title>\n</head>\n<body>\n<h1>Links for ");
    html_escape(out, p->name);
    buf_puts(out, "</h1>\n");
    for (size_t i = 0; i < p->nfiles; i++) {
        if (!shown(p, o, i))
            continue;
        const pypi_file_t *f = &p->files[i];
        const char *why;
        int yanked = yanked_as(p, o, i, &why);
        buf_puts(out, "<a href=\"");
        html_escape(out, o->files_base);
        html_escape(out, f->filename);
        const pypi_hash_t *h = pypi_file_hash(f);
        if (h) {
            buf_printf(out, "#%s=", h->alg);
            html_escape(out, h->hex);
        }
        buf_putc(out, '"');
        if (f->requires_python) {
            buf_puts(out, " data-requires-python=\"");
            html_escape(out, f->requires_python);
            buf_putc(out, '"');
        }
        if (yanked) {
            buf_puts(out, " data-yanked=\"");
            html_escape(out, why ? why : "");
            buf_putc(out, '"');
        }
        if (f->core_metadata) {
            for (int k = 0; k < 2; k++) {
                buf_puts(out, k ? " data-dist-info-metadata=\"" : " data-core-metadata=\"");
                if (f->core_metadata_sha256) {
                    buf_puts(out, "sha256=");
                    html_escape(out, f->core_metadata_sha256);
                } else {
                    buf_puts(out, "true");
                }
                buf_putc(out, '"');
            }
        }
        buf_putc(out, '>');
        html_escape(out, f->filename);
        buf_puts(out, "</a><br/>\n");
    }
    buf_puts(out, "</body>\n</html>\n");
}

void pypi_index_render(const pypi_project_t *p, const pypi_render_opts_t *o, buf_t *out)
{
    if (o->html)
        render_html(p, o, out);
    else
        render_json(p, o, out);
}

static int str_ptr_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void pypi_package_history(const pypi_project_t *p, int64_t now, package_rec_t *out)
{
    out->first_published = out->last_published = TIME_NONE;
    out->first_seen = now;
    out->nversions = 0;
    for (size_t i = 0; i < p->nfiles; i++) {
        int64_t t = p->files[i].upload_time_ms;
        if (p->files[i].version == NULL || t == TIME_NONE)
            continue;
        if (out->first_published == TIME_NONE || t < out->first_published)
            out->first_published = t;
        if (out->last_published == TIME_NONE || t > out->last_published)
            out->last_published = t;
    }
    if (p->has_versions) {
        out->nversions = (int64_t)p->nversions;
        return;
    }
    char **seen = malloc((p->nfiles ? p->nfiles : 1) * sizeof(char *));
    if (seen == NULL)
        return; /* no count: the history is only less established */
    size_t n = 0;
    for (size_t i = 0; i < p->nfiles; i++)
        if (p->files[i].version)
            seen[n++] = p->files[i].version;
    qsort(seen, n, sizeof(char *), str_ptr_cmp);
    for (size_t i = 0; i < n; i++)
        out->nversions += i == 0 || strcmp(seen[i], seen[i - 1]) != 0;
    free(seen);
}
