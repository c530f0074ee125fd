/* The report for people.  Every string that came from outside (names,
 * paths, URLs, versions, what findings quote) goes out through put(),
 * escaped (escape.h): nothing from the target reaches the terminal raw. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "correlate/escape.h"
#include "correlate/osonly.h"
#include "correlate/render.h"
#include "correlate/units.h"

struct w {
	FILE *out;
	int failed;
};

__attribute__((format(printf, 2, 3))) static void say(struct w *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vfprintf(w->out, fmt, ap) < 0)
		w->failed = 1;
	va_end(ap);
}

/* s, escaped: ESC_TEXT for raw bytes, ESC_SAFE for text made of messages. */
static void put(struct w *w, const char *s, enum esc_mode mode)
{
	if (esc_fputs(s, mode, w->out) != 0)
		w->failed = 1;
}

/* "141.0 MiB", "unknown" or a count. */
/* One line: indented label, right-aligned amount, meaning.  Label and
 * meaning are correlate's own text, or already escaped; whatever is not
 * printable in them is escaped all the same (ESC_SAFE). */
static void line(struct w *w, int depth, const char *label, opt_u64 v, int count,
		 const char *meaning)
{
	char buf[32], el[ESC_MAX(96)], em[ESC_MAX(160)];
	int pad = 28 - 2 * depth;
	int has = meaning && *meaning;
	if (!esc_is_clean(label, strlen(label)))
		label = esc_str(el, sizeof el, label, ESC_SAFE);
	if (has && !esc_is_clean(meaning, strlen(meaning)))
		meaning = esc_str(em, sizeof em, meaning, ESC_SAFE);
	say(w, "  %*s%-*s %11s%s%s\n", 2 * depth, "", pad, label, fmt_amount(v, count, buf, sizeof buf),
	    has ? "  " : "", has ? meaning : "");
}

#define V0(o) ((o).known ? (o).v : 0)

static void kernel_section(struct w *w, const struct capture *c, const struct ledger *l)
{
	const struct status_values *st = &c->os.status.v;
	say(w, "What the kernel says (%s)\n", c->replay ? "recorded /proc files" : "/proc");
	line(w, 0, "VIRT (VmSize)", st->vm_size, 0, "address space: mapped, reserved or untouched");
	line(w, 0, "RES (VmRSS)", st->vm_rss, 0, "resident now");
	line(w, 1, "RssAnon", st->rss_anon, 0,
	     "anonymous: Go heap and runtime, C malloc, stacks, mmap");
	line(w, 1, "RssFile", st->rss_file, 0, "file-backed: executable, libraries, mapped files");
	line(w, 1, "RssShmem", st->rss_shmem, 0, "shared memory: MAP_SHARED anonymous, memfd, shm");
	line(w, 0, "VmSwap", st->vm_swap, 0, "anonymous memory swapped out");
	const char *nr = c->os.have_rollup ? NULL : "smaps_rollup not read";
	line(w, 0, "LazyFree", l->lazy_free, 0,
	     nr ? nr : "freed with MADV_FREE, counted in RSS until reclaimed");
	line(w, 0, "AnonHugePages", l->anon_huge, 0,
	     nr ? nr : "anonymous memory in transparent huge pages");
	line(w, 0, "VmHWM", st->vm_hwm, 0, "peak RES");
	line(w, 0, "Threads", st->threads, 1, "OS threads");
	say(w, "\n");
}

