/* typosquat: the popular set and the name-only look-alike check
 * (analysis/typosquat.h).
 *
 * Owns: popular_set_t, one eco_set per ecosystem. An eco_set owns an array
 * of entries (each entry owns three strings: canonical, normalised and
 * look-alike key, below), hash maps from those strings to the first entry
 * that has them (the keys point into the entries' strings), and the entry
 * indices bucketed by the length of the normalised and of the canonical
 * form. popular_set_add keeps all of it up to date, so typosquat_check only
 * reads: any number of threads may check at once; adding to a set while it
 * is being checked needs the caller's lock.
 *
 * Forms of a name:
 *   canonical   lower case (npm, Maven "groupId:artifactId"); PEP 503 for
 *               PyPI. Equal canonical forms are the same package.
 *   normalised  typosquat_normalise: per character 'I' '1' → 'l', '0' → 'o',
 *               upper → lower, '-' '_' '.' → '-' with runs collapsed; then,
 *               left to right, "rn" → 'm' and "vv" → 'w'. A fixed point: no
 *               output character maps again and no output pair folds.
 *   look key    the normalised form without '-', then "cl" → 'd': two names
 *               with the same key read the same ("crossenv" = "cross-env",
 *               "c1ick" = "click"). "cl"/'d' is kept out of the normalised
 *               form on purpose: inside the distance rule it made unrelated
 *               names one edit apart (pygad vs pynacl = "pynad").
 *
 * typosquat_check returns the first rule that hits, in this order:
 *   0. the canonical name is popular: never flagged.
 *   npm scopes: "@types/x" is judged by x (DefinitelyTyped's "a__b" standing
 *      for "@a/b"): the whole check on x, a hit reported as the types
 *      package of the popular name. Any other scope that some popular name
 *      lives in belongs to that name's publisher (npm scopes are owned), so
 *      every name under it is theirs and never flagged.
 *   1. look key equal to a popular name's: "same name with different
 *      separators or look-alike characters".
 *   2. npm, multi-word names only: "@s/x" (s unknown) where x is popular
 *      unscoped, and unscoped "x" where "@s/x" is popular (s not "types"):
 *      "a popular name under another scope". Single words are left out:
 *      organisations publish "@org/react", "@org/util", "@org/core" by the
 *      hundred (among the npm packages with over a million downloads a
 *      month, 250 would be flagged with them, 36 are without).
 *   3. affixes around a popular name: npm "js-x", "node-x", "x-js",
 *      "x-node" (any separator; "xjs" also with none), PyPI "py-x",
 *      "python-x", "x-python", "x-py": "a popular name with a prefix" /
 *      "a popular name with a suffix".
 *   4. npm and PyPI: one Damerau edit, both names with at least 5 letters
 *      and digits: "one character added", "… removed", "… changed", "two
 *      adjacent characters swapped". Compared on canonical forms, then,
 *      when the name has look-alike characters, on normalised ones (a typo
 *      on a look-alike: "l0dahs"), only against popular names of length
 *      n-1..n+1, each with an early-exit O(n) test. Not counted: a digit
 *      added, removed or changed into another digit (versions and forks:
 *      elasticsearch7, listr2, json3 vs json5, beautifulsoup vs
 *      beautifulsoup4; "dj4ngo" still counts), and a character added or
 *      removed at the very start (the a-/c-/g- prefix convention:
 *      aresponses, cchardet, grequests, gaxios; authlib vs oauthlib).
 *   5. Maven: the same artifactId (normalised) under a groupId that is a
 *      prefix or an extension (at a separator) of a popular one's, or one
 *      edit away: "the same artifact under a look-alike groupId". Maven
 *      Central verifies groupId ownership, so other artifactIds under a
 *      popular groupId are its owner's and never flagged.
 * Decisions: "python-requests" is flagged (rule 3); "django-rest-framework"
 * is flagged (rule 1: it reads as djangorestframework).
 *
 * This is the name alone. analysis.c weighs a hit by the package's own
 * history (established.h): an established look-alike only warns, so the
 * classes below mostly cost a warning, not a held install.
 * Known false-positive classes of the name check (listing a name as
 * popular silences it, and the popular_served set learns used ones).
 * Measured on the built-in set against the npm packages with over a
 * million downloads a month and the 15,000 most downloaded PyPI projects,
 * each class is a few dozen names at most:
 *   - real words one edit from a popular name: unrelated short names
 *     (scapy vs scipy, mssql vs mysql, aws-cdk vs aws-sdk), plurals and
 *     singulars (prompt vs prompts, dataset vs datasets);
 *   - separator-only siblings that are both real (is-object vs isobject,
 *     git-python vs gitpython);
 *   - look-alike folding inside real words ("rn" reads as 'm', "cl" as 'd');
 *   - ports and wrappers named by affix (postcss-js, vite-node, py-redis);
 *   - forks of multi-word packages under an organisation's scope
 *     ("@pnpm/node-fetch") and unscoped names equal to a scoped popular
 *     name's tail;
 *   - Maven relocations to a groupId that extends or shortens the old one
 *     (the hibernate, rxjava and okhttp pairs are listed).
 * Not caught: typos under a popular npm scope or Maven groupId (owned),
 * stacked signals (an affix plus a typo), edits the exemptions above skip,
 * names shorter than 5 letters beyond look-alikes and affixes. */
