/* json: escaping and key/value emitters for hand-built JSON. Control bytes and
 * the two JSON metacharacters are escaped; '<' '>' '&' too, so a document is
 * safe to embed in HTML as well. */
#include "common/json.h"
#include "common/hex.h"
#include "common/timeutil.h"

#include <inttypes.h>
#include <string.h>

void json_str(buf_t *b, const char *s, size_t n)
{
    buf_reserve(b, n + 2);
    buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&')
            continue;
        buf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': buf_append(b, "\\\"", 2); break;
        case '\\': buf_append(b, "\\\\", 2); break;
        case '\n': buf_append(b, "\\n", 2); break;
        case '\r': buf_append(b, "\\r", 2); break;
        case '\t': buf_append(b, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', HEX_LOWER[c >> 4], HEX_LOWER[c & 15]};
            buf_append(b, u, 6);
        }
        }
    }
    buf_append(b, s + run, n - run);
    buf_putc(b, '"');
}

void json_cstr(buf_t *b, const char *s)
{
    if (s == NULL)
        buf_puts(b, "null");
    else
        json_str(b, s, strlen(s));
}

static void key(buf_t *b, int *first, const char *k)
{
    if (!*first)
        buf_putc(b, ',');
    *first = 0;
    json_cstr(b, k);
    buf_putc(b, ':');
}

void json_kv_str(buf_t *b, int *first, const char *k, const char *value)
{
    key(b, first, k);
    json_cstr(b, value);
}

void json_kv_int(buf_t *b, int *first, const char *k, int64_t value)
{
    key(b, first, k);
    buf_printf(b, "%" PRId64, value);
}

void json_kv_raw(buf_t *b, int *first, const char *k, const char *raw, size_t n)
{
    key(b, first, k);
    buf_append(b, raw, n);
}

void json_kv_time(buf_t *b, int *first, const char *key, int64_t ms)
{
    if (ms == TIME_NONE) {
        json_kv_raw(b, first, key, "null", 4);
        return;
    }
    char s[40];
    time_format_iso8601(ms, s, sizeof(s), 0);
    json_kv_str(b, first, key, s);
}

void json_kv_bool(buf_t *b, int *first, const char *key, int value)
{
    json_kv_raw(b, first, key, value ? "true" : "false", value ? 4 : 5);
}
