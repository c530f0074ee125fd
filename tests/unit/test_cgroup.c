/* The container's view: the cgroup record and memory files
 * (src/parse/cgroup.c), the reconciliation (src/model/cgroup.c) and the
 * cgroup findings (near_limit, page_cache, kernel_memory, other_processes).
 *
 * Inputs are in tests/data/cgroup (see its README): records captured live
 * on cgroup v1, one made by hand with tail, and v2 text written in the
 * kernel's documented format; expected values are read off those files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/cgroup.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "testutil.h"

#define LIT(s) (s), (sizeof(s) - 1)
#define S(x)   opt_some(x)

/* The v1 captures' cgroups, under the build machine's own. */
#define V1_BASE "/process_api/e746f4255cca9e266077d05c4bd6461e"
#define V1_DIR	"/sys/fs/cgroup/memory" V1_BASE
#define POD                                                                               \
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7c1e.slice"

static struct capture cap;
static struct ledger led;
static struct findings fs;

/* An empty capture (what the last test left freed). */
static void reset(void)
{
	capture_free(&cap);
	memset(&cap, 0, sizeof cap);
}

/* A capture whose cgroup is the record in DATA_DIR/name, for pid; its
 * status holds the given RSS parts. */
static void load(const char *name, int pid, uint64_t anon, uint64_t file)
{
	size_t len;
	char *buf = read_data(name, &len);
	reset();
	cap.os.id.pid = pid;
	snprintf(cap.os.id.comm, sizeof cap.os.id.comm, "memsvc-go1.23-p");
	cap.os.env.madvdontneed = cap.os.env.disablethp = -1;
	parse_cgroup_record(buf, len, pid, &cap.os.cgroup);
	cap.os.cgroup.record = buf;
	cap.os.cgroup.record_len = len;
	struct status_values *v = &cap.os.status.v;
	v->rss_anon = S(anon);
	v->rss_file = S(file);
	v->rss_shmem = S(0);
	v->vm_rss = S(anon + file);
	v->threads = S(8);
}

static void run(void)
{
	reconcile(&cap, &led);
	findings_compute(&cap, &led, &fs);
}

static const struct finding *find(const char *id)
{
	for (size_t i = 0; i < fs.n; i++)
		if (strcmp(fs.f[i].id, id) == 0)
			return &fs.f[i];
	return NULL;
}

static void expect(const char *id, enum severity sev, uint64_t bytes)
{
	const struct finding *f = find(id);
	if (!f)
		fail_msg("no %s finding", id);
	if (f->severity != sev || f->bytes != bytes)
		fail_msg("%s: %s, %llu bytes; expected %s, %llu (%s)", id, severity_name(f->severity),
			 (unsigned long long)f->bytes, severity_name(sev),
			 (unsigned long long)bytes, f->summary);
}

/* A file of a record, as a NUL-terminated copy (freed by the caller). */
static char *record_file(const char *rec, const char *name, size_t *len)
{
	const char *d;
	if (!cgroup_record_find(rec, strlen(rec), name, &d, len))
		fail_msg("the record has no %s", name);
	char *out = xmalloc(*len + 1);
	memcpy(out, d, *len);
	out[*len] = '\0';
	return out;
}

/* ---- memory.stat ---------------------------------------------------------------- */

static void test_stat_v1_recorded(void **state)
{
	(void)state;
	size_t len, n;
	char *rec = read_data("cgroup/v1-page-cache.txt", &len);
	char *st = record_file(rec, V1_DIR "/record-cgroup-9099-page-cache/memory.stat", &n);
	struct cgroup_stat s;
	memset(&s, 0x5a, sizeof s); /* everything must be set */
	parse_cgroup_memory_stat(st, n, 1, &s);
	/* the hierarchical total_* counters, not the cgroup's own */
	assert_known(s.anon, 11620352);
	assert_known(s.file, 300875776);
	assert_known(s.active_file, 300875776);
	assert_known(s.inactive_file, 0);
	assert_known(s.shmem, 0);
	assert_known(s.hierarchical_limit, 335544320);
	assert_unknown(s.hierarchical_memsw); /* v1's "no limit" */
	/* v1 has no such keys */
	assert_unknown(s.kernel);
	assert_unknown(s.slab_reclaimable);
	assert_unknown(s.sock);
	free(st);
	/* a parent without a limit: hierarchical_memory_limit is "no limit" */
	st = record_file(rec, V1_DIR "/memory.stat", &n);
	parse_cgroup_memory_stat(st, n, 1, &s);
	assert_unknown(s.hierarchical_limit);
	assert_known(s.inactive_file, 546611200);
	/* read as v2, a v1 file gives nothing but the keys both share */
	parse_cgroup_memory_stat(st, n, 2, &s);
	assert_unknown(s.anon);
	assert_known(s.active_file, 1004425216); /* v1's own, not total_'s 1453760512 */
	free(st);
	free(rec);
}

