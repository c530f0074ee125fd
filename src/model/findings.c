/* The rules.  Each names a cause, the bytes it accounts for, how unusual
 * they are (severity), the numbers it rests on (evidence) and the next step
 * (advice).  Thresholds are named here and explained, with sources, in
 * docs/model.md ("Findings"); keep the two in step. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/findings.h"
#include "correlate/osonly.h"
#include "correlate/units.h"

#define KiB   (UINT64_C(1) << 10)
#define MiB   (UINT64_C(1) << 20)
#define NEVER UINT64_MAX

/* A severity rule: warning from warn_bytes when also warn_share of the base
 * (usually RES); critical likewise.  NEVER: that level is not used. */
struct rule {
	uint64_t warn_bytes;
	double warn_share;
	uint64_t crit_bytes;
	double crit_share;
};

/* Memory outside Go's accounting.  A healthy Go process has next to none
 * (its globals, the main stack, a little libc); the field's rule of thumb is
 * to look once RSS - (Go + C) passes ~100 MB (REFERENCE.md §9). */
static const struct rule NON_GO = {32 * MiB, 0.10, 256 * MiB, 0.50};
/* Memory that inflates RES but is not lost: LazyFree, huge pages, swap,
 * shared memory.  Worth a warning when it is a sizeable part of RES. */
static const struct rule INFLATES = {32 * MiB, 0.10, NEVER, 0};
/* Mapped files: page cache the kernel drops under pressure; a database's
 * file is expected, so only a large share of RES warns. */
static const struct rule FILES = {64 * MiB, 0.25, NEVER, 0};
/* Idle heap beyond what the scavenger keeps.  Its goal (mgcscavenge.go) is
 * to keep the heap's pages within retainExtraPercent (10%) over what the heap
 * grows to by the heap goal: about 1.1 x NextGC x (HeapInuse / HeapAlloc).
 * Without NextGC, GOGC=100 is assumed: the goal is twice the heap. */
#define RETAIN_EXTRA 1.10
#define IDLE_SLACK   (8 * MiB)
/* NextGC at or above this means no heap goal: GOGC=off. */
#define NO_HEAP_GOAL (UINT64_C(1) << 62)
static const struct rule IDLE = {32 * MiB, 0.10, NEVER, 0};
/* Free space in in-use spans: healthy heaps have 5-20% (size classes,
 * partly filled spans), more right after a GC freed much; half or more, and
 * sizeable, is unusual. */
#define FRAG_SHARE 0.50
static const struct rule FRAG = {32 * MiB, 0.10, NEVER, 0};
/* Goroutine stacks as a share of what Go retains. */
static const struct rule STACKS = {64 * MiB, 0.25, NEVER, 0};
/* OS threads: a Go service runs GOMAXPROCS threads plus those blocked in
 * syscalls or cgo calls; hundreds is unusual, thousands nears the runtime's
 * limit of 10,000 (debug.SetMaxThreads). */
#define THREADS_WARN 200
#define THREADS_CRIT 5000
/* Per OS thread, from Go's stack allocator: the 32 KiB signal stack
 * (mpreinit: malg(32 * 1024)), and without cgo the g0 stack (allocm: 8 KiB
 * before Go 1.21, 16 KiB since). */
#define GSIGNAL_STACK (32 * KiB)
/* cgroup: what cannot be reclaimed, as a share of the effective limit. */
#define LIMIT_WARN 0.85
#define LIMIT_CRIT 0.95
/* GOMEMLIMIT's margin under the limit, beyond the memory outside Go's
 * accounting it can measure: the Go GC guide leaves 5-10% for memory the
 * runtime does not know about. */
#define GOMEMLIMIT_MARGIN 0.05
/* cgroup: active page cache in the working set, kernel memory, other
 * processes' memory.  They warn only under a limit, where they take
 * headroom (or, for page cache, make kubectl top look near it); without
 * one they change nothing the kernel does. */
static const struct rule CG_CACHE = {64 * MiB, 0.25, NEVER, 0};	/* of the working set */
static const struct rule CG_KERNEL = {64 * MiB, 0.20, NEVER, 0}; /* of usage */
static const struct rule CG_OTHERS = {32 * MiB, 0.25, NEVER, 0}; /* of the limit's usage */

const char *const finding_ids[] = {
    "non_go_anon",	"lazy_free",
    "huge_pages",	"swapped",
    "file_mappings",	"shared_memory",
    "idle_heap",	"fragmentation",
    "goroutine_stacks", "os_threads",
    "gc_metadata",	"reserved_address_space",
    "near_limit",	"memstats_inconsistent",
    "page_cache",	"kernel_memory",
    "other_processes",
    "race_detector",
    "non_go_anon_os_only",
    "growing", /* issue 14: only in a series' summary (growth.c) */
};
const size_t finding_ids_count = sizeof finding_ids / sizeof finding_ids[0];

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_WARNING:
		return "warning";
	case SEV_CRITICAL:
		return "critical";
	case SEV_INFO:
		break;
	}
	return "info";
}

static struct finding *add(struct findings *fs, const char *id, enum severity sev, uint64_t bytes)
{
	if (fs->n >= FINDINGS_MAX)
		return NULL;
	struct finding *f = &fs->f[fs->n++];
	memset(f, 0, sizeof *f);
	f->id = id;
	f->severity = sev;
	f->bytes = bytes;
	return f;
}

__attribute__((format(printf, 3, 4))) static void put(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
}

static enum severity judge(uint64_t bytes, opt_u64 base, const struct rule *r)
{
	double share = base.known && base.v ? (double)bytes / (double)base.v : 0;
	if (r->crit_bytes != NEVER && bytes >= r->crit_bytes && share >= r->crit_share)
		return SEV_CRITICAL;
	if (bytes >= r->warn_bytes && share >= r->warn_share)
		return SEV_WARNING;
	return SEV_INFO;
}

#define B(v) fmt_iec((v), (char[24]){0}, 24)
#define V(o) ((o).known ? (o).v : 0)

static const char *version_or(const struct capture *c)
{
	const char *v = capture_go_version(c);
	return v ? v : "an unknown Go version";
}

/* ---- the rules ------------------------------------------------------ */

