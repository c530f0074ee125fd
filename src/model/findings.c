/* The rules.  Thresholds are named here and explained in docs/model.md. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/findings.h"
#include "correlate/units.h"

#define MiB (1024ull * 1024)

/* non_go_anon: a healthy Go process has next to no anonymous memory outside
 * Go's accounting (dirty .data/.bss, the main stack, a little libc).  The
 * field's rule of thumb (REFERENCE.md §9) is to look once it passes ~100 MB;
 * we warn from 32 MiB when it is also a tenth of RES, and call it critical
 * from 256 MiB when it is half of RES. */
#define NON_GO_WARN_BYTES (32 * MiB)
#define NON_GO_WARN_SHARE 0.10
#define NON_GO_CRIT_BYTES (256 * MiB)
#define NON_GO_CRIT_SHARE 0.50

const char *severity_name(enum severity s)
{
	switch (s) {
	case SEV_WARNING:
		return "warning";
	case SEV_CRITICAL:
		return "critical";
	case SEV_INFO:
		break;
	}
	return "info";
}

static struct finding *add(struct findings *fs, const char *id, enum severity sev, uint64_t bytes)
{
	if (fs->n >= FINDINGS_MAX)
		return NULL;
	struct finding *f = &fs->f[fs->n++];
	memset(f, 0, sizeof *f);
	f->id = id;
	f->severity = sev;
	f->bytes = bytes;
	return f;
}

__attribute__((format(printf, 3, 4))) static void put(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
}

/* Severity from an amount and its share of RES. */
static enum severity by_share(uint64_t bytes, opt_u64 rss, uint64_t warn_bytes, double warn_share,
			      uint64_t crit_bytes, double crit_share)
{
	double share = rss.known && rss.v ? (double)bytes / (double)rss.v : 0;
	if (bytes >= crit_bytes && share >= crit_share)
		return SEV_CRITICAL;
	if (bytes >= warn_bytes && share >= warn_share)
		return SEV_WARNING;
	return SEV_INFO;
}

#define B(v) fmt_iec((v), (char[24]){0}, 24)

static void rule_non_go_anon(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	(void)c;
	if (!l->unexplained.known || l->unexplained.v == 0)
		return;
	uint64_t b = l->unexplained.v;
	struct finding *f = add(fs, "non_go_anon",
				by_share(b, l->rss, NON_GO_WARN_BYTES, NON_GO_WARN_SHARE,
					 NON_GO_CRIT_BYTES, NON_GO_CRIT_SHARE),
				b);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "%s of anonymous memory is outside Go's accounting: C allocations (cgo), manual "
	    "mmap, thread stacks",
	    B(b));
	put(f->evidence, sizeof f->evidence,
	    "anonymous footprint %s (%s %s + swap %s - LazyFree %s%s) exceeds Go retained %s "
	    "(Sys %s - HeapReleased %s)",
	    B(l->anon_footprint.v), l->anon_from_rss ? "RES" : "RssAnon", B(l->anon_resident.v),
	    B(l->swap.known ? l->swap.v : 0), B(l->lazy_free.known ? l->lazy_free.v : 0),
	    l->lazy_free_assumed ? ", not read: taken as 0" : "", B(l->go_retained.v),
	    B(l->go_sys.v), B(l->go_released.v));
	put(f->advice, sizeof f->advice,
	    "find the C side: `pmap -x %d` (glibc arenas are 64 MiB-aligned anonymous "
	    "mappings), heaptrack or valgrind --tool=massif for malloc; "
	    "a Go program without cgo has almost none",
	    (int)c->os.id.pid);
}

static void rule_reserved(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	(void)c;
	if (!l->virt_unbacked.known || l->virt_unbacked.v == 0)
		return;
	struct finding *f = add(fs, "reserved_address_space", SEV_INFO, l->virt_unbacked.v);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "%s of VIRT is address space with no memory behind it: reservations and untouched "
	    "mappings, not memory use",
	    B(l->virt_unbacked.v));
	put(f->evidence, sizeof f->evidence,
	    "VmSize %s - (VmRSS %s + swap %s); Go Sys %s of it, executable and libraries %s",
	    B(l->virt.v), B(l->rss.known ? l->rss.v : 0), B(l->swap.known ? l->swap.v : 0),
	    B(l->virt_go.known ? l->virt_go.v : 0),
	    B(l->virt_exe_libs.known ? l->virt_exe_libs.v : 0));
	put(f->advice, sizeof f->advice,
	    "none needed: Go reserves large PROT_NONE ranges (page-allocator summaries, arena "
	    "index) and each cgo thread reserves an 8 MiB stack; watch RES, not VIRT");
}

static void rule_inconsistent(const struct capture *c, const struct ledger *l, struct findings *fs)
{
	const struct go_memstats *ms = &c->go.ms;
	if (l->sys_parts_ok != 0 && l->heap_parts_ok != 0)
		return;
	uint64_t diff = 0;
	if (l->sys_parts_ok == 0)
		diff = l->sys_parts.v > ms->sys.v ? l->sys_parts.v - ms->sys.v
						  : ms->sys.v - l->sys_parts.v;
	struct finding *f = add(fs, "memstats_inconsistent", SEV_WARNING, diff);
	if (!f)
		return;
	put(f->summary, sizeof f->summary,
	    "the MemStats do not add up: the body may mix two snapshots or be altered");
	put(f->evidence, sizeof f->evidence,
	    "Sys %s vs sum of XxxSys %s; HeapSys %s vs HeapInuse + HeapIdle %s", B(ms->sys.v),
	    B(l->sys_parts.known ? l->sys_parts.v : 0), B(ms->heap_sys.v),
	    B(opt_add(ms->heap_inuse, ms->heap_idle).v));
	put(f->advice, sizeof f->advice,
	    "fetch the endpoint again; the runtime's own figures always add up to the byte");
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->severity != y->severity)
		return x->severity < y->severity ? 1 : -1;
	return strcmp(x->id, y->id);
}

void findings_compute(const struct capture *c, const struct ledger *l, struct findings *out)
{
	memset(out, 0, sizeof *out);
	rule_non_go_anon(c, l, out);
	rule_reserved(c, l, out);
	rule_inconsistent(c, l, out);
	qsort(out->f, out->n, sizeof out->f[0], by_bytes_desc);
}

enum severity findings_max_severity(const struct findings *fs)
{
	enum severity m = SEV_INFO;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->f[i].severity > m)
			m = fs->f[i].severity;
	return m;
}
