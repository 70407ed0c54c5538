/* analysis: the running side of analysis — the popular set names are
 * checked against (built in, the configured file, and the packages this
 * cordon served most), the name check cached per thread, and the counts of
 * what was served. policy_decide asks analysis_name_findings for every
 * verdict; the name check for a name is computed once per popular-set
 * generation, and a look-alike is then weighed by the package's history. */
#ifndef CORDON_ANALYSIS_H
#define CORDON_ANALYSIS_H

#include <lmdb.h>

#include "analysis/findings.h"
#include "core/config.h"

/* Builds the popular set for cfg (built-in + cfg->analysis.popular_file +
 * the top cfg->analysis.popular_served of DB_SERVED when the store is
 * open) and makes it current. 0, or -1 with "FILE:LINE: message". */
int analysis_configure(const config_t *cfg, char *err, size_t errlen);
/* rebuilds the served part when it is older than max_age_ms (cheap otherwise) */
void analysis_refresh(int64_t max_age_ms);
void analysis_shutdown(void);

/* Adds FINDING_TYPOSQUAT when the name looks like a popular one, weighed
 * by the package's own history (analysis/established.h): capped at warn
 * for an established package, left out for one of an established npm scope
 * caught by the scope rule. until (may be NULL): when age alone will make
 * the package established and change the answer (TIME_NONE: not by age). */
void analysis_name_findings(eco_id_t eco, const char *package, int64_t now, findings_t *out, int64_t *until);

/* inside the decision log's write transaction: one artifact of the package served */
int analysis_count_served(MDB_txn *txn, const char *eco, const char *package);

#endif
