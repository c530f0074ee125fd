/* peakrss FILE PROGRAM [ARG...]: runs PROGRAM and writes "MAXRSS STATUS" to
 * FILE: its peak resident set size in KiB, and its wait status as wait4
 * gave it (so a signal is told from an exit).  Exits as PROGRAM did (128 + N
 * for signal N).
 *
 * Why a launcher: a child's ru_maxrss includes the pages of the process it
 * was forked from, carried until exec (fs/exec.c, exec_mmap records the old
 * mm's high-water mark in the child's signal->maxrss).  Forked from Python
 * with jsonschema imported, /bin/true reads 24 MiB (issue 9).  Forked from
 * this small program, the child's own peak is what remains: /bin/true reads
 * about 1 MiB.  GNU time measures the same way.
 *
 * If this launcher dies (the test's timeout kills it), PROGRAM gets SIGKILL
 * too (PR_SET_PDEATHSIG), so no run outlives its test. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: peakrss FILE PROGRAM [ARG...]\n");
		return 2;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		perror("peakrss: fork");
		return 2;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(127);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "peakrss: cannot run %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("peakrss: wait4");
			return 2;
		}
	FILE *f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%ld %d\n", ru.ru_maxrss, status) < 0 || fclose(f) != 0) {
		fprintf(stderr, "peakrss: cannot write %s\n", argv[1]);
		return 2;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
