/* workpool: the process's one pool of worker threads, for work an event
 * loop must not wait for: analysing an artifact (CPU), checking a lockfile
 * (which also waits for upstream). Results go back to whoever asked through
 * their own means (an event loop's loop_post, http/loop.h; a flight).
 *
 * Each job belongs to a class that says how many of its kind may run at
 * once; a worker takes the oldest queued job whose class is below its limit.
 * The pool is started with as many threads as the limits add up to, so a
 * job never waits for a thread while its class has room: a class of slow
 * jobs (lockfile checks waiting for upstream) cannot starve another
 * (analysis), and each kind runs exactly as many at once as it did on
 * threads of its own. Admission (refusing work beyond a limit, 503) is the
 * submitter's: the pool queues whatever it is given. */
#ifndef CORDON_WORKPOOL_H
#define CORDON_WORKPOOL_H

#include <stddef.h>

typedef struct workpool_class {
    const char *name; /* for messages */
    int max;          /* jobs of this class running at once (at least 1) */
    int running;      /* the pool's, under its lock */
} workpool_class_t;

typedef void (*workpool_fn)(void *arg);

/* n threads (1 to 64); 0, or -1 when none could be started */
int workpool_start(int n);
/* runs what is queued, then joins the threads; later submissions run at once */
void workpool_stop(void);
/* Runs fn(arg) once on a worker thread. Without a running pool (tools,
 * tests, after stop) it runs here, before workpool_submit returns. */
void workpool_submit(workpool_class_t *cls, workpool_fn fn, void *arg);
/* jobs of cls queued or running (tests, metrics) */
size_t workpool_pending(const workpool_class_t *cls);

#endif
