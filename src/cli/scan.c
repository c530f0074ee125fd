/* `correlate scan`: every Go process on the host, each through the single
 * report's pipeline (acquire_live -> reconcile -> findings), in bounded
 * parallel workers under one time budget, reduced to one row each as the
 * results come in; then a table, JSON, or the Prometheus exposition, once
 * or --every DURATION (issue 13; README "Every Go process on a host").
 *
 * Each target is captured in a worker process of its own: a capture's
 * memory (its mappings, its body) lives and dies there, so correlate's own
 * memory does not grow with the number or size of the targets, and a
 * worker the budget runs out on is killed with everything it started. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "correlate/escape.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"
#include "correlate/privsep.h"
#include "correlate/render.h"
#include "correlate/scan.h"

enum scan_format { SF_TEXT, SF_JSON, SF_PROMETHEUS, SF_OPENMETRICS };

#define SCAN_WORKERS_MAX 64

struct scan_opts {
	struct options report; /* what each target's capture is given */
	enum scan_format format;
	const char *output; /* --output FILE; NULL: stdout */
	double every;	    /* --every, seconds; 0: once */
	int workers;	    /* --workers */
	double budget;	    /* --budget, seconds */
};

enum {
	S_JSON = 1000,
	S_FORMAT,
	S_OUTPUT,
	S_EVERY,
	S_WORKERS,
	S_BUDGET,
	S_ALLOW_PPROF,
	S_TIMEOUT,
	S_PATH,
	S_USER,
	S_NO_ENDPOINT,
	S_HELP,
};

static const struct {
	const char *name, *arg;
	int id;
	const char *help;
} scan_opt_defs[] = {
    {"format", "FORMAT", S_FORMAT,
     "text (default), json, prometheus (text exposition 0.0.4: what node_exporter's "
     "textfile collector reads) or openmetrics"},
    {"json", NULL, S_JSON, "same as --format json"},
    {"output", "FILE", S_OUTPUT,
     "write to FILE atomically (a temporary file beside it, then renamed), e.g. "
     "node_exporter's textfile directory/correlate.prom"},
    {"every", "DURATION", S_EVERY,
     "scan again every DURATION (e.g. 60s, 5m), with up to 10% jitter, until stopped"},
    {"workers", "N", S_WORKERS, "targets captured at once (default: online CPUs, at most 4)"},
    {"budget", "SECONDS", S_BUDGET,
     "the whole scan's time budget (default 60): targets not done by then are failures"},
    {"allow-pprof", NULL, S_ALLOW_PPROF,
     "also try /debug/pprof/heap?debug=1 (costs the target milliseconds per MiB of profile)"},
    {"timeout", "SECONDS", S_TIMEOUT, "each target's endpoint budget (as for a report)"},
    {"path", "PATH", S_PATH, "also try PATH on each socket, first (repeatable)"},
    {"user", "NAME", S_USER, "run each fetch as NAME (default nobody)"},
    {"no-endpoint", NULL, S_NO_ENDPOINT, "fetch nothing: every report from /proc alone"},
    {"help", NULL, S_HELP, "show this help"},
};
#define N_SCAN_OPTS (sizeof scan_opt_defs / sizeof scan_opt_defs[0])

static void scan_usage(FILE *out)
{
	fprintf(out, "Usage: correlate scan [options]\n"
		     "\n"
		     "Reports every Go process on the host (told apart by its Go build info),\n"
		     "each through the same capture as correlate --pid PID: its endpoint found\n"
		     "among its own sockets, in its own network namespace; from /proc alone when\n"
		     "it has none. One line per process, or JSON, or Prometheus metrics.\n"
		     "\n"
		     "Options:\n");
	for (size_t i = 0; i < N_SCAN_OPTS; i++) {
		char left[64];
		snprintf(left, sizeof left, "--%s%s%s", scan_opt_defs[i].name,
			 scan_opt_defs[i].arg ? " " : "",
			 scan_opt_defs[i].arg ? scan_opt_defs[i].arg : "");
		fprintf(out, "  %-26s %s\n", left, scan_opt_defs[i].help);
	}
	fprintf(out,
		"\n"
		"Exit codes:\n"
		"  0  every Go process found was reported (one that exited or exec'd during\n"
		"     the scan is left out with a note, not a failure)\n"
		"  1  internal error; the output cannot be written\n"
		"  2  usage error\n"
		"  3  /proc cannot be listed\n"
		"  6  some Go processes could not be reported (each is named, with why);\n"
		"     the others are in the output\n"
		"  With --every, correlate scan runs until stopped (SIGINT, SIGTERM: exit 0)\n"
		"  or until the output cannot be written (1).\n"
		"\n"
		"Examples:\n"
		"  correlate scan\n"
		"  correlate scan --format prometheus --every 60s \\\n"
		"      --output /var/lib/prometheus/node-exporter/correlate.prom\n");
}

