/* A scan's outputs: the table for people, the Prometheus text exposition
 * (0.0.4, what node_exporter's textfile collector and promtool read) and
 * OpenMetrics 1.0.0, and the JSON scan header.  Names and labels follow
 * Prometheus' conventions (docs/json.md "Prometheus"): the correlate_
 * prefix, base units, _bytes and _seconds, _info for metadata; every series
 * of a target carries pid and comm, and container_id where the cgroup path
 * names one.  No per-mapping labels: a target has a bounded number of
 * series (one per finding id at most). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "correlate/escape.h"
#include "correlate/scan.h"
#include "correlate/units.h"

/* ---- the table ---- */

static int by_rss(const void *a, const void *b)
{
	const struct scan_row *x = a, *y = b;
	uint64_t rx = x->rss.known ? x->rss.v : 0, ry = y->rss.known ? y->rss.v : 0;
	if (rx != ry)
		return rx > ry ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The container's id (12 digits, as docker ps shows it), or the cgroup
 * path's end. */
static void where(const struct scan_row *r, char *out, size_t cap)
{
	char esc[ESC_MAX(sizeof r->cgroup)];
	if (r->container_id[0]) {
		snprintf(out, cap, "%.12s", r->container_id);
		return;
	}
	esc_str(esc, sizeof esc, r->cgroup[0] ? r->cgroup : "-", ESC_TEXT);
	size_t n = strlen(esc);
	if (n > 26)
		snprintf(out, cap, "...%s", esc + n - 23);
	else
		snprintf(out, cap, "%s", esc);
}

static void amount(opt_u64 v, char *out, size_t cap)
{
	if (!v.known)
		snprintf(out, cap, "-");
	else
		fmt_iec(v.v, out, cap);
}

int render_scan_text(FILE *out, const struct scan_result *s)
{
	const struct scan_totals *t = &s->t;
	struct scan_row *rows = NULL;
	if (s->n_rows) {
		rows = malloc(s->n_rows * sizeof *rows);
		if (!rows)
			return -1;
		memcpy(rows, s->rows, s->n_rows * sizeof *rows);
		qsort(rows, s->n_rows, sizeof *rows, by_rss);
	}
	fprintf(out, "%-8s %-15s %-26s %10s %12s %12s %12s  %s\n", "PID", "NAME",
		"CONTAINER/CGROUP", "RES", "GO RETAINED", "UNEXPLAINED", "WORKING SET",
		"TOP FINDING");
	for (size_t i = 0; i < s->n_rows; i++) {
		const struct scan_row *r = &rows[i];
		char name[ESC_MAX(64)], wh[64], rss[32], ret[32], unx[32], ws[32], top[96];
		esc_str(name, sizeof name, r->comm, ESC_TEXT);
		where(r, wh, sizeof wh);
		amount(r->rss, rss, sizeof rss);
		amount(r->go_retained, ret, sizeof ret);
		amount(r->unexplained, unx, sizeof unx);
		amount(r->working_set, ws, sizeof ws);
		if (r->os_only)
			snprintf(ret, sizeof ret, "no endpoint");
		if (r->top >= 0) {
			char b[32];
			const struct scan_finding *f = &r->f[r->top];
			snprintf(top, sizeof top, "%s (%s, %s)", f->id, severity_name(f->severity),
				 fmt_iec(f->bytes, b, sizeof b));
		} else {
			snprintf(top, sizeof top, "-");
		}
		fprintf(out, "%-8d %-15.15s %-26s %10s %12s %12s %12s  %s\n", (int)r->pid, name,
			wh, rss, ret, unx, ws, top);
	}
	free(rows);
	double probe_ms = (double)t->probe_cpu_ns / 1e6;
	fprintf(out,
		"\n%zu Go process%s reported of %zu user-space processes, in %.1f s (%d worker%s, "
		"budget %g s); answering cost them %.1f ms of CPU in all%s\n",
		t->targets, t->targets == 1 ? "" : "es", t->processes, t->duration, t->workers,
		t->workers == 1 ? "" : "s", t->budget, probe_ms,
		t->allow_pprof ? "" : " (pprof not asked: --allow-pprof)");
	if (t->unreadable)
		fprintf(out, "%zu process%s could not be looked at: /proc/PID/exe could not be "
			     "opened (another user's without CAP_SYS_PTRACE, or refused by a "
			     "security module)\n",
			t->unreadable, t->unreadable == 1 ? "" : "es");
	for (size_t i = 0; i < s->n_miss; i++) {
		const struct scan_miss *m = &s->miss[i];
		char name[ESC_MAX(64)];
		esc_str(name, sizeof name, m->comm, ESC_TEXT);
		fprintf(out, "%s: pid %d (%s): %s\n", m->dropped ? "left out" : "failed",
			(int)m->pid, name, m->msg);
	}
	return ferror(out) ? -1 : 0;
}

/* ---- Prometheus and OpenMetrics ---- */

/* A label value: valid UTF-8 (bytes that are not become \xNN, as
 * everywhere), with the exposition's three escapes (\\, \", \n); a control
 * byte, which would reach a dashboard raw, is shown as \xNN too. */
static void label_value(FILE *out, const char *s)
{
	char buf[ESC_MAX(512)];
	esc_str(buf, sizeof buf, s, ESC_UTF8);
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", out);
		else if (*p == '"')
			fputs("\\\"", out);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			fprintf(out, "\\\\xc2\\\\x%02x", *++p);
		else
			fputc(*p, out);
	}
}

