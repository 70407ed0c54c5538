/* Unit tests for review/changes.c's diff (changes_diff_json): pure, on
 * listings built by hand — files added, removed, changed by content alone
 * or by size, unchanged; facts of every kind; a first release; a listing
 * cut at CONTENTS_FILES_MAX; lists shown up to CHANGES_LIST_MAX with whole
 * counts. The answer is checked as JSON with yajl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "analysis/contents.h"
#include "review/changes.h"
#include "tests/unit/test.h"

static void file(contents_t *c, const char *path, int64_t size, unsigned char fill)
{
    unsigned char sha[32];
    memset(sha, fill, sizeof(sha));
    contents_add_file(c, path, 0, size, sha);
}

/* the diff of a and b as a parsed object (wrapped in braces) */
static yajl_val diff(const contents_t *a, const contents_t *b)
{
    buf_t out;
    buf_init(&out);
    buf_putc(&out, '{');
    changes_diff_json(a, b, &out);
    buf_putc(&out, '}');
    char err[200];
    yajl_val v = yajl_tree_parse(buf_cstr(&out), err, sizeof(err));
    if (v == NULL)
        fprintf(stderr, "not JSON (%s): %.500s\n", err, buf_cstr(&out));
    buf_free(&out);
    return v;
}

static yajl_val at(yajl_val v, const char *a, const char *b)
{
    const char *path[] = {a, b, NULL};
    return yajl_tree_get(v, path, yajl_t_any);
}

static size_t len(yajl_val arr) { return YAJL_IS_ARRAY(arr) ? arr->u.array.len : (size_t)-1; }

static const char *str(yajl_val arr, size_t i, const char *key)
{
    if (!YAJL_IS_ARRAY(arr) || i >= arr->u.array.len)
        return "";
    const char *path[] = {key, NULL};
    yajl_val s = yajl_tree_get(arr->u.array.values[i], path, yajl_t_string);
    return s ? s->u.string : "";
}

static long long num(yajl_val v, const char *a, const char *b)
{
    yajl_val n = at(v, a, b);
    return YAJL_IS_INTEGER(n) ? YAJL_GET_INTEGER(n) : -1;
}

