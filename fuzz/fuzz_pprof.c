/* The pprof heap profile parser (debug=1 text): every input starts with
 * "heap profile:", so the body parser always picks pprof. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_body_prefixed("heap profile:", FMT_PPROF, data, size);
}
