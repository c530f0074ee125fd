/* Growth over time (issue 14): the least-squares fit, the floors, the
 * post-GC sampling of the heap lines, and the series index parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "correlate/growth.h"
#include "correlate/series.h"
#include "testutil.h"

/* A series of n samples, dt apart, every line flat at 100 MiB (counts at
 * 100), NumGC rising by one every gc_every samples (0: never). */
static void flat_series(struct growth_series *gs, size_t n, double dt, size_t gc_every)
{
	growth_series_init(gs);
	for (size_t i = 0; i < n; i++) {
		struct growth_sample s;
		memset(&s, 0, sizeof s);
		s.t = (double)i * dt;
		s.num_gc = opt_some(gc_every ? i / gc_every : 0);
		for (int l = 0; l < GL_COUNT; l++)
			s.v[l] = opt_some(growth_lines[l].is_count ? 100 : 100 * MiB);
		assert_int_equal(growth_series_push(gs, &s), 0);
	}
}

static void test_fit_exact_line(void **state)
{
	(void)state;
	double x[] = {0, 1, 2, 3, 4}, y[] = {10, 12, 14, 16, 18};
	struct growth_fit f;
	growth_fit_points(x, y, 5, &f);
	assert_true(fabs(f.slope - 2) < 1e-9);
	assert_true(fabs(f.intercept - 10) < 1e-9);
	assert_true(fabs(f.r2 - 1) < 1e-9);
	growth_fit_points(x, y, 1, &f); /* one point: no slope */
	assert_true(f.slope == 0 && f.r2 == 0);
}

static void test_fit_large_values(void **state)
{
	(void)state;
	/* GiB-scale bytes at Unix-scale times: the centred sums keep the digits. */
	double x[50], y[50];
	for (int i = 0; i < 50; i++) {
		x[i] = 1.7e9 + i * 0.2;
		y[i] = 64.0 * (double)GiB + 4.0 * MiB * i * 0.2;
	}
	struct growth_fit f;
	growth_fit_points(x, y, 50, &f);
	assert_true(fabs(f.slope - 4.0 * MiB) < 1);
	assert_true(f.r2 > 0.999999);
}

static void test_flat_is_not_growing(void **state)
{
	(void)state;
	struct growth_series gs;
	struct growth_result res[GL_COUNT];
	struct findings fs = {0};
	flat_series(&gs, 30, 1, 3);
	growth_analyze(&gs, res);
	for (int l = 0; l < GL_COUNT; l++)
		assert_int_equal(res[l].state, GS_FLAT);
	growth_findings(&gs, res, &fs);
	assert_int_equal(fs.n, 0);
	growth_series_free(&gs);
}

static void test_leak_found_with_rate(void **state)
{
	(void)state;
	struct growth_series gs;
	struct growth_result res[GL_COUNT];
	struct findings fs = {0};
	flat_series(&gs, 30, 0.5, 0);
	for (size_t i = 0; i < gs.n; i++) /* +2 MiB/s */
		gs.s[i].v[GL_NON_GO_ANON].v += (uint64_t)(gs.s[i].t * 2 * MiB);
	gs.s[gs.n - 1].limit = opt_some(1 * GiB);
	gs.s[gs.n - 1].headroom = opt_some(200 * MiB);
	growth_analyze(&gs, res);
	assert_int_equal(res[GL_NON_GO_ANON].state, GS_GROWING);
	assert_true(fabs(res[GL_NON_GO_ANON].fit.slope - 2.0 * MiB) < 1024);
	assert_true(fabs(res[GL_NON_GO_ANON].seconds_to_limit - 100) < 0.1);
	/* No GC in the series: the heap lines cannot be compared like with like. */
	assert_int_equal(res[GL_HEAP_ALLOC].state, GS_TOO_FEW);
	growth_findings(&gs, res, &fs);
	assert_int_equal(fs.n, 1);
	assert_string_equal(fs.f[0].id, "growing");
	assert_non_null(strstr(fs.f[0].summary, "non_go_anon"));
	assert_non_null(strstr(fs.f[0].evidence, "30 samples"));
	assert_non_null(strstr(fs.f[0].evidence, "the cgroup limit in 100 s"));
	assert_int_equal(fs.f[0].severity, SEV_CRITICAL); /* under an hour to the limit */
	growth_series_free(&gs);
}

