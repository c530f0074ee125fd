/* findings_compute(): every rule's bytes and severity on hand-built
 * captures, at and around its thresholds (docs/model.md §12). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "testutil.h"

#define S(x) opt_some(x)

static struct capture cap;
static struct ledger led;
static struct findings fs;

/* A healthy pure-Go process: 100 MiB heap in use, RES 120 MiB, 10 threads,
 * smaps split: arenas hold the heap exactly. */
static void healthy(void)
{
	memset(&cap, 0, sizeof cap);
	cap.os.id.pid = 7;
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.23.5");
	cap.os.build.found = 1;
	cap.os.build.cgo = 0;
	cap.os.env.read = 1;
	cap.os.env.madvdontneed = cap.os.env.disablethp = -1;
	struct go_memstats *m = &cap.go.ms;
	m->heap_alloc = S(95 * MiB);
	m->heap_inuse = S(100 * MiB);
	m->heap_idle = S(10 * MiB);
	m->heap_released = S(6 * MiB);
	m->heap_sys = S(110 * MiB);
	m->stack_inuse = S(1 * MiB);
	m->stack_sys = S(1 * MiB);
	m->mspan_sys = S(1 * MiB);
	m->mspan_inuse = S(1 * MiB);
	m->mcache_sys = S(0);
	m->buck_hash_sys = S(0);
	m->gc_sys = S(2 * MiB);
	m->other_sys = S(2 * MiB);
	m->sys = S(116 * MiB);
	m->next_gc = S(190 * MiB);
	struct status_values *v = &cap.os.status.v;
	v->vm_size = S(1 * GiB);
	v->rss_anon = S(108 * MiB);
	v->rss_file = S(12 * MiB);
	v->rss_shmem = S(0);
	v->vm_rss = S(120 * MiB);
	v->vm_swap = S(0);
	v->vm_exe = S(8 * MiB);
	v->vm_lib = S(2 * MiB);
	v->vm_stk = S(132 * KiB);
	v->threads = S(10);
	cap.os.have_rollup = 1;
	cap.os.rollup.lazy_free = S(0);
	cap.os.rollup.anon_huge_pages = S(0);
	cap.os.rollup.swap = S(0);
	struct mapping_summary *s = &cap.os.maps;
	s->have = 1;
	/* arenas: HeapSys - HeapReleased + StackInuse = 105 MiB, resident 105 */
	s->cls[MC_GO_HEAP] = (struct class_total){
	    .mappings = 2, .size = 128 * MiB, .rss = 105 * MiB, .anonymous = 105 * MiB};
	s->cls[MC_OTHER_ANON] = (struct class_total){
	    .mappings = 5, .size = 40 * MiB, .rss = 3 * MiB, .anonymous = 3 * MiB};
	s->cls[MC_EXE] = (struct class_total){.mappings = 5, .size = 8 * MiB, .rss = 8 * MiB};
	s->cls[MC_LIBS] = (struct class_total){.mappings = 9, .size = 2 * MiB, .rss = 4 * MiB};
}

static void run(void)
{
	reconcile(&cap, &led);
	findings_compute(&cap, &led, &fs);
}

static const struct finding *find(const char *id)
{
	for (size_t i = 0; i < fs.n; i++)
		if (strcmp(fs.f[i].id, id) == 0)
			return &fs.f[i];
	return NULL;
}

static void expect(const char *id, enum severity sev, uint64_t bytes)
{
	const struct finding *f = find(id);
	if (!f)
		fail_msg("no %s finding", id);
	if (f->severity != sev || f->bytes != bytes)
		fail_msg("%s: %s %llu, want %s %llu", id, severity_name(f->severity),
			 (unsigned long long)f->bytes, severity_name(sev),
			 (unsigned long long)bytes);
	assert_true(f->summary[0] && f->evidence[0] && f->advice[0]);
}

static void test_healthy(void **state)
{
	(void)state;
	healthy();
	run();
	assert_int_equal(findings_max_severity(&fs), SEV_INFO);
	/* Go's share outside the arenas: Sys 116 - HeapSys 110 - StackInuse 1 =
	 * 5 MiB against 3 MiB of other anonymous: nothing left over. */
	assert_true(led.non_go_anon.known);
	assert_int_equal(led.non_go_anon.v, 0);
	assert_null(find("non_go_anon"));
	/* ordered by bytes */
	for (size_t i = 1; i < fs.n; i++)
		assert_true(fs.f[i - 1].bytes >= fs.f[i].bytes);
}