#include "analysis/typosquat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ecosystem.h"

#define TS_NAME_MAX 512 /* longer names are neither added nor checked */
#define TS_MIN_ALNUM 5  /* the distance rule's floor */

typedef struct pop_entry {
    char *canon;     /* owned */
    char *norm;      /* owned: typosquat_normalise(canon) */
    char *look;      /* owned: look key */
    uint32_t clen;   /* strlen(canon) */
    uint32_t nlen;   /* strlen(norm) */
    uint32_t alnum;  /* letters and digits in norm */
    uint32_t csplit; /* npm: length of "@scope" in canon; Maven: of the groupId; 0 = none */
    uint32_t nsplit; /* the same in norm */
} pop_entry_t;

typedef struct smap_slot {
    const char *key; /* not owned: points into an entry's strings */
    uint32_t len;
    uint32_t idx; /* entry index */
} smap_slot_t;

/* open addressing, linear probing; cap is 0 or a power of two */
typedef struct smap {
    smap_slot_t *slot;
    size_t cap, used;
} smap_t;

typedef struct idxvec {
    uint32_t *v;
    size_t n, cap;
} idxvec_t;

enum { BY_NORM = 0, BY_CANON = 1 };

typedef struct eco_set {
    pop_entry_t *e;
    size_t n, cap;
    smap_t canon; /* canonical form → entry */
    smap_t look;  /* look key → first entry with it */
    smap_t scope; /* npm: "@scope" (canonical) of scoped entries */
    smap_t tail;  /* npm: look key of x in "@s/x", s not "types", x multi-word */
    idxvec_t *bylen[2]; /* [BY_NORM][L]: entries with nlen L; [BY_CANON][L]: with clen L */
    size_t nbylen[2];
} eco_set_t;

struct popular_set {
    eco_set_t eco[ECO_COUNT];
};

/* ---------- small helpers ---------- */

static char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }
static int is_sep(char c) { return c == '-' || c == '_' || c == '.'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum_ascii(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c); }

static uint32_t count_alnum(const char *s)
{
    uint32_t k = 0;
    for (; *s; s++)
        k += (uint32_t)is_alnum_ascii(*s);
    return k;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* ---------- smap ---------- */

static long smap_get(const smap_t *m, const char *key, size_t len)
{
    if (m->cap == 0)
        return -1;
    size_t mask = m->cap - 1;
    for (size_t i = hash_bytes(key, len) & mask;; i = (i + 1) & mask) {
        const smap_slot_t *s = &m->slot[i];
        if (s->key == NULL)
            return -1;
        if (s->len == len && memcmp(s->key, key, len) == 0)
            return (long)s->idx;
    }
}

static int smap_grow(smap_t *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    smap_slot_t *ns = calloc(ncap, sizeof(*ns));
    if (ns == NULL)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        const smap_slot_t *s = &m->slot[i];
        if (s->key == NULL)
            continue;
        size_t j = hash_bytes(s->key, s->len) & (ncap - 1);
        while (ns[j].key != NULL)
            j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    free(m->slot);
    m->slot = ns;
    m->cap = ncap;
    return 0;
}

/* keeps the first entry for a key; -1 on allocation failure */
static int smap_put(smap_t *m, const char *key, size_t len, uint32_t idx)
{
    if ((m->used + 1) * 4 > m->cap * 3 && smap_grow(m) != 0)
        return -1;
    size_t mask = m->cap - 1;
    size_t i = hash_bytes(key, len) & mask;
    for (; m->slot[i].key != NULL; i = (i + 1) & mask)
        if (m->slot[i].len == len && memcmp(m->slot[i].key, key, len) == 0)
            return 0;
    m->slot[i].key = key;
    m->slot[i].len = (uint32_t)len;
    m->slot[i].idx = idx;
    m->used++;
    return 0;
}

static void smap_free(smap_t *m)
{
    free(m->slot);
    memset(m, 0, sizeof(*m));
}

static int idxvec_push(idxvec_t *v, uint32_t x)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 8;
        uint32_t *nv = realloc(v->v, ncap * sizeof(*nv));
        if (nv == NULL)
            return -1;
        v->v = nv;
        v->cap = ncap;
    }
    v->v[v->n++] = x;
    return 0;
}

