/* xml: the hardened streaming reader (see the header). Owns nothing past
 * xml_reader_close; the document bytes stay the caller's and are never
 * copied (libxml2 reads them in place). */
#include "common/xml.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* XML_PARSE_NOENT is left out on purpose: entities are never substituted */
#define READER_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOXINCNODE)

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void silent(void *arg, xmlErrorPtr e) { (void)arg, (void)e; }

static void silent_generic(void *arg, const char *fmt, ...) { (void)arg, (void)fmt; }

static void init_once(void) { xmlInitParser(); }

void xml_reader_fail(xml_reader_t *x, const char *fmt, ...)
{
    if (x->failed)
        return;
    x->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, sizeof(x->err), fmt, ap);
    va_end(ap);
}

/* libxml2's own report: the first error (warnings are not errors) */
static void on_error(void *arg, xmlErrorPtr e)
{
    xml_reader_t *x = arg;
    if (e == NULL || e->level < XML_ERR_ERROR)
        return;
    char msg[160];
    snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "not well-formed XML");
    msg[strcspn(msg, "\r\n")] = '\0';
    for (char *c = msg; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = '?';
    xml_reader_fail(x, "line %d: %s", e->line, msg);
}

int xml_reader_open(xml_reader_t *x, const char *doc, size_t len)
{
    memset(x, 0, sizeof(*x));
    pthread_once(&once, init_once);
    /* nothing libxml2 finds may reach stderr: this thread's default handlers go quiet */
    xmlSetStructuredErrorFunc(NULL, silent);
    xmlSetGenericErrorFunc(NULL, silent_generic);
    if (len == 0) {
        xml_reader_fail(x, "empty document");
        return -1;
    }
    if (len > INT_MAX) {
        xml_reader_fail(x, "document too large");
        return -1;
    }
    x->r = xmlReaderForMemory(doc, (int)len, NULL, NULL, READER_OPTIONS);
    if (x->r == NULL) {
        xml_reader_fail(x, "cannot start the XML reader (out of memory?)");
        return -1;
    }
    xmlTextReaderSetStructuredErrorHandler(x->r, on_error, x);
    xmlTextReaderSetParserProp(x->r, XML_PARSER_LOADDTD, 0);
    xmlTextReaderSetParserProp(x->r, XML_PARSER_DEFAULTATTRS, 0);
    xmlTextReaderSetParserProp(x->r, XML_PARSER_VALIDATE, 0);
    xmlTextReaderSetParserProp(x->r, XML_PARSER_SUBST_ENTITIES, 0);
    return 0;
}

int xml_reader_next(xml_reader_t *x, int skip)
{
    if (x->failed || x->r == NULL)
        return -1;
    int rc = skip ? xmlTextReaderNext(x->r) : xmlTextReaderRead(x->r);
    if (x->failed)
        return -1;
    if (rc < 0) {
        xml_reader_fail(x, "not well-formed XML");
        return -1;
    }
    if (rc == 0)
        return 0;
    switch (xmlTextReaderNodeType(x->r)) {
    case XML_READER_TYPE_DOCUMENT_TYPE:
        xml_reader_fail(x, "line %d: a DOCTYPE (cordon reads no DTD)", xmlTextReaderGetParserLineNumber(x->r));
        return -1;
    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
        xml_reader_fail(x, "line %d: an entity reference (cordon substitutes no entities)",
                        xmlTextReaderGetParserLineNumber(x->r));
        return -1;
    default:
        return 1;
    }
}

void xml_reader_close(xml_reader_t *x)
{
    if (x->r != NULL)
        xmlFreeTextReader(x->r);
    x->r = NULL;
}

int xml_reader_finish(xml_reader_t *x, int rc, char *err, size_t errlen)
{
    if (rc == 1)
        rc = 0;
    if (x->failed) {
        snprintf(err, errlen, "%s", x->err);
        rc = -1;
    }
    xml_reader_close(x);
    return rc;
}

const char *xml_local_name(const xml_reader_t *x)
{
    const xmlChar *n = xmlTextReaderConstLocalName(x->r);
    return n ? (const char *)n : "";
}

const char *xml_value(const xml_reader_t *x)
{
    const xmlChar *v = xmlTextReaderConstValue(x->r);
    return v ? (const char *)v : "";
}

void xml_write_attr_value(const xml_reader_t *x, buf_t *out)
{
    const char *v = xml_value(x);
    if (!xmlTextReaderIsNamespaceDecl(x->r)) {
        xml_escape_attr(out, v);
        return;
    }
    /* a namespace declaration's value comes back as libxml2 keeps it when it
     * substitutes no entities: '&' (and only '&') as "&#38;" */
    for (; *v; v++) {
        if (strncmp(v, "&#38;", 5) == 0) {
            buf_puts(out, "&amp;");
            v += 4;
            continue;
        }
        char one[2] = {*v, '\0'};
        xml_escape_attr(out, one);
    }
}

void xml_escape_text(buf_t *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '\r': buf_puts(out, "&#13;"); break;
        default: buf_putc(out, *s);
        }
    }
}

void xml_escape_attr(buf_t *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\t': buf_puts(out, "&#9;"); break;
        case '\n': buf_puts(out, "&#10;"); break;
        case '\r': buf_puts(out, "&#13;"); break;
        default: buf_putc(out, *s);
        }
    }
}