static void go_section(struct w *w, const struct capture *c, const struct ledger *l)
{
	const struct go_memstats *ms = &c->go.ms;
	say(w, "What the Go runtime says (runtime.MemStats via %s)\n",
	    body_format_name(c->go.format));
	line(w, 0, "Sys", ms->sys, 0, "all the runtime has mapped from the OS (not all resident)");
	line(w, 1, "HeapSys", ms->heap_sys, 0, "heap spans: HeapInuse + HeapIdle");
	line(w, 2, "HeapInuse", ms->heap_inuse, 0, "spans holding objects");
	line(w, 3, "HeapAlloc", ms->heap_alloc, 0, "live objects and garbage not yet swept");
	line(w, 3, "HeapInuse-HeapAlloc", l->heap_unused, 0, "free space inside in-use spans");
	line(w, 2, "HeapIdle", ms->heap_idle, 0, "spans holding nothing");
	line(w, 3, "HeapIdle-HeapReleased", l->heap_free, 0,
	     "free, kept for reuse (resident until scavenged)");
	line(w, 3, "HeapReleased", ms->heap_released, 0, "returned to the OS");
	line(w, 1, "StackSys", ms->stack_sys, 0, "goroutine stacks (StackInuse) and OS stacks");
	line(w, 1, "MSpanSys", ms->mspan_sys, 0, "span descriptors");
	line(w, 1, "MCacheSys", ms->mcache_sys, 0, "per-P allocation caches");
	line(w, 1, "BuckHashSys", ms->buck_hash_sys, 0, "profiling bucket hash table");
	line(w, 1, "GCSys", ms->gc_sys, 0, "GC metadata (mostly untouched until needed)");
	line(w, 1, "OtherSys", ms->other_sys, 0, "other runtime allocations");
	if (ms->next_gc.known && ms->next_gc.v >= (UINT64_C(1) << 62))
		say(w, "  %-28s %11s  %s\n", "NextGC", "none", "no heap goal: GOGC=off");
	else
		line(w, 0, "NextGC", ms->next_gc, 0, "heap goal: the next GC starts here");
	if (ms->goroutines.known)
		line(w, 0, "Goroutines", ms->goroutines, 1, "go_goroutines");
	if (l->sys_parts_ok == 0)
		say(w, "  ! Sys is not the sum of its parts: the body may be altered\n");
	say(w, "\n");
}

static void ledger_section(struct w *w, const struct capture *c, const struct ledger *l)
{
	char a[24], b[24], d[24], e[24];
	say(w, "Ledger\n");
	say(w, "  RES %s = anonymous %s + file-backed %s + shared %s\n", fmt_amount(l->rss, 0, a, 24),
	    fmt_amount(l->rss_anon, 0, b, 24), fmt_amount(l->rss_file, 0, d, 24),
	    fmt_amount(l->rss_shmem, 0, e, 24));
	const char *res_label = l->have_split	   ? "anonymous (smaps)"
				: l->anon_from_rss ? "RES (no RssAnon)"
				: l->anon_source && !strcmp(l->anon_source, "smaps_rollup")
				    ? "Anonymous (smaps_rollup)"
				    : "RssAnon";
	line(w, 0, res_label, l->anon_resident, 0,
	     l->anon_from_rss ? "RssAnon unknown: RES used, file-backed pages included"
	     : l->have_split  ? "summed over the mappings, as the split below"
			      : NULL);
	line(w, 0, "+ swapped out", l->swap, 0, NULL);
	line(w, 0, "- LazyFree", l->lazy_free, 0,
	     l->lazy_free_assumed ? "not read: taken as 0" : "released, not yet reclaimed");
	line(w, 0, "= anonymous footprint", l->anon_footprint, 0,
	     "what Go's accounting should cover");
	line(w, 0, "Go retained", l->go_retained, 0, "Sys - HeapReleased");
	line(w, 1, "covered", l->go_resident, 0, "the part of the footprint Go accounts for");
	line(w, 1, l->have_split ? "not resident" : "not resident (at least)", l->go_not_resident,
	     0, "mapped by Go, never touched (metadata, fresh heap)");
	line(w, 0, l->have_split ? "unexplained" : "unexplained (at least)", l->unexplained, 0,
	     "anonymous memory outside Go's accounting");
	if (l->have_split) {
		say(w, "  split by mapping (smaps):\n");
		for (size_t i = 0; i < ledger_rows_count; i++) {
			const struct ledger_row *r = &ledger_rows[i];
			if (strcmp(r->section, "split") == 0)
				line(w, r->depth + 1, r->label, ledger_get(l, r), r->is_count,
				     r->meaning);
		}
	} else {
		say(w, "  (smaps not read: the footprint is not split by mapping)\n");
	}
	say(w, "  VIRT %s = Go Sys %s + executable and libraries %s + main stack %s + other %s\n",
	    fmt_amount(l->virt, 0, a, 24), fmt_amount(l->virt_go, 0, b, 24),
	    fmt_amount(l->virt_exe_libs, 0, d, 24), fmt_amount(l->virt_main_stack, 0, e, 24),
	    fmt_amount(l->virt_other, 0, (char[24]){0}, 24));
	line(w, 1, "memory behind it", l->virt_backed, 0, "RES + swap");
	line(w, 1, "address space only", l->virt_unbacked, 0, "reserved or never touched");
	if (l->have_split) {
		/* Every mapping is in one class: the classes add up to VIRT. */
		const struct mapping_summary *m = &c->os.maps;
		int order[MC_COUNT];
		for (int k = 0; k < MC_COUNT; k++)
			order[k] = k;
		for (int i = 0; i < MC_COUNT; i++)
			for (int j = i + 1; j < MC_COUNT; j++)
				if (m->cls[order[j]].size > m->cls[order[i]].size) {
					int t = order[i];
					order[i] = order[j];
					order[j] = t;
				}
		say(w, "    by class (size, of which PROT_NONE reserved):\n");
		for (int i = 0; i < MC_COUNT; i++) {
			const struct class_total *t = &m->cls[order[i]];
			if (!t->size)
				continue;
			char mean[96];
			snprintf(mean, sizeof mean, "%s reserved, %s resident",
				 fmt_iec(t->reserved, a, 24), fmt_iec(t->rss, b, 24));
			line(w, 3, map_class_label(order[i]), opt_some(t->size), 0, mean);
		}
	}
	say(w, "\n");
}

