/* The JSON document (docs/json.md).  Numbers are written as raw integer
 * text so that 64-bit byte counts are exact (cJSON's numbers are doubles).
 * Every helper notes an allocation failure in the builder, which is checked
 * once at the end: a document is either whole or not written. */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "correlate/escape.h"
#include "correlate/osonly.h"
#include "correlate/proc.h"
#include "correlate/render.h"
#include "jsonb.h"

void fmt_rfc3339(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, cap, "1970-01-01T00:00:00Z");
}

static void proc_fields(struct jb *b, cJSON *o, const struct proc_field *rows, size_t n,
			const void *base)
{
	for (size_t i = 0; i < n; i++)
		u64(b, o, rows[i].json, *(const opt_u64 *)((const char *)base + rows[i].offset));
}

static void os_section(struct jb *b, cJSON *root, const struct capture *c)
{
	const struct os_snapshot *os = &c->os;
	const struct smaps_values *ru = os->have_rollup ? &os->rollup : NULL;
	cJSON *o = obj(b, root, "os");
	proc_fields(b, o, status_fields, status_fields_count, &os->status.v);
	u64(b, o, "lazy_free_bytes", ru ? ru->lazy_free : opt_none());
	u64(b, o, "anon_huge_pages_bytes", ru ? ru->anon_huge_pages : opt_none());
	str(b, o, "name", os->status.name);
	if (ru)
		proc_fields(b, obj(b, o, "smaps_rollup"), smaps_fields, smaps_fields_count, ru);
	else
		put(b, o, "smaps_rollup", cJSON_CreateNull());
}

static void go_section(struct jb *b, cJSON *root, const struct capture *c)
{
	if (capture_os_only(c)) { /* issue 11: no MemStats, not a set of unknowns */
		put(b, root, "go", cJSON_CreateNull());
		return;
	}
	cJSON *o = obj(b, root, "go");
	for (size_t i = 0; i < go_fields_count; i++)
		u64(b, o, go_fields[i].json, go_field_get(&c->go.ms, &go_fields[i]));
}

/* An object appended to an array (NULL marks the failure). */
static cJSON *item(struct jb *b, cJSON *a)
{
	cJSON *x = cJSON_CreateObject();
	if (!a || !x || !cJSON_AddItemToArray(a, x)) {
		cJSON_Delete(x);
		b->failed = 1;
		return NULL;
	}
	return x;
}

static void psi(struct jb *b, cJSON *o, const char *key, const struct psi_line *p)
{
	if (!p->have) {
		put(b, o, key, cJSON_CreateNull());
		return;
	}
	cJSON *x = obj(b, o, key);
	const struct {
		const char *k;
		double v;
	} avgs[] = {{"avg10", p->avg10}, {"avg60", p->avg60}, {"avg300", p->avg300}};
	for (size_t i = 0; i < 3; i++) {
		char num[32];
		snprintf(num, sizeof num, "%.2f", avgs[i].v);
		put(b, x, avgs[i].k, cJSON_CreateRaw(num));
	}
	u64(b, x, "total_us", opt_some(p->total_us));
}

