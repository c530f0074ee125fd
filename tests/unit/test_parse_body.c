/* body_parser_* and parse_body(): pprof heap debug=1 text, expvar JSON and
 * Prometheus text, from real captures (tests/data) fed in chunks of every
 * size, and bad input.
 *
 * Expected values are read off the files by hand, never copied from the
 * parser's output.  Where tests/data/<dir>/ was captured and with what, see
 * tests/data/README.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/err.h"
#include "correlate/memstats.h"
#include "testutil.h"

#define K(x)                        \
	{                           \
		(uint64_t)(x), true \
	}
#define F(x)	 offsetof(struct go_memstats, x)
#define N_FIELDS (sizeof(struct go_memstats) / sizeof(opt_u64))

/* Feeds buf in chunks of `chunk` bytes (0: whole) to a parser made with
 * max_bytes, then finishes.  Returns the first error. */
static int parse_chunks(const char *buf, size_t len, size_t chunk, uint64_t max_bytes,
			struct go_snapshot *out, struct err *e)
{
	memset(e, 0, sizeof *e);
	memset(out, 0, sizeof *out);
	struct body_parser *p = body_parser_new(max_bytes);
	assert_non_null(p);
	assert_int_equal(body_parser_format(p), FMT_UNKNOWN);
	if (chunk == 0)
		chunk = len ? len : 1;
	int rc = 0;
	for (size_t off = 0; off < len && !rc; off += chunk)
		rc = body_parser_feed(p, buf + off, len - off < chunk ? len - off : chunk, e);
	if (!rc)
		rc = body_parser_finish(p, out, e);
	body_parser_free(p);
	return rc;
}

static int parse_str(const char *s, size_t chunk, struct go_snapshot *out, struct err *e)
{
	return parse_chunks(s, strlen(s), chunk, 0, out, e);
}

static const opt_u64 *field_at(const struct go_memstats *ms, size_t i)
{
	return (const opt_u64 *)ms + i;
}

/* The MemStats name of the i-th opt_u64 of struct go_memstats, for messages. */
static const char *field_name(size_t i)
{
	for (size_t k = 0; k < go_fields_count; k++)
		if (go_fields[k].offset == i * sizeof(opt_u64))
			return go_fields[k].label;
	return "?";
}

static void assert_same_snapshot(const struct go_snapshot *a, const struct go_snapshot *b,
				 const char *what)
{
	if (a->format != b->format)
		fail_msg("%s: format %d vs %d", what, a->format, b->format);
	if (strcmp(a->go_version, b->go_version) != 0)
		fail_msg("%s: go_version \"%s\" vs \"%s\"", what, a->go_version, b->go_version);
	if (a->body_bytes != b->body_bytes)
		fail_msg("%s: body_bytes %llu vs %llu", what, (unsigned long long)a->body_bytes,
			 (unsigned long long)b->body_bytes);
	for (size_t i = 0; i < N_FIELDS; i++) {
		const opt_u64 *x = field_at(&a->ms, i), *y = field_at(&b->ms, i);
		if (x->known != y->known || (x->known && x->v != y->v))
			fail_msg("%s: %s differs (%s%llu vs %s%llu)", what, field_name(i),
				 x->known ? "" : "unknown ", (unsigned long long)x->v,
				 y->known ? "" : "unknown ", (unsigned long long)y->v);
	}
}

/* Every field equal to `want`, unknown where `want` leaves it unknown.
 * last_gc_slack: how far last_gc_ns may be off (see test_*_last_gc_exact). */
static void assert_memstats(const struct go_memstats *got, const struct go_memstats *want,
			    uint64_t last_gc_slack, const char *what)
{
	int bad = 0;
	for (size_t i = 0; i < N_FIELDS; i++) {
		const opt_u64 *g = field_at(got, i), *w = field_at(want, i);
		uint64_t slack = i * sizeof(opt_u64) == F(last_gc_ns) ? last_gc_slack : 0;
		int ok = g->known == w->known &&
			 (!g->known || (g->v >= w->v ? g->v - w->v : w->v - g->v) <= slack);
		if (!ok) {
			print_error("%s: %s = %s%llu, expected %s%llu\n", what, field_name(i),
				    g->known ? "" : "unknown ", (unsigned long long)g->v,
				    w->known ? "" : "unknown ", (unsigned long long)w->v);
			bad++;
		}
	}
	if (bad)
		fail_msg("%s: %d field(s) wrong", what, bad);
}

/* Sys and HeapSys are sums of their parts to the byte on a real Go body. */
static void assert_identities(const struct go_memstats *m, const char *what)
{
	const opt_u64 *parts[] = {&m->sys,	 &m->heap_sys,	&m->heap_idle,	&m->heap_inuse,
				  &m->stack_sys, &m->mspan_sys, &m->mcache_sys, &m->buck_hash_sys,
				  &m->gc_sys,	 &m->other_sys};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (!parts[i]->known)
			fail_msg("%s: a part of Sys is unknown", what);
	uint64_t sum = m->heap_sys.v + m->stack_sys.v + m->mspan_sys.v + m->mcache_sys.v +
		       m->buck_hash_sys.v + m->gc_sys.v + m->other_sys.v;
	if (m->sys.v != sum)
		fail_msg("%s: Sys %llu != HeapSys+StackSys+MSpanSys+MCacheSys+BuckHashSys+GCSys+"
			 "OtherSys %llu",
			 what, (unsigned long long)m->sys.v, (unsigned long long)sum);
	if (m->heap_sys.v != m->heap_inuse.v + m->heap_idle.v)
		fail_msg("%s: HeapSys %llu != HeapInuse + HeapIdle %llu", what,
			 (unsigned long long)m->heap_sys.v,
			 (unsigned long long)(m->heap_inuse.v + m->heap_idle.v));
	/* And the other invariants MemStats documents. */
	assert_true(m->heap_released.v <= m->heap_idle.v);
	assert_true(m->heap_alloc.v <= m->heap_inuse.v);
	assert_true(m->stack_inuse.v <= m->stack_sys.v);
	assert_true(m->mspan_inuse.v <= m->mspan_sys.v);
	assert_true(m->mcache_inuse.v <= m->mcache_sys.v);
}

/* ---- which fields each format carries ----------------------------------- */

/* What a format never gives: these stay unknown, never 0. */
static const size_t never_pprof[] = {F(pause_total_ns), F(goroutines),	  F(threads),
				     F(process_rss),	F(process_vsize), F(gomemlimit),
				     F(gogc_percent),	F(heap_live),	  F(gomaxprocs)};
static const size_t never_expvar[] = {F(max_rss),     F(goroutines),	F(threads),
				      F(process_rss), F(process_vsize), F(gomemlimit),
				      F(gogc_percent), F(heap_live),	F(gomaxprocs)};
/* client_golang 1.14 (Debian 12) has no go_gc_gomemlimit_bytes, NumGC or
 * NumForcedGC metric, nor the 1.20+ GOGC, live heap and GOMAXPROCS ones;
 * go_gc_duration_seconds is a summary, not PauseTotalNs. */
static const size_t never_prom[] = {F(pause_total_ns), F(num_gc),    F(num_forced_gc),
				    F(max_rss),	       F(gomemlimit), F(gogc_percent),
				    F(heap_live),      F(gomaxprocs)};

/* Every field known, except those listed, which are unknown. */
static void assert_carried(const struct go_memstats *m, const size_t *never, size_t n,
			   const char *what)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		int absent = 0;
		for (size_t k = 0; k < n; k++)
			absent |= never[k] == i * sizeof(opt_u64);
		if (field_at(m, i)->known == absent)
			fail_msg("%s: %s is %s", what, field_name(i),
				 absent ? "known, but this format does not carry it" : "unknown");
	}
}

static void assert_carried_fmt(const struct go_snapshot *s, const char *what)
{
	switch (s->format) {
	case FMT_PPROF:
		assert_carried(&s->ms, never_pprof, sizeof never_pprof / sizeof never_pprof[0],
			       what);
		assert_string_equal(s->go_version, "");
		break;
	case FMT_EXPVAR:
		assert_carried(&s->ms, never_expvar, sizeof never_expvar / sizeof never_expvar[0],
			       what);
		assert_string_equal(s->go_version, "");
		break;
	case FMT_PROMETHEUS:
		assert_carried(&s->ms, never_prom, sizeof never_prom / sizeof never_prom[0], what);
		break;
	default:
		fail_msg("%s: format %d", what, s->format);
	}
}

/* ---- real bodies, every field by hand ----------------------------------- */

struct full_case {
	const char *rel;
	enum body_format fmt;
	const char *go_version;
	uint64_t last_gc_slack;
	struct go_memstats want;
};

/* Prometheus carries LastGC in seconds (16 digits) and expvar goes through a
 * double: within 256 ns here, exact in test_*_last_gc_exact. */
