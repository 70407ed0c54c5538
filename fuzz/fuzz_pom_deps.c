/* fuzz_pom_deps: POM bytes read by ecosystems/maven/pom_deps.c; a NUL
 * byte splits the input into a POM and its parent's POM. Beyond "no crash,
 * no leak": a refusal says why, leaves the model empty and is the same on a
 * second read; an accepted model is the same on a second read and keeps the
 * reader's promises (bounds, sorted unique properties, every dependency with
 * groupId and artifactId, no empty field, a <parent> with both names); the
 * effective dependencies are stable, never optional nor of a dropped scope,
 * and without ${} in the input the chain [POM, POM] gives what [POM] gives;
 * interpolation of text without "${" is the identity; a version spec picks
 * -1 or a listed index, a soft one only the very string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecosystems/maven/pom_deps.h"

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_dep(const pom_dep_t *a, const pom_dep_t *b)
{
    return same_str(a->group, b->group) && same_str(a->artifact, b->artifact) && same_str(a->version, b->version) &&
           same_str(a->scope, b->scope) && same_str(a->type, b->type) && same_str(a->classifier, b->classifier) &&
           a->optional == b->optional;
}

static int same_deps(const pom_dep_t *a, size_t na, const pom_dep_t *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (!same_dep(&a[i], &b[i]))
            return 0;
    return 1;
}

static int same_model(const pom_model_t *a, const pom_model_t *b)
{
    if (!same_str(a->group, b->group) || !same_str(a->artifact, b->artifact) || !same_str(a->version, b->version) ||
        !same_str(a->packaging, b->packaging) || !same_str(a->parent_group, b->parent_group) ||
        !same_str(a->parent_artifact, b->parent_artifact) || !same_str(a->parent_version, b->parent_version))
        return 0;
    if (!same_deps(a->deps, a->ndeps, b->deps, b->ndeps) ||
        !same_deps(a->managed, a->nmanaged, b->managed, b->nmanaged))
        return 0;
    if (a->nprops != b->nprops)
        return 0;
    for (size_t i = 0; i < a->nprops; i++)
        if (!same_str(a->prop_keys[i], b->prop_keys[i]) || !same_str(a->prop_vals[i], b->prop_vals[i]))
            return 0;
    return 1;
}

static int empty_model(const pom_model_t *m)
{
    static const pom_model_t zero;
    return memcmp(m, &zero, sizeof(zero)) == 0;
}

static int field_ok(const char *s) { return s == NULL || s[0] != '\0'; }

static void check_deps(const pom_dep_t *d, size_t n)
{
    if (n > 4096)
        abort();
    for (size_t i = 0; i < n; i++)
        if (d[i].group == NULL || d[i].artifact == NULL || !field_ok(d[i].group) || !field_ok(d[i].artifact) ||
            !field_ok(d[i].version) || !field_ok(d[i].scope) || !field_ok(d[i].type) ||
            !field_ok(d[i].classifier) || (d[i].optional != 0 && d[i].optional != 1))
            abort();
}

static void check_model(const pom_model_t *m)
{
    if ((m->parent_group == NULL) != (m->parent_artifact == NULL) || (m->parent_version && !m->parent_artifact))
        abort();
    if (!field_ok(m->group) || !field_ok(m->artifact) || !field_ok(m->version) || !field_ok(m->packaging))
        abort();
    check_deps(m->deps, m->ndeps);
    check_deps(m->managed, m->nmanaged);
    if (m->nprops > 1024)
        abort();
    for (size_t i = 0; i < m->nprops; i++)
        if (m->prop_keys[i] == NULL || m->prop_vals[i] == NULL ||
            (i > 0 && strcmp(m->prop_keys[i - 1], m->prop_keys[i]) >= 0))
            abort();
}

static void free_effective(pom_dep_t *d, long n)
{
    for (long i = 0; i < n; i++)
        pom_dep_free_fields(&d[i]);
    free(d);
}

static int dropped(const char *scope)
{
    return scope != NULL && (strcmp(scope, "test") == 0 || strcmp(scope, "provided") == 0 ||
                             strcmp(scope, "system") == 0 || strcmp(scope, "import") == 0);
}

/* the effective dependencies of chain: stable, consistent; the count (-1 only when out of memory) */
static long effective(const pom_model_t *const *chain, size_t n, pom_dep_t **out)
{
    pom_dep_t *again = NULL;
    long k = pom_effective_deps(chain, n, out);
    long k2 = pom_effective_deps(chain, n, &again);
    if (k < 0 || k2 < 0) {
        free_effective(again, k2);
        return -1;
    }
    if (!same_deps(*out, (size_t)k, again, (size_t)k2) || (k == 0) != (*out == NULL))
        abort();
    free_effective(again, k2);
    for (long i = 0; i < k; i++) {
        const pom_dep_t *d = &(*out)[i];
        if (d->group == NULL || d->artifact == NULL || d->optional || dropped(d->scope))
            abort();
    }
    return k;
}

