/* correlate scan's pure parts: the container id of a cgroup path, a row
 * from a capture, and the outputs (table, Prometheus, OpenMetrics) of a
 * scan built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/context.h"
#include "correlate/scan.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_container_id(void **state)
{
	(void)state;
	char out[80];
	static const struct {
		const char *path;
		const char *want; /* NULL: none */
	} cases[] = {
	    {"/kubepods/burstable/pod1f2e3d4c-1111-2222-3333-444455556666/" ID, ID},
	    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e.slice/"
	     "cri-containerd-" ID ".scope",
	     ID},
	    {"/system.slice/docker-" ID ".scope", ID},
	    {"/docker/" ID, ID},
	    {"/machine.slice/libpod-" ID ".scope/container", ID},
	    {"/kubepods.slice/crio-" ID ".scope", ID},
	    {"/user.slice/user-1000.slice/session-2.scope", NULL},
	    {"/system.slice/docker-" ID "0.scope", NULL},	  /* 65 digits */
	    {"/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", NULL},
	    {"/", NULL},
	    {"", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = parse_container_id(cases[i].path, out, sizeof out);
		if (cases[i].want) {
			assert_int_equal(rc, 0);
			assert_string_equal(out, cases[i].want);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(out, "");
		}
	}
	assert_int_equal(parse_container_id("/docker/" ID, out, 64), -1); /* no room */
	assert_int_equal(parse_container_id(NULL, out, sizeof out), -1);
}

static struct scan_row row(pid_t pid, const char *comm)
{
	struct scan_row r;
	memset(&r, 0, sizeof r);
	r.pid = pid;
	snprintf(r.comm, sizeof r.comm, "%s", comm);
	snprintf(r.exe, sizeof r.exe, "/usr/bin/%s", comm);
	snprintf(r.go_version, sizeof r.go_version, "go1.23.5");
	snprintf(r.endpoint_format, sizeof r.endpoint_format, "prometheus");
	r.rss = opt_some(200u << 20);
	r.anon_footprint = opt_some(180u << 20);
	r.go_retained = opt_some(20u << 20);
	r.unexplained = opt_some(160u << 20);
	r.non_go_anon = opt_some(150u << 20);
	r.working_set = opt_some(300u << 20);
	r.limit = opt_none();
	r.probe_cpu_ns = opt_some(1500000);
	r.n_findings = 2;
	snprintf(r.f[0].id, sizeof r.f[0].id, "reserved_address_space");
	r.f[0].severity = SEV_INFO;
	r.f[0].bytes = 1u << 30;
	snprintf(r.f[1].id, sizeof r.f[1].id, "non_go_anon");
	r.f[1].severity = SEV_WARNING;
	r.f[1].bytes = 150u << 20;
	r.top = 1;
	return r;
}

static char *render(const struct scan_result *s, int which)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	int rc = which == 2 ? render_scan_text(f, s) : render_scan_prometheus(f, s, which);
	assert_int_equal(rc, 0);
	fclose(f);
	return buf;
}

static void test_prometheus(void **state)
{
	(void)state;
	struct scan_row rows[2] = {row(101, "svc"), row(102, "b\x1b[31m\"q\\\n")};
	snprintf(rows[0].container_id, sizeof rows[0].container_id, "%s", ID);
	rows[1].go_retained = opt_none(); /* unknown: no sample, never 0 */
	struct scan_result s;
	memset(&s, 0, sizeof s);
	s.rows = rows;
	s.n_rows = 2;
	s.t.targets = 2;
	s.t.duration = 1.25;
	s.t.self_rss = opt_some(5u << 20);
	s.t.self_peak_rss = opt_none();
	char *p = render(&s, 0);
	assert_non_null(strstr(p, "# TYPE correlate_target_info gauge\n"));
	assert_non_null(strstr(p, "correlate_rss_bytes{pid=\"101\",comm=\"svc\",container_id=\"" ID
				  "\"} 209715200\n"));
	/* the hostile name: no raw control byte, the exposition's escapes */
	for (const char *c = p; *c; c++)
		assert_true(*c == '\n' || (unsigned char)*c >= 0x20);
	assert_non_null(strstr(p, "comm=\"b\\\\x1b[31m\\\"q\\\\\\n\""));
	assert_null(strstr(p, "correlate_go_retained_bytes{pid=\"102\""));
	assert_non_null(strstr(p, "correlate_go_retained_bytes{pid=\"101\""));
	assert_non_null(strstr(p, "finding=\"non_go_anon\",severity=\"warning\"} 157286400\n"));
	assert_non_null(strstr(p, "correlate_scan_duration_seconds 1.25\n"));
	assert_non_null(strstr(p, "# TYPE correlate_self_cpu_seconds_total counter\n"));
	assert_null(strstr(p, "correlate_self_peak_rss_bytes")); /* unknown */
	assert_null(strstr(p, "# EOF"));
	assert_null(strstr(p, "# UNIT"));
	/* every family once, HELP before TYPE */
	assert_ptr_equal(strstr(p, "# TYPE correlate_rss_bytes"),
			 strstr(strstr(p, "# HELP correlate_rss_bytes"), "# TYPE correlate_rss_bytes"));
	assert_null(strstr(strstr(p, "# TYPE correlate_rss_bytes") + 1, "# TYPE correlate_rss_bytes "));
	free(p);

	char *om = render(&s, 1);
	size_t n = strlen(om);
	assert_true(n > 6 && strcmp(om + n - 6, "# EOF\n") == 0);
	assert_non_null(strstr(om, "# TYPE correlate_target info\n"));
	assert_non_null(strstr(om, "correlate_target_info{pid=\"101\""));
	assert_non_null(strstr(om, "# TYPE correlate_self_cpu_seconds counter\n"));
	assert_non_null(strstr(om, "correlate_self_cpu_seconds_total "));
	assert_non_null(strstr(om, "# UNIT correlate_rss_bytes bytes\n"));
	free(om);
}

static void test_table(void **state)
{
	(void)state;
	struct scan_row rows[2] = {row(7, "small"), row(8, "big")};
	rows[0].rss = opt_some(1u << 20);
	rows[1].os_only = 1;
	struct scan_miss miss = {.pid = 9, .comm = "gone", .dropped = 1, .msg = "exited during the scan"};
	struct scan_result s;
	memset(&s, 0, sizeof s);
	s.rows = rows;
	s.n_rows = 2;
	s.miss = &miss;
	s.n_miss = 1;
	s.t.targets = 2;
	s.t.dropped = 1;
	s.t.workers = 2;
	s.t.budget = 60;
	s.t.processes = 10;
	char *t = render(&s, 2);
	/* largest RES first; the one without an endpoint says so */
	char *big = strstr(t, "\n8 "), *small = strstr(t, "\n7 ");
	assert_non_null(big);
	assert_non_null(small);
	assert_true(big < small);
	assert_non_null(strstr(big, "no endpoint"));
	assert_non_null(strstr(t, "non_go_anon (warning, 150 MiB)"));
	assert_non_null(strstr(t, "left out: pid 9 (gone): exited during the scan\n"));
	assert_non_null(strstr(t, "2 Go processes reported of 10 user-space processes"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_container_id),
	    cmocka_unit_test(test_prometheus),
	    cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
