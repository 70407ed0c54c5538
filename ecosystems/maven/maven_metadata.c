/* maven_metadata: the XML reading and the writing back (see the header).
 * Both walk the document with the same reader and the same notion of where
 * a node is (role_of), so the versions render() drops are exactly the ones
 * parse() listed, by index. Owns: the version strings and latest/release
 * of a parsed document; the document itself stays the caller's. */
#include "ecosystems/maven/maven_metadata.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timeutil.h"
#include "common/utf8.h"
#include "common/xml.h"

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

#define NAME_MAX_LEN 16   /* local names kept per depth; longer ones match nothing */
#define VERSION_MAX 120
#define TEXT_MAX 4096     /* text of one version / latest / release / lastUpdated */

typedef enum {
    ROLE_OTHER = 0, /* copied as it is */
    ROLE_ROOT,
    ROLE_VERSIONING,
    ROLE_VERSIONS,
    ROLE_VERSION,
    ROLE_LATEST,
    ROLE_RELEASE,
    ROLE_UPDATED,
    ROLE_BAD, /* refused: the reason is in the reader */
} role_t;

/* the local names of the open elements at depths 0..3 */
typedef struct where {
    char at[4][NAME_MAX_LEN];
} where_t;

static int is(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* what an element is, from its local name and its ancestors' */
static role_t role_of(xml_reader_t *x, where_t *w, int depth, const char *ln)
{
    if (depth < 4)
        snprintf(w->at[depth], NAME_MAX_LEN, "%s", strlen(ln) < NAME_MAX_LEN ? ln : "");
    int line = xmlTextReaderGetParserLineNumber(x->r);
    if (depth == 0) {
        if (is(ln, "metadata"))
            return ROLE_ROOT;
        xml_reader_fail(x, "not a maven-metadata.xml document (the root element is <%.40s>)", ln);
        return ROLE_BAD;
    }
    if (is(ln, "versioning")) {
        if (depth == 1)
            return ROLE_VERSIONING;
        xml_reader_fail(x, "line %d: <versioning> outside <metadata>'s own children", line);
        return ROLE_BAD;
    }
    int in_versioning = depth >= 2 && is(w->at[1], "versioning");
    if (is(ln, "versions")) {
        if (depth == 2 && in_versioning)
            return ROLE_VERSIONS;
        xml_reader_fail(x, "line %d: <versions> outside <versioning>", line);
        return ROLE_BAD;
    }
    if (depth == 2 && in_versioning) {
        if (is(ln, "latest"))
            return ROLE_LATEST;
        if (is(ln, "release"))
            return ROLE_RELEASE;
        if (is(ln, "lastUpdated"))
            return ROLE_UPDATED;
    }
    if (depth == 3 && in_versioning && is(w->at[2], "versions")) {
        if (is(ln, "version"))
            return ROLE_VERSION;
        xml_reader_fail(x, "line %d: <%.40s> inside <versions> (only <version> belongs there)", line, ln);
        return ROLE_BAD;
    }
    return ROLE_OTHER;
}

static int in_versions(const where_t *w, int depth)
{
    return depth == 3 && is(w->at[1], "versioning") && is(w->at[2], "versions");
}

static int xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int all_space(const char *s)
{
    for (; *s; s++)
        if (!xml_space(*s))
            return 0;
    return 1;
}

/* The text of the element the reader is on (text only: no element, no
 * comment inside), trimmed, as a new string; NULL on failure. */
static char *element_text(xml_reader_t *x, const char *tag)
{
    buf_t t;
    buf_init(&t);
    int depth = xmlTextReaderDepth(x->r), line = xmlTextReaderGetParserLineNumber(x->r);
    if (!xmlTextReaderIsEmptyElement(x->r)) {
        for (;;) {
            if (xml_reader_next(x, 0) != 1) {
                buf_free(&t);
                return NULL;
            }
            int type = xmlTextReaderNodeType(x->r);
            if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(x->r) == depth)
                break;
            if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE) {
                buf_puts(&t, xml_value(x));
                if (t.len > TEXT_MAX) {
                    xml_reader_fail(x, "line %d: <%s> is longer than %d bytes", line, tag, TEXT_MAX);
                    buf_free(&t);
                    return NULL;
                }
                continue;
            }
            xml_reader_fail(x, "line %d: <%s> holds %s, not text only", line, tag,
                            type == XML_READER_TYPE_ELEMENT ? "an element" : type == XML_READER_TYPE_COMMENT
                                                                                 ? "a comment"
                                                                                 : "markup");
            buf_free(&t);
            return NULL;
        }
    }
    const char *s = t.len ? buf_cstr(&t) : "";
    size_t n = strlen(s);
    if (n != t.len) { /* a NUL cannot come out of a parser, but be sure */
        xml_reader_fail(x, "line %d: <%s> holds a NUL", line, tag);
        buf_free(&t);
        return NULL;
    }
    while (n && xml_space(s[n - 1]))
        n--;
    while (n && xml_space(*s))
        s++, n--;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            xml_reader_fail(x, "line %d: <%s> holds a control character", line, tag);
            buf_free(&t);
            return NULL;
        }
    }
    char *out = strndup(s, n);
    buf_free(&t);
    if (out == NULL)
        xml_reader_fail(x, "out of memory");
    return out;
}

