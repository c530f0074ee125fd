/* reconcile(): the ledger.  See docs/model.md for the model and sources. */
#include <stddef.h>
#include <string.h>

#include "correlate/ledger.h"

#define ROW(sec, key, label, depth, field, count, meaning)                             \
	{                                                                              \
		sec, key, label, depth, offsetof(struct ledger, field), count, meaning \
	}

const struct ledger_row ledger_rows[] = {
    ROW("res", "vm_rss_bytes", "RES (VmRSS)", 0, rss, 0, "resident now"),
    ROW("res", "rss_anon_bytes", "anonymous", 1, rss_anon, 0,
	"RssAnon: Go heap and runtime, C malloc, stacks, private mmap"),
    ROW("res", "rss_file_bytes", "file-backed", 1, rss_file, 0,
	"RssFile: executable, libraries, mapped files"),
    ROW("res", "rss_shmem_bytes", "shared", 1, rss_shmem, 0,
	"RssShmem: MAP_SHARED anonymous, memfd, /dev/shm, SysV shm"),

    ROW("anon", "resident_bytes", "anonymous resident", 0, anon_resident, 0, "RssAnon"),
    ROW("anon", "swap_bytes", "+ swapped out", 0, swap, 0, "VmSwap: still the process's memory"),
    ROW("anon", "lazy_free_bytes", "- LazyFree", 0, lazy_free, 0,
	"freed with MADV_FREE, counted in RSS until reclaimed"),
    ROW("anon", "footprint_bytes", "= anonymous footprint", 0, anon_footprint, 0,
	"what Go's accounting should cover"),
    ROW("anon", "anon_huge_pages_bytes", "of which huge pages", 1, anon_huge, 0,
	"AnonHugePages: a 2 MiB page stays whole while any of it is used"),

    ROW("go", "sys_bytes", "Sys", 0, go_sys, 0, "all the runtime mapped from the OS"),
    ROW("go", "heap_released_bytes", "- HeapReleased", 0, go_released, 0,
	"returned to the OS: mapped, no memory behind it"),
    ROW("go", "retained_bytes", "= Go retained", 0, go_retained, 0,
	"Sys - HeapReleased: what Go holds (what GOMEMLIMIT governs)"),
    ROW("go", "resident_bytes", "covered", 1, go_resident, 0,
	"min(Go retained, footprint): the footprint Go's accounting covers"),
    ROW("go", "not_resident_bytes", "not resident (at least)", 1, go_not_resident, 0,
	"Go retained beyond the footprint: mapped, never touched"),
    ROW("go", "unexplained_bytes", "unexplained", 0, unexplained, 0,
	"anonymous footprint beyond Go retained: memory outside Go's accounting"),

    ROW("heap", "objects_bytes", "HeapAlloc", 0, heap_objects, 0,
	"live objects and garbage not yet swept"),
    ROW("heap", "unused_bytes", "HeapInuse - HeapAlloc", 0, heap_unused, 0,
	"free space inside in-use spans (fragmentation)"),
    ROW("heap", "free_bytes", "HeapIdle - HeapReleased", 0, heap_free, 0,
	"free spans kept for reuse, resident until the scavenger returns them"),
    ROW("heap", "released_bytes", "HeapReleased", 0, heap_released, 0, "returned to the OS"),

    ROW("stacks", "stack_inuse_bytes", "StackInuse", 0, stack_inuse, 0,
	"goroutine stacks, carved from heap spans (not in HeapSys)"),
    ROW("stacks", "os_stacks_bytes", "StackSys - StackInuse", 0, stack_os, 0,
	"stacks the OS handed to the runtime"),
    ROW("stacks", "stack_sys_bytes", "StackSys", 0, stack_sys, 0, "in Sys"),
    ROW("stacks", "main_stack_bytes", "VmStk", 0, main_stack, 0,
	"the main thread's stack: not in Sys"),
    ROW("stacks", "threads", "Threads", 0, threads, 1,
	"OS threads now; with cgo each has an 8 MiB pthread stack outside Sys"),

    ROW("metadata", "mspan_sys_bytes", "MSpanSys", 0, meta_mspan, 0, "span descriptors"),
    ROW("metadata", "mcache_sys_bytes", "MCacheSys", 0, meta_mcache, 0, "per-P caches"),
    ROW("metadata", "buck_hash_sys_bytes", "BuckHashSys", 0, meta_buckhash, 0,
	"profiling bucket table"),
    ROW("metadata", "gc_sys_bytes", "GCSys", 0, meta_gc, 0,
	"GC metadata: mostly untouched until the heap grows into it"),
    ROW("metadata", "other_sys_bytes", "OtherSys", 0, meta_other, 0, "other runtime allocations"),
    ROW("metadata", "total_bytes", "total", 0, meta_total, 0, "runtime metadata in Sys"),

    ROW("virt", "vm_size_bytes", "VIRT (VmSize)", 0, virt, 0, "address space, not memory"),
    ROW("virt", "go_sys_bytes", "Go Sys", 1, virt_go, 0, "mapped by the Go runtime"),
    ROW("virt", "exe_and_libs_bytes", "executable and libraries", 1, virt_exe_libs, 0,
	"VmExe + VmLib: program text"),
    ROW("virt", "main_stack_bytes", "main stack", 1, virt_main_stack, 0, "VmStk"),
    ROW("virt", "other_bytes", "other", 1, virt_other, 0,
	"Go reservations (PROT_NONE), C heaps and arenas, thread stacks, data"),
    ROW("virt", "backed_bytes", "with memory behind it", 0, virt_backed, 0, "VmRSS + VmSwap"),
    ROW("virt", "unbacked_bytes", "address space only", 0, virt_unbacked, 0,
	"reserved or never touched: costs no memory"),

    ROW("split", "go_heap_bytes", "Go heap arenas", 0, split_arena, 0,
	"anonymous footprint of the arena mappings"),
    ROW("split", "go_heap_accounted_bytes", "Go's count of them", 1, split_arena_go, 0,
	"HeapSys - HeapReleased + StackInuse"),
    ROW("split", "go_heap_metadata_bytes", "GC work buffers", 1, split_arena_metadata, 0,
	"beyond it, paid from GCSys: the GC's work buffers live in the arenas"),
    ROW("split", "go_heap_excess_bytes", "beyond Go's count", 1, split_arena_excess, 0,
	"released pages that huge pages keep resident"),
    ROW("split", "go_heap_uncertain_bytes", "could be glibc arenas", 1, split_arena_uncertain, 0,
	"shaped like one, no VmFlags to tell: counted in the high end below"),
    ROW("split", "go_other_bytes", "Go runtime + other anonymous", 0, split_go_other, 0,
	"Go metadata outside the arenas and C mmaps share these mappings"),
    ROW("split", "go_other_resident_bytes", "Go's share, likely resident", 1,
	split_go_other_resident, 0,
	"MSpanInuse + MCacheInuse + OtherSys + OS stacks + GCSys's heap-sized part"),
    ROW("split", "go_other_accounted_bytes", "Go's share, at most", 1, split_go_other_go, 0,
	"Sys - HeapSys - StackInuse - GC work buffers"),
    ROW("split", "other_non_go_bytes", "not Go's, at least", 1, split_other_non_go, 0,
	"footprint beyond Go's share"),
    ROW("split", "other_non_go_max_bytes", "not Go's, at most", 1, split_other_non_go_max, 0,
	"the plain anonymous mappings, if none were Go's"),
    ROW("split", "glibc_malloc_bytes", "glibc malloc", 0, split_glibc, 0,
	"[heap] and 64 MiB thread arenas: C allocations"),
    ROW("split", "thread_stacks_bytes", "thread stacks", 0, split_thread_stacks, 0,
	"pthread stacks (cgo threads): outside MemStats"),
    ROW("split", "executable_data_bytes", "executable data", 0, split_exe_data, 0,
	".data/.bss of the binary: Go's globals, outside Sys"),
    ROW("split", "libraries_data_bytes", "library data", 0, split_libs_data, 0,
	".data/.bss of shared libraries"),
    ROW("split", "files_private_bytes", "private file copies", 0, split_files_anon, 0,
	"written pages of privately mapped files"),
    ROW("split", "main_stack_bytes", "main stack", 0, split_main_stack, 0, "[stack]"),
    ROW("split", "race_detector_bytes", "race detector", 0, split_race, 0,
	"the -race runtime's shadow memory: outside MemStats"),
    ROW("split", "non_go_anon_bytes", "non-Go anonymous, at least", 0, non_go_anon, 0,
	"glibc + thread stacks + other anonymous beyond Go's share"),
    ROW("split", "non_go_anon_max_bytes", "non-Go anonymous, at most", 0, non_go_anon_max, 0,
	"glibc + thread stacks + all other anonymous"),
    ROW("split", "non_go_anon_estimate_bytes", "non-Go anonymous, estimate", 0, non_go_anon_est, 0,
	"the plain anonymous mappings less Go's likely-resident share, with glibc and stacks"),

    ROW("checks", "sys_parts_bytes", "sum of the XxxSys fields", 0, sys_parts, 0,
	"HeapSys + StackSys + MSpanSys + MCacheSys + BuckHashSys + GCSys + OtherSys = Sys"),
};
const size_t ledger_rows_count = sizeof ledger_rows / sizeof ledger_rows[0];

