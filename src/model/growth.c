/* Growth over time: samples, fits, and the `growing` findings (growth.h;
 * the rules in docs/model.md, "Growth"). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/growth.h"
#include "correlate/units.h"

const struct growth_line growth_lines[GL_COUNT] = {
    [GL_RSS] = {"rss", "RES (VmRSS)", 0, 0, 1, GLIM_CGROUP},
    [GL_NON_GO_ANON] = {"non_go_anon", "non-Go anonymous", 0, 0, 0, GLIM_CGROUP},
    [GL_HEAP_ALLOC] = {"heap_alloc", "HeapAlloc", 0, 1, 0, GLIM_GOMEMLIMIT},
    [GL_HEAP_INUSE] = {"heap_inuse", "HeapInuse", 0, 1, 0, GLIM_GOMEMLIMIT},
    [GL_HEAP_IDLE] = {"heap_idle", "idle heap", 0, 1, 0, GLIM_GOMEMLIMIT},
    [GL_STACKS] = {"stacks", "goroutine stacks (StackInuse)", 0, 0, 0, GLIM_GOMEMLIMIT},
    [GL_GOROUTINES] = {"goroutines", "goroutines", 1, 0, 0, GLIM_NONE},
    [GL_THREADS] = {"threads", "OS threads", 1, 0, 0, GLIM_NONE},
    [GL_FILE] = {"file_mappings", "file mappings (RssFile)", 0, 0, 0, GLIM_CGROUP},
    [GL_WORKING_SET] = {"working_set", "the cgroup's working set", 0, 0, 1, GLIM_CGROUP},
};

const char *const growth_part_names[GP_COUNT] = {"go_heap", "go_runtime", "non_go_anon", "file",
						 "shared"};
const char *const growth_part_labels[GP_COUNT] = {"Go heap", "Go runtime", "non-Go anonymous",
						  "file-backed", "shared"};

static opt_u64 gomemlimit_of(const struct capture *c)
{
	opt_u64 gml = c->os.env.gomemlimit_bytes;
	const struct go_memstats *ms = &c->go.ms;
	/* The runtime's "no limit" is math.MaxInt64. */
	if (!gml.known && ms->gomemlimit.known && ms->gomemlimit.v < (UINT64_C(1) << 62))
		gml = ms->gomemlimit;
	return gml;
}

void growth_sample_of(const struct capture *c, const struct ledger *l, double t,
		      struct growth_sample *s)
{
	const struct go_memstats *ms = &c->go.ms;
	int go = !capture_os_only(c);
	memset(s, 0, sizeof *s);
	s->t = t;
	s->captured_at = c->captured_at;
	s->num_gc = go ? ms->num_gc : opt_none();
	s->v[GL_RSS] = l->rss;
	s->v[GL_NON_GO_ANON] = l->have_split ? l->non_go_anon_est : l->unexplained;
	s->v[GL_HEAP_ALLOC] = go ? ms->heap_alloc : opt_none();
	s->v[GL_HEAP_INUSE] = go ? ms->heap_inuse : opt_none();
	s->v[GL_HEAP_IDLE] = l->heap_free;
	s->v[GL_STACKS] = l->stack_inuse;
	s->v[GL_GOROUTINES] = go ? ms->goroutines : opt_none();
	s->v[GL_THREADS] = l->threads;
	s->v[GL_FILE] = l->rss_file;
	s->v[GL_WORKING_SET] = l->cg.have ? l->cg.working_set : opt_none();

	/* The stack: Go's resident share split into the heap and the rest,
	 * the anonymous rest non-Go, then files and shared memory. */
	opt_u64 heap = go ? opt_sub_sat(ms->heap_sys, ms->heap_released) : opt_none();
	opt_u64 go_res = l->go_resident;
	opt_u64 anon = l->rss_anon;
	if (heap.known && go_res.known)
		heap = opt_min(heap, go_res);
	if (anon.known && go_res.known)
		go_res = opt_min(go_res, anon);
	if (heap.known && go_res.known)
		heap = opt_min(heap, go_res);
	s->part[GP_GO_HEAP] = go ? heap : opt_some(0);
	s->part[GP_GO_RUNTIME] = go ? opt_sub_sat(go_res, heap) : opt_some(0);
	s->part[GP_NON_GO_ANON] = go ? opt_sub_sat(anon, go_res) : anon;
	s->part[GP_FILE] = l->rss_file;
	s->part[GP_SHARED] = l->rss_shmem;
	s->limit = l->cg.have ? l->cg.limit : opt_none();
	s->headroom = l->cg.have ? l->cg.headroom : opt_none();
	s->gomemlimit = gomemlimit_of(c);
	s->go_retained = l->go_retained;
	if (c->os.maps.have) {
		s->have_cls = 1;
		for (int i = 0; i < MC_COUNT; i++)
			s->cls_rss[i] = c->os.maps.cls[i].rss;
	}
	s->target_cpu_ns = c->probe_cpu_ns;
}

