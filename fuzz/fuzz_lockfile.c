/* fuzz_lockfile: "<format byte><text>" — the first byte picks the format
 * (byte % LOCK_FORMAT_COUNT: auto, npm, yarn, pnpm, pip, maven), the rest is
 * the lockfile. Checks beyond "no crash": lockfile_parse either returns 0
 * with a consistent list — the asked-for (or detected) format, entries
 * strictly ascending by (ecosystem, package, version), every package and
 * version non-empty, integrity and resolved non-NULL, the ecosystem the
 * format's, direct/dev 0 or 1, line >= 0 — or -1 with a non-empty,
 * terminated error and no entries; lockfile_free is always safe (and safe
 * twice). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lockfile.h"
#include "ecosystems/eco_ids.h"

static void fail(const char *what, const lockfile_t *lf, size_t i)
{
    fprintf(stderr, "%s", what);
    if (lf && i < lf->n)
        fprintf(stderr, ": entry %zu \"%s\" \"%s\"", i, lf->entries[i].package ? lf->entries[i].package : "(null)",
                lf->entries[i].version ? lf->entries[i].version : "(null)");
    fprintf(stderr, "\n");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    lock_format_t format = (lock_format_t)(data[0] % LOCK_FORMAT_COUNT);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    lock_format_t detected = lockfile_detect(text, len);
    if (detected >= LOCK_FORMAT_COUNT)
        fail("lockfile_detect out of range", NULL, 0);

    lockfile_t lf;
    char err[512];
    memset(err, 'x', sizeof(err));
    int rc = lockfile_parse(text, len, format, &lf, err, sizeof(err));
    if (memchr(err, '\0', sizeof(err)) == NULL)
        fail("error not terminated", NULL, 0);
    if (rc != 0) {
        if (rc != -1)
            fail("lockfile_parse returned neither 0 nor -1", NULL, 0);
        if (err[0] == '\0')
            fail("failed without an error message", NULL, 0);
        if (lf.n != 0)
            fail("entries left after an error", NULL, 0);
    } else {
        lock_format_t want = format == LOCK_AUTO ? detected : format;
        if (lf.format != want || lf.format == LOCK_AUTO)
            fail("wrong format", NULL, 0);
        eco_id_t eco = lf.format == LOCK_PIP ? ECO_PYPI : lf.format == LOCK_MAVEN ? ECO_MAVEN : ECO_NPM;
        if (lf.n > 0 && lf.entries == NULL)
            fail("entries missing", NULL, 0);
        for (size_t i = 0; i < lf.n; i++) {
            const lock_entry_t *e = &lf.entries[i];
            if (e->eco != eco)
                fail("wrong ecosystem", &lf, i);
            if (e->package == NULL || e->package[0] == '\0' || e->version == NULL || e->version[0] == '\0')
                fail("empty package or version", &lf, i);
            if (e->integrity == NULL || e->resolved == NULL)
                fail("NULL integrity or resolved", &lf, i);
            if ((e->direct != 0 && e->direct != 1) || (e->dev != 0 && e->dev != 1) || e->line < 0)
                fail("direct/dev/line out of range", &lf, i);
            if (i > 0) {
                const lock_entry_t *p = &lf.entries[i - 1];
                int c = p->eco != e->eco ? (p->eco < e->eco ? -1 : 1) : strcmp(p->package, e->package);
                if (c == 0)
                    c = strcmp(p->version, e->version);
                if (c >= 0)
                    fail("entries not strictly sorted", &lf, i);
            }
        }
    }
    lockfile_free(&lf);
    lockfile_free(&lf);
    return 0;
}
