/* denial: the one JSON object every refusal of a version uses (DESIGN.md
 * "Denials"), and the one line of it people read. */
#ifndef CORDON_DENIAL_H
#define CORDON_DENIAL_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include "common/buf.h"
#include "policy/policy.h"

/* the human line: "<pkg>@<ver> is quarantined until … (published …, policy …); newest allowed: …" */
void denial_error_line(const char *package, const char *version, const verdict_t *v, const char *alternative,
                       buf_t *out);
/* the whole object; public_url for review_url */
void denial_json(const char *eco, const char *package, const char *version, const verdict_t *v,
                 const char *alternative, const char *request_id, const char *public_url, buf_t *out);
/* "<public_url>/-/admin/#eco/<package>/<version>", both percent-encoded */
void denial_review_url(const char *public_url, const char *eco, const char *package, const char *version, buf_t *out);
/* the same as a JSON object's "review_url" member (common/json.h's first) */
void denial_review_url_member(const char *public_url, const char *eco, const char *package, const char *version,
                              buf_t *out, int *first);
/* adds version to a rendered document's note of what it withheld
 * (journal/served_held.h) when v holds it for reviewers; alternative may be NULL */
void denial_note_held(char **note, size_t *len, const char *version, const verdict_t *v, const char *alternative);
/* sends it with status 403 */
void denial_send(h2o_req_t *req, const char *eco, const char *package, const char *version, const verdict_t *v,
                 const char *alternative);

#endif
