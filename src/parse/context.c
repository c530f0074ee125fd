/* environ, /proc/PID/cgroup, mountinfo and cgroup memory files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/context.h"
#include "lines.h"

static void copy_val(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

int parse_gomemlimit(const char *s, uint64_t *out)
{
	/* runtime/debug: a number of bytes, optionally with B, KiB, MiB, GiB, TiB. */
	static const struct {
		const char *suffix;
		int shift;
	} units[] = {{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}, {"", 0}};
	size_t n = strlen(s), used;
	uint64_t v;
	if (parse_u64_dec(s, n, &v, &used) != 0)
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(s + used, units[i].suffix) != 0)
			continue;
		/* runtime/debug: an int64, so at most 2^63 - 1 bytes */
		if (v > ((uint64_t)INT64_MAX >> units[i].shift))
			return -1;
		*out = v << units[i].shift;
		return 0;
	}
	return -1;
}

int godebug_flag(const char *godebug, const char *key)
{
	int val = -1;
	size_t klen = strlen(key);
	for (const char *p = godebug; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=')
			val = p[klen + 1] == '1' ? 1 : p[klen + 1] == '0' ? 0 : val;
		p = comma ? comma + 1 : NULL;
	}
	return val;
}

void parse_environ(const char *buf, size_t len, struct go_env *out)
{
	int seen[4] = {0};
	memset(out, 0, sizeof *out);
	out->read = 1;
	for (size_t i = 0; i < len;) {
		const char *e = buf + i;
		const char *nul = memchr(e, '\0', len - i);
		size_t n = nul ? (size_t)(nul - e) : len - i;
		const char *eq = memchr(e, '=', n);
		if (eq) {
			size_t k = (size_t)(eq - e), vn = n - k - 1;
			const char *v = eq + 1;
			/* The runtime's gogetenv takes the first of duplicates. */
			if (k == 4 && memcmp(e, "GOGC", 4) == 0 && !seen[0]++)
				copy_val(out->gogc, sizeof out->gogc, v, vn);
			else if (k == 10 && memcmp(e, "GOMEMLIMIT", 10) == 0 && !seen[1]++)
				copy_val(out->gomemlimit, sizeof out->gomemlimit, v, vn);
			else if (k == 7 && memcmp(e, "GODEBUG", 7) == 0 && !seen[2]++)
				copy_val(out->godebug, sizeof out->godebug, v, vn);
			else if (k == 10 && memcmp(e, "GOMAXPROCS", 10) == 0 && !seen[3]++)
				copy_val(out->gomaxprocs, sizeof out->gomaxprocs, v, vn);
		}
		i += n + 1;
	}
	uint64_t lim;
	out->gomemlimit_bytes = out->gomemlimit[0] && parse_gomemlimit(out->gomemlimit, &lim) == 0
				    ? opt_some(lim)
				    : opt_none();
	out->gogc_off = strcmp(out->gogc, "off") == 0;
	out->madvdontneed = godebug_flag(out->godebug, "madvdontneed");
	out->disablethp = godebug_flag(out->godebug, "disablethp");
}

int parse_proc_cgroup(const char *buf, size_t len, int *version, char *path, size_t cap)
{
	int found = 0;
	for (size_t i = 0; i < len;) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		/* hierarchy-ID:controller-list:path */
		const char *c1 = memchr(l, ':', n);
		const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - l)) : NULL;
		if (!c2)
			continue;
		const char *ctl = c1 + 1, *p = c2 + 1;
		size_t ctl_n = (size_t)(c2 - ctl), p_n = n - (size_t)(p - l);
		if (ctl_n == 0 && c1 - l == 1 && l[0] == '0') {
			if (found == 1)
				continue; /* v1's memory line already won */
			*version = 2;
			copy_val(path, cap, p, p_n);
			found = 2;
			continue;
		}
		/* v1: is "memory" one of the comma-separated controllers? */
		for (const char *c = ctl; c < ctl + ctl_n;) {
			const char *comma = memchr(c, ',', (size_t)(ctl + ctl_n - c));
			size_t cn = comma ? (size_t)(comma - c) : (size_t)(ctl + ctl_n - c);
			if (cn == 6 && memcmp(c, "memory", 6) == 0) {
				*version = 1;
				copy_val(path, cap, p, p_n);
				found = 1;
			}
			c += cn + 1;
		}
	}
	return found ? 0 : -1;
}

