/*
 * A run of this very binary on a schedule (core/schedule.h): scheduled
 * chaos (`tend chaos run`) and scheduled jobs (`tend job NAME -- CMD`). A
 * one-shot timer is armed for the next run; never two runs at once (one
 * due while the last still goes is skipped, and logged); the output goes
 * to STATE_DIR/STEM.log, and the last run's time to STATE_DIR/STEM.last, so
 * that a restarted daemon goes on from it rather than from its start.
 */
#ifndef TEND_DAEMON_TIMED_RUN_H
#define TEND_DAEMON_TIMED_RUN_H

#include <stdint.h>

#include <uv.h>

#include "core/schedule.h"

struct statedir;
struct timed_run;

/* How a run ended, for the owner to say (status: the exit, unless term_signal). */
typedef void	(*timed_run_ended_fn)(void *arg, const char *what, int64_t status,
		    int term_signal);

/*
 * what names it in the log ("chaos", "job backup"); stem its files. ended
 * may be NULL (the exit is logged). sd outlives it.
 */
struct timed_run *timed_run_new(uv_loop_t *loop, struct statedir *sd, const char *what,
		    const char *stem, timed_run_ended_fn ended, void *arg);
/*
 * The schedule (every_ms 0: none) and the arguments after the binary's own
 * path (copied), with up to jitter_ms added at random to each run's time.
 * A changed schedule is armed again, going on from the last run.
 */
void		 timed_run_set(struct timed_run *tr, const struct schedule *s,
		    char *const *args, int64_t jitter_ms);
/* A run still going finishes on its own. */
void		 timed_run_free(struct timed_run *tr);

#endif
