/* mcp_tools: the agents' tools (see mcp_tools.h). Each answers with the
 * documents the admin API answers for the same question (the verdict of
 * GET /-/api/verdict, a lockfile report, a decision record, a review
 * request), so an agent and a person read the same facts. */
#include "admin/mcp_tools.h"

#include <stdio.h>
#include <string.h>

#include "admin/mcp_rpc.h"
#include "admin/review_filing.h"
#include "admin/target.h"
#include "admin/views.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "core/ecosystem.h"
#include "core/lockfile.h"
#include "journal/chain_scan.h"
#include "journal/decision_log.h"
#include "review/lockfiles.h"
#include "review/range.h"

/* the most of the decision log explain_denial reads, newest first */
#define EXPLAIN_SCAN_MAX 500000
/* problem lines check_lockfile's text lists (the structured report has them all) */
#define LOCK_TEXT_LINES 20

void mcp_outcome_init(mcp_outcome_t *o)
{
    memset(o, 0, sizeof(*o));
    buf_init(&o->structured);
    buf_init(&o->text);
}

void mcp_outcome_free(mcp_outcome_t *o)
{
    buf_free(&o->structured);
    buf_free(&o->text);
}

static void fail(mcp_outcome_t *o, const char *msg)
{
    o->is_error = 1;
    buf_reset(&o->structured);
    buf_reset(&o->text);
    buf_puts(&o->text, msg);
}

/* ecosystem, package and version from the arguments: 0, or -1 after fail() */
static int read_target(const mcp_call_t *c, int version_req, target_t *t, mcp_outcome_t *o)
{
    int ok_e, ok_p, ok_v;
    const char *eco = rpc_param_str(c->args, "ecosystem", &ok_e), *pkg = rpc_param_str(c->args, "package", &ok_p),
               *ver = rpc_param_str(c->args, "version", &ok_v);
    char err[300];
    if (!ok_e || !ok_p) {
        fail(o, "'ecosystem' and 'package' must be strings");
        return -1;
    }
    int vr = !ok_v ? -1 : ver != NULL;
    if (target_check(eco, pkg, vr, ver, version_req, t, err, sizeof(err)) != 0) {
        fail(o, err);
        return -1;
    }
    snprintf(o->ecosystem, sizeof(o->ecosystem), "%s", eco_name(t->eco));
    snprintf(o->package, sizeof(o->package), "%s", t->package);
    snprintf(o->version, sizeof(o->version), "%s", t->version);
    return 0;
}

/* ---- check_package ---- */

static void check_version(const mcp_call_t *c, const target_t *t, mcp_outcome_t *o)
{
    lockfile_judged_t v;
    if (lockfiles_judge_version(c->cfg, t->eco, t->package, t->version, &v) != 0) {
        fail(o, "out of memory: ask again");
        return;
    }
    view_verdict(c->cfg->public_url, t->eco, t->package, t->version, &v, c->request_id, &o->structured);
    view_verdict_text(t->eco, t->package, t->version, &v, &o->text);
    if (v.status != LOCK_ALLOWED)
        snprintf(o->reason, sizeof(o->reason), "%s", v.status == LOCK_UNKNOWN ? "unknown" : reason_name(v.reason));
    lockfile_judged_free(&v);
}

