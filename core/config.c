/* config: the YAML loader. It walks libyaml's document tree so every error
 * can name the line it comes from, rejects unknown keys (a typo must not
 * silently become a default), and validates every value it stores. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "common/buf.h"
#include "common/units.h"
#include "common/url.h"
#include "common/workpool.h"
#include "common/xalloc.h"
#include "core/ecosystem.h"

void archive_limits_default(archive_limits_t *l)
{
    l->max_total = (int64_t)8192 * 1024 * 1024;
    l->max_entries = 50000;
    l->max_entry = (int64_t)8192 * 1024 * 1024;
    l->max_ratio = 200;
    l->max_path = 1024;
    l->max_depth = 48;
}

void config_set_str(char **field, const char *value)
{
    free(*field);
    *field = value ? xstrdup(value) : NULL;
}

void config_defaults(config_t *cfg)
{
    static atomic_uint_fast64_t generations;
    memset(cfg, 0, sizeof(*cfg));
    cfg->generation = atomic_fetch_add(&generations, 1) + 1;
    config_set_listen(cfg, "127.0.0.1:7878");
    config_set_str(&cfg->public_url, "http://127.0.0.1:7878");
    config_set_str(&cfg->data_dir, "var/cordon");
    config_set_str(&cfg->access_log, "stderr");
    cfg->metadata_ttl_ms = 5 * 60 * 1000;
    cfg->timeout_ms = 30 * 1000;
    cfg->connect_timeout_ms = 10 * 1000;
    cfg->metadata_timeout_ms = 60 * 1000;
    cfg->stale_if_error_ms = 24 * 3600 * 1000LL;
    cfg->lockfile_deadline_ms = 60 * 1000;
    cfg->max_body = 64LL << 20;
    cfg->max_connections = 1024;
    cfg->workers = WORKPOOL_THREADS_DEFAULT;
    cfg->max_large_bodies = 8;
    cfg->review_requests_per_hour = 20;
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        cfg->analysis.action[k] = finding_default_action((finding_kind_t)k);
    cfg->analysis.pth_allow = xcalloc(1, sizeof(char *));
    cfg->analysis.pth_allow[0] = xstrdup("distutils-precedence.pth");
    cfg->analysis.npth_allow = 1;
    cfg->analysis.popular_served = 200;
    cfg->analysis.prefetch = 1;
    archive_limits_default(&cfg->analysis.limits);
    cfg->intel.fast_lane = 1;
    cfg->intel.takedowns = 1;
    cfg->max_artifact = 8LL << 30; /* GPU wheels are 0.8-2.5 GB compressed */
    cfg->map_size = 1LL << 30;
    cfg->min_age_default = 7 * 86400 * 1000LL;
    for (int i = 0; i < ECO_COUNT; i++)
        cfg->min_age_eco[i] = -1;
    cfg->missing_timestamp = MISSING_TS_FIRST_SEEN;
    cfg->journal_keep_ms = 90 * 86400 * 1000LL;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int config_set_listen(config_t *cfg, const char *addr)
{
    free_list(cfg->listen, cfg->nlisten);
    cfg->listen = xcalloc(1, sizeof(char *));
    cfg->listen[0] = xstrdup(addr);
    cfg->nlisten = 1;
    return 0;
}

void config_free(config_t *cfg)
{
    free(cfg->path);
    free_list(cfg->listen, cfg->nlisten);
    free(cfg->public_url);
    free(cfg->data_dir);
    for (int i = 0; i < ECO_COUNT; i++) {
        free(cfg->upstream[i]);
        free(cfg->upstream_username[i]);
        free(cfg->upstream_password[i]);
        free(cfg->upstream_password_file[i]);
    }
    free_list(cfg->allow_hosts, cfg->nallow_hosts);
    free(cfg->tls_listen);
    free(cfg->tls_cert);
    free(cfg->tls_key);
    free(cfg->access_log);
    free(cfg->log_file);
    for (size_t i = 0; i < cfg->nrules; i++) {
        free(cfg->rules[i].pattern);
        free(cfg->rules[i].version);
        free(cfg->rules[i].text);
    }
    free(cfg->rules);
    free_list(cfg->analysis.pth_allow, cfg->analysis.npth_allow);
    free(cfg->analysis.popular_file);
    free(cfg->intel.osv_dir);
    free(cfg->audit_key_file);
    free(cfg->review_contact);
    memset(cfg, 0, sizeof(*cfg));
}

/* ---- loader ---------------------------------------------------------- */

/* everything one load works on: the loader keeps no state of its own, so
 * loads on several threads at once (a reload beside a check) do not meet */
typedef struct loader {
    yaml_document_t *doc;
    config_t *cfg;
    const char *name;
    char *err;
    size_t errlen;
    /* what the callback of the mapping being walked fills: */
    quarantine_rule_t *rule; /* on_rule: the rule being read */
    int eco;                 /* on_eco_window: quarantine.<eco> being read */
    struct {                 /* on_upstream_map: upstreams.<eco> as {url, username, password_file} */
        yaml_node_t *url;
        const char *username;
        yaml_node_t *password_file;
    } upstream;
} loader_t;