int parse_mountinfo_cgroup(const char *buf, size_t len, int version, char *mnt, size_t cap,
			   char *root_out, size_t root_cap)
{
	int found = 0;
	for (size_t i = 0; i < len;) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		char line[1024];
		copy_val(line, sizeof line, l, n);
		/* id parent major:minor root mountpoint options [optional...] - fstype source
		 * superopts */
		char *sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		char fstype[32], source[64], super[512] = "";
		if (sscanf(sep + 3, "%31s %63s %511s", fstype, source, super) < 2)
			continue;
		char root[512], point[512];
		if (sscanf(line, "%*s %*s %*s %511s %511s", root, point) != 2)
			continue;
		int ok = 0;
		if (version == 2)
			ok = strcmp(fstype, "cgroup2") == 0;
		else if (strcmp(fstype, "cgroup") == 0) {
			char *save = NULL;
			for (char *t = strtok_r(super, ",", &save); t;
			     t = strtok_r(NULL, ",", &save))
				ok |= strcmp(t, "memory") == 0;
		}
		/* The first such mount (a chroot's bind of it comes later, at another
		 * point), or a later one over it at the same point: the one seen
		 * there (a container with the host's hierarchy mounted over its own). */
		if (ok && (!found || strcmp(mnt, point) == 0)) {
			copy_val(mnt, cap, point, strlen(point));
			copy_val(root_out, root_cap, root, strlen(root));
			found = 1;
		}
	}
	return found ? 0 : -1;
}

void parse_cgroup_limit(const char *buf, size_t len, opt_u64 *out)
{
	size_t used;
	uint64_t v;
	size_t i = skip_blank(buf, len, 0);
	*out = opt_none();
	if (parse_u64_dec(buf + i, len - i, &v, &used) != 0)
		return; /* "max" */
	if (v >= (UINT64_C(1) << 62))
		return; /* v1's "unlimited": LONG_MAX rounded down to a page */
	*out = opt_some(v);
}

void parse_cgroup_stat(const char *buf, size_t len, const char *key, opt_u64 *out)
{
	size_t klen = strlen(key);
	*out = opt_none();
	for (size_t i = 0; i < len;) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		if (n > klen + 1 && memcmp(l, key, klen) == 0 && l[klen] == ' ') {
			uint64_t v;
			size_t used;
			if (parse_u64_dec(l + klen + 1, n - klen - 1, &v, &used) == 0)
				*out = opt_some(v);
			return;
		}
	}
}

void parse_thp_mode(const char *buf, size_t len, char *out, size_t cap)
{
	const char *l = memchr(buf, '[', len);
	const char *r = l ? memchr(l, ']', len - (size_t)(l - buf)) : NULL;
	if (!l || !r)
		copy_val(out, cap, "", 0);
	else
		copy_val(out, cap, l + 1, (size_t)(r - l - 1));
}

static int hex64(const char *s, size_t n)
{
	if (n != 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int parse_container_id(const char *path, char *out, size_t cap)
{
	static const char *const prefixes[] = {"docker-", "cri-containerd-", "crio-", "libpod-",
					       ""};
	if (cap)
		out[0] = '\0';
	if (!path || cap < 65)
		return -1;
	const char *end = path + strlen(path);
	while (end > path) {
		const char *start = end;
		while (start > path && start[-1] != '/')
			start--;
		size_t n = (size_t)(end - start);
		if (n > 6 && memcmp(end - 6, ".scope", 6) == 0)
			n -= 6;
		for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
			size_t pl = strlen(prefixes[i]);
			if (n >= pl && memcmp(start, prefixes[i], pl) == 0 &&
			    hex64(start + pl, n - pl)) {
				memcpy(out, start + pl, 64);
				out[64] = '\0';
				return 0;
			}
		}
		end = start > path ? start - 1 : path;
	}
	return -1;
}
