/* The smaps classifier (src/model/mappings.c): real captures, one table of
 * synthetic mappings per rule and its edges, kept rows, the top files and
 * class_anon_footprint().
 *
 * The expected class of every mapping below was worked out from the rules
 * in docs/model.md ("The per-mapping view") and the smaps files in
 * tests/data, read by hand; the per-class sums come from the awk commands
 * quoted next to them, never from the classifier's output. */
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
#include "correlate/mappings.h"
#include "correlate/proc.h"
#include "testutil.h"

/* ---- synthetic smaps -------------------------------------------------------- */

/* One mapping to write as smaps text, and the class the rules give it. */
struct vma {
	uint64_t start, end;
	const char *perms;
	const char *path; /* "" anonymous */
	enum map_class want;
	uint64_t rss, swap, lazy_free, anon_huge; /* KiB */
	int no_inode;				  /* a path with inode 0 */
	const char *flags; /* VmFlags; NULL: what the kernel shows for the perms; "": none */
};

/* Designated, so the counters default to 0 without -Wmissing-field-initializers. */
#define V(s, e, p, path_, w)                                                         \
	{                                                                            \
		.start = (s), .end = (e), .perms = (p), .path = (path_), .want = (w) \
	}
/* The same with VmFlags given: G for glibc's MAP_NORESERVE arenas. */
#define VF(s, e, p, path_, w, f)                                                                 \
	{                                                                                        \
		.start = (s), .end = (e), .perms = (p), .path = (path_), .want = (w), .flags = (f) \
	}
#define G(s, e, p, w) VF(s, e, p, "", w, (p)[0] == 'r' ? "rd wr mr mw me nr" : "mr mw me nr")
/* No VmFlags line at all (kernels before 3.8, hand-made files). */
#define NOFLAGS(s, e, p, w) VF(s, e, p, "", w, "")
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What the kernel prints for a private mapping of these permissions. */
static const char *flags_of(const struct vma *v)
{
	if (v->flags)
		return v->flags;
	if (strcmp(v->perms, "---p") == 0)
		return "mr mw me";
	if (v->perms[1] == 'w')
		return "rd wr mr mw me ac";
	return "rd mr mw me";
}

struct text {
	char *p;
	size_t len, cap;
};

static void append(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(struct text *t, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if (t->p && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->p = xrealloc(t->p, t->cap);
	}
}

/* A file has an inode and a device; "[...]" names and "" have neither. */
static int has_inode(const struct vma *v)
{
	return v->path[0] == '/' && !v->no_inode;
}

/* Anonymous pages: all of Rss for anonymous and named mappings, none for
 * files (no COW here). */
static uint64_t anon_of(const struct vma *v)
{
	return v->path[0] == '/' ? 0 : v->rss;
}

/* The smaps text the kernel would print for v[0..n). */
static char *smaps_text(const struct vma *v, size_t n, size_t *len)
{
	struct text t = {0};
	append(&t, "%s", "");
	for (size_t i = 0; i < n; i++) {
		int file = has_inode(&v[i]);
		append(&t, "%08llx-%08llx %s %08x %s %-8llu                   %s\n",
		       (unsigned long long)v[i].start, (unsigned long long)v[i].end, v[i].perms, 0,
		       file ? "fe:00" : "00:00", file ? 4242ull + i : 0ull, v[i].path);
		append(&t,
		       "Size:           %8llu kB\n"
		       "Rss:            %8llu kB\n"
		       "Private_Dirty:  %8llu kB\n"
		       "Anonymous:      %8llu kB\n"
		       "LazyFree:       %8llu kB\n"
		       "AnonHugePages:  %8llu kB\n"
		       "Swap:           %8llu kB\n",
		       (unsigned long long)((v[i].end - v[i].start) / KiB),
		       (unsigned long long)v[i].rss, (unsigned long long)anon_of(&v[i]),
		       (unsigned long long)anon_of(&v[i]), (unsigned long long)v[i].lazy_free,
		       (unsigned long long)v[i].anon_huge, (unsigned long long)v[i].swap);
		if (flags_of(&v[i])[0])
			append(&t, "VmFlags: %s \n", flags_of(&v[i]));
	}
	*len = t.len;
	return t.p;
}

/* The same mapping as the smaps parser would deliver it. */
static void to_mapping(const struct vma *v, size_t i, struct mapping *m)
{
	memset(m, 0, sizeof *m);
	m->start = v->start;
	m->end = v->end;
	snprintf(m->perms, sizeof m->perms, "%s", v->perms);
	snprintf(m->dev, sizeof m->dev, "%s", has_inode(v) ? "fe:00" : "00:00");
	m->inode = has_inode(v) ? 4242 + i : 0;
	snprintf(m->path, sizeof m->path, "%s", v->path);
	m->v.size = opt_some(v->end - v->start);
	m->v.rss = opt_some(v->rss * KiB);
	m->v.private_dirty = opt_some(anon_of(v) * KiB);
	m->v.anonymous = opt_some(anon_of(v) * KiB);
	m->v.lazy_free = opt_some(v->lazy_free * KiB);
	m->v.anon_huge_pages = opt_some(v->anon_huge * KiB);
	m->v.swap = opt_some(v->swap * KiB);
	snprintf(m->vm_flags, sizeof m->vm_flags, "%s", flags_of(v));
}

static void assert_rows_are(const struct mapping_summary *s, const struct vma *v, size_t n,
			    const char *how)
{
	assert_int_equal(s->mappings, n);
	assert_int_equal(s->n_rows, n);
	for (size_t i = 0; i < n; i++) {
		const struct mapping_row *r = &s->rows[i];
		if (r->start != v[i].start || r->end != v[i].end)
			fail_msg("%s: row %zu is %llx-%llx, expected %llx-%llx", how, i,
				 (unsigned long long)r->start, (unsigned long long)r->end,
				 (unsigned long long)v[i].start, (unsigned long long)v[i].end);
		if (r->cls != v[i].want)
			fail_msg("%s: mapping %zu (%llx-%llx %s \"%s\") is %s, expected %s", how, i,
				 (unsigned long long)v[i].start, (unsigned long long)v[i].end,
				 v[i].perms, v[i].path, map_class_name(r->cls),
				 map_class_name(v[i].want));
		assert_string_equal(r->path, v[i].path);
		assert_string_equal(r->perms, v[i].perms);
	}
	/* The per-class counts follow from the rows. */
	uint64_t count[MC_COUNT] = {0}, size[MC_COUNT] = {0};
	for (size_t i = 0; i < n; i++) {
		count[v[i].want]++;
		size[v[i].want] += v[i].end - v[i].start;
	}
	for (int k = 0; k < MC_COUNT; k++) {
		if (s->cls[k].mappings != count[k])
			fail_msg("%s: %s has %llu mappings, expected %llu", how,
				 map_class_name((enum map_class)k),
				 (unsigned long long)s->cls[k].mappings,
				 (unsigned long long)count[k]);
		assert_int_equal(s->cls[k].size, size[k]);
	}
}

/* Classifies v both ways, one-shot from text and pushed mapping by mapping,
 * as a process built as *build says (NULL: unknown), and checks every
 * class.  Leaves the one-shot summary in *out when out is not NULL (the
 * caller frees it). */
static void check_build(const struct vma *v, size_t n, const char *exe,
			const struct go_buildinfo *build, struct mapping_summary *out)
{
	struct mapping_summary s;
	struct err e = {0};
	size_t len;
	char *text = smaps_text(v, n, &len);
	assert_int_equal(classify_smaps(text, len, exe, build, 1, &s, &e), 0);
	assert_int_equal(s.have, 1);
	assert_rows_are(&s, v, n, "classify_smaps");
	free(text);

	struct mapping_summary s2;
	struct map_classifier c;
	struct mapping m;
	map_classifier_init(&c, &s2, exe, build, 1);
	for (size_t i = 0; i < n; i++) {
		to_mapping(&v[i], i, &m);
		assert_int_equal(map_classifier_push(&c, &m, &e), 0);
	}
	assert_int_equal(map_classifier_finish(&c, &e), 0);
	assert_rows_are(&s2, v, n, "map_classifier_push");
	assert_memory_equal(&s2.heap_uncertain, &s.heap_uncertain, sizeof s.heap_uncertain);
	mapping_summary_free(&s2);

	if (out)
		*out = s;
	else
		mapping_summary_free(&s);
}

static void check_exe(const struct vma *v, size_t n, const char *exe, struct mapping_summary *out)
{
	check_build(v, n, exe, NULL, out);
}

static void check(const struct vma *v, size_t n)
{
	check_exe(v, n, "/opt/app/server", NULL);
}

/* ---- names ------------------------------------------------------------------ */

static void test_names(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x7f0000000000, 0x7f0004000000, "rw-p", "[anon: Go: heap]", MC_GO_HEAP),
	    V(0x7f0004000000, 0x7f0008000000, "---p", "[anon: Go: heap reservation]", MC_GO_HEAP),
	    V(0x7f0010000000, 0x7f0010100000, "rw-p", "[anon: Go: page alloc]", MC_GO_RUNTIME),
	    V(0x7f0010100000, 0x7f0030000000, "---p", "[anon: Go: page summary]", MC_GO_RUNTIME),
	    V(0x7f0030000000, 0x7f0030001000, "rw-p", "[anon: Go: scavenge index]", MC_GO_RUNTIME),
	    V(0x7f0040000000, 0x7f0040021000, "rw-p", "[anon: glibc: malloc arena]",
	      MC_GLIBC_MALLOC),
	    V(0x7f0040021000, 0x7f0044000000, "---p", "[anon: glibc: malloc arena]",
	      MC_GLIBC_MALLOC),
	    V(0x7f0050000000, 0x7f0050100000, "rw-p", "[anon: glibc: malloc]", MC_GLIBC_MALLOC),
	    V(0x7f0060000000, 0x7f0060800000, "rw-p", "[anon: glibc: pthread stack: 4243]",
	      MC_THREAD_STACKS),
	    V(0x7f0070000000, 0x7f0070001000, "rw-p", "[anon: my cache]", MC_OTHER_ANON),
	    V(0x7f0070001000, 0x7f0070101000, "rw-s", "[anon_shmem:ring]", MC_SHMEM),
	    V(0x7f0080000000, 0x7f0080001000, "r--p", "[uprobes]", MC_LIBS),
	    V(0x7f0090000000, 0x7f0090004000, "r--p", "[vvar]", MC_LIBS),
	    V(0x7f0090004000, 0x7f0090006000, "r--p", "[vvar_vclock]", MC_LIBS),
	    V(0x7f0090006000, 0x7f0090008000, "r-xp", "[vdso]", MC_LIBS),
	    V(0x7ffd14a0d000, 0x7ffd14a2e000, "rw-p", "[stack]", MC_MAIN_STACK),
	    V(0xffffffffff600000, 0xffffffffff601000, "--xp", "[vsyscall]", MC_LIBS),
	};
	check(v, N(v));
	/* [heap] sits low, right after the executable's .bss: a name, not .bss. */
	static const struct vma h[] = {
	    V(0x400000, 0x401000, "rw-p", "/opt/app/server", MC_EXE),
	    V(0x401000, 0x402000, "rw-p", "", MC_EXE),
	    V(0x402000, 0x423000, "rw-p", "[heap]", MC_GLIBC_MALLOC),
	    V(0x423000, 0x424000, "rw-p", "[some kernel name]", MC_OTHER_ANON),
	};
	check(h, N(h));
}

