/* /proc/net/tcp, tcp6 and unix: parse_net_tcp (both address families, a
 * callback that stops after as many listeners as the input's first byte
 * says), listener_accepts on what it finds, and parse_net_unix into an
 * exact-size array of 1-4 inodes (ASan sees a write past max). */
#include <stdlib.h>
#include <string.h>

#include "correlate/net.h"
#include "fuzz.h"

struct seen {
	size_t n, stop_after;
};

static int on_listener(const struct listener *l, void *vctx)
{
	struct seen *s = vctx;
	static const unsigned char lo4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
	static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	int a = listener_accepts(l, lo4), b = listener_accepts(l, lo6), c = listener_accepts(l, l->addr);
	FUZZ_CHECK((a == 0 || a == 1) && (b == 0 || b == 1) && c == 1,
		   "accepts: %d %d %d (a listener must accept its own address)", a, b, c);
	return ++s->n == s->stop_after ? 7 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t stop = size ? data[0] % 4 : 0; /* 0: never stop */
	for (int v6 = 0; v6 <= 1; v6++) {
		struct seen s = {0, stop};
		int rc = parse_net_tcp(buf, size, v6, on_listener, &s);
		FUZZ_CHECK(rc == 0 || (rc == 7 && s.n == stop), "rc %d after %zu listeners", rc, s.n);
	}

	size_t max = size ? (size_t)(data[size - 1] % 4) + 1 : 1;
	uint64_t *inodes = malloc(max * sizeof *inodes);
	if (!inodes)
		return 0;
	static const char *const paths[] = {"/run/memsvc.sock", "@memsvc", ""};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		size_t n = parse_net_unix(buf, size, paths[i], inodes, max);
		FUZZ_CHECK(n <= max);
	}
	free(inodes);
	return 0;
}
