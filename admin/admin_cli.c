/* admin_cli: commands for reviewers and operators (see admin_cli.h). The
 * remote ones are a thin libcurl client of the admin API: the server does
 * every check, the CLI formats its answers as tables (or passes the JSON
 * through with --json). */
#include "admin/admin_cli.h"
#include "admin/backup.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "store/store.h"
#include "common/buf.h"
#include "common/json.h"
#include "journal/audit.h"
#include "journal/audit_key.h"
#include "core/config.h"
#include "core/lockfile.h"
#include "journal/tokens.h"

#define DEFAULT_CONFIG "conf/cordon.yaml"

typedef struct opts {
    const char *config, *data_dir, *server, *token_file, *role, *comment, *expires, *justification;
    const char *project, *ref, *format;
    const char *ecosystem, *package;
    const char *head, *key_file, *platform, *python;
    long limit;
    int json, active, help, no_blobs, with_dependencies;
    int nargs;
    char **args;
} opts_t;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "cordon: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " ('cordon help' lists the commands)\n");
    return 2;
}

static int parse(int argc, char **argv, opts_t *o)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"data-dir", required_argument, NULL, 'd'},
                                             {"server", required_argument, NULL, 's'},
                                             {"url", required_argument, NULL, 's'},
                                             {"justification", required_argument, NULL, 'J'},
                                             {"no-blobs", no_argument, NULL, 'N'},
                                             {"with-dependencies", no_argument, NULL, 'W'},
                                             {"platform", required_argument, NULL, 'L'},
                                             {"python", required_argument, NULL, 'Y'},
                                             {"token-file", required_argument, NULL, 't'},
                                             {"role", required_argument, NULL, 'r'},
                                             {"comment", required_argument, NULL, 'm'},
                                             {"expires", required_argument, NULL, 'e'},
                                             {"ecosystem", required_argument, NULL, 'E'},
                                             {"package", required_argument, NULL, 'P'},
                                             {"limit", required_argument, NULL, 'n'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"active", no_argument, NULL, 'a'},
                                             {"project", required_argument, NULL, 'p'},
                                             {"ref", required_argument, NULL, 'R'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"head", required_argument, NULL, 'H'},
                                             {"key-file", required_argument, NULL, 'K'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof(*o));
    o->limit = 50;
    int c;
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "c:d:s:t:r:m:e:E:P:n:jap:R:f:H:K:J:NWL:Y:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'd': o->data_dir = optarg; break;
        case 's': o->server = optarg; break;
        case 't': o->token_file = optarg; break;
        case 'r': o->role = optarg; break;
        case 'm': o->comment = optarg; break;
        case 'e': o->expires = optarg; break;
        case 'E': o->ecosystem = optarg; break;
        case 'P': o->package = optarg; break;
        case 'n': {
            char *end;
            o->limit = strtol(optarg, &end, 10);
            if (*end || o->limit < 1 || o->limit > 1000)
                return usage_error("--limit needs a number from 1 to 1000 (got '%s')", optarg);
            break;
        }
        case 'j': o->json = 1; break;
        case 'a': o->active = 1; break;
        case 'p': o->project = optarg; break;
        case 'R': o->ref = optarg; break;
        case 'f': o->format = optarg; break;
        case 'H': o->head = optarg; break;
        case 'K': o->key_file = optarg; break;
        case 'W': o->with_dependencies = 1; break;
        case 'L': o->platform = optarg; break;
        case 'Y': o->python = optarg; break;
        case 'J': o->justification = optarg; break;
        case 'N': o->no_blobs = 1; break;
        case 'h': o->help = 1; break;
        default: return usage_error("bad option in '%s'", argv[0]);
        }
    }
    o->args = argv + optind;
    o->nargs = argc - optind;
    return 0;
}

