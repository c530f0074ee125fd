/* The unprivileged fetch (issue 11): the endpoint's bytes never reach a
 * privileged process.
 *
 * On a node correlate runs as root, and what a pod serves is untrusted: a
 * body crafted against a parser running as root would be a container
 * escape.  So the part that talks to the endpoint is a child (fork, no
 * exec): it enters the target's network namespace when asked (the one
 * step that needs privilege), then drops everything: the capability
 * bounding set, its uid and gid (to nobody, or --user), every capability,
 * ambient ones too; sets no_new_privs and non-dumpable, installs a seccomp
 * filter (src/acquire/fetchchild.c lists what it refuses), and only then
 * fetches and parses.  The parent reads /proc/CHILD/status to see the
 * child is as it should be before letting it start, bounds its time and
 * kills it past that, and takes back only the parsed snapshot, checked
 * field by field (wire.h), and the raw body when --save asks, which it
 * writes to the pair without parsing.
 *
 * Unix sockets by path are connected by the parent (a socket file of the
 * service's is usually not writable by nobody) and handed over as a
 * descriptor, only for the targets the parent chose; the bytes on them
 * still go only to the child. */
#ifndef CORRELATE_PRIVSEP_H
#define CORRELATE_PRIVSEP_H

#include <limits.h>
#include <sys/types.h>

#include "correlate/acquire.h"
#include "correlate/err.h"
#include "correlate/net.h"
#include "correlate/wire.h"

/* A place to fetch from. */
struct fetch_target {
	char base[320];	 /* "http://127.0.0.1:6060", "http://[::1]:8080"; unix: "http://localhost" */
	char shown[320]; /* for people: "127.0.0.1:6060", "unix:/run/x.sock" */
	int is_unix;
	int abstract;			 /* unix: an abstract name: the child connects (the name
					  * lives in the network namespace it entered) */
	char name[UNIX_NAME_MAX + 1];	 /* unix: the name as bound (abstract: without '@') */
	char connect_path[PATH_MAX];	 /* unix by path: where the parent connects
					  * (/proc/PID/root/... for another mount namespace) */
};

#define FETCH_PATHS_MAX 16

struct fetch_job {
	const char *url;	/* --url, fetched as acquire_endpoint does (host:port probes);
				 * NULL: discovery, every path on every target */
	int url_target;		/* with url: the unix target to go through; -1 for TCP */
	const struct fetch_target *targets;
	size_t n_targets;
	const char *paths[FETCH_PATHS_MAX]; /* discovery: the paths, in order */
	size_t n_paths;
	struct fetch_opts opts; /* timeout_ms: for each attempt */
	long budget_ms;		/* discovery: for all attempts together */
	int netns_fd;		/* the child enters this network namespace; -1: stays */
	int drop;		/* correlate is privileged: the child becomes uid/gid */
	uid_t uid;
	gid_t gid;
	char user[64]; /* their name, for the report */
	int send_body; /* hand the body back (--save) */
};

/* How the fetch ran, as the parent saw it in /proc/CHILD/status. */
struct fetch_child_info {
	pid_t pid;
	char fetched_as[200]; /* "uid 65534 (nobody), no capabilities, no_new_privs, seccomp" */
	int seccomp;	      /* the filter is on */
};

/* A fetch process started but not yet told to fetch. */
struct fetch_child {
	pid_t pid; /* 0: none */
	int chan;
};

/* Forks the child for job: it enters the namespace, drops its privileges
 * and then waits, fetching nothing until fetch_collect lets it (so it can
 * be started early, its setup beside correlate's own reading of the
 * process).  job must not change until fetch_collect.  ERR_INTERNAL when
 * it cannot be started. */
int fetch_spawn(const struct fetch_job *job, struct fetch_child *fc, struct err *err);

/* Checks the started child (/proc/CHILD/status), lets it fetch and takes
 * its answer, as fetch_unprivileged says.  Ends the child either way. */
int fetch_collect(struct fetch_child *fc, const struct fetch_job *job, struct fetch_report *rep,
		  struct fetch_child_info *info, body_tee_fn tee, void *tee_ctx, struct err *err);

/* Ends a started child that will not be needed; NULL or none: no-op. */
void fetch_abandon(struct fetch_child *fc);

/* Reaps the fetch child that answered and was killed (fetch_collect leaves
 * it for correlate's exit, which waits for it).  A process that ends with
 * _exit, as a scan's worker does, calls this first, or the child is left
 * for init to reap (for correlate itself when it is init). */
void fetch_reap_leftover(void);

/* Looks up --user (NULL: "nobody", else uid and gid 65534 when there is
 * no such user).  ERR_USAGE for a name that is not a user, or root. */
int privsep_user(const char *name, struct fetch_job *job, struct err *err);

/* fetch_spawn, then fetch_collect: runs job in the unprivileged child and
 * waits for it: at most the job's
 * time (each attempt's timeout, or the budget) and a second more, then the
 * child is killed.  tee, when set, gets the body as the child saw it
 * (buf NULL: a new attempt begins).  Returns 0 with *rep filled (found,
 * none found, or the fetch's own error in rep->err, which the caller
 * reports), or an error of its own: the child could not be started,
 * could not drop its privileges, died, overran its time or sent what the
 * protocol does not allow (ERR_ENDPOINT, naming the child's pid and uid). */
int fetch_unprivileged(const struct fetch_job *job, struct fetch_report *rep,
		       struct fetch_child_info *info, body_tee_fn tee, void *tee_ctx,
		       struct err *err);

#endif
