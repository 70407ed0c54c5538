/* log: the server log. One line per event with its ISO-8601 time and level,
 * as a JSON object (the default) or as text for a terminal, written with one
 * write(2) to stderr, which log_open may point at a file (reopened on SIGHUP
 * so that rotation works). */
#ifndef CORDON_LOG_H
#define CORDON_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef enum { LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;
typedef enum { LOG_JSON, LOG_TEXT } log_format_t;

typedef enum { LOG_F_END, LOG_F_STR, LOG_F_INT, LOG_F_JSON } log_field_kind_t;
/* one key and its value: a string, a number, or JSON text written as it is */
typedef struct log_field {
    log_field_kind_t kind;
    const char *key;
    const char *str;
    int64_t num;
} log_field_t;

#define LOG_STR(k, v) {.kind = LOG_F_STR, .key = (k), .str = (v)}
#define LOG_INT(k, v) {.kind = LOG_F_INT, .key = (k), .num = (int64_t)(v)}
#define LOG_JSON_RAW(k, v) {.kind = LOG_F_JSON, .key = (k), .str = (v)}
#define LOG_END {.kind = LOG_F_END}

void log_set_format(log_format_t format);
/* path NULL or "stderr": the log stays on stderr. Otherwise the file is
 * opened for appending (0640) and put in place of stderr, so that whatever
 * else writes to stderr lands there too. 0, or -1 with errno. */
int log_open(const char *path);
/* opens the file of log_open again (after a rotation moved it); 0 when
 * there is none; -1 with errno, the old file still in use */
int log_reopen(void);

/* fields: NULL or an array ended by LOG_END */
void log_event(log_level_t level, const char *msg, const log_field_t *fields);
/* log_event with string fields: key, value, ..., NULL */
void log_kv(log_level_t level, const char *msg, ...);

/* appends the line log_event would write at now_ms, newline included */
void log_format_line(buf_t *b, log_format_t format, int64_t now_ms, log_level_t level, const char *msg,
                     const log_field_t *fields);

#endif
