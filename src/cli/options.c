/* Options: one table.  --help is printed from it and getopt's table is built
 * from it; tests/integration/test_docs.py checks that the man page and the
 * README name the same options. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "config.h"
#include "correlate/units.h"

enum {
	O_PID = 1000,
	O_URL,
	O_JSON,
	O_FORMAT,
	O_MAPPINGS,
	O_SAVE,
	O_FORCE,
	O_FIXTURE,
	O_TIMEOUT,
	O_MAX_BODY,
	O_HEADER,
	O_UNIX,
	O_INSECURE,
	O_PROXIED,
	O_FOLLOW,
	O_HELP,
	O_VERSION,
	O_NO_ENDPOINT,
	O_PATH,
	O_USER,
};

struct opt_def {
	const char *name; /* long name */
	const char *arg;  /* its argument for --help, or NULL for a flag */
	int id;
	const char *help;
};

static const struct opt_def opts[] = {
    {"pid", "PID", O_PID, "the Go process to read (/proc/PID)"},
    {"url", "URL", O_URL,
     "its memory endpoint: .../debug/pprof/heap?debug=1, .../debug/vars, .../metrics, or "
     "just host:port to try /metrics, /debug/vars, then /debug/pprof/heap?debug=1; "
     "without --url, correlate finds it among the sockets the process listens on"},
    {"path", "PATH", O_PATH,
     "without --url: also try PATH (e.g. /internal/metrics) on each socket, first "
     "(repeatable)"},
    {"no-endpoint", NULL, O_NO_ENDPOINT,
     "fetch nothing: the report from /proc alone, labelled so (also what correlate "
     "prints when it finds no endpoint)"},
    {"user", "NAME", O_USER,
     "run the fetch, which reads the endpoint's untrusted bytes, as NAME (default nobody); "
     "it never runs with privileges"},
    {"fixture", "DIR", O_FIXTURE,
     "replay a recorded pair instead of a live process (docs/fixtures.md)"},
    {"save", "DIR", O_SAVE, "also record what was read as a pair in DIR (a new folder)"},
    {"force", NULL, O_FORCE, "with --save, replace an existing pair"},
    {"json", NULL, O_JSON, "print JSON (same as --format json)"},
    {"format", "FORMAT", O_FORMAT, "text (default), json, or markdown (for tickets)"},
    {"mappings", NULL, O_MAPPINGS, "also list every mapping of /proc/PID/smaps with its class"},
    {"timeout", "SECONDS", O_TIMEOUT,
     "give up on the endpoint after this long (default 5); without --url, on finding it "
     "(default 1.9)"},
    {"max-body", "SIZE", O_MAX_BODY, "refuse endpoint bodies larger than this (default 128MiB)"},
    {"header", "'NAME: VALUE'", O_HEADER,
     "send this HTTP header (repeatable); its value is never printed or saved"},
    {"unix-socket", "PATH", O_UNIX, "reach the endpoint through this unix socket"},
    {"insecure", NULL, O_INSECURE, "do not verify the endpoint's TLS certificate"},
    {"follow-redirects", NULL, O_FOLLOW,
     "follow redirects to other hosts too (same-host ones always are), without --header"},
    {"proxied", NULL, O_PROXIED,
     "the endpoint is a proxy or port-forward to the process: do not require that the "
     "process owns its listening socket"},
    {"help", NULL, O_HELP, "show this help"},
    {"version", NULL, O_VERSION, "show the version"},
};
#define N_OPTS (sizeof opts / sizeof opts[0])