static void test_floors(void **state)
{
	(void)state;
	struct growth_series gs;
	struct growth_result res[GL_COUNT];
	/* A clean line (R² 1) that rises 600 KiB over the window: under the
	 * absolute floor, as the ~23 KiB per /debug/vars request is. */
	flat_series(&gs, 26, 1, 0);
	for (size_t i = 0; i < gs.n; i++)
		gs.s[i].v[GL_RSS].v += i * 24 * KiB;
	/* 3 MiB over the window on a 1 GiB line: under the relative floor (2%). */
	for (size_t i = 0; i < gs.n; i++)
		gs.s[i].v[GL_FILE] = opt_some(1 * GiB + i * 120 * KiB);
	growth_analyze(&gs, res);
	assert_true(res[GL_RSS].fit.r2 > 0.999);
	assert_int_equal(res[GL_RSS].state, GS_FLAT);
	assert_int_equal(res[GL_FILE].state, GS_FLAT);
	growth_series_free(&gs);
}

static void test_step_is_noisy(void **state)
{
	(void)state;
	struct growth_series gs;
	struct growth_result res[GL_COUNT];
	flat_series(&gs, 40, 1, 0);
	for (size_t i = 20; i < gs.n; i++) /* one step of 64 MiB halfway */
		gs.s[i].v[GL_RSS].v += 64 * MiB;
	growth_analyze(&gs, res);
	assert_true(res[GL_RSS].fit.r2 < GROWTH_MIN_R2);
	assert_int_equal(res[GL_RSS].state, GS_NOISY);
	growth_series_free(&gs);
}

static void test_sawtooth_heap(void **state)
{
	(void)state;
	struct growth_series gs;
	struct growth_result res[GL_COUNT];
	/* HeapAlloc climbs 8 MiB between GCs (one every 4 samples), back to
	 * 16 MiB after each: every sample would fit a rising saw's teeth, the
	 * samples after a GC are flat. */
	flat_series(&gs, 41, 0.25, 4);
	for (size_t i = 0; i < gs.n; i++)
		gs.s[i].v[GL_HEAP_ALLOC] = opt_some(16 * MiB + (i % 4) * 2 * MiB);
	growth_analyze(&gs, res);
	assert_int_equal(res[GL_HEAP_ALLOC].fit.n, 10);
	assert_int_equal(res[GL_HEAP_ALLOC].state, GS_FLAT);
	/* A heap that grows after every GC is found. */
	for (size_t i = 0; i < gs.n; i++)
		gs.s[i].v[GL_HEAP_INUSE] = opt_some(16 * MiB + (i / 4) * 4 * MiB + (i % 4) * MiB);
	growth_analyze(&gs, res);
	assert_int_equal(res[GL_HEAP_INUSE].state, GS_GROWING);
	assert_true(fabs(res[GL_HEAP_INUSE].fit.slope - 4.0 * MiB) < 1024);
	growth_series_free(&gs);
}

static void test_rss_without_heap_garbage(void **state)
{
	(void)state;
	struct growth_series gs;
	struct growth_result res[GL_COUNT];
	/* No GC in the window: HeapInuse and RES climb together with garbage,
	 * 100 KiB/s over 60 s: RES is not growing. */
	flat_series(&gs, 61, 1, 0);
	for (size_t i = 0; i < gs.n; i++) {
		gs.s[i].v[GL_RSS] = opt_some(50 * MiB + i * 100 * KiB);
		gs.s[i].v[GL_HEAP_INUSE] = opt_some(30 * MiB + i * 100 * KiB);
	}
	growth_analyze(&gs, res);
	assert_int_equal(res[GL_HEAP_INUSE].state, GS_TOO_FEW);
	assert_int_equal(res[GL_RSS].state, GS_FLAT);
	/* Memory outside the heap growing as well: RES grows at that rate. */
	for (size_t i = 0; i < gs.n; i++)
		gs.s[i].v[GL_RSS].v += i * 200 * KiB;
	growth_analyze(&gs, res);
	assert_int_equal(res[GL_RSS].state, GS_GROWING);
	assert_true(fabs(res[GL_RSS].fit.slope - 200.0 * KiB) < 1);
	growth_series_free(&gs);
}

