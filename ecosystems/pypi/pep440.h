/* pep440: Python version identifiers (PEP 440): parsing with the spec's
 * normalisations (case, separators, "alpha"/"c"/"pre"/"rev" spellings,
 * implicit post and pre numbers, a leading "v") and the total ordering
 * epoch > release > pre > post > dev, with local versions after their
 * public version. */
#ifndef CORDON_PEP440_H
#define CORDON_PEP440_H

#include <stddef.h>
#include <stdint.h>

#define PEP440_MAX_RELEASE 16

typedef struct pep440 {
    uint64_t epoch;
    uint64_t release[PEP440_MAX_RELEASE];
    int nrelease;
    int pre_kind;     /* 0 none, 1 a, 2 b, 3 rc */
    uint64_t pre;
    int has_post;
    uint64_t post;
    int has_dev;
    uint64_t dev;
    char local[64];   /* normalised (lower case, '.'-separated), "" when none */
} pep440_t;

/* 0 when s is a valid PEP 440 version */
int pep440_parse(const char *s, pep440_t *v);
int pep440_compare(const pep440_t *a, const pep440_t *b);
/* invalid versions sort before valid ones, then by string */
int pep440_compare_str(const char *a, const char *b);
/* pre-release or dev release */
int pep440_is_prerelease(const pep440_t *v);

#endif
