/*
 * Scheduled chaos (`chaos: schedule: "every 24h at 03:00"`, docs/chaos.md):
 * game days the daemon runs by itself. Each time it starts `tend chaos
 * run` (the experiments of `scheduled:`, or all) on its own config and
 * state dir, as an operator would, never two at once; the run records
 * itself in the store, and its output goes to STATE_DIR/chaos-scheduled.log.
 * The next run's time is logged whenever it is set.
 */
#ifndef TEND_DAEMON_CHAOS_TIMER_H
#define TEND_DAEMON_CHAOS_TIMER_H

#include <uv.h>

struct statedir;
struct tend_config;
struct chaos_timer;

/*
 * Armed when cfg has a schedule; config_path (may be NULL: the embedded
 * one) and sd outlive it.
 */
struct chaos_timer *chaos_timer_new(uv_loop_t *loop, struct statedir *sd,
		    const char *config_path, const struct tend_config *cfg);
/* A reload's config: a changed schedule goes on from the last run, as a restart does. */
void		 chaos_timer_set_config(struct chaos_timer *ct, const struct tend_config *cfg);
void		 chaos_timer_free(struct chaos_timer *ct);

#endif
