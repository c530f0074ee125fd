/* The container's view (docs/model.md, "The container's view"): the memory
 * cgroup's usage by kind, the working set, what reclaim can take back, the
 * effective limit, and the process among the cgroup's processes. */
#include <stdio.h>
#include <string.h>

#include "correlate/capture.h"
#include "correlate/cgroup_ledger.h"

#define V0(o) ((o).known ? (o).v : 0)

/* What reclaim takes back before the OOM killer: the file LRU, active and
 * inactive (shrink_active_list deactivates active pages when the inactive
 * list runs short), and reclaimable slab (dentries, inodes).  shmem and
 * tmpfs are off the file LRU and stay without swap.  Unknown when the file
 * lists were not read. */
static opt_u64 reclaimable_of(const struct cgroup_stat *s)
{
	opt_u64 r = opt_add(s->active_file, s->inactive_file);
	return opt_add(r, opt_or(s->slab_reclaimable, opt_some(0)));
}

static opt_u64 kernel_of(const struct cgroup_level *lv, int version, int *summed)
{
	const struct cgroup_stat *s = &lv->stat;
	*summed = 0;
	if (version == 1)
		return lv->kmem; /* memory.kmem.usage_in_bytes: fed into usage (memory.rst 2.7) */
	if (s->kernel.known)
		return s->kernel;
	/* Before 5.18 there is no `kernel` key: its parts, as the kernel
	 * documentation lists them. */
	const opt_u64 parts[] = {s->slab_reclaimable, s->slab_unreclaimable, s->kernel_stack,
				 s->pagetables,	      s->sec_pagetables,     s->percpu,
				 s->vmalloc};
	opt_u64 k = opt_none();
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (parts[i].known)
			k = opt_add(opt_or(k, opt_some(0)), parts[i]);
	*summed = k.known;
	return k;
}

/* The limit with the least headroom, up the hierarchy: a parent's limit
 * counts its other children too, so the tightest is not always the
 * smallest.  Ties go to the smaller limit, then to the deeper cgroup. */
static void effective_limit(const struct cgroup_info *cg, const struct cgroup_level *levels,
			    size_t n_levels, struct cgroup_ledger *out)
{
	uint64_t best_head = 0;
	out->limit_level = CG_LIMIT_NONE;
	for (size_t i = 0; i < n_levels; i++) {
		const struct cgroup_level *lv = &levels[i];
		if (!lv->read || !lv->usage.known)
			continue;
		opt_u64 rec = reclaimable_of(&lv->stat);
		opt_u64 unrec = opt_sub_sat(lv->usage, opt_or(rec, opt_some(0)));
		const struct {
			opt_u64 v;
			const char *file;
		} cand[] = {
		    {lv->max, cg->version == 2 ? "memory.max" : "memory.limit_in_bytes"},
		    {cg->version == 2 ? lv->high : opt_none(), "memory.high"},
		};
		for (size_t k = 0; k < sizeof cand / sizeof cand[0]; k++) {
			if (!cand[k].v.known)
				continue;
			uint64_t head = V0(opt_sub_sat(cand[k].v, unrec));
			if (out->limit_level != CG_LIMIT_NONE &&
			    (head > best_head || (head == best_head && cand[k].v.v >= out->limit.v)))
				continue;
			best_head = head;
			out->limit_level = (int)i;
			out->limit = cand[k].v;
			out->limit_file = cand[k].file;
			snprintf(out->limit_path, sizeof out->limit_path, "%s", lv->path);
			out->limit_usage = lv->usage;
			out->limit_reclaimable = rec;
			out->limit_unreclaimable = unrec;
			out->limit_events = lv->events;
		}
	}
	/* v1 knows the hierarchy's limit even where the mount shows none of it
	 * (a container without a cgroup namespace): memory.stat's
	 * hierarchical_memory_limit, the smallest limit up to the root. */
	const struct cgroup_level *leaf = &levels[0];
	opt_u64 hier = leaf->stat.hierarchical_limit;
	if (cg->version == 1 && hier.known && leaf->usage.known &&
	    (out->limit_level == CG_LIMIT_NONE || hier.v < out->limit.v)) {
		out->limit_level = CG_LIMIT_HIDDEN;
		out->limit = hier;
		out->limit_file = "hierarchical_memory_limit";
		out->limit_path[0] = '\0';
		out->limit_usage = leaf->usage; /* at least: that cgroup holds this one */
		out->limit_reclaimable = reclaimable_of(&leaf->stat);
		out->limit_unreclaimable =
		    opt_sub_sat(leaf->usage, opt_or(out->limit_reclaimable, opt_some(0)));
		out->limit_events = leaf->events;
	}
	if (out->limit_level == CG_LIMIT_NONE)
		return;
	out->headroom = opt_sub_sat(out->limit, out->limit_unreclaimable);
	out->outside = opt_sub_sat(out->limit_usage, out->usage);
}