/* ---------- forms ---------- */

void typosquat_normalise(eco_id_t eco, const char *name, char *out, size_t outlen)
{
    (void)eco; /* one folding serves every ecosystem; '@' '/' ':' stay as they are */
    if (out == NULL || outlen == 0)
        return;
    if (name == NULL) {
        out[0] = '\0';
        return;
    }
    size_t n = strnlen(name, outlen - 1);
    /* pass 1, per character, into out */
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == 'I' || c == '1')
            c = 'l';
        else if (c == '0')
            c = 'o';
        else if (is_sep(c)) {
            if (o > 0 && out[o - 1] == '-')
                continue;
            c = '-';
        } else
            c = lower_ascii(c);
        out[o++] = c;
    }
    /* pass 2, pairs, in place (the write index never passes the read one) */
    size_t w = 0;
    for (size_t r = 0; r < o;) {
        char a = out[r], b = r + 1 < o ? out[r + 1] : '\0';
        char f = a == 'r' && b == 'n' ? 'm' : a == 'v' && b == 'v' ? 'w' : '\0';
        out[w++] = f ? f : a;
        r += f ? 2 : 1;
    }
    out[w] = '\0';
}

/* the look key of n bytes of a normalised form, into out (n+1 bytes) */
static size_t look_key(const char *nf, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (nf[i] != '-')
            out[o++] = nf[i];
    size_t w = 0;
    for (size_t r = 0; r < o;) {
        int f = out[r] == 'c' && r + 1 < o && out[r + 1] == 'l';
        out[w++] = f ? 'd' : out[r];
        r += f ? 2 : 1;
    }
    out[w] = '\0';
    return w;
}

static const typosquat_rules_t NO_RULES;

/* the ecosystem's rules (eco < ECO_COUNT) */
static const typosquat_rules_t *rules_of(eco_id_t eco)
{
    return ecosystems[eco] && ecosystems[eco]->typosquat ? ecosystems[eco]->typosquat : &NO_RULES;
}

/* canonical form into out (TS_NAME_MAX + 1 bytes); -1 when empty or too long */
static int canonical(eco_id_t eco, const char *name, char *out)
{
    size_t n = strnlen(name, TS_NAME_MAX + 1), o = 0;
    if (n == 0 || n > TS_NAME_MAX)
        return -1;
    int fold = ecosystems[eco] && (ecosystems[eco]->flags & ECO_F_FOLD_NAMES);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (fold && is_sep(c)) { /* PEP 503: runs of -_. become one '-' */
            if (o > 0 && out[o - 1] == '-')
                continue;
            c = '-';
        }
        out[o++] = lower_ascii(c);
    }
    out[o] = '\0';
    return 0;
}

/* where a name splits into owner and name (typosquat_rules_t.split): npm
 * "@scope/x" → length of "@scope"; Maven "g:a" → length of g; 0 when it
 * does not */
static uint32_t split_at(eco_id_t eco, const char *s)
{
    const typosquat_rules_t *r = rules_of(eco);
    const char *p = r->split && (r->split_lead == 0 || s[0] == r->split_lead) ? strchr(s, r->split) : NULL;
    return p ? (uint32_t)(p - s) : 0;
}

/* 1 when canonical name c is in the ecosystem's types scope ("@types/x") */
static int in_types_scope(const typosquat_rules_t *r, const char *c)
{
    return r->types_scope != NULL && strncmp(c, r->types_scope, strlen(r->types_scope)) == 0;
}

