/* Memory-leak detection's fit (checks/leak.h), with a chosen clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "checks/leak.h"

#define MB	(1024.0 * 1024.0)

static void
steady_growth_is_a_leak_with_its_time_to_the_limit(void **state)
{
	static struct leak_series s;
	struct leak_verdict v;
	int i;

	(void)state;
	/* 1 MB/s from 100 MB, a sample a second for a minute; limit 400 MB. */
	for (i = 0; i <= 60; i++)
		leak_add(&s, 42, i * 1000, 100 * MB + i * MB, 60000);
	leak_judge(&s, 60000, 400 * MB, &v);
	assert_true(v.judged);
	assert_true(fabs(v.slope - MB) < 1);
	assert_true(v.r2 > 0.999);
	assert_true(fabs(v.current - 160 * MB) < 1);
	assert_true(fabs(v.eta_s - 240) < 0.01);	/* (400 - 160) MB at 1 MB/s */
}

static void
flat_and_noisy_memory_is_no_leak(void **state)
{
	static struct leak_series s, n;
	struct leak_verdict v;
	int i;

	(void)state;
	for (i = 0; i <= 20; i++)
		leak_add(&s, 42, i * 1000, 100 * MB, 20000);
	leak_judge(&s, 20000, 400 * MB, &v);
	assert_true(v.judged);
	assert_true(v.slope == 0);
	assert_true(v.eta_s < 0);
	/* Up and down by 20 MB around 100: a slope, but no fit. */
	for (i = 0; i <= 20; i++)
		leak_add(&n, 42, i * 1000, 100 * MB + (i % 2 ? 20 : -20) * MB + i * 0.01 * MB,
		    20000);
	leak_judge(&n, 20000, 400 * MB, &v);
	assert_true(v.judged);
	assert_true(v.r2 < LEAK_MIN_R2);
}

static void
too_few_samples_or_too_short_is_not_judged(void **state)
{
	static struct leak_series s;
	struct leak_verdict v;
	int i;

	(void)state;
	for (i = 0; i < LEAK_MIN_SAMPLES - 1; i++)
		leak_add(&s, 42, i * 10000, (100 + i) * MB, 60000);
	leak_judge(&s, 60000, 400 * MB, &v);
	assert_false(v.judged);
	/* Enough samples, but over a tenth of the window. */
	for (i = 0; i < 10; i++)
		leak_add(&s, 7, i * 600, (100 + i) * MB, 60000);
	leak_judge(&s, 60000, 400 * MB, &v);
	assert_false(v.judged);
}

static void
a_new_process_or_old_samples_start_afresh(void **state)
{
	static struct leak_series s;
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		leak_add(&s, 42, i * 1000, (100 + i) * MB, 5000);
	assert_int_equal(s.n, 6);		/* 4..9 s: the window's 5 s and its edge */
	leak_add(&s, 43, 10000, 10 * MB, 5000);	/* restarted */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.pid, 43);
}

static void
past_the_limit_is_now(void **state)
{
	static struct leak_series s;
	struct leak_verdict v;
	int i;

	(void)state;
	for (i = 0; i <= 10; i++)
		leak_add(&s, 42, i * 1000, (500 + i) * MB, 10000);
	leak_judge(&s, 10000, 400 * MB, &v);
	assert_true(v.eta_s == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(steady_growth_is_a_leak_with_its_time_to_the_limit),
		cmocka_unit_test(flat_and_noisy_memory_is_no_leak),
		cmocka_unit_test(too_few_samples_or_too_short_is_not_judged),
		cmocka_unit_test(a_new_process_or_old_samples_start_afresh),
		cmocka_unit_test(past_the_limit_is_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
