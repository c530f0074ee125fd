/* Reading /proc: identity and system context through libproc2, whole files
 * for the parsers. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <libproc2/meminfo.h>
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correlate/acquire.h"
#include "correlate/context.h"
#include "correlate/redact.h"

void text_free(struct text *t)
{
	if (!t)
		return;
	free(t->data);
	t->data = NULL;
	t->len = 0;
}

static enum pids_item identity_items[] = {
    PIDS_CMD,	   PIDS_EXE,  PIDS_CMDLINE, PIDS_TICS_BEGAN, PIDS_ID_EUID,
    PIDS_ID_EUSER, PIDS_NLWP, PIDS_STATE,   PIDS_FLAGS,
};
enum { I_CMD, I_EXE, I_CMDLINE, I_BEGAN, I_EUID, I_EUSER, I_NLWP, I_STATE, I_FLAGS };

#define PF_KTHREAD 0x00200000UL /* include/linux/sched.h */

static void copy_str(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

int acquire_identity(pid_t pid, struct proc_identity *out, struct err *err)
{
	struct pids_info *info = NULL;
	memset(out, 0, sizeof *out);
	out->pid = pid;
	if (procps_pids_new(&info, identity_items,
			    (int)(sizeof identity_items / sizeof identity_items[0])) < 0)
		return err_set(err, ERR_PROC, "libproc2: cannot start reading /proc (%s)",
			       strerror(errno));
	unsigned want = (unsigned)pid;
	struct pids_fetch *f = procps_pids_select(info, &want, 1, PIDS_SELECT_PID);
	int rc = 0;
	if (!f || !f->counts || f->counts->total < 1) {
		rc = err_set(err, ERR_PROC, "no process with pid %d", (int)pid);
		err_hint(err, "check the pid: pgrep -a NAME, or ps -e");
	} else {
		struct pids_stack *s = f->stacks[0];
		copy_str(out->comm, sizeof out->comm, PIDS_VAL(I_CMD, str, s, info));
		copy_str(out->exe, sizeof out->exe, PIDS_VAL(I_EXE, str, s, info));
		copy_str(out->cmdline, sizeof out->cmdline, PIDS_VAL(I_CMDLINE, str, s, info));
		cmdline_redact(out->cmdline, sizeof out->cmdline); /* it goes into reports */
		out->start_tics = PIDS_VAL(I_BEGAN, ull_int, s, info);
		out->euid = PIDS_VAL(I_EUID, u_int, s, info);
		copy_str(out->user, sizeof out->user, PIDS_VAL(I_EUSER, str, s, info));
		out->threads = PIDS_VAL(I_NLWP, s_int, s, info);
		out->state = (char)PIDS_VAL(I_STATE, s_ch, s, info);
		out->kthread = (PIDS_VAL(I_FLAGS, ul_int, s, info) & PF_KTHREAD) != 0;
		/* libproc2 says "-" for an exe it may not read. */
		if (strcmp(out->exe, "-") == 0)
			out->exe[0] = '\0';
	}
	procps_pids_unref(&info);
	return rc;
}

int acquire_same_process(const struct proc_identity *before, struct err *err)
{
	struct proc_identity now;
	struct err e2 = {0};
	if (acquire_identity(before->pid, &now, &e2) != 0) {
		err_set(err, ERR_PROC, "pid %d (%s) exited while it was being read",
			(int)before->pid, before->comm);
		return err_hint(err, "run again while the process is up; nothing was reported "
				     "from a half-read process");
	}
	if (now.start_tics != before->start_tics) {
		err_set(err, ERR_PROC,
			"pid %d is now another process (%s, started at tick %llu, not %llu): the "
			"pid was reused while it was being read",
			(int)before->pid, now.comm, now.start_tics, before->start_tics);
		return err_hint(err, "find the service's current pid and run again");
	}
	/* Same pid, same start: an exec replaces the program but keeps both. */
	if (strcmp(now.comm, before->comm) != 0 || strcmp(now.exe, before->exe) != 0) {
		err_set(err, ERR_PROC,
			"pid %d changed program while it was being read (%s, %s; it was %s, %s): an "
			"exec",
			(int)before->pid, now.comm, now.exe[0] ? now.exe : "?", before->comm,
			before->exe[0] ? before->exe : "?");
		return err_hint(err, "run again once the service has restarted");
	}
	return 0;
}

void acquire_sys(struct sys_context *out)
{
	struct meminfo_info *mi = NULL;
	out->mem_total = opt_none();
	out->mem_available = opt_none();
	if (procps_meminfo_new(&mi) < 0)
		return;
	/* meminfo reports KiB */
	out->mem_total = opt_mul(opt_some(MEMINFO_GET(mi, MEMINFO_MEM_TOTAL, ul_int)), 1024);
	out->mem_available =
	    opt_mul(opt_some(MEMINFO_GET(mi, MEMINFO_MEM_AVAILABLE, ul_int)), 1024);
	procps_meminfo_unref(&mi);
}

/* /proc files report size 0: read until EOF, growing the buffer. */
static int read_all(int fd, struct text *out)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return ENOMEM;
	for (;;) {
		if (cap - len < 4096) {
			char *n = realloc(buf, cap * 2);
			if (!n) {
				free(buf);
				return ENOMEM;
			}
			buf = n;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			return e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	out->data = buf;
	out->len = len;
	return 0;
}

void acquire_note_owner(const struct proc_identity *id, struct err *err)
{
	if (!id || !err || id->euid == geteuid())
		return;
	size_t n = strlen(err->msg);
	snprintf(err->msg + n, sizeof err->msg - n, " (pid %d belongs to uid %u%s%s)", (int)id->pid,
		 id->euid, id->user[0] ? ", " : "", id->user);
}

/* CapEff of this process, from /proc/self/status; 0 if unreadable. */
static unsigned long long own_cap_eff(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

/* Whether this process is in a user namespace other than the initial one:
 * its uid_map is not the identity map of every uid. */
static int in_user_namespace(void)
{
	char buf[128] = "";
	FILE *f = fopen("/proc/self/uid_map", "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	unsigned long inside, outside, count;
	return !(sscanf(buf, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
		 outside == 0 && count == 4294967295UL);
}

/* The security modules in force, without the ones that never refuse a
 * /proc read of a process (capability is the CAP_SYS_PTRACE rule itself;
 * Yama's ptrace_scope restricts PTRACE_MODE_ATTACH only, and /proc reads are
 * PTRACE_MODE_READ: security/yama/yama_lsm.c, yama_ptrace_access_check). */
static void active_lsms(char *out, size_t cap)
{
	char buf[256] = "";
	out[0] = '\0';
	FILE *f = fopen("/sys/kernel/security/lsm", "re");
	if (!f) {
		snprintf(out, cap, "?");
		return;
	}
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	size_t o = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save)) {
		if (!strcmp(t, "capability") || !strcmp(t, "yama") || !strcmp(t, "lockdown"))
			continue;
		o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s%s", o ? ", " : "", t);
		if (o >= cap)
			break;
	}
}

#define CAP_SYS_PTRACE_BIT 19 /* linux/capability.h */

void acquire_permission_hint(const struct proc_identity *id, const char *what, struct err *err)
{
	if (!err)
		return;
	int has_ptrace = (own_cap_eff() >> CAP_SYS_PTRACE_BIT) & 1;
	if (geteuid() != 0 && !has_ptrace) {
		err_hint(err,
			 "%s of another user's process needs root or CAP_SYS_PTRACE: run correlate "
			 "with sudo, or as the service's user",
			 what);
		return;
	}
	/* Root already: sudo would change nothing.  Name what refuses it
	 * (ptrace_may_access in kernel/ptrace.c: another uid's process, or one
	 * with capabilities the reader lacks, needs CAP_SYS_PTRACE in the
	 * target's user namespace; then the LSMs have their say). */
	if (!has_ptrace) {
		err_hint(err,
			 "correlate runs as uid %u without CAP_SYS_PTRACE (CapEff in /proc/self/status), "
			 "which another user's process needs: add it (docker run --cap-add SYS_PTRACE; "
			 "securityContext.capabilities.add: [SYS_PTRACE]), or run correlate on the host",
			 (unsigned)geteuid());
		return;
	}
	if (in_user_namespace()) {
		err_hint(err,
			 "correlate runs in a user namespace (/proc/self/uid_map): its root and "
			 "CAP_SYS_PTRACE count only inside it, and pid %d is outside; run correlate in "
			 "the host's user namespace",
			 id ? (int)id->pid : 0);
		return;
	}
	char lsm[160];
	active_lsms(lsm, sizeof lsm);
	if (!strcmp(lsm, "?"))
		err_hint(err,
			 "correlate has CAP_SYS_PTRACE in the initial user namespace, so a security "
			 "module refused it; /sys/kernel/security is not mounted to say which "
			 "(mount -t securityfs none /sys/kernel/security), and its denials are in the "
			 "kernel log (dmesg)");
	else if (lsm[0])
		err_hint(err,
			 "correlate has CAP_SYS_PTRACE in the initial user namespace, so a security "
			 "module refused it: active here are %s; its denials are in the kernel log "
			 "(dmesg, journalctl -k) or the audit log",
			 lsm);
	else
		err_hint(err,
			 "correlate has CAP_SYS_PTRACE in the initial user namespace and no security "
			 "module that refuses reads is active: the process may be exiting; run again");
}

int read_path(const char *path, struct text *out)
{
	out->data = NULL;
	out->len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int e = read_all(fd, out);
	close(fd);
	return e;
}

/* One message for every /proc read that failed with errno e. */
static int proc_read_error(pid_t pid, const char *name, const struct proc_identity *id, int e,
			   struct err *err)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	if (e == ENOENT || e == ESRCH) {
		err_set(err, ERR_PROC, "cannot read %s: pid %d exited", path, (int)pid);
		return err_hint(err, "run again while the process is up");
	}
	if (e == EACCES || e == EPERM) {
		err_set(err, ERR_PROC, "cannot read %s: permission denied", path);
		acquire_note_owner(id, err);
		acquire_permission_hint(id, path, err);
		return err->code;
	}
	if (e == ENOMEM)
		return err_set(err, ERR_INTERNAL, "out of memory reading %s", path);
	return err_set(err, ERR_PROC, "cannot read %s: %s", path, strerror(e));
}

int acquire_proc_file(pid_t pid, const char *name, const struct proc_identity *id, struct text *out,
		      struct err *err)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	int e = read_path(path, out);
	return e ? proc_read_error(pid, name, id, e, err) : 0;
}

/* Reads fd to the end in chunks, handing each to fn.  Returns 0, fn's
 * nonzero result, or -errno for a read error. */
static int stream_fd(int fd, chunk_fn fn, void *ctx, struct err *err)
{
	static char buf[64 * 1024]; /* one reader at a time: the tool is single-threaded */
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		int rc = fn(ctx, buf, (size_t)r, err);
		if (rc)
			return rc;
	}
}

