/* xml: libxml2's streaming reader (xmlTextReader) opened the one way cordon
 * reads upstream XML (maven-metadata.xml, POMs): from memory, no network
 * (XML_PARSE_NONET), no DTD loaded or applied, no entity substituted, CDATA
 * as text; a document with a DOCTYPE or an entity reference is refused, and
 * every error or warning-level problem libxml2 reports (namespace errors
 * included) stops the read with "line N: message". A reader is used by one
 * thread at a time; readers on different threads are independent. */
#ifndef CORDON_XML_H
#define CORDON_XML_H

#include <libxml/xmlreader.h>
#include <stddef.h>

#include "common/buf.h"

typedef struct xml_reader {
    xmlTextReaderPtr r; /* for the node accessors (xmlTextReaderNodeType, …) */
    int failed;
    char err[200];
} xml_reader_t;

/* 0, or -1 with x->err set (x still closable) */
int xml_reader_open(xml_reader_t *x, const char *doc, size_t len);
/* 1 on a node, 0 at the end, -1 on an error (x->err). skip: go past the
 * current node's subtree instead of into it. */
int xml_reader_next(xml_reader_t *x, int skip);
void xml_reader_fail(xml_reader_t *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xml_reader_close(xml_reader_t *x);
/* ends a read loop whose last xml_reader_next() answered rc and closes x:
 * 0 when the reader reached the end without failing, else -1 with x's error
 * copied into err */
int xml_reader_finish(xml_reader_t *x, int rc, char *err, size_t errlen);

/* the current node's local name, its value ("" when none) */
const char *xml_local_name(const xml_reader_t *x);
const char *xml_value(const xml_reader_t *x);

/* the current attribute's value, escaped for an attribute in double quotes
 * (a namespace declaration's as the document wrote it) */
void xml_write_attr_value(const xml_reader_t *x, buf_t *out);

/* XML escapes of text (& < >) and of an attribute value (also " and the
 * white space an attribute would normalise) */
void xml_escape_text(buf_t *out, const char *s);
void xml_escape_attr(buf_t *out, const char *s);

#endif
