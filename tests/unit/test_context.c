/* The context parsers (src/parse/context.c): environ, GOMEMLIMIT, GODEBUG,
 * /proc/PID/cgroup, mountinfo, the cgroup memory files and the THP mode.
 *
 * Recorded and hand-written inputs are in tests/data/context (see its
 * README); expected values are read off those files by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/context.h"
#include "testutil.h"

/* A string literal with its NULs, without the one C adds at the end. */
#define LIT(s) (s), (sizeof(s) - 1)

/* ---- environ ---------------------------------------------------------------- */

static void assert_env_unset(const struct go_env *e)
{
	assert_int_equal(e->read, 1);
	assert_string_equal(e->why, "");
	assert_string_equal(e->gogc, "");
	assert_string_equal(e->gomemlimit, "");
	assert_string_equal(e->godebug, "");
	assert_string_equal(e->gomaxprocs, "");
	assert_unknown(e->gomemlimit_bytes);
	assert_int_equal(e->gogc_off, 0);
	assert_int_equal(e->madvdontneed, -1);
	assert_int_equal(e->disablethp, -1);
}

static void test_environ_file(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_data("context/environ", &len);
	struct go_env e;
	memset(&e, 0x5a, sizeof e); /* everything must be set */
	parse_environ(buf, len, &e);
	assert_int_equal(e.read, 1);
	assert_string_equal(e.why, "");
	assert_string_equal(e.gogc, "50");
	assert_string_equal(e.gomemlimit, "512MiB");
	assert_known(e.gomemlimit_bytes, 512 * MiB);
	assert_string_equal(e.godebug, "madvdontneed=1,gctrace=0,disablethp=1");
	assert_string_equal(e.gomaxprocs, "4");
	assert_int_equal(e.gogc_off, 0);
	assert_int_equal(e.madvdontneed, 1);
	assert_int_equal(e.disablethp, 1);
	free(buf);
}

static void test_environ_empty(void **state)
{
	(void)state;
	struct go_env e;
	memset(&e, 0x5a, sizeof e);
	parse_environ("", 0, &e);
	assert_env_unset(&e);
	parse_environ(LIT("\0\0\0"), &e);
	assert_env_unset(&e);
	parse_environ(LIT("PATH=/bin\0HOME=/root\0"), &e);
	assert_env_unset(&e);
}

/* /proc/PID/environ ends in NUL; a cut read, or a process that rewrote its
 * environment, may not. */
static void test_environ_last_byte(void **state)
{
	(void)state;
	struct go_env e;
	parse_environ(LIT("A=1\0GOGC=75"), &e);
	assert_string_equal(e.gogc, "75");
	parse_environ(LIT("A=1\0GOGC=75\0"), &e);
	assert_string_equal(e.gogc, "75");
	parse_environ(LIT("GOMEMLIMIT=1GiB"), &e);
	assert_known(e.gomemlimit_bytes, GiB);
	parse_environ(LIT("GOMEMLIMIT=1GiB\0"), &e);
	assert_known(e.gomemlimit_bytes, GiB);
	parse_environ(LIT("GODEBUG=madvdontneed=0"), &e);
	assert_int_equal(e.madvdontneed, 0);
	/* the length is what counts, not a NUL: "GOGC=75" cut to "GOGC=7" */
	parse_environ("GOGC=75", 6, &e);
	assert_string_equal(e.gogc, "7");
	/* one byte: no '=' */
	parse_environ("G", 1, &e);
	assert_env_unset(&e);
}

static void test_environ_keys(void **state)
{
	(void)state;
	struct go_env e;
	/* only the exact names, case and all */
	parse_environ(LIT("XGOGC=1\0GOGCX=2\0gogc=3\0GOGC\0MEMSVC_OPTS=GOGC=4 GOMEMLIMIT=1GiB\0"
			  "GO_GOMEMLIMIT=1GiB\0GODEBUG_X=madvdontneed=1\0GOMAXPROCSS=9\0"),
		      &e);
	assert_env_unset(&e);
	/* values with '=' inside: the first '=' ends the name */
	parse_environ(LIT("GODEBUG=madvdontneed=1,x=y=z\0GOGC=100=\0GOMAXPROCS==8\0"), &e);
	assert_string_equal(e.godebug, "madvdontneed=1,x=y=z");
	assert_int_equal(e.madvdontneed, 1);
	assert_string_equal(e.gogc, "100=");
	assert_string_equal(e.gomaxprocs, "=8");
	/* empty values are set and empty */
	parse_environ(LIT("GOGC=\0GOMEMLIMIT=\0"), &e);
	assert_string_equal(e.gogc, "");
	assert_string_equal(e.gomemlimit, "");
	assert_unknown(e.gomemlimit_bytes);
	/* empty entries between them */
	parse_environ(LIT("\0\0GOGC=200\0\0GOMAXPROCS=2\0\0"), &e);
	assert_string_equal(e.gogc, "200");
	assert_string_equal(e.gomaxprocs, "2");
}

