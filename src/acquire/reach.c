/* Reaching the endpoint where the process listens (include/correlate/
 * reach.h; issue 11).
 *
 * Which network namespace a URL is reached in:
 *   - --proxied: correlate's own (the proxy, a port-forward, listens there);
 *   - a loopback host, or an address of the process's namespace: the
 *     process's (entering it needs CAP_SYS_ADMIN: without, an error that
 *     says so, exit 4);
 *   - an address of correlate's namespace: correlate's;
 *   - any other host: correlate's, and the owner is not checked.
 * A unix socket path is reached through /proc/PID/root when the process has
 * another mount namespace or root.  The listeners come from the namespace
 * the URL is reached in, so the owner check looks where the fetch goes. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "correlate/escape.h"
#include "correlate/owner.h"
#include "correlate/reach.h"

#define MAX_TARGETS 16

static const char *const default_paths[] = {"/metrics", "/debug/vars",
					    "/debug/pprof/heap?debug=1"};

static int is_loopback(const unsigned char a[16])
{
	static const unsigned char v4pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	return (memcmp(a, v4pre, 12) == 0 && a[12] == 127) || memcmp(a, lo6, 16) == 0;
}

static int is_wildcard(const unsigned char a[16])
{
	static const unsigned char any6[16] = {0};
	static const unsigned char any4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
	return memcmp(a, any6, 16) == 0 || memcmp(a, any4, 16) == 0;
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

static int in_set(unsigned char (*set)[16], size_t n, const unsigned char a[16])
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(set[i], a, 16) == 0)
			return 1;
	return 0;
}

/* The URL's host and port, and its addresses (up to 8, IPv4-mapped). */
struct hostport {
	char host[256];
	uint16_t port;
	char where[300];
	unsigned char addr[8][16];
	size_t n_addr;
};

static int split_url(const char *url, struct hostport *hp)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int ok = u && curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	if (ok) {
		snprintf(hp->where, sizeof hp->where, "%s:%s", host, port);
		snprintf(hp->host, sizeof hp->host, "%s", host);
		size_t hl = strlen(hp->host);
		if (hl > 2 && hp->host[0] == '[' && hp->host[hl - 1] == ']') { /* [::1] */
			memmove(hp->host, hp->host + 1, hl - 2);
			hp->host[hl - 2] = '\0';
		}
		hp->port = (uint16_t)atoi(port);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	if (!ok)
		return -1;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	if (getaddrinfo(hp->host, NULL, &hints, &res) != 0 || !res)
		return 0; /* the fetch reports a host that does not resolve */
	for (struct addrinfo *a = res; a && hp->n_addr < 8; a = a->ai_next)
		if (a->ai_family == AF_INET || a->ai_family == AF_INET6)
			to_mapped(a->ai_addr, hp->addr[hp->n_addr++]);
	freeaddrinfo(res);
	return 0;
}

