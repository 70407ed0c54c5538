/* osv_feed: the OSV index the running server judges by — loaded from
 * intel.osv_dir at start, re-read by a background thread when a cheap scan
 * of the folder (paths, sizes, mtimes) changes, and swapped in whole: a
 * new index is built aside, the pointer swapped under a lock, and the old
 * one freed when its last reader lets go, so a reload never stalls a
 * request. The lookups below take and drop the live index themselves. */
#ifndef CORDON_OSV_FEED_H
#define CORDON_OSV_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "core/config.h"
#include "intel/osv_index.h"

/* Loads dir (NULL: no feed) now and re-reads it every interval_ms (and
 * whatever runtime_config()'s intel.osv_dir names after a reload) from a
 * background thread when interval_ms > 0. 0, or -1 when out of memory or
 * the thread cannot start. */
int osv_feed_start(const char *dir, int64_t interval_ms);
void osv_feed_stop(void);
/* re-reads dir now when its signature changed (tests, and the thread's pass) */
void osv_feed_refresh(const char *dir);

/* the live index's answers (see osv_index.h); nothing when no feed */
int osv_feed_malicious(eco_id_t eco, const char *package, const char *version, osv_hit_t *hit);
size_t osv_feed_fixed_by(eco_id_t eco, const char *package, const char *version, char ids[][OSV_ID_MAX],
                         size_t max);
int osv_feed_affects(eco_id_t eco, const char *package, const char *id, const char *version);
void osv_feed_package_fp(eco_id_t eco, const char *package, char out[17]);

/* GET /-/api/intel: {osv_dir, records, malicious, withdrawn, files, skipped,
 * skipped_files: [{path, error}], loaded_at, load_ms, generation} */
void osv_feed_status_json(buf_t *out);
/* the feed's gauges for /-/metrics (a metrics section) */
void osv_feed_metrics(const config_t *cfg, buf_t *out);

#endif
