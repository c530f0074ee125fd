/* Options: one table; --help is printed from it, and tests/cli checks the
 * man page and README name the same options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "correlate/units.h"

struct opt_doc {
	const char *name; /* long name */
	const char *arg;  /* argument, or NULL */
	const char *help;
};

static const struct opt_doc docs[] = {
    {"pid", "PID", "the Go process to read (/proc/PID)"},
    {"url", "URL",
     "its memory endpoint: .../debug/pprof/heap?debug=1, .../debug/vars, .../metrics, or "
     "just host:port to try /metrics, /debug/vars, then /debug/pprof/heap?debug=1"},
    {"json", NULL, "print JSON (same as --format json)"},
    {"format", "FORMAT", "text (default) or json"},
    {"mappings", NULL, "also list every mapping of /proc/PID/smaps with its class"},
    {"timeout", "SECONDS", "give up on the endpoint after this long (default 5)"},
    {"max-body", "SIZE", "refuse endpoint bodies larger than this (default 128MiB)"},
    {"header", "'NAME: VALUE'", "send this HTTP header (repeatable); never printed"},
    {"unix-socket", "PATH", "reach the endpoint through this unix socket"},
    {"insecure", NULL, "do not verify the endpoint's TLS certificate"},
    {"help", NULL, "show this help"},
    {"version", NULL, "show the version"},
};

void options_usage(FILE *out)
{
	fprintf(out,
		"Usage: correlate --pid PID --url URL [options]\n"
		"\n"
		"Reconciles what the kernel says about a Go process (top's VIRT and RES,\n"
		"/proc/PID/status, smaps_rollup) with what its runtime says (runtime.MemStats\n"
		"from pprof, expvar or Prometheus), and says what is explained and what is not.\n"
		"\n"
		"Options:\n");
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		char left[64];
		snprintf(left, sizeof left, "--%s%s%s", docs[i].name, docs[i].arg ? " " : "",
			 docs[i].arg ? docs[i].arg : "");
		fprintf(out, "  %-26s %s\n", left, docs[i].help);
	}
	fprintf(out,
		"\n"
		"Exit codes:\n"
		"  0  report produced\n"
		"  1  internal error (out of memory, cannot write the output)\n"
		"  2  usage error\n"
		"  3  the process cannot be read (gone, no permission, not Go, changed identity)\n"
		"  4  the endpoint cannot be fetched or parsed\n"
		"\n"
		"Example:\n"
		"  correlate --pid $(pgrep -n myservice) --url 127.0.0.1:6060\n");
}

enum {
	O_PID = 1000,
	O_URL,
	O_JSON,
	O_FORMAT,
	O_MAPPINGS,
	O_TIMEOUT,
	O_MAX_BODY,
	O_HEADER,
	O_UNIX,
	O_INSECURE,
	O_HELP,
	O_VERSION
};

static int parse_pid(const char *s, pid_t *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -1;
	*out = (pid_t)v;
	return 0;
}

int options_parse(int argc, char **argv, struct options *o, struct err *err)
{
	static const struct option longs[] = {
	    {"pid", required_argument, NULL, O_PID},
	    {"url", required_argument, NULL, O_URL},
	    {"json", no_argument, NULL, O_JSON},
	    {"format", required_argument, NULL, O_FORMAT},
	    {"mappings", no_argument, NULL, O_MAPPINGS},
	    {"timeout", required_argument, NULL, O_TIMEOUT},
	    {"max-body", required_argument, NULL, O_MAX_BODY},
	    {"header", required_argument, NULL, O_HEADER},
	    {"unix-socket", required_argument, NULL, O_UNIX},
	    {"insecure", no_argument, NULL, O_INSECURE},
	    {"help", no_argument, NULL, O_HELP},
	    {"version", no_argument, NULL, O_VERSION},
	    {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	fetch_opts_default(&o->fetch);
	o->fetch.headers = o->headers;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case O_PID:
			if (parse_pid(optarg, &o->pid) != 0)
				return err_set(err, ERR_USAGE, "--pid: not a process id: \"%s\"",
					       optarg);
			break;
		case O_URL:
			o->url = optarg;
			break;
		case O_JSON:
			o->format = OUT_JSON;
			break;
		case O_MAPPINGS:
			o->mappings = 1;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o->format = OUT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = OUT_JSON;
			else
				return err_set(err, ERR_USAGE,
					       "--format: \"%s\" is not one of text, json", optarg);
			break;
		case O_TIMEOUT: {
			char *end;
			double s = strtod(optarg, &end);
			if (end == optarg || *end || !(s > 0) || s > 3600)
				return err_set(
				    err, ERR_USAGE,
				    "--timeout: \"%s\" is not a number of seconds in (0, 3600]",
				    optarg);
			o->fetch.timeout_ms = (long)(s * 1000 + 0.5);
			if (o->fetch.timeout_ms < 1)
				o->fetch.timeout_ms = 1;
			break;
		}
		case O_MAX_BODY:
			if (parse_size(optarg, &o->fetch.max_body) != 0 || o->fetch.max_body == 0)
				return err_set(err, ERR_USAGE,
					       "--max-body: \"%s\" is not a size like 64MiB",
					       optarg);
			break;
		case O_HEADER:
			if (o->fetch.n_headers >= MAX_HEADERS)
				return err_set(err, ERR_USAGE, "--header: at most %d headers",
					       MAX_HEADERS);
			if (!strchr(optarg, ':'))
				return err_set(err, ERR_USAGE, "--header: expected 'Name: value'");
			o->headers[o->fetch.n_headers++] = optarg;
			break;
		case O_UNIX:
			o->fetch.unix_socket = optarg;
			break;
		case O_INSECURE:
			o->fetch.insecure = 1;
			break;
		case 'h':
		case O_HELP:
			o->help = 1;
			return 0;
		case O_VERSION:
			o->version = 1;
			return 0;
		case ':':
			return err_set(err, ERR_USAGE, "%s needs an argument", argv[optind - 1]);
		default:
			return err_set(err, ERR_USAGE, "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return err_set(err, ERR_USAGE, "unexpected argument \"%s\"", argv[optind]);
	if (!o->pid || !o->url) {
		err_set(err, ERR_USAGE, "%s",
			!o->pid && !o->url ? "--pid and --url are required"
			: !o->pid	   ? "--pid is required"
					   : "--url is required");
		return err_hint(err, "correlate --pid PID --url host:port; see correlate --help");
	}
	return 0;
}
