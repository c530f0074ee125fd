/* `correlate watch`: a series of samples of one process, each through the
 * same capture pipeline as a single report (acquire_live, or pair_load for
 * a recorded series, then reconcile and findings_compute), the live view or
 * JSON Lines as it goes, and a summary with the growth findings at the end
 * (issue 14; docs/model.md "Growth", docs/json.md "watch"). */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "correlate/escape.h"
#include "correlate/findings.h"
#include "correlate/growth.h"
#include "correlate/ledger.h"
#include "correlate/pair.h"
#include "correlate/privsep.h"
#include "correlate/render.h"
#include "correlate/series.h"
#include "correlate/units.h"

#define WATCH_DEFAULT_EVERY 10.0

struct watch_opts {
	double every;	     /* --every: seconds between samples */
	double duration;     /* --for: seconds; 0 until stopped */
	const char *svg;     /* --svg FILE */
	const char *save;    /* --save DIR: the series */
	const char *fixture; /* --fixture DIR: replay a series */
	size_t max_samples;  /* --samples N: 0 no limit */
};

void watch_usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: correlate watch --pid PID [--url URL] [--every SECONDS] [--for SECONDS]\n"
	    "                       [--json] [--save DIR] [--svg FILE] [report options]\n"
	    "       correlate watch --fixture DIR [--json] [--svg FILE]\n"
	    "\n"
	    "Samples the process through the same capture as a single report, shows the\n"
	    "ledger's main lines with their change and rate (redrawn in place on a\n"
	    "terminal), and at the end (--for, --samples, Ctrl-C, or the process exiting\n"
	    "or changing) prints a summary: each line's fit, and a `growing` finding for\n"
	    "each line that grows (docs/model.md, \"Growth\").\n"
	    "\n"
	    "Options:\n"
	    "  --every SECONDS            time between samples (default 10; fractions allowed)\n"
	    "  --for SECONDS              stop after this long (default: until Ctrl-C)\n"
	    "  --samples N                stop after N samples\n"
	    "  --json                     JSON Lines: one report per sample, then the summary\n"
	    "  --format FORMAT            text (default) or json\n"
	    "  --save DIR                 record the series: DIR/series.json and a pair per sample\n"
	    "  --fixture DIR              replay a recorded series instead of a live process\n"
	    "  --svg FILE                 also draw RES stacked by owner over time as SVG\n"
	    "  --pid PID                  the Go process to watch\n"
	    "  --url URL                  its endpoint (as for a report; /debug/vars is cheapest)\n"
	    "  --help                     show this help\n"
	    "\n"
	    "The report's other options (--timeout, --header, --unix-socket, --path,\n"
	    "--user, --proxied, --no-endpoint, ...) apply to every sample.\n"
	    "\n"
	    "Exit codes: 0 summary printed (also when the process exited or changed: the\n"
	    "summary's \"ended\" says so); 2 usage error; 3, 4, 5 as for a report, when the\n"
	    "first sample fails.\n");
}

/* ---- options -------------------------------------------------------------- */

static int parse_seconds(const char *opt, const char *s, double lo, double *out, struct err *err)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	/* "10s", "2m", "1h" as well as plain seconds. */
	double mult = 1;
	if (end != s && *end && !end[1]) {
		mult = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : 0;
		end += mult > 0;
	}
	if (errno || end == s || *end || !(v * mult >= lo) || v * mult > 86400.0 * 366) {
		char q[ESC_MAX(64)];
		err_set(err, ERR_USAGE, "%s: \"%s\" is not a number of seconds (at least %g)", opt,
			esc_str(q, sizeof q, s, ESC_TEXT), lo);
		return err_hint(err, "%s 0.5, %s 10s, %s 2m", opt, opt, opt);
	}
	*out = v * mult;
	return 0;
}

/* The value of --name or --name=value at argv[*i]; NULL when argv[*i] is
 * not that option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

/* Splits argv: watch's own options into *w, the rest (the report's options)
 * into rest[] for options_parse, with "correlate" in front. */
