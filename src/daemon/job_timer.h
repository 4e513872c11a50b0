/*
 * Scheduled jobs (`jobs:`, docs/heartbeats.md): each job a timed run
 * (daemon/timed_run.h) of `tend job NAME --timeout T -- RUN` on the
 * daemon's own config and state dir — its heartbeat pinged, its run
 * recorded, never two of one job at once. Its output goes to
 * STATE_DIR/job-NAME.log.
 */
#ifndef TEND_DAEMON_JOB_TIMER_H
#define TEND_DAEMON_JOB_TIMER_H

#include <uv.h>

struct statedir;
struct tend_config;
struct job_timers;

/* config_path (NULL: the embedded one) and sd outlive them. */
struct job_timers *job_timers_new(uv_loop_t *loop, struct statedir *sd,
		    const char *config_path, const struct tend_config *cfg);
/* A reload's jobs: kept ones go on from their last run, gone ones stop. */
void		 job_timers_set_config(struct job_timers *jt, const struct tend_config *cfg);
void		 job_timers_free(struct job_timers *jt);

#endif
