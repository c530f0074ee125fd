/* meta.json and cgroup.json of a recorded pair (docs/fixtures.md). */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "correlate/escape.h"
#include "correlate/meta.h"
#include "correlate/render.h"

/* Adds key: an exact integer, or null. */
static int num(cJSON *o, const char *key, opt_u64 v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRIu64, v.v);
	cJSON *item = v.known ? cJSON_CreateRaw(buf) : cJSON_CreateNull();
	if (!item || !cJSON_AddItemToObject(o, key, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

/* A string as render_json writes one (escape.h, ESC_UTF8): a byte that is
 * not UTF-8 comes back from the pair as the text \xNN. */
static int str(cJSON *o, const char *key, const char *s)
{
	char *e = NULL;
	if (s && *s && !esc_is_utf8(s, strlen(s)) && !(s = e = esc_strdup(s, ESC_UTF8)))
		return -1;
	cJSON *item = s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
	free(e);
	if (!item || !cJSON_AddItemToObject(o, key, item)) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

static cJSON *child(cJSON *o, const char *key)
{
	cJSON *c = cJSON_CreateObject();
	if (c && !cJSON_AddItemToObject(o, key, c)) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}

/* The document, with DEL and C1 controls as \u escapes like render_json's. */
static char *print(cJSON *root, int bad)
{
	char *s = bad ? NULL : cJSON_Print(root);
	char *safe = s ? esc_json_controls(s) : NULL;
	free(s);
	cJSON_Delete(root);
	return safe;
}

/* issue 11: where the endpoint was reached, what finding it tried, and,
 * for a report from /proc alone, why there are no MemStats. */
static int ns_name(cJSON *o, const char *key, uint64_t ino)
{
	char n[48];
	snprintf(n, sizeof n, "net:[%llu]", (unsigned long long)ino);
	return str(o, key, ino ? n : NULL);
}

static int reach_meta(cJSON *root, const struct capture *c)
{
	const struct reach_info *r = &c->reach;
	cJSON *ns = child(root, "namespaces");
	int bad = !ns || ns_name(ns, "net", r->net_ino) ||
		  ns_name(ns, "correlate_net", r->self_net_ino) ||
		  str(ns, "fetched_in",
		      !r->fetched_as[0] ? NULL : r->net_entered ? "process" : "correlate") ||
		  str(ns, "unix_socket_via", r->unix_via) || str(root, "fetched_as", r->fetched_as);
	if (bad)
		return 1;
	if (!r->discovered) {
		bad = !cJSON_AddNullToObject(root, "discovery");
	} else {
		cJSON *d = child(root, "discovery"), *a = NULL;
		bad = !d || !cJSON_AddItemToObject(d, "found", cJSON_CreateBool(!capture_os_only(c))) ||
		      !(a = cJSON_AddArrayToObject(d, "attempts"));
		for (size_t i = 0; !bad && i < r->n_attempts; i++) {
			cJSON *x = cJSON_CreateObject();
			bad = !x || !cJSON_AddItemToArray(a, x) || str(x, "url", r->attempts[i].url) ||
			      str(x, "outcome", r->attempts[i].outcome);
		}
	}
	if (!bad && capture_os_only(c)) {
		cJSON *o = child(root, "os_only");
		bad = !o || str(o, "because", r->go_missing[0] ? r->go_missing : "not recorded");
	} else if (!bad) {
		bad = !cJSON_AddNullToObject(root, "os_only");
	}
	return bad;
}

char *meta_json(const struct capture *c)
{
	const struct proc_identity *id = &c->os.id;
	const struct go_buildinfo *b = &c->os.build;
	char when[32];
	fmt_rfc3339(c->captured_at, when, sizeof when);
	cJSON *root = cJSON_CreateObject(), *p, *sys;
	if (!root)
		return NULL;
	int bad = str(root, "format", "correlate recorded pair") ||
		  num(root, "format_version", opt_some(1)) ||
		  str(root, "tool", "correlate " CORRELATE_VERSION) ||
		  num(root, "pid", opt_some((uint64_t)id->pid)) || str(root, "url", c->url) ||
		  str(root, "endpoint_format",
		      capture_os_only(c) ? NULL : body_format_name(c->go.format)) ||
		  str(root, "endpoint_tried", c->tried) || str(root, "endpoint_owner", c->owner) ||
		  str(root, "captured_at", when) ||
		  !cJSON_AddNumberToObject(root, "fetch_seconds", c->fetch_seconds) ||
		  num(root, "probe_cpu_ns", c->probe_cpu_ns);
	if (!bad && (p = child(root, "process"))) {
		bad = str(p, "comm", id->comm) || str(p, "exe", id->exe) ||
		      str(p, "cmdline", id->cmdline) || str(p, "user", id->user) ||
		      num(p, "uid", opt_some(id->euid)) ||
		      num(p, "start_tics", opt_some(id->start_tics));
	} else {
		bad = 1;
	}
	if (!bad && b->found) {
		cJSON *bo = child(root, "build");
		bad = !bo || str(bo, "go_version", b->go_version) || str(bo, "path", b->path) ||
		      str(bo, "goarch", b->goarch) || str(bo, "goos", b->goos) ||
		      str(bo, "buildmode", b->buildmode) ||
		      !cJSON_AddItemToObject(
			  bo, "cgo", b->cgo < 0 ? cJSON_CreateNull() : cJSON_CreateBool(b->cgo)) ||
		      !cJSON_AddItemToObject(
			  bo, "race", b->race < 0 ? cJSON_CreateNull() : cJSON_CreateBool(b->race)) ||
		      str(bo, "default_godebug", b->default_godebug);
	} else if (!bad) {
		bad = !cJSON_AddNullToObject(root, "build");
	}
	if (!bad && (sys = child(root, "system"))) {
		bad = num(sys, "mem_total_bytes", c->os.sys.mem_total) ||
		      num(sys, "mem_available_bytes", c->os.sys.mem_available) ||
		      str(sys, "transparent_hugepage", c->os.sys.thp) ||
		      num(sys, "cpus",
			  c->os.sys.ncpu ? opt_some((uint64_t)c->os.sys.ncpu) : opt_none());
	} else {
		bad = 1;
	}
	if (!bad)
		bad = reach_meta(root, c);
	return print(root, bad);
}

char *cgroup_json(const struct cgroup_info *cg)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	int bad = (cg->version ? num(root, "version", opt_some((uint64_t)cg->version))
			       : !cJSON_AddNullToObject(root, "version")) ||
		  str(root, "not_read_because", cg->version ? NULL : cg->why) ||
		  str(root, "path", cg->path) || num(root, "limit_bytes", cg->limit) ||
		  num(root, "usage_bytes", cg->usage) || num(root, "anon_bytes", cg->anon) ||
		  num(root, "file_bytes", cg->file);
	return print(root, bad);
}