void growth_series_init(struct growth_series *gs)
{
	memset(gs, 0, sizeof *gs);
}

void growth_series_free(struct growth_series *gs)
{
	if (!gs)
		return;
	free(gs->s);
	memset(gs, 0, sizeof *gs);
}

int growth_series_push(struct growth_series *gs, const struct growth_sample *s)
{
	if (gs->n == gs->cap) {
		size_t cap = gs->cap ? gs->cap * 2 : 64;
		struct growth_sample *n = realloc(gs->s, cap * sizeof *n);
		if (!n)
			return -1;
		gs->s = n;
		gs->cap = cap;
	}
	gs->s[gs->n++] = *s;
	return 0;
}

void growth_fit_points(const double *x, const double *y, size_t n, struct growth_fit *out)
{
	memset(out, 0, sizeof *out);
	out->n = n;
	if (n == 0)
		return;
	out->x0 = x[0];
	out->x1 = x[n - 1];
	/* Centred sums: byte counts in the GiB and Unix-scale times would
	 * lose digits in the raw sums of squares. */
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	double sxx = 0, sxy = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		double dx = x[i] - mx, dy = y[i] - my;
		sxx += dx * dx;
		sxy += dx * dy;
		syy += dy * dy;
	}
	if (n < 2 || sxx <= 0) {
		out->intercept = my;
		return;
	}
	out->slope = sxy / sxx;
	out->intercept = my - out->slope * mx;
	out->r2 = syy <= 0 ? 1.0 : (sxy * sxy) / (sxx * syy);
}

/* The points a line is fitted on.  A post-GC line takes the first sample of
 * each GC cycle after the first one seen: between two GCs HeapAlloc climbs
 * with garbage (and with the ~23 KiB each /debug/vars request leaves), and
 * only right after a GC is it near the live heap, like with like. */
static size_t points(const struct growth_series *gs, int line, int less_heap, double *x, double *y)
{
	size_t k = 0;
	const struct growth_line *gl = &growth_lines[line];
	for (size_t i = 0; i < gs->n; i++) {
		const struct growth_sample *s = &gs->s[i];
		if (!s->v[line].known)
			continue;
		if (gl->post_gc) {
			if (i == 0 || !s->num_gc.known || !gs->s[i - 1].num_gc.known ||
			    s->num_gc.v <= gs->s[i - 1].num_gc.v)
				continue;
		}
		x[k] = s->t;
		y[k] = (double)s->v[line].v;
		/* RES counts the heap's garbage too: with a large live heap the
		 * next GC can be hours away, and until then every request's
		 * garbage touches fresh pages, a straight line (docs/model.md
		 * §17).  HeapInuse climbs with it; the rest of RES does not. */
		if (less_heap && s->v[GL_HEAP_INUSE].known)
			y[k] -= (double)s->v[GL_HEAP_INUSE].v;
		k++;
	}
	return k;
}

