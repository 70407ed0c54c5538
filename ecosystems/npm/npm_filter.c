/* npm_filter: per-version verdicts and dist-tag rewriting.
 *
 * dist-tags.latest moves to the highest kept *stable* version that is not
 * above upstream's latest (by semver, not by publish time: a 1.9.9 backport
 * published after 2.0.0 must not become latest). Any other tag pointing at a
 * held version moves to the highest kept version of the same release line
 * not above it, or is dropped. */
#include "ecosystems/npm/npm_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "ecosystems/eco_ids.h"
#include "ecosystems/npm/npm_semver.h"

static long best_kept(const npm_packument_t *p, const npm_filter_t *f, const char *target, int latest)
{
    semver_t t;
    int t_ok = semver_parse(target, &t) == 0;
    long best = -1;
    semver_t bv;
    for (size_t i = 0; i < p->nversions; i++) {
        semver_t v;
        if (!f->keep[i] || semver_parse(p->versions[i].version, &v) != 0)
            continue;
        if (latest) {
            if (semver_is_prerelease(&v))
                continue;
        } else if (!t_ok || !semver_same_line(&v, &t)) {
            continue;
        }
        if (t_ok && semver_compare(&v, &t) > 0)
            continue;
        if (best < 0 || semver_compare(&v, &bv) > 0) {
            best = (long)i;
            bv = v;
        }
    }
    return best;
}

/* The policyRestrictions message npm prints for an exact pin to a held
 * version: one line for the package, the held versions grouped by what
 * holds them (a typosquat verdict, shared by every version, is said once),
 * the newest allowed version, where to ask. */
#define MSG_GROUPS 4
#define MSG_PER_GROUP 8
static void held_message(const config_t *cfg, const npm_packument_t *p, const npm_filter_t *f, buf_t *m)
{
    const char *name = p->name ? p->name : "?";
    size_t group_of[MSG_GROUPS] = {0}, ngroups = 0, more_groups = 0; /* a group: its first version's index */
    buf_printf(m, "%s: cordon holds ", name);
    for (size_t i = 0; i < p->nversions; i++) {
        if (f->keep[i])
            continue;
        const verdict_t *v = &f->verdicts[i];
        size_t g = 0;
        while (g < ngroups && !(f->verdicts[group_of[g]].reason == v->reason &&
                                strcmp(f->verdicts[group_of[g]].detail, v->detail) == 0 &&
                                strcmp(f->verdicts[group_of[g]].rule, v->rule) == 0))
            g++;
        if (g == ngroups) {
            if (ngroups == MSG_GROUPS) {
                more_groups++;
                continue;
            }
            group_of[ngroups++] = i;
        }
    }
    for (size_t g = 0; g < ngroups; g++) {
        const verdict_t *gv = &f->verdicts[group_of[g]];
        size_t listed = 0, more = 0;
        buf_puts(m, g ? "; " : "");
        for (size_t i = group_of[g]; i < p->nversions; i++) {
            const verdict_t *v = &f->verdicts[i];
            if (f->keep[i] || v->reason != gv->reason || strcmp(v->detail, gv->detail) || strcmp(v->rule, gv->rule))
                continue;
            if (listed == MSG_PER_GROUP) {
                more++;
                continue;
            }
            buf_printf(m, "%s%s", listed++ ? ", " : "", p->versions[i].version);
            if ((reason_flags(v->reason) & REASON_F_LIFTS) && v->eligible_at != TIME_NONE) {
                char when[40];
                time_format_iso8601(v->eligible_at, when, sizeof(when), 0);
                buf_printf(m, " until %s", when);
            }
        }
        if (more)
            buf_printf(m, " and %zu more", more);
        buf_printf(m, " (%s%s%s, policy %s)", reason_name(gv->reason), gv->detail[0] ? ": " : "", gv->detail,
                   gv->rule);
    }
    if (more_groups)
        buf_printf(m, "; %zu more held for other reasons", more_groups);
    const char *latest = NULL;
    for (size_t t = 0; t < f->ntags; t++)
        if (strcmp(f->tags[t].tag, "latest") == 0)
            latest = f->tags[t].version;
    buf_printf(m, ". Newest allowed: %s.", latest ? latest : "none yet");
    if (cfg->public_url)
        buf_printf(m, " Review: %s/-/admin/#npm/%s", cfg->public_url, name);
    if (cfg->review_contact)
        buf_printf(m, " (ask %s)", cfg->review_contact);
    else
        buf_puts(m, " (a reviewer can approve a version)");
}