static int parse_watch(int argc, char **argv, struct watch_opts *w, char **rest, int *n_rest,
		       int *help, struct err *err)
{
	memset(w, 0, sizeof *w);
	w->every = WATCH_DEFAULT_EVERY;
	*help = 0;
	*n_rest = 0;
	rest[(*n_rest)++] = "correlate";
	for (int i = 1; i < argc; i++) {
		int missing = 0;
		const char *v;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			*help = 1;
			return 0;
		}
		if ((v = opt_value(argc, argv, &i, "--every", &missing))) {
			if (parse_seconds("--every", v, 0.05, &w->every, err))
				return err->code;
		} else if ((v = opt_value(argc, argv, &i, "--for", &missing))) {
			if (parse_seconds("--for", v, 0.001, &w->duration, err))
				return err->code;
		} else if ((v = opt_value(argc, argv, &i, "--samples", &missing))) {
			char *end;
			long n = strtol(v, &end, 10);
			if (end == v || *end || n < 1 || n > 10000000)
				return err_set(err, ERR_USAGE,
					       "--samples: \"%.64s\" is not a count", v);
			w->max_samples = (size_t)n;
		} else if ((v = opt_value(argc, argv, &i, "--svg", &missing))) {
			w->svg = v;
		} else if ((v = opt_value(argc, argv, &i, "--save", &missing))) {
			w->save = v;
		} else if ((v = opt_value(argc, argv, &i, "--fixture", &missing))) {
			w->fixture = v;
		} else if (!missing) {
			rest[(*n_rest)++] = argv[i];
		}
		if (missing)
			return err_set(err, ERR_USAGE, "%s needs an argument", argv[i]);
	}
	rest[*n_rest] = NULL;
	return 0;
}

/* ---- time and cost --------------------------------------------------------- */

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* correlate's CPU, its own and its reaped children's (the fetch process of
 * each sample), in ns. */
static uint64_t self_cpu_ns(void)
{
	struct rusage a, b;
	uint64_t ns = 0;
	if (getrusage(RUSAGE_SELF, &a) == 0)
		ns += (uint64_t)(a.ru_utime.tv_sec + a.ru_stime.tv_sec) * 1000000000u +
		      (uint64_t)(a.ru_utime.tv_usec + a.ru_stime.tv_usec) * 1000u;
	if (getrusage(RUSAGE_CHILDREN, &b) == 0)
		ns += (uint64_t)(b.ru_utime.tv_sec + b.ru_stime.tv_sec) * 1000000000u +
		      (uint64_t)(b.ru_utime.tv_usec + b.ru_stime.tv_usec) * 1000u;
	return ns;
}

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* Sleeps until the monotonic time `until`, or a stop. */
static void sleep_until(double until)
{
	while (!stop_asked) {
		double left = until - now_mono();
		if (left <= 0)
			return;
		struct timespec ts = {(time_t)left, (long)((left - floor(left)) * 1e9)};
		nanosleep(&ts, NULL);
	}
}

/* ---- the series on disk ----------------------------------------------------- */

/* Rewrites DIR/series.json (through a temporary file and a rename: a
 * series cut short by a kill is still readable up to its last sample). */
static int write_index(const char *dir, const struct series_index *ix, struct err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX], num[32];
	snprintf(path, sizeof path, "%s/series.json", dir);
	snprintf(tmp, sizeof tmp, "%s/.series.json.tmp", dir);
	cJSON *root = cJSON_CreateObject(), *samples = cJSON_CreateArray();
	int ok = root && samples && cJSON_AddStringToObject(root, "kind", "series") &&
		 cJSON_AddNumberToObject(root, "schema_version", 1) &&
		 cJSON_AddNumberToObject(root, "pid", (double)ix->pid);
	snprintf(num, sizeof num, "%.3f", ix->interval_seconds);
	ok = ok && cJSON_AddRawToObject(root, "interval_seconds", num);
	ok = ok && (ix->ended[0] ? cJSON_AddStringToObject(root, "ended", ix->ended) != NULL
				 : cJSON_AddNullToObject(root, "ended") != NULL);
	ok = ok && cJSON_AddItemToObject(root, "samples", samples);
	if (!ok)
		cJSON_Delete(samples);
	for (size_t i = 0; ok && i < ix->n; i++) {
		cJSON *e = cJSON_CreateObject();
		snprintf(num, sizeof num, "%.3f", ix->e[i].t);
		ok = e && cJSON_AddItemToArray(samples, e) &&
		     cJSON_AddStringToObject(e, "dir", ix->e[i].dir) &&
		     cJSON_AddRawToObject(e, "t", num);
	}
	char *text = ok ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!text)
		return err_set(err, ERR_INTERNAL, "out of memory");
	FILE *f = fopen(tmp, "w");
	int bad = !f || fputs(text, f) < 0 || fputc('\n', f) == EOF;
	free(text);
	if (f && fclose(f) != 0)
		bad = 1;
	if (bad || rename(tmp, path) != 0) {
		char q[ESC_MAX(200)];
		return err_set(err, ERR_USAGE, "--save: cannot write %s: %s",
			       esc_str(q, sizeof q, path, ESC_TEXT), strerror(errno));
	}
	return 0;
}