/* the configuration: the named file, else conf/cordon.yaml if present, else defaults */
static int load_config(const opts_t *o, config_t *cfg)
{
    char err[1024];
    const char *path = o->config ? o->config : DEFAULT_CONFIG;
    if (o->config == NULL && access(path, R_OK) != 0) {
        config_defaults(cfg);
    } else if (config_load(cfg, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        config_free(cfg);
        return 2;
    }
    if (o->data_dir)
        config_set_str(&cfg->data_dir, o->data_dir);
    return 0;
}

/* the store a server made; never a new one (a typo'd --data-dir, or a
 * command run where there is no configuration, would otherwise mint
 * tokens into a store no server reads) */
static int open_store(const opts_t *o, config_t *cfg, int readonly)
{
    char err[1024];
    if (o->config == NULL && o->data_dir == NULL && access(DEFAULT_CONFIG, R_OK) != 0) {
        fprintf(stderr,
                "cordon: no configuration (%s) and no --data-dir: name the store the server uses with "
                "--config FILE or --data-dir DIR (`make run` writes %s)\n",
                DEFAULT_CONFIG, DEFAULT_CONFIG);
        return 2;
    }
    int rc = load_config(o, cfg);
    if (rc)
        return rc;
    if (!store_exists(cfg->data_dir)) {
        fprintf(stderr,
                "cordon: there is no cordon store in %s (no lmdb/data.mdb): start `cordon serve` with this "
                "data_dir once, or name the right one with --config or --data-dir\n",
                cfg->data_dir);
        config_free(cfg);
        return 2;
    }
    if (store_open(cfg->data_dir, cfg->map_size, readonly, err, sizeof(err)) != 0) {
        fprintf(stderr, "cordon: %s\n", err);
        config_free(cfg);
        return 2;
    }
    return 0;
}

/* The audit key, for commands that append to the chain or verify it:
 * --key-file, else the configuration's (audit.key_file, or beside the
 * configuration file). A writer given no configuration at all takes the
 * path the server noted in the store (what it writes there is checked by
 * verification anyway); verification never does, since whoever can write
 * the store could point it at a key of their own. 0, or 2 (said why). */
static int load_key(const opts_t *o, const config_t *cfg, int for_verify)
{
    char path[4096], noted[4096] = "", err[1024];
    int have_noted = audit_noted_key_file(noted, sizeof(noted)) == 0;
    if (o->key_file)
        snprintf(path, sizeof(path), "%s", o->key_file);
    else if (cfg->audit_key_file)
        snprintf(path, sizeof(path), "%s", cfg->audit_key_file);
    else if (audit_key_default_path(cfg->path, path, sizeof(path)) == 0)
        ;
    else if (!for_verify && have_noted)
        snprintf(path, sizeof(path), "%s", noted);
    else {
        fprintf(stderr,
                "cordon: %s needs the audit key: give --config FILE (its audit.key_file, or audit.key beside it) or "
                "--key-file FILE%s%s%s\n",
                for_verify ? "audit verify" : "this command", have_noted ? " (the server noted " : "",
                have_noted ? noted : "", have_noted ? "; verification does not take a path from the store it checks)" : "");
        return 2;
    }
    audit_key_info_t info;
    if (audit_key_load(path, 0, &info, err, sizeof(err)) != 0) {
        fprintf(stderr, "cordon: %s (the server makes the key at its first start; nodes share it)\n", err);
        return 2;
    }
    return 0;
}

/* ---- on the store ---- */

static int cmd_token(const char *cmd, const opts_t *o)
{
    if (o->nargs < 1)
        return usage_error("token needs a subcommand: add, list or revoke%s", "");
    const char *sub = o->args[0];
    config_t cfg;
    char err[1024];
    int rc;
    if (!strcmp(sub, "add")) {
        if (o->nargs != 2)
            return usage_error("token add needs exactly one NAME%s", "");
        if (o->role == NULL || role_from_name(o->role) == ROLE_NONE)
            return usage_error("token add needs --role reviewer, auditor or ci%s", "");
        if ((rc = open_store(o, &cfg, 0)) != 0)
            return rc;
        if ((rc = load_key(o, &cfg, 0)) != 0) {
            store_close();
            config_free(&cfg);
            return rc;
        }
        char token[TOKEN_LEN + 1];
        rc = tokens_add(o->args[1], role_from_name(o->role), token, err, sizeof(err));
        if (rc == 0) {
            printf("%s\n", token);
            fprintf(stderr, "cordon: token '%s' (%s) made; it is shown only now, keep it somewhere safe\n",
                    o->args[1], o->role);
        } else if (rc == 1) {
            fprintf(stderr, "cordon: a token named '%s' exists already (revoke it first)\n", o->args[1]);
        } else {
            fprintf(stderr, "cordon: %s\n", err);
        }
        rc = rc == 0 ? 0 : rc == 1 ? 1 : 2;
    } else if (!strcmp(sub, "list")) {
        if (o->nargs != 1)
            return usage_error("token list takes no argument%s", "");
        if ((rc = open_store(o, &cfg, 1)) != 0)
            return rc;
        rc = tokens_print(stdout, o->json) == 0 ? 0 : 2;
    } else if (!strcmp(sub, "revoke")) {
        if (o->nargs != 2)
            return usage_error("token revoke needs exactly one NAME%s", "");
        if ((rc = open_store(o, &cfg, 0)) != 0)
            return rc;
        if ((rc = load_key(o, &cfg, 0)) != 0) {
            store_close();
            config_free(&cfg);
            return rc;
        }
        rc = tokens_revoke(o->args[1], err, sizeof(err));
        if (rc == 0)
            fprintf(stderr, "cordon: token '%s' revoked\n", o->args[1]);
        else if (rc == 1)
            fprintf(stderr, "cordon: there is no token named '%s'\n", o->args[1]);
        else
            fprintf(stderr, "cordon: %s\n", err);
        rc = rc == 0 ? 0 : rc == 1 ? 1 : 2;
    } else {
        return usage_error("unknown token subcommand '%s'", sub);
    }
    store_close();
    config_free(&cfg);
    return rc;
}

static int cmd_audit(const char *cmd, const opts_t *o)
{
    if (o->nargs != 1 || strcmp(o->args[0], "verify") != 0)
        return usage_error("audit takes one subcommand: verify%s", "");
    uint64_t aseq;
    char ahash[65];
    if (o->head && audit_anchor_parse(o->head, &aseq, ahash) != 0)
        return usage_error("--head takes SEQ:HASH as the server log's \"audit head\" line gives it (got '%s')", o->head);
    config_t cfg;
    int rc = open_store(o, &cfg, 1);
    if (rc)
        return rc;
    if ((rc = load_key(o, &cfg, 1)) != 0) {
        store_close();
        config_free(&cfg);
        return rc;
    }
    audit_report_t *r = malloc(sizeof(*r));
    buf_t out;
    buf_init(&out);
    if (r == NULL || audit_verify_anchored(o->head, r) != 0) {
        fprintf(stderr, "cordon: cannot read the audit chain\n");
        rc = 2;
    } else {
        if (o->json)
            audit_report_json(r, &out);
        else
            audit_report_text(r, &out);
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        if (o->json)
            putchar('\n');
        rc = r->ok ? 0 : 1;
    }
    buf_free(&out);
    free(r);
    audit_key_clear();
    store_close();
    config_free(&cfg);
    return rc;
}

/* ---- against the API ---- */

typedef struct client {
    char base[1024];
    char auth[512];
    long timeout_s; /* 0: 60 s */
} client_t;

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    buf_append(arg, p, size * n);
    return size * n;
}

static int client_init(const opts_t *o, client_t *c)
{
    const char *server = o->server ? o->server : getenv("CORDON_SERVER");
    config_t cfg;
    memset(c, 0, sizeof(*c));
    /* a developer's machine has no configuration: CORDON_URL names the server */
    if ((server == NULL || !*server) && o->config == NULL && access(DEFAULT_CONFIG, R_OK) != 0)
        server = getenv("CORDON_URL");
    if (server == NULL || !*server) {
        if (load_config(o, &cfg) != 0)
            return 2;
        snprintf(c->base, sizeof(c->base), "%s", cfg.public_url);
        config_free(&cfg);
    } else {
        snprintf(c->base, sizeof(c->base), "%s", server);
    }
    size_t bl = strlen(c->base);
    while (bl && c->base[bl - 1] == '/')
        c->base[--bl] = '\0';
    char token[256] = "";
    const char *env = getenv("CORDON_TOKEN");
    if (o->token_file) {
        FILE *f = fopen(o->token_file, "r");
        if (f == NULL || fgets(token, sizeof(token), f) == NULL) {
            fprintf(stderr, "cordon: cannot read a token from %s\n", o->token_file);
            if (f)
                fclose(f);
            return 2;
        }
        fclose(f);
    } else if (env) {
        snprintf(token, sizeof(token), "%s", env);
    }
    token[strcspn(token, "\r\n \t")] = '\0';
    if (token[0])
        snprintf(c->auth, sizeof(c->auth), "Authorization: Bearer %s", token);
    return 0;
}