/* "60", "60s", "1.5s", "500ms", "5m", "1h": seconds. */
static int parse_duration(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		;
	else if (strcmp(end, "ms") == 0)
		v /= 1000;
	else if (strcmp(end, "m") == 0)
		v *= 60;
	else if (strcmp(end, "h") == 0)
		v *= 3600;
	else
		return -1;
	if (!(v <= 7 * 86400.0))
		return -1;
	*out = v;
	return 0;
}

static int parse_scan(int argc, char **argv, struct scan_opts *so, struct err *err)
{
	struct option longs[N_SCAN_OPTS + 1];
	for (size_t i = 0; i < N_SCAN_OPTS; i++)
		longs[i] = (struct option){scan_opt_defs[i].name,
					   scan_opt_defs[i].arg ? required_argument : no_argument,
					   NULL, scan_opt_defs[i].id};
	longs[N_SCAN_OPTS] = (struct option){NULL, 0, NULL, 0};
	memset(so, 0, sizeof *so);
	struct options *o = &so->report;
	fetch_opts_default(&o->fetch);
	o->fetch.headers = o->headers;
	o->format = OUT_JSON;
	o->no_pprof = 1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	so->workers = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (int)ncpu;
	so->budget = 60;
	snprintf(o->command, sizeof o->command, "correlate scan");
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case S_JSON:
			so->format = SF_JSON;
			break;
		case S_FORMAT:
			if (strcmp(optarg, "text") == 0)
				so->format = SF_TEXT;
			else if (strcmp(optarg, "json") == 0)
				so->format = SF_JSON;
			else if (strcmp(optarg, "prometheus") == 0)
				so->format = SF_PROMETHEUS;
			else if (strcmp(optarg, "openmetrics") == 0)
				so->format = SF_OPENMETRICS;
			else {
				char q[ESC_MAX(64)];
				esc_bytes(q, sizeof q, optarg, strnlen(optarg, 64), ESC_TEXT);
				err_set(err, ERR_USAGE,
					"--format: \"%s\" is not one of text, json, prometheus, "
					"openmetrics",
					q);
				return err_hint(err, "--format prometheus for node_exporter's "
						     "textfile collector");
			}
			break;
		case S_OUTPUT:
			so->output = optarg;
			break;
		case S_EVERY:
			if (parse_duration(optarg, &so->every) != 0 || so->every < 1) {
				err_set(err, ERR_USAGE,
					"--every: \"%.60s\" is not a duration of 1s or more (e.g. "
					"60s, 5m)",
					optarg);
				return err_hint(err, "correlate scan --every 60s");
			}
			break;
		case S_WORKERS: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > SCAN_WORKERS_MAX) {
				err_set(err, ERR_USAGE, "--workers: \"%.60s\" is not a number in 1..%d",
					optarg, SCAN_WORKERS_MAX);
				return err_hint(err, "--workers 2");
			}
			so->workers = (int)v;
			break;
		}
		case S_BUDGET:
			if (parse_duration(optarg, &so->budget) != 0 || so->budget > 3600) {
				err_set(err, ERR_USAGE,
					"--budget: \"%.60s\" is not a number of seconds in (0, 3600]",
					optarg);
				return err_hint(err, "--budget 30");
			}
			break;
		case S_ALLOW_PPROF:
			o->no_pprof = 0;
			break;
		case S_TIMEOUT:
			if (options_timeout(o, optarg, err) != 0)
				return err->code;
			break;
		case S_PATH:
			if (options_path(o, optarg, err) != 0)
				return err->code;
			break;
		case S_USER:
			o->user = optarg;
			break;
		case S_NO_ENDPOINT:
			o->no_endpoint = 1;
			break;
		case 'h':
		case S_HELP:
			o->help = 1;
			return 0;
		case ':':
			return err_set(err, ERR_USAGE, "%s needs an argument", argv[optind - 1]);
		default:
			return err_set(err, ERR_USAGE, "unknown option %s for correlate scan",
				       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return err_set(err, ERR_USAGE, "unexpected argument \"%.100s\"", argv[optind]);
	if (o->no_endpoint && o->n_paths)
		return err_set(err, ERR_USAGE, "--no-endpoint fetches nothing: it takes no --path");
	return 0;
}

