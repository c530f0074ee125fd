/* --format markdown: a report to paste into an issue tracker.  A string from
 * outside (a process name, a path, a URL, what a finding quotes) is escaped
 * twice: for the terminal (escape.h, ESC_TEXT), then for Markdown, so that
 * it shows as the same text and cannot end a table cell or a code span, or
 * start a link, emphasis or HTML. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "correlate/escape.h"
#include "correlate/osonly.h"
#include "correlate/render.h"
#include "correlate/units.h"

struct md {
	FILE *out;
	int failed;
};

__attribute__((format(printf, 2, 3))) static void say(struct md *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vfprintf(m->out, fmt, ap) < 0)
		m->failed = 1;
	va_end(ap);
}

/* Table cell text of correlate's own (labels, meanings): pipes and newlines
 * would break the table; anything else that is not printable is escaped
 * (ESC_SAFE) all the same.  Text from outside goes through text(). */
static void cell(struct md *m, const char *s)
{
	char *e = esc_strdup(s ? s : "", ESC_SAFE);
	if (!e) {
		m->failed = 1;
		return;
	}
	for (const char *p = e; *p; p++) {
		if (*p == '|')
			say(m, "\\|");
		else if (fputc(*p, m->out) == EOF)
			m->failed = 1;
	}
	free(e);
}

static void out_char(struct md *m, char c)
{
	if (fputc(c, m->out) == EOF)
		m->failed = 1;
}

/* Raw text in a paragraph or a table cell: escaped, then each character
 * Markdown could read as syntax (a cell's pipe, a code span's backtick,
 * emphasis, a link's bracket, HTML, an entity, strikethrough) gets a
 * backslash, which CommonMark drops when it shows the character.  So do the
 * escapes' own backslashes: the escape \x1b is written \\x1b and shows as
 * \x1b, as in the text report. */
static void text(struct md *m, const char *s)
{
	char *e = esc_strdup(s, ESC_TEXT);
	if (!e) {
		m->failed = 1;
		return;
	}
	for (const char *p = e; *p; p++) {
		if (strchr("\\`|*_[<&~", *p))
			out_char(m, '\\');
		out_char(m, *p);
	}
	free(e);
}

/* Raw text inside a code span in a table cell.  Nothing is an escape in a
 * code span, so the escaped text shows as it is; a backtick, which would end
 * the span, is written as its byte, \x60, and a pipe as \| (GFM reads that
 * one before the span, in a table). */
static void code(struct md *m, const char *s)
{
	char *e = esc_strdup(s, ESC_TEXT);
	if (!e) {
		m->failed = 1;
		return;
	}
	for (const char *p = e; *p; p++) {
		if (*p == '`')
			say(m, "\\x60");
		else if (*p == '|')
			say(m, "\\|");
		else
			out_char(m, *p);
	}
	free(e);
}

static void row(struct md *m, const char *label, opt_u64 v, int count, const char *meaning)
{
	char b[32];
	say(m, "| ");
	cell(m, label);
	say(m, " | %s | ", fmt_amount(v, count, b, sizeof b));
	cell(m, meaning);
	say(m, " |\n");
}

/* The container's view (cgroup_ledger.h): the working set kubectl top
 * shows, its parts, and the limit as the OOM killer counts it. */
static void cgroup_section(struct md *m, const struct capture *c, const struct ledger *l)
{
	const struct cgroup_ledger *cg = &l->cg;
	const struct cgroup_info *info = &c->os.cgroup;
	if (!cg->have)
		return;
	int v2 = cg->version == 2;
	say(m, "#### What kubectl top would say\n\ncgroup v%d `", cg->version);
	code(m, info->path);
	say(m, "`\n\n| line | bytes | meaning |\n|---|---:|---|\n");
	row(m, "working set", cg->working_set, 0, "usage - inactive_file: what kubelet and kubectl top show");
	row(m, "↳ anonymous", cg->anon, 0, v2 ? "anon" : "total_rss");
	row(m, "↳ active page cache", cg->active_file, 0, "active_file: reclaimable");
	row(m, "↳ shmem, tmpfs", cg->file_unlisted, 0, "off the file LRU: not reclaimable without swap");
	row(m, "↳ kernel", cg->kernel, 0, v2 ? "kernel" : "memory.kmem.usage_in_bytes");
	if (cg->sock_in_usage)
		row(m, "↳ socket buffers", cg->sock, 0, "sock");
	row(m, "↳ left over", cg->other, 0, "charged, not broken out");
	row(m, "inactive page cache", cg->inactive_file, 0, "left out of the working set");
	row(m, "usage", cg->usage, 0, v2 ? "memory.current" : "memory.usage_in_bytes");
	if (cg->limit.known) {
		say(m, "| limit | %s | %s of `", fmt_amount(cg->limit, 0, (char[32]){0}, 32),
		    cg->limit_file);
		code(m, cg->limit_level == CG_LIMIT_HIDDEN ? "(above this mount)" : cg->limit_path);
		say(m, "` |\n");
		row(m, "can be reclaimed", cg->limit_reclaimable, 0, "file pages, reclaimable slab");
		row(m, "cannot be reclaimed", cg->limit_unreclaimable, 0,
		    "what the OOM killer counts");
		row(m, "headroom", cg->headroom, 0, "limit - cannot be reclaimed");
	}
	row(m, "this process's RssAnon", cg->self_anon, 0, "of the cgroup's anon");
	row(m, "this process's RssFile", cg->self_file, 0, "mapped files, of the page cache");
	for (size_t i = 0; i < cg->n_procs; i++) {
		const struct cgroup_proc *p = &cg->procs[i];
		say(m, "| pid %d ", p->pid);
		text(m, p->comm);
		say(m, " | %s | %s |\n", fmt_amount(p->rss, 0, (char[32]){0}, 32),
		    p->self ? "RSS: this process" : "RSS");
	}
	say(m, "\n");
}