/* one call; *status gets the HTTP status; 0, or 2 on a transport error */
static int call(const client_t *c, const char *method, const char *path, const buf_t *body, const char *body_type,
                buf_t *out, long *status)
{
    CURL *e = curl_easy_init();
    if (e == NULL)
        return 2;
    char url[4096];
    snprintf(url, sizeof(url), "%s%s", c->base, path);
    struct curl_slist *h = NULL;
    if (c->auth[0])
        h = curl_slist_append(h, c->auth);
    h = curl_slist_append(h, "Accept: application/json");
    char ctype[100];
    snprintf(ctype, sizeof(ctype), "Content-Type: %s", body_type ? body_type : "application/json");
    if (body)
        h = curl_slist_append(h, ctype);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 60L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "cordon-cli");
    if (body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body->data ? body->data : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)body->len);
        /* cordon judges a body from its HTTP/1.1 head; over HTTP/2 (which
         * libcurl would pick for https) it takes 64 kB at most */
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    }
    CURLcode rc = curl_easy_perform(e);
    if (rc == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    else
        fprintf(stderr, "cordon: cannot reach %s: %s\n", c->base, curl_easy_strerror(rc));
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    return rc == CURLE_OK ? 0 : 2;
}

static const char *str_at(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val s = yajl_tree_get(v, path, yajl_t_any);
    if (s && YAJL_IS_STRING(s))
        return YAJL_GET_STRING(s);
    return s && YAJL_IS_NULL(s) ? "" : NULL;
}

static int true_at(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val b = yajl_tree_get(v, path, yajl_t_any);
    return b && YAJL_IS_TRUE(b);
}

static long long int_at(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val n = yajl_tree_get(v, path, yajl_t_number);
    return n && YAJL_IS_INTEGER(n) ? YAJL_GET_INTEGER(n) : 0;
}

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

/* runs the call; prints the error (exit 1) or hands the parsed answer to
 * show (or prints the raw JSON with --json) */
static int run(const opts_t *o, const char *method, const char *path, const buf_t *body,
               void (*show)(yajl_val, const opts_t *))
{
    client_t c;
    int rc = client_init(o, &c);
    if (rc)
        return rc;
    buf_t out;
    buf_init(&out);
    long status = 0;
    if ((rc = call(&c, method, path, body, NULL, &out, &status)) != 0) {
        buf_free(&out);
        return rc;
    }
    yajl_val v = yajl_tree_parse(buf_cstr(&out), NULL, 0);
    if (status < 200 || status > 299) {
        const char *msg = v ? str_at(v, "error") : NULL;
        fprintf(stderr, "cordon: the server refused (%ld): %s\n", status, msg ? msg : buf_cstr(&out));
        rc = 1;
    } else if (o->json) {
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        if (out.len && out.data[out.len - 1] != '\n')
            putchar('\n');
    } else if (v == NULL) {
        fprintf(stderr, "cordon: the server's answer is not JSON\n");
        rc = 2;
    } else {
        show(v, o);
    }
    if (v)
        yajl_tree_free(v);
    buf_free(&out);
    return rc;
}

static void url_param(buf_t *b, const char *key, const char *value)
{
    if (value == NULL)
        return;
    buf_printf(b, "%c%s=", strchr(b->data ? buf_cstr(b) : "", '?') ? '&' : '?', key);
    char *esc = curl_easy_escape(NULL, value, 0);
    buf_puts(b, esc ? esc : "");
    curl_free(esc);
}

static yajl_val array_at(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    return yajl_tree_get(v, path, yajl_t_array);
}

static void show_held(yajl_val v, const opts_t *o)
{
    yajl_val a = array_at(v, "held");
    size_t n = a ? YAJL_GET_ARRAY(a)->len : 0;
    if (n == 0) {
        printf("nothing is held\n");
        return;
    }
    printf("%-6s %-44s %-18s %-21s %8s %7s\n", "ECO", "PACKAGE@VERSION", "REASON", "ELIGIBLE", "REQUESTS", "REVIEWS");
    for (size_t i = 0; i < n; i++) {
        yajl_val e = YAJL_GET_ARRAY(a)->values[i];
        char pv[600];
        snprintf(pv, sizeof(pv), "%s@%s", or_dash(str_at(e, "package")), or_dash(str_at(e, "version")));
        yajl_val rr = array_at(e, "review_requests");
        printf("%-6s %-44s %-18s %-21s %8lld %7zu\n", or_dash(str_at(e, "ecosystem")), pv,
               or_dash(str_at(e, "reason")), or_dash(str_at(e, "eligible_at")), int_at(e, "requests"),
               rr ? YAJL_GET_ARRAY(rr)->len : 0);
        printf("       %s\n", or_dash(str_at(e, "error")));
    }
    printf("%zu held; approve one with: cordon approve ECO PKG VER --comment \"why it is safe\"\n", n);
}

static void show_review(yajl_val v, const opts_t *o)
{
    const char *kind = str_at(v, "kind");
    const char *ver = str_at(v, "version");
    int approval = kind && !strcmp(kind, "approval");
    const char *ended = str_at(v, approval ? "revoked_at" : "removed_at");
    if (ended && *ended)
        printf("%s %lld of %s %s%s%s %s at %s\n", approval ? "approval" : "block", int_at(v, "id"),
               or_dash(str_at(v, "ecosystem")), or_dash(str_at(v, "package")), ver && *ver ? "@" : "",
               ver ? ver : "", approval ? "revoked" : "lifted", ended);
    else
        printf("%s %s %s%s%s (%s %lld by %s%s%s)\n", approval ? "approved" : "blocked", or_dash(str_at(v, "ecosystem")),
               or_dash(str_at(v, "package")), ver && *ver ? "@" : "", ver && *ver ? ver : " (every version)",
               approval ? "approval" : "block", int_at(v, "id"), or_dash(str_at(v, "by")),
               approval && str_at(v, "expires_at") && *str_at(v, "expires_at") ? ", expires " : "",
               approval && str_at(v, "expires_at") ? str_at(v, "expires_at") : "");
    const char *warning = str_at(v, "warning");
    if (warning && *warning)
        fprintf(stderr, "cordon: warning: %s\n", warning);
}

