/* The process's context: its environment and its memory cgroup. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "correlate/acquire.h"
#include "correlate/context.h"

int acquire_environ(pid_t pid, struct go_env *out, struct text *raw)
{
	char path[64];
	struct text t = {0};
	snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
	int e = read_path(path, &t);
	if (e) {
		memset(out, 0, sizeof *out);
		out->madvdontneed = out->disablethp = -1;
		snprintf(out->why, sizeof out->why, "%s", strerror(e));
		return e;
	}
	parse_environ(t.data, t.len, out);
	if (raw)
		*raw = t;
	else
		text_free(&t);
	return 0;
}

/* A one-number file ("max" for no limit). */
static void read_value(const char *dir, const char *file, opt_u64 *out)
{
	char path[800];
	struct text t = {0};
	snprintf(path, sizeof path, "%s/%s", dir, file);
	*out = opt_none();
	if (read_path(path, &t) != 0)
		return;
	parse_cgroup_limit(t.data, t.len, out);
	text_free(&t);
}

static void read_stat(const char *dir, const char *key, opt_u64 *out)
{
	char path[800];
	struct text t = {0};
	snprintf(path, sizeof path, "%s/memory.stat", dir);
	*out = opt_none();
	if (read_path(path, &t) != 0)
		return;
	parse_cgroup_stat(t.data, t.len, key, out);
	text_free(&t);
}

void acquire_cgroup(pid_t pid, struct cgroup_info *out)
{
	char path[64], mnt[512];
	struct text t = {0};
	memset(out, 0, sizeof *out);
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	int e = read_path(path, &t);
	if (e) {
		snprintf(out->why, sizeof out->why, "%s: %s", path, strerror(e));
		return;
	}
	int version = 0;
	int rc = parse_proc_cgroup(t.data, t.len, &version, out->path, sizeof out->path);
	text_free(&t);
	if (rc != 0) {
		snprintf(out->why, sizeof out->why, "no memory cgroup in %s", path);
		return;
	}
	if ((e = read_path("/proc/self/mountinfo", &t)) != 0) {
		snprintf(out->why, sizeof out->why, "/proc/self/mountinfo: %s", strerror(e));
		return;
	}
	char root[512];
	rc = parse_mountinfo_cgroup(t.data, t.len, version, mnt, sizeof mnt, root, sizeof root);
	text_free(&t);
	if (rc != 0) {
		snprintf(out->why, sizeof out->why, "the cgroup v%d hierarchy is not mounted here",
			 version);
		return;
	}
	/* The path is relative to the hierarchy's root; the mount may show only
	 * a part of it (root is then that part). */
	const char *rel = out->path;
	size_t rl = strlen(root);
	if (strcmp(root, "/") != 0 && strncmp(rel, root, rl) == 0 && (rel[rl] == '/' || !rel[rl]))
		rel += rl;
	snprintf(out->dir, sizeof out->dir, "%s%s", mnt, strcmp(rel, "/") ? rel : "");
	if (version == 2) {
		read_value(out->dir, "memory.max", &out->limit);
		read_value(out->dir, "memory.current", &out->usage);
		read_value(out->dir, "memory.swap.max", &out->swap_limit);
		read_stat(out->dir, "anon", &out->anon);
		read_stat(out->dir, "file", &out->file);
	} else {
		read_value(out->dir, "memory.limit_in_bytes", &out->limit);
		read_value(out->dir, "memory.usage_in_bytes", &out->usage);
		read_stat(out->dir, "rss", &out->anon);
		read_stat(out->dir, "cache", &out->file);
	}
	if (!out->usage.known) {
		snprintf(out->why, sizeof out->why, "%s: memory files not readable", out->dir);
		return;
	}
	out->version = version;
}
