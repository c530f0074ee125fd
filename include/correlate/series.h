/* Rendering a series (issue 14): `correlate watch`'s live view and its
 * summary (text and the JSON summary document), the SVG picture, and
 * `correlate diff`'s table.  Each writes to the stream it is given and
 * returns 0, or -1 on a write or allocation error. */
#ifndef CORRELATE_SERIES_H
#define CORRELATE_SERIES_H

#include <stdio.h>

#include "correlate/capture.h"
#include "correlate/findings.h"
#include "correlate/growth.h"
#include "correlate/ledger.h"

/* What a summary says about the run besides the series. */
struct series_info {
	pid_t pid;
	char comm[64];
	const char *command;	 /* the command line, secrets removed */
	double interval_seconds; /* --every */
	size_t skipped;		 /* samples that failed and were left out */
	const char *ended;	 /* why the series ended early; NULL: it ran its course */
	double self_cpu_seconds; /* correlate's own CPU over the run (getrusage) */
	double wall_seconds;	 /* the run's wall time */
	const char *source;	 /* replay: the series' folder; NULL live */
};

/* The live view: the lines with their value now, their change since the
 * first sample and their rate so far, then smaps' classes.  tty: redraw in
 * place (ANSI home and clear) with the whole table; else one line. */
int render_watch_frame(FILE *out, const struct growth_series *gs, const struct series_info *si,
		       int tty);

/* The summary for people: every line's first and last value, rate, R² and
 * state, the growing findings, what watching cost. */
int render_summary_text(FILE *out, const struct growth_series *gs, const struct growth_result *res,
			const struct findings *fs, const struct series_info *si);

/* The summary document ("kind": "summary", docs/json.md), on one line
 * when compact. */
int render_summary_json(FILE *out, const struct growth_series *gs, const struct growth_result *res,
			const struct findings *fs, const struct series_info *si, int compact);

/* One self-contained SVG: RES stacked by owner (growth_part) over the
 * series' time, the cgroup limit and GOMEMLIMIT as lines.  No scripts, no
 * external fonts or images. */
int render_svg(FILE *out, const struct growth_series *gs, const char *title);

/* ---- diff ---------------------------------------------------------------- */

struct diff_row {
	const char *section; /* ledger_row section, or "class" for smaps' classes */
	const char *key;     /* its JSON key (ledger) or class name */
	const char *label;   /* for people */
	int is_count;
	opt_u64 a, b;  /* the values in A and in B */
	double change; /* b - a (0 when either is unknown) */
	int total;     /* a sum of other rows (RES, Sys, VIRT ...): never "changed most" */
};

#define DIFF_ROWS_MAX 160

struct ledger_diff {
	size_t n;
	struct diff_row r[DIFF_ROWS_MAX]; /* largest |change| first; unknown ones last */
	int64_t a_at, b_at;		  /* captured_at of A and B */
	const char *a_name, *b_name;	  /* where they came from */
	int most;			  /* the row that changed most, not a total; -1 none */
};

/* Every ledger line and smaps class of A and B, sorted by |change|.  Pure. */
void ledger_diff_compute(const struct capture *ca, const struct ledger *la,
			 const struct capture *cb, const struct ledger *lb, struct ledger_diff *d);

int render_diff_text(FILE *out, const struct ledger_diff *d);
int render_diff_json(FILE *out, const struct ledger_diff *d);
int render_diff_markdown(FILE *out, const struct ledger_diff *d);

/* ---- a recorded series (watch --save DIR) ---------------------------------
 *
 *   DIR/series.json   {"kind": "series", "schema_version": 1, "pid": N,
 *                      "interval_seconds": S, "ended": null | "why",
 *                      "samples": [{"dir": "0001", "t": 0.0}, ...]}
 *   DIR/0001/ ...     one recorded pair per sample (pair.h)
 *
 * t is seconds since the first sample (a pair's captured_at is whole
 * seconds, too coarse for --every 0.2s). */

struct series_entry {
	char dir[64]; /* the sample's pair, relative to the series' folder */
	double t;     /* seconds since the first sample */
};

struct series_index {
	pid_t pid;
	double interval_seconds;
	char ended[512];	/* "" when it ran its course */
	struct series_entry *e; /* owned */
	size_t n;
};

/* Parses series.json.  ERR_USAGE with what is wrong (a sample's dir must be
 * a plain name: no "/", not "." or "..").  Free with series_index_free. */
int parse_series_index(const char *buf, size_t len, struct series_index *out, struct err *err);

/* Frees out->e; NULL is a no-op. */
void series_index_free(struct series_index *si);

#endif
