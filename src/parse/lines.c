#include "lines.h"

#include <stdint.h>
#include <string.h>

void lines_init(struct line_splitter *s, char *buf, size_t cap)
{
	s->partial = buf;
	s->cap = cap;
	s->len = 0;
	s->overlong = false;
}

static int emit(line_fn fn, void *ctx, const char *line, size_t len, bool overlong,
		struct err *err)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return fn(ctx, line, len, overlong, err);
}

/* Appends to the partial line, remembering when it no longer fits. */
static void keep(struct line_splitter *s, const char *p, size_t n)
{
	size_t room = s->cap - s->len;
	if (n > room) {
		n = room;
		s->overlong = true;
	}
	memcpy(s->partial + s->len, p, n);
	s->len += n;
}

int lines_feed(struct line_splitter *s, const char *buf, size_t len, line_fn fn, void *ctx,
	       struct err *err)
{
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			keep(s, p, (size_t)(end - p));
			return 0;
		}
		int rc;
		if (s->len > 0 || s->overlong) {
			keep(s, p, (size_t)(nl - p));
			rc = emit(fn, ctx, s->partial, s->len, s->overlong, err);
			s->len = 0;
			s->overlong = false;
		} else if ((size_t)(nl - p) > s->cap) {
			/* Same rule as a line cut by a chunk: at most cap bytes. */
			rc = emit(fn, ctx, p, s->cap, true, err);
		} else {
			rc = emit(fn, ctx, p, (size_t)(nl - p), false, err);
		}
		if (rc)
			return rc;
		p = nl + 1;
	}
	return 0;
}

int lines_finish(struct line_splitter *s, line_fn fn, void *ctx, struct err *err)
{
	if (s->len == 0 && !s->overlong)
		return 0;
	int rc = emit(fn, ctx, s->partial, s->len, s->overlong, err);
	s->len = 0;
	s->overlong = false;
	return rc;
}

int parse_u64_dec(const char *s, size_t len, uint64_t *out, size_t *end)
{
	size_t i = 0;
	uint64_t v = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v))
			return -1;
		i++;
	}
	if (i == 0)
		return -1;
	*out = v;
	if (end)
		*end = i;
	return 0;
}

size_t skip_blank(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}
