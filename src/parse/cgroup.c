/* The cgroup record and the cgroup memory files: memory.stat of both
 * versions, memory.events, memory.oom_control, PSI, cgroup.procs.  Buffers
 * in, structs out; the files are described in docs/model.md ("The
 * container's view"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/cgroup.h"
#include "correlate/context.h"
#include "correlate/err.h"
#include "correlate/proc.h"
#include "lines.h"

/* ---- memory.stat ------------------------------------------------------------ */

#define F(v2, v1, field, lim) {v2, v1, offsetof(struct cgroup_stat, field), lim}
/* Keys from cgroup-v2.rst "memory.stat" and cgroup-v1/memory.rst 5.2
 * (v1: the hierarchical total_* counters, so that they count what
 * memory.usage_in_bytes counts: the cgroup and its children). */
const struct cgroup_stat_field cgroup_stat_fields[] = {
    F("anon", "total_rss", anon, 0),
    F("file", "total_cache", file, 0),
    F("kernel", NULL, kernel, 0),
    F("kernel_stack", NULL, kernel_stack, 0),
    F("pagetables", NULL, pagetables, 0),
    F("sec_pagetables", NULL, sec_pagetables, 0),
    F("percpu", NULL, percpu, 0),
    F("sock", NULL, sock, 0),
    F("vmalloc", NULL, vmalloc, 0),
    F("shmem", "total_shmem", shmem, 0),
    F("file_mapped", "total_mapped_file", file_mapped, 0),
    F("file_dirty", "total_dirty", file_dirty, 0),
    F("file_writeback", "total_writeback", file_writeback, 0),
    F("swapcached", "total_swapcached", swapcached, 0),
    F("anon_thp", "total_rss_huge", anon_thp, 0),
    F("inactive_anon", "total_inactive_anon", inactive_anon, 0),
    F("active_anon", "total_active_anon", active_anon, 0),
    F("inactive_file", "total_inactive_file", inactive_file, 0),
    F("active_file", "total_active_file", active_file, 0),
    F("unevictable", "total_unevictable", unevictable, 0),
    F("slab_reclaimable", NULL, slab_reclaimable, 0),
    F("slab_unreclaimable", NULL, slab_unreclaimable, 0),
    F(NULL, "total_swap", swap, 0),
    F(NULL, "hierarchical_memory_limit", hierarchical_limit, 1),
    F(NULL, "hierarchical_memsw_limit", hierarchical_memsw, 1),
};
#undef F
const size_t cgroup_stat_fields_count = sizeof cgroup_stat_fields / sizeof cgroup_stat_fields[0];
_Static_assert(sizeof cgroup_stat_fields / sizeof cgroup_stat_fields[0] ==
		   sizeof(struct cgroup_stat) / sizeof(opt_u64),
	       "cgroup_stat_fields[] and struct cgroup_stat must list the same fields");

/* The next line of buf from *i: its start and length (no '\n'). */
static int next_line(const char *buf, size_t len, size_t *i, const char **l, size_t *n)
{
	if (*i >= len)
		return 0;
	*l = buf + *i;
	const char *nl = memchr(*l, '\n', len - *i);
	*n = nl ? (size_t)(nl - *l) : len - *i;
	*i += *n + 1;
	return 1;
}

/* "key value" lines: the value of each key fn asks for. */
static void key_values(const char *buf, size_t len,
		       void (*fn)(void *ctx, const char *k, size_t kn, opt_u64 v), void *ctx)
{
	const char *l;
	size_t n, i = 0;
	while (next_line(buf, len, &i, &l, &n)) {
		const char *sp = memchr(l, ' ', n);
		if (!sp || sp == l)
			continue;
		size_t kn = (size_t)(sp - l), used;
		uint64_t v;
		size_t vs = skip_blank(l, n, kn);
		if (parse_u64_dec(l + vs, n - vs, &v, &used) != 0 || skip_blank(l, n, vs + used) != n)
			continue; /* not a number: a line of a newer kernel's making */
		fn(ctx, l, kn, opt_some(v));
	}
}

