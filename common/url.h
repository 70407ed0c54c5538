/* url: what cordon needs to know about an http(s) URL it may fetch or show:
 * its origin (scheme, host, port), and the URL without its userinfo
 * (user:password@), the only form in which an upstream URL is ever fetched,
 * stored, logged or shown. Origins are read with libcurl's own URL parser, so
 * a check sees the host libcurl would connect to. */
#ifndef CORDON_URL_H
#define CORDON_URL_H

#include <stddef.h>

typedef struct url_origin {
    int https;      /* 1 https, 0 http */
    char host[256]; /* lower case; an IPv6 literal keeps its brackets */
    int port;       /* the explicit port, or the scheme's default */
} url_origin_t;

/* 0 and *out filled, or -1 when url is not an absolute http or https URL
 * with a host */
int url_origin(const char *url, url_origin_t *out);
int url_origin_same(const url_origin_t *a, const url_origin_t *b);
/* "host", or "host:port" when the port is not the scheme's default */
void url_origin_hostport(const url_origin_t *o, char *out, size_t outlen);

/* url without its userinfo, everything else byte for byte (malloc'd). A
 * string that is no URL comes back as it is. */
char *url_without_userinfo(const char *url);
/* the same into out (truncated to fit): the form for messages and logs */
void url_redact(const char *url, char *out, size_t outlen);
/* the userinfo of url, percent-decoded and malloc'd: 1 with *user and *pass
 * (either may be ""), 0 when url has none (both NULL), -1 when it is
 * malformed (a bad %-escape, a NUL) */
int url_userinfo(const char *url, char **user, char **pass);

#endif
