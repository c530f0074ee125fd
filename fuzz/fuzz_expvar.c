/* The expvar (/debug/vars) JSON scanner: every input starts with "{", so
 * the body parser always picks expvar. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_body_prefixed("{", FMT_EXPVAR, data, size);
}
