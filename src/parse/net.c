/* /proc/net/tcp and tcp6: "sl local_address rem_address st ... inode";
 * /proc/net/unix. */
#include <string.h>

#include "correlate/net.h"
#include "lines.h"

/* n hex digits into a number (n <= 16). */
static int hexnum(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int h = hex_digit(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (uint64_t)h;
	}
	*out = v;
	return 0;
}

/* The kernel prints each 32-bit word of the address in host order (%08X
 * of the in-memory word): on little-endian machines its bytes come out
 * reversed. */
static int addr_word(const char *s, unsigned char out[4])
{
	uint64_t w;
	if (hexnum(s, 8, &w))
		return -1;
	uint32_t word = (uint32_t)w;
	memcpy(out, &word, 4);
	return 0;
}

static int parse_addr(const char *s, size_t n, int ipv6, unsigned char addr[16], uint16_t *port)
{
	size_t alen = ipv6 ? 32 : 8;
	uint64_t p;
	if (n != alen + 5 || s[alen] != ':' || hexnum(s + alen + 1, 4, &p))
		return -1;
	memset(addr, 0, 16);
	if (ipv6) {
		for (int i = 0; i < 4; i++)
			if (addr_word(s + 8 * i, addr + 4 * i))
				return -1;
	} else {
		addr[10] = addr[11] = 0xff;
		if (addr_word(s, addr + 12))
			return -1;
	}
	*port = (uint16_t)p;
	return 0;
}

int parse_net_tcp(const char *buf, size_t len, int ipv6, listener_fn fn, void *ctx)
{
	for (size_t i = 0; i < len;) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		/* words: sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		const char *w[10];
		size_t wl[10];
		int k = 0;
		for (size_t j = 0; j < n && k < 10;) {
			j = skip_blank(l, n, j);
			if (j >= n)
				break;
			w[k] = l + j;
			while (j < n && l[j] != ' ' && l[j] != '\t')
				j++;
			wl[k] = (size_t)(l + j - w[k]);
			k++;
		}
		if (k < 10 || wl[3] != 2 || memcmp(w[3], "0A", 2) != 0)
			continue; /* the header, or not LISTEN */
		struct listener ls;
		uint64_t inode;
		size_t used;
		if (parse_addr(w[1], wl[1], ipv6, ls.addr, &ls.port) ||
		    parse_u64_dec(w[9], wl[9], &inode, &used) || used != wl[9])
			continue;
		ls.inode = inode;
		ls.v6only = -1;
		int rc = fn(&ls, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

static int is_v4mapped(const unsigned char a[16])
{
	static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a, pre, 12) == 0;
}

int listener_accepts(const struct listener *l, const unsigned char addr[16])
{
	static const unsigned char any6[16] = {0};
	static const unsigned char any4[16] = {0, 0, 0,	   0,	 0, 0, 0, 0,
					       0, 0, 0xff, 0xff, 0, 0, 0, 0};
	if (memcmp(l->addr, addr, 16) == 0)
		return 1;
	if (memcmp(l->addr, any4, 16) == 0)
		return is_v4mapped(addr);
	/* :: accepts IPv6, and IPv4 too unless the socket is IPV6_V6ONLY
	 * (which /proc does not say; the common default is dual-stack). */
	return memcmp(l->addr, any6, 16) == 0;
}

size_t parse_net_unix(const char *buf, size_t len, const char *path, uint64_t *inodes, size_t max)
{
	size_t found = 0, plen = strlen(path);
	for (size_t i = 0; i < len && found < max;) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		/* Num: RefCount Protocol Flags Type St Inode Path; Flags 00010000 is
		 * __SO_ACCEPTCON, a listening socket. */
		const char *w[8];
		size_t wl[8];
		int k = 0;
		for (size_t j = 0; j < n && k < 8;) {
			j = skip_blank(l, n, j);
			if (j >= n)
				break;
			w[k] = l + j;
			while (j < n && l[j] != ' ')
				j++;
			wl[k] = (size_t)(l + j - w[k]);
			k++;
		}
		uint64_t inode;
		size_t used;
		if (k < 8 || wl[7] != plen || memcmp(w[7], path, plen) != 0 ||
		    parse_u64_dec(w[6], wl[6], &inode, &used) || used != wl[6])
			continue;
		if (wl[3] == 8 && memcmp(w[3], "00010000", 8) == 0)
			inodes[found++] = inode;
	}
	return found;
}

int parse_net_unix_all(const char *buf, size_t len, unix_listener_fn fn, void *ctx)
{
	for (size_t i = 0; i < len;) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		/* Num: RefCount Protocol Flags Type St Inode Path */
		const char *w[7];
		size_t wl[7];
		int k = 0;
		size_t j = 0;
		for (; j < n && k < 7;) {
			j = skip_blank(l, n, j);
			if (j >= n)
				break;
			w[k] = l + j;
			while (j < n && l[j] != ' ')
				j++;
			wl[k] = (size_t)(l + j - w[k]);
			k++;
		}
		if (k < 7 || j >= n || l[j] != ' ')
			continue; /* the header, or no path: unbound */
		j++;
		size_t plen = n - j;
		uint64_t inode;
		size_t used;
		/* Flags 00010000 (__SO_ACCEPTCON): listening; Type 0001: SOCK_STREAM. */
		if (plen == 0 || plen > UNIX_NAME_MAX || wl[3] != 8 ||
		    memcmp(w[3], "00010000", 8) != 0 || wl[4] != 4 || memcmp(w[4], "0001", 4) != 0 ||
		    parse_u64_dec(w[6], wl[6], &inode, &used) || used != wl[6])
			continue;
		struct unix_listener u;
		memset(&u, 0, sizeof u);
		memcpy(u.name, l + j, plen);
		u.name_len = plen;
		u.abstract = u.name[0] == '@';
		u.inode = inode;
		int rc = fn(&u, ctx);
		if (rc)
			return rc;
	}
	return 0;
}
