/* utf8: strict UTF-8 validation (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). For parsers whose library is more
 * lenient in some places than in others. */
#ifndef CORDON_COMMON_UTF8_H
#define CORDON_COMMON_UTF8_H

#include <stddef.h>

/* 1 when the n bytes at s are well-formed UTF-8, else 0 */
int utf8_valid(const char *s, size_t n);

#endif
