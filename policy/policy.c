/* policy: rule matching and the age window.
 *
 * Precedence, most specific first: a rule for the exact version, a rule for
 * the package, a glob/scope rule (the longest pattern wins among several),
 * the ecosystem's min_age, the default min_age. A missing upstream time is
 * never "old" and never "now for everyone": the first time cordon saw the
 * version stands in (missing_timestamp: first_seen), or the version is
 * refused (missing_timestamp: deny). */
#include "policy/policy.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/digest.h"
#include "common/timeutil.h"
#include "common/units.h"

enum { MATCH_NONE = 0, MATCH_GLOB = 1, MATCH_PACKAGE = 2, MATCH_VERSION = 3 };

static int rule_match(const quarantine_rule_t *r, eco_id_t eco, const char *package, const char *version)
{
    if (r->eco != eco)
        return MATCH_NONE;
    int glob = strpbrk(r->pattern, "*?[") != NULL;
    int name_ok = glob ? fnmatch(r->pattern, package, 0) == 0 : strcmp(r->pattern, package) == 0;
    if (!name_ok)
        return MATCH_NONE;
    if (r->version)
        return version && strcmp(r->version, version) == 0 ? MATCH_VERSION : MATCH_NONE;
    return glob ? MATCH_GLOB : MATCH_PACKAGE;
}

static const quarantine_rule_t *best_rule(const config_t *cfg, eco_id_t eco, const char *package,
                                          const char *version)
{
    const quarantine_rule_t *best = NULL;
    int best_level = MATCH_NONE;
    size_t best_len = 0;
    for (size_t i = 0; i < cfg->nrules; i++) {
        const quarantine_rule_t *r = &cfg->rules[i];
        int level = rule_match(r, eco, package, version);
        size_t len = strlen(r->pattern);
        if (level > best_level || (level == best_level && level != MATCH_NONE && len > best_len)) {
            best = r;
            best_level = level;
            best_len = len;
        }
    }
    return best;
}

static void rule_text(const config_t *cfg, const quarantine_rule_t *r, char *out, size_t outlen)
{
    const char *file = cfg->path ? strrchr(cfg->path, '/') : NULL;
    file = file ? file + 1 : (cfg->path ? cfg->path : "config");
    char dur[32];
    if (r->deny)
        snprintf(out, outlen, "rule %s deny (%s:%d)", r->text, file, r->line);
    else if (r->allow)
        snprintf(out, outlen, "rule %s allow (%s:%d)", r->text, file, r->line);
    else {
        units_format_duration(r->min_age, dur, sizeof(dur));
        snprintf(out, outlen, "rule %s min_age %s (%s:%d)", r->text, dur, file, r->line);
    }
}

/* the order findings are reported in when several hold a version */
static const finding_kind_t SEVERITY[FINDING_KIND_COUNT] = {
    FINDING_MALFORMED_ARCHIVE, FINDING_MANIFEST_MISMATCH,  FINDING_PROVENANCE_REGRESSION, FINDING_TYPOSQUAT,
    FINDING_PUBLISHER_CHANGE,  FINDING_NEW_INSTALL_SCRIPT, FINDING_PTH_FILE,              FINDING_INSTALL_SCRIPT,
    FINDING_SDIST_ONLY,        FINDING_POM_REPOSITORIES};

/* 1 when a finding the configuration holds applies (out filled) */
static int findings_hold(const config_t *cfg, const version_facts_t *facts, verdict_t *out)
{
    const findings_t *all = facts->findings;
    if (all == NULL)
        return 0;
    for (int i = 0; i < FINDING_KIND_COUNT; i++) {
        finding_kind_t k = SEVERITY[i];
        if (!(all->mask & (1u << k)))
            continue;
        finding_action_t action = findings_action(all, k, cfg->analysis.action[k]);
        if (action == FINDING_HOLD) {
            out->allow = 0;
            out->reason = finding_reason(k);
            out->eligible_at = TIME_NONE;
            /* a young look-alike is weighed again once it is old enough */
            out->valid_until = k == FINDING_TYPOSQUAT ? facts->findings_until : TIME_NONE;
            snprintf(out->rule, sizeof(out->rule), "analysis %s: hold", finding_kind_name(k));
            snprintf(out->detail, sizeof(out->detail), "%s", all->detail[k]);
            return 1;
        }
        if (action == FINDING_WARN)
            out->warnings |= 1u << k;
    }
    return 0;
}

void policy_refuse(verdict_t *out, reason_t reason, const char *rule)
{
    memset(out, 0, sizeof(*out));
    out->reason = reason;
    out->published_at = out->eligible_at = out->since = out->valid_until = TIME_NONE;
    snprintf(out->rule, sizeof(out->rule), "%s", rule ? rule : "");
}

int verdict_held(const verdict_t *v) { return !v->allow && (reason_flags(v->reason) & REASON_F_HELD); }

