#include "core/procspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/children.h"
#include "core/mem.h"
#include "core/which.h"

/* The step of a forked child that failed, as it reports it on its error pipe. */
enum spawn_step {
	STEP_STDIO,
	STEP_CWD,
	STEP_SETGROUPS,
	STEP_SETGID,
	STEP_SETUID,
	STEP_EXEC,
	STEP_CGROUP,
	STEP_RLIMIT,		/* + the index of the limit that failed */
};

struct spawn_failure {
	int		 step;
	int		 err;
};

/* "rlimit nofile 1024:4096: ..." — which limit the child could not start under. */
static void
spawn_describe_rlimit(const struct procspawn *sp, size_t i, int err, char *buf, size_t len)
{
	char soft[24], hard[24];
	const struct procspawn_rlimit *l;

	if (i >= sp->n_rlimits) {
		snprintf(buf, len, "%s: %s", sp->argv[0], strerror(err));
		return;
	}
	l = &sp->rlimits[i];
	snprintf(soft, sizeof(soft), l->soft == RLIM_INFINITY ? "unlimited" : "%llu", l->soft);
	snprintf(hard, sizeof(hard), l->hard == RLIM_INFINITY ? "unlimited" : "%llu", l->hard);
	snprintf(buf, len, "rlimit %s %s%s%s: %s", l->name, soft, l->soft == l->hard ? "" : ":",
	    l->soft == l->hard ? "" : hard, strerror(err));
}

static void
spawn_describe(const struct procspawn *sp, enum spawn_step step, int err, char *buf,
    size_t len)
{
	if (buf == NULL || len == 0)
		return;
	switch (step) {
	case STEP_STDIO:
		snprintf(buf, len, "cannot set up its stdin/stdout/stderr: %s", strerror(err));
		break;
	case STEP_CWD:
		snprintf(buf, len, "cwd %s: %s", sp->cwd, strerror(err));
		break;
	case STEP_SETGROUPS:
		snprintf(buf, len, "setgroups: %s", strerror(err));
		break;
	case STEP_SETGID:
		snprintf(buf, len, "setgid %u: %s", (unsigned)sp->ids->gid, strerror(err));
		break;
	case STEP_SETUID:
		snprintf(buf, len, "setuid %u: %s", (unsigned)sp->ids->uid, strerror(err));
		break;
	case STEP_EXEC:
		snprintf(buf, len, "%s: %s", sp->argv[0], strerror(err));
		break;
	case STEP_CGROUP:
		snprintf(buf, len, "cannot join its cgroup: %s", strerror(err));
		break;
	default:
		spawn_describe_rlimit(sp, (size_t)(step - STEP_RLIMIT), err, buf, len);
		break;
	}
}

