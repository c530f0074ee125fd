/* expect.json: parsing it, and holding an analysis against it. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "correlate/escape.h"
#include "correlate/expect.h"
#include "correlate/units.h"

static int known_id(const char *id)
{
	for (size_t i = 0; i < finding_ids_count; i++)
		if (strcmp(finding_ids[i], id) == 0)
			return 1;
	return 0;
}

void expectation_init(struct expectation *e)
{
	memset(e, 0, sizeof *e);
	e->max_severity = -1;
}

int severity_from_name(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "info") == 0)
		return SEV_INFO;
	if (strcmp(s, "warning") == 0)
		return SEV_WARNING;
	if (strcmp(s, "critical") == 0)
		return SEV_CRITICAL;
	return -1;
}

/* A name or value from the file, escaped for a message (escape.h) and cut to
 * 40 bytes: whatever it holds, the message stays one readable line. */
static const char *quote(char *out, size_t cap, const char *s)
{
	size_t len = strlen(s);
	esc_bytes(out, cap, s, len > 40 ? 40 : len, ESC_TEXT);
	return out;
}

static int size_of(const cJSON *v, opt_u64 *out)
{
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 18446744073709551616.0 &&
	    v->valuedouble == floor(v->valuedouble)) {
		*out = opt_some((uint64_t)v->valuedouble);
		return 0;
	}
	uint64_t b;
	if (cJSON_IsString(v) && parse_size(v->valuestring, &b) == 0) {
		*out = opt_some(b);
		return 0;
	}
	return -1;
}

static int id_list(const cJSON *v, char (*out)[32], size_t *n, const char *key, struct err *err)
{
	if (!cJSON_IsArray(v))
		return err_set(err, ERR_USAGE, "expect.json: %s: expected a list of finding ids",
			       key);
	const cJSON *it;
	cJSON_ArrayForEach(it, v)
	{
		char ex[ESC_MAX(40)];
		if (!cJSON_IsString(it) || !known_id(it->valuestring))
			return err_set(
			    err, ERR_USAGE, "expect.json: %s: \"%s\" is not a finding id", key,
			    cJSON_IsString(it) ? quote(ex, sizeof ex, it->valuestring) : "?");
		if (*n >= EXPECT_MAX_IDS)
			return err_set(err, ERR_USAGE, "expect.json: %s: too many ids", key);
		snprintf(out[(*n)++], 32, "%s", it->valuestring);
	}
	return 0;
}

static int one_finding(const cJSON *v, struct expect_finding *f, struct err *err)
{
	char ex[ESC_MAX(40)];
	snprintf(f->id, sizeof f->id, "%s", v->string);
	f->severity = -1;
	if (!known_id(f->id))
		return err_set(err, ERR_USAGE, "expect.json: findings: \"%s\" is not a finding id",
			       quote(ex, sizeof ex, v->string));
	if (!cJSON_IsObject(v))
		return err_set(err, ERR_USAGE, "expect.json: findings.%s: expected an object",
			       f->id);
	const cJSON *it;
	cJSON_ArrayForEach(it, v)
	{
		if (strcmp(it->string, "severity") == 0) {
			f->severity = cJSON_IsString(it) ? severity_from_name(it->valuestring) : -1;
			if (f->severity < 0)
				return err_set(
				    err, ERR_USAGE,
				    "expect.json: findings.%s.severity: info, warning or "
				    "critical",
				    f->id);
		} else if (strcmp(it->string, "min_bytes") == 0) {
			if (size_of(it, &f->min))
				return err_set(err, ERR_USAGE,
					       "expect.json: findings.%s.min_bytes: not a size",
					       f->id);
		} else if (strcmp(it->string, "max_bytes") == 0) {
			if (size_of(it, &f->max))
				return err_set(err, ERR_USAGE,
					       "expect.json: findings.%s.max_bytes: not a size",
					       f->id);
		} else {
			return err_set(err, ERR_USAGE,
				       "expect.json: findings.%s: unknown key \"%s\"", f->id,
				       quote(ex, sizeof ex, it->string));
		}
	}
	return 0;
}

int parse_expect(const char *buf, size_t len, struct expectation *out, struct err *err)
{
	expectation_init(out);
	cJSON *root = cJSON_ParseWithLength(buf, len);
	int rc = 0;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return err_set(err, ERR_USAGE, "expect.json: not a JSON object");
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, root)
	{
		const char *k = it->string;
		if (strcmp(k, "max_unexplained_bytes") == 0) {
			if (size_of(it, &out->max_unexplained))
				rc = err_set(err, ERR_USAGE,
					     "expect.json: max_unexplained_bytes: not a size");
		} else if (strcmp(k, "max_severity") == 0) {
			out->max_severity =
			    cJSON_IsString(it) ? severity_from_name(it->valuestring) : -1;
			if (out->max_severity < 0)
				rc =
				    err_set(err, ERR_USAGE,
					    "expect.json: max_severity: info, warning or critical");
		} else if (strcmp(k, "must_include") == 0) {
			rc = id_list(it, out->must, &out->n_must, k, err);
		} else if (strcmp(k, "must_not_include") == 0) {
			rc = id_list(it, out->must_not, &out->n_must_not, k, err);
		} else if (strcmp(k, "top_finding") == 0) {
			if (!cJSON_IsString(it) ||
			    (strcmp(it->valuestring, "none") != 0 && !known_id(it->valuestring)))
				rc = err_set(err, ERR_USAGE,
					     "expect.json: top_finding: a finding id, or \"none\"");
			else
				snprintf(out->top, sizeof out->top, "%s", it->valuestring);
		} else if (strcmp(k, "findings") == 0 && cJSON_IsObject(it)) {
			const cJSON *f;
			cJSON_ArrayForEach(f, it)
			{
				if (out->n_findings >= EXPECT_MAX_IDS) {
					rc = err_set(err, ERR_USAGE,
						     "expect.json: findings: too many");
					break;
				}
				if ((rc = one_finding(f, &out->findings[out->n_findings++], err)))
					break;
			}
		} else if (strcmp(k, "comment") == 0 || k[0] == '_') {
			/* free text for people */
		} else {
			char ex[ESC_MAX(40)];
			rc = err_set(err, ERR_USAGE, "expect.json: unknown key \"%s\"",
				     quote(ex, sizeof ex, k));
		}
		if (rc)
			break;
	}
	cJSON_Delete(root);
	return rc;
}

