/* correlate: options -> run -> exit code.  The only place that prints
 * errors and picks the exit status. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h"

/* What to try when the place that failed knew no better: every error ends
 * with a "try:" line (README, "Exit codes"). */
static const char *fallback_hint(int code)
{
	switch (code) {
	case ERR_USAGE:
		return "correlate --help lists the options and what each takes";
	case ERR_PROC:
		return "check that the pid is the running Go service: ps -o pid,comm,args -p PID";
	case ERR_ENDPOINT:
		return "look at what the URL serves: curl -sS URL | head";
	case ERR_OWNER:
		return "give the URL this process listens on, or --proxied for a proxy in front of it";
	case ERR_PARTIAL:
		return "run correlate --pid PID on a process that failed to see the whole error";
	default:
		return "run again; if it fails the same way, report it with the command line";
	}
}

static int fail(const struct err *err)
{
	int code = err->code ? err->code : ERR_INTERNAL;
	fprintf(stderr, "correlate: %s\n", err->msg);
	fprintf(stderr, "correlate: try: %s\n", err->hint[0] ? err->hint : fallback_hint(code));
	return code;
}

/* A subcommand that fetches: libcurl started once, before any fork. */
static int with_curl(int (*fn)(int, char **, struct err *), int argc, char **argv)
{
	struct err err = {0};
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(&err, ERR_INTERNAL, "libcurl failed to start");
		return fail(&err);
	}
	int rc = fn(argc, argv, &err);
	curl_global_cleanup();
	return rc ? fail(&err) : 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct err err = {0};
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return check_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "scan") == 0)
		return with_curl(scan_main, argc - 1, argv + 1);
	/* issue 14: a series of samples, and two pairs compared. */
	if (argc > 1 && strcmp(argv[1], "watch") == 0)
		return with_curl(watch_main, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "diff") == 0)
		return diff_main(argc - 1, argv + 1, &err) ? fail(&err) : 0;
	if (options_parse(argc, argv, &o, &err) != 0)
		return fail(&err);
	if (o.help) {
		options_usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("correlate %s\n", CORRELATE_VERSION);
		return 0;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(&err, ERR_INTERNAL, "libcurl failed to start");
		return fail(&err);
	}
	int rc = run_report(&o, stdout, &err);
	curl_global_cleanup();
	return rc ? fail(&err) : 0;
}
