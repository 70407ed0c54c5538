/* unit tests: common/units.h (durations, sizes) and common/timeutil.h
 * (ISO-8601 and HTTP dates, parse and format). */
#include <stdint.h>
#include <string.h>

#include "common/timeutil.h"
#include "common/units.h"
#include "tests/unit/test.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)

TEST(duration_single_units)
{
    CHECK_INT_EQ(units_parse_duration_ms("90s"), 90 * SEC);
    CHECK_INT_EQ(units_parse_duration_ms("5m"), 5 * MIN);
    CHECK_INT_EQ(units_parse_duration_ms("24h"), 24 * HOUR);
    CHECK_INT_EQ(units_parse_duration_ms("7d"), 7 * DAY);
    CHECK_INT_EQ(units_parse_duration_ms("3d"), 3 * DAY);
    CHECK_INT_EQ(units_parse_duration_ms("2w"), 2 * WEEK);
    CHECK_INT_EQ(units_parse_duration_ms("1500ms"), 1500);
    CHECK_INT_EQ(units_parse_duration_ms("0"), 0);
    CHECK_INT_EQ(units_parse_duration_ms("0s"), 0);
    CHECK_INT_EQ(units_parse_duration_ms("0d"), 0);
    CHECK_INT_EQ(units_parse_duration_ms("007d"), 7 * DAY);
}

TEST(duration_combinations)
{
    CHECK_INT_EQ(units_parse_duration_ms("1d12h"), DAY + 12 * HOUR);
    CHECK_INT_EQ(units_parse_duration_ms("1m30s"), MIN + 30 * SEC);
    CHECK_INT_EQ(units_parse_duration_ms("1w2d3h4m5s6ms"), WEEK + 2 * DAY + 3 * HOUR + 4 * MIN + 5 * SEC + 6);
    CHECK_INT_EQ(units_parse_duration_ms("2h30m"), 2 * HOUR + 30 * MIN);
}

