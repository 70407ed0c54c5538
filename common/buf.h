/* buf: a growable byte buffer with explicit ownership (the holder frees it
 * with buf_free). Used to build JSON bodies, records and rendered documents. */
#ifndef CORDON_BUF_H
#define CORDON_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
    int oom; /* set once an allocation failed; later appends are dropped */
} buf_t;

void buf_init(buf_t *b);
void buf_free(buf_t *b);
void buf_reset(buf_t *b);
int buf_reserve(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *p, size_t n);
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminates without counting the NUL in len; returns data */
char *buf_cstr(buf_t *b);
/* hands the bytes to the caller (who frees them) and resets the buffer */
char *buf_steal(buf_t *b, size_t *len);

#endif
