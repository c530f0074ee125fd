/* The endpoint body parser: detect the format from the first bytes, then
 * hand the stream to that format's parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "correlate/escape.h"

int go_field_store(struct go_memstats *ms, const struct go_field *f, uint64_t v, const char *where,
		   struct err *err)
{
	opt_u64 *slot = go_field_ptr(ms, f);
	if (slot->known && slot->v != v)
		return err_set(err, ERR_ENDPOINT,
			       "%s: %s given twice with different values (%llu and %llu)", where,
			       f->label, (unsigned long long)slot->v, (unsigned long long)v);
	*slot = opt_some(v);
	return 0;
}

struct body_parser *body_parser_new(uint64_t max_bytes)
{
	struct body_parser *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->max_bytes = max_bytes;
	lines_init(&p->lines, p->line_buf, sizeof p->line_buf);
	return p;
}

void body_parser_free(struct body_parser *p)
{
	if (!p)
		return;
	free(p);
}

enum body_format body_parser_format(const struct body_parser *p)
{
	return p->fmt;
}

static int starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The first bytes, escaped (escape.h), for messages. */
static void excerpt(const char *s, size_t len, char *out, size_t cap)
{
	esc_bytes(out, cap, s, len < 40 ? len : 40, ESC_TEXT);
}

/* Decides the format from head[0..n), or returns an error when the body
 * plainly is not any of the three. */
static int detect(struct body_parser *p, const char *h, size_t n, struct err *err)
{
	char ex[ESC_MAX(40)];
	if (starts(h, n, "{") || starts(h, n, "[")) {
		p->fmt = FMT_EXPVAR;
		return 0;
	}
	if (starts(h, n, "heap profile:")) {
		p->fmt = FMT_PPROF;
		return 0;
	}
	if (n >= 2 && (unsigned char)h[0] == 0x1f && (unsigned char)h[1] == 0x8b) {
		err_set(err, ERR_ENDPOINT,
			"the body is gzip data (a binary pprof profile or a compressed response)");
		return err_hint(err, "for pprof, ask for the text form: /debug/pprof/heap?debug=1");
	}
	if (starts(h, n, "<")) {
		err_set(err, ERR_ENDPOINT,
			"the body is an HTML or XML page, not a Go debug endpoint");
		return err_hint(err,
				"a login page or a proxy answered? Point --url at the service's "
				"/debug/pprof/heap?debug=1, /debug/vars or /metrics");
	}
	/* Other pprof profiles: "goroutine profile: total 6", "--- mutex:" */
	const char *sp = memchr(h, ' ', n);
	int word = (h[0] >= 'a' && h[0] <= 'z') || (h[0] >= 'A' && h[0] <= 'Z');
	if ((word && sp && starts(sp, n - (size_t)(sp - h), " profile:")) || starts(h, n, "--- ")) {
		excerpt(h, n, ex, sizeof ex);
		err_set(err, ERR_ENDPOINT, "a pprof profile without MemStats (\"%s\")", ex);
		return err_hint(err, "only heap and allocs profiles carry runtime.MemStats: use "
				     "/debug/pprof/heap?debug=1");
	}
	if (h[0] == '#' || (h[0] >= 'a' && h[0] <= 'z') || (h[0] >= 'A' && h[0] <= 'Z') ||
	    h[0] == '_' || h[0] == ':') {
		p->fmt = FMT_PROMETHEUS; /* every line is checked by prom_line */
		return 0;
	}
	excerpt(h, n, ex, sizeof ex);
	return err_set(err, ERR_ENDPOINT,
		       "the body is not pprof text, expvar JSON or Prometheus text (starts \"%s\")",
		       ex);
}

static int feed_format(struct body_parser *p, const char *buf, size_t len, struct err *err)
{
	switch (p->fmt) {
	case FMT_PPROF:
		return lines_feed(&p->lines, buf, len, pprof_line, p, err);
	case FMT_PROMETHEUS:
		return lines_feed(&p->lines, buf, len, prom_line, p, err);
	case FMT_EXPVAR:
		return expvar_feed(p, buf, len, err);
	case FMT_UNKNOWN:
		break;
	}
	return err_set(err, ERR_INTERNAL, "body parser: no format");
}

