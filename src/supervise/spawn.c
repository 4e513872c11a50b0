#include "supervise/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/procspawn.h"
#include "core/strv.h"
#include "supervise/output.h"
#include "supervise/reaper.h"
#include "supervise/service.h"

extern char **environ;

/*
 * Set by systemd for tend; a child must not answer in tend's name. Nor
 * inherit the TEND_SERVICE of a tend that supervises this one: the reaper
 * knows a service's orphans by it.
 */
static const char *const spawn_private_vars[] = {
	"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS",
	"LISTEN_PID", "LISTEN_FDNAMES", "INVOCATION_ID", "TEND_SERVICE", NULL,
};

static bool
spawn_var_matches(const char *entry, const char *name)
{
	size_t len = strlen(name);

	return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

static bool
spawn_var_dropped(const char *entry, char *const *extra)
{
	const char *eq;
	size_t i;

	for (i = 0; spawn_private_vars[i] != NULL; i++)
		if (spawn_var_matches(entry, spawn_private_vars[i]))
			return true;
	for (i = 0; extra != NULL && extra[i] != NULL; i++) {
		eq = strchr(extra[i], '=');
		if (eq != NULL && strncmp(entry, extra[i], (size_t)(eq - extra[i]) + 1) == 0)
			return true;
	}
	return false;
}

char **
spawn_environment(char *const *extra)
{
	char **env = NULL;
	size_t i;

	for (i = 0; environ[i] != NULL; i++)
		if (!spawn_var_dropped(environ[i], extra))
			env = strv_push(env, environ[i]);
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		env = strv_push(env, extra[i]);
	return env;
}

static char **
spawn_service_env(const struct service *svc)
{
	const struct service_conf *conf = svc->conf;
	char **extra = strv_dup(conf->env), **env;
	char *var;

	var = xasprintf("TEND_SERVICE=%s", svc->name);
	extra = strv_push(extra, var);
	free(var);
	if (conf->ready.kind == READY_NOTIFY) {
		var = xasprintf("NOTIFY_SOCKET=%s", svc->ctx->notify_path);
		extra = strv_push(extra, var);
		free(var);
	}
	if (conf->watchdog_ms > 0) {
		var = xasprintf("WATCHDOG_USEC=%lld", (long long)conf->watchdog_ms * 1000);
		extra = strv_push(extra, var);
		free(var);
	}
	env = spawn_environment(extra);
	strv_free(extra);
	return env;
}

/* user/group apply only when tend is root; otherwise they are ignored. */
static int
spawn_credentials(const struct service_conf *conf, uv_process_options_t *opts,
    char *err, size_t errlen)
{
	struct passwd *pw;
	struct group *gr;

	if (geteuid() != 0 || (conf->user == NULL && conf->group == NULL))
		return 0;
	if (conf->user != NULL) {
		if ((pw = getpwnam(conf->user)) == NULL) {
			snprintf(err, errlen, "no such user: %s", conf->user);
			return -1;
		}
		opts->uid = pw->pw_uid;
		opts->gid = pw->pw_gid;
		opts->flags |= UV_PROCESS_SETUID | UV_PROCESS_SETGID;
	}
	if (conf->group != NULL) {
		if ((gr = getgrnam(conf->group)) == NULL) {
			snprintf(err, errlen, "no such group: %s", conf->group);
			return -1;
		}
		opts->gid = gr->gr_gid;
		opts->flags |= UV_PROCESS_SETGID;
	}
	return 0;
}

/*
 * A running service process, watched in one of two ways. The fast path
 * starts it with posix_spawn (glibc's vfork-style clone: no copy of tend's
 * page tables, so a restart costs little more than the exec) and learns of
 * its exit from a pidfd; tend reaps it with waitid. Where that cannot
 * work (user/group switching, no pidfd), libuv's uv_spawn and its SIGCHLD
 * handling do the job.
 */
struct child {
	struct service	*svc;
	pid_t		 pid;
	int		 pidfd;		/* -1 on the libuv path */
	uv_poll_t	 poll;
	uv_process_t	 proc;
};

static void
child_closed(uv_handle_t *handle)
{
	struct child *c = handle->data;

	if (c->pidfd >= 0)
		close(c->pidfd);
	free(c);
}

/* Both paths end here, once the process is reaped. */
static void
child_exited(struct child *c, int64_t status, int term_signal, uv_handle_t *handle)
{
	struct service *svc = c->svc;
	pid_t pid = c->pid;

	reaper_untrack(svc->ctx->reaper, pid);
	svc->child = NULL;
	svc->pid = 0;
	uv_close(handle, child_closed);
	/* What it detached from its group (setsid) goes too, before a restart. */
	reaper_service_ended(svc->ctx->reaper, svc->name);
	service_exited(svc, status, term_signal);
}

/*
 * What the service left behind in its process group goes with it, so
 * that a restart does not find its port still taken by a stray worker.
 */
static void
child_end_group(pid_t pid)
{
	kill(-pid, SIGKILL);
}

/*
 * libuv has reaped it already. While members of its group live, the id
 * stays theirs; only an empty group's id could be reused, by a new
 * leader in the moment between the reap and this kill.
 */
static void
child_uv_exited(uv_process_t *proc, int64_t status, int term_signal)
{
	struct child *c = proc->data;

	child_end_group(c->pid);
	child_exited(c, status, term_signal, (uv_handle_t *)proc);
}

static bool
child_is_zombie(pid_t pid)
{
	siginfo_t info = { 0 };

	return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    info.si_pid == pid;
}

static void
child_pidfd_readable(uv_poll_t *poll, int status, int events)
{
	struct child *c = poll->data;
	int64_t exit_status;
	int term_signal;

	if (!child_is_zombie(c->pid))
		return;		/* not exited yet: the next readiness says so */
	/* Unreaped, its pid (the group's id) is still ours: no one else's group. */
	child_end_group(c->pid);
	if (!procspawn_reap(c->pid, &exit_status, &term_signal))
		return;
	uv_poll_stop(poll);
	child_exited(c, exit_status, term_signal, (uv_handle_t *)poll);
}

static int
child_posix_spawn(struct child *c, const struct service_conf *conf,
    const char *cwd, char **env, int out_fd, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	posix_spawn_file_actions_addchdir_np(&fa, cwd);
	rc = procspawn_session(&c->pid, conf->run[0], &fa, conf->run, env);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", conf->run[0], strerror(rc));
		return -1;
	}
	return 0;
}