static void show_decisions(yajl_val v, const opts_t *o)
{
    yajl_val a = array_at(v, "decisions");
    size_t n = a ? YAJL_GET_ARRAY(a)->len : 0;
    printf("%-24s %-6s %-44s %-6s %-18s %s\n", "TIME", "ECO", "PACKAGE@VERSION", "DEC", "REASON", "CLIENT");
    for (size_t i = 0; i < n; i++) {
        yajl_val e = YAJL_GET_ARRAY(a)->values[i];
        char pv[600];
        const char *ver = str_at(e, "version");
        snprintf(pv, sizeof(pv), "%s%s%s", or_dash(str_at(e, "package")), ver && *ver ? "@" : "", ver ? ver : "");
        printf("%-24s %-6s %-44s %-6s %-18s %s\n", or_dash(str_at(e, "time")), or_dash(str_at(e, "ecosystem")), pv,
               or_dash(str_at(e, "decision")), or_dash(str_at(e, "reason")), or_dash(str_at(e, "client")));
    }
}

static void show_reviews(yajl_val v, const opts_t *o)
{
    yajl_val a = array_at(v, "reviews");
    size_t n = a ? YAJL_GET_ARRAY(a)->len : 0;
    if (n == 0) {
        printf("no review requests\n");
        return;
    }
    printf("%-5s %-21s %-6s %-44s %s\n", "ID", "TIME", "ECO", "PACKAGE@VERSION", "JUSTIFICATION");
    for (size_t i = 0; i < n; i++) {
        yajl_val e = YAJL_GET_ARRAY(a)->values[i];
        char pv[600];
        snprintf(pv, sizeof(pv), "%s@%s", or_dash(str_at(e, "package")), or_dash(str_at(e, "version")));
        printf("%-5lld %-21s %-6s %-44s %s\n", int_at(e, "id"), or_dash(str_at(e, "time")),
               or_dash(str_at(e, "ecosystem")), pv, or_dash(str_at(e, "justification")));
    }
}

/* held, decisions, reviews: one GET, filters as query parameters */
static int cmd_list(const char *cmd, const opts_t *o)
{
    if (o->nargs != 0)
        return usage_error("%s takes no arguments (filters are options)", cmd);
    buf_t path;
    buf_init(&path);
    buf_printf(&path, "/-/api/%s", cmd);
    url_param(&path, "ecosystem", o->ecosystem);
    url_param(&path, "package", o->package);
    if (!strcmp(cmd, "decisions")) {
        char lim[16];
        snprintf(lim, sizeof(lim), "%ld", o->limit);
        url_param(&path, "limit", lim);
    }
    int rc = run(o, "GET", buf_cstr(&path), NULL,
                 !strcmp(cmd, "held") ? show_held : !strcmp(cmd, "decisions") ? show_decisions : show_reviews);
    buf_free(&path);
    return rc;
}

/* one closure node as a line: "  pkg@ver  held (quarantine, eligible …)  needed by x@y" */
static void show_node(yajl_val e)
{
    char pv[600];
    const char *ver = str_at(e, "version"), *by = str_at(e, "required_by"), *status = str_at(e, "status");
    snprintf(pv, sizeof(pv), "%s@%s", or_dash(str_at(e, "package")), ver ? ver : or_dash(str_at(e, "spec")));
    printf("  %-44s %-10s", pv, or_dash(status));
    if (status && !strcmp(status, "held"))
        printf(" %s%s", or_dash(str_at(e, "reason")), true_at(e, "approvable") ? "" : " (no approval admits it)");
    if (by && *by)
        printf("  (needed by %s)", by);
    putchar('\n');
    const char *err = str_at(e, "error");
    if (err && *err && (!status || strcmp(status, "allowed")))
        printf("      %s\n", err);
}

static void show_closure(yajl_val v, const opts_t *o)
{
    (void)o;
    yajl_val a = array_at(v, "needs_approval");
    yajl_val all = array_at(v, "closure");
    size_t n = a ? YAJL_GET_ARRAY(a)->len : 0;
    printf("%s %s@%s pulls in %lld version(s)%s; %lld held, %lld of them approvable\n", or_dash(str_at(v, "ecosystem")),
           or_dash(str_at(v, "package")), or_dash(str_at(v, "version")), int_at(v, "versions"),
           true_at(v, "truncated") ? " (truncated)" : "", int_at(v, "held"),
           int_at(v, "approvable"));
    for (size_t i = 0; i < n; i++)
        show_node(YAJL_GET_ARRAY(a)->values[i]);
    for (size_t i = 0; all && i < YAJL_GET_ARRAY(all)->len; i++) {
        yajl_val e = YAJL_GET_ARRAY(all)->values[i];
        const char *st = str_at(e, "status");
        if (st && !strcmp(st, "unresolved"))
            show_node(e);
    }
    if (n)
        printf("approve them as one change set with: cordon approve %s %s %s --with-dependencies --comment \"why it is "
               "safe\"\n",
               or_dash(str_at(v, "ecosystem")), or_dash(str_at(v, "package")), or_dash(str_at(v, "version")));
}

/* the 201 of an approval with its dependencies */
static void show_approval_set(yajl_val v, const opts_t *o)
{
    yajl_val a = array_at(v, "approvals");
    size_t n = a ? YAJL_GET_ARRAY(a)->len : 0;
    printf("approved as one change set: %s\n", or_dash(str_at(v, "change_set")));
    for (size_t i = 0; i < n; i++)
        show_review(YAJL_GET_ARRAY(a)->values[i], o);
    yajl_val na = array_at(v, "not_approvable"), un = array_at(v, "unresolved");
    for (size_t i = 0; na && i < YAJL_GET_ARRAY(na)->len; i++) {
        yajl_val e = YAJL_GET_ARRAY(na)->values[i];
        printf("not approvable: %s@%s (%s)\n", or_dash(str_at(e, "package")), or_dash(str_at(e, "version")),
               or_dash(str_at(e, "reason")));
    }
    for (size_t i = 0; un && i < YAJL_GET_ARRAY(un)->len; i++) {
        yajl_val e = YAJL_GET_ARRAY(un)->values[i];
        fprintf(stderr, "cordon: warning: %s %s: %s\n", or_dash(str_at(e, "package")),
                str_at(e, "version") ? str_at(e, "version") : or_dash(str_at(e, "spec")), or_dash(str_at(e, "error")));
    }
}

