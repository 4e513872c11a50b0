/*
 * Scheduled chaos (daemon/chaos_timer.h): `tend chaos run` on the
 * schedule of `chaos:`, a timed run (daemon/timed_run.h) whose output goes
 * to STATE_DIR/chaos-scheduled.log and whose last time is kept in
 * STATE_DIR/chaos-scheduled.last.
 */
#include "daemon/chaos_timer.h"

#include <stdlib.h>

#include "config/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "core/strv.h"
#include "daemon/timed_run.h"

struct chaos_timer {
	struct timed_run *run;
	struct statedir	*sd;
	char		*config_path;
};

static void
chaos_run_ended(void *arg, const char *what, int64_t status, int term_signal)
{
	(void)arg, (void)what;
	if (term_signal > 0)
		log_warn(NULL, "scheduled chaos run killed by signal %d", term_signal);
	else if (status == 0)
		log_info(NULL, "scheduled chaos run: every expectation held");
	else
		log_warn(NULL, "scheduled chaos run ended with exit %lld: an expectation failed "
		    "or a run was refused (tend chaos history)", (long long)status);
}

/* chaos run NAMES|--all -c CONFIG --state-dir DIR, after the binary's path. */
static void
chaos_timer_configure(struct chaos_timer *ct, const struct tend_config *cfg)
{
	char **args = strv_push(strv_push(NULL, "chaos"), "run");

	args = cfg->chaos_scheduled != NULL ? strv_extend(args, cfg->chaos_scheduled) :
	    strv_push(args, "--all");
	if (ct->config_path != NULL)
		args = strv_push(strv_push(args, "-c"), ct->config_path);
	args = strv_push(strv_push(args, "--state-dir"), statedir_path(ct->sd));
	timed_run_set(ct->run, &cfg->chaos_schedule, args, 0);
	strv_free(args);
}

struct chaos_timer *
chaos_timer_new(uv_loop_t *loop, struct statedir *sd, const char *config_path,
    const struct tend_config *cfg)
{
	struct chaos_timer *ct = xcalloc(1, sizeof(*ct));

	ct->sd = sd;
	ct->config_path = config_path != NULL ? xstrdup(config_path) : NULL;
	ct->run = timed_run_new(loop, sd, "chaos", "chaos-scheduled", chaos_run_ended, ct);
	chaos_timer_configure(ct, cfg);
	return ct;
}

void
chaos_timer_set_config(struct chaos_timer *ct, const struct tend_config *cfg)
{
	if (ct != NULL)
		chaos_timer_configure(ct, cfg);
}

void
chaos_timer_free(struct chaos_timer *ct)
{
	if (ct == NULL)
		return;
	timed_run_free(ct->run);
	free(ct->config_path);
	free(ct);
}