/* a range: the version the client gets and the newer ones held (review/range.h) */
static void check_range(const mcp_call_t *c, const target_t *t, const char *spec, mcp_outcome_t *o)
{
    range_result_t r;
    if (range_resolve(c->cfg, t->eco, t->package, spec, &r) != 0) {
        fail(o, "out of memory: ask again");
        return;
    }
    if (r.error) {
        fail(o, r.error);
        range_result_free(&r);
        return;
    }
    const char *en = eco_name(t->eco), *pub = c->cfg->public_url;
    buf_t *s = &o->structured, *x = &o->text;
    int first = 1, unknown = r.pick.version == NULL && r.nheld && r.held[0].v.status == LOCK_UNKNOWN;
    buf_putc(s, '{');
    json_kv_bool(s, &first, "allow", r.pick.version != NULL);
    json_kv_str(s, &first, "status", r.pick.version ? "allowed" : unknown ? "unknown" : "held");
    json_kv_str(s, &first, "ecosystem", en);
    json_kv_str(s, &first, "package", t->package);
    json_kv_str(s, &first, "range", spec);
    if (r.pick.version)
        json_kv_str(s, &first, "version", r.pick.version);
    else
        json_kv_raw(s, &first, "version", "null", 4);
    json_kv_int(s, &first, "satisfying", (int64_t)r.satisfying);
    json_kv_bool(s, &first, "truncated", r.truncated);
    json_kv_raw(s, &first, "resolved", "", 0);
    if (r.pick.version)
        view_verdict(pub, t->eco, t->package, r.pick.version, &r.pick.v, c->request_id, s);
    else
        buf_puts(s, "null");
    json_kv_raw(s, &first, "held_newer", "[", 1);
    for (size_t i = 0; i < r.nheld; i++) {
        if (i)
            buf_putc(s, ',');
        view_verdict(pub, t->eco, t->package, r.held[i].version, &r.held[i].v, c->request_id, s);
    }
    buf_putc(s, ']');
    /* what to do: install the pick, or what the newest held one says */
    buf_t next;
    buf_init(&next);
    if (r.pick.version) {
        buf_printf(x, "range '%s' of %s %s: cordon serves %s", spec, en, t->package, r.pick.version);
        buf_printf(&next, "install %s@%s (the client resolves the range to it)", t->package, r.pick.version);
    } else {
        buf_printf(x, "range '%s' of %s %s: no version inside it is served now%s", spec, en, t->package,
                   r.truncated ? " (the newest " : "");
        if (r.truncated)
            buf_printf(x, "%d were judged)", RANGE_JUDGED_MAX);
        if (r.nheld)
            view_verdict_text(t->eco, t->package, r.held[0].version, &r.held[0].v, &next);
        snprintf(o->reason, sizeof(o->reason), "%s", unknown ? "unknown" : r.nheld ? reason_name(r.held[0].v.reason) : "");
    }
    for (size_t i = 0; i < r.nheld; i++)
        buf_printf(x, "%s %s (%s)", i ? "," : "; newer, held:", r.held[i].version,
                   r.held[i].v.status == LOCK_UNKNOWN ? "unknown" : reason_name(r.held[i].v.reason));
    buf_printf(x, ". Next: %s", buf_cstr(&next));
    json_kv_str(s, &first, "next", buf_cstr(&next));
    json_kv_str(s, &first, "request_id", c->request_id);
    buf_putc(s, '}');
    buf_free(&next);
    snprintf(o->version, sizeof(o->version), "%s", r.pick.version ? r.pick.version : "");
    range_result_free(&r);
}

static void check_package(const mcp_call_t *c, mcp_outcome_t *o)
{
    int ok;
    const char *spec = rpc_param_str(c->args, "range", &ok);
    if (!ok) {
        fail(o, "'range' must be a string (such as ^1.2.0, >=2,<3 or [1.0,2.0))");
        return;
    }
    int has_version = c->args && yajl_tree_get(c->args, (const char *[]){"version", NULL}, yajl_t_any) != NULL;
    if (spec != NULL && has_version) {
        fail(o, "give 'version' (one version) or 'range' (what a manifest asks for), not both");
        return;
    }
    if (spec != NULL && (strlen(spec) > 1000 || strchr(spec, '\n'))) {
        fail(o, "'range' is one line of at most 1000 bytes");
        return;
    }
    target_t t;
    if (read_target(c, spec == NULL, &t, o) != 0) {
        if (spec == NULL && !has_version && strstr(buf_cstr(&o->text), "'version' is required"))
            fail(o, "give 'version' (one version) or 'range' (what a manifest asks for, such as ^1.2.0)");
        return;
    }
    if (spec == NULL)
        check_version(c, &t, o);
    else
        check_range(c, &t, spec, o);
}