static void non_go_anon(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	/* Whether there is a finding, and its severity, come from the range's
	 * low end, so that none rests on the estimate alone; bytes is the
	 * estimate. */
	opt_u64 low = l->have_split ? l->non_go_anon : l->unexplained;
	if (!low.known || low.v == 0)
		return;
	opt_u64 b = l->have_split && l->non_go_anon_est.known ? l->non_go_anon_est : low;
	struct finding *f = add(fs, "non_go_anon", judge(V(low), l->rss, &NON_GO), b.v);
	if (!f)
		return;
	if (!l->have_split) {
		put(f->summary, sizeof f->summary,
		    "at least %s of anonymous memory is outside Go's accounting: C allocations "
		    "(cgo), manual mmap, thread stacks",
		    B(b.v));
		put(f->evidence, sizeof f->evidence,
		    "anonymous footprint %s (%s %s + swap %s - LazyFree %s%s) exceeds Go retained "
		    "%s "
		    "(Sys %s - HeapReleased %s); smaps not read, so it cannot be split by mapping",
		    B(V(l->anon_footprint)), l->anon_from_rss ? "RES" : "RssAnon",
		    B(V(l->anon_resident)), B(V(l->swap)), B(V(l->lazy_free)),
		    l->lazy_free_assumed ? ", not read: taken as 0" : "", B(V(l->go_retained)),
		    B(V(l->go_sys)), B(V(l->go_released)));
	} else {
		/* Name the classes it sits in, largest first. */
		struct {
			const char *name;
			uint64_t v;
		} part[3] = {
		    {"plain anonymous mappings (C mmap, malloc'd blocks of 128 KiB and more)",
		     V(l->split_other_non_go)},
		    {"glibc malloc ([heap] and thread arenas)", V(l->split_glibc)},
		    {"thread stacks", V(l->split_thread_stacks)},
		};
		for (int i = 0; i < 3; i++)
			for (int j = i + 1; j < 3; j++)
				if (part[j].v > part[i].v) {
					__typeof__(part[0]) t = part[i];
					part[i] = part[j];
					part[j] = t;
				}
		put(f->summary, sizeof f->summary,
		    "%s of anonymous memory is outside Go's accounting:", B(b.v));
		for (int i = 0, n = 0; i < 3; i++)
			if (part[i].v)
				fmt_append(f->summary, sizeof f->summary, "%s %s %s",
					   n++ ? "," : "", part[i].name, B(part[i].v));
		put(f->evidence, sizeof f->evidence,
		    "glibc malloc %s (%llu mappings); thread stacks %s (%llu mappings); "
		    "Go runtime and other anonymous mappings hold %s, of which Go can own at most %s "
		    "(Sys - HeapSys - StackInuse - the GC work buffers found in the arenas) and "
		    "likely has %s resident, so %s to %s is not Go's: %s to %s in all, and bytes is "
		    "the estimate, %s",
		    B(V(l->split_glibc)),
		    (unsigned long long)c->os.maps.cls[MC_GLIBC_MALLOC].mappings,
		    B(V(l->split_thread_stacks)),
		    (unsigned long long)c->os.maps.cls[MC_THREAD_STACKS].mappings,
		    B(V(l->split_go_other)), B(V(l->split_go_other_go)),
		    B(V(l->split_go_other_resident)), B(V(l->split_other_non_go)),
		    B(V(l->split_other_non_go_max)), B(V(low)), B(V(l->non_go_anon_max)), B(b.v));
	}
	if (c->os.build.found && c->os.build.cgo == 0)
		put(f->advice, sizeof f->advice,
		    "the binary is built without cgo, so no C malloc: look for syscall.Mmap or "
		    "unix.Mmap, or a library that maps memory; `correlate --mappings` lists the "
		    "mappings");
	else
		put(f->advice, sizeof f->advice,
		    "find the C side: heaptrack or valgrind --tool=massif on a test instance; "
		    "MALLOC_ARENA_MAX=2 caps glibc's arenas; `correlate --mappings` (or pmap -x "
		    "%d) "
		    "lists the mappings",
		    (int)c->os.id.pid);
}

static void lazy_free(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	if (!l->lazy_free.known || l->lazy_free.v == 0 || l->lazy_free_assumed)
		return;
	uint64_t b = l->lazy_free.v;
	struct finding *f = add(fs, "lazy_free", judge(b, l->rss, &INFLATES), b);
	if (!f)
		return;
	int minor = capture_go_minor(c);
	put(f->summary, sizeof f->summary,
	    "%s freed with MADV_FREE is still counted in RSS: the kernel takes it back only under "
	    "memory pressure",
	    B(b));
	put(f->evidence, sizeof f->evidence, "LazyFree %s; HeapReleased %s; %s: ", B(b),
	    c->go.ms.heap_released.known ? B(c->go.ms.heap_released.v) : "unknown (no MemStats)",
	    version_or(c));
	if (c->os.env.madvdontneed == 0)
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    "GODEBUG=madvdontneed=0 in its environment makes the runtime release with "
		    "MADV_FREE");
	else if (minor >= 112 && minor <= 115)
		fmt_append(f->evidence, sizeof f->evidence,
			   "Go 1.12 to 1.15 release with MADV_FREE by default (golang/go#42330)");
	else if (minor >= 116)
		fmt_append(f->evidence, sizeof f->evidence,
			   "Go 1.16+ releases with MADV_DONTNEED unless GODEBUG=madvdontneed=0%s",
			   c->os.env.read
			       ? "; not set here, so C code (an allocator) may use MADV_FREE"
			       : " (environ not read)");
	else
		fmt_append(f->evidence, sizeof f->evidence,
			   "MADV_FREE by the runtime or by C code");
	put(f->advice, sizeof f->advice,
	    "nothing is leaked; for an RSS that drops at once, run with GODEBUG=madvdontneed=1 "
	    "(the default since Go 1.16)");
}

static void huge_pages(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct class_total *heap = &c->os.maps.cls[MC_GO_HEAP];
	uint64_t excess = V(l->split_arena_excess);
	int minor = capture_go_minor(c);
	struct finding *f;
	if (l->have_split && excess > 0 && heap->anon_huge > 0) {
		uint64_t b = excess < heap->anon_huge ? excess : heap->anon_huge;
		if (!(f = add(fs, "huge_pages", judge(b, l->rss, &INFLATES), b)))
			return;
		put(f->summary, sizeof f->summary,
		    "%s of Go heap that Go counts as released stays resident inside transparent "
		    "huge "
		    "pages",
		    B(b));
	} else {
		uint64_t b = l->have_split ? 0 : V(l->anon_huge);
		for (int k = 0; l->have_split && k < MC_COUNT; k++)
			b += c->os.maps.cls[k].anon_huge;
		if (b == 0)
			return;
		if (!(f = add(fs, "huge_pages", SEV_INFO, b)))
			return;
		put(f->summary, sizeof f->summary,
		    "%s of anonymous memory is in transparent huge pages; Go's arenas show no "
		    "excess "
		    "from it",
		    B(b));
	}
	/* Who asks for the huge pages depends on the version (runtime/mem_linux.go):
	 * up to Go 1.20 sysUsedOS calls sysHugePageOS, MADV_HUGEPAGE on all heap
	 * memory put in use; Go 1.21.0-1.21.4 also collapsed it (MADV_COLLAPSE);
	 * from 1.21.5 the heap is left to the host's THP mode, and 1.21.6 added
	 * GODEBUG=disablethp=1 (MADV_NOHUGEPAGE on the heap). */
	int rel = capture_go_release(c);
	put(f->evidence, sizeof f->evidence,
	    "AnonHugePages in the Go heap arenas %s; arenas' footprint %s against Go's count %s; "
	    "host THP mode %s; %s%s",
	    B(heap->anon_huge), B(V(l->split_arena)),
	    l->split_arena_go.known ? B(l->split_arena_go.v) : "unknown (no MemStats)",
	    c->os.sys.thp[0] ? c->os.sys.thp : "unknown", version_or(c),
	    minor && minor <= 120
		? ": up to Go 1.20 the runtime asks for huge pages on all heap it uses "
		  "(MADV_HUGEPAGE in sysUsedOS), so THP 'madvise' makes them too"
	    : rel >= 121000 && rel < 121005
		? ": Go 1.21.0-1.21.4 asked for huge pages (MADV_HUGEPAGE, MADV_COLLAPSE; "
		  "golang/go#63334, #64332)"
		: "");
	if (minor && minor <= 120)
		put(f->advice, sizeof f->advice,
		    "a 2 MiB page stays whole while any of it is used, and this Go marks its heap "
		    "for huge pages itself: THP 'never' on the host, or build with Go 1.21.6+, which "
		    "does not (and has GODEBUG=disablethp=1)");
	else if (rel >= 121000 && rel < 121006)
		put(f->advice, sizeof f->advice,
		    "a 2 MiB page stays whole while any of it is used: build with Go 1.21.6+, which "
		    "no longer asks for huge pages and has GODEBUG=disablethp=1; on the host, THP "
		    "'madvise' instead of 'always'");
	else
		put(f->advice, sizeof f->advice,
		    "a 2 MiB page stays whole while any of it is used: GODEBUG=disablethp=1 (Go "
		    "1.21.6+); on the host, THP 'madvise' instead of 'always', or "
		    "khugepaged/max_ptes_none 0");
}

