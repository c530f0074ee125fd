/* The unprivileged fetch: a child that enters the target's network
 * namespace, drops every privilege, then fetches and parses; the parent
 * checks it, bounds it and takes back only what wire.h allows
 * (include/correlate/privsep.h; issue 11).
 *
 * The seccomp filter is written by hand (no libseccomp): a deny-list of
 * what a fetch never calls and an escape wants: ptrace and
 * process_vm_*; mount and its new API, pivot_root, chroot; setns,
 * unshare, and clone with any CLONE_NEW* flag or without CLONE_THREAD
 * (threads only: libcurl's resolver), clone3 (ENOSYS, so glibc falls back
 * to clone, whose flags the filter can see), fork, vfork, execve,
 * execveat; kexec, module loading, bpf, perf_event_open, userfaultfd,
 * keyctl and the key calls, io_uring, open_by_handle_at, swap, reboot,
 * clock setting, iopl/ioperm, and the x32 ABI and any other
 * architecture's calls.  Refused calls fail with EPERM; a call from
 * another architecture kills the process. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "correlate/escape.h"
#include "correlate/privsep.h"

#define CHAN_FD 3

/* ---- both sides ------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(int fd, uint32_t type, const void *payload, uint32_t len)
{
	struct wire_header h = {type, len};
	if (write_all(fd, &h, sizeof h) != 0)
		return -1;
	return len ? write_all(fd, payload, len) : 0;
}

int privsep_user(const char *name, struct fetch_job *job, struct err *err)
{
	const char *want = name ? name : "nobody";
	struct passwd *pw = getpwnam(want);
	if (!pw && name) {
		err_set(err, ERR_USAGE, "--user %s: no such user", name);
		return err_hint(err, "name a user from /etc/passwd to fetch as; the default is "
				     "nobody");
	}
	job->uid = pw ? pw->pw_uid : 65534;
	job->gid = pw ? pw->pw_gid : 65534;
	snprintf(job->user, sizeof job->user, "%s", pw ? pw->pw_name : "nobody");
	if (job->uid == 0 || job->gid == 0) {
		err_set(err, ERR_USAGE, "--user %s: the fetch must not run as root", want);
		return err_hint(err, "name an unprivileged user, or leave --user out (nobody)");
	}
	return 0;
}

/* ---- the child --------------------------------------------------------- */

static struct fetch_report child_rep; /* big: static, one per child */

/* Ends the child with an error of its own (setup failed). */
__attribute__((noreturn, format(printf, 2, 3))) static void child_fail(int code, const char *fmt,
								      ...)
{
	va_list ap;
	char m[300];
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	memset(&child_rep, 0, sizeof child_rep);
	child_rep.outcome = WO_ERROR;
	child_rep.target = -1;
	err_set(&child_rep.err, code, "%s", m);
	/* Dropping what root holds needs the capabilities to drop it: a
	 * systemd unit or a container that grants fewer gets told which. */
	if (strstr(m, "could not drop capability") || strstr(m, "could not drop its groups") ||
	    strstr(m, "could not change to"))
		err_hint(&child_rep.err, "the unprivileged fetch needs CAP_SETPCAP (to empty its "
					 "bounding set), CAP_SETGID and CAP_SETUID (to become the "
					 "--user): grant them (docs/deploy/README.md lists what "
					 "correlate needs)");
	static struct wire_final w;
	wire_final_encode(&child_rep, &w);
	send_frame(CHAN_FD, WF_FINAL, &w, sizeof w);
	_exit(0);
}

#ifdef __x86_64__
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#endif

#define NS_FLAGS                                                                      \
	(CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC |   \
	 CLONE_NEWUTS | CLONE_NEWCGROUP)

/* Installs the filter.  1 when on, 0 when this architecture has none here,
 * -1 on failure (errno). */