static const struct full_case full_cases[] = {
    {"go1.19-cgo/memstats.txt",
     FMT_PPROF,
     "",
     0,
     {.alloc = K(67647272),
      .total_alloc = K(67870912),
      .sys = K(84328728),
      .lookups = K(0),
      .mallocs = K(4462),
      .frees = K(1825),
      .heap_alloc = K(67647272),
      .heap_sys = K(70811648),
      .heap_idle = K(2252800),
      .heap_inuse = K(68558848),
      .heap_released = K(2097152),
      .heap_objects = K(2637),
      .stack_inuse = K(491520),
      .stack_sys = K(491520),
      .mspan_inuse = K(39600),
      .mspan_sys = K(48816),
      .mcache_inuse = K(2400),
      .mcache_sys = K(15600),
      .buck_hash_sys = K(1445249),
      .gc_sys = K(10880768),
      .other_sys = K(635127),
      .next_gc = K(134956656),
      .last_gc_ns = K(UINT64_C(1795685082163901130)),
      .num_gc = K(5),
      .num_forced_gc = K(1),
      .max_rss = K(239284224)}},
    {"go1.19-cgo/vars.json",
     FMT_EXPVAR,
     "",
     256,
     {.alloc = K(67693656),
      .total_alloc = K(67917296),
      .sys = K(84328728),
      .lookups = K(0),
      .mallocs = K(4749),
      .frees = K(1885),
      .heap_alloc = K(67693656),
      .heap_sys = K(70811648),
      .heap_idle = K(2170880),
      .heap_inuse = K(68640768),
      .heap_released = K(2064384),
      .heap_objects = K(2864),
      .stack_inuse = K(491520),
      .stack_sys = K(491520),
      .mspan_inuse = K(39600),
      .mspan_sys = K(48816),
      .mcache_inuse = K(2400),
      .mcache_sys = K(15600),
      .buck_hash_sys = K(1445473),
      .gc_sys = K(10893104),
      .other_sys = K(622567),
      .next_gc = K(134956656),
      .last_gc_ns = K(UINT64_C(1795685082163901130)),
      .pause_total_ns = K(419958),
      .num_gc = K(5),
      .num_forced_gc = K(1)}},
    {"go1.19-cgo/metrics.prom",
     FMT_PROMETHEUS,
     "go1.19.8",
     256,
     {.alloc = K(67714136),
      .total_alloc = K(67937776),
      .sys = K(84328728),
      .lookups = K(0),
      .mallocs = K(4751),
      .frees = K(1885),
      .heap_alloc = K(67714136),
      .heap_sys = K(70778880),
      .heap_idle = K(2097152),
      .heap_inuse = K(68681728),
      .heap_released = K(2064384),
      .heap_objects = K(2866),
      .stack_inuse = K(524288),
      .stack_sys = K(524288),
      .mspan_inuse = K(39600),
      .mspan_sys = K(48816),
      .mcache_inuse = K(2400),
      .mcache_sys = K(15600),
      .buck_hash_sys = K(1445473),
      .gc_sys = K(10893104),
      .other_sys = K(622567),
      .next_gc = K(134956656),
      /* 1.795685082163901e+09 s */
      .last_gc_ns = K(UINT64_C(1795685082163901000)),
      .goroutines = K(9),
      .threads = K(10),
      .process_rss = K(239415296),
      .process_vsize = K(1571405824)}},
    {"go1.23-pure/memstats.txt",
     FMT_PPROF,
     "",
     0,
     {.alloc = K(33805664),
      .total_alloc = K(33961824),
      .sys = K(42030344),
      .lookups = K(0),
      .mallocs = K(2195),
      .frees = K(1006),
      .heap_alloc = K(33805664),
      .heap_sys = K(37224448),
      .heap_idle = K(2736128),
      .heap_inuse = K(34488320),
      .heap_released = K(2260992),
      .heap_objects = K(1189),
      .stack_inuse = K(524288),
      .stack_sys = K(524288),
      .mspan_inuse = K(33920),
      .mspan_sys = K(48960),
      .mcache_inuse = K(2400),
      .mcache_sys = K(15600),
      .buck_hash_sys = K(1443928),
      .gc_sys = K(2275512),
      .other_sys = K(497608),
      .next_gc = K(67758200),
      .last_gc_ns = K(UINT64_C(1795685109876156152)),
      .num_gc = K(5),
      .num_forced_gc = K(1),
      .max_rss = K(43704320)}},
    {"go1.23-pure/vars.json",
     FMT_EXPVAR,
     "",
     256,
     {.alloc = K(33838816),
      .total_alloc = K(33994976),
      .sys = K(42030344),
      .lookups = K(0),
      .mallocs = K(2350),
      .frees = K(1026),
      .heap_alloc = K(33838816),
      .heap_sys = K(37224448),
      .heap_idle = K(2637824),
      .heap_inuse = K(34586624),
      .heap_released = K(2187264),
      .heap_objects = K(1324),
      .stack_inuse = K(524288),
      .stack_sys = K(524288),
      .mspan_inuse = K(33920),
      .mspan_sys = K(48960),
      .mcache_inuse = K(2400),
      .mcache_sys = K(15600),
      .buck_hash_sys = K(1443928),
      .gc_sys = K(2298136),
      .other_sys = K(474984),
      .next_gc = K(67758200),
      .last_gc_ns = K(UINT64_C(1795685109876156152)),
      .pause_total_ns = K(554348),
      .num_gc = K(5),
      .num_forced_gc = K(1)}},
    {"go1.23-pure/metrics.prom",
     FMT_PROMETHEUS,
     "go1.23.5",
     256,
     {.alloc = K(33863392),
      .total_alloc = K(34019552),
      .sys = K(42030344),
      .lookups = K(0),
      .mallocs = K(2353),
      .frees = K(1026),
      .heap_alloc = K(33863392),
      .heap_sys = K(37191680),
      .heap_idle = K(2433024),
      .heap_inuse = K(34758656),
      .heap_released = K(2097152),
      .heap_objects = K(1327),
      .stack_inuse = K(557056),
      .stack_sys = K(557056),
      .mspan_inuse = K(33920),
      .mspan_sys = K(48960),
      .mcache_inuse = K(2400),
      .mcache_sys = K(15600),
      .buck_hash_sys = K(1443928),
      .gc_sys = K(2304304),
      .other_sys = K(468816),
      .next_gc = K(67758200),
      /* 1.795685109876156e+09 s */
      .last_gc_ns = K(UINT64_C(1795685109876156000)),
      .goroutines = K(10),
      .threads = K(8),
      .process_rss = K(44228608),
      .process_vsize = K(1265405952)}},
};

static void test_full_values(void **state)
{
	const struct full_case *c = *state;
	size_t len;
	char *buf = read_data(c->rel, &len);
	struct go_snapshot s;
	struct err e;
	int rc = parse_chunks(buf, len, 0, 0, &s, &e);
	if (rc)
		fail_msg("%s: %s", c->rel, e.msg);
	assert_int_equal(s.format, c->fmt);
	assert_string_equal(s.go_version, c->go_version);
	assert_int_equal(s.body_bytes, len);
	assert_memstats(&s.ms, &c->want, c->last_gc_slack, c->rel);
	free(buf);
}

/* ---- every real body: formats, identities, chunking --------------------- */

struct body_case {
	const char *rel;
	enum body_format fmt;
	/* read off the file by hand */
	uint64_t sys, heap_released, stack_inuse, stack_sys;
	uint64_t max_rss;	/* pprof: MaxRSS; 0 elsewhere */
	const char *go_version; /* prometheus: go_info; "" elsewhere */
	uint64_t goroutines;	/* prometheus: go_goroutines */
};

static const struct body_case body_cases[] = {
    {"go1.19-cgo/memstats.txt", FMT_PPROF, 84328728, 2097152, 491520, 491520, 239284224, "", 0},
    {"go1.19-cgo/vars.json", FMT_EXPVAR, 84328728, 2064384, 491520, 491520, 0, "", 0},
    {"go1.19-cgo/metrics.prom", FMT_PROMETHEUS, 84328728, 2064384, 524288, 524288, 0, "go1.19.8",
     9},
    {"go1.23-pure/memstats.txt", FMT_PPROF, 42030344, 2260992, 524288, 524288, 43704320, "", 0},
    {"go1.23-pure/vars.json", FMT_EXPVAR, 42030344, 2187264, 524288, 524288, 0, "", 0},
    {"go1.23-pure/metrics.prom", FMT_PROMETHEUS, 42030344, 2097152, 557056, 557056, 0, "go1.23.5",
     10},
    {"go1.19-pure/memstats.txt", FMT_PPROF, 23180552, 2260992, 491520, 491520, 22102016, "", 0},
    {"go1.19-pure/allocs.txt", FMT_PPROF, 23442696, 1826816, 491520, 491520, 23212032, "", 0},
    {"go1.19-pure/vars.json", FMT_EXPVAR, 23442696, 1777664, 491520, 491520, 0, "", 0},
    {"go1.19-pure/metrics.prom", FMT_PROMETHEUS, 23442696, 1662976, 524288, 524288, 0, "go1.19.8",
     9},
    {"go1.21-pure/memstats.txt", FMT_PPROF, 26318088, 2744320, 425984, 425984, 26673152, "", 0},
    {"go1.21-pure/allocs.txt", FMT_PPROF, 26580232, 1630208, 491520, 491520, 27983872, "", 0},
    {"go1.21-pure/vars.json", FMT_EXPVAR, 26580232, 1556480, 491520, 491520, 0, "", 0},
    {"go1.21-pure/metrics.prom", FMT_PROMETHEUS, 26580232, 1507328, 557056, 557056, 0, "go1.21.13",
     9},
    {"go1.22-cgo/memstats.txt", FMT_PPROF, 33903880, 2400256, 425984, 425984, 70504448, "", 0},
    {"go1.22-cgo/allocs.txt", FMT_PPROF, 33903880, 1794048, 425984, 425984, 71553024, "", 0},
    {"go1.22-cgo/vars.json", FMT_EXPVAR, 33903880, 1777664, 425984, 425984, 0, "", 0},
    {"go1.22-cgo/metrics.prom", FMT_PROMETHEUS, 33903880, 1695744, 491520, 491520, 0, "go1.22.12",
     9},
    {"go1.23-cgo/memstats.txt", FMT_PPROF, 12932360, 2375680, 458752, 458752, 32808960, "", 0},
    {"go1.23-cgo/allocs.txt", FMT_PPROF, 12932360, 1826816, 491520, 491520, 33726464, "", 0},
    {"go1.23-cgo/vars.json", FMT_EXPVAR, 12932360, 1818624, 458752, 458752, 0, "", 0},
    {"go1.23-cgo/metrics.prom", FMT_PROMETHEUS, 12932360, 1712128, 491520, 491520, 0, "go1.23.5",
     9},
    {"prometheus-2.42/memstats.txt", FMT_PPROF, 24229128, 753664, 655360, 655360, 44433408, "", 0},
    {"prometheus-2.42/metrics.prom", FMT_PROMETHEUS, 24229128, 565248, 688128, 688128, 0,
     "go1.19.8", 27},
};