TEST(files_and_facts)
{
    contents_t a, b;
    contents_init(&a);
    contents_init(&b);
    file(&a, "p/same.js", 10, 1);
    file(&a, "p/gone.md", 5, 2);
    file(&a, "p/content.js", 7, 3);
    file(&a, "p/size.js", 7, 4);
    file(&b, "p/size.js", 9, 4);
    file(&b, "p/same.js", 10, 1);
    file(&b, "p/content.js", 7, 9); /* the same size, other bytes */
    file(&b, "p/new.js", 3, 5);
    contents_add_fact(&a, CONTENTS_DEPENDENCY, "kept", "^1");
    contents_add_fact(&a, CONTENTS_DEPENDENCY, "bumped", "^1");
    contents_add_fact(&a, CONTENTS_DEPENDENCY, "dropped", "2");
    contents_add_fact(&b, CONTENTS_DEPENDENCY, "bumped", "^2");
    contents_add_fact(&b, CONTENTS_DEPENDENCY, "kept", "^1");
    contents_add_fact(&b, CONTENTS_DEPENDENCY, "fresh", "1.0.0");
    contents_add_fact(&b, CONTENTS_SCRIPT, "postinstall", "node x.js");
    contents_add_fact(&a, CONTENTS_LINK, "repository", "https://a.test");
    contents_add_fact(&b, CONTENTS_LINK, "repository", "https://b.test");
    contents_sort(&a);
    contents_sort(&b);
    yajl_val d = diff(&a, &b);
    CHECK(d != NULL);
    yajl_val added = at(d, "files", "added"), removed = at(d, "files", "removed"), changed = at(d, "files", "changed");
    CHECK_INT_EQ(len(added), 1);
    CHECK_STR_EQ(str(added, 0, "path"), "p/new.js");
    CHECK_INT_EQ(len(removed), 1);
    CHECK_STR_EQ(str(removed, 0, "path"), "p/gone.md");
    CHECK_INT_EQ(len(changed), 2);
    CHECK_STR_EQ(str(changed, 0, "path"), "p/content.js");
    CHECK_STR_EQ(str(changed, 1, "path"), "p/size.js");
    CHECK_INT_EQ(num(d, "files", "unchanged"), 1);
    CHECK_INT_EQ(num(d, "files", "bytes"), 29);
    CHECK_INT_EQ(num(d, "files", "previous_bytes"), 29);
    CHECK(YAJL_IS_FALSE(at(d, "files", "partial")));
    yajl_val da = at(d, "dependencies", "added"), dr = at(d, "dependencies", "removed"),
             dc = at(d, "dependencies", "changed"), dn = at(d, "dependencies", "now");
    CHECK_INT_EQ(len(da), 1);
    CHECK_STR_EQ(str(da, 0, "name"), "fresh");
    CHECK_INT_EQ(len(dr), 1);
    CHECK_STR_EQ(str(dr, 0, "name"), "dropped");
    CHECK_INT_EQ(len(dc), 1);
    CHECK_STR_EQ(str(dc, 0, "value"), "^2");
    CHECK_STR_EQ(str(dc, 0, "previous"), "^1");
    CHECK_INT_EQ(len(dn), 3);
    CHECK_INT_EQ(len(at(d, "scripts", "added")), 1);
    CHECK_STR_EQ(str(at(d, "scripts", "added"), 0, "value"), "node x.js");
    CHECK_INT_EQ(len(at(d, "links", "changed")), 1);
    CHECK_INT_EQ(len(at(d, "entry_points", "now")), 0);
    yajl_tree_free(d);

    /* a first release: everything is added */
    d = diff(NULL, &b);
    CHECK_INT_EQ(len(at(d, "files", "added")), 4);
    CHECK_INT_EQ(num(d, "files", "previous_bytes"), 0);
    CHECK_INT_EQ(len(at(d, "dependencies", "added")), 3);
    yajl_tree_free(d);
    contents_free(&a);
    contents_free(&b);
}

TEST(big_listings)
{
    contents_t a, b;
    contents_init(&a);
    contents_init(&b);
    char path[64];
    /* more entries than a listing keeps: the rest is counted, the diff says it is partial */
    for (int i = 0; i < CONTENTS_FILES_MAX + 10; i++) {
        snprintf(path, sizeof(path), "p/f%06d.js", i);
        file(&b, path, 1, 1);
    }
    CHECK_INT_EQ(b.nfiles, CONTENTS_FILES_MAX);
    CHECK_INT_EQ(b.entries, CONTENTS_FILES_MAX + 10);
    contents_sort(&b);
    yajl_val d = diff(&a, &b);
    CHECK(d != NULL);
    CHECK_INT_EQ(len(at(d, "files", "added")), CHANGES_LIST_MAX); /* shown */
    CHECK_INT_EQ(num(d, "files", "added_count"), CONTENTS_FILES_MAX); /* counted */
    CHECK(YAJL_IS_TRUE(at(d, "files", "partial")));
    yajl_tree_free(d);
    /* a repeated fact keeps the first; values are cut */
    char big[CONTENTS_VALUE_MAX * 2];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    contents_add_fact(&a, CONTENTS_SCRIPT, "install", "first");
    contents_add_fact(&a, CONTENTS_SCRIPT, "install", "second");
    contents_add_fact(&a, CONTENTS_LINK, "homepage", big);
    CHECK_INT_EQ(a.nfacts, 2);
    CHECK_STR_EQ(contents_fact(&a, CONTENTS_SCRIPT, "install")->value, "first");
    CHECK_INT_EQ(strlen(contents_fact(&a, CONTENTS_LINK, "homepage")->value), CONTENTS_VALUE_MAX);
    contents_free(&a);
    contents_free(&b);
}

int main(void)
{
    RUN(files_and_facts);
    RUN(big_listings);
    return test_report();
}