static void test_lazy_free(void **state)
{
	(void)state;
	healthy();
	cap.os.maps.cls[MC_GO_HEAP].lazy_free = 100 * MiB;
	cap.os.maps.cls[MC_GO_HEAP].anonymous += 100 * MiB;
	cap.os.status.v.vm_rss = S(220 * MiB);
	cap.os.env.madvdontneed = 0;
	run();
	expect("lazy_free", SEV_WARNING, 100 * MiB);
	assert_non_null(strstr(find("lazy_free")->evidence, "GODEBUG=madvdontneed=0"));
	/* Go 1.14 did it by default. */
	cap.os.env.madvdontneed = -1;
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.14.15");
	run();
	assert_non_null(strstr(find("lazy_free")->evidence, "Go 1.12 to 1.15"));
	/* 20 MiB: info */
	cap.os.maps.cls[MC_GO_HEAP].lazy_free = 20 * MiB;
	run();
	expect("lazy_free", SEV_INFO, 20 * MiB);
}

static void test_huge_pages(void **state)
{
	(void)state;
	healthy();
	/* 60 MiB more resident in the arenas than Go counts, 50 MiB of it in
	 * huge pages: 50 MiB is THP's, the other 10 is paid from GCSys (work
	 * buffers) only up to Sys - HeapSys - StackInuse = 5 MiB. */
	cap.os.maps.cls[MC_GO_HEAP].anonymous += 60 * MiB;
	cap.os.maps.cls[MC_GO_HEAP].anon_huge = 50 * MiB;
	cap.os.status.v.vm_rss = S(180 * MiB);
	run();
	expect("huge_pages", SEV_WARNING, 50 * MiB);
	assert_true(led.split_arena_metadata.known);
	assert_int_equal(led.split_arena_metadata.v, 5 * MiB);
	assert_int_equal(led.split_arena_excess.v, 55 * MiB);
	/* The advice must exist in the version it is given for: disablethp
	 * came in Go 1.21.6 (runtime/mem_linux.go); up to 1.20 the runtime
	 * itself marks the heap MADV_HUGEPAGE. */
	const struct finding *f = find("huge_pages");
	assert_non_null(strstr(f->advice, "disablethp"));
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.19.8");
	run();
	f = find("huge_pages");
	assert_non_null(f);
	assert_null(strstr(f->advice, "GODEBUG=disablethp=1 (Go"));
	assert_non_null(strstr(f->advice, "'never'"));
	assert_non_null(strstr(f->evidence, "MADV_HUGEPAGE in sysUsedOS"));
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.21.3");
	run();
	f = find("huge_pages");
	assert_non_null(strstr(f->evidence, "1.21.0-1.21.4"));
	assert_non_null(strstr(f->advice, "Go 1.21.6+"));
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.21.13");
	run();
	f = find("huge_pages");
	assert_null(strstr(f->evidence, "1.21.0-1.21.4"));
	assert_non_null(strstr(f->advice, "GODEBUG=disablethp=1 (Go 1.21.6+)"));
}

/* GCSys's resident part is estimated from the heap where the bitmap lives
 * in it: 1/32 of the heap held up to Go 1.19, 1/64 in 1.20-1.21, none from
 * 1.22, plus the span index, 1/1024 (measured with 1 GiB: 33.8 MiB resident
 * on 1.19, 16.7 on 1.21). */