static void target_labels(FILE *out, const struct scan_row *r)
{
	fprintf(out, "pid=\"%d\",comm=\"", (int)r->pid);
	label_value(out, r->comm);
	fputc('"', out);
	if (r->container_id[0]) {
		fputs(",container_id=\"", out);
		label_value(out, r->container_id);
		fputc('"', out);
	}
}

enum fam_type { F_GAUGE, F_COUNTER, F_INFO };

/* HELP and TYPE (and UNIT in OpenMetrics).  name is the sample's name; in
 * OpenMetrics a counter's family drops _total and an info's drops _info. */
static void family(FILE *out, int om, const char *name, enum fam_type type, const char *unit,
		   const char *help)
{
	char fam[128];
	size_t n = strlen(name);
	snprintf(fam, sizeof fam, "%s", name);
	if (om && type == F_COUNTER && n > 6 && strcmp(name + n - 6, "_total") == 0)
		fam[n - 6] = '\0';
	if (om && type == F_INFO && n > 5 && strcmp(name + n - 5, "_info") == 0)
		fam[n - 5] = '\0';
	const char *tn = type == F_COUNTER ? "counter" : (type == F_INFO && om) ? "info" : "gauge";
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", fam, help, fam, tn);
	if (om && unit)
		fprintf(out, "# UNIT %s %s\n", fam, unit);
}

struct row_gauge {
	const char *name;
	const char *help;
	size_t offset; /* of an opt_u64 in struct scan_row */
};

static const struct row_gauge row_gauges[] = {
    {"correlate_rss_bytes", "Resident set size of the process: top's RES (status VmRSS).",
     offsetof(struct scan_row, rss)},
    {"correlate_anon_footprint_bytes",
     "Anonymous memory the process holds: RssAnon + swap - LazyFree; what Go's "
     "accounting is held against.",
     offsetof(struct scan_row, anon_footprint)},
    {"correlate_go_retained_bytes",
     "What the Go runtime holds from the OS: MemStats Sys - HeapReleased.",
     offsetof(struct scan_row, go_retained)},
    {"correlate_unexplained_bytes",
     "Anonymous footprint the Go runtime does not account for (anon footprint - Go "
     "retained, at least 0): C memory from cgo, manual mmaps and the like.",
     offsetof(struct scan_row, unexplained)},
    {"correlate_non_go_anon_bytes",
     "Anonymous memory outside Go's heap arenas and Go's share of the rest, per "
     "mapping: the point estimate of non-Go memory.",
     offsetof(struct scan_row, non_go_anon)},
    {"correlate_cgroup_working_set_bytes",
     "Working set of the process's memory cgroup (usage - inactive_file), as kubelet "
     "and kubectl top count it.",
     offsetof(struct scan_row, working_set)},
    {"correlate_cgroup_limit_bytes",
     "Effective memory limit of the process's cgroup: the one with the least headroom "
     "up the hierarchy. Absent when there is none.",
     offsetof(struct scan_row, limit)},
};

