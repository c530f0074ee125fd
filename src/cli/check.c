/* `correlate check PATH...`: every recorded pair under the paths, replayed
 * and held against its expect.json and the thresholds given as flags.  One
 * line per pair, then "N passed, N failed"; exit 1 if any failed. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "correlate/escape.h"
#include "correlate/expect.h"
#include "correlate/findings.h"
#include "correlate/growth.h"
#include "correlate/ledger.h"
#include "correlate/pair.h"
#include "correlate/units.h"

struct check_opts {
	opt_u64 max_unexplained; /* --max-unexplained */
	int fail_on;		 /* --fail-on: a finding this severe or worse fails; -1 none */
	const char *junit;	 /* --junit FILE */
	double max_growth;	 /* issue 14: --max-growth, bytes per second; < 0 none */
};

struct result {
	char *path;
	int pass;
	char msg[1024];
};

struct results {
	struct result *r;
	size_t n, cap;
};

static void check_usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: correlate check [options] PATH...\n"
	    "\n"
	    "Replays every recorded pair under PATH (folders are searched) and holds it\n"
	    "against the pair's expect.json and the thresholds below. One line per pair,\n"
	    "then \"N passed, N failed\".\n"
	    "\n"
	    "Options:\n"
	    "  --max-unexplained SIZE     fail a pair whose unexplained_bytes is larger (e.g. 64MiB)\n"
	    "  --fail-on SEVERITY         fail a pair with a finding this severe or worse\n"
	    "                             (warning or critical)\n"
	    "  --junit FILE               also write the results as JUnit XML\n"
	    "  --max-growth RATE          fail a recorded series (watch --save) with a line\n"
	    "                             growing faster, e.g. 1MiB/min, 64KiB/s, 10MiB/h\n"
	    "  --help                     show this help\n"
	    "\n"
	    "Exit codes: 0 all passed; 1 some failed; 2 usage error or no pair found.\n");
}

static int add_result(struct results *rs, const char *path, int pass, const char *msg)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 32;
		struct result *n = realloc(rs->r, cap * sizeof *n);
		if (!n)
			return -1;
		rs->r = n;
		rs->cap = cap;
	}
	struct result *r = &rs->r[rs->n];
	if (!(r->path = strdup(path)))
		return -1;
	r->pass = pass;
	snprintf(r->msg, sizeof r->msg, "%s", msg);
	rs->n++;
	return 0;
}

/* One line per pair or series, PASS or FAIL with what held or broke, and
 * the result kept for the totals and --junit.  The folder's name is
 * anyone's bytes; the message is made of escaped messages already
 * (ESC_SAFE leaves those as they are). */
static int report(struct results *rs, const char *dir, int pass, const char *msg)
{
	fputs(pass ? "PASS " : "FAIL ", stdout);
	esc_fputs(dir, ESC_TEXT, stdout);
	fputs(": ", stdout);
	esc_fputs(msg, ESC_SAFE, stdout);
	putchar('\n');
	return add_result(rs, dir, pass, msg);
}

/* Checks one pair; the line goes to stdout. */
static int check_pair(const char *dir, const struct check_opts *co, struct results *rs)
{
	static struct capture c;
	struct ledger l;
	struct findings fs;
	struct err err = {0};
	struct expectation e;
	char msg[1024] = "";
	int pass = 0;
	memset(&c, 0, sizeof c);
	expectation_init(&e);

	char path[PATH_MAX];
	struct text t = {0};
	snprintf(path, sizeof path, "%s/expect.json", dir);
	int rc = read_path(path, &t);
	if (rc == 0) {
		rc = parse_expect(t.data, t.len, &e, &err);
		text_free(&t);
		if (rc)
			snprintf(msg, sizeof msg, "%s", err.msg);
	} else {
		rc = 0; /* no expect.json: only the flags apply */
	}
	if (!rc && co->max_unexplained.known &&
	    (!e.max_unexplained.known || co->max_unexplained.v < e.max_unexplained.v))
		e.max_unexplained = co->max_unexplained;
	if (!rc && co->fail_on >= 0 && (e.max_severity < 0 || co->fail_on - 1 < e.max_severity))
		e.max_severity = co->fail_on - 1;
	if (!rc && (rc = pair_load(dir, 0, &c, &err)) != 0)
		snprintf(msg, sizeof msg, "cannot replay: %s", err.msg);
	if (!rc) {
		reconcile(&c, &l);
		findings_compute(&c, &l, &fs);
		pass = expectation_check(&e, &l, &fs, msg, sizeof msg);
	}
	capture_free(&c);
	return report(rs, dir, pass, msg);
}

/* issue 14: a recorded series (watch --save DIR), replayed as watch
 * --fixture does: its expect.json held against the last sample's ledger and
 * findings plus the `growing` ones, and --max-growth against every byte
 * line that grows. */
