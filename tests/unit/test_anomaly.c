/*
 * Anomalies on synthetic series: a step fires, a spike does not, noise does
 * not; a change too small to matter (milliseconds of latency, a few bytes
 * of a response) does not either, by the series' unit or the config.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/anomaly.h"
#include "diagnose/anomaly_watch.h"

/* Deterministic noise in [-1, 1]: the test must fail or pass the same way every run. */
static double
noise(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return ((double)(*seed >> 8) / (double)(1u << 24)) * 2.0 - 1.0;
}

static void
a_step_fires_after_k_samples(void **state)
{
	struct anomaly_detector d;
	uint32_t seed = 1;
	double baseline, score;
	int i, fired_at = -1;

	anomaly_init(&d, 60, 4, 3);
	for (i = 0; i < 100; i++)
		assert_int_equal(anomaly_feed(&d, 50 + noise(&seed), NULL, NULL), ANOMALY_NONE);
	for (i = 0; i < 20 && fired_at < 0; i++)
		if (anomaly_feed(&d, 90 + noise(&seed), &baseline, &score) == ANOMALY_STARTED)
			fired_at = i;
	assert_int_equal(fired_at, 2);		/* the third sample in a row */
	assert_true(fabs(baseline - 50) < 2);
	assert_true(score > 4);
	anomaly_free(&d);
}

static void
a_lone_spike_does_not_fire(void **state)
{
	struct anomaly_detector d;
	uint32_t seed = 7;
	int i;

	anomaly_init(&d, 60, 4, 3);
	for (i = 0; i < 200; i++) {
		double x = 20 + noise(&seed) * 2;

		if (i % 50 == 49)
			x = 500;		/* one sample, then back */
		assert_int_equal(anomaly_feed(&d, x, NULL, NULL), ANOMALY_NONE);
	}
	anomaly_free(&d);
}

static void
noise_does_not_fire(void **state)
{
	struct anomaly_detector d;
	uint32_t seed = 12345;
	int i, events = 0;

	anomaly_init(&d, 60, 4, 3);
	for (i = 0; i < 5000; i++)
		events += anomaly_feed(&d, 100 + 10 * noise(&seed), NULL, NULL) != ANOMALY_NONE;
	assert_int_equal(events, 0);
	anomaly_free(&d);
}

static void
it_ends_and_learns_a_lasting_level(void **state)
{
	struct anomaly_detector d;
	uint32_t seed = 3;
	int i, started = 0, ended = 0;
	enum anomaly_event ev;

	anomaly_init(&d, 40, 4, 3);
	for (i = 0; i < 60; i++)
		anomaly_feed(&d, 10 + noise(&seed) * 0.5, NULL, NULL);
	for (i = 0; i < 200; i++) {
		ev = anomaly_feed(&d, 30 + noise(&seed) * 0.5, NULL, NULL);
		started += ev == ANOMALY_STARTED;
		ended += ev == ANOMALY_ENDED;
	}
	assert_int_equal(started, 1);
	assert_int_equal(ended, 1);		/* the window learned the new level */
	anomaly_free(&d);
}

/* How many anomalies a series of unit starts: n samples at from, then 20 at to. */
static int
step_events(const char *unit, double from, double to)
{
	struct anomaly_detector d;
	uint32_t seed = 99;
	int i, started = 0;

	anomaly_init(&d, 60, 4, 3);
	anomaly_unit_floor(unit, &d.min_delta, &d.min_ratio);
	for (i = 0; i < 60; i++)
		anomaly_feed(&d, from + from * 0.005 * noise(&seed), NULL, NULL);
	for (i = 0; i < 20; i++)
		started += anomaly_feed(&d, to + to * 0.005 * noise(&seed), NULL, NULL) ==
		    ANOMALY_STARTED;
	anomaly_free(&d);
	return started;
}

static void
a_few_milliseconds_of_latency_are_not_an_anomaly(void **state)
{
	/* A loopback check at 0.4 ms that now takes 3 ms: z is huge, the change is not. */
	assert_int_equal(step_events("ms", 0.4, 3), 0);
	assert_int_equal(step_events("s", 0.0004, 0.003), 0);
	/* Half a millisecond that takes 8 on a busy host; 100 ms to 108 ms: not past 10 ms. */
	assert_int_equal(step_events("ms", 0.5, 8), 0);
	assert_int_equal(step_events("ms", 100, 108), 0);
	/* 20 ms to 80 ms: yes. */
	assert_int_equal(step_events("ms", 20, 80), 1);
	assert_int_equal(step_events("s", 0.02, 0.08), 1);
}

