/* A recorded pair's own files: meta.json, cgroup.json and top, and a
 * recorded series' series.json (issue 14), all on the same text.  What parses is written back (meta_json, cgroup_json) and
 * must parse again: correlate must read what it writes.  What it writes is
 * printable JSON (escape.h): valid UTF-8, no raw control byte, and a
 * string comes back exactly, but for the bytes that were not UTF-8, which
 * come back as \xNN. */
#include <stdlib.h>
#include <string.h>

#include "correlate/capture.h"
#include "correlate/escape.h"
#include "correlate/meta.h"
#include "correlate/series.h"
#include "fuzz.h"

static struct capture c, c2;

/* got is what a field of cap bytes holding s reads back as. */
static int same_back(const char *s, const char *got, size_t cap)
{
	static char want[ESC_MAX(1024)];
	esc_str(want, sizeof want, s, ESC_UTF8);
	if (strlen(want) >= cap)
		want[cap - 1] = '\0'; /* get_str cut it to the field */
	return strcmp(want, got) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct err err = {0};

	memset(&c, 0, sizeof c);
	int rc = parse_meta(buf, size, &c, &err);
	fuzz_check_err(rc, &err);
	if (rc == 0) {
		FUZZ_CHECK(capture_go_minor(&c) >= 0);
		char *j = meta_json(&c);
		if (j) {
			struct err e2 = {0};
			fuzz_check_clean(j, strlen(j), 1, "meta_json's document");
			memset(&c2, 0, sizeof c2);
			int rc2 = parse_meta(j, strlen(j), &c2, &e2);
			FUZZ_CHECK(rc2 == 0, "meta_json wrote what parse_meta refuses: %s\n%s",
				   e2.msg, j);
			FUZZ_CHECK(same_back(c.url, c2.url, sizeof c2.url) &&
				       same_back(c.tried, c2.tried, sizeof c2.tried) &&
				       same_back(c.os.id.exe, c2.os.id.exe, sizeof c2.os.id.exe) &&
				       same_back(c.os.id.comm, c2.os.id.comm, sizeof c2.os.id.comm) &&
				       same_back(c.os.build.go_version, c2.os.build.go_version,
						 sizeof c2.os.build.go_version),
				   "a string changed on the way back");
			free(j);
		}
	}

	struct cgroup_info cg;
	memset(&cg, 0, sizeof cg);
	err = (struct err){0};
	rc = parse_cgroup_json(buf, size, &cg, &err);
	fuzz_check_err(rc, &err);
	if (rc == 0) {
		FUZZ_CHECK(cg.version >= 0 && cg.version <= 2);
		FUZZ_CHECK(memchr(cg.why, '\0', sizeof cg.why) && memchr(cg.path, '\0', sizeof cg.path));
		char *j = cgroup_json(&cg);
		if (j) {
			struct cgroup_info cg2;
			struct err e2 = {0};
			fuzz_check_clean(j, strlen(j), 1, "cgroup_json's document");
			int rc2 = parse_cgroup_json(j, strlen(j), &cg2, &e2);
			FUZZ_CHECK(rc2 == 0, "cgroup_json wrote what parse_cgroup_json refuses: %s\n%s",
				   e2.msg, j);
			FUZZ_CHECK(cg2.version == cg.version && same_back(cg.path, cg2.path, sizeof cg2.path));
			free(j);
		}
	}

	struct status_values sv;
	memset(&sv, 0, sizeof sv);
	err = (struct err){0};
	rc = parse_top(buf, size, &sv, &err);
	fuzz_check_err(rc, &err);
	if (rc == 0)
		FUZZ_CHECK(sv.vm_size.known && sv.vm_rss.known);

	struct series_index si;
	err = (struct err){0};
	rc = parse_series_index(buf, size, &si, &err);
	fuzz_check_err(rc, &err);
	if (rc == 0) {
		/* a sample's folder is a plain name inside the series (series.h) */
		for (size_t i = 0; i < si.n; i++) {
			const char *d = si.e[i].dir;
			FUZZ_CHECK(d[0] && !strchr(d, '/') && strcmp(d, ".") && strcmp(d, ".."),
				   "a sample folder that leaves the series: %s", d);
		}
		FUZZ_CHECK(memchr(si.ended, '\0', sizeof si.ended) != NULL);
		series_index_free(&si);
	}
	return 0;
}
