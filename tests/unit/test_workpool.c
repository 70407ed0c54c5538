/* unit tests: common/workpool.h and loop_post (http/loop.h) — jobs from
 * several event loops run on the pool's threads and each result comes back
 * exactly once, on the thread of the loop that asked; a class never runs
 * more at once than its limit, and a class held up leaves a thread to the
 * other; stopping runs everything queued; without a pool a job runs at
 * once, on the caller's thread. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "common/workpool.h"
#include "common/xalloc.h"
#include "http/loop.h"
#include "tests/unit/test.h"

#define WAIT_MS (120 * 1000) /* a bound against a hang, never reached when it works */

/* ---- jobs from loops back to loops ---- */

#define LOOPS 3
#define JOBS_PER_LOOP 600

typedef struct tloop tloop_t;

typedef struct tjob {
    loop_msg_t msg; /* first */
    tloop_t *origin;
    workpool_class_t *cls;
    atomic_int *running; /* of its class */
    int ran_on_origin;   /* the worker was the origin's thread */
    int delivered;       /* times the origin's loop got it back */
} tjob_t;

struct tloop {
    pthread_t tid;
    cordon_loop_t loop;
    tjob_t jobs[JOBS_PER_LOOP];
    int received;    /* on the loop's thread */
    int wrong_thread; /* results that arrived on another thread */
    int timed_out;
};

static workpool_class_t g_a = {"a", -1, 0}, g_b = {"b", -1, 0};
static atomic_int g_running_a, g_running_b, g_max_a, g_max_b;

static void note_max(atomic_int *max, int v)
{
    int m = atomic_load(max);
    while (v > m && !atomic_compare_exchange_weak(max, &m, v))
        ;
}

static void job_back(loop_msg_t *msg)
{
    tjob_t *j = (tjob_t *)msg;
    if (!pthread_equal(pthread_self(), j->origin->tid))
        j->origin->wrong_thread++;
    j->delivered++;
    j->origin->received++;
}

static void job_run(void *arg)
{
    tjob_t *j = arg;
    int now = atomic_fetch_add(j->running, 1) + 1;
    note_max(j->cls == &g_a ? &g_max_a : &g_max_b, now);
    j->ran_on_origin = pthread_equal(pthread_self(), j->origin->tid);
    for (int i = 0; i < 3; i++)
        sched_yield(); /* long enough for the others to overlap */
    atomic_fetch_sub(j->running, 1);
    loop_post(&j->origin->loop, &j->msg);
}

static void *tloop_main(void *arg)
{
    tloop_t *t = arg;
    h2o_evloop_t *ev = h2o_evloop_create();
    t->loop.queue = h2o_multithread_create_queue(ev);
    loop_init_posts(&t->loop);
    for (int i = 0; i < JOBS_PER_LOOP; i++) {
        tjob_t *j = &t->jobs[i];
        j->msg.fn = job_back;
        j->origin = t;
        j->cls = i % 2 ? &g_a : &g_b;
        j->running = i % 2 ? &g_running_a : &g_running_b;
        workpool_submit(j->cls, job_run, j);
    }
    int64_t deadline = time_now_ms() + WAIT_MS;
    while (t->received < JOBS_PER_LOOP && time_now_ms() < deadline)
        h2o_evloop_run(ev, 50);
    t->timed_out = t->received < JOBS_PER_LOOP;
    /* nothing more may come: one more round shows a duplicate */
    h2o_evloop_run(ev, 0);
    h2o_multithread_unregister_receiver(t->loop.queue, &t->loop.post_receiver);
    h2o_multithread_destroy_queue(t->loop.queue);
    h2o_evloop_destroy(ev);
    return NULL;
}

TEST(results_come_back_once_to_the_loop_that_asked)
{
    CHECK_INT_EQ(workpool_start(3), 0);
    static tloop_t loops[LOOPS];
    memset(loops, 0, sizeof(loops));
    for (int i = 0; i < LOOPS; i++) {
        loops[i].loop.index = i;
        CHECK_INT_EQ(pthread_create(&loops[i].tid, NULL, tloop_main, &loops[i]), 0);
    }
    for (int i = 0; i < LOOPS; i++)
        pthread_join(loops[i].tid, NULL);
    workpool_stop();
    for (int i = 0; i < LOOPS; i++) {
        tloop_t *t = &loops[i];
        CHECK(!t->timed_out);
        CHECK_INT_EQ(t->received, JOBS_PER_LOOP);
        CHECK_INT_EQ(t->wrong_thread, 0);
        int once = 0, on_origin = 0;
        for (int k = 0; k < JOBS_PER_LOOP; k++) {
            once += t->jobs[k].delivered == 1;
            on_origin += t->jobs[k].ran_on_origin;
        }
        CHECK_INT_EQ(once, JOBS_PER_LOOP);
        CHECK_INT_EQ(on_origin, 0); /* every job ran on a worker */
    }
    /* all threads but one: with 3 workers, at most 2 of a class at once */
    CHECK(atomic_load(&g_max_a) >= 1 && atomic_load(&g_max_a) <= 2);
    CHECK(atomic_load(&g_max_b) >= 1 && atomic_load(&g_max_b) <= 2);
    CHECK_INT_EQ(workpool_pending(&g_a), 0);
    CHECK_INT_EQ(workpool_pending(&g_b), 0);
}