static int check_series(const char *dir, const struct check_opts *co, struct results *rs)
{
	struct growth_series gs;
	struct growth_result res[GL_COUNT];
	static struct findings growing, last_fs, all;
	static struct ledger last_l;
	struct err err = {0};
	struct expectation e;
	char msg[1024] = "", ended[512], path[PATH_MAX];
	int pass = 0;
	expectation_init(&e);
	growth_series_init(&gs);
	struct text t = {0};
	snprintf(path, sizeof path, "%s/expect.json", dir);
	int rc = 0;
	if (read_path(path, &t) == 0) {
		rc = parse_expect(t.data, t.len, &e, &err);
		text_free(&t);
		if (rc)
			snprintf(msg, sizeof msg, "%s", err.msg);
	}
	if (!rc && co->fail_on >= 0 && (e.max_severity < 0 || co->fail_on - 1 < e.max_severity))
		e.max_severity = co->fail_on - 1;
	if (!rc && co->max_unexplained.known &&
	    (!e.max_unexplained.known || co->max_unexplained.v < e.max_unexplained.v))
		e.max_unexplained = co->max_unexplained;
	if (!rc && (rc = series_replay(dir, &gs, res, &growing, &last_l, &last_fs, ended,
				       sizeof ended, &err)) != 0)
		snprintf(msg, sizeof msg, "cannot replay: %s", err.msg);
	if (!rc) {
		all = last_fs;
		for (size_t i = 0; i < growing.n && all.n < FINDINGS_MAX; i++)
			all.f[all.n++] = growing.f[i];
		pass = expectation_check(&e, &last_l, &all, msg, sizeof msg);
		for (int i = 0; i < GL_COUNT && co->max_growth >= 0; i++) {
			if (res[i].state != GS_GROWING || growth_lines[i].is_count ||
			    res[i].fit.slope <= co->max_growth)
				continue;
			char a[32], b[32];
			size_t n = strlen(msg);
			snprintf(msg + n, sizeof msg - n,
				 "%s%s grows %s/s, more than --max-growth %s/s", pass ? "" : "; ",
				 growth_lines[i].name,
				 fmt_iec((uint64_t)res[i].fit.slope, a, sizeof a),
				 fmt_iec((uint64_t)co->max_growth, b, sizeof b));
			if (pass)
				memmove(msg, msg + n, strlen(msg + n) + 1);
			pass = 0;
		}
		if (pass)
			fmt_append(msg, sizeof msg, "%s%zu samples, %zu line%s growing",
				   msg[0] ? "; " : "", gs.n, growing.n, growing.n == 1 ? "" : "s");
	}
	growth_series_free(&gs);
	return report(rs, dir, pass, msg);
}

/* "1MiB/min", "64KiB/s", "10MiB/h", "4096" (per second) into bytes/s. */
static int parse_rate(const char *s, double *out)
{
	char size[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t v;
	if (n >= sizeof size)
		return -1;
	memcpy(size, s, n);
	size[n] = '\0';
	if (parse_size(size, &v) != 0)
		return -1;
	double per = 1;
	if (slash) {
		const char *u = slash + 1;
		per = !strcmp(u, "s")	  ? 1
		      : !strcmp(u, "min") ? 60
		      : !strcmp(u, "h")	  ? 3600
		      : !strcmp(u, "d")	  ? 86400
					  : 0;
		if (per == 0)
			return -1;
	}
	*out = (double)v / per;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks path if it is a pair, else every pair below it (sorted). */
static int walk(const char *path, const struct check_opts *co, struct results *rs, int depth)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode) || depth > 16)
		return 0;
	if (series_is_series(path)) /* issue 14: before its samples, which are pairs */
		return check_series(path, co, rs);
	if (pair_is_pair(path))
		return check_pair(path, co, rs);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
		}
		if (!(names[n] = malloc(strlen(path) + strlen(de->d_name) + 2))) {
			rc = -1;
			break;
		}
		size_t pl = strlen(path);
		sprintf(names[n++], "%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/",
			de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			rc = walk(names[i], co, rs, depth + 1);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* s in XML text or an attribute.  XML 1.0 has no way to hold most control
 * bytes, not even as character references, nor U+FFFE and U+FFFF: s is
 * escaped first (escape.h), so those show as \xNN, as on the terminal, and
 * the rest as entities.  Returns 0, or -1 when out of memory. */
static int xml_escaped(FILE *f, const char *s, enum esc_mode mode)
{
	char *e = esc_strdup(s, mode);
	if (!e)
		return -1;
	for (const char *p = e; *p; p++) {
		switch (*p) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbf &&
			    ((unsigned char)p[2] == 0xbe || (unsigned char)p[2] == 0xbf)) {
				fprintf(f, "\\xef\\xbf\\x%02x", (unsigned char)p[2]);
				p += 2;
			} else {
				fputc(*p, f);
			}
		}
	}
	free(e);
	return 0;
}