static int fail(loader_t *L, yaml_node_t *node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(loader_t *L, yaml_node_t *node, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(L->err, L->errlen, "%s:%lu: %s", L->name, node ? (unsigned long)node->start_mark.line + 1 : 0UL, msg);
    return -1;
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int want_scalar(loader_t *L, yaml_node_t *n, const char *key, const char **out)
{
    *out = scalar(n);
    if (*out == NULL)
        return fail(L, n, "'%s' must be a single value", key);
    return 0;
}

static int get_duration(loader_t *L, yaml_node_t *n, const char *key, int64_t *out)
{
    const char *s;
    if (want_scalar(L, n, key, &s))
        return -1;
    int64_t v = units_parse_duration_ms(s);
    if (v < 0)
        return fail(L, n, "'%s': '%s' is not a duration (use a number with s, m, h, d or w, e.g. 7d; 0 disables)",
                    key, s);
    *out = v;
    return 0;
}

static int get_size(loader_t *L, yaml_node_t *n, const char *key, int64_t *out)
{
    const char *s;
    if (want_scalar(L, n, key, &s))
        return -1;
    int64_t v = units_parse_size(s);
    if (v <= 0)
        return fail(L, n, "'%s': '%s' is not a size (e.g. 64MB, 1GB)", key, s);
    *out = v;
    return 0;
}

static int get_bool(loader_t *L, yaml_node_t *n, const char *key, int *out)
{
    const char *s;
    if (want_scalar(L, n, key, &s))
        return -1;
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
        *out = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
        *out = 0;
    else
        return fail(L, n, "'%s' must be true or false, not '%s'", key, s);
    return 0;
}

/* an http(s) URL without trailing slashes into *out; messages show it
 * without its userinfo, which with_userinfo says may be there */
static int get_url_as(loader_t *L, yaml_node_t *n, const char *key, char **out, int with_userinfo)
{
    const char *s;
    char shown[1100];
    if (want_scalar(L, n, key, &s))
        return -1;
    url_redact(s, shown, sizeof(shown));
    if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
        return fail(L, n, "'%s': '%s' is not an http:// or https:// URL", key, shown);
    url_origin_t o;
    char *bare = url_without_userinfo(s);
    int bad = bare == NULL || strchr(s, ' ') || strlen(s) > 1024 || url_origin(bare, &o) != 0;
    int has_userinfo = bare && strcmp(bare, s) != 0;
    if (bad) {
        free(bare);
        return fail(L, n, "'%s': '%s' is not a valid URL", key, shown);
    }
    if (has_userinfo && !with_userinfo) {
        free(bare);
        return fail(L, n, "'%s' must not hold credentials (user:password@): every client would see them", key);
    }
    free(*out);
    *out = bare;
    size_t len = strlen(*out);
    while (len > 0 && (*out)[len - 1] == '/')
        (*out)[--len] = '\0';
    return 0;
}

static int get_url(loader_t *L, yaml_node_t *n, const char *key, char **out)
{
    return get_url_as(L, n, key, out, 0);
}

static int check_addr(loader_t *L, yaml_node_t *n, const char *s)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s || colon[1] == '\0')
        return fail(L, n, "listen address '%s' must be ADDR:PORT", s);
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535)
        return fail(L, n, "listen address '%s' has a bad port", s);
    return 0;
}

typedef int (*section_fn)(loader_t *L, const char *key, yaml_node_t *val);

/* every key each section takes (the sections' `what`), for "did you mean";
 * the finding kinds, intel keys and ecosystem names are added where they go */
static const struct {
    const char *section;
    const char *keys[20];
} SECTION_KEYS[] = {
    {"the configuration", {"listen", "public_url", "data_dir", "threads", "workers", "access_log", "upstreams",
                           "fetch", "limits", "store", "tls", "quarantine", "analysis", "intel", "audit", "review",
                           "journal", "log"}},
    {"fetch", {"allow_hosts", "metadata_ttl", "timeout", "connect_timeout", "metadata_timeout", "stale_if_error",
               "lockfile_deadline", "max_artifact"}},
    {"limits", {"max_body", "max_connections", "max_large_bodies", "review_requests_per_hour"}},
    {"store", {"map_size"}},
    {"tls", {"listen", "cert", "key"}},
    {"quarantine", {"min_age", "missing_timestamp", "rules"}},
    {"a rule", {"match", "min_age", "allow", "deny"}},
    {"analysis", {"pth_allow", "popular_file", "popular_served", "prefetch", "limits"}},
    {"analysis.limits", {"max_total", "max_entry", "max_entries", "max_ratio", "max_path", "max_depth"}},
    {"intel", {"osv_dir", "fast_lane", "takedowns"}},
    {"audit", {"key_file"}},
    {"review", {"contact"}},
    {"journal", {"keep"}},
    {"log", {"format", "file"}},
    {"upstreams", {NULL}},
};