/* Go 1.25 names the heap arena index (the 32 MiB L2 map of *heapArena,
 * malloc.go: sysAllocOS(..., "heap index")) "[anon: Go: heap index]".  It
 * is runtime metadata, not heap: docs/model.md maps only `[anon: Go: heap]`
 * to the Go heap and every other `[anon: Go: ...]` to Go runtime metadata.
 * "heap reservation" is arena address space, the heap's own. */
static void test_name_go_heap_index(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x7f0000000000, 0x7f0002000000, "rw-p", "[anon: Go: heap index]", MC_GO_RUNTIME),
	    V(0x7f0004000000, 0x7f0008000000, "---p", "[anon: Go: heap reservation]", MC_GO_HEAP),
	};
	check(v, N(v));
}

/* glibc 2.41 with glibc.mem.decorate_maps names the stack part only
 * (allocatestack.c, name_stack_maps: the stack starts after the guard), so
 * the guard below a named stack stays an unnamed ---p page. */
static void test_guard_below_named_stack(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x7f0000001000, 0x7f0000002000, "---p", "", MC_THREAD_STACKS),
	    V(0x7f0000002000, 0x7f0000802000, "rw-p", "[anon: glibc: pthread stack: 4243]",
	      MC_THREAD_STACKS),
	};
	check(v, N(v));
}

/* ---- shared memory and files ------------------------------------------------ */

static void test_shared_memory(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x400000, 0x401000, "r--p", "/opt/app/server", MC_EXE),
	    V(0x7f0000000000, 0x7f0000100000, "rw-s", "", MC_SHMEM),
	    V(0x7f0000200000, 0x7f0000300000, "rw-s", "/dev/zero (deleted)", MC_SHMEM),
	    V(0x7f0000400000, 0x7f0000500000, "rw-s", "/memfd:x (deleted)", MC_SHMEM),
	    V(0x7f0000600000, 0x7f0000700000, "rw-s", "/dev/shm/y", MC_SHMEM),
	    V(0x7f0000800000, 0x7f0000900000, "rw-s", "/SYSV00000000 (deleted)", MC_SHMEM),
	    V(0x7f0000a00000, 0x7f0000b00000, "r--s", "/dev/shm/y", MC_SHMEM),
	    /* MAP_SHARED regular files: their pages are RssFile, not RssShmem */
	    V(0x7f0000c00000, 0x7f0000d00000, "rw-s", "/var/lib/app/data.db", MC_FILES),
	    V(0x7f0000e00000, 0x7f0000f00000, "r--s", "/var/lib/app/data.db", MC_FILES),
	    V(0x7f0001000000, 0x7f0001100000, "rw-s", "/dev/shmx", MC_FILES),
	    /* a MAP_SHARED library mapping is still a library */
	    V(0x7f0001200000, 0x7f0001300000, "r--s", "/opt/app/lib/libfoo.so", MC_LIBS),
	    /* private mappings of these are not shared memory by the 's' rule */
	    V(0x7f0001400000, 0x7f0001500000, "rw-p", "", MC_OTHER_ANON),
	};
	check(v, N(v));
}

static void test_libraries(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x400000, 0x401000, "r-xp", "/opt/app/server", MC_EXE),
	    V(0x7f0000000000, 0x7f0000001000, "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
	      MC_LIBS),
	    V(0x7f0000100000, 0x7f0000101000, "r--p",
	      "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", MC_LIBS),
	    V(0x7f0000200000, 0x7f0000201000, "r-xp", "/opt/app/lib/libfoo.so", MC_LIBS),
	    V(0x7f0000300000, 0x7f0000301000, "r-xp", "/opt/app/lib/libfoo.so.1.2.3", MC_LIBS),
	    V(0x7f0000400000, 0x7f0000401000, "r-xp", "/opt/app/lib/libbar.so (deleted)", MC_LIBS),
	    V(0x7f0000600000, 0x7f0000601000, "rw-p", "/data/my.sock", MC_FILES),
	    V(0x7f0000700000, 0x7f0000701000, "r--p", "/srv/x.so.d/file", MC_FILES),
	    V(0x7f0000800000, 0x7f0000801000, "r--p", "/opt/app/lib/libfoo.sox", MC_FILES),
	    V(0x7f0000900000, 0x7f0000901000, "r--p", "/usr/lib/locale/C.utf8/LC_CTYPE", MC_FILES),
	    /* a ---p hole between a library's segments is the library's */
	    V(0x7f0000a00000, 0x7f0000a01000, "r-xp", "/opt/app/lib/libz.so.1", MC_LIBS),
	    V(0x7f0000a01000, 0x7f0000c00000, "---p", "/opt/app/lib/libz.so.1", MC_LIBS),
	    V(0x7f0000c00000, 0x7f0000c01000, "rw-p", "/opt/app/lib/libz.so.1", MC_LIBS),
	};
	check(v, N(v));
}

/* ---- the executable --------------------------------------------------------- */

static void test_exe_given(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x400000, 0x401000, "r--p", "/usr/lib/x86_64-linux-gnu/libfoo.so", MC_LIBS),
	    V(0x500000, 0x501000, "r--p", "/opt/app/server.old", MC_FILES),
	    V(0x600000, 0x601000, "r--p", "/opt/app/server", MC_EXE),
	    V(0x601000, 0x602000, "r-xp", "/opt/app/server", MC_EXE),
	    V(0x700000, 0x701000, "r--p", "/opt/app/serve", MC_FILES),
	    V(0x800000, 0x801000, "r--p", "/opt/app/server (deleted)", MC_EXE),
	};
	check_exe(v, N(v), "/opt/app/server", NULL);
	/* /proc/PID/exe of a deleted file reads "... (deleted)" too */
	static const struct vma d[] = {
	    V(0x400000, 0x401000, "r--p", "/opt/app/server (deleted)", MC_EXE),
	    V(0x401000, 0x402000, "rw-p", "/opt/app/server (deleted)", MC_EXE),
	    V(0x402000, 0x403000, "rw-p", "", MC_EXE),
	    V(0x500000, 0x501000, "r--p", "/opt/app/server", MC_FILES),
	};
	check_exe(d, N(d), "/opt/app/server (deleted)", NULL);
	/* given and not mapped at all: the first file is not taken instead */
	static const struct vma n[] = {
	    V(0x400000, 0x401000, "r--p", "/opt/app/server", MC_FILES),
	    V(0x401000, 0x402000, "rw-p", "", MC_OTHER_ANON),
	};
	check_exe(n, N(n), "/usr/bin/elsewhere", NULL);
}

static void test_exe_unknown(void **state)
{
	(void)state;
	/* unknown: the first file mapping is the executable */
	static const struct vma v[] = {
	    V(0x10000, 0x11000, "rw-p", "", MC_OTHER_ANON),
	    V(0x12000, 0x13000, "rw-s", "/SYSV00000000 (deleted)", MC_SHMEM),
	    V(0x400000, 0x401000, "r--p", "/opt/app/server", MC_EXE),
	    V(0x401000, 0x480000, "r-xp", "/opt/app/server", MC_EXE),
	    V(0x480000, 0x490000, "rw-p", "/opt/app/server", MC_EXE),
	    V(0x490000, 0x4a0000, "rw-p", "", MC_EXE),
	    V(0x7f0000000000, 0x7f0000001000, "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
	      MC_LIBS),
	    V(0x7f0000100000, 0x7f0000101000, "r--p", "/var/lib/app/data.db", MC_FILES),
	    V(0x7f0000200000, 0x7f0000201000, "r--p", "/opt/app/server (deleted)", MC_EXE),
	};
	check_exe(v, N(v), "", NULL);
	check_exe(v, N(v), NULL, NULL);
	/* the first file deleted: its name with " (deleted)" is the exe */
	static const struct vma d[] = {
	    V(0x400000, 0x401000, "r--p", "/opt/app/server (deleted)", MC_EXE),
	    V(0x401000, 0x402000, "rw-p", "/opt/app/server (deleted)", MC_EXE),
	    V(0x500000, 0x501000, "r--p", "/opt/app/server", MC_FILES),
	};
	check_exe(d, N(d), "", NULL);
	/* a library first (a PIE mapped above its libraries): the rule takes it */
	static const struct vma l[] = {
	    V(0x7f0000000000, 0x7f0000001000, "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
	      MC_EXE),
	    V(0x7f0000100000, 0x7f0000101000, "r--p", "/usr/lib/x86_64-linux-gnu/libm.so.6",
	      MC_LIBS),
	};
	check_exe(l, N(l), "", NULL);
	/* a path with no inode is no file to take */
	static const struct vma z[] = {
	    {.start = 0x300000,
	     .end = 0x301000,
	     .perms = "r--p",
	     .path = "/no/inode",
	     .want = MC_FILES,
	     .no_inode = 1},
	    V(0x400000, 0x401000, "r--p", "/opt/app/server", MC_EXE),
	    V(0x500000, 0x501000, "r--p", "/no/inode", MC_FILES),
	};
	check_exe(z, N(z), "", NULL);
}

/* ---- the Go heap, by its shape --------------------------------------------- */

#define A64(i) (UINT64_C(0x7e0000000000) + (uint64_t)(i)*64 * MiB) /* 64 MiB-aligned */

/* Build infos the layouts below are read with (the fields the classifier
 * uses: version, GOARCH, -race). */
static const struct go_buildinfo go123 = {
    .found = 1, .go_version = "go1.23.5", .goarch = "amd64", .cgo = 1, .race = 0};
static const struct go_buildinfo go126 = {
    .found = 1, .go_version = "go1.26.10", .goarch = "amd64", .cgo = 1, .race = 0};