static void test_stat_v2(void **state)
{
	(void)state;
	size_t len, n;
	char *rec = read_data("cgroup/v2-pod.txt", &len);
	char *st = record_file(rec, "/sys/fs/cgroup" POD "/cri-containerd-4be2.scope/memory.stat", &n);
	struct cgroup_stat s;
	parse_cgroup_memory_stat(st, n, 2, &s);
	assert_known(s.anon, 1610612736);
	assert_known(s.file, 629145600);
	assert_known(s.kernel, 734003200);
	assert_known(s.kernel_stack, 3145728);
	assert_known(s.pagetables, 41943040);
	assert_known(s.sec_pagetables, 0);
	assert_known(s.percpu, 2097152);
	assert_known(s.sock, 104857600);
	assert_known(s.vmalloc, 5242880);
	assert_known(s.shmem, 20971520);
	assert_known(s.file_mapped, 41943040);
	assert_known(s.file_dirty, 1048576);
	assert_known(s.active_file, 188743680);
	assert_known(s.inactive_file, 419430400);
	assert_known(s.slab_reclaimable, 629145600);
	assert_known(s.slab_unreclaimable, 52428800);
	assert_unknown(s.hierarchical_limit); /* v1 only */
	free(st);
	free(rec);
	/* 4.19: no kernel, pagetables, percpu or vmalloc key */
	char *old = read_data("cgroup/v2-memory.stat-4.19", &n);
	parse_cgroup_memory_stat(old, n, 2, &s);
	assert_unknown(s.kernel);
	assert_unknown(s.pagetables);
	assert_known(s.kernel_stack, 1048576);
	assert_known(s.slab_reclaimable, 6291456);
	free(old);
}

static void test_stat_odd_lines(void **state)
{
	(void)state;
	struct cgroup_stat s;
	/* not numbers, units, a value past 2^64, a key without value: skipped;
	 * a repeated key: the last */
	parse_cgroup_memory_stat(LIT("anon x\nfile 12 kB\nkernel 99999999999999999999\nsock\n"
				     "anon 5\nanon  7\n\nshmem 1"),
				 2, &s);
	assert_known(s.anon, 7);
	assert_unknown(s.file);
	assert_unknown(s.kernel);
	assert_unknown(s.sock);
	assert_known(s.shmem, 1); /* no newline at the end */
	parse_cgroup_memory_stat("", 0, 1, &s);
	assert_unknown(s.anon);
}

/* ---- events, PSI, procs --------------------------------------------------------- */

static void test_events(void **state)
{
	(void)state;
	struct cgroup_events e;
	memset(&e, 0, sizeof e);
	parse_cgroup_events(LIT("low 0\nhigh 3\nmax 41\noom 2\noom_kill 1\noom_group_kill 0\n"
				"sock_throttled 9\n"),
			    &e);
	assert_known(e.low, 0);
	assert_known(e.high, 3);
	assert_known(e.max, 41);
	assert_known(e.oom, 2);
	assert_known(e.oom_kill, 1);
	assert_known(e.oom_group_kill, 0);
	memset(&e, 0, sizeof e);
	e.under_oom = -1;
	parse_cgroup_oom_control(LIT("oom_kill_disable 0\nunder_oom 1\noom_kill 4\n"), &e);
	assert_int_equal(e.under_oom, 1);
	assert_known(e.oom_kill, 4);
	assert_unknown(e.max);
}

