/* main: the command line (DESIGN.md "Command line"). Exit codes: 0 ok,
 * 1 a check failed, 2 usage or configuration error. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/blob.h"
#include "upstream/fetcher.h"
#include "store/store.h"
#include "upstream/upstream_cache.h"
#include "common/buf.h"
#include "common/json.h"
#include "common/log.h"
#include "analysis/analysis.h"
#include "analysis/artifact.h"
#include "common/buf.h"
#include "common/json.h"
#include "http/access_log.h"
#include "admin/admin_cli.h"
#include "policy/approvals.h"
#include "review/approvals_store.h"
#include "journal/audit.h"
#include "journal/audit_anchor.h"
#include "journal/audit_key.h"
#include "core/config.h"
#include "journal/decision_log.h"
#include "review/held.h"
#include "admin/admin_page.h"
#include "admin/mcp.h"
#include "admin/config_check.h"
#include "admin/admin_api.h"
#include "admin/start_line.h"
#include "http/conn_guard.h"
#include "http/router.h"
#include "journal/journal_retention.h"
#include "http/listener.h"
#include "core/runtime.h"
#include "common/workpool.h"
#include "common/xalloc.h"
#include "http/metrics.h"
#include "intel/osv_feed.h"
#include "intel/takedown.h"

#define CORDON_VERSION "0.1.0"
#define DEFAULT_CONFIG "conf/cordon.yaml"

static const char SERVE_USAGE[] = "  cordon serve   [--config FILE] [--listen ADDR:PORT] [--data-dir DIR]\n";
static const char LOG_USAGE[] = "  cordon log     [--config FILE] [--data-dir DIR] [--limit N] [--json]\n";

static int usage(FILE *out)
{
    fprintf(out, "usage:\n%s%s  cordon version | -V | --version\n  cordon config check [--config FILE]\n", SERVE_USAGE,
            LOG_USAGE);
    admin_cli_usage(out);
    return out == stderr ? 2 : 0;
}

typedef struct cli {
    const char *config;
    const char *listen;
    const char *data_dir;
    long limit;
    int json;
} cli_t;

static int parse_cli(int argc, char **argv, cli_t *cli)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"data-dir", required_argument, NULL, 'd'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    memset(cli, 0, sizeof(*cli));
    cli->limit = 50;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:l:d:n:jh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': cli->config = optarg; break;
        case 'l': cli->listen = optarg; break;
        case 'd': cli->data_dir = optarg; break;
        case 'n': {
            char *end;
            cli->limit = strtol(optarg, &end, 10);
            if (*end || cli->limit <= 0) {
                fprintf(stderr, "cordon: --limit needs a positive number\n");
                return -1;
            }
            break;
        }
        case 'j': cli->json = 1; break;
        case 'h': { /* its own usage */
            int is_log = strcmp(argv[0], "log") == 0;
            printf("usage:\n%sexample:\n  $ %s\n", is_log ? LOG_USAGE : SERVE_USAGE,
                   is_log ? "cordon log --config /etc/cordon/cordon.yaml --limit 20"
                          : "cordon serve --config /etc/cordon/cordon.yaml");
            exit(0);
        }
        default: return -1;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "cordon: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* loads the configuration and applies the overrides; exit code on failure */