/* process.cgroup: the container's view (docs/json.md; cgroup_ledger.h). */
static void cgroup_section(struct jb *b, cJSON *o, const struct capture *c,
			   const struct cgroup_ledger *l)
{
	const struct cgroup_info *cg = &c->os.cgroup;
	const struct cgroup_level *leaf = cg->n_levels ? &cg->level[0] : NULL;
	cJSON *g = obj(b, o, "cgroup");
	put(b, g, "version", cg->version ? cJSON_CreateNumber(cg->version) : cJSON_CreateNull());
	str(b, g, "not_read_because", cg->version ? NULL : cg->why);
	str(b, g, "path", cg->path);
	u64(b, g, "usage_bytes", l->usage);
	u64(b, g, "working_set_bytes", l->working_set);
	u64(b, g, "anon_bytes", l->have ? l->anon : cg->anon);
	u64(b, g, "file_bytes", l->have ? l->file : cg->file);
	u64(b, g, "active_file_bytes", l->active_file);
	u64(b, g, "inactive_file_bytes", l->inactive_file);
	u64(b, g, "shmem_bytes", l->shmem);
	u64(b, g, "kernel_bytes", l->kernel);
	u64(b, g, "slab_reclaimable_bytes", l->slab_reclaimable);
	u64(b, g, "slab_unreclaimable_bytes", l->slab_unreclaimable);
	u64(b, g, "sock_bytes", l->sock);
	u64(b, g, "other_bytes", l->other);
	u64(b, g, "swap_bytes", l->swap);
	u64(b, g, "reclaimable_bytes", l->reclaimable);
	u64(b, g, "unreclaimable_bytes", l->have ? l->unreclaimable : opt_none());
	u64(b, g, "limit_bytes", l->limit);
	str(b, g, "limit_path", l->limit_path);
	str(b, g, "limit_file", l->limit_file);
	u64(b, g, "limit_usage_bytes", l->limit_usage);
	u64(b, g, "headroom_bytes", l->headroom);
	u64(b, g, "outside_bytes", l->limit.known ? l->outside : opt_none());
	u64(b, g, "swap_limit_bytes", l->swap_limit);
	cJSON *ev = obj(b, g, "events");
	const struct cgroup_events none = {.under_oom = -1};
	const struct cgroup_events *e = leaf ? &leaf->events : &none;
	u64(b, ev, "low", e->low);
	u64(b, ev, "high", e->high);
	u64(b, ev, "max", e->max);
	u64(b, ev, "oom", e->oom);
	u64(b, ev, "oom_kill", e->oom_kill);
	u64(b, ev, "oom_group_kill", e->oom_group_kill);
	boolean(b, ev, "under_oom", e->under_oom);
	if (leaf && leaf->have_pressure) {
		cJSON *p = obj(b, g, "pressure");
		psi(b, p, "some", &leaf->pressure.some);
		psi(b, p, "full", &leaf->pressure.full);
	} else {
		put(b, g, "pressure", cJSON_CreateNull());
	}
	cJSON *h = arr(b, g, "hierarchy");
	for (size_t i = 0; cg->version && i < cg->n_levels; i++) {
		const struct cgroup_level *lv = &cg->level[i];
		cJSON *x = item(b, h);
		str(b, x, "path", lv->path);
		u64(b, x, "usage_bytes", lv->usage);
		u64(b, x, "max_bytes", lv->max);
		u64(b, x, "high_bytes", lv->high);
	}
	u64(b, g, "processes_count", cg->procs_read ? opt_some(cg->procs_count) : opt_none());
	cJSON *ps = arr(b, g, "processes");
	for (size_t i = 0; l->have && i < l->n_procs; i++) {
		const struct cgroup_proc *p = &l->procs[i];
		cJSON *x = item(b, ps);
		u64(b, x, "pid", opt_some((uint64_t)p->pid));
		str(b, x, "comm", p->comm);
		u64(b, x, "rss_bytes", p->rss);
		boolean(b, x, "self", p->self);
	}
	u64(b, g, "others_rss_bytes", l->others_rss);
	u64(b, g, "others_anon_bytes", l->anon_not_self);
	u64(b, g, "unmapped_cache_bytes", l->cache_not_mapped);
}

static void process_section(struct jb *b, cJSON *root, const struct capture *c,
			    const struct ledger *l)
{
	const struct proc_identity *id = &c->os.id;
	const struct go_buildinfo *bi = &c->os.build;
	const struct go_env *env = &c->os.env;
	cJSON *o = obj(b, root, "process");
	str(b, o, "comm", id->comm);
	str(b, o, "exe", id->exe);
	str(b, o, "cmdline", id->cmdline);
	str(b, o, "user", id->user);
	u64(b, o, "uid", opt_some(id->euid));
	u64(b, o, "start_tics", opt_some(id->start_tics));
	if (!bi->found) {
		put(b, o, "build", cJSON_CreateNull());
	} else {
		cJSON *bo = obj(b, o, "build");
		str(b, bo, "go_version", bi->go_version);
		str(b, bo, "path", bi->path);
		str(b, bo, "goarch", bi->goarch);
		str(b, bo, "goos", bi->goos);
		str(b, bo, "buildmode", bi->buildmode);
		boolean(b, bo, "cgo", bi->cgo);
		boolean(b, bo, "race", bi->race);
		str(b, bo, "default_godebug", bi->default_godebug);
	}
	cJSON *e = obj(b, o, "env");
	boolean(b, e, "read", env->read);
	str(b, e, "not_read_because", env->read ? NULL : env->why);
	str(b, e, "GOGC", env->gogc);
	str(b, e, "GOMEMLIMIT", env->gomemlimit);
	str(b, e, "GODEBUG", env->godebug);
	str(b, e, "GOMAXPROCS", env->gomaxprocs);
	u64(b, e, "gomemlimit_bytes", env->gomemlimit_bytes);
	cgroup_section(b, o, c, &l->cg);
}