/* ---- check_lockfile ---- */

static yajl_val get(yajl_val obj, const char *key, yajl_type type)
{
    const char *path[] = {key, NULL};
    return obj ? yajl_tree_get(obj, path, type) : NULL;
}

static long long get_int(yajl_val obj, const char *key)
{
    yajl_val v = get(obj, key, yajl_t_number);
    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static const char *get_s(yajl_val obj, const char *key)
{
    yajl_val v = get(obj, key, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : "";
}

/* the report in a few lines: the verdict, the counts, the first problems */
static void lockfile_text(const char *report, buf_t *out)
{
    yajl_val r = yajl_tree_parse(report, NULL, 0);
    if (r == NULL) {
        buf_puts(out, "the report could not be summarised: read structuredContent");
        return;
    }
    yajl_val sum = get(r, "summary", yajl_t_object), changes = get(r, "changes", yajl_t_array);
    int ok = get(r, "ok", yajl_t_true) != NULL;
    buf_printf(out, "%s: %lld entries, %lld held, %lld unknown, %lld added, %lld upgraded", ok ? "ok" : "not ok",
               get_int(sum, "entries"), get_int(sum, "held"), get_int(sum, "unknown"), get_int(sum, "added"),
               get_int(sum, "upgraded"));
    size_t listed = 0, problems = 0;
    for (size_t i = 0; changes && i < YAJL_GET_ARRAY(changes)->len; i++) {
        yajl_val ch = YAJL_GET_ARRAY(changes)->values[i];
        const char *err = get_s(get(ch, "verdict", yajl_t_object), "error");
        if (!err[0])
            continue;
        problems++;
        if (listed++ < LOCK_TEXT_LINES)
            buf_printf(out, "\n- %s %s@%s: %s", get_s(ch, "ecosystem"), get_s(ch, "package"), get_s(ch, "version"),
                       err);
    }
    if (problems > LOCK_TEXT_LINES)
        buf_printf(out, "\n(and %zu more in structuredContent.changes)", problems - LOCK_TEXT_LINES);
    if (!ok)
        buf_puts(out, "\nFor a held entry: pin the alternative the entry names, or file a review request "
                      "(request_review).");
    yajl_tree_free(r);
}

static void check_lockfile(const mcp_call_t *c, mcp_outcome_t *o)
{
    int ok_c, ok_f, ok_p;
    const char *content = rpc_param_str(c->args, "content", &ok_c), *fmt = rpc_param_str(c->args, "format", &ok_f),
               *project = rpc_param_str(c->args, "project", &ok_p);
    char names[200], err[480];
    lock_format_names(names, sizeof(names), ", ");
    if (!ok_c || content == NULL || target_blank(content)) {
        fail(o, "'content' is required: the lockfile's text, whole");
        return;
    }
    int f = LOCK_AUTO;
    if (!ok_f || (fmt && (f = lock_format_from_name(fmt)) < 0)) {
        snprintf(err, sizeof(err), "'format' is one of %s (or leave it out: cordon detects it)", names);
        fail(o, err);
        return;
    }
    if (!ok_p || (project && !lockfiles_project_valid(project))) {
        fail(o, "'project' (optional: a project whose accepted lockfile to diff against) is 1-200 of letters, "
                "digits and . _ ~ @ / -");
        return;
    }
    lockfile_submit_t sub = {.project = project,
                             .ref = "",
                             .format = (lock_format_t)f,
                             .body = content,
                             .len = strlen(content),
                             .by = "mcp",
                             .client = c->client,
                             .dry_run = 1};
    lockfiles_result_t rc = lockfiles_check(c->cfg, &sub, view_lockfile_report, &o->structured, err, sizeof(err));
    if (rc != LOCKFILES_OK) {
        fail(o, rc == LOCKFILES_UNREADABLE ? err : "the check could not be made; ask again in a few seconds");
        return;
    }
    lockfile_text(buf_cstr(&o->structured), &o->text);
}

/* ---- explain_denial ---- */

typedef struct found {
    buf_t rec;
    int n;
} found_t;

static void keep_record(void *arg, long i, const char *rec, size_t len)
{
    (void)i;
    found_t *f = arg;
    if (f->n++ == 0)
        buf_append(&f->rec, rec, len);
}

static void explain_denial(const mcp_call_t *c, mcp_outcome_t *o)
{
    int ok;
    const char *rid = rpc_param_str(c->args, "request_id", &ok);
    if (!ok || rid == NULL || target_blank(rid) || strlen(rid) >= 40) {
        fail(o, "'request_id' is required: the request_id member of a denial's body (or its X-Request-Id header)");
        return;
    }
    decision_log_flush(); /* a denial a moment old may still be queued */
    found_t f = {.n = 0};
    buf_init(&f.rec);
    chain_filter_t filter = {.only_decisions = 1,
                             .request_id = rid,
                             .since = TIME_NONE,
                             .limit = 1,
                             .scan_max = EXPLAIN_SCAN_MAX};
    chain_page_t page;
    if (chain_scan(&filter, keep_record, &f, &page) != 0) {
        buf_free(&f.rec);
        fail(o, "cordon's store cannot be read now; ask again in a few seconds");
        return;
    }
    buf_t *s = &o->structured;
    if (f.n == 0) {
        buf_printf(s, "{\"found\":false,\"request_id\":");
        json_cstr(s, rid);
        buf_puts(s, "}");
        buf_printf(&o->text,
                   "no decision of cordon's is recorded for request %s (looked at the newest %d records): check "
                   "the id; a metadata request that only hid versions records none",
                   rid, EXPLAIN_SCAN_MAX);
        buf_free(&f.rec);
        return;
    }
    yajl_val rec = yajl_tree_parse(buf_cstr(&f.rec), NULL, 0);
    const char *eco = get_s(rec, "ecosystem"), *pkg = get_s(rec, "package"), *ver = get_s(rec, "version");
    buf_puts(s, "{\"found\":true,\"decision\":");
    buf_append(s, f.rec.data, f.rec.len);
    buf_printf(&o->text, "request %s at %s: %s %s %s@%s", rid, get_s(rec, "time"), get_s(rec, "decision"), eco, pkg,
               ver);
    if (get_s(rec, "reason")[0])
        buf_printf(&o->text, " (%s; rule: %s)", get_s(rec, "reason"), get_s(rec, "rule"));
    else if (get_s(rec, "detail")[0])
        buf_printf(&o->text, " (%s)", get_s(rec, "detail"));
    /* what it would be now, and what to do */
    int e = eco[0] ? eco_from_name(eco, strlen(eco)) : -1;
    lockfile_judged_t v;
    if (e >= 0 && ecosystems[e] && pkg[0] && ver[0] &&
        lockfiles_judge_version(c->cfg, (eco_id_t)e, pkg, ver, &v) == 0) {
        buf_puts(s, ",\"now\":");
        view_verdict(c->cfg->public_url, (eco_id_t)e, pkg, ver, &v, c->request_id, s);
        buf_puts(&o->text, ". Now: ");
        view_verdict_text((eco_id_t)e, pkg, ver, &v, &o->text);
        lockfile_judged_free(&v);
    } else {
        buf_puts(s, ",\"now\":null");
    }
    buf_putc(s, '}');
    snprintf(o->ecosystem, sizeof(o->ecosystem), "%s", eco);
    snprintf(o->package, sizeof(o->package), "%s", pkg);
    snprintf(o->version, sizeof(o->version), "%s", ver);
    if (rec)
        yajl_tree_free(rec);
    buf_free(&f.rec);
}

/* ---- request_review ---- */

static void request_review(const mcp_call_t *c, mcp_outcome_t *o)
{
    target_t t;
    if (read_target(c, 1, &t, o) != 0)
        return;
    int ok;
    const char *why = rpc_param_str(c->args, "justification", &ok);
    if (!ok || why == NULL || target_blank(why) || strlen(why) > 2000) {
        fail(o, "'justification' is required (at most 2000 bytes): say why the project needs this version");
        return;
    }
    char err[400];
    int wait;
    switch (review_filing_add(&t, why, c->client, c->user_agent, &o->structured, &wait, err, sizeof(err))) {
    case FILING_STORED: {
        yajl_val r = yajl_tree_parse(buf_cstr(&o->structured), NULL, 0);
        buf_printf(&o->text,
                   "review request %lld filed for %s %s@%s (status %s); reviewers see it in the held queue: %s. Ask "
                   "check_package again later, or install the alternative meanwhile.",
                   get_int(r, "id"), eco_name(t.eco), t.package, t.version, get_s(r, "status"), get_s(r, "review_url"));
        if (r)
            yajl_tree_free(r);
        return;
    }
    case FILING_RATE_LIMITED:
    case FILING_NOT_STORED: fail(o, err); return;
    }
}

/* ---- the table ---- */

/* Schemas and descriptions are templates: only ecosystems/ names the
 * ecosystems, so their names, how each writes a package name and the
 * lockfile formats are filled in from its table when tools/list is answered
 * (expand): @ECOSYSTEMS@ a JSON array of names, @ECO_LIST@ the names as
 * prose, @NAME_FORMS@ how names are written, @FORMATS@ the lockfile formats. */
#define TARGET_PROPS                                                                                                  \
    "\"ecosystem\":{\"type\":\"string\",\"enum\":@ECOSYSTEMS@},"                                                 \
    "\"package\":{\"type\":\"string\",\"description\":\"the package's name as its ecosystem writes it"          \
    "@NAME_FORMS@\"},"
#define NULLABLE_STR "{\"type\":[\"string\",\"null\"]}"
/* the verdict object (view_verdict): also explain_denial's "now" */
#define VERDICT_SCHEMA                                                                                                \
    "{\"type\":\"object\",\"required\":[\"allow\",\"status\",\"ecosystem\",\"package\",\"version\",\"next\"],"      \
    "\"properties\":{\"allow\":{\"type\":\"boolean\"},\"status\":{\"type\":\"string\",\"enum\":[\"allowed\","       \
    "\"held\",\"unknown\"]},\"error\":" NULLABLE_STR ",\"reason\":" NULLABLE_STR                                     \
    ",\"ecosystem\":{\"type\":\"string\"},\"package\":{\"type\":\"string\"},\"version\":{\"type\":\"string\"},"     \
    "\"published_at\":" NULLABLE_STR ",\"eligible_at\":" NULLABLE_STR ",\"policy\":{\"type\":\"string\"},"          \
    "\"alternative\":" NULLABLE_STR ",\"next\":{\"type\":\"string\"},\"request_id\":{\"type\":\"string\"},"         \
    "\"review_url\":{\"type\":\"string\"}}}"

/* check_package: a verdict (version), or for a range the version the client
 * gets (resolved, null when none is served) and the newer held ones */
#define CHECK_SCHEMA                                                                                                  \
    "{\"type\":\"object\",\"required\":[\"allow\",\"status\",\"ecosystem\",\"package\",\"version\",\"next\"],"      \
    "\"properties\":{\"allow\":{\"type\":\"boolean\"},\"status\":{\"type\":\"string\",\"enum\":[\"allowed\","       \
    "\"held\",\"unknown\"]},\"ecosystem\":{\"type\":\"string\"},\"package\":{\"type\":\"string\"},\"version\":"  \
    NULLABLE_STR ",\"range\":{\"type\":\"string\"},\"next\":{\"type\":\"string\"},\"reason\":" NULLABLE_STR     \
    ",\"alternative\":" NULLABLE_STR ",\"eligible_at\":" NULLABLE_STR ",\"satisfying\":{\"type\":\"integer\"},"  \
    "\"resolved\":{\"anyOf\":[" VERDICT_SCHEMA ",{\"type\":\"null\"}]},\"held_newer\":{\"type\":\"array\","      \
    "\"items\":" VERDICT_SCHEMA "}}}"

typedef struct tool {
    const char *name, *title, *description;
    const char *input_schema, *output_schema; /* JSON text */
    int read_only;                            /* annotations.readOnlyHint */
    void (*run)(const mcp_call_t *c, mcp_outcome_t *o);
} tool_t;

static const tool_t TOOLS[] = {
    {.name = "check_package",
     .title = "Check a package version before installing it",
     .description = "Whether cordon serves one version of a package (@ECO_LIST@), and if not why "
                    "(quarantine window, malware advisory, install script, typosquat, block), when it is served by "
                    "itself (eligible_at), which version to install instead (alternative) and what to do next; "
                    "or, for a range, the version the client gets and every newer one inside it that is held. Ask "
                    "before you install, pin or add a dependency.",
     .input_schema = "{\"type\":\"object\",\"properties\":{" TARGET_PROPS
                     "\"version\":{\"type\":\"string\",\"description\":\"one exact version\"},"
                     "\"range\":{\"type\":\"string\",\"description\":\"instead of version: what a manifest "
                     "asks for, as its client reads it (^1.2.0, latest, >=2,<3, [1.0,2.0)); the answer is the "
                     "version the client gets and every newer one inside the range that is held\"}},"
                     "\"required\":[\"ecosystem\",\"package\"]}",
     .output_schema = CHECK_SCHEMA,
     .read_only = 1,
     .run = check_package},
    {.name = "check_lockfile",
     .title = "Check a lockfile",
     .description = "Judges every entry of a lockfile (formats: @FORMATS@) as cordon's CI gate would: held "
                    "versions with their reasons and alternatives, integrity pins that do not match upstream. Stores "
                    "nothing.",
     .input_schema = "{\"type\":\"object\",\"properties\":{\"content\":{\"type\":\"string\",\"description\":\"the "
                     "lockfile's text, whole\"},\"format\":{\"type\":\"string\",\"description\":\"leave out to "
                     "detect it\"},\"project\":{\"type\":\"string\",\"description\":\"a project whose accepted "
                     "lockfile to diff against (optional)\"}},\"required\":[\"content\"]}",
     .output_schema = "{\"type\":\"object\",\"required\":[\"ok\",\"summary\",\"changes\"],\"properties\":{\"ok\":{"
                      "\"type\":\"boolean\"},\"format\":{\"type\":\"string\"},\"summary\":{\"type\":\"object\"},"
                      "\"changes\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"changes_omitted\":{"
                      "\"type\":\"integer\"},\"fetch\":{\"type\":\"object\"}}}",
     .read_only = 1,
     .run = check_lockfile},
    {.name = "explain_denial",
     .title = "Explain a denial",
     .description = "What cordon decided for one request, from its decision log (what was asked, when, the rule, "
                    "the reason) and what it would decide now with what to do next. request_id is in every denial "
                    "cordon answers (the body's request_id, the X-Request-Id header).",
     .input_schema = "{\"type\":\"object\",\"properties\":{\"request_id\":{\"type\":\"string\"}},"
                     "\"required\":[\"request_id\"]}",
     .output_schema = "{\"type\":\"object\",\"required\":[\"found\"],\"properties\":{\"found\":{\"type\":"
                      "\"boolean\"},\"request_id\":{\"type\":\"string\"},\"decision\":{\"type\":\"object\"},"
                      "\"now\":{\"anyOf\":[" VERDICT_SCHEMA ",{\"type\":\"null\"}]}}}",
     .read_only = 1,
     .run = explain_denial},
    {.name = "request_review",
     .title = "Ask a reviewer to admit a held version",
     .description = "Files a review request for a held version with your justification; reviewers see it in "
                    "cordon's held queue. Returns the request's id and status (open, approved, blocked, expired). "
                    "Rate-limited per client.",
     .input_schema = "{\"type\":\"object\",\"properties\":{" TARGET_PROPS
                     "\"version\":{\"type\":\"string\"},\"justification\":{\"type\":\"string\",\"description\":"
                     "\"why the project needs this version\"}},\"required\":[\"ecosystem\",\"package\","
                     "\"version\",\"justification\"]}",
     .output_schema = "{\"type\":\"object\",\"required\":[\"id\",\"status\"],\"properties\":{\"id\":{\"type\":"
                      "\"integer\"},\"status\":{\"type\":\"string\"},\"ecosystem\":{\"type\":\"string\"},\"package\":"
                      "{\"type\":\"string\"},\"version\":{\"type\":\"string\"},\"review_url\":{\"type\":\"string\"}}}",
     .read_only = 0,
     .run = request_review},
};
#define NTOOLS (sizeof(TOOLS) / sizeof(TOOLS[0]))

static const tool_t *find(const char *name)
{
    for (size_t i = 0; name && i < NTOOLS; i++)
        if (strcmp(TOOLS[i].name, name) == 0)
            return &TOOLS[i];
    return NULL;
}

int mcp_tool_exists(const char *name) { return find(name) != NULL; }

/* tmpl with its @…@ fields filled in (see TARGET_PROPS) */
static void expand(const char *tmpl, buf_t *out)
{
    buf_reset(out);
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "@ECOSYSTEMS@", 12) == 0) {
            int n = 0;
            buf_putc(out, '[');
            for (int i = 0; i < ECO_COUNT; i++)
                if (ecosystems[i]) {
                    if (n++)
                        buf_putc(out, ',');
                    json_cstr(out, ecosystems[i]->name);
                }
            buf_putc(out, ']');
            p += 12;
        } else if (strncmp(p, "@ECO_LIST@", 10) == 0) {
            char names[100];
            buf_puts(out, eco_names_join(names, sizeof(names), "", " or "));
            p += 10;
        } else if (strncmp(p, "@NAME_FORMS@", 12) == 0) {
            for (int i = 0; i < ECO_COUNT; i++)
                if (ecosystems[i] && ecosystems[i]->name_form)
                    buf_printf(out, "; %s: %s", ecosystems[i]->name, ecosystems[i]->name_form);
            p += 12;
        } else if (strncmp(p, "@FORMATS@", 9) == 0) {
            char names[200];
            lock_format_names(names, sizeof(names), ", ");
            buf_puts(out, names);
            p += 9;
        } else {
            buf_putc(out, *p++);
        }
    }
}

