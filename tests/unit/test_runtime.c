/* unit tests: core/runtime.h — a replaced configuration is freed once no
 * reader can hold it borrowed and no reference is held, and not before;
 * offline readers delay nothing; runtime_use answers the held one; and
 * under readers, holders and a publisher replacing it thousands of times
 * nothing replaced outlives the threads that could read it (ASan sees any
 * use after free). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "core/config.h"
#include "core/runtime.h"
#include "tests/unit/test.h"

/* a configuration that says which one it is in its thread count */
static config_t *make(int n)
{
    config_t *c = xcalloc(1, sizeof(*c));
    config_defaults(c);
    config_set_str(&c->path, "runtime-test.yaml");
    c->threads = n;
    return c;
}

/* ---- a reader thread driven step by step ---- */

typedef enum { R_IDLE, R_BORROW, R_QUIESCE, R_OFFLINE, R_ONLINE, R_EXIT } step_t;

typedef struct stepper {
    pthread_t tid;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    step_t step;
    int done;        /* steps finished */
    int seen;        /* threads of the configuration it borrowed */
} stepper_t;

static void *stepper_main(void *arg)
{
    stepper_t *s = arg;
    runtime_reader_register();
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (s->step == R_IDLE)
            pthread_cond_wait(&s->cond, &s->lock);
        step_t st = s->step;
        if (st == R_EXIT)
            break;
        if (st == R_BORROW)
            s->seen = runtime_config()->threads;
        else if (st == R_QUIESCE)
            runtime_quiescent();
        else if (st == R_OFFLINE)
            runtime_reader_offline();
        else if (st == R_ONLINE)
            runtime_reader_online();
        s->step = R_IDLE;
        s->done++;
        pthread_cond_broadcast(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
    runtime_reader_unregister();
    return NULL;
}

static void step(stepper_t *s, step_t st)
{
    pthread_mutex_lock(&s->lock);
    int want = s->done + 1;
    s->step = st;
    pthread_cond_broadcast(&s->cond);
    while (st != R_EXIT && s->done < want)
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

static void stepper_start(stepper_t *s)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    pthread_create(&s->tid, NULL, stepper_main, s);
    step(s, R_QUIESCE); /* registered */
}

static void stepper_stop(stepper_t *s)
{
    step(s, R_EXIT);
    pthread_join(s->tid, NULL);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
}

TEST(replaced_freed_when_unread)
{
    runtime_publish(make(1));
    CHECK_INT_EQ(runtime_config()->threads, 1);
    CHECK_INT_EQ(runtime_configs_live(), 1);
    /* no reader, no reference: the replaced one goes at once */
    runtime_publish(make(2));
    CHECK_INT_EQ(runtime_configs_live(), 1);
    CHECK_INT_EQ(runtime_config()->threads, 2);
    runtime_shutdown();
    CHECK_INT_EQ(runtime_configs_live(), 0);
    CHECK(runtime_config() == NULL);
}

TEST(borrow_lasts_until_quiescent)
{
    stepper_t r;
    runtime_publish(make(1));
    stepper_start(&r);
    step(&r, R_BORROW);
    CHECK_INT_EQ(r.seen, 1);
    runtime_publish(make(2));
    /* the reader may still hold configuration 1 */
    CHECK_INT_EQ(runtime_configs_live(), 2);
    runtime_publish(make(3));
    CHECK_INT_EQ(runtime_configs_live(), 3);
    step(&r, R_QUIESCE);
    CHECK_INT_EQ(runtime_configs_live(), 1);
    step(&r, R_BORROW);
    CHECK_INT_EQ(r.seen, 3); /* after its quiescent point it reads the new one */
    /* offline: it holds nothing, delays nothing */
    step(&r, R_OFFLINE);
    runtime_publish(make(4));
    CHECK_INT_EQ(runtime_configs_live(), 1);
    step(&r, R_ONLINE);
    step(&r, R_BORROW);
    CHECK_INT_EQ(r.seen, 4);
    runtime_publish(make(5));
    CHECK_INT_EQ(runtime_configs_live(), 2);
    /* a reader that ends holds nothing any more */
    stepper_stop(&r);
    CHECK_INT_EQ(runtime_configs_live(), 1);
    runtime_shutdown();
}

TEST(reference_keeps_it)
{
    runtime_publish(make(1));
    const config_t *held = runtime_acquire();
    CHECK(held != NULL && held->threads == 1);
    runtime_publish(make(2));
    runtime_publish(make(3));
    CHECK_INT_EQ(runtime_configs_live(), 2); /* 3, and the held 1 */
    CHECK_INT_EQ(held->threads, 1);
    /* runtime_use: this thread reads the held one */
    runtime_use(held);
    CHECK_INT_EQ(runtime_config()->threads, 1);
    const config_t *again = runtime_acquire(); /* counts what runtime_config answers */
    CHECK(again == held);
    runtime_use(NULL);
    CHECK_INT_EQ(runtime_config()->threads, 3);
    runtime_release(held);
    CHECK_INT_EQ(runtime_configs_live(), 2);
    runtime_release(again);
    CHECK_INT_EQ(runtime_configs_live(), 1);
    /* the current one held and replaced later */
    held = runtime_acquire();
    runtime_publish(make(4));
    CHECK_INT_EQ(runtime_configs_live(), 2);
    runtime_release(held);
    CHECK_INT_EQ(runtime_configs_live(), 1);
    runtime_release(NULL); /* nothing */
    runtime_shutdown();
}

TEST(set_config_does_not_take_it)
{
    config_t mine;
    config_defaults(&mine);
    mine.threads = 9;
    runtime_set_config(&mine);
    CHECK_INT_EQ(runtime_config()->threads, 9);
    runtime_publish(make(1)); /* replaces mine without freeing it */
    CHECK_INT_EQ(mine.threads, 9);
    CHECK_INT_EQ(runtime_configs_live(), 1);
    runtime_shutdown();
    config_free(&mine);
}

/* ---- stress: readers, holders and a publisher at once ---- */

#define STRESS_READERS 3
#define STRESS_HOLDERS 2
#define STRESS_PUBLISH 3000
static atomic_int g_running;

typedef struct counts {
    atomic_long reads;
    long bad;
} counts_t;

static int plausible(const config_t *c)
{
    return c && c->path && strcmp(c->path, "runtime-test.yaml") == 0 && c->threads >= 1 && c->nlisten == 1 &&
           c->listen[0] && c->listen[0][0] == '1';
}

static void *stress_reader(void *arg)
{
    counts_t *k = arg;
    runtime_reader_register();
    while (atomic_load(&g_running)) {
        for (int i = 0; i < 8; i++) {
            const config_t *c = runtime_config();
            k->bad += !plausible(c);
            atomic_fetch_add(&k->reads, 1);
        }
        runtime_quiescent();
    }
    runtime_reader_unregister();
    return NULL;
}

static void *stress_holder(void *arg)
{
    counts_t *k = arg;
    while (atomic_load(&g_running)) {
        const config_t *c = runtime_acquire();
        runtime_use(c);
        for (int i = 0; i < 50; i++) {
            k->bad += runtime_config() != c || !plausible(c);
            atomic_fetch_add(&k->reads, 1);
        }
        runtime_use(NULL);
        runtime_release(c);
    }
    return NULL;
}

TEST(stress_stays_flat)
{
    runtime_publish(make(1));
    pthread_t t[STRESS_READERS + STRESS_HOLDERS];
    counts_t k[STRESS_READERS + STRESS_HOLDERS];
    memset(k, 0, sizeof(k));
    atomic_store(&g_running, 1);
    for (int i = 0; i < STRESS_READERS + STRESS_HOLDERS; i++)
        pthread_create(&t[i], NULL, i < STRESS_READERS ? stress_reader : stress_holder, &k[i]);
    size_t most = 0;
    int n = 1;
    /* at least STRESS_PUBLISH, and on until every thread read a while
     * (on a busy machine they may not have run yet) */
    for (int all_read = 0; n <= STRESS_PUBLISH || !all_read;) {
        runtime_publish(make(++n));
        size_t live = runtime_configs_live();
        if (live > most)
            most = live;
        all_read = 1;
        for (int i = 0; i < STRESS_READERS + STRESS_HOLDERS; i++)
            all_read &= atomic_load(&k[i].reads) >= 1000;
        if (!all_read && n > STRESS_PUBLISH)
            sched_yield();
    }
    atomic_store(&g_running, 0);
    long reads = 0, bad = 0;
    for (int i = 0; i < STRESS_READERS + STRESS_HOLDERS; i++) {
        pthread_join(t[i], NULL);
        reads += atomic_load(&k[i].reads);
        bad += k[i].bad;
    }
    CHECK(reads > 0);
    CHECK_INT_EQ(bad, 0);
    /* everything replaced is gone once every thread stopped reading */
    CHECK_INT_EQ(runtime_configs_live(), 1);
    CHECK_INT_EQ(runtime_config()->threads, n);
    /* while it ran, what a reader's round spans stays (how many depends on
     * the scheduler, so it is shown, not asserted) */
    printf("# at most %zu configurations live during %d publications\n", most, n - 1);
    runtime_shutdown();
}

int main(void)
{
    RUN(replaced_freed_when_unread);
    RUN(borrow_lasts_until_quiescent);
    RUN(reference_keeps_it);
    RUN(set_config_does_not_take_it);
    RUN(stress_stays_flat);
    return test_report();
}
