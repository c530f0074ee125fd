/* The process's context: its environment and its memory cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The cgroup record (cgroup.h): every file read, each under a
 * "==> PATH <==" line, as `tail -n +1` prints them. */
struct record {
	char *data;
	size_t len, cap;
	int failed; /* out of memory: the record is dropped */
};

static void rec_append(struct record *r, const char *s, size_t n)
{
	if (r->failed)
		return;
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 16384;
		while (cap < r->len + n + 1)
			cap *= 2;
		char *d = realloc(r->data, cap);
		if (!d) {
			r->failed = 1;
			return;
		}
		r->data = d;
		r->cap = cap;
	}
	memcpy(r->data + r->len, s, n);
	r->len += n;
	r->data[r->len] = '\0';
}

static void rec_add(struct record *r, const char *name, const char *data, size_t len)
{
	if (r->len)
		rec_append(r, "\n", 1);
	rec_append(r, "==> ", 4);
	rec_append(r, name, strlen(name));
	rec_append(r, " <==\n", 5);
	rec_append(r, data, len);
	if (len && data[len - 1] != '\n')
		rec_append(r, "\n", 1);
}

/* Reads path into the record; 0 or an errno. */
static int rec_file(struct record *r, const char *path)
{
	struct text t = {0};
	int e = read_path(path, &t);
	if (!e)
		rec_add(r, path, t.data, t.len);
	text_free(&t);
	return e;
}

/* Only mountinfo's cgroup lines: the rest (every mount of the host) says
 * nothing about memory and need not travel with a pair. */
static void rec_mountinfo(struct record *r, const char *buf, size_t len)
{
	struct record lines = {0};
	for (size_t i = 0; i < len;) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) + 1 : len - i;
		i += n;
		const char *sep = memmem(l, n, " - cgroup", 9);
		size_t off = sep ? (size_t)(sep - l) : 0;
		if (sep && off + 10 <= n &&
		    (sep[9] == ' ' || (off + 11 <= n && sep[9] == '2' && sep[10] == ' ')))
			rec_append(&lines, l, n);
	}
	rec_add(r, "/proc/self/mountinfo", lines.data ? lines.data : "", lines.len);
	r->failed |= lines.failed;
	free(lines.data);
}

/* A process in another cgroup namespace than correlate's (a pod's own, when
 * correlate runs in one on a cgroup v2 node) reads as "/../..": a path
 * relative to correlate's namespace, which names no folder.  The host's
 * namespace, init's, names every cgroup from the hierarchy's root; entering
 * it (setns, CAP_SYS_ADMIN) changes only how cgroup paths read, for the
 * rest of the run.  Tried once. */