void options_usage(FILE *out)
{
	fprintf(out, "Usage: correlate --pid PID [--url URL] [options]\n"
		     "       correlate --fixture DIR [options]\n"
		     "       correlate check [check options] PATH...   (correlate check --help)\n"
		     "       correlate scan [scan options]             (correlate scan --help)\n"
		     "       correlate watch --pid PID [watch options] (correlate watch --help)\n"
		     "       correlate diff A B                        (correlate diff --help)\n"
		     "\n"
		     "Reconciles what the kernel says about a Go process (top's VIRT and RES,\n"
		     "/proc/PID/status, smaps_rollup, smaps) with what its runtime says\n"
		     "(runtime.MemStats from pprof, expvar or Prometheus), and says what is\n"
		     "explained and what is not.\n"
		     "\n"
		     "Options:\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		char left[64];
		snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		fprintf(out, "  %-26s %s\n", left, opts[i].help);
	}
	fprintf(out,
		"\n"
		"Exit codes:\n"
		"  0  report produced\n"
		"  1  internal error (out of memory, cannot write the output);\n"
		"     for correlate check: some pair failed its expectations\n"
		"  2  usage error, or a recorded pair that cannot be used\n"
		"  3  the process cannot be read (gone, no permission, not Go, changed identity)\n"
		"  4  the endpoint cannot be fetched or parsed (also: it is in another network\n"
		"     namespace and correlate lacks CAP_SYS_ADMIN to enter it)\n"
		"  5  the endpoint on this host is served by another process (see --proxied)\n"
		"  6  correlate scan: some Go processes could not be reported (the others were)\n"
		"\n"
		"  Without --url, when the process serves no endpoint correlate finds, the\n"
		"  report is from /proc alone, labelled so at its top, and the exit code 0.\n"
		"\n"
		"Examples:\n"
		"  correlate --pid $(pgrep -n myservice) --url 127.0.0.1:6060\n"
		"  correlate --pid $(pgrep -n myservice)     (finds the endpoint)\n");
}

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

/* Appends a word to the command line, quoted when it needs it. */
static void add_word(char *cmd, size_t cap, const char *w)
{
	size_t n = strlen(cmd);
	int plain = *w != '\0';
	for (const char *p = w; *p; p++)
		if (!strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,",
			*p))
			plain = 0;
	if (plain)
		snprintf(cmd + n, cap - n, "%s%s", n ? " " : "", w);
	else
		snprintf(cmd + n, cap - n, "%s'%s'", n ? " " : "", w); /* secrets never get here */
}

/* The command line as run, for reports and saved pairs: URLs without
 * credentials, header values replaced. */
static void build_command(int argc, char **argv, char *cmd, size_t cap)
{
	cmd[0] = '\0';
	add_word(cmd, cap, "correlate");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *eq = strchr(a, '=');
		size_t klen = eq ? (size_t)(eq - a) : strlen(a);
		int is_url = strncmp(a, "--url", klen) == 0 && klen == 5;
		int is_hdr = strncmp(a, "--header", klen) == 0 && klen == 8;
		if ((is_url || is_hdr) && !eq && i + 1 < argc) {
			add_word(cmd, cap, a);
			a = argv[++i];
			eq = NULL;
		} else if ((is_url || is_hdr) && eq) {
			add_word(cmd, cap, is_url ? "--url" : "--header");
			a = eq + 1;
		} else {
			add_word(cmd, cap, a);
			continue;
		}
		char safe[1024];
		if (is_url) {
			url_redact(a, safe, sizeof safe);
		} else {
			const char *colon = strchr(a, ':');
			snprintf(safe, sizeof safe, "%.*s: REDACTED", colon ? (int)(colon - a) : 0,
				 a);
		}
		add_word(cmd, cap, safe);
	}
}

/* libcurl speaks many protocols; an endpoint is HTTP.  A URL that names
 * another scheme is a usage error, before anything is read. */
static int check_scheme(const char *url, struct err *err)
{
	const char *sep = strstr(url, "://");
	if (!sep)
		return 0; /* host:port, host:port/path: http is implied */
	size_t n = (size_t)(sep - url);
	if ((n == 4 && strncasecmp(url, "http", 4) == 0) ||
	    (n == 5 && strncasecmp(url, "https", 5) == 0))
		return 0;
	char safe[1024];
	url_redact(url, safe, sizeof safe);
	err_set(err, ERR_USAGE, "--url: \"%.200s\": the scheme \"%.*s\" is not http or https",
		safe, (int)(n > 16 ? 16 : n), url);
	return err_hint(err, "correlate fetches http:// and https:// URLs, or host:port (http); "
			     "for a unix socket give --unix-socket PATH with an http:// URL");
}

int options_timeout(struct options *o, const char *arg, struct err *err)
{
	char *end;
	double s = strtod(arg, &end);
	if (end == arg || *end || !(s > 0) || s > 3600)
		return err_set(err, ERR_USAGE,
			       "--timeout: \"%.60s\" is not a number of seconds in (0, 3600]", arg);
	o->fetch.timeout_ms = (long)(s * 1000 + 0.5);
	o->timeout_given = 1;
	if (o->fetch.timeout_ms < 1)
		o->fetch.timeout_ms = 1;
	return 0;
}

