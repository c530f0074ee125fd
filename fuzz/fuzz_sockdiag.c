/* sock_diag netlink replies (issue 11): parse_inet_diag and
 * parse_unix_diag on any datagram, the input's first byte choosing where
 * the callback stops.  Every listener handed over must be whole: a unix
 * name terminated within UNIX_NAME_MAX and of the length said, an abstract
 * one starting with '@', a TCP listener that accepts its own address. */
#include <string.h>

#include "correlate/net.h"
#include "fuzz.h"

struct seen {
	size_t n, stop_after;
};

static int on_tcp(const struct listener *l, void *vctx)
{
	struct seen *s = vctx;
	FUZZ_CHECK(listener_accepts(l, l->addr) == 1, "a listener must accept its own address");
	FUZZ_CHECK(l->v6only >= -1 && l->v6only <= 1, "v6only %d", l->v6only);
	return ++s->n == s->stop_after ? 7 : 0;
}

static int on_unix(const struct unix_listener *u, void *vctx)
{
	struct seen *s = vctx;
	FUZZ_CHECK(u->name_len >= 1 && u->name_len <= UNIX_NAME_MAX, "name_len %zu", u->name_len);
	FUZZ_CHECK(u->name[u->name_len] == '\0', "unterminated name");
	FUZZ_CHECK(!u->abstract || u->name[0] == '@', "an abstract name without '@'");
	FUZZ_CHECK(u->abstract || strlen(u->name) == u->name_len, "a path with a NUL inside");
	return ++s->n == s->stop_after ? 7 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t stop = data[0] % 4; /* 0: never stop */
	struct diag_status st = {0};
	struct seen s = {0, stop};
	int rc = parse_inet_diag(data + 1, size - 1, &st, on_tcp, &s);
	FUZZ_CHECK(rc == 0 || (rc == 7 && s.n == stop), "inet: rc %d after %zu", rc, s.n);
	FUZZ_CHECK(st.sockets == s.n, "inet: %zu counted, %zu seen", st.sockets, s.n);
	memset(&st, 0, sizeof st);
	s.n = 0;
	rc = parse_unix_diag(data + 1, size - 1, &st, on_unix, &s);
	FUZZ_CHECK(rc == 0 || (rc == 7 && s.n == stop), "unix: rc %d after %zu", rc, s.n);
	return 0;
}
