/* Who listens where: /proc/net/tcp and tcp6, for the check that the
 * endpoint's listening socket belongs to the process read (a report that
 * mixes two processes is worse than an error). */
#ifndef CORRELATE_NET_H
#define CORRELATE_NET_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/err.h"

struct listener {
	unsigned char addr[16]; /* IPv6, or IPv4-mapped (::ffff:a.b.c.d) */
	uint16_t port;
	uint64_t inode; /* the socket's inode: "socket:[inode]" in /proc/PID/fd */
	int v6only;	/* an AF_INET6 socket with IPV6_V6ONLY: 1, 0; -1 unknown
			 * (/proc/net/tcp6 does not say; sock_diag does) */
};

/* Called for each socket in LISTEN state; nonzero stops. */
typedef int (*listener_fn)(const struct listener *l, void *ctx);

/* Parses /proc/net/tcp (ipv6 0) or /proc/net/tcp6 (ipv6 1) text and calls
 * fn for every listening socket.  Lines that do not parse are skipped (the
 * kernel's format; a truncated last line is harmless).  Returns fn's
 * nonzero result, or 0. */
int parse_net_tcp(const char *buf, size_t len, int ipv6, listener_fn fn, void *ctx);

/* From /proc/net/unix text: the inodes of listening sockets bound to path
 * (up to max of them).  Returns how many were found. */
size_t parse_net_unix(const char *buf, size_t len, const char *path, uint64_t *inodes, size_t max);

/* 1 when a listener bound to l->addr accepts connections to addr:
 * the same address, or the wildcard (0.0.0.0 accepts IPv4, :: both). */
int listener_accepts(const struct listener *l, const unsigned char addr[16]);

/* ---- sock_diag netlink (issue 11) -------------------------------------
 * The kernel's answer to "which sockets listen", as `ss` asks it: a dump
 * request on a NETLINK_SOCK_DIAG socket, filtered to LISTEN, answered in
 * datagrams of netlink messages.  Unlike /proc/net/tcp, which walks every
 * socket of the namespace's hash on each read, the dump visits only the
 * listening hash.  The socket asks the namespace it was made in. */

/* A listening unix socket (unix_diag, or /proc/net/unix). */
#define UNIX_NAME_MAX 108 /* sizeof sun_path */
struct unix_listener {
	char name[UNIX_NAME_MAX + 1]; /* the bound name as bound (raw bytes, may be relative);
				       * an abstract name's leading NUL is '@'; terminated */
	size_t name_len;	      /* bytes of name */
	int abstract;		      /* 1: an abstract name (no file) */
	uint64_t inode;		      /* the socket's inode, as in /proc/PID/fd */
	int have_vfs;		      /* unix_diag UNIX_DIAG_VFS was given: */
	uint64_t vfs_ino;	      /*   the socket file's inode */
	unsigned vfs_major, vfs_minor; /*   and its filesystem's device */
};

/* Called for each listening stream socket; nonzero stops. */
typedef int (*unix_listener_fn)(const struct unix_listener *u, void *ctx);

/* What a dump's datagrams said beyond the sockets. */
struct diag_status {
	int done;	/* NLMSG_DONE seen: the dump is complete */
	int nl_errno;	/* an NLMSG_ERROR's error (positive errno, e.g. ENOENT when the
			 * kernel has no inet_diag or unix_diag); 0 none */
	int malformed;	/* a message that did not parse: the rest of its datagram is skipped */
	size_t sockets; /* listeners handed to fn so far */
};

/* Parses one datagram of an inet_diag dump (struct inet_diag_msg messages,
 * AF_INET or AF_INET6) and calls fn for each socket in TCP_LISTEN, with
 * v6only from INET_DIAG_SKV6ONLY when the kernel gives it.  Every length is
 * checked against the buffer; a message that does not fit sets
 * st->malformed and ends the datagram.  Returns fn's nonzero result, or 0. */
int parse_inet_diag(const void *buf, size_t len, struct diag_status *st, listener_fn fn,
		    void *ctx);

/* The same for a unix_diag dump (struct unix_diag_msg with UNIX_DIAG_NAME
 * and UNIX_DIAG_VFS attributes): listening SOCK_STREAM sockets only.  A
 * socket without a name (unbound) is skipped. */
int parse_unix_diag(const void *buf, size_t len, struct diag_status *st, unix_listener_fn fn,
		    void *ctx);

/* Every listening stream socket of /proc/net/unix (or /proc/PID/net/unix)
 * text, with its path (the rest of the line: paths may hold spaces; the
 * kernel shows an abstract name's NUL as '@').  No VFS facts.  Returns fn's
 * nonzero result, or 0. */
int parse_net_unix_all(const char *buf, size_t len, unix_listener_fn fn, void *ctx);

#endif