static void mappings_section(struct w *w, const struct render_input *in)
{
	const struct mapping_summary *m = &in->c->os.maps;
	char a[24], b[24], d[24], e[24];
	if (!m->have)
		return;
	say(w, "Mappings by class (/proc/PID/smaps, %llu mappings)\n",
	    (unsigned long long)m->mappings);
	say(w, "  %-20s %6s %11s %11s %11s %11s %11s\n", "class", "maps", "size", "resident",
	    "anonymous", "swap", "LazyFree");
	for (int k = 0; k < MC_COUNT; k++) {
		const struct class_total *t = &m->cls[k];
		if (!t->mappings)
			continue;
		say(w, "  %-20s %6llu %11s %11s %11s %11s %11s\n", map_class_label(k),
		    (unsigned long long)t->mappings, fmt_iec(t->size, a, 24),
		    fmt_iec(t->rss, b, 24), fmt_iec(t->anonymous, d, 24), fmt_iec(t->swap, e, 24),
		    fmt_iec(t->lazy_free, (char[24]){0}, 24));
	}
	say(w, "\n");
	if (!in->mappings)
		return;
	say(w, "Every mapping\n");
	say(w, "  %-27s %-4s %-14s %10s %10s %10s  %s\n", "address", "perm", "class", "size",
	    "resident", "swap", "path");
	for (size_t i = 0; i < m->n_rows; i++) {
		const struct mapping_row *r = &m->rows[i];
		char perms[ESC_MAX(sizeof r->perms)];
		say(w, "  %012llx-%012llx %-4s %-14s %10s %10s %10s  ",
		    (unsigned long long)r->start, (unsigned long long)r->end,
		    esc_str(perms, sizeof perms, r->perms, ESC_TEXT), map_class_name(r->cls),
		    fmt_iec(r->end - r->start, a, 24), fmt_iec(r->rss, b, 24),
		    fmt_iec(r->swap, d, 24));
		put(w, r->path, ESC_TEXT);
		say(w, "\n");
	}
	say(w, "\n");
}

/* What kubelet and kubectl top count, and what the OOM killer does: the
 * memory cgroup as the kernel charges it (cgroup_ledger.h). */
