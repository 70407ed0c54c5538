/* judge: gathering the facts of a version and deciding it (see judge.h). */
#include "policy/judge.h"

#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"
#include "common/digest.h"
#include "common/timeutil.h"
#include "core/ecosystem.h"
#include "core/runtime.h"
#include "intel/osv_feed.h"
#include "intel/takedown.h"
#include "policy/approvals.h"
#include "store/store.h"

void policy_gather_package(eco_id_t eco, const char *package, int64_t now, findings_t *found, int64_t *until)
{
    analysis_name_findings(eco, package, now, found, until);
}

/* set while the fast lane asks the ecosystem for the newest allowed
 * version: that answer is the window's alone */
static _Thread_local int t_in_fast_lane;

/* the fast lane's fact: an advisory naming version as its fix that
 * affects the newest version the window allows (the ecosystem's
 * alternative, decided without the fast lane) */
static void gather_fast_lane(eco_id_t eco, const char *package, const char *version, version_facts_t *facts)
{
    const config_t *cfg = runtime_config();
    const ecosystem_t *e = eco < ECO_COUNT ? ecosystems[eco] : NULL;
    char ids[4][OSV_ID_MAX], newest[256];
    if (t_in_fast_lane || (cfg && !cfg->intel.fast_lane) || e == NULL || e->alternative == NULL)
        return;
    size_t n = osv_feed_fixed_by(eco, package, version, ids, 4);
    if (n == 0)
        return;
    t_in_fast_lane = 1;
    int rc = e->alternative(package, version, newest, sizeof(newest));
    t_in_fast_lane = 0;
    if (rc != 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (osv_feed_affects(eco, package, ids[i], newest)) {
            snprintf(facts->fast_lane, sizeof(facts->fast_lane), "%s", ids[i]);
            return;
        }
}

void policy_gather_intel(eco_id_t eco, const char *package, const char *version, version_facts_t *facts)
{
    /* both written whatever the feed says: callers fill facts field by field */
    facts->malicious.id[0] = facts->malicious.summary[0] = '\0';
    facts->fast_lane[0] = '\0';
    if (version == NULL)
        return;
    if (!osv_feed_malicious(eco, package, version, &facts->malicious))
        facts->malicious.id[0] = facts->malicious.summary[0] = '\0';
    gather_fast_lane(eco, package, version, facts);
}

void policy_gather_review(eco_id_t eco, const char *package, const char *version, int64_t now,
                          version_facts_t *facts)
{
    approvals_match(eco, package, version ? version : "", now, &facts->review);
    policy_gather_intel(eco, package, version, facts);
}

void policy_gather_snapshot(eco_id_t eco, const char *version, version_facts_t *facts)
{
    const ecosystem_t *e = eco < ECO_COUNT ? ecosystems[eco] : NULL;
    facts->snapshot = e && e->is_snapshot && version ? e->is_snapshot(version) : 0;
}

void policy_gather(eco_id_t eco, const char *package, const char *version, int64_t now, version_facts_t *facts,
                   findings_t *found)
{
    findings_t names;
    findings_clear(&names);
    policy_gather_package(eco, package, now, &names, &facts->findings_until);
    findings_merge(found, &names);
    policy_gather_review(eco, package, version, now, facts);
    policy_gather_snapshot(eco, version, facts);
    facts->findings = found;
}

int policy_judge(const config_t *cfg, eco_id_t eco, const char *package, const char *version, const char *file,
                 int64_t now, verdict_t *out, version_facts_t *facts, findings_t *found)
{
    version_facts_t f;
    findings_t fs;
    memset(&f, 0, sizeof(f));
    f.published_at = f.first_seen = f.findings_until = TIME_NONE;
    findings_clear(&fs);
    const ecosystem_t *e = eco < ECO_COUNT ? ecosystems[eco] : NULL;
    int listed = e && e->version_facts ? e->version_facts(package, version, file, &f, &fs) : -1;
    /* what upstream took down stays a fact, whether or not its records still
     * say it is listed (a PyPI release whose every file went is in no page) */
    takedown_t td;
    if (listed >= 0 && takedown_lookup(eco, package, file ? file : version, &td)) {
        f.removed_at = td.removed_at;
        listed = 1;
    }
    if (listed == 1) {
        policy_gather(eco, package, version, now, &f, &fs);
        policy_decide(cfg, eco, package, version, &f, now, out);
    }
    if (found)
        *found = fs;
    if (facts) {
        *facts = f;
        facts->findings = NULL; /* it pointed into this frame */
    }
    return listed;
}

void policy_document_fp(const config_t *cfg, eco_id_t eco, const char *package, char out[52])
{
    char fp[17], found[17] = "0000000000000000", reviews[17], intel[17], both[65];
    approvals_package_fp(eco, package, reviews);
    /* and what the OSV feed says about the package (its malicious records
     * and the advisories the fast lane reads) */
    osv_feed_package_fp(eco, package, intel);
    char mix[40];
    snprintf(mix, sizeof(mix), "%s|%s", reviews, intel);
    sha256_hex(mix, strlen(mix), both);
    memcpy(fp, both, 16);
    fp[16] = '\0';
    /* the name check's verdict can change as the popular set grows */
    analysis_refresh(10 * 60 * 1000);
    findings_t names;
    findings_clear(&names);
    analysis_name_findings(eco, package, time_now_ms(), &names, NULL);
    MDB_txn *txn;
    if (store_is_open() && store_read_begin(&txn) == 0) {
        findings_package_fp(txn, eco_name(eco), package, found);
        store_read_end(txn);
    }
    /* 't' a look-alike held, 'w' one weighed as established (warned) */
    char name_state = !names.mask ? '-' : (names.capped ? 'w' : 't');
    /* the configuration's own part, computed once per configuration per thread */
    static _Thread_local uint64_t t_generation;
    static _Thread_local char t_policy_fp[17];
    if (t_generation != cfg->generation) {
        policy_fingerprint(cfg, t_policy_fp);
        t_generation = cfg->generation;
    }
    snprintf(out, 52, "%s.%.15s%c.%s", t_policy_fp, fp, name_state, found);
}