static const struct finding *find(const struct findings *fs, const char *id)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i].id, id) == 0)
			return &fs->f[i];
	return NULL;
}

struct out {
	char *buf;
	size_t cap;
	int broke;
};

__attribute__((format(printf, 3, 4))) static void note(struct out *o, int ok, const char *fmt, ...)
{
	/* Once something broke, only what broke is listed. */
	if (!ok && !o->broke) {
		o->broke = 1;
		o->buf[0] = '\0';
	}
	if (ok && o->broke)
		return;
	size_t n = strlen(o->buf);
	if (n + 3 >= o->cap)
		return;
	if (n)
		n += (size_t)snprintf(o->buf + n, o->cap - n, "; ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->buf + n, o->cap - n, fmt, ap);
	va_end(ap);
}

#define B(v) fmt_iec((v), (char[24]){0}, 24)

int expectation_check(const struct expectation *e, const struct ledger *l,
		      const struct findings *fs, char *msg, size_t cap)
{
	struct out o = {msg, cap, 0};
	msg[0] = '\0';
	if (e->max_unexplained.known) {
		if (!l->unexplained.known)
			note(&o, 0,
			     "max_unexplained_bytes: unexplained is unknown (the pair lacks "
			     "what it needs)");
		else
			note(&o, l->unexplained.v <= e->max_unexplained.v,
			     "max_unexplained_bytes: unexplained %s %s %s", B(l->unexplained.v),
			     l->unexplained.v <= e->max_unexplained.v ? "<=" : ">",
			     B(e->max_unexplained.v));
	}
	if (e->max_severity >= 0) {
		enum severity worst = findings_max_severity(fs);
		const char *which = "";
		for (size_t i = 0; i < fs->n; i++)
			if (fs->f[i].severity == worst) {
				which = fs->f[i].id;
				break;
			}
		note(&o, (int)worst <= e->max_severity, "max_severity: %s%s%s%s %s %s",
		     severity_name(worst), which[0] ? " (" : "", which, which[0] ? ")" : "",
		     (int)worst <= e->max_severity ? "<=" : ">", severity_name(e->max_severity));
	}
	for (size_t i = 0; i < e->n_must; i++) {
		const struct finding *f = find(fs, e->must[i]);
		if (f)
			note(&o, 1, "must_include: %s (%s, %s)", f->id, severity_name(f->severity),
			     B(f->bytes));
		else
			note(&o, 0, "must_include: %s is missing", e->must[i]);
	}
	for (size_t i = 0; i < e->n_must_not; i++) {
		const struct finding *f = find(fs, e->must_not[i]);
		if (f)
			note(&o, 0, "must_not_include: %s is there (%s, %s)", f->id,
			     severity_name(f->severity), B(f->bytes));
		else
			note(&o, 1, "must_not_include: no %s", e->must_not[i]);
	}
	if (e->top[0]) {
		const struct finding *top = NULL;
		for (size_t i = 0; i < fs->n && !top; i++)
			if (fs->f[i].severity != SEV_INFO)
				top = &fs->f[i];
		const char *got = top ? top->id : "none";
		if (strcmp(got, e->top) == 0)
			note(&o, 1, "top_finding: %s", got);
		else if (top)
			note(&o, 0, "top_finding: expected %s, got %s (%s, %s)", e->top, got,
			     severity_name(top->severity), B(top->bytes));
		else
			note(&o, 0, "top_finding: expected %s, got none (no warning)", e->top);
	}
	for (size_t i = 0; i < e->n_findings; i++) {
		const struct expect_finding *x = &e->findings[i];
		const struct finding *f = find(fs, x->id);
		if (!f) {
			note(&o, 0, "findings.%s: missing", x->id);
			continue;
		}
		if (x->severity >= 0)
			note(&o, (int)f->severity == x->severity, "findings.%s.severity: %s%s%s",
			     x->id, severity_name(f->severity),
			     (int)f->severity == x->severity ? "" : ", expected ",
			     (int)f->severity == x->severity ? "" : severity_name(x->severity));
		if (x->min.known)
			note(&o, f->bytes >= x->min.v, "findings.%s.min_bytes: %s %s %s", x->id,
			     B(f->bytes), f->bytes >= x->min.v ? ">=" : "<", B(x->min.v));
		if (x->max.known)
			note(&o, f->bytes <= x->max.v, "findings.%s.max_bytes: %s %s %s", x->id,
			     B(f->bytes), f->bytes <= x->max.v ? "<=" : ">", B(x->max.v));
	}
	if (!o.broke && !msg[0])
		snprintf(msg, cap, "nothing to check");
	return !o.broke;
}
