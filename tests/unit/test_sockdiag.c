/* parse_inet_diag, parse_unix_diag and parse_net_unix_all on answers the
 * kernel gave (tests/data/sockdiag/, recorded with tests/tools/
 * sockdiag_capture inside a network namespace; its README says how), and
 * on those answers cut and corrupted.
 *
 * Expected values are read off ss -ltxn, /proc/net/{tcp,tcp6,unix} and stat
 * of the socket files, recorded at the same moment (the same folder). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/net.h"
#include "testutil.h"

#define MAXL 512

struct got {
	struct listener tcp[MAXL];
	size_t n;
	struct unix_listener ux[16];
	size_t nu;
	size_t stop_after; /* 0: never */
};

static int on_tcp(const struct listener *l, void *vg)
{
	struct got *g = vg;
	if (g->n < MAXL)
		g->tcp[g->n++] = *l;
	return g->stop_after && g->n == g->stop_after ? 9 : 0;
}

static int on_unix(const struct unix_listener *u, void *vg)
{
	struct got *g = vg;
	if (g->nu < 16)
		g->ux[g->nu++] = *u;
	return 0;
}

/* The datagrams of a capture file: each preceded by its length (4 bytes LE). */
struct dgrams {
	char *data;
	size_t len;
	size_t off[64], n[64];
	size_t count;
};

static void load(const char *rel, struct dgrams *d)
{
	memset(d, 0, sizeof *d);
	d->data = read_data(rel, &d->len);
	for (size_t i = 0; i + 4 <= d->len && d->count < 64;) {
		const unsigned char *p = (const unsigned char *)d->data + i;
		size_t n = p[0] | p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
		assert_true(i + 4 + n <= d->len);
		d->off[d->count] = i + 4;
		d->n[d->count++] = n;
		i += 4 + n;
	}
}

/* Feeds every datagram to the inet parser; returns the status. */
static struct diag_status feed_inet(const struct dgrams *d, struct got *g)
{
	struct diag_status st = {0};
	for (size_t i = 0; i < d->count && !st.done; i++) {
		/* An aligned copy, as recv() gives; the parser must not need it. */
		char *b = xmalloc(d->n[i] + 1);
		memcpy(b + 1, d->data + d->off[i], d->n[i]); /* deliberately unaligned */
		int rc = parse_inet_diag(b + 1, d->n[i], &st, on_tcp, g);
		free(b);
		if (rc)
			break;
	}
	return st;
}

static struct listener *find(struct got *g, const char *addr, uint16_t port)
{
	unsigned char a[16] = {0};
	if (strchr(addr, ':')) {
		assert_int_equal(inet_pton(AF_INET6, addr, a), 1);
	} else {
		a[10] = a[11] = 0xff;
		assert_int_equal(inet_pton(AF_INET, addr, a + 12), 1);
	}
	for (size_t i = 0; i < g->n; i++)
		if (g->tcp[i].port == port && memcmp(g->tcp[i].addr, a, 16) == 0)
			return &g->tcp[i];
	return NULL;
}

static void inet_small(void **state)
{
	(void)state;
	struct dgrams d;
	struct got *g = calloc(1, sizeof *g);
	load("sockdiag/small/inet4.bin", &d);
	assert_int_equal(d.count, 2); /* the sockets, then NLMSG_DONE */
	struct diag_status st = feed_inet(&d, g);
	assert_true(st.done);
	assert_int_equal(st.nl_errno, 0);
	assert_false(st.malformed);
	/* ss: 127.0.0.1:6060 and 0.0.0.0:8080 listen; the connected pair on
	 * 6060 is not in a LISTEN dump.  Inodes from /proc/net/tcp. */
	assert_int_equal(g->n, 2);
	struct listener *a = find(g, "127.0.0.1", 6060), *b = find(g, "0.0.0.0", 8080);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->inode, 660871);
	assert_int_equal(b->inode, 660872);
	assert_int_equal(a->v6only, -1);
	free(d.data);

	memset(g, 0, sizeof *g);
	load("sockdiag/small/inet6.bin", &d);
	st = feed_inet(&d, g);
	assert_true(st.done);
	assert_int_equal(g->n, 2);
	a = find(g, "::", 9090);
	b = find(g, "::1", 7070);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->inode, 660873);
	assert_int_equal(b->inode, 660874);
	/* bound with IPV6_V6ONLY 0 and 1 (ss shows [::1]:7070 with a [::]:* peer) */
	assert_int_equal(a->v6only, 0);
	assert_int_equal(b->v6only, 1);
	/* Who accepts 127.0.0.1: the dual-stack :: does, ::1 does not. */
	unsigned char lo4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
	assert_true(listener_accepts(a, lo4));
	assert_false(listener_accepts(b, lo4));
	free(d.data);
	free(g);
}

