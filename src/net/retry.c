/*
 * retry_command(): for now the command once, inherited stdio. The loop
 * with retries, fallbacks and heals follows.
 */
#include "net/retry.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "core/clock.h"

extern char **environ;

int
retry_command(const struct retry_options *o, char *const argv[], struct retry_report *out)
{
	struct retry_report r = { 0 };
	int64_t start = clock_mono_ms();
	pid_t pid;
	int rc, status;

	r.attempts = 1;
	rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		r.exit_code = rc == ENOENT ? RETRY_EXIT_NOTFOUND : RETRY_EXIT_NOEXEC;
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		r.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
		    WEXITSTATUS(status);
	}
	r.succeeded = r.exit_code == 0;
	r.elapsed_ms = clock_mono_ms() - start;
	snprintf(r.summary, sizeof(r.summary), "%s: %s after 1 attempt", o->label,
	    r.succeeded ? "succeeded" : "gave up");
	if (out != NULL)
		*out = r;
	return r.exit_code;
}
