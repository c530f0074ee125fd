/* A series for people and for tools: watch's live view, its summary (text
 * and JSON), and diff's table (series.h). */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "correlate/escape.h"
#include "correlate/render.h"
#include "correlate/series.h"
#include "correlate/units.h"
#include "jsonb.h"

/* ---- shared helpers ------------------------------------------------------- */

static const char *amount(opt_u64 v, int is_count, char *buf, size_t cap)
{
	return fmt_amount(v, is_count, buf, cap);
}

/* A signed change: "+4.0 MiB", "-12", "0 B". */
static const char *change(double d, int is_count, char *buf, size_t cap)
{
	char b[32];
	if (is_count) {
		snprintf(buf, cap, "%+.0f", d);
		return buf;
	}
	fmt_iec((uint64_t)fabs(d), b, sizeof b);
	snprintf(buf, cap, "%s%s", d < 0 ? "-" : d > 0 ? "+" : "", b);
	return buf;
}

static const char *rate(double r, int is_count, char *buf, size_t cap)
{
	char b[32];
	if (is_count) {
		snprintf(buf, cap, "%+.1f/s", r);
		return buf;
	}
	fmt_iec((uint64_t)fabs(r), b, sizeof b);
	snprintf(buf, cap, "%s%s/s", r < 0 ? "-" : "+", b);
	return buf;
}

/* The first and last known value of a line. */
static int ends(const struct growth_series *gs, int line, opt_u64 *first, opt_u64 *last)
{
	*first = *last = opt_none();
	for (size_t i = 0; i < gs->n; i++)
		if (gs->s[i].v[line].known) {
			if (!first->known)
				*first = gs->s[i].v[line];
			*last = gs->s[i].v[line];
		}
	return first->known;
}

/* ---- the live view -------------------------------------------------------- */

int render_watch_frame(FILE *out, const struct growth_series *gs, const struct series_info *si,
		       int tty)
{
	if (!gs->n)
		return 0;
	struct growth_result res[GL_COUNT];
	growth_analyze(gs, res);
	const struct growth_sample *last = &gs->s[gs->n - 1], *first = &gs->s[0];
	char a[32], b[32], c[32];
	if (!tty) {
		fprintf(out, "%7.1fs", last->t);
		for (int i = 0; i < GL_COUNT; i++) {
			if (!last->v[i].known)
				continue;
			fprintf(out, "  %s %s", growth_lines[i].name,
				amount(last->v[i], growth_lines[i].is_count, a, sizeof a));
		}
		fputc('\n', out);
		return fflush(out) == 0 ? 0 : -1;
	}
	fputs("\033[H\033[2J", out);
	fprintf(out, "correlate watch: pid %d (", (int)si->pid);
	esc_fputs(si->comm, ESC_TEXT, out);
	fprintf(out, "), %zu sample%s over %.0f s, every %.1f s; Ctrl-C ends with a summary\n\n",
		gs->n, gs->n == 1 ? "" : "s", last->t, si->interval_seconds);
	fprintf(out, "  %-32s %12s %12s %14s  %s\n", "", "now", "change", "rate", "");
	for (int i = 0; i < GL_COUNT; i++) {
		const struct growth_line *gl = &growth_lines[i];
		opt_u64 f, l;
		if (!ends(gs, i, &f, &l))
			continue;
		const struct growth_result *r = &res[i];
		fprintf(out, "  %-32s %12s %12s %14s  %s\n", gl->label,
			amount(l, gl->is_count, a, sizeof a),
			change((double)l.v - (double)f.v, gl->is_count, b, sizeof b),
			r->fit.n >= 2 ? rate(r->fit.slope, gl->is_count, c, sizeof c) : "",
			r->state == GS_GROWING ? "growing" : "");
	}
	if (last->have_cls && first->have_cls) {
		fputs("\n  smaps by class (Rss)\n", out);
		for (int i = 0; i < MC_COUNT; i++) {
			if (!last->cls_rss[i] && !first->cls_rss[i])
				continue;
			fprintf(out, "  %-32s %12s %12s\n", map_class_label((enum map_class)i),
				fmt_iec(last->cls_rss[i], a, sizeof a),
				change((double)last->cls_rss[i] - (double)first->cls_rss[i], 0, b,
				       sizeof b));
		}
	}
	return fflush(out) == 0 ? 0 : -1;
}

