/* log: formats a server log line into one buffer and writes it with one
 * write(2) to fd 2, so lines from different threads never interleave. A
 * log file takes fd 2's place by dup2, which swaps it atomically for every
 * thread that is writing at that moment (a rotation loses no line). */
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/json.h"
#include "common/timeutil.h"

static log_format_t g_format = LOG_JSON;
static char *g_path; /* NULL: stderr as the process got it */
static pthread_mutex_t g_path_mu = PTHREAD_MUTEX_INITIALIZER;

void log_set_format(log_format_t format) { g_format = format; }

/* the file opened for appending, mode 0640 whatever the umask, on fd 2 */
static int open_onto_stderr(const char *path)
{
    int fd = open_log_file(path);
    if (fd < 0)
        return -1;
    if (fd != 2 && dup2(fd, 2) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (fd != 2)
        close(fd);
    return 0;
}

int log_open(const char *path)
{
    pthread_mutex_lock(&g_path_mu);
    free(g_path);
    g_path = NULL;
    int rc = 0;
    if (path != NULL && strcmp(path, "stderr") != 0) {
        rc = open_onto_stderr(path);
        if (rc == 0 && (g_path = strdup(path)) == NULL) {
            errno = ENOMEM;
            rc = -1;
        }
    }
    pthread_mutex_unlock(&g_path_mu);
    return rc;
}

int log_reopen(void)
{
    pthread_mutex_lock(&g_path_mu);
    int rc = g_path ? open_onto_stderr(g_path) : 0;
    pthread_mutex_unlock(&g_path_mu);
    return rc;
}

static const char *level_name(log_level_t level)
{
    switch (level) {
    case LOG_WARN: return "warn";
    case LOG_ERROR: return "error";
    default: return "info";
    }
}

/* text: a value is written bare when it has no space, quote, '=' or control
 * character, else as a JSON string */
static void text_value(buf_t *b, const char *s)
{
    int bare = *s != '\0';
    for (const unsigned char *p = (const unsigned char *)s; *p && bare; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == 0x7f)
            bare = 0;
    if (bare)
        buf_puts(b, s);
    else
        json_cstr(b, s);
}

void log_format_line(buf_t *b, log_format_t format, int64_t now_ms, log_level_t level, const char *msg,
                     const log_field_t *fields)
{
    char when[40];
    time_format_iso8601(now_ms, when, sizeof(when), 1);
    if (format == LOG_TEXT) {
        static const char *const upper[] = {"INFO ", "WARN ", "ERROR"};
        buf_printf(b, "%s %s %s", when, upper[level <= LOG_ERROR ? level : 0], msg);
        for (const log_field_t *f = fields; f && f->kind != LOG_F_END; f++) {
            buf_printf(b, " %s=", f->key);
            if (f->kind == LOG_F_INT)
                buf_printf(b, "%lld", (long long)f->num);
            else if (f->kind == LOG_F_JSON)
                buf_puts(b, f->str ? f->str : "null");
            else
                text_value(b, f->str ? f->str : "");
        }
        buf_putc(b, '\n');
        return;
    }
    int first = 1;
    buf_putc(b, '{');
    json_kv_str(b, &first, "time", when);
    json_kv_str(b, &first, "level", level_name(level));
    json_kv_str(b, &first, "msg", msg);
    for (const log_field_t *f = fields; f && f->kind != LOG_F_END; f++) {
        if (f->kind == LOG_F_INT)
            json_kv_int(b, &first, f->key, f->num);
        else if (f->kind == LOG_F_JSON)
            json_kv_raw(b, &first, f->key, f->str ? f->str : "null", strlen(f->str ? f->str : "null"));
        else
            json_kv_str(b, &first, f->key, f->str ? f->str : "");
    }
    buf_puts(b, "}\n");
}

void log_event(log_level_t level, const char *msg, const log_field_t *fields)
{
    buf_t b;
    buf_init(&b);
    log_format_line(&b, g_format, time_now_ms(), level, msg, fields);
    if (!b.oom) {
        ssize_t r = write(2, b.data, b.len);
        (void)r;
    }
    buf_free(&b);
}

void log_kv(log_level_t level, const char *msg, ...)
{
    log_field_t fields[17];
    size_t n = 0;
    va_list ap;
    va_start(ap, msg);
    for (const char *k; n < 16 && (k = va_arg(ap, const char *)) != NULL; n++) {
        fields[n].kind = LOG_F_STR;
        fields[n].key = k;
        fields[n].str = va_arg(ap, const char *);
    }
    va_end(ap);
    fields[n].kind = LOG_F_END;
    log_event(level, msg, fields);
}