static const struct go_buildinfo go123_race = {
    .found = 1, .go_version = "go1.23.5", .goarch = "amd64", .cgo = 1, .race = 1};
static const struct go_buildinfo go123_386 = {
    .found = 1, .go_version = "go1.23.5", .goarch = "386", .cgo = 0, .race = 0};
static const struct go_buildinfo go123_arm64 = {
    .found = 1, .go_version = "go1.23.5", .goarch = "arm64", .cgo = 1, .race = 0};

/* The old rule took anything anonymous in [0xc000000000, 0x10000000000) and
 * nothing else: the shape decides now.  Rw from an arena boundary, ---p up
 * to one, no MAP_NORESERVE. */
static void test_go_heap_shape(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x00bfffff0000, 0x00bffffff000, "rw-p", "", MC_OTHER_ANON),
	    V(0x00c000000000, 0x00c004000000, "rw-p", "", MC_GO_HEAP),
	    V(0x00c004000000, 0x00c008000000, "---p", "", MC_GO_HEAP),
	    /* a pthread stack mapped in the old range is a stack: not arena-shaped */
	    V(0x00c010000000, 0x00c010001000, "---p", "", MC_THREAD_STACKS),
	    V(0x00c010001000, 0x00c010801000, "rw-p", "", MC_THREAD_STACKS),
	    /* a file mapped in the range is a file */
	    V(0x00c020000000, 0x00c020001000, "r--p", "/var/lib/app/data.db", MC_FILES),
	    /* one arena, all rw, ending at 0x010000000000 */
	    V(0x00fffc000000, 0x010000000000, "rw-p", "", MC_GO_HEAP),
	    /* starting on a boundary but ending off one: not an arena */
	    V(0x010004000000, 0x010004100000, "rw-p", "", MC_OTHER_ANON),
	    V(0x7fc512345000, 0x7fc512545000, "rw-p", "", MC_OTHER_ANON),
	    /* only ---p: a reservation, not heap */
	    V(0x7fc600000000, 0x7fc604000000, "---p", "", MC_GO_RUNTIME),
	    /* rw, ---p, rw: the rw after the tail starts a run of its own */
	    V(0x7fc700000000, 0x7fc702000000, "rw-p", "", MC_GO_HEAP),
	    V(0x7fc702000000, 0x7fc704000000, "---p", "", MC_GO_HEAP),
	    V(0x7fc704000000, 0x7fc704100000, "rw-p", "", MC_OTHER_ANON),
	    /* rwx, or shared: never the heap */
	    V(0x7fc800000000, 0x7fc804000000, "rwxp", "", MC_OTHER_ANON),
	};
	check(v, N(v));
	/* The rw part split by VmFlags (Go <= 1.20 asks for huge pages on
	 * fresh heap, "hg"): still one run. */
	static const struct vma hg[] = {
	    VF(0xc000000000, 0xc001000000, "rw-p", "", MC_GO_HEAP, "rd wr mr mw me ac hg"),
	    VF(0xc001000000, 0xc002000000, "rw-p", "", MC_GO_HEAP, "rd wr mr mw me ac"),
	    VF(0xc002000000, 0xc003000000, "rw-p", "", MC_GO_HEAP, "rd wr mr mw me ac hg"),
	    V(0xc003000000, 0xc004000000, "---p", "", MC_GO_HEAP),
	};
	check_build(hg, N(hg), "/opt/app/server", &go123, NULL);
}

/* A heap over 256 GiB: the arenas merge into one rw mapping that runs past
 * 0x10000000000, which the old rule rejected whole. */
static void test_go_heap_over_256g(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0xc000000000, 0xc000000000 + 300 * GiB, "rw-p", "", MC_GO_HEAP),
	    V(0xc000000000 + 300 * GiB, 0xc000000000 + 300 * GiB + 64 * MiB, "---p", "",
	      MC_GO_HEAP),
	};
	check_build(v, N(v), "/opt/app/server", &go123, NULL);
	/* and the same, found without any build info */
	check(v, N(v));
}

/* Go 1.26+: the hints are random, and the first arena's rw part starts a
 * random number of 4 MiB chunks in (mheap.go, grow: randomizeHeapBase).
 * Measured bases: 0x39c80000000, 0x11632bc00000 (REFERENCE.md §5). */
static void test_go_heap_random_base(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    /* no offset: rw from the arena's start */
	    V(0x39c80000000, 0x39c88400000, "rw-p", "", MC_GO_HEAP),
	    V(0x39c88400000, 0x39c8c000000, "---p", "", MC_GO_HEAP),
	    /* 60 MiB in: a ---p head, rw, the ---p tail */
	    V(0x116328000000, 0x11632bc00000, "---p", "", MC_GO_HEAP),
	    V(0x11632bc00000, 0x116334400000, "rw-p", "", MC_GO_HEAP),
	    V(0x116334400000, 0x116338000000, "---p", "", MC_GO_HEAP),
	    /* a head that is not whole 4 MiB chunks: not the runtime's */
	    V(0x200000000000, 0x200000001000, "---p", "", MC_THREAD_STACKS),
	    V(0x200000001000, 0x200004000000, "rw-p", "", MC_THREAD_STACKS),
	    /* a head of a whole arena or more: not either */
	    V(0x210000000000, 0x210004000000, "---p", "", MC_GO_RUNTIME),
	    V(0x210004000000, 0x210008000000, "rw-p", "", MC_GO_RUNTIME),
	};
	check_build(v, N(v), "/opt/app/server", &go126, NULL);
}

/* The first hint taken: something mapped 0xc000000000 before the runtime
 * started (a cgo constructor, a preloaded library), so the heap went to the
 * next hint, 0x1c000000000 (malloc.go: sysAlloc discards a hint it cannot
 * have).  The old rule took the C mapping for heap and the heap for other
 * memory. */
static void test_go_heap_hint_taken(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x00c000000000, 0x00c000100000, "rw-p", "", MC_OTHER_ANON),
	    V(0x01c000000000, 0x01c008400000, "rw-p", "", MC_GO_HEAP),
	    V(0x01c008400000, 0x01c00c000000, "---p", "", MC_GO_HEAP),
	};
	check_build(v, N(v), "/opt/app/server", &go123, NULL);
}

/* GOARCH=386: 4 MiB arenas, the heap right after the binary and its brk
 * (malloc.go: the 32-bit branch of mallocinit reserves 512 MiB there), and
 * glibc's 32-bit arenas of 1 MiB.  Measured: memsvc -heap 128MiB, go1.23.5. */
static void test_go_heap_386(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x08048000, 0x084dc000, "r-xp", "/opt/app/server", MC_EXE),
	    V(0x08910000, 0x0894f000, "rw-p", "/opt/app/server", MC_EXE),
	    V(0x0894f000, 0x0896d000, "rw-p", "", MC_EXE),
	    V(0x0a800000, 0x12c00000, "rw-p", "", MC_GO_HEAP),
	    V(0x12c00000, 0x2ac00000, "---p", "", MC_GO_HEAP),
	    G(0xf7400000, 0xf7421000, "rw-p", MC_GLIBC_MALLOC),
	    G(0xf7421000, 0xf7500000, "---p", MC_GLIBC_MALLOC),
	    V(0xf7b0e000, 0xf7cbe000, "rw-p", "", MC_OTHER_ANON),
	    V(0xf7cf2000, 0xf7f11000, "---p", "", MC_GO_RUNTIME),
	};
	check_build(v, N(v), "/opt/app/server", &go123_386, NULL);
}

/* linux/arm64: the hints start at 0x4000000000 (malloc.go: i<<40 |
 * 0x0040<<32), outside the old amd64 range. */
static void test_go_heap_arm64(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x4000000000, 0x4008400000, "rw-p", "", MC_GO_HEAP),
	    V(0x4008400000, 0x400c000000, "---p", "", MC_GO_HEAP),
	    G(0xffff80000000, 0xffff80021000, "rw-p", MC_GLIBC_MALLOC),
	    G(0xffff80021000, 0xffff84000000, "---p", MC_GLIBC_MALLOC),
	};
	check_build(v, N(v), "/opt/app/server", &go123_arm64, NULL);
}

/* A small Go heap at a 64 MiB-aligned address has the very shape of a glibc
 * thread arena (rw head, ---p tail, 64 MiB): the old rule called a healthy
 * 33 MiB heap "glibc malloc".  glibc maps its arenas MAP_NORESERVE
 * (VmFlags "nr"), Go never does. */
static void test_small_heap_vs_glibc_arena(void **state)
{
	(void)state;
	struct mapping_summary s;
	static const struct vma v[] = {
	    {.start = A64(0), .end = A64(0) + 36 * MiB, .perms = "rw-p", .path = "",
	     .want = MC_GO_HEAP, .rss = 33 * 1024},
	    V(A64(0) + 36 * MiB, A64(1), "---p", "", MC_GO_HEAP),
	    {.start = A64(2), .end = A64(2) + 36 * MiB, .perms = "rw-p", .path = "",
	     .want = MC_GLIBC_MALLOC, .rss = 1024, .flags = "rd wr mr mw me nr"},
	    G(A64(2) + 36 * MiB, A64(3), "---p", MC_GLIBC_MALLOC),
	};
	check_build(v, N(v), "/opt/app/server", &go126, &s);
	assert_int_equal(s.heap_uncertain.mappings, 0);
	mapping_summary_free(&s);

	/* No VmFlags: the two cannot be told apart.  Counted as heap, and as
	 * uncertain, which the ledger takes as the high end of non-Go memory. */
	static const struct vma u[] = {
	    {.start = A64(0), .end = A64(0) + 36 * MiB, .perms = "rw-p", .path = "",
	     .want = MC_GO_HEAP, .rss = 33 * 1024, .flags = ""},
	    NOFLAGS(A64(0) + 36 * MiB, A64(1), "---p", MC_GO_HEAP),
	    /* more than one glibc arena's size: glibc never maps that */
	    NOFLAGS(A64(4), A64(6) + 4 * MiB, "rw-p", MC_GO_HEAP),
	    NOFLAGS(A64(6) + 4 * MiB, A64(7), "---p", MC_GO_HEAP),
	};
	check_build(u, N(u), "/opt/app/server", &go126, &s);
	assert_int_equal(s.heap_uncertain.mappings, 2);
	assert_int_equal(s.heap_uncertain.size, 64 * MiB);
	assert_int_equal(s.heap_uncertain.rss, 33 * MiB);
	assert_int_equal(s.cls[MC_GO_HEAP].mappings, 4);
	mapping_summary_free(&s);

	/* No VmFlags, but at the fixed hint of a Go < 1.26 amd64 build, where
	 * glibc never maps: the heap. */
	static const struct vma h[] = {
	    NOFLAGS(0xc000000000, 0xc002400000, "rw-p", MC_GO_HEAP),
	    NOFLAGS(0xc002400000, 0xc004000000, "---p", MC_GO_HEAP),
	};
	check_build(h, N(h), "/opt/app/server", &go123, &s);
	assert_int_equal(s.heap_uncertain.mappings, 0);
	mapping_summary_free(&s);
	/* the same with a 1.26 build (random hints) is uncertain */
	check_build(h, N(h), "/opt/app/server", &go126, &s);
	assert_int_equal(s.heap_uncertain.mappings, 2);
	mapping_summary_free(&s);
}

