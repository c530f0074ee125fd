/* reconcile() and findings_compute() on hand-computed cases.  Every expected
 * number below is worked out in the comment next to it, not read off the
 * code's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <string.h>

#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "testutil.h"

#define S(x) opt_some(x)

static struct capture cap; /* big: static, reset by each test */

static void reset(void)
{
	memset(&cap, 0, sizeof cap);
	cap.os.id.pid = 4242;
}

/* A consistent MemStats: HeapSys = inuse + idle; Sys = sum of the parts. */
static void memstats(uint64_t heap_alloc, uint64_t heap_inuse, uint64_t heap_idle,
		     uint64_t heap_released, uint64_t stack, uint64_t other)
{
	struct go_memstats *m = &cap.go.ms;
	m->heap_alloc = S(heap_alloc);
	m->alloc = S(heap_alloc);
	m->heap_inuse = S(heap_inuse);
	m->heap_idle = S(heap_idle);
	m->heap_sys = S(heap_inuse + heap_idle);
	m->heap_released = S(heap_released);
	m->stack_inuse = S(stack);
	m->stack_sys = S(stack);
	m->mspan_sys = S(0);
	m->mcache_sys = S(0);
	m->buck_hash_sys = S(0);
	m->gc_sys = S(other);
	m->other_sys = S(0);
	m->sys = S(heap_inuse + heap_idle + stack + other);
}

static void status(uint64_t vm_size, uint64_t rss_anon, uint64_t rss_file, uint64_t rss_shmem,
		   uint64_t swap)
{
	struct status_values *v = &cap.os.status.v;
	v->vm_size = S(vm_size);
	v->rss_anon = S(rss_anon);
	v->rss_file = S(rss_file);
	v->rss_shmem = S(rss_shmem);
	v->vm_rss = S(rss_anon + rss_file + rss_shmem);
	v->vm_swap = S(swap);
	v->vm_exe = S(4 * MiB);
	v->vm_lib = S(2 * MiB);
	v->vm_stk = S(132 * KiB);
	v->threads = S(12);
}

static void rollup(uint64_t lazy_free, uint64_t anon_huge)
{
	cap.os.have_rollup = 1;
	cap.os.rollup.lazy_free = S(lazy_free);
	cap.os.rollup.anon_huge_pages = S(anon_huge);
	cap.os.rollup.swap = cap.os.status.v.vm_swap;
}

static const struct finding *find(const struct findings *fs, const char *id)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i].id, id) == 0)
			return &fs->f[i];
	return NULL;
}

/* The article in ../shared/seed/: top says VIRT ~2.4G, RES ~1.7G, and the
 * MemStats it lists.  top gives no RssAnon, so RES stands in for it. */
static void test_article(void **state)
{
	(void)state;
	reset();
	struct go_memstats *m = &cap.go.ms;
	m->sys = S(1842916040);
	m->heap_sys = S(1711013888);
	m->heap_inuse = S(1237483520);
	m->heap_alloc = S(1195472528);
	m->heap_idle = S(473530368);
	m->heap_released = S(61063168);
	m->stack_inuse = S(33390592);
	m->stack_sys = S(33390592);
	m->mspan_inuse = S(13542744);
	m->mspan_sys = S(19906560);
	m->mcache_inuse = S(55552);
	m->mcache_sys = S(65536);
	m->buck_hash_sys = S(2371870);
	m->gc_sys = S(69398992);
	m->other_sys = S(6768602);
	/* top: VIRT 2.4g, RES 1.7g (GiB, one decimal) */
	uint64_t virt = (uint64_t)(2.4 * (double)GiB), res = (uint64_t)(1.7 * (double)GiB);
	cap.os.status.v.vm_size = S(virt);
	cap.os.status.v.vm_rss = S(res);

	struct ledger l;
	reconcile(&cap, &l);
	/* 1711013888 + 33390592 + 19906560 + 65536 + 2371870 + 69398992 + 6768602
	 * = 1842916040 = Sys, to the byte */
	assert_int_equal(l.sys_parts_ok, 1);
	assert_known(l.sys_parts, 1842916040);
	/* 1237483520 + 473530368 = 1711013888 = HeapSys */
	assert_int_equal(l.heap_parts_ok, 1);
	/* Sys - HeapReleased = 1842916040 - 61063168 */
	assert_known(l.go_retained, 1781852872);
	/* HeapInuse - HeapAlloc = 42010992 (the article's "40M") */
	assert_known(l.heap_unused, 42010992);
	/* HeapIdle - HeapReleased = 412467200 (the article's "393M") */
	assert_known(l.heap_free, 412467200);
	/* metadata: 19906560 + 65536 + 2371870 + 69398992 + 6768602 */
	assert_known(l.meta_total, 98511560);
	/* No RssAnon: RES is used, and the ledger says so; no rollup: LazyFree
	 * is taken as 0, and it says so. */
	assert_int_equal(l.anon_from_rss, 1);
	assert_int_equal(l.lazy_free_assumed, 1);
	assert_known(l.anon_footprint, res);
	/* RES 1825361100 - retained 1781852872 = 43508228: what top's rounding
	 * and file-backed pages allow (RES "1.7g" is anything in [1.65, 1.75) GiB). */
	assert_known(l.unexplained, res - 1781852872);
	assert_true(l.unexplained.v < 64 * MiB);
	/* VIRT - Sys: address space beyond what Go mapped */
	assert_known(l.virt_unbacked, virt - res);
	assert_false(l.virt_exe_libs.known); /* top gives no VmExe/VmLib */

	struct findings fs;
	findings_compute(&cap, &l, &fs);
	const struct finding *r = find(&fs, "reserved_address_space");
	assert_non_null(r);
	assert_int_equal(r->severity, SEV_INFO);
	assert_int_equal(r->bytes, virt - res);
	assert_null(find(&fs, "memstats_inconsistent"));
}

