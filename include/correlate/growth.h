/* Growth over time (issue 14): a series of samples, each the few numbers of
 * one capture that matter over time, a least-squares fit per line, and the
 * `growing` findings.  Pure: no I/O.  The rules (the fit, its floors, how a
 * sawtooth heap is compared like with like) are in docs/model.md, "Growth". */
#ifndef CORRELATE_GROWTH_H
#define CORRELATE_GROWTH_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/capture.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "correlate/mappings.h"
#include "correlate/opt.h"

/* The lines a series follows.  One row each in growth_lines[]. */
enum growth_line_id {
	GL_RSS,		/* status VmRSS (top's RES) */
	GL_NON_GO_ANON, /* ledger non_go_anon_est (the split), else unexplained */
	GL_HEAP_ALLOC,	/* MemStats HeapAlloc, after each GC */
	GL_HEAP_INUSE,	/* MemStats HeapInuse, after each GC */
	GL_HEAP_IDLE,	/* HeapIdle - HeapReleased, after each GC */
	GL_STACKS,	/* MemStats StackInuse */
	GL_GOROUTINES,	/* prometheus go_goroutines (count) */
	GL_THREADS,	/* status Threads (count) */
	GL_FILE,	/* status RssFile: file mappings */
	GL_WORKING_SET, /* the cgroup's working set (usage - inactive_file) */
	GL_COUNT
};

enum growth_limit {
	GLIM_NONE,	 /* counts */
	GLIM_CGROUP,	 /* the effective cgroup limit's headroom */
	GLIM_GOMEMLIMIT, /* GOMEMLIMIT (against Sys - HeapReleased), or the cgroup's */
};

struct growth_line {
	const char *name;  /* stable, in JSON: "non_go_anon", "heap_alloc", ... */
	const char *label; /* for people: "non-Go anonymous" */
	int is_count;	   /* 1: goroutines, threads: per_second, not bytes */
	int post_gc;	   /* 1: fitted on the first sample after each GC (NumGC) */
	int less_heap;	   /* 1: holds the Go heap's pages: fitted without HeapInuse
			    * (garbage between GCs) unless HeapInuse itself grows */
	enum growth_limit limit;
};
extern const struct growth_line growth_lines[GL_COUNT];

/* The picture's stack: RES by owner (they sum to VmRSS). */
enum growth_part {
	GP_GO_HEAP,	/* HeapSys - HeapReleased, at most Go's resident share */
	GP_GO_RUNTIME,	/* the rest of Go's resident share: stacks, metadata */
	GP_NON_GO_ANON, /* RssAnon beyond Go's share */
	GP_FILE,	/* RssFile */
	GP_SHARED,	/* RssShmem */
	GP_COUNT
};
extern const char *const growth_part_names[GP_COUNT];  /* "go_heap", ... */
extern const char *const growth_part_labels[GP_COUNT]; /* "Go heap", ... */

/* One sample: what a series keeps of one capture. */
struct growth_sample {
	double t;		    /* seconds since the series' first sample */
	int64_t captured_at;	    /* Unix seconds (capture.captured_at) */
	opt_u64 num_gc;		    /* MemStats NumGC */
	opt_u64 v[GL_COUNT];	    /* the lines */
	opt_u64 part[GP_COUNT];	    /* RES by owner */
	opt_u64 limit;		    /* the effective cgroup limit */
	opt_u64 headroom;	    /* its headroom (cgroup_ledger.headroom) */
	opt_u64 gomemlimit;	    /* GOMEMLIMIT: the endpoint's, else the environment's */
	opt_u64 go_retained;	    /* Sys - HeapReleased: what GOMEMLIMIT is held against */
	uint64_t cls_rss[MC_COUNT]; /* smaps Rss by class (0 when smaps was not read) */
	int have_cls;
	opt_u64 target_cpu_ns; /* the probe's cost to the target (capture.probe_cpu_ns) */
};

/* Fills *s from a capture and its ledger, at t seconds into the series. */
void growth_sample_of(const struct capture *c, const struct ledger *l, double t,
		      struct growth_sample *s);

/* A growing array of samples.  _init makes it empty; _free frees it (NULL
 * and an empty one are no-ops); _push copies s in (returns -1 when out of
 * memory). */
struct growth_series {
	struct growth_sample *s;
	size_t n, cap;
};
void growth_series_init(struct growth_series *gs);
void growth_series_free(struct growth_series *gs);
int growth_series_push(struct growth_series *gs, const struct growth_sample *s);

/* An ordinary least-squares line through (x, y): slope, intercept and R²
 * (1 when every y is equal).  n < 2 gives slope 0, r2 0. */
struct growth_fit {
	size_t n;
	double slope;	  /* per second */
	double intercept; /* at x = 0 */
	double r2;
	double x0, x1; /* the first and last x fitted */
};
void growth_fit_points(const double *x, const double *y, size_t n, struct growth_fit *out);

/* The floors a fit must clear to be growth (docs/model.md, "Growth"). */
#define GROWTH_MIN_SAMPLES 5		/* points in the fit */
#define GROWTH_MIN_R2	   0.8		/* a single step halfway has R² 0.75 */
#define GROWTH_FLOOR_BYTES (1ull << 20) /* absolute: the fit rose >= 1 MiB */
#define GROWTH_FLOOR_COUNT 16		/* ... or >= 16 goroutines or threads */
#define GROWTH_FLOOR_SHARE 0.02		/* relative: >= 2% of the line's start */

enum growth_state {
	GS_UNKNOWN,   /* the line was not in the samples */
	GS_TOO_FEW,   /* fewer points than GROWTH_MIN_SAMPLES (post-GC: GC cycles) */
	GS_FLAT,      /* no rise that clears the floors */
	GS_NOISY,     /* it rose, but R² is under GROWTH_MIN_R2 */
	GS_SHRINKING, /* it fell by more than the floors */
	GS_GROWING,
};

struct growth_result {
	enum growth_state state;
	struct growth_fit fit;
	double first, last;	 /* the line's first and last fitted values (as sampled) */
	double rise;		 /* slope * (x1 - x0): what the fit says it gained */
	double seconds_to_limit; /* growing toward a limit: at this rate; < 0 none */
	const char *limit_name;	 /* "the cgroup limit", "GOMEMLIMIT"; NULL */
};

/* Fits every line of the series.  out has GL_COUNT entries. */
void growth_analyze(const struct growth_series *gs, struct growth_result *out);

/* "flat", "growing", ... for people. */
const char *growth_state_name(enum growth_state s);

/* Appends one `growing` finding per growing line to fs (as many as fit),
 * most bytes per second first (counts after bytes), with the rate, the
 * samples, R², the time to the limit, and how the Go heap moved. */
void growth_findings(const struct growth_series *gs, const struct growth_result *res,
		     struct findings *fs);

#endif
