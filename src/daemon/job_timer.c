/* Scheduled jobs (daemon/job_timer.h). */
#include "daemon/job_timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/mem.h"
#include "core/statedir.h"
#include "core/strv.h"
#include "daemon/timed_run.h"

struct job_timer {
	char		*name;
	struct timed_run *run;
};

struct job_timers {
	uv_loop_t	*loop;
	struct statedir	*sd;
	char		*config_path;
	struct job_timer *v;
	size_t		 n;
};

/* job NAME [--timeout T] -c CONFIG --state-dir DIR -- RUN..., after the binary's path. */
static char **
job_args(const struct job_timers *jt, const struct job_conf *j)
{
	char **args = strv_push(strv_push(NULL, "job"), j->name), timeout[32];

	if (j->timeout_ms > 0) {
		snprintf(timeout, sizeof(timeout), "%lldms", (long long)j->timeout_ms);
		args = strv_push(strv_push(args, "--timeout"), timeout);
	}
	if (jt->config_path != NULL)
		args = strv_push(strv_push(args, "-c"), jt->config_path);
	args = strv_push(strv_push(args, "--state-dir"), statedir_path(jt->sd));
	return strv_extend(strv_push(args, "--"), j->run);
}

/* The timer of job name, made when there is none. */
static struct timed_run *
job_timer_of(struct job_timers *jt, const char *name)
{
	char *what, *stem;
	size_t i;

	for (i = 0; i < jt->n; i++)
		if (strcmp(jt->v[i].name, name) == 0)
			return jt->v[i].run;
	jt->v = xgrow(jt->v, jt->n, sizeof(*jt->v));
	what = xasprintf("job %s", name);
	stem = xasprintf("job-%s", name);
	jt->v[jt->n] = (struct job_timer){ .name = xstrdup(name),
	    .run = timed_run_new(jt->loop, jt->sd, what, stem, NULL, NULL) };
	free(what);
	free(stem);
	return jt->v[jt->n++].run;
}

void
job_timers_set_config(struct job_timers *jt, const struct tend_config *cfg)
{
	char **args;
	size_t i, k;

	if (jt == NULL)
		return;
	for (i = 0; i < cfg->n_jobs; i++) {
		args = job_args(jt, &cfg->jobs[i]);
		timed_run_set(job_timer_of(jt, cfg->jobs[i].name), &cfg->jobs[i].schedule, args,
		    cfg->jobs[i].jitter_ms);
		strv_free(args);
	}
	/* Jobs the config no longer has: stopped (a run going finishes on its own). */
	for (i = 0; i < jt->n; ) {
		for (k = 0; k < cfg->n_jobs && strcmp(cfg->jobs[k].name, jt->v[i].name) != 0;
		    k++)
			;
		if (k < cfg->n_jobs) {
			i++;
			continue;
		}
		timed_run_free(jt->v[i].run);
		free(jt->v[i].name);
		jt->v[i] = jt->v[--jt->n];
	}
}

struct job_timers *
job_timers_new(uv_loop_t *loop, struct statedir *sd, const char *config_path,
    const struct tend_config *cfg)
{
	struct job_timers *jt = xcalloc(1, sizeof(*jt));

	jt->loop = loop;
	jt->sd = sd;
	jt->config_path = config_path != NULL ? xstrdup(config_path) : NULL;
	job_timers_set_config(jt, cfg);
	return jt;
}

void
job_timers_free(struct job_timers *jt)
{
	size_t i;

	if (jt == NULL)
		return;
	for (i = 0; i < jt->n; i++) {
		timed_run_free(jt->v[i].run);
		free(jt->v[i].name);
	}
	free(jt->v);
	free(jt->config_path);
	free(jt);
}
