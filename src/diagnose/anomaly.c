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

/* Windows this long or shorter are worked on the stack: every sample of every series. */
#define ANOMALY_STACK_WINDOW	256

/*
 * The k-th smallest of v[0..n) by Hoare's selection, v reordered so that
 * nothing before v[k] is larger: linear, where a sort is n log n calls to
 * a comparison, and a busy daemon feeds a window per check result.
 */
static double
anomaly_select(double *v, size_t n, size_t k)
{
	long lo = 0, hi = (long)n - 1, i, j;
	double pivot, t;

	while (lo < hi) {
		pivot = v[lo + (hi - lo) / 2];
		for (i = lo, j = hi; i <= j;) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if ((long)k <= j)
			hi = j;
		else if ((long)k >= i)
			lo = i;
		else
			break;		/* between the two: v[k] is the pivot */
	}
	return v[k];
}

static double
anomaly_median(double *v, size_t n)
{
	double upper = anomaly_select(v, n, n / 2), lower;
	size_t i;

	if (n % 2)
		return upper;
	/* The lower middle is the largest of the half before the upper one. */
	for (lower = v[0], i = 1; i < n / 2; i++)
		lower = fmax(lower, v[i]);
	return (lower + upper) / 2.0;
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
	double stack[ANOMALY_STACK_WINDOW], *v, mad, mean_ad = 0;
	size_t i;

	v = d->len <= ANOMALY_STACK_WINDOW ? stack : xmalloc(d->len * sizeof(*v));
	memcpy(v, d->window, d->len * sizeof(*v));
	*median = anomaly_median(v, d->len);
	for (i = 0; i < d->len; i++) {
		v[i] = fabs(d->window[i] - *median);
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
	d->window[d->head] = x;
	d->head = (d->head + 1) % d->cap;
	if (d->len < d->cap)
		d->len++;
	if (baseline != NULL)
		*baseline = median;
	if (score != NULL)
		*score = z;
	return ev;
}
