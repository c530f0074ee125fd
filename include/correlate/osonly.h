/* The report from /proc alone (issue 11): what can be said of a Go process
 * without its MemStats, when it serves no endpoint correlate finds, or
 * with --no-endpoint.  A pure function of the capture and its ledger; the
 * renderers and the non_go_anon_os_only finding read it. */
#ifndef CORRELATE_OSONLY_H
#define CORRELATE_OSONLY_H

#include "correlate/capture.h"
#include "correlate/ledger.h"
#include "correlate/opt.h"

struct os_only_view {
	int have_split;		/* smaps was read: the lines below are known */
	opt_u64 heap_arenas;	/* anonymous footprint of the Go heap arenas (found by shape) */
	opt_u64 go_runtime;	/* of the Go runtime's own reservations and their heads */
	opt_u64 plain_anon;	/* the other anonymous mappings: C mmap, malloc blocks of 128 KiB
				 * and more, and Go's runtime metadata outside the arenas, which
				 * /proc cannot tell apart */
	opt_u64 glibc;		/* [heap] and glibc's thread arenas */
	opt_u64 thread_stacks;	/* pthread stacks */
	opt_u64 non_go_min;	/* glibc + thread stacks: not Go's whatever the rest is */
	opt_u64 non_go_max;	/* + the plain anonymous mappings (and arenas that could be
				 * glibc's): all that could be outside Go's accounting */
	opt_u64 file_backed;	/* RssFile */
	opt_u64 anon_huge;	/* AnonHugePages */
	opt_u64 lazy_free;	/* LazyFree */
	opt_u64 swap;		/* VmSwap */
};

/* Fills *v for an OS-only capture (capture_os_only). */
void os_only_compute(const struct capture *c, const struct ledger *l, struct os_only_view *v);

/* What cannot be said without MemStats, one line each, NULL-terminated. */
extern const char *const os_only_cannot_say[];

/* The endpoints that would let it be said, in the order correlate tries them. */
extern const char *const os_only_endpoints[];

#endif
