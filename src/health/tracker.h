/*
 * Turns raw check results into a stable state: fail only after
 * `fail_after` consecutive failures (or `n` of the last `of`), recover only
 * after `recover_after` consecutive passes. A flapping target does not
 * flap the state, and one blip does not page anyone.
 */
#ifndef TEND_HEALTH_TRACKER_H
#define TEND_HEALTH_TRACKER_H

#include <stdbool.h>
#include <stdint.h>

#include "health/state.h"

struct health_tracker {
	int		 fail_after;
	int		 fail_n;		/* with fail_of: n failures of the last of */
	int		 fail_of;
	int		 recover_after;
	enum health_state state;		/* unknown until judged */
	int		 consecutive_fail;
	int		 consecutive_ok;
	uint64_t	 history;		/* bit i: run i ago failed */
	int		 runs;
};

void	health_tracker_init(struct health_tracker *t, int fail_after, int fail_n,
	    int fail_of, int recover_after);
/* Feeds one raw result; returns true when the tracked state changed. */
bool	health_tracker_feed(struct health_tracker *t, enum health_state raw);

#endif
