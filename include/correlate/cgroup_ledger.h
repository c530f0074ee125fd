/* The container's view: the memory cgroup reconciled as the kernel and
 * kubelet count it.  Usage by kind, the working set kubelet and `kubectl
 * top` show, what the kernel would reclaim before an OOM kill, the
 * effective limit up the hierarchy and who sets it, and the process inside
 * its cgroup.  A pure function of the capture; formulas and sources in
 * docs/model.md ("The container's view"). */
#ifndef CORRELATE_CGROUP_LEDGER_H
#define CORRELATE_CGROUP_LEDGER_H

#include "correlate/cgroup.h"
#include "correlate/opt.h"

struct capture;

/* cgroup_ledger.limit_level when the limit is not one of the levels read:
 * v1's hierarchical_memory_limit names one above the hierarchy mounted here. */
#define CG_LIMIT_NONE	(-1)
#define CG_LIMIT_HIDDEN (-2)

struct cgroup_ledger {
	int have;    /* a memory cgroup whose usage is known */
	int version; /* 1 or 2 */
	int legacy;  /* from a pair's cgroup.json: usage, anon, file and the leaf's limit only */

	/* The leaf's usage by kind (memory.stat; v1 its total_* counters). */
	opt_u64 usage;	       /* memory.current; v1 memory.usage_in_bytes */
	opt_u64 anon;	       /* anon; v1 total_rss */
	opt_u64 file;	       /* file (page cache, tmpfs, shm); v1 total_cache */
	opt_u64 active_file;   /* active_file: on the file LRU, recently used */
	opt_u64 inactive_file; /* inactive_file: on the file LRU, reclaimed first */
	opt_u64 shmem;	       /* shmem: in file, but on the anon LRU (swap-backed) */
	opt_u64 file_unlisted; /* file - active_file - inactive_file, >= 0: shmem, tmpfs */
	opt_u64 kernel;	       /* v2 kernel (or its parts summed); v1 memory.kmem.usage_in_bytes */
	int kernel_summed;     /* v2 without a `kernel` key (before 5.18): its parts summed */
	opt_u64 slab_reclaimable, slab_unreclaimable, kernel_stack, pagetables, percpu, vmalloc;
	opt_u64 sock;	       /* v2 sock; v1 memory.kmem.tcp.usage_in_bytes */
	int sock_in_usage;     /* v2: sock is in usage; v1: TCP buffers are a counter of their own */
	opt_u64 other;	       /* usage - anon - file - kernel (- sock on v2), >= 0: left over */
	opt_u64 swap;	       /* v2 memory.swap.current; v1 total_swap */

	/* What kubelet counts, and what the kernel can take back. */
	opt_u64 working_set;   /* usage - inactive_file, >= 0 (cAdvisor, kubelet) */
	opt_u64 reclaimable;   /* active_file + inactive_file + slab_reclaimable */
	opt_u64 unreclaimable; /* usage - reclaimable, >= 0 (usage when reclaimable is unknown) */

	/* The effective limit: the one with the least headroom up the hierarchy. */
	int limit_level;	/* index into the cgroup's level[]; CG_LIMIT_NONE, CG_LIMIT_HIDDEN */
	opt_u64 limit;		/* its value; unknown: no limit */
	const char *limit_file; /* "memory.max", "memory.high", "memory.limit_in_bytes",
				   "hierarchical_memory_limit"; NULL when none */
	char limit_path[512];	/* the cgroup that sets it; "" when none or not visible here */
	opt_u64 limit_usage;	/* usage of that cgroup (the leaf's when hidden) */
	opt_u64 limit_reclaimable;
	opt_u64 limit_unreclaimable;
	opt_u64 headroom;	/* limit - limit_unreclaimable, >= 0: before the OOM killer */
	opt_u64 outside;	/* limit_usage - usage: other cgroups under the same limit */
	opt_u64 swap_limit;	/* v2 the tightest memory.swap.max; v1 hierarchical_memsw_limit */
	struct cgroup_events limit_events; /* memory.events of the limiting cgroup */

	/* The process inside its cgroup (status). */
	opt_u64 self_anon;	  /* RssAnon */
	opt_u64 self_file;	  /* RssFile: the files it maps */
	opt_u64 self_shmem;	  /* RssShmem */
	opt_u64 anon_not_self;	  /* the cgroup's anon - RssAnon, >= 0 */
	opt_u64 cache_not_mapped; /* the cgroup's file - RssFile - RssShmem, >= 0 */
	opt_u64 others_rss;	  /* the other processes of cgroup.procs, summed */
	struct cgroup_proc procs[CG_PROCS_MAX]; /* the process's own filled in; largest RSS first */
	size_t n_procs;
};

/* Fills *out from c->os.cgroup and the process's status.  No I/O. */
void cgroup_reconcile(const struct capture *c, struct cgroup_ledger *out);

#endif
