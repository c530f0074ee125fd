/* parse_status(): /proc/PID/status text, real captures and bad input.
 *
 * Expected values are read off the files in tests/data by hand (kB * 1024),
 * never copied from the parser's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/err.h"
#include "correlate/proc.h"
#include "testutil.h"

static int parse_str(const char *s, struct proc_status *st, struct err *e)
{
	memset(e, 0, sizeof *e);
	return parse_status(s, strlen(s), st, e);
}

/* ---- real captures ------------------------------------------------------ */

/* What each captured status says, in kB as printed (counts as printed). */
struct status_case {
	const char *dir;
	const char *name;
	uint64_t tgid, uid, threads;
	uint64_t vm_peak, vm_size, vm_lck, vm_hwm, vm_rss, rss_anon, rss_file, rss_shmem;
	uint64_t vm_data, vm_stk, vm_exe, vm_lib, vm_pte, vm_swap;
};

static const struct status_case status_cases[] = {
    {"go1.19-cgo", "memsvc-cgo", 3678, 0, 9, 1600112, 1534576, 0, 233744, 233744, 224200, 9544, 0,
     336120, 132, 4204, 1528, 608, 0},
    {"go1.23-pure", "memsvc-123", 4996, 0, 7, 1235748, 1235748, 0, 42084, 42084, 35180, 6904, 0,
     74312, 132, 4524, 8, 168, 0},
    {"go1.19-pure", "memsvc-go1.19-p", 16582, 0, 8, 725192, 725192, 0, 23104, 23104, 15796, 7308, 0,
     60304, 132, 4192, 8, 132, 0},
    {"go1.21-pure", "memsvc-go1.21-p", 16545, 0, 8, 1236392, 1236392, 0, 27568, 27568, 19888, 7680,
     0, 59260, 132, 4180, 8, 144, 0},
    {"go1.22-cgo", "memsvc-go1.22-c", 16619, 0, 8, 1907900, 1787068, 0, 70124, 70124, 60800, 9324,
     0, 157896, 132, 4324, 1528, 284, 0},
    {"go1.23-cgo", "memsvc-go1.23-c", 16656, 0, 8, 1770864, 1770864, 0, 33180, 33180, 23616, 9564,
     0, 120776, 132, 4544, 1528, 216, 0},
    {"prometheus-2.42", "prometheus", 16745, 0, 8, 1280416, 1280416, 0, 43816, 43816, 13096, 30720,
     0, 115720, 132, 21636, 1528, 272, 0},
};

static void test_real_status(void **state)
{
	const struct status_case *c = *state;
	char rel[256];
	size_t len;
	snprintf(rel, sizeof rel, "%s/status", c->dir);
	char *buf = read_data(rel, &len);
	struct proc_status st;
	struct err e = {0};
	int rc = parse_status(buf, len, &st, &e);
	if (rc)
		fail_msg("%s: %s", rel, e.msg);
	assert_string_equal(st.name, c->name);
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.kthread, 0);
	assert_known(st.v.tgid, c->tgid);
	assert_known(st.v.uid, c->uid);
	assert_known(st.v.threads, c->threads);
	assert_known(st.v.vm_peak, KIB(c->vm_peak));
	assert_known(st.v.vm_size, KIB(c->vm_size));
	assert_known(st.v.vm_lck, KIB(c->vm_lck));
	assert_known(st.v.vm_hwm, KIB(c->vm_hwm));
	assert_known(st.v.vm_rss, KIB(c->vm_rss));
	assert_known(st.v.rss_anon, KIB(c->rss_anon));
	assert_known(st.v.rss_file, KIB(c->rss_file));
	assert_known(st.v.rss_shmem, KIB(c->rss_shmem));
	assert_known(st.v.vm_data, KIB(c->vm_data));
	assert_known(st.v.vm_stk, KIB(c->vm_stk));
	assert_known(st.v.vm_exe, KIB(c->vm_exe));
	assert_known(st.v.vm_lib, KIB(c->vm_lib));
	assert_known(st.v.vm_pte, KIB(c->vm_pte));
	assert_known(st.v.vm_swap, KIB(c->vm_swap));
	/* The kernel's own identity: VmRSS = RssAnon + RssFile + RssShmem. */
	assert_int_equal(st.v.vm_rss.v, st.v.rss_anon.v + st.v.rss_file.v + st.v.rss_shmem.v);
	/* A modern kernel prints every line of the table. */
	for (size_t i = 0; i < status_fields_count; i++) {
		const opt_u64 *o = (const opt_u64 *)((const char *)&st.v + status_fields[i].offset);
		if (!o->known)
			fail_msg("%s: %s not read", rel, status_fields[i].key);
	}
	free(buf);
}