static void swapped(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	(void)c;
	if (!l->swap.known || l->swap.v == 0)
		return;
	uint64_t b = l->swap.v;
	struct finding *f = add(fs, "swapped", judge(b, opt_add(l->rss, l->swap), &INFLATES), b);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "%s of the process is swapped out: RES understates its memory", B(b));
	put(f->evidence, sizeof f->evidence, "swap %s beside RES %s; MemAvailable %s", B(b),
	    B(V(l->rss)), B(V(c->os.sys.mem_available)));
	put(f->advice, sizeof f->advice,
	    "the host or cgroup is short of memory; Go counts swapped pages as its own, so "
	    "GOMEMLIMIT still holds");
}

static void file_mappings(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	if (!l->have_split)
		return;
	const struct class_total *t = &c->os.maps.cls[MC_FILES];
	if (t->rss == 0)
		return;
	struct finding *f = add(fs, "file_mappings", judge(t->rss, l->rss, &FILES), t->rss);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "%s of RES is mapped files other than the binary and libraries (%llu mappings, %s "
	    "mapped)",
	    B(t->rss), (unsigned long long)t->mappings, B(t->size));
	put(f->evidence, sizeof f->evidence, "largest:");
	for (size_t i = 0; i < c->os.maps.n_files; i++)
		fmt_append(f->evidence, sizeof f->evidence, "%s %s (%s resident of %s)",
			   i ? ";" : "", c->os.maps.files[i].path, B(c->os.maps.files[i].rss),
			   B(c->os.maps.files[i].size));
	put(f->advice, sizeof f->advice,
	    "page cache of files the process maps (a database such as bbolt maps its file): not "
	    "in Go's accounting, dropped by the kernel under pressure, but counted in RES and in "
	    "the cgroup");
}

static void shared_memory(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	uint64_t b = l->have_split ? c->os.maps.cls[MC_SHMEM].rss : V(l->rss_shmem);
	if (b == 0)
		return;
	struct finding *f = add(fs, "shared_memory", judge(b, l->rss, &INFLATES), b);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "%s of RES is shared memory (MAP_SHARED anonymous, memfd, /dev/shm, SysV): outside "
	    "Go's accounting",
	    B(b));
	put(f->evidence, sizeof f->evidence, "RssShmem %s%s", B(V(l->rss_shmem)),
	    l->have_split ? "" : "; smaps not read");
	if (l->have_split)
		fmt_append(f->evidence, sizeof f->evidence, "; %llu shared mappings, %s mapped",
			   (unsigned long long)c->os.maps.cls[MC_SHMEM].mappings,
			   B(c->os.maps.cls[MC_SHMEM].size));
	put(f->advice, sizeof f->advice,
	    "`correlate --mappings` lists the shared mappings; shared memory stays until the last "
	    "mapping and file of it are gone, and other processes may share the pages (see Pss)");
}

/* What the scavenger is expected to keep of free heap, or NEVER when it
 * keeps everything (GOGC=off and no memory limit: it has no goal). */
static uint64_t idle_allowance(const struct capture *c, uint64_t idle, const char **why)
{
	const struct go_memstats *ms = &c->go.ms;
	uint64_t inuse = V(ms->heap_inuse), alloc = V(ms->heap_alloc);
	/* GOGC=off in the environment, SetGCPercent(-1) in the code (only the
	 * endpoint's go_gc_gogc_percent shows that), or a heap goal at infinity. */
	int no_goal = c->os.env.gogc_off ||
		      (ms->gogc_percent.known && ms->gogc_percent.v == GOGC_OFF) ||
		      (ms->next_gc.known && ms->next_gc.v >= NO_HEAP_GOAL);
	opt_u64 limit = c->os.env.gomemlimit_bytes;
	if (!limit.known && ms->gomemlimit.known && ms->gomemlimit.v < NO_HEAP_GOAL)
		limit = ms->gomemlimit;
	if (no_goal) {
		if (!limit.known) {
			*why = "GOGC=off and no GOMEMLIMIT: the scavenger has no goal and returns "
			       "nothing (after a single GC it never runs)";
			return 0;
		}
		/* Only the memory limit drives it: it keeps the mapped heap under
		 * 95% of the limit (reduceExtraPercent). */
		uint64_t goal = (uint64_t)((double)limit.v * 0.95);
		uint64_t used = V(opt_sub_sat(ms->sys, ms->heap_released));
		*why = "GOGC=off: only GOMEMLIMIT drives the scavenger, down to 95% of the limit";
		uint64_t over = used > goal ? used - goal : 0;
		return idle > over ? idle - over : 0;
	}
	double frag = alloc ? (double)inuse / (double)alloc : 1;
	if (frag < 1)
		frag = 1;
	uint64_t goal;
	if (ms->next_gc.known) {
		goal = (uint64_t)(RETAIN_EXTRA * (double)ms->next_gc.v * frag);
		*why = "the scavenger keeps about 10% over the heap goal (1.1 x NextGC in pages)";
	} else {
		goal = (uint64_t)(RETAIN_EXTRA * 2.0 * (double)inuse);
		*why = "no NextGC given: GOGC=100 assumed, a heap goal twice the heap in use";
	}
	return (goal > inuse ? goal - inuse : 0) + IDLE_SLACK;
}

