/* The report from /proc alone: include/correlate/osonly.h (issue 11). */
#include <string.h>

#include "correlate/osonly.h"

const char *const os_only_cannot_say[] = {
    "how much of the heap arenas is live objects, garbage not yet swept or free spans kept "
    "for reuse (HeapAlloc, HeapInuse, HeapIdle, HeapReleased), nor the heap goal (NextGC)",
    "how much of the plain anonymous memory is Go's own runtime metadata, so the C side is "
    "only known as a range",
    "goroutine stacks (StackInuse) and GC metadata (GCSys)",
    "whether Go's accounting covers the footprint: unexplained_bytes needs Sys and "
    "HeapReleased",
    NULL,
};

const char *const os_only_endpoints[] = {
    "/metrics (the Prometheus Go client, client_golang)",
    "/debug/vars (expvar)",
    "/debug/pprof/heap?debug=1 (net/http/pprof)",
    NULL,
};

void os_only_compute(const struct capture *c, const struct ledger *l, struct os_only_view *v)
{
	memset(v, 0, sizeof *v);
	v->have_split = l->have_split;
	v->file_backed = l->rss_file;
	v->anon_huge = l->anon_huge;
	v->lazy_free = l->lazy_free;
	v->swap = l->swap;
	if (!l->have_split)
		return;
	const struct mapping_summary *m = &c->os.maps;
	v->heap_arenas = l->split_arena;
	v->go_runtime = opt_some(class_anon_footprint(&m->cls[MC_GO_RUNTIME]));
	v->plain_anon = opt_some(class_anon_footprint(&m->cls[MC_OTHER_ANON]));
	v->glibc = l->split_glibc;
	v->thread_stacks = l->split_thread_stacks;
	v->non_go_min = opt_add(v->glibc, v->thread_stacks);
	v->non_go_max = l->non_go_anon_max;
}
