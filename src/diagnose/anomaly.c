#include "diagnose/anomaly.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void
anomaly_init(struct anomaly_detector *d, size_t window, double z, int k)
{
	memset(d, 0, sizeof(*d));
	d->cap = window > 4 ? window : 60;
	d->window = xcalloc(d->cap, sizeof(*d->window));
	d->z = z > 0 ? z : 4.0;
	d->k = k > 0 ? k : 3;
	d->min_samples = d->cap < 20 ? d->cap : 20;
}

void
anomaly_free(struct anomaly_detector *d)
{
	free(d->window);
	d->window = NULL;
}

static int
anomaly_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
anomaly_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), anomaly_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/*
 * The window's median and its spread as a standard deviation would be:
 * MAD / 0.6745, or, where more than half the samples sit on the median
 * (a discrete series: MAD 0), 1.2533 x the mean absolute deviation, as in
 * Iglewicz and Hoaglin's modified z-score.
 */
static void
anomaly_baseline(const struct anomaly_detector *d, double *median, double *spread)
{
	double stack[128], *v, mad, mean_ad = 0;
	size_t i;

	/* A result feeds several series: no allocation for a usual window. */
	v = d->len <= 128 ? stack : xmalloc(d->len * sizeof(*v));

	for (i = 0; i < d->len; i++)
		v[i] = d->window[i];
	*median = anomaly_median(v, d->len);
	for (i = 0; i < d->len; i++) {
		v[i] = fabs((double)d->window[i] - *median);
		mean_ad += v[i];
	}
	mean_ad /= (double)d->len;
	mad = anomaly_median(v, d->len);
	*spread = mad > 0 ? mad / 0.6745 : 1.253314 * mean_ad;
	if (v != stack)
		free(v);
}

enum anomaly_event
anomaly_feed(struct anomaly_detector *d, double x, double *baseline, double *score)
{
	enum anomaly_event ev = ANOMALY_NONE;
	double median = x, spread = 0, z = 0, floor;

	if (d->len >= d->min_samples) {
		anomaly_baseline(d, &median, &spread);
		/* A flat series has no spread: allow 1% of the level (or a hair) as noise. */
		floor = fmax(fabs(median) * 0.01 / 0.6745, 1e-9);
		z = (x - median) / fmax(spread, floor);
		if (fabs(z) > d->z && fabs(x - median) >= d->min_delta &&
		    fabs(x - median) >= d->min_ratio * fabs(median))
			d->run++;
		else
			d->run = 0;
		if (!d->firing && d->run >= d->k) {
			d->firing = true;
			ev = ANOMALY_STARTED;
		} else if (d->firing && d->run == 0) {
			d->firing = false;
			ev = ANOMALY_ENDED;
		}
	}
	/* Every sample joins the window: a lasting step becomes the new normal. */
	d->window[d->head] = (float)x;
	d->head = (d->head + 1) % d->cap;
	if (d->len < d->cap)
		d->len++;
	if (baseline != NULL)
		*baseline = median;
	if (score != NULL)
		*score = z;
	return ev;
}