static void swap_limit(int version, const struct cgroup_level *levels, size_t n_levels,
		       struct cgroup_ledger *out)
{
	out->swap_limit = opt_none();
	if (version == 1) {
		out->swap_limit = levels[0].stat.hierarchical_memsw;
		return;
	}
	for (size_t i = 0; i < n_levels; i++) {
		opt_u64 s = levels[i].swap_max;
		if (s.known && (!out->swap_limit.known || s.v < out->swap_limit.v))
			out->swap_limit = s;
	}
}

static void processes(const struct capture *c, struct cgroup_ledger *out)
{
	const struct cgroup_info *cg = &c->os.cgroup;
	const struct status_values *st = &c->os.status.v;
	out->n_procs = cg->n_procs;
	memcpy(out->procs, cg->procs, cg->n_procs * sizeof cg->procs[0]);
	for (size_t i = 0; i < out->n_procs; i++) {
		struct cgroup_proc *p = &out->procs[i];
		if (!p->self)
			continue;
		const char *comm = c->os.id.comm[0] ? c->os.id.comm : c->os.status.name;
		snprintf(p->comm, sizeof p->comm, "%s", comm);
		p->rss = st->vm_rss;
		p->rss_anon = st->rss_anon;
		p->rss_file = st->rss_file;
		p->rss_shmem = st->rss_shmem;
	}
	/* largest RSS first (insertion sort: a handful) */
	for (size_t i = 1; i < out->n_procs; i++)
		for (size_t j = i; j > 0 && V0(out->procs[j].rss) > V0(out->procs[j - 1].rss); j--) {
			struct cgroup_proc t = out->procs[j];
			out->procs[j] = out->procs[j - 1];
			out->procs[j - 1] = t;
		}
	out->others_rss = cg->procs_read ? cg->others_rss : opt_none();
}

void cgroup_reconcile(const struct capture *c, struct cgroup_ledger *out)
{
	const struct cgroup_info *cg = &c->os.cgroup;
	memset(out, 0, sizeof *out);
	out->limit_level = CG_LIMIT_NONE;
	out->limit_events.under_oom = -1;
	/* Without levels (a cgroup_info filled by hand, with only its leaf's
	 * summary), the summary is the leaf. */
	struct cgroup_level summary;
	const struct cgroup_level *levels = cg->level;
	size_t n_levels = cg->n_levels;
	if (n_levels == 0) {
		memset(&summary, 0, sizeof summary);
		snprintf(summary.path, sizeof summary.path, "%s", cg->path);
		summary.read = 1;
		summary.usage = cg->usage;
		summary.max = cg->limit;
		summary.stat.anon = cg->anon;
		summary.stat.file = cg->file;
		summary.events.under_oom = -1;
		levels = &summary;
		n_levels = 1;
	}
	if (cg->version == 0 || !levels[0].usage.known)
		return;
	const struct cgroup_level *leaf = &levels[0];
	const struct cgroup_stat *s = &leaf->stat;
	out->have = 1;
	out->version = cg->version;
	out->legacy = cg->legacy || cg->n_levels == 0;

	out->usage = leaf->usage;
	out->anon = s->anon;
	out->file = s->file;
	out->active_file = s->active_file;
	out->inactive_file = s->inactive_file;
	out->shmem = s->shmem;
	out->file_unlisted = opt_sub_sat(s->file, opt_add(s->active_file, s->inactive_file));
	out->kernel = kernel_of(leaf, cg->version, &out->kernel_summed);
	out->slab_reclaimable = s->slab_reclaimable;
	out->slab_unreclaimable = s->slab_unreclaimable;
	out->kernel_stack = s->kernel_stack;
	out->pagetables = s->pagetables;
	out->percpu = s->percpu;
	out->vmalloc = s->vmalloc;
	out->sock_in_usage = cg->version == 2;
	out->sock = cg->version == 2 ? s->sock : leaf->kmem_tcp;
	out->swap = cg->version == 2 ? leaf->swap_usage : s->swap;
	/* What is left over: v1's charges cached per CPU (up to 64 pages a CPU
	 * are charged ahead, memcontrol.c MEMCG_CHARGE_BATCH), and whatever a
	 * kernel version does not break out. */
	opt_u64 parts = opt_add(opt_add(out->anon, out->file), out->kernel);
	if (out->sock_in_usage)
		parts = opt_add(parts, out->sock);
	out->other = opt_sub_sat(out->usage, parts);

	/* kubelet's working set (cAdvisor: usage - inactive_file, floored at 0) */
	out->working_set = opt_sub_sat(out->usage, out->inactive_file);
	out->reclaimable = reclaimable_of(s);
	out->unreclaimable = opt_sub_sat(out->usage, opt_or(out->reclaimable, opt_some(0)));

	effective_limit(cg, levels, n_levels, out);
	swap_limit(cg->version, levels, n_levels, out);

	const struct status_values *st = &c->os.status.v;
	out->self_anon = st->rss_anon;
	out->self_file = st->rss_file;
	out->self_shmem = st->rss_shmem;
	out->anon_not_self = opt_sub_sat(out->anon, st->rss_anon);
	out->cache_not_mapped =
	    opt_sub_sat(out->file, opt_add(st->rss_file, opt_or(st->rss_shmem, opt_some(0))));
	processes(c, out);
}