/* Why a directory cannot be a cwd, or 0. */
static int
spawn_cwd_error(const char *cwd)
{
	struct stat st;

	if (stat(cwd, &st) < 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	return access(cwd, X_OK) < 0 ? errno : 0;
}

/*
 * posix_spawn: glibc clones with CLONE_VM|CLONE_VFORK, so tend's page
 * tables are neither copied nor torn down and a start costs little more
 * than the exec. It cannot switch users, set a umask or say which file
 * action failed: the error of a chdir and of an exec are both ENOENT, told
 * apart afterwards by looking at the cwd.
 */
static int
spawn_posix(const struct procspawn *sp, pid_t *pid, enum spawn_step *step)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int i, rc, cwd_err;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawn_file_actions_init(&fa);
	for (i = 0; i < 3; i++) {
		if (sp->fd[i] < 0)
			posix_spawn_file_actions_addopen(&fa, i, "/dev/null",
			    i == 0 ? O_RDONLY : O_WRONLY, 0);
		else
			posix_spawn_file_actions_adddup2(&fa, sp->fd[i], i);
	}
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (sp->cwd != NULL)
		posix_spawn_file_actions_addchdir_np(&fa, sp->cwd);
	rc = posix_spawnp(pid, sp->argv[0], &fa, &attr, sp->argv, sp->env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	*step = STEP_EXEC;
	if (rc != 0 && sp->cwd != NULL && (cwd_err = spawn_cwd_error(sp->cwd)) != 0) {
		*step = STEP_CWD;
		rc = cwd_err;
	}
	return rc;
}

static void __attribute__((noreturn))
child_fail(int errfd, enum spawn_step step)
{
	struct spawn_failure f = { .step = step, .err = errno };
	ssize_t n;

	do
		n = write(errfd, &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	_exit(127);
}

/*
 * The child's 0, 1 and 2 from the descriptors it is given, whatever their
 * numbers: one below 3 that is not already in place is first moved out of
 * the way, so that a dup2 never overwrites a source still to be used.
 */
static int
child_stdio(const struct procspawn *sp)
{
	int src[3], i, null = -1;

	for (i = 0; i < 3; i++) {
		src[i] = sp->fd[i];
		if (src[i] < 0) {
			if (null < 0 && (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
				return -1;
			src[i] = null;
		}
	}
	for (i = 0; i < 3; i++)
		if (src[i] < 3 && src[i] != i &&
		    (src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 3)) < 0)
			return -1;
	for (i = 0; i < 3; i++) {
		if (src[i] == i ? fcntl(i, F_SETFD, 0) < 0 : dup2(src[i], i) < 0)
			return -1;
	}
	return 0;
}

/*
 * After fork, in the child of a threaded process: only async-signal-safe
 * calls until the exec. Failures go to the parent on errfd.
 */
static void __attribute__((noreturn))
child_run(const struct procspawn *sp, const char *path, int errfd)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct rlimit lim;
	sigset_t none;
	size_t i;
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	/* Before anything it starts or allocates: all of it is the cgroup's. */
	if (sp->join_cgroup && write(sp->cgroup_procs, "0", 1) < 0)
		child_fail(errfd, STEP_CGROUP);
	setsid();
	if (errfd < 3 && (errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3)) < 0)
		_exit(127);
	if (child_stdio(sp) < 0)
		child_fail(errfd, STEP_STDIO);
	/* The error pipe is the one descriptor left above 2, until the exec. */
	if (errfd != 3 && (errfd = dup3(errfd, 3, O_CLOEXEC)) < 0)
		_exit(127);
	closefrom(4);
	if (sp->umask >= 0)
		umask((mode_t)sp->umask);
	/* While still root: raising a hard limit needs it. */
	for (i = 0; i < sp->n_rlimits; i++) {
		lim.rlim_cur = (rlim_t)sp->rlimits[i].soft;
		lim.rlim_max = (rlim_t)sp->rlimits[i].hard;
		if (setrlimit((__rlimit_resource_t)sp->rlimits[i].resource, &lim) < 0)
			child_fail(errfd, (enum spawn_step)(STEP_RLIMIT + (int)i));
	}
	if (sp->ids != NULL) {
		if (setgroups(sp->ids->n_groups, sp->ids->groups) < 0)
			child_fail(errfd, STEP_SETGROUPS);
		if (setgid(sp->ids->gid) < 0)
			child_fail(errfd, STEP_SETGID);
		if (setuid(sp->ids->uid) < 0)
			child_fail(errfd, STEP_SETUID);
	}
	/* As the user it runs as: a cwd it may not enter is an error, not root's favour. */
	if (sp->cwd != NULL && chdir(sp->cwd) < 0)
		child_fail(errfd, STEP_CWD);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(path, sp->argv, sp->env);
	child_fail(errfd, STEP_EXEC);
}

/*
 * fork and exec, as libuv does it, for what posix_spawn cannot do: switch
 * user and groups (initgroups' list, which libuv's setgroups(0) drops) and
 * set a umask without touching tend's own. Signals stay blocked across the
 * fork so that no handler of tend's runs in the child; the child reports
 * the step that failed on a close-on-exec pipe, which reads empty once the
 * exec succeeded.
 */
static int
spawn_fork(const struct procspawn *sp, pid_t *pid, enum spawn_step *step)
{
	struct spawn_failure f;
	sigset_t all, old;
	char *path;
	int pipefd[2], rc = 0;
	ssize_t n;

	*step = STEP_EXEC;
	if ((path = which(sp->argv[0])) == NULL)
		return ENOENT;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = errno;
		free(path);
		return rc;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	*pid = fork();
	if (*pid == 0)
		child_run(sp, path, pipefd[1]);
	rc = *pid < 0 ? errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(pipefd[1]);
	free(path);
	if (rc == 0) {
		do
			n = read(pipefd[0], &f, sizeof(f));
		while (n < 0 && errno == EINTR);
		if (n == (ssize_t)sizeof(f)) {
			*step = f.step;
			rc = f.err != 0 ? f.err : EIO;
			while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	close(pipefd[0]);
	return rc;
}

int
procspawn_start(const struct procspawn *sp, pid_t *pid, char *err, size_t errlen)
{
	enum spawn_step step;
	bool fork_needed = sp->ids != NULL || sp->umask >= 0 || sp->n_rlimits > 0 ||
	    sp->join_cgroup;
	int i, rc;

	/* posix_spawn's dup2 actions run in order: a low source could be overwritten. */
	for (i = 0; i < 3; i++)
		if (sp->fd[i] >= 0 && sp->fd[i] < 3 && sp->fd[i] != i)
			fork_needed = true;
	rc = fork_needed ? spawn_fork(sp, pid, &step) : spawn_posix(sp, pid, &step);
	if (rc != 0)
		spawn_describe(sp, step, rc, err, errlen);
	return rc;
}

int
procspawn_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/*
 * One watched child. With a pidfd the poll says when it ended; without
 * one (a kernel before 5.3, or no descriptor to spare), every SIGCHLD is a
 * reason to look.
 */
struct watch {
	union {
		uv_handle_t	 handle;
		uv_poll_t	 poll;
		uv_signal_t	 sig;
	} h;
	pid_t		 pid;
	int		 pidfd;
	procspawn_exit_fn fn;
	void		*arg;
};

static void
watch_closed(uv_handle_t *handle)
{
	struct watch *w = handle->data;

	if (w->pidfd >= 0)
		close(w->pidfd);
	free(w);
}

/*
 * Reports the child once it has ended, then reaps it and closes the watch.
 * fn runs while the child is still a zombie: until it is reaped, its pid —
 * and so the id of the process group it led — cannot be given to another
 * process, so fn may signal that group without hitting a stranger's.
 */
static void
watch_check(struct watch *w)
{
	siginfo_t info = { 0 };
	pid_t pid = w->pid;
	int64_t status;
	int term_signal;

	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0 ||
	    info.si_pid != pid)
		return;		/* not yet: the next readiness or SIGCHLD says so */
	status = info.si_code == CLD_EXITED ? info.si_status : 0;
	term_signal = info.si_code == CLD_EXITED ? 0 : info.si_status;
	uv_close(&w->h.handle, watch_closed);
	w->fn(w->arg, pid, status, term_signal);
	waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG);
	children_release(pid);
}

static void
watch_pidfd_readable(uv_poll_t *poll, int status, int events)
{
	watch_check(poll->data);
}

static void
watch_sigchld(uv_signal_t *sig, int signum)
{
	watch_check(sig->data);
}

static bool
watch_by_pidfd(struct watch *w, uv_loop_t *loop)
{
	if ((w->pidfd = procspawn_pidfd(w->pid)) < 0)
		return false;
	if (uv_poll_init(loop, &w->h.poll, w->pidfd) != 0) {
		close(w->pidfd);
		w->pidfd = -1;
		return false;
	}
	w->h.handle.data = w;
	uv_poll_start(&w->h.poll, UV_READABLE, watch_pidfd_readable);
	return true;
}

/*
 * No descriptor is needed: the loop made its signal pipe when it was
 * initialised (libuv's own SIGCHLD watcher), so this cannot fail.
 */
static void
watch_by_sigchld(struct watch *w, uv_loop_t *loop)
{
	uv_signal_init(loop, &w->h.sig);
	w->h.handle.data = w;
	uv_signal_start(&w->h.sig, watch_sigchld, SIGCHLD);
	/*
	 * A child that ended before the handle started sent its SIGCHLD to no
	 * one: one more makes every SIGCHLD handle look, this one included.
	 */
	kill(getpid(), SIGCHLD);
}

void
procspawn_watch(uv_loop_t *loop, pid_t pid, procspawn_exit_fn fn, void *arg)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->pid = pid;
	w->pidfd = -1;
	w->fn = fn;
	w->arg = arg;
	children_own(pid);
	if (!watch_by_pidfd(w, loop))
		watch_by_sigchld(w, loop);
}
