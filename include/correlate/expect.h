/* Expectations for `correlate check`: a recorded pair's expect.json, and the
 * thresholds given as flags, held against the pair's analysis.  Pure. */
#ifndef CORRELATE_EXPECT_H
#define CORRELATE_EXPECT_H

#include <stddef.h>

#include "correlate/err.h"
#include "correlate/findings.h"
#include "correlate/ledger.h"

#define EXPECT_MAX_IDS 16

struct expect_finding {
	char id[32];
	int severity; /* the exact severity wanted; -1 any */
	opt_u64 min;  /* bytes at least */
	opt_u64 max;  /* bytes at most */
};

struct expectation {
	opt_u64 max_unexplained;       /* "max_unexplained_bytes" */
	int max_severity;	       /* "max_severity": worst allowed; -1 none */
	char must[EXPECT_MAX_IDS][32]; /* "must_include": ids that must be there */
	size_t n_must;
	char must_not[EXPECT_MAX_IDS][32]; /* "must_not_include" */
	size_t n_must_not;
	char top[32]; /* "top_finding": the first non-info one, or "none" */
	struct expect_finding findings[EXPECT_MAX_IDS]; /* "findings": per-id bounds */
	size_t n_findings;
};

/* Empty expectation: nothing required. */
void expectation_init(struct expectation *e);

/* Parses expect.json (docs/fixtures.md).  Sizes are integers or strings
 * like "64MiB".  Unknown keys and finding ids are errors, so that a typo
 * does not make a check pass.  ERR_USAGE with the key at fault. */
int parse_expect(const char *buf, size_t len, struct expectation *out, struct err *err);

/* "info", "warning", "critical" -> 0, 1, 2; -1 otherwise. */
int severity_from_name(const char *s);

/* Holds the analysis against e.  Fills msg with one line: what held, or
 * what broke with the numbers ("; "-separated).  Returns 1 if everything
 * held, 0 if not. */
int expectation_check(const struct expectation *e, const struct ledger *l,
		      const struct findings *fs, char *msg, size_t cap);

#endif