static void class_obj(struct jb *b, cJSON *o, const struct class_total *t)
{
	u64(b, o, "mappings", opt_some(t->mappings));
	u64(b, o, "size_bytes", opt_some(t->size));
	u64(b, o, "reserved_bytes", opt_some(t->reserved));
	u64(b, o, "rss_bytes", opt_some(t->rss));
	u64(b, o, "anonymous_bytes", opt_some(t->anonymous));
	u64(b, o, "swap_bytes", opt_some(t->swap));
	u64(b, o, "lazy_free_bytes", opt_some(t->lazy_free));
	u64(b, o, "anon_huge_pages_bytes", opt_some(t->anon_huge));
	u64(b, o, "private_dirty_bytes", opt_some(t->private_dirty));
}

static void mappings_section(struct jb *b, cJSON *root, const struct render_input *in)
{
	const struct mapping_summary *m = &in->c->os.maps;
	if (!m->have) {
		put(b, root, "mappings", cJSON_CreateNull());
		return;
	}
	cJSON *o = obj(b, root, "mappings");
	u64(b, o, "count", opt_some(m->mappings));
	cJSON *cls = obj(b, o, "classes");
	for (int k = 0; k < MC_COUNT; k++)
		class_obj(b, obj(b, cls, map_class_name(k)), &m->cls[k]);
	cJSON *files = put(b, o, "largest_files", cJSON_CreateArray());
	for (size_t i = 0; files && i < m->n_files; i++) {
		cJSON *f = cJSON_CreateObject();
		if (!f || !cJSON_AddItemToArray(files, f)) {
			cJSON_Delete(f);
			b->failed = 1;
			break;
		}
		str(b, f, "path", m->files[i].path);
		u64(b, f, "rss_bytes", opt_some(m->files[i].rss));
		u64(b, f, "size_bytes", opt_some(m->files[i].size));
	}
	if (!in->mappings)
		return;
	cJSON *rows = put(b, o, "rows", cJSON_CreateArray());
	for (size_t i = 0; rows && i < m->n_rows; i++) {
		const struct mapping_row *r = &m->rows[i];
		cJSON *x = cJSON_CreateObject();
		if (!x || !cJSON_AddItemToArray(rows, x)) {
			cJSON_Delete(x);
			b->failed = 1;
			break;
		}
		char a[24];
		snprintf(a, sizeof a, "%" PRIx64, r->start);
		str(b, x, "start", a);
		snprintf(a, sizeof a, "%" PRIx64, r->end);
		str(b, x, "end", a);
		str(b, x, "perms", r->perms);
		str(b, x, "class", map_class_name(r->cls));
		u64(b, x, "size_bytes", opt_some(r->end - r->start));
		u64(b, x, "rss_bytes", opt_some(r->rss));
		u64(b, x, "anonymous_bytes", opt_some(r->anonymous));
		u64(b, x, "swap_bytes", opt_some(r->swap));
		u64(b, x, "lazy_free_bytes", opt_some(r->lazy_free));
		u64(b, x, "anon_huge_pages_bytes", opt_some(r->anon_huge));
		str(b, x, "path", r->path);
	}
}

