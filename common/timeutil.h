/* timeutil: wall-clock time in milliseconds since the epoch, and the two
 * text forms cordon meets: ISO-8601 (npm, PEP 700, our own output) and the
 * HTTP date (Last-Modified). */
#ifndef CORDON_TIMEUTIL_H
#define CORDON_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TIME_NONE INT64_MIN

int64_t time_now_ms(void);
/* "2026-11-23T10:00:00Z", "…T10:00:00.123Z", "…+02:00"; TIME_NONE if invalid */
int64_t time_parse_iso8601(const char *s, size_t n);
/* "Sun, 06 Nov 1994 08:49:37 GMT"; TIME_NONE if invalid */
int64_t time_parse_http(const char *s);
/* writes "2026-11-23T10:00:00Z" (or with .mmm when with_ms); out >= 32 bytes */
void time_format_iso8601(int64_t ms, char *out, size_t outlen, int with_ms);
void time_format_http(int64_t ms, char *out, size_t outlen);

#endif