TEST(duration_words)
{
    /* the CLI takes what people type: "30days" as "30d" */
    CHECK_INT_EQ(units_parse_duration_ms("30days"), 30 * DAY);
    CHECK_INT_EQ(units_parse_duration_ms("1day"), DAY);
    CHECK_INT_EQ(units_parse_duration_ms("2weeks"), 2 * WEEK);
    CHECK_INT_EQ(units_parse_duration_ms("1week"), WEEK);
    CHECK_INT_EQ(units_parse_duration_ms("12hours"), 12 * HOUR);
    CHECK_INT_EQ(units_parse_duration_ms("1hour30min"), HOUR + 30 * MIN);
    CHECK_INT_EQ(units_parse_duration_ms("5mins"), 5 * MIN);
    CHECK_INT_EQ(units_parse_duration_ms("10minutes"), 10 * MIN);
    CHECK_INT_EQ(units_parse_duration_ms("45sec"), 45 * SEC);
    CHECK_INT_EQ(units_parse_duration_ms("3seconds"), 3 * SEC);
    CHECK_INT_EQ(units_parse_duration_ms("2hrs"), 2 * HOUR);
    CHECK_INT_EQ(units_parse_duration_ms("7dayz"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("7 days"), -1); /* one token, as in YAML and on a command line */
    CHECK_INT_EQ(units_parse_duration_ms("1months"), -1); /* no month: its length varies */
    CHECK_INT_EQ(units_parse_duration_ms("3Days"), -1);
}

TEST(duration_malformed)
{
    CHECK_INT_EQ(units_parse_duration_ms("7x"), -1);
    CHECK_INT_EQ(units_parse_duration_ms(""), -1);
    CHECK_INT_EQ(units_parse_duration_ms(NULL), -1);
    CHECK_INT_EQ(units_parse_duration_ms("-1"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("-1d"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("7"), -1);  /* a bare number other than 0 has no unit */
    CHECK_INT_EQ(units_parse_duration_ms("00"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("d"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("7D"), -1); /* units are lower case */
    CHECK_INT_EQ(units_parse_duration_ms(" 7d"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("7d "), -1);
    CHECK_INT_EQ(units_parse_duration_ms("7 d"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("1.5h"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("1d12"), -1); /* trailing number without unit */
    CHECK_INT_EQ(units_parse_duration_ms("1mm"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("+7d"), -1);
    CHECK_INT_EQ(units_parse_duration_ms("7dayss"), -1); /* "7days" is a duration now (duration_words) */
}

TEST(duration_overflow)
{
    CHECK_INT_EQ(units_parse_duration_ms("99999999999999999999s"), -1); /* the number itself overflows */
    CHECK_INT_EQ(units_parse_duration_ms("9223372036854775807s"), -1);  /* n * 1000 overflows */
    CHECK_INT_EQ(units_parse_duration_ms("106751991167d"), 106751991167LL * DAY); /* just fits */
    CHECK_INT_EQ(units_parse_duration_ms("106751991168d"), -1);                   /* just does not */
    CHECK_INT_EQ(units_parse_duration_ms("106751991167d1d"), -1);                 /* the sum overflows */
    CHECK_INT_EQ(units_parse_duration_ms("9223372036854775807ms1ms"), -1);
}

TEST(duration_format)
{
    char b[32];
    units_format_duration(0, b, sizeof(b));
    CHECK_STR_EQ(b, "0");
    units_format_duration(3 * DAY, b, sizeof(b));
    CHECK_STR_EQ(b, "3d");
    units_format_duration(7 * DAY, b, sizeof(b));
    CHECK_STR_EQ(b, "7d"); /* days, as people write windows */
    units_format_duration(2 * WEEK, b, sizeof(b));
    CHECK_STR_EQ(b, "14d");
    units_format_duration(36 * HOUR, b, sizeof(b));
    CHECK_STR_EQ(b, "36h");
    units_format_duration(90 * SEC, b, sizeof(b));
    CHECK_STR_EQ(b, "90s");
    units_format_duration(5 * MIN, b, sizeof(b));
    CHECK_STR_EQ(b, "5m");
    units_format_duration(1500, b, sizeof(b));
    CHECK_STR_EQ(b, "1500ms");
    /* round trip through the parser */
    static const char *const samples[] = {"14d", "2w", "90s", "36h", "5m", "1500ms"};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        int64_t ms = units_parse_duration_ms(samples[i]);
        units_format_duration(ms, b, sizeof(b));
        CHECK_INT_EQ(units_parse_duration_ms(b), ms);
    }
}

TEST(size_parse)
{
    CHECK_INT_EQ(units_parse_size("64MB"), 64LL << 20);
    CHECK_INT_EQ(units_parse_size("64M"), 64LL << 20);
    CHECK_INT_EQ(units_parse_size("64MiB"), 64LL << 20);
    CHECK_INT_EQ(units_parse_size("1GB"), 1LL << 30);
    CHECK_INT_EQ(units_parse_size("1GiB"), 1LL << 30);
    CHECK_INT_EQ(units_parse_size("1KiB"), 1024);
    CHECK_INT_EQ(units_parse_size("1KB"), 1024);
    CHECK_INT_EQ(units_parse_size("4k"), 4096);
    CHECK_INT_EQ(units_parse_size("2TB"), 2LL << 40);
    CHECK_INT_EQ(units_parse_size("512"), 512);
    CHECK_INT_EQ(units_parse_size("10B"), 10);
    CHECK_INT_EQ(units_parse_size("0"), 0);
    CHECK_INT_EQ(units_parse_size("8388607TB"), 8388607LL << 40); /* largest that fits */
}

TEST(size_malformed)
{
    CHECK_INT_EQ(units_parse_size(""), -1);
    CHECK_INT_EQ(units_parse_size(NULL), -1);
    CHECK_INT_EQ(units_parse_size("MB"), -1);
    CHECK_INT_EQ(units_parse_size("-1MB"), -1);
    CHECK_INT_EQ(units_parse_size("1.5GB"), -1);
    CHECK_INT_EQ(units_parse_size("64 MB"), -1);
    CHECK_INT_EQ(units_parse_size("64mb"), -1);
    CHECK_INT_EQ(units_parse_size("64XB"), -1);
    CHECK_INT_EQ(units_parse_size("64MBs"), -1);
    CHECK_INT_EQ(units_parse_size("8388608TB"), -1); /* 2^63 bytes overflows */
    CHECK_INT_EQ(units_parse_size("99999999999999999999"), -1);
}

TEST(iso8601_valid)
{
    const char *s;
    s = "2026-11-23T10:00:00Z";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1795428000000LL);
    s = "2026-11-23T10:00:00.123Z";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1795428000123LL);
    s = "2026-11-23T10:00:00.1Z";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1795428000100LL);
    s = "2026-11-23T10:00:00.123456Z"; /* sub-millisecond digits are dropped */
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1795428000123LL);
    s = "2026-11-23T10:00:00+02:00";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1795420800000LL);
    s = "2026-11-23T10:00:00+0200";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1795420800000LL);
    s = "2026-11-23T10:00:00-05:30";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1795447800000LL);
    s = "2026-11-23T10:00:00.123+02:00";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1795420800123LL);
    s = "2026-11-23t10:00:00z";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1795428000000LL);
    s = "1970-01-01T00:00:00Z";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 0);
    s = "1969-07-20T20:17:40Z";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), -14182940000LL);
    s = "2024-02-29T23:59:59Z"; /* leap day */
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 1709251199000LL);
    s = "2000-03-01T00:00:00Z";
    CHECK_INT_EQ(time_parse_iso8601(s, strlen(s)), 951868800000LL);
    /* only n bytes are read: the rest of a JSON buffer does not matter */
    s = "2026-11-23T10:00:00Z\",\"next\":1";
    CHECK_INT_EQ(time_parse_iso8601(s, 20), 1795428000000LL);
}