void maven_metadata_free(maven_metadata_t *m)
{
    for (size_t i = 0; i < m->nversions; i++)
        free(m->versions[i].version);
    free(m->versions);
    free(m->latest);
    free(m->release);
    memset(m, 0, sizeof(*m));
    m->last_updated = TIME_NONE;
}

static int add_version(xml_reader_t *x, maven_metadata_t *m, size_t *cap, char *v)
{
    int line = xmlTextReaderGetParserLineNumber(x->r);
    if (v[0] == '\0' || strlen(v) > VERSION_MAX) {
        xml_reader_fail(x, "line %d: an empty or overlong <version>", line);
        free(v);
        return -1;
    }
    if (m->nversions == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        maven_meta_version_t *nv = realloc(m->versions, nc * sizeof(*nv));
        if (nv == NULL) {
            xml_reader_fail(x, "out of memory");
            free(v);
            return -1;
        }
        m->versions = nv;
        *cap = nc;
    }
    m->versions[m->nversions++].version = v;
    return 0;
}

int maven_metadata_parse(maven_metadata_t *m, const char *doc, size_t len, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    m->doc = doc;
    m->len = len;
    m->last_updated = TIME_NONE;
    xml_reader_t x;
    where_t w;
    memset(&w, 0, sizeof(w));
    size_t cap = 0;
    /* counted apart from the value: an unreadable first stamp must not let a
     * second one by (render would write a valid stamp into both) */
    int nversioning = 0, nversions = 0, nupdated = 0, rc = xml_reader_open(&x, doc, len);
    while (rc == 0 && (rc = xml_reader_next(&x, 0)) == 1) {
        int type = xmlTextReaderNodeType(x.r), depth = xmlTextReaderDepth(x.r);
        int line = xmlTextReaderGetParserLineNumber(x.r);
        if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
            const char *v = xml_value(&x);
            if (in_versions(&w, depth) && !all_space(v)) {
                xml_reader_fail(&x, "line %d: text inside <versions> (only <version> elements belong there)", line);
                break;
            }
            /* libxml2 lets an overlong form by inside CDATA, not in the text
             * render() writes it back as: refuse it here, as anywhere else */
            if (!utf8_valid(v, strlen(v))) {
                xml_reader_fail(&x, "line %d: text that is not UTF-8", line);
                break;
            }
        }
        if (type != XML_READER_TYPE_ELEMENT) {
            rc = 0;
            continue;
        }
        role_t role = role_of(&x, &w, depth, xml_local_name(&x));
        char *text = NULL, **slot = NULL;
        switch (role) {
        case ROLE_BAD: break;
        case ROLE_VERSIONING:
            if (++nversioning > 1)
                xml_reader_fail(&x, "line %d: a second <versioning>", line);
            break;
        case ROLE_VERSIONS:
            if (++nversions > 1)
                xml_reader_fail(&x, "line %d: a second <versions>", line);
            m->has_versions = 1;
            break;
        case ROLE_VERSION:
            if ((text = element_text(&x, "version")) != NULL)
                add_version(&x, m, &cap, text);
            break;
        case ROLE_LATEST:
        case ROLE_RELEASE:
            slot = role == ROLE_LATEST ? &m->latest : &m->release;
            if (*slot != NULL) {
                xml_reader_fail(&x, "line %d: a second <%s>", line, role == ROLE_LATEST ? "latest" : "release");
                break;
            }
            *slot = element_text(&x, role == ROLE_LATEST ? "latest" : "release");
            break;
        case ROLE_UPDATED:
            if (++nupdated > 1) {
                xml_reader_fail(&x, "line %d: a second <lastUpdated>", line);
                break;
            }
            if ((text = element_text(&x, "lastUpdated")) != NULL) {
                m->last_updated = maven_timestamp_parse(text, strlen(text));
                free(text);
            }
            break;
        default: break;
        }
        rc = x.failed ? -1 : 0;
    }
    rc = xml_reader_finish(&x, rc, err, errlen);
    if (rc != 0) {
        const char *d = m->doc;
        size_t l = m->len;
        maven_metadata_free(m);
        m->doc = d;
        m->len = l;
    }
    return rc;
}