static int install_seccomp(void)
{
#ifndef AUDIT_ARCH_NATIVE
	return 0;
#else
	static const int denied[] = {
		__NR_ptrace, __NR_process_vm_readv, __NR_process_vm_writev, __NR_mount,
		__NR_umount2, __NR_pivot_root, __NR_chroot, __NR_setns, __NR_unshare,
		__NR_execve, __NR_execveat, __NR_kexec_load, __NR_init_module,
		__NR_finit_module, __NR_delete_module, __NR_bpf, __NR_perf_event_open,
		__NR_userfaultfd, __NR_keyctl, __NR_add_key, __NR_request_key,
		__NR_open_by_handle_at, __NR_name_to_handle_at, __NR_swapon, __NR_swapoff,
		__NR_reboot, __NR_acct, __NR_settimeofday, __NR_clock_settime,
		__NR_clock_adjtime, __NR_adjtimex, __NR_quotactl, __NR_fanotify_init,
		__NR_kcmp, __NR_syslog, __NR_personality, __NR_vhangup,
#ifdef __NR_kexec_file_load
		__NR_kexec_file_load,
#endif
#ifdef __NR_io_uring_setup
		__NR_io_uring_setup, __NR_io_uring_enter, __NR_io_uring_register,
#endif
#ifdef __NR_open_tree
		__NR_open_tree, __NR_move_mount, __NR_fsopen, __NR_fsconfig, __NR_fsmount,
		__NR_fspick,
#endif
#ifdef __NR_mount_setattr
		__NR_mount_setattr,
#endif
#ifdef __NR_pidfd_getfd
		__NR_pidfd_getfd,
#endif
#ifdef __NR_fork
		__NR_fork, __NR_vfork,
#endif
#ifdef __NR_iopl
		__NR_iopl, __NR_ioperm, __NR_modify_ldt, __NR_uselib, __NR_lookup_dcookie,
#endif
	};
	enum { N = sizeof denied / sizeof denied[0] };
	struct sock_filter f[8 + 2 * N + 12];
	size_t k = 0;
	const uint32_t deny = SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 calls share the architecture, with this bit set in the number. */
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny);
#endif
	for (size_t i = 0; i < N; i++) {
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (uint32_t)denied[i], 0, 1);
		f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny);
	}
#ifdef __NR_clone3
	/* Its flags are in memory, out of the filter's sight: glibc falls
	 * back to clone on ENOSYS. */
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
#endif
	/* clone: threads only, into no new namespace.  Last: it loads args[0].
	 *   JEQ clone ? next : +4 (allow) | LD args[0] | JSET NS ? +1 (deny)
	 *   | JSET THREAD ? +1 (allow) : deny | RET deny | RET allow */
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, args[0]));
#else
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, args[0]) + 4);
#endif
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NS_FLAGS, 1, 0);
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {(unsigned short)k, f};
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
		return errno == EINVAL ? 0 : -1; /* EINVAL: a kernel without filters */
	return 1;
#endif
}

static int last_cap(void)
{
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	char b[16] = "";
	if (fd >= 0) {
		ssize_t n = read(fd, b, sizeof b - 1);
		close(fd);
		if (n > 0)
			return atoi(b);
	}
	return 63;
}

/* Everything a root process holds, dropped for good.  Exits through
 * child_fail on any step that does not take. */
