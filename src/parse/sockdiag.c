/* sock_diag netlink replies: the listening TCP and unix sockets of a
 * network namespace, as the kernel answers a NETLINK_SOCK_DIAG dump
 * (linux/inet_diag.h, linux/unix_diag.h; `ss -ltx` asks the same).
 *
 * The bytes come from the kernel, but a unix socket's name is whatever the
 * process that bound it chose, so nothing here trusts a length: every
 * message, header and attribute is checked against what is left of the
 * datagram, and copied out with memcpy (no cast onto the buffer, which may
 * be unaligned when a test or a fuzzer hands it over). */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "correlate/net.h"

#define TCP_LISTEN_STATE 10 /* TCP_LISTEN in the kernel's enum (include/net/tcp_states.h) */

/* The next netlink message of buf[*off..len): its type, payload and
 * payload length.  0 at the end, 1 with a message, -1 when the header does
 * not fit. */
static int next_msg(const unsigned char *buf, size_t len, size_t *off, struct nlmsghdr *h,
		    const unsigned char **payload, size_t *plen)
{
	if (*off >= len)
		return 0;
	size_t left = len - *off;
	if (left < sizeof *h)
		return -1;
	memcpy(h, buf + *off, sizeof *h);
	if (h->nlmsg_len < sizeof *h || h->nlmsg_len > left)
		return -1;
	*payload = buf + *off + NLMSG_HDRLEN;
	*plen = h->nlmsg_len >= NLMSG_HDRLEN ? h->nlmsg_len - NLMSG_HDRLEN : 0;
	size_t step = NLMSG_ALIGN(h->nlmsg_len);
	*off = step > left ? len : *off + step;
	return 1;
}

/* An error the kernel gives as -errno; anything out of errno's range
 * (INT_MIN cannot even be negated) reads as EPROTO. */
static int errno_of(int e)
{
	if (e < 0)
		e = e < -4095 ? -EPROTO : e;
	return e < 0 ? -e : e > 4095 ? EPROTO : e;
}

/* NLMSG_DONE and NLMSG_ERROR, the same for both dumps.  1 when the
 * message was one of them (handled), 0 otherwise. */
static int control(const struct nlmsghdr *h, const unsigned char *p, size_t plen,
		   struct diag_status *st)
{
	if (h->nlmsg_type == NLMSG_DONE) {
		/* A dump the kernel cannot make (no inet_diag module for the
		 * protocol, say) ends at once with a DONE carrying -errno. */
		int e = 0;
		if (plen >= sizeof e)
			memcpy(&e, p, sizeof e);
		if (e < 0)
			st->nl_errno = errno_of(e);
		st->done = 1;
		return 1;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr e;
		if (plen < sizeof e.error) {
			st->malformed = 1;
		} else {
			memcpy(&e.error, p, sizeof e.error);
			st->nl_errno = errno_of(e.error);
			if (st->nl_errno == 0)
				return 1; /* an ACK */
		}
		st->done = 1;
		return 1;
	}
	return 0;
}

/* Walks the rtattrs of p[0..plen): calls back with each one's type and
 * payload.  -1 when one does not fit. */
typedef void (*attr_fn)(unsigned type, const unsigned char *v, size_t vlen, void *ctx);
static int attrs(const unsigned char *p, size_t plen, attr_fn fn, void *ctx)
{
	size_t off = 0;
	while (off + sizeof(struct rtattr) <= plen) {
		struct rtattr a;
		memcpy(&a, p + off, sizeof a);
		if (a.rta_len < sizeof a || a.rta_len > plen - off)
			return -1;
		fn(a.rta_type, p + off + RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0), ctx);
		size_t step = RTA_ALIGN(a.rta_len);
		if (step > plen - off)
			break;
		off += step;
	}
	return 0;
}

static void inet_attr(unsigned type, const unsigned char *v, size_t vlen, void *ctx)
{
	struct listener *l = ctx;
	if (type == INET_DIAG_SKV6ONLY && vlen >= 1)
		l->v6only = v[0] ? 1 : 0;
}

/* Walks a sock_diag reply: control messages (errors, the end) through
 * control(), and each SOCK_DIAG_BY_FAMILY payload, at least min bytes, to
 * fn.  fn sets st->malformed to stop the walk with 0, or returns nonzero to
 * stop it with that. */
typedef int (*diag_msg_fn)(const unsigned char *p, size_t plen, struct diag_status *st,
			   void *ctx);

