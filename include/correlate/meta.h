/* The small files of a recorded pair that correlate writes itself:
 * meta.json (who, when, from where) and cgroup.json (the memory cgroup's
 * facts), and the hand-made `top` file.  Pure: buffers in, structs out. */
#ifndef CORRELATE_META_H
#define CORRELATE_META_H

#include <stddef.h>

#include "correlate/capture.h"
#include "correlate/err.h"

/* meta.json for c: malloc'd, NUL-terminated; NULL when out of memory. */
char *meta_json(const struct capture *c);

/* cgroup.json for cg: malloc'd; NULL when out of memory. */
char *cgroup_json(const struct cgroup_info *cg);

/* Reads meta.json into out: the identity (os.id), url, endpoint_tried,
 * captured_at, fetch_seconds, build facts (os.build) and system context
 * (os.sys).  Fields it lacks stay as they are.  ERR_PROC on bad JSON. */
int parse_meta(const char *buf, size_t len, struct capture *out, struct err *err);

/* Reads cgroup.json.  ERR_PROC on bad JSON. */
int parse_cgroup_json(const char *buf, size_t len, struct cgroup_info *out, struct err *err);

/* Reads VIRT and RES as read off top, into out->vm_size and out->vm_rss:
 * either "VIRT 2.4g" / "RES=1.7g" lines, or top's own table (a header line
 * naming VIRT and RES, then the process's line).  top's units: a plain
 * number is KiB; k, m, g, t, p suffixes are KiB, MiB, GiB, TiB, PiB.  Lines
 * starting with '#' are comments.  ERR_PROC when VIRT or RES is missing. */
int parse_top(const char *buf, size_t len, struct status_values *out, struct err *err);

/* Parses "2026-11-26T09:40:00Z" into Unix seconds.  Returns 0 or -1. */
int parse_rfc3339(const char *s, int64_t *out);

#endif
