/* hex: bytes as hexadecimal digits and back, written once (digests, keys,
 * fingerprints, escapes). */
#ifndef CORDON_HEX_H
#define CORDON_HEX_H

#include <stddef.h>

extern const char HEX_LOWER[17]; /* "0123456789abcdef" */
extern const char HEX_UPPER[17]; /* "0123456789ABCDEF" */

/* the value of one hex digit (either case), or -1 */
int hex_value(int c);
/* 1 when s[0..n) is n hex digits (n may be 0) */
int hex_is(const char *s, size_t n);
/* lower case, NUL-terminated: out has room for 2n+1 */
void hex_encode(const unsigned char *in, size_t n, char *out);
/* exactly 2*outlen digits s[0..n) into out[0..outlen): 0, or -1 when n is not
 * 2*outlen or a character is no hex digit (out is then unspecified) */
int hex_decode(const char *s, size_t n, unsigned char *out, size_t outlen);

#endif
