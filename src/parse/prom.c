/* Prometheus text exposition (format 0.0.4, and OpenMetrics' "# EOF"):
 * `name{labels} value [timestamp]` per line.  Only the Go client's metrics
 * in go_fields[] and go_info are read; every sample line is still checked,
 * so a body that is not Prometheus text is refused, not half-read. */
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "correlate/escape.h"

static int name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static int name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* The go_fields[] row of a Prometheus metric name, or NULL. */
static const struct go_field *prom_field(const char *name, size_t len)
{
	for (size_t k = 0; k < go_fields_count; k++) {
		const struct go_field *f = &go_fields[k];
		if (f->prom && strlen(f->prom) == len && memcmp(f->prom, name, len) == 0)
			return f;
	}
	return NULL;
}

static int not_prom(struct body_parser *p, const char *line, size_t len, const char *why,
		    struct err *err)
{
	char ex[160];
	esc_bytes(ex, sizeof ex, line, len > 60 ? 60 : len, ESC_TEXT);
	return err_set(err, ERR_ENDPOINT, "not Prometheus text: line %llu: %s: \"%s\"",
		       (unsigned long long)p->line_no, why, ex);
}

/* Finds label `name` in "{a="x",b="y"}" and copies its value. */
static int label_value(const char *labels, size_t len, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name);
	size_t i = 1; /* past '{' */
	while (i < len) {
		while (i < len && (labels[i] == ',' || labels[i] == ' '))
			i++;
		size_t ks = i;
		while (i < len && name_char(labels[i]))
			i++;
		size_t kl = i - ks;
		if (i + 1 >= len || labels[i] != '=' || labels[i + 1] != '"')
			return -1;
		i += 2;
		size_t o = 0;
		int match = kl == nlen && memcmp(labels + ks, name, nlen) == 0;
		while (i < len && labels[i] != '"') {
			char c = labels[i];
			if (c == '\\' && i + 1 < len)
				c = labels[++i] == 'n' ? '\n' : labels[i];
			if (match && o + 1 < cap)
				out[o++] = c;
			i++;
		}
		if (i >= len)
			return -1;
		i++; /* closing quote */
		if (match) {
			out[o] = '\0';
			return 0;
		}
	}
	return -1;
}

/* A sample value as bytes (or a count): finite, >= 0 and < 2^64, parsed
 * exactly from its decimal text.  seconds: the metric is in seconds, stored
 * as nanoseconds. */
static int value_u64(const char *tok, int seconds, uint64_t *out, const char **why)
{
	const char *t = tok + (*tok == '+' || *tok == '-');
	if (strcmp(t, "NaN") == 0 || strcmp(t, "Inf") == 0 || strcmp(t, "nan") == 0 ||
	    strcmp(t, "inf") == 0) {
		*why = "NaN or Inf";
		return -1;
	}
	return dec_parse_u64(tok, strlen(tok), seconds ? 9 : 0, 1, out, why);
}

int prom_line(void *vp, const char *line, size_t len, bool overlong, struct err *err)
{
	struct body_parser *p = vp;
	p->line_no++;
	size_t i = skip_blank(line, len, 0);
	if (i == len || line[i] == '#')
		return 0; /* blank, # HELP, # TYPE, # EOF */
	if (!name_start(line[i]))
		return not_prom(p, line, len, "expected a metric name", err);
	size_t ns = i;
	while (i < len && name_char(line[i]))
		i++;
	size_t nl = i - ns;
	if (overlong) {
		/* Cut at BODY_LINE_MAX: fine to skip unless it is a metric we read
		 * (long label sets on build-info metrics are real). */
		if ((nl == 7 && memcmp(line + ns, "go_info", 7) == 0) || prom_field(line + ns, nl))
			return not_prom(p, line, len, "line too long", err);
		return 0;
	}
	const char *labels = NULL;
	size_t labels_len = 0;
	if (i < len && line[i] == '{') {
		size_t ls = i;
		int quoted = 0;
		for (i++; i < len; i++) {
			if (quoted && line[i] == '\\') {
				i++;
				continue;
			}
			if (line[i] == '"')
				quoted = !quoted;
			else if (!quoted && line[i] == '}')
				break;
		}
		if (i >= len)
			return not_prom(p, line, len, "unterminated labels", err);
		i++;
		labels = line + ls;
		labels_len = i - ls;
	}
	if (i >= len || (line[i] != ' ' && line[i] != '\t'))
		return not_prom(p, line, len, "expected a space before the value", err);
	i = skip_blank(line, len, i);
	size_t vs = i;
	while (i < len && line[i] != ' ' && line[i] != '\t')
		i++;
	char tok[64];
	size_t vl = i - vs;
	if (vl == 0 || vl >= sizeof tok)
		return not_prom(p, line, len, "bad value", err);
	memcpy(tok, line + vs, vl);
	tok[vl] = '\0';
	/* An optional timestamp may follow; it is not used. */
	char *end;
	(void)strtod(tok, &end);
	if (end == tok || *end != '\0')
		return not_prom(p, line, len, "the value is not a number", err);
	p->saw_sample = 1;

	if (nl == 7 && memcmp(line + ns, "go_info", 7) == 0 && labels) {
		char v[sizeof p->snap.go_version];
		if (label_value(labels, labels_len, "version", v, sizeof v) == 0) {
			/* A Go version is "go1.21.13", "go1.22rc1", "devel +abc..." and
			 * the like: a label holding other bytes is not one. */
			for (const char *q = v; *q; q++)
				if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789.+-_",
					    *q)) {
					char a[100];
					return err_set(err, ERR_ENDPOINT,
						       "prometheus: go_info's version \"%s\" is not a Go "
						       "version",
						       esc_str(a, sizeof a, v, ESC_TEXT));
				}
			if (p->snap.go_version[0] && strcmp(p->snap.go_version, v) != 0) {
				char a[100], b[100];
				return err_set(err, ERR_ENDPOINT,
					       "prometheus: go_info given twice (%s and %s): "
					       "more than one process in one body?",
					       esc_str(a, sizeof a, p->snap.go_version, ESC_TEXT),
					       esc_str(b, sizeof b, v, ESC_TEXT));
			}
			memcpy(p->snap.go_version, v, sizeof v);
		}
		return 0;
	}
	const struct go_field *f = prom_field(line + ns, nl);
	if (!f)
		return 0;
	uint64_t v;
	const char *why;
	if (value_u64(tok, f->prom_seconds, &v, &why) != 0) {
		char ex[sizeof tok];
		return err_set(err, ERR_ENDPOINT, "prometheus line %llu: %s %s: %s",
			       (unsigned long long)p->line_no, f->prom,
			       esc_str(ex, sizeof ex, tok, ESC_TEXT), why);
	}
	return go_field_store(&p->snap.ms, f, v, "prometheus", err);
}
