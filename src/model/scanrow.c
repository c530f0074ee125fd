/* A report reduced to its scan row (scan.h): a pure function. */
#include <stdio.h>
#include <string.h>

#include "correlate/context.h"
#include "correlate/scan.h"

void scan_row_from(const struct capture *c, const struct ledger *l, const struct findings *fs,
		   struct scan_row *row)
{
	memset(row, 0, sizeof *row);
	row->pid = c->os.id.pid;
	snprintf(row->comm, sizeof row->comm, "%s", c->os.id.comm);
	snprintf(row->exe, sizeof row->exe, "%s", c->os.id.exe);
	snprintf(row->go_version, sizeof row->go_version, "%s", capture_go_version(c));
	row->os_only = capture_os_only(c);
	snprintf(row->endpoint_format, sizeof row->endpoint_format, "%s",
		 row->os_only ? "none" : body_format_name(c->go.format));
	snprintf(row->cgroup, sizeof row->cgroup, "%s", c->os.cgroup.path);
	parse_container_id(c->os.cgroup.path, row->container_id, sizeof row->container_id);
	row->rss = l->rss;
	row->anon_footprint = l->anon_footprint;
	row->go_retained = l->go_retained;
	row->unexplained = l->unexplained;
	row->non_go_anon = l->non_go_anon_est;
	row->working_set = l->cg.working_set;
	row->limit = l->cg.limit;
	row->probe_cpu_ns = c->probe_cpu_ns;
	row->fetch_seconds = c->fetch_seconds;
	row->top = -1;
	for (size_t i = 0; i < fs->n && i < FINDINGS_MAX; i++) {
		struct scan_finding *f = &row->f[row->n_findings++];
		snprintf(f->id, sizeof f->id, "%s", fs->f[i].id);
		f->severity = fs->f[i].severity;
		f->bytes = fs->f[i].bytes;
		/* ordered by bytes: the first of the most severe is the largest of them */
		if (row->top < 0 || f->severity > row->f[row->top].severity)
			row->top = (int)i;
	}
}