static void idle_heap(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct go_memstats *ms = &c->go.ms;
	if (!l->heap_free.known || l->heap_free.v < MiB)
		return;
	uint64_t b = l->heap_free.v;
	const char *why = "";
	uint64_t keep = idle_allowance(c, b, &why);
	uint64_t beyond = b > keep ? b - keep : 0;
	enum severity sev = judge(beyond, l->rss, &IDLE);
	struct finding *f = add(fs, "idle_heap", sev, b);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    sev == SEV_INFO ? "%s of free heap is kept for reuse, within what the scavenger keeps"
			    : "%s of free heap is kept mapped and resident, %s more than the "
			      "scavenger keeps",
	    B(b), B(beyond));
	put(f->evidence, sizeof f->evidence,
	    "HeapIdle %s - HeapReleased %s; HeapInuse %s, HeapAlloc %s, NextGC %s; %s "
	    "(mgcscavenge.go): about %s is expected",
	    B(V(ms->heap_idle)), B(V(ms->heap_released)), B(V(ms->heap_inuse)),
	    B(V(ms->heap_alloc)),
	    !ms->next_gc.known		    ? "unknown"
	    : ms->next_gc.v >= NO_HEAP_GOAL ? "none (GOGC=off)"
					    : B(ms->next_gc.v),
	    why, B(keep));
	if (capture_go_minor(c) && capture_go_minor(c) < 113)
		fmt_append(f->evidence, sizeof f->evidence,
			   "; before Go 1.13 only spans idle for 5 minutes are returned");
	put(f->advice, sizeof f->advice,
	    "the scavenger returns it in the background; debug.FreeOSMemory() returns it at once "
	    "(as a check); GOMEMLIMIT makes the runtime return it before the limit");
}

static void fragmentation(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct go_memstats *ms = &c->go.ms;
	if (!l->heap_unused.known || l->heap_unused.v < MiB)
		return;
	uint64_t b = l->heap_unused.v;
	double share = V(ms->heap_inuse) ? (double)b / (double)V(ms->heap_inuse) : 0;
	enum severity sev = share >= FRAG_SHARE ? judge(b, l->rss, &FRAG) : SEV_INFO;
	struct finding *f = add(fs, "fragmentation", sev, b);
	if (!f)
		return;
	if (b < FRAG.warn_bytes)
		/* A share of a small heap sounds larger than it is: say the size. */
		put(f->summary, sizeof f->summary,
		    "%s of free space inside the heap's in-use spans: a small amount, normal for a "
		    "heap of %s",
		    B(b), B(V(ms->heap_inuse)));
	else
		put(f->summary, sizeof f->summary,
		    "%s of the heap's in-use spans is free space (%.0f%% of HeapInuse)", B(b),
		    share * 100);
	put(f->evidence, sizeof f->evidence, "HeapInuse %s - HeapAlloc %s; %llu objects",
	    B(V(ms->heap_inuse)), B(V(ms->heap_alloc)), (unsigned long long)V(ms->heap_objects));
	/* HeapAlloc holds garbage not yet swept; the live heap the last GC
	 * marked (client_golang 1.20+) says how much of it is garbage, which
	 * sweeping turns into more free space in these spans or frees whole. */
	if (ms->heap_live.known && ms->heap_live.v <= V(ms->heap_alloc))
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    "; the last GC marked %s live (go_gc_heap_live_bytes), so up to %s of HeapAlloc "
		    "is garbage or allocated since",
		    B(ms->heap_live.v), B(V(ms->heap_alloc) - ms->heap_live.v));
	put(f->advice, sizeof f->advice,
	    "a few long-lived objects keep mostly empty spans in use: a heap profile "
	    "(go tool pprof -sample_index=inuse_space) shows who holds them");
}

/* Stack memory of the OS threads inside StackInuse. */
static uint64_t thread_go_stacks(const struct capture *c, uint64_t threads)
{
	uint64_t g0 = capture_go_minor(c) >= 121 ? 16 * KiB : 8 * KiB;
	int cgo = c->os.build.found && c->os.build.cgo == 1;
	return threads * (GSIGNAL_STACK + (cgo ? 0 : g0));
}

static void goroutine_stacks(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct go_memstats *ms = &c->go.ms;
	if (!ms->stack_inuse.known)
		return;
	uint64_t threads = V(l->threads);
	uint64_t tstacks = thread_go_stacks(c, threads);
	uint64_t b = ms->stack_inuse.v > tstacks ? ms->stack_inuse.v - tstacks : 0;
	if (b < MiB)
		return;
	struct finding *f = add(fs, "goroutine_stacks", judge(b, l->go_retained, &STACKS), b);
	if (!f)
		return;
	if (ms->goroutines.known)
		put(f->summary, sizeof f->summary,
		    "%s of goroutine stacks for %llu goroutines (%s each on average)", B(b),
		    (unsigned long long)ms->goroutines.v,
		    B(ms->goroutines.v ? b / ms->goroutines.v : 0));
	else
		put(f->summary, sizeof f->summary, "%s of goroutine stacks", B(b));
	put(f->evidence, sizeof f->evidence,
	    "StackInuse %s, less about %s of the %llu OS threads' own stacks; %s of Go retained",
	    B(ms->stack_inuse.v), B(tstacks), (unsigned long long)threads, B(V(l->go_retained)));
	put(f->advice, sizeof f->advice,
	    "many goroutines or deep recursion: /debug/pprof/goroutine?debug=1 groups them by "
	    "stack; a steadily growing count is a goroutine leak");
}

static void os_threads(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	if (!l->threads.known || l->threads.v == 0)
		return;
	uint64_t n = l->threads.v;
	uint64_t go_stacks = thread_go_stacks(c, n);
	uint64_t pthread = V(l->split_thread_stacks);
	uint64_t b = go_stacks + pthread;
	enum severity sev = n >= THREADS_CRIT	? SEV_CRITICAL
			    : n >= THREADS_WARN ? SEV_WARNING
						: SEV_INFO;
	struct finding *f = add(fs, "os_threads", sev, b);
	if (!f)
		return;
	put(f->summary, sizeof f->summary, "%llu OS threads, holding about %s of stacks",
	    (unsigned long long)n, B(b));
	put(f->evidence, sizeof f->evidence,
	    "%llu threads x %s of Go stacks each (32 KiB signal stack%s) = %s, in StackInuse",
	    (unsigned long long)n, B(n ? go_stacks / n : 0),
	    c->os.build.cgo == 1	 ? ""
	    : capture_go_minor(c) >= 121 ? ", 16 KiB g0"
					 : ", 8 KiB g0",
	    B(go_stacks));
	if (l->have_split && c->os.maps.cls[MC_THREAD_STACKS].mappings)
		fmt_append(f->evidence, sizeof f->evidence,
			   "; pthread stacks (cgo): %llu mappings, %s reserved, %s resident",
			   (unsigned long long)c->os.maps.cls[MC_THREAD_STACKS].mappings / 2,
			   B(c->os.maps.cls[MC_THREAD_STACKS].size), B(pthread));
	if (c->go.ms.gomaxprocs.known)
		fmt_append(f->evidence, sizeof f->evidence, "; GOMAXPROCS %llu",
			   (unsigned long long)c->go.ms.gomaxprocs.v);
	if (c->os.sys.ncpu)
		fmt_append(f->evidence, sizeof f->evidence, "; %d CPUs", c->os.sys.ncpu);
	put(f->advice, sizeof f->advice,
	    "threads are made for blocking syscalls and cgo calls, and kept by "
	    "runtime.LockOSThread without UnlockOSThread: /debug/pprof/threadcreate shows where");
}

