/* maven_version: a small re-implementation of ComparableVersion's rules.
 * A version parses into a tree of items: integers, qualifier strings, and
 * lists (a '-' or a letter/digit transition opens a nested list). */
#include "ecosystems/maven/maven_version.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { IT_INT, IT_STR, IT_LIST };

typedef struct item {
    int type;
    uint64_t num;       /* IT_INT (saturating: very long numbers compare by length below) */
    char str[48];       /* IT_STR: the qualifier, lower case, aliases resolved */
    char digits[48];    /* IT_INT: the digits, for numbers beyond 64 bits */
    struct item *kids;  /* IT_LIST */
    int nkids, cap;
} item_t;

static const char *const QUALIFIERS[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
#define NQ 7
#define RELEASE_RANK 5

static void list_free(item_t *l)
{
    for (int i = 0; i < l->nkids; i++)
        if (l->kids[i].type == IT_LIST)
            list_free(&l->kids[i]);
    free(l->kids);
    l->kids = NULL;
    l->nkids = l->cap = 0;
}

static item_t *list_add(item_t *l, int type)
{
    if (l->nkids == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        item_t *k = realloc(l->kids, (size_t)cap * sizeof(item_t));
        if (k == NULL)
            return NULL;
        l->kids = k;
        l->cap = cap;
    }
    item_t *it = &l->kids[l->nkids++];
    memset(it, 0, sizeof(*it));
    it->type = type;
    return it;
}

static int is_null(const item_t *it)
{
    switch (it->type) {
    case IT_INT: return it->num == 0 && strspn(it->digits, "0") == strlen(it->digits);
    case IT_STR: return it->str[0] == '\0';
    default: return it->nkids == 0;
    }
}

/* drop trailing null items (and nulls before a nested list) as Maven does */
static void normalize(item_t *l)
{
    for (int i = l->nkids - 1; i >= 0; i--) {
        item_t *it = &l->kids[i];
        if (is_null(it)) {
            if (it->type == IT_LIST)
                list_free(it);
            memmove(&l->kids[i], &l->kids[i + 1], (size_t)(l->nkids - i - 1) * sizeof(item_t));
            l->nkids--;
        } else if (it->type != IT_LIST) {
            break;
        }
    }
}

static void add_token(item_t *l, const char *s, size_t n, int digit, int followed_by_digit)
{
    if (digit) {
        item_t *it = list_add(l, IT_INT);
        if (it == NULL)
            return;
        size_t start = 0;
        while (start + 1 < n && s[start] == '0')
            start++;
        size_t m = n - start < sizeof(it->digits) - 1 ? n - start : sizeof(it->digits) - 1;
        memcpy(it->digits, s + start, m);
        it->digits[m] = '\0';
        it->num = strtoull(it->digits, NULL, 10);
        return;
    }
    item_t *it = list_add(l, IT_STR);
    if (it == NULL)
        return;
    size_t m = n < sizeof(it->str) - 1 ? n : sizeof(it->str) - 1;
    for (size_t i = 0; i < m; i++)
        it->str[i] = (char)tolower((unsigned char)s[i]);
    it->str[m] = '\0';
    /* aliases */
    if (followed_by_digit && m == 1) {
        if (it->str[0] == 'a')
            strcpy(it->str, "alpha");
        else if (it->str[0] == 'b')
            strcpy(it->str, "beta");
        else if (it->str[0] == 'm')
            strcpy(it->str, "milestone");
    }
    if (!strcmp(it->str, "ga") || !strcmp(it->str, "final") || !strcmp(it->str, "release"))
        it->str[0] = '\0';
    else if (!strcmp(it->str, "cr"))
        strcpy(it->str, "rc");
}

static void parse(const char *v, item_t *root)
{
    memset(root, 0, sizeof(*root));
    root->type = IT_LIST;
    item_t *lists[64];
    int depth = 0;
    lists[0] = root;
    item_t *list = root;
    size_t n = strlen(v), start = 0;
    int digit = n > 0 && isdigit((unsigned char)v[0]);
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? v[i] : '\0';
        if (c == '.' || c == '-' || c == '\0') {
            if (i == start)
                add_token(list, "0", 1, 1, 0); /* "1..2", a trailing '-' */
            else
                add_token(list, v + start, i - start, digit, 0);
            if (c == '-' && depth < 63) {
                normalize(list);
                item_t *sub = list_add(list, IT_LIST);
                if (sub == NULL)
                    return;
                lists[++depth] = sub;
                list = sub;
            }
            start = i + 1;
            digit = start < n && isdigit((unsigned char)v[start]);
            continue;
        }
        int d = isdigit((unsigned char)c) != 0;
        if (d != digit && i > start) {
            /* a letter/digit transition ends the token and opens a list */
            add_token(list, v + start, i - start, digit, d);
            if (depth < 63) {
                item_t *sub = list_add(list, IT_LIST);
                if (sub == NULL)
                    return;
                lists[++depth] = sub;
                list = sub;
            }
            start = i;
            digit = d;
        }
    }
    for (int d = depth; d >= 0; d--)
        normalize(lists[d]);
}

