/* /proc/PID/status: parse_status on any text. */
#include <string.h>

#include "correlate/proc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_status st;
	struct err err = {0};
	int rc = parse_status((const char *)data, size, &st, &err);
	fuzz_check_err(rc, &err);
	FUZZ_CHECK(memchr(st.name, '\0', sizeof st.name) != NULL);
	FUZZ_CHECK(st.kthread >= -1 && st.kthread <= 1);
	if (rc == 0)
		FUZZ_CHECK(st.name[0] || st.v.tgid.known);
	return 0;
}
