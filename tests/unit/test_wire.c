/* wire_final_encode and wire_final_decode: the unprivileged fetch's result
 * frame, which correlate takes from a process that parsed untrusted bytes.
 * A snapshot parsed from a real body (tests/data) goes through whole; every
 * way a frame can be wrong is refused, and nothing of a refused frame is
 * kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/wire.h"
#include "testutil.h"

static struct fetch_report rep, got;
static struct wire_final w;

/* A real answer: /debug/vars of memsvc on Go 1.21 (tests/data/go1.21-pure). */
static void real(void)
{
	size_t len;
	char *body = read_data("go1.21-pure/vars.json", &len);
	struct err e = {0};
	memset(&rep, 0, sizeof rep);
	assert_int_equal(parse_body(body, len, &rep.go, &e), 0);
	free(body);
	rep.outcome = WO_FOUND;
	rep.target = 1;
	snprintf(rep.res.url, sizeof rep.res.url, "http://127.0.0.1:6060/debug/vars");
	snprintf(rep.res.tried, sizeof rep.res.tried, "http://127.0.0.1:6060/metrics (HTTP 404)");
	rep.res.seconds = 0.0125;
	rep.n_attempts = 2;
	snprintf(rep.attempts[0].url, sizeof rep.attempts[0].url, "http://127.0.0.1:6060/metrics");
	snprintf(rep.attempts[0].outcome, sizeof rep.attempts[0].outcome, "HTTP 404");
	rep.attempts[0].target = 1;
	rep.attempts[0].fail = FF_HTTP;
	snprintf(rep.attempts[1].url, sizeof rep.attempts[1].url, "http://127.0.0.1:6060/debug/vars");
	snprintf(rep.attempts[1].outcome, sizeof rep.attempts[1].outcome, "MemStats (expvar)");
	rep.attempts[1].target = 1;
	wire_final_encode(&rep, &w);
}

static int decode(const struct wire_final *f, size_t len, struct err *e)
{
	memset(e, 0, sizeof *e);
	return wire_final_decode(f, len, 2, 128u << 20, &got, e);
}

static void round_trip(void **state)
{
	(void)state;
	real();
	struct err e;
	assert_int_equal(decode(&w, sizeof w, &e), 0);
	assert_int_equal(got.outcome, WO_FOUND);
	assert_int_equal(got.go.format, FMT_EXPVAR);
	for (size_t i = 0; i < go_fields_count; i++) {
		opt_u64 a = go_field_get(&rep.go.ms, &go_fields[i]);
		opt_u64 b = go_field_get(&got.go.ms, &go_fields[i]);
		assert_int_equal(a.known, b.known);
		assert_int_equal(a.v, b.v);
	}
	assert_true(got.go.ms.sys.known && got.go.ms.sys.v > 0);
	assert_int_equal(got.go.body_bytes, rep.go.body_bytes);
	assert_string_equal(got.res.url, rep.res.url);
	assert_string_equal(got.res.tried, rep.res.tried);
	assert_int_equal(got.target, 1);
	assert_int_equal(got.n_attempts, 2);
	assert_string_equal(got.attempts[1].outcome, "MemStats (expvar)");
	assert_true(got.res.seconds > 0.0124 && got.res.seconds < 0.0126);
}

/* Each mutation must be refused with ERR_ENDPOINT and leave nothing. */
typedef void (*mutate_fn)(struct wire_final *f);
#define M(name, body)                               \
	static void name(struct wire_final *f) \
	{                                           \
		body;                               \
	}
M(bad_magic, f->magic ^= 1)
M(bad_version, f->version = 2)
M(bad_outcome, f->outcome = 7)
M(owner_code, (f->outcome = WO_ERROR, f->err_code = 5, memset(f->field, 0, sizeof f->field),
	       f->format = 0, f->body_bytes = 0))
