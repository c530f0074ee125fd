/* Render: the report for people and the JSON for tools.  Both read the
 * capture, its ledger and findings, and write to the stream they are given. */
#ifndef CORRELATE_RENDER_H
#define CORRELATE_RENDER_H

#include <stdio.h>

#include "correlate/capture.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"

struct render_input {
	const struct capture *c;
	const struct ledger *l;
	const struct findings *fs;
	int mappings; /* also list every mapping (--mappings) */
};

/* The human report: the kernel's numbers, Go's numbers (each line with its
 * meaning, IEC units), the ledger lines that explain RES and VIRT, then the
 * findings, largest first.  Returns 0, or -1 on a write error. */
int render_text(FILE *out, const struct render_input *in);

/* The JSON document (schema_version 1, docs/json.md).  Bytes are integers,
 * unknown values null.  Returns 0, or -1 on a write or allocation error. */
int render_json(FILE *out, const struct render_input *in);

/* issue 14: render_json with options: on one line (watch's JSON Lines), and
 * correlate's own CPU for the sample in probe_cost (correlate_cpu_ns; not
 * written when unknown).  render_json is this with NULL. */
struct render_json_opts {
	int compact;
	opt_u64 self_cpu_ns;
};
int render_json_with(FILE *out, const struct render_input *in, const struct render_json_opts *jo);

/* A report for an issue tracker: who, when, the exact command, the findings
 * with evidence and advice, the ledger as a table.  Returns 0 or -1. */
int render_markdown(FILE *out, const struct render_input *in);

/* Formats t (Unix seconds) as RFC 3339 UTC: "2026-11-26T09:40:00Z". */
void fmt_rfc3339(int64_t t, char *out, size_t cap);

#endif
