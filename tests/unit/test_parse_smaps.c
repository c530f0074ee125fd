/* smaps_parser_* and parse_smaps_rollup(): /proc/PID/smaps and smaps_rollup,
 * real captures fed in chunks of every size, and bad input.
 *
 * Expected values are read off the files in tests/data by hand or counted by
 * the awk commands quoted next to them, never copied from the parser. */
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
#include "correlate/proc.h"
#include "testutil.h"

/* struct smaps_values is a run of opt_u64 (proc.h keeps it so). */
#define N_VALUES (sizeof(struct smaps_values) / sizeof(opt_u64))

static const opt_u64 *values_at(const struct smaps_values *v, size_t i)
{
	return (const opt_u64 *)v + i;
}

/* ---- a collector: every mapping the parser delivers, kept ---------------- */

struct collect {
	struct mapping *maps;
	size_t n, cap;
	int stop_at; /* >0: return an error on this mapping (1-based) */
};

static int collect_fn(const struct mapping *m, void *ctx, struct err *err)
{
	struct collect *c = ctx;
	if (c->stop_at && (int)c->n + 1 == c->stop_at)
		return err_set(err, ERR_INTERNAL, "collector stops at %s", m->path);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->maps = xrealloc(c->maps, c->cap * sizeof *c->maps);
	}
	c->maps[c->n++] = *m;
	return 0;
}

/* Feeds buf in chunks of `chunk` bytes (0: whole) and finishes. */
static int feed_chunks(const char *buf, size_t len, size_t chunk, struct collect *c,
		       struct smaps_parser *p, struct err *e)
{
	memset(e, 0, sizeof *e);
	smaps_parser_init(p, collect_fn, c);
	if (chunk == 0)
		chunk = len ? len : 1;
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		int rc = smaps_parser_feed(p, buf + off, n, e);
		if (rc)
			return rc;
	}
	return smaps_parser_finish(p, e);
}

static int parse_str(const char *s, size_t chunk, struct collect *c, struct err *e)
{
	struct smaps_parser p;
	memset(c, 0, sizeof *c);
	return feed_chunks(s, strlen(s), chunk, c, &p, e);
}

static void assert_same_mapping(const struct mapping *a, const struct mapping *b, size_t i,
				size_t chunk)
{
	if (a->start != b->start || a->end != b->end || strcmp(a->perms, b->perms) != 0 ||
	    a->offset != b->offset || strcmp(a->dev, b->dev) != 0 || a->inode != b->inode ||
	    strcmp(a->path, b->path) != 0 || strcmp(a->vm_flags, b->vm_flags) != 0)
		fail_msg("mapping %zu differs when fed in %zu-byte chunks", i, chunk);
	for (size_t k = 0; k < N_VALUES; k++) {
		const opt_u64 *x = values_at(&a->v, k), *y = values_at(&b->v, k);
		if (x->known != y->known || (x->known && x->v != y->v))
			fail_msg("mapping %zu, %s differs when fed in %zu-byte chunks", i,
				 smaps_fields[k].key, chunk);
	}
}

/* The test's own scan of smaps text, sharing nothing with the parser:
 * header lines are those whose first word is "hex-hex"; Rss and Size are
 * the numbers after "Rss:" and "Size:". */
struct scan {
	size_t mappings;
	uint64_t rss_kb, size_kb;
};

static struct scan own_scan(const char *buf)
{
	struct scan s = {0, 0, 0};
	for (const char *line = buf; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		size_t h = strspn(line, "0123456789abcdef");
		if (h > 0 && h < len && line[h] == '-')
			s.mappings++;
		else if (strncmp(line, "Rss:", 4) == 0)
			s.rss_kb += strtoull(line + 4, NULL, 10);
		else if (strncmp(line, "Size:", 5) == 0)
			s.size_kb += strtoull(line + 5, NULL, 10);
		line += len + (nl ? 1 : 0);
	}
	return s;
}

/* ---- real smaps, every chunk size --------------------------------------- */

struct smaps_case {
	const char *dir;
	/* awk '/^[0-9a-f]+-[0-9a-f]+ /{n++} /^Rss:/{r+=$2} /^Size:/{s+=$2}
	 *      /^Pss:/{p+=$2} /^Anonymous:/{a+=$2} END{print n, r, s, p, a}' smaps */
	size_t mappings;
	uint64_t rss_kb, size_kb, pss_kb, anon_kb;
	uint64_t rollup_rss_kb; /* smaps_rollup's Rss, taken with the smaps */
};

static const struct smaps_case smaps_cases[] = {
    {"go1.19-cgo", 78, 233744, 1534580, 232915, 224200, 233744},
    {"go1.23-pure", 29, 42084, 1235752, 42080, 35180, 42084},
    {"go1.19-pure", 27, 23104, 725196, 19448, 15796, 23104},
    {"go1.21-pure", 27, 27568, 1236396, 23758, 19888, 27568},
    {"go1.22-cgo", 71, 70124, 1787072, 64910, 60800, 70124},
    {"go1.23-cgo", 74, 33180, 1770868, 27785, 23616, 33180},
};