static int index_push(struct series_index *ix, const char *dir, double t, struct err *err)
{
	if ((ix->n & (ix->n - 1)) == 0 || ix->n == 0) { /* grow at powers of two */
		size_t cap = ix->n ? ix->n * 2 : 64;
		struct series_entry *e = realloc(ix->e, cap * sizeof *e);
		if (!e)
			return err_set(err, ERR_INTERNAL, "out of memory");
		ix->e = e;
	}
	snprintf(ix->e[ix->n].dir, sizeof ix->e[ix->n].dir, "%s", dir);
	ix->e[ix->n].t = t;
	ix->n++;
	return 0;
}

int series_load_index(const char *dir, struct series_index *ix, struct err *err)
{
	char path[PATH_MAX];
	struct text t = {0};
	snprintf(path, sizeof path, "%s/series.json", dir);
	if (read_path(path, &t) != 0) {
		char q[ESC_MAX(200)];
		err_set(err, ERR_USAGE, "%s is not a recorded series: it has no series.json",
			esc_str(q, sizeof q, dir, ESC_TEXT));
		return err_hint(err, "record one with correlate watch --pid PID --save DIR; "
				     "a single pair replays with correlate --fixture DIR");
	}
	int rc = parse_series_index(t.data, t.len, ix, err);
	text_free(&t);
	return rc;
}

int series_is_series(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof path, "%s/series.json", dir);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- one run ------------------------------------------------------------------- */

/* Whether id is still the process the series started with: same pid,
 * same start time (not a restart that reused the pid), same program (not
 * an exec in place).  Fills why when not. */
static int same_target(const struct proc_identity *first, const struct proc_identity *now,
		       char *why, size_t cap)
{
	if (now->start_tics != first->start_tics) {
		snprintf(why, cap,
			 "pid %d is another process now (it started later): the one "
			 "watched exited and the pid was reused",
			 (int)first->pid);
		return 0;
	}
	if (strcmp(now->comm, first->comm) != 0 || strcmp(now->exe, first->exe) != 0) {
		char a[ESC_MAX(64)], b[ESC_MAX(64)];
		snprintf(why, cap, "pid %d ran another program in place (exec): now %s, was %s",
			 (int)first->pid, esc_str(a, sizeof a, now->comm, ESC_TEXT),
			 esc_str(b, sizeof b, first->comm, ESC_TEXT));
		return 0;
	}
	return 1;
}

/* After a sample failed: whether the series ends (the process is gone or
 * another one) and why. */
static int ended_by(const struct proc_identity *first, const struct err *e, char *why, size_t cap)
{
	struct proc_identity now;
	struct err e2 = {0};
	memset(&now, 0, sizeof now);
	if (acquire_identity(first->pid, &now, &e2) != 0 || now.state == 'Z') {
		snprintf(why, cap, "pid %d exited (%s)", (int)first->pid, e->msg);
		return 1;
	}
	if (!same_target(first, &now, why, cap))
		return 1;
	if (e->code == ERR_PROC) {
		snprintf(why, cap, "%s", e->msg);
		return 1;
	}
	return 0;
}

struct watch_run {
	struct options o;
	struct watch_opts w;
	struct growth_series gs;
	struct series_index ix; /* --save: what has been recorded; --fixture: what to replay */
	struct series_info si;
	char ended[512];
	struct proc_identity first;
	int have_first;
	struct findings last_fs; /* the last sample's own findings */
	struct ledger last_l;
};