/* ---- the summary, text ---------------------------------------------------- */

static double target_cpu_total(const struct growth_series *gs, int *known)
{
	double ns = 0;
	*known = 0;
	for (size_t i = 0; i < gs->n; i++)
		if (gs->s[i].target_cpu_ns.known) {
			ns += (double)gs->s[i].target_cpu_ns.v;
			*known = 1;
		}
	return ns;
}

int render_summary_text(FILE *out, const struct growth_series *gs, const struct growth_result *res,
			const struct findings *fs, const struct series_info *si)
{
	char a[32], b[32], c[32];
	double span = gs->n ? gs->s[gs->n - 1].t - gs->s[0].t : 0;
	fputs("\nSummary: ", out);
	if (si->source) {
		fputs("the series in ", out);
		esc_fputs(si->source, ESC_TEXT, out);
	} else {
		fprintf(out, "pid %d (", (int)si->pid);
		esc_fputs(si->comm, ESC_TEXT, out);
		fputc(')', out);
	}
	fprintf(out, ", %zu sample%s over %.1f s", gs->n, gs->n == 1 ? "" : "s", span);
	if (si->skipped)
		fprintf(out, " (%zu skipped)", si->skipped);
	fputs("\n", out);
	if (si->ended) {
		fputs("Ended early: ", out);
		esc_fputs(si->ended, ESC_SAFE, out);
		fputc('\n', out);
	}
	/* "R²" is 3 bytes in 2 columns: padded by hand. */
	fprintf(out, "\n  %-32s %12s %12s %14s     R²\n", "", "first", "last", "rate");
	for (int i = 0; i < GL_COUNT; i++) {
		const struct growth_line *gl = &growth_lines[i];
		opt_u64 f, l;
		if (!ends(gs, i, &f, &l))
			continue;
		const struct growth_result *r = &res[i];
		char r2[16] = "";
		if (r->fit.n >= 2)
			snprintf(r2, sizeof r2, "%.2f", r->fit.r2);
		fprintf(out, "  %-32s %12s %12s %14s %6s  %s%s\n", gl->label,
			amount(f, gl->is_count, a, sizeof a), amount(l, gl->is_count, b, sizeof b),
			r->fit.n >= 2 ? rate(r->fit.slope, gl->is_count, c, sizeof c) : "", r2,
			growth_state_name(r->state), gl->post_gc ? " (after GC)" : "");
	}
	fputs("\n", out);
	if (!fs->n)
		fputs("No line grows (docs/model.md, \"Growth\", says what counts).\n", out);
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		fprintf(out, "%s %s: ", severity_name(f->severity), f->id);
		esc_fputs(f->summary, ESC_SAFE, out);
		fputs("\n    ", out);
		esc_fputs(f->evidence, ESC_SAFE, out);
		fputs("\n    next: ", out);
		esc_fputs(f->advice, ESC_SAFE, out);
		fputc('\n', out);
	}
	if (!si->source) {
		int known;
		double t = target_cpu_total(gs, &known);
		fprintf(out,
			"\nWatching cost correlate %.3f s of CPU in %.1f s (%.2f%% of one CPU)",
			si->self_cpu_seconds, si->wall_seconds,
			si->wall_seconds > 0 ? 100 * si->self_cpu_seconds / si->wall_seconds : 0);
		if (known)
			fprintf(out, "; the target %.3f s answering", t / 1e9);
		fputs(".\n", out);
	}
	return fflush(out) == 0 ? 0 : -1;
}

/* ---- the summary, JSON ---------------------------------------------------- */

static void finding_obj(struct jb *b, cJSON *a, const struct finding *f)
{
	cJSON *x = add(b, a, cJSON_CreateObject());
	str(b, x, "id", f->id);
	str(b, x, "severity", severity_name(f->severity));
	u64(b, x, "bytes", opt_some(f->bytes));
	str(b, x, "summary", f->summary);
	str(b, x, "evidence", f->evidence);
	str(b, x, "advice", f->advice);
}

static int print_doc(FILE *out, cJSON *root, struct jb *b, int compact)
{
	return jb_print(out, root, b, compact) == 0 && fflush(out) == 0 ? 0 : -1;
}