static void check_picks(const pom_model_t *m, const pom_dep_t *eff, long k)
{
    size_t n = m->ndeps < 64 ? m->ndeps : 64;
    const char *versions[64];
    for (size_t i = 0; i < n; i++)
        versions[i] = m->deps[i].version;
    for (long i = 0; i < k && i < 16; i++) {
        const char *spec = eff[i].version;
        if (spec == NULL)
            continue;
        long p = maven_spec_pick(spec, versions, n);
        if (p < -1 || p >= (long)n)
            abort();
        const char *s = spec + strspn(spec, " \t\n\r");
        if (p >= 0 && *s != '[' && *s != '(' && strcmp(versions[p], spec) != 0)
            abort();
    }
}

static int has_reference(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (p[i] == '$' && p[i + 1] == '{')
            return 1;
    return 0;
}

static int read_checked(const char *doc, size_t len, pom_model_t *m)
{
    pom_model_t again;
    char ea[200] = "", eb[200] = "";
    int ra = pom_model_read(doc, len, m, ea, sizeof(ea));
    int rb = pom_model_read(doc, len, &again, eb, sizeof(eb));
    if (ra != rb || memchr(ea, '\0', sizeof(ea)) == NULL)
        abort();
    if (ra != 0) {
        if (ea[0] == '\0' || strcmp(ea, eb) != 0 || !empty_model(m) || !empty_model(&again))
            abort();
        return -1;
    }
    if (!same_model(m, &again))
        abort();
    pom_model_free(&again);
    check_model(m);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *doc = (const char *)data;
    const char *nul = memchr(doc, '\0', size);
    size_t len = nul ? (size_t)(nul - doc) : size;
    pom_model_t m, parent;
    if (read_checked(doc, len, &m) != 0)
        return 0;
    int has_parent = nul != NULL && read_checked(nul + 1, size - len - 1, &parent) == 0;
    int plain = !has_reference(data, size);

    const pom_model_t *chain[] = {&m, has_parent ? &parent : &m};
    pom_dep_t *one = NULL, *two = NULL;
    long k1 = effective(chain, 1, &one);
    if (k1 >= 0)
        check_picks(&m, one, k1);
    /* a POM as its own parent adds nothing */
    const pom_model_t *self[] = {&m, &m};
    long ks = effective(self, 2, &two);
    if (plain && k1 >= 0 && ks >= 0 && !same_deps(one, (size_t)k1, two, (size_t)ks))
        abort();
    free_effective(two, ks);
    two = NULL;
    if (has_parent) {
        long k2 = effective(chain, 2, &two);
        free_effective(two, k2);
    }
    free_effective(one, k1);

    for (size_t i = 0; i < m.ndeps && i < 16; i++) {
        const char *v = m.deps[i].version ? m.deps[i].version : m.deps[i].artifact;
        char *r = pom_interpolate(chain, has_parent ? 2 : 1, v);
        if (r != NULL && strstr(v, "${") == NULL && strcmp(r, v) != 0)
            abort();
        free(r);
    }
    pom_model_free(&m);
    if (has_parent)
        pom_model_free(&parent);
    return 0;
}