static void test_psi(void **state)
{
	(void)state;
	size_t n;
	struct cgroup_pressure p;
	char *buf = read_data("cgroup/proc-pressure-memory", &n);
	assert_int_equal(parse_psi(buf, n, &p), 0);
	assert_true(p.some.have && p.full.have);
	free(buf);
	assert_int_equal(parse_psi(LIT("some avg10=1.25 avg60=0.60 avg300=0.20 total=4182301\n"
				       "full avg10=0.50 avg60=0.10 avg300=0.02 total=1203377\n"),
				   &p),
			 0);
	assert_true(p.some.avg10 > 1.249 && p.some.avg10 < 1.251);
	assert_true(p.full.avg300 > 0.019 && p.full.avg300 < 0.021);
	assert_int_equal(p.some.total_us, 4182301);
	assert_int_equal(p.full.total_us, 1203377);
	/* no full line (a kernel before 5.x prints only some for CPU; memory
	 * has both, but the parser takes what is there) */
	assert_int_equal(parse_psi(LIT("some avg10=0.00 avg60=0.00 avg300=0.00 total=0"), &p), 0);
	assert_false(p.full.have);
	/* a line cut short, a value out of range: not a PSI line */
	assert_int_equal(parse_psi(LIT("some avg10=0.00 avg60=0.00\n"), &p), -1);
	assert_int_equal(parse_psi(LIT("some avg10=101 avg60=0 avg300=0 total=0\n"), &p), -1);
	assert_int_equal(parse_psi(LIT("some avg10=x avg60=0 avg300=0 total=0\n"), &p), -1);
	assert_int_equal(parse_psi("", 0, &p), -1);
}

static void test_procs(void **state)
{
	(void)state;
	int pids[4];
	size_t n = parse_cgroup_procs(LIT("4242\n4301\n4242\n\nx\n0\n-3\n 17\n"), pids, 4);
	assert_int_equal(n, 3);
	assert_int_equal(pids[0], 4242);
	assert_int_equal(pids[1], 4301);
	assert_int_equal(pids[2], 17);
	n = parse_cgroup_procs(LIT("1\n2\n3"), pids, 1);
	assert_int_equal(n, 3); /* how many it lists, beyond what fits */
	assert_int_equal(pids[0], 1);
	assert_int_equal(parse_cgroup_procs("", 0, pids, 4), 0);
}

/* ---- the record ------------------------------------------------------------------- */