M(code_with_result, f->err_code = 4)
M(msg_unterminated, memset(f->msg, 'a', sizeof f->msg))
M(url_unterminated, memset(f->url, 'h', sizeof f->url))
M(url_escape, f->url[3] = '\x1b')
M(tried_bad_utf8, f->tried[2] = (char)0xff)
M(version_quote, snprintf(f->go_version, sizeof f->go_version, "go1.21\"x"))
M(version_space, snprintf(f->go_version, sizeof f->go_version, "go1.21 rm"))
M(format_9, f->format = 9)
M(format_unknown, f->format = 0)
M(known_2, f->field[0].known = 2)
M(unknown_with_value, (f->field[1].known = 0, f->field[1].v = 5))
M(field_past_table, (f->field[WIRE_FIELDS - 1].known = 1, f->field[WIRE_FIELDS - 1].v = 1))
M(nfields_off, f->nfields += 1)
M(body_over_max, f->body_bytes = (128u << 20) + 1)
M(an_hour, f->fetch_us = UINT64_C(3600000000))
M(target_range, f->target = 2)
M(target_negative, f->target = -2)
M(attempts_over, f->n_attempts = WIRE_ATTEMPTS + 1)
M(attempt_target, f->attempts[0].target = 5)
M(attempt_fail, f->attempts[0].fail = 99)
M(attempt_unterminated, memset(f->attempts[1].outcome, 'x', sizeof f->attempts[1].outcome))
M(fail_kind, f->fail = 42)
M(none_with_snapshot, f->outcome = WO_NONE)
M(sys_missing, (f->field[2].known = 0, f->field[2].v = 0)) /* Sys: go_snapshot_check */

static void refused(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		mutate_fn fn;
	} cases[] = {
#define C(x) {#x, x}
	    C(bad_magic),	  C(bad_version),	 C(bad_outcome),	 C(owner_code),
	    C(code_with_result),  C(msg_unterminated),	 C(url_unterminated),	 C(url_escape),
	    C(tried_bad_utf8),	  C(version_quote),	 C(version_space),	 C(format_9),
	    C(format_unknown),	  C(known_2),		 C(unknown_with_value),	 C(field_past_table),
	    C(nfields_off),	  C(body_over_max),	 C(an_hour),		 C(target_range),
	    C(target_negative),	  C(attempts_over),	 C(attempt_target),	 C(attempt_fail),
	    C(attempt_unterminated), C(fail_kind),	 C(none_with_snapshot),	 C(sys_missing),
	};
	assert_string_equal(go_fields[2].json, "sys_bytes"); /* sys_missing's field */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		real();
		cases[i].fn(&w);
		struct err e;
		int rc = decode(&w, sizeof w, &e);
		if (rc != ERR_ENDPOINT || e.code != ERR_ENDPOINT || !e.msg[0])
			fail_msg("%s: accepted (rc %d, \"%s\")", cases[i].name, rc, e.msg);
		/* nothing of a refused frame is kept */
		static const struct fetch_report zero;
		if (memcmp(&got, &zero, sizeof got) != 0)
			fail_msg("%s: refused, but left data behind", cases[i].name);
	}
}

/* The frame's size is exact; any buffer alignment goes. */
static void sizes(void **state)
{
	(void)state;
	real();
	struct err e;
	char *buf = xmalloc(sizeof w + 2);
	memcpy(buf + 1, &w, sizeof w);
	assert_int_equal(wire_final_decode(buf + 1, sizeof w, 2, 0, &got, &e), 0);
	assert_int_equal(decode((const void *)(buf + 1), sizeof w - 1, &e), ERR_ENDPOINT);
	assert_int_equal(decode((const void *)(buf + 1), sizeof w + 1, &e), ERR_ENDPOINT);
	assert_int_equal(decode((const void *)buf, 0, &e), ERR_ENDPOINT);
	free(buf);
}

/* The child's own failure: its message and hint, escaped, come through. */
static void an_error(void **state)
{
	(void)state;
	memset(&rep, 0, sizeof rep);
	rep.outcome = WO_ERROR;
	rep.target = -1;
	err_set(&rep.err, ERR_ENDPOINT, "http://127.0.0.1:1/metrics: HTTP 500: \\x1b[31mboom");
	err_hint(&rep.err, "the service failed to answer; see its logs");
	rep.res.fail = FF_HTTP;
	wire_final_encode(&rep, &w);
	struct err e;
	assert_int_equal(decode(&w, sizeof w, &e), 0);
	assert_int_equal(got.outcome, WO_ERROR);
	assert_int_equal(got.err.code, ERR_ENDPOINT);
	assert_string_equal(got.err.msg, rep.err.msg);
	assert_string_equal(got.err.hint, rep.err.hint);
	assert_int_equal(got.res.fail, FF_HTTP);
	assert_int_equal(got.go.format, FMT_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(refused),
	    cmocka_unit_test(sizes),
	    cmocka_unit_test(an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
