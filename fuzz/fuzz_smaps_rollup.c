/* /proc/PID/smaps_rollup: parse_smaps_rollup on any text. */
#include "correlate/proc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smaps_values v;
	struct err err = {0};
	int rc = parse_smaps_rollup((const char *)data, size, &v, &err);
	fuzz_check_err(rc, &err);
	if (rc == 0)
		FUZZ_CHECK(v.rss.known, "a rollup without Rss was accepted");
	return 0;
}
