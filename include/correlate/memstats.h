/* The Go runtime's side: runtime.MemStats as served by pprof (debug=1 text),
 * expvar (/debug/vars JSON) or the Prometheus Go client (/metrics).
 *
 * One table, go_fields[], names every field in every format; the three
 * parsers and the renderers walk it.  A field the endpoint did not give stays
 * unknown. */
#ifndef CORRELATE_MEMSTATS_H
#define CORRELATE_MEMSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/err.h"
#include "correlate/opt.h"

enum body_format {
	FMT_UNKNOWN = 0,
	FMT_PPROF,	/* /debug/pprof/heap?debug=1 (or allocs?debug=1) */
	FMT_EXPVAR,	/* /debug/vars */
	FMT_PROMETHEUS, /* /metrics, text exposition */
};

/* "pprof", "expvar", "prometheus"; "unknown" for FMT_UNKNOWN. */
const char *body_format_name(enum body_format f);

/* The numbers.  Every field is one row of go_fields[]; keep them in step. */
struct go_memstats {
	opt_u64 alloc;		/* MemStats.Alloc (== HeapAlloc) */
	opt_u64 total_alloc;	/* MemStats.TotalAlloc, cumulative */
	opt_u64 sys;		/* MemStats.Sys: all the runtime mapped from the OS */
	opt_u64 lookups;	/* MemStats.Lookups (count) */
	opt_u64 mallocs;	/* MemStats.Mallocs (count, cumulative) */
	opt_u64 frees;		/* MemStats.Frees (count, cumulative) */
	opt_u64 heap_alloc;	/* MemStats.HeapAlloc */
	opt_u64 heap_sys;	/* MemStats.HeapSys = HeapInuse + HeapIdle */
	opt_u64 heap_idle;	/* MemStats.HeapIdle */
	opt_u64 heap_inuse;	/* MemStats.HeapInuse */
	opt_u64 heap_released;	/* MemStats.HeapReleased */
	opt_u64 heap_objects;	/* MemStats.HeapObjects (count) */
	opt_u64 stack_inuse;	/* MemStats.StackInuse */
	opt_u64 stack_sys;	/* MemStats.StackSys */
	opt_u64 mspan_inuse;	/* MemStats.MSpanInuse */
	opt_u64 mspan_sys;	/* MemStats.MSpanSys */
	opt_u64 mcache_inuse;	/* MemStats.MCacheInuse */
	opt_u64 mcache_sys;	/* MemStats.MCacheSys */
	opt_u64 buck_hash_sys;	/* MemStats.BuckHashSys */
	opt_u64 gc_sys;		/* MemStats.GCSys */
	opt_u64 other_sys;	/* MemStats.OtherSys */
	opt_u64 next_gc;	/* MemStats.NextGC, the heap goal */
	opt_u64 last_gc_ns;	/* MemStats.LastGC, ns since the Unix epoch */
	opt_u64 pause_total_ns; /* MemStats.PauseTotalNs */
	opt_u64 num_gc;		/* MemStats.NumGC (count) */
	opt_u64 num_forced_gc;	/* MemStats.NumForcedGC (count) */
	opt_u64 max_rss;	/* pprof: MaxRSS (getrusage peak, bytes) */
	opt_u64 goroutines;	/* prometheus: go_goroutines */
	opt_u64 threads;	/* prometheus: go_threads (threads created) */
	opt_u64 process_rss;	/* prometheus: process_resident_memory_bytes */
	opt_u64 process_vsize;	/* prometheus: process_virtual_memory_bytes */
	opt_u64 gomemlimit;	/* prometheus: go_gc_gomemlimit_bytes */
	opt_u64 gogc_percent;	/* prometheus (client_golang 1.20+): go_gc_gogc_percent, the
				 * runtime's GOGC; GOGC_OFF when off (GOGC=off, SetGCPercent(-1)) */
	opt_u64 heap_live;	/* prometheus (client_golang 1.20+): go_gc_heap_live_bytes, the
				 * heap marked live by the last GC */
	opt_u64 gomaxprocs;	/* prometheus (client_golang 1.20+): go_sched_gomaxprocs_threads */
};

/* go_gc_gogc_percent when the GC is off: runtime/metrics /gc/gogc:percent is
 * uint64(gcPercent), so -1 reads as 2^64-1, which Prometheus' float text
 * rounds to 1.8446744073709552e+19 (2^64). */
#define GOGC_OFF UINT64_MAX

enum go_unit { GU_BYTES, GU_COUNT, GU_NS };

struct go_field {
	const char *json;   /* correlate's JSON key, e.g. "sys_bytes" */
	const char *label;  /* MemStats name for people, e.g. "Sys" */
	const char *pprof;  /* key in "# Key = value" lines; NULL if absent */
	int pprof_part;	    /* 0: "Key = v"; 1, 2: first/second of "Key = a / b" */
	const char *expvar; /* key in the "memstats" object; NULL if absent */
	const char *prom;   /* Prometheus metric name; NULL if absent */
	int prom_seconds;   /* 1: the metric is in seconds, stored as ns */
	enum go_unit unit;
	size_t offset; /* of the opt_u64 in struct go_memstats */
};

extern const struct go_field go_fields[];
extern const size_t go_fields_count;

/* The field of ms that row f describes. */
opt_u64 *go_field_ptr(struct go_memstats *ms, const struct go_field *f);
opt_u64 go_field_get(const struct go_memstats *ms, const struct go_field *f);
/* The row whose json key is `json`, or NULL. */
const struct go_field *go_field_by_json(const char *json);

/* What the endpoint said, parsed. */
struct go_snapshot {
	enum body_format format;
	struct go_memstats ms;
	char go_version[32]; /* prometheus go_info{version=...}; "" when not given */
	uint64_t body_bytes; /* length of the body as served */
};

/* The smallest set of fields a report needs; without them the body is
 * rejected (ERR_ENDPOINT) rather than reported on half-read. */
int go_snapshot_check(const struct go_snapshot *s, struct err *err);

/* A streaming parser of an endpoint body.  The format is detected from the
 * first bytes, not from the URL.  pprof and Prometheus text are parsed line
 * by line as they arrive (a many-MB profile is never held); expvar JSON is
 * kept until finish, up to max_bytes.
 * Usage: body_parser_new; body_parser_feed per chunk; body_parser_finish
 * once; body_parser_free.  Errors are ERR_ENDPOINT. */
struct body_parser;

/* max_bytes: bodies longer than this are refused (0: no limit).
 * Returns NULL when out of memory.  Free with body_parser_free. */
struct body_parser *body_parser_new(uint64_t max_bytes);
void body_parser_free(struct body_parser *p); /* NULL is a no-op */

int body_parser_feed(struct body_parser *p, const char *buf, size_t len, struct err *err);

/* Ends the body, checks it (go_snapshot_check) and fills *out. */
int body_parser_finish(struct body_parser *p, struct go_snapshot *out, struct err *err);

/* The format detected so far (FMT_UNKNOWN before the first non-blank byte). */
enum body_format body_parser_format(const struct body_parser *p);

/* One-shot form: a whole body in one buffer. */
int parse_body(const char *buf, size_t len, struct go_snapshot *out, struct err *err);

#endif