/* closure ECO PKG VER: what installing it pulls in that cordon holds */
static int cmd_closure(const char *cmd, const opts_t *o)
{
    if (o->nargs != 3)
        return usage_error("%s needs ECO PKG VER", cmd);
    buf_t path;
    buf_init(&path);
    buf_puts(&path, "/-/api/closure");
    url_param(&path, "ecosystem", o->args[0]);
    url_param(&path, "package", o->args[1]);
    url_param(&path, "version", o->args[2]);
    url_param(&path, "platform", o->platform);
    url_param(&path, "python", o->python);
    int rc = run(o, "GET", buf_cstr(&path), NULL, show_closure);
    buf_free(&path);
    return rc;
}

/* approve ECO PKG VER, block ECO PKG [VER]: one POST with the record */
static int cmd_review(const char *cmd, const opts_t *o)
{
    int approve = cmd[0] == 'a';
    if (o->nargs != 3 && (approve || o->nargs != 2))
        return usage_error(approve ? "%s needs ECO PKG VER" : "%s needs ECO PKG [VER]", cmd);
    if (o->comment == NULL)
        return usage_error("%s needs --comment saying why", cmd);
    if (!approve && o->expires)
        return usage_error("%s does not take --expires: blocks last until lifted", cmd);
    if (!approve && o->with_dependencies)
        return usage_error("%s does not take --with-dependencies: a block names one package", cmd);
    buf_t body;
    buf_init(&body);
    int first = 1;
    buf_putc(&body, '{');
    json_kv_str(&body, &first, "ecosystem", o->args[0]);
    json_kv_str(&body, &first, "package", o->args[1]);
    if (o->nargs == 3)
        json_kv_str(&body, &first, "version", o->args[2]);
    json_kv_str(&body, &first, "comment", o->comment);
    if (o->expires)
        json_kv_str(&body, &first, "expires_in", o->expires);
    if (o->with_dependencies)
        json_kv_bool(&body, &first, "with_dependencies", 1);
    buf_putc(&body, '}');
    int rc = run(o, "POST", approve ? "/-/api/approvals" : "/-/api/blocks", &body,
                 o->with_dependencies ? show_approval_set : show_review);
    buf_free(&body);
    return rc;
}

/* revoke ID, unblock ID: one DELETE */
static int cmd_end(const char *cmd, const opts_t *o)
{
    char *end;
    if (o->nargs != 1 || strtoull(o->args[0], &end, 10) == 0 || *end)
        return usage_error("%s needs the numeric ID of the record (see --json output of held/approve/block)", cmd);
    buf_t path;
    buf_init(&path);
    buf_printf(&path, "/-/api/%s/%s", !strcmp(cmd, "revoke") ? "approvals" : "blocks", o->args[0]);
    int rc = run(o, "DELETE", buf_cstr(&path), NULL, show_review);
    buf_free(&path);
    return rc;
}

/* ---- backup ---- */

static int cmd_backup(const char *cmd, const opts_t *o)
{
    if (o->nargs != 1)
        return usage_error("%s needs the directory to write the copy into (new or empty)", cmd);
    config_t cfg;
    int rc = open_store(o, &cfg, 1);
    if (rc)
        return rc;
    backup_report_t r;
    char err[1024];
    rc = backup_data_dir(cfg.data_dir, o->args[0], !o->no_blobs, &r, err, sizeof(err));
    store_close();
    if (rc != 0) {
        fprintf(stderr, "cordon: backup failed: %s\n", err);
        config_free(&cfg);
        return 1;
    }
    printf("backup of %s in %s: the store (%.1f MB, compacted)", cfg.data_dir, o->args[0],
           (double)r.store_bytes / 1048576.0);
    if (o->no_blobs)
        printf(", no blobs (--no-blobs: cordon fetches artifacts and metadata again)\n");
    else
        printf(", %llu blobs (%.1f MB; %llu hard links, %llu copies)\n", (unsigned long long)r.blobs,
               (double)r.blob_bytes / 1048576.0, (unsigned long long)r.linked, (unsigned long long)r.copied);
    printf("the audit key is not in it: keep a copy of %s apart (a restored store verifies only with it)\n",
           cfg.audit_key_file ? cfg.audit_key_file : "audit.key (beside the configuration)");
    config_free(&cfg);
    return 0;
}

/* ---- asking without a token: why, review request ---- */

/* why ECO PKG VER: the verdict and what to do; exit 0 allowed, 1 not */
static int cmd_why(const char *cmd, const opts_t *o)
{
    if (o->nargs != 3)
        return usage_error("%s needs ECO PKG VERSION", cmd);
    buf_t path, out;
    buf_init(&path);
    buf_init(&out);
    buf_puts(&path, "/-/api/verdict");
    url_param(&path, "ecosystem", o->args[0]);
    url_param(&path, "package", o->args[1]);
    url_param(&path, "version", o->args[2]);
    client_t c;
    long status = 0;
    int rc = client_init(o, &c);
    if (rc == 0)
        rc = call(&c, "GET", buf_cstr(&path), NULL, NULL, &out, &status);
    buf_free(&path);
    if (rc != 0) {
        buf_free(&out);
        return rc;
    }
    yajl_val v = yajl_tree_parse(buf_cstr(&out), NULL, 0);
    if (status != 200 || v == NULL) {
        const char *msg = v ? str_at(v, "error") : NULL;
        fprintf(stderr, "cordon: the server refused (%ld): %s\n", status, msg ? msg : buf_cstr(&out));
        rc = status == 400 ? 2 : 1;
    } else if (o->json) {
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        putchar('\n');
    }
    if (status == 200 && v) {
        const char *pathv[] = {"allow", NULL};
        yajl_val allow = yajl_tree_get(v, pathv, yajl_t_any);
        int allowed = allow && YAJL_IS_TRUE(allow);
        if (!o->json) {
            const char *reason = str_at(v, "reason"), *error = str_at(v, "error"), *alt = str_at(v, "alternative"),
                       *elig = str_at(v, "eligible_at");
            printf("%s %s@%s: %s", or_dash(str_at(v, "ecosystem")), or_dash(str_at(v, "package")),
                   or_dash(str_at(v, "version")), allowed ? "allowed" : "HELD");
            if (!allowed)
                printf(" (%s)", or_dash(reason));
            printf(" — policy %s\n", or_dash(str_at(v, "policy")));
            if (!allowed && error && *error)
                printf("  %s\n", error);
            if (!allowed && elig && *elig)
                printf("  eligible at: %s\n", elig);
            if (!allowed)
                printf("  newest allowed: %s\n", alt && *alt ? alt : "none");
            printf("  what to do: %s\n", or_dash(str_at(v, "next")));
            if (!allowed)
                printf("  review page: %s\n", or_dash(str_at(v, "review_url")));
        }
        rc = allowed ? 0 : 1;
    }
    if (v)
        yajl_tree_free(v);
    buf_free(&out);
    return rc;
}