/* A variable given twice: the Go runtime reads the first (runtime
 * env_posix.go gogetenv returns the first match; syscall.copyenv keeps the
 * "first mention of key" too), so that is the one in effect. */
static void test_environ_duplicate_first_wins(void **state)
{
	(void)state;
	struct go_env e;
	parse_environ(LIT("GOGC=50\0PATH=/bin\0GOGC=200\0"), &e);
	assert_string_equal(e.gogc, "50");
	parse_environ(LIT("GOMEMLIMIT=1GiB\0GOMEMLIMIT=2GiB\0"), &e);
	assert_known(e.gomemlimit_bytes, GiB);
}

static void test_environ_gogc(void **state)
{
	(void)state;
	struct go_env e;
	parse_environ(LIT("GOGC=off\0"), &e);
	assert_string_equal(e.gogc, "off");
	assert_int_equal(e.gogc_off, 1);
	/* the runtime compares with "off" exactly (mgcpacer.go readGOGC) */
	parse_environ(LIT("GOGC=OFF\0"), &e);
	assert_int_equal(e.gogc_off, 0);
	parse_environ(LIT("GOGC=offx\0"), &e);
	assert_int_equal(e.gogc_off, 0);
	parse_environ(LIT("GOGC=100\0"), &e);
	assert_int_equal(e.gogc_off, 0);
	parse_environ(LIT("GOGC=-1\0"), &e);
	assert_string_equal(e.gogc, "-1");
	assert_int_equal(e.gogc_off, 0);
}