static void test_real_smaps_chunks(void **state)
{
	const struct smaps_case *c = *state;
	char rel[256];
	size_t len;
	snprintf(rel, sizeof rel, "%s/smaps", c->dir);
	char *buf = read_data(rel, &len);
	struct scan own = own_scan(buf);
	assert_int_equal(own.mappings, c->mappings);
	assert_int_equal(own.rss_kb, c->rss_kb);
	assert_int_equal(own.size_kb, c->size_kb);

	static const size_t chunks[] = {0, 1, 7, 4096, 2, 4351, 4352, 4353};
	struct collect first = {0};
	for (size_t ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
		struct collect col = {0};
		struct smaps_parser p;
		struct err e;
		int rc = feed_chunks(buf, len, chunks[ci], &col, &p, &e);
		if (rc)
			fail_msg("%s in %zu-byte chunks: %s", rel, chunks[ci], e.msg);
		assert_int_equal(col.n, c->mappings);
		assert_int_equal(p.mappings, c->mappings);
		uint64_t rss = 0, size = 0, pss = 0, anon = 0;
		for (size_t i = 0; i < col.n; i++) {
			const struct mapping *m = &col.maps[i];
			/* Every mapping of a real smaps has these lines. */
			if (!m->v.size.known || !m->v.rss.known || !m->v.pss.known ||
			    !m->v.anonymous.known || !m->v.swap.known)
				fail_msg("%s: mapping %zu lacks a counter", rel, i);
			if (m->vm_flags[0] == '\0')
				fail_msg("%s: mapping %zu has no VmFlags", rel, i);
			/* Size is the length of the range. */
			assert_int_equal(m->v.size.v, m->end - m->start);
			rss += m->v.rss.v;
			size += m->v.size.v;
			pss += m->v.pss.v;
			anon += m->v.anonymous.v;
		}
		assert_int_equal(rss, KIB(c->rss_kb));
		assert_int_equal(rss, KIB(own.rss_kb));
		assert_int_equal(size, KIB(c->size_kb));
		assert_int_equal(pss, KIB(c->pss_kb));
		assert_int_equal(anon, KIB(c->anon_kb));
		assert_int_equal(rss, KIB(c->rollup_rss_kb));
		if (ci == 0) {
			first = col;
			continue;
		}
		for (size_t i = 0; i < col.n; i++)
			assert_same_mapping(&first.maps[i], &col.maps[i], i, chunks[ci]);
		free(col.maps);
	}
	free(first.maps);
	free(buf);
}

static struct collect parse_file(const char *rel, size_t chunk)
{
	size_t len;
	char *buf = read_data(rel, &len);
	struct collect col = {0};
	struct smaps_parser p;
	struct err e;
	if (feed_chunks(buf, len, chunk, &col, &p, &e))
		fail_msg("%s: %s", rel, e.msg);
	free(buf);
	return col;
}