/* An address of correlate's own network namespace? */
static int local_here(const unsigned char a[16])
{
	if (is_loopback(a))
		return 1;
	struct ifaddrs *ifs;
	int yes = 0;
	if (getifaddrs(&ifs) != 0)
		return 0;
	for (struct ifaddrs *i = ifs; i && !yes; i = i->ifa_next) {
		if (!i->ifa_addr ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		unsigned char m[16];
		to_mapped(i->ifa_addr, m);
		yes = memcmp(m, a, 16) == 0;
	}
	freeifaddrs(ifs);
	return yes;
}

/* Everything a run needs about the namespaces. */
struct place {
	struct ns_view v;    /* the process's */
	struct listen_set ls; /* the listeners where the URL is reached */
	int have_ls;
	uint64_t *fds; /* the process's sockets */
	long nfds;
	int in_target; /* the URL is reached in the process's namespace */
	char ns_text[200];  /* " in its network namespace net:[N]", or "" */
	char ports[600];    /* the process's own listeners, for hints */
	/* what the owner check looks for (decide_url fills it, check_url asks) */
	int need_check;
	struct owner_query q;
	char where[400];
	char other[120];
	char note[400];	    /* the owner line when it is not checked */
	char unix_via[64];
};

static void place_free(struct place *p)
{
	ns_view_close(&p->v);
	listen_set_free(&p->ls);
	free(p->fds);
	p->fds = NULL;
}

static void names(const struct place *p, char *mine, char *theirs, size_t cap)
{
	ns_net_name(p->v.self_net_ino, mine, cap);
	ns_net_name(p->v.net_ino, theirs, cap);
}

/* The error for a namespace correlate may not enter. */
static int cannot_enter(const struct place *p, const struct proc_identity *id, const char *what,
			struct err *err)
{
	char mine[48], theirs[48];
	names(p, mine, theirs, sizeof mine);
	err_set(err, ERR_ENDPOINT,
		"pid %d (%s) is in another network namespace (%s; correlate is in %s): %s there "
		"needs CAP_SYS_ADMIN, which correlate does not have",
		(int)id->pid, id->comm, theirs, mine, what);
	return err_hint(err,
			"run correlate as root with CAP_SYS_ADMIN (docker: --cap-add SYS_ADMIN); or "
			"forward the port (kubectl port-forward POD LOCAL:PORT) and pass --url "
			"127.0.0.1:LOCAL --proxied; or --no-endpoint for the report from /proc alone");
}

/* Lists the listeners of the namespace the URL is reached in, and the
 * process's sockets. */
static int look(struct place *p, pid_t pid, int target_ns, int what, struct err *err)
{
	struct ns_view self;
	const struct ns_view *v = &p->v;
	if (!target_ns) {
		ns_view_open(getpid(), &self);
		v = &self;
	}
	int rc = acquire_listeners(v, what, &p->ls, err);
	if (!target_ns)
		ns_view_close(&self);
	if (rc)
		return rc;
	p->have_ls = 1;
	p->nfds = acquire_socket_inodes(pid, &p->fds);
	if (p->nfds >= 0)
		owned_listeners(&p->ls, p->fds, p->nfds, p->ports, sizeof p->ports);
	return 0;
}

static void set_ns_text(struct place *p)
{
	char mine[48], theirs[48];
	names(p, mine, theirs, sizeof mine);
	if (p->v.net_same == 1)
		p->ns_text[0] = '\0';
	else if (p->in_target)
		snprintf(p->ns_text, sizeof p->ns_text, " in its network namespace %s", theirs);
	else
		snprintf(p->ns_text, sizeof p->ns_text, " in correlate's network namespace %s",
			 mine);
}

/* A unix target for a socket name bound (or asked for) as name. */
static void unix_target(const struct place *p, pid_t pid, const char *name, size_t len,
			int abstract, struct fetch_target *t)
{
	memset(t, 0, sizeof *t);
	t->is_unix = 1;
	t->abstract = abstract;
	snprintf(t->base, sizeof t->base, "http://localhost");
	char e[ESC_MAX(UNIX_NAME_MAX)];
	esc_bytes(e, sizeof e, name, len, ESC_TEXT);
	snprintf(t->shown, sizeof t->shown, "unix:%s", e);
	if (abstract) {
		memcpy(t->name, name + 1, len - 1); /* without the '@' */
		return;
	}
	memcpy(t->name, name, len);
	if (name[0] == '/' && p->v.root_same != 1)
		snprintf(t->connect_path, sizeof t->connect_path, "/proc/%d/root%s", (int)pid, name);
	else
		snprintf(t->connect_path, sizeof t->connect_path, "%s", name);
}

/* Orders discovery candidates: loopback, then the wildcard, then other
 * addresses (a debug port is usually bound to loopback, an API to all),
 * each by port; unix sockets after. */
static int rank(const struct listener *l)
{
	return is_loopback(l->addr) ? 0 : is_wildcard(l->addr) ? 1 : 2;
}

static int by_rank(const void *a, const void *b)
{
	const struct listener *x = a, *y = b;
	int rx = rank(x), ry = rank(y);
	if (rx != ry)
		return rx - ry;
	return (int)x->port - (int)y->port;
}

/* The base URL to reach listener l from inside its namespace. */
static void tcp_base(const struct listener *l, char *base, size_t cap)
{
	static const unsigned char v4pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char a[INET6_ADDRSTRLEN];
	if (is_wildcard(l->addr)) {
		/* 0.0.0.0, and :: unless IPV6_V6ONLY, take 127.0.0.1 */
		int v6only = memcmp(l->addr, v4pre, 12) != 0 && l->v6only == 1;
		snprintf(base, cap, v6only ? "http://[::1]:%u" : "http://127.0.0.1:%u", l->port);
	} else if (memcmp(l->addr, v4pre, 12) == 0) {
		inet_ntop(AF_INET, l->addr + 12, a, sizeof a);
		snprintf(base, cap, "http://%s:%u", a, l->port);
	} else {
		inet_ntop(AF_INET6, l->addr, a, sizeof a);
		snprintf(base, cap, "http://[%s]:%u", a, l->port);
	}
}

static size_t candidates(const struct place *p, pid_t pid, struct fetch_target *t)
{
	size_t n = 0;
	struct listener own[MAX_TARGETS * 4];
	size_t k = 0;
	for (size_t i = 0; i < p->ls.n_tcp && k < sizeof own / sizeof own[0]; i++)
		if (inode_in(p->fds, p->nfds, p->ls.tcp[i].inode))
			own[k++] = p->ls.tcp[i];
	qsort(own, k, sizeof own[0], by_rank);
	for (size_t i = 0; i < k && n < MAX_TARGETS; i++) {
		char base[320];
		tcp_base(&own[i], base, sizeof base);
		int dup = 0;
		for (size_t j = 0; j < n && !dup; j++)
			dup = strcmp(t[j].base, base) == 0;
		if (dup)
			continue;
		memset(&t[n], 0, sizeof t[n]);
		snprintf(t[n].base, sizeof t[n].base, "%s", base);
		listener_name(&own[i], t[n].shown, sizeof t[n].shown);
		n++;
	}
	for (size_t i = 0; i < p->ls.n_unix && n < MAX_TARGETS; i++) {
		const struct unix_listener *u = &p->ls.ux[i];
		if (!inode_in(p->fds, p->nfds, u->inode))
			continue;
		/* A relative name was relative to a directory that is gone from
		 * view; an abstract one with a NUL inside cannot go through libcurl. */
		if ((!u->abstract && u->name[0] != '/') || memchr(u->name, '\0', u->name_len))
			continue;
		unix_target(p, pid, u->name, u->name_len, u->abstract, &t[n++]);
	}
	return n;
}

/* An OS-only capture: no MemStats, and why. */
static void os_only(struct capture *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void os_only(struct capture *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->reach.go_missing, sizeof c->reach.go_missing, fmt, ap);
	va_end(ap);
	esc_trim_cut(c->reach.go_missing);
	memset(&c->go, 0, sizeof c->go);
	c->url[0] = '\0';
}

static int setup_job(const struct reach_opts *ro, struct fetch_job *job, struct err *err)
{
	memset(job, 0, sizeof *job);
	job->opts = *ro->fetch;
	job->netns_fd = -1;
	job->url_target = -1;
	if (geteuid() == 0) {
		job->drop = 1;
		return privsep_user(ro->user, job, err);
	}
	if (ro->user) {
		err_set(err, ERR_USAGE, "--user %s: only root can fetch as another user", ro->user);
		return err_hint(err, "leave --user out: run as uid %u, correlate already fetches "
				     "without privilege",
				(unsigned)geteuid());
	}
	return 0;
}

/* The explicit --url: where it is reached, and the job for it (no
 * listener is asked yet, but for a host that may be one of the process's
 * namespace's own addresses). */
static int decide_url(const struct reach_opts *ro, const struct proc_identity *id,
		      struct place *p, struct fetch_job *job, struct fetch_target *t,
		      struct err *err)
{
	pid_t pid = id->pid;
	const char *us = ro->fetch->unix_socket;
	struct owner_query *q = &p->q;
	int rc;
	memset(q, 0, sizeof *q);
	q->proxied = ro->proxied;
	job->url = ro->url;
	if (us) {
		int abstract = us[0] == '@';
		size_t len = strlen(us);
		if (len > UNIX_NAME_MAX) {
			err_set(err, ERR_USAGE, "--unix-socket: the name is longer than %d bytes",
				UNIX_NAME_MAX);
			return err_hint(err, "a unix socket's name fits in 108 bytes");
		}
		/* An abstract name lives in the network namespace; a path in the
		 * mount namespace, reached from here through /proc/PID/root.  Both
		 * are listed in the network namespace of whoever bound them: the
		 * process's, unless --proxied says a proxy's socket is meant. */
		if (abstract && !ro->proxied && p->v.net_same != 1 && !p->v.can_enter)
			return cannot_enter(p, id, "reaching an abstract unix socket", err);
		unix_target(p, pid, us, len, abstract, t);
		struct stat st;
		if (!abstract && ro->proxied)
			snprintf(t->connect_path, sizeof t->connect_path, "%s", us);
		else if (!abstract && strcmp(t->connect_path, us) != 0 &&
			 stat(t->connect_path, &st) != 0 && errno == ENOENT && stat(us, &st) == 0)
			snprintf(t->connect_path, sizeof t->connect_path, "%s", us);
		if (!abstract && strncmp(t->connect_path, "/proc/", 6) == 0)
			snprintf(p->unix_via, sizeof p->unix_via, "/proc/%d/root", (int)pid);
		p->in_target = !ro->proxied;
		if (!abstract && stat(t->connect_path, &st) == 0) {
			q->have_stat = 1;
			q->ino = st.st_ino;
			q->major = major(st.st_dev);
			q->minor = minor(st.st_dev);
		}
		q->is_unix = 1;
		q->name = us;
		snprintf(p->where, sizeof p->where, "the unix socket %s", t->shown + 5);
		job->url_target = 0;
		job->targets = t;
		job->n_targets = 1;
		if (abstract && p->in_target && p->v.net_same != 1)
			job->netns_fd = p->v.net_fd;
	} else {
		struct hostport hp;
		memset(&hp, 0, sizeof hp);
		if (split_url(ro->url, &hp) != 0) {
			snprintf(p->note, sizeof p->note,
				 "not checked: the URL's host and port are unclear");
			return 0; /* the fetch reports a bad URL */
		}
		snprintf(p->where, sizeof p->where, "%s", hp.where);
		int loop = 0;
		for (size_t i = 0; i < hp.n_addr; i++)
			loop |= is_loopback(hp.addr[i]);
		if (ro->proxied || p->v.net_same == 1) {
			p->in_target = p->v.net_same == 1;
		} else if (loop) {
			if (!p->v.can_enter)
				return cannot_enter(p, id, "reaching its loopback address", err);
			p->in_target = 1;
		} else if (p->v.can_enter) {
			/* One of its namespace's own addresses? (look fills addrs) */
			rc = look(p, pid, 1, LS_TCP | LS_ADDRS, err);
			if (rc)
				return rc;
			for (size_t i = 0; i < hp.n_addr && !p->in_target; i++)
				p->in_target = in_set(p->ls.addrs, p->ls.n_addrs, hp.addr[i]);
			if (!p->in_target) {
				listen_set_free(&p->ls);
				p->have_ls = 0;
				free(p->fds);
				p->fds = NULL;
			}
		}
		int local = p->in_target;
		for (size_t i = 0; i < hp.n_addr && !local; i++)
			local = local_here(hp.addr[i]);
		if (hp.n_addr == 0 || !local) {
			snprintf(p->note, sizeof p->note, "not checked: %s %s", hp.where,
				 hp.n_addr ? "is another host's" : "does not resolve");
			return 0;
		}
		/* the first address the namespace has (the one curl will use) */
		memcpy(q->addr, hp.addr[0], 16);
		q->port = hp.port;
		if (p->in_target && p->v.net_same != 1)
			job->netns_fd = p->v.net_fd;
	}
	if (ro->proxied && p->v.net_same == 0) {
		char theirs[48];
		ns_net_name(p->v.net_ino, theirs, sizeof theirs);
		snprintf(p->other, sizeof p->other, " (in another network namespace, %s)", theirs);
		q->other_ns = p->other;
	}
	p->need_check = 1;
	return 0;
}

/* The owner check for the explicit --url, in the namespace it is reached
 * in: c->owner says what it found. */
static int check_url(struct place *p, struct capture *c, struct err *err)
{
	if (p->unix_via[0])
		snprintf(c->reach.unix_via, sizeof c->reach.unix_via, "%s", p->unix_via);
	if (!p->need_check) {
		snprintf(c->owner, sizeof c->owner, "%s", p->note);
		return 0;
	}
	if (!p->have_ls) {
		int rc = look(p, c->os.id.pid, p->in_target, p->q.is_unix ? LS_UNIX : LS_TCP, err);
		if (rc)
			return rc;
	}
	set_ns_text(p);
	struct owner_query *q = &p->q;
	q->id = &c->os.id;
	q->ls = &p->ls;
	q->fds = p->fds;
	q->nfds = p->nfds;
	q->where = p->where;
	q->ns_text = p->ns_text;
	q->hint_ports = p->in_target ? p->ports : NULL;
	return owner_check(q, c->owner, sizeof c->owner, err);
}

/* Without --url: the process's own listeners, every path on each. */
static int plan_discovery(const struct reach_opts *ro, struct capture *c, struct place *p,
			  struct fetch_job *job, struct fetch_target *t, struct err *err)
{
	if (p->v.net_same != 1 && !p->v.can_enter)
		return cannot_enter(p, &c->os.id, "finding its endpoint", err);
	int rc = look(p, c->os.id.pid, 1, LS_TCP | LS_UNIX, err);
	if (rc)
		return rc;
	p->in_target = 1;
	set_ns_text(p);
	if (p->nfds < 0) {
		err_set(err, ERR_PROC, "cannot list the sockets of pid %d: /proc/%d/fd: %s",
			(int)c->os.id.pid, (int)c->os.id.pid, strerror(errno));
		return err_hint(err, "/proc/PID/fd of another user's process needs root; or give "
				     "--url");
	}
	job->n_targets = candidates(p, c->os.id.pid, t);
	job->targets = t;
	for (size_t i = 0; i < ro->n_paths && job->n_paths < FETCH_PATHS_MAX; i++)
		job->paths[job->n_paths++] = ro->paths[i];
	size_t n_default = ro->no_pprof ? 2 : 3; /* default_paths[2] is pprof's */
	for (size_t i = 0; i < n_default && job->n_paths < FETCH_PATHS_MAX; i++)
		job->paths[job->n_paths++] = default_paths[i];
	job->budget_ms = ro->timeout_given ? ro->fetch->timeout_ms : DISCOVER_BUDGET_MS;
	long per = job->budget_ms / 4 > DISCOVER_ATTEMPT_MS ? job->budget_ms / 4
							    : DISCOVER_ATTEMPT_MS;
	job->opts.timeout_ms = per < job->budget_ms ? per : job->budget_ms;
	if (p->v.net_same != 1)
		job->netns_fd = p->v.net_fd;
	return 0;
}

static void record(struct capture *c, const struct place *p, const struct fetch_child_info *ci)
{
	struct reach_info *r = &c->reach;
	r->net_ino = p->v.net_ino;
	r->self_net_ino = p->v.self_net_ino;
	r->net_entered = p->in_target && p->v.net_same != 1;
	if (ci && ci->fetched_as[0])
		snprintf(r->fetched_as, sizeof r->fetched_as, "%s", ci->fetched_as);
}

/* One run's state: made by acquire_reach_start (the explicit --url's
 * fetch process started before the process is identified, so that its
 * setup runs beside correlate's reading of /proc), or by acquire_reach. */
static struct {
	int started; /* fc holds a child for pid's job */
	pid_t pid;
	struct place p;
	struct fetch_job job;
	struct fetch_target targets[MAX_TARGETS];
	struct fetch_child fc;
} run;

static void run_free(void)
{
	fetch_abandon(&run.fc);
	place_free(&run.p);
	run.started = 0;
}

void acquire_reach_start(const struct reach_opts *ro, pid_t pid, int save)
{
	struct err e = {0};
	struct proc_identity id;
	run_free();
	memset(&run.p, 0, sizeof run.p);
	run.p.nfds = -1;
	if (!ro->url || ro->no_endpoint)
		return;
	memset(&id, 0, sizeof id);
	id.pid = pid;
	ns_view_open(pid, &run.p.v);
	/* Anything out of the ordinary (an error to report, which waits until
	 * the process is known): not started, acquire_reach decides again. */
	if (run.p.v.net_ino == 0 || setup_job(ro, &run.job, &e) ||
	    decide_url(ro, &id, &run.p, &run.job, run.targets, &e)) {
		place_free(&run.p);
		return;
	}
	run.job.send_body = save;
	if (fetch_spawn(&run.job, &run.fc, &e) != 0) {
		place_free(&run.p);
		return;
	}
	run.started = 1;
	run.pid = pid;
}

void acquire_reach_cancel(void)
{
	run_free();
}

int acquire_reach(const struct reach_opts *ro, struct capture *c, body_tee_fn tee, void *tee_ctx,
		  struct err *err)
{
	static struct fetch_report rep;
	struct fetch_child_info ci;
	struct place *pp = &run.p;
	struct fetch_job *job = &run.job;
	struct fetch_target *targets = run.targets;
	memset(&ci, 0, sizeof ci);
	int rc = 0;
	char nsp[64];
	snprintf(nsp, sizeof nsp, "/proc/%d/ns/net", (int)c->os.id.pid);
	struct stat nst;
	/* Started for this process, as it is now (the same network namespace). */
	int prestarted = run.started && run.pid == c->os.id.pid &&
			 (tee != NULL) == run.job.send_body && stat(nsp, &nst) == 0 &&
			 (uint64_t)nst.st_ino == run.p.v.net_ino;
	if (!prestarted) {
		run_free();
		memset(pp, 0, sizeof *pp);
		pp->nfds = -1;
		ns_view_open(c->os.id.pid, &pp->v);
	}
	if (ro->no_endpoint) {
		record(c, pp, NULL);
		os_only(c, "--no-endpoint: no endpoint was asked");
		goto out;
	}
	if (!prestarted) {
		if ((rc = setup_job(ro, job, err)))
			goto out;
		job->send_body = tee != NULL;
		rc = ro->url ? decide_url(ro, &c->os.id, pp, job, targets, err)
			     : plan_discovery(ro, c, pp, job, targets, err);
	}
	if (!rc && ro->url)
		rc = check_url(pp, c, err);
	record(c, pp, NULL);
	if (rc)
		goto out;
	if (!ro->url && job->n_targets == 0) {
		os_only(c, "pid %d listens on no TCP port and no unix socket%s: it serves no "
			   "endpoint",
			(int)c->os.id.pid, pp->ns_text);
		goto out;
	}
	if (!prestarted && (rc = fetch_spawn(job, &run.fc, err)))
		goto out;
	rc = fetch_collect(&run.fc, job, &rep, &ci, tee, tee_ctx, err);
	record(c, pp, &ci);
	if (rc)
		goto out;
	for (size_t i = 0; i < rep.n_attempts && i < CAPTURE_ATTEMPTS; i++) {
		snprintf(c->reach.attempts[i].url, sizeof c->reach.attempts[i].url, "%s",
			 rep.attempts[i].url);
		snprintf(c->reach.attempts[i].outcome, sizeof c->reach.attempts[i].outcome, "%s",
			 rep.attempts[i].outcome);
		c->reach.n_attempts = i + 1;
	}
	if (rep.outcome == WO_ERROR) {
		*err = rep.err;
		rc = err->code ? err->code : ERR_ENDPOINT;
		/* The ports it really listens on, in its namespace, not `ss` on
		 * this host (which does not show a pod's sockets). */
		if (rep.res.fail == FF_CONNECT && pp->have_ls && pp->in_target) {
			if (pp->ports[0])
				err_hint(err, "pid %d listens on %s%s: give one of those, or leave "
					      "out --url to find its endpoint",
					 (int)c->os.id.pid, pp->ports, pp->ns_text);
			else
				err_hint(err, "pid %d listens on no TCP port and no unix socket%s: "
					      "--no-endpoint gives the report from /proc alone",
					 (int)c->os.id.pid, pp->ns_text);
		}
		goto out;
	}
	if (rep.outcome == WO_NONE) {
		os_only(c, "no Go memory endpoint among the %zu socket%s pid %d listens on%s%s",
			job->n_targets, job->n_targets == 1 ? "" : "s", (int)c->os.id.pid,
			pp->ns_text,
			ro->no_pprof ? " (/debug/pprof/heap not tried: --allow-pprof tries it)"
				     : "");
		snprintf(c->tried, sizeof c->tried, "%s", rep.res.tried);
		c->reach.discovered = 1;
		goto out;
	}
	c->go = rep.go;
	snprintf(c->url, sizeof c->url, "%s", rep.res.url);
	snprintf(c->tried, sizeof c->tried, "%s", rep.res.tried);
	c->fetch_seconds = rep.res.seconds;
	if (!ro->url) {
		c->reach.discovered = 1;
		const struct fetch_target *t = &targets[rep.target >= 0 ? rep.target : 0];
		if (t->is_unix && !t->abstract && strncmp(t->connect_path, "/proc/", 6) == 0)
			snprintf(c->reach.unix_via, sizeof c->reach.unix_via, "/proc/%d/root",
				 (int)c->os.id.pid);
		snprintf(c->owner, sizeof c->owner,
			 "pid %d holds the socket listening at %s%s (found among its own)",
			 (int)c->os.id.pid, t->shown, pp->ns_text);
	}
out:
	run_free();
	return rc;
}
