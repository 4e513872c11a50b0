/* Restart pacing: the delay sequence, its cap and jitter, and the crash window. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "supervise/backoff.h"

static const struct backoff_conf conf = {
	.initial_ms = 100,
	.max_ms = 1000,
	.multiplier = 2.0,
	.jitter = 0.0,
	.reset_after_ms = 10000,
};

static void
first_restart_is_immediate(void **state)
{
	assert_int_equal(supervise_restart_delay(&conf, 1, 0.5), 0);
}

static void
delays_grow_by_the_multiplier(void **state)
{
	assert_int_equal(supervise_restart_delay(&conf, 2, 0.5), 100);
	assert_int_equal(supervise_restart_delay(&conf, 3, 0.5), 200);
	assert_int_equal(supervise_restart_delay(&conf, 4, 0.5), 400);
	assert_int_equal(supervise_restart_delay(&conf, 5, 0.5), 800);
}

static void
delays_are_capped_at_max(void **state)
{
	assert_int_equal(supervise_restart_delay(&conf, 6, 0.5), 1000);
	assert_int_equal(supervise_restart_delay(&conf, 500, 0.5), 1000);
}

static void
jitter_stays_within_its_fraction(void **state)
{
	struct backoff_conf j = conf;
	double r;
	int64_t d;

	j.jitter = 0.2;
	for (r = 0.0; r < 1.0; r += 0.01) {
		d = supervise_restart_delay(&j, 3, r);
		assert_in_range(d, 160, 240);
	}
	assert_int_equal(supervise_restart_delay(&j, 3, 0.0), 160);
	assert_true(supervise_restart_delay(&j, 3, 0.999) > 235);
}

static void
window_counts_only_recent_restarts(void **state)
{
	struct restart_window w;

	restart_window_init(&w, 3);
	assert_int_equal(restart_window_add(&w, 0, 1000), 1);
	assert_int_equal(restart_window_add(&w, 100, 1000), 2);
	assert_int_equal(restart_window_add(&w, 200, 1000), 3);
	assert_int_equal(restart_window_add(&w, 300, 1000), 4);	/* past limit 3 */
	/* Much later, the old ones have left the window. */
	assert_int_equal(restart_window_add(&w, 5000, 1000), 1);
	restart_window_free(&w);
}

static void
window_clear_forgets_everything(void **state)
{
	struct restart_window w;

	restart_window_init(&w, 2);
	restart_window_add(&w, 0, 1000);
	restart_window_add(&w, 1, 1000);
	restart_window_clear(&w);
	assert_int_equal(restart_window_add(&w, 2, 1000), 1);
	restart_window_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_restart_is_immediate),
		cmocka_unit_test(delays_grow_by_the_multiplier),
		cmocka_unit_test(delays_are_capped_at_max),
		cmocka_unit_test(jitter_stays_within_its_fraction),
		cmocka_unit_test(window_counts_only_recent_restarts),
		cmocka_unit_test(window_clear_forgets_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
