/* Acquire: the only stage that does I/O.  It reads /proc (with libproc2
 * where it is the right tool), fetches the endpoint with libcurl, and hands
 * everything else plain buffers and structs. */
#ifndef CORRELATE_ACQUIRE_H
#define CORRELATE_ACQUIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "correlate/capture.h"
#include "correlate/err.h"
#include "correlate/memstats.h"

/* A file's whole text, read once.  Free with text_free. */
struct text {
	char *data; /* NUL-terminated; owned; NULL when not read */
	size_t len;
};
void text_free(struct text *t); /* NULL or empty is a no-op */

/* Identity of pid via libproc2.  ERR_PROC when there is no such process. */
int acquire_identity(pid_t pid, struct proc_identity *out, struct err *err);

/* Checks pid still names the process `before` describes (same start time).
 * ERR_PROC "exited" or "was replaced" otherwise. */
int acquire_same_process(const struct proc_identity *before, struct err *err);

/* CPU time pid's threads have run, in ns: the sum of the first field of
 * /proc/PID/task/TID/schedstat.  Unknown when it cannot be read. */
opt_u64 acquire_cpu_ns(pid_t pid);

/* MemTotal and MemAvailable via libproc2; unknown fields stay unknown. */
void acquire_sys(struct sys_context *out);

/* The host's THP mode and CPU count. */
void acquire_sys_extra(struct sys_context *out);

/* Reads a whole file by path (not only /proc).  Returns 0 or an errno. */
int read_path(const char *path, struct text *out);

/* Called with each chunk of a file as it is read; nonzero stops. */
typedef int (*chunk_fn)(void *ctx, const char *buf, size_t len, struct err *err);

/* Streams /proc/PID/<name> to fn in chunks, never holding it whole (smaps of
 * a process with 100,000 mappings is tens of MB).  Errors as
 * acquire_proc_file. */
int acquire_proc_stream(pid_t pid, const char *name, const struct proc_identity *id, chunk_fn fn,
			void *ctx, struct err *err);

/* Streams a file to fn in chunks (a recorded pair's smaps or body).
 * ERR_USAGE when it cannot be read. */
int acquire_file_stream(const char *path, chunk_fn fn, void *ctx, struct err *err);

/* The memory cgroup of pid: /proc/PID/cgroup, the hierarchy's mount point
 * from /proc/self/mountinfo, then memory.max/current/stat (v2) or
 * memory.limit_in_bytes/usage_in_bytes/stat (v1).  Never fails: when
 * something cannot be read, out->version is 0 and out->why says why. */
void acquire_cgroup(pid_t pid, struct cgroup_info *out);

/* GOGC, GOMEMLIMIT, GODEBUG from /proc/PID/environ.  When it cannot be
 * read (another user's process) out->read is 0, out->why says why and the
 * errno is returned; that is not an error of the run.  raw (may be NULL)
 * gets the text as read, to be freed with text_free. */
int acquire_environ(pid_t pid, struct go_env *out, struct text *raw);

/* Appends "(pid N belongs to uid U, user)" to err's message when the
 * process is another user's: the usual reason a /proc read is refused. */
void acquire_note_owner(const struct proc_identity *id, struct err *err);

/* Sets err's hint for a /proc read of id's process (what: the file, e.g.
 * "/proc/PID/exe") refused with EACCES or EPERM, fitted to the caller: sudo
 * for an unprivileged user; for root, what really refuses it (no
 * CAP_SYS_PTRACE, a user namespace, a security module, named from
 * /proc/self/status, /proc/self/uid_map and /sys/kernel/security/lsm). */
void acquire_permission_hint(const struct proc_identity *id, const char *what, struct err *err);

/* Reads /proc/PID/<name> whole into *out.  Errors are ERR_PROC and say what
 * to try: a process that is gone, or one whose files need privilege
 * (smaps, smaps_rollup, environ, exe: root or CAP_SYS_PTRACE). */
int acquire_proc_file(pid_t pid, const char *name, const struct proc_identity *id, struct text *out,
		      struct err *err);

/* How to fetch the endpoint. */
struct fetch_opts {
	long timeout_ms;	    /* whole request; default 5000 */
	uint64_t max_body;	    /* bytes; default 128 MiB */
	const char *unix_socket;    /* connect through this socket; NULL: TCP */
	const char *const *headers; /* "Name: value" lines, sent as given */
	size_t n_headers;
	int insecure; /* 1: do not verify TLS certificates */
	int follow_redirects; /* 1: follow redirects to other hosts too */
	/* issue 11: unix_socket is an abstract name (without its leading '@') */
	int unix_abstract;
};
void fetch_opts_default(struct fetch_opts *o);

/* How an attempt failed: what the next one may try (issue 11). */
enum fetch_fail {
	FF_NONE,    /* it answered with MemStats */
	FF_CONNECT, /* nothing accepts connections there */
	FF_TIMEOUT, /* no complete answer in time */
	FF_HTTP,    /* an HTTP status other than 2xx */
	FF_BODY,    /* a body that is not MemStats, or not whole */
	FF_OTHER,   /* another transfer error (not HTTP, TLS, ...) */
};

/* The outcome of a fetch. */
struct fetch_result {
	char url[1024];	 /* the URL that answered, credentials removed */
	char tried[512]; /* what was tried before it and why it did not do */
	double seconds;	 /* wall time of the answering request */
	enum fetch_fail fail; /* the last attempt's, when it failed */
};

/* Called with each chunk of a body as it arrives (after the parser has taken
 * it), e.g. to save it; nonzero stops the fetch.  Called with buf == NULL
 * (and err == NULL) before each request: drop what an earlier, unanswered
 * probe gave, a new body begins. */
typedef int (*body_tee_fn)(void *ctx, const char *buf, size_t len, struct err *err);

/* Fetches url and parses the body as it arrives (never holding a whole pprof
 * profile).  A bare "host:port", "http://host:port" or "http://host:port/"
 * tries /metrics, /debug/vars, then /debug/pprof/heap?debug=1: the order of
 * least cost to the target; a path of /debug/pprof/heap or allocs without a
 * query gets ?debug=1.  Errors are ERR_ENDPOINT (ERR_USAGE for a URL that
 * cannot be parsed).  tee may be NULL. */
int acquire_endpoint(const char *url, const struct fetch_opts *o, struct go_snapshot *out,
		     struct fetch_result *res, body_tee_fn tee, void *tee_ctx, struct err *err);

/* The check that the process owns the endpoint's socket: owner.h (issue 11). */

/* Writes url without user:password and without query values into out
 * ("http://host:9090/metrics?token=..."), so no output carries a secret. */
void url_redact(const char *url, char *out, size_t cap);

#endif
