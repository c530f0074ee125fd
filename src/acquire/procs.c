/* The host's Go processes, for a scan: /proc listed, each executable's Go
 * build info read (once per executable file, however many processes run
 * it). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correlate/acquire.h"
#include "correlate/buildinfo.h"
#include "correlate/scan.h"

struct exe_seen {
	dev_t dev;
	ino_t ino;
	int go;
};

static int by_pid(const void *a, const void *b)
{
	const struct scan_candidate *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Whether the executable behind path has Go build info: -1 when it cannot
 * be opened for lack of permission, -2 when it is gone or has none to
 * open (a kernel thread, a zombie, an exited process). */
static int is_go(const char *path, struct exe_seen **seen, size_t *n_seen, size_t *cap_seen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == EPERM ? -1 : -2;
	struct stat st;
	int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	if (!ok)
		return -2;
	for (size_t i = 0; i < *n_seen; i++)
		if ((*seen)[i].dev == st.st_dev && (*seen)[i].ino == st.st_ino)
			return (*seen)[i].go;
	struct go_buildinfo bi;
	struct err e = {0};
	int go = buildinfo_read_file(path, &bi, &e) == 0 && bi.found;
	if (*n_seen == *cap_seen) {
		size_t cap = *cap_seen ? *cap_seen * 2 : 64;
		struct exe_seen *g = realloc(*seen, cap * sizeof *g);
		if (!g)
			return go;
		*seen = g;
		*cap_seen = cap;
	}
	(*seen)[(*n_seen)++] = (struct exe_seen){st.st_dev, st.st_ino, go};
	return go;
}

int acquire_go_processes(struct scan_candidate **out, size_t *n, size_t *processes,
			 size_t *unreadable, struct err *err)
{
	*out = NULL;
	*n = *processes = *unreadable = 0;
	DIR *d = opendir("/proc");
	if (!d) {
		err_set(err, ERR_PROC, "cannot list /proc: %s", strerror(errno));
		return err_hint(err, "correlate scan reads /proc: is it mounted here?");
	}
	struct scan_candidate *c = NULL;
	size_t cap = 0;
	struct exe_seen *seen = NULL;
	size_t n_seen = 0, cap_seen = 0;
	pid_t self = getpid();
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) != NULL) {
		char *end;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		long v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0 || (pid_t)v == self)
			continue;
		char path[64];
		snprintf(path, sizeof path, "/proc/%ld/exe", v);
		int go = is_go(path, &seen, &n_seen, &cap_seen);
		if (go == -2)
			continue;
		(*processes)++;
		if (go == -1) {
			(*unreadable)++;
			continue;
		}
		if (!go)
			continue;
		struct proc_identity id;
		struct err e = {0};
		if (acquire_identity((pid_t)v, &id, &e) != 0 || id.kthread || id.state == 'Z')
			continue; /* gone meanwhile */
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct scan_candidate *g = realloc(c, nc * sizeof *g);
			if (!g) {
				rc = err_set(err, ERR_INTERNAL, "out of memory listing processes");
				break;
			}
			c = g;
			cap = nc;
		}
		struct scan_candidate *k = &c[(*n)++];
		k->pid = id.pid;
		k->start_tics = id.start_tics;
		snprintf(k->comm, sizeof k->comm, "%s", id.comm);
		snprintf(k->exe, sizeof k->exe, "%s", id.exe);
	}
	closedir(d);
	free(seen);
	if (rc) {
		free(c);
		*n = 0;
		return rc;
	}
	if (*n)
		qsort(c, *n, sizeof *c, by_pid);
	*out = c;
	return 0;
}
