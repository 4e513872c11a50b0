#include "core/procspawn.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int
procspawn_session(pid_t *pid, const char *file, posix_spawn_file_actions_t *fa,
    char *const argv[], char *const env[])
{
	posix_spawnattr_t attr;
	sigset_t all, none;
	int rc;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	rc = posix_spawnp(pid, file, fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	return rc;
}

int
procspawn_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

bool
procspawn_reap(pid_t pid, int64_t *status, int *term_signal)
{
	siginfo_t info = { 0 };

	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG) < 0 || info.si_pid != pid)
		return false;
	*status = info.si_code == CLD_EXITED ? info.si_status : 0;
	*term_signal = info.si_code == CLD_EXITED ? 0 : info.si_status;
	return true;
}
