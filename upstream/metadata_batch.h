/* metadata_batch: many metadata fetches (or artifact fetches) for a thread
 * that is no event loop (a lockfile check's worker, a version view's
 * diff), waited for with a deadline. The fetches go
 * through the same single-flight and fetcher thread as every request (a
 * document a client is fetching at the same moment is fetched once), at
 * most `parallel` of them at once. The caller's thread blocks; no event loop
 * ever does. A fetch still running at the deadline is not cancelled: it
 * lands in the cache for the next check, only the wait for it ends. */
#ifndef CORDON_METADATA_BATCH_H
#define CORDON_METADATA_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "upstream/flight.h"
#include "upstream/upstream_cache.h"

typedef struct metadata_want {
    const char *key, *url; /* as for metadata_fetch */
    const char *accept;    /* NULL: none */
    metadata_ingest_fn ingest;
    /* not NULL: an artifact instead of metadata (artifact_fetch_notify),
     * verified against it; check's ownership passes when the fetch starts
     * (the batch frees the check of a fetch it never started) */
    const integrity_t *artifact;
    artifact_check_t *check;
} metadata_want_t;

/* fills w with its own copies of key and url (accept and ingest are
 * static): 0, or -1 out of memory (w holds nothing then); free with
 * metadata_want_clear */
int metadata_want_copy(metadata_want_t *w, const char *key, const char *url, const char *accept,
                       metadata_ingest_fn ingest);
void metadata_want_clear(metadata_want_t *w);

/* called on the caller's thread, once for each fetch that lands before the
 * deadline, in landing order (i: its index in want) */
typedef void (*metadata_landed_fn)(void *arg, size_t i, const flight_outcome_t *out);

typedef struct metadata_batch_result {
    size_t landed;     /* landed fn was called for these */
    size_t unfinished; /* started, still running at the deadline */
    size_t unstarted;  /* never started: the deadline came first */
} metadata_batch_result_t;

/* Fetches want[0..n), at most `parallel` at once, for at most wait_ms
 * (measured on the monotonic clock). Strings in want must live until the
 * call returns. */
void metadata_fetch_batch(const metadata_want_t *want, size_t n, unsigned parallel, int64_t wait_ms,
                          metadata_landed_fn landed, void *arg, metadata_batch_result_t *res);

#endif
