/* analysis_bench: how long cordon's archive analysis takes and how much
 * memory it adds, against GNU tar listing the same archive (a peer doing
 * the least anyone can: decompress and walk the headers).
 *
 *   a 50 MB npm tarball of 10,000 files   target: <= 300 ms, <= 32 MB extra RSS
 *   a typical 100 kB npm tarball          target: <= 10 ms added to a first fetch
 *
 * The archives are generated here (compressible text, gzip level 1) in a
 * temporary directory; each measurement is the median of several runs.
 * Prints a table; exits 0 (a benchmark reports, it does not judge). */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis/artifact.h"
#include "analysis/contents.h"
#include "core/config.h"
#include "ecosystems/eco_ids.h"
#include "tests/unit/archive_writer.h"

extern char **environ;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long rss_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* n files of about size bytes each under package/, plus package.json */
static void make_tarball(const char *path, int n, size_t size, const char *manifest)
{
    struct archive *a = w_new(TGZ, NULL, path);
    w_file(a, "package/package.json", manifest);
    char *text = malloc(size + 1);
    unsigned seed = 7;
    for (int i = 0; i < n; i++) {
        for (size_t k = 0; k < size; k++) {
            seed = seed * 1103515245u + 12345u;
            /* code-like text: compresses about 3:1, like real packages */
            text[k] = (k % 64 == 63) ? '\n' : "abcdefghijklmnopqrstuvwxyz (){};=.,_ 0123456789"[(seed >> 16) % 48];
        }
        char name[64];
        snprintf(name, sizeof(name), "package/lib/m%04d/f%05d.js", i / 100, i);
        w_entry(a, name, AE_IFREG, NULL, 0, text, (int64_t)size);
    }
    free(text);
    w_close(a);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return v[n / 2];
}

/* listed: with the listing every fetched artifact gets (each entry hashed), as cordon runs it */
static double time_cordon(const char *path, const char *manifest, const analysis_config_t *cfg, int runs,
                          int listed, unsigned *mask)
{
    double t[16];
    for (int r = 0; r < runs; r++) {
        artifact_job_t *j = artifact_job_new(ECO_NPM, "bench", "1.0.0", "bench-1.0.0.tgz", manifest, strlen(manifest));
        findings_t f;
        findings_clear(&f);
        contents_t listing;
        contents_init(&listing);
        double t0 = now_ms();
        artifact_analyse(j, path, cfg, &f, listed ? &listing : NULL);
        t[r] = now_ms() - t0;
        contents_free(&listing);
        *mask = f.mask;
        artifact_job_free(j);
    }
    return median(t, runs);
}

static double time_tar(const char *path, int runs)
{
    double t[16];
    char *argv[] = {"tar", "-tzf", (char *)path, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1 /* O_WRONLY */, 0);
    for (int r = 0; r < runs; r++) {
        pid_t pid;
        int st = 0;
        double t0 = now_ms();
        if (posix_spawnp(&pid, "tar", &fa, NULL, argv, environ) != 0)
            return -1;
        waitpid(pid, &st, 0);
        t[r] = now_ms() - t0;
    }
    posix_spawn_file_actions_destroy(&fa);
    return median(t, runs);
}

int main(void)
{
    char dir[] = "/tmp/cordon-bench-analysis-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    config_t cfg;
    config_defaults(&cfg);
    const char *manifest = "{\"name\":\"bench\",\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"^1.0.0\"}}";
    char big[128], small[128];
    snprintf(big, sizeof(big), "%s/big.tgz", dir);
    snprintf(small, sizeof(small), "%s/small.tgz", dir);
    make_tarball(big, 10000, 5000, manifest);  /* 50 MB uncompressed */
    make_tarball(small, 40, 2500, manifest);   /* ~100 kB uncompressed */

    unsigned mask = 0;
    long rss0 = rss_hwm_kb();
    double big_ms = time_cordon(big, manifest, &cfg.analysis, 5, 1, &mask);
    long rss_extra = rss_hwm_kb() - rss0;
    double big_unlisted = time_cordon(big, manifest, &cfg.analysis, 5, 0, &mask);
    double big_tar = time_tar(big, 5);
    double small_ms = time_cordon(small, manifest, &cfg.analysis, 15, 1, &mask);
    double small_tar = time_tar(small, 15);

    printf("archive analysis (cordon: libarchive walk + package.json comparison; peer: tar -tzf, a new process)\n");
    printf("%-36s %10s %10s %8s %s\n", "workload", "cordon ms", "tar ms", "ratio", "target");
    printf("%-36s %10.1f %10.1f %8.2f %s\n", "npm tarball, 50 MB / 10,000 files", big_ms, big_tar,
           big_tar > 0 ? big_ms / big_tar : 0, "<= 300 ms");
    printf("%-36s %10.2f %10.2f %8.2f %s\n", "npm tarball, ~100 kB / 40 files", small_ms, small_tar,
           small_tar > 0 ? small_ms / small_tar : 0, "<= 10 ms added to a first fetch");
    printf("the 50 MB tarball without the listing (no entry hashed): %.1f ms; the listing costs %.1f ms\n",
           big_unlisted, big_ms - big_unlisted);
    printf("extra RSS while analysing the 50 MB tarball: %.1f MB (target <= 32 MB); findings on the honest "
           "tarballs: %s\n",
           rss_extra / 1024.0, mask ? "SOME (unexpected)" : "none");
    config_free(&cfg);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
