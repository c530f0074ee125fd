/* buildinfo_dump FILE: prints what buildinfo_read_file finds in FILE, one
 * "key=value" a line, for tests/integration/test_buildinfo.py to compare with
 * `go version -m`.  "found=0" for an ELF file that is not a Go program; on an
 * error, the message on stderr and the error's code as exit status (3 for a
 * file that cannot be read or is not ELF). */
#include <stdio.h>

#include "correlate/buildinfo.h"

int main(int argc, char **argv)
{
	struct go_buildinfo bi;
	struct err err = {0};
	if (argc != 2) {
		fprintf(stderr, "usage: buildinfo_dump FILE\n");
		return ERR_USAGE;
	}
	if (buildinfo_read_file(argv[1], &bi, &err) != 0) {
		fprintf(stderr, "buildinfo_dump: %s\n", err.msg);
		if (err.hint[0])
			fprintf(stderr, "hint: %s\n", err.hint);
		return err.code;
	}
	printf("found=%d\n", bi.found);
	if (!bi.found)
		return 0;
	printf("go_version=%s\n", bi.go_version);
	printf("path=%s\n", bi.path);
	printf("goarch=%s\n", bi.goarch);
	printf("goos=%s\n", bi.goos);
	printf("buildmode=%s\n", bi.buildmode);
	printf("cgo=%d\n", bi.cgo);
	printf("default_godebug=%s\n", bi.default_godebug);
	return 0;
}