static int feed(struct body_parser *p, const char *buf, size_t len, int final, struct err *err)
{
	if (p->fmt != FMT_UNKNOWN)
		return feed_format(p, buf, len, err);
	/* Collect the first DETECT_BYTES non-blank bytes (or all there is). */
	size_t i = 0;
	if (p->head_len == 0)
		while (i < len && is_blank(buf[i]))
			i++, p->head_lead++;
	size_t take = len - i;
	if (take > sizeof p->head - p->head_len)
		take = sizeof p->head - p->head_len;
	memcpy(p->head + p->head_len, buf + i, take);
	p->head_len += take;
	if (p->head_len < DETECT_BYTES && !final)
		return 0;
	if (p->head_len == 0)
		return 0; /* empty or blank body: finish reports it */
	/* Always the same window, whatever the chunks brought: the format must
	 * not depend on how the body was cut. */
	int rc = detect(p, p->head, p->head_len < DETECT_BYTES ? p->head_len : DETECT_BYTES, err);
	if (!rc)
		rc = feed_format(p, p->head, p->head_len, err);
	if (!rc && i + take < len)
		rc = feed_format(p, buf + i + take, len - i - take, err);
	return rc;
}

int body_parser_feed(struct body_parser *p, const char *buf, size_t len, struct err *err)
{
	if (p->rejected)
		return err_set(err, ERR_ENDPOINT, "body parser: already failed");
	p->seen += len;
	int rc;
	if (p->max_bytes && p->seen > p->max_bytes) {
		rc = err_set(err, ERR_ENDPOINT, "the body is larger than %llu bytes",
			     (unsigned long long)p->max_bytes);
		err_hint(err, "raise --max-body if this endpoint really serves that much");
	} else {
		rc = feed(p, buf, len, 0, err);
	}
	if (rc)
		p->rejected = 1;
	return rc;
}

int body_parser_finish(struct body_parser *p, struct go_snapshot *out, struct err *err)
{
	if (p->rejected)
		return err_set(err, ERR_ENDPOINT, "body parser: already failed");
	int rc = p->fmt == FMT_UNKNOWN ? feed(p, "", 0, 1, err) : 0;
	if (rc)
		goto fail;
	if (p->fmt == FMT_UNKNOWN) {
		rc = err_set(err, ERR_ENDPOINT, "the body is empty");
		goto fail;
	}
	p->snap.format = p->fmt;
	p->snap.body_bytes = p->seen;
	switch (p->fmt) {
	case FMT_PPROF:
		rc = lines_finish(&p->lines, pprof_line, p, err);
		if (!rc && !p->in_memstats) {
			rc = err_set(err, ERR_ENDPOINT,
				     "pprof heap profile without a \"# runtime.MemStats\" block "
				     "(truncated, or not debug=1?)");
			err_hint(err, "fetch /debug/pprof/heap?debug=1 and check it ends with the "
				      "MemStats block");
		}
		break;
	case FMT_PROMETHEUS:
		rc = lines_finish(&p->lines, prom_line, p, err);
		if (!rc && !p->saw_sample)
			rc = err_set(err, ERR_ENDPOINT, "Prometheus text with no samples");
		if (!rc && !p->snap.ms.sys.known && !p->snap.ms.heap_alloc.known) {
			rc =
			    err_set(err, ERR_ENDPOINT,
				    "Prometheus metrics without go_memstats_*: not a Go client, or "
				    "its Go collector is off");
			err_hint(err, "use the service's /debug/pprof/heap?debug=1 or /debug/vars");
		}
		break;
	case FMT_EXPVAR:
		rc = expvar_finish(p, err);
		break;
	case FMT_UNKNOWN:
		break;
	}
	if (!rc)
		rc = go_snapshot_check(&p->snap, err);
	if (rc)
		goto fail;
	*out = p->snap;
	return 0;
fail:
	p->rejected = 1;
	return rc;
}

int parse_body(const char *buf, size_t len, struct go_snapshot *out, struct err *err)
{
	struct body_parser *p = body_parser_new(0);
	if (!p)
		return err_set(err, ERR_INTERNAL, "out of memory");
	int rc = body_parser_feed(p, buf, len, err);
	if (!rc)
		rc = body_parser_finish(p, out, err);
	body_parser_free(p);
	return rc;
}
