/* The endpoint body parser (format detected from content), fed in chunks
 * whose sizes the input's first bytes choose (fuzz.h), held against the
 * one-shot parse_body of the same bytes: the same snapshot, or the same
 * error code.
 *
 * Flags (byte 0): bit 6 gives the chunked parser max_bytes = the body's
 * length (must change nothing); bit 7 also runs one with max_bytes one
 * byte short (must fail). */
#include <string.h>

#include "correlate/memstats.h"
#include "fuzz.h"

/* Feeds text in the chunker's sizes; returns the parser's answer. */
static int chunked(struct chunker ch, const char *text, size_t len, uint64_t max_bytes,
		   struct go_snapshot *out, struct err *err)
{
	struct body_parser *p = body_parser_new(max_bytes);
	if (!p)
		return -1;
	int rc = 0;
	for (size_t off = 0; off < len && !rc;) {
		size_t n = chunker_next(&ch, len - off);
		rc = body_parser_feed(p, text + off, n, err);
		off += n;
	}
	if (!rc) {
		rc = body_parser_finish(p, out, err);
		if (!rc)
			FUZZ_CHECK(body_parser_format(p) == out->format);
	} else {
		/* A parser that refused a chunk stays refused. */
		struct err e2 = {0};
		struct go_snapshot s;
		int rcf = body_parser_finish(p, &s, &e2);
		FUZZ_CHECK(rcf != 0, "finish succeeded after a failed feed");
		fuzz_check_err(rcf, &e2);
	}
	body_parser_free(p);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunker ch;
	unsigned flags = 0;
	size_t at = chunker_init(&ch, data, size, &flags);
	if (at == 0)
		return 0;
	const char *text = (const char *)data + at;
	size_t len = size - at;

	struct go_snapshot s1, s2;
	struct err e1 = {0}, e2 = {0};
	int rc1 = parse_body(text, len, &s1, &e1);
	fuzz_check_err(rc1, &e1);
	if (rc1 == 0) {
		FUZZ_CHECK(s1.format != FMT_UNKNOWN && s1.body_bytes == len);
		FUZZ_CHECK(go_snapshot_check(&s1, &(struct err){0}) == 0);
	}

	int rc2 = chunked(ch, text, len, (flags & 0x40) ? len : 0, &s2, &e2);
	if (rc2 < 0)
		return 0; /* out of memory */
	fuzz_check_err(rc2, &e2);
	FUZZ_CHECK(rc1 == rc2, "one shot: %d (%s); chunked: %d (%s)", rc1, e1.msg, rc2, e2.msg);
	if (rc1 == 0)
		fuzz_same_snapshot(&s1, &s2, "one shot vs chunked");

	if ((flags & 0x80) && len > 0) {
		struct go_snapshot s3;
		struct err e3 = {0};
		int rc3 = chunked(ch, text, len, len - 1, &s3, &e3);
		if (rc3 >= 0) {
			fuzz_check_err(rc3, &e3);
			FUZZ_CHECK(rc3 == ERR_ENDPOINT, "a %zu-byte body passed max_bytes %zu", len,
				   len - 1);
		}
	}
	return 0;
}
