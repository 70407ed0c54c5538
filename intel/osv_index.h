/* osv_index: the OSV records of one directory, loaded once and indexed by
 * (ecosystem, canonical package name), so that judging a version is one
 * hash probe and the evaluation of that package's few records. Reads the
 * OSSF malicious-packages layout (osv/malicious/<eco>/<name>/MAL-*.json;
 * anything under a "withdrawn" folder is a retracted record whose id lifts
 * every copy of it) and a flat folder of *.json alike; hidden folders
 * (.git) are skipped. OSV's ecosystem names, the canonical names and the
 * version order come from the ecosystem table (core/ecosystem.h). An index
 * is immutable once loaded: readers share it without locks. */
#ifndef CORDON_OSV_INDEX_H
#define CORDON_OSV_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/eco.h"

typedef struct osv_index osv_index_t;

#define OSV_SKIPPED_KEPT 20 /* the skipped files named in the status */

typedef struct osv_load_stats {
    size_t files;     /* *.json files read */
    size_t records;   /* records in force (not withdrawn, naming an ecosystem cordon serves) */
    size_t malicious; /* of those, malicious-package records */
    size_t withdrawn; /* withdrawn records (and the ids they lift) */
    size_t skipped;   /* malformed or unreadable files, left out */
    char skipped_files[OSV_SKIPPED_KEPT][512];
    char skipped_why[OSV_SKIPPED_KEPT][200];
} osv_load_stats_t;

/* called for each file left out: its path and why */
typedef void (*osv_warn_fn)(const char *path, const char *why);

/* Loads every *.json below dir: the index (never NULL but on out of
 * memory; a missing dir is an empty index with st->files 0). */
osv_index_t *osv_index_load(const char *dir, osv_load_stats_t *st, osv_warn_fn warn);
void osv_index_free(osv_index_t *idx);

/* A cheap signature of what load would read (paths, sizes, mtimes), to
 * notice new, changed and deleted files without reading them. */
uint64_t osv_dir_signature(const char *dir);

#define OSV_ID_MAX 101
#define OSV_SUMMARY_MAX 200

typedef struct osv_hit {
    char id[OSV_ID_MAX];
    char summary[OSV_SUMMARY_MAX];
} osv_hit_t;

/* 1 when a malicious-package record names (eco, package, version) (hit
 * filled), else 0. package is canonical. */
int osv_index_malicious(const osv_index_t *idx, eco_id_t eco, const char *package, const char *version,
                        osv_hit_t *hit);
/* the advisories (not malicious-package records) that name version as
 * fixed: up to max ids into ids, their number returned */
size_t osv_index_fixed_by(const osv_index_t *idx, eco_id_t eco, const char *package, const char *version,
                          char ids[][OSV_ID_MAX], size_t max);
/* 1 when the advisory id (its entry for this package) affects version */
int osv_index_affects(const osv_index_t *idx, eco_id_t eco, const char *package, const char *id,
                      const char *version);
/* a fingerprint of the records naming the package ("-" padded when none):
 * what a document rendered under them is keyed by */
void osv_index_package_fp(const osv_index_t *idx, eco_id_t eco, const char *package, char out[17]);

#endif