/* ---------- the set ---------- */

static void entry_free(pop_entry_t *e)
{
    free(e->canon);
    free(e->norm);
    free(e->look);
}

static void eco_set_free(eco_set_t *es)
{
    for (size_t i = 0; i < es->n; i++)
        entry_free(&es->e[i]);
    free(es->e);
    smap_free(&es->canon);
    smap_free(&es->look);
    smap_free(&es->scope);
    smap_free(&es->tail);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < es->nbylen[k]; i++)
            free(es->bylen[k][i].v);
        free(es->bylen[k]);
    }
    memset(es, 0, sizeof(*es));
}

static void add_list(popular_set_t *s, eco_id_t eco, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        popular_set_add(s, eco, list[i]);
}

popular_set_t *popular_set_new(int with_builtin)
{
    popular_set_t *s = calloc(1, sizeof(*s));
    if (s == NULL || !with_builtin)
        return s;
    for (eco_id_t i = 0; i < ECO_COUNT; i++) {
        const typosquat_rules_t *r = rules_of(i);
        if (r->popular != NULL && r->npopular != NULL)
            add_list(s, i, r->popular, *r->npopular);
    }
    return s;
}

void popular_set_free(popular_set_t *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < ECO_COUNT; i++)
        eco_set_free(&s->eco[i]);
    free(s);
}

static int bylen_reserve(eco_set_t *es, int k, size_t len)
{
    if (len < es->nbylen[k])
        return 0;
    size_t nb = len + 16;
    idxvec_t *bl = realloc(es->bylen[k], nb * sizeof(*bl));
    if (bl == NULL)
        return -1;
    memset(bl + es->nbylen[k], 0, (nb - es->nbylen[k]) * sizeof(*bl));
    es->bylen[k] = bl;
    es->nbylen[k] = nb;
    return 0;
}

/* Adds a name; ignores empty, too long and already present names. On an
 * allocation failure the set lacks that name (or some of its indices) and
 * stays consistent. */
void popular_set_add(popular_set_t *s, eco_id_t eco, const char *name)
{
    char c[TS_NAME_MAX + 1], nf[TS_NAME_MAX + 1], lk[TS_NAME_MAX + 1];
    if (s == NULL || eco >= ECO_COUNT || name == NULL || canonical(eco, name, c) != 0)
        return;
    eco_set_t *es = &s->eco[eco];
    size_t clen = strlen(c);
    if (smap_get(&es->canon, c, clen) >= 0)
        return;
    typosquat_normalise(eco, c, nf, sizeof(nf));
    size_t nlen = strlen(nf);
    size_t lklen = look_key(nf, nlen, lk);

    if (es->n == es->cap) {
        size_t ncap = es->cap ? es->cap * 2 : 256;
        pop_entry_t *ne = realloc(es->e, ncap * sizeof(*ne));
        if (ne == NULL)
            return;
        es->e = ne;
        es->cap = ncap;
    }
    if (bylen_reserve(es, BY_NORM, nlen) != 0 || bylen_reserve(es, BY_CANON, clen) != 0)
        return;
    pop_entry_t *e = &es->e[es->n];
    memset(e, 0, sizeof(*e));
    e->canon = strdup(c);
    e->norm = strdup(nf);
    e->look = strdup(lk);
    uint32_t idx = (uint32_t)es->n;
    /* the canonical key first: once it is in, the entry counts as present */
    if (e->canon == NULL || e->norm == NULL || e->look == NULL || smap_put(&es->canon, e->canon, clen, idx) != 0) {
        entry_free(e);
        return;
    }
    e->clen = (uint32_t)clen;
    e->nlen = (uint32_t)nlen;
    e->alnum = count_alnum(nf);
    e->csplit = split_at(eco, c);
    e->nsplit = split_at(eco, nf);
    es->n++;
    /* the indices below only let the check find more; a failed insert loses that, nothing else */
    (void)smap_put(&es->look, e->look, lklen, idx);
    (void)idxvec_push(&es->bylen[BY_NORM][nlen], idx);
    (void)idxvec_push(&es->bylen[BY_CANON][clen], idx);
    const typosquat_rules_t *r = rules_of(eco);
    if (r->owner_games && e->csplit > 0) {
        (void)smap_put(&es->scope, e->canon, e->csplit, idx);
        const char *tail = e->norm + e->nsplit + 1;
        if (!in_types_scope(r, e->canon) && strchr(tail, '-') != NULL) {
            /* the key: the look key's part after the split (the look key keeps it) */
            const char *lt = strchr(e->look, r->split);
            if (lt != NULL)
                (void)smap_put(&es->tail, lt + 1, strlen(lt + 1), idx);
        }
    }
}