void policy_decide(const config_t *cfg, eco_id_t eco, const char *package, const char *version,
                   const version_facts_t *facts, int64_t now, verdict_t *out)
{
    memset(out, 0, sizeof(*out));
    out->reason = REASON_NONE;
    out->published_at = facts->published_at;
    out->eligible_at = TIME_NONE;
    out->valid_until = TIME_NONE;
    out->since = facts->published_at;

    /* a malicious-package record: whatever rules and reviewers say */
    if (facts->malicious.id[0]) {
        out->reason = REASON_MALICIOUS;
        snprintf(out->advisory, sizeof(out->advisory), "%s", facts->malicious.id);
        snprintf(out->rule, sizeof(out->rule), "OSV %s (malicious package; withdrawing the record lifts it)",
                 facts->malicious.id);
        snprintf(out->detail, sizeof(out->detail), "%s", facts->malicious.summary);
        return;
    }
    /* a takedown: upstream removed what it listed, which is how registries
     * pull malware; an approval must not serve cordon's copy behind its back */
    if (facts->removed_at && cfg->intel.takedowns) {
        char when[40];
        time_format_iso8601(facts->removed_at, when, sizeof(when), 0);
        out->reason = REASON_REMOVED_UPSTREAM;
        snprintf(out->rule, sizeof(out->rule),
                 "upstream no longer lists it (removed since %s; only upstream listing it again lifts it)", when);
        return;
    }
    int64_t window;
    const quarantine_rule_t *r = best_rule(cfg, eco, package, version);
    char dur[32];
    if (r != NULL && r->deny) {
        rule_text(cfg, r, out->rule, sizeof(out->rule));
        out->reason = REASON_BLOCKED;
        return;
    }
    const review_match_t *m = &facts->review;
    if (m->kind == REVIEW_BLOCK) {
        out->reason = REASON_BLOCKED;
        out->review_id = m->id;
        snprintf(out->rule, sizeof(out->rule), "blocked by reviewer %s (block %llu: %s)", m->by,
                 (unsigned long long)m->id, m->comment);
        return;
    }
    if (m->kind == REVIEW_APPROVAL) {
        out->allow = 1;
        out->review_id = m->id;
        out->eligible_at = facts->published_at;
        out->valid_until = m->expires_at;
        snprintf(out->rule, sizeof(out->rule), "approved by reviewer %s (approval %llu)", m->by,
                 (unsigned long long)m->id);
        return;
    }
    if (!(r != NULL && r->allow) && findings_hold(cfg, facts, out))
        return;
    /* a release proxy has no business serving development builds (Maven
     * SNAPSHOTs): refused unless a rule names them (and then decided by it) */
    if (facts->snapshot && r == NULL) {
        out->reason = REASON_BLOCKED;
        snprintf(out->rule, sizeof(out->rule), "%s SNAPSHOT versions are not served (allow them with a rule)",
                 eco_name(eco));
        return;
    }
    if (r != NULL) {
        rule_text(cfg, r, out->rule, sizeof(out->rule));
        if (r->allow) {
            out->allow = 1;
            out->eligible_at = facts->published_at;
            return;
        }
        window = r->min_age;
    } else if (cfg->min_age_eco[eco] >= 0) {
        window = cfg->min_age_eco[eco];
        units_format_duration(window, dur, sizeof(dur));
        snprintf(out->rule, sizeof(out->rule), "%s min_age %s", eco_name(eco), dur);
    } else {
        window = cfg->min_age_default;
        units_format_duration(window, dur, sizeof(dur));
        snprintf(out->rule, sizeof(out->rule), "default min_age %s", dur);
    }

    int64_t since = facts->published_at;
    if (since == TIME_NONE) {
        if (window == 0) { /* no window: the time does not matter */
            out->allow = 1;
            out->eligible_at = now;
            return;
        }
        if (cfg->missing_timestamp == MISSING_TS_DENY) {
            out->allow = 0;
            out->reason = REASON_MISSING_TIMESTAMP;
            size_t n = strlen(out->rule);
            snprintf(out->rule + n, sizeof(out->rule) - n, ", missing_timestamp deny");
            return;
        }
        /* first seen stands in; a version never recorded is seen right now */
        since = facts->first_seen != TIME_NONE ? facts->first_seen : now;
        out->published_at = TIME_NONE;
    }
    out->since = since;
    out->eligible_at = since + window;
    out->allow = now >= out->eligible_at;
    if (!out->allow && cfg->intel.fast_lane && facts->fast_lane[0]) {
        /* the fix for an advisory against the newest allowed version: now,
         * while the advisory stands (a change of it re-keys documents) */
        out->allow = 1;
        snprintf(out->advisory, sizeof(out->advisory), "%s", facts->fast_lane);
        snprintf(out->rule, sizeof(out->rule), "%s (security fast lane: fixes the newest allowed version)",
                 facts->fast_lane);
        return;
    }
    if (!out->allow) {
        out->reason = REASON_QUARANTINE;
        out->valid_until = out->eligible_at;
    }
}

void policy_fingerprint(const config_t *cfg, char out[17])
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%lld|%d|", (long long)cfg->min_age_default, (int)cfg->missing_timestamp);
    buf_printf(&b, "fl%d|td%d|", cfg->intel.fast_lane, cfg->intel.takedowns);
    /* denial lines are rendered into documents (npm policyRestrictions, PyPI yanked reasons) */
    buf_printf(&b, "rc%s|", cfg->review_contact ? cfg->review_contact : "");
    for (int k = 0; k < FINDING_KIND_COUNT; k++)
        buf_printf(&b, "a%d|", (int)cfg->analysis.action[k]);
    for (int i = 0; i < ECO_COUNT; i++)
        buf_printf(&b, "%lld|", (long long)cfg->min_age_eco[i]);
    for (size_t i = 0; i < cfg->nrules; i++) {
        const quarantine_rule_t *r = &cfg->rules[i];
        buf_printf(&b, "%d:%s@%s:%lld:%d:%d|", (int)r->eco, r->pattern, r->version ? r->version : "",
                   (long long)r->min_age, r->allow, r->deny);
    }
    char hex[65];
    sha256_hex(b.data ? b.data : "", b.len, hex);
    buf_free(&b);
    memcpy(out, hex, 16);
    out[16] = '\0';
}

