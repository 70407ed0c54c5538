/* artifact_route: the shared artifact route (see artifact_route.h). */
#include "ecosystems/artifact_route.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"
#include "core/ecosystem.h"
#include "http/denial.h"
#include "http/http.h"
#include "http/loop.h"
#include "store/blob.h"
#include "store/record.h"
#include "store/store.h"

static void record(h2o_req_t *req, artifact_req_t *ar, const char *decision, reason_t reason, const char *rule)
{
    http_record_decision(req, eco_name(ar->eco), ar->package, ar->version, decision, reason_name(reason), rule,
                         ar->detail);
}

static void deny(h2o_req_t *req, artifact_req_t *ar, const verdict_t *vd)
{
    const char *alt = ar->ops->alternative ? ar->ops->alternative(req, ar) : NULL;
    http_record_denial(req, eco_name(ar->eco), ar->package, ar->version, vd, alt, ar->detail);
    denial_send(req, eco_name(ar->eco), ar->package, ar->version, vd, alt);
}

void artifact_route_refuse_integrity(h2o_req_t *req, artifact_req_t *ar, const char *rule, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    record(req, ar, "deny", REASON_INTEGRITY_MISMATCH, rule);
    http_send_refusal(req, 502, eco_name(ar->eco), ar->package, ar->version, reason_name(REASON_INTEGRITY_MISMATCH),
                      "%s: %s", ar->what, msg);
}

/* step 4: the verified bytes, decided again when they were indexed after
 * the decision (fetched, or analysed, since) */
static void serve(h2o_req_t *req, void *arg, const blob_rec_t *b)
{
    artifact_req_t *ar = arg;
    if (b->generation > ar->decided_gen) {
        verdict_t vd;
        if (ar->ops->judge(ar, &vd) == 1) {
            if (!vd.allow) {
                deny(req, ar, &vd);
                return;
            }
            snprintf(ar->rule, sizeof(ar->rule), "%s", vd.rule);
        }
    }
    char path[4200], etag[80];
    blob_path(b->blob, path, sizeof(path));
    snprintf(etag, sizeof(etag), "\"%.32s\"", b->blob);
    record(req, ar, "allow", REASON_NONE, ar->rule);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("public, max-age=31536000, immutable"));
    ar->ops->send(req, ar, path, etag);
}

static void fail(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    artifact_req_t *ar = arg;
    if (strcmp(out->reason, reason_name(REASON_INTEGRITY_MISMATCH)) == 0) {
        record(req, ar, "deny", REASON_INTEGRITY_MISMATCH, ar->integrity_from);
        http_send_refusal(req, out->status, eco_name(ar->eco), ar->package, ar->version, out->reason, "%s: %s",
                          ar->what, out->error);
        return;
    }
    record(req, ar, "error", REASON_UPSTREAM_ERROR, "");
    http_send_error(req, out->status, out->reason, "%s: %s", ar->what, out->error);
}

static const artifact_source_t ROUTE = {serve, fail};

void artifact_route_fetch(h2o_req_t *req, artifact_req_t *ar)
{
    artifact_check_t *check = ar->ops->check ? ar->ops->check(ar) : NULL;
    artifact_fetch_serve(req, &loop_of(req)->flight_receiver, &ROUTE, ar->key, ar->url, &ar->want, check, ar);
}

static void learned(h2o_req_t *req, void *arg, const flight_outcome_t *out)
{
    artifact_req_t *ar = arg;
    int status = out->status;
    char err[600];
    snprintf(err, sizeof(err), "%s", out->error);
    int rc = ar->ops->learned ? ar->ops->learned(ar, out, &status, err, sizeof(err)) : (out->status ? -1 : 0);
    if (rc != 0) {
        http_send_error(req, status ? status : 502, out->reason[0] ? out->reason : NULL, "%s", err);
        return;
    }
    artifact_route(req, ar);
}

void artifact_req_init(artifact_req_t *ar, const artifact_ops_t *ops, void *er, eco_id_t eco, const char *package,
                       const char *version, const char *integrity_from)
{
    memset(ar, 0, sizeof(*ar));
    ar->ops = ops;
    ar->er = er;
    ar->eco = eco;
    ar->package = package;
    ar->version = version;
    ar->integrity_from = integrity_from;
}

int artifact_learned_metadata(const char *key, const flight_outcome_t *out, int *status, char *err, size_t errlen)
{
    if (!metadata_refresh_failed(key, out))
        return 0;
    *status = out->status;
    snprintf(err, errlen, "%s", out->error);
    return -1;
}

void artifact_route(h2o_req_t *req, artifact_req_t *ar)
{
    /* read before deciding: a blob indexed after this is decided again */
    uint64_t gen = store_generation();
    verdict_t vd;
    int known = ar->ops->judge(ar, &vd);
    if (known != 1) {
        if (!ar->learned) {
            ar->learned = 1;
            ar->ops->learn(req, ar, learned);
            return;
        }
        char msg[600];
        ar->ops->not_listed(ar, msg, sizeof(msg));
        http_send_error(req, 404, NULL, "%s", msg);
        return;
    }
    if (!vd.allow) {
        deny(req, ar, &vd);
        return;
    }
    snprintf(ar->rule, sizeof(ar->rule), "%s", vd.rule);
    ar->decided_gen = gen;
    if (artifact_serve_cached(req, &ROUTE, ar->key, ar))
        return;
    if (ar->ops->source(req, ar) == 0)
        artifact_route_fetch(req, ar);
}

int artifact_prefetch(const char *key, const char *url, const char *integrity, artifact_check_t *check)
{
    blob_rec_t b;
    integrity_t want;
    if (artifact_lookup(key, &b) == 0) {
        blob_rec_free(&b);
        if (check)
            check->free(check);
        return 0;
    }
    if (url == NULL || integrity_parse_any(integrity, &want) != 0) {
        if (check)
            check->free(check);
        return 0;
    }
    artifact_fetch(key, url, &want, check, NULL, NULL, NULL, NULL);
    return 1;
}
