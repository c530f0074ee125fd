/* Shared by the libFuzzer targets (fuzz/fuzz_*.c): the entry point's
 * prototype, a check that turns a broken promise into a crash, and the
 * chunk schedule that streaming targets read from their first bytes. */
#ifndef CORRELATE_FUZZ_H
#define CORRELATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/err.h"
#include "correlate/memstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints what broke and aborts, so that libFuzzer keeps the input as a
 * crash (crash-<sha1>) like any sanitizer report. */
__attribute__((noreturn, format(printf, 4, 5))) void fuzz_fail(const char *file, int line,
							       const char *cond, const char *fmt, ...);

#define FUZZ_CHECK(cond, ...)                                                 \
	do {                                                                  \
		if (!(cond))                                                  \
			fuzz_fail(__FILE__, __LINE__, #cond, "" __VA_ARGS__); \
	} while (0)

/* A parser's error promise (err.h): a nonzero return is the code it set,
 * with a message; the message is a terminated string either way; message
 * and hint are printable (escape.h): no control byte, DEL, C1 control or
 * invalid UTF-8, whatever bytes of the input they quote. */
void fuzz_check_err(int rc, const struct err *err);

/* s[0..len) is printable as fuzz_check_err holds messages to; layout 1 also
 * allows newlines and tabs (a JSON document's indentation).  what names it
 * in the failure. */
void fuzz_check_clean(const char *s, size_t len, int layout, const char *what);

/* The chunk schedule: input byte 0 holds flags (bits 3-7, the target's own)
 * and the number of schedule bytes (bits 0-2, plus one); the schedule bytes
 * follow, each one chunk size, used in turn and over again.  A size byte b
 * is: 0 the whole rest, 1-191 that many bytes, 192-255 (b-191)*512 bytes
 * (512 to 32768, around the line buffers' limits). */
struct chunker {
	const uint8_t *sizes;
	size_t n, i;
};

/* Reads the header; *flags gets byte 0.  Returns the header's length (the
 * text starts there), or 0 when the input is too short to have one. */
size_t chunker_init(struct chunker *c, const uint8_t *data, size_t size, unsigned *flags);

/* Size of the next chunk, at most left (and at least 1 when left > 0). */
size_t chunker_next(struct chunker *c, size_t left);

/* Compares two snapshots field by field (go_fields[]); aborts on a
 * difference, naming it.  what: which two runs, for the message. */
void fuzz_same_snapshot(const struct go_snapshot *a, const struct go_snapshot *b,
			const char *what);

/* Runs prefix + data through the body parser twice (two chunks, and one
 * buffer) and holds both to the same answer; the format detected must be
 * fmt.  For fuzz_pprof, fuzz_expvar and fuzz_prom. */
int fuzz_body_prefixed(const char *prefix, enum body_format fmt, const uint8_t *data,
		       size_t size);

#endif
