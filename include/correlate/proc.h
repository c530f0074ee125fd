/* The kernel's side: /proc/PID/status, smaps_rollup and smaps.
 *
 * Parsers take text (a buffer, or chunks of one), never a path, so recorded
 * files and live reads go through the same code.  Sizes are bytes: /proc's
 * "kB" is KiB and is multiplied by 1024 here.  A line the kernel did not
 * print leaves its field unknown. */
#ifndef CORRELATE_PROC_H
#define CORRELATE_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/err.h"
#include "correlate/opt.h"

/* Numeric fields of /proc/PID/status; one row each in status_fields[]. */
struct status_values {
	opt_u64 vm_peak;   /* status: VmPeak */
	opt_u64 vm_size;   /* status: VmSize (top's VIRT) */
	opt_u64 vm_lck;	   /* status: VmLck */
	opt_u64 vm_hwm;	   /* status: VmHWM, peak resident */
	opt_u64 vm_rss;	   /* status: VmRSS (top's RES) = RssAnon + RssFile + RssShmem */
	opt_u64 rss_anon;  /* status: RssAnon */
	opt_u64 rss_file;  /* status: RssFile */
	opt_u64 rss_shmem; /* status: RssShmem */
	opt_u64 vm_data;   /* status: VmData, private writable mappings */
	opt_u64 vm_stk;	   /* status: VmStk, the main thread's stack */
	opt_u64 vm_exe;	   /* status: VmExe, text of the executable */
	opt_u64 vm_lib;	   /* status: VmLib, text of shared libraries */
	opt_u64 vm_pte;	   /* status: VmPTE, page tables */
	opt_u64 vm_swap;   /* status: VmSwap, swapped-out anonymous memory */
	opt_u64 threads;   /* status: Threads (a count) */
	opt_u64 uid;	   /* status: Uid, the real uid (first column; a number) */
	opt_u64 tgid;	   /* status: Tgid */
};

struct proc_status {
	struct status_values v;
	char name[64]; /* status: Name (comm, at most 15 chars in practice) */
	char state;    /* status: State, first letter (R, S, D, Z, ...); 0 unknown */
	int kthread;   /* status: Kthread (1 kernel thread, 0 not, -1 line absent) */
};

/* Per-mapping counters of smaps; smaps_rollup has the same lines, summed. */
struct smaps_values {
	opt_u64 size;		 /* smaps: Size (virtual) */
	opt_u64 rss;		 /* smaps: Rss */
	opt_u64 pss;		 /* smaps: Pss */
	opt_u64 pss_dirty;	 /* smaps: Pss_Dirty */
	opt_u64 pss_anon;	 /* smaps: Pss_Anon */
	opt_u64 pss_file;	 /* smaps: Pss_File */
	opt_u64 pss_shmem;	 /* smaps: Pss_Shmem */
	opt_u64 shared_clean;	 /* smaps: Shared_Clean */
	opt_u64 shared_dirty;	 /* smaps: Shared_Dirty */
	opt_u64 private_clean;	 /* smaps: Private_Clean */
	opt_u64 private_dirty;	 /* smaps: Private_Dirty */
	opt_u64 referenced;	 /* smaps: Referenced */
	opt_u64 anonymous;	 /* smaps: Anonymous */
	opt_u64 ksm;		 /* smaps: KSM */
	opt_u64 lazy_free;	 /* smaps: LazyFree (MADV_FREE'd, still resident) */
	opt_u64 anon_huge_pages; /* smaps: AnonHugePages (THP) */
	opt_u64 shmem_pmd;	 /* smaps: ShmemPmdMapped */
	opt_u64 file_pmd;	 /* smaps: FilePmdMapped */
	opt_u64 shared_hugetlb;	 /* smaps: Shared_Hugetlb */
	opt_u64 private_hugetlb; /* smaps: Private_Hugetlb */
	opt_u64 swap;		 /* smaps: Swap */
	opt_u64 swap_pss;	 /* smaps: SwapPss */
	opt_u64 locked;		 /* smaps: Locked */
};

/* One row of a numeric-field table: the /proc key, where the value goes, and
 * whether the kernel prints it in kB. */
struct proc_field {
	const char *key;  /* as printed before the colon, e.g. "VmRSS" */
	size_t key_len;	  /* strlen(key) */
	size_t offset;	  /* of an opt_u64 in the values struct */
	int kib;	  /* 1: value is "N kB"; 0: a plain number */
	const char *json; /* name in correlate's JSON, e.g. "vm_rss_bytes" */
};

extern const struct proc_field status_fields[];
extern const size_t status_fields_count;
extern const struct proc_field smaps_fields[];
extern const size_t smaps_fields_count;

/* Parses the text of /proc/PID/status.  Unknown keys are ignored; a known key
 * whose value is not a number (or overflows 64 bits in bytes) is an error
 * (ERR_PROC).  Fills *out (all fields unknown first). */
int parse_status(const char *buf, size_t len, struct proc_status *out, struct err *err);

/* One mapping of /proc/PID/smaps: the header line and its counters. */
struct mapping {
	uint64_t start, end; /* address range [start, end) */
	char perms[5];	     /* "rw-p", "---p", "r-xs" ... */
	uint64_t offset;     /* file offset */
	char dev[16];	     /* "fd:01" */
	uint64_t inode;	     /* 0 for anonymous */
	char path[512];	     /* pathname or [heap], [stack], [anon: ...]; may be "" */
	struct smaps_values v;
	char vm_flags[128]; /* smaps: VmFlags, e.g. "rd wr mr mw me ac sd" */
};

/* Called once per complete mapping; a nonzero return stops the parse and is
 * returned by smaps_parser_feed/finish (set err too). */
typedef int (*mapping_fn)(const struct mapping *m, void *ctx, struct err *err);

#define PROC_LINE_MAX 4352 /* longest line kept whole: a 4096-byte path + header */

/* A streaming parser of smaps text (and smaps_rollup, which is one mapping
 * whose path is "[rollup]").  No heap: it lives wherever the caller puts it.
 * Usage: smaps_parser_init; smaps_parser_feed for each chunk;
 * smaps_parser_finish once. */
struct smaps_parser {
	mapping_fn fn;
	void *ctx;
	struct mapping cur;
	int have_cur;	 /* a header was seen and cur is being filled */
	size_t mappings; /* mappings delivered so far */
	uint64_t line_no;
	size_t next;	    /* the line expected next (an index into the kernel's order) */
	size_t partial_len; /* bytes of an unfinished line kept in partial */
	int partial_overlong;
	char partial[PROC_LINE_MAX];
};

void smaps_parser_init(struct smaps_parser *p, mapping_fn fn, void *ctx);
int smaps_parser_feed(struct smaps_parser *p, const char *buf, size_t len, struct err *err);
int smaps_parser_finish(struct smaps_parser *p, struct err *err);

/* Parses the text of /proc/PID/smaps_rollup: exactly one "[rollup]" block.
 * The rollup has no Size line: out->size stays unknown. */
int parse_smaps_rollup(const char *buf, size_t len, struct smaps_values *out, struct err *err);

#endif
