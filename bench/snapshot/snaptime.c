/*
 * snaptime: run a command and append its wall-clock time, in ms, to a file.
 *
 * usage: snaptime OUT CMD [ARGS...]
 *
 * CLOCK_MONOTONIC read right before posix_spawnp and right after waitpid,
 * so the time is the command's own (no `date` process around it). The
 * command's output goes where snaptime's goes; snaptime exits with its
 * status (128 + signal when it was killed).
 */
#include <err.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	double t0, t1;
	pid_t pid;
	FILE *out;
	int rc, status;

	if (argc < 3)
		errx(2, "usage: snaptime OUT CMD [ARGS...]");
	t0 = now_ms();
	if ((rc = posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ)) != 0) {
		errno = rc;
		err(127, "%s", argv[2]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			err(1, "waitpid");
	t1 = now_ms();
	if ((out = fopen(argv[1], "a")) == NULL)
		err(1, "%s", argv[1]);
	fprintf(out, "%.3f\n", t1 - t0);
	if (fclose(out) != 0)
		err(1, "%s", argv[1]);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
