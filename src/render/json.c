/* The JSON document.  Numbers are written as raw integer text so that
 * 64-bit byte counts are exact (cJSON's numbers are doubles). */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "correlate/proc.h"
#include "correlate/render.h"

void fmt_rfc3339(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, cap, "1970-01-01T00:00:00Z");
}

/* Adds key: the integer, or null when unknown.  Returns 0 or -1. */
static int add_u64(cJSON *obj, const char *key, opt_u64 v)
{
	cJSON *item;
	if (v.known) {
		char num[24];
		snprintf(num, sizeof num, "%" PRIu64, v.v);
		item = cJSON_CreateRaw(num);
	} else {
		item = cJSON_CreateNull();
	}
	return item && cJSON_AddItemToObject(obj, key, item) ? 0 : -1;
}

static int add_str_or_null(cJSON *obj, const char *key, const char *s)
{
	cJSON *item = s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
	return item && cJSON_AddItemToObject(obj, key, item) ? 0 : -1;
}

static cJSON *proc_fields_obj(const struct proc_field *rows, size_t n, const void *base)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < n; i++)
		if (add_u64(o, rows[i].json,
			    *(const opt_u64 *)((const char *)base + rows[i].offset)) != 0) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

static cJSON *os_obj(const struct capture *c)
{
	const struct os_snapshot *os = &c->os;
	cJSON *o = proc_fields_obj(status_fields, status_fields_count, &os->status.v);
	if (!o)
		return NULL;
	const struct smaps_values *ru = os->have_rollup ? &os->rollup : NULL;
	int bad = add_u64(o, "lazy_free_bytes", ru ? ru->lazy_free : opt_none()) ||
		  add_u64(o, "anon_huge_pages_bytes", ru ? ru->anon_huge_pages : opt_none()) ||
		  add_str_or_null(o, "name", os->status.name);
	if (!bad) {
		cJSON *r =
		    ru ? proc_fields_obj(smaps_fields, smaps_fields_count, ru) : cJSON_CreateNull();
		bad = !r || !cJSON_AddItemToObject(o, "smaps_rollup", r);
	}
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *go_obj(const struct capture *c)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < go_fields_count; i++)
		if (add_u64(o, go_fields[i].json, go_field_get(&c->go.ms, &go_fields[i])) != 0) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

