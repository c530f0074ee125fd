/* meta.json, cgroup.json and top: reading them (render/meta.c writes the
 * first two). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "correlate/meta.h"
#include "lines.h"

int parse_rfc3339(const char *s, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0))
		return -1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

static const cJSON *member(const cJSON *o, const char *key)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static void get_str(const cJSON *o, const char *key, char *dst, size_t cap)
{
	const cJSON *v = member(o, key);
	if (cJSON_IsString(v) && v->valuestring)
		snprintf(dst, cap, "%s", v->valuestring);
}

/* A JSON number that is a whole, non-negative 64-bit value. */
static opt_u64 get_u64(const cJSON *o, const char *key)
{
	const cJSON *v = member(o, key);
	if (!cJSON_IsNumber(v))
		return opt_none();
	double d = v->valuedouble;
	if (!(d >= 0) || d >= 18446744073709551616.0 || d != floor(d))
		return opt_none();
	return opt_some((uint64_t)d);
}

static cJSON *parse_obj(const char *buf, size_t len, const char *what, struct err *err)
{
	cJSON *root = cJSON_ParseWithLength(buf, len);
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		err_set(err, ERR_PROC, "%s: not a JSON object", what);
		return NULL;
	}
	return root;
}

/* issue 11: namespaces, discovery, and why a pair has no MemStats. */
static uint64_t ns_ino(const cJSON *o, const char *key)
{
	char n[48] = "";
	unsigned long long v;
	get_str(o, key, n, sizeof n);
	return sscanf(n, "net:[%llu]", &v) == 1 ? (uint64_t)v : 0;
}

static void parse_reach(const cJSON *root, struct reach_info *r)
{
	const cJSON *ns = member(root, "namespaces");
	r->net_ino = ns_ino(ns, "net");
	r->self_net_ino = ns_ino(ns, "correlate_net");
	char in[16] = "";
	get_str(ns, "fetched_in", in, sizeof in);
	r->net_entered = strcmp(in, "process") == 0;
	get_str(ns, "unix_socket_via", r->unix_via, sizeof r->unix_via);
	get_str(root, "fetched_as", r->fetched_as, sizeof r->fetched_as);
	const cJSON *d = member(root, "discovery");
	if (cJSON_IsObject(d)) {
		r->discovered = 1;
		const cJSON *a = member(d, "attempts"), *x;
		r->n_attempts = 0;
		cJSON_ArrayForEach(x, a)
		{
			if (r->n_attempts == CAPTURE_ATTEMPTS)
				break;
			struct endpoint_attempt *e = &r->attempts[r->n_attempts++];
			get_str(x, "url", e->url, sizeof e->url);
			get_str(x, "outcome", e->outcome, sizeof e->outcome);
		}
	}
	const cJSON *o = member(root, "os_only");
	if (cJSON_IsObject(o)) {
		get_str(o, "because", r->go_missing, sizeof r->go_missing);
		if (!r->go_missing[0])
			snprintf(r->go_missing, sizeof r->go_missing, "not recorded");
	}
}

int parse_meta(const char *buf, size_t len, struct capture *out, struct err *err)
{
	cJSON *root = parse_obj(buf, len, "meta.json", err);
	if (!root)
		return err->code;
	struct proc_identity *id = &out->os.id;
	opt_u64 pid = get_u64(root, "pid");
	if (pid.known && pid.v <= INT32_MAX)
		id->pid = (pid_t)pid.v;
	get_str(root, "url", out->url, sizeof out->url);
	get_str(root, "endpoint_tried", out->tried, sizeof out->tried);
	get_str(root, "endpoint_owner", out->owner, sizeof out->owner);
	char when[64] = "";
	get_str(root, "captured_at", when, sizeof when);
	int64_t t;
	if (when[0] && parse_rfc3339(when, &t) == 0)
		out->captured_at = t;
	const cJSON *fs = member(root, "fetch_seconds");
	if (cJSON_IsNumber(fs))
		out->fetch_seconds = fs->valuedouble;

	out->probe_cpu_ns = get_u64(root, "probe_cpu_ns");
	parse_reach(root, &out->reach);
	const cJSON *p = member(root, "process");
	get_str(p, "comm", id->comm, sizeof id->comm);
	get_str(p, "exe", id->exe, sizeof id->exe);
	get_str(p, "cmdline", id->cmdline, sizeof id->cmdline);
	get_str(p, "user", id->user, sizeof id->user);
	opt_u64 v;
	if ((v = get_u64(p, "uid")).known)
		id->euid = (unsigned)v.v;
	if ((v = get_u64(p, "start_tics")).known)
		id->start_tics = v.v;

	const cJSON *b = member(root, "build");
	if (cJSON_IsObject(b)) {
		struct go_buildinfo *bi = &out->os.build;
		bi->found = 1;
		bi->cgo = -1;
		bi->race = -1;
		get_str(b, "go_version", bi->go_version, sizeof bi->go_version);
		get_str(b, "path", bi->path, sizeof bi->path);
		get_str(b, "goarch", bi->goarch, sizeof bi->goarch);
		get_str(b, "goos", bi->goos, sizeof bi->goos);
		get_str(b, "buildmode", bi->buildmode, sizeof bi->buildmode);
		get_str(b, "default_godebug", bi->default_godebug, sizeof bi->default_godebug);
		const cJSON *cgo = member(b, "cgo");
		if (cJSON_IsBool(cgo))
			bi->cgo = cJSON_IsTrue(cgo);
		const cJSON *race = member(b, "race");
		if (cJSON_IsBool(race))
			bi->race = cJSON_IsTrue(race);
	}
	const cJSON *sys = member(root, "system");
	if (cJSON_IsObject(sys)) {
		out->os.sys.mem_total = get_u64(sys, "mem_total_bytes");
		out->os.sys.mem_available = get_u64(sys, "mem_available_bytes");
		get_str(sys, "transparent_hugepage", out->os.sys.thp, sizeof out->os.sys.thp);
		if ((v = get_u64(sys, "cpus")).known && v.v < 1u << 20)
			out->os.sys.ncpu = (int)v.v;
	}
	cJSON_Delete(root);
	return 0;
}

