/* The picture (series.h, render_svg): RES stacked by owner over time, the
 * cgroup limit and GOMEMLIMIT as dashed lines.  One self-contained SVG
 * file: no scripts, no external fonts, images or style sheets; generic
 * font families only, so any viewer draws it the same. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "correlate/escape.h"
#include "correlate/render.h"
#include "correlate/series.h"
#include "correlate/units.h"

#define W      960
#define H      480
#define LEFT   90
#define RIGHT  210
#define TOP    50
#define BOTTOM 60
#define PLOT_W (W - LEFT - RIGHT)
#define PLOT_H (H - TOP - BOTTOM)

/* One colour per owner, in stacking order (bottom first). */
static const char *const colours[GP_COUNT] = {"#4e79a7", "#a0cbe8", "#e15759", "#59a14f",
					      "#edc948"};

/* Text in XML: the escaped form (escape.h; ESC_SAFE: a title quotes bytes
 * already escaped), then entities. */
static void xml_text(FILE *out, const char *s)
{
	char buf[ESC_MAX(256)];
	esc_str(buf, sizeof buf, s, ESC_SAFE);
	for (const char *p = buf; *p; p++) {
		switch (*p) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*p, out);
		}
	}
}

static double part(const struct growth_sample *s, int p)
{
	return s->part[p].known ? (double)s->part[p].v : 0;
}

/* A round step for an axis of span v: 1, 2 or 5 times a power of 10 (of
 * 1024 for bytes, so ticks read as whole MiB or GiB). */
static double nice_step(double span, int bytes, int ticks)
{
	double raw = span / ticks;
	if (raw <= 0)
		return 1;
	double base = 1;
	if (bytes) {
		while (base * 1024 <= raw)
			base *= 1024;
		raw /= base;
	}
	double p = pow(10, floor(log10(raw)));
	double m = raw / p;
	double step = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
	return step * p * base;
}

