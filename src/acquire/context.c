/* The process's context: its environment and its memory cgroup. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "correlate/acquire.h"
#include "correlate/context.h"

void acquire_environ(pid_t pid, struct go_env *out)
{
	char path[64];
	struct text t = {0};
	snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
	int e = read_path(path, &t);
	if (e) {
		memset(out, 0, sizeof *out);
		out->madvdontneed = out->disablethp = -1;
		snprintf(out->why, sizeof out->why, "%s", strerror(e));
		return;
	}
	parse_environ(t.data, t.len, out);
	text_free(&t);
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
	rc = parse_mountinfo_cgroup(t.data, t.len, version, mnt, sizeof mnt);
	text_free(&t);
	if (rc != 0) {
		snprintf(out->why, sizeof out->why, "the cgroup v%d hierarchy is not mounted here",
			 version);
		return;
	}
	snprintf(out->dir, sizeof out->dir, "%s%s", mnt, strcmp(out->path, "/") ? out->path : "");
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
