/* What a Go executable says about its own build: the .go.buildinfo section
 * (src/debug/buildinfo in Go's tree).  Two layouts: Go >= 1.18 inlines the
 * version and module info as varint-length strings (flags & 2); Go 1.13-1.17
 * store two pointers to Go string headers, resolved through the ELF's
 * program headers. */
#ifndef CORRELATE_BUILDINFO_H
#define CORRELATE_BUILDINFO_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/err.h"

struct go_buildinfo {
	int found;		    /* 1: a Go build info section was read */
	char go_version[32];	    /* "go1.19.8" */
	char path[256];		    /* main package path ("path\t..." line) */
	char goarch[16];	    /* "build\tGOARCH=amd64"; "" unknown */
	char goos[16];		    /* "build\tGOOS=linux" */
	char buildmode[24];	    /* "build\t-buildmode=exe"; "" unknown */
	int cgo;		    /* "build\tCGO_ENABLED=": 1, 0; -1 unknown */
	int race;		    /* "build\t-race=true": 1; 0 when the build settings
				     * (Go 1.18+) do not say it; -1 unknown */
	char default_godebug[1024]; /* "build\tDefaultGODEBUG=..." (Go 1.21+) */
};

/* Reads len bytes at file offset off into buf.  Returns the number of bytes
 * read (short only at end of file) or -1 on an I/O error. */
typedef long (*read_at_fn)(void *ctx, uint64_t off, void *buf, size_t len);

/* Finds and decodes the Go build info of an ELF file (32/64-bit, either
 * endianness) read through read_at.  Reads only the ELF header, the section
 * headers and the bytes it needs: never the whole file.
 * Returns 0 and sets out->found = 1 when found; returns 0 with
 * out->found = 0 when the file is ELF but not a Go program; returns
 * ERR_PROC with a message when the file is not ELF, is truncated or
 * malformed, or read_at fails.  Never reads outside [0, file_size). */
int buildinfo_read(read_at_fn read_at, void *ctx, uint64_t file_size, struct go_buildinfo *out,
		   struct err *err);

/* Decodes the module info text ("path\t...\nbuild\tKEY=VALUE\n...") into out
 * (goarch, goos, buildmode, cgo, race, default_godebug, path).  Pure. */
void buildinfo_parse_modinfo(const char *modinfo, size_t len, struct go_buildinfo *out);

/* Acquire-side helper: buildinfo_read on a file path (e.g. /proc/PID/exe)
 * using pread.  Errors: ERR_PROC, naming the path and errno. */
int buildinfo_read_file(const char *path, struct go_buildinfo *out, struct err *err);

#endif