/* a and b differ by one edit: a letter changed, added, removed, or two
 * neighbours swapped */
static int one_edit(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + 1 < lb || lb + 1 < la || strcmp(a, b) == 0)
        return 0;
    size_t i = 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    if (la == lb)
        return strcmp(a + i + 1, b + i + 1) == 0 ||
               (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && strcmp(a + i + 2, b + i + 2) == 0);
    return la < lb ? strcmp(a + i, b + i + 1) == 0 : strcmp(a + i + 1, b + i) == 0;
}

static const char *near_of(const char *key, const char *cand, const char *best)
{
    return best == NULL && cand && one_edit(key, cand) ? cand : best;
}

/* a known key of section one edit away from key, or NULL */
static const char *did_you_mean(const char *section, const char *key)
{
    const char *best = NULL;
    int eco_section = eco_from_name(section, strlen(section)) >= 0;
    for (size_t i = 0; i < sizeof(SECTION_KEYS) / sizeof(SECTION_KEYS[0]); i++)
        if (strcmp(SECTION_KEYS[i].section, section) == 0)
            for (size_t k = 0; k < 20 && SECTION_KEYS[i].keys[k]; k++)
                best = near_of(key, SECTION_KEYS[i].keys[k], best);
    if (eco_section) { /* a window (quarantine.npm) or an upstream given as a map */
        static const char *const ECO_KEYS[] = {"min_age", "url", "username", "password_file"};
        for (size_t k = 0; k < 4; k++)
            best = near_of(key, ECO_KEYS[k], best);
    }
    if (!strcmp(section, "quarantine") || !strcmp(section, "upstreams"))
        for (int e = 0; e < ECO_COUNT; e++)
            best = near_of(key, eco_name((eco_id_t)e), best);
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        const char *ik = finding_kind_intel_key((finding_kind_t)k);
        if (!strcmp(section, "analysis") && ik == NULL)
            best = near_of(key, finding_kind_name((finding_kind_t)k), best);
        if (!strcmp(section, "intel") && ik)
            best = near_of(key, ik, best);
    }
    return best;
}

/* walks a mapping node, calling fn for each key; fn returns 1 for an unknown key */
static int each_pair(loader_t *L, yaml_node_t *map, const char *what, section_fn fn)
{
    if (map->type != YAML_MAPPING_NODE)
        return fail(L, map, "'%s' must be a mapping", what);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        const char *key = scalar(k);
        if (key == NULL)
            return fail(L, k, "keys in '%s' must be plain names", what);
        /* YAML lets a key repeat; a second value would silently win (or, for
         * lists, pile up), so it is an error */
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
            const char *prev = scalar(yaml_document_get_node(L->doc, q->key));
            if (prev && strcmp(prev, key) == 0)
                return fail(L, k, "key '%s' appears twice in %s", key, what);
        }
        int r = fn(L, key, v);
        if (r < 0)
            return -1;
        if (r > 0) {
            const char *near = did_you_mean(what, key);
            if (near)
                return fail(L, k, "unknown key '%s' in %s (did you mean '%s'?)", key, what, near);
            return fail(L, k, "unknown key '%s' in %s", key, what);
        }
    }
    return 0;
}

/* a fetch.allow_hosts entry: "host" or "host:port", no scheme, no path */
static int host_entry_valid(const char *s)
{
    size_t n = strlen(s), h;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close == s + 1)
            return 0;
        for (const char *p = s + 1; p < close; p++)
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                return 0;
        h = (size_t)(close - s) + 1;
    } else {
        h = strcspn(s, ":");
        if (h == 0 || h > 253)
            return 0;
        for (size_t i = 0; i < h; i++)
            if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-' && s[i] != '_')
                return 0;
    }
    if (h == n)
        return 1;
    if (s[h] != ':' || h + 1 == n || n - h - 1 > 5)
        return 0;
    long port = 0;
    for (size_t i = h + 1; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        port = port * 10 + (s[i] - '0');
    }
    return port >= 1 && port <= 65535;
}