static void test_record_split(void **state)
{
	(void)state;
	/* tail -n +1 a b c d: a blank line between files; b is empty; c has no
	 * final newline; a line like a header but not one is data */
	static const char rec[] = "==> a <==\n1\n\n==> b <==\n\n==> c <==\n==>x<==\nx\n==> d <==\nlast";
	const char *d;
	size_t n;
	assert_int_equal(cgroup_record_find(LIT(rec), "a", &d, &n), 1);
	assert_int_equal(n, 2);
	assert_memory_equal(d, "1\n", 2);
	assert_int_equal(cgroup_record_find(LIT(rec), "b", &d, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(cgroup_record_find(LIT(rec), "c", &d, &n), 1);
	assert_int_equal(n, 10);
	assert_memory_equal(d, "==>x<==\nx\n", 10);
	assert_int_equal(cgroup_record_find(LIT(rec), "d", &d, &n), 1);
	assert_int_equal(n, 4);
	assert_memory_equal(d, "last", 4);
	assert_int_equal(cgroup_record_find(LIT(rec), "e", &d, &n), 0);
	assert_int_equal(cgroup_record_find(LIT(rec), "", &d, &n), 0);
	assert_int_equal(cgroup_record_find("", 0, "a", &d, &n), 0);
}

static void test_record_v1(void **state)
{
	(void)state;
	load("cgroup/v1-page-cache.txt", 9452, 0, 0);
	const struct cgroup_info *cg = &cap.os.cgroup;
	assert_int_equal(cg->version, 1);
	assert_string_equal(cg->path, V1_BASE "/record-cgroup-9099-page-cache");
	assert_string_equal(cg->dir, V1_DIR "/record-cgroup-9099-page-cache");
	assert_string_equal(cg->mount_root, "/");
	/* the leaf, then every parent up to the hierarchy's root */
	assert_int_equal(cg->n_levels, 4);
	assert_string_equal(cg->level[1].path, V1_BASE);
	assert_string_equal(cg->level[2].path, "/process_api");
	assert_string_equal(cg->level[3].path, "/");
	assert_known(cg->level[0].usage, 313196544);
	assert_known(cg->level[0].max, 335544320);
	assert_unknown(cg->level[1].max); /* 9223372036854771712: no limit */
	assert_known(cg->level[1].usage, 2086227968);
	assert_known(cg->level[0].kmem, 360448);
	assert_known(cg->level[0].kmem_tcp, 0);
	assert_known(cg->level[0].events.max, 0);      /* memory.failcnt */
	assert_known(cg->level[0].events.oom_kill, 0); /* memory.oom_control */
	assert_int_equal(cg->level[0].events.under_oom, 0);
	assert_false(cg->level[0].have_pressure);
	/* the summary: the leaf's own */
	assert_known(cg->limit, 335544320);
	assert_known(cg->usage, 313196544);
	assert_known(cg->anon, 11620352);
	assert_known(cg->file, 300875776);
	/* cgroup.procs: the process itself only */
	assert_true(cg->procs_read);
	assert_int_equal(cg->procs_count, 1);
	assert_int_equal(cg->n_procs, 1);
	assert_true(cg->procs[0].self);
	assert_int_equal(cg->procs[0].pid, 9452);
	assert_known(cg->others_rss, 0);
}

static void test_record_other_process(void **state)
{
	(void)state;
	load("cgroup/v1-sidecar.txt", 9582, 0, 0);
	const struct cgroup_info *cg = &cap.os.cgroup;
	assert_int_equal(cg->procs_count, 2);
	assert_int_equal(cg->n_procs, 2);
	assert_true(cg->procs[0].self);
	assert_int_equal(cg->procs[0].pid, 9582);
	assert_int_equal(cg->procs[1].pid, 9559);
	assert_false(cg->procs[1].self);
	assert_string_equal(cg->procs[1].comm, "memsvc-go1.23-p");
	assert_known(cg->procs[1].rss, KIB(112488));
	assert_known(cg->procs[1].rss_anon, KIB(105000));
	assert_known(cg->others_rss, KIB(112488));
	assert_known(cg->others_anon, KIB(105000));
	assert_int_equal(cg->procs_unread, 0);
	/* the same record read as another pid's: that one is the process and
	 * the first is unread (the record has no status of its own) */
	size_t len;
	char *buf = read_data("cgroup/v1-sidecar.txt", &len);
	struct cgroup_info other;
	parse_cgroup_record(buf, len, 9559, &other);
	assert_int_equal(other.version, 0); /* no /proc/9559/cgroup in it */
	free(buf);
}

static void test_record_by_hand(void **state)
{
	(void)state;
	/* tail -n +1 of a few files: no mountinfo, the mount is inferred */
	load("cgroup/tail-v1.txt", 16212, 0, 0);
	const struct cgroup_info *cg = &cap.os.cgroup;
	assert_int_equal(cg->version, 1);
	assert_string_equal(cg->path, V1_BASE);
	assert_string_equal(cg->dir, V1_DIR);
	assert_int_equal(cg->n_levels, 3);
	assert_true(cg->level[0].read);
	assert_false(cg->level[1].read); /* /process_api: not in the record */
	assert_known(cg->usage, 1719222272);
	assert_known(cg->level[0].kmem, 51953664);
	assert_unknown(cg->limit);
	assert_int_equal(cg->procs_count, 6);
	assert_int_equal(cg->procs_unread, 5); /* no status of the others */
	/* pid 0: the record's /proc/N/cgroup says whose */
	size_t len;
	char *buf = read_data("cgroup/tail-v1.txt", &len);
	struct cgroup_info any;
	parse_cgroup_record(buf, len, 0, &any);
	assert_int_equal(any.version, 1);
	assert_true(any.procs[0].self && any.procs[0].pid == 16212);
	free(buf);
}

static void test_record_v2(void **state)
{
	(void)state;
	load("cgroup/v2-pod.txt", 4242, 0, 0);
	const struct cgroup_info *cg = &cap.os.cgroup;
	assert_int_equal(cg->version, 2);
	assert_string_equal(cg->path, POD "/cri-containerd-4be2.scope");
	assert_int_equal(cg->n_levels, 5);
	assert_string_equal(cg->level[1].path, POD);
	assert_string_equal(cg->level[3].path, "/kubepods.slice");
	assert_string_equal(cg->level[4].path, "/");
	assert_false(cg->level[4].read); /* v2's root has no memory.current */
	assert_known(cg->level[0].max, 3221225472);
	assert_unknown(cg->level[0].high); /* max */
	assert_known(cg->level[0].swap_max, 0);
	assert_known(cg->swap_limit, 0);
	assert_known(cg->level[1].max, 3758096384);
	assert_unknown(cg->level[2].max);
	assert_known(cg->level[3].max, 16106127360);
	assert_known(cg->level[0].events.max, 41);
	assert_true(cg->level[0].have_pressure);
	assert_int_equal(cg->level[0].pressure.some.total_us, 4182301);
	assert_unknown(cg->level[0].kmem); /* v1 only */
	assert_int_equal(cg->n_procs, 2);
	assert_string_equal(cg->procs[1].comm, "fluent-bit");
	assert_known(cg->procs[1].rss, KIB(204800));
}

static void test_record_v2_fixture(void **state)
{
	(void)state;
	/* a pair's cgroup.txt, converted from a v1 capture (its README) */
	load("../../fixtures/cgroupv2/parent-limit/cgroup.txt", 9629, 0, 0);
	const struct cgroup_info *cg = &cap.os.cgroup;
	assert_int_equal(cg->version, 2);
	assert_string_equal(cg->path, V1_BASE "/record-cgroup-9099-parent/leaf");
	assert_unknown(cg->level[0].max);
	assert_known(cg->level[1].max, 524288000);
	assert_known(cg->level[1].usage, 90021888);
	assert_known(cg->level[0].stat.kernel, 356352);
}

static void test_record_broken(void **state)
{
	(void)state;
	struct cgroup_info cg;
	parse_cgroup_record("", 0, 7, &cg);
	assert_int_equal(cg.version, 0);
	assert_string_equal(cg.why, "the record has no /proc/7/cgroup");
	parse_cgroup_record(LIT("==> /proc/7/cgroup <==\n1:cpu:/a\n"), 7, &cg);
	assert_int_equal(cg.version, 0);
	assert_string_equal(cg.why, "no memory cgroup in /proc/7/cgroup");
	parse_cgroup_record(LIT("==> /proc/7/cgroup <==\n0::/a\n\n==> /proc/self/mountinfo <==\n"
				"35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"),
			    7, &cg);
	assert_int_equal(cg.version, 0);
	assert_string_equal(cg.why, "the cgroup v2 hierarchy is not mounted here");
	parse_cgroup_record(LIT("==> /proc/7/cgroup <==\n0::/a\n\n==> /proc/self/mountinfo <==\n"
				"25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"),
			    7, &cg);
	assert_int_equal(cg.version, 0);
	assert_string_equal(cg.why, "/sys/fs/cgroup/a: memory files not readable");
	/* a container's v1 mount shows only its own part of the hierarchy */
	parse_cgroup_record(
	    LIT("==> /proc/7/cgroup <==\n4:memory:/docker/abc\n\n==> /proc/self/mountinfo <==\n"
		"35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n\n"
		"==> /sys/fs/cgroup/memory/memory.usage_in_bytes <==\n104857600\n"),
	    7, &cg);
	assert_int_equal(cg.version, 1);
	assert_string_equal(cg.dir, "/sys/fs/cgroup/memory");
	assert_int_equal(cg.n_levels, 1);
	assert_string_equal(cg.level[0].path, "/docker/abc");
	assert_false(cg.procs_read);
}

/* ---- the reconciliation -------------------------------------------------------- */

static void test_model_page_cache(void **state)
{
	(void)state;
	load("cgroup/v1-page-cache.txt", 9452, 11 * MiB, 8 * MiB);
	run();
	const struct cgroup_ledger *cg = &led.cg;
	assert_true(cg->have);
	assert_known(cg->usage, 313196544);
	/* usage = anon + file + kernel + left over */
	assert_known(cg->kernel, 360448);
	assert_known(cg->other, 313196544 - 11620352 - 300875776 - 360448);
	assert_known(cg->sock, 0);
	assert_false(cg->sock_in_usage);
	/* kubelet: usage - inactive_file */
	assert_known(cg->working_set, 313196544);
	/* the kernel: both file lists (no slab on v1) */
	assert_known(cg->reclaimable, 300875776);
	assert_known(cg->unreclaimable, 313196544 - 300875776);
	assert_int_equal(cg->limit_level, 0);
	assert_known(cg->limit, 335544320);
	assert_string_equal(cg->limit_file, "memory.limit_in_bytes");
	assert_string_equal(cg->limit_path, V1_BASE "/record-cgroup-9099-page-cache");
	assert_known(cg->headroom, 335544320 - (313196544 - 300875776));
	assert_known(cg->outside, 0);
	assert_unknown(cg->swap_limit);
	/* this process: its RssFile against the page cache */
	assert_known(cg->cache_not_mapped, 300875776 - 8 * MiB);
	assert_known(cg->anon_not_self, 11620352 - 11 * MiB);
	assert_int_equal(cg->n_procs, 1);
	assert_known(cg->procs[0].rss, 19 * MiB);
	assert_string_equal(cg->procs[0].comm, "memsvc-go1.23-p");
}

static void test_model_parent_limit(void **state)
{
	(void)state;
	load("cgroup/v1-parent-limit.txt", 9629, 16 * MiB, 8 * MiB);
	run();
	const struct cgroup_ledger *cg = &led.cg;
	assert_int_equal(cg->limit_level, 1);
	assert_known(cg->limit, 524288000);
	assert_string_equal(cg->limit_path, V1_BASE "/record-cgroup-9099-parent");
	assert_known(cg->limit_usage, 90021888);
	/* the sibling's memory under the same limit */
	assert_known(cg->outside, 90021888 - 19918848);
	assert_known(cg->headroom, 524288000 - 90021888); /* no page cache */
}

static void test_model_v2(void **state)
{
	(void)state;
	load("cgroup/v2-pod.txt", 4242, 1500 * MiB, 20 * MiB);
	run();
	const struct cgroup_ledger *cg = &led.cg;
	assert_int_equal(cg->version, 2);
	assert_known(cg->kernel, 734003200);
	assert_false(cg->kernel_summed);
	assert_true(cg->sock_in_usage);
	assert_known(cg->other, 3079667712 - 1610612736 - 629145600 - 734003200 - 104857600);
	assert_known(cg->file_unlisted, 20971520); /* shmem */
	assert_known(cg->working_set, 3079667712 - 419430400);
	assert_known(cg->reclaimable, 188743680 + 419430400 + 629145600);
	/* the container's own limit is the tighter: 1.28 GiB of headroom
	 * against the pod's 1.57 GiB and kubepods' 3 GiB */
	assert_int_equal(cg->limit_level, 0);
	assert_string_equal(cg->limit_file, "memory.max");
	assert_known(cg->headroom, 3221225472 - (3079667712 - 1237319680));
	assert_known(cg->swap_limit, 0);
	assert_known(cg->limit_events.max, 41);
	/* largest RSS first: this process, then fluent-bit */
	assert_int_equal(cg->n_procs, 2);
	assert_true(cg->procs[0].self);
	assert_string_equal(cg->procs[1].comm, "fluent-bit");
	assert_known(cg->others_rss, KIB(204800));
}

/* memory.high set under memory.max: the kernel throttles there first. */
static void test_model_memory_high(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_data("cgroup/v2-pod.txt", &len);
	static const char needle[] = "cri-containerd-4be2.scope/memory.high <==\n";
	char *at = strstr(buf, needle);
	assert_non_null(at);
	at += strlen(needle);
	assert_memory_equal(at, "max\n", 4);
	/* the same record with memory.high 2.5 GiB */
	char *rec = xmalloc(len + 16);
	memcpy(rec, buf, (size_t)(at - buf));
	strcpy(rec + (at - buf), "2684354560\n");
	strcat(rec, at + 4);
	free(buf);
	load("cgroup/v2-pod.txt", 4242, 1500 * MiB, 20 * MiB);
	char *was = cap.os.cgroup.record;
	parse_cgroup_record(rec, strlen(rec), 4242, &cap.os.cgroup);
	free(was);
	cap.os.cgroup.record = rec;
	assert_known(cap.os.cgroup.level[0].high, 2684354560);
	run();
	assert_string_equal(led.cg.limit_file, "memory.high");
	assert_known(led.cg.limit, 2684354560);
	assert_known(led.cg.headroom, 2684354560 - (3079667712 - 1237319680));
	const struct finding *f = find("near_limit");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "throttles it (memory.high)"));
}