/* 300 listeners: four datagrams, the same set /proc/net/tcp has. */
static int on_proc(const struct listener *l, void *vg)
{
	return on_tcp(l, vg);
}

static int by_inode(const void *x, const void *y)
{
	const struct listener *a = x, *b = y;
	return a->inode < b->inode ? -1 : a->inode > b->inode;
}

static void inet_many(void **state)
{
	(void)state;
	struct dgrams d;
	struct got *g = calloc(1, sizeof *g), *p = calloc(1, sizeof *p);
	load("sockdiag/many/inet4.bin", &d);
	assert_int_equal(d.count, 4);
	struct diag_status st = feed_inet(&d, g);
	assert_true(st.done);
	assert_int_equal(g->n, 300);
	assert_int_equal(st.sockets, 300);
	size_t plen;
	char *proc = read_data("sockdiag/many/proc-net-tcp", &plen);
	assert_int_equal(parse_net_tcp(proc, plen, 0, on_proc, p), 0);
	assert_int_equal(p->n, 300);
	qsort(g->tcp, g->n, sizeof g->tcp[0], by_inode);
	qsort(p->tcp, p->n, sizeof p->tcp[0], by_inode);
	for (size_t i = 0; i < 300; i++) {
		assert_int_equal(g->tcp[i].inode, p->tcp[i].inode);
		assert_int_equal(g->tcp[i].port, p->tcp[i].port);
		assert_memory_equal(g->tcp[i].addr, p->tcp[i].addr, 16);
	}
	for (uint16_t port = 20000; port < 20300; port++)
		assert_non_null(find(g, "127.0.0.1", port));
	/* A callback's nonzero stops the walk and comes back. */
	memset(g, 0, sizeof *g);
	g->stop_after = 7;
	struct diag_status st2 = {0};
	int rc = parse_inet_diag(d.data + d.off[0], d.n[0], &st2, on_tcp, g);
	assert_int_equal(rc, 9);
	assert_int_equal(g->n, 7);
	free(proc);
	free(d.data);
	free(g);
	free(p);
}

static void unix_small(void **state)
{
	(void)state;
	struct dgrams d;
	struct got *g = calloc(1, sizeof *g);
	load("sockdiag/small/unix.bin", &d);
	struct diag_status st = {0};
	for (size_t i = 0; i < d.count && !st.done; i++)
		assert_int_equal(parse_unix_diag(d.data + d.off[i], d.n[i], &st, on_unix, g), 0);
	assert_true(st.done);
	assert_false(st.malformed);
	/* ss -lx: three u_str LISTEN (two paths, one abstract); the u_seq
	 * listener and the u_dgr socket are not HTTP's kind. */
	assert_int_equal(g->nu, 3);
	int seen = 0;
	for (size_t i = 0; i < g->nu; i++) {
		struct unix_listener *u = &g->ux[i];
		if (strcmp(u->name, "/tmp/sdcap/run/debug.sock") == 0) {
			seen |= 1;
			assert_int_equal(u->inode, 660876);
			assert_false(u->abstract);
			/* stat: ino 11132964, dev fe00 (major 254, minor 0) */
			assert_true(u->have_vfs);
			assert_int_equal(u->vfs_ino, 11132964);
			assert_int_equal(u->vfs_major, 254);
			assert_int_equal(u->vfs_minor, 0);
		} else if (strcmp(u->name, "/tmp/sdcap/run/dir with space.sock") == 0) {
			seen |= 2;
			assert_int_equal(u->inode, 660877);
			assert_int_equal(u->vfs_ino, 11132967);
		} else if (strcmp(u->name, "@correlate-abstract") == 0) {
			seen |= 4;
			assert_true(u->abstract);
			assert_int_equal(u->name_len, strlen("@correlate-abstract"));
			assert_int_equal(u->inode, 660878);
			assert_false(u->have_vfs);
		}
	}
	assert_int_equal(seen, 7);
	free(d.data);

	/* /proc/net/unix of the same moment: the same three, paths with spaces whole. */
	size_t len;
	char *proc = read_data("sockdiag/small/proc-net-unix", &len);
	memset(g, 0, sizeof *g);
	assert_int_equal(parse_net_unix_all(proc, len, on_unix, g), 0);
	assert_int_equal(g->nu, 3);
	assert_string_equal(g->ux[0].name, "/tmp/sdcap/run/debug.sock");
	assert_int_equal(g->ux[0].inode, 660876);
	assert_string_equal(g->ux[1].name, "/tmp/sdcap/run/dir with space.sock");
	assert_string_equal(g->ux[2].name, "@correlate-abstract");
	assert_true(g->ux[2].abstract);
	free(proc);
	free(g);
}

/* A dump the kernel cannot make ends with NLMSG_DONE carrying -ENOENT
 * (what a kernel without the inet_diag module answers). */
