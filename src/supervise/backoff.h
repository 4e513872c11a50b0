/*
 * Restart pacing: how long to wait before the next start, and when a
 * service restarting too often has to be given up on.
 */
#ifndef TEND_SUPERVISE_BACKOFF_H
#define TEND_SUPERVISE_BACKOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/model.h"

/*
 * How a delay is randomised, so that things that failed together do not
 * try again in lockstep. `random01` is in [0,1); d is the exponential
 * delay (initial * multiplier^(n-1), capped at max).
 *   SPREAD  d +- jitter * d (the conf's fraction), as services restart
 *   FULL    anywhere in [0, d]
 *   EQUAL   d/2 + anywhere in [0, d/2]
 *   NONE    d
 */
enum backoff_jitter {
	BACKOFF_JITTER_SPREAD,
	BACKOFF_JITTER_FULL,
	BACKOFF_JITTER_EQUAL,
	BACKOFF_JITTER_NONE,
};

/* The n-th delay of a sequence (n >= 1; the first is about initial). */
int64_t	backoff_delay(const struct backoff_conf *conf, enum backoff_jitter jitter,
	    int n, double random01);

/*
 * Delay before restart number `consecutive` (1 = the first restart after a
 * stable run). The first is immediate, because a single crash should cost
 * nothing; then initial, initial*multiplier, ... capped at max. `random01`
 * in [0,1) spreads the delay by +-jitter so that services that crashed
 * together do not restart in lockstep.
 */
int64_t	supervise_restart_delay(const struct backoff_conf *conf, int consecutive,
	    double random01);

/*
 * The times of recent restarts, to tell a crash loop: more than
 * limit.restarts restarts within limit.within.
 */
struct restart_window {
	int64_t		*at_ms;		/* ring of restart times */
	size_t		 cap;
	size_t		 len;
	size_t		 head;
};

void	restart_window_init(struct restart_window *w, size_t restarts_limit);
void	restart_window_free(struct restart_window *w);
void	restart_window_clear(struct restart_window *w);
/* Records a restart at now_ms; returns how many fall within within_ms. */
size_t	restart_window_add(struct restart_window *w, int64_t now_ms, int64_t within_ms);

#endif