struct stat_ctx {
	struct cgroup_stat *out;
	int version;
};

static void stat_kv(void *vctx, const char *k, size_t kn, opt_u64 v)
{
	struct stat_ctx *c = vctx;
	for (size_t f = 0; f < cgroup_stat_fields_count; f++) {
		const char *key = c->version == 2 ? cgroup_stat_fields[f].v2 : cgroup_stat_fields[f].v1;
		if (!key || strlen(key) != kn || memcmp(key, k, kn) != 0)
			continue;
		opt_u64 *dst = (opt_u64 *)((char *)c->out + cgroup_stat_fields[f].offset);
		/* v1's "no limit" is LONG_MAX rounded down to a page */
		*dst = cgroup_stat_fields[f].limit && v.v >= (UINT64_C(1) << 62) ? opt_none() : v;
		return;
	}
}

void parse_cgroup_memory_stat(const char *buf, size_t len, int version, struct cgroup_stat *out)
{
	for (size_t f = 0; f < cgroup_stat_fields_count; f++)
		*(opt_u64 *)((char *)out + cgroup_stat_fields[f].offset) = opt_none();
	struct stat_ctx c = {out, version};
	key_values(buf, len, stat_kv, &c);
}

/* ---- memory.events, memory.oom_control --------------------------------------- */

static int key_eq(const char *k, size_t kn, const char *want)
{
	return strlen(want) == kn && memcmp(k, want, kn) == 0;
}

static void events_kv(void *vctx, const char *k, size_t kn, opt_u64 v)
{
	struct cgroup_events *e = vctx;
	if (key_eq(k, kn, "low"))
		e->low = v;
	else if (key_eq(k, kn, "high"))
		e->high = v;
	else if (key_eq(k, kn, "max"))
		e->max = v;
	else if (key_eq(k, kn, "oom"))
		e->oom = v;
	else if (key_eq(k, kn, "oom_kill"))
		e->oom_kill = v;
	else if (key_eq(k, kn, "oom_group_kill"))
		e->oom_group_kill = v;
}

void parse_cgroup_events(const char *buf, size_t len, struct cgroup_events *out)
{
	key_values(buf, len, events_kv, out);
}

static void oom_kv(void *vctx, const char *k, size_t kn, opt_u64 v)
{
	struct cgroup_events *e = vctx;
	if (key_eq(k, kn, "under_oom"))
		e->under_oom = v.v != 0;
	else if (key_eq(k, kn, "oom_kill"))
		e->oom_kill = v;
}

void parse_cgroup_oom_control(const char *buf, size_t len, struct cgroup_events *out)
{
	key_values(buf, len, oom_kv, out);
}

/* ---- PSI ----------------------------------------------------------------------- */

/* "avg10=1.25": the number after key= in a line, or -1. */
static int psi_field(const char *l, size_t n, const char *key, double *d, uint64_t *u)
{
	size_t kn = strlen(key);
	for (size_t i = 0; i + kn < n; i++) {
		if ((i == 0 || l[i - 1] == ' ') && memcmp(l + i, key, kn) == 0 && l[i + kn] == '=') {
			char tmp[32];
			size_t s = i + kn + 1, e = s;
			while (e < n && l[e] != ' ' && e - s < sizeof tmp - 1)
				e++;
			memcpy(tmp, l + s, e - s);
			tmp[e - s] = '\0';
			char *end;
			if (d) {
				*d = strtod(tmp, &end);
				return end != tmp && *end == '\0' && *d >= 0 && *d <= 100 ? 0 : -1;
			}
			size_t used;
			return parse_u64_dec(tmp, e - s, u, &used) == 0 && used == e - s ? 0 : -1;
		}
	}
	return -1;
}