/* v1 in a container without a cgroup namespace: the limit is set above
 * what is mounted, and only hierarchical_memory_limit tells it. */
static void test_model_hidden_limit(void **state)
{
	(void)state;
	static const char rec[] =
	    "==> /proc/7/cgroup <==\n4:memory:/docker/abc\n\n"
	    "==> /proc/self/mountinfo <==\n"
	    "35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n\n"
	    "==> /sys/fs/cgroup/memory/memory.usage_in_bytes <==\n104857600\n\n"
	    "==> /sys/fs/cgroup/memory/memory.limit_in_bytes <==\n9223372036854771712\n\n"
	    "==> /sys/fs/cgroup/memory/memory.stat <==\ntotal_rss 83886080\ntotal_cache 20971520\n"
	    "total_active_file 10485760\ntotal_inactive_file 10485760\n"
	    "hierarchical_memory_limit 536870912\n";
	reset();
	cap.os.id.pid = 7;
	parse_cgroup_record(LIT(rec), 7, &cap.os.cgroup);
	run();
	const struct cgroup_ledger *cg = &led.cg;
	assert_int_equal(cg->limit_level, CG_LIMIT_HIDDEN);
	assert_known(cg->limit, 536870912);
	assert_string_equal(cg->limit_file, "hierarchical_memory_limit");
	assert_string_equal(cg->limit_path, "");
	assert_known(cg->headroom, 536870912 - (104857600 - 20971520));
	const struct finding *f = find("near_limit");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "set above the hierarchy mounted here"));
}