/* 200 MiB anonymous, Go retains 90 MiB: 110 MiB is outside Go. */
static void test_c_memory(void **state)
{
	(void)state;
	reset();
	/* HeapSys 80 (inuse 70, idle 10, released 10), stacks 1, other 19: Sys 100 */
	memstats(60 * MiB, 70 * MiB, 10 * MiB, 10 * MiB, 1 * MiB, 19 * MiB);
	status(1 * GiB, 200 * MiB, 10 * MiB, 0, 0);
	rollup(0, 0);
	struct ledger l;
	reconcile(&cap, &l);
	assert_known(l.go_retained, 90 * MiB);
	assert_known(l.anon_footprint, 200 * MiB);
	assert_known(l.unexplained, 110 * MiB);
	assert_known(l.go_not_resident, 0);
	assert_known(l.go_resident, 90 * MiB);
	assert_known(l.heap_unused, 10 * MiB);
	assert_known(l.heap_free, 0);
	/* VIRT 1024 - Sys 100 - exe+lib 6 - stack 0.129 */
	assert_known(l.virt_other, 1 * GiB - 100 * MiB - 6 * MiB - 132 * KiB);
	assert_known(l.virt_unbacked, 1 * GiB - 210 * MiB);

	struct findings fs;
	findings_compute(&cap, &l, &fs);
	const struct finding *f = find(&fs, "non_go_anon");
	assert_non_null(f);
	assert_int_equal(f->bytes, 110 * MiB);
	/* 110 MiB >= 32 MiB and 52% of RES 210 MiB, but < 256 MiB: warning */
	assert_int_equal(f->severity, SEV_WARNING);
	assert_int_equal(findings_max_severity(&fs), SEV_WARNING);
	/* ordered by bytes: reserved (814 MiB) before non_go_anon */
	assert_string_equal(fs.f[0].id, "reserved_address_space");
}

/* Go released 200 MiB with MADV_FREE: RSS still holds it as LazyFree. */
static void test_lazy_free(void **state)
{
	(void)state;
	reset();
	memstats(50 * MiB, 60 * MiB, 240 * MiB, 210 * MiB, 1 * MiB, 9 * MiB); /* Sys 310 */
	status(1 * GiB, 300 * MiB, 8 * MiB, 0, 0);
	rollup(200 * MiB, 0);
	struct ledger l;
	reconcile(&cap, &l);
	/* footprint 300 - 200 = 100; retained 310 - 210 = 100 */
	assert_known(l.anon_footprint, 100 * MiB);
	assert_known(l.go_retained, 100 * MiB);
	assert_known(l.unexplained, 0);
	assert_int_equal(l.lazy_free_assumed, 0);
	struct findings fs;
	findings_compute(&cap, &l, &fs);
	assert_null(find(&fs, "non_go_anon"));
}

/* Swapped pages are still the process's: 50 resident + 50 swapped. */
static void test_swap(void **state)
{
	(void)state;
	reset();
	memstats(80 * MiB, 90 * MiB, 20 * MiB, 10 * MiB, 0, 0); /* Sys 110 */
	status(1 * GiB, 50 * MiB, 8 * MiB, 0, 50 * MiB);
	rollup(0, 0);
	struct ledger l;
	reconcile(&cap, &l);
	assert_known(l.anon_footprint, 100 * MiB);
	assert_known(l.go_retained, 100 * MiB);
	assert_known(l.unexplained, 0);
	/* memory behind VIRT: RES 58 + swap 50 */
	assert_known(l.virt_backed, 108 * MiB);
}

