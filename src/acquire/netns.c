/* The target's namespaces and the sockets listening in its network
 * namespace (include/correlate/netns.h; issue 11). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "correlate/acquire.h"
#include "correlate/netns.h"

#define TCP_LISTEN_STATE 10

static uint64_t ns_ino(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

void ns_net_name(uint64_t ino, char *out, size_t cap)
{
	if (ino)
		snprintf(out, cap, "net:[%llu]", (unsigned long long)ino);
	else
		snprintf(out, cap, "net:[unknown]");
}

int cap_effective(int cap)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

void ns_view_open(pid_t pid, struct ns_view *v)
{
	char p[64];
	memset(v, 0, sizeof *v);
	v->pid = pid;
	v->net_fd = -1;
	v->net_same = v->root_same = -1;
	snprintf(p, sizeof p, "/proc/%d/ns/net", (int)pid);
	v->net_ino = ns_ino(p);
	v->net_fd = open(p, O_RDONLY | O_CLOEXEC);
	if (v->net_fd < 0)
		snprintf(v->why, sizeof v->why, "%s: %s", p, strerror(errno));
	v->self_net_ino = ns_ino("/proc/self/ns/net");
	snprintf(p, sizeof p, "/proc/%d/ns/mnt", (int)pid);
	v->mnt_ino = ns_ino(p);
	v->self_mnt_ino = ns_ino("/proc/self/ns/mnt");
	if (v->net_ino && v->self_net_ino)
		v->net_same = v->net_ino == v->self_net_ino;
	struct stat a, b;
	snprintf(p, sizeof p, "/proc/%d/root", (int)pid);
	if (v->mnt_ino && v->self_mnt_ino && stat(p, &a) == 0 && stat("/", &b) == 0)
		v->root_same = v->mnt_ino == v->self_mnt_ino && a.st_dev == b.st_dev &&
			       a.st_ino == b.st_ino;
	v->can_enter = cap_effective(CAP_SYS_ADMIN) == 1;
}

void ns_view_close(struct ns_view *v)
{
	if (v && v->net_fd >= 0) {
		close(v->net_fd);
		v->net_fd = -1;
	}
}

void listen_set_free(struct listen_set *s)
{
	if (!s)
		return;
	free(s->tcp);
	free(s->ux);
	free(s->addrs);
	s->tcp = NULL;
	s->ux = NULL;
	s->addrs = NULL;
	s->n_tcp = s->n_unix = s->n_addrs = 0;
}

/* ---- sock_diag ------------------------------------------------------- */

int sockdiag_dump(int fd, int family, dgram_fn fn, void *ctx, struct diag_status *st)
{
	struct {
		struct nlmsghdr h;
		union {
			struct inet_diag_req_v2 inet;
			struct unix_diag_req ux;
		} r;
	} req;
	memset(&req, 0, sizeof req);
	memset(st, 0, sizeof *st);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = (unsigned)family;
	if (family == AF_UNIX) {
		req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.r.ux);
		req.r.ux.sdiag_family = AF_UNIX;
		req.r.ux.udiag_states = 1u << TCP_LISTEN_STATE;
		req.r.ux.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS;
	} else {
		req.h.nlmsg_len = NLMSG_LENGTH(sizeof req.r.inet);
		req.r.inet.sdiag_family = (unsigned char)family;
		req.r.inet.sdiag_protocol = IPPROTO_TCP;
		req.r.inet.idiag_states = 1u << TCP_LISTEN_STATE;
	}
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
		return errno;
	/* Dump datagrams are at most a page or two; 32 KiB holds any. */
	static unsigned char buf[32768] __attribute__((aligned(8)));
	while (!st->done) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int pr = poll(&pfd, 1, 1000);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return pr == 0 ? ETIMEDOUT : errno;
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EPROTO;
		int rc = fn(ctx, buf, (size_t)n, st);
		if (rc)
			return rc;
		if (st->malformed)
			return EPROTO;
	}
	return 0;
}

struct collect {
	struct listen_set *s;
	size_t cap_tcp, cap_unix;
	int oom;
};