static void test_model_kernel_summed(void **state)
{
	(void)state;
	size_t n;
	char *st = read_data("cgroup/v2-memory.stat-4.19", &n);
	reset();
	struct cgroup_info *cg = &cap.os.cgroup;
	cg->version = 2;
	cg->n_levels = 1;
	cg->level[0].read = 1;
	cg->level[0].usage = S(73400320);
	parse_cgroup_memory_stat(st, n, 2, &cg->level[0].stat);
	free(st);
	run();
	assert_true(led.cg.kernel_summed);
	assert_known(led.cg.kernel, 6291456 + 2097152 + 1048576);
	assert_int_equal(led.cg.limit_level, CG_LIMIT_NONE);
	assert_unknown(led.cg.limit);
	assert_null(find("near_limit"));
}

/* An older pair's cgroup.json (or a cgroup_info filled by hand): the
 * leaf's usage, anon, file and limit, nothing of the file lists. */
static void test_model_summary_only(void **state)
{
	(void)state;
	reset();
	struct cgroup_info *cg = &cap.os.cgroup;
	cg->version = 1;
	snprintf(cg->path, sizeof cg->path, "/svc");
	cg->limit = S(1 * GiB);
	cg->usage = S(990 * MiB);
	cg->anon = S(90 * MiB);
	cg->file = S(900 * MiB);
	run();
	assert_true(led.cg.have);
	assert_true(led.cg.legacy);
	assert_unknown(led.cg.working_set);
	assert_unknown(led.cg.reclaimable);
	assert_known(led.cg.unreclaimable, 990 * MiB); /* all of it, not knowing better */
	expect("near_limit", SEV_CRITICAL, 34 * MiB);
	assert_non_null(strstr(find("near_limit")->evidence, "counted as not reclaimable"));
	assert_null(find("page_cache"));
	assert_null(find("other_processes"));
}