void growth_analyze(const struct growth_series *gs, struct growth_result *out)
{
	double *x = malloc((gs->n ? gs->n : 1) * sizeof *x);
	double *y = malloc((gs->n ? gs->n : 1) * sizeof *y);
	const struct growth_sample *last = gs->n ? &gs->s[gs->n - 1] : NULL;
	/* The heap lines first: whether HeapInuse grows decides how RES is fitted. */
	int order[GL_COUNT], k = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < GL_COUNT; i++)
			if (growth_lines[i].post_gc == !pass)
				order[k++] = i;
	for (int o = 0; o < GL_COUNT; o++) {
		int i = order[o];
		struct growth_result *r = &out[i];
		const struct growth_line *gl = &growth_lines[i];
		memset(r, 0, sizeof *r);
		r->seconds_to_limit = -1;
		int less_heap = gl->less_heap && out[GL_HEAP_INUSE].state != GS_GROWING;
		size_t n = x && y ? points(gs, i, less_heap, x, y) : 0;
		int any = 0;
		for (size_t j = 0; j < gs->n; j++)
			any |= gs->s[j].v[i].known;
		if (!any) {
			r->state = GS_UNKNOWN;
			continue;
		}
		growth_fit_points(x, y, n, &r->fit);
		if (n == 0) {
			r->state = GS_TOO_FEW;
			continue;
		}
		r->first = y[0];
		r->last = y[n - 1];
		r->rise = r->fit.slope * (r->fit.x1 - r->fit.x0);
		if (n < GROWTH_MIN_SAMPLES) {
			r->state = GS_TOO_FEW;
			continue;
		}
		double start = r->fit.intercept + r->fit.slope * r->fit.x0;
		for (size_t j = 0; less_heap && j < gs->n; j++)
			if (gs->s[j].v[i].known) { /* the floor's share: of RES, not RES - heap */
				start = (double)gs->s[j].v[i].v;
				break;
			}
		double floor = gl->is_count ? GROWTH_FLOOR_COUNT : (double)GROWTH_FLOOR_BYTES;
		if (start > 0 && GROWTH_FLOOR_SHARE * start > floor)
			floor = GROWTH_FLOOR_SHARE * start;
		if (fabs(r->rise) < floor)
			r->state = GS_FLAT;
		else if (r->fit.r2 < GROWTH_MIN_R2)
			r->state = GS_NOISY;
		else
			r->state = r->rise > 0 ? GS_GROWING : GS_SHRINKING;
		if (r->state != GS_GROWING || gl->limit == GLIM_NONE || !last)
			continue;
		/* Everything the process holds counts against its cgroup; the Go
		 * lines meet GOMEMLIMIT first when it is tighter. */
		if (last->headroom.known && last->limit.known) {
			r->seconds_to_limit = (double)last->headroom.v / r->fit.slope;
			r->limit_name = "the cgroup limit";
		}
		if (gl->limit == GLIM_GOMEMLIMIT && last->gomemlimit.known &&
		    last->go_retained.known) {
			double left = last->gomemlimit.v > last->go_retained.v
					  ? (double)(last->gomemlimit.v - last->go_retained.v)
					  : 0;
			double s = left / r->fit.slope;
			if (r->seconds_to_limit < 0 || s < r->seconds_to_limit) {
				r->seconds_to_limit = s;
				r->limit_name = "GOMEMLIMIT";
			}
		}
	}
	free(x);
	free(y);
}

const char *growth_state_name(enum growth_state s)
{
	switch (s) {
	case GS_UNKNOWN:
		return "unknown";
	case GS_TOO_FEW:
		return "too few samples";
	case GS_FLAT:
		return "flat";
	case GS_NOISY:
		return "noisy";
	case GS_SHRINKING:
		return "shrinking";
	case GS_GROWING:
		return "growing";
	}
	return "unknown";
}

/* A rate for people: "+1.98 MiB/s", "+120.0/s" for counts. */
static void fmt_rate(double rate, int is_count, char *out, size_t cap)
{
	char b[32];
	if (is_count) {
		snprintf(out, cap, "%+.1f/s", rate);
		return;
	}
	fmt_iec((uint64_t)fabs(rate), b, sizeof b);
	snprintf(out, cap, "%s%s/s", rate < 0 ? "-" : "+", b);
}

static void fmt_duration(double s, char *out, size_t cap)
{
	if (s < 120)
		snprintf(out, cap, "%.0f s", s);
	else if (s < 7200)
		snprintf(out, cap, "%.0f min", s / 60);
	else if (s < 172800)
		snprintf(out, cap, "%.1f h", s / 3600);
	else
		snprintf(out, cap, "%.1f days", s / 86400);
}

/* How the Go heap moved, for a line that is not the heap: the evidence
 * that it is not Go's garbage. */
static void heap_note(const struct growth_result *res, char *out, size_t cap)
{
	const struct growth_result *h = &res[GL_HEAP_ALLOC];
	char rate[32];
	switch (h->state) {
	case GS_UNKNOWN:
		snprintf(out, cap, "HeapAlloc not read");
		break;
	case GS_TOO_FEW:
		snprintf(out, cap, "HeapAlloc after GC: %zu GC cycle%s seen, too few to fit",
			 h->fit.n, h->fit.n == 1 ? "" : "s");
		break;
	case GS_GROWING:
		fmt_rate(h->fit.slope, 0, rate, sizeof rate);
		snprintf(out, cap, "HeapAlloc after GC also grows, %s", rate);
		break;
	default:
		snprintf(out, cap, "HeapAlloc after GC %s over %zu GC cycles",
			 growth_state_name(h->state), h->fit.n);
	}
}

