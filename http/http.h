/* http: what every handler needs to answer a request: the request id, the
 * client's address and agent, the decision noted for the access log, and
 * the standard response shapes (JSON error, denial, file). */
#ifndef CORDON_HTTP_H
#define CORDON_HTTP_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdarg.h>

#include "common/buf.h"
#include "journal/decision_log.h"
#include "policy/policy.h"

/* assigns the request id (X-Request-Id) once; returns it */
const char *http_request_id(h2o_req_t *req);
void http_client_addr(h2o_req_t *req, char *out, size_t outlen);
void http_user_agent(h2o_req_t *req, char *out, size_t outlen);
/* remembers the decision for the access log line ("allow", "deny", …) */
void http_note_decision(h2o_req_t *req, const char *decision);
const char *http_noted_decision(h2o_req_t *req);
/* fills the request fields of a decision (time, client, agent, request id) */
void http_decision_init(h2o_req_t *req, decision_t *d, const char *eco);

/* appends one decision for this request to the decision log and notes it
 * for the access log ("allow", "deny:quarantine", …) */
void http_record_decision(h2o_req_t *req, const char *eco, const char *package, const char *version,
                          const char *decision, const char *reason, const char *rule, const char *detail);
/* the same for a policy refusal of a version: keeps the verdict's facts so
 * the reviewers' held queue can decide the version again later */
void http_record_denial(h2o_req_t *req, const char *eco, const char *package, const char *version,
                        const verdict_t *vd, const char *alternative, const char *detail);
/* a metadata document was served (or revalidated) to this request's client
 * without the held versions its note names (journal/served_held.h) */
void http_note_held_served(h2o_req_t *req, const char *eco, const char *package, const char *note);
/* a rendered metadata document (store/derived.h): its gzip form with
 * Content-Encoding: gzip and the tag "<etag>-gz" to a client that accepts
 * gzip, else the file itself; answers 304 when If-None-Match names the
 * representation's tag. Vary: Accept-Encoding either way. */
void http_send_document(h2o_req_t *req, const char *path, const char *content_type, const char *etag);
/* headers of a metadata answer: Vary: Accept, revalidation, and the stale
 * markers when upstream was unreachable */
void http_metadata_headers(h2o_req_t *req, int stale);

/* a header value by token, or NULL/0 */
h2o_iovec_t http_header(h2o_req_t *req, const h2o_token_t *token);
/* 1 when a Content-Type value names this media type ("type/subtype", any
 * case, parameters such as charset ignored); 0 otherwise */
int http_media_type_is(const char *value, size_t len, const char *type);

/* sends body (JSON) with status; reason_phrase may be NULL */
void http_send_json(h2o_req_t *req, int status, const char *reason_phrase, buf_t *body);
/* {"error": msg, "reason": reason?, "request_id": …} */
void http_send_error(h2o_req_t *req, int status, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* a refusal about one version that is not a policy verdict (integrity
 * mismatch): {"error", "reason", "ecosystem", "package", "version", "request_id"} */
void http_send_refusal(h2o_req_t *req, int status, const char *eco, const char *package, const char *version,
                       const char *reason, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* serves a file from disk with bounded memory (ranges, HEAD handled by h2o) */
void http_send_file(h2o_req_t *req, const char *path, const char *content_type, const char *etag);
/* the same for an artifact (tarball, wheel, sdist, jar): also
 * Content-Disposition: attachment, with the request path's file name */
void http_send_artifact(h2o_req_t *req, const char *path, const char *content_type, const char *etag);

/* Every answer leaves through the filter this registers on a path
 * configuration: it adds X-Content-Type-Options: nosniff, and
 * Content-Security-Policy: default-src 'none'; sandbox unless the handler
 * set a policy of its own (the admin page), so that no upstream bytes run
 * script on cordon's origin. Registered on the routed path and on the
 * host's fallback path (h2o's own errors). */
void http_register_security_headers(h2o_pathconf_t *pathconf);
#define HTTP_SANDBOX_CSP "default-src 'none'; sandbox"
/* 304 when the client's If-None-Match matches etag; returns 1 if sent */
int http_not_modified(h2o_req_t *req, const char *etag);
const char *http_status_phrase(int status);

#endif