static void drop_privileges(const struct fetch_job *job)
{
	if (job->drop) {
		int last = last_cap();
		for (int c = 0; c <= last; c++)
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL)
				child_fail(ERR_ENDPOINT,
					   "the fetch could not drop capability %d from its bounding "
					   "set: %s",
					   c, strerror(errno));
		if (setgroups(0, NULL) != 0)
			child_fail(ERR_ENDPOINT, "the fetch could not drop its groups: %s",
				   strerror(errno));
		if (setresgid(job->gid, job->gid, job->gid) != 0)
			child_fail(ERR_ENDPOINT, "the fetch could not change to gid %u: %s",
				   (unsigned)job->gid, strerror(errno));
		if (setresuid(job->uid, job->uid, job->uid) != 0)
			child_fail(ERR_ENDPOINT, "the fetch could not change to uid %u (%s): %s",
				   (unsigned)job->uid, job->user, strerror(errno));
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	if (syscall(SYS_capset, &h, d) != 0)
		child_fail(ERR_ENDPOINT, "the fetch could not drop its capabilities: %s",
			   strerror(errno));
	if (job->drop) {
		uid_t r, e, s;
		if (getresuid(&r, &e, &s) != 0 || r != job->uid || e != job->uid || s != job->uid ||
		    setuid(0) == 0)
			child_fail(ERR_ENDPOINT, "the fetch is still able to become root");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		child_fail(ERR_ENDPOINT, "the fetch could not set no_new_privs: %s",
			   strerror(errno));
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	struct rlimit core = {0, 0};
	setrlimit(RLIMIT_CORE, &core);
}

/* Puts the channel on CHAN_FD, /dev/null on 0-2, and closes everything
 * else (but *netfd, moved to CHAN_FD + 1). */
static void arrange_fds(int chan, int *netfd)
{
	int c = fcntl(chan, F_DUPFD_CLOEXEC, 10);
	int n = *netfd >= 0 ? fcntl(*netfd, F_DUPFD_CLOEXEC, 10) : -1;
	if (c < 0 || (*netfd >= 0 && n < 0))
		_exit(120);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	if (dup2(c, CHAN_FD) < 0)
		_exit(120);
	*netfd = n >= 0 ? dup2(n, CHAN_FD + 1) : -1;
	syscall(SYS_close_range, *netfd >= 0 ? CHAN_FD + 2 : CHAN_FD + 1, ~0u, 0);
}

static int send_locked(uint32_t type, const void *payload, uint32_t len);

/* The body, back to the parent as it arrives (--save). */
static int tee_to_parent(void *ctx, const char *buf, size_t len, struct err *err)
{
	(void)ctx;
	if (!buf)
		return send_locked(WF_BODY_RESET, NULL, 0) ? -1 : 0;
	while (len) {
		size_t n = len < WIRE_BODY_MAX ? len : WIRE_BODY_MAX;
		if (send_locked(WF_BODY, buf, (uint32_t)n) != 0)
			return err_set(err, ERR_ENDPOINT, "the parent stopped taking the body");
		buf += n;
		len -= n;
	}
	return 0;
}

/* ---- unix sockets by path: the parent connects, the child relays ----
 *
 * A service's socket file is usually not writable by nobody, so the parent
 * connects (as correlate, through /proc/PID/root) and hands the socket over
 * (SCM_RIGHTS), only to a target it chose itself.  libcurl cannot be given
 * a connected socket here: Debian 12's 7.88 calls connect() on it even when
 * told it is connected (curl/curl#10626, fixed in 8.0).  So libcurl
 * connects to a private abstract socket of the child's own, and a thread of
 * the child relays between that connection and the parent's.  Only this
 * process may use the relay (SO_PEERCRED), and the bytes never leave the
 * child. */

static pthread_mutex_t chan_lock = PTHREAD_MUTEX_INITIALIZER;

/* Frames from either thread go out whole. */
static int send_locked(uint32_t type, const void *payload, uint32_t len)
{
	pthread_mutex_lock(&chan_lock);
	int rc = send_frame(CHAN_FD, type, payload, len);
	pthread_mutex_unlock(&chan_lock);
	return rc;
}

/* A connection to unix target t, made by the parent: the socket, or
 * -errno. */
static int broker_connect(uint32_t t)
{
	if (send_locked(WF_CONNECT, &t, sizeof t) != 0)
		return -EPIPE;
	struct pollfd p = {CHAN_FD, POLLIN, 0};
	if (poll(&p, 1, 5000) != 1)
		return -ETIMEDOUT;
	uint32_t status = EPROTO;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&status, sizeof status};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			   .msg_controllen = sizeof cbuf};
	ssize_t n = recvmsg(CHAN_FD, &m, MSG_CMSG_CLOEXEC);
	if (n != sizeof status)
		return -EPROTO;
	if (status != 0)
		return -(int)(status < 4096 ? status : EPROTO);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

static struct {
	int lfd;	      /* the relay's abstract listener; -1 before it starts */
	char name[64];	      /* its name, without the leading NUL */
	uint32_t target;      /* the unix target this attempt's connections go to */
	int pending;	      /* the parent's connection for the next one, or -1 */
} relay = {-1, "", 0, -1};

/* Carries bytes both ways until libcurl closes its side. */
static void pump(int curl_side, int up)
{
	static char buf[2][16384];
	int up_open = 1;
	for (;;) {
		struct pollfd p[2] = {{curl_side, POLLIN, 0}, {up, up_open ? POLLIN : 0, 0}};
		if (poll(p, 2, 60000) <= 0)
			return;
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			int from = i ? up : curl_side, to = i ? curl_side : up;
			ssize_t n = read(from, buf[i], sizeof buf[i]);
			if (n <= 0) {
				if (!i)
					return; /* libcurl is done with it */
				up_open = 0;
				shutdown(curl_side, SHUT_WR);
				continue;
			}
			if (write_all(to, buf[i], (size_t)n) != 0)
				return;
		}
	}
}

