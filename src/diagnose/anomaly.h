/*
 * Anomaly detection on a metric series: a robust rolling baseline (median
 * and MAD of the last `window` samples) and a modified z-score; a sample
 * further than `z` from the baseline for `k` samples in a row is an
 * anomaly. One spike is not; a real step is, until the window has learned
 * the new level. A deviation must also be large enough to matter: at least
 * min_delta in the series' unit and min_ratio of the baseline.
 */
#ifndef TEND_DIAGNOSE_ANOMALY_H
#define TEND_DIAGNOSE_ANOMALY_H

#include <stdbool.h>
#include <stddef.h>

struct anomaly_detector {
	/*
	 * Single precision: 7 digits tell a baseline from an outlier, and
	 * 20,000 watched series hold 60 samples each.
	 */
	float		*window;
	size_t		 cap;
	size_t		 len;
	size_t		 head;
	double		 z;		/* default 4 */
	int		 k;		/* default 3 */
	size_t		 min_samples;	/* no verdict before, default 20 */
	double		 min_delta;	/* smaller deviations never count, default 0 */
	double		 min_ratio;	/* nor those under this share of the baseline, 0 */
	int		 run;		/* samples out of line in a row */
	bool		 firing;
};

enum anomaly_event {
	ANOMALY_NONE,
	ANOMALY_STARTED,	/* k samples in a row out of line */
	ANOMALY_ENDED,		/* back within the baseline */
};

void	anomaly_init(struct anomaly_detector *d, size_t window, double z, int k);
void	anomaly_free(struct anomaly_detector *d);
/* Feeds a sample; baseline and score (may be NULL) say where it stood. */
enum anomaly_event anomaly_feed(struct anomaly_detector *d, double x, double *baseline,
	    double *score);

#endif
