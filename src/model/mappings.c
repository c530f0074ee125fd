/* The per-mapping view: classes of mappings, and their sums.  See
 * docs/model.md, "The per-mapping view", for each rule and its source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/mappings.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

/* heapArenaBytes (malloc.go): 64 MiB on 64-bit Linux, 4 MiB on 32-bit.
 * The runtime reserves heap address space in these units, aligned to them,
 * and maps it rw from the start as the heap grows (mheap.go, grow). */
#define ARENA_64 (64 * MiB)
#define ARENA_32 (4 * MiB)
/* pallocChunkBytes: the heap grows, and Go 1.26+ offsets its first arena's
 * start, in these (mheap.go, grow: randomizeHeapBase). */
#define PALLOC_CHUNK (4 * MiB)
/* glibc's thread arenas: HEAP_MAX_SIZE = 2 * DEFAULT_MMAP_THRESHOLD_MAX =
 * 64 MiB on 64-bit, 1 MiB on 32-bit, mapped aligned to it with
 * MAP_NORESERVE (arena.c, new_heap): VmFlags "nr". */
#define GLIBC_ARENA_64 (64 * MiB)
#define GLIBC_ARENA_32 (1 * MiB)
/* pthread stack guards are a page by default; anything small will do. */
#define GUARD_MAX (64 * KiB)
/* The -race runtime's shadow and metadata for Go on 64-bit Linux
 * (compiler-rt tsan_platform.h, MappingGo48: shadow from 0x200000000000,
 * meta shadow up to 0x400000000000; the older runtime also keeps traces at
 * 0x600000000000-0x620000000000); the heap itself stays in
 * [0xc000000000, 0xe000000000) (malloc.go, raceenabled). */
#define RACE_LO	      UINT64_C(0x200000000000)
#define RACE_HI	      UINT64_C(0x400000000000)
#define RACE_TRACE_LO UINT64_C(0x600000000000)
#define RACE_TRACE_HI UINT64_C(0x620000000000)

static const char *const class_names[MC_COUNT][2] = {
    [MC_GO_HEAP] = {"go_heap", "Go heap arenas"},
    [MC_GO_RUNTIME] = {"go_runtime", "Go runtime metadata"},
    [MC_EXE] = {"executable", "the executable"},
    [MC_LIBS] = {"libraries", "shared libraries"},
    [MC_FILES] = {"files", "other mapped files"},
    [MC_SHMEM] = {"shared_memory", "shared memory"},
    [MC_MAIN_STACK] = {"main_stack", "main thread stack"},
    [MC_GLIBC_MALLOC] = {"glibc_malloc", "glibc malloc"},
    [MC_THREAD_STACKS] = {"thread_stacks", "thread stacks"},
    [MC_OTHER_ANON] = {"other_anon", "other anonymous"},
    [MC_RACE] = {"race_detector", "race detector"},
};

const char *map_class_name(enum map_class c)
{
	return c < MC_COUNT ? class_names[c][0] : "unknown";
}

const char *map_class_label(enum map_class c)
{
	return c < MC_COUNT ? class_names[c][1] : "unknown";
}

uint64_t class_anon_footprint(const struct class_total *t)
{
	uint64_t a = t->anonymous + t->swap;
	return a > t->lazy_free ? a - t->lazy_free : 0;
}

void mapping_summary_free(struct mapping_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_rows; i++)
		free(s->rows[i].path);
	free(s->rows);
	s->rows = NULL;
	s->n_rows = s->cap_rows = 0;
}

static int is_32bit(const char *goarch)
{
	static const char *const a32[] = {"386", "arm", "mips", "mipsle", "wasm"};
	for (size_t i = 0; i < sizeof a32 / sizeof a32[0]; i++)
		if (strcmp(goarch, a32[i]) == 0)
			return 1;
	return 0;
}

void map_layout_from_build(const struct go_buildinfo *b, struct map_layout *out)
{
	memset(out, 0, sizeof *out);
	out->arena_bytes = ARENA_64;
	out->glibc_arena = GLIBC_ARENA_64;
	out->hints = HINTS_NONE;
	out->race = -1;
	if (!b || !b->found)
		return;
	out->race = b->race;
	if (is_32bit(b->goarch)) {
		out->arena_bytes = ARENA_32;
		out->glibc_arena = GLIBC_ARENA_32;
		return; /* the heap goes after the binary, at no fixed address */
	}
	/* malloc.go, mallocinit: the fixed hints.  Go 1.26+ draws them at
	 * random on 64-bit unless -race (randomizeHeapBase); a fixed hint is
	 * only evidence, never required. */
	unsigned minor = 0;
	if (sscanf(b->go_version, "go1.%u", &minor) != 1)
		minor = 0;
	if (b->race == 1)
		out->hints = HINTS_RACE;
	else if (minor >= 26 || minor == 0)
		out->hints = HINTS_NONE;
	else if (strcmp(b->goarch, "arm64") == 0)
		out->hints = HINTS_ARM64;
	else if (strcmp(b->goarch, "amd64") == 0)
		out->hints = HINTS_AMD64;
}

