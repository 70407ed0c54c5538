/* vec: the one growth rule of vec.h. */
#include "common/vec.h"

#include <stdint.h>

#define VEC_MIN 8

int vec_reserve_(void *slot, size_t *cap, size_t want, size_t elem)
{
    if (want <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : VEC_MIN;
    while (ncap < want) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    if (elem && ncap > SIZE_MAX / elem)
        return -1;
    void *v; /* *slot is a T *: copied as bytes, so no T ** is read as a void ** */
    memcpy(&v, slot, sizeof(v));
    void *nv = realloc(v, ncap * elem);
    if (nv == NULL)
        return -1;
    memcpy(slot, &nv, sizeof(nv));
    *cap = ncap;
    return 0;
}