int render_summary_json(FILE *out, const struct growth_series *gs, const struct growth_result *res,
			const struct findings *fs, const struct series_info *si, int compact)
{
	struct jb b = {0};
	char when[32];
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return -1;
	u64(&b, root, "schema_version", opt_some(1));
	str(&b, root, "kind", "summary");
	cJSON *tool = put(&b, root, "tool", cJSON_CreateObject());
	str(&b, tool, "name", "correlate");
	str(&b, tool, "version", CORRELATE_VERSION);
	u64(&b, root, "pid", si->pid ? opt_some((uint64_t)si->pid) : opt_none());
	str(&b, root, "command", si->command);
	str(&b, root, "source", si->source);
	u64(&b, root, "samples", opt_some(gs->n));
	u64(&b, root, "skipped", opt_some(si->skipped));
	num(&b, root, "interval_seconds", si->interval_seconds, 3);
	num(&b, root, "seconds", gs->n ? gs->s[gs->n - 1].t - gs->s[0].t : 0, 3);
	if (gs->n && gs->s[0].captured_at) {
		fmt_rfc3339(gs->s[0].captured_at, when, sizeof when);
		str(&b, root, "first_captured_at", when);
		fmt_rfc3339(gs->s[gs->n - 1].captured_at, when, sizeof when);
		str(&b, root, "last_captured_at", when);
	} else {
		put(&b, root, "first_captured_at", cJSON_CreateNull());
		put(&b, root, "last_captured_at", cJSON_CreateNull());
	}
	str(&b, root, "ended", si->ended);

	cJSON *growth = put(&b, root, "growth", cJSON_CreateArray());
	cJSON *lines = put(&b, root, "lines", cJSON_CreateArray());
	for (int i = 0; i < GL_COUNT; i++) {
		const struct growth_line *gl = &growth_lines[i];
		const struct growth_result *r = &res[i];
		const char *rate_key = gl->is_count ? "per_second" : "bytes_per_second";
		cJSON *x = add(&b, lines, cJSON_CreateObject());
		str(&b, x, "line", gl->name);
		str(&b, x, "state",
		    r->state == GS_TOO_FEW ? "too_few" : growth_state_name(r->state));
		u64(&b, x, "samples", opt_some(r->fit.n));
		int fitted = r->state != GS_UNKNOWN && r->fit.n >= 2;
		if (fitted) {
			num(&b, x, rate_key, r->fit.slope, 1);
			num(&b, x, "r2", r->fit.r2, 4);
		} else {
			put(&b, x, rate_key, cJSON_CreateNull());
			put(&b, x, "r2", cJSON_CreateNull());
		}
		opt_u64 f, l;
		ends(gs, i, &f, &l);
		u64(&b, x, "first", f);
		u64(&b, x, "last", l);
		if (r->state != GS_GROWING)
			continue;
		cJSON *g = add(&b, growth, cJSON_CreateObject());
		str(&b, g, "line", gl->name);
		num(&b, g, rate_key, r->fit.slope, 1);
		u64(&b, g, "samples", opt_some(r->fit.n));
		num(&b, g, "r2", r->fit.r2, 4);
		if (r->seconds_to_limit >= 0)
			num(&b, g, "seconds_to_limit", r->seconds_to_limit, 0);
		else
			put(&b, g, "seconds_to_limit", cJSON_CreateNull());
		str(&b, g, "limit", r->seconds_to_limit >= 0 ? r->limit_name : NULL);
	}
	cJSON *fa = put(&b, root, "findings", cJSON_CreateArray());
	for (size_t i = 0; i < fs->n; i++)
		finding_obj(&b, fa, &fs->f[i]);
	cJSON *cost = put(&b, root, "cost", cJSON_CreateObject());
	if (si->source) {
		put(&b, cost, "correlate_cpu_seconds", cJSON_CreateNull());
		put(&b, cost, "wall_seconds", cJSON_CreateNull());
		put(&b, cost, "correlate_cpu_share", cJSON_CreateNull());
	} else {
		num(&b, cost, "correlate_cpu_seconds", si->self_cpu_seconds, 3);
		num(&b, cost, "wall_seconds", si->wall_seconds, 3);
		num(&b, cost, "correlate_cpu_share",
		    si->wall_seconds > 0 ? si->self_cpu_seconds / si->wall_seconds : 0, 5);
	}
	int known;
	double t = target_cpu_total(gs, &known);
	u64(&b, cost, "target_cpu_ns", known ? opt_some((uint64_t)t) : opt_none());
	return print_doc(out, root, &b, compact);
}

