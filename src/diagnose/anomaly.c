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
	d->sorted = xcalloc(d->cap, sizeof(*d->sorted));
	d->z = z > 0 ? z : 4.0;
	d->k = k > 0 ? k : 3;
	d->min_samples = d->cap < 20 ? d->cap : 20;
}

void
anomaly_free(struct anomaly_detector *d)
{
	free(d->window);
	free(d->sorted);
	d->window = d->sorted = NULL;
}

/* The first index of sorted v[0..n) whose value is not below x. */
static size_t
anomaly_lower_bound(const double *v, size_t n, double x)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The k-th and (k-1)-th smallest absolute deviations from m of sorted
 * s[0..n), m its median: they are two ascending runs walked outward from
 * m (those below it, those above), merged for k + 1 steps.
 */
static void
anomaly_deviations(const double *s, size_t n, double m, size_t k, double *kth,
    double *before)
{
	size_t up = anomaly_lower_bound(s, n, m), down = up, step;
	double d = 0;

	*before = 0;
	for (step = 0; step <= k; step++) {
		*before = d;
		if (down > 0 && (up == n || m - s[down - 1] <= s[up] - m))
			d = m - s[--down];
		else
			d = s[up++] - m;
	}
	*kth = d;
}

/*
 * The window's median and its spread as a standard deviation would be:
 * MAD / 0.6745, or, where more than half the samples sit on the median
 * (a discrete series: MAD 0), 1.2533 x the mean absolute deviation, as in
 * Iglewicz and Hoaglin's modified z-score. Read from the window kept
 * sorted: every sample of every series comes here, and a busy daemon's
 * checks feed thousands a second.
 */
static void
anomaly_baseline(const struct anomaly_detector *d, double *median, double *spread)
{
	const double *s = d->sorted;
	size_t n = d->len, i;
	double mad, lower, mean_ad = 0;

	*median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
	for (i = 0; i < n; i++)
		mean_ad += fabs(s[i] - *median);
	mean_ad /= (double)n;
	anomaly_deviations(s, n, *median, n / 2, &mad, &lower);
	if (n % 2 == 0)
		mad = (lower + mad) / 2.0;
	*spread = mad > 0 ? mad / 0.6745 : 1.253314 * mean_ad;
}

/* x joins the window, its oldest sample leaving a full one; both kept in order. */
static void
anomaly_push(struct anomaly_detector *d, double x)
{
	size_t at;

	if (d->len == d->cap) {
		at = anomaly_lower_bound(d->sorted, d->len, d->window[d->head]);
		memmove(d->sorted + at, d->sorted + at + 1, (d->len - at - 1) *
		    sizeof(*d->sorted));
		d->len--;
	}
	at = anomaly_lower_bound(d->sorted, d->len, x);
	memmove(d->sorted + at + 1, d->sorted + at, (d->len - at) * sizeof(*d->sorted));
	d->sorted[at] = x;
	d->len++;
	d->window[d->head] = x;
	d->head = (d->head + 1) % d->cap;
}

enum anomaly_event
anomaly_feed(struct anomaly_detector *d, double x, double *baseline, double *score)
{
	enum anomaly_event ev = ANOMALY_NONE;
	double median = x, spread = 0, z = 0, floor;

	/* Not a number is no sample (nor would it keep the window in order). */
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
	anomaly_push(d, x);
	if (baseline != NULL)
		*baseline = median;
	if (score != NULL)
		*score = z;
	return ev;
}
