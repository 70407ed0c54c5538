/* workpool: one FIFO of jobs under a mutex, n threads taking from it the
 * oldest job whose class has room (see workpool.h). */
#include "common/workpool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/xalloc.h"

typedef struct job {
    workpool_class_t *cls;
    workpool_fn fn;
    void *arg;
    struct job *next;
} job_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static job_t *g_head;
static int g_stop, g_nthreads, g_running; /* g_running: the pool takes jobs */
static pthread_t g_threads[WORKPOOL_THREADS_MAX];

static int limit_locked(const workpool_class_t *cls)
{
    int n = cls->max > 0 ? cls->max : g_nthreads + cls->max;
    return n > 0 ? n : 1;
}

/* the oldest job whose class may run one more, unlinked; NULL when none */
static job_t *take_locked(void)
{
    for (job_t **pp = &g_head; *pp; pp = &(*pp)->next) {
        job_t *j = *pp;
        if (j->cls->running < limit_locked(j->cls)) {
            *pp = j->next;
            j->cls->running++;
            return j;
        }
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    pthread_mutex_lock(&g_lock);
    for (;;) {
        job_t *j = take_locked();
        if (j == NULL) {
            if (g_stop && g_head == NULL)
                break;
            pthread_cond_wait(&g_wake, &g_lock);
            continue;
        }
        pthread_mutex_unlock(&g_lock);
        j->fn(j->arg);
        pthread_mutex_lock(&g_lock);
        j->cls->running--;
        free(j);
        /* a job of this class may have waited for the room it left */
        pthread_cond_broadcast(&g_wake);
    }
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

int workpool_start(int n)
{
    if (n < 1)
        n = 1;
    if (n > WORKPOOL_THREADS_MAX)
        n = WORKPOOL_THREADS_MAX;
    pthread_mutex_lock(&g_lock);
    g_stop = 0;
    for (g_nthreads = 0; g_nthreads < n; g_nthreads++)
        if (pthread_create(&g_threads[g_nthreads], NULL, worker_main, NULL) != 0)
            break;
    g_running = g_nthreads > 0;
    int rc = g_running ? 0 : -1;
    pthread_mutex_unlock(&g_lock);
    if (rc == 0 && g_nthreads < n)
        fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"the worker pool has %d of %d threads\"}\n", g_nthreads, n);
    return rc;
}

void workpool_stop(void)
{
    pthread_mutex_lock(&g_lock);
    g_stop = 1;
    g_running = 0;
    int n = g_nthreads; /* the limits stay as they were while it drains */
    pthread_cond_broadcast(&g_wake);
    pthread_mutex_unlock(&g_lock);
    for (int i = 0; i < n; i++)
        pthread_join(g_threads[i], NULL);
    pthread_mutex_lock(&g_lock);
    g_nthreads = 0;
    pthread_mutex_unlock(&g_lock);
}

void workpool_submit(workpool_class_t *cls, workpool_fn fn, void *arg)
{
    pthread_mutex_lock(&g_lock);
    if (!g_running) {
        pthread_mutex_unlock(&g_lock);
        fn(arg);
        return;
    }
    job_t *j = xcalloc(1, sizeof(*j));
    j->cls = cls;
    j->fn = fn;
    j->arg = arg;
    job_t **pp = &g_head;
    while (*pp)
        pp = &(*pp)->next;
    *pp = j;
    /* every worker: the one woken must be free to take this class */
    pthread_cond_broadcast(&g_wake);
    pthread_mutex_unlock(&g_lock);
}

size_t workpool_pending(const workpool_class_t *cls)
{
    pthread_mutex_lock(&g_lock);
    size_t n = (size_t)cls->running;
    for (job_t *j = g_head; j; j = j->next)
        n += j->cls == cls;
    pthread_mutex_unlock(&g_lock);
    return n;
}
