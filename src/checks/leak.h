/*
 * Memory-leak detection for process checks: the RSS of a service's tree,
 * sampled at each run of its check, fitted by least squares over the last
 * `window`; growth that holds (r² high) and would reach the limit within
 * `within` is a leak, with the projected time to exhaustion. Pure: the
 * caller gives the clock, so a test can.
 */
#ifndef TEND_CHECKS_LEAK_H
#define TEND_CHECKS_LEAK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define LEAK_SAMPLES_MAX	512
#define LEAK_MIN_SAMPLES	5
#define LEAK_MIN_R2		0.8	/* a fit this good is growth, not noise */

struct leak_series {
	pid_t		 pid;		/* the main process the samples are of */
	int		 n, head;	/* a ring of the newest n */
	int64_t		 t_ms[LEAK_SAMPLES_MAX];
	double		 bytes[LEAK_SAMPLES_MAX];
};

struct leak_verdict {
	bool		 judged;	/* enough samples over enough of the window */
	double		 slope;		/* bytes a second */
	double		 r2;
	double		 current;	/* bytes, the newest sample */
	double		 eta_s;		/* seconds until the limit at that slope; < 0: none */
};

/* A sample; samples of another process (a restart) or older than window are dropped. */
void	leak_add(struct leak_series *s, pid_t pid, int64_t t_ms, double bytes,
	    int64_t window_ms);
/* The fit of the samples: judged once there are LEAK_MIN_SAMPLES over half the window. */
void	leak_judge(const struct leak_series *s, int64_t window_ms, double limit,
	    struct leak_verdict *v);

#endif
