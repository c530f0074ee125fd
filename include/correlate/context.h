/* The process's context: the Go settings in its environment, and the memory
 * cgroup it runs in.  Parsers take text; acquire reads the files. */
#ifndef CORRELATE_CONTEXT_H
#define CORRELATE_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/cgroup.h"
#include "correlate/err.h"
#include "correlate/opt.h"

/* From /proc/PID/environ (NUL-separated KEY=VALUE). */
struct go_env {
	int read;		  /* 1: environ was read; 0: not (see why) */
	char why[96];		  /* when not read: "permission denied", "not recorded" */
	char gogc[32];		  /* GOGC, "" when unset */
	char gomemlimit[32];	  /* GOMEMLIMIT, "" when unset */
	char godebug[256];	  /* GODEBUG, "" when unset */
	char gomaxprocs[16];	  /* GOMAXPROCS, "" when unset */
	opt_u64 gomemlimit_bytes; /* GOMEMLIMIT parsed (B, KiB, MiB, GiB, TiB suffixes) */
	int gogc_off;		  /* GOGC=off */
	int madvdontneed;	  /* GODEBUG madvdontneed=: 1, 0; -1 not set */
	int disablethp;		  /* GODEBUG disablethp=: 1, 0; -1 not set */
};

/* Parses environ text.  Never fails: unknown variables are ignored. */
void parse_environ(const char *buf, size_t len, struct go_env *out);

/* Parses a GOMEMLIMIT value as the runtime does ("512MiB", "1GiB", "1000000").
 * Returns 0, or -1 when it is not one ("off" is not a limit). */
int parse_gomemlimit(const char *s, uint64_t *out);

/* The GODEBUG setting `key`: 1, 0, or -1 when not set (the last one wins,
 * as in the runtime). */
int godebug_flag(const char *godebug, const char *key);

/* The memory cgroup: struct cgroup_info and its record, in cgroup.h. */

/* From /proc/PID/cgroup text: the memory cgroup's path and the version.
 * v2: the "0::/path" line; v1: the line whose controllers include
 * "memory".  When both are present, v1's memory line wins (a hybrid host
 * whose memory controller is on v1).  Returns 0, or -1 when neither. */
int parse_proc_cgroup(const char *buf, size_t len, int *version, char *path, size_t cap);

/* The container a cgroup path names: the 64 hex digits of the last path
 * component that is one, bare ("/kubepods/burstable/pod.../ID", v1
 * "/docker/ID") or as systemd's cgroup driver names it ("docker-ID.scope",
 * "cri-containerd-ID.scope", "crio-ID.scope", "libpod-ID.scope").  The id
 * is what cAdvisor's id label and kube-state-metrics' container_id end in.
 * Returns 0 with the id in out (cap >= 65), or -1 and "" when none. */
int parse_container_id(const char *path, char *out, size_t cap);

/* From /proc/self/mountinfo text: the mount point of the cgroup2 hierarchy
 * (version 2) or of the v1 hierarchy with the memory controller, and the
 * root of the hierarchy mounted there ("/" on a host; "/docker/abc" in a v1
 * container without a cgroup namespace, whose cgroup paths then start with
 * it).  The first such mount, or the last one mounted over it at the same
 * point (the one a path there reaches).  Returns 0, or -1 when not mounted. */
int parse_mountinfo_cgroup(const char *buf, size_t len, int version, char *mnt, size_t cap,
			   char *root, size_t root_cap);

/* A cgroup limit file's value: "max" (v2) or a value of 2^62 and more (v1's
 * "no limit", page-rounded LONG_MAX) leaves *out unknown. */
void parse_cgroup_limit(const char *buf, size_t len, opt_u64 *out);

/* /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never"):
 * the bracketed mode into out ("" when none). */
void parse_thp_mode(const char *buf, size_t len, char *out, size_t cap);

/* A memory.stat value by key ("anon 1234"). */
void parse_cgroup_stat(const char *buf, size_t len, const char *key, opt_u64 *out);

#endif
