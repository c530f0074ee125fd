/* The memory cgroup: what the kernel charges the process's cgroup and its
 * ancestors for, as the OOM killer and kubelet count it.
 *
 * Everything comes from one text, the cgroup record: every file read for
 * the cgroup, one after the other, each under a "==> PATH <==" line (the
 * form `tail -n +1 FILE...` prints).  acquire_cgroup (src/acquire/context.c)
 * reads the files into it; a recorded pair keeps it as cgroup.txt; and
 * parse_cgroup_record turns it into struct cgroup_info, for a live run and
 * a replay alike.  The files and what each line means are in docs/model.md
 * ("The container's view"), after the kernel's
 * Documentation/admin-guide/cgroup-v2.rst and cgroup-v1/memory.rst. */
#ifndef CORRELATE_CGROUP_H
#define CORRELATE_CGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/opt.h"

#define CG_LEVELS_MAX	  16  /* cgroups from the leaf up to the mount's root */
#define CG_PROCS_MAX	  16  /* processes kept for the report, largest RSS first */
#define CG_PROCS_READ_MAX 256 /* processes of cgroup.procs whose status is read */

/* memory.stat, in bytes.  v2's keys are hierarchical (the cgroup and its
 * descendants); on v1 the total_* keys are, and those are the ones read. */
struct cgroup_stat {
	opt_u64 anon;		    /* v2 anon; v1 total_rss */
	opt_u64 file;		    /* v2 file (tmpfs and shm included); v1 total_cache */
	opt_u64 kernel;		    /* v2 kernel (5.18+): slab, stacks, page tables, percpu, vmalloc */
	opt_u64 kernel_stack;	    /* v2 kernel_stack */
	opt_u64 pagetables;	    /* v2 pagetables */
	opt_u64 sec_pagetables;	    /* v2 sec_pagetables */
	opt_u64 percpu;		    /* v2 percpu */
	opt_u64 sock;		    /* v2 sock: network buffers */
	opt_u64 vmalloc;	    /* v2 vmalloc */
	opt_u64 shmem;		    /* v2 shmem; v1 total_shmem: in file, on the anon LRU */
	opt_u64 file_mapped;	    /* v2 file_mapped; v1 total_mapped_file */
	opt_u64 file_dirty;	    /* v2 file_dirty; v1 total_dirty */
	opt_u64 file_writeback;	    /* v2 file_writeback; v1 total_writeback */
	opt_u64 swapcached;	    /* v2 swapcached; v1 total_swapcached */
	opt_u64 anon_thp;	    /* v2 anon_thp; v1 total_rss_huge */
	opt_u64 inactive_anon;	    /* v2 inactive_anon; v1 total_inactive_anon */
	opt_u64 active_anon;	    /* v2 active_anon; v1 total_active_anon */
	opt_u64 inactive_file;	    /* v2 inactive_file; v1 total_inactive_file */
	opt_u64 active_file;	    /* v2 active_file; v1 total_active_file */
	opt_u64 unevictable;	    /* v2 unevictable; v1 total_unevictable */
	opt_u64 slab_reclaimable;   /* v2 slab_reclaimable */
	opt_u64 slab_unreclaimable; /* v2 slab_unreclaimable */
	opt_u64 swap;		    /* v1 total_swap */
	opt_u64 hierarchical_limit; /* v1 hierarchical_memory_limit; unknown: no limit */
	opt_u64 hierarchical_memsw; /* v1 hierarchical_memsw_limit; unknown: no limit */
};

/* One row per memory.stat field: its key on each version (NULL: the
 * version has none), where it goes, and whether it is a limit (v1's "no
 * limit", 2^63 rounded to a page, leaves it unknown). */
struct cgroup_stat_field {
	const char *v2;
	const char *v1;
	size_t offset; /* of an opt_u64 in struct cgroup_stat */
	int limit;
};
extern const struct cgroup_stat_field cgroup_stat_fields[];
extern const size_t cgroup_stat_fields_count;

/* memory.events (v2, hierarchical).  v1 has no such file: max is
 * memory.failcnt (the times usage hit the limit), oom_kill and under_oom
 * come from memory.oom_control. */
struct cgroup_events {
	opt_u64 low, high, max, oom, oom_kill, oom_group_kill;
	int under_oom; /* v1 memory.oom_control under_oom: 1, 0; -1 unknown */
};

/* One line of a PSI file (Documentation/accounting/psi.rst): the share of
 * wall time, in percent, that some (or all) tasks stalled on memory over
 * the last 10, 60 and 300 seconds, and the total stall time. */
struct psi_line {
	int have;
	double avg10, avg60, avg300;
	uint64_t total_us;
};

/* memory.pressure. */
struct cgroup_pressure {
	struct psi_line some, full;
};

