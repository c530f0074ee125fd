/* The one table of Go memory fields: every format's name for each. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "correlate/memstats.h"

#define OFF(field) offsetof(struct go_memstats, field)

/* json, label, pprof key, pprof part, expvar key, prometheus name, seconds, unit, offset */
const struct go_field go_fields[] = {
    {"alloc_bytes", "Alloc", "Alloc", 0, "Alloc", "go_memstats_alloc_bytes", 0, GU_BYTES,
     OFF(alloc)},
    {"total_alloc_bytes", "TotalAlloc", "TotalAlloc", 0, "TotalAlloc",
     "go_memstats_alloc_bytes_total", 0, GU_BYTES, OFF(total_alloc)},
    {"sys_bytes", "Sys", "Sys", 0, "Sys", "go_memstats_sys_bytes", 0, GU_BYTES, OFF(sys)},
    {"lookups", "Lookups", "Lookups", 0, "Lookups", "go_memstats_lookups_total", 0, GU_COUNT,
     OFF(lookups)},
    {"mallocs", "Mallocs", "Mallocs", 0, "Mallocs", "go_memstats_mallocs_total", 0, GU_COUNT,
     OFF(mallocs)},
    {"frees", "Frees", "Frees", 0, "Frees", "go_memstats_frees_total", 0, GU_COUNT, OFF(frees)},
    {"heap_alloc_bytes", "HeapAlloc", "HeapAlloc", 0, "HeapAlloc", "go_memstats_heap_alloc_bytes",
     0, GU_BYTES, OFF(heap_alloc)},
    {"heap_sys_bytes", "HeapSys", "HeapSys", 0, "HeapSys", "go_memstats_heap_sys_bytes", 0,
     GU_BYTES, OFF(heap_sys)},
    {"heap_idle_bytes", "HeapIdle", "HeapIdle", 0, "HeapIdle", "go_memstats_heap_idle_bytes", 0,
     GU_BYTES, OFF(heap_idle)},
    {"heap_inuse_bytes", "HeapInuse", "HeapInuse", 0, "HeapInuse", "go_memstats_heap_inuse_bytes",
     0, GU_BYTES, OFF(heap_inuse)},
    {"heap_released_bytes", "HeapReleased", "HeapReleased", 0, "HeapReleased",
     "go_memstats_heap_released_bytes", 0, GU_BYTES, OFF(heap_released)},
    {"heap_objects", "HeapObjects", "HeapObjects", 0, "HeapObjects", "go_memstats_heap_objects", 0,
     GU_COUNT, OFF(heap_objects)},
    {"stack_inuse_bytes", "StackInuse", "Stack", 1, "StackInuse", "go_memstats_stack_inuse_bytes",
     0, GU_BYTES, OFF(stack_inuse)},
    {"stack_sys_bytes", "StackSys", "Stack", 2, "StackSys", "go_memstats_stack_sys_bytes", 0,
     GU_BYTES, OFF(stack_sys)},
    {"mspan_inuse_bytes", "MSpanInuse", "MSpan", 1, "MSpanInuse", "go_memstats_mspan_inuse_bytes",
     0, GU_BYTES, OFF(mspan_inuse)},
    {"mspan_sys_bytes", "MSpanSys", "MSpan", 2, "MSpanSys", "go_memstats_mspan_sys_bytes", 0,
     GU_BYTES, OFF(mspan_sys)},
    {"mcache_inuse_bytes", "MCacheInuse", "MCache", 1, "MCacheInuse",
     "go_memstats_mcache_inuse_bytes", 0, GU_BYTES, OFF(mcache_inuse)},
    {"mcache_sys_bytes", "MCacheSys", "MCache", 2, "MCacheSys", "go_memstats_mcache_sys_bytes", 0,
     GU_BYTES, OFF(mcache_sys)},
    {"buck_hash_sys_bytes", "BuckHashSys", "BuckHashSys", 0, "BuckHashSys",
     "go_memstats_buck_hash_sys_bytes", 0, GU_BYTES, OFF(buck_hash_sys)},
    {"gc_sys_bytes", "GCSys", "GCSys", 0, "GCSys", "go_memstats_gc_sys_bytes", 0, GU_BYTES,
     OFF(gc_sys)},
    {"other_sys_bytes", "OtherSys", "OtherSys", 0, "OtherSys", "go_memstats_other_sys_bytes", 0,
     GU_BYTES, OFF(other_sys)},
    {"next_gc_bytes", "NextGC", "NextGC", 0, "NextGC", "go_memstats_next_gc_bytes", 0, GU_BYTES,
     OFF(next_gc)},
    {"last_gc_ns", "LastGC", "LastGC", 0, "LastGC", "go_memstats_last_gc_time_seconds", 1, GU_NS,
     OFF(last_gc_ns)},
    {"pause_total_ns", "PauseTotalNs", NULL, 0, "PauseTotalNs", NULL, 0, GU_NS,
     OFF(pause_total_ns)},
    {"num_gc", "NumGC", "NumGC", 0, "NumGC", NULL, 0, GU_COUNT, OFF(num_gc)},
    {"num_forced_gc", "NumForcedGC", "NumForcedGC", 0, "NumForcedGC", NULL, 0, GU_COUNT,
     OFF(num_forced_gc)},
    {"max_rss_bytes", "MaxRSS", "MaxRSS", 0, NULL, NULL, 0, GU_BYTES, OFF(max_rss)},
    {"goroutines", "Goroutines", NULL, 0, NULL, "go_goroutines", 0, GU_COUNT, OFF(goroutines)},
    {"threads_created", "Threads", NULL, 0, NULL, "go_threads", 0, GU_COUNT, OFF(threads)},
    {"process_rss_bytes", "process RSS", NULL, 0, NULL, "process_resident_memory_bytes", 0,
     GU_BYTES, OFF(process_rss)},
    {"process_vsize_bytes", "process VSZ", NULL, 0, NULL, "process_virtual_memory_bytes", 0,
     GU_BYTES, OFF(process_vsize)},
    {"gomemlimit_bytes", "GOMEMLIMIT", NULL, 0, NULL, "go_gc_gomemlimit_bytes", 0, GU_BYTES,
     OFF(gomemlimit)},
    {"gogc_percent", "GOGC", NULL, 0, NULL, "go_gc_gogc_percent", 0, GU_COUNT, OFF(gogc_percent)},
    {"heap_live_bytes", "heap live at last GC", NULL, 0, NULL, "go_gc_heap_live_bytes", 0,
     GU_BYTES, OFF(heap_live)},
    {"gomaxprocs", "GOMAXPROCS", NULL, 0, NULL, "go_sched_gomaxprocs_threads", 0, GU_COUNT,
     OFF(gomaxprocs)},
};
const size_t go_fields_count = sizeof go_fields / sizeof go_fields[0];
_Static_assert(sizeof go_fields / sizeof go_fields[0] ==
		   sizeof(struct go_memstats) / sizeof(opt_u64),
	       "go_fields[] and struct go_memstats must list the same fields");

