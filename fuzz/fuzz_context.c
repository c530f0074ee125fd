/* The process-context parsers, all on the same text: environ, /proc/PID/
 * cgroup, mountinfo (v1 and v2), a cgroup limit file, memory.stat keys, the
 * THP mode, GOMEMLIMIT and GODEBUG.  Each runs twice: with the buffers
 * acquire gives, and with exact-size heap buffers of a small capacity the
 * input picks, so ASan sees a write one byte past the cap. */
#include <stdlib.h>
#include <string.h>

#include "correlate/context.h"
#include "fuzz.h"

static void env_sane(const struct go_env *e)
{
	FUZZ_CHECK(memchr(e->gogc, '\0', sizeof e->gogc) &&
		   memchr(e->gomemlimit, '\0', sizeof e->gomemlimit) &&
		   memchr(e->godebug, '\0', sizeof e->godebug) &&
		   memchr(e->gomaxprocs, '\0', sizeof e->gomaxprocs));
	FUZZ_CHECK(e->madvdontneed >= -1 && e->madvdontneed <= 1);
	FUZZ_CHECK(e->disablethp >= -1 && e->disablethp <= 1);
	FUZZ_CHECK(e->gogc_off == 0 || e->gogc_off == 1);
	if (e->gomemlimit_bytes.known)
		FUZZ_CHECK(e->gomemlimit_bytes.v <= (uint64_t)INT64_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t small = size ? (size_t)(data[0] % 16) + 1 : 1; /* 1..16 bytes */

	struct go_env env;
	parse_environ(buf, size, &env);
	env_sane(&env);

	/* /proc/PID/cgroup */
	struct cgroup_info cg;
	int version = 0;
	if (parse_proc_cgroup(buf, size, &version, cg.path, sizeof cg.path) == 0) {
		FUZZ_CHECK(version == 1 || version == 2);
		FUZZ_CHECK(memchr(cg.path, '\0', sizeof cg.path) != NULL);
	}
	char *tiny = malloc(small), *tiny2 = malloc(small);
	if (!tiny || !tiny2)
		goto done;
	if (parse_proc_cgroup(buf, size, &version, tiny, small) == 0)
		FUZZ_CHECK(memchr(tiny, '\0', small) != NULL);

	/* mountinfo */
	for (int v = 1; v <= 2; v++) {
		char mnt[512], root[512];
		if (parse_mountinfo_cgroup(buf, size, v, mnt, sizeof mnt, root, sizeof root) == 0)
			FUZZ_CHECK(memchr(mnt, '\0', sizeof mnt) && memchr(root, '\0', sizeof root));
		if (parse_mountinfo_cgroup(buf, size, v, tiny, small, tiny2, small) == 0)
			FUZZ_CHECK(memchr(tiny, '\0', small) && memchr(tiny2, '\0', small));
	}

	/* memory.max, memory.stat */
	opt_u64 o;
	parse_cgroup_limit(buf, size, &o);
	if (o.known)
		FUZZ_CHECK(o.v < (UINT64_C(1) << 62));
	static const char *const keys[] = {"anon", "file", "rss", "cache", ""};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		parse_cgroup_stat(buf, size, keys[i], &o);

	/* transparent_hugepage/enabled */
	char thp[16];
	parse_thp_mode(buf, size, thp, sizeof thp);
	FUZZ_CHECK(memchr(thp, '\0', sizeof thp) != NULL);
	parse_thp_mode(buf, size, tiny, small);
	FUZZ_CHECK(memchr(tiny, '\0', small) != NULL);

	/* GOMEMLIMIT and GODEBUG take C strings: up to the first NUL. */
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, buf, size);
		s[size] = '\0';
		uint64_t lim;
		if (parse_gomemlimit(s, &lim) == 0)
			FUZZ_CHECK(lim <= (uint64_t)INT64_MAX);
		static const char *const flags[] = {"madvdontneed", "disablethp", "x", ""};
		for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
			int f = godebug_flag(s, flags[i]);
			FUZZ_CHECK(f >= -1 && f <= 1);
		}
		free(s);
	}
done:
	free(tiny);
	free(tiny2);
	return 0;
}