void mcp_tools_list(buf_t *out)
{
    buf_t x;
    buf_init(&x);
    buf_puts(out, "{\"tools\":[");
    for (size_t i = 0; i < NTOOLS; i++) {
        const tool_t *t = &TOOLS[i];
        int first = 1;
        buf_puts(out, i ? ",{" : "{");
        json_kv_str(out, &first, "name", t->name);
        json_kv_str(out, &first, "title", t->title);
        expand(t->description, &x);
        json_kv_str(out, &first, "description", buf_cstr(&x));
        expand(t->input_schema, &x);
        json_kv_raw(out, &first, "inputSchema", x.data, x.len);
        expand(t->output_schema, &x);
        json_kv_raw(out, &first, "outputSchema", x.data, x.len);
        buf_printf(out, ",\"annotations\":{\"readOnlyHint\":%s,\"openWorldHint\":false}}",
                   t->read_only ? "true" : "false");
    }
    buf_puts(out, "]}");
    buf_free(&x);
}

void mcp_tool_run(const mcp_call_t *c, mcp_outcome_t *o)
{
    const tool_t *t = find(c->tool);
    if (t == NULL) {
        fail(o, "no such tool");
        return;
    }
    t->run(c, o);
    if (!o->is_error && (o->structured.oom || o->text.oom || o->structured.len == 0))
        fail(o, "out of memory: ask again");
}