/* ---- one target, in a worker ---- */

/* What a worker sends back: this, then doc_len bytes of the report's JSON
 * document (asked for with --json only). */
struct worker_msg {
	uint32_t magic;
	int code; /* 0: row holds the report; else the error a report would give */
	struct scan_row row;
	char msg[400];
	char hint[240];
	uint64_t doc_len;
};
#define WORKER_MAGIC 0x5343414eu

static int write_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void worker(const struct scan_opts *so, const struct scan_candidate *k, int fd)
{
	static struct capture c;
	static struct worker_msg m;
	struct options o = so->report;
	struct err err = {0};
	char *doc = NULL;
	size_t doc_len = 0;
	memset(&c, 0, sizeof c);
	memset(&m, 0, sizeof m);
	m.magic = WORKER_MAGIC;
	o.pid = k->pid;
	snprintf(c.command, sizeof c.command, "%s", o.command);
	int rc = acquire_live(&o, &c, &err);
	if (!rc) {
		struct ledger l;
		static struct findings fs;
		reconcile(&c, &l);
		findings_compute(&c, &l, &fs);
		scan_row_from(&c, &l, &fs, &m.row);
		if (so->format == SF_JSON) {
			FILE *ms = open_memstream(&doc, &doc_len);
			struct render_input in = {.c = &c, .l = &l, .fs = &fs};
			if (!ms || render_json(ms, &in) != 0 || fclose(ms) != 0)
				rc = err_set(&err, ERR_INTERNAL, "cannot render the report");
		}
	}
	m.code = rc;
	if (rc) {
		snprintf(m.msg, sizeof m.msg, "%s", err.msg);
		snprintf(m.hint, sizeof m.hint, "%s", err.hint);
		doc_len = 0;
	}
	m.doc_len = doc_len;
	/* the fetch child first: its CPU is then counted in correlate's, and
	 * no zombie is left for init */
	fetch_reap_leftover();
	int w = write_all(fd, &m, sizeof m);
	if (!w && doc_len)
		w = write_all(fd, doc, doc_len);
	_exit(w ? 1 : 0);
}

/* ---- the scan ---- */

