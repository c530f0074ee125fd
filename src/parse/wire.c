/* The unprivileged fetch's result frame: packing it (the child) and
 * checking every byte of it (the parent).  include/correlate/wire.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "correlate/escape.h"
#include "correlate/wire.h"

_Static_assert(sizeof(struct wire_final) < 16384, "the final frame stays small");

static void put_str(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
	esc_trim_cut(dst);
}

void wire_final_encode(const struct fetch_report *in, struct wire_final *w)
{
	memset(w, 0, sizeof *w);
	w->magic = WIRE_MAGIC;
	w->version = WIRE_VERSION;
	w->outcome = in->outcome;
	w->err_code = in->err.code;
	w->fail = (uint32_t)in->res.fail;
	w->target = in->target;
	w->format = (uint32_t)in->go.format;
	w->nfields = (uint32_t)go_fields_count;
	for (size_t i = 0; i < go_fields_count && i < WIRE_FIELDS; i++) {
		opt_u64 v = go_field_get(&in->go.ms, &go_fields[i]);
		w->field[i].known = v.known;
		w->field[i].v = v.known ? v.v : 0;
	}
	put_str(w->go_version, sizeof w->go_version, in->go.go_version);
	w->body_bytes = in->go.body_bytes;
	double us = in->res.seconds * 1e6;
	w->fetch_us = us > 0 && us < 3.6e9 ? (uint64_t)us : 0;
	put_str(w->url, sizeof w->url, in->res.url);
	put_str(w->tried, sizeof w->tried, in->res.tried);
	put_str(w->msg, sizeof w->msg, in->err.msg);
	put_str(w->hint, sizeof w->hint, in->err.hint);
	size_t n = in->n_attempts < WIRE_ATTEMPTS ? in->n_attempts : WIRE_ATTEMPTS;
	w->n_attempts = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		w->attempts[i] = in->attempts[i];
		put_str(w->attempts[i].url, sizeof w->attempts[i].url, in->attempts[i].url);
		put_str(w->attempts[i].outcome, sizeof w->attempts[i].outcome,
			in->attempts[i].outcome);
	}
}

/* A string field: terminated inside it and clean.  Copied out when dst. */
static int take_str(const char *field, size_t cap, const char *what, char *dst, size_t dcap,
		    struct err *err)
{
	const char *nul = memchr(field, '\0', cap);
	if (!nul)
		return err_set(err, ERR_ENDPOINT, "its %s is not terminated", what);
	size_t n = (size_t)(nul - field);
	if (!esc_is_clean(field, n))
		return err_set(err, ERR_ENDPOINT, "its %s holds unescaped bytes", what);
	if (dst) {
		if (n >= dcap)
			return err_set(err, ERR_ENDPOINT, "its %s is too long", what);
		memcpy(dst, field, n + 1);
	}
	return 0;
}

__attribute__((format(printf, 2, 3))) static int bad(struct err *err, const char *fmt, ...)
{
	char m[120];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	return err_set(err, ERR_ENDPOINT, "%s", m);
}

