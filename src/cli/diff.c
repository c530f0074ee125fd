/* `correlate diff A B`: two recorded pairs (or two samples of a recorded
 * series, which are pairs too), each replayed through pair_load, reconciled,
 * and every ledger line and smaps class compared, largest change first;
 * like JVM NMT's summary.diff (issue 14).  A series folder alone compares
 * its first and last sample. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "correlate/escape.h"
#include "correlate/growth.h"
#include "correlate/ledger.h"
#include "correlate/pair.h"
#include "correlate/series.h"

void diff_usage(FILE *out)
{
	fprintf(out,
		"Usage: correlate diff [options] A B\n"
		"       correlate diff [options] SERIES\n"
		"\n"
		"Compares two recorded pairs (folders from --save, or samples of a series from\n"
		"watch --save, such as SERIES/0001 and SERIES/0042): every ledger line and smaps\n"
		"class with both values and the change, largest change first, and what changed\n"
		"most (sums such as RES and VIRT are listed, never named as what changed most).\n"
		"A series folder alone compares its first and last sample.\n"
		"\n"
		"Options:\n"
		"  --json                     print JSON (same as --format json)\n"
		"  --format FORMAT            text (default), json, or markdown\n"
		"  --svg FILE                 also draw RES stacked by owner, A then B, as SVG\n"
		"  --help                     show this help\n"
		"\n"
		"Exit codes: 0 compared; 2 usage error, or a folder that is not a pair.\n");
}

static int load(const char *dir, struct capture *c, struct ledger *l, struct err *err)
{
	memset(c, 0, sizeof *c);
	int rc = pair_load(dir, 0, c, err);
	if (rc) {
		char q[ESC_MAX(200)];
		err_prefix(err, "%s", esc_str(q, sizeof q, dir, ESC_TEXT));
		return rc;
	}
	reconcile(c, l);
	return 0;
}

int diff_main(int argc, char **argv, struct err *err)
{
	static struct capture ca, cb;
	static struct ledger_diff d;
	struct ledger la, lb;
	enum out_format fmt = OUT_TEXT;
	const char *svg = NULL, *paths[2];
	char first[PATH_MAX], last[PATH_MAX];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			diff_usage(stdout);
			return 0;
		} else if (strcmp(a, "--json") == 0) {
			fmt = OUT_JSON;
		} else if (strcmp(a, "--format") == 0 || strncmp(a, "--format=", 9) == 0) {
			const char *v = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return err_set(err, ERR_USAGE, "--format needs an argument");
			if (strcmp(v, "text") == 0)
				fmt = OUT_TEXT;
			else if (strcmp(v, "json") == 0)
				fmt = OUT_JSON;
			else if (strcmp(v, "markdown") == 0)
				fmt = OUT_MARKDOWN;
			else {
				char q[ESC_MAX(64)];
				err_set(err, ERR_USAGE,
					"--format: \"%s\" is not one of text, json, markdown",
					esc_str(q, sizeof q, v, ESC_TEXT));
				return err_hint(err, "correlate diff --format json A B");
			}
		} else if (strcmp(a, "--svg") == 0 || strncmp(a, "--svg=", 6) == 0) {
			svg = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : NULL;
			if (!svg)
				return err_set(err, ERR_USAGE, "--svg needs an argument");
		} else if (a[0] == '-' && a[1]) {
			char q[ESC_MAX(64)];
			err_set(err, ERR_USAGE, "diff: unknown option %s",
				esc_str(q, sizeof q, a, ESC_TEXT));
			return err_hint(err, "correlate diff --help lists the options");
		} else if (n < 2) {
			paths[n++] = a;
		} else {
			err_set(err, ERR_USAGE, "diff: more than two folders given");
			return err_hint(err, "correlate diff A B");
		}
	}
	if (n == 1 && series_is_series(paths[0])) {
		struct series_index ix;
		int rc = series_load_index(paths[0], &ix, err);
		if (rc)
			return rc;
		if (ix.n < 2) {
			series_index_free(&ix);
			return err_set(err, ERR_USAGE,
				       "diff: the series has fewer than two samples");
		}
		snprintf(first, sizeof first, "%s/%s", paths[0], ix.e[0].dir);
		snprintf(last, sizeof last, "%s/%s", paths[0], ix.e[ix.n - 1].dir);
		series_index_free(&ix);
		paths[0] = first;
		paths[1] = last;
		n = 2;
	}
	if (n != 2) {
		err_set(err, ERR_USAGE, "diff: give two recorded pairs, A and B");
		return err_hint(err, "record them with correlate --pid PID --save DIR, or use two "
				     "samples of a series: correlate diff SERIES/0001 SERIES/0042");
	}
	int rc = load(paths[0], &ca, &la, err);
	if (!rc)
		rc = load(paths[1], &cb, &lb, err);
	if (!rc) {
		ledger_diff_compute(&ca, &la, &cb, &lb, &d);
		d.a_name = paths[0];
		d.b_name = paths[1];
		int w = fmt == OUT_JSON	      ? render_diff_json(stdout, &d)
			: fmt == OUT_MARKDOWN ? render_diff_markdown(stdout, &d)
					      : render_diff_text(stdout, &d);
		if (w)
			rc = err_set(err, ERR_INTERNAL, "cannot write the output");
	}
	if (!rc && svg) {
		/* The picture of two samples: A at 0, B at the seconds between them. */
		struct growth_series gs;
		struct growth_sample s;
		growth_series_init(&gs);
		growth_sample_of(&ca, &la, 0, &s);
		int bad = growth_series_push(&gs, &s);
		double dt = ca.captured_at && cb.captured_at && cb.captured_at > ca.captured_at
				? (double)(cb.captured_at - ca.captured_at)
				: 1;
		growth_sample_of(&cb, &lb, dt, &s);
		bad |= growth_series_push(&gs, &s);
		FILE *f = bad ? NULL : fopen(svg, "w");
		bad = !f || render_svg(f, &gs, "RES by owner: A, then B") != 0;
		if ((f && fclose(f) != 0) || bad) {
			char q[ESC_MAX(200)];
			rc = err_set(err, ERR_USAGE, "--svg: cannot write %s",
				     esc_str(q, sizeof q, svg, ESC_TEXT));
		}
		growth_series_free(&gs);
	}
	capture_free(&ca);
	capture_free(&cb);
	return rc;
}