/* One sample: acquire (live or a recorded pair), reconcile, find, keep,
 * print.  Returns 0, 1 when the series ends, or an error code (first
 * sample only; later failures are skipped or end the series). */
static int sample(struct watch_run *r, size_t i, double t_start, FILE *out, int tty,
		  struct err *err)
{
	static struct capture c; /* large; one at a time */
	char dir[PATH_MAX], name[64];
	struct options o = r->o;
	uint64_t cpu0 = self_cpu_ns();
	memset(&c, 0, sizeof c);
	snprintf(c.command, sizeof c.command, "%s", r->o.command);
	snprintf(name, sizeof name, "%04zu", i + 1);
	int rc;
	double t;
	if (r->w.fixture) {
		snprintf(dir, sizeof dir, "%s/%s", r->w.fixture, r->ix.e[i].dir);
		rc = pair_load(dir, 0, &c, err);
		t = r->ix.e[i].t;
	} else {
		if (r->w.save) {
			snprintf(dir, sizeof dir, "%s/%s", r->w.save, name);
			o.save = dir;
		}
		rc = acquire_live(&o, &c, err);
		t = now_mono() - t_start;
	}
	if (rc) {
		capture_free(&c);
		if (r->w.fixture || !r->have_first)
			return rc;
		if (ended_by(&r->first, err, r->ended, sizeof r->ended))
			return 1;
		r->si.skipped++;
		fprintf(stderr, "correlate: watch: sample %zu left out: %s\n", i + 1, err->msg);
		memset(err, 0, sizeof *err);
		return 0;
	}
	if (!r->w.fixture) {
		if (!r->have_first) {
			r->first = c.os.id;
			r->have_first = 1;
			r->si.pid = c.os.id.pid;
			snprintf(r->si.comm, sizeof r->si.comm, "%s", c.os.id.comm);
		} else if (!same_target(&r->first, &c.os.id, r->ended, sizeof r->ended)) {
			capture_free(&c);
			return 1; /* never two processes in one series */
		}
	} else if (i == 0) {
		r->si.pid = c.os.id.pid;
		snprintf(r->si.comm, sizeof r->si.comm, "%s", c.os.id.comm);
	}
	struct ledger *l = &r->last_l;
	reconcile(&c, l);
	findings_compute(&c, l, &r->last_fs);
	struct growth_sample s;
	growth_sample_of(&c, l, t, &s);
	if (growth_series_push(&r->gs, &s) != 0) {
		capture_free(&c);
		return err_set(err, ERR_INTERNAL, "out of memory");
	}
	if (r->w.save && !r->w.fixture) {
		rc = index_push(&r->ix, name, t, err);
		if (!rc)
			rc = write_index(r->w.save, &r->ix, err);
		if (rc) {
			capture_free(&c);
			return rc;
		}
	}
	if (r->o.format == OUT_JSON) {
		struct render_input in = {.c = &c, .l = l, .fs = &r->last_fs};
		struct render_json_opts jo = {.compact = 1, .self_cpu_ns = opt_none()};
		if (!r->w.fixture)
			jo.self_cpu_ns = opt_some(self_cpu_ns() - cpu0);
		rc = render_json_with(out, &in, &jo) != 0 || fflush(out) != 0;
	} else {
		rc = render_watch_frame(out, &r->gs, &r->si, tty) != 0;
	}
	capture_free(&c);
	if (rc)
		return err_set(err, ERR_INTERNAL, "cannot write the output");
	return 0;
}

