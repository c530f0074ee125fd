/* The Prometheus text parser: every input starts with "# HELP", so the
 * body parser always picks Prometheus. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_body_prefixed("# HELP", FMT_PROMETHEUS, data, size);
}