/* Watches a posix_spawn'ed child by pidfd; on failure, kills and reaps it. */
static int
child_watch_pidfd(struct child *c, uv_loop_t *loop)
{
	c->pidfd = procspawn_pidfd(c->pid);
	if (c->pidfd < 0 || uv_poll_init(loop, &c->poll, c->pidfd) != 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		return -1;
	}
	c->poll.data = c;
	uv_poll_start(&c->poll, UV_READABLE, child_pidfd_readable);
	return 0;
}

static int
child_uv_spawn(struct child *c, uv_loop_t *loop, uv_process_options_t *opts,
    char *err, size_t errlen)
{
	int rc;

	opts->exit_cb = child_uv_exited;
	c->proc.data = c;
	rc = uv_spawn(loop, &c->proc, opts);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", opts->file, uv_strerror(rc));
		uv_close((uv_handle_t *)&c->proc, child_closed);
		return -1;
	}
	c->pid = c->proc.pid;
	return 0;
}

int
spawn_service(struct service *svc, char *err, size_t errlen)
{
	const struct service_conf *conf = svc->conf;
	uv_process_options_t opts = { 0 };
	uv_stdio_container_t stdio[3];
	const char *cwd = conf->cwd ? conf->cwd : svc->ctx->state_dir;
	struct child *c;
	mode_t old_umask = 0;
	char **env;
	int out_fd = -1, rc;

	if (spawn_credentials(conf, &opts, err, errlen) < 0)
		return -1;
	rc = output_pipe_open(svc->ctx->loop, svc->log, &out_fd);
	if (rc != 0) {
		snprintf(err, errlen, "cannot create output pipe: %s", uv_strerror(rc));
		return -1;
	}
	env = spawn_service_env(svc);
	c = xcalloc(1, sizeof(*c));
	c->svc = svc;
	c->pidfd = -1;
	/* umask is per process; the child inherits ours. */
	if (conf->umask >= 0)
		old_umask = umask((mode_t)conf->umask);
	if (opts.flags == 0) {
		rc = child_posix_spawn(c, conf, cwd, env, out_fd, err, errlen);
		if (rc == 0 && child_watch_pidfd(c, svc->ctx->loop) < 0)
			rc = 1;		/* no pidfd here: the libuv way instead */
	} else {
		rc = 1;
	}
	if (rc == 1) {
		stdio[0].flags = UV_IGNORE;
		stdio[1].flags = stdio[2].flags = UV_INHERIT_FD;
		stdio[1].data.fd = stdio[2].data.fd = out_fd;
		opts.file = conf->run[0];
		opts.args = conf->run;
		opts.env = env;
		opts.cwd = cwd;
		opts.flags |= UV_PROCESS_DETACHED;
		opts.stdio = stdio;
		opts.stdio_count = 3;
		rc = child_uv_spawn(c, svc->ctx->loop, &opts, err, errlen);
		c = rc == 0 ? c : NULL;	/* freed by its close callback */
	}
	if (conf->umask >= 0)
		umask(old_umask);
	close(out_fd);
	strv_free(env);
	if (rc != 0) {
		free(c);
		return -1;
	}
	svc->child = c;
	reaper_track(svc->ctx->reaper, c->pid);
	service_process_started(svc, c->pid);
	return 0;
}
