/* series.json: the index of a recorded series (series.h). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/series.h"

void series_index_free(struct series_index *si)
{
	if (!si)
		return;
	free(si->e);
	si->e = NULL;
	si->n = 0;
}

static int bad(struct err *err, const char *what)
{
	err_set(err, ERR_USAGE, "series.json: %s", what);
	return err_hint(err, "a series is the folder `correlate watch --save DIR` wrote");
}

int parse_series_index(const char *buf, size_t len, struct series_index *out, struct err *err)
{
	memset(out, 0, sizeof *out);
	cJSON *root = cJSON_ParseWithLength(buf, len);
	int rc = 0;
	if (!root || !cJSON_IsObject(root)) {
		rc = bad(err, "not a JSON object");
		goto out;
	}
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "series") != 0) {
		rc = bad(err, "\"kind\" is not \"series\"");
		goto out;
	}
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(root, "pid");
	if (cJSON_IsNumber(pid) && pid->valuedouble > 0 && pid->valuedouble < 1e9)
		out->pid = (pid_t)pid->valuedouble;
	const cJSON *iv = cJSON_GetObjectItemCaseSensitive(root, "interval_seconds");
	if (cJSON_IsNumber(iv) && iv->valuedouble > 0)
		out->interval_seconds = iv->valuedouble;
	const cJSON *ended = cJSON_GetObjectItemCaseSensitive(root, "ended");
	if (cJSON_IsString(ended))
		snprintf(out->ended, sizeof out->ended, "%s", ended->valuestring);
	const cJSON *samples = cJSON_GetObjectItemCaseSensitive(root, "samples");
	if (!cJSON_IsArray(samples)) {
		rc = bad(err, "no \"samples\" array");
		goto out;
	}
	int n = cJSON_GetArraySize(samples);
	out->e = calloc(n ? (size_t)n : 1, sizeof *out->e);
	if (!out->e) {
		rc = err_set(err, ERR_INTERNAL, "out of memory");
		goto out;
	}
	const cJSON *s;
	double prev = -INFINITY;
	cJSON_ArrayForEach(s, samples)
	{
		const cJSON *dir = cJSON_GetObjectItemCaseSensitive(s, "dir");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "t");
		if (!cJSON_IsString(dir) || !cJSON_IsNumber(t) || !isfinite(t->valuedouble)) {
			rc = bad(err, "a sample without \"dir\" and \"t\"");
			goto out;
		}
		const char *d = dir->valuestring;
		if (!*d || strchr(d, '/') || strcmp(d, ".") == 0 || strcmp(d, "..") == 0 ||
		    strlen(d) >= sizeof out->e[0].dir) {
			rc = bad(err, "a sample's \"dir\" is not a plain folder name");
			goto out;
		}
		if (t->valuedouble < prev) {
			rc = bad(err, "the samples' \"t\" go back in time");
			goto out;
		}
		prev = t->valuedouble;
		struct series_entry *e = &out->e[out->n++];
		snprintf(e->dir, sizeof e->dir, "%s", d);
		e->t = t->valuedouble;
	}
out:
	cJSON_Delete(root);
	if (rc)
		series_index_free(out);
	return rc;
}