static void cgroup_section(struct w *w, const struct capture *c, const struct ledger *l)
{
	const struct cgroup_info *info = &c->os.cgroup;
	const struct cgroup_ledger *cg = &l->cg;
	char e[ESC_MAX(512)], m[ESC_MAX(512) + 96], a[24];
	say(w, "What kubectl top would say");
	if (!cg->have) {
		say(w, " (no memory cgroup: ");
		put(w, info->why[0] ? info->why : "not read", ESC_TEXT);
		say(w, ")\n\n");
		return;
	}
	say(w, " (cgroup v%d ", cg->version);
	put(w, info->path, ESC_TEXT);
	say(w, ")\n");
	int v2 = cg->version == 2;
	line(w, 0, "working set", cg->working_set, 0,
	     cg->working_set.known ? "usage - inactive_file: what kubelet and kubectl top show"
				   : "inactive_file unknown");
	line(w, 1, "anonymous", cg->anon, 0, v2 ? "anon: heaps, stacks, C memory of every process"
						 : "total_rss: heaps, stacks, C memory");
	line(w, 1, "active page cache", cg->active_file, 0,
	     "active_file: recently used file pages, reclaimable");
	line(w, 1, "shmem, tmpfs", cg->file_unlisted, 0,
	     "page cache off the file LRU: not reclaimable without swap");
	line(w, 1, "kernel", cg->kernel, 0,
	     v2 ? "slab, kernel stacks, page tables, percpu, vmalloc"
		: "memory.kmem.usage_in_bytes: slab, kernel stacks, page tables");
	if (cg->sock_in_usage)
		line(w, 1, "socket buffers", cg->sock, 0, "sock: network transmission buffers");
	line(w, 1, "left over", cg->other, 0, "charged but not broken out (per-CPU charge caches)");
	line(w, 0, "+ inactive page cache", cg->inactive_file, 0,
	     "inactive_file: reclaimed first, left out of the working set");
	line(w, 0, "= usage", cg->usage, 0, v2 ? "memory.current" : "memory.usage_in_bytes");
	if (!cg->sock_in_usage && cg->sock.known)
		line(w, 0, "TCP buffers", cg->sock, 0,
		     "memory.kmem.tcp.usage_in_bytes: v1 counts them apart from usage");
	if (cg->swap.known)
		line(w, 0, "swap", cg->swap, 0, v2 ? "memory.swap.current" : "total_swap");
	if (cg->limit.known) {
		if (cg->limit_level == CG_LIMIT_HIDDEN)
			snprintf(m, sizeof m, "%s: set above the hierarchy mounted here",
				 cg->limit_file);
		else
			snprintf(m, sizeof m, "%s of %s%s", cg->limit_file,
				 esc_str(e, sizeof e, cg->limit_path, ESC_TEXT),
				 cg->limit_level > 0 ? " (a parent)" : "");
		line(w, 0, "limit", cg->limit, 0, m);
		if (V0(cg->outside))
			line(w, 1, "of it, other cgroups", cg->outside, 0,
			     "the limiting cgroup's usage beyond this one's");
		line(w, 0, "can be reclaimed", cg->limit_reclaimable, 0,
		     cg->limit_reclaimable.known
			 ? "active and inactive file, reclaimable slab: taken back before an OOM kill"
			 : "memory.stat's file lists unknown: none counted");
		line(w, 0, "cannot be reclaimed", cg->limit_unreclaimable, 0,
		     "what the OOM killer counts against the limit");
		line(w, 0, "headroom", cg->headroom, 0, "limit - cannot be reclaimed");
	} else {
		say(w, "  %-28s %11s  %s\n", "limit", "none", "no memory.max or memory.high up the "
							  "hierarchy");
	}
	snprintf(m, sizeof m, "of the cgroup's %s of anon", fmt_amount(cg->anon, 0, a, sizeof a));
	line(w, 0, "this process's RssAnon", cg->self_anon, 0, m);
	snprintf(m, sizeof m, "mapped files, of the cgroup's %s of page cache",
		 fmt_amount(cg->file, 0, a, sizeof a));
	line(w, 0, "this process's RssFile", cg->self_file, 0, m);
	line(w, 1, "page cache not mapped", cg->cache_not_mapped, 0,
	     "files read and written, or other processes'");
	if (info->procs_read) {
		say(w, "  processes (cgroup.procs lists %llu)\n",
		    (unsigned long long)info->procs_count);
		for (size_t i = 0; i < cg->n_procs; i++) {
			const struct cgroup_proc *p = &cg->procs[i];
			char label[ESC_MAX(64) + 32];
			snprintf(label, sizeof label, "pid %d %s", p->pid,
				 esc_str(e, sizeof e, p->comm, ESC_TEXT));
			line(w, 1, label, p->rss, 0, p->self ? "RSS: this process" : "RSS");
		}
		if (info->procs_count > cg->n_procs)
			say(w, "    (%llu more, smaller or not read)\n",
			    (unsigned long long)(info->procs_count - cg->n_procs));
	}
	const struct cgroup_events *ev = &info->level[0].events;
	if (ev->oom_kill.known || ev->max.known) {
		say(w, "  %-28s %11s  ", "events", "");
		if (v2)
			say(w, "oom %llu, oom_kill %llu, max %llu, high %llu (memory.events)\n",
			    (unsigned long long)V0(ev->oom), (unsigned long long)V0(ev->oom_kill),
			    (unsigned long long)V0(ev->max), (unsigned long long)V0(ev->high));
		else
			say(w, "oom_kill %llu, under_oom %d (memory.oom_control); failcnt %llu\n",
			    (unsigned long long)V0(ev->oom_kill), ev->under_oom > 0,
			    (unsigned long long)V0(ev->max));
	}
	if (info->level[0].have_pressure) {
		const struct cgroup_pressure *p = &info->level[0].pressure;
		say(w, "  %-28s %11s  some %.2f%% %.2f%% %.2f%% (10 s, 60 s, 300 s)", "pressure", "",
		    p->some.avg10, p->some.avg60, p->some.avg300);
		if (p->full.have)
			say(w, "; full %.2f%% %.2f%% %.2f%%", p->full.avg10, p->full.avg60,
			    p->full.avg300);
		say(w, "\n");
	}
	say(w, "\n");
}

