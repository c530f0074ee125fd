/* Acquire: the Go build info of an executable file (a path, or
 * /proc/PID/exe), read with pread; the decoding is src/parse/buildinfo.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correlate/buildinfo.h"

_Static_assert(sizeof(off_t) >= 8, "needs large file support (_FILE_OFFSET_BITS=64)");

struct exe_file {
	int fd;
	int read_errno; /* errno of the failed pread, for the message */
};

static long exe_read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct exe_file *x = ctx;
	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off ||
	    len > (size_t)LONG_MAX) {
		x->read_errno = EOVERFLOW;
		return -1;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(x->fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			x->read_errno = errno;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (long)done;
}

static int open_error(const char *path, int e, struct err *err)
{
	err_set(err, ERR_PROC, "cannot open %s: %s", path, strerror(e));
	if ((e == EACCES || e == EPERM) && strncmp(path, "/proc/", 6) == 0)
		return err_hint(err, "another user's /proc/PID/exe needs root or CAP_SYS_PTRACE: "
				     "run correlate with sudo, or as the service's user");
	return ERR_PROC;
}

int buildinfo_read_file(const char *path, struct go_buildinfo *out, struct err *err)
{
	struct exe_file x = {.fd = -1, .read_errno = 0};
	struct stat st;
	memset(out, 0, sizeof *out);
	out->cgo = -1;
	x.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (x.fd < 0)
		return open_error(path, errno, err);
	if (fstat(x.fd, &st) != 0) {
		int e = errno;
		close(x.fd);
		return err_set(err, ERR_PROC, "cannot stat %s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(x.fd);
		return err_set(err, ERR_PROC, "%s: not a regular file", path);
	}
	int rc = buildinfo_read(exe_read_at, &x, (uint64_t)st.st_size, out, err);
	close(x.fd);
	if (rc && err) {
		char msg[sizeof err->msg];
		memcpy(msg, err->msg, sizeof msg);
		if (x.read_errno)
			err_set(err, rc, "%s: %s: %s", path, msg, strerror(x.read_errno));
		else
			err_prefix(err, "%s", path);
	}
	return rc;
}
