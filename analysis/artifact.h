/* artifact: what an artifact's own bytes say, for every archive format an
 * ecosystem serves: whether the archive is sane at all (analysis/archive.h's
 * walk with limits), and what the ecosystem reads inside it. Each ecosystem
 * says which file names are archives and how they are read, which entries
 * it wants from the walk and what they mean (an artifact_reader_t, below,
 * that ecosystem_t.artifacts points to: the npm tarball's package.json
 * against the registry's manifest, a wheel's .pth files and METADATA, a
 * jar's pom.properties against its POM, a POM's <repositories>).
 * Runs on the worker pool after an artifact is fetched and verified and
 * before its first byte reaches a client (upstream/upstream_cache.c). */
#ifndef CORDON_ARTIFACT_H
#define CORDON_ARTIFACT_H

#include <stddef.h>

#include "analysis/archive.h"
#include "analysis/contents.h"
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

/* ---- how an ecosystem reads its artifacts (ecosystem_t.artifacts) ---- */

typedef enum {
    ARTIFACT_PLAIN = 0, /* not an archive: served as it is */
    ARTIFACT_ARCHIVE,   /* tar (any compression) or zip, walked */
    ARTIFACT_STREAM,    /* one compressed file, decompressed and counted */
    ARTIFACT_DOCUMENT,  /* a document read whole by read_document (a Maven POM) */
    ARTIFACT_REFUSED,   /* an archive format cordon does not read: malformed_archive */
} artifact_kind_t;

/* one file-name ending; ".Z" and ".tar.Z" keep their case (".z" is gzip's
 * old pack format, not compress), every other ending matches in any case */
typedef struct artifact_format {
    const char *ext;      /* NULL ends a table */
    artifact_kind_t kind;
    unsigned flags;       /* the ecosystem's own, handed to its reader (Maven: a Java archive) */
} artifact_format_t;

/* small files a reader keeps from a walk (package.json, METADATA) */
#define ARTIFACT_SMALL_FILE_MAX (1u << 20)

/* An ecosystem's reading of its artifacts. Required: formats. The manifest
 * hooks go together (all or none; none: nothing inside the archives is
 * read, the walk still checks them), but manifest_facts, which is
 * optional; read_document is required when a format is ARTIFACT_DOCUMENT. */
typedef struct artifact_reader {
    /* every format the ecosystem serves, first match wins (so ".tar.gz"
     * before ".gz"); a file of no listed ending is ARTIFACT_PLAIN */
    const artifact_format_t *formats;

    /* state for one walk over job's archive of format fmt, findings into
     * out; NULL when out of memory */
    void *(*manifest_begin)(const artifact_job_t *job, const artifact_format_t *fmt, const analysis_config_t *cfg,
                            findings_t *out);
    /* asked for every file entry: bytes of it wanted (archive_want_fn) */
    size_t (*manifest_want)(void *state, const archive_entry_info_t *e);
    /* what was asked for (archive_content_fn) */
    void (*manifest_content)(void *state, const archive_entry_info_t *e, const char *data, size_t len,
                             int truncated);
    /* after a walk the archive layer did not find malformed: what the kept entries say */
    void (*manifest_check)(void *state);
    /* after manifest_check: what the kept entries (and the job's expected
     * document) declare, as contents facts (analysis/contents.h) — the
     * version view's dependencies, install scripts, entry points, links.
     * NULL: the diff compares files only. */
    void (*manifest_facts)(void *state, contents_t *out);
    void (*manifest_end)(void *state); /* frees the state */

    /* an ARTIFACT_DOCUMENT of len bytes; text NULL when it could not be
     * read, why says why */
    void (*read_document)(const artifact_job_t *job, const char *text, size_t len, const char *why, findings_t *out);
    size_t document_max; /* larger documents are not read ("larger than …") */
} artifact_reader_t;

/* For manifest_content: keeps the first copy of a small file in *dst
 * (NUL-terminated, length in *dlen); a truncated one is a malformed_archive
 * finding instead. Later copies are ignored. */
void artifact_keep_file(char **dst, size_t *dlen, const archive_entry_info_t *e, const char *data, size_t len,
                        int truncated, findings_t *out);

/* For readers: the last component of an entry's path */
const char *artifact_base_name(const char *path);

/* copies everything; NULL on out of memory */
artifact_job_t *artifact_job_new(eco_id_t eco, const char *package, const char *version, const char *filename,
                                 const char *expected, size_t expected_len);
void artifact_job_free(artifact_job_t *j);
/* 1 when files of this name are analysed (every archive format the ecosystem serves, and POMs) or refused
 * (archive formats cordon does not read): the ecosystem's formats (documented in docs/analysis.md) */
int artifact_is_analysed(eco_id_t eco, const char *filename);

/* Reads the file at path (never writes anything) and adds what it finds;
 * listing (may be NULL) gets what the archive holds (analysis/contents.h;
 * left empty for a file that is no archive). */
void artifact_analyse(const artifact_job_t *job, const char *path, const analysis_config_t *cfg, findings_t *out,
                      contents_t *listing);
/* the same on bytes in memory (fuzzing, tests) */
void artifact_analyse_memory(const artifact_job_t *job, const void *data, size_t len, const analysis_config_t *cfg,
                             findings_t *out, contents_t *listing);

/* ---- on the worker pool (common/workpool.h) ---- */
typedef void (*artifact_done_fn)(void *arg, const artifact_job_t *job, const findings_t *f,
                                 const contents_t *listing);
/* queues job (ownership passes) on path; done runs on a worker thread (or
 * here, before this returns, when no pool runs: tools, tests); listing
 * is freed after it returns */
void artifact_submit(artifact_job_t *job, const char *path, artifact_done_fn done, void *arg);

/* The check upstream_cache runs on an artifact's verified bytes before
 * they become findable (upstream/upstream_cache.h): analysis of job
 * (ownership passes) on a worker, its findings stored with the blob index
 * (DB_FINDINGS, per artifact digest) and what the artifact holds beside
 * them (DB_CONTENTS). NULL when out of memory (job freed). */
artifact_check_t *artifact_check_new(artifact_job_t *job);

#endif