static int load_config(const cli_t *cli, config_t *cfg, int required)
{
    char err[1024];
    const char *path = cli->config ? cli->config : DEFAULT_CONFIG;
    if (!required && cli->config == NULL && access(path, R_OK) != 0) {
        config_defaults(cfg);
    } else if (config_load(cfg, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        if (access(path, F_OK) != 0)
            fprintf(stderr,
                    "cordon: `make run` writes %s for this machine and serves; scripts/first-config.sh FILE writes "
                    "one anywhere; conf/cordon.example.yaml explains every key\n",
                    DEFAULT_CONFIG);
        config_free(cfg);
        return 2;
    }
    if (cli->listen) {
        const char *colon = strrchr(cli->listen, ':');
        if (colon == NULL || colon == cli->listen || colon[1] == '\0') {
            fprintf(stderr, "cordon: --listen must be ADDR:PORT\n");
            config_free(cfg);
            return 2;
        }
        config_set_listen(cfg, cli->listen);
    }
    if (cli->data_dir)
        config_set_str(&cfg->data_dir, cli->data_dir);
    return 0;
}

/* One warning per file that holds upstream credentials (the configuration
 * itself for credentials in a URL, or a password_file) and that users other
 * than its owner may read (DESIGN.md "Store and durability"). */
static void warn_readable_credentials(const config_t *cfg)
{
    for (int e = 0; e < ECO_COUNT; e++) {
        if (cfg->upstream_password[e] == NULL)
            continue;
        const char *file = cfg->upstream_password_file[e] ? cfg->upstream_password_file[e] : cfg->path;
        int first = 1; /* one line for the ecosystems that share this file */
        for (int p = 0; p < e; p++)
            if (cfg->upstream_password[p] &&
                strcmp(cfg->upstream_password_file[p] ? cfg->upstream_password_file[p] : cfg->path, file) == 0)
                first = 0;
        struct stat st;
        if (!first || stat(file, &st) != 0 || (st.st_mode & (S_IRGRP | S_IROTH)) == 0)
            continue;
        char keys[64] = "", msg[1200];
        for (int q = e; q < ECO_COUNT; q++)
            if (cfg->upstream_password[q] &&
                strcmp(cfg->upstream_password_file[q] ? cfg->upstream_password_file[q] : cfg->path, file) == 0)
                snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%supstreams.%s", keys[0] ? ", " : "",
                         eco_name((eco_id_t)q));
        snprintf(msg, sizeof(msg),
                 "%s (mode %03o) is readable by other users and holds the credentials of %s; make it private "
                 "(chmod 600 %s)%s",
                 file, (unsigned)(st.st_mode & 0777), keys, file,
                 cfg->upstream_password_file[e] ? "" : ", or move the password to a password_file");
        log_kv(LOG_WARN, msg, "file", file, NULL);
    }
}

/* SIGHUP: re-read the configuration. A bad file keeps the running one. The
 * quarantine rules, windows and upstream URLs of the new file take effect
 * at once (documents rendered under the old policy are not served under the
 * new one: the policy fingerprint changes); listen addresses, TLS, data_dir,
 * fetch and limits settings need a restart. The replaced configuration is
 * freed by the runtime once no request, job or thread reads it any more
 * (core/runtime.h), so reloads are unbounded. Runs on the first event loop,
 * which borrows the current configuration like every callback. */
static void reload_config(void)
{
    const config_t *cur = runtime_config();
    char err[1024];
    config_t *next = xcalloc(1, sizeof(*next));
    if (config_load(next, cur->path, err, sizeof(err)) != 0 || config_read_secrets(next, err, sizeof(err)) != 0) {
        log_kv(LOG_ERROR, "reload failed; the running configuration stays", "error", err, NULL);
        config_free(next);
        free(next);
        return;
    }
    if (analysis_configure(next, err, sizeof(err)) != 0) {
        log_kv(LOG_ERROR, "reload failed; the running configuration stays", "error", err, NULL);
        config_free(next);
        free(next);
        return;
    }
    /* what needs a restart keeps its running value */
    config_set_str(&next->data_dir, cur->data_dir);
    warn_readable_credentials(next);
    log_kv(LOG_INFO, "configuration reloaded", "file", next->path, NULL);
    runtime_publish(next);
}

/* SIGHUP, before the configuration is read again: the access log and the
 * server log files are opened again by name, so that a rotation that moved
 * them gets new files (log.file and log.format themselves need a restart) */
static void reopen_logs(void)
{
    const config_t *cfg = runtime_config();
    if (log_reopen() != 0)
        log_kv(LOG_ERROR, "cannot reopen the server log; it stays on the old file", "file", cfg->log_file,
               "error", strerror(errno), NULL);
    if (access_log_reopen() != 0)
        log_kv(LOG_ERROR, "cannot reopen the access log; it stays on the old file", "file", cfg->access_log,
               "error", strerror(errno), NULL);
}

/* on the main thread once every loop serves: it holds what it reads, as a
 * reload may come at any moment from then on */
static void on_ready(int threads)
{
    const config_t *cfg = runtime_acquire();
    start_line_log(cfg, CORDON_VERSION, threads);
    runtime_release(cfg);
}

static void on_sighup(void)
{
    reopen_logs();
    reload_config();
}

/* the audit key (made at first start) and the chain keyed from a marked
 * record on; everything logged so that an outside collector has it */
