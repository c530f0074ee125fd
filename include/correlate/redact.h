/* Keeping secrets out of every output and saved pair. */
#ifndef CORRELATE_REDACT_H
#define CORRELATE_REDACT_H

#include <stddef.h>

/* In place: the values of command-line arguments whose names speak of a
 * secret (--password=x, --db-token x, -api-key=x ...) and the user:password
 * of URLs in arguments become REDACTED.  The result is never longer than
 * cap - 1. */
void cmdline_redact(char *cmdline, size_t cap);

/* Copies from environ text (NUL-separated) only the variables correlate
 * reads (GOGC, GOMEMLIMIT, GODEBUG, GOMAXPROCS, GOTRACEBACK) into out (at
 * least len bytes; it may be buf itself).  Returns the length written.  Everything else in an
 * environment may be a secret and is never kept. */
size_t environ_keep_go(const char *buf, size_t len, char *out);

#endif