TEST(iso8601_invalid)
{
    static const char *const bad[] = {
        "",
        "2026",
        "2026-11-23",
        "2026-11-23T10:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-11-32T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-23T24:00:00Z",
        "2026-11-23T10:60:00Z",
        "2026-11-23T10:00:61Z",
        "2026-11-23X10:00:00Z",
        "2026/11/23T10:00:00Z",
        "26-11-23T10:00:00Z",
        "2026-11-23T10:00:00.Z",
        "2026-11-23T10:00:00Zjunk",
        "2026-11-23T10:00:00 Z",
        "2026-11-23T10:00:00+02",
        "2026-11-23T10:00:00+2:00",
        "2026-11-23T10:00:00+02:0",
        "2026-1a-23T10:00:00Z",
        "not a date at all, really",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = time_parse_iso8601(bad[i], strlen(bad[i]));
        if (t != TIME_NONE)
            fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
        CHECK(t == TIME_NONE);
    }
    /* a valid stamp cut short by n */
    CHECK(time_parse_iso8601("2026-11-23T10:00:00Z", 18) == TIME_NONE);
}

/* calendar validity: these pass the per-field range checks but name days
 * that do not exist; the header promises TIME_NONE for invalid input */
TEST(iso8601_impossible_dates)
{
    static const char *const bad[] = {
        "2026-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z", /* not a leap year */
        "2026-04-31T00:00:00Z",
        "1900-02-29T00:00:00Z", /* century, not a leap year */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = time_parse_iso8601(bad[i], strlen(bad[i]));
        if (t != TIME_NONE)
            fprintf(stderr, "  accepted impossible date \"%s\" as %lld\n", bad[i], (long long)t);
        CHECK(t == TIME_NONE);
    }
    CHECK(time_parse_iso8601("2000-02-29T00:00:00Z", 20) != TIME_NONE); /* 2000 is a leap year */
}

