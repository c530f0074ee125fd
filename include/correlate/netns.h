/* The target's namespaces (issue 11): where its endpoint really listens.
 *
 * A pod's 127.0.0.1:6060 is in the pod's network namespace
 * (/proc/PID/ns/net), not the node's, and its unix socket paths are in its
 * mount namespace (/proc/PID/root/...).  This is the acquire side of that:
 * which namespaces the process is in against correlate's own, whether
 * correlate may enter them (CAP_SYS_ADMIN), and the sockets listening in
 * the process's network namespace, asked with sock_diag netlink from a
 * socket made inside it (falling back to /proc/PID/net/tcp, tcp6 and unix,
 * which show the process's namespace too). */
#ifndef CORRELATE_NETNS_H
#define CORRELATE_NETNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "correlate/err.h"
#include "correlate/net.h"

/* The process's namespaces against correlate's.  Open with ns_view_open,
 * close with ns_view_close (closing a zeroed or closed view is a no-op). */
struct ns_view {
	pid_t pid;
	int net_fd;		/* /proc/PID/ns/net, open; -1 when it could not be opened */
	uint64_t net_ino;	/* its inode: "net:[N]" as ls -l /proc/PID/ns shows; 0 unknown */
	uint64_t self_net_ino;	/* correlate's */
	uint64_t mnt_ino;	/* /proc/PID/ns/mnt */
	uint64_t self_mnt_ino;
	int net_same;		/* 1 same network namespace, 0 not, -1 unknown */
	int root_same;		/* 1: /proc/PID/root is correlate's / (same mount namespace and
				 * root): a path means the same file to both; 0 not; -1 unknown */
	int can_enter;		/* CAP_SYS_ADMIN in the effective set: setns is allowed */
	char why[160];		/* when net_fd is -1: why */
};

/* Reads the namespaces of pid (stat of /proc/PID/ns/{net,mnt} and
 * /proc/self/ns/...) and opens its network namespace.  Never fails: what
 * cannot be read stays unknown with why set. */
void ns_view_open(pid_t pid, struct ns_view *v);
void ns_view_close(struct ns_view *v);

/* "net:[4026532290]", for reports. */
void ns_net_name(uint64_t ino, char *out, size_t cap);

/* 1 when the capability (linux/capability.h number) is in correlate's
 * effective set, 0 when not, -1 when capget fails. */
int cap_effective(int cap);

/* The listening sockets of one network namespace. */
struct listen_set {
	struct listener *tcp; /* owned; n_tcp of them */
	size_t n_tcp;
	struct unix_listener *ux; /* owned; n_unix of them */
	size_t n_unix;
	int via_netlink;    /* 1: sock_diag; 0: /proc/PID/net/{tcp,tcp6,unix} */
	char source[96];    /* "sock_diag netlink" or "/proc/PID/net/tcp, tcp6, unix" */
	char fallback[160]; /* why not netlink, when it was not */
	/* The namespace's own addresses (getifaddrs inside it), IPv6 or
	 * IPv4-mapped, to tell whether a URL's host is one of its. */
	unsigned char (*addrs)[16];
	size_t n_addrs;
};
void listen_set_free(struct listen_set *s); /* NULL or zeroed: no-op */

/* What acquire_listeners is asked for. */
enum { LS_TCP = 1, LS_UNIX = 2, LS_ADDRS = 4 };

/* Fills *out with the listeners of v's process's network namespace (what:
 * LS_TCP, LS_UNIX or both): a NETLINK_SOCK_DIAG socket (and with LS_ADDRS,
 * getifaddrs: out->addrs) made inside it (this thread
 * enters it with setns and comes back; when it is correlate's own
 * namespace, no setns), then inet_diag for AF_INET and AF_INET6 filtered to
 * LISTEN and unix_diag for listening unix sockets.  When netlink is refused
 * (no CAP_SYS_ADMIN to enter, a seccomp policy, a kernel without the diag
 * modules), /proc/PID/net/tcp, tcp6 and unix instead.  ERR_INTERNAL when
 * this thread could not come back to its own namespace; ERR_PROC when
 * nothing at all could be read. */
int acquire_listeners(const struct ns_view *v, int what, struct listen_set *out,
		      struct err *err);

/* One datagram of a dump, as received. */
typedef int (*dgram_fn)(void *ctx, const void *buf, size_t len, struct diag_status *st);

/* Sends a sock_diag dump request for family (AF_INET, AF_INET6: TCP in
 * LISTEN; AF_UNIX: listening sockets with UDIAG_SHOW_NAME | UDIAG_SHOW_VFS)
 * on fd, a NETLINK_SOCK_DIAG socket, and hands each datagram of the answer
 * to fn until NLMSG_DONE or an NLMSG_ERROR (st->nl_errno).  Waits at most a
 * second for each datagram.  Returns 0, an errno, or fn's nonzero result.
 * (tests/tools/sockdiag_capture records real answers with it.) */
int sockdiag_dump(int fd, int family, dgram_fn fn, void *ctx, struct diag_status *st);

/* The inodes of the sockets pid holds (socket:[N] links in /proc/PID/fd),
 * sorted; *out malloc'd.  Returns how many, or -1 when /proc/PID/fd cannot
 * be read (errno set). */
long acquire_socket_inodes(pid_t pid, uint64_t **out);

/* 1 when inode is in the sorted set. */
int inode_in(const uint64_t *set, long n, uint64_t inode);

#endif
