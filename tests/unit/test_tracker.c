/* fail_after, fail n of m, recover_after. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "health/tracker.h"

#define H HEALTH_HEALTHY
#define W HEALTH_WARNING
#define C HEALTH_CRITICAL

static void
first_pass_is_believed_at_once(void **state)
{
	struct health_tracker t;

	health_tracker_init(&t, 3, 0, 0, 2);
	assert_int_equal(t.state, HEALTH_UNKNOWN);
	assert_true(health_tracker_feed(&t, H));
	assert_int_equal(t.state, H);
}

static void
fails_only_after_consecutive_failures(void **state)
{
	struct health_tracker t;

	health_tracker_init(&t, 3, 0, 0, 1);
	health_tracker_feed(&t, H);
	assert_false(health_tracker_feed(&t, C));
	assert_false(health_tracker_feed(&t, C));
	assert_false(health_tracker_feed(&t, H));	/* the count starts over */
	assert_false(health_tracker_feed(&t, C));
	assert_false(health_tracker_feed(&t, C));
	assert_true(health_tracker_feed(&t, C));
	assert_int_equal(t.state, C);
	/* Once failed, it follows warning <-> critical at once. */
	assert_true(health_tracker_feed(&t, W));
	assert_int_equal(t.state, W);
}

static void
n_of_m_counts_a_window(void **state)
{
	struct health_tracker t;

	health_tracker_init(&t, 1, 3, 5, 1);
	health_tracker_feed(&t, H);
	assert_false(health_tracker_feed(&t, C));
	assert_false(health_tracker_feed(&t, H));
	assert_false(health_tracker_feed(&t, C));
	assert_false(health_tracker_feed(&t, H));
	assert_true(health_tracker_feed(&t, C));	/* 3 of the last 5 */
	assert_int_equal(t.state, C);
}

static void
recovers_only_after_consecutive_passes(void **state)
{
	struct health_tracker t;

	health_tracker_init(&t, 1, 0, 0, 3);
	health_tracker_feed(&t, C);
	assert_int_equal(t.state, C);
	assert_false(health_tracker_feed(&t, H));
	assert_false(health_tracker_feed(&t, H));
	assert_true(health_tracker_feed(&t, H));
	assert_int_equal(t.state, H);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_pass_is_believed_at_once),
		cmocka_unit_test(fails_only_after_consecutive_failures),
		cmocka_unit_test(n_of_m_counts_a_window),
		cmocka_unit_test(recovers_only_after_consecutive_passes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
