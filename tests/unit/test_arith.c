/* Byte arithmetic: 64-bit unsigned with overflow checks, no division by
 * zero, kB from /proc as KiB, sizes for people and from the command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../src/parse/lines.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "correlate/proc.h"
#include "correlate/units.h"

static void test_opt_overflow(void **state)
{
	(void)state;
	opt_u64 max = opt_some(UINT64_MAX);
	assert_false(opt_add(max, opt_some(1)).known);      /* overflow: unknown, not wrapped */
	assert_true(opt_add(max, opt_some(0)).known);
	assert_int_equal(opt_add(max, opt_some(0)).v, UINT64_MAX);
	assert_false(opt_add(opt_none(), opt_some(1)).known); /* unknown stays unknown */
	assert_false(opt_mul(opt_some(UINT64_MAX / 1024 + 1), 1024).known);
	assert_int_equal(opt_mul(opt_some(UINT64_MAX / 1024), 1024).v, (UINT64_MAX / 1024) * 1024);
	assert_int_equal(opt_sub_sat(opt_some(3), opt_some(5)).v, 0); /* never negative */
	assert_int_equal(opt_sub_sat(opt_some(5), opt_some(3)).v, 2);
	assert_false(opt_sub_sat(opt_some(5), opt_none()).known);
	assert_int_equal(opt_min(opt_some(3), opt_some(5)).v, 3);
	assert_int_equal(opt_or(opt_none(), opt_some(7)).v, 7);
}

static void test_kib(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e = {0};
	/* kB are KiB: 1 kB is 1024 bytes */
	const char ok[] = "Name:\tx\nVmRSS:\t1 kB\nVmSize:\t18014398509481983 kB\n";
	assert_int_equal(parse_status(ok, sizeof ok - 1, &st, &e), 0);
	assert_int_equal(st.v.vm_rss.v, 1024);
	assert_int_equal(st.v.vm_size.v, UINT64_C(18014398509481983) * 1024);
	/* 2^54 kB is 2^64 bytes: refused, not wrapped to 0 */
	const char big[] = "Name:\tx\nVmRSS:\t18014398509481984 kB\n";
	assert_int_not_equal(parse_status(big, sizeof big - 1, &st, &e), 0);
	assert_int_equal(e.code, ERR_PROC);
	assert_non_null(strstr(e.msg, "too large"));
}

static void test_fmt_iec(void **state)
{
	(void)state;
	char b[24];
	assert_string_equal(fmt_iec(0, b, sizeof b), "0 B");
	assert_string_equal(fmt_iec(1023, b, sizeof b), "1023 B");
	assert_string_equal(fmt_iec(1024, b, sizeof b), "1.00 KiB");
	assert_string_equal(fmt_iec(150 * 1048576ull, b, sizeof b), "150 MiB");
	assert_string_equal(fmt_iec(1825361100ull, b, sizeof b), "1.70 GiB");
	assert_string_equal(fmt_iec(UINT64_MAX, b, sizeof b), "16.0 EiB");
}

static void test_parse_size(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(parse_size("64MiB", &v), 0);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(parse_size("1.5GiB", &v), 0);
	assert_int_equal(v, 3ull << 29);
	assert_int_equal(parse_size("10MB", &v), 0);
	assert_int_equal(v, 10000000);
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("16EiB", &v), -1); /* 2^64: too big */
	assert_int_equal(parse_size("-1MiB", &v), -1);
	assert_int_equal(parse_size("1 parsec", &v), -1);
	assert_int_equal(parse_size("", &v), -1);
	assert_int_equal(parse_size("nan", &v), -1);
}

static void test_decimal(void **state)
{
	(void)state;
	uint64_t v;
	const char *why;
#define DEC(s, scale, rmax) dec_parse_u64(s, strlen(s), scale, rmax, &v, &why)
	assert_int_equal(DEC("18446744073709551615", 0, 0), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(DEC("18446744073709551616", 0, 0), -1);
	assert_string_equal(why, "2^64 or more");
	assert_int_equal(DEC("1.8446744073709552e+19", 0, 1), 0); /* uint64 max as a double */
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(DEC("2.4229128e+07", 0, 1), 0);
	assert_int_equal(v, 24229128);
	assert_int_equal(DEC("1.5", 9, 1), 0); /* seconds to ns */
	assert_int_equal(v, 1500000000);
	assert_int_equal(DEC("0.5", 0, 1), 0); /* rounded half up */
	assert_int_equal(v, 1);
	assert_int_equal(DEC("-3", 0, 1), -1);
	assert_string_equal(why, "negative");
	assert_int_equal(DEC("-0", 0, 1), 0);
	assert_int_equal(v, 0);
	assert_int_equal(DEC("1e99999", 0, 1), -1);
	assert_int_equal(DEC("1e-99999", 0, 1), 0);
	assert_int_equal(v, 0);
	assert_int_equal(DEC("0x10", 0, 1), -1);
	assert_int_equal(DEC("", 0, 1), -1);
#undef DEC
}

/* A capture where every number is zero: no division by zero, no NaN in any
 * summary, and nothing to warn about. */
static void test_zeros(void **state)
{
	(void)state;
	static struct capture c;
	struct ledger l;
	struct findings fs;
	memset(&c, 0, sizeof c);
	for (size_t i = 0; i < go_fields_count; i++)
		*go_field_ptr(&c.go.ms, &go_fields[i]) = opt_some(0);
	for (size_t i = 0; i < status_fields_count; i++)
		*(opt_u64 *)((char *)&c.os.status.v + status_fields[i].offset) = opt_some(0);
	c.os.have_rollup = 1;
	for (size_t i = 0; i < smaps_fields_count; i++)
		*(opt_u64 *)((char *)&c.os.rollup + smaps_fields[i].offset) = opt_some(0);
	c.os.maps.have = 1;
	c.os.cgroup.version = 2;
	c.os.cgroup.limit = opt_some(0);
	c.os.cgroup.usage = opt_some(0);
	reconcile(&c, &l);
	findings_compute(&c, &l, &fs);
	assert_int_equal(findings_max_severity(&fs), SEV_INFO);
	for (size_t i = 0; i < fs.n; i++) {
		assert_null(strstr(fs.f[i].summary, "nan"));
		assert_null(strstr(fs.f[i].summary, "inf"));
		assert_null(strstr(fs.f[i].evidence, "nan"));
	}
	assert_true(l.unexplained.known);
	assert_int_equal(l.unexplained.v, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opt_overflow), cmocka_unit_test(test_kib),
	    cmocka_unit_test(test_fmt_iec),      cmocka_unit_test(test_parse_size),
	    cmocka_unit_test(test_decimal),      cmocka_unit_test(test_zeros),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