int popular_set_contains(const popular_set_t *s, eco_id_t eco, const char *name)
{
    char c[TS_NAME_MAX + 1];
    if (s == NULL || eco >= ECO_COUNT || name == NULL || canonical(eco, name, c) != 0)
        return 0;
    return smap_get(&s->eco[eco].canon, c, strlen(c)) >= 0;
}

size_t popular_set_size(const popular_set_t *s, eco_id_t eco)
{
    return s != NULL && eco < ECO_COUNT ? s->eco[eco].n : 0;
}

/* ---------- the file ---------- */

typedef struct pending {
    eco_id_t eco;
    char *name; /* owned */
} pending_t;

static char *trim(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
        p[--n] = '\0';
    return p;
}

/* one line (comment already cut, trimmed, not empty) into *out; -1 with the
 * message (no "FILE:LINE: " prefix) in msg */
static int parse_line(char *t, pending_t *out, char *msg, size_t msglen)
{
    char *colon = strchr(t, ':'), names[100];
    if (colon == NULL) {
        snprintf(msg, msglen, "expected eco:name (%s)", eco_names_join(names, sizeof(names), ":", " or "));
        return -1;
    }
    *colon = '\0';
    char *econame = trim(t), *name = trim(colon + 1);
    int eco = eco_from_name(econame, strlen(econame));
    if (eco < 0 || ecosystems[eco] == NULL) {
        snprintf(msg, msglen, "unknown ecosystem '%.40s' (%s)", econame, eco_names_join(names, sizeof(names), "", ", "));
        return -1;
    }
    if (*name == '\0') {
        snprintf(msg, msglen, "empty name");
        return -1;
    }
    if (strlen(name) > TS_NAME_MAX) {
        snprintf(msg, msglen, "name longer than %d characters", TS_NAME_MAX);
        return -1;
    }
    if (strpbrk(name, " \t") != NULL) {
        snprintf(msg, msglen, "name '%.80s' has a blank in it", name);
        return -1;
    }
    const ecosystem_t *e = ecosystems[eco];
    char listed[TS_NAME_MAX + 1];
    if (e->list_name && e->list_name(name, listed, sizeof(listed)) != 0) {
        snprintf(msg, msglen, "%s name '%.80s' is not %s", e->name, name, e->name_form ? e->name_form : "a valid name");
        return -1;
    }
    out->eco = (eco_id_t)eco;
    out->name = strdup(name);
    if (out->name == NULL) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    return 0;
}

/* reads the whole file first and adds nothing unless every line is good */
int popular_set_load_file(popular_set_t *s, const char *path, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    else
        errlen = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    pending_t *p = NULL;
    size_t np = 0, capp = 0;
    char *line = NULL, msg[256];
    size_t linecap = 0;
    long lineno = 0;
    int rc = 0;
    msg[0] = '\0';
    while (rc == 0 && getline(&line, &linecap, f) >= 0) {
        lineno++;
        char *hash = strchr(line, '#'); /* a comment: the whole line, or after a blank */
        if (hash != NULL && (hash == line || hash[-1] == ' ' || hash[-1] == '\t'))
            *hash = '\0';
        char *t = trim(line);
        if (*t == '\0')
            continue;
        if (np == capp) {
            size_t ncap = capp ? capp * 2 : 64;
            pending_t *q = realloc(p, ncap * sizeof(*q));
            if (q == NULL) {
                snprintf(msg, sizeof(msg), "out of memory");
                rc = -1;
                break;
            }
            p = q;
            capp = ncap;
        }
        if (parse_line(t, &p[np], msg, sizeof(msg)) != 0)
            rc = -1;
        else
            np++;
    }
    if (rc == 0 && ferror(f)) {
        lineno++;
        snprintf(msg, sizeof(msg), "read error");
        rc = -1;
    }
    if (rc != 0 && errlen)
        snprintf(err, errlen, "%s:%ld: %s", path, lineno, msg);
    fclose(f);
    free(line);
    for (size_t i = 0; i < np; i++) {
        if (rc == 0)
            popular_set_add(s, p[i].eco, p[i].name);
        free(p[i].name);
    }
    free(p);
    return rc;
}