static int get_allow_hosts(loader_t *L, yaml_node_t *v)
{
    config_t *c = L->cfg;
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(L, v, "'allow_hosts' must be a list of \"host\" or \"host:port\" entries");
    free_list(c->allow_hosts, c->nallow_hosts);
    c->nallow_hosts = 0;
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    c->allow_hosts = calloc(n ? n : 1, sizeof(char *));
    if (c->allow_hosts == NULL)
        return fail(L, v, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = yaml_document_get_node(L->doc, v->data.sequence.items.start[i]);
        const char *s;
        if (want_scalar(L, item, "allow_hosts", &s))
            return -1;
        if (!host_entry_valid(s))
            return fail(L, item,
                        "'allow_hosts': '%s' is not \"host\" or \"host:port\" (no scheme, no path; e.g. "
                        "files.example.com or 10.0.0.5:8443)",
                        s);
        char *h = xstrdup(s);
        for (char *p = h; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        c->allow_hosts[c->nallow_hosts++] = h;
    }
    return 0;
}

static int on_fetch(loader_t *L, const char *key, yaml_node_t *v)
{
    config_t *c = L->cfg;
    if (!strcmp(key, "allow_hosts"))
        return get_allow_hosts(L, v);
    if (!strcmp(key, "metadata_ttl"))
        return get_duration(L, v, key, &c->metadata_ttl_ms);
    if (!strcmp(key, "timeout"))
        return get_duration(L, v, key, &c->timeout_ms);
    if (!strcmp(key, "connect_timeout"))
        return get_duration(L, v, key, &c->connect_timeout_ms);
    if (!strcmp(key, "metadata_timeout"))
        return get_duration(L, v, key, &c->metadata_timeout_ms);
    if (!strcmp(key, "stale_if_error"))
        return get_duration(L, v, key, &c->stale_if_error_ms);
    if (!strcmp(key, "lockfile_deadline"))
        return get_duration(L, v, key, &c->lockfile_deadline_ms);
    if (!strcmp(key, "max_artifact"))
        return get_size(L, v, key, &c->max_artifact);
    return 1;
}

static int get_count(loader_t *L, yaml_node_t *n, const char *key, long lo, long hi, int64_t *out);

static int on_limits(loader_t *L, const char *key, yaml_node_t *v)
{
    if (!strcmp(key, "max_body"))
        return get_size(L, v, key, &L->cfg->max_body);
    int64_t n;
    if (!strcmp(key, "max_connections")) {
        if (get_count(L, v, key, 1, 1000000, &n))
            return -1;
        L->cfg->max_connections = (int)n;
        return 0;
    }
    if (!strcmp(key, "max_large_bodies")) {
        if (get_count(L, v, key, 1, 10000, &n))
            return -1;
        L->cfg->max_large_bodies = (int)n;
        return 0;
    }
    if (!strcmp(key, "review_requests_per_hour")) {
        const char *s;
        char *end;
        if (want_scalar(L, v, key, &s))
            return -1;
        long t = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || t < 1 || t > 100000)
            return fail(L, v, "'review_requests_per_hour' must be a number from 1 to 100000");
        L->cfg->review_requests_per_hour = (int)t;
        return 0;
    }
    return 1;
}

static int on_store(loader_t *L, const char *key, yaml_node_t *v)
{
    if (!strcmp(key, "map_size"))
        return get_size(L, v, key, &L->cfg->map_size);
    return 1;
}

static int on_tls(loader_t *L, const char *key, yaml_node_t *v)
{
    const char *s;
    if (strcmp(key, "listen") && strcmp(key, "cert") && strcmp(key, "key"))
        return 1;
    if (want_scalar(L, v, key, &s))
        return -1;
    if (!strcmp(key, "listen")) {
        if (check_addr(L, v, s))
            return -1;
        config_set_str(&L->cfg->tls_listen, s);
    } else if (!strcmp(key, "cert")) {
        config_set_str(&L->cfg->tls_cert, s);
    } else {
        config_set_str(&L->cfg->tls_key, s);
    }
    return 0;
}

/* upstreams.E as a URL (credentials may be its userinfo) */
static int get_upstream_url(loader_t *L, yaml_node_t *v, int eco, const char *key)
{
    config_t *c = L->cfg;
    const char *s = scalar(v);
    char *user = NULL, *pass = NULL;
    if (get_url_as(L, v, key, &c->upstream[eco], 1))
        return -1;
    int has = url_userinfo(s, &user, &pass);
    if (has < 0)
        return fail(L, v, "upstreams.%s: the credentials in the URL are malformed (a bad %%-escape)", eco_name(eco));
    free(c->upstream_username[eco]);
    free(c->upstream_password[eco]);
    c->upstream_username[eco] = user;
    c->upstream_password[eco] = pass;
    return 0;
}

static int on_upstream_map(loader_t *L, const char *key, yaml_node_t *v)
{
    const char *s;
    if (strcmp(key, "url") && strcmp(key, "username") && strcmp(key, "password_file"))
        return 1;
    if (want_scalar(L, v, key, &s))
        return -1;
    if (*s == '\0')
        return fail(L, v, "'%s' is empty", key);
    if (!strcmp(key, "url"))
        L->upstream.url = v;
    else if (!strcmp(key, "username"))
        L->upstream.username = s;
    else
        L->upstream.password_file = v;
    return 0;
}