static int enter_init_cgroupns(char *why, size_t cap)
{
	static int state; /* 0 not tried, 1 entered, -1 failed (why kept) */
	static char failed[96];
	if (state == 0) {
		/* init's, or kthreadd's where init's is refused (kernel threads
		 * live in the initial namespaces; pid 2 is kthreadd in the host's
		 * PID namespace) */
		int fd = open("/proc/1/ns/cgroup", O_RDONLY | O_CLOEXEC);
		char comm[32] = "";
		FILE *k = fd < 0 ? fopen("/proc/2/comm", "re") : NULL;
		if (k && fgets(comm, sizeof comm, k) && strcmp(comm, "kthreadd\n") == 0)
			fd = open("/proc/2/ns/cgroup", O_RDONLY | O_CLOEXEC);
		if (k)
			fclose(k);
		struct stat a, b;
		if (fd >= 0 && fstat(fd, &a) == 0 && stat("/proc/self/ns/cgroup", &b) == 0 &&
		    a.st_ino == b.st_ino) {
			snprintf(failed, sizeof failed,
				 "outside correlate's cgroup namespace, which is init's");
			state = -1;
		} else if (fd < 0 || setns(fd, CLONE_NEWCGROUP) != 0) {
			snprintf(failed, sizeof failed,
				 "outside correlate's cgroup namespace; entering init's: %s",
				 strerror(errno));
			state = -1;
		} else {
			state = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	if (state < 0)
		snprintf(why, cap, "%s", failed);
	return state > 0 ? 0 : -1;
}

void acquire_cgroup(pid_t pid, struct cgroup_info *out)
{
	char path[800], mnt[512], root[512], why[96] = "";
	struct text t = {0};
	struct record r = {0};
	int version = 0;
	char cgpath[512];

	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	int e = read_path(path, &t);
	if (e) {
		snprintf(why, sizeof why, "%s: %s", path, strerror(e));
		goto parse;
	}
	int rc = parse_proc_cgroup(t.data, t.len, &version, cgpath, sizeof cgpath);
	/* Outside correlate's cgroup namespace (its path climbs above the
	 * namespace's root): read again from the host's, where it is named from
	 * the hierarchy's root. */
	if (rc == 0 && strncmp(cgpath, "/..", 3) == 0 && (cgpath[3] == '/' || !cgpath[3])) {
		if (enter_init_cgroupns(why, sizeof why) == 0) {
			text_free(&t);
			if ((e = read_path(path, &t)) != 0) {
				snprintf(why, sizeof why, "%s: %s", path, strerror(e));
				goto parse;
			}
			rc = parse_proc_cgroup(t.data, t.len, &version, cgpath, sizeof cgpath);
		}
	}
	rec_add(&r, path, t.data, t.len);
	text_free(&t);
	if (rc != 0 || why[0])
		goto parse;
	if ((e = read_path("/proc/self/mountinfo", &t)) != 0) {
		snprintf(why, sizeof why, "/proc/self/mountinfo: %s", strerror(e));
		goto parse;
	}
	rec_mountinfo(&r, t.data, t.len);
	rc = parse_mountinfo_cgroup(t.data, t.len, version, mnt, sizeof mnt, root, sizeof root);
	text_free(&t);
	if (rc != 0)
		goto parse;
	/* The leaf's folder (the path is relative to the hierarchy's root; the
	 * mount may show only a part of it), then every parent up to the mount:
	 * a limit may be set on any of them. */
	const char *rel = cgpath;
	size_t rl = strlen(root), mn = strlen(mnt);
	if (strcmp(root, "/") != 0 && strncmp(rel, root, rl) == 0 && (rel[rl] == '/' || !rel[rl]))
		rel += rl;
	char dir[640], leaf[640];
	snprintf(leaf, sizeof leaf, "%s%s", mnt, strcmp(rel, "/") ? rel : "");
	snprintf(dir, sizeof dir, "%s", leaf);
	const char *const *files = cgroup_level_files(version);
	for (int depth = 0; depth < CG_LEVELS_MAX; depth++) {
		for (size_t i = 0; files[i]; i++) {
			snprintf(path, sizeof path, "%s/%s", dir, files[i]);
			rec_file(&r, path); /* a file this kernel lacks is not recorded */
		}
		char *slash = strrchr(dir, '/');
		if (strlen(dir) <= mn || !slash || slash < dir + mn)
			break;
		*slash = '\0';
	}
	/* The other processes of the leaf, each with its status (Name, VmRSS). */
	snprintf(path, sizeof path, "%s/cgroup.procs", leaf);
	if (read_path(path, &t) == 0) {
		rec_add(&r, path, t.data, t.len);
		int pids[CG_PROCS_READ_MAX];
		size_t n = parse_cgroup_procs(t.data, t.len, pids, CG_PROCS_READ_MAX);
		text_free(&t);
		for (size_t i = 0; i < n && i < CG_PROCS_READ_MAX; i++) {
			if (pids[i] == (int)pid)
				continue; /* its own status is the capture's */
			snprintf(path, sizeof path, "/proc/%d/status", pids[i]);
			rec_file(&r, path); /* one that has exited is not recorded */
		}
	}
parse:
	if (r.failed) {
		free(r.data);
		r.data = NULL;
		r.len = 0;
	}
	parse_cgroup_record(r.data ? r.data : "", r.len, (int)pid, out);
	if (!out->version && why[0])
		snprintf(out->why, sizeof out->why, "%s", why);
	if (r.failed)
		snprintf(out->why, sizeof out->why, "out of memory reading the cgroup");
	out->record = r.data;
	out->record_len = r.len;
}
