/* Splitting a stream of chunks into lines, for the text parsers.
 * Complete lines inside a chunk are handed over in place (no copy); only a
 * line cut by a chunk boundary is copied into the caller's partial buffer.
 * A line longer than the buffer is handed over cut, with overlong set. */
#ifndef CORRELATE_PARSE_LINES_H
#define CORRELATE_PARSE_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <stdint.h>

#include "correlate/err.h"

/* line: not NUL-terminated, without the '\n' (and without a trailing '\r').
 * Returns 0 to go on, or an error code to stop. */
typedef int (*line_fn)(void *ctx, const char *line, size_t len, bool overlong, struct err *err);

struct line_splitter {
	char *partial; /* caller's buffer for a line cut by a chunk boundary */
	size_t cap;
	size_t len;
	bool overlong;
};

void lines_init(struct line_splitter *s, char *buf, size_t cap);

/* Hands every complete line of the chunk to fn; keeps an unfinished one. */
int lines_feed(struct line_splitter *s, const char *buf, size_t len, line_fn fn, void *ctx,
	       struct err *err);

/* Hands over the last line when the stream did not end with '\n'. */
int lines_finish(struct line_splitter *s, line_fn fn, void *ctx, struct err *err);

/* Number parsing shared by the text parsers. */

/* Parses a decimal uint64 at s[0..len); sets *end to the first byte after
 * the digits.  Returns 0, or -1 when there is no digit or it overflows. */
int parse_u64_dec(const char *s, size_t len, uint64_t *out, size_t *end);

/* Parses a decimal number in JSON or Prometheus notation ("123", "1.5e+09",
 * "2.4229128e+07") exactly from its text, times 10^scale (scale 9 turns
 * seconds into nanoseconds), rounded half up.  round_max: a value that
 * rounds to 2^64 within a double's step there becomes UINT64_MAX (the Go
 * Prometheus client prints uint64 max, NextGC with GOGC=off, as
 * 1.8446744073709552e+19); without it, 2^64 and above are refused.  Returns
 * 0, or -1 with *why set: not a number, negative, 2^64 or more. */
int dec_parse_u64(const char *s, size_t len, int scale, int round_max, uint64_t *out,
		  const char **why);

/* The value of a hex digit (either case), or -1.  Inline: the smaps
 * parser asks it of every character of every mapping's address. */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Skips spaces and tabs; returns the new index.  Inline, as every /proc
 * value starts with a run of them. */
static inline size_t skip_blank(const char *s, size_t len, size_t i)
{
	/* /proc pads its values with runs of spaces ("Rss:     4 kB"): eight
	 * at a time first. */
	static const uint64_t spaces = 0x2020202020202020u;
	uint64_t w;
	while (i < len && len - i >= sizeof w && (memcpy(&w, s + i, sizeof w), w == spaces))
		i += sizeof w;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

#endif