static void ledger_section(struct jb *b, cJSON *root, const struct ledger *l)
{
	cJSON *o = obj(b, root, "ledger");
	for (size_t i = 0; o && i < ledger_rows_count; i++) {
		const struct ledger_row *r = &ledger_rows[i];
		cJSON *sec = cJSON_GetObjectItemCaseSensitive(o, r->section);
		if (!sec)
			sec = obj(b, o, r->section);
		u64(b, sec, r->json, ledger_get(l, r));
	}
	cJSON *checks = o ? cJSON_GetObjectItemCaseSensitive(o, "checks") : NULL;
	boolean(b, checks, "sys_adds_up", l->sys_parts_ok);
	boolean(b, checks, "heap_adds_up", l->heap_parts_ok);
	boolean(b, checks, "lazy_free_assumed_zero", l->lazy_free_assumed);
	boolean(b, checks, "anon_from_rss", l->anon_from_rss);
	str(b, checks, "anon_source", l->anon_source);
	boolean(b, checks, "split_by_mapping", l->have_split);
}

static void findings_section(struct jb *b, cJSON *root, const struct findings *fs)
{
	cJSON *a = put(b, root, "findings", cJSON_CreateArray());
	for (size_t i = 0; a && i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(a, o)) {
			cJSON_Delete(o);
			b->failed = 1;
			return;
		}
		str(b, o, "id", f->id);
		str(b, o, "severity", severity_name(f->severity));
		u64(b, o, "bytes", opt_some(f->bytes));
		str(b, o, "summary", f->summary);
		str(b, o, "evidence", f->evidence);
		str(b, o, "advice", f->advice);
	}
}

/* ---- issue 11: namespaces, the unprivileged fetch, discovery, OS-only ---- */

static void ns_str(struct jb *b, cJSON *o, const char *key, uint64_t ino)
{
	char n[48];
	snprintf(n, sizeof n, "net:[%llu]", (unsigned long long)ino);
	str(b, o, key, ino ? n : NULL);
}

static void reach_section(struct jb *b, cJSON *root, const struct capture *c,
			  const struct ledger *l)
{
	const struct reach_info *r = &c->reach;
	cJSON *ns = obj(b, root, "namespaces");
	ns_str(b, ns, "net", r->net_ino);
	ns_str(b, ns, "correlate_net", r->self_net_ino);
	str(b, ns, "fetched_in",
	    !r->fetched_as[0] ? NULL : r->net_entered ? "process" : "correlate");
	str(b, ns, "unix_socket_via", r->unix_via);
	str(b, root, "fetched_as", r->fetched_as);
	if (!r->discovered) {
		put(b, root, "discovery", cJSON_CreateNull());
	} else {
		cJSON *d = obj(b, root, "discovery");
		boolean(b, d, "found", !capture_os_only(c));
		cJSON *a = put(b, d, "attempts", cJSON_CreateArray());
		for (size_t i = 0; a && i < r->n_attempts; i++) {
			cJSON *x = cJSON_CreateObject();
			if (!x || !cJSON_AddItemToArray(a, x)) {
				cJSON_Delete(x);
				b->failed = 1;
				break;
			}
			str(b, x, "url", r->attempts[i].url);
			str(b, x, "outcome", r->attempts[i].outcome);
		}
	}
	str(b, root, "go_not_read_because", capture_os_only(c) ? r->go_missing : NULL);
	if (!capture_os_only(c)) {
		put(b, root, "os_only", cJSON_CreateNull());
		return;
	}
	struct os_only_view v;
	os_only_compute(c, l, &v);
	cJSON *o = obj(b, root, "os_only");
	u64(b, o, "heap_arenas_bytes", v.heap_arenas);
	u64(b, o, "go_runtime_bytes", v.go_runtime);
	u64(b, o, "plain_anonymous_bytes", v.plain_anon);
	u64(b, o, "glibc_malloc_bytes", v.glibc);
	u64(b, o, "thread_stacks_bytes", v.thread_stacks);
	u64(b, o, "non_go_anon_min_bytes", v.non_go_min);
	u64(b, o, "non_go_anon_max_bytes", v.non_go_max);
	u64(b, o, "file_backed_bytes", v.file_backed);
	u64(b, o, "anon_huge_pages_bytes", v.anon_huge);
	u64(b, o, "lazy_free_bytes", v.lazy_free);
	u64(b, o, "swap_bytes", v.swap);
	cJSON *cs = put(b, o, "cannot_say", cJSON_CreateArray());
	for (size_t i = 0; cs && os_only_cannot_say[i]; i++)
		if (!cJSON_AddItemToArray(cs, cJSON_CreateString(os_only_cannot_say[i])))
			b->failed = 1;
	cJSON *ep = put(b, o, "endpoints", cJSON_CreateArray());
	for (size_t i = 0; ep && os_only_endpoints[i]; i++)
		if (!cJSON_AddItemToArray(ep, cJSON_CreateString(os_only_endpoints[i])))
			b->failed = 1;
}

