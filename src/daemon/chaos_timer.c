#include "daemon/chaos_timer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/procspawn.h"
#include "core/statedir.h"
#include "core/strv.h"

struct chaos_timer {
	uv_timer_t	 timer;
	struct statedir	*sd;
	char		*config_path;
	int64_t		 every_ms;
	char		**names;	/* NULL: --all */
	pid_t		 running;	/* a run in flight, 0: none */
	bool		 freed;		/* freed while a run was in flight: it frees at the end */
};

static void
chaos_run_ended(void *arg, pid_t pid, int64_t status, int term_signal)
{
	struct chaos_timer *ct = arg;

	(void)pid;
	ct->running = 0;
	if (term_signal > 0)
		log_warn(NULL, "scheduled chaos run killed by signal %d", term_signal);
	else if (status == 0)
		log_info(NULL, "scheduled chaos run: every expectation held");
	else
		log_warn(NULL, "scheduled chaos run ended with exit %lld: an expectation failed "
		    "or a run was refused (tend chaos history)", (long long)status);
	if (ct->freed)
		free(ct);
}

/* tend chaos run NAMES|--all -c CONFIG --state-dir DIR, on this very binary. */
static void
chaos_run_start(uv_timer_t *t)
{
	struct chaos_timer *ct = t->data;
	struct procspawn sp = { .umask = -1 };
	char self[PATH_MAX], err[256], **argv = NULL;
	ssize_t len;
	int log;

	if (ct->running > 0) {
		log_warn(NULL, "scheduled chaos: the last run is still going; this one skipped");
		return;
	}
	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return;
	self[len] = '\0';
	argv = strv_push(argv, self);
	argv = strv_push(argv, "chaos");
	argv = strv_push(argv, "run");
	argv = ct->names != NULL ? strv_extend(argv, ct->names) : strv_push(argv, "--all");
	if (ct->config_path != NULL) {
		argv = strv_push(argv, "-c");
		argv = strv_push(argv, ct->config_path);
	}
	argv = strv_push(argv, "--state-dir");
	argv = strv_push(argv, statedir_path(ct->sd));
	log = statedir_openat(ct->sd, "chaos-scheduled.log", O_WRONLY | O_CREAT | O_APPEND |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	sp.argv = argv;
	sp.env = environ;
	sp.fd[0] = -1;
	sp.fd[1] = sp.fd[2] = log;
	if (procspawn_start(&sp, &ct->running, err, sizeof(err)) != 0) {
		log_warn(NULL, "scheduled chaos: %s", err);
		ct->running = 0;
	} else {
		log_info(NULL, "scheduled chaos run started (pid %d; its output in "
		    "chaos-scheduled.log)", (int)ct->running);
		procspawn_watch(t->loop, ct->running, chaos_run_ended, ct);
	}
	if (log >= 0)
		close(log);
	strv_free(argv);
}

static void
chaos_timer_arm(struct chaos_timer *ct, const struct tend_config *cfg)
{
	strv_free(ct->names);
	ct->names = strv_dup(cfg->chaos_scheduled);
	ct->every_ms = cfg->chaos_every_ms;
	uv_timer_stop(&ct->timer);
	if (ct->every_ms > 0)
		uv_timer_start(&ct->timer, chaos_run_start, (uint64_t)ct->every_ms,
		    (uint64_t)ct->every_ms);
}

struct chaos_timer *
chaos_timer_new(uv_loop_t *loop, struct statedir *sd, const char *config_path,
    const struct tend_config *cfg)
{
	struct chaos_timer *ct = xcalloc(1, sizeof(*ct));

	ct->sd = sd;
	ct->config_path = config_path != NULL ? xstrdup(config_path) : NULL;
	uv_timer_init(loop, &ct->timer);
	ct->timer.data = ct;
	chaos_timer_arm(ct, cfg);
	return ct;
}

void
chaos_timer_set_config(struct chaos_timer *ct, const struct tend_config *cfg)
{
	if (ct != NULL && (cfg->chaos_every_ms != ct->every_ms ||
	    !strv_equal(cfg->chaos_scheduled, ct->names)))
		chaos_timer_arm(ct, cfg);
}

static void
chaos_timer_closed(uv_handle_t *h)
{
	struct chaos_timer *ct = h->data;

	strv_free(ct->names);
	free(ct->config_path);
	/* A run still going finishes on its own; its watch frees what is left. */
	if (ct->running > 0)
		ct->freed = true;
	else
		free(ct);
}

void
chaos_timer_free(struct chaos_timer *ct)
{
	if (ct != NULL)
		uv_close((uv_handle_t *)&ct->timer, chaos_timer_closed);
}