static void test_real_body(void **state)
{
	const struct body_case *c = *state;
	size_t len;
	char *buf = read_data(c->rel, &len);
	struct go_snapshot whole;
	struct err e;
	int rc = parse_chunks(buf, len, 0, 0, &whole, &e);
	if (rc)
		fail_msg("%s: %s", c->rel, e.msg);
	assert_int_equal(whole.format, c->fmt);
	assert_int_equal(whole.body_bytes, len);
	assert_known(whole.ms.sys, c->sys);
	assert_known(whole.ms.heap_released, c->heap_released);
	assert_known(whole.ms.stack_inuse, c->stack_inuse);
	assert_known(whole.ms.stack_sys, c->stack_sys);
	if (c->fmt == FMT_PPROF)
		assert_known(whole.ms.max_rss, c->max_rss);
	if (c->fmt == FMT_PROMETHEUS)
		assert_known(whole.ms.goroutines, c->goroutines);
	assert_string_equal(whole.go_version, c->go_version);
	assert_identities(&whole.ms, c->rel);
	assert_carried_fmt(&whole, c->rel);

	/* parse_body, one shot, agrees. */
	struct go_snapshot one;
	memset(&e, 0, sizeof e);
	assert_int_equal(parse_body(buf, len, &one, &e), 0);
	assert_same_snapshot(&whole, &one, "parse_body");

	/* Any chunking gives the same snapshot: 1 and 3 bytes, around the
	 * detection window (32) and the line buffer (8192). */
	static const size_t chunks[] = {1, 3, 7, 31, 32, 33, 97, 4096, 8191, 8192, 8193};
	for (size_t ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
		struct go_snapshot s;
		rc = parse_chunks(buf, len, chunks[ci], 0, &s, &e);
		if (rc)
			fail_msg("%s in %zu-byte chunks: %s", c->rel, chunks[ci], e.msg);
		char what[128];
		snprintf(what, sizeof what, "%s in %zu-byte chunks", c->rel, chunks[ci]);
		assert_same_snapshot(&whole, &s, what);
	}
	free(buf);
}

/* ---- exactness of large integers and seconds --------------------------- */

/* LastGC is ns since 1970, ~1.8e18: more than a double's 53 bits.  The JSON
 * text has it exactly, so it must come out exactly. */
static void test_expvar_last_gc_exact(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	size_t len;
	char *buf = read_data("go1.23-pure/vars.json", &len);
	assert_int_equal(parse_chunks(buf, len, 0, 0, &s, &e), 0);
	free(buf);
	/* vars.json: "LastGC":1795685109876156152 */
	assert_known(s.ms.last_gc_ns, UINT64_C(1795685109876156152));

	buf = read_data("go1.19-cgo/vars.json", &len);
	assert_int_equal(parse_chunks(buf, len, 0, 0, &s, &e), 0);
	free(buf);
	/* vars.json: "LastGC":1795685082163901130 */
	assert_known(s.ms.last_gc_ns, UINT64_C(1795685082163901130));
}

/* 2^53 + 1 and 2^64 - 1 are uint64 values MemStats can hold, and JSON
 * writes them exactly. */
static void test_expvar_uint64_range(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	int bad = 0;
	const char *b1 = "{\"memstats\":{\"Sys\":9007199254740993,\"HeapAlloc\":1,"
			 "\"HeapSys\":2,\"HeapIdle\":1,\"HeapInuse\":1,\"HeapReleased\":1}}";
	int rc = parse_str(b1, 0, &s, &e);
	if (rc || s.ms.sys.v != UINT64_C(9007199254740993)) {
		print_error("Sys 2^53 + 1: rc %d \"%s\", got %llu\n", rc, e.msg,
			    (unsigned long long)s.ms.sys.v);
		bad++;
	}
	const char *b2 = "{\"memstats\":{\"Sys\":3,\"HeapAlloc\":1,"
			 "\"HeapSys\":2,\"HeapIdle\":1,\"HeapInuse\":1,\"HeapReleased\":1,"
			 "\"NextGC\":18446744073709551615}}";
	rc = parse_str(b2, 0, &s, &e);
	if (rc || s.ms.next_gc.v != UINT64_MAX) {
		print_error("NextGC 2^64 - 1: rc %d \"%s\", got %llu\n", rc, e.msg,
			    (unsigned long long)s.ms.next_gc.v);
		bad++;
	}
	if (bad)
		fail_msg("%d of 2 exact uint64 values wrong", bad);
}

/* go_memstats_last_gc_time_seconds 1.795685082163901e+09 is
 * 1795685082163901000 ns exactly; a double product gives ...901184. */
static void test_prom_last_gc_exact(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	size_t len;
	char *buf = read_data("go1.19-cgo/metrics.prom", &len);
	assert_int_equal(parse_chunks(buf, len, 0, 0, &s, &e), 0);
	free(buf);
	assert_known(s.ms.last_gc_ns, UINT64_C(1795685082163901000));
	buf = read_data("go1.23-pure/metrics.prom", &len);
	assert_int_equal(parse_chunks(buf, len, 0, 0, &s, &e), 0);
	free(buf);
	assert_known(s.ms.last_gc_ns, UINT64_C(1795685109876156000));
}

/* ---- small bodies built here -------------------------------------------- */

/* A complete, consistent MemStats in each format (Sys = 4000 + 600 + 100 +
 * 100 + 200 + 700 + 1300 = 7000; HeapSys = 3000 + 1000 = 4000). */
#define PPROF_HEAD                                      \
	"heap profile: 1: 16 [1: 16] @ heap/1048576\n"  \
	"1: 16 [1: 16] @ 0x46fdc1\n"                    \
	"#\t0x46fdc0\tmain.main+0x10\t/src/main.go:9\n" \
	"\n"                                            \
	"\n"                                            \
	"# runtime.MemStats\n"
#define PPROF_STATS                                                    \
	"# Alloc = 100\n"                                              \
	"# TotalAlloc = 200\n"                                         \
	"# Sys = 7000\n"                                               \
	"# Lookups = 0\n"                                              \
	"# Mallocs = 10\n"                                             \
	"# Frees = 5\n"                                                \
	"# HeapAlloc = 100\n"                                          \
	"# HeapSys = 4000\n"                                           \
	"# HeapIdle = 1000\n"                                          \
	"# HeapInuse = 3000\n"                                         \
	"# HeapReleased = 500\n"                                       \
	"# HeapObjects = 5\n"                                          \
	"# Stack = 300 / 600\n"                                        \
	"# MSpan = 50 / 100\n"                                         \
	"# MCache = 20 / 100\n"                                        \
	"# BuckHashSys = 200\n"                                        \
	"# GCSys = 700\n"                                              \
	"# OtherSys = 1300\n"                                          \
	"# NextGC = 4000000\n"                                         \
	"# LastGC = 1700000000123456789\n"                             \
	"# PauseNs = [11 22 0 0]\n"                                    \
	"# PauseEnd = [1700000000000000000 1700000000123456789 0 0]\n" \
	"# NumGC = 2\n"                                                \
	"# NumForcedGC = 1\n"                                          \
	"# GCCPUFraction = 0.0012345\n"                                \
	"# DebugGC = false\n"                                          \
	"# MaxRSS = 9000\n"
static const char mini_pprof[] = PPROF_HEAD PPROF_STATS;

static const char mini_expvar[] =
    "{\n\"cmdline\": [\"./svc\"],\n\"memstats\": {\"Alloc\":100,\"TotalAlloc\":200,"
    "\"Sys\":7000,\"Lookups\":0,\"Mallocs\":10,\"Frees\":5,\"HeapAlloc\":100,"
    "\"HeapSys\":4000,\"HeapIdle\":1000,\"HeapInuse\":3000,\"HeapReleased\":500,"
    "\"HeapObjects\":5,\"StackInuse\":300,\"StackSys\":600,\"MSpanInuse\":50,"
    "\"MSpanSys\":100,\"MCacheInuse\":20,\"MCacheSys\":100,\"BuckHashSys\":200,"
    "\"GCSys\":700,\"OtherSys\":1300,\"NextGC\":4000000,\"LastGC\":1700000000000000000,"
    "\"PauseTotalNs\":33,\"PauseNs\":[11,22,0],\"PauseEnd\":[1,2,0],\"NumGC\":2,"
    "\"NumForcedGC\":1,\"GCCPUFraction\":0.0012345,\"EnableGC\":true,\"DebugGC\":false,"
    "\"BySize\":[{\"Size\":8,\"Mallocs\":99,\"Frees\":98}]}\n}\n";