/* ---- the findings ------------------------------------------------------------------- */

static void test_findings_page_cache(void **state)
{
	(void)state;
	load("cgroup/v1-page-cache.txt", 9452, 11 * MiB, 8 * MiB);
	run();
	/* usage 93% of the limit, nearly all of it active page cache: kubectl
	 * top is near the limit, the kernel is not */
	expect("page_cache", SEV_WARNING, 300875776);
	expect("near_limit", SEV_INFO, 335544320 - (313196544 - 300875776));
	assert_non_null(strstr(find("page_cache")->summary, "kubectl top"));
	/* without a limit, the same page cache is only noted */
	for (size_t i = 0; i < cap.os.cgroup.n_levels; i++)
		cap.os.cgroup.level[i].max = opt_none();
	cap.os.cgroup.level[0].stat.hierarchical_limit = opt_none();
	run();
	expect("page_cache", SEV_INFO, 300875776);
	assert_null(find("near_limit"));
}

static void test_findings_near_limit(void **state)
{
	(void)state;
	/* 256 MiB of Go heap under 300 MiB: 86.6% cannot be reclaimed */
	load("cgroup/v1-near-limit.txt", 9198, 265 * MiB, 7 * MiB);
	struct go_memstats *m = &cap.go.ms;
	m->sys = S(260 * MiB);
	m->heap_released = S(10 * MiB);
	m->next_gc = S(520 * MiB);
	run();
	uint64_t head = 314572800 - (272621568 - 57344);
	expect("near_limit", SEV_WARNING, head);
	const struct finding *f = find("near_limit");
	assert_non_null(strstr(f->evidence, "heap goal is above the limit"));
	assert_non_null(strstr(f->advice, "set GOMEMLIMIT="));
	/* GOMEMLIMIT leaving 10 MiB, with 15 MiB outside Go's accounting (RssAnon
	 * 265 against Go retained 260): too tight */
	cap.os.env.gomemlimit_bytes = S(290 * MiB);
	run();
	f = find("near_limit");
	assert_int_equal(f->severity, SEV_WARNING);
	assert_non_null(strstr(f->evidence, "GOMEMLIMIT leaves 10.0 MiB under the limit"));
	/* GOMEMLIMIT at the limit */
	cap.os.env.gomemlimit_bytes = S(300 * MiB);
	run();
	assert_non_null(strstr(find("near_limit")->evidence, "GOMEMLIMIT is at or above"));
	/* room enough: the advice says so; the severity is the pressure's */
	cap.os.env.gomemlimit_bytes = S(250 * MiB);
	run();
	f = find("near_limit");
	assert_int_equal(f->severity, SEV_WARNING);
	assert_non_null(strstr(f->advice, "leaves room"));
	assert_null(strstr(f->evidence, "GOMEMLIMIT leaves"));
}