static void show_review_request(yajl_val v, const opts_t *o)
{
    (void)o;
    printf("review request %lld for %s %s@%s filed", int_at(v, "id"), or_dash(str_at(v, "ecosystem")),
           or_dash(str_at(v, "package")), or_dash(str_at(v, "version")));
    const char *st = str_at(v, "status");
    if (st && *st)
        printf(" (%s)", st);
    printf("\n  a reviewer sees it in the queue: %s\n", or_dash(str_at(v, "review_url")));
}

static void show_review_status(yajl_val v, const opts_t *o)
{
    (void)o;
    const char *st = or_dash(str_at(v, "status")), *by = str_at(v, "decided_by"), *at = str_at(v, "decided_at");
    printf("review request %lld for %s %s@%s: %s", int_at(v, "id"), or_dash(str_at(v, "ecosystem")),
           or_dash(str_at(v, "package")), or_dash(str_at(v, "version")), st);
    if (by && *by)
        printf(" by %s", by);
    if (at && *at)
        printf(" at %s", at);
    printf("\n  filed %s: %s\n", or_dash(str_at(v, "time")), or_dash(str_at(v, "justification")));
}

/* review request ECO PKG VER --justification TEXT; review status ID */
static int cmd_review_request(const char *cmd, const opts_t *o)
{
    if (o->nargs >= 1 && strcmp(o->args[0], "status") == 0) {
        char *end;
        if (o->nargs != 2 || strtoull(o->args[1], &end, 10) == 0 || *end)
            return usage_error("%s status needs the numeric ID the request printed", cmd);
        char path[64];
        snprintf(path, sizeof(path), "/-/api/reviews/%s", o->args[1]);
        return run(o, "GET", path, NULL, show_review_status);
    }
    if (o->nargs != 4 || strcmp(o->args[0], "request") != 0)
        return usage_error("%s needs: request ECO PKG VERSION --justification TEXT, or status ID", cmd);
    if (o->justification == NULL)
        return usage_error("%s request needs --justification saying why you need this version", cmd);
    buf_t body;
    buf_init(&body);
    int first = 1;
    buf_putc(&body, '{');
    json_kv_str(&body, &first, "ecosystem", o->args[1]);
    json_kv_str(&body, &first, "package", o->args[2]);
    json_kv_str(&body, &first, "version", o->args[3]);
    json_kv_str(&body, &first, "justification", o->justification);
    buf_putc(&body, '}');
    int rc = run(o, "POST", "/-/api/reviews", &body, show_review_request);
    buf_free(&body);
    return rc;
}

/* ---- lockfile ---- */

static int read_file(const char *path, buf_t *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cordon: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, n);
    int bad = ferror(f) || out->oom;
    fclose(f);
    if (bad)
        fprintf(stderr, "cordon: cannot read %s\n", path);
    return bad ? -1 : 0;
}

static long long num_at(yajl_val v, const char *a, const char *b)
{
    const char *path[] = {a, b, NULL};
    yajl_val n = yajl_tree_get(v, path, yajl_t_number);
    return n && YAJL_IS_INTEGER(n) ? YAJL_GET_INTEGER(n) : 0;
}

static const char *verdict_at(yajl_val ch, const char *key)
{
    const char *path[] = {"verdict", key, NULL};
    yajl_val s = yajl_tree_get(ch, path, yajl_t_string);
    return s ? YAJL_GET_STRING(s) : NULL;
}

