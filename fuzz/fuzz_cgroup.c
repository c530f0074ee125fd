/* The cgroup record (cgroup.txt, src/parse/cgroup.c) and its file parsers,
 * all on the same text: memory.stat of both versions, memory.events,
 * memory.oom_control, PSI, cgroup.procs; then the record as a whole, for
 * the pid its first /proc/N/cgroup names, reconciled (src/model/cgroup.c)
 * and through the findings.  What it promises: terminated strings, counts
 * within their arrays, and reports that are printable (escape.h) whatever
 * bytes the record's process names hold. */
#include <stdlib.h>
#include <string.h>

#include "correlate/cgroup.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "fuzz.h"

static struct capture c;
static struct ledger l;
static struct findings fs;

static int count_fn(void *ctx, const char *name, size_t nn, const char *data, size_t dlen)
{
	(void)name;
	(void)nn;
	(void)data;
	size_t *total = ctx;
	*total += dlen;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	struct cgroup_stat st;
	parse_cgroup_memory_stat(buf, size, 1, &st);
	parse_cgroup_memory_stat(buf, size, 2, &st);
	if (st.hierarchical_limit.known)
		FUZZ_CHECK(st.hierarchical_limit.v < (UINT64_C(1) << 62));
	struct cgroup_events ev = {.under_oom = -1};
	parse_cgroup_events(buf, size, &ev);
	parse_cgroup_oom_control(buf, size, &ev);
	FUZZ_CHECK(ev.under_oom >= -1 && ev.under_oom <= 1);
	struct cgroup_pressure p;
	if (parse_psi(buf, size, &p) == 0)
		FUZZ_CHECK(p.some.have && p.some.avg10 >= 0 && p.some.avg10 <= 100);
	int pids[8];
	size_t n = parse_cgroup_procs(buf, size, pids, 8);
	for (size_t i = 0; i < n && i < 8; i++)
		FUZZ_CHECK(pids[i] > 0);

	size_t total = 0;
	cgroup_record_each(buf, size, count_fn, &total);
	FUZZ_CHECK(total <= size);

	memset(&c, 0, sizeof c);
	c.os.env.madvdontneed = c.os.env.disablethp = -1;
	parse_cgroup_record(buf, size, 0, &c.os.cgroup);
	const struct cgroup_info *cg = &c.os.cgroup;
	FUZZ_CHECK(cg->version >= 0 && cg->version <= 2);
	FUZZ_CHECK(memchr(cg->why, '\0', sizeof cg->why) && memchr(cg->path, '\0', sizeof cg->path) &&
		   memchr(cg->dir, '\0', sizeof cg->dir));
	FUZZ_CHECK(cg->n_levels <= CG_LEVELS_MAX && cg->n_procs <= CG_PROCS_MAX);
	FUZZ_CHECK(cg->procs_unread <= cg->procs_count);
	for (size_t i = 0; i < cg->n_procs; i++)
		FUZZ_CHECK(memchr(cg->procs[i].comm, '\0', sizeof cg->procs[i].comm) != NULL);
	if (cg->version)
		c.os.id.pid = cg->procs_read && cg->n_procs && cg->procs[0].self ? cg->procs[0].pid : 1;
	reconcile(&c, &l);
	FUZZ_CHECK(l.cg.n_procs <= CG_PROCS_MAX);
	if (l.cg.limit.known && l.cg.headroom.known)
		FUZZ_CHECK(l.cg.headroom.v <= l.cg.limit.v);
	findings_compute(&c, &l, &fs);
	for (size_t i = 0; i < fs.n; i++) {
		FUZZ_CHECK(memchr(fs.f[i].summary, '\0', sizeof fs.f[i].summary) &&
			   memchr(fs.f[i].evidence, '\0', sizeof fs.f[i].evidence));
	}
	return 0;
}