static int qualifier_rank(const char *q, char *other, size_t olen)
{
    for (int i = 0; i < NQ; i++)
        if (strcmp(q, QUALIFIERS[i]) == 0)
            return i;
    if (other)
        strncpy(other, q, olen);
    return NQ; /* unknown qualifiers come after every known one */
}

static int cmp_str_q(const char *a, const char *b)
{
    int ra = qualifier_rank(a, NULL, 0), rb = qualifier_rank(b, NULL, 0);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == NQ) {
        int c = strcmp(a, b);
        return c < 0 ? -1 : c > 0;
    }
    return 0;
}

static int cmp_int(const item_t *a, const item_t *b)
{
    size_t la = strlen(a->digits), lb = strlen(b->digits);
    if (la != lb)
        return la < lb ? -1 : 1;
    int c = strcmp(a->digits, b->digits);
    return c < 0 ? -1 : c > 0;
}

static int cmp_item(const item_t *a, const item_t *b);

/* compares an item with "nothing" (the shorter version's missing part) */
static int cmp_null(const item_t *a)
{
    switch (a->type) {
    case IT_INT: return is_null(a) ? 0 : 1;
    case IT_STR: return cmp_str_q(a->str, "");
    default: return a->nkids == 0 ? 0 : cmp_null(&a->kids[0]);
    }
}

static int cmp_list(const item_t *a, const item_t *b)
{
    int n = a->nkids > b->nkids ? a->nkids : b->nkids;
    for (int i = 0; i < n; i++) {
        int c;
        if (i >= a->nkids)
            c = -cmp_null(&b->kids[i]);
        else if (i >= b->nkids)
            c = cmp_null(&a->kids[i]);
        else
            c = cmp_item(&a->kids[i], &b->kids[i]);
        if (c)
            return c;
    }
    return 0;
}

static int cmp_item(const item_t *a, const item_t *b)
{
    if (a->type == b->type) {
        switch (a->type) {
        case IT_INT: return cmp_int(a, b);
        case IT_STR: return cmp_str_q(a->str, b->str);
        default: return cmp_list(a, b);
        }
    }
    /* int > list > string */
    static const int order[] = {[IT_INT] = 2, [IT_LIST] = 1, [IT_STR] = 0};
    return order[a->type] < order[b->type] ? -1 : 1;
}

int maven_version_compare(const char *a, const char *b)
{
    item_t x, y;
    parse(a, &x);
    parse(b, &y);
    int c = cmp_list(&x, &y);
    list_free(&x);
    list_free(&y);
    return c;
}

/* the one definition: Maven's (ArtifactUtils.isSnapshot) ends in
 * "SNAPSHOT" in any case; "1.0-SNAPSHOT" is the convention */
#define SNAPSHOT_SUFFIX "SNAPSHOT"

long maven_snapshot_base_len(const char *v)
{
    size_t n = strlen(v), s = sizeof(SNAPSHOT_SUFFIX) - 1;
    return n >= s && strcasecmp(v + n - s, SNAPSHOT_SUFFIX) == 0 ? (long)(n - s) : -1;
}

int maven_version_is_snapshot(const char *v) { return maven_snapshot_base_len(v) >= 0; }