static int on_upstreams(loader_t *L, const char *key, yaml_node_t *v)
{
    config_t *c = L->cfg;
    int eco = eco_from_name(key, strlen(key));
    char names[100];
    if (eco < 0)
        return fail(L, v, "unknown ecosystem '%s' in upstreams (%s)", key, eco_names_join(names, sizeof(names), "", ", "));
    if (scalar(v) && (scalar(v)[0] == '\0' || !strcmp(scalar(v), "~") || !strcmp(scalar(v), "null"))) {
        config_set_str(&c->upstream[eco], NULL);
        return 0;
    }
    if (v->type != YAML_MAPPING_NODE)
        return get_upstream_url(L, v, eco, key);
    memset(&L->upstream, 0, sizeof(L->upstream));
    if (each_pair(L, v, key, on_upstream_map))
        return -1;
    if (L->upstream.url == NULL)
        return fail(L, v, "upstreams.%s needs url", key);
    if (get_upstream_url(L, L->upstream.url, eco, "url"))
        return -1;
    if (c->upstream_username[eco] && (L->upstream.username || L->upstream.password_file))
        return fail(L, v, "upstreams.%s: give the credentials once, in url or as username and password_file", key);
    if ((L->upstream.username != NULL) != (L->upstream.password_file != NULL))
        return fail(L, v, "upstreams.%s: username and password_file go together", key);
    if (L->upstream.username) {
        config_set_str(&c->upstream_username[eco], L->upstream.username);
        config_set_str(&c->upstream_password_file[eco], scalar(L->upstream.password_file));
        c->upstream_password_line[eco] = (int)L->upstream.password_file->start_mark.line + 1;
    }
    return 0;
}

static int on_eco_window(loader_t *L, const char *key, yaml_node_t *v)
{
    if (!strcmp(key, "min_age"))
        return get_duration(L, v, key, &L->cfg->min_age_eco[L->eco]);
    return 1;
}

/* "npm:lodash@4.17.21", "npm:@acme/(glob)", "pypi:requests", "maven:org.example:(glob)",
 * "maven:g:a@1.0" → ecosystem, name pattern, optional exact version */
static int parse_match(loader_t *L, yaml_node_t *n, const char *s, quarantine_rule_t *r)
{
    const char *colon = strchr(s, ':');
    int eco = colon ? eco_from_name(s, (size_t)(colon - s)) : -1;
    char names[100];
    if (eco < 0)
        return fail(L, n, "rule match '%s' must start with %s", s, eco_names_join(names, sizeof(names), ":", " or "));
    const char *name = colon + 1;
    /* the version separator is the last '@' that is not the first character (npm scopes start with '@') */
    const char *at = strrchr(name, '@');
    if (at == name)
        at = NULL;
    size_t nlen = at ? (size_t)(at - name) : strlen(name);
    if (nlen == 0)
        return fail(L, n, "rule match '%s' names no package", s);
    if (at && at[1] == '\0')
        return fail(L, n, "rule match '%s' has an empty version", s);
    free(r->pattern);
    free(r->version);
    free(r->text);
    r->eco = (eco_id_t)eco;
    r->pattern = xstrndup(name, nlen);
    r->version = at ? xstrdup(at + 1) : NULL;
    r->text = xstrdup(s);
    if (ecosystems[eco] && (ecosystems[eco]->flags & ECO_F_FOLD_NAMES))
        eco_fold_name(r->pattern);
    return 0;
}

static int on_rule(loader_t *L, const char *key, yaml_node_t *v)
{
    const char *s;
    if (!strcmp(key, "match")) {
        if (want_scalar(L, v, key, &s))
            return -1;
        return parse_match(L, v, s, L->rule);
    }
    if (!strcmp(key, "min_age"))
        return get_duration(L, v, key, &L->rule->min_age);
    if (!strcmp(key, "allow"))
        return get_bool(L, v, key, &L->rule->allow);
    if (!strcmp(key, "deny"))
        return get_bool(L, v, key, &L->rule->deny);
    return 1;
}

static int load_rules(loader_t *L, yaml_node_t *seq)
{
    config_t *c = L->cfg;
    if (seq->type != YAML_SEQUENCE_NODE)
        return fail(L, seq, "'rules' must be a list");
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    c->rules = calloc(n ? n : 1, sizeof(*c->rules));
    if (c->rules == NULL)
        return fail(L, seq, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = yaml_document_get_node(L->doc, seq->data.sequence.items.start[i]);
        quarantine_rule_t *r = &c->rules[c->nrules++];
        r->min_age = -1;
        r->line = (int)item->start_mark.line + 1;
        L->rule = r;
        if (each_pair(L, item, "a rule", on_rule))
            return -1;
        if (r->pattern == NULL)
            return fail(L, item, "a rule needs 'match'");
        int kinds = (r->min_age >= 0) + r->allow + r->deny;
        if (kinds != 1)
            return fail(L, item, "rule '%s' needs exactly one of min_age, allow: true, deny: true", r->text);
        if (r->allow && (r->version == NULL || strchr(r->pattern, '*')))
            return fail(L, item, "rule '%s': allow admits one exact version (name@version)", r->text);
    }
    return 0;
}