int render_json(FILE *out, const struct render_input *in)
{
	return render_json_with(out, in, NULL);
}

int render_json_with(FILE *out, const struct render_input *in, const struct render_json_opts *jo)
{
	const struct capture *c = in->c;
	struct jb b = {0};
	char when[32], fetch[32];
	fmt_rfc3339(c->captured_at, when, sizeof when);
	snprintf(fetch, sizeof fetch, "%.6f", c->fetch_seconds);

	cJSON *root = cJSON_CreateObject();
	if (!root)
		return -1;
	u64(&b, root, "schema_version", opt_some(1));
	cJSON *tool = obj(&b, root, "tool");
	str(&b, tool, "name", "correlate");
	str(&b, tool, "version", CORRELATE_VERSION);
	u64(&b, root, "pid", c->os.id.pid ? opt_some((uint64_t)c->os.id.pid) : opt_none());
	str(&b, root, "command", c->command);
	str(&b, root, "url", c->url);
	str(&b, root, "endpoint_format", capture_os_only(c) ? NULL : body_format_name(c->go.format));
	str(&b, root, "endpoint_tried", c->tried);
	str(&b, root, "endpoint_owner", c->owner);
	if (c->captured_at)
		str(&b, root, "captured_at", when);
	else /* a pair without meta.json */
		put(&b, root, "captured_at", cJSON_CreateNull());
	put(&b, root, "fetch_seconds", cJSON_CreateRaw(fetch));
	cJSON *cost = obj(&b, root, "probe_cost");
	put(&b, cost, "fetch_seconds", cJSON_CreateRaw(fetch));
	u64(&b, cost, "target_cpu_ns", c->probe_cpu_ns);
	u64(&b, cost, "body_bytes", c->go.body_bytes ? opt_some(c->go.body_bytes) : opt_none());
	if (jo && jo->self_cpu_ns.known) /* issue 14: watch's samples only */
		u64(&b, cost, "correlate_cpu_ns", jo->self_cpu_ns);
	str(&b, root, "go_version", capture_go_version(c));
	boolean(&b, root, "replay", c->replay);
	str(&b, root, "source", c->replay ? c->source : NULL);
	cJSON *nr = put(&b, root, "not_recorded", cJSON_CreateArray());
	for (const char *p = c->not_recorded; nr && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)n, p);
		cJSON *item = cJSON_CreateString(name);
		if (!item || !cJSON_AddItemToArray(nr, item)) {
			cJSON_Delete(item);
			b.failed = 1;
			break;
		}
		p += n + (comma ? 1 : 0);
	}
	process_section(&b, root, c, in->l);
	cJSON *sys = obj(&b, root, "system");
	u64(&b, sys, "mem_total_bytes", c->os.sys.mem_total);
	u64(&b, sys, "mem_available_bytes", c->os.sys.mem_available);
	str(&b, sys, "transparent_hugepage", c->os.sys.thp);
	u64(&b, sys, "cpus", c->os.sys.ncpu ? opt_some((uint64_t)c->os.sys.ncpu) : opt_none());
	os_section(&b, root, c);
	go_section(&b, root, c);
	mappings_section(&b, root, in);
	ledger_section(&b, root, in->l);
	u64(&b, root, "unexplained_bytes", in->l->unexplained);
	reach_section(&b, root, c, in->l);
	findings_section(&b, root, in->fs);

	return jb_print(out, root, &b, jo && jo->compact);
}
