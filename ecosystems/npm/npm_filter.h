/* npm_filter: applies the policy to a parsed packument. For each version it
 * asks policy_decide, then works out what a client must see: which versions
 * stay, where dist-tags move, the policyRestrictions message, the new
 * "modified", and until when that answer holds (the next eligible_at). */
#ifndef CORDON_NPM_FILTER_H
#define CORDON_NPM_FILTER_H

#include "store/record.h"
#include "common/buf.h"
#include "ecosystems/npm/npm_packument.h"
#include "core/config.h"
#include "policy/judge.h"
#include "policy/policy.h"

typedef struct npm_filter {
    unsigned char *keep;   /* per version, document order */
    verdict_t *verdicts;   /* per version */
    npm_tag_t *tags;       /* rewritten dist-tags (strings borrowed from the packument) */
    size_t ntags;
    size_t nheld;
    int64_t valid_until;   /* TIME_NONE: no held version will ever become eligible by age */
    int64_t modified;      /* newest publish time among kept versions, TIME_NONE if none */
    char *message;         /* for policyRestrictions; NULL when nothing is held */
} npm_filter_t;

/* first_seen: per version (TIME_NONE where unknown); findings: per version
 * (analysis facts; NULL entries where none); either may be NULL */
int npm_filter_apply(const config_t *cfg, const npm_packument_t *p, const int64_t *first_seen,
                     const findings_t *const *findings, int64_t now, npm_filter_t *out);

/* Install-script history, per version in document order: NPM_SCRIPTS_HAS
 * when it declares preinstall/install/postinstall (or hasInstallScript),
 * plus NPM_SCRIPTS_NEW when versions published before it exist and none of
 * them had any — the "suddenly runs code at install" signal, decided from
 * the packument alone, before any download. */
#define NPM_SCRIPTS_HAS 0x1
#define NPM_SCRIPTS_NEW 0x2
void npm_install_script_history(const npm_packument_t *p, unsigned char *out);
/* the findings those bits mean for one version */
void npm_script_findings(const char *name, const char *version, unsigned bits, findings_t *out);
void npm_filter_free(npm_filter_t *f);

/* the package's history as the packument tells it (time.created and every
 * version's time, how many versions), for the store's package record */
void npm_package_history(const npm_packument_t *p, int64_t now, package_rec_t *out);

/* the highest kept version: with the same major as `version` when
 * same_major, else the highest stable one; NULL when none */
const char *npm_filter_alternative(const npm_packument_t *p, const npm_filter_t *f, const char *version);

#endif