/* -race: ThreadSanitizer's shadow and meta shadow for Go on linux/amd64
 * (0x200000000000 up to 0x400000000000), MAP_NORESERVE, resident about as
 * much as the heap.  Measured: memsvc -heap 128MiB built with go1.23.5
 * -race.  Without -race in the build info the same mappings are other
 * anonymous memory, as the old rule had them. */
static void test_race_shadow(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0xc000000000, 0xc008400000, "rw-p", "", MC_GO_HEAP),
	    V(0xc008400000, 0xc00c000000, "---p", "", MC_GO_HEAP),
	    VF(0x200002110000, 0x200004090000, "rw-p", "", MC_RACE, "rd wr mr mw me nr nh"),
	    VF(0x218000000000, 0x218018000000, "rw-p", "", MC_RACE, "rd wr mr mw me nr nh"),
	    VF(0x300000840000, 0x300001030000, "rw-p", "", MC_RACE, "rd wr mr mw me nr nh"),
	    VF(0x306000000000, 0x306006000000, "rw-p", "", MC_RACE, "rd wr mr mw me nr nh"),
	    /* the older race runtime's traces (tsan_platform.h, MappingGo48) */
	    VF(0x600000000000, 0x600001000000, "rw-p", "", MC_RACE, "rd wr mr mw me nr nh"),
	    /* a glibc arena is still glibc's */
	    G(0x7f6484000000, 0x7f6484021000, "rw-p", MC_GLIBC_MALLOC),
	    G(0x7f6484021000, 0x7f6488000000, "---p", MC_GLIBC_MALLOC),
	};
	check_build(v, N(v), "/opt/app/server", &go123_race, NULL);
	struct vma plain[N(v)];
	memcpy(plain, v, sizeof v);
	for (size_t i = 2; i < 7; i++)
		plain[i].want = MC_OTHER_ANON;
	check_build(plain, N(plain), "/opt/app/server", &go123, NULL);
	/* in a build without -race, a heap at hint 0x20c000000000 is heap */
	static const struct vma hint20[] = {
	    V(0x20c000000000, 0x20c004000000, "rw-p", "", MC_GO_HEAP),
	};
	check_build(hint20, N(hint20), "/opt/app/server", &go123, NULL);
}

/* ---- glibc's thread arenas -------------------------------------------------- */

#define A(i) (UINT64_C(0x7f0000000000) + (uint64_t)(i)*64 * MiB) /* 64 MiB-aligned */

static void test_glibc_arenas(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    /* head and tail */
	    G(A(0), A(0) + 132 * KiB, "rw-p", MC_GLIBC_MALLOC),
	    G(A(0) + 132 * KiB, A(1), "---p", MC_GLIBC_MALLOC),
	    /* a head grown to the whole 64 MiB, right after the previous tail */
	    G(A(1), A(2), "rw-p", MC_GLIBC_MALLOC),
	    /* aligned but not 64 MiB and no tail after it */
	    G(A(4), A(4) + 132 * KiB, "rw-p", MC_OTHER_ANON),
	    /* aligned, followed by a ---p that does not end 64 MiB later: the
	     * ---p is a Go-style reservation, the rw its head */
	    G(A(6), A(6) + 132 * KiB, "rw-p", MC_GO_RUNTIME),
	    G(A(6) + 132 * KiB, A(6) + 32 * MiB, "---p", MC_GO_RUNTIME),
	    /* aligned but 128 MiB */
	    G(A(8), A(10), "rw-p", MC_OTHER_ANON),
	    /* not aligned, with a ---p to the next 64 MiB boundary */
	    G(A(11) + 4 * KiB, A(11) + 136 * KiB, "rw-p", MC_GO_RUNTIME),
	    G(A(11) + 136 * KiB, A(12), "---p", MC_GO_RUNTIME),
	    /* a tail is not a Go reservation: the rw right after it is other */
	    G(A(13), A(13) + 132 * KiB, "rw-p", MC_GLIBC_MALLOC),
	    G(A(13) + 132 * KiB, A(14), "---p", MC_GLIBC_MALLOC),
	    G(A(14), A(14) + 1 * MiB, "rw-p", MC_OTHER_ANON),
	    /* a tail that ends a page short of 64 MiB is not the arena's */
	    G(A(16), A(16) + 132 * KiB, "rw-p", MC_GO_RUNTIME),
	    G(A(16) + 132 * KiB, A(17) - 4 * KiB, "---p", MC_GO_RUNTIME),
	    /* a whole-64 MiB head, then a reservation that is not its tail */
	    G(A(18), A(19), "rw-p", MC_GLIBC_MALLOC),
	    G(A(19), A(19) + 100 * MiB, "---p", MC_GO_RUNTIME),
	    /* [heap] then a ---p: no arena */
	    V(A(22) - 132 * KiB, A(22), "rw-p", "[heap]", MC_GLIBC_MALLOC),
	    G(A(22), A(23), "---p", MC_GO_RUNTIME),
	    /* the "tail" is a library's ---p gap: no arena, no reservation */
	    G(A(24), A(24) + 132 * KiB, "rw-p", MC_OTHER_ANON),
	    V(A(24) + 132 * KiB, A(25), "---p", "/opt/app/lib/libz.so.1", MC_LIBS),
	};
	check(v, N(v));
}

/* ---- pthread stacks --------------------------------------------------------- */

#define S(i) (UINT64_C(0x7f1000001000) + (uint64_t)(i)*16 * MiB)

static void test_thread_stacks(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    /* a 4 KiB guard, then the 8 MiB stack */
	    V(S(0), S(0) + 4 * KiB, "---p", "", MC_THREAD_STACKS),
	    V(S(0) + 4 * KiB, S(0) + 4 * KiB + 8 * MiB, "rw-p", "", MC_THREAD_STACKS),
	    /* and another right above it */
	    V(S(0) + 4 * KiB + 8 * MiB, S(0) + 8 * KiB + 8 * MiB, "---p", "", MC_THREAD_STACKS),
	    V(S(0) + 8 * KiB + 8 * MiB, S(0) + 8 * KiB + 16 * MiB, "rw-p", "", MC_THREAD_STACKS),
	    /* a 64 KiB guard is still a guard */
	    V(S(2), S(2) + 64 * KiB, "---p", "", MC_THREAD_STACKS),
	    V(S(2) + 64 * KiB, S(2) + 64 * KiB + 8 * MiB, "rw-p", "", MC_THREAD_STACKS),
	    /* 68 KiB is a reservation, and the rw above it its part */
	    V(S(3), S(3) + 68 * KiB, "---p", "", MC_GO_RUNTIME),
	    V(S(3) + 68 * KiB, S(3) + 68 * KiB + 8 * MiB, "rw-p", "", MC_GO_RUNTIME),
	    /* a guard a page away from the rw: not a stack */
	    V(S(4), S(4) + 4 * KiB, "---p", "", MC_GO_RUNTIME),
	    V(S(4) + 8 * KiB, S(4) + 8 * KiB + 8 * MiB, "rw-p", "", MC_OTHER_ANON),
	    /* a guard below a read-only mapping: not a stack */
	    V(S(5), S(5) + 4 * KiB, "---p", "", MC_GO_RUNTIME),
	    V(S(5) + 4 * KiB, S(5) + 8 * KiB, "r--p", "", MC_OTHER_ANON),
	    /* a guard below a file: not a stack */
	    V(S(6), S(6) + 4 * KiB, "---p", "", MC_GO_RUNTIME),
	    V(S(6) + 4 * KiB, S(6) + 8 * KiB, "rw-p", "/var/lib/app/data.db", MC_FILES),
	    /* an rw with a guard above it (not below) is not a stack */
	    V(S(7), S(7) + 8 * MiB, "rw-p", "", MC_OTHER_ANON),
	    V(S(7) + 8 * MiB, S(7) + 8 * MiB + 4 * KiB, "---p", "", MC_GO_RUNTIME),
	};
	check(v, N(v));
}

/* ---- Go's PROT_NONE reservations -------------------------------------------- */

#define R(i) (UINT64_C(0x7f2000001000) + (uint64_t)(i)*1024 * MiB)

static void test_go_reservations(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    /* rw right before a reservation, the reservation, rw right after */
	    V(R(0), R(0) + 4 * KiB, "rw-p", "", MC_GO_RUNTIME),
	    V(R(0) + 4 * KiB, R(0) + 512 * MiB, "---p", "", MC_GO_RUNTIME),
	    V(R(0) + 512 * MiB, R(0) + 512 * MiB + 4 * KiB, "rw-p", "", MC_GO_RUNTIME),
	    /* and the rw after that one: its neighbours are rw, so other */
	    V(R(0) + 512 * MiB + 4 * KiB, R(0) + 513 * MiB, "rw-p", "", MC_OTHER_ANON),
	    /* a page away from a reservation, either side */
	    V(R(1), R(1) + 4 * KiB, "rw-p", "", MC_OTHER_ANON),
	    V(R(1) + 8 * KiB, R(1) + 100 * MiB, "---p", "", MC_GO_RUNTIME),
	    V(R(1) + 100 * MiB + 4 * KiB, R(1) + 101 * MiB, "rw-p", "", MC_OTHER_ANON),
	    /* a ---p of 64 KiB is no reservation (and with nothing above, no guard) */
	    V(R(2), R(2) + 4 * KiB, "rw-p", "", MC_OTHER_ANON),
	    V(R(2) + 4 * KiB, R(2) + 68 * KiB, "---p", "", MC_GO_RUNTIME),
	    /* read-only next to a reservation: other */
	    V(R(3), R(3) + 4 * KiB, "r--p", "", MC_OTHER_ANON),
	    V(R(3) + 4 * KiB, R(3) + 100 * MiB, "---p", "", MC_GO_RUNTIME),
	    V(R(3) + 100 * MiB, R(3) + 101 * MiB, "r--p", "", MC_OTHER_ANON),
	    /* two reservations with a small rw between them (Go's summaries) */
	    V(R(4), R(4) + 256 * MiB, "---p", "", MC_GO_RUNTIME),
	    V(R(4) + 256 * MiB, R(4) + 256 * MiB + 4 * KiB, "rw-p", "", MC_GO_RUNTIME),
	    V(R(4) + 256 * MiB + 4 * KiB, R(4) + 512 * MiB, "---p", "", MC_GO_RUNTIME),
	};
	check(v, N(v));
}

