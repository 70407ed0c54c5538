/* pom: the streaming read of a POM (see the header). Owns nothing beyond
 * the call: the facts are fixed-size, the document stays the caller's. */
#include "ecosystems/maven/pom.h"

#include <stdio.h>
#include <string.h>

#include "common/xml.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* appends s to the url being read, within its buffer */
static void url_add(pom_facts_t *f, const char *s)
{
    size_t n = strlen(f->first_url);
    snprintf(f->first_url + n, sizeof(f->first_url) - n, "%s", s);
}

static void url_trim(pom_facts_t *f)
{
    char *s = f->first_url;
    size_t n = strlen(s), i = 0;
    while (n && is_space(s[n - 1]))
        s[--n] = '\0';
    while (i < n && is_space(s[i]))
        i++;
    memmove(s, s + i, n - i + 1);
    for (char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = '?';
}

int pom_read(const char *doc, size_t len, pom_facts_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    xml_reader_t x;
    int rc = xml_reader_open(&x, doc, len);
    int block = -1; /* depth of the first repositories block while inside it */
    int url = -1;   /* depth of its first <url> while reading it */
    int urls_done = 0;
    while (rc == 0 && (rc = xml_reader_next(&x, 0)) == 1) {
        rc = 0;
        int type = xmlTextReaderNodeType(x.r), depth = xmlTextReaderDepth(x.r);
        if (type == XML_READER_TYPE_ELEMENT) {
            const char *ln = xml_local_name(&x);
            if (depth == 0 && strcmp(ln, "project") != 0) {
                xml_reader_fail(&x, "not a POM (the root element is <%.40s>)", ln);
                rc = -1;
                break;
            }
            int repos = strcmp(ln, "repositories") == 0, plugins = strcmp(ln, "pluginRepositories") == 0;
            if (repos || plugins) {
                out->repositories += repos;
                out->plugin_repositories += plugins;
                if (out->first_tag[0] == '\0') {
                    snprintf(out->first_tag, sizeof(out->first_tag), "%s", ln);
                    block = xmlTextReaderIsEmptyElement(x.r) ? -1 : depth;
                }
            } else if (block >= 0 && !urls_done && strcmp(ln, "url") == 0 && !xmlTextReaderIsEmptyElement(x.r)) {
                url = depth;
            }
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
            if (url >= 0)
                url_add(out, xml_value(&x));
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (depth == url) {
                url = -1;
                urls_done = 1;
                url_trim(out);
            }
            if (depth == block)
                block = -1;
        }
    }
    return xml_reader_finish(&x, rc, err, errlen);
}