static void findings_section(struct w *w, const struct findings *fs)
{
	say(w, "Findings (largest first)\n");
	if (fs->n == 0)
		say(w, "  none: the kernel's and Go's numbers agree\n");
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		const char *sev = f->severity == SEV_CRITICAL  ? "CRITICAL"
				  : f->severity == SEV_WARNING ? "WARNING"
							       : "info";
		say(w, "  %-8s %-22s ", sev, f->id);
		put(w, f->summary, ESC_TEXT);
		say(w, "\n");
		/* The ones that need acting on carry their numbers and next step. */
		if (f->severity != SEV_INFO) {
			if (f->evidence[0]) {
				say(w, "  %-31s because: ", "");
				put(w, f->evidence, ESC_TEXT);
				say(w, "\n");
			}
			if (f->advice[0]) {
				say(w, "  %-31s try: ", "");
				put(w, f->advice, ESC_TEXT);
				say(w, "\n");
			}
		}
	}
}

/* ---- issue 11: where the endpoint was reached; the report from /proc alone */

static void endpoint_lines(struct w *w, const struct capture *c)
{
	if (capture_os_only(c)) {
		say(w, "  OS-ONLY   a report from /proc alone: no Go runtime numbers (MemStats)\n");
		say(w, "  endpoint  none: ");
		put(w, c->reach.go_missing[0] ? c->reach.go_missing : "not recorded", ESC_SAFE);
		say(w, "\n");
		return;
	}
	say(w, "  endpoint  ");
	put(w, c->url, ESC_TEXT);
	say(w, " (%s)%s\n", body_format_name(c->go.format),
	    c->reach.discovered ? ", found among the sockets it listens on" : "");
}

static void reached_line(struct w *w, const struct capture *c)
{
	const struct reach_info *r = &c->reach;
	if (!r->net_ino && !r->fetched_as[0] && !r->unix_via[0])
		return;
	if (!r->fetched_as[0]) { /* nothing was fetched: where it is, only */
		if (r->net_ino == r->self_net_ino)
			say(w, "  netns     net:[%llu], correlate's too\n", (unsigned long long)r->net_ino);
		else
			say(w, "  netns     net:[%llu] (correlate's is net:[%llu])\n",
			    (unsigned long long)r->net_ino, (unsigned long long)r->self_net_ino);
		return;
	}
	say(w, "  reached   ");
	if (r->net_ino && r->net_entered)
		say(w, "in its network namespace net:[%llu] (correlate's is net:[%llu])",
		    (unsigned long long)r->net_ino, (unsigned long long)r->self_net_ino);
	else if (r->net_ino && r->net_ino == r->self_net_ino)
		say(w, "in correlate's own network namespace net:[%llu], which it shares",
		    (unsigned long long)r->net_ino);
	else if (r->net_ino)
		say(w, "from correlate's network namespace net:[%llu] (its own is net:[%llu])",
		    (unsigned long long)r->self_net_ino, (unsigned long long)r->net_ino);
	if (r->unix_via[0]) {
		say(w, "; the unix socket through ");
		put(w, r->unix_via, ESC_TEXT);
	}
	if (r->fetched_as[0]) {
		say(w, "; fetched by ");
		put(w, r->fetched_as, ESC_SAFE);
	}
	say(w, "\n");
}

