/* expect.json: parse_expect, then expectation_check of what parsed against
 * an empty analysis (nothing known, no findings) and against a full one
 * (every finding id, sizes from the input), into a message buffer of the
 * size the input picks (an exact-size heap buffer: ASan sees overruns). */
#include <stdlib.h>
#include <string.h>

#include "correlate/expect.h"
#include "fuzz.h"

static struct findings none, all;
static struct ledger empty, full;

static uint64_t mix(const uint8_t *d, size_t n, uint64_t seed)
{
	uint64_t h = seed ^ 0x9e3779b97f4a7c15u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 0x100000001b3u;
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expectation e;
	struct err err = {0};
	int rc = parse_expect((const char *)data, size, &e, &err);
	fuzz_check_err(rc, &err);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(e.n_must <= EXPECT_MAX_IDS && e.n_must_not <= EXPECT_MAX_IDS &&
		   e.n_findings <= EXPECT_MAX_IDS);
	FUZZ_CHECK(e.max_severity >= -1 && e.max_severity <= SEV_CRITICAL);
	FUZZ_CHECK(memchr(e.top, '\0', sizeof e.top) != NULL);

	memset(&empty, 0, sizeof empty);
	memset(&none, 0, sizeof none);
	char msg[1024];
	int ok = expectation_check(&e, &empty, &none, msg, sizeof msg);
	FUZZ_CHECK(ok == 0 || ok == 1);
	FUZZ_CHECK(memchr(msg, '\0', sizeof msg) && msg[0] != '\0');
	fuzz_check_clean(msg, strlen(msg), 0, "expectation_check's line");

	memset(&full, 0, sizeof full);
	full.unexplained = opt_some(mix(data, size, 1) >> (data[0] % 64));
	all.n = finding_ids_count < FINDINGS_MAX ? finding_ids_count : FINDINGS_MAX;
	for (size_t i = 0; i < all.n; i++) {
		all.f[i].id = finding_ids[i];
		all.f[i].severity = (enum severity)((mix(data, size, i) >> 8) % 3);
		all.f[i].bytes = mix(data, size, i + 100) >> (i * 5 % 64);
	}
	size_t cap = (size_t)(mix(data, size, 7) % 300) + 1;
	char *small = malloc(cap);
	if (!small)
		return 0;
	ok = expectation_check(&e, &full, &all, small, cap);
	FUZZ_CHECK(ok == 0 || ok == 1);
	FUZZ_CHECK(memchr(small, '\0', cap) != NULL);
	fuzz_check_clean(small, strlen(small), 0, "expectation_check's cut line");
	free(small);
	return 0;
}
