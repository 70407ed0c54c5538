/* npm_filter: applies the policy to a parsed packument. For each version it
 * asks policy_decide, then works out what a client must see: which versions
 * stay, where dist-tags move, the policyRestrictions message, the new
 * "modified", and until when that answer holds (the next eligible_at). */
#ifndef CORDON_NPM_FILTER_H
#define CORDON_NPM_FILTER_H

#include "common/buf.h"
#include "ecosystems/npm/npm_packument.h"
#include "server/config.h"
#include "server/policy.h"

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

/* first_seen: per version (TIME_NONE where unknown); may be NULL */
int npm_filter_apply(const config_t *cfg, const npm_packument_t *p, const int64_t *first_seen, int64_t now,
                     npm_filter_t *out);
void npm_filter_free(npm_filter_t *f);

/* the highest kept version: with the same major as `version` when
 * same_major, else the highest stable one; NULL when none */
const char *npm_filter_alternative(const npm_packument_t *p, const npm_filter_t *f, const char *version);

#endif