/* ---- .bss ------------------------------------------------------------------- */

static void test_bss(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x400000, 0x401000, "r--p", "/opt/app/server", MC_EXE),
	    V(0x401000, 0x500000, "r-xp", "/opt/app/server", MC_EXE),
	    V(0x500000, 0x510000, "rw-p", "/opt/app/server", MC_EXE),
	    V(0x510000, 0x530000, "rw-p", "", MC_EXE),
	    /* only the first anonymous mapping after the file */
	    V(0x530000, 0x540000, "rw-p", "", MC_OTHER_ANON),
	    /* not rw */
	    V(0x600000, 0x601000, "r--p", "/opt/app/server", MC_EXE),
	    V(0x601000, 0x602000, "r--p", "", MC_OTHER_ANON),
	    /* not adjacent */
	    V(0x700000, 0x701000, "rw-p", "/opt/app/server", MC_EXE),
	    V(0x702000, 0x710000, "rw-p", "", MC_OTHER_ANON),
	    /* the Go heap rule comes first: the exe's neighbour in the arena range */
	    V(0xbffffff000, 0xc000000000, "rw-p", "/opt/app/server", MC_EXE),
	    V(0xc000000000, 0xc004000000, "rw-p", "", MC_GO_HEAP),
	    /* a library's */
	    V(0x7f3000010000, 0x7f3000020000, "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
	      MC_LIBS),
	    V(0x7f3000020000, 0x7f3000022000, "rw-p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
	      MC_LIBS),
	    V(0x7f3000022000, 0x7f300002f000, "rw-p", "", MC_LIBS),
	    /* rw-s anonymous after a library is shared memory first */
	    V(0x7f3000100000, 0x7f3000101000, "rw-p", "/opt/app/lib/libfoo.so", MC_LIBS),
	    V(0x7f3000101000, 0x7f3000102000, "rw-s", "", MC_SHMEM),
	    /* other files have no .bss */
	    V(0x7f3000200000, 0x7f3000201000, "rw-p", "/var/lib/app/data.db", MC_FILES),
	    V(0x7f3000201000, 0x7f3000202000, "rw-p", "", MC_OTHER_ANON),
	};
	check(v, N(v));
}

/* ---- the first and the last mapping ----------------------------------------- */

static void test_first_and_last(void **state)
{
	(void)state;
	/* the first mapping looks ahead only */
	static const struct vma guard_first[] = {
	    V(0x7f0000001000, 0x7f0000002000, "---p", "", MC_THREAD_STACKS),
	    V(0x7f0000002000, 0x7f0000802000, "rw-p", "", MC_THREAD_STACKS),
	};
	check(guard_first, N(guard_first));
	static const struct vma head_first[] = {
	    G(A(0), A(0) + 132 * KiB, "rw-p", MC_GLIBC_MALLOC),
	    G(A(0) + 132 * KiB, A(1), "---p", MC_GLIBC_MALLOC),
	};
	check(head_first, N(head_first));
	static const struct vma rw_first[] = {
	    V(R(0), R(0) + 4 * KiB, "rw-p", "", MC_GO_RUNTIME),
	    V(R(0) + 4 * KiB, R(0) + 512 * MiB, "---p", "", MC_GO_RUNTIME),
	};
	check(rw_first, N(rw_first));
	/* a tail with no head before it (the head unmapped) */
	static const struct vma tail_first[] = {
	    V(A(0) + 132 * KiB, A(1), "---p", "", MC_GO_RUNTIME),
	};
	check(tail_first, N(tail_first));
	/* an anonymous rw first has no file before it: no .bss */
	static const struct vma anon_first[] = {
	    V(0x10000, 0x11000, "rw-p", "", MC_OTHER_ANON),
	    V(0x400000, 0x401000, "r--p", "/opt/app/server", MC_EXE),
	};
	check(anon_first, N(anon_first));

	/* the last mapping looks back only */
	static const struct vma guard_last[] = {
	    V(0x7f0000000000, 0x7f0000001000, "rw-p", "", MC_OTHER_ANON),
	    V(0x7f0000002000, 0x7f0000003000, "---p", "", MC_GO_RUNTIME),
	};
	check(guard_last, N(guard_last));
	static const struct vma stack_last[] = {
	    V(0x7f0000001000, 0x7f0000002000, "---p", "", MC_THREAD_STACKS),
	    V(0x7f0000002000, 0x7f0000802000, "rw-p", "", MC_THREAD_STACKS),
	};
	check(stack_last, N(stack_last));
	/* a head without its tail after it: cannot be told from any rw */
	static const struct vma head_last[] = {
	    V(0x400000, 0x401000, "r--p", "/opt/app/server", MC_EXE),
	    V(A(0), A(0) + 132 * KiB, "rw-p", "", MC_OTHER_ANON),
	};
	check(head_last, N(head_last));
	static const struct vma tail_last[] = {
	    V(0x400000, 0x401000, "r--p", "/opt/app/server", MC_EXE),
	    G(A(0), A(0) + 132 * KiB, "rw-p", MC_GLIBC_MALLOC),
	    G(A(0) + 132 * KiB, A(1), "---p", MC_GLIBC_MALLOC),
	};
	check(tail_last, N(tail_last));
	static const struct vma rw_last[] = {
	    V(R(0), R(0) + 512 * MiB, "---p", "", MC_GO_RUNTIME),
	    V(R(0) + 512 * MiB, R(0) + 512 * MiB + 4 * KiB, "rw-p", "", MC_GO_RUNTIME),
	};
	check(rw_last, N(rw_last));
	static const struct vma bss_last[] = {
	    V(0x400000, 0x401000, "rw-p", "/opt/app/server", MC_EXE),
	    V(0x401000, 0x402000, "rw-p", "", MC_EXE),
	};
	check(bss_last, N(bss_last));
	/* one mapping alone */
	static const struct vma one[] = {
	    V(0x7f0000000000, 0x7f0000001000, "rw-p", "", MC_OTHER_ANON),
	};
	check(one, N(one));
}

static void test_empty(void **state)
{
	(void)state;
	struct mapping_summary s;
	struct err e = {0};
	assert_int_equal(classify_smaps("", 0, "/opt/app/server", NULL, 1, &s, &e), 0);
	assert_int_equal(s.have, 1);
	assert_int_equal(s.mappings, 0);
	assert_int_equal(s.n_rows, 0);
	assert_int_equal(s.n_files, 0);
	for (int k = 0; k < MC_COUNT; k++)
		assert_int_equal(s.cls[k].mappings, 0);
	mapping_summary_free(&s);
	/* finish without any push */
	struct map_classifier c;
	map_classifier_init(&c, &s, "", NULL, 0);
	assert_int_equal(map_classifier_finish(&c, &e), 0);
	assert_int_equal(s.mappings, 0);
}

static void test_bad_smaps(void **state)
{
	(void)state;
	struct mapping_summary s;
	struct err e = {0};
	const char *t = "00400000-00401000 r--p 00000000 fe:00 1 /x\nRss 4 kB\n";
	assert_int_equal(classify_smaps(t, strlen(t), "", NULL, 1, &s, &e), ERR_PROC);
	assert_int_equal(e.code, ERR_PROC);
	assert_non_null(strstr(e.msg, "smaps"));
	mapping_summary_free(&s);
}

/* ---- counters summed per class ---------------------------------------------- */

static void test_class_sums(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    {.start = 0xc000000000,
	     .end = 0xc004000000,
	     .perms = "rw-p",
	     .path = "",
	     .want = MC_GO_HEAP,
	     .rss = 60000,
	     .swap = 100,
	     .lazy_free = 2000,
	     .anon_huge = 4096},
	    {.start = 0xc004000000,
	     .end = 0xc008000000,
	     .perms = "---p",
	     .path = "",
	     .want = MC_GO_HEAP},
	    {.start = 0x7f0000000000,
	     .end = 0x7f0000100000,
	     .perms = "rw-p",
	     .path = "",
	     .want = MC_OTHER_ANON,
	     .rss = 1000,
	     .swap = 24},
	};
	struct mapping_summary s;
	check_exe(v, N(v), "", &s);
	const struct class_total *h = &s.cls[MC_GO_HEAP];
	assert_int_equal(h->mappings, 2);
	assert_int_equal(h->size, 128 * MiB);
	assert_int_equal(h->reserved, 64 * MiB);
	assert_int_equal(h->rss, 60000 * KiB);
	assert_int_equal(h->anonymous, 60000 * KiB);
	assert_int_equal(h->private_dirty, 60000 * KiB);
	assert_int_equal(h->swap, 100 * KiB);
	assert_int_equal(h->lazy_free, 2000 * KiB);
	assert_int_equal(h->anon_huge, 4096 * KiB);
	/* 60000 + 100 - 2000 KiB */
	assert_int_equal(class_anon_footprint(h), 58100 * KiB);
	const struct class_total *o = &s.cls[MC_OTHER_ANON];
	assert_int_equal(o->reserved, 0);
	assert_int_equal(class_anon_footprint(o), 1024 * KiB);
	assert_int_equal(s.rows[0].swap, 100 * KiB);
	assert_int_equal(s.rows[0].lazy_free, 2000 * KiB);
	assert_int_equal(s.rows[0].anon_huge, 4096 * KiB);
	assert_int_equal(s.rows[0].anonymous, 60000 * KiB);
	assert_int_equal(s.rows[0].rss, 60000 * KiB);
	mapping_summary_free(&s);
}

/* Counters the kernel did not print count as 0, never as garbage. */
static void test_missing_counters(void **state)
{
	(void)state;
	const char *t = "c000000000-c000400000 rw-p 00000000 00:00 0 \n"
			"Rss:                 8 kB\n"
			"c000400000-c004000000 ---p 00000000 00:00 0 \n";
	struct mapping_summary s;
	struct err e = {0};
	assert_int_equal(classify_smaps(t, strlen(t), "", NULL, 0, &s, &e), 0);
	assert_int_equal(s.mappings, 2);
	assert_int_equal(s.cls[MC_GO_HEAP].mappings, 2);
	assert_int_equal(s.cls[MC_GO_HEAP].size, 64 * MiB);
	assert_int_equal(s.cls[MC_GO_HEAP].rss, 8 * KiB);
	assert_int_equal(s.cls[MC_GO_HEAP].anonymous, 0);
	assert_int_equal(s.cls[MC_GO_HEAP].swap, 0);
	assert_null(s.rows);
	mapping_summary_free(&s);
}