/* The summary and the picture. */
static int finish(struct watch_run *r, FILE *out, struct err *err)
{
	struct growth_result res[GL_COUNT];
	struct findings fs;
	memset(&fs, 0, sizeof fs);
	growth_analyze(&r->gs, res);
	growth_findings(&r->gs, res, &fs);
	r->si.ended = r->ended[0] ? r->ended : NULL;
	int rc = r->o.format == OUT_JSON ? render_summary_json(out, &r->gs, res, &fs, &r->si, 1)
					 : render_summary_text(out, &r->gs, res, &fs, &r->si);
	if (rc)
		return err_set(err, ERR_INTERNAL, "cannot write the summary");
	if (r->w.svg && r->gs.n) {
		FILE *f = fopen(r->w.svg, "w");
		char title[200];
		char comm[ESC_MAX(64)];
		snprintf(title, sizeof title, "RES of pid %d (%s) by owner", (int)r->si.pid,
			 esc_str(comm, sizeof comm, r->si.comm, ESC_TEXT));
		int bad = !f || render_svg(f, &r->gs, title) != 0;
		if ((f && fclose(f) != 0) || bad) {
			char q[ESC_MAX(200)];
			return err_set(err, ERR_USAGE, "--svg: cannot write %s",
				       esc_str(q, sizeof q, r->w.svg, ESC_TEXT));
		}
	}
	return 0;
}

int series_replay(const char *dir, struct growth_series *gs, struct growth_result *res,
		  struct findings *growing, struct ledger *last_l, struct findings *last_fs,
		  char *ended, size_t ended_cap, struct err *err)
{
	static struct watch_run r;
	memset(&r, 0, sizeof r);
	r.w.fixture = dir;
	r.o.format = OUT_TEXT;
	growth_series_init(&r.gs);
	int rc = series_load_index(dir, &r.ix, err);
	FILE *sink = fopen("/dev/null", "w");
	if (!rc && !sink)
		rc = err_set(err, ERR_INTERNAL, "cannot open /dev/null");
	for (size_t i = 0; !rc && i < r.ix.n; i++)
		rc = sample(&r, i, 0, sink, 0, err);
	if (sink)
		fclose(sink);
	if (!rc) {
		growth_analyze(&r.gs, res);
		memset(growing, 0, sizeof *growing);
		growth_findings(&r.gs, res, growing);
		*last_l = r.last_l;
		*last_fs = r.last_fs;
		snprintf(ended, ended_cap, "%s", r.ix.ended);
		*gs = r.gs;
	} else {
		growth_series_free(&r.gs);
	}
	series_index_free(&r.ix);
	return rc;
}