/* One cgroup of the hierarchy: the leaf, or one of its ancestors. */
struct cgroup_level {
	char path[512];	    /* as /proc/PID/cgroup names it: "/kubepods/pod1/c1" */
	int read;	    /* any of its memory files was read */
	opt_u64 usage;	    /* v2 memory.current; v1 memory.usage_in_bytes */
	opt_u64 max;	    /* v2 memory.max; v1 memory.limit_in_bytes; unknown: no limit */
	opt_u64 high;	    /* v2 memory.high; unknown: none */
	opt_u64 swap_usage; /* v2 memory.swap.current; v1 memory.memsw.usage_in_bytes (memory + swap) */
	opt_u64 swap_max;   /* v2 memory.swap.max; v1 memory.memsw.limit_in_bytes (memory + swap) */
	opt_u64 kmem;	    /* v1 memory.kmem.usage_in_bytes: kernel memory, inside usage */
	opt_u64 kmem_tcp;   /* v1 memory.kmem.tcp.usage_in_bytes: TCP buffers, outside usage */
	struct cgroup_stat stat;	 /* memory.stat */
	struct cgroup_events events;	 /* memory.events (v1: failcnt, oom_control) */
	struct cgroup_pressure pressure; /* memory.pressure, when the kernel has it */
	int have_pressure;
};

/* A process of the cgroup (cgroup.procs), from its /proc/PID/status. */
struct cgroup_proc {
	int pid;
	int self;      /* the process correlate reads (its status is the capture's own) */
	char comm[64]; /* status Name */
	opt_u64 rss, rss_anon, rss_file, rss_shmem; /* status VmRSS, RssAnon, RssFile, RssShmem */
};

/* The memory cgroup of the process. */
struct cgroup_info {
	int version;	    /* 1 or 2; 0 not found */
	char why[96];	    /* when version is 0 */
	char path[512];	    /* the cgroup's path, as /proc/PID/cgroup names it */
	char dir[640];	    /* where its files were read */
	opt_u64 limit;	    /* the leaf's own memory.max / memory.limit_in_bytes; unknown when unlimited */
	opt_u64 usage;	    /* memory.current / memory.usage_in_bytes */
	opt_u64 anon;	    /* memory.stat: anon (v2), total_rss (v1) */
	opt_u64 file;	    /* memory.stat: file (v2), total_cache (v1) */
	opt_u64 swap_limit; /* memory.swap.max (v2) */

	/* From the record (cgroup.txt); a pair's older cgroup.json fills only
	 * the five above and level[0] from them (legacy set). */
	int legacy;
	char mount_root[512]; /* the hierarchy's root as mounted here ("/" on a host) */
	struct cgroup_level level[CG_LEVELS_MAX]; /* [0] the leaf, then its parents */
	size_t n_levels;
	int procs_read;		    /* the leaf's cgroup.procs was read */
	uint64_t procs_count;	    /* processes it lists */
	uint64_t procs_unread;	    /* of the others, those whose status was not read */
	struct cgroup_proc procs[CG_PROCS_MAX]; /* largest RSS first; the process itself kept */
	size_t n_procs;
	opt_u64 others_rss;  /* summed over every other process read */
	opt_u64 others_anon; /* their RssAnon, summed */

	char *record;	   /* the record it was parsed from; owned (capture_free), may be NULL */
	size_t record_len;
};

/* ---- the record ------------------------------------------------------------ */

/* Finds the file `name` in a record.  Returns 1 with *data and *len set
 * (pointing into buf; the separating blank line before the next header is
 * not part of it), or 0 when the record does not hold it. */
int cgroup_record_find(const char *buf, size_t len, const char *name, const char **data,
		       size_t *dlen);

/* Calls fn for every file of the record, in order; a nonzero return stops. */
int cgroup_record_each(const char *buf, size_t len,
		       int (*fn)(void *ctx, const char *name, size_t name_len, const char *data,
				 size_t dlen),
		       void *ctx);

/* Parses a record into out (which it clears first; out->record is left
 * NULL: the caller owns the buffer).  pid is the process the record is for
 * (0: take the first /proc/N/cgroup of the record).  Never fails: what the
 * record lacks is unknown, and when no cgroup can be made of it
 * out->version is 0 and out->why says why. */
void parse_cgroup_record(const char *buf, size_t len, int pid, struct cgroup_info *out);

/* The files read in each cgroup of the hierarchy, for a version: a
 * NULL-terminated list of names (memory.stat, memory.max, ...).  Acquire
 * reads these and the parser looks for these. */
const char *const *cgroup_level_files(int version);

/* ---- the files -------------------------------------------------------------- */

/* memory.stat of either version into out (every field unknown first). */
void parse_cgroup_memory_stat(const char *buf, size_t len, int version, struct cgroup_stat *out);

/* v2 memory.events ("oom_kill 3" lines) into out. */
void parse_cgroup_events(const char *buf, size_t len, struct cgroup_events *out);

/* v1 memory.oom_control ("oom_kill_disable 0", "under_oom 0", "oom_kill 0"):
 * under_oom and oom_kill into out. */
void parse_cgroup_oom_control(const char *buf, size_t len, struct cgroup_events *out);

/* A PSI file ("some avg10=0.00 avg60=0.00 avg300=0.00 total=0", "full ...").
 * Returns 0, or -1 when it has no "some" line. */
int parse_psi(const char *buf, size_t len, struct cgroup_pressure *out);

/* cgroup.procs (one pid a line, unordered, maybe repeated): up to cap
 * distinct pids into pids.  Returns how many distinct pids it lists (may
 * exceed cap). */
size_t parse_cgroup_procs(const char *buf, size_t len, int *pids, size_t cap);

#endif