static int walk(const void *vbuf, size_t len, size_t min, struct diag_status *st,
		diag_msg_fn fn, void *ctx)
{
	const unsigned char *buf = vbuf;
	size_t off = 0;
	struct nlmsghdr h;
	const unsigned char *p;
	size_t plen;
	int r;
	while ((r = next_msg(buf, len, &off, &h, &p, &plen)) == 1) {
		if (control(&h, p, plen, st)) {
			if (st->done)
				return 0;
			continue;
		}
		if (h.nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		if (plen < min) {
			st->malformed = 1;
			return 0;
		}
		int rc = fn(p, plen, st, ctx);
		if (rc || st->malformed)
			return st->malformed ? 0 : rc;
	}
	if (r < 0)
		st->malformed = 1;
	return 0;
}

struct inet_walk {
	listener_fn fn;
	void *ctx;
};

static int inet_msg(const unsigned char *p, size_t plen, struct diag_status *st, void *vctx)
{
	const struct inet_walk *w = vctx;
	struct inet_diag_msg m;
	memcpy(&m, p, sizeof m);
	if (m.idiag_state != TCP_LISTEN_STATE ||
	    (m.idiag_family != AF_INET && m.idiag_family != AF_INET6))
		return 0;
	struct listener l;
	memset(&l, 0, sizeof l);
	l.v6only = -1;
	if (m.idiag_family == AF_INET) {
		l.addr[10] = l.addr[11] = 0xff;
		memcpy(l.addr + 12, &m.id.idiag_src[0], 4);
	} else {
		memcpy(l.addr, m.id.idiag_src, 16);
	}
	l.port = ntohs(m.id.idiag_sport);
	l.inode = m.idiag_inode;
	size_t head = NLMSG_ALIGN(sizeof m);
	if (head < plen && attrs(p + head, plen - head, inet_attr, &l) != 0) {
		st->malformed = 1;
		return 0;
	}
	if (m.idiag_family == AF_INET)
		l.v6only = -1; /* meaningless for IPv4 */
	st->sockets++;
	return w->fn(&l, w->ctx);
}

int parse_inet_diag(const void *vbuf, size_t len, struct diag_status *st, listener_fn fn,
		    void *ctx)
{
	struct inet_walk w = {fn, ctx};
	return walk(vbuf, len, sizeof(struct inet_diag_msg), st, inet_msg, &w);
}

struct unix_attr_ctx {
	struct unix_listener *u;
	int named;
	int bad;
};

static void unix_attr(unsigned type, const unsigned char *v, size_t vlen, void *vctx)
{
	struct unix_attr_ctx *c = vctx;
	struct unix_listener *u = c->u;
	if (type == UNIX_DIAG_NAME) {
		if (vlen == 0 || vlen > UNIX_NAME_MAX) {
			c->bad = 1;
			return;
		}
		u->abstract = v[0] == '\0';
		/* A path may come with the terminating NUL its binder counted in
		 * the address length (Go's net.Listen does): the name ends there.
		 * An abstract name is every byte given. */
		size_t n = u->abstract ? vlen : strnlen((const char *)v, vlen);
		if (n == 0) {
			c->bad = 1;
			return;
		}
		memcpy(u->name, v, n);
		u->name[n] = '\0';
		u->name_len = n;
		if (u->abstract)
			u->name[0] = '@'; /* as /proc/net/unix and ss show it */
		c->named = 1;
	} else if (type == UNIX_DIAG_VFS && vlen >= sizeof(struct unix_diag_vfs)) {
		struct unix_diag_vfs f;
		memcpy(&f, v, sizeof f);
		u->have_vfs = 1;
		u->vfs_ino = f.udiag_vfs_ino;
		/* The kernel's own dev_t (MAJOR << 20 | MINOR), not stat's encoding. */
		u->vfs_major = f.udiag_vfs_dev >> 20;
		u->vfs_minor = f.udiag_vfs_dev & 0xfffff;
	}
}

struct unix_walk {
	unix_listener_fn fn;
	void *ctx;
};

static int unix_msg(const unsigned char *p, size_t plen, struct diag_status *st, void *vctx)
{
	const struct unix_walk *w = vctx;
	struct unix_diag_msg m;
	memcpy(&m, p, sizeof m);
	if (m.udiag_family != AF_UNIX || m.udiag_state != TCP_LISTEN_STATE ||
	    m.udiag_type != SOCK_STREAM)
		return 0;
	struct unix_listener u;
	memset(&u, 0, sizeof u);
	u.inode = m.udiag_ino;
	struct unix_attr_ctx c = {&u, 0, 0};
	size_t head = NLMSG_ALIGN(sizeof m);
	if ((head < plen && attrs(p + head, plen - head, unix_attr, &c) != 0) || c.bad) {
		st->malformed = 1;
		return 0;
	}
	if (!c.named)
		return 0;
	st->sockets++;
	return w->fn(&u, w->ctx);
}

int parse_unix_diag(const void *vbuf, size_t len, struct diag_status *st, unix_listener_fn fn,
		    void *ctx)
{
	struct unix_walk w = {fn, ctx};
	return walk(vbuf, len, sizeof(struct unix_diag_msg), st, unix_msg, &w);
}