/* the readable report; returns the exit code (0 ok, 1 something held) */
static int show_lock_report(yajl_val r, const char *file)
{
    const char *project = str_at(r, "project"), *ref = str_at(r, "ref"), *format = str_at(r, "format");
    printf("%s (%s, %lld entries) for project %s%s%s, submission %lld\n", file, or_dash(format),
           num_at(r, "summary", "entries"), or_dash(project), ref && *ref ? " @ " : "", ref ? ref : "",
           int_at(r, "submission"));
    yajl_val changes = array_at(r, "changes");
    size_t n = changes ? YAJL_GET_ARRAY(changes)->len : 0;
    if (n == 0)
        printf("  no changes since the accepted lockfile\n");
    for (size_t i = 0; i < n; i++) {
        yajl_val ch = YAJL_GET_ARRAY(changes)->values[i];
        const char *kind = or_dash(str_at(ch, "change")), *from = str_at(ch, "from_version");
        const char *status = verdict_at(ch, "status");
        char what[700];
        if (from)
            snprintf(what, sizeof(what), "%s %s -> %s", or_dash(str_at(ch, "package")), from,
                     or_dash(str_at(ch, "version")));
        else
            snprintf(what, sizeof(what), "%s@%s", or_dash(str_at(ch, "package")), or_dash(str_at(ch, "version")));
        printf("  %-17s %-6s %-50s %s\n", kind, or_dash(str_at(ch, "ecosystem")), what,
               status ? (!strcmp(status, "allowed") ? "ok" : !strcmp(status, "held") ? "HELD" : "UNKNOWN") : "");
        const char *error = verdict_at(ch, "error");
        if (status && strcmp(status, "allowed") != 0 && error)
            printf("      %s\n", error);
        const char *ic = str_at(ch, "integrity_check");
        if (ic && !strcmp(ic, "mismatch"))
            printf("      lockfile: %s\n      upstream: %s\n", or_dash(str_at(ch, "integrity")),
                   or_dash(str_at(ch, "upstream_integrity")));
        yajl_val flags = array_at(ch, "flags");
        for (size_t k = 0; flags && k < YAJL_GET_ARRAY(flags)->len; k++) {
            const char *fl = YAJL_GET_STRING(YAJL_GET_ARRAY(flags)->values[k]);
            if (fl && !strcmp(fl, "integrity_changed"))
                printf("      the integrity of this exact version changed since the accepted lockfile: the bytes "
                       "would differ (now %s)\n",
                       or_dash(str_at(ch, "integrity")));
            else if (fl && !strcmp(fl, "resolved_elsewhere"))
                printf("      resolved from %s: neither cordon nor its upstream\n", or_dash(str_at(ch, "resolved")));
        }
    }
    long long held = num_at(r, "summary", "held"), unknown = num_at(r, "summary", "unknown"),
              integ = num_at(r, "summary", "integrity_changed"), away = num_at(r, "summary", "resolved_elsewhere");
    const char *okp[] = {"ok", NULL};
    yajl_val ok = yajl_tree_get(r, okp, yajl_t_any);
    if (ok && YAJL_IS_TRUE(ok)) {
        printf("result: ok — %lld added, %lld upgraded, %lld downgraded, %lld removed; this is now the accepted "
               "lockfile\n",
               num_at(r, "summary", "added"), num_at(r, "summary", "upgraded"), num_at(r, "summary", "downgraded"),
               num_at(r, "summary", "removed"));
        return 0;
    }
    long long mismatch = num_at(r, "summary", "integrity_mismatch"), missing = num_at(r, "summary", "not_found"),
              failed = num_at(r, "fetch", "failed"),
              late = num_at(r, "fetch", "unfinished") + num_at(r, "fetch", "unstarted");
    printf("result: FAILED — %lld held, %lld unknown, %lld integrity changes, %lld resolved elsewhere.\n", held,
           unknown, integ, away);
    if (mismatch || missing)
        printf("  of the held: %lld with an integrity upstream does not publish, %lld not published upstream: no "
               "approval fixes these, the lockfile must change\n",
               mismatch, missing);
    if (failed || late) {
        const char *ep[] = {"fetch", "errors", NULL};
        yajl_val errs = yajl_tree_get(r, ep, yajl_t_array);
        yajl_val e0 = errs && YAJL_GET_ARRAY(errs)->len ? YAJL_GET_ARRAY(errs)->values[0] : NULL;
        fprintf(stderr,
                "cordon: the upstream failed for %lld metadata documents and %lld did not arrive in time; their "
                "entries are UNKNOWN%s%s\n",
                failed, late, e0 ? ", e.g. " : "", e0 ? or_dash(str_at(e0, "error")) : "");
    }
    printf("what to do: pin an allowed version (the error lines name one), wait until the eligible time, or ask a "
           "reviewer to approve the change set:\n  cordon lockfile approve %s %lld --comment \"why it is safe\"\n",
           or_dash(project), int_at(r, "submission"));
    return 1;
}

static int cmd_lockfile(const char *cmd, const opts_t *o)
{
    if (o->nargs < 1)
        return usage_error("lockfile needs a subcommand: check, history or approve%s", "");
    const char *sub = o->args[0];
    client_t c;
    buf_t path, body, out;
    buf_init(&path);
    buf_init(&body);
    buf_init(&out);
    int rc;
    long status = 0;
    if (!strcmp(sub, "check")) {
        if (o->nargs != 2 || o->project == NULL) {
            rc = usage_error("lockfile check needs FILE and --project P%s", "");
            goto out;
        }
        if ((rc = client_init(o, &c)) != 0)
            goto out;
        if (read_file(o->args[1], &body) != 0) {
            rc = 2;
            goto out;
        }
        c.timeout_s = 900; /* the server fetches what it has not seen (fetch.lockfile_deadline) */
        char *p = curl_easy_escape(NULL, o->project, 0);
        buf_printf(&path, "/-/api/lockfiles/%s", p ? p : "");
        curl_free(p);
        url_param(&path, "ref", o->ref);
        url_param(&path, "format", o->format);
        if ((rc = call(&c, "POST", buf_cstr(&path), &body, "text/plain", &out, &status)) != 0)
            goto out;
    } else if (!strcmp(sub, "history") || !strcmp(sub, "approve")) {
        int approve = sub[0] == 'a';
        if (o->nargs != (approve ? 3 : 2) || (approve && o->comment == NULL)) {
            rc = usage_error(approve ? "lockfile approve needs PROJECT ID and --comment%s"
                                     : "lockfile history needs PROJECT%s",
                             "");
            goto out;
        }
        if ((rc = client_init(o, &c)) != 0)
            goto out;
        char *p = curl_easy_escape(NULL, o->args[1], 0);
        buf_printf(&path, "/-/api/lockfiles/%s", p ? p : "");
        curl_free(p);
        if (approve) {
            buf_printf(&path, "/%s/approve", o->args[2]);
            int first = 1;
            buf_putc(&body, '{');
            json_kv_str(&body, &first, "comment", o->comment);
            if (o->expires)
                json_kv_str(&body, &first, "expires_in", o->expires);
            buf_putc(&body, '}');
        }
        if ((rc = call(&c, approve ? "POST" : "GET", buf_cstr(&path), approve ? &body : NULL, NULL, &out, &status)) !=
            0)
            goto out;
    } else {
        rc = usage_error("unknown lockfile subcommand '%s'", sub);
        goto out;
    }
    yajl_val v = yajl_tree_parse(buf_cstr(&out), NULL, 0);
    if (status < 200 || status > 299) {
        const char *msg = v ? str_at(v, "error") : NULL;
        if (!strcmp(sub, "check") && status == 400)
            fprintf(stderr, "cordon: %s: %s\n", o->args[1], msg ? msg : buf_cstr(&out));
        else
            fprintf(stderr, "cordon: the server refused (%ld): %s\n", status, msg ? msg : buf_cstr(&out));
        /* an unreadable lockfile is an error (2); a refusal (401, 403, 404) is a failed check (1) */
        rc = (!strcmp(sub, "check") && (status == 400 || status >= 500)) ? 2 : 1;
    } else if (v == NULL) {
        fprintf(stderr, "cordon: the server's answer is not JSON\n");
        rc = 2;
    } else if (!strcmp(sub, "check")) {
        const char *okp[] = {"ok", NULL};
        yajl_val ok = yajl_tree_get(v, okp, yajl_t_any);
        if (o->json) {
            fwrite(out.data, 1, out.len, stdout);
            putchar('\n');
            rc = ok && YAJL_IS_TRUE(ok) ? 0 : 1;
        } else {
            rc = show_lock_report(v, o->args[1]);
        }
    } else {
        fwrite(out.data, 1, out.len, stdout); /* history, approve: the API's JSON */
        putchar('\n');
        rc = 0;
    }
    if (v)
        yajl_tree_free(v);
out:
    buf_free(&path);
    buf_free(&body);
    buf_free(&out);
    return rc;
}

