/* timeutil: strict parsers (a malformed timestamp is TIME_NONE, never "now")
 * and formatters for the time stamps cordon reads and writes. */
#include "common/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, size_t at, size_t count, int *out)
{
    if (at + count > n)
        return -1;
    int v = 0;
    for (size_t i = 0; i < count; i++) {
        if (!isdigit((unsigned char)s[at + i]))
            return -1;
        v = v * 10 + (s[at + i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int D[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : D[m - 1];
}

int64_t time_parse_iso8601(const char *s, size_t n)
{
    int y, mo, d, h, mi, sec;
    if (digits(s, n, 0, 4, &y) || n < 19 || s[4] != '-' || digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s, n, 11, 2, &h) ||
        s[13] != ':' || digits(s, n, 14, 2, &mi) || s[16] != ':' || digits(s, n, 17, 2, &sec))
        return TIME_NONE;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return TIME_NONE;
    size_t i = 19;
    int64_t ms = 0;
    if (i < n && s[i] == '.') {
        i++;
        int scale = 100, any = 0;
        while (i < n && isdigit((unsigned char)s[i])) {
            ms += (s[i] - '0') * scale;
            scale /= 10;
            i++;
            any = 1;
        }
        if (!any)
            return TIME_NONE;
    }
    int64_t offset_min = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        int sign = s[i] == '-' ? -1 : 1;
        if (digits(s, n, i + 1, 2, &oh))
            return TIME_NONE;
        size_t j = i + 3;
        if (j < n && s[j] == ':')
            j++;
        if (digits(s, n, j, 2, &om))
            return TIME_NONE;
        offset_min = sign * (oh * 60 + om);
        i = j + 2;
    } else if (i != n) {
        return TIME_NONE;
    }
    if (i != n)
        return TIME_NONE;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    return secs * 1000 + ms;
}

static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const WDAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

int64_t time_parse_http(const char *s)
{
    /* IMF-fixdate only: "Sun, 06 Nov 1994 08:49:37 GMT" (what every modern server sends) */
    char mon[4] = {0}, zone[4] = {0};
    int d, y, h, mi, sec, end = 0;
    if (s == NULL || sscanf(s, "%*3s, %2d %3s %4d %2d:%2d:%2d %3s%n", &d, mon, &y, &h, &mi, &sec, zone, &end) != 7 ||
        strcmp(zone, "GMT") != 0 || s[end] != '\0')
        return TIME_NONE;
    if (h > 23 || mi > 59 || sec > 60 || d < 1)
        return TIME_NONE;
    for (unsigned m = 0; m < 12; m++) {
        if (strcmp(mon, MONTHS[m]) == 0) {
            if (d > days_in_month(y, (int)m + 1))
                return TIME_NONE;
            int64_t days = days_from_civil(y, m + 1, (unsigned)d);
            return (days * 86400 + h * 3600 + mi * 60 + sec) * 1000;
        }
    }
    return TIME_NONE;
}

static void split(int64_t ms, struct tm *tm, int *millis)
{
    int64_t secs = ms / 1000;
    int64_t rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
        secs--;
    }
    time_t t = (time_t)secs;
    gmtime_r(&t, tm);
    *millis = (int)rem;
}

void time_format_iso8601(int64_t ms, char *out, size_t outlen, int with_ms)
{
    struct tm tm;
    int millis;
    split(ms, &tm, &millis);
    if (with_ms)
        snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    else
        snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void time_format_http(int64_t ms, char *out, size_t outlen)
{
    struct tm tm;
    int millis;
    split(ms, &tm, &millis);
    snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d GMT", WDAYS[tm.tm_wday], tm.tm_mday, MONTHS[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