struct slot {
	pid_t worker; /* 0: free */
	int fd;
	size_t k; /* the candidate */
	char *buf;
	size_t len, cap;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add_row(struct scan_result *s, const struct scan_row *r)
{
	if (s->n_rows == s->cap_rows) {
		size_t cap = s->cap_rows ? s->cap_rows * 2 : 16;
		struct scan_row *g = realloc(s->rows, cap * sizeof *g);
		if (!g)
			return -1;
		s->rows = g;
		s->cap_rows = cap;
	}
	s->rows[s->n_rows++] = *r;
	return 0;
}

static void add_miss(struct scan_result *s, const struct scan_candidate *k, int code,
		     int dropped, const char *msg, const char *hint)
{
	if (s->n_miss == s->cap_miss) {
		size_t cap = s->cap_miss ? s->cap_miss * 2 : 8;
		struct scan_miss *g = realloc(s->miss, cap * sizeof *g);
		if (!g)
			return;
		s->miss = g;
		s->cap_miss = cap;
	}
	struct scan_miss *m = &s->miss[s->n_miss++];
	memset(m, 0, sizeof *m);
	m->pid = k->pid;
	snprintf(m->comm, sizeof m->comm, "%s", k->comm);
	m->code = code;
	m->dropped = dropped;
	snprintf(m->msg, sizeof m->msg, "%s", msg);
	snprintf(m->hint, sizeof m->hint, "%s", hint ? hint : "");
	if (dropped)
		s->t.dropped++;
	else
		s->t.failures++;
}

/* A target that failed: gone, or another program now (an exec, or the pid
 * reused), is dropped with a note; anything else is a failure. */
static void failed(struct scan_result *s, const struct scan_candidate *k, int code,
		   const char *msg, const char *hint)
{
	struct proc_identity now;
	struct err e = {0};
	if (acquire_identity(k->pid, &now, &e) != 0 || now.state == 'Z') {
		add_miss(s, k, code, 1, "exited during the scan", NULL);
		return;
	}
	if (now.start_tics != k->start_tics || strcmp(now.exe, k->exe) != 0 ||
	    strcmp(now.comm, k->comm) != 0) {
		add_miss(s, k, code, 1, "exec'd another program (or the pid was reused) during "
					"the scan", NULL);
		return;
	}
	add_miss(s, k, code, 0, msg, hint);
}

/* Takes a finished worker's message: a row (and its document, written out
 * at once with --json), or a miss. */
static int take(const struct scan_opts *so, struct scan_result *s, const struct scan_candidate *k,
		struct slot *w, int status, FILE *json_out, int *first_doc)
{
	const struct worker_msg *m = (const struct worker_msg *)w->buf;
	int whole = w->len >= sizeof *m && m->magic == WORKER_MAGIC &&
		    w->len == sizeof *m + m->doc_len && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0;
	if (!whole) {
		char why[96];
		if (WIFSIGNALED(status))
			snprintf(why, sizeof why, "killed by signal %d", WTERMSIG(status));
		else
			snprintf(why, sizeof why, "exit status %d, %zu bytes sent", WEXITSTATUS(status),
				 w->len);
		char msg[200];
		snprintf(msg, sizeof msg, "its capture ended without a report (%s)", why);
		failed(s, k, ERR_INTERNAL, msg, "run correlate --pid on it to see the error");
		return 0;
	}
	if (m->code) {
		failed(s, k, m->code, m->msg, m->hint);
		return 0;
	}
	if (add_row(s, &m->row) != 0)
		return -1;
	s->t.targets++;
	if (m->row.probe_cpu_ns.known)
		s->t.probe_cpu_ns += m->row.probe_cpu_ns.v;
	if (so->format == SF_JSON && json_out) {
		fputs(*first_doc ? "\n" : ",\n", json_out);
		*first_doc = 0;
		fwrite(w->buf + sizeof *m, 1, m->doc_len, json_out);
	}
	return 0;
}

static int spawn(const struct scan_opts *so, const struct scan_candidate *k, struct slot *w)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		setpgid(0, 0); /* killed with what it starts when the budget runs out */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		worker(so, k, p[1]);
	}
	close(p[1]);
	setpgid(pid, pid);
	w->worker = pid;
	w->fd = p[0];
	w->len = 0;
	return 0;
}

static void reap(struct slot *w, int *status)
{
	while (waitpid(w->worker, status, 0) < 0 && errno == EINTR)
		;
	close(w->fd);
	w->worker = 0;
}