void map_classifier_init(struct map_classifier *c, struct mapping_summary *out, const char *exe,
			 const struct go_buildinfo *build, int keep_rows)
{
	memset(c, 0, sizeof *c);
	memset(out, 0, sizeof *out);
	out->have = 1;
	c->out = out;
	c->keep_rows = keep_rows;
	snprintf(c->exe, sizeof c->exe, "%s", exe ? exe : "");
	map_layout_from_build(build, &c->layout);
}

static int starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int is_anon(const struct mapping *m)
{
	return m->path[0] == '\0';
}
static int is_none(const char *perms)
{
	return perms[0] == '-' && perms[1] == '-' && perms[2] == '-';
}
static int is_rw(const char *perms)
{
	return perms[0] == 'r' && perms[1] == 'w';
}
static uint64_t msize(const struct mapping *m)
{
	return m->end - m->start;
}

/* "/usr/bin/x (deleted)" names /usr/bin/x. */
static int same_file(const char *path, const char *exe)
{
	size_t n = strlen(exe);
	if (n == 0 || strncmp(path, exe, n) != 0)
		return 0;
	return path[n] == '\0' || strcmp(path + n, " (deleted)") == 0;
}

static int is_library(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *so = strstr(base, ".so");
	return so && (so[3] == '\0' || so[3] == '.' || so[3] == ' ');
}

/* A Go PROT_NONE reservation: anonymous ---p, larger than a guard page. */
static int go_reservation(const struct mapping *m)
{
	return m && is_anon(m) && is_none(m->perms) && msize(m) > GUARD_MAX;
}

