/* The command line: options, the run they ask for, and the exit code. */
#ifndef CORRELATE_CLI_H
#define CORRELATE_CLI_H

#include <stdio.h>
#include <sys/types.h>

#include "correlate/acquire.h"
#include "correlate/err.h"

enum out_format { OUT_TEXT, OUT_JSON };

#define MAX_HEADERS 16

struct options {
	pid_t pid;	 /* --pid; 0 when not given */
	const char *url; /* --url */
	enum out_format format;
	struct fetch_opts fetch;
	const char *headers[MAX_HEADERS];
	int mappings; /* --mappings: list every mapping */
	int help, version;
};

/* Parses argv into *o.  ERR_USAGE with a message on a bad command line. */
int options_parse(int argc, char **argv, struct options *o, struct err *err);

/* Writes --help. */
void options_usage(FILE *out);

/* The live run: acquire, reconcile, find, render to out. */
int run_live(const struct options *o, FILE *out, struct err *err);

#endif
