/* The per-mapping view: every mapping of /proc/PID/smaps put in one class,
 * and the classes summed.  A pure, streaming classifier: it is fed one
 * mapping at a time (straight from the smaps parser) and holds only the
 * previous and the pending mapping, so a process with 100,000 mappings costs
 * no more memory than one with ten (unless every row is kept for
 * --mappings).  The rules are in docs/model.md, "The per-mapping view". */
#ifndef CORRELATE_MAPPINGS_H
#define CORRELATE_MAPPINGS_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/buildinfo.h"
#include "correlate/err.h"
#include "correlate/proc.h"

enum map_class {
	MC_GO_HEAP,	  /* Go heap arenas: by their shape, or [anon: Go: heap] */
	MC_GO_RUNTIME,	  /* other Go runtime memory: PROT_NONE reservations and their heads */
	MC_EXE,		  /* the executable's mappings and its .bss */
	MC_LIBS,	  /* shared libraries (and their .bss), vdso */
	MC_FILES,	  /* other mapped files */
	MC_SHMEM,	  /* shared memory: MAP_SHARED anonymous, memfd, /dev/shm, SysV */
	MC_MAIN_STACK,	  /* [stack] */
	MC_GLIBC_MALLOC,  /* [heap] and glibc's 64 MiB thread arenas */
	MC_THREAD_STACKS, /* pthread stacks: a guard page, then the stack */
	MC_OTHER_ANON,	  /* other anonymous: Go runtime metadata and C mmaps alike */
	MC_RACE,	  /* the -race runtime's shadow and metadata (race builds only) */
	MC_COUNT
};

/* "go_heap", "go_runtime", "executable", "libraries", "files", "shared_memory",
 * "main_stack", "glibc_malloc", "thread_stacks", "other_anon", "race_detector". */
const char *map_class_name(enum map_class c);
/* For people: "Go heap arenas", ... */
const char *map_class_label(enum map_class c);

struct class_total {
	uint64_t mappings;	/* how many */
	uint64_t size;		/* virtual size */
	uint64_t reserved;	/* of which PROT_NONE (---p): address space only */
	uint64_t rss;		/* smaps Rss */
	uint64_t anonymous;	/* smaps Anonymous (private pages, incl. COW of files) */
	uint64_t swap;		/* smaps Swap */
	uint64_t lazy_free;	/* smaps LazyFree */
	uint64_t anon_huge;	/* smaps AnonHugePages */
	uint64_t private_dirty; /* smaps Private_Dirty */
};

/* One kept row, for --mappings. */
struct mapping_row {
	uint64_t start, end;
	char perms[5];
	enum map_class cls;
	uint64_t rss, anonymous, swap, lazy_free, anon_huge;
	char *path; /* owned; "" for anonymous */
};

#define TOP_FILES 5

struct top_file {
	char path[256];
	uint64_t rss;  /* resident, summed over the file's mappings */
	uint64_t size; /* mapped size */
};

struct mapping_summary {
	int have;	   /* smaps was read */
	uint64_t mappings; /* all of them */
	struct class_total cls[MC_COUNT];
	/* Of cls[MC_GO_HEAP]: arenas that have the shape of one glibc thread
	 * arena (64 MiB, aligned, rw then ---p) with no VmFlags to tell the two
	 * apart (glibc's are MAP_NORESERVE, "nr").  Counted as Go heap, and by
	 * the ledger as possibly not Go's: the range's high end. */
	struct class_total heap_uncertain;
	struct top_file files[TOP_FILES]; /* the largest other mapped files by rss */
	size_t n_files;
	struct mapping_row *rows; /* every mapping, when asked for; owned */
	size_t n_rows, cap_rows;
};

/* Frees the rows (NULL is a no-op); the summary can be reused after
 * mapping_summary_init. */
void mapping_summary_free(struct mapping_summary *s);

/* What the build info says about where the runtime puts things
 * (map_layout_from_build). */
struct map_layout {
	uint64_t arena_bytes; /* heapArenaBytes: 64 MiB on 64-bit Linux, 4 MiB on 32-bit */
	uint64_t glibc_arena; /* glibc's HEAP_MAX_SIZE: 64 MiB on 64-bit, 1 MiB on 32-bit */
	int hints;	      /* which fixed arena hints the runtime tries (enum below) */
	int race;	      /* built with -race: 1, 0; -1 unknown */
};

enum { HINTS_NONE, HINTS_AMD64, HINTS_ARM64, HINTS_RACE };

/* The layout for a build (NULL or not found: a 64-bit one, hints and race
 * unknown).  Pure. */
void map_layout_from_build(const struct go_buildinfo *b, struct map_layout *out);

/* A run of adjacent anonymous mappings that may be Go heap arenas, held
 * until its end is seen (docs/model.md, "The per-mapping view"): its
 * counters per fallback class, so that no mapping is held. */
struct heap_run {
	int active;
	uint64_t start, end;	/* [start, end) */
	int phase;		/* 0: ---p head only so far, 1: rw seen, 2: ---p tail seen */
	uint64_t head;		/* bytes of ---p before the first rw */
	int flags_unknown;	/* a member had no VmFlags line */
	size_t first_row;	/* its first kept row */
	struct class_total fb[MC_COUNT]; /* by the class each member would have alone */
};

/* The classifier.  exe: the executable's path as /proc/PID/exe names it
 * ("" if unknown: then the first file mapping is taken as the executable).
 * build: the executable's build info (NULL if unknown): GOARCH and -race.
 * keep_rows: also keep every mapping in out->rows. */
struct map_classifier {
	struct mapping_summary *out;
	int keep_rows;
	char exe[512];
	struct map_layout layout;
	int have_pending;
	struct mapping pending;
	int have_prev;
	uint64_t prev_start, prev_end;
	char prev_perms[5];
	enum map_class prev_class;
	int prev_anon;	      /* prev had no path */
	int prev_reservation; /* prev was a Go PROT_NONE reservation */
	struct heap_run run;
};

void map_classifier_init(struct map_classifier *c, struct mapping_summary *out, const char *exe,
			 const struct go_buildinfo *build, int keep_rows);

/* Takes one mapping, in address order.  ERR_INTERNAL when out of memory
 * for kept rows. */
int map_classifier_push(struct map_classifier *c, const struct mapping *m, struct err *err);

/* Classifies the last pending mapping. */
int map_classifier_finish(struct map_classifier *c, struct err *err);

/* A mapping_fn for smaps_parser: ctx is a struct map_classifier. */
int map_classifier_mapping_fn(const struct mapping *m, void *ctx, struct err *err);

/* One-shot: parses smaps text and classifies it into *out. */
int classify_smaps(const char *buf, size_t len, const char *exe, const struct go_buildinfo *build,
		   int keep_rows, struct mapping_summary *out, struct err *err);

/* Sum of one class field over several classes, e.g. the anonymous
 * footprint of the Go classes. */
uint64_t class_anon_footprint(const struct class_total *t);

#endif