int render_svg(FILE *out, const struct growth_series *gs, const char *title)
{
	if (!gs->n)
		return -1;
	double t0 = gs->s[0].t, t1 = gs->s[gs->n - 1].t;
	if (t1 <= t0)
		t1 = t0 + 1;
	double ymax = 0;
	opt_u64 limit = opt_none(), gml = opt_none();
	for (size_t i = 0; i < gs->n; i++) {
		double sum = 0;
		for (int p = 0; p < GP_COUNT; p++)
			sum += part(&gs->s[i], p);
		if (sum > ymax)
			ymax = sum;
		if (gs->s[i].limit.known)
			limit = gs->s[i].limit;
		if (gs->s[i].gomemlimit.known)
			gml = gs->s[i].gomemlimit;
	}
	/* A limit far above RES would flatten the picture: drawn only when it
	 * is within 3x of the top, else named in the legend. */
	int draw_limit = limit.known && (double)limit.v <= 3 * ymax;
	int draw_gml = gml.known && (double)gml.v <= 3 * ymax;
	if (draw_limit && (double)limit.v > ymax)
		ymax = (double)limit.v;
	if (draw_gml && (double)gml.v > ymax)
		ymax = (double)gml.v;
	if (ymax <= 0)
		ymax = 1;
	double ystep = nice_step(ymax, 1, 5);
	double ytop = ceil(ymax * 1.05 / ystep) * ystep;
	double xstep = nice_step(t1 - t0, 0, 8);

#define X(t) (LEFT + ((t)-t0) / (t1 - t0) * PLOT_W)
#define Y(v) (TOP + PLOT_H - (v) / ytop * PLOT_H)

	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, H, W, H);
	fputs("<title>", out);
	xml_text(out, title ? title : "correlate");
	fputs("</title>\n", out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, H);
	fprintf(out, "<text x=\"%d\" y=\"28\" font-size=\"16\" font-weight=\"bold\">", LEFT);
	xml_text(out, title ? title : "correlate");
	fputs("</text>\n", out);

	/* Grid and axes. */
	fputs("<g id=\"axes\" stroke=\"#cccccc\" stroke-width=\"1\">\n", out);
	for (double v = 0; v <= ytop + ystep / 2; v += ystep) {
		char b[32];
		fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", LEFT, Y(v),
			LEFT + PLOT_W, Y(v));
		fprintf(out,
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" stroke=\"none\" "
			"fill=\"#333333\">%s</text>\n",
			LEFT - 6, Y(v) + 4, fmt_iec((uint64_t)v, b, sizeof b));
	}
	for (double t = 0; t0 + t <= t1 + xstep / 1e6; t += xstep) {
		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", X(t0 + t),
			TOP, X(t0 + t), TOP + PLOT_H);
		fprintf(out,
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" stroke=\"none\" "
			"fill=\"#333333\">%g s</text>\n",
			X(t0 + t), TOP + PLOT_H + 18, t);
	}
	fputs("</g>\n", out);
	fprintf(out,
		"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#333333\">seconds since the "
		"first sample</text>\n",
		LEFT + PLOT_W / 2, H - 18);

	/* The stacked areas: each a polygon between its lower and upper edge. */
	fputs("<g id=\"areas\">\n", out);
	for (int p = 0; p < GP_COUNT; p++) {
		fprintf(out,
			"<polygon id=\"%s\" class=\"area\" fill=\"%s\" fill-opacity=\"0.9\" "
			"stroke=\"none\" points=\"",
			growth_part_names[p], colours[p]);
		for (size_t i = 0; i < gs->n; i++) {
			double top = 0;
			for (int q = 0; q <= p; q++)
				top += part(&gs->s[i], q);
			fprintf(out, "%.1f,%.1f ", X(gs->s[i].t), Y(top));
		}
		for (size_t i = gs->n; i-- > 0;) {
			double low = 0;
			for (int q = 0; q < p; q++)
				low += part(&gs->s[i], q);
			fprintf(out, "%.1f,%.1f%s", X(gs->s[i].t), Y(low), i ? " " : "");
		}
		fprintf(out, "\"><title>%s</title></polygon>\n", growth_part_labels[p]);
	}
	fputs("</g>\n", out);

	/* The limits. */
	fputs("<g id=\"limits\">\n", out);
	if (draw_limit)
		fprintf(out,
			"<line id=\"limit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"#b07aa1\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/>\n",
			LEFT, Y((double)limit.v), LEFT + PLOT_W, Y((double)limit.v));
	if (draw_gml)
		fprintf(out,
			"<line id=\"gomemlimit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"#ff9da7\" stroke-width=\"2\" stroke-dasharray=\"3 3\"/>\n",
			LEFT, Y((double)gml.v), LEFT + PLOT_W, Y((double)gml.v));
	fputs("</g>\n", out);
	fprintf(out,
		"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		"stroke=\"#333333\"/>\n",
		LEFT, TOP, PLOT_W, PLOT_H);

	/* The legend, top of the stack first, as it is drawn. */
	fputs("<g id=\"legend\">\n", out);
	int ly = TOP + 10;
	int lx = LEFT + PLOT_W + 16;
	for (int p = GP_COUNT; p-- > 0; ly += 22)
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\">%s</text>\n",
			lx, ly, colours[p], lx + 20, ly + 12, growth_part_labels[p]);
	char b[32];
	const struct {
		opt_u64 v;
		int drawn;
		const char *name, *colour, *dash;
	} lims[] = {{limit, draw_limit, "cgroup limit", "#b07aa1", "8 4"},
		    {gml, draw_gml, "GOMEMLIMIT", "#ff9da7", "3 3"}};
	for (size_t i = 0; i < 2; i++) {
		if (!lims[i].v.known)
			continue;
		fprintf(out,
			"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
			"stroke-width=\"2\" stroke-dasharray=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\">%s %s%s</text>\n",
			lx, ly + 7, lx + 14, ly + 7, lims[i].colour, lims[i].dash, lx + 20, ly + 12,
			lims[i].name, fmt_iec(lims[i].v.v, b, sizeof b),
			lims[i].drawn ? "" : " (above)");
		ly += 22;
	}
	fputs("</g>\n</svg>\n", out);
#undef X
#undef Y
	return ferror(out) || fflush(out) != 0 ? -1 : 0;
}