static int open_audit(const config_t *cfg, char *err, size_t errlen)
{
    char path[4096], abs[4096];
    if (cfg->audit_key_file)
        snprintf(path, sizeof(path), "%s", cfg->audit_key_file);
    else if (audit_key_default_path(cfg->path, path, sizeof(path)) != 0) {
        snprintf(err, errlen, "no audit.key_file and no configuration file to keep it beside");
        return -1;
    }
    if (audit_key_check_outside(path, cfg->data_dir, err, errlen) != 0)
        return -1;
    audit_key_info_t info;
    if (audit_key_load(path, 1, &info, err, errlen) != 0)
        return -1;
    if (realpath(path, abs) == NULL)
        snprintf(abs, sizeof(abs), "%s", path);
    if (info.created)
        log_kv(LOG_INFO, "audit key made; copy it to every node that shares this store, and keep it out of backups of "
                         "data_dir", "key_file", abs, "key_id", info.id, NULL);
    if (info.mode & 077) {
        char msg[600];
        snprintf(msg, sizeof(msg), "the audit key is mode %o: others than cordon's user can read or change it, and so "
                 "forge the chain (chmod 600 the file)", (unsigned)info.mode);
        log_kv(LOG_WARN, msg, "key_file", abs, NULL);
    }
    uint64_t keyed_from, legacy;
    if (audit_note_key_file(abs, err, errlen) != 0 || audit_ensure_keyed(&keyed_from, &legacy, err, errlen) != 0)
        return -1;
    char kf[24], lg[24];
    snprintf(kf, sizeof(kf), "%llu", (unsigned long long)keyed_from);
    snprintf(lg, sizeof(lg), "%llu", (unsigned long long)legacy);
    log_kv(LOG_INFO, "audit chain keyed", "key_file", abs, "key_id", info.id, "keyed_from", kf,
             "unkeyed_records_before", lg, NULL);
    uint64_t hs;
    char hh[65];
    if (audit_head_get(&hs, hh) != 0)
        log_kv(LOG_ERROR, "the head beside the audit chain is missing or does not verify: the store was changed "
                          "without the key; run cordon audit verify", NULL);
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    cli_t cli;
    char err[1024];
    if (parse_cli(argc, argv, &cli) != 0)
        return usage(stderr);
    config_t *cfg = xcalloc(1, sizeof(*cfg));
    int rc = load_config(&cli, cfg, 1);
    if (rc == 0 && config_read_secrets(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        config_free(cfg);
        rc = 2;
    }
    if (rc) {
        free(cfg);
        return rc;
    }
    log_set_format(cfg->log_text ? LOG_TEXT : LOG_JSON);
    if (log_open(cfg->log_file) != 0) {
        fprintf(stderr, "%s: cannot open log.file %s: %s\n", cfg->path, cfg->log_file, strerror(errno));
        config_free(cfg);
        free(cfg);
        return 2;
    }
    warn_readable_credentials(cfg);
    /* the runtime owns cfg from here on; this thread holds it while it
     * starts everything (listener_run reads it before the first loop, the
     * only place a reload comes from, starts) */
    runtime_publish(cfg);
    const config_t *held = runtime_acquire();
    runtime_use(held);
    rc = 2;
    if (access_log_open(cfg->access_log) != 0) {
        fprintf(stderr, "%s: cannot open access_log %s: %s\n", cfg->path, cfg->access_log, strerror(errno));
        goto out;
    }
    if (listener_bind(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "cordon: %s\n", err);
        goto out;
    }
    if (blob_init(cfg->data_dir, err, sizeof(err)) != 0 || store_open(cfg->data_dir, cfg->map_size, 0, err, sizeof(err)) != 0) {
        fprintf(stderr, "cordon: %s\n", err);
        goto out;
    }
    if (open_audit(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", cfg->path, err);
        goto out;
    }
    if (approvals_load() != 0) {
        fprintf(stderr, "cordon: cannot read the reviewers' approvals and blocks from the store\n");
        goto out;
    }
    if (analysis_configure(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    /* the OSV feed is in force before the first request, then re-read on change */
    if (osv_feed_start(cfg->intel.osv_dir, 1000) != 0) {
        fprintf(stderr, "cordon: cannot load intel.osv_dir or start its reload thread\n");
        goto out;
    }
    metrics_add_section(osv_feed_metrics);
    metrics_add_section(takedown_metrics);
    /* one pool for analyses and lockfile checks (common/workpool.h) */
    if (workpool_start(cfg->workers) != 0) {
        fprintf(stderr, "cordon: cannot start the worker pool\n");
        goto out;
    }
    upstream_cache_config_t ucfg = {.metadata_ttl_ms = cfg->metadata_ttl_ms,
                                    .stale_if_error_ms = cfg->stale_if_error_ms,
                                    .max_metadata = 512LL << 20,
                                    .max_artifact = cfg->max_artifact,
                                    .metadata_timeout_ms = cfg->metadata_timeout_ms};
    upstream_cache_init(&ucfg);
    fetcher_config_t fcfg = {.timeout_ms = cfg->timeout_ms, .connect_timeout_ms = cfg->connect_timeout_ms};
    held_start();
    router_mount("/-/api/", 1, admin_api_handle);
    router_mount("/-/admin", 1, admin_page_handle);
    router_mount("/-/metrics", 0, admin_metrics_handle);
    mcp_set_server_version(CORDON_VERSION);
    router_mount("/-/mcp", 0, mcp_handle);
    conn_guard_set_lockfile_auth(admin_api_may_submit_lockfiles);
    body_limits_set_api_route(admin_api_body_route);
    if (fetcher_start(&fcfg) != 0 || decision_log_start() != 0 || audit_anchor_start() != 0 ||
        journal_retention_start() != 0) {
        fprintf(stderr, "cordon: cannot start the fetcher, the decision log, its anchor or its retention\n");
        goto out;
    }
    listener_on_reload(on_sighup);
    listener_on_ready(on_ready);
    start_line_warn(cfg);
    runtime_use(NULL);
    runtime_release(held);
    held = NULL;
    listener_run(cfg);
    cfg = NULL; /* replaced, maybe freed, by a reload */
    rc = 0;
out:
    /* the pool first: a lockfile check that runs still gets its metadata */
    workpool_stop();
    journal_retention_stop();
    decision_log_stop();
    held_stop(); /* metadata counts no decision carried in */
    audit_anchor_stop();
    fetcher_stop();
    osv_feed_stop();
    analysis_shutdown();
    listener_close();
    approvals_unload();
    store_close();
    access_log_close();
    runtime_use(NULL);
    runtime_release(held);
    runtime_shutdown();
    return rc;
}

static int cmd_log(int argc, char **argv)
{
    cli_t cli;
    config_t cfg;
    char err[1024];
    if (parse_cli(argc, argv, &cli) != 0)
        return usage(stderr);
    int rc = load_config(&cli, &cfg, 0);
    if (rc)
        return rc;
    if (store_open(cfg.data_dir, cfg.map_size, 1, err, sizeof(err)) != 0) {
        fprintf(stderr, "cordon: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    rc = decision_log_print((size_t)cli.limit, cli.json) == 0 ? 0 : 2;
    store_close();
    config_free(&cfg);
    return rc;
}

static int cmd_version(int argc, char **argv)
{
    printf("cordon %s\n", CORDON_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv) { return usage(stdout); }

/* config check [--config FILE]: the effective configuration, or the loader's
 * FILE:LINE: message (exit 2) */
static int cmd_config(int argc, char **argv)
{
    const char *path = DEFAULT_CONFIG;
    int i = 1;
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage:\n  cordon config check [--config FILE]   validate FILE (default %s) and print the "
               "effective configuration\nexample:\n  $ cordon config check --config /etc/cordon/cordon.yaml\n",
               DEFAULT_CONFIG);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "cordon: config needs a subcommand: check [--config FILE]\n");
        return 2;
    }
    for (i = 2; i < argc; i++) {
        if ((!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c")) && i + 1 < argc)
            path = argv[++i];
        else if (!strncmp(argv[i], "--config=", 9))
            path = argv[i] + 9;
        else {
            fprintf(stderr, "cordon: config check takes only --config FILE (got '%s')\n", argv[i]);
            return 2;
        }
    }
    if (access(path, R_OK) != 0) {
        fprintf(stderr,
                "cordon: no configuration at %s: `make run` writes conf/cordon.yaml for this machine, "
                "scripts/first-config.sh FILE writes one anywhere, conf/cordon.example.yaml explains every key\n",
                path);
        return 2;
    }
    config_t cfg;
    char err[1024];
    if (config_load(&cfg, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        config_free(&cfg);
        return 2;
    }
    if (config_read_secrets(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        config_free(&cfg);
        return 2;
    }
    printf("# %s: ok; the effective configuration (defaults filled in, credentials masked)\n", path);
    config_print_effective(&cfg, stdout);
    config_free(&cfg);
    return 0;
}

/* the commands main runs itself; the reviewers' and operators' are admin_cli's */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command */
} COMMANDS[] = {
    {"serve", cmd_serve}, {"log", cmd_log},     {"version", cmd_version}, {"--version", cmd_version},
    {"-V", cmd_version},  {"config", cmd_config}, {"help", cmd_help},       {"--help", cmd_help},
    {"-h", cmd_help},
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    const char *cmd = argv[1];
    for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++)
        if (strcmp(cmd, COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 1, argv + 1);
    if (admin_cli_owns(cmd))
        return admin_cli_main(argc - 1, argv + 1);
    fprintf(stderr, "cordon: unknown command '%s'\n", cmd);
    return usage(stderr);
}
