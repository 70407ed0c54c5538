/* maven_metadata: scanner and splicing renderer (see the header). */
#include "ecosystems/maven/maven_metadata.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timeutil.h"

int64_t maven_timestamp_parse(const char *s, size_t n)
{
    if (n != 14)
        return TIME_NONE;
    char iso[32];
    for (size_t i = 0; i < 14; i++)
        if (!isdigit((unsigned char)s[i]))
            return TIME_NONE;
    snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s, s + 4, s + 6, s + 8, s + 10, s + 12);
    return time_parse_iso8601(iso, strlen(iso));
}

void maven_timestamp_format(int64_t ms, char out[15])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 15, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

static const char *find(const char *from, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    if (from >= end)
        return NULL;
    return memmem(from, (size_t)(end - from), needle, n);
}

/* inner text of <tag>…</tag> between from and end; 0 found, 1 absent, -1 broken */
static int element(const char *doc, const char *from, const char *end, const char *tag, size_t *s, size_t *e);

/* the same, for an element that may appear once: a second one is an error
 * (which of two <release> a client believes is anyone's guess) */
static int single_element(const char *doc, const char *from, const char *end, const char *tag, size_t *s, size_t *e)
{
    int rc = element(doc, from, end, tag, s, e);
    if (rc != 0)
        return rc;
    char open[64];
    snprintf(open, sizeof(open), "<%s>", tag);
    return find(doc + *e, end, open) ? -1 : 0;
}

static int element(const char *doc, const char *from, const char *end, const char *tag, size_t *s, size_t *e)
{
    char open[64], close[64];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    const char *o = find(from, end, open);
    if (o == NULL)
        return 1;
    const char *text = o + strlen(open);
    const char *c = find(text, end, close);
    if (c == NULL || memchr(text, '<', (size_t)(c - text)))
        return -1;
    *s = (size_t)(text - doc);
    *e = (size_t)(c - doc);
    return 0;
}

void maven_metadata_free(maven_metadata_t *m)
{
    for (size_t i = 0; i < m->nversions; i++)
        free(m->versions[i].version);
    free(m->versions);
    memset(m, 0, sizeof(*m));
}

int maven_metadata_parse(maven_metadata_t *m, const char *doc, size_t len, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    m->doc = doc;
    m->len = len;
    m->last_updated = TIME_NONE;
    const char *end = doc + len;
    const char *root = find(doc, end, "<metadata");
    /* the document ends with </metadata> (trailing white space allowed) */
    const char *tail = end;
    while (tail > doc && isspace((unsigned char)tail[-1]))
        tail--;
    if (root == NULL || tail - doc < 11 || memcmp(tail - 11, "</metadata>", 11) != 0 || memchr(doc, '\0', len)) {
        snprintf(err, errlen, "not a maven-metadata.xml document (no <metadata> … </metadata>)");
        return -1;
    }
    const char *vs = find(root, tail, "<versioning>");
    if (vs == NULL)
        return 0; /* group metadata, or versionless: passed through */
    const char *ve = find(vs, tail, "</versioning>");
    if (ve == NULL) {
        snprintf(err, errlen, "<versioning> is not closed");
        return -1;
    }
    if (single_element(doc, vs, ve, "latest", &m->latest_start, &m->latest_end) < 0 ||
        single_element(doc, vs, ve, "release", &m->release_start, &m->release_end) < 0 ||
        single_element(doc, vs, ve, "lastUpdated", &m->updated_start, &m->updated_end) < 0 ||
        (find(ve + 1, tail, "<versioning>") != NULL)) {
        snprintf(err, errlen, "malformed or repeated <latest>, <release>, <lastUpdated> or <versioning>");
        return -1;
    }
    if (m->updated_end)
        m->last_updated = maven_timestamp_parse(doc + m->updated_start, m->updated_end - m->updated_start);
    const char *list = find(vs, ve, "<versions>");
    if (list == NULL)
        return 0;
    const char *list_end = find(list, ve, "</versions>");
    if (list_end == NULL || find(list_end, ve, "<versions>") != NULL) {
        snprintf(err, errlen, "<versions> is not closed, or repeated");
        return -1;
    }
    /* latest/release/lastUpdated belong beside <versions>, not inside it */
    if ((m->latest_end && m->latest_start > (size_t)(list - doc) && m->latest_start < (size_t)(list_end - doc)) ||
        (m->release_end && m->release_start > (size_t)(list - doc) && m->release_start < (size_t)(list_end - doc)) ||
        (m->updated_end && m->updated_start > (size_t)(list - doc) && m->updated_start < (size_t)(list_end - doc))) {
        snprintf(err, errlen, "<latest>, <release> or <lastUpdated> inside <versions>");
        return -1;
    }
    m->has_versions = 1;
    size_t cap = 0;
    const char *p = list + strlen("<versions>");
    for (;;) {
        size_t s, e;
        int rc = element(doc, p, list_end, "version", &s, &e);
        /* <versions> holds <version> elements and white space, nothing else:
         * anything more would make splicing ambiguous */
        const char *next = rc == 0 ? doc + s - strlen("<version>") : list_end;
        for (const char *q = p; q < next; q++) {
            if (!isspace((unsigned char)*q)) {
                snprintf(err, errlen, "unexpected content in <versions>");
                maven_metadata_free(m);
                return -1;
            }
        }
        if (rc == 1)
            break;
        if (rc < 0) {
            snprintf(err, errlen, "malformed <version> in <versions>");
            maven_metadata_free(m);
            return -1;
        }
        /* trim */
        size_t ts = s, te = e;
        while (ts < te && isspace((unsigned char)doc[ts]))
            ts++;
        while (te > ts && isspace((unsigned char)doc[te - 1]))
            te--;
        if (te == ts || te - ts > 120) {
            snprintf(err, errlen, "an empty or overlong <version>");
            maven_metadata_free(m);
            return -1;
        }
        if (m->nversions == cap) {
            cap = cap ? cap * 2 : 32;
            maven_meta_version_t *nv = realloc(m->versions, cap * sizeof(*nv));
            if (nv == NULL) {
                snprintf(err, errlen, "out of memory");
                maven_metadata_free(m);
                return -1;
            }
            m->versions = nv;
        }
        maven_meta_version_t *v = &m->versions[m->nversions++];
        v->version = strndup(doc + ts, te - ts);
        /* the element starts at "<version>"; removal takes the white space before it too */
        size_t open = s - strlen("<version>");
        size_t ws = open;
        while (ws > (size_t)(list - doc) && isspace((unsigned char)doc[ws - 1]))
            ws--;
        v->start = ws;
        v->end = e + strlen("</version>");
        p = doc + v->end;
    }
    return 0;
}