/* ---- the commands ---- */

typedef struct command {
    const char *name;
    int remote; /* talks to a running server: libcurl is set up around it */
    int (*run)(const char *cmd, const opts_t *o);
    const char *usage; /* its lines of the usage text: a printf format, its one %s the lockfile formats */
    const char *example; /* one typical use, shown by --help: a printf format, its one %s an ecosystem's name */
} command_t;

static const command_t COMMANDS[] = {
    {"token", 0, cmd_token,
     "  cordon token add NAME --role reviewer|auditor|ci [--data-dir DIR]\n"
     "  cordon token list [--json] | token revoke NAME     [--data-dir DIR]\n",
     "cordon token add alice --role reviewer --config /etc/cordon/cordon.yaml"},
    {"audit", 0, cmd_audit,
     "  cordon audit verify [--config FILE | --key-file FILE] [--data-dir DIR] [--head SEQ:HASH] [--json]\n",
     "cordon audit verify --config /etc/cordon/cordon.yaml --head 1234:9f2c…"},
    {"backup", 0, cmd_backup,
     "  cordon backup DIR [--config FILE | --data-dir DIR] [--no-blobs]   hot copy; the server may run\n",
     "cordon backup /var/backups/cordon/2026-12-07 --config /etc/cordon/cordon.yaml"},
    {"held", 1, cmd_list, "  cordon held [--ecosystem E] [--package P]\n",
     "cordon held --ecosystem %s"},
    {"approve", 1, cmd_review, "  cordon approve ECO PKG VER --comment TEXT [--expires 7d] [--with-dependencies]\n",
     "cordon approve %s left-pad 1.4.0 --comment \"diff reviewed\" --expires 30days"},
    {"closure", 1, cmd_closure, "  cordon closure ECO PKG VER [--platform linux|macos|windows] [--python 3.11]\n",
     "cordon closure %s next 16.5.0"},
    {"revoke", 1, cmd_end, "  cordon revoke ID\n",
     "cordon revoke 17"},
    {"block", 1, cmd_review, "  cordon block ECO PKG [VER] --comment TEXT\n",
     "cordon block %s left-pad-js --comment \"typosquat of left-pad\""},
    {"unblock", 1, cmd_end, "  cordon unblock ID\n",
     "cordon unblock 18"},
    {"decisions", 1, cmd_list, "  cordon decisions [--ecosystem E] [--package P] [--limit N]\n",
     "cordon decisions --package left-pad --limit 20"},
    {"reviews", 1, cmd_list, "  cordon reviews\n",
     "cordon reviews --json"},
    {"why", 1, cmd_why, "  cordon why ECO PKG VERSION [--url URL] [--json]           (no token)\n",
     "CORDON_URL=http://cordon.internal:7878 cordon why %s left-pad 1.4.0"},
    {"review", 1, cmd_review_request,
     "  cordon review request ECO PKG VERSION --justification TEXT [--url URL]   (no token)\n"
     "  cordon review status ID [--url URL]                      (no token)\n",
     "cordon review request %s left-pad 1.4.0 --justification \"fixes CVE-2026-1234\""},
    {"lockfile", 1, cmd_lockfile,
     "  cordon lockfile check FILE --project P [--ref R] [--format %s]\n"
     "  cordon lockfile history P | lockfile approve P ID --comment TEXT [--expires 7d]\n",
     "cordon lockfile check package-lock.json --project web --ref \"$GIT_SHA\""},
};
#define NCOMMANDS (sizeof(COMMANDS) / sizeof(COMMANDS[0]))

static const char REMOTE_NOTE[] =
    "    (these talk to a running server: --url URL (or --server) or $CORDON_SERVER, else the config's\n"
    "     public_url, else $CORDON_URL;\n"
    "     token from $CORDON_TOKEN or --token-file FILE; --json prints the API's answer)\n";

static const command_t *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, COMMANDS[i].name) == 0)
            return &COMMANDS[i];
    return NULL;
}

int admin_cli_owns(const char *cmd) { return find(cmd) != NULL; }

static void print_usage(FILE *out, const command_t *c)
{
    char formats[200];
    lock_format_names(formats, sizeof(formats), "|");
    fprintf(out, c->usage, formats);
}

void admin_cli_usage(void *out)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        print_usage(out, &COMMANDS[i]);
    fputs(REMOTE_NOTE, out);
}

int admin_cli_main(int argc, char **argv)
{
    opts_t o;
    const command_t *c = find(argv[0]);
    if (c == NULL)
        return usage_error("unknown command '%s'", argv[0]);
    if (parse(argc, argv, &o) != 0)
        return 2;
    if (o.help) {
        printf("usage:\n");
        print_usage(stdout, c);
        if (c->example) { /* its one %s, if any: the first ecosystem's name */
            printf("example:\n  $ ");
            printf(c->example, eco_name((eco_id_t)0));
            putchar('\n');
        }
        fputs(c->remote ? REMOTE_NOTE : "", stdout);
        return 0;
    }
    if (!c->remote)
        return c->run(c->name, &o);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = c->run(c->name, &o);
    curl_global_cleanup();
    return rc;
}