static int on_quarantine(loader_t *L, const char *key, yaml_node_t *v)
{
    const char *s;
    if (!strcmp(key, "min_age"))
        return get_duration(L, v, key, &L->cfg->min_age_default);
    if (!strcmp(key, "missing_timestamp")) {
        if (want_scalar(L, v, key, &s))
            return -1;
        if (!strcmp(s, "first_seen"))
            L->cfg->missing_timestamp = MISSING_TS_FIRST_SEEN;
        else if (!strcmp(s, "deny"))
            L->cfg->missing_timestamp = MISSING_TS_DENY;
        else
            return fail(L, v, "missing_timestamp must be first_seen or deny, not '%s'", s);
        return 0;
    }
    if (!strcmp(key, "rules"))
        return load_rules(L, v);
    int eco = eco_from_name(key, strlen(key));
    if (eco >= 0) {
        L->eco = eco;
        return each_pair(L, v, key, on_eco_window);
    }
    return 1;
}

static int get_count(loader_t *L, yaml_node_t *n, const char *key, long lo, long hi, int64_t *out)
{
    const char *s;
    char *end;
    if (want_scalar(L, n, key, &s))
        return -1;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return fail(L, n, "'%s' must be a number from %ld to %ld", key, lo, hi);
    *out = v;
    return 0;
}

static int on_analysis_limits(loader_t *L, const char *key, yaml_node_t *v)
{
    archive_limits_t *l = &L->cfg->analysis.limits;
    int64_t n;
    if (!strcmp(key, "max_total"))
        return get_size(L, v, key, &l->max_total);
    if (!strcmp(key, "max_entry"))
        return get_size(L, v, key, &l->max_entry);
    if (!strcmp(key, "max_entries"))
        return get_count(L, v, key, 1, 10000000, &l->max_entries);
    if (!strcmp(key, "max_ratio"))
        return get_count(L, v, key, 2, 100000, &l->max_ratio);
    if (!strcmp(key, "max_path")) {
        if (get_count(L, v, key, 16, 65536, &n))
            return -1;
        l->max_path = (int)n;
        return 0;
    }
    if (!strcmp(key, "max_depth")) {
        if (get_count(L, v, key, 2, 4096, &n))
            return -1;
        l->max_depth = (int)n;
        return 0;
    }
    return 1;
}

/* hold | warn | ignore */
static int get_finding_action(loader_t *L, yaml_node_t *v, const char *key, finding_action_t *out)
{
    const char *s;
    if (want_scalar(L, v, key, &s))
        return -1;
    if (!strcmp(s, "hold"))
        *out = FINDING_HOLD;
    else if (!strcmp(s, "warn"))
        *out = FINDING_WARN;
    else if (!strcmp(s, "ignore"))
        *out = FINDING_IGNORE;
    else
        return fail(L, v, "'%s' must be hold, warn or ignore, not '%s'", key, s);
    return 0;
}

static int on_analysis(loader_t *L, const char *key, yaml_node_t *v)
{
    analysis_config_t *a = &L->cfg->analysis;
    const char *s;
    int kind = finding_kind_from_name(key);
    if (kind >= 0 && finding_kind_intel_key((finding_kind_t)kind))
        return fail(L, v, "'%s' is set under intel: (as '%s'), not analysis:", key,
                    finding_kind_intel_key((finding_kind_t)kind));
    if (kind >= 0)
        return get_finding_action(L, v, key, &a->action[kind]);
    if (!strcmp(key, "pth_allow")) {
        if (v->type != YAML_SEQUENCE_NODE)
            return fail(L, v, "'pth_allow' must be a list of .pth file names");
        free_list(a->pth_allow, a->npth_allow);
        a->npth_allow = 0;
        size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        a->pth_allow = calloc(n ? n : 1, sizeof(char *));
        if (a->pth_allow == NULL)
            return fail(L, v, "out of memory");
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *item = yaml_document_get_node(L->doc, v->data.sequence.items.start[i]);
            if (want_scalar(L, item, "pth_allow", &s))
                return -1;
            size_t len = strlen(s);
            if (len < 5 || strcmp(s + len - 4, ".pth") != 0 || strchr(s, '/'))
                return fail(L, item, "'pth_allow': '%s' is not a .pth file name", s);
            a->pth_allow[a->npth_allow++] = xstrdup(s);
        }
        return 0;
    }
    if (!strcmp(key, "popular_file")) {
        if (want_scalar(L, v, key, &s))
            return -1;
        if (*s == '\0')
            return fail(L, v, "'popular_file' is empty");
        config_set_str(&a->popular_file, s);
        return 0;
    }
    if (!strcmp(key, "popular_served")) {
        int64_t n;
        if (get_count(L, v, key, 0, 100000, &n))
            return -1;
        a->popular_served = (int)n;
        return 0;
    }
    if (!strcmp(key, "prefetch"))
        return get_bool(L, v, key, &a->prefetch);
    if (!strcmp(key, "limits"))
        return each_pair(L, v, "analysis.limits", on_analysis_limits);
    return 1;
}

