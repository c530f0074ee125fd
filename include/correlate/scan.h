/* A scan (issue 13): every Go process on the host through the single
 * report's pipeline, reduced to one row each as the results come in.  A
 * row is small and fixed-size: what the table, the Prometheus exposition
 * and the scan's totals need, and nothing of the capture itself, so a
 * scan's memory does not grow with its targets' size. */
#ifndef CORRELATE_SCAN_H
#define CORRELATE_SCAN_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "correlate/capture.h"
#include "correlate/err.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "correlate/opt.h"

struct scan_finding {
	char id[32];
	enum severity severity;
	uint64_t bytes;
};

/* One Go process, reported. */
struct scan_row {
	pid_t pid;
	char comm[64];
	char exe[256];
	char go_version[40];
	char endpoint_format[16]; /* "prometheus", "expvar", "pprof"; "none": from /proc alone */
	char cgroup[256];	  /* the memory cgroup's path; "" unknown */
	char container_id[72];	  /* from that path (parse_container_id); "" none */
	int os_only;		  /* no MemStats: the report is from /proc alone */
	opt_u64 rss, anon_footprint, go_retained, unexplained, non_go_anon;
	opt_u64 working_set, limit; /* the cgroup's working set; its effective limit */
	opt_u64 probe_cpu_ns;	    /* CPU the target spent answering */
	double fetch_seconds;
	size_t n_findings;
	struct scan_finding f[FINDINGS_MAX]; /* largest first, as the report orders them */
	int top; /* index into f of the most severe finding, largest of those; -1 none */
};

/* A Go process that was not reported: it failed, or it exited or changed
 * program during the scan (dropped: not a failure, a note). */
struct scan_miss {
	pid_t pid;
	char comm[64];
	int code;    /* the exit code a single report would have given */
	int dropped; /* 1: it exited or exec'd another program mid-scan */
	char msg[400];
	char hint[240];
};

/* The scan as a whole. */
struct scan_totals {
	int64_t started_at;    /* Unix seconds */
	double duration;       /* seconds */
	size_t processes;      /* user-space processes looked at */
	size_t unreadable;     /* of them, those whose executable could not be read */
	size_t targets;	       /* Go processes reported */
	size_t failures;       /* Go processes that could not be reported */
	size_t dropped;	       /* Go processes that exited or exec'd mid-scan */
	size_t skipped_budget; /* of the failures, those the time budget left out */
	uint64_t probe_cpu_ns; /* the targets' probe_cost, summed */
	int workers;
	double budget;	  /* seconds */
	int allow_pprof;
	/* correlate's own cost, at the end of the scan */
	double self_cpu_seconds;   /* its CPU and its workers', since it started */
	opt_u64 self_rss;	   /* its VmRSS */
	opt_u64 self_peak_rss;	   /* the largest of its and its workers' peak RSS */
	unsigned long scans;	   /* scans done by this run (--every), this one included */
};

struct scan_result {
	struct scan_totals t;
	struct scan_row *rows;
	size_t n_rows, cap_rows;
	struct scan_miss *miss;
	size_t n_miss, cap_miss;
};

/* A Go process found on the host: a user-space process whose executable
 * has Go build info. */
struct scan_candidate {
	pid_t pid;
	unsigned long long start_tics; /* as libproc2 gives it: the same process later */
	char comm[64];
	char exe[512];
};

/* Every Go process in /proc but correlate itself, in pid order (malloc'd
 * into *out).  *processes counts the user-space processes looked at,
 * *unreadable those whose executable could not be opened (another user's,
 * without privilege).  Processes that are gone, kernel threads and zombies
 * (no executable) are passed over.  ERR_PROC when /proc cannot be listed
 * (src/acquire/procs.c). */
int acquire_go_processes(struct scan_candidate **out, size_t *n, size_t *processes,
			 size_t *unreadable, struct err *err);

/* The row of a report: a pure function of the capture, its ledger and
 * findings (src/model/scanrow.c). */
void scan_row_from(const struct capture *c, const struct ledger *l, const struct findings *fs,
		   struct scan_row *row);

/* The table for people: one line per process, then the totals and what
 * was left out.  Returns 0, or -1 on a write error. */
int render_scan_text(FILE *out, const struct scan_result *s);

/* The Prometheus text exposition format 0.0.4 (openmetrics 0), or
 * OpenMetrics 1.0.0 (openmetrics 1, ending in "# EOF").  Returns 0 or -1. */
int render_scan_prometheus(FILE *out, const struct scan_result *s, int openmetrics);

/* The JSON scan header, as the members that follow "reports" in the scan
 * document (docs/json.md "correlate scan").  Returns 0 or -1. */
int render_scan_json_tail(FILE *out, const struct scan_result *s);

#endif
