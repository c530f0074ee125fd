/* The check that the endpoint's listening socket is the process's own
 * (src/acquire/sockets.c), on the listeners of the network namespace the
 * URL is reached in (netns.h). */
#ifndef CORRELATE_OWNER_H
#define CORRELATE_OWNER_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/capture.h"
#include "correlate/err.h"
#include "correlate/netns.h"

/* What to look for, and where. */
struct owner_query {
	const struct proc_identity *id; /* the process read */
	const struct listen_set *ls;	/* the namespace's listeners */
	const uint64_t *fds;		/* the process's socket inodes (sorted) */
	long nfds;			/* -1: /proc/PID/fd not readable */
	int is_unix;
	unsigned char addr[16]; /* TCP: the address connected to (IPv4-mapped or IPv6) */
	uint16_t port;
	const char *name; /* unix: the name as asked (matched to a bound name) */
	int have_stat;	  /* unix: the socket file, as stat saw it through the
			   * path connected to (matched to sock_diag's VFS facts) */
	uint64_t ino;
	unsigned major, minor;
	const char *where;	/* for messages: "127.0.0.1:6060", "the unix socket /run/x" */
	const char *ns_text;	/* for messages: " in its network namespace net:[N]", or "" */
	int proxied;		/* --proxied: another owner is said, not refused */
	const char *other_ns;	/* with proxied: " (in another network namespace, net:[N])" or NULL */
	const char *hint_ports; /* the process's own listeners, for the hint; may be NULL */
};

/* 0 when the process holds a socket listening there, when nothing listens
 * there (the fetch says more) or when it cannot be told; note says which,
 * for the report.  ERR_OWNER naming the process that does hold it
 * otherwise (with proxied: 0, and note names it). */
int owner_check(const struct owner_query *q, char *note, size_t cap, struct err *err);

/* "127.0.0.1:6060", "[::]:8080". */
void listener_name(const struct listener *l, char *out, size_t cap);
/* "unix:/run/x.sock", escaped. */
void unix_listener_name(const struct unix_listener *u, char *out, size_t cap);

/* The listeners of ls the process holds, as "127.0.0.1:6060, unix:/run/x"
 * in out.  Returns how many. */
size_t owned_listeners(const struct listen_set *ls, const uint64_t *fds, long nfds, char *out,
		       size_t cap);

#endif