int acquire_proc_stream(pid_t pid, const char *name, const struct proc_identity *id, chunk_fn fn,
			void *ctx, struct err *err)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return proc_read_error(pid, name, id, errno, err);
	int rc = stream_fd(fd, fn, ctx, err);
	close(fd);
	return rc < 0 ? proc_read_error(pid, name, id, -rc, err) : rc;
}

int acquire_file_stream(const char *path, chunk_fn fn, void *ctx, struct err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, ERR_USAGE, "cannot read %s: %s", path, strerror(errno));
	int rc = stream_fd(fd, fn, ctx, err);
	close(fd);
	return rc < 0 ? err_set(err, ERR_USAGE, "cannot read %s: %s", path, strerror(-rc)) : rc;
}

opt_u64 acquire_cpu_ns(pid_t pid)
{
	char dir[64], path[128];
	snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
	DIR *d = opendir(dir);
	if (!d)
		return opt_none();
	uint64_t sum = 0;
	int any = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/schedstat", dir, e->d_name);
		struct text t = {0};
		if (read_path(path, &t) != 0)
			continue; /* a thread that just ended */
		unsigned long long ns;
		if (sscanf(t.data, "%llu", &ns) == 1) {
			sum += ns;
			any = 1;
		}
		text_free(&t);
	}
	closedir(d);
	return any ? opt_some(sum) : opt_none();
}

void acquire_sys_extra(struct sys_context *out)
{
	struct text t = {0};
	out->thp[0] = '\0';
	if (read_path("/sys/kernel/mm/transparent_hugepage/enabled", &t) == 0)
		parse_thp_mode(t.data, t.len, out->thp, sizeof out->thp);
	text_free(&t);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	out->ncpu = n > 0 ? (int)n : 0;
}