/* Header fields and counters of a few mappings, read off the file. */
static void test_go119_cgo_headers(void **state)
{
	(void)state;
	struct collect col = parse_file("go1.19-cgo/smaps", 7);
	assert_int_equal(col.n, 78);
	const struct mapping *m = &col.maps[0];
	/* 00400000-00402000 r--p 00000000 fe:00 10953601   /tmp/gob/memsvc-cgo */
	assert_int_equal(m->start, 0x400000);
	assert_int_equal(m->end, 0x402000);
	assert_string_equal(m->perms, "r--p");
	assert_int_equal(m->offset, 0);
	assert_string_equal(m->dev, "fe:00");
	assert_int_equal(m->inode, 10953601);
	assert_string_equal(m->path, "/tmp/gob/memsvc-cgo");
	assert_known(m->v.size, KIB(8));
	assert_known(m->v.rss, KIB(8));
	assert_known(m->v.pss, KIB(8));
	assert_known(m->v.pss_dirty, KIB(8));
	assert_known(m->v.private_dirty, KIB(8));
	assert_known(m->v.referenced, KIB(8));
	assert_known(m->v.anonymous, 0);
	assert_known(m->v.shared_clean, 0);
	assert_known(m->v.locked, 0);
	/* Per-mapping smaps has no Pss_Anon/Pss_File/Pss_Shmem (the rollup does). */
	assert_unknown(m->v.pss_anon);
	assert_unknown(m->v.pss_file);
	assert_unknown(m->v.pss_shmem);
	assert_memory_equal(m->vm_flags, "rd mr mw me", 11);

	/* 00402000-0081d000 r-xp 00002000 fe:00 10953601  (text; FilePmdMapped 2048 kB) */
	m = &col.maps[1];
	assert_int_equal(m->start, 0x402000);
	assert_int_equal(m->end, 0x81d000);
	assert_string_equal(m->perms, "r-xp");
	assert_int_equal(m->offset, 0x2000);
	assert_known(m->v.rss, KIB(4204));
	assert_known(m->v.file_pmd, KIB(2048));
	assert_memory_equal(m->vm_flags, "rd ex mr mw me", 14);

	/* "00c80000-00cc2000 rw-p 00000000 00:00 0 ": anonymous, no path */
	m = &col.maps[5];
	assert_int_equal(m->start, 0xc80000);
	assert_int_equal(m->end, 0xcc2000);
	assert_string_equal(m->perms, "rw-p");
	assert_string_equal(m->dev, "00:00");
	assert_int_equal(m->inode, 0);
	assert_string_equal(m->path, "");

	/* 1e9b9000-1e9da000 rw-p ... [heap]: Size 132, Rss 4, Anonymous 4 */
	m = &col.maps[6];
	assert_int_equal(m->start, 0x1e9b9000);
	assert_int_equal(m->end, 0x1e9da000);
	assert_string_equal(m->path, "[heap]");
	assert_known(m->v.size, KIB(132));
	assert_known(m->v.rss, KIB(4));
	assert_known(m->v.anonymous, KIB(4));
	assert_memory_equal(m->vm_flags, "rd wr mr mw me ac", 17);

	/* c000000000-c004400000: the Go heap arena, Rss 66856 kB */
	m = &col.maps[7];
	assert_int_equal(m->start, UINT64_C(0xc000000000));
	assert_int_equal(m->end, UINT64_C(0xc004400000));
	assert_string_equal(m->path, "");
	assert_known(m->v.size, KIB(69632));
	assert_known(m->v.rss, KIB(66856));
	assert_known(m->v.anonymous, KIB(66856));
	assert_known(m->v.private_dirty, KIB(66856));

	/* 7f3d727f0000-7f3d72946000 r-xp 00026000 fe:00 332835  libc.so.6 (line 1551) */
	m = &col.maps[62];
	assert_int_equal(m->start, UINT64_C(0x7f3d727f0000));
	assert_int_equal(m->end, UINT64_C(0x7f3d72946000));
	assert_string_equal(m->perms, "r-xp");
	assert_int_equal(m->offset, 0x26000);
	assert_int_equal(m->inode, 332835);
	assert_string_equal(m->path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_known(m->v.size, KIB(1368));
	assert_known(m->v.rss, KIB(640));
	assert_known(m->v.pss, KIB(125));

	/* The last: ffffffffff600000-ffffffffff601000 --xp ... [vsyscall] */
	m = &col.maps[77];
	assert_int_equal(m->start, UINT64_C(0xffffffffff600000));
	assert_int_equal(m->end, UINT64_C(0xffffffffff601000));
	assert_string_equal(m->perms, "--xp");
	assert_string_equal(m->path, "[vsyscall]");
	assert_known(m->v.size, KIB(4));
	assert_known(m->v.rss, 0);
	assert_memory_equal(m->vm_flags, "ex", 2);
	free(col.maps);
}

static void test_go123_pure_headers(void **state)
{
	(void)state;
	struct collect col = parse_file("go1.23-pure/smaps", 1);
	assert_int_equal(col.n, 29);
	/* 00400000-0086b000 r-xp 00000000 fe:00 10960898   /tmp/gob/memsvc-123 */
	const struct mapping *m = &col.maps[0];
	assert_int_equal(m->start, 0x400000);
	assert_int_equal(m->end, 0x86b000);
	assert_string_equal(m->perms, "r-xp");
	assert_int_equal(m->inode, 10960898);
	assert_string_equal(m->path, "/tmp/gob/memsvc-123");
	/* 00d13000-00d5e000 rw-p 00913000 ...: Size 300, Rss 300 */
	m = &col.maps[2];
	assert_int_equal(m->offset, 0x913000);
	assert_string_equal(m->perms, "rw-p");
	assert_known(m->v.size, KIB(300));
	assert_known(m->v.rss, KIB(300));
	/* "00d5e000-00d8f000 rw-p 00000000 00:00 0 ": Size 196, Rss 84 */
	m = &col.maps[3];
	assert_string_equal(m->path, "");
	assert_known(m->v.size, KIB(196));
	assert_known(m->v.rss, KIB(84));
	/* c000000000-c002400000 rw-p: the Go arena, Size 36864, Rss 33912 */
	m = &col.maps[4];
	assert_int_equal(m->start, UINT64_C(0xc000000000));
	assert_int_equal(m->end, UINT64_C(0xc002400000));
	assert_known(m->v.size, KIB(36864));
	assert_known(m->v.rss, KIB(33912));
	/* 7fff33086000-7fff330a7000 rw-p ... [stack] */
	m = &col.maps[27];
	assert_int_equal(m->start, UINT64_C(0x7fff33086000));
	assert_int_equal(m->end, UINT64_C(0x7fff330a7000));
	assert_string_equal(m->path, "[stack]");
	assert_string_equal(col.maps[28].path, "[vsyscall]");
	free(col.maps);
}

/* ---- real smaps_rollup --------------------------------------------------- */

struct rollup_case {
	const char *dir;
	/* In the kernel's order: Rss Pss Pss_Dirty Pss_Anon Pss_File Pss_Shmem
	 * Shared_Clean Shared_Dirty Private_Clean Private_Dirty Referenced
	 * Anonymous KSM LazyFree AnonHugePages ShmemPmdMapped FilePmdMapped
	 * Shared_Hugetlb Private_Hugetlb Swap SwapPss Locked (kB). */
	uint64_t kb[22];
};

static const struct rollup_case rollup_cases[] = {
    {"go1.19-cgo", {233744, 232917, 232692, 224200, 8717, 0,	1052, 0, 0, 232692, 233744,
		    224200, 0,	    0,	    0,	    0,	  4096, 0,    0, 0, 0,	    0}},
    {"go1.23-pure", {42084, 42080, 42080, 35180, 6900, 0, 4, 0, 0, 42080, 42084,
		     35180, 0,	   0,	  0,	 0,    0, 0, 0, 0, 0,	  0}},
    {"go1.19-pure", {23104, 19448, 15796, 15796, 3652, 0, 7308, 0, 0, 15796, 23104,
		     15796, 0,	   0,	  0,	 0,    0, 0,	0, 0, 0,     0}},
    {"go1.21-pure", {27568, 23758, 19888, 19888, 3870, 0, 7616, 0, 64, 19888, 27568,
		     19888, 0,	   0,	  0,	 0,    0, 0,	0, 0,  0,     0}},
    {"go1.22-cgo", {70124, 64914, 60800, 60800, 4114, 0, 9320, 0, 4, 60800, 70124,
		    60800, 0,	  0,	 0,	0,    0, 0,    0, 0, 0,	    0}},
    {"go1.23-cgo", {33180, 27788, 23616, 23616, 4172, 0, 9500, 0, 64, 23616, 33180,
		    23616, 0,	  0,	 0,	0,    0, 0,    0, 0,  0,     0}},
    {"prometheus-2.42", {43816, 42802, 13100, 13096, 29706, 0, 1072, 0, 29644, 13100, 43816,
			 13096, 0,     0,     0,     0,	    0, 0,    0, 0,     0,     0}},
};

/* The fields in the kernel's order, named by the test, not by the table. */
static void rollup_slots(const struct smaps_values *v, const opt_u64 *out[22])
{
	const opt_u64 *s[22] = {&v->rss,
				&v->pss,
				&v->pss_dirty,
				&v->pss_anon,
				&v->pss_file,
				&v->pss_shmem,
				&v->shared_clean,
				&v->shared_dirty,
				&v->private_clean,
				&v->private_dirty,
				&v->referenced,
				&v->anonymous,
				&v->ksm,
				&v->lazy_free,
				&v->anon_huge_pages,
				&v->shmem_pmd,
				&v->file_pmd,
				&v->shared_hugetlb,
				&v->private_hugetlb,
				&v->swap,
				&v->swap_pss,
				&v->locked};
	memcpy(out, s, sizeof s);
}

static const char *const rollup_names[22] = {"Rss",
					     "Pss",
					     "Pss_Dirty",
					     "Pss_Anon",
					     "Pss_File",
					     "Pss_Shmem",
					     "Shared_Clean",
					     "Shared_Dirty",
					     "Private_Clean",
					     "Private_Dirty",
					     "Referenced",
					     "Anonymous",
					     "KSM",
					     "LazyFree",
					     "AnonHugePages",
					     "ShmemPmdMapped",
					     "FilePmdMapped",
					     "Shared_Hugetlb",
					     "Private_Hugetlb",
					     "Swap",
					     "SwapPss",
					     "Locked"};

static void test_real_rollup(void **state)
{
	const struct rollup_case *c = *state;
	char rel[256];
	size_t len;
	snprintf(rel, sizeof rel, "%s/smaps_rollup", c->dir);
	char *buf = read_data(rel, &len);
	struct smaps_values v;
	struct err e = {0};
	if (parse_smaps_rollup(buf, len, &v, &e))
		fail_msg("%s: %s", rel, e.msg);
	const opt_u64 *slots[22];
	rollup_slots(&v, slots);
	for (size_t i = 0; i < 22; i++) {
		if (!slots[i]->known)
			fail_msg("%s: %s unknown", rel, rollup_names[i]);
		if (slots[i]->v != KIB(c->kb[i]))
			fail_msg("%s: %s = %llu, expected %llu", rel, rollup_names[i],
				 (unsigned long long)slots[i]->v,
				 (unsigned long long)KIB(c->kb[i]));
	}
	assert_unknown(v.size); /* the rollup prints no Size */
	/* The rollup's identities. */
	assert_int_equal(v.rss.v, v.shared_clean.v + v.shared_dirty.v + v.private_clean.v +
				      v.private_dirty.v);
	assert_int_equal(v.pss.v, v.pss_anon.v + v.pss_file.v + v.pss_shmem.v);
	free(buf);
}

/* Every field of a rollup distinct, as a kernel with THP, MADV_FREE and swap
 * in use prints it: a field routed to the wrong slot would show. */
static const char rollup_distinct[] =
    "00400000-7ffd14a2e000 ---p 00000000 00:00 0                              [rollup]\n"
    "Rss:                 101 kB\n"
    "Pss:                 102 kB\n"
    "Pss_Dirty:           103 kB\n"
    "Pss_Anon:            104 kB\n"
    "Pss_File:            105 kB\n"
    "Pss_Shmem:           106 kB\n"
    "Shared_Clean:        107 kB\n"
    "Shared_Dirty:        108 kB\n"
    "Private_Clean:       109 kB\n"
    "Private_Dirty:       110 kB\n"
    "Referenced:          111 kB\n"
    "Anonymous:           112 kB\n"
    "KSM:                 113 kB\n"
    "LazyFree:            114 kB\n"
    "AnonHugePages:       115 kB\n"
    "ShmemPmdMapped:      116 kB\n"
    "FilePmdMapped:       117 kB\n"
    "Shared_Hugetlb:      118 kB\n"
    "Private_Hugetlb:     119 kB\n"
    "Swap:                120 kB\n"
    "SwapPss:             121 kB\n"
    "Locked:              122 kB\n";

static void test_rollup_distinct(void **state)
{
	(void)state;
	struct smaps_values v;
	struct err e = {0};
	assert_int_equal(parse_smaps_rollup(rollup_distinct, strlen(rollup_distinct), &v, &e), 0);
	const opt_u64 *slots[22];
	rollup_slots(&v, slots);
	for (size_t i = 0; i < 22; i++) {
		if (!slots[i]->known || slots[i]->v != KIB(101 + i))
			fail_msg("%s: got %s%llu, expected %llu", rollup_names[i],
				 slots[i]->known ? "" : "unknown ", (unsigned long long)slots[i]->v,
				 (unsigned long long)KIB(101 + i));
	}
	assert_known(v.lazy_free, KIB(114));
	assert_known(v.anon_huge_pages, KIB(115));
	assert_known(v.swap, KIB(120));
	assert_unknown(v.size);
}

/* An older kernel (5.x) prints fewer lines: the rest stay unknown. */
static void test_rollup_old_kernel(void **state)
{
	(void)state;
	const char *text = "00400000-7ffd14a2e000 ---p 00000000 00:00 0    [rollup]\n"
			   "Rss:                 800 kB\n"
			   "Pss:                 700 kB\n"
			   "Shared_Clean:        100 kB\n"
			   "Shared_Dirty:          0 kB\n"
			   "Private_Clean:         0 kB\n"
			   "Private_Dirty:       700 kB\n"
			   "Referenced:          800 kB\n"
			   "Anonymous:           650 kB\n"
			   "LazyFree:             12 kB\n"
			   "AnonHugePages:      2048 kB\n"
			   "Swap:                  8 kB\n"
			   "SwapPss:               8 kB\n"
			   "Locked:                0 kB\n";
	struct smaps_values v;
	struct err e = {0};
	assert_int_equal(parse_smaps_rollup(text, strlen(text), &v, &e), 0);
	assert_known(v.rss, KIB(800));
	assert_known(v.lazy_free, KIB(12));
	assert_known(v.anon_huge_pages, KIB(2048));
	assert_known(v.swap, KIB(8));
	assert_known(v.locked, 0);
	assert_unknown(v.pss_dirty);
	assert_unknown(v.pss_anon);
	assert_unknown(v.pss_file);
	assert_unknown(v.ksm);
	assert_unknown(v.file_pmd);
}

static void test_rollup_bad(void **state)
{
	(void)state;
	struct smaps_values v;
	struct err e;
	const char *hdr = "00400000-7ffd14a2e000 ---p 00000000 00:00 0    [rollup]\n";
	char two[512];
	snprintf(two, sizeof two, "%sRss: 4 kB\n%sRss: 8 kB\n", hdr, hdr);
	memset(&e, 0, sizeof e);
	assert_err(parse_smaps_rollup(two, strlen(two), &v, &e), e, ERR_PROC,
		   "more than one block");

	const char *smaps = "00400000-00402000 r--p 00000000 fe:00 1   /bin/x\nRss: 4 kB\n";
	memset(&e, 0, sizeof e);
	assert_err(parse_smaps_rollup(smaps, strlen(smaps), &v, &e), e, ERR_PROC, "[rollup]");

	memset(&e, 0, sizeof e);
	assert_err(parse_smaps_rollup("", 0, &v, &e), e, ERR_PROC, "smaps_rollup: empty");

	char norss[256];
	snprintf(norss, sizeof norss, "%sPss: 4 kB\n", hdr);
	memset(&e, 0, sizeof e);
	assert_err(parse_smaps_rollup(norss, strlen(norss), &v, &e), e, ERR_PROC, "no Rss line");

	const char *html = "<html>403 Forbidden</html>\n";
	memset(&e, 0, sizeof e);
	assert_err(parse_smaps_rollup(html, strlen(html), &v, &e), e, ERR_PROC, "smaps");

	char badrss[256];
	snprintf(badrss, sizeof badrss, "%sRss: lots kB\n", hdr);
	memset(&e, 0, sizeof e);
	assert_err(parse_smaps_rollup(badrss, strlen(badrss), &v, &e), e, ERR_PROC,
		   "Rss: not a number");
}

/* ---- layout details ----------------------------------------------------- */

static void test_empty_input(void **state)
{
	(void)state;
	struct collect c;
	struct err e;
	assert_int_equal(parse_str("", 0, &c, &e), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(parse_str("\n\n", 1, &c, &e), 0);
	assert_int_equal(c.n, 0);
}

static const char two_maps[] = "00400000-00402000 r--p 00000000 fe:00 77   /bin/a b (deleted)\n"
			       "Size:                  8 kB\n"
			       "Rss:                   4 kB\n"
			       "THPeligible:    0\n"
			       "ProtectionKey:         0\n"
			       "VmFlags: rd mr mw me\n"
			       "7f0000000000-7f0000021000 rw-s 00001000 00:05 4242 /SYSV00000000\n"
			       "Size:                132 kB\n"
			       "Rss:                  12 kB\n"
			       "VmFlags: rd wr sh mr mw me ms";

/* The last mapping is delivered by finish, even without a final '\n'. */
static void test_final_line_without_newline(void **state)
{
	(void)state;
	static const size_t chunks[] = {0, 1, 3, 64};
	for (size_t ci = 0; ci < 4; ci++) {
		struct collect c;
		struct err e;
		assert_int_equal(parse_str(two_maps, chunks[ci], &c, &e), 0);
		assert_int_equal(c.n, 2);
		assert_string_equal(c.maps[0].path, "/bin/a b (deleted)");
		assert_int_equal(c.maps[0].inode, 77);
		assert_known(c.maps[0].v.size, KIB(8));
		assert_known(c.maps[0].v.rss, KIB(4));
		assert_string_equal(c.maps[0].vm_flags, "rd mr mw me");
		assert_int_equal(c.maps[1].start, UINT64_C(0x7f0000000000));
		assert_int_equal(c.maps[1].end, UINT64_C(0x7f0000021000));
		assert_string_equal(c.maps[1].perms, "rw-s");
		assert_int_equal(c.maps[1].offset, 0x1000);
		assert_string_equal(c.maps[1].dev, "00:05");
		assert_int_equal(c.maps[1].inode, 4242);
		assert_string_equal(c.maps[1].path, "/SYSV00000000");
		assert_known(c.maps[1].v.rss, KIB(12));
		assert_unknown(c.maps[1].v.pss); /* not printed: unknown, not 0 */
		assert_string_equal(c.maps[1].vm_flags, "rd wr sh mr mw me ms");
		free(c.maps);
	}
}

/* A path of 4000 bytes: kept cut (the buffer is 512), and the counters after
 * it still land, however the text is chunked. */
static void test_long_path(void **state)
{
	(void)state;
	size_t plen = 4000;
	char *text = xmalloc(plen + 512);
	size_t o = (size_t)sprintf(text, "55d0c0000000-55d0c0001000 r--p 00000000 fe:00 9 /");
	for (size_t i = 1; i < plen; i++)
		text[o++] = (char)('a' + i % 26);
	o += (size_t)sprintf(text + o, "\nSize: 4 kB\nRss: 4 kB\nVmFlags: rd\n"
				       "55d0c0001000-55d0c0002000 rw-p 00000000 00:00 0\n"
				       "Rss: 8 kB\n");
	static const size_t chunks[] = {0, 1, 7, 4096};
	for (size_t ci = 0; ci < 4; ci++) {
		struct collect c = {0};
		struct smaps_parser p;
		struct err e;
		assert_int_equal(feed_chunks(text, o, chunks[ci], &c, &p, &e), 0);
		assert_int_equal(c.n, 2);
		assert_int_equal(strlen(c.maps[0].path), sizeof c.maps[0].path - 1);
		assert_int_equal(c.maps[0].path[0], '/');
		assert_int_equal(c.maps[0].path[1], 'b');
		assert_known(c.maps[0].v.rss, KIB(4));
		assert_string_equal(c.maps[0].vm_flags, "rd");
		assert_known(c.maps[1].v.rss, KIB(8));
		free(c.maps);
	}
	free(text);
}

/* A line longer than PROC_LINE_MAX for a key not read is skipped; the
 * counters after it are read, in any chunking. */
static void test_overlong_unread_line(void **state)
{
	(void)state;
	size_t n = 3 * PROC_LINE_MAX;
	char *text = xmalloc(n + 512);
	size_t o = (size_t)sprintf(text, "00400000-00402000 r--p 00000000 fe:00 1 /x\n"
					 "Size: 8 kB\nProtectionKey: ");
	memset(text + o, '7', n);
	o += n;
	o += (size_t)sprintf(text + o, "\nRss: 4 kB\nSwap: 2 kB\n");
	static const size_t chunks[] = {0, 1, 7, 4096};
	for (size_t ci = 0; ci < 4; ci++) {
		struct collect c = {0};
		struct smaps_parser p;
		struct err e;
		int rc = feed_chunks(text, o, chunks[ci], &c, &p, &e);
		if (rc)
			fail_msg("%zu-byte chunks: %s", chunks[ci], e.msg);
		assert_int_equal(c.n, 1);
		assert_known(c.maps[0].v.size, KIB(8));
		assert_known(c.maps[0].v.rss, KIB(4));
		assert_known(c.maps[0].v.swap, KIB(2));
		free(c.maps);
	}
	free(text);
}

/* Lines are counted the same however the text is chunked. */
static void test_line_numbers_across_chunks(void **state)
{
	(void)state;
	const char *text = "00400000-00402000 r--p 00000000 fe:00 1 /x\nSize: 8 kB\r\n\n"
			   "00402000-00401000 r--p 00000000 fe:00 1 /x\nRss: 4 kB\n";
	static const size_t chunks[] = {0, 1, 2, 5};
	for (size_t ci = 0; ci < 4; ci++) {
		struct collect c;
		struct err e;
		assert_err(parse_str(text, chunks[ci], &c, &e), e, ERR_PROC,
			   "smaps: line 4: not a mapping header");
		assert_int_equal(c.n, 1);
		assert_known(c.maps[0].v.size, KIB(8));
		free(c.maps);
	}
}

static void test_callback_stops(void **state)
{
	(void)state;
	struct collect c;
	struct smaps_parser p;
	struct err e;
	memset(&c, 0, sizeof c);
	c.stop_at = 2;
	int rc = feed_chunks(two_maps, strlen(two_maps), 0, &c, &p, &e);
	/* The second mapping ends at finish: its error is what finish returns. */
	assert_int_equal(rc, ERR_INTERNAL);
	assert_non_null(strstr(e.msg, "collector stops at /SYSV00000000"));
	assert_int_equal(c.n, 1);
	free(c.maps);

	/* Stopping at the first: feed returns it when the second header arrives. */
	memset(&c, 0, sizeof c);
	c.stop_at = 1;
	smaps_parser_init(&p, collect_fn, &c);
	memset(&e, 0, sizeof e);
	rc = smaps_parser_feed(&p, two_maps, strlen(two_maps), &e);
	assert_int_equal(rc, ERR_INTERNAL);
	assert_non_null(strstr(e.msg, "/bin/a b (deleted)"));
	assert_int_equal(c.n, 0);
	free(c.maps);
}

static void test_no_callback(void **state)
{
	(void)state;
	struct smaps_parser p;
	struct err e = {0};
	smaps_parser_init(&p, NULL, NULL);
	assert_int_equal(smaps_parser_feed(&p, two_maps, strlen(two_maps), &e), 0);
	assert_int_equal(smaps_parser_finish(&p, &e), 0);
	assert_int_equal(p.mappings, 2);
}

static void test_largest_values(void **state)
{
	(void)state;
	struct collect c;
	struct err e;
	const char *text = "0-ffffffffffffffff rw-p ffffffffffffffff ff:ff "
			   "18446744073709551615 /x\n"
			   "Rss: 18014398509481983 kB\n";
	assert_int_equal(parse_str(text, 1, &c, &e), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.maps[0].start, 0);
	assert_int_equal(c.maps[0].end, UINT64_MAX);
	assert_int_equal(c.maps[0].offset, UINT64_MAX);
	assert_int_equal(c.maps[0].inode, UINT64_MAX);
	assert_known(c.maps[0].v.rss, UINT64_C(18446744073709550592));
	free(c.maps);
}

/* ---- every line lands in its own field, in any order -------------------- */

/* What a 6.1 kernel prints for one mapping, in its order (task_mmu.c). */
static const char *const kernel_keys[] = {
    "Size",	     "KernelPageSize", "MMUPageSize",	  "Rss",
    "Pss",	     "Pss_Dirty",      "Shared_Clean",	  "Shared_Dirty",
    "Private_Clean", "Private_Dirty",  "Referenced",	  "Anonymous",
    "KSM",	     "LazyFree",       "AnonHugePages",	  "ShmemPmdMapped",
    "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb", "Swap",
    "SwapPss",	     "Locked",	       "THPeligible",	  "ProtectionKey",
};
#define N_KERNEL_KEYS (sizeof kernel_keys / sizeof kernel_keys[0])

/* One mapping whose i-th line (kernel order) says 1000 + i kB, written in
 * kernel order or reversed; each kept field must hold its own line's value
 * whatever the order, and VmFlags be read wherever it stands. */
static void check_distinct(int reversed)
{
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof text, "00400000-00401000 rw-p 00000000 00:00 0\n");
	if (reversed)
		n += (size_t)snprintf(text + n, sizeof text - n, "VmFlags: rd wr mr \n");
	for (size_t k = 0; k < N_KERNEL_KEYS; k++) {
		size_t i = reversed ? N_KERNEL_KEYS - 1 - k : k;
		char key[32];
		snprintf(key, sizeof key, "%s:", kernel_keys[i]);
		n += (size_t)snprintf(text + n, sizeof text - n, "%-16s%8zu kB\n", key, 1000 + i);
	}
	if (!reversed)
		n += (size_t)snprintf(text + n, sizeof text - n, "VmFlags: rd wr mr \n");
	assert_true(n < sizeof text);
	struct collect c;
	struct err e;
	for (size_t chunk = 0; chunk <= 7; chunk += 7) {
		assert_int_equal(parse_str(text, chunk, &c, &e), 0);
		assert_int_equal(c.n, 1);
		assert_string_equal(c.maps[0].vm_flags, "rd wr mr");
		for (size_t f = 0; f < N_VALUES; f++) {
			const opt_u64 *got = values_at(&c.maps[0].v, f);
			size_t i = 0;
			while (i < N_KERNEL_KEYS &&
			       strcmp(kernel_keys[i], smaps_fields[f].key) != 0)
				i++;
			if (i == N_KERNEL_KEYS) { /* Pss_Anon/File/Shmem: smaps_rollup only */
				if (got->known)
					fail_msg("%s: not printed, yet %llu", smaps_fields[f].key,
						 (unsigned long long)got->v);
				continue;
			}
			if (!got->known || got->v != KIB(1000 + i))
				fail_msg("%s%s: got %s%llu, expected %llu",
					 reversed ? "reversed, " : "", smaps_fields[f].key,
					 got->known ? "" : "unknown ", (unsigned long long)got->v,
					 (unsigned long long)KIB(1000 + i));
		}
		free(c.maps);
	}
}

/* One counter line in spacing form `form`; 0 is the kernel's own. */
static int counter_line(char *dst, size_t cap, int form, const char *key, uint64_t kb)
{
	unsigned long long v = (unsigned long long)kb;
	switch (form) {
	case 0:
		return snprintf(dst, cap, "%-16s%8llu kB\n", key, v);
	case 1:
		return snprintf(dst, cap, "%s %llu kB\n", key, v);
	case 2:
		return snprintf(dst, cap, "%s\t%llu kB\n", key, v);
	case 3:
		return snprintf(dst, cap, "%s%llu kB\n", key, v);
	default:
		return snprintf(dst, cap, "%s   %llu  kB\n", key, v);
	}
}

/* The kernel's fixed columns and any other spacing read the same value,
 * at the edges of the 8-column field too. */
static void test_any_spacing_same_value(void **state)
{
	(void)state;
	static const uint64_t kb[] = {0, 7, 10, 12345678, 99999999, 100000000, 123456789012};
	for (size_t i = 0; i < sizeof kb / sizeof kb[0]; i++)
		for (int form = 0; form <= 4; form++) {
			char text[256];
			int n = snprintf(text, sizeof text, "0-1000 rw-p 0 00:00 0\n");
			n += counter_line(text + n, sizeof text - (size_t)n, form,
					  "Private_Hugetlb:", kb[i]);
			counter_line(text + n, sizeof text - (size_t)n, form, "Rss:", kb[i]);
			/* whole: read in place where the kernel's form; byte by
			 * byte and in 13s: lines cut by chunks, read as lines */
			static const size_t chunks[] = {0, 1, 13};
			for (size_t ci = 0; ci < 3; ci++) {
				struct collect c;
				struct err e;
				assert_int_equal(parse_str(text, chunks[ci], &c, &e), 0);
				assert_int_equal(c.n, 1);
				assert_known(c.maps[0].v.rss, KIB(kb[i]));
				assert_known(c.maps[0].v.private_hugetlb, KIB(kb[i]));
				free(c.maps);
			}
		}
}

static void test_every_line_in_order(void **state)
{
	(void)state;
	check_distinct(0);
}

static void test_every_line_out_of_order(void **state)
{
	(void)state;
	check_distinct(1);
}

/* ---- bad input ---------------------------------------------------------- */

static void test_malformed_headers(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "00400000 r--p 00000000 fe:00 1 /x\n",		       /* no end address */
	    "00400000- r--p 00000000 fe:00 1 /x\n",		       /* empty end */
	    "00400000-00402000\n",				       /* nothing after */
	    "00400000-00402000 r--p\n",				       /* no offset */
	    "00400000-00402000 r--p 00000000 fe:00\n",		       /* no inode */
	    "00400000-00402000 r-p 00000000 fe:00 1 /x\n",	       /* perms of 3 */
	    "00400000-00402000 r--pp 00000000 fe:00 1 /x\n",	       /* perms of 5 */
	    "00400000-00402000 r--p zz fe:00 1 /x\n",		       /* offset not hex */
	    "00400000-00402000 r--p 00000000 fe:00 1x /x\n",	       /* inode not a number */
	    "00402000-00400000 r--p 00000000 fe:00 1 /x\n",	       /* end before start */
	    "1ffffffffffffffff-2ffffffffffffffff r--p 0 fe:00 1 /x\n", /* > 64 bits */
	    "00400000_00402000 r--p 00000000 fe:00 1 /x\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		for (size_t chunk = 0; chunk <= 1; chunk++) {
			struct collect c;
			struct err e;
			int rc = parse_str(bad[i], chunk, &c, &e);
			if (rc != ERR_PROC || !strstr(e.msg, "not a mapping header") ||
			    !strstr(e.msg, "line 1"))
				fail_msg("\"%.*s\": rc %d, \"%s\"", (int)strlen(bad[i]) - 1, bad[i],
					 rc, e.msg);
			free(c.maps);
		}
	}
}