static void test_anon_footprint(void **state)
{
	(void)state;
	struct class_total t = {0};
	assert_int_equal(class_anon_footprint(&t), 0);
	t.anonymous = 100;
	t.swap = 20;
	t.lazy_free = 30;
	assert_int_equal(class_anon_footprint(&t), 90);
	t.lazy_free = 120; /* all of it lazily freed */
	assert_int_equal(class_anon_footprint(&t), 0);
	t.lazy_free = 200; /* more than there is: never below 0 */
	assert_int_equal(class_anon_footprint(&t), 0);
	t.lazy_free = 0;
	t.rss = 1 << 30; /* not part of it */
	t.size = 1 << 30;
	assert_int_equal(class_anon_footprint(&t), 120);
	t.anonymous = UINT64_MAX / 2;
	t.swap = UINT64_MAX / 2;
	assert_int_equal(class_anon_footprint(&t), UINT64_MAX - 1);
}

static void test_class_names(void **state)
{
	(void)state;
	static const char *const names[MC_COUNT] = {
	    "go_heap",	     "go_runtime", "executable",   "libraries",	    "files",
	    "shared_memory", "main_stack", "glibc_malloc", "thread_stacks", "other_anon",
	    "race_detector",
	};
	for (int k = 0; k < MC_COUNT; k++) {
		assert_string_equal(map_class_name((enum map_class)k), names[k]);
		const char *label = map_class_label((enum map_class)k);
		assert_non_null(label);
		assert_true(label[0] != '\0');
		assert_string_not_equal(label, "unknown");
	}
	assert_string_equal(map_class_label(MC_GO_HEAP), "Go heap arenas");
	assert_string_equal(map_class_name(MC_COUNT), "unknown");
	assert_string_equal(map_class_label(MC_COUNT), "unknown");
}

/* ---- top files -------------------------------------------------------------- */

static const struct top_file *find_file(const struct mapping_summary *s, const char *path)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i].path, path) == 0)
			return &s->files[i];
	return NULL;
}

#define F(i, path_, rss_)                                                           \
	{                                                                           \
		.start = UINT64_C(0x7f4000000000) + (uint64_t)(i)*0x100000,         \
		.end = UINT64_C(0x7f4000000000) + (uint64_t)(i)*0x100000 + 0x10000, \
		.perms = "r--p", .path = (path_), .want = MC_FILES, .rss = (rss_)   \
	}

static void test_top_files(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    V(0x400000, 0x401000, "r--p", "/opt/app/server", MC_EXE),
	    F(0, "/data/f1", 100),
	    /* three mappings of one file: 10 + 20 + 30 */
	    F(1, "/data/f2", 10),
	    F(2, "/data/f2", 20),
	    F(3, "/data/f2", 30),
	    F(4, "/data/f3", 50),
	    F(5, "/data/f4", 40),
	    F(6, "/data/f5", 10),  /* the fifth: full now, f5 the smallest */
	    F(7, "/data/f6", 200), /* replaces f5 */
	    F(8, "/data/f7", 5),   /* smaller than all: not kept */
	    F(9, "/data/f8", 40),  /* as large as the smallest (f4): not kept */
	    /* not "other mapped files" */
	    V(0x7f5000000000, 0x7f5000100000, "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6",
	      MC_LIBS),
	    V(0x7f5000200000, 0x7f5000300000, "rw-s", "/dev/shm/big", MC_SHMEM),
	    V(0x7f5000400000, 0x7f5000500000, "r--p", "/opt/app/server", MC_EXE),
	};
	struct mapping_summary s;
	check_exe(v, N(v), "/opt/app/server", &s);
	assert_int_equal(s.n_files, TOP_FILES);
	static const struct {
		const char *path;
		uint64_t rss_kib, size;
	} want[] = {
	    {"/data/f1", 100, 64 * KiB}, {"/data/f2", 60, 3 * 64 * KiB}, {"/data/f3", 50, 64 * KiB},
	    {"/data/f4", 40, 64 * KiB},	 {"/data/f6", 200, 64 * KiB},
	};
	for (size_t i = 0; i < N(want); i++) {
		const struct top_file *f = find_file(&s, want[i].path);
		if (!f)
			fail_msg("%s is not among the top files", want[i].path);
		assert_int_equal(f->rss, want[i].rss_kib * KiB);
		assert_int_equal(f->size, want[i].size);
	}
	assert_null(find_file(&s, "/data/f5"));
	assert_null(find_file(&s, "/data/f7"));
	assert_null(find_file(&s, "/data/f8"));
	assert_null(find_file(&s, "/opt/app/server"));
	assert_null(find_file(&s, "/dev/shm/big"));
	/* the class has them all: 100+60+50+40+10+200+5+40 KiB */
	assert_int_equal(s.cls[MC_FILES].rss, 505 * KiB);
	assert_int_equal(s.cls[MC_FILES].mappings, 10);
	mapping_summary_free(&s);
}

static void test_top_files_few(void **state)
{
	(void)state;
	static const struct vma v[] = {
	    F(0, "/data/a", 7),
	    F(1, "/data/b", 0),
	    F(2, "/data/a", 3),
	};
	struct mapping_summary s;
	/* exe given, so /data/a is not taken as the executable */
	check_exe(v, N(v), "/opt/app/server", &s);
	assert_int_equal(s.n_files, 2);
	assert_int_equal(find_file(&s, "/data/a")->rss, 10 * KiB);
	assert_int_equal(find_file(&s, "/data/a")->size, 128 * KiB);
	assert_int_equal(find_file(&s, "/data/b")->rss, 0);
	mapping_summary_free(&s);
}

/* A path longer than top_file.path (256): the mappings of one file are
 * still one file.  Paths this long are real (container overlay paths read
 * from the host, deep nix or node_modules trees). */
