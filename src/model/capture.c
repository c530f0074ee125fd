#include "correlate/capture.h"

const char *capture_go_version(const struct capture *c)
{
	if (c->go.go_version[0])
		return c->go.go_version;
	if (c->os.build.found && c->os.build.go_version[0])
		return c->os.build.go_version;
	return NULL;
}
