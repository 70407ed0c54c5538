/* runtime: the live configuration. One is current; a reload (SIGHUP)
 * publishes the next, and a replaced one is freed as soon as nothing can
 * still be reading it, so reloads are unbounded and memory stays flat.
 *
 * Two ways to read it:
 *
 *  - borrow: runtime_config(). On a reader thread (each event loop, the
 *    fetcher) the pointer stays valid until that thread's next quiescent
 *    point, runtime_quiescent(), which its main loop calls between rounds of
 *    callbacks. Nothing borrowed is kept past that point: a request that
 *    waits (for a flight, a worker) reads runtime_config() again when it
 *    resumes, and may then see a newer configuration.
 *
 *  - hold: runtime_acquire() takes a counted reference (any thread),
 *    runtime_release() drops it. For what outlives a round of callbacks or
 *    runs on a thread that is no reader: a job on the worker pool, a
 *    lockfile check waiting for upstream, a thread that sleeps for hours.
 *    runtime_use(cfg) makes runtime_config() answer that held cfg on the
 *    calling thread, so code the job runs reads "the" configuration like
 *    everyone else; runtime_use(NULL) ends it.
 *
 * A replaced configuration is freed when its count is zero and every reader
 * thread passed a quiescent point (or was offline) since it was replaced.
 * Why both, not a reference per request: runtime_config() is read in ~40
 * places on four kinds of threads, many of them outside any request (socket
 * callbacks, fetcher completions, metadata ingest); the epoch keeps those
 * call sites as they are at the cost of a thread-local read per call and
 * one atomic store per loop round, and counts are taken only where a
 * configuration really travels. An idle loop passes a quiescent point at
 * least every 200 ms (its poll timeout), so an old configuration goes
 * within a round after the last request that read it.
 *
 * A thread that calls runtime_config() is a reader, holds (runtime_use),
 * or runs where no reload can happen (start-up, tools, tests); a debug
 * build aborts on any other use while the server runs. */
#ifndef CORDON_RUNTIME_H
#define CORDON_RUNTIME_H

#include <stddef.h>

#include "core/config.h"

/* the calling thread's configuration: held (runtime_use), else the current */
const config_t *runtime_config(void);

/* Makes cfg (malloc'd, loaded) the current configuration; the runtime owns
 * it from now on and frees it (config_free, free) once it is replaced and
 * unread. Any thread; cordon serve calls it at start and on each reload. */
void runtime_publish(config_t *cfg);
/* Makes cfg current without taking it: the caller keeps owning it and must
 * keep it alive while it may be read (tools and tests). */
void runtime_set_config(config_t *cfg);

/* a counted reference to what runtime_config() answers on this thread */
const config_t *runtime_acquire(void);
void runtime_release(const config_t *cfg);
/* runtime_config() on this thread answers cfg (held by the caller) until
 * runtime_use(NULL) */
void runtime_use(const config_t *cfg);

/* ---- reader threads ---- */
void runtime_reader_register(void);   /* at the thread's start */
void runtime_reader_unregister(void); /* before it ends */
/* nothing borrowed is held past here (between rounds of callbacks) */
void runtime_quiescent(void);
/* around a wait that reads nothing (the fetcher's poll): offline, a reader
 * holds no borrow and does not delay freeing; online borrows again */
void runtime_reader_offline(void);
void runtime_reader_online(void);

/* configurations in memory: the current one and the replaced ones still
 * read or held (/-/metrics, tests) */
size_t runtime_configs_live(void);
/* frees every configuration the runtime owns (at exit, once no thread reads) */
void runtime_shutdown(void);

#endif
