/* review_filing: one path for a review request (see review_filing.h). */
#include "admin/review_filing.h"

#include <stdio.h>

#include "admin/views.h"
#include "common/timeutil.h"
#include "core/runtime.h"
#include "review/held.h"

filing_result_t review_filing_add(const target_t *t, const char *justification, const char *client, const char *ua,
                                  buf_t *doc, int *retry_after, char *err, size_t errlen)
{
    const config_t *cfg = runtime_config();
    int wait = review_rate_check(client, cfg->review_requests_per_hour, time_now_ms());
    *retry_after = wait;
    if (wait > 0) {
        snprintf(err, errlen, "too many review requests from %s: at most %d an hour; try again in %d s", client,
                 cfg->review_requests_per_hour, wait);
        return FILING_RATE_LIMITED;
    }
    review_request_t rq = {t->eco, t->package, t->version, justification, client, ua};
    held_request_t q = {.eco = t->eco,
                        .package = (char *)t->package,
                        .version = (char *)t->version,
                        .justification = (char *)justification,
                        .client = (char *)client,
                        .ua = (char *)ua};
    char why[300];
    if (review_request_add(&rq, &q.id, &q.time, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "not stored: %s", why);
        return FILING_NOT_STORED;
    }
    view_review_request(&q, &(review_request_status_t){.state = REQ_OPEN, .at = TIME_NONE}, 1, cfg->public_url, doc);
    return FILING_STORED;
}