/* One word of VmFlags ("rd wr mr mw me nr ..."). */
static int has_flag(const char *flags, const char *f)
{
	size_t n = strlen(f);
	for (const char *p = flags; *p;) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - p) == n && memcmp(p, f, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/* The kernel printed VmFlags (every kernel since 3.8 does). */
static int flags_known(const struct mapping *m)
{
	return m->vm_flags[0] != '\0';
}

/* MAP_NORESERVE ("nr"): glibc's arenas and the race runtime's shadow map
 * with it; the Go runtime's heap never does (mem_linux.go: sysReserveOS and
 * sysMapOS pass MAP_ANON|MAP_PRIVATE, and MAP_FIXED). */
static int noreserve(const struct mapping *m)
{
	return has_flag(m->vm_flags, "nr");
}

static int in_race_shadow(const struct map_classifier *c, const struct mapping *m)
{
	return c->layout.race == 1 && ((m->start >= RACE_LO && m->end <= RACE_HI) ||
					(m->start >= RACE_TRACE_LO && m->end <= RACE_TRACE_HI));
}

static enum map_class classify(struct map_classifier *c, const struct mapping *m,
			       const struct mapping *next)
{
	const char *p = m->path;
	int adj_prev = c->have_prev && c->prev_end == m->start;
	int adj_next = next && next->start == m->end;
	uint64_t ga = c->layout.glibc_arena;

	/* Names the kernel gives, or the process gave (CONFIG_ANON_VMA_NAME):
	 * Go 1.25+ names its mappings, glibc can name its own. */
	if (strcmp(p, "[heap]") == 0)
		return MC_GLIBC_MALLOC;
	if (strcmp(p, "[stack]") == 0)
		return MC_MAIN_STACK;
	if (starts(p, "[vdso]") || starts(p, "[vvar") || starts(p, "[vsyscall]") ||
	    starts(p, "[uprobes]"))
		return MC_LIBS;
	/* Go 1.25+: "heap" and "heap reservation" are the arenas; "heap index"
	 * (the arena index) and the rest are runtime metadata. */
	if (strcmp(p, "[anon: Go: heap]") == 0 || strcmp(p, "[anon: Go: heap reservation]") == 0)
		return MC_GO_HEAP;
	if (starts(p, "[anon: Go:"))
		return MC_GO_RUNTIME;
	if (starts(p, "[anon: glibc: malloc"))
		return MC_GLIBC_MALLOC;
	if (starts(p, "[anon: glibc: pthread") || starts(p, "[anon: glibc: unused stack"))
		return MC_THREAD_STACKS;
	if (starts(p, "[anon_shmem:"))
		return MC_SHMEM;
	if (starts(p, "[anon:"))
		return MC_OTHER_ANON;

	if (m->perms[3] == 's' && (is_anon(m) || starts(p, "/dev/zero") || starts(p, "/memfd:") ||
				   starts(p, "/dev/shm/") || starts(p, "/SYSV")))
		return MC_SHMEM;

	if (p[0] == '/') {
		if (c->exe[0] == '\0' && m->inode != 0) /* unknown: the first file is it */
			snprintf(c->exe, sizeof c->exe, "%s", p);
		if (same_file(p, c->exe))
			return MC_EXE;
		if (is_library(p))
			return MC_LIBS;
		return MC_FILES;
	}
	if (!is_anon(m))
		return MC_OTHER_ANON; /* some other [name] */

	/* Anonymous, unnamed.  The Go heap is found by its shape over a run of
	 * mappings (run_close); the class here is what a mapping is if the run
	 * it is in is not the heap. */
	if (in_race_shadow(c, m))
		return MC_RACE;
	/* .bss right after a file's data: the file's own. */
	if (adj_prev && !c->prev_anon && (c->prev_class == MC_EXE || c->prev_class == MC_LIBS) &&
	    is_rw(m->perms))
		return c->prev_class;
	/* glibc thread arena: aligned to its size, rw head then ---p tail (or
	 * all rw), MAP_NORESERVE.  Without VmFlags the flag cannot be checked. */
	int glibc_flags = !flags_known(m) || noreserve(m);
	if (glibc_flags && is_rw(m->perms) && m->start % ga == 0 &&
	    (msize(m) == ga || (adj_next && is_anon(next) && is_none(next->perms) &&
				next->end == m->start + ga)))
		return MC_GLIBC_MALLOC;
	if (glibc_flags && is_none(m->perms) && adj_prev && c->prev_class == MC_GLIBC_MALLOC &&
	    c->prev_start % ga == 0 && m->end == c->prev_start + ga)
		return MC_GLIBC_MALLOC;
	/* pthread stack: a small ---p guard, then the rw stack above it. */
	if (is_none(m->perms) && msize(m) <= GUARD_MAX && adj_next &&
	    (is_anon(next) || starts(next->path, "[anon: glibc: pthread")) && is_rw(next->perms))
		return MC_THREAD_STACKS;
	if (is_rw(m->perms) && adj_prev && c->prev_anon && is_none(c->prev_perms) &&
	    c->prev_class == MC_THREAD_STACKS)
		return MC_THREAD_STACKS;
	/* Go's runtime reserves big PROT_NONE ranges (page-allocator summaries,
	 * the scavenger index) and maps small rw parts next to them. */
	if (is_none(m->perms))
		return MC_GO_RUNTIME;
	if (is_rw(m->perms) &&
	    ((adj_next && go_reservation(next)) || (adj_prev && c->prev_reservation)))
		return MC_GO_RUNTIME;
	return MC_OTHER_ANON;
}

static void add_top_file(struct mapping_summary *s, const char *full, uint64_t rss, uint64_t size)
{
	char path[sizeof s->files[0].path];
	snprintf(path, sizeof path, "%s", full); /* compared as it is kept */
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i].path, path) == 0) {
			s->files[i].rss += rss;
			s->files[i].size += size;
			return;
		}
	size_t at = s->n_files;
	if (at == TOP_FILES) {
		at = 0; /* replace the smallest, if this one is larger */
		for (size_t i = 1; i < TOP_FILES; i++)
			if (s->files[i].rss < s->files[at].rss)
				at = i;
		if (s->files[at].rss >= rss)
			return;
	} else {
		s->n_files++;
	}
	snprintf(s->files[at].path, sizeof s->files[at].path, "%s", path);
	s->files[at].rss = rss;
	s->files[at].size = size;
}

static uint64_t v(opt_u64 o)
{
	return o.known ? o.v : 0;
}

static void add_counts(struct class_total *t, const struct mapping *m)
{
	uint64_t size = msize(m);
	t->mappings++;
	t->size += size;
	if (is_none(m->perms))
		t->reserved += size;
	t->rss += v(m->v.rss);
	t->anonymous += v(m->v.anonymous);
	t->swap += v(m->v.swap);
	t->lazy_free += v(m->v.lazy_free);
	t->anon_huge += v(m->v.anon_huge_pages);
	t->private_dirty += v(m->v.private_dirty);
}