/* ---- every row lands in its own field ----------------------------------- */

/* Distinct values everywhere, so that two fields swapped would show. */
static void test_every_field_distinct(void **state)
{
	(void)state;
	const char *text = "Name:\tdistinct\n"
			   "State:\tR (running)\n"
			   "Tgid:\t101\n"
			   "Uid:\t1001\t1002\t1003\t1004\n"
			   "Kthread:\t0\n"
			   "VmPeak:\t       1 kB\n"
			   "VmSize:\t       2 kB\n"
			   "VmLck:\t       3 kB\n"
			   "VmPin:\t      99 kB\n"
			   "VmHWM:\t       4 kB\n"
			   "VmRSS:\t       5 kB\n"
			   "RssAnon:\t       6 kB\n"
			   "RssFile:\t       7 kB\n"
			   "RssShmem:\t       8 kB\n"
			   "VmData:\t       9 kB\n"
			   "VmStk:\t      10 kB\n"
			   "VmExe:\t      11 kB\n"
			   "VmLib:\t      12 kB\n"
			   "VmPTE:\t      13 kB\n"
			   "VmSwap:\t      14 kB\n"
			   "HugetlbPages:\t      98 kB\n"
			   "Threads:\t15\n";
	struct proc_status st;
	struct err e;
	assert_int_equal(parse_str(text, &st, &e), 0);
	assert_string_equal(st.name, "distinct");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.kthread, 0);
	assert_known(st.v.tgid, 101);
	assert_known(st.v.uid, 1001); /* the real uid: first column */
	assert_known(st.v.vm_peak, KIB(1));
	assert_known(st.v.vm_size, KIB(2));
	assert_known(st.v.vm_lck, KIB(3));
	assert_known(st.v.vm_hwm, KIB(4));
	assert_known(st.v.vm_rss, KIB(5));
	assert_known(st.v.rss_anon, KIB(6));
	assert_known(st.v.rss_file, KIB(7));
	assert_known(st.v.rss_shmem, KIB(8));
	assert_known(st.v.vm_data, KIB(9));
	assert_known(st.v.vm_stk, KIB(10));
	assert_known(st.v.vm_exe, KIB(11));
	assert_known(st.v.vm_lib, KIB(12));
	assert_known(st.v.vm_pte, KIB(13));
	assert_known(st.v.vm_swap, KIB(14));
	assert_known(st.v.threads, 15);
}

/* Lines in another order than the kernel's still land right. */
static void test_any_order(void **state)
{
	(void)state;
	const char *text = "Threads:\t3\nVmRSS:\t20 kB\nTgid:\t9\nVmPeak:\t40 kB\nName:\tx\n"
			   "RssAnon:\t12 kB\n";
	struct proc_status st;
	struct err e;
	assert_int_equal(parse_str(text, &st, &e), 0);
	assert_known(st.v.threads, 3);
	assert_known(st.v.vm_rss, KIB(20));
	assert_known(st.v.tgid, 9);
	assert_known(st.v.vm_peak, KIB(40));
	assert_known(st.v.rss_anon, KIB(12));
	assert_string_equal(st.name, "x");
}

/* ---- unknown, never 0 --------------------------------------------------- */

static void test_absent_lines_unknown(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	/* A kernel thread's status has no Vm* lines at all. */
	const char *text = "Name:\tkthreadd\nState:\tS (sleeping)\nTgid:\t2\nUid:\t0\t0\t0\t0\n"
			   "Kthread:\t1\nThreads:\t1\n";
	assert_int_equal(parse_str(text, &st, &e), 0);
	assert_string_equal(st.name, "kthreadd");
	assert_int_equal(st.kthread, 1);
	assert_known(st.v.tgid, 2);
	assert_known(st.v.uid, 0);
	assert_known(st.v.threads, 1);
	assert_unknown(st.v.vm_peak);
	assert_unknown(st.v.vm_size);
	assert_unknown(st.v.vm_rss);
	assert_unknown(st.v.rss_anon);
	assert_unknown(st.v.rss_file);
	assert_unknown(st.v.rss_shmem);
	assert_unknown(st.v.vm_swap);
	assert_unknown(st.v.vm_pte);
}