static void self_cost(struct scan_totals *t)
{
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	t->self_cpu_seconds = (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec +
				       kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
			      (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec +
				       kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) /
				  1e6;
	long peak = self.ru_maxrss > kids.ru_maxrss ? self.ru_maxrss : kids.ru_maxrss;
	t->self_peak_rss = opt_some((uint64_t)peak * 1024);
	t->self_rss = opt_none();
	FILE *f = fopen("/proc/self/statm", "re");
	unsigned long size, res;
	if (f && fscanf(f, "%lu %lu", &size, &res) == 2)
		t->self_rss = opt_some((uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE));
	if (f)
		fclose(f);
}

static int row_by_pid(const void *a, const void *b)
{
	const struct scan_row *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static volatile sig_atomic_t stop_asked;
static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* One scan into s; with --json, the reports are written to json_out as
 * they come.  ERR_PROC when /proc cannot be listed. */
static int scan_once(const struct scan_opts *so, struct scan_result *s, FILE *json_out,
		     struct err *err)
{
	struct scan_candidate *ks = NULL;
	size_t nk = 0;
	double t0 = now_s();
	s->t.started_at = (int64_t)time(NULL);
	s->t.workers = so->workers;
	s->t.budget = so->budget;
	s->t.allow_pprof = !so->report.no_pprof;
	int rc = acquire_go_processes(&ks, &nk, &s->t.processes, &s->t.unreadable, err);
	if (rc)
		return rc;
	struct slot slots[SCAN_WORKERS_MAX];
	memset(slots, 0, sizeof slots);
	size_t next = 0, running = 0;
	int first_doc = 1;
	double deadline = t0 + so->budget;
	if (so->format == SF_JSON && json_out)
		fputs("{\n\"kind\": \"scan\",\n\"reports\": [", json_out);
	while ((next < nk || running) && !rc) {
		while (next < nk && running < (size_t)so->workers && now_s() < deadline) {
			struct slot *w = NULL;
			for (int i = 0; i < so->workers && !w; i++)
				if (!slots[i].worker)
					w = &slots[i];
			if (spawn(so, &ks[next], w) != 0) {
				add_miss(s, &ks[next], ERR_INTERNAL, 0, "cannot start a worker",
					 strerror(errno));
				next++;
				continue;
			}
			w->k = next++;
			running++;
		}
		struct pollfd pf[SCAN_WORKERS_MAX];
		int map[SCAN_WORKERS_MAX], np = 0;
		for (int i = 0; i < so->workers; i++)
			if (slots[i].worker) {
				pf[np] = (struct pollfd){slots[i].fd, POLLIN, 0};
				map[np++] = i;
			}
		double left = deadline - now_s();
		int ms = left > 0 ? (int)(left * 1000) + 1 : 0;
		int n = np ? poll(pf, (nfds_t)np, ms > 1000 ? 1000 : ms) : 0;
		if (n < 0 && errno != EINTR) {
			rc = err_set(err, ERR_INTERNAL, "poll: %s", strerror(errno));
			break;
		}
		for (int j = 0; j < np && n > 0; j++) {
			if (!pf[j].revents)
				continue;
			struct slot *w = &slots[map[j]];
			if (w->cap - w->len < 65536) {
				size_t cap = w->cap ? w->cap * 2 : 131072;
				char *g = realloc(w->buf, cap);
				if (!g) {
					rc = err_set(err, ERR_INTERNAL, "out of memory");
					break;
				}
				w->buf = g;
				w->cap = cap;
			}
			ssize_t r = read(w->fd, w->buf + w->len, w->cap - w->len);
			if (r > 0) {
				w->len += (size_t)r;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			int status;
			reap(w, &status);
			running--;
			if (take(so, s, &ks[w->k], w, status, json_out, &first_doc) != 0)
				rc = err_set(err, ERR_INTERNAL, "out of memory");
			/* the buffer is kept for the next target; a large one is let go */
			if (w->cap > (1u << 22)) {
				free(w->buf);
				w->buf = NULL;
				w->cap = 0;
			}
		}
		if (now_s() >= deadline) {
			char msg[160];
			for (int i = 0; i < so->workers; i++) {
				struct slot *w = &slots[i];
				if (!w->worker)
					continue;
				int status;
				kill(-w->worker, SIGKILL);
				kill(w->worker, SIGKILL);
				reap(w, &status);
				running--;
				snprintf(msg, sizeof msg,
					 "not done within the scan's budget of %g s", so->budget);
				add_miss(s, &ks[w->k], ERR_ENDPOINT, 0, msg,
					 "give the scan more time (--budget) or more workers "
					 "(--workers)");
				s->t.skipped_budget++;
			}
			for (; next < nk; next++) {
				snprintf(msg, sizeof msg,
					 "not scanned: the scan's budget of %g s ran out", so->budget);
				add_miss(s, &ks[next], ERR_ENDPOINT, 0, msg,
					 "give the scan more time (--budget) or more workers "
					 "(--workers)");
				s->t.skipped_budget++;
			}
		}
	}
	for (int i = 0; i < SCAN_WORKERS_MAX; i++) {
		if (slots[i].worker) {
			int status;
			kill(-slots[i].worker, SIGKILL);
			reap(&slots[i], &status);
		}
		free(slots[i].buf);
	}
	free(ks);
	/* in pid order, not the order they finished: the same scan, the same text */
	if (s->n_rows)
		qsort(s->rows, s->n_rows, sizeof *s->rows, row_by_pid);
	s->t.duration = now_s() - t0;
	self_cost(&s->t);
	if (so->format == SF_JSON && json_out && !rc) {
		fputs(first_doc ? "],\n\"scan\": " : "\n],\n\"scan\": ", json_out);
		render_scan_json_tail(json_out, s);
		fputs("\n}\n", json_out);
	}
	return rc;
}

/* Writes the finished scan (all formats but JSON, which is written as it
 * comes). */
static int render_scan(const struct scan_opts *so, const struct scan_result *s, FILE *out)
{
	switch (so->format) {
	case SF_PROMETHEUS:
		return render_scan_prometheus(out, s, 0);
	case SF_OPENMETRICS:
		return render_scan_prometheus(out, s, 1);
	case SF_TEXT:
		return render_scan_text(out, s);
	case SF_JSON:
		break;
	}
	return 0;
}

/* --output: a temporary file in the same folder (named so node_exporter,
 * which reads *.prom only, never reads it half-written), renamed over FILE. */
static FILE *open_output(const char *path, char *tmp, size_t cap, struct err *err)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path + 1) : 0;
	snprintf(tmp, cap, "%.*s.%s.XXXXXX", dlen, path, slash ? slash + 1 : path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		char q[ESC_MAX(512)];
		esc_str(q, sizeof q, path, ESC_TEXT);
		err_set(err, ERR_INTERNAL, "--output %s: cannot create a file beside it: %s", q,
			strerror(errno));
		err_hint(err, "give a file in a folder correlate can write (node_exporter's "
			      "--collector.textfile.directory)");
		return NULL;
	}
	fchmod(fd, 0644); /* node_exporter runs as another user */
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		err_set(err, ERR_INTERNAL, "out of memory");
	}
	return f;
}