static void gc_metadata(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	(void)l;
	const struct go_memstats *ms = &c->go.ms;
	if (!ms->gc_sys.known || ms->gc_sys.v == 0)
		return;
	struct finding *f = add(fs, "gc_metadata", SEV_INFO, ms->gc_sys.v);
	if (!f)
		return;
	int minor = capture_go_minor(c);
	/* Up to Go 1.21 the heap bitmap is in GCSys; its resident part is
	 * estimated from the heap (ledger.c, gc_sys_resident_estimate). */
	uint64_t bitmap = minor && minor <= 121 ? gc_sys_resident_estimate(c) : 0;
	if (bitmap)
		put(f->summary, sizeof f->summary,
		    "%s of GC metadata (GCSys), about %s of it resident: the heap bitmap, written as "
		    "the heap is used; the rest mostly never touched",
		    B(ms->gc_sys.v), B(bitmap));
	else
		put(f->summary, sizeof f->summary,
		    "%s of GC metadata (GCSys), in Sys but mostly never touched", B(ms->gc_sys.v));
	put(f->evidence, sizeof f->evidence, "GCSys %s beside HeapSys %s; %s", B(ms->gc_sys.v),
	    B(V(ms->heap_sys)), version_or(c));
	if (minor && minor <= 119)
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    ": up to Go 1.19 GCSys holds the heap bitmap, 2 bits a word (1/32 of the heap "
		    "in use: %s)",
		    B(bitmap));
	else if (minor >= 120 && minor <= 121)
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    ": in Go 1.20-1.21 GCSys holds the heap bitmap, 1 bit a word (1/64 of the heap "
		    "in use: %s)",
		    B(bitmap));
	else if (minor >= 122)
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    ": since Go 1.22 the heap bitmap lives in the spans (in HeapInuse), so GCSys is "
		    "small and mostly untouched");
	put(f->advice, sizeof f->advice, "none needed: it grows with the heap");
}

static void reserved(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	if (!l->virt_unbacked.known || l->virt_unbacked.v == 0)
		return;
	struct finding *f = add(fs, "reserved_address_space", SEV_INFO, l->virt_unbacked.v);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "%s of VIRT is address space with no memory behind it: reservations and untouched "
	    "mappings, not memory use",
	    B(l->virt_unbacked.v));
	if (l->have_split) {
		/* Name the classes that hold most of it. */
		const struct class_total *k = c->os.maps.cls;
		int best[2] = {-1, -1};
		for (int i = 0; i < MC_COUNT; i++) {
			uint64_t u = k[i].size > k[i].rss ? k[i].size - k[i].rss : 0;
			uint64_t b0 = best[0] < 0 ? 0 : k[best[0]].size - k[best[0]].rss;
			uint64_t b1 = best[1] < 0 ? 0 : k[best[1]].size - k[best[1]].rss;
			if (u > b0) {
				best[1] = best[0];
				best[0] = i;
			} else if (u > b1) {
				best[1] = i;
			}
		}
		put(f->summary, sizeof f->summary,
		    "%s of VIRT is address space with no memory behind it, mostly %s (%s mapped, "
		    "%s "
		    "resident)",
		    B(l->virt_unbacked.v), map_class_label(best[0]), B(k[best[0]].size),
		    B(k[best[0]].rss));
		if (best[1] >= 0)
			fmt_append(f->summary, sizeof f->summary,
				   " and %s (%s mapped, %s resident)", map_class_label(best[1]),
				   B(k[best[1]].size), B(k[best[1]].rss));
		fmt_append(f->summary, sizeof f->summary, ": not memory use");
	}
	put(f->evidence, sizeof f->evidence, "VmSize %s - (VmRSS %s + swap %s)", B(V(l->virt)),
	    B(V(l->rss)), B(V(l->swap)));
	if (l->have_split) {
		const struct class_total *k = c->os.maps.cls;
		fmt_append(f->evidence, sizeof f->evidence,
			   "; PROT_NONE: Go runtime %s, Go heap arenas %s, glibc arenas %s, thread "
			   "guards %s",
			   B(k[MC_GO_RUNTIME].reserved), B(k[MC_GO_HEAP].reserved),
			   B(k[MC_GLIBC_MALLOC].reserved), B(k[MC_THREAD_STACKS].reserved));
		if (k[MC_THREAD_STACKS].mappings)
			fmt_append(f->evidence, sizeof f->evidence, "; pthread stacks %s mapped",
				   B(k[MC_THREAD_STACKS].size));
	}
	if (capture_go_minor(c) >= 121)
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    "; Go 1.21+ also reserves ~512 MiB for the scavenger index (golang/go#66796)");
	put(f->advice, sizeof f->advice,
	    "none needed: Go reserves page-allocator summaries and arenas with PROT_NONE, and each "
	    "cgo thread an 8 MiB stack; watch RES, not VIRT");
}

/* The cgroup rules read the container's view (cgroup_ledger.h, docs/model.md
 * "The container's view"). */

/* GOMEMLIMIT, read from the environment or, for a runtime that exports it,
 * the endpoint (debug.SetMemoryLimit calls show only there). */
static opt_u64 gomemlimit_of(const struct capture *c)
{
	opt_u64 gml = c->os.env.gomemlimit_bytes;
	const struct go_memstats *ms = &c->go.ms;
	if (!gml.known && ms->gomemlimit.known && ms->gomemlimit.v < (UINT64_C(1) << 62))
		gml = ms->gomemlimit;
	return gml;
}

/* Memory of this process that GOMEMLIMIT does not govern and reclaim does
 * not take: anonymous memory outside Go's accounting and shared memory. */
static uint64_t non_go_now(const struct ledger *l)
{
	opt_u64 b = l->have_split ? l->non_go_anon : l->unexplained;
	return V(b) + V(l->rss_shmem);
}