static const char mini_prom[] =
    "# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection "
    "cycles.\n"
    "# TYPE go_gc_duration_seconds summary\n"
    "go_gc_duration_seconds{quantile=\"0\"} 1.1e-05\n"
    "go_gc_duration_seconds_sum 3.3e-05\n"
    "go_gc_duration_seconds_count 2\n"
    "go_goroutines 7\n"
    "go_info{version=\"go1.22.1\"} 1\n"
    "go_memstats_alloc_bytes 100\n"
    "go_memstats_alloc_bytes_total 200\n"
    "go_memstats_buck_hash_sys_bytes 200\n"
    "go_memstats_frees_total 5\n"
    "go_memstats_gc_sys_bytes 700\n"
    "go_memstats_heap_alloc_bytes 100\n"
    "go_memstats_heap_idle_bytes 1000\n"
    "go_memstats_heap_inuse_bytes 3000\n"
    "go_memstats_heap_objects 5\n"
    "go_memstats_heap_released_bytes 500\n"
    "go_memstats_heap_sys_bytes 4000\n"
    "go_memstats_last_gc_time_seconds 1.5e+09\n"
    "go_memstats_lookups_total 0\n"
    "go_memstats_mallocs_total 10\n"
    "go_memstats_mcache_inuse_bytes 20\n"
    "go_memstats_mcache_sys_bytes 100\n"
    "go_memstats_mspan_inuse_bytes 50\n"
    "go_memstats_mspan_sys_bytes 100\n"
    "go_memstats_next_gc_bytes 4e+06\n"
    "go_memstats_other_sys_bytes 1300\n"
    "go_memstats_stack_inuse_bytes 300\n"
    "go_memstats_stack_sys_bytes 600\n"
    "go_memstats_sys_bytes 7000\n"
    "go_threads 6\n"
    "process_resident_memory_bytes 1.2345e+07\n"
    "process_virtual_memory_bytes 1.23456e+08\n"
    "process_virtual_memory_max_bytes 1.8446744073709552e+19\n";

/* base with the first occurrence of `old` replaced by `new_`; freed by caller. */
static char *edit(const char *base, const char *old, const char *new_)
{
	const char *at = strstr(base, old);
	if (!at)
		fail_msg("edit: \"%s\" not in the body", old);
	size_t pre = (size_t)(at - base), ol = strlen(old), nl = strlen(new_);
	size_t rest = strlen(at + ol);
	char *out = xmalloc(pre + nl + rest + 1);
	memcpy(out, base, pre);
	memcpy(out + pre, new_, nl);
	memcpy(out + pre + nl, at + ol, rest + 1);
	return out;
}

/* base cut just before `marker` (or, if after, just after it). */
static char *cut(const char *base, const char *marker, int after)
{
	const char *at = strstr(base, marker);
	if (!at)
		fail_msg("cut: \"%s\" not in the body", marker);
	size_t n = (size_t)(at - base) + (after ? strlen(marker) : 0);
	char *out = xmalloc(n + 1);
	memcpy(out, base, n);
	out[n] = '\0';
	return out;
}

/* The three small bodies give the values they say, in every chunking. */
static void test_mini_bodies(void **state)
{
	(void)state;
	static const char *const bodies[] = {mini_pprof, mini_expvar, mini_prom};
	static const enum body_format fmts[] = {FMT_PPROF, FMT_EXPVAR, FMT_PROMETHEUS};
	for (size_t b = 0; b < 3; b++) {
		struct go_snapshot s, s1;
		struct err e;
		int rc = parse_str(bodies[b], 0, &s, &e);
		if (rc)
			fail_msg("%s: %s", body_format_name(fmts[b]), e.msg);
		assert_int_equal(s.format, fmts[b]);
		assert_identities(&s.ms, body_format_name(fmts[b]));
		assert_known(s.ms.alloc, 100);
		assert_known(s.ms.total_alloc, 200);
		assert_known(s.ms.sys, 7000);
		assert_known(s.ms.lookups, 0);
		assert_known(s.ms.mallocs, 10);
		assert_known(s.ms.frees, 5);
		assert_known(s.ms.heap_objects, 5);
		assert_known(s.ms.stack_inuse, 300);
		assert_known(s.ms.stack_sys, 600);
		assert_known(s.ms.mspan_inuse, 50);
		assert_known(s.ms.mspan_sys, 100);
		assert_known(s.ms.mcache_inuse, 20);
		assert_known(s.ms.mcache_sys, 100);
		assert_known(s.ms.next_gc, 4000000);
		assert_carried_fmt(&s, body_format_name(fmts[b]));
		for (size_t chunk = 1; chunk <= 3; chunk += 2) {
			assert_int_equal(parse_str(bodies[b], chunk, &s1, &e), 0);
			assert_same_snapshot(&s, &s1, body_format_name(fmts[b]));
		}
	}
	struct go_snapshot s;
	struct err e;
	assert_int_equal(parse_str(mini_pprof, 0, &s, &e), 0);
	assert_known(s.ms.last_gc_ns, UINT64_C(1700000000123456789));
	assert_known(s.ms.num_gc, 2);
	assert_known(s.ms.num_forced_gc, 1);
	assert_known(s.ms.max_rss, 9000);
	assert_int_equal(parse_str(mini_expvar, 0, &s, &e), 0);
	assert_known(s.ms.last_gc_ns, UINT64_C(1700000000000000000));
	assert_known(s.ms.pause_total_ns, 33);
	/* BySize[].Mallocs is not MemStats.Mallocs. */
	assert_known(s.ms.mallocs, 10);
	assert_int_equal(parse_str(mini_prom, 0, &s, &e), 0);
	assert_string_equal(s.go_version, "go1.22.1");
	assert_known(s.ms.last_gc_ns, UINT64_C(1500000000000000000)); /* 1.5e+09 s */
	assert_known(s.ms.goroutines, 7);
	assert_known(s.ms.threads, 6);
	assert_known(s.ms.process_rss, 12345000);
	assert_known(s.ms.process_vsize, 123456000);
	assert_unknown(s.ms.gomemlimit);
}

/* Prometheus values: floats that are integers, labels, timestamps. */
/* client_golang 1.20+ metrics: GOGC, the live heap, GOMAXPROCS.  A runtime
 * SetGCPercent(-1) shows as uint64(-1) through a float, 2^64, which reads as
 * UINT64_MAX (as NextGC does with GOGC=off): GOGC_OFF. */
static void test_prom_newer_metrics(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	char *b = edit(mini_prom, "go_memstats_sys_bytes 7000\n",
		       "go_memstats_sys_bytes 7000\n"
		       "# HELP go_gc_gogc_percent Heap size target percentage.\n"
		       "# TYPE go_gc_gogc_percent gauge\n"
		       "go_gc_gogc_percent 1.8446744073709552e+19\n"
		       "go_gc_heap_live_bytes 2.5e+03\n"
		       "go_sched_gomaxprocs_threads 2\n");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.gogc_percent, GOGC_OFF);
	assert_known(s.ms.heap_live, 2500);
	assert_known(s.ms.gomaxprocs, 2);
	free(b);
	b = edit(mini_prom, "go_memstats_sys_bytes 7000\n",
		 "go_memstats_sys_bytes 7000\ngo_gc_gogc_percent 100\n");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.gogc_percent, 100);
	assert_false(s.ms.heap_live.known);
	free(b);
}

static void test_prom_values(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	char *b = edit(mini_prom, "go_memstats_sys_bytes 7000\n",
		       "go_memstats_sys_bytes{instance=\"a b\",job=\"x}y\"} 7.000e+03 "
		       "1700000000000\n");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.sys, 7000);
	free(b);
	b = edit(mini_prom, "go_info{version=\"go1.22.1\"} 1\n",
		 "go_info{a=\"v=\\\"x\\\"\",version=\"go1.21.13\",z=\"\"} 1\n");
	assert_int_equal(parse_str(b, 1, &s, &e), 0);
	assert_string_equal(s.go_version, "go1.21.13");
	free(b);
	/* No go_info: no version, not an error. */
	b = edit(mini_prom, "go_info{version=\"go1.22.1\"} 1\n", "");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_string_equal(s.go_version, "");
	free(b);
	/* The largest double below 2^64 is still a uint64. */
	b = edit(mini_prom, "go_memstats_heap_released_bytes 500\n",
		 "go_memstats_heap_released_bytes 18446744073709549568\n");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.heap_released, UINT64_C(18446744073709549568));
	free(b);
	/* NextGC with GOGC=off is uint64 max; the Go client prints it as the
	 * double 2^64, taken back as uint64 max. */
	b = edit(mini_prom, "go_memstats_next_gc_bytes 4e+06\n",
		 "go_memstats_next_gc_bytes 1.8446744073709552e+19\n");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.next_gc, UINT64_MAX);
	free(b);
	/* client_golang >= 1.15 exports GOMEMLIMIT; math.MaxInt64 prints as
	 * 9.223372036854776e+18, and the value is read from that text exactly. */
	b = edit(mini_prom, "go_threads 6\n",
		 "go_threads 6\ngo_gc_gomemlimit_bytes 9.223372036854776e+18\n");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.gomemlimit, UINT64_C(9223372036854776000));
	free(b);
	/* "# EOF" (OpenMetrics) and blank lines are fine. */
	size_t n = strlen(mini_prom);
	char *om = xmalloc(n + 16);
	memcpy(om, mini_prom, n);
	memcpy(om + n, "\n\n# EOF\n", 9);
	assert_int_equal(parse_str(om, 3, &s, &e), 0);
	free(om);
}