int npm_filter_apply(const config_t *cfg, const npm_packument_t *p, const int64_t *first_seen,
                     const findings_t *const *findings, int64_t now, npm_filter_t *f)
{
    memset(f, 0, sizeof(*f));
    f->valid_until = TIME_NONE;
    f->modified = TIME_NONE;
    size_t n = p->nversions;
    f->keep = calloc(n ? n : 1, 1);
    f->verdicts = calloc(n ? n : 1, sizeof(verdict_t));
    f->tags = calloc(p->ntags ? p->ntags : 1, sizeof(npm_tag_t));
    if (!f->keep || !f->verdicts || !f->tags) {
        npm_filter_free(f);
        return -1;
    }
    /* what every version shares (the name check) is gathered once */
    const char *name = p->name ? p->name : "";
    findings_t names, one;
    int64_t names_until;
    findings_clear(&names);
    policy_gather_package(ECO_NPM, name, now, &names, &names_until);
    for (size_t i = 0; i < n; i++) {
        const npm_version_t *v = &p->versions[i];
        const findings_t *mine = findings ? findings[i] : NULL;
        if (mine) {
            one = *mine;
            findings_merge(&one, &names);
        }
        version_facts_t facts = {.published_at = v->published_at,
                                 .first_seen = first_seen ? first_seen[i] : TIME_NONE,
                                 .findings = mine ? &one : &names,
                                 .findings_until = names_until};
        policy_gather_review(ECO_NPM, name, v->version, now, &facts);
        verdict_t *vd = &f->verdicts[i];
        policy_decide(cfg, ECO_NPM, name, v->version, &facts, now, vd);
        f->keep[i] = (unsigned char)vd->allow;
        if (vd->valid_until != TIME_NONE && (f->valid_until == TIME_NONE || vd->valid_until < f->valid_until))
            f->valid_until = vd->valid_until;
        if (vd->allow) {
            if (v->published_at != TIME_NONE && (f->modified == TIME_NONE || v->published_at > f->modified))
                f->modified = v->published_at;
            continue;
        }
        f->nheld++;
    }
    for (size_t t = 0; t < p->ntags; t++) {
        const npm_tag_t *tag = &p->tags[t];
        long idx = npm_packument_find(p, tag->version);
        int is_latest = strcmp(tag->tag, "latest") == 0;
        if (idx >= 0 && f->keep[idx]) {
            f->tags[f->ntags++] = *tag;
            continue;
        }
        long best = best_kept(p, f, tag->version, is_latest);
        if (best >= 0) {
            f->tags[f->ntags].tag = tag->tag;
            f->tags[f->ntags].version = p->versions[best].version;
            f->ntags++;
        }
    }
    if (f->nheld) {
        buf_t msg;
        buf_init(&msg);
        held_message(cfg, p, f, &msg);
        f->message = buf_steal(&msg, NULL);
    }
    return 0;
}

void npm_filter_free(npm_filter_t *f)
{
    free(f->keep);
    free(f->verdicts);
    free(f->tags);
    free(f->message);
    memset(f, 0, sizeof(*f));
}

const char *npm_filter_alternative(const npm_packument_t *p, const npm_filter_t *f, const char *version)
{
    semver_t want;
    int want_ok = semver_parse(version, &want) == 0;
    long best = -1, best_any = -1;
    semver_t bv, bav;
    for (size_t i = 0; i < p->nversions; i++) {
        semver_t v;
        if (!f->keep[i] || semver_parse(p->versions[i].version, &v) != 0 || semver_is_prerelease(&v))
            continue;
        if (best_any < 0 || semver_compare(&v, &bav) > 0) {
            best_any = (long)i;
            bav = v;
        }
        if (want_ok && v.major == want.major && (best < 0 || semver_compare(&v, &bv) > 0)) {
            best = (long)i;
            bv = v;
        }
    }
    if (best >= 0)
        return p->versions[best].version;
    /* nothing in the same major: the package's current latest */
    for (size_t t = 0; t < f->ntags; t++)
        if (strcmp(f->tags[t].tag, "latest") == 0)
            return f->tags[t].version;
    return best_any >= 0 ? p->versions[best_any].version : NULL;
}

typedef struct dated {
    size_t index;
    int64_t t;
} dated_t;

static int dated_cmp(const void *a, const void *b)
{
    const dated_t *x = a, *y = b;
    if (x->t != y->t) /* TIME_NONE (INT64_MIN) sorts first: a version without a time counts as old */
        return x->t < y->t ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

void npm_install_script_history(const npm_packument_t *p, unsigned char *out)
{
    size_t n = p->nversions;
    memset(out, 0, n);
    dated_t *order = malloc((n ? n : 1) * sizeof(*order));
    if (order == NULL) {
        for (size_t i = 0; i < n; i++)
            out[i] = p->versions[i].has_install_script ? NPM_SCRIPTS_HAS : 0;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        order[i].index = i;
        order[i].t = p->versions[i].published_at;
    }
    qsort(order, n, sizeof(*order), dated_cmp);
    int any_before = 0, scripts_before = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k].index;
        if (p->versions[i].has_install_script) {
            out[i] = NPM_SCRIPTS_HAS | (any_before && !scripts_before ? NPM_SCRIPTS_NEW : 0);
            scripts_before = 1;
        }
        any_before = 1;
    }
    free(order);
}

void npm_script_findings(const char *name, const char *version, unsigned bits, findings_t *out)
{
    if (bits & NPM_SCRIPTS_NEW)
        findings_add(out, FINDING_NEW_INSTALL_SCRIPT,
                     "%s@%s runs install scripts (preinstall/install/postinstall) and no earlier version of %s did",
                     name, version, name);
    else if (bits & NPM_SCRIPTS_HAS)
        findings_add(out, FINDING_INSTALL_SCRIPT, "%s@%s runs install scripts (preinstall/install/postinstall)", name,
                     version);
}

void npm_package_history(const npm_packument_t *p, int64_t now, package_rec_t *out)
{
    out->first_published = p->created;
    out->last_published = TIME_NONE;
    out->nversions = (int64_t)p->nversions;
    out->first_seen = now;
    for (size_t i = 0; i < p->nversions; i++) {
        int64_t t = p->versions[i].published_at;
        if (t == TIME_NONE)
            continue;
        if (out->first_published == TIME_NONE || t < out->first_published)
            out->first_published = t;
        if (out->last_published == TIME_NONE || t > out->last_published)
            out->last_published = t;
    }
}