opt_u64 ledger_get(const struct ledger *l, const struct ledger_row *r)
{
	return *(const opt_u64 *)((const char *)l + r->offset);
}

static int equal_or_unknown(opt_u64 a, opt_u64 b)
{
	if (!a.known || !b.known)
		return -1;
	return a.v == b.v;
}

static opt_u64 fp(const struct mapping_summary *m, enum map_class k)
{
	return opt_some(class_anon_footprint(&m->cls[k]));
}

static uint64_t known_or_0(opt_u64 o)
{
	return o.known ? o.v : 0;
}

uint64_t gc_sys_resident_estimate(const struct capture *c)
{
	const struct go_memstats *ms = &c->go.ms;
	int minor = capture_go_minor(c);
	if (!minor || !ms->heap_sys.known || !ms->gc_sys.known)
		return 0;
	uint64_t released = ms->heap_released.known ? ms->heap_released.v : 0;
	uint64_t rel = released < ms->heap_sys.v ? released : ms->heap_sys.v;
	uint64_t held = ms->heap_sys.v - rel;
	/* The heap bitmap: heapArena.bitmap in GCSys (persistentalloc with
	 * gcMiscSys, malloc.go sysAlloc), written as the arena is used: 2 bits
	 * a word up to Go 1.19 (mbitmap.go heapBitsShift), 1 bit a word in
	 * 1.20-1.21; from 1.22 it lives in the spans (HeapInuse). */
	uint64_t b = minor <= 119 ? held / 32 : minor <= 121 ? held / 64 : 0;
	/* heapArena.spans: one pointer per 8 KiB page of an arena. */
	b += held / 1024;
	return b < ms->gc_sys.v ? b : ms->gc_sys.v;
}

