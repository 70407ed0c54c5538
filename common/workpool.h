/* workpool: the process's one pool of worker threads, for work an event
 * loop must not wait for: analysing an artifact (CPU), checking a lockfile
 * (which also waits for upstream). Results go back to whoever asked through
 * their own means (an event loop's loop_post, http/loop.h; a flight).
 *
 * The pool has a fixed number of threads (`workers:` in the configuration,
 * 2 by default). Each job belongs to a class that says how many of its kind
 * may run at once; a worker takes the oldest queued job whose class is
 * below its limit. A class limited to "all threads but one" (max -1) leaves
 * a thread to the others: slow jobs of one kind (lockfile checks waiting
 * for upstream) cannot starve another (analysis), and the other way round.
 * Admission (refusing work beyond a limit, 503) is the submitter's: the
 * pool queues whatever it is given. */
#ifndef CORDON_WORKPOOL_H
#define CORDON_WORKPOOL_H

#include <stddef.h>

typedef struct workpool_class {
    const char *name; /* for messages */
    /* jobs of this class running at once: max > 0 that many; max <= 0 the
     * pool's threads + max (0 all, -1 all but one), at least 1 */
    int max;
    int running;      /* the pool's, under its lock */
} workpool_class_t;

typedef void (*workpool_fn)(void *arg);

#define WORKPOOL_THREADS_DEFAULT 2
#define WORKPOOL_THREADS_MAX 64

/* n threads (1 to WORKPOOL_THREADS_MAX); 0, or -1 when none could be started */
int workpool_start(int n);
/* runs what is queued, then joins the threads; later submissions run at once */
void workpool_stop(void);
/* Runs fn(arg) once on a worker thread. Without a running pool (tools,
 * tests, after stop) it runs here, before workpool_submit returns. */
void workpool_submit(workpool_class_t *cls, workpool_fn fn, void *arg);
/* jobs of cls queued or running (tests, metrics) */
size_t workpool_pending(const workpool_class_t *cls);

#endif