static void test_counters_before_header(void **state)
{
	(void)state;
	struct collect c;
	struct err e;
	assert_err(parse_str("Rss:                   4 kB\n", 0, &c, &e), e, ERR_PROC,
		   "counters before any mapping header");
	assert_err(parse_str("\nSize: 4 kB\n00400000-00402000 r--p 0 fe:00 1 /x\n", 1, &c, &e), e,
		   ERR_PROC, "line 2: counters before any mapping header");
	free(c.maps);
}

static void test_not_key_value(void **state)
{
	(void)state;
	struct collect c;
	struct err e;
	assert_err(parse_str("00400000-00402000 r--p 0 fe:00 1 /x\nRss 4 kB\n", 0, &c, &e), e,
		   ERR_PROC, "expected \"Key: value\"");
	assert_non_null(strstr(e.msg, "line 2"));
	assert_err(parse_str("<html><body>Forbidden</body></html>\n", 0, &c, &e), e, ERR_PROC,
		   "smaps: line 1");
	free(c.maps);
}

static void test_bad_counter_values(void **state)
{
	(void)state;
	struct collect c;
	struct err e;
	const char *h = "00400000-00402000 r--p 00000000 fe:00 1 /x\n";
	char t[256];
	snprintf(t, sizeof t, "%sRss:        x kB\n", h);
	assert_err(parse_str(t, 0, &c, &e), e, ERR_PROC, "smaps: Rss: not a number");
	snprintf(t, sizeof t, "%sRss:        4\n", h);
	assert_err(parse_str(t, 0, &c, &e), e, ERR_PROC, "smaps: Rss: expected a size in kB");
	snprintf(t, sizeof t, "%sSwap:        4 pages\n", h);
	assert_err(parse_str(t, 0, &c, &e), e, ERR_PROC, "Swap: expected a size in kB");
	snprintf(t, sizeof t, "%sAnonHugePages: 18014398509481984 kB\n", h);
	assert_err(parse_str(t, 7, &c, &e), e, ERR_PROC, "AnonHugePages");
	assert_non_null(strstr(e.msg, "too large"));
	snprintf(t, sizeof t, "%sLazyFree: 99999999999999999999 kB\n", h);
	assert_err(parse_str(t, 1, &c, &e), e, ERR_PROC, "LazyFree");
	snprintf(t, sizeof t, "%sPss: -4 kB\n", h);
	assert_err(parse_str(t, 0, &c, &e), e, ERR_PROC, "Pss: not a number");
	free(c.maps);
	/* In the kernel's columns and order ("%-16s%8s kB", 27 bytes), read
	 * in place, and byte by byte, read as lines: the same errors and
	 * values. */
	char k[256];
	snprintf(k, sizeof k, "%s%-16s%8s kB\n%-16s%8s kB\n%-16s%8s kB\n", h, "Size:", "8",
		 "KernelPageSize:", "4", "MMUPageSize:", "4");
	for (size_t chunk = 0; chunk <= 1; chunk++) {
		snprintf(t, sizeof t, "%s%-16s%8s kB\n", k, "Rss:", "1x4");
		assert_err(parse_str(t, chunk, &c, &e), e, ERR_PROC, "smaps: Rss: expected a size in kB");
		free(c.maps);
		snprintf(t, sizeof t, "%s%-16s%8s kB\n", k, "Rss:", "-4");
		assert_err(parse_str(t, chunk, &c, &e), e, ERR_PROC, "smaps: Rss: not a number");
		free(c.maps);
		snprintf(t, sizeof t, "%s%-16s%8s kb\n", k, "Rss:", "2");
		assert_err(parse_str(t, chunk, &c, &e), e, ERR_PROC, "smaps: Rss: expected a size in kB");
		free(c.maps);
		snprintf(t, sizeof t, "%s%-16s%8s kB\r\n%-16s%8s kB\n", k, "Rss:", "4", "Pss:", "3");
		assert_int_equal(parse_str(t, chunk, &c, &e), 0);
		assert_int_equal(c.n, 1);
		assert_known(c.maps[0].v.size, KIB(8));
		assert_known(c.maps[0].v.rss, KIB(4));
		assert_known(c.maps[0].v.pss, KIB(3));
		free(c.maps);
		/* 28 bytes from a line not kept to a newline, holding two
		 * lines (found by fuzz_smaps): the second is still read. */
		snprintf(t, sizeof t, "%s%-16s%8s kB\n%s\n%11s\n", h, "Size:", "8", "KernelPageSize:",
			 "xxxxxxx kB");
		assert_err(parse_str(t, chunk, &c, &e), e, ERR_PROC,
			   "smaps: line 4: expected \"Key: value\"");
		free(c.maps);
	}
}