/* ---- writing ---- */

static void start_tag(xml_reader_t *x, buf_t *out, int close_empty)
{
    buf_putc(out, '<');
    buf_puts(out, (const char *)xmlTextReaderConstName(x->r));
    if (xmlTextReaderMoveToFirstAttribute(x->r) == 1) {
        do {
            buf_putc(out, ' ');
            buf_puts(out, (const char *)xmlTextReaderConstName(x->r));
            buf_puts(out, "=\"");
            xml_write_attr_value(x, out);
            buf_putc(out, '"');
        } while (xmlTextReaderMoveToNextAttribute(x->r) == 1);
        xmlTextReaderMoveToElement(x->r);
    }
    buf_puts(out, close_empty ? "/>" : ">");
}

static void end_tag(xml_reader_t *x, buf_t *out)
{
    buf_puts(out, "</");
    buf_puts(out, (const char *)xmlTextReaderConstName(x->r));
    buf_putc(out, '>');
}

static void flush(buf_t *out, buf_t *ws)
{
    buf_append(out, ws->data, ws->len);
    buf_reset(ws);
}

int maven_metadata_render(const maven_metadata_t *m, const unsigned char *keep, const char *latest,
                          const char *release, int64_t last_updated, buf_t *out)
{
    char stamp[15];
    if (last_updated != TIME_NONE)
        maven_timestamp_format(last_updated, stamp);
    xml_reader_t x;
    where_t w;
    memset(&w, 0, sizeof(w));
    buf_t ws; /* white space not written yet: it goes with what follows it */
    buf_init(&ws);
    size_t vi = 0;
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    int rc = xml_reader_open(&x, m->doc, m->len) == 0 ? xml_reader_next(&x, 0) : -1;
    while (rc == 1) {
        int type = xmlTextReaderNodeType(x.r), depth = xmlTextReaderDepth(x.r), skip = 0;
        switch (type) {
        case XML_READER_TYPE_ELEMENT: {
            role_t role = role_of(&x, &w, depth, xml_local_name(&x));
            const char *text = NULL;
            int replace = 0;
            if (role == ROLE_BAD) {
                rc = -1;
                continue;
            }
            if (role == ROLE_VERSION) {
                size_t i = vi++;
                if (i >= m->nversions) {
                    rc = -1; /* not the document parse() read */
                    continue;
                }
                if (keep != NULL && !keep[i]) {
                    buf_reset(&ws); /* removed with the white space before it */
                    skip = 1;
                    break;
                }
            }
            if (role == ROLE_LATEST || role == ROLE_RELEASE) {
                text = role == ROLE_LATEST ? latest : release;
                if (text == NULL) {
                    buf_reset(&ws);
                    skip = 1;
                    break;
                }
                replace = 1;
            } else if (role == ROLE_UPDATED && last_updated != TIME_NONE) {
                text = stamp;
                replace = 1;
            }
            flush(out, &ws);
            if (replace) {
                start_tag(&x, out, 0);
                xml_escape_text(out, text);
                end_tag(&x, out);
                skip = 1;
            } else {
                int empty = xmlTextReaderIsEmptyElement(x.r);
                start_tag(&x, out, empty);
                if (empty && depth == 0)
                    buf_putc(out, '\n');
            }
            break;
        }
        case XML_READER_TYPE_END_ELEMENT:
            flush(out, &ws);
            end_tag(&x, out);
            if (depth == 0)
                buf_putc(out, '\n');
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
            flush(out, &ws);
            xml_escape_text(out, xml_value(&x));
            break;
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        case XML_READER_TYPE_WHITESPACE:
            if (depth > 0)
                buf_puts(&ws, xml_value(&x));
            break;
        case XML_READER_TYPE_COMMENT:
            buf_reset(&ws); /* dropped, with the white space before it */
            break;
        default: /* processing instructions: dropped */ break;
        }
        rc = xml_reader_next(&x, skip);
    }
    xml_reader_close(&x);
    buf_free(&ws);
    if (rc != 0 || out->oom) {
        out->oom = 1;
        return -1;
    }
    return 0;
}
