/* npm_attest: the source repository an npm attestation bundle names (what
 * the registry serves at /-/npm/v1/attestations/NAME@VERSION, the URL a
 * manifest's dist.attestations.url gives). The bundle lists attestations;
 * the SLSA provenance one carries a DSSE envelope whose base64 payload is
 * an in-toto statement; its predicate names the repository the workflow
 * ran in: SLSA v1 buildDefinition.externalParameters.workflow.repository,
 * or SLSA v0.2 invocation.configSource.uri ("git+https://…@refs/…"). The
 * signature is not verified here: presence and continuity are what
 * cordon compares (intel/history.h). */
#ifndef CORDON_NPM_ATTEST_H
#define CORDON_NPM_ATTEST_H

#include <stddef.h>

/* 0 and out filled ("https://github.com/owner/repo"), or -1 with a reason */
int npm_attestation_repository(const char *doc, size_t len, char *out, size_t outlen, char *err, size_t errlen);

#endif