int parse_psi(const char *buf, size_t len, struct cgroup_pressure *out)
{
	memset(out, 0, sizeof *out);
	const char *l;
	size_t n, i = 0;
	while (next_line(buf, len, &i, &l, &n)) {
		struct psi_line *p = n > 5 && memcmp(l, "some ", 5) == 0   ? &out->some
				     : n > 5 && memcmp(l, "full ", 5) == 0 ? &out->full
									   : NULL;
		if (!p)
			continue;
		p->have = psi_field(l, n, "avg10", &p->avg10, NULL) == 0 &&
			  psi_field(l, n, "avg60", &p->avg60, NULL) == 0 &&
			  psi_field(l, n, "avg300", &p->avg300, NULL) == 0 &&
			  psi_field(l, n, "total", NULL, &p->total_us) == 0;
		if (!p->have)
			memset(p, 0, sizeof *p);
	}
	return out->some.have ? 0 : -1;
}

/* ---- cgroup.procs ------------------------------------------------------------- */

size_t parse_cgroup_procs(const char *buf, size_t len, int *pids, size_t cap)
{
	size_t kept = 0, total = 0;
	const char *l;
	size_t n, i = 0;
	while (next_line(buf, len, &i, &l, &n)) {
		uint64_t v;
		size_t used;
		size_t s = skip_blank(l, n, 0);
		if (parse_u64_dec(l + s, n - s, &v, &used) != 0 || v == 0 || v > INT32_MAX)
			continue;
		int dup = 0;
		for (size_t k = 0; k < kept && !dup; k++)
			dup = pids[k] == (int)v;
		if (dup)
			continue;
		total++;
		if (kept < cap)
			pids[kept++] = (int)v;
	}
	return total;
}

/* ---- the record ------------------------------------------------------------------ */

/* A header line "==> NAME <==": NAME's start and length. */
static int header(const char *l, size_t n, const char **name, size_t *nn)
{
	if (n < 9 || memcmp(l, "==> ", 4) != 0 || memcmp(l + n - 4, " <==", 4) != 0)
		return 0;
	*name = l + 4;
	*nn = n - 8;
	return 1;
}

int cgroup_record_each(const char *buf, size_t len,
		       int (*fn)(void *ctx, const char *name, size_t name_len, const char *data,
				 size_t dlen),
		       void *ctx)
{
	const char *name = NULL, *data = NULL, *l;
	size_t nn = 0, n, i = 0;
	for (;;) {
		size_t at = i < len ? i : len;
		int more = next_line(buf, len, &i, &l, &n);
		const char *hn;
		size_t hl;
		if (!more || header(l, n, &hn, &hl)) {
			if (name) {
				size_t dlen = (size_t)(buf + at - data);
				/* tail's blank line between two files */
				if (more && dlen >= 1 && data[dlen - 1] == '\n' &&
				    (dlen == 1 || data[dlen - 2] == '\n'))
					dlen--;
				int rc = fn(ctx, name, nn, data, dlen);
				if (rc)
					return rc;
			}
			if (!more)
				return 0;
			name = hn;
			nn = hl;
			data = buf + i > buf + len ? buf + len : buf + i;
		}
	}
}

struct find_ctx {
	const char *want;
	const char *data;
	size_t dlen;
	int found;
};

static int find_fn(void *vctx, const char *name, size_t nn, const char *data, size_t dlen)
{
	struct find_ctx *c = vctx;
	if (strlen(c->want) != nn || memcmp(c->want, name, nn) != 0)
		return 0;
	c->data = data;
	c->dlen = dlen;
	c->found = 1;
	return 1;
}

int cgroup_record_find(const char *buf, size_t len, const char *name, const char **data,
		       size_t *dlen)
{
	struct find_ctx c = {name, NULL, 0, 0};
	cgroup_record_each(buf, len, find_fn, &c);
	if (c.found) {
		*data = c.data;
		*dlen = c.dlen;
	}
	return c.found;
}

/* The first /proc/N/cgroup of the record (N = pid when pid is not 0). */
struct proc_cgroup_ctx {
	int pid;
	const char *data;
	size_t dlen;
	int found_pid;
};

