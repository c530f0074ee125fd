/* Helpers shared by the cmocka unit tests in tests/unit: byte sizes,
 * assertions on opt_u64 values and on errors, allocation that cannot fail,
 * and reading a file of tests/data whole.  One copy here, so the tests agree
 * on what each helper checks.
 *
 * Include it after <cmocka.h> (and the four headers cmocka.h needs): the
 * macros and read_data() call cmocka's fail_msg() and assert_int_equal().
 * DATA_DIR is set for every unit test by tests/unit/meson.build. */
#ifndef CORRELATE_TESTS_UNIT_TESTUTIL_H
#define CORRELATE_TESTS_UNIT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/opt.h"

/* ---- sizes ------------------------------------------------------------------ */

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

/* n kB as /proc prints them (KiB), in bytes. */
#define KIB(n) ((uint64_t)(n)*1024u)

/* ---- assertions ------------------------------------------------------------- */

/* An opt_u64 that must be known and equal to v. */
#define assert_known(o, val)                                                                     \
	do {                                                                                     \
		opt_u64 o_ = (o);                                                                \
		if (!o_.known)                                                                   \
			fail_msg("%s is unknown, expected %llu", #o, (unsigned long long)(val)); \
		assert_int_equal(o_.v, (val));                                                   \
	} while (0)

/* An opt_u64 that must be unknown. */
#define assert_unknown(o)                                                    \
	do {                                                                 \
		opt_u64 o_ = (o);                                            \
		if (o_.known)                                                \
			fail_msg("%s is known (%llu), expected unknown", #o, \
				 (unsigned long long)o_.v);                  \
	} while (0)

/* rc and the struct err e must both be `code_`, and e's message must contain
 * `needle`; else one message gives all three.  rc is evaluated once, first. */
#define assert_err(rc, e, code_, needle)                                                       \
	do {                                                                                   \
		int rc_ = (rc);                                                                \
		if (rc_ != (code_) || (e).code != (code_) || !strstr((e).msg, (needle)))       \
			fail_msg("got rc %d code %d \"%s\"; expected code %d and \"%s\"", rc_, \
				 (e).code, (e).msg, (code_), (needle));                        \
	} while (0)

/* ---- memory and files ------------------------------------------------------- */

/* Allocation that cannot fail in a test: abort() tells the compiler too. */
static inline void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	return p;
}

static inline void *xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n);
	if (!p)
		abort();
	return p;
}

/* Reads DATA_DIR/rel whole, NULs and all, and adds a '\0' after it; *len
 * excludes that '\0'.  The caller frees.  Fails the test if missing. */
static inline char *read_data(const char *rel, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", DATA_DIR, rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap + 1);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

#endif