/* Go retains more than is resident: untouched metadata, not C memory. */
static void test_not_resident(void **state)
{
	(void)state;
	reset();
	memstats(3 * MiB, 4 * MiB, 4 * MiB, 2 * MiB, 512 * KiB, 8 * MiB); /* Sys 16.5 */
	status(700 * MiB, 2 * MiB, 6 * MiB, 0, 0);
	rollup(0, 0);
	struct ledger l;
	reconcile(&cap, &l);
	/* retained 14.5 MiB, footprint 2 MiB */
	assert_known(l.go_not_resident, 12 * MiB + 512 * KiB);
	assert_known(l.unexplained, 0);
	assert_known(l.go_resident, 2 * MiB);
	struct findings fs;
	findings_compute(&cap, &l, &fs);
	assert_null(find(&fs, "non_go_anon"));
	assert_int_equal(findings_max_severity(&fs), SEV_INFO);
}

/* A field the endpoint did not give stays unknown through the ledger. */
static void test_unknown_propagates(void **state)
{
	(void)state;
	reset();
	memstats(3 * MiB, 4 * MiB, 4 * MiB, 2 * MiB, 0, 0);
	cap.go.ms.sys = opt_none();
	status(700 * MiB, 2 * MiB, 6 * MiB, 0, 0);
	struct ledger l;
	reconcile(&cap, &l);
	assert_false(l.go_retained.known);
	assert_false(l.unexplained.known);
	assert_false(l.virt_go.known);
	assert_int_equal(l.sys_parts_ok, -1);
	assert_int_equal(l.lazy_free_assumed, 1); /* no rollup */
	assert_known(l.heap_free, 2 * MiB);	  /* what is known still is */
	struct findings fs;
	findings_compute(&cap, &l, &fs);
	assert_null(find(&fs, "non_go_anon"));
	assert_null(find(&fs, "memstats_inconsistent"));
}

/* Sys that is not the sum of its parts: a body mixed or edited. */
static void test_inconsistent(void **state)
{
	(void)state;
	reset();
	memstats(3 * MiB, 4 * MiB, 4 * MiB, 2 * MiB, 0, 0);
	cap.go.ms.sys = S(cap.go.ms.sys.v + 5 * MiB);
	status(700 * MiB, 2 * MiB, 6 * MiB, 0, 0);
	struct ledger l;
	reconcile(&cap, &l);
	assert_int_equal(l.sys_parts_ok, 0);
	struct findings fs;
	findings_compute(&cap, &l, &fs);
	const struct finding *f = find(&fs, "memstats_inconsistent");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_int_equal(f->bytes, 5 * MiB);
}

/* non_go_anon's thresholds: warning from 32 MiB and 10% of RES; critical
 * from 256 MiB and 50% of RES. */
static void test_non_go_thresholds(void **state)
{
	(void)state;
	static const struct {
		uint64_t c_mem, go_heap;
		enum severity want;
	} cases[] = {
	    {31 * MiB, 10 * MiB, SEV_INFO},	 /* under 32 MiB */
	    {32 * MiB, 10 * MiB, SEV_WARNING},	 /* 32 MiB, 72% of RES */
	    {40 * MiB, 400 * MiB, SEV_INFO},	 /* 40 MiB but 9% of RES */
	    {255 * MiB, 10 * MiB, SEV_WARNING},	 /* under 256 MiB */
	    {256 * MiB, 10 * MiB, SEV_CRITICAL}, /* 256 MiB, 94% */
	    {300 * MiB, 400 * MiB, SEV_WARNING}, /* 300 MiB but 42% */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		reset();
		/* Go retains exactly go_heap, all resident */
		memstats(cases[i].go_heap, cases[i].go_heap, 0, 0, 0, 0);
		status(2 * GiB, cases[i].go_heap + cases[i].c_mem, 0, 0, 0);
		rollup(0, 0);
		struct ledger l;
		struct findings fs;
		reconcile(&cap, &l);
		findings_compute(&cap, &l, &fs);
		const struct finding *f = find(&fs, "non_go_anon");
		assert_non_null(f);
		assert_int_equal(f->bytes, cases[i].c_mem);
		if (f->severity != cases[i].want)
			fail_msg("case %zu: severity %s, want %s", i, severity_name(f->severity),
				 severity_name(cases[i].want));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_article),	 cmocka_unit_test(test_c_memory),
	    cmocka_unit_test(test_lazy_free),	 cmocka_unit_test(test_swap),
	    cmocka_unit_test(test_not_resident), cmocka_unit_test(test_unknown_propagates),
	    cmocka_unit_test(test_inconsistent), cmocka_unit_test(test_non_go_thresholds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