static void test_top_files_long_path(void **state)
{
	(void)state;
	char path[320];
	memset(path, 'd', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	memcpy(path + sizeof path - 8, "/x.data", 8);
	const struct vma v[] = {
	    F(0, path, 30),
	    F(1, path, 12),
	};
	struct mapping_summary s;
	check_exe(v, N(v), "/opt/app/server", &s);
	assert_int_equal(s.n_files, 1);
	assert_int_equal(s.files[0].rss, 42 * KiB);
	assert_int_equal(s.files[0].size, 128 * KiB);
	mapping_summary_free(&s);
}

/* ---- kept rows -------------------------------------------------------------- */

static void test_keep_rows_grow(void **state)
{
	(void)state;
	/* more than the first allocation of 256 rows */
	enum { n = 1000 };
	static struct vma v[n];
	static char paths[n][32];
	for (size_t i = 0; i < n; i++) {
		uint64_t a = UINT64_C(0x7f6000000000) + i * 0x10000;
		if (i % 2) {
			snprintf(paths[i], sizeof paths[i], "/data/file%zu", i);
			v[i] = (struct vma)V(a, a + 0x1000, "r--p", paths[i], MC_FILES);
		} else {
			paths[i][0] = '\0';
			v[i] = (struct vma)V(a, a + 0x1000, "rw-p", paths[i], MC_OTHER_ANON);
		}
	}
	struct mapping_summary s;
	check_exe(v, n, "/opt/app/server", &s);
	assert_true(s.cap_rows >= n);
	mapping_summary_free(&s);
	assert_null(s.rows);
	assert_int_equal(s.n_rows, 0);
	assert_int_equal(s.cap_rows, 0);
	mapping_summary_free(&s); /* twice is fine */
	mapping_summary_free(NULL);
}

/* ---- real captures ---------------------------------------------------------- */

struct capture_case {
	const char *dir;
	const char *exe; /* as /proc/PID/exe named it */
	uint64_t mappings;
	uint64_t size_kib;
	uint64_t count[MC_COUNT];
};

/* Mappings and total Size per file:
 *   grep -cE '^[0-9a-f]+-[0-9a-f]+ ' smaps
 *   awk '/^Size:/{s+=$2} END{print s}' smaps
 * Class counts worked out mapping by mapping from the rules (see the
 * go1.19-cgo walk-through in test_go119_cgo_addresses). */
static const struct capture_case captures[] = {
    {"go1.19-cgo",
     "/tmp/gob/memsvc-cgo",
     78,
     1534580,
     {[MC_GO_HEAP] = 2,
      [MC_GO_RUNTIME] = 13,
      [MC_EXE] = 6,
      [MC_LIBS] = 15,
      [MC_MAIN_STACK] = 1,
      [MC_GLIBC_MALLOC] = 17,
      [MC_THREAD_STACKS] = 16,
      [MC_OTHER_ANON] = 8}},
    /* static: no [heap], no libraries but the kernel's, no thread stacks;
     * the -mmap 4MiB block at 0x7fa73ca00000 and two more rw are other */
    {"go1.19-pure",
     "/work/main/build/tests/targets/memsvc-go1.19-pure",
     27,
     725196,
     {[MC_GO_HEAP] = 2,
      [MC_GO_RUNTIME] = 13,
      [MC_EXE] = 4,
      [MC_LIBS] = 4,
      [MC_MAIN_STACK] = 1,
      [MC_OTHER_ANON] = 3}},
    /* the 33 MiB "nh" rw below the first reservation is go_runtime */
    {"go1.21-pure",
     "/work/main/build/tests/targets/memsvc-go1.21-pure",
     27,
     1236396,
     {[MC_GO_HEAP] = 2,
      [MC_GO_RUNTIME] = 15,
      [MC_EXE] = 4,
      [MC_LIBS] = 4,
      [MC_MAIN_STACK] = 1,
      [MC_OTHER_ANON] = 1}},
    /* 7 glibc arenas and [heap]; 7 thread stacks; the -cmalloc 32MiB block
     * (0x7f22b119a000, 35208 KiB) is other */
    {"go1.22-cgo",
     "/work/main/build/tests/targets/memsvc-go1.22-cgo",
     71,
     1787072,
     {[MC_GO_HEAP] = 2,
      [MC_GO_RUNTIME] = 14,
      [MC_EXE] = 6,
      [MC_LIBS] = 15,
      [MC_MAIN_STACK] = 1,
      [MC_GLIBC_MALLOC] = 15,
      [MC_THREAD_STACKS] = 14,
      [MC_OTHER_ANON] = 4}},
    {"go1.23-cgo",
     "/work/main/build/tests/targets/memsvc-go1.23-cgo",
     74,
     1770868,
     {[MC_GO_HEAP] = 2,
      [MC_GO_RUNTIME] = 14,
      [MC_EXE] = 6,
      [MC_LIBS] = 15,
      [MC_MAIN_STACK] = 1,
      [MC_GLIBC_MALLOC] = 15,
      [MC_THREAD_STACKS] = 14,
      [MC_OTHER_ANON] = 7}},
    {"go1.23-pure",
     "/tmp/gob/memsvc-123",
     29,
     1235752,
     {[MC_GO_HEAP] = 2,
      [MC_GO_RUNTIME] = 15,
      [MC_EXE] = 4,
      [MC_LIBS] = 4,
      [MC_MAIN_STACK] = 1,
      [MC_OTHER_ANON] = 3}},
};

static size_t row_at(const struct mapping_summary *s, uint64_t start)
{
	for (size_t i = 0; i < s->n_rows; i++)
		if (s->rows[i].start == start)
			return i;
	fail_msg("no mapping starts at %llx", (unsigned long long)start);
	return 0;
}

static void expect_at(const struct mapping_summary *s, uint64_t start, enum map_class want)
{
	const struct mapping_row *r = &s->rows[row_at(s, start)];
	if (r->cls != want)
		fail_msg("%llx-%llx %s \"%s\" is %s, expected %s", (unsigned long long)r->start,
			 (unsigned long long)r->end, r->perms, r->path, map_class_name(r->cls),
			 map_class_name(want));
}

static int classify_capture(const struct capture_case *c, const char *exe, int keep_rows,
			    struct mapping_summary *s)
{
	char rel[128];
	size_t len;
	struct err e = {0};
	snprintf(rel, sizeof rel, "%s/smaps", c->dir);
	char *buf = read_data(rel, &len);
	int rc = classify_smaps(buf, len, exe, NULL, keep_rows, s, &e);
	if (rc)
		fail_msg("%s: %s", c->dir, e.msg);
	free(buf);
	return rc;
}

static void test_real_capture(void **state)
{
	const struct capture_case *c = *state;
	struct mapping_summary s, u, chunked;
	classify_capture(c, c->exe, 1, &s);
	assert_int_equal(s.mappings, c->mappings);
	assert_int_equal(s.n_rows, c->mappings);
	uint64_t size = 0, rows_size = 0;
	for (int k = 0; k < MC_COUNT; k++) {
		if (s.cls[k].mappings != c->count[k])
			fail_msg("%s: %s has %llu mappings, expected %llu", c->dir,
				 map_class_name((enum map_class)k),
				 (unsigned long long)s.cls[k].mappings,
				 (unsigned long long)c->count[k]);
		size += s.cls[k].size;
		assert_true(s.cls[k].reserved <= s.cls[k].size);
		assert_true(s.cls[k].anonymous <= s.cls[k].rss);
	}
	for (size_t i = 0; i < s.n_rows; i++)
		rows_size += s.rows[i].end - s.rows[i].start;
	assert_int_equal(size, c->size_kib * KiB);
	assert_int_equal(rows_size, c->size_kib * KiB);
	assert_int_equal(s.cls[MC_FILES].mappings, 0);
	assert_int_equal(s.cls[MC_SHMEM].mappings, 0);
	assert_int_equal(s.n_files, 0);
	/* Go's first arena is at 0xc000000000 in every capture */
	expect_at(&s, UINT64_C(0xc000000000), MC_GO_HEAP);

	/* The executable's path not given: the first file is it, same classes. */
	classify_capture(c, "", 1, &u);
	assert_int_equal(u.n_rows, s.n_rows);
	for (size_t i = 0; i < s.n_rows; i++)
		if (u.rows[i].cls != s.rows[i].cls)
			fail_msg("%s: mapping %llx is %s without the exe path, %s with it", c->dir,
				 (unsigned long long)s.rows[i].start, map_class_name(u.rows[i].cls),
				 map_class_name(s.rows[i].cls));
	mapping_summary_free(&u);

	/* Streamed through the parser in 4 KiB chunks: the same sums. */
	char rel[128];
	size_t len;
	struct err e = {0};
	snprintf(rel, sizeof rel, "%s/smaps", c->dir);
	char *buf = read_data(rel, &len);
	struct map_classifier *mc = xmalloc(sizeof *mc);
	struct smaps_parser *p = xmalloc(sizeof *p);
	map_classifier_init(mc, &chunked, c->exe, NULL, 0);
	smaps_parser_init(p, map_classifier_mapping_fn, mc);
	for (size_t off = 0; off < len; off += 4096)
		assert_int_equal(
		    smaps_parser_feed(p, buf + off, len - off < 4096 ? len - off : 4096, &e), 0);
	assert_int_equal(smaps_parser_finish(p, &e), 0);
	assert_int_equal(map_classifier_finish(mc, &e), 0);
	assert_int_equal(chunked.mappings, s.mappings);
	assert_null(chunked.rows);
	assert_memory_equal(chunked.cls, s.cls, sizeof s.cls);
	free(mc);
	free(p);
	free(buf);
	mapping_summary_free(&s);
}

/* tests/data/go1.19-cgo/smaps, mapping by mapping. */
static void test_go119_cgo_addresses(void **state)
{
	(void)state;
	struct mapping_summary s;
	classify_capture(&captures[0], "/tmp/gob/memsvc-cgo", 1, &s);

	/* The executable (5 file mappings) and its .bss right after it. */
	static const uint64_t exe[] = {0x400000, 0x402000, 0x81d000, 0xc39000, 0xc3a000, 0xc80000};
	for (size_t i = 0; i < N(exe); i++)
		expect_at(&s, exe[i], MC_EXE);
	expect_at(&s, 0x1e9b9000, MC_GLIBC_MALLOC); /* [heap] */

	/* The Go heap: rw, then the ---p rest of the 128 MiB. */
	expect_at(&s, 0xc000000000, MC_GO_HEAP);
	expect_at(&s, 0xc004400000, MC_GO_HEAP);

	/* Eight glibc arenas: a 132 KiB rw head at a 64 MiB-aligned address,
	 * its ---p tail to the next 64 MiB (VmFlags "nr"). */
	static const uint64_t arena[] = {0x7f3d18000000, 0x7f3d20000000, 0x7f3d24000000,
					 0x7f3d28000000, 0x7f3d34000000, 0x7f3d3c000000,
					 0x7f3d40000000, 0x7f3d44000000};
	for (size_t i = 0; i < N(arena); i++) {
		expect_at(&s, arena[i], MC_GLIBC_MALLOC);
		expect_at(&s, arena[i] + 0x21000, MC_GLIBC_MALLOC);
		assert_int_equal(s.rows[row_at(&s, arena[i] + 0x21000)].end, arena[i] + 64 * MiB);
	}

	/* Eight pthread stacks: a 4 KiB ---p guard, the 8 MiB rw above it
	 * (VmFlags "nh"). */
	static const uint64_t guard[] = {0x7f3d2cff8000, 0x7f3d2d7f9000, 0x7f3d387fc000,
					 0x7f3d48098000, 0x7f3d4918b000, 0x7f3d4998c000,
					 0x7f3d4a18d000, 0x7f3d4aaee000};
	for (size_t i = 0; i < N(guard); i++) {
		expect_at(&s, guard[i], MC_THREAD_STACKS);
		expect_at(&s, guard[i] + 0x1000, MC_THREAD_STACKS);
		const struct mapping_row *st = &s.rows[row_at(&s, guard[i] + 0x1000)];
		assert_int_equal(st->end - st->start, 8 * MiB);
	}

	/* Go's PROT_NONE reservations (page summaries, scavenger index, ...)
	 * and the small rw parts next to them: 0x7f3d4da00000 and
	 * 0x7f3d72607000 only below one, 0x7f3d72767000 only above one. */
	static const uint64_t go_rt[] = {
	    0x7f3d4da00000, 0x7f3d4da07000, 0x7f3d5df80000, 0x7f3d5df81000, 0x7f3d6fe30000,
	    0x7f3d6fe31000, 0x7f3d72206000, 0x7f3d72207000, 0x7f3d72607000, 0x7f3d72667000,
	    0x7f3d726e7000, 0x7f3d726e8000, 0x7f3d72767000};
	for (size_t i = 0; i < N(go_rt); i++)
		expect_at(&s, go_rt[i], MC_GO_RUNTIME);

	/* Other anonymous: the C malloc'd blocks (96 MiB with 98328 KiB
	 * resident, 48 MiB with 49164 KiB), Go's sysAlloc'd metadata, a THP
	 * candidate ("hg") and a small rw below [vvar]. */
	static const uint64_t other[] = {0x7f3d2dffa000, 0x7f3d38ffd000, 0x7f3d48058000,
					 0x7f3d48899000, 0x7f3d4a98e000, 0x7f3d4b2ef000,
					 0x7f3d4d600000, 0x7f3d729b7000};
	for (size_t i = 0; i < N(other); i++)
		expect_at(&s, other[i], MC_OTHER_ANON);
	assert_int_equal(s.rows[row_at(&s, 0x7f3d2dffa000)].rss, 98328 * KiB);
	assert_int_equal(s.rows[row_at(&s, 0x7f3d38ffd000)].rss, 49164 * KiB);

	/* libc (5) and the anonymous mapping right after its data, ld.so (5),
	 * the kernel's [vvar], [vvar_vclock], [vdso], [vsyscall]. */
	static const uint64_t libs[] = {
	    0x7f3d727ca000, 0x7f3d727f0000, 0x7f3d72946000, 0x7f3d72999000, 0x7f3d7299d000,
	    0x7f3d7299f000, 0x7f3d729b9000, 0x7f3d729bd000, 0x7f3d729bf000, 0x7f3d729c1000,
	    0x7f3d729c2000, 0x7f3d729e8000, 0x7f3d729f2000, 0x7f3d729f4000, 0xffffffffff600000};
	for (size_t i = 0; i < N(libs); i++)
		expect_at(&s, libs[i], MC_LIBS);
	expect_at(&s, 0x7ffd14a0d000, MC_MAIN_STACK);
	mapping_summary_free(&s);
}

/* Per-class sums of go1.19-cgo, in KiB, from the mapping-by-mapping
 * classes above (n counts headers; cls() is that list by position):
 *
 * awk '/^[0-9a-f]+-[0-9a-f]+ /{n++; c=cls(n); p=$2}
 *   /^Size:/{sz[c]+=$2; if(p=="---p")rv[c]+=$2} /^Rss:/{rs[c]+=$2}
 *   /^Anonymous:/{an[c]+=$2} /^Private_Dirty:/{pd[c]+=$2}
 *   function cls(i){ if(i<=6)return "exe"; if(i==7)return "glibc"; if(i<=9)return "go_heap";
 *     if(i<=17)return "glibc"; if(i<=21)return "thread"; if(i==22)return "other";
 *     if(i<=24)return "glibc"; if(i<=26)return "thread"; if(i==27)return "other";
 *     if(i<=33)return "glibc"; if(i==34)return "other"; if(i<=36)return "thread";
 *     if(i==37)return "other"; if(i<=43)return "thread"; if(i==44)return "other";
 *     if(i<=46)return "thread"; if(i<=48)return "other"; if(i<=61)return "go_runtime";
 *     if(i<=67)return "libs"; if(i==68)return "other"; if(i<=76)return "libs";
 *     if(i==77)return "stack"; return "libs"}
 *   END{for(c in sz) print c, sz[c], rv[c]+0, rs[c], an[c], pd[c]}' smaps
 *
 * Swap, LazyFree and AnonHugePages are 0 in every mapping. */
static void test_go119_cgo_sums(void **state)
{
	(void)state;
	static const struct {
		enum map_class k;
		uint64_t size, reserved, rss, anon, private_dirty;
	} want[] = {
	    {MC_GO_HEAP, 131072, 61440, 66856, 66856, 66856},
	    {MC_GO_RUNTIME, 603916, 603092, 372, 372, 372},
	    {MC_EXE, 8968, 0, 8660, 168, 8660},
	    {MC_LIBS, 2176, 0, 1112, 60, 60},
	    {MC_FILES, 0, 0, 0, 0, 0},
	    {MC_SHMEM, 0, 0, 0, 0, 0},
	    {MC_MAIN_STACK, 132, 0, 16, 16, 16},
	    {MC_GLIBC_MALLOC, 524420, 523232, 36, 36, 36},
	    {MC_THREAD_STACKS, 65568, 32, 68, 68, 68},
	    {MC_OTHER_ANON, 198328, 0, 156624, 156624, 156624},
	};
	struct mapping_summary s;
	classify_capture(&captures[0], "/tmp/gob/memsvc-cgo", 0, &s);
	uint64_t size = 0;
	for (size_t i = 0; i < N(want); i++) {
		const struct class_total *t = &s.cls[want[i].k];
		const char *name = map_class_name(want[i].k);
		if (t->size != want[i].size * KiB || t->reserved != want[i].reserved * KiB ||
		    t->rss != want[i].rss * KiB || t->anonymous != want[i].anon * KiB ||
		    t->private_dirty != want[i].private_dirty * KiB)
			fail_msg("%s: size %llu reserved %llu rss %llu anon %llu dirty %llu KiB, "
				 "expected %llu %llu %llu %llu %llu",
				 name, (unsigned long long)(t->size / KiB),
				 (unsigned long long)(t->reserved / KiB),
				 (unsigned long long)(t->rss / KiB),
				 (unsigned long long)(t->anonymous / KiB),
				 (unsigned long long)(t->private_dirty / KiB),
				 (unsigned long long)want[i].size,
				 (unsigned long long)want[i].reserved,
				 (unsigned long long)want[i].rss, (unsigned long long)want[i].anon,
				 (unsigned long long)want[i].private_dirty);
		assert_int_equal(t->swap, 0);
		assert_int_equal(t->lazy_free, 0);
		assert_int_equal(t->anon_huge, 0);
		assert_int_equal(class_anon_footprint(t), want[i].anon * KiB);
		size += t->size;
	}
	/* awk '/^Size:/{s+=$2} END{print s}' smaps */
	assert_int_equal(size, 1534580 * KiB);
	/* awk '/^Rss:/{s+=$2} END{print s}' smaps: 233744 = the classes' rss */
	uint64_t rss = 0;
	for (int k = 0; k < MC_COUNT; k++)
		rss += s.cls[k].rss;
	assert_int_equal(rss, 233744 * KiB);
	assert_null(s.rows);
	mapping_summary_free(&s);
}

/* The kept rows are the smaps headers, read here with sscanf. */
static void test_go119_cgo_rows(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_data("go1.19-cgo/smaps", &len);
	struct mapping_summary s;
	struct err e = {0};
	assert_int_equal(classify_smaps(buf, len, "/tmp/gob/memsvc-cgo", NULL, 1, &s, &e), 0);
	size_t n = 0;
	for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		/* "Key: value" lines fail at the '-' ("Anonymous:" starts with hex A) */
		unsigned long long a, b;
		char perms[8];
		int path_at = 0;
		if (sscanf(l, "%llx-%llx %7s %*s %*s %*s%n", &a, &b, perms, &path_at) != 3 ||
		    path_at == 0)
			continue;
		const char *pp = l + path_at;
		pp += strspn(pp, " \t");
		char path[512];
		snprintf(path, sizeof path, "%.*s", (int)strcspn(pp, "\n"), pp);
		assert_true(n < s.n_rows);
		const struct mapping_row *r = &s.rows[n];
		assert_int_equal(r->start, a);
		assert_int_equal(r->end, b);
		assert_string_equal(r->perms, perms);
		assert_string_equal(r->path, path);
		n++;
	}
	assert_int_equal(n, 78);
	assert_int_equal(s.n_rows, 78);
	/* one row's counters, read off the file: 7f3d2dffa000 Rss/Anonymous 98328 kB */
	const struct mapping_row *r = &s.rows[row_at(&s, 0x7f3d2dffa000)];
	assert_int_equal(r->anonymous, 98328 * KiB);
	assert_int_equal(r->swap, 0);
	mapping_summary_free(&s);
	free(buf);
}

