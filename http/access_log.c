/* access_log: an h2o logger. Each line is built in a stack buffer and written
 * with one write(2), so lines from different loops never interleave. */
#include "http/access_log.h"
#include "http/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/json.h"
#include "common/timeutil.h"
#include "http/http.h"

static int g_fd = 2;
static char *g_path; /* the file, when the log is one */


int access_log_open(const char *target)
{
    free(g_path);
    g_path = NULL;
    if (target == NULL || strcmp(target, "stderr") == 0) {
        g_fd = 2;
        return 0;
    }
    if (strcmp(target, "off") == 0) {
        g_fd = -1;
        return 0;
    }
    int fd = open_log_file(target);
    if (fd < 0)
        return -1;
    g_path = strdup(target);
    g_fd = fd;
    return 0;
}

/* dup2 swaps the file under g_fd atomically: a loop writing a line at that
 * moment writes it whole to the old file or to the new one */
int access_log_reopen(void)
{
    if (g_path == NULL || g_fd < 0)
        return 0;
    int fd = open_log_file(g_path);
    if (fd < 0)
        return -1;
    int rc = dup2(fd, g_fd) < 0 ? -1 : 0;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

void access_log_close(void)
{
    if (g_fd > 2)
        close(g_fd);
    g_fd = 2;
    free(g_path);
    g_path = NULL;
}

static void log_access(h2o_logger_t *self, h2o_req_t *req)
{
    metrics_count_request(req->path.base ? req->path.base : "", req->path.len, req->res.status);
    if (g_fd < 0)
        return;
    char when[40], client[64];
    time_format_iso8601(time_now_ms(), when, sizeof(when), 1);
    http_client_addr(req, client, sizeof(client));
    double ms = 0;
    if (req->timestamps.request_begin_at.tv_sec) {
        struct timeval now;
        gettimeofday(&now, NULL);
        ms = (now.tv_sec - req->timestamps.request_begin_at.tv_sec) * 1000.0 +
             (now.tv_usec - req->timestamps.request_begin_at.tv_usec) / 1000.0;
    }
    h2o_iovec_t *rid = h2o_req_getenv(req, H2O_STRLIT("cordon.rid"), 0);
    const char *decision = http_noted_decision(req);
    buf_t b;
    buf_init(&b);
    int first = 1;
    buf_putc(&b, '{');
    json_kv_str(&b, &first, "time", when);
    json_kv_str(&b, &first, "client", client);
    json_kv_raw(&b, &first, "method", "", 0);
    json_str(&b, req->method.base ? req->method.base : "", req->method.len);
    json_kv_raw(&b, &first, "path", "", 0);
    /* the path is logged without its query string: tokens never reach the log */
    size_t plen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    json_str(&b, req->path.base ? req->path.base : "", plen > 1024 ? 1024 : plen);
    json_kv_int(&b, &first, "status", req->res.status);
    json_kv_int(&b, &first, "bytes", (int64_t)req->bytes_sent);
    buf_printf(&b, ",\"duration_ms\":%.3f", ms);
    json_kv_str(&b, &first, "decision", decision ? decision : "");
    json_kv_raw(&b, &first, "request_id", "", 0);
    json_str(&b, rid ? rid->base : "", rid ? rid->len : 0);
    buf_puts(&b, "}\n");
    if (!b.oom) {
        ssize_t r = write(g_fd, b.data, b.len);
        (void)r;
    }
    buf_free(&b);
}

void access_log_register(h2o_pathconf_t *pathconf)
{
    h2o_logger_t *l = h2o_create_logger(pathconf, sizeof(*l));
    l->log_access = log_access;
}