static void add_total(struct class_total *t, const struct class_total *a)
{
	t->mappings += a->mappings;
	t->size += a->size;
	t->reserved += a->reserved;
	t->rss += a->rss;
	t->anonymous += a->anonymous;
	t->swap += a->swap;
	t->lazy_free += a->lazy_free;
	t->anon_huge += a->anon_huge;
	t->private_dirty += a->private_dirty;
}

/* Keeps m as a row of class k, when rows are kept. */
static int keep_row(struct map_classifier *c, const struct mapping *m, enum map_class k,
		    struct err *err)
{
	struct mapping_summary *s = c->out;
	if (!c->keep_rows)
		return 0;
	if (s->n_rows == s->cap_rows) {
		size_t cap = s->cap_rows ? s->cap_rows * 2 : 256;
		struct mapping_row *n = realloc(s->rows, cap * sizeof *n);
		if (!n)
			return err_set(err, ERR_INTERNAL, "out of memory keeping %zu mappings",
				       s->n_rows);
		s->rows = n;
		s->cap_rows = cap;
	}
	struct mapping_row *r = &s->rows[s->n_rows];
	r->path = strdup(m->path);
	if (!r->path)
		return err_set(err, ERR_INTERNAL, "out of memory keeping mappings");
	s->n_rows++;
	r->start = m->start;
	r->end = m->end;
	memcpy(r->perms, m->perms, sizeof r->perms);
	r->cls = k;
	r->rss = v(m->v.rss);
	r->anonymous = v(m->v.anonymous);
	r->swap = v(m->v.swap);
	r->lazy_free = v(m->v.lazy_free);
	r->anon_huge = v(m->v.anon_huge_pages);
	return 0;
}

static int account(struct map_classifier *c, const struct mapping *m, enum map_class k,
		   struct err *err)
{
	struct mapping_summary *s = c->out;
	s->mappings++;
	add_counts(&s->cls[k], m);
	if (k == MC_FILES)
		add_top_file(s, m->path, v(m->v.rss), msize(m));
	return keep_row(c, m, k, err);
}

/* ---- the Go heap, by its shape ---------------------------------------------
 *
 * The runtime reserves heap address space in arenas of heapArenaBytes,
 * aligned to it, at a hint address (malloc.go: mallocinit, sysAlloc) and
 * grows the heap up from the start of its current arena (mheap.go: grow,
 * sysMap): rw from where it starts, PROT_NONE after it up to the arena
 * boundary, without MAP_NORESERVE.  Go 1.26+ on 64-bit also starts the first
 * arena's rw part a random number of 4 MiB chunks in, leaving a ---p head
 * (randomizeHeapBase).  So a run of adjacent anonymous private mappings,
 * ---p head, rw, ---p tail, that starts and ends on arena boundaries is
 * Go's heap, wherever it is.  Its mappings are held as per-class sums until
 * the run ends, so memory stays bounded whatever the number of mappings. */

/* A mapping that can be part of a heap run. */
static int run_member(const struct map_classifier *c, const struct mapping *m)
{
	int named = strcmp(m->path, "[anon: Go: heap]") == 0 ||
		    strcmp(m->path, "[anon: Go: heap reservation]") == 0;
	if (!is_anon(m) && !named)
		return 0;
	if (strcmp(m->perms, "rw-p") != 0 && strcmp(m->perms, "---p") != 0)
		return 0;
	return !noreserve(m) && !in_race_shadow(c, m);
}

/* A fixed hint the runtime tries first (malloc.go, mallocinit), where no
 * glibc arena is ever placed. */
static int at_hint(const struct map_layout *l, uint64_t a)
{
	const uint64_t low40 = (UINT64_C(1) << 40) - 1;
	switch (l->hints) {
	case HINTS_AMD64: /* i<<40 | 0x00c0<<32, i = 0..0x7f */
		return (a & low40) == UINT64_C(0xc0) << 32 && (a >> 40) <= 0x7f;
	case HINTS_ARM64: /* i<<40 | 0x0040<<32 */
		return (a & low40) == UINT64_C(0x40) << 32 && (a >> 40) <= 0x7f;
	case HINTS_RACE: /* i<<32 | 0x00c0<<32, below 0x00e000000000 */
		return a >= UINT64_C(0xc0) << 32 && a < UINT64_C(0xe0) << 32 &&
		       a % (UINT64_C(1) << 32) == 0;
	}
	return 0;
}

static void run_open(struct map_classifier *c, const struct mapping *m)
{
	struct heap_run *r = &c->run;
	memset(r, 0, sizeof *r);
	r->active = 1;
	r->start = r->end = m->start;
	r->first_row = c->out->n_rows;
}

