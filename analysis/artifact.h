/* artifact: what an artifact's own bytes say — the npm tarball's
 * package.json against the registry's manifest (and binding.gyp), a wheel's
 * .pth files and METADATA against its file name, a Java archive's
 * META-INF/maven/…/pom.properties against the coordinates it is served
 * under, a POM's <repositories>, and whether the archive is sane at all —
 * for every archive format an ecosystem serves (which file is read how:
 * the format table in artifact.c).
 * Runs on the worker pool after an artifact is fetched and verified and
 * before its first byte reaches a client (upstream/upstream_cache.c). */
#ifndef CORDON_ARTIFACT_H
#define CORDON_ARTIFACT_H

#include <stddef.h>

#include "analysis/findings.h"
#include "upstream/upstream_cache.h"
#include "core/config.h"

typedef struct artifact_job {
    eco_id_t eco;
    char *package;  /* canonical name (Maven "groupId:artifactId") */
    char *version;
    char *filename; /* the artifact's file name: decides how it is read */
    char *expected; /* npm: the registry's manifest of the version (JSON); Maven jars: the
                       version's POM (its relocation and dependencies); else NULL */
    size_t expected_len;
} artifact_job_t;

/* copies everything; NULL on out of memory */
artifact_job_t *artifact_job_new(eco_id_t eco, const char *package, const char *version, const char *filename,
                                 const char *expected, size_t expected_len);
void artifact_job_free(artifact_job_t *j);
/* 1 when files of this name are analysed (every archive format the ecosystem serves, and POMs) or refused
 * (archive formats cordon does not read); the table is in artifact.c, documented in docs/analysis.md */
int artifact_is_analysed(eco_id_t eco, const char *filename);

/* Reads the file at path (never writes anything) and adds what it finds. */
void artifact_analyse(const artifact_job_t *job, const char *path, const analysis_config_t *cfg, findings_t *out);
/* the same on bytes in memory (fuzzing, tests) */
void artifact_analyse_memory(const artifact_job_t *job, const void *data, size_t len, const analysis_config_t *cfg,
                             findings_t *out);

/* ---- on the worker pool (common/workpool.h) ---- */
typedef void (*artifact_done_fn)(void *arg, const artifact_job_t *job, const findings_t *f);
/* queues job (ownership passes) on path; done runs on a worker thread (or
 * here, before this returns, when no pool runs: tools, tests) */
void artifact_submit(artifact_job_t *job, const char *path, artifact_done_fn done, void *arg);

/* The check upstream_cache runs on an artifact's verified bytes before
 * they become findable (upstream/upstream_cache.h): analysis of job
 * (ownership passes) on a worker, its findings stored with the blob index
 * (DB_FINDINGS, per artifact digest). NULL when out of memory (job freed). */
artifact_check_t *artifact_check_new(artifact_job_t *job);

#endif
