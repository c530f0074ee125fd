/* The Go build info reader: the input is the whole "file", read through a
 * read_at callback that aborts on any read outside it (buildinfo.h: "never
 * reads outside [0, file_size)").  Then twice more with a read that fails,
 * and one that comes back short, at a call the input picks: both must be
 * errors, without leaks.  The module info text parser gets the raw input
 * too. */
#include <string.h>

#include "correlate/buildinfo.h"
#include "correlate/capture.h"
#include "fuzz.h"

struct mem {
	const uint8_t *p;
	size_t len;
	unsigned calls;
	unsigned fail_at;  /* this call (1-based) returns -1; 0 none */
	unsigned short_at; /* this call returns one byte less; 0 none */
};

static long mem_read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct mem *m = ctx;
	FUZZ_CHECK(off <= m->len && len <= m->len - off,
		   "read of %zu bytes at offset %llu of a %zu-byte file", len,
		   (unsigned long long)off, m->len);
	FUZZ_CHECK(len <= (64u << 10), "a %zu-byte read: more than one chunk", len);
	m->calls++;
	if (m->calls == m->fail_at)
		return -1;
	if (m->calls == m->short_at && len > 0)
		len--;
	if (len)
		memcpy(buf, m->p + off, len);
	return (long)len;
}

static void terminated(const struct go_buildinfo *bi)
{
	FUZZ_CHECK(memchr(bi->go_version, '\0', sizeof bi->go_version) &&
		   memchr(bi->path, '\0', sizeof bi->path) &&
		   memchr(bi->goarch, '\0', sizeof bi->goarch) &&
		   memchr(bi->goos, '\0', sizeof bi->goos) &&
		   memchr(bi->buildmode, '\0', sizeof bi->buildmode) &&
		   memchr(bi->default_godebug, '\0', sizeof bi->default_godebug));
	FUZZ_CHECK(bi->cgo >= -1 && bi->cgo <= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_buildinfo bi;
	struct err err = {0};
	struct mem m = {.p = data, .len = size};
	int rc = buildinfo_read(mem_read_at, &m, size, &bi, &err);
	fuzz_check_err(rc, &err);
	terminated(&bi);
	if (rc)
		FUZZ_CHECK(bi.found == 0, "an error, yet found");
	if (bi.found) {
		FUZZ_CHECK(bi.go_version[0] != '\0', "found, with an empty Go version");
		/* The version a report shows: its major.minor must not overflow. */
		static struct capture c;
		c.os.build = bi;
		FUZZ_CHECK(capture_go_minor(&c) >= 0);
	}

	unsigned calls = m.calls;
	if (calls > 0) {
		unsigned pick = size ? data[size - 1] : 0;
		struct mem f = {.p = data, .len = size, .fail_at = pick % calls + 1};
		struct err e2 = {0};
		int rc2 = buildinfo_read(mem_read_at, &f, size, &bi, &e2);
		fuzz_check_err(rc2, &e2);
		FUZZ_CHECK(rc2 == ERR_PROC, "read %u of %u failed, yet %d", f.fail_at, calls, rc2);
		FUZZ_CHECK(bi.found == 0);

		struct mem s = {.p = data, .len = size, .short_at = (pick / 7) % calls + 1};
		struct err e3 = {0};
		int rc3 = buildinfo_read(mem_read_at, &s, size, &bi, &e3);
		fuzz_check_err(rc3, &e3);
		FUZZ_CHECK(rc3 == ERR_PROC, "read %u of %u came back short, yet %d", s.short_at,
			   calls, rc3);
	}

	struct go_buildinfo mi;
	memset(&mi, 0, sizeof mi);
	buildinfo_parse_modinfo((const char *)data, size, &mi);
	terminated(&mi);
	return 0;
}