static cJSON *process_obj(const struct capture *c)
{
	const struct proc_identity *id = &c->os.id;
	const struct go_buildinfo *b = &c->os.build;
	cJSON *o = cJSON_CreateObject(), *bo = cJSON_CreateObject();
	if (!o || !bo)
		goto fail;
	if (add_str_or_null(o, "comm", id->comm) || add_str_or_null(o, "exe", id->exe) ||
	    add_str_or_null(o, "cmdline", id->cmdline) || add_str_or_null(o, "user", id->user) ||
	    add_u64(o, "uid", opt_some(id->euid)) ||
	    add_u64(o, "start_tics", opt_some(id->start_tics)))
		goto fail;
	if (!b->found) {
		cJSON_Delete(bo);
		bo = cJSON_CreateNull();
	} else if (add_str_or_null(bo, "go_version", b->go_version) ||
		   add_str_or_null(bo, "path", b->path) ||
		   add_str_or_null(bo, "goarch", b->goarch) ||
		   add_str_or_null(bo, "goos", b->goos) ||
		   add_str_or_null(bo, "buildmode", b->buildmode) ||
		   !cJSON_AddItemToObject(
		       bo, "cgo", b->cgo < 0 ? cJSON_CreateNull() : cJSON_CreateBool(b->cgo)) ||
		   add_str_or_null(bo, "default_godebug", b->default_godebug)) {
		goto fail;
	}
	if (!bo || !cJSON_AddItemToObject(o, "build", bo)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
fail:
	cJSON_Delete(bo);
	cJSON_Delete(o);
	return NULL;
}

static cJSON *ledger_obj(const struct ledger *l)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < ledger_rows_count; i++) {
		const struct ledger_row *r = &ledger_rows[i];
		cJSON *sec = cJSON_GetObjectItemCaseSensitive(o, r->section);
		if (!sec &&
		    (!(sec = cJSON_CreateObject()) || !cJSON_AddItemToObject(o, r->section, sec)))
			goto fail;
		if (add_u64(sec, r->json, ledger_get(l, r)) != 0)
			goto fail;
	}
	cJSON *checks = cJSON_GetObjectItemCaseSensitive(o, "checks");
	if (!checks)
		goto fail;
	cJSON_AddItemToObject(checks, "sys_adds_up",
			      l->sys_parts_ok < 0 ? cJSON_CreateNull()
						  : cJSON_CreateBool(l->sys_parts_ok));
	cJSON_AddItemToObject(checks, "heap_adds_up",
			      l->heap_parts_ok < 0 ? cJSON_CreateNull()
						   : cJSON_CreateBool(l->heap_parts_ok));
	cJSON_AddItemToObject(checks, "lazy_free_assumed_zero",
			      cJSON_CreateBool(l->lazy_free_assumed));
	cJSON_AddItemToObject(checks, "anon_from_rss", cJSON_CreateBool(l->anon_from_rss));
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *findings_arr(const struct findings *fs)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(a, o) || !cJSON_AddStringToObject(o, "id", f->id) ||
		    !cJSON_AddStringToObject(o, "severity", severity_name(f->severity)) ||
		    add_u64(o, "bytes", opt_some(f->bytes)) ||
		    !cJSON_AddStringToObject(o, "summary", f->summary) ||
		    !cJSON_AddStringToObject(o, "evidence", f->evidence) ||
		    !cJSON_AddStringToObject(o, "advice", f->advice)) {
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

/* Takes ownership of item; returns -1 when it is NULL or cannot be added. */
static int attach(cJSON *root, const char *key, cJSON *item)
{
	if (!item)
		return -1;
	if (!cJSON_AddItemToObject(root, key, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

int render_json(FILE *out, const struct render_input *in)
{
	const struct capture *c = in->c;
	char when[32];
	fmt_rfc3339(c->captured_at, when, sizeof when);
	cJSON *root = cJSON_CreateObject(), *tool = cJSON_CreateObject(),
	      *sys = cJSON_CreateObject();
	int rc = -1;
	if (!root || !tool || !sys) {
		cJSON_Delete(tool);
		cJSON_Delete(sys);
		goto done;
	}
	cJSON_AddStringToObject(tool, "name", "correlate");
	cJSON_AddStringToObject(tool, "version", CORRELATE_VERSION);
	add_u64(sys, "mem_total_bytes", c->os.sys.mem_total);
	add_u64(sys, "mem_available_bytes", c->os.sys.mem_available);
	char fetch[32];
	snprintf(fetch, sizeof fetch, "%.6f", c->fetch_seconds);
	if (add_u64(root, "schema_version", opt_some(1)) || attach(root, "tool", tool) ||
	    add_u64(root, "pid", opt_some((uint64_t)c->os.id.pid)) ||
	    add_str_or_null(root, "url", c->url) ||
	    !cJSON_AddStringToObject(root, "endpoint_format", body_format_name(c->go.format)) ||
	    add_str_or_null(root, "endpoint_tried", c->tried) ||
	    !cJSON_AddStringToObject(root, "captured_at", when) ||
	    !cJSON_AddItemToObject(root, "fetch_seconds", cJSON_CreateRaw(fetch)) ||
	    add_str_or_null(root, "go_version", capture_go_version(c)) ||
	    !cJSON_AddItemToObject(root, "replay", cJSON_CreateBool(c->replay)) ||
	    add_str_or_null(root, "source", c->replay ? c->source : NULL) ||
	    attach(root, "process", process_obj(c)) || attach(root, "system", sys) ||
	    attach(root, "os", os_obj(c)) || attach(root, "go", go_obj(c)) ||
	    attach(root, "ledger", ledger_obj(in->l)) ||
	    add_u64(root, "unexplained_bytes", in->l->unexplained) ||
	    attach(root, "findings", findings_arr(in->fs)))
		goto done;
	char *s = cJSON_Print(root);
	if (!s)
		goto done;
	rc = fputs(s, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
	free(s);
done:
	cJSON_Delete(root);
	return rc;
}
