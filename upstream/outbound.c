/* outbound: the host policy (see outbound.h). */
#include "upstream/outbound.h"

#include <stdio.h>
#include <string.h>

#include "common/url.h"

/* "host" matches host on the scheme's default port, "host:port" exactly */
static int allow_listed(const config_t *cfg, const url_origin_t *o)
{
    char exact[300];
    snprintf(exact, sizeof(exact), "%s:%d", o->host, o->port);
    int default_port = o->port == (o->https ? 443 : 80);
    for (size_t i = 0; i < cfg->nallow_hosts; i++) {
        const char *h = cfg->allow_hosts[i];
        if (strcmp(h, exact) == 0 || (default_port && strcmp(h, o->host) == 0))
            return 1;
    }
    return 0;
}

int outbound_check(const config_t *cfg, int eco, const char *url, const char *from_url, char *why, size_t whylen)
{
    url_origin_t to, up, from;
    char shown[600], hostport[300], upshown[600];
    url_redact(url, shown, sizeof(shown));
    if (eco < 0 || eco >= ECO_COUNT || cfg->upstream[eco] == NULL || url_origin(cfg->upstream[eco], &up) != 0) {
        snprintf(why, whylen, "cordon fetches only for an ecosystem with an upstream; not %s", shown);
        return -1;
    }
    if (url_origin(url, &to) != 0) {
        snprintf(why, whylen, "%s is not an http or https URL cordon can fetch", shown);
        return -1;
    }
    url_origin_hostport(&to, hostport, sizeof(hostport));
    url_redact(cfg->upstream[eco], upshown, sizeof(upshown));
    if (!to.https && up.https) {
        snprintf(why, whylen,
                 "cordon does not fetch %s: it is plain http, and upstreams.%s (%s) is https (no downgrade)", shown,
                 eco_name((eco_id_t)eco), upshown);
        return -1;
    }
    if (!to.https && from_url && url_origin(from_url, &from) == 0 && from.https) {
        snprintf(why, whylen, "cordon does not follow a redirect from https to plain http (%s)", shown);
        return -1;
    }
    if (url_origin_same(&to, &up) || allow_listed(cfg, &to))
        return 0;
    snprintf(why, whylen,
             "cordon does not fetch from %s: it is not the origin of upstreams.%s (%s) and not listed in "
             "fetch.allow_hosts (add \"%s\" there to allow it)",
             hostport, eco_name((eco_id_t)eco), upshown, hostport);
    return -1;
}

int outbound_credentials(const config_t *cfg, int eco, const char *url, const char **user, const char **pass)
{
    url_origin_t to, up;
    *user = *pass = NULL;
    if (eco < 0 || eco >= ECO_COUNT || cfg->upstream[eco] == NULL || cfg->upstream_username[eco] == NULL ||
        cfg->upstream_password[eco] == NULL)
        return 0;
    if (url_origin(cfg->upstream[eco], &up) != 0 || url_origin(url, &to) != 0 || !url_origin_same(&to, &up))
        return 0;
    *user = cfg->upstream_username[eco];
    *pass = cfg->upstream_password[eco];
    return 1;
}