static const char *advice_of(int line)
{
	switch (line) {
	case GL_NON_GO_ANON:
		return "memory outside Go's accounting grows: a C library (cgo) that leaks or "
		       "caches; track its allocations (heaptrack, or LD_PRELOAD a malloc tracer) "
		       "and compare two saved pairs with correlate diff";
	case GL_HEAP_ALLOC:
	case GL_HEAP_INUSE:
		return "the live heap grows after every GC: take two heap profiles minutes apart "
		       "(go tool pprof -base old.pb.gz new.pb.gz) to see which allocations stay";
	case GL_HEAP_IDLE:
		return "idle heap grows: freed spans are kept, not returned; see the idle_heap "
		       "finding of a single report";
	case GL_STACKS:
	case GL_GOROUTINES:
		return "goroutines that never exit: curl .../debug/pprof/goroutine?debug=1 twice "
		       "and compare the counts per stack";
	case GL_THREADS:
		return "OS threads that are not released: look for LockOSThread without "
		       "UnlockOSThread, or blocking cgo calls (GODEBUG=schedtrace=1000)";
	case GL_FILE:
		return "mapped files grow in memory: a database or mmap'd files being read; the "
		       "kernel can drop these pages under pressure";
	case GL_WORKING_SET:
		return "the container's working set grows: when this process's RES does not, it "
		       "is the cgroup's page cache or another of its processes (a single report's "
		       "page_cache and other_processes findings say which)";
	default:
		return "compare two saved pairs with correlate diff to see which part grows";
	}
}

void growth_findings(const struct growth_series *gs, const struct growth_result *res,
		     struct findings *fs)
{
	int order[GL_COUNT], n = 0;
	for (int i = 0; i < GL_COUNT; i++)
		if (res[i].state == GS_GROWING)
			order[n++] = i;
	/* Bytes first, largest rate first; then counts. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0; j--) {
			const struct growth_line *a = &growth_lines[order[j - 1]],
						 *b = &growth_lines[order[j]];
			int swap = a->is_count > b->is_count ||
				   (a->is_count == b->is_count &&
				    res[order[j - 1]].fit.slope < res[order[j]].fit.slope);
			if (!swap)
				break;
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	char heap[160];
	heap_note(res, heap, sizeof heap);
	double span = gs->n ? gs->s[gs->n - 1].t - gs->s[0].t : 0;
	for (int k = 0; k < n && fs->n < FINDINGS_MAX; k++) {
		int i = order[k];
		const struct growth_line *gl = &growth_lines[i];
		const struct growth_result *r = &res[i];
		struct finding *f = &fs->f[fs->n++];
		memset(f, 0, sizeof *f);
		f->id = "growing";
		int soon = r->seconds_to_limit >= 0 && r->seconds_to_limit < 3600;
		f->severity = soon ? SEV_CRITICAL : SEV_WARNING;
		f->bytes = gl->is_count || r->rise < 0 ? 0 : (uint64_t)r->rise;
		char rate[32], when[32];
		fmt_rate(r->fit.slope, gl->is_count, rate, sizeof rate);
		snprintf(f->summary, sizeof f->summary, "%s (%s) grows at %s", gl->name, gl->label,
			 rate);
		snprintf(f->evidence, sizeof f->evidence, "%s %s over %zu %s in %.0f s (R² %.2f)",
			 gl->label, rate, r->fit.n, gl->post_gc ? "post-GC samples" : "samples",
			 span, r->fit.r2);
		if (r->seconds_to_limit >= 0) {
			fmt_duration(r->seconds_to_limit, when, sizeof when);
			fmt_append(f->evidence, sizeof f->evidence,
				   "; reaches %s in %s at this rate", r->limit_name, when);
		}
		if (gl->less_heap && res[GL_HEAP_INUSE].state != GS_GROWING &&
		    gs->n && gs->s[gs->n - 1].v[GL_HEAP_INUSE].known)
			fmt_append(f->evidence, sizeof f->evidence,
				   "; fitted without HeapInuse (the heap's garbage between GCs)");
		if (i != GL_HEAP_ALLOC && i != GL_HEAP_INUSE)
			fmt_append(f->evidence, sizeof f->evidence, "; %s", heap);
		if (i == GL_WORKING_SET && res[GL_RSS].state != GS_GROWING)
			fmt_append(f->evidence, sizeof f->evidence,
				   "; this process's RES %s: the growth is elsewhere in its cgroup",
				   growth_state_name(res[GL_RSS].state));
		if (i == GL_STACKS && res[GL_GOROUTINES].state == GS_GROWING) {
			fmt_rate(res[GL_GOROUTINES].fit.slope, 1, rate, sizeof rate);
			fmt_append(f->evidence, sizeof f->evidence, "; goroutines %s", rate);
		}
		snprintf(f->advice, sizeof f->advice, "%s", advice_of(i));
	}
}