static void near_limit(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct cgroup_ledger *cg = &l->cg;
	const struct go_memstats *ms = &c->go.ms;
	if (!cg->have || !cg->limit.known || cg->limit.v == 0)
		return;
	uint64_t lim = cg->limit.v, pinned = V(cg->limit_unreclaimable);
	uint64_t headroom = V(cg->headroom), reclaim = V(cg->limit_reclaimable);
	int high = cg->limit_file && strcmp(cg->limit_file, "memory.high") == 0;
	/* Severity from what reclaim cannot take back: the OOM killer acts when
	 * usage reaches the limit and cannot be brought down (cgroup-v2.rst
	 * memory.max; memory.rst 2.5). */
	double share = (double)pinned / (double)lim;
	enum severity sev = share >= LIMIT_CRIT	  ? SEV_CRITICAL
			    : share >= LIMIT_WARN ? SEV_WARNING
						  : SEV_INFO;
	opt_u64 gml = gomemlimit_of(c);
	uint64_t need = non_go_now(l);
	int gml_over = gml.known && gml.v >= lim;
	int gml_tight = gml.known && !gml_over && lim - gml.v < need;
	int goal_over = !gml.known && ms->next_gc.known && ms->next_gc.v >= lim;
	if ((gml_over || gml_tight || goal_over) && sev < SEV_WARNING)
		sev = SEV_WARNING;
	struct finding *f = add(fs, "near_limit", sev, headroom);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "%s of the cgroup's %s limit (%.0f%%) cannot be reclaimed: %s of headroom before %s",
	    B(pinned), B(lim), share * 100, B(headroom),
	    high ? "the kernel throttles it (memory.high)" : "the OOM killer");
	if (reclaim)
		fmt_append(
		    f->summary, sizeof f->summary,
		    "; usage %s counts %s of page cache and slab the kernel takes back first",
		    B(V(cg->limit_usage)), B(reclaim));
	if (cg->limit_level == CG_LIMIT_HIDDEN)
		put(f->evidence, sizeof f->evidence,
		    "cgroup v1 %s: limit %s set above the hierarchy mounted here "
		    "(memory.stat hierarchical_memory_limit)",
		    c->os.cgroup.path, B(lim));
	else
		put(f->evidence, sizeof f->evidence, "cgroup v%d: limit %s set by %s (%s)",
		    cg->version, B(lim), cg->limit_path, cg->limit_file);
	if (cg->limit_level > 0)
		fmt_append(f->evidence, sizeof f->evidence, ", a parent of %s", c->os.cgroup.path);
	fmt_append(
	    f->evidence, sizeof f->evidence,
	    "; its usage %s = %s that cannot be reclaimed + %s that can (active and inactive "
	    "file, reclaimable slab)",
	    B(V(cg->limit_usage)), B(pinned), B(reclaim));
	if (!cg->reclaimable.known)
		fmt_append(f->evidence, sizeof f->evidence,
			   " (memory.stat's file lists %s: all of it counted as not reclaimable)",
			   cg->legacy ? "not recorded, an older pair's cgroup.json" : "not read");
	if (V(cg->outside))
		fmt_append(f->evidence, sizeof f->evidence, ", %s of it in other cgroups under %s",
			   B(cg->outside.v), cg->limit_path);
	fmt_append(f->evidence, sizeof f->evidence,
		   "; this cgroup: anon %s, page cache %s, kernel %s", B(V(cg->anon)),
		   B(V(cg->file)), cg->kernel.known ? B(cg->kernel.v) : "unknown");
	const struct cgroup_events *ev = &cg->limit_events;
	if (ev->oom_kill.known || ev->max.known)
		fmt_append(f->evidence, sizeof f->evidence, "; events: %s %llu, oom_kill %llu",
			   cg->version == 1 ? "failcnt" : "max", (unsigned long long)V(ev->max),
			   (unsigned long long)V(ev->oom_kill));
	fmt_append(f->evidence, sizeof f->evidence,
		   "; RES %s; heap goal (NextGC) %s; GOMEMLIMIT %s", B(V(l->rss)),
		   ms->next_gc.known ? B(ms->next_gc.v) : "unknown (no MemStats)",
		   gml.known ? B(gml.v) : "not set");
	if (gml_over)
		fmt_append(f->evidence, sizeof f->evidence,
			   "; GOMEMLIMIT is at or above the cgroup limit");
	if (gml_tight)
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    "; GOMEMLIMIT leaves %s under the limit, less than the %s of memory outside "
		    "Go's accounting this process holds now",
		    B(lim - gml.v), B(need));
	if (goal_over)
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    "; the heap goal is above the limit: the OOM killer comes before the next GC");
	/* GOMEMLIMIT: the limit less what Go does not govern, less the GC
	 * guide's margin (5-10% for memory the runtime does not know about). */
	uint64_t margin = (uint64_t)((double)lim * GOMEMLIMIT_MARGIN);
	uint64_t want = lim > need + margin ? lim - need - margin : lim / 2;
	if (gml.known && !gml_over && !gml_tight)
		put(f->advice, sizeof f->advice,
		    "GOMEMLIMIT %s leaves room for the %s this process holds outside Go's "
		    "accounting; %s",
		    B(gml.v), B(need),
		    sev >= SEV_WARNING ? "what cannot be reclaimed is near the limit: find what holds "
					 "it (the findings above), or raise the limit"
				       : "nothing to change");
	else
		put(f->advice, sizeof f->advice,
		    "set GOMEMLIMIT=%lluMiB: the %s limit less the %s this process holds outside "
		    "Go's accounting and a 5%% margin, so the GC works harder before %s; page cache "
		    "and reclaimable slab need no room, the kernel takes them back",
		    (unsigned long long)(want >> 20), B(lim), B(need),
		    high ? "memory.high throttles it" : "the OOM killer acts");
}

/* Page cache inflating the working set kubelet and kubectl top show
 * (kubernetes/kubernetes#43916): active file pages count there, though the
 * kernel reclaims them before it kills anything. */
static void page_cache(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct cgroup_ledger *cg = &l->cg;
	if (!cg->have || !cg->active_file.known || !cg->working_set.known)
		return;
	uint64_t b = cg->active_file.v, ws = cg->working_set.v;
	if (b < MiB)
		return;
	enum severity sev = SEV_INFO;
	int limited = cg->limit.known && cg->limit.v;
	if (limited) {
		double lim = (double)cg->limit.v;
		/* kubectl top says near the limit; the kernel would not */
		int alarm = (double)ws >= LIMIT_WARN * lim &&
			    (double)V(cg->unreclaimable) < LIMIT_WARN * lim;
		if (alarm || judge(b, cg->working_set, &CG_CACHE) >= SEV_WARNING)
			sev = SEV_WARNING;
	}
	struct finding *f = add(fs, "page_cache", sev, b);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "%s of page cache is in the working set kubectl top shows (%s", B(b), B(ws));
	if (limited)
		fmt_append(f->summary, sizeof f->summary, ", %.0f%% of the %s limit",
			   (double)ws * 100 / (double)cg->limit.v, B(cg->limit.v));
	fmt_append(f->summary, sizeof f->summary,
		   "): file pages the kernel reclaims before an OOM kill");
	put(f->evidence, sizeof f->evidence,
	    "working set %s = usage %s - inactive_file %s; active_file %s; page cache (file) %s, "
	    "of which shmem %s (tmpfs, shm: not reclaimable without swap), mapped %s, dirty %s, "
	    "writeback %s; this process maps %s of files (RssFile), so %s of the page cache is "
	    "not its mappings: files it reads and writes, or other processes'",
	    B(ws), B(V(cg->usage)), B(V(cg->inactive_file)), B(b), B(V(cg->file)),
	    B(V(cg->shmem)), B(V(c->os.cgroup.level[0].stat.file_mapped)),
	    B(V(c->os.cgroup.level[0].stat.file_dirty)),
	    B(V(c->os.cgroup.level[0].stat.file_writeback)), B(V(cg->self_file)),
	    B(V(cg->cache_not_mapped)));
	if (limited)
		fmt_append(f->evidence, sizeof f->evidence,
			   "; what cannot be reclaimed: %s of the %s limit",
			   B(V(cg->unreclaimable)), B(cg->limit.v));
	put(f->advice, sizeof f->advice,
	    "kubectl top and kubelet's eviction ranking count active page cache, the OOM killer "
	    "does not: judge the limit by near_limit; to keep a file read once out of the cache, "
	    "drop it after use (posix_fadvise POSIX_FADV_DONTNEED, unix.Fadvise) or read it with "
	    "O_DIRECT");
}

