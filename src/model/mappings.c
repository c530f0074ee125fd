/* The per-mapping view: classes of mappings, and their sums.  See
 * docs/model.md, "The per-mapping view", for each rule and its source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/mappings.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)

/* Go's first arena hint on 64-bit Linux is 0x00c0<<32 (malloc.go,
 * mallocinit: arena hints i<<40 | 0x00c0<<32); the heap grows up from it.
 * Only the first terabyte above is taken: higher hints are used only when
 * the first fails, and their range overlaps where mmap puts everything else
 * (0x7fc0... is a usual mmap address). */
#define GO_ARENA_LO UINT64_C(0x00c000000000)
#define GO_ARENA_HI UINT64_C(0x010000000000)
/* glibc's thread arenas: HEAP_MAX_SIZE = 2 * DEFAULT_MMAP_THRESHOLD_MAX =
 * 64 MiB on 64-bit, mapped 64 MiB-aligned with MAP_NORESERVE (arena.c). */
#define GLIBC_ARENA (64 * MiB)
/* pthread stack guards are a page by default; anything small will do. */
#define GUARD_MAX (64 * KiB)

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

void map_classifier_init(struct map_classifier *c, struct mapping_summary *out, const char *exe,
			 int keep_rows)
{
	memset(c, 0, sizeof *c);
	memset(out, 0, sizeof *out);
	out->have = 1;
	c->out = out;
	c->keep_rows = keep_rows;
	snprintf(c->exe, sizeof c->exe, "%s", exe ? exe : "");
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

static enum map_class classify(struct map_classifier *c, const struct mapping *m,
			       const struct mapping *next)
{
	const char *p = m->path;
	int adj_prev = c->have_prev && c->prev_end == m->start;
	int adj_next = next && next->start == m->end;

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

	/* Anonymous, unnamed: by address and shape. */
	if (m->start >= GO_ARENA_LO && m->end <= GO_ARENA_HI)
		return MC_GO_HEAP;
	/* .bss right after a file's data: the file's own. */
	if (adj_prev && !c->prev_anon && (c->prev_class == MC_EXE || c->prev_class == MC_LIBS) &&
	    is_rw(m->perms))
		return c->prev_class;
	/* glibc thread arena: 64 MiB-aligned, rw head then ---p tail, 64 MiB. */
	if (is_rw(m->perms) && m->start % GLIBC_ARENA == 0 &&
	    (msize(m) == GLIBC_ARENA || (adj_next && is_anon(next) && is_none(next->perms) &&
					 next->end == m->start + GLIBC_ARENA)))
		return MC_GLIBC_MALLOC;
	if (is_none(m->perms) && adj_prev && c->prev_class == MC_GLIBC_MALLOC &&
	    c->prev_start % GLIBC_ARENA == 0 && m->end == c->prev_start + GLIBC_ARENA)
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

static int account(struct map_classifier *c, const struct mapping *m, enum map_class k,
		   struct err *err)
{
	struct mapping_summary *s = c->out;
	struct class_total *t = &s->cls[k];
	uint64_t size = msize(m);
	s->mappings++;
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
	if (k == MC_FILES)
		add_top_file(s, m->path, v(m->v.rss), size);
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

/* Classifies the pending mapping, now that the next one (or none) is known. */
static int settle(struct map_classifier *c, const struct mapping *next, struct err *err)
{
	if (!c->have_pending)
		return 0;
	const struct mapping *m = &c->pending;
	enum map_class k = classify(c, m, next);
	int rc = account(c, m, k, err);
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
	return settle(c, NULL, err);
}

int map_classifier_mapping_fn(const struct mapping *m, void *ctx, struct err *err)
{
	return map_classifier_push(ctx, m, err);
}

int classify_smaps(const char *buf, size_t len, const char *exe, int keep_rows,
		   struct mapping_summary *out, struct err *err)
{
	struct map_classifier *c = malloc(sizeof *c);
	struct smaps_parser *p = malloc(sizeof *p);
	int rc;
	memset(out, 0, sizeof *out); /* freeable whatever happens below */
	if (!c || !p) {
		rc = err_set(err, ERR_INTERNAL, "out of memory");
		goto done;
	}
	map_classifier_init(c, out, exe, keep_rows);
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
