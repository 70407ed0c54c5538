/* outbound: where cordon may send a request for an ecosystem, and with which
 * credentials (issue 14; DESIGN.md "Configuration", fetch.allow_hosts):
 *   - to the ecosystem's upstream origin (scheme, host and port of
 *     upstreams.E) and to the hosts listed in fetch.allow_hosts, nowhere
 *     else: not to a tarball or file host a document names, not to where a
 *     redirect points, unless configuration says so;
 *   - never over plain http when the upstream is https, nor from an https
 *     URL to an http one across a redirect;
 *   - the upstream's credentials only with requests to its own origin.
 * The fetcher asks before every request and every redirect. */
#ifndef CORDON_OUTBOUND_H
#define CORDON_OUTBOUND_H

#include <stddef.h>

#include "core/config.h"

/* 0 when a fetch for ecosystem eco may go to url; from_url is the URL that
 * redirected there (NULL for a first request). Otherwise -1 and, in why, one
 * line that names the host and the configuration key that would allow it. */
int outbound_check(const config_t *cfg, int eco, const char *url, const char *from_url, char *why, size_t whylen);

/* 1 and *user, *pass (the configuration's strings) when a request for eco
 * to url should carry the upstream's credentials: it has some and url is on
 * its origin; 0 otherwise */
int outbound_credentials(const config_t *cfg, int eco, const char *url, const char **user, const char **pass);

#endif
