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

static int emit(line_fn fn, void *ctx, const char *line, size_t len, bool overlong, struct err *err)
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

int dec_parse_u64(const char *s, size_t len, int scale, int round_max, uint64_t *out,
		  const char **why)
{
	typedef unsigned __int128 u128;
	size_t i = 0;
	int neg = 0, digits = 0;
	long exp10 = scale;
	u128 m = 0;
	*why = "not a number";
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	/* Up to 36 significant digits are kept exactly; more only round. */
	for (int frac = 0; i < len; i++) {
		if (s[i] == '.' && !frac) {
			frac = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			break;
		digits++;
		if (m < (u128)1 << 118) {
			m = m * 10 + (u128)(s[i] - '0');
			exp10 -= frac;
		} else {
			exp10 += !frac; /* a digit past the kept ones: scale only */
		}
	}
	if (!digits)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		int eneg = 0;
		long e = 0;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		size_t start = i;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		if (i == start)
			return -1;
		exp10 += eneg ? -e : e;
	}
	if (i != len)
		return -1;
	if (m == 0) {
		*out = 0;
		return 0;
	}
	if (neg) {
		*why = "negative";
		return -1;
	}
	/* 2^64 + 2048: half a double's step above 2^64. */
	const u128 limit = round_max ? ((u128)1 << 64) + 2048 : (u128)UINT64_MAX;
	for (; exp10 > 0; exp10--) {
		if (m > limit / 10)
			goto too_big;
		m *= 10;
	}
	if (exp10 < 0) {
		u128 rem_half = 0;
		for (; exp10 < 0; exp10++) {
			if (m == 0) { /* what is still dropped is zeros: no rounding up */
				rem_half = 0;
				break;
			}
			rem_half = m % 10 >= 5; /* the last one dropped decides */
			m /= 10;
		}
		m += rem_half;
	}
	if (m > limit)
		goto too_big;
	*out = m > UINT64_MAX ? UINT64_MAX : (uint64_t)m;
	return 0;
too_big:
	*why = "2^64 or more";
	return -1;
}
