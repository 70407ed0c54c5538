/* units: strict parsing of configuration durations and sizes. Anything that
 * is not exactly <number><unit> is an error the config loader reports. */
#include "common/units.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int parse_number(const char **s, int64_t *out)
{
    const char *p = *s;
    int64_t v = 0;
    if (!isdigit((unsigned char)*p))
        return -1;
    while (isdigit((unsigned char)*p)) {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
        p++;
    }
    *s = p;
    *out = v;
    return 0;
}

/* a unit after a number, its letters or the word people type ("30days"):
 * the milliseconds it stands for and *s moved past it, or 0 */
static int64_t unit_of(const char **s)
{
    static const struct {
        const char *name;
        int64_t ms;
    } UNITS[] = {
        {"milliseconds", 1}, {"millisecond", 1}, {"ms", 1},
        {"seconds", 1000}, {"second", 1000}, {"secs", 1000}, {"sec", 1000}, {"s", 1000},
        {"minutes", 60000}, {"minute", 60000}, {"mins", 60000}, {"min", 60000}, {"m", 60000},
        {"hours", 3600000}, {"hour", 3600000}, {"hrs", 3600000}, {"hr", 3600000}, {"h", 3600000},
        {"days", 86400000LL}, {"day", 86400000LL}, {"d", 86400000LL},
        {"weeks", 7 * 86400000LL}, {"week", 7 * 86400000LL}, {"w", 7 * 86400000LL},
    };
    /* the whole run of letters is one unit ("1h30m": "h", then "m") */
    size_t n = 0;
    while ((*s)[n] >= 'a' && (*s)[n] <= 'z')
        n++;
    for (size_t i = 0; n && i < sizeof(UNITS) / sizeof(UNITS[0]); i++)
        if (strlen(UNITS[i].name) == n && strncmp(*s, UNITS[i].name, n) == 0) {
            *s += n;
            return UNITS[i].ms;
        }
    return 0;
}

int64_t units_parse_duration_ms(const char *s)
{
    int64_t total = 0;
    if (s == NULL || *s == '\0')
        return -1;
    if (strcmp(s, "0") == 0)
        return 0;
    /* one or more <n><unit> groups: "1d12h" */
    while (*s) {
        int64_t n, mult;
        if (parse_number(&s, &n) != 0)
            return -1;
        if ((mult = unit_of(&s)) == 0)
            return -1;
        if (n > INT64_MAX / mult || total > INT64_MAX - n * mult)
            return -1;
        total += n * mult;
    }
    return total;
}

int64_t units_parse_size(const char *s)
{
    int64_t n;
    if (s == NULL || parse_number(&s, &n) != 0)
        return -1;
    int64_t mult = 1;
    if (*s == '\0' || strcmp(s, "B") == 0)
        mult = 1;
    else if (strcmp(s, "KB") == 0 || strcmp(s, "K") == 0 || strcmp(s, "KiB") == 0 || strcmp(s, "k") == 0)
        mult = 1024;
    else if (strcmp(s, "MB") == 0 || strcmp(s, "M") == 0 || strcmp(s, "MiB") == 0)
        mult = 1024 * 1024;
    else if (strcmp(s, "GB") == 0 || strcmp(s, "G") == 0 || strcmp(s, "GiB") == 0)
        mult = 1024LL * 1024 * 1024;
    else if (strcmp(s, "TB") == 0 || strcmp(s, "T") == 0 || strcmp(s, "TiB") == 0)
        mult = 1024LL * 1024 * 1024 * 1024;
    else
        return -1;
    if (n > INT64_MAX / mult)
        return -1;
    return n * mult;
}

void units_format_duration(int64_t ms, char *out, unsigned outlen)
{
    static const struct {
        int64_t ms;
        char unit;
    } U[] = {{86400000LL, 'd'}, {3600000LL, 'h'}, {60000LL, 'm'}, {1000LL, 's'}}; /* 14d reads better than 2w */
    if (ms == 0) {
        snprintf(out, outlen, "0");
        return;
    }
    for (unsigned i = 0; i < sizeof(U) / sizeof(U[0]); i++) {
        if (ms % U[i].ms == 0) {
            snprintf(out, outlen, "%lld%c", (long long)(ms / U[i].ms), U[i].unit);
            return;
        }
    }
    snprintf(out, outlen, "%lldms", (long long)ms);
}