static void test_environ_gomemlimit(void **state)
{
	(void)state;
	static const struct {
		const char *env;
		int ok;
		uint64_t bytes;
	} cases[] = {
	    {"GOMEMLIMIT=1024", 1, 1024},
	    {"GOMEMLIMIT=0", 1, 0},
	    {"GOMEMLIMIT=512B", 1, 512},
	    {"GOMEMLIMIT=4KiB", 1, 4 * KiB},
	    {"GOMEMLIMIT=512MiB", 1, 512 * MiB},
	    {"GOMEMLIMIT=2GiB", 1, 2 * GiB},
	    {"GOMEMLIMIT=1TiB", 1, TiB},
	    {"GOMEMLIMIT=0100MiB", 1, 100 * MiB},
	    /* not limits: the runtime refuses these (or, "off", has none) */
	    {"GOMEMLIMIT=off", 0, 0},
	    {"GOMEMLIMIT=1KB", 0, 0},
	    {"GOMEMLIMIT=1kib", 0, 0},
	    {"GOMEMLIMIT=1K", 0, 0},
	    {"GOMEMLIMIT=1M", 0, 0},
	    {"GOMEMLIMIT=1G", 0, 0},
	    {"GOMEMLIMIT=1PiB", 0, 0},
	    {"GOMEMLIMIT=1.5GiB", 0, 0},
	    {"GOMEMLIMIT=-1", 0, 0},
	    {"GOMEMLIMIT=+1", 0, 0},
	    {"GOMEMLIMIT= 1GiB", 0, 0},
	    {"GOMEMLIMIT=1GiB ", 0, 0},
	    {"GOMEMLIMIT=1 GiB", 0, 0},
	    {"GOMEMLIMIT=GiB", 0, 0},
	    {"GOMEMLIMIT=B", 0, 0},
	    {"GOMEMLIMIT=0x10", 0, 0},
	    {"GOMEMLIMIT=1GiBB", 0, 0},
	    {"GOMEMLIMIT=17179869184TiB", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct go_env e;
		parse_environ(cases[i].env, strlen(cases[i].env), &e);
		assert_string_equal(e.gomemlimit, cases[i].env + strlen("GOMEMLIMIT="));
		if (cases[i].ok &&
		    (!e.gomemlimit_bytes.known || e.gomemlimit_bytes.v != cases[i].bytes))
			fail_msg("%s: %s%llu, expected %llu", cases[i].env,
				 e.gomemlimit_bytes.known ? "" : "unknown ",
				 (unsigned long long)e.gomemlimit_bytes.v,
				 (unsigned long long)cases[i].bytes);
		if (!cases[i].ok && e.gomemlimit_bytes.known)
			fail_msg("%s: %llu, expected unknown", cases[i].env,
				 (unsigned long long)e.gomemlimit_bytes.v);
	}
}

static void test_gomemlimit(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(parse_gomemlimit("512MiB", &v), 0);
	assert_int_equal(v, 512 * MiB);
	assert_int_equal(parse_gomemlimit("3B", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(parse_gomemlimit("7", &v), 0);
	assert_int_equal(v, 7);
	/* (2^23 - 1) TiB = 2^63 - 2^40: fits */
	assert_int_equal(parse_gomemlimit("8388607TiB", &v), 0);
	assert_int_equal(v, (UINT64_C(1) << 63) - TiB);
	assert_int_equal(parse_gomemlimit("9223372036854775807", &v), 0);
	assert_int_equal(v, INT64_MAX);
	/* 2^34 TiB = 2^74: overflows even 64 bits */
	assert_int_equal(parse_gomemlimit("17179869184TiB", &v), -1);
	/* 2^54 KiB = 2^64 */
	assert_int_equal(parse_gomemlimit("18014398509481984KiB", &v), -1);
	/* 2^64 */
	assert_int_equal(parse_gomemlimit("18446744073709551616", &v), -1);
	assert_int_equal(parse_gomemlimit("99999999999999999999999MiB", &v), -1);
	assert_int_equal(parse_gomemlimit("", &v), -1);
	assert_int_equal(parse_gomemlimit("off", &v), -1);
	assert_int_equal(parse_gomemlimit("MiB", &v), -1);
	assert_int_equal(parse_gomemlimit("1MiB\n", &v), -1);
}

/* The runtime's limit is an int64: parseByteCount (runtime/string.go)
 * refuses anything above math.MaxInt64 ("malformed GOMEMLIMIT"), and the
 * header promises to parse "as the runtime does". */
static void test_gomemlimit_int64_max(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(parse_gomemlimit("9223372036854775808", &v), -1); /* 2^63 */
	assert_int_equal(parse_gomemlimit("8388608TiB", &v), -1);	   /* 2^63 */
	assert_int_equal(parse_gomemlimit("18446744073709551615", &v), -1);
}

/* ---- GODEBUG ---------------------------------------------------------------- */

static void test_godebug_flag(void **state)
{
	(void)state;
	assert_int_equal(godebug_flag("madvdontneed=1", "madvdontneed"), 1);
	assert_int_equal(godebug_flag("madvdontneed=0", "madvdontneed"), 0);
	assert_int_equal(godebug_flag("", "madvdontneed"), -1);
	assert_int_equal(godebug_flag(NULL, "madvdontneed"), -1);
	assert_int_equal(godebug_flag("gctrace=1", "madvdontneed"), -1);
	/* several settings, the last one wins (runtime1.go parsegodebug at
	 * startup goes left to right, overwriting) */
	assert_int_equal(godebug_flag("gctrace=1,madvdontneed=0,madvdontneed=1", "madvdontneed"),
			 1);
	assert_int_equal(godebug_flag("madvdontneed=1,gctrace=1,madvdontneed=0", "madvdontneed"),
			 0);
	assert_int_equal(godebug_flag("madvdontneed=1,disablethp=1", "disablethp"), 1);
	assert_int_equal(godebug_flag("disablethp=1,madvdontneed=0", "madvdontneed"), 0);
	assert_int_equal(godebug_flag("disablethp=0,madvdontneed=1", "disablethp"), 0);
	/* the whole name, at the start of a setting */
	assert_int_equal(godebug_flag("xmadvdontneed=1", "madvdontneed"), -1);
	assert_int_equal(godebug_flag("madvdontneedx=1", "madvdontneed"), -1);
	assert_int_equal(godebug_flag("madvdontneed", "madvdontneed"), -1);
	assert_int_equal(godebug_flag("madvdontneed=", "madvdontneed"), -1);
	assert_int_equal(godebug_flag("thp=1", "disablethp"), -1);
	assert_int_equal(godebug_flag("gctrace=1,xdisablethp=1", "disablethp"), -1);
	/* the runtime does not trim: " disablethp" is another name */
	assert_int_equal(godebug_flag("madvdontneed=1, disablethp=1", "disablethp"), -1);
	/* an empty value does not undo an earlier one (atoi fails, the runtime
	 * keeps the value) */
	assert_int_equal(godebug_flag("madvdontneed=1,madvdontneed=", "madvdontneed"), 1);
	/* empty settings around */
	assert_int_equal(godebug_flag(",,madvdontneed=1,,", "madvdontneed"), 1);
	assert_int_equal(godebug_flag("a=1,b=2,disablethp=1", "disablethp"), 1);
}

static void test_environ_godebug(void **state)
{
	(void)state;
	struct go_env e;
	parse_environ(LIT("GODEBUG=madvdontneed=1,disablethp=0\0"), &e);
	assert_int_equal(e.madvdontneed, 1);
	assert_int_equal(e.disablethp, 0);
	parse_environ(LIT("GODEBUG=madvdontneed=0,gctrace=1,madvdontneed=1,disablethp=1,"
			  "disablethp=0\0"),
		      &e);
	assert_int_equal(e.madvdontneed, 1);
	assert_int_equal(e.disablethp, 0);
	parse_environ(LIT("GODEBUG=gctrace=1\0"), &e);
	assert_int_equal(e.madvdontneed, -1);
	assert_int_equal(e.disablethp, -1);
	/* a long GODEBUG is kept to its field's size, and read as far as kept */
	char buf[600];
	int n = snprintf(buf, sizeof buf, "GODEBUG=madvdontneed=1");
	while (n < 500)
		n += snprintf(buf + n, sizeof buf - (size_t)n, ",gctrace=0");
	n += snprintf(buf + n, sizeof buf - (size_t)n, "%c", '\0');
	parse_environ(buf, (size_t)n, &e);
	assert_int_equal(strlen(e.godebug), sizeof e.godebug - 1);
	assert_int_equal(e.madvdontneed, 1);
}

/* Values longer than their fields are cut, never overflow. */
static void test_environ_long_values(void **state)
{
	(void)state;
	char buf[2048];
	size_t n = 0;
	const char *names[] = {"GOGC=", "GOMEMLIMIT=", "GOMAXPROCS=", "GODEBUG="};
	for (size_t k = 0; k < 4; k++) {
		memcpy(buf + n, names[k], strlen(names[k]));
		n += strlen(names[k]);
		memset(buf + n, '9', 400);
		n += 400;
		buf[n++] = '\0';
	}
	struct go_env e;
	parse_environ(buf, n, &e);
	assert_int_equal(strlen(e.gogc), sizeof e.gogc - 1);
	assert_int_equal(strlen(e.gomemlimit), sizeof e.gomemlimit - 1);
	assert_int_equal(strlen(e.gomaxprocs), sizeof e.gomaxprocs - 1);
	assert_int_equal(strlen(e.godebug), sizeof e.godebug - 1);
}

/* ---- /proc/PID/cgroup ------------------------------------------------------- */

static int cgroup_of(const char *buf, size_t len, int *version, char *path, size_t cap)
{
	*version = -7;
	snprintf(path, cap, "untouched");
	return parse_proc_cgroup(buf, len, version, path, cap);
}

#define assert_cgroup(text, want_version, want_path)                           \
	do {                                                                   \
		int v_;                                                        \
		char p_[512];                                                  \
		assert_int_equal(cgroup_of(LIT(text), &v_, p_, sizeof p_), 0); \
		assert_int_equal(v_, (want_version));                          \
		assert_string_equal(p_, (want_path));                          \
	} while (0)

#define assert_no_cgroup(text)                                                  \
	do {                                                                    \
		int v_;                                                         \
		char p_[512];                                                   \
		assert_int_equal(cgroup_of(LIT(text), &v_, p_, sizeof p_), -1); \
	} while (0)

static void test_proc_cgroup_v2(void **state)
{
	(void)state;
	assert_cgroup("0::/system.slice/x.service\n", 2, "/system.slice/x.service");
	assert_cgroup("0::/system.slice/x.service", 2, "/system.slice/x.service");
	assert_cgroup("0::/\n", 2, "/");
	/* a path with ':' in it: only the first two colons split */
	assert_cgroup("0::/kubepods/pod1:a\n", 2, "/kubepods/pod1:a");
	/* "12::/x" has no controllers but is no v2 line */
	assert_no_cgroup("12::/x\n");
}

static void test_proc_cgroup_v1(void **state)
{
	(void)state;
	assert_cgroup("12:pids:/docker/abc\n7:cpu,cpuacct:/x\n4:memory:/docker/abc\n"
		      "1:name=systemd:/docker/abc\n",
		      1, "/docker/abc");
	assert_cgroup("4:memory:/docker/abc\n7:cpu,cpuacct:/x\n", 1, "/docker/abc");
	/* memory among several controllers, anywhere in the list */
	assert_cgroup("5:cpuset,memory:/m\n", 1, "/m");
	assert_cgroup("5:memory,cpuset:/m\n", 1, "/m");
	assert_cgroup("5:cpu,memory,cpuset:/m\n", 1, "/m");
	/* "memory" only as a whole controller name */
	assert_no_cgroup("3:memory_x:/a\n");
	assert_no_cgroup("3:xmemory:/a\n");
	assert_no_cgroup("3:memory_x,cpu:/a\n");
	assert_no_cgroup("3:memor:/a\n");
	assert_no_cgroup("3:name=memory:/a\n");
	assert_cgroup("3:memory_x:/a\n4:memory:/b\n", 1, "/b");
	assert_no_cgroup("7:cpu,cpuacct:/x\n1:name=systemd:/\n");
}

/* Hybrid hosts: cgroup2 is mounted too ("0::/..."), but the memory
 * controller is on v1, so v1's line wins, in either order. */
static void test_proc_cgroup_hybrid(void **state)
{
	(void)state;
	assert_cgroup("4:memory:/docker/abc\n0::/\n", 1, "/docker/abc");
	assert_cgroup("0::/\n4:memory:/docker/abc\n", 1, "/docker/abc");
	assert_cgroup("0::/user.slice\n3:memory_x:/a\n", 2, "/user.slice");

	size_t len;
	char *buf = read_data("context/hybrid-v1/cgroup", &len);
	int v;
	char p[512];
	assert_int_equal(cgroup_of(buf, len, &v, p, sizeof p), 0);
	assert_int_equal(v, 1);
	assert_string_equal(p, "/process_api/480d7c8cb4289c56bfa5d261e11d992e");
	free(buf);

	buf = read_data("context/v2/cgroup", &len);
	assert_int_equal(cgroup_of(buf, len, &v, p, sizeof p), 0);
	assert_int_equal(v, 2);
	assert_string_equal(p, "/system.slice/memsvc.service");
	free(buf);
}

static void test_proc_cgroup_none(void **state)
{
	(void)state;
	int v;
	char p[64];
	assert_int_equal(cgroup_of("", 0, &v, p, sizeof p), -1);
	assert_no_cgroup("\n\n");
	assert_no_cgroup("hello\n");
	assert_no_cgroup("1:name=systemd:/\n");
	assert_no_cgroup("0:/\n");
	/* a path cut to the caller's buffer */
	assert_int_equal(cgroup_of(LIT("0::/system.slice/x.service\n"), &v, p, 8), 0);
	assert_int_equal(v, 2);
	assert_string_equal(p, "/system");
}

/* ---- mountinfo -------------------------------------------------------------- */

static char last_root[512];

static int mount_of(const char *buf, size_t len, int version, char *mnt, size_t cap)
{
	snprintf(mnt, cap, "untouched");
	snprintf(last_root, sizeof last_root, "untouched");
	return parse_mountinfo_cgroup(buf, len, version, mnt, cap, last_root, sizeof last_root);
}

/* In a v1 container without a cgroup namespace, the memory hierarchy is
 * mounted from the container's own cgroup: the root field says which. */
static void test_mountinfo_root(void **state)
{
	(void)state;
	static const char mi[] =
	    "35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n"
	    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	char mnt[512];
	assert_int_equal(mount_of(mi, sizeof mi - 1, 1, mnt, sizeof mnt), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/memory");
	assert_string_equal(last_root, "/docker/abc");
	assert_int_equal(mount_of(mi, sizeof mi - 1, 2, mnt, sizeof mnt), 0);
	assert_string_equal(last_root, "/");
}

static void test_mountinfo_recorded(void **state)
{
	(void)state;
	char mnt[512];
	size_t len;
	/* this machine: memory on v1 at /sys/fs/cgroup/memory, cgroup2 at
	 * /sys/fs/cgroup/unified, a tmpfs at /sys/fs/cgroup itself */
	char *buf = read_data("context/hybrid-v1/mountinfo", &len);
	assert_int_equal(mount_of(buf, len, 1, mnt, sizeof mnt), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/memory");
	assert_int_equal(mount_of(buf, len, 2, mnt, sizeof mnt), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/unified");
	free(buf);

	/* a pure v2 host: "cgroup2 cgroup2 rw,nsdelegate,..." at /sys/fs/cgroup */
	buf = read_data("context/v2/mountinfo", &len);
	assert_int_equal(mount_of(buf, len, 2, mnt, sizeof mnt), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup");
	assert_int_equal(mount_of(buf, len, 1, mnt, sizeof mnt), -1);
	free(buf);
}

static void test_mountinfo_lines(void **state)
{
	(void)state;
	char mnt[512];
	/* in a v1 container: the root is the container's cgroup */
	const char *docker_v1 =
	    "1121 1120 0:99 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs tmpfs "
	    "rw,mode=755\n"
	    "1125 1121 0:33 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime "
	    "master:12 - cgroup cgroup rw,cpu,cpuacct\n"
	    "1130 1121 0:36 /docker/abc /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime "
	    "master:15 - cgroup cgroup rw,memory\n";
	assert_int_equal(mount_of(docker_v1, strlen(docker_v1), 1, mnt, sizeof mnt), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/memory");
	assert_int_equal(mount_of(docker_v1, strlen(docker_v1), 2, mnt, sizeof mnt), -1);

	/* in a v2 container the source is "cgroup"; no trailing newline */
	const char *docker_v2 = "1008 1005 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - "
				"cgroup2 cgroup rw,nsdelegate,memory_recursiveprot";
	assert_int_equal(mount_of(docker_v2, strlen(docker_v2), 2, mnt, sizeof mnt), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup");

	/* a pod's own cgroup2, then the host's mounted over it at the same
	 * point (what a path there reaches), then a chroot's bind elsewhere */
	const char *pod = "900 800 0:27 / /sys/fs/cgroup ro - cgroup2 cgroup rw\n"
			  "901 900 0:27 /../../.. /sys/fs/cgroup ro - cgroup2 cgroup rw\n"
			  "902 800 0:27 /../../.. /srv/root/sys/fs/cgroup ro - cgroup2 cgroup rw\n";
	char root[512];
	assert_int_equal(parse_mountinfo_cgroup(pod, strlen(pod), 2, mnt, sizeof mnt, root,
						sizeof root),
			 0);
	assert_string_equal(mnt, "/sys/fs/cgroup");
	assert_string_equal(root, "/../../..");

	/* memory as a whole option, among others, on a "cgroup" mount only */
	const char *v1 = "30 25 0:26 / /cg/other rw - cgroup cgroup rw,name=memory\n"
			 "31 25 0:27 / /cg/x rw - cgroup cgroup rw,memory_x\n"
			 "32 25 0:28 / /cg/tmp rw - tmpfs memory rw,memory\n"
			 "33 25 0:29 / /cg/mem rw - cgroup cgroup rw,cpuset,memory,hugetlb\n";
	assert_int_equal(mount_of(v1, strlen(v1), 1, mnt, sizeof mnt), 0);
	assert_string_equal(mnt, "/cg/mem");

	/* lines without " - ", or too short, are skipped */
	const char *odd = "garbage\n"
			  "40 1 0:5 / /x rw -\n"
			  "41 1 0:5 /\n"
			  "\n"
			  "42 1 0:30 / /sys/fs/cgroup rw shared:9 - cgroup2 cgroup2 rw\n";
	assert_int_equal(mount_of(odd, strlen(odd), 2, mnt, sizeof mnt), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup");

	assert_int_equal(mount_of("", 0, 2, mnt, sizeof mnt), -1);
	assert_int_equal(mount_of("", 0, 1, mnt, sizeof mnt), -1);
}

/* An overlay root's line runs to thousands of bytes (one lowerdir per
 * image layer); the cgroup line after it is still found. */
static void test_mountinfo_long_line(void **state)
{
	(void)state;
	char buf[8192];
	int n = snprintf(buf, sizeof buf,
			 "800 700 0:50 / / rw,relatime - overlay overlay rw,lowerdir=");
	for (int i = 0; n < 5000; i++)
		n += snprintf(buf + n, sizeof buf - (size_t)n,
			      "/var/lib/docker/overlay2/l/LAYER%04d:", i);
	n += snprintf(buf + n, sizeof buf - (size_t)n,
		      ",upperdir=/u,workdir=/w\n"
		      "810 800 0:27 / /sys/fs/cgroup ro - cgroup2 cgroup rw,nsdelegate\n");
	char mnt[512];
	assert_int_equal(mount_of(buf, (size_t)n, 2, mnt, sizeof mnt), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup");
	/* cut to the caller's buffer */
	assert_int_equal(mount_of(buf, (size_t)n, 2, mnt, 5), 0);
	assert_string_equal(mnt, "/sys");
}

/* ---- memory files ----------------------------------------------------------- */

static opt_u64 limit_of(const char *s, size_t len)
{
	opt_u64 o = opt_some(12345);
	parse_cgroup_limit(s, len, &o);
	return o;
}

static void test_cgroup_limit(void **state)
{
	(void)state;
	assert_unknown(limit_of(LIT("max\n")));
	assert_unknown(limit_of(LIT("max")));
	assert_known(limit_of(LIT("536870912\n")), 536870912);
	assert_known(limit_of(LIT("536870912")), 536870912);
	assert_known(limit_of(LIT("0\n")), 0);
	assert_known(limit_of(LIT(" 42\n")), 42);
	/* v1's "no limit": LONG_MAX rounded down to a 4 KiB page */
	assert_unknown(limit_of(LIT("9223372036854771712\n")));
	/* and with 64 KiB pages (arm64, ppc64le) */
	assert_unknown(limit_of(LIT("9223372036854710272\n")));
	assert_unknown(limit_of(LIT("4611686018427387904\n"))); /* 2^62 */
	assert_known(limit_of(LIT("4611686018427387903\n")), UINT64_C(4611686018427387903));
	assert_unknown(limit_of(LIT("")));
	assert_unknown(limit_of(LIT("\n")));
	assert_unknown(limit_of(LIT("-1\n")));
	assert_unknown(limit_of(LIT("99999999999999999999\n")));

	size_t len;
	char *buf = read_data("context/v2/memory.max", &len);
	assert_known(limit_of(buf, len), 512 * MiB);
	free(buf);
	buf = read_data("context/v2/memory.current", &len);
	assert_known(limit_of(buf, len), 73400320);
	free(buf);
	buf = read_data("context/v2/memory.swap.max", &len);
	assert_unknown(limit_of(buf, len));
	free(buf);
	buf = read_data("context/hybrid-v1/memory.limit_in_bytes", &len);
	assert_unknown(limit_of(buf, len));
	free(buf);
	buf = read_data("context/hybrid-v1/memory.usage_in_bytes", &len);
	assert_known(limit_of(buf, len), 1642434560);
	free(buf);
}

static opt_u64 stat_of(const char *s, size_t len, const char *key)
{
	opt_u64 o = opt_some(12345);
	parse_cgroup_stat(s, len, key, &o);
	return o;
}

static void test_cgroup_stat(void **state)
{
	(void)state;
	/* a key is a whole word: "anon_thp" is not "anon", wherever it is */
	assert_known(stat_of(LIT("anon_thp 4096\nanon 8192\n"), "anon"), 8192);
	assert_known(stat_of(LIT("anon 8192\nanon_thp 4096\n"), "anon_thp"), 4096);
	assert_unknown(stat_of(LIT("anon_thp 4096\n"), "anon"));
	assert_known(stat_of(LIT("total_rss 5\nrss_huge 6\nrss 7\n"), "rss"), 7);
	assert_known(stat_of(LIT("file_mapped 1\nfile_dirty 3\nfile 2\n"), "file"), 2);
	assert_unknown(stat_of(LIT("xanon 1\n"), "anon"));
	/* the first match */
	assert_known(stat_of(LIT("anon 1\nanon 2\n"), "anon"), 1);
	/* the last line without a newline */
	assert_known(stat_of(LIT("file 1\nanon 77"), "anon"), 77);
	/* no value, or not a number */
	assert_unknown(stat_of(LIT("anon\n"), "anon"));
	assert_unknown(stat_of(LIT("anon \n"), "anon"));
	assert_unknown(stat_of(LIT("anon x\n"), "anon"));
	assert_unknown(stat_of(LIT("anon x\nanon 5\n"), "anon"));
	assert_unknown(stat_of(LIT(""), "anon"));
	assert_unknown(stat_of(LIT("\n\n"), "anon"));

	size_t len;
	char *buf = read_data("context/v2/memory.stat", &len);
	assert_known(stat_of(buf, len, "anon"), 52006912);
	assert_known(stat_of(buf, len, "file"), 17563648);
	assert_known(stat_of(buf, len, "anon_thp"), 0);
	assert_known(stat_of(buf, len, "file_mapped"), 12398592);
	assert_known(stat_of(buf, len, "thp_collapse_alloc"), 0);
	assert_unknown(stat_of(buf, len, "rss"));
	free(buf);
	buf = read_data("context/hybrid-v1/memory.stat", &len);
	assert_known(stat_of(buf, len, "rss"), 1777664);
	assert_known(stat_of(buf, len, "cache"), 1615446016);
	assert_known(stat_of(buf, len, "rss_huge"), 0);
	assert_known(stat_of(buf, len, "total_rss"), 1777664);
	assert_unknown(stat_of(buf, len, "anon"));
	free(buf);
}

static void test_thp_mode(void **state)
{
	(void)state;
	char m[32];
	parse_thp_mode(LIT("always [madvise] never\n"), m, sizeof m);
	assert_string_equal(m, "madvise");
	parse_thp_mode(LIT("[always] madvise never\n"), m, sizeof m);
	assert_string_equal(m, "always");
	parse_thp_mode(LIT("always madvise [never]"), m, sizeof m);
	assert_string_equal(m, "never");
	/* the defrag file has more modes */
	parse_thp_mode(LIT("always defer defer+madvise [madvise] never\n"), m, sizeof m);
	assert_string_equal(m, "madvise");
	parse_thp_mode(LIT("always defer [defer+madvise] madvise never\n"), m, sizeof m);
	assert_string_equal(m, "defer+madvise");
	snprintf(m, sizeof m, "untouched");
	parse_thp_mode(LIT("always madvise never\n"), m, sizeof m);
	assert_string_equal(m, "");
	snprintf(m, sizeof m, "untouched");
	parse_thp_mode(LIT("always [madvise never\n"), m, sizeof m);
	assert_string_equal(m, "");
	snprintf(m, sizeof m, "untouched");
	parse_thp_mode("", 0, m, sizeof m);
	assert_string_equal(m, "");
	parse_thp_mode(LIT("[]"), m, sizeof m);
	assert_string_equal(m, "");
	/* the bracket must be inside the length given */
	snprintf(m, sizeof m, "untouched");
	parse_thp_mode("always [madvise] never", 8, m, sizeof m);
	assert_string_equal(m, "");
	/* cut to the caller's buffer */
	parse_thp_mode(LIT("always [madvise] never\n"), m, 4);
	assert_string_equal(m, "mad");

	size_t len;
	char *buf = read_data("context/hybrid-v1/transparent_hugepage_enabled", &len);
	parse_thp_mode(buf, len, m, sizeof m);
	assert_string_equal(m, "madvise");
	free(buf);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_environ_file),
	    cmocka_unit_test(test_environ_empty),
	    cmocka_unit_test(test_environ_last_byte),
	    cmocka_unit_test(test_environ_keys),
	    cmocka_unit_test(test_environ_duplicate_first_wins),
	    cmocka_unit_test(test_environ_gogc),
	    cmocka_unit_test(test_environ_gomemlimit),
	    cmocka_unit_test(test_gomemlimit),
	    cmocka_unit_test(test_gomemlimit_int64_max),
	    cmocka_unit_test(test_godebug_flag),
	    cmocka_unit_test(test_environ_godebug),
	    cmocka_unit_test(test_environ_long_values),
	    cmocka_unit_test(test_proc_cgroup_v2),
	    cmocka_unit_test(test_proc_cgroup_v1),
	    cmocka_unit_test(test_proc_cgroup_hybrid),
	    cmocka_unit_test(test_proc_cgroup_none),
	    cmocka_unit_test(test_mountinfo_recorded),
	    cmocka_unit_test(test_mountinfo_root),
	    cmocka_unit_test(test_mountinfo_lines),
	    cmocka_unit_test(test_mountinfo_long_line),
	    cmocka_unit_test(test_cgroup_limit),
	    cmocka_unit_test(test_cgroup_stat),
	    cmocka_unit_test(test_thp_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