static int on_intel(loader_t *L, const char *key, yaml_node_t *v)
{
    intel_config_t *in = &L->cfg->intel;
    const char *s;
    if (!strcmp(key, "osv_dir")) {
        struct stat st;
        if (want_scalar(L, v, key, &s))
            return -1;
        if (*s == '\0')
            return fail(L, v, "'osv_dir' is empty (leave it out to run without an OSV feed)");
        if (stat(s, &st) == 0 && !S_ISDIR(st.st_mode))
            return fail(L, v, "'osv_dir' %s is not a directory", s);
        config_set_str(&in->osv_dir, s);
        return 0;
    }
    if (!strcmp(key, "fast_lane"))
        return get_bool(L, v, key, &in->fast_lane);
    if (!strcmp(key, "takedowns"))
        return get_bool(L, v, key, &in->takedowns);
    /* what the package's history says: findings whose actions live here */
    int kind = finding_kind_from_intel_key(key);
    if (kind >= 0)
        return get_finding_action(L, v, key, &L->cfg->analysis.action[kind]);
    return 1;
}

static int on_audit(loader_t *L, const char *key, yaml_node_t *v)
{
    const char *s;
    if (strcmp(key, "key_file") != 0)
        return 1;
    if (want_scalar(L, v, key, &s))
        return -1;
    if (*s == '\0')
        return fail(L, v, "'key_file' is empty (leave it out to keep the key beside the configuration file)");
    config_set_str(&L->cfg->audit_key_file, s);
    return 0;
}

static int on_review(loader_t *L, const char *key, yaml_node_t *v)
{
    const char *s;
    if (strcmp(key, "contact") != 0)
        return 1;
    if (want_scalar(L, v, key, &s))
        return -1;
    if (strlen(s) > 200 || strpbrk(s, "\r\n"))
        return fail(L, v, "'contact' must be one line of at most 200 characters (a channel, an address)");
    if (*s)
        config_set_str(&L->cfg->review_contact, s);
    return 0;
}

static int on_journal(loader_t *L, const char *key, yaml_node_t *v)
{
    if (!strcmp(key, "keep"))
        return get_duration(L, v, key, &L->cfg->journal_keep_ms);
    return 1;
}

static int on_log(loader_t *L, const char *key, yaml_node_t *v)
{
    const char *s;
    if (!strcmp(key, "format")) {
        if (want_scalar(L, v, key, &s))
            return -1;
        if (strcmp(s, "json") != 0 && strcmp(s, "text") != 0)
            return fail(L, v, "'log.format' must be json or text, not '%s'", s);
        L->cfg->log_text = strcmp(s, "text") == 0;
        return 0;
    }
    if (!strcmp(key, "file")) {
        if (want_scalar(L, v, key, &s))
            return -1;
        if (*s == '\0')
            return fail(L, v, "'log.file' is empty (leave it out, or write stderr, to log to stderr)");
        config_set_str(&L->cfg->log_file, strcmp(s, "stderr") == 0 ? NULL : s);
        return 0;
    }
    return 1;
}

static int on_top(loader_t *L, const char *key, yaml_node_t *v)
{
    config_t *c = L->cfg;
    const char *s;
    if (!strcmp(key, "listen")) {
        if (v->type == YAML_SCALAR_NODE) {
            if (check_addr(L, v, scalar(v)))
                return -1;
            return config_set_listen(c, scalar(v));
        }
        if (v->type != YAML_SEQUENCE_NODE)
            return fail(L, v, "'listen' must be ADDR:PORT or a list of them");
        free_list(c->listen, c->nlisten);
        c->listen = NULL;
        c->nlisten = 0;
        size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (n == 0)
            return fail(L, v, "'listen' is empty");
        c->listen = xcalloc(n, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *item = yaml_document_get_node(L->doc, v->data.sequence.items.start[i]);
            if (want_scalar(L, item, "listen", &s) || check_addr(L, item, s))
                return -1;
            c->listen[c->nlisten++] = xstrdup(s);
        }
        return 0;
    }
    if (!strcmp(key, "public_url"))
        return get_url(L, v, key, &c->public_url);
    if (!strcmp(key, "data_dir")) {
        if (want_scalar(L, v, key, &s))
            return -1;
        if (*s == '\0')
            return fail(L, v, "'data_dir' is empty");
        config_set_str(&c->data_dir, s);
        return 0;
    }
    if (!strcmp(key, "threads")) {
        char *end;
        if (want_scalar(L, v, key, &s))
            return -1;
        long t = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || t < 0 || t > 256)
            return fail(L, v, "'threads' must be a number from 0 (one per core) to 256");
        c->threads = (int)t;
        return 0;
    }
    if (!strcmp(key, "workers")) {
        char *end;
        if (want_scalar(L, v, key, &s))
            return -1;
        long t = strtol(s, &end, 10);
        /* two at least: each kind of job leaves one thread to the others */
        if (*s == '\0' || *end != '\0' || t < 2 || t > WORKPOOL_THREADS_MAX)
            return fail(L, v, "'workers' must be a number from 2 to %d", WORKPOOL_THREADS_MAX);
        c->workers = (int)t;
        return 0;
    }
    if (!strcmp(key, "access_log")) {
        if (want_scalar(L, v, key, &s))
            return -1;
        config_set_str(&c->access_log, s);
        return 0;
    }
    if (!strcmp(key, "upstreams"))
        return each_pair(L, v, "upstreams", on_upstreams);
    if (!strcmp(key, "fetch"))
        return each_pair(L, v, "fetch", on_fetch);
    if (!strcmp(key, "limits"))
        return each_pair(L, v, "limits", on_limits);
    if (!strcmp(key, "store"))
        return each_pair(L, v, "store", on_store);
    if (!strcmp(key, "tls"))
        return each_pair(L, v, "tls", on_tls);
    if (!strcmp(key, "quarantine"))
        return each_pair(L, v, "quarantine", on_quarantine);
    if (!strcmp(key, "analysis"))
        return each_pair(L, v, "analysis", on_analysis);
    if (!strcmp(key, "intel"))
        return each_pair(L, v, "intel", on_intel);
    if (!strcmp(key, "audit"))
        return each_pair(L, v, "audit", on_audit);
    if (!strcmp(key, "review"))
        return each_pair(L, v, "review", on_review);
    if (!strcmp(key, "journal"))
        return each_pair(L, v, "journal", on_journal);
    if (!strcmp(key, "log"))
        return each_pair(L, v, "log", on_log);
    return 1;
}