static int commit_output(FILE *f, const char *tmp, const char *path, struct err *err)
{
	int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (!bad && rename(tmp, path) == 0)
		return 0;
	int e = errno;
	unlink(tmp);
	char q[ESC_MAX(512)];
	esc_str(q, sizeof q, path, ESC_TEXT);
	err_set(err, ERR_INTERNAL, "--output %s: cannot write it: %s", q, strerror(e));
	return err_hint(err, "check the folder's free space and permissions");
}

static void scan_free(struct scan_result *s)
{
	free(s->rows);
	free(s->miss);
	memset(s, 0, sizeof *s);
}

/* What went to stderr: each failure and each dropped process, one line. */
static void notes(const struct scan_result *s)
{
	for (size_t i = 0; i < s->n_miss; i++) {
		const struct scan_miss *m = &s->miss[i];
		char comm[ESC_MAX(64)];
		esc_str(comm, sizeof comm, m->comm, ESC_TEXT);
		fprintf(stderr, "correlate: %s pid %d (%s): %s\n", m->dropped ? "note:" : "scan:",
			(int)m->pid, comm, m->msg);
	}
}

static void sleep_s(double s)
{
	double end = now_s() + s;
	while (!stop_asked) {
		double left = end - now_s();
		if (left <= 0)
			break;
		struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
		nanosleep(&ts, NULL);
	}
}

int scan_main(int argc, char **argv, struct err *err)
{
	struct scan_opts so;
	if (parse_scan(argc, argv, &so, err) != 0) {
		if (!err->hint[0])
			err_hint(err, "correlate scan --help lists its options");
		return err->code;
	}
	if (so.report.help) {
		scan_usage(stdout);
		return 0;
	}
	if (so.every) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		srand((unsigned)(time(NULL) ^ getpid()));
	}
	unsigned long scans = 0;
	int rc = 0;
	do {
		struct scan_result s;
		memset(&s, 0, sizeof s);
		char tmp[PATH_MAX];
		FILE *out = stdout;
		if (so.output && !(out = open_output(so.output, tmp, sizeof tmp, err)))
			return err->code;
		double started = now_s();
		s.t.scans = ++scans;
		rc = scan_once(&so, &s, out, err);
		if (!rc && render_scan(&so, &s, out) != 0)
			rc = err_set(err, ERR_INTERNAL, "cannot write the scan");
		if (so.output) {
			if (rc)
				fclose(out), unlink(tmp);
			else
				rc = commit_output(out, tmp, so.output, err);
		} else if (fflush(stdout) != 0) {
			rc = err_set(err, ERR_INTERNAL, "cannot write the scan");
		}
		if (!rc)
			notes(&s);
		if (!rc && !so.every && s.t.failures) {
			const struct scan_miss *first = NULL;
			for (size_t i = 0; i < s.n_miss && !first; i++)
				if (!s.miss[i].dropped)
					first = &s.miss[i];
			err_set(err, ERR_PARTIAL, "%zu of %zu Go processes could not be reported",
				s.t.failures, s.t.failures + s.t.targets + s.t.dropped);
			err_hint(err, "%s", first && first->hint[0] ? first->hint
								  : "see the lines above");
			rc = ERR_PARTIAL;
		}
		scan_free(&s);
		if (rc || !so.every)
			break;
		/* the next scan starts every seconds after this one did, give or
		 * take 10%, so that a fleet's nodes do not scan in step */
		double jitter = so.every * 0.1 * (2.0 * rand() / (double)RAND_MAX - 1.0);
		sleep_s(started + so.every + jitter - now_s());
	} while (!stop_asked);
	return rc;
}