static void test_gc_metadata(void **state)
{
	/* The ledger's estimate itself, on the 1 GiB measurement. */
	healthy();
	cap.go.ms.heap_sys = S(1024 * MiB);
	cap.go.ms.heap_released = S(0);
	cap.go.ms.gc_sys = S(41 * MiB);
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.19.8");
	assert_int_equal(gc_sys_resident_estimate(&cap), 33 * MiB);
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.21.13");
	assert_int_equal(gc_sys_resident_estimate(&cap), 17 * MiB);
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.23.5");
	assert_int_equal(gc_sys_resident_estimate(&cap), 1 * MiB);
	cap.go.ms.gc_sys = S(512 * KiB); /* never more than GCSys */
	assert_int_equal(gc_sys_resident_estimate(&cap), 512 * KiB);
	cap.go.go_version[0] = '\0';
	assert_int_equal(gc_sys_resident_estimate(&cap), 0);
	(void)state;
	healthy(); /* HeapSys 110 - HeapReleased 6 = 104 MiB held */
	cap.go.ms.gc_sys = S(8 * MiB);
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.19.8");
	run();
	const struct finding *f = find("gc_metadata");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "3.35 MiB of it resident")); /* 104/32 + 104/1024 */
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.21.13");
	run();
	f = find("gc_metadata");
	assert_non_null(strstr(f->summary, "1.73 MiB of it resident")); /* 104/64 + 104/1024 */
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.23.5");
	run();
	f = find("gc_metadata");
	assert_non_null(strstr(f->summary, "mostly never touched"));
	assert_null(strstr(f->summary, "resident"));
}

static void test_swapped(void **state)
{
	(void)state;
	healthy();
	cap.os.maps.cls[MC_GO_HEAP].swap = 40 * MiB;
	cap.os.maps.cls[MC_GO_HEAP].anonymous -= 40 * MiB;
	run();
	/* 40 MiB of RES 120 + 40 = 25% */
	expect("swapped", SEV_WARNING, 40 * MiB);
	/* Swapped Go memory is still Go's: nothing unexplained. */
	assert_int_equal(led.unexplained.v, 0);
}

static void test_file_mappings(void **state)
{
	(void)state;
	healthy();
	cap.os.maps.cls[MC_FILES] =
	    (struct class_total){.mappings = 3, .size = 10 * GiB, .rss = 64 * MiB};
	cap.os.status.v.vm_rss = S(184 * MiB);
	run();
	/* 64 MiB, 35% of RES */
	expect("file_mappings", SEV_WARNING, 64 * MiB);
	/* 63 MiB: under 64 */
	cap.os.maps.cls[MC_FILES].rss = 63 * MiB;
	run();
	expect("file_mappings", SEV_INFO, 63 * MiB);
	/* 100 MiB of a 1 GiB RES: under a quarter */
	cap.os.maps.cls[MC_FILES].rss = 100 * MiB;
	cap.os.status.v.vm_rss = S(1 * GiB);
	run();
	expect("file_mappings", SEV_INFO, 100 * MiB);
}

static void test_shared_memory(void **state)
{
	(void)state;
	healthy();
	cap.os.maps.cls[MC_SHMEM] =
	    (struct class_total){.mappings = 1, .size = 64 * MiB, .rss = 64 * MiB};
	cap.os.status.v.rss_shmem = S(64 * MiB);
	cap.os.status.v.vm_rss = S(184 * MiB);
	run();
	expect("shared_memory", SEV_WARNING, 64 * MiB);
	/* shared memory is not anonymous footprint */
	assert_int_equal(led.unexplained.v, 0);
}

