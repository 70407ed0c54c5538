/* config_check: the effective configuration, printed (see config_check.h). */
#include "admin/config_check.h"

#include <string.h>

#include "common/units.h"
#include "core/finding_kind.h"

/* a YAML scalar, double-quoted when plain would not read back the same */
static void scalar(FILE *out, const char *s)
{
    if (s == NULL)
        s = "";
    int plain = *s && !strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]);
    for (const char *p = s; plain && *p; p++)
        if (*p == '#' || *p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || (*p == ':' && p[1] == ' '))
            plain = 0;
    if (plain && strcmp(s, "null") && strcmp(s, "true") && strcmp(s, "false")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', out);
        if ((unsigned char)*p < 0x20)
            fprintf(out, "\\x%02x", (unsigned char)*p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void duration(FILE *out, int64_t ms)
{
    char d[32];
    units_format_duration(ms, d, sizeof(d));
    fputs(d, out);
}

static void kv_str(FILE *out, const char *indent, const char *key, const char *v)
{
    fprintf(out, "%s%s: ", indent, key);
    scalar(out, v);
    fputc('\n', out);
}

static void kv_dur(FILE *out, const char *indent, const char *key, int64_t ms)
{
    fprintf(out, "%s%s: ", indent, key);
    duration(out, ms);
    fputc('\n', out);
}

static void list(FILE *out, char *const *v, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        scalar(out, v[i]);
    }
    fputc(']', out);
}

void config_print_effective(const config_t *c, FILE *out)
{
    fprintf(out, "listen: ");
    list(out, c->listen, c->nlisten);
    fputc('\n', out);
    kv_str(out, "", "public_url", c->public_url);
    kv_str(out, "", "data_dir", c->data_dir);
    fprintf(out, "threads: %d%s\n", c->threads, c->threads == 0 ? "   # one per core" : "");
    fprintf(out, "workers: %d%s\n", c->workers, c->workers == 0 ? "   # from the cores" : "");
    kv_str(out, "", "access_log", c->access_log);
    if (c->tls_listen) {
        fputs("tls:\n", out);
        kv_str(out, "  ", "listen", c->tls_listen);
        kv_str(out, "  ", "cert", c->tls_cert);
        kv_str(out, "  ", "key", c->tls_key);
    }
    fputs("upstreams:", out);
    int any = 0;
    for (int e = 0; e < ECO_COUNT; e++) {
        if (c->upstream[e] == NULL)
            continue;
        fputs(any++ ? "" : "\n", out);
        if (c->upstream_username[e] == NULL && c->upstream_password_file[e] == NULL) {
            fprintf(out, "  %s: ", eco_name((eco_id_t)e));
            scalar(out, c->upstream[e]);
            fputc('\n', out);
            continue;
        }
        fprintf(out, "  %s:\n", eco_name((eco_id_t)e));
        kv_str(out, "    ", "url", c->upstream[e]);
        if (c->upstream_username[e])
            kv_str(out, "    ", "username", c->upstream_username[e]);
        if (c->upstream_password_file[e])
            kv_str(out, "    ", "password_file", c->upstream_password_file[e]);
        else
            fputs("    password: \"(set)\"   # masked\n", out);
    }
    fputs(any ? "" : " {}   # no ecosystem is enabled\n", out);
    fputs("fetch:\n", out);
    kv_dur(out, "  ", "metadata_ttl", c->metadata_ttl_ms);
    kv_dur(out, "  ", "timeout", c->timeout_ms);
    kv_dur(out, "  ", "connect_timeout", c->connect_timeout_ms);
    kv_dur(out, "  ", "metadata_timeout", c->metadata_timeout_ms);
    kv_dur(out, "  ", "stale_if_error", c->stale_if_error_ms);
    kv_dur(out, "  ", "lockfile_deadline", c->lockfile_deadline_ms);
    fprintf(out, "  max_artifact: %lld\n", (long long)c->max_artifact);
    fputs("  allow_hosts: ", out);
    list(out, c->allow_hosts, c->nallow_hosts);
    fputc('\n', out);
    fputs("limits:\n", out);
    fprintf(out, "  max_body: %lld\n", (long long)c->max_body);
    fprintf(out, "  max_connections: %d\n", c->max_connections);
    fprintf(out, "  max_large_bodies: %d\n", c->max_large_bodies);
    fprintf(out, "  review_requests_per_hour: %d\n", c->review_requests_per_hour);
    fprintf(out, "store:\n  map_size: %lld\n", (long long)c->map_size);
    fputs("quarantine:\n", out);
    kv_dur(out, "  ", "min_age", c->min_age_default);
    for (int e = 0; e < ECO_COUNT; e++)
        if (c->min_age_eco[e] >= 0) {
            fprintf(out, "  %s: { min_age: ", eco_name((eco_id_t)e));
            duration(out, c->min_age_eco[e]);
            fputs(" }\n", out);
        }
    kv_str(out, "  ", "missing_timestamp", c->missing_timestamp == MISSING_TS_DENY ? "deny" : "first_seen");
    if (c->nrules)
        fputs("  rules:\n", out);
    for (size_t i = 0; i < c->nrules; i++) {
        const quarantine_rule_t *r = &c->rules[i];
        fputs("    - { match: ", out);
        scalar(out, r->text);
        if (r->min_age >= 0) {
            fputs(", min_age: ", out);
            duration(out, r->min_age);
        }
        fprintf(out, "%s%s }   # %s:%d\n", r->allow ? ", allow: true" : "", r->deny ? ", deny: true" : "",
                c->path ? c->path : "", r->line);
    }
    fputs("analysis:\n", out);
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        if (finding_kind_intel_key((finding_kind_t)k) == NULL)
            fprintf(out, "  %s: %s\n", finding_kind_name((finding_kind_t)k),
                    finding_action_name(c->analysis.action[k]));
    fputs("  pth_allow: ", out);
    list(out, c->analysis.pth_allow, c->analysis.npth_allow);
    fputc('\n', out);
    if (c->analysis.popular_file)
        kv_str(out, "  ", "popular_file", c->analysis.popular_file);
    fprintf(out, "  popular_served: %d\n", c->analysis.popular_served);
    fprintf(out, "  prefetch: %s\n", c->analysis.prefetch ? "true" : "false");
    const archive_limits_t *l = &c->analysis.limits;
    fprintf(out,
            "  limits: { max_total: %lld, max_entries: %lld, max_entry: %lld, max_ratio: %lld, max_path: %d, "
            "max_depth: %d }\n",
            (long long)l->max_total, (long long)l->max_entries, (long long)l->max_entry, (long long)l->max_ratio,
            l->max_path, l->max_depth);
    fputs("intel:\n", out);
    if (c->intel.osv_dir)
        kv_str(out, "  ", "osv_dir", c->intel.osv_dir);
    else
        fputs("  # osv_dir: (not set: no OSV feed)\n", out);
    fprintf(out, "  fast_lane: %s\n  takedowns: %s\n", c->intel.fast_lane ? "true" : "false",
            c->intel.takedowns ? "true" : "false");
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        if (finding_kind_intel_key((finding_kind_t)k))
            fprintf(out, "  %s: %s\n", finding_kind_intel_key((finding_kind_t)k),
                    finding_action_name(c->analysis.action[k]));
    if (c->review_contact) {
        fputs("review:\n", out);
        kv_str(out, "  ", "contact", c->review_contact);
    } else {
        fputs("review: {}   # contact not set: denials name no one\n", out);
    }
    if (c->audit_key_file) {
        fputs("audit:\n", out);
        kv_str(out, "  ", "key_file", c->audit_key_file);
    } else {
        fputs("audit: {}   # key_file not set: audit.key beside the configuration file\n", out);
    }
    fputs("journal:\n", out);
    kv_dur(out, "  ", "keep", c->journal_keep_ms);
    fputs("log:\n", out);
    kv_str(out, "  ", "file", c->log_file ? c->log_file : "stderr");
    kv_str(out, "  ", "format", c->log_text ? "text" : "json");
}
