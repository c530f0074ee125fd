#include <stdlib.h>
#include <string.h>

#include "correlate/capture.h"

const char *capture_go_version(const struct capture *c)
{
	if (c->go.go_version[0])
		return c->go.go_version;
	if (c->os.build.found && c->os.build.go_version[0])
		return c->os.build.go_version;
	return NULL;
}

/* "go1.21.13" -> 121 and 13; "go1.22" or "go1.22rc1" -> 122 and 0. */
static int go_version_parts(const struct capture *c, int *patch)
{
	const char *v = capture_go_version(c);
	*patch = 0;
	if (!v || strncmp(v, "go", 2) != 0)
		return 0;
	char *end;
	long major = strtol(v + 2, &end, 10);
	if (*end != '.' || major < 1 || major > 99) /* hostile text: keep the product small */
		return 0;
	long minor = strtol(end + 1, &end, 10);
	if (minor < 0 || minor > 99)
		return 0;
	if (*end == '.') {
		long p = strtol(end + 1, &end, 10);
		*patch = p >= 0 && p <= 999 ? (int)p : 0;
	}
	return (int)(major * 100 + minor);
}

int capture_go_minor(const struct capture *c)
{
	int patch;
	return go_version_parts(c, &patch);
}

int capture_go_release(const struct capture *c)
{
	int patch, minor = go_version_parts(c, &patch);
	return minor ? minor * 1000 + patch : 0;
}

void capture_free(struct capture *c)
{
	if (!c)
		return;
	mapping_summary_free(&c->os.maps);
	free(c->os.cgroup.record);
	c->os.cgroup.record = NULL;
	c->os.cgroup.record_len = 0;
}

int capture_os_only(const struct capture *c)
{
	/* Said, not inferred: a capture built by hand without a format is not
	 * one (issue 11). */
	return c->reach.go_missing[0] != '\0';
}