/* ---------- the check ---------- */

enum { D_NONE = 0, D_ADDED, D_REMOVED, D_CHANGED, D_SWAPPED };

/* How candidate a differs from popular b when by one Damerau edit; D_NONE
 * when equal, further apart, or the edit is one rule 4 does not count (a
 * digit added or removed, a digit changed into another; a character added
 * or removed at the start). Stops at the second difference. */
static int one_edit(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0;
    if (la == lb) {
        while (i < la && a[i] == b[i])
            i++;
        if (i == la)
            return D_NONE;
        if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0)
            return is_digit(a[i]) && is_digit(b[i]) ? D_NONE : D_CHANGED;
        if (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && memcmp(a + i + 2, b + i + 2, la - i - 2) == 0)
            return D_SWAPPED;
        return D_NONE;
    }
    if (la == lb + 1) { /* a has one more */
        while (i < lb && a[i] == b[i])
            i++;
        /* in a run the scan stops past it: "eexpress" differs at 1, not 0 */
        if (memcmp(a + i + 1, b + i, lb - i) != 0 || is_digit(a[i]) || i == 0)
            return D_NONE;
        return D_ADDED;
    }
    if (lb == la + 1) {
        while (i < la && a[i] == b[i])
            i++;
        if (memcmp(a + i, b + i + 1, la - i) != 0 || is_digit(b[i]) || i == 0)
            return D_NONE;
        return D_REMOVED;
    }
    return D_NONE;
}

static const char *edit_why(int d)
{
    switch (d) {
    case D_ADDED: return "one character added";
    case D_REMOVED: return "one character removed";
    case D_CHANGED: return "one character changed";
    case D_SWAPPED: return "two adjacent characters swapped";
    default: return "";
    }
}

static const char WHY_LOOKALIKE[] = "same name with different separators or look-alike characters";
static const char WHY_SCOPE[] = "a popular name under another scope";
static const char WHY_PREFIX[] = "a popular name with a prefix";
static const char WHY_SUFFIX[] = "a popular name with a suffix";
static const char WHY_GROUP[] = "the same artifact under a look-alike groupId";

typedef struct hit {
    const pop_entry_t *e;
    const char *why;
} hit_t;

static int found(hit_t *h, const eco_set_t *es, long idx, const char *why)
{
    if (idx < 0)
        return 0;
    h->e = &es->e[idx];
    h->why = why;
    return 1;
}

/* the rule a hit's reason belongs to */
static typosquat_rule_t rule_of(const char *why)
{
    if (why == WHY_LOOKALIKE)
        return TS_RULE_LOOKALIKE;
    if (why == WHY_SCOPE)
        return TS_RULE_SCOPE;
    if (why == WHY_PREFIX || why == WHY_SUFFIX)
        return TS_RULE_AFFIX;
    if (why == WHY_GROUP)
        return TS_RULE_GROUP;
    return TS_RULE_EDIT;
}

/* the entry whose look key is that of nf[0..n), unscoped and (when
 * multiword) with a separator in its normalised form; -1 when none */
static long look_lookup(const eco_set_t *es, const char *nf, size_t n, int multiword)
{
    char lk[TS_NAME_MAX + 1];
    size_t l = look_key(nf, n, lk);
    long idx = smap_get(&es->look, lk, l);
    if (idx < 0 || es->e[idx].csplit != 0 || (multiword && strchr(es->e[idx].norm, '-') == NULL))
        return -1;
    return idx;
}