static void test_idle_heap(void **state)
{
	(void)state;
	healthy();
	/* idle 4 MiB (10 - 6): well within the scavenger's goal */
	run();
	expect("idle_heap", SEV_INFO, 4 * MiB);
	/* 100 MiB idle; NextGC 100 MiB, HeapInuse / HeapAlloc = 100 / 95:
	 * the scavenger keeps 1.1 x 100 x 100/95 = 115.8 MiB of pages, 15.8 MiB
	 * of them free, + 8 MiB of slack: 76.2 MiB beyond, of RES 216 */
	cap.go.ms.heap_idle = S(106 * MiB);
	cap.go.ms.heap_sys = S(206 * MiB);
	cap.go.ms.sys = S(212 * MiB);
	cap.go.ms.next_gc = S(100 * MiB);
	cap.os.maps.cls[MC_GO_HEAP].anonymous += 96 * MiB;
	cap.os.status.v.vm_rss = S(216 * MiB);
	run();
	expect("idle_heap", SEV_WARNING, 100 * MiB);
	/* with a heap goal of 190 MiB it is what the scavenger keeps */
	cap.go.ms.next_gc = S(190 * MiB);
	run();
	expect("idle_heap", SEV_INFO, 100 * MiB);
	/* no NextGC given: GOGC=100 assumed, 1.1 x 2 x 100 - 100 = 120 MiB kept */
	cap.go.ms.next_gc = opt_none();
	run();
	expect("idle_heap", SEV_INFO, 100 * MiB);
	assert_non_null(strstr(find("idle_heap")->evidence, "GOGC=100 assumed"));
	/* GOGC=off without GOMEMLIMIT: the scavenger keeps everything, so all of
	 * it is beyond what it should */
	cap.os.env.gogc_off = 1;
	run();
	expect("idle_heap", SEV_WARNING, 100 * MiB);
	assert_non_null(strstr(find("idle_heap")->evidence, "GOGC=off and no GOMEMLIMIT"));
	/* GOGC=off with GOMEMLIMIT 1 GiB: it keeps idle heap up to 95% of it */
	cap.os.env.gomemlimit_bytes = S(1 * GiB);
	run();
	expect("idle_heap", SEV_INFO, 100 * MiB);
	/* ... and returns what is over: GOMEMLIMIT 150 MiB, Sys - released 206
	 * MiB, 95% of 150 = 142.5: 63.5 MiB over, 36.5 MiB may stay */
	cap.os.env.gomemlimit_bytes = S(150 * MiB);
	run();
	expect("idle_heap", SEV_WARNING, 100 * MiB);
	/* under 10% of a 1 GiB RES: info */
	cap.os.status.v.vm_rss = S(1 * GiB);
	run();
	expect("idle_heap", SEV_INFO, 100 * MiB);
}

static void test_fragmentation(void **state)
{
	(void)state;
	healthy();
	run();
	expect("fragmentation", SEV_INFO, 5 * MiB); /* 100 - 95 */
	cap.go.ms.heap_alloc = S(45 * MiB);	    /* 55 MiB, 55% of HeapInuse */
	run();
	expect("fragmentation", SEV_WARNING, 55 * MiB);
	cap.go.ms.heap_alloc = S(60 * MiB); /* 40%: after a GC that freed much, normal */
	run();
	expect("fragmentation", SEV_INFO, 40 * MiB);
	/* An idle server's 1 MiB heap half empty: true, and small; the words
	 * say the size, not "47%". */
	cap.go.ms.heap_inuse = S(2 * MiB);
	cap.go.ms.heap_alloc = S(1 * MiB);
	run();
	const struct finding *f = find("fragmentation");
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_null(strstr(f->summary, "%"));
	assert_non_null(strstr(f->summary, "a small amount"));
}

static void test_goroutine_stacks(void **state)
{
	(void)state;
	healthy();
	/* 10 threads x (32 KiB gsignal + 16 KiB g0, Go 1.23 without cgo) =
	 * 480 KiB of StackInuse are the threads' */
	cap.go.ms.stack_inuse = S(201 * MiB);
	cap.go.ms.stack_sys = S(201 * MiB);
	cap.go.ms.sys = S(316 * MiB);
	cap.os.maps.cls[MC_GO_HEAP].anonymous += 200 * MiB;
	cap.os.status.v.vm_rss = S(320 * MiB);
	run();
	expect("goroutine_stacks", SEV_WARNING, 201 * MiB - 480 * KiB);
	/* Go 1.19: the g0 stack was 8 KiB */
	snprintf(cap.go.go_version, sizeof cap.go.go_version, "go1.19.8");
	run();
	expect("goroutine_stacks", SEV_WARNING, 201 * MiB - 400 * KiB);
}

static void test_os_threads(void **state)
{
	(void)state;
	healthy();
	run();
	expect("os_threads", SEV_INFO, 10 * 48 * KiB);
	cap.os.status.v.threads = S(200);
	run();
	expect("os_threads", SEV_WARNING, 200 * 48 * KiB);
	cap.os.status.v.threads = S(5000);
	run();
	expect("os_threads", SEV_CRITICAL, 5000 * 48 * KiB);
	/* With cgo the g0 stack is the pthread stack: 32 KiB each from Go, plus
	 * the pthread stacks' resident pages. */
	cap.os.build.cgo = 1;
	cap.os.status.v.threads = S(199);
	cap.os.maps.cls[MC_THREAD_STACKS] = (struct class_total){.mappings = 398,
								 .size = 199 * 8 * MiB,
								 .rss = 199 * 8 * KiB,
								 .anonymous = 199 * 8 * KiB};
	run();
	expect("os_threads", SEV_INFO, 199 * 32 * KiB + 199 * 8 * KiB);
}

