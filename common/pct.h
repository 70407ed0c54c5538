/* pct: percent-decoding (RFC 3986 %XX escapes), written once: request
 * paths and queries, URL userinfo, lockfile locators. */
#ifndef CORDON_PCT_H
#define CORDON_PCT_H

#include <stddef.h>
#include <sys/types.h>

enum {
    PCT_PLUS = 1,    /* '+' is a space (query strings and forms) */
    PCT_LENIENT = 2, /* a '%' that starts no usable escape (bad digits, cut off, %00) stays as written */
};

/* The byte at s[*i] of s[0..n), an escape decoded: advances *i past it and
 * returns it (0-255), or -1 when s[*i] is a '%' not followed by two hex
 * digits (*i unchanged). */
int pct_byte(const char *s, size_t n, size_t *i);

/* Decodes s[0..n) into out (outlen bytes, NUL-terminated); out may be s
 * itself (decoding never lengthens). Returns the decoded length, or -1: a
 * bad escape or a NUL byte (escaped or not) unless PCT_LENIENT keeps the
 * escape as written, or no room in out. */
ssize_t pct_decode(const char *s, size_t n, char *out, size_t outlen, unsigned flags);

#endif