/* Kernel memory charged to the cgroup: slab, sockets' buffers, page
 * tables, kernel stacks (ClickHouse#100901, opencontainers/runc#3933). */
static void kernel_memory(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct cgroup_ledger *cg = &l->cg;
	if (!cg->have || !cg->kernel.known)
		return;
	uint64_t b = cg->kernel.v + (cg->sock_in_usage ? V(cg->sock) : 0);
	if (b < MiB)
		return;
	int limited = cg->limit.known && cg->limit.v;
	struct finding *f = add(fs, "kernel_memory", limited ? judge(b, cg->usage, &CG_KERNEL)
							     : SEV_INFO, b);
	if (!f)
		return;
	if (cg->version == 2)
		put(f->summary, sizeof f->summary,
		    "%s of the cgroup's usage is kernel memory: slab %s (%s of it reclaimable), "
		    "socket buffers %s, page tables %s, kernel stacks %s",
		    B(b), B(V(cg->slab_reclaimable) + V(cg->slab_unreclaimable)),
		    B(V(cg->slab_reclaimable)), B(V(cg->sock)), B(V(cg->pagetables)),
		    B(V(cg->kernel_stack)));
	else
		put(f->summary, sizeof f->summary,
		    "%s of the cgroup's usage is kernel memory (memory.kmem.usage_in_bytes: slab, "
		    "kernel stacks, page tables)",
		    B(b));
	put(f->evidence, sizeof f->evidence, "usage %s = anon %s + file %s + kernel %s",
	    B(V(cg->usage)), B(V(cg->anon)), B(V(cg->file)), B(cg->kernel.v));
	if (cg->sock_in_usage)
		fmt_append(f->evidence, sizeof f->evidence, " + sock %s", B(V(cg->sock)));
	fmt_append(f->evidence, sizeof f->evidence, " + left over %s", B(V(cg->other)));
	if (cg->version == 2)
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    "; kernel%s: slab_reclaimable %s, slab_unreclaimable %s, kernel_stack %s, "
		    "pagetables %s, percpu %s, vmalloc %s",
		    cg->kernel_summed ? " (its parts summed: no kernel key before 5.18)" : "",
		    B(V(cg->slab_reclaimable)), B(V(cg->slab_unreclaimable)),
		    B(V(cg->kernel_stack)), B(V(cg->pagetables)), B(V(cg->percpu)),
		    B(V(cg->vmalloc)));
	else
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    "; v1 does not split it; TCP buffers (memory.kmem.tcp.usage_in_bytes) %s, "
		    "a counter of their own outside usage",
		    cg->sock.known ? B(cg->sock.v) : "unknown");
	fmt_append(f->evidence, sizeof f->evidence,
		   "; this process: %llu threads, page tables (VmPTE) %s",
		   (unsigned long long)V(l->threads), B(V(c->os.status.v.vm_pte)));
	put(f->advice, sizeof f->advice,
	    "reclaimable slab (dentries and inodes of files opened) is taken back under "
	    "pressure, the rest is not: sockets and their buffers (ss -tm; net.ipv4.tcp_rmem, "
	    "tcp_wmem), threads (a kernel stack each), large mappings (page tables); it is "
	    "outside GOMEMLIMIT, so leave room for it under the limit");
}

/* Memory in the cgroup that is not this process's: another process of the
 * cgroup (a sidecar, a shell, a helper) or, under a parent's limit, other
 * cgroups (istio#54174). */
static void other_processes(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct cgroup_ledger *cg = &l->cg;
	const struct cgroup_info *info = &c->os.cgroup;
	if (!cg->have)
		return;
	uint64_t outside = V(cg->outside), b = V(cg->others_rss) + outside;
	if (b == 0)
		return;
	int limited = cg->limit.known && cg->limit.v;
	struct finding *f = add(
	    fs, "other_processes",
	    limited ? judge(b, opt_or(cg->limit_usage, cg->usage), &CG_OTHERS) : SEV_INFO, b);
	if (!f)
		return;
	put(f->summary, sizeof f->summary, "%s of the memory under the cgroup's %s is not this "
					   "process's:",
	    B(b), limited ? "limit" : "accounting");
	int named = 0;
	for (size_t i = 0; i < cg->n_procs && named < 3; i++) {
		const struct cgroup_proc *p = &cg->procs[i];
		if (p->self || !p->rss.known)
			continue;
		fmt_append(f->summary, sizeof f->summary, "%s pid %d (%s) %s", named++ ? "," : "",
			   p->pid, p->comm, B(p->rss.v));
	}
	uint64_t others_n = info->procs_count ? info->procs_count - 1 : 0;
	if (others_n > (uint64_t)named && named)
		fmt_append(f->summary, sizeof f->summary, " and %llu more",
			   (unsigned long long)(others_n - (uint64_t)named));
	if (outside)
		fmt_append(f->summary, sizeof f->summary, "%s %s in other cgroups under %s",
			   named ? ";" : "", B(outside), cg->limit_path);
	if (info->procs_read)
		put(f->evidence, sizeof f->evidence,
		    "cgroup.procs of %s lists %llu processes; the others' RSS %s (RssAnon %s; RSS "
		    "counts shared file pages once per process)",
		    info->path, (unsigned long long)info->procs_count, B(V(cg->others_rss)),
		    B(V(info->others_anon)));
	else
		put(f->evidence, sizeof f->evidence, "cgroup.procs not %s",
		    info->legacy ? "recorded" : "read");
	fmt_append(
	    f->evidence, sizeof f->evidence,
	    "; the cgroup's anon %s against this process's RssAnon %s: %s of anonymous memory "
	    "is not its own",
	    B(V(cg->anon)), B(V(cg->self_anon)), B(V(cg->anon_not_self)));
	if (info->procs_unread)
		fmt_append(f->evidence, sizeof f->evidence,
			   "; %llu processes not read (exited, or past %d)",
			   (unsigned long long)info->procs_unread, CG_PROCS_READ_MAX);
	if (outside)
		fmt_append(
		    f->evidence, sizeof f->evidence,
		    "; %s (%s) counts %s, this cgroup %s: %s is in its other cgroups (another "
		    "container of the pod, a sidecar)",
		    cg->limit_path, cg->limit_file, B(V(cg->limit_usage)), B(V(cg->usage)),
		    B(outside));
	put(f->advice, sizeof f->advice,
	    "they share the limit: the OOM killer picks the process with the highest oom_score "
	    "(mostly its RSS) in the cgroup, which may be this one for another's growth; give "
	    "them a limit of their own (a container each), or leave room for them in the limit "
	    "and under GOMEMLIMIT");
}