/* ---- diff ----------------------------------------------------------------- */

static double delta(opt_u64 a, opt_u64 b)
{
	return a.known && b.known ? (double)b.v - (double)a.v : 0;
}

/* Rows that sum others: the part that changed is named, not its sum. */
static int is_total(const char *section, const char *key)
{
	static const char *const totals[] = {
	    "res.vm_rss_bytes",
	    "res.rss_anon_bytes",
	    "anon.resident_bytes",
	    "anon.footprint_bytes",
	    "go.sys_bytes",
	    "go.retained_bytes",
	    "go.resident_bytes",
	    "go.not_resident_bytes",
	    "metadata.total_bytes",
	    "stacks.stack_sys_bytes",
	    "split.go_heap_bytes",
	    "split.go_other_bytes",
	    "split.non_go_anon_bytes",
	    "split.non_go_anon_estimate_bytes",
	    "split.non_go_anon_max_bytes",
	    "split.other_non_go_max_bytes",
	    "go.unexplained_bytes", /* footprint - retained: the non-Go parts name it */
	};
	if (strcmp(section, "virt") == 0 || strcmp(section, "checks") == 0)
		return 1;
	char k[96];
	snprintf(k, sizeof k, "%s.%s", section, key);
	for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++)
		if (strcmp(k, totals[i]) == 0)
			return 1;
	return 0;
}

static int by_change(const void *x, const void *y)
{
	const struct diff_row *a = x, *b = y;
	int ka = a->a.known && a->b.known, kb = b->a.known && b->b.known;
	if (ka != kb)
		return kb - ka;
	/* Counts after bytes: a goroutine is not comparable to a byte. */
	if (a->is_count != b->is_count)
		return a->is_count - b->is_count;
	double da = fabs(a->change), db = fabs(b->change);
	if (da != db)
		return da < db ? 1 : -1;
	int c = strcmp(a->section, b->section); /* ties: always the same order */
	return c ? c : strcmp(a->key, b->key);
}

void ledger_diff_compute(const struct capture *ca, const struct ledger *la,
			 const struct capture *cb, const struct ledger *lb, struct ledger_diff *d)
{
	memset(d, 0, sizeof *d);
	d->a_at = ca->captured_at;
	d->b_at = cb->captured_at;
	for (size_t i = 0; i < ledger_rows_count && d->n < DIFF_ROWS_MAX; i++) {
		const struct ledger_row *lr = &ledger_rows[i];
		struct diff_row *r = &d->r[d->n];
		r->section = lr->section;
		r->key = lr->json;
		r->label = lr->label;
		r->is_count = lr->is_count;
		r->a = ledger_get(la, lr);
		r->b = ledger_get(lb, lr);
		if (!r->a.known && !r->b.known)
			continue;
		r->change = delta(r->a, r->b);
		d->n++;
	}
	for (int i = 0; i < MC_COUNT && d->n < DIFF_ROWS_MAX; i++) {
		if (!ca->os.maps.have || !cb->os.maps.have)
			break;
		struct diff_row *r = &d->r[d->n];
		r->section = "class";
		r->key = map_class_name((enum map_class)i);
		r->label = map_class_label((enum map_class)i);
		r->a = opt_some(ca->os.maps.cls[i].rss);
		r->b = opt_some(cb->os.maps.cls[i].rss);
		if (!r->a.v && !r->b.v)
			continue;
		r->change = delta(r->a, r->b);
		d->n++;
	}
	qsort(d->r, d->n, sizeof d->r[0], by_change);
	d->most = -1;
	for (size_t i = 0; i < d->n; i++) {
		d->r[i].total = is_total(d->r[i].section, d->r[i].key);
		if (d->most < 0 && !d->r[i].total && d->r[i].change != 0 && !d->r[i].is_count)
			d->most = (int)i;
	}
}

