/*
 * A log check's window: how many lines were read and how many of them
 * matched over the last `within`, in 60 buckets (a bucket is within/60,
 * at least a second), so a window of any length costs the same.
 */
#ifndef TEND_CHECKS_LOGWINDOW_H
#define TEND_CHECKS_LOGWINDOW_H

#include <stdint.h>

#define LOGWINDOW_BUCKETS	60

struct logwindow {
	int64_t		 within_ms;
	int64_t		 width_ms;	/* of a bucket */
	struct {
		int64_t	 start;		/* ms; 0: empty */
		uint64_t matched;
		uint64_t lines;
	} b[LOGWINDOW_BUCKETS];
};

void	logwindow_init(struct logwindow *w, int64_t within_ms);
/* Lines read at now_ms (a monotonic clock). */
void	logwindow_add(struct logwindow *w, int64_t now_ms, uint64_t matched,
	    uint64_t lines);
/* The counts of the buckets that began less than within_ms before now_ms. */
void	logwindow_sum(const struct logwindow *w, int64_t now_ms, uint64_t *matched,
	    uint64_t *lines);

#endif