#define LISTEN_MAX 65536

static int add_tcp(const struct listener *l, void *vc)
{
	struct collect *c = vc;
	struct listen_set *s = c->s;
	if (s->n_tcp == c->cap_tcp) {
		size_t nc = c->cap_tcp ? c->cap_tcp * 2 : 32;
		struct listener *t = nc <= LISTEN_MAX ? realloc(s->tcp, nc * sizeof *t) : NULL;
		if (!t) {
			c->oom = 1;
			return 1;
		}
		s->tcp = t;
		c->cap_tcp = nc;
	}
	s->tcp[s->n_tcp++] = *l;
	return 0;
}

static int add_unix(const struct unix_listener *u, void *vc)
{
	struct collect *c = vc;
	struct listen_set *s = c->s;
	if (s->n_unix == c->cap_unix) {
		size_t nc = c->cap_unix ? c->cap_unix * 2 : 16;
		struct unix_listener *t = nc <= LISTEN_MAX ? realloc(s->ux, nc * sizeof *t) : NULL;
		if (!t) {
			c->oom = 1;
			return 1;
		}
		s->ux = t;
		c->cap_unix = nc;
	}
	s->ux[s->n_unix++] = *u;
	return 0;
}

static int on_inet(void *ctx, const void *buf, size_t len, struct diag_status *st)
{
	return parse_inet_diag(buf, len, st, add_tcp, ctx);
}

static int on_unix(void *ctx, const void *buf, size_t len, struct diag_status *st)
{
	return parse_unix_diag(buf, len, st, add_unix, ctx);
}

static void to_mapped(const struct sockaddr *sa, unsigned char out[16])
{
	memset(out, 0, 16);
	if (sa->sa_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else {
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	}
}

static void read_addrs(struct listen_set *s)
{
	struct ifaddrs *ifs;
	if (getifaddrs(&ifs) != 0)
		return;
	size_t n = 0;
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next)
		n += i->ifa_addr &&
		     (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6);
	s->addrs = n ? calloc(n, sizeof *s->addrs) : NULL;
	for (struct ifaddrs *i = ifs; i && s->addrs; i = i->ifa_next)
		if (i->ifa_addr &&
		    (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6))
			to_mapped(i->ifa_addr, s->addrs[s->n_addrs++]);
	freeifaddrs(ifs);
}

/* The netlink socket and the addresses, made inside v's namespace: this
 * thread goes in with setns and comes back.  Returns the socket, or -1
 * with *why set; *lost set when this thread could not come back. */
static int socket_inside(const struct ns_view *v, struct listen_set *s, int what, char *why,
			 size_t cap, int *lost)
{
	int self = -1, fd = -1;
	*lost = 0;
	if (v->net_same != 1) {
		if (v->net_fd < 0) {
			snprintf(why, cap, "%s", v->why);
			return -1;
		}
		if (!v->can_enter) {
			snprintf(why, cap,
				 "entering its network namespace needs CAP_SYS_ADMIN, which "
				 "correlate does not have");
			return -1;
		}
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0) {
			snprintf(why, cap, "/proc/thread-self/ns/net: %s", strerror(errno));
			return -1;
		}
		if (setns(v->net_fd, CLONE_NEWNET) != 0) {
			snprintf(why, cap, "setns into its network namespace: %s", strerror(errno));
			close(self);
			return -1;
		}
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		snprintf(why, cap, "a NETLINK_SOCK_DIAG socket: %s", strerror(errno));
	if (what & LS_ADDRS)
		read_addrs(s);
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET) != 0)
			*lost = 1;
		close(self);
	}
	return fd;
}

/* /proc/PID/net/{tcp,tcp6,unix}: the process's namespace, whoever reads. */
static int from_proc(pid_t pid, int what, struct collect *c)
{
	static const char *const names[3] = {"tcp", "tcp6", "unix"};
	int read_any = 0;
	for (int i = 0; i < 3; i++) {
		if (!(what & (i < 2 ? LS_TCP : LS_UNIX)))
			continue;
		char path[64];
		struct text t = {0};
		snprintf(path, sizeof path, "/proc/%d/net/%s", (int)pid, names[i]);
		if (read_path(path, &t) != 0)
			continue;
		read_any = 1;
		if (i < 2)
			parse_net_tcp(t.data, t.len, i, add_tcp, c);
		else
			parse_net_unix_all(t.data, t.len, add_unix, c);
		text_free(&t);
	}
	return read_any;
}

