#include "supervise/spawn.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/procspawn.h"
#include "core/runtimedir.h"
#include "core/strv.h"
#include "supervise/notify.h"
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


/*
 * Who a service runs as. user: and group: apply when tend is root (else
 * they are ignored, as the supervisor warns); a user brings its groups
 * (initgroups' list), its home, shell and names.
 */
struct spawn_user {
	struct procspawn_ids ids;
	gid_t		*groups;
	char		*name;		/* NULL: no user: */
	char		*home;
	char		*shell;
};

static void
spawn_user_free(struct spawn_user *u)
{
	free(u->groups);
	free(u->name);
	free(u->home);
	free(u->shell);
}

/* The user's groups, with gid as the primary one. */
static void
spawn_user_groups(struct spawn_user *u, gid_t gid)
{
	int n = 16;

	u->groups = xcalloc((size_t)n, sizeof(gid_t));
	if (getgrouplist(u->name, gid, u->groups, &n) < 0) {
		u->groups = xrealloc(u->groups, (size_t)n * sizeof(gid_t));
		if (getgrouplist(u->name, gid, u->groups, &n) < 0)
			n = 0;
	}
	u->ids.groups = u->groups;
	u->ids.n_groups = (size_t)n;
}

/* Returns 0 (u->ids to use when conf has user: or group:), or -1 with err. */
static int
spawn_user_resolve(const struct service_conf *conf, struct spawn_user *u,
    char *err, size_t errlen)
{
	struct passwd *pw;
	struct group *gr;

	memset(u, 0, sizeof(*u));
	u->ids.uid = geteuid();
	u->ids.gid = getegid();
	if (conf->user != NULL) {
		if ((pw = getpwnam(conf->user)) == NULL) {
			snprintf(err, errlen, "no such user: %s", conf->user);
			return -1;
		}
		u->ids.uid = pw->pw_uid;
		u->ids.gid = pw->pw_gid;
		u->name = xstrdup(pw->pw_name);
		u->home = xstrdup(pw->pw_dir);
		u->shell = xstrdup(pw->pw_shell[0] != '\0' ? pw->pw_shell : "/bin/sh");
	}
	if (conf->group != NULL) {
		if ((gr = getgrnam(conf->group)) == NULL) {
			snprintf(err, errlen, "no such group: %s", conf->group);
			return -1;
		}
		u->ids.gid = gr->gr_gid;
	}
	if (u->name != NULL)
		spawn_user_groups(u, u->ids.gid);
	return 0;
}

bool
spawn_ids_ignored(const struct service_conf *conf, char *what, size_t len)
{
	if (geteuid() == 0 || (conf->user == NULL && conf->group == NULL))
		return false;
	snprintf(what, len, "%s%s%s%s%s", conf->user ? "user: " : "",
	    conf->user ? conf->user : "", conf->user && conf->group ? ", " : "",
	    conf->group ? "group: " : "", conf->group ? conf->group : "");
	return true;
}

static bool
spawn_env_sets(char *const *env, const char *name)
{
	size_t i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		if (spawn_var_matches(env[i], name))
			return true;
	return false;
}

/* extra plus "name=value", unless the config's env sets name itself. */
static char **
spawn_env_default(char **extra, char *const *conf_env, const char *name,
    const char *value)
{
	char *var;

	if (value == NULL || spawn_env_sets(conf_env, name))
		return extra;
	var = xasprintf("%s=%s", name, value);
	extra = strv_push(extra, var);
	free(var);
	return extra;
}