#define N_SMAPS	 (sizeof smaps_cases / sizeof smaps_cases[0])
#define N_ROLLUP (sizeof rollup_cases / sizeof rollup_cases[0])

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_go119_cgo_headers),
	    cmocka_unit_test(test_go123_pure_headers),
	    cmocka_unit_test(test_rollup_distinct),
	    cmocka_unit_test(test_rollup_old_kernel),
	    cmocka_unit_test(test_rollup_bad),
	    cmocka_unit_test(test_empty_input),
	    cmocka_unit_test(test_final_line_without_newline),
	    cmocka_unit_test(test_long_path),
	    cmocka_unit_test(test_overlong_unread_line),
	    cmocka_unit_test(test_line_numbers_across_chunks),
	    cmocka_unit_test(test_callback_stops),
	    cmocka_unit_test(test_no_callback),
	    cmocka_unit_test(test_largest_values),
	    cmocka_unit_test(test_any_spacing_same_value),
	    cmocka_unit_test(test_every_line_in_order),
	    cmocka_unit_test(test_every_line_out_of_order),
	    cmocka_unit_test(test_malformed_headers),
	    cmocka_unit_test(test_counters_before_header),
	    cmocka_unit_test(test_not_key_value),
	    cmocka_unit_test(test_bad_counter_values),
	};
	/* One test per captured file, named after its folder. */
	static char names[N_SMAPS + N_ROLLUP][96];
	struct CMUnitTest tests[N_SMAPS + N_ROLLUP + sizeof fixed / sizeof fixed[0]];
	size_t t = 0;
	for (size_t i = 0; i < N_SMAPS; i++, t++) {
		snprintf(names[t], sizeof names[t], "test_real_smaps_chunks(%s)",
			 smaps_cases[i].dir);
		tests[t] = (struct CMUnitTest){.name = names[t],
					       .test_func = test_real_smaps_chunks,
					       .initial_state = (void *)&smaps_cases[i]};
	}
	for (size_t i = 0; i < N_ROLLUP; i++, t++) {
		snprintf(names[t], sizeof names[t], "test_real_rollup(%s)", rollup_cases[i].dir);
		tests[t] = (struct CMUnitTest){.name = names[t],
					       .test_func = test_real_rollup,
					       .initial_state = (void *)&rollup_cases[i]};
	}
	memcpy(tests + t, fixed, sizeof fixed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