int options_path(struct options *o, const char *arg, struct err *err)
{
	if (arg[0] != '/' || strlen(arg) > 200 || strpbrk(arg, " \t\r\n#"))
		return err_set(err, ERR_USAGE,
			       "--path: \"%.200s\" is not a path like /internal/metrics", arg);
	if (o->n_paths >= MAX_PATHS)
		return err_set(err, ERR_USAGE, "--path: at most %d paths", MAX_PATHS);
	o->paths[o->n_paths++] = arg;
	return 0;
}

static int parse(int argc, char **argv, struct options *o, struct err *err)
{
	struct option longs[N_OPTS + 1];
	for (size_t i = 0; i < N_OPTS; i++)
		longs[i] = (struct option){
		    opts[i].name, opts[i].arg ? required_argument : no_argument, NULL, opts[i].id};
	longs[N_OPTS] = (struct option){NULL, 0, NULL, 0};
	memset(o, 0, sizeof *o);
	fetch_opts_default(&o->fetch);
	o->fetch.headers = o->headers;
	build_command(argc, argv, o->command, sizeof o->command);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case O_PID:
			if (parse_pid(optarg, &o->pid) != 0)
			{
				err_set(err, ERR_USAGE, "--pid: not a process id: \"%s\"", optarg);
				return err_hint(err, "give a number such as 4242: pgrep -f NAME or "
						     "pidof NAME finds a service's pid");
			}
			break;
		case O_URL:
			o->url = optarg;
			break;
		case O_FIXTURE:
			o->fixture = optarg;
			break;
		case O_SAVE:
			o->save = optarg;
			break;
		case O_FORCE:
			o->force = 1;
			break;
		case O_MAPPINGS:
			o->mappings = 1;
			break;
		case O_JSON:
			o->format = OUT_JSON;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o->format = OUT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = OUT_JSON;
			else if (strcmp(optarg, "markdown") == 0)
				o->format = OUT_MARKDOWN;
			else
			{
				err_set(err, ERR_USAGE,
					"--format: \"%s\" is not one of text, json, markdown", optarg);
				return err_hint(err, "--format json (or --json) for tools, --format "
						     "markdown for a ticket");
			}
			break;
		case O_TIMEOUT:
			if (options_timeout(o, optarg, err) != 0)
				return err->code;
			break;
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
		case O_PROXIED:
			o->proxied = 1;
			break;
		case O_FOLLOW:
			o->fetch.follow_redirects = 1;
			break;
		case O_NO_ENDPOINT:
			o->no_endpoint = 1;
			break;
		case O_PATH:
			if (options_path(o, optarg, err) != 0)
				return err->code;
			break;
		case O_USER:
			o->user = optarg;
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
	if (o->fixture) {
		if (o->pid || o->url || o->save || o->proxied || o->no_endpoint || o->n_paths ||
		    o->user)
			return err_set(
			    err, ERR_USAGE,
			    "--fixture replays a recorded pair: it takes no --pid, --url "
			    "or --save");
		return 0;
	}
	if (o->force && !o->save)
		return err_set(err, ERR_USAGE, "--force only goes with --save");
	if (o->url && check_scheme(o->url, err) != 0)
		return err->code;
	if (!o->pid) {
		err_set(err, ERR_USAGE, "--pid is required");
		return err_hint(err, "correlate --pid PID [--url host:port], or --fixture DIR; see "
				     "correlate --help");
	}
	/* issue 11: without --url the endpoint is found (or there is none). */
	if (o->no_endpoint && (o->url || o->n_paths || o->fetch.unix_socket || o->proxied))
		return err_set(err, ERR_USAGE,
			       "--no-endpoint fetches nothing: it takes no --url, --path, "
			       "--unix-socket or --proxied");
	if (o->n_paths && (o->url || o->fetch.unix_socket))
		return err_set(err, ERR_USAGE,
			       "--path is for finding the endpoint without --url: put the path "
			       "in --url instead");
	if (!o->url && o->fetch.unix_socket)
		o->url = "http://localhost"; /* through the socket: try the known paths */
	if (o->proxied && !o->url) {
		err_set(err, ERR_USAGE, "--proxied needs --url: the proxy's address");
		return err_hint(err, "correlate --pid PID --url 127.0.0.1:LOCAL --proxied");
	}
	return 0;
}

int options_parse(int argc, char **argv, struct options *o, struct err *err)
{
	int rc = parse(argc, argv, o, err);
	/* Every error says what to try (README, "Exit codes"). */
	if (rc && !err->hint[0])
		err_hint(err, "correlate --help lists the options and what each takes");
	return rc;
}