static void os_only_section(struct w *w, const struct capture *c, const struct ledger *l)
{
	struct os_only_view v;
	os_only_compute(c, l, &v);
	say(w, "What /proc alone says (no MemStats)\n");
	if (v.have_split) {
		line(w, 0, "Go heap arenas", v.heap_arenas, 0,
		     "the heap's arenas (found by shape): live objects, garbage, free spans alike");
		line(w, 0, "Go runtime reservations", v.go_runtime, 0,
		     "the runtime's PROT_NONE reservations and their heads");
		line(w, 0, "plain anonymous", v.plain_anon, 0,
		     "C mmap, malloc blocks of 128 KiB+, Go metadata: /proc cannot tell them apart");
		line(w, 0, "glibc malloc", v.glibc, 0, "[heap] and thread arenas: C allocations");
		line(w, 0, "thread stacks", v.thread_stacks, 0, "pthread stacks (cgo threads)");
		line(w, 0, "non-Go, at least", v.non_go_min, 0, "glibc + thread stacks");
		line(w, 0, "non-Go, at most", v.non_go_max, 0,
		     "+ the plain anonymous mappings, if none of them were Go's");
	} else {
		say(w, "  (smaps not read: the anonymous memory cannot be split by mapping)\n");
	}
	line(w, 0, "file-backed (RssFile)", v.file_backed, 0,
	     "the binary, libraries, mapped files: page cache, never Go's");
	line(w, 0, "huge pages", v.anon_huge, 0, "AnonHugePages");
	line(w, 0, "LazyFree", v.lazy_free, 0, "freed with MADV_FREE, still counted in RSS");
	line(w, 0, "swap", v.swap, 0, "VmSwap: out of RSS, still the process's");
	say(w, "What it cannot say without MemStats\n");
	for (size_t i = 0; os_only_cannot_say[i]; i++)
		say(w, "  - %s\n", os_only_cannot_say[i]);
	say(w, "  any of these would let it be said:");
	for (size_t i = 0; os_only_endpoints[i]; i++)
		say(w, "%s %s", i ? "," : "", os_only_endpoints[i]);
	say(w, "; serve one and give --url, or let correlate find it\n\n");
}

int render_text(FILE *out, const struct render_input *in)
{
	struct w w = {out, 0};
	const struct capture *c = in->c;
	char when[32];
	if (c->captured_at)
		fmt_rfc3339(c->captured_at, when, sizeof when);
	else
		snprintf(when, sizeof when, "unknown"); /* a pair without meta.json */
	const char *gv = capture_go_version(c);
	const char *comm = c->os.id.comm[0] ? c->os.id.comm : c->os.status.name;
	if (c->os.id.pid) {
		say(&w, "correlate %s: pid %d", CORRELATE_VERSION, (int)c->os.id.pid);
		if (comm[0]) {
			say(&w, " (");
			put(&w, comm, ESC_TEXT);
			say(&w, ")");
		}
		say(&w, "%s\n", c->replay ? ", replayed" : "");
	} else {
		say(&w, "correlate %s: pid unknown%s\n", CORRELATE_VERSION,
		    c->replay ? ", replayed" : "");
	}
	endpoint_lines(&w, c);
	/* tried and owner are made of messages, already escaped. */
	if (c->tried[0]) {
		say(&w, "  tried     ");
		put(&w, c->tried, ESC_SAFE);
		say(&w, "\n");
	}
	if (c->owner[0]) {
		say(&w, "  owner     ");
		put(&w, c->owner, ESC_SAFE);
		say(&w, "\n");
	}
	reached_line(&w, c);
	if (c->probe_cpu_ns.known)
		say(&w, "  cost      the target spent %.1f ms of CPU answering (%.1f ms wall, %s)\n",
		    (double)c->probe_cpu_ns.v / 1e6, c->fetch_seconds * 1e3,
		    fmt_iec(c->go.body_bytes, (char[24]){0}, 24));
	say(&w, "  Go        ");
	put(&w, gv ? gv : "version unknown", ESC_TEXT);
	say(&w, "\n");
	if (c->replay) {
		say(&w, "  recorded  %s; replayed from ", when);
		put(&w, c->source, ESC_TEXT);
		say(&w, "\n");
		if (c->not_recorded[0]) {
			say(&w, "  not recorded: ");
			put(&w, c->not_recorded, ESC_SAFE);
			say(&w, ": what they would tell is unknown below\n");
		}
		say(&w, "\n");
	} else {
		say(&w, "  captured  %s\n\n", when);
	}
	kernel_section(&w, c, in->l);
	if (!capture_os_only(c))
		go_section(&w, c, in->l);
	mappings_section(&w, in);
	if (capture_os_only(c))
		os_only_section(&w, c, in->l);
	else
		ledger_section(&w, c, in->l);
	cgroup_section(&w, c, in->l);
	findings_section(&w, in->fs);
	return w.failed ? -1 : 0;
}
