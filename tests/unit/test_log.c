/* unit tests: common/log.h (the server log line, JSON and text) and the
 * log: section of the configuration */
#include <string.h>

#include "common/log.h"
#include "core/config.h"
#include "tests/unit/test.h"

/* 2026-11-23T10:00:00.123Z */
#define AT 1795428000123LL

TEST(json_line)
{
    buf_t b;
    buf_init(&b);
    log_format_line(&b, LOG_JSON, AT, LOG_WARN, "upstream \"failed\"",
                    (const log_field_t[]){LOG_STR("origin", "http://127.0.0.1:1"), LOG_INT("status", 502),
                                          LOG_JSON_RAW("list", "[1,2]"), LOG_END});
    CHECK_STR_EQ(buf_cstr(&b), "{\"time\":\"2026-11-23T10:00:00.123Z\",\"level\":\"warn\",\"msg\":\"upstream "
                               "\\\"failed\\\"\",\"origin\":\"http://127.0.0.1:1\",\"status\":502,\"list\":[1,2]}\n");
    buf_free(&b);
    buf_init(&b);
    log_format_line(&b, LOG_JSON, AT, LOG_ERROR, "x", NULL);
    CHECK_STR_EQ(buf_cstr(&b), "{\"time\":\"2026-11-23T10:00:00.123Z\",\"level\":\"error\",\"msg\":\"x\"}\n");
    buf_free(&b);
}

TEST(text_line)
{
    buf_t b;
    buf_init(&b);
    log_format_line(&b, LOG_TEXT, AT, LOG_INFO, "cordon serving",
                    (const log_field_t[]){LOG_STR("data_dir", "/var/lib/cordon"), LOG_STR("why", "a b"),
                                          LOG_STR("empty", ""), LOG_STR("nl", "a\nb"), LOG_INT("threads", 2),
                                          LOG_END});
    CHECK_STR_EQ(buf_cstr(&b), "2026-11-23T10:00:00.123Z INFO  cordon serving data_dir=/var/lib/cordon why=\"a b\" "
                               "empty=\"\" nl=\"a\\nb\" threads=2\n");
    buf_free(&b);
}

static int load(config_t *c, const char *yaml, char *err, size_t errlen)
{
    return config_load_string(c, "t.yaml", yaml, strlen(yaml), err, errlen);
}

TEST(config_log_section)
{
    config_t c;
    char err[512] = "";
    CHECK_INT_EQ(load(&c, "listen: 127.0.0.1:1\n", err, sizeof(err)), 0);
    CHECK_INT_EQ(c.log_text, 0);
    CHECK(c.log_file == NULL);
    config_free(&c);
    CHECK_INT_EQ(load(&c, "log:\n  format: text\n  file: /tmp/x.log\n", err, sizeof(err)), 0);
    CHECK_INT_EQ(c.log_text, 1);
    CHECK_STR_EQ(c.log_file ? c.log_file : "(null)", "/tmp/x.log");
    config_free(&c);
    CHECK_INT_EQ(load(&c, "log: { format: json, file: stderr }\n", err, sizeof(err)), 0);
    CHECK_INT_EQ(c.log_text, 0);
    CHECK(c.log_file == NULL);
    config_free(&c);
    CHECK_INT_EQ(load(&c, "log:\n  format: yaml\n", err, sizeof(err)), -1);
    CHECK_STR_EQ(err, "t.yaml:2: 'log.format' must be json or text, not 'yaml'");
    config_free(&c);
    CHECK_INT_EQ(load(&c, "log:\n  level: debug\n", err, sizeof(err)), -1);
    CHECK(strstr(err, "t.yaml:2: unknown key 'level' in log") != NULL);
    config_free(&c);
}

int main(void)
{
    RUN(json_line);
    RUN(text_line);
    RUN(config_log_section);
    return test_report();
}
