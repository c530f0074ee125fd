/* Internals of the endpoint body parser, shared by body.c and the three
 * per-format files. */
#ifndef CORRELATE_PARSE_BODY_H
#define CORRELATE_PARSE_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "correlate/memstats.h"
#include "lines.h"

#define BODY_LINE_MAX 8192 /* longer lines are cut; no field we read is that long */
#define DETECT_BYTES  32   /* non-blank bytes looked at to tell the format */

/* The expvar scanner's state (expvar.c). */
struct json_scan {
	int state;
	char stack[64]; /* '{' or '[' per open container */
	int depth;
	int in_key;	     /* the string being read is a member name */
	char key[32];	     /* the member name (depth 1 or 2), cut */
	size_t key_len;	     /* its full length */
	int key_is_memstats; /* at depth 1, the member is "memstats" */
	int memstats_depth;  /* 2 while inside the memstats object */
	int saw_memstats;
	const struct go_field *field; /* the memstats member being read, if ours */
	char num[48];
	size_t num_len;
	int num_state;
	const char *lit; /* the rest of true/false/null */
	size_t lit_pos;
	int hex_left;
	uint64_t pos; /* bytes scanned, for messages */
};

struct body_parser {
	uint64_t max_bytes;
	uint64_t seen; /* bytes fed so far */
	enum body_format fmt;
	int rejected; /* an error was returned; later calls fail too */
	struct go_snapshot snap;
	/* detection: the first bytes, until the format is known */
	char head[DETECT_BYTES + 64];
	size_t head_len;
	size_t head_lead; /* leading blank bytes skipped before head */
	/* line formats */
	struct line_splitter lines;
	uint64_t line_no;
	int in_memstats; /* pprof: past "# runtime.MemStats" */
	int saw_sample;	 /* prometheus: at least one sample line */
	char line_buf[BODY_LINE_MAX];
	struct json_scan js; /* expvar */
};

/* Stores v in field f, refusing a second, different value for the same
 * field (a duplicated, conflicting line). */
int go_field_store(struct go_memstats *ms, const struct go_field *f, uint64_t v, const char *where,
		   struct err *err);

int pprof_line(void *p, const char *line, size_t len, bool overlong, struct err *err);
int prom_line(void *p, const char *line, size_t len, bool overlong, struct err *err);
int expvar_feed(struct body_parser *p, const char *buf, size_t len, struct err *err);
int expvar_finish(struct body_parser *p, struct err *err);

#endif
