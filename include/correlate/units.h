/* Sizes for people: IEC units, parsing them from the command line, and
 * the lines findings are written in. */
#ifndef CORRELATE_UNITS_H
#define CORRELATE_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/opt.h"

/* "0 B", "512 B", "4.0 KiB", "141.0 MiB", "1.46 GiB" into out (>= 16 bytes).
 * Returns out. */
char *fmt_iec(uint64_t bytes, char *out, size_t cap);

/* An amount for a report: IEC bytes, a plain count when is_count, or
 * "unknown".  Returns buf, or the literal "unknown". */
const char *fmt_amount(opt_u64 v, int is_count, char *buf, size_t cap);

/* Parses "64MiB", "1.5GiB", "4096", "10MB" (powers of 1000), "2KiB".
 * Returns 0, or -1 when not a size or beyond 2^64-1. */
int parse_size(const char *s, uint64_t *out);

/* Appends printf-style text to the terminated string dst (cap bytes),
 * cutting what does not fit; a full dst is left as it is. */
void fmt_append(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