typedef struct edit {
    size_t start, end;
    const char *text; /* NULL: delete */
    int whole_element; /* for latest/release: remove "<tag>…</tag>" */
} edit_t;

static int cmp_edit(const void *a, const void *b)
{
    const edit_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void element_span(const maven_metadata_t *m, size_t s, size_t e, const char *tag, size_t *os, size_t *oe)
{
    /* widen an inner-text span to the whole element with its leading white space */
    size_t open = s - strlen(tag) - 2;
    size_t close = e + strlen(tag) + 3;
    while (open > 0 && isspace((unsigned char)m->doc[open - 1]))
        open--;
    *os = open;
    *oe = close;
}

void maven_metadata_render(const maven_metadata_t *m, const unsigned char *keep, const char *latest,
                           const char *release, int64_t last_updated, buf_t *out)
{
    size_t n = m->nversions + 3;
    edit_t *edits = calloc(n, sizeof(edit_t));
    size_t ne = 0;
    char stamp[15];
    if (edits == NULL) {
        out->oom = 1;
        return;
    }
    for (size_t i = 0; i < m->nversions; i++)
        if (keep && !keep[i])
            edits[ne++] = (edit_t){m->versions[i].start, m->versions[i].end, NULL, 0};
    if (m->latest_end) {
        if (latest)
            edits[ne++] = (edit_t){m->latest_start, m->latest_end, latest, 0};
        else {
            element_span(m, m->latest_start, m->latest_end, "latest", &edits[ne].start, &edits[ne].end);
            edits[ne++].text = NULL;
        }
    }
    if (m->release_end) {
        if (release)
            edits[ne++] = (edit_t){m->release_start, m->release_end, release, 0};
        else {
            element_span(m, m->release_start, m->release_end, "release", &edits[ne].start, &edits[ne].end);
            edits[ne++].text = NULL;
        }
    }
    if (m->updated_end && last_updated != TIME_NONE) {
        maven_timestamp_format(last_updated, stamp);
        edits[ne++] = (edit_t){m->updated_start, m->updated_end, stamp, 0};
    }
    qsort(edits, ne, sizeof(edit_t), cmp_edit);
    size_t at = 0;
    for (size_t i = 0; i < ne; i++) {
        if (edits[i].start < at)
            continue; /* overlapping edits cannot happen in a well-formed document; be safe */
        buf_append(out, m->doc + at, edits[i].start - at);
        if (edits[i].text)
            buf_puts(out, edits[i].text);
        at = edits[i].end;
    }
    buf_append(out, m->doc + at, m->len - at);
    free(edits);
}