static void test_no_kthread_line(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	/* Kernels before 6.x print no Kthread line: -1, not 0. */
	assert_int_equal(parse_str("Name:\told\nTgid:\t7\nVmRSS:\t4 kB\n", &st, &e), 0);
	assert_int_equal(st.kthread, -1);
	assert_int_equal(st.state, 0);
	assert_known(st.v.vm_rss, KIB(4));
	assert_unknown(st.v.uid);
	assert_unknown(st.v.threads);
}

static void test_name_only_or_tgid_only(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	assert_int_equal(parse_str("Name:\tonly\n", &st, &e), 0);
	assert_string_equal(st.name, "only");
	assert_int_equal(parse_str("Tgid:\t42\n", &st, &e), 0);
	assert_known(st.v.tgid, 42);
	assert_string_equal(st.name, "");
}

/* ---- layout details ----------------------------------------------------- */

static void test_last_line_without_newline(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	assert_int_equal(parse_str("Name:\tx\nVmRSS:\t   77 kB", &st, &e), 0);
	assert_known(st.v.vm_rss, KIB(77));
	assert_int_equal(parse_str("Name:\tx\nThreads:\t12", &st, &e), 0);
	assert_known(st.v.threads, 12);
}

static void test_name_with_spaces_and_long(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	assert_int_equal(parse_str("Name:\tmy prog\n", &st, &e), 0);
	assert_string_equal(st.name, "my prog");
	char text[200];
	char longname[101];
	memset(longname, 'n', 100);
	longname[100] = '\0';
	snprintf(text, sizeof text, "Name:\t%s\nTgid:\t1\n", longname);
	assert_int_equal(parse_str(text, &st, &e), 0);
	assert_int_equal(strlen(st.name), sizeof st.name - 1); /* cut, terminated */
	assert_memory_equal(st.name, longname, sizeof st.name - 1);
}

/* Keys match whole: a longer or shorter key is another key. */
static void test_keys_match_exactly(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	assert_int_equal(parse_str("Name:\tx\nVmRSSx:\t1 kB\nVmRS:\t2 kB\nvmrss:\t3 kB\n"
				   "VmRSS :\t4 kB\n",
				   &st, &e),
			 0);
	assert_unknown(st.v.vm_rss);
}

/* Mems_allowed is thousands of bytes on big machines; it must not hurt. */
static void test_overlong_unread_line(void **state)
{
	(void)state;
	size_t n = 9000;
	char *text = xmalloc(n + 100);
	size_t o = (size_t)sprintf(text, "Name:\tbig\nMems_allowed:\t");
	for (size_t i = 0; i < n; i++)
		text[o++] = (i % 9 == 8) ? ',' : '0';
	o += (size_t)sprintf(text + o, "\nVmRSS:\t  1234 kB\nThreads:\t5\n");
	struct proc_status st;
	struct err e = {0};
	assert_int_equal(parse_status(text, o, &st, &e), 0);
	assert_known(st.v.vm_rss, KIB(1234));
	assert_known(st.v.threads, 5);
	free(text);
}

static void test_largest_kib(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	/* 2^54 - 1 kB is the largest that fits in 64 bits of bytes. */
	assert_int_equal(parse_str("Name:\tx\nVmSize:\t18014398509481983 kB\n", &st, &e), 0);
	assert_known(st.v.vm_size, UINT64_C(18446744073709550592));
	assert_int_equal(parse_str("Name:\tx\nThreads:\t18446744073709551615\n", &st, &e), 0);
	assert_known(st.v.threads, UINT64_MAX);
}

/* ---- bad input ---------------------------------------------------------- */

