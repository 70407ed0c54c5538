/* units: durations ("90s", "5m", "3d", "2w", "0") and sizes ("64MB", "1GiB")
 * as they appear in the configuration. */
#ifndef CORDON_UNITS_H
#define CORDON_UNITS_H

#include <stdint.h>

/* milliseconds; -1 on a malformed value. A bare "0" is accepted (= off). */
int64_t units_parse_duration_ms(const char *s);
/* bytes; -1 on a malformed value */
int64_t units_parse_size(const char *s);
/* "7d", "36h", "90s": the shortest exact form, for messages */
void units_format_duration(int64_t ms, char *out, unsigned outlen);

#endif
