/*
 * tend chaos run --standalone, for CI: the daemon that is to heal what
 * the experiments break is started by the run itself (`tend run --no-web`
 * on the same config and state dir, its log in STATE_DIR/chaos-daemon.log),
 * waited for until every service is up, ready and healthy, and stopped
 * (SIGTERM, then SIGKILL after 10 s) when the run is over.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/chaos_run.h"
#include "core/procspawn.h"
#include "core/statedir.h"

#define STANDALONE_UP_MS	30000
#define STANDALONE_STOP_MS	10000

/* Every service up, ready and healthy in the daemon's status. */
static bool
all_well(struct chaos_cli *c)
{
	json_t *status = cli_call_quiet(&c->opts, json_pack("{s:s}", "cmd", "status"));
	const char *state, *health;
	bool ok = status != NULL;
	json_t *svc;
	size_t i;

	json_array_foreach(json_object_get(status, "services"), i, svc) {
		state = json_string_value(json_object_get(svc, "state"));
		health = json_string_value(json_object_get(svc, "health"));
		ok &= state != NULL && strcmp(state, "up") == 0 &&
		    json_is_true(json_object_get(svc, "ready")) && health != NULL &&
		    strcmp(health, "healthy") == 0;
	}
	json_decref(status);
	return ok;
}

int
chaos_standalone_start(struct chaos_cli *c, pid_t *pid)
{
	char *argv[8], err[512], self[PATH_MAX];
	struct procspawn sp = { .argv = argv, .umask = -1 };
	ssize_t len;
	double until;
	int n = 0, log;

	if (cli_daemon_alive(&c->opts)) {
		fprintf(stderr, "tend chaos: a daemon already runs on this state dir: run "
		    "without --standalone\n");
		return -1;
	}
	/* This very binary, named as itself (ps shows "tend run", not "exe"). */
	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		fprintf(stderr, "tend chaos: /proc/self/exe: %s\n", strerror(errno));
		return -1;
	}
	self[len] = '\0';
	argv[n++] = self;
	argv[n++] = "run";
	argv[n++] = "--no-web";
	if (c->opts.config_path != NULL) {
		argv[n++] = "-c";
		argv[n++] = (char *)c->opts.config_path;
	}
	argv[n++] = "--state-dir";
	argv[n++] = (char *)statedir_path(c->sd);
	argv[n] = NULL;
	log = statedir_openat(c->sd, "chaos-daemon.log", O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	sp.fd[0] = -1;
	sp.fd[1] = sp.fd[2] = log;
	sp.env = environ;
	if (procspawn_start(&sp, pid, err, sizeof(err)) != 0) {
		fprintf(stderr, "tend chaos: starting a daemon: %s\n", err);
		if (log >= 0)
			close(log);
		return -1;
	}
	if (log >= 0)
		close(log);
	for (until = chaos_now_ms() + STANDALONE_UP_MS; chaos_now_ms() < until &&
	    !chaos_stop_asked; chaos_sleep_ms(50))
		if (waitpid(*pid, NULL, WNOHANG) == *pid || all_well(c))
			break;
	if (!cli_daemon_alive(&c->opts) || !all_well(c)) {
		fprintf(stderr, "tend chaos: the daemon it started is not up with every service "
		    "healthy within %d s (its log: %s/chaos-daemon.log)\n", STANDALONE_UP_MS /
		    1000, statedir_path(c->sd));
		chaos_standalone_stop(*pid);
		return -1;
	}
	return 0;
}

void
chaos_standalone_stop(pid_t pid)
{
	double until = chaos_now_ms() + STANDALONE_STOP_MS;

	if (pid <= 0 || kill(pid, SIGTERM) < 0)
		return;
	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (chaos_now_ms() > until) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return;
		}
		chaos_sleep_ms(20);
	}
}
