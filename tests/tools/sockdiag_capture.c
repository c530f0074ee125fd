/* sockdiag_capture OUTDIR [--bad-protocol]: records the kernel's answers to
 * the sock_diag dumps correlate sends (sockdiag_dump in
 * src/acquire/netns.c, the same code), as test data for
 * tests/unit/test_sockdiag.c: OUTDIR/inet4.bin, inet6.bin and unix.bin,
 * each the datagrams as received, every one preceded by its length (4
 * bytes, little-endian).  Run it inside the namespace to record (nsenter
 * --net=/proc/PID/ns/net, or unshare --net); tests/data/sockdiag/README.md
 * says how each capture was made.
 *
 * --bad-protocol asks inet_diag for protocol 200, which no kernel has:
 * the answer is an NLMSG_ERROR (OUTDIR/error.bin). */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "correlate/netns.h"

struct out {
	FILE *f;
	int n;
};

static int save(void *ctx, const void *buf, size_t len, struct diag_status *st)
{
	struct out *o = ctx;
	unsigned char le[4] = {(unsigned char)len, (unsigned char)(len >> 8),
			       (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
	if (fwrite(le, 1, 4, o->f) != 4 || fwrite(buf, 1, len, o->f) != len)
		return EIO;
	o->n++;
	/* Let the parser say when the dump ends, as it does for correlate. */
	if (buf && len) {
		const struct nlmsghdr *h = buf;
		for (size_t off = 0; off + sizeof *h <= len && h->nlmsg_len >= sizeof *h;
		     off += NLMSG_ALIGN(h->nlmsg_len), h = (const void *)((const char *)buf + off))
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				st->done = 1;
	}
	return 0;
}

static int capture(int fd, int family, const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct out o = {fopen(path, "wb"), 0};
	if (!o.f) {
		perror(path);
		return 1;
	}
	struct diag_status st;
	int e = sockdiag_dump(fd, family, save, &o, &st);
	if (fclose(o.f) != 0 || e) {
		fprintf(stderr, "%s: %s\n", path, strerror(e ? e : errno));
		return 1;
	}
	printf("%s: %d datagrams\n", path, o.n);
	return 0;
}

static int bad_protocol(int fd, const char *dir)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_INET;
	req.r.sdiag_protocol = 200;
	req.r.idiag_states = ~0u;
	if (send(fd, &req, sizeof req, 0) < 0) {
		perror("send");
		return 1;
	}
	unsigned char buf[8192];
	ssize_t n = recv(fd, buf, sizeof buf, 0);
	if (n <= 0) {
		perror("recv");
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/error.bin", dir);
	FILE *f = fopen(path, "wb");
	unsigned char le[4] = {(unsigned char)n, (unsigned char)(n >> 8), 0, 0};
	if (!f || fwrite(le, 1, 4, f) != 4 || fwrite(buf, 1, (size_t)n, f) != (size_t)n ||
	    fclose(f) != 0) {
		perror(path);
		return 1;
	}
	printf("%s: 1 datagram\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: sockdiag_capture OUTDIR [--bad-protocol]\n");
		return 2;
	}
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		perror("socket(NETLINK_SOCK_DIAG)");
		return 1;
	}
	int rc;
	if (argc > 2 && strcmp(argv[2], "--bad-protocol") == 0)
		rc = bad_protocol(fd, argv[1]);
	else
		rc = capture(fd, AF_INET, argv[1], "inet4.bin") |
		     capture(fd, AF_INET6, argv[1], "inet6.bin") |
		     capture(fd, AF_UNIX, argv[1], "unix.bin");
	close(fd);
	return rc;
}