int parse_cgroup_json(const char *buf, size_t len, struct cgroup_info *out, struct err *err)
{
	cJSON *root = parse_obj(buf, len, "cgroup.json", err);
	if (!root)
		return err->code;
	memset(out, 0, sizeof *out);
	opt_u64 ver = get_u64(root, "version");
	out->version = ver.known && (ver.v == 1 || ver.v == 2) ? (int)ver.v : 0;
	get_str(root, "not_read_because", out->why, sizeof out->why);
	get_str(root, "path", out->path, sizeof out->path);
	out->limit = get_u64(root, "limit_bytes");
	out->usage = get_u64(root, "usage_bytes");
	out->anon = get_u64(root, "anon_bytes");
	out->file = get_u64(root, "file_bytes");
	/* An older pair's summary: the leaf's numbers only (cgroup.h). */
	out->legacy = 1;
	out->n_levels = 1;
	snprintf(out->level[0].path, sizeof out->level[0].path, "%s", out->path);
	out->level[0].read = 1;
	out->level[0].max = out->limit;
	out->level[0].usage = out->usage;
	parse_cgroup_memory_stat("", 0, out->version, &out->level[0].stat);
	out->level[0].stat.anon = out->anon;
	out->level[0].stat.file = out->file;
	out->level[0].high = out->level[0].swap_max = out->level[0].swap_usage = opt_none();
	out->level[0].kmem = out->level[0].kmem_tcp = opt_none();
	out->level[0].events.under_oom = -1;
	out->others_rss = out->others_anon = out->swap_limit = opt_none();
	if (!out->version && !out->why[0])
		snprintf(out->why, sizeof out->why, "cgroup.json has no version");
	cJSON_Delete(root);
	return 0;
}

/* top's memory columns: KiB, or a number with a binary-scaled suffix. */
static int top_size(const char *s, size_t n, uint64_t *out)
{
	char tok[48];
	if (n == 0 || n >= sizeof tok)
		return -1;
	memcpy(tok, s, n);
	tok[n] = '\0';
	char *end;
	double v = strtod(tok, &end);
	if (end == tok || !isfinite(v) || v < 0)
		return -1;
	int shift;
	switch (*end) {
	case '\0':
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	case 'p':
	case 'P':
		shift = 50;
		break;
	default:
		return -1;
	}
	if (*end && end[1] != '\0' && strcmp(end + 1, "iB") != 0 && strcmp(end + 1, "B") != 0)
		return -1;
	double b = v * (double)(UINT64_C(1) << shift);
	if (b >= 18446744073709551616.0)
		return -1;
	*out = (uint64_t)(b + 0.5);
	return 0;
}

#define MAX_COLS 32

/* Splits a line into blank-separated words (at most MAX_COLS). */
static int words(const char *l, size_t n, const char *w[], size_t wl[])
{
	int k = 0;
	for (size_t i = 0; i < n && k < MAX_COLS;) {
		i = skip_blank(l, n, i);
		if (i >= n)
			break;
		size_t st = i;
		while (i < n && l[i] != ' ' && l[i] != '\t' && l[i] != '=' && l[i] != ':')
			i++;
		w[k] = l + st;
		wl[k++] = i - st;
		while (i < n && (l[i] == '=' || l[i] == ':'))
			i++;
	}
	return k;
}

static int is_word(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

int parse_top(const char *buf, size_t len, struct status_values *out, struct err *err)
{
	int col_virt = -1, col_res = -1, header_cols = 0;
	opt_u64 virt = opt_none(), res = opt_none();
	for (size_t i = 0; i < len;) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		size_t st = skip_blank(l, n, 0);
		if (st == n || l[st] == '#')
			continue;
		const char *w[MAX_COLS];
		size_t wl[MAX_COLS];
		int k = words(l, n, w, wl);
		/* top's table header */
		int hv = -1, hr = -1;
		for (int c = 0; c < k; c++) {
			if (is_word(w[c], wl[c], "VIRT"))
				hv = c;
			if (is_word(w[c], wl[c], "RES"))
				hr = c;
		}
		if (hv >= 0 && hr >= 0 && k > 3) {
			col_virt = hv;
			col_res = hr;
			header_cols = k;
			continue;
		}
		if (col_virt >= 0 && k >= header_cols - 1 && k > col_virt && k > col_res) {
			uint64_t a, b;
			if (!virt.known && top_size(w[col_virt], wl[col_virt], &a) == 0 &&
			    top_size(w[col_res], wl[col_res], &b) == 0) {
				virt = opt_some(a);
				res = opt_some(b);
			}
			continue;
		}
		/* "VIRT 2.4g" lines */
		for (int c = 0; c + 1 < k; c += 2) {
			uint64_t a;
			if (top_size(w[c + 1], wl[c + 1], &a) != 0)
				continue;
			if (is_word(w[c], wl[c], "VIRT"))
				virt = opt_some(a);
			else if (is_word(w[c], wl[c], "RES"))
				res = opt_some(a);
		}
	}
	if (!virt.known || !res.known)
		return err_set(err, ERR_PROC,
			       "top: no VIRT and RES in it (\"VIRT 2.4g\" and "
			       "\"RES 1.7g\" lines, or top's table)");
	out->vm_size = virt;
	out->vm_rss = res;
	return 0;
}