static int check_affix(const eco_set_t *es, const typosquat_rules_t *r, const char *nf, size_t nlen, const char *lk,
                       size_t lklen, hit_t *h)
{
    static const char *const none[] = {NULL};
    const char *const *pre = r->prefixes ? r->prefixes : none;
    const char *const *suf = r->suffixes ? r->suffixes : none;
    for (size_t i = 0; pre[i] != NULL; i++) {
        size_t al = strlen(pre[i]);
        if (nlen >= al + 2 && memcmp(nf, pre[i], al) == 0 &&
            found(h, es, look_lookup(es, nf + al, nlen - al, 0), WHY_PREFIX))
            return 1;
    }
    for (size_t i = 0; suf[i] != NULL; i++) {
        size_t al = strlen(suf[i]);
        if (nlen >= al + 2 && memcmp(nf + nlen - al, suf[i], al) == 0 &&
            found(h, es, look_lookup(es, nf, nlen - al, 0), WHY_SUFFIX))
            return 1;
    }
    /* npm "xjs": the suffix with no separator at all */
    size_t bl = r->bare_suffix ? strlen(r->bare_suffix) : 0;
    if (bl > 0 && lklen >= bl + 3 && memcmp(lk + lklen - bl, r->bare_suffix, bl) == 0) {
        long idx = smap_get(&es->look, lk, lklen - bl);
        if (idx >= 0 && es->e[idx].csplit == 0 && found(h, es, idx, WHY_SUFFIX))
            return 1;
    }
    return 0;
}

/* one edit from a popular name (see rule 4 above): canonical forms first;
 * normalised ones only when the name has look-alike characters to fold (so
 * that folding the popular name's digits, pyasn1 = "pyasnl", cannot turn a
 * digit edit into a counted one) */