static int decode(const struct wire_final *w, size_t n_targets, uint64_t max_body,
		  struct fetch_report *out, struct err *err)
{
	if (w->magic != WIRE_MAGIC || w->version != WIRE_VERSION)
		return err_set(err, ERR_ENDPOINT, "not a result frame of this correlate");
	if (w->outcome != WO_FOUND && w->outcome != WO_NONE && w->outcome != WO_ERROR)
		return bad(err, "an unknown outcome %llu", (unsigned long long)(uint32_t)w->outcome);
	out->outcome = w->outcome;
	if (w->outcome == WO_ERROR) {
		/* The child can only fail the fetch: never claim that the process
		 * or its owner was at fault (exit 3, 5), which only the parent knows. */
		if (w->err_code != ERR_ENDPOINT && w->err_code != ERR_USAGE &&
		    w->err_code != ERR_INTERNAL)
			return bad(err, "an error code %llu the fetch cannot give",
				   (unsigned long long)(uint32_t)w->err_code);
		out->err.code = w->err_code;
	} else if (w->err_code != 0) {
		return err_set(err, ERR_ENDPOINT, "an error code beside a result");
	}
	if (w->fail > FF_OTHER)
		return bad(err, "an unknown failure kind %u", w->fail);
	out->res.fail = (enum fetch_fail)w->fail;
	if (w->target < -1 || (w->target >= 0 && (size_t)w->target >= n_targets))
		return bad(err, "a target %lld out of range", (long long)w->target);
	out->target = w->target;
	int rc = take_str(w->msg, sizeof w->msg, "message", out->err.msg, sizeof out->err.msg, err);
	if (!rc)
		rc = take_str(w->hint, sizeof w->hint, "hint", out->err.hint, sizeof out->err.hint,
			      err);
	if (!rc)
		rc = take_str(w->url, sizeof w->url, "URL", out->res.url, sizeof out->res.url, err);
	if (!rc)
		rc = take_str(w->tried, sizeof w->tried, "list of what was tried", out->res.tried,
			      sizeof out->res.tried, err);
	if (!rc)
		rc = take_str(w->go_version, sizeof w->go_version, "Go version",
			      out->go.go_version, sizeof out->go.go_version, err);
	if (rc)
		return rc;
	/* A version is "go1.21.13" and the like: nothing else gets through. */
	for (const char *p = out->go.go_version; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_", *p))
			return err_set(err, ERR_ENDPOINT, "its Go version holds a '%c'", *p);
	if (w->n_attempts > WIRE_ATTEMPTS)
		return bad(err, "%u attempts, more than there is room for", w->n_attempts);
	out->n_attempts = w->n_attempts;
	for (size_t i = 0; i < w->n_attempts; i++) {
		const struct wire_attempt *a = &w->attempts[i];
		struct wire_attempt *o = &out->attempts[i];
		rc = take_str(a->url, sizeof a->url, "attempt's URL", o->url, sizeof o->url, err);
		if (!rc)
			rc = take_str(a->outcome, sizeof a->outcome, "attempt's outcome", o->outcome,
				      sizeof o->outcome, err);
		if (rc)
			return rc;
		if (a->target < 0 || (size_t)a->target >= n_targets || a->fail > FF_OTHER)
			return err_set(err, ERR_ENDPOINT, "an attempt out of range");
		o->target = a->target;
		o->fail = a->fail;
	}
	if (w->fetch_us >= UINT64_C(3600000000))
		return bad(err, "a fetch of %llu us", (unsigned long long)w->fetch_us);
	out->res.seconds = (double)w->fetch_us / 1e6;
	if (w->outcome != WO_FOUND) {
		/* Nothing of a snapshot may come with it. */
		if (w->format != FMT_UNKNOWN || w->body_bytes)
			return err_set(err, ERR_ENDPOINT, "a snapshot beside a failure");
		for (size_t i = 0; i < WIRE_FIELDS; i++)
			if (w->field[i].known || w->field[i].v)
				return err_set(err, ERR_ENDPOINT, "a snapshot beside a failure");
		return 0;
	}
	if (w->format != FMT_PPROF && w->format != FMT_EXPVAR && w->format != FMT_PROMETHEUS)
		return bad(err, "an unknown body format %u", w->format);
	out->go.format = (enum body_format)w->format;
	if (w->nfields != go_fields_count)
		return bad(err, "%u fields, not this correlate's", w->nfields);
	for (size_t i = 0; i < WIRE_FIELDS; i++) {
		uint32_t k = w->field[i].known;
		if (k > 1 || (!k && w->field[i].v) || (i >= go_fields_count && k))
			return bad(err, "field %llu is neither known nor unknown",
				   (unsigned long long)i);
		if (i < go_fields_count)
			*go_field_ptr(&out->go.ms, &go_fields[i]) =
			    k ? opt_some(w->field[i].v) : opt_none();
	}
	if (max_body && w->body_bytes > max_body)
		return bad(err, "a body of %llu bytes, over the limit",
			   (unsigned long long)w->body_bytes);
	out->go.body_bytes = w->body_bytes;
	/* The same minimum a body parsed here would have had to meet. */
	return go_snapshot_check(&out->go, err);
}

int wire_final_decode(const void *buf, size_t len, size_t n_targets, uint64_t max_body,
		      struct fetch_report *out, struct err *err)
{
	_Static_assert(WIRE_FIELDS >= 40, "room for go_fields[]");
	memset(out, 0, sizeof *out);
	if (go_fields_count > WIRE_FIELDS)
		return err_set(err, ERR_INTERNAL, "go_fields[] outgrew WIRE_FIELDS");
	if (len != sizeof(struct wire_final))
		return bad(err, "a result frame of %llu bytes", (unsigned long long)len);
	struct wire_final w;
	memcpy(&w, buf, sizeof w); /* aligned, whatever buf is */
	int rc = decode(&w, n_targets, max_body, out, err);
	if (rc)
		memset(out, 0, sizeof *out);
	return rc;
}
