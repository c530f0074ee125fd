/* pprof heap profile text (debug=1): the "# runtime.MemStats" block at the
 * end, "# Key = value" lines (Stack, MSpan, MCache are "inuse / sys").
 * The profile above it is skipped line by line, never kept. */
#include <string.h>

#include "body.h"
#include "correlate/escape.h"

static int store_value(struct body_parser *p, const char *key, size_t key_len, int part, uint64_t v,
		       struct err *err)
{
	for (size_t i = 0; i < go_fields_count; i++) {
		const struct go_field *f = &go_fields[i];
		if (!f->pprof || f->pprof_part != part || strlen(f->pprof) != key_len ||
		    memcmp(f->pprof, key, key_len) != 0)
			continue;
		return go_field_store(&p->snap.ms, f, v, "pprof", err);
	}
	return 0;
}

/* 0: not a key we read; 1: "Key = v"; 2: "Key = inuse / sys". */
static int key_shape(const char *key, size_t key_len)
{
	for (size_t i = 0; i < go_fields_count; i++)
		if (go_fields[i].pprof && strlen(go_fields[i].pprof) == key_len &&
		    memcmp(go_fields[i].pprof, key, key_len) == 0)
			return go_fields[i].pprof_part ? 2 : 1;
	return 0;
}

static int bad_value(struct body_parser *p, const char *key, size_t key_len, const char *v,
		     size_t vlen, struct err *err)
{
	char ex[120];
	esc_bytes(ex, sizeof ex, v, vlen > 40 ? 40 : vlen, ESC_TEXT);
	return err_set(err, ERR_ENDPOINT,
		       "pprof MemStats line %llu: %.*s: not a non-negative 64-bit integer: \"%s\"",
		       (unsigned long long)p->line_no, (int)key_len, key, ex);
}

int pprof_line(void *vp, const char *line, size_t len, bool overlong, struct err *err)
{
	struct body_parser *p = vp;
	p->line_no++;
	if (!p->in_memstats) {
		if (len == 18 && memcmp(line, "# runtime.MemStats", 18) == 0)
			p->in_memstats = 1;
		return 0;
	}
	if (len == 0)
		return 0;
	if (len < 2 || line[0] != '#' || line[1] != ' ') {
		char ex[160];
		esc_bytes(ex, sizeof ex, line, len > 60 ? 60 : len, ESC_TEXT);
		return err_set(err, ERR_ENDPOINT,
			       "pprof MemStats line %llu: expected \"# Key = value\": \"%s\"",
			       (unsigned long long)p->line_no, ex);
	}
	const char *key = line + 2;
	const char *eq = memchr(key, '=', len - 2);
	if (!eq)
		return 0;
	size_t key_len = (size_t)(eq - key);
	while (key_len > 0 && key[key_len - 1] == ' ')
		key_len--;
	int shape = key_shape(key, key_len);
	if (!shape)
		return 0; /* PauseNs, PauseEnd, GCCPUFraction, DebugGC ... */
	if (overlong)
		return err_set(err, ERR_ENDPOINT, "pprof MemStats line %llu is too long",
			       (unsigned long long)p->line_no);
	const char *v = eq + 1;
	size_t vlen = len - (size_t)(v - line);
	size_t i = skip_blank(v, vlen, 0), used;
	uint64_t a, b;
	if (parse_u64_dec(v + i, vlen - i, &a, &used) != 0)
		return bad_value(p, key, key_len, v, vlen, err);
	i = skip_blank(v, vlen, i + used);
	if (shape == 1) {
		if (i != vlen)
			return bad_value(p, key, key_len, v, vlen, err);
		return store_value(p, key, key_len, 0, a, err);
	}
	/* "inuse / sys" */
	if (i == vlen || v[i] != '/') {
		char ex[120];
		esc_bytes(ex, sizeof ex, v, vlen > 40 ? 40 : vlen, ESC_TEXT);
		return err_set(
		    err, ERR_ENDPOINT,
		    "pprof MemStats line %llu: %.*s: expected \"inuse / sys\", got \"%s\"",
		    (unsigned long long)p->line_no, (int)key_len, key, ex);
	}
	i = skip_blank(v, vlen, i + 1);
	if (parse_u64_dec(v + i, vlen - i, &b, &used) != 0 || skip_blank(v, vlen, i + used) != vlen)
		return bad_value(p, key, key_len, v, vlen, err);
	int rc = store_value(p, key, key_len, 1, a, err);
	return rc ? rc : store_value(p, key, key_len, 2, b, err);
}