int render_diff_text(FILE *out, const struct ledger_diff *d)
{
	char a[32], b[32], c[32], wa[32], wb[32];
	fmt_rfc3339(d->a_at, wa, sizeof wa);
	fmt_rfc3339(d->b_at, wb, sizeof wb);
	fputs("A: ", out);
	esc_fputs(d->a_name ? d->a_name : "", ESC_TEXT, out);
	fprintf(out, " (%s)\nB: ", d->a_at ? wa : "time not recorded");
	esc_fputs(d->b_name ? d->b_name : "", ESC_TEXT, out);
	fprintf(out, " (%s)\n\n", d->b_at ? wb : "time not recorded");
	if (d->most >= 0) {
		const struct diff_row *m = &d->r[d->most];
		fprintf(out, "Changed most: %s %s (%s, %s.%s)\n\n", m->section, m->label,
			change(m->change, m->is_count, c, sizeof c), m->section, m->key);
	} else {
		fputs("Nothing changed.\n\n", out);
	}
	fprintf(out, "  %-10s %-34s %12s %12s %12s\n", "section", "line", "A", "B", "change");
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_row *r = &d->r[i];
		fprintf(
		    out, "  %-10s %-34s %12s %12s %12s\n", r->section, r->label,
		    amount(r->a, r->is_count, a, sizeof a), amount(r->b, r->is_count, b, sizeof b),
		    r->a.known && r->b.known ? change(r->change, r->is_count, c, sizeof c) : "");
	}
	return fflush(out) == 0 ? 0 : -1;
}

int render_diff_markdown(FILE *out, const struct ledger_diff *d)
{
	char a[32], b[32], c[32];
	fputs("## correlate diff\n\n- A: `", out);
	esc_fputs(d->a_name ? d->a_name : "", ESC_TEXT, out);
	fputs("`\n- B: `", out);
	esc_fputs(d->b_name ? d->b_name : "", ESC_TEXT, out);
	fputs("`\n", out);
	if (d->most >= 0)
		fprintf(out, "- Changed most: **%s %s** (%s)\n", d->r[d->most].section,
			d->r[d->most].label,
			change(d->r[d->most].change, d->r[d->most].is_count, c, sizeof c));
	fputs("\n| section | line | A | B | change |\n|---|---|--:|--:|--:|\n", out);
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_row *r = &d->r[i];
		fprintf(
		    out, "| %s | %s | %s | %s | %s |\n", r->section, r->label,
		    amount(r->a, r->is_count, a, sizeof a), amount(r->b, r->is_count, b, sizeof b),
		    r->a.known && r->b.known ? change(r->change, r->is_count, c, sizeof c) : "");
	}
	return fflush(out) == 0 ? 0 : -1;
}

int render_diff_json(FILE *out, const struct ledger_diff *d)
{
	struct jb b = {0};
	char when[32];
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return -1;
	u64(&b, root, "schema_version", opt_some(1));
	str(&b, root, "kind", "diff");
	cJSON *tool = put(&b, root, "tool", cJSON_CreateObject());
	str(&b, tool, "name", "correlate");
	str(&b, tool, "version", CORRELATE_VERSION);
	const struct {
		const char *key, *name;
		int64_t at;
	} sides[] = {{"a", d->a_name, d->a_at}, {"b", d->b_name, d->b_at}};
	for (size_t i = 0; i < 2; i++) {
		cJSON *s = put(&b, root, sides[i].key, cJSON_CreateObject());
		str(&b, s, "source", sides[i].name);
		fmt_rfc3339(sides[i].at, when, sizeof when);
		str(&b, s, "captured_at", sides[i].at ? when : NULL);
	}
	cJSON *rows = put(&b, root, "changes", cJSON_CreateArray());
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_row *r = &d->r[i];
		cJSON *x = add(&b, rows, cJSON_CreateObject());
		str(&b, x, "section", r->section);
		str(&b, x, "key", r->key);
		str(&b, x, "label", r->label);
		put(&b, x, "is_count", cJSON_CreateBool(r->is_count));
		put(&b, x, "total", cJSON_CreateBool(r->total));
		u64(&b, x, "a", r->a);
		u64(&b, x, "b", r->b);
		if (r->a.known && r->b.known)
			num(&b, x, "change", r->change, 0);
		else
			put(&b, x, "change", cJSON_CreateNull());
	}
	if (d->most >= 0) {
		cJSON *m = put(&b, root, "changed_most", cJSON_CreateObject());
		str(&b, m, "section", d->r[d->most].section);
		str(&b, m, "key", d->r[d->most].key);
		str(&b, m, "label", d->r[d->most].label);
		num(&b, m, "change", d->r[d->most].change, 0);
	} else {
		put(&b, root, "changed_most", cJSON_CreateNull());
	}
	return print_doc(out, root, &b, 0);
}
