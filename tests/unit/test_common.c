/* unit tests: common/vec.h (growth, failure leaves the vector whole),
 * common/pct.h (the one percent-decoder, strict and lenient), common/hex.h,
 * and common/xalloc.h (a failed allocation ends the process with a message). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/hex.h"
#include "common/pct.h"
#include "common/vec.h"
#include "common/xalloc.h"
#include "tests/unit/test.h"

typedef struct pair {
    int a;
    char *s;
} pair_t;

TEST(vec_push_and_add)
{
    VEC(int) v = VEC_INIT;
    for (int i = 0; i < 1000; i++)
        CHECK_INT_EQ(vec_push(&v, i * 3), 0);
    CHECK_INT_EQ(v.n, 1000);
    CHECK(v.cap >= 1000 && v.cap < 2048);
    int ok = 1;
    for (int i = 0; i < 1000; i++)
        ok &= v.v[i] == i * 3;
    CHECK(ok);
    vec_free(&v);
    CHECK(v.v == NULL && v.n == 0 && v.cap == 0);

    VEC(pair_t) ps = VEC_INIT;
    for (int i = 0; i < 20; i++) {
        pair_t *p = vec_add(&ps);
        CHECK(p != NULL);
        if (p == NULL)
            break;
        CHECK(p->a == 0 && p->s == NULL); /* a new element is zeroed */
        p->a = i;
        p->s = xstrdup("x");
    }
    CHECK_INT_EQ(ps.n, 20);
    CHECK_INT_EQ(ps.v[19].a, 19);
    for (size_t i = 0; i < ps.n; i++)
        free(ps.v[i].s);
    vec_free(&ps);
}

TEST(vec_reserve_overflow_leaves_vector)
{
    VEC(uint64_t) v = VEC_INIT;
    CHECK_INT_EQ(vec_push(&v, 7), 0);
    uint64_t *before = v.v;
    size_t cap = v.cap;
    /* more elements than size_t bytes can hold: refused, nothing changes */
    CHECK_INT_EQ(vec_reserve(&v, SIZE_MAX / 4), -1);
    CHECK(v.v == before && v.cap == cap && v.n == 1 && v.v[0] == 7);
    CHECK_INT_EQ(vec_reserve(&v, 100), 0);
    CHECK(v.cap >= 100 && v.n == 1 && v.v[0] == 7);
    vec_free(&v);
}

static ssize_t dec(const char *in, char *out, size_t outlen, unsigned flags)
{
    return pct_decode(in, strlen(in), out, outlen, flags);
}

TEST(pct_decode_strict)
{
    char out[64];
    CHECK_INT_EQ(dec("%40scope%2Fname", out, sizeof(out), 0), 11);
    CHECK_STR_EQ(out, "@scope/name");
    CHECK_INT_EQ(dec("a+b%20c", out, sizeof(out), 0), 5);
    CHECK_STR_EQ(out, "a+b c");
    CHECK_INT_EQ(dec("a+b%2Bc", out, sizeof(out), PCT_PLUS), 5);
    CHECK_STR_EQ(out, "a b+c"); /* only a literal '+' is a space */
    CHECK_INT_EQ(dec("", out, sizeof(out), 0), 0);
    CHECK_STR_EQ(out, "");
    /* bad escapes: not hex, cut off at the end, a NUL */
    CHECK_INT_EQ(dec("%zz", out, sizeof(out), 0), -1);
    CHECK_INT_EQ(dec("ab%4", out, sizeof(out), 0), -1);
    CHECK_INT_EQ(dec("ab%", out, sizeof(out), 0), -1);
    CHECK_INT_EQ(dec("a%00b", out, sizeof(out), 0), -1);
    CHECK_INT_EQ(pct_decode("a\0b", 3, out, sizeof(out), 0), -1);
    /* no room: the NUL counts */
    CHECK_INT_EQ(dec("abcd", out, 4, 0), -1);
    CHECK_INT_EQ(dec("abcd", out, 5, 0), 4);
    CHECK_INT_EQ(dec("%41%42%43", out, 4, 0), 3);
    CHECK_STR_EQ(out, "ABC");
    CHECK_INT_EQ(dec("x", out, 0, 0), -1);
    /* only the n bytes given are read */
    CHECK_INT_EQ(pct_decode("ab%41", 3, out, sizeof(out), 0), -1);
    CHECK_INT_EQ(pct_decode("ab%41zz", 5, out, sizeof(out), 0), 3);
    CHECK_STR_EQ(out, "abA");
}

TEST(pct_decode_lenient_in_place)
{
    char s[64];
    snprintf(s, sizeof(s), "a@npm%%3A1.2.3%%zz%%4%%00%%");
    CHECK_INT_EQ(pct_decode(s, strlen(s), s, sizeof(s), PCT_LENIENT), 20);
    CHECK_STR_EQ(s, "a@npm:1.2.3%zz%4%00%");
}