static int write_junit(const char *file, const struct results *rs, size_t failed)
{
	FILE *f = fopen(file, "w");
	if (!f)
		return -1;
	fprintf(
	    f,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites>\n"
	    "<testsuite name=\"correlate check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
	    rs->n, failed);
	int bad = 0;
	for (size_t i = 0; i < rs->n; i++) {
		fputs("  <testcase classname=\"correlate.check\" name=\"", f);
		bad |= xml_escaped(f, rs->r[i].path, ESC_TEXT);
		if (rs->r[i].pass) {
			fputs("\"/>\n", f);
			continue;
		}
		fputs("\">\n    <failure message=\"", f);
		bad |= xml_escaped(f, rs->r[i].msg, ESC_SAFE);
		fputs("\">", f);
		bad |= xml_escaped(f, rs->r[i].msg, ESC_SAFE);
		fputs("</failure>\n  </testcase>\n", f);
	}
	fputs("</testsuite>\n</testsuites>\n", f);
	return fclose(f) == 0 && !bad ? 0 : -1;
}

int check_main(int argc, char **argv)
{
	static const struct option longs[] = {
	    {"max-unexplained", required_argument, NULL, 'u'},
	    {"fail-on", required_argument, NULL, 'f'},
	    {"junit", required_argument, NULL, 'j'},
	    {"max-growth", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct check_opts co = {opt_none(), -1, NULL, -1};
	char arg[ESC_MAX(200)]; /* an argument, escaped, for a message */
	int c;
	uint64_t v;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (parse_size(optarg, &v) != 0) {
				fprintf(stderr,
					"correlate check: --max-unexplained: \"%s\" is not a size "
					"like 64MiB\n",
					esc_str(arg, sizeof arg, optarg, ESC_TEXT));
				return ERR_USAGE;
			}
			co.max_unexplained = opt_some(v);
			break;
		case 'f':
			co.fail_on = severity_from_name(optarg);
			if (co.fail_on < SEV_WARNING) {
				fprintf(stderr,
					"correlate check: --fail-on: \"%s\" is not warning or "
					"critical\n",
					esc_str(arg, sizeof arg, optarg, ESC_TEXT));
				return ERR_USAGE;
			}
			break;
		case 'j':
			co.junit = optarg;
			break;
		case 'g':
			if (parse_rate(optarg, &co.max_growth) != 0) {
				fprintf(
				    stderr,
				    "correlate check: --max-growth: \"%s\" is not a rate like "
				    "1MiB/min\n"
				    "correlate check: try: --max-growth 1MiB/min (per s, min, h or d)\n",
				    esc_str(arg, sizeof arg, optarg, ESC_TEXT));
				return ERR_USAGE;
			}
			break;
		case 'h':
			check_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "correlate check: %s %s\n",
				c == ':' ? "missing argument for" : "unknown option",
				esc_str(arg, sizeof arg, argv[optind - 1], ESC_TEXT));
			fprintf(stderr, "correlate check: try: correlate check --help\n");
			return ERR_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "correlate check: no PATH given\n"
				"correlate check: try: correlate check fixtures/\n");
		return ERR_USAGE;
	}
	struct results rs = {0};
	int rc = 0;
	for (int i = optind; i < argc && !rc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr,
				"correlate check: %s: no such file or folder\n"
				"correlate check: try: give folders that hold recorded pairs (a "
				"pair is a folder with status or top, and memstats.txt, vars.json "
				"or metrics.prom), or folders above them: correlate check "
				"fixtures/\n",
				esc_str(arg, sizeof arg, argv[i], ESC_TEXT));
			rc = ERR_USAGE;
			break;
		}
		if (walk(argv[i], &co, &rs, 0) != 0) {
			fprintf(stderr, "correlate check: out of memory\n");
			rc = ERR_INTERNAL;
		}
	}
	size_t failed = 0;
	for (size_t i = 0; i < rs.n; i++)
		failed += !rs.r[i].pass;
	if (!rc && rs.n == 0) {
		fprintf(stderr, "correlate check: no recorded pair under the paths given\n"
				"correlate check: try: a pair is a folder with status (or top) and "
				"memstats.txt, vars.json or metrics.prom\n");
		rc = ERR_USAGE;
	}
	if (!rc) {
		printf("%zu passed, %zu failed\n", rs.n - failed, failed);
		if (co.junit && write_junit(co.junit, &rs, failed) != 0) {
			fprintf(stderr, "correlate check: cannot write %s\n",
				esc_str(arg, sizeof arg, co.junit, ESC_TEXT));
			rc = ERR_INTERNAL;
		}
	}
	for (size_t i = 0; i < rs.n; i++)
		free(rs.r[i].path);
	free(rs.r);
	if (rc)
		return rc;
	return failed ? 1 : 0;
}
