/* Who listens where: /proc/net/tcp and tcp6, for the check that the
 * endpoint's listening socket belongs to the process read (a report that
 * mixes two processes is worse than an error). */
#ifndef CORRELATE_NET_H
#define CORRELATE_NET_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/err.h"

struct listener {
	unsigned char addr[16]; /* IPv6, or IPv4-mapped (::ffff:a.b.c.d) */
	uint16_t port;
	uint64_t inode; /* the socket's inode: "socket:[inode]" in /proc/PID/fd */
};

/* Called for each socket in LISTEN state; nonzero stops. */
typedef int (*listener_fn)(const struct listener *l, void *ctx);

/* Parses /proc/net/tcp (ipv6 0) or /proc/net/tcp6 (ipv6 1) text and calls
 * fn for every listening socket.  Lines that do not parse are skipped (the
 * kernel's format; a truncated last line is harmless).  Returns fn's
 * nonzero result, or 0. */
int parse_net_tcp(const char *buf, size_t len, int ipv6, listener_fn fn, void *ctx);

/* From /proc/net/unix text: the inodes of listening sockets bound to path
 * (up to max of them).  Returns how many were found. */
size_t parse_net_unix(const char *buf, size_t len, const char *path, uint64_t *inodes, size_t max);

/* 1 when a listener bound to l->addr accepts connections to addr:
 * the same address, or the wildcard (0.0.0.0 accepts IPv4, :: both). */
int listener_accepts(const struct listener *l, const unsigned char addr[16]);

#endif
