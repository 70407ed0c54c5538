/* npm_attest: reading the repository out of an attestation bundle (see
 * npm_attest.h), with yajl's tree parser: bundles are a few kilobytes. */
#include "ecosystems/npm/npm_attest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "common/digest.h"

#define BUNDLE_MAX (1 << 20)
#define SLSA_PREFIX "https://slsa.dev/provenance/"

static yajl_val parse(const char *doc, size_t len, char *err, size_t errlen)
{
    char *z = malloc(len + 1);
    if (z == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    memcpy(z, doc, len);
    z[len] = '\0';
    char why[200] = "";
    yajl_val v = yajl_tree_parse(z, why, sizeof(why));
    free(z);
    if (v == NULL)
        snprintf(err, errlen, "not JSON: %.150s", why[0] ? why : "parse error");
    return v;
}

static const char *str_at(yajl_val v, const char **path)
{
    yajl_val s = yajl_tree_get(v, path, yajl_t_string);
    return s ? YAJL_GET_STRING(s) : NULL;
}

/* the repository the in-toto statement's predicate names; NULL when none */
static int statement_repository(yajl_val st, char *out, size_t outlen)
{
    const char *v1[] = {"predicate", "buildDefinition", "externalParameters", "workflow", "repository", NULL};
    const char *v02[] = {"predicate", "invocation", "configSource", "uri", NULL};
    const char *r = str_at(st, v1);
    if (r && *r) {
        snprintf(out, outlen, "%s", r);
        return 0;
    }
    r = str_at(st, v02);
    if (r == NULL || *r == '\0')
        return -1;
    if (strncmp(r, "git+", 4) == 0)
        r += 4;
    const char *at = strchr(r, '@');
    snprintf(out, outlen, "%.*s", (int)(at ? (size_t)(at - r) : strlen(r)), r);
    return 0;
}

int npm_attestation_repository(const char *doc, size_t len, char *out, size_t outlen, char *err, size_t errlen)
{
    if (len > BUNDLE_MAX) {
        snprintf(err, errlen, "attestation bundle larger than %d bytes", BUNDLE_MAX);
        return -1;
    }
    yajl_val root = parse(doc, len, err, errlen);
    if (root == NULL)
        return -1;
    const char *list_path[] = {"attestations", NULL};
    yajl_val list = yajl_tree_get(root, list_path, yajl_t_array);
    int rc = -1;
    snprintf(err, errlen, "the bundle has no SLSA provenance attestation");
    for (size_t i = 0; list && i < YAJL_GET_ARRAY(list)->len && rc != 0; i++) {
        yajl_val a = YAJL_GET_ARRAY(list)->values[i];
        const char *pt_path[] = {"predicateType", NULL};
        const char *payload_path[] = {"bundle", "dsseEnvelope", "payload", NULL};
        const char *pt = str_at(a, pt_path), *payload = str_at(a, payload_path);
        if (pt == NULL || strncmp(pt, SLSA_PREFIX, strlen(SLSA_PREFIX)) != 0)
            continue;
        size_t plen = payload ? strlen(payload) : 0, n = 0;
        unsigned char *raw = plen ? malloc(plen) : NULL;
        if (raw == NULL || base64_decode(payload, plen, raw, plen, &n) != 0) {
            snprintf(err, errlen, "the provenance attestation's payload is not base64");
            free(raw);
            break;
        }
        yajl_val st = parse((const char *)raw, n, err, errlen);
        free(raw);
        if (st == NULL)
            break;
        if (statement_repository(st, out, outlen) == 0)
            rc = 0;
        else
            snprintf(err, errlen, "the provenance statement names no source repository");
        yajl_tree_free(st);
    }
    yajl_tree_free(root);
    return rc;
}
