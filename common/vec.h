/* vec: a typed growable array, for the lists whose length the input decides
 * (lockfile entries, versions, files, runs): one growth rule (doubling from
 * 8, overflow-checked) instead of a realloc loop written at every list.
 *
 *   typedef VEC(lock_entry_t) entries_t;     // or a member: VEC(char *) names;
 *   entries_t v = VEC_INIT;
 *   if (vec_push(&v, e) != 0) ...            // out of memory: v is unchanged
 *   lock_entry_t *slot = vec_add(&v);        // one more element, zeroed; NULL out of memory
 *   for (size_t i = 0; i < v.n; i++) use(v.v[i]);
 *   vec_free(&v);                            // the array only: free what the elements own first
 *
 * A failed growth leaves the vector as it was: the input decided the size,
 * so the caller answers with an error (common/xalloc.h). */
#ifndef CORDON_VEC_H
#define CORDON_VEC_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define VEC(T)                                                                                                         \
    struct {                                                                                                           \
        T *v;                                                                                                          \
        size_t n, cap;                                                                                                 \
    }
#define VEC_INIT {NULL, 0, 0}

/* room for at least want elements of elem bytes in the array whose pointer is
 * at *slot (a T **, passed untyped); 0, or -1 (array unchanged) */
int vec_reserve_(void *slot, size_t *cap, size_t want, size_t elem);

#define vec_reserve(vec, want) vec_reserve_(&(vec)->v, &(vec)->cap, (want), sizeof(*(vec)->v))
#define vec_push(vec, x) (vec_reserve((vec), (vec)->n + 1) == 0 ? ((vec)->v[(vec)->n++] = (x), 0) : -1)
#define vec_add(vec)                                                                                                   \
    (vec_reserve((vec), (vec)->n + 1) == 0                                                                             \
         ? (void *)memset(&(vec)->v[(vec)->n++], 0, sizeof(*(vec)->v))                                                 \
         : NULL)
#define vec_free(vec) (free((vec)->v), (vec)->v = NULL, (vec)->n = (vec)->cap = 0)

#endif