static char **
spawn_service_env(const struct service *svc, const struct spawn_user *u)
{
	const struct service_conf *conf = svc->conf;
	char **extra = NULL, **env, *var;
	size_t i;

	extra = spawn_env_default(extra, conf->env, "HOME", u->home);
	extra = spawn_env_default(extra, conf->env, "USER", u->name);
	extra = spawn_env_default(extra, conf->env, "LOGNAME", u->name);
	extra = spawn_env_default(extra, conf->env, "SHELL", u->shell);
	for (i = 0; conf->env != NULL && conf->env[i] != NULL; i++)
		extra = strv_push(extra, conf->env[i]);
	var = xasprintf("TEND_SERVICE=%s", svc->name);
	extra = strv_push(extra, var);
	free(var);
	if (svc->notify != NULL) {
		var = xasprintf("NOTIFY_SOCKET=%s", notify_socket_path(svc->notify));
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

/*
 * Where the service starts: its cwd, else a user's home (or / when it has
 * none), never the state dir that only root may enter; tend's own services
 * start in the state dir.
 */
static const char *
spawn_cwd(const struct service *svc, const struct spawn_user *u)
{
	struct stat st;

	if (svc->conf->cwd != NULL)
		return svc->conf->cwd;
	if (u->name == NULL)
		return svc->ctx->state_dir;
	if (u->home != NULL && stat(u->home, &st) == 0 && S_ISDIR(st.st_mode))
		return u->home;
	return "/";
}

/* A datagram on the service's notify socket: it counts if its process sent it. */
static bool
spawn_notified(void *arg, pid_t pid, const char *msg)
{
	struct service *svc = arg;

	if (!service_owns_pid(svc, pid))
		return false;
	service_notify(svc, msg);
	return true;
}

/*
 * The notify socket of a service with ready: notify (watchdog: needs it
 * too), for the user it runs as: made at its first start and kept while
 * that user stays, made anew for another (a reload changed user:, and a
 * process of the old one may hold the old socket connected); none for a
 * service without it.
 */
static int
spawn_notify_socket(struct service *svc, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct supervise_ctx *ctx = svc->ctx;
	char why[256];

	if (svc->notify != NULL && svc->conf->ready.kind == READY_NOTIFY &&
	    notify_socket_is_for(svc->notify, uid, gid))
		return 0;
	notify_socket_close(svc->notify);
	svc->notify = NULL;
	if (svc->conf->ready.kind != READY_NOTIFY)
		return 0;
	if (ctx->runtime == NULL &&
	    (ctx->runtime = runtimedir_open(ctx->statedir, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "no notify socket: %s", why);
		return -1;
	}
	svc->notify = notify_socket_open(ctx->loop, ctx->runtime, svc->name, uid, gid,
	    spawn_notified, svc, why, sizeof(why));
	if (svc->notify == NULL) {
		snprintf(err, errlen, "no notify socket: %s", why);
		return -1;
	}
	return 0;
}

static void
spawn_child_exited(void *arg, pid_t pid, int64_t status, int term_signal)
{
	struct service *svc = arg;

	/*
	 * What the service left behind in its process group goes with it, so
	 * that a restart does not find its port still taken by a stray worker.
	 */
	kill(-pid, SIGKILL);
	if (svc->pid != pid)
		return;
	svc->pid = 0;
	/* And what it detached from its group (setsid), before a restart. */
	reaper_service_ended(svc->ctx->reaper, svc->name);
	/* And, with a cgroup, whatever else is in it: nothing escapes that. */
	svc_cgroup_ended(svc);
	service_exited(svc, status, term_signal);
}

/* The service's rlimits: as the child is to set them, `as` as the healer raised it. */
static void
spawn_rlimits(const struct service *svc, struct procspawn_rlimit *rl)
{
	const struct service_conf *conf = svc->conf;
	struct svc_limits l;
	int i;

	svc_limits_effective(svc, &l);
	for (i = 0; i < conf->n_rlimits; i++) {
		rl[i] = (struct procspawn_rlimit){ .name = conf->rlimits[i].name,
		    .resource = conf->rlimits[i].resource,
		    .soft = conf->rlimits[i].soft == SERVICE_RLIMIT_UNLIMITED ? RLIM_INFINITY :
			conf->rlimits[i].soft,
		    .hard = conf->rlimits[i].hard == SERVICE_RLIMIT_UNLIMITED ? RLIM_INFINITY :
			conf->rlimits[i].hard };
		if (rl[i].resource == RLIMIT_AS && l.rlimit_as != 0) {
			rl[i].soft = l.rlimit_as;
			rl[i].hard = l.rlimit_as_hard == SERVICE_RLIMIT_UNLIMITED ?
			    RLIM_INFINITY : l.rlimit_as_hard;
		}
	}
}

int
spawn_service(struct service *svc, char *err, size_t errlen)
{
	const struct service_conf *conf = svc->conf;
	struct spawn_user u;
	struct procspawn_rlimit rl[SERVICE_RLIMITS_MAX];
	struct procspawn sp = { .argv = conf->run, .umask = conf->umask, .rlimits = rl,
	    .n_rlimits = (size_t)conf->n_rlimits };
	char **env;
	int out_fd = -1, rc;
	pid_t pid;

	if (geteuid() == 0 && (conf->user != NULL || conf->group != NULL)) {
		if (spawn_user_resolve(conf, &u, err, errlen) < 0) {
			spawn_user_free(&u);
			return -1;
		}
		sp.ids = &u.ids;
	} else {
		memset(&u, 0, sizeof(u));
	}
	if (spawn_notify_socket(svc, sp.ids ? u.ids.uid : geteuid(),
	    sp.ids ? u.ids.gid : getegid(), err, errlen) < 0) {
		spawn_user_free(&u);
		return -1;
	}
	rc = output_pipe_open(svc->ctx->loop, svc->log, &out_fd);
	if (rc != 0) {
		snprintf(err, errlen, "cannot create output pipe: %s", uv_strerror(rc));
		spawn_user_free(&u);
		return -1;
	}
	env = spawn_service_env(svc, &u);
	spawn_rlimits(svc, rl);
	sp.env = env;
	sp.cwd = spawn_cwd(svc, &u);
	sp.fd[0] = -1;
	sp.fd[1] = sp.fd[2] = out_fd;
	sp.cgroup_procs = svc_cgroup_prepare(svc);
	sp.join_cgroup = sp.cgroup_procs >= 0;
	rc = procspawn_start(&sp, &pid, err, errlen);
	close(out_fd);
	if (sp.join_cgroup)
		close(sp.cgroup_procs);
	strv_free(env);
	spawn_user_free(&u);
	if (rc != 0)
		return -1;
	procspawn_watch(svc->ctx->loop, pid, spawn_child_exited, svc);
	reaper_expect(svc->ctx->reaper);	/* it may daemonize: orphans to come */
	service_process_started(svc, pid);
	return 0;
}
