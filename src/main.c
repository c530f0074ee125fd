/* correlate: options -> run -> exit code.  The only place that prints
 * errors and picks the exit status. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h"

static int fail(const struct err *err)
{
	fprintf(stderr, "correlate: %s\n", err->msg);
	if (err->hint[0])
		fprintf(stderr, "correlate: try: %s\n", err->hint);
	return err->code ? err->code : ERR_INTERNAL;
}

int main(int argc, char **argv)
{
	struct options o;
	struct err err = {0};
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return check_main(argc - 1, argv + 1);
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