int config_load_string(config_t *cfg, const char *name, const char *yaml, size_t len, char *err, size_t errlen)
{
    config_defaults(cfg);
    cfg->path = xstrdup(name);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: cannot initialise the YAML parser", name);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%lu: %s", name, (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "malformed YAML");
        yaml_parser_delete(&parser);
        return -1;
    }
    loader_t L = {.doc = &doc, .cfg = cfg, .name = name, .err = err, .errlen = errlen};
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root != NULL && !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
        rc = each_pair(&L, root, "the configuration", on_top);
    if (rc == 0 && (cfg->tls_listen != NULL) != (cfg->tls_cert != NULL && cfg->tls_key != NULL)) {
        snprintf(err, errlen, "%s:1: tls needs listen, cert and key together", name);
        rc = -1;
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

#define MAX_PASSWORD 4096
#define CONFIG_FILE_MAX (16u << 20)

int config_read_secrets(config_t *cfg, char *err, size_t errlen)
{
    for (int e = 0; e < ECO_COUNT; e++) {
        const char *file = cfg->upstream_password_file[e];
        if (file == NULL)
            continue;
        char head[128];
        snprintf(head, sizeof(head), "%s:%d: upstreams.%s.password_file", cfg->path, cfg->upstream_password_line[e],
                 eco_name((eco_id_t)e));
        FILE *f = fopen(file, "rb");
        if (f == NULL) {
            snprintf(err, errlen, "%s: cannot read %s: %s", head, file, strerror(errno));
            return -1;
        }
        char buf[MAX_PASSWORD + 2];
        size_t n = fread(buf, 1, sizeof(buf), f);
        int rerr = ferror(f) ? errno : 0;
        fclose(f);
        if (rerr) {
            snprintf(err, errlen, "%s: cannot read %s: %s", head, file, strerror(rerr));
            return -1;
        }
        if (n > MAX_PASSWORD) {
            snprintf(err, errlen, "%s: %s is longer than %d bytes: not a password", head, file, MAX_PASSWORD);
            return -1;
        }
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        if (n == 0) {
            snprintf(err, errlen, "%s: %s is empty", head, file);
            return -1;
        }
        if (memchr(buf, '\n', n) || memchr(buf, '\r', n) || memchr(buf, '\0', n)) {
            snprintf(err, errlen, "%s: %s holds more than one line (the password is its only line)", head, file);
            return -1;
        }
        free(cfg->upstream_password[e]);
        cfg->upstream_password[e] = xstrndup(buf, n);
        memset(buf, 0, sizeof(buf));
    }
    return 0;
}

int config_load(config_t *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        config_defaults(cfg);
        snprintf(err, errlen, "%s:0: cannot open: %s", path, strerror(errno));
        return -1;
    }
    buf_t data;
    buf_init(&data);
    const char *why = NULL;
    for (;;) {
        if (data.len > CONFIG_FILE_MAX)
            why = "configuration file is too large";
        else if (buf_reserve(&data, 8192) != 0)
            why = "out of memory reading it";
        if (why) {
            buf_free(&data);
            fclose(f);
            config_defaults(cfg);
            snprintf(err, errlen, "%s:0: %s", path, why);
            return -1;
        }
        size_t n = fread(data.data + data.len, 1, data.cap - data.len - 1, f);
        if (n == 0)
            break;
        data.len += n;
    }
    fclose(f);
    int rc = config_load_string(cfg, path, data.len ? data.data : "", data.len, err, errlen);
    buf_free(&data);
    return rc;
}
