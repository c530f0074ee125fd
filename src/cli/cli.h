/* The command line: options, the run they ask for, and the exit code. */
#ifndef CORRELATE_CLI_H
#define CORRELATE_CLI_H

#include <stdio.h>
#include <sys/types.h>

#include "correlate/acquire.h"
#include "correlate/err.h"

enum out_format { OUT_TEXT, OUT_JSON, OUT_MARKDOWN };

#define MAX_HEADERS 16
#define MAX_PATHS   8

struct options {
	pid_t pid;	 /* --pid; 0 when not given */
	const char *url; /* --url */
	enum out_format format;
	struct fetch_opts fetch;
	const char *headers[MAX_HEADERS];
	int mappings;	     /* --mappings: list every mapping */
	const char *save;    /* --save DIR */
	int force;	     /* --force: replace an existing pair */
	const char *fixture; /* --fixture DIR: replay a recorded pair */
	char command[1024];  /* the command line as run, secrets removed */
	int proxied;         /* --proxied: the endpoint is a proxy: skip the owner check */
	int help, version;
	/* issue 11 */
	const char *paths[MAX_PATHS]; /* --path: tried first when finding the endpoint */
	size_t n_paths;
	int no_endpoint;	  /* --no-endpoint: the report from /proc alone */
	const char *user;	  /* --user: who the fetch runs as (default nobody) */
	int timeout_given;	  /* --timeout was given */
	int no_pprof;		  /* finding it: not /debug/pprof/heap (scan without --allow-pprof) */
};

/* Parses argv into *o.  ERR_USAGE with a message on a bad command line. */
int options_parse(int argc, char **argv, struct options *o, struct err *err);

/* Writes --help. */
void options_usage(FILE *out);

/* --timeout SECONDS and --path PATH into *o, checked as the report's
 * options are (subcommands that take them too use these).  ERR_USAGE. */
int options_timeout(struct options *o, const char *arg, struct err *err);
int options_path(struct options *o, const char *arg, struct err *err);

/* A report: live (acquire_live) or from a recorded pair (--fixture),
 * then reconcile, find, render to out. */
int run_report(const struct options *o, FILE *out, struct err *err);

/* The live acquire, saving the pair as it goes with --save. */
int acquire_live(const struct options *o, struct capture *c, struct err *err);

/* Reconcile, find and render a capture. */
int analyze_and_render(const struct options *o, struct capture *c, FILE *out, struct err *err);

/* `correlate check PATH...`: argv after "check". Returns the exit code. */
int check_main(int argc, char **argv);

/* `correlate scan`: argv from "scan" on.  Returns the exit code, with err
 * set when it is not 0 (ERR_PARTIAL: some targets failed; src/cli/scan.c). */
int scan_main(int argc, char **argv, struct err *err);

/* issue 14: `correlate watch` and `correlate diff`: argv from the command
 * on.  Return 0, or the exit code with err set (src/cli/watch.c, diff.c). */
int watch_main(int argc, char **argv, struct err *err);
int diff_main(int argc, char **argv, struct err *err);
void watch_usage(FILE *out);
void diff_usage(FILE *out);

/* A recorded series (watch --save DIR): 1 when dir holds series.json. */
int series_is_series(const char *dir);

/* Reads DIR/series.json (series.h).  ERR_USAGE when dir is not a series. */
struct series_index;
int series_load_index(const char *dir, struct series_index *ix, struct err *err);

/* Replays the series in dir through pair_load, reconcile and
 * findings_compute, sample by sample, as watch --fixture does: *gs (the
 * caller frees it with growth_series_free), each line's fit in res
 * (GL_COUNT entries), the `growing` findings, the last sample's ledger and
 * findings, and why it ended early ("" if it did not). */
struct growth_series;
struct growth_result;
struct findings;
struct ledger;
int series_replay(const char *dir, struct growth_series *gs, struct growth_result *res,
		  struct findings *growing, struct ledger *last_l, struct findings *last_fs,
		  char *ended, size_t ended_cap, struct err *err);

#endif
