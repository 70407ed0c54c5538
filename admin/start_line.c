/* start_line: the start line's fields are built as JSON text here and logged
 * through common/log.c, which writes them as they are (JSON or text). */
#include "admin/start_line.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/json.h"
#include "common/log.h"
#include "common/url.h"

static void listeners_json(buf_t *b, const config_t *cfg)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < cfg->nlisten; i++) {
        int first = 1;
        buf_puts(b, i ? ",{" : "{");
        json_kv_str(b, &first, "addr", cfg->listen[i]);
        json_kv_bool(b, &first, "tls", 0);
        buf_putc(b, '}');
    }
    if (cfg->tls_listen) {
        int first = 1;
        buf_puts(b, cfg->nlisten ? ",{" : "{");
        json_kv_str(b, &first, "addr", cfg->tls_listen);
        json_kv_bool(b, &first, "tls", 1);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

/* {"npm":{"upstream":"http://…"},…}: the enabled ecosystems, each upstream
 * without userinfo (credentials are never logged) */
static void ecosystems_json(buf_t *b, const config_t *cfg)
{
    int first = 1;
    buf_putc(b, '{');
    for (int e = 0; e < ECO_COUNT; e++) {
        if (cfg->upstream[e] == NULL)
            continue;
        char shown[1024];
        url_redact(cfg->upstream[e], shown, sizeof(shown));
        json_kv_raw(b, &first, eco_name((eco_id_t)e), "{", 1);
        int f2 = 1;
        json_kv_str(b, &f2, "upstream", shown);
        json_kv_bool(b, &f2, "credentials", cfg->upstream_username[e] != NULL || cfg->upstream_password[e] != NULL);
        buf_putc(b, '}');
    }
    buf_putc(b, '}');
}

static void policy_json(buf_t *b, const config_t *cfg)
{
    int first = 1;
    buf_putc(b, '{');
    json_kv_int(b, &first, "min_age_ms", cfg->min_age_default);
    json_kv_raw(b, &first, "min_age_ms_by_ecosystem", "{", 1);
    int f2 = 1;
    for (int e = 0; e < ECO_COUNT; e++)
        if (cfg->upstream[e] != NULL)
            json_kv_int(b, &f2, eco_name((eco_id_t)e),
                        cfg->min_age_eco[e] >= 0 ? cfg->min_age_eco[e] : cfg->min_age_default);
    buf_putc(b, '}');
    json_kv_int(b, &first, "rules", (int64_t)cfg->nrules);
    json_kv_str(b, &first, "missing_timestamp", cfg->missing_timestamp == MISSING_TS_DENY ? "deny" : "first_seen");
    buf_putc(b, '}');
}

void start_line_log(const config_t *cfg, const char *version, int threads)
{
    buf_t listeners, ecos, policy;
    buf_init(&listeners);
    buf_init(&ecos);
    buf_init(&policy);
    listeners_json(&listeners, cfg);
    ecosystems_json(&ecos, cfg);
    policy_json(&policy, cfg);
    char abs[PATH_MAX];
    const char *data_dir = realpath(cfg->data_dir, abs) ? abs : cfg->data_dir;
    if (listeners.oom || ecos.oom || policy.oom)
        log_kv(LOG_INFO, "cordon serving", "version", version, "data_dir", data_dir, NULL);
    else
        log_event(LOG_INFO, "cordon serving",
                  (const log_field_t[]){LOG_STR("version", version), LOG_STR("listen", cfg->listen[0]),
                                        LOG_JSON_RAW("listeners", buf_cstr(&listeners)),
                                        LOG_JSON_RAW("ecosystems", buf_cstr(&ecos)), LOG_STR("data_dir", data_dir),
                                        LOG_STR("store", "lmdb"), LOG_JSON_RAW("policy", buf_cstr(&policy)),
                                        LOG_INT("threads", threads), LOG_STR("config", cfg->path), LOG_END});
    buf_free(&listeners);
    buf_free(&ecos);
    buf_free(&policy);
}

static int is_wildcard_or_loopback(const char *host)
{
    return !strcmp(host, "") || !strcmp(host, "0.0.0.0") || !strcmp(host, "[::]") || !strcmp(host, "::") ||
           !strcmp(host, "127.0.0.1") || !strcmp(host, "localhost") || !strcmp(host, "[::1]");
}

/* addr "HOST:PORT" (HOST may be [v6]) is where upstream's origin connects:
 * the same host and port, or a wildcard/loopback listener and a loopback
 * upstream on its port */
static int listens_at(const char *addr, int tls, const url_origin_t *o)
{
    const char *colon = strrchr(addr, ':');
    if (colon == NULL || atoi(colon + 1) != o->port || o->https != tls)
        return 0;
    char host[256];
    snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
    for (char *p = host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    if (!strcmp(host, o->host))
        return 1;
    return is_wildcard_or_loopback(host) && is_wildcard_or_loopback(o->host) && strcmp(o->host, "") != 0 &&
           (strcmp(o->host, "127.0.0.1") == 0 || strcmp(o->host, "localhost") == 0 || strcmp(o->host, "[::1]") == 0);
}

void start_line_warn(const config_t *cfg)
{
    int any = 0;
    url_origin_t self;
    int have_self = cfg->public_url && url_origin(cfg->public_url, &self) == 0;
    for (int e = 0; e < ECO_COUNT; e++) {
        if (cfg->upstream[e] == NULL)
            continue;
        any = 1;
        url_origin_t o;
        if (url_origin(cfg->upstream[e], &o) != 0)
            continue;
        int loop = have_self && url_origin_same(&o, &self);
        for (size_t i = 0; i < cfg->nlisten && !loop; i++)
            loop = listens_at(cfg->listen[i], 0, &o);
        if (!loop && cfg->tls_listen)
            loop = listens_at(cfg->tls_listen, 1, &o);
        if (!loop)
            continue;
        char shown[1024], key[64];
        url_redact(cfg->upstream[e], shown, sizeof(shown));
        snprintf(key, sizeof(key), "upstreams.%s", eco_name((eco_id_t)e));
        log_kv(LOG_WARN, "an upstream is cordon itself: its requests would come back here; point it at the registry",
               "key", key, "upstream", shown, NULL);
    }
    if (!any)
        log_kv(LOG_WARN, "no upstream configured: every package request fails; set upstreams in the configuration",
               "config", cfg->path, NULL);
}
