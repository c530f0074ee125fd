/* Recorded pairs: a folder holding what one analysis rests on, so that a
 * ticket's attachments reproduce it anywhere (docs/fixtures.md):
 *
 *   status          /proc/PID/status                   (or top, below)
 *   smaps_rollup    /proc/PID/smaps_rollup              optional
 *   smaps           /proc/PID/smaps                     optional
 *   memstats.txt | vars.json | metrics.prom             the endpoint's body, as served
 *   environ         /proc/PID/environ                   optional
 *   cgroup.txt      every cgroup file read, `tail -n +1` form (cgroup.h)  optional
 *   cgroup.json     the memory cgroup's facts (older pairs; read, not written)
 *   meta.json       pid, URL, times, tool, build facts  optional
 *   top             VIRT and RES as read off top        only when status is absent
 *
 * Writing (acquire) and reading (acquire) are I/O; the files' contents go
 * through the same parsers as a live run. */
#ifndef CORRELATE_PAIR_H
#define CORRELATE_PAIR_H

#include <limits.h>
#include <stdio.h>

#include "correlate/capture.h"
#include "correlate/err.h"

/* The body's file name for a format: "memstats.txt", "vars.json",
 * "metrics.prom". */
const char *pair_body_name(enum body_format f);

/* ---- writing: --save ---------------------------------------------------- */

struct pair_writer {
	char dir[PATH_MAX]; /* where the pair ends up */
	char tmp[PATH_MAX]; /* where it is written first (a sibling) */
	int force;	    /* replace an existing pair */
	FILE *body;	    /* the body, as it arrives */
	FILE *smaps;	    /* smaps, as it is read */
	int failed;
	struct err err; /* the first write error */
};

/* Refuses an existing dir (ERR_USAGE) unless force, and creates a temporary
 * sibling folder (mode 0700) to write into.  Errors: ERR_USAGE for a path
 * that cannot be used. */
int pair_writer_begin(struct pair_writer *w, const char *dir, int force, struct err *err);

/* Writes a whole file of the pair (mode 0600). */
int pair_writer_put(struct pair_writer *w, const char *name, const char *data, size_t len,
		    struct err *err);

/* A body_tee_fn (acquire.h): copies the body as it arrives; buf NULL starts
 * it over. */
int pair_writer_body(void *w, const char *buf, size_t len, struct err *err);

/* A chunk_fn-shaped copier for smaps (opens the file on first use). */
int pair_writer_smaps(struct pair_writer *w, const char *buf, size_t len, struct err *err);

/* Writes meta.json and cgroup.txt (c's cgroup record) from c, names the body after its format,
 * flushes everything to disk and moves the folder into place: the pair
 * appears whole or not at all. */
int pair_writer_commit(struct pair_writer *w, const struct capture *c, struct err *err);

/* Removes the temporary folder; safe after commit and on NULL. */
void pair_writer_abort(struct pair_writer *w);

/* ---- reading: --fixture, check ------------------------------------------- */

/* 1 when dir looks like a pair: it has status or top, and a body. */
int pair_is_pair(const char *dir);

/* Reads the pair in dir into *out through the same parsers and classifier
 * as a live run.  Missing optional files are listed in out->not_recorded.
 * Errors: ERR_PROC for /proc text that cannot be parsed or a pair without
 * status or top, ERR_ENDPOINT for the body, ERR_USAGE for a folder that is
 * not a pair.  keep_rows: keep every mapping (--mappings).  Free with
 * capture_free. */
int pair_load(const char *dir, int keep_rows, struct capture *out, struct err *err);

#endif
