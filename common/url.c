/* url: origins through libcurl's URL API, userinfo by hand (see url.h). */
#include "common/url.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/pct.h"
#include "common/xalloc.h"

/* where the authority of url starts and ends: [*start, *end); 0, or -1
 * when url does not begin with "scheme://" */
static int authority(const char *url, size_t *start, size_t *end)
{
    size_t i = 0;
    if (!isalpha((unsigned char)url[0]))
        return -1;
    while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')
        i++;
    if (strncmp(url + i, "://", 3) != 0)
        return -1;
    *start = i + 3;
    *end = *start + strcspn(url + *start, "/?#");
    return 0;
}

/* the last '@' of the authority (libcurl and browsers split userinfo there
 * or earlier; everything before the last one is userinfo either way), or 0 */
static size_t userinfo_end(const char *url, size_t start, size_t end)
{
    for (size_t i = end; i > start; i--)
        if (url[i - 1] == '@')
            return i;
    return 0;
}

char *url_without_userinfo(const char *url)
{
    size_t start, end, at;
    if (authority(url, &start, &end) != 0 || (at = userinfo_end(url, start, end)) == 0)
        return xstrdup(url);
    size_t rest = strlen(url + at);
    char *out = xmalloc(start + rest + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, url, start);
    memcpy(out + start, url + at, rest + 1);
    return out;
}

void url_redact(const char *url, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    size_t start, end, at;
    if (authority(url, &start, &end) != 0 || (at = userinfo_end(url, start, end)) == 0)
        snprintf(out, outlen, "%s", url);
    else
        snprintf(out, outlen, "%.*s%s", (int)start, url, url + at);
}

/* percent-decodes s[0..n) into a new string; NULL on a bad escape or a NUL */
static char *decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    if (pct_decode(s, n, out, n + 1, 0) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

int url_userinfo(const char *url, char **user, char **pass)
{
    size_t start, end, at;
    *user = *pass = NULL;
    if (authority(url, &start, &end) != 0 || (at = userinfo_end(url, start, end)) == 0)
        return 0;
    const char *ui = url + start;
    size_t n = at - 1 - start;
    const char *colon = memchr(ui, ':', n);
    size_t ulen = colon ? (size_t)(colon - ui) : n;
    *user = decode(ui, ulen);
    *pass = colon ? decode(colon + 1, n - ulen - 1) : xstrdup("");
    if (*user == NULL || *pass == NULL) {
        free(*user);
        free(*pass);
        *user = *pass = NULL;
        return -1;
    }
    return 1;
}

int url_origin(const char *url, url_origin_t *out)
{
    memset(out, 0, sizeof(*out));
    CURLU *h = curl_url();
    if (h == NULL)
        return -1;
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = -1;
    if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        int https = strcasecmp(scheme, "https") == 0;
        long p = strtol(port, NULL, 10);
        size_t hl = strlen(host);
        if ((https || strcasecmp(scheme, "http") == 0) && hl > 0 && hl < sizeof(out->host) && p > 0 &&
            p <= 65535) {
            out->https = https;
            for (size_t i = 0; i <= hl; i++)
                out->host[i] = (char)tolower((unsigned char)host[i]);
            out->port = (int)p;
            rc = 0;
        }
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(h);
    return rc;
}

int url_origin_same(const url_origin_t *a, const url_origin_t *b)
{
    return a->https == b->https && a->port == b->port && strcmp(a->host, b->host) == 0;
}

void url_origin_hostport(const url_origin_t *o, char *out, size_t outlen)
{
    if (o->port == (o->https ? 443 : 80))
        snprintf(out, outlen, "%s", o->host);
    else
        snprintf(out, outlen, "%s:%d", o->host, o->port);
}