/* ---- a class held up leaves a thread to the other ---- */

static pthread_mutex_t g_gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_gate_cond = PTHREAD_COND_INITIALIZER;
static int g_gate_open, g_slow_started, g_fast_done;

static void slow_job(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_gate_lock);
    g_slow_started++;
    pthread_cond_broadcast(&g_gate_cond);
    int64_t deadline = time_now_ms() + WAIT_MS;
    while (!g_gate_open && time_now_ms() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&g_gate_cond, &g_gate_lock, &ts);
    }
    pthread_mutex_unlock(&g_gate_lock);
}

static void fast_job(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_gate_lock);
    g_fast_done++;
    pthread_cond_broadcast(&g_gate_cond);
    pthread_mutex_unlock(&g_gate_lock);
}

/* waits (bounded) until *v reaches want; answers whether it did */
static int wait_for(int *v, int want)
{
    int64_t deadline = time_now_ms() + WAIT_MS;
    pthread_mutex_lock(&g_gate_lock);
    while (*v < want && time_now_ms() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&g_gate_cond, &g_gate_lock, &ts);
    }
    int ok = *v >= want;
    pthread_mutex_unlock(&g_gate_lock);
    return ok;
}

TEST(a_held_up_class_leaves_a_thread_to_the_other)
{
    workpool_class_t slow = {"slow", -1, 0}, fast = {"fast", -1, 0};
    CHECK_INT_EQ(workpool_start(2), 0);
    for (int i = 0; i < 3; i++)
        workpool_submit(&slow, slow_job, NULL);
    CHECK(wait_for(&g_slow_started, 1));
    /* the second worker stays free of slow jobs: the fast ones run */
    for (int i = 0; i < 5; i++)
        workpool_submit(&fast, fast_job, NULL);
    CHECK(wait_for(&g_fast_done, 5));
    pthread_mutex_lock(&g_gate_lock);
    CHECK_INT_EQ(g_slow_started, 1); /* one of the class at once, of 2 workers */
    pthread_mutex_unlock(&g_gate_lock);
    CHECK_INT_EQ(workpool_pending(&slow), 3); /* one running, two queued */
    pthread_mutex_lock(&g_gate_lock);
    g_gate_open = 1;
    pthread_cond_broadcast(&g_gate_cond);
    pthread_mutex_unlock(&g_gate_lock);
    workpool_stop();
    CHECK_INT_EQ(g_slow_started, 3);
    CHECK_INT_EQ(workpool_pending(&slow), 0);
    CHECK_INT_EQ(workpool_pending(&fast), 0);
}

/* ---- stopping drains; no pool runs here ---- */

static atomic_int g_counted;
static pthread_t g_caller;
static int g_ran_on_caller;

static void count_job(void *arg)
{
    (void)arg;
    atomic_fetch_add(&g_counted, 1);
}

static void where_job(void *arg)
{
    (void)arg;
    g_ran_on_caller = pthread_equal(pthread_self(), g_caller);
}

TEST(stop_runs_everything_queued)
{
    workpool_class_t c = {"count", 1, 0};
    CHECK_INT_EQ(workpool_start(2), 0);
    for (int i = 0; i < 2000; i++)
        workpool_submit(&c, count_job, NULL);
    workpool_stop();
    CHECK_INT_EQ(atomic_load(&g_counted), 2000);
    CHECK_INT_EQ(workpool_pending(&c), 0);
    /* after stop: at once, here */
    g_caller = pthread_self();
    workpool_submit(&c, where_job, NULL);
    CHECK(g_ran_on_caller);
    /* and a pool can start again */
    CHECK_INT_EQ(workpool_start(2), 0);
    g_ran_on_caller = -1;
    workpool_submit(&c, where_job, NULL);
    workpool_stop();
    CHECK_INT_EQ(g_ran_on_caller, 0);
}

int main(void)
{
    RUN(results_come_back_once_to_the_loop_that_asked);
    RUN(a_held_up_class_leaves_a_thread_to_the_other);
    RUN(stop_runs_everything_queued);
    return test_report();
}
