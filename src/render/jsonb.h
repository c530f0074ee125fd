/* Building a JSON document with cJSON, for the renderers that write one
 * (json.c: the report; series.c: watch's summary and diff).  Every helper
 * records a failure (out of memory) in the builder instead of returning
 * it, so a section is written in straight lines and the document is
 * dropped whole at the end when anything failed.  Private to src/render/. */
#ifndef CORRELATE_RENDER_JSONB_H
#define CORRELATE_RENDER_JSONB_H

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/escape.h"
#include "correlate/opt.h"

struct jb {
	int failed;
};

/* Adds item under key (takes ownership; NULL marks the failure). */
static inline cJSON *put(struct jb *b, cJSON *o, const char *key, cJSON *item)
{
	if (!item || !o || !cJSON_AddItemToObject(o, key, item)) {
		cJSON_Delete(item);
		b->failed = 1;
		return NULL;
	}
	return item;
}

/* Appends item to the array a (takes ownership; NULL marks the failure). */
static inline cJSON *add(struct jb *b, cJSON *a, cJSON *item)
{
	if (!item || !a || !cJSON_AddItemToArray(a, item)) {
		cJSON_Delete(item);
		b->failed = 1;
		return NULL;
	}
	return item;
}

static inline cJSON *obj(struct jb *b, cJSON *parent, const char *key)
{
	return put(b, parent, key, cJSON_CreateObject());
}

static inline cJSON *arr(struct jb *b, cJSON *parent, const char *key)
{
	return put(b, parent, key, cJSON_CreateArray());
}

/* Bytes and counts as exact integer text; unknown is null. */
static inline void u64(struct jb *b, cJSON *o, const char *key, opt_u64 v)
{
	char num[24];
	snprintf(num, sizeof num, "%" PRIu64, v.v);
	put(b, o, key, v.known ? cJSON_CreateRaw(num) : cJSON_CreateNull());
}

/* A number with prec decimals, exact text ("-0.0" written as 0.0); a
 * value that is not finite is null. */
static inline void num(struct jb *b, cJSON *o, const char *key, double v, int prec)
{
	char t[48];
	if (!isfinite(v)) {
		put(b, o, key, cJSON_CreateNull());
		return;
	}
	snprintf(t, sizeof t, "%.*f", prec, v);
	if (t[0] == '-' && strspn(t + 1, "0.") == strlen(t + 1))
		memmove(t, t + 1, strlen(t));
	put(b, o, key, cJSON_CreateRaw(t));
}

/* A string: valid UTF-8 as it is, each byte that is not as \xNN (escape.h,
 * ESC_UTF8); the document's writer then puts DEL and C1 controls as \u
 * escapes (esc_json_controls).  NULL or "" is null. */
static inline void str(struct jb *b, cJSON *o, const char *key, const char *s)
{
	if (!s || !*s) {
		put(b, o, key, cJSON_CreateNull());
		return;
	}
	if (esc_is_utf8(s, strlen(s))) {
		put(b, o, key, cJSON_CreateString(s));
		return;
	}
	char *e = esc_strdup(s, ESC_UTF8);
	put(b, o, key, e ? cJSON_CreateString(e) : NULL);
	free(e);
}

/* 1 true, 0 false, -1 null. */
static inline void boolean(struct jb *b, cJSON *o, const char *key, int v)
{
	put(b, o, key, v < 0 ? cJSON_CreateNull() : cJSON_CreateBool(v));
}

/* Writes the document (on one line when compact) and a newline, and frees
 * it.  Returns 0, or -1 when building or writing it failed. */
static inline int jb_print(FILE *out, cJSON *root, const struct jb *b, int compact)
{
	int rc = -1;
	char *s = b->failed ? NULL : compact ? cJSON_PrintUnformatted(root) : cJSON_Print(root);
	char *safe = s ? esc_json_controls(s) : NULL;
	if (safe)
		rc = fputs(safe, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
	free(safe);
	free(s);
	cJSON_Delete(root);
	return rc;
}

#endif
