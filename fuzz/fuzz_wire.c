/* The unprivileged fetch's result frame (issue 11): wire_final_decode on
 * any bytes, as the parent takes them from a child that parsed untrusted
 * input.  Inputs shorter than a frame are padded from a real one (a
 * snapshot encoded here), so the fuzzer reaches the checks past the size.
 * Whatever it accepts must be whole: terminated, clean strings; a known
 * format with the fields a report needs; targets in range. */
#include <string.h>

#include "correlate/escape.h"
#include "correlate/wire.h"
#include "fuzz.h"

static struct wire_final base, w;
static struct fetch_report rep;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		struct fetch_report r;
		struct err e = {0};
		memset(&r, 0, sizeof r);
		static const char body[] = "{\"memstats\": {\"Sys\": 100, \"HeapSys\": 60, "
					   "\"HeapAlloc\": 40, \"HeapInuse\": 50, \"HeapIdle\": 10, "
					   "\"HeapReleased\": 5, \"StackInuse\": 8, \"StackSys\": 8, "
					   "\"MSpanSys\": 8, \"MCacheSys\": 8, \"BuckHashSys\": 4, "
					   "\"GCSys\": 8, \"OtherSys\": 4, \"NextGC\": 80}}";
		parse_body(body, sizeof body - 1, &r.go, &e);
		r.outcome = WO_FOUND;
		r.target = 0;
		wire_final_encode(&r, &base);
		init = 1;
	}
	/* byte 0: where the input lands in the frame (0: the whole frame) */
	if (size < 1)
		return 0;
	memcpy(&w, &base, sizeof w);
	size_t len = sizeof w;
	if (data[0] == 0) {
		len = size - 1 < sizeof w ? size - 1 : sizeof w;
		memcpy(&w, data + 1, len);
		if (size - 1 != sizeof w)
			len = size - 1; /* sizes other than a frame's must be refused */
	} else {
		size_t off = ((size_t)data[0] * 61) % sizeof w;
		size_t n = size - 1 < sizeof w - off ? size - 1 : sizeof w - off;
		memcpy((char *)&w + off, data + 1, n);
	}
	struct err e = {0};
	int rc = wire_final_decode(&w, len > sizeof w ? sizeof w + 1 : len, 3, 1u << 20, &rep, &e);
	fuzz_check_err(rc, &e);
	if (rc)
		return 0;
	FUZZ_CHECK(len == sizeof w);
	FUZZ_CHECK(esc_is_clean(rep.err.msg, strlen(rep.err.msg)));
	FUZZ_CHECK(esc_is_clean(rep.res.url, strlen(rep.res.url)));
	FUZZ_CHECK(esc_is_clean(rep.res.tried, strlen(rep.res.tried)));
	FUZZ_CHECK(rep.target >= -1 && rep.target < 3);
	FUZZ_CHECK(rep.n_attempts <= WIRE_ATTEMPTS);
	if (rep.outcome == WO_FOUND) {
		struct err e2 = {0};
		FUZZ_CHECK(go_snapshot_check(&rep.go, &e2) == 0, "accepted, but not a snapshot");
		FUZZ_CHECK(rep.go.body_bytes <= 1u << 20);
	} else {
		FUZZ_CHECK(rep.go.format == FMT_UNKNOWN);
	}
	return 0;
}