static void test_near_limit(void **state)
{
	(void)state;
	healthy();
	run();
	assert_null(find("near_limit")); /* no cgroup read */
	cap.os.cgroup.version = 2;
	snprintf(cap.os.cgroup.path, sizeof cap.os.cgroup.path, "/svc");
	cap.os.cgroup.limit = S(1 * GiB);
	cap.os.cgroup.usage = S(500 * MiB);
	run();
	expect("near_limit", SEV_INFO, 524 * MiB);
	cap.os.cgroup.usage = S(900 * MiB); /* 87.9% */
	run();
	expect("near_limit", SEV_WARNING, 124 * MiB);
	cap.os.cgroup.usage = S(990 * MiB); /* 96.7% */
	run();
	expect("near_limit", SEV_CRITICAL, 34 * MiB);
	/* GOMEMLIMIT above the limit: warning even with room */
	cap.os.cgroup.usage = S(500 * MiB);
	cap.os.env.gomemlimit_bytes = S(2 * GiB);
	run();
	expect("near_limit", SEV_WARNING, 524 * MiB);
	assert_non_null(strstr(find("near_limit")->evidence, "GOMEMLIMIT is at or above"));
	/* No GOMEMLIMIT and a heap goal above the limit */
	cap.os.env.gomemlimit_bytes = opt_none();
	cap.go.ms.next_gc = S(1100 * MiB);
	run();
	expect("near_limit", SEV_WARNING, 524 * MiB);
}

static void test_non_go_split(void **state)
{
	(void)state;
	healthy();
	/* 150 MiB of C mmaps among the other anonymous mappings, 2 MiB of glibc
	 * malloc, 1 MiB of thread stacks */
	cap.os.maps.cls[MC_OTHER_ANON].anonymous += 150 * MiB;
	cap.os.maps.cls[MC_GLIBC_MALLOC] =
	    (struct class_total){.mappings = 3, .anonymous = 2 * MiB};
	cap.os.maps.cls[MC_THREAD_STACKS] =
	    (struct class_total){.mappings = 4, .anonymous = 1 * MiB};
	cap.os.status.v.vm_rss = S(273 * MiB);
	run();
	/* other: 153 MiB against Go's share 5 MiB: 148 at least, 153 at most;
	 * + 2 + 1 */
	/* bytes is the estimate: of Go's 5 MiB share, MSpanInuse 1 + OtherSys
	 * 2 + GCSys's heap-sized part (104 MiB / 1024 on Go 1.23) is likely
	 * resident; the severity comes from the low end, 151 MiB. */
	uint64_t gr = 3 * MiB + 104 * MiB / 1024;
	expect("non_go_anon", SEV_WARNING, 156 * MiB - gr);
	assert_int_equal(led.non_go_anon.v, 151 * MiB);
	assert_int_equal(led.non_go_anon_max.v, 156 * MiB);
	assert_int_equal(led.split_go_other_resident.v, gr);
	assert_non_null(strstr(find("non_go_anon")->summary, "plain anonymous mappings"));
	/* a binary without cgo: the advice points at syscall.Mmap */
	assert_non_null(strstr(find("non_go_anon")->advice, "syscall.Mmap"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_healthy),	     cmocka_unit_test(test_lazy_free),
	    cmocka_unit_test(test_huge_pages),	     cmocka_unit_test(test_gc_metadata),	     cmocka_unit_test(test_swapped),
	    cmocka_unit_test(test_file_mappings),    cmocka_unit_test(test_shared_memory),
	    cmocka_unit_test(test_idle_heap),	     cmocka_unit_test(test_fragmentation),
	    cmocka_unit_test(test_goroutine_stacks), cmocka_unit_test(test_os_threads),
	    cmocka_unit_test(test_near_limit),	     cmocka_unit_test(test_non_go_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