static void test_not_a_number(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	assert_err(parse_str("Name:\tx\nVmRSS:\t  abc kB\n", &st, &e), e, ERR_PROC,
		   "VmRSS: not a number");
	assert_err(parse_str("Name:\tx\nVmRSS:\n", &st, &e), e, ERR_PROC, "VmRSS: not a number");
	assert_err(parse_str("Name:\tx\nVmRSS:\t-5 kB\n", &st, &e), e, ERR_PROC,
		   "VmRSS: not a number");
	assert_err(parse_str("Name:\tx\nThreads:\tmany\n", &st, &e), e, ERR_PROC,
		   "Threads: not a number");
	assert_err(parse_str("Name:\tx\nTgid:\t\n", &st, &e), e, ERR_PROC, "Tgid");
	assert_true(strstr(e.msg, "status") != NULL);
}

static void test_value_without_kb(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	assert_err(parse_str("Name:\tx\nVmRSS:\t  1234\n", &st, &e), e, ERR_PROC,
		   "VmRSS: expected a size in kB");
	assert_err(parse_str("Name:\tx\nRssAnon:\t1234 MB\n", &st, &e), e, ERR_PROC,
		   "RssAnon: expected a size in kB");
	assert_err(parse_str("Name:\tx\nVmSwap:\t1234 k\n", &st, &e), e, ERR_PROC,
		   "VmSwap: expected a size in kB");
}

static void test_kib_overflow(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	/* 2^54 kB = 2^64 bytes. */
	assert_err(parse_str("Name:\tx\nVmSize:\t18014398509481984 kB\n", &st, &e), e, ERR_PROC,
		   "VmSize: ");
	assert_non_null(strstr(e.msg, "too large"));
	/* A number past 2^64 before the multiplication. */
	assert_err(parse_str("Name:\tx\nVmRSS:\t99999999999999999999 kB\n", &st, &e), e, ERR_PROC,
		   "VmRSS");
	assert_err(parse_str("Name:\tx\nThreads:\t18446744073709551616\n", &st, &e), e, ERR_PROC,
		   "Threads");
}

static void test_no_name_no_tgid(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	assert_err(parse_str("VmRSS:\t4 kB\nThreads:\t3\n", &st, &e), e, ERR_PROC,
		   "no Name or Tgid");
	assert_err(parse_str("", &st, &e), e, ERR_PROC, "no Name or Tgid");
	assert_err(parse_str("<html><body>Not Found</body></html>\n", &st, &e), e, ERR_PROC,
		   "not /proc/PID/status");
}

static void test_out_reset_each_call(void **state)
{
	(void)state;
	struct proc_status st;
	struct err e;
	assert_int_equal(parse_str("Name:\tfirst\nVmRSS:\t8 kB\nKthread:\t1\n", &st, &e), 0);
	assert_int_equal(parse_str("Name:\tsecond\n", &st, &e), 0);
	assert_string_equal(st.name, "second");
	assert_unknown(st.v.vm_rss);
	assert_int_equal(st.kthread, -1);
}

#define N_CASES (sizeof status_cases / sizeof status_cases[0])

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_every_field_distinct),
	    cmocka_unit_test(test_any_order),
	    cmocka_unit_test(test_absent_lines_unknown),
	    cmocka_unit_test(test_no_kthread_line),
	    cmocka_unit_test(test_name_only_or_tgid_only),
	    cmocka_unit_test(test_last_line_without_newline),
	    cmocka_unit_test(test_name_with_spaces_and_long),
	    cmocka_unit_test(test_keys_match_exactly),
	    cmocka_unit_test(test_overlong_unread_line),
	    cmocka_unit_test(test_largest_kib),
	    cmocka_unit_test(test_not_a_number),
	    cmocka_unit_test(test_value_without_kb),
	    cmocka_unit_test(test_kib_overflow),
	    cmocka_unit_test(test_no_name_no_tgid),
	    cmocka_unit_test(test_out_reset_each_call),
	};
	/* One test per captured status, named after its folder. */
	static char names[N_CASES][96];
	struct CMUnitTest tests[N_CASES + sizeof fixed / sizeof fixed[0]];
	for (size_t i = 0; i < N_CASES; i++) {
		snprintf(names[i], sizeof names[i], "test_real_status(%s)", status_cases[i].dir);
		tests[i] = (struct CMUnitTest){.name = names[i],
					       .test_func = test_real_status,
					       .initial_state = (void *)&status_cases[i]};
	}
	memcpy(tests + N_CASES, fixed, sizeof fixed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