static int proc_cgroup_fn(void *vctx, const char *name, size_t nn, const char *data, size_t dlen)
{
	struct proc_cgroup_ctx *c = vctx;
	if (nn < 14 || memcmp(name, "/proc/", 6) != 0 || memcmp(name + nn - 7, "/cgroup", 7) != 0)
		return 0;
	uint64_t v;
	size_t used;
	if (parse_u64_dec(name + 6, nn - 13, &v, &used) != 0 || used != nn - 13 || v > INT32_MAX)
		return 0;
	if (c->pid && (int)v != c->pid)
		return 0;
	c->data = data;
	c->dlen = dlen;
	c->found_pid = (int)v;
	return 1;
}

/* The mount point, inferred from the files' paths when the record has no
 * mountinfo (one made by hand with tail): the folder holding memory.stat
 * whose path ends with the cgroup's. */
struct infer_ctx {
	const char *path;
	char mnt[512];
	int found;
};

static int infer_fn(void *vctx, const char *name, size_t nn, const char *data, size_t dlen)
{
	(void)data;
	(void)dlen;
	struct infer_ctx *c = vctx;
	static const char leaf[] = "/memory.stat";
	size_t ln = sizeof leaf - 1;
	if (nn <= ln || memcmp(name + nn - ln, leaf, ln) != 0)
		return 0;
	size_t dn = nn - ln, pn = strcmp(c->path, "/") == 0 ? 0 : strlen(c->path);
	if (dn < pn || memcmp(name + dn - pn, c->path, pn) != 0 || dn - pn >= sizeof c->mnt)
		return 0;
	/* the shortest such folder: with path "/", every memory.stat ends with it */
	if (c->found && dn - pn >= strlen(c->mnt))
		return 0;
	memcpy(c->mnt, name, dn - pn);
	c->mnt[dn - pn] = '\0';
	c->found = 1;
	return 0;
}

static const char *const files_v2[] = {
    "memory.current", "memory.max",	"memory.high",	 "memory.swap.current",
    "memory.swap.max", "memory.stat", "memory.events", "memory.pressure",
    NULL,
};
static const char *const files_v1[] = {
    "memory.usage_in_bytes",
    "memory.limit_in_bytes",
    "memory.memsw.usage_in_bytes",
    "memory.memsw.limit_in_bytes",
    "memory.kmem.usage_in_bytes",
    "memory.kmem.tcp.usage_in_bytes",
    "memory.stat",
    "memory.failcnt",
    "memory.oom_control",
    "memory.pressure",
    NULL,
};

const char *const *cgroup_level_files(int version)
{
	return version == 2 ? files_v2 : files_v1;
}

/* dir/name in the record. */
static int level_file(const char *buf, size_t len, const char *dir, const char *name,
		      const char **data, size_t *dlen)
{
	char path[800];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return cgroup_record_find(buf, len, path, data, dlen);
}

