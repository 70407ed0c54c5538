/* review_filing: a review request filed by whoever was refused (POST
 * /-/api/reviews, the MCP tool request_review): the per-client rate limit
 * (review.requests_per_hour), the stored request and the document that
 * answers it. */
#ifndef CORDON_REVIEW_FILING_H
#define CORDON_REVIEW_FILING_H

#include <stddef.h>

#include "admin/target.h"
#include "common/buf.h"

typedef enum {
    FILING_STORED,       /* doc has the request as the 201 answers it */
    FILING_RATE_LIMITED, /* *retry_after seconds; err says so */
    FILING_NOT_STORED,   /* err says why */
} filing_result_t;

filing_result_t review_filing_add(const target_t *t, const char *justification, const char *client, const char *ua,
                                  buf_t *doc, int *retry_after, char *err, size_t errlen);

#endif
