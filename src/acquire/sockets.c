/* Does the process read own the socket the endpoint listens on?  A URL that
 * another process answers (a proxy, a port-forward, a sidecar, a different
 * service on the same port in another namespace) would make a report
 * mixing two processes.  The listeners come from the network namespace the
 * URL is reached in (netns.c: sock_diag, or /proc/PID/net/tcp, tcp6, unix), the process's
 * sockets from /proc/PID/fd. */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/acquire.h"
#include "correlate/escape.h"
#include "correlate/owner.h"

void listener_name(const struct listener *l, char *out, size_t cap)
{
	static const unsigned char v4pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char a[INET6_ADDRSTRLEN];
	if (memcmp(l->addr, v4pre, 12) == 0) {
		inet_ntop(AF_INET, l->addr + 12, a, sizeof a);
		snprintf(out, cap, "%s:%u", a, l->port);
	} else {
		inet_ntop(AF_INET6, l->addr, a, sizeof a);
		snprintf(out, cap, "[%s]:%u", a, l->port);
	}
}

void unix_listener_name(const struct unix_listener *u, char *out, size_t cap)
{
	char e[ESC_MAX(UNIX_NAME_MAX)];
	esc_bytes(e, sizeof e, u->name, u->name_len, ESC_TEXT);
	snprintf(out, cap, "unix:%s", e);
}

size_t owned_listeners(const struct listen_set *ls, const uint64_t *fds, long nfds, char *out,
		       size_t cap)
{
	size_t n = 0, o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ls->n_tcp + ls->n_unix; i++) {
		char one[ESC_MAX(UNIX_NAME_MAX) + 8];
		if (i < ls->n_tcp) {
			if (!inode_in(fds, nfds, ls->tcp[i].inode))
				continue;
			listener_name(&ls->tcp[i], one, sizeof one);
		} else {
			const struct unix_listener *u = &ls->ux[i - ls->n_tcp];
			if (!inode_in(fds, nfds, u->inode))
				continue;
			unix_listener_name(u, one, sizeof one);
		}
		n++;
		if (o + strlen(one) + 8 < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? ", " : "", one);
		else if (o + 6 < cap && !strstr(out, ", ..."))
			o += (size_t)snprintf(out + o, cap - o, ", ...");
	}
	return n;
}

/* Does pid hold one of the inodes?  1 yes, 0 no, -1 cannot tell. */
static int holds(pid_t pid, const uint64_t *inodes, size_t n)
{
	uint64_t *fds;
	long nfds = acquire_socket_inodes(pid, &fds);
	if (nfds < 0)
		return -1;
	int yes = 0;
	for (size_t i = 0; i < n && !yes; i++)
		yes = inode_in(fds, nfds, inodes[i]);
	free(fds);
	return yes;
}

/* The process holding one of the inodes, or 0. */
static pid_t find_owner(const uint64_t *inodes, size_t n, pid_t skip)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *e;
	pid_t owner = 0;
	while (!owner && (e = readdir(d))) {
		char *end;
		long p = strtol(e->d_name, &end, 10);
		if (*end || p <= 0 || p == skip)
			continue;
		if (holds((pid_t)p, inodes, n) == 1)
			owner = (pid_t)p;
	}
	closedir(d);
	return owner;
}

#define MAX_MATCH 32

int owner_check(const struct owner_query *q, char *note, size_t cap, struct err *err)
{
	const struct proc_identity *id = q->id;
	const struct listen_set *ls = q->ls;
	pid_t pid = id->pid;
	uint64_t want[MAX_MATCH];
	size_t n = 0;
	note[0] = '\0';
	if (q->is_unix) {
		for (size_t i = 0; i < ls->n_unix && n < MAX_MATCH; i++) {
			const struct unix_listener *u = &ls->ux[i];
			/* The socket file itself when the kernel says which (sock_diag);
			 * else its name as bound. */
			int same = q->have_stat && u->have_vfs
				       ? u->vfs_ino == q->ino && u->vfs_major == q->major &&
					     u->vfs_minor == q->minor
				       : u->name_len == strlen(q->name) &&
					     memcmp(u->name, q->name, u->name_len) == 0;
			if (same)
				want[n++] = u->inode;
		}
	} else {
		for (size_t i = 0; i < ls->n_tcp && n < MAX_MATCH; i++)
			if (ls->tcp[i].port == q->port && listener_accepts(&ls->tcp[i], q->addr))
				want[n++] = ls->tcp[i].inode;
	}
	if (n == 0) {
		snprintf(note, cap, "not checked: nothing listens at %s%s", q->where, q->ns_text);
		return 0; /* the fetch will say more */
	}
	int own = q->nfds >= 0 ? 0 : -1;
	for (size_t i = 0; own == 0 && i < n; i++)
		own = inode_in(q->fds, q->nfds, want[i]);
	if (own == 1) {
		snprintf(note, cap, "pid %d holds the socket listening at %s%s", (int)pid, q->where,
			 q->ns_text);
		return 0;
	}
	if (own < 0) {
		snprintf(note, cap,
			 "the listening socket's owner was not checked: /proc/%d/fd not readable",
			 (int)pid);
		return 0;
	}
	pid_t owner = find_owner(want, n, pid);
	struct proc_identity oid;
	struct err e2 = {0};
	char who[160];
	if (owner && acquire_identity(owner, &oid, &e2) == 0)
		snprintf(who, sizeof who, "pid %d (%s)", (int)owner, oid.comm);
	else
		snprintf(who, sizeof who, "another process%s",
			 owner ? "" : " (its owner is not visible to this user)");
	if (q->proxied) {
		/* Said, not refused: the user says it is a proxy for the process. */
		snprintf(note, cap, "%s holds the socket listening at %s%s, not pid %d%s: taken as "
				    "its proxy (--proxied)",
			 who, q->where, q->ns_text, (int)pid, q->other_ns ? q->other_ns : "");
		return 0;
	}
	err_set(err, ERR_OWNER, "%s is served by %s, not by pid %d (%s)%s", q->where, who,
		(int)pid, id->comm, q->ns_text);
	if (q->hint_ports && q->hint_ports[0])
		return err_hint(err,
				"pid %d listens on %s%s: give one of those, or leave out --url "
				"to find its endpoint; if a proxy stands in front of it, pass "
				"--proxied",
				(int)pid, q->hint_ports, q->ns_text);
	return err_hint(err, "check --pid and --url name the same service; if a proxy or "
			     "port-forward stands in front of it, pass --proxied");
}