/* The cgroup's working set grows while the process's RES stays flat: the
 * finding says the growth is elsewhere in the cgroup. */
static void test_working_set_elsewhere(void **state)
{
	(void)state;
	struct growth_series gs;
	struct growth_result res[GL_COUNT];
	struct findings fs = {0};
	flat_series(&gs, 30, 1, 3);
	for (size_t i = 0; i < gs.n; i++)
		gs.s[i].v[GL_WORKING_SET] = opt_some(100 * MiB + i * 2 * MiB);
	growth_analyze(&gs, res);
	assert_int_equal(res[GL_WORKING_SET].state, GS_GROWING);
	assert_int_equal(res[GL_RSS].state, GS_FLAT);
	growth_findings(&gs, res, &fs);
	assert_int_equal(fs.n, 1);
	assert_non_null(strstr(fs.f[0].summary, "working_set"));
	assert_non_null(strstr(fs.f[0].evidence, "this process's RES flat: the growth is "
						 "elsewhere in its cgroup"));
	assert_non_null(strstr(fs.f[0].advice, "page_cache"));
	growth_series_free(&gs);
}

static void test_counts(void **state)
{
	(void)state;
	struct growth_series gs;
	struct growth_result res[GL_COUNT];
	struct findings fs = {0};
	flat_series(&gs, 20, 0.2, 0);
	for (size_t i = 0; i < gs.n; i++)
		gs.s[i].v[GL_GOROUTINES].v += i * 40; /* 200/s */
	growth_analyze(&gs, res);
	assert_int_equal(res[GL_GOROUTINES].state, GS_GROWING);
	assert_true(res[GL_GOROUTINES].seconds_to_limit < 0);
	growth_findings(&gs, res, &fs);
	assert_int_equal(fs.n, 1);
	assert_non_null(strstr(fs.f[0].summary, "+200.0/s"));
	assert_int_equal(fs.f[0].bytes, 0);
	growth_series_free(&gs);
}

static void test_series_index(void **state)
{
	(void)state;
	struct series_index ix;
	struct err err = {0};
	const char *ok =
	    "{\"kind\":\"series\",\"pid\":42,\"interval_seconds\":0.5,\"ended\":\"gone\","
	    "\"samples\":[{\"dir\":\"0001\",\"t\":0.0},{\"dir\":\"0002\",\"t\":0.5}]}";
	assert_int_equal(parse_series_index(ok, strlen(ok), &ix, &err), 0);
	assert_int_equal(ix.n, 2);
	assert_int_equal(ix.pid, 42);
	assert_string_equal(ix.e[1].dir, "0002");
	assert_string_equal(ix.ended, "gone");
	series_index_free(&ix);
	series_index_free(NULL);
	const char *bad[] = {
	    "[]",
	    "{\"kind\":\"scan\",\"samples\":[]}",
	    "{\"kind\":\"series\",\"samples\":[{\"dir\":\"../etc\",\"t\":0}]}",
	    "{\"kind\":\"series\",\"samples\":[{\"dir\":\"..\",\"t\":0}]}",
	    "{\"kind\":\"series\",\"samples\":[{\"dir\":\"a\",\"t\":1},{\"dir\":\"b\",\"t\":0}]}",
	    "{\"kind\":\"series\",\"samples\":[{\"dir\":\"a\"}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		assert_int_equal(parse_series_index(bad[i], strlen(bad[i]), &ix, &err), ERR_USAGE);
		assert_non_null(strstr(err.msg, "series.json: "));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fit_exact_line),
	    cmocka_unit_test(test_fit_large_values),
	    cmocka_unit_test(test_flat_is_not_growing),
	    cmocka_unit_test(test_leak_found_with_rate),
	    cmocka_unit_test(test_floors),
	    cmocka_unit_test(test_step_is_noisy),
	    cmocka_unit_test(test_sawtooth_heap),
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_series_index),
	    cmocka_unit_test(test_rss_without_heap_garbage),
	    cmocka_unit_test(test_working_set_elsewhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
