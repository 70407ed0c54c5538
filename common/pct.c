/* pct: see pct.h. */
#include "common/pct.h"

#include "common/hex.h"

int pct_byte(const char *s, size_t n, size_t *i)
{
    size_t at = *i;
    if (s[at] != '%') {
        *i = at + 1;
        return (unsigned char)s[at];
    }
    int hi = at + 1 < n ? hex_value((unsigned char)s[at + 1]) : -1;
    int lo = at + 2 < n ? hex_value((unsigned char)s[at + 2]) : -1;
    if (hi < 0 || lo < 0)
        return -1;
    *i = at + 3;
    return hi << 4 | lo;
}

ssize_t pct_decode(const char *s, size_t n, char *out, size_t outlen, unsigned flags)
{
    size_t o = 0, i = 0;
    while (i < n) {
        size_t at = i;
        int c = pct_byte(s, n, &i);
        if ((c <= 0) && s[at] == '%') {
            if (!(flags & PCT_LENIENT))
                return -1;
            c = '%'; /* kept as written: the digits follow as plain bytes */
            i = at + 1;
        } else if (c == '+' && s[at] == '+' && (flags & PCT_PLUS)) {
            c = ' ';
        }
        if (c == 0 || o + 1 >= outlen)
            return -1;
        out[o++] = (char)c;
    }
    if (outlen == 0)
        return -1;
    out[o] = '\0';
    return (ssize_t)o;
}
