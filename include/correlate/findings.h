/* Findings: what the ledger means, one line each, with the numbers they rest
 * on and the next step.  A pure function of the capture and its ledger. */
#ifndef CORRELATE_FINDINGS_H
#define CORRELATE_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/capture.h"
#include "correlate/ledger.h"

enum severity { SEV_INFO = 0, SEV_WARNING = 1, SEV_CRITICAL = 2 };

/* Every finding id there is, in rule order. */
extern const char *const finding_ids[];
extern const size_t finding_ids_count;

/* "info", "warning", "critical". */
const char *severity_name(enum severity s);

struct finding {
	const char *id;		/* stable: "non_go_anon", "reserved_address_space" ... */
	enum severity severity; /* how unusual the amount is, not that it exists */
	uint64_t bytes;		/* what the finding accounts for */
	char summary[256];	/* one line */
	char evidence[640];	/* the numbers it rests on */
	char advice[384];	/* the next step */
};

#define FINDINGS_MAX 32

struct findings {
	size_t n;
	struct finding f[FINDINGS_MAX]; /* ordered by bytes, largest first */
};

/* Fills *out from the capture and its ledger.  No I/O, no allocation. */
void findings_compute(const struct capture *c, const struct ledger *l, struct findings *out);

/* The most severe severity among the findings (SEV_INFO when none). */
enum severity findings_max_severity(const struct findings *fs);

#endif