static void read_level(const char *buf, size_t len, int version, const char *dir,
		       struct cgroup_level *lv)
{
	const char *d;
	size_t n;
	memset(&lv->events, 0, sizeof lv->events);
	lv->events.under_oom = -1;
	parse_cgroup_memory_stat("", 0, version, &lv->stat);
	lv->usage = lv->max = lv->high = lv->swap_usage = lv->swap_max = opt_none();
	lv->kmem = lv->kmem_tcp = opt_none();
	static const struct {
		const char *v2, *v1;
		size_t offset;
	} values[] = {
	    {"memory.current", "memory.usage_in_bytes", offsetof(struct cgroup_level, usage)},
	    {"memory.max", "memory.limit_in_bytes", offsetof(struct cgroup_level, max)},
	    {"memory.high", NULL, offsetof(struct cgroup_level, high)},
	    {"memory.swap.current", "memory.memsw.usage_in_bytes",
	     offsetof(struct cgroup_level, swap_usage)},
	    {"memory.swap.max", "memory.memsw.limit_in_bytes",
	     offsetof(struct cgroup_level, swap_max)},
	    {NULL, "memory.kmem.usage_in_bytes", offsetof(struct cgroup_level, kmem)},
	    {NULL, "memory.kmem.tcp.usage_in_bytes", offsetof(struct cgroup_level, kmem_tcp)},
	};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		const char *f = version == 2 ? values[i].v2 : values[i].v1;
		if (f && level_file(buf, len, dir, f, &d, &n)) {
			parse_cgroup_limit(d, n, (opt_u64 *)((char *)lv + values[i].offset));
			lv->read = 1;
		}
	}
	if (level_file(buf, len, dir, "memory.stat", &d, &n)) {
		parse_cgroup_memory_stat(d, n, version, &lv->stat);
		lv->read = 1;
	}
	if (version == 2 && level_file(buf, len, dir, "memory.events", &d, &n))
		parse_cgroup_events(d, n, &lv->events);
	if (version == 1 && level_file(buf, len, dir, "memory.failcnt", &d, &n))
		parse_cgroup_limit(d, n, &lv->events.max);
	if (version == 1 && level_file(buf, len, dir, "memory.oom_control", &d, &n))
		parse_cgroup_oom_control(d, n, &lv->events);
	if (level_file(buf, len, dir, "memory.pressure", &d, &n))
		lv->have_pressure = parse_psi(d, n, &lv->pressure) == 0;
}

