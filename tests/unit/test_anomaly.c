/* Anomalies on synthetic series: a step fires, a spike does not, noise does not. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>

#include "diagnose/anomaly.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_step_fires_after_k_samples),
		cmocka_unit_test(a_lone_spike_does_not_fire),
		cmocka_unit_test(noise_does_not_fire),
		cmocka_unit_test(it_ends_and_learns_a_lasting_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