static void dump_error(void **state)
{
	(void)state;
	struct dgrams d;
	struct got *g = calloc(1, sizeof *g);
	load("sockdiag/small/error.bin", &d);
	struct diag_status st = feed_inet(&d, g);
	assert_true(st.done);
	assert_int_equal(st.nl_errno, 2); /* ENOENT */
	assert_int_equal(g->n, 0);
	/* An NLMSG_ERROR says the same. */
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} m;
	memset(&m, 0, sizeof m);
	m.h.nlmsg_len = sizeof m;
	m.h.nlmsg_type = NLMSG_ERROR;
	m.e.error = -1; /* EPERM */
	memset(&st, 0, sizeof st);
	assert_int_equal(parse_unix_diag(&m, sizeof m, &st, on_unix, g), 0);
	assert_true(st.done);
	assert_int_equal(st.nl_errno, 1);
	free(d.data);
	free(g);
}

/* Every cut of a real datagram, and every single-byte corruption of its
 * length fields, parses without reading past the end (ASan and valgrind
 * would see it) and never yields more than the whole does. */
static void cut_and_corrupt(void **state)
{
	(void)state;
	struct dgrams d;
	struct got *g = calloc(1, sizeof *g);
	load("sockdiag/small/inet6.bin", &d);
	size_t n = d.n[0];
	for (size_t cut = 0; cut <= n; cut++) {
		char *b = xmalloc(cut ? cut : 1);
		memcpy(b, d.data + d.off[0], cut);
		memset(g, 0, sizeof *g);
		struct diag_status st = {0};
		parse_inet_diag(b, cut, &st, on_tcp, g);
		assert_true(g->n <= 2);
		if (cut < n && cut % 132 != 0)
			assert_true(st.malformed || g->n < 2);
		free(b);
	}
	for (size_t i = 0; i < n; i++) {
		for (int v = 0; v < 256; v += 17) {
			char *b = xmalloc(n);
			memcpy(b, d.data + d.off[0], n);
			b[i] = (char)v;
			memset(g, 0, sizeof *g);
			struct diag_status st = {0};
			parse_inet_diag(b, n, &st, on_tcp, g);
			assert_true(g->n <= 2);
			free(b);
		}
	}
	free(d.data);
	load("sockdiag/small/unix.bin", &d);
	n = d.n[0];
	for (size_t cut = 0; cut <= n; cut++) {
		char *b = xmalloc(cut ? cut : 1);
		memcpy(b, d.data + d.off[0], cut);
		memset(g, 0, sizeof *g);
		struct diag_status st = {0};
		parse_unix_diag(b, cut, &st, on_unix, g);
		assert_true(g->nu <= 3);
		for (size_t k = 0; k < g->nu; k++)
			assert_true(strlen(g->ux[k].name) <= UNIX_NAME_MAX);
		free(b);
	}
	free(d.data);
	free(g);
}

/* A Go service's sockets (memsvc -listen 127.0.0.1:9100 -api 0.0.0.0:8080
 * -unix /tmp/nsu/debug.sock, in namespaces of its own): Go binds the path
 * with its NUL counted in the address length, and the name ends there. */
static void go_service(void **state)
{
	(void)state;
	struct dgrams d;
	struct got *g = calloc(1, sizeof *g);
	load("sockdiag/memsvc/unix.bin", &d);
	struct diag_status st = {0};
	for (size_t i = 0; i < d.count && !st.done; i++)
		assert_int_equal(parse_unix_diag(d.data + d.off[i], d.n[i], &st, on_unix, g), 0);
	assert_int_equal(g->nu, 1);
	assert_string_equal(g->ux[0].name, "/tmp/nsu/debug.sock");
	assert_int_equal(g->ux[0].name_len, strlen("/tmp/nsu/debug.sock"));
	assert_int_equal(g->ux[0].inode, 825693); /* fd-sockets.txt: fd 7 */
	/* ss: ino:2 dev:0/41; stat through /proc/PID/root: ino 2, dev 0x29 */
	assert_int_equal(g->ux[0].vfs_ino, 2);
	assert_int_equal(g->ux[0].vfs_major, 0);
	assert_int_equal(g->ux[0].vfs_minor, 41);
	free(d.data);
	memset(g, 0, sizeof *g);
	load("sockdiag/memsvc/inet4.bin", &d);
	feed_inet(&d, g);
	free(d.data);
	load("sockdiag/memsvc/inet6.bin", &d);
	feed_inet(&d, g);
	free(d.data);
	assert_int_equal(g->n, 2);
	struct listener *a = find(g, "127.0.0.1", 9100), *b = find(g, "::", 8080);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->inode, 825686);
	assert_int_equal(b->inode, 825692);
	assert_int_equal(b->v6only, 0); /* ss: v6only:0 */
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(inet_small), cmocka_unit_test(inet_many),
	    cmocka_unit_test(unix_small), cmocka_unit_test(dump_error),
	    cmocka_unit_test(cut_and_corrupt), cmocka_unit_test(go_service),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