static void copy_str(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Keeps p among out's processes: the process itself first, then the others
 * by RSS, largest first, as many as fit. */
static void keep_proc(struct cgroup_info *out, const struct cgroup_proc *p)
{
	if (p->self) {
		if (out->n_procs == CG_PROCS_MAX)
			out->n_procs--; /* the smallest other makes room */
		memmove(&out->procs[1], &out->procs[0], out->n_procs * sizeof out->procs[0]);
		out->procs[0] = *p;
		out->n_procs++;
		return;
	}
	size_t first = out->n_procs && out->procs[0].self ? 1 : 0, at = first;
	while (at < out->n_procs && out->procs[at].rss.v >= p->rss.v)
		at++;
	if (at == CG_PROCS_MAX)
		return;
	size_t n = out->n_procs == CG_PROCS_MAX ? out->n_procs - 1 : out->n_procs;
	memmove(&out->procs[at + 1], &out->procs[at], (n - at) * sizeof out->procs[0]);
	out->procs[at] = *p;
	out->n_procs = n + 1;
}

static void read_procs(const char *buf, size_t len, int pid, struct cgroup_info *out)
{
	const char *d;
	size_t n;
	if (!level_file(buf, len, out->dir, "cgroup.procs", &d, &n))
		return;
	int pids[CG_PROCS_READ_MAX];
	size_t total = parse_cgroup_procs(d, n, pids, CG_PROCS_READ_MAX);
	size_t kept = total < CG_PROCS_READ_MAX ? total : CG_PROCS_READ_MAX;
	out->procs_read = 1;
	out->procs_count = total;
	out->procs_unread = total - kept;
	out->others_rss = out->others_anon = opt_some(0);
	for (size_t i = 0; i < kept; i++) {
		struct cgroup_proc p;
		memset(&p, 0, sizeof p);
		p.pid = pids[i];
		p.rss = p.rss_anon = p.rss_file = p.rss_shmem = opt_none();
		if (pids[i] == pid) {
			p.self = 1; /* its numbers are the capture's status */
			keep_proc(out, &p);
			continue;
		}
		char name[48];
		snprintf(name, sizeof name, "/proc/%d/status", pids[i]);
		struct proc_status st;
		struct err e;
		if (!cgroup_record_find(buf, len, name, &d, &n) || parse_status(d, n, &st, &e) != 0) {
			out->procs_unread++; /* gone before its status was read */
			continue;
		}
		copy_str(p.comm, sizeof p.comm, st.name, strlen(st.name));
		p.rss = st.v.vm_rss;
		p.rss_anon = st.v.rss_anon;
		p.rss_file = st.v.rss_file;
		p.rss_shmem = st.v.rss_shmem;
		out->others_rss = opt_add(out->others_rss, opt_or(p.rss, opt_some(0)));
		out->others_anon = opt_add(out->others_anon, opt_or(p.rss_anon, opt_some(0)));
		keep_proc(out, &p);
	}
}

void parse_cgroup_record(const char *buf, size_t len, int pid, struct cgroup_info *out)
{
	memset(out, 0, sizeof *out);
	out->limit = out->usage = out->anon = out->file = out->swap_limit = opt_none();
	out->others_rss = out->others_anon = opt_none();
	struct proc_cgroup_ctx pc = {pid, NULL, 0, 0};
	cgroup_record_each(buf, len, proc_cgroup_fn, &pc);
	if (!pc.data) {
		if (pid)
			snprintf(out->why, sizeof out->why, "the record has no /proc/%d/cgroup", pid);
		else
			snprintf(out->why, sizeof out->why, "the record has no /proc/PID/cgroup");
		return;
	}
	int version = 0;
	if (parse_proc_cgroup(pc.data, pc.dlen, &version, out->path, sizeof out->path) != 0) {
		snprintf(out->why, sizeof out->why, "no memory cgroup in /proc/%d/cgroup",
			 pc.found_pid);
		return;
	}
	char mnt[512], root[512] = "/";
	const char *mi;
	size_t min;
	if (cgroup_record_find(buf, len, "/proc/self/mountinfo", &mi, &min)) {
		if (parse_mountinfo_cgroup(mi, min, version, mnt, sizeof mnt, root, sizeof root) != 0) {
			snprintf(out->why, sizeof out->why,
				 "the cgroup v%d hierarchy is not mounted here", version);
			return;
		}
	} else {
		struct infer_ctx ic = {out->path, "", 0};
		cgroup_record_each(buf, len, infer_fn, &ic);
		if (!ic.found) {
			snprintf(out->why, sizeof out->why, "the record has no memory.stat of %s",
				 out->path);
			return;
		}
		snprintf(mnt, sizeof mnt, "%s", ic.mnt);
	}
	snprintf(out->mount_root, sizeof out->mount_root, "%s", root);
	/* The path is relative to the hierarchy's root; the mount may show only
	 * a part of it (root is then that part). */
	const char *rel = out->path;
	size_t rl = strlen(root);
	if (strcmp(root, "/") != 0 && strncmp(rel, root, rl) == 0 && (rel[rl] == '/' || !rel[rl]))
		rel += rl;
	snprintf(out->dir, sizeof out->dir, "%s%s", mnt, strcmp(rel, "/") ? rel : "");

	/* The leaf, then each parent up to the mount's root. */
	char dir[640];
	snprintf(dir, sizeof dir, "%s", out->dir);
	size_t mn = strlen(mnt);
	for (;;) {
		struct cgroup_level *lv = &out->level[out->n_levels];
		read_level(buf, len, version, dir, lv);
		const char *below = dir + (strlen(dir) > mn ? mn : strlen(dir));
		snprintf(lv->path, sizeof lv->path, "%s%s", strcmp(root, "/") ? root : "", below);
		if (!lv->path[0])
			snprintf(lv->path, sizeof lv->path, "/");
		out->n_levels++;
		char *slash = strrchr(dir, '/');
		if (out->n_levels == CG_LEVELS_MAX || strlen(dir) <= mn || !slash || slash < dir + mn)
			break;
		*slash = '\0';
	}
	const struct cgroup_level *leaf = &out->level[0];
	out->limit = leaf->max;
	out->usage = leaf->usage;
	out->anon = leaf->stat.anon;
	out->file = leaf->stat.file;
	out->swap_limit = version == 2 ? leaf->swap_max : opt_none();
	read_procs(buf, len, pid ? pid : pc.found_pid, out);
	if (!out->usage.known) {
		snprintf(out->why, sizeof out->why, "%s: memory files not readable", out->dir);
		return;
	}
	out->version = version;
}