static void test_findings_other_processes(void **state)
{
	(void)state;
	load("cgroup/v1-sidecar.txt", 9582, 16 * MiB, 8 * MiB);
	run();
	expect("other_processes", SEV_WARNING, KIB(112488));
	const struct finding *f = find("other_processes");
	assert_non_null(strstr(f->summary, "pid 9559 (memsvc-go1.23-p) 110 MiB"));
	assert_non_null(strstr(f->evidence, "lists 2 processes"));
	/* under a parent's limit: the other cgroups' memory too */
	load("cgroup/v1-parent-limit.txt", 9629, 16 * MiB, 8 * MiB);
	run();
	expect("other_processes", SEV_WARNING, 90021888 - 19918848);
	assert_non_null(strstr(find("other_processes")->summary,
			       "in other cgroups under " V1_BASE "/record-cgroup-9099-parent"));
	/* alone in its cgroup, without siblings: none */
	load("cgroup/v1-page-cache.txt", 9452, 11 * MiB, 8 * MiB);
	run();
	assert_null(find("other_processes"));
}

static void test_findings_kernel_memory(void **state)
{
	(void)state;
	load("cgroup/v2-pod.txt", 4242, 1500 * MiB, 20 * MiB);
	run();
	/* 700 MiB of kernel memory and 100 MiB of socket buffers: 27% of usage */
	expect("kernel_memory", SEV_WARNING, 734003200 + 104857600);
	const struct finding *f = find("kernel_memory");
	assert_non_null(strstr(f->summary, "slab 650 MiB (600 MiB of it reclaimable)"));
	assert_non_null(strstr(f->summary, "socket buffers 100 MiB"));
	/* the container's other process: 7% of its usage, under the limit
	 * that binds (the container's; the pod's other container is not
	 * counted against it) */
	expect("other_processes", SEV_INFO, KIB(204800));
	/* no limit anywhere: noted, not warned */
	for (size_t i = 0; i < cap.os.cgroup.n_levels; i++)
		cap.os.cgroup.level[i].max = cap.os.cgroup.level[i].high = opt_none();
	run();
	expect("kernel_memory", SEV_INFO, 734003200 + 104857600);
	/* v1: memory.kmem.usage_in_bytes, small here */
	load("cgroup/v1-page-cache.txt", 9452, 11 * MiB, 8 * MiB);
	run();
	assert_null(find("kernel_memory")); /* 352 KiB: under a MiB */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stat_v1_recorded),
	    cmocka_unit_test(test_stat_v2),
	    cmocka_unit_test(test_stat_odd_lines),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_psi),
	    cmocka_unit_test(test_procs),
	    cmocka_unit_test(test_record_split),
	    cmocka_unit_test(test_record_v1),
	    cmocka_unit_test(test_record_other_process),
	    cmocka_unit_test(test_record_by_hand),
	    cmocka_unit_test(test_record_v2),
	    cmocka_unit_test(test_record_v2_fixture),
	    cmocka_unit_test(test_record_broken),
	    cmocka_unit_test(test_model_page_cache),
	    cmocka_unit_test(test_model_parent_limit),
	    cmocka_unit_test(test_model_v2),
	    cmocka_unit_test(test_model_memory_high),
	    cmocka_unit_test(test_model_hidden_limit),
	    cmocka_unit_test(test_model_kernel_summed),
	    cmocka_unit_test(test_model_summary_only),
	    cmocka_unit_test(test_findings_page_cache),
	    cmocka_unit_test(test_findings_near_limit),
	    cmocka_unit_test(test_findings_other_processes),
	    cmocka_unit_test(test_findings_kernel_memory),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	capture_free(&cap);
	return rc;
}