/* The executable's path given but wrong: its mappings are other files, its
 * .bss other anonymous memory. */
static void test_go119_cgo_wrong_exe(void **state)
{
	(void)state;
	struct mapping_summary s;
	classify_capture(&captures[0], "/usr/bin/other", 1, &s);
	assert_int_equal(s.cls[MC_EXE].mappings, 0);
	assert_int_equal(s.cls[MC_FILES].mappings, 5);
	assert_int_equal(s.cls[MC_OTHER_ANON].mappings, 9);
	expect_at(&s, 0xc80000, MC_OTHER_ANON);
	/* awk '/^[0-9a-f]+-[0-9a-f]+ /{f=($6=="/tmp/gob/memsvc-cgo")}
	 *      f&&/^Size:/{s+=$2} f&&/^Rss:/{r+=$2} END{print s, r}' smaps: 8704 8576 */
	assert_int_equal(s.n_files, 1);
	assert_string_equal(s.files[0].path, "/tmp/gob/memsvc-cgo");
	assert_int_equal(s.files[0].size, 8704 * KiB);
	assert_int_equal(s.files[0].rss, 8576 * KiB);
	mapping_summary_free(&s);
}

/* go1.22-cgo: a 40 MiB rw VMA over a 4 KiB guard, right below Go's first
 * reservation.  By its size and flags ("ac nh") it is a pthread stack
 * (8 MiB) that the kernel merged with the Go heap arena index above it
 * (the 32 MiB "nh" rw below the first reservation in go1.23-pure).  One
 * VMA gets one class: all 40 MiB count as thread stacks.  A known limit,
 * pinned here so that a change is noticed. */
static void test_go122_cgo_merged_stack(void **state)
{
	(void)state;
	struct mapping_summary s;
	classify_capture(&captures[3], captures[3].exe, 1, &s);
	expect_at(&s, 0x7f22b4bff000, MC_THREAD_STACKS);
	expect_at(&s, 0x7f22b4c00000, MC_THREAD_STACKS);
	assert_int_equal(s.rows[row_at(&s, 0x7f22b4c00000)].end - 0x7f22b4c00000, 40 * MiB);
	expect_at(&s, 0x7f22b7400000, MC_GO_RUNTIME);
	/* the -cmalloc 32MiB block */
	expect_at(&s, 0x7f22b119a000, MC_OTHER_ANON);
	mapping_summary_free(&s);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_name_go_heap_index),
	    cmocka_unit_test(test_guard_below_named_stack),
	    cmocka_unit_test(test_shared_memory),
	    cmocka_unit_test(test_libraries),
	    cmocka_unit_test(test_exe_given),
	    cmocka_unit_test(test_exe_unknown),
	    cmocka_unit_test(test_go_heap_shape),
	    cmocka_unit_test(test_go_heap_over_256g),
	    cmocka_unit_test(test_go_heap_random_base),
	    cmocka_unit_test(test_go_heap_hint_taken),
	    cmocka_unit_test(test_go_heap_386),
	    cmocka_unit_test(test_go_heap_arm64),
	    cmocka_unit_test(test_small_heap_vs_glibc_arena),
	    cmocka_unit_test(test_race_shadow),
	    cmocka_unit_test(test_glibc_arenas),
	    cmocka_unit_test(test_thread_stacks),
	    cmocka_unit_test(test_go_reservations),
	    cmocka_unit_test(test_bss),
	    cmocka_unit_test(test_first_and_last),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_bad_smaps),
	    cmocka_unit_test(test_class_sums),
	    cmocka_unit_test(test_missing_counters),
	    cmocka_unit_test(test_anon_footprint),
	    cmocka_unit_test(test_class_names),
	    cmocka_unit_test(test_top_files),
	    cmocka_unit_test(test_top_files_few),
	    cmocka_unit_test(test_top_files_long_path),
	    cmocka_unit_test(test_keep_rows_grow),
	    cmocka_unit_test(test_go119_cgo_addresses),
	    cmocka_unit_test(test_go119_cgo_sums),
	    cmocka_unit_test(test_go119_cgo_rows),
	    cmocka_unit_test(test_go119_cgo_wrong_exe),
	    cmocka_unit_test(test_go122_cgo_merged_stack),
	};
	/* One test per capture, named after its folder. */
	enum { n_caps = sizeof captures / sizeof captures[0] };
	static char names[n_caps][64];
	struct CMUnitTest tests[n_caps + sizeof fixed / sizeof fixed[0]];
	for (size_t i = 0; i < n_caps; i++) {
		snprintf(names[i], sizeof names[i], "test_real_capture(%s)", captures[i].dir);
		tests[i] = (struct CMUnitTest){.name = names[i],
					       .test_func = test_real_capture,
					       .initial_state = (void *)&captures[i]};
	}
	memcpy(tests + n_caps, fixed, sizeof fixed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