TEST(http_date)
{
    CHECK_INT_EQ(time_parse_http("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777000LL);
    CHECK_INT_EQ(time_parse_http("Mon, 23 Nov 2026 10:00:00 GMT"), 1795428000000LL);
    CHECK(time_parse_http(NULL) == TIME_NONE);
    CHECK(time_parse_http("") == TIME_NONE);
    CHECK(time_parse_http("yesterday") == TIME_NONE);
    CHECK(time_parse_http("Sun, 06 Foo 1994 08:49:37 GMT") == TIME_NONE);
    CHECK(time_parse_http("Sunday, 06-Nov-94 08:49:37 GMT") == TIME_NONE); /* RFC 850 is not accepted */
    CHECK(time_parse_http("Sun, 06 Nov 1994 08:49:37 PST") == TIME_NONE);
    CHECK(time_parse_http("Sun, 06 Nov 1994 08:49 GMT") == TIME_NONE);
}

TEST(http_date_out_of_range_fields)
{
    /* fields outside their ranges are not a date (header: TIME_NONE if invalid) */
    CHECK(time_parse_http("Sun, 06 Nov 1994 25:49:37 GMT") == TIME_NONE);
    CHECK(time_parse_http("Sun, 32 Nov 1994 08:49:37 GMT") == TIME_NONE);
    CHECK(time_parse_http("Sun, 06 Nov 1994 08:61:37 GMT") == TIME_NONE);
}

TEST(format_round_trip)
{
    char b[64];
    time_format_iso8601(1795428000000LL, b, sizeof(b), 0);
    CHECK_STR_EQ(b, "2026-11-23T10:00:00Z");
    time_format_iso8601(1795428000123LL, b, sizeof(b), 1);
    CHECK_STR_EQ(b, "2026-11-23T10:00:00.123Z");
    time_format_iso8601(1795428000123LL, b, sizeof(b), 0);
    CHECK_STR_EQ(b, "2026-11-23T10:00:00Z");
    time_format_iso8601(0, b, sizeof(b), 1);
    CHECK_STR_EQ(b, "1970-01-01T00:00:00.000Z");
    time_format_iso8601(-1, b, sizeof(b), 1);
    CHECK_STR_EQ(b, "1969-12-31T23:59:59.999Z");
    time_format_http(784111777000LL, b, sizeof(b));
    CHECK_STR_EQ(b, "Sun, 06 Nov 1994 08:49:37 GMT");
    time_format_http(1795428000000LL, b, sizeof(b));
    CHECK_STR_EQ(b, "Mon, 23 Nov 2026 10:00:00 GMT");

    static const int64_t samples[] = {0, 1, 999, 784111777000LL, 1709251199999LL, 1795428000123LL, -14182940000LL,
                                      253402300799000LL /* 9999-12-31T23:59:59Z */};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        time_format_iso8601(samples[i], b, sizeof(b), 1);
        CHECK_INT_EQ(time_parse_iso8601(b, strlen(b)), samples[i]);
        time_format_iso8601(samples[i], b, sizeof(b), 0);
        CHECK_INT_EQ(time_parse_iso8601(b, strlen(b)), samples[i] - ((samples[i] % 1000 + 1000) % 1000));
        time_format_http(samples[i], b, sizeof(b));
        CHECK_INT_EQ(time_parse_http(b), samples[i] - ((samples[i] % 1000 + 1000) % 1000));
    }
    /* now is a plausible wall clock (after 2024, before 2100) and round-trips */
    int64_t now = time_now_ms();
    CHECK(now > 1704067200000LL && now < 4102444800000LL);
    time_format_iso8601(now, b, sizeof(b), 1);
    CHECK_INT_EQ(time_parse_iso8601(b, strlen(b)), now);
}

int main(void)
{
    RUN(duration_single_units);
    RUN(duration_combinations);
    RUN(duration_words);
    RUN(duration_malformed);
    RUN(duration_overflow);
    RUN(duration_format);
    RUN(size_parse);
    RUN(size_malformed);
    RUN(iso8601_valid);
    RUN(iso8601_invalid);
    RUN(iso8601_impossible_dates);
    RUN(http_date);
    RUN(http_date_out_of_range_fields);
    RUN(format_round_trip);
    return test_report();
}