TEST(pct_byte)
{
    const char *p = "a%2fb%g0";
    size_t i = 0, n = strlen(p);
    CHECK_INT_EQ(pct_byte(p, n, &i), 'a');
    CHECK_INT_EQ(i, 1);
    CHECK_INT_EQ(pct_byte(p, n, &i), '/');
    CHECK_INT_EQ(i, 4);
    CHECK_INT_EQ(pct_byte(p, n, &i), 'b');
    CHECK_INT_EQ(pct_byte(p, n, &i), -1);
    CHECK_INT_EQ(i, 5); /* not moved past a bad escape */
}

TEST(hex)
{
    const unsigned char raw[] = {0x00, 0x7f, 0xa5, 0xff};
    char out[9];
    hex_encode(raw, sizeof(raw), out);
    CHECK_STR_EQ(out, "007fa5ff");
    hex_encode(raw, 0, out);
    CHECK_STR_EQ(out, "");
    unsigned char back[4];
    CHECK_INT_EQ(hex_decode("007FA5ff", 8, back, 4), 0);
    CHECK(memcmp(back, raw, 4) == 0);
    CHECK_INT_EQ(hex_decode("007fa5f", 7, back, 4), -1);   /* odd */
    CHECK_INT_EQ(hex_decode("007fa5ff00", 10, back, 4), -1); /* longer than out */
    CHECK_INT_EQ(hex_decode("007fa5fg", 8, back, 4), -1);
    CHECK_INT_EQ(hex_value('0'), 0);
    CHECK_INT_EQ(hex_value('F'), 15);
    CHECK_INT_EQ(hex_value('f'), 15);
    CHECK_INT_EQ(hex_value('g'), -1);
    CHECK_INT_EQ(hex_value('/'), -1);
    CHECK_INT_EQ(hex_is("0123456789abcdefABCDEF", 22), 1);
    CHECK_INT_EQ(hex_is("12x4", 4), 0);
    CHECK_INT_EQ(hex_is("", 0), 1);
    CHECK_INT_EQ(HEX_UPPER[10], 'A');
}

TEST(xstr)
{
    char *a = xstrdup("lodash");
    CHECK_STR_EQ(a, "lodash");
    char *b = xstrndup("lodash@4", 6);
    CHECK_STR_EQ(b, "lodash");
    char *c = xstrndup("ab", 10); /* shorter than n: stops at the NUL */
    CHECK_STR_EQ(c, "ab");
    free(a);
    free(b);
    free(c);
    int *z = xcalloc(4, sizeof(int));
    CHECK(z[0] == 0 && z[3] == 0);
    z = xrealloc(z, 1000 * sizeof(int));
    z[999] = 1;
    CHECK_INT_EQ(z[999], 1);
    free(z);
}

/* the child run by xalloc_failure_aborts: an allocation that cannot succeed */
static int xalloc_child(void)
{
    void *p = xmalloc(SIZE_MAX / 2);
    printf("xmalloc returned %p\n", p);
    return 0;
}

/* A failed xmalloc prints one line and aborts (the policy in xalloc.h). The
 * child is this program again, so that ASan or TSan may be told to let
 * malloc return NULL instead of reporting the size itself. */
TEST(xalloc_failure_aborts)
{
    int fds[2];
    CHECK_INT_EQ(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        static const char *const sanitizers[] = {"ASAN_OPTIONS", "TSAN_OPTIONS"};
        for (size_t i = 0; i < sizeof(sanitizers) / sizeof(sanitizers[0]); i++) {
            const char *old = getenv(sanitizers[i]);
            char opts[1024];
            snprintf(opts, sizeof(opts), "%s%sallocator_may_return_null=1", old ? old : "", old && *old ? ":" : "");
            setenv(sanitizers[i], opts, 1);
        }
        execl("/proc/self/exe", "test_common", "--xalloc-child", (char *)NULL);
        _exit(99);
    }
    close(fds[1]);
    char out[4096];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof(out) - 1 && (n = read(fds[0], out + got, sizeof(out) - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(fds[0]);
    int st = 0;
    CHECK_INT_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
    CHECK(strstr(out, "cordon: out of memory (") != NULL);
    CHECK(strstr(out, "xmalloc returned") == NULL);
    if (strstr(out, "cordon: out of memory (") == NULL)
        fprintf(stderr, "child said: %s\n", out);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--xalloc-child") == 0)
        return xalloc_child();
    RUN(vec_push_and_add);
    RUN(vec_reserve_overflow_leaves_vector);
    RUN(pct_decode_strict);
    RUN(pct_decode_lenient_in_place);
    RUN(pct_byte);
    RUN(hex);
    RUN(xstr);
    RUN(xalloc_failure_aborts);
    return test_report();
}