opt_u64 *go_field_ptr(struct go_memstats *ms, const struct go_field *f)
{
	return (opt_u64 *)((char *)ms + f->offset);
}

opt_u64 go_field_get(const struct go_memstats *ms, const struct go_field *f)
{
	return *(const opt_u64 *)((const char *)ms + f->offset);
}

const struct go_field *go_field_by_json(const char *json)
{
	for (size_t i = 0; i < go_fields_count; i++)
		if (strcmp(go_fields[i].json, json) == 0)
			return &go_fields[i];
	return NULL;
}

const char *body_format_name(enum body_format f)
{
	switch (f) {
	case FMT_PPROF:
		return "pprof";
	case FMT_EXPVAR:
		return "expvar";
	case FMT_PROMETHEUS:
		return "prometheus";
	case FMT_UNKNOWN:
		break;
	}
	return "unknown";
}

int go_snapshot_check(const struct go_snapshot *s, struct err *err)
{
	static const char *const required[] = {"sys_bytes",	   "heap_alloc_bytes",
					       "heap_sys_bytes",   "heap_idle_bytes",
					       "heap_inuse_bytes", "heap_released_bytes"};
	char missing[200] = "";
	size_t n = 0;
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		const struct go_field *f = go_field_by_json(required[i]);
		if (go_field_get(&s->ms, f).known)
			continue;
		size_t used = strlen(missing);
		snprintf(missing + used, sizeof missing - used, "%s%s", n++ ? ", " : "", f->label);
	}
	if (n == 0)
		return 0;
	if (n == sizeof required / sizeof required[0])
		return err_set(err, ERR_ENDPOINT, "%s body has no runtime.MemStats",
			       body_format_name(s->format));
	return err_set(err, ERR_ENDPOINT, "%s body is missing MemStats fields: %s (truncated?)",
		       body_format_name(s->format), missing);
}