static void *relay_main(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept4(relay.lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		struct ucred cr;
		socklen_t l = sizeof cr;
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &l) != 0 || cr.pid != getpid()) {
			close(c); /* not ours: the name is in a namespace others share */
			continue;
		}
		int up = relay.pending;
		relay.pending = -1;
		if (up < 0)
			up = broker_connect(relay.target);
		if (up >= 0) {
			pump(c, up);
			close(up);
		}
		close(c);
	}
}

static int relay_start(void)
{
	if (relay.lfd >= 0)
		return 0;
	unsigned char r[8];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return -1;
	snprintf(relay.name, sizeof relay.name, "correlate-fetch-%d-%02x%02x%02x%02x%02x%02x%02x%02x",
		 (int)getpid(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(relay.name);
	memcpy(sa.sun_path + 1, relay.name, n);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) != 0 ||
	    listen(fd, 4) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	relay.lfd = fd;
	pthread_t th;
	if (pthread_create(&th, NULL, relay_main, NULL) != 0) {
		close(fd);
		relay.lfd = -1;
		return -1;
	}
	pthread_detach(th);
	return 0;
}

/* fetch_opts for target t: a unix socket's name; for one by path, the
 * relay, with the parent's connection for it made now, so that a socket
 * nothing listens on is "cannot connect" here, not an empty answer.
 * Returns 0, or an errno with the attempt not to be made. */
static int through(const struct fetch_job *job, int t, struct fetch_opts *o)
{
	*o = job->opts;
	if (t < 0)
		return 0;
	const struct fetch_target *x = &job->targets[t];
	if (!x->is_unix)
		return 0;
	o->unix_socket = x->name;
	o->unix_abstract = x->abstract;
	if (x->abstract)
		return 0;
	if (relay_start() != 0)
		return errno ? errno : EPROTO;
	if (relay.pending >= 0)
		close(relay.pending);
	relay.target = (uint32_t)t;
	relay.pending = broker_connect((uint32_t)t);
	if (relay.pending < 0)
		return -relay.pending;
	o->unix_socket = relay.name;
	o->unix_abstract = 1;
	return 0;
}

/* The error for an attempt through() refused. */
static int not_connected(const struct fetch_job *job, int t, int e, struct err *err)
{
	char shown[ESC_MAX(sizeof job->targets[t].shown)];
	esc_str(shown, sizeof shown, job->targets[t].shown, ESC_SAFE);
	err_set(err, ERR_ENDPOINT, "%s: cannot connect (%s)", shown, strerror(e));
	return err_hint(err, "is the service listening on that socket?");
}

/* What an attempt's error says after "URL: ". */
static const char *why_not(const struct err *e)
{
	const char *p = strstr(e->msg, ": ");
	return p ? p + 2 : e->msg;
}

static void discover(const struct fetch_job *job, struct fetch_report *rep)
{
	body_tee_fn tee = job->send_body ? tee_to_parent : NULL;
	long deadline = now_ms() + job->budget_ms;
	int dead[64] = {0};
	size_t tried_len = 0;
	rep->outcome = WO_NONE;
	rep->target = -1;
	for (size_t p = 0; p < job->n_paths; p++) {
		for (size_t t = 0; t < job->n_targets && t < 64; t++) {
			if (dead[t])
				continue;
			long left = deadline - now_ms();
			if (left < 50 || rep->n_attempts == WIRE_ATTEMPTS)
				goto out;
			struct fetch_opts o;
			int ce = through(job, (int)t, &o);
			if (o.timeout_ms > left)
				o.timeout_ms = left;
			char url[1024];
			snprintf(url, sizeof url, "%s%s", job->targets[t].base, job->paths[p]);
			struct err e = {0};
			struct fetch_result res;
			struct go_snapshot go;
			memset(&go, 0, sizeof go);
			memset(&res, 0, sizeof res);
			int rc;
			if (ce) {
				rc = not_connected(job, (int)t, ce, &e);
				res.fail = FF_CONNECT;
			} else {
				rc = acquire_endpoint(url, &o, &go, &res, tee, NULL, &e);
			}
			struct wire_attempt *a = &rep->attempts[rep->n_attempts++];
			char shown[1024];
			url_redact(url, shown, sizeof shown);
			snprintf(a->url, sizeof a->url, "%s", shown);
			a->target = (int32_t)t;
			a->fail = rc ? (uint32_t)res.fail : FF_NONE;
			if (!rc) {
				snprintf(a->outcome, sizeof a->outcome, "MemStats (%s)",
					 body_format_name(go.format));
				rep->outcome = WO_FOUND;
				rep->go = go;
				rep->res = res;
				rep->target = (int)t;
				goto out;
			}
			snprintf(a->outcome, sizeof a->outcome, "%s", why_not(&e));
			esc_trim_cut(a->outcome);
			int n = snprintf(rep->res.tried + tried_len,
					 tried_len < sizeof rep->res.tried
					     ? sizeof rep->res.tried - tried_len
					     : 0,
					 "%s%s (%s)", tried_len ? ", " : "", shown, a->outcome);
			tried_len += n > 0 ? (size_t)n : 0;
			if (tried_len >= sizeof rep->res.tried)
				tried_len = sizeof rep->res.tried - 1;
			/* Nothing HTTP there: its other paths would fare no better. */
			if (res.fail == FF_CONNECT || res.fail == FF_TIMEOUT || res.fail == FF_OTHER)
				dead[t] = 1;
			rep->res.fail = res.fail;
		}
	}
out:
	esc_trim_cut(rep->res.tried);
	if (rep->outcome == WO_FOUND) {
		/* tried: the attempts before the answer */
		size_t n = 0;
		rep->res.tried[0] = '\0';
		for (size_t i = 0; i + 1 < rep->n_attempts; i++) {
			int w = snprintf(rep->res.tried + n, n < sizeof rep->res.tried
								 ? sizeof rep->res.tried - n
								 : 0,
					 "%s%s (%s)", n ? ", " : "", rep->attempts[i].url,
					 rep->attempts[i].outcome);
			n += w > 0 ? (size_t)w : 0;
			if (n >= sizeof rep->res.tried)
				n = sizeof rep->res.tried - 1;
		}
		esc_trim_cut(rep->res.tried);
	}
}

__attribute__((noreturn)) static void child_main(const struct fetch_job *job, int chan,
						  int netfd, pid_t parent)
{
	signal(SIGPIPE, SIG_IGN);
	arrange_fds(chan, &netfd);
	if (netfd >= 0) {
		if (setns(netfd, CLONE_NEWNET) != 0)
			child_fail(ERR_ENDPOINT,
				   "the fetch could not enter the process's network namespace: %s",
				   strerror(errno));
		close(netfd);
	}
	drop_privileges(job);
	int sc = install_seccomp();
	if (sc < 0)
		child_fail(ERR_ENDPOINT, "the fetch could not install its seccomp filter: %s",
			   strerror(errno));
	/* After the credentials changed (which clears it): die with correlate. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(121);
	uint32_t on = (uint32_t)sc;
	char go;
	if (send_frame(CHAN_FD, WF_READY, &on, sizeof on) != 0 || read(CHAN_FD, &go, 1) != 1 ||
	    go != 'G')
		_exit(122);

	struct fetch_report *rep = &child_rep;
	memset(rep, 0, sizeof *rep);
	rep->target = -1;
	if (job->url) {
		struct fetch_opts o;
		int ce = through(job, job->url_target, &o);
		int rc = ce ? not_connected(job, job->url_target, ce, &rep->err)
			    : acquire_endpoint(job->url, &o, &rep->go, &rep->res,
					       job->send_body ? tee_to_parent : NULL, NULL,
					       &rep->err);
		if (ce)
			rep->res.fail = FF_CONNECT;
		rep->outcome = rc ? WO_ERROR : WO_FOUND;
		if (rc && rep->err.code != ERR_USAGE && rep->err.code != ERR_INTERNAL)
			rep->err.code = ERR_ENDPOINT;
		if (rc)
			memset(&rep->go, 0, sizeof rep->go);
		else
			rep->target = job->url_target;
	} else {
		discover(job, rep);
	}
	static struct wire_final w;
	wire_final_encode(rep, &w);
	send_locked(WF_FINAL, &w, sizeof w);
	_exit(0);
}

/* ---- the parent -------------------------------------------------------- */

/* Reads /proc/CHILD/status and checks the child is what it was made to be.
 * Fills info->fetched_as; 0, or -1 with why. */
static int verify_child(const struct fetch_job *job, pid_t pid, int seccomp,
			struct fetch_child_info *info, char *why, size_t cap)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	struct text t = {0};
	if (read_path(path, &t) != 0) {
		snprintf(why, cap, "%s cannot be read", path);
		return -1;
	}
	unsigned long uid[4] = {0}, gid[4] = {0};
	unsigned long long eff = 1, prm = 1, bnd = 1, amb = 1;
	int nnp = -1, sc = -1;
	for (char *l = t.data; l && *l;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		sscanf(l, "Uid: %lu %lu %lu %lu", &uid[0], &uid[1], &uid[2], &uid[3]);
		sscanf(l, "Gid: %lu %lu %lu %lu", &gid[0], &gid[1], &gid[2], &gid[3]);
		sscanf(l, "CapEff: %llx", &eff);
		sscanf(l, "CapPrm: %llx", &prm);
		sscanf(l, "CapBnd: %llx", &bnd);
		sscanf(l, "CapAmb: %llx", &amb);
		sscanf(l, "NoNewPrivs: %d", &nnp);
		sscanf(l, "Seccomp: %d", &sc);
		l = nl ? nl + 1 : NULL;
	}
	text_free(&t);
	unsigned long want = job->drop ? (unsigned long)job->uid : (unsigned long)geteuid();
	int ok = eff == 0 && prm == 0 && amb == 0 && nnp == 1 && (!job->drop || bnd == 0);
	for (int i = 0; i < 4; i++)
		ok = ok && uid[i] == want && uid[i] != 0 &&
		     (!job->drop || gid[i] == (unsigned long)job->gid);
	if (seccomp && sc != 2)
		ok = 0;
	if (!ok) {
		snprintf(why, cap,
			 "the fetch process is not unprivileged: Uid %lu, CapEff %016llx, CapBnd "
			 "%016llx, NoNewPrivs %d, Seccomp %d",
			 uid[1], eff, bnd, nnp, sc);
		return -1;
	}
	snprintf(info->fetched_as, sizeof info->fetched_as,
		 "pid %d, uid %lu (%s), no capabilities, no_new_privs%s", (int)pid, uid[1],
		 job->drop ? job->user : "correlate's own user",
		 sc == 2 ? ", seccomp filter" : ", no seccomp filter (not available)");
	return 0;
}

/* Connects to a unix target by path for the child (as correlate, which
 * may open /proc/PID/root/...), and hands the socket over. */
static void broker_answer(int chan, const struct fetch_target *t)
{
	uint32_t status = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int pathfd = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (fd < 0) {
		status = (uint32_t)errno;
	} else if (strlen(t->connect_path) < sizeof sa.sun_path) {
		memcpy(sa.sun_path, t->connect_path, strlen(t->connect_path) + 1);
	} else if ((pathfd = open(t->connect_path, O_PATH | O_CLOEXEC)) >= 0) {
		/* Too long for sun_path: connect through the descriptor's link. */
		snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d", pathfd);
	} else {
		status = (uint32_t)errno;
	}
	if (!status && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		status = (uint32_t)errno;
	if (pathfd >= 0)
		close(pathfd);
	char cbuf[CMSG_SPACE(sizeof(int))];
	memset(cbuf, 0, sizeof cbuf);
	struct iovec iov = {&status, sizeof status};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (!status) {
		m.msg_control = cbuf;
		m.msg_controllen = sizeof cbuf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	sendmsg(chan, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (fd >= 0)
		close(fd);
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGKILL:
		return "SIGKILL";
	case SIGSEGV:
		return "SIGSEGV";
	case SIGSYS:
		return "SIGSYS: a system call its seccomp filter forbids";
	case SIGABRT:
		return "SIGABRT";
	case SIGBUS:
		return "SIGBUS";
	default:
		return strsignal(sig);
	}
}

/* Waits for a child that was killed. */
static int reap(pid_t pid)
{
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* A child killed after it answered, reaped when correlate exits. */
static pid_t leftover;

void fetch_reap_leftover(void)
{
	if (leftover > 0)
		waitpid(leftover, NULL, 0);
	leftover = 0;
}

static void reap_later(pid_t pid)
{
	static int registered;
	fetch_reap_leftover(); /* a second fetch: the first child is long gone */
	leftover = pid;
	if (!registered)
		registered = atexit(fetch_reap_leftover) == 0;
}

struct inbox {
	unsigned char buf[sizeof(struct wire_header) + sizeof(struct wire_final) + WIRE_BODY_MAX];
	size_t len;
};

static struct inbox inbox; /* one fetch at a time */

int fetch_spawn(const struct fetch_job *job, struct fetch_child *fc, struct err *err)
{
	int sv[2];
	memset(fc, 0, sizeof *fc);
	fc->chan = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return err_set(err, ERR_INTERNAL, "cannot make a socket pair: %s", strerror(errno));
	pid_t parent = getpid();
	cpu_set_t all, others;
	int here = sched_getcpu(), spread = 0;
	if (here >= 0 && sched_getaffinity(0, sizeof all, &all) == 0 && CPU_ISSET(here, &all) &&
	    CPU_COUNT(&all) > 1) {
		others = all;
		CPU_CLR(here, &others);
		spread = 1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return err_set(err, ERR_INTERNAL, "cannot start the fetch process: %s", strerror(e));
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(job, sv[1], job->netns_fd, parent);
	}
	close(sv[1]);
	/* A new process starts on its parent's CPU and waits there while the
	 * parent goes on reading /proc: it is sent to the other CPUs (for its
	 * short life), so that its setup runs beside the parent's work, not
	 * after it. */
	if (spread)
		sched_setaffinity(pid, sizeof others, &others);
	fc->pid = pid;
	fc->chan = sv[0];
	return 0;
}

void fetch_abandon(struct fetch_child *fc)
{
	if (!fc || fc->pid <= 0)
		return;
	close(fc->chan); /* it sees the end, and was never told to start */
	kill(fc->pid, SIGKILL);
	reap(fc->pid);
	fc->pid = 0;
	fc->chan = -1;
}

int fetch_unprivileged(const struct fetch_job *job, struct fetch_report *rep,
		       struct fetch_child_info *info, body_tee_fn tee, void *tee_ctx,
		       struct err *err)
{
	struct fetch_child fc;
	int rc = fetch_spawn(job, &fc, err);
	return rc ? rc : fetch_collect(&fc, job, rep, info, tee, tee_ctx, err);
}

int fetch_collect(struct fetch_child *fc, const struct fetch_job *job, struct fetch_report *rep,
		  struct fetch_child_info *info, body_tee_fn tee, void *tee_ctx, struct err *err)
{
	memset(rep, 0, sizeof *rep);
	memset(info, 0, sizeof *info);
	long limit_ms = job->url ? job->opts.timeout_ms * 3 : job->budget_ms;
	limit_ms += 1000;
	pid_t pid = fc->pid;
	int chan = fc->chan;
	fc->pid = 0; /* from here on, this function ends it */
	fc->chan = -1;
	info->pid = pid;
	long deadline = now_ms() + limit_ms;
	inbox.len = 0;
	int ready = 0, done = 0, connects = 0, rc = 0;
	uint64_t body = 0;
	char why[300] = "";
	while (!done) {
		long left = deadline - now_ms();
		if (left <= 0) {
			snprintf(why, sizeof why, "did not finish within %.1f s: killed",
				 (double)limit_ms / 1000);
			break;
		}
		struct pollfd p = {chan, POLLIN, 0};
		int pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue; /* the deadline check says it */
		ssize_t n = recv(chan, inbox.buf + inbox.len, sizeof inbox.buf - inbox.len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, sizeof why, "ended without an answer");
			break;
		}
		inbox.len += (size_t)n;
		/* Every whole frame in the buffer. */
		while (!done && !why[0] && inbox.len >= sizeof(struct wire_header)) {
			struct wire_header h;
			memcpy(&h, inbox.buf, sizeof h);
			size_t max = h.type == WF_BODY	    ? WIRE_BODY_MAX
				     : h.type == WF_FINAL   ? sizeof(struct wire_final)
				     : h.type == WF_READY   ? 4
				     : h.type == WF_CONNECT ? 4
							    : 0;
			int known = h.type >= WF_READY && h.type <= WF_FINAL;
			if (!known || h.len > max || (h.type != WF_BODY && h.len != max) ||
			    (h.type == WF_BODY && h.len == 0)) {
				snprintf(why, sizeof why, "sent a frame the protocol does not have "
							  "(type %u, %u bytes)",
					 h.type, h.len);
				break;
			}
			if (inbox.len < sizeof h + h.len)
				break; /* the rest is still coming */
			const unsigned char *pl = inbox.buf + sizeof h;
			if (h.type == WF_READY) {
				uint32_t sc;
				memcpy(&sc, pl, 4);
				if (ready || sc > 1 ||
				    verify_child(job, pid, (int)sc, info, why, sizeof why) != 0) {
					if (!why[0])
						snprintf(why, sizeof why, "said it was ready twice");
					break;
				}
				info->seccomp = (int)sc;
				ready = 1;
				if (write_all(chan, "G", 1) != 0) {
					snprintf(why, sizeof why, "could not be told to start");
					break;
				}
			} else if (!ready && h.type != WF_FINAL) {
				snprintf(why, sizeof why, "sent data before dropping its privileges");
				break;
			} else if (h.type == WF_BODY_RESET) {
				body = 0;
				if (tee && tee(tee_ctx, NULL, 0, NULL) != 0) {
					snprintf(why, sizeof why, "body could not be saved");
					break;
				}
			} else if (h.type == WF_BODY) {
				body += h.len;
				if (job->opts.max_body && body > job->opts.max_body) {
					snprintf(why, sizeof why, "sent more body than --max-body");
					break;
				}
				if (!job->send_body || !tee) {
					snprintf(why, sizeof why, "sent a body no one asked for");
					break;
				}
				struct err e = {0};
				if (tee(tee_ctx, (const char *)pl, h.len, &e) != 0) {
					*err = e;
					rc = e.code ? e.code : ERR_USAGE;
					done = 1;
					break;
				}
			} else if (h.type == WF_CONNECT) {
				uint32_t t;
				memcpy(&t, pl, 4);
				if (t >= job->n_targets || !job->targets[t].is_unix ||
				    job->targets[t].abstract || ++connects > 64) {
					snprintf(why, sizeof why, "asked to connect where it may not");
					break;
				}
				broker_answer(chan, &job->targets[t]);
			} else if (h.type == WF_FINAL) {
				struct err de = {0};
				if (wire_final_decode(pl, h.len, job->n_targets, job->opts.max_body,
						      rep, &de) != 0) {
					snprintf(why, sizeof why, "sent a result that does not hold: %s",
						 de.msg);
					break;
				}
				if (!ready && rep->outcome != WO_ERROR) {
					snprintf(why, sizeof why, "answered before dropping its "
								  "privileges");
					break;
				}
				if (!ready) {
					/* Its own setup failed: that is the error. */
					*err = rep->err;
					rc = err->code ? err->code : ERR_ENDPOINT;
				}
				done = 1;
			}
			size_t used = sizeof h + h.len;
			memmove(inbox.buf, inbox.buf + used, inbox.len - used);
			inbox.len -= used;
		}
		if (why[0])
			break;
	}
	close(chan);
	if (done) {
		/* It has answered and has nothing left to do: it is killed rather
		 * than waited for (its exit unmaps a whole libcurl process, a
		 * quarter of a millisecond), and reaped at correlate's exit. */
		kill(pid, SIGKILL);
		if (waitpid(pid, NULL, WNOHANG) != pid)
			reap_later(pid);
		return rc;
	}
	kill(pid, SIGKILL);
	int status = reap(pid);
	char how[120] = "";
	if (WIFSIGNALED(status) && !strstr(why, "killed"))
		snprintf(how, sizeof how, " (killed by %s)", signame(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) && !strstr(why, "killed"))
		snprintf(how, sizeof how, " (exit status %d)", WEXITSTATUS(status));
	char ewhy[ESC_MAX(sizeof why)];
	esc_str(ewhy, sizeof ewhy, why, ESC_SAFE);
	err_set(err, ERR_ENDPOINT, "the unprivileged fetch process (pid %d, %s) %s%s", (int)pid,
		ready ? info->fetched_as : "still starting", ewhy, how);
	return err_hint(err, strstr(why, "not unprivileged") || !ready
				 ? "correlate will not read an endpoint as a privileged process: run it "
				   "as root with CAP_SETUID, CAP_SETGID and CAP_SETPCAP, or as an "
				   "unprivileged user"
				 : "the endpoint's answer made the fetch fail: look at what it serves "
				   "(curl -sS URL | head), and report this with the command line");
}
