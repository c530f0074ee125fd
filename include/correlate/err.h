/* Errors: a code and a message, filled where the failure is known, passed up
 * untouched and printed once, by main.  The code is the process exit code. */
#ifndef CORRELATE_ERR_H
#define CORRELATE_ERR_H

enum err_code {
	ERR_OK = 0,
	ERR_INTERNAL = 1, /* out of memory, a bug; also "check failed" (exit 1) */
	ERR_USAGE = 2,	  /* bad command line */
	ERR_PROC = 3,	  /* the process cannot be read, or is not the same one */
	ERR_ENDPOINT = 4, /* the endpoint cannot be fetched or parsed */
	ERR_OWNER = 5,	  /* the endpoint belongs to another process */
	ERR_PARTIAL = 6,  /* correlate scan: some targets could not be reported */
};

struct err {
	int code;	/* enum err_code; ERR_OK when nothing failed */
	char msg[320];	/* what failed, one line, no trailing newline */
	char hint[320]; /* what to try, one line; may be empty */
};

/* Sets code and message (printf-style); clears the hint.  Returns code, so
 * `return err_set(err, ERR_PROC, "...")` reads as one step.  err may be NULL.
 * Message and hint always come out printable: bytes a caller quoted without
 * escaping them are escaped here (escape.h, ESC_SAFE); quote external bytes
 * with esc_bytes (ESC_TEXT) anyway, so that a backslash in them shows as \\. */
int err_set(struct err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sets the hint of an error already set.  Returns err->code (0 if err is NULL). */
int err_hint(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Puts "ctx: " in front of the message, keeping code and hint. */
int err_prefix(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
