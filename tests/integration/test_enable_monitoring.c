/*
 * The enable_monitoring action with the real binary: a failing check's
 * plan [enable_monitoring, restart] makes the check run every 50 ms for
 * 2 s — noted, not a fix to verify, so the restart follows at once — and
 * then at its own interval again.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
monitoring_is_raised_for_a_while_and_the_plan_goes_on(void **state)
{
	long long deadline;
	json_t *inc, *attempts;

	harness_write_config(&t, "heal: { cooldown: 0s }\n"
	    "services:\n" HARNESS_SICK_WEB
	    "        heal: [{ enable_monitoring: { every: 50ms, for: 2s } }, restart]\n");
	harness_start(&t);
	assert_true(harness_wait_state(&t, "web", "up", 0, 5000));
	harness_make_sick(&t, false);
	inc = harness_wait_incident(&t, "health", "resolution", "healed by restart", 10000);
	assert_non_null(inc);
	attempts = json_object_get(inc, "attempts");
	assert_true(json_array_size(attempts) >= 2);
	assert_string_equal(harness_str(json_array_get(attempts, 0), "action"), "enable_monitoring");
	assert_string_equal(harness_str(json_array_get(attempts, 0), "outcome"), "noted");
	assert_non_null(strstr(harness_str(json_array_get(attempts, 0), "detail"),
	    "health every 50ms for 2s"));
	assert_string_equal(harness_str(json_array_get(attempts, 1), "action"), "restart");
	json_decref(inc);
	assert_true(harness_log_contains(&t,
	    "check health: every 50 ms for 2 s (enable_monitoring)"));
	deadline = harness_mono_ms() + 5000;
	while (!harness_log_contains(&t, "check health: back to its own interval") &&
	    harness_mono_ms() < deadline)
		harness_pause_ms(50);
	assert_true(harness_log_contains(&t, "check health: back to its own interval"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEND_TEST(monitoring_is_raised_for_a_while_and_the_plan_goes_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