static int check_distance(const eco_set_t *es, const char *name, const char *c, size_t clen, const char *nf,
                          size_t nlen, hit_t *h)
{
    if (count_alnum(nf) < TS_MIN_ALNUM)
        return 0;
    int glyphs = strpbrk(name, "01I") != NULL || strstr(c, "rn") != NULL || strstr(c, "vv") != NULL;
    for (int k = BY_CANON; k >= (glyphs ? BY_NORM : BY_CANON); k--) {
        const char *a = k == BY_NORM ? nf : c;
        size_t alen = k == BY_NORM ? nlen : clen;
        size_t lens[3] = {alen, alen - 1, alen + 1}; /* same length first; alen >= 5 here */
        for (int j = 0; j < 3; j++) {
            if (lens[j] >= es->nbylen[k])
                continue;
            const idxvec_t *b = &es->bylen[k][lens[j]];
            for (size_t i = 0; i < b->n; i++) {
                const pop_entry_t *e = &es->e[b->v[i]];
                if (e->alnum < TS_MIN_ALNUM)
                    continue;
                int d = k == BY_NORM ? one_edit(a, alen, e->norm, e->nlen) : one_edit(a, alen, e->canon, e->clen);
                if (d != D_NONE) {
                    h->e = e;
                    h->why = edit_why(d);
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* groupIds g (candidate) and p (popular), normalised: a prefix or an
 * extension at a separator, or one edit apart (digits and the start count
 * here: "okhttp4", "xcom.google") */
static int group_lookalike(const char *g, size_t gl, const char *p, size_t pl)
{
    if (gl == pl && memcmp(g, p, gl) == 0)
        return 0;
    if (gl < pl && memcmp(p, g, gl) == 0 && p[gl] == '-')
        return 1;
    if (pl < gl && memcmp(g, p, pl) == 0 && g[pl] == '-')
        return 1;
    if (gl + 1 < pl || pl + 1 < gl)
        return 0;
    size_t i = 0;
    while (i < gl && i < pl && g[i] == p[i])
        i++;
    if (gl == pl)
        return memcmp(g + i + 1, p + i + 1, gl - i - 1) == 0 ||
               (i + 1 < gl && g[i] == p[i + 1] && g[i + 1] == p[i] && memcmp(g + i + 2, p + i + 2, gl - i - 2) == 0);
    if (gl == pl + 1)
        return memcmp(g + i + 1, p + i, pl - i) == 0;
    return memcmp(g + i, p + i + 1, gl - i) == 0;
}

static int check_owner(const eco_set_t *es, char split, const char *nf, hit_t *h)
{
    const char *colon = strchr(nf, split);
    if (colon == NULL || colon == nf)
        return 0;
    size_t gl = (size_t)(colon - nf);
    const char *art = colon + 1;
    for (size_t i = 0; i < es->n; i++) {
        const pop_entry_t *e = &es->e[i];
        if (e->nsplit == 0 || strcmp(e->norm + e->nsplit + 1, art) != 0)
            continue;
        if (group_lookalike(nf, gl, e->norm, e->nsplit)) {
            h->e = e;
            h->why = WHY_GROUP;
            return 1;
        }
    }
    return 0;
}

static int check_name(const popular_set_t *s, eco_id_t eco, const char *name, int in_types, hit_t *h);

/* "@types/x": judged by x; DefinitelyTyped writes "@a/b" as "a__b" */
static int check_types(const popular_set_t *s, eco_id_t eco, const char *x, hit_t *h)
{
    const typosquat_rules_t *r = rules_of(eco);
    char target[TS_NAME_MAX + 2];
    const char *us = strstr(x, "__");
    if (us != NULL && us != x && us[2] != '\0')
        snprintf(target, sizeof(target), "%c%.*s%c%s", r->split_lead, (int)(us - x), x, r->split, us + 2);
    else
        snprintf(target, sizeof(target), "%s", x);
    return check_name(s, eco, target, 1, h);
}

static int check_name(const popular_set_t *s, eco_id_t eco, const char *name, int in_types, hit_t *h)
{
    char c[TS_NAME_MAX + 1], nf[TS_NAME_MAX + 1], lk[TS_NAME_MAX + 1];
    const eco_set_t *es = &s->eco[eco];
    if (canonical(eco, name, c) != 0)
        return 0;
    size_t clen = strlen(c);
    /* 0: popular itself */
    if (smap_get(&es->canon, c, clen) >= 0)
        return 0;
    typosquat_normalise(eco, name, nf, sizeof(nf));
    size_t nlen = strlen(nf);
    size_t lklen = look_key(nf, nlen, lk);
    uint32_t csplit = split_at(eco, c);
    const typosquat_rules_t *r = rules_of(eco);

    if (r->owner_games && csplit > 0) {
        if (in_types_scope(r, c) && strlen(r->types_scope) == csplit + 1)
            return in_types ? 0 : check_types(s, eco, c + csplit + 1, h);
        if (smap_get(&es->scope, c, csplit) >= 0)
            return 0; /* a scope a popular name lives in: its owner's */
    }
    /* 1: look-alike characters, separators */
    if (found(h, es, smap_get(&es->look, lk, lklen), WHY_LOOKALIKE))
        return 1;
    /* 2: scopes, multi-word names only */
    if (r->owner_games) {
        const char *ntail = csplit > 0 ? strchr(nf, r->split) : NULL;
        if (ntail != NULL) {
            if (found(h, es, look_lookup(es, ntail + 1, strlen(ntail + 1), 1), WHY_SCOPE))
                return 1;
        } else if (csplit == 0 && found(h, es, smap_get(&es->tail, lk, lklen), WHY_SCOPE))
            return 1;
    }
    /* 3: affixes */
    if ((r->prefixes || r->suffixes || r->bare_suffix) && csplit == 0) {
        if (check_affix(es, r, nf, nlen, lk, lklen, h))
            return 1;
    }
    /* 4: one edit */
    if (r->one_edit && check_distance(es, name, c, clen, nf, nlen, h))
        return 1;
    /* 5: owners (Maven groupIds) */
    if (r->owner_lookalike && check_owner(es, r->split, nf, h))
        return 1;
    return 0;
}

int typosquat_check(const popular_set_t *s, eco_id_t eco, const char *name, char *looks_like, size_t lllen,
                    char *why, size_t whylen, typosquat_rule_t *rule)
{
    if (looks_like != NULL && lllen > 0)
        looks_like[0] = '\0';
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    if (rule != NULL)
        *rule = TS_RULE_NONE;
    if (s == NULL || eco >= ECO_COUNT || name == NULL)
        return 0;
    hit_t h = {0};
    if (!check_name(s, eco, name, 0, &h))
        return 0;
    if (looks_like != NULL && lllen > 0) {
        const char *p = h.e->canon;
        char c[TS_NAME_MAX + 1];
        const typosquat_rules_t *r = rules_of(eco);
        if (canonical(eco, name, c) == 0 && in_types_scope(r, c)) {
            /* found through "@types/x": name the types package of the popular name */
            const char *slash = r->split_lead && p[0] == r->split_lead ? strchr(p, r->split) : NULL;
            if (slash != NULL)
                snprintf(looks_like, lllen, "%s%.*s__%s", r->types_scope, (int)(slash - p - 1), p + 1, slash + 1);
            else
                snprintf(looks_like, lllen, "%s%s", r->types_scope, p);
        } else
            snprintf(looks_like, lllen, "%s", p);
    }
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "%s", h.why);
    if (rule != NULL)
        *rule = rule_of(h.why);
    return 1;
}
