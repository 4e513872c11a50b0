#include "diagnose/anomaly.h"

#include <math.h>
#include <stddef.h>
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

static void
swap_double(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/*
 * Moves the k-th smallest of v[0..n) to v[k], the smaller ones before it
 * and the larger after (Hoare's selection): the median of a window for
 * each sample without sorting it, O(n) on average.
 */
static void
anomaly_select(double *v, size_t n, size_t k)
{
	/* Signed: the right index may step past the left end of the range. */
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, i, j, want = (ptrdiff_t)k;
	double pivot;

	while (lo < hi) {
		/* Median of three as the pivot: a sorted or flat window stays linear. */
		ptrdiff_t mid = lo + (hi - lo) / 2;

		if (v[mid] < v[lo])
			swap_double(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap_double(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap_double(&v[hi], &v[mid]);
		pivot = v[mid];
		for (i = lo, j = hi; i <= j; i++, j--) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i > j)
				break;
			swap_double(&v[i], &v[j]);
		}
		/* v[lo..j] <= pivot <= v[i..hi], and between them equal to it. */
		if (want <= j)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			return;
	}
}

static double
anomaly_median(double *v, size_t n)
{
	double below;
	size_t i;

	anomaly_select(v, n, n / 2);
	if (n % 2)
		return v[n / 2];
	/* The lower middle is the largest of the half before it. */
	below = v[0];
	for (i = 1; i < n / 2; i++)
		if (v[i] > below)
			below = v[i];
	return (below + v[n / 2]) / 2.0;
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

	/* Not a number is no sample (nor would it ever leave a baseline). */
	if (!isfinite(x)) {
		if (baseline != NULL)
			*baseline = x;
		if (score != NULL)
			*score = 0;
		return ANOMALY_NONE;
	}
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
