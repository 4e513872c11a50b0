#include "supervise/spawn.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/strv.h"
#include "supervise/output.h"
#include "supervise/reaper.h"
#include "supervise/service.h"

extern char **environ;

/* Set by systemd for tend; a child must not answer in tend's name. */
static const char *const spawn_private_vars[] = {
	"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS",
	"LISTEN_PID", "LISTEN_FDNAMES", "INVOCATION_ID", NULL,
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

static void
spawn_process_closed(uv_handle_t *handle)
{
	free(handle);
}

static void
spawn_process_exited(uv_process_t *proc, int64_t status, int term_signal)
{
	struct service *svc = proc->data;
	pid_t pid = svc->pid;

	reaper_untrack(svc->ctx->reaper, pid);
	uv_close((uv_handle_t *)proc, spawn_process_closed);
	svc->proc = NULL;
	svc->pid = 0;
	/*
	 * What the service left behind in its process group goes with it, so
	 * that a restart does not find its port still taken by a stray worker.
	 */
	kill(-pid, SIGKILL);
	service_exited(svc, status, term_signal);
}

int
spawn_service(struct service *svc, char *err, size_t errlen)
{
	const struct service_conf *conf = svc->conf;
	uv_process_options_t opts = { 0 };
	uv_stdio_container_t stdio[3];
	uv_process_t *proc;
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
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = out_fd;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = out_fd;
	opts.file = conf->run[0];
	opts.args = conf->run;
	opts.env = env;
	opts.cwd = conf->cwd ? conf->cwd : svc->ctx->state_dir;
	opts.flags |= UV_PROCESS_DETACHED;
	opts.stdio = stdio;
	opts.stdio_count = 3;
	opts.exit_cb = spawn_process_exited;

	proc = xcalloc(1, sizeof(*proc));
	proc->data = svc;
	/* umask is per process; the child inherits ours at fork. */
	if (conf->umask >= 0)
		old_umask = umask((mode_t)conf->umask);
	rc = uv_spawn(svc->ctx->loop, proc, &opts);
	if (conf->umask >= 0)
		umask(old_umask);
	close(out_fd);
	strv_free(env);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", conf->run[0], uv_strerror(rc));
		uv_close((uv_handle_t *)proc, spawn_process_closed);
		return -1;
	}
	svc->proc = proc;
	reaper_track(svc->ctx->reaper, proc->pid);
	service_process_started(svc, proc->pid);
	return 0;
}