/* ---- line endings, chunk boundaries, long lines ------------------------- */

static char *to_crlf(const char *s, size_t len, size_t *out_len)
{
	char *o = xmalloc(2 * len + 1);
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			o[k++] = '\r';
		o[k++] = s[i];
	}
	o[k] = '\0';
	*out_len = k;
	return o;
}

static void test_crlf(void **state)
{
	(void)state;
	static const char *const rels[] = {"go1.19-cgo/metrics.prom", "go1.23-pure/memstats.txt",
					   "prometheus-2.42/metrics.prom"};
	for (size_t r = 0; r < 3; r++) {
		size_t len, clen;
		char *buf = read_data(rels[r], &len);
		char *crlf = to_crlf(buf, len, &clen);
		struct go_snapshot lf, s;
		struct err e;
		assert_int_equal(parse_chunks(buf, len, 0, 0, &lf, &e), 0);
		lf.body_bytes = clen;
		/* 2: "\r" and "\n" in different chunks */
		static const size_t chunks[] = {0, 1, 2, 3};
		for (size_t ci = 0; ci < 4; ci++) {
			int rc = parse_chunks(crlf, clen, chunks[ci], 0, &s, &e);
			if (rc)
				fail_msg("%s with CRLF in %zu-byte chunks: %s", rels[r], chunks[ci],
					 e.msg);
			assert_same_snapshot(&lf, &s, rels[r]);
		}
		free(crlf);
		free(buf);
	}
}

/* A last line without '\n' counts, in every format. */
static void test_final_line_without_newline(void **state)
{
	(void)state;
	static const char *const rels[] = {"go1.19-cgo/memstats.txt", "go1.19-cgo/metrics.prom",
					   "go1.19-cgo/vars.json"};
	for (size_t r = 0; r < 3; r++) {
		size_t len;
		char *buf = read_data(rels[r], &len);
		struct go_snapshot full, s;
		struct err e;
		assert_int_equal(parse_chunks(buf, len, 0, 0, &full, &e), 0);
		while (len > 0 && buf[len - 1] == '\n')
			len--;
		full.body_bytes = len;
		for (size_t chunk = 0; chunk <= 3; chunk++) {
			int rc = parse_chunks(buf, len, chunk, 0, &s, &e);
			if (rc)
				fail_msg("%s without its final newline: %s", rels[r], e.msg);
			assert_same_snapshot(&full, &s, rels[r]);
		}
		free(buf);
	}
	/* The last lines read, explicitly: MaxRSS (pprof), go_memstats_sys_bytes. */
	struct go_snapshot s;
	struct err e;
	char *b = cut(mini_pprof, "# MaxRSS = 9000\n", 0);
	char *b2 = xmalloc(strlen(b) + 32);
	sprintf(b2, "%s# MaxRSS = 9000", b);
	assert_int_equal(parse_str(b2, 1, &s, &e), 0);
	assert_known(s.ms.max_rss, 9000);
	free(b);
	free(b2);
	size_t n = strlen(mini_prom);
	char *p = xmalloc(n + 64);
	memcpy(p, mini_prom, n);
	strcpy(p + n, "go_memstats_sys_bytes 7000");
	assert_int_equal(parse_str(p, 1, &s, &e), 0); /* same value twice: fine */
	assert_known(s.ms.sys, 7000);
	free(p);
}

/* Leading blank lines before the first byte that tells the format. */
static void test_leading_blanks(void **state)
{
	(void)state;
	static const char *const bodies[] = {mini_pprof, mini_expvar, mini_prom};
	static const enum body_format fmts[] = {FMT_PPROF, FMT_EXPVAR, FMT_PROMETHEUS};
	for (size_t b = 0; b < 3; b++) {
		size_t n = strlen(bodies[b]);
		char *x = xmalloc(n + 64);
		strcpy(x, "\n\r\n  \t\n");
		strcat(x, bodies[b]);
		for (size_t chunk = 0; chunk <= 3; chunk++) {
			struct go_snapshot s;
			struct err e;
			int rc = parse_str(x, chunk, &s, &e);
			if (rc)
				fail_msg("%s after blank lines: %s", body_format_name(fmts[b]),
					 e.msg);
			assert_int_equal(s.format, fmts[b]);
			assert_known(s.ms.sys, 7000);
			assert_int_equal(s.body_bytes, strlen(x));
		}
		free(x);
	}
}

/* The format is known once 32 non-blank bytes are in, not before. */
static void test_format_detection_progress(void **state)
{
	(void)state;
	struct body_parser *p = body_parser_new(0);
	assert_non_null(p);
	struct err e = {0};
	assert_int_equal(body_parser_format(p), FMT_UNKNOWN);
	assert_int_equal(body_parser_feed(p, "\n\n", 2, &e), 0);
	assert_int_equal(body_parser_format(p), FMT_UNKNOWN);
	assert_int_equal(body_parser_feed(p, mini_pprof, 5, &e), 0);
	assert_int_equal(body_parser_format(p), FMT_UNKNOWN);
	assert_int_equal(body_parser_feed(p, mini_pprof + 5, 40, &e), 0);
	assert_int_equal(body_parser_format(p), FMT_PPROF);
	assert_int_equal(body_parser_feed(p, mini_pprof + 45, strlen(mini_pprof) - 45, &e), 0);
	struct go_snapshot s;
	assert_int_equal(body_parser_finish(p, &s, &e), 0);
	assert_int_equal(s.format, FMT_PPROF);
	assert_known(s.ms.heap_released, 500);
	body_parser_free(p);
	body_parser_free(NULL);
	assert_string_equal(body_format_name(FMT_PPROF), "pprof");
	assert_string_equal(body_format_name(FMT_EXPVAR), "expvar");
	assert_string_equal(body_format_name(FMT_PROMETHEUS), "prometheus");
	assert_string_equal(body_format_name(FMT_UNKNOWN), "unknown");
}

/* Builds "<prefix><n bytes of fill><suffix>". */
static char *long_line(const char *prefix, char fill, size_t n, const char *suffix)
{
	size_t a = strlen(prefix), c = strlen(suffix);
	char *s = xmalloc(a + n + c + 1);
	memcpy(s, prefix, a);
	memset(s + a, fill, n);
	memcpy(s + a + n, suffix, c + 1);
	return s;
}

/* A 20 KB PauseNs line (not read) is skipped; the fields after it are read. */
static void test_pprof_long_unread_line(void **state)
{
	(void)state;
	/* "# PauseNs = [" then "1234567 " repeated: 20 KB */
	size_t reps = 2560;
	char *pause = xmalloc(reps * 8 + 32);
	size_t o = (size_t)sprintf(pause, "# PauseNs = [");
	for (size_t i = 0; i < reps; i++)
		o += (size_t)sprintf(pause + o, "1234567 ");
	strcpy(pause + o, "]\n");
	assert_true(strlen(pause) > 20000);
	char *b = edit(mini_pprof, "# PauseNs = [11 22 0 0]\n", pause);
	/* and a 20 KB frame line in the profile above the MemStats block */
	char *frame =
	    long_line("#\t0x1\tmain.", 'f', 20000, "+0x1\t/src/x.go:1\n\n# runtime.MemStats\n");
	char *b4 = edit(b, "\n# runtime.MemStats\n", frame);
	struct go_snapshot ref, s;
	struct err e;
	assert_int_equal(parse_str(mini_pprof, 0, &ref, &e), 0);
	static const size_t chunks[] = {0, 1, 3, 4096, 8191, 8192, 8193};
	for (size_t ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
		int rc = parse_str(b4, chunks[ci], &s, &e);
		if (rc)
			fail_msg("20 KB lines in %zu-byte chunks: %s", chunks[ci], e.msg);
		ref.body_bytes = s.body_bytes;
		assert_same_snapshot(&ref, &s, "pprof with 20 KB lines");
	}
	free(pause);
	free(frame);
	free(b);
	free(b4);
}

/* A line we read that does not fit the line buffer is an error, not a
 * value read from its first 8 KB. */
static void test_pprof_long_read_line(void **state)
{
	(void)state;
	static const char *const keys[] = {"# Sys = 7000\n", "# HeapReleased = 500\n",
					   "# Stack = 300 / 600\n"};
	static const char *const prefixes[] = {"# Sys = ", "# HeapReleased = ", "# Stack = "};
	static const char *const suffixes[] = {"7000\n", "500\n", "300 / 600\n"};
	for (size_t k = 0; k < 3; k++) {
		char *line = long_line(prefixes[k], '0', 9000, suffixes[k]);
		char *b = edit(mini_pprof, keys[k], line);
		for (size_t chunk = 0; chunk <= 1; chunk++) {
			struct go_snapshot s;
			struct err e;
			assert_err(parse_str(b, chunk, &s, &e), e, ERR_ENDPOINT, "too long");
			assert_non_null(strstr(e.msg, "pprof MemStats line"));
		}
		free(line);
		free(b);
	}
}