/* rest: room for argc + 3 pointers. */
static int watch_run(int argc, char **argv, char **rest, struct err *err)
{
	static struct watch_run r;
	int n_rest, help;
	memset(&r, 0, sizeof r);
	if (parse_watch(argc, argv, &r.w, rest, &n_rest, &help, err) != 0)
		return err->hint[0] ? err->code
				    : err_hint(err, "correlate watch --help lists the options");
	if (help) {
		watch_usage(stdout);
		return 0;
	}
	if (r.w.fixture && r.w.save)
		return err_set(err, ERR_USAGE,
			       "watch: --fixture replays a series, --save records "
			       "one: not both");
	if (r.w.fixture) {
		/* The report's options that make sense on a recording: the format. */
		for (int i = 1; i < n_rest; i++) {
			if (strcmp(rest[i], "--json") == 0 || strncmp(rest[i], "--format=", 9) == 0)
				continue;
			if (strcmp(rest[i], "--format") == 0 && i + 1 < n_rest) {
				i++;
				continue;
			}
			char q[ESC_MAX(64)];
			err_set(err, ERR_USAGE,
				"watch --fixture replays a series: %s does not apply",
				esc_str(q, sizeof q, rest[i], ESC_TEXT));
			return err_hint(err, "correlate watch --fixture DIR [--json] [--svg FILE]");
		}
		rest[n_rest++] = "--fixture";
		rest[n_rest++] = (char *)r.w.fixture;
		rest[n_rest] = NULL;
	}
	if (options_parse(n_rest, rest, &r.o, err) != 0) {
		if (strncmp(err->msg, "unknown option", 14) == 0)
			err_hint(err, "correlate watch --help lists its options; a report's "
				      "(correlate --help) apply to each sample");
		return err->code;
	}
	if (r.o.format == OUT_MARKDOWN)
		return err_set(err, ERR_USAGE, "watch: --format is text or json (JSON Lines)");
	if (r.o.save || r.o.mappings)
		return err_set(err, ERR_USAGE, "watch: %s does not apply to a series",
			       r.o.save ? "--force" : "--mappings");
	/* The command line as run: "correlate watch" and watch's own options. */
	char cmd[sizeof r.o.command];
	snprintf(cmd, sizeof cmd, "correlate watch%s", r.o.command + strlen("correlate"));
	for (int i = 1; i < argc && !r.w.fixture; i++)
		if (!strncmp(argv[i], "--every", 7) || !strncmp(argv[i], "--for", 5) ||
		    !strncmp(argv[i], "--samples", 9) || !strncmp(argv[i], "--save", 6) ||
		    !strncmp(argv[i], "--svg", 5)) {
			size_t n = strlen(cmd);
			snprintf(cmd + n, sizeof cmd - n, " %s%s%s", argv[i],
				 strchr(argv[i], '=') || i + 1 >= argc ? "" : " ",
				 strchr(argv[i], '=') || i + 1 >= argc ? "" : argv[i + 1]);
		}
	snprintf(r.o.command, sizeof r.o.command, "%s", cmd);
	r.si.command = r.o.command;
	r.si.interval_seconds = r.w.every;
	/* Finding the endpoint: not /debug/pprof/heap, the dearest to answer. */
	r.o.no_pprof = 1;
	growth_series_init(&r.gs);

	int rc = 0;
	if (r.w.fixture) {
		rc = series_load_index(r.w.fixture, &r.ix, err);
		if (!rc && r.ix.n == 0)
			rc =
			    err_set(err, ERR_USAGE, "the series in %s has no samples", r.w.fixture);
		if (!rc) {
			r.si.source = r.w.fixture;
			r.si.interval_seconds = r.ix.interval_seconds;
			snprintf(r.ended, sizeof r.ended, "%s", r.ix.ended);
		}
		for (size_t i = 0; !rc && i < r.ix.n; i++)
			rc = sample(&r, i, 0, stdout, 0, err);
		if (!rc)
			rc = finish(&r, stdout, err);
		growth_series_free(&r.gs);
		series_index_free(&r.ix);
		return rc;
	}

	if (r.w.save && mkdir(r.w.save, 0700) != 0) {
		char q[ESC_MAX(200)];
		err_set(err, ERR_USAGE, "--save: cannot create %s: %s",
			esc_str(q, sizeof q, r.w.save, ESC_TEXT), strerror(errno));
		return err_hint(err, "--save takes a new folder for the series");
	}
	r.ix.interval_seconds = r.w.every;
	r.ix.pid = r.o.pid;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(err, ERR_INTERNAL, "libcurl failed to start");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop; /* no SA_RESTART: the sleep ends at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int tty = r.o.format == OUT_TEXT && isatty(STDOUT_FILENO);
	double t_start = now_mono();
	uint64_t cpu_start = self_cpu_ns();
	for (size_t i = 0; !stop_asked; i++) {
		rc = sample(&r, i, t_start, stdout, tty, err);
		if (rc == 1) {
			rc = 0;
			break;
		}
		if (rc)
			break;
		if (r.w.max_samples && r.gs.n >= r.w.max_samples)
			break;
		double next = t_start + (double)(i + 1) * r.w.every;
		if (r.w.duration > 0 && next - t_start > r.w.duration + 1e-6)
			break;
		sleep_until(next);
	}
	r.si.wall_seconds = now_mono() - t_start;
	fetch_reap_leftover(); /* the last sample's fetch child, so its CPU counts */
	r.si.self_cpu_seconds = (double)(self_cpu_ns() - cpu_start) / 1e9;
	if (!rc && r.w.save && r.ended[0]) {
		snprintf(r.ix.ended, sizeof r.ix.ended, "%s", r.ended);
		rc = write_index(r.w.save, &r.ix, err);
	}
	if (!rc)
		rc = finish(&r, stdout, err);
	curl_global_cleanup();
	growth_series_free(&r.gs);
	series_index_free(&r.ix);
	return rc;
}

int watch_main(int argc, char **argv, struct err *err)
{
	char **rest = calloc((size_t)argc + 3, sizeof *rest);
	if (!rest)
		return err_set(err, ERR_INTERNAL, "out of memory");
	int rc = watch_run(argc, argv, rest, err);
	free(rest);
	return rc;
}
