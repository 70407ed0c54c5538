/* denial: building and sending the denial object. */
#include "http/denial.h"

#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "http/http.h"
#include "core/runtime.h"
#include "journal/served_held.h"

static void iso(int64_t t, char *out, size_t n)
{
    if (t == TIME_NONE)
        snprintf(out, n, "unknown");
    else
        time_format_iso8601(t, out, n, 0);
}

void denial_error_line(const char *package, const char *version, const verdict_t *v, const char *alternative,
                       buf_t *out)
{
    char since[40], elig[40];
    iso(v->since, since, sizeof(since));
    iso(v->eligible_at, elig, sizeof(elig));
    if (v->reason == REASON_QUARANTINE) {
        buf_printf(out, "%s@%s is quarantined until %s (%s%s, policy %s)", package, version, elig,
                   v->published_at == TIME_NONE ? "upstream gives no publish time; first seen by cordon "
                                                : "published ",
                   since, v->rule);
    } else if (v->reason == REASON_BLOCKED && v->review_id) {
        buf_printf(out, "%s@%s is %s", package, version, v->rule);
    } else if (v->reason == REASON_BLOCKED) {
        buf_printf(out, "%s@%s is blocked by policy %s", package, version, v->rule);
    } else if (v->reason == REASON_MISSING_TIMESTAMP) {
        buf_printf(out, "%s@%s is refused: upstream gives no publish time and the policy is %s", package, version,
                   v->rule);
    } else if (v->reason == REASON_MALICIOUS) {
        buf_printf(out, "%s@%s is refused as malicious: OSV %s%s%s (approvals do not admit it)", package, version,
                   v->advisory, v->detail[0] ? ": " : "", v->detail);
    } else if (v->reason == REASON_REMOVED_UPSTREAM) {
        buf_printf(out, "%s@%s was taken down: %s (approvals do not admit it)", package, version,
                   v->rule);
    } else if (v->detail[0]) {
        buf_printf(out, "%s@%s is held by cordon's analysis (%s): %s (policy %s)", package, version, reason_name(v->reason),
                   v->detail, v->rule);
    } else {
        buf_printf(out, "%s@%s is held (%s, policy %s)", package, version, reason_name(v->reason), v->rule);
    }
    if (alternative)
        buf_printf(out, "; newest allowed: %s", alternative);
    else
        buf_puts(out, "; no allowed version yet");
    const config_t *cfg = runtime_config();
    unsigned flags = reason_flags(v->reason);
    /* nobody can approve what is malicious or gone upstream */
    if ((flags & REASON_F_HELD) && v->reason != REASON_MALICIOUS && v->reason != REASON_REMOVED_UPSTREAM) {
        if (cfg && cfg->review_contact)
            buf_printf(out, " (or ask a reviewer to approve it: %s)", cfg->review_contact);
        else
            buf_puts(out, " (or ask a reviewer to approve it)");
    } else if (cfg && cfg->review_contact) {
        buf_printf(out, " (questions: %s)", cfg->review_contact);
    }
}

void denial_note_held(char **note, size_t *len, const char *version, const verdict_t *v, const char *alternative)
{
    if (verdict_held(v))
        served_held_note_add(note, len, version, alternative);
}

/* RFC 3986 unreserved bytes stay, everything else is %XX: a package name
 * ("@scope/name", "group:artifact") stays one fragment segment */
static void put_segment(buf_t *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '.' || *p == '_' || *p == '~') {
            buf_putc(b, (char)*p);
        } else {
            buf_putc(b, '%');
            buf_putc(b, HEX_UPPER[*p >> 4]);
            buf_putc(b, HEX_UPPER[*p & 15]);
        }
    }
}

void denial_review_url(const char *public_url, const char *eco, const char *package, const char *version, buf_t *out)
{
    buf_printf(out, "%s/-/admin/#%s/", public_url, eco);
    put_segment(out, package);
    buf_putc(out, '/');
    put_segment(out, version);
}

void denial_json(const char *eco, const char *package, const char *version, const verdict_t *v,
                 const char *alternative, const char *request_id, const char *public_url, buf_t *out)
{
    buf_t line;
    buf_init(&line);
    denial_error_line(package, version, v, alternative, &line);
    char pub[40], elig[40];
    int first = 1;
    buf_putc(out, '{');
    json_kv_raw(out, &first, "error", "", 0);
    json_str(out, line.data ? line.data : "", line.len);
    buf_free(&line);
    json_kv_str(out, &first, "reason", reason_name(v->reason));
    json_kv_str(out, &first, "ecosystem", eco);
    json_kv_str(out, &first, "package", package);
    json_kv_str(out, &first, "version", version);
    if (v->published_at != TIME_NONE) {
        time_format_iso8601(v->published_at, pub, sizeof(pub), 0);
        json_kv_str(out, &first, "published_at", pub);
    } else {
        json_kv_raw(out, &first, "published_at", "null", 4);
    }
    if (v->eligible_at != TIME_NONE) {
        time_format_iso8601(v->eligible_at, elig, sizeof(elig), 0);
        json_kv_str(out, &first, "eligible_at", elig);
    } else {
        json_kv_raw(out, &first, "eligible_at", "null", 4);
    }
    json_kv_str(out, &first, "policy", v->rule);
    if (v->advisory[0])
        json_kv_str(out, &first, "advisory", v->advisory);
    if (alternative)
        json_kv_str(out, &first, "alternative", alternative);
    else
        json_kv_raw(out, &first, "alternative", "null", 4);
    json_kv_str(out, &first, "request_id", request_id);
    denial_review_url_member(public_url, eco, package, version, out, &first);
    buf_putc(out, '}');
}

void denial_send(h2o_req_t *req, const char *eco, const char *package, const char *version, const verdict_t *v,
                 const char *alternative)
{
    buf_t b;
    buf_init(&b);
    denial_json(eco, package, version, v, alternative, http_request_id(req), runtime_config()->public_url, &b);
    /* a hold that lifts by itself says when (RFC 9110 Retry-After, seconds) */
    int64_t now = time_now_ms();
    if ((reason_flags(v->reason) & REASON_F_LIFTS) && v->eligible_at != TIME_NONE && v->eligible_at > now) {
        char ra[24];
        snprintf(ra, sizeof(ra), "%lld", (long long)((v->eligible_at - now + 999) / 1000));
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, h2o_strdup(&req->pool, ra, SIZE_MAX).base,
                       strlen(ra), 1);
    }
    /* the status line is all some clients (Maven) print: make it say why */
    char phrase[96];
    snprintf(phrase, sizeof(phrase), "Forbidden - %s by cordon", v->reason == REASON_QUARANTINE ? "quarantined"
                                                                 : reason_name(v->reason));
    http_send_json(req, 403, phrase, &b);
}

void denial_review_url_member(const char *public_url, const char *eco, const char *package, const char *version,
                              buf_t *out, int *first)
{
    buf_t url;
    buf_init(&url);
    denial_review_url(public_url, eco, package, version, &url);
    json_kv_str(out, first, "review_url", buf_cstr(&url));
    buf_free(&url);
}