static void put_u64(FILE *out, uint64_t v)
{
	fprintf(out, "%llu\n", (unsigned long long)v);
}

/* 15 significant digits: a Unix time keeps its milliseconds. */
static void put_f(FILE *out, double v)
{
	fprintf(out, "%.15g\n", v);
}

static void scan_gauge(FILE *out, int om, const char *name, const char *unit, const char *help,
		       double v)
{
	family(out, om, name, F_GAUGE, unit, help);
	fprintf(out, "%s ", name);
	put_f(out, v);
}

int render_scan_prometheus(FILE *out, const struct scan_result *s, int om)
{
	const struct scan_totals *t = &s->t;
	family(out, om, "correlate_target_info", F_INFO, NULL,
	       "A Go process correlate reported, and what it is; value 1.");
	for (size_t i = 0; i < s->n_rows; i++) {
		const struct scan_row *r = &s->rows[i];
		fputs("correlate_target_info{", out);
		target_labels(out, r);
		const char *keys[] = {"exe", "go_version", "endpoint_format"};
		const char *vals[] = {r->exe, r->go_version, r->endpoint_format};
		for (size_t k = 0; k < 3; k++) {
			fprintf(out, ",%s=\"", keys[k]);
			label_value(out, vals[k]);
			fputc('"', out);
		}
		fputs("} 1\n", out);
	}
	for (size_t g = 0; g < sizeof row_gauges / sizeof row_gauges[0]; g++) {
		const struct row_gauge *rg = &row_gauges[g];
		family(out, om, rg->name, F_GAUGE, "bytes", rg->help);
		for (size_t i = 0; i < s->n_rows; i++) {
			const struct scan_row *r = &s->rows[i];
			const opt_u64 *v = (const opt_u64 *)((const char *)r + rg->offset);
			if (!v->known)
				continue; /* unknown is absent, never 0 */
			fprintf(out, "%s{", rg->name);
			target_labels(out, r);
			fputs("} ", out);
			put_u64(out, v->v);
		}
	}
	family(out, om, "correlate_finding_bytes", F_GAUGE, "bytes",
	       "What each finding of a report accounts for (docs/model.md lists the ids); "
	       "severity is info, warning or critical.");
	for (size_t i = 0; i < s->n_rows; i++) {
		const struct scan_row *r = &s->rows[i];
		for (size_t k = 0; k < r->n_findings; k++) {
			fputs("correlate_finding_bytes{", out);
			target_labels(out, r);
			fprintf(out, ",finding=\"%s\",severity=\"%s\"} ", r->f[k].id,
				severity_name(r->f[k].severity));
			put_u64(out, r->f[k].bytes);
		}
	}
	family(out, om, "correlate_probe_cost_seconds", F_GAUGE, "seconds",
	       "CPU time the process spent answering correlate's request to its endpoint.");
	for (size_t i = 0; i < s->n_rows; i++) {
		const struct scan_row *r = &s->rows[i];
		if (!r->probe_cpu_ns.known)
			continue;
		fputs("correlate_probe_cost_seconds{", out);
		target_labels(out, r);
		fputs("} ", out);
		put_f(out, (double)r->probe_cpu_ns.v / 1e9);
	}
	scan_gauge(out, om, "correlate_scan_duration_seconds", "seconds",
		   "How long the last scan took.", t->duration);
	scan_gauge(out, om, "correlate_scan_timestamp_seconds", "seconds",
		   "When the last scan ended, in Unix time.",
		   (double)t->started_at + t->duration);
	scan_gauge(out, om, "correlate_scan_targets", NULL,
		   "Go processes the last scan reported.", (double)t->targets);
	scan_gauge(out, om, "correlate_scan_failures", NULL,
		   "Go processes the last scan could not report (correlate scan's stderr says "
		   "why).",
		   (double)t->failures);
	scan_gauge(out, om, "correlate_scan_dropped", NULL,
		   "Go processes the last scan left out because they exited or exec'd during "
		   "it.",
		   (double)t->dropped);
	scan_gauge(out, om, "correlate_scan_probe_cost_seconds", "seconds",
		   "CPU time the targets spent answering the last scan, summed.",
		   (double)t->probe_cpu_ns / 1e9);
	family(out, om, "correlate_self_cpu_seconds_total", F_COUNTER, "seconds",
	       "CPU time correlate and its workers have used since it started.");
	fputs("correlate_self_cpu_seconds_total ", out);
	put_f(out, t->self_cpu_seconds);
	if (t->self_rss.known)
		scan_gauge(out, om, "correlate_self_rss_bytes", "bytes",
			   "correlate's own resident set size.", (double)t->self_rss.v);
	if (t->self_peak_rss.known)
		scan_gauge(out, om, "correlate_self_peak_rss_bytes", "bytes",
			   "The largest peak RSS of correlate and its workers so far.",
			   (double)t->self_peak_rss.v);
	if (om)
		fputs("# EOF\n", out);
	return ferror(out) ? -1 : 0;
}