/* With smaps: the footprint split by owner.  Go's accounting is held
 * against the arenas and against everything else separately, so that C
 * memory cannot hide behind untouched Go metadata (docs/model.md). */
static void split(const struct capture *c, struct ledger *l)
{
	const struct mapping_summary *m = &c->os.maps;
	const struct go_memstats *ms = &c->go.ms;
	uint64_t anon = 0, swap = 0, lazy = 0;
	for (int k = 0; k < MC_COUNT; k++) {
		if (k == MC_SHMEM)
			continue; /* shared memory is RssShmem, not anonymous */
		anon += m->cls[k].anonymous;
		swap += m->cls[k].swap;
		lazy += m->cls[k].lazy_free;
	}
	/* The footprint from the same smaps the split comes from, so that the
	 * lines add up to the byte. */
	l->have_split = 1;
	l->anon_from_rss = 0;
	l->anon_source = "smaps";
	l->lazy_free_assumed = 0;
	l->anon_resident = opt_some(anon);
	l->swap = opt_some(swap);
	l->lazy_free = opt_some(lazy);
	l->anon_footprint = opt_sub_sat(opt_some(anon + swap), opt_some(lazy));

	l->split_arena = fp(m, MC_GO_HEAP);
	l->split_arena_go = opt_add(opt_sub_sat(ms->heap_sys, ms->heap_released), ms->stack_inuse);
	opt_u64 excess = opt_sub_sat(l->split_arena, l->split_arena_go);
	opt_u64 other_go = opt_sub_sat(opt_sub_sat(ms->sys, ms->heap_sys), ms->stack_inuse);
	/* Everything in the arenas is Go's.  Beyond HeapSys and StackInuse they
	 * hold the GC's work buffers, which MemStats counts in GCSys (mgcwork.go
	 * allocates them as manual spans): that part of the excess is paid from
	 * the non-arena allowance.  What huge pages keep resident is not. */
	opt_u64 thp = opt_min(excess, opt_some(m->cls[MC_GO_HEAP].anon_huge));
	l->split_arena_metadata = opt_min(opt_sub_sat(excess, thp), other_go);
	l->split_arena_excess = opt_sub_sat(excess, l->split_arena_metadata);
	l->split_go_other = opt_add(fp(m, MC_GO_RUNTIME), fp(m, MC_OTHER_ANON));
	l->split_go_other_go = opt_sub_sat(other_go, l->split_arena_metadata);
	l->split_other_non_go = opt_sub_sat(l->split_go_other, l->split_go_other_go);
	l->split_other_non_go_max = fp(m, MC_OTHER_ANON);
	if (l->split_other_non_go.known && l->split_other_non_go.v > l->split_other_non_go_max.v)
		l->split_other_non_go_max = l->split_other_non_go;
	/* Most of Go's share is never touched (page-allocator summaries, the
	 * scavenger index, GC metadata of heap not yet grown into); what is
	 * resident is the parts in use, OtherSys, the stacks the OS handed out,
	 * and GCSys's heap-sized part.  Measured: with 150 MiB of C memory the
	 * low end was 6.0% under on Go 1.19 (its GCSys is ~8 MiB, mostly
	 * untouched), the estimate within 0.3% (docs/model.md §12). */
	/* A part a format does not give counts as 0: the estimate then leans
	 * to the range's high end, and stays inside it. */
	opt_u64 likely = opt_some(
	    known_or_0(ms->mspan_inuse) + known_or_0(ms->mcache_inuse) + known_or_0(ms->other_sys) +
	    known_or_0(opt_sub_sat(ms->stack_sys, ms->stack_inuse)));
	opt_u64 gc = opt_sub_sat(opt_some(gc_sys_resident_estimate(c)), l->split_arena_metadata);
	l->split_go_other_resident = opt_min(opt_add(likely, gc), l->split_go_other_go);
	l->split_glibc = fp(m, MC_GLIBC_MALLOC);
	l->split_thread_stacks = fp(m, MC_THREAD_STACKS);
	l->split_exe_data = fp(m, MC_EXE);
	l->split_libs_data = fp(m, MC_LIBS);
	l->split_files_anon = fp(m, MC_FILES);
	l->split_main_stack = fp(m, MC_MAIN_STACK);
	l->split_race = fp(m, MC_RACE);
	/* Arenas that could be glibc's (no VmFlags): Go's at the low end, not
	 * Go's at the high end (docs/model.md, "The per-mapping view"). */
	l->split_arena_uncertain = opt_some(class_anon_footprint(&m->heap_uncertain));
	opt_u64 c_side = opt_add(l->split_glibc, l->split_thread_stacks);
	l->non_go_anon = opt_add(c_side, l->split_other_non_go);
	l->non_go_anon_max = opt_add(opt_add(c_side, l->split_other_non_go_max),
				     l->split_arena_uncertain);
	/* The estimate: the plain anonymous mappings less the part of Go's
	 * share likely resident, held inside the range. */
	l->non_go_anon_est =
	    opt_add(c_side, opt_sub_sat(l->split_go_other, l->split_go_other_resident));
	if (l->non_go_anon_est.known && l->non_go_anon.known && l->non_go_anon_max.known) {
		if (l->non_go_anon_est.v < l->non_go_anon.v)
			l->non_go_anon_est = l->non_go_anon;
		if (l->non_go_anon_est.v > l->non_go_anon_max.v)
			l->non_go_anon_est = l->non_go_anon_max;
	}

	/* Covered: outside the arenas, Go's likely-resident share, as the
	 * estimate counts it, so that unexplained and the non-Go estimate
	 * agree (unexplained = the estimate + the arenas' excess + data). */
	opt_u64 other_covered = opt_min(l->split_go_other, l->split_go_other_resident);
	l->go_resident = opt_add(
	    opt_add(opt_min(l->split_arena, l->split_arena_go), l->split_arena_metadata),
	    other_covered);
	l->go_not_resident = opt_add(opt_sub_sat(l->split_arena_go, l->split_arena),
				     opt_sub_sat(l->split_go_other_go, other_covered));
	l->unexplained = opt_sub_sat(l->anon_footprint, l->go_resident);
}

