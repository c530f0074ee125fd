/* Does the process read own the socket the endpoint listens on?  A URL on
 * this host that another process answers (a proxy, a port-forward, a
 * different service) would make a report mixing two processes. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correlate/acquire.h"
#include "correlate/net.h"

#define MAX_LISTENERS 32

struct want {
	unsigned char addr[16];
	uint16_t port;
	uint64_t inodes[MAX_LISTENERS];
	size_t n;
};

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

/* Is addr one of this host's: loopback, or an interface's address? */
static int is_local(const unsigned char addr[16])
{
	static const unsigned char v4pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	if (memcmp(addr, v4pre, 12) == 0 && addr[12] == 127)
		return 1;
	if (memcmp(addr, lo6, 16) == 0)
		return 1;
	struct ifaddrs *ifs, *i;
	int local = 0;
	if (getifaddrs(&ifs) != 0)
		return 0;
	for (i = ifs; i && !local; i = i->ifa_next) {
		if (!i->ifa_addr ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		unsigned char a[16];
		to_mapped(i->ifa_addr, a);
		local = memcmp(a, addr, 16) == 0;
	}
	freeifaddrs(ifs);
	return local;
}

static int collect(const struct listener *l, void *ctx)
{
	struct want *w = ctx;
	if (l->port == w->port && listener_accepts(l, w->addr) && w->n < MAX_LISTENERS)
		w->inodes[w->n++] = l->inode;
	return 0;
}

/* Does pid hold one of the inodes?  1 yes, 0 no, -1 cannot tell. */
static int holds(pid_t pid, const uint64_t *inodes, size_t n)
{
	char dir[64], link[PATH_MAX], target[128];
	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	int yes = 0;
	while (!yes && (e = readdir(d))) {
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
		for (size_t i = 0; i < n && !yes; i++)
			yes = inodes[i] == ino;
	}
	closedir(d);
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

static int refuse(pid_t pid, const char *where, const uint64_t *inodes, size_t n,
		  const struct proc_identity *id, struct err *err)
{
	pid_t owner = find_owner(inodes, n, pid);
	struct proc_identity oid;
	struct err e2 = {0};
	if (owner && acquire_identity(owner, &oid, &e2) == 0)
		err_set(err, ERR_OWNER, "%s is served by pid %d (%s), not by pid %d (%s)", where,
			(int)owner, oid.comm, (int)pid, id->comm);
	else
		err_set(err, ERR_OWNER, "%s is served by another process than pid %d (%s)%s", where,
			(int)pid, id->comm,
			owner ? "" : " (its owner is not visible to this user)");
	return err_hint(err, "check --pid and --url name the same service; if a proxy or "
			     "port-forward stands in front of it, pass --proxied");
}

int acquire_check_owner(const struct proc_identity *id, const char *url, const char *unix_socket,
			char *note, size_t cap, struct err *err)
{
	pid_t pid = id->pid;
	struct want w = {0};
	char where[300];
	note[0] = '\0';
	if (unix_socket) {
		struct text t = {0};
		if (read_path("/proc/net/unix", &t) != 0) {
			snprintf(note, cap,
				 "the listening socket's owner was not checked: "
				 "/proc/net/unix not readable");
			return 0;
		}
		w.n = parse_net_unix(t.data, t.len, unix_socket, w.inodes, MAX_LISTENERS);
		text_free(&t);
		snprintf(where, sizeof where, "the unix socket %s", unix_socket);
	} else {
		CURLU *u = curl_url();
		char *host = NULL, *port = NULL;
		if (!u || curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME) != CURLUE_OK ||
		    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
		    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
			curl_free(host);
			curl_url_cleanup(u);
			snprintf(note, cap, "not checked: the URL's host and port are unclear");
			return 0; /* acquire_endpoint reports a bad URL */
		}
		char h[256];
		snprintf(h, sizeof h, "%s", host);
		size_t hl = strlen(h);
		if (hl > 2 && h[0] == '[' && h[hl - 1] == ']') { /* [::1] */
			memmove(h, h + 1, hl - 2);
			h[hl - 2] = '\0';
		}
		w.port = (uint16_t)atoi(port);
		snprintf(where, sizeof where, "%s:%s", host, port);
		curl_free(host);
		curl_free(port);
		curl_url_cleanup(u);
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
		if (getaddrinfo(h, NULL, &hints, &res) != 0 || !res) {
			snprintf(note, cap, "not checked: %s does not resolve", h);
			return 0; /* the fetch reports it */
		}
		int local = 0;
		for (struct addrinfo *a = res; a && !local; a = a->ai_next) {
			to_mapped(a->ai_addr, w.addr);
			local = is_local(w.addr);
		}
		freeaddrinfo(res);
		if (!local) {
			snprintf(note, cap, "not checked: %s is another host's", where);
			return 0;
		}
		static const char *const files[2] = {"/proc/net/tcp", "/proc/net/tcp6"};
		for (int v6 = 0; v6 < 2; v6++) {
			struct text t = {0};
			if (read_path(files[v6], &t) != 0)
				continue;
			parse_net_tcp(t.data, t.len, v6, collect, &w);
			text_free(&t);
		}
	}
	if (w.n == 0) {
		snprintf(note, cap, "not checked: nothing listens at %s in this network namespace",
			 where);
		return 0; /* the fetch will say more */
	}
	int own = holds(pid, w.inodes, w.n);
	if (own == 1) {
		snprintf(note, cap, "pid %d holds the socket listening at %s", (int)pid, where);
		return 0;
	}
	if (own < 0) {
		snprintf(note, cap,
			 "the listening socket's owner was not checked: /proc/%d/fd not "
			 "readable",
			 (int)pid);
		return 0;
	}
	return refuse(pid, where, w.inodes, w.n, id, err);
}