static void
a_size_must_change_by_a_quarter(void **state)
{
	/* A page of 612 bytes that becomes 700: content, not news. */
	assert_int_equal(step_events("B", 612, 700), 0);
	assert_int_equal(step_events("KB", 100, 120), 0);
	assert_int_equal(step_events("B", 612, 1400), 1);
	/* Without a unit a tenth of the level; a percentage by 2 points. */
	assert_int_equal(step_events("", 100, 105), 0);
	assert_int_equal(step_events(NULL, 100, 150), 1);
	assert_int_equal(step_events("%", 40, 41), 0);
	assert_int_equal(step_events("%", 40, 60), 1);
}

static int anomalies_seen;

static void
count_started(void *arg, const char *series, bool started, double value, double baseline,
    double score)
{
	anomalies_seen += started;
}

/* Feeds a series of unit "ms": 60 samples at 100, then 20 at to. */
static void
feed_watch(struct anomaly_watch *w, const char *series, double to)
{
	int i;

	for (i = 0; i < 60; i++)
		anomaly_watch_feed(w, series, "ms", 100 + (i % 3) * 0.1);
	for (i = 0; i < 20; i++)
		anomaly_watch_feed(w, series, "ms", to);
}

/* A series' own setting, then anomaly's, then the unit's default. */
static void
the_config_sets_the_floors(void **state)
{
	struct anomaly_series_conf series[] = {
		{ .series = "check.strict.*", .min_delta = 0, .min_ratio = 0 },
		{ .series = "check.lax.*", .min_delta = -1, .min_ratio = 1 },
	};
	struct anomaly_conf conf = { .enabled = true, .z = 4, .k = 3, .window = 60,
	    .min_delta = -1, .min_ratio = -1, .series = series, .n_series = 2 };
	struct anomaly_watch *w = anomaly_watch_new(&conf, count_started, NULL);

	anomalies_seen = 0;
	feed_watch(w, "check.plain.latency_ms", 110);	/* 10 %: under the 20 % of "ms" */
	assert_int_equal(anomalies_seen, 0);
	feed_watch(w, "check.strict.latency_ms", 110);	/* no floor at all */
	assert_int_equal(anomalies_seen, 1);
	feed_watch(w, "check.lax.latency_ms", 190);	/* 90 %: under its 100 % */
	assert_int_equal(anomalies_seen, 1);
	anomaly_watch_free(w);

	/* anomaly.min_delta for every series without its own. */
	conf.min_delta = 200;
	conf.n_series = 0;
	w = anomaly_watch_new(&conf, count_started, NULL);
	feed_watch(w, "check.plain.latency_ms", 250);
	assert_int_equal(anomalies_seen, 1);
	feed_watch(w, "check.other.latency_ms", 400);
	assert_int_equal(anomalies_seen, 2);
	anomaly_watch_free(w);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median by a sort: what the detector's selection must agree with. */
static double
sorted_median(const double *w, size_t n)
{
	double v[128];

	memcpy(v, w, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/*
 * The baseline and score of every sample, on windows odd and even, with
 * and without ties, are those of a sorted median and MAD.
 */
static void
the_baseline_is_the_windows_median(void **state)
{
	static const size_t sizes[] = { 5, 6, 7, 8, 59, 60, 61, 100 };
	double ring[128], dev[128], baseline, score, med, mad, mean_ad, x, want;
	struct anomaly_detector d;
	uint32_t seed = 7;
	size_t s, i, n, len, head;

	for (s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
		anomaly_init(&d, sizes[s], 0, 0);
		d.min_samples = 1;
		len = head = 0;
		for (n = 0; n < 400; n++) {
			/* Half the series on a few levels: ties and a zero MAD. */
			x = n % 2 ? round(noise(&seed) * 2) : 100 + 50 * noise(&seed);
			anomaly_feed(&d, x, &baseline, &score);
			if (len > 0) {
				med = sorted_median(ring, len);
				for (i = 0, mean_ad = 0; i < len; i++) {
					dev[i] = fabs(ring[i] - med);
					mean_ad += dev[i];
				}
				mad = sorted_median(dev, len);
				want = mad > 0 ? mad / 0.6745 : 1.253314 * mean_ad / (double)len;
				want = (x - med) / fmax(want, fmax(fabs(med) * 0.01 / 0.6745, 1e-9));
				assert_true(baseline == med);
				assert_true(fabs(score - want) <= 1e-9 * fmax(1, fabs(want)));
			}
			ring[head] = (float)x;	/* the window keeps single precision */
			head = (head + 1) % d.cap;
			if (len < d.cap)
				len++;
		}
		anomaly_free(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_step_fires_after_k_samples),
		cmocka_unit_test(a_lone_spike_does_not_fire),
		cmocka_unit_test(noise_does_not_fire),
		cmocka_unit_test(it_ends_and_learns_a_lasting_level),
		cmocka_unit_test(a_few_milliseconds_of_latency_are_not_an_anomaly),
		cmocka_unit_test(a_size_must_change_by_a_quarter),
		cmocka_unit_test(the_config_sets_the_floors),
		cmocka_unit_test(the_baseline_is_the_windows_median),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