/* ---- issue 11: the endpoint cell, and the report from /proc alone ---- */

static void endpoint_md(struct md *m, const struct capture *c)
{
	const struct reach_info *r = &c->reach;
	if (capture_os_only(c)) {
		say(m, "none: ");
		text(m, r->go_missing[0] ? r->go_missing : "not recorded");
	} else {
		text(m, c->url);
		say(m, " (%s)%s", body_format_name(c->go.format),
		    r->discovered ? ", found among its sockets" : "");
	}
	if (r->net_ino && r->net_entered)
		say(m, "; in its network namespace net:[%llu]", (unsigned long long)r->net_ino);
	if (r->fetched_as[0]) {
		say(m, "; fetched by ");
		text(m, r->fetched_as);
	}
}

static void os_only_md(struct md *m, const struct capture *c, const struct ledger *l)
{
	struct os_only_view v;
	os_only_compute(c, l, &v);
	say(m, "#### What /proc alone says (no MemStats)\n\n| line | bytes | meaning |\n"
	       "|---|---:|---|\n");
	if (v.have_split) {
		row(m, "Go heap arenas", v.heap_arenas, 0, "found by shape: live, garbage and free alike");
		row(m, "Go runtime reservations", v.go_runtime, 0, "PROT_NONE reservations and heads");
		row(m, "plain anonymous", v.plain_anon, 0,
		    "C mmap, large malloc blocks and Go metadata: not told apart");
		row(m, "glibc malloc", v.glibc, 0, "[heap] and thread arenas");
		row(m, "thread stacks", v.thread_stacks, 0, "pthread stacks");
		row(m, "non-Go, at least", v.non_go_min, 0, "glibc + thread stacks");
		row(m, "non-Go, at most", v.non_go_max, 0, "+ the plain anonymous mappings");
	}
	row(m, "file-backed", v.file_backed, 0, "RssFile: never Go's");
	row(m, "huge pages", v.anon_huge, 0, "AnonHugePages");
	row(m, "LazyFree", v.lazy_free, 0, "MADV_FREE, still in RSS");
	row(m, "swap", v.swap, 0, "VmSwap");
	say(m, "\nWhat it cannot say without MemStats:\n\n");
	for (size_t i = 0; os_only_cannot_say[i]; i++)
		say(m, "- %s\n", os_only_cannot_say[i]);
	say(m, "\nAny of these endpoints would let it be said:");
	for (size_t i = 0; os_only_endpoints[i]; i++)
		say(m, "%s %s", i ? "," : "", os_only_endpoints[i]);
	say(m, ".\n\n");
}