static void inconsistent(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct go_memstats *ms = &c->go.ms;
	if (l->sys_parts_ok != 0 && l->heap_parts_ok != 0)
		return;
	uint64_t diff = 0;
	if (l->sys_parts_ok == 0)
		diff = l->sys_parts.v > ms->sys.v ? l->sys_parts.v - ms->sys.v
						  : ms->sys.v - l->sys_parts.v;
	struct finding *f = add(fs, "memstats_inconsistent", SEV_WARNING, diff);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "the MemStats do not add up: the body may mix two snapshots or be altered");
	put(f->evidence, sizeof f->evidence,
	    "Sys %s vs sum of XxxSys %s; HeapSys %s vs HeapInuse + HeapIdle %s", B(V(ms->sys)),
	    B(V(l->sys_parts)), B(V(ms->heap_sys)), B(V(opt_add(ms->heap_inuse, ms->heap_idle))));
	put(f->advice, sizeof f->advice,
	    "fetch the endpoint again; the runtime's own figures always add up to the byte");
}

/* A -race binary: the race runtime (ThreadSanitizer) shadows every byte of
 * the heap and keeps metadata for it, in mappings of its own outside
 * MemStats (docs/model.md, "The per-mapping view").  Not C memory; the
 * cost is the build's, so any amount warns. */
static void race_detector(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct class_total *r = &c->os.maps.cls[MC_RACE];
	if (c->os.build.race != 1 && !(l->have_split && r->mappings))
		return;
	uint64_t b = l->have_split ? V(l->split_race) : 0;
	struct finding *f = add(fs, "race_detector", SEV_WARNING, b);
	if (!f)
		return;
	if (l->have_split)
		put(f->summary, sizeof f->summary,
		    "built with -race: the race detector's shadow memory holds %s, outside Go's "
		    "accounting",
		    B(b));
	else
		put(f->summary, sizeof f->summary,
		    "built with -race: the race detector's shadow memory is outside Go's accounting "
		    "(smaps not read, so not measured)");
	put(f->evidence, sizeof f->evidence, "build info: -race=true (%s)", version_or(c));
	if (l->have_split) {
		const struct class_total *h = &c->os.maps.cls[MC_GO_HEAP];
		fmt_append(f->evidence, sizeof f->evidence,
			   "; %llu shadow and metadata mappings (at 0x2000... to 0x3fff...): %s "
			   "mapped, %s resident; beside Go heap arenas of %s resident",
			   (unsigned long long)r->mappings, B(r->size), B(r->rss), B(h->rss));
		if (h->rss)
			fmt_append(f->evidence, sizeof f->evidence, " (%.1fx)",
				   (double)r->rss / (double)h->rss);
	}
	put(f->advice, sizeof f->advice,
	    "a -race binary costs several times the memory and 2-20x the CPU (the race "
	    "detector's documentation): build production binaries without -race "
	    "(`go version -m BINARY` shows -race=true)");
}

/* issue 11: the report from /proc alone.  Without MemStats, Go's runtime
 * metadata outside the heap arenas cannot be told from C's plain anonymous
 * mappings, so the memory outside Go's accounting is a range: glibc and
 * thread stacks at least, everything anonymous outside the arenas at most.
 * bytes is the high end (non_go_anon's is its low end: a different id, so
 * no tool mistakes one for the other); the rules that need MemStats find
 * their numbers unknown and stay silent. */
static void non_go_anon_os_only(const struct capture *c, const struct ledger *l,
				struct findings *fs)
{
	if (!capture_os_only(c))
		return;
	struct os_only_view v;
	os_only_compute(c, l, &v);
	if (!v.non_go_max.known || v.non_go_max.v == 0)
		return;
	uint64_t b = v.non_go_max.v;
	enum severity sev = judge(b, l->rss, &NON_GO);
	if (sev > SEV_WARNING)
		sev = SEV_WARNING; /* a range whose low end may be small */
	struct finding *f = add(fs, "non_go_anon_os_only", sev, b);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "up to %s of anonymous memory is outside Go's heap arenas and may be outside Go's "
	    "accounting: plain anonymous mappings %s (C mmap, malloc'd blocks of 128 KiB and "
	    "more, or Go's runtime metadata), glibc malloc %s, thread stacks %s",
	    B(b), B(V(v.plain_anon)), B(V(v.glibc)), B(V(v.thread_stacks)));
	put(f->evidence, sizeof f->evidence,
	    "from /proc alone (no MemStats): the Go heap arenas hold %s and the Go runtime's own "
	    "reservations %s; the plain anonymous mappings mix C memory with Go's runtime metadata "
	    "outside the arenas (with MemStats at most Sys - HeapSys - StackInuse, usually a few "
	    "MiB), so what is not Go's is between %s (glibc + thread stacks) and %s; bytes is "
	    "the high end",
	    B(V(v.heap_arenas)), B(V(v.go_runtime)), B(V(v.non_go_min)), B(b));
	put(f->advice, sizeof f->advice,
	    "serve MemStats (/metrics, /debug/vars or /debug/pprof/heap?debug=1) to narrow the "
	    "range; heaptrack or valgrind --tool=massif find the C side; `correlate --mappings` "
	    "(or pmap -x %d) lists the mappings",
	    (int)c->os.id.pid);
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->severity != y->severity)
		return x->severity < y->severity ? 1 : -1;
	return strcmp(x->id, y->id);
}

void findings_compute(const struct capture *c, const struct ledger *l, struct findings *out)
{
	static void (*const rules[])(const struct capture *, const struct ledger *,
				     struct findings *) = {
	    non_go_anon,   lazy_free, huge_pages,    swapped,	       file_mappings,
	    shared_memory, idle_heap, fragmentation, goroutine_stacks, os_threads,
	    gc_metadata,   reserved,  near_limit,    inconsistent,
	    page_cache,	   kernel_memory, other_processes,
	    race_detector,
	};
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		rules[i](c, l, out);
	non_go_anon_os_only(c, l, out); /* issue 11: only without MemStats */
	qsort(out->f, out->n, sizeof out->f[0], by_bytes_desc);
}

enum severity findings_max_severity(const struct findings *fs)
{
	enum severity m = SEV_INFO;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->f[i].severity > m)
			m = fs->f[i].severity;
	return m;
}
