/* test.h: a minimal header-only unit test harness.
 *
 *   TEST(name) { CHECK(x > 0); CHECK_STR_EQ(s, "a"); CHECK_INT_EQ(n, 3); }
 *   int main(void) { RUN(name); return test_report(); }
 *
 * Every CHECK counts as one passed or failed check; a failure prints
 * file:line and the values and the test goes on. test_report() prints
 * "N passed, M failed" and returns 1 when anything failed.
 *
 * SKIP("why") ends the current test as skipped, for a case this machine
 * cannot run (never for a failure). With skips and no failure test_report()
 * returns 77, which ctest shows as "Skipped" (SKIP_RETURN_CODE in
 * CMakeLists.txt), not "Passed".
 *
 * RUN_ISOLATED(name) runs a test in a child process, for code that may
 * crash: the test then counts as one check, failed if the child failed a
 * check or died. */
#ifndef CORDON_TEST_H
#define CORDON_TEST_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_SKIP_CODE 77

static int test_passed, test_failed, test_nskipped;
static const char *test_current = "";

#define TEST(name) static void test_##name(void)
#define RUN(name)                                                                                                      \
    do {                                                                                                               \
        test_current = #name;                                                                                          \
        test_##name();                                                                                                 \
    } while (0)

static inline int test_note(int ok, const char *file, int line);

static inline void test_run_isolated(void (*fn)(void), const char *name, const char *file, int line)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        test_failed = 0;
        test_nskipped = 0;
        fn();
        fflush(stderr);
        _exit(test_failed ? 1 : test_nskipped ? TEST_SKIP_CODE : 0);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        st = -1;
    if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == TEST_SKIP_CODE) {
        test_nskipped++;
        return;
    }
    int ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (!test_note(ok, file, line)) {
        if (st != -1 && WIFSIGNALED(st))
            fprintf(stderr, "%s died with signal %d (%s)\n", name, WTERMSIG(st), strsignal(WTERMSIG(st)));
        else
            fprintf(stderr, "%s failed in its child process\n", name);
    }
}

#define RUN_ISOLATED(name)                                                                                             \
    do {                                                                                                               \
        test_current = #name;                                                                                          \
        test_run_isolated(test_##name, #name, __FILE__, __LINE__);                                                     \
    } while (0)

static inline int test_note(int ok, const char *file, int line)
{
    if (ok) {
        test_passed++;
        return 1;
    }
    test_failed++;
    fprintf(stderr, "%s:%d: [%s] FAILED: ", file, line, test_current);
    return 0;
}

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!test_note(!!(cond), __FILE__, __LINE__))                                                                  \
            fprintf(stderr, "%s\n", #cond);                                                                            \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                                             \
    do {                                                                                                               \
        const char *test_a_ = (a), *test_b_ = (b);                                                                     \
        int test_ok_ = (test_a_ == NULL && test_b_ == NULL) ||                                                         \
                       (test_a_ != NULL && test_b_ != NULL && strcmp(test_a_, test_b_) == 0);                          \
        if (!test_note(test_ok_, __FILE__, __LINE__))                                                                  \
            fprintf(stderr, "%s == %s\n    got:  \"%s\"\n    want: \"%s\"\n", #a, #b, test_a_ ? test_a_ : "(null)",    \
                    test_b_ ? test_b_ : "(null)");                                                                     \
    } while (0)

#define CHECK_INT_EQ(a, b)                                                                                             \
    do {                                                                                                               \
        long long test_a_ = (long long)(a), test_b_ = (long long)(b);                                                  \
        if (!test_note(test_a_ == test_b_, __FILE__, __LINE__))                                                        \
            fprintf(stderr, "%s == %s\n    got:  %lld\n    want: %lld\n", #a, #b, test_a_, test_b_);                   \
    } while (0)

/* end the current test as skipped: why is printed */
#define SKIP(why)                                                                                                      \
    do {                                                                                                               \
        test_nskipped++;                                                                                               \
        fprintf(stderr, "%s:%d: [%s] SKIPPED: %s\n", __FILE__, __LINE__, test_current, (why));                         \
        return;                                                                                                        \
    } while (0)

/* the bytes [p, p+n) equal the C string want */
#define CHECK_MEM_EQ(p, n, want)                                                                                       \
    do {                                                                                                               \
        const char *test_p_ = (const char *)(p), *test_w_ = (want);                                                    \
        size_t test_n_ = (size_t)(n);                                                                                  \
        int test_ok_ = test_n_ == strlen(test_w_) && memcmp(test_p_, test_w_, test_n_) == 0;                           \
        if (!test_note(test_ok_, __FILE__, __LINE__))                                                                  \
            fprintf(stderr, "%s\n    got:  \"%.*s\"\n    want: \"%s\"\n", #p, (int)test_n_, test_p_, test_w_);         \
    } while (0)

static inline int test_report(void)
{
    fflush(stderr);
    if (test_nskipped)
        printf("%d passed, %d failed, %d skipped\n", test_passed, test_failed, test_nskipped);
    else
        printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : test_nskipped ? TEST_SKIP_CODE : 0;
}

#endif