/* Prometheus: a 20 KB # HELP line is skipped. */
static void test_prom_long_comment(void **state)
{
	(void)state;
	char *help = long_line("# HELP go_memstats_sys_bytes ", 'h', 20000, "\n");
	char *b = edit(mini_prom, "go_memstats_sys_bytes 7000\n", help);
	char *b2 = xmalloc(strlen(b) + 64);
	sprintf(b2, "%sgo_memstats_sys_bytes 7000\n", b);
	for (size_t chunk = 0; chunk <= 3; chunk++) {
		struct go_snapshot s;
		struct err e;
		int rc = parse_str(b2, chunk, &s, &e);
		if (rc)
			fail_msg("20 KB comment, %zu-byte chunks: %s", chunk, e.msg);
		assert_known(s.ms.sys, 7000);
	}
	free(help);
	free(b);
	free(b2);
}

/* Prometheus: a 9 KB line for a metric we read is an error. */
static void test_prom_long_read_line(void **state)
{
	(void)state;
	char *line = long_line("go_memstats_sys_bytes{pad=\"", 'p', 9000, "\"} 7000\n");
	char *b = edit(mini_prom, "go_memstats_sys_bytes 7000\n", line);
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		struct go_snapshot s;
		struct err e;
		assert_err(parse_str(b, chunk, &s, &e), e, ERR_ENDPOINT, "line too long");
	}
	free(line);
	free(b);
}

/* Prometheus: a 9 KB sample of a metric we do not read (a build-info gauge
 * with long labels) is skipped, as the pprof parser skips PauseNs. */
static void test_prom_long_unread_line(void **state)
{
	(void)state;
	char *line = long_line("app_build_info{commit_message=\"", 'm', 9000, "\"} 1\n");
	char *b = xmalloc(strlen(mini_prom) + strlen(line) + 1);
	sprintf(b, "%s%s", line, mini_prom);
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		struct go_snapshot s;
		struct err e;
		int rc = parse_str(b, chunk, &s, &e);
		if (rc)
			fail_msg("a long sample of an unread metric refused: %s", e.msg);
		assert_known(s.ms.sys, 7000);
	}
	free(line);
	free(b);
}

/* ---- duplicates ---------------------------------------------------------- */

static void test_duplicates(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	/* Same value twice: accepted. */
	char *b = edit(mini_pprof, "# Sys = 7000\n", "# Sys = 7000\n# Sys = 7000\n");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.sys, 7000);
	free(b);
	b = edit(mini_expvar, "\"Sys\":7000,", "\"Sys\":7000,\"Sys\":7000,");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.sys, 7000);
	free(b);
	b = edit(mini_prom, "go_memstats_sys_bytes 7000\n",
		 "go_memstats_sys_bytes 7000\ngo_memstats_sys_bytes 7e+03\n");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.sys, 7000);
	free(b);

	/* Different values: refused, both values named. */
	b = edit(mini_pprof, "# Sys = 7000\n", "# Sys = 7000\n# Sys = 7001\n");
	assert_err(parse_str(b, 0, &s, &e), e, ERR_ENDPOINT,
		   "Sys given twice with different values (7000 and 7001)");
	free(b);
	b = edit(mini_pprof, "# Stack = 300 / 600\n", "# Stack = 300 / 600\n# Stack = 300 / 601\n");
	assert_err(parse_str(b, 1, &s, &e), e, ERR_ENDPOINT, "StackSys given twice");
	free(b);
	b = edit(mini_expvar, "\"Sys\":7000,", "\"Sys\":7000,\"Sys\":8000,");
	assert_err(parse_str(b, 0, &s, &e), e, ERR_ENDPOINT,
		   "Sys given twice with different values (7000 and 8000)");
	free(b);
	b = edit(mini_prom, "go_memstats_sys_bytes 7000\n",
		 "go_memstats_sys_bytes 7000\ngo_memstats_sys_bytes 7001\n");
	assert_err(parse_str(b, 3, &s, &e), e, ERR_ENDPOINT,
		   "Sys given twice with different values (7000 and 7001)");
	free(b);
	/* Two processes in one /metrics (two go_info versions). */
	b = edit(mini_prom, "go_info{version=\"go1.22.1\"} 1\n",
		 "go_info{version=\"go1.22.1\"} 1\ngo_info{version=\"go1.19.8\"} 1\n");
	assert_err(parse_str(b, 0, &s, &e), e, ERR_ENDPOINT, "go_info given twice");
	free(b);
	/* Two heap profiles glued together: what follows a MemStats block must
	 * be MemStats lines. */
	size_t n = strlen(mini_pprof);
	char *two = xmalloc(2 * n + 1);
	memcpy(two, mini_pprof, n);
	char *other = edit(mini_pprof, "# Alloc = 100\n", "# Alloc = 101\n");
	memcpy(two + n, other, n + 1);
	assert_err(parse_str(two, 0, &s, &e), e, ERR_ENDPOINT, "expected \"# Key = value\"");
	free(other);
	free(two);
}

/* Two "memstats" members that disagree are the same field given twice with
 * different values; one of them must not win silently. */
static void test_expvar_duplicate_memstats(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	size_t n = strlen(mini_expvar);
	char *b = xmalloc(n + 64);
	/* mini_expvar ends "}\n}\n": add a second member before the last brace */
	memcpy(b, mini_expvar, n - 2);
	strcpy(b + n - 2, ",\"memstats\":{\"Sys\":9999}}\n");
	int rc = parse_str(b, 0, &s, &e);
	if (rc == 0)
		fail_msg("two memstats members accepted; Sys = %llu",
			 (unsigned long long)s.ms.sys.v);
	assert_err(rc, e, ERR_ENDPOINT, "memstats");
	free(b);
}

/* Stack, MSpan and MCache are "inuse / sys" pairs, the others single
 * values; a line of the other shape is malformed, not skipped. */
static void test_pprof_pair_shape(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	char *b = edit(mini_pprof, "# Stack = 300 / 600\n", "# Stack = 600\n");
	int rc = parse_str(b, 0, &s, &e);
	if (rc == 0)
		fail_msg("\"# Stack = 600\" accepted; StackInuse %s, StackSys %s",
			 s.ms.stack_inuse.known ? "known" : "unknown",
			 s.ms.stack_sys.known ? "known" : "unknown");
	assert_err(rc, e, ERR_ENDPOINT, "Stack");
	free(b);
}

/* ---- bad input: one table ------------------------------------------------ */

struct bad_case {
	const char *name;
	const char *body;
	size_t len; /* 0: strlen(body) */
	int code;
	const char *needle;
	const char *hint; /* in err.hint; NULL: not checked */
};

#define MINI_EXPVAR_STATS(x)                                                        \
	"{\"memstats\":{" x "\"HeapAlloc\":100,\"HeapSys\":4000,\"HeapIdle\":1000," \
	"\"HeapInuse\":3000,\"HeapReleased\":500}}\n"

