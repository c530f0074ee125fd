/* Helpers shared by the fuzz targets; see fuzz.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/capture.h"
#include "correlate/escape.h"
#include "fuzz.h"

/* UBSan's checks recover by default (meson's b_sanitize does not pass
 * -fno-sanitize-recover): make every report fatal, so libFuzzer counts it
 * as a crash and keeps the input, whatever UBSAN_OPTIONS the caller set. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* ASan keeps 256 MB of freed memory in quarantine by default; with every
 * input allocating and freeing its parser, a run's RSS would sit near
 * -rss_limit_mb=512 from that alone.  64 MB still catches use-after-free
 * of anything an input freed recently. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=64";
}

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "==FUZZ CHECK FAILED== %s:%d: %s", file, line, cond);
	if (fmt && *fmt) {
		fputs(": ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	abort();
}

void fuzz_check_err(int rc, const struct err *err)
{
	FUZZ_CHECK(memchr(err->msg, '\0', sizeof err->msg) != NULL, "message not terminated");
	FUZZ_CHECK(memchr(err->hint, '\0', sizeof err->hint) != NULL, "hint not terminated");
	fuzz_check_clean(err->msg, strlen(err->msg), 0, "the message");
	fuzz_check_clean(err->hint, strlen(err->hint), 0, "the hint");
	if (rc == 0)
		return;
	FUZZ_CHECK(err->code == rc, "returned %d, err.code %d (%s)", rc, err->code, err->msg);
	FUZZ_CHECK(err->msg[0] != '\0', "error %d without a message", rc);
}

void fuzz_check_clean(const char *s, size_t len, int layout, const char *what)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && !(layout && (s[i] == '\n' || s[i] == '\t')))
			continue;
		if (!esc_is_clean(s + start, i - start)) {
			static char shown[ESC_MAX(4096)];
			size_t n = i - start < 4096 ? i - start : 4096;
			esc_bytes(shown, sizeof shown, s + start, n, ESC_TEXT);
			fuzz_fail(__FILE__, __LINE__, "esc_is_clean",
				  "%s holds a raw control byte or invalid UTF-8: \"%s\"", what,
				  shown);
		}
		start = i + 1;
	}
}

size_t chunker_init(struct chunker *c, const uint8_t *data, size_t size, unsigned *flags)
{
	if (size < 2)
		return 0;
	size_t n = (size_t)(data[0] & 7) + 1;
	if (size < 1 + n)
		return 0;
	*flags = data[0];
	c->sizes = data + 1;
	c->n = n;
	c->i = 0;
	return 1 + n;
}

size_t chunker_next(struct chunker *c, size_t left)
{
	uint8_t b = c->sizes[c->i++ % c->n];
	size_t want = b == 0 ? left : b < 192 ? b : (size_t)(b - 191) * 512;
	return want < left ? want : left;
}

void fuzz_same_snapshot(const struct go_snapshot *a, const struct go_snapshot *b, const char *what)
{
	FUZZ_CHECK(a->format == b->format, "%s: format %s vs %s", what,
		   body_format_name(a->format), body_format_name(b->format));
	for (size_t i = 0; i < go_fields_count; i++) {
		opt_u64 x = go_field_get(&a->ms, &go_fields[i]);
		opt_u64 y = go_field_get(&b->ms, &go_fields[i]);
		FUZZ_CHECK(x.known == y.known && (!x.known || x.v == y.v),
			   "%s: %s differs (%d:%llu vs %d:%llu)", what, go_fields[i].label,
			   x.known, (unsigned long long)x.v, y.known, (unsigned long long)y.v);
	}
	FUZZ_CHECK(memchr(a->go_version, '\0', sizeof a->go_version) &&
		       memchr(b->go_version, '\0', sizeof b->go_version),
		   "%s: go_version not terminated", what);
	FUZZ_CHECK(strcmp(a->go_version, b->go_version) == 0, "%s: go_version \"%s\" vs \"%s\"",
		   what, a->go_version, b->go_version);
	FUZZ_CHECK(a->body_bytes == b->body_bytes, "%s: body_bytes %llu vs %llu", what,
		   (unsigned long long)a->body_bytes, (unsigned long long)b->body_bytes);
}

int fuzz_body_prefixed(const char *prefix, enum body_format fmt, const uint8_t *data, size_t size)
{
	size_t plen = strlen(prefix);
	struct go_snapshot s1, s2;
	struct err e1 = {0}, e2 = {0};

	/* The prefix and the input as two chunks. */
	struct body_parser *p = body_parser_new(0);
	if (!p)
		return 0;
	int rc1 = body_parser_feed(p, prefix, plen, &e1);
	if (!rc1)
		rc1 = body_parser_feed(p, (const char *)data, size, &e1);
	if (!rc1)
		rc1 = body_parser_finish(p, &s1, &e1);
	fuzz_check_err(rc1, &e1);
	FUZZ_CHECK(body_parser_format(p) == fmt, "detected %s, not %s",
		   body_format_name(body_parser_format(p)), body_format_name(fmt));
	body_parser_free(p);

	/* The same bytes as one buffer (an exact-size copy: ASan sees overreads). */
	char *whole = malloc(plen + size);
	if (!whole)
		return 0;
	memcpy(whole, prefix, plen);
	if (size)
		memcpy(whole + plen, data, size);
	int rc2 = parse_body(whole, plen + size, &s2, &e2);
	free(whole);
	fuzz_check_err(rc2, &e2);

	FUZZ_CHECK(rc1 == rc2, "two chunks: %d (%s); one buffer: %d (%s)", rc1, e1.msg, rc2,
		   e2.msg);
	if (rc1 == 0) {
		fuzz_same_snapshot(&s1, &s2, "two chunks vs one buffer");
		FUZZ_CHECK(s1.body_bytes == plen + size);
		/* The Go version a report shows comes from here. */
		static struct capture c;
		memcpy(c.go.go_version, s1.go_version, sizeof c.go.go_version);
		int minor = capture_go_minor(&c);
		FUZZ_CHECK(minor >= 0);
	}
	return 0;
}
