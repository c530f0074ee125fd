/* What the unprivileged fetch hands back to correlate (issue 11).
 *
 * The endpoint's bytes are parsed in a child that has no capabilities, is
 * not root and runs under a seccomp filter (src/acquire/fetchchild.c).  It
 * sends its results over a socket, in frames; the parent treats every byte
 * of them as untrusted: it knows each frame's type and exact or largest
 * size, and wire_final_decode checks every field of the result before
 * anything of it is used.  No pointers cross, only numbers and
 * NUL-terminated strings of fixed size.
 *
 * Frames, child to parent (a header, then len bytes):
 *   WF_READY      u32: 1 when the seccomp filter is on; sent once, after the
 *                 privileges are dropped; the child then waits for one
 *                 byte, 'G', once the parent has checked it
 *                 (/proc/CHILD/status)
 *   WF_BODY_RESET 0 bytes: a new attempt's body begins (--save)
 *   WF_BODY       1..WIRE_BODY_MAX bytes of the body as served (--save)
 *   WF_CONNECT    u32: the index of a unix-socket target: the parent
 *                 connects to it and answers u32 0 with the socket
 *                 (SCM_RIGHTS), or an errno
 *   WF_FINAL      struct wire_final, exactly: the last frame
 */
#ifndef CORRELATE_WIRE_H
#define CORRELATE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/acquire.h"
#include "correlate/err.h"
#include "correlate/memstats.h"

#define WIRE_MAGIC    0x544c5243u /* "CRLT" */
#define WIRE_VERSION  1
#define WIRE_FIELDS   64 /* >= go_fields_count (a static assert says so) */
#define WIRE_ATTEMPTS 24
#define WIRE_BODY_MAX 65536

enum wire_frame {
	WF_READY = 1,
	WF_BODY_RESET = 2,
	WF_BODY = 3,
	WF_CONNECT = 4,
	WF_FINAL = 5,
};

struct wire_header {
	uint32_t type; /* enum wire_frame */
	uint32_t len;  /* bytes that follow */
};

enum wire_outcome {
	WO_FOUND = 1, /* MemStats: the snapshot is filled */
	WO_NONE = 2,  /* discovery found no endpoint (the attempts say why) */
	WO_ERROR = 3, /* the fetch failed: code, msg, hint */
};

/* One attempt of a discovery, for the report. */
struct wire_attempt {
	char url[200];	   /* the URL tried, credentials removed */
	char outcome[200]; /* "MemStats (prometheus)", or why not: "HTTP 404", ... */
	int32_t target;	   /* the index of the target it was made on */
	uint32_t fail;	   /* enum fetch_fail */
};

/* The last frame.  Every field has a fixed size; strings are
 * NUL-terminated within theirs (the decoder checks). */
struct wire_final {
	uint32_t magic;	  /* WIRE_MAGIC */
	uint32_t version; /* WIRE_VERSION */
	int32_t outcome;  /* enum wire_outcome */
	int32_t err_code; /* WO_ERROR: ERR_ENDPOINT, ERR_USAGE or ERR_INTERNAL */
	uint32_t fail;	  /* enum fetch_fail of the last attempt */
	int32_t target;	  /* the target that answered, or -1 */
	uint32_t format;  /* enum body_format */
	uint32_t nfields; /* go_fields_count */
	struct {
		uint64_t v;
		uint32_t known; /* 0 or 1 */
		uint32_t pad;
	} field[WIRE_FIELDS]; /* in go_fields[] order */
	char go_version[32];
	uint64_t body_bytes;
	uint64_t fetch_us; /* wall time of the answering request, microseconds */
	char url[1024];
	char tried[512];
	char msg[320];
	char hint[320];
	uint32_t n_attempts;
	uint32_t pad;
	struct wire_attempt attempts[WIRE_ATTEMPTS];
};

/* The result, as the parent takes it. */
struct fetch_report {
	int outcome; /* enum wire_outcome */
	struct go_snapshot go;
	struct fetch_result res;
	struct err err;
	int target;
	struct wire_attempt attempts[WIRE_ATTEMPTS];
	size_t n_attempts;
};

/* Packs a report into a frame (the child's side).  Strings are cut to
 * their fields, NUL-terminated. */
void wire_final_encode(const struct fetch_report *in, struct wire_final *w);

/* Decodes and checks a WF_FINAL frame of len bytes (the parent's side):
 * the size, magic and version; the outcome and error code among the known
 * ones; every string NUL-terminated in its field and clean (escape.h:
 * esc_is_clean; the child escapes what it quotes); the format one of the
 * three; every field known 0 or 1, and 0 when unknown; nfields; the body
 * no larger than max_body; the time under an hour; target and every
 * attempt's target below n_targets (or -1); n_attempts within bounds.  A
 * found snapshot must then pass go_snapshot_check as if parsed here.
 * Returns 0, or ERR_ENDPOINT saying what was wrong: the frame is then
 * not used at all. */
int wire_final_decode(const void *buf, size_t len, size_t n_targets, uint64_t max_body,
		      struct fetch_report *out, struct err *err);

#endif
