/* expvar's /debug/vars: a JSON object whose "memstats" member is the whole
 * runtime.MemStats.  Everything else the program published is ignored. */
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "body.h"

static int store(struct body_parser *p, const struct go_field *f, const cJSON *item,
		 struct err *err)
{
	if (!cJSON_IsNumber(item))
		return err_set(err, ERR_ENDPOINT, "expvar: memstats.%s is not a number",
			       f->expvar);
	double d = item->valuedouble;
	if (isnan(d) || isinf(d) || d < 0 || d >= 18446744073709551616.0 || d != floor(d))
		return err_set(err, ERR_ENDPOINT,
			       "expvar: memstats.%s = %g is not a non-negative 64-bit integer",
			       f->expvar, d);
	return go_field_store(&p->snap.ms, f, (uint64_t)d, "expvar", err);
}

int expvar_parse(struct body_parser *p, struct err *err)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(p->json, p->json_len, &end, 0);
	if (!root) {
		size_t at = end && end >= p->json ? (size_t)(end - p->json) : 0;
		return err_set(err, ERR_ENDPOINT, "expvar: not valid JSON (near byte %zu of %zu)",
			       at, p->json_len);
	}
	int rc = 0;
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(root, "memstats");
	if (!cJSON_IsObject(root)) {
		rc = err_set(err, ERR_ENDPOINT, "expvar: the body is JSON but not an object");
	} else if (!ms) {
		rc = err_set(err, ERR_ENDPOINT,
			     "expvar: no \"memstats\" member (is the expvar package imported?)");
	} else if (!cJSON_IsObject(ms)) {
		rc = err_set(err, ERR_ENDPOINT, "expvar: \"memstats\" is not an object");
	} else {
		/* Walk the members, not a lookup per key, so that a duplicated key
		 * with another value is seen and refused. */
		for (const cJSON *it = ms->child; it && !rc; it = it->next) {
			if (!it->string)
				continue;
			for (size_t k = 0; k < go_fields_count; k++) {
				const struct go_field *f = &go_fields[k];
				if (f->expvar && strcmp(f->expvar, it->string) == 0) {
					rc = store(p, f, it, err);
					break;
				}
			}
		}
	}
	cJSON_Delete(root);
	return rc;
}
