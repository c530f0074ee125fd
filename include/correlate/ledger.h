/* Reconcile: one ledger from the two sides of a capture.  A pure function:
 * no I/O, no allocation.  The model, with formulas and sources, is written
 * down in docs/model.md; keep the two in step. */
#ifndef CORRELATE_LEDGER_H
#define CORRELATE_LEDGER_H

#include <stddef.h>

#include "correlate/capture.h"
#include "correlate/cgroup_ledger.h"
#include "correlate/opt.h"

struct ledger {
	/* res: what top's RES is made of */
	opt_u64 rss;	   /* status VmRSS */
	opt_u64 rss_anon;  /* status RssAnon */
	opt_u64 rss_file;  /* status RssFile */
	opt_u64 rss_shmem; /* status RssShmem */

	/* anon: the anonymous footprint Go's accounting is held against */
	opt_u64 anon_resident;	/* RssAnon (RES when RssAnon is unknown) */
	opt_u64 swap;		/* status VmSwap (smaps_rollup Swap when unknown) */
	opt_u64 lazy_free;	/* smaps_rollup LazyFree: freed, still resident */
	opt_u64 anon_footprint; /* anon_resident + swap - lazy_free */
	opt_u64 anon_huge;	/* smaps_rollup AnonHugePages (part of RssAnon) */

	/* go: what the runtime says it holds */
	opt_u64 go_sys;		 /* Sys */
	opt_u64 go_released;	 /* HeapReleased */
	opt_u64 go_retained;	 /* Sys - HeapReleased */
	opt_u64 go_resident;	 /* min(go_retained, anon_footprint): Go's share */
	opt_u64 go_not_resident; /* go_retained - anon_footprint, >= 0 */
	opt_u64 unexplained;	 /* anon_footprint - go_retained, >= 0 */

	/* heap: HeapSys split four ways */
	opt_u64 heap_objects;  /* HeapAlloc */
	opt_u64 heap_unused;   /* HeapInuse - HeapAlloc */
	opt_u64 heap_free;     /* HeapIdle - HeapReleased */
	opt_u64 heap_released; /* HeapReleased */

	/* stacks */
	opt_u64 stack_inuse; /* StackInuse: goroutine stacks, in heap spans */
	opt_u64 stack_os;    /* StackSys - StackInuse: stacks from the OS */
	opt_u64 stack_sys;   /* StackSys */
	opt_u64 main_stack;  /* status VmStk: the main thread, outside Sys */
	opt_u64 threads;     /* status Threads */

	/* metadata: the runtime's own structures */
	opt_u64 meta_mspan;    /* MSpanSys */
	opt_u64 meta_mcache;   /* MCacheSys */
	opt_u64 meta_buckhash; /* BuckHashSys */
	opt_u64 meta_gc;       /* GCSys */
	opt_u64 meta_other;    /* OtherSys */
	opt_u64 meta_total;    /* their sum */

	/* virt: what VIRT is made of */
	opt_u64 virt;		 /* status VmSize */
	opt_u64 virt_go;	 /* Sys */
	opt_u64 virt_exe_libs;	 /* VmExe + VmLib: text of the binary and libraries */
	opt_u64 virt_main_stack; /* VmStk */
	opt_u64 virt_other;	 /* VmSize - the three above: reservations, C, stacks */
	opt_u64 virt_backed;	 /* VmRSS + VmSwap: address space with memory behind it */
	opt_u64 virt_unbacked;	 /* VmSize - virt_backed */

	/* split: the anonymous footprint by owner, from the per-mapping view
	 * (have_split; docs/model.md "The split") */
	opt_u64 split_arena;		/* Go heap arenas' anonymous footprint */
	opt_u64 split_arena_go;		/* HeapSys - HeapReleased + StackInuse */
	opt_u64 split_arena_metadata;	/* beyond it, up to GCSys: the GC's work buffers */
	opt_u64 split_arena_excess;	/* beyond both: released pages held by huge pages */
	opt_u64 split_arena_uncertain;	/* of the arenas: glibc-arena-shaped, no VmFlags to tell */
	opt_u64 split_go_other;		/* Go runtime + other anonymous mappings */
	opt_u64 split_go_other_go;	/* Sys - HeapSys - StackInuse - work buffers: Go's share */
	opt_u64 split_go_other_resident; /* of Go's share, what is likely resident: the in-use
					  * parts, OtherSys, OS stacks, GCSys's heap-sized part */
	opt_u64 split_other_non_go;	/* their footprint beyond Go's share: at least */
	opt_u64 split_other_non_go_max; /* ... and at most (if none of it were Go's) */
	opt_u64 split_glibc;		/* glibc malloc: [heap] and thread arenas */
	opt_u64 split_thread_stacks;	/* pthread stacks */
	opt_u64 split_exe_data;		/* the executable's .data/.bss */
	opt_u64 split_libs_data;	/* libraries' .data/.bss */
	opt_u64 split_files_anon;	/* private copies of mapped file pages */
	opt_u64 split_main_stack;	/* [stack] */
	opt_u64 split_race;		/* the -race runtime's shadow: outside MemStats */
	opt_u64 non_go_anon;		/* glibc + thread stacks + other non-Go: at least */
	opt_u64 non_go_anon_max;	/* ... at most */
	opt_u64 non_go_anon_est;	/* ... the point estimate between them */

	/* checks: MemStats' own identities (mstats.go) */
	opt_u64 sys_parts; /* HeapSys+StackSys+MSpanSys+MCacheSys+BuckHashSys+GCSys+OtherSys */
	int sys_parts_ok;  /* 1 Sys equals sys_parts, 0 it does not, -1 not checkable */
	int heap_parts_ok; /* HeapSys == HeapInuse + HeapIdle; same codes */

	/* what the ledger had to assume */
	int lazy_free_assumed; /* LazyFree not read: taken as 0 */
	int anon_from_rss;     /* RssAnon not read: RES (file pages too) used instead */
	const char *anon_source; /* where anon_resident and swap came from: "smaps" (summed
				  * over the mappings), "smaps_rollup", "status", or NULL */
	int have_split;	       /* smaps was read: the split lines are known */

	/* cgroup: the container's view, as the kernel and kubelet count it
	 * (cgroup_ledger.h; docs/model.md "The container's view") */
	struct cgroup_ledger cg;
};

/* Fills *l from c.  Unknown inputs give unknown lines, never zeros. */
void reconcile(const struct capture *c, struct ledger *l);

/* The resident part of GCSys that the heap explains, in bytes: the heap
 * bitmap while it lives in GCSys (1/32 of the heap Go holds up to Go 1.19,
 * 1/64 in 1.20-1.21) and the arenas' span index (1/1024, every version).
 * At most GCSys; 0 when the version or the heap is unknown.  Sources and
 * measurements in docs/model.md, "The split". */
uint64_t gc_sys_resident_estimate(const struct capture *c);

/* One line of the ledger, for renderers: they walk ledger_rows[]. */
struct ledger_row {
	const char
	    *section;	   /* "res", "anon", "go", "heap", "stacks", "metadata", "virt", "checks" */
	const char *json;  /* key within the section, e.g. "rss_anon_bytes" */
	const char *label; /* for people, e.g. "RssAnon" */
	int depth;	   /* indentation under the section */
	size_t offset;	   /* of the opt_u64 in struct ledger */
	int is_count;	   /* 1: a count, not bytes */
	const char *meaning; /* one line */
};
extern const struct ledger_row ledger_rows[];
extern const size_t ledger_rows_count;

opt_u64 ledger_get(const struct ledger *l, const struct ledger_row *r);

#endif