int acquire_listeners(const struct ns_view *v, int what, struct listen_set *out,
		      struct err *err)
{
	memset(out, 0, sizeof *out);
	struct collect c = {out, 0, 0, 0};
	char why[160] = "";
	int lost = 0;
	int fd = socket_inside(v, out, what, why, sizeof why, &lost);
	if (lost) {
		if (fd >= 0)
			close(fd);
		listen_set_free(out);
		return err_set(err, ERR_INTERNAL,
			       "cannot return to correlate's own network namespace after reading "
			       "pid %d's",
			       (int)v->pid);
	}
	if (fd >= 0) {
		static const int fams[3] = {AF_INET, AF_INET6, AF_UNIX};
		int ok = 1;
		for (int i = 0; i < 3 && ok; i++) {
			if (!(what & (fams[i] == AF_UNIX ? LS_UNIX : LS_TCP)))
				continue;
			struct diag_status st;
			int e = sockdiag_dump(fd, fams[i], fams[i] == AF_UNIX ? on_unix : on_inet,
					      &c, &st);
			if (c.oom)
				e = ENOMEM;
			if (!e && st.nl_errno)
				e = st.nl_errno;
			if (e) {
				snprintf(why, sizeof why, "sock_diag for %s: %s",
					 fams[i] == AF_INET    ? "AF_INET"
					 : fams[i] == AF_INET6 ? "AF_INET6"
							       : "AF_UNIX",
					 strerror(e));
				ok = 0;
			}
		}
		close(fd);
		if (ok) {
			out->via_netlink = 1;
			snprintf(out->source, sizeof out->source, "sock_diag netlink");
			return 0;
		}
		/* Start over from /proc: nothing half-read is kept. */
		free(out->tcp);
		free(out->ux);
		out->tcp = NULL;
		out->ux = NULL;
		out->n_tcp = out->n_unix = 0;
		c.cap_tcp = c.cap_unix = 0;
		c.oom = 0;
	}
	snprintf(out->fallback, sizeof out->fallback, "%s", why);
	snprintf(out->source, sizeof out->source, "/proc/%d/net/tcp, tcp6, unix", (int)v->pid);
	if (!from_proc(v->pid, what, &c)) {
		listen_set_free(out);
		return err_set(err, ERR_PROC,
			       "cannot list the sockets of pid %d's network namespace: %s; and "
			       "/proc/%d/net is not readable",
			       (int)v->pid, why, (int)v->pid);
	}
	if (c.oom) {
		listen_set_free(out);
		return err_set(err, ERR_INTERNAL, "out of memory listing sockets");
	}
	return 0;
}

/* ---- the process's sockets -------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

long acquire_socket_inodes(pid_t pid, uint64_t **out)
{
	char dir[64], link[PATH_MAX], target[64];
	*out = NULL;
	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	size_t n = 0, cap = 0;
	uint64_t *set = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
		ssize_t r = readlink(link, target, sizeof target - 1);
		if (r <= 0)
			continue;
		target[r] = '\0';
		unsigned long long ino;
		if (sscanf(target, "socket:[%llu]", &ino) != 1)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			uint64_t *t = realloc(set, nc * sizeof *t);
			if (!t) {
				free(set);
				closedir(d);
				errno = ENOMEM;
				return -1;
			}
			set = t;
			cap = nc;
		}
		set[n++] = ino;
	}
	closedir(d);
	if (n)
		qsort(set, n, sizeof *set, cmp_u64);
	*out = set;
	return (long)n;
}

int inode_in(const uint64_t *set, long n, uint64_t inode)
{
	long lo = 0, hi = n - 1;
	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		if (set[mid] == inode)
			return 1;
		if (set[mid] < inode)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}
