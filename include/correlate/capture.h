/* What one analysis rests on: the kernel's side and the Go runtime's side of
 * one process, read at (nearly) one moment, plus where they came from.
 * Plain data: acquire fills it (live or from a recorded pair), everything
 * after it only reads it. */
#ifndef CORRELATE_CAPTURE_H
#define CORRELATE_CAPTURE_H

#include <stdint.h>
#include <sys/types.h>

#include "correlate/buildinfo.h"
#include "correlate/context.h"
#include "correlate/mappings.h"
#include "correlate/memstats.h"
#include "correlate/opt.h"
#include "correlate/proc.h"

/* Who the process is, from libproc2 (or a pair's meta.json). */
struct proc_identity {
	pid_t pid;
	char comm[64];		       /* pids: PIDS_CMD */
	char exe[512];		       /* pids: PIDS_EXE; "" when not readable */
	char cmdline[1024];	       /* pids: PIDS_CMDLINE, args joined by spaces */
	unsigned long long start_tics; /* pids: PIDS_TICS_BEGAN (clock ticks after boot) */
	unsigned euid;		       /* pids: PIDS_ID_EUID */
	char user[64];		       /* pids: PIDS_ID_EUSER */
	int threads;		       /* pids: PIDS_NLWP */
	char state;		       /* pids: PIDS_STATE */
	int kthread;		       /* pids: PIDS_FLAGS has PF_KTHREAD */
};

/* The machine around the process (meminfo, via libproc2). */
struct sys_context {
	opt_u64 mem_total;     /* meminfo: MemTotal */
	opt_u64 mem_available; /* meminfo: MemAvailable */
	char thp[16];	       /* /sys/kernel/mm/transparent_hugepage/enabled: the [chosen] mode */
	int ncpu;	       /* online CPUs (sysconf); 0 unknown */
};

struct os_snapshot {
	struct proc_identity id;
	struct sys_context sys;
	struct proc_status status;   /* /proc/PID/status */
	int have_rollup;	     /* smaps_rollup was read */
	struct smaps_values rollup;  /* /proc/PID/smaps_rollup */
	struct go_buildinfo build;   /* .go.buildinfo of /proc/PID/exe */
	struct mapping_summary maps; /* /proc/PID/smaps by class; maps.have 0: not read */
	struct go_env env;	     /* /proc/PID/environ: GOGC, GOMEMLIMIT, GODEBUG */
	struct cgroup_info cgroup;   /* the memory cgroup: limit and usage */
};

/* issue 11: one attempt of finding the endpoint without --url. */
struct endpoint_attempt {
	char url[200];	   /* the URL tried, credentials removed */
	char outcome[200]; /* "MemStats (prometheus)", or why not ("HTTP 404: ...") */
};
#define CAPTURE_ATTEMPTS 24

/* issue 11: where the endpoint was reached, and by whom. */
struct reach_info {
	uint64_t net_ino;      /* the process's network namespace: net:[N]; 0 unknown */
	uint64_t self_net_ino; /* correlate's */
	int net_entered;       /* 1: the fetch ran inside the process's namespace, not
				* correlate's; 0: in correlate's (the same, --proxied, or
				* another host's address) */
	char unix_via[64];     /* "/proc/PID/root" when a unix socket path was reached
				* through the process's mount namespace; "" */
	char fetched_as[200];  /* the unprivileged fetch, as /proc/CHILD/status showed it */
	int discovered;	       /* 1: found without --url, by listing its sockets */
	struct endpoint_attempt attempts[CAPTURE_ATTEMPTS]; /* discovered: what was tried */
	size_t n_attempts;
	char go_missing[400]; /* an OS-only report (no MemStats): why; "" otherwise */
};

struct capture {
	struct os_snapshot os;
	struct go_snapshot go;
	char url[1024];		/* the URL that answered, credentials removed */
	char tried[512];	/* endpoints tried before it, e.g. "/metrics (HTTP 404)" */
	int64_t captured_at;	/* Unix time (UTC seconds) of the /proc read */
	double fetch_seconds;	/* wall time of the endpoint fetch */
	opt_u64 probe_cpu_ns;   /* CPU time the target spent while it answered (schedstat) */
	int replay;		/* 1: from a recorded pair, not live */
	char source[512];	/* the pair's folder when replay */
	char not_recorded[160]; /* replay: optional files the pair lacks, comma-separated */
	char command[1024];	/* the command line, secrets removed (for tickets) */
	char owner[400];        /* whether the endpoint's socket was found to be the process's */
	struct reach_info reach; /* issue 11: namespaces, discovery, OS-only */
};

/* 1 when the capture has no MemStats: a report from /proc alone
 * (reach.go_missing says why). */
int capture_os_only(const struct capture *c);

/* The Go version to report: the endpoint's (go_info), else the binary's. */
const char *capture_go_version(const struct capture *c);

/* That version as major.minor (1.21 -> 121); 0 when unknown. */
int capture_go_minor(const struct capture *c);

/* major.minor.patch as one number (1.21.13 -> 121013, 1.22 -> 122000); 0
 * when unknown.  For notes that hold from a point release on. */
int capture_go_release(const struct capture *c);

/* Frees what the capture owns (the kept mapping rows); NULL is a no-op. */
void capture_free(struct capture *c);

#endif