int render_markdown(FILE *out, const struct render_input *in)
{
	struct md m = {out, 0};
	const struct capture *c = in->c;
	const struct ledger *l = in->l;
	const struct findings *fs = in->fs;
	char when[32];
	if (c->captured_at)
		fmt_rfc3339(c->captured_at, when, sizeof when);
	else
		snprintf(when, sizeof when, "unknown"); /* a pair without meta.json */
	size_t warn = 0;
	for (size_t i = 0; i < fs->n; i++)
		warn += fs->f[i].severity != SEV_INFO;
	const char *gv = capture_go_version(c);

	const char *comm = c->os.id.comm[0] ? c->os.id.comm : c->os.status.name;
	if (c->os.id.pid)
		say(&m, "### correlate: pid %d", (int)c->os.id.pid);
	else
		say(&m, "### correlate: pid unknown"); /* a top-only pair */
	if (comm[0]) {
		say(&m, " (");
		text(&m, comm);
		say(&m, ")");
	}
	if (capture_os_only(c))
		say(&m, ", OS-only report from /proc alone");
	say(&m, ": %zu finding%s to look at\n\n", warn, warn == 1 ? "" : "s");
	say(&m, "| | |\n|---|---|\n");
	say(&m, "| command | `");
	code(&m, c->command[0] ? c->command : "correlate");
	say(&m, "` |\n| tool | correlate %s |\n| Go | ", CORRELATE_VERSION);
	text(&m, gv ? gv : "version unknown");
	if (c->os.build.found) {
		say(&m, " (%s, ",
		    c->os.build.cgo == 1   ? "cgo"
		    : c->os.build.cgo == 0 ? "no cgo"
					   : "cgo unknown");
		text(&m, c->os.build.goarch[0] ? c->os.build.goarch : "arch unknown");
		say(&m, ")");
	}
	say(&m, " |\n| endpoint | ");
	endpoint_md(&m, c);
	say(&m, " |\n| %s | %s", c->replay ? "recorded" : "captured", when);
	if (c->replay) {
		say(&m, ", replayed from `");
		code(&m, c->source);
		say(&m, "`");
		if (c->not_recorded[0]) {
			say(&m, "; not recorded: ");
			text(&m, c->not_recorded);
		}
	}
	say(&m, " |\n\n");

	say(&m, "#### Findings\n\n");
	if (fs->n == 0)
		say(&m, "None: the kernel's and Go's numbers agree.\n\n");
	else {
		say(&m, "| severity | finding | bytes | summary |\n|---|---|---:|---|\n");
		for (size_t i = 0; i < fs->n; i++) {
			char b[24];
			const struct finding *f = &fs->f[i];
			say(&m, "| %s | `%s` | %s | ", severity_name(f->severity), f->id,
			    fmt_iec(f->bytes, b, sizeof b));
			text(&m, f->summary);
			say(&m, " |\n");
		}
		say(&m, "\n");
		for (size_t i = 0; i < fs->n; i++) {
			const struct finding *f = &fs->f[i];
			if (f->severity == SEV_INFO)
				continue;
			say(&m, "**`%s`** (%s): ", f->id, severity_name(f->severity));
			text(&m, f->summary);
			say(&m, "\n\n- evidence: ");
			text(&m, f->evidence);
			/* The advice is correlate's own text, whose `commands` are
			 * meant as code spans: escaped for the terminal only. */
			say(&m, "\n- advice: ");
			if (esc_fputs(f->advice, ESC_TEXT, m.out) != 0)
				m.failed = 1;
			say(&m, "\n\n");
		}
	}

	if (capture_os_only(c))
		os_only_md(&m, c, l);
	else
		say(&m, "#### Ledger\n\n| line | bytes | meaning |\n|---|---:|---|\n");
	for (size_t i = 0; !capture_os_only(c) && i < ledger_rows_count; i++) {
		const struct ledger_row *r = &ledger_rows[i];
		if (strcmp(r->section, "checks") == 0 ||
		    (strcmp(r->section, "split") == 0 && !l->have_split))
			continue;
		char label[96];
		snprintf(label, sizeof label, "%s: %s%s", r->section, r->depth ? "↳ " : "",
			 r->label);
		row(&m, label, ledger_get(l, r), r->is_count, r->meaning);
	}
	say(&m, "\n");

	cgroup_section(&m, c, l);

	if (c->os.maps.have) {
		say(&m,
		    "#### Mappings by class\n\n| class | mappings | size | resident | anonymous | "
		    "swap | LazyFree |\n|---|---:|---:|---:|---:|---:|---:|\n");
		for (int k = 0; k < MC_COUNT; k++) {
			const struct class_total *t = &c->os.maps.cls[k];
			char a[24], b[24], d[24], e[24], f[24];
			if (!t->mappings)
				continue;
			say(&m, "| %s | %llu | %s | %s | %s | %s | %s |\n", map_class_label(k),
			    (unsigned long long)t->mappings, fmt_iec(t->size, a, 24),
			    fmt_iec(t->rss, b, 24), fmt_iec(t->anonymous, d, 24),
			    fmt_iec(t->swap, e, 24), fmt_iec(t->lazy_free, f, 24));
		}
		say(&m, "\n");
	}

	if (!capture_os_only(c))
		say(&m, "#### runtime.MemStats\n\n| field | value |\n|---|---:|\n");
	for (size_t i = 0; !capture_os_only(c) && i < go_fields_count; i++) {
		opt_u64 v = go_field_get(&c->go.ms, &go_fields[i]);
		if (!v.known)
			continue;
		char b[32];
		say(&m, "| %s | %s |\n", go_fields[i].label,
		    fmt_amount(v, go_fields[i].unit != GU_BYTES, b, sizeof b));
	}
	say(&m, "\n<sub>correlate %s; the model: docs/model.md</sub>\n", CORRELATE_VERSION);
	return m.failed ? -1 : 0;
}
