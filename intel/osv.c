/* osv: OSV records parsed with yajl's tree and their ranges evaluated (see
 * osv.h). A record is small; a file above OSV_MAX_BYTES is refused. */
#include "intel/osv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static yajl_val field(yajl_val obj, const char *key)
{
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

/* an optional string field: 0 with *out (strdup, NULL when absent or null),
 * -1 when it is there and not a string */
static int opt_string(yajl_val obj, const char *key, char **out, const char *where, char *err, size_t errlen)
{
    yajl_val v = field(obj, key);
    *out = NULL;
    if (v == NULL || YAJL_IS_NULL(v))
        return 0;
    if (!YAJL_IS_STRING(v))
        return failf(err, errlen, "%s%s is not a string", where, key);
    if ((*out = strdup(v->u.string)) == NULL)
        return failf(err, errlen, "out of memory");
    return 0;
}

/* an optional array field: its length (0 when absent or null), -1 when not an array */
static long opt_array(yajl_val obj, const char *key, yajl_val *out, const char *where, char *err, size_t errlen)
{
    yajl_val v = field(obj, key);
    *out = NULL;
    if (v == NULL || YAJL_IS_NULL(v))
        return 0;
    if (!YAJL_IS_ARRAY(v))
        return failf(err, errlen, "%s%s is not an array", where, key);
    *out = v;
    return (long)v->u.array.len;
}

static int parse_range(yajl_val v, osv_range_t *r, const char *where, char *err, size_t errlen)
{
    char *type = NULL;
    yajl_val evs;
    if (!YAJL_IS_OBJECT(v))
        return failf(err, errlen, "%s is not an object", where);
    if (opt_string(v, "type", &type, where, err, errlen) != 0)
        return -1;
    if (type == NULL)
        return failf(err, errlen, "%s has no type", where);
    if (strcmp(type, "ECOSYSTEM") == 0)
        r->type = OSV_RANGE_ECOSYSTEM;
    else if (strcmp(type, "SEMVER") == 0)
        r->type = OSV_RANGE_SEMVER;
    else if (strcmp(type, "GIT") == 0)
        r->type = OSV_RANGE_GIT;
    else {
        failf(err, errlen, "%s type \"%.40s\" is not SEMVER, ECOSYSTEM or GIT", where, type);
        free(type);
        return -1;
    }
    free(type);
    long n = opt_array(v, "events", &evs, where, err, errlen);
    if (n < 0)
        return -1;
    if (n == 0)
        return failf(err, errlen, "%s has no events", where);
    if ((r->events = calloc((size_t)n, sizeof(osv_event_t))) == NULL)
        return failf(err, errlen, "out of memory");
    static const char *const KINDS[] = {"introduced", "fixed", "last_affected"};
    for (long i = 0; i < n; i++) {
        yajl_val e = evs->u.array.values[i];
        if (!YAJL_IS_OBJECT(e) || e->u.object.len != 1)
            return failf(err, errlen, "%s event %ld is not an object of one key", where, i);
        const char *k = e->u.object.keys[0];
        yajl_val ver = e->u.object.values[0];
        if (strcmp(k, "limit") == 0)
            continue; /* bounds the search for commits: nothing to evaluate */
        int kind = -1;
        for (int j = 0; j < 3; j++)
            if (strcmp(k, KINDS[j]) == 0)
                kind = j;
        if (kind < 0)
            return failf(err, errlen, "%s event %ld has unknown key \"%.40s\"", where, i, k);
        if (!YAJL_IS_STRING(ver) || ver->u.string[0] == '\0')
            return failf(err, errlen, "%s event %ld (%s) is not a version string", where, i, k);
        osv_event_t *ev = &r->events[r->nevents];
        ev->kind = (osv_event_kind_t)kind;
        if ((ev->version = strdup(ver->u.string)) == NULL)
            return failf(err, errlen, "out of memory");
        r->nevents++;
    }
    return 0;
}

static int parse_affected(yajl_val v, osv_affected_t *a, size_t idx, char *err, size_t errlen)
{
    char where[64];
    snprintf(where, sizeof(where), "affected[%zu].", idx);
    if (!YAJL_IS_OBJECT(v))
        return failf(err, errlen, "affected[%zu] is not an object", idx);
    yajl_val pkg = field(v, "package");
    if (!YAJL_IS_OBJECT(pkg))
        return failf(err, errlen, "%spackage is missing or not an object", where);
    char pwhere[80];
    snprintf(pwhere, sizeof(pwhere), "%spackage.", where);
    if (opt_string(pkg, "ecosystem", &a->ecosystem, pwhere, err, errlen) != 0 ||
        opt_string(pkg, "name", &a->name, pwhere, err, errlen) != 0)
        return -1;
    if (a->ecosystem == NULL || a->name == NULL || a->name[0] == '\0')
        return failf(err, errlen, "%spackage has no ecosystem or name", where);
    yajl_val arr;
    long n = opt_array(v, "versions", &arr, where, err, errlen);
    if (n < 0)
        return -1;
    if (n > 0 && (a->versions = calloc((size_t)n, sizeof(char *))) == NULL)
        return failf(err, errlen, "out of memory");
    for (long i = 0; i < n; i++) {
        yajl_val s = arr->u.array.values[i];
        if (!YAJL_IS_STRING(s))
            return failf(err, errlen, "%sversions[%ld] is not a string", where, i);
        if ((a->versions[a->nversions] = strdup(s->u.string)) == NULL)
            return failf(err, errlen, "out of memory");
        a->nversions++;
    }
    n = opt_array(v, "ranges", &arr, where, err, errlen);
    if (n < 0)
        return -1;
    if (n > 0 && (a->ranges = calloc((size_t)n, sizeof(osv_range_t))) == NULL)
        return failf(err, errlen, "out of memory");
    for (long i = 0; i < n; i++) {
        char rwhere[96];
        snprintf(rwhere, sizeof(rwhere), "%sranges[%ld]", where, i);
        a->nranges++;
        if (parse_range(arr->u.array.values[i], &a->ranges[i], rwhere, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int parse_record(yajl_val root, osv_record_t *out, char *err, size_t errlen)
{
    if (!YAJL_IS_OBJECT(root))
        return failf(err, errlen, "the document is not a JSON object");
    if (opt_string(root, "id", &out->id, "", err, errlen) != 0)
        return -1;
    if (out->id == NULL || out->id[0] == '\0')
        return failf(err, errlen, "the record has no id");
    if (strlen(out->id) > 100)
        return failf(err, errlen, "the record's id is longer than 100 bytes");
    if (opt_string(root, "summary", &out->summary, "", err, errlen) != 0)
        return -1;
    if (out->summary == NULL) {
        char *details = NULL;
        if (opt_string(root, "details", &details, "", err, errlen) != 0)
            return -1;
        if (details)
            details[strcspn(details, "\r\n")] = '\0';
        out->summary = details ? details : strdup("");
        if (out->summary == NULL)
            return failf(err, errlen, "out of memory");
    }
    yajl_val w = field(root, "withdrawn");
    if (w != NULL && !YAJL_IS_NULL(w) && !YAJL_IS_STRING(w))
        return failf(err, errlen, "withdrawn is not a timestamp string");
    out->withdrawn = w != NULL && YAJL_IS_STRING(w) && w->u.string[0] != '\0';
    yajl_val arr;
    long n = opt_array(root, "affected", &arr, "", err, errlen);
    if (n < 0)
        return -1;
    if (n > 0 && (out->affected = calloc((size_t)n, sizeof(osv_affected_t))) == NULL)
        return failf(err, errlen, "out of memory");
    for (long i = 0; i < n; i++) {
        out->naffected++;
        if (parse_affected(arr->u.array.values[i], &out->affected[i], (size_t)i, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int osv_parse(const char *text, size_t len, osv_record_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (len > OSV_MAX_BYTES)
        return failf(err, errlen, "the file is larger than %u bytes", OSV_MAX_BYTES);
    if (memchr(text, '\0', len) != NULL)
        return failf(err, errlen, "the file contains a NUL byte");
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return failf(err, errlen, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    char yerr[256] = "";
    yajl_val root = yajl_tree_parse(copy, yerr, sizeof(yerr));
    free(copy);
    if (root == NULL) {
        yerr[strcspn(yerr, "\n")] = '\0';
        return failf(err, errlen, "not JSON: %s", yerr[0] ? yerr : "parse error");
    }
    int rc = parse_record(root, out, err, errlen);
    yajl_tree_free(root);
    if (rc != 0)
        osv_record_free(out);
    return rc;
}

void osv_record_free(osv_record_t *r)
{
    for (size_t i = 0; i < r->naffected; i++) {
        osv_affected_t *a = &r->affected[i];
        free(a->ecosystem);
        free(a->name);
        for (size_t j = 0; j < a->nversions; j++)
            free(a->versions[j]);
        free(a->versions);
        for (size_t j = 0; j < a->nranges; j++) {
            for (size_t k = 0; k < a->ranges[j].nevents; k++)
                free(a->ranges[j].events[k].version);
            free(a->ranges[j].events);
        }
        free(a->ranges);
    }
    free(r->affected);
    free(r->id);
    free(r->summary);
    memset(r, 0, sizeof(*r));
}

int osv_is_malicious(const osv_record_t *r) { return r->id && strncmp(r->id, "MAL-", 4) == 0; }

static int is_zero(const osv_event_t *e) { return e->kind == OSV_INTRODUCED && strcmp(e->version, "0") == 0; }

/* the events' order: by version ("0" first), an introduced before a
 * fixed/last_affected of the same version */
static int event_before(const osv_event_t *a, const osv_event_t *b, osv_cmp_fn cmp)
{
    if (is_zero(a) != is_zero(b))
        return is_zero(a);
    if (is_zero(a))
        return 0;
    int c = cmp(a->version, b->version);
    return c != 0 ? c < 0 : a->kind < b->kind;
}

#define MAX_EVENTS 256

/* OSV's evaluation: walk the events in version order; an introduced at or
 * below the version opens, a fixed at or below it (a last_affected below
 * it) closes */
static int range_has(const osv_range_t *r, const char *version, osv_cmp_fn cmp)
{
    if (r->type == OSV_RANGE_GIT || r->nevents == 0)
        return 0;
    const osv_event_t *ord[MAX_EVENTS];
    size_t n = r->nevents < MAX_EVENTS ? r->nevents : MAX_EVENTS;
    for (size_t i = 0; i < n; i++) { /* insertion sort: a handful of events */
        const osv_event_t *e = &r->events[i];
        size_t j = i;
        while (j > 0 && event_before(e, ord[j - 1], cmp)) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = e;
    }
    int affected = 0;
    for (size_t i = 0; i < n; i++) {
        const osv_event_t *e = ord[i];
        switch (e->kind) {
        case OSV_INTRODUCED:
            if (is_zero(e) || cmp(version, e->version) >= 0)
                affected = 1;
            break;
        case OSV_FIXED:
            if (cmp(version, e->version) >= 0)
                affected = 0;
            break;
        case OSV_LAST_AFFECTED:
            if (cmp(version, e->version) > 0)
                affected = 0;
            break;
        }
    }
    return affected;
}

int osv_affected_has(const osv_affected_t *a, const char *version, osv_cmp_fn cmp)
{
    for (size_t i = 0; i < a->nversions; i++)
        if (strcmp(a->versions[i], version) == 0)
            return 1;
    for (size_t i = 0; i < a->nranges; i++)
        if (range_has(&a->ranges[i], version, cmp))
            return 1;
    return 0;
}

int osv_affected_fixed_in(const osv_affected_t *a, const char *version, osv_cmp_fn cmp)
{
    for (size_t i = 0; i < a->nranges; i++) {
        const osv_range_t *r = &a->ranges[i];
        if (r->type == OSV_RANGE_GIT)
            continue;
        for (size_t k = 0; k < r->nevents; k++)
            if (r->events[k].kind == OSV_FIXED && cmp(r->events[k].version, version) == 0)
                return 1;
    }
    return 0;
}