static const struct bad_case bad_cases[] = {
    {"empty", "", 0, ERR_ENDPOINT, "the body is empty", NULL},
    {"only whitespace", " \n\t\r\n  \n", 0, ERR_ENDPOINT, "empty", NULL},
    {"html", "<html><head><title>Sign in</title></head><body>Please log in</body></html>\n", 0,
     ERR_ENDPOINT, "HTML", "/debug/pprof/heap?debug=1"},
    {"short html", "<p>", 0, ERR_ENDPOINT, "HTML", NULL},
    {"doctype", "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n", 0, ERR_ENDPOINT, "HTML", NULL},
    {"gzip magic", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\xb4\x7d\x59", 13, ERR_ENDPOINT, "gzip",
     "debug=1"},
    {"gzip magic alone", "\x1f\x8b", 2, ERR_ENDPOINT, "gzip", NULL},
    {"goroutine profile", "goroutine profile: total 3\n1 @ 0x43ef76 0x44ee1c\n", 0, ERR_ENDPOINT,
     "pprof profile without MemStats", "/debug/pprof/heap?debug=1"},
    {"short goroutine profile", "goroutine profile: total 3", 0, ERR_ENDPOINT,
     "a pprof profile without MemStats (\"goroutine profile: total", NULL},
    {"mutex profile", "--- mutex:\ncycles/second=2000000000\nsampling period=1\n", 0, ERR_ENDPOINT,
     "pprof profile without MemStats", NULL},
    {"heap profile without MemStats",
     "heap profile: 1: 16 [1: 16] @ heap/1048576\n1: 16 [1: 16] @ 0x1\n#\t0x1\tmain+0x1\n\n", 0,
     ERR_ENDPOINT, "without a \"# runtime.MemStats\" block", "MemStats block"},
    {"MemStats header only", PPROF_HEAD, 0, ERR_ENDPOINT, "pprof body has no runtime.MemStats",
     NULL},
    {"pprof negative", PPROF_HEAD "# Sys = -7000\n", 0, ERR_ENDPOINT,
     "Sys: not a non-negative 64-bit integer: \" -7000\"", NULL},
    {"pprof 2^64", PPROF_HEAD "# HeapReleased = 18446744073709551616\n", 0, ERR_ENDPOINT,
     "HeapReleased: not a non-negative 64-bit integer", NULL},
    {"pprof 2^70", PPROF_HEAD "# HeapSys = 1180591620717411303424\n", 0, ERR_ENDPOINT,
     "HeapSys: not a non-negative 64-bit integer", NULL},
    {"pprof float", PPROF_HEAD "# Sys = 7.5e3\n", 0, ERR_ENDPOINT,
     "Sys: not a non-negative 64-bit integer", NULL},
    {"pprof empty value", PPROF_HEAD "# Sys =\n", 0, ERR_ENDPOINT,
     "Sys: not a non-negative 64-bit integer", NULL},
    {"pprof trailing junk", PPROF_HEAD "# Sys = 7000 bytes\n", 0, ERR_ENDPOINT,
     "Sys: not a non-negative 64-bit integer", NULL},
    {"pprof half a pair", PPROF_HEAD "# Stack = 300 /\n", 0, ERR_ENDPOINT,
     "Stack: not a non-negative 64-bit integer", NULL},
    {"pprof pair with junk", PPROF_HEAD "# MSpan = 50 / 100 / 7\n", 0, ERR_ENDPOINT,
     "MSpan: not a non-negative 64-bit integer", NULL},
    {"pprof line without #", PPROF_HEAD "# Alloc = 100\nSys = 7000\n", 0, ERR_ENDPOINT,
     "expected \"# Key = value\"", NULL},
    {"prometheus negative", "go_memstats_sys_bytes -1\n", 0, ERR_ENDPOINT,
     "go_memstats_sys_bytes -1: negative", NULL},
    {"prometheus 1.9e19", "go_memstats_heap_sys_bytes 1.9e19\n", 0, ERR_ENDPOINT,
     "go_memstats_heap_sys_bytes 1.9e19: 2^64 or more", NULL},
    /* 2^64 itself is uint64 max as a double prints it; past a double's step
     * above it is out of range. */
    {"prometheus past 2^64", "go_memstats_sys_bytes 1.8446744073709556e+19\n", 0, ERR_ENDPOINT,
     "2^64 or more", NULL},
    {"prometheus NaN", "go_memstats_sys_bytes NaN\n", 0, ERR_ENDPOINT,
     "go_memstats_sys_bytes NaN: NaN or Inf", NULL},
    {"prometheus +Inf", "go_memstats_heap_alloc_bytes +Inf\n", 0, ERR_ENDPOINT,
     "go_memstats_heap_alloc_bytes +Inf: NaN or Inf", NULL},
    {"prometheus -Inf", "go_memstats_heap_idle_bytes -Inf\n", 0, ERR_ENDPOINT, "NaN or Inf", NULL},
    {"prometheus negative seconds", "go_memstats_last_gc_time_seconds -1.5\n", 0, ERR_ENDPOINT,
     "negative", NULL},
    {"prometheus seconds past 2^64 ns", "go_memstats_last_gc_time_seconds 1.9e10\n", 0,
     ERR_ENDPOINT, "2^64 or more", NULL},
    {"prometheus without go_memstats",
     "# HELP up Whether up.\n# TYPE up gauge\nup 1\nprocess_resident_memory_bytes 1.2e+07\n"
     "node_memory_MemTotal_bytes 8.3e+09\n",
     0, ERR_ENDPOINT, "without go_memstats_*", "/debug/vars"},
    {"prometheus only comments",
     "# HELP go_memstats_sys_bytes x\n# TYPE go_memstats_sys_bytes "
     "gauge\n",
     0, ERR_ENDPOINT, "Prometheus text with no samples", NULL},
    {"prometheus half the fields",
     "go_memstats_sys_bytes 7000\ngo_memstats_heap_alloc_bytes 100\n"
     "go_memstats_heap_idle_bytes 1000\n",
     0, ERR_ENDPOINT, "missing MemStats fields: HeapSys, HeapInuse, HeapReleased", NULL},
    {"prometheus bad value", "go_memstats_sys_bytes 7k\n", 0, ERR_ENDPOINT,
     "the value is not a number", NULL},
    {"prometheus no value", "go_memstats_sys_bytes\n", 0, ERR_ENDPOINT,
     "expected a space before the value", NULL},
    {"prometheus open labels", "go_memstats_sys_bytes{job=\"x\" 7000\n", 0, ERR_ENDPOINT,
     "unterminated labels", NULL},
    {"garbage text", "Hello there, this is not a metrics page at all.\n", 0, ERR_ENDPOINT,
     "not Prometheus text: line 1", NULL},
    {"garbage bytes", "\x01\x02\x03\x04garbage\xff\xfe", 0, ERR_ENDPOINT,
     "not pprof text, expvar JSON or Prometheus text (starts \"\\x01\\x02\\x03", NULL},
    {"number", "12345\n", 0, ERR_ENDPOINT, "not pprof text, expvar JSON or Prometheus text", NULL},
    {"json array", "[{\"memstats\":{\"Sys\":1}}]\n", 0, ERR_ENDPOINT,
     "expvar: the body is JSON but not an object", NULL},
    {"broken json", "{\"memstats\": {\"Sys\": 7000, \"HeapAlloc\": ", 0, ERR_ENDPOINT,
     "expvar: not valid JSON", NULL},
    {"json cut in a string", "{\"cmdline\":[\"./svc", 0, ERR_ENDPOINT, "not valid JSON", NULL},
    {"json no memstats", "{\"cmdline\":[\"./svc\"],\"memsvc\":\"ok\"}\n", 0, ERR_ENDPOINT,
     "no \"memstats\" member", NULL},
    {"json memstats string", "{\"memstats\":\"Sys=7000\"}\n", 0, ERR_ENDPOINT,
     "\"memstats\" is not an object", NULL},
    {"json memstats array", "{\"memstats\":[7000]}\n", 0, ERR_ENDPOINT,
     "\"memstats\" is not an object", NULL},
    {"json memstats empty", "{\"memstats\":{}}\n", 0, ERR_ENDPOINT,
     "expvar body has no runtime.MemStats", NULL},
    {"json Sys string", MINI_EXPVAR_STATS("\"Sys\":\"7000\","), 0, ERR_ENDPOINT,
     "memstats.Sys is not a number", NULL},
    {"json Sys null", MINI_EXPVAR_STATS("\"Sys\":null,"), 0, ERR_ENDPOINT,
     "memstats.Sys is not a number", NULL},
    {"json Sys negative", MINI_EXPVAR_STATS("\"Sys\":-7000,"), 0, ERR_ENDPOINT,
     "memstats.Sys = -7000 is not a non-negative 64-bit integer", NULL},
    {"json Sys 1.9e19", MINI_EXPVAR_STATS("\"Sys\":1.9e19,"), 0, ERR_ENDPOINT,
     "memstats.Sys = 1.9e19 is not a non-negative 64-bit integer", NULL},
    {"json Sys 2^64", MINI_EXPVAR_STATS("\"Sys\":18446744073709551616,"), 0, ERR_ENDPOINT,
     "memstats.Sys = 18446744073709551616 is not a non-negative 64-bit integer", NULL},
    {"json Sys fraction", MINI_EXPVAR_STATS("\"Sys\":7000.5,"), 0, ERR_ENDPOINT,
     "is not a non-negative 64-bit integer", NULL},
    {"json Sys 1e400", MINI_EXPVAR_STATS("\"Sys\":1e400,"), 0, ERR_ENDPOINT,
     "is not a non-negative 64-bit integer", NULL},
    {"json missing HeapReleased",
     "{\"memstats\":{\"Sys\":7000,\"HeapAlloc\":100,\"HeapSys\":4000,\"HeapIdle\":1000,"
     "\"HeapInuse\":3000}}",
     0, ERR_ENDPOINT, "expvar body is missing MemStats fields: HeapReleased", NULL},
    {"json trailing garbage", MINI_EXPVAR_STATS("\"Sys\":7000,") "<html>oops</html>\n", 0,
     ERR_ENDPOINT, "expvar", NULL},
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	size_t len = c->len ? c->len : strlen(c->body);
	static const size_t chunks[] = {0, 1, 3};
	for (size_t ci = 0; ci < 3; ci++) {
		struct go_snapshot s;
		struct err e;
		int rc = parse_chunks(c->body, len, chunks[ci], 0, &s, &e);
		if (rc != c->code || e.code != c->code || !strstr(e.msg, c->needle))
			fail_msg("%s, %zu-byte chunks: got rc %d \"%s\", expected %d \"%s\"",
				 c->name, chunks[ci], rc, e.msg, c->code, c->needle);
		if (c->hint && !strstr(e.hint, c->hint))
			fail_msg("%s: hint \"%s\" lacks \"%s\"", c->name, e.hint, c->hint);
		/* A message is one line. */
		assert_null(strchr(e.msg, '\n'));
		assert_null(strchr(e.hint, '\n'));
	}
}