/* m continues the run: adjacent, and no rw after the ---p tail. */
static int run_extends(const struct heap_run *r, const struct mapping *m)
{
	return r->end == m->start && !(r->phase == 2 && is_rw(m->perms));
}

static int run_add(struct map_classifier *c, const struct mapping *m, enum map_class k,
		   struct err *err)
{
	struct heap_run *r = &c->run;
	c->out->mappings++;
	add_counts(&r->fb[k], m);
	r->end = m->end;
	if (!flags_known(m))
		r->flags_unknown = 1;
	if (is_rw(m->perms))
		r->phase = 1;
	else if (r->phase == 0)
		r->head += msize(m);
	else
		r->phase = 2;
	return keep_row(c, m, k, err);
}

/* Ends the run: the heap, or each mapping in its own class. */
static void run_close(struct map_classifier *c)
{
	struct heap_run *r = &c->run;
	struct mapping_summary *s = c->out;
	uint64_t a = c->layout.arena_bytes;
	if (!r->active)
		return;
	r->active = 0;
	int heap = r->phase >= 1 && r->start % a == 0 && r->end % a == 0 && r->head < a &&
		   r->head % PALLOC_CHUNK == 0;
	if (!heap) {
		for (int k = 0; k < MC_COUNT; k++)
			add_total(&s->cls[k], &r->fb[k]);
		return;
	}
	struct class_total all = {0};
	for (int k = 0; k < MC_COUNT; k++)
		add_total(&all, &r->fb[k]);
	add_total(&s->cls[MC_GO_HEAP], &all);
	/* One glibc-sized arena, rw from its start, with no VmFlags to show
	 * whether it is MAP_NORESERVE, away from the fixed hints: a small Go
	 * heap and a glibc thread arena look the same. */
	if (r->flags_unknown && r->head == 0 && r->end - r->start == c->layout.glibc_arena &&
	    !at_hint(&c->layout, r->start))
		add_total(&s->heap_uncertain, &all);
	for (size_t i = r->first_row; i < s->n_rows; i++)
		s->rows[i].cls = MC_GO_HEAP;
	/* The next mapping sees the run's last one as what it is. */
	c->prev_class = MC_GO_HEAP;
	c->prev_reservation = 0;
}

/* Classifies the pending mapping, now that the next one (or none) is known. */
static int settle(struct map_classifier *c, const struct mapping *next, struct err *err)
{
	if (!c->have_pending)
		return 0;
	const struct mapping *m = &c->pending;
	int member = run_member(c, m);
	if (c->run.active && !(member && run_extends(&c->run, m)))
		run_close(c);
	enum map_class k = classify(c, m, next);
	int rc;
	if (member) {
		if (!c->run.active)
			run_open(c, m);
		rc = run_add(c, m, k, err);
	} else {
		rc = account(c, m, k, err);
	}
	c->have_prev = 1;
	c->prev_start = m->start;
	c->prev_end = m->end;
	memcpy(c->prev_perms, m->perms, sizeof c->prev_perms);
	c->prev_class = k;
	c->prev_anon = is_anon(m);
	c->prev_reservation = k == MC_GO_RUNTIME && go_reservation(m);
	c->have_pending = 0;
	return rc;
}

int map_classifier_push(struct map_classifier *c, const struct mapping *m, struct err *err)
{
	int rc = settle(c, m, err);
	c->pending = *m;
	c->have_pending = 1;
	return rc;
}

int map_classifier_finish(struct map_classifier *c, struct err *err)
{
	int rc = settle(c, NULL, err);
	run_close(c);
	return rc;
}

int map_classifier_mapping_fn(const struct mapping *m, void *ctx, struct err *err)
{
	return map_classifier_push(ctx, m, err);
}

int classify_smaps(const char *buf, size_t len, const char *exe, const struct go_buildinfo *build,
		   int keep_rows, struct mapping_summary *out, struct err *err)
{
	struct map_classifier *c = malloc(sizeof *c);
	struct smaps_parser *p = malloc(sizeof *p);
	int rc;
	memset(out, 0, sizeof *out); /* freeable whatever happens below */
	if (!c || !p) {
		rc = err_set(err, ERR_INTERNAL, "out of memory");
		goto done;
	}
	map_classifier_init(c, out, exe, build, keep_rows);
	smaps_parser_init(p, map_classifier_mapping_fn, c);
	rc = smaps_parser_feed(p, buf, len, err);
	if (!rc)
		rc = smaps_parser_finish(p, err);
	if (!rc)
		rc = map_classifier_finish(c, err);
done:
	free(c);
	free(p);
	return rc;
}