void reconcile(const struct capture *c, struct ledger *l)
{
	const struct status_values *st = &c->os.status.v;
	const struct go_memstats *ms = &c->go.ms;
	const struct smaps_values *ru = c->os.have_rollup ? &c->os.rollup : NULL;
	memset(l, 0, sizeof *l);

	l->rss = st->vm_rss;
	l->rss_anon = st->rss_anon;
	l->rss_file = st->rss_file;
	l->rss_shmem = st->rss_shmem;

	/* smaps_rollup's Anonymous and Swap before status's RssAnon and VmSwap:
	 * proc.rst says status's RSS counters are "handled in an asynchronous
	 * manner" and "may not be very precise"; the rollup sums the page
	 * tables.  Without either (a pair read off top) RES is the best bound:
	 * it also holds file-backed pages, which the report says. */
	if (ru && ru->anonymous.known && ru->swap.known) {
		l->anon_resident = ru->anonymous;
		l->swap = ru->swap;
		l->anon_source = "smaps_rollup";
	} else {
		l->anon_resident = st->rss_anon;
		l->swap = opt_or(st->vm_swap, ru ? ru->swap : opt_none());
		l->anon_source = l->anon_resident.known ? "status" : NULL;
	}
	if (!l->anon_resident.known && st->vm_rss.known) {
		l->anon_resident = st->vm_rss;
		l->anon_from_rss = 1;
		l->anon_source = "status";
	}
	l->lazy_free = ru ? ru->lazy_free : opt_none();
	l->anon_huge = ru ? ru->anon_huge_pages : opt_none();
	opt_u64 lazy = l->lazy_free;
	if (!lazy.known) {
		lazy = opt_some(0);
		l->lazy_free_assumed = 1;
	}
	/* Swap unknown (top gives none): nothing swapped is the only reading
	 * that does not invent memory; the report marks the line unknown. */
	l->anon_footprint =
	    opt_sub_sat(opt_add(l->anon_resident, opt_or(l->swap, opt_some(0))), lazy);

	l->go_sys = ms->sys;
	l->go_released = ms->heap_released;
	l->go_retained = opt_sub_sat(ms->sys, ms->heap_released);
	if (c->os.maps.have) {
		split(c, l);
	} else {
		l->go_resident = opt_min(l->go_retained, l->anon_footprint);
		l->go_not_resident = opt_sub_sat(l->go_retained, l->anon_footprint);
		l->unexplained = opt_sub_sat(l->anon_footprint, l->go_retained);
	}

	l->heap_objects = ms->heap_alloc;
	l->heap_unused = opt_sub_sat(ms->heap_inuse, ms->heap_alloc);
	l->heap_free = opt_sub_sat(ms->heap_idle, ms->heap_released);
	l->heap_released = ms->heap_released;

	l->stack_inuse = ms->stack_inuse;
	l->stack_sys = ms->stack_sys;
	l->stack_os = opt_sub_sat(ms->stack_sys, ms->stack_inuse);
	l->main_stack = st->vm_stk;
	l->threads = st->threads;

	l->meta_mspan = ms->mspan_sys;
	l->meta_mcache = ms->mcache_sys;
	l->meta_buckhash = ms->buck_hash_sys;
	l->meta_gc = ms->gc_sys;
	l->meta_other = ms->other_sys;
	l->meta_total = opt_add(
	    opt_add(opt_add(ms->mspan_sys, ms->mcache_sys), opt_add(ms->buck_hash_sys, ms->gc_sys)),
	    ms->other_sys);

	l->virt = st->vm_size;
	l->virt_go = ms->sys;
	l->virt_exe_libs = opt_add(st->vm_exe, st->vm_lib);
	l->virt_main_stack = st->vm_stk;
	l->virt_other = opt_sub_sat(
	    opt_sub_sat(opt_sub_sat(st->vm_size, ms->sys), l->virt_exe_libs), st->vm_stk);
	l->virt_backed = opt_add(st->vm_rss, opt_or(l->swap, opt_some(0)));
	l->virt_unbacked = opt_sub_sat(st->vm_size, l->virt_backed);

	l->sys_parts = opt_add(opt_add(ms->heap_sys, ms->stack_sys), l->meta_total);
	l->sys_parts_ok = equal_or_unknown(l->sys_parts, ms->sys);
	l->heap_parts_ok = equal_or_unknown(opt_add(ms->heap_inuse, ms->heap_idle), ms->heap_sys);

	cgroup_reconcile(c, &l->cg);
}