/* Real bodies that are not MemStats, served by the same programs. */
static void test_bad_real_bodies(void **state)
{
	(void)state;
	static const struct {
		const char *rel, *needle;
	} cases[] = {
	    {"prometheus-2.42/metrics.prom.gz", "gzip"},
	    {"prometheus-2.42/heap.pb.gz", "gzip"},
	    {"prometheus-2.42/goroutine.txt",
	     "a pprof profile without MemStats (\"goroutine profile: total"},
	    {"prometheus-2.42/pprof-index.html", "HTML"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		char *buf = read_data(cases[i].rel, &len);
		for (size_t chunk = 0; chunk <= 1; chunk++) {
			struct go_snapshot s;
			struct err e;
			int rc = parse_chunks(buf, len, chunk, 0, &s, &e);
			if (rc != ERR_ENDPOINT || !strstr(e.msg, cases[i].needle))
				fail_msg("%s: rc %d \"%s\"", cases[i].rel, rc, e.msg);
			assert_true(e.hint[0] != '\0'); /* says what to fetch instead */
		}
		free(buf);
	}
}

/* A real heap profile cut short, at several places. */
static void test_truncated_pprof(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_data("go1.19-cgo/memstats.txt", &len);
	struct go_snapshot s;
	struct err e;
	static const struct {
		const char *marker;
		int after;
		const char *needle;
	} cuts[] = {
	    {"\n# runtime.MemStats\n", 0, "without a \"# runtime.MemStats\" block"},
	    {"\n# runtime.MemStats\n", 1, "pprof body has no runtime.MemStats"},
	    {"# HeapSys = ", 0,
	     "missing MemStats fields: HeapSys, HeapIdle, HeapInuse, "
	     "HeapReleased (truncated?)"},
	    {"# HeapInuse = ", 0, "missing MemStats fields: HeapInuse, HeapReleased"},
	    {"# HeapReleased = ", 0, "missing MemStats fields: HeapReleased (truncated?)"},
	    {"# HeapReleased = ", 1, "HeapReleased: not a non-negative 64-bit integer"},
	};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		char *b = cut(buf, cuts[i].marker, cuts[i].after);
		for (size_t chunk = 0; chunk <= 1; chunk++) {
			int rc = parse_str(b, chunk, &s, &e);
			if (rc != ERR_ENDPOINT || !strstr(e.msg, cuts[i].needle))
				fail_msg("cut at \"%s\": rc %d \"%s\"", cuts[i].marker, rc, e.msg);
		}
		free(b);
	}
	/* Without the lines of HeapReleased only (say, an edited body). */
	char *b = edit(buf, "# HeapReleased = 2097152\n", "");
	assert_err(parse_str(b, 0, &s, &e), e, ERR_ENDPOINT,
		   "pprof body is missing MemStats fields: HeapReleased");
	free(b);
	/* Cut after the MemStats block's last needed line: still a snapshot. */
	b = cut(buf, "# PauseNs = ", 0);
	assert_int_equal(parse_str(b, 1, &s, &e), 0);
	assert_known(s.ms.heap_released, 2097152);
	assert_unknown(s.ms.max_rss);
	assert_unknown(s.ms.num_gc);
	free(b);
	free(buf);
}

/* NaN is fine where we do not read it: quantiles of an empty summary. */
static void test_prom_nan_elsewhere(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	char *b = edit(mini_prom, "go_gc_duration_seconds{quantile=\"0\"} 1.1e-05\n",
		       "go_gc_duration_seconds{quantile=\"0\"} NaN\n"
		       "go_gc_duration_seconds{quantile=\"1\"} +Inf\n"
		       "some_gauge -Inf\nsome_other_gauge -12.5\n"
		       "some_counter 1.9e+19\n");
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		int rc = parse_str(b, chunk, &s, &e);
		if (rc)
			fail_msg("NaN in an unrelated metric refused: %s", e.msg);
		assert_known(s.ms.sys, 7000);
	}
	free(b);
	/* and the real Prometheus server's body has 17 NaN quantiles */
	size_t len;
	char *buf = read_data("prometheus-2.42/metrics.prom", &len);
	assert_non_null(strstr(buf, "} NaN\n"));
	assert_int_equal(parse_chunks(buf, len, 0, 0, &s, &e), 0);
	free(buf);
}

/* Largest pprof value: 2^64 - 1 is a uint64. */
static void test_pprof_largest(void **state)
{
	(void)state;
	struct go_snapshot s;
	struct err e;
	char *b = edit(mini_pprof, "# NextGC = 4000000\n", "# NextGC = 18446744073709551615\n");
	assert_int_equal(parse_str(b, 0, &s, &e), 0);
	assert_known(s.ms.next_gc, UINT64_MAX);
	free(b);
}

/* ---- max_bytes ----------------------------------------------------------- */

static void test_max_bytes(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_data("go1.19-cgo/memstats.txt", &len);
	struct go_snapshot s;
	struct err e;
	/* exactly the limit: fine */
	assert_int_equal(parse_chunks(buf, len, 0, len, &s, &e), 0);
	assert_int_equal(parse_chunks(buf, len, 1, len, &s, &e), 0);
	/* one byte over: refused, whole or streamed */
	static const size_t chunks[] = {0, 1, 3, 4096};
	for (size_t ci = 0; ci < 4; ci++) {
		int rc = parse_chunks(buf, len, chunks[ci], len - 1, &s, &e);
		char want[64];
		snprintf(want, sizeof want, "larger than %zu bytes", len - 1);
		assert_err(rc, e, ERR_ENDPOINT, want);
		assert_true(e.hint[0] != '\0');
	}
	/* expvar is held until finish: the limit is what keeps it bounded */
	free(buf);
	buf = read_data("go1.19-cgo/vars.json", &len);
	assert_err(parse_chunks(buf, len, 1, 100, &s, &e), e, ERR_ENDPOINT,
		   "larger than 100 bytes");
	assert_int_equal(parse_chunks(buf, len, 1, 0, &s, &e), 0); /* 0: no limit */

	/* After a refusal, feed and finish keep failing. */
	struct body_parser *p = body_parser_new(10);
	assert_non_null(p);
	memset(&e, 0, sizeof e);
	assert_int_equal(body_parser_feed(p, buf, 11, &e), ERR_ENDPOINT);
	memset(&e, 0, sizeof e);
	assert_err(body_parser_feed(p, buf, 1, &e), e, ERR_ENDPOINT, "already failed");
	memset(&e, 0, sizeof e);
	assert_err(body_parser_finish(p, &s, &e), e, ERR_ENDPOINT, "already failed");
	body_parser_free(p);
	free(buf);
}

/* A failed finish leaves *out alone and the parser refuses more. */
static void test_finish_after_error(void **state)
{
	(void)state;
	struct body_parser *p = body_parser_new(0);
	assert_non_null(p);
	struct err e = {0};
	const char *body = "{\"memstats\":\"x\"}";
	assert_int_equal(body_parser_feed(p, body, strlen(body), &e), 0);
	struct go_snapshot s;
	memset(&s, 0x5a, sizeof s);
	assert_err(body_parser_finish(p, &s, &e), e, ERR_ENDPOINT, "not an object");
	assert_int_equal(((unsigned char *)&s)[0], 0x5a);
	memset(&e, 0, sizeof e);
	assert_err(body_parser_finish(p, &s, &e), e, ERR_ENDPOINT, "already failed");
	body_parser_free(p);
}

#define N_FULL (sizeof full_cases / sizeof full_cases[0])
#define N_BODY (sizeof body_cases / sizeof body_cases[0])
#define N_BAD  (sizeof bad_cases / sizeof bad_cases[0])

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_expvar_last_gc_exact),
	    cmocka_unit_test(test_expvar_uint64_range),
	    cmocka_unit_test(test_expvar_duplicate_memstats),
	    cmocka_unit_test(test_pprof_pair_shape),
	    cmocka_unit_test(test_prom_last_gc_exact),
	    cmocka_unit_test(test_mini_bodies),
	    cmocka_unit_test(test_prom_values),
	    cmocka_unit_test(test_prom_newer_metrics),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_final_line_without_newline),
	    cmocka_unit_test(test_leading_blanks),
	    cmocka_unit_test(test_format_detection_progress),
	    cmocka_unit_test(test_pprof_long_unread_line),
	    cmocka_unit_test(test_pprof_long_read_line),
	    cmocka_unit_test(test_prom_long_comment),
	    cmocka_unit_test(test_prom_long_read_line),
	    cmocka_unit_test(test_prom_long_unread_line),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_bad_real_bodies),
	    cmocka_unit_test(test_truncated_pprof),
	    cmocka_unit_test(test_prom_nan_elsewhere),
	    cmocka_unit_test(test_pprof_largest),
	    cmocka_unit_test(test_max_bytes),
	    cmocka_unit_test(test_finish_after_error),
	};
	/* One test per file and per bad input, named after it. */
	static char names[N_FULL + N_BODY + N_BAD][128];
	struct CMUnitTest tests[N_FULL + N_BODY + N_BAD + sizeof fixed / sizeof fixed[0]];
	size_t t = 0;
	for (size_t i = 0; i < N_FULL; i++, t++) {
		snprintf(names[t], sizeof names[t], "test_full_values(%s)", full_cases[i].rel);
		tests[t] = (struct CMUnitTest){.name = names[t],
					       .test_func = test_full_values,
					       .initial_state = (void *)&full_cases[i]};
	}
	for (size_t i = 0; i < N_BODY; i++, t++) {
		snprintf(names[t], sizeof names[t], "test_real_body(%s)", body_cases[i].rel);
		tests[t] = (struct CMUnitTest){.name = names[t],
					       .test_func = test_real_body,
					       .initial_state = (void *)&body_cases[i]};
	}
	for (size_t i = 0; i < N_BAD; i++, t++) {
		snprintf(names[t], sizeof names[t], "test_bad(%s)", bad_cases[i].name);
		tests[t] = (struct CMUnitTest){.name = names[t],
					       .test_func = test_bad,
					       .initial_state = (void *)&bad_cases[i]};
	}
	memcpy(tests + t, fixed, sizeof fixed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