/* ---- JSON ---- */

int render_scan_json_tail(FILE *out, const struct scan_result *s)
{
	const struct scan_totals *t = &s->t;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -1;
	cJSON_AddNumberToObject(o, "started_at_unix", (double)t->started_at);
	cJSON_AddNumberToObject(o, "duration_seconds", t->duration);
	cJSON_AddNumberToObject(o, "processes", (double)t->processes);
	cJSON_AddNumberToObject(o, "unreadable", (double)t->unreadable);
	cJSON_AddNumberToObject(o, "targets", (double)t->targets);
	cJSON_AddNumberToObject(o, "failures", (double)t->failures);
	cJSON_AddNumberToObject(o, "dropped", (double)t->dropped);
	cJSON_AddNumberToObject(o, "probe_cost_seconds", (double)t->probe_cpu_ns / 1e9);
	cJSON_AddNumberToObject(o, "workers", t->workers);
	cJSON_AddNumberToObject(o, "budget_seconds", t->budget);
	cJSON_AddBoolToObject(o, "allow_pprof", t->allow_pprof);
	cJSON_AddNumberToObject(o, "self_cpu_seconds", t->self_cpu_seconds);
	if (t->self_peak_rss.known)
		cJSON_AddNumberToObject(o, "self_peak_rss_bytes", (double)t->self_peak_rss.v);
	else
		cJSON_AddNullToObject(o, "self_peak_rss_bytes");
	cJSON *miss = cJSON_AddArrayToObject(o, "left_out");
	for (size_t i = 0; miss && i < s->n_miss; i++) {
		const struct scan_miss *m = &s->miss[i];
		cJSON *e = cJSON_CreateObject();
		if (!e)
			break;
		char comm[ESC_MAX(64)];
		esc_str(comm, sizeof comm, m->comm, ESC_UTF8);
		cJSON_AddNumberToObject(e, "pid", m->pid);
		cJSON_AddStringToObject(e, "comm", comm);
		cJSON_AddStringToObject(e, "reason", m->dropped ? "exited" : "failed");
		cJSON_AddNumberToObject(e, "exit_code", m->code);
		cJSON_AddStringToObject(e, "error", m->msg);
		cJSON_AddStringToObject(e, "try", m->hint);
		cJSON_AddItemToArray(miss, e);
	}
	char *txt = cJSON_Print(o);
	cJSON_Delete(o);
	if (!txt)
		return -1;
	int rc = fprintf(out, "%s", txt) < 0 ? -1 : 0;
	free(txt);
	return rc;
}
